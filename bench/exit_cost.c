// SPDX-License-Identifier: GPL-2.0-only
/*
 * exit_cost: what a guest exit costs this host, in the host's own time.
 *
 * One vCPU executes CPUID in a loop; KVM intercepts CPUID and emulates it in
 * the kernel, so every iteration is one full round trip: VMRUN, #VMEXIT,
 * KVM's exit handler, back.  The host times -n such iterations per KVM_RUN
 * with CLOCK_MONOTONIC, -r times, and prints the median, minimum and
 * maximum ns per round trip.  Under the time-faithful emulated host
 * (docs/icount.md) this is the round trip in its virtual time, the figure
 * that x-svm-switch-ns is set from.
 *
 * Built against the KVM selftests library (see scripts/compile/bench.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

static void guest_code(uint64_t iters)
{
	uint32_t a, b, c, d;

	for (;;) {
		for (uint64_t i = 0; i < iters; i++) {
			a = 0;
			c = 0;
			__asm__ __volatile__("cpuid"
					     : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		}
		GUEST_SYNC(0);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(const char *name)
{
	printf("usage: %s [-n CPUIDS_PER_RUN] [-r RUNS]\n"
	       "Prints ns per CPUID exit round trip: median, min, max of RUNS.\n",
	       name);
}

int main(int argc, char *argv[])
{
	uint64_t iters = 20000, t0;
	int runs = 11, opt;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	double *ns;

	while ((opt = getopt(argc, argv, "n:r:h")) != -1) {
		switch (opt) {
		case 'n':
			iters = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		default:
			usage(argv[0]);
			exit(opt == 'h' ? 0 : 2);
		}
	}
	TEST_ASSERT(iters > 0 && runs > 0, "-n and -r must be positive");
	ns = calloc(runs, sizeof(*ns));
	TEST_ASSERT(ns, "out of memory");

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vcpu_args_set(vcpu, 1, iters);
	/* The first run warms up the guest's and KVM's paths. */
	for (int i = -1; i < runs; i++) {
		t0 = now_ns();
		vcpu_run(vcpu);
		TEST_ASSERT(get_ucall(vcpu, &uc) == UCALL_SYNC,
			    "unexpected exit: %s", exit_reason_str(vcpu->run->exit_reason));
		if (i >= 0)
			ns[i] = (double)(now_ns() - t0) / iters;
	}
	for (int i = 0; i < runs; i++)
		printf("run %d: %.1f ns per CPUID exit\n", i, ns[i]);
	qsort(ns, runs, sizeof(*ns), cmp_double);
	printf("cpuid exit round trip: median %.1f ns, min %.1f, max %.1f (%d runs of %lu)\n",
	       ns[runs / 2], ns[0], ns[runs - 1], runs, (unsigned long)iters);
	kvm_vm_free(vm);
	return 0;
}
