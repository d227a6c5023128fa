#!/usr/bin/env bash
# The guest stage of `make check`, on the time-faithful host: one boot runs
# KUnit and the KVM selftests, a second the stress, isolation and QEMU
# regression tests, then a nested Linux guest's pause-loop exits are
# checked. Each result is recorded in $RESULTS and printed as TAP.
# `make check-guest` is the inner loop: --alone brings everything up to
# date first (scripts/compile/prepare.sh), keeps its results in build/check-guest/
# and ends with the summary (9 min warm here: 121 results).
#   scripts/check/check-guest.sh [--alone]
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

if stage_alone check-guest "$@"; then
	"$TOP/scripts/compile/prepare.sh"
fi
dir=$(dirname "$RESULTS")
mkdir -p "$dir"

# Every boot runs on the time-faithful host (CLOCK=icount, docs/icount.md):
# one TCG thread, guest time counted in instructions, so what the tests
# measure (CPU shares, which task runs next, timer rates) does not depend
# on what else the machine runs. Under wall-clock emulation on a loaded
# machine (three emulators on 2 cores) yield_to_target_test measured 90.5 %
# for its 95 % threshold; on icount, under the same load, the 26 selftests
# and 89 KUnit cases of this boot passed in 174 s.
say "boot the patched kernel: KUnit, KVM selftests"
guest_boot "$dir/vm" 3000 "" kunit.enable=1 STRESS=skip

# The stress and isolation tests of the series, and the regression tests of
# patches-qemu/, in a boot of their own (under thread=multi one isolation
# measurement in 14 was disturbed; icount removes the host's scheduling
# from it).
say "      and the stress, isolation and QEMU regression tests, on the icount host"
guest_boot "$dir/vm-icount" 1200 " (icount boot)" "" STRESS=only QEMU_TESTS="$BENCH_DIR/tests/qemu"

# The headline path with a real guest: an unmodified Linux guest (this
# kernel, Debian's QEMU with -accel kvm) with twice as many vCPUs as the
# patched kernel has CPUs, on the icount host; its pause-loop exits must
# reach directed yield, and with the series on some must yield to IPI
# receivers (about 4 min).
say "      and a nested Linux guest's pause-loop exits on the icount host (make nested-pause)"
if out=$("$TOP/scripts/check/nested-pause.sh" 2>&1); then
	result ok "nested Linux guest: pause-loop exits reach directed yield" "$(tail -n 3 <<<"$out")"
else
	result fail "nested Linux guest: pause-loop exits reach directed yield" "$(tail -n 15 <<<"$out")"
fi
