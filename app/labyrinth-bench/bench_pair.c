/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Section 1, "pair": ns per grab+free pair on one lcore, for every way
 * of grabbing a page or an object side by side. The pair machinery
 * (pair_add, pair_measure) is also the llfree section's.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "bench_priv.h"

#define RUN_BUDGET_NS 40e6      /* longest timed run of a slow variant */
#define PROBE_OBJS 64           /* objects of a calibration probe */
#define SCATTER_STRIDE 37       /* odd: a permutation of a cache's pages */

/* 8< pair loops */
static __rte_always_inline uint64_t
pair_loop_pool(const struct bench_pool *bp, uint64_t n, uint64_t *fails,
		const bool lab)
{
	uint64_t i, bad = 0, t0;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i++) {
		void *p = bp_get(bp, lab);

		if (unlikely(p == NULL)) {
			bad++;
			continue;
		}
		KEEP(p);
		bad += bp_put(bp, p, lab);
	}
	*fails += bad;
	return rte_rdtsc_precise() - t0;
}

static uint64_t
pair_loop_lab_bulk(struct labyrinth *lab, uint64_t n, uint64_t *fails)
{
	void *pages[BULK];
	uint64_t i, bad = 0, t0;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i += BULK) {
		if (unlikely(labyrinth_alloc_bulk(lab, LABYRINTH_GFP_NORMAL,
				pages, BULK) != BULK)) {
			bad++;
			continue;
		}
		KEEP(pages[0]);
		bad += labyrinth_free_bulk(lab, pages, BULK) != BULK;
	}
	*fails += bad;
	return rte_rdtsc_precise() - t0;
}

/*
 * pair_loop_lab_bulk() with the cache's pages scattered first (untimed):
 * a cache's worth grabbed and freed back in a stride order, so no four
 * pages a bulk takes are a run of consecutive pages (labyrinth_simd.c).
 */
static uint64_t
pair_loop_lab_bulk_scattered(struct labyrinth *lab, uint64_t n,
		uint64_t *fails)
{
	void *held[CACHE];
	unsigned int got = 0, k;

	while (got + BULK <= CACHE && labyrinth_alloc_bulk(lab,
			LABYRINTH_GFP_NORMAL, &held[got], BULK) == BULK)
		got += BULK;
	for (k = 0; k < got; k++)
		*fails += labyrinth_free_page(lab,
			held[(k * SCATTER_STRIDE) % got]) != 0;
	return pair_loop_lab_bulk(lab, n, fails);
}

static uint64_t
pair_loop_lab_order(struct labyrinth *lab, unsigned int order, uint64_t n,
		uint64_t *fails)
{
	uint64_t i, bad = 0, t0;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i++) {
		void *p = labyrinth_alloc_pages(lab, LABYRINTH_GFP_NORMAL,
				order);

		if (unlikely(p == NULL)) {
			bad++;
			continue;
		}
		KEEP(p);
		bad += labyrinth_free_pages(lab, p, order) != 0;
	}
	*fails += bad;
	return rte_rdtsc_precise() - t0;
}

static uint64_t
pair_loop_mp_bulk(struct rte_mempool *mp, uint64_t n, uint64_t *fails)
{
	void *objs[BULK];
	uint64_t i, bad = 0, t0;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i += BULK) {
		if (unlikely(rte_mempool_get_bulk(mp, objs, BULK) != 0)) {
			bad++;
			continue;
		}
		KEEP(objs[0]);
		rte_mempool_put_bulk(mp, objs, BULK);
	}
	*fails += bad;
	return rte_rdtsc_precise() - t0;
}

static uint64_t
pair_loop_rte_malloc(size_t size, size_t align, uint64_t n, uint64_t *fails)
{
	uint64_t i, bad = 0, t0;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i++) {
		void *p = rte_malloc(NULL, size, (unsigned int)align);

		if (unlikely(p == NULL)) {
			bad++;
			continue;
		}
		KEEP(p);
		rte_free(p);
	}
	*fails += bad;
	return rte_rdtsc_precise() - t0;
}

static uint64_t
pair_loop_libc(size_t size, uint64_t n, uint64_t *fails)
{
	uint64_t i, bad = 0, t0;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i++) {
		void *p = malloc(size);

		if (unlikely(p == NULL)) {
			bad++;
			continue;
		}
		KEEP(p);
		free(p);
	}
	*fails += bad;
	return rte_rdtsc_precise() - t0;
}

/* The loop is llfree_peer_pairs(), compiled with LLFree's header. */
static uint64_t
pair_loop_llfree(struct llfree_peer *llf, unsigned int order, uint64_t n,
		uint64_t *fails)
{
	uint64_t t0, bad;

	t0 = rte_rdtsc_precise();
	bad = llfree_peer_pairs(llf, order, n);
	t0 = rte_rdtsc_precise() - t0;
	*fails += bad;
	return t0;
}
/* >8 pair loops */

static uint64_t
pair_run(struct pair_var *v, uint64_t n)
{
	switch (v->kind) {
	case PK_POOL:
		if (v->bp->lab != NULL)
			return pair_loop_pool(v->bp, n, &v->fails, true);
		return pair_loop_pool(v->bp, n, &v->fails, false);
	case PK_LAB_BULK:
		return pair_loop_lab_bulk(v->bp->lab, n, &v->fails);
	case PK_LAB_BULK_SCATTERED:
		return pair_loop_lab_bulk_scattered(v->bp->lab, n, &v->fails);
	case PK_LAB_ORDER:
		return pair_loop_lab_order(v->bp->lab, v->order, n, &v->fails);
	case PK_MP_BULK:
		return pair_loop_mp_bulk(v->bp->mp, n, &v->fails);
	case PK_RTE_MALLOC:
		return pair_loop_rte_malloc(v->size, v->align, n, &v->fails);
	case PK_LIBC:
		return pair_loop_libc(v->size, n, &v->fails);
	case PK_LLFREE:
		return pair_loop_llfree(v->llf, v->order, n, &v->fails);
	}
	return 0;
}

static bool
pair_usable(const struct pair_var *v)
{
	if (v->kind == PK_LLFREE)
		return v->llf != NULL;
	return v->bp == NULL || bp_usable(v->bp);
}

/*
 * Bound a slow variant's run to RUN_BUDGET_NS (a 2 MiB aligned rte_malloc
 * costs 100+ us): a probe of PROBE_OBJS objects gives its cost per object.
 */
static void
pair_calibrate(struct pair_var *v)
{
	double per_obj, budget = bench_opt.quick ? RUN_BUDGET_NS / 10 :
		RUN_BUDGET_NS;
	uint64_t fit;

	per_obj = (double)pair_run(v, PROBE_OBJS) * bench_tsc_ns / PROBE_OBJS;
	if (per_obj * (double)v->n <= budget)
		return;
	fit = RTE_ALIGN_FLOOR((uint64_t)(budget / per_obj), BULK);
	v->n = RTE_MAX(fit, (uint64_t)PROBE_OBJS);
}

/* bench_round_robin() callbacks */

static bool
pair_rr_usable(void *ctx, const void *var)
{
	RTE_SET_USED(ctx);
	return pair_usable(var);
}

static void
pair_rr_warm_up(void *ctx, void *var)
{
	struct pair_var *v = var;

	RTE_SET_USED(ctx);
	pair_calibrate(v);
	pair_run(v, RTE_MAX(v->n / 10, (uint64_t)BULK));
}

static void
pair_rr_run(void *ctx, void *var, unsigned int r)
{
	struct pair_var *v = var;

	RTE_SET_USED(ctx);
	v->ns[r] = (double)pair_run(v, v->n) * bench_tsc_ns / (double)v->n;
}

/*
 * Run the variants round-robin, `runs` rounds after a warm-up, and turn
 * each variant's runs into a figure.
 */
void
pair_measure(const char *section, struct pair_var *vars, unsigned int nv,
		unsigned int runs)
{
	const struct bench_rr rr = {
		.vars = vars,
		.size = sizeof(*vars),
		.nv = nv,
		.runs = runs,
		.usable = pair_rr_usable,
		.warm_up = pair_rr_warm_up,
		.run = pair_rr_run,
	};
	unsigned int j;

	bench_round_robin(&rr);
	for (j = 0; j < nv; j++) {
		struct pair_var *v = &vars[j];
		bool ok = variant_ok(v->name, v->fails);

		v->fig = figure_add(section, v->name, v->unit, v->ns, runs,
				pair_usable(v) && ok, v->ref);
	}
}

struct pair_var *
pair_add(struct pair_var *vars, unsigned int *nv, const char *name,
		const char *unit, enum pair_kind kind, struct bench_pool *bp,
		uint64_t n, double ref)
{
	struct pair_var *v = &vars[(*nv)++];

	memset(v, 0, sizeof(*v));
	fmt_label(v->name, sizeof(v->name), "%s", name);
	v->unit = unit;
	v->kind = kind;
	v->bp = bp;
	v->n = n;
	v->ref = ref;
	return v;
}

const struct figure *
pair_fig(const struct pair_var *vars, unsigned int nv, const char *name)
{
	unsigned int j;

	for (j = 0; j < nv; j++)
		if (strcmp(vars[j].name, name) == 0)
			return vars[j].fig;
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Section 1: grab+free pairs on one lcore                          */

enum { P_LAB_C, P_LAB_SCAT, P_LAB_SC, P_LAB_NC, P_LAB_SNC, P_RING_C,
	P_RING_NC, P_STACK_C, P_STACK_NC, P_NB };

/* The order variants' names: "labyrinth %sorder %u (%u KiB)", default
 * pool (P_LAB_NC) then strict (P_LAB_SNC). */
static const char * const order_kind[] = { "", "strict " };

static void
pair_pools_create(struct bench_pool *pools)
{
	pools[P_LAB_C].lab = lab_create("bench_c", PAGE_4K, POOL_PAGES, CACHE);
	/* Its own pool: the scattered cache would be the others' too. */
	pools[P_LAB_SCAT].lab = lab_create("bench_scat", PAGE_4K, POOL_PAGES,
			CACHE);
	pools[P_LAB_SC].lab = lab_create_flags("bench_sc", PAGE_4K, POOL_PAGES,
			CACHE, LABYRINTH_F_STRICT);
	pools[P_LAB_NC].lab = lab_create("bench_nc", PAGE_4K, POOL_PAGES, 0);
	pools[P_LAB_SNC].lab = lab_create_flags("bench_snc", PAGE_4K,
			POOL_PAGES, 0, LABYRINTH_F_STRICT);
	pools[P_RING_C].mp = mp_create("bench_ring_c", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, CACHE);
	pools[P_RING_NC].mp = mp_create("bench_ring_nc", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, 0);
	pools[P_STACK_C].mp = mp_create("bench_stack_c", "stack", POOL_OBJS,
			PAGE_4K, CACHE);
	pools[P_STACK_NC].mp = mp_create("bench_stack_nc", "stack",
			POOL_OBJS, PAGE_4K, 0);
}

/*
 * The labyrinth's variants: one by one, bulk, and by order; each default
 * one followed by its strict one (LABYRINTH_F_STRICT), but for the
 * scattered bulk (a strict pool's bulk never takes the run loops).
 */
static void
pair_add_labyrinth(struct pair_var *vars, unsigned int *nv,
		struct bench_pool *pools, uint64_t n)
{
	struct pair_var *v;
	char name[80];
	unsigned int o, s;

	pair_add(vars, nv, "labyrinth cache 256", "ns/pair", PK_POOL,
			&pools[P_LAB_C], n, NAN);
	pair_add(vars, nv, "labyrinth strict cache 256", "ns/pair", PK_POOL,
			&pools[P_LAB_SC], n, NAN);
	pair_add(vars, nv, "labyrinth no cache", "ns/pair", PK_POOL,
			&pools[P_LAB_NC], n, NAN);
	pair_add(vars, nv, "labyrinth strict no cache", "ns/pair", PK_POOL,
			&pools[P_LAB_SNC], n, NAN);
	pair_add(vars, nv, "labyrinth bulk 32, cache 256", "ns/page",
			PK_LAB_BULK, &pools[P_LAB_C], n, NAN);
	pair_add(vars, nv, "labyrinth bulk 32 scattered, cache 256",
			"ns/page", PK_LAB_BULK_SCATTERED, &pools[P_LAB_SCAT], n,
			NAN);
	pair_add(vars, nv, "labyrinth strict bulk 32, cache 256", "ns/page",
			PK_LAB_BULK, &pools[P_LAB_SC], n, NAN);
	pair_add(vars, nv, "labyrinth bulk 32, no cache", "ns/page",
			PK_LAB_BULK, &pools[P_LAB_NC], n, NAN);
	pair_add(vars, nv, "labyrinth strict bulk 32, no cache", "ns/page",
			PK_LAB_BULK, &pools[P_LAB_SNC], n, NAN);
	for (o = 0; o <= LABYRINTH_MAX_ORDER; o++) {
		for (s = 0; s < RTE_DIM(order_kind); s++) {
			fmt_label(name, sizeof(name),
				"labyrinth %sorder %u (%u KiB)",
				order_kind[s], o, (PAGE_4K << o) / 1024);
			v = pair_add(vars, nv, name, "ns/block", PK_LAB_ORDER,
					&pools[s ? P_LAB_SNC : P_LAB_NC], n,
					NAN);
			v->order = o;
		}
	}
}

/* The anchors: rte_mempool one by one and bulk. */
static void
pair_add_mempool(struct pair_var *vars, unsigned int *nv,
		struct bench_pool *pools, uint64_t n)
{
	pair_add(vars, nv, "mempool ring_mp_mc cache 256", "ns/pair",
			PK_POOL, &pools[P_RING_C], n, 6.7);
	pair_add(vars, nv, "mempool ring_mp_mc cache 0", "ns/pair", PK_POOL,
			&pools[P_RING_NC], n, 18.7);
	pair_add(vars, nv, "mempool stack cache 256", "ns/pair", PK_POOL,
			&pools[P_STACK_C], n, NAN);
	pair_add(vars, nv, "mempool stack cache 0", "ns/pair", PK_POOL,
			&pools[P_STACK_NC], n, NAN);
	pair_add(vars, nv, "mempool ring_mp_mc bulk 32, cache 256",
			"ns/object", PK_MP_BULK, &pools[P_RING_C], n, 0.6);
	pair_add(vars, nv, "mempool ring_mp_mc bulk 32, cache 0",
			"ns/object", PK_MP_BULK, &pools[P_RING_NC], n, NAN);
	pair_add(vars, nv, "mempool stack bulk 32, cache 256", "ns/object",
			PK_MP_BULK, &pools[P_STACK_C], n, NAN);
	pair_add(vars, nv, "mempool stack bulk 32, cache 0", "ns/object",
			PK_MP_BULK, &pools[P_STACK_NC], n, NAN);
}

/* The heaps: rte_malloc plain and aligned as each order, glibc. */
static void
pair_add_malloc(struct pair_var *vars, unsigned int *nv, uint64_t n)
{
	struct pair_var *v;
	char name[80];
	unsigned int o;

	v = pair_add(vars, nv, "rte_malloc 4 KiB", "ns/pair", PK_RTE_MALLOC,
			NULL, n, 177);
	v->size = PAGE_4K;
	for (o = 0; o <= LABYRINTH_MAX_ORDER; o++) {
		fmt_label(name, sizeof(name), "rte_malloc %u KiB aligned",
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, nv, name, "ns/pair", PK_RTE_MALLOC, NULL,
				n, NAN);
		v->size = v->align = (size_t)PAGE_4K << o;
	}
	v = pair_add(vars, nv, "glibc malloc 4 KiB", "ns/pair", PK_LIBC,
			NULL, n, NAN);
	v->size = PAGE_4K;
}

/* The figure of the variant called name, anchored to the better of two. */
static void
pair_vs_best(const struct pair_var *vars, unsigned int nv, const char *name,
		const char *a, const char *b)
{
	struct figure *f = (struct figure *)pair_fig(vars, nv, name);

	figure_vs(f, figure_best(pair_fig(vars, nv, a),
			b != NULL ? pair_fig(vars, nv, b) : NULL));
}

/* Ratios, each to the best relevant anchor (by name). */
static void
pair_ratios(struct pair_var *vars, unsigned int nv)
{
	static const char * const cached[] = { "labyrinth cache 256",
		"labyrinth strict cache 256" };
	static const char * const bulk[] = { "labyrinth bulk 32, cache 256",
		"labyrinth strict bulk 32, cache 256",
		"labyrinth bulk 32 scattered, cache 256" };
	static const char * const nocache[] = { "labyrinth no cache",
		"labyrinth strict no cache" };
	static const char * const bulk_nocache[] = {
		"labyrinth bulk 32, no cache",
		"labyrinth strict bulk 32, no cache" };
	char name[80], anchor[80];
	unsigned int i, o;

	for (i = 0; i < RTE_DIM(cached); i++)
		pair_vs_best(vars, nv, cached[i], "mempool ring_mp_mc cache 256",
			"mempool stack cache 256");
	for (i = 0; i < RTE_DIM(bulk); i++)
		pair_vs_best(vars, nv, bulk[i],
			"mempool ring_mp_mc bulk 32, cache 256",
			"mempool stack bulk 32, cache 256");
	for (i = 0; i < RTE_DIM(nocache); i++)
		pair_vs_best(vars, nv, nocache[i],
			"mempool ring_mp_mc cache 0", "mempool stack cache 0");
	for (i = 0; i < RTE_DIM(bulk_nocache); i++)
		pair_vs_best(vars, nv, bulk_nocache[i],
			"mempool ring_mp_mc bulk 32, cache 0",
			"mempool stack bulk 32, cache 0");
	for (o = 0; o <= LABYRINTH_MAX_ORDER; o++) {
		fmt_label(anchor, sizeof(anchor), "rte_malloc %u KiB aligned",
			(PAGE_4K << o) / 1024);
		for (i = 0; i < RTE_DIM(order_kind); i++) {
			fmt_label(name, sizeof(name),
				"labyrinth %sorder %u (%u KiB)",
				order_kind[i], o, (PAGE_4K << o) / 1024);
			pair_vs_best(vars, nv, name, anchor, NULL);
		}
	}
}

static void
pair_print(const struct pair_var *vars, unsigned int nv,
		const struct figure *llf0)
{
	const struct figure *lnc = pair_fig(vars, nv, "labyrinth no cache");
	unsigned int i;

	print_table_head("1. grab+free pair, 1 lcore (median of runs; "
		"ratio < 1 means labyrinth is faster)");
	for (i = 0; i < nv; i++)
		print_figure(vars[i].fig);
	if (llf0 == NULL)
		printf("%-52s %9s\n", LLFREE_ORDER0, "not found");
	else if (lnc->valid && llf0->valid)
		printf("labyrinth no cache / %s: %.2fx\n", LLFREE_ORDER0,
			lnc->med / llf0->med);
}

static void
pair_targets(const struct pair_var *vars, unsigned int nv)
{
	const struct figure *lc = pair_fig(vars, nv, "labyrinth cache 256");
	const struct figure *lnc = pair_fig(vars, nv, "labyrinth no cache");
	const struct figure *malloc4k = pair_fig(vars, nv, "rte_malloc 4 KiB");
	const struct figure *a;

	a = figure_best(pair_fig(vars, nv, "mempool ring_mp_mc cache 256"),
			pair_fig(vars, nv, "mempool stack cache 256"));
	target_add("pair: cached pair / best cached rte_mempool pair",
		lc->valid && a != NULL ? lc->med / a->med : NAN, true, 1.0);
	a = pair_fig(vars, nv, "mempool ring_mp_mc cache 0");
	target_add("pair: cache-less pair / ring_mp_mc cache 0 pair",
		lnc->valid && a->valid ? lnc->med / a->med : NAN, true, 0.7);
	target_add("pair: rte_malloc 4 KiB / cached pair (speed-up)",
		lc->valid && malloc4k->valid ? malloc4k->med / lc->med : NAN,
		false, 20.0);
}

static void
section_pair(void)
{
	struct bench_pool pools[P_NB] = {
		[P_LAB_C] = { .name = "labyrinth cache 256" },
		[P_LAB_SCAT] = { .name = "labyrinth cache 256, scattered" },
		[P_LAB_SC] = { .name = "labyrinth strict cache 256" },
		[P_LAB_NC] = { .name = "labyrinth no cache" },
		[P_LAB_SNC] = { .name = "labyrinth strict no cache" },
		[P_RING_C] = { .name = "mempool ring_mp_mc cache 256" },
		[P_RING_NC] = { .name = "mempool ring_mp_mc cache 0" },
		[P_STACK_C] = { .name = "mempool stack cache 256" },
		[P_STACK_NC] = { .name = "mempool stack cache 0" },
	};
	struct pair_var vars[64], *v;
	const struct figure *llf0 = NULL;
	struct llfree_peer *llf;
	unsigned int nv = 0;
	uint64_t n = bench_opt.n;

	pair_pools_create(pools);
	pair_add_labyrinth(vars, &nv, pools, n);
	pair_add_mempool(vars, &nv, pools, n);
	pair_add_malloc(vars, &nv, n);
	/* LLFree's order 0 (no cache either), when it was built */
	llf = llfree_peer_open(POOL_PAGES);
	if (llf != NULL) {
		v = pair_add(vars, &nv, LLFREE_ORDER0, "ns/pair", PK_LLFREE,
				NULL, n, NAN);
		v->llf = llf;
	}

	pair_measure("pair", vars, nv, bench_opt.runs);
	if (llf != NULL)
		llf0 = pair_fig(vars, nv, LLFREE_ORDER0);
	pair_ratios(vars, nv);
	pair_print(vars, nv, llf0);
	pair_targets(vars, nv);

	bp_free_all(pools, P_NB);
	llfree_peer_close(llf, POOL_PAGES);
}

const struct bench_section bench_pair_section = {
	.name = "pair",
	.run = section_pair,
};
