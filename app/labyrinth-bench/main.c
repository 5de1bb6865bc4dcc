/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth-bench: the page pool measured side by side with DPDK's own
 * allocators, in the same run.
 *
 * Sections (--only NAME[,NAME...]):
 *   pair     ns per grab+free pair on one lcore
 *   empty    ns per failed grab on an empty pool, 1 Ki .. 1 Mi pages
 *   scale    aggregate throughput on 1, 2 (4, 8) lcores, local and remote
 *            frees
 *   latency  distribution of single grabs, TSC per grab
 *   meta     metadata bytes per page
 *   llfree   cache-less pairs of orders 0..9 beside LLFree's get/put
 *
 * Method. Every figure is the median of --runs runs, printed with min and
 * max. Within a section the variants run round-robin: round r runs every
 * variant once, starting at variant r mod V, so a slow drift (frequency,
 * a noisy neighbour) hits every variant alike. One untimed warm-up round
 * of N/10 comes first. Each timed loop is bracketed by
 * rte_rdtsc_precise() and converted to ns with rte_get_tsc_hz().
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_version.h>

#include "labyrinth.h"
#include "labyrinth_test.h"

#ifndef BENCH_MARCH
#define BENCH_MARCH "unknown"
#endif

/*
 * LLFree, the peer of the llfree section: built by meson from
 * ../shared/peers/llfree-c when it is there (see meson.build). Without it
 * these stubs stand in and its figures say BENCH_LLFREE_WHY.
 */
#ifndef BENCH_LLFREE_WHY
#define BENCH_LLFREE_WHY "not found"
#endif
#ifdef BENCH_LLFREE
#include "llfree_peer.h"
#else
struct llfree_peer;

static inline struct llfree_peer *
llfree_peer_create(uint64_t frames)
{
	RTE_SET_USED(frames);
	errno = ENOENT;
	return NULL;
}

static inline void
llfree_peer_destroy(struct llfree_peer *p)
{
	RTE_SET_USED(p);
}

static inline uint64_t
llfree_peer_pairs(struct llfree_peer *p, unsigned int order, uint64_t n)
{
	RTE_SET_USED(p);
	RTE_SET_USED(order);
	return n;
}

static inline uint64_t
llfree_peer_free_frames(const struct llfree_peer *p)
{
	RTE_SET_USED(p);
	return 0;
}

static inline uint64_t
llfree_peer_meta_bytes(const struct llfree_peer *p)
{
	RTE_SET_USED(p);
	return 0;
}
#endif

#define MAX_RUNS 64
#define MAX_FIGURES 512
#define MAX_TARGETS 32
#define BULK 32                 /* bulk size of every bulk variant */
#define CACHE 256               /* cache size of every cached variant */
#define POOL_PAGES 8192u        /* pages of the timing labyrinths */
#define POOL_OBJS 8191u         /* objects of the timing mempools (2^k - 1) */
#define PAGE_4K 4096u
#define EMPTY_RING_OBJS 1023u   /* objects of the empty-ring anchor */
#define SCALE_MAX_LCORES 8
#define REMOTE_RING_SIZE 256    /* per-lcore SPSC ring of the remote variant */
#define LAT_BATCH 32            /* grabs timed one by one, then freed */
#define HIST_CYCLES 65536u      /* latency histogram: one bucket a cycle */
#define RUN_BUDGET_NS 40e6      /* longest timed run of a slow variant */
#define PROBE_OBJS 64           /* objects of a calibration probe */
#define SCALE_BUDGET_NS 100e6   /* longest timed scale run */
#define LLFREE_MIN_RUNS 9u      /* rounds of the llfree section, at least */

#define SEC_PAIR    (1u << 0)
#define SEC_EMPTY   (1u << 1)
#define SEC_SCALE   (1u << 2)
#define SEC_LATENCY (1u << 3)
#define SEC_META    (1u << 4)
#define SEC_LLFREE  (1u << 5)
#define SEC_ALL     (SEC_PAIR | SEC_EMPTY | SEC_SCALE | SEC_LATENCY | \
		SEC_META | SEC_LLFREE)

/* Keep p alive: the compiler may not drop an allocation nobody uses. */
#define KEEP(p) __asm__ volatile("" : : "r"(p))

/* Options; defaults in parse_args(). */
static struct {
	unsigned int runs;
	uint64_t n;           /* objects per timed run (pair, empty) */
	uint64_t n_lat;       /* latency samples per variant per run */
	uint64_t n_scale;     /* pairs per scale variant per run, all lcores */
	bool quick;
	bool verbose;
	const char *json_path;
	const char *cdf_path;
	unsigned int sections;
} opt;

static double tsc_ns;           /* ns per TSC cycle */
static uint64_t tsc_resolution; /* smallest TSC step seen, cycles */
static char loadavg[64];        /* /proc/loadavg at start */
static unsigned int nb_failed;  /* variants whose grabs failed unexpectedly */

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

static struct figure figures[MAX_FIGURES];
static unsigned int nb_figures;

/* One target of issue 2 (or 6), checked against a figure. */
struct target {
	char what[112];
	double value;
	double limit;
	bool at_most;    /* pass when value <= limit, else value >= limit */
	bool known;      /* false: a figure it needs is missing */
};

static struct target targets[MAX_TARGETS];
static unsigned int nb_targets;

/*
 * A pool as the scale and latency sections see it: a labyrinth or a
 * mempool. The loops take `lab` as a compile-time constant and are
 * always inlined, so each loop is specialised and has no branch on it.
 */
struct bench_pool {
	char name[48];
	struct labyrinth *lab;
	struct rte_mempool *mp;
	double ref_ns;   /* reference ns/op at 2 lcores, NAN if none */
};

static void
usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [options]\n"
		"  --quick          tiny N and 1 run: a smoke test of a few "
		"seconds\n"
		"  --runs N         runs per figure (default 5, at most %d; "
		"the llfree section does at least %u)\n"
		"  --n N            pairs per timed run (default 1000000)\n"
		"  --json FILE      write every figure and target as JSON\n"
		"  --cdf FILE       write the latency CDF points (gnuplot "
		"data, one index per variant)\n"
		"  --only LIST      sections, comma separated: pair, empty, "
		"scale, latency, meta, llfree\n"
		"  --verbose        print every scale run's time\n"
		"  --help           this text\n"
		"Run with -l 0-1 for the 2-lcore figures; with "
		"--lcores '(0-7)@(0,1)' for 4 and 8 lcores oversubscribed.\n",
		prog, MAX_RUNS, LLFREE_MIN_RUNS);
}

/*
 * snprintf for labels: truncating a label is fine, so this wrapper keeps
 * -Wformat-truncation quiet about the label buffers.
 */
static void __rte_format_printf(3, 4)
fmt_label(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static unsigned int
parse_sections(const char *list)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} names[] = {
		{ "pair", SEC_PAIR },
		{ "empty", SEC_EMPTY },
		{ "scale", SEC_SCALE },
		{ "latency", SEC_LATENCY },
		{ "meta", SEC_META },
		{ "llfree", SEC_LLFREE },
		{ "all", SEC_ALL },
	};
	char buf[128], *tok, *save = NULL;
	unsigned int mask = 0, i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < RTE_DIM(names); i++)
			if (strcmp(tok, names[i].name) == 0)
				break;
		if (i == RTE_DIM(names))
			return 0;
		mask |= names[i].bit;
	}
	return mask;
}

static uint64_t
parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v == 0)
		rte_exit(EXIT_FAILURE, "bad %s: %s\n", what, s);
	return v;
}

static void
parse_args(int argc, char **argv, const char *prog)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "runs", required_argument, NULL, 'r' },
		{ "n", required_argument, NULL, 'n' },
		{ "json", required_argument, NULL, 'j' },
		{ "cdf", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool runs_set = false, n_set = false;
	uint64_t n = 0;
	int c;

	opt.runs = 5;
	opt.sections = SEC_ALL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			opt.quick = true;
			break;
		case 'r':
			opt.runs = (unsigned int)parse_u64(optarg, "--runs");
			if (opt.runs > MAX_RUNS)
				rte_exit(EXIT_FAILURE, "--runs: at most %d\n",
					MAX_RUNS);
			runs_set = true;
			break;
		case 'n':
			n = parse_u64(optarg, "--n");
			n_set = true;
			break;
		case 'j':
			opt.json_path = optarg;
			break;
		case 'c':
			opt.cdf_path = optarg;
			break;
		case 'o':
			opt.sections = parse_sections(optarg);
			if (opt.sections == 0)
				rte_exit(EXIT_FAILURE, "bad --only: %s\n",
					optarg);
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(prog);
			exit(0);
		default:
			usage(prog);
			rte_exit(EXIT_FAILURE, "bad arguments\n");
		}
	}
	if (optind != argc) {
		usage(prog);
		rte_exit(EXIT_FAILURE, "unexpected argument: %s\n",
			argv[optind]);
	}
	if (opt.quick && !runs_set)
		opt.runs = 1;
	if (!n_set)
		n = opt.quick ? 20000 : 1000000;
	/* multiples of BULK, so bulk loops cover exactly n objects */
	opt.n = RTE_MAX(RTE_ALIGN_CEIL(n, BULK), (uint64_t)BULK * 10);
	opt.n_lat = opt.n;
	opt.n_scale = 2 * opt.n;
}

/* ---------------------------------------------------------------- */
/* Statistics, figures and targets                                  */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct figure *
figure_add(const char *section, const char *name, const char *unit,
		const double *v, unsigned int nb_runs, bool valid, double ref)
{
	struct figure *f;
	double s[MAX_RUNS];

	if (nb_figures == MAX_FIGURES)
		rte_exit(EXIT_FAILURE, "too many figures\n");
	f = &figures[nb_figures++];
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
static void
figure_vs(struct figure *f, const struct figure *a)
{
	if (a == NULL || !f->valid || !a->valid)
		return;
	f->ratio = f->med / a->med;
	fmt_label(f->vs, sizeof(f->vs), "%s", a->name);
}

/* The anchor with the lowest median of those given (NULL ends). */
static const struct figure *
figure_best(const struct figure *a, const struct figure *b)
{
	if (a == NULL || !a->valid)
		return b != NULL && b->valid ? b : NULL;
	if (b == NULL || !b->valid)
		return a;
	return b->med < a->med ? b : a;
}

static void
target_add(const char *what, double value, bool at_most, double limit)
{
	struct target *t;

	if (nb_targets == MAX_TARGETS)
		rte_exit(EXIT_FAILURE, "too many targets\n");
	t = &targets[nb_targets++];
	fmt_label(t->what, sizeof(t->what), "%s", what);
	t->value = value;
	t->at_most = at_most;
	t->limit = limit;
	t->known = !isnan(value);
}

static bool
target_pass(const struct target *t)
{
	return t->at_most ? t->value <= t->limit : t->value >= t->limit;
}

static void
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

static void
print_table_head(const char *title)
{
	printf("\n== %s ==\n", title);
	printf("%-52s %9s %9s %9s %-9s %7s  %s\n", "variant", "median",
		"min", "max", "unit", "ref", "ratio vs anchor");
}

static void
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
print_targets(void)
{
	unsigned int i, pass = 0, miss = 0;

	if (nb_targets == 0)
		return;
	printf("\n== targets ==\n");
	for (i = 0; i < nb_targets; i++) {
		const struct target *t = &targets[i];
		double margin;

		printf("%-72s %8.2f %s %-6.2f ", t->what, t->value,
			t->at_most ? "<=" : ">=", t->limit);
		if (!t->known) {
			printf("n/a\n");
			continue;
		}
		/* distance from the limit, relative to the limit */
		margin = fabs(t->value / t->limit - 1) * 100;
		if (target_pass(t)) {
			pass++;
			printf("PASS (%.0f%% %s the limit)\n", margin,
				t->at_most ? "below" : "above");
		} else {
			miss++;
			printf("MISS (%.0f%% %s the limit)\n", margin,
				t->at_most ? "above" : "below");
		}
	}
	printf("targets: %u passed, %u missed, %u n/a\n", pass, miss,
		nb_targets - pass - miss);
}

/* ---------------------------------------------------------------- */
/* Pools                                                            */

static struct labyrinth *
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
static struct labyrinth *
lab_create(const char *name, uint32_t page_size, uint32_t nb_pages,
		uint32_t cache_size)
{
	return lab_create_flags(name, page_size, nb_pages, cache_size, 0);
}

static void
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
static struct rte_mempool *
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

static bool
bp_usable(const struct bench_pool *bp)
{
	return bp->lab != NULL || bp->mp != NULL;
}

#define LLFREE_ORDER0 "LLFree order 0 (4 KiB)"

#ifdef BENCH_LLFREE
#define LLFREE_BUILT true
#else
#define LLFREE_BUILT false
#endif

/* LLFree over `frames` 4 KiB frames; NULL if it is not built or failed. */
static struct llfree_peer *
llfree_peer_open(uint64_t frames)
{
	struct llfree_peer *llf;

	if (!LLFREE_BUILT)
		return NULL;
	llf = llfree_peer_create(frames);
	if (llf == NULL)
		printf("note: LLFree of %" PRIu64 " frames: %s; its figures "
			"are n/a\n", frames, strerror(errno));
	return llf;
}

/* Every frame must be free again: a lost put is a failed variant. */
static void
llfree_peer_close(struct llfree_peer *llf, uint64_t frames)
{
	uint64_t free_frames;

	if (llf == NULL)
		return;
	free_frames = llfree_peer_free_frames(llf);
	if (free_frames != frames) {
		printf("error: LLFree: %" PRIu64 " of %" PRIu64 " frames free "
			"at the end\n", free_frames, frames);
		nb_failed++;
	}
	llfree_peer_destroy(llf);
}

/* ---------------------------------------------------------------- */
/* Section 1: grab+free pairs on one lcore                          */

enum pair_kind {
	PK_POOL,        /* labyrinth_alloc_page or rte_mempool_get, 1 by 1 */
	PK_LAB_BULK,    /* labyrinth_alloc_bulk / free_bulk of BULK */
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
	double per_obj, budget = opt.quick ? RUN_BUDGET_NS / 10 :
		RUN_BUDGET_NS;
	uint64_t fit;

	per_obj = (double)pair_run(v, PROBE_OBJS) * tsc_ns / PROBE_OBJS;
	if (per_obj * (double)v->n <= budget)
		return;
	fit = RTE_ALIGN_FLOOR((uint64_t)(budget / per_obj), BULK);
	v->n = RTE_MAX(fit, (uint64_t)PROBE_OBJS);
}

/*
 * Run the variants round-robin, `runs` rounds after a warm-up, and turn
 * each variant's runs into a figure.
 */
static void
pair_measure(const char *section, struct pair_var *vars, unsigned int nv,
		unsigned int runs)
{
	unsigned int r, j;

	for (j = 0; j < nv; j++) {
		if (!pair_usable(&vars[j]))
			continue;
		pair_calibrate(&vars[j]);
		pair_run(&vars[j], RTE_MAX(vars[j].n / 10, (uint64_t)BULK));
	}
	for (r = 0; r < runs; r++) {
		for (j = 0; j < nv; j++) {
			struct pair_var *v = &vars[(r + j) % nv];

			if (!pair_usable(v))
				continue;
			v->ns[r] = (double)pair_run(v, v->n) * tsc_ns /
				(double)v->n;
		}
	}
	for (j = 0; j < nv; j++) {
		struct pair_var *v = &vars[j];

		if (v->fails != 0) {
			printf("error: %s: %" PRIu64 " grabs or frees failed\n",
				v->name, v->fails);
			nb_failed++;
		}
		v->fig = figure_add(section, v->name, v->unit, v->ns, runs,
				pair_usable(v) && v->fails == 0, v->ref);
	}
}

static struct pair_var *
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

static const struct figure *
pair_fig(const struct pair_var *vars, unsigned int nv, const char *name)
{
	unsigned int j;

	for (j = 0; j < nv; j++)
		if (strcmp(vars[j].name, name) == 0)
			return vars[j].fig;
	return NULL;
}

static void
section_pair(void)
{
	enum { P_LAB_C, P_LAB_SC, P_LAB_NC, P_RING_C, P_RING_NC, P_STACK_C,
		P_STACK_NC, P_NB };
	struct bench_pool pools[P_NB] = {
		[P_LAB_C] = { .name = "labyrinth cache 256" },
		[P_LAB_SC] = { .name = "labyrinth strict cache 256" },
		[P_LAB_NC] = { .name = "labyrinth no cache" },
		[P_RING_C] = { .name = "mempool ring_mp_mc cache 256" },
		[P_RING_NC] = { .name = "mempool ring_mp_mc cache 0" },
		[P_STACK_C] = { .name = "mempool stack cache 256" },
		[P_STACK_NC] = { .name = "mempool stack cache 0" },
	};
	struct pair_var vars[64];
	const struct figure *a, *lc, *lnc, *malloc4k, *llf0 = NULL;
	struct llfree_peer *llf;
	char name[80];
	unsigned int nv = 0, i, o;
	uint64_t n = opt.n;
	struct pair_var *v;

	pools[P_LAB_C].lab = lab_create("bench_c", PAGE_4K, POOL_PAGES, CACHE);
	pools[P_LAB_SC].lab = lab_create_flags("bench_sc", PAGE_4K, POOL_PAGES,
			CACHE, LABYRINTH_F_STRICT);
	pools[P_LAB_NC].lab = lab_create("bench_nc", PAGE_4K, POOL_PAGES, 0);
	pools[P_RING_C].mp = mp_create("bench_ring_c", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, CACHE);
	pools[P_RING_NC].mp = mp_create("bench_ring_nc", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, 0);
	pools[P_STACK_C].mp = mp_create("bench_stack_c", "stack", POOL_OBJS,
			PAGE_4K, CACHE);
	pools[P_STACK_NC].mp = mp_create("bench_stack_nc", "stack",
			POOL_OBJS, PAGE_4K, 0);

	pair_add(vars, &nv, "labyrinth cache 256", "ns/pair", PK_POOL,
			&pools[P_LAB_C], n, NAN);
	pair_add(vars, &nv, "labyrinth strict cache 256", "ns/pair", PK_POOL,
			&pools[P_LAB_SC], n, NAN);
	pair_add(vars, &nv, "labyrinth no cache", "ns/pair", PK_POOL,
			&pools[P_LAB_NC], n, NAN);
	pair_add(vars, &nv, "labyrinth bulk 32, cache 256", "ns/page",
			PK_LAB_BULK, &pools[P_LAB_C], n, NAN);
	pair_add(vars, &nv, "labyrinth strict bulk 32, cache 256", "ns/page",
			PK_LAB_BULK, &pools[P_LAB_SC], n, NAN);
	pair_add(vars, &nv, "labyrinth bulk 32, no cache", "ns/page",
			PK_LAB_BULK, &pools[P_LAB_NC], n, NAN);
	for (o = 0; o <= LABYRINTH_MAX_ORDER; o++) {
		fmt_label(name, sizeof(name), "labyrinth order %u (%u KiB)", o,
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, &nv, name, "ns/block", PK_LAB_ORDER,
				&pools[P_LAB_NC], n, NAN);
		v->order = o;
	}
	pair_add(vars, &nv, "mempool ring_mp_mc cache 256", "ns/pair",
			PK_POOL, &pools[P_RING_C], n, 6.7);
	pair_add(vars, &nv, "mempool ring_mp_mc cache 0", "ns/pair", PK_POOL,
			&pools[P_RING_NC], n, 18.7);
	pair_add(vars, &nv, "mempool stack cache 256", "ns/pair", PK_POOL,
			&pools[P_STACK_C], n, NAN);
	pair_add(vars, &nv, "mempool stack cache 0", "ns/pair", PK_POOL,
			&pools[P_STACK_NC], n, NAN);
	pair_add(vars, &nv, "mempool ring_mp_mc bulk 32, cache 256",
			"ns/object", PK_MP_BULK, &pools[P_RING_C], n, 0.6);
	pair_add(vars, &nv, "mempool ring_mp_mc bulk 32, cache 0",
			"ns/object", PK_MP_BULK, &pools[P_RING_NC], n, NAN);
	pair_add(vars, &nv, "mempool stack bulk 32, cache 256", "ns/object",
			PK_MP_BULK, &pools[P_STACK_C], n, NAN);
	pair_add(vars, &nv, "mempool stack bulk 32, cache 0", "ns/object",
			PK_MP_BULK, &pools[P_STACK_NC], n, NAN);
	v = pair_add(vars, &nv, "rte_malloc 4 KiB", "ns/pair", PK_RTE_MALLOC,
			NULL, n, 177);
	v->size = PAGE_4K;
	for (o = 0; o <= LABYRINTH_MAX_ORDER; o++) {
		fmt_label(name, sizeof(name), "rte_malloc %u KiB aligned",
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, &nv, name, "ns/pair", PK_RTE_MALLOC, NULL,
				n, NAN);
		v->size = v->align = (size_t)PAGE_4K << o;
	}
	v = pair_add(vars, &nv, "glibc malloc 4 KiB", "ns/pair", PK_LIBC,
			NULL, n, NAN);
	v->size = PAGE_4K;
	/* LLFree's order 0 (no cache either), when it was built */
	llf = llfree_peer_open(POOL_PAGES);
	if (llf != NULL) {
		v = pair_add(vars, &nv, LLFREE_ORDER0, "ns/pair", PK_LLFREE,
				NULL, n, NAN);
		v->llf = llf;
	}

	pair_measure("pair", vars, nv, opt.runs);
	if (llf != NULL)
		llf0 = pair_fig(vars, nv, LLFREE_ORDER0);

	/* ratios, each to the best relevant anchor */
	lc = pair_fig(vars, nv, "labyrinth cache 256");
	lnc = pair_fig(vars, nv, "labyrinth no cache");
	malloc4k = pair_fig(vars, nv, "rte_malloc 4 KiB");
	figure_vs(vars[0].fig,
		figure_best(pair_fig(vars, nv, "mempool ring_mp_mc cache 256"),
			pair_fig(vars, nv, "mempool stack cache 256")));
	figure_vs(vars[1].fig,
		figure_best(pair_fig(vars, nv, "mempool ring_mp_mc cache 0"),
			pair_fig(vars, nv, "mempool stack cache 0")));
	figure_vs(vars[2].fig, figure_best(
		pair_fig(vars, nv, "mempool ring_mp_mc bulk 32, cache 256"),
		pair_fig(vars, nv, "mempool stack bulk 32, cache 256")));
	figure_vs(vars[3].fig, figure_best(
		pair_fig(vars, nv, "mempool ring_mp_mc bulk 32, cache 0"),
		pair_fig(vars, nv, "mempool stack bulk 32, cache 0")));
	for (o = 0; o <= LABYRINTH_MAX_ORDER; o++) {
		fmt_label(name, sizeof(name), "rte_malloc %u KiB aligned",
			(PAGE_4K << o) / 1024);
		figure_vs(vars[4 + o].fig, pair_fig(vars, nv, name));
	}

	print_table_head("1. grab+free pair, 1 lcore (median of runs; "
		"ratio < 1 means labyrinth is faster)");
	for (i = 0; i < nv; i++)
		print_figure(vars[i].fig);
	if (llf0 == NULL)
		printf("%-52s %9s\n", LLFREE_ORDER0, "not found");
	else if (lnc->valid && llf0->valid)
		printf("labyrinth no cache / %s: %.2fx\n", LLFREE_ORDER0,
			lnc->med / llf0->med);

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

	for (i = 0; i < P_NB; i++) {
		lab_destroy(pools[i].lab);
		rte_mempool_free(pools[i].mp);
	}
	llfree_peer_close(llf, POOL_PAGES);
}

/* ---------------------------------------------------------------- */
/* Section 2: failed grabs on an empty pool                         */

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

static void
section_empty(void)
{
	static const uint32_t sizes[] = { 1u << 10, 1u << 16, 1u << 20 };
	struct empty_var vars[2 * RTE_DIM(sizes) + 2];
	const struct figure *ring;
	unsigned int nv = 0, i, j, r, c;
	double worst = 0, lo[2] = { INFINITY, INFINITY }, hi[2] = { 0, 0 };
	bool all_valid = true;
	char name[40];

	memset(vars, 0, sizeof(vars));
	for (c = 0; c < 2; c++) {
		for (i = 0; i < RTE_DIM(sizes); i++) {
			struct empty_var *v = &vars[nv++];

			fmt_label(v->name, sizeof(v->name),
				"labyrinth %s, %u Ki pages of 64 B",
				c ? "cache 256" : "no cache", sizes[i] >> 10);
			fmt_label(name, sizeof(name), "bench_e%u_%u", c, i);
			v->nb_pages = sizes[i];
			v->bp.lab = lab_create(name, LABYRINTH_PAGE_SIZE_MIN,
					sizes[i], c ? CACHE : 0);
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

	for (j = 0; j < nv; j++)
		if (bp_usable(&vars[j].bp))
			empty_run(&vars[j], opt.n / 10);
	for (r = 0; r < opt.runs; r++) {
		for (j = 0; j < nv; j++) {
			struct empty_var *v = &vars[(r + j) % nv];

			if (bp_usable(&v->bp))
				v->ns[r] = (double)empty_run(v, opt.n) *
					tsc_ns / (double)opt.n;
		}
	}
	for (j = 0; j < nv; j++) {
		struct empty_var *v = &vars[j];

		if (v->fails != 0) {
			printf("error: %s: the pool was not empty\n", v->name);
			nb_failed++;
		}
		v->fig = figure_add("empty", v->name, "ns/fail", v->ns,
				opt.runs, bp_usable(&v->bp) && v->fails == 0,
				j == nv - 2 ? 4.8 : NAN);
	}
	ring = vars[nv - 2].fig;
	for (j = 0; j < nv - 2; j++)
		figure_vs(vars[j].fig, ring);

	print_table_head("2. failed grab on an empty pool, 1 lcore (all pages "
		"held, GFP_NORMAL)");
	for (j = 0; j < nv; j++)
		print_figure(vars[j].fig);

	for (j = 0; j < nv - 2; j++) {
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

	for (j = 0; j < nv; j++) {
		empty_release(&vars[j]);
		lab_destroy(vars[j].bp.lab);
		rte_mempool_free(vars[j].bp.mp);
	}
}

/* ---------------------------------------------------------------- */
/* Section 3: scaling over lcores                                   */

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

struct scale_slot {
	uint64_t t0, t1;     /* TSC at start and end */
	uint64_t done;       /* pairs completed */
	uint64_t fails;
} __rte_cache_aligned;

/* Written by the main lcore before launch; read-only while running. */
struct scale_job {
	const struct scale_var *v;
	uint64_t n;                          /* most pairs per lcore */
	bool oversub;                        /* lcores share CPUs */
	unsigned int slot_of[RTE_MAX_LCORE]; /* lcore id -> slot */
	uint32_t arrived __rte_cache_aligned; /* start barrier */
	uint32_t stop __rte_cache_aligned;   /* set by scale_timer() */
	struct scale_slot slot[SCALE_MAX_LCORES];
};

/*
 * The time limit of a run: a plain thread that sleeps until the limit, or
 * until the main lcore says the run ended, and then raises job->stop.
 */
struct scale_timer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool finished;                       /* under lock */
	uint64_t limit_ns;
	struct scale_job *job;
};

/* Ring i carries pages from slot i to slot (i + 1) % k. */
static struct rte_ring *remote_ring[SCALE_MAX_LCORES];

/* CPUs the lcores may run on, all lcores together. */
static unsigned int nb_cpus;

/* Whether some lcores share a CPU (--lcores '(0-7)@(0,1)'). */
static bool cpus_shared;

static unsigned int
count_lcore_cpus(void)
{
	rte_cpuset_t all, one;
	unsigned int lcore, sum = 0;

	CPU_ZERO(&all);
	RTE_LCORE_FOREACH(lcore) {
		one = rte_lcore_cpuset(lcore);
		sum += (unsigned int)CPU_COUNT(&one);
		CPU_OR(&all, &all, &one);
	}
	cpus_shared = sum > (unsigned int)CPU_COUNT(&all);
	return (unsigned int)CPU_COUNT(&all);
}

/*
 * The start barrier. It lines up the start times and publishes no data:
 * the job was written before rte_eal_remote_launch(), which stores the
 * function pointer with release and the worker loads it with acquire
 * (eal_thread_loop); the results are read after rte_eal_wait_lcore(),
 * whose acquire load of the lcore state pairs with the worker's release
 * store of WAIT. So relaxed is enough for both operations.
 */
static void
scale_barrier(struct scale_job *job)
{
	unsigned int spins = 0;

	/* Relaxed: an arrival count only, see above. */
	__atomic_fetch_add(&job->arrived, 1, __ATOMIC_RELAXED);
	/* Relaxed: waits for the count, consumes no data (see above). */
	while (__atomic_load_n(&job->arrived, __ATOMIC_RELAXED) <
			job->v->k) {
		rte_pause();
		/* oversubscribed lcores share CPUs: let the late ones run */
		if (++spins % 1024 == 0)
			sched_yield();
	}
}

/*
 * A run stops after n pairs or when the timer raises job->stop, whichever
 * comes first: a collapsing ring, or oversubscribed lcores waiting for a
 * preempted one, would otherwise take minutes. The flag is read once
 * every STOP_EVERY pairs (local) or every round (remote): a load from a
 * line nobody writes until the end, so it stays in the lcore's cache.
 */
#define STOP_EVERY 8u

static void *
scale_timer_main(void *arg)
{
	struct scale_timer *t = arg;
	struct timespec ts;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(t->limit_ns / 1000000000u);
	ts.tv_nsec += (long)(t->limit_ns % 1000000000u);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&t->lock);
	while (!t->finished && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&t->cond, &t->lock, &ts);
	if (!t->finished)
		/* Relaxed: the flag publishes no data; the lcores only need
		 * to see it eventually, and stop at their next check. */
		__atomic_store_n(&t->job->stop, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void
scale_timer_start(struct scale_timer *t, struct scale_job *job,
		uint64_t limit_ns)
{
	pthread_condattr_t attr;

	t->finished = false;
	t->limit_ns = limit_ns;
	t->job = job;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&t->thread, NULL, scale_timer_main, t) != 0)
		rte_exit(EXIT_FAILURE, "cannot start the timer thread\n");
}

static void
scale_timer_stop(struct scale_timer *t)
{
	pthread_mutex_lock(&t->lock);
	t->finished = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
}

/* Relaxed: see scale_timer_main(); no data is consumed through it. */
#define STOPPED(job) \
	unlikely(__atomic_load_n(&(job)->stop, __ATOMIC_RELAXED))

/* 8< scale loops */
static __rte_always_inline uint64_t
scale_local(const struct bench_pool *bp, uint64_t n,
		const struct scale_job *job, uint64_t *fails, const bool lab)
{
	uint64_t i, bad = 0;

	for (i = 0; i < n; i++) {
		void *p;

		if (i % STOP_EVERY == 0 && STOPPED(job))
			break;
		p = bp_get(bp, lab);
		if (unlikely(p == NULL)) {
			bad++;
			continue;
		}
		KEEP(p);
		bad += bp_put(bp, p, lab);
	}
	*fails = bad;
	return i;
}

/*
 * Grab up to BULK pages one by one, pass them to the next lcore through
 * an SPSC ring, free what the previous lcore passed; until n pages went
 * each way or time is up. A grab that finds the pool empty is retried
 * later (pages are in flight), not counted as a failure. With more lcores
 * than CPUs (yield_idle), a round that moved nothing yields the CPU: the
 * lcore it waits for may be the one that is not running. Pages still in
 * the rings at the deadline are freed by the main lcore (scale_drain()).
 * Returns the pages this lcore freed.
 */
static __rte_always_inline uint64_t
scale_remote(const struct bench_pool *bp, uint64_t n,
		const struct scale_job *job, struct rte_ring *out,
		struct rte_ring *in, uint64_t *fails, const bool lab)
{
	void *held[BULK], *got[BULK];
	unsigned int nb_held = 0, first = 0, m, i, sent;
	uint64_t grabbed = 0, freed = 0, bad = 0;
	bool yield_idle = job->oversub;

	while (grabbed < n || nb_held > 0 || freed < n) {
		if (STOPPED(job))
			break;
		if (nb_held == 0 && grabbed < n) {
			unsigned int want = (unsigned int)RTE_MIN(
					(uint64_t)BULK, n - grabbed);
			void *p;

			first = 0;
			while (nb_held < want &&
					(p = bp_get(bp, lab)) != NULL)
				held[nb_held++] = p;
			grabbed += nb_held;
		}
		sent = 0;
		if (nb_held > 0) {
			sent = rte_ring_sp_enqueue_burst(out, &held[first],
					nb_held, NULL);
			first += sent;
			nb_held -= sent;
		}
		m = rte_ring_sc_dequeue_burst(in, got, BULK, NULL);
		for (i = 0; i < m; i++)
			bad += bp_put(bp, got[i], lab);
		freed += m;
		if (unlikely(yield_idle && sent == 0 && m == 0))
			sched_yield();
	}
	for (i = 0; i < nb_held; i++)
		bad += bp_put(bp, held[first + i], lab);
	*fails = bad;
	return freed;
}
/* >8 scale loops */

static int
scale_lcore(void *arg)
{
	struct scale_job *job = arg;
	const struct scale_var *v = job->v;
	unsigned int s = job->slot_of[rte_lcore_id()];
	struct scale_slot *slot = &job->slot[s];
	struct rte_ring *out = remote_ring[s];
	struct rte_ring *in = remote_ring[(s + v->k - 1) % v->k];
	bool lab = v->bp->lab != NULL;

	scale_barrier(job);
	slot->t0 = rte_rdtsc_precise();
	if (!v->remote)
		slot->done = lab ?
			scale_local(v->bp, job->n, job, &slot->fails, true) :
			scale_local(v->bp, job->n, job, &slot->fails, false);
	else
		slot->done = lab ?
			scale_remote(v->bp, job->n, job, out, in,
				&slot->fails, true) :
			scale_remote(v->bp, job->n, job, out, in,
				&slot->fails, false);
	slot->t1 = rte_rdtsc_precise();
	return 0;
}

/* Free what a time-limited remote run left in the rings (main lcore). */
static uint64_t
scale_drain(const struct scale_var *v)
{
	void *objs[BULK];
	unsigned int s, m, i;
	uint64_t bad = 0;
	bool lab = v->bp->lab != NULL;

	for (s = 0; s < v->k; s++)
		while ((m = rte_ring_sc_dequeue_burst(remote_ring[s], objs,
				BULK, NULL)) > 0)
			for (i = 0; i < m; i++)
				bad += lab ? bp_put(v->bp, objs[i], true) :
					bp_put(v->bp, objs[i], false);
	return bad;
}

/*
 * Run a variant on its k lcores (the main one is slot 0): at most total
 * pairs, for at most about limit_ns. Returns the wall cycles (first start
 * to last end) and the pairs done.
 */
static uint64_t
scale_run(struct scale_var *v, struct scale_job *job, uint64_t total,
		uint64_t limit_ns, uint64_t *done)
{
	struct scale_timer timer;
	unsigned int lcore, s = 1;
	uint64_t t0 = UINT64_MAX, t1 = 0;

	memset(job, 0, sizeof(*job));
	job->v = v;
	job->n = total / v->k;
	job->oversub = cpus_shared;
	scale_timer_start(&timer, job, limit_ns);
	job->slot_of[rte_lcore_id()] = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (s == v->k)
			break;
		job->slot_of[lcore] = s++;
		if (rte_eal_remote_launch(scale_lcore, job, lcore) != 0)
			rte_exit(EXIT_FAILURE, "cannot launch lcore %u\n",
				lcore);
	}
	scale_lcore(job);
	s = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (s++ == v->k)
			break;
		rte_eal_wait_lcore(lcore);
	}
	scale_timer_stop(&timer);
	*done = 0;
	for (s = 0; s < v->k; s++) {
		t0 = RTE_MIN(t0, job->slot[s].t0);
		t1 = RTE_MAX(t1, job->slot[s].t1);
		v->fails += job->slot[s].fails;
		*done += job->slot[s].done;
	}
	if (v->remote)
		v->fails += scale_drain(v);
	return t1 - t0;
}

static void
section_scale(void)
{
	enum { S_LAB_NC, S_RING_NC, S_LAB_C, S_RING_C, S_NB };
	static const unsigned int ks[] = { 1, 2, 4, 8 };
	struct bench_pool pools[S_NB] = {
		[S_LAB_NC] = { .name = "labyrinth no cache" },
		[S_RING_NC] = { .name = "mempool ring_mp_mc cache 0",
				.ref_ns = 141 },
		[S_LAB_C] = { .name = "labyrinth cache 256" },
		[S_RING_C] = { .name = "mempool ring_mp_mc cache 256" },
	};
	struct scale_var vars[S_NB * RTE_DIM(ks) * 2];
	struct scale_job *job;
	unsigned int nv = 0, nb_lcores = rte_lcore_count(), p, i, m, r, j;
	char name[80];
	uint64_t total = opt.n_scale, done;
	uint64_t limit = (uint64_t)(opt.quick ? SCALE_BUDGET_NS / 10 :
			SCALE_BUDGET_NS);

	nb_cpus = count_lcore_cpus();
	if (nb_lcores < 2)
		printf("\nnote: scale: 1 lcore only; run with -l 0-1 for 2 "
			"lcores, --lcores '(0-7)@(0,1)' for 4 and 8\n");
	job = rte_zmalloc("bench_scale_job", sizeof(*job), RTE_CACHE_LINE_SIZE);
	if (job == NULL)
		rte_exit(EXIT_FAILURE, "cannot allocate the scale job\n");
	for (i = 0; i < RTE_MIN(nb_lcores, (unsigned int)SCALE_MAX_LCORES);
			i++) {
		fmt_label(name, sizeof(name), "bench_remote%u", i);
		remote_ring[i] = rte_ring_create(name, REMOTE_RING_SIZE,
				(int)rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (remote_ring[i] == NULL)
			rte_exit(EXIT_FAILURE, "cannot create ring %s: %s\n",
				name, rte_strerror(rte_errno));
	}
	pools[S_LAB_NC].lab = lab_create("bench_s_nc", PAGE_4K, POOL_PAGES, 0);
	pools[S_LAB_C].lab = lab_create("bench_s_c", PAGE_4K, POOL_PAGES,
			CACHE);
	pools[S_RING_NC].mp = mp_create("bench_s_ring_nc", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, 0);
	pools[S_RING_C].mp = mp_create("bench_s_ring_c", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, CACHE);
	for (p = 0; p < S_NB; p++)
		if (pools[p].ref_ns == 0)
			pools[p].ref_ns = NAN;

	memset(vars, 0, sizeof(vars));
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

	for (j = 0; j < nv; j++)
		if (bp_usable(vars[j].bp))
			scale_run(&vars[j], job, total / 10, limit / 10, &done);
	for (r = 0; r < opt.runs; r++) {
		for (j = 0; j < nv; j++) {
			struct scale_var *v = &vars[(r + j) % nv];
			double ns;

			if (!bp_usable(v->bp))
				continue;
			ns = (double)scale_run(v, job, total, limit, &done) *
				tsc_ns;
			if (opt.verbose)
				printf("  %s: run %u: %.1f ms, %" PRIu64
					" pairs\n", v->name, r, ns / 1e6,
					done);
			if (done < total / v->k * v->k)
				v->cut++;
			done = RTE_MAX(done, (uint64_t)1);
			v->mops[r] = (double)done * 1e3 / ns;
			v->nsop[r] = ns * v->k / (double)done;
		}
	}
	for (j = 0; j < nv; j++) {
		struct scale_var *v = &vars[j];
		bool ok = bp_usable(v->bp) && v->fails == 0;

		if (v->fails != 0) {
			printf("error: %s: %" PRIu64 " grabs or frees failed\n",
				v->name, v->fails);
			nb_failed++;
		}
		v->fig_mops = figure_add("scale", v->name, "Mpairs/s",
				v->mops, opt.runs, ok, NAN);
		v->fig_ns = figure_add("scale", v->name, "ns/pair", v->nsop,
				opt.runs, ok,
				v->k == 2 && !v->remote ? v->bp->ref_ns : NAN);
	}
	/* ratios: labyrinth to its mempool counterpart, same k and mode */
	for (j = 0; j < nv; j++)
		if (vars[j].bp->lab != NULL)
			figure_vs(vars[j].fig_ns, vars[j + 1].fig_ns);

	printf("\n== 3. scaling: aggregate grab+free pairs over lcores "
		"(ns/pair is per lcore) ==\n");
	printf("lcores: %u on %u CPUs%s\n", nb_lcores, nb_cpus,
		cpus_shared ? " (lcores share CPUs: oversubscribed, not "
		"pinned; idle remote-free rounds yield the CPU)" :
		" (pinned)");
	printf("%-52s %9s %9s %9s %-9s %7s  %s\n", "variant", "median",
		"min", "max", "unit", "ref", "ratio vs anchor");
	for (j = 0; j < nv; j++) {
		struct scale_var *v = &vars[j];

		print_figure(v->fig_mops);
		print_figure(v->fig_ns);
	}
	printf("aggregate vs 1 lcore of the same pool (median of the per-round "
		"ratios):\n");
	for (j = 0; j < nv; j++) {
		struct scale_var *v = &vars[j], *one = NULL;
		double ratio[MAX_RUNS];
		struct figure *f;
		unsigned int q;

		if (v->k == 1)
			continue;
		for (q = 0; q < nv; q++)
			if (vars[q].bp == v->bp && vars[q].k == 1)
				one = &vars[q];
		if (one == NULL)
			continue;
		/* paired: round r's k-lcore run against round r's 1-lcore */
		for (r = 0; r < opt.runs; r++)
			ratio[r] = v->mops[r] / one->mops[r];
		f = figure_add("scale", v->name, "x 1 lcore", ratio, opt.runs,
				v->fig_mops->valid && one->fig_mops->valid,
				NAN);
		print_figure(f);
		/* the target is for pinned lcores (-l 0-1) */
		if (v->k == 2 && !v->remote && v->bp == &pools[S_LAB_NC] &&
				!cpus_shared)
			target_add("scale: cache-less 2-lcore aggregate / "
				"1 lcore", f->med, false, 1.8);
	}

	for (j = 0; j < nv; j++)
		if (vars[j].cut != 0)
			printf("  time-limited: %s: %u of %u runs stopped at "
				"%.0f ms before %" PRIu64 " pairs\n",
				vars[j].name, vars[j].cut, opt.runs,
				(double)limit / 1e6, total);

	for (p = 0; p < S_NB; p++) {
		lab_destroy(pools[p].lab);
		rte_mempool_free(pools[p].mp);
	}
	for (i = 0; i < SCALE_MAX_LCORES; i++) {
		rte_ring_free(remote_ring[i]);
		remote_ring[i] = NULL;
	}
	rte_free(job);
}

/* ---------------------------------------------------------------- */
/* Section 4: latency of single grabs                               */

struct lat_var {
	char name[80];
	struct bench_pool *bp;   /* NULL: the timer alone */
	uint64_t fails;
	uint64_t *hist;          /* all runs, for the CDF */
	double pct[4][MAX_RUNS]; /* p50, p99, p99.9, max in ns */
};

static const double lat_q[3] = { 0.50, 0.99, 0.999 };
static const char * const lat_label[4] = { "p50", "p99", "p99.9", "max" };

/* 8< latency loop */
static __rte_always_inline void
lat_loop(const struct bench_pool *bp, uint32_t *cyc, uint64_t n,
		uint64_t *fails, const bool lab)
{
	void *pages[LAT_BATCH];
	uint64_t done, bad = 0, t0;
	unsigned int i;

	for (done = 0; done < n; done += LAT_BATCH) {
		for (i = 0; i < LAT_BATCH; i++) {
			t0 = rte_rdtsc();
			rte_compiler_barrier();
			pages[i] = bp_get(bp, lab);
			rte_compiler_barrier();
			cyc[done + i] = (uint32_t)RTE_MIN(rte_rdtsc() - t0,
					(uint64_t)UINT32_MAX);
		}
		for (i = 0; i < LAT_BATCH; i++) {
			if (unlikely(pages[i] == NULL))
				bad++;
			else
				bad += bp_put(bp, pages[i], lab);
		}
	}
	*fails += bad;
}
/* >8 latency loop */

static void
lat_timer_only(uint32_t *cyc, uint64_t n)
{
	uint64_t i, t0;

	for (i = 0; i < n; i++) {
		t0 = rte_rdtsc();
		rte_compiler_barrier();
		cyc[i] = (uint32_t)(rte_rdtsc() - t0);
	}
}

static void
lat_run(struct lat_var *v, uint32_t *cyc, uint64_t n)
{
	if (v->bp == NULL)
		lat_timer_only(cyc, n);
	else if (v->bp->lab != NULL)
		lat_loop(v->bp, cyc, n, &v->fails, true);
	else
		lat_loop(v->bp, cyc, n, &v->fails, false);
}

/* Percentiles of one run, in ns, from a histogram of cycles. */
static void
lat_percentiles(struct lat_var *v, unsigned int r, const uint32_t *cyc,
		uint64_t n, uint32_t *hist)
{
	uint64_t i, acc = 0, max = 0;
	unsigned int q = 0;

	memset(hist, 0, HIST_CYCLES * sizeof(*hist));
	for (i = 0; i < n; i++) {
		hist[RTE_MIN(cyc[i], HIST_CYCLES - 1)]++;
		max = RTE_MAX(max, (uint64_t)cyc[i]);
	}
	for (i = 0; i < HIST_CYCLES && q < RTE_DIM(lat_q); i++) {
		acc += hist[i];
		v->hist[i] += hist[i];
		/* the smallest value with at least q of the samples */
		while (q < RTE_DIM(lat_q) && acc >= ceil(lat_q[q] * n)) {
			uint64_t c = i == HIST_CYCLES - 1 ? max : i;

			v->pct[q][r] = (double)c * tsc_ns;
			q++;
		}
	}
	for (; i < HIST_CYCLES; i++)
		v->hist[i] += hist[i];
	v->pct[3][r] = (double)max * tsc_ns;
}

static void
lat_write_cdf(const struct lat_var *vars, unsigned int nv)
{
	FILE *f;
	unsigned int j;
	uint64_t i, total, acc;

	f = fopen(opt.cdf_path, "w");
	if (f == NULL) {
		printf("error: cannot write %s: %s\n", opt.cdf_path,
			strerror(errno));
		nb_failed++;
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
			fprintf(f, "%.2f %.7f\n", (double)i * tsc_ns,
				(double)acc / (double)total);
		}
	}
	fclose(f);
	printf("latency CDF written to %s\n", opt.cdf_path);
}

static void
section_latency(void)
{
	enum { L_LAB_C, L_LAB_NC, L_RING_C, L_RING_NC, L_NB };
	struct bench_pool pools[L_NB] = {
		[L_LAB_C] = { .name = "labyrinth cache 256" },
		[L_LAB_NC] = { .name = "labyrinth no cache" },
		[L_RING_C] = { .name = "mempool ring_mp_mc cache 256" },
		[L_RING_NC] = { .name = "mempool ring_mp_mc cache 0" },
	};
	struct lat_var vars[L_NB + 1];
	uint64_t n = RTE_ALIGN_CEIL(opt.n_lat, LAT_BATCH);
	uint32_t *cyc, *hist;
	unsigned int nv = L_NB + 1, j, r, q;
	char name[96];

	pools[L_LAB_C].lab = lab_create("bench_l_c", PAGE_4K, POOL_PAGES,
			CACHE);
	pools[L_LAB_NC].lab = lab_create("bench_l_nc", PAGE_4K, POOL_PAGES, 0);
	pools[L_RING_C].mp = mp_create("bench_l_ring_c", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, CACHE);
	pools[L_RING_NC].mp = mp_create("bench_l_ring_nc", "ring_mp_mc",
			POOL_OBJS, PAGE_4K, 0);

	cyc = malloc(n * sizeof(*cyc));
	hist = malloc(HIST_CYCLES * sizeof(*hist));
	memset(vars, 0, sizeof(vars));
	for (j = 0; j < nv; j++) {
		vars[j].bp = j < L_NB ? &pools[j] : NULL;
		fmt_label(vars[j].name, sizeof(vars[j].name), "%s",
			j < L_NB ? pools[j].name : "timer alone (rdtsc pair)");
		vars[j].hist = calloc(HIST_CYCLES, sizeof(*vars[j].hist));
		if (vars[j].hist == NULL)
			rte_exit(EXIT_FAILURE, "out of memory\n");
	}
	if (cyc == NULL || hist == NULL)
		rte_exit(EXIT_FAILURE, "out of memory\n");

	for (j = 0; j < nv; j++)
		if (vars[j].bp == NULL || bp_usable(vars[j].bp))
			lat_run(&vars[j], cyc,
				RTE_ALIGN_CEIL(n / 10, LAT_BATCH));
	for (r = 0; r < opt.runs; r++) {
		for (j = 0; j < nv; j++) {
			struct lat_var *v = &vars[(r + j) % nv];

			if (v->bp != NULL && !bp_usable(v->bp))
				continue;
			lat_run(v, cyc, n);
			lat_percentiles(v, r, cyc, n, hist);
		}
	}

	print_table_head("4. latency of single grabs, 1 lcore (rdtsc around "
		"each grab; batches of 32 grabs, then 32 untimed frees)");
	for (j = 0; j < nv; j++) {
		struct lat_var *v = &vars[j];
		bool ok = (v->bp == NULL || bp_usable(v->bp)) && v->fails == 0;
		struct figure *f[4];

		if (v->fails != 0) {
			printf("error: %s: %" PRIu64 " grabs or frees failed\n",
				v->name, v->fails);
			nb_failed++;
		}
		for (q = 0; q < 4; q++) {
			fmt_label(name, sizeof(name), "%s %s", v->name,
				lat_label[q]);
			f[q] = figure_add("latency", name, "ns", v->pct[q],
					opt.runs, ok, NAN);
		}
		for (q = 0; q < 4; q++)
			print_figure(f[q]);
		if (j == L_LAB_C || j == L_LAB_NC) {
			fmt_label(name, sizeof(name), "latency: %s p99.9 / p50",
				v->name);
			target_add(name, ok ? f[2]->med / f[0]->med : NAN,
				true, 4.0);
		}
	}
	/* ratios to the mempool of the same cache size, now that it exists */
	for (j = 0; j < 2; j++) {
		unsigned int base = nb_figures - 4 * nv;

		for (q = 0; q < 4; q++)
			figure_vs(&figures[base + 4 * j + q],
				&figures[base + 4 * (j + L_RING_C) + q]);
	}
	printf("ratios vs the mempool of the same cache size:\n");
	for (j = 0; j < 2; j++) {
		unsigned int base = nb_figures - 4 * nv;

		for (q = 0; q < 4; q++) {
			const struct figure *f = &figures[base + 4 * j + q];

			if (!isnan(f->ratio))
				printf("  %-50s %.2fx %s\n", f->name, f->ratio,
					f->vs);
		}
	}

	if (opt.cdf_path != NULL)
		lat_write_cdf(vars, nv);
	for (j = 0; j < nv; j++)
		free(vars[j].hist);
	free(hist);
	free(cyc);
	for (j = 0; j < L_NB; j++) {
		lab_destroy(pools[j].lab);
		rte_mempool_free(pools[j].mp);
	}
}

/* ---------------------------------------------------------------- */
/* Section 5: metadata bytes per page                               */

/* Bytes allocated from the DPDK heaps (memzones included). */
static uint64_t
heap_allocated(void)
{
	struct rte_malloc_socket_stats s;
	unsigned int i;
	uint64_t total = 0;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
				&s) == 0)
			total += s.heap_allocsz_bytes;
	return total;
}

static void
meta_one(const char *name, uint32_t page_size, uint32_t nb_pages,
		uint32_t cache, const char *ops, double *bytes_per_page)
{
	struct labyrinth *lab = NULL;
	struct rte_mempool *mp = NULL;
	uint64_t before, after, data = (uint64_t)page_size * nb_pages;
	double per_page = NAN, stat_per_page = NAN;
	struct labyrinth_stats st;
	char desc[80], v[16], sv[16];

	before = heap_allocated();
	if (ops == NULL)
		lab = lab_create("bench_meta", page_size, nb_pages, cache);
	else
		mp = mp_create("bench_meta", ops, nb_pages, page_size, cache);
	after = heap_allocated();
	if (lab != NULL || mp != NULL)
		per_page = ((double)after - (double)before - (double)data) /
			nb_pages;
	if (lab != NULL && labyrinth_stats_get(lab, &st) == 0)
		stat_per_page = (double)st.metadata_bytes / nb_pages;
	fmt_label(desc, sizeof(desc), "%s, %u x %u B, cache %u", name,
		nb_pages, page_size, cache);
	fmt_num(v, sizeof(v), per_page);
	fmt_num(sv, sizeof(sv), stat_per_page);
	printf("%-52s %12" PRIu64 " %12" PRIu64 " %9s %8.3f%% %9s\n", desc,
		after - before, data, v, per_page / page_size * 100, sv);
	figure_add("meta", desc, "B/page", &per_page, 1, !isnan(per_page),
		NAN);
	if (lab != NULL) {
		fmt_label(desc, sizeof(desc), "%s, %u x %u B, cache %u "
			"(stats.metadata_bytes)", name, nb_pages, page_size,
			cache);
		figure_add("meta", desc, "B/page", &stat_per_page, 1,
			!isnan(stat_per_page), NAN);
	}
	if (bytes_per_page != NULL)
		*bytes_per_page = per_page;
	lab_destroy(lab);
	rte_mempool_free(mp);
}

static void
section_meta(void)
{
	double lab_small, lab_big;

	printf("\n== 5. metadata: DPDK heap bytes beyond the page bytes, "
		"per page (rte_malloc_get_socket_stats before/after create) "
		"==\n");
	printf("%-52s %12s %12s %9s %9s %9s\n", "pool", "heap bytes",
		"page bytes", "B/page", "of page", "stat B/pg");
	meta_one("labyrinth", PAGE_4K, POOL_PAGES, CACHE, NULL, &lab_small);
	meta_one("labyrinth", PAGE_4K, 4 * POOL_PAGES, CACHE, NULL,
		&lab_big);
	meta_one("labyrinth", PAGE_4K, 4 * POOL_PAGES, 0, NULL, NULL);
	meta_one("labyrinth", LABYRINTH_PAGE_SIZE_MIN, 1u << 20, CACHE, NULL,
		NULL);
	meta_one("mempool ring_mp_mc", PAGE_4K, POOL_OBJS, CACHE,
		"ring_mp_mc", NULL);
	meta_one("mempool ring_mp_mc", PAGE_4K, 4 * POOL_OBJS, CACHE,
		"ring_mp_mc", NULL);
	meta_one("mempool stack", PAGE_4K, 4 * POOL_OBJS, 0, "stack", NULL);
	printf("(heap bytes include memzone and malloc-element overheads and "
		"every per-lcore structure; RTE_MAX_LCORE = %d; stat B/pg is "
		"labyrinth_stats.metadata_bytes per page)\n", RTE_MAX_LCORE);
	target_add("meta: metadata % of page bytes, 4 KiB x 8 Ki pages",
		lab_small / PAGE_4K * 100, true, 1.0);
	target_add("meta: metadata % of page bytes, 4 KiB x 32 Ki pages",
		lab_big / PAGE_4K * 100, true, 1.0);
}

/* ---------------------------------------------------------------- */
/* Section 6: cache-less pairs by order, beside LLFree              */

/*
 * For each order k of 0 .. LABYRINTH_MAX_ORDER: labyrinth_alloc_pages +
 * labyrinth_free_pages of order k on a cache-less pool of POOL_PAGES
 * pages of 4 KiB, and llfree_get + llfree_put of order k on an LLFree of
 * as many 4 KiB frames (local slot 0 of its simple classing). All 2 x 10
 * variants alternate round-robin in pair_measure(), at least
 * LLFREE_MIN_RUNS rounds.
 */
static void
section_llfree(void)
{
	enum { NB_ORDERS = LABYRINTH_MAX_ORDER + 1 };
	struct bench_pool pool = { .name = "labyrinth no cache" };
	struct pair_var vars[2 * NB_ORDERS], *v;
	unsigned int nv = 0, o, runs = RTE_MAX(opt.runs, LLFREE_MIN_RUNS);
	struct llfree_peer *llf;
	struct labyrinth_stats st;
	char name[80];

	pool.lab = lab_create("bench_llf", PAGE_4K, POOL_PAGES, 0);
	llf = llfree_peer_open(POOL_PAGES);
	for (o = 0; o < NB_ORDERS; o++) {
		fmt_label(name, sizeof(name), "labyrinth order %u (%u KiB)", o,
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, &nv, name, "ns/pair", PK_LAB_ORDER, &pool,
				opt.n, NAN);
		v->order = o;
		fmt_label(name, sizeof(name), "LLFree order %u (%u KiB)", o,
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, &nv, name, "ns/pair", PK_LLFREE, NULL,
				opt.n, NAN);
		v->order = o;
		v->llf = llf;
	}

	pair_measure("llfree", vars, nv, runs);
	for (o = 0; o < NB_ORDERS; o++)
		figure_vs(vars[2 * o].fig, vars[2 * o + 1].fig);

	printf("\n== 6. cache-less grab+free pair by order, 1 lcore, beside "
		"LLFree (median of %u rounds; ratio < 1 means labyrinth is "
		"faster) ==\n", runs);
	printf("labyrinth: labyrinth_alloc_pages + labyrinth_free_pages, %u "
		"pages of 4 KiB, cache 0; LLFree: llfree_get + llfree_put, %u "
		"frames, local slot 0\n", POOL_PAGES, POOL_PAGES);
	printf("%5s %9s %18s %18s %7s   %s\n", "order", "block",
		"labyrinth ns/pair", "LLFree ns/pair", "ratio",
		"labyrinth min..max, LLFree min..max");
	for (o = 0; o < NB_ORDERS; o++) {
		const struct figure *l = vars[2 * o].fig;
		const struct figure *p = vars[2 * o + 1].fig;
		char lm[16], pm[16], lmin[16], lmax[16], pmin[16], pmax[16];
		char ratio[16], block[16], prange[40] = "";

		fmt_num(lm, sizeof(lm), l->med);
		fmt_num(lmin, sizeof(lmin), l->min);
		fmt_num(lmax, sizeof(lmax), l->max);
		fmt_num(pmin, sizeof(pmin), p->min);
		fmt_num(pmax, sizeof(pmax), p->max);
		if (LLFREE_BUILT)
			fmt_num(pm, sizeof(pm), p->med);
		else
			fmt_label(pm, sizeof(pm), "not found");
		if (p->valid)
			fmt_label(prange, sizeof(prange), ", %s..%s", pmin,
				pmax);
		fmt_num(ratio, sizeof(ratio), l->ratio);
		fmt_label(block, sizeof(block), "%u KiB",
			(PAGE_4K << o) / 1024);
		printf("%5u %9s %18s %18s %7s   %s..%s%s\n", o, block, lm, pm,
			ratio, lmin, lmax, prange);
	}
	if (LLFREE_BUILT)
		printf("LLFree: %s with make DEBUG=0 CC=clang (-O2 "
			"-march=native, asserts kept); labyrinth: -O2 "
			"-march=%s\n", BENCH_LLFREE_WHY, BENCH_MARCH);
	else
		printf("LLFree: %s\n", BENCH_LLFREE_WHY);
	if (pool.lab != NULL && labyrinth_stats_get(pool.lab, &st) == 0)
		printf("metadata: labyrinth %" PRIu64 " B "
			"(stats.metadata_bytes)", (uint64_t)st.metadata_bytes);
	if (llf != NULL)
		printf("%sLLFree %" PRIu64 " B (llfree_metadata_size)",
			pool.lab != NULL ? ", " : "metadata: ",
			llfree_peer_meta_bytes(llf));
	if (pool.lab != NULL || llf != NULL)
		printf(", for %u pages of 4 KiB\n", POOL_PAGES);

	llfree_peer_close(llf, POOL_PAGES);
	lab_destroy(pool.lab);
}

/* ---------------------------------------------------------------- */
/* Header and JSON                                                  */

static void
cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *colon;

	fmt_label(buf, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		colon = strchr(line, ':');
		if (colon != NULL) {
			fmt_label(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = '\0';
		}
		break;
	}
	fclose(f);
}

static const char *
isa_string(void)
{
	return "SSE4.2 "
#ifdef __SSE4_2__
		"yes"
#else
		"no"
#endif
		", AVX "
#ifdef __AVX__
		"yes"
#else
		"no"
#endif
		", AVX2 "
#ifdef __AVX2__
		"yes"
#else
		"no"
#endif
		", AVX-512F "
#ifdef __AVX512F__
		"yes";
#else
		"no";
#endif
}

/*
 * The usual step of the TSC as read: on some CPUs (AMD Zen) it advances in
 * steps of tens of cycles, which quantises single-grab latencies. The most
 * frequent step of 1000 is taken: a rare odd step (a virtual TSC being
 * adjusted, an interrupt) must not decide.
 */
static uint64_t
tsc_step(void)
{
	static uint16_t seen[256];
	uint64_t t0, t1, best = 0;
	unsigned int i;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 1000; i++) {
		t0 = rte_rdtsc();
		do
			t1 = rte_rdtsc();
		while (t1 == t0);
		if (t1 - t0 < RTE_DIM(seen))
			seen[t1 - t0]++;
	}
	for (i = 1; i < RTE_DIM(seen); i++)
		if (seen[i] > seen[best])
			best = i;
	return best;
}

static void
read_loadavg(void)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(loadavg, sizeof(loadavg), "unknown");
	if (f == NULL)
		return;
	if (fgets(loadavg, sizeof(loadavg), f) != NULL) {
		/* the 1, 5 and 15 minute averages only */
		char *p = loadavg;
		int fields = 0;

		while (*p != '\0' && !(*p == ' ' && ++fields == 3))
			p++;
		*p = '\0';
	}
	fclose(f);
}

static void
print_header(char *cpu, size_t cpu_len)
{
	cpu_model(cpu, cpu_len);
	read_loadavg();
	tsc_resolution = tsc_step();
	printf("labyrinth-bench: %s, gcc %s\n", rte_version(), __VERSION__);
	printf("cpu: %s, TSC %.1f MHz, %u lcores (main lcore %u)\n", cpu,
		(double)rte_get_tsc_hz() / 1e6, rte_lcore_count(),
		rte_get_main_lcore());
	printf("TSC step: %" PRIu64 " cycles = %.1f ns (resolution of each "
		"single-grab latency sample)\n", tsc_resolution,
		(double)tsc_resolution * tsc_ns);
	printf("-march=%s (added by `pkg-config --cflags libdpdk`; "
		"Debian's DPDK libraries are built for it too); ISA the "
		"compiler targeted: %s\n", BENCH_MARCH, isa_string());
	printf("load average at start: %s (other processes on these CPUs "
		"disturb the figures)\n", loadavg);
	printf("memory: %s\n", rte_eal_has_hugepages() ?
		"hugepages (hugetlbfs)" :
		"no hugepages (--no-huge: anonymous 4 KiB pages)");
	printf("LLFree (the llfree section's peer): %s\n", BENCH_LLFREE_WHY);
	printf("runs per figure: %u, N: %" PRIu64 " per timed run%s\n",
		opt.runs, opt.n, opt.quick ? " (--quick: a smoke test, "
		"figures are noisy)" : "");
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.4f", v);
}

static void
write_json(const char *cpu)
{
	FILE *f = fopen(opt.json_path, "w");
	unsigned int i, r;

	if (f == NULL) {
		printf("error: cannot write %s: %s\n", opt.json_path,
			strerror(errno));
		nb_failed++;
		return;
	}
	fprintf(f, "{\n  \"tool\": \"labyrinth-bench\",\n  \"dpdk\": ");
	json_str(f, rte_version());
	fprintf(f, ",\n  \"compiler\": ");
	json_str(f, "gcc " __VERSION__);
	fprintf(f, ",\n  \"march\": ");
	json_str(f, BENCH_MARCH);
	fprintf(f, ",\n  \"isa\": ");
	json_str(f, isa_string());
	fprintf(f, ",\n  \"cpu\": ");
	json_str(f, cpu);
	fprintf(f, ",\n  \"loadavg\": ");
	json_str(f, loadavg);
	fprintf(f, ",\n  \"llfree\": ");
	json_str(f, BENCH_LLFREE_WHY);
	fprintf(f, ",\n  \"tsc_hz\": %" PRIu64 ",\n  \"lcores\": %u,\n"
		"  \"tsc_step_cycles\": %" PRIu64 ",\n"
		"  \"hugepages\": %s,\n  \"runs\": %u,\n  \"n\": %" PRIu64
		",\n  \"quick\": %s,\n  \"figures\": [\n", rte_get_tsc_hz(),
		rte_lcore_count(), tsc_resolution,
		rte_eal_has_hugepages() ? "true" : "false", opt.runs, opt.n,
		opt.quick ? "true" : "false");
	for (i = 0; i < nb_figures; i++) {
		const struct figure *g = &figures[i];

		fprintf(f, "    {\"section\": ");
		json_str(f, g->section);
		fprintf(f, ", \"name\": ");
		json_str(f, g->name);
		fprintf(f, ", \"unit\": ");
		json_str(f, g->unit);
		fprintf(f, ", \"valid\": %s, \"median\": ",
			g->valid ? "true" : "false");
		json_num(f, g->med);
		fprintf(f, ", \"min\": ");
		json_num(f, g->min);
		fprintf(f, ", \"max\": ");
		json_num(f, g->max);
		fprintf(f, ", \"runs\": [");
		for (r = 0; g->valid && r < g->nb_runs; r++) {
			fprintf(f, "%s", r ? ", " : "");
			json_num(f, g->v[r]);
		}
		fprintf(f, "], \"ref\": ");
		json_num(f, g->ref);
		fprintf(f, ", \"anchor\": ");
		if (g->vs[0] != '\0')
			json_str(f, g->vs);
		else
			fputs("null", f);
		fprintf(f, ", \"ratio\": ");
		json_num(f, g->ratio);
		fprintf(f, "}%s\n", i + 1 < nb_figures ? "," : "");
	}
	fprintf(f, "  ],\n  \"targets\": [\n");
	for (i = 0; i < nb_targets; i++) {
		const struct target *t = &targets[i];

		fprintf(f, "    {\"what\": ");
		json_str(f, t->what);
		fprintf(f, ", \"value\": ");
		json_num(f, t->value);
		fprintf(f, ", \"op\": \"%s\", \"limit\": ",
			t->at_most ? "<=" : ">=");
		json_num(f, t->limit);
		fprintf(f, ", \"pass\": %s}%s\n", !t->known ? "null" :
			target_pass(t) ? "true" : "false",
			i + 1 < nb_targets ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fclose(f);
	printf("figures written to %s\n", opt.json_path);
}

int
main(int argc, char **argv)
{
	const char *prog;
	char cpu[128];
	int ret;

	/* line by line, so a long run shows its progress */
	setvbuf(stdout, NULL, _IOLBF, 0);
	prog = argv[0];
	ret = lt_eal_init(argc, argv);
	argc -= ret;
	argv += ret;
	parse_args(argc, argv, prog);
	tsc_ns = 1e9 / (double)rte_get_tsc_hz();

	print_header(cpu, sizeof(cpu));
	if (opt.sections & SEC_PAIR)
		section_pair();
	if (opt.sections & SEC_EMPTY)
		section_empty();
	if (opt.sections & SEC_SCALE)
		section_scale();
	if (opt.sections & SEC_LATENCY)
		section_latency();
	if (opt.sections & SEC_META)
		section_meta();
	if (opt.sections & SEC_LLFREE)
		section_llfree();
	print_targets();
	if (opt.json_path != NULL)
		write_json(cpu);
	if (nb_failed != 0)
		printf("%u variant(s) failed: see the errors above\n",
			nb_failed);
	rte_eal_cleanup();
	return nb_failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
