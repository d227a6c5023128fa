#!/usr/bin/env bash
# `make check`: install what is missing, bring build/linux to patches/, and
# test everything, printing TAP as it goes and closing with
# "N passed, N failed, N skipped". Exits non-zero on any failure.
# shellcheck source=lib/lib.sh
. "$(dirname "$0")/lib/lib.sh"

[ "$BASE" = 6.12 ] || die "make check checks both bases itself (7.3 in its stage 9): run it without BASE"
export RESULTS=$BUILD/check/results.tsv
rm -rf "$BUILD/check"
mkdir -p "$BUILD/check"
start=$(date +%s)
finish() {
	say "make check took $(($(date +%s) - start)) s"
	exec "$TOP/scripts/check/report-results.sh"
}

say "[1/9] packages"
"$TOP/scripts/source/deps.sh" bench

say "[2/9] harness scripts (shellcheck)"
if out=$(cd "$TOP" && shellcheck -x scripts/*.sh scripts/*/*.sh tests/*.sh .ci/run 2>&1); then
	result ok "shellcheck: harness scripts"
else
	result fail "shellcheck: harness scripts" "$out"
fi
say "      and the KTAP parser reads its fixtures (tests/ktap/)"
"$TOP/tests/ktap-parser.sh" ||
	result fail "harness: KTAP parser self-test ran" "tests/ktap-parser.sh stopped early (see above)"

say "[3/9] build/linux = pinned base + patches/"
result_of "series: patches/ applies to $SOURCE_PACKAGE $SOURCE_VERSION (fuzz 0)" \
	"$TOP/scripts/source/tree.sh" || finish
result_of "series: round trip patches/ <-> commits" "$TOP/scripts/source/roundtrip.sh" || true

say "[4/9] the tip: full kernel build (KVM_WERROR=y)"
if "$TOP/scripts/compile/kernel.sh"; then
	result ok "build: kernel at the tip of the series"
else
	result fail "build: kernel at the tip of the series" "$(tail -n 20 "$OBJ/build.log")"
	finish
fi

say "[5/9] QEMU with patches-qemu/ (emulated SVM pause filter), for the guest"
if out=$("$TOP/scripts/compile/qemu.sh" 2>&1); then
	result ok "build: QEMU $(grep -m1 -o 'version [^ ]*' <<<"$out") with patches-qemu/ (pause filter)"
else
	result fail "build: QEMU with patches-qemu/ (pause filter)" "$(tail -n 20 <<<"$out")"
fi

say "[6/9] each patch: checkpatch --strict, builds on its own"
"$TOP/scripts/check/series-check.sh" ||
	result fail "series: per-patch checks ran" "scripts/check/series-check.sh stopped early (see above)"
say "      and the harness rejects a damaged series, naming the patch"
"$TOP/tests/series-damage.sh" ||
	result fail "harness: damaged-series self-test ran" "tests/series-damage.sh stopped early (see above)"

say "[7/9] KVM selftests and benchmarks build"
if "$TOP/scripts/compile/selftests.sh"; then
	result ok "build: KVM selftests"
else
	result fail "build: KVM selftests" "$(tail -n 20 "$SELFTESTS_DIR/kvm/build.log")"
	finish
fi
result_of "build: benchmarks in bench/" "$TOP/scripts/compile/bench.sh" || true
say "      and the overcommit benchmark's workloads and summary (natively)"
"$TOP/tests/bench-tools.sh" ||
	result fail "bench: workload and summary self-test ran" "tests/bench-tools.sh stopped early (see above)"

say "[8/9] boot the patched kernel: KUnit, KVM selftests, nested guest"
"$TOP/scripts/check/check-guest.sh" ||
	result fail "guest: the guest stage ran" "scripts/check/check-guest.sh stopped early (see above)"

say "[9/9] the mainline port (BASE=7.3): patches-7.3/{kvm,sched}/, its kernel, checkpatch, one boot"
"$TOP/scripts/check/check-mainline.sh" ||
	result fail "7.3: the mainline stage ran" "scripts/check/check-mainline.sh stopped early (see above)"

finish
