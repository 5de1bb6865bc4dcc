/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Section 3, "scale": aggregate grab+free pairs on 1, 2 (4, 8) lcores,
 * with local and with remote frees. The lcores themselves are in
 * bench_scale_run.c.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>

#include "bench_priv.h"

#define SCALE_BUDGET_NS 100e6   /* longest timed scale run */

/* Each labyrinth is followed, here or after other labyrinths, by the
 * mempool it is compared with (scale_figures()). */
enum { S_LAB_SNC, S_LAB_NC, S_RING_NC, S_LAB_SC, S_LAB_C, S_RING_C, S_NB };

static const unsigned int ks[] = { 1, 2, 4, 8 };

/* What every run of the section shares (the runner's ctx). */
struct scale_ctx {
	uint64_t total;      /* most pairs of a run, all lcores */
	uint64_t limit;      /* ns a run may last, about */
};

static void
scale_pools_create(struct bench_pool *pools)
{
	unsigned int p;

	pools[S_LAB_NC].lab = lab_create("bench_s_nc", PAGE_4K, POOL_PAGES, 0);
	pools[S_LAB_SNC].lab = lab_create_flags("bench_s_snc", PAGE_4K,
			POOL_PAGES, 0, LABYRINTH_F_STRICT);
	pools[S_LAB_C].lab = lab_create("bench_s_c", PAGE_4K, POOL_PAGES,
			CACHE);
	pools[S_LAB_SC].lab = lab_create_flags("bench_s_sc", PAGE_4K,
			POOL_PAGES, CACHE, LABYRINTH_F_STRICT);
	pools[S_RING_NC].mp = mp_create("bench_s_ring_nc", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, 0);
	pools[S_RING_C].mp = mp_create("bench_s_ring_c", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, CACHE);
	for (p = 0; p < S_NB; p++)
		if (pools[p].ref_ns == 0)
			pools[p].ref_ns = NAN;
}

/*
 * Every pool on every k of ks[] that there are lcores for, local frees
 * first, then remote (k >= 2). Each labyrinth is followed by its mempool
 * counterpart, each strict one by the default one first. Returns the
 * number of variants.
 */
static unsigned int
scale_vars_add(struct scale_var *vars, struct bench_pool *pools,
		unsigned int nb_lcores)
{
	unsigned int nv = 0, p, i, m;

	for (m = 0; m < 2; m++) {
		for (i = 0; i < RTE_DIM(ks); i++) {
			if (ks[i] > nb_lcores || (m == 1 && ks[i] < 2))
				continue;
			for (p = 0; p < S_NB; p++) {
				struct scale_var *v = &vars[nv++];

				v->bp = &pools[p];
				v->k = ks[i];
				v->remote = m == 1;
				fmt_label(v->name, sizeof(v->name),
					"%s, %u lcore%s%s", pools[p].name,
					ks[i], ks[i] > 1 ? "s" : "",
					m ? ", remote free" : "");
			}
		}
	}
	return nv;
}

/* bench_round_robin() callbacks */

static bool
scale_rr_usable(void *ctx, const void *var)
{
	const struct scale_var *v = var;

	RTE_SET_USED(ctx);
	return bp_usable(v->bp);
}

static void
scale_rr_warm_up(void *ctx, void *var)
{
	const struct scale_ctx *c = ctx;
	uint64_t done;

	scale_run(var, c->total / 10, c->limit / 10, &done);
}

static void
scale_rr_run(void *ctx, void *var, unsigned int r)
{
	const struct scale_ctx *c = ctx;
	struct scale_var *v = var;
	uint64_t done;
	double ns;

	ns = (double)scale_run(v, c->total, c->limit, &done) * bench_tsc_ns;
	if (bench_opt.verbose)
		printf("  %s: run %u: %.1f ms, %" PRIu64 " pairs\n", v->name,
			r, ns / 1e6, done);
	if (done < c->total / v->k * v->k)
		v->cut++;
	done = RTE_MAX(done, (uint64_t)1);
	v->mops[r] = (double)done * 1e3 / ns;
	v->nsop[r] = ns * v->k / (double)done;
}

/* Two figures a variant; labyrinth to its mempool, same k and mode. */
static void
scale_figures(struct scale_var *vars, unsigned int nv)
{
	unsigned int j;

	for (j = 0; j < nv; j++) {
		struct scale_var *v = &vars[j];
		bool ok = variant_ok(v->name, v->fails) && bp_usable(v->bp);

		v->fig_mops = figure_add("scale", v->name, "Mpairs/s",
				v->mops, bench_opt.runs, ok, NAN);
		v->fig_ns = figure_add("scale", v->name, "ns/pair", v->nsop,
				bench_opt.runs, ok,
				v->k == 2 && !v->remote ? v->bp->ref_ns : NAN);
	}
	for (j = 0; j < nv; j++) {
		unsigned int q = j + 1;

		if (vars[j].bp->lab == NULL)
			continue;
		/* The next mempool variant: same k and mode. */
		while (q < nv && vars[q].bp->lab != NULL)
			q++;
		if (q < nv)
			figure_vs(vars[j].fig_ns, vars[q].fig_ns);
	}
}

static void
scale_print(const struct scale_var *vars, unsigned int nv,
		unsigned int nb_lcores, unsigned int nb_cpus, bool shared)
{
	unsigned int j;

	printf("\n== 3. scaling: aggregate grab+free pairs over lcores "
		"(ns/pair is per lcore) ==\n");
	printf("lcores: %u on %u CPUs%s\n", nb_lcores, nb_cpus,
		shared ? " (lcores share CPUs: oversubscribed, not "
		"pinned; idle remote-free rounds yield the CPU)" :
		" (pinned)");
	print_columns();
	for (j = 0; j < nv; j++) {
		print_figure(vars[j].fig_mops);
		print_figure(vars[j].fig_ns);
	}
}

/* The 1-lcore variant of v's pool, NULL if none. */
static const struct scale_var *
scale_one_lcore(const struct scale_var *vars, unsigned int nv,
		const struct scale_var *v)
{
	const struct scale_var *one = NULL;
	unsigned int q;

	for (q = 0; q < nv; q++)
		if (vars[q].bp == v->bp && vars[q].k == 1)
			one = &vars[q];
	return one;
}

/*
 * Aggregate vs 1 lcore of the same pool, paired: round r's k-lcore run
 * against round r's 1-lcore run; the target is for pinned lcores
 * (-l 0-1).
 */
static void
scale_aggregates(const struct scale_var *vars, unsigned int nv,
		const struct bench_pool *lab_nc, bool shared)
{
	unsigned int j, r;

	printf("aggregate vs 1 lcore of the same pool (median of the per-round "
		"ratios):\n");
	for (j = 0; j < nv; j++) {
		const struct scale_var *v = &vars[j], *one;
		double ratio[MAX_RUNS];
		struct figure *f;

		if (v->k == 1)
			continue;
		one = scale_one_lcore(vars, nv, v);
		if (one == NULL)
			continue;
		for (r = 0; r < bench_opt.runs; r++)
			ratio[r] = v->mops[r] / one->mops[r];
		f = figure_add("scale", v->name, "x 1 lcore", ratio,
				bench_opt.runs,
				v->fig_mops->valid && one->fig_mops->valid,
				NAN);
		print_figure(f);
		if (v->k == 2 && !v->remote && v->bp == lab_nc && !shared)
			target_add("scale: cache-less 2-lcore aggregate / "
				"1 lcore", f->med, false, 1.8);
	}
}

static void
scale_print_cut(const struct scale_var *vars, unsigned int nv,
		const struct scale_ctx *c)
{
	unsigned int j;

	for (j = 0; j < nv; j++)
		if (vars[j].cut != 0)
			printf("  time-limited: %s: %u of %u runs stopped at "
				"%.0f ms before %" PRIu64 " pairs\n",
				vars[j].name, vars[j].cut, bench_opt.runs,
				(double)c->limit / 1e6, c->total);
}

static void
section_scale(void)
{
	struct bench_pool pools[S_NB] = {
		[S_LAB_SNC] = { .name = "labyrinth strict no cache" },
		[S_LAB_NC] = { .name = "labyrinth no cache" },
		[S_RING_NC] = { .name = "mempool ring_mp_mc cache 0",
				.ref_ns = 141 },
		[S_LAB_SC] = { .name = "labyrinth strict cache 256" },
		[S_LAB_C] = { .name = "labyrinth cache 256" },
		[S_RING_C] = { .name = "mempool ring_mp_mc cache 256" },
	};
	struct scale_var vars[S_NB * RTE_DIM(ks) * 2];
	struct scale_ctx ctx = {
		.total = bench_opt.n_scale,
		.limit = (uint64_t)(bench_opt.quick ? SCALE_BUDGET_NS / 10 :
			SCALE_BUDGET_NS),
	};
	struct bench_rr rr = {
		.vars = vars,
		.size = sizeof(vars[0]),
		.runs = bench_opt.runs,
		.ctx = &ctx,
		.usable = scale_rr_usable,
		.warm_up = scale_rr_warm_up,
		.run = scale_rr_run,
	};
	unsigned int nb_lcores = rte_lcore_count(), nb_cpus;
	bool shared;

	nb_cpus = scale_count_cpus(&shared);
	if (nb_lcores < 2)
		printf("\nnote: scale: 1 lcore only; run with -l 0-1 for 2 "
			"lcores, --lcores '(0-7)@(0,1)' for 4 and 8\n");
	scale_setup(nb_lcores);
	scale_pools_create(pools);
	memset(vars, 0, sizeof(vars));
	rr.nv = scale_vars_add(vars, pools, nb_lcores);

	bench_round_robin(&rr);
	scale_figures(vars, rr.nv);
	scale_print(vars, rr.nv, nb_lcores, nb_cpus, shared);
	scale_aggregates(vars, rr.nv, &pools[S_LAB_NC], shared);
	scale_print_cut(vars, rr.nv, &ctx);

	bp_free_all(pools, S_NB);
	scale_teardown();
}

const struct bench_section bench_scale_section = {
	.name = "scale",
	.run = section_scale,
};
