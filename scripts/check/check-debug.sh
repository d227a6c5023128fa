#!/usr/bin/env bash
# `make check-debug` / `make check-kcsan`: build a debug variant of the
# patched kernel, boot it, run the series' selftests (the stress test for
# STRESS_SECS per part, default 600) and the existing KVM selftests that
# make check runs; then fail on any report in its kernel log (lockdep,
# KASAN, UBSAN, KCSAN, BUG, WARNING). Variants:
#   debug  config/kernel-debug.config (lockdep, KASAN, UBSAN, atomic-sleep
#          and list checks) into build/obj-debug
#   kcsan  config/kernel-kcsan.config (KCSAN, which excludes KASAN) into
#          build/obj-kcsan
# Results (TAP) in build/check-VARIANT/results.tsv. Cold build: a full
# kernel build (every object is instrumented); the guest runs several times
# slower.
#   scripts/check/check-debug.sh [debug|kcsan]
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

variant=${1:-debug}
case "$variant" in
debug | kcsan) ;;
*) die "unknown variant '$variant': debug or kcsan" ;;
esac
stress_secs=${STRESS_SECS:-600}
export RESULTS=$BUILD/check-$variant/results.tsv
rm -rf "$BUILD/check-$variant"
mkdir -p "$BUILD/check-$variant"
debug_obj=$BUILD/obj-$variant

"$TOP/scripts/source/deps.sh"
"$TOP/scripts/source/tree.sh"
OBJ=$debug_obj EXTRA_CONFIG=$TOP/config/kernel-$variant.config "$TOP/scripts/compile/kernel.sh" ||
	die "the $variant kernel did not build"
"$TOP/scripts/compile/qemu.sh"
"$TOP/scripts/compile/selftests.sh"

vm=$BUILD/check-$variant/vm
mkdir -p "$vm"
rc=0
say "booting the $variant kernel: series selftests (stress: 2 x ${stress_secs}s) and existing KVM selftests"
# Single-threaded TCG (TCG_THREAD overrides), as for make check's stress
# boot (see scripts/check/check-guest.sh).
TCG_THREAD=${TCG_THREAD:-single} guest_run "$vm" "$variant kernel: " \
	--kernel "$debug_obj/arch/x86/boot/bzImage" --timeout $((3600 + 6 * stress_secs)) -- \
	env STRESS_SECS="$stress_secs" \
	"$TOP/scripts/guest/run-selftests.sh" "$SELFTESTS_DIR/kvm" "$vm/logs" || rc=$?
[ "$rc" = 0 ] || result fail "$variant kernel: boots and runs the tests to the end" \
	"vm/vm.sh exited $rc; console: $vm/console.log" "$(tail -n 15 "$vm/console.log")"
# KCSAN reports are sorted first: 6.12 has data races of its own (KVM's
# vcpu->mode and interrupt delivery, timekeeping) that any KVM load shows.
# A report that involves a function the series adds or changes fails the
# check, unless config/kcsan-base-races.txt shows its accesses to be 6.12
# code all the same; the base kernel's are listed in
# build/check-kcsan/kcsan.tsv.
if [ "$variant" = kcsan ]; then
	tsv=$BUILD/check-kcsan/kcsan.tsv
	if "$TOP/scripts/check/triage-kcsan.py" "$vm/console.log" "$TREE" "$(base_commit)" \
		"$TOP/config/kcsan-base-races.txt" >"$tsv"; then
		result ok "kcsan kernel: no KCSAN report in code the series adds or changes ($(wc -l <"$tsv") of the base kernel's own: $tsv)"
	else
		result fail "kcsan kernel: no KCSAN report in code the series adds or changes" "$(cat "$tsv")"
	fi
	[ ! -s "$tsv" ] || sed 's/^/    /' "$tsv" >&2
fi
# On the KCSAN kernel its reports were sorted above.
skip='^$'
[ "$variant" != kcsan ] || skip='KCSAN'
found=$(splats "$vm/console.log" | grep -vE "$skip" || true)
what="no lockdep, KASAN, UBSAN, BUG or WARNING report in its log"
if [ -z "$found" ]; then
	result ok "$variant kernel: $what"
else
	result fail "$variant kernel: $what" "$(head -n 60 <<<"$found")"
fi
exec "$TOP/scripts/check/report-results.sh"
