/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * A mempool on the labyrinth driver built step by step
 * (rte_mempool_create_empty, rte_mempool_set_ops_byname,
 * rte_mempool_populate_default) with its k-th memzone reservation
 * failing, for every k from 1 to the number a build makes (counted
 * first): the reservation of the pool itself (EAL), the driver's header
 * (alloc), the objects' memory (EAL's populate). Whichever fails, the
 * step fails with ENOMEM and nothing is lost: populating the same pool
 * again without faults works and gives a whole pool (every object out and
 * back once), rte_mempool_free() leaves no memzone (none of the driver's,
 * LABYRINTH_MEMPOOL_MZ_PREFIX), and a new pool of the same name works.
 * As in test_fault_create.c, each k fails once, then sticky.
 *
 * Needs tests/fault/libfault_shim.so in LD_PRELOAD.
 * Usage: <EAL args> -- plain | chunks [ops name]
 *   plain   the objects' memory in one memzone
 *   chunks  no memzone above CHUNK_MAX_LEN: populate takes several, so
 *           that a failure can come after some objects are in the pool
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "fault_ctl.h"
#include "labyrinth_mempool.h"
#include "labyrinth_test.h"
#include "mempool_labyrinth_priv.h"

#define POOL "fault_mp"
#define NB_OBJS 4096u
#define ELT_SIZE 2048u
/* About a third of the pool's memory (8.6 MiB). */
#define CHUNK_MAX_LEN ((size_t)3 << 20)

static const char *ops = LABYRINTH_MEMPOOL_OPS_NAME;
static bool chunks;
static unsigned int mz_base;
static void *objs[NB_OBJS];

static void
count_ours(const struct rte_memzone *mz, void *arg)
{
	if (strncmp(mz->name, LABYRINTH_MEMPOOL_MZ_PREFIX,
			strlen(LABYRINTH_MEMPOOL_MZ_PREFIX)) == 0)
		(*(unsigned int *)arg)++;
}

static int
check_gone(const char *what, long k)
{
	unsigned int ours = 0;

	rte_memzone_walk(count_ours, &ours);
	LT_ASSERT_EQ(ours, 0, "%s k=%ld: memzones of the driver left", what,
		k);
	LT_ASSERT_EQ(lt_memzone_count(), mz_base, "%s k=%ld: memzones left",
		what, k);
	rte_errno = 0;
	LT_ASSERT_NULL_ERRNO(rte_mempool_lookup(POOL), ENOENT);
	return 0;
}

static struct rte_mempool *
create_empty(void)
{
	return rte_mempool_create_empty(POOL, NB_OBJS, ELT_SIZE, 0, 0,
			SOCKET_ID_ANY, 0);
}

/* Every object out and back once; the pool is full before and after. */
static int
use_pool(struct rte_mempool *mp, const char *what, long k)
{
	unsigned int i;

	LT_ASSERT_EQ(mp->populated_size, NB_OBJS, "%s k=%ld", what, k);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), NB_OBJS, "%s k=%ld", what,
		k);
	LT_ASSERT_EQ(rte_mempool_get_bulk(mp, objs, NB_OBJS), 0,
		"%s k=%ld: not every object comes out", what, k);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), 0, "%s k=%ld", what, k);
	for (i = 0; i < NB_OBJS; i++)
		memset(objs[i], 0x5a, ELT_SIZE);
	rte_mempool_put_bulk(mp, objs, NB_OBJS);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), NB_OBJS, "%s k=%ld", what,
		k);
	return 0;
}

/* create_empty, set_ops, populate: the pool, or NULL with rte_errno. */
static struct rte_mempool *
build(int *step)
{
	struct rte_mempool *mp;
	int ret;

	*step = 0;
	mp = create_empty();
	if (mp == NULL)
		return NULL;
	*step = 1;
	ret = rte_mempool_set_ops_byname(mp, ops, NULL);
	if (ret != 0) {
		rte_errno = -ret;
		return mp;
	}
	*step = 2;
	ret = rte_mempool_populate_default(mp);
	if (ret < 0) {
		rte_errno = -ret;
		return mp;
	}
	*step = 3;
	return mp;
}

static int
count_calls(unsigned long *n)
{
	struct rte_mempool *mp;
	int step;

	lt_fault_off();
	mp = build(&step);
	*n = lt_fault.calls();
	LT_ASSERT(step == 3, "build: step %d: %s", step,
		rte_strerror(rte_errno));
	printf("%s/%s: a build makes %lu memzone reservations, %u memory "
		"chunks\n", chunks ? "chunks" : "plain", ops, *n,
		mp->nb_mem_chunks);
	LT_ASSERT(*n >= 3, "");
	if (chunks)
		LT_ASSERT(mp->nb_mem_chunks >= 3, "expected several chunks");
	if (use_pool(mp, "count", 0) != 0)
		return -1;
	rte_mempool_free(mp);
	return check_gone("count", 0);
}

static int
test_fault_mempool(void)
{
	struct rte_mempool *mp;
	unsigned long n, k;
	int sticky, step, e, ret;

	if (count_calls(&n) != 0)
		return -1;
	for (sticky = 0; sticky <= 1; sticky++) {
		const char *what = sticky ? "sticky" : "once";
		unsigned int at[4] = { 0 };

		for (k = 1; k <= n; k++) {
			lt_fault.arm((long)k, sticky);
			rte_errno = 0;
			mp = build(&step);
			e = rte_errno;
			lt_fault_off();
			at[step]++;
			if (step < 3)
				LT_ASSERT_EQ(e, ENOMEM, "%s k=%lu: step %d: %s",
					what, k, step, strerror(e));
			LT_ASSERT(step != 3 || !sticky, "k=%lu: built", k);
			if (step == 2) {
				printf("%s k=%lu: populate failed; again\n",
					what, k);
				/* A failed populate can be tried again. */
				LT_ASSERT_EQ(mp->populated_size, 0,
					"%s k=%lu", what, k);
				ret = rte_mempool_populate_default(mp);
				LT_ASSERT(ret == (int)NB_OBJS, "%s k=%lu: "
					"populate again: %d (%s)", what, k,
					ret, strerror(-ret));
				step = 3;
			}
			if (step == 3 && use_pool(mp, what, (long)k) != 0)
				return -1;
			rte_mempool_free(mp);
			if (check_gone(what, (long)k) != 0)
				return -1;
			/* The name is free again. */
			mp = build(&step);
			LT_ASSERT(step == 3, "%s k=%lu: build again: step %d: "
				"%s", what, k, step, rte_strerror(rte_errno));
			if (use_pool(mp, "again", (long)k) != 0)
				return -1;
			rte_mempool_free(mp);
			if (check_gone("again", (long)k) != 0)
				return -1;
		}
		printf("%s failures: create_empty failed %u, populate %u, "
			"worked around %u\n", what, at[0], at[2], at[3]);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int ret, failures = 0;

	/* Line by line: a hang shows how far the test got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = lt_eal_init(argc, argv);
	argc -= ret;
	argv += ret;
	if (argc < 2 || (strcmp(argv[1], "plain") != 0 &&
			strcmp(argv[1], "chunks") != 0)) {
		printf("usage: <EAL args> -- plain|chunks [ops name]\n");
		return 1;
	}
	chunks = strcmp(argv[1], "chunks") == 0;
	if (argc > 2)
		ops = argv[2];
	if (lt_fault_init() != 0)
		return 1;
	LT_RUN(lt_fault_selftest, failures);
	if (chunks)
		lt_fault.max_len(CHUNK_MAX_LEN);
	mz_base = lt_memzone_count();
	if (failures == 0)
		LT_RUN(test_fault_mempool, failures);
	lt_fault.max_len(0);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
