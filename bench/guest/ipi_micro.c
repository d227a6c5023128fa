// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synchronous cross-CPU calls from user space, for a guest: one thread per
 * CPU keeps the process's mm live on every CPU, and the thread on CPU 0
 * issues, as fast as it can, an operation that makes the kernel interrupt
 * the other CPUs and wait until each one has answered:
 *
 *   membarrier  membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED): an IPI to every
 *               CPU running a thread of the process, waited for;
 *   mprotect    a page the peers write is made read-only and writable again:
 *               each downgrade is a TLB shootdown IPI to the peers' CPUs.
 *
 * When the guest is overcommitted, the caller spins (PAUSE) until a
 * preempted peer vCPU runs again and acknowledges: the case directed yield
 * to the IPI receiver is for.
 *
 *   ipi_micro [-m membarrier|mprotect] [-t seconds] [-c cpus] [-r]
 *
 * Prints one line: "rate=<calls/s> unit=calls/s p50_us= p90_us= p99_us= ...";
 * with -r, one line per request read from standard input (see serve.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pin.h"
#include <linux/membarrier.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "serve.h"

static atomic_int stop;
static volatile unsigned long *shared_page;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *peer(void *arg)
{
	int cpu = (int)(long)arg;
	unsigned long n = 0;

	pin(cpu);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		/* Keep this CPU in the mm; in mprotect mode, in the page's TLB. */
		if (shared_page && shared_page[cpu * 8] != n)
			n = shared_page[cpu * 8];
		n++;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-m membarrier|mprotect] [-t seconds] [-c cpus] [-r]\n",
		argv0);
	exit(2);
}

static double *lat;
static size_t lat_cap;

/*
 * Start a peer thread on every CPU but 0, issue calls from CPU 0 for @secs
 * seconds, stop the peers and print the result line.
 */
static int measure(const char *mode, long cpus, double secs)
{
	double start, t0, t1, elapsed;
	pthread_t *peers;
	size_t n = 0;
	int i;

	peers = calloc(cpus, sizeof(*peers));
	if (!peers) {
		fprintf(stderr, "ipi_micro: out of memory\n");
		return 1;
	}
	atomic_store(&stop, 0);
	for (i = 1; i < cpus; i++)
		if (pthread_create(&peers[i], NULL, peer, (void *)(long)i)) {
			fprintf(stderr, "ipi_micro: pthread_create failed\n");
			return 1;
		}

	start = now();
	do {
		t0 = now();
		if (shared_page) {
			if (mprotect((void *)shared_page, 4096, PROT_READ) ||
			    mprotect((void *)shared_page, 4096, PROT_READ | PROT_WRITE)) {
				perror("mprotect");
				return 1;
			}
		} else if (syscall(__NR_membarrier,
				   MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0)) {
			perror("membarrier");
			return 1;
		}
		t1 = now();
		if (n == lat_cap) {
			lat_cap = lat_cap ? 2 * lat_cap : 1 << 16;
			lat = realloc(lat, lat_cap * sizeof(*lat));
			if (!lat) {
				perror("realloc");
				return 1;
			}
		}
		lat[n++] = (t1 - t0) * 1e6;
	} while (t1 - start < secs);
	elapsed = t1 - start;
	atomic_store(&stop, 1);
	for (i = 1; i < cpus; i++)
		pthread_join(peers[i], NULL);
	free(peers);

	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("rate=%.2f unit=calls/s mode=%s cpus=%ld calls=%zu secs=%.2f p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f\n",
	       n / elapsed, mode, cpus, n, elapsed, lat[n / 2], lat[n * 9 / 10],
	       lat[n * 99 / 100], lat[n - 1]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = "membarrier";
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double secs = 5;
	int opt, repeat = 0, ret;

	while ((opt = getopt(argc, argv, "m:t:c:r")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 't': secs = atof(optarg); break;
		case 'c': cpus = atol(optarg); break;
		case 'r': repeat = 1; break;
		default: usage(argv[0]);
		}
	}
	if ((strcmp(mode, "membarrier") && strcmp(mode, "mprotect")) || secs <= 0)
		usage(argv[0]);
	if (cpus < 2) {
		fprintf(stderr, "ipi_micro: needs at least 2 CPUs (has %ld)\n", cpus);
		return 1;
	}
	if (!strcmp(mode, "membarrier") &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0)) {
		perror("membarrier register");
		return 1;
	}
	if (!strcmp(mode, "mprotect")) {
		shared_page = mmap(NULL, 4096 * ((cpus * 64 + 4095) / 4096),
				   PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (shared_page == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	}
	pin(0);
	if (!repeat)
		return measure(mode, cpus, secs);
	while ((secs = next_request())) {
		ret = measure(mode, cpus, secs);
		if (ret)
			return ret;
	}
	return 0;
}
