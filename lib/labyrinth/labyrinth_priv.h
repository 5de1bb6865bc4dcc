/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_PRIV_H
#define LABYRINTH_PRIV_H

/**
 * @file
 * @internal
 * Layout of a labyrinth in shared memory, log macros and cross-file
 * prototypes. Never installed.
 *
 * Everything below lives in memzones, so primary and secondary processes
 * see it at the same address; no field is a process-local pointer.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_memzone.h>

#include "labyrinth.h"
#include "labyrinth_atomic_priv.h"
#include "labyrinth_map_priv.h"
#include "labyrinth_topology_priv.h"

extern int labyrinth_logtype;

/* Adds the prefix and the newline: call sites end with neither. */
#define LABYRINTH_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, labyrinth_logtype, \
		"labyrinth: %s(): " fmt "\n", __func__, ##__VA_ARGS__)

/* 32 bits, so that the inline fast paths compare it with an immediate. */
#define LABYRINTH_MAGIC LABYRINTH_FAST_MAGIC /* "Lab", layout version */

/** Memzone segments one zone may be split into. */
#define LAB_MAX_SEGS 64

/** Memzone alignment of the pages: blocks up to this size are aligned. */
#define LAB_ZONE_ALIGN (UINT64_C(2) << 20)

/*
 * Owner record of a page: one 64-bit word per page, kept for the head of a
 * block only (the tails of a held block keep a FREE record; an interior
 * pointer is recognised from the aligned heads, on the error path only).
 *   bits 0..3   state (LAB_PG_FREE, LAB_PG_HEAD)
 *   bits 4..7   order of the block
 *   bits 8..17  owner lcore id (LABYRINTH_OWNER_NON_EAL for others)
 *   bits 18..31 generation: changed by every grab of a strict pool and
 *               of a block, kept by a free, so that a stale record (a
 *               free that read it before the page was freed and grabbed
 *               again) never matches the current one; a default pool's
 *               single-page grabs from its cache or with a token, and its
 *               cached frees (labyrinth_fast.h), store 0 (no racing free
 *               to arbitrate)
 *   bits 32..63 grab time, rte_rdtsc() >> LAB_STAMP_SHIFT (leak finder)
 * 0 is "free": a zeroed record array is an all-free zone.
 */
#define LAB_PG_FREE 0u
#define LAB_PG_HEAD 1u
#define LAB_STAMP_SHIFT 20
#define LAB_META_OWNER_SHIFT 8
#define LAB_META_OWNER_BITS 10
#define LAB_META_GEN_SHIFT 18
#define LAB_META_GEN_BITS 14
#define LAB_META_GEN_MASK \
	((((uint64_t)1 << LAB_META_GEN_BITS) - 1) << LAB_META_GEN_SHIFT)

_Static_assert(LABYRINTH_MAX_ORDER < 16, "order must fit in 4 bits");
_Static_assert((LABYRINTH_OWNER_NON_EAL << LAB_META_OWNER_SHIFT |
	LAB_PG_HEAD) <= UINT16_MAX,
	"a record's head bits must fit struct lab_lcore's head_bits");
_Static_assert(LABYRINTH_OWNER_NON_EAL < (1u << LAB_META_OWNER_BITS),
	"owner ids (RTE_MAX_LCORE) must fit in the owner record");
_Static_assert(LAB_META_OWNER_SHIFT + LAB_META_OWNER_BITS ==
	LAB_META_GEN_SHIFT && LAB_META_GEN_SHIFT + LAB_META_GEN_BITS == 32,
	"owner and generation fill bits 8..31");

/* State, order and owner fields of a held block's record. */
static inline uint64_t
lab_meta_head(unsigned int order, unsigned int owner)
{
	return LAB_PG_HEAD | ((uint64_t)order << 4) |
		((uint64_t)owner << LAB_META_OWNER_SHIFT);
}

/*
 * The record of a block grabbed now (head fields from lab_meta_head()),
 * after the record `old` (FREE): the generation moves on.
 */
static inline uint64_t
lab_meta_next(uint64_t old, uint64_t head, uint32_t stamp)
{
	return ((old + ((uint64_t)1 << LAB_META_GEN_SHIFT)) &
			LAB_META_GEN_MASK) | head | ((uint64_t)stamp << 32);
}
/* The record a free leaves: FREE, generation kept. */
#define lab_meta_freed(m) ((m) & LAB_META_GEN_MASK)
#define lab_meta_state(m) ((unsigned int)((m) & 0xf))
#define lab_meta_order(m) ((unsigned int)(((m) >> 4) & 0xf))
#define lab_meta_owner(m) ((unsigned int)(((m) >> LAB_META_OWNER_SHIFT) & \
	((1u << LAB_META_OWNER_BITS) - 1)))
#define lab_meta_stamp(m) ((uint32_t)((m) >> 32))

/** A run of pages of one zone in one memzone. */
struct lab_seg {
	char *base;                  /**< address of the segment's first page */
	uint32_t first;              /**< zone page index of its first page */
	uint32_t count;              /**< pages */
	rte_iova_t iova;             /**< IOVA of base if the memzone is
				      *   IOVA-contiguous, else RTE_BAD_IOVA */
};

/** One zone: the pages of one socket. */
struct lab_zone {
	/* Hot, shared: the map's budget counter is first, alone on its line. */
	struct labyrinth_map map;
	/* Read-mostly after create. */
	int socket_id;               /**< socket the zone serves */
	uint32_t nb_pages;
	uint32_t reserve;            /**< min watermark */
	uint32_t low;                /**< low watermark */
	uint32_t nb_segs;
	char *lo, *hi;               /**< lowest and one past highest page byte */
	uint64_t *meta;              /**< owner record of each page */
	struct lab_seg seg[LAB_MAX_SEGS];
} __rte_cache_aligned;

/** Counters of one lcore (or of all threads without a slot). */
struct lab_counters {
	uint64_t alloc_ok;
	uint64_t alloc_fail;
	uint64_t reserve_dips;
	uint64_t remote_allocs;
	uint64_t frees;
	uint64_t bad_frees;
	uint64_t cache_refills;
	uint64_t cache_flushes;
	uint64_t poison_errors;
};

/**
 * State of one EAL lcore: touched only by that lcore on the fast path. The
 * first cache line holds everything the cached fast paths read, copied
 * from the labyrinth and the local zone at creation, so that a cached grab
 * or free touches this line, the cache array, the page's owner record and
 * the zone's budget counter, nothing else.
 */
struct lab_lcore {
	/*
	 * First line, the fast paths' (labyrinth_fast.h): written at
	 * creation, but for pushes and pops, which the owning lcore alone
	 * writes. The cache holds pushes - pops pages (lab_cache_len()).
	 * The inline paths move pushes (a free) and pops (a grab) on and
	 * count nothing else; the slow paths change the length with
	 * lab_cache_set_len(), which adds the same amount to slow_pushes or
	 * slow_pops, and count their grabs and frees in cnt. So the lcore's
	 * grabs are cnt.alloc_ok + pops - slow_pops and its frees cnt.frees
	 * + pushes - slow_pushes (lab_lcore_counts()); seq, odd while a slow
	 * path changes them, lets a reader take them in one consistent
	 * snapshot.
	 */
	uint64_t pushes;
	uint64_t pops;
	char *base;                  /**< first page byte of the local zone */
	uint64_t npages;             /**< pages of the local zone; 0
				      *   when the fast paths may not serve
				      *   this lcore (local zone not on its
				      *   socket, several memzones, or
				      *   LABYRINTH_F_DEBUG) */
	uint64_t *meta;              /**< the local zone's owner records */
	struct labyrinth_map *map;   /**< the local zone's map (budget) */
	int64_t reserve;             /**< the local zone's min watermark;
				      *   INT64_MAX when npages is 0, so that
				      *   the inline grab needs no check of it
				      *   (a budget plus a cache length never
				      *   reaches it) */
	uint8_t page_shift;
	bool strict;                 /**< LABYRINTH_F_STRICT */
	uint16_t head_bits;          /**< lab_meta_head(0, lcore id) */
	uint32_t free_size;          /**< size for the inline free: 0 in
				      *   strict pools, for a cache-less lcore
				      *   and when npages is 0 */
	/* Second line on: the slow paths'. */
	uint64_t slow_pushes __rte_cache_aligned;
	uint64_t slow_pops;
	uint32_t seq;
	uint32_t size;               /**< cache capacity (conf.cache_size);
				      *   the size entries follow this struct
				      *   (lab_cache()) */
	struct lab_counters cnt;
	uint32_t hint;               /**< map word where the next search starts */
	uint32_t home;               /**< this lcore's own start word (the
				      *   lcores' spread over the map): a
				      *   cache-less search that finds the hint
				      *   word empty or contended starts here
				      *   again (grab_one()) */
	uint32_t last_put;           /**< cache-less mode: 1 + the zone index
				      *   of the page this lcore's last free
				      *   put back in its home word, 0 for
				      *   none: its next grab looks there
				      *   first (alloc_token_lc()) */
	uint32_t tokens;             /**< cache-less mode: budget taken from the
				      *   local zone's counter in advance */
	uint16_t zone;               /**< local zone index */
	uint16_t lcore_id;
	bool remote;                 /**< no zone on our socket: zone is the
				      *   nearest other one */
	int socket_id;               /**< socket of this lcore (topology) */
} __rte_cache_aligned;

_Static_assert(offsetof(struct lab_lcore, free_size) + sizeof(uint32_t) <=
	RTE_CACHE_LINE_SIZE,
	"the fast-path fields of struct lab_lcore fit its first cache line");

/* The inline fast paths (labyrinth_fast.h) read the same bytes. */
#define LAB_FAST_SAME(f, g) \
	_Static_assert(offsetof(struct lab_lcore, f) == \
		offsetof(struct labyrinth_fast_lcore, g) && \
		sizeof(((struct lab_lcore *)0)->f) == \
		sizeof(((struct labyrinth_fast_lcore *)0)->g), \
		"labyrinth_fast.h: lcore field " #g)
LAB_FAST_SAME(base, base);
LAB_FAST_SAME(npages, npages);
LAB_FAST_SAME(meta, meta);
LAB_FAST_SAME(map, avail);
LAB_FAST_SAME(reserve, reserve);
LAB_FAST_SAME(page_shift, page_shift);
LAB_FAST_SAME(strict, strict);
LAB_FAST_SAME(head_bits, head_bits);
LAB_FAST_SAME(free_size, free_size);
LAB_FAST_SAME(pushes, pushes);
LAB_FAST_SAME(pops, pops);
_Static_assert(sizeof(struct lab_lcore) == LABYRINTH_FAST_LCORE_SIZE,
	"labyrinth_fast_cache(): the cache follows the lcore state");
_Static_assert(offsetof(struct labyrinth_map, avail) == 0,
	"labyrinth_fast.h reads a zone's budget through lab_lcore.map");

/** lc's cache array: right after the slot (labyrinth_fast_cache()). */
static inline void **
lab_cache(const struct lab_lcore *lc)
{
	return (void **)(uintptr_t)(lc + 1);
}

/** Pages in lc's cache. */
static inline uint32_t
lab_cache_len(const struct lab_lcore *lc)
{
	/* Relaxed: the owning lcore reads its own indices; another reader
	 * (stats, a reclaim of a dead lcore) takes a snapshot. */
	return (uint32_t)(lab_load(&lc->pushes, LAB_RELAXED) -
			lab_load(&lc->pops, LAB_RELAXED));
}

/*
 * Set lc's cache length from a slow path (the owning lcore, or whoever
 * reclaims a dead one: the only writer): the change goes into
 * slow_pushes or slow_pops too, so that it is not counted as inline grabs
 * or frees, and seq is odd meanwhile (a seqcount).
 */
static inline void
lab_cache_set_len(struct lab_lcore *lc, uint32_t len)
{
	uint32_t old = lab_cache_len(lc);
	/* Relaxed: our own field (single writer). Odd already if the last
	 * writer died in here (a reclaim of a crashed process's lcore): the
	 * "| 1" keeps odd meaning "being changed" and the end even. */
	uint32_t seq = lab_load(&lc->seq, LAB_RELAXED) | 1;

	/* Relaxed store, then a release fence: the odd seq is visible
	 * before any of the changes below (the writer half of a seqcount). */
	lab_store(&lc->seq, seq, LAB_RELAXED);
	lab_fence_release();
	/* Relaxed: single writer; the seq stores order them for readers. */
	if (len > old) {
		lab_counter_add(&lc->slow_pushes, len - old);
		lab_counter_add(&lc->pushes, len - old);
	} else {
		lab_counter_add(&lc->slow_pops, old - len);
		lab_counter_add(&lc->pops, old - len);
	}
	/* Release: a reader that sees the even seq sees the changes. */
	lab_store(&lc->seq, seq + 1, LAB_RELEASE);
}

/* labyrinth_stats.c: grabs and frees of lc by the inline calls (not in
 * lc->cnt), in one consistent snapshot of its cache indices. */
void lab_lcore_inline_counts(const struct lab_lcore *lc, uint64_t *alloc_ok,
		uint64_t *frees);
/* labyrinth_stats.c: grabs and frees of lc, the inline calls' included. */
void lab_lcore_counts(const struct lab_lcore *lc, uint64_t *alloc_ok,
		uint64_t *frees);

/** A labyrinth. The first memzone holds this struct and the lcore state. */
struct labyrinth {
	uint32_t magic;
	uint32_t rsvd0_;             /**< unused: the slots stay 8-aligned */
	/** Per-lcore state, NULL for lcores not enabled at creation. Right
	 * after the magic: labyrinth_fast.h reads both. */
	struct lab_lcore *lcore[RTE_MAX_LCORE];
	char name[LABYRINTH_NAMESIZE];
	uint32_t page_size;
	uint32_t page_shift;
	uint32_t nb_pages;           /**< per zone, as configured */
	uint32_t reserve;            /**< per zone, as configured */
	uint32_t cache_size;
	uint32_t flags;
	int conf_socket;             /**< conf.socket_id */
	uint32_t nb_zones;
	/* No rte_memzone pointers here: EAL's memzone table is mapped at
	 * another address in secondary processes; memzones are found by name. */
	uint64_t metadata_bytes;     /**< header + map + owner record bytes */
	/** Zone indices by nearness, per socket (nb_zones valid entries). */
	uint8_t fallback[RTE_MAX_NUMA_NODES][LABYRINTH_MAX_ZONES];
	/** Zone of each socket, -1 if none. */
	int8_t socket_zone[RTE_MAX_NUMA_NODES];
	/** Counters of threads without a slot: updated atomically. */
	struct lab_counters anon __rte_cache_aligned;
	struct lab_zone zone[LABYRINTH_MAX_ZONES];
};

_Static_assert(offsetof(struct labyrinth, magic) ==
	offsetof(struct labyrinth_fast_head, magic) &&
	offsetof(struct labyrinth, lcore) ==
	offsetof(struct labyrinth_fast_head, lcore) &&
	LABYRINTH_MAGIC == LABYRINTH_FAST_MAGIC,
	"labyrinth_fast.h: the handle's magic and lcore slots");
_Static_assert(LABYRINTH_FAST_REC_HEAD0 == LAB_PG_HEAD &&
	LABYRINTH_FAST_REC_GEN_SHIFT == LAB_META_GEN_SHIFT &&
	LABYRINTH_FAST_REC_GEN_MASK == LAB_META_GEN_MASK &&
	LABYRINTH_FAST_REC_STAMP_SHIFT == 32,
	"labyrinth_fast.h: the owner record's layout");
_Static_assert((UINT32_C(1) << LABYRINTH_FAST_SHIFT_DEFAULT) ==
	LABYRINTH_PAGE_SIZE_DEFAULT,
	"labyrinth_fast.h: the default page size's shift");

/* labyrinth_clock.c */
/*
 * Coarse clock for the owner records' grab time: rte_rdtsc() >>
 * LAB_STAMP_SHIFT, refreshed every LAB_CLOCK_US by an EAL alarm (the
 * interrupt thread), so that a grab reads a variable instead of the TSC
 * (rdtsc costs about 10 ns on this virtualised x86). Process-local; the
 * TSC is common to all processes, so stamps compare across them.
 */
#define LAB_CLOCK_US 1000
extern uint32_t labyrinth_fast_clock;
void lab_clock_start(void);

/* labyrinth_simd.c: set labyrinth_fast_simd (labyrinth_fast.h) from the
 * CPU and EAL's SIMD bit width; called by create and lookup. */
void lab_simd_choose(void);

/* labyrinth_pool.c */
struct labyrinth *lab_checked(const struct labyrinth *lab);

/*
 * Whether lab is a live labyrinth handle: a fast-path check that touches
 * only the handle's first cache line (which the fast paths read anyway).
 * Acquire: pairs with the release store of the magic at the end of
 * labyrinth_create(), so a thread that sees the magic sees the whole
 * labyrinth built, on weak-memory CPUs too (a plain load on x86).
 */
static inline bool
lab_live(const struct labyrinth *lab)
{
	return likely(lab != NULL &&
		lab_load(&lab->magic, LAB_ACQUIRE) == LABYRINTH_MAGIC);
}

/* labyrinth_topology.c */
int lab_topology_socket_of_lcore(unsigned int lcore_id);
bool lab_topology_socket_exists(int socket_id);
bool lab_topology_socket_is_physical(int socket_id);
unsigned int lab_topology_zone_sockets(const struct labyrinth_conf *conf,
		int *sockets);
void lab_topology_build_fallback(struct labyrinth *lab);

/* labyrinth_zone.c */
/* Big enough for any name snprintf can produce; names are validated to
 * fit RTE_MEMZONE_NAMESIZE before use. */
#define LAB_MZ_NAME_BUF 64
void lab_mz_name(char *buf, const char *name, int zone, const char *what);
void lab_mz_free_by_name(const char *lab_name, int zone, const char *what);
int lab_zone_init(struct labyrinth *lab, struct lab_zone *zn, int zi,
		int socket, const struct labyrinth_conf *conf);
void lab_zone_free(const char *lab_name, struct lab_zone *zn, int zi);

/* labyrinth_grab.c */
/*
 * Give all of lc's cached pages and tokens back to its zone's map. Only
 * lc's own lcore may call it, or anybody once that lcore is known dead.
 */
void lab_cache_drain(struct labyrinth *lab, struct lab_lcore *lc);

/* labyrinth_telemetry.c */
void lab_telemetry_register(void);

/*
 * Locate page p: zone index, zone page index. -EINVAL if foreign (or, with
 * exact, not the start of a page). Zones' [lo, hi) spans may overlap when a
 * zone is split over several memzones: a pointer inside a span but in none
 * of that zone's segments goes on to the next zone.
 */
static inline int
lab_locate(const struct labyrinth *lab, const void *p, unsigned int *zi,
		uint32_t *idx, bool exact)
{
	const char *c = p;
	unsigned int z, s;

	for (z = 0; z < lab->nb_zones; z++) {
		const struct lab_zone *zn = &lab->zone[z];

		if (c < zn->lo || c >= zn->hi)
			continue;
		for (s = 0; s < zn->nb_segs; s++) {
			const struct lab_seg *sg = &zn->seg[s];
			uintptr_t off = (uintptr_t)(c - sg->base);

			if (c < sg->base ||
					off >= ((uintptr_t)sg->count << lab->page_shift))
				continue;
			if (exact && (off & (lab->page_size - 1)) != 0)
				return -EINVAL;
			*zi = z;
			*idx = sg->first + (uint32_t)(off >> lab->page_shift);
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * Head of the held block that covers page idx (owner records meta), from the aligned
 * heads of orders 1 .. LABYRINTH_MAX_ORDER (tails keep no record), or -1.
 * Error path and queries only. Relaxed loads: snapshots.
 */
static inline int64_t
lab_find_head(const uint64_t *meta, uint32_t idx)
{
	unsigned int k;

	for (k = 1; k <= LABYRINTH_MAX_ORDER; k++) {
		uint32_t h = idx & ~((UINT32_C(1) << k) - 1);
		uint64_t m = lab_load(&meta[h], LAB_RELAXED);

		if (lab_meta_state(m) == LAB_PG_HEAD &&
				lab_meta_order(m) >= k &&
				idx - h < (UINT32_C(1) << lab_meta_order(m)))
			return h;
	}
	return -1;
}

/* Address of page idx of zone zn. */
static inline void *
lab_page_addr(const struct labyrinth *lab, const struct lab_zone *zn,
		uint32_t idx)
{
	unsigned int s = 0;

	if (likely(zn->nb_segs == 1))
		return zn->seg[0].base + ((uintptr_t)idx << lab->page_shift);
	while (s + 1 < zn->nb_segs && idx >= zn->seg[s + 1].first)
		s++;
	return zn->seg[s].base +
		((uintptr_t)(idx - zn->seg[s].first) << lab->page_shift);
}

#endif /* LABYRINTH_PRIV_H */
