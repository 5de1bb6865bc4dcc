/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The labyrinth mempool driver: an rte_mempool_ops adapter that tracks a
 * pool's free objects in lib/labyrinth's atomic map, one bit an object.
 * No ring, no lock. Two ops names, one code: "labyrinth" and
 * "labyrinth_strict" differ only in the mode each checks in the header
 * (hdr_ok_mode()); the arbitration of a return is the same (see
 * mp_enqueue() and LABYRINTH_MEMPOOL_OPS_NAME).
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
 *   (page table and chunks, mempool_labyrinth_priv.h), which rejects a
 *   foreign return; then its map bit is set (one atomic OR per run of
 *   objects of one map word, one OR for the single return of an uncached
 *   rte_mempool_put()), and the OR's old value rejects a double return,
 *   racing or not. There is no other per-object state (no state byte
 *   since layout version 5): "held" is "bit clear and not in transit".
 *   The bits are set before the call returns, so every lcore can dequeue
 *   the objects at once.
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
 * means this process's ops table disagrees with the primary's (the two
 * ops run the same code, but a shifted ops table is a bug to report, not
 * to paper over). This check is the only thing the mode still changes.
 */
static __rte_always_inline bool
hdr_ok_mode(const struct labyrinth_mempool_hdr *h, bool strict)
{
	return mpl_hdr_ok(h) && likely(h->mode == (strict ?
			LABYRINTH_MEMPOOL_MODE_STRICT :
			LABYRINTH_MEMPOOL_MODE_DEFAULT));
}

/*
 * Return n objects: each accepted one has its bit set before the call
 * returns (labyrinth_map_put per batch: one atomic OR per run of objects
 * of the same map word; labyrinth_map_put_one, inline, for the single
 * object of an uncached rte_mempool_put()). The bits are the whole truth
 * (no budget counter, no state byte), so when the enqueue returns, every
 * lcore's dequeue can reach every object it accepted. Returns 0, -EINVAL
 * (some object was not ours) or -EALREADY (some object was already free);
 * the other objects of the call are accepted either way.
 *
 * The OR arbitrates: it is one atomic RMW on the word, and it reports
 * whether the object's bit was set already. Of two returns of one held
 * object, racing on two lcores or one after the other, the RMWs on that
 * word are totally ordered, so exactly one sees the bit clear; the other
 * is a double return and is rejected. Both modes do this, with the same
 * single locked instruction: "labyrinth_strict" costs nothing more. Only a
 * claim between the two ORs (the object handed out again) makes the later
 * one a return of the new holder's object, which no driver can tell from
 * a legitimate one. The OR is a release: see labyrinth_map_put_one().
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
		void * const *obj_table, unsigned int n)
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
			else
				cnt++;
		}
		newly = labyrinth_map_put(&h->map, idx, cnt);
		/* newly == cnt unless some bits were set already: objects
		 * free in the map, returned before (by this call too: the
		 * same index twice in one batch is ORed once, so counted
		 * once; in two batches the second OR finds it set) or by a
		 * racing return on another lcore. The surplus is rejected:
		 * which of a call's duplicates is "the" double does not
		 * matter, the object is free once. */
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
		return enqueue_many(h, lc, lcore_id, obj_table, n);
	/* The single return of rte_mempool_put() without a cache: the
	 * index, then one locked OR, nothing out of line. */
	if (unlikely(!obj_index(h, obj_table[0], &idx)))
		return count_rejects(lc, lcore_id, 1, 0);
	/* The OR's old bit decides: set already, a double return (racing
	 * or not, see above). */
	if (unlikely(labyrinth_map_put_one(&h->map, idx) == 0))
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

/*
 * A dequeue enters its window (struct labyrinth_mempool_lcore's busy)
 * before its first claim. The release fence orders the store before the
 * claim's read-modify-write of the map word: a reclaim that has read that
 * word (then an acquire fence) sees the window open, or a later value.
 */
static __rte_always_inline void
dequeue_enter(struct labyrinth_mempool_lcore *lc, unsigned int lcore_id)
{
	if (likely(lcore_id < RTE_MAX_LCORE))
		/* Relaxed: single writer; the fence below orders it. */
		lab_store(&lc->busy, lab_load(&lc->busy, LAB_RELAXED) + 1,
			LAB_RELAXED);
	else
		/* Relaxed: many writers, so an RMW; the fence orders it. */
		lab_fetch_add(&lc->busy, 1, LAB_RELAXED);
	lab_fence_release();
}

/* ... and leaves it after its last hold record store. Release: a reclaim
 * that reads the window closed (acquire) sees those records. */
static __rte_always_inline void
dequeue_leave(struct labyrinth_mempool_lcore *lc, unsigned int lcore_id)
{
	if (likely(lcore_id < RTE_MAX_LCORE))
		/* Relaxed load: single writer; release store: see above. */
		lab_store(&lc->busy, lab_load(&lc->busy, LAB_RELAXED) + 1,
			LAB_RELEASE);
	else
		/* Release: see above; many writers, so an RMW. */
		lab_fetch_sub(&lc->busy, 1, LAB_RELEASE);
}

#ifdef LMP_RACE_HOOK
/* Test-only builds (tests/mempool/test_mempool_reclaim_race.c): called
 * between a dequeue's claim and its hold record stores. */
void lmp_race_claimed(void);
#define LMP_RACE_CLAIMED() lmp_race_claimed()
#else
#define LMP_RACE_CLAIMED() do { } while (0)
#endif

/* Indices a dequeue claims on the stack (2 KiB); a bigger one chains. */
#define STAGE 512

/* End of a claim chain (dequeue_chained()): a tagged non-record. */
#define NO_LINK LABYRINTH_MEMPOOL_HOLD_NONE

/*
 * Hand cnt claimed objects out: held from now on (their bits are clear
 * since the claim), each with its hold record, into obj_table. Nothing
 * else per object: no state byte to store.
 */
static __rte_always_inline void
hand_out(struct labyrinth_mempool_hdr *h, void **obj_table,
		const uint32_t *idx, unsigned int cnt, uint64_t rec)
{
	unsigned int i;

	for (i = 0; i < cnt; i++) {
		/* Relaxed: for the holder summary and the reclaim, which
		 * read it as a snapshot (mempool_labyrinth_priv.h); it
		 * publishes nothing: the object's contents went through the
		 * bit (claim acquire, put release). */
		lab_store(&h->hold[idx[i]], rec, LAB_RELAXED);
		obj_table[i] = h->objs[idx[i]];
	}
}

/*
 * A dequeue of more than STAGE objects: claims in batches, the claimed
 * objects chained through their hold records (theirs alone while claimed),
 * and obj_table written only once all n are claimed, else every claimed
 * one goes back. Their bits are clear while they are chained, so each
 * link is tagged (labyrinth_mempool_hold_link(): bit 31, which no hold
 * record has) and the holder summary and the reclaim skip it.
 */
static int __rte_noinline
dequeue_chained(struct labyrinth_mempool_hdr *h, void **obj_table,
		unsigned int n, uint32_t *hint, uint64_t rec)
{
	uint32_t idx[BATCH], want, got, i, k, cur;
	uint64_t head = NO_LINK, next;
	unsigned int done = 0;

	while (done < n) {
		want = RTE_MIN(n - done, (unsigned int)BATCH);
		got = labyrinth_map_claim(&h->map, hint, idx, want);
		for (i = 0; i < got; i++) {
			/* Relaxed: a private link, see above; the readers
			 * that may see it skip it by its tag. */
			lab_store(&h->hold[idx[i]], head, LAB_RELAXED);
			head = labyrinth_mempool_hold_link(idx[i]);
		}
		done += got;
		if (got < want)
			break;
	}
	if (done < n) {
		/* Fewer than n free: every claimed one back. */
		for (k = 0; head != NO_LINK; head = next) {
			cur = labyrinth_mempool_hold_link_next(head);
			/* Relaxed: our own link, see above. */
			next = lab_load(&h->hold[cur], LAB_RELAXED);
			idx[k++] = cur;
			if (k == BATCH || next == NO_LINK) {
				labyrinth_map_put(&h->map, idx, k);
				k = 0;
			}
		}
		return -ENOBUFS;
	}
	for (k = 0; head != NO_LINK; head = next, k++) {
		idx[0] = labyrinth_mempool_hold_link_next(head);
		/* Relaxed: our own link, see above. */
		next = lab_load(&h->hold[idx[0]], LAB_RELAXED);
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
	dequeue_enter(lc, lcore_id);
	if (likely(n <= STAGE)) {
		got = labyrinth_map_claim(&h->map, &hint, idx, n);
		if (likely(got == n)) {
			LMP_RACE_CLAIMED();
			hand_out(h, obj_table, idx, n, rec);
		} else {
			/* The map holds fewer than n (or churn moved the
			 * bits behind the scan's two passes): they go back,
			 * the dequeue takes nothing. */
			labyrinth_map_put(&h->map, idx, got);
			ret = -ENOBUFS;
		}
	} else {
		ret = dequeue_chained(h, obj_table, n, &hint, rec);
	}
	dequeue_leave(lc, lcore_id);
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

/* The two modes share everything: their callbacks differ only in the
 * mode they check in the header (hdr_ok_mode()). */
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
