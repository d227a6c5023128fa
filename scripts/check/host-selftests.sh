#!/usr/bin/env bash
# The series' KVM selftests on a real host booted into make deb's package
# (docs/host.md), with the host's own KVM: on an Intel host, the way to run
# kvm_intel's side of the series (the runner here emulates an AMD CPU).
# Both switches (kvm.ipi_aware_yield, YIELD_TO_HANDOFF) are on for the
# tests; each test whose switch can be held off runs a second time with it
# held off and must then fail an assertion. When it stops, both are set
# back to what they were: they are system-wide, so run it on an idle host.
# The stress tests (nested guests exiting as fast as they can) are left
# out. A test that cannot run on this host skips and says why (on Intel,
# pause_filter_yield_test needs kvm_amd's pause filter, and
# ipi_aware_yield_test KVM's emulated local APIC: kvm_intel
# enable_apicv=0); SERIES_SKIP=fail makes a skip a failure, as in make
# check. Builds what the benchmark builds first (scripts/compile/prepare.sh
# --host: the harness's kernel, selftests, workloads). Run it with the
# base of the running kernel (BASE=7.3 for a 7.3 package).
# Prints TAP and a summary; exit status 1 when a test failed.
#   scripts/check/host-selftests.sh [--out DIR]
# Results: DIR/results.tsv, metadata.txt and logs/; DIR by default
# build/host-selftests (BASE=7.3: build/host-selftests-7.3).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

out=$BUILD/host-selftests$BASE_SUFFIX
while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift 2 ;;
	*) die "unknown argument $1 (see $0 --help)" ;;
	esac
done
[ "$(id -u)" = 0 ] || die "the selftests need /dev/kvm and flip KVM's parameter and the scheduler's feature: run it as root (sudo make host-selftests)"
case "$(uname -r)" in
"$BASE".*) ;;
*) die "the running kernel is $(uname -r), the selftests would be $BASE's: run it with that kernel's base (BASE=7.3 make host-selftests for a 7.3 package)" ;;
esac
require_series_host
vendor=$(grep -m1 -ow 'vmx\|svm' /proc/cpuinfo)
param=/sys/module/kvm/parameters/ipi_aware_yield
features=/sys/kernel/debug/sched/features
grep -qwE '(NO_)?YIELD_TO_HANDOFF' "$features" ||
	die "$features has no YIELD_TO_HANDOFF: the running kernel ($(uname -r)) is not make deb's"

"$TOP/scripts/compile/prepare.sh" --host

rm -rf "$out"
mkdir -p "$out"
export RESULTS=$out/results.tsv
was_param=$(cat "$param")
was_feature=$(grep -ow 'NO_YIELD_TO_HANDOFF\|YIELD_TO_HANDOFF' "$features")
restore() {
	echo "$was_param" >"$param" || warn "could not set kvm.ipi_aware_yield back to $was_param"
	echo "$was_feature" >"$features" || warn "could not set the scheduler feature back to $was_feature"
}
trap restore EXIT
echo Y >"$param"
echo YIELD_TO_HANDOFF >"$features"
say "the series' KVM selftests on $(uname -r) ($vendor, $(nproc) CPUs); logs: ${out#"$TOP"/}/logs"
# The held-off runs bind files over the switches: in a mount namespace of
# their own, so that nothing stays bound if this stops half-way.
unshare -m --propagation private \
	env SELFTESTS=series STRESS=skip SERIES_SKIP="${SERIES_SKIP:-report}" \
	"$TOP/scripts/guest/run-selftests.sh" "$SELFTESTS_DIR/kvm" "$out/logs"
{
	echo "kernel: $(uname -r)"
	echo "series: $(git -C "$TOP" rev-parse --short HEAD) (BASE=$BASE)"
	echo "cpu: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') ($vendor)"
	echo "kvm.ipi_aware_yield before: $was_param; sched feature before: $was_feature"
} >"$out/metadata.txt"
"$TOP/scripts/check/report-results.sh"
