#!/usr/bin/env bash
# `make check`: install what is missing, bring build/linux to patches/, and
# test everything, printing TAP as it goes and closing with
# "N passed, N failed, N skipped". Exits non-zero on any failure.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

export RESULTS=$BUILD/check/results.tsv
rm -rf "$BUILD/check"
mkdir -p "$BUILD/check"
start=$(date +%s)
finish() {
	say "make check took $(($(date +%s) - start)) s"
	exec "$TOP/scripts/report-results.sh"
}

say "[1/8] packages"
"$TOP/scripts/install-deps.sh" bench

say "[2/8] harness scripts (shellcheck)"
if out=$(cd "$TOP" && shellcheck -x scripts/*.sh tests/*.sh .ci/run 2>&1); then
	result ok "shellcheck: harness scripts"
else
	result fail "shellcheck: harness scripts" "$out"
fi
say "      and the KTAP parser reads its fixtures (tests/ktap/)"
"$TOP/tests/ktap-parser.sh" ||
	result fail "harness: KTAP parser self-test ran" "tests/ktap-parser.sh stopped early (see above)"

say "[3/8] build/linux = pinned base + patches/"
if out=$("$TOP/scripts/sync-tree.sh" 2>&1); then
	result ok "series: patches/ applies to $SOURCE_PACKAGE $SOURCE_VERSION (fuzz 0)"
else
	result fail "series: patches/ applies to $SOURCE_PACKAGE $SOURCE_VERSION (fuzz 0)" "$out"
	finish
fi
if out=$("$TOP/scripts/check-roundtrip.sh" 2>&1); then
	result ok "series: round trip patches/ <-> commits"
else
	result fail "series: round trip patches/ <-> commits" "$out"
fi

say "[4/8] the tip: full kernel build (KVM_WERROR=y)"
if "$TOP/scripts/build-kernel.sh"; then
	result ok "build: kernel at the tip of the series"
else
	result fail "build: kernel at the tip of the series" "$(tail -n 20 "$OBJ/build.log")"
	finish
fi

say "[5/8] QEMU with patches-qemu/ (emulated SVM pause filter), for the guest"
if out=$("$TOP/scripts/build-qemu.sh" 2>&1); then
	result ok "build: QEMU $(grep -m1 -o 'version [^ ]*' <<<"$out") with patches-qemu/ (pause filter)"
else
	result fail "build: QEMU with patches-qemu/ (pause filter)" "$(tail -n 20 <<<"$out")"
fi

say "[6/8] each patch: checkpatch --strict, builds on its own"
"$TOP/scripts/check-series.sh" ||
	result fail "series: per-patch checks ran" "scripts/check-series.sh stopped early (see above)"
say "      and the harness rejects a damaged series, naming the patch"
"$TOP/tests/series-damage.sh" ||
	result fail "harness: damaged-series self-test ran" "tests/series-damage.sh stopped early (see above)"

say "[7/8] KVM selftests and benchmarks build"
if "$TOP/scripts/build-selftests.sh"; then
	result ok "build: KVM selftests"
else
	result fail "build: KVM selftests" "$(tail -n 20 "$SELFTESTS/kvm/build.log")"
	finish
fi
if out=$("$TOP/scripts/build-bench.sh" 2>&1); then
	result ok "build: benchmarks in bench/"
else
	result fail "build: benchmarks in bench/" "$out"
fi
say "      and the overcommit benchmark's workloads and summary (natively)"
"$TOP/tests/bench-tools.sh" ||
	result fail "bench: workload and summary self-test ran" "tests/bench-tools.sh stopped early (see above)"

# guest_results VMDIR VMRUN_RC SUFFIX: the results a boot wrote, whether it
# got to the end, and whether its kernel log is clean.
guest_results() {
	local dir=$1 rc=$2 sfx=$3 found
	if [ -f "$dir/results.tsv" ]; then
		while IFS=$'\t' read -r status name detail; do
			result "$status" "$name" "${detail//\\n/$'\n'}"
		done <"$dir/results.tsv"
	fi
	if [ "$rc" -ne 0 ]; then
		result fail "guest: boots and runs the tests to the end$sfx" \
			"vm-run exited $rc; console: $dir/console.log" "$(tail -n 15 "$dir/console.log")"
	fi
	found=$(splats "$dir/console.log")
	if [ -z "$found" ]; then
		result ok "guest: kernel log has no BUG/WARNING/Oops$sfx"
	else
		result fail "guest: kernel log has no BUG/WARNING/Oops$sfx" "$found"
	fi
}

# Every boot runs on the time-faithful host (CLOCK=icount, docs/icount.md):
# one TCG thread, guest time counted in instructions, so what the tests
# measure (CPU shares, which task runs next, timer rates) does not depend
# on what else the machine runs. Under wall-clock emulation on a loaded
# machine (three emulators on 2 cores) yield_to_target_test measured 90.5 %
# for its 95 % threshold; on icount, under the same load, the 26 selftests
# and 89 KUnit cases of this boot passed in 174 s.
say "[8/8] boot the patched kernel: KUnit, KVM selftests"
vm=$BUILD/check/vm
mkdir -p "$vm"
rc=0
CLOCK=icount "$TOP/scripts/vm-run.sh" --out "$vm" --timeout 3000 --append "kunit.enable=1" -- \
	env RESULTS="$vm/results.tsv" RESULTS_QUIET=1 STRESS=skip \
	"$TOP/scripts/guest-run-selftests.sh" "$SELFTESTS/kvm" "$vm/logs" || rc=$?
"$TOP/scripts/parse-kunit.sh" "$vm/console.log"
guest_results "$vm" "$rc" ""

# The stress and isolation tests of the series, and the regression tests of
# patches-qemu/, in a boot of their own (under thread=multi one isolation
# measurement in 14 was disturbed; icount removes the host's scheduling
# from it).
say "      and the stress, isolation and QEMU regression tests, on the icount host"
svm=$BUILD/check/vm-icount
mkdir -p "$svm"
rc=0
CLOCK=icount "$TOP/scripts/vm-run.sh" --out "$svm" --timeout 1200 -- \
	env RESULTS="$svm/results.tsv" RESULTS_QUIET=1 STRESS=only QEMU_TESTS="$BUILD/tests/qemu" \
	"$TOP/scripts/guest-run-selftests.sh" "$SELFTESTS/kvm" "$svm/logs" || rc=$?
guest_results "$svm" "$rc" " (icount boot)"

# The headline path with a real guest: an unmodified Linux guest (this
# kernel, Debian's QEMU with -accel kvm) with twice as many vCPUs as the
# patched kernel has CPUs, on the icount host; its pause-loop exits must
# reach directed yield, and with the series on some must yield to IPI
# receivers (about 4 min).
say "      and a nested Linux guest's pause-loop exits on the icount host (make nested-pause)"
if out=$("$TOP/scripts/check-nested-pause.sh" 2>&1); then
	result ok "nested Linux guest: pause-loop exits reach directed yield" "$(tail -n 3 <<<"$out")"
else
	result fail "nested Linux guest: pause-loop exits reach directed yield" "$(tail -n 15 <<<"$out")"
fi

finish
