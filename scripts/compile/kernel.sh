#!/usr/bin/env bash
# Configure (x86_64_defconfig + kvm_guest.config + config/kernel.config)
# and build the kernel in build/linux into build/obj with ccache.
# Extra arguments go to make (e.g. W=1, or targets). EXTRA_CONFIG: one more
# fragment merged last (the debug variant: OBJ=build/obj-debug
# EXTRA_CONFIG=config/kernel-debug.config, as `make kernel-debug` does).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

[ -e "$TREE/.git" ] || die "$TREE_NAME does not exist: run '$MK tree' first"
mkdir -p "$OBJ"

fragments=("$TOP/config/kernel.config")
if [ -n "${EXTRA_CONFIG:-}" ]; then
	[ -f "$EXTRA_CONFIG" ] || die "no config fragment $EXTRA_CONFIG"
	fragments+=("$(cd "$(dirname "$EXTRA_CONFIG")" && pwd)/$(basename "$EXTRA_CONFIG")")
fi
inputs=("$TREE/arch/x86/configs/x86_64_defconfig"
	"$TREE/kernel/configs/kvm_guest.config" "${fragments[@]}")
# The configuration is redone when a fragment changes, or a Kconfig file of
# the tree (a series that adds a symbol that a fragment sets).
stamp=$({ cat "${inputs[@]}"; git -C "$TREE" ls-files -s -- '*Kconfig*'; } |
	sha256sum | cut -d' ' -f1)

# Check that every line of the fragments holds in the final .config.
verify_config() {
	local line sym want got bad=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*} want=${line#*=}
		got=$(sed -n "s/^$sym=//p" "$OBJ/.config")
		[ -n "$got" ] || got=n
		# A symbol that this tree does not define (one the series adds,
		# when building the unpatched base) cannot be set.
		if [ "$got" != "$want" ] &&
			! grep -rqsE --include='Kconfig*' "^(menu)?config ${sym#CONFIG_}\$" "$TREE"; then
			continue
		fi
		if [ "$got" != "$want" ]; then
			warn "the config fragments ask $sym=$want, olddefconfig gave $sym=$got"
			bad=1
		fi
	done < <(cat "${fragments[@]}")
	[ "$bad" = 0 ] || die "fix ${fragments[*]#"$TOP"/} (a dependency is missing or the symbol was renamed)"
}

if [ ! -f "$OBJ/.config" ] || [ "$(cat "$OBJ/.config.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "configuring the kernel"
	kmake -s x86_64_defconfig
	(cd "$TREE" && scripts/kconfig/merge_config.sh -m -O "$OBJ" "$OBJ/.config" \
		kernel/configs/kvm_guest.config "${fragments[@]}") >"$OBJ/merge.log" 2>&1 ||
		{ cat "$OBJ/merge.log" >&2; die "merge_config.sh failed"; }
	echo "$stamp" >"$OBJ/.config.stamp"
fi
# Every time: a Kconfig symbol that the series added or changed since the
# last configuration takes its default instead of stopping the build at a
# prompt, and the fragments must still hold.
kmake -s olddefconfig
verify_config

say "building the kernel ($JOBS jobs, ccache; cold about 10 min, incremental < 2 min)"
run_logged "$OBJ/build.log" "kernel build" kmake "${@:-bzImage}" || {
	grep -E 'error|Error' "$OBJ/build.log" | head -n 30 >&2
	die "the kernel build failed: see ${OBJ#"$TOP"/}/build.log"
}
ls -l "$OBJ/arch/x86/boot/bzImage" >&2
