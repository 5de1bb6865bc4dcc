/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The labyrinth mempool driver's populate (control path): each object of
 * a memory region recorded in objs[], in the table of chunks (runs of
 * objects at a fixed stride) and in the page table that finds an object's
 * chunk from its address (see the top of mempool_labyrinth_priv.h); and
 * the size of that page table, for alloc.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <rte_bitops.h>
#include <rte_common.h>
#include <rte_mempool.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_map_priv.h"
#include "mempool_labyrinth_drv_priv.h"

/*
 * Page-table entries for a pool: two per 4 KiB of the memory its objects
 * take (rte_mempool's own estimate, page padding included), so that a
 * pool populated from 4 KiB pieces, as under --no-huge or with testpmd's
 * --mp-alloc=xmem, still gets 4 KiB granules with room to spare; within
 * LABYRINTH_MEMPOOL_PG_ENTRIES_MIN .. _MAX, a power of two. A bigger span
 * than that (memory far apart) only makes the granules coarser.
 */
uint32_t
mpl_pg_capacity(struct rte_mempool *mp, uint32_t stride)
{
	size_t pg_sz = 0, min_chunk, align;
	ssize_t mem = -1;
	uint64_t n;

	if (rte_mempool_get_page_size(mp, &pg_sz) == 0)
		mem = rte_mempool_op_calc_mem_size_default(mp, mp->size,
				pg_sz != 0 ? rte_bsf64(pg_sz) : 0, &min_chunk,
				&align);
	if (mem < 0)
		mem = (ssize_t)((uint64_t)mp->size * stride);
	n = 2 * ((uint64_t)mem >> LABYRINTH_MEMPOOL_PG_SHIFT_MIN) + 2;
	n = RTE_MAX(n, (uint64_t)LABYRINTH_MEMPOOL_PG_ENTRIES_MIN);
	n = RTE_MIN(rte_align64pow2(n),
			(uint64_t)LABYRINTH_MEMPOOL_PG_ENTRIES_MAX);
	return (uint32_t)n;
}

/* Context of one populate call. */
struct populate_ctx {
	struct labyrinth_mempool_hdr *h;
	rte_mempool_populate_obj_cb_t *obj_cb;
	void *obj_cb_arg;
	unsigned int lost; /* objects that could not be recorded */
};

/*
 * The page table and the chunks, built by populate (control path). The
 * data path does not run on a pool while it is being populated (populate
 * is rte_mempool's init-time call), except the helper's enqueue of each
 * object right after it is recorded, in the same thread: so every update
 * below keeps the table correct for every object recorded so far, and no
 * atomics are needed.
 */

static inline uintptr_t
chunk_last(const struct labyrinth_mempool_hdr *h,
		const struct labyrinth_mempool_chunk *c)
{
	return c->lo + (uintptr_t)(c->count - 1) * h->stride;
}

/* Granule of an address inside the covered span. */
static inline uint32_t
granule(const struct labyrinth_mempool_hdr *h, uintptr_t a)
{
	return (uint32_t)((a - h->pg_base) >> h->pg_shift);
}

/*
 * Chunk k now has object starts in granules from..to too (it grew into
 * them, or it is being linked): it is the lowest chunk there, since any
 * lower one with an object start in them would overlap it. Its next
 * becomes the chunk that started in the last of them before, if any.
 */
static void
chunk_reach(struct labyrinth_mempool_hdr *h, uint32_t k, uint32_t from,
		uint32_t to)
{
	uint32_t g;

	for (g = from; g <= to; g++) {
		h->chunks[k].next = h->pg_chunk[g];
		h->pg_chunk[g] = k;
	}
}

/*
 * Link chunk k (its current objects) into the page table: into the chain
 * of its first granule, in address order, then as the lowest chunk of
 * every further granule it reaches.
 */
static void
chunk_link(struct labyrinth_mempool_hdr *h, uint32_t k)
{
	struct labyrinth_mempool_chunk *c = &h->chunks[k], *chunks = h->chunks;
	uint32_t g0 = granule(h, c->lo), g1 = granule(h, chunk_last(h, c));
	uint32_t x = h->pg_chunk[g0];

	if (x == LABYRINTH_MEMPOOL_NO_CHUNK || chunks[x].lo > c->lo) {
		c->next = x;
		h->pg_chunk[g0] = k;
	} else {
		/* x and every chunk up to c start in g0: the links are
		 * exact there. */
		while (chunks[x].next != LABYRINTH_MEMPOOL_NO_CHUNK &&
				chunks[chunks[x].next].lo < c->lo)
			x = chunks[x].next;
		c->next = chunks[x].next;
		chunks[x].next = k;
	}
	if (g1 > g0)
		chunk_reach(h, k, g0 + 1, g1);
}

/*
 * Make the page table cover [lo, hi) besides every chunk: a granule
 * (4 KiB or more) with which the needed span takes at most half of the
 * entries, the other half split as room on both sides, so that regions
 * arriving in either direction need a rebuild only when the span has grown
 * by half (a logarithmic number of rebuilds). Then every chunk is linked
 * again. Nothing to do when [lo, hi) is covered already.
 */
static void
pg_cover(struct labyrinth_mempool_hdr *h, uintptr_t lo, uintptr_t hi)
{
	const struct labyrinth_mempool_chunk *c;
	uint32_t shift = LABYRINTH_MEMPOOL_PG_SHIFT_MIN, k;
	uintptr_t g_lo, g_hi, need, room, base_g;

	if (h->nb_pg != 0 && lo >= h->pg_base &&
			((hi - 1 - h->pg_base) >> h->pg_shift) < h->nb_pg)
		return;
	for (k = 0; k < h->nb_chunks; k++) {
		c = &h->chunks[k];
		lo = RTE_MIN(lo, c->lo);
		hi = RTE_MAX(hi, chunk_last(h, c) + 1);
	}
	for (;;) {
		g_lo = lo >> shift;
		g_hi = (hi - 1) >> shift;
		need = g_hi - g_lo + 1;
		if (need <= h->pg_cap / 2)
			break;
		shift++;
	}
	room = (h->pg_cap - need) / 2;
	base_g = g_lo - RTE_MIN(room, g_lo);
	/* Not past the top of the address space either. */
	h->nb_pg = (uint32_t)RTE_MIN((uintptr_t)h->pg_cap,
			(UINTPTR_MAX >> shift) - base_g + 1);
	h->pg_base = base_g << shift;
	h->pg_shift = shift;
	for (k = 0; k < h->pg_cap; k++)
		h->pg_chunk[k] = LABYRINTH_MEMPOOL_NO_CHUNK;
	for (k = 0; k < h->nb_chunks; k++)
		chunk_link(h, k);
	h->pg_rebuilds++;
}

/*
 * Add object a, index i, to the chunks: extend the chunk populate is
 * filling when a comes one stride after its last object, else start a
 * chunk. Either way the page table covers a when this returns.
 */
static void
record_chunk(struct labyrinth_mempool_hdr *h, uintptr_t a, uint32_t i)
{
	struct labyrinth_mempool_chunk *c;
	uint32_t k, g_old, g_new;

	if (h->nb_chunks != 0) {
		c = &h->chunks[h->cur_chunk];
		if (a == c->lo + (uintptr_t)c->count * h->stride &&
				i == c->first + c->count) {
			g_old = granule(h, chunk_last(h, c));
			c->count++;
			g_new = granule(h, a);
			if (g_new > g_old)
				chunk_reach(h, h->cur_chunk, g_old + 1, g_new);
			return;
		}
	}
	/* i < size and a chunk has at least one object: room is left. */
	k = h->nb_chunks;
	RTE_ASSERT(k < h->max_chunks);
	c = &h->chunks[k];
	c->lo = a;
	c->first = i;
	c->count = 1;
	c->next = LABYRINTH_MEMPOOL_NO_CHUNK;
	h->nb_chunks = k + 1;
	h->cur_chunk = k;
	chunk_link(h, k);
}

/* Record each object (index, chunk) before the helper enqueues it. */
static void
record_obj(struct rte_mempool *mp, void *arg, void *obj, rte_iova_t iova)
{
	struct populate_ctx *ctx = arg;
	struct labyrinth_mempool_hdr *h = ctx->h;
	uint32_t i = h->nb_objs;

	if (likely(i < h->size)) {
		record_chunk(h, (uintptr_t)obj, i);
		h->objs[i] = obj;
		/* Its bit is clear (alloc and forget_objects() clear the
		 * map) until the helper's enqueue right after this callback
		 * sets it: that first return is accepted, every later one
		 * needs a dequeue in between. Never dequeued: no hold record,
		 * so the holder summary and the reclaim skip the object for
		 * that moment. Relaxed: they read it as a snapshot (the data
		 * path does not run during populate); it publishes nothing. */
		lab_store(&h->hold[i], LABYRINTH_MEMPOOL_HOLD_NONE,
			LAB_RELAXED);
		/* Read relaxed by telemetry; the data path does not run
		 * during populate. */
		lab_store(&h->nb_objs, i + 1, LAB_RELAXED);
	} else {
		/* Cannot happen: populate caps max_objs at the room left.
		 * Its enqueue is rejected (foreign) and populate fails. */
		ctx->lost++;
	}
	ctx->obj_cb(mp, ctx->obj_cb_arg, obj, iova);
}

/*
 * Forget every object recorded so far. rte_mempool calls this driver's
 * populate again after a failed populate: its error path
 * (rte_mempool_free_memchunks) dequeues every object it had added and
 * frees their memory, so the pool is empty (populated_size 0) but our
 * tables still list the objects of the freed memory; a new region's
 * chunks linked next to the stale ones make a cycle in the page table's
 * chains, and the enqueue of the first new object loops for ever.
 * Control path, no other thread on the pool: plain stores.
 */
static void
forget_objects(struct labyrinth_mempool_hdr *h)
{
	/* Every bit clear again, as alloc left the map (record_obj()
	 * writes each new object's hold record). */
	labyrinth_map_init(&h->map, h->map.words, h->size, false);
	h->nb_chunks = 0;
	h->cur_chunk = 0;
	h->nb_pg = 0;
	h->pg_base = 0;
	h->pg_shift = LABYRINTH_MEMPOOL_PG_SHIFT_MIN;
	/* Read relaxed by telemetry. */
	lab_store(&h->nb_objs, 0, LAB_RELAXED);
}

/*
 * Populate one memory region: every object of it is recorded, or the call
 * fails (negative errno, one log line). Objects fit in the tables by
 * construction (objs[] and chunks[] have mp->size entries, the page table
 * is rebuilt coarser rather than overflow), so only a pool whose objects
 * are all recorded already (rte_mempool repopulating after a failure)
 * is refused.
 */
int
mpl_populate(struct rte_mempool *mp, unsigned int max_objs,
		void *vaddr, rte_iova_t iova, size_t len,
		rte_mempool_populate_obj_cb_t *obj_cb, void *obj_cb_arg)
{
	struct labyrinth_mempool_hdr *h = mp->pool_data;
	struct populate_ctx ctx = {
		.h = h,
		.obj_cb = obj_cb,
		.obj_cb_arg = obj_cb_arg,
	};
	unsigned int room;
	int ret;

	if (!mpl_hdr_ok(h)) {
		MPL_LOG(ERR, "mempool %s: pool data was not set up by the "
			"labyrinth driver", mp->name);
		return -EINVAL;
	}
	if (len == 0 || max_objs == 0)
		return 0;
	if ((uintptr_t)vaddr + len < (uintptr_t)vaddr) {
		MPL_LOG(ERR, "mempool %s: region %p + %zu wraps around",
			mp->name, vaddr, len);
		return -EINVAL;
	}
	/* The objects of an earlier, failed populate are gone. */
	if (mp->populated_size == 0 && h->nb_objs != 0)
		forget_objects(h);
	room = h->size - h->nb_objs;
	if (room == 0) {
		MPL_LOG(ERR, "mempool %s: all %u objects are recorded already; "
			"cannot add more", mp->name, h->size);
		return -ENOSPC;
	}
	/* Every object start lies in [vaddr, vaddr + len). */
	pg_cover(h, (uintptr_t)vaddr, (uintptr_t)vaddr + len);
	ret = rte_mempool_op_populate_helper(mp, 0, RTE_MIN(max_objs, room),
			vaddr, iova, len, record_obj, &ctx);
	if (unlikely(ctx.lost != 0)) {
		MPL_LOG(ERR, "mempool %s: %u objects could not be recorded",
			mp->name, ctx.lost);
		return -ENOSPC;
	}
	return ret;
}
