/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The atomic page map (see labyrinth_map_priv.h for the budget invariant).
 *
 * Memory orders, once for the whole file:
 * - A claim (exchange or CAS that clears bits) acquires (it is SEQ_CST, for
 *   the huge flag below, which includes ACQUIRE): it pairs with the
 *   RELEASE of the put (fetch-or) that set those bits, so everything the
 *   previous holder wrote to the item (page contents, poison, owner record)
 *   happens-before the new holder's use of it.
 * - A put is RELEASE for the same pairing.
 * - The budget counter carries the other half of "bits, then budget": a
 *   returner sets bits (release) and then gives budget back with a RELEASE
 *   add; a claimer takes budget with an ACQUIRE sub, which synchronises
 *   with every release add before it in the counter's modification order
 *   (RMWs continue release sequences), so the bits behind the budget it
 *   took are visible to its scan on weak-memory CPUs too. Program order
 *   alone is not enough there: it orders each side's own operations, not
 *   what another observer sees. Undoing an overdraw only returns budget
 *   this thread took a moment ago and publishes nothing: relaxed.
 * - Huge blocks (order LABYRINTH_MAP_HUGE_ORDER, a group of words) are held
 *   by a flag in each of their words, not by their bits, which stay set:
 *   O(1) locked instructions for 512 pages, where claiming the eight
 *   words would take eight. Claimers of bits and the huge claimer meet
 *   Dekker-style. A claimer takes bits with a SEQ_CST exchange or CAS,
 *   then reads the word's flag (SEQ_CST load) and gives the bits back if
 *   it is set. The huge claimer wins the group's first flag (SEQ_CST CAS:
 *   it arbitrates huge claimers), stores the other flags, issues a SEQ_CST
 *   fence, then reads the words (SEQ_CST loads) and keeps the group only
 *   if every word is still full. With the fence between the flag stores
 *   and the word loads, and the claimer's RMW and flag load both SEQ_CST,
 *   at least one side sees the other (C11's total order S over SEQ_CST
 *   operations and fences), on weak-memory CPUs too: either the huge
 *   claimer finds a bit missing and backs off, or the claimer finds the
 *   flag and gives its bits back. On x86 the SEQ_CST RMW costs what the
 *   acquire one did and the SEQ_CST load is a plain load; only the huge
 *   claimer pays the fence. The put clears the flags with RELEASE stores
 *   (the first word's last): a later claimer's flag load (SEQ_CST, so
 *   acquire) or huge CAS reads them, so the holder's writes happen-before
 *   its use of the pages.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_map_priv.h"

#ifdef LAB_COUNT_RMW
_Thread_local uint64_t lab_rmw_count;
#endif

#ifdef LAB_RACE_WIDEN
#include <sched.h>

/* Yield at one race point in three (a thread-local count). */
void
lab_race_point(void)
{
	static _Thread_local unsigned int n;

	if (++n % 3 == 0)
		sched_yield();
}
#endif

/* Bits at multiples of 2^k within a word, for k = 0..6. */
static const uint64_t order_align_mask[7] = {
	UINT64_C(0xffffffffffffffff),
	UINT64_C(0x5555555555555555),
	UINT64_C(0x1111111111111111),
	UINT64_C(0x0101010101010101),
	UINT64_C(0x0001000100010001),
	UINT64_C(0x0000000100000001),
	UINT64_C(0x0000000000000001),
};

size_t
labyrinth_map_words_size(uint32_t nb_bits)
{
	size_t nb_words = (nb_bits + LABYRINTH_MAP_WORD_BITS - 1) /
		LABYRINTH_MAP_WORD_BITS;

	return nb_words * sizeof(struct labyrinth_map_word);
}

void
labyrinth_map_init(struct labyrinth_map *m, struct labyrinth_map_word *words,
		uint32_t nb_bits, bool all_free)
{
	uint32_t w, nb_words = (nb_bits + LABYRINTH_MAP_WORD_BITS - 1) /
		LABYRINTH_MAP_WORD_BITS;

	memset(words, 0, labyrinth_map_words_size(nb_bits));
	if (all_free) {
		for (w = 0; w < nb_words; w++) {
			uint32_t left = nb_bits - w * LABYRINTH_MAP_WORD_BITS;

			words[w].bits = left >= 64 ? ~UINT64_C(0) :
				(UINT64_C(1) << left) - 1;
		}
	}
	m->words = words;
	m->nb_bits = nb_bits;
	m->nb_words = nb_words;
	/* Before publication (the creator alone sees m): relaxed is enough;
	 * the memzone lookup that hands m to others is the publication. */
	lab_store(&m->avail, all_free ? (int64_t)nb_bits : 0, LAB_RELAXED);
}

int
labyrinth_map_reserve(struct labyrinth_map *m, uint32_t n, int64_t floor)
{
	int64_t old;

	/* Fast refusal without a locked op. Relaxed: a stale value only makes
	 * us try (and undo) or refuse early; the sub below acquires. */
	if (lab_load(&m->avail, LAB_RELAXED) - (int64_t)n < floor)
		return -ENOMEM;
	/* Acquire: pairs with the release add of labyrinth_map_unreserve()
	 * (see the file comment): the bits behind this budget are visible. */
	old = lab_fetch_sub(&m->avail, (int64_t)n, LAB_ACQUIRE);
	if (old - (int64_t)n < floor) {
		/* Overdrawn: undo. Relaxed: gives back what we took, publishes
		 * nothing; meanwhile others may see a low count and fail early,
		 * erring on the safe side of the watermark. */
		lab_fetch_add(&m->avail, (int64_t)n, LAB_RELAXED);
		return -ENOMEM;
	}
	return 0;
}

uint32_t
labyrinth_map_reserve_upto(struct labyrinth_map *m, uint32_t n, int64_t floor)
{
	/* Relaxed: sizes the request; the sub below decides and acquires. */
	int64_t old = lab_load(&m->avail, LAB_RELAXED), take, got;

	take = RTE_MIN(old - floor, (int64_t)n);
	if (take <= 0)
		return 0;
	/* Wait-free: one sub, and at most one add to give back an overdraw
	 * (only when others took budget since the load). Acquire: as in
	 * labyrinth_map_reserve(). */
	old = lab_fetch_sub(&m->avail, take, LAB_ACQUIRE);
	got = RTE_MIN(take, old - floor);
	if (got < 0)
		got = 0;
	if (got < take)
		/* Relaxed: returns our own overdraw (see labyrinth_map_reserve). */
		lab_fetch_add(&m->avail, take - got, LAB_RELAXED);
	return (uint32_t)got;
}

void
labyrinth_map_unreserve(struct labyrinth_map *m, uint32_t n)
{
	/* Release: the bits were set before (the put); a claimer's acquire
	 * sub of this budget must see them (see the file comment). */
	lab_fetch_add(&m->avail, (int64_t)n, LAB_RELEASE);
}

/* Write the indices of the bits of taken (word w) to idx; return count. */
static inline uint32_t
bits_to_idx(uint64_t taken, uint32_t w, uint32_t *idx)
{
	uint32_t n = 0, base = w * LABYRINTH_MAP_WORD_BITS;

	while (taken != 0) {
		idx[n++] = base + (uint32_t)__builtin_ctzll(taken);
		taken &= taken - 1;
	}
	return n;
}

/* Bits 0 .. n-1 (n <= 64). */
static inline uint64_t
low_mask(unsigned int n)
{
	return n >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
}

/*
 * The lowest `want` set bits of x (0 < want < popcount(x)). A few bits one
 * by one; more (a mempool dequeue of 32 from a word with more free) by a
 * binary search for the shortest prefix of x holding `want` of them: six
 * popcounts instead of `want` rounds.
 */
static inline uint64_t
lowest_bits(uint64_t x, uint32_t want)
{
	unsigned int lo = 0, hi = 64;
	uint64_t mask = 0;

	if (want <= 8) {
		while (want-- > 0) {
			uint64_t b = x & -x;

			mask |= b;
			x ^= b;
		}
		return mask;
	}
	/* Invariant: prefix lo holds fewer than want, prefix hi enough. */
	while (hi - lo > 1) {
		unsigned int mid = (lo + hi) / 2;

		if ((uint32_t)__builtin_popcountll(x & low_mask(mid)) >= want)
			hi = mid;
		else
			lo = mid;
	}
	return x & low_mask(hi);
}

uint32_t
labyrinth_map_claim(struct labyrinth_map *m, uint32_t *hint, uint32_t *idx,
		uint32_t n)
{
	uint32_t got = 0, w = *hint, steps, max_steps = 2 * m->nb_words + 8;

	if (w >= m->nb_words)
		w = 0;
	for (steps = 0; got < n && steps < max_steps; steps++) {
		struct labyrinth_map_word *mw = &m->words[w];
		uint64_t *word = &mw->bits;
		/* Relaxed peek: the claim below is what acquires. */
		uint64_t bits = lab_load(word, LAB_RELAXED);
		uint32_t want = n - got, have;
		uint64_t taken;

		if (bits == 0 || labyrinth_map_peek_huge(mw)) {
			w = (w + 1 == m->nb_words) ? 0 : w + 1;
			continue;
		}
		have = (uint32_t)__builtin_popcountll(bits);
		if (have <= want) {
			/* Take every free bit of the word in one atomic. Acquire
			 * (in SEQ_CST): pairs with the release put of whoever
			 * freed them; SEQ_CST for the huge flag check below. */
			taken = lab_xchg(word, 0, LAB_SEQ_CST);
			if (unlikely(labyrinth_map_undo_if_huge(mw, taken))) {
				w = (w + 1 == m->nb_words) ? 0 : w + 1;
				continue;
			}
			if (unlikely((uint32_t)__builtin_popcountll(taken) > want)) {
				/* More were freed since the peek: give back the
				 * surplus. Release: pairs with the next claimer's
				 * acquire, as any put. */
				uint64_t keep = lowest_bits(taken, want);

				lab_fetch_or(word, taken & ~keep, LAB_RELEASE);
				taken = keep;
			}
		} else {
			uint64_t mask = lowest_bits(bits, want);

			/* Clear just the bits we want. Acquire (in SEQ_CST) on
			 * success pairs with the puts, SEQ_CST for the huge
			 * check; relaxed on failure: nothing was taken, we retry
			 * on the fresh value (lock-free). */
			if (!lab_cas(word, &bits, bits & ~mask, LAB_SEQ_CST,
					LAB_RELAXED))
				continue; /* counts as a step: bounded */
			if (unlikely(labyrinth_map_undo_if_huge(mw, mask))) {
				w = (w + 1 == m->nb_words) ? 0 : w + 1;
				continue;
			}
			taken = mask;
		}
		got += bits_to_idx(taken, w, idx + got);
		if (got < n)
			w = (w + 1 == m->nb_words) ? 0 : w + 1;
	}
	*hint = w;
	return got;
}

/* Slots of put_words()'s open-addressed table (a power of two). */
#define PUT_SLOTS 256u
#define PUT_NONE UINT32_MAX

/*
 * One atomic OR per distinct word: the indices (up to PUT_SLOTS / 2 of
 * them) are bucketed by word in a small open-addressed table first, so a
 * cache flush in any order costs as many ORs as words it touches. An
 * index of the same word as the one before skips the table (runs of
 * pages, as claims and refills hand them out), and the ORs walk the slots
 * used, not the table.
 */
static uint32_t
put_words(struct labyrinth_map *m, const uint32_t *idx, uint32_t n)
{
	uint32_t word[PUT_SLOTS], used[PUT_SLOTS / 2];
	uint64_t mask[PUT_SLOTS];
	uint32_t slots = 16, i, k, nu = 0, last = PUT_NONE, h = 0, newly = 0;
	uint64_t cur = 0; /* the bits of word last, not yet in mask[h] */

	while (slots < 2 * n)
		slots <<= 1;
	for (k = 0; k < slots; k++)
		word[k] = PUT_NONE;
	for (i = 0; i < n; i++) {
		uint32_t w;

		if (unlikely(idx[i] >= m->nb_bits))
			continue;
		w = idx[i] / LABYRINTH_MAP_WORD_BITS;
		if (w != last) {
			if (last != PUT_NONE)
				mask[h] |= cur;
			/* Fibonacci hash, linear probing: at most n of slots
			 * >= 2n used. */
			h = (uint32_t)(w * UINT32_C(2654435761)) & (slots - 1);
			while (word[h] != PUT_NONE && word[h] != w)
				h = (h + 1) & (slots - 1);
			if (word[h] == PUT_NONE) {
				word[h] = w;
				mask[h] = 0;
				used[nu++] = h;
			}
			last = w;
			cur = 0;
		}
		cur |= UINT64_C(1) << (idx[i] % LABYRINTH_MAP_WORD_BITS);
	}
	if (last != PUT_NONE)
		mask[h] |= cur;
	for (k = 0; k < nu; k++) {
		uint32_t s = used[k];
		/* Release: the holder's writes to the items happen-before the
		 * next claimer's acquire exchange/CAS of these bits. */
		uint64_t old = lab_fetch_or(&m->words[word[s]].bits, mask[s],
				LAB_RELEASE);

		newly += (uint32_t)__builtin_popcountll(mask[s] & ~old);
	}
	return newly;
}

/* Few indices (a single return, a small burst): group by word with a
 * linear search, no table to clear. */
#define PUT_FEW 16u

static uint32_t
put_few(struct labyrinth_map *m, const uint32_t *idx, uint32_t n)
{
	uint32_t word[PUT_FEW];
	uint64_t mask[PUT_FEW];
	uint32_t nw = 0, i, k, newly = 0;

	for (i = 0; i < n; i++) {
		uint32_t w;

		if (unlikely(idx[i] >= m->nb_bits))
			continue;
		w = idx[i] / LABYRINTH_MAP_WORD_BITS;
		for (k = 0; k < nw && word[k] != w; k++)
			;
		if (k == nw) {
			word[nw] = w;
			mask[nw++] = 0;
		}
		mask[k] |= UINT64_C(1) << (idx[i] % LABYRINTH_MAP_WORD_BITS);
	}
	for (k = 0; k < nw; k++) {
		/* Release: as in put_words(). */
		uint64_t old = lab_fetch_or(&m->words[word[k]].bits, mask[k],
				LAB_RELEASE);

		newly += (uint32_t)__builtin_popcountll(mask[k] & ~old);
	}
	return newly;
}

uint32_t
labyrinth_map_put(struct labyrinth_map *m, const uint32_t *idx, uint32_t n)
{
	uint32_t done, newly = 0;

	if (likely(n <= PUT_FEW))
		return put_few(m, idx, n);

	for (done = 0; done < n; done += PUT_SLOTS / 2)
		newly += put_words(m, idx + done, RTE_MIN(n - done, PUT_SLOTS / 2));
	return newly;
}

/* Positions in bits where an aligned run of 2^order set bits starts. */
static inline uint64_t
block_starts(uint64_t bits, unsigned int order)
{
	uint64_t run = bits;
	unsigned int s;

	for (s = 1; s < (1u << order); s <<= 1)
		run &= run >> s;
	return run & order_align_mask[order];
}

/*
 * Take a huge block: the group of LABYRINTH_MAP_HUGE_WORDS words from gw,
 * whose bits looked all set, by its flags (see the file comment); budget held
 * by the caller. Returns true if the group is ours.
 */
static bool
take_huge(struct labyrinth_map_word *gw)
{
	uint64_t zero = 0;
	unsigned int k;

	/* Arbitrates huge claimers of the group. SEQ_CST: acquire pairs with
	 * the release clear of the last holder's put (its page writes
	 * happen-before ours); failure relaxed: nothing taken. */
	if (!lab_cas(&gw[0].huge, &zero, 1, LAB_SEQ_CST, LAB_RELAXED))
		return false;
	for (k = 1; k < LABYRINTH_MAP_HUGE_WORDS; k++)
		/* Relaxed: the fence below orders these stores before the
		 * word loads; only we write these flags while gw[0]'s is ours
		 * (the last holder cleared them before its release of it). */
		lab_store(&gw[k].huge, 1, LAB_RELAXED);
	LAB_RACE_POINT();
	/* The huge claimer's half of the Dekker pairing: every flag store
	 * above is ordered before every word load below. */
	lab_fence_seq_cst();
	LAB_RACE_POINT();
	for (k = 0; k < LABYRINTH_MAP_HUGE_WORDS; k++)
		/* SEQ_CST: ordered after the fence against claimers' SEQ_CST
		 * RMWs (see the file comment). */
		if (lab_load(&gw[k].bits, LAB_SEQ_CST) != ~UINT64_C(0))
			break;
	if (likely(k == LABYRINTH_MAP_HUGE_WORDS))
		return true;
	/* A claimer got there first: back off. Relaxed: we wrote nothing to
	 * the pages; the release store of the first flag orders these
	 * clears before the next huge claimer's CAS of it. A claimer that
	 * reads one of these zeros still sees the last holder's page writes:
	 * they happen-before our CAS (acquire), and the SEQ_CST fence above,
	 * a release fence too, synchronises with its acquiring flag load. */
	for (k = 1; k < LABYRINTH_MAP_HUGE_WORDS; k++)
		lab_store(&gw[k].huge, 0, LAB_RELAXED);
	/* Release: see above. */
	lab_store(&gw[0].huge, 0, LAB_RELEASE);
	return false;
}

/* Relaxed peeks: whether words [w, w + nw) look free for a block. */
static inline bool
peek_words_free(const struct labyrinth_map *m, uint32_t w, uint32_t nw)
{
	uint32_t k;

	for (k = 0; k < nw; k++)
		/* Relaxed: a peek; the claim's RMW decides. */
		if (lab_load(&m->words[w + k].bits, LAB_RELAXED) !=
				~UINT64_C(0) ||
				labyrinth_map_peek_huge(&m->words[w + k]))
			return false;
	return true;
}

int64_t
labyrinth_map_take_block(struct labyrinth_map *m, uint32_t *hint,
		unsigned int order, int64_t floor)
{
	uint32_t n = UINT32_C(1) << order;
	uint32_t steps, w, nw, g, k, nb_groups, max_steps;

	if (order <= 6) {
		uint64_t len_mask = order == 6 ? ~UINT64_C(0) :
			(UINT64_C(1) << n) - 1;

		w = *hint < m->nb_words ? *hint : 0;
		max_steps = 2 * m->nb_words + 8;
		for (steps = 0; steps < max_steps; steps++) {
			struct labyrinth_map_word *mw = &m->words[w];
			/* Relaxed peek; the CAS acquires. */
			uint64_t bits = lab_load(&mw->bits, LAB_RELAXED);
			uint64_t starts = labyrinth_map_peek_huge(mw) ? 0 :
				block_starts(bits, order);
			uint64_t mask;

			if (starts == 0) {
				w = (w + 1 == m->nb_words) ? 0 : w + 1;
				continue;
			}
			/* Budget only now, for a block we saw: a failing
			 * search holds none while it scans. */
			if (labyrinth_map_reserve(m, n, floor) != 0)
				return -1;
			mask = len_mask << __builtin_ctzll(starts);
			/* One CAS claims the block. Acquire (in SEQ_CST) pairs
			 * with the puts that freed its bits, SEQ_CST for the
			 * huge check; relaxed failure: the budget goes back at
			 * once and we retry (bounded by max_steps). */
			if (lab_cas(&mw->bits, &bits, bits & ~mask, LAB_SEQ_CST,
					LAB_RELAXED)) {
				if (likely(!labyrinth_map_undo_if_huge(mw,
						mask))) {
					*hint = w;
					return (int64_t)w *
						LABYRINTH_MAP_WORD_BITS +
						__builtin_ctzll(starts);
				}
				w = (w + 1 == m->nb_words) ? 0 : w + 1;
			}
			labyrinth_map_unreserve(m, n);
		}
		return -1;
	}

	/* Whole words: 2^(order-6) of them, aligned. */
	nw = 1u << (order - 6);
	nb_groups = m->nb_words / nw;
	if (nb_groups == 0)
		return -1;
	g = (*hint / nw) % nb_groups;
	for (steps = 0; steps < 2 * nb_groups; steps++) {
		if (peek_words_free(m, g * nw, nw)) {
			/* As above: budget only for a block we saw. */
			if (labyrinth_map_reserve(m, n, floor) != 0)
				return -1;
			if (order == LABYRINTH_MAP_HUGE_ORDER) {
				if (take_huge(&m->words[g * nw])) {
					*hint = g * nw;
					return (int64_t)g * nw *
						LABYRINTH_MAP_WORD_BITS;
				}
				labyrinth_map_unreserve(m, n);
				g = (g + 1 == nb_groups) ? 0 : g + 1;
				continue;
			}
			for (k = 0; k < nw; k++) {
				struct labyrinth_map_word *mw =
					&m->words[g * nw + k];
				uint64_t full = ~UINT64_C(0);

				/* Claim the whole word. Acquire (in SEQ_CST)
				 * pairs with the puts, SEQ_CST for the huge
				 * check; relaxed failure: we roll back below. */
				if (!lab_cas(&mw->bits, &full, 0, LAB_SEQ_CST,
						LAB_RELAXED))
					break;
				if (unlikely(labyrinth_map_undo_if_huge(mw,
						~UINT64_C(0))))
					break;
			}
			if (k == nw) {
				*hint = g * nw;
				return (int64_t)g * nw * LABYRINTH_MAP_WORD_BITS;
			}
			/* Contention: give back the words already taken. Release
			 * pairs with the next claimer, as any put; we wrote
			 * nothing to those pages, so nothing else is published. */
			while (k-- > 0)
				lab_fetch_or(&m->words[g * nw + k].bits, ~UINT64_C(0),
						LAB_RELEASE);
			labyrinth_map_unreserve(m, n);
		}
		g = (g + 1 == nb_groups) ? 0 : g + 1;
	}
	return -1;
}

uint32_t
labyrinth_map_put_block(struct labyrinth_map *m, uint32_t first,
		unsigned int order)
{
	uint32_t w, k, newly = 0;

	if (order <= 6) {
		uint64_t len_mask = order == 6 ? ~UINT64_C(0) :
			(UINT64_C(1) << (1u << order)) - 1;
		uint64_t mask = len_mask << (first % LABYRINTH_MAP_WORD_BITS);
		/* Release: pairs with the next claimer's acquire. */
		uint64_t old = lab_fetch_or(
			&m->words[first / LABYRINTH_MAP_WORD_BITS].bits, mask,
			LAB_RELEASE);

		return (uint32_t)__builtin_popcountll(mask & ~old);
	}
	/*
	 * Whole words, each all clear while the block is held: nobody else
	 * changes such a word (a claimer's CAS expects set bits, its
	 * exchange of an empty word writes the 0 it read, and no other
	 * item of the word can be put), so a plain store of all ones sets
	 * it, no locked instruction. The caller's single-shot CAS on the
	 * block's owner record (lab_free_block(), the reclaim) is what makes
	 * this put the block's only one. A word found not clear (a bug, or
	 * a corrupted map) takes the atomic OR, which counts it exactly.
	 */
	w = first / LABYRINTH_MAP_WORD_BITS;
	if (order == LABYRINTH_MAP_HUGE_ORDER) {
		/* Relaxed: our own flag; a group whose first flag is clear is
		 * not held (a bug, or a corrupted map): nothing to set. */
		if (unlikely(lab_load(&m->words[w].huge, LAB_RELAXED) == 0))
			return 0;
		/* Release: the holder's writes to the pages happen-before the
		 * claimer that reads a cleared flag (labyrinth_map_undo_if_huge()).
		 * The first word's flag last: while it is set no huge claimer
		 * can take the group and store the others. */
		for (k = 1; k < LABYRINTH_MAP_HUGE_WORDS; k++)
			lab_store(&m->words[w + k].huge, 0, LAB_RELEASE);
		/* Release: as above, and pairs with the next huge claimer's
		 * CAS of it. */
		lab_store(&m->words[w].huge, 0, LAB_RELEASE);
		return UINT32_C(1) << order;
	}
	for (k = 0; k < (1u << (order - 6)); k++) {
		uint64_t *word = &m->words[w + k].bits;

		/* Relaxed: our own block's word, see above. */
		if (likely(lab_load(word, LAB_RELAXED) == 0)) {
			/* Release: the holder's writes to the pages
			 * happen-before the next claimer's acquire CAS or
			 * exchange that reads this value. */
			lab_store(word, ~UINT64_C(0), LAB_RELEASE);
			newly += LABYRINTH_MAP_WORD_BITS;
		} else {
			/* Release: as any put. */
			uint64_t old = lab_fetch_or(word, ~UINT64_C(0),
					LAB_RELEASE);

			newly += (uint32_t)__builtin_popcountll(~old);
		}
	}
	return newly;
}

uint32_t
labyrinth_map_count_bits(const struct labyrinth_map *m)
{
	uint32_t w, n = 0;

	for (w = 0; w < m->nb_words; w++)
		/* Relaxed: a statistic; exact only when quiet, as documented.
		 * A word of a huge block holds no free bit. */
		if (!labyrinth_map_peek_huge(&m->words[w]))
			n += (uint32_t)__builtin_popcountll(
				lab_load(&m->words[w].bits, LAB_RELAXED));
	return n;
}

bool
labyrinth_map_test(const struct labyrinth_map *m, uint32_t i)
{
	if (i >= m->nb_bits)
		return false;
	/* Relaxed: a snapshot for audits and owner queries. A word of a huge
	 * block holds no free bit. */
	if (labyrinth_map_peek_huge(&m->words[i / LABYRINTH_MAP_WORD_BITS]))
		return false;
	return (lab_load(&m->words[i / LABYRINTH_MAP_WORD_BITS].bits,
			LAB_RELAXED) >> (i % LABYRINTH_MAP_WORD_BITS)) & 1;
}
