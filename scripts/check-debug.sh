#!/usr/bin/env bash
# `make check-debug`: build the debug variant of the patched kernel
# (config/kernel-debug.config: lockdep, KASAN, UBSAN, atomic-sleep and list
# checks) into build/obj-debug, boot it and run the series' selftests and
# the existing KVM selftests that make check runs; then fail on any report
# in its kernel log (lockdep, KASAN, UBSAN, BUG, WARNING). Results (TAP) in
# build/check-debug/results.tsv. Cold build: a full kernel build (every
# object is instrumented); the guest runs several times slower.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

export RESULTS=$BUILD/check-debug/results.tsv
rm -rf "$BUILD/check-debug"
mkdir -p "$BUILD/check-debug"
debug_obj=$BUILD/obj-debug

"$TOP/scripts/install-deps.sh"
"$TOP/scripts/sync-tree.sh"
OBJ=$debug_obj EXTRA_CONFIG=$TOP/config/kernel-debug.config "$TOP/scripts/build-kernel.sh" ||
	die "the debug kernel did not build"
"$TOP/scripts/build-qemu.sh"
"$TOP/scripts/build-selftests.sh"

vm=$BUILD/check-debug/vm
mkdir -p "$vm"
rc=0
say "booting the debug kernel: series selftests and existing KVM selftests"
"$TOP/scripts/vm-run.sh" --kernel "$debug_obj/arch/x86/boot/bzImage" --out "$vm" --timeout 5400 -- \
	env RESULTS="$vm/results.tsv" RESULTS_QUIET=1 \
	"$TOP/scripts/guest-run-selftests.sh" "$BUILD/selftests/kvm" "$vm/logs" || rc=$?
if [ -f "$vm/results.tsv" ]; then
	while IFS=$'\t' read -r status name detail; do
		result "$status" "debug kernel: $name" "${detail//\\n/$'\n'}"
	done <"$vm/results.tsv"
fi
[ "$rc" = 0 ] || result fail "debug kernel: boots and runs the tests to the end" \
	"vm-run exited $rc; console: $vm/console.log" "$(tail -n 15 "$vm/console.log")"
splats=$(grep -E "$SPLAT_RE" "$vm/console.log" || true)
if [ -z "$splats" ]; then
	result ok "debug kernel: no lockdep, KASAN, UBSAN, BUG or WARNING report in its log"
else
	result fail "debug kernel: no lockdep, KASAN, UBSAN, BUG or WARNING report in its log" "$(head -n 40 <<<"$splats")"
fi
exec "$TOP/scripts/report-results.sh"
