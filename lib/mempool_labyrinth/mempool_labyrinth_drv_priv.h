/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef MEMPOOL_LABYRINTH_DRV_PRIV_H
#define MEMPOOL_LABYRINTH_DRV_PRIV_H

/**
 * @file
 * @internal
 * What the files of the labyrinth mempool driver share (never installed,
 * not part of liblabyrinth_mempool): the log macro, the header check, and
 * the calls and variables one file provides to another. Who calls whom
 * (no circles):
 *   mempool_labyrinth.c (data path, ops) -> _pool.c, _objs.c, _clock.c,
 *       _log.c
 *   mempool_labyrinth_pool.c (alloc, free) -> _objs.c, _clock.c, _log.c
 *   mempool_labyrinth_objs.c (populate, object tables) -> _log.c
 *   mempool_labyrinth_tel.c (telemetry) -> _log.c, liblabyrinth_mempool
 *   mempool_labyrinth_clock.c, mempool_labyrinth_log.c -> nothing
 * Every symbol here has the mpl_ prefix: the driver is also linked whole
 * into applications, where its globals share the program's namespace.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_log.h>
#include <rte_mempool.h>

#include "mempool_labyrinth_priv.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Log type pmd.mempool.labyrinth (mempool_labyrinth_log.c). */
extern int mempool_labyrinth_logtype;

/** Adds the prefix and the newline: call sites end without "\n". */
#define MPL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, mempool_labyrinth_logtype, \
		"mempool_labyrinth: %s(): " fmt "\n", __func__, ##__VA_ARGS__)

/** A labyrinth header of this layout (any mode). */
static inline bool
mpl_hdr_ok(const struct labyrinth_mempool_hdr *h)
{
	return likely(h != NULL && h->magic == LABYRINTH_MEMPOOL_MAGIC &&
			h->layout_version == LABYRINTH_MEMPOOL_LAYOUT_VERSION);
}

/**
 * @name The coarse clock (mempool_labyrinth_clock.c)
 * @{
 */
/**
 * TSC >> LABYRINTH_MEMPOOL_STAMP_SHIFT, refreshed every millisecond once
 * mpl_clock_start() ran in this process; 0 before. Read relaxed.
 */
extern uint32_t mpl_clock;
/** Control path (alloc): arm the clock, once per process. */
void mpl_clock_start(void);
/** @} */

/**
 * @name Log type and control-path reports (mempool_labyrinth_log.c)
 * @{
 */
/**
 * Calls of this driver's data path on a pool whose pool_data is not a
 * labyrinth header (an ops table that disagrees with the primary's), in
 * this process. The data path only counts them (relaxed fetch-add); the
 * control path (telemetry, free) logs a summary: mpl_report_bad_pool().
 */
extern uint64_t mpl_bad_pool_calls;

/** Sums of a pool's per-lcore counters. */
struct mpl_counters {
	uint64_t claims, returns, rejects, foreign, fails;
};

/**
 * Sum the per-lcore counters, each read relaxed (statistics; they publish
 * nothing). The snapshot is not atomic across fields while the pool is in
 * use.
 */
void mpl_sum_counters(const struct labyrinth_mempool_hdr *h,
		struct mpl_counters *c);

/**
 * Log one summary line of the rejected returns if there are new ones
 * since the last summary (or any at all, when final).
 */
void mpl_report_rejects(struct labyrinth_mempool_hdr *h,
		const struct mpl_counters *c, bool final);

/** Log the data path's bad-pool calls since the last time. */
void mpl_report_bad_pool(void);
/** @} */

/**
 * @name Pool alloc and free (mempool_labyrinth_pool.c): the ops callbacks
 * @{
 */
int mpl_alloc(struct rte_mempool *mp);
void mpl_free(struct rte_mempool *mp);
/** @} */

/**
 * @name Populate and the object tables (mempool_labyrinth_objs.c)
 * @{
 */
/** The ops' populate callback. */
int mpl_populate(struct rte_mempool *mp, unsigned int max_objs,
		void *vaddr, rte_iova_t iova, size_t len,
		rte_mempool_populate_obj_cb_t *obj_cb, void *obj_cb_arg);

/**
 * Page-table entries to reserve for a pool of objects of stride bytes
 * (alloc sizes the header's memzone with it).
 */
uint32_t mpl_pg_capacity(struct rte_mempool *mp, uint32_t stride);
/** @} */

#ifdef __cplusplus
}
#endif

#endif /* MEMPOOL_LABYRINTH_DRV_PRIV_H */
