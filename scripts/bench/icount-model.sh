#!/usr/bin/env bash
# `make icount-model`: measure the time-faithful host's model (docs/icount.md)
# in its own virtual time, one boot per setting, under CLOCK=icount:
#   - a guest exit round trip (bench/exit_cost: CPUID exits handled by KVM)
#     with no world-switch charge and with SVM_SWITCH_NS;
#   - how long a CPU waits for another running one (bench/xcpu_pingpong),
#     with unbounded turns (quantum 0) and with ICOUNT_QUANTUM_NS;
#   - that an injected interrupt is taken once (tests/qemu/inject_once).
# Prints one line per measurement; the logs stay in build/icount-model/.
#
#   scripts/bench/icount-model.sh [--help]
# Environment: ICOUNT_SHIFT, ICOUNT_QUANTUM_NS, SVM_SWITCH_NS as for
# scripts/vm/vm.sh (defaults in scripts/lib/lib.sh), CPUS (default 4: the
# emulated host's CPUs).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ $# = 0 ] || die "usage: $0 [--help]"

"$TOP/scripts/compile/prepare.sh"

out=$BUILD/icount-model
rm -rf "$out"
mkdir -p "$out"
cpus=${CPUS:-4}

# boot NAME VAR=VALUE... -- COMMAND: one boot under CLOCK=icount.
boot() {
	local name=$1 t0 rc=0
	shift
	local vars=()
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	say "$name (${vars[*]:-defaults})"
	t0=$(date +%s)
	env CLOCK=icount "${vars[@]}" "$TOP/scripts/vm/vm.sh" --cpus "$cpus" --out "$out/$name" \
		--timeout 1200 -- "$@" >"$out/$name.log" 2>&1 || rc=$?
	sed 's/^/    /' "$out/$name.log" | grep -vE '^    (run [0-9]+:|==>)' >&2 || true
	say "  (exit $rc, $(($(date +%s) - t0)) s of host time)"
	return "$rc"
}

b=$BENCH_DIR
boot exits-uncharged SVM_SWITCH_NS=0 -- "$b/exit_cost"
boot exits-charged SVM_SWITCH_NS="$SVM_SWITCH_NS" -- "$b/exit_cost"
boot handoff-unbounded ICOUNT_QUANTUM_NS=0 -- "$b/xcpu_pingpong" -n -t 1
boot handoff-quantum ICOUNT_QUANTUM_NS="$ICOUNT_QUANTUM_NS" -- "$b/xcpu_pingpong" -n -t 1
boot inject-once -- "$BENCH_DIR/tests/qemu/inject_once"
