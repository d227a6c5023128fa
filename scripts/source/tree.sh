#!/usr/bin/env bash
# Make build/linux = pinned base + patches/. The first run unpacks the base
# and imports it as one commit; later runs keep the commits that already
# match patches/ and re-apply only from the first one that differs, so the
# files of untouched commits keep their times and rebuilds stay incremental.
# FORCE=1 drops unexported commits and uncommitted edits in build/linux.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

import_base() {
	local tarball staging=$TREE.import
	tarball=$("$TOP/scripts/source/fetch-source.sh")
	rm -rf "$staging"
	mkdir -p "$staging"
	say "unpacking $SOURCE_PACKAGE $SOURCE_VERSION into $TREE_NAME"
	tar -C "$staging" --strip-components=1 -I 'xz -T0' -xf "$tarball"
	say "importing the base as one commit (about a minute)"
	git -C "$staging" init -q -b "$SERIES_BRANCH"
	git -C "$staging" config gc.auto 0
	git -C "$staging" config core.autocrlf false
	git -C "$staging" add -A -f .
	GIT_AUTHOR_NAME=$BASE_IDENT_NAME GIT_AUTHOR_EMAIL=$BASE_IDENT_EMAIL \
	GIT_COMMITTER_NAME=$BASE_IDENT_NAME GIT_COMMITTER_EMAIL=$BASE_IDENT_EMAIL \
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		git -C "$staging" commit -q --no-verify \
		-m "Linux $SOURCE_VERSION ($SOURCE_PACKAGE)" \
		-m "Imported from Debian's $SOURCE_PACKAGE package, tarball sha256 $SOURCE_TAR_SHA256."
	git -C "$staging" update-ref "$SYNCED_REF" HEAD
	mv "$staging" "$TREE"
}

[ -d "$TREE/.git" ] || import_base

# Commits made in build/linux carry the project's identity. `git am` keeps
# each patch's author; it only needs some committer, even on a bare machine.
for key in user.name user.email; do
	val=$(git -C "$TOP" config "$key" || true)
	[ -z "$val" ] || git -C "$TREE" config "$key" "$val"
done
git -C "$TREE" config user.email >/dev/null ||
	git -C "$TREE" config user.email "harness@localhost.invalid"
git -C "$TREE" config user.name >/dev/null ||
	git -C "$TREE" config user.name "kvm-yield harness"

base=$(base_commit)
for part in "${PARTS[@]}"; do
	cover=$(part_dir "$part")/0000-cover-letter.patch
	[ -f "$cover" ] || continue
	recorded=$(sed -n 's/^base-commit: //p' "$cover")
	[ -z "$recorded" ] || [ "$recorded" = "$base" ] ||
		die "${cover#"$TOP"/} was exported on base $recorded but ${TREE_NAME}'s base is $base.
The base import is deterministic, so ${SOURCE_ENV#"$TOP"/} or the import changed:
rebuild the tree with 'rm -rf $TREE_NAME && $MK tree'."
done

if [ "${FORCE:-0}" = 1 ]; then
	git -C "$TREE" am --abort >/dev/null 2>&1 || true
	git -C "$TREE" reset -q --hard HEAD
else
	require_tree_in_sync
fi

# Longest prefix of commits that already equal the patch files.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t want < <(series_files)
have=()
if [ "$(git -C "$TREE" rev-parse HEAD)" != "$base" ]; then
	git -C "$TREE" format-patch -q "${FORMAT_PATCH_OPTS[@]}" -o "$tmp" "$base..HEAD"
	mapfile -t have < <(find "$tmp" -name '*.patch' | sort)
fi
keep=0
while [ "$keep" -lt "${#want[@]}" ] && [ "$keep" -lt "${#have[@]}" ] &&
	cmp -s <(normalize_patch "${want[$keep]}") <(normalize_patch "${have[$keep]}"); do
	keep=$((keep + 1))
done

if [ "$keep" -lt "${#have[@]}" ]; then
	target=$base
	[ "$keep" -eq 0 ] || target=$(git -C "$TREE" rev-list --reverse "$base..HEAD" | sed -n "${keep}p")
	say "dropping $((${#have[@]} - keep)) commit(s) of $TREE_NAME that differ from $PATCHES_NAME"
	git -C "$TREE" reset -q --hard "$target"
fi

for ((i = keep; i < ${#want[@]}; i++)); do
	p=${want[$i]}
	if ! out=$(git -C "$TREE" am -q --no-3way "$p" 2>&1); then
		git -C "$TREE" am --abort >/dev/null 2>&1 || true
		git -C "$TREE" update-ref "$SYNCED_REF" HEAD
		printf '%s\n' "$out" >&2
		die "${PATCHES_NAME}$(basename "$p") does not apply (fuzz 0) on top of the base and the patches before it.
Fix it in $TREE_NAME (git am the patch with --reject, resolve, commit) and run '$MK export'."
	fi
done
git -C "$TREE" update-ref "$SYNCED_REF" HEAD

# Where the first series ends, and the second on the base alone.
if [ "${#PARTS[@]}" -gt 1 ]; then
	n=$(part_files "${PARTS[0]}" | wc -l)
	tip=$base
	[ "$n" -eq 0 ] || tip=$(git -C "$TREE" rev-list --reverse "$base..HEAD" | sed -n "${n}p")
	git -C "$TREE" update-ref "refs/heads/${PARTS[0]}" "$tip"
	git -C "$TREE" config rebase.updateRefs true
	update_part_branches
fi
for part in "${PARTS[@]}"; do
	desc=$(cover_description "$part")
	[ -z "$desc" ] || git -C "$TREE" config "branch.$(part_branch "$part").description" "$desc"
done

say "$TREE_NAME: base + ${#want[@]} patch(es) ($keep kept, $((${#want[@]} - keep)) applied)"
