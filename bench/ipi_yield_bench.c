// SPDX-License-Identifier: GPL-2.0-only
/*
 * ipi_yield_bench: guest IPI round trips per second, with kvm.ipi_aware_yield
 * off and on, interleaved in one VM.
 *
 * Every vCPU of one VM, in a loop: sends a fixed IPI, the ping (x2APIC,
 * physical destination), to another vCPU (the other one with two vCPUs, else
 * one drawn at random), whose handler answers with a pong IPI; the sender
 * spins with PAUSE until the pong's handler has run: one round trip.  With -w N, every N PAUSEs of a
 * wait the vCPU also reports a long spin wait (Hyper-V HvNotifyLongSpinWait),
 * which KVM handles with kvm_vcpu_on_spin(): the path that pause-loop exits
 * take on hardware.  With -H the vCPU halts instead of spinning (the cost
 * benchmark: no time is spent spinning, so that the rate measures the IPI
 * path).  vCPU i runs on host CPU i mod -p.
 *
 * The host measures round trips per second over intervals of -t seconds,
 * alternating the configurations (off on, on off, ...) -r times each, and
 * prints each interval, then per configuration the median, minimum and
 * maximum, the ratio of the medians, and the directed yields by tier
 * (the vCPUs' spin_yield_* statistics) summed over the intervals.
 *
 * Built against the KVM selftests library of the patched tree (see
 * scripts/compile/bench.sh); needs root for the kvm module parameters.
 */
#include <fcntl.h>
#include <math.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apic.h"
#include "hyperv.h"
#include "kvm_util.h"
#include "kvm_compat.h"
#include "processor.h"
#include "test_util.h"

#define MAX_VCPUS	32
#define MAX_REPS	1000
#define BASE_VECTOR	0x40	/* the ping from vCPU i has vector BASE + i */
#define PONG_VECTOR	0xf0
#define PARAM		"/sys/module/kvm/parameters/ipi_aware_yield"

/* Shared with the guest. */
static uint32_t nr_vcpus;
static uint64_t spin_limit;
static bool halt_wait;
static uint64_t acks[MAX_VCPUS];	/* pongs vCPU i received */
static uint64_t round_trips[MAX_VCPUS];
static bool ready[MAX_VCPUS];

/* Ping from vCPU (vector - BASE_VECTOR): answer with a pong. */
static void ping_handler(struct ex_regs *regs)
{
	uint64_t src = regs->vector - BASE_VECTOR;

	x2apic_write_reg(APIC_ICR, (src << 32) | APIC_DEST_PHYSICAL |
			 APIC_DM_FIXED | PONG_VECTOR);
	x2apic_write_reg(APIC_EOI, 0);
}

static void pong_handler(struct ex_regs *regs)
{
	uint32_t me = x2apic_read_reg(APIC_ID);

	WRITE_ONCE(acks[me], acks[me] + 1);
	x2apic_write_reg(APIC_EOI, 0);
}

static void guest_code(uint32_t me)
{
	uint64_t rnd = me * 0x9e3779b97f4a7c15ull + 1, sent = 0, spins;
	uint32_t i, to;

	x2apic_enable();
	if (spin_limit)
		wrmsr(HV_X64_MSR_GUEST_OS_ID, HYPERV_LINUX_OS_ID);
	WRITE_ONCE(ready[me], true);
	for (i = 0; i < nr_vcpus; i++)
		while (!READ_ONCE(ready[i]))
			cpu_relax();
	asm volatile("sti" ::: "memory");

	for (;;) {
		/* xorshift64: another vCPU, uniformly */
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		to = rnd % (nr_vcpus - 1);
		if (to >= me)
			to++;

		sent++;
		x2apic_write_reg(APIC_ICR, ((uint64_t)to << 32) | APIC_DEST_PHYSICAL |
				 APIC_DM_FIXED | (BASE_VECTOR + me));
		spins = 0;
		if (halt_wait) {
			/* STI's shadow: the IPI cannot come between STI and HLT. */
			asm volatile("cli" ::: "memory");
			while (READ_ONCE(acks[me]) != sent)
				asm volatile("sti; hlt; cli" ::: "memory");
			asm volatile("sti" ::: "memory");
		}
		while (READ_ONCE(acks[me]) != sent) {
			cpu_relax();
			if (spin_limit && ++spins == spin_limit) {
				hyperv_hypercall(HVCALL_NOTIFY_LONG_SPIN_WAIT |
						 HV_HYPERCALL_FAST_BIT, 0, 0);
				spins = 0;
			}
		}
		WRITE_ONCE(round_trips[me], sent);
	}
}

static const char * const tier_stats[] = {
	"spin_yield_ipi_receiver", "spin_yield_pending_irq",
	"spin_yield_preempted", "spin_yield_woken",
	"spin_yield_untiered", "spin_yield_none",
};
#define NR_TIERS ARRAY_SIZE(tier_stats)

static struct kvm_vm *vm;
static struct kvm_vcpu *vcpus[MAX_VCPUS];
static int stats_fd[MAX_VCPUS];
static int host_cpu[MAX_VCPUS];

static uint64_t read_stat(int fd, const char *name)
{
	struct kvm_stats_header header;
	struct kvm_stats_desc *descs, *desc;
	uint64_t data = 0;
	int i;

	read_stats_header(fd, &header);
	descs = read_stats_descriptors(fd, &header);
	for (i = 0; i < header.num_desc; i++) {
		desc = get_stats_descriptor(descs, i, &header);
		if (!strcmp(desc->name, name)) {
			read_stat_data(fd, &header, desc, &data, 1);
			break;
		}
	}
	free(descs);
	return data;
}

struct sample {
	uint64_t trips;
	uint64_t tiers[NR_TIERS];
	double when;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void take_sample(struct sample *s)
{
	uint32_t i, t;

	memset(s, 0, sizeof(*s));
	s->when = now();
	for (i = 0; i < nr_vcpus; i++) {
		s->trips += READ_ONCE(*(uint64_t *)addr_gva2hva(vm,
					(vm_vaddr_t)&round_trips[i]));
		for (t = 0; t < NR_TIERS; t++)
			s->tiers[t] += read_stat(stats_fd[i], tier_stats[t]);
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	TEST_ASSERT(!pthread_setaffinity_np(pthread_self(), sizeof(set), &set),
		    "pinning to CPU %d", cpu);
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	pin(host_cpu[vcpu->id]);
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	vcpu_run(vcpu);
	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT(uc);
	TEST_FAIL("vCPU %u exited to user space: %s", vcpu->id,
		  exit_reason_str(vcpu->run->exit_reason));
	return NULL;
}

static void set_switch(bool on)
{
	int fd = open(PARAM, O_WRONLY);

	TEST_ASSERT(fd >= 0, "open " PARAM " (is the series applied? root?)");
	TEST_ASSERT(write(fd, on ? "Y" : "N", 1) == 1, "write " PARAM);
	close(fd);
}

static bool get_switch(void)
{
	char c = 0;
	int fd = open(PARAM, O_RDONLY);

	TEST_ASSERT(fd >= 0 && read(fd, &c, 1) == 1, "read " PARAM);
	close(fd);
	return c == 'Y';
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	double s[n];

	memcpy(s, v, sizeof(s));
	qsort(s, n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/*
 * The intervals of a pair are adjacent in time, so their ratio cancels
 * drifts of the host's speed: report the geometric mean of the pairs'
 * on/off ratios with a 95 % confidence interval (t distribution of the
 * logarithms), and the ratio of the medians.
 */
static void report_ratio(double rate[2][MAX_REPS], int reps)
{
	/* two-sided 95 % quantiles of Student's t, df = 1..30, then normal */
	static const double t95[] = {
		12.71, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
		2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
		2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
		2.048, 2.045, 2.042,
	};
	double sum = 0, sq = 0, mean, sd, half;
	int r, n = 0;

	for (r = 0; r < reps; r++) {
		double l;

		if (rate[0][r] <= 0 || rate[1][r] <= 0)
			continue;
		l = log(rate[1][r] / rate[0][r]);
		sum += l;
		sq += l * l;
		n++;
	}
	printf("ratio on/off of the medians: %.4f\n",
	       median(rate[1], reps) / median(rate[0], reps));
	if (n < 2) {
		printf("ratio on/off per pair: too few pairs with round trips\n");
		return;
	}
	mean = sum / n;
	sd = sqrt((sq - n * mean * mean) / (n - 1));
	half = (n - 1 <= 30 ? t95[n - 2] : 1.960) * sd / sqrt(n);
	printf("ratio on/off per pair (geometric mean, %d pairs): %.4f, 95%% CI [%.4f, %.4f]\n",
	       n, exp(mean), exp(mean - half), exp(mean + half));
}

static void usage(const char *name)
{
	printf("usage: %s [-v vcpus] [-p host_cpus] [-t seconds] [-r reps] [-H] [-w pauses]\n"
	       "  -v  vCPUs of the VM (2..%d, default 2)\n"
	       "  -p  host CPUs to spread them over, vCPU i on CPU i mod p\n"
	       "      (default: all the process may use)\n"
	       "  -t  seconds per interval (default 2)\n"
	       "  -r  intervals per configuration (default 5)\n"
	       "  -H  wait for the acknowledgement in HLT instead of spinning\n"
	       "  -w  report a long spin wait every N PAUSEs of a wait\n"
	       "      (HvNotifyLongSpinWait; default 0: never)\n",
	       name, MAX_VCPUS);
}

int main(int argc, char *argv[])
{
	double secs = 2;
	static double rate[2][MAX_REPS];
	uint64_t tiers[2][NR_TIERS] = {};
	int reps = 5, ncpus = 0, opt, r, k, t;
	cpu_set_t allowed;
	int cpus[CPU_SETSIZE], nallowed = 0;
	pthread_t threads[MAX_VCPUS];
	bool saved;
	uint32_t i;

	nr_vcpus = 2;
	while ((opt = getopt(argc, argv, "v:p:t:r:w:Hh")) != -1) {
		switch (opt) {
		case 'v': nr_vcpus = atoi(optarg); break;
		case 'p': ncpus = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'r': reps = atoi(optarg); break;
		case 'w': spin_limit = strtoull(optarg, NULL, 0); break;
		case 'H': halt_wait = true; break;
		default: usage(argv[0]); exit(opt == 'h' ? 0 : 2);
		}
	}
	TEST_ASSERT(nr_vcpus >= 2 && nr_vcpus <= MAX_VCPUS, "-v: 2..%d", MAX_VCPUS);
	TEST_ASSERT(reps >= 1 && reps <= MAX_REPS && secs > 0,
		    "-r: 1..%d, -t > 0", MAX_REPS);
	TEST_REQUIRE(!access(PARAM, W_OK));
	if (spin_limit)
		TEST_REQUIRE(kvm_has_cap(KVM_CAP_HYPERV_CPUID));

	TEST_ASSERT(!sched_getaffinity(0, sizeof(allowed), &allowed), "affinity");
	for (k = 0; k < CPU_SETSIZE; k++)
		if (CPU_ISSET(k, &allowed))
			cpus[nallowed++] = k;
	if (!ncpus || ncpus > nallowed)
		ncpus = nallowed;

	vm = vm_create_with_vcpus(nr_vcpus, guest_code, vcpus);
	vm_install_exception_handler(vm, PONG_VECTOR, pong_handler);
	for (k = 0; k < nr_vcpus; k++) {
		vm_install_exception_handler(vm, BASE_VECTOR + k, ping_handler);
		vcpu_args_set(vcpus[k], 1, k);
		if (spin_limit)
			vcpu_set_hv_cpuid(vcpus[k]);
		stats_fd[k] = vcpu_get_stats_fd(vcpus[k]);
		host_cpu[k] = cpus[k % ncpus];
	}
	sync_global_to_guest(vm, nr_vcpus);
	sync_global_to_guest(vm, spin_limit);
	sync_global_to_guest(vm, halt_wait);

	saved = get_switch();
	printf("# %u vCPUs on %d host CPU(s), intervals of %.1f s, %d per configuration, waiting in %s",
	       nr_vcpus, ncpus, secs, reps, halt_wait ? "HLT" : "a PAUSE loop");
	if (spin_limit)
		printf(", long-spin report every %lu PAUSEs", spin_limit);
	printf("\n");
	for (i = 0; i < nr_vcpus; i++)
		pthread_create(&threads[i], NULL, vcpu_thread, vcpus[i]);
	usleep(500000);

	if (reps <= 10)
		printf("# interval  ipi_aware_yield  round_trips/s\n");
	for (r = 0; r < reps; r++) {
		for (k = 0; k < 2; k++) {
			bool on = (r + k) % 2;	/* off on, on off, ... */
			struct sample a, b;

			set_switch(on);
			usleep(20000);
			take_sample(&a);
			usleep(secs * 1e6);
			take_sample(&b);
			rate[on][r] = (b.trips - a.trips) / (b.when - a.when);
			for (t = 0; t < NR_TIERS; t++)
				tiers[on][t] += b.tiers[t] - a.tiers[t];
			if (reps <= 10)
				printf("  %3d       %-3s              %.0f\n",
				       2 * r + k + 1, on ? "on" : "off", rate[on][r]);
		}
		if (reps > 10 && (r + 1) % (reps / 10) == 0)
			printf("# %d of %d pairs of intervals done\n", r + 1, reps);
		fflush(stdout);
	}
	set_switch(saved);

	printf("# ipi_aware_yield  n  median  min  max  (round trips/s)\n");
	for (k = 0; k < 2; k++) {
		double lo = rate[k][0], hi = rate[k][0];

		for (r = 1; r < reps; r++) {
			lo = rate[k][r] < lo ? rate[k][r] : lo;
			hi = rate[k][r] > hi ? rate[k][r] : hi;
		}
		printf("  %-3s  %d  %.0f  %.0f  %.0f\n", k ? "on" : "off", reps,
		       median(rate[k], reps), lo, hi);
	}
	report_ratio(rate, reps);
	if (spin_limit) {
		printf("# directed yields by tier, summed over the intervals\n");
		printf("  %-26s %10s %10s\n", "statistic", "off", "on");
		for (t = 0; t < NR_TIERS; t++)
			printf("  %-26s %10lu %10lu\n", tier_stats[t], tiers[0][t],
			       tiers[1][t]);
	}

	for (i = 0; i < nr_vcpus; i++) {
		pthread_cancel(threads[i]);
		pthread_join(threads[i], NULL);
	}
	kvm_vm_free(vm);
	return 0;
}
