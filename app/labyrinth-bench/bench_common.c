/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * What every section shares: figures (a median of runs, with min and
 * max), targets, the printed tables, the pools, and the one round-robin
 * runner.
 */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "bench_priv.h"

struct figure bench_figures[MAX_FIGURES];
unsigned int bench_nb_figures;
struct target bench_targets[MAX_TARGETS];
unsigned int bench_nb_targets;

/* ---------------------------------------------------------------- */
/* Statistics, figures and targets                                  */

/*
 * snprintf for labels: truncating a label is fine, so this wrapper keeps
 * -Wformat-truncation quiet about the label buffers.
 */
void
fmt_label(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct figure *
figure_add(const char *section, const char *name, const char *unit,
		const double *v, unsigned int nb_runs, bool valid, double ref)
{
	struct figure *f;
	double s[MAX_RUNS];

	if (bench_nb_figures == MAX_FIGURES)
		rte_exit(EXIT_FAILURE, "too many figures\n");
	f = &bench_figures[bench_nb_figures++];
	memset(f, 0, sizeof(*f));
	fmt_label(f->section, sizeof(f->section), "%s", section);
	fmt_label(f->name, sizeof(f->name), "%s", name);
	fmt_label(f->unit, sizeof(f->unit), "%s", unit);
	f->ref = ref;
	f->ratio = NAN;
	f->valid = valid && nb_runs > 0;
	f->nb_runs = nb_runs;
	if (!f->valid) {
		f->med = f->min = f->max = NAN;
		return f;
	}
	memcpy(f->v, v, nb_runs * sizeof(*v));
	memcpy(s, v, nb_runs * sizeof(*v));
	qsort(s, nb_runs, sizeof(*s), cmp_double);
	f->min = s[0];
	f->max = s[nb_runs - 1];
	f->med = nb_runs % 2 ? s[nb_runs / 2] :
		(s[nb_runs / 2 - 1] + s[nb_runs / 2]) / 2;
	return f;
}

/* The ratio of f to anchor a (lower is better for both). */
void
figure_vs(struct figure *f, const struct figure *a)
{
	if (f == NULL || a == NULL || !f->valid || !a->valid)
		return;
	f->ratio = f->med / a->med;
	fmt_label(f->vs, sizeof(f->vs), "%s", a->name);
}

/* The anchor with the lower median of the two (NULL or invalid: the
 * other one). */
const struct figure *
figure_best(const struct figure *a, const struct figure *b)
{
	if (a == NULL || !a->valid)
		return b != NULL && b->valid ? b : NULL;
	if (b == NULL || !b->valid)
		return a;
	return b->med < a->med ? b : a;
}

void
target_add(const char *what, double value, bool at_most, double limit)
{
	struct target *t;

	if (bench_nb_targets == MAX_TARGETS)
		rte_exit(EXIT_FAILURE, "too many targets\n");
	t = &bench_targets[bench_nb_targets++];
	fmt_label(t->what, sizeof(t->what), "%s", what);
	t->value = value;
	t->at_most = at_most;
	t->limit = limit;
	t->known = !isnan(value);
}

bool
target_pass(const struct target *t)
{
	return t->at_most ? t->value <= t->limit : t->value >= t->limit;
}

/*
 * A variant whose grabs or frees failed unexpectedly is broken: say so,
 * count it (the exit status), and its figures are n/a.
 */
bool
variant_ok(const char *name, uint64_t fails)
{
	if (fails == 0)
		return true;
	printf("error: %s: %" PRIu64 " grabs or frees failed\n", name, fails);
	bench_nb_failed++;
	return false;
}

/* ---------------------------------------------------------------- */
/* Tables                                                           */

void
fmt_num(char *buf, size_t len, double v)
{
	if (isnan(v))
		fmt_label(buf, len, "n/a");
	else if (v >= 1000)
		fmt_label(buf, len, "%.0f", v);
	else if (v >= 100)
		fmt_label(buf, len, "%.1f", v);
	else
		fmt_label(buf, len, "%.2f", v);
}

void
print_columns(void)
{
	printf("%-52s %9s %9s %9s %-9s %7s  %s\n", "variant", "median",
		"min", "max", "unit", "ref", "ratio vs anchor");
}

void
print_table_head(const char *title)
{
	printf("\n== %s ==\n", title);
	print_columns();
}

void
print_figure(const struct figure *f)
{
	char med[16], min[16], max[16], ref[16];

	fmt_num(med, sizeof(med), f->med);
	fmt_num(min, sizeof(min), f->min);
	fmt_num(max, sizeof(max), f->max);
	if (isnan(f->ref))
		ref[0] = '\0';
	else
		fmt_num(ref, sizeof(ref), f->ref);
	printf("%-52s %9s %9s %9s %-9s %7s", f->name, med, min, max,
		f->unit, ref);
	if (!isnan(f->ratio))
		printf("  %.2fx %s", f->ratio, f->vs);
	printf("\n");
}

static void
print_target(const struct target *t, unsigned int *pass, unsigned int *miss)
{
	double margin;

	printf("%-72s %8.2f %s %-6.2f ", t->what, t->value,
		t->at_most ? "<=" : ">=", t->limit);
	if (!t->known) {
		printf("n/a\n");
		return;
	}
	/* distance from the limit, relative to the limit */
	margin = fabs(t->value / t->limit - 1) * 100;
	if (target_pass(t)) {
		(*pass)++;
		printf("PASS (%.0f%% %s the limit)\n", margin,
			t->at_most ? "below" : "above");
	} else {
		(*miss)++;
		printf("MISS (%.0f%% %s the limit)\n", margin,
			t->at_most ? "above" : "below");
	}
}

void
print_targets(void)
{
	unsigned int i, pass = 0, miss = 0;

	if (bench_nb_targets == 0)
		return;
	printf("\n== targets ==\n");
	for (i = 0; i < bench_nb_targets; i++)
		print_target(&bench_targets[i], &pass, &miss);
	printf("targets: %u passed, %u missed, %u n/a\n", pass, miss,
		bench_nb_targets - pass - miss);
}

/* ---------------------------------------------------------------- */
/* The round-robin runner                                           */

static void *
rr_var(const struct bench_rr *rr, unsigned int j)
{
	return (char *)rr->vars + (size_t)j * rr->size;
}

/* 8< round robin */
/*
 * One untimed warm-up run of every variant, then `runs` rounds: round r
 * runs every variant once, starting at variant r mod V, so a slow drift
 * (frequency, a noisy neighbour) hits every variant alike.
 */
void
bench_round_robin(const struct bench_rr *rr)
{
	unsigned int r, j;

	for (j = 0; j < rr->nv; j++)
		if (rr->usable(rr->ctx, rr_var(rr, j)))
			rr->warm_up(rr->ctx, rr_var(rr, j));
	for (r = 0; r < rr->runs; r++) {
		for (j = 0; j < rr->nv; j++) {
			void *v = rr_var(rr, (r + j) % rr->nv);

			if (rr->usable(rr->ctx, v))
				rr->run(rr->ctx, v, r);
		}
	}
}
/* >8 round robin */

/* ---------------------------------------------------------------- */
/* Pools                                                            */

struct labyrinth *
lab_create_flags(const char *name, uint32_t page_size, uint32_t nb_pages,
		uint32_t cache_size, uint32_t flags)
{
	struct labyrinth_conf conf = {
		.name = name,
		.socket_id = (int)rte_socket_id(),
		.page_size = page_size,
		.nb_pages = nb_pages,
		.reserve = 0,
		.cache_size = cache_size,
		.flags = flags,
	};
	struct labyrinth *lab;

	lab = labyrinth_create(&conf);
	if (lab == NULL)
		printf("note: labyrinth_create(%s, %u x %u B, cache %u): %s; "
			"its figures are n/a\n", name, nb_pages, page_size,
			cache_size, rte_strerror(rte_errno));
	return lab;
}

/* A default pool (no LABYRINTH_F_STRICT). */
struct labyrinth *
lab_create(const char *name, uint32_t page_size, uint32_t nb_pages,
		uint32_t cache_size)
{
	return lab_create_flags(name, page_size, nb_pages, cache_size, 0);
}

void
lab_destroy(struct labyrinth *lab)
{
	int ret;

	if (lab == NULL)
		return;
	ret = labyrinth_destroy(lab);
	if (ret != 0)
		printf("warning: labyrinth_destroy(%s): %s\n",
			labyrinth_name(lab), strerror(-ret));
}

/*
 * A mempool the way a driver would build one with given ops:
 * create_empty, set_ops_byname, populate_default.
 */
struct rte_mempool *
mp_create(const char *name, const char *ops, unsigned int n,
		unsigned int elt_size, unsigned int cache_size)
{
	struct rte_mempool *mp;
	int ret;

	mp = rte_mempool_create_empty(name, n, elt_size, cache_size, 0,
			(int)rte_socket_id(), 0);
	if (mp == NULL) {
		printf("note: mempool %s: %s; its figures are n/a\n", name,
			rte_strerror(rte_errno));
		return NULL;
	}
	ret = rte_mempool_set_ops_byname(mp, ops, NULL);
	if (ret == 0) {
		ret = rte_mempool_populate_default(mp);
		ret = ret < 0 ? ret : 0;
	}
	if (ret != 0) {
		printf("note: mempool %s (ops %s): %s; its figures are n/a\n",
			name, ops, strerror(-ret));
		rte_mempool_free(mp);
		return NULL;
	}
	return mp;
}

bool
bp_usable(const struct bench_pool *bp)
{
	return bp->lab != NULL || bp->mp != NULL;
}

/* Destroy the labyrinth or free the mempool of each of the pools. */
void
bp_free_all(struct bench_pool *pools, unsigned int nb)
{
	unsigned int i;

	for (i = 0; i < nb; i++) {
		lab_destroy(pools[i].lab);
		rte_mempool_free(pools[i].mp);
	}
}
