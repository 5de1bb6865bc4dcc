/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_RESERVE_PRIV_H
#define LABYRINTH_RESERVE_PRIV_H

/**
 * @file
 * @internal
 * Watermarks and the reserve: whether a grab may take a page a zone has,
 * whether a free gives its page back to the map, and how much budget a
 * cache-less lcore takes in advance. Every check reads the map's budget as
 * a snapshot (labyrinth_map_avail()), which errs towards refusing: the
 * reserve engages early, never late.
 */

#include <stdbool.h>
#include <stdint.h>

#include "labyrinth_priv.h"

/* Cache-less lcores take budget in batches of this many pages. */
#define TOKEN_BATCH 32u

/*
 * Budget a cache-less lcore takes in advance: a batch above the low
 * watermark, one page at or below it, where tokens would hide free pages
 * from other lcores (see keep_page()). Relaxed: a counter snapshot that only
 * sizes the request.
 */
static inline uint32_t
token_batch(const struct lab_zone *zn)
{
	return labyrinth_map_avail(&zn->map) > (int64_t)zn->low ?
		TOKEN_BATCH : 1;
}

/*
 * O(1) refusal before any refill or search: whether zone zn has nothing a
 * grab with these flags may take. Relaxed: a counter snapshot (see
 * above_min()).
 */
static inline bool
zone_exhausted(const struct lab_zone *zn, unsigned int gfp)
{
	return labyrinth_map_avail(&zn->map) <=
		((gfp & LABYRINTH_GFP_ATOMIC) ? 0 : (int64_t)zn->reserve);
}

/*
 * Whether handing out one of the `held` pages this lcore has in hand (in its
 * cache, or as tokens) keeps its zone at or above the min watermark. Only
 * the map and our own pages are counted, not other lcores' caches: the
 * answer errs towards "no" (the reserve engages early, never late).
 * Relaxed: a counter snapshot that orders nothing (see labyrinth_map.c).
 */
static inline bool
above_min(const struct lab_zone *zn, uint32_t held)
{
	return labyrinth_map_avail(&zn->map) + (int64_t)held >
		(int64_t)zn->reserve;
}

/*
 * Whether a freed order-0 page of zone zn goes back to the map rather than
 * to the freeing lcore: the zone is below its min watermark, where every
 * lcore's GFP_ATOMIC grabs must reach it. Relaxed: a snapshot (see
 * above_min()).
 */
static inline bool
below_min(const struct lab_zone *zn)
{
	return labyrinth_map_avail(&zn->map) < (int64_t)zn->reserve;
}

#endif /* LABYRINTH_RESERVE_PRIV_H */
