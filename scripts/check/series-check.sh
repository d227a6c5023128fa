#!/usr/bin/env bash
# Per-patch checks of patches/, one result each (TAP):
#   - checkpatch.pl --strict on the patch file;
#   - the patch builds on its own: in a separate worktree and object dir,
#     the directories it touches are built with W=1 and sparse (C=1), and
#     no warning appears that the base did not have (NIPA style);
#   - kernel-doc -Wall reports no more in the files it touches;
#   - if it touches the KVM selftests, they build without warnings.
# The full build of the tip is scripts/compile/kernel.sh. CHECKPATCH_ONLY=1
# stops after the checkpatch results.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ -d "$TREE/.git" ] || die "$TREE_NAME does not exist: run '$MK tree' first"
[ -f "$OBJ/.config" ] || die "the kernel is not configured: run '$MK kernel' first"
mapfile -t patches < <(series_files)
if [ "${#patches[@]}" -eq 0 ]; then
	say "the series has no patches yet: nothing to check per patch"
	exit 0
fi

base=$(base_commit)
# Each series is checked as it is posted: a second one on the base alone.
update_part_branches
mapfile -t commits < <(series_commits)
[ "${#commits[@]}" -eq "${#patches[@]}" ] ||
	die "$TREE_NAME has ${#commits[@]} commits but $PATCHES_NAME has ${#patches[@]} patches: run '$MK tree'"

# Whether every file that commit $1 adds is covered by a MAINTAINERS entry
# more specific than the catch-alls, i.e. checkpatch's FILE_PATH_CHANGES
# question ("does MAINTAINERS need updating?") has the answer no.
new_files_maintained() {
	local f entries
	while read -r f; do
		[ -f "$TREE/$f" ] || return 1
		entries=$(cd "$TREE" || exit
			./scripts/get_maintainer.pl --nogit --nogit-fallback -f "$f" 2>/dev/null |
			grep -E '\((maintainer|supporter|odd fixer):' |
			grep -vE ':(THE REST|DOCUMENTATION|KERNEL SELFTEST FRAMEWORK)\)$' || true)
		[ -n "$entries" ] || return 1
	done < <(git -C "$TREE" diff --name-only --diff-filter=AR "$1^" "$1")
}

# 1. checkpatch, on the files in patches/ (what gets posted).
for i in "${!patches[@]}"; do
	p=${patches[$i]}
	name="checkpatch --strict: $(basename "$p")"
	# Debian's python3 first: checkpatch's spdxcheck.py needs its python3-ply.
	out=$(cd "$TREE" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl --strict \
		--terse --show-types --no-summary "$p" 2>&1) || true
	if printf '%s\n' "$out" | grep -q 'FILE_PATH_CHANGES' &&
		new_files_maintained "${commits[$i]}"; then
		out=$(printf '%s\n' "$out" | grep -v 'WARNING:FILE_PATH_CHANGES:' || true)
	fi
	if [ -z "$out" ]; then
		result ok "$name"
	else
		result fail "$name" "$out"
	fi
done
[ "${CHECKPATCH_ONLY:-0}" = 0 ] || exit 0

# 2. Per-patch builds in their own worktree and object dir (SERIES_WT,
#    SERIES_OBJ: build/series-wt, build/obj-series), so build/obj stays warm.
wt=$SERIES_WT objs=$SERIES_OBJ
if ! git -C "$wt" rev-parse --git-dir >/dev/null 2>&1 ||
	[ "$(git -C "$wt" rev-parse --git-common-dir)" != "$(git -C "$TREE" rev-parse --absolute-git-dir)" ]; then
	say "creating the per-patch build worktree ${wt#"$TOP"/}"
	rm -rf "$wt"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$wt" "$base"
fi
mkdir -p "$objs"
cmp -s "$OBJ/.config" "$objs/.config" || cp "$OBJ/.config" "$objs/.config"

DEFAULT_DIRS=(arch/x86/kvm kernel/sched)

# What a change to FILE asks to build.
dirs_for() {
	case "$1" in
	virt/kvm/*.c) echo arch/x86/kvm ;;
	Documentation/* | tools/* | scripts/* | MAINTAINERS) ;;
	*.c) dirname "$1" ;;
	*) printf '%s\n' "${DEFAULT_DIRS[@]}" ;;
	esac
}

wmake() {
	make -C "$wt" O="$objs" CC="ccache gcc" HOSTCC="ccache gcc" -j"$JOBS" \
		W=1 C=1 KCFLAGS=-fdiagnostics-color=never "$@"
}

# "COUNT<TAB>file: warning: message": each distinct warning (line numbers
# dropped, paths relative to the tree) with how often it was printed.
warnings_of() {
	sed -nE -e "s#^(\.\./)*([^ :]*series-wt[^/]*/)?##" \
		-e 's#^([^ :]+):[0-9]+(:[0-9]+)?: (warning|error): (.*)$#\1: \3: \4#p' "$1" |
		sort | uniq -c | sed -E 's/^ *([0-9]+) /\1\t/'
}

# Warnings of LOG printed more often than ALLOWED (a warnings_of file)
# allows; ALLOWED is raised to them so each is reported once.
new_warnings() {
	local log=$1 allowed=$2 cur
	cur=$(warnings_of "$log")
	awk -F'\t' 'NR == FNR { a[$2] = $1; next }
		$1 > a[$2] + 0 { print "(" $1 - a[$2] " more) " $2 }' "$allowed" - <<<"$cur"
	awk -F'\t' 'NR == FNR { a[$2] = $1; next } { if ($1 > a[$2] + 0) a[$2] = $1 }
		END { for (k in a) print a[k] "\t" k }' "$allowed" - <<<"$cur" | sort -t$'\t' -k2 >"$allowed.new"
	mv "$allowed.new" "$allowed"
}

kdoc_count() {
	local f c n=0
	for f in "$@"; do
		[ -f "$wt/$f" ] || continue
		c=$("$wt/scripts/kernel-doc" -none -Wall "$wt/$f" 2>&1 | grep -c 'warning' || true)
		n=$((n + c))
	done
	echo "$n"
}

mapfile -t all_dirs < <(for c in "${commits[@]}"; do
	git -C "$TREE" diff --name-only "$c^" "$c" | while read -r f; do dirs_for "$f"; done
done | sort -u)

git -C "$wt" checkout -q --detach "$base"
# One baseline per set of directories, kept across runs.
baseline=$objs/warnings-v2.base-$(echo "${all_dirs[*]}" | sha256sum | cut -c1-12)
if [ ! -f "$baseline" ]; then
	say "building the base of ${all_dirs[*]:-(no directory)} with W=1 C=1 for the warning baseline"
	if [ "${#all_dirs[@]}" -gt 0 ]; then
		# Compile every file of them once, so the baseline has all warnings.
		for d in "${all_dirs[@]}"; do rm -rf "${objs:?}/$d"; done
		run_logged "$objs/base.log" "base W=1 C=1 build" wmake "${all_dirs[@]/%//}" ||
			die "the base does not build with W=1 C=1 (${all_dirs[*]}): see ${objs#"$TOP"/}/base.log"
	else
		: >"$objs/base.log"
	fi
	warnings_of "$objs/base.log" >"$baseline"
fi

reported=$objs/warnings.reported
cp "$baseline" "$reported"
for i in "${!commits[@]}"; do
	c=${commits[$i]} p=$(basename "${patches[$i]}")
	mapfile -t files < <(git -C "$TREE" diff --name-only "$c^" "$c")
	mapfile -t srcs < <(printf '%s\n' "${files[@]}" | grep -E '\.(c|h)$' | grep -v '^tools/' || true)
	kdoc_before=$(kdoc_count "${srcs[@]}")
	git -C "$wt" checkout -q --detach "$c"
	mapfile -t dirs < <(for f in "${files[@]}"; do dirs_for "$f"; done | sort -u)
	problems=""

	log=$objs/patch-$((i + 1)).log
	if [ "${#dirs[@]}" -gt 0 ]; then
		say "building $p: ${dirs[*]} (W=1 C=1)"
		if ! run_logged "$log" "build of $p" wmake "${dirs[@]/%//}"; then
			problems+="does not build (${dirs[*]}):"$'\n'
			problems+=$(grep -E 'error|Error' "$log" | head -n 15)$'\n'
		fi
		new=$(new_warnings "$log" "$reported")
		[ -z "$new" ] || problems+="adds W=1/sparse warnings:"$'\n'"$new"$'\n'
	fi

	kdoc_after=$(kdoc_count "${srcs[@]}")
	[ "$kdoc_after" -le "$kdoc_before" ] ||
		problems+="kernel-doc -Wall: $kdoc_before -> $kdoc_after warnings in ${srcs[*]}"$'\n'

	if printf '%s\n' "${files[@]}" | grep -q '^tools/testing/selftests/kvm/'; then
		say "building the KVM selftests at $p"
		mapfile -t added < <(git -C "$wt" diff --name-only --diff-filter=A "$base" HEAD -- \
			'tools/testing/selftests/kvm/*.c' | sed -e 's|^tools/testing/selftests/kvm/||' -e 's|\.c$||')
		st=$BUILD/selftests-series$BASE_SUFFIX
		mkdir -p "$st"
		# shellcheck disable=SC2016 # expanded by the inner bash
		if ! run_logged "$st/build.log" "selftests at $p" bash -c '
			make -C "$1" O="$2" -s headers >/dev/null &&
			make -C "$1/tools/testing/selftests/kvm" -j"$3" CC="ccache gcc" \
				OUTPUT="$4" KHDR_INCLUDES="-isystem $2/usr/include" "${@:5}"' _ \
			"$wt" "$objs" "$JOBS" "$st" "${added[@]/#/$st/}"; then
			problems+="the KVM selftests do not build:"$'\n'$(grep -E 'error' "$st/build.log" | head -n 10)$'\n'
		elif grep -q 'warning:' "$st/build.log"; then
			problems+="the KVM selftests build with warnings:"$'\n'$(grep 'warning:' "$st/build.log" | head -n 10)$'\n'
		fi
	fi

	if [ -z "$problems" ]; then
		result ok "builds on its own (W=1, sparse, kernel-doc): $p"
	else
		result fail "builds on its own (W=1, sparse, kernel-doc): $p" "$problems"
	fi
done
