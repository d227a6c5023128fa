#!/usr/bin/env bash
# Harness self-test for the overcommit benchmark's pieces that do not need
# nested guests: each workload runs (natively, 1 s) and prints a positive
# rate; the summary of a made-up runs.csv has the medians, ranges, counts,
# changes and plot that the numbers give. Records one result per check.
# shellcheck source=../scripts/lib/lib.sh
. "$(dirname "$0")/../scripts/lib/lib.sh"

bin=$BENCH_BIN
[ -x "$bin/dedup" ] || die "the workloads are not built: run 'make bench'"
tmp=$BUILD/check/bench-tools
rm -rf "$tmp"
mkdir -p "$tmp"

if out=$(TMPDIR=$tmp BENCH_BIN=$bin VIPS_SIZE=200x150 "$TOP/bench/guest/workload.sh" prepare 2>&1); then
	for w in dedup vips ipi control; do
		line=$(TMPDIR=$tmp BENCH_BIN=$bin "$TOP/bench/guest/workload.sh" "$w" 1 2>&1 | tail -n 1) || true
		if grep -qE '^rate=[0-9.]*[1-9][0-9.]* unit=[A-Za-z/]+ ' <<<"$line"; then
			result ok "bench: workload $w runs and reports a rate (${line%% secs=*})"
		else
			result fail "bench: workload $w runs and reports a rate" "$line"
		fi
	done
else
	result fail "bench: workload inputs are prepared" "$out"
fi

# The nested guests' agent, natively: jobs run in order, a workload's
# process serves all its jobs (one start, one warm-up), a job that fails
# reports its exit code instead of hanging, and "quit" ends the agent.
a=$tmp/agent
mkdir -p "$a"
n=0
for job in "control 0.5" "control 0.5" "ipi 0.5" "nosuch 1" "quit"; do
	n=$((n + 1))
	echo "$job" >"$a/job.$n"
done
rc=0
TMPDIR=$tmp BENCH_BIN=$bin timeout 120 "$TOP/scripts/guest/nested-agent.sh" "$a" >"$a/agent.log" 2>&1 || rc=$?
ok=1
for n in 1 2 3; do
	grep -qE '^rate=[0-9.]*[1-9][0-9.]* ' "$a/result.$n" 2>/dev/null &&
		grep -qx 'exit=0' "$a/result.$n" || ok=0
done
if [ "$rc" = 0 ] && [ "$ok" = 1 ] && grep -q '^exit=[1-9]' "$a/result.4" 2>/dev/null &&
	[ "$(grep -c "^started in" "$a/serve-control.warmup" 2>/dev/null)" = 1 ]; then
	result ok "bench: guest agent runs jobs through one process per workload, reports a failing job, quits"
else
	result fail "bench: guest agent runs jobs through one process per workload, reports a failing job, quits" \
		"agent exit $rc" "$(tail -n 3 "$a"/result.* "$a/agent.log" 2>&1)"
fi

# Two configurations, three repetitions, two guests per run: the rate of a
# run is the mean of its guests; baseline runs 10, 12, 20 -> median 12;
# full runs 15, 18, 30 -> median 18 (+50 %).
d=$tmp/summary
mkdir -p "$d"
{
	echo "workload,vms,config,rep,guest,rate,unit,secs,spin_exits,yield_ipi_receiver,yield_pending_irq,yield_preempted,yield_woken,yield_untiered,yield_failed,pv_yield_attempted,pv_yield_successful"
	for run in "baseline 1 9 11" "baseline 2 12 12" "baseline 3 20 20" \
		"full 1 15 15" "full 2 17 19" "full 3 30 30"; do
		read -r c r g1 g2 <<<"$run"
		echo "ipi,2,$c,$r,1,$g1,calls/s,2,10,2,0,0,0,8,0,0,0"
		echo "ipi,2,$c,$r,2,$g2,calls/s,2,10,2,0,0,0,8,0,0,0"
	done
} >"$d/runs.csv"
if out=$(python3 "$TOP/scripts/bench/summarize.py" "$d" 2>&1) &&
	grep -qx 'ipi,2,baseline,12.00,10.00,20.00,3' "$d/summary.csv" &&
	grep -qx 'ipi,2,full,18.00,15.00,30.00,3' "$d/summary.csv" &&
	grep -q '| 18.00 (+50.0 %' "$d/summary.md" &&
	grep -q '^ipi,2,full,10.0,2.0,0.0,0.0,0.0,0.0,8.0' "$d/counters.csv" &&
	[ -s "$d/plot.png" ]; then
	result ok "bench: summary of a known runs.csv (medians, ranges, +50 %, counters, plot)"
else
	result fail "bench: summary of a known runs.csv" "$out" "$(cat "$d/summary.csv" 2>/dev/null)"
fi
