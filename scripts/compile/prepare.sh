#!/usr/bin/env bash
# Everything a command that boots the patched kernel needs, each step
# incremental: the Debian packages, build/linux = pinned base + patches/
# (so that nothing runs on a stale tree after a pull), the kernel, QEMU
# with patches-qemu/, the KVM selftests and the benchmarks. Every entry
# point that boots the kernel calls this first; with nothing to do it
# takes seconds. Inside the harness's guest (a command that vm/vm.sh runs,
# whose file system is the host's, read-only) there is nothing to do: the
# host that booted it has prepared everything.
#   scripts/compile/prepare.sh [--host]
#   --host   for a real host's benchmark (scripts/bench/bench-overcommit.sh --host): all
#            but the project's QEMU, as its guests run under Debian's
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

# vm/init.sh's environment: the kernel command line's harness_out=.
[ -z "${harness_out:-}" ] || exit 0

host=0
case "${1:-}" in
--host) host=1 ;;
"") ;;
*) die "unknown argument $1 (see $0 --help)" ;;
esac
"$TOP/scripts/source/deps.sh" bench
"$TOP/scripts/source/tree.sh"
"$TOP/scripts/compile/kernel.sh"
[ "$host" = 1 ] || "$TOP/scripts/compile/qemu.sh"
"$TOP/scripts/compile/selftests.sh"
"$TOP/scripts/compile/bench.sh"
