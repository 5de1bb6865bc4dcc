/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_GRAB_PRIV_H
#define LABYRINTH_GRAB_PRIV_H

/**
 * @internal
 * What the grab paths (labyrinth_grab.c), the free paths
 * (labyrinth_free.c), the caches (labyrinth_cache.c) and the fallback over
 * the zones' maps (labyrinth_fallback.c) share: the calling lcore's slot,
 * owner records, counters, and the slow paths each file offers the others.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_lcore.h>

#include "labyrinth_priv.h"
#include "labyrinth_reserve_priv.h"

#define CNT_ADD(lab, lc, field, v) do { \
	if ((lc) != NULL) \
		lab_counter_add(&(lc)->cnt.field, (v)); \
	else \
		/* Relaxed: a statistic shared by slot-less threads. */ \
		lab_fetch_add(&(lab)->anon.field, (v), LAB_RELAXED); \
} while (0)

static inline struct lab_lcore *
my_lcore(const struct labyrinth *lab)
{
	unsigned int id = rte_lcore_id();

	return likely(id < RTE_MAX_LCORE) ? lab->lcore[id] : NULL;
}

static inline unsigned int
my_owner(void)
{
	unsigned int id = rte_lcore_id();

	return id < RTE_MAX_LCORE ? id : LABYRINTH_OWNER_NON_EAL;
}

static inline uint32_t
lab_now(void)
{
	/* Relaxed: a timestamp copied into the owner record, ordering
	 * nothing (see labyrinth_fast_clock). */
	return lab_load(&labyrinth_fast_clock, LAB_RELAXED);
}

/* Zone page index of p, a page of zone zn (known to be valid). */
static inline uint32_t
zone_index(const struct labyrinth *lab, const struct lab_zone *zn,
		const void *p)
{
	unsigned int s = 0;

	if (likely(zn->nb_segs == 1))
		return (uint32_t)(((uintptr_t)p - (uintptr_t)zn->seg[0].base) >>
				lab->page_shift);
	while (s + 1 < zn->nb_segs && !((const char *)p >= zn->seg[s].base &&
			(const char *)p < zn->seg[s].base +
			((size_t)zn->seg[s].count << lab->page_shift)))
		s++;
	return zn->seg[s].first + (uint32_t)(((uintptr_t)p -
			(uintptr_t)zn->seg[s].base) >> lab->page_shift);
}

/*
 * Record the new owner of a block: its head record only, the generation
 * moved on. No locked instruction in either mode: a FREE record has no
 * other writer (a strict free's CAS expects a HEAD record and fails on it).
 */
static inline void
mark_held(struct lab_zone *zn, uint32_t idx, unsigned int order,
		unsigned int owner, uint32_t stamp)
{
	uint64_t *r = &zn->meta[idx];

	/* Relaxed load and store: the block is ours alone (its bits were
	 * claimed with acquire, or it came from our own cache); readers are
	 * owner queries (snapshots) and a later free, which reaches this
	 * store through the caller's own hand-off of the pointer. */
	lab_store(r, lab_meta_next(lab_load(r, LAB_RELAXED),
			lab_meta_head(order, owner), stamp), LAB_RELAXED);
}

/*
 * Claim one bit (budget held): one CAS on the hint word when it has a free
 * bit, else the general bounded search from word restart (the hint itself,
 * or a cache-less lcore's home word: see grab_one()). The hint is the
 * caller's own (plain). Returns 1 and the index, or 0.
 */
static inline uint32_t
claim_one(struct labyrinth_map *m, uint32_t *hint, uint32_t restart,
		uint32_t *idx)
{
	if (likely(labyrinth_map_claim_at(m, *hint, idx) == 1))
		return 1;
	*hint = restart;
	return labyrinth_map_claim(m, hint, idx, 1);
}

/* labyrinth_cache.c */
/* Refill lc's cache from its zone, above the reserve; pages added. */
uint32_t lab_cache_refill(struct labyrinth *lab, struct lab_lcore *lc,
		uint32_t want);
/* Give the n oldest cached pages of lc back to the map. */
void lab_cache_flush_n(struct labyrinth *lab, struct lab_lcore *lc,
		uint32_t n);

/* labyrinth_fallback.c */
/*
 * The slow path of every grab: straight from the zones' maps, nearest
 * zone first, the reserves only for GFP_ATOMIC. lc may be NULL.
 */
void *lab_grab_from_maps(struct labyrinth *lab, struct lab_lcore *lc,
		unsigned int gfp, unsigned int order);

/* labyrinth_free.c */
/* Free a block; validated, all-or-nothing. Counts only bad frees. */
int lab_free_block(struct labyrinth *lab, struct lab_lcore *lc, void *p,
		unsigned int order);

#endif /* LABYRINTH_GRAB_PRIV_H */
