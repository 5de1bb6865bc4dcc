/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef MEMPOOL_LABYRINTH_PRIV_H
#define MEMPOOL_LABYRINTH_PRIV_H

/**
 * @file
 * @internal
 * Layout of the shared header of a mempool served by the labyrinth mempool
 * driver (ops names "labyrinth" and "labyrinth_strict"). The driver puts it
 * in a memzone on the pool's socket and stores its address in
 * mp->pool_data; liblabyrinth_mempool (labyrinth_mempool.h) reads it from
 * shared memory: labyrinth_mempool_check() to tell whether a secondary
 * process's ops table agrees with the primary's, the holder summary and
 * the reclaim from the hold records. Never installed; the tests read it.
 *
 * Everything here lives in shared memory and is valid in every process:
 * no function pointers, no pointers to process-local memory (objs and
 * map.words point into the same memzone; objs[] holds mempool objects,
 * which are shared memory too).
 *
 * Object to index: populate records each object in objs[] and in a table
 * of chunks (runs of objects at a fixed stride; a chunk has at least one
 * object, so mp->size entries never overflow), and indexes the chunks by
 * address in a page table (pg_chunk[], one entry per 2^pg_shift bytes,
 * granules of 4 KiB or more). Entry g names the lowest chunk with an
 * object start in granule g; chunks sharing a granule are linked upward by
 * address (next). A returned object is found in O(1): one page-table
 * entry, that chunk or one of the next ones starting in the same granule
 * (usually none or one: a granule holds the tail of one chunk and the head
 * of the next), and one multiplication by the stride's reciprocal, without
 * touching the object's own memory (whose header line is cold when a PMD
 * frees an mbuf). The tables are correct for every object from the moment
 * populate records it: a new chunk is linked into its granules, a growing
 * chunk into each new granule it reaches, and a populate region outside
 * the span covered so far rebuilds the page table (with room to spare on
 * both sides) before any of its objects is recorded. A returned object is
 * accepted only if it is exactly an object start inside a chunk and its
 * map bit goes from clear to set (one atomic OR that reports the bit's old
 * value: see LABYRINTH_MEMPOOL_OPS_NAME). There is no other per-object
 * state: an object is held when its bit is clear and no dequeue or return
 * has it in transit (see the hold records below).
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_reciprocal.h>

#include "labyrinth_map_priv.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Ops names the driver registers with RTE_MEMPOOL_REGISTER_OPS, one for
 * each mode (same code, same header layout). Since layout version 5 both
 * modes arbitrate a return the same way, with the one locked instruction
 * that sets the object's map bit (labyrinth_map_put_one/_put): the OR
 * reports whether the bit was set already, so of any number of returns of
 * one held object, sequential or racing on several lcores, exactly one
 * sees it clear and is accepted; the others get -EALREADY (counted,
 * nothing changed). A return that comes after a dequeue has claimed the
 * object again is a return of the new holder's object and is accepted, in
 * either mode: no driver can tell it apart.
 * - "labyrinth": the default;
 * - "labyrinth_strict": kept as a name (and as a mode in the header, which
 *   each ops checks: see hdr_ok_mode() in mempool_labyrinth.c) so that
 *   applications and secondaries that select it keep working; its data
 *   path is the default's. Until layout version 4 the default mode checked
 *   a per-object state byte with a plain load and store (two racing
 *   returns could both pass it) and strict paid an atomic exchange of it.
 */
#define LABYRINTH_MEMPOOL_OPS_NAME "labyrinth"
#define LABYRINTH_MEMPOOL_OPS_NAME_STRICT "labyrinth_strict"

#define LABYRINTH_MEMPOOL_MODE_DEFAULT 0u /**< ops "labyrinth" */
#define LABYRINTH_MEMPOOL_MODE_STRICT 1u  /**< ops "labyrinth_strict" */

/** Magic at the start of the shared header: "LABMPOOL". */
#define LABYRINTH_MEMPOOL_MAGIC UINT64_C(0x4c4f4f504d42414c)

/**
 * Version of the layout of struct labyrinth_mempool_hdr and what follows
 * it in the memzone; bumped on every change, so that a process built
 * against another layout refuses the pool instead of misreading it.
 */
#define LABYRINTH_MEMPOOL_LAYOUT_VERSION 6u

/**
 * Memzone name prefix; the name is the prefix plus the hex address of the
 * struct rte_mempool, which is the same in every process (the mempool lives
 * in shared memory) and short enough for RTE_MEMZONE_NAMESIZE, unlike the
 * pool name.
 */
#define LABYRINTH_MEMPOOL_MZ_PREFIX "LABYRINTH_MP_"

/** No chunk (page-table entry of an empty granule, end of a chain). */
#define LABYRINTH_MEMPOOL_NO_CHUNK UINT32_MAX

/** A run of objects at a fixed stride, from one populate call. */
struct labyrinth_mempool_chunk {
	uintptr_t lo;    /**< address of its first object */
	uint32_t first;  /**< index of its first object */
	uint32_t count;  /**< objects */
	/**
	 * The next chunk up by address among those with an object start in
	 * the granule of this chunk's last object start (exact while such a
	 * chunk exists; else LABYRINTH_MEMPOOL_NO_CHUNK or a chunk higher up,
	 * which a lookup never follows: it starts above the granule).
	 */
	uint32_t next;
};

/** Smallest page-table granule: 4 KiB, the smallest page. */
#define LABYRINTH_MEMPOOL_PG_SHIFT_MIN 12u
/** Fewest and most page-table entries (sized by the pool's memory). */
#define LABYRINTH_MEMPOOL_PG_ENTRIES_MIN 4096u
#define LABYRINTH_MEMPOOL_PG_ENTRIES_MAX (1u << 22)

/** Slot of lcore_state[] shared by threads without an lcore id. */
#define LABYRINTH_MEMPOOL_SHARED_SLOT RTE_MAX_LCORE

/**
 * @name Hold records (hold[] in the header)
 * Who dequeued an object and when, for the holder summary
 * (labyrinth_mempool_holders_get()) and the reclaim
 * (labyrinth_mempool_reclaim_lcore()). Every dequeue writes the record of
 * each object it hands out with one relaxed 64-bit store, and it means
 * something only while the object's map bit is clear. A reader decides
 * "held" from a clear bit plus a real record (labyrinth_mempool_hold_is_rec):
 *   bits 0..15   owner: the lcore id, or LABYRINTH_MEMPOOL_SHARED_SLOT
 *                (a thread without one)
 *   bits 16..31  0
 *   bits 32..63  dequeue time: the TSC >> LABYRINTH_MEMPOOL_STAMP_SHIFT,
 *                from the driver's coarse clock (a tick is 1 ms); the TSC
 *                is common to all processes, so stamps compare across them
 * A value with LABYRINTH_MEMPOOL_HOLD_NOREC (bit 31) set is not a record,
 * and readers skip it:
 * - LABYRINTH_MEMPOOL_HOLD_NONE, written by populate: never dequeued (its
 *   bit is clear only until populate's own enqueue of it);
 * - labyrinth_mempool_hold_link(next): a dequeue of more than 512 objects
 *   chains the objects it has claimed but not yet handed out through their
 *   records (see dequeue_chained() in mempool_labyrinth.c); their bits are
 *   clear, and the tag keeps a link from being read as a holder. The end
 *   of a chain is LABYRINTH_MEMPOOL_HOLD_NONE.
 * Snapshots: between a dequeue's claim of an object and its store of the
 * new record, the object's bit is clear and its record is the previous
 * holder's (or a tag). A reader at that moment may count the object as
 * held by its previous holder: the holder summary errs towards "held" by
 * the objects of the dequeues in flight; the reclaim checks twice, far
 * apart (see mempool_labyrinth_reclaim.c).
 * @{
 */
#define LABYRINTH_MEMPOOL_STAMP_SHIFT 20
_Static_assert(LABYRINTH_MEMPOOL_SHARED_SLOT <= UINT16_MAX,
	"owner ids must fit the 16 owner bits of a hold record");

/** A hold record of an owner (lcore id or the shared slot) and a stamp. */
static inline uint64_t
labyrinth_mempool_hold_rec(unsigned int owner, uint32_t stamp)
{
	return ((uint64_t)stamp << 32) | (owner & 0xffffu);
}

/** Tag of a hold[] value that is not a hold record (no record has it). */
#define LABYRINTH_MEMPOOL_HOLD_NOREC (UINT64_C(1) << 31)

/** No record: never dequeued (populate), or the end of a claim chain. */
#define LABYRINTH_MEMPOOL_HOLD_NONE \
	(LABYRINTH_MEMPOOL_HOLD_NOREC | ((uint64_t)UINT32_MAX << 32))

/** Whether a hold[] value is a hold record (not a link, not NONE). */
static inline bool
labyrinth_mempool_hold_is_rec(uint64_t v)
{
	return (v & LABYRINTH_MEMPOOL_HOLD_NOREC) == 0;
}

/** A claim-chain link to object index next (tagged: not a record). */
static inline uint64_t
labyrinth_mempool_hold_link(uint32_t next)
{
	return LABYRINTH_MEMPOOL_HOLD_NOREC | ((uint64_t)next << 32);
}

/** The object a claim-chain link points to (UINT32_MAX: end of chain). */
static inline uint32_t
labyrinth_mempool_hold_link_next(uint64_t v)
{
	return (uint32_t)(v >> 32);
}

/** Owner of a hold record: an lcore id or LABYRINTH_MEMPOOL_SHARED_SLOT. */
static inline unsigned int
labyrinth_mempool_hold_owner(uint64_t rec)
{
	return (unsigned int)(rec & 0xffffu);
}

/** Dequeue time of a hold record (TSC >> LABYRINTH_MEMPOOL_STAMP_SHIFT). */
static inline uint32_t
labyrinth_mempool_hold_stamp(uint64_t rec)
{
	return (uint32_t)(rec >> 32);
}
/** @} */

/**
 * Per-lcore state of one pool. An EAL lcore is the only writer of its slot;
 * the shared slot (threads without an lcore id) has many writers, and its
 * counters are updated with atomic RMWs. There is no per-lcore state of
 * objects: an enqueue puts every object it accepts into the map before it
 * returns, so every lcore can dequeue it at once.
 */
struct labyrinth_mempool_lcore {
	uint32_t hint;           /**< map word where the next claim starts */
	/**
	 * Dequeues in their window from the first claim to the last hold
	 * record store (layout version 6). An EAL lcore's slot: a sequence,
	 * odd while its dequeue is in the window (its only writer, plain
	 * stores). The shared slot: how many non-EAL threads' dequeues are
	 * (atomic adds). The reclaim waits for the dequeues it sees in the
	 * window before its last look at the hold records
	 * (labyrinth_mempool_reclaim_lcore()).
	 */
	uint64_t busy;
	uint64_t claims;         /**< objects dequeued */
	uint64_t returns;        /**< objects put back into the map */
	uint64_t rejects;        /**< returned objects rejected */
	uint64_t rejects_foreign; /**< of which not objects of this pool */
	uint64_t dequeue_fails;  /**< dequeues refused with -ENOBUFS */
} __rte_cache_aligned;

/** Shared header of a labyrinth-backed mempool (mp->pool_data). */
struct labyrinth_mempool_hdr {
	/* Read-mostly: written by alloc and populate only. */
	uint64_t magic;          /**< LABYRINTH_MEMPOOL_MAGIC */
	uint32_t layout_version; /**< LABYRINTH_MEMPOOL_LAYOUT_VERSION */
	uint32_t mode;           /**< LABYRINTH_MEMPOOL_MODE_* of the ops */
	void **objs;             /**< index -> object, nb_objs entries used */
	uint64_t *hold;          /**< index -> hold record (who, since when) */
	/** In the order populate made them (an index never changes). */
	struct labyrinth_mempool_chunk *chunks;
	uint32_t *pg_chunk;      /**< granule -> lowest chunk starting an
				      object in it, or NO_CHUNK */
	uintptr_t pg_base;       /**< address of granule 0 */
	uint32_t pg_shift;       /**< log2 of the granule */
	uint32_t nb_pg;          /**< granules covered (entries in use) */
	uint32_t pg_cap;         /**< capacity of pg_chunk[] */
	uint32_t nb_chunks;      /**< valid entries of chunks[] */
	uint32_t max_chunks;     /**< capacity of chunks[] (mp->size) */
	uint32_t cur_chunk;      /**< chunk populate is extending */
	uint32_t pg_rebuilds;    /**< page-table rebuilds (diagnostics) */
	uint32_t stride;         /**< mp header + element + trailer bytes */
	struct rte_reciprocal_u64 recip; /**< of stride */
	uint32_t nb_objs;        /**< objects recorded by populate */
	uint32_t size;           /**< capacity of objs[] and the map (mp->size) */
	int32_t ops_index;       /**< mp->ops_index in the primary */
	int32_t socket_id;       /**< socket of this memzone */
	/** rejects (summed) when the control path last logged them. */
	uint64_t rejects_reported;
	/** Ops name at ops_index in the primary: "labyrinth" or
	 * "labyrinth_strict". */
	char ops_name[RTE_MEMPOOL_OPS_NAMESIZE];
	/** Pool name, for dumps and telemetry. */
	char pool_name[RTE_MEMPOOL_NAMESIZE];

	/** Free objects: one bit each (the driver leaves map.avail at 0);
	 * the only per-object state the data path keeps. */
	struct labyrinth_map map;

	/** Per-lcore hints and counters, plus the shared slot. */
	struct labyrinth_mempool_lcore lcore[RTE_MAX_LCORE + 1];

	/* Followed by the map words and objs[], cache-line aligned. */
} __rte_cache_aligned;

/**
 * Mode of a labyrinth ops name.
 *
 * @return LABYRINTH_MEMPOOL_MODE_DEFAULT or _STRICT, or -1 when name is
 *   NULL or not one of the driver's ops names.
 */
static inline int
labyrinth_mempool_ops_mode(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, LABYRINTH_MEMPOOL_OPS_NAME) == 0)
		return LABYRINTH_MEMPOOL_MODE_DEFAULT;
	if (strcmp(name, LABYRINTH_MEMPOOL_OPS_NAME_STRICT) == 0)
		return LABYRINTH_MEMPOOL_MODE_STRICT;
	return -1;
}

/**
 * The hold record of object i if it looks held, else false: its map bit
 * clear and a real record (not a claim-chain link, not never-dequeued).
 * Relaxed loads, a snapshot: between a dequeue's claim of an object and its
 * store of the new record, the record is still the previous holder's, so
 * the answer errs towards "held by the previous holder" for the objects of
 * the dequeues in flight (see the hold records above).
 * The holder summary and the reclaim decide "held" with this one test.
 */
static inline bool
labyrinth_mempool_held_rec(const struct labyrinth_mempool_hdr *h, uint32_t i,
		uint64_t *rec)
{
	/* labyrinth_map_test() loads the word relaxed. */
	if (labyrinth_map_test(&h->map, i))
		return false;
	/* Relaxed: a snapshot, see above. */
	*rec = lab_load(&h->hold[i], LAB_RELAXED);
	return labyrinth_mempool_hold_is_rec(*rec);
}

/**
 * Index of an object of the pool, from its address alone, in O(1): the
 * page table gives the lowest chunk with an object start in the object's
 * granule; the object lies in it or in one of the next ones of that
 * granule, linked upward (a granule holds the tail of one chunk and the
 * heads of the next: in practice one or two), then one multiplication by
 * the stride's reciprocal. Reads only the header's tables (written by
 * populate; the data path never runs during populate).
 *
 * @return true and *idx set if obj is exactly the start of an object of
 *   this pool; false otherwise.
 */
static inline bool
labyrinth_mempool_obj_index(const struct labyrinth_mempool_hdr *h,
		const void *obj, uint32_t *idx)
{
	const struct labyrinth_mempool_chunk *c, *chunks = h->chunks;
	uintptr_t a = (uintptr_t)obj, off, g;
	uint32_t k;
	uint64_t q;

	if (likely(h->nb_chunks == 1)) {
		/* One chunk (a pool in one piece of memory, the usual case
		 * with hugepages): no table to read. */
		c = chunks;
		if (unlikely(a < c->lo))
			return false;
		goto in_chunk;
	}
	if (unlikely(a < h->pg_base))
		return false;
	g = (a - h->pg_base) >> h->pg_shift;
	if (unlikely(g >= h->nb_pg))
		return false;
	k = h->pg_chunk[g];
	if (unlikely(k == LABYRINTH_MEMPOOL_NO_CHUNK))
		return false;
	c = &chunks[k];
	/* Links go up by address, so this ends; it follows only chunks
	 * that start in this granule at or below a. */
	while (c->next != LABYRINTH_MEMPOOL_NO_CHUNK &&
			chunks[c->next].lo <= a)
		c = &chunks[c->next];
	if (unlikely(a < c->lo))
		return false;
in_chunk:
	off = a - c->lo;
	q = rte_reciprocal_divide_u64(off, &h->recip);
	if (unlikely(q >= c->count || q * h->stride != off))
		return false;
	*idx = c->first + (uint32_t)q;
	return true;
}

/**
 * Name of the memzone holding a pool's shared header.
 *
 * @return 0, or -ENAMETOOLONG (cannot happen with a 48-bit address).
 */
static inline int
labyrinth_mempool_mz_name(char *buf, size_t len, const struct rte_mempool *mp)
{
	int n = snprintf(buf, len, "%s%" PRIxPTR, LABYRINTH_MEMPOOL_MZ_PREFIX,
			(uintptr_t)mp);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

#ifdef __cplusplus
}
#endif

#endif /* MEMPOOL_LABYRINTH_PRIV_H */
