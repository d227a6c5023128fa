#!/bin/bash
# PID 1 of the harness guest (see scripts/vm/vm.sh). The host's root file
# system is mounted read-only over 9p; this gives the guest what a program
# needs to run there, runs the host's command and powers off. Its own
# messages go to the kernel console.
# shellcheck source=../lib/help.sh
. "${0%/*}/../lib/help.sh"
# Anywhere but as PID 1 of the guest that vm.sh boots (whose kernel command
# line sets harness_out=) it would mount over this machine's /proc, /run,
# /tmp, /etc, ... and rename it.
if [ $$ != 1 ] || [ -z "${harness_out:-}" ]; then
	echo "error: $0 is the init of the guest that scripts/vm/vm.sh boots and runs only there (as PID 1); to run a command in the patched kernel: scripts/vm/vm.sh -- COMMAND" >&2
	exit 2
fi
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

# Power off and wait for it: PID 1 must not exit, or the kernel panics
# ("Attempted to kill init"). Under CLOCK=icount an idle guest's clock
# jumps to its next timer, so any fixed sleep can end before the power-off
# work has run.
power_off() {
	echo o >/proc/sysrq-trigger
	while :; do sleep 1; done
}

fail() {
	echo "vm/init.sh: $*" >/dev/console
	power_off
}

mount -t proc proc /proc || fail "cannot mount /proc"
mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run || fail "cannot mount tmpfs on /run"
# Writable layers (in memory) over the host's directories that programs
# write to. Overlays, not empty tmpfs: the checkout and the result directory
# may live under one of them (a clone in /tmp) and must stay visible.
mkdir -p /run/overlay
for d in /tmp /etc /var /root /home; do
	u=/run/overlay/${d//\//_}
	mkdir -p "$u/upper" "$u/work"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$u/upper,workdir=$u/work" "$d" ||
		echo "vm/init.sh: no writable overlay on $d" >/dev/console
done
# A packaged kernel's modules (vm/vm.sh --modules) where modprobe looks
# for them; the directory that holds /lib/modules gets a writable layer, as
# the host may have no /lib/modules to mount over. (Overlayfs is a module
# there too: its initramfs has loaded it.)
if [ -n "${harness_modules:-}" ]; then
	d=$(readlink -f /lib)
	u=/run/overlay/${d//\//_}
	mkdir -p "$u/upper" "$u/work"
	if ! mount -t overlay overlay -o "lowerdir=$d,upperdir=$u/upper,workdir=$u/work" "$d" ||
		! mkdir -p /lib/modules || ! mount --bind "$harness_modules" /lib/modules; then
		fail "cannot bind $harness_modules over /lib/modules"
	fi
fi
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ln -sf /proc/self/fd /dev/fd
hostname kvm-yield-guest

# The host's result directory, writable, at the same path as on the host.
out=${harness_out:?no harness_out= on the kernel command line}
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none out "$out" ||
	fail "cannot mount the result directory $out"

if [ "${harness_mode:-cmd}" = shell ]; then
	echo "vm/init.sh: shell in the patched kernel ($(uname -r)); 'exit' powers off" >/dev/console
	cd "${harness_cwd:-/}" || cd /
	setsid -c bash -l </dev/ttyS0 >/dev/ttyS0 2>&1
else
	cd "${harness_cwd:-/}" || fail "no directory ${harness_cwd:-/}"
	rc=0
	bash "$out/.command" >"$out/.output" 2>&1 </dev/null || rc=$?
	echo "$rc" >"$out/.exit-code"
fi
sync
umount "$out" 2>/dev/null
power_off
