#!/usr/bin/env bash
# Run one workload of the overcommit benchmark inside a guest, on all of its
# CPUs, and print its result line ("rate=<number> unit=<unit> ...").
#
#   bench/guest/workload.sh prepare          once per boot: check the programs
#   bench/guest/workload.sh NAME SECONDS     NAME: dedup, vips, ipi, control
#   bench/guest/workload.sh serve NAME       set up once, then one result
#                                            line per line "SECONDS" read
#                                            from standard input
#
# BENCH_BIN: the programs built from bench/guest/*.c (default
# build/bench/guest next to this checkout; scripts/guest/overcommit.sh
# passes its base's, build/bench-7.3/guest with BASE=7.3).
# VIPS_SIZE: the vips image, WIDTHxHEIGHT (default 256x192: about 2
# pipelines/s per guest of 2 vCPUs in a nested guest under emulation,
# 70/s on the host).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${BENCH_BIN:-$top/build/bench/guest}
work=${TMPDIR:-/tmp}/bench-work
cpus=$(nproc)

usage() {
	echo "usage: $0 prepare | {dedup|vips|ipi|control} SECONDS | serve {dedup|vips|ipi|control}" >&2
	exit 2
}

case "${1:-}" in
prepare)
	mkdir -p "$work"
	for p in dedup ipi_micro cpu_control vips_pipeline; do
		[ -x "$bin/$p" ] || { echo "no $bin/$p: run 'make bench' on the host" >&2; exit 1; }
	done
	echo "prepared in $work"
	exit 0
	;;
serve)
	[ $# -eq 2 ] || usage
	name=$2 opts=(-r)
	;;
*)
	[ $# -eq 2 ] || usage
	name=$1 opts=(-t "$2")
	;;
esac

case "$name" in
dedup) exec "$bin/dedup" "${opts[@]}" -c "$cpus" -s 16 ;;
ipi) exec "$bin/ipi_micro" "${opts[@]}" -c "$cpus" -m membarrier ;;
control) exec "$bin/cpu_control" "${opts[@]}" -c "$cpus" ;;
# libvips (Debian's libvips42, as libvips-tools uses it) in one process:
# affine, convolution, sRGB -> CIELAB, sharpen; see bench/guest/vips_pipeline.c.
vips) exec "$bin/vips_pipeline" "${opts[@]}" -c "$cpus" -s "${VIPS_SIZE:-256x192}" ;;
*) usage ;;
esac
