/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Section 2, "empty": ns per failed grab on an empty pool of 1 Ki .. 1 Mi
 * pages, every page held, beside an empty ring_mp_mc mempool; default
 * and strict (LABYRINTH_F_STRICT) pools.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "bench_priv.h"

#define EMPTY_RING_OBJS 1023u   /* objects of the empty-ring anchor */

static const uint32_t sizes[] = { 1u << 10, 1u << 16, 1u << 20 };

/* The labyrinths: each mode in every size. The default pools come first:
 * the targets are theirs (empty_targets()). */
static const struct {
	const char *name;
	uint32_t cache;
	uint32_t flags;
} modes[] = {
	{ "no cache", 0, 0 },
	{ "cache 256", CACHE, 0 },
	{ "strict no cache", 0, LABYRINTH_F_STRICT },
	{ "strict cache 256", CACHE, LABYRINTH_F_STRICT },
};

/* The variants of the default pools (modes 0 and 1). */
#define NB_EMPTY_DEFAULT (2 * RTE_DIM(sizes))

/* The labyrinths of each mode and size, then the two empty rings: the
 * rings are the last two variants. */
#define NB_EMPTY_VARS (RTE_DIM(modes) * RTE_DIM(sizes) + 2)

struct empty_var {
	char name[80];
	struct bench_pool bp;
	uint32_t nb_pages;
	void **held;         /* every page or object, held during the runs */
	uint64_t nb_held;
	uint64_t fails;      /* grabs that unexpectedly succeeded */
	double ns[MAX_RUNS];
	struct figure *fig;
};

/* 8< empty loop */
static __rte_always_inline uint64_t
empty_loop(const struct bench_pool *bp, uint64_t n, uint64_t *fails,
		const bool lab)
{
	uint64_t i, bad = 0, t0;

	t0 = rte_rdtsc_precise();
	for (i = 0; i < n; i++) {
		void *p = bp_get(bp, lab);

		if (unlikely(p != NULL)) {
			bad++;
			bp_put(bp, p, lab);
		}
	}
	*fails += bad;
	return rte_rdtsc_precise() - t0;
}
/* >8 empty loop */

static uint64_t
empty_run(struct empty_var *v, uint64_t n)
{
	if (v->bp.lab != NULL)
		return empty_loop(&v->bp, n, &v->fails, true);
	return empty_loop(&v->bp, n, &v->fails, false);
}

/* Take every page: bulks first, then one by one (bulk is all or none). */
static int
empty_drain(struct empty_var *v, uint64_t total)
{
	void *p;

	v->held = malloc(total * sizeof(*v->held));
	if (v->held == NULL)
		return -ENOMEM;
	v->nb_held = 0;
	if (v->bp.lab != NULL) {
		while (v->nb_held + BULK <= total &&
				labyrinth_alloc_bulk(v->bp.lab,
					LABYRINTH_GFP_NORMAL,
					&v->held[v->nb_held], BULK) == BULK)
			v->nb_held += BULK;
	}
	while (v->nb_held < total) {
		p = bp_get(&v->bp, v->bp.lab != NULL);
		if (p == NULL)
			break;
		v->held[v->nb_held++] = p;
	}
	if (v->nb_held != total) {
		printf("note: %s: only %" PRIu64 " of %" PRIu64
			" could be taken\n", v->name, v->nb_held, total);
		return -ENOSPC;
	}
	return 0;
}

static void
empty_release(struct empty_var *v)
{
	uint64_t i;

	if (v->held == NULL)
		return;
	if (v->bp.lab != NULL)
		labyrinth_free_bulk(v->bp.lab, v->held,
			(unsigned int)v->nb_held);
	else
		for (i = 0; i < v->nb_held; i++)
			rte_mempool_put(v->bp.mp, v->held[i]);
	free(v->held);
	v->held = NULL;
}

/* Create every pool and empty it; returns the number of variants. */
static unsigned int
empty_vars_create(struct empty_var *vars)
{
	unsigned int nv = 0, i, c;
	char name[40];

	memset(vars, 0, NB_EMPTY_VARS * sizeof(*vars));
	for (c = 0; c < RTE_DIM(modes); c++) {
		for (i = 0; i < RTE_DIM(sizes); i++) {
			struct empty_var *v = &vars[nv++];

			fmt_label(v->name, sizeof(v->name),
				"labyrinth %s, %u Ki pages of 64 B",
				modes[c].name, sizes[i] >> 10);
			fmt_label(name, sizeof(name), "bench_e%u_%u", c, i);
			v->nb_pages = sizes[i];
			v->bp.lab = lab_create_flags(name,
					LABYRINTH_PAGE_SIZE_MIN, sizes[i],
					modes[c].cache, modes[c].flags);
			if (v->bp.lab != NULL && empty_drain(v, sizes[i]) != 0)
				v->fails++;
		}
	}
	for (c = 0; c < 2; c++) {
		struct empty_var *v = &vars[nv++];

		fmt_label(v->name, sizeof(v->name),
			"mempool ring_mp_mc cache %u, empty", c ? CACHE : 0);
		v->bp.mp = mp_create(c ? "bench_empty_c" : "bench_empty_nc",
				"ring_mp_mc", EMPTY_RING_OBJS,
				LABYRINTH_PAGE_SIZE_MIN, c ? CACHE : 0);
		if (v->bp.mp != NULL && empty_drain(v, EMPTY_RING_OBJS) != 0)
			v->fails++;
	}
	return nv;
}

/* bench_round_robin() callbacks */

static bool
empty_rr_usable(void *ctx, const void *var)
{
	const struct empty_var *v = var;

	RTE_SET_USED(ctx);
	return bp_usable(&v->bp);
}

static void
empty_rr_warm_up(void *ctx, void *var)
{
	RTE_SET_USED(ctx);
	empty_run(var, bench_opt.n / 10);
}

static void
empty_rr_run(void *ctx, void *var, unsigned int r)
{
	struct empty_var *v = var;

	RTE_SET_USED(ctx);
	v->ns[r] = (double)empty_run(v, bench_opt.n) * bench_tsc_ns /
		(double)bench_opt.n;
}

/* Figures, and the ratio of each labyrinth to the cache-less ring. */
static void
empty_figures(struct empty_var *vars, unsigned int nv)
{
	unsigned int j;

	for (j = 0; j < nv; j++) {
		struct empty_var *v = &vars[j];

		if (v->fails != 0) {
			printf("error: %s: the pool was not empty\n", v->name);
			bench_nb_failed++;
		}
		v->fig = figure_add("empty", v->name, "ns/fail", v->ns,
				bench_opt.runs,
				bp_usable(&v->bp) && v->fails == 0,
				j == nv - 2 ? 4.8 : NAN);
	}
	for (j = 0; j < nv - 2; j++)
		figure_vs(vars[j].fig, vars[nv - 2].fig);
}

/* Of the default pools only: the strict ones are not in the targets. */
static void
empty_targets(const struct empty_var *vars, unsigned int nv)
{
	const struct figure *ring = vars[nv - 2].fig;
	double worst = 0, lo[2] = { INFINITY, INFINITY }, hi[2] = { 0, 0 };
	bool all_valid = true;
	unsigned int j, c;

	for (j = 0; j < NB_EMPTY_DEFAULT; j++) {
		const struct figure *f = vars[j].fig;

		c = j / RTE_DIM(sizes);
		if (!f->valid) {
			all_valid = false;
			continue;
		}
		worst = RTE_MAX(worst, f->med);
		lo[c] = RTE_MIN(lo[c], f->med);
		hi[c] = RTE_MAX(hi[c], f->med);
	}
	target_add("empty: slowest failed grab / empty ring_mp_mc get",
		all_valid && ring->valid ? worst / ring->med : NAN, true, 1.5);
	target_add("empty: flat, no cache: slowest / fastest of 1Ki..1Mi",
		all_valid ? hi[0] / lo[0] : NAN, true, 1.25);
	target_add("empty: flat, cache 256: slowest / fastest of 1Ki..1Mi",
		all_valid ? hi[1] / lo[1] : NAN, true, 1.25);
}

static void
section_empty(void)
{
	struct empty_var vars[NB_EMPTY_VARS];
	struct bench_rr rr = {
		.vars = vars,
		.size = sizeof(vars[0]),
		.runs = bench_opt.runs,
		.usable = empty_rr_usable,
		.warm_up = empty_rr_warm_up,
		.run = empty_rr_run,
	};
	unsigned int nv, j;

	nv = empty_vars_create(vars);
	rr.nv = nv;
	bench_round_robin(&rr);
	empty_figures(vars, nv);

	print_table_head("2. failed grab on an empty pool, 1 lcore (all pages "
		"held, GFP_NORMAL)");
	for (j = 0; j < nv; j++)
		print_figure(vars[j].fig);
	empty_targets(vars, nv);

	for (j = 0; j < nv; j++) {
		empty_release(&vars[j]);
		bp_free_all(&vars[j].bp, 1);
	}
}

const struct bench_section bench_empty_section = {
	.name = "empty",
	.run = section_empty,
};
