#!/usr/bin/env bash
# Runs inside a nested guest of the overcommit benchmark (started by
# scripts/guest-bench-overcommit.sh through scripts/vm-run.sh): prepares
# the workloads' inputs, says "ready", then runs the jobs the host writes
# into DIR, one at a time, until the job "quit".
#
#   DIR/job.N     one line: "WORKLOAD SECONDS" or "quit" (N = 1, 2, ...)
#   DIR/result.N  the workload's output, then "exit=<code>"
set -uo pipefail

dir=${1:?usage: $0 DIR}
workload=$(cd "$(dirname "$0")/../bench/guest" && pwd)/workload.sh
"$workload" prepare >"$dir/prepare.log" 2>&1 || {
	echo "prepare failed: $(tail -n 3 "$dir/prepare.log")" >"$dir/ready"
	exit 1
}
echo "ok $(nproc) CPUs, $(uname -r)" >"$dir/ready"
n=1
while :; do
	while [ ! -s "$dir/job.$n" ]; do sleep 0.1; done
	read -r name secs <"$dir/job.$n" || true
	[ "$name" = quit ] && exit 0
	rc=0
	"$workload" "$name" "$secs" >"$dir/result.$n.tmp" 2>&1 || rc=$?
	echo "exit=$rc" >>"$dir/result.$n.tmp"
	mv "$dir/result.$n.tmp" "$dir/result.$n"
	n=$((n + 1))
done
