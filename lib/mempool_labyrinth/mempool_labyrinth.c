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
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_holders_priv.h"
#include "labyrinth_map_priv.h"
#include "labyrinth_mempool.h"
#include "mempool_labyrinth_priv.h"

RTE_LOG_REGISTER(mempool_labyrinth_logtype, pmd.mempool.labyrinth, NOTICE);

/* Adds the prefix and the newline: call sites end without "\n". */
#define MPL_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, mempool_labyrinth_logtype, \
		"mempool_labyrinth: %s(): " fmt "\n", __func__, ##__VA_ARGS__)

/*
 * Coarse clock of the hold records' dequeue time (mempool_labyrinth_priv.h):
 * the TSC >> LABYRINTH_MEMPOOL_STAMP_SHIFT, refreshed every CLOCK_US by an
 * EAL alarm (the interrupt thread) that the first pool alloc of this
 * process arms, so that a dequeue reads a variable instead of the TSC
 * (rdtsc costs about 35 ns on this virtualised x86). 0 until armed: a
 * process that dequeues from pools it did not create (a secondary) reads
 * the TSC itself, once per dequeue call.
 */
#define CLOCK_US 1000
static uint32_t mp_clock;
static uint32_t mp_clock_armed;

static void
clock_tick(void *arg __rte_unused)
{
	/* Relaxed: dequeues copy it into hold records as a timestamp; it
	 * publishes nothing, and a reader a tick behind is within the
	 * documented resolution. */
	lab_store(&mp_clock, (uint32_t)(rte_rdtsc() >>
			LABYRINTH_MEMPOOL_STAMP_SHIFT), LAB_RELAXED);
	if (rte_eal_alarm_set(CLOCK_US, clock_tick, NULL) != 0)
		/* Relaxed: lets the next alloc try again. */
		lab_store(&mp_clock_armed, 0, LAB_RELAXED);
}

/* Control path (alloc): arm the clock once per process. */
static void
clock_start(void)
{
	/* Relaxed: the exchange only decides which caller arms the alarm;
	 * the clock publishes no data. */
	if (lab_xchg(&mp_clock_armed, 1, LAB_RELAXED) == 0)
		clock_tick(NULL);
}

/* Now, for a hold record. */
static __rte_always_inline uint32_t
clock_now(void)
{
	/* Relaxed: a timestamp, orders nothing (see mp_clock). */
	uint32_t now = lab_load(&mp_clock, LAB_RELAXED);

	if (unlikely(now == 0))
		now = (uint32_t)(rte_rdtsc() >> LABYRINTH_MEMPOOL_STAMP_SHIFT);
	return now;
}

/* Objects translated per batch on the stack (dequeue and enqueue). */
#define BATCH 128

/* Map calls take uint32_t counts; a bigger pool cannot be tracked. */
#define MAX_OBJS (UINT32_MAX / 2)

/* Bytes of the shared header, rounded to a cache line. */
#define HDR_SIZE RTE_ALIGN_CEIL(sizeof(struct labyrinth_mempool_hdr), \
		RTE_CACHE_LINE_SIZE)

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

/*
 * Calls of this driver's data path on a pool whose pool_data is not a
 * labyrinth header (an ops table that disagrees with the primary's), in
 * this process. The data path only counts them; the control path
 * (telemetry, free) logs a summary.
 */
static uint64_t bad_pool_calls;
/* bad_pool_calls when last logged. */
static uint64_t bad_pool_reported;

/* Slow path: pool_data is not a labyrinth header (ops table mismatch). */
static int __rte_noinline
bad_pool(void)
{
	/* A statistic from any thread, publishes nothing: relaxed. */
	lab_fetch_add(&bad_pool_calls, 1, LAB_RELAXED);
	return -EINVAL;
}

/* Control path: log the data path's bad-pool calls since the last time. */
static void
report_bad_pool(void)
{
	/* Relaxed: statistics; the exchange makes one caller log a given
	 * increase when two control threads race, nothing more. */
	uint64_t n = lab_load(&bad_pool_calls, LAB_RELAXED);
	uint64_t old = lab_xchg(&bad_pool_reported, n, LAB_RELAXED);

	if (n > old)
		MPL_LOG(ERR, "%" PRIu64 " calls refused on mempools whose pool "
			"data the labyrinth driver did not set up (%" PRIu64
			" new): the ops table of this process disagrees with "
			"the primary's (load -d plugins in the same order)",
			n, n - old);
}

/* A labyrinth header of this layout (any mode). */
static inline bool
hdr_ok(const struct labyrinth_mempool_hdr *h)
{
	return likely(h != NULL && h->magic == LABYRINTH_MEMPOOL_MAGIC &&
			h->layout_version == LABYRINTH_MEMPOOL_LAYOUT_VERSION);
}

/*
 * A labyrinth header of this layout and of the mode of the ops called:
 * a pool set up by the other ops of this driver is refused too, since it
 * means this process's ops table disagrees with the primary's.
 */
static __rte_always_inline bool
hdr_ok_mode(const struct labyrinth_mempool_hdr *h, bool strict)
{
	return hdr_ok(h) && likely(h->mode == (strict ?
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
static __rte_always_inline int
mp_enqueue(struct rte_mempool *mp, void * const *obj_table, unsigned int n,
		bool strict)
{
	struct labyrinth_mempool_hdr *h = mp->pool_data;
	unsigned int lcore_id = rte_lcore_id();
	struct labyrinth_mempool_lcore *lc;
	unsigned int done, i, lim, cnt, foreign = 0, doubles = 0;
	uint32_t idx[BATCH], newly, put = 0;

	if (unlikely(!hdr_ok_mode(h, strict)))
		return bad_pool();
	lc = lcore_slot(h, lcore_id);
	if (likely(n == 1)) {
		/* The single return of rte_mempool_put() without a cache:
		 * one locked OR, nothing out of line. */
		if (unlikely(!obj_index(h, obj_table[0], &idx[0])))
			foreign = 1;
		else if (unlikely(!obj_set_free(h, idx[0], strict) ||
				labyrinth_map_put_one(&h->map, idx[0]) == 0))
			/* Refused by the state byte, or (default mode,
			 * racing returns) by the bit: see below. */
			doubles = 1;
		else
			put = 1;
		n = 0; /* the loop below has nothing left to do */
	}
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
	/* Counted only: no logging on the data path (the control path logs
	 * a summary, see report_rejects()). */
	slot_count(&lc->rejects, lcore_id, foreign + doubles);
	if (foreign != 0)
		slot_count(&lc->rejects_foreign, lcore_id, foreign);
	return foreign != 0 ? -EINVAL : -EALREADY;
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

/*
 * Page-table entries for a pool: two per 4 KiB of the memory its objects
 * take (rte_mempool's own estimate, page padding included), so that a
 * pool populated from 4 KiB pieces, as under --no-huge or with testpmd's
 * --mp-alloc=xmem, still gets 4 KiB granules with room to spare; within
 * LABYRINTH_MEMPOOL_PG_ENTRIES_MIN .. _MAX, a power of two. A bigger span
 * than that (memory far apart) only makes the granules coarser.
 */
static uint32_t
pg_capacity(struct rte_mempool *mp, uint32_t stride)
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

static int
labyrinth_mp_alloc(struct rte_mempool *mp)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	struct labyrinth_mempool_hdr *h;
	size_t words_sz, objs_sz, state_sz, hold_sz, chunks_sz, pg_sz, total;
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
	state_sz = RTE_ALIGN_CEIL((size_t)mp->size, RTE_CACHE_LINE_SIZE);
	hold_sz = RTE_ALIGN_CEIL((size_t)mp->size * sizeof(uint64_t),
			RTE_CACHE_LINE_SIZE);
	/* One chunk an object at worst (every object in memory of its
	 * own): the table can never overflow. */
	max_chunks = mp->size;
	chunks_sz = RTE_ALIGN_CEIL((size_t)max_chunks *
			sizeof(struct labyrinth_mempool_chunk),
			RTE_CACHE_LINE_SIZE);
	pg_cap = pg_capacity(mp, stride);
	pg_sz = (size_t)pg_cap * sizeof(uint32_t);
	total = HDR_SIZE + words_sz + objs_sz + state_sz + hold_sz + chunks_sz +
		pg_sz;

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
	h->state = RTE_PTR_ADD(h->objs, objs_sz);
	h->hold = RTE_PTR_ADD(h->state, state_sz);
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
	/* Every object starts held: populate enqueues each one. */
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
	clock_start();
	return 0;
}

/* Sums of a pool's per-lcore counters. */
struct pool_counters {
	uint64_t claims, returns, rejects, foreign, fails;
};

/*
 * Sum the per-lcore counters, each read relaxed (statistics; they publish
 * nothing). The snapshot is not atomic across fields while the pool is in
 * use.
 */
static void
sum_counters(const struct labyrinth_mempool_hdr *h, struct pool_counters *c)
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

/*
 * Control path: log one summary line of the rejected returns if there are
 * new ones since the last summary (or any at all, when final).
 */
static void
report_rejects(struct labyrinth_mempool_hdr *h,
		const struct pool_counters *c, bool final)
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

static void
labyrinth_mp_free(struct rte_mempool *mp)
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
	if (hdr_ok(h)) {
		struct pool_counters c;

		sum_counters(h, &c);
		report_rejects(h, &c, true);
	}
	report_bad_pool();
	h->magic = 0;
	rte_memzone_free(mz);
	mp->pool_data = NULL;
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
		/* The enqueue right after this callback makes it FREE. No
		 * other thread can see the object yet: relaxed. */
		lab_store(&h->state[i], LABYRINTH_MEMPOOL_OBJ_HELD, LAB_RELAXED);
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
	memset(h->state, LABYRINTH_MEMPOOL_OBJ_HELD, h->size);
	/* Every object held again, as alloc left the map. */
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
static int
labyrinth_mp_populate(struct rte_mempool *mp, unsigned int max_objs,
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

	if (!hdr_ok(h)) {
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

/* The two modes share everything but the data path's state transition. */
static const struct rte_mempool_ops ops_labyrinth = {
	.name = LABYRINTH_MEMPOOL_OPS_NAME,
	.alloc = labyrinth_mp_alloc,
	.free = labyrinth_mp_free,
	.enqueue = labyrinth_mp_enqueue,
	.dequeue = labyrinth_mp_dequeue,
	.get_count = labyrinth_mp_get_count,
	.populate = labyrinth_mp_populate,
};

static const struct rte_mempool_ops ops_labyrinth_strict = {
	.name = LABYRINTH_MEMPOOL_OPS_NAME_STRICT,
	.alloc = labyrinth_mp_alloc,
	.free = labyrinth_mp_free,
	.enqueue = labyrinth_mp_enqueue_strict,
	.dequeue = labyrinth_mp_dequeue_strict,
	.get_count = labyrinth_mp_get_count_strict,
	.populate = labyrinth_mp_populate,
};

RTE_MEMPOOL_REGISTER_OPS(ops_labyrinth);
RTE_MEMPOOL_REGISTER_OPS(ops_labyrinth_strict);

/* Telemetry: /labyrinth/mempools and /labyrinth/mempool,<pool>. */

/*
 * The header of a pool this process serves with one of our ops, or NULL:
 * ops_index names our ops here, and pool_data is a header of theirs.
 */
static struct labyrinth_mempool_hdr *
pool_hdr(const struct rte_mempool *mp)
{
	struct labyrinth_mempool_hdr *h = mp->pool_data;
	int mode;

	if (mp->ops_index < 0 ||
			(unsigned int)mp->ops_index >=
			rte_mempool_ops_table.num_ops)
		return NULL;
	mode = labyrinth_mempool_ops_mode(
			rte_mempool_get_ops(mp->ops_index)->name);
	if (mode < 0 || !hdr_ok(h) || h->mode != (uint32_t)mode)
		return NULL;
	return h;
}

/* Whether this process serves the pool with one of our ops. */
static bool
ours_here(const struct rte_mempool *mp)
{
	return mp->ops_index >= 0 &&
		(unsigned int)mp->ops_index < rte_mempool_ops_table.num_ops &&
		labyrinth_mempool_ops_mode(
			rte_mempool_get_ops(mp->ops_index)->name) >= 0;
}

static void
list_one(struct rte_mempool *mp, void *arg)
{
	if (pool_hdr(mp) != NULL)
		rte_tel_data_add_array_string(arg, mp->name);
}

static int
tel_mempools(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	rte_mempool_walk(list_one, d);
	return 0;
}

static int
tel_mempool(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct labyrinth_mempool_hdr *h;
	struct labyrinth_holders *hs;
	const struct rte_mempool *mp;
	struct pool_counters c;
	unsigned int free_map, free_all;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	mp = rte_mempool_lookup(params);
	if (mp == NULL)
		return -EINVAL;
	h = pool_hdr(mp);
	if (h == NULL) {
		if (ours_here(mp))
			report_bad_pool();
		return -EINVAL;
	}
	sum_counters(h, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", mp->name);
	rte_tel_data_add_dict_string(d, "ops_name", h->ops_name);
	rte_tel_data_add_dict_string(d, "mode",
			h->mode == LABYRINTH_MEMPOOL_MODE_STRICT ? "strict" :
			"default");
	rte_tel_data_add_dict_int(d, "socket_id", h->socket_id);
	rte_tel_data_add_dict_u64(d, "size", h->size);
	/* Relaxed: written once per object by populate. */
	rte_tel_data_add_dict_u64(d, "objects",
			lab_load(&h->nb_objs, LAB_RELAXED));
	free_map = labyrinth_mp_get_count(mp);
	free_all = rte_mempool_avail_count(mp);
	rte_tel_data_add_dict_u64(d, "objects_free", free_map);
	rte_tel_data_add_dict_u64(d, "objects_free_in_caches",
			free_all > free_map ? free_all - free_map : 0);
	rte_tel_data_add_dict_u64(d, "map_free_bits",
			labyrinth_map_count_bits(&h->map));
	rte_tel_data_add_dict_u64(d, "claims", c.claims);
	rte_tel_data_add_dict_u64(d, "returns", c.returns);
	rte_tel_data_add_dict_u64(d, "rejected_returns", c.rejects);
	rte_tel_data_add_dict_u64(d, "rejected_foreign", c.foreign);
	rte_tel_data_add_dict_u64(d, "dequeue_fails", c.fails);
	/* Lookup tables: written by populate only (control path). */
	rte_tel_data_add_dict_u64(d, "chunks", h->nb_chunks);
	rte_tel_data_add_dict_u64(d, "page_granule",
			UINT64_C(1) << h->pg_shift);
	rte_tel_data_add_dict_u64(d, "page_entries", h->nb_pg);
	/* Process-wide; relaxed: a statistic. */
	rte_tel_data_add_dict_u64(d, "bad_pool_calls",
			lab_load(&bad_pool_calls, LAB_RELAXED));
	/* Who holds the objects out of the driver (liblabyrinth_mempool
	 * reads the hold records). */
	hs = malloc(sizeof(*hs));
	if (hs != NULL && labyrinth_mempool_holders_get(mp, 0, hs) == 0)
		labyrinth_holders_tel(d, hs, true);
	free(hs);
	report_rejects(h, &c, false);
	report_bad_pool();
	return 0;
}

RTE_INIT(mempool_labyrinth_telemetry)
{
	rte_telemetry_register_cmd("/labyrinth/mempools", tel_mempools,
		"Returns the mempools served by the labyrinth driver. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/labyrinth/mempool", tel_mempool,
		"Returns the labyrinth driver's counters for a mempool. "
		"Parameters: pool_name");
}
