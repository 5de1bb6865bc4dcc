/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Unit tests of multi-page blocks (labyrinth_alloc_pages): alignment,
 * virtual and IOVA contiguity, exhaustion per order, no compaction, the
 * reserve, GFP_ZERO and wrong-order frees.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "labyrinth.h"
#include "labyrinth_test.h"
#include "unit_common.h"

#define HUGE_2M (UINT64_C(2) << 20)
#define MAX_BLOCKS 2048u

static void *blocks[MAX_BLOCKS];

/*
 * Alignment a block of order gets: page_size << order, capped at the
 * memzone's alignment (2 MiB, or page_size << LABYRINTH_MAX_ORDER if
 * smaller).
 */
static uint64_t
block_align(uint32_t page_size, unsigned int order)
{
	uint64_t mz_align = RTE_MIN(HUGE_2M,
		(uint64_t)page_size << LABYRINTH_MAX_ORDER);

	return RTE_MIN((uint64_t)page_size << order, mz_align);
}

/*
 * IOVA contiguity of a block, checked page by page. Only blocks that fit
 * in one 2 MiB hugepage (which their alignment guarantees) must be
 * IOVA-contiguous whatever the memzone flags.
 */
static int
check_iova(struct labyrinth *lab, const uint8_t *blk, uint32_t page_size,
		unsigned int order)
{
	uint64_t len = (uint64_t)page_size << order;
	rte_iova_t iova0 = labyrinth_page_iova(lab, blk);
	uint64_t off;

	if (iova0 == RTE_BAD_IOVA || len > HUGE_2M)
		return 0;
	for (off = 0; off < len; off += page_size)
		LT_ASSERT(labyrinth_page_iova(lab, blk + off) == iova0 + off,
			"order %u block %p not IOVA-contiguous at +%" PRIu64,
			order, blk, off);
	LT_ASSERT(labyrinth_page_iova(lab, blk + len - 1) ==
		iova0 + len - 1, "last byte");
	return 0;
}

/*
 * One block of each order 9..0 at once: aligned, owned page by page,
 * IOVA-contiguous, not overlapping (each filled with its order).
 */
static int
orders_at_once(uint32_t page_size, uint32_t nb, uint32_t cache)
{
	int self = (int)rte_lcore_id();
	struct labyrinth *lab;
	unsigned int order, i;
	uint32_t used = 0;
	uint64_t len;

	lab = ut_create("ut_orders", page_size, nb, 0, cache, 0);
	LT_ASSERT(lab != NULL, "");
	/*
	 * Largest first: then any placement leaves room for the next one
	 * (the free space stays a union of aligned blocks at least as large).
	 */
	for (order = LABYRINTH_MAX_ORDER + 1; order-- > 0; ) {
		uint8_t *blk = labyrinth_alloc_pages(lab, 0, order);

		LT_ASSERT(blk != NULL, "page size %u order %u: %s", page_size,
			order, rte_strerror(rte_errno));
		blocks[order] = blk;
		len = (uint64_t)page_size << order;
		used += 1u << order;
		LT_ASSERT(((uintptr_t)blk & (block_align(page_size, order) -
			1)) == 0, "page size %u order %u block %p not aligned "
			"to %" PRIu64, page_size, order, blk,
			block_align(page_size, order));
		for (i = 0; i < (1u << order); i++) {
			LT_ASSERT_EQ(labyrinth_page_owner(lab,
				blk + (uint64_t)i * page_size), self,
				"order %u page %u", order, i);
			LT_ASSERT_EQ(labyrinth_page_socket(lab,
				blk + (uint64_t)i * page_size),
				(int)rte_socket_id(), "");
		}
		LT_ASSERT_EQ(check_iova(lab, blk, page_size, order), 0, "");
		memset(blk, (int)order + 1, len);
		LT_ASSERT_EQ(labyrinth_free_count(lab), nb - used, "");
	}
	for (order = 0; order <= LABYRINTH_MAX_ORDER; order++)
		LT_ASSERT(ut_all_bytes(blocks[order],
			(size_t)page_size << order, order + 1),
			"order %u block overwritten: blocks overlap", order);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	for (order = 0; order <= LABYRINTH_MAX_ORDER; order++)
		LT_ASSERT_EQ(labyrinth_free_pages(lab, blocks[order], order), 0,
			"order %u", order);
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* 4 KiB pages: every order fully aligned (2 MiB for order 9). */
static int test_orders_4k(void) { return orders_at_once(4096, 2048, 0); }
static int test_orders_4k_cache(void) { return orders_at_once(4096, 2048, 64); }
/* 64 B pages: the memzone alignment is 32 KiB = 64 << 9. */
static int test_orders_64(void) { return orders_at_once(64, 2048, 0); }
/* 16 KiB pages: orders above 7 capped at 2 MiB alignment. */
static int test_orders_16k(void) { return orders_at_once(16384, 1024, 0); }

/* Each order alone: a fresh zone holds exactly nb >> order blocks. */
static int
test_order_exhaust(void)
{
	const uint32_t nb = 1024;
	struct labyrinth *lab;
	unsigned int order, n, i;

	lab = ut_create("ut_oexh", 4096, nb, 0, 0, 0);
	LT_ASSERT(lab != NULL, "");
	for (order = 0; order <= LABYRINTH_MAX_ORDER; order++) {
		n = 0;
		while (n < MAX_BLOCKS) {
			blocks[n] = labyrinth_alloc_pages(lab, 0, order);
			if (blocks[n] == NULL)
				break;
			n++;
		}
		LT_ASSERT_EQ(rte_errno, ENOMEM, "order %u", order);
		LT_ASSERT_EQ(n, nb >> order, "order %u blocks", order);
		LT_ASSERT_EQ(labyrinth_free_count(lab), 0, "");
		LT_ASSERT_EQ(ut_check_distinct(blocks, n, 4096u << order), 0,
			"order %u", order);
		LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
		for (i = 0; i < n; i++)
			LT_ASSERT_EQ(labyrinth_free_pages(lab, blocks[i],
				order), 0, "");
		LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
		LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	}
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* No compaction: half the pages free, none adjacent, order 1 fails. */
static int
test_order_fragmented(void)
{
	const uint32_t nb = 1024;
	struct labyrinth *lab;
	unsigned int n = 0, i, order;
	void *p;

	lab = ut_create("ut_frag", 4096, nb, 0, 0, 0);
	LT_ASSERT(lab != NULL, "");
	while ((blocks[n] = labyrinth_alloc_page(lab, 0)) != NULL)
		n++;
	LT_ASSERT_EQ(n, nb, "");
	/* Sorted by address: pages 2k and 2k + 1 form an aligned pair. */
	LT_ASSERT_EQ(ut_check_distinct(blocks, n, 4096), 0, "");
	for (i = 0; i < n; i += 2)
		LT_ASSERT_EQ(labyrinth_free_page(lab, blocks[i]), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb / 2, "");
	for (order = 1; order <= LABYRINTH_MAX_ORDER; order++)
		LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab,
			LABYRINTH_GFP_ATOMIC, order), ENOMEM);
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb / 2, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	/* Single pages still come. */
	p = labyrinth_alloc_pages(lab, 0, 0);
	LT_ASSERT(p != NULL, "order 0 from a fragmented zone");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, p, 0), 0, "");
	/* Free one odd page: a pair becomes free. */
	LT_ASSERT_EQ(labyrinth_free_page(lab, blocks[1]), 0, "");
	p = labyrinth_alloc_pages(lab, 0, 1);
	LT_ASSERT(p == blocks[0], "order 1 block %p, expected %p", p,
		blocks[0]);
	LT_ASSERT_EQ(labyrinth_free_pages(lab, p, 1), 0, "");
	for (i = 3; i < n; i += 2)
		LT_ASSERT_EQ(labyrinth_free_page(lab, blocks[i]), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* Blocks respect the reserve; GFP_ATOMIC blocks may take it. */
static int
test_order_reserve(void)
{
	const uint32_t nb = 1024, reserve = 100;
	const unsigned int order = 3;
	struct labyrinth *lab;
	unsigned int n = 0, na, i;
	uint64_t dips;

	lab = ut_create("ut_ores", 4096, nb, reserve, 0, 0);
	LT_ASSERT(lab != NULL, "");
	while ((blocks[n] = labyrinth_alloc_pages(lab, 0, order)) != NULL)
		n++;
	LT_ASSERT_EQ(rte_errno, ENOMEM, "");
	LT_ASSERT_EQ(n, (nb - reserve) >> order, "normal order-3 blocks");
	LT_ASSERT_EQ(ut_stats(lab).reserve_dips, 0, "");
	na = n;
	while ((blocks[na] = labyrinth_alloc_pages(lab, LABYRINTH_GFP_ATOMIC,
			order)) != NULL)
		na++;
	LT_ASSERT_EQ(rte_errno, ENOMEM, "");
	LT_ASSERT_EQ(na, nb >> order, "all blocks with ATOMIC");
	dips = ut_stats(lab).reserve_dips;
	LT_ASSERT(dips >= 1 && dips <= (uint64_t)(na - n) << order,
		"%" PRIu64 " dips for %u ATOMIC blocks", dips, na - n);
	for (i = 0; i < na; i++)
		LT_ASSERT_EQ(labyrinth_free_pages(lab, blocks[i], order), 0,
			"");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* GFP_ZERO blocks of every order. */
static int
test_order_zero(void)
{
	const uint32_t nb = 1024;
	struct labyrinth *lab;
	unsigned int order, n, i;
	size_t len;

	lab = ut_create("ut_ozero", 4096, nb, 0, 0, 0);
	LT_ASSERT(lab != NULL, "");
	for (order = 0; order <= LABYRINTH_MAX_ORDER; order++) {
		len = (size_t)4096 << order;
		n = nb >> order;
		for (i = 0; i < n; i++) {
			blocks[i] = labyrinth_alloc_pages(lab, 0, order);
			LT_ASSERT(blocks[i] != NULL, "");
			memset(blocks[i], 0xcc, len);
		}
		for (i = 0; i < n; i++)
			LT_ASSERT_EQ(labyrinth_free_pages(lab, blocks[i],
				order), 0, "");
		for (i = 0; i < n; i++) {
			blocks[i] = labyrinth_alloc_pages(lab,
				LABYRINTH_GFP_ZERO, order);
			LT_ASSERT(blocks[i] != NULL, "");
			LT_ASSERT(ut_all_bytes(blocks[i], len, 0),
				"order %u block %u not zeroed", order, i);
		}
		for (i = 0; i < n; i++)
			LT_ASSERT_EQ(labyrinth_free_pages(lab, blocks[i],
				order), 0, "");
	}
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* Wrong order or interior pointer: -EINVAL, nothing changes. */
static int
test_order_wrong_free(void)
{
	const uint32_t nb = 2048, ps = 4096;
	int self = (int)rte_lcore_id();
	struct labyrinth_stats st0, st;
	struct labyrinth *lab;
	unsigned int order, bad;
	unsigned int free0;
	uint8_t *blk;

	lab = ut_create("ut_owrong", ps, nb, 0, 0, 0);
	LT_ASSERT(lab != NULL, "");
	for (order = 0; order <= LABYRINTH_MAX_ORDER; order++) {
		blk = labyrinth_alloc_pages(lab, 0, order);
		LT_ASSERT(blk != NULL, "order %u", order);
		free0 = labyrinth_free_count(lab);
		st0 = ut_stats(lab);
		bad = 0;
		if (order > 0) {
			LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, order - 1),
				-EINVAL, "order %u freed as %u", order,
				order - 1);
			LT_ASSERT_EQ(labyrinth_free_page(lab, blk), -EINVAL,
				"order %u freed as a page", order);
			LT_ASSERT_EQ(labyrinth_free_pages(lab, blk + ps,
				order), -EINVAL, "interior page");
			LT_ASSERT_EQ(labyrinth_free_page(lab,
				blk + ((size_t)ps << order) - ps), -EINVAL,
				"last page");
			bad += 4;
		}
		if (order < LABYRINTH_MAX_ORDER) {
			LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, order + 1),
				-EINVAL, "order %u freed as %u", order,
				order + 1);
			bad++;
		}
		LT_ASSERT_EQ(labyrinth_free_pages(lab, blk + 64, order),
			-EINVAL, "pointer inside the first page");
		bad++;
		st = ut_stats(lab);
		LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, bad, "order %u",
			order);
		LT_ASSERT_EQ(st.frees, st0.frees, "");
		LT_ASSERT_EQ(labyrinth_free_count(lab), free0, "");
		LT_ASSERT_EQ(labyrinth_page_owner(lab, blk), self, "");
		LT_ASSERT_EQ(labyrinth_audit(lab), 0, "order %u", order);
		LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, order), 0, "");
		LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, order), -EALREADY,
			"double free of order %u", order);
		LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	}
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_orders_4k, failures);
	LT_RUN(test_orders_4k_cache, failures);
	LT_RUN(test_orders_64, failures);
	LT_RUN(test_orders_16k, failures);
	LT_RUN(test_order_exhaust, failures);
	LT_RUN(test_order_fragmented, failures);
	LT_RUN(test_order_reserve, failures);
	LT_RUN(test_order_zero, failures);
	LT_RUN(test_order_wrong_free, failures);

	rte_eal_cleanup();
	printf("%d failed\n", failures);
	return failures == 0 ? 0 : 1;
}
