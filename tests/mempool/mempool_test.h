/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef MEMPOOL_TEST_H
#define MEMPOOL_TEST_H

/*
 * Helpers of the mempool driver tests: a structural audit of a labyrinth
 * pool's shared header, and loading a plugin with -d from a folder EAL
 * accepts (tests/lt_plugin.h).
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth_mempool.h"
#include "labyrinth_test.h"
#include "lt_plugin.h"
#include "mempool_labyrinth_priv.h"

/* Counters of a labyrinth pool, summed over all lcore slots. */
struct mt_counters {
	uint64_t claims, returns, rejects, fails;
};

static inline struct labyrinth_mempool_hdr *
mt_hdr(const struct rte_mempool *mp)
{
	return mp->pool_data;
}

static inline void
mt_counters(const struct rte_mempool *mp, struct mt_counters *c)
{
	const struct labyrinth_mempool_hdr *h = mt_hdr(mp);
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i <= RTE_MAX_LCORE; i++) {
		c->claims += h->lcore[i].claims;
		c->returns += h->lcore[i].returns;
		c->rejects += h->lcore[i].rejects;
		c->fails += h->lcore[i].dequeue_fails;
	}
}

/* Objects the driver holds free: rte_mempool_avail_count minus caches. */
static inline unsigned int
mt_driver_count(const struct rte_mempool *mp)
{
	unsigned int i, cached = 0;

	if (mp->cache_size != 0)
		for (i = 0; i < RTE_MAX_LCORE; i++)
			cached += mp->local_cache[i].len;
	return rte_mempool_avail_count(mp) - cached;
}

/*
 * Structural audit of a quiet pool: map budget unused (0); no bit set
 * beyond the populated objects; no object held (bit clear) with a hold[]
 * value that is not a record (a claim-chain link left behind, or never
 * dequeued): objects in mempool caches are held as far as the driver
 * knows; and map bits == the driver's count. Returns 0 or -1.
 */
static inline int
mt_audit(const struct rte_mempool *mp)
{
	const struct labyrinth_mempool_hdr *h = mt_hdr(mp);
	const struct labyrinth_map *m = &h->map;
	uint32_t bits = labyrinth_map_count_bits(m), i;

	LT_ASSERT(h->magic == LABYRINTH_MEMPOOL_MAGIC, "magic");
	LT_ASSERT_EQ(m->avail, 0, "the driver leaves the map budget at 0");
	for (i = 0; i < m->nb_bits; i++) {
		bool is_free = labyrinth_map_test(m, i);

		if (i >= h->nb_objs ? is_free : (!is_free &&
				!labyrinth_mempool_hold_is_rec(h->hold[i]))) {
			printf("object %u of %u: free %d, hold %#" PRIx64 "\n",
				i, h->nb_objs, is_free, h->hold[i]);
			return -1;
		}
	}
	LT_ASSERT_EQ(bits, mt_driver_count(mp), "map bits == driver count");
	return 0;
}

/*
 * A populated pool of n objects of elt_size bytes with the given rte_mempool
 * cache size and ops, or NULL (nothing left behind).
 */
static inline struct rte_mempool *
mt_pool_create(const char *name, unsigned int n, unsigned int elt_size,
		unsigned int cache, const char *ops)
{
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, n, elt_size, cache, 0,
			SOCKET_ID_ANY, 0);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, ops, NULL) != 0 ||
			rte_mempool_populate_default(mp) != (int)n) {
		rte_mempool_free(mp);
		return NULL;
	}
	return mp;
}

/*
 * EAL initialised (lt_eal_init()), then the ops name under test: the first
 * application argument (after --), or def.
 */
static inline const char *
mt_eal_init_ops(int argc, char **argv, const char *def)
{
	int n = lt_eal_init(argc, argv);
	const char *ops = argc > n + 1 ? argv[n + 1] : def;

	printf("ops %s\n", ops);
	return ops;
}

/*
 * The -d argument for the plugin named by environment variable env_src
 * (meson sets it): a copy in a folder EAL accepts (tests/lt_plugin.h).
 */
static inline const char *
mt_plugin_arg(const char *env_src)
{
	const char *src = getenv(env_src);

	if (src == NULL) {
		printf("%s must be set (meson does)\n", env_src);
		exit(1);
	}
	return lt_plugin_copy(src);
}

#endif /* MEMPOOL_TEST_H */
