#!/usr/bin/env bash
# Record the digests of the package version named in config/source.env
# (BASE=7.3: config/source-7.3.env), and of Debian's kernel configurations
# of that version (linux-config-*, make deb).
# Use it only when moving the base on purpose.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

dl=$BUILD/dl
mkdir -p "$dl"
rm -f "$dl"/"$SOURCE_PACKAGE"_*.deb "$dl/$SOURCE_PACKAGE.tar.xz"
apt_suite_update
mapfile -t apt_opts < <(apt_suite_opts)
(cd "$dl" && apt-get download -q "${apt_opts[@]}" "$SOURCE_PACKAGE=$SOURCE_VERSION") ||
	die "apt-get could not download $SOURCE_PACKAGE=$SOURCE_VERSION (see 'apt-cache madison $SOURCE_PACKAGE'${SOURCE_SUITE:+ with the index of $SOURCE_SUITE})"
deb=$(ls "$dl"/"$SOURCE_PACKAGE"_*_all.deb)
deb_sha=$(sha256sum "$deb" | cut -d' ' -f1)
tar_sha=$(dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$SOURCE_PACKAGE.tar.xz" | sha256sum | cut -d' ' -f1)
config_pkg=${SOURCE_PACKAGE/linux-source/linux-config}
rm -f "$dl"/"$config_pkg"_*.deb "$dl/$config_pkg".config.*
(cd "$dl" && apt-get download -q "${apt_opts[@]}" "$config_pkg=$SOURCE_VERSION") ||
	die "apt-get could not download $config_pkg=$SOURCE_VERSION (make deb's configuration)"
config_sha=$(sha256sum "$dl"/"$config_pkg"_*_amd64.deb | cut -d' ' -f1)
sed -i -e "s/^SOURCE_DEB_SHA256=.*/SOURCE_DEB_SHA256=$deb_sha/" \
	-e "s/^SOURCE_TAR_SHA256=.*/SOURCE_TAR_SHA256=$tar_sha/" \
	-e "s/^DEBCONFIG_DEB_SHA256=.*/DEBCONFIG_DEB_SHA256=$config_sha/" \
	"$SOURCE_ENV"
say "pinned $SOURCE_PACKAGE=$SOURCE_VERSION: deb $deb_sha, tarball $tar_sha; $config_pkg $config_sha"
say "the base commit changes with the source: run '$MK tree FORCE=1' and '$MK export'"
