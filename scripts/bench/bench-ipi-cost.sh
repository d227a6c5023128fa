#!/usr/bin/env bash
# `make bench-ipi-cost`: what IPI tracking costs. Boots the patched kernel
# and runs a guest IPI ping-pong between two vCPUs on two CPUs, waiting in
# HLT, with kvm.ipi_aware_yield (which also switches tracking) off and on in
# alternating short intervals of one VM; prints round trips per second and
# the on/off ratio with its 95 % confidence interval. Output is kept in
# build/bench/ipi-cost-<date>.txt.
#   PAIRS=300 SECS=0.2 scripts/bench/bench-ipi-cost.sh
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

pairs=${PAIRS:-300} secs=${SECS:-0.2}
"$TOP/scripts/compile/prepare.sh"

log=$BENCH_DIR/ipi-cost-$(date -u +%Y%m%dT%H%M%SZ).txt
say "ping-pong: $pairs pairs of ${secs} s intervals (off/on alternating) inside the patched kernel"
# No halt polling: a halted vCPU must not spin on the CPU its partner needs.
"$TOP/scripts/vm/vm.sh" --timeout 1800 -- bash -c \
	"echo 0 >/sys/module/kvm/parameters/halt_poll_ns &&
	 echo \"# kernel \$(uname -r), \$(nproc) CPUs, \$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)\" &&
	 '$BENCH_DIR/ipi_yield_bench' -H -v 2 -p 2 -r '$pairs' -t '$secs'" | tee "$log"
say "kept in ${log#"$TOP"/}"
