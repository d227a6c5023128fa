#!/usr/bin/env bash
# The demonstration `make run` runs inside the patched kernel: KVM works on
# the emulated AMD CPU, a guest runs, the series' selftests show which vCPU
# directed yield picks with kvm.ipi_aware_yield on and off, and an
# overcommitted IPI scenario shows the directed yields by tier, off and on.
set -u
# shellcheck source=../lib/help.sh
. "$(dirname "$0")/../lib/help.sh"
sel=${1:?usage: scripts/guest/demo.sh SELFTEST_DIR BENCH_DIR}
bench=${2:?usage: scripts/guest/demo.sh SELFTEST_DIR BENCH_DIR}
# The x86 selftests' folder: x86_64/ up to 6.12, x86/ since 6.15.
x86=x86_64
[ -d "$sel/x86_64" ] || x86=x86
echo "--- patched kernel: $(uname -r), $(nproc) CPUs"
grep -m1 'model name' /proc/cpuinfo
if [ -d /sys/module/kvm_amd ]; then
	printf '%s\n' "--- kvm_amd is loaded; its parameters:"
	for p in npt nested avic vgif pause_filter_count pause_filter_thresh nrips; do
		f=/sys/module/kvm_amd/parameters/$p
		[ -r "$f" ] && printf '    %-20s %s\n' "$p" "$(cat "$f")"
	done
else
	echo "kvm_amd is NOT loaded: KVM cannot run guests here" >&2
	exit 1
fi
[ -c /dev/kvm ] || { echo "no /dev/kvm" >&2; exit 1; }
echo "--- a KVM guest runs: two vCPUs exchanging IPIs for 3 s (xapic_ipi_test)"
out=$(mktemp)
for try in 1 2; do
	"$sel/$x86/xapic_ipi_test" -s 3 >"$out" 2>&1 &
	pid=$!
	sleep 2.5
	# While the VM is alive: KVM's counters summed over VMs (debugfs).
	stats=$(for s in exits irq_exits halt_exits irq_injections directed_yield_attempted; do
		[ -r "/sys/kernel/debug/kvm/$s" ] &&
			printf '    %-26s %s\n' "$s" "$(cat "/sys/kernel/debug/kvm/$s")"
	done)
	if wait "$pid"; then
		grep -E 'IPIs|successful' "$out"
		echo "--- KVM's counters 2.5 s into the run:"
		printf '%s\n' "$stats"
		break
	fi
	# Its guest assumes hardware timing (see config/selftests.list).
	echo "(try $try failed, as this timing-sensitive test sometimes does under emulation:)"
	tail -n 3 "$out"
	[ "$try" = 2 ] && exit 1
done

# The series at work: its selftests drive kvm_vcpu_on_spin() with real guest
# IPIs and preempted vCPUs, and print whom each spin yielded to, with
# kvm.ipi_aware_yield on and off.
while read -r t; do
	[ -n "$t" ] || continue
	echo "--- the series: $t"
	rc=0
	"$sel/$t" || rc=$?
	# 4: skipped, e.g. the pause-filter test under a QEMU without one
	[ "$rc" = 0 ] || [ "$rc" = 4 ] || exit 1
done <"$sel/series-tests"

# Overcommitted: four vCPUs of one VM on one CPU send each other IPIs and
# wait for the answer, reporting long spin waits as a paravirtual guest
# does; directed yield decides whom each waiting vCPU hands the CPU to.
echo "--- overcommitted IPI scenario: 4 vCPUs on 1 CPU, kvm.ipi_aware_yield off and on"
"$bench/ipi_yield_bench" -v 4 -p 1 -w 200 -r 4 -t 2 || exit 1
echo "--- done"
