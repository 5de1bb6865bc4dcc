/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The labyrinth mempool driver's alloc and free (control path): the
 * memzone of a pool's shared header (struct labyrinth_mempool_hdr and the
 * tables after it, mempool_labyrinth_priv.h), named after the pool's
 * address so that every process finds it, set up with every object held
 * until populate returns it.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_reciprocal.h>
#include <rte_string_fns.h>

#include "labyrinth_map_priv.h"
#include "mempool_labyrinth_drv_priv.h"

/* Map calls take uint32_t counts; a bigger pool cannot be tracked. */
#define MAX_OBJS (UINT32_MAX / 2)

/* Bytes of the shared header, rounded to a cache line. */
#define HDR_SIZE RTE_ALIGN_CEIL(sizeof(struct labyrinth_mempool_hdr), \
		RTE_CACHE_LINE_SIZE)

int
mpl_alloc(struct rte_mempool *mp)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct labyrinth_mempool_hdr *h;
	size_t words_sz, objs_sz, hold_sz, chunks_sz, pg_sz, total;
	uint32_t max_chunks, pg_cap, stride;
	unsigned int i, nb_slots = RTE_MAX_LCORE + 1;
	int socket_id, ret, mode;

	if (mp->size == 0 || mp->size > MAX_OBJS) {
		MPL_LOG(ERR, "mempool %s: %u objects: the labyrinth driver "
			"takes 1 .. %u", mp->name, mp->size, MAX_OBJS);
		return -EINVAL;
	}
	mode = labyrinth_mempool_ops_mode(
			rte_mempool_get_ops(mp->ops_index)->name);
	if (mode < 0)
		return -EINVAL; /* not called through our ops */
	ret = labyrinth_mempool_mz_name(mz_name, sizeof(mz_name), mp);
	if (ret != 0)
		return ret;
	stride = (uint32_t)(mp->header_size + mp->elt_size +
			mp->trailer_size);

	words_sz = RTE_ALIGN_CEIL(labyrinth_map_words_size(mp->size),
			RTE_CACHE_LINE_SIZE);
	objs_sz = RTE_ALIGN_CEIL((size_t)mp->size * sizeof(void *),
			RTE_CACHE_LINE_SIZE);
	hold_sz = RTE_ALIGN_CEIL((size_t)mp->size * sizeof(uint64_t),
			RTE_CACHE_LINE_SIZE);
	/* One chunk an object at worst (every object in memory of its
	 * own): the table can never overflow. */
	max_chunks = mp->size;
	chunks_sz = RTE_ALIGN_CEIL((size_t)max_chunks *
			sizeof(struct labyrinth_mempool_chunk),
			RTE_CACHE_LINE_SIZE);
	pg_cap = mpl_pg_capacity(mp, stride);
	pg_sz = (size_t)pg_cap * sizeof(uint32_t);
	total = HDR_SIZE + words_sz + objs_sz + hold_sz + chunks_sz + pg_sz;

	socket_id = mp->socket_id;
	if (socket_id == SOCKET_ID_ANY)
		socket_id = (int)rte_socket_id();
	mz = rte_memzone_reserve_aligned(mz_name, total, socket_id, 0,
			RTE_CACHE_LINE_SIZE);
	if (mz == NULL && mp->socket_id == SOCKET_ID_ANY)
		mz = rte_memzone_reserve_aligned(mz_name, total, SOCKET_ID_ANY,
				0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL) {
		ret = -rte_errno;
		MPL_LOG(ERR, "mempool %s: cannot reserve %zu bytes on socket "
			"%d: %s", mp->name, total, socket_id,
			rte_strerror(rte_errno));
		return ret;
	}

	h = mz->addr;
	memset(h, 0, total);
	h->objs = RTE_PTR_ADD(h, HDR_SIZE + words_sz);
	h->hold = RTE_PTR_ADD(h->objs, objs_sz);
	h->chunks = RTE_PTR_ADD(h->hold, hold_sz);
	h->pg_chunk = RTE_PTR_ADD(h->chunks, chunks_sz);
	h->max_chunks = max_chunks;
	h->pg_cap = pg_cap;
	h->pg_shift = LABYRINTH_MEMPOOL_PG_SHIFT_MIN;
	/* nb_pg 0: no granule covered until the first populate. */
	h->stride = stride;
	h->recip = rte_reciprocal_value_u64(h->stride);
	h->size = mp->size;
	h->ops_index = mp->ops_index;
	h->socket_id = mz->socket_id;
	strlcpy(h->ops_name, rte_mempool_get_ops(mp->ops_index)->name,
			sizeof(h->ops_name));
	strlcpy(h->pool_name, mp->name, sizeof(h->pool_name));
	/* Every bit clear: populate records each object, then its enqueue
	 * sets the bit (the first return of an object is accepted). */
	labyrinth_map_init(&h->map, RTE_PTR_ADD(h, HDR_SIZE), mp->size,
			false);
	/* Spread the lcores' first claims over the map. */
	for (i = 0; i < nb_slots; i++)
		h->lcore[i].hint = (uint32_t)((uint64_t)i *
				h->map.nb_words / nb_slots);
	/* Last: the magic makes the header valid. Nobody can see pool_data
	 * before alloc returns, so ordering is the mempool library's. */
	h->mode = (uint32_t)mode;
	h->layout_version = LABYRINTH_MEMPOOL_LAYOUT_VERSION;
	h->magic = LABYRINTH_MEMPOOL_MAGIC;
	mp->pool_data = h;
	mpl_clock_start();
	return 0;
}

void
mpl_free(struct rte_mempool *mp)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	struct labyrinth_mempool_hdr *h = mp->pool_data;
	const struct rte_memzone *mz;

	if (h == NULL ||
			labyrinth_mempool_mz_name(mz_name, sizeof(mz_name),
				mp) != 0)
		return;
	mz = rte_memzone_lookup(mz_name);
	if (mz == NULL || mz->addr != h) {
		MPL_LOG(ERR, "mempool %s: memzone %s not found", mp->name,
			mz_name);
		return;
	}
	if (mpl_hdr_ok(h)) {
		struct mpl_counters c;

		mpl_sum_counters(h, &c);
		mpl_report_rejects(h, &c, true);
	}
	mpl_report_bad_pool();
	h->magic = 0;
	rte_memzone_free(mz);
	mp->pool_data = NULL;
}
