#!/usr/bin/env bash
# Install the Debian packages the harness needs (idempotent: does nothing
# when they are all there). python3-ply, python3-git: checkpatch's SPDX check.
# Arguments add groups: "qemu", what building QEMU needs (compile/qemu.sh);
# "bench", what the overcommit benchmark runs and plots with; "deb", what
# make deb and make deb-check need.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

pkgs=(git make gcc libc6-dev flex bison bc libelf-dev libssl-dev perl python3
	xz-utils ccache sparse zlib1g-dev qemu-system-x86 util-linux procps coreutils gawk
	shellcheck python3-ply python3-git)
for group in "$@"; do
	case "$group" in
	# seabios, qemu-system-data: the firmware (BIOS, option ROMs) the built QEMU uses
	qemu) pkgs+=(ninja-build meson pkg-config libglib2.0-dev libpixman-1-dev
		libcap-ng-dev libattr1-dev libfdt-dev dpkg-dev qemu-system-data seabios) ;;
	bench) pkgs+=(libvips-tools gnuplot-nox) ;;
	# make deb (bindeb-pkg: dpkg-dev, debhelper, rsync, kmod, cpio, and on 7.3
	# libdw-dev; pahole for BTF) and its check (kmod, cpio: the scratch
	# initramfs; its busybox-static is downloaded, not installed, as it
	# would replace a host's busybox: compile/deb-initramfs.sh)
	deb) pkgs+=(dpkg-dev debhelper rsync kmod cpio dwarves libdw-dev) ;;
	*) die "unknown package group '$group' (known: qemu, bench, deb)" ;;
	esac
done
missing=()
for p in "${pkgs[@]}"; do
	# Any gnuplot will do: installing gnuplot-nox would remove a host's
	# gnuplot-qt or gnuplot-x11 (they conflict).
	[ "$p" != gnuplot-nox ] || ! command -v gnuplot >/dev/null || continue
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run 'sudo $0' or install them"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || die "apt-get update failed: check the apt sources and the network"
	# --no-remove: never remove one of the host's packages to make room.
	apt-get install -y -q --no-install-recommends --no-remove "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed (it removes none of this machine's packages: if one conflicts, install the rest by hand)"
fi
ccache -M 8G >/dev/null
