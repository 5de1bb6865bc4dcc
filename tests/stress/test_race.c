/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Racing double frees in a LABYRINTH_F_STRICT labyrinth: the lcores work in
 * pairs; in each round the pair's first lcore grabs a page, both free it at
 * a common start signal, and exactly one free must return 0 (the other
 * -EALREADY), never both, never neither. Once both returned, the round's
 * page is grabbed again and freed by the pair's first lcore (from its
 * cache: the same page, the same owner, usually the same tick of the
 * coarse clock), so that consecutive rounds race on new incarnations of
 * few pages. Run oversubscribed (8 lcores on 2 CPUs) so that a free is
 * preempted between reading and swapping the owner record.
 *
 * Application arguments (after EAL's, separated by --):
 *   --rounds N   rounds in all, shared by the pairs (default 100000)
 *   --cache N    per-lcore cache size (default 64)
 *   --flags N    creation flags (default LABYRINTH_F_STRICT)
 *   --order N    race on blocks of 2^N pages (default 0: single pages);
 *                orders above 6 (whole map words) are arbitrated in
 *                default pools too, so `--flags 0 --order 9` must give
 *                exactly one winner as well
 */

#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "labyrinth.h"
#include "labyrinth_test.h"

#define SPINS_BEFORE_YIELD 64

/* One pair of lcores. */
struct pair {
	void *page;                 /* the page of this round */
	uint32_t go;                /* round the two may free in */
	uint32_t done;              /* frees done in this round (0..2) */
	int ret[2];                 /* the two frees' results */
	uint64_t violations;
	uint64_t rounds;
} __rte_cache_aligned;

static struct labyrinth *lab;
static struct pair pairs[RTE_MAX_LCORE / 2];
static unsigned int rounds_per_pair = 25000;
static uint32_t cache_size = 64;
static uint32_t flags = LABYRINTH_F_STRICT;
static unsigned int order;
static unsigned int lcore_rank[RTE_MAX_LCORE];

/*
 * Wait until *p reaches v. Acquire: pairs with the release store or add
 * that moved it, so the page pointer and results written before it are
 * visible. Yields now and then: on 2 CPUs the partner may not be running.
 */
static void
wait_for(uint32_t *p, uint32_t v)
{
	unsigned int spins = 0;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < v) {
		if (++spins % SPINS_BEFORE_YIELD == 0)
			sched_yield();
		else
			rte_pause();
	}
}

/* A grab and a free of the test's order. */
static void *
grab(void)
{
	return order == 0 ? labyrinth_alloc_page(lab, 0) :
		labyrinth_alloc_pages(lab, 0, order);
}

static int
give(void *p)
{
	return order == 0 ? labyrinth_free_page(lab, p) :
		labyrinth_free_pages(lab, p, order);
}

static int
racer(void *arg __rte_unused)
{
	unsigned int rank = lcore_rank[rte_lcore_id()];
	struct pair *pr = &pairs[rank / 2];
	unsigned int side = rank % 2, r;
	void *q;
	int ret;

	for (r = 1; r <= rounds_per_pair; r++) {
		if (side == 0) {
			pr->page = grab();
			if (pr->page == NULL) {
				printf("lcore %u: grab failed in round %u\n",
					rte_lcore_id(), r);
				pr->violations++;
			}
			/* Release: publishes page to the partner's acquire. */
			__atomic_store_n(&pr->done, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&pr->go, 2 * r - 1, __ATOMIC_RELEASE);
		} else {
			wait_for(&pr->go, 2 * r - 1);
		}
		/* Common start: both frees as close together as possible. */
		ret = give(pr->page);
		pr->ret[side] = ret;
		/* Release: our result is visible to the checker. */
		__atomic_fetch_add(&pr->done, 1, __ATOMIC_RELEASE);
		if (side == 0) {
			wait_for(&pr->done, 2);
			if ((pr->ret[0] == 0) == (pr->ret[1] == 0) ||
					(pr->ret[0] != 0 &&
					 pr->ret[0] != -EALREADY) ||
					(pr->ret[1] != 0 &&
					 pr->ret[1] != -EALREADY)) {
				if (pr->violations < 10)
					printf("round %u of pair %u: frees "
						"returned %d and %d\n", r,
						rank / 2, pr->ret[0],
						pr->ret[1]);
				pr->violations++;
			}
			/* A new incarnation of the page, held and freed
			 * once: a late free of the round must not hit it. */
			q = grab();
			if (q == NULL || give(q) != 0) {
				printf("round %u of pair %u: regrab or free "
					"failed\n", r, rank / 2);
				pr->violations++;
			}
			pr->rounds++;
			/* Release: the next round starts after this one. */
			__atomic_store_n(&pr->go, 2 * r, __ATOMIC_RELEASE);
		} else {
			wait_for(&pr->go, 2 * r);
		}
	}
	labyrinth_cache_flush(lab);
	return 0;
}

static int
parse_args(int argc, char **argv, unsigned int nb_pairs)
{
	static const struct option longopts[] = {
		{ "rounds", required_argument, NULL, 'r' },
		{ "cache", required_argument, NULL, 'c' },
		{ "flags", required_argument, NULL, 'f' },
		{ "order", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long total = 100000;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			total = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cache_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'f':
			flags = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'o':
			order = (unsigned int)strtoul(optarg, NULL, 0);
			if (order > LABYRINTH_MAX_ORDER)
				return -1;
			break;
		default:
			return -1;
		}
	}
	rounds_per_pair = (unsigned int)((total + nb_pairs - 1) / nb_pairs);
	return 0;
}

int
main(int argc, char **argv)
{
	struct labyrinth_conf conf = {
		.name = "race",
		.socket_id = SOCKET_ID_ANY,
		.page_size = 4096,
		.nb_pages = 4096,
	};
	unsigned int lc, n = 0, nb_pairs, p;
	uint64_t violations = 0, rounds = 0;
	int ret;

	ret = lt_eal_init(argc, argv);
	argc -= ret;
	argv += ret;
	RTE_LCORE_FOREACH(lc)
		lcore_rank[lc] = n++;
	if (n < 2) {
		printf("needs at least 2 lcores\n");
		return LT_SKIP;
	}
	nb_pairs = n / 2;
	if (parse_args(argc, argv, nb_pairs) != 0) {
		printf("bad arguments\n");
		return 1;
	}
	conf.cache_size = cache_size;
	conf.flags = flags;
	lab = labyrinth_create(&conf);
	if (lab == NULL) {
		printf("labyrinth_create: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	printf("%u pairs, %u rounds each, cache %u, flags %#x, order %u\n",
		nb_pairs, rounds_per_pair, cache_size, flags, order);
	/* An odd lcore out (odd count) races with nobody: it sits out. */
	RTE_LCORE_FOREACH_WORKER(lc)
		if (lcore_rank[lc] < 2 * nb_pairs)
			rte_eal_remote_launch(racer, NULL, lc);
	racer(NULL);
	rte_eal_mp_wait_lcore();
	for (p = 0; p < nb_pairs; p++) {
		violations += pairs[p].violations;
		rounds += pairs[p].rounds;
	}
	printf("%" PRIu64 " rounds, %" PRIu64 " violations\n", rounds,
		violations);
	if (labyrinth_free_count(lab) != conf.nb_pages) {
		printf("free count %u != %u after the race\n",
			labyrinth_free_count(lab), conf.nb_pages);
		violations++;
	}
	if (labyrinth_audit(lab) != 0) {
		printf("audit failed\n");
		violations++;
	}
	if (violations == 0 && labyrinth_destroy(lab) != 0) {
		printf("destroy failed\n");
		violations++;
	}
	rte_eal_cleanup();
	return violations == 0 && rounds == (uint64_t)nb_pairs *
		rounds_per_pair ? 0 : 1;
}
