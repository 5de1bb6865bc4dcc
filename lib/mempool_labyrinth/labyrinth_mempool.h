/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_MEMPOOL_H
#define LABYRINTH_MEMPOOL_H

/**
 * @file
 * The control path of mempools served by the labyrinth mempool driver
 * (ops "labyrinth" and "labyrinth_strict", libmempool_labyrinth.so), in
 * liblabyrinth_mempool (pkg-config labyrinth_mempool).
 *
 * The driver keeps, in a memzone of the pool, a shared header: which ops
 * the primary serves the pool with, and for every object the lcore that
 * dequeued it and when. The calls here read that header from shared
 * memory alone, so they work in any process of the primary's file prefix,
 * with or without the driver loaded: a check that this process's mempool
 * ops table agrees with the primary's (DPDK bugzilla 1073), the holder
 * summary (struct labyrinth_holders, labyrinth.h), and the reclaim of the
 * objects a dead process's lcore held. Every call is control path.
 */

#include <stdint.h>

#include "labyrinth.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mempool;

/**
 * Check that a mempool whose pool_data was set up by the labyrinth mempool
 * driver (ops "labyrinth" or "labyrinth_strict") is served by that driver
 * in this process. A secondary process that loaded its -d plugins in
 * another order than the primary may have another driver at the pool's
 * ops index (DPDK bugzilla 1073); using the pool would then crash. Call it
 * after rte_mempool_lookup() in a secondary process.
 *
 * Thread safety: MT-safe; reads only.
 *
 * @param mp
 *   A mempool.
 * @return
 *   0 if mp is not a labyrinth pool, or is not populated yet, or its ops
 *   index names the primary's labyrinth ops in this process; -EXDEV
 *   (logged at ERR) if the ops table disagrees with the primary's;
 *   -EINVAL if mp is NULL.
 * @see labyrinth_mempool_reclaim_lcore()
 */
int labyrinth_mempool_check(const struct rte_mempool *mp);

/**
 * Holder summary of a mempool served by the labyrinth mempool driver
 * (either ops): per lcore, the objects it dequeued from the driver that
 * are still out, the oldest age, the objects of its rte_mempool cache; and
 * a histogram of ages. The driver records the dequeuing lcore and the time
 * of every dequeue per object.
 *
 * The mempool's own per-lcore caches sit above the driver: an object in
 * one has left the driver and is held in the driver's view. This call
 * finds them (it reads every lcore's rte_mempool cache) and counts them in
 * holders->in_caches and owner[].cache_len instead of held. Objects in
 * caches the application made itself (rte_mempool_cache_create()) cannot
 * be seen and count as held by the lcore that dequeued them.
 *
 * Thread safety: MT-safe; a snapshot, not atomic across objects while the
 * pool is in use. Control path: it reads every object's record and every
 * lcore's mempool cache, and allocates a byte per object.
 *
 * @param mp
 *   A mempool.
 * @param min_age_us
 *   Count only objects held at least this long in held and the ages (0:
 *   every object).
 * @param holders
 *   Filled in.
 * @return
 *   0; -EINVAL if mp or holders is NULL or mp is not a pool of the
 *   labyrinth driver (of this layout); -ENOMEM.
 * @see labyrinth_holders_get()
 */
int labyrinth_mempool_holders_get(const struct rte_mempool *mp,
		uint64_t min_age_us, struct labyrinth_holders *holders);

/**
 * Give back the objects an lcore of a dead process held from a mempool of
 * the labyrinth mempool driver: the objects in that lcore's rte_mempool
 * cache, and every object the driver handed to that lcore (its hold
 * record, written at dequeue) that is not in a live lcore's cache.
 *
 * The caller asserts that the process owning lcore_id is dead (see
 * labyrinth_reclaim_lcore() for how to know) and that the objects it had
 * taken were not handed to live lcores that still use them: the driver
 * records who dequeued an object, not who holds it after a hand-over.
 *
 * Thread safety: control path; MT-safe with gets and puts of other
 * lcores. O(objects).
 *
 * @param mp
 *   A mempool of the labyrinth driver (ops "labyrinth" or
 *   "labyrinth_strict").
 * @param lcore_id
 *   The dead lcore's id.
 * @return
 *   The number of objects given back; -EINVAL if mp is NULL or not a
 *   labyrinth pool or lcore_id >= RTE_MAX_LCORE; -EBUSY if lcore_id is an
 *   enabled lcore of the calling process; -EXDEV if this process's ops
 *   table does not reach the driver for mp (see labyrinth_mempool_check());
 *   -ENOMEM if a temporary table cannot be allocated.
 * @see labyrinth_reclaim_lcore()
 */
int64_t labyrinth_mempool_reclaim_lcore(struct rte_mempool *mp,
		unsigned int lcore_id);

#ifdef __cplusplus
}
#endif

#endif /* LABYRINTH_MEMPOOL_H */
