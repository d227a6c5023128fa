#!/usr/bin/env bash
# Runs inside a nested guest of the overcommit benchmark (started by
# scripts/guest/overcommit.sh through scripts/vm/vm.sh): checks the
# workloads, says "ready", then runs the jobs the host writes into DIR, one
# at a time, until the job "quit".
#
#   DIR/job.N     one line: "WORKLOAD SECONDS" or "quit" (N = 1, 2, ...)
#   DIR/result.N  the workload's result line, "exit=<code>", and
#                 "wall=<seconds from request to answer, in this guest>"
#   DIR/done.N    empty, once result.N is complete
#
# Between jobs only builtins run (no process is started): the guest's root
# file system is the outer host's, and under CLOCK=icount every access to
# it completes at a wall-clock moment, which would shift the other guests'
# measured windows differently from one boot to the next.
#
# Each workload runs as one process per boot ("workload.sh serve NAME"),
# started at its first job with a first measurement of 1 s that is not
# reported (faulting in, first thread starts), then asked for one
# measurement per job: starting a program in a nested guest under
# emulation takes seconds, which every run would otherwise pay. The jobs
# come in workload order, so one such process lives at a time.
set -uo pipefail
# shellcheck source=../lib/help.sh
. "$(dirname "$0")/../lib/help.sh"

dir=${1:?usage: $0 DIR}
workload=$(cd "$(dirname "$0")/../../bench/guest" && pwd)/workload.sh
"$workload" prepare >"$dir/prepare.log" 2>&1 || {
	echo "prepare failed: $(tail -n 3 "$dir/prepare.log")" >"$dir/ready"
	exit 1
}
# A pipe nobody writes to: "read -t" on it sleeps without starting a
# process (each "sleep" would be a fork and exec, slow here).
exec {nap}<> <(:)
srv_name="" srv_in="" srv_out="" srv_pid=""

# request SECONDS: one measurement of the running server; prints its line.
request() {
	local line
	printf '%s\n' "$1" 1>&"$srv_in" || return 1
	IFS= read -r line <&"$srv_out" || return 1
	echo "$line"
}

stop_server() {
	[ -n "$srv_name" ] || return 0
	exec {srv_in}>&- {srv_out}<&-
	wait "$srv_pid" 2>/dev/null
	srv_name=""
}

# start_server NAME: the workload's process, warmed up by one run of 1 s.
start_server() {
	local t0=$EPOCHREALTIME
	stop_server
	coproc SERVER { exec "$workload" serve "$1" 2>"$dir/serve-$1.log"; }
	# Duplicates: bash forgets SERVER once the process exits.
	exec {srv_out}<&"${SERVER[0]}" {srv_in}>&"${SERVER[1]}"
	eval "exec ${SERVER[0]}<&- ${SERVER[1]}>&-"
	srv_pid=$SERVER_PID srv_name=$1
	request 1 >>"$dir/serve-$1.warmup" || return 1
	echo "started in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s" >>"$dir/serve-$1.warmup"
}

echo "ok $(nproc) CPUs, $(uname -r)" >"$dir/ready"
n=1
while :; do
	while [ ! -s "$dir/job.$n" ]; do read -rt 0.1 -u "$nap"; done
	read -r name secs <"$dir/job.$n" || true
	if [ "$name" = quit ]; then
		stop_server
		exit 0
	fi
	t0=${EPOCHREALTIME/./} rc=0
	{
		[ "$name" = "$srv_name" ] || start_server "$name" || rc=$?
		[ "$rc" != 0 ] || request "$secs" || rc=$?
		[ "$rc" = 0 ] || { stop_server; tail -n 5 "$dir/serve-$name.log"; }
		echo "exit=$rc"
		us=$((${EPOCHREALTIME/./} - t0))
		printf 'wall=%d.%02d\n' $((us / 1000000)) $((us % 1000000 / 10000))
	} >"$dir/result.$n" 2>&1
	: >"$dir/done.$n"
	n=$((n + 1))
done
