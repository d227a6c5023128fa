#!/usr/bin/env bash
# Runs inside the patched kernel (scripts/vm/vm.sh): every KVM selftest of
# build/selftests/kvm with kselftest's 120 s limit, one result line each into
# RESULTS, each test's output into LOGDIR.
# Exit codes of a selftest: 0 pass, 4 skip (KSFT_SKIP), anything else fail.
# A test the series adds must not skip: a skip is a failure there, unless
# SERIES_SKIP=report (a real host, make host-selftests: a test may need the
# other vendor's parameters or KVM's emulated local APIC), and then the
# test's held-off runs are left out too.
# SELFTESTS=existing runs only config/selftests.list (e.g. on the base),
# SELFTESTS=series only the series' own tests.
# STRESS_SECS: how long each part of a stress test of the series
# (*_stress_test, -s) runs; default 10, the debug kernels' checks run 600.
# STRESS=skip leaves out the tests that keep nested guests exiting on every
# CPU as fast as they can (the stress test, the isolation test), STRESS=only
# runs nothing else: make check runs them in a boot of their own, on the
# time-faithful host (CLOCK=icount, see scripts/check/check-guest.sh). QEMU_TESTS=DIR also runs
# the regression tests of patches-qemu/ built there (tests/qemu/*.c).
#   scripts/guest/run-selftests.sh SELFTEST_DIR LOGDIR
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

dir=$1 logs=$2
mkdir -p "$logs"
modprobe -q kvm_amd 2>/dev/null || modprobe -q kvm_intel 2>/dev/null || true
[ -c /dev/kvm ] || { result fail "kvm: /dev/kvm present in the patched kernel" \
	"no /dev/kvm: KVM did not initialise (see the console log)"; exit 0; }

stress_secs=${STRESS_SECS:-10}

# run_one KIND TEST [ARGS...]; KIND: series, existing, or timing (one retry).
# LIMIT: seconds the test may take (default 120, kselftest's); KIND_NAME:
# what the result calls it (default "kvm selftest"). Sets last_rc to the
# test's exit code.
run_one() {
	local kind=$1 t=$2 name rc=0 start secs note="" limit=${LIMIT:-120}
	shift 2
	name="${KIND_NAME:-kvm selftest}: $t${*:+ $*}"
	start=$(date +%s)
	timeout -k 5 "$limit" "$dir/$t" "$@" >"$logs/${t//\//_}.log" 2>&1 || rc=$?
	if [ "$kind" = timing ] && [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		mv "$logs/${t//\//_}.log" "$logs/${t//\//_}.try1.log"
		note="passed on its retry: first try exited $rc"
		rc=0
		timeout -k 5 "$limit" "$dir/$t" "$@" >"$logs/${t//\//_}.log" 2>&1 || rc=$?
	fi
	secs=$(($(date +%s) - start))
	last_rc=$rc
	case "$rc" in
	0) result --secs "$secs" ok "$name" "$note" ;;
	4)
		if [ "$kind" = series ] && [ "${SERIES_SKIP:-fail}" != report ]; then
			result fail "$name" "skipped, but tests of the series must run here:" \
				"$(tail -n 5 "$logs/${t//\//_}.log")"
		else
			result skip "$name" "$(grep -m1 -iE 'skip|requirement' "$logs/${t//\//_}.log")"
		fi
		;;
	124 | 137) result --secs "$secs" fail "$name" "timed out after $limit s:" "$(tail -n 10 "$logs/${t//\//_}.log")" ;;
	*) result --secs "$secs" fail "$name" "exit code $rc:" "$(tail -n 15 "$logs/${t//\//_}.log")" ;;
	esac
}

# held_off_fails TEST SWITCH FILE OFF ON HELD: a series test must notice
# its switch held off: FILE is written OFF and a file holding HELD is bound
# over it, so that the test's writes do not reach the kernel; the test must
# fail an assertion. FILE is ON again afterwards.
#  - kvm.ipi_aware_yield, for a test that drives it (the parameter held at N);
#  - YIELD_TO_HANDOFF, for the test of what it does (the target of a
#    directed yield runs next; sched/features still names it). The tests of
#    fairness and latency compare it on and off, and would pass.
held_off_fails() {
	local t=$1 switch=$2 file=$3 off=$4 on=$5 text=$6
	local name="kvm selftest: $t fails with $switch held off"
	local log="$logs/${t//\//_}.${switch//./_}-off.log" held rc=0
	held=$(mktemp)
	printf '%s\n' "$text" >"$held"
	echo "$off" >"$file"
	mount --bind "$held" "$file" || {
		echo "$on" >"$file"
		result fail "$name" "could not bind a file over $file"
		return
	}
	timeout -k 5 120 "$dir/$t" >"$log" 2>&1 || rc=$?
	umount "$file"
	echo "$on" >"$file"
	if [ "$rc" != 0 ] && [ "$rc" != 4 ] && grep -q 'Test Assertion Failure' "$log"; then
		result ok "$name" "exit $rc: $(grep -v '^[[:space:]]*$' "$log" | tail -n 1 | sed 's/^ *//')"
	else
		result fail "$name" "exit code $rc, expected an assertion failure:" "$(tail -n 5 "$log")"
	fi
}

while [ "${SELFTESTS:-all}" != existing ] && read -r t; do
	[ -n "$t" ] || continue
	case "$t" in
	*_stress_test)
		[ "${STRESS:-run}" != skip ] || continue
		# Two parts of STRESS_SECS each, the rest is VM set-up; it flips
		# kvm.ipi_aware_yield itself and checks robustness, not the
		# switch's effect: no switched-off run.
		LIMIT=$((120 + 3 * stress_secs)) run_one series "$t" -s "$stress_secs"
		continue
		;;
	*/yield_isolation_test) [ "${STRESS:-run}" != skip ] || continue ;;
	*) [ "${STRESS:-run}" != only ] || continue ;;
	esac
	run_one series "$t"
	[ "$last_rc" != 4 ] || [ "${SERIES_SKIP:-fail}" != report ] || continue
	if [ -w /sys/module/kvm/parameters/ipi_aware_yield ] &&
		grep -q ipi_aware_yield "$dir/$t"; then
		held_off_fails "$t" kvm.ipi_aware_yield \
			/sys/module/kvm/parameters/ipi_aware_yield N Y N
	fi
	case "$t" in
	*/yield_to_target_test)
		features=/sys/kernel/debug/sched/features
		held_off_fails "$t" YIELD_TO_HANDOFF "$features" \
			NO_YIELD_TO_HANDOFF YIELD_TO_HANDOFF "$(cat "$features")"
		;;
	esac
done <"$dir/series-tests"
if [ -n "${QEMU_TESTS:-}" ]; then
	for t in "$QEMU_TESTS"/*; do
		if [ -f "$t" ] && [ -x "$t" ]; then
			dir=$QEMU_TESTS KIND_NAME="qemu regression test" run_one series "$(basename "$t")"
		fi
	done
fi
[ "${STRESS:-run}" != only ] && [ "${SELFTESTS:-all}" != series ] || exit 0
while read -r t args; do
	kind=existing
	case "$t" in "~"*) kind=timing t=${t#\~} ;; esac
	# The list names the 6.12 folder; since 6.15 the x86 tests are in x86/.
	case "$t" in x86_64/*) [ -e "$dir/$t" ] || t=x86/${t#x86_64/} ;; esac
	# shellcheck disable=SC2086 # the list's arguments are words
	run_one "$kind" "$t" $args
done < <(grep -vE '^[[:space:]]*(#|$)' "$TOP/config/selftests.list")
