/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Section 6, "llfree": cache-less grab+free pairs of orders 0..9 beside
 * LLFree's get/put; and the LLFree peer as the sections open and close it
 * (the pair section has its order 0 too).
 *
 * For each order k of 0 .. LABYRINTH_MAX_ORDER: labyrinth_alloc_pages +
 * labyrinth_free_pages of order k on a cache-less pool of POOL_PAGES
 * pages of 4 KiB, the same on a cache-less strict pool
 * (LABYRINTH_F_STRICT), and llfree_get + llfree_put of order k on an
 * LLFree of as many 4 KiB frames (local slot 0 of its simple classing).
 * All 3 x 10 variants alternate round-robin in pair_measure(), at least
 * LLFREE_MIN_RUNS rounds. Both labyrinth rows of an order have LLFree's
 * row of that order as anchor.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_priv.h"

enum { NB_ORDERS = LABYRINTH_MAX_ORDER + 1 };

/* The variants of order k: LLF_VARS * k + one of these. */
enum { LLF_LAB, LLF_LAB_STRICT, LLF_PEER, LLF_VARS };

/* LLFree over `frames` 4 KiB frames; NULL if it is not built or failed. */
struct llfree_peer *
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
void
llfree_peer_close(struct llfree_peer *llf, uint64_t frames)
{
	uint64_t free_frames;

	if (llf == NULL)
		return;
	free_frames = llfree_peer_free_frames(llf);
	if (free_frames != frames) {
		printf("error: LLFree: %" PRIu64 " of %" PRIu64 " frames free "
			"at the end\n", free_frames, frames);
		bench_nb_failed++;
	}
	llfree_peer_destroy(llf);
}

/* Variants 3k, 3k + 1: the labyrinth's order k, default and strict pool;
 * 3k + 2: LLFree's (LLF_LAB, LLF_LAB_STRICT, LLF_PEER). */
static unsigned int
llfree_vars_add(struct pair_var *vars, struct bench_pool *pool,
		struct bench_pool *strict, struct llfree_peer *llf)
{
	struct pair_var *v;
	unsigned int nv = 0, o;
	char name[80];

	for (o = 0; o < NB_ORDERS; o++) {
		fmt_label(name, sizeof(name), "labyrinth order %u (%u KiB)", o,
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, &nv, name, "ns/pair", PK_LAB_ORDER, pool,
				bench_opt.n, NAN);
		v->order = o;
		fmt_label(name, sizeof(name),
			"labyrinth strict order %u (%u KiB)", o,
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, &nv, name, "ns/pair", PK_LAB_ORDER, strict,
				bench_opt.n, NAN);
		v->order = o;
		fmt_label(name, sizeof(name), "LLFree order %u (%u KiB)", o,
			(PAGE_4K << o) / 1024);
		v = pair_add(vars, &nv, name, "ns/pair", PK_LLFREE, NULL,
				bench_opt.n, NAN);
		v->order = o;
		v->llf = llf;
	}
	return nv;
}

/* "min..max" of a figure, in buf. */
static void
llfree_range(char *buf, size_t len, const struct figure *f)
{
	char lo[16], hi[16];

	fmt_num(lo, sizeof(lo), f->min);
	fmt_num(hi, sizeof(hi), f->max);
	fmt_label(buf, len, "%s..%s", lo, hi);
}

/*
 * One row: order, block, the default pool's median, LLFree's, their
 * ratio, the strict pool's median and its ratio to LLFree, then the
 * ranges (default, LLFree, strict).
 */
static void
llfree_print_row(unsigned int o, const struct figure *l,
		const struct figure *p, const struct figure *s)
{
	char lm[16], pm[16], sm[16], ratio[16], sratio[16], block[16];
	char lrange[40], prange[48] = "", srange[40], tmp[40];

	fmt_num(lm, sizeof(lm), l->med);
	fmt_num(sm, sizeof(sm), s->med);
	if (LLFREE_BUILT)
		fmt_num(pm, sizeof(pm), p->med);
	else
		fmt_label(pm, sizeof(pm), "not found");
	llfree_range(lrange, sizeof(lrange), l);
	llfree_range(srange, sizeof(srange), s);
	if (p->valid) {
		llfree_range(tmp, sizeof(tmp), p);
		fmt_label(prange, sizeof(prange), ", %s", tmp);
	}
	fmt_num(ratio, sizeof(ratio), l->ratio);
	fmt_num(sratio, sizeof(sratio), s->ratio);
	fmt_label(block, sizeof(block), "%u KiB", (PAGE_4K << o) / 1024);
	printf("%5u %9s %18s %18s %7s %15s %7s   %s%s, strict %s\n", o,
		block, lm, pm, ratio, sm, sratio, lrange, prange, srange);
}

static void
llfree_print(const struct pair_var *vars, unsigned int runs)
{
	unsigned int o;

	printf("\n== 6. cache-less grab+free pair by order, 1 lcore, beside "
		"LLFree (median of %u rounds; ratio < 1 means labyrinth is "
		"faster) ==\n", runs);
	printf("labyrinth: labyrinth_alloc_pages + labyrinth_free_pages, %u "
		"pages of 4 KiB, cache 0 (strict: the same on a "
		"LABYRINTH_F_STRICT pool); LLFree: llfree_get + llfree_put, %u "
		"frames, local slot 0\n", POOL_PAGES, POOL_PAGES);
	printf("%5s %9s %18s %18s %7s %15s %7s   %s\n", "order", "block",
		"labyrinth ns/pair", "LLFree ns/pair", "ratio",
		"strict ns/pair", "ratio",
		"labyrinth min..max, LLFree min..max, strict min..max");
	for (o = 0; o < NB_ORDERS; o++)
		llfree_print_row(o, vars[LLF_VARS * o + LLF_LAB].fig,
			vars[LLF_VARS * o + LLF_PEER].fig,
			vars[LLF_VARS * o + LLF_LAB_STRICT].fig);
	if (LLFREE_BUILT)
		printf("LLFree: %s with make DEBUG=0 CC=clang (-O2 "
			"-march=native, asserts kept); labyrinth: -O2 "
			"-march=%s\n", BENCH_LLFREE_WHY, BENCH_MARCH);
	else
		printf("LLFree: %s\n", BENCH_LLFREE_WHY);
}

/* Both metadata sizes, as far as there are pools to ask. */
static void
llfree_print_meta(struct labyrinth *lab, const struct llfree_peer *llf)
{
	struct labyrinth_stats st;

	if (lab != NULL && labyrinth_stats_get(lab, &st) == 0)
		printf("metadata: labyrinth %" PRIu64 " B "
			"(stats.metadata_bytes)", (uint64_t)st.metadata_bytes);
	if (llf != NULL)
		printf("%sLLFree %" PRIu64 " B (llfree_metadata_size)",
			lab != NULL ? ", " : "metadata: ",
			llfree_peer_meta_bytes(llf));
	if (lab != NULL || llf != NULL)
		printf(", for %u pages of 4 KiB\n", POOL_PAGES);
}

static void
section_llfree(void)
{
	struct bench_pool pool = { .name = "labyrinth no cache" };
	struct bench_pool strict = { .name = "labyrinth strict no cache" };
	struct pair_var vars[LLF_VARS * NB_ORDERS];
	unsigned int nv, o, runs = RTE_MAX(bench_opt.runs, LLFREE_MIN_RUNS);
	struct llfree_peer *llf;

	pool.lab = lab_create("bench_llf", PAGE_4K, POOL_PAGES, 0);
	strict.lab = lab_create_flags("bench_llf_s", PAGE_4K, POOL_PAGES, 0,
			LABYRINTH_F_STRICT);
	llf = llfree_peer_open(POOL_PAGES);
	nv = llfree_vars_add(vars, &pool, &strict, llf);

	pair_measure("llfree", vars, nv, runs);
	for (o = 0; o < NB_ORDERS; o++) {
		const struct pair_var *peer = &vars[LLF_VARS * o + LLF_PEER];

		figure_vs(vars[LLF_VARS * o + LLF_LAB].fig, peer->fig);
		figure_vs(vars[LLF_VARS * o + LLF_LAB_STRICT].fig, peer->fig);
	}
	llfree_print(vars, runs);
	llfree_print_meta(pool.lab, llf);

	llfree_peer_close(llf, POOL_PAGES);
	lab_destroy(strict.lab);
	lab_destroy(pool.lab);
}

const struct bench_section bench_llfree_section = {
	.name = "llfree",
	.run = section_llfree,
};
