/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The free paths: validate the pointer, release the page's owner record
 * (a plain store in default pools, one single-shot CAS in strict pools
 * and, in every pool, for blocks of whole map words),
 * then keep the page in the freeing lcore's cache or give it back to its
 * zone's map. See labyrinth_grab.c for where a page can be.
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_per_lcore.h>

#include "labyrinth_grab_priv.h"

/* Why the record m of page idx does not let a free of that order go. */
static __rte_noinline int
bad_record(const uint64_t *meta, uint32_t idx, uint64_t m)
{
	if (lab_meta_state(m) == LAB_PG_HEAD)
		return -EINVAL; /* held, but with another order */
	/* Not a head: inside a held block (interior pointer), or free. */
	return lab_find_head(meta, idx) >= 0 ? -EINVAL : -EALREADY;
}

/*
 * Release the owner record of the block of 2^order pages at idx: 0, or
 * -EALREADY / -EINVAL with nothing changed. Default pools: plain load and
 * store (racing frees of one page are not arbitrated, as documented).
 * LABYRINTH_F_STRICT: one single-shot CAS; failing it means another free
 * took this incarnation, so -EALREADY, never a retry on a newer record.
 */
static __rte_always_inline int
release_record(bool strict, uint64_t *meta, uint32_t idx, unsigned int order)
{
	uint64_t *r = &meta[idx];
	/* Relaxed: the record is ours to check (default), or the CAS below
	 * decides (strict). */
	uint64_t m = lab_load(r, LAB_RELAXED);

	if (unlikely(lab_meta_state(m) != LAB_PG_HEAD ||
			lab_meta_order(m) != order))
		return bad_record(meta, idx, m);
	if (unlikely(strict)) {
		/* Arbitrates racing frees: exactly one CAS from this record
		 * wins. Relaxed on success: the record publishes nothing (the
		 * map put, or our own cache, orders the page itself); relaxed
		 * on failure: we report and do not look again. */
		if (!lab_cas(r, &m, lab_meta_freed(m), LAB_RELAXED,
				LAB_RELAXED))
			return -EALREADY;
		return 0;
	}
	/* Relaxed plain store: default pools do not arbitrate racing frees;
	 * readers are snapshots (queries) and our own later grab. */
	lab_store(r, lab_meta_freed(m), LAB_RELAXED);
	return 0;
}

/*
 * Keep an order-0 page of lc's own zone whose record was released: in the
 * cache (a full cache flushes half first), or, cache-less, back in the map
 * with its budget kept as a token. At or below the low watermark a
 * cache-less lcore gives its tokens back instead, so that free pages are
 * not hidden from other lcores' GFP_ATOMIC grabs.
 */
static __rte_always_inline void
keep_page(struct labyrinth *lab, struct lab_lcore *lc, struct lab_zone *zn,
		uint32_t idx, void *p)
{
	uint32_t len, tokens;

	if (likely(lc->size != 0)) {
		len = lab_cache_len(lc);
		if (unlikely(len == lc->size)) {
			lab_cache_flush_n(lab, lc, RTE_MAX(lc->size / 2, 1u));
			len = lab_cache_len(lc);
		}
		lab_cache(lc)[len] = p;
		lab_cache_set_len(lc, len + 1);
		return;
	}
	/* The page's contents (poison included) and our record release
	 * happen-before the next claimer's acquire (the put releases). */
	labyrinth_map_put_one(&zn->map, idx);
	tokens = lc->tokens + 1;
	/* Relaxed: a counter snapshot (see above_min()). */
	if (unlikely(labyrinth_map_avail(&zn->map) <=
			(int64_t)zn->low)) {
		labyrinth_map_unreserve(&zn->map, tokens);
		tokens = 0;
	} else if (unlikely(tokens > 2 * TOKEN_BATCH)) {
		labyrinth_map_unreserve(&zn->map, TOKEN_BATCH);
		tokens -= TOKEN_BATCH;
	}
	/* Relaxed: single writer, see lab_cache_refill(). */
	lab_store(&lc->tokens, tokens, LAB_RELAXED);
}

/* Free a block; validated, all-or-nothing. Counts only bad frees. */
int
lab_free_block(struct labyrinth *lab, struct lab_lcore *lc, void *p,
		unsigned int order)
{
	struct lab_zone *zn;
	unsigned int z;
	uint32_t idx;
	int ret;

	if (unlikely(lab_locate(lab, p, &z, &idx, true) != 0))
		goto bad_inval;
	zn = &lab->zone[z];
	/* Blocks of whole map words go back with plain stores
	 * (labyrinth_map_put_block()), which needs this free to be the
	 * block's only one: their record is released with the single-shot
	 * CAS in default pools too (one locked instruction for 2 to 8 ORs
	 * saved). */
	ret = release_record((lab->flags & LABYRINTH_F_STRICT) != 0 ||
			order > LABYRINTH_MAP_WORD_ORDER, zn->meta, idx, order);
	if (unlikely(ret != 0)) {
		CNT_ADD(lab, lc, bad_frees, 1);
		return ret;
	}
	if (unlikely(lab->flags & LABYRINTH_F_DEBUG))
		memset(p, LABYRINTH_POISON, (size_t)lab->page_size << order);
	if (order == 0 && lc != NULL && z == lc->zone && !below_min(zn)) {
		keep_page(lab, lc, zn, idx, p);
		return 0;
	}
	labyrinth_map_give_block(&zn->map, idx, order);
	return 0;

bad_inval:
	CNT_ADD(lab, lc, bad_frees, 1);
	return -EINVAL;
}

int
labyrinth_free_pages(struct labyrinth *lab, void *page, unsigned int order)
{
	struct lab_lcore *lc;
	int ret;

	if (unlikely(!lab_live(lab)))
		return -EINVAL;
	lc = my_lcore(lab);
	if (unlikely(page == NULL || order > LABYRINTH_MAX_ORDER)) {
		CNT_ADD(lab, lc, bad_frees, 1);
		return -EINVAL;
	}
	ret = lab_free_block(lab, lc, page, order);
	if (likely(ret == 0))
		CNT_ADD(lab, lc, frees, 1);
	return ret;
}

/* free_fast() for a cache-less lcore: the bit back, budget as a token; pg is
 * free_fast()'s rotated page index of page. */
static __rte_always_inline int
free_fast_nocache(struct labyrinth *lab, struct lab_lcore *lc, void *page,
		uint64_t pg)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t idx;
	int ret;

	if (unlikely(pg >= lc->npages))
		return 0;
	idx = (uint32_t)pg;
	ret = release_record(lc->strict, lc->meta, idx, 0);
	if (unlikely(ret != 0))
		return ret;
	if (unlikely(below_min(zn)))
		labyrinth_map_give_block(&zn->map, idx, 0);
	else
		keep_page(lab, lc, zn, idx, page);
	return 1;
}

/*
 * The common single-page free, from lc's first cache line: an lcore with a
 * slot frees a page of its own zone (one memzone, no debug poison) into its
 * cache, which has room. Returns 2 when done into the cache (counted, as
 * the inline free is, by pushes alone), 1 when done otherwise (the caller
 * counts it), a negative errno when the record rejects the free (nothing
 * changed), or 0, having changed nothing, when the page is not for this
 * path: the caller then takes the general one.
 */
static __rte_always_inline int
free_fast(struct labyrinth *lab, struct lab_lcore *lc, void *page)
{
	uint64_t pg = labyrinth_fast_page_index(
			(uintptr_t)page - (uintptr_t)lc->base, lc->page_shift);
	uint32_t len = lab_cache_len(lc);
	int ret;

	if (unlikely(pg >= lc->npages || len >= lc->size))
		return lc->size == 0 ? free_fast_nocache(lab, lc, page, pg) : 0;
	ret = release_record(lc->strict, lc->meta, (uint32_t)pg, 0);
	if (unlikely(ret != 0))
		return ret;
	/* Relaxed: a counter snapshot (see below_min()). */
	if (unlikely(labyrinth_map_avail(lc->map) < lc->reserve)) {
		/* The zone is below min: straight back to the map. */
		struct lab_zone *zn = &lab->zone[lc->zone];

		labyrinth_map_give_block(&zn->map, (uint32_t)pg, 0);
		return 1;
	}
	lab_cache(lc)[len] = page;
	/* As the inline free: pushes + 1, a plain store, is the count too
	 * (no seqcount, no slow counter: a strict pool's every cached free
	 * comes here). Relaxed: single writer. */
	lab_store(&lc->pushes, lab_load(&lc->pushes, LAB_RELAXED) + 1,
		LAB_RELAXED);
	return 2;
}

/* Every case; labyrinth_fast.h inlines the cached one and calls this for
 * the rest (the cached path is tried again here, harmlessly). */
/* A single-page free by the slot lc of a live labyrinth. */
static __rte_always_inline int
free_page_lc(struct labyrinth *lab, struct lab_lcore *lc, void *page)
{
	int ret = free_fast(lab, lc, page);

	if (likely(ret == 2))
		return 0;
	/* Single writer: relaxed (see lab_counter_add). */
	if (ret == 1) {
		lab_counter_add(&lc->cnt.frees, 1);
		return 0;
	}
	if (ret < 0) {
		lab_counter_add(&lc->cnt.bad_frees, 1);
		return ret;
	}
	return labyrinth_free_pages(lab, page, 0);
}

int
labyrinth_free_page_slow(struct labyrinth *lab, void *page)
{
	struct lab_lcore *lc;

	if (likely(lab_live(lab))) {
		lc = my_lcore(lab);
		if (likely(lc != NULL))
			return free_page_lc(lab, lc, page);
	}
	return labyrinth_free_pages(lab, page, 0);
}

/* free_page_lc() out of line: labyrinth_free_page_lc()'s general case. */
static __rte_noinline int
free_page_lc_general(struct labyrinth *lab, struct lab_lcore *lc, void *page)
{
	return free_page_lc(lab, lc, page);
}

/*
 * A cache-less lcore's single free of a held page of its own zone, in a
 * default pool, the zone above its low watermark: the record to FREE (0,
 * as the inline free leaves it), the bit back, its budget kept as a
 * token. Everything else (strict pools, a page of another zone, a record
 * that is not a held order-0 head, the zone at or below low, where the
 * tokens go back, or tokens enough to give a batch back) goes to
 * free_page_lc_general(), by a tail call, nothing changed here. No call
 * but that one: no register to save (F4).
 */
static __rte_noinline int
free_nocache_lc(struct labyrinth *lab, struct lab_lcore *lc, void *page)
{
	uint64_t pg = labyrinth_fast_page_index(
			(uintptr_t)page - (uintptr_t)lc->base, lc->page_shift);
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t tokens = lc->tokens + 1;
	uint64_t *r;

	if (unlikely(pg >= lc->npages || lc->strict))
		return free_page_lc_general(lab, lc, page);
	r = &lc->meta[pg];
	/* Relaxed load and store: as in release_record() (default pool).
	 * Relaxed avail: a counter snapshot (see above_min()); above low
	 * is above min too. */
	if (unlikely((lab_load(r, LAB_RELAXED) & 0xff) != LAB_PG_HEAD ||
			labyrinth_map_avail(&zn->map) <= (int64_t)zn->low ||
			tokens > 2 * TOKEN_BATCH))
		return free_page_lc_general(lab, lc, page);
	lab_store(r, 0, LAB_RELAXED);
	/* Release (in the put): our record store and the page's contents
	 * happen-before the next claimer's acquire of the bit. */
	labyrinth_map_put_one(&zn->map, (uint32_t)pg);
	/* Relaxed: single writer, see lab_cache_refill(). */
	lab_store(&lc->tokens, tokens, LAB_RELAXED);
	/* Our next grab tries this page first (alloc_token_lc()), if it is
	 * in our home word and we search there: one lcore alone would never
	 * lose that bit, and so never leave a word another lcore shares.
	 * Plain: read by this lcore alone. */
	lc->last_put = pg / LABYRINTH_MAP_WORD_BITS == lc->home &&
		lc->hint == lc->home ? (uint32_t)pg + 1 : 0;
	/* Single writer: relaxed (see lab_counter_add). */
	lab_counter_add(&lc->cnt.frees, 1);
	return 0;
}

/* As labyrinth_free_page_slow(), lc being the caller's slot of the live
 * labyrinth lab, as labyrinth_fast_slot() found it: a cache-less lcore's
 * free, else the general one, each by a tail call. */
int
labyrinth_free_page_lc(struct labyrinth *lab, struct labyrinth_fast_lcore *lc,
		void *page)
{
	struct lab_lcore *l = (struct lab_lcore *)lc;

	if (l->size == 0)
		return free_nocache_lc(lab, l, page);
	return free_page_lc_general(lab, l, page);
}

/*
 * A bulk free's step for page p (bulk_to_cache_mode()'s strict loop,
 * bulk_to_map_mode()), the slot's fields passed in: 1 if p is a held
 * single page of the zone from base, now FREE, its index in *pg; 0 if it
 * is not (nothing changed: the general path decides); -1 if a racing free
 * won a strict pool's CAS.
 */
static __rte_always_inline int
bulk_release(void *p, uintptr_t base, unsigned int shift, uint64_t npages,
		uint64_t *meta, const bool strict, uint64_t *pg)
{
	uint64_t *r, m;

	*pg = labyrinth_fast_page_index((uintptr_t)p - base, shift);
	if (unlikely(*pg >= npages))
		return 0;
	r = &meta[*pg];
	/* Relaxed: see release_record(). */
	m = lab_load(r, LAB_RELAXED);
	if (unlikely((m & 0xff) != LAB_PG_HEAD))
		return 0;
	if (strict)
		/* As in release_record(): single shot. */
		return lab_cas(r, &m, lab_meta_freed(m), LAB_RELAXED,
				LAB_RELAXED) ? 1 : -1;
	/* Relaxed: FREE, no generation, as the inline free and
	 * free_nocache_lc() leave it (default pools: see release_record()). */
	lab_store(r, 0, LAB_RELAXED);
	return 1;
}

/*
 * free_bulk()'s one pass for the common case: held single pages of lc's
 * own zone into its cache while it has room and the zone is not below
 * min, each record read and written once. Stops at the first page that
 * needs the general path (foreign, interior, another zone, a block, a
 * record that is not a held single page, a full cache) and returns its
 * position; *ok counts the pages freed, bad frees found by a failed strict
 * CAS are counted here and skipped (never retried: see release_record()).
 */
static __rte_always_inline unsigned int
bulk_to_cache_mode(struct lab_lcore *lc, void * const *pages, unsigned int n,
		unsigned int *ok, const bool strict)
{
	/* The slot's fields in locals: the record stores below could alias
	 * them for the compiler, which would reload them every page. */
	const uintptr_t base = (uintptr_t)lc->base;
	const uint64_t npages = lc->npages;
	const unsigned int shift = lc->page_shift;
	uint64_t * const meta = lc->meta;
	void ** const cache = lab_cache(lc);
	const uint32_t len = lab_cache_len(lc);
	void **dst = &cache[len];
	size_t i, lim;
	uint32_t bad = 0;

	/* Relaxed: a counter snapshot (see below_min()). */
	if (unlikely(labyrinth_map_avail(lc->map) < lc->reserve))
		return 0;
	lim = RTE_MIN(n, lc->size - len);
	if (strict) {
		for (i = 0; i < lim; i++) {
			void *p = pages[i];
			uint64_t pg;
			int ret = bulk_release(p, base, shift, npages, meta,
					true, &pg);

			if (unlikely(ret == 0))
				break; /* not a held single page of the zone */
			if (unlikely(ret < 0)) {
				bad++;
				continue;
			}
			*dst++ = p;
		}
	} else {
		/* As labyrinth_free_bulk() inline (labyrinth_fast.h). */
		i = labyrinth_fast_free_run(pages, lim, dst, base, shift,
			npages, meta);
		dst += i;
	}
	/* Counted as the inline frees are: by pushes alone (see struct
	 * lab_lcore). Relaxed: single writer. */
	lab_counter_add(&lc->pushes, (uint64_t)(dst - cache) - len);
	if (unlikely(bad != 0))
		lab_counter_add(&lc->cnt.bad_frees, bad);
	*ok = (unsigned int)i - bad;
	return (unsigned int)i;
}

/* bulk_to_cache_mode() with the mode a constant: one loop per mode. */
static __rte_always_inline unsigned int
bulk_to_cache(struct lab_lcore *lc, void * const *pages, unsigned int n,
		unsigned int *ok)
{
	if (unlikely(lc->strict))
		return bulk_to_cache_mode(lc, pages, n, ok, true);
	return bulk_to_cache_mode(lc, pages, n, ok, false);
}

/* Indices bulk_to_map() puts back at a time. */
#define BULK_PUT_CHUNK 128u

/*
 * free_bulk()'s pass for a cache-less lcore: held single pages of its own
 * zone, each record released as free_fast() releases it (a default pool's
 * to a constant FREE, as the cache-less single free leaves it; a strict
 * pool's by its single-shot CAS), their bits put back together, one OR per
 * map word touched and one budget give (where single frees take a locked
 * OR a page). Stops at the first page that needs the general path
 * (foreign, interior, another zone, a block, a record that is not a held
 * single page), having put back what it released; *ok counts the pages
 * freed, bad frees found by a failed strict CAS are counted here and
 * skipped (as in bulk_to_cache_mode()).
 */
static __rte_always_inline unsigned int
bulk_to_map_mode(struct lab_lcore *lc, void * const *pages, unsigned int n,
		unsigned int *ok, const bool strict)
{
	/* The slot's fields in locals (the zone's map the slot's copy, the
	 * caller having checked npages != 0): the record stores below could
	 * alias them for the compiler, which would reload them every page. */
	struct labyrinth_map * const map = lc->map;
	const uintptr_t base = (uintptr_t)lc->base;
	const uint64_t npages = lc->npages;
	const unsigned int shift = lc->page_shift;
	uint64_t * const meta = lc->meta;
	uint32_t idx[BULK_PUT_CHUNK], k = 0, bad = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t pg;
		int ret = bulk_release(pages[i], base, shift, npages, meta,
				strict, &pg);

		if (unlikely(ret == 0))
			break; /* not a held single page of the zone */
		if (unlikely(ret < 0)) {
			bad++;
			continue;
		}
		idx[k++] = (uint32_t)pg;
		if (k == BULK_PUT_CHUNK) {
			labyrinth_map_give(map, idx, k);
			k = 0;
		}
	}
	/* Release (in the put): the records and the pages' contents
	 * happen-before the next claimer's acquire of their bits. */
	if (k != 0)
		labyrinth_map_give(map, idx, k);
	if (unlikely(bad != 0))
		lab_counter_add(&lc->cnt.bad_frees, bad);
	*ok = i - bad;
	return i;
}

/* bulk_to_map_mode() with the mode a constant: one loop per mode. */
static unsigned int
bulk_to_map(struct lab_lcore *lc, void * const *pages, unsigned int n,
		unsigned int *ok)
{
	if (unlikely(lc->strict))
		return bulk_to_map_mode(lc, pages, n, ok, true);
	return bulk_to_map_mode(lc, pages, n, ok, false);
}

unsigned int
labyrinth_free_bulk_slow(struct labyrinth *lab, void * const *pages,
		unsigned int n)
{
	struct lab_lcore *lc;
	unsigned int i = 0, ok = 0, pushed = 0;

	if (unlikely(!lab_live(lab) || pages == NULL))
		return 0;
	lc = my_lcore(lab);
	if (likely(lc != NULL && lc->npages != 0)) {
		if (lc->size != 0) {
			i = bulk_to_cache(lc, pages, n, &ok);
			/* bulk_to_cache() counted its frees in pushes. */
			pushed = ok;
		} else {
			i = bulk_to_map(lc, pages, n, &ok);
		}
	}
	for (; i < n; i++) {
		int ret = lc != NULL ? free_fast(lab, lc, pages[i]) : 0;

		if (likely(ret > 0)) {
			ok++;
			/* 2: counted by pushes, as bulk_to_cache()'s. */
			pushed += ret == 2;
			continue;
		}
		if (unlikely(ret < 0 || pages[i] == NULL)) {
			CNT_ADD(lab, lc, bad_frees, 1);
			continue;
		}
		if (likely(lab_free_block(lab, lc, pages[i], 0) == 0))
			ok++;
	}
	CNT_ADD(lab, lc, frees, ok - pushed);
	return ok;
}
