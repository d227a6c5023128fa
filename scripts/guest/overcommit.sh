#!/usr/bin/env bash
# The overcommit benchmark, run on a host whose kernel has the series (here:
# the patched kernel under emulation, started by scripts/bench/bench-overcommit.sh;
# on a real host the same script with real VMX/SVM). For each number of VMs
# it boots that many nested Linux guests of VCPUS vCPUs on the same CPUs,
# then runs each workload in all of them at once, once per configuration
# and repetition, configurations interleaved, the knobs flipped in between:
#
#   baseline  kvm.ipi_aware_yield=N  NO_YIELD_TO_HANDOFF  (6.12 behaviour)
#   kvm       kvm.ipi_aware_yield=Y  NO_YIELD_TO_HANDOFF
#   user      as kvm, and kvm.yield_to_user_mode=Y
#   sched     kvm.ipi_aware_yield=N  YIELD_TO_HANDOFF
#   full      kvm.ipi_aware_yield=Y  YIELD_TO_HANDOFF
#
# One line per guest and run goes to OUT/runs.csv: the workload's rate and,
# from this host's KVM statistics for that VM, the spin (pause-loop) exits,
# the directed yields by tier and the spins that yielded to nobody.
#
# The guests' job directories (jobs, results, consoles) live in WORK
# (default $TMPDIR or /tmp, in memory inside the harness's VM) and are
# copied to OUT/vmsK/ after each number of VMs (a guest that stopped, at
# once, when it is booted again, between runs): under CLOCK=icount this
# host is itself emulated, and a file access that reaches the outer host's
# disk (OUT is shared over 9p) completes at a wall-clock moment, so it
# would shift the measured windows differently from one boot to the next.
# Inside a run nothing here forks or touches OUT; each guest measures its
# window in its own clock.
#
#   scripts/guest/overcommit.sh --out DIR [--vms "1 2 3 4"]
#       [--workloads "dedup vips ipi control"] [--configs "baseline kvm sched full"]
#       [--reps 5] [--secs 8] [--vcpus N] [--mem 1G] [--append GUEST_KERNEL_ARGS]
#       [--work DIR]
# QEMU (environment): the QEMU that runs the guests (scripts/vm/vm.sh's);
# VIPS_SIZE: the vips workload's image (bench/guest/workload.sh).
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

out="" vms="1 2 3 4" workloads="dedup vips ipi control"
configs="baseline kvm sched full" reps=5 secs=8 vcpus=$(nproc) mem=1G append="" work=${TMPDIR:-/tmp}
vips_size=${VIPS_SIZE:-256x192} # bench/guest/workload.sh's default
while [ $# -gt 0 ]; do
	need_value "$@"
	case "$1" in
	--out) out=$2 ;;
	--vms) vms=$2 ;;
	--workloads) workloads=$2 ;;
	--configs) configs=$2 ;;
	--reps) reps=$2 ;;
	--secs) secs=$2 ;;
	--vcpus) vcpus=$2 ;;
	--mem) mem=$2 ;;
	--append) append=$2 ;;
	--work) work=$2 ;;
	*) die "unknown option $1 (see $0 --help)" ;;
	esac
	shift 2
done
[ -n "$out" ] || die "usage: $0 --out DIR [options]"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "$work/kvm-yield-bench.XXXXXX") ||
	die "cannot make a work directory in $work: give a writable one with --work"
param=/sys/module/kvm/parameters/ipi_aware_yield
features=/sys/kernel/debug/sched/features
modprobe -q kvm_amd 2>/dev/null || modprobe -q kvm_intel 2>/dev/null || true
[ -e "$param" ] || die "no $param: this kernel does not have the series"
[ -w "$param" ] || die "$param is not writable: run as root"
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
die_if_locked_down
grep -qwE '(NO_)?YIELD_TO_HANDOFF' "$features" || die "no YIELD_TO_HANDOFF in $features"
# shellcheck disable=SC2086
set -- $configs
for c; do
	case "$c" in baseline | kvm | user | sched | full) ;; *) die "unknown configuration $c" ;; esac
done
user_param=/sys/module/kvm/parameters/yield_to_user_mode
if [[ " $configs " = *" user "* ]]; then
	[ -w "$user_param" ] || die "no $user_param: configuration user needs a kernel with it"
fi

set_config() {
	case "$1" in
	baseline | sched) echo N >"$param" ;;
	*) echo Y >"$param" ;;
	esac
	if [ -w "$user_param" ]; then
		if [ "$1" = user ]; then echo Y >"$user_param"; else echo N >"$user_param"; fi
	fi
	case "$1" in
	baseline | kvm | user) echo NO_YIELD_TO_HANDOFF >"$features" ;;
	*) echo YIELD_TO_HANDOFF >"$features" ;;
	esac
}

stats=(spin_yield_ipi_receiver spin_yield_pending_irq spin_yield_preempted
	spin_yield_woken spin_yield_untiered spin_yield_none
	directed_yield_attempted directed_yield_successful spin_yield_user)
# vm_stats DEBUGFS_DIR: the counters above, space separated
# (read, not cat: no process per file, this runs between every two runs).
vm_stats() {
	local s v line=""
	for s in "${stats[@]}"; do
		{ read -r v <"$1/$s"; } 2>/dev/null || v=0
		line+="${v:-0} "
	done
	echo "$line"
}
# A pipe nobody writes to: "read -t" on it waits without starting a process.
exec {nap}<> <(:)

{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "host kernel: $(uname -r) ($(cut -d' ' -f1-3 /proc/version))"
	echo "host CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs"
	echo "host topology: $(lscpu | grep -E '^(Thread|Core|Socket)' | tr -s ' ' | paste -sd';')"
	echo "guests: $vcpus vCPUs, $mem each, kernel $(basename "$OBJ")/arch/x86/boot/bzImage, -accel kvm"
	echo "guest QEMU: $("$(qemu_path)" --version 2>/dev/null | head -n1), guest kernel args: ${append:-none}"
	echo "runs: vms=[$vms] workloads=[$workloads] configs=[$configs] reps=$reps secs=$secs vips_size=$vips_size"
	for p in /sys/module/kvm/parameters/* /sys/module/kvm_amd/parameters/* /sys/module/kvm_intel/parameters/*; do
		[ -r "$p" ] && echo "knob ${p#/sys/module/}: $(cat "$p" 2>/dev/null)"
	done
	echo "sched features: $(cat "$features")"
} >"$out/metadata.txt" 2>/dev/null

csv=$work/runs.csv
[ ! -s "$out/runs.csv" ] || cp "$out/runs.csv" "$csv"
[ -s "$csv" ] || echo "$RUNS_CSV_COLUMNS" >"$csv"
nw=$(wc -w <<<"$workloads") nc=$(wc -w <<<"$configs")
total=0
for k in $vms; do total=$((total + nw * nc * reps)); done
done_runs=0 bench_start=$EPOCHSECONDS
guest_pids=() gdirs=() kdirs=() jobn=() restarts=0

# save_work: what the runs so far left in WORK, into OUT.
save_work() {
	cp "$csv" "$out/runs.csv"
	[ -d "$work/vms$k" ] && cp -a "$work/vms$k" "$out/"
	rm -rf "${work:?}/vms$k"
}

# On an early exit: ask the guests still running to power off, stop them,
# keep their logs.
stop_guests() {
	local g p
	set_config full
	if [ "${#guest_pids[@]}" -gt 0 ]; then
		for ((g = 0; g < ${#gdirs[@]}; g++)); do
			echo quit >"${gdirs[g]}/job.$((jobn[g] + 1))" 2>/dev/null || true
		done
		sleep 5
		for p in "${guest_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	fi
	save_work
	rm -rf "$work"
}
k=0
trap stop_guests EXIT

# start_guest G: boot guest G (index into gdirs) in the background.
start_guest() {
	local d=${gdirs[$1]}
	rm -rf "$d"
	mkdir -p "$d"
	jobn[$1]=0
	ACCEL=kvm "$TOP/scripts/vm/vm.sh" --cpus "$vcpus" --mem "$mem" --out "$d" \
		--append "$append" --timeout 86400 -- \
		env VIPS_SIZE="$vips_size" BENCH_BIN="$BENCH_BIN" "$TOP/scripts/guest/nested-agent.sh" "$d" \
		>"$d/vm.log" 2>&1 &
	guest_pids[$1]=$!
}

# wait_guest G: until guest G is ready; then find its VM's statistics
# directory (/sys/kernel/debug/kvm/<QEMU pid>-<fd>). Fails if it stops.
wait_guest() {
	local d=${gdirs[$1]} t0 qpid
	t0=$EPOCHSECONDS
	while [ ! -s "$d/ready" ]; do
		kill -0 "${guest_pids[$1]}" 2>/dev/null || {
			warn "guest $d stopped while booting: $(grep -m1 error "$d/vm.log"); its console's last line: $(tail -n 1 "$d/console.log" 2>/dev/null)"
			return 1
		}
		[ $((EPOCHSECONDS - t0)) -lt 900 ] || die "guest $d did not boot in 900 s: see $d/console.log"
		sleep 1
	done
	grep -q '^ok' "$d/ready" || die "guest $d: $(cat "$d/ready")"
	qpid=$(pgrep -f "harness_out=$d " | head -n1) || die "cannot find the QEMU process of $d"
	kdirs[$1]=$(find /sys/kernel/debug/kvm -maxdepth 1 -name "$qpid-*" | head -n1)
	[ -n "${kdirs[$1]}" ] || die "no KVM debugfs directory for QEMU pid $qpid"
}

# restart_guest G: a guest died (see docs/benchmark.md: nested guests under
# emulation); boot it again, at most MAX_RESTARTS (default 40) times in the
# whole benchmark. The run it was in is repeated.
restart_guest() {
	restarts=$((restarts + 1))
	[ "$restarts" -le "${MAX_RESTARTS:-40}" ] ||
		die "guests stopped more than ${MAX_RESTARTS:-40} times; last: ${gdirs[$1]}/console.log"
	mv "${gdirs[$1]}" "${gdirs[$1]}.died$restarts"
	# Into OUT at once (no run is being measured now): WORK is lost if
	# whoever started this stops it before the end.
	if ! { mkdir -p "$out/vms$k" && cp -a "${gdirs[$1]}.died$restarts" "$out/vms$k/"; }; then
		warn "could not copy ${gdirs[$1]}.died$restarts to $out/vms$k/"
	fi
	warn "guest ${gdirs[$1]} stopped (console: $out/vms$k/$(basename "${gdirs[$1]}").died$restarts/console.log); booting it again"
	start_guest "$1"
	wait_guest "$1" || restart_guest "$1"
}

# run_once WORKLOAD CONFIG REP: the workload in every guest at once; appends
# to runs.csv. Returns 1, writing nothing, if a guest stopped meanwhile.
run_once() {
	local w=$1 c=$2 r=$3 g j res line rate spins before=() a b rows=() t0 start
	set_config "$c"
	start=$EPOCHREALTIME
	for ((g = 0; g < k; g++)); do before+=("$(vm_stats "${kdirs[g]}")"); done
	for ((g = 0; g < k; g++)); do
		jobn[g]=$((jobn[g] + 1))
		echo "$w $secs" >"${gdirs[g]}/job.${jobn[g]}"
	done
	t0=$EPOCHSECONDS
	for ((g = 0; g < k; g++)); do
		while [ ! -e "${gdirs[g]}/done.${jobn[g]}" ]; do
			# A guest that stops taking jobs (hung, not dead) is
			# stopped here, and then booted again below.
			if [ $((EPOCHSECONDS - t0)) -gt $((10 * secs + 300)) ]; then
				warn "guest ${gdirs[g]} did not finish its job in $((10 * secs + 300)) s: stopping it"
				pkill -f "harness_out=${gdirs[g]} " || true
				t0=$EPOCHSECONDS
			fi
			kill -0 "${guest_pids[g]}" 2>/dev/null || {
				# Let the others finish this run before it is repeated.
				for ((j = 0; j < k; j++)); do
					while [ "$j" != "$g" ] && kill -0 "${guest_pids[j]}" 2>/dev/null &&
						[ ! -e "${gdirs[j]}/done.${jobn[j]}" ]; do read -rt 0.2 -u "$nap"; done
				done
				restart_guest "$g"
				return 1
			}
			read -rt 0.2 -u "$nap"
		done
	done
	run_secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	rates=""
	for ((g = 0; g < k; g++)); do
		res=${gdirs[g]}/result.${jobn[g]}
		grep -q '^exit=0$' "$res" || die "$w failed in ${gdirs[g]}: $(tail -n 5 "$res")"
		line=$(grep -m1 '^rate=' "$res")
		rate=$(sed -E 's/^rate=([^ ]*).*/\1/' <<<"$line")
		unit=$(sed -E 's/.* unit=([^ ]*).*/\1/' <<<"$line")
		read -ra a <<<"${before[g]}"
		read -ra b <<<"$(vm_stats "${kdirs[g]}")"
		spins=0
		for j in 0 1 2 3 4 5 8; do spins=$((spins + b[j] - a[j])); done
		rows+=("$w,$k,$c,$r,$((g + 1)),$rate,$unit,$(sed -nE 's/.* secs=([^ ]*).*/\1/p' <<<"$line"),$spins,$((b[0] - a[0])),$((b[1] - a[1])),$((b[2] - a[2])),$((b[3] - a[3])),$((b[4] - a[4])),$((b[5] - a[5])),$((b[6] - a[6])),$((b[7] - a[7])),$((b[8] - a[8]))")
		rates+=" $rate"
	done
	printf '%s\n' "${rows[@]}" >>"$csv"
}

for k in $vms; do
	say "$k VM(s) of $vcpus vCPUs on $(nproc) CPUs: booting"
	gdirs=() guest_pids=() kdirs=() jobn=()
	t0=$EPOCHSECONDS
	# One after another: under emulation, three guests booting at once on
	# 2 CPUs did not all come up in 900 s.
	for ((g = 0; g < k; g++)); do
		gdirs[g]=$work/vms$k/guest$((g + 1))
		start_guest "$g"
		wait_guest "$g" || restart_guest "$g"
	done
	say "$k VM(s) booted in $((EPOCHSECONDS - t0)) s"

	for w in $workloads; do
		for ((r = 1; r <= reps; r++)); do
			# Interleave: each repetition runs every configuration, the
			# order rotated by one from one repetition to the next.
			# shellcheck disable=SC2086
			set -- $configs
			for ((i = 0; i < (r - 1) % nc; i++)); do set -- "${@:2}" "$1"; done
			for c; do
				until run_once "$w" "$c" "$r"; do :; done
				done_runs=$((done_runs + 1))
				el=$((EPOCHSECONDS - bench_start))
				printf '    [%d/%d] %d VM(s) %-7s rep %d/%d %-8s %s %s (run %s s; %d min %02d s elapsed, ~%d min left)\n' \
					"$done_runs" "$total" "$k" "$w" "$r" "$reps" "$c" "$rates" "$unit" "$run_secs" \
					$((el / 60)) $((el % 60)) $(((total - done_runs) * el / done_runs / 60)) >&2
			done
		done
	done
	for ((g = 0; g < k; g++)); do echo quit >"${gdirs[g]}/job.$((jobn[g] + 1))"; done
	for p in "${guest_pids[@]}"; do wait "$p" || true; done
	guest_pids=()
	save_work
done
set_config full
echo "guest restarts: $restarts" >>"$out/metadata.txt"
say "all runs done ($restarts guest restarts): $out/runs.csv"
