#!/usr/bin/env bash
# Boot the patched kernel under QEMU with the host's root file system shared
# read-only over 9p, run one command inside it, stream its output and exit
# with its exit code (virtme-ng style).
#
#   scripts/vm/vm.sh [options] [--] command [args...]
#   scripts/vm/vm.sh --shell            interactive shell on the console
#
# Options:
#   --kernel FILE   bzImage (default build/obj/arch/x86/boot/bzImage)
#   --cpus N        vCPUs (default: host CPUs)      --mem SIZE (default 4G)
#   --timeout SEC   give up after SEC seconds (default 1800)
#   --out DIR       writable directory shared with the guest at the same
#                   path (default: a fresh one under build/vm/)
#   --append ARGS   extra kernel command line
#   --console FILE  where the kernel console goes (default DIR/console.log)
#   --initrd FILE   an initramfs to boot with (a packaged kernel's modules:
#                   scripts/compile/deb-initramfs.sh)
#   --modules DIR   the guest's /lib/modules (a packaged kernel installed
#                   in a scratch root: ROOT/lib/modules)
# Environment: QEMU=path of qemu-system-x86_64 (default: the one
# scripts/compile/qemu.sh built, with the emulated pause filter, if there is
# one, else Debian's); ACCEL=kvm|tcg (default: kvm when /dev/kvm offers VMX/SVM),
# TCG_THREAD=multi|single (default multi); QEMU_CPU=the -cpu model (default host
# with kvm, max with tcg).
# CLOCK=icount runs the time-faithful host (docs/icount.md): TCG on one
# thread, guest time advancing with the instructions executed
# (ICOUNT_SHIFT: 2^N ns an instruction), each vCPU's turn at most
# ICOUNT_QUANTUM_NS of guest time, each SVM world switch charged
# SVM_SWITCH_NS (defaults in scripts/lib/lib.sh). Needs the project's QEMU.
# CLOCK=wall (the default) is multi-threaded TCG on the wall clock.
# Exit codes: the command's; 124 timeout; 125 the guest never ran the command
# to completion (boot failure, panic, crash): the console's tail is printed.
# shellcheck source=../lib/lib.sh
. "$(dirname "$0")/../lib/lib.sh"

kernel=$OBJ/arch/x86/boot/bzImage
cpus=$(nproc) mem=4G timeout=1800 out="" append="" console="" shell=0 initrd="" modules=""
while [ $# -gt 0 ]; do
	case "$1" in --shell | --) ;; --*) need_value "$@" ;; esac
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--cpus) cpus=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--console) console=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	--modules) modules=$2; shift 2 ;;
	--shell) shell=1; shift ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see $0 --help)" ;;
	*) break ;;
	esac
done
[ "$shell" = 1 ] || [ $# -gt 0 ] || die "no command given: scripts/vm/vm.sh [options] -- command [args...]"
[ -f "$kernel" ] || die "no kernel at $kernel: run 'make kernel' first"
[ -z "$initrd" ] || [ -f "$initrd" ] || die "no initramfs at $initrd"
[ -z "$modules" ] || [ -d "$modules" ] || die "no module directory $modules"
qemu_bin=$(qemu_path)
command -v "$qemu_bin" >/dev/null || die "$qemu_bin is missing: run 'make deps' (Debian's QEMU) or 'make qemu'"
qemu_extra=() pause_args=""
clock=${CLOCK:-wall}
case "$clock" in
wall | icount) ;;
*) die "CLOCK must be wall or icount (see the comment at the top of $0)" ;;
esac
case "$qemu_bin" in
*/*)
	# A QEMU built here has no firmware of its own: use Debian's.
	qemu_extra=(-L /usr/share/seabios -L /usr/share/qemu)
	# Its emulated pause filter counts PAUSEs closer together than
	# kvm_amd.pause_filter_thresh TSC cycles as one loop. Emulated, a PAUSE
	# loop takes microseconds an iteration, not the tens of cycles that
	# KVM's default of 128 assumes: allow up to 65535 (25 us at 2.6 GHz).
	# Under icount a loop's PAUSEs are as close in guest time as on
	# hardware (patches-qemu/0004, 0007): KVM's own default stands.
	[ "$clock" = icount ] ||
		pause_args="kvm_amd.pause_filter_thresh=${PAUSE_FILTER_THRESH:-65535}"
	;;
*)
	[ "$clock" = wall ] ||
		die "CLOCK=icount needs the project's QEMU (patches-qemu/): run 'make qemu', and leave QEMU unset"
	;;
esac

if [ -z "$out" ]; then
	mkdir -p "$BUILD/vm"
	out=$(mktemp -d "$BUILD/vm/run.XXXXXX")
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
# The guest mounts its own /run, /dev, /proc and /sys over the host's.
for p in "$TOP" "$out"; do
	case "$p/" in /run/* | /dev/* | /proc/* | /sys/*)
		die "$p is hidden inside the guest (it mounts its own ${p%"${p#/*/}"}): move the checkout or --out elsewhere" ;;
	esac
done
console=${console:-$out/console.log}
rm -f "$out/.exit-code" "$out/.output" "$out/.command"
[ "$shell" = 1 ] || printf '%q ' "$@" >"$out/.command"

accel=${ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	if [ "$clock" = wall ] && host_has_kvm; then
		accel=kvm
	fi
fi
[ "$clock" = wall ] || [ "$accel" = tcg ] || die "CLOCK=icount needs ACCEL=tcg: instruction counting is TCG's"
# The threshold calibration is for emulated PAUSE loops only.
[ "$accel" = tcg ] || pause_args=""
case "$accel" in
kvm) accel_args=(-accel kvm -cpu "${QEMU_CPU:-host}") ;;
tcg)
	if [ "$clock" = icount ]; then
		accel_args=(-accel "tcg,thread=single,tb-size=512"
			-icount "shift=$ICOUNT_SHIFT,sleep=off,quantum=$ICOUNT_QUANTUM_NS"
			-cpu "${QEMU_CPU:-max},x-svm-switch-ns=$SVM_SWITCH_NS")
	else
		accel_args=(-accel "tcg,thread=${TCG_THREAD:-multi},tb-size=512" -cpu "${QEMU_CPU:-max}")
	fi
	;;
*) die "ACCEL must be kvm or tcg" ;;
esac

cmdline="console=ttyS0 root=/dev/root rootfstype=9p ro"
cmdline+=" rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose"
cmdline+=" init=$TOP/scripts/vm/init.sh panic=-1"
cmdline+=" harness_out=$out harness_cwd=$PWD"
[ "$shell" = 0 ] || cmdline+=" harness_mode=shell"
[ -z "$modules" ] || cmdline+=" harness_modules=$(cd "$modules" && pwd)"
cmdline+=" $pause_args $append"

qemu=("$qemu_bin" "${qemu_extra[@]}" "${accel_args[@]}" -smp "$cpus" -m "$mem"
	-nodefaults -no-user-config -display none -no-reboot
	-kernel "$kernel" ${initrd:+-initrd "$initrd"} -append "$cmdline"
	-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
	-device "virtio-9p-pci,fsdev=root,mount_tag=/dev/root"
	-fsdev "local,id=out,path=$out,security_model=none,multidevs=remap"
	-device "virtio-9p-pci,fsdev=out,mount_tag=out")

if [ "$shell" = 1 ]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

: >"$console"
start=$EPOCHSECONDS
# -d cpu_reset: with -no-reboot a triple fault ends QEMU without a word in
# the console; QEMU's reset log then ends with "Triple fault" (the state it
# dumps is that of the power-on resets, not of the fault).
"${qemu[@]}" -serial "file:$console" -monitor none -d cpu_reset -D "$out/qemu-reset.log" \
	</dev/null 2>"$out/qemu.stderr" &
qpid=$!
# Stream the command's output as the guest writes it.
(
	while [ ! -e "$out/.output" ] && kill -0 "$qpid" 2>/dev/null; do sleep 0.5; done
	[ -e "$out/.output" ] && exec tail -n +1 -s 0.5 -f --pid="$qpid" "$out/.output"
) &
tpid=$!
rc=""
# Builtins only (no process per second): run inside an emulated host, as
# the overcommit benchmark's nested guests are, every exec here would reach
# the outer host's disk while the guests are being measured.
exec {nap}<> <(:)
while kill -0 "$qpid" 2>/dev/null; do
	if [ $((EPOCHSECONDS - start)) -ge "$timeout" ]; then
		kill "$qpid" 2>/dev/null || true
		rc=124
		break
	fi
	read -rt 1 -u "$nap" || true
done
qrc=0
wait "$qpid" 2>/dev/null || qrc=$?
wait "$tpid" 2>/dev/null || true
[ -s "$out/qemu.stderr" ] && sed 's/^/qemu: /' "$out/qemu.stderr" >&2

found=$(splats "$console" -n)
if [ -n "$found" ]; then
	warn "the kernel log ($console) reports:"
	printf '%s\n' "$found" | head -n 20 >&2
fi
if [ "$rc" = 124 ]; then
	tail -n 30 "$console" >&2
	printf 'error: the guest did not finish within %ss; the console ends as above (full log: %s)\n' "$timeout" "$console" >&2
	exit 124
fi
if [ ! -s "$out/.exit-code" ]; then
	tail -n 30 "$console" >&2
	if [ "$qrc" != 0 ]; then
		why="QEMU exited with status $qrc"
	elif grep -q 'Triple fault' "$out/qemu-reset.log" 2>/dev/null; then
		why="a triple fault, says $out/qemu-reset.log"
	else
		why="boot failure, panic or crash"
	fi
	printf 'error: the guest stopped before the command finished (%s); console above, full log: %s\n' "$why" "$console" >&2
	exit 125
fi
exit "$(cat "$out/.exit-code")"
