#!/usr/bin/env bash
# Runs inside a kernel from the Debian package (scripts/check/deb-check.sh boots
# it under scripts/vm/vm.sh with the package's own modules): the release
# is the package's, KVM loads as modules, the series' knobs work with them
# (kvm's module parameters at load time and at run time, the scheduler
# feature), and the series' KVM selftests pass as make host-selftests runs
# them, each with its switch held off failing as it must. One result line
# each into RESULTS.
#   scripts/guest/deb.sh RELEASE SELFTEST_DIR LOGDIR
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ $# = 3 ] || die "usage: $0 RELEASE SELFTEST_DIR LOGDIR"
release=$1 dir=$2 logs=$3
mkdir -p "$logs"
param=/sys/module/kvm/parameters/ipi_aware_yield

name="deb: the booted kernel is the package's ($release)"
if [ "$(uname -r)" = "$release" ]; then result ok "$name"; else result fail "$name" "uname -r: $(uname -r)"; fi

loaded() { grep -q "^$1 " /proc/modules; }

name="deb: kvm and kvm_amd load as modules from the package"
if modprobe kvm_amd >"$logs/modprobe.log" 2>&1 && loaded kvm && loaded kvm_amd && [ -c /dev/kvm ]; then
	result ok "$name ($(modinfo -F filename kvm_amd))"
else
	result fail "$name" "$(cat "$logs/modprobe.log")" "$(grep -E 'kvm|svm' /proc/modules)"
fi

name="deb: kvm.ipi_aware_yield is on by default and set at run time"
if [ "$(cat "$param" 2>/dev/null)" = Y ] && echo N >"$param" && [ "$(cat "$param")" = N ] &&
	echo Y >"$param" && [ "$(cat "$param")" = Y ]; then
	result ok "$name"
else
	result fail "$name" "$param: $(cat "$param" 2>&1)"
fi

# Given to modprobe, the parameter holds from the module's first load;
# unloading and loading again brings the default back.
name="deb: kvm.ipi_aware_yield=N given to modprobe holds, and kvm unloads and loads again"
got=$({
	modprobe -r kvm_amd kvm && modprobe kvm ipi_aware_yield=N && cat "$param" &&
		modprobe -r kvm && modprobe kvm_amd && cat "$param"
} 2>&1 | tr '\n' ' ')
if [ "$got" = "N Y " ] && loaded kvm_amd; then
	result ok "$name"
else
	result fail "$name" "read back: '$got' (expected 'N Y ')"
fi

name="deb: the scheduler feature YIELD_TO_HANDOFF is there and on"
if grep -qw YIELD_TO_HANDOFF /sys/kernel/debug/sched/features; then
	result ok "$name"
else
	result fail "$name" "/sys/kernel/debug/sched/features: $(cat /sys/kernel/debug/sched/features 2>&1)"
fi

# The series' selftests as a host runs them (make host-selftests: not the
# nested-guest stress tests; the held-off checks of
# guest/run-selftests.sh). It turns both switches on for the tests and
# must leave them as it found them: both off here.
features=/sys/kernel/debug/sched/features
echo N >"$param"
echo NO_YIELD_TO_HANDOFF >"$features"
BASE=$(cut -d. -f1,2 <<<"$release") SERIES_SKIP=fail SELFTESTS_DIR=$(dirname "$dir") \
	"$TOP/scripts/check/host-selftests.sh" --out "$logs/host-selftests" \
	>"$logs/host-selftests.out" 2>&1 || true
if [ -s "$logs/host-selftests/results.tsv" ]; then
	cat "$logs/host-selftests/results.tsv" >>"$RESULTS"
else
	result fail "deb: make host-selftests runs the series' selftests" "$(tail -n 5 "$logs/host-selftests.out")"
fi
name="deb: make host-selftests sets kvm.ipi_aware_yield and YIELD_TO_HANDOFF back as it found them"
got="$(cat "$param") $(grep -ow 'NO_YIELD_TO_HANDOFF\|YIELD_TO_HANDOFF' "$features" || true)"
if [ "$got" = "N NO_YIELD_TO_HANDOFF" ]; then
	result ok "$name"
else
	result fail "$name" "after it: $got, before: N NO_YIELD_TO_HANDOFF"
fi
echo Y >"$param"
echo YIELD_TO_HANDOFF >"$features"
