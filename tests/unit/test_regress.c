/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Regression tests of the library for the defects a review found (each
 * failed before its fix):
 * - a destroyed handle accepted by the fast paths;
 * - a page of a zone lying inside another zone's address span, called
 *   foreign when that other zone is split over several memzones;
 * - a failing block grab holding its budget for the whole search, so that
 *   other lcores' grabs fail with plenty free;
 * - a cache-less lcore that mostly frees hiding free pages as tokens from
 *   other lcores' GFP_ATOMIC grabs at the low watermark;
 * - a page freed and grabbed again leaving an owner record identical to the
 *   old one (same owner, order and coarse time), so that a free that read
 *   the old record could swap the new one;
 * - the map's wait-free reservation of up to n of budget.
 * Runs on 2 lcores (-l 0-1).
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "labyrinth_priv.h"
#include "unit_common.h"

#define PS 4096u

/* A worker lcore, or RTE_MAX_LCORE. */
static unsigned int
worker_lcore(void)
{
	return rte_get_next_lcore(-1, 1, 0);
}

/*
 * After labyrinth_destroy(), every fast-path call on the stale handle
 * fails cleanly: no page handed out (the lcore cache held some), no write.
 */
static int
test_destroyed_handle(void)
{
	struct labyrinth *lab;
	void *p, *pages[4];

	lab = ut_create("ut_dead", PS, 256, 0, 32, 0);
	LT_ASSERT(lab != NULL, "");
	p = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(p != NULL, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	/* Our cache now holds pages; destroy counts them as free. */
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");

	rte_errno = 0;
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, 0), EINVAL);
	rte_errno = 0;
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC),
		EINVAL);
	rte_errno = 0;
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab, 0, 2), EINVAL);
	rte_errno = 0;
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, pages, 4), 0, "");
	LT_ASSERT_EQ(rte_errno, EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, p, 0), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, &p, 1), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), -EINVAL, "");
	return 0;
}

/*
 * A handle that carries the magic of the earlier layout of
 * labyrinth_fast.h (what a library built before the cache indices wrote)
 * is refused by this build's inline paths and by the library: with one
 * magic for both layouts, the inline paths would read the other layout's
 * fields and hand out a page.
 */
static int
test_layout_magic(void)
{
	struct labyrinth *lab;
	uint32_t *magic, saved;
	void *p;

	lab = ut_create("ut_magic", PS, 256, 0, 32, 0);
	LT_ASSERT(lab != NULL, "");
	p = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(p != NULL, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	/* the cache holds p; the handle's first word is the magic */
	magic = (uint32_t *)(void *)lab;
	saved = *magic;
	LT_ASSERT(saved != UINT32_C(0x4c616279), "a new layout, a new magic");
	*magic = UINT32_C(0x4c616279);
	rte_errno = 0;
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, 0), EINVAL);
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), -EINVAL, "");
	*magic = saved;
	p = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(p != NULL, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/*
 * lab_locate() over zones whose spans overlap: zone 0 split over two
 * memzones [a, a+len) and [c, c+len), zone 1 in [b, b+len) between them.
 * A page of zone 1 must be found in zone 1, not called foreign because it
 * lies inside zone 0's [lo, hi).
 */
static int
test_locate_overlap(void)
{
	const uint32_t n = 8;
	const size_t len = (size_t)n * PS;
	struct labyrinth *lab;
	char *mem, *a, *b, *c;
	unsigned int z;
	uint32_t idx;
	int rc = -1;

	lab = calloc(1, sizeof(*lab));
	mem = aligned_alloc(PS, 3 * len);
	if (lab == NULL || mem == NULL) {
		printf("out of memory\n");
		goto out;
	}
	a = mem;
	b = mem + len;
	c = mem + 2 * len;
	lab->page_size = PS;
	lab->page_shift = 12;
	lab->nb_zones = 2;
	lab->zone[0].nb_segs = 2;
	lab->zone[0].seg[0] = (struct lab_seg){ .base = a, .first = 0,
		.count = n };
	lab->zone[0].seg[1] = (struct lab_seg){ .base = c, .first = n,
		.count = n };
	lab->zone[0].lo = a;
	lab->zone[0].hi = c + len;
	lab->zone[1].nb_segs = 1;
	lab->zone[1].seg[0] = (struct lab_seg){ .base = b, .first = 0,
		.count = n };
	lab->zone[1].lo = b;
	lab->zone[1].hi = b + len;

	if (lab_locate(lab, b + 3 * PS, &z, &idx, true) != 0 || z != 1 ||
			idx != 3) {
		printf("[%s():%d] page 3 of zone 1 not found in zone 1\n",
			__func__, __LINE__);
		goto out;
	}
	if (lab_locate(lab, c + 2 * PS, &z, &idx, true) != 0 || z != 0 ||
			idx != n + 2) {
		printf("[%s():%d] page %u of zone 0 not found\n", __func__,
			__LINE__, n + 2);
		goto out;
	}
	if (lab_locate(lab, b + 3 * PS + 1, &z, &idx, true) != -EINVAL ||
			lab_locate(lab, c + len, &z, &idx, false) != -EINVAL) {
		printf("[%s():%d] bad pointers accepted\n", __func__, __LINE__);
		goto out;
	}
	rc = 0;
out:
	free(mem);
	free(lab);
	return rc;
}

struct block_arg {
	struct labyrinth *lab;
	volatile bool stop;
	uint64_t tries;
	uint64_t got;
};

/* Worker: order-9 grabs that cannot succeed (no free aligned block). */
static int
block_worker(void *arg)
{
	struct block_arg *ba = arg;
	void *p;

	while (!ba->stop) {
		p = labyrinth_alloc_pages(ba->lab, 0, LABYRINTH_MAX_ORDER);
		ba->tries++;
		if (p != NULL) {
			ba->got++;
			labyrinth_free_pages(ba->lab, p, LABYRINTH_MAX_ORDER);
		}
	}
	return 0;
}

/*
 * A failing order-9 grab must not hold 512 pages of budget while it
 * searches: with exactly reserve + 512 pages free (none of them forming an
 * aligned 512-page block), single grabs on another lcore must never fail
 * while the block grabs fail over and over.
 */
static int
test_block_budget(void)
{
	const uint32_t nb = 65536, reserve = 1024, groups = nb / 512;
	const uint32_t free_wanted = reserve + 512;
	struct block_arg ba = { 0 };
	unsigned int worker = worker_lcore();
	struct labyrinth *lab;
	uint64_t fails = 0, ok = 0, end;
	void **held;
	uint32_t i, nheld = 0, kept;
	void *p;

	if (worker >= RTE_MAX_LCORE) {
		printf("needs 2 lcores\n");
		return LT_SKIP;
	}
	held = calloc(nb, sizeof(*held));
	LT_ASSERT(held != NULL, "");
	lab = ut_create("ut_blkbud", PS, nb, reserve, 0, 0);
	LT_ASSERT(lab != NULL, "");
	while ((p = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC)) != NULL)
		held[nheld++] = p;
	LT_ASSERT_EQ(nheld, nb, "");
	/* Sorted by address, so that page i is zone page i (one memzone). */
	qsort(held, nheld, sizeof(held[0]), ut_cmp_ptr);
	/* Give back free_wanted pages spread over every 512-page group,
	 * never a whole group: 12 per group (1536 = 128 * 12), from the
	 * group's start. */
	kept = 0;
	for (i = 0; i < nb && kept < free_wanted; i++) {
		if (i % 512 >= free_wanted / groups)
			continue;
		LT_ASSERT_EQ(labyrinth_free_page(lab, held[i]), 0, "");
		held[i] = NULL;
		kept++;
	}
	LT_ASSERT_EQ(kept, free_wanted, "");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_free_count(lab), free_wanted, "");

	ba.lab = lab;
	LT_ASSERT_EQ(rte_eal_remote_launch(block_worker, &ba, worker), 0, "");
	end = rte_get_timer_cycles() + rte_get_timer_hz() / 2;
	while (rte_get_timer_cycles() < end) {
		p = labyrinth_alloc_page(lab, 0);
		if (p == NULL) {
			fails++;
			continue;
		}
		ok++;
		LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	}
	ba.stop = true;
	rte_eal_wait_lcore(worker);
	printf("single grabs: %" PRIu64 " ok, %" PRIu64 " failed; block "
		"grabs tried: %" PRIu64 "\n", ok, fails, ba.tries);
	LT_ASSERT_EQ(ba.got, 0, "an order-9 block was found");
	LT_ASSERT(ba.tries > 100, "the block worker hardly ran");
	LT_ASSERT_EQ(fails, 0, "single grabs refused while a failing block "
		"grab held budget");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_free_count(lab), free_wanted, "");
	for (i = 0; i < nb; i++)
		if (held[i] != NULL)
			LT_ASSERT_EQ(labyrinth_free_page(lab, held[i]), 0, "");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	free(held);
	return 0;
}

struct free_arg {
	struct labyrinth *lab;
	void **pages;
	unsigned int n;
	int rc;
};

static int
free_worker(void *arg)
{
	struct free_arg *fa = arg;
	unsigned int i;

	fa->rc = 0;
	for (i = 0; i < fa->n; i++)
		if (labyrinth_free_page(fa->lab, fa->pages[i]) != 0)
			fa->rc = -1;
	return 0;
}

/*
 * A cache-less labyrinth of nb pages (reserve 0), every page grabbed by
 * the calling lcore into pages[], its tokens given back: budget 0. NULL if
 * the creation or a grab failed.
 */
static struct labyrinth *
nocache_all_held(const char *name, uint32_t nb, void **pages)
{
	struct labyrinth *lab = ut_create(name, PS, nb, 0, 0, 0);
	uint32_t i;

	if (lab == NULL)
		return NULL;
	for (i = 0; i < nb; i++) {
		pages[i] = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
		if (pages[i] == NULL) {
			printf("%s: grab %u of %u failed\n", name, i, nb);
			return NULL;
		}
	}
	labyrinth_cache_flush(lab); /* our own tokens back: budget 0 */
	return lab;
}

/* Lcore worker frees pages[0..n) of lab: 0 when every free returned 0. */
static int
worker_frees(unsigned int worker, struct labyrinth *lab, void **pages,
		uint32_t n)
{
	struct free_arg fa = { .lab = lab, .pages = pages, .n = n };

	if (rte_eal_remote_launch(free_worker, &fa, worker) != 0)
		return -1;
	rte_eal_wait_lcore(worker);
	return fa.rc;
}

/*
 * A cache-less lcore that frees pages at or below the low watermark gives
 * their budget back instead of keeping it as tokens: another lcore's
 * GFP_ATOMIC grab then finds them, although the zone's budget was 0.
 */
static int
test_tokens_low(void)
{
	/* n frees, all at or below the low watermark (256 / 8 = 32). */
	const uint32_t nb = 256, n = 30;
	unsigned int worker = worker_lcore();
	struct labyrinth *lab;
	void *pages[256], *p;
	uint32_t i;

	if (worker >= RTE_MAX_LCORE) {
		printf("needs 2 lcores\n");
		return LT_SKIP;
	}
	lab = nocache_all_held("ut_tokens", nb, pages);
	LT_ASSERT(lab != NULL, "every page grabbed");
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC),
		ENOMEM);

	/* The worker frees n pages: it used to keep them all as tokens. */
	LT_ASSERT_EQ(worker_frees(worker, lab, pages, n), 0, "");

	/* Every one of them must be reachable from here. */
	for (i = 0; i < n; i++) {
		p = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
		LT_ASSERT(p != NULL, "GFP_ATOMIC grab %u of %u failed with the "
			"pages free in the map (hidden as tokens)", i, n);
		pages[i] = p;
	}
	LT_ASSERT_EQ(ut_free_all(lab, pages, nb), 0, "");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/*
 * A cache-less lcore that frees pages above the low watermark keeps their
 * budget as tokens, but at most two batches (2 x 32): beyond that it gives
 * a batch back, so that another lcore's grabs find the pages. The worker
 * frees 512 pages the main lcore grabbed; the main lcore must then grab
 * all but the worker's tokens again (free_nocache_lc()'s token cap).
 */
static int
test_tokens_cap(void)
{
	const uint32_t nb = 1024, n = 512, kept_max = 64;
	unsigned int worker = worker_lcore();
	struct labyrinth *lab;
	static void *pages[1024];
	uint32_t got;

	if (worker >= RTE_MAX_LCORE) {
		printf("needs 2 lcores\n");
		return LT_SKIP;
	}
	lab = nocache_all_held("ut_tokcap", nb, pages);
	LT_ASSERT(lab != NULL, "every page grabbed");
	LT_ASSERT_EQ(worker_frees(worker, lab, pages, n), 0, "");

	for (got = 0; got < n; got++) {
		void *p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);

		if (p == NULL)
			break;
		pages[got] = p;
	}
	LT_ASSERT(got >= n - kept_max, "%u of %u freed pages found: the "
		"freeing lcore hides the rest as tokens", got, n);
	/* Held now: pages[0..got) (grabbed again) and pages[n..nb). */
	LT_ASSERT_EQ(ut_free_all(lab, pages, got), 0, "");
	LT_ASSERT_EQ(ut_free_all(lab, pages + n, nb - n), 0, "");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

struct pairs_arg {
	struct labyrinth *lab;
	uint64_t deadline; /* TSC */
	volatile bool *stop;
	int rc;
};

/* Cache-less grab+free pairs until *stop or the deadline. */
static int
pairs_worker(void *arg)
{
	struct pairs_arg *pa = arg;

	pa->rc = 0;
	while (!*pa->stop && rte_get_tsc_cycles() < pa->deadline) {
		void *p = labyrinth_alloc_page(pa->lab, LABYRINTH_GFP_NORMAL);

		if (p == NULL || labyrinth_free_page(pa->lab, p) != 0) {
			pa->rc = -1;
			break;
		}
	}
	return 0;
}

/*
 * Two cache-less lcores whose search hints meet in one map word part
 * again. They used to stay together for good (each grab found a bit in
 * the shared word) and moved its cache line between their CPUs on every
 * grab and free, ten times slower than apart (2-lcore cache-less runs of
 * labyrinth-bench at 9 to 16 Mpairs/s against 120). White box: the worker
 * is put in the main lcore's home word; a claim it loses there sends it
 * back to its own (claim_from_home()).
 */
static int
test_hints_part(void)
{
	unsigned int worker = worker_lcore();
	volatile bool stop = false;
	struct pairs_arg pa;
	struct lab_lcore *me, *other;
	struct labyrinth *lab;
	uint64_t end;
	bool parted = false, ok = true;

	if (worker >= RTE_MAX_LCORE) {
		printf("needs 2 lcores\n");
		return LT_SKIP;
	}
	lab = ut_create("ut_hints", PS, 4096, 0, 0, 0);
	LT_ASSERT(lab != NULL, "");
	me = lab->lcore[rte_lcore_id()];
	other = lab->lcore[worker];
	LT_ASSERT(me != NULL && other != NULL, "");
	LT_ASSERT(me->home != other->home, "homes spread over the map");
	other->hint = me->home;

	end = rte_get_tsc_cycles() + 2 * rte_get_tsc_hz();
	pa = (struct pairs_arg){ .lab = lab, .deadline = end, .stop = &stop };
	LT_ASSERT_EQ(rte_eal_remote_launch(pairs_worker, &pa, worker), 0, "");
	while (rte_get_tsc_cycles() < end) {
		void *p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);

		if (p == NULL || labyrinth_free_page(lab, p) != 0) {
			ok = false;
			break;
		}
		/* Relaxed: the worker's hint, a snapshot. */
		if (__atomic_load_n(&other->hint, __ATOMIC_RELAXED) !=
				me->hint) {
			parted = true;
			break;
		}
	}
	/* The worker stops before any assertion can return. */
	stop = true;
	rte_eal_wait_lcore(worker);
	LT_ASSERT(ok, "a grab or free of the main lcore failed");
	LT_ASSERT_EQ(pa.rc, 0, "");
	LT_ASSERT(parted, "two cache-less lcores stayed in one map word for "
		"2 s (hints %u and %u)", me->hint, other->hint);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* Owner record of page p (white box: the test knows the layout). */
static uint64_t
record_of(struct labyrinth *lab, void *p)
{
	unsigned int z;
	uint32_t idx;

	if (lab_locate(lab, p, &z, &idx, true) != 0)
		return UINT64_MAX;
	return __atomic_load_n(&lab->zone[z].meta[idx], __ATOMIC_RELAXED);
}

/*
 * A page freed and grabbed again by the same lcore within one tick of the
 * coarse clock gets a record that differs from the one before (the
 * generation moved), so a strict free that read the old record fails its
 * compare-and-swap instead of freeing the new incarnation.
 */
static int
test_generation(void)
{
	struct labyrinth *lab;
	uint64_t m1 = 0, m2 = 0, expected;
	unsigned int z, tries, same_tick = 0;
	uint32_t idx;
	void *p, *q;

	lab = ut_create("ut_gen", PS, 64, 0, 8, LABYRINTH_F_STRICT);
	LT_ASSERT(lab != NULL, "");
	for (tries = 0; tries < 1000 && same_tick < 100; tries++) {
		p = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(p != NULL, "");
		m1 = record_of(lab, p);
		LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
		q = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(q == p, "the cache is LIFO: %p then %p", p, q);
		m2 = record_of(lab, q);
		LT_ASSERT_EQ(labyrinth_free_page(lab, q), 0, "");
		if ((m1 >> 32) != (m2 >> 32))
			continue; /* the clock ticked in between */
		same_tick++;
		LT_ASSERT(m1 != m2, "record %#" PRIx64 " unchanged by a free "
			"and a grab", m1);
	}
	LT_ASSERT(same_tick > 0, "never two grabs within one clock tick");

	/* The stale free, as labyrinth_free_page() does it in strict pools. */
	p = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(p != NULL, "");
	m1 = record_of(lab, p);
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	LT_ASSERT(labyrinth_alloc_page(lab, 0) == p, "");
	LT_ASSERT_EQ(lab_locate(lab, p, &z, &idx, true), 0, "");
	expected = m1;
	LT_ASSERT(!__atomic_compare_exchange_n(&lab->zone[z].meta[idx],
			&expected, lab_meta_freed(m1), false, __ATOMIC_RELAXED,
			__ATOMIC_RELAXED), "a stale record matched");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p), (int)rte_lcore_id(), "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), -EALREADY, "");
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* labyrinth_map_reserve_upto(): takes what is there above floor, at most n. */
static int
test_reserve_upto(void)
{
	struct labyrinth_map m;
	struct labyrinth_map_word *w;

	w = aligned_alloc(RTE_CACHE_LINE_SIZE, labyrinth_map_words_size(128));
	LT_ASSERT(w != NULL, "");
	labyrinth_map_init(&m, w, 128, true);
	LT_ASSERT_EQ(labyrinth_map_reserve_upto(&m, 32, 0), 32, "");
	LT_ASSERT_EQ(m.avail, 96, "");
	LT_ASSERT_EQ(labyrinth_map_reserve_upto(&m, 100, 10), 86, "");
	LT_ASSERT_EQ(m.avail, 10, "");
	LT_ASSERT_EQ(labyrinth_map_reserve_upto(&m, 5, 10), 0, "");
	LT_ASSERT_EQ(m.avail, 10, "");
	LT_ASSERT_EQ(labyrinth_map_reserve_upto(&m, 5, 0), 5, "");
	LT_ASSERT_EQ(labyrinth_map_reserve_upto(&m, 50, 0), 5, "");
	LT_ASSERT_EQ(m.avail, 0, "");
	LT_ASSERT_EQ(labyrinth_map_reserve(&m, 1, 0), -ENOMEM, "");
	labyrinth_map_unreserve(&m, 128);
	LT_ASSERT_EQ(m.avail, 128, "");
	free(w);
	return 0;
}

/* The lowest `want` set bits of x, one by one (the reference). */
static uint64_t
ref_lowest(uint64_t x, unsigned int want)
{
	uint64_t mask = 0;

	while (want-- > 0 && x != 0) {
		mask |= x & -x;
		x &= x - 1;
	}
	return mask;
}

/*
 * labyrinth_map_claim() of part of a word takes the lowest free bits, for
 * every count from 1 to 63 and many bit patterns (the claim picks them by
 * a binary search over prefix popcounts above 8).
 */
static int
test_claim_partial(void)
{
	struct labyrinth_map m;
	struct labyrinth_map_word *w;
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15), want_mask, got_mask;
	uint32_t idx[64], hint, got, i, k, t, want, have;

	w = aligned_alloc(RTE_CACHE_LINE_SIZE, labyrinth_map_words_size(64));
	LT_ASSERT(w != NULL, "");
	for (t = 0; t < 2000; t++) {
		/* xorshift64: a new pattern each round, some dense */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t bits = (t % 3 == 0) ? (x | (x >> 1)) : x;

		have = (uint32_t)__builtin_popcountll(bits);
		if (have < 2)
			continue;
		want = 1 + (uint32_t)(t % (have - 1)); /* 1 .. have - 1 */
		labyrinth_map_init(&m, w, 64, false);
		w[0].bits = bits;
		hint = 0;
		got = labyrinth_map_claim(&m, &hint, idx, want);
		LT_ASSERT_EQ(got, want, "pattern %#" PRIx64 " want %u", bits,
			want);
		got_mask = 0;
		for (i = 0; i < got; i++)
			got_mask |= UINT64_C(1) << idx[i];
		want_mask = ref_lowest(bits, want);
		LT_ASSERT_EQ(got_mask, want_mask, "pattern %#" PRIx64
			" want %u", bits, want);
		LT_ASSERT_EQ(w[0].bits, bits & ~want_mask, "");
		for (k = 0; k + 1 < got; k++)
			LT_ASSERT(idx[k] < idx[k + 1], "indices in order");
	}
	free(w);
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0, skipped = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_destroyed_handle, failures);
	LT_RUN(test_layout_magic, failures);
	LT_RUN(test_locate_overlap, failures);
	LT_RUN(test_generation, failures);
	LT_RUN_SKIPPABLE(test_block_budget, failures, skipped);
	LT_RUN_SKIPPABLE(test_tokens_low, failures, skipped);
	LT_RUN_SKIPPABLE(test_hints_part, failures, skipped);
	LT_RUN_SKIPPABLE(test_tokens_cap, failures, skipped);
	LT_RUN(test_reserve_upto, failures);
	LT_RUN(test_claim_partial, failures);

	rte_eal_cleanup();
	printf("%d failed, %d skipped\n", failures, skipped);
	return failures == 0 ? 0 : 1;
}
