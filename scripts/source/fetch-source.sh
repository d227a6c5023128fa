#!/usr/bin/env bash
# Download the pinned Debian kernel source package and check its digests.
# Prints the path of the verified source tarball.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

dl=$BUILD/dl
deb=$dl/${SOURCE_PACKAGE}_${SOURCE_VERSION/\~/%7e}_all.deb
deb_alt=$dl/${SOURCE_PACKAGE}_${SOURCE_VERSION}_all.deb
tarball=$dl/$SOURCE_PACKAGE.tar.xz
mkdir -p "$dl"

sha_ok() { echo "$2  $1" | sha256sum --quiet -c - 2>/dev/null; }

if [ -f "$tarball" ] && sha_ok "$tarball" "$SOURCE_TAR_SHA256"; then
	echo "$tarball"
	exit 0
fi

[ -f "$deb" ] || deb=$deb_alt
if ! [ -f "$deb" ] || ! sha_ok "$deb" "$SOURCE_DEB_SHA256"; then
	say "downloading $SOURCE_PACKAGE=$SOURCE_VERSION (about 150 MB)"
	rm -f "$dl"/"$SOURCE_PACKAGE"_*.deb
	mapfile -t apt_opts < <(apt_suite_opts)
	refresh() {
		if [ -n "$SOURCE_SUITE" ]; then apt_suite_update; else apt-get update -q >/dev/null 2>&1; fi
	}
	[ -z "$SOURCE_SUITE" ] || [ -d "$BUILD/dl/apt-$SOURCE_SUITE/lists" ] || refresh
	download() { (cd "$dl" && apt-get download -q "${apt_opts[@]}" "$SOURCE_PACKAGE=$SOURCE_VERSION") >"$dl/download.log" 2>&1; }
	if ! download && ! { say "refreshing the apt package lists and retrying"; refresh && download; }; then
		avail=$(apt-cache "${apt_opts[@]}" madison "$SOURCE_PACKAGE" 2>/dev/null |
			awk -F'|' '{gsub(/ /, "", $2); print "  " $2}')
		cat "$dl/download.log" >&2
		die "$SOURCE_PACKAGE=$SOURCE_VERSION cannot be downloaded.
Versions the configured apt sources serve now:
${avail:-  (none: ${SOURCE_SUITE:+the index of $SOURCE_SUITE (build/dl/apt-$SOURCE_SUITE) lists none; }check the network and the apt sources)}
To move the base: set SOURCE_VERSION in ${SOURCE_ENV#"$TOP"/} to one of them, run
'$MK pin-source' (records its digests), then '$MK tree FORCE=1', fix any
patch that no longer applies, and '$MK export'."
	fi
	deb=$(ls "$dl"/"$SOURCE_PACKAGE"_*_all.deb)
	sha_ok "$deb" "$SOURCE_DEB_SHA256" ||
		die "$deb: SHA-256 is $(sha256sum "$deb" | cut -d' ' -f1), ${SOURCE_ENV#"$TOP"/} pins $SOURCE_DEB_SHA256.
Delete the file and retry; if the archive really changed the package, re-pin with '$MK pin-source'."
fi

say "unpacking the source tarball from $(basename "$deb")"
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$SOURCE_PACKAGE.tar.xz" >"$tarball.tmp"
sha_ok "$tarball.tmp" "$SOURCE_TAR_SHA256" ||
	die "the tarball in $deb does not match SOURCE_TAR_SHA256 in ${SOURCE_ENV#"$TOP"/}"
mv "$tarball.tmp" "$tarball"
echo "$tarball"
