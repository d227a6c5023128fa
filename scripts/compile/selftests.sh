#!/usr/bin/env bash
# Build the KVM selftests that `make check` runs (config/selftests.list plus
# the ones the series adds) from the patched tree into build/selftests/kvm
# (BASE=7.3: build/selftests-7.3/kvm, the list's x86_64/ read as x86/).
# Prints nothing but progress; the list of binaries is build/selftests/kvm/tests.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ -d "$TREE/.git" ] || die "$TREE_NAME does not exist: run '$MK tree' first"
[ -f "$OBJ/.config" ] || die "the kernel is not configured: run '$MK kernel' first"
out=$SELFTESTS_DIR/kvm
mkdir -p "$out"

say "installing the patched UAPI headers"
kmake -s headers

# The series' own tests: x86_64 selftests that the series adds.
base=$(base_commit)
git -C "$TREE" diff --name-only --diff-filter=A "$base" HEAD -- \
	'tools/testing/selftests/kvm/*.c' |
	sed -e 's|^tools/testing/selftests/kvm/||' -e 's|\.c$||' >"$out/series-tests"
grep -vE '^[[:space:]]*(#|$)' "$TOP/config/selftests.list" | awk '{ sub(/^~/, "", $1); print $1 }' |
	sed "s|^x86_64/|$SELFTESTS_X86/|" >"$out/existing-tests"

targets=()
while read -r t; do
	[ -f "$TREE/tools/testing/selftests/kvm/$t.c" ] ||
		die "config/selftests.list names $t, which is not in tools/testing/selftests/kvm"
	targets+=("$out/$t")
done < <(cat "$out/series-tests" "$out/existing-tests")

say "building ${#targets[@]} KVM selftests"
run_logged "$out/build.log" "selftests build" \
	make -C "$TREE/tools/testing/selftests/kvm" -j"$JOBS" CC="ccache gcc" \
	OUTPUT="$out" KHDR_INCLUDES="-isystem $OBJ/usr/include" "${targets[@]}" || {
	grep -E 'error|warning' "$out/build.log" | head -n 30 >&2
	die "the KVM selftests did not build: see ${SELFTESTS_DIR#"$TOP"/}/kvm/build.log"
}
