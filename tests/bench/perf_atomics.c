/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * perf-atomics: the cost of the primitives the fast paths are built from,
 * back to back on one line that stays in this CPU's cache (no contention):
 * a locked CAS, a locked OR, a plain load+store, and rdtsc. The
 * performance report (scripts/perf-report.sh) quotes them to explain
 * which targets are below the cost of the operations they need.
 *
 * Usage: perf-atomics [N]    prints one "name ns" line per primitive
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>

static uint64_t word;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static __attribute__((noipa)) void
loop_cas(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		uint64_t e = __atomic_load_n(&word, __ATOMIC_RELAXED);

		__atomic_compare_exchange_n(&word, &e, e + 1, false,
			__ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
}

static __attribute__((noipa)) void
loop_or(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		__atomic_fetch_or(&word, i & 1, __ATOMIC_RELAXED);
}

static __attribute__((noipa)) void
loop_plain(uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		__atomic_store_n(&word,
			__atomic_load_n(&word, __ATOMIC_RELAXED) + 1,
			__ATOMIC_RELAXED);
}

static __attribute__((noipa)) void
loop_rdtsc(uint64_t n)
{
	uint64_t i, s = 0;

	for (i = 0; i < n; i++)
		s += rte_rdtsc();
	__atomic_store_n(&word, s, __ATOMIC_RELAXED);
}

static double
per_op(void (*fn)(uint64_t), uint64_t n)
{
	double best = 1e30;
	int r;

	/* best of 5: the cost of the instruction, not of interruptions */
	for (r = 0; r < 5; r++) {
		double t0 = now_ns(), t;

		fn(n);
		t = (now_ns() - t0) / (double)n;
		if (t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 5000000;

	if (n == 0)
		n = 5000000;
	printf("lock_cmpxchg %.2f\n", per_op(loop_cas, n));
	printf("lock_or %.2f\n", per_op(loop_or, n));
	printf("plain_load_store %.2f\n", per_op(loop_plain, n));
	printf("rdtsc %.2f\n", per_op(loop_rdtsc, n / 4));
	return 0;
}
