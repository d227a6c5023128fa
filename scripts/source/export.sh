#!/usr/bin/env bash
# Write the commits of build/linux (base..HEAD) to patches/ with format-patch
# --base and a cover letter, then check the round trip. BASE=7.3: from
# build/linux-7.3 to its two series, each on the base alone, addressed as
# scripts/get_maintainer.pl says: patches-7.3/kvm/ (base..branch kvm) and
# patches-7.3/sched/ (the rest of HEAD, replayed as branch sched).
# A cover letter's subject and text come from its branch's description
# (git -C build/linux branch --edit-description [kvm|sched]), which
# 'make tree' fills from the cover letter in the series' folder.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ -d "$TREE/.git" ] || die "$TREE_NAME does not exist: run '$MK tree' first"
[ ! -d "$TREE/.git/rebase-apply" ] || die "a 'git am' is stopped in $TREE_NAME: finish or abort it first"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "$TREE_NAME has uncommitted edits: commit them (one commit per logical change), then export"
require_no_ignored_files
base=$(base_commit)
n=$(git -C "$TREE" rev-list --count "$base..HEAD")
[ "$n" -gt 0 ] || die "$TREE_NAME has no commits on top of the base: nothing to export"

update_part_branches

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A series for mainline goes to whom the tree's MAINTAINERS names for the
# files it touches: maintainers as To, reviewers and lists as Cc.
get_maintainer() {
	(cd "$TREE" && perl scripts/get_maintainer.pl --no-rolestats --no-git \
		--no-git-fallback "$@" "$tmp/series.mbox")
}
for part in "${PARTS[@]}"; do
	branch=$(part_branch "$part") dir=$(part_dir "$part")
	# format-patch takes the cover letter from the description of the
	# branch the range ends with.
	range=$base..$branch
	[ "$part" != . ] || range=$base..HEAD
	desc=$(git -C "$TREE" config "branch.$branch.description" || true)
	[ -n "$desc" ] || desc=$(cover_description "$part")
	[ -n "$desc" ] || warn "no cover letter text yet for ${dir#"$TOP"/}: write it with 'git -C $TREE_NAME branch --edit-description $branch' (first line: subject)"
	[ -z "$desc" ] || git -C "$TREE" config "branch.$branch.description" "$desc"

	addr=()
	if [ "$BASE" != 6.12 ] && [ -n "$(git -C "$TREE" rev-list "$range")" ]; then
		git -C "$TREE" format-patch -q --stdout "$range" >"$tmp/series.mbox"
		if ! get_maintainer --no-l --no-r >"$tmp/to" || ! get_maintainer --no-m >"$tmp/cc"; then
			die "scripts/get_maintainer.pl failed in $TREE_NAME: the series would go out unaddressed"
		fi
		mapfile -t to <"$tmp/to"
		mapfile -t cc <"$tmp/cc"
		rm "$tmp/series.mbox" "$tmp/to" "$tmp/cc"
		for a in "${to[@]}"; do addr+=("--to=$a"); done
		for a in "${cc[@]}"; do
			printf '%s\n' "${to[@]}" | grep -qxF -- "$a" || addr+=("--cc=$a")
		done
	fi
	mkdir -p "$tmp/out"
	git -C "$TREE" format-patch -q "${FORMAT_PATCH_OPTS[@]}" --cover-letter "${addr[@]}" \
		--cover-from-description=subject --base="$base" -o "$tmp/out" "$range"
	# The diffstat already marks new and deleted files; git's "create mode"
	# lines after it are redundant and too long for checkpatch in a cover
	# letter.
	sed -i -E '/^ (create|delete) mode [0-7]+ /d' "$tmp/out/0000-cover-letter.patch"
	rm -f "$dir"/[0-9][0-9][0-9][0-9]-*.patch
	mkdir -p "$dir"
	mv "$tmp"/out/*.patch "$dir/"
	say "exported $(($(find "$dir" -name '*.patch' | wc -l) - 1)) patch(es) and the cover letter to ${dir#"$TOP"/}/"
done
git -C "$TREE" update-ref "$SYNCED_REF" HEAD
"$TOP/scripts/source/roundtrip.sh"
