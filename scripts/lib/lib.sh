# shellcheck shell=bash
# Common definitions for the harness scripts. Source it; do not run it.

# Variables defined here are used by the scripts that source this file.
# shellcheck disable=SC2034

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
# The kernel base the series is worked on: 6.12 (Debian's LTS source, the
# default; config/source.env, patches/, build/linux) or 7.3 (mainline, as
# Debian's trixie-backports ships it; config/source-7.3.env, patches-7.3/,
# build/linux-7.3). Each base has its own series, tree and build.
BASE=${BASE:-6.12}
case "$BASE" in
6.12) BASE_SUFFIX='' SOURCE_ENV=$TOP/config/source.env ;;
7.3) BASE_SUFFIX=-7.3 SOURCE_ENV=$TOP/config/source-7.3.env ;;
*)
	printf 'error: BASE=%s: the bases are 6.12 (the default) and 7.3\n' "$BASE" >&2
	exit 1
	;;
esac
# Overridable so that the harness's own tests can work on a scratch series.
TREE=${TREE:-$BUILD/linux$BASE_SUFFIX}
OBJ=${OBJ:-$BUILD/obj$BASE_SUFFIX}
case "$OBJ" in /*) ;; *) OBJ=$PWD/$OBJ ;; esac
PATCHES=${PATCHES:-$TOP/patches$BASE_SUFFIX}
SERIES_WT=${SERIES_WT:-$BUILD/series-wt$BASE_SUFFIX}
SERIES_OBJ=${SERIES_OBJ:-$BUILD/obj-series$BASE_SUFFIX}
SELFTESTS_DIR=${SELFTESTS_DIR:-$BUILD/selftests$BASE_SUFFIX}
# Run as root in a user's clone (sudo make deb), git refuses the checkout
# and the trees a user's make left in build/ as of "dubious ownership".
# Root already runs this checkout's scripts: trust it and those trees, and
# nothing else, for the git commands they run (added to a caller's
# GIT_CONFIG_COUNT entries; git compares paths as written, so both the
# logical and the physical one).
trust_repo() { # PATH: add safe.directory=PATH unless a script above did
	local n=${GIT_CONFIG_COUNT:-0} i key value
	for ((i = 0; i < n; i++)); do
		key=GIT_CONFIG_KEY_$i value=GIT_CONFIG_VALUE_$i
		[ "${!key:-}" != safe.directory ] || [ "${!value:-}" != "$1" ] || return 0
	done
	export "GIT_CONFIG_KEY_$n=safe.directory" "GIT_CONFIG_VALUE_$n=$1" GIT_CONFIG_COUNT=$((n + 1))
}
if [ "$(id -u)" = 0 ]; then
	for repo in "$TOP" "$TREE" "$TREE.import" "$SERIES_WT"; do
		trust_repo "$repo"
		trust_repo "$(realpath -m "$repo")"
	done
	unset repo
fi
# The benchmarks and QEMU regression tests built against that base's KVM
# selftests library, and the benchmarks' output.
BENCH_DIR=${BENCH_DIR:-$BUILD/bench$BASE_SUFFIX}
# The workloads that run inside the benchmark's guests (bench/guest/*.c).
# Not derived from BENCH_DIR, which a caller may point at a run's folder.
BENCH_BIN=${BENCH_BIN:-$BUILD/bench$BASE_SUFFIX/guest}
# The x86 KVM selftests' folder: x86_64/ up to 6.12, x86/ since 6.15.
SELFTESTS_X86=x86_64
[ "$BASE" = 6.12 ] || SELFTESTS_X86=x86
# How messages name them, and the make command that works on this base.
TREE_NAME=${TREE#"$TOP"/}
PATCHES_NAME=${PATCHES#"$TOP"/}/
MK='make'
[ "$BASE" = 6.12 ] || MK="BASE=$BASE make"
# SOURCE_SUITE, when set, is a Debian suite that the machine's apt sources
# do not have: source/fetch-source.sh reads its index into lists of its own.
SOURCE_SUITE=
# shellcheck source=../../config/source.env
. "$SOURCE_ENV"

# Fixed identity and dates for the imported base commit, so that the base
# commit id is the same on every machine and `format-patch --base` records
# something another clone can check.
BASE_IDENT_NAME="Debian $SOURCE_PACKAGE"
BASE_IDENT_EMAIL="$SOURCE_PACKAGE@packages.debian.invalid"
BASE_DATE="2000-01-01T00:00:00Z"

# Deterministic kernel build identity: keeps ccache hits across clones and
# makes the version string independent of the machine.
export KBUILD_BUILD_USER=kvm-yield KBUILD_BUILD_HOST=harness
export KBUILD_BUILD_TIMESTAMP="$BASE_DATE"
export CCACHE_BASEDIR=$TOP CCACHE_NOHASHDIR=1 CCACHE_COMPILERCHECK=content

JOBS=${JOBS:-$(nproc)}

# The time-faithful host (CLOCK=icount, docs/icount.md): 2^ICOUNT_SHIFT ns
# of guest time per instruction, a vCPU's turn at most ICOUNT_QUANTUM_NS,
# each SVM world switch (VMRUN, #VMEXIT) charged as many ns as 1650
# instructions take, unless SVM_SWITCH_NS says otherwise.
ICOUNT_SHIFT=${ICOUNT_SHIFT:-2}
ICOUNT_QUANTUM_NS=${ICOUNT_QUANTUM_NS:-10000}
SVM_SWITCH_NS=${SVM_SWITCH_NS:-$((1650 << ICOUNT_SHIFT))}

# Kernel log lines that mean something went wrong in the guest kernel.
SPLAT_RE='BUG:|WARNING:|Oops|Kernel panic|general protection|UBSAN:|KASAN:|KCSAN:|possible circular locking|INFO: task .* blocked'

# splats LOG [GREP_ARGS...]: those lines of a kernel log (none: nothing).
splats() {
	local log=$1
	shift
	grep "$@" -E "$SPLAT_RE" "$log" || true
}

# nested_guest_problems DIR: what a user would notice first about the
# guests that scripts/guest/overcommit.sh ran with --out DIR: none ran (no
# console), one stopped and was booted again (kept as vmsK/guestN.diedM),
# or a guest's kernel log has a splat. Prints nothing when all is well.
nested_guest_problems() {
	local dir=$1 c f
	local -a consoles died
	mapfile -t consoles < <(find "$dir" -path '*/vms*/guest*/console.log' 2>/dev/null | sort)
	mapfile -t died < <(printf '%s\n' "${consoles[@]}" | grep '\.died[0-9]*/console\.log$')
	if [ "${#consoles[@]}" = 0 ]; then
		echo "no guest console under $dir"
	elif [ "${#died[@]}" -gt 0 ]; then
		printf '%d guest(s) stopped and were booted again; %s ends:\n%s\n' \
			"${#died[@]}" "${died[0]#"$dir"/}" "$(tail -n 5 "${died[0]}")"
	else
		for c in "${consoles[@]}"; do
			f=$(splats "$c" -m 3)
			[ -z "$f" ] || printf '%s: %s\n' "${c#"$dir"/}" "$f"
		done
	fi
}

# qemu_path: the QEMU that boots the patched kernel: $QEMU if set, else the
# project's (make qemu) when built, else Debian's.
qemu_path() {
	if [ -n "${QEMU:-}" ]; then
		echo "$QEMU"
	elif [ -x "$BUILD/qemu-build/qemu-system-x86_64" ]; then
		echo "$BUILD/qemu-build/qemu-system-x86_64"
	else
		echo qemu-system-x86_64
	fi
}

# host_has_kvm: this machine can run guests with hardware virtualisation.
host_has_kvm() {
	[ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo
}

# require_series_host: what make bench-host and make host-selftests need
# of a real host: its vendor's KVM module loaded (where udev has not),
# usable KVM, the running kernel with the series, debugfs mounted and
# open (not locked down).
require_series_host() {
	case "$(grep -m1 -ow 'vmx\|svm' /proc/cpuinfo || true)" in
	vmx) modprobe -q kvm_intel 2>/dev/null || true ;;
	svm) modprobe -q kvm_amd 2>/dev/null || true ;;
	esac
	host_has_kvm || die "no usable KVM (VMX or SVM and a writable /dev/kvm): if the CPU has them, enable them in the firmware (VT-x or AMD-V/SVM) and see 'dmesg | grep -i kvm'; without them, use the emulated host ('$MK bench-overcommit')"
	[ -e /sys/module/kvm/parameters/ipi_aware_yield ] ||
		die "the running kernel ($(uname -r)) does not have the series: install make deb's package and boot into it (docs/host.md)"
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	die_if_locked_down
}

# die_if_locked_down: stop when the kernel is locked down (Debian's
# kernels lock down under Secure Boot): debugfs then refuses every file
# that has a write bit, the scheduler's features and KVM's yield counters
# among them.
die_if_locked_down() {
	local mode
	mode=$(cat /sys/kernel/security/lockdown 2>/dev/null) || return 0
	case "$mode" in
	*'[none]'*) ;;
	*) die "the kernel is locked down ($mode), as Debian's are under Secure Boot: debugfs, where the benchmark sets the scheduler's feature and reads KVM's yield counters, is closed. Turn Secure Boot off for the trial (or 'mokutil --disable-validation' and reboot); docs/host.md" ;;
	esac
}

say()  { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# A script's usage is the comment at its top: --help prints it.
# shellcheck source=help.sh
. "$TOP/scripts/lib/help.sh"

# need_value "$@": in an option loop, for an option that takes a value.
need_value() { [ $# -ge 2 ] || die "$1 needs a value (see $0 --help)"; }

# Run a long command with its output going to LOG, showing a heartbeat
# (elapsed time and the log's last line) so the user sees progress.
run_logged() {
	local log=$1 label=$2 start pid rc=0
	shift 2
	start=$(date +%s)
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 15
		kill -0 "$pid" 2>/dev/null || break
		printf '    %s: %ds, %s\n' "$label" $(($(date +%s) - start)) \
			"$(tail -n 1 "$log" | cut -c1-90)" >&2
	done
	wait "$pid" || rc=$?
	printf '    %s: done in %ds (rc=%d, log: %s)\n' "$label" \
		$(($(date +%s) - start)) "$rc" "${log#"$TOP"/}" >&2
	return "$rc"
}

# apt_suite_opts: apt options that read the index of $SOURCE_SUITE from
# lists of its own under build/dl/apt-$SOURCE_SUITE, with a sources list
# derived from the machine's Debian entry (same archive, same keyring) and
# nothing else: the machine's own lists, sources and packages are never
# touched, so nothing on the machine can be upgraded from that suite.
# Prints nothing when no SOURCE_SUITE is set (the machine's apt serves it).
apt_suite_opts() {
	[ -n "$SOURCE_SUITE" ] || return 0
	local dir=$BUILD/dl/apt-$SOURCE_SUITE
	printf '%s\n' -o "Dir::Etc::SourceList=$dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$dir/lists" \
		-o "Dir::Cache=$dir/cache" -o Dir::State::status=/dev/null
}

# apt_suite_update: write the sources list of $SOURCE_SUITE and fetch its
# index (apt_suite_opts). A no-op without SOURCE_SUITE.
apt_suite_update() {
	[ -n "$SOURCE_SUITE" ] || return 0
	local dir=$BUILD/dl/apt-$SOURCE_SUITE uri=${DEBIAN_ARCHIVE:-} keyring opts
	# The machine's Debian archive: the first http(s) URI ending in /debian
	# of its deb822 or one-line sources (DEBIAN_ARCHIVE overrides it).
	[ -n "$uri" ] || uri=$({ cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
		sed -nE 's/^[[:space:]]*URIs:[[:space:]]+(https?:[^[:space:]]+\/debian)\/?[[:space:]]*$/\1/p' |
		awk 'NR == 1')
	[ -n "$uri" ] || uri=$({ cat /etc/apt/sources.list 2>/dev/null || true; } |
		sed -nE 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?(https?:[^[:space:]]+\/debian)\/?[[:space:]].*/\2/p' |
		awk 'NR == 1')
	[ -n "$uri" ] || die "no Debian archive (an http URI ending in /debian) in /etc/apt/sources.list{,.d}: cannot derive an entry for $SOURCE_SUITE; set DEBIAN_ARCHIVE to the archive's URI"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$keyring" ] || die "$keyring is missing: install debian-archive-keyring"
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$uri" "$SOURCE_SUITE" >"$dir/sources.list"
	mapfile -t opts < <(apt_suite_opts)
	apt-get -q "${opts[@]}" update >"$dir/update.log" 2>&1 ||
		{ tail -n 5 "$dir/update.log" >&2; die "could not read the index of $SOURCE_SUITE (log: ${dir#"$TOP"/}/update.log)"; }
}

# The base commit: the root commit of build/linux.
base_commit() {
	git -C "$TREE" rev-list --max-parents=0 HEAD | tail -n 1
}

# A base's series can come in parts, each a series that one maintainer
# takes, with its own folder and cover letter. 6.12, the LTS backport, is
# one series (patches/). 7.3 has the KVM series (patches-7.3/kvm/) and the
# scheduler series (patches-7.3/sched/), each on the base alone. The tree
# has them one after the other on its branch "series", the one checked out;
# its branch "kvm" ends where the KVM series does (the tree sets
# rebase.updateRefs, so that git rebase moves it along) and its branch
# "sched" is the scheduler series replayed on the base alone, which sync
# and export rebuild. Code below handles one or two parts.
PARTS=(.)
[ "$BASE" = 6.12 ] || PARTS=(kvm sched)

# The folder of part $1, and the tree's branch that ends with it.
part_dir() {
	if [ "$1" = . ]; then printf '%s\n' "$PATCHES"; else printf '%s\n' "$PATCHES/$1"; fi
}
part_branch() {
	if [ "$1" = . ]; then printf '%s\n' "$SERIES_BRANCH"; else printf '%s\n' "$1"; fi
}

# The patch files of part $1, in order, without the cover letter.
part_files() {
	local dir
	dir=$(part_dir "$1")
	[ -d "$dir" ] || return 0
	find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-*' | sort
}

# All the series' patch files, in the order the tree has them.
series_files() {
	local part
	for part in "${PARTS[@]}"; do
		part_files "$part"
	done
}

# The commit of the tree where the first part ends (HEAD if it is alone).
first_part_tip() {
	local tip
	if [ "${#PARTS[@]}" = 1 ]; then
		git -C "$TREE" rev-parse HEAD
		return
	fi
	tip=$(git -C "$TREE" rev-parse -q --verify "refs/heads/${PARTS[0]}") ||
		die "$TREE_NAME has no branch ${PARTS[0]} where the ${PARTS[0]} series ends: run '$MK tree FORCE=1'"
	git -C "$TREE" merge-base --is-ancestor "$tip" HEAD ||
		die "branch ${PARTS[0]} of $TREE_NAME is not below HEAD: rebase with --update-refs (the tree sets rebase.updateRefs) or set it with 'git -C $TREE_NAME branch -f ${PARTS[0]} COMMIT'"
	printf '%s\n' "$tip"
}

# replay_alone BRANCH COMMIT...: point BRANCH at the changes of the commits
# applied one by one to the base alone (fuzz 0, nothing checked out), with
# their messages and authors. Fails, naming the commit, if one does not.
replay_alone() {
	local branch=$1 parent index c tree
	shift
	parent=$(base_commit)
	index=$(mktemp)
	for c in "$@"; do
		GIT_INDEX_FILE=$index git -C "$TREE" read-tree "$parent"
		if ! git -C "$TREE" diff --binary "$c^" "$c" |
			GIT_INDEX_FILE=$index git -C "$TREE" apply --cached 2>/dev/null; then
			rm -f "$index"
			warn "$(git -C "$TREE" log -1 --format='%h ("%s")' "$c") does not apply to the base alone"
			return 1
		fi
		tree=$(GIT_INDEX_FILE=$index git -C "$TREE" write-tree)
		parent=$(git -C "$TREE" log -1 --format=%B "$c" |
			GIT_AUTHOR_NAME=$(git -C "$TREE" log -1 --format=%an "$c") \
			GIT_AUTHOR_EMAIL=$(git -C "$TREE" log -1 --format=%ae "$c") \
			GIT_AUTHOR_DATE=$(git -C "$TREE" log -1 --format=%aI "$c") \
			git -C "$TREE" commit-tree "$tree" -p "$parent")
	done
	rm -f "$index"
	git -C "$TREE" update-ref "refs/heads/$branch" "$parent"
}

# Rebuild the branch of the second part, on the base alone, from HEAD.
update_part_branches() {
	local commits tip
	[ "${#PARTS[@]}" -gt 1 ] || return 0
	tip=$(first_part_tip)
	mapfile -t commits < <(git -C "$TREE" rev-list --reverse "$tip..HEAD")
	replay_alone "${PARTS[1]}" "${commits[@]}" ||
		die "the ${PARTS[1]} series must apply to the base alone: make the commit above self-contained"
}

# The ref whose history, from the base, is part $1's series as posted.
part_ref() {
	if [ "$1" = . ]; then
		printf 'HEAD\n'
	else
		printf 'refs/heads/%s\n' "$1"
	fi
}

# The commits of all parts as they are posted (update_part_branches first),
# in the order of series_files.
series_commits() {
	local base part
	base=$(base_commit)
	for part in "${PARTS[@]}"; do
		git -C "$TREE" rev-list --reverse "$base..$(part_ref "$part")"
	done
}

kmake() {
	make -C "$TREE" O="$OBJ" CC="ccache gcc" HOSTCC="ccache gcc" -j"$JOBS" "$@"
}

# How the series is written to patches/ and compared with the commits.
# --zero-commit keeps the files stable across re-exports (commit ids
# differ per machine because `git am` stamps the committer date).
# --compact-summary: new files are marked in the diffstat instead of long
# "create mode" lines that would make the cover letter fail checkpatch.
FORMAT_PATCH_OPTS=(--zero-commit --no-signature --subject-prefix=PATCH --compact-summary)
SYNCED_REF=refs/harness/synced
SERIES_BRANCH=series

# A patch file with what differs between two exports of the same change
# removed: the "From <id>" line, the To/Cc headers, the [PATCH n/m]
# numbering and how it folds the subject, the blob ids of "index" lines
# (stale after a patch file is edited by hand) and the line numbers of
# hunks (a series that follows another in the tree is exported from the
# base alone).
normalize_patch() {
	awk 'function flush() {
		if (subj == "") return
		sub(/^Subject: \[PATCH [0-9]*\/[0-9]*\] /, "Subject: [PATCH] ", subj)
		print subj
		subj = ""
	     }
	     BEGIN { hdr = 1 }
	     NR == 1 { next }
	     hdr && insubj && /^[ \t]/ { s = $0; sub(/^[ \t]+/, " ", s); subj = subj s; next }
	     hdr && skip && /^[ \t]/ { next }
	     hdr { insubj = 0; skip = 0 }
	     hdr && /^$/ { flush(); hdr = 0; print; next }
	     hdr && /^(To|Cc): / { skip = 1; next }
	     hdr && /^Subject: / { flush(); subj = $0; insubj = 1; next }
	     /^index [0-9a-f]*\.\.[0-9a-f]*/ { next }
	     /^@@ -[0-9,]+ \+[0-9,]+ @@/ { sub(/^@@ -[0-9,]+ \+[0-9,]+ @@/, "@@") }
	     { print }' "$1"
}

# The cover letter's subject and blurb of part $1 (default: the first), as
# a branch description (first paragraph = subject), for format-patch
# --cover-from-description.
cover_description() {
	local cover tmp subject
	cover=$(part_dir "${1:-${PARTS[0]}}")/0000-cover-letter.patch
	[ -f "$cover" ] || return 0
	tmp=$(mktemp)
	subject=$(git mailinfo "$tmp" /dev/null <"$cover" | sed -n 's/^Subject: //p')
	printf '%s\n\n' "$subject"
	# The blurb ends where format-patch's shortlog ("Name (N):") begins.
	awk '/^[^ ].* \([0-9]+\):$/ { exit } { print }' "$tmp" |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
	rm -f "$tmp"
}

# Debian's tarball ships a .gitignore that ignores everything at the top
# level ("/*", for Debian's packaging repository), so a file added to
# build/linux is silently left out of `git add`. The tree is built out of
# tree, so any ignored file in it is such a new file: fail, naming them.
require_no_ignored_files() {
	local ignored
	ignored=$(git -C "$TREE" ls-files --others --ignored --exclude-standard | head -n 20)
	[ -z "$ignored" ] || die "$TREE_NAME has new files that its .gitignore (Debian's '/*') hides from 'git add':
$ignored
add them with 'git add -f' and commit (or delete them), then run this again"
}

# Fail unless build/linux holds only what patches/ holds (no unexported
# commits, no uncommitted edits, no interrupted git am).
require_tree_in_sync() {
	local head synced
	[ -d "$TREE/.git" ] || die "$TREE_NAME does not exist: run '$MK tree'"
	[ ! -d "$TREE/.git/rebase-apply" ] ||
		die "a 'git am' is stopped in $TREE_NAME: finish it ('git am --continue') or drop it ('git am --abort')"
	[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
		die "$TREE_NAME has uncommitted edits: commit them and run '$MK export', or discard them with '$MK tree FORCE=1'"
	require_no_ignored_files
	head=$(git -C "$TREE" rev-parse HEAD)
	synced=$(git -C "$TREE" rev-parse -q --verify "$SYNCED_REF" || true)
	if [ -n "$synced" ] && [ "$head" != "$synced" ]; then
		git -C "$TREE" log --oneline "$synced..HEAD" >&2 || true
		die "$TREE_NAME has commits that are not in $PATCHES_NAME (above): run '$MK export' to keep them, or '$MK tree FORCE=1' to drop them"
	fi
}

# --- The overcommit benchmark's runs.csv -----------------------------------
# One row per guest and run (scripts/guest/overcommit.sh writes it;
# scripts/bench/summarize.py and the checks read it by column name, so a column
# added here reaches them all).
RUNS_CSV_COLUMNS=workload,vms,config,rep,guest,rate,unit,secs,spin_exits
RUNS_CSV_COLUMNS+=,yield_ipi_receiver,yield_pending_irq,yield_preempted,yield_woken
RUNS_CSV_COLUMNS+=,yield_untiered,yield_failed,pv_yield_attempted,pv_yield_successful,yield_user

# csv_select CSV CONDITION COLUMN...: the named columns, space separated, of
# each row of CSV for which the awk CONDITION holds; in it v("name") is
# the row's value of a column (0 when the file has no such column).
csv_select() {
	local csv=$1 cond=$2
	shift 2
	awk -F, -v want="$*" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(want, w, " "); next }
		function v(name) { return (name in col) ? $col[name] : 0 }
		'"$cond"' { line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? " " : "") v(w[i]); print line }' "$csv"
}

# --- Test results -----------------------------------------------------------
# Every check appends "status<TAB>name<TAB>detail<TAB>seconds" to $RESULTS
# (status: ok, fail, skip; seconds: how long the test ran, empty when not
# timed) and prints the TAP line at once; scripts/check/report-results.sh prints
# the summary. A name stays the same from run to run: measurements go in
# the detail, durations in their own column.
RESULTS=${RESULTS:-$BUILD/check/results.tsv}

# Results of a base other than 6.12 are named with the base first. A
# guest's results are named by the host that reads them (guest_run), which
# gives the guest an empty RESULT_PREFIX: a guest script that sets BASE for
# a command of its own must not name them twice.
if [ -z "${RESULT_PREFIX+set}" ]; then
	RESULT_PREFIX=
	[ "$BASE" = 6.12 ] || RESULT_PREFIX="$BASE: "
fi

# result [--secs N] STATUS NAME [DETAIL...]: record one result and print
# its TAP line (nothing with RESULTS_QUIET set: a guest's results are
# printed by the host that boots it, guest_run). The detail is printed
# under a failure, and in one line under a pass.
result() {
	local secs="" status name n detail
	if [ "$1" = --secs ]; then
		secs=$2
		shift 2
	fi
	status=$1 name=$RESULT_PREFIX$2
	shift 2
	detail=$(printf '%s' "$*" | tr '\t' ' ')
	mkdir -p "$(dirname "$RESULTS")"
	printf '%s\t%s\t%s\t%s\n' "$status" "$name" "${detail//$'\n'/\\n}" "$secs" >>"$RESULTS"
	[ -z "${RESULTS_QUIET:-}" ] || return 0
	n=$(wc -l <"$RESULTS")
	case "$status" in
	ok)
		printf 'ok %d - %s%s\n' "$n" "$name" "${secs:+ (${secs} s)}"
		[ -z "$detail" ] || printf '#   %s\n' "${detail%%$'\n'*}"
		;;
	skip) printf 'ok %d - %s # SKIP %s\n' "$n" "$name" "${detail%%$'\n'*}" ;;
	*)
		printf 'not ok %d - %s%s\n' "$n" "$name" "${secs:+ (${secs} s)}"
		[ -z "$detail" ] || printf '%s\n' "$detail" | head -n 25 | sed 's/^/#   /'
		;;
	esac
}

# result_of NAME COMMAND...: run COMMAND (its output kept), record NAME ok,
# or failed with the end of the output; returns COMMAND's status.
# stage_alone NAME "$@": for a stage of make check that is also a target of
# its own. With --alone (returns 0) its results go to build/NAME/ and the
# summary ends it, exiting non-zero on a failure however the stage stops;
# with no argument it returns 1 (a stage of make check).
stage_alone() {
	local name=$1
	shift
	case "${1:-}" in
	--alone) ;;
	"") return 1 ;;
	*) die "unknown argument $1 (see $0 --help)" ;;
	esac
	export RESULTS=$BUILD/$name/results.tsv
	rm -rf "${BUILD:?}/$name"
	mkdir -p "$BUILD/$name"
	trap 'exec "$TOP/scripts/check/report-results.sh"' EXIT
}

result_of() {
	local name=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then
		result ok "$name"
	else
		result fail "$name" "$(tail -n 25 <<<"$out")"
	fi
	return "$rc"
}

# guest_run VMDIR PREFIX [VM-RUN OPTIONS...] -- COMMAND...: boot with
# scripts/vm/vm.sh --out VMDIR and run COMMAND, which records its results
# with result() into VMDIR/results.tsv without printing them; here each is
# recorded as it arrives, its name prefixed with PREFIX, and printed once,
# as TAP. Returns vm/vm.sh's exit code.
guest_run() {
	local vm=$1 prefix=$2 opts=() pid rc=0 line status name detail secs
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	rm -rf "$vm"
	mkdir -p "$vm"
	: >"$vm/results.tsv"
	"$TOP/scripts/vm/vm.sh" --out "$vm" "${opts[@]}" -- \
		env RESULTS="$vm/results.tsv" RESULTS_QUIET=1 RESULT_PREFIX= "$@" &
	pid=$!
	while IFS= read -r line; do
		# Split at \037, not at tabs: read would take two tabs (an empty
		# detail) as one separator.
		IFS=$'\037' read -r status name detail secs <<<"${line//$'\t'/$'\037'}"
		result --secs "$secs" "$status" "$prefix$name" "${detail//\\n/$'\n'}"
	done < <(tail -n +1 -s 0.5 -f --pid="$pid" "$vm/results.tsv")
	wait "$pid" || rc=$?
	return "$rc"
}

# guest_results VMDIR VMRUN_RC SUFFIX: record whether a boot got to the end
# and whether its kernel log is clean.
guest_results() {
	local dir=$1 rc=$2 sfx=$3
	if [ "$rc" -ne 0 ]; then
		result fail "guest: boots and runs the tests to the end$sfx" \
			"vm/vm.sh exited $rc; console: $dir/console.log" "$(tail -n 15 "$dir/console.log")"
	fi
	result_log_clean "guest: kernel log has no BUG/WARNING/Oops$sfx" "$dir/console.log"
}

# result_log_clean NAME LOG: record whether a kernel log has no splat.
result_log_clean() {
	local found
	if [ ! -s "$2" ]; then
		result fail "$1" "no kernel log at $2: the guest did not start"
		return
	fi
	found=$(splats "$2")
	if [ -z "$found" ]; then
		result ok "$1"
	else
		result fail "$1" "$found"
	fi
}

# guest_boot VMDIR TIMEOUT SUFFIX APPEND [VAR=VALUE...]: boot the patched
# kernel on the time-faithful host (APPEND added to its command line) and
# run the KVM selftests of $SELFTESTS_DIR there (guest/run-selftests.sh,
# with the VAR=VALUE settings), then record KUnit's results when APPEND
# enables it, and the boot's (guest_results, names ending in SUFFIX).
guest_boot() {
	local vm=$1 timeout=$2 sfx=$3 append=$4 rc=0 opts=()
	shift 4
	[ -z "$append" ] || opts=(--append "$append")
	CLOCK=icount guest_run "$vm" "" --timeout "$timeout" "${opts[@]}" -- \
		"$@" "$TOP/scripts/guest/run-selftests.sh" "$SELFTESTS_DIR/kvm" "$vm/logs" || rc=$?
	case " $append " in *" kunit.enable=1 "*) "$TOP/scripts/check/parse-kunit.sh" "$vm/console.log" ;; esac
	guest_results "$vm" "$rc" "$sfx"
}

