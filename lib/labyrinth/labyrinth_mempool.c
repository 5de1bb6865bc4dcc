/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_mempool_check(): the multi-process guard of the labyrinth
 * mempool driver (DPDK bugzilla 1073); labyrinth_mempool_holders_get():
 * who holds a labyrinth mempool's objects, from the driver's hold records.
 *
 * A mempool stores an index into each process's own rte_mempool_ops_table.
 * Drivers loaded with -d register their ops in load order, so a secondary
 * that loads its plugins in another order than the primary finds another
 * driver at the pool's index. Here we decide from shared memory alone
 * whether the primary built the pool with the labyrinth driver (a memzone
 * named after the pool's address, holding our header with its magic, at
 * mp->pool_data), and compare that with what this process's table says.
 * Nothing behind mp->pool_data is read unless it is our memzone: for other
 * drivers it may be a hardware handle rather than a pointer.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_memzone.h>

#include "labyrinth.h"
#include "labyrinth_holders_priv.h"
#include "labyrinth_mempool_priv.h"
#include "labyrinth_priv.h"

/* Name of the ops at mp->ops_index in this process, or NULL. */
static const char *
local_ops_name(const struct rte_mempool *mp)
{
	if (mp->ops_index < 0 ||
			(uint32_t)mp->ops_index >= rte_mempool_ops_table.num_ops)
		return NULL;
	return rte_mempool_get_ops(mp->ops_index)->name;
}

/*
 * The driver's header of mp, from shared memory alone, or NULL: the
 * memzone named after the pool's address, at mp->pool_data, with our
 * magic. Nothing behind pool_data is read before that.
 */
static const struct labyrinth_mempool_hdr *
shared_hdr(const struct rte_mempool *mp)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct labyrinth_mempool_hdr *h = NULL;
	const struct rte_memzone *mz;

	if (labyrinth_mempool_mz_name(mz_name, sizeof(mz_name), mp) != 0)
		return NULL;
	mz = rte_memzone_lookup(mz_name);
	if (mz != NULL && mz->addr == mp->pool_data && mz->len >= sizeof(*h))
		h = mz->addr;
	if (h != NULL && h->magic != LABYRINTH_MEMPOOL_MAGIC)
		h = NULL;
	return h;
}

int
labyrinth_mempool_check(const struct rte_mempool *mp)
{
	const struct labyrinth_mempool_hdr *h;
	const char *here;
	bool ours_here;

	if (mp == NULL)
		return -EINVAL;
	here = local_ops_name(mp);
	/* Either of the driver's ops ("labyrinth", "labyrinth_strict"). */
	ours_here = labyrinth_mempool_ops_mode(here) >= 0;

	/* Not populated yet: the driver has set nothing up to disagree with. */
	if ((mp->flags & RTE_MEMPOOL_F_POOL_CREATED) == 0)
		return 0;

	h = shared_hdr(mp);
	if (h == NULL) {
		if (!ours_here)
			return 0; /* not a labyrinth pool */
		LABYRINTH_LOG(ERR, "mempool %s: ops index %d is \"%s\" in this "
			"process, but the pool was not set up by the labyrinth "
			"driver: this process loaded its -d plugins in another "
			"order than the primary (DPDK bugzilla 1073)",
			mp->name, mp->ops_index, here);
		return -EXDEV;
	}
	if (!ours_here || h->ops_index != mp->ops_index ||
			strcmp(h->ops_name, here) != 0) {
		LABYRINTH_LOG(ERR, "mempool %s: the primary serves it with ops "
			"\"%s\" at index %d, but index %d is \"%s\" in this "
			"process: load the -d plugins in the same order as the "
			"primary (DPDK bugzilla 1073)", mp->name, h->ops_name,
			h->ops_index, mp->ops_index,
			here != NULL ? here : "(none)");
		return -EXDEV;
	}
	return 0;
}

/*
 * Mark the objects sitting in the rte_mempool lcore caches (cached[idx] =
 * 1) and note each cache's length. The caches are written by their lcores
 * without atomics; a relaxed read of the length and of each entry gives a
 * snapshot that may be stale or, while the lcore works, name an object
 * that has just left: counted as cached once, never twice (the byte is a
 * flag).
 */
static void
mark_cached(const struct rte_mempool *mp,
		const struct labyrinth_mempool_hdr *h, uint8_t *cached,
		struct labyrinth_holders *hs)
{
	unsigned int i, k, len;
	uint32_t idx;

	if (mp->cache_size == 0 || mp->local_cache == NULL)
		return;
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct rte_mempool_cache *c = &mp->local_cache[i];

		/* Relaxed: a snapshot of another lcore's field. */
		len = lab_load(&c->len, LAB_RELAXED);
		len = RTE_MIN(len, (unsigned int)RTE_DIM(c->objs));
		hs->owner[i].cache_len = len;
		hs->cache_len += len;
		for (k = 0; k < len; k++) {
			/* Relaxed: as above. */
			const void *obj = lab_load(&c->objs[k], LAB_RELAXED);

			if (labyrinth_mempool_obj_index(h, obj, &idx) &&
					idx < h->nb_objs)
				cached[idx] = 1;
		}
	}
}

int
labyrinth_mempool_holders_get(const struct rte_mempool *mp,
		uint64_t min_age_us, struct labyrinth_holders *holders)
{
	const struct labyrinth_mempool_hdr *h;
	uint64_t hz = rte_get_tsc_hz(), unit_ns, rec, age;
	uint32_t i, n, now, diff;
	unsigned int owner;
	uint8_t *cached;

	if (mp == NULL || holders == NULL)
		return -EINVAL;
	h = shared_hdr(mp);
	if (h == NULL || h->layout_version != LABYRINTH_MEMPOOL_LAYOUT_VERSION)
		return -EINVAL;
	/* Relaxed: written once per object by populate. */
	n = lab_load(&h->nb_objs, LAB_RELAXED);
	cached = calloc(n != 0 ? n : 1, 1);
	if (cached == NULL)
		return -ENOMEM;
	memset(holders, 0, sizeof(*holders));
	holders->min_age_us = min_age_us;
	mark_cached(mp, h, cached, holders);
	/* The reader's TSC, not the driver's coarse clock: a stamp lags its
	 * dequeue by up to a tick, so ages may be up to 1 ms too large. */
	now = (uint32_t)(rte_rdtsc() >> LABYRINTH_MEMPOOL_STAMP_SHIFT);
	unit_ns = hz != 0 ? ((UINT64_C(1) << LABYRINTH_MEMPOOL_STAMP_SHIFT) *
		UINT64_C(1000000000)) / hz : 0;
	for (i = 0; i < n; i++) {
		/* Relaxed: snapshots (see the hold records'
		 * comment in labyrinth_mempool_priv.h). */
		if (lab_load(&h->state[i], LAB_RELAXED) !=
				LABYRINTH_MEMPOOL_OBJ_HELD)
			continue;
		rec = lab_load(&h->hold[i], LAB_RELAXED);
		owner = labyrinth_mempool_hold_owner(rec);
		if (owner > LABYRINTH_OWNER_NON_EAL)
			owner = LABYRINTH_OWNER_NON_EAL;
		if (cached[i]) {
			holders->owner[owner].in_caches++;
			holders->in_caches++;
			continue;
		}
		/* Modulo-2^32 difference: right across one wrap; a stamp of
		 * another process "in the future" is an object just taken. */
		diff = now - labyrinth_mempool_hold_stamp(rec);
		if ((int32_t)diff < 0)
			diff = 0;
		age = (uint64_t)diff * unit_ns / 1000;
		if (age < min_age_us)
			continue;
		lab_holders_add(holders, owner, 1, age);
	}
	free(cached);
	return 0;
}

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
	h = shared_hdr(mp);
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
	mark_cached(mp, h, cached, &hs);
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
		LABYRINTH_LOG(NOTICE, "mempool %s: lcore %u: reclaimed %" PRId64
			" object(s), %u of them from its cache", mp->name,
			lcore_id, total, len);
	return total;
}
