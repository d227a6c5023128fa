#!/usr/bin/env bash
# The overcommit benchmark (docs/benchmark.md): boot the
# patched kernel, run scripts/guest-bench-overcommit.sh inside it (1..4
# nested guests, four workloads, four configurations flipped at run time,
# interleaved repetitions), then summarize: summary.csv, summary.md,
# plot.png, metadata.txt, runs.csv.
#
#   scripts/bench-overcommit.sh            full matrix into
#                                          bench/results/<date>-<machine>/
#   scripts/bench-overcommit.sh --quick    2 VMs against 1, baseline vs full,
#                                          3 repetitions, into build/bench/results/
# Environment: VMS, WORKLOADS, CONFIGS, REPS, SECS, VCPUS, GUEST_MEM,
# VIPS_SIZE (bench/guest/workload.sh) override the matrix; RESULTS_DIR the output directory; APPEND=1 adds the runs to
# the runs.csv already there (a matrix measured in parts). CLOCK=icount runs
# it on the time-faithful host (docs/icount.md), with CPUS emulated CPUs
# (default there 4, else this machine's); HOST_APPEND adds to the patched
# kernel's command line (e.g. kvm_amd.pause_filter_count=0: no PLE).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

quick=0
case "${1:-}" in
--quick) quick=1 ;;
"") ;;
*) die "usage: $0 [--quick]" ;;
esac
if [ "$quick" = 1 ]; then
	vms=${VMS:-"1 2"} configs=${CONFIGS:-"baseline full"} reps=${REPS:-3} secs=${SECS:-5}
else
	vms=${VMS:-"1 2 3 4"} configs=${CONFIGS:-"baseline kvm sched full"} reps=${REPS:-5} secs=${SECS:-5}
fi
workloads=${WORKLOADS:-"dedup vips ipi control"}
clock=${CLOCK:-wall}
if [ "$clock" = icount ]; then cpus=${CPUS:-4}; else cpus=${CPUS:-$(nproc)}; fi
vcpus=${VCPUS:-$cpus} guest_mem=${GUEST_MEM:-1G}
# The vips image: under icount the whole emulated host executes 250 M
# instructions per second, shared by all guests; a smaller image keeps
# several pipelines in each run at four guests.
vips_size=${VIPS_SIZE:-}
[ "$clock" != icount ] || vips_size=${VIPS_SIZE:-128x96}

"$TOP/scripts/prepare.sh"

accel=tcg
[ "$clock" = wall ] && host_has_kvm && accel=kvm
machine="${accel}-${cpus}cpu"
[ "$clock" = wall ] || machine="${accel}-${clock}-${cpus}cpu"
stamp=$(date -u +%Y-%m-%d)
if [ -n "${RESULTS_DIR:-}" ]; then
	res=$RESULTS_DIR
elif [ "$quick" = 1 ]; then
	res=$BENCH_DIR/results/$stamp-$machine-quick
else
	res=$TOP/bench/results/$stamp-$machine
fi
mkdir -p "$res" "$BENCH_DIR"
res=$(cd "$res" && pwd)
l1=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
# Memory for the host kernel: every guest's, plus room for the host itself.
max_vms=0
for k in $vms; do [ "$k" -gt "$max_vms" ] && max_vms=$k; done
mem_g=$((max_vms * ${guest_mem%G} + 2))

nruns=0
for k in $vms; do nruns=$((nruns + $(wc -w <<<"$workloads") * $(wc -w <<<"$configs") * reps)); done
say "overcommit benchmark: $nruns runs of ${secs} s (VMs: $vms; configs: $configs; $reps repetitions),"
say "guests of $vcpus vCPUs on the $cpus CPUs of the patched kernel ($accel; under emulation a boot takes minutes)"
# Nested guests under emulation: their TSC-deadline timer loses wake-ups
# (RCU stalls, boots of many minutes); the LAPIC's one-shot timer works.
guest_append=""
[ "$accel" = kvm ] || guest_append="lapic=notscdeadline"
rc=0
# The guests run under Debian's QEMU, as on an operator's host.
"$TOP/scripts/vm-run.sh" --cpus "$cpus" --mem "${mem_g}G" --out "$l1" --timeout 14400 \
	--append "${HOST_APPEND:-}" -- \
	env QEMU=qemu-system-x86_64 VIPS_SIZE="$vips_size" "$TOP/scripts/guest-bench-overcommit.sh" --out "$l1/run" \
	--vms "$vms" --workloads "$workloads" --configs "$configs" --reps "$reps" \
	--secs "$secs" --vcpus "$vcpus" --mem "$guest_mem" --append "$guest_append" || rc=$?
[ "$rc" = 0 ] || die "the benchmark stopped (exit $rc): see $l1/console.log and $l1/run/"

if [ "${APPEND:-0}" = 1 ] && [ -s "$res/runs.csv" ]; then
	tail -n +2 "$l1/run/runs.csv" >>"$res/runs.csv"
	mv "$res/metadata.txt" "$res/metadata.prev.txt"
else
	cp "$l1/run/runs.csv" "$res/runs.csv"
	rm -f "$res/metadata.prev.txt"
fi
{
	[ ! -f "$res/metadata.prev.txt" ] || { cat "$res/metadata.prev.txt"; echo "--- runs added:"; }
	cat "$l1/run/metadata.txt"
	echo "emulator (level 0): $("$(qemu_path)" --version | head -n1), -accel $accel -cpu max, $cpus vCPUs"
	if [ "$clock" = icount ]; then
		echo "clock (level 0): icount shift=$ICOUNT_SHIFT sleep=off quantum=$ICOUNT_QUANTUM_NS ns, x-svm-switch-ns=$SVM_SWITCH_NS"
	else
		echo "clock (level 0): wall"
	fi
	echo "host kernel command line additions: ${HOST_APPEND:-none}"
	echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $cpus CPUs, $(free -g | awk '/^Mem/ { print $2 }') GiB"
	echo "series: $(git -C "$TOP" rev-parse --short HEAD) ($(find "$PATCHES" -name "0*.patch" ! -name "0000-*" | wc -l) patches)"
} >"$res/metadata.txt"
rm -f "$res/metadata.prev.txt"
python3 "$TOP/scripts/bench-summarize.py" "$res" --title "${vms// /, } VMs, guests of $vcpus vCPUs on $cpus CPUs ($machine), $stamp"
say "results in ${res#"$TOP"/}:"
cat "$res/summary.md"
