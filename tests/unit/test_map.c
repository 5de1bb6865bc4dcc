/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The map's huge blocks (order LABYRINTH_MAP_HUGE_ORDER, held by a flag in
 * each word of their group, their bits left set) against every other kind
 * of claimer, racing: plain pthreads, more of them than CPUs, so that a
 * claimer is preempted between taking bits and checking the flag, and the
 * huge claimer between its flag stores and its word loads. The claimers:
 * labyrinth_map_claim() of 1 to 8 items, labyrinth_map_claim_at() of one,
 * labyrinth_map_claim_bit() of one given item, and blocks of every order.
 * Every item a thread gets is marked in a shadow table with an atomic
 * exchange: an item already marked is one that two threads hold at once.
 * Then, sequentially:
 * a held huge group is skipped by every claimer and counted as held.
 */

#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_cycles.h>

#include "labyrinth_priv.h"
#include "unit_common.h"

#define NB_ITEMS 1024u          /* two huge groups */
#define NB_THREADS 6u           /* on 2 CPUs */
#define OPS_PER_THREAD 200000u

static struct labyrinth_map map;
static uint8_t shadow[NB_ITEMS];
static uint64_t violations;
static uint32_t start_flag;

struct racer {
	unsigned int id;
	uint64_t rng;
	uint64_t huge_ok, words_ok, small_ok, claims_ok;
};

static uint32_t
rnd(struct racer *r)
{
	/* xorshift64 */
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return (uint32_t)(r->rng >> 16);
}

/* Mark items [first, first + n) ours; count each already held. */
static void
mark(const uint32_t *idx, uint32_t first, uint32_t n, uint8_t who)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint32_t k = idx != NULL ? idx[i] : first + i;

		/* Relaxed: the exchange itself detects a second holder. */
		if (__atomic_exchange_n(&shadow[k], who, __ATOMIC_RELAXED) != 0)
			__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	}
}

static void
unmark(const uint32_t *idx, uint32_t first, uint32_t n)
{
	static _Thread_local unsigned int holds;
	uint32_t i;

	/* Hold the items a while now and then (a yield), so that a second
	 * holder has time to show. */
	if (++holds % 4 == 0)
		sched_yield();

	for (i = 0; i < n; i++)
		/* Relaxed: ordered before the put's release by program order
		 * on this thread, which is all a test shadow needs. */
		__atomic_store_n(&shadow[idx != NULL ? idx[i] : first + i], 0,
			__ATOMIC_RELAXED);
}

static void *
racer_main(void *arg)
{
	struct racer *r = arg;
	uint32_t idx[64], hint = r->id * 3, op, got, n;
	int64_t first;

	/* Acquire: the main thread initialised the map before the flag. */
	while (__atomic_load_n(&start_flag, __ATOMIC_ACQUIRE) == 0)
		;
	for (op = 0; op < OPS_PER_THREAD; op++) {
		unsigned int kind = rnd(r) % 8, order;

		hint = rnd(r) % (NB_ITEMS / 64);
		if (kind == 0 || kind == 1) {
			/* a huge block */
			order = LABYRINTH_MAP_HUGE_ORDER;
		} else if (kind == 2) {
			/* whole words (orders 7, 8) */
			order = 7 + rnd(r) % 2;
		} else if (kind == 3) {
			/* a block within a word */
			order = rnd(r) % 7;
		} else if (kind == 4) {
			/* one item at the hint word (the cache-less grab), or
			 * one given item of it (its grab of the page it put
			 * last, labyrinth_map_claim_bit()) */
			bool one = rnd(r) % 2 == 0;

			if (labyrinth_map_reserve(&map, 1, 0) != 0)
				continue;
			idx[0] = hint * 64 + (uint32_t)(rnd(r) % 64);
			if (one ? labyrinth_map_claim_bit(&map, idx[0]) != 1 :
					labyrinth_map_claim_at(&map, hint,
						idx) != 1) {
				labyrinth_map_unreserve(&map, 1);
				continue;
			}
			r->claims_ok++;
			mark(idx, 0, 1, (uint8_t)(r->id + 1));
			unmark(idx, 0, 1);
			labyrinth_map_give(&map, idx, 1);
			continue;
		} else {
			/* single items: a claim of 1 to 8 */
			n = 1 + rnd(r) % 8;
			got = labyrinth_map_reserve_upto(&map, n, 0);
			if (got == 0)
				continue;
			n = got;
			got = labyrinth_map_claim(&map, &hint, idx, n);
			if (got < n)
				labyrinth_map_unreserve(&map, n - got);
			if (got == 0)
				continue;
			r->claims_ok++;
			mark(idx, 0, got, (uint8_t)(r->id + 1));
			unmark(idx, 0, got);
			labyrinth_map_give(&map, idx, got);
			continue;
		}
		first = labyrinth_map_take_block(&map, &hint, order, 0);
		if (first < 0)
			continue;
		n = UINT32_C(1) << order;
		if (order == LABYRINTH_MAP_HUGE_ORDER)
			r->huge_ok++;
		else if (order > LABYRINTH_MAP_WORD_ORDER)
			r->words_ok++;
		else
			r->small_ok++;
		mark(NULL, (uint32_t)first, n, (uint8_t)(r->id + 1));
		unmark(NULL, (uint32_t)first, n);
		if (labyrinth_map_give_block(&map, (uint32_t)first, order) != n)
			/* Relaxed: a count. */
			__atomic_fetch_add(&violations, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static int
test_huge_race(void)
{
	struct labyrinth_map_word *w;
	struct racer r[NB_THREADS];
	pthread_t t[NB_THREADS];
	uint64_t huge = 0, words = 0, small = 0, claims = 0;
	unsigned int i;

	w = aligned_alloc(RTE_CACHE_LINE_SIZE,
		labyrinth_map_words_size(NB_ITEMS));
	LT_ASSERT(w != NULL, "");
	labyrinth_map_init(&map, w, NB_ITEMS, true);
	start_flag = 0;
	violations = 0;
	for (i = 0; i < NB_THREADS; i++) {
		r[i] = (struct racer){ .id = i,
			.rng = UINT64_C(0x9e3779b97f4a7c15) * (i + 1) };
		LT_ASSERT_EQ(pthread_create(&t[i], NULL, racer_main, &r[i]), 0,
			"");
	}
	/* Release: the map is initialised. */
	__atomic_store_n(&start_flag, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NB_THREADS; i++) {
		LT_ASSERT_EQ(pthread_join(t[i], NULL), 0, "");
		huge += r[i].huge_ok;
		words += r[i].words_ok;
		small += r[i].small_ok;
		claims += r[i].claims_ok;
	}
	printf("huge blocks %" PRIu64 ", word blocks %" PRIu64
		", small blocks %" PRIu64 ", claims %" PRIu64
		", items held twice %" PRIu64 "\n",
		huge, words, small, claims, violations);
	LT_ASSERT_EQ(violations, 0, "an item held by two threads at once");
	/* Every kind must have run often, or the race was not tried. */
	LT_ASSERT(huge > 1000 && words > 1000 && small > 1000 &&
		claims > 10000, "too few successful claims of some kind");
	LT_ASSERT_EQ(labyrinth_map_avail(&map), NB_ITEMS, "budget back");
	LT_ASSERT_EQ(labyrinth_map_count_bits(&map), NB_ITEMS, "bits back");
	for (i = 0; i < NB_ITEMS / 64; i++)
		LT_ASSERT_EQ(w[i].huge, 0, "word %u flag cleared", i);
	free(w);
	return 0;
}

/*
 * Sequentially: a held huge group is invisible to every claimer (its bits
 * stay set), counted as held, and comes back whole; a second put of it
 * changes nothing.
 */
static int
test_huge_held(void)
{
	struct labyrinth_map_word *w;
	uint32_t idx[NB_ITEMS], hint = 0, got, i;
	int64_t first, second, b8;

	w = aligned_alloc(RTE_CACHE_LINE_SIZE,
		labyrinth_map_words_size(NB_ITEMS));
	LT_ASSERT(w != NULL, "");
	labyrinth_map_init(&map, w, NB_ITEMS, true);
	first = labyrinth_map_take_block(&map, &hint, LABYRINTH_MAP_HUGE_ORDER,
		0);
	LT_ASSERT(first == 0 || first == 512, "first %" PRId64, first);
	for (i = 0; i < 8; i++) {
		LT_ASSERT_EQ(w[first / 64 + i].bits, ~UINT64_C(0),
			"bits stay set");
		LT_ASSERT(w[first / 64 + i].huge != 0, "flag set");
	}
	LT_ASSERT_EQ(labyrinth_map_count_bits(&map), 512, "held: not free");
	LT_ASSERT(!labyrinth_map_test(&map, (uint32_t)first + 5), "");
	LT_ASSERT_EQ(labyrinth_map_avail(&map), 512, "");
	/* the other group, then nothing */
	second = labyrinth_map_take_block(&map, &hint,
		LABYRINTH_MAP_HUGE_ORDER, 0);
	LT_ASSERT_EQ(second, 512 - first, "the other group");
	LT_ASSERT_EQ(labyrinth_map_take_block(&map, &hint,
		LABYRINTH_MAP_HUGE_ORDER, 0), -1, "");
	LT_ASSERT_EQ(labyrinth_map_give_block(&map, (uint32_t)second,
		LABYRINTH_MAP_HUGE_ORDER), 512, "");
	/* claimers of every kind find only the second group's items */
	for (i = 0; i < 64; i++) {
		int64_t b = labyrinth_map_take_block(&map, &hint, 0, 0);

		LT_ASSERT(b >= second && b < second + 512, "order 0 at %" PRId64,
			b);
		idx[i] = (uint32_t)b;
	}
	labyrinth_map_give(&map, idx, 64);
	hint = (uint32_t)first / 64;
	LT_ASSERT_EQ(labyrinth_map_reserve(&map, 512, 0), 0, "");
	got = labyrinth_map_claim(&map, &hint, idx, 512);
	LT_ASSERT_EQ(got, 512, "");
	for (i = 0; i < got; i++)
		LT_ASSERT(idx[i] >= second && idx[i] < second + 512,
			"claimed %u", idx[i]);
	labyrinth_map_give(&map, idx, got);
	hint = (uint32_t)first / 64;
	b8 = labyrinth_map_take_block(&map, &hint, 8, 0);
	LT_ASSERT(b8 >= second && b8 < second + 512, "order 8 at %" PRId64,
		b8);
	LT_ASSERT_EQ(labyrinth_map_give_block(&map, (uint32_t)b8, 8), 256, "");
	LT_ASSERT_EQ(labyrinth_map_count_bits(&map), 512, "");
	/* back whole, once */
	LT_ASSERT_EQ(labyrinth_map_give_block(&map, (uint32_t)first,
		LABYRINTH_MAP_HUGE_ORDER), 512, "");
	LT_ASSERT_EQ(labyrinth_map_give_block(&map, (uint32_t)first,
		LABYRINTH_MAP_HUGE_ORDER), 0, "a second put changes nothing");
	LT_ASSERT_EQ(labyrinth_map_count_bits(&map), NB_ITEMS, "");
	LT_ASSERT_EQ(labyrinth_map_avail(&map), NB_ITEMS, "");
	free(w);
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_huge_held, failures);
	LT_RUN(test_huge_race, failures);

	rte_eal_cleanup();
	printf("%d failed\n", failures);
	return failures == 0 ? 0 : 1;
}
