/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth-soak: a long run of mixed grabs and frees on every lcore, with
 * remote frees, periodic audits and a check of every page on free.
 *
 * Each lcore holds up to --hold blocks (orders 0..3, mostly 0; a few
 * GFP_ATOMIC grabs). Every block carries a stamp (owner lcore, order,
 * sequence) at its start and end, checked when it is freed. A quarter of
 * single pages are handed to another lcore through its inbox ring, and
 * freed there (remote free). Every --audit-every operations all lcores
 * stop at a barrier, the main lcore checks free + held + in flight ==
 * total and labyrinth_audit() == 0, and all resume.
 *
 * Usage: labyrinth-soak [EAL options] -- [--ops N] [--seconds S]
 *        [--audit-every N] [--pages N] [--page-size N] [--cache N]
 *        [--hold N]
 * e.g. labyrinth-soak --lcores '(0-7)@(0,1)' -- --ops 100000000
 * The last line is "soak: PASS ..." or "soak: FAIL ..."; exit status 0 or 1.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "labyrinth.h"

#define SOAK_MAX_HOLD 1024u
#define INBOX_SIZE 1024u
#define STAMP_MAGIC UINT64_C(0x50414b534f414b21)

/* Options. */
static uint64_t opt_ops = 100000000;
static double opt_seconds;          /* 0: no limit */
static uint64_t opt_audit_every = 1000000;
static uint32_t opt_pages = 8192;
static uint32_t opt_page_size = 4096;
static uint32_t opt_cache = 64;
static uint32_t opt_hold = 128;

/* Stamp at the start of every held block. */
struct stamp {
	uint32_t lcore;
	uint32_t order;
	uint64_t seq;
};

struct held {
	char *p;
	unsigned int order;
};

/* Per-lcore state: written by its lcore only, read by main at barriers. */
struct soak_lcore {
	struct rte_ring *inbox;      /* pages other lcores hand us */
	struct held held[SOAK_MAX_HOLD];
	uint32_t nb_held;
	uint64_t held_pages;
	uint64_t rng;
	uint64_t seq;
	uint64_t ops;                /* grabs + frees done */
	uint64_t grab_fails;
	uint64_t remote_frees;       /* pages from the inbox freed */
	uint64_t breaches;
} __rte_cache_aligned;

static struct soak_lcore state[RTE_MAX_LCORE];
static unsigned int lcore_list[RTE_MAX_LCORE];
static unsigned int nb_lcores;
static struct labyrinth *lab;
static uint64_t ops_per_round;      /* per lcore */

/* Barrier: count of arrivals and a generation. */
static uint32_t bar_count;
static uint32_t bar_gen;
static uint32_t stop;               /* main: no more rounds */

static void
barrier(void)
{
	/* Relaxed: only compared with the generation we read it at; the
	 * acquire below is what orders the data. */
	uint32_t gen = __atomic_load_n(&bar_gen, __ATOMIC_RELAXED);

	/* Acq-rel: our writes (held arrays, counters) happen-before whoever
	 * arrives last, and that last arrival sees everybody's. */
	if (__atomic_add_fetch(&bar_count, 1, __ATOMIC_ACQ_REL) == nb_lcores) {
		/* Relaxed: reset before the release below publishes it. */
		__atomic_store_n(&bar_count, 0, __ATOMIC_RELAXED);
		/* Release: pairs with the waiters' acquire load; they then see
		 * every lcore's writes before the barrier. */
		__atomic_store_n(&bar_gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	/* Acquire: pairs with the last arrival's release store. Lcores may
	 * outnumber CPUs (--lcores '(0-7)@(0,1)'): yield while waiting. */
	while (__atomic_load_n(&bar_gen, __ATOMIC_ACQUIRE) == gen) {
		rte_pause();
		sched_yield();
	}
}

static inline uint64_t
rnd(struct soak_lcore *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * UINT64_C(2685821657736338717);
}

static inline size_t
block_len(unsigned int order)
{
	return (size_t)opt_page_size << order;
}

static void
stamp_block(struct soak_lcore *s, unsigned int lcore, char *p,
		unsigned int order)
{
	struct stamp st = { .lcore = lcore, .order = order, .seq = ++s->seq };
	uint64_t tail = st.seq ^ STAMP_MAGIC;

	memcpy(p, &st, sizeof(st));
	memcpy(p + block_len(order) - sizeof(tail), &tail, sizeof(tail));
}

/* Check a block's stamp before freeing it; count a breach if wrong. */
static void
check_block(struct soak_lcore *s, const char *p, unsigned int order,
		unsigned int owner)
{
	struct stamp st;
	uint64_t tail;
	int who = labyrinth_page_owner(lab, p);

	memcpy(&st, p, sizeof(st));
	memcpy(&tail, p + block_len(order) - sizeof(tail), sizeof(tail));
	if (st.lcore != owner || st.order != order ||
			tail != (st.seq ^ STAMP_MAGIC) || who != (int)owner) {
		s->breaches++;
		printf("BREACH: block %p order %u: stamp lcore %u order %u seq "
			"%" PRIu64 " tail %#" PRIx64 ", library owner %d, want "
			"lcore %u\n", p, order, st.lcore, st.order, st.seq, tail,
			who, owner);
	}
}

static void
free_block(struct soak_lcore *s, char *p, unsigned int order)
{
	int ret = labyrinth_free_pages(lab, p, order);

	if (ret != 0) {
		s->breaches++;
		printf("BREACH: free of %p order %u returned %d\n", p, order,
			ret);
	}
	s->ops++;
}

/* Free the pages other lcores sent us. */
static void
drain_inbox(struct soak_lcore *s)
{
	void *v[32];
	unsigned int n, i;

	while ((n = rte_ring_dequeue_burst(s->inbox, v, RTE_DIM(v),
			NULL)) > 0)
		for (i = 0; i < n; i++) {
			struct stamp st;

			memcpy(&st, v[i], sizeof(st));
			check_block(s, v[i], 0, st.lcore);
			free_block(s, v[i], 0);
			s->remote_frees++;
		}
}

/*
 * End of a run, on every lcore: free our own blocks, then, once nobody
 * sends any more (barrier), drain the inbox.
 */
static void
give_back(struct soak_lcore *s, unsigned int lcore)
{
	while (s->nb_held > 0) {
		struct held h = s->held[--s->nb_held];

		s->held_pages -= UINT64_C(1) << h.order;
		check_block(s, h.p, h.order, lcore);
		free_block(s, h.p, h.order);
	}
	barrier();
	drain_inbox(s);
	barrier();
}

/* One operation: a grab, or a free (local or handed to another lcore). */
static void
one_op(struct soak_lcore *s, unsigned int lcore)
{
	uint64_t r = rnd(s);

	if (s->nb_held == 0 || (s->nb_held < opt_hold && (r & 1))) {
		unsigned int order = (r >> 8) % 4 == 0 ? 1 + (r >> 16) % 3 : 0;
		unsigned int gfp = (r >> 24) % 16 == 0 ?
			LABYRINTH_GFP_ATOMIC : LABYRINTH_GFP_NORMAL;
		char *p = labyrinth_alloc_pages(lab, gfp, order);

		s->ops++;
		if (p == NULL) {
			s->grab_fails++;
			return;
		}
		stamp_block(s, lcore, p, order);
		s->held[s->nb_held].p = p;
		s->held[s->nb_held].order = order;
		s->nb_held++;
		s->held_pages += UINT64_C(1) << order;
		return;
	} else {
		uint32_t i = (uint32_t)((r >> 8) % s->nb_held);
		struct held h = s->held[i];

		s->held[i] = s->held[--s->nb_held];
		s->held_pages -= UINT64_C(1) << h.order;
		check_block(s, h.p, h.order, lcore);
		if (h.order == 0 && nb_lcores > 1 && (r >> 40) % 4 == 0) {
			unsigned int to = lcore_list[(r >> 44) % nb_lcores];

			if (to != lcore &&
					rte_ring_enqueue(state[to].inbox, h.p) == 0)
				return; /* the receiver counts the free */
		}
		free_block(s, h.p, h.order);
	}
}

static int
worker(void *arg)
{
	unsigned int lcore = rte_lcore_id();
	struct soak_lcore *s = &state[lcore];
	uint64_t i;

	RTE_SET_USED(arg);
	for (;;) {
		for (i = 0; i < ops_per_round; i++) {
			one_op(s, lcore);
			if ((i & 31) == 0)
				drain_inbox(s);
		}
		barrier();      /* everyone quiet: main audits */
		barrier();      /* main done */
		/* Acquire: pairs with main's release store of stop, though the
		 * barrier already ordered it. */
		if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
			break;
	}
	give_back(s, lcore);
	return 0;
}

struct walk_count {
	uint64_t pages;
};

static void
count_held(const struct labyrinth_held_info *info, void *arg)
{
	((struct walk_count *)arg)->pages += UINT64_C(1) << info->order;
}

/* At a barrier: every lcore is quiet. Returns the number of breaches. */
static uint64_t
audit(void)
{
	uint64_t held = 0, inflight = 0, free_pages, breaches = 0;
	struct walk_count wc = { 0 };
	unsigned int i;
	int ret;

	for (i = 0; i < nb_lcores; i++) {
		held += state[lcore_list[i]].held_pages;
		inflight += rte_ring_count(state[lcore_list[i]].inbox);
	}
	free_pages = labyrinth_free_count(lab);
	if (free_pages + held + inflight != opt_pages) {
		printf("BREACH: free %" PRIu64 " + held %" PRIu64 " + in flight %"
			PRIu64 " != %u pages\n", free_pages, held, inflight,
			opt_pages);
		breaches++;
	}
	ret = labyrinth_held_walk(lab, 0, count_held, &wc);
	if (ret < 0 || wc.pages != held + inflight) {
		printf("BREACH: held walk: %" PRIu64 " pages, want %" PRIu64 "\n",
			wc.pages, held + inflight);
		breaches++;
	}
	ret = labyrinth_audit(lab);
	if (ret != 0) {
		printf("BREACH: labyrinth_audit() = %d\n", ret);
		breaches++;
	}
	return breaches;
}

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [--ops N] [--seconds S] "
		"[--audit-every N] [--pages N] [--page-size N] [--cache N] "
		"[--hold N]\n"
		"  --ops N          grabs + frees over all lcores (default %" PRIu64 ")\n"
		"  --seconds S      stop at the first audit after S seconds\n"
		"  --audit-every N  operations between audits (default %" PRIu64 ")\n"
		"  --pages N        pages in the labyrinth (default %u)\n"
		"  --page-size N    bytes a page (default %u)\n"
		"  --cache N        per-lcore cache (default %u)\n"
		"  --hold N         blocks each lcore holds at most (default %u, "
		"max %u)\n", prog, opt_ops, opt_audit_every, opt_pages,
		opt_page_size, opt_cache, opt_hold, SOAK_MAX_HOLD);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ops", required_argument, NULL, 'o' },
		{ "seconds", required_argument, NULL, 's' },
		{ "audit-every", required_argument, NULL, 'a' },
		{ "pages", required_argument, NULL, 'p' },
		{ "page-size", required_argument, NULL, 'z' },
		{ "cache", required_argument, NULL, 'c' },
		{ "hold", required_argument, NULL, 'h' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt_ops = strtoull(optarg, NULL, 0);
			break;
		case 's':
			opt_seconds = strtod(optarg, NULL);
			break;
		case 'a':
			opt_audit_every = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			opt_pages = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'z':
			opt_page_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			opt_cache = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			opt_hold = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (opt_ops == 0 || opt_audit_every == 0 || opt_hold == 0 ||
			opt_hold > SOAK_MAX_HOLD || opt_page_size < 64) {
		usage(argv[0]);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct labyrinth_conf conf = { .name = "soak" };
	uint64_t t0, t_end, hz, breaches = 0, ops = 0, fails = 0, remote = 0;
	uint64_t rounds, r, audits = 0;
	unsigned int lcore, i;
	double secs;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "rte_eal_init: %s\n",
			rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	if (parse_args(argc, argv) != 0)
		rte_exit(EXIT_FAILURE, "bad arguments\n");

	RTE_LCORE_FOREACH(lcore) {
		char name[RTE_RING_NAMESIZE];

		lcore_list[nb_lcores++] = lcore;
		snprintf(name, sizeof(name), "soak_in%u", lcore);
		/* RTS enqueue: with more lcores than CPUs, a producer
		 * preempted mid-enqueue must not stall the others (a plain MP
		 * ring makes them wait for its tail update). */
		state[lcore].inbox = rte_ring_create(name, INBOX_SIZE,
			rte_lcore_to_socket_id(lcore),
			RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
		if (state[lcore].inbox == NULL)
			rte_exit(EXIT_FAILURE, "ring: %s\n",
				rte_strerror(rte_errno));
		state[lcore].rng = UINT64_C(0x9e3779b97f4a7c15) * (lcore + 1);
	}
	conf.socket_id = SOCKET_ID_ANY;
	conf.nb_pages = opt_pages;
	conf.page_size = opt_page_size;
	conf.reserve = opt_pages / 16;
	conf.cache_size = opt_cache;
	lab = labyrinth_create(&conf);
	if (lab == NULL)
		rte_exit(EXIT_FAILURE, "labyrinth_create: %s\n",
			rte_strerror(rte_errno));
	/* pages count per zone; the soak checks zone 0 totals */
	opt_pages = labyrinth_free_count(lab);

	ops_per_round = RTE_MAX(opt_audit_every / nb_lcores, UINT64_C(1));
	rounds = (opt_ops + ops_per_round * nb_lcores - 1) /
		(ops_per_round * nb_lcores);
	printf("soak: %u lcores, %u pages of %u bytes, cache %u, hold %u, "
		"%" PRIu64 " ops in %" PRIu64 " rounds, audit every %" PRIu64
		" ops\n", nb_lcores, opt_pages, opt_page_size, opt_cache,
		opt_hold, opt_ops, rounds, ops_per_round * nb_lcores);
	fflush(stdout);

	hz = rte_get_timer_hz();
	t0 = rte_get_timer_cycles();
	rte_eal_mp_remote_launch(worker, NULL, SKIP_MAIN);
	/* 8< main lcore: one worker among the others, plus the audits */
	lcore = rte_lcore_id();
	for (r = 0; ; r++) {
		struct soak_lcore *s = &state[lcore];
		uint64_t k;

		for (k = 0; k < ops_per_round; k++) {
			one_op(s, lcore);
			if ((k & 31) == 0)
				drain_inbox(s);
		}
		barrier();
		breaches += audit();
		audits++;
		secs = (double)(rte_get_timer_cycles() - t0) / (double)hz;
		if (r + 1 >= rounds || breaches > 0 ||
				(opt_seconds > 0 && secs >= opt_seconds))
			/* Release: before the barrier that lets workers read
			 * it (the barrier orders it as well). */
			__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
		barrier();
		if (__atomic_load_n(&stop, __ATOMIC_RELAXED))
			break;
	}
	give_back(&state[lcore], lcore);
	/* >8 */
	rte_eal_mp_wait_lcore();
	t_end = rte_get_timer_cycles();
	secs = (double)(t_end - t0) / (double)hz;

	for (i = 0; i < nb_lcores; i++) {
		const struct soak_lcore *s = &state[lcore_list[i]];

		ops += s->ops;
		fails += s->grab_fails;
		remote += s->remote_frees;
		breaches += s->breaches;
	}
	breaches += audit();
	if (labyrinth_free_count(lab) != opt_pages) {
		printf("BREACH: %u of %u pages free at the end\n",
			labyrinth_free_count(lab), opt_pages);
		breaches++;
	}
	ret = labyrinth_destroy(lab);
	if (ret != 0) {
		printf("BREACH: labyrinth_destroy() = %d\n", ret);
		breaches++;
	}
	printf("soak: %s: %" PRIu64 " ops in %.2f s = %.2f Mops/s, %" PRIu64
		" grab failures, %" PRIu64 " remote frees, %" PRIu64
		" audits, %" PRIu64 " invariant breaches\n",
		breaches == 0 ? "PASS" : "FAIL", ops, secs,
		(double)ops / secs / 1e6, fails, remote, audits, breaches);
	for (i = 0; i < nb_lcores; i++)
		rte_ring_free(state[lcore_list[i]].inbox);
	rte_eal_cleanup();
	return breaches == 0 ? 0 : 1;
}
