/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_MAP_PRIV_H
#define LABYRINTH_MAP_PRIV_H

/**
 * @file
 * @internal
 * The atomic page map: one bit per item (page, or mempool object), 1 = free
 * in the map. Words sit on their own cache lines (as in Linux's sbitmap) so
 * that lcores working at different hints do not share a line.
 *
 * Next to the bits, a budget counter `avail` says how many set bits are not
 * yet promised to anyone. The invariant that makes claims safe:
 *
 *     set bits >= avail + outstanding budgets
 *
 * Claimers take budget first (labyrinth_map_reserve*), then clear bits;
 * returners set bits first, then give budget back (labyrinth_map_put then
 * labyrinth_map_unreserve). So a claimer that holds budget for n items will
 * find n set bits unless concurrent churn moves them behind its scan; the
 * scan is bounded (two passes) and reports what it found.
 *
 * This API is exported under the INTERNAL version node for the mempool
 * driver (lib/mempool_labyrinth); it is not part of the public API.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "labyrinth_atomic_priv.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Items per map word. */
#define LABYRINTH_MAP_WORD_BITS 64
/** log2 of LABYRINTH_MAP_WORD_BITS: blocks above this order are whole words. */
#define LABYRINTH_MAP_WORD_ORDER 6

/** Blocks of this order are held by the huge flag, not by their bits. */
#define LABYRINTH_MAP_HUGE_ORDER 9
/** Words of a huge block (a group). */
#define LABYRINTH_MAP_HUGE_WORDS \
	(1u << (LABYRINTH_MAP_HUGE_ORDER - LABYRINTH_MAP_WORD_ORDER))

/** One map word, alone on its cache line. */
struct labyrinth_map_word {
	uint64_t bits; /**< 1 = free in the map (unless huge is set) */
	/**
	 * Non-zero while the aligned group of LABYRINTH_MAP_HUGE_WORDS words
	 * this word belongs to is held whole, as one block of order
	 * LABYRINTH_MAP_HUGE_ORDER (LLFree's "huge" flag). The group's bits
	 * then stay set and mean nothing: every claimer that takes bits of a
	 * word checks its flag afterwards and gives them back if it is set.
	 * Set by labyrinth_map_take_block(), cleared by _put_block().
	 */
	uint64_t huge;
} __rte_cache_aligned;

_Static_assert(sizeof(struct labyrinth_map_word) == RTE_CACHE_LINE_SIZE,
	"a map word fills its cache line (lcores at other hints share none)");
_Static_assert(sizeof(((struct labyrinth_map_word *)0)->bits) * 8 ==
	LABYRINTH_MAP_WORD_BITS, "LABYRINTH_MAP_WORD_BITS items per word");
_Static_assert(1 << LABYRINTH_MAP_WORD_ORDER == LABYRINTH_MAP_WORD_BITS,
	"LABYRINTH_MAP_WORD_ORDER is log2 of the word's bits");

/** A map. Lives in shared memory; words points into shared memory too. */
struct labyrinth_map {
	int64_t avail __rte_cache_aligned; /**< budget: unpromised set bits */
	uint32_t nb_bits;                  /**< items */
	uint32_t nb_words;                 /**< words */
	struct labyrinth_map_word *words;  /**< nb_words words */
} __rte_cache_aligned;

/**
 * Bytes of word storage a map of nb_bits items needs (cache-line aligned).
 */
size_t labyrinth_map_words_size(uint32_t nb_bits);

/**
 * Initialise a map over nb_bits items.
 *
 * @param m
 *   The map.
 * @param words
 *   Storage of labyrinth_map_words_size(nb_bits) bytes, cache-line aligned.
 * @param nb_bits
 *   Number of items.
 * @param all_free
 *   true: every item starts free (bits set, avail = nb_bits); false: every
 *   item starts held (bits clear, avail 0), to be added with _put.
 */
void labyrinth_map_init(struct labyrinth_map *m,
		struct labyrinth_map_word *words, uint32_t nb_bits,
		bool all_free);

/**
 * Take n of budget, all or nothing, leaving at least floor behind.
 * Lock-free (one fetch-sub, one fetch-add to undo on failure).
 *
 * @return 0, or -ENOMEM (nothing taken).
 */
int labyrinth_map_reserve(struct labyrinth_map *m, uint32_t n, int64_t floor);

/**
 * Take up to n of budget, leaving at least floor behind. Wait-free: one
 * fetch-sub, and one fetch-add to give back an overdraw.
 *
 * @return the budget taken, 0 .. n.
 */
uint32_t labyrinth_map_reserve_upto(struct labyrinth_map *m, uint32_t n,
		int64_t floor);

/** Give n of budget back (after the bits were set). */
void labyrinth_map_unreserve(struct labyrinth_map *m, uint32_t n);

/**
 * Clear n set bits, the caller holding budget for them. Scans words from
 * *hint for at most two passes; a word whose free bits are all wanted is
 * claimed with one atomic exchange, a partial one with one CAS. *hint is
 * updated to the last word used.
 *
 * @param idx
 *   Receives the claimed item indices.
 * @return
 *   Items claimed (n, or fewer under pathological churn: the caller gives
 *   back the unused budget).
 */
uint32_t labyrinth_map_claim(struct labyrinth_map *m, uint32_t *hint,
		uint32_t *idx, uint32_t n);

/**
 * Set the bits of n items (budget is not touched), in any order: one
 * atomic OR per distinct word among each 128 indices.
 *
 * @return
 *   Bits that were clear and are now set; an index whose bit was already
 *   set (double return) or is out of range is not counted and, for the
 *   out-of-range case, not touched.
 */
uint32_t labyrinth_map_put(struct labyrinth_map *m, const uint32_t *idx,
		uint32_t n);

/**
 * Take 2^order contiguous items aligned to 2^order, budget included: a
 * candidate block is found first (relaxed peeks), then its budget is taken
 * (leaving at least floor behind), then it is claimed; a failed claim gives
 * the budget back at once and the search goes on. So a failing search
 * holds no budget while it scans. Orders up to 6 use one CAS on one word;
 * orders 7 and 8 claim 2^(order-6) whole words and roll back on
 * contention; order LABYRINTH_MAP_HUGE_ORDER sets the group's huge flags
 * (one CAS and one fence, whatever the group's size) and leaves its bits
 * set. Lock-free and bounded (two passes over the map).
 *
 * @return first index, or -1 (no such block free, or no budget above floor).
 */
int64_t labyrinth_map_take_block(struct labyrinth_map *m, uint32_t *hint,
		unsigned int order, int64_t floor);

/**
 * Set the bits of a block taken with labyrinth_map_take_block() (budget is
 * not touched). Orders up to 6: one atomic OR. Larger orders (whole words):
 * a plain release store of each word (order LABYRINTH_MAP_HUGE_ORDER: of
 * each word's huge flag), no locked instruction, so the caller
 * must have made this put the block's only one (a single-shot CAS on the
 * block's owner record): two puts of one such block racing each other
 * would both count the whole block.
 *
 * @return bits newly set (2^order unless some were already set).
 */
uint32_t labyrinth_map_put_block(struct labyrinth_map *m, uint32_t first,
		unsigned int order);

/**
 * The map's budget, a snapshot: how many set bits nobody has promised.
 * Relaxed: it orders nothing and may be stale by the time it is used;
 * callers use it for watermark decisions, which err towards refusing
 * (the reserve engages early, never late) because budget is taken before
 * bits are cleared and given back after bits are set.
 */
static inline int64_t
labyrinth_map_avail(const struct labyrinth_map *m)
{
	return lab_load(&m->avail, LAB_RELAXED);
}

/**
 * Relaxed peek of mw's huge flag: a hint to skip the word, no more.
 */
static inline bool
labyrinth_map_peek_huge(const struct labyrinth_map_word *mw)
{
	bool held = lab_load(&mw->huge, LAB_RELAXED) != 0;

	LAB_RACE_POINT();
	return held;
}

/**
 * After a claimer's SEQ_CST exchange or CAS took the bits `taken` of mw:
 * if mw's group is held huge, give them back (they were never the
 * claimer's) and return true. Every claim of bits ends with this.
 */
static inline bool
labyrinth_map_undo_if_huge(struct labyrinth_map_word *mw, uint64_t taken)
{
	LAB_RACE_POINT();
	/* SEQ_CST: the claimer's half of the Dekker pairing with the huge
	 * claimer (labyrinth_map.c, file comment); it also acquires the
	 * huge holder's release clear. */
	if (likely(lab_load(&mw->huge, LAB_SEQ_CST) == 0))
		return false;
	if (taken != 0)
		/* Release: as any put. */
		lab_fetch_or(&mw->bits, taken, LAB_RELEASE);
	return true;
}

/**
 * Claim the lowest set bit of word w with one CAS (budget held by the
 * caller). Returns 1 and the index, or 0 (word empty, or the CAS lost:
 * the caller searches on).
 */
static inline uint32_t
labyrinth_map_claim_at(struct labyrinth_map *m, uint32_t w, uint32_t *idx)
{
	uint64_t bits;

	if (w >= m->nb_words)
		return 0;
	/* Relaxed peek; the CAS acquires. */
	bits = lab_load(&m->words[w].bits, LAB_RELAXED);
	/* The huge flag's peek skips a held group's words without two
	 * wasted locked instructions. */
	if (labyrinth_map_peek_huge(&m->words[w]))
		return 0;
	/* Acquire (in SEQ_CST) on success pairs with the release put that
	 * freed the bit (the item's previous contents are visible to us);
	 * SEQ_CST for the huge check (labyrinth_map.c); relaxed on failure:
	 * nothing was taken. */
	if (bits == 0 || !lab_cas(&m->words[w].bits, &bits, bits & (bits - 1),
			LAB_SEQ_CST, LAB_RELAXED))
		return 0;
	if (unlikely(labyrinth_map_undo_if_huge(&m->words[w], bits & -bits)))
		return 0;
	*idx = w * LABYRINTH_MAP_WORD_BITS + (uint32_t)__builtin_ctzll(bits);
	return 1;
}

/**
 * Claim item idx itself, if its bit is set (budget held): one atomic AND
 * that clears the bit (lock btr on x86), no load before it, so it does not
 * wait for the word's last locked operation to complete before it issues.
 * For a caller that knows where a free item probably is: the item it
 * put last.
 *
 * @return 1 if the bit was set and is now ours, 0 if not (nothing taken).
 */
static inline uint32_t
labyrinth_map_claim_bit(struct labyrinth_map *m, uint32_t idx)
{
	struct labyrinth_map_word *mw = &m->words[idx / LABYRINTH_MAP_WORD_BITS];
	uint64_t bit = UINT64_C(1) << (idx % LABYRINTH_MAP_WORD_BITS);

	/* Acquire (in SEQ_CST) pairs with the release put that freed the
	 * bit; SEQ_CST for the huge check, as every claim (labyrinth_map.c).
	 * A clear bit stays clear: nothing taken. */
	if ((lab_fetch_and(&mw->bits, ~bit, LAB_SEQ_CST) & bit) == 0)
		return 0;
	if (unlikely(labyrinth_map_undo_if_huge(mw, bit)))
		return 0;
	return 1;
}

/**
 * Set the bit of one item (budget is not touched): one atomic OR.
 * Release: the holder's writes to the item happen-before the next
 * claimer's acquire of the bit.
 *
 * @return 1 if the bit was clear and is now set, 0 if it was set already
 *   (a double return: nothing changed).
 */
static inline uint32_t
labyrinth_map_put_one(struct labyrinth_map *m, uint32_t idx)
{
	uint64_t bit = UINT64_C(1) << (idx % LABYRINTH_MAP_WORD_BITS);

	return (lab_fetch_or(&m->words[idx / LABYRINTH_MAP_WORD_BITS].bits,
		bit, LAB_RELEASE) & bit) == 0;
}

/* The calls below are defined after the ones they use. */
uint32_t labyrinth_map_put(struct labyrinth_map *m, const uint32_t *idx,
		uint32_t n);
uint32_t labyrinth_map_put_block(struct labyrinth_map *m, uint32_t first,
		unsigned int order);
void labyrinth_map_unreserve(struct labyrinth_map *m, uint32_t n);

/**
 * Give n items back, bits then budget: the whole return protocol in one
 * call. Returns the items newly set (a double return is not counted).
 */
static inline uint32_t
labyrinth_map_give(struct labyrinth_map *m, const uint32_t *idx, uint32_t n)
{
	uint32_t newly = labyrinth_map_put(m, idx, n);

	if (newly != 0)
		labyrinth_map_unreserve(m, newly);
	return newly;
}

/** As labyrinth_map_give(), for a block taken with _take_block(). */
static inline uint32_t
labyrinth_map_give_block(struct labyrinth_map *m, uint32_t first,
		unsigned int order)
{
	uint32_t newly = labyrinth_map_put_block(m, first, order);

	if (newly != 0)
		labyrinth_map_unreserve(m, newly);
	return newly;
}

/** Number of set bits (a scan; exact only when the map is quiet). */
uint32_t labyrinth_map_count_bits(const struct labyrinth_map *m);

/** Whether item i's bit is set (relaxed snapshot). */
bool labyrinth_map_test(const struct labyrinth_map *m, uint32_t i);

#ifdef __cplusplus
}
#endif

#endif /* LABYRINTH_MAP_PRIV_H */
