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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_mempool.h"
#include "mempool_labyrinth_ctl_priv.h"
#include "mempool_labyrinth_priv.h"

/* Objects of mp in a batch, returned through the pool's ops. */
#define RECLAIM_BATCH 64u

/* cached[] value of a candidate of the first pass (see
 * labyrinth_mempool_reclaim_lcore()); lmp_mark_cached() marks the objects
 * in the lcore caches LMP_IN_CACHE. */
#define CANDIDATE (LMP_IN_CACHE + 1)

/* How long the reclaim waits for the dequeues in their window (see
 * wait_dequeues()): a dequeue's window is a few hundred nanoseconds unless
 * its thread is preempted in it. */
#define WAIT_DEQUEUES_MS 200u

/* Whether object i looks held by lcore_id (a snapshot, see the caller). */
static bool
held_by(const struct labyrinth_mempool_hdr *h, uint32_t i,
		unsigned int lcore_id)
{
	uint64_t rec;

	return labyrinth_mempool_held_rec(h, i, &rec) &&
		labyrinth_mempool_hold_owner(rec) == lcore_id;
}

/*
 * Wait until every dequeue that was in its window (from its first claim to
 * its last hold record store, struct labyrinth_mempool_lcore's busy) when
 * this is called has left it, the dead lcore's own slot excepted (it may
 * have died in its window). The caller has read the map words it decides
 * on and issued an acquire fence: a dequeue whose claim it saw had opened
 * its window before (dequeue_enter()), so it is seen here, and once it is
 * seen closed (acquire) its hold records are visible. Dequeues that enter
 * later claim only set bits, never an object the caller found held.
 * Returns false if one is still in its window after WAIT_DEQUEUES_MS.
 */
static bool
wait_dequeues(const struct labyrinth_mempool_hdr *h, unsigned int dead)
{
	const uint64_t deadline = rte_get_timer_cycles() +
		rte_get_timer_hz() * WAIT_DEQUEUES_MS / 1000;
	unsigned int s;

	for (s = 0; s <= LABYRINTH_MEMPOOL_SHARED_SLOT; s++) {
		const uint64_t *busy = &h->lcore[s].busy;
		const bool shared = s == LABYRINTH_MEMPOOL_SHARED_SLOT;
		uint64_t v0, v;

		if (s == dead)
			continue;
		/* Acquire: see above. */
		v0 = lab_load(busy, LAB_ACQUIRE);
		v = v0;
		/* An lcore's sequence is odd in its window, and a new value
		 * means it left the one we saw; the shared slot counts the
		 * non-EAL dequeues in theirs. */
		while (shared ? v != 0 : (v == v0 && (v & 1) != 0)) {
			if (rte_get_timer_cycles() > deadline)
				return false;
			rte_pause();
			/* Acquire: see above. */
			v = lab_load(busy, LAB_ACQUIRE);
		}
	}
	return true;
}

int64_t
labyrinth_mempool_reclaim_lcore(struct rte_mempool *mp, unsigned int lcore_id)
{
	const struct labyrinth_mempool_hdr *h;
	struct labyrinth_holders hs;
	void *batch[RECLAIM_BATCH];
	unsigned int nb = 0, len = 0, cand = 0;
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
	/*
	 * The dead lcore's objects: bit clear and its hold record, not in a
	 * live lcore's cache. The reads are snapshots; the enqueue below
	 * decides (its OR takes a held object back once, a second return is
	 * refused). One look is not enough: between a live lcore's claim of
	 * an object (bit cleared) and its store of the new hold record, the
	 * record still names the previous holder, which may be the dead
	 * lcore (it dequeued the object once and returned it before it
	 * died). So the first pass only marks candidates; then the reclaim
	 * waits for every dequeue in that window (wait_dequeues()), and the
	 * second pass takes the candidates that still look held by the dead
	 * lcore: a live dequeue that claimed one has written its record by
	 * then, and no dequeue can claim one later (its bit is clear).
	 */
	for (i = 0; i < n; i++) {
		if (cached[i] != LMP_IN_CACHE && held_by(h, i, lcore_id)) {
			cached[i] = CANDIDATE;
			cand++;
		}
	}
	/* Acquire: pairs with the dequeues' release fence before their
	 * claims (wait_dequeues()), whose words the first pass read. */
	lab_fence_acquire();
	if (cand != 0 && !wait_dequeues(h, lcore_id)) {
		LMP_LOG(NOTICE, "mempool %s: lcore %u: a dequeue stayed in its "
			"window %u ms: %u held object(s) not reclaimed, call "
			"again", mp->name, lcore_id, WAIT_DEQUEUES_MS, cand);
		cand = 0;
	}
	for (i = 0; i < n && cand != 0; i++) {
		if (cached[i] != CANDIDATE || !held_by(h, i, lcore_id))
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
