/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Section 5, "meta": DPDK heap bytes beyond the page bytes, per page, of
 * labyrinths and mempools of a few sizes.
 */

#include <math.h>
#include <stdio.h>

#include <rte_malloc.h>

#include "bench_priv.h"

/* Bytes allocated from the DPDK heaps (memzones included). */
static uint64_t
heap_allocated(void)
{
	struct rte_malloc_socket_stats s;
	unsigned int i;
	uint64_t total = 0;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
				&s) == 0)
			total += s.heap_allocsz_bytes;
	return total;
}

static void
meta_one(const char *name, uint32_t page_size, uint32_t nb_pages,
		uint32_t cache, const char *ops, double *bytes_per_page)
{
	struct labyrinth *lab = NULL;
	struct rte_mempool *mp = NULL;
	uint64_t before, after, data = (uint64_t)page_size * nb_pages;
	double per_page = NAN, stat_per_page = NAN;
	struct labyrinth_stats st;
	char desc[80], v[16], sv[16];

	before = heap_allocated();
	if (ops == NULL)
		lab = lab_create("bench_meta", page_size, nb_pages, cache);
	else
		mp = mp_create("bench_meta", ops, nb_pages, page_size, cache);
	after = heap_allocated();
	if (lab != NULL || mp != NULL)
		per_page = ((double)after - (double)before - (double)data) /
			nb_pages;
	if (lab != NULL && labyrinth_stats_get(lab, &st) == 0)
		stat_per_page = (double)st.metadata_bytes / nb_pages;
	fmt_label(desc, sizeof(desc), "%s, %u x %u B, cache %u", name,
		nb_pages, page_size, cache);
	fmt_num(v, sizeof(v), per_page);
	fmt_num(sv, sizeof(sv), stat_per_page);
	printf("%-52s %12" PRIu64 " %12" PRIu64 " %9s %8.3f%% %9s\n", desc,
		after - before, data, v, per_page / page_size * 100, sv);
	figure_add("meta", desc, "B/page", &per_page, 1, !isnan(per_page),
		NAN);
	if (lab != NULL) {
		fmt_label(desc, sizeof(desc), "%s, %u x %u B, cache %u "
			"(stats.metadata_bytes)", name, nb_pages, page_size,
			cache);
		figure_add("meta", desc, "B/page", &stat_per_page, 1,
			!isnan(stat_per_page), NAN);
	}
	if (bytes_per_page != NULL)
		*bytes_per_page = per_page;
	lab_destroy(lab);
	rte_mempool_free(mp);
}

static void
section_meta(void)
{
	double lab_small, lab_big;

	printf("\n== 5. metadata: DPDK heap bytes beyond the page bytes, "
		"per page (rte_malloc_get_socket_stats before/after create) "
		"==\n");
	printf("%-52s %12s %12s %9s %9s %9s\n", "pool", "heap bytes",
		"page bytes", "B/page", "of page", "stat B/pg");
	meta_one("labyrinth", PAGE_4K, POOL_PAGES, CACHE, NULL, &lab_small);
	meta_one("labyrinth", PAGE_4K, 4 * POOL_PAGES, CACHE, NULL,
		&lab_big);
	meta_one("labyrinth", PAGE_4K, 4 * POOL_PAGES, 0, NULL, NULL);
	meta_one("labyrinth", LABYRINTH_PAGE_SIZE_MIN, 1u << 20, CACHE, NULL,
		NULL);
	meta_one("mempool ring_mp_mc", PAGE_4K, POOL_OBJS, CACHE,
		"ring_mp_mc", NULL);
	meta_one("mempool ring_mp_mc", PAGE_4K, 4 * POOL_OBJS, CACHE,
		"ring_mp_mc", NULL);
	meta_one("mempool stack", PAGE_4K, 4 * POOL_OBJS, 0, "stack", NULL);
	printf("(heap bytes include memzone and malloc-element overheads and "
		"every per-lcore structure; RTE_MAX_LCORE = %d; stat B/pg is "
		"labyrinth_stats.metadata_bytes per page)\n", RTE_MAX_LCORE);
	target_add("meta: metadata % of page bytes, 4 KiB x 8 Ki pages",
		lab_small / PAGE_4K * 100, true, 1.0);
	target_add("meta: metadata % of page bytes, 4 KiB x 32 Ki pages",
		lab_big / PAGE_4K * 100, true, 1.0);
}

const struct bench_section bench_meta_section = {
	.name = "meta",
	.run = section_meta,
};
