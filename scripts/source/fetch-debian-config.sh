#!/usr/bin/env bash
# Download Debian's kernel configuration for amd64 of the pinned base
# (linux-config-<base>, the version of the source package; its digest is
# DEBCONFIG_DEB_SHA256 in config/source.env, BASE=7.3: source-7.3.env) and
# print the path of the unpacked configuration: the one Debian's own
# linux-image-<version>-amd64 is built with.
#   scripts/source/fetch-debian-config.sh
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

pkg=${SOURCE_PACKAGE/linux-source/linux-config}
dl=$BUILD/dl
out=$dl/$pkg.config.amd64_none_amd64
mkdir -p "$dl"

sha_ok() { echo "$2  $1" | sha256sum --quiet -c - 2>/dev/null; }

deb=$(find "$dl" -maxdepth 1 -name "${pkg}_*_amd64.deb" | head -n 1)
if [ -z "$deb" ] || ! sha_ok "$deb" "$DEBCONFIG_DEB_SHA256"; then
	say "downloading $pkg=$SOURCE_VERSION (about 2 MB)"
	rm -f "$dl"/"$pkg"_*.deb
	[ -z "$SOURCE_SUITE" ] || [ -d "$BUILD/dl/apt-$SOURCE_SUITE/lists" ] || apt_suite_update
	mapfile -t apt_opts < <(apt_suite_opts)
	(cd "$dl" && apt-get download -q "${apt_opts[@]}" "$pkg=$SOURCE_VERSION") >"$dl/download-config.log" 2>&1 ||
		{ cat "$dl/download-config.log" >&2; die "$pkg=$SOURCE_VERSION cannot be downloaded: refresh the apt lists (apt-get update${SOURCE_SUITE:+, or delete build/dl/apt-$SOURCE_SUITE}) and retry"; }
	deb=$(ls "$dl"/"$pkg"_*_amd64.deb)
	sha_ok "$deb" "$DEBCONFIG_DEB_SHA256" ||
		die "$deb: SHA-256 is $(sha256sum "$deb" | cut -d' ' -f1), ${SOURCE_ENV#"$TOP"/} pins $DEBCONFIG_DEB_SHA256.
Delete the file and retry; if the archive really changed the package, re-pin with '$MK pin-source'."
	rm -f "$out"
fi
if [ ! -f "$out" ]; then
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO "./usr/src/$pkg/config.amd64_none_amd64.xz" | xz -dc >"$out.tmp" ||
		die "$deb has no usr/src/$pkg/config.amd64_none_amd64.xz"
	mv "$out.tmp" "$out"
fi
echo "$out"
