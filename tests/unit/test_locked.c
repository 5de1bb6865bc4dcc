/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Locked instructions per operation, counted: this program links a build
 * of the library made with LAB_COUNT_RMW, where every atomic
 * read-modify-write (the only operations that are locked on x86) bumps a
 * thread-local count (labyrinth_atomic_priv.h). The contract checked:
 * - default pools take no locked instruction on a cached grab, a cached
 *   free by the owner or by another lcore with a slot, and bulk grabs and
 *   frees from and to the cache;
 * - LABYRINTH_F_STRICT pools take exactly one per free (the owner
 *   record's CAS) and none per cached grab;
 * - cache-less pairs take about two (claim and put), tokens amortised;
 * - a cache flush takes one OR per distinct map word plus one budget add,
 *   whatever the order of the pages in the cache.
 * Runs on 2 lcores (-l 0-1).
 */

#include <inttypes.h>
#include <stdint.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "labyrinth_priv.h"
#include "unit_common.h"

#define PS 4096u
#define PAIRS 10000u
#define BULK 32u

static struct labyrinth *
make(const char *name, uint32_t cache, uint32_t flags)
{
	return ut_create(name, PS, 4096, 64, cache, flags);
}

/* Grab and free n pages, so that the cache is past its first refill. */
static int
warm(struct labyrinth *lab, unsigned int n)
{
	void *p[BULK * 4];
	unsigned int i;

	for (i = 0; i < n; i++) {
		p[i] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(p[i] != NULL, "");
	}
	for (i = 0; i < n; i++)
		LT_ASSERT_EQ(labyrinth_free_page(lab, p[i]), 0, "");
	return 0;
}

/* RMWs of PAIRS cached grab+free pairs. */
static int
pairs(struct labyrinth *lab, uint64_t *rmw)
{
	unsigned int i;
	uint64_t c0;
	void *p;

	c0 = lab_rmw_count;
	for (i = 0; i < PAIRS; i++) {
		p = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(p != NULL, "");
		LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	}
	*rmw = lab_rmw_count - c0;
	return 0;
}

/* RMWs of PAIRS / BULK bulk grabs and frees of BULK pages. */
static int
bulks(struct labyrinth *lab, uint64_t *rmw)
{
	void *p[BULK];
	unsigned int i;
	uint64_t c0;

	c0 = lab_rmw_count;
	for (i = 0; i < PAIRS / BULK; i++) {
		LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, p, BULK), BULK, "");
		LT_ASSERT_EQ(labyrinth_free_bulk(lab, p, BULK), BULK, "");
	}
	*rmw = lab_rmw_count - c0;
	return 0;
}

static int
test_default_cached(void)
{
	struct labyrinth *lab = make("ut_lk_def", 256, 0);
	uint64_t rmw;

	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(warm(lab, BULK * 4), 0, "");
	LT_ASSERT_EQ(pairs(lab, &rmw), 0, "");
	printf("default, cache 256: %" PRIu64 " locked ops in %u pairs\n",
		rmw, PAIRS);
	LT_ASSERT_EQ(rmw, 0, "locked instructions on the cached pair");
	LT_ASSERT_EQ(bulks(lab, &rmw), 0, "");
	printf("default, cache 256: %" PRIu64 " locked ops in %u bulk-%u "
		"pairs\n", rmw, PAIRS / BULK, BULK);
	LT_ASSERT_EQ(rmw, 0, "locked instructions on the cached bulk pair");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int
test_strict_cached(void)
{
	struct labyrinth *lab = make("ut_lk_str", 256, LABYRINTH_F_STRICT);
	uint64_t rmw;

	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(warm(lab, BULK * 4), 0, "");
	LT_ASSERT_EQ(pairs(lab, &rmw), 0, "");
	printf("strict, cache 256: %" PRIu64 " locked ops in %u pairs\n", rmw,
		PAIRS);
	LT_ASSERT_EQ(rmw, PAIRS, "one locked op per strict free");
	LT_ASSERT_EQ(bulks(lab, &rmw), 0, "");
	printf("strict, cache 256: %" PRIu64 " locked ops in %u bulk-%u "
		"pairs\n", rmw, PAIRS / BULK, BULK);
	LT_ASSERT_EQ(rmw, PAIRS / BULK * BULK, "one locked op per page freed");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int
test_nocache(void)
{
	struct labyrinth *lab = make("ut_lk_nc", 0, 0);
	uint64_t rmw;

	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(warm(lab, BULK * 4), 0, "");
	LT_ASSERT_EQ(pairs(lab, &rmw), 0, "");
	printf("default, no cache: %.3f locked ops a pair\n",
		(double)rmw / PAIRS);
	LT_ASSERT(rmw <= PAIRS * 2 + PAIRS / 16, "more than a claim and a "
		"put a pair: %" PRIu64 " in %u pairs", rmw, PAIRS);
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/*
 * Cache-less bulks of 32: the grab takes the budget once and claims the
 * bits a map word at a time, the free puts them back one OR per word and
 * gives the budget once. 32 pages span at most two words: at most 6
 * locked operations a grab and free of 32 (there were two a page).
 */
static int
test_nocache_bulk(void)
{
	struct labyrinth *lab = make("ut_lk_ncb", 0, 0);
	void *p[BULK];
	uint64_t c0, rmw;
	unsigned int i;

	LT_ASSERT(lab != NULL, "");
	c0 = lab_rmw_count;
	for (i = 0; i < 100; i++) {
		LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, p, BULK), BULK, "");
		LT_ASSERT_EQ(labyrinth_free_bulk(lab, p, BULK), BULK, "");
	}
	rmw = lab_rmw_count - c0;
	printf("default, no cache: bulk %u grab + free: %.2f locked ops\n",
		BULK, rmw / 100.0);
	LT_ASSERT(rmw <= 100 * 6, "%" PRIu64 " locked ops in 100 bulk pairs",
		rmw);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/*
 * Cache-less block pairs of orders 6..9, default and strict: a budget take,
 * one claim per map word (one CAS for order 6 and below), the free's record
 * CAS (strict; and in every pool above order 6), the bits back and a budget
 * give. Whole words (order 7 and above) go back with plain stores, not one
 * OR each. Order 9 (LABYRINTH_MAP_HUGE_ORDER) claims no word: one CAS of
 * the group's huge flag and one fence, whatever its size, so an order-9
 * pair is 5 locked operations (it was 11, and 18 before that in default
 * pools, 19 in strict ones).
 */
static int
block_pairs(uint32_t flags, const char *name)
{
	struct labyrinth *lab = make(name, 0, flags);
	bool strict = (flags & LABYRINTH_F_STRICT) != 0;
	unsigned int order, i;
	uint64_t c0, rmw, want;
	void *p;

	LT_ASSERT(lab != NULL, "");
	for (order = 6; order <= LABYRINTH_MAX_ORDER; order++) {
		unsigned int words = order > LABYRINTH_MAP_WORD_ORDER ?
			1u << (order - LABYRINTH_MAP_WORD_ORDER) : 1;
		bool cas = strict || order > LABYRINTH_MAP_WORD_ORDER;
		bool or = order <= LABYRINTH_MAP_WORD_ORDER;

		if (order == LABYRINTH_MAP_HUGE_ORDER)
			words = 2; /* the flag's CAS and the fence */
		want = 1 + words + (cas ? 1 : 0) + (or ? 1 : 0) + 1;
		c0 = lab_rmw_count;
		for (i = 0; i < 100; i++) {
			p = labyrinth_alloc_pages(lab, 0, order);
			LT_ASSERT(p != NULL, "order %u", order);
			LT_ASSERT_EQ(labyrinth_free_pages(lab, p, order), 0,
				"order %u", order);
		}
		rmw = lab_rmw_count - c0;
		printf("%s, no cache: order %u pair: %.2f locked ops\n",
			strict ? "strict" : "default", order, rmw / 100.0);
		LT_ASSERT_EQ(rmw, 100 * want, "order %u pair: %" PRIu64
			" locked ops a pair expected", order, want);
	}
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int
test_block_pairs(void)
{
	LT_ASSERT_EQ(block_pairs(0, "ut_lk_blk"), 0, "default pool");
	return block_pairs(LABYRINTH_F_STRICT, "ut_lk_blks");
}

/* Zone page index of p (white box). */
static uint32_t
page_index(struct labyrinth *lab, void *p)
{
	unsigned int z;
	uint32_t idx = UINT32_MAX;

	lab_locate(lab, p, &z, &idx, true);
	return idx;
}

/*
 * 128 pages freed into the cache alternating between their map words,
 * then flushed: one OR per distinct word, one add of budget.
 */
static int
test_flush_per_word(void)
{
	struct labyrinth *lab = make("ut_lk_fl", 256, 0);
	void *p[128], *order[128];
	unsigned int i, words = 0;
	uint64_t c0, rmw;
	uint32_t last = UINT32_MAX;

	LT_ASSERT(lab != NULL, "");
	for (i = 0; i < 128; i++) {
		p[i] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(p[i] != NULL, "");
	}
	qsort(p, 128, sizeof(p[0]), ut_cmp_ptr);
	for (i = 0; i < 128; i++) {
		uint32_t w = page_index(lab, p[i]) / LABYRINTH_MAP_WORD_BITS;

		if (w != last)
			words++;
		last = w;
		/* interleave the two halves: 0, 64, 1, 65, ... */
		order[i] = p[(i % 2) * 64 + i / 2];
	}
	labyrinth_cache_flush(lab);
	for (i = 0; i < 128; i++)
		LT_ASSERT_EQ(labyrinth_free_page(lab, order[i]), 0, "");
	c0 = lab_rmw_count;
	labyrinth_cache_flush(lab);
	rmw = lab_rmw_count - c0;
	printf("flush of 128 pages of %u words: %" PRIu64 " locked ops\n",
		words, rmw);
	LT_ASSERT_EQ(rmw, words + 1, "one OR per word and one budget add");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

struct grab_arg {
	struct labyrinth *lab;
	void *pages[BULK];
	int rc;
};

static int
grab_worker(void *arg)
{
	struct grab_arg *ga = arg;

	ga->rc = labyrinth_alloc_bulk(ga->lab, 0, ga->pages, BULK) == BULK ?
		0 : -1;
	return 0;
}

/* Pages grabbed on another lcore, freed here into our own cache. */
static int
test_remote_cached(void)
{
	struct labyrinth *lab = make("ut_lk_rem", 256, 0);
	unsigned int worker = rte_get_next_lcore(-1, 1, 0), i;
	struct grab_arg ga = { 0 };
	uint64_t c0, rmw;

	if (worker >= RTE_MAX_LCORE) {
		printf("needs 2 lcores\n");
		return LT_SKIP;
	}
	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(warm(lab, BULK), 0, "");
	ga.lab = lab;
	LT_ASSERT_EQ(rte_eal_remote_launch(grab_worker, &ga, worker), 0, "");
	rte_eal_wait_lcore(worker);
	LT_ASSERT_EQ(ga.rc, 0, "");
	c0 = lab_rmw_count;
	for (i = 0; i < BULK; i++)
		LT_ASSERT_EQ(labyrinth_free_page(lab, ga.pages[i]), 0, "");
	rmw = lab_rmw_count - c0;
	printf("default: %" PRIu64 " locked ops in %u remote frees into the "
		"cache\n", rmw, BULK);
	LT_ASSERT_EQ(rmw, 0, "locked instructions on a remote cached free");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	/* The worker's cache holds pages: destroy counts them free. */
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0, skipped = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_default_cached, failures);
	LT_RUN(test_strict_cached, failures);
	LT_RUN(test_nocache, failures);
	LT_RUN(test_nocache_bulk, failures);
	LT_RUN(test_flush_per_word, failures);
	LT_RUN(test_block_pairs, failures);
	LT_RUN_SKIPPABLE(test_remote_cached, failures, skipped);

	rte_eal_cleanup();
	printf("%d failed, %d skipped\n", failures, skipped);
	return failures == 0 ? 0 : 1;
}
