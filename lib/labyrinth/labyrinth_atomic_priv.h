/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_ATOMIC_PRIV_H
#define LABYRINTH_ATOMIC_PRIV_H

/**
 * @file
 * @internal
 * Every atomic operation of the labyrinth goes through these wrappers, so
 * that they are greppable and one file changes when DPDK's rte_stdatomic.h
 * replaces the __atomic builtins. Each call site says why its order is
 * enough; the wrappers only fix the spelling.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_atomic.h>

#define LAB_RELAXED __ATOMIC_RELAXED
#define LAB_ACQUIRE __ATOMIC_ACQUIRE
#define LAB_RELEASE __ATOMIC_RELEASE
#define LAB_SEQ_CST __ATOMIC_SEQ_CST

/*
 * LAB_COUNT_RMW (a test-only build, tests/unit/test_locked.c): every
 * read-modify-write, the only operations that take a locked instruction on
 * x86, bumps a thread-local count, so that a test can assert how many a
 * call makes. Loads and stores are never locked and are not counted.
 */
#ifdef LAB_COUNT_RMW
extern _Thread_local uint64_t lab_rmw_count;
#define LAB_RMW(expr) (lab_rmw_count++, (expr))
#else
#define LAB_RMW(expr) (expr)
#endif

/*
 * LAB_RACE_WIDEN (a test-only build, tests/unit/test_map.c): race points
 * inside the map's multi-step protocols yield the CPU now and then, so
 * that a racing test meets the windows a preemption would open only
 * rarely. Nothing in a normal build.
 */
#ifdef LAB_RACE_WIDEN
void lab_race_point(void);
#define LAB_RACE_POINT() lab_race_point()
#else
#define LAB_RACE_POINT() do { } while (0)
#endif

#define lab_load(p, mo) __atomic_load_n((p), (mo))
#define lab_store(p, v, mo) __atomic_store_n((p), (v), (mo))
#define lab_xchg(p, v, mo) LAB_RMW(__atomic_exchange_n((p), (v), (mo)))
#define lab_fetch_add(p, v, mo) LAB_RMW(__atomic_fetch_add((p), (v), (mo)))
#define lab_fetch_sub(p, v, mo) LAB_RMW(__atomic_fetch_sub((p), (v), (mo)))
#define lab_fetch_or(p, v, mo) LAB_RMW(__atomic_fetch_or((p), (v), (mo)))
#define lab_fetch_and(p, v, mo) LAB_RMW(__atomic_fetch_and((p), (v), (mo)))
/*
 * A full fence: rte_atomic_thread_fence(), which on x86 is one locked add
 * to the stack (cheaper there than mfence) and __atomic_thread_fence()
 * elsewhere. Counted as a locked instruction.
 */
#define lab_fence_seq_cst() \
	LAB_RMW(rte_atomic_thread_fence(__ATOMIC_SEQ_CST))
/*
 * One-sided fences: no instruction on x86 (a compiler barrier), a dmb on
 * weak-memory CPUs. Not read-modify-writes, not counted.
 */
#define lab_fence_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define lab_fence_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
/* Strong CAS; *expected is updated with the current value on failure. */
#define lab_cas(p, expected, desired, mo_ok, mo_fail) \
	LAB_RMW(__atomic_compare_exchange_n((p), (expected), (desired), \
			false, (mo_ok), (mo_fail)))

/*
 * Bump a counter that only one thread ever writes (a per-lcore statistic).
 * A relaxed load and store suffice: no other writer can interleave, and
 * readers (stats, telemetry) only need a torn-free value, which the atomic
 * load/store pair gives without a locked instruction.
 */
#define lab_counter_add(p, v) \
	lab_store((p), lab_load((p), LAB_RELAXED) + (v), LAB_RELAXED)

#endif /* LABYRINTH_ATOMIC_PRIV_H */
