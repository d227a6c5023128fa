#!/usr/bin/env bash
# Run the existing KVM selftests of config/selftests.list on the unpatched
# base kernel and compare each result with the last `make check` run on the
# patched kernel (build/check/results.tsv): the series must not change them.
# The base kernel is built from a worktree at the base commit
# (build/base-wt) into build/obj-base; the selftest binaries are the ones
# make check ran (the series does not touch the existing tests).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

"$TOP/scripts/compile/prepare.sh"
patched=$BUILD/check/results.tsv
[ -s "$patched" ] || die "no results of the patched kernel in ${patched#"$TOP"/}: run 'make check' first"

base=$(base_commit)
wt=$BUILD/base-wt
if [ -e "$wt/.git" ]; then
	git -C "$wt" checkout -q --detach "$base"
else
	git -C "$TREE" worktree add -q --detach "$wt" "$base"
fi
say "the base kernel ($SOURCE_PACKAGE $SOURCE_VERSION without the series)"
TREE=$wt OBJ=$BUILD/obj-base "$TOP/scripts/compile/kernel.sh"

out=$BUILD/base-check
rm -rf "$out"
mkdir -p "$out"
say "booting the base kernel: the existing KVM selftests"
rc=0
"$TOP/scripts/vm/vm.sh" --kernel "$BUILD/obj-base/arch/x86/boot/bzImage" \
	--out "$out" --timeout 3000 -- \
	env RESULTS="$out/results.tsv" SELFTESTS=existing \
	"$TOP/scripts/guest/run-selftests.sh" "$SELFTESTS_DIR/kvm" "$out/logs" || rc=$?
[ "$rc" = 0 ] || die "the base kernel did not run the tests to the end (vm/vm.sh exited $rc; console: ${out#"$TOP"/}/console.log)"

say "existing KVM selftests: base vs patched"
# One line per existing selftest: base result, patched result, name.
table=$(awk -F'\t' '
	$2 !~ /^kvm selftest: / { next }
	{ name = $2; sub(/^kvm selftest: /, "", name) }
	FNR == NR { patched[name] = $1; next }
	{ printf "%s\t%s\t%s\n", $1, (name in patched) ? patched[name] : "missing", name }
' "$patched" "$out/results.tsv")
awk -F'\t' '{ printf "  %-4s %-7s %s\n", $1, $2, $3 }' <<<"$table"
differ=$(awk -F'\t' '$1 != $2 { n++ } END { print n + 0 }' <<<"$table")
if [ "$differ" = 0 ]; then
	say "same results on the base and the patched kernel (columns: base, patched)"
else
	die "results differ between the base and the patched kernel (columns: base, patched); logs in ${out#"$TOP"/}/logs and build/check/vm/logs"
fi
