#!/usr/bin/env bash
# Check the Debian packages of make deb as a host would use them: what the
# packages hold, that they install beside the distribution's kernel, that
# dpkg installs them (into a scratch root, never this machine's /boot),
# and that the installed kernel boots under the runner with its own
# modules, where KVM loads, the series' knobs work and its selftests pass.
# Builds what is missing first (scripts/compile/prepare.sh, scripts/compile/deb.sh).
# Prints TAP and a summary; exit status 1 when a check failed.
#   scripts/check/deb-check.sh [--full]
#   --full   check the full-configuration packages (make deb-full)
# Results: build/deb/<variant>/check/results.tsv (BASE=7.3: build/deb-7.3/).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

opts=()
while [ $# -gt 0 ]; do
	case "$1" in
	--full) opts=(--full); shift ;;
	*) die "unknown argument $1 (see $0 --help)" ;;
	esac
done

[ "$(id -u)" = 0 ] || die "make deb-check installs packages into a scratch root with dpkg in a mount namespace of its own: run it as root (sudo make deb-check)"
"$TOP/scripts/compile/prepare.sh"
image=$("$TOP/scripts/compile/deb.sh" "${opts[@]}")
deb_dir=$(dirname "$image")
check=$deb_dir/check
export RESULTS=$check/results.tsv
rm -rf "$check"
mkdir -p "$check"

pkg=$(dpkg-deb -f "$image" Package)
release=${pkg#linux-image-}
headers=$(find "$deb_dir" -maxdepth 1 -name "linux-headers-${release}_*.deb")
files() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
files "$image" >"$check/image.files"
: >"$check/headers.files"
[ -z "$headers" ] || files "$headers" >"$check/headers.files"
# The release as a literal in the regular expressions below.
rel=${release//./\\.}
rel=${rel//+/\\+}

# has LIST REGEX...: every REGEX matches a line of LIST; prints the ones
# that do not.
has() {
	local list=$1 re
	shift
	for re; do grep -qE "$re" "$list" || echo "$re"; done
}

name="deb: linux-image holds the kernel, its config, System.map and the modules (kvm, kvm-amd, kvm-intel)"
m="(/usr)?/lib/modules/$rel"
missing=$(has "$check/image.files" "^/boot/vmlinuz-$rel\$" "^/boot/config-$rel\$" \
	"^/boot/System.map-$rel\$" "^$m/kernel/arch/x86/kvm/kvm\.ko" \
	"^$m/kernel/arch/x86/kvm/kvm-amd\.ko" "^$m/kernel/arch/x86/kvm/kvm-intel\.ko" \
	"^$m/modules\.(dep|order)")
if [ -z "$missing" ]; then
	result ok "$name ($(grep -c '\.ko' "$check/image.files") modules)"
else
	result fail "$name" "no file matches:" "$missing"
fi

name="deb: linux-headers holds what building a module for $release needs"
missing=$(has "$check/headers.files" "^/usr/src/linux-headers-$rel/Makefile\$" \
	"^/usr/src/linux-headers-$rel/include/config/auto\.conf\$" \
	"^/usr/src/linux-headers-$rel/include/generated/autoconf\.h\$" \
	"^/usr/src/linux-headers-$rel/Module\.symvers\$" \
	"^$m/build\$")
if [ -n "$headers" ] && [ -z "$missing" ]; then
	result ok "$name"
else
	result fail "$name" "${headers:-no linux-headers-$release package}" "$missing"
fi

# Installs beside the distribution's kernel: its own package names and
# no file that another kernel's package could also have.
name="deb: packages are named for $release and every file they install is its own"
shared=$(cat "$check/image.files" "$check/headers.files" | grep -v '/$' | grep -vF -- "$release" || true)
if [[ "$release" == *-ipiyield-g* ]] && [ -z "$shared" ]; then
	result ok "$name ($pkg $(dpkg-deb -f "$image" Version))"
else
	result fail "$name" "release $release; files without it:" "$shared"
fi

# Debian's configuration, as the package ships it.
name="deb: built with Debian's configuration, KVM as modules"
config=$deb_dir/obj/.config
debconfig=$("$TOP/scripts/source/fetch-debian-config.sh")
lost=$(comm -23 <(grep '=y$' "$debconfig" | sort) <(grep '=y$' "$config" | sort) |
	grep -vE '^CONFIG_(DEBUG_INFO|LOCALVERSION_AUTO|PAHOLE_|MODULE_ALLOW_BTF)' || true)
if grep -qx CONFIG_KVM=m "$config" && grep -qx CONFIG_KVM_AMD=m "$config" &&
	grep -qx CONFIG_KVM_INTEL=m "$config"; then
	result ok "$name ($(grep -c '=y$' "$config") built-in options; of Debian's, $(printf '%s' "$lost" | grep -c .) not set here${lost:+, e.g. $(printf '%s\n' "$lost" | head -n 3 | tr '\n' ' ')})"
else
	result fail "$name" "$(grep -E '^CONFIG_KVM(_AMD|_INTEL)?=' "$config")"
fi

# dpkg into a scratch root. The packages' maintainer scripts run the hooks
# in /etc/kernel (update-initramfs, update-grub; 7.3's also those in
# /usr/share/kernel): they run outside the scratch root
# (--force-script-chrootless), so both are hidden behind an empty
# directory for them, in a mount namespace of their own.
root=$deb_dir/root
rm -rf "$root"
# Laid out as a Debian host is (merged /usr: /lib is usr/lib).
mkdir -p "$root/usr/lib" "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$check/empty"
ln -s usr/lib "$root/lib"
: >"$root/var/lib/dpkg/status"
name="deb: dpkg installs linux-image and linux-headers into a scratch root"
# shellcheck disable=SC2016 # expanded by the inner shell
if [ -n "$headers" ] && unshare -m sh -c 'for d in /etc/kernel /usr/share/kernel; do
		if [ -d "$d" ]; then mount --bind "$1" "$d" || exit 1; fi
	done
	shift; exec dpkg --root="$@"' sh "$check/empty" "$root" --force-script-chrootless \
	--force-depends --force-bad-path --log="$check/dpkg.log" -i "$image" "$headers" \
	>"$check/dpkg.out" 2>&1 &&
	dpkg --root="$root" -s "$pkg" 2>/dev/null | grep -qx 'Status: install ok installed' &&
	[ -f "$root/boot/vmlinuz-$release" ]; then
	result ok "$name (${root#"$TOP"/})"
else
	result fail "$name" "$(tail -n 10 "$check/dpkg.out")"
fi

# Boot the installed kernel with its own modules on the time-faithful host.
vm=$check/vm
rc=0
initrd=$("$TOP/scripts/compile/deb-initramfs.sh" "$root" "$release" "$check/initramfs.img") &&
	CLOCK=icount guest_run "$vm" "" --kernel "$root/boot/vmlinuz-$release" \
		--initrd "$initrd" --modules "$root/lib/modules" --timeout 1200 -- \
		"$TOP/scripts/guest/deb.sh" "$release" "$SELFTESTS_DIR/kvm" "$vm/logs" || rc=$?
guest_results "$vm" "$rc" " (packaged kernel)"


# The overcommit benchmark's host path (scripts/bench/bench-overcommit.sh --host, as the
# README's "Trying it on your host" runs it) on the packaged kernel: its
# own KVM runs a guest of twice as many vCPUs as it has CPUs, IPI load,
# the series off then on, nothing set for the emulator (no pause-filter
# threshold, no guest kernel arguments).
bench=$check/bench
mkdir -p "$bench"
rc=0
CLOCK=icount "$TOP/scripts/vm/vm.sh" --kernel "$root/boot/vmlinuz-$release" \
	--initrd "$initrd" --modules "$root/lib/modules" --cpus 4 --mem 3G --out "$bench" --timeout 1800 -- \
	env BASE="$BASE" BENCH_DIR="$bench/bench" RESULTS_DIR="$bench/results" VMS=1 VCPUS=8 WORKLOADS=ipi \
	CONFIGS="baseline full" REPS=1 SECS=10 "$TOP/scripts/bench/bench-overcommit.sh" --host || rc=$?
name="deb: the overcommit benchmark's host path runs on the packaged kernel; its directed yields go by tier with the series on, untiered with it off"
csv=$bench/results/runs.csv
tiered() { # CONFIG: spin exits, yields by a tier of the series, untiered yields
	csv_select "$csv" "v(\"config\") == \"$1\"" spin_exits yield_ipi_receiver \
		yield_pending_irq yield_preempted yield_woken yield_untiered |
		awk '{ print $1, $2 + $3 + $4 + $5, $6 }'
}
if [ "$rc" = 0 ] && [ -s "$csv" ]; then
	read -r base_spins base_tiered base_untiered < <(tiered baseline) || true
	read -r full_spins full_tiered full_untiered < <(tiered full) || true
	thresh=$(sed -n 's/^knob kvm_amd\/parameters\/pause_filter_thresh: //p' "$bench/results/metadata.txt")
	counts="spin exits ${base_spins:-none} off, ${full_spins:-none} on; yields off: ${base_tiered:-none} by tier, ${base_untiered:-none} untiered; on: ${full_tiered:-none} by tier, ${full_untiered:-none} untiered"
	if [ "${base_spins:-0}" -gt 0 ] && [ "${full_spins:-0}" -gt 0 ] &&
		[ "${base_tiered:-1}" = 0 ] && [ "${base_untiered:-0}" -gt 0 ] &&
		[ "${full_tiered:-0}" -gt 0 ] && [ "${full_untiered:-1}" = 0 ] &&
		grep -q '^host: ' "$bench/results/metadata.txt"; then
		result ok "$name" "$counts; kvm_amd.pause_filter_thresh=$thresh"
	else
		result fail "$name" "$counts:" "$(cat "$csv")"
	fi
else
	result fail "$name" "scripts/bench/bench-overcommit.sh --host exited $rc; console: $bench/console.log" "$(tail -n 15 "$bench/.output" 2>/dev/null)"
fi
result_log_clean "deb: kernel log has no BUG/WARNING/Oops (packaged kernel, benchmark)" "$bench/console.log"

# Its guest, as a host's user would see it.
name="deb: the benchmark's guest boots once and its kernel log has no BUG/WARNING/Oops"
problems=$(nested_guest_problems "$bench/bench")
if [ -z "$problems" ]; then
	result ok "$name"
else
	result fail "$name" "$problems"
fi

"$TOP/scripts/check/report-results.sh"
