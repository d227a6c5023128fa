#!/usr/bin/env bash
# Prove that patches/ and the commits in build/linux are the same series:
# applying patches/ to the base with fuzz 0 (git apply, no 3-way) must give
# exactly the tree of HEAD, and exporting the commits must give the same
# patch files (messages included).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ -d "$TREE/.git" ] || die "$TREE_NAME does not exist: run '$MK tree' first"
base=$(base_commit)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_INDEX_FILE=$tmp/index
git -C "$TREE" read-tree "$base"
for p in $(series_files); do
	git -C "$TREE" apply --cached "$p" 2>"$tmp/err" ||
		die "${PATCHES_NAME}$(basename "$p") does not apply with fuzz 0: $(cat "$tmp/err")"
done
applied=$(git -C "$TREE" write-tree)
unset GIT_INDEX_FILE
head=$(git -C "$TREE" rev-parse 'HEAD^{tree}')
[ "$applied" = "$head" ] ||
	die "applying $PATCHES_NAME to the base gives tree $applied, $TREE_NAME HEAD has $head:
$(git -C "$TREE" diff --stat "$applied" "$head")
run '$MK export' if $TREE_NAME is right, or '$MK tree FORCE=1' if $PATCHES_NAME is"

# Each series after the first applies to the base alone, as posted.
for part in "${PARTS[@]:1}"; do
	export GIT_INDEX_FILE=$tmp/index
	git -C "$TREE" read-tree "$base"
	for p in $(part_files "$part"); do
		git -C "$TREE" apply --cached "$p" 2>"$tmp/err" ||
			die "${p#"$TOP"/} does not apply with fuzz 0 to the base alone: $(cat "$tmp/err")"
	done
	unset GIT_INDEX_FILE
done

update_part_branches
mapfile -t want < <(series_files)
have=()
for part in "${PARTS[@]}"; do
	mkdir -p "$tmp/p/$part"
	[ -z "$(git -C "$TREE" rev-list "$base..$(part_ref "$part")")" ] ||
		git -C "$TREE" format-patch -q "${FORMAT_PATCH_OPTS[@]}" -o "$tmp/p/$part" \
			"$base..$(part_ref "$part")"
	mapfile -t -O "${#have[@]}" have < <(find "$tmp/p/$part" -name '*.patch' | sort)
done
[ "${#want[@]}" -eq "${#have[@]}" ] ||
	die "$PATCHES_NAME has ${#want[@]} patches, $TREE_NAME ${#have[@]} commits: run '$MK export' or '$MK tree'"
for i in "${!want[@]}"; do
	cmp -s <(normalize_patch "${want[$i]}") <(normalize_patch "${have[$i]}") ||
		die "$(basename "${want[$i]}") differs from its commit in $TREE_NAME: run '$MK export' or '$MK tree'"
done
say "round trip: $PATCHES_NAME applied with fuzz 0 gives HEAD's tree $head (${#want[@]} patches)"
