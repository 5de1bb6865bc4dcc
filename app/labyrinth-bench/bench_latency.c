/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Section 4, "latency": the distribution of single grabs, TSC per grab,
 * with p50, p99, p99.9 and max as medians over runs, and (--cdf) the
 * pooled CDF of every variant.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "bench_priv.h"

#define LAT_BATCH 32            /* grabs timed one by one, then freed */
#define HIST_CYCLES 65536u      /* latency histogram: one bucket a cycle */
#define NB_PCT 4                /* p50, p99, p99.9, max */

/* The first two labyrinths pair with the mempool L_RING_C places on;
 * the strict ones with the mempool of their cache size (lat_ratios()). */
enum { L_LAB_C, L_LAB_NC, L_RING_C, L_RING_NC, L_LAB_SC, L_LAB_SNC, L_NB };

struct lat_var {
	char name[80];
	struct bench_pool *bp;   /* NULL: the timer alone */
	uint64_t fails;
	uint64_t *hist;          /* all runs, for the CDF */
	double pct[NB_PCT][MAX_RUNS]; /* p50, p99, p99.9, max in ns */
	double first[MAX_RUNS];  /* % of the samples above p99 that were
				  * the first grab of their batch */
	struct figure *fig[NB_PCT];
	struct figure *first_fig;
};

/*
 * The samples of a run (the runner's ctx): stored one by one into a
 * buffer of one 4 KiB page, folded into a histogram of cycles and the
 * largest when it is full and at the end of the run, untimed. Not a
 * buffer of all n samples: its stores crossed a page every 1024 samples
 * and the page walk landed in the next timed grab, one in 1024, exactly
 * the p99.9 this section reports (25-180 ns where the grab's own tail is
 * 10-16 ns, the median of 9 runs moving 2x from run to run); and its
 * 4 MB streamed through the second-level cache, evicting the map's lines
 * (the cache-less p99.9: 180-350 ns, 30-48 ns without). A fold disturbs
 * about one timed grab in 2000, below the p99.9.
 */
#define LAT_CHUNK 1024u         /* samples of the buffer: one 4 KiB page */
_Static_assert(LAT_CHUNK % LAT_BATCH == 0, "whole batches a buffer");

/*
 * A coarse histogram per place in a batch (POS_CYCLES buckets of a cycle,
 * the last one for longer samples): which grabs of a batch the tail is
 * made of. The first one's share of the samples above p99 is a figure
 * ("first of batch above p99"): about 1 in 32 if the tail falls anywhere.
 * Before the fence after the untimed frees (lat_loop()), it was 37-96 %
 * for the cached pools, rte_mempool's too: the first timed grab began
 * before the frees had finished. (A default cache-less labyrinth's first
 * grab after its frees takes another path, the page its last free put
 * back: 20-50 % there, its own.)
 */
#define POS_CYCLES 256u

struct lat_ctx {
	uint32_t *buf;           /* LAT_CHUNK samples, fill of them taken */
	unsigned int fill;
	uint32_t *hist;          /* HIST_CYCLES buckets of one run */
	uint32_t (*pos)[POS_CYCLES]; /* LAT_BATCH coarse histograms */
	uint64_t max;            /* the run's largest sample, in cycles */
	uint64_t n;              /* samples of a timed run */
};

/*
 * Everything before done, stores included, before the next rte_rdtsc():
 * a full fence, then (x86) LFENCE, without which RDTSC may still run
 * ahead of the fence's completion (Intel SDM, RDTSC: "MFENCE; LFENCE").
 */
static __rte_always_inline void
lat_settle(void)
{
	rte_mb();
#ifdef RTE_ARCH_X86
	__builtin_ia32_lfence();
#endif
}

/* Fold the buffered samples into the run's histogram and maximum. */
static void
lat_fold(struct lat_ctx *c)
{
	unsigned int i;

	for (i = 0; i < c->fill; i++) {
		c->hist[RTE_MIN(c->buf[i], HIST_CYCLES - 1)]++;
		c->pos[i % LAT_BATCH][RTE_MIN(c->buf[i], POS_CYCLES - 1)]++;
		c->max = RTE_MAX(c->max, (uint64_t)c->buf[i]);
	}
	c->fill = 0;
}

/* Where the next LAT_BATCH samples go: the buffer, folded first if full. */
static __rte_always_inline uint32_t *
lat_next(struct lat_ctx *c)
{
	uint32_t *cyc;

	if (unlikely(c->fill == LAT_CHUNK)) {
		lat_fold(c);
		/* the fold done before the next timed grab */
		lat_settle();
	}
	cyc = &c->buf[c->fill];
	c->fill += LAT_BATCH;
	return cyc;
}

static const double lat_q[3] = { 0.50, 0.99, 0.999 };
static const char * const lat_label[NB_PCT] = { "p50", "p99", "p99.9",
	"max" };

/* 8< latency loop */
static __rte_always_inline void
lat_loop(const struct bench_pool *bp, struct lat_ctx *c, uint64_t n,
		uint64_t *fails, const bool lab)
{
	void *pages[LAT_BATCH];
	uint64_t done, bad = 0, t0;
	unsigned int i;

	for (done = 0; done < n; done += LAT_BATCH) {
		uint32_t *cyc = lat_next(c);

		for (i = 0; i < LAT_BATCH; i++) {
			t0 = rte_rdtsc();
			rte_compiler_barrier();
			pages[i] = bp_get(bp, lab);
			rte_compiler_barrier();
			cyc[i] = (uint32_t)RTE_MIN(rte_rdtsc() - t0,
					(uint64_t)UINT32_MAX);
		}
		for (i = 0; i < LAT_BATCH; i++) {
			if (unlikely(pages[i] == NULL))
				bad++;
			else
				bad += bp_put(bp, pages[i], lab);
		}
		/* The frees done before the next timed grab: rte_rdtsc() does
		 * not wait for earlier instructions, and without this the
		 * first grab's sample took in the frees' last cycles, in a
		 * third to all of the batches (see POS_CYCLES), which made
		 * the cached pools' p99 and p99.9. */
		lat_settle();
	}
	*fails += bad;
}
/* >8 latency loop */

static void
lat_timer_only(struct lat_ctx *c, uint64_t n)
{
	uint64_t done, t0;
	unsigned int i;

	for (done = 0; done < n; done += LAT_BATCH) {
		uint32_t *cyc = lat_next(c);

		for (i = 0; i < LAT_BATCH; i++) {
			t0 = rte_rdtsc();
			rte_compiler_barrier();
			cyc[i] = (uint32_t)(rte_rdtsc() - t0);
		}
	}
}

/* A run of n samples (a multiple of LAT_BATCH) into c, emptied first. */
static void
lat_run(struct lat_var *v, struct lat_ctx *c, uint64_t n)
{
	memset(c->hist, 0, HIST_CYCLES * sizeof(*c->hist));
	memset(c->pos, 0, LAT_BATCH * sizeof(*c->pos));
	c->max = 0;
	c->fill = 0;
	if (v->bp == NULL)
		lat_timer_only(c, n);
	else if (v->bp->lab != NULL)
		lat_loop(v->bp, c, n, &v->fails, true);
	else
		lat_loop(v->bp, c, n, &v->fails, false);
	lat_fold(c);
}

/* Of a run's samples above p99c cycles, the % that were the first grab
 * of their batch (0 if none is above; NAN if p99 is beyond POS_CYCLES). */
static double
lat_first_share(const struct lat_ctx *c, uint64_t p99c)
{
	uint64_t above = 0, first = 0, b;
	unsigned int k;

	if (p99c >= POS_CYCLES - 1)
		return NAN;
	for (b = p99c + 1; b < POS_CYCLES; b++) {
		first += c->pos[0][b];
		for (k = 0; k < LAT_BATCH; k++)
			above += c->pos[k][b];
	}
	return above != 0 ? 100.0 * (double)first / (double)above : 0;
}

/* Percentiles of run r, in ns, from its histogram of cycles; the first
 * grabs' share of the tail. */
static void
lat_percentiles(struct lat_var *v, unsigned int r, const struct lat_ctx *c)
{
	const uint32_t *hist = c->hist;
	const uint64_t n = c->n, max = c->max;
	uint64_t i, acc = 0, p99c = UINT64_MAX;
	unsigned int q = 0;

	for (i = 0; i < HIST_CYCLES && q < RTE_DIM(lat_q); i++) {
		acc += hist[i];
		v->hist[i] += hist[i];
		/* the smallest value with at least q of the samples */
		while (q < RTE_DIM(lat_q) && acc >= ceil(lat_q[q] * n)) {
			uint64_t c = i == HIST_CYCLES - 1 ? max : i;

			v->pct[q][r] = (double)c * bench_tsc_ns;
			if (q == 1)
				p99c = c;
			q++;
		}
	}
	for (; i < HIST_CYCLES; i++)
		v->hist[i] += hist[i];
	v->pct[3][r] = (double)max * bench_tsc_ns;
	v->first[r] = lat_first_share(c, p99c);
}

static void
lat_write_cdf(const struct lat_var *vars, unsigned int nv)
{
	FILE *f;
	unsigned int j;
	uint64_t i, total, acc;

	f = fopen(bench_opt.cdf_path, "w");
	if (f == NULL) {
		printf("error: cannot write %s: %s\n", bench_opt.cdf_path,
			strerror(errno));
		bench_nb_failed++;
		return;
	}
	fprintf(f, "# labyrinth-bench latency CDF of single grabs (batches "
		"of %u), all runs pooled\n# one index per variant; columns: "
		"ns fraction_at_or_below\n# gnuplot: plot for [i=0:%u] 'FILE' "
		"index i using 1:2 with steps title columnheader(1)\n",
		LAT_BATCH, nv - 1);
	for (j = 0; j < nv; j++) {
		const struct lat_var *v = &vars[j];

		for (i = 0, total = 0; i < HIST_CYCLES; i++)
			total += v->hist[i];
		fprintf(f, "%s\"%s\" \"fraction\"\n", j ? "\n\n" : "",
			v->name);
		for (i = 0, acc = 0; i < HIST_CYCLES; i++) {
			if (v->hist[i] == 0)
				continue;
			acc += v->hist[i];
			fprintf(f, "%.2f %.7f\n", (double)i * bench_tsc_ns,
				(double)acc / (double)total);
		}
	}
	fclose(f);
	printf("latency CDF written to %s\n", bench_opt.cdf_path);
}

/* bench_round_robin() callbacks */

static bool
lat_rr_usable(void *ctx, const void *var)
{
	const struct lat_var *v = var;

	RTE_SET_USED(ctx);
	return v->bp == NULL || bp_usable(v->bp);
}

static void
lat_rr_warm_up(void *ctx, void *var)
{
	struct lat_ctx *c = ctx;

	lat_run(var, c, RTE_ALIGN_CEIL(c->n / 10, LAT_BATCH));
}

static void
lat_rr_run(void *ctx, void *var, unsigned int r)
{
	struct lat_ctx *c = ctx;

	lat_run(var, c, c->n);
	lat_percentiles(var, r, c);
}

static void
lat_pools_create(struct bench_pool *pools)
{
	pools[L_LAB_C].lab = lab_create("bench_l_c", PAGE_4K, POOL_PAGES,
			CACHE);
	pools[L_LAB_NC].lab = lab_create("bench_l_nc", PAGE_4K, POOL_PAGES, 0);
	pools[L_LAB_SC].lab = lab_create_flags("bench_l_sc", PAGE_4K,
			POOL_PAGES, CACHE, LABYRINTH_F_STRICT);
	pools[L_LAB_SNC].lab = lab_create_flags("bench_l_snc", PAGE_4K,
			POOL_PAGES, 0, LABYRINTH_F_STRICT);
	pools[L_RING_C].mp = mp_create("bench_l_ring_c", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, CACHE);
	pools[L_RING_NC].mp = mp_create("bench_l_ring_nc", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, 0);
}

/* A variant for each pool, then the timer alone. */
static void
lat_vars_init(struct lat_var *vars, unsigned int nv,
		struct bench_pool *pools)
{
	unsigned int j;

	memset(vars, 0, nv * sizeof(*vars));
	for (j = 0; j < nv; j++) {
		vars[j].bp = j < L_NB ? &pools[j] : NULL;
		fmt_label(vars[j].name, sizeof(vars[j].name), "%s",
			j < L_NB ? pools[j].name : "timer alone (rdtsc pair)");
		vars[j].hist = calloc(HIST_CYCLES, sizeof(*vars[j].hist));
		if (vars[j].hist == NULL)
			rte_exit(EXIT_FAILURE, "out of memory\n");
	}
}

/* A variant's four figures, printed; the labyrinths' tail targets. */
static void
lat_figures(struct lat_var *v, unsigned int j)
{
	bool ok = variant_ok(v->name, v->fails) &&
		(v->bp == NULL || bp_usable(v->bp));
	char name[96];
	unsigned int q;

	for (q = 0; q < NB_PCT; q++) {
		fmt_label(name, sizeof(name), "%s %s", v->name, lat_label[q]);
		v->fig[q] = figure_add("latency", name, "ns", v->pct[q],
				bench_opt.runs, ok, NAN);
	}
	fmt_label(name, sizeof(name), "%s first of batch above p99", v->name);
	v->first_fig = figure_add("latency", name, "%", v->first,
			bench_opt.runs, ok, NAN);
	for (q = 0; q < NB_PCT; q++)
		print_figure(v->fig[q]);
	print_figure(v->first_fig);
	if (j == L_LAB_C || j == L_LAB_NC) {
		fmt_label(name, sizeof(name), "latency: %s p99.9 / p50",
			v->name);
		target_add(name, ok ? v->fig[2]->med / v->fig[0]->med : NAN,
			true, 4.0);
	}
}

/* The mempool variant labyrinth variant j is compared with. */
static unsigned int
lat_peer(unsigned int j)
{
	if (j == L_LAB_SC)
		return L_RING_C;
	if (j == L_LAB_SNC)
		return L_RING_NC;
	return j + L_RING_C;
}

/* Ratios of the labyrinths to the mempool of the same cache size. */
static void
lat_ratios(struct lat_var *vars)
{
	static const unsigned int labs[] = { L_LAB_C, L_LAB_NC, L_LAB_SC,
		L_LAB_SNC };
	unsigned int i, j, q;

	for (i = 0; i < RTE_DIM(labs); i++)
		for (q = 0; q < NB_PCT; q++)
			figure_vs(vars[labs[i]].fig[q],
				vars[lat_peer(labs[i])].fig[q]);
	printf("ratios vs the mempool of the same cache size:\n");
	for (i = 0; i < RTE_DIM(labs); i++) {
		j = labs[i];
		for (q = 0; q < NB_PCT; q++) {
			const struct figure *f = vars[j].fig[q];

			if (!isnan(f->ratio))
				printf("  %-50s %.2fx %s\n", f->name, f->ratio,
					f->vs);
		}
	}
}

static void
section_latency(void)
{
	struct bench_pool pools[L_NB] = {
		[L_LAB_C] = { .name = "labyrinth cache 256" },
		[L_LAB_NC] = { .name = "labyrinth no cache" },
		[L_RING_C] = { .name = "mempool ring_mp_mc cache 256" },
		[L_RING_NC] = { .name = "mempool ring_mp_mc cache 0" },
		[L_LAB_SC] = { .name = "labyrinth strict cache 256" },
		[L_LAB_SNC] = { .name = "labyrinth strict no cache" },
	};
	struct lat_var vars[L_NB + 1];
	struct lat_ctx ctx = {
		.n = RTE_ALIGN_CEIL(bench_opt.n_lat, LAT_BATCH),
	};
	const struct bench_rr rr = {
		.vars = vars,
		.size = sizeof(vars[0]),
		.nv = RTE_DIM(vars),
		.runs = bench_opt.runs,
		.ctx = &ctx,
		.usable = lat_rr_usable,
		.warm_up = lat_rr_warm_up,
		.run = lat_rr_run,
	};
	unsigned int j;

	lat_pools_create(pools);
	ctx.buf = aligned_alloc(LAT_CHUNK * sizeof(*ctx.buf),
			LAT_CHUNK * sizeof(*ctx.buf));
	ctx.hist = malloc(HIST_CYCLES * sizeof(*ctx.hist));
	ctx.pos = malloc(LAT_BATCH * sizeof(*ctx.pos));
	lat_vars_init(vars, rr.nv, pools);
	if (ctx.buf == NULL || ctx.hist == NULL || ctx.pos == NULL)
		rte_exit(EXIT_FAILURE, "out of memory\n");

	bench_round_robin(&rr);
	print_table_head("4. latency of single grabs, 1 lcore (rdtsc around "
		"each grab; batches of 32 grabs, then 32 untimed frees)");
	for (j = 0; j < rr.nv; j++)
		lat_figures(&vars[j], j);
	lat_ratios(vars);

	if (bench_opt.cdf_path != NULL)
		lat_write_cdf(vars, rr.nv);
	for (j = 0; j < rr.nv; j++)
		free(vars[j].hist);
	free(ctx.pos);
	free(ctx.hist);
	free(ctx.buf);
	bp_free_all(pools, L_NB);
}

const struct bench_section bench_latency_section = {
	.name = "latency",
	.run = section_latency,
};
