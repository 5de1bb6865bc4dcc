/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The fast path: per-lcore exclusive page grab and free.
 *
 * A page is in exactly one of three places: free in its zone's map (bit
 * set, owner record FREE), in one lcore's cache (bit clear, record FREE), or
 * held (bit clear, record HEAD/TAIL with the owner). Moves between them:
 *
 *   map -> cache   refill: budget taken from the zone counter above the
 *                  reserve, then whole words claimed (one atomic a word)
 *   cache -> held  pop; owner record stored (the page is ours alone)
 *   held -> cache  owner record HEAD -> FREE, then push; a full cache
 *                  flushes half to the map
 *   held -> map    record released, bits set, then budget given back
 *   cache -> map   bits set (one atomic a word), then budget given back
 *   map -> held    cache-less lcores, non-EAL threads, remote zones, blocks
 *
 * Pages in caches were taken above the reserve, so a normal grab from a
 * cache can never take a zone below its min watermark.
 *
 * Releasing the owner record is a plain load, check and store in default
 * pools: no locked instruction on any cached path, and every sequential bad
 * free (a second free of a page nobody grabbed again, an interior pointer,
 * a wrong order, a foreign pointer) still finds the record that rejects it.
 * LABYRINTH_F_STRICT pools release it with one single-shot CAS instead: of
 * two racing frees exactly one wins. The record's generation (changed by
 * every grab) makes a free that read the record before the page was freed
 * and grabbed again fail its CAS instead of freeing the new incarnation.
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_per_lcore.h>

#include "labyrinth_grab_priv.h"

/* Poison check and zeroing of a freshly grabbed block. */
static inline void
prepare_block(struct labyrinth *lab, struct lab_lcore *lc, void *p,
		unsigned int order, unsigned int gfp)
{
	size_t len = (size_t)lab->page_size << order;

	if (unlikely(lab->flags & LABYRINTH_F_DEBUG)) {
		const uint64_t *w = p;
		const uint64_t poison = UINT64_C(0x0101010101010101) *
			LABYRINTH_POISON;
		size_t i;

		for (i = 0; i < len / sizeof(uint64_t); i++)
			if (w[i] != poison)
				break;
		if (i != len / sizeof(uint64_t))
			CNT_ADD(lab, lc, poison_errors, 1);
	}
	if (gfp & LABYRINTH_GFP_ZERO)
		memset(p, 0, len);
}

/* Single page for an lcore with a slot: cache, tokens, or maps. */
static __rte_always_inline void *
grab_one(struct labyrinth *lab, struct lab_lcore *lc, unsigned int gfp)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t len, idx;
	bool dip = false;
	void *p;

	if (unlikely((gfp & LABYRINTH_GFP_THISNODE) && lc->remote))
		return lab_grab_from_maps(lab, lc, gfp, 0);
	if (unlikely(lab_cache_len(lc) == 0 && lc->tokens == 0 &&
			(lab->nb_zones == 1 || (gfp & LABYRINTH_GFP_THISNODE)) &&
			zone_exhausted(zn, gfp))) {
		/* Empty: nothing in hand and nothing this grab may take from
		 * the only zone it may use. */
		lab_counter_add(&lc->cnt.alloc_fail, 1);
		return NULL;
	}
	if (lc->size != 0) {
		len = lab_cache_len(lc);
		if (unlikely(len == 0)) {
			len = lab_cache_refill(lab, lc, RTE_MAX(lc->size / 2, 1u));
			if (len == 0)
				return lab_grab_from_maps(lab, lc, gfp, 0);
		} else if (unlikely(!above_min(zn, len))) {
			/* Pages freed into the cache are ours, but the zone
			 * is at its reserve: only GFP_ATOMIC may have them. */
			if (!(gfp & LABYRINTH_GFP_ATOMIC))
				return lab_grab_from_maps(lab, lc, gfp, 0);
			dip = true;
		}
		p = lab_cache(lc)[--len];
		lab_cache_set_len(lc, len);
		idx = zone_index(lab, zn, p);
	} else {
		uint32_t tokens = lc->tokens;

		if (unlikely(tokens == 0)) {
			tokens = labyrinth_map_reserve_upto(&zn->map,
					token_batch(zn), zn->reserve);
			if (tokens == 0)
				return lab_grab_from_maps(lab, lc, gfp, 0);
		} else if (unlikely(!above_min(zn, tokens))) {
			/* As for the cache. */
			if (!(gfp & LABYRINTH_GFP_ATOMIC))
				return lab_grab_from_maps(lab, lc, gfp, 0);
			dip = true;
		}
		/* A failed claim at the hint (the word empty, or a CAS lost
		 * to another lcore) searches again from the lcore's home
		 * word. Two lcores' hints can meet (an lcore whose words
		 * empty moves on, and its search may stop in another's
		 * word); two lcores in one word move its line between their
		 * CPUs on every grab and free, ten times slower than apart:
		 * this parts them again. */
		if (unlikely(claim_one(&zn->map, &lc->hint, lc->home,
				&idx) != 1)) {
			/* Relaxed: single writer (see lab_cache_refill()). */
			lab_store(&lc->tokens, tokens, LAB_RELAXED);
			return lab_grab_from_maps(lab, lc, gfp, 0);
		}
		/* Relaxed: single writer (see lab_cache_refill()). */
		lab_store(&lc->tokens, tokens - 1, LAB_RELAXED);
		p = lab_page_addr(lab, zn, idx);
	}
	mark_held(zn, idx, 0, lc->lcore_id, lab_now());
	/* Per-lcore counters, single writer: relaxed load + store (see
	 * lab_counter_add), no locked instruction. */
	lab_counter_add(&lc->cnt.alloc_ok, 1);
	if (unlikely(dip))
		lab_counter_add(&lc->cnt.reserve_dips, 1);
	if (unlikely(lc->remote))
		lab_counter_add(&lc->cnt.remote_allocs, 1);
	return p;
}

/* Everything labyrinth_alloc_page()'s fast path does not handle. */
static __rte_noinline void *
alloc_page_slow(struct labyrinth *lab, unsigned int gfp)
{
	struct lab_lcore *lc;
	void *p;

	if (unlikely(!lab_live(lab) || (gfp & ~LABYRINTH_GFP_MASK) != 0)) {
		rte_errno = EINVAL;
		return NULL;
	}
	lc = my_lcore(lab);
	if (likely(lc != NULL))
		p = grab_one(lab, lc, gfp);
	else
		p = lab_grab_from_maps(lab, NULL, gfp, 0);
	if (unlikely(p == NULL)) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (unlikely(lab->flags & LABYRINTH_F_DEBUG || gfp & LABYRINTH_GFP_ZERO))
		prepare_block(lab, lc, p, 0, gfp);
	return p;
}

/*
 * The owner record of an order-0 page lc grabs from its cache or with a
 * token. Strict pools move the generation on (the record is read first);
 * default pools, which do not arbitrate racing frees, need no generation
 * and just store.
 */
static __rte_always_inline void
record_grab(uint64_t *r, const struct lab_lcore *lc, uint32_t stamp)
{
	const uint64_t head = lc->head_bits;

	if (unlikely(lc->strict))
		/* Relaxed load and store: see mark_held(). */
		lab_store(r, lab_meta_next(lab_load(r, LAB_RELAXED), head,
				stamp), LAB_RELAXED);
	else
		/* Relaxed: see mark_held(). */
		lab_store(r, head | ((uint64_t)stamp << 32), LAB_RELAXED);
}

/*
 * The end of a cache-less lcore's token grab of page idx of its zone: the
 * token spent, the owner record, the count; the page.
 */
static __rte_always_inline void *
token_grabbed(struct lab_lcore *lc, uint32_t tokens, uint32_t idx)
{
	/* Relaxed: single writer, see lab_cache_refill(). */
	lab_store(&lc->tokens, tokens - 1, LAB_RELAXED);
	/* As the inline grab: a default pool's record is stored without
	 * reading it first (F4: the cache-less pair 19.1-20.1 -> 16.0-16.9
	 * ns, against mark_held()'s load and store). */
	record_grab(&lc->meta[idx], lc, lab_now());
	lab_counter_add(&lc->cnt.alloc_ok, 1);
	return lc->base + ((uintptr_t)idx << lc->page_shift);
}

/*
 * alloc_token_lc() when the page its last free put back is gone (or there
 * is none): a free bit of the word at the lcore's hint, else
 * alloc_page_slow() (no free bit, a lost CAS: the search starts again from
 * the lcore's home word, grab_one()), by a tail call. Out of line, so that
 * alloc_token_lc() needs no more registers than it has to spare (F4).
 */
static __rte_noinline void *
alloc_token_hint(struct labyrinth *lab, struct lab_lcore *lc,
		unsigned int gfp, uint32_t tokens)
{
	uint32_t idx;

	/* The last-put hint is spent (see alloc_token_lc()). Plain: the
	 * lcore's own field, read by it alone. */
	lc->last_put = 0;
	if (unlikely(labyrinth_map_claim_at(lc->map, lc->hint, &idx) != 1))
		return alloc_page_slow(lab, gfp);
	return token_grabbed(lc, tokens, idx);
}

/*
 * A cache-less lcore's single-page grab: a token and the page its last
 * free put back, else (alloc_token_hint()) a free bit of the word at its
 * hint, the zone above min; every other case (no token, the reserve, a
 * hint word with no free bit or a lost CAS) goes to alloc_page_slow().
 * Both leave by tail calls, so that alloc_page_lc() stays a leaf whose
 * empty-pool refusal saves no register (T5: the failed grab at most 1.5 x
 * an empty ring's get), and this one saves none either (F4: with the hint
 * word's claim inline it saved two). The caller checked that the slot
 * serves its local zone (npages != 0): the zone's map, records and min
 * watermark are the slot's copies (lc->map, lc->meta, lc->reserve), so no
 * zone address is computed.
 */
static __rte_noinline void *
alloc_token_lc(struct labyrinth *lab, struct lab_lcore *lc, unsigned int gfp)
{
	uint32_t tokens = lc->tokens, last = lc->last_put;

	/* Relaxed: a counter snapshot, as above_min(). */
	if (unlikely(tokens == 0 || labyrinth_map_avail(lc->map) +
			(int64_t)tokens <= lc->reserve))
		return alloc_page_slow(lab, gfp);
	/* The page our last free put back in our home word first, if nobody
	 * took it since: one locked AND with no load before it (F4). */
	if (unlikely(last == 0 ||
			labyrinth_map_claim_bit(lc->map, last - 1) != 1))
		return alloc_token_hint(lab, lc, gfp, tokens);
	/* The last-put hint is spent whatever the claims find (so
	 * alloc_token_hint() clears it too); cleared after the locked AND,
	 * not before it: one store fewer for the AND to wait for (F4).
	 * Plain: the lcore's own field, read by it alone. */
	lc->last_put = 0;
	return token_grabbed(lc, tokens, last - 1);
}

/* A single-page grab by the slot lc of a live labyrinth. */
static __rte_always_inline void *
alloc_page_lc(struct labyrinth *lab, struct lab_lcore *lc, unsigned int gfp)
{
	if (likely(gfp <= LABYRINTH_GFP_ATOMIC)) {
		/* O(1) refusal on an empty pool first: nothing in hand and
		 * nothing this grab may take from the only zone. */
		if (lc->tokens == 0 && lab_cache_len(lc) == 0 &&
				lab->nb_zones == 1 &&
				zone_exhausted(&lab->zone[0], gfp)) {
			lab_counter_add(&lc->cnt.alloc_fail, 1);
			rte_errno = ENOMEM;
			return NULL;
		}
		/* The cached grab was tried inline (labyrinth_fast.h) and
		 * cannot succeed here either; a cache-less lcore's token grab
		 * is the one fast case left. */
		if (lc->size == 0 && lc->tokens != 0 && lc->npages != 0)
			return alloc_token_lc(lab, lc, gfp);
	}
	return alloc_page_slow(lab, gfp);
}

/* Every case; labyrinth_fast.h inlines the cached one and calls this for
 * the rest (the cached path is tried again here, harmlessly). */
void *
labyrinth_alloc_page_slow(struct labyrinth *lab, unsigned int gfp)
{
	struct lab_lcore *lc;

	if (likely(lab_live(lab))) {
		lc = my_lcore(lab);
		if (likely(lc != NULL))
			return alloc_page_lc(lab, lc, gfp);
	}
	return alloc_page_slow(lab, gfp);
}

/* As labyrinth_alloc_page_slow(), lc being the caller's slot of the live
 * labyrinth lab, as labyrinth_fast_slot() found it. */
void *
labyrinth_alloc_page_lc(struct labyrinth *lab, struct labyrinth_fast_lcore *lc,
		unsigned int gfp)
{
	return alloc_page_lc(lab, (struct lab_lcore *)lc, gfp);
}

void *
labyrinth_alloc_pages(struct labyrinth *lab, unsigned int gfp,
		unsigned int order)
{
	struct lab_lcore *lc;
	void *p;

	if (unlikely(!lab_live(lab) || (gfp & ~LABYRINTH_GFP_MASK) != 0 ||
			order > LABYRINTH_MAX_ORDER)) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (order == 0)
		return labyrinth_alloc_page(lab, gfp);
	lc = my_lcore(lab);
	p = lab_grab_from_maps(lab, lc, gfp, order);
	if (unlikely(p == NULL)) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (unlikely(lab->flags & LABYRINTH_F_DEBUG || gfp & LABYRINTH_GFP_ZERO))
		prepare_block(lab, lc, p, order, gfp);
	return p;
}

/*
 * The n most recent pages of lc's cache (len of them) to pages[], in the
 * cache's order (the oldest of the n first), each page's owner record
 * written once, no call.
 */
static __rte_always_inline void
bulk_from_cache(struct lab_lcore *lc, void **pages, unsigned int n,
		uint32_t len, uint32_t stamp)
{
	void * const *from = &lab_cache(lc)[len - n];
	/* The slot's fields in locals: the record stores below could alias
	 * them for the compiler, which would reload them every page. */
	const uintptr_t base = (uintptr_t)lc->base;
	const unsigned int shift = lc->page_shift;
	uint64_t * const meta = lc->meta;
	const uint64_t head = lc->head_bits | ((uint64_t)stamp << 32);
	size_t i;

	if (unlikely(lc->strict)) {
		for (i = 0; i < n; i++) {
			void *p = from[i];

			pages[i] = p;
			record_grab(&meta[((uintptr_t)p - base) >> shift], lc,
				stamp);
		}
		return;
	}
	/* As labyrinth_alloc_bulk() inline (labyrinth_fast.h). */
	labyrinth_fast_grab_run(pages, from, n, base, shift, meta, head);
}

/*
 * A cache-less lcore's bulk grab from its own zone, above min: the budget
 * for all n in one take, their bits claimed a map word at a time
 * (labyrinth_map_claim(), as a cache refill claims them: one exchange or
 * CAS a word), each record written as a token grab writes it; where n
 * single grabs take two locked instructions a page. false, having taken
 * nothing, when the zone has not n pages above min or the search comes
 * back short: the caller grabs one by one. The caller checked that the
 * slot serves its local zone (npages != 0): its map, records and min
 * watermark are the slot's copies, as in alloc_token_lc().
 */
static bool
bulk_from_map(struct lab_lcore *lc, void **pages, unsigned int n)
{
	uint32_t idx[LABYRINTH_CACHE_MAX], got, stamp, i;

	if (n > RTE_DIM(idx) ||
			labyrinth_map_reserve(lc->map, n, lc->reserve) != 0)
		return false;
	got = labyrinth_map_claim(lc->map, &lc->hint, idx, n);
	if (unlikely(got < n)) {
		labyrinth_map_give(lc->map, idx, got);
		labyrinth_map_unreserve(lc->map, n - got);
		return false;
	}
	stamp = lab_now();
	if (unlikely(lc->strict)) {
		for (i = 0; i < n; i++)
			record_grab(&lc->meta[idx[i]], lc, stamp);
	} else {
		/* The slot's fields in locals (the record stores could alias
		 * them); the record as record_grab() writes it. */
		uint64_t * const meta = lc->meta;
		const uint64_t head = lc->head_bits | ((uint64_t)stamp << 32);

		for (i = 0; i < n; i++)
			/* Relaxed: see mark_held(). */
			lab_store(&meta[idx[i]], head, LAB_RELAXED);
	}
	for (i = 0; i < n; i++)
		pages[i] = lc->base + ((uintptr_t)idx[i] << lc->page_shift);
	lab_counter_add(&lc->cnt.alloc_ok, n);
	return true;
}

unsigned int
labyrinth_alloc_bulk_slow(struct labyrinth *lab, unsigned int gfp,
		void **pages, unsigned int n)
{
	struct lab_lcore *lc;
	unsigned int i;
	uint32_t len;

	if (unlikely(!lab_live(lab) || pages == NULL ||
			(gfp & ~LABYRINTH_GFP_MASK) != 0)) {
		rte_errno = EINVAL;
		return 0;
	}
	if (n == 0)
		return 0;
	lc = my_lcore(lab);
	if (likely(lc != NULL && lc->size >= n &&
			!(gfp & LABYRINTH_GFP_THISNODE))) {
		struct lab_zone *zn = &lab->zone[lc->zone];
		uint32_t stamp = lab_now();

		len = lab_cache_len(lc);
		if (len < n) {
			lab_cache_refill(lab, lc, RTE_MAX(lc->size / 2, n - len));
			len = lab_cache_len(lc);
		}
		/* Taking n must leave the zone at or above min (see
		 * above_min()); otherwise the one-by-one path decides. */
		if (likely(len >= n && above_min(zn, len - n + 1))) {
			if (likely(lc->npages != 0))
				bulk_from_cache(lc, pages, n, len, stamp);
			else
				for (i = 0; i < n; i++) {
					void *p = lab_cache(lc)[len - 1 - i];

					pages[i] = p;
					mark_held(zn, zone_index(lab, zn, p), 0,
						lc->lcore_id, stamp);
				}
			/* Counted as the inline grabs are: by pops alone
			 * (see struct lab_lcore). Relaxed: single writer. */
			lab_counter_add(&lc->pops, n);
			if (unlikely(lc->remote))
				lab_counter_add(&lc->cnt.remote_allocs, n);
			goto prepare;
		}
	}
	if (lc != NULL && lc->size == 0 && lc->npages != 0 &&
			bulk_from_map(lc, pages, n))
		goto prepare;
	/* General case: one by one, rolled back on failure. */
	for (i = 0; i < n; i++) {
		pages[i] = lc != NULL ? grab_one(lab, lc, gfp) :
			lab_grab_from_maps(lab, NULL, gfp, 0);
		if (pages[i] == NULL)
			break;
	}
	if (i < n) {
		unsigned int k;

		for (k = 0; k < i; k++)
			lab_free_block(lab, lc, pages[k], 0);
		/* The rolled-back grabs were counted as successes. */
		CNT_ADD(lab, lc, alloc_ok, -(uint64_t)i);
		rte_errno = ENOMEM;
		return 0;
	}
prepare:
	if (unlikely(lab->flags & LABYRINTH_F_DEBUG || gfp & LABYRINTH_GFP_ZERO))
		for (i = 0; i < n; i++)
			prepare_block(lab, lc, pages[i], 0, gfp);
	return n;
}
