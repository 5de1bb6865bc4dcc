/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The driver's log type (pmd.mempool.labyrinth) and what its control path
 * logs: the per-lcore counters summed, a summary of the rejected returns,
 * and the data path's calls on pools it did not set up. Nothing here runs
 * on the data path, which only counts.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_log.h>

#include "labyrinth_atomic_priv.h"
#include "mempool_labyrinth_drv_priv.h"

RTE_LOG_REGISTER(mempool_labyrinth_logtype, pmd.mempool.labyrinth, NOTICE);

/* See mempool_labyrinth_drv_priv.h. */
uint64_t mpl_bad_pool_calls;
/* mpl_bad_pool_calls when last logged. */
static uint64_t bad_pool_reported;

/* See mempool_labyrinth_drv_priv.h. */
void
mpl_sum_counters(const struct labyrinth_mempool_hdr *h,
		struct mpl_counters *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i <= RTE_MAX_LCORE; i++) {
		c->claims += lab_load(&h->lcore[i].claims, LAB_RELAXED);
		c->returns += lab_load(&h->lcore[i].returns, LAB_RELAXED);
		c->rejects += lab_load(&h->lcore[i].rejects, LAB_RELAXED);
		c->foreign += lab_load(&h->lcore[i].rejects_foreign,
				LAB_RELAXED);
		c->fails += lab_load(&h->lcore[i].dequeue_fails, LAB_RELAXED);
	}
}

/* See mempool_labyrinth_drv_priv.h. Control path. */
void
mpl_report_rejects(struct labyrinth_mempool_hdr *h,
		const struct mpl_counters *c, bool final)
{
	/* Relaxed: the exchange only makes one of two racing control
	 * threads log a given increase; it guards no data. */
	uint64_t old = lab_xchg(&h->rejects_reported, c->rejects,
			LAB_RELAXED);

	if (c->rejects > old || (final && c->rejects != 0))
		MPL_LOG(ERR, "mempool %s: %" PRIu64 " returns rejected so far "
			"(%" PRIu64 " foreign, %" PRIu64 " already free); see "
			"the rejected_returns counter", h->pool_name,
			c->rejects, c->foreign, c->rejects - c->foreign);
}

/* Control path: log the data path's bad-pool calls since the last time. */
void
mpl_report_bad_pool(void)
{
	/* Relaxed: statistics; the exchange makes one caller log a given
	 * increase when two control threads race, nothing more. */
	uint64_t n = lab_load(&mpl_bad_pool_calls, LAB_RELAXED);
	uint64_t old = lab_xchg(&bad_pool_reported, n, LAB_RELAXED);

	if (n > old)
		MPL_LOG(ERR, "%" PRIu64 " calls refused on mempools whose pool "
			"data the labyrinth driver did not set up (%" PRIu64
			" new): the ops table of this process disagrees with "
			"the primary's (load -d plugins in the same order)",
			n, n - old);
}
