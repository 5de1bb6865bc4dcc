/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Conformance of the labyrinth mempool driver (ops "labyrinth", or the one
 * named after --, e.g. "labyrinth_strict"; linked in whole): pools of several sizes and element sizes, with and without a
 * cache; every object can be got once and then the next get fails; counts
 * are exact; audit and obj_iter agree; mbuf pools by ops name; NUMA
 * placement; foreign and double returns are rejected and counted.
 * Needs 2 lcores (-l 0-1) for the cross-lcore double return.
 */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_random.h>

#include "labyrinth.h"
#include "mempool_test.h"

/* Ops under test: "labyrinth" or, as the first application argument,
 * "labyrinth_strict". */
static const char *ops_name = LABYRINTH_MEMPOOL_OPS_NAME;
#define OPS ops_name

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static struct rte_mempool *
make_pool(const char *name, unsigned int n, unsigned int elt_size,
		unsigned int cache)
{
	return mt_pool_create(name, n, elt_size, cache, OPS);
}

struct iter_arg {
	void **objs;
	unsigned int n, max;
};

static void
collect(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
		unsigned int idx __rte_unused)
{
	struct iter_arg *a = arg;

	if (a->n < a->max)
		a->objs[a->n] = obj;
	a->n++;
}

/* Get every object, check, put them back; one pool configuration. */
static int
check_pool(unsigned int n, unsigned int elt_size, unsigned int cache)
{
	char name[RTE_MEMPOOL_NAMESIZE];
	struct rte_mempool *mp;
	void **got, **all, *extra;
	struct iter_arg it;
	unsigned int i, k, b, ret = -1;
	int rc;

	snprintf(name, sizeof(name), "conf_%u_%u_%u", n, elt_size, cache);
	mp = make_pool(name, n, elt_size, cache);
	LT_ASSERT(mp != NULL, "create %s: %s", name, rte_strerror(rte_errno));
	got = calloc(n, sizeof(*got));
	all = calloc(n, sizeof(*all));
	if (got == NULL || all == NULL)
		goto out;

	if (strcmp(rte_mempool_get_ops(mp->ops_index)->name, OPS) != 0 ||
			rte_mempool_avail_count(mp) != n ||
			rte_mempool_in_use_count(mp) != 0 || mt_audit(mp) != 0) {
		printf("%s: fresh pool wrong\n", name);
		goto out;
	}
	/* Get everything in random bursts (through the cache if any). */
	for (k = 0; k < n; k += b) {
		b = 1 + rte_rand() % 40;
		if (b > n - k)
			b = n - k;
		if (rte_mempool_get_bulk(mp, &got[k], b) != 0) {
			printf("%s: get %u at %u failed\n", name, b, k);
			goto out;
		}
	}
	if (rte_mempool_get(mp, &extra) == 0) {
		printf("%s: got an object from an empty pool\n", name);
		goto out;
	}
	if (rte_mempool_avail_count(mp) != 0 ||
			rte_mempool_in_use_count(mp) != n) {
		printf("%s: counts when empty: avail %u in use %u\n", name,
			rte_mempool_avail_count(mp),
			rte_mempool_in_use_count(mp));
		goto out;
	}
	rte_mempool_audit(mp);

	/* obj_iter sees every object once, and they are the ones we got. */
	it.objs = all;
	it.n = 0;
	it.max = n;
	if (rte_mempool_obj_iter(mp, collect, &it) != n || it.n != n) {
		printf("%s: obj_iter saw %u\n", name, it.n);
		goto out;
	}
	qsort(all, n, sizeof(*all), cmp_ptr);
	for (i = 1; i < n; i++)
		if (all[i] == all[i - 1]) {
			printf("%s: obj_iter twice %p\n", name, all[i]);
			goto out;
		}
	memcpy(all, got, n * sizeof(*got));
	qsort(got, n, sizeof(*got), cmp_ptr);
	for (i = 0; i < n; i++) {
		if (i > 0 && got[i] == got[i - 1]) {
			printf("%s: object %p handed out twice\n", name, got[i]);
			goto out;
		}
	}
	/* all[] keeps the get order; put back in random bursts. */
	for (k = 0; k < n; k += b) {
		b = 1 + rte_rand() % 40;
		if (b > n - k)
			b = n - k;
		rte_mempool_put_bulk(mp, &all[k], b);
	}
	if (rte_mempool_avail_count(mp) != n ||
			rte_mempool_in_use_count(mp) != 0) {
		printf("%s: counts after put: avail %u\n", name,
			rte_mempool_avail_count(mp));
		goto out;
	}
	rte_mempool_audit(mp);

	/* All or nothing: n + 1 fails, and so does a bulk bigger than what
	 * is left; nothing is taken either time. */
	if (n < RTE_MEMPOOL_CACHE_MAX_SIZE &&
			rte_mempool_get_bulk(mp, got, n + 1) == 0) {
		printf("%s: got n + 1\n", name);
		goto out;
	}
	if (n >= 4) {
		rc = rte_mempool_get_bulk(mp, got, n - 2);
		if (rc != 0 || rte_mempool_get_bulk(mp, &got[n - 2], 3) == 0 ||
				rte_mempool_avail_count(mp) != 2) {
			printf("%s: partial bulk not refused (rc %d, avail %u)\n",
				name, rc, rte_mempool_avail_count(mp));
			goto out;
		}
		rte_mempool_put_bulk(mp, got, n - 2);
	}
	if (rte_mempool_avail_count(mp) != n)
		goto out;
	if (cache != 0)
		rte_mempool_cache_flush(rte_mempool_default_cache(mp,
				rte_lcore_id()), mp);
	if (mt_audit(mp) != 0)
		goto out;
	ret = 0;
out:
	free(got);
	free(all);
	rte_mempool_free(mp);
	return ret;
}

static int
test_sizes(void)
{
	static const unsigned int sizes[] = { 1, 63, 64, 65, 1000, 4095, 8191 };
	static const unsigned int elts[] = { 8, 64, 1000, 2176, 9000 };
	static const unsigned int caches[] = { 0, 32, 256 };
	unsigned int s, e, c;

	for (s = 0; s < RTE_DIM(sizes); s++)
		for (e = 0; e < RTE_DIM(elts); e++)
			for (c = 0; c < RTE_DIM(caches); c++) {
				if (sizes[s] * (size_t)elts[e] > (32u << 20))
					continue; /* keep pools modest */
				if (caches[c] > sizes[s] / 1.5)
					continue; /* rte_mempool's limit */
				if (check_pool(sizes[s], elts[e], caches[c]))
					return -1;
			}
	return 0;
}

static int
test_pktmbuf(void)
{
	struct rte_mempool *mp;
	const struct rte_memzone *mz;
	struct rte_mbuf *m[64];
	char mz_name[RTE_MEMZONE_NAMESIZE];
	unsigned int i, r;

	mp = rte_pktmbuf_pool_create_by_ops("conf_mbuf", 4095, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id(), OPS);
	LT_ASSERT(mp != NULL, "pktmbuf pool: %s", rte_strerror(rte_errno));
	LT_ASSERT(strcmp(rte_mempool_get_ops(mp->ops_index)->name, OPS) == 0,
		"ops");
	/* The shared header is on the pool's socket. */
	LT_ASSERT(labyrinth_mempool_mz_name(mz_name, sizeof(mz_name), mp) == 0,
		"name");
	mz = rte_memzone_lookup(mz_name);
	LT_ASSERT(mz != NULL && mz->addr == mp->pool_data, "header memzone");
	LT_ASSERT_EQ(mz->socket_id, mp->socket_id, "header on pool socket");
	/* Both ops names are the driver's: the check accepts either. */
	LT_ASSERT_EQ(labyrinth_mempool_check(mp), 0, "check in primary");
	for (r = 0; r < 1000; r++) {
		LT_ASSERT(rte_pktmbuf_alloc_bulk(mp, m, RTE_DIM(m)) == 0,
			"alloc");
		for (i = 0; i < RTE_DIM(m); i++) {
			LT_ASSERT(m[i]->pool == mp && rte_mbuf_refcnt_read(m[i])
				== 1, "mbuf");
			rte_mbuf_sanity_check(m[i], 1);
		}
		if (r & 1)
			rte_pktmbuf_free_bulk(m, RTE_DIM(m));
		else
			for (i = 0; i < RTE_DIM(m); i++)
				rte_pktmbuf_free(m[i]);
	}
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), 4095, "all back");
	rte_mempool_audit(mp);
	rte_mempool_free(mp);
	return 0;
}

/* Cross-lcore double return: put on the worker lcore. */
static int
put_on_worker(void *arg)
{
	struct rte_mempool *mp = ((void **)arg)[0];
	void *obj = ((void **)arg)[1];

	return rte_mempool_ops_enqueue_bulk(mp, &obj, 1);
}

static void *
non_eal_thread(void *arg)
{
	struct rte_mempool *mp = arg;
	void *objs[100];
	unsigned int r;
	intptr_t bad = 0;

	for (r = 0; r < 1000; r++) {
		if (rte_mempool_ops_dequeue_bulk(mp, objs, 100) != 0) {
			bad++;
			continue;
		}
		if (rte_mempool_ops_enqueue_bulk(mp, objs, 100) != 0)
			bad++;
	}
	return (void *)bad;
}

/* Copies of one object in one enqueue: more than two of the driver's
 * batches (128) and of the map's put buckets. */
#define DUPS 300u

static int
test_bad_returns(void)
{
	struct rte_mempool *mp, *other;
	struct mt_counters c0, c1;
	void *a, *b, *x, *pair[2], *foreign, *arg[2];
	static void *dups[DUPS];
	char *heap;
	unsigned int n = 1000, avail, worker, k;
	uint32_t idx;
	pthread_t t;
	void *tret;

	mp = make_pool("conf_bad", n, 256, 0);
	other = make_pool("conf_other", 64, 256, 0);
	LT_ASSERT(mp != NULL && other != NULL, "create");
	heap = rte_malloc(NULL, 4096, 64);
	LT_ASSERT(heap != NULL, "rte_malloc");

	LT_ASSERT(rte_mempool_get(mp, &a) == 0 && rte_mempool_get(mp, &b) == 0,
		"get");
	LT_ASSERT(rte_mempool_get(other, &foreign) == 0, "get other");
	avail = rte_mempool_avail_count(mp);
	LT_ASSERT_EQ(avail, n - 2, "two out");
	mt_counters(mp, &c0);

	/* Foreign: another labyrinth pool's object, heap memory, an
	 * interior pointer, NULL. */
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &foreign, 1), -EINVAL,
		"other pool's object");
	x = heap + 128;
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &x, 1), -EINVAL, "heap");
	x = (char *)a + 8;
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &x, 1), -EINVAL,
		"interior");
	x = NULL;
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &x, 1), -EINVAL, "NULL");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail, "count unchanged");

	/* Double: an object just returned; the same after a get and put of
	 * another object; the same object twice in one call. */
	rte_mempool_put(mp, b);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 1, "b back");
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &b, 1), -EALREADY,
		"b again (just returned)");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 1, "unchanged");
	LT_ASSERT(rte_mempool_get(mp, &x) == 0, "get");
	rte_mempool_put(mp, x);
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &b, 1), -EALREADY,
		"b again (in the map)");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 1, "unchanged");
	pair[0] = pair[1] = a;
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, pair, 2), -EALREADY,
		"a twice in one call");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 2, "a back once");
	/* Never dequeued since populate (whose own enqueue set its bit):
	 * a return of it is a double return, not a first one. */
	idx = mt_hdr(mp)->nb_objs - 1;
	LT_ASSERT(mt_hdr(mp)->hold[idx] == LABYRINTH_MEMPOOL_HOLD_NONE,
		"object %u never dequeued", idx);
	x = mt_hdr(mp)->objs[idx];
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &x, 1), -EALREADY,
		"never dequeued");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 2, "unchanged");
	mt_counters(mp, &c1);
	LT_ASSERT_EQ(c1.rejects - c0.rejects, 8, "rejects counted");
	LT_ASSERT(mt_audit(mp) == 0, "audit");

	/* One held object DUPS times in one call, across the driver's
	 * batches of 128 and the map's bucketed put: accepted once, every
	 * other copy a counted double. */
	LT_ASSERT(rte_mempool_get(mp, &a) == 0, "get");
	for (k = 0; k < DUPS; k++)
		dups[k] = a;
	mt_counters(mp, &c0);
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, dups, DUPS), -EALREADY,
		"a %u times in one call", DUPS);
	mt_counters(mp, &c1);
	LT_ASSERT_EQ(c1.rejects - c0.rejects, DUPS - 1, "duplicates counted");
	LT_ASSERT_EQ(c1.returns - c0.returns, 1, "a accepted once");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 2, "a back once");
	LT_ASSERT(mt_audit(mp) == 0, "audit");

	/* Cross-lcore: a held object returned on the worker and then here:
	 * refused, and counted once. */
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker < RTE_MAX_LCORE) {
		LT_ASSERT(rte_mempool_get(mp, &a) == 0, "get");
		avail = rte_mempool_avail_count(mp);
		arg[0] = mp;
		arg[1] = a;
		rte_eal_remote_launch(put_on_worker, arg, worker);
		LT_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "put on worker");
		LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 1,
			"returned on the worker");
		mt_counters(mp, &c0);
		LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &a, 1), -EALREADY,
			"second return on another lcore");
		mt_counters(mp, &c1);
		LT_ASSERT_EQ(c1.rejects - c0.rejects, 1, "cross-lcore double");
		LT_ASSERT_EQ(rte_mempool_avail_count(mp), avail + 1,
			"inserted once");
		LT_ASSERT(mt_audit(mp) == 0, "audit");
	} else {
		printf("note: one lcore, cross-lcore double return skipped\n");
	}

	/* Threads without an lcore id use the shared slot. */
	LT_ASSERT(pthread_create(&t, NULL, non_eal_thread, mp) == 0, "thread");
	pthread_join(t, &tret);
	LT_ASSERT(tret == NULL, "non-EAL get/put");
	LT_ASSERT(mt_audit(mp) == 0, "audit");

	LT_ASSERT_EQ(rte_mempool_avail_count(mp), n, "all back");
	rte_mempool_put(other, foreign);
	rte_free(heap);
	rte_mempool_free(mp);
	rte_mempool_free(other);
	return 0;
}

/*
 * "Held" is a clear map bit plus a real hold record: the holder summary
 * and the reclaim skip objects never dequeued (populate's
 * LABYRINTH_MEMPOOL_HOLD_NONE) and claim-chain links (tagged records of a
 * dequeue of more than 512 objects, whose bits are clear until it hands
 * them out); a chained dequeue leaves real records behind, a failed one
 * leaves its objects free.
 */
#define HC_N 2000u
#define HC_BIG 600u  /* > 512: a chained dequeue */
#define HC_DEAD 20u  /* records forged for a lcore that is not enabled */

static int
test_holders_links(void)
{
	static void *objs[HC_N];
	struct labyrinth_holders *hs;
	struct labyrinth_mempool_hdr *h;
	struct rte_mempool *mp;
	unsigned int me = rte_lcore_id(), dead = RTE_MAX_LCORE - 1, i;
	uint64_t saved;
	uint32_t idx;

	if (rte_lcore_is_enabled(dead)) {
		printf("note: lcore %u enabled, holders_links skipped\n", dead);
		return 0;
	}
	hs = malloc(sizeof(*hs));
	mp = make_pool("conf_links", HC_N, 64, 0);
	LT_ASSERT(hs != NULL && mp != NULL, "create");
	h = mt_hdr(mp);
	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 0, hs), 0, "holders");
	LT_ASSERT_EQ(hs->held, 0, "nothing held after populate");

	/* A chained dequeue: every object handed out with a real record. */
	LT_ASSERT_EQ(rte_mempool_ops_dequeue_bulk(mp, objs, HC_BIG), 0,
		"dequeue %u", HC_BIG);
	LT_ASSERT(mt_audit(mp) == 0, "audit after a chained dequeue");
	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 0, hs), 0, "holders");
	LT_ASSERT_EQ(hs->owner[me].held, HC_BIG, "held by lcore %u", me);
	LT_ASSERT_EQ(hs->held, HC_BIG, "held");
	/* A chained dequeue of more than is free: nothing taken, its
	 * claimed objects free again (their links left behind, tagged). */
	LT_ASSERT_EQ(rte_mempool_ops_dequeue_bulk(mp, objs + HC_BIG,
		HC_N - HC_BIG + 1), -ENOBUFS, "too many");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), HC_N - HC_BIG, "free");
	LT_ASSERT(mt_audit(mp) == 0, "audit after a failed chained dequeue");
	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 0, hs), 0, "holders");
	LT_ASSERT_EQ(hs->held, HC_BIG, "held unchanged");

	/* A held object whose record is a link (as in the middle of a
	 * chained dequeue) is nobody's. */
	LT_ASSERT(labyrinth_mempool_obj_index(h, objs[0], &idx), "index");
	saved = h->hold[idx];
	h->hold[idx] = labyrinth_mempool_hold_link(idx + 1);
	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 0, hs), 0, "holders");
	LT_ASSERT_EQ(hs->held, HC_BIG - 1, "a link is not a holder");
	/* Forge records of a dead lcore on HC_DEAD held objects, and a link
	 * whose low bits name it on one more: the reclaim takes back the
	 * HC_DEAD, not the linked one. */
	for (i = 1; i <= HC_DEAD; i++) {
		LT_ASSERT(labyrinth_mempool_obj_index(h, objs[i], &idx),
			"index");
		h->hold[idx] = labyrinth_mempool_hold_rec(dead, 1);
	}
	LT_ASSERT(labyrinth_mempool_obj_index(h, objs[0], &idx), "index");
	h->hold[idx] = labyrinth_mempool_hold_link(idx + 1) | dead;
	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 0, hs), 0, "holders");
	LT_ASSERT_EQ(hs->owner[dead].held, HC_DEAD, "forged");
	LT_ASSERT_EQ(labyrinth_mempool_reclaim_lcore(mp, dead), HC_DEAD,
		"reclaim");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), HC_N - HC_BIG + HC_DEAD,
		"reclaimed");
	h->hold[idx] = saved;
	LT_ASSERT(mt_audit(mp) == 0, "audit");
	/* Those HC_DEAD are free now: returning them again is refused. */
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, objs + 1, HC_DEAD),
		-EALREADY, "reclaimed objects returned again");
	rte_mempool_put_bulk(mp, objs, 1);
	rte_mempool_put_bulk(mp, objs + 1 + HC_DEAD, HC_BIG - 1 - HC_DEAD);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), HC_N, "all back");
	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 0, hs), 0, "holders");
	LT_ASSERT_EQ(hs->held, 0, "nothing held");
	LT_ASSERT(mt_audit(mp) == 0, "audit");
	rte_mempool_free(mp);
	free(hs);
	return 0;
}

static int
test_no_cache_align(void)
{
	struct rte_mempool *mp;
	void *objs[100], *interior;
	unsigned int i;

	/* Objects are found by address alone: packed objects work too. */
	mp = rte_mempool_create_empty("conf_noalign", 100, 72, 0, 0,
			SOCKET_ID_ANY, RTE_MEMPOOL_F_NO_CACHE_ALIGN);
	LT_ASSERT(mp != NULL, "create_empty");
	LT_ASSERT(rte_mempool_set_ops_byname(mp, OPS, NULL) == 0, "ops");
	LT_ASSERT(rte_mempool_populate_default(mp) == 100, "populate");
	LT_ASSERT(rte_mempool_get_bulk(mp, objs, 100) == 0, "get all");
	LT_ASSERT(rte_mempool_get_bulk(mp, objs, 1) != 0, "empty");
	/* a pointer inside an object is foreign: rejected, count unchanged */
	interior = RTE_PTR_ADD(objs[3], 8);
	LT_ASSERT(rte_mempool_ops_enqueue_bulk(mp, &interior, 1) != 0,
		"interior rejected");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), 0, "nothing added");
	for (i = 0; i < 100; i++)
		LT_ASSERT(objs[i] != NULL, "object %u", i);
	rte_mempool_put_bulk(mp, objs, 100);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), 100, "all back");
	LT_ASSERT(mt_audit(mp) == 0, "audit");
	rte_mempool_free(mp);
	LT_ASSERT_EQ(labyrinth_mempool_check(NULL), -EINVAL, "NULL check");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	ops_name = mt_eal_init_ops(argc, argv, ops_name);
	LT_RUN(test_sizes, failures);
	LT_RUN(test_pktmbuf, failures);
	LT_RUN(test_bad_returns, failures);
	LT_RUN(test_holders_links, failures);
	LT_RUN(test_no_cache_align, failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
