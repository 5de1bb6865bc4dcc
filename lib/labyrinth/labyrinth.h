/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_H
#define LABYRINTH_H

/**
 * @file
 * The labyrinth: a lock-free, NUMA-aware, reserve-aware page pool on DPDK.
 *
 * A labyrinth is a pool of fixed-size pages carved from hugepage memzones,
 * one *zone* per NUMA socket. Each zone tracks its pages in an *atomic page
 * map*: 64-bit words, one bit a page (1 = free in the map), changed only by
 * atomic read-modify-write operations.
 *
 * Grabbing a page is the user-space form of the kernel's
 * alloc_page(GFP_ATOMIC): it never sleeps, never takes a lock, never waits
 * for another lcore, does a bounded amount of work and returns NULL at once
 * when it cannot be served. A page that is handed out belongs to exactly one
 * owner (an lcore id, or LABYRINTH_OWNER_NON_EAL) until it is freed; any
 * thread may free it.
 *
 * Bad frees: a second free of a page that nobody grabbed again, an
 * interior pointer, a wrong order and a foreign pointer are rejected
 * (-EALREADY / -EINVAL) and change nothing, in every pool. Two frees of one
 * page *racing each other* are arbitrated (exactly one wins) only in pools
 * created with LABYRINTH_F_STRICT, which pay one locked instruction per
 * free for it; default pools take no locked instruction on any cached path
 * and leave racing double frees undefined.
 *
 * Each EAL lcore has a private cache of pages of its own socket's zone
 * (conf.cache_size pages). An empty cache is refilled by claiming the free
 * bits of whole map words, one atomic operation per word; a full cache
 * flushes half of itself back with one atomic operation per word touched.
 *
 * Each zone keeps `reserve` pages below its *min watermark*: only
 * LABYRINTH_GFP_ATOMIC grabs may take them. A *low watermark* (by default
 * reserve + (nb_pages - reserve) / 8) drives labyrinth_pressure().
 *
 * Fast-path calls: labyrinth_alloc_page(), labyrinth_alloc_pages(),
 * labyrinth_alloc_bulk(), labyrinth_free_page(), labyrinth_free_pages(),
 * labyrinth_free_bulk(). They never log and never write rte_errno on the
 * success path. Everything else is control path.
 *
 * Multi-process: a labyrinth lives in shared hugepage memory; a secondary
 * process finds it with labyrinth_lookup(). The lcore caches are indexed by
 * lcore id, so primary and secondary processes must not use the same lcore
 * id at once.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Prefix of every memzone a labyrinth reserves. */
#define LABYRINTH_MZ_PREFIX "LABYRINTH_"

/**
 * Maximum length of a labyrinth name, including the terminating NUL.
 * Memzone names are LABYRINTH_MZ_PREFIX + name + a suffix of up to five
 * characters (".<zone>.<segment>"), all within RTE_MEMZONE_NAMESIZE.
 */
#define LABYRINTH_NAMESIZE \
	(RTE_MEMZONE_NAMESIZE - (int)sizeof(LABYRINTH_MZ_PREFIX) - 5)

/** Maximum number of zones (NUMA sockets) in one labyrinth. */
#define LABYRINTH_MAX_ZONES 8

/** Highest order labyrinth_alloc_pages() accepts: 2^9 pages. */
#define LABYRINTH_MAX_ORDER 9

/** Smallest page size accepted. */
#define LABYRINTH_PAGE_SIZE_MIN RTE_CACHE_LINE_SIZE
/** Largest page size accepted (1 MiB). */
#define LABYRINTH_PAGE_SIZE_MAX (UINT32_C(1) << 20)
/** Page size used when labyrinth_conf.page_size is 0. */
#define LABYRINTH_PAGE_SIZE_DEFAULT 4096u
/** Largest per-lcore cache. */
#define LABYRINTH_CACHE_MAX 1024u

/** @name Grab flags (the gfp argument)
 * @{
 */
/** Normal grab: fails rather than take a zone below its min watermark. */
#define LABYRINTH_GFP_NORMAL   0u
/** May use the emergency reserve, down to the last page in the map. */
#define LABYRINTH_GFP_ATOMIC   (1u << 0)
/** The page(s) come back zeroed. */
#define LABYRINTH_GFP_ZERO     (1u << 1)
/** Only the caller's socket's zone; no fallback to other sockets. */
#define LABYRINTH_GFP_THISNODE (1u << 2)
/** Every valid gfp bit. Any other bit makes a grab fail with EINVAL. */
#define LABYRINTH_GFP_MASK \
	(LABYRINTH_GFP_ATOMIC | LABYRINTH_GFP_ZERO | LABYRINTH_GFP_THISNODE)
/** @} */

/** @name Creation flags (labyrinth_conf.flags)
 * @{
 */
/** Poison freed pages; verify the poison when a page is grabbed. */
#define LABYRINTH_F_DEBUG (1u << 0)
/**
 * Arbitrate racing frees exactly: every free releases the page's owner
 * record with one single-shot atomic compare-and-swap, so of two frees of
 * one page racing on two threads exactly one returns 0 and the other
 * -EALREADY. Costs one locked instruction per free. Without this flag
 * (default pools) the cached paths take no locked instruction at all and
 * every sequential bad free is still rejected, but two frees of one page
 * racing each other are not arbitrated: the pool then trusts the program
 * not to do that.
 */
#define LABYRINTH_F_STRICT (1u << 1)
/** Every valid creation flag. */
#define LABYRINTH_F_MASK (LABYRINTH_F_DEBUG | LABYRINTH_F_STRICT)
/** @} */

/** Byte written over a freed page in LABYRINTH_F_DEBUG mode. */
#define LABYRINTH_POISON 0x6b

/** Owner id recorded for pages grabbed by a thread that has no lcore id. */
#define LABYRINTH_OWNER_NON_EAL RTE_MAX_LCORE

/** @name Pressure levels returned by labyrinth_pressure()
 * @{
 */
#define LABYRINTH_PRESSURE_NONE 0 /**< free pages above the low watermark */
#define LABYRINTH_PRESSURE_LOW  1 /**< at or below the low watermark */
#define LABYRINTH_PRESSURE_MIN  2 /**< at or below the min watermark */
/** @} */

/** Opaque handle of a labyrinth. */
struct labyrinth;

/** Configuration of a new labyrinth. */
struct labyrinth_conf {
	const char *name;    /**< unique; memzone names derive from it */
	int socket_id;       /**< a socket, or SOCKET_ID_ANY: one zone on every
			      *   socket that has an enabled lcore */
	uint32_t page_size;  /**< bytes, power of two,
			      *   LABYRINTH_PAGE_SIZE_MIN .. _MAX; 0 = 4096 */
	uint32_t nb_pages;   /**< pages per zone */
	uint32_t reserve;    /**< pages per zone below the min watermark,
			      *   for LABYRINTH_GFP_ATOMIC only; < nb_pages */
	uint32_t cache_size; /**< pages each lcore may keep to itself; 0 = no
			      *   cache; at most LABYRINTH_CACHE_MAX */
	uint32_t flags;      /**< LABYRINTH_F_* */
};

/** Per-zone figures in struct labyrinth_stats. */
struct labyrinth_zone_stats {
	int socket_id;       /**< socket the zone serves */
	uint64_t pages;      /**< pages in the zone */
	uint64_t free;       /**< free pages: in the map and in lcore caches */
	uint64_t cached;     /**< of which parked in lcore caches */
	uint64_t reserve;    /**< min watermark */
	uint64_t low;        /**< low watermark */
};

/**
 * Statistics of a labyrinth. Counters are summed from per-lcore counters
 * with relaxed loads: each is exact when the labyrinth is quiet, but the
 * snapshot is not atomic across fields while grabs run.
 */
struct labyrinth_stats {
	uint64_t pages;          /**< pages in all zones */
	uint64_t free;           /**< free pages, cached ones included */
	uint64_t reserve;        /**< reserve pages over all zones */
	uint64_t alloc_ok;       /**< successful grabs (a bulk counts its pages,
				  *   a multi-page block counts once) */
	uint64_t alloc_fail;     /**< failed grabs */
	uint64_t reserve_dips;   /**< grabs served from below the min watermark */
	uint64_t remote_allocs;  /**< grabs served by another socket's zone */
	uint64_t frees;          /**< successful frees (blocks count once) */
	uint64_t bad_frees;      /**< rejected frees: double, foreign, interior,
				  *   wrong order */
	uint64_t cache_refills;  /**< cache refills from the map */
	uint64_t cache_flushes;  /**< cache flushes to the map */
	uint64_t poison_errors;  /**< LABYRINTH_F_DEBUG: pages whose poison was
				  *   overwritten while free */
	uint64_t metadata_bytes; /**< bytes of map, owner records, header and
				  *   per-lcore state (everything but pages) */
	uint32_t nb_zones;       /**< valid entries in zone[] */
	struct labyrinth_zone_stats zone[LABYRINTH_MAX_ZONES]; /**< per zone */
};

/**
 * Create a labyrinth: reserve its memzones and build its page maps.
 *
 * Thread safety: control path; MT-safe against other creates and lookups
 * (memzone reservation is serialised by EAL). Primary process only.
 *
 * @param conf
 *   The configuration; conf->name is copied.
 * @return
 *   The new labyrinth, or NULL with rte_errno set:
 *   - EINVAL: conf or conf->name NULL, empty name, nb_pages 0 or too large,
 *     page_size not a power of two or out of range, reserve >= nb_pages,
 *     cache_size too large, unknown flag, bad socket_id;
 *   - ENAMETOOLONG: name of LABYRINTH_NAMESIZE characters or more;
 *   - EEXIST: a labyrinth (or memzone) of that name exists;
 *   - ENOMEM: not enough memory for the pages or the metadata;
 *   - E_RTE_SECONDARY: called from a secondary process.
 */
struct labyrinth *labyrinth_create(const struct labyrinth_conf *conf);

/**
 * Find a labyrinth by name, in this process or (for a secondary process)
 * in the primary.
 *
 * Thread safety: control path; MT-safe.
 *
 * @param name
 *   Name given at creation.
 * @return
 *   The labyrinth, or NULL with rte_errno set: ENOENT (none of that name),
 *   EINVAL (name NULL).
 */
struct labyrinth *labyrinth_lookup(const char *name);

/**
 * Destroy a labyrinth and free its memzones. Lcore caches are emptied
 * first; it fails if any page is still held.
 *
 * Thread safety: control path; the caller must ensure no other thread
 * uses the labyrinth during and after the call.
 *
 * @param lab
 *   The labyrinth.
 * @return
 *   0 on success; -EINVAL if lab is NULL or not a labyrinth; -EBUSY while
 *   pages are held (nothing is changed then).
 */
int labyrinth_destroy(struct labyrinth *lab);

/**
 * Grab one page.
 *
 * Thread safety: MT-safe from any thread; lock-free and bounded.
 * Pages come from the caller's lcore cache first, then from its socket's
 * zone, then (unless LABYRINTH_GFP_THISNODE) from other zones in
 * increasing NUMA distance.
 *
 * @param lab
 *   The labyrinth.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @return
 *   The page, owned by the caller, or NULL with rte_errno set: ENOMEM (no
 *   page can be had within the gfp's limits), EINVAL (lab NULL, unknown
 *   gfp bit). Failure is O(1) when the pool is empty.
 *
 * Inline (labyrinth_fast.h): a page from the caller's cache in a few plain
 * loads and stores; every other case calls out of line.
 */
static inline void *labyrinth_alloc_page(struct labyrinth *lab,
		unsigned int gfp);

/**
 * Grab 2^order pages, virtually contiguous (and IOVA-contiguous where
 * the memzone is), aligned to page_size << order up to the memzone's
 * alignment (see docs/design.md: 2 MiB, or page_size << LABYRINTH_MAX_ORDER
 * if smaller).
 *
 * Thread safety: MT-safe; lock-free and bounded. Blocks bypass the cache;
 * orders up to 6 are claimed with one CAS on a map word, larger ones claim
 * whole words and roll back on contention. There is no compaction.
 *
 * @param lab
 *   The labyrinth.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @param order
 *   0 .. LABYRINTH_MAX_ORDER.
 * @return
 *   The first page of the block, or NULL with rte_errno set: ENOMEM,
 *   EINVAL (lab NULL, unknown gfp bit, order above LABYRINTH_MAX_ORDER).
 */
void *labyrinth_alloc_pages(struct labyrinth *lab, unsigned int gfp,
		unsigned int order);

/**
 * Grab n single pages, all or nothing.
 *
 * Thread safety: MT-safe; lock-free and bounded.
 *
 * @param lab
 *   The labyrinth.
 * @param gfp
 *   LABYRINTH_GFP_* flags.
 * @param pages
 *   Array of at least n entries for the pages.
 * @param n
 *   Number of pages wanted.
 * @return
 *   n, or 0 with rte_errno set (ENOMEM, EINVAL) and nothing taken.
 *
 * Inline (labyrinth_fast.h): in a default pool, n pages from the caller's
 * cache when it holds them, the pointers copied as rte_mempool copies them
 * and one plain record store a page; every other case calls out of line.
 * Where the CPU has AVX2 (and EAL's --force-max-simd-bitwidth allows 256
 * bits), at least 8 pages of 4 KiB that are a run of consecutive pages, as
 * a refill leaves the cache, move four to an instruction, in one call.
 */
static inline unsigned int labyrinth_alloc_bulk(struct labyrinth *lab,
		unsigned int gfp, void **pages, unsigned int n);

/**
 * Free one page grabbed with labyrinth_alloc_page() or _bulk().
 *
 * Thread safety: MT-safe from any thread (remote free is allowed).
 *
 * @param lab
 *   The labyrinth.
 * @param page
 *   The page.
 * @return
 *   0; -EALREADY if the page is not held (double free); -EINVAL if lab or
 *   page is NULL, lab was destroyed, page is not the start of a page of
 *   this labyrinth, lies inside a held block, or was grabbed as a block of
 *   another order. A rejected free changes nothing but the bad_frees
 *   counter. Two frees of one page racing each other: see
 *   LABYRINTH_F_STRICT.
 *
 * Inline (labyrinth_fast.h): in a default pool, a page of the caller's
 * zone into its cache in a few plain loads and stores; every other case
 * (strict pools included) calls out of line.
 */
static inline int labyrinth_free_page(struct labyrinth *lab, void *page);

/**
 * Free a block of 2^order pages grabbed with labyrinth_alloc_pages().
 *
 * Thread safety: MT-safe from any thread.
 *
 * @param lab
 *   The labyrinth.
 * @param page
 *   First page of the block.
 * @param order
 *   The order it was grabbed with.
 * @return
 *   0; -EALREADY (not held); -EINVAL (NULL, foreign or interior pointer,
 *   wrong order, order above LABYRINTH_MAX_ORDER). A rejected free changes
 *   nothing but the bad_frees counter. Blocks of order 7 and above are
 *   arbitrated in every pool (one locked instruction on the owner record,
 *   which lets the block's map words go back with plain stores): of two
 *   frees of one such block racing each other, exactly one returns 0.
 *   Smaller orders: see LABYRINTH_F_STRICT.
 */
int labyrinth_free_pages(struct labyrinth *lab, void *page,
		unsigned int order);

/**
 * Free n single pages. Each is checked as by labyrinth_free_page(); bad
 * ones are rejected and counted, the others freed.
 *
 * Thread safety: MT-safe from any thread.
 *
 * @param lab
 *   The labyrinth.
 * @param pages
 *   The pages.
 * @param n
 *   How many.
 * @return
 *   Number of pages freed (n when all were valid; 0 if lab or pages is
 *   NULL).
 *
 * Inline (labyrinth_fast.h): in a default pool whose caller's cache has
 * room for all n, each page checked and released with plain loads and
 * stores, four a round (four to an instruction for a run of consecutive
 * 4 KiB pages where the CPU has AVX2, as in labyrinth_alloc_bulk()); from
 * the first page that needs more, out of line.
 */
static inline unsigned int labyrinth_free_bulk(struct labyrinth *lab,
		void * const *pages, unsigned int n);

/**
 * Give the calling lcore's cached pages back to the map.
 *
 * Thread safety: affects only the calling lcore's cache; MT-safe. A no-op
 * on threads without an lcore cache or with lab NULL.
 *
 * @param lab
 *   The labyrinth.
 */
void labyrinth_cache_flush(struct labyrinth *lab);

/**
 * Who holds a page.
 *
 * Thread safety: MT-safe; the answer may be stale by the time it returns.
 *
 * @param lab
 *   The labyrinth.
 * @param page
 *   A page of lab (first page of a block, or any page inside it).
 * @return
 *   The owner lcore id (LABYRINTH_OWNER_NON_EAL for threads without one);
 *   -ENOENT if the page is not held (free in the map or in a cache);
 *   -EINVAL if lab is NULL or page is not the start of one of its pages.
 */
int labyrinth_page_owner(const struct labyrinth *lab, const void *page);

/**
 * IO address of a page.
 *
 * Thread safety: MT-safe.
 *
 * @param lab
 *   The labyrinth.
 * @param page
 *   A page of lab, or any address inside one.
 * @return
 *   Its IOVA; RTE_BAD_IOVA if lab is NULL or page is not inside lab.
 */
rte_iova_t labyrinth_page_iova(const struct labyrinth *lab, const void *page);

/**
 * NUMA socket of a page's zone.
 *
 * Thread safety: MT-safe.
 *
 * @param lab
 *   The labyrinth.
 * @param page
 *   A page of lab, or any address inside one.
 * @return
 *   The socket id; -EINVAL if lab is NULL or page is not inside lab.
 */
int labyrinth_page_socket(const struct labyrinth *lab, const void *page);

/**
 * Free pages in all zones, pages in lcore caches included.
 *
 * Thread safety: MT-safe; exact when the labyrinth is quiet, otherwise a
 * snapshot that may be off by the grabs in flight.
 *
 * @param lab
 *   The labyrinth.
 * @return
 *   The count; 0 if lab is NULL.
 */
unsigned int labyrinth_free_count(const struct labyrinth *lab);

/**
 * Memory pressure of a socket's zone.
 *
 * Thread safety: MT-safe.
 *
 * @param lab
 *   The labyrinth.
 * @param socket_id
 *   A socket the labyrinth has a zone on, or SOCKET_ID_ANY for the
 *   highest pressure over all zones.
 * @return
 *   LABYRINTH_PRESSURE_NONE, _LOW (free at or below the low watermark) or
 *   _MIN (at or below the min watermark); -EINVAL if lab is NULL or it has
 *   no zone on socket_id.
 */
int labyrinth_pressure(const struct labyrinth *lab, int socket_id);

/**
 * Read the statistics.
 *
 * Thread safety: MT-safe; see struct labyrinth_stats for consistency.
 *
 * @param lab
 *   The labyrinth.
 * @param stats
 *   Filled in.
 * @return
 *   0; -EINVAL if lab or stats is NULL.
 */
int labyrinth_stats_get(const struct labyrinth *lab,
		struct labyrinth_stats *stats);

/**
 * Give back every page an lcore of a dead process held.
 *
 * A process killed while it holds pages (SIGKILL, a crash) leaves them
 * held for ever: their owner records name its lcores. Once the caller
 * knows that the process owning lcore_id is dead, this returns to the map
 * every block whose owner is lcore_id, and the pages in that lcore's
 * cache and its tokens if it had a slot, so that labyrinth_audit() is
 * clean again. How an application knows a process is dead is its own
 * business: for example a pidfd (pidfd_open() then poll() for POLLIN), the
 * parent's waitpid(), or a rte_mp request to the secondary that times out.
 * The lcore must not be used again by anybody while this runs.
 *
 * Thread safety: control path, MT-safe with grabs and frees of other
 * lcores. Blocks the dead lcore handed to live ones and that those free
 * concurrently are arbitrated (one CAS each), but in default pools such a
 * free racing the reclaim is undefined, as any racing double free is.
 * O(pages): it scans every owner record.
 *
 * @param lab
 *   The labyrinth.
 * @param lcore_id
 *   The dead lcore's id.
 * @return
 *   The number of pages given back (0 if it held none); -EINVAL if lab
 *   is not a live labyrinth or lcore_id >= RTE_MAX_LCORE; -EBUSY if
 *   lcore_id is an enabled lcore of the calling process (it is not dead).
 */
int64_t labyrinth_reclaim_lcore(struct labyrinth *lab, unsigned int lcore_id);

/**
 * Check that map, caches, owner records and counters agree: every page is
 * exactly one of free in the map, in one lcore cache, or held (head or
 * tail of a block); the free counters match the map bits; grabs - frees
 * == held blocks.
 *
 * Thread safety: only meaningful when the labyrinth is quiet (no grab or
 * free in flight); never modifies anything.
 *
 * @param lab
 *   The labyrinth.
 * @return
 *   0 when everything agrees; -EINVAL if lab is NULL; -EFAULT on any
 *   disagreement (each logged at ERR).
 */
int labyrinth_audit(const struct labyrinth *lab);

/**
 * Print the configuration, zones, statistics and per-lcore caches.
 *
 * Thread safety: MT-safe; figures are a snapshot.
 *
 * @param f
 *   Output stream.
 * @param lab
 *   The labyrinth.
 */
void labyrinth_dump(FILE *f, const struct labyrinth *lab);

/** A held block, as reported by labyrinth_held_walk(). */
struct labyrinth_held_info {
	void *page;          /**< first page of the block */
	unsigned int order;  /**< order it was grabbed with */
	int owner;           /**< owner lcore id, or LABYRINTH_OWNER_NON_EAL */
	int socket_id;       /**< socket of its zone */
	uint64_t age_us;     /**< time since the grab, microseconds (resolution
			      *   about 1 ms: the coarse clock's tick) */
};

/**
 * Leak finder: call fn for every block held for at least min_age_us.
 * Each grab copies a coarse clock (the TSC, refreshed every millisecond
 * by an EAL alarm that labyrinth_create() or labyrinth_lookup() starts in
 * the process) into the page's owner record: one plain load on the fast
 * path, no TSC read.
 *
 * Thread safety: MT-safe; a snapshot (blocks freed or grabbed during the
 * walk may or may not be reported).
 *
 * @param lab
 *   The labyrinth.
 * @param min_age_us
 *   Report blocks held at least this long (0: every held block).
 * @param fn
 *   Called for each such block; may be NULL to just count.
 * @param arg
 *   Passed to fn.
 * @return
 *   Number of such blocks; -EINVAL if lab is NULL.
 */
int labyrinth_held_walk(const struct labyrinth *lab, uint64_t min_age_us,
		void (*fn)(const struct labyrinth_held_info *info, void *arg),
		void *arg);

/** Buckets of labyrinth_holders.age_hist. */
#define LABYRINTH_AGE_BUCKETS 40

/**
 * Lower bound, in microseconds, of bucket k of labyrinth_holders.age_hist:
 * bucket 0 counts ages below 1 us, bucket k (k >= 1) ages in
 * [2^(k-1), 2^k) us, and the last bucket every age from its lower bound up.
 */
#define LABYRINTH_AGE_BUCKET_US(k) ((k) == 0 ? UINT64_C(0) : \
	UINT64_C(1) << ((k) - 1))

/** What one owner holds, in struct labyrinth_holders. */
struct labyrinth_holder {
	uint64_t held;          /**< units held: pages (page pool) or objects
				 *   (object pools), not counting the objects
				 *   found in caches above the pool */
	uint64_t blocks;        /**< grabs held: blocks (page pool), objects
				 *   (object pools, equals held) */
	uint64_t oldest_age_us; /**< age of its oldest held block or object;
				 *   0 when it holds none */
	uint64_t in_caches;     /**< objects this owner took that now sit in
				 *   a cache above the pool, for pools that
				 *   have such caches (counted out of held);
				 *   0 for a page pool */
	uint64_t cache_len;     /**< objects in this lcore's own cache above
				 *   the pool, whoever took them, for pools
				 *   that have such caches; 0 for a page pool
				 *   and for the non-EAL slot */
};

/**
 * Who holds the pages of a labyrinth (labyrinth_holders_get()), or the
 * objects of another pool that keeps the same kind of records (see
 * labyrinth_mempool.h): a snapshot of the owner records, the owner lcore
 * and grab time of each held block or object. Ages have the coarse
 * clock's resolution, about 1 ms. Counts are exact when the pool is quiet.
 *
 * Some object pools have per-lcore caches above them: an object in one has
 * left the pool and is held in the pool's view. Where the caches can be
 * seen, their objects count in in_caches and owner[].cache_len instead of
 * held. A page pool's own lcore caches hold free pages, not held ones:
 * for a labyrinth both fields are 0.
 */
struct labyrinth_holders {
	uint64_t min_age_us;    /**< only blocks or objects held at least this
				 *   long are counted in held, blocks, ages */
	uint64_t held;          /**< sum of owner[].held */
	uint64_t blocks;        /**< sum of owner[].blocks */
	uint64_t oldest_age_us; /**< the oldest over all owners; 0 if none */
	uint64_t in_caches;     /**< sum of owner[].in_caches (pools with
				 *   caches above them; else 0) */
	uint64_t cache_len;     /**< sum of owner[].cache_len (as in_caches) */
	/** Held blocks or objects (outside caches) by age: see
	 *  LABYRINTH_AGE_BUCKET_US(). */
	uint64_t age_hist[LABYRINTH_AGE_BUCKETS];
	/** By owner lcore id; [LABYRINTH_OWNER_NON_EAL]: threads without one. */
	struct labyrinth_holder owner[RTE_MAX_LCORE + 1];
};

/**
 * Holder summary of a labyrinth's pages: per owner lcore, the pages and
 * blocks held, the oldest age; and a histogram of ages. Built from the
 * owner records that every grab writes (see labyrinth_held_walk()).
 *
 * Thread safety: MT-safe; a snapshot. Control path: it reads every page's
 * owner record.
 *
 * @param lab
 *   The labyrinth.
 * @param min_age_us
 *   Count only blocks held at least this long (0: every held block).
 * @param holders
 *   Filled in (in_caches and cache_len are 0).
 * @return
 *   0; -EINVAL if lab or holders is NULL.
 */
int labyrinth_holders_get(const struct labyrinth *lab, uint64_t min_age_us,
		struct labyrinth_holders *holders);

/**
 * Iterate over every labyrinth of this process's shared memory.
 *
 * Thread safety: control path; MT-safe against creates and destroys.
 *
 * @param fn
 *   Called for each labyrinth.
 * @param arg
 *   Passed to fn.
 */
void labyrinth_walk(void (*fn)(struct labyrinth *lab, void *arg), void *arg);

/**
 * Name of a labyrinth.
 *
 * @param lab
 *   The labyrinth.
 * @return
 *   Its name; NULL if lab is NULL.
 */
const char *labyrinth_name(const struct labyrinth *lab);

/**
 * Page size of a labyrinth.
 *
 * @param lab
 *   The labyrinth.
 * @return
 *   Page size in bytes; 0 if lab is NULL.
 */
uint32_t labyrinth_page_size(const struct labyrinth *lab);

#ifdef __cplusplus
}
#endif

#include "labyrinth_fast.h"

#endif /* LABYRINTH_H */
