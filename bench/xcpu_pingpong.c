// SPDX-License-Identifier: GPL-2.0-only
/*
 * xcpu_pingpong: how long one CPU waits for another that is running.
 *
 * Two threads, pinned to CPUs -a and -b, pass a token through one shared
 * cache line: each spins until the token is its own (with PAUSE, or without
 * it with -n), then hands it over.
 * Prints the round trips per second and ns per round trip.  On hardware a
 * round trip is a few hundred ns; under the time-faithful emulated host
 * (docs/icount.md), where the vCPUs take turns on one thread, it is set by
 * how long a turn lasts (a PAUSE ends the turn there, so -n measures the
 * turn): the same wait that an IPI to a running vCPU has.
 *
 * A plain program; built with the other benchmarks (scripts/compile/bench.sh).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "guest/pin.h"

static volatile int token __attribute__((aligned(64)));
static volatile int stop;
static int use_pause = 1;
static unsigned long trips;

struct player {
	int cpu;
	int me;
};

static void *play(void *arg)
{
	struct player *p = arg;

	pin(p->cpu);
	while (!stop) {
		while (token != p->me && !stop)
			if (use_pause)
				__builtin_ia32_pause();
		if (p->me == 0)
			trips++;
		token = !p->me;
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct player p[2] = { { 0, 0 }, { 1, 1 } };
	double secs = 1.0, elapsed;
	struct timespec t0, t1;
	pthread_t th[2];
	int opt;

	while ((opt = getopt(argc, argv, "a:b:nt:h")) != -1) {
		switch (opt) {
		case 'a':
			p[0].cpu = atoi(optarg);
			break;
		case 'b':
			p[1].cpu = atoi(optarg);
			break;
		case 'n':
			use_pause = 0;
			break;
		case 't':
			secs = atof(optarg);
			break;
		default:
			printf("usage: %s [-a CPU] [-b CPU] [-n] [-t SECONDS]\n"
			       "-n: spin without PAUSE\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, play, &p[i]);
	usleep(secs * 1e6);
	stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("cpu %d <-> cpu %d: %lu round trips in %.3f s: %.0f /s, %.0f ns per round trip\n",
	       p[0].cpu, p[1].cpu, trips, elapsed, trips / elapsed,
	       elapsed * 1e9 / (trips ? trips : 1));
	return 0;
}
