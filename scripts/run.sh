#!/usr/bin/env bash
# `make run`: build what is missing, print what the series changes, boot
# the patched kernel and run the demonstration inside it; then the short
# form of the overcommit benchmark (scripts/bench/bench-overcommit.sh --quick,
# 12-18 min), which ends with its table. QUICK_BENCH=0 skips it.
# shellcheck source=lib/lib.sh
. "$(dirname "$0")/lib/lib.sh"

"$TOP/scripts/compile/prepare.sh"

base=$(base_commit)
say "the series on $SOURCE_PACKAGE $SOURCE_VERSION:"
if [ "$(git -C "$TREE" rev-parse HEAD)" = "$base" ]; then
	echo "    (no patches yet: the kernel below is the unmodified base)"
else
	git -C "$TREE" log --reverse --format='    %s' "$base..HEAD"
	git -C "$TREE" diff --stat=72 "$base" HEAD | sed 's/^/   /'
fi
# On the time-faithful host, as make check's boots: the series' scheduler
# tests compare CPU shares within 2 %, which wall-clock emulation, with
# its clocks out of scale, does not hold to (CLOCK=wall to see it anyway).
say "booting the patched kernel under QEMU (CLOCK=${CLOCK:-icount})"
CLOCK=${CLOCK:-icount} "$TOP/scripts/vm/vm.sh" --timeout 900 -- \
	"$TOP/scripts/guest/demo.sh" "$SELFTESTS_DIR/kvm" "$BENCH_DIR"
[ "${QUICK_BENCH:-1}" = 1 ] || exit 0
say "overcommit benchmark, short form: 1 and 2 nested Linux guests, baseline vs full (12-18 min)"
exec "$TOP/scripts/bench/bench-overcommit.sh" --quick
