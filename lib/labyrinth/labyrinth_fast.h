/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_FAST_H
#define LABYRINTH_FAST_H

/**
 * @file
 * The cached fast paths of labyrinth_alloc_page() and labyrinth_free_page(),
 * inline in the caller as rte_mempool_get() and rte_mempool_put() are: a
 * page from or into the calling lcore's cache in a few plain loads and
 * stores, no locked instruction, no call. Everything else (no cache, cache
 * empty or full, a zone at its min watermark, a strict pool's free, a bad
 * free, a thread without an lcore slot, a pool that is not on this lcore's
 * socket) goes out of line to labyrinth_alloc_page_lc() and
 * labyrinth_free_page_lc() (the caller's slot found), or
 * labyrinth_alloc_page_slow() and labyrinth_free_page_slow() (no slot).
 *
 * Included by labyrinth.h; do not include it on its own. The structures
 * below are internal: the first bytes of the library's private state, laid
 * out here so that the inline code can read them, and checked against the
 * library's own definitions by _Static_assert in labyrinth_priv.h. They are
 * not API: a program compiled against one version of this header must run
 * with the same version of the library.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_memcpy.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Internal: Magic of a live labyrinth (the handle's first word). Its low
 * byte is the version of the layout below: a program built against another
 * version of this header finds a magic it does not know and goes out of
 * line, into the library it runs with, instead of reading fields where
 * they no longer are. Version 2: the cache as two indices (pushes, pops)
 * and its array at LABYRINTH_FAST_LCORE_SIZE; the earlier layout's magic
 * was 0x4c616279 ("Laby").
 */
#define LABYRINTH_FAST_MAGIC UINT32_C(0x4c616202) /* "Lab", layout 2 */

/** Internal: Owner record: state HEAD and order 0 in the low byte. */
#define LABYRINTH_FAST_REC_HEAD0 UINT64_C(1)
/** Internal: Owner record: the low byte (state, order). */
#define LABYRINTH_FAST_REC_LOW 0xffu
/** Internal: Owner record: generation bits (18..31), kept by a free. */
#define LABYRINTH_FAST_REC_GEN_SHIFT 18
/** Internal: Owner record: generation mask. */
#define LABYRINTH_FAST_REC_GEN_MASK (UINT64_C(0x3fff) << 18)
/** Internal: Owner record: the grab stamp's shift. */
#define LABYRINTH_FAST_REC_STAMP_SHIFT 32

/** Internal: bytes of an lcore's private state; its cache array follows. */
#define LABYRINTH_FAST_LCORE_SIZE 192

/**
 * The first cache line of an lcore's private state: what the cached fast
 * paths read and the two indices they move. The lcore's cache array (of
 * the pool's cache size) follows its state, LABYRINTH_FAST_LCORE_SIZE
 * bytes from this line's start: no pointer to load.
 *
 * The cache holds pushes - pops pages. The inline free moves pushes on,
 * the inline grab pops: two monotonic 64-bit indices, each written with a
 * plain store, in place of a length and two counters that an add to
 * memory bumped on every call. They are the lcore's counts of grabs and
 * frees too: the slow paths that move pages in or out of the cache keep
 * their own share apart (labyrinth_priv.h), so statistics take the rest
 * as the inline calls' count.
 */
struct labyrinth_fast_lcore {
	/** Pages ever put in the cache (written by the lcore alone). */
	uint64_t pushes;
	/** Pages ever taken from the cache (written by the lcore alone). */
	uint64_t pops;
	char *base;            /**< first page byte of the local zone */
	uint64_t npages;       /**< pages of the local zone from base; 0:
				*   no fast path for this lcore */
	uint64_t *meta;        /**< the local zone's owner records */
	const int64_t *avail;  /**< the local zone's free-page budget */
	int64_t reserve;       /**< the local zone's min watermark; INT64_MAX
				*   when npages is 0 (no inline grab then) */
	uint8_t page_shift;    /**< log2 of the page size */
	bool strict;           /**< LABYRINTH_F_STRICT */
	uint16_t head_bits;    /**< record of a held order-0 page: HEAD,
				*   order 0, lcore id */
	uint32_t free_size;    /**< cache capacity for the inline free: 0
				*   for a strict pool, a cache-less lcore or
				*   when npages is 0 */
};

/**
 * Internal: the cache array of an lcore slot.
 *
 * @param lc
 *   The slot.
 * @return
 *   Its cache, right after the lcore's private state.
 */
static __rte_always_inline void **
labyrinth_fast_cache(struct labyrinth_fast_lcore *lc)
{
	return (void **)(void *)((char *)lc + LABYRINTH_FAST_LCORE_SIZE);
}

/**
 * The first bytes of a labyrinth handle: its magic, then one lcore slot
 * pointer per EAL lcore (NULL where the lcore has none).
 */
struct labyrinth_fast_head {
	uint32_t magic;    /**< LABYRINTH_FAST_MAGIC (32 bits: one compare
			    *   with an immediate inline) */
	uint32_t rsvd0_;   /**< unused */
	/** The lcore slots, by lcore id. */
	struct labyrinth_fast_lcore *lcore[RTE_MAX_LCORE];
};

/**
 * The coarse clock of grab stamps (rte_rdtsc() >> 20, refreshed by an EAL
 * alarm), read by the inline grab.
 */
extern uint32_t labyrinth_fast_clock;

/**
 * Internal: 1 when the bulk loops run in AVX2 (labyrinth_simd.c): the CPU
 * has it and EAL's --force-max-simd-bitwidth allows 256 bits. Set by
 * labyrinth_create() and labyrinth_lookup().
 */
extern uint8_t labyrinth_fast_simd;

/**
 * Internal: labyrinth_fast_grab_scalar() in AVX2, for 4 KiB pages, as far
 * as the pages make runs of four (labyrinth_simd.c).
 *
 * @param pages
 *   Where the pages go.
 * @param from
 *   The n most recent entries of the cache.
 * @param n
 *   How many.
 * @param base
 *   First page byte of the caller's zone.
 * @param meta
 *   The zone's owner records.
 * @param head
 *   The record of a page held by the caller, grabbed now.
 * @return
 *   How many pages, from the first, were grabbed (a multiple of 4); the
 *   caller grabs the rest with labyrinth_fast_grab_scalar().
 */
unsigned int labyrinth_fast_grab_run_simd(void **pages,
		void * const *from, unsigned int n, uintptr_t base,
		uint64_t *meta, uint64_t head);

/**
 * Internal: labyrinth_fast_free_scalar() in AVX2, for 4 KiB pages, as far
 * as the pages make runs of four held pages (labyrinth_simd.c).
 *
 * @param pages
 *   The pages.
 * @param n
 *   How many (room for all in the cache at dst).
 * @param dst
 *   The cache's first free slot.
 * @param base
 *   First page byte of the caller's zone.
 * @param npages
 *   Pages of the zone from base.
 * @param meta
 *   The zone's owner records.
 * @return
 *   How many pages, from the first, were released into the cache (a
 *   multiple of 4); the caller goes on with labyrinth_fast_free_scalar().
 */
size_t labyrinth_fast_free_run_simd(void * const *pages, size_t n,
		void **dst, uintptr_t base, uint64_t npages, uint64_t *meta);

/**
 * Internal: labyrinth_alloc_page() out of line, every case included.
 *
 * @param lab
 *   The labyrinth.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @return
 *   As labyrinth_alloc_page().
 */
void *labyrinth_alloc_page_slow(struct labyrinth *lab, unsigned int gfp);

/**
 * Internal: labyrinth_free_page() out of line, every case included.
 *
 * @param lab
 *   The labyrinth.
 * @param page
 *   The page.
 * @return
 *   As labyrinth_free_page().
 */
int labyrinth_free_page_slow(struct labyrinth *lab, void *page);

/**
 * Internal: labyrinth_alloc_page_slow() for a caller whose slot of a live
 * labyrinth labyrinth_fast_slot() found already.
 *
 * @param lab
 *   The labyrinth.
 * @param lc
 *   The caller's slot.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @return
 *   As labyrinth_alloc_page().
 */
void *labyrinth_alloc_page_lc(struct labyrinth *lab,
		struct labyrinth_fast_lcore *lc, unsigned int gfp);

/**
 * Internal: labyrinth_free_page_slow() for a caller whose slot of a live
 * labyrinth labyrinth_fast_slot() found already.
 *
 * @param lab
 *   The labyrinth.
 * @param lc
 *   The caller's slot.
 * @param page
 *   The page.
 * @return
 *   As labyrinth_free_page().
 */
int labyrinth_free_page_lc(struct labyrinth *lab,
		struct labyrinth_fast_lcore *lc, void *page);

/**
 * Internal: labyrinth_alloc_bulk() out of line, every case included.
 *
 * @param lab
 *   The labyrinth.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @param pages
 *   Array of at least n entries for the pages.
 * @param n
 *   Number of pages wanted.
 * @return
 *   As labyrinth_alloc_bulk().
 */
unsigned int labyrinth_alloc_bulk_slow(struct labyrinth *lab, unsigned int gfp,
		void **pages, unsigned int n);

/**
 * Internal: labyrinth_free_bulk() out of line, every case included.
 *
 * @param lab
 *   The labyrinth.
 * @param pages
 *   The pages.
 * @param n
 *   How many.
 * @return
 *   As labyrinth_free_bulk().
 */
unsigned int labyrinth_free_bulk_slow(struct labyrinth *lab,
		void * const *pages, unsigned int n);

/**
 * Internal: the caller's lcore slot.
 *
 * @param lab
 *   A labyrinth handle, or NULL.
 * @return
 *   The calling lcore's slot of a live labyrinth; NULL for NULL, a
 *   destroyed handle, a thread without an lcore id, or an lcore without
 *   a slot.
 */
static __rte_always_inline struct labyrinth_fast_lcore *
labyrinth_fast_slot(struct labyrinth *lab)
{
	const struct labyrinth_fast_head *h =
		(const struct labyrinth_fast_head *)(const void *)lab;
	unsigned int id = rte_lcore_id();

	/* Acquire: pairs with the release store of the magic that ends
	 * labyrinth_create(): whoever sees it sees the slots built. The
	 * magic, not the slot alone, says the handle is live: a destroyed
	 * labyrinth's memory may hold anything once it is reused, and
	 * labyrinth_destroy() clears the magic first. */
	if (unlikely(h == NULL || id >= RTE_MAX_LCORE ||
			__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) !=
			LABYRINTH_FAST_MAGIC))
		return NULL;
	return h->lcore[id];
}

/**
 * Internal: the page index of byte offset off from a zone's first page,
 * rotated: a page start gives its index, any other offset has low bits
 * set, which the rotation puts at the top, so one comparison with the
 * zone's page count rejects both an offset past the zone and one inside a
 * page (a wrapped, negative offset too).
 *
 * @param off
 *   Byte offset from the zone's first page.
 * @param shift
 *   log2 of the page size.
 * @return
 *   off / page size when off is a multiple of it; else a value of at
 *   least 2^(64 - shift).
 */
static __rte_always_inline uint64_t
labyrinth_fast_page_index(uint64_t off, unsigned int shift)
{
	return (off >> shift) | (off << ((64 - shift) & 63));
}

/**
 * Grab one page: the inline definition of labyrinth_alloc_page() (see
 * labyrinth.h).
 *
 * @param lab
 *   The labyrinth.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @return
 *   The page, or NULL with rte_errno set.
 */
static __rte_always_inline void *
labyrinth_alloc_page(struct labyrinth *lab, unsigned int gfp)
{
	struct labyrinth_fast_lcore *lc = labyrinth_fast_slot(lab);
	uint64_t *r, head, pops;
	uint32_t len;
	void *p;

	/* An empty cache, or none (cache-less lcores), first: they leave at
	 * once. */
	if (unlikely(lc == NULL))
		return labyrinth_alloc_page_slow(lab, gfp);
	/* Relaxed: the lcore is the only writer of both indices. */
	pops = __atomic_load_n(&lc->pops, __ATOMIC_RELAXED);
	len = (uint32_t)(__atomic_load_n(&lc->pushes, __ATOMIC_RELAXED) - pops);
	if (unlikely(len == 0 || gfp > LABYRINTH_GFP_ATOMIC))
		return labyrinth_alloc_page_lc(lab, lc, gfp);
	/* Relaxed: a budget snapshot for the watermark check, which errs
	 * towards the slow path (see labyrinth_priv.h). An lcore the inline
	 * grab may not serve (npages 0) has a reserve of INT64_MAX. */
	if (unlikely(__atomic_load_n(lc->avail, __ATOMIC_RELAXED) +
			(int64_t)len <= lc->reserve))
		return labyrinth_alloc_page_lc(lab, lc, gfp);
	p = labyrinth_fast_cache(lc)[len - 1];
	/* Relaxed: the lcore is the cache's only writer; readers (stats)
	 * want a torn-free value, nothing more. */
	__atomic_store_n(&lc->pops, pops + 1, __ATOMIC_RELAXED);
	r = &lc->meta[((uintptr_t)p - (uintptr_t)lc->base) >> lc->page_shift];
	/* Relaxed (the clock, a timestamp): orders nothing. */
	head = lc->head_bits |
		((uint64_t)__atomic_load_n(&labyrinth_fast_clock,
			__ATOMIC_RELAXED) << LABYRINTH_FAST_REC_STAMP_SHIFT);
	/* Relaxed load and store: a cached page's record is ours alone
	 * (readers are snapshots and a later free, reached through the
	 * pointer's own hand-off). Strict pools move the generation on;
	 * default pools need none. */
	if (unlikely(lc->strict))
		head |= (__atomic_load_n(r, __ATOMIC_RELAXED) +
			(UINT64_C(1) << LABYRINTH_FAST_REC_GEN_SHIFT)) &
			LABYRINTH_FAST_REC_GEN_MASK;
	__atomic_store_n(r, head, __ATOMIC_RELAXED);
	return p;
}

/**
 * Free one page: the inline definition of labyrinth_free_page() (see
 * labyrinth.h).
 *
 * @param lab
 *   The labyrinth.
 * @param page
 *   The page.
 * @return
 *   0, -EALREADY or -EINVAL.
 */
static __rte_always_inline int
labyrinth_free_page(struct labyrinth *lab, void *page)
{
	struct labyrinth_fast_lcore *lc = labyrinth_fast_slot(lab);
	uint64_t *r, m, idx, pushes;
	uint32_t len;

	/* A full cache, or none (cache-less lcores, strict pools: a
	 * free_size of 0), first: they leave at once. */
	if (unlikely(lc == NULL))
		return labyrinth_free_page_slow(lab, page);
	/* Relaxed: the lcore is the only writer of both indices. */
	pushes = __atomic_load_n(&lc->pushes, __ATOMIC_RELAXED);
	len = (uint32_t)(pushes - __atomic_load_n(&lc->pops, __ATOMIC_RELAXED));
	if (unlikely(len >= lc->free_size))
		return labyrinth_free_page_lc(lab, lc, page);
	idx = labyrinth_fast_page_index((uintptr_t)page - (uintptr_t)lc->base,
		lc->page_shift);
	if (unlikely(idx >= lc->npages))
		return labyrinth_free_page_lc(lab, lc, page);
	r = &lc->meta[idx];
	/* Relaxed: default pools do not arbitrate racing frees; a record
	 * that is not a held order-0 head goes to the slow path, which
	 * rejects it, having changed nothing here. */
	m = __atomic_load_n(r, __ATOMIC_RELAXED);
	/* Relaxed: a budget snapshot; below min the page goes back to the
	 * map, out of line. */
	if (unlikely((m & LABYRINTH_FAST_REC_LOW) != LABYRINTH_FAST_REC_HEAD0 ||
			__atomic_load_n(lc->avail, __ATOMIC_RELAXED) <
			lc->reserve))
		return labyrinth_free_page_lc(lab, lc, page);
	/* Relaxed: FREE; see above. A default pool's record needs no
	 * generation (nothing to arbitrate), so a constant: no register. */
	__atomic_store_n(r, 0, __ATOMIC_RELAXED);
	labyrinth_fast_cache(lc)[len] = page;
	/* Relaxed: the lcore is the cache's only writer; see the grab. */
	__atomic_store_n(&lc->pushes, pushes + 1, __ATOMIC_RELAXED);
	return 0;
}

/**
 * Internal: log2 of LABYRINTH_PAGE_SIZE_DEFAULT. The bulk loops are built
 * twice, for this page size as a constant and for any other: a shift by a
 * register (shr/ror by cl) costs two micro-ops on x86 without BMI2 (the
 * -march DPDK's packages build for), one by a constant one.
 */
#define LABYRINTH_FAST_SHIFT_DEFAULT 12

/**
 * Internal: one record store of labyrinth_fast_grab_recs()'s loop (its
 * arguments and i). Relaxed: as in labyrinth_alloc_page() (default pool).
 */
#define LABYRINTH_FAST_GRAB_STEP(k) __atomic_store_n( \
	&meta[((uintptr_t)from[i + (k)] - base) >> shift], head, \
	__ATOMIC_RELAXED)

/**
 * Internal: the record stores of labyrinth_fast_grab_run(), four a round
 * (one loop test for four).
 *
 * @param from
 *   The pages.
 * @param n
 *   How many.
 * @param base
 *   First page byte of the caller's zone.
 * @param shift
 *   log2 of the page size.
 * @param meta
 *   The zone's owner records.
 * @param head
 *   The record of a page held by the caller, grabbed now.
 */
static __rte_always_inline void
labyrinth_fast_grab_recs(void * const *from, unsigned int n, uintptr_t base,
		unsigned int shift, uint64_t *meta, uint64_t head)
{
	unsigned int i;

	for (i = 0; i + 4 <= n; i += 4) {
		LABYRINTH_FAST_GRAB_STEP(0);
		LABYRINTH_FAST_GRAB_STEP(1);
		LABYRINTH_FAST_GRAB_STEP(2);
		LABYRINTH_FAST_GRAB_STEP(3);
	}
	for (; i < n; i++)
		LABYRINTH_FAST_GRAB_STEP(0);
}

/**
 * Internal: a default pool's cached bulk grab in scalar code, inline
 * here and out of line (labyrinth_alloc_bulk_slow()): the n pointers
 * moved as rte_mempool moves them (rte_memcpy()), then one plain record
 * store a page
 * (labyrinth_fast_grab_recs(), with the default page size's shift a
 * constant). The caller moves pops on.
 *
 * @param pages
 *   Where the pages go.
 * @param from
 *   The n most recent entries of the cache.
 * @param n
 *   How many.
 * @param base
 *   First page byte of the caller's zone.
 * @param shift
 *   log2 of the page size.
 * @param meta
 *   The zone's owner records.
 * @param head
 *   The record of a page held by the caller, grabbed now.
 */
static __rte_always_inline void
labyrinth_fast_grab_scalar(void **pages, void * const *from, unsigned int n,
		uintptr_t base, unsigned int shift, uint64_t *meta,
		uint64_t head)
{
	rte_memcpy(pages, from, (size_t)n * sizeof(*pages));
	if (likely(shift == LABYRINTH_FAST_SHIFT_DEFAULT))
		labyrinth_fast_grab_recs(from, n, base,
			LABYRINTH_FAST_SHIFT_DEFAULT, meta, head);
	else
		labyrinth_fast_grab_recs(from, n, base, shift, meta, head);
}

/**
 * Internal: whether the bulk loops in AVX2 are worth a call for these n
 * pages (labyrinth_simd.c): they run here (labyrinth_fast_simd), the pages
 * are of 4 KiB and may be one run: at least 8, the last n - 1 pages after
 * the first. Two loads: other bulks stay in the scalar loops, whole.
 *
 * @param p
 *   The pages.
 * @param n
 *   How many.
 * @param shift
 *   log2 of the page size.
 * @return
 *   true to call the vector loop first.
 */
static __rte_always_inline bool
labyrinth_fast_simd_run(void * const *p, size_t n, unsigned int shift)
{
	/* Relaxed: a process-wide setting, the same from every create. */
	return shift == LABYRINTH_FAST_SHIFT_DEFAULT &&
		__atomic_load_n(&labyrinth_fast_simd, __ATOMIC_RELAXED) &&
		n >= 8 && (uintptr_t)p[n - 1] - (uintptr_t)p[0] ==
		(uintptr_t)(n - 1) << LABYRINTH_FAST_SHIFT_DEFAULT;
}

/**
 * Internal: a default pool's cached bulk grab: out of line in AVX2 for
 * 4 KiB pages where labyrinth_fast_simd says so and the pages may be one
 * run (one call for n pages), else, and for what that call leaves,
 * labyrinth_fast_grab_scalar(). The caller moves pops on.
 *
 * @param pages
 *   Where the pages go.
 * @param from
 *   The n most recent entries of the cache.
 * @param n
 *   How many.
 * @param base
 *   First page byte of the caller's zone.
 * @param shift
 *   log2 of the page size.
 * @param meta
 *   The zone's owner records.
 * @param head
 *   The record of a page held by the caller, grabbed now.
 */
static __rte_always_inline void
labyrinth_fast_grab_run(void **pages, void * const *from, unsigned int n,
		uintptr_t base, unsigned int shift, uint64_t *meta,
		uint64_t head)
{
#ifdef RTE_ARCH_X86_64
	if (labyrinth_fast_simd_run(from, n, shift)) {
		unsigned int i = labyrinth_fast_grab_run_simd(pages, from, n,
			base, meta, head);

		if (likely(i == n))
			return;
		/* It does at most n (what the compiler cannot know). */
		if (i > n)
			__builtin_unreachable();
		pages += i;
		from += i;
		n -= i;
	}
#endif
	labyrinth_fast_grab_scalar(pages, from, n, base, shift, meta, head);
}

/**
 * Internal: one page of labyrinth_fast_free_recs()'s loop (its arguments
 * and i; its labels stop0..stop3).
 */
#define LABYRINTH_FAST_FREE_STEP(k) do { \
	uint64_t pg_ = labyrinth_fast_page_index( \
		(uintptr_t)pages[i + (k)] - base, shift); \
	if (unlikely(pg_ >= npages)) \
		goto stop##k; \
	/* Relaxed: as in labyrinth_free_page(). */ \
	if (unlikely((__atomic_load_n(&meta[pg_], __ATOMIC_RELAXED) & \
			LABYRINTH_FAST_REC_LOW) != LABYRINTH_FAST_REC_HEAD0)) \
		goto stop##k; \
	/* Relaxed: FREE, no generation, as there. */ \
	__atomic_store_n(&meta[pg_], 0, __ATOMIC_RELAXED); \
} while (0)

/**
 * Internal: the record checks and stores of labyrinth_fast_free_run():
 * each page's record must be a held order-0 head, and goes to FREE (0: a
 * default pool keeps no generation), four pages a round: one loop test for
 * four. Stops at the first page that is not for this path (foreign,
 * interior, not a held page), having changed nothing for it.
 *
 * @param pages
 *   The pages.
 * @param n
 *   How many.
 * @param base
 *   First page byte of the caller's zone.
 * @param shift
 *   log2 of the page size.
 * @param npages
 *   Pages of the zone from base.
 * @param meta
 *   The zone's owner records.
 * @return
 *   How many pages, from the first, were released.
 */
static __rte_always_inline size_t
labyrinth_fast_free_recs(void * const *pages, size_t n, uintptr_t base,
		unsigned int shift, uint64_t npages, uint64_t *meta)
{
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		LABYRINTH_FAST_FREE_STEP(0);
		LABYRINTH_FAST_FREE_STEP(1);
		LABYRINTH_FAST_FREE_STEP(2);
		LABYRINTH_FAST_FREE_STEP(3);
	}
	for (; i < n; i++)
		LABYRINTH_FAST_FREE_STEP(0);
	return n;
stop3:
	i++;
stop2:
	i++;
stop1:
	i++;
stop0:
	return i;
}

/**
 * Internal: a default pool's cached bulk free in scalar code, inline here
 * and out of line (labyrinth_free_bulk_slow()). The n pointers go to the
 * cache first, moved as rte_mempool moves them (rte_memcpy(); past the
 * cache's length until pushes moves: harmless for those that turn out
 * bad); then labyrinth_fast_free_recs() releases their records, with the
 * default page size's shift a constant.
 *
 * @param pages
 *   The pages.
 * @param n
 *   How many (room for all in the cache at dst).
 * @param dst
 *   The cache's first free slot.
 * @param base
 *   First page byte of the caller's zone.
 * @param shift
 *   log2 of the page size.
 * @param npages
 *   Pages of the zone from base.
 * @param meta
 *   The zone's owner records.
 * @return
 *   How many pages, from the first, were released into the cache.
 */
static __rte_always_inline size_t
labyrinth_fast_free_scalar(void * const *pages, size_t n, void **dst,
		uintptr_t base, unsigned int shift, uint64_t npages,
		uint64_t *meta)
{
	rte_memcpy(dst, pages, n * sizeof(*dst));
	if (likely(shift == LABYRINTH_FAST_SHIFT_DEFAULT))
		return labyrinth_fast_free_recs(pages, n, base,
			LABYRINTH_FAST_SHIFT_DEFAULT, npages, meta);
	return labyrinth_fast_free_recs(pages, n, base, shift, npages, meta);
}

/**
 * Internal: a default pool's cached bulk free: out of line in AVX2 for
 * 4 KiB pages where labyrinth_fast_simd says so and the pages may be one
 * run (one call for n pages), else, and for what that call leaves,
 * labyrinth_fast_free_scalar().
 *
 * @param pages
 *   The pages.
 * @param n
 *   How many (room for all in the cache at dst).
 * @param dst
 *   The cache's first free slot.
 * @param base
 *   First page byte of the caller's zone.
 * @param shift
 *   log2 of the page size.
 * @param npages
 *   Pages of the zone from base.
 * @param meta
 *   The zone's owner records.
 * @return
 *   How many pages, from the first, were released into the cache.
 */
static __rte_always_inline size_t
labyrinth_fast_free_run(void * const *pages, size_t n, void **dst,
		uintptr_t base, unsigned int shift, uint64_t npages,
		uint64_t *meta)
{
#ifdef RTE_ARCH_X86_64
	if (labyrinth_fast_simd_run(pages, n, shift)) {
		size_t i = labyrinth_fast_free_run_simd(pages, n, dst, base,
			npages, meta);

		if (likely(i == n))
			return n;
		/* It does at most n (what the compiler cannot know). */
		if (i > n)
			__builtin_unreachable();
		return i + labyrinth_fast_free_scalar(&pages[i], n - i, &dst[i],
			base, shift, npages, meta);
	}
#endif
	return labyrinth_fast_free_scalar(pages, n, dst, base, shift, npages,
		meta);
}

/**
 * Grab n pages: the inline definition of labyrinth_alloc_bulk() (see
 * labyrinth.h). All n from the caller's cache when it holds them and the
 * zone stays at or above its min watermark (labyrinth_fast_grab_run()).
 * Everything else goes out of line.
 *
 * @param lab
 *   The labyrinth.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @param pages
 *   Array of at least n entries for the pages.
 * @param n
 *   Number of pages wanted.
 * @return
 *   n, or 0 with rte_errno set and nothing taken.
 */
static __rte_always_inline unsigned int
labyrinth_alloc_bulk(struct labyrinth *lab, unsigned int gfp, void **pages,
		unsigned int n)
{
	struct labyrinth_fast_lcore *lc = labyrinth_fast_slot(lab);
	uint64_t pops;
	uint32_t len;

	if (unlikely(lc == NULL))
		return labyrinth_alloc_bulk_slow(lab, gfp, pages, n);
	/* Relaxed: the lcore is the only writer of both indices. */
	pops = __atomic_load_n(&lc->pops, __ATOMIC_RELAXED);
	len = (uint32_t)(__atomic_load_n(&lc->pushes, __ATOMIC_RELAXED) - pops);
	/* A short cache, strict pools (generations), gfp bits beyond
	 * ATOMIC, nothing to do or nowhere to put it: out of line. */
	if (unlikely(len < n || n == 0 || pages == NULL ||
			gfp > LABYRINTH_GFP_ATOMIC || lc->strict))
		return labyrinth_alloc_bulk_slow(lab, gfp, pages, n);
	/* Relaxed: a budget snapshot, as in labyrinth_alloc_page(): taking
	 * n must leave the zone at or above min (avail + len - n >=
	 * reserve, as the out-of-line path decides); an lcore without a
	 * fast path has a reserve of INT64_MAX. */
	if (unlikely(__atomic_load_n(lc->avail, __ATOMIC_RELAXED) +
			(int64_t)(len - n) < lc->reserve))
		return labyrinth_alloc_bulk_slow(lab, gfp, pages, n);
	/* Relaxed (the clock): a timestamp. */
	labyrinth_fast_grab_run(pages, &labyrinth_fast_cache(lc)[len - n], n,
		(uintptr_t)lc->base, lc->page_shift, lc->meta,
		lc->head_bits | ((uint64_t)__atomic_load_n(&labyrinth_fast_clock,
			__ATOMIC_RELAXED) << LABYRINTH_FAST_REC_STAMP_SHIFT));
	/* Relaxed: the lcore is the cache's only writer. */
	__atomic_store_n(&lc->pops, pops + n, __ATOMIC_RELAXED);
	return n;
}

/**
 * Free n pages: the inline definition of labyrinth_free_bulk() (see
 * labyrinth.h). In a default pool with room for all n in the caller's
 * cache and the zone not below min, each page of the caller's zone is
 * checked and released as by labyrinth_free_page(), four a round; the
 * first page that is not for this path (foreign, interior, not a held
 * page) and all after it go out of line.
 *
 * @param lab
 *   The labyrinth.
 * @param pages
 *   The pages.
 * @param n
 *   How many.
 * @return
 *   Number of pages freed.
 */
static __rte_always_inline unsigned int
labyrinth_free_bulk(struct labyrinth *lab, void * const *pages,
		unsigned int n)
{
	struct labyrinth_fast_lcore *lc = labyrinth_fast_slot(lab);
	uint64_t pushes;
	uint32_t len;
	size_t i;

	if (unlikely(lc == NULL || pages == NULL))
		return labyrinth_free_bulk_slow(lab, pages, n);
	/* Relaxed: the lcore is the only writer of both indices. */
	pushes = __atomic_load_n(&lc->pushes, __ATOMIC_RELAXED);
	len = (uint32_t)(pushes - __atomic_load_n(&lc->pops, __ATOMIC_RELAXED));
	/* Room for all n (free_size is 0 in strict pools, for cache-less
	 * lcores and where there is no fast path); relaxed: a budget
	 * snapshot, below min the pages go back to the map, out of line. */
	if (unlikely((uint64_t)len + n > lc->free_size ||
			__atomic_load_n(lc->avail, __ATOMIC_RELAXED) <
			lc->reserve))
		return labyrinth_free_bulk_slow(lab, pages, n);
	i = labyrinth_fast_free_run(pages, n, &labyrinth_fast_cache(lc)[len],
		(uintptr_t)lc->base, lc->page_shift, lc->npages, lc->meta);
	/* Relaxed: the lcore is the cache's only writer. */
	__atomic_store_n(&lc->pushes, pushes + i, __ATOMIC_RELAXED);
	if (unlikely(i != n))
		return (unsigned int)i + labyrinth_free_bulk_slow(lab, pages + i,
			n - (unsigned int)i);
	return n;
}

#undef LABYRINTH_FAST_GRAB_STEP
#undef LABYRINTH_FAST_FREE_STEP

#ifdef __cplusplus
}
#endif

#endif /* LABYRINTH_FAST_H */
