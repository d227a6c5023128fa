#!/usr/bin/env bash
# Write the commits of build/linux (base..HEAD) to patches/ with format-patch
# --base and a cover letter, then check the round trip.
# The cover letter's subject and text come from the branch description
# (git -C build/linux branch --edit-description), which 'make tree' fills
# from patches/0000-cover-letter.patch.
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "build/linux does not exist: run 'make tree' first"
[ ! -d "$TREE/.git/rebase-apply" ] || die "a 'git am' is stopped in build/linux: finish or abort it first"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted edits: commit them (one commit per logical change), then export"
require_no_ignored_files
base=$(base_commit)
n=$(git -C "$TREE" rev-list --count "$base..HEAD")
[ "$n" -gt 0 ] || die "build/linux has no commits on top of the base: nothing to export"

desc=$(git -C "$TREE" config "branch.$SERIES_BRANCH.description" || true)
[ -n "$desc" ] || desc=$(cover_description)
[ -n "$desc" ] || warn "no cover letter text yet: write it with 'git -C build/linux branch --edit-description' (first line: subject)"
[ -z "$desc" ] || git -C "$TREE" config "branch.$SERIES_BRANCH.description" "$desc"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$TREE" format-patch -q "${FORMAT_PATCH_OPTS[@]}" --cover-letter \
	--cover-from-description=subject --base="$base" -o "$tmp" "$base..HEAD"
# The diffstat already marks new and deleted files; git's "create mode"
# lines after it are redundant and too long for checkpatch in a cover letter.
sed -i -E '/^ (create|delete) mode [0-7]+ /d' "$tmp/0000-cover-letter.patch"
rm -f "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch
mkdir -p "$PATCHES"
mv "$tmp"/*.patch "$PATCHES/"
git -C "$TREE" update-ref "$SYNCED_REF" HEAD
say "exported $n patch(es) and the cover letter to patches/"
"$TOP/scripts/check-roundtrip.sh"
