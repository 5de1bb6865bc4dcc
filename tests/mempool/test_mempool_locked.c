/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Locked instructions per driver call, counted: this program links the
 * mempool driver and the library built with LAB_COUNT_RMW, where every
 * atomic read-modify-write (the only operations that are locked on x86)
 * bumps a thread-local count (labyrinth_atomic_priv.h). On a pool without
 * an rte_mempool cache (every get and put reaches the driver):
 * - a single put (rte_mempool_put(), what net_null's Tx and testpmd's
 *   --mbcache=0 do per mbuf) takes one locked instruction in both modes:
 *   the map bit's OR, which also arbitrates double and racing returns
 *   (strict mode took two until layout version 5: the OR plus a state
 *   byte's exchange); no budget counter is touched;
 * - a single get takes one (the CAS that claims the bit);
 * - a bulk get of 32 from a word with more free bits takes one, a bulk put
 *   of those 32 (one map word) one, in both modes (strict took 33 until
 *   layout version 5: one state exchange per object);
 * - a failing get takes back what it claimed and changes no count;
 * - a failing get writes nothing to the caller's table: rte_mempool's
 *   cache refill dequeues straight into the cache's array and, when the
 *   direct dequeue after it fails too, keeps the cache as it was (the
 *   driver used to leave claimed-and-returned objects there, each then
 *   both in the cache and free in the map).
 * Usage: <EAL args> -- [ops_name]; runs on one lcore.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "mempool_test.h"

#define NB_OBJS 1024u
#define BULK 32u
#define ROUNDS 1000u

static const char *ops = "labyrinth";
static bool strict;

static struct rte_mempool *
make_cached(const char *name, unsigned int cache)
{
	return mt_pool_create(name, NB_OBJS, 64, cache, ops);
}

static struct rte_mempool *
make(const char *name)
{
	return make_cached(name, 0);
}

/* RMWs of ROUNDS single get + put pairs; the put's share separately. */
static int
test_single(void)
{
	struct rte_mempool *mp = make("lk_single");
	uint64_t c0, get = 0, put = 0;
	unsigned int i;
	void *o;

	LT_ASSERT(mp != NULL, "pool");
	for (i = 0; i < ROUNDS; i++) {
		c0 = lab_rmw_count;
		LT_ASSERT_EQ(rte_mempool_get(mp, &o), 0, "get %u", i);
		get += lab_rmw_count - c0;
		c0 = lab_rmw_count;
		rte_mempool_put(mp, o);
		put += lab_rmw_count - c0;
	}
	printf("%s: single get %.2f, single put %.2f locked ops\n", ops,
		(double)get / ROUNDS, (double)put / ROUNDS);
	LT_ASSERT_EQ(get, ROUNDS, "one CAS per single get");
	LT_ASSERT_EQ(put, ROUNDS, "single put: the bit's OR alone%s",
		strict ? " (strict too)" : "");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), NB_OBJS, "all back");
	LT_ASSERT_EQ(mt_audit(mp), 0, "audit");
	rte_mempool_free(mp);
	return 0;
}

/* RMWs of ROUNDS bulk get + put pairs of BULK objects. */
static int
test_bulk(void)
{
	struct rte_mempool *mp = make("lk_bulk");
	uint64_t c0, get = 0, put = 0;
	void *o[BULK];
	unsigned int i;

	LT_ASSERT(mp != NULL, "pool");
	for (i = 0; i < ROUNDS; i++) {
		c0 = lab_rmw_count;
		LT_ASSERT_EQ(rte_mempool_get_bulk(mp, o, BULK), 0, "get %u", i);
		get += lab_rmw_count - c0;
		c0 = lab_rmw_count;
		rte_mempool_put_bulk(mp, o, BULK);
		put += lab_rmw_count - c0;
	}
	printf("%s: bulk-%u get %.2f, put %.2f locked ops\n", ops, BULK,
		(double)get / ROUNDS, (double)put / ROUNDS);
	/* A word of 64 free objects: one CAS claims 32 of them; they go
	 * back to that word with one OR. */
	LT_ASSERT_EQ(get, ROUNDS, "one claim per bulk get");
	LT_ASSERT_EQ(put, ROUNDS, "bulk put: one OR%s",
		strict ? " (strict too)" : "");
	LT_ASSERT_EQ(mt_audit(mp), 0, "audit");
	rte_mempool_free(mp);
	return 0;
}

/* A get of more than the pool holds fails and leaves every count. */
static int
test_fail(void)
{
	struct rte_mempool *mp = make("lk_fail");
	static void *o[NB_OBJS];
	struct mt_counters c;

	LT_ASSERT(mp != NULL, "pool");
	LT_ASSERT_EQ(rte_mempool_get_bulk(mp, o, NB_OBJS - 10), 0, "most");
	LT_ASSERT(rte_mempool_get_bulk(mp, o + NB_OBJS - 10, 11) != 0,
		"11 of 10 refused");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), 10, "10 still free");
	LT_ASSERT_EQ(rte_mempool_get_bulk(mp, o + NB_OBJS - 10, 10), 0,
		"the last 10");
	LT_ASSERT(rte_mempool_get(mp, o) != 0, "empty");
	mt_counters(mp, &c);
	LT_ASSERT_EQ(c.fails, 2, "two failed dequeues counted");
	rte_mempool_put_bulk(mp, o, NB_OBJS);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), NB_OBJS, "all back");
	LT_ASSERT_EQ(mt_audit(mp), 0, "audit");
	rte_mempool_free(mp);
	return 0;
}

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Cache 32; 5 objects free in the driver and 20 in the cache; a get of 30
 * takes the 20, fails to refill (32 + 10 > 5) and fails the direct get of
 * 10: rte_mempool puts the cache's 20 back as they were. Every object must
 * then be had exactly once.
 */
static int
test_fail_keeps_cache(void)
{
	struct rte_mempool *mp = make_cached("lk_failc", 32);
	static void *o[NB_OBJS + 64];
	struct rte_mempool_cache *c;
	unsigned int i, held = NB_OBJS - 5;

	LT_ASSERT(mp != NULL, "pool");
	c = rte_mempool_default_cache(mp, rte_lcore_id());
	LT_ASSERT(c != NULL, "cache");
	/* More than RTE_MEMPOOL_CACHE_MAX_SIZE: straight from the driver. */
	LT_ASSERT_EQ(rte_mempool_get_bulk(mp, o, held), 0, "all but 5");
	rte_mempool_put_bulk(mp, o + held - 20, 20);
	held -= 20;
	LT_ASSERT_EQ(c->len, 20, "20 in the cache");
	LT_ASSERT(rte_mempool_get_bulk(mp, o + held, 30) != 0,
		"30 of 25 refused");
	LT_ASSERT_EQ(c->len, 20, "the cache kept its 20");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), 25, "25 free");
	/* Take the 25 (the cache's 20 first, then 5 from the driver). */
	LT_ASSERT_EQ(rte_mempool_get_bulk(mp, o + held, 20), 0, "the 20");
	LT_ASSERT_EQ(rte_mempool_get_bulk(mp, o + held + 20, 5), 0, "the 5");
	held += 25;
	LT_ASSERT(rte_mempool_get(mp, &o[held]) != 0, "empty");
	qsort(o, held, sizeof(o[0]), cmp_ptr);
	for (i = 1; i < held; i++)
		LT_ASSERT(o[i] != o[i - 1], "object %p had twice", o[i]);
	LT_ASSERT_EQ(held, NB_OBJS, "every object had");
	rte_mempool_put_bulk(mp, o, held);
	rte_mempool_cache_flush(c, mp);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), NB_OBJS, "all back");
	LT_ASSERT_EQ(mt_audit(mp), 0, "audit");
	rte_mempool_free(mp);
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	ops = mt_eal_init_ops(argc, argv, ops);
	strict = strcmp(ops, "labyrinth_strict") == 0;
	LT_RUN(test_single, failures);
	LT_RUN(test_bulk, failures);
	LT_RUN(test_fail, failures);
	LT_RUN(test_fail_keeps_cache, failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
