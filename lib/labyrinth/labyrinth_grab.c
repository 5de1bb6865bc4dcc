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

/* Map search start of threads without an lcore slot (thread-local). */
static RTE_DEFINE_PER_LCORE(uint32_t, anon_hint);

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
	 * nothing (see lab_clock). */
	return lab_load(&lab_clock, LAB_RELAXED);
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

/*
 * Claim one bit (budget held): one CAS on the hint word when it has a free
 * bit, the general bounded search otherwise. Returns 1 and the index, or 0.
 */
static inline uint32_t
claim_one(struct labyrinth_map *m, uint32_t *hint, uint32_t *idx)
{
	if (likely(labyrinth_map_claim_at(m, *hint, idx) == 1))
		return 1;
	return labyrinth_map_claim(m, hint, idx, 1);
}

/*
 * Refill lc's cache from its zone, above the reserve. Returns pages added.
 */
static __rte_noinline uint32_t
cache_refill(struct labyrinth *lab, struct lab_lcore *lc, uint32_t want)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t idx[LABYRINTH_CACHE_MAX];
	uint32_t len = lc->len, budget, got, i;

	if (want > lc->size - len)
		want = lc->size - len;
	budget = labyrinth_map_reserve_upto(&zn->map, want, zn->reserve);
	if (budget == 0)
		return 0;
	got = labyrinth_map_claim(&zn->map, &lc->hint, idx, budget);
	if (unlikely(got < budget))
		labyrinth_map_unreserve(&zn->map, budget - got);
	for (i = 0; i < got; i++)
		lc->cache[len + i] = lab_page_addr(lab, zn, idx[i]);
	/* Relaxed store: only this lcore writes len; statistics readers want
	 * a torn-free value, nothing more. */
	lab_store(&lc->len, len + got, LAB_RELAXED);
	lab_counter_add(&lc->cnt.cache_refills, 1);
	return got;
}

/* Give the n oldest cached pages of lc back to the map. */
static __rte_noinline void
cache_flush_n(struct labyrinth *lab, struct lab_lcore *lc, uint32_t n)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t idx[LABYRINTH_CACHE_MAX];
	uint32_t len = lc->len, i;

	if (n > len)
		n = len;
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		idx[i] = zone_index(lab, zn, lc->cache[i]);
	memmove(lc->cache, lc->cache + n, (len - n) * sizeof(void *));
	/* Relaxed: single writer, see cache_refill(). */
	lab_store(&lc->len, len - n, LAB_RELAXED);
	labyrinth_map_give(&zn->map, idx, n);
	lab_counter_add(&lc->cnt.cache_flushes, 1);
}

/* Give all of lc's cached pages and tokens back to its zone's map. */
void
lab_cache_drain(struct labyrinth *lab, struct lab_lcore *lc)
{
	struct lab_zone *zn = &lab->zone[lc->zone];

	cache_flush_n(lab, lc, lc->len);
	if (lc->tokens != 0) {
		labyrinth_map_unreserve(&zn->map, lc->tokens);
		/* Relaxed: single writer; stats readers want a torn-free value. */
		lab_store(&lc->tokens, 0, LAB_RELAXED);
	}
}

/*
 * Take a block of 2^order pages straight from zone z's map, leaving floor
 * pages of budget behind. Returns the first page index or -1.
 */
static inline int64_t
zone_take(struct lab_zone *zn, uint32_t *hint, unsigned int order,
		int64_t floor)
{
	uint32_t n = UINT32_C(1) << order, i;

	if (order > 0)
		return labyrinth_map_take_block(&zn->map, hint, order, floor);
	if (labyrinth_map_reserve(&zn->map, n, floor) != 0)
		return -1;
	if (claim_one(&zn->map, hint, &i) == 1)
		return i;
	labyrinth_map_unreserve(&zn->map, n);
	return -1;
}

/*
 * The slow path of every grab: straight from the maps. Pass 1 tries every
 * allowed zone above its reserve, nearest first; pass 2 (GFP_ATOMIC only)
 * digs into the reserves in the same order. Bounded: at most two passes
 * over LABYRINTH_MAX_ZONES zones, each a bounded map search.
 */
static __rte_noinline void *
grab_from_maps(struct labyrinth *lab, struct lab_lcore *lc, unsigned int gfp,
		unsigned int order)
{
	unsigned int pass, k, z, local;
	int socket;
	uint32_t *hint;
	int64_t first = -1;
	bool retried = false;

	if (lc != NULL) {
		socket = lc->socket_id;
		hint = &lc->hint;
	} else {
		socket = (int)rte_socket_id();
		if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
			socket = 0;
		hint = &RTE_PER_LCORE(anon_hint);
	}
	local = lab->socket_zone[socket] >= 0 ?
		(unsigned int)lab->socket_zone[socket] : UINT32_MAX;
again:
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && !(gfp & LABYRINTH_GFP_ATOMIC))
			break;
		for (k = 0; k < lab->nb_zones; k++) {
			struct lab_zone *zn;
			uint32_t h;

			z = lab->fallback[socket][k];
			if ((gfp & LABYRINTH_GFP_THISNODE) && z != local)
				continue;
			zn = &lab->zone[z];
			/* the caller's hint, folded into this zone's map */
			h = *hint % zn->map.nb_words;
			first = zone_take(zn, &h, order,
					pass == 0 ? (int64_t)zn->reserve : 0);
			if (first < 0)
				continue;
			*hint = h;
			if (pass == 1)
				CNT_ADD(lab, lc, reserve_dips, 1);
			if (z != local)
				CNT_ADD(lab, lc, remote_allocs, 1);
			CNT_ADD(lab, lc, alloc_ok, 1);
			mark_held(zn, (uint32_t)first, order, my_owner(),
				lab_now());
			return lab_page_addr(lab, zn, (uint32_t)first);
		}
	}
	/* A block may be blocked by pages parked in our own cache, or its
	 * budget by our tokens: give them back once and retry (the kernel
	 * drains its per-cpu lists alike). */
	if (order > 0 && !retried && lc != NULL &&
			(lc->len > 0 || lc->tokens > 0)) {
		lab_cache_drain(lab, lc);
		retried = true;
		goto again;
	}
	CNT_ADD(lab, lc, alloc_fail, 1);
	return NULL;
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

/* Single page for an lcore with a slot: cache, tokens, or maps. */
static __rte_always_inline void *
grab_one(struct labyrinth *lab, struct lab_lcore *lc, unsigned int gfp)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t len, idx;
	bool dip = false;
	void *p;

	if (unlikely((gfp & LABYRINTH_GFP_THISNODE) && lc->remote))
		return grab_from_maps(lab, lc, gfp, 0);
	if (unlikely(lc->len == 0 && lc->tokens == 0 &&
			(lab->nb_zones == 1 || (gfp & LABYRINTH_GFP_THISNODE)) &&
			zone_exhausted(zn, gfp))) {
		/* Empty: nothing in hand and nothing this grab may take from
		 * the only zone it may use. */
		lab_counter_add(&lc->cnt.alloc_fail, 1);
		return NULL;
	}
	if (lc->size != 0) {
		len = lc->len;
		if (unlikely(len == 0)) {
			len = cache_refill(lab, lc, RTE_MAX(lc->size / 2, 1u));
			if (len == 0)
				return grab_from_maps(lab, lc, gfp, 0);
		} else if (unlikely(!above_min(zn, len))) {
			/* Pages freed into the cache are ours, but the zone
			 * is at its reserve: only GFP_ATOMIC may have them. */
			if (!(gfp & LABYRINTH_GFP_ATOMIC))
				return grab_from_maps(lab, lc, gfp, 0);
			dip = true;
		}
		p = lc->cache[--len];
		/* Relaxed: single writer, see cache_refill(). */
		lab_store(&lc->len, len, LAB_RELAXED);
		idx = zone_index(lab, zn, p);
	} else {
		uint32_t tokens = lc->tokens;

		if (unlikely(tokens == 0)) {
			tokens = labyrinth_map_reserve_upto(&zn->map,
					token_batch(zn), zn->reserve);
			if (tokens == 0)
				return grab_from_maps(lab, lc, gfp, 0);
		} else if (unlikely(!above_min(zn, tokens))) {
			/* As for the cache. */
			if (!(gfp & LABYRINTH_GFP_ATOMIC))
				return grab_from_maps(lab, lc, gfp, 0);
			dip = true;
		}
		if (unlikely(claim_one(&zn->map, &lc->hint, &idx) != 1)) {
			/* Relaxed: single writer (see cache_refill()). */
			lab_store(&lc->tokens, tokens, LAB_RELAXED);
			return grab_from_maps(lab, lc, gfp, 0);
		}
		/* Relaxed: single writer (see cache_refill()). */
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
		p = grab_from_maps(lab, NULL, gfp, 0);
	if (unlikely(p == NULL)) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (unlikely(lab->flags & LABYRINTH_F_DEBUG || gfp & LABYRINTH_GFP_ZERO))
		prepare_block(lab, lc, p, 0, gfp);
	return p;
}

/*
 * The common single-page grab in a few loads and stores, from lc's first
 * cache line: an lcore with a slot on its own socket (one memzone, no debug
 * poison), a page in its cache (or a token and a free bit at its hint), the
 * zone above min. Returns NULL when that is not the case: the caller then
 * takes the slow path, which checks everything again.
 */
/* alloc_fast() for a cache-less lcore: a token and a bit at its hint. */
static __rte_noinline void *
alloc_fast_token(struct labyrinth *lab, struct lab_lcore *lc)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uint32_t tokens = lc->tokens, idx;

	if (unlikely(tokens == 0 || !above_min(zn, tokens) ||
			claim_one(&zn->map, &lc->hint, &idx) != 1))
		return NULL;
	/* Relaxed: single writer, see cache_refill(). */
	lab_store(&lc->tokens, tokens - 1, LAB_RELAXED);
	mark_held(zn, idx, 0, lc->lcore_id, lab_now());
	lab_counter_add(&lc->cnt.alloc_ok, 1);
	return lc->base + ((uintptr_t)idx << lc->page_shift);
}

/*
 * The owner record of an order-0 page lc grabs from its cache. Strict pools
 * move the generation on (the record is read first); default pools, which
 * do not arbitrate racing frees, need no generation and just store.
 */
static __rte_always_inline void
record_grab(uint64_t *r, const struct lab_lcore *lc, uint32_t stamp)
{
	const uint64_t head = LAB_PG_HEAD | lc->owner_bits;

	if (unlikely(lc->strict))
		/* Relaxed load and store: see mark_held(). */
		lab_store(r, lab_meta_next(lab_load(r, LAB_RELAXED), head,
				stamp), LAB_RELAXED);
	else
		/* Relaxed: see mark_held(). */
		lab_store(r, head | ((uint64_t)stamp << 32), LAB_RELAXED);
}

static __rte_always_inline void *
alloc_fast(struct labyrinth *lab, struct lab_lcore *lc)
{
	uint32_t len = lc->len;
	uint64_t *r;
	void *p;

	if (unlikely(lc->span == 0))
		return NULL;
	/* Relaxed: a counter snapshot (see above_min()). */
	if (unlikely(len == 0 || labyrinth_map_avail(lc->map) +
			(int64_t)len <= lc->reserve))
		return lc->size == 0 && lc->tokens != 0 ?
			alloc_fast_token(lab, lc) : NULL;
	p = lc->cache[--len];
	/* Relaxed: single writer, see cache_refill(). */
	lab_store(&lc->len, len, LAB_RELAXED);
	r = &lc->meta[((uintptr_t)p - (uintptr_t)lc->base) >> lc->page_shift];
	record_grab(r, lc, lab_now());
	lab_counter_add(&lc->cnt.alloc_ok, 1);
	return p;
}

/* fast path */
void *
labyrinth_alloc_page(struct labyrinth *lab, unsigned int gfp)
{
	struct lab_lcore *lc;
	void *p;

	if (likely(lab_live(lab) && gfp <= LABYRINTH_GFP_ATOMIC)) {
		lc = my_lcore(lab);
		if (likely(lc != NULL)) {
			p = alloc_fast(lab, lc);
			if (likely(p != NULL))
				return p;
			/* O(1) refusal on an empty pool: nothing in hand and
			 * nothing this grab may take from the only zone. */
			if (lc->len == 0 && lc->tokens == 0 &&
					lab->nb_zones == 1 &&
					zone_exhausted(&lab->zone[0], gfp)) {
				lab_counter_add(&lc->cnt.alloc_fail, 1);
				rte_errno = ENOMEM;
				return NULL;
			}
		}
	}
	return alloc_page_slow(lab, gfp);
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
	p = grab_from_maps(lab, lc, gfp, order);
	if (unlikely(p == NULL)) {
		rte_errno = ENOMEM;
		return NULL;
	}
	if (unlikely(lab->flags & LABYRINTH_F_DEBUG || gfp & LABYRINTH_GFP_ZERO))
		prepare_block(lab, lc, p, order, gfp);
	return p;
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
		len = lc->len;
		if (unlikely(len == lc->size)) {
			cache_flush_n(lab, lc, RTE_MAX(lc->size / 2, 1u));
			len = lc->len;
		}
		lc->cache[len] = p;
		/* Relaxed: single writer, see cache_refill(). */
		lab_store(&lc->len, len + 1, LAB_RELAXED);
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
	/* Relaxed: single writer, see cache_refill(). */
	lab_store(&lc->tokens, tokens, LAB_RELAXED);
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

/* Free a block; validated, all-or-nothing. Counts only bad frees. */
static int
free_block(struct labyrinth *lab, struct lab_lcore *lc, void *p,
		unsigned int order)
{
	struct lab_zone *zn;
	unsigned int z;
	uint32_t idx;
	int ret;

	if (unlikely(lab_locate(lab, p, &z, &idx, true) != 0))
		goto bad_inval;
	zn = &lab->zone[z];
	ret = release_record((lab->flags & LABYRINTH_F_STRICT) != 0, zn->meta,
			idx, order);
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
	ret = free_block(lab, lc, page, order);
	if (likely(ret == 0))
		CNT_ADD(lab, lc, frees, 1);
	return ret;
}

/* free_fast() for a cache-less lcore: the bit back, budget as a token. */
static __rte_noinline int
free_fast_nocache(struct labyrinth *lab, struct lab_lcore *lc, void *page)
{
	struct lab_zone *zn = &lab->zone[lc->zone];
	uintptr_t off = (uintptr_t)page - (uintptr_t)lc->base;
	uint32_t idx;
	int ret;

	if (unlikely(off >= lc->span || (off & lc->page_mask) != 0))
		return 0;
	idx = (uint32_t)(off >> lc->page_shift);
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
 * cache, which has room. Returns 1 when done, a negative errno when the
 * record rejects the free (nothing changed), or 0, having changed nothing,
 * when the page is not for this path: the caller then takes the general
 * one. Counts nothing: the caller does.
 */
static __rte_always_inline int
free_fast(struct labyrinth *lab, struct lab_lcore *lc, void *page)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)lc->base;
	uint32_t len = lc->len;
	int ret;

	if (unlikely(off >= lc->span || (off & lc->page_mask) != 0 ||
			len >= lc->size))
		return lc->size == 0 ? free_fast_nocache(lab, lc, page) : 0;
	ret = release_record(lc->strict, lc->meta,
			(uint32_t)(off >> lc->page_shift), 0);
	if (unlikely(ret != 0))
		return ret;
	/* Relaxed: a counter snapshot (see below_min()). */
	if (unlikely(labyrinth_map_avail(lc->map) < lc->reserve)) {
		/* The zone is below min: straight back to the map. */
		struct lab_zone *zn = &lab->zone[lc->zone];

		labyrinth_map_give_block(&zn->map,
			(uint32_t)(off >> lc->page_shift), 0);
		return 1;
	}
	lc->cache[len] = page;
	/* Relaxed: single writer, see cache_refill(). */
	lab_store(&lc->len, len + 1, LAB_RELAXED);
	return 1;
}

/* fast path */
int
labyrinth_free_page(struct labyrinth *lab, void *page)
{
	struct lab_lcore *lc;
	int ret;

	if (likely(lab_live(lab))) {
		lc = my_lcore(lab);
		if (likely(lc != NULL)) {
			ret = free_fast(lab, lc, page);
			/* Single writer: relaxed (see lab_counter_add). */
			if (likely(ret == 1)) {
				lab_counter_add(&lc->cnt.frees, 1);
				return 0;
			}
			if (ret < 0) {
				lab_counter_add(&lc->cnt.bad_frees, 1);
				return ret;
			}
		}
	}
	return labyrinth_free_pages(lab, page, 0);
}

/*
 * The n most recent pages of lc's cache (len of them) to pages[], newest
 * first, each page's owner record written once: one pass, no call.
 */
static __rte_always_inline void
bulk_from_cache(struct lab_lcore *lc, void **pages, unsigned int n,
		uint32_t len, uint32_t stamp)
{
	void * const *top = &lc->cache[len - 1];
	unsigned int i;

	for (i = 0; i < n; i++) {
		void *p = top[-(ptrdiff_t)i];

		pages[i] = p;
		record_grab(&lc->meta[((uintptr_t)p - (uintptr_t)lc->base) >>
			lc->page_shift], lc, stamp);
	}
}

unsigned int
labyrinth_alloc_bulk(struct labyrinth *lab, unsigned int gfp, void **pages,
		unsigned int n)
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

		len = lc->len;
		if (len < n) {
			cache_refill(lab, lc, RTE_MAX(lc->size / 2, n - len));
			len = lc->len;
		}
		/* Taking n must leave the zone at or above min (see
		 * above_min()); otherwise the one-by-one path decides. */
		if (likely(len >= n && above_min(zn, len - n + 1))) {
			if (likely(lc->span != 0))
				bulk_from_cache(lc, pages, n, len, stamp);
			else
				for (i = 0; i < n; i++) {
					void *p = lc->cache[len - 1 - i];

					pages[i] = p;
					mark_held(zn, zone_index(lab, zn, p), 0,
						lc->lcore_id, stamp);
				}
			len -= n;
			/* Relaxed: single writer, see cache_refill(). */
			lab_store(&lc->len, len, LAB_RELAXED);
			lab_counter_add(&lc->cnt.alloc_ok, n);
			if (unlikely(lc->remote))
				lab_counter_add(&lc->cnt.remote_allocs, n);
			goto prepare;
		}
	}
	/* General case: one by one, rolled back on failure. */
	for (i = 0; i < n; i++) {
		pages[i] = lc != NULL ? grab_one(lab, lc, gfp) :
			grab_from_maps(lab, NULL, gfp, 0);
		if (pages[i] == NULL)
			break;
	}
	if (i < n) {
		unsigned int k;

		for (k = 0; k < i; k++)
			free_block(lab, lc, pages[k], 0);
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
bulk_to_cache(struct lab_lcore *lc, void * const *pages, unsigned int n,
		unsigned int *ok)
{
	const uint64_t mask = lc->page_mask;
	uint32_t len = lc->len, bad = 0;
	unsigned int i;

	/* Relaxed: a counter snapshot (see below_min()). */
	if (unlikely(labyrinth_map_avail(lc->map) < lc->reserve))
		return 0;
	for (i = 0; i < n && len < lc->size; i++) {
		uintptr_t off = (uintptr_t)pages[i] - (uintptr_t)lc->base;
		uint64_t *r, m;

		if (unlikely(off >= lc->span || (off & mask) != 0))
			break;
		r = &lc->meta[off >> lc->page_shift];
		/* Relaxed: see release_record(). */
		m = lab_load(r, LAB_RELAXED);
		if (unlikely((m & 0xff) != LAB_PG_HEAD))
			break; /* not a held single page: the general path */
		if (unlikely(lc->strict)) {
			/* As in release_record(): single shot. */
			if (!lab_cas(r, &m, lab_meta_freed(m), LAB_RELAXED,
					LAB_RELAXED)) {
				bad++;
				continue;
			}
		} else {
			/* Relaxed: see release_record(). */
			lab_store(r, lab_meta_freed(m), LAB_RELAXED);
		}
		lc->cache[len++] = pages[i];
	}
	/* Relaxed: single writer, see cache_refill(). */
	lab_store(&lc->len, len, LAB_RELAXED);
	if (unlikely(bad != 0))
		lab_counter_add(&lc->cnt.bad_frees, bad);
	*ok = i - bad;
	return i;
}

unsigned int
labyrinth_free_bulk(struct labyrinth *lab, void * const *pages, unsigned int n)
{
	struct lab_lcore *lc;
	unsigned int i, ok = 0;

	if (unlikely(!lab_live(lab) || pages == NULL))
		return 0;
	lc = my_lcore(lab);
	if (likely(lc != NULL && lc->span != 0 && lc->size != 0))
		i = bulk_to_cache(lc, pages, n, &ok);
	else
		i = 0;
	for (; i < n; i++) {
		int ret = lc != NULL ? free_fast(lab, lc, pages[i]) : 0;

		if (likely(ret == 1)) {
			ok++;
			continue;
		}
		if (unlikely(ret < 0 || pages[i] == NULL)) {
			CNT_ADD(lab, lc, bad_frees, 1);
			continue;
		}
		if (likely(free_block(lab, lc, pages[i], 0) == 0))
			ok++;
	}
	CNT_ADD(lab, lc, frees, ok);
	return ok;
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
