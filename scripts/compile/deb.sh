#!/usr/bin/env bash
# Build Debian packages of the patched kernel for a real host: linux-image
# (kernel, modules, config, System.map) and linux-headers, configured with
# Debian's own amd64 configuration (linux-config-<base>), so that a host
# gets the kernel it already runs plus the series.
#   scripts/compile/deb.sh [--full] [--debug-info]
# Default, the server-trimmed variant: every built-in part of Debian's
# configuration, and of its modules only those a KVM host needs
# (config/deb-server-modules.list, with what they depend on).
#   --full         every module of Debian's configuration (hours here)
#   --debug-info   keep Debian's debug information and BTF (and a -dbg
#                  package; longer to build, larger packages)
# The packages land in build/deb/<variant>/ (BASE=7.3: build/deb-7.3/).
# The kernel release is <base version>-ipiyield-g<commit>-<variant>, the
# commit being the project's last one that changed what goes into the
# kernel (the series, config/, this script; -dirty when they have
# uncommitted changes): the packages install beside the distribution's
# kernel and never replace it.
# linux-libc-dev, which make bindeb-pkg also builds, is left out: it would
# replace the host's C library headers.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

variant=server debug_info=0
while [ $# -gt 0 ]; do
	case "$1" in
	--full) variant=full; shift ;;
	--debug-info) debug_info=1; shift ;;
	*) die "unknown argument $1 (see $0 --help)" ;;
	esac
done

"$TOP/scripts/source/deps.sh" deb
"$TOP/scripts/source/tree.sh"
require_tree_in_sync
debconfig=$("$TOP/scripts/source/fetch-debian-config.sh")

deb_dir=$BUILD/deb$BASE_SUFFIX/$variant
OBJ=$deb_dir/obj
mkdir -p "$OBJ"

# What the kernel release says: the base, the series, the project's commit.
inputs=("${PATCHES#"$TOP"/}" config scripts/compile/deb.sh)
commit=$(git -C "$TOP" log -1 --format=%h --abbrev=12 -- "${inputs[@]}")
dirty=
[ -z "$(git -C "$TOP" status --porcelain -- "${inputs[@]}")" ] || dirty=-dirty
# Set, even empty, LOCALVERSION keeps setlocalversion from adding a "+"
# for a git tree that is not at a tag.
export LOCALVERSION=
kversion=$(make -s -C "$TREE" kernelversion)
localversion=-ipiyield-g$commit$dirty-$variant
release=$kversion$localversion
pkgversion=$SOURCE_VERSION+ipiyield.g$commit${dirty:+.dirty}

modlist=$TOP/config/deb-server-modules.list
modules() { sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$modlist"; }

stamp=$({
	cat "$debconfig"
	[ "$variant" = full ] || modules
	echo "$variant $debug_info $localversion"
	git -C "$TREE" ls-files -s -- '*Kconfig*'
} | sha256sum | cut -d' ' -f1)

configure() {
	local opts=(--set-str LOCALVERSION "$localversion" --disable LOCALVERSION_AUTO
		# Debian's packages are signed by Debian's keys, not built into the
		# image; a build of its own trusts no extra key.
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "")
	[ "$debug_info" = 1 ] || opts+=(--disable DEBUG_INFO --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT
		--disable DEBUG_INFO_DWARF4 --disable DEBUG_INFO_DWARF5 --enable DEBUG_INFO_NONE)
	cp "$debconfig" "$OBJ/.config"
	"$TREE/scripts/config" --file "$OBJ/.config" "${opts[@]}"
	kmake -s olddefconfig
	if [ "$variant" = server ]; then
		# localmodconfig keeps the modules that an lsmod listing names.
		{
			echo "Module Size Used by"
			modules | awk '{ print $1, 0, 0 }'
		} >"$OBJ/server-modules.lsmod"
		kmake -s LSMOD="$OBJ/server-modules.lsmod" localmodconfig \
			>"$OBJ/localmodconfig.log" 2>&1 < <(yes '') ||
			{ tail -n 20 "$OBJ/localmodconfig.log" >&2; die "make localmodconfig failed (log: ${OBJ#"$TOP"/}/localmodconfig.log)"; }
		kmake -s olddefconfig
		# A gap in Kconfig that localmodconfig falls into: 7.3's SFC_CXL
		# (sfc's CXL support, built in) depends only on CXL_BUS, yet sfc
		# then calls into cxl_mem; with cxl_mem dropped, modpost fails at
		# the end of the build ("devm_cxl_probe_mem undefined"). Turn it
		# off as Kconfig would if it said so. Keeping cxl_mem instead turns
		# on CXL_SUSPEND, which include/linux/pm.h tests: every object
		# built again, for both bases.
		if grep -qx CONFIG_SFC_CXL=y "$OBJ/.config" &&
			! grep -qE '^CONFIG_CXL_MEM=[ym]$' "$OBJ/.config"; then
			"$TREE/scripts/config" --file "$OBJ/.config" --disable SFC_CXL
			kmake -s olddefconfig
		fi
	fi
	local sym
	for sym in KVM KVM_AMD KVM_INTEL; do
		grep -qx "CONFIG_$sym=m" "$OBJ/.config" ||
			die "CONFIG_$sym is not =m in the configuration (Debian builds KVM as modules): check $debconfig"
	done
	echo "$stamp" >"$OBJ/.config.stamp"
}

if [ ! -f "$OBJ/.config" ] || [ "$(cat "$OBJ/.config.stamp" 2>/dev/null)" != "$stamp" ]; then
	what="configuring $release from Debian's $(basename "$debconfig")"
	[ "$debug_info" = 1 ] || what+=", without debug information"
	say "$what"
	configure
fi
kmake -s olddefconfig
nmod=$(grep -c '=m$' "$OBJ/.config")
say "building the packages of $release ($variant: $nmod modules; $JOBS jobs, ccache)"
case "$variant" in
server) say "a cold build takes over an hour on 2 cores, a warm one minutes (docs/host.md: times)" ;;
full) say "a cold build of every module takes hours on 2 cores (docs/host.md: times)" ;;
esac
rm -f "$deb_dir"/*.deb "$deb_dir"/*.buildinfo "$deb_dir"/*.changes
run_logged "$deb_dir/build.log" "package build" \
	kmake bindeb-pkg KDEB_PKGVERSION="$pkgversion" || {
	grep -m 30 -E 'error|Error' "$deb_dir/build.log" >&2 || true
	die "the package build failed: see ${deb_dir#"$TOP"/}/build.log"
}
rm -f "$deb_dir"/linux-libc-dev_*.deb
built_release=$(cat "$OBJ/include/config/kernel.release")
[ "$built_release" = "$release" ] ||
	die "the kernel was built as $built_release, not $release: see ${OBJ#"$TOP"/}/include/config/kernel.release"

# Every module the list names is in the package (or built in): a name
# that no longer matches a module would silently drop a driver.
if [ "$variant" = server ]; then
	built=$(cat "$OBJ/modules.order" "$OBJ/modules.builtin" |
		sed -e 's|.*/||' -e 's/\.[ko]*$//' | tr - _ | sort -u)
	missing=()
	while read -r m; do
		grep -qx "${m//-/_}" <<<"$built" || missing+=("$m")
	done < <(modules)
	[ "${#missing[@]}" = 0 ] ||
		die "config/deb-server-modules.list names modules this configuration does not build: ${missing[*]} (renamed, or not in Debian's configuration: fix the list)"
fi

image=$(find "$deb_dir" -maxdepth 1 -name "linux-image-${release}_*.deb")
[ -n "$image" ] || die "no linux-image-${release}_*.deb in ${deb_dir#"$TOP"/}: see build.log there"
say "packages of $release in ${deb_dir#"$TOP"/}:"
ls -s --block-size=M "$deb_dir"/*.deb >&2
echo "$image"
