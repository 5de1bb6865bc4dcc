/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef BENCH_PRIV_H
#define BENCH_PRIV_H

/*
 * labyrinth-bench: private declarations shared by its files.
 *
 *   main.c           EAL, options, the table of sections and the loop
 *                    over it
 *   bench_common.c   figures (medians), targets, tables, pools, and the
 *                    round-robin runner every section uses
 *   bench_report.c   the header (CPU, TSC, load) and the JSON file
 *   bench_pair.c     section "pair", and the pair machinery that the
 *                    llfree section shares
 *   bench_empty.c    section "empty"
 *   bench_scale.c    section "scale" (bench_scale_run.c: its lcores)
 *   bench_latency.c  section "latency"
 *   bench_meta.c     section "meta"
 *   bench_llfree.c   section "llfree", and opening and closing the peer
 *
 * A section is a struct bench_section (name and run function), defined
 * in its own file and listed in main.c, as testpmd lists its
 * fwd_engines[]. Globals shared across files are bench_*; functions keep
 * the name of their noun (figure_*, target_*, pair_*, bp_*).
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mempool.h>

#include "labyrinth.h"
#include "llfree_peer.h"

#ifndef BENCH_MARCH
#define BENCH_MARCH "unknown"
#endif

/*
 * LLFree, the peer of the llfree section: built by meson from
 * ../shared/peers/llfree-c when it is there (see meson.build). Without it
 * llfree_stub.c stands in and its figures say BENCH_LLFREE_WHY.
 */
#ifndef BENCH_LLFREE_WHY
#define BENCH_LLFREE_WHY "not found"
#endif
#ifdef BENCH_LLFREE
#define LLFREE_BUILT true
#else
#define LLFREE_BUILT false
#endif

#define MAX_RUNS 64
#define MAX_FIGURES 512
#define MAX_TARGETS 32
#define BULK 32                 /* bulk size of every bulk variant */
#define CACHE 256               /* cache size of every cached variant */
#define POOL_PAGES 8192u        /* pages of the timing labyrinths */
#define POOL_OBJS 8191u         /* objects of the timing mempools (2^k - 1) */
#define PAGE_4K 4096u
#define LLFREE_MIN_RUNS 9u      /* rounds of the llfree section, at least */

/* Keep p alive: the compiler may not drop an allocation nobody uses. */
#define KEEP(p) __asm__ volatile("" : : "r"(p))

/* Options; defaults in parse_args() (main.c). */
struct bench_opts {
	unsigned int runs;
	uint64_t n;           /* objects per timed run (pair, empty) */
	uint64_t n_lat;       /* latency samples per variant per run */
	uint64_t n_scale;     /* pairs per scale variant per run, all lcores */
	bool quick;
	bool verbose;
	const char *json_path;
	const char *cdf_path;
	unsigned int sections; /* bit i: bench_sections[i] (main.c) */
};

extern struct bench_opts bench_opt;
extern double bench_tsc_ns;         /* ns per TSC cycle */
extern unsigned int bench_nb_failed; /* variants whose grabs failed */

/* One section of the benchmark: --only NAME runs it. */
struct bench_section {
	const char *name;   /* --only NAME, and the JSON's "section" */
	void (*run)(void);  /* create its pools, measure, print, free */
};

extern const struct bench_section bench_pair_section;
extern const struct bench_section bench_empty_section;
extern const struct bench_section bench_scale_section;
extern const struct bench_section bench_latency_section;
extern const struct bench_section bench_meta_section;
extern const struct bench_section bench_llfree_section;

/* ---- bench_common.c: figures and targets ---- */

/* One reported figure: a median over runs, with min and max. */
struct figure {
	char section[12];
	char name[80];
	char unit[12];
	unsigned int nb_runs;
	double v[MAX_RUNS];
	double med, min, max;
	double ref;      /* issue 2's reference figure, NAN if none */
	char vs[80];     /* anchor of ratio, "" if none */
	double ratio;    /* med / anchor's med, NAN if none */
	bool valid;      /* false: the variant could not run or failed */
};

/* One target of issue 2 (or 6), checked against a figure. */
struct target {
	char what[112];
	double value;
	double limit;
	bool at_most;    /* pass when value <= limit, else value >= limit */
	bool known;      /* false: a figure it needs is missing */
};

extern struct figure bench_figures[MAX_FIGURES];
extern unsigned int bench_nb_figures;
extern struct target bench_targets[MAX_TARGETS];
extern unsigned int bench_nb_targets;

void fmt_label(char *buf, size_t len, const char *fmt, ...)
	__rte_format_printf(3, 4);
void fmt_num(char *buf, size_t len, double v);
struct figure *figure_add(const char *section, const char *name,
		const char *unit, const double *v, unsigned int nb_runs,
		bool valid, double ref);
void figure_vs(struct figure *f, const struct figure *a);
const struct figure *figure_best(const struct figure *a,
		const struct figure *b);
void target_add(const char *what, double value, bool at_most, double limit);
bool target_pass(const struct target *t);
bool variant_ok(const char *name, uint64_t fails);
void print_columns(void);
void print_table_head(const char *title);
void print_figure(const struct figure *f);
void print_targets(void);

/* ---- bench_common.c: the round-robin runner ---- */

/*
 * The variants of a section as the runner sees them: nv elements of
 * `size` bytes from `vars`, and three callbacks, each given `ctx`.
 * warm_up() is the one untimed run; run() is round r's timed run, and
 * stores its own result (at index r). Variants that are not usable() are
 * skipped.
 */
struct bench_rr {
	void *vars;
	size_t size;
	unsigned int nv;
	unsigned int runs;
	void *ctx;
	bool (*usable)(void *ctx, const void *var);
	void (*warm_up)(void *ctx, void *var);
	void (*run)(void *ctx, void *var, unsigned int r);
};

void bench_round_robin(const struct bench_rr *rr);

/* ---- bench_common.c: pools ---- */

/*
 * A pool as the sections see it: a labyrinth or a mempool. The loops
 * take `lab` as a compile-time constant and are always inlined, so each
 * loop is specialised and has no branch on it.
 */
struct bench_pool {
	char name[48];
	struct labyrinth *lab;
	struct rte_mempool *mp;
	double ref_ns;   /* reference ns/op at 2 lcores, NAN if none */
};

struct labyrinth *lab_create_flags(const char *name, uint32_t page_size,
		uint32_t nb_pages, uint32_t cache_size, uint32_t flags);
struct labyrinth *lab_create(const char *name, uint32_t page_size,
		uint32_t nb_pages, uint32_t cache_size);
void lab_destroy(struct labyrinth *lab);
struct rte_mempool *mp_create(const char *name, const char *ops,
		unsigned int n, unsigned int elt_size, unsigned int cache_size);
bool bp_usable(const struct bench_pool *bp);
void bp_free_all(struct bench_pool *pools, unsigned int nb);

static __rte_always_inline void *
bp_get(const struct bench_pool *bp, const bool lab)
{
	void *obj;

	if (lab)
		return labyrinth_alloc_page(bp->lab, LABYRINTH_GFP_NORMAL);
	return rte_mempool_get(bp->mp, &obj) == 0 ? obj : NULL;
}

/* Returns 1 when the free was rejected, else 0. */
static __rte_always_inline unsigned int
bp_put(const struct bench_pool *bp, void *obj, const bool lab)
{
	if (lab)
		return labyrinth_free_page(bp->lab, obj) != 0;
	rte_mempool_put(bp->mp, obj);
	return 0;
}

/* ---- bench_report.c ---- */

void print_header(char *cpu, size_t cpu_len);
void write_json(const char *cpu);

/* ---- bench_pair.c: pairs, shared by the pair and llfree sections ---- */

enum pair_kind {
	PK_POOL,        /* labyrinth_alloc_page or rte_mempool_get, 1 by 1 */
	PK_LAB_BULK,    /* labyrinth_alloc_bulk / free_bulk of BULK */
	PK_LAB_BULK_SCATTERED, /* the same, the cache's pages scattered */
	PK_LAB_ORDER,   /* labyrinth_alloc_pages / free_pages */
	PK_MP_BULK,     /* rte_mempool_get_bulk / put_bulk of BULK */
	PK_RTE_MALLOC,  /* rte_malloc / rte_free */
	PK_LIBC,        /* malloc / free */
	PK_LLFREE,      /* LLFree llfree_get / llfree_put of an order */
};

struct pair_var {
	char name[80];
	const char *unit;
	enum pair_kind kind;
	struct bench_pool *bp;
	struct llfree_peer *llf;  /* PK_LLFREE: NULL if not built or failed */
	unsigned int order;
	size_t size, align;
	uint64_t n;         /* objects (pages, blocks, allocations) a run */
	double ref;
	uint64_t fails;
	double ns[MAX_RUNS];
	struct figure *fig;
};

struct pair_var *pair_add(struct pair_var *vars, unsigned int *nv,
		const char *name, const char *unit, enum pair_kind kind,
		struct bench_pool *bp, uint64_t n, double ref);
void pair_measure(const char *section, struct pair_var *vars,
		unsigned int nv, unsigned int runs);
const struct figure *pair_fig(const struct pair_var *vars, unsigned int nv,
		const char *name);

/* ---- bench_scale_run.c: the lcores of the scale section ---- */

#define SCALE_MAX_LCORES 8

struct scale_var {
	char name[80];
	struct bench_pool *bp;
	unsigned int k;      /* lcores */
	bool remote;         /* frees by the next lcore, through a ring */
	unsigned int cut;    /* runs stopped by the time limit */
	uint64_t fails;
	double mops[MAX_RUNS];
	double nsop[MAX_RUNS];
	struct figure *fig_mops, *fig_ns;
};

unsigned int scale_count_cpus(bool *shared);
void scale_setup(unsigned int nb_lcores);
uint64_t scale_run(struct scale_var *v, uint64_t total, uint64_t limit_ns,
		uint64_t *done);
void scale_teardown(void);

/* ---- bench_llfree.c ---- */

#define LLFREE_ORDER0 "LLFree order 0 (4 KiB)"

struct llfree_peer *llfree_peer_open(uint64_t frames);
void llfree_peer_close(struct llfree_peer *llf, uint64_t frames);

#endif /* BENCH_PRIV_H */
