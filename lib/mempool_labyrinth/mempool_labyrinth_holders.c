/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_mempool_holders_get(): who holds a labyrinth mempool's
 * objects, from the driver's hold records and the rte_mempool lcore
 * caches above it (shared memory only).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_mempool.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_holders_priv.h"
#include "labyrinth_mempool.h"
#include "mempool_labyrinth_ctl_priv.h"
#include "mempool_labyrinth_priv.h"

/*
 * See mempool_labyrinth_ctl_priv.h. The caches are written by their lcores
 * without atomics; a relaxed read of the length and of each entry gives a
 * snapshot that may be stale or, while the lcore works, name an object
 * that has just left: counted as cached once, never twice (the byte is a
 * flag).
 */
void
lmp_mark_cached(const struct rte_mempool *mp,
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
				cached[idx] = LMP_IN_CACHE;
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
	h = lmp_shared_hdr(mp);
	if (h == NULL || h->layout_version != LABYRINTH_MEMPOOL_LAYOUT_VERSION)
		return -EINVAL;
	/* Relaxed: written once per object by populate. */
	n = lab_load(&h->nb_objs, LAB_RELAXED);
	cached = calloc(n != 0 ? n : 1, 1);
	if (cached == NULL)
		return -ENOMEM;
	memset(holders, 0, sizeof(*holders));
	holders->min_age_us = min_age_us;
	lmp_mark_cached(mp, h, cached, holders);
	/* The reader's TSC, not the driver's coarse clock: a stamp lags its
	 * dequeue by up to a tick, so ages may be up to 1 ms too large. */
	now = (uint32_t)(rte_rdtsc() >> LABYRINTH_MEMPOOL_STAMP_SHIFT);
	unit_ns = hz != 0 ? ((UINT64_C(1) << LABYRINTH_MEMPOOL_STAMP_SHIFT) *
		UINT64_C(1000000000)) / hz : 0;
	for (i = 0; i < n; i++) {
		/* A snapshot: an object returned or claimed while we read
		 * may be counted on either side, once (labyrinth_mempool_held_rec()). */
		if (!labyrinth_mempool_held_rec(h, i, &rec))
			continue;
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
