/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The -r mode shared by the workloads of the overcommit benchmark: set up
 * once, then measure once per line read from standard input, each line the
 * seconds of one measurement, and print one result line for each, until
 * end of file (or a line that is not a positive number).
 *
 * Starting a program in a nested guest under emulation takes seconds
 * (loading its libraries, building its input); with -r the benchmark pays
 * that once per guest boot instead of in every run.
 */
#ifndef BENCH_GUEST_SERVE_H
#define BENCH_GUEST_SERVE_H

#include <stdio.h>
#include <stdlib.h>

/* The seconds of the next measurement, or 0 when there is none. */
static inline double next_request(void)
{
	char line[64];
	double secs;

	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	secs = atof(line);
	return secs > 0 ? secs : 0;
}

/*
 * For a workload whose measurement takes the thread count and the seconds:
 * one measurement of @secs, or with @repeat one per request; the first
 * non-zero return of @measure ends it.
 */
static inline int serve_threads(int (*measure)(long threads, double secs),
				long threads, double secs, int repeat)
{
	int ret;

	if (!repeat)
		return measure(threads, secs);
	while ((secs = next_request())) {
		ret = measure(threads, secs);
		if (ret)
			return ret;
	}
	return 0;
}

#endif
