/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Test-only mempool driver "lt_dummy" (an rte_ring underneath, no
 * magic): loaded with -d next to the labyrinth plugin in the other order
 * to give a secondary process an ops table that disagrees with the
 * primary's (DPDK bugzilla 1073).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_mempool.h>
#include <rte_ring.h>

static int
dummy_alloc(struct rte_mempool *mp)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "LTD_%" PRIxPTR, (uintptr_t)mp);
	r = rte_ring_create(name, rte_align32pow2(mp->size + 1),
			mp->socket_id, 0);
	if (r == NULL)
		return -rte_errno;
	mp->pool_data = r;
	return 0;
}

static void
dummy_free(struct rte_mempool *mp)
{
	rte_ring_free(mp->pool_data);
}

static int
dummy_enqueue(struct rte_mempool *mp, void * const *objs, unsigned int n)
{
	return rte_ring_mp_enqueue_bulk(mp->pool_data, objs, n, NULL) == 0 ?
		-ENOBUFS : 0;
}

static int
dummy_dequeue(struct rte_mempool *mp, void **objs, unsigned int n)
{
	return rte_ring_mc_dequeue_bulk(mp->pool_data, objs, n, NULL) == 0 ?
		-ENOBUFS : 0;
}

static unsigned int
dummy_get_count(const struct rte_mempool *mp)
{
	return rte_ring_count(mp->pool_data);
}

static const struct rte_mempool_ops ops_dummy = {
	.name = "lt_dummy",
	.alloc = dummy_alloc,
	.free = dummy_free,
	.enqueue = dummy_enqueue,
	.dequeue = dummy_dequeue,
	.get_count = dummy_get_count,
};

RTE_MEMPOOL_REGISTER_OPS(ops_dummy);
