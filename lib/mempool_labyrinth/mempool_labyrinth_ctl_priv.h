/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef MEMPOOL_LABYRINTH_CTL_PRIV_H
#define MEMPOOL_LABYRINTH_CTL_PRIV_H

/**
 * @file
 * @internal
 * What the files of liblabyrinth_mempool (mempool_labyrinth_ctl.c,
 * _holders.c, _reclaim.c) share: the log macro and the cross-file calls.
 * Never installed.
 */

#include <stdint.h>

#include <rte_log.h>

#include "labyrinth.h"

struct rte_mempool;
struct labyrinth_mempool_hdr;

/** Log type lib.labyrinth.mempool (mempool_labyrinth_ctl.c). */
extern int labyrinth_mempool_logtype;

/** Adds the prefix and the newline: call sites end without "\n". */
#define LMP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, labyrinth_mempool_logtype, \
		"labyrinth_mempool: %s(): " fmt "\n", __func__, ##__VA_ARGS__)

/**
 * The driver's header of mp, from shared memory alone, or NULL: the
 * memzone named after the pool's address, at mp->pool_data, with the
 * driver's magic. Nothing behind pool_data is read before that
 * (mempool_labyrinth_ctl.c).
 */
const struct labyrinth_mempool_hdr *
lmp_shared_hdr(const struct rte_mempool *mp);

/** lmp_mark_cached()'s mark of an object in some lcore's mempool cache. */
#define LMP_IN_CACHE 1

/**
 * Mark the objects sitting in the rte_mempool lcore caches of mp
 * (cached[idx] = LMP_IN_CACHE, cached has h->nb_objs bytes) and note each
 * cache's length in hs->owner[].cache_len and hs->cache_len
 * (mempool_labyrinth_holders.c).
 */
void lmp_mark_cached(const struct rte_mempool *mp,
		const struct labyrinth_mempool_hdr *h, uint8_t *cached,
		struct labyrinth_holders *hs);

#endif /* MEMPOOL_LABYRINTH_CTL_PRIV_H */
