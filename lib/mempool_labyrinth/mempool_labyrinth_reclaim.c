/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_mempool_reclaim_lcore(): the objects a dead process's lcore
 * held from a labyrinth mempool (its rte_mempool cache, and the objects
 * its hold records name), given back through this process's ops.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_mempool.h"
#include "mempool_labyrinth_ctl_priv.h"
#include "mempool_labyrinth_priv.h"

/* Objects of mp in a batch, returned through the pool's ops. */
#define RECLAIM_BATCH 64u

int64_t
labyrinth_mempool_reclaim_lcore(struct rte_mempool *mp, unsigned int lcore_id)
{
	const struct labyrinth_mempool_hdr *h;
	struct labyrinth_holders hs;
	void *batch[RECLAIM_BATCH];
	unsigned int nb = 0, len = 0;
	int64_t total = 0;
	uint8_t *cached;
	uint32_t i, n;

	if (mp == NULL || lcore_id >= RTE_MAX_LCORE)
		return -EINVAL;
	h = lmp_shared_hdr(mp);
	if (h == NULL || h->layout_version != LABYRINTH_MEMPOOL_LAYOUT_VERSION)
		return -EINVAL;
	/* A live lcore of this very process is not dead. */
	if (rte_lcore_is_enabled(lcore_id) || rte_lcore_id() == lcore_id)
		return -EBUSY;
	/* The returns go through this process's ops table. */
	if (labyrinth_mempool_check(mp) != 0)
		return -EXDEV;
	/* Relaxed: written once per object by populate. */
	n = lab_load(&h->nb_objs, LAB_RELAXED);
	cached = calloc(n != 0 ? n : 1, 1);
	if (cached == NULL)
		return -ENOMEM;
	/* Objects in any lcore's rte_mempool cache are not held: the live
	 * lcores' stay where they are, the dead one's go back below. */
	memset(&hs, 0, sizeof(hs));
	lmp_mark_cached(mp, h, cached, &hs);
	if (mp->cache_size != 0 && mp->local_cache != NULL) {
		struct rte_mempool_cache *c = &mp->local_cache[lcore_id];

		/* Relaxed: the cache's only writer is dead. */
		len = RTE_MIN(lab_load(&c->len, LAB_RELAXED),
			(uint32_t)RTE_DIM(c->objs));
		if (len != 0 &&
				rte_mempool_ops_enqueue_bulk(mp, c->objs, len) == 0)
			total += len;
		/* Relaxed: as above. */
		lab_store(&c->len, 0, LAB_RELAXED);
	}
	for (i = 0; i < n; i++) {
		/* Relaxed: a snapshot; the enqueue below decides (a held
		 * object is taken back once, a second return is refused). */
		if (cached[i] || lab_load(&h->state[i], LAB_RELAXED) !=
				LABYRINTH_MEMPOOL_OBJ_HELD ||
				labyrinth_mempool_hold_owner(lab_load(&h->hold[i],
					LAB_RELAXED)) != lcore_id)
			continue;
		batch[nb++] = h->objs[i];
		if (nb == RECLAIM_BATCH) {
			if (rte_mempool_ops_enqueue_bulk(mp, batch, nb) == 0)
				total += nb;
			nb = 0;
		}
	}
	if (nb != 0 && rte_mempool_ops_enqueue_bulk(mp, batch, nb) == 0)
		total += nb;
	free(cached);
	if (total != 0)
		LMP_LOG(NOTICE, "mempool %s: lcore %u: reclaimed %" PRId64
			" object(s), %u of them from its cache", mp->name,
			lcore_id, total, len);
	return total;
}
