#!/usr/bin/env bash
# `make nested-pause`: an unmodified Linux guest (this kernel, under Debian's
# QEMU with -accel kvm inside the patched kernel) with twice as many vCPUs
# as the patched kernel has CPUs runs the IPI micro workload
# (membarrier expedited) for 5 s with the series off, then on. It must
# boot once with no BUG, WARNING or Oops in its kernel log; its spin
# waits must become pause-loop exits that reach kvm_vcpu_on_spin(), and
# with the series on, some must yield to the receiver of the guest's IPI.
# Needs the QEMU with the emulated pause filter (make qemu) under TCG.
# Runs on the time-faithful host with 4 CPUs (CLOCK=icount, docs/icount.md)
# unless CLOCK=wall, then with this machine's CPUs. `make check` runs it
# last. About 3 min warm.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

"$TOP/scripts/compile/prepare.sh"
out=$BUILD/nested-pause
rm -rf "$out"
mkdir -p "$out"
export CLOCK=${CLOCK:-icount}
if [ "$CLOCK" = icount ]; then cpus=${CPUS:-4}; else cpus=${CPUS:-$(nproc)}; fi
vcpus=$((2 * cpus))
say "a nested Linux guest of $vcpus vCPUs on the $cpus CPUs of the patched kernel (CLOCK=$CLOCK), IPI load, series off then on"
rc=0
"$TOP/scripts/vm/vm.sh" --cpus "$cpus" --out "$out" --timeout 1500 --mem 3G -- \
	env QEMU=qemu-system-x86_64 "$TOP/scripts/guest/overcommit.sh" \
	--out "$out/run" --vms 1 --vcpus "$vcpus" --workloads ipi \
	--configs "baseline full" --reps 1 --secs 5 --append "lapic=notscdeadline" || rc=$?
[ "$rc" = 0 ] || die "the run stopped (exit $rc): see $out/console.log and $out/run/"
problems=$(nested_guest_problems "$out/run")
[ -z "$problems" ] || die "the nested guest (consoles under $out/run/vms1/): $problems"
csv=$out/run/runs.csv
while read -r config rate unit spins recv pre woken user untiered none; do
	printf '%-8s %s %s, spin exits %d, yields: IPI receiver %d, preempted %d, woken %d, user mode %d, untiered %d, none %d\n' \
		"$config" "$rate" "$unit" "$spins" "$recv" "$pre" "$woken" "$user" "$untiered" "$none"
done < <(csv_select "$csv" 1 config rate unit spin_exits yield_ipi_receiver yield_preempted \
	yield_woken yield_user yield_untiered yield_failed)
read -r base < <(csv_select "$csv" 'v("config") == "baseline"' spin_exits) || true
read -r full recv < <(csv_select "$csv" 'v("config") == "full"' spin_exits yield_ipi_receiver) || true
[ "${base:-0}" -gt 0 ] || die "no spin exits with the series off: pause-loop exits do not reach KVM (is kvm_amd.pause_filter_count 0?)"
[ "${full:-0}" -gt 0 ] || die "no spin exits with the series on"
[ "${recv:-0}" -gt 0 ] || die "with the series on, no spin exit yielded to an IPI receiver"
say "ok: pause-loop exits from an unmodified Linux guest reach directed yield ($base off; $full on, $recv to IPI receivers)"
