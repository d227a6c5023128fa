#!/usr/bin/env bash
# The demonstration `make run` runs inside the patched kernel: KVM works
# on the emulated AMD CPU and a guest runs. (Later issues replace this with
# the A/B run of the series' knobs.)
set -u
sel=${1:?usage: guest-demo.sh SELFTEST_DIR}
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
"$sel/x86_64/xapic_ipi_test" -s 3 || exit 1
echo "--- KVM statistics after the run (debugfs, summed over VMs):"
for s in exits halt_exits irq_injections directed_yield_attempted directed_yield_successful; do
	[ -r "/sys/kernel/debug/kvm/$s" ] && printf '    %-28s %s\n' "$s" "$(cat "/sys/kernel/debug/kvm/$s")"
done
echo "--- done"
