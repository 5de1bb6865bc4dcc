/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The labyrinth mempool driver: an rte_mempool_ops adapter that tracks a
 * pool's free objects in lib/labyrinth's atomic map, one bit an object.
 * No ring, no lock. Two ops names, one code: "labyrinth" and
 * "labyrinth_strict", which differ only in how a returned object's state
 * byte goes from HELD to FREE (obj_set_free()).
 *
 * This file is the data path (enqueue, dequeue, get_count and their
 * helpers) and the two ops that register it. The control path is
 * elsewhere: alloc and free in mempool_labyrinth_pool.c, populate and the
 * object tables in mempool_labyrinth_objs.c, telemetry in
 * mempool_labyrinth_tel.c, the coarse clock in mempool_labyrinth_clock.c,
 * the log type and the control path's reports in mempool_labyrinth_log.c.
 *
 * - dequeue: claim bits starting at the calling lcore's own hint word: a
 *   whole word with one atomic exchange, or part of one with one CAS; all
 *   or nothing (when the map holds fewer than n, the claimed ones go back
 *   and the call returns -ENOBUFS).
 * - enqueue: each object is identified by its address alone, in O(1)
 *   (page table and chunks, mempool_labyrinth_priv.h), and marked free
 *   through its byte of state[], which rejects a foreign or double
 *   return; the accepted objects' bits are set before the call returns
 *   (one atomic OR per run of objects of one map word, one OR for the
 *   single return of an uncached rte_mempool_put()), so every lcore can
 *   dequeue them at once.
 * - The map's budget counter is not used: the bits alone say what is
 *   free, so a return takes one locked instruction, not two.
 * - The mempool's per-lcore cache sits on top as usual.
 *
 * Load it into any DPDK application with
 *   -d <path>/libmempool_labyrinth.so --mbuf-pool-ops-name=labyrinth
 * (or =labyrinth_strict).
 * See docs/mempool-driver.md.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_map_priv.h"
#include "mempool_labyrinth_drv_priv.h"

/* Now, for a hold record. */
static __rte_always_inline uint32_t
clock_now(void)
{
	/* Relaxed: a timestamp, orders nothing (see mpl_clock). */
	uint32_t now = lab_load(&mpl_clock, LAB_RELAXED);

	if (unlikely(now == 0))
		now = (uint32_t)(rte_rdtsc() >> LABYRINTH_MEMPOOL_STAMP_SHIFT);
	return now;
}

/* Objects translated per batch on the stack (dequeue and enqueue). */
#define BATCH 128

static inline struct labyrinth_mempool_lcore *
lcore_slot(struct labyrinth_mempool_hdr *h, unsigned int lcore_id)
{
	return &h->lcore[lcore_id < RTE_MAX_LCORE ?
		lcore_id : LABYRINTH_MEMPOOL_SHARED_SLOT];
}

/*
 * Add to a per-lcore counter. An EAL lcore is the only writer of its slot,
 * so lab_counter_add (relaxed load + store, see labyrinth_atomic_priv.h)
 * is enough; the shared slot has many writers and needs a real RMW.
 */
static inline void
slot_count(uint64_t *ctr, unsigned int lcore_id, uint64_t v)
{
	if (likely(lcore_id < RTE_MAX_LCORE))
		lab_counter_add(ctr, v);
	else
		/* Statistic only, publishes nothing: relaxed is enough. */
		lab_fetch_add(ctr, v, LAB_RELAXED);
}

/* Index of a returned object: see labyrinth_mempool_obj_index(). */
static __rte_always_inline bool
obj_index(const struct labyrinth_mempool_hdr *h, const void *obj,
		uint32_t *idx)
{
	return labyrinth_mempool_obj_index(h, obj, idx);
}

/*
 * Mark a returned object free; false if it already was (a double return).
 * The object's contents are published by the map bits (put release, claim
 * acquire), not by this byte, so every access to it is relaxed.
 *
 * strict (ops "labyrinth_strict"): a relaxed exchange; the RMW gives
 * exactly one winner among any number of returns of the object, racing or
 * not, and relaxed is enough because the byte only decides who wins.
 *
 * default (ops "labyrinth"): a relaxed load, a check and a relaxed store,
 * no locked instruction. The load sees the HELD stored by the dequeue that
 * handed the object out, or the FREE of an earlier return, whenever that
 * store happens-before this call (the same thread, or whatever handed the
 * object or the lcore over, e.g. rte_eal_wait_lcore): so a sequential
 * double return is refused. Two returns racing on two lcores may both
 * pass; labyrinth_map_put then still counts the object's bit once (the
 * caller rejects the surplus) unless a claim takes it in between. Such a
 * race is an application bug that default mode does not defend against.
 */
static __rte_always_inline bool
obj_set_free(struct labyrinth_mempool_hdr *h, uint32_t idx, bool strict)
{
	uint8_t *st = &h->state[idx];

	if (strict)
		return lab_xchg(st, LABYRINTH_MEMPOOL_OBJ_FREE, LAB_RELAXED) ==
			LABYRINTH_MEMPOOL_OBJ_HELD;
	/* Relaxed: see above. */
	if (unlikely(lab_load(st, LAB_RELAXED) != LABYRINTH_MEMPOOL_OBJ_HELD))
		return false;
	/* Relaxed: see above. */
	lab_store(st, LABYRINTH_MEMPOOL_OBJ_FREE, LAB_RELAXED);
	return true;
}

/* Slow path: pool_data is not a labyrinth header (ops table mismatch). */
static int __rte_noinline
bad_pool(void)
{
	/* A statistic from any thread, publishes nothing: relaxed. */
	lab_fetch_add(&mpl_bad_pool_calls, 1, LAB_RELAXED);
	return -EINVAL;
}

/*
 * A labyrinth header of this layout and of the mode of the ops called:
 * a pool set up by the other ops of this driver is refused too, since it
 * means this process's ops table disagrees with the primary's.
 */
static __rte_always_inline bool
hdr_ok_mode(const struct labyrinth_mempool_hdr *h, bool strict)
{
	return mpl_hdr_ok(h) && likely(h->mode == (strict ?
			LABYRINTH_MEMPOOL_MODE_STRICT :
			LABYRINTH_MEMPOOL_MODE_DEFAULT));
}

/*
 * Return n objects: each accepted one is marked FREE and its bit set
 * before the call returns (labyrinth_map_put per batch: one atomic OR per
 * run of objects of the same map word; labyrinth_map_put_one, inline, for
 * the single object of an uncached rte_mempool_put()). The bits are the
 * whole truth (no budget counter), so when the enqueue returns, every
 * lcore's dequeue can reach every object it accepted. Returns 0, -EINVAL
 * (some object was not ours) or -EALREADY (some object was already free);
 * the other objects of the call are accepted either way.
 */
/* Count a call's rejected returns (counted only: no logging on the data
 * path, the control path logs a summary, see mpl_report_rejects()). */
static int __rte_noinline
count_rejects(struct labyrinth_mempool_lcore *lc, unsigned int lcore_id,
		unsigned int foreign, unsigned int doubles)
{
	slot_count(&lc->rejects, lcore_id, foreign + doubles);
	if (foreign != 0)
		slot_count(&lc->rejects_foreign, lcore_id, foreign);
	return foreign != 0 ? -EINVAL : -EALREADY;
}

/* mp_enqueue() of more than one object, out of line so that the single
 * return keeps a small frame. */
static int __rte_noinline
enqueue_many(struct labyrinth_mempool_hdr *h,
		struct labyrinth_mempool_lcore *lc, unsigned int lcore_id,
		void * const *obj_table, unsigned int n, bool strict)
{
	unsigned int done, i, lim, cnt, foreign = 0, doubles = 0;
	uint32_t idx[BATCH], newly, put = 0;

	for (done = 0; done < n; done += lim) {
		lim = RTE_MIN(n - done, (unsigned int)BATCH);
		cnt = 0;
		for (i = 0; i < lim; i++) {
			if (unlikely(!obj_index(h, obj_table[done + i],
					&idx[cnt])))
				foreign++;
			else if (likely(obj_set_free(h, idx[cnt], strict)))
				cnt++;
			else
				doubles++;
		}
		newly = labyrinth_map_put(&h->map, idx, cnt);
		/* newly == cnt unless a bit was set already: in default
		 * mode, another lcore's racing return of the same object
		 * (see obj_set_free()); else a bug or a corrupted header.
		 * The surplus is rejected. */
		doubles += cnt - newly;
		put += newly;
	}
	slot_count(&lc->returns, lcore_id, put);
	if (likely(foreign + doubles == 0))
		return 0;
	return count_rejects(lc, lcore_id, foreign, doubles);
}

static __rte_always_inline int
mp_enqueue(struct rte_mempool *mp, void * const *obj_table, unsigned int n,
		bool strict)
{
	struct labyrinth_mempool_hdr *h = mp->pool_data;
	unsigned int lcore_id = rte_lcore_id();
	struct labyrinth_mempool_lcore *lc;
	uint32_t idx;

	if (unlikely(!hdr_ok_mode(h, strict)))
		return bad_pool();
	lc = lcore_slot(h, lcore_id);
	if (unlikely(n != 1))
		return enqueue_many(h, lc, lcore_id, obj_table, n, strict);
	/* The single return of rte_mempool_put() without a cache: one
	 * locked OR, nothing out of line. */
	if (unlikely(!obj_index(h, obj_table[0], &idx)))
		return count_rejects(lc, lcore_id, 1, 0);
	if (unlikely(!obj_set_free(h, idx, strict) ||
			labyrinth_map_put_one(&h->map, idx) == 0))
		/* Refused by the state byte, or (default mode, racing
		 * returns) by the bit: see enqueue_many(). */
		return count_rejects(lc, lcore_id, 0, 1);
	slot_count(&lc->returns, lcore_id, 1);
	return 0;
}

static int
labyrinth_mp_enqueue(struct rte_mempool *mp, void * const *obj_table,
		unsigned int n)
{
	return mp_enqueue(mp, obj_table, n, false);
}

static int
labyrinth_mp_enqueue_strict(struct rte_mempool *mp, void * const *obj_table,
		unsigned int n)
{
	return mp_enqueue(mp, obj_table, n, true);
}

/* Indices a dequeue claims on the stack (2 KiB); a bigger one chains. */
#define STAGE 512

/* End of a claim chain (dequeue_chained()). */
#define NO_LINK UINT64_MAX

/*
 * Hand cnt claimed objects out: held from now on, with their hold record,
 * into obj_table. Relaxed stores: see obj_set_free(); the claim (acquire)
 * already ordered us after the put that freed them.
 */
static __rte_always_inline void
hand_out(struct labyrinth_mempool_hdr *h, void **obj_table,
		const uint32_t *idx, unsigned int cnt, uint64_t rec)
{
	unsigned int i;

	for (i = 0; i < cnt; i++) {
		/* Relaxed: see above. */
		lab_store(&h->state[idx[i]], LABYRINTH_MEMPOOL_OBJ_HELD,
			LAB_RELAXED);
		/* Relaxed: a statistic for the holder summary, which reads
		 * it as a snapshot; it publishes nothing. */
		lab_store(&h->hold[idx[i]], rec, LAB_RELAXED);
		obj_table[i] = h->objs[idx[i]];
	}
}

/*
 * A dequeue of more than STAGE objects: claims in batches, the claimed
 * objects chained through their hold records (theirs alone while claimed:
 * their state stays FREE until they are handed out, so the holder summary
 * does not read the links), and obj_table written only once all n are
 * claimed, else every claimed one goes back.
 */
static int __rte_noinline
dequeue_chained(struct labyrinth_mempool_hdr *h, void **obj_table,
		unsigned int n, uint32_t *hint, uint64_t rec)
{
	uint32_t idx[BATCH], want, got, i, k;
	uint64_t head = NO_LINK, next;
	unsigned int done = 0;

	while (done < n) {
		want = RTE_MIN(n - done, (unsigned int)BATCH);
		got = labyrinth_map_claim(&h->map, hint, idx, want);
		for (i = 0; i < got; i++) {
			/* Relaxed: a private link, see above. */
			lab_store(&h->hold[idx[i]], head, LAB_RELAXED);
			head = idx[i];
		}
		done += got;
		if (got < want)
			break;
	}
	if (done < n) {
		/* Fewer than n free: every claimed one back. */
		for (k = 0; head != NO_LINK; head = next) {
			/* Relaxed: our own link, see above. */
			next = lab_load(&h->hold[head], LAB_RELAXED);
			idx[k++] = (uint32_t)head;
			if (k == BATCH || next == NO_LINK) {
				labyrinth_map_put(&h->map, idx, k);
				k = 0;
			}
		}
		return -ENOBUFS;
	}
	for (k = 0; head != NO_LINK; head = next, k++) {
		/* Relaxed: our own link, see above. */
		next = lab_load(&h->hold[head], LAB_RELAXED);
		idx[0] = (uint32_t)head;
		hand_out(h, &obj_table[k], idx, 1, rec);
	}
	return 0;
}

/*
 * Take n objects, all or nothing. Nothing is written to obj_table unless
 * all n are had: rte_mempool's cache refill dequeues straight into the
 * cache's array and, when that fails and the direct dequeue that follows
 * fails too, keeps the cache's earlier contents as they were.
 */
static __rte_always_inline int
mp_dequeue(struct rte_mempool *mp, void **obj_table, unsigned int n,
		bool strict)
{
	struct labyrinth_mempool_hdr *h = mp->pool_data;
	unsigned int lcore_id = rte_lcore_id();
	struct labyrinth_mempool_lcore *lc;
	uint32_t idx[STAGE], hint, got;
	uint64_t rec;
	int ret = 0;

	if (unlikely(!hdr_ok_mode(h, strict)))
		return bad_pool();
	lc = lcore_slot(h, lcore_id);
	/* Who and since when, one record for the whole call. */
	rec = labyrinth_mempool_hold_rec(lcore_id < RTE_MAX_LCORE ? lcore_id :
			LABYRINTH_MEMPOOL_SHARED_SLOT, clock_now());
	/* Only a hint: a stale or racing value (shared slot) is harmless,
	 * relaxed is enough. */
	hint = lab_load(&lc->hint, LAB_RELAXED);
	if (likely(n <= STAGE)) {
		got = labyrinth_map_claim(&h->map, &hint, idx, n);
		if (likely(got == n))
			hand_out(h, obj_table, idx, n, rec);
		else {
			/* The map holds fewer than n (or churn moved the
			 * bits behind the scan's two passes): they go back,
			 * the dequeue takes nothing. */
			labyrinth_map_put(&h->map, idx, got);
			ret = -ENOBUFS;
		}
	} else {
		ret = dequeue_chained(h, obj_table, n, &hint, rec);
	}
	/* See above: a hint, relaxed. */
	lab_store(&lc->hint, hint, LAB_RELAXED);
	if (unlikely(ret != 0)) {
		slot_count(&lc->dequeue_fails, lcore_id, 1);
		return ret;
	}
	slot_count(&lc->claims, lcore_id, n);
	return 0;
}

static int
labyrinth_mp_dequeue(struct rte_mempool *mp, void **obj_table, unsigned int n)
{
	return mp_dequeue(mp, obj_table, n, false);
}

static int
labyrinth_mp_dequeue_strict(struct rte_mempool *mp, void **obj_table,
		unsigned int n)
{
	return mp_dequeue(mp, obj_table, n, true);
}

/*
 * Free objects: the map's set bits, counted (a control-path call: one
 * relaxed load per map word, i.e. per 64 objects). Exact when the pool is
 * quiet; while it is not, a snapshot (a dequeue that claims and then
 * undoes may make it under-report for a moment).
 */
static __rte_always_inline unsigned int
mp_get_count(const struct rte_mempool *mp, bool strict)
{
	const struct labyrinth_mempool_hdr *h = mp->pool_data;

	if (!hdr_ok_mode(h, strict))
		return 0;
	return labyrinth_map_count_bits(&h->map);
}

static unsigned int
labyrinth_mp_get_count(const struct rte_mempool *mp)
{
	return mp_get_count(mp, false);
}

static unsigned int
labyrinth_mp_get_count_strict(const struct rte_mempool *mp)
{
	return mp_get_count(mp, true);
}

/* The two modes share everything but the data path's state transition. */
static const struct rte_mempool_ops ops_labyrinth = {
	.name = LABYRINTH_MEMPOOL_OPS_NAME,
	.alloc = mpl_alloc,
	.free = mpl_free,
	.enqueue = labyrinth_mp_enqueue,
	.dequeue = labyrinth_mp_dequeue,
	.get_count = labyrinth_mp_get_count,
	.populate = mpl_populate,
};

static const struct rte_mempool_ops ops_labyrinth_strict = {
	.name = LABYRINTH_MEMPOOL_OPS_NAME_STRICT,
	.alloc = mpl_alloc,
	.free = mpl_free,
	.enqueue = labyrinth_mp_enqueue_strict,
	.dequeue = labyrinth_mp_dequeue_strict,
	.get_count = labyrinth_mp_get_count_strict,
	.populate = mpl_populate,
};

RTE_MEMPOOL_REGISTER_OPS(ops_labyrinth);
RTE_MEMPOOL_REGISTER_OPS(ops_labyrinth_strict);
