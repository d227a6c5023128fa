#!/usr/bin/env bash
# `make nested-pause`: an unmodified Linux guest (this kernel, under Debian's
# QEMU with -accel kvm inside the patched kernel) with twice as many vCPUs
# as the patched kernel has CPUs runs the IPI micro workload
# (membarrier expedited) for 5 s with the series off, then on. Its spin
# waits must become pause-loop exits that reach kvm_vcpu_on_spin(), and
# with the series on, some must yield to the receiver of the guest's IPI.
# Needs the QEMU with the emulated pause filter (make qemu) under TCG.
# Runs on the time-faithful host with 4 CPUs (CLOCK=icount, docs/icount.md)
# unless CLOCK=wall, then with this machine's CPUs. `make check` runs it
# last. About 4 min warm.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/prepare.sh"
out=$BUILD/nested-pause
rm -rf "$out"
mkdir -p "$out"
export CLOCK=${CLOCK:-icount}
if [ "$CLOCK" = icount ]; then cpus=${CPUS:-4}; else cpus=${CPUS:-$(nproc)}; fi
vcpus=$((2 * cpus))
say "a nested Linux guest of $vcpus vCPUs on the $cpus CPUs of the patched kernel (CLOCK=$CLOCK), IPI load, series off then on"
rc=0
"$TOP/scripts/vm-run.sh" --cpus "$cpus" --out "$out" --timeout 1500 --mem 3G -- \
	env QEMU=qemu-system-x86_64 "$TOP/scripts/guest-bench-overcommit.sh" \
	--out "$out/run" --vms 1 --vcpus "$vcpus" --workloads ipi \
	--configs "baseline full" --reps 1 --secs 5 --append "lapic=notscdeadline" || rc=$?
[ "$rc" = 0 ] || die "the run stopped (exit $rc): see $out/console.log and $out/run/"
# runs.csv (scripts/guest-bench-overcommit.sh), read by column name.
# shellcheck disable=SC2016 # an awk program
csv_by_name='NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	function v(name) { return (name in col) ? $col[name] : 0 }'
awk -F, "$csv_by_name"'
	{ printf "%-8s %s %s, spin exits %d, yields: IPI receiver %d, preempted %d, woken %d, user mode %d, untiered %d, none %d\n",
		v("config"), v("rate"), v("unit"), v("spin_exits"), v("yield_ipi_receiver"),
		v("yield_preempted"), v("yield_woken"), v("yield_user"), v("yield_untiered"), v("yield_failed") }' "$out/run/runs.csv"
base=$(awk -F, "$csv_by_name"' v("config") == "baseline" { print v("spin_exits") }' "$out/run/runs.csv")
read -r full recv < <(awk -F, "$csv_by_name"' v("config") == "full" { print v("spin_exits"), v("yield_ipi_receiver") }' "$out/run/runs.csv") || true
[ "${base:-0}" -gt 0 ] || die "no spin exits with the series off: pause-loop exits do not reach KVM (is kvm_amd.pause_filter_count 0?)"
[ "${full:-0}" -gt 0 ] || die "no spin exits with the series on"
[ "${recv:-0}" -gt 0 ] || die "with the series on, no spin exit yielded to an IPI receiver"
say "ok: pause-loop exits from an unmodified Linux guest reach directed yield ($base off; $full on, $recv to IPI receivers)"
