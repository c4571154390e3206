/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

/* What the three bench programs share: clocks, CPU time, percentiles and
 * checked command-line numbers. */

/* a whole non-negative number from the command line, or exit 2 */
long long num(const char *s);

/* CLOCK_MONOTONIC in microseconds */
double now_us(void);

/* user + system CPU of this process and its waited-for children, us */
double cpu_us(void);

/* nearest-rank percentile p (0..100) of n values; v is left unchanged */
double pct(const double *v, int n, double p);

#endif
