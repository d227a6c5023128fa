#!/usr/bin/env bash
# Harness self-test: a damaged series must fail `make check` with a message
# that names the patch. Builds three one-patch series on a scratch clone of
# build/linux (build/linux itself is not touched) and runs the harness's own
# steps on them:
#   1. a patch that no longer applies          -> scripts/source/tree.sh
#   2. a patch with checkpatch --strict errors -> scripts/check/series-check.sh
#   3. a patch that does not compile           -> scripts/check/series-check.sh
# Records one result per case.
# shellcheck source=../scripts/lib/lib.sh
. "$(dirname "$0")/../scripts/lib/lib.sh"

[ -d "$TREE/.git" ] || die "build/linux does not exist: run 'make tree' first"
[ -f "$OBJ/.config" ] || die "the kernel is not configured: run 'make kernel' first"
scratch=$BUILD/harness-test
base=$(base_commit)
rm -rf "$scratch/linux" "$scratch/wt" "$scratch"/patches-* "$scratch"/results-*.tsv
mkdir -p "$scratch"
say "harness self-test: scratch clone of the base in ${scratch#"$TOP"/}"
git clone -q --shared --no-checkout "$TREE" "$scratch/linux"
git -C "$scratch/linux" checkout -q -B "$SERIES_BRANCH" "$base"
git -C "$scratch/linux" config user.name "Harness Self-Test"
git -C "$scratch/linux" config user.email "harness@self-test.invalid"

victim=virt/lib/irqbypass.c   # small, built with KVM=y, alone in its directory

# make_patch NAME SED-EXPR [--no-signoff]: one commit editing $victim with
# SED-EXPR, exported to $scratch/patches-NAME/, then the commit is dropped.
make_patch() {
	local name=$1 expr=$2 signoff=(-s)
	[ "${3:-}" != --no-signoff ] || signoff=()
	sed -i "$expr" "$scratch/linux/$victim"
	git -C "$scratch/linux" commit -q "${signoff[@]}" -a \
		-m "KVM: irqbypass: Harness self-test change ($name)" \
		-m "A change made only to test the harness."
	git -C "$scratch/linux" format-patch -q "${FORMAT_PATCH_OPTS[@]}" \
		-o "$scratch/patches-$name" -1 HEAD
	git -C "$scratch/linux" reset -q --hard "$base"
}

# The harness's steps on the scratch series NAME: bring the tree to it, then
# (with "all") the per-patch checks.
harness_steps() {
	local name=$1 steps=$2
	export TREE=$scratch/linux PATCHES=$scratch/patches-$name
	export SERIES_WT=$scratch/wt SERIES_OBJ=$scratch/obj
	export RESULTS=$scratch/results-$name.tsv FORCE=1
	"$TOP/scripts/source/tree.sh" || return
	[ "$steps" = all ] || return 0
	"$TOP/scripts/check/series-check.sh"
}

# The damaged patches, each made on the base.
# 1. Does not apply: its context no longer matches the base.
make_patch not-applying 's/^#include <linux\/irqbypass.h>$/&\n\/* context *\//'
sed -i 's/^ #include <linux\/irqbypass.h>$/ #include <linux\/irqbypass-moved.h>/' \
	"$scratch"/patches-not-applying/*.patch
# 2. checkpatch errors: no Signed-off-by, trailing whitespace.
make_patch checkpatch-errors 's/^MODULE_DESCRIPTION("IRQ bypass manager utility module");$/&\n\/* trailing *\/ /' --no-signoff
# 3. Does not compile: a call to an undeclared function.
make_patch build-error 's/^MODULE_DESCRIPTION("IRQ bypass manager utility module");$/static void harness_self_test(void)\n{\n\tharness_undeclared_function();\n}\n\n&/'

# run_case NAME STEPS EXPECTED: the steps must fail, and their output must
# have a line with both the patch's file name and the text EXPECTED.
run_case() {
	local name=$1 patch out rc=0
	patch=$(basename "$scratch/patches-$name"/*.patch)
	out=$(harness_steps "$name" "$2" 2>&1) || rc=$?
	if grep -q '^fail' "$scratch/results-$name.tsv" 2>/dev/null; then rc=1; fi
	if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -F "$patch" | grep -qF "$3"; then
		result ok "harness: a series with $name fails, naming the patch"
	else
		result fail "harness: a series with $name fails, naming the patch" \
			"expected a failure naming $patch with '$3'; exit code $rc; output:" "$out"
	fi
}

run_case not-applying sync "does not apply"
run_case checkpatch-errors all "not ok"
run_case build-error all "builds on its own"
