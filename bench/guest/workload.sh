#!/usr/bin/env bash
# Run one workload of the overcommit benchmark inside a guest, on all of its
# CPUs, and print its result line ("rate=<number> unit=<unit> ...").
#
#   bench/guest/workload.sh prepare          once per boot: build the inputs
#   bench/guest/workload.sh NAME SECONDS     NAME: dedup, vips, ipi, control
#
# BENCH_BIN: the programs built from bench/guest/*.c (default
# build/bench/guest next to this checkout). VIPS_SIZE: the vips input image,
# WIDTHxHEIGHT (default 800x600).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BENCH_BIN:-$top/build/bench/guest}
work=${TMPDIR:-/tmp}/bench-work
cpus=$(nproc)

now() { date +%s.%N; }

# The vips pipeline of PARSEC's vips in spirit: rotate and scale (affine),
# blur (convolution with a Gaussian mask), sRGB -> CIELAB, sharpen.
vips_pipeline() {
	vips affine "$work/in.v" "$work/a.v" "0.96 0.28 -0.28 0.96"
	vips conv "$work/a.v" "$work/b.v" "$work/mask.v"
	vips colourspace "$work/b.v" "$work/c.v" lab
	vips sharpen "$work/c.v" "$work/d.v"
}

case "${1:-}" in
prepare)
	mkdir -p "$work"
	size=${VIPS_SIZE:-800x600}
	vips gaussnoise "$work/n.v" "${size%x*}" "${size#*x}" --mean 128 --sigma 50
	vips bandjoin "$work/n.v $work/n.v $work/n.v" "$work/j.v"
	vips cast "$work/j.v" "$work/c.v" uchar
	vips copy "$work/c.v" "$work/in.v" --interpretation srgb
	vips gaussmat "$work/mask.v" 2 0.2
	rm -f "$work/n.v" "$work/j.v" "$work/c.v"
	for p in dedup ipi_micro cpu_control; do
		[ -x "$bin/$p" ] || { echo "no $bin/$p: run 'make bench' on the host" >&2; exit 1; }
	done
	echo "prepared in $work"
	;;
dedup) exec "$bin/dedup" -t "$2" -c "$cpus" -s 16 ;;
ipi) exec "$bin/ipi_micro" -t "$2" -c "$cpus" -m membarrier ;;
control) exec "$bin/cpu_control" -t "$2" -c "$cpus" ;;
vips)
	[ -f "$work/in.v" ] || { echo "run '$0 prepare' first" >&2; exit 1; }
	export VIPS_CONCURRENCY=$cpus
	start=$(now) n=0
	while :; do
		vips_pipeline
		n=$((n + 1))
		elapsed=$(awk -v a="$start" -v b="$(now)" 'BEGIN { print b - a }')
		awk -v e="$elapsed" -v s="$2" 'BEGIN { exit !(e >= s) }' && break
	done
	awk -v n="$n" -v e="$elapsed" -v c="$cpus" \
		'BEGIN { printf "rate=%.4f unit=pipelines/s pipelines=%d secs=%.2f threads=%d\n", n / e, n, e, c }'
	;;
*)
	echo "usage: $0 prepare | {dedup|vips|ipi|control} SECONDS" >&2
	exit 2
	;;
esac
