#!/usr/bin/env bash
# Everything a command that boots the patched kernel needs, each step
# incremental: the Debian packages, build/linux = pinned base + patches/
# (so that nothing runs on a stale tree after a pull), the kernel, QEMU
# with patches-qemu/, the KVM selftests and the benchmarks. Every entry
# point that boots the kernel calls this first; with nothing to do it
# takes seconds.
#   scripts/prepare.sh
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

"$TOP/scripts/install-deps.sh" bench
"$TOP/scripts/sync-tree.sh"
"$TOP/scripts/build-kernel.sh"
"$TOP/scripts/build-qemu.sh"
"$TOP/scripts/build-selftests.sh"
"$TOP/scripts/build-bench.sh"
