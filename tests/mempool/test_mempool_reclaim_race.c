/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_mempool_reclaim_lcore() against a live dequeue in its window
 * (from its claim to its hold record store), with the driver built with
 * LMP_RACE_HOOK: lmp_race_claimed() below holds the worker lcore's
 * dequeue in that window. The object it claims was last dequeued by a
 * lcore that is now dead (its hold record is forged so), so the reclaim
 * of that lcore finds it with its bit clear and a record naming the dead
 * lcore. It must not take it back: the worker holds it.
 *
 * - test_window: the dequeue stays in its window 50 ms, longer than the
 *   1 ms the reclaim used to wait before its second look. The reclaim
 *   waits for it and takes nothing; the worker's object stays held.
 * - test_window_timeout: the dequeue stays 600 ms, longer than the
 *   reclaim waits (200 ms): it gives up on its candidates, takes nothing.
 * - test_dead_still_reclaimed: with no dequeue in flight, objects the
 *   dead lcore does hold are taken back, even when its own slot was left
 *   in its window (it died there).
 *
 * Arguments: <EAL args, -l 0-1> [-- <ops name>].
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth.h"
#include "mempool_test.h"

#define N 64u

static const char *ops_name = LABYRINTH_MEMPOOL_OPS_NAME;

/* The worker's dequeue: how long to stay in the window, and whether it
 * has reached it. */
static uint32_t hold_us;
static uint32_t in_window;

void lmp_race_claimed(void);

/* Called by every dequeue of the LMP_RACE_HOOK driver between its claim
 * and its hold record stores. */
void
lmp_race_claimed(void)
{
	uint32_t us = __atomic_load_n(&hold_us, __ATOMIC_ACQUIRE);

	if (us == 0 || rte_lcore_id() == rte_get_main_lcore())
		return;
	/* Release: the main lcore starts its reclaim once it sees this. */
	__atomic_store_n(&in_window, 1, __ATOMIC_RELEASE);
	rte_delay_us_block(us);
}

struct worker_arg {
	struct rte_mempool *mp;
	void *obj;
	int ret;
};

static int
worker(void *arg)
{
	struct worker_arg *a = arg;

	a->ret = rte_mempool_ops_dequeue_bulk(a->mp, &a->obj, 1);
	return 0;
}

/*
 * A pool of N objects, all held by the main lcore but objs[0], which is
 * free and whose hold record names the lcore dead (it held it before).
 */
static struct rte_mempool *
setup(const char *name, void **objs, unsigned int dead)
{
	struct labyrinth_mempool_hdr *h;
	struct rte_mempool *mp;
	uint32_t idx;

	mp = mt_pool_create(name, N, 64, 0, ops_name);
	if (mp == NULL)
		return NULL;
	h = mt_hdr(mp);
	if (rte_mempool_ops_dequeue_bulk(mp, objs, N) != 0 ||
			!labyrinth_mempool_obj_index(h, objs[0], &idx)) {
		rte_mempool_free(mp);
		return NULL;
	}
	h->hold[idx] = labyrinth_mempool_hold_rec(dead, 1);
	if (rte_mempool_ops_enqueue_bulk(mp, objs, 1) != 0) {
		rte_mempool_free(mp);
		return NULL;
	}
	return mp;
}

/* The worker's dequeue held us_in_window in its window while the main
 * lcore reclaims the dead lcore: nothing may be taken back. */
static int
window(uint32_t us_in_window)
{
	const unsigned int dead = RTE_MAX_LCORE - 1;
	unsigned int wk = rte_get_next_lcore(-1, 1, 0);
	struct worker_arg a = { .ret = -1 };
	static void *objs[N];
	char name[RTE_MEMPOOL_NAMESIZE];
	uint64_t t0;
	int64_t got;

	LT_ASSERT(wk < RTE_MAX_LCORE, "needs a worker lcore (-l 0-1)");
	LT_ASSERT(!rte_lcore_is_enabled(dead), "lcore %u enabled", dead);
	snprintf(name, sizeof(name), "rr_w%u", us_in_window);
	a.mp = setup(name, objs, dead);
	LT_ASSERT(a.mp != NULL, "setup");
	LT_ASSERT_EQ(rte_mempool_avail_count(a.mp), 1, "one free");

	__atomic_store_n(&in_window, 0, __ATOMIC_RELAXED);
	/* Release: the worker reads it in the hook. */
	__atomic_store_n(&hold_us, us_in_window, __ATOMIC_RELEASE);
	LT_ASSERT_EQ(rte_eal_remote_launch(worker, &a, wk), 0, "launch");
	t0 = rte_get_timer_cycles();
	/* Acquire: pairs with the hook's store. */
	while (__atomic_load_n(&in_window, __ATOMIC_ACQUIRE) == 0) {
		if (rte_get_timer_cycles() - t0 > rte_get_timer_hz() * 10)
			break;
		rte_pause();
	}
	LT_ASSERT(__atomic_load_n(&in_window, __ATOMIC_ACQUIRE) == 1,
		"the worker's dequeue never reached its window");
	/* The worker's object: bit clear, record naming the dead lcore. */
	got = labyrinth_mempool_reclaim_lcore(a.mp, dead);
	rte_eal_wait_lcore(wk);
	__atomic_store_n(&hold_us, 0, __ATOMIC_RELEASE);

	LT_ASSERT_EQ(got, 0, "the reclaim took the worker's object");
	LT_ASSERT_EQ(a.ret, 0, "worker's dequeue");
	LT_ASSERT(a.obj == objs[0], "the worker got the free object");
	LT_ASSERT_EQ(rte_mempool_avail_count(a.mp), 0,
		"the worker's object is free in the map while it holds it");
	LT_ASSERT(mt_audit(a.mp) == 0, "audit");
	/* Every object returns once, the worker's too. */
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(a.mp, objs, N), 0,
		"all back");
	LT_ASSERT_EQ(rte_mempool_avail_count(a.mp), N, "all free");
	rte_mempool_free(a.mp);
	return 0;
}

static int test_window(void) { return window(50 * 1000); }
static int test_window_timeout(void) { return window(600 * 1000); }

static int
test_dead_still_reclaimed(void)
{
	const unsigned int dead = RTE_MAX_LCORE - 1;
	struct labyrinth_mempool_hdr *h;
	static void *objs[N];
	struct rte_mempool *mp;
	unsigned int i;
	uint32_t idx;

	mp = setup("rr_dead", objs, dead);
	LT_ASSERT(mp != NULL, "setup");
	h = mt_hdr(mp);
	/* objs[1..8] held by the dead lcore, which died in its window. */
	for (i = 1; i <= 8; i++) {
		LT_ASSERT(labyrinth_mempool_obj_index(h, objs[i], &idx), "");
		h->hold[idx] = labyrinth_mempool_hold_rec(dead, 1);
	}
	h->lcore[dead].busy = 7;
	LT_ASSERT_EQ(labyrinth_mempool_reclaim_lcore(mp, dead), 8, "reclaim");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), 9, "");
	LT_ASSERT(mt_audit(mp) == 0, "audit");
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, objs + 9, N - 9), 0, "");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), N, "all free");
	rte_mempool_free(mp);
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	ops_name = mt_eal_init_ops(argc, argv, ops_name);
	if (rte_lcore_count() < 2) {
		printf("needs 2 lcores (-l 0-1)\n");
		return 77;
	}
	LT_RUN(test_window, failures);
	LT_RUN(test_window_timeout, failures);
	LT_RUN(test_dead_still_reclaimed, failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
