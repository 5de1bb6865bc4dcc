/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Per-lcore caches: refilled from the map by claiming whole words, flushed
 * back half at a time with one OR per word touched, drained on demand.
 * Only the owning lcore touches its cache (or anybody once it is dead:
 * labyrinth_reclaim_lcore()).
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_per_lcore.h>

#include "labyrinth_grab_priv.h"

/*
 * Refill lc's cache from its zone, above the reserve. Returns pages added.
 */
__rte_noinline uint32_t
lab_cache_refill(struct labyrinth *lab, struct lab_lcore *lc, uint32_t want)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t idx[LABYRINTH_CACHE_MAX];
	uint32_t len = lab_cache_len(lc), budget, got, i;

	if (want > lc->size - len)
		want = lc->size - len;
	budget = labyrinth_map_reserve_upto(&zn->map, want, zn->reserve);
	if (budget == 0)
		return 0;
	got = labyrinth_map_claim(&zn->map, &lc->hint, idx, budget);
	if (unlikely(got < budget))
		labyrinth_map_unreserve(&zn->map, budget - got);
	for (i = 0; i < got; i++)
		lab_cache(lc)[len + i] = lab_page_addr(lab, zn, idx[i]);
	lab_cache_set_len(lc, len + got);
	lab_counter_add(&lc->cnt.cache_refills, 1);
	return got;
}

/* Give the n oldest cached pages of lc back to the map. */
__rte_noinline void
lab_cache_flush_n(struct labyrinth *lab, struct lab_lcore *lc, uint32_t n)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t idx[LABYRINTH_CACHE_MAX];
	uint32_t len = lab_cache_len(lc), i;

	if (n > len)
		n = len;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		idx[i] = zone_index(lab, zn, lab_cache(lc)[i]);
	memmove(lab_cache(lc), lab_cache(lc) + n, (len - n) * sizeof(void *));
	lab_cache_set_len(lc, len - n);
	labyrinth_map_give(&zn->map, idx, n);
	lab_counter_add(&lc->cnt.cache_flushes, 1);
}

/* Give all of lc's cached pages and tokens back to its zone's map. */
void
lab_cache_drain(struct labyrinth *lab, struct lab_lcore *lc)
{
	struct lab_zone *zn = &lab->zone[lc->zone];

	lab_cache_flush_n(lab, lc, lab_cache_len(lc));
	if (lc->tokens != 0) {
		labyrinth_map_unreserve(&zn->map, lc->tokens);
		/* Relaxed: single writer; stats readers want a torn-free value. */
		lab_store(&lc->tokens, 0, LAB_RELAXED);
	}
}

void
labyrinth_cache_flush(struct labyrinth *lab)
{
	struct lab_lcore *lc;

	lab = lab_checked(lab);
	if (lab == NULL)
		return;
	lc = my_lcore(lab);
	if (lc != NULL)
		lab_cache_drain(lab, lc);
}

