#!/usr/bin/env bash
# The overcommit benchmark (docs/benchmark.md): boot the
# patched kernel, run scripts/guest/overcommit.sh inside it (1..4
# nested guests, four workloads, four configurations flipped at run time,
# interleaved repetitions), then summarize: summary.csv, summary.md,
# plot.png, metadata.txt, runs.csv.
#
#   scripts/bench/bench-overcommit.sh            full matrix into
#                                          bench/results/<date>-<machine>/
#   scripts/bench/bench-overcommit.sh --quick    2 VMs against 1, baseline vs full,
#                                          3 repetitions, into build/bench/results/
#   scripts/bench/bench-overcommit.sh --host [--quick]
#       on a real host with VMX or SVM running the kernel of make deb's
#       package (README, "Trying it on your host"): the same runs with this
#       machine's KVM, the nested guests becoming plain guests under
#       Debian's QEMU, into bench/results/<date>-host-<N>cpu/
# Environment: VMS, WORKLOADS, CONFIGS, REPS, SECS, VCPUS, GUEST_MEM,
# VIPS_SIZE (bench/guest/workload.sh) override the matrix; RESULTS_DIR the output directory; APPEND=1 adds the runs to
# the runs.csv already there (a matrix measured in parts). CLOCK=icount runs
# it on the time-faithful host (docs/icount.md), with CPUS emulated CPUs
# (default there 4, else this machine's); HOST_APPEND adds to the patched
# kernel's command line (e.g. kvm_amd.pause_filter_count=0: no PLE).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

quick=0 host=0
for arg; do
	case "$arg" in
	--quick) quick=1 ;;
	--host) host=1 ;;
	*) die "usage: $0 [--host] [--quick] (see $0 --help)" ;;
	esac
done
if [ "$quick" = 1 ]; then
	vms=${VMS:-"1 2"} configs=${CONFIGS:-"baseline full"} reps=${REPS:-3} secs=${SECS:-5}
else
	vms=${VMS:-"1 2 3 4"} configs=${CONFIGS:-"baseline kvm sched full"} reps=${REPS:-5} secs=${SECS:-5}
fi
workloads=${WORKLOADS:-"dedup vips ipi control"}
clock=${CLOCK:-wall}
[ "$host" = 0 ] || clock=host
if [ "$clock" = icount ]; then cpus=${CPUS:-4}; else cpus=${CPUS:-$(nproc)}; fi
vcpus=${VCPUS:-$cpus} guest_mem=${GUEST_MEM:-1G}
# The vips image: under icount the whole emulated host executes 250 M
# instructions per second, shared by all guests; a smaller image keeps
# several pipelines in each run at four guests.
vips_size=${VIPS_SIZE:-}
[ "$clock" != icount ] || vips_size=${VIPS_SIZE:-128x96}

accel=tcg
if [ "$host" = 1 ]; then
	[ "$(id -u)" = 0 ] || die "--host flips KVM's parameters and the scheduler's features: run it as root (sudo make bench-host)"
	require_series_host
	# Its guests run under Debian's QEMU: the project's is not built.
	"$TOP/scripts/compile/prepare.sh" --host
	# The guests' kernel (the harness's) brings up at most NR_CPUS vCPUs.
	max=$(sed -n 's/^CONFIG_NR_CPUS=//p' "$OBJ/.config")
	vcpus=${VCPUS:-$((cpus < max ? cpus : max))}
	[ "$vcpus" -le "$max" ] || die "VCPUS=$vcpus: the guests' kernel ($OBJ) runs at most $max vCPUs"
	accel=kvm
	machine="host-${cpus}cpu"
else
	"$TOP/scripts/compile/prepare.sh"
	[ "$clock" = wall ] && host_has_kvm && accel=kvm
	machine="${accel}-${cpus}cpu"
	[ "$clock" = wall ] || machine="${accel}-${clock}-${cpus}cpu"
fi
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
guest_append=${GUEST_APPEND:-}
[ "$accel" = kvm ] || guest_append=${GUEST_APPEND:-lapic=notscdeadline}
bench_args=(--vms "$vms" --workloads "$workloads" --configs "$configs" --reps "$reps"
	--secs "$secs" --vcpus "$vcpus" --mem "$guest_mem" --append "$guest_append")
rc=0
if [ "$host" = 1 ]; then
	# This machine is the host: its own KVM runs the guests.
	mkdir -p "$l1/run"
	QEMU=qemu-system-x86_64 VIPS_SIZE="$vips_size" \
		"$TOP/scripts/guest/overcommit.sh" --out "$l1/run" "${bench_args[@]}" || rc=$?
	[ "$rc" = 0 ] || die "the benchmark stopped (exit $rc): see $l1/run/"
else
	# The guests run under Debian's QEMU, as on an operator's host.
	"$TOP/scripts/vm/vm.sh" --cpus "$cpus" --mem "${mem_g}G" --out "$l1" --timeout 14400 \
		--append "${HOST_APPEND:-}" -- \
		env BASE="$BASE" QEMU=qemu-system-x86_64 VIPS_SIZE="$vips_size" "$TOP/scripts/guest/overcommit.sh" \
		--out "$l1/run" "${bench_args[@]}" || rc=$?
	[ "$rc" = 0 ] || die "the benchmark stopped (exit $rc): see $l1/console.log and $l1/run/"
fi

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
	if [ "$host" = 1 ]; then
		echo "host: this machine's kernel and KVM, no emulator below it"
	else
		echo "emulator (level 0): $("$(qemu_path)" --version | head -n1), -accel $accel -cpu max, $cpus vCPUs"
	fi
	if [ "$host" = 1 ]; then
		echo "clock (level 0): the hardware's"
	elif [ "$clock" = icount ]; then
		echo "clock (level 0): icount shift=$ICOUNT_SHIFT sleep=off quantum=$ICOUNT_QUANTUM_NS ns, x-svm-switch-ns=$SVM_SWITCH_NS"
	else
		echo "clock (level 0): wall"
	fi
	if [ "$host" = 1 ]; then
		echo "host kernel command line: $(cat /proc/cmdline)"
	else
		echo "host kernel command line additions: ${HOST_APPEND:-none}"
	fi
	echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $cpus CPUs, $(free -g | awk '/^Mem/ { print $2 }') GiB"
	echo "series: $(git -C "$TOP" rev-parse --short HEAD) ($(find "$PATCHES" -name "0*.patch" ! -name "0000-*" | wc -l) patches)"
} >"$res/metadata.txt"
rm -f "$res/metadata.prev.txt"
python3 "$TOP/scripts/bench/summarize.py" "$res" --title "${vms// /, } VMs, guests of $vcpus vCPUs on $cpus CPUs ($machine), $stamp"
say "results in ${res#"$TOP"/}:"
cat "$res/summary.md"
