/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_reclaim_lcore(): the pages of an lcore whose process died.
 *
 * A process killed while it holds pages leaves their owner records naming
 * its lcores. Once the caller knows that process is dead (see labyrinth.h
 * for how an application can know), every block whose head record names
 * the lcore is released and put back into its zone's map, and the lcore's
 * cache and tokens, if it had a slot, are given back too. A control-path
 * scan of every owner record: O(pages), never on a data-path lcore.
 */

#include <errno.h>
#include <inttypes.h>

#include <rte_lcore.h>

#include "labyrinth_priv.h"

/* Release and put back every block of zone zn owned by lcore_id. */
static uint64_t
reclaim_zone(struct lab_zone *zn, unsigned int lcore_id, uint64_t *blocks)
{
	uint64_t pages = 0;
	uint32_t p;

	for (p = 0; p < zn->nb_pages; p++) {
		/* Relaxed: the CAS below decides. */
		uint64_t m = lab_load(&zn->meta[p], LAB_RELAXED);
		unsigned int order;

		if (lab_meta_state(m) != LAB_PG_HEAD ||
				lab_meta_owner(m) != lcore_id)
			continue;
		order = lab_meta_order(m);
		/*
		 * Single shot, in every pool mode: a block the dead lcore had
		 * handed to a live one may be freed by it right now; exactly
		 * one of us wins (in default pools such a free must not race
		 * with the reclaim, as documented). Relaxed on success: the
		 * put below publishes the page (release); relaxed on failure:
		 * somebody else freed it, we skip it.
		 */
		if (!lab_cas(&zn->meta[p], &m, lab_meta_freed(m), LAB_RELAXED,
				LAB_RELAXED))
			continue;
		labyrinth_map_give_block(&zn->map, p, order);
		pages += UINT64_C(1) << order;
		(*blocks)++;
		p += (UINT32_C(1) << order) - 1;
	}
	return pages;
}

int64_t
labyrinth_reclaim_lcore(struct labyrinth *lab, unsigned int lcore_id)
{
	struct lab_lcore *lc;
	uint64_t pages = 0, blocks = 0, cached = 0;
	unsigned int z;

	lab = lab_checked(lab);
	if (lab == NULL || lcore_id >= RTE_MAX_LCORE)
		return -EINVAL;
	/* A live lcore of this very process is not dead. */
	if (rte_lcore_is_enabled(lcore_id) ||
			rte_lcore_id() == lcore_id)
		return -EBUSY;
	lc = lab->lcore[lcore_id];
	if (lc != NULL) {
		/* Relaxed: the owner of this single-writer field is dead. */
		cached = lab_cache_len(lc);
		lab_cache_drain(lab, lc);
	}
	for (z = 0; z < lab->nb_zones; z++)
		pages += reclaim_zone(&lab->zone[z], lcore_id, &blocks);
	/* The reclaimed blocks count as frees (labyrinth_audit() checks grabs
	 * - frees == held blocks). Relaxed: a statistic. */
	lab_fetch_add(&lab->anon.frees, blocks, LAB_RELAXED);
	if (pages + cached != 0)
		LABYRINTH_LOG(NOTICE, "%s: lcore %u: reclaimed %" PRIu64
			" held page(s) in %" PRIu64 " block(s) and %" PRIu64
			" cached page(s)", lab->name, lcore_id, pages, blocks,
			cached);
	return (int64_t)(pages + cached);
}
