/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * perf-ir: a driver for `valgrind --tool=callgrind` that calls one
 * operation per noinline function, so that callgrind's inclusive count of
 * each function divided by its calls is the instruction count (Ir) of one
 * operation. scripts/perf-report.sh --callgrind runs it and puts the
 * counts in the report. Not a test and not a timing benchmark: under
 * valgrind only the instruction counts mean anything.
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out \
 *       perf-ir --no-huge -m 256 --no-pci -l 0 -- [N]
 *   callgrind_annotate --inclusive=yes cg.out | grep ' ir_'
 *
 * Each ir_* function does one grab+free pair (or one failed grab) and is
 * called exactly N times (default 100000), after a warm-up of N / 10
 * pairs that main() makes itself, outside the ir_* functions.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "labyrinth.h"

#define PAGES 2048u
#define OBJS 2047u
#define PAGE 4096u

/*
 * noipa: not inlined, not cloned, and not folded with an identical
 * function (-fipa-icf would merge the four mempool pairs into one).
 */
#define IR_FN __attribute__((noipa))

/* Keep p alive: the compiler may not drop an allocation nobody uses. */
#define KEEP(p) __asm__ volatile("" : : "r"(p))

static IR_FN int
ir_lab_pair_cache(struct labyrinth *lab)
{
	void *p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);

	KEEP(p);
	return p == NULL ? -1 : labyrinth_free_page(lab, p);
}

static IR_FN int
ir_lab_pair_nocache(struct labyrinth *lab)
{
	void *p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);

	KEEP(p);
	return p == NULL ? -1 : labyrinth_free_page(lab, p);
}

/* Bulk of 32: one grab and one free of 32 pages, from and to the cache. */
#define IR_BULK 32u

static IR_FN int
ir_lab_bulk32(struct labyrinth *lab)
{
	void *p[IR_BULK];

	if (labyrinth_alloc_bulk(lab, LABYRINTH_GFP_NORMAL, p, IR_BULK) !=
			IR_BULK)
		return -1;
	KEEP(p[0]);
	return labyrinth_free_bulk(lab, p, IR_BULK) == IR_BULK ? 0 : -1;
}

static IR_FN int
ir_mp_ring_bulk32(struct rte_mempool *mp)
{
	void *p[IR_BULK];

	if (rte_mempool_get_bulk(mp, p, IR_BULK) != 0)
		return -1;
	KEEP(p[0]);
	rte_mempool_put_bulk(mp, p, IR_BULK);
	return 0;
}

static IR_FN int
ir_lab_fail(struct labyrinth *lab)
{
	void *p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);

	KEEP(p);
	return p == NULL ? 0 : -1;
}

/*
 * One get+put pair of a mempool. The four variants are the same code under
 * four names, so that callgrind counts each pool's calls apart.
 */
#define IR_MP_PAIR(name) \
static IR_FN int \
name(struct rte_mempool *mp) \
{ \
	void *p; \
 \
	if (rte_mempool_get(mp, &p) != 0) \
		return -1; \
	KEEP(p); \
	rte_mempool_put(mp, p); \
	return 0; \
}
IR_MP_PAIR(ir_mp_ring_pair_cache)
IR_MP_PAIR(ir_mp_ring_pair_nocache)
IR_MP_PAIR(ir_mp_stack_pair_cache)
IR_MP_PAIR(ir_mp_stack_pair_nocache)

static IR_FN int
ir_mp_ring_fail(struct rte_mempool *mp)
{
	void *p;

	return rte_mempool_get(mp, &p) != 0 ? 0 : -1;
}

static IR_FN int
ir_rte_malloc_pair(void)
{
	void *p = rte_malloc(NULL, PAGE, 0);

	KEEP(p);
	if (p == NULL)
		return -1;
	rte_free(p);
	return 0;
}

static IR_FN int
ir_libc_malloc_pair(void)
{
	void *p = malloc(PAGE);

	KEEP(p);
	if (p == NULL)
		return -1;
	free(p);
	return 0;
}

static struct labyrinth *
lab_make(const char *name, uint32_t nb_pages, uint32_t cache_size)
{
	struct labyrinth_conf conf = {
		.name = name,
		.socket_id = (int)rte_socket_id(),
		.page_size = PAGE,
		.nb_pages = nb_pages,
		.cache_size = cache_size,
	};
	struct labyrinth *lab = labyrinth_create(&conf);

	if (lab == NULL)
		rte_exit(EXIT_FAILURE, "labyrinth_create(%s): %s\n", name,
			rte_strerror(rte_errno));
	return lab;
}

static struct rte_mempool *
mp_make(const char *name, const char *ops, unsigned int n,
		unsigned int cache_size)
{
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, n, PAGE, cache_size, 0,
			(int)rte_socket_id(), 0);
	if (mp == NULL)
		rte_exit(EXIT_FAILURE, "mempool %s: %s\n", name,
			rte_strerror(rte_errno));
	if (rte_mempool_set_ops_byname(mp, ops, NULL) != 0 ||
			rte_mempool_populate_default(mp) < 0)
		rte_exit(EXIT_FAILURE, "mempool %s (ops %s) failed\n", name,
			ops);
	return mp;
}

/* Warm-up outside the counted functions: fill the caches, fault pages in. */
static void
warm_lab(struct labyrinth *lab, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		void *p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);

		if (p == NULL || labyrinth_free_page(lab, p) != 0)
			rte_exit(EXIT_FAILURE, "warm-up of %s failed\n",
				labyrinth_name(lab));
	}
}

static void
warm_mp(struct rte_mempool *mp, uint64_t n)
{
	uint64_t i;
	void *p;

	for (i = 0; i < n; i++) {
		if (rte_mempool_get(mp, &p) != 0)
			rte_exit(EXIT_FAILURE, "warm-up of %s failed\n",
				mp->name);
		rte_mempool_put(mp, p);
	}
}

/* Call fn(arg) n times; a wrong result is a broken variant. */
#define REPEAT(n, call, what) do { \
	uint64_t i_; \
	for (i_ = 0; i_ < (n); i_++) \
		if ((call) != 0) \
			rte_exit(EXIT_FAILURE, "%s failed\n", (what)); \
} while (0)

int
main(int argc, char **argv)
{
	struct labyrinth *lab_c, *lab_nc, *lab_empty;
	struct rte_mempool *ring_c, *ring_nc, *stack_c, *stack_nc, *ring_empty;
	void *held_lab[64], *held_mp[63];
	uint64_t n = 100000, w;
	unsigned int i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "rte_eal_init failed\n");
	argc -= ret;
	argv += ret;
	if (argc > 1)
		n = strtoull(argv[1], NULL, 0);
	if (n == 0)
		rte_exit(EXIT_FAILURE, "bad N\n");
	w = n / 10;

	lab_c = lab_make("ir_c", PAGES, 256);
	lab_nc = lab_make("ir_nc", PAGES, 0);
	lab_empty = lab_make("ir_e", 64, 0);
	ring_c = mp_make("ir_ring_c", "ring_mp_mc", OBJS, 256);
	ring_nc = mp_make("ir_ring_nc", "ring_mp_mc", OBJS, 0);
	stack_c = mp_make("ir_stack_c", "stack", OBJS, 256);
	stack_nc = mp_make("ir_stack_nc", "stack", OBJS, 0);
	ring_empty = mp_make("ir_ring_e", "ring_mp_mc", 63, 0);

	/* Empty the two pools whose failed grab is counted. */
	for (i = 0; i < 64; i++) {
		held_lab[i] = labyrinth_alloc_page(lab_empty,
			LABYRINTH_GFP_NORMAL);
		if (held_lab[i] == NULL)
			rte_exit(EXIT_FAILURE, "cannot empty the labyrinth\n");
	}
	for (i = 0; i < 63; i++)
		if (rte_mempool_get(ring_empty, &held_mp[i]) != 0)
			rte_exit(EXIT_FAILURE, "cannot empty the ring\n");

	/* Warm-up: fill the caches, fault the pages in. */
	warm_lab(lab_c, w);
	warm_lab(lab_nc, w);
	warm_mp(ring_c, w);
	warm_mp(ring_nc, w);
	warm_mp(stack_c, w);
	warm_mp(stack_nc, w);

	REPEAT(n, ir_lab_pair_cache(lab_c), "labyrinth cache");
	REPEAT(n, ir_lab_pair_nocache(lab_nc), "labyrinth no cache");
	REPEAT(n, ir_lab_fail(lab_empty), "labyrinth empty");
	REPEAT(n, ir_lab_bulk32(lab_c), "labyrinth bulk 32");
	REPEAT(n, ir_mp_ring_bulk32(ring_c), "ring bulk 32");
	REPEAT(n, ir_mp_ring_pair_cache(ring_c), "ring cache");
	REPEAT(n, ir_mp_ring_pair_nocache(ring_nc), "ring no cache");
	REPEAT(n, ir_mp_stack_pair_cache(stack_c), "stack cache");
	REPEAT(n, ir_mp_stack_pair_nocache(stack_nc), "stack no cache");
	REPEAT(n, ir_mp_ring_fail(ring_empty), "ring empty");
	REPEAT(n, ir_rte_malloc_pair(), "rte_malloc");
	REPEAT(n, ir_libc_malloc_pair(), "malloc");
	printf("perf-ir: %" PRIu64 " calls of each ir_* function (after "
		"%" PRIu64 " warm-up pairs of each pool)\n", n, w);

	for (i = 0; i < 64; i++)
		labyrinth_free_page(lab_empty, held_lab[i]);
	rte_mempool_put_bulk(ring_empty, held_mp, 63);
	rte_mempool_free(ring_empty);
	rte_mempool_free(stack_nc);
	rte_mempool_free(stack_c);
	rte_mempool_free(ring_nc);
	rte_mempool_free(ring_c);
	labyrinth_destroy(lab_empty);
	labyrinth_destroy(lab_nc);
	labyrinth_destroy(lab_c);
	rte_eal_cleanup();
	return 0;
}
