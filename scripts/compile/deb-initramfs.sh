#!/usr/bin/env bash
# Write the initramfs with which scripts/vm/vm.sh boots a kernel from a
# Debian package (make deb) installed in a scratch root: Debian's
# configuration builds 9p and overlayfs as modules, so before the host's
# root can be mounted over 9p they are loaded from ROOT/lib/modules/RELEASE
# (in the order modprobe resolves). Its /init then mounts the root as
# vm/vm.sh's command line says and hands over to the init= program there.
# A host boots the package with its own initramfs (update-initramfs); this
# one exists only for the runner.
#   scripts/compile/deb-initramfs.sh ROOT RELEASE OUT
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ $# = 3 ] || die "usage: $0 ROOT RELEASE OUT (see $0 --help)"
root=$1 release=$2 out=$3
moddir=$root/lib/modules/$release
[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep: install the package into $root first (make deb-check)"
# The initramfs has no libraries, so its busybox has to be the static one.
# Installing busybox-static would remove a host's own busybox (they
# conflict), so the package is downloaded and unpacked under build/dl.
busybox=$BUILD/dl/busybox-static/bin/busybox
if [ ! -x "$busybox" ]; then
	dl=$BUILD/dl
	mkdir -p "$dl"
	rm -rf "$dl"/busybox-static "$dl"/busybox-static_*.deb
	say "downloading busybox-static for the initramfs (unpacked into build/dl, not installed)"
	(cd "$dl" && apt-get download -q busybox-static) >"$dl/download-busybox.log" 2>&1 ||
		{ cat "$dl/download-busybox.log" >&2; die "busybox-static cannot be downloaded: refresh the apt lists (apt-get update) and retry"; }
	# Unpacked aside and moved into place: an interrupted unpack leaves
	# nothing that the next run would take for the binary.
	rm -rf "$dl/busybox-static.tmp"
	dpkg-deb -x "$dl"/busybox-static_*.deb "$dl/busybox-static.tmp" ||
		die "cannot unpack $(ls "$dl"/busybox-static_*.deb): delete it and retry"
	[ -x "$dl/busybox-static.tmp/bin/busybox" ] ||
		die "busybox-static has no bin/busybox: delete $dl/busybox-static* and retry"
	mv "$dl/busybox-static.tmp" "$dl/busybox-static"
fi
headers=$(readelf -lW "$busybox") || die "readelf cannot read $busybox: delete $BUILD/dl/busybox-static and retry"
! grep -q INTERP <<<"$headers" || die "$busybox is not a static binary: delete $BUILD/dl/busybox-static and retry"
modprobe=$(PATH=$PATH:/usr/sbin:/sbin command -v modprobe) || die "modprobe is missing: run 'scripts/source/deps.sh deb'"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,newroot,modules}
cp "$busybox" "$stage/bin/busybox"
for tool in sh mount umount mkdir insmod switch_root cat sleep; do
	ln -s busybox "$stage/bin/$tool"
done

# modprobe --show-depends prints "insmod FILE" for each module in the
# order they must load, dependencies first (a module two of them need,
# twice: loaded once).
n=0 loads="" seen=" "
while read -r verb file _; do
	[ "$verb" = insmod ] || continue
	case "$seen" in *" $file "*) continue ;; esac
	seen+="$file "
	n=$((n + 1))
	name=$(basename "$file")
	name=$(printf '%02d-%s' "$n" "${name%.ko*}.ko")
	case "$file" in
	*.xz) xz -dc "$file" >"$stage/modules/$name" ;;
	*.zst) zstd -qdc "$file" >"$stage/modules/$name" ;;
	*) cp "$file" "$stage/modules/$name" ;;
	esac
	loads+="insmod /modules/$name || fail 'cannot load $name'"$'\n'
done < <("$modprobe" -d "$root" -S "$release" --show-depends -a 9pnet_virtio 9p overlay)
[ "$n" -gt 0 ] || die "modprobe found no 9p module for $release under $root"

cat >"$stage/init" <<EOF
#!/bin/sh
# The runner's initramfs for $release (scripts/compile/deb-initramfs.sh).
fail() { echo "initramfs: \$*" >/dev/console; echo o >/proc/sysrq-trigger; while :; do sleep 1; done; }
mount -t proc proc /proc
mount -t devtmpfs devtmpfs /dev
$loads
set -- \$(cat /proc/cmdline)
rootflags="" init=/sbin/init
for arg; do
	case "\$arg" in
	rootflags=*) rootflags=\${arg#rootflags=} ;;
	init=*) init=\${arg#init=} ;;
	esac
done
mount -t 9p -o "ro,\$rootflags" /dev/root /newroot || fail "cannot mount the root over 9p"
umount /proc
mount --move /dev /newroot/dev
exec switch_root /newroot "\$init"
EOF
chmod +x "$stage/init"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
