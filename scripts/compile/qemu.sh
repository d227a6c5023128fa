#!/usr/bin/env bash
# Build QEMU with the patches in patches-qemu/ (the emulated SVM pause
# filter) on Debian's QEMU source: x86_64 system emulator only, TCG and KVM,
# virtio-9p, nothing else; ccache. Result: build/qemu-build/qemu-system-x86_64,
# which scripts/vm/vm.sh then uses (QEMU=qemu-system-x86_64 for Debian's).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"
# shellcheck source=../../config/qemu.env
. "$TOP/config/qemu.env"

src=$BUILD/qemu-src
out=$BUILD/qemu-build
"$TOP/scripts/source/deps.sh" qemu
"$TOP/scripts/source/fetch-qemu-source.sh"

# The source at harness-base + patches-qemu/, re-applied when they change.
mapfile -t qpatches < <(find "$TOP/patches-qemu" -name '*.patch' | sort)
want=$( { echo "$QEMU_SOURCE_VERSION"; cat "${qpatches[@]}"; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$src/.harness-patches" 2>/dev/null)" != "$want" ]; then
	say "applying ${#qpatches[@]} patch(es) from patches-qemu/ to $QEMU_SOURCE_PACKAGE $QEMU_SOURCE_VERSION"
	git -C "$src" am --abort >/dev/null 2>&1 || true
	git -C "$src" checkout -q -f -B harness harness-base
	for p in "${qpatches[@]}"; do
		git -C "$src" -c user.name=harness -c user.email=harness@invalid \
			am -q --committer-date-is-author-date "$p" ||
			die "patches-qemu/$(basename "$p") does not apply to $QEMU_SOURCE_PACKAGE $QEMU_SOURCE_VERSION"
	done
	echo "$want" >"$src/.harness-patches"
fi

opts=(--target-list=x86_64-softmmu --without-default-features --enable-tcg
	--enable-kvm --enable-virtfs --enable-attr --enable-cap-ng
	--enable-fdt=system --disable-docs --disable-werror
	--cc=/usr/lib/ccache/gcc --cxx=/usr/lib/ccache/g++
	--host-cc=/usr/lib/ccache/gcc)
if [ ! -f "$out/build.ninja" ] || [ "$(cat "$out/.harness-configure" 2>/dev/null)" != "${opts[*]}" ]; then
	say "configuring QEMU (x86_64-softmmu only)"
	rm -rf "$out"
	mkdir -p "$out"
	(cd "$out" && "$src/configure" "${opts[@]}") >"$BUILD/qemu-configure.log" 2>&1 || {
		tail -n 20 "$BUILD/qemu-configure.log" >&2
		die "QEMU's configure failed: see build/qemu-configure.log"
	}
	echo "${opts[*]}" >"$out/.harness-configure"
fi

say "building qemu-system-x86_64 ($JOBS jobs, ccache; cold about 6 min on 2 cores)"
run_logged "$out/ninja.log" "QEMU build" ninja -C "$out" -j"$JOBS" qemu-system-x86_64 || {
	grep -E 'error' "$out/ninja.log" | head -n 20 >&2
	die "the QEMU build failed: see build/qemu-build/ninja.log"
}
"$out/qemu-system-x86_64" --version | head -n 1 >&2
