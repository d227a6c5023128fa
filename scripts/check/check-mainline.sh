#!/usr/bin/env bash
# make check's stage for the mainline port (BASE=7.3): build/linux-7.3 =
# the pinned 7.3 base + the KVM series (patches-7.3/kvm/) + the scheduler
# series (patches-7.3/sched/), fuzz 0, the second also on the base alone,
# and the round trip; the kernel with KVM_WERROR=y, checkpatch --strict on
# each patch, the KVM selftests, and one boot on the time-faithful host:
# KUnit, the series' selftests (the scheduler's print their on/off figures;
# the KVM one also runs with its switch held off) and the existing ones of
# config/selftests.list. Results are named "7.3: ...". The per-patch
# builds (W=1, sparse, kernel-doc) are not in make check, for its time:
# 'BASE=7.3 make series-check'.
# `make check-mainline` runs this stage alone: --alone installs what is
# missing and builds QEMU first, keeps its results in build/check-mainline/
# and ends with the summary (10 min warm here), exiting non-zero on a
# failure.
#   scripts/check/check-mainline.sh [--alone]
[ "${BASE:-}" = 7.3 ] || BASE=7.3 exec "$0" "$@"
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

if stage_alone check-mainline "$@"; then
	"$TOP/scripts/source/deps.sh" bench
	"$TOP/scripts/compile/qemu.sh"
fi

applies="patches-7.3/kvm/ + sched/ apply to $SOURCE_PACKAGE $SOURCE_VERSION (fuzz 0)"
result_of "series: $applies" "$TOP/scripts/source/tree.sh" || exit 0
result_of "series: round trip patches-7.3/ <-> commits, sched/ alone on the base" \
	"$TOP/scripts/source/roundtrip.sh" || true

say "the 7.3 kernel (KVM_WERROR=y)"
if "$TOP/scripts/compile/kernel.sh"; then
	result ok "build: kernel at the tip of the series"
else
	result fail "build: kernel at the tip of the series" "$(tail -n 20 "$OBJ/build.log")"
	exit 0
fi

CHECKPATCH_ONLY=1 "$TOP/scripts/check/series-check.sh" ||
	result fail "series: checkpatch ran" "scripts/check/series-check.sh stopped early (see above)"

if "$TOP/scripts/compile/selftests.sh"; then
	result ok "build: KVM selftests"
else
	result fail "build: KVM selftests" "$(tail -n 20 "$SELFTESTS_DIR/kvm/build.log")"
	exit 0
fi

say "boot the 7.3 kernel: KUnit, KVM selftests"
guest_boot "$(dirname "$RESULTS")/vm-7.3" 1800 "" kunit.enable=1 STRESS=skip
