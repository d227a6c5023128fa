#!/usr/bin/env bash
# Fetch Debian's QEMU source package (config/qemu.env) with `apt-get source`
# and unpack it, Debian's patches applied, into build/qemu-src (a git
# repository with that as its base commit, tag harness-base). apt checks
# the files against the signed Sources index. If the apt sources have no
# deb-src entry, one is added for the same archives (suites, components and
# keys) as the existing deb entries.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"
# shellcheck source=../../config/qemu.env
. "$TOP/config/qemu.env"

src=$BUILD/qemu-src
dl=$BUILD/dl/qemu
stamp="$QEMU_SOURCE_PACKAGE=$QEMU_SOURCE_VERSION"
if [ -f "$src/.harness-source" ] && [ "$(cat "$src/.harness-source")" = "$stamp" ]; then
	exit 0
fi

has_deb_src() {
	grep -rhsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ >/dev/null
}
if ! has_deb_src; then
	list=/etc/apt/sources.list.d/harness-deb-src.sources
	say "adding deb-src entries for the configured Debian archives ($list)"
	tmp=$(mktemp)
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk 'BEGIN { RS = ""; ORS = "\n\n" }
			     /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ {
				sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' "$f"
		done
		if [ -f /etc/apt/sources.list ]; then
			sed -nE 's/^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+)[[:space:]]+(.*)$/Types: deb-src\nURIs: \2\nSuites: \3\nComponents: \4\n/p' \
				/etc/apt/sources.list
		fi
	} >"$tmp"
	[ -s "$tmp" ] || { rm -f "$tmp"; die "no deb entries found in /etc/apt/sources.list{,.d}: cannot derive deb-src entries"; }
	install -m 0644 "$tmp" "$list"
	rm -f "$tmp"
fi

say "downloading the source of $stamp (about 90 MB)"
mkdir -p "$dl"
fetch() { (cd "$dl" && apt-get source -q --download-only "$stamp") >"$dl/download.log" 2>&1; }
if ! fetch && ! { say "refreshing the apt package lists and retrying"; apt-get update -q >/dev/null 2>&1 && fetch; }; then
	cat "$dl/download.log" >&2
	die "apt-get source $stamp failed. Versions served: $(apt-cache showsrc "$QEMU_SOURCE_PACKAGE" 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' ')
Set QEMU_SOURCE_VERSION in config/qemu.env to one of them."
fi

say "unpacking with Debian's patches into ${src#"$TOP"/}"
rm -rf "$src"
dsc=$(ls "$dl"/*.dsc)
dpkg-source --no-check -x "$dsc" "$src" >"$dl/unpack.log" 2>&1 ||
	{ tail -n 20 "$dl/unpack.log" >&2; die "dpkg-source -x $dsc failed"; }
# A git repository with the unpacked source as its base commit, for
# scripts/compile/qemu.sh to apply patches-qemu/ with git am.
(
	cd "$src"
	git init -q .
	git add -A -f .
	GIT_AUTHOR_DATE=$BASE_DATE GIT_COMMITTER_DATE=$BASE_DATE \
		git -c user.name="Debian $QEMU_SOURCE_PACKAGE" \
		-c user.email="$QEMU_SOURCE_PACKAGE@packages.debian.invalid" \
		commit -q -m "$QEMU_SOURCE_PACKAGE $QEMU_SOURCE_VERSION (Debian source, Debian patches applied)"
	git tag harness-base
) || die "could not import build/qemu-src into git"
echo "$stamp" >"$src/.harness-source"
