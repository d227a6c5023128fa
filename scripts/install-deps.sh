#!/usr/bin/env bash
# Install the Debian packages the harness needs (idempotent: does nothing
# when they are all there). python3-ply, python3-git: checkpatch's SPDX check.
# With the argument "qemu", also what building QEMU needs (build-qemu.sh).
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

pkgs=(git make gcc libc6-dev flex bison bc libelf-dev libssl-dev perl python3
	xz-utils ccache sparse qemu-system-x86 util-linux procps coreutils gawk
	shellcheck python3-ply python3-git)
if [ "${1:-}" = qemu ]; then
	# seabios, qemu-system-data: the firmware (BIOS, option ROMs) the built QEMU uses
	pkgs+=(ninja-build meson pkg-config libglib2.0-dev libpixman-1-dev
		libcap-ng-dev libattr1-dev libfdt-dev zlib1g-dev dpkg-dev
		qemu-system-data seabios)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run 'sudo $0' or install them"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null || die "apt-get update failed: check the apt sources and the network"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
fi
ccache -M 8G >/dev/null
