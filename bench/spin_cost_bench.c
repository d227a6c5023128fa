// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin_cost_bench: the cost of the directed-yield search on the spin path,
 * as searches per second of one spinning vCPU with N - 1 peers, with
 * kvm.ipi_aware_yield off and on, interleaved in one VM.
 *
 * vCPU 0, alone on host CPU 0, reports a long spin wait (Hyper-V
 * HvNotifyLongSpinWait) in a loop; KVM handles each with
 * kvm_vcpu_on_spin().  The peers:
 *   -m idle  halt with interrupts disabled: no peer is a candidate, both
 *            searches look at every vCPU and yield to nobody;
 *   -m busy  busy-wait in kernel mode, all on host CPU 1, so that all but
 *            one are preempted there in kernel mode: the search of 6.12
 *            yields to the first of them it meets, the tiered search looks
 *            at every vCPU (for a receiver of the spinner's IPI, which
 *            there is none of) and then yields to the same one.  A yield
 *            boosts a peer on CPU 1 and leaves the spinner running.
 *
 * The host counts the spinner's searches over intervals of -t seconds,
 * alternating the configurations (off on, on off, ...) -r times each, and
 * prints each interval, then per configuration the median, minimum and
 * maximum, and the ratio of the medians.  Needs root (the kvm module
 * parameter) and, with -m busy, two CPUs.  Built against the KVM selftests
 * library of the patched tree (see scripts/compile/bench.sh).
 */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hyperv.h"
#include "kvm_util.h"
#include "kvm_compat.h"
#include "processor.h"
#include "test_util.h"

#define MAX_VCPUS	512
#define MAX_REPS	100
#define PARAM		"/sys/module/kvm/parameters/ipi_aware_yield"

static uint64_t spins;		/* guest: searches made by vCPU 0 */
static bool busy_peers;		/* guest: -m busy */

static void spinner_code(void)
{
	wrmsr(HV_X64_MSR_GUEST_OS_ID, HYPERV_LINUX_OS_ID);
	for (;;) {
		hyperv_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT |
				 HV_HYPERCALL_FAST_BIT, 0, 0);
		WRITE_ONCE(spins, spins + 1);
	}
}

static void peer_code(void)
{
	for (;;) {
		if (READ_ONCE(busy_peers))
			asm volatile("" ::: "memory");
		else
			asm volatile("cli; hlt" ::: "memory");
	}
}

struct vcpu_arg {
	struct kvm_vcpu *vcpu;
	int cpu;
};

static void *vcpu_thread(void *data)
{
	struct vcpu_arg *arg = data;

	kvm_pin_this_task_to_pcpu(arg->cpu);
	vcpu_run(arg->vcpu);
	TEST_FAIL("vCPU %u exited to user space: %s", arg->vcpu->id,
		  exit_reason_str(arg->vcpu->run->exit_reason));
	return NULL;
}

static void set_param(bool on)
{
	int fd = open(PARAM, O_WRONLY);

	TEST_ASSERT(fd >= 0, "open " PARAM);
	TEST_ASSERT(write(fd, on ? "Y" : "N", 1) == 1, "write " PARAM);
	close(fd);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(const char *name)
{
	printf("usage: %s [-n VCPUS] [-m idle|busy] [-t SECS] [-r REPS]\n"
	       "  searches per second of one spinning vCPU with VCPUS - 1 peers,\n"
	       "  kvm.ipi_aware_yield off and on in REPS alternating pairs of SECS\n"
	       "  (defaults: -n 8 -m idle -t 0.5 -r 5)\n", name);
}

int main(int argc, char *argv[])
{
	static struct vcpu_arg args[MAX_VCPUS];
	static pthread_t threads[MAX_VCPUS];
	static struct kvm_vcpu *vcpus[MAX_VCPUS];
	double rate[2][MAX_REPS], secs = 0.5, t0, t1;
	int nr_vcpus = 8, reps = 5, opt, i, r, c;
	uint64_t *count, n0, n1;
	bool saved = true;
	struct kvm_vm *vm;
	char buf[4] = {};
	int fd;

	while ((opt = getopt(argc, argv, "hn:m:t:r:")) != -1) {
		switch (opt) {
		case 'n':
			nr_vcpus = atoi(optarg);
			break;
		case 'm':
			busy_peers = !strcmp(optarg, "busy");
			TEST_ASSERT(busy_peers || !strcmp(optarg, "idle"),
				    "-m takes idle or busy, not %s", optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	TEST_ASSERT(nr_vcpus >= 2 && nr_vcpus <= MAX_VCPUS,
		    "-n: 2 to %d vCPUs", MAX_VCPUS);
	TEST_ASSERT(reps >= 1 && reps <= MAX_REPS, "-r: 1 to %d", MAX_REPS);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_HYPERV_CPUID));
	TEST_REQUIRE(!access(PARAM, W_OK));
	TEST_ASSERT(!busy_peers || sysconf(_SC_NPROCESSORS_ONLN) >= 2,
		    "-m busy needs two CPUs");

	fd = open(PARAM, O_RDONLY);
	if (fd >= 0 && read(fd, buf, 1) == 1)
		saved = buf[0] == 'Y';
	if (fd >= 0)
		close(fd);

	vm = vm_create_with_vcpus(nr_vcpus, NULL, vcpus);
	vcpu_arch_set_entry_point(vcpus[0], spinner_code);
	vcpu_set_hv_cpuid(vcpus[0]);
	for (i = 1; i < nr_vcpus; i++)
		vcpu_arch_set_entry_point(vcpus[i], peer_code);
	sync_global_to_guest(vm, busy_peers);
	count = addr_gva2hva(vm, (vm_vaddr_t)&spins);

	for (i = 0; i < nr_vcpus; i++) {
		args[i].vcpu = vcpus[i];
		args[i].cpu = busy_peers && i ? 1 : 0;
		pthread_create(&threads[i], NULL, vcpu_thread, &args[i]);
	}
	kvm_pin_this_task_to_pcpu(busy_peers ? 1 : 0);

	/* Warm up: every peer halted or running, the spinner spinning. */
	usleep(secs * 2e6);

	printf("# %d vCPUs, peers %s; interval  ipi_aware_yield  searches/s\n",
	       nr_vcpus, busy_peers ? "busy (preempted in kernel mode)" : "idle (halted)");
	for (r = 0; r < reps; r++) {
		for (i = 0; i < 2; i++) {
			c = (r + i) % 2;	/* off on, on off, ... */
			set_param(c);
			n0 = READ_ONCE(*count);
			t0 = now();
			usleep(secs * 1e6);
			n1 = READ_ONCE(*count);
			t1 = now();
			rate[c][r] = (n1 - n0) / (t1 - t0);
			printf("%d %s %.0f\n", 2 * r + i, c ? "Y" : "N", rate[c][r]);
		}
	}
	set_param(saved);

	printf("# ipi_aware_yield  n  median  min  max  (searches/s)\n");
	for (c = 0; c < 2; c++) {
		qsort(rate[c], reps, sizeof(double), cmp_double);
		printf("%s %d %.0f %.0f %.0f\n", c ? "Y" : "N", reps,
		       rate[c][reps / 2], rate[c][0], rate[c][reps - 1]);
	}
	printf("# on/off (medians): %.4f\n", rate[1][reps / 2] / rate[0][reps / 2]);

	/* The vCPU threads never leave KVM_RUN: exiting ends them. */
	return 0;
}
