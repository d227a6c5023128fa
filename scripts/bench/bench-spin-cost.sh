#!/usr/bin/env bash
# `make bench-spin-cost`: what the directed-yield search costs on the spin
# path. Boots the patched kernel on the time-faithful host (CLOCK=icount,
# 4 CPUs) and, for each VM size, counts the searches per second of one
# spinning vCPU (HvNotifyLongSpinWait in a loop) with the other vCPUs idle
# (halted) and busy (preempted in kernel mode on another CPU), with
# kvm.ipi_aware_yield off and on in alternating intervals of one VM. Output
# is kept in build/bench/spin-cost-<date>.txt.
#   SIZES="8 64 300" REPS=5 SECS=0.5 scripts/bench/bench-spin-cost.sh
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ $# = 0 ] || die "usage: $0 (settings through SIZES, REPS, SECS; see --help)"

sizes=${SIZES:-8 64 300} reps=${REPS:-5} secs=${SECS:-0.5}
"$TOP/scripts/compile/prepare.sh"

log=$BENCH_DIR/spin-cost-$(date -u +%Y%m%dT%H%M%SZ).txt
say "spin-path cost: VMs of $sizes vCPUs, peers idle and busy, $reps pairs of ${secs} s (off/on alternating)"
cmds="echo \"# kernel \$(uname -r), \$(nproc) CPUs (CLOCK=icount)\""
for n in $sizes; do
	for mode in idle busy; do
		cmds+=" && '$BENCH_DIR/spin_cost_bench' -n $n -m $mode -r $reps -t $secs"
	done
done
CLOCK=icount "$TOP/scripts/vm/vm.sh" --cpus 4 --timeout 3000 -- bash -c "$cmds" | tee "$log"
say "kept in ${log#"$TOP"/}"
