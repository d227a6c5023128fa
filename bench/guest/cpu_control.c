// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control workload: one thread per CPU computing on its own data, with
 * nothing shared, no locks, no system calls and no IPIs while it runs. A
 * change to directed yield should not move its throughput.
 *
 *   cpu_control [-t seconds] [-c threads] [-r]
 *
 * Prints one line: "rate=<rounds/s> unit=rounds/s ...", where a round is a
 * fixed amount of integer work (2^16 steps of a xorshift/multiply mix).
 * With -r, one line per request read from standard input (see serve.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

static atomic_int stop;
static uint64_t sink;

struct worker {
	pthread_t thread;
	uint64_t seed;
	unsigned long rounds;
	uint64_t result;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t x = w->seed, acc = 0;
	int i;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (i = 0; i < 1 << 16; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			acc += x * 0x9e3779b97f4a7c15ull;
		}
		w->rounds++;
	}
	w->result = acc;
	return NULL;
}

/* Run @threads workers for @secs seconds and print the result line. */
static int measure(long threads, double secs)
{
	double start, elapsed;
	unsigned long rounds = 0;
	struct worker *w;
	int i;

	w = calloc(threads, sizeof(*w));
	if (!w) {
		fprintf(stderr, "cpu_control: out of memory\n");
		return 1;
	}
	atomic_store(&stop, 0);
	start = now();
	for (i = 0; i < threads; i++) {
		w[i].seed = 0x243f6a8885a308d3ull + i;
		if (pthread_create(&w[i].thread, NULL, work, &w[i])) {
			fprintf(stderr, "cpu_control: pthread_create failed\n");
			return 1;
		}
	}
	while (now() - start < secs)
		usleep(20000);
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		rounds += w[i].rounds;
		sink += w[i].result;
	}
	elapsed = now() - start;
	printf("rate=%.2f unit=rounds/s threads=%ld rounds=%lu secs=%.2f check=%llx\n",
	       rounds / elapsed, threads, rounds, elapsed, (unsigned long long)sink);
	free(w);
	return 0;
}

int main(int argc, char **argv)
{
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	double secs = 5;
	int opt, repeat = 0;

	while ((opt = getopt(argc, argv, "t:c:r")) != -1) {
		switch (opt) {
		case 't': secs = atof(optarg); break;
		case 'c': threads = atol(optarg); break;
		case 'r': repeat = 1; break;
		default:
			fprintf(stderr, "usage: %s [-t seconds] [-c threads] [-r]\n", argv[0]);
			return 2;
		}
	}
	if (threads < 1 || secs <= 0) {
		fprintf(stderr, "cpu_control: -c and -t must be positive\n");
		return 2;
	}
	return serve_threads(measure, threads, secs, repeat);
}
