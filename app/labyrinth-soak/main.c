/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth-soak: a long, time-bounded run of mixed grabs and frees on
 * every lcore, in a default pool and a LABYRINTH_F_STRICT pool at once,
 * with remote frees, bad frees, racing double frees (strict pool only)
 * and an audit of both pools every second.
 *
 * Churn. Every lcore, main included, picks a pool at random for each
 * operation and grabs (single pages, bulks of 2..32, blocks of orders
 * 1..9; GFP_ZERO, GFP_ATOMIC, GFP_THISNODE now and then) or frees (one
 * block, or a bulk of up to 8 single pages; a quarter go to a random
 * lcore's inbox ring and are freed there). How many pages an lcore may
 * hold follows a tide, one step a second: 25, 50, 75, 100, 125, 75 % of
 * the pool shared among the lcores, so the pools go from light use to
 * exhaustion (where GFP_ATOMIC grabs dip into the reserve) and back.
 * Holders also try bad frees of their held blocks (an interior page, a
 * wrong order), which must be rejected with -EINVAL and change nothing.
 * In the default pool no page is ever freed twice concurrently: every
 * held block has one holder, who frees it or hands it on exactly once.
 *
 * Checks on every page. A grabbed block must be pages of its pool,
 * contiguous, aligned to its size (up to 2 MiB), zeroed for GFP_ZERO.
 * Exclusivity is checked exactly: each pool has a claim word per page,
 * set from 0 to holder + 1 with a CAS after the grab and back to 0 with a
 * CAS just before the free; a page handed to two holders at once fails
 * one of the CASes. Each page also carries a stamp (magic, holder, order,
 * pool, grab sequence), checked with labyrinth_page_owner() at free time.
 * A global count of held pages (in hand or in flight) per pool gives the
 * peak and must never exceed the pool.
 *
 * Every --audit-ms (default 1000) the main lcore raises a flag; every
 * lcore stops at its next operation and they meet at a barrier. Then:
 *   1. each lcore grabs the pages of the quiet step (below);
 *   2. barrier; main audits both pools: free + held == total, the held
 *      walk agrees, labyrinth_audit() == 0, and the statistics equal what
 *      the lcores did (alloc_ok, alloc_fail, frees, bad_frees exactly;
 *      reserve_dips <= GFP_ATOMIC grabs; no poison error);
 *   3. barrier; the quiet step, in which nobody grabs, only frees: in the
 *      strict pool the lcores work in pairs, and the pair's two lcores
 *      free each of --race pages at a common start signal: exactly one
 *      free must return 0 and the other -EALREADY. In every pool each lcore
 *      frees --dfree pages twice in a row: 0, then -EALREADY. As nobody
 *      grabs during this step, no page can be grabbed again between the
 *      two frees, so both frees target one incarnation;
 *   4. barrier; main audits again; decides whether to stop;
 *   5. barrier; churn resumes (or everything is given back).
 * The run stops by itself after --seconds (or --minutes), at the first
 * audit after the time; a barrier wait longer than --stall seconds is a
 * breach that ends the program at once.
 *
 * Usage: labyrinth-soak [EAL options] -- [--seconds S | --minutes M]
 *        [--ops N] [--audit-ms N] [--mode both|default|strict] [--pages N]
 *        [--page-size N] [--cache N] [--hold N] [--race N] [--dfree N]
 *        [--debug] [--seed N] [--stall S] [--inject-breach]
 * e.g. labyrinth-soak --lcores '(0-7)@(0,1)' -- --minutes 60
 * (scripts/soak.sh runs it so). The last line is "soak: PASS ..." or
 * "soak: FAIL ..."; exit status 0 or 1.
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
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "labyrinth.h"

#define NB_POOLS 2
#define POOL_DEFAULT 0
#define POOL_STRICT 1
#define HOLD_MAX 8192u      /* blocks an lcore may hold in one pool */
#define BULK_MAX 32u        /* largest bulk grab */
#define FREE_BULK_MAX 8u    /* largest bulk free */
#define RACE_MAX 4096u      /* racing double frees per pair and audit */
#define DFREE_MAX 256u      /* sequential double frees per lcore and audit */
#define INBOX_SIZE 1024u
#define DRAIN_BURST 32u
#define STAMP_MAGIC UINT32_C(0x4b414f53) /* "SOAK" */
#define MAX_SHOWN 20        /* breaches printed in full */
#define ALIGN_CAP ((uintptr_t)2 << 20) /* block alignment is capped here */

/* Options. */
static double opt_seconds;          /* 0: see main() */
static uint64_t opt_ops;            /* 0: no limit */
static uint64_t opt_audit_ms = 1000;
static uint32_t opt_pages = 8192;
static uint32_t opt_page_size = 4096;
static uint32_t opt_cache = 64;
static uint32_t opt_hold = 1024;
static uint32_t opt_race = 256;
static uint32_t opt_dfree = 8;
static uint32_t opt_flags;          /* LABYRINTH_F_DEBUG or 0 */
static uint64_t opt_seed;
static double opt_stall = 120;
static bool pool_on[NB_POOLS] = { true, true };

/* Tide: percent of a fair share of the pool an lcore may hold, one step
 * per audit period. */
static const unsigned int tide[] = { 25, 50, 75, 100, 125, 75 };

/* At the start of every page held. */
struct stamp {
	uint32_t magic;
	uint16_t holder; /* lcore id of the grabber */
	uint8_t order;   /* of the block the page belongs to */
	uint8_t pool;
	uint64_t seq;    /* the grabber's sequence */
};

/* A held block. */
struct item {
	char *p;
	uint32_t idx;    /* page index in the pool (sorted addresses) */
	uint32_t order;
	uint64_t seq;
};

/* A block on its way to a remote free (ring element). */
struct msg {
	struct item it;
	uint32_t sender; /* lcore id */
	uint32_t pool;
};

struct pool_state {
	struct labyrinth *lab;
	const char *name;
	uint32_t flags;
	uint32_t total;          /* pages */
	uintptr_t *addrs;        /* every page, sorted */
	uint32_t *claim;         /* per page: 0, or holder lcore id + 1 */
	struct labyrinth_stats base; /* after the pages were learnt */
	/* Pages the lcores hold (in hand or in flight): changed with atomics
	 * by every lcore. */
	uint64_t held_now __rte_cache_aligned;
	uint64_t held_peak;
};

/* An lcore's view of one pool. */
struct lcore_pool {
	struct item *held;
	uint32_t nh;
	uint64_t held_pages;     /* in held[], race and dfree pages included */
	uint64_t budget;         /* churn frees above this many pages */
	/* Pages sent to other lcores, not yet freed there: the receiver
	 * subtracts (relaxed atomics, exact at barriers). */
	uint64_t inflight;
	/* As the pool's statistics count them. */
	uint64_t alloc_ok;       /* pages of singles and bulks, blocks once */
	uint64_t alloc_fail;     /* failed grab calls */
	uint64_t atomic_ok;      /* of alloc_ok, with GFP_ATOMIC */
	uint64_t frees;          /* successful frees (bulk pages one by one) */
	uint64_t bad_frees;      /* deliberate bad frees, all rejected */
	/* Reported only. */
	uint64_t ops;            /* grab and free calls */
	uint64_t order_ok[LABYRINTH_MAX_ORDER + 1];
	uint64_t bulk_grabs, bulk_frees, remote_sent, remote_recv;
	uint64_t races, race_won[2], dfrees;
	struct item dfree[DFREE_MAX];
	uint32_t nb_dfree;
};

struct soak_lcore {
	unsigned int lcore;
	unsigned int rank;       /* index in lcore_list */
	uint64_t rng;
	uint64_t seq;
	uint64_t breaches;
	struct rte_ring *inbox;  /* blocks other lcores hand us */
	struct lcore_pool pl[NB_POOLS];
} __rte_cache_aligned;

/* Two lcores racing double frees in the strict pool. */
struct race_pair {
	struct item *page;       /* filled by side 0 before the step */
	int *ret[2];
	uint32_t n;
	uint32_t go __rte_cache_aligned; /* arrivals at the common start */
	uint32_t done;           /* frees done, both sides */
} __rte_cache_aligned;

static struct pool_state pools[NB_POOLS];
static struct soak_lcore state[RTE_MAX_LCORE];
static unsigned int lcore_list[RTE_MAX_LCORE];
static unsigned int nb_lcores;
static struct race_pair *pairs;
static unsigned int nb_pairs;

/* Control, written by main between barriers. */
static uint32_t pause_req;          /* stop churning: an audit is due */
static uint32_t stop;               /* no more periods */
static uint64_t period;             /* audit periods begun */
static uint64_t next_audit;         /* TSC */
static uint64_t hz;
static uint64_t audits;
static uint64_t quiet_cycles;       /* from pause to resume, main's view */
static bool opt_inject;             /* --inject-breach */
static uint64_t main_breaches;      /* found by the audits */
static uint64_t shown;              /* breaches printed */

/* Barrier: count of arrivals and a generation. */
static uint32_t bar_count;
static uint32_t bar_gen;

#define BREACH(s, fmt, ...) do { \
	(s)->breaches++; \
	/* Relaxed: a print limit only. */ \
	if (__atomic_fetch_add(&shown, 1, __ATOMIC_RELAXED) < MAX_SHOWN) \
		printf("BREACH [lcore %u, %s():%d]: " fmt "\n", \
			rte_lcore_id(), __func__, __LINE__, ##__VA_ARGS__); \
} while (0)

#define MAIN_BREACH(fmt, ...) do { \
	main_breaches++; \
	/* Relaxed: see BREACH. */ \
	if (__atomic_fetch_add(&shown, 1, __ATOMIC_RELAXED) < MAX_SHOWN) \
		printf("BREACH [audit %" PRIu64 "]: " fmt "\n", audits, \
			##__VA_ARGS__); \
} while (0)

static double
elapsed(uint64_t since)
{
	return (double)(rte_get_timer_cycles() - since) / (double)hz;
}

static void
barrier(const char *where)
{
	/* Relaxed: only compared with the generation we read it at; the
	 * acquire below is what orders the data. */
	uint32_t gen = __atomic_load_n(&bar_gen, __ATOMIC_RELAXED);
	uint64_t t0 = 0;
	unsigned int spins = 0;

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
		if (++spins % 1024 != 0)
			continue;
		if (t0 == 0)
			t0 = rte_get_timer_cycles();
		else if (elapsed(t0) > opt_stall) {
			printf("BREACH [lcore %u]: waited more than %.0f s at "
				"barrier '%s': an lcore is stuck\n"
				"soak: FAIL: stalled\n", rte_lcore_id(),
				opt_stall, where);
			fflush(stdout);
			_exit(1);
		}
	}
}

/* Wait until *p reaches v (acquire: pairs with the release that moved it);
 * on 2 CPUs the partner may not be running, so yield now and then. */
static void
wait_for(const uint32_t *p, uint32_t v)
{
	unsigned int spins = 0;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < v) {
		if (++spins % 64 == 0)
			sched_yield();
		else
			rte_pause();
	}
}

/* As wait_for(), but spin a while before yielding: the partner of a race
 * may be running on the other CPU, and both should free at once. */
static void
rendezvous(const uint32_t *p, uint32_t v)
{
	unsigned int spins = 0;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) < v) {
		if (++spins % 2048 == 0)
			sched_yield();
		else
			rte_pause();
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

static inline uint32_t
npages(unsigned int order)
{
	return UINT32_C(1) << order;
}

/* Page index of p in pool ps, or -1 if p is not one of its pages. */
static int64_t
page_index(const struct pool_state *ps, const void *p)
{
	uintptr_t a = (uintptr_t)p;
	uint32_t lo = 0, hi = ps->total;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (ps->addrs[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ps->total && ps->addrs[lo] == a ? (int64_t)lo : -1;
}

/* Account pages now held (n > 0) or given back (n < 0). */
static void
held_add(struct soak_lcore *s, unsigned int pi, int64_t n)
{
	struct pool_state *ps = &pools[pi];
	/* Relaxed: a counter, exact at barriers; the peak is a max of its
	 * values. */
	uint64_t now = __atomic_add_fetch(&ps->held_now, (uint64_t)n,
		__ATOMIC_RELAXED);
	uint64_t peak;

	if (n <= 0)
		return;
	if (now > ps->total)
		BREACH(s, "%s pool: %" PRIu64 " pages held at once, the pool "
			"has %u", ps->name, now, ps->total);
	/* Relaxed: see above. */
	peak = __atomic_load_n(&ps->held_peak, __ATOMIC_RELAXED);
	while (now > peak && !__atomic_compare_exchange_n(&ps->held_peak,
			&peak, now, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static bool
is_zero(const char *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	size_t i;

	for (i = 0; i < len / sizeof(*w); i++)
		if (w[i] != 0)
			return false;
	return true;
}

/*
 * A block just grabbed from pool pi: check it, claim its pages for this
 * lcore, stamp them, count them. Returns false (a breach) if it is not a
 * block of the pool at all; it is then not tracked.
 */
static bool
take_block(struct soak_lcore *s, unsigned int pi, char *p,
		unsigned int order, unsigned int gfp, struct item *it)
{
	const struct pool_state *ps = &pools[pi];
	size_t len = (size_t)opt_page_size << order;
	uintptr_t align = RTE_MIN((uintptr_t)len, ALIGN_CAP);
	int64_t idx = page_index(ps, p);
	uint32_t i;

	if (idx < 0 || (uint64_t)idx + npages(order) > ps->total) {
		BREACH(s, "%s pool: grab of order %u returned %p, not a block "
			"of the pool", ps->name, order, p);
		return false;
	}
	if (((uintptr_t)p & (align - 1)) != 0)
		BREACH(s, "%s pool: block %p of order %u misaligned",
			ps->name, p, order);
	if ((gfp & LABYRINTH_GFP_ZERO) && !is_zero(p, len))
		BREACH(s, "%s pool: GFP_ZERO block %p of order %u not zeroed",
			ps->name, p, order);
	it->p = p;
	it->idx = (uint32_t)idx;
	it->order = order;
	it->seq = ++s->seq;
	for (i = 0; i < npages(order); i++) {
		uint32_t *c = &ps->claim[idx + i];
		uint32_t expect = 0;
		struct stamp st = {
			.magic = STAMP_MAGIC,
			.holder = (uint16_t)s->lcore,
			.order = (uint8_t)order,
			.pool = (uint8_t)pi,
			.seq = it->seq,
		};

		if (ps->addrs[idx + i] != (uintptr_t)p + (uintptr_t)i *
				opt_page_size)
			BREACH(s, "%s pool: block %p of order %u is not "
				"contiguous at page %u", ps->name, p, order, i);
		/* Acq-rel: the claim words are the exclusivity check; a
		 * total order on each word is all it needs. */
		if (!__atomic_compare_exchange_n(c, &expect, s->lcore + 1,
				false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			BREACH(s, "%s pool: page %p (+%u of order %u) grabbed "
				"by lcore %u is held by lcore %u: two holders",
				ps->name, p, i, order, s->lcore, expect - 1);
		memcpy(p + (size_t)i * opt_page_size, &st, sizeof(st));
	}
	held_add(s, pi, npages(order));
	return true;
}

/* Check a held block: its owner record and its stamps. */
static void
check_block(struct soak_lcore *s, unsigned int pi, const struct item *it,
		unsigned int holder)
{
	const struct pool_state *ps = &pools[pi];
	int who = labyrinth_page_owner(ps->lab, it->p);
	uint32_t i;

	if (who != (int)holder)
		BREACH(s, "%s pool: block %p of order %u held by lcore %u: "
			"labyrinth_page_owner() = %d", ps->name, it->p,
			it->order, holder, who);
	for (i = 0; i < npages(it->order); i++) {
		struct stamp st;

		memcpy(&st, it->p + (size_t)i * opt_page_size, sizeof(st));
		if (st.magic != STAMP_MAGIC || st.holder != holder ||
				st.order != it->order || st.pool != pi ||
				st.seq != it->seq)
			BREACH(s, "%s pool: page %p (+%u of order %u, lcore %u, "
				"seq %" PRIu64 ") has stamp magic %#x lcore %u "
				"order %u pool %u seq %" PRIu64 ": written by "
				"another holder", ps->name, it->p, i, it->order,
				holder, it->seq, st.magic, st.holder, st.order,
				st.pool, st.seq);
	}
}

/*
 * Just before a block of pool pi held by lcore holder is freed (here or
 * remotely): check it, give its claim words back, count its pages out.
 * Before the free: once freed, the page may be grabbed and claimed again
 * at once.
 */
static void
give_block(struct soak_lcore *s, unsigned int pi, const struct item *it,
		unsigned int holder)
{
	const struct pool_state *ps = &pools[pi];
	uint32_t i;

	check_block(s, pi, it, holder);
	for (i = 0; i < npages(it->order); i++) {
		uint32_t expect = holder + 1;

		/* Acq-rel: see take_block(). */
		if (!__atomic_compare_exchange_n(&ps->claim[it->idx + i],
				&expect, 0, false, __ATOMIC_ACQ_REL,
				__ATOMIC_ACQUIRE))
			BREACH(s, "%s pool: page %p (+%u of order %u) of lcore "
				"%u has claim %u", ps->name, it->p, i,
				it->order, holder, expect);
	}
	held_add(s, pi, -(int64_t)npages(it->order));
}

/* Free a block; a failure is a breach. */
static void
free_item(struct soak_lcore *s, unsigned int pi, const struct item *it)
{
	struct lcore_pool *pl = &s->pl[pi];
	struct labyrinth *lab = pools[pi].lab;
	int ret;

	if (it->order == 0 && (rnd(s) & 1))
		ret = labyrinth_free_page(lab, it->p);
	else
		ret = labyrinth_free_pages(lab, it->p, it->order);
	pl->ops++;
	if (ret != 0)
		BREACH(s, "%s pool: free of %p order %u returned %d",
			pools[pi].name, it->p, it->order, ret);
	else
		pl->frees++;
}

/* Free the blocks other lcores sent us. */
static void
drain_inbox(struct soak_lcore *s)
{
	struct msg m[DRAIN_BURST];
	unsigned int n, i;

	while ((n = rte_ring_dequeue_burst_elem(s->inbox, m, sizeof(m[0]),
			RTE_DIM(m), NULL)) > 0)
		for (i = 0; i < n; i++) {
			unsigned int pi = m[i].pool;

			give_block(s, pi, &m[i].it, m[i].sender);
			free_item(s, pi, &m[i].it);
			s->pl[pi].remote_recv++;
			/* Relaxed: exact at barriers, which order it. */
			__atomic_fetch_sub(&state[m[i].sender].pl[pi].inflight,
				(uint64_t)npages(m[i].it.order),
				__ATOMIC_RELAXED);
		}
}

/* Bad frees of a held block: rejected with -EINVAL, nothing changed. */
static void
bad_frees(struct soak_lcore *s, unsigned int pi, const struct item *it,
		uint64_t r)
{
	struct lcore_pool *pl = &s->pl[pi];
	struct labyrinth *lab = pools[pi].lab;
	unsigned int wrong;
	char *inner;
	int ret;

	if (it->order == 0)
		return;
	inner = it->p + (size_t)(1 + r % (npages(it->order) - 1)) *
		opt_page_size;
	ret = (r >> 20) & 1 ? labyrinth_free_page(lab, inner) :
		labyrinth_free_pages(lab, inner, 0);
	pl->ops++;
	pl->bad_frees++;
	if (ret != -EINVAL)
		BREACH(s, "%s pool: free of page %p inside held block %p of "
			"order %u returned %d, want -EINVAL", pools[pi].name,
			inner, it->p, it->order, ret);
	wrong = it->order == LABYRINTH_MAX_ORDER || ((r >> 21) & 1) ?
		it->order - 1 : it->order + 1;
	ret = labyrinth_free_pages(lab, it->p, wrong);
	pl->ops++;
	pl->bad_frees++;
	if (ret != -EINVAL)
		BREACH(s, "%s pool: free of block %p of order %u as order %u "
			"returned %d, want -EINVAL", pools[pi].name, it->p,
			it->order, wrong, ret);
}

static void
push_held(struct lcore_pool *pl, const struct item *it)
{
	pl->held[pl->nh++] = *it;
	pl->held_pages += npages(it->order);
}

static void
do_grab(struct soak_lcore *s, unsigned int pi, uint64_t x)
{
	struct lcore_pool *pl = &s->pl[pi];
	struct labyrinth *lab = pools[pi].lab;
	void *pages[BULK_MAX];
	unsigned int gfp = 0, kind = (unsigned int)((x >> 16) % 100);
	unsigned int i, n, order;
	struct item it;
	char *p;

	if ((x & 15) == 0)
		gfp |= LABYRINTH_GFP_ZERO;
	if (((x >> 4) & 15) == 0)
		gfp |= LABYRINTH_GFP_ATOMIC;
	if (((x >> 8) & 63) == 0)
		gfp |= LABYRINTH_GFP_THISNODE;
	pl->ops++;
	if (kind >= 60 && kind < 75 && pl->nh + BULK_MAX <= opt_hold) {
		n = 2 + (unsigned int)((x >> 32) % (BULK_MAX - 1));
		if (labyrinth_alloc_bulk(lab, gfp, pages, n) != n)
			goto fail;
		pl->alloc_ok += n;
		if (gfp & LABYRINTH_GFP_ATOMIC)
			pl->atomic_ok += n;
		pl->bulk_grabs++;
		pl->order_ok[0] += n;
		for (i = 0; i < n; i++)
			if (take_block(s, pi, pages[i], 0, gfp, &it))
				push_held(pl, &it);
		return;
	}
	/* Single pages 60 %, blocks 25 %: order 1 half of the time, 2 a
	 * quarter, ... 9 once in 256. */
	order = kind < 75 ? 0 : 1 + (unsigned int)__builtin_ctzll((x >> 32) |
		(UINT64_C(1) << (LABYRINTH_MAX_ORDER - 1)));
	p = order == 0 && (x >> 40) & 1 ? labyrinth_alloc_page(lab, gfp) :
		labyrinth_alloc_pages(lab, gfp, order);
	if (p == NULL)
		goto fail;
	pl->alloc_ok++;
	if (gfp & LABYRINTH_GFP_ATOMIC)
		pl->atomic_ok++;
	pl->order_ok[order]++;
	if (take_block(s, pi, p, order, gfp, &it))
		push_held(pl, &it);
	return;
fail:
	pl->alloc_fail++;
	if (rte_errno != ENOMEM)
		BREACH(s, "%s pool: grab failed with rte_errno %d, want ENOMEM",
			pools[pi].name, rte_errno);
}

/* Take held item k out of held[]. */
static struct item
pop_held(struct lcore_pool *pl, uint32_t k)
{
	struct item it = pl->held[k];

	pl->held[k] = pl->held[--pl->nh];
	pl->held_pages -= npages(it.order);
	return it;
}

static void
do_free(struct soak_lcore *s, unsigned int pi, uint64_t x)
{
	struct lcore_pool *pl = &s->pl[pi];
	void *pages[FREE_BULK_MAX];
	struct item it;
	unsigned int n = 0, tries, freed;

	if ((x & 7) == 0) {
		/* A bulk free of up to 8 random single pages. */
		for (tries = 0; tries < 2 * FREE_BULK_MAX && pl->nh > 0 &&
				n < FREE_BULK_MAX; tries++) {
			uint32_t k = (uint32_t)(rnd(s) % pl->nh);

			if (pl->held[k].order != 0)
				continue;
			it = pop_held(pl, k);
			give_block(s, pi, &it, s->lcore);
			pages[n++] = it.p;
		}
		if (n > 0) {
			freed = labyrinth_free_bulk(pools[pi].lab, pages, n);
			pl->ops++;
			pl->bulk_frees++;
			pl->frees += freed;
			if (freed != n)
				BREACH(s, "%s pool: free_bulk freed %u of %u",
					pools[pi].name, freed, n);
			return;
		}
	}
	it = pop_held(pl, (uint32_t)((x >> 8) % pl->nh));
	if (it.order > 0 && ((x >> 3) & 31) == 0)
		bad_frees(s, pi, &it, rnd(s));
	/* A quarter to another lcore, unless half of our budget is in
	 * flight already (a preempted receiver would hoard the pool). Relaxed:
	 * the count only steers the choice; the ring orders the page. */
	if (nb_lcores > 1 && ((x >> 16) & 3) == 0 &&
			__atomic_load_n(&pl->inflight, __ATOMIC_RELAXED) <
			pl->budget / 2) {
		unsigned int to = (s->rank + 1 +
			(unsigned int)((x >> 24) % (nb_lcores - 1))) % nb_lcores;
		struct msg m = { .it = it, .sender = s->lcore, .pool = pi };

		/* The block stays claimed by us (and counted held) until
		 * the receiver gives it back. */
		check_block(s, pi, &it, s->lcore);
		/* Relaxed: see above; the receiver subtracts. */
		__atomic_fetch_add(&pl->inflight, (uint64_t)npages(it.order),
			__ATOMIC_RELAXED);
		if (rte_ring_enqueue_elem(state[lcore_list[to]].inbox, &m,
				sizeof(m)) == 0) {
			pl->remote_sent++;
			return;
		}
		/* Relaxed: see above. */
		__atomic_fetch_sub(&pl->inflight, (uint64_t)npages(it.order),
			__ATOMIC_RELAXED);
	}
	give_block(s, pi, &it, s->lcore);
	free_item(s, pi, &it);
}

static unsigned int
pick_pool(uint64_t r)
{
	if (!pool_on[POOL_STRICT])
		return POOL_DEFAULT;
	if (!pool_on[POOL_DEFAULT])
		return POOL_STRICT;
	return (unsigned int)(r >> 63);
}

/* One operation: a grab or a free, in a random pool. */
static void
one_op(struct soak_lcore *s)
{
	uint64_t r = rnd(s);
	unsigned int pi = pick_pool(r);
	struct lcore_pool *pl = &s->pl[pi];
	/* Relaxed: a budget hint. */
	uint64_t inflight = __atomic_load_n(&pl->inflight, __ATOMIC_RELAXED);

	if (pl->nh > 0 && (pl->nh >= opt_hold ||
			pl->held_pages + inflight > pl->budget || (r & 1)))
		do_free(s, pi, rnd(s));
	else
		do_grab(s, pi, rnd(s));
	if (((r >> 32) & 8191) == 0)
		labyrinth_cache_flush(pools[pi].lab);
}

/* The budgets of the new period (after a barrier). */
static void
set_budgets(struct soak_lcore *s)
{
	unsigned int pi, pct = tide[period % RTE_DIM(tide)];

	for (pi = 0; pi < NB_POOLS; pi++)
		s->pl[pi].budget = (uint64_t)pools[pi].total * pct / 100 /
			nb_lcores;
}

/* Before the quiet step: grab what it will free. Pools may be exhausted:
 * take what comes. */
static void
quiet_prepare(struct soak_lcore *s)
{
	unsigned int pi;
	struct item it;
	void *p;

	for (pi = 0; pi < NB_POOLS; pi++) {
		struct lcore_pool *pl = &s->pl[pi];

		if (!pool_on[pi])
			continue;
		for (pl->nb_dfree = 0; pl->nb_dfree < opt_dfree; ) {
			pl->ops++;
			p = labyrinth_alloc_page(pools[pi].lab,
				LABYRINTH_GFP_ATOMIC);
			if (p == NULL) {
				pl->alloc_fail++;
				break;
			}
			pl->alloc_ok++;
			pl->atomic_ok++;
			pl->order_ok[0]++;
			if (!take_block(s, pi, p, 0, 0, &it))
				break;
			pl->dfree[pl->nb_dfree++] = it;
			pl->held_pages++;
		}
	}
	if (pool_on[POOL_STRICT] && s->rank < 2 * nb_pairs &&
			s->rank % 2 == 0) {
		struct race_pair *pr = &pairs[s->rank / 2];
		struct lcore_pool *pl = &s->pl[POOL_STRICT];

		pr->go = 0;
		pr->done = 0;
		for (pr->n = 0; pr->n < opt_race; ) {
			pl->ops++;
			p = labyrinth_alloc_page(pools[POOL_STRICT].lab,
				LABYRINTH_GFP_ATOMIC);
			if (p == NULL) {
				pl->alloc_fail++;
				break;
			}
			pl->alloc_ok++;
			pl->atomic_ok++;
			pl->order_ok[0]++;
			if (!take_block(s, POOL_STRICT, p, 0, 0, &it))
				break;
			pr->page[pr->n++] = it;
			pl->held_pages++;
		}
	}
}

/* One free of a single page by any of the three calls: 0 or an error. */
static int
free_any(struct labyrinth *lab, void *p, uint64_t r)
{
	switch (r % 3) {
	case 0:
		return labyrinth_free_page(lab, p);
	case 1:
		return labyrinth_free_pages(lab, p, 0);
	default:
		return labyrinth_free_bulk(lab, &p, 1) == 1 ? 0 : -EALREADY;
	}
}

/* The quiet step: nobody grabs. Racing double frees in the strict pool,
 * then sequential double frees in every pool. */
static void
quiet_step(struct soak_lcore *s)
{
	unsigned int pi, side = s->rank % 2;
	uint64_t k;
	uint32_t i;
	int ret;

	if (pool_on[POOL_STRICT] && s->rank < 2 * nb_pairs) {
		struct race_pair *pr = &pairs[s->rank / 2];
		struct labyrinth *lab = pools[POOL_STRICT].lab;
		struct lcore_pool *pl = &s->pl[POOL_STRICT];
		unsigned int holder = lcore_list[s->rank - side];

		for (i = 0; i < pr->n; i++) {
			const struct item *it = &pr->page[i];

			if (side == 0) {
				give_block(s, POOL_STRICT, it, holder);
				pl->held_pages--;
			}
			/* The common start: both arrive, then both free
			 * it. Release: side 0's checks happen before side
			 * 1's free. */
			__atomic_fetch_add(&pr->go, 1, __ATOMIC_RELEASE);
			rendezvous(&pr->go, 2 * (i + 1));
			/* The last to arrive would nearly always win: a
			 * random head start for either side. */
			for (k = rnd(s) % 64; k > 0; k--)
				rte_pause();
			ret = free_any(lab, it->p, rnd(s));
			pl->ops++;
			pr->ret[side][i] = ret;
			/* Release: our result before the count. */
			__atomic_fetch_add(&pr->done, 1, __ATOMIC_RELEASE);
			if (side == 1)
				continue;
			wait_for(&pr->done, 2 * (i + 1));
			pl->races++;
			pl->frees++;     /* one of the two */
			pl->bad_frees++; /* the other */
			if ((pr->ret[0][i] == 0) == (pr->ret[1][i] == 0) ||
					(pr->ret[0][i] != 0 &&
					 pr->ret[0][i] != -EALREADY) ||
					(pr->ret[1][i] != 0 &&
					 pr->ret[1][i] != -EALREADY))
				BREACH(s, "strict pool: two racing frees of %p "
					"returned %d and %d: want exactly one 0 "
					"and one -EALREADY", it->p,
					pr->ret[0][i], pr->ret[1][i]);
			else
				pl->race_won[pr->ret[0][i] == 0 ? 0 : 1]++;
			ret = labyrinth_page_owner(lab, it->p);
			if (ret != -ENOENT)
				BREACH(s, "strict pool: page %p freed by a race: "
					"owner %d", it->p, ret);
		}
	}
	for (pi = 0; pi < NB_POOLS; pi++) {
		struct lcore_pool *pl = &s->pl[pi];
		struct labyrinth *lab = pools[pi].lab;

		if (!pool_on[pi])
			continue;
		for (i = 0; i < pl->nb_dfree; i++) {
			const struct item *it = &pl->dfree[i];

			give_block(s, pi, it, s->lcore);
			pl->held_pages--;
			ret = free_any(lab, it->p, rnd(s));
			pl->ops++;
			if (ret != 0)
				BREACH(s, "%s pool: free of held page %p "
					"returned %d", pools[pi].name, it->p,
					ret);
			else
				pl->frees++;
			ret = free_any(lab, it->p, rnd(s));
			pl->ops++;
			pl->bad_frees++;
			pl->dfrees++;
			if (ret != -EALREADY)
				BREACH(s, "%s pool: second free of %p returned "
					"%d, want -EALREADY", pools[pi].name,
					it->p, ret);
		}
		pl->nb_dfree = 0;
	}
}

struct walk_count {
	uint64_t pages;
	uint64_t blocks;
};

static void
count_held(const struct labyrinth_held_info *info, void *arg)
{
	struct walk_count *wc = arg;

	wc->pages += npages(info->order);
	wc->blocks++;
}

/* At a barrier, every lcore quiet: check pool pi. */
static void
audit_pool(unsigned int pi, const char *when)
{
	struct pool_state *ps = &pools[pi];
	struct labyrinth_stats st;
	struct walk_count wc = { 0, 0 };
	uint64_t held = 0, ok = 0, fail = 0, atomic = 0, frees = 0, bad = 0;
	uint64_t free_pages;
	unsigned int i;
	int ret;

	for (i = 0; i < nb_lcores; i++) {
		const struct lcore_pool *pl = &state[lcore_list[i]].pl[pi];

		/* Relaxed: the barrier ordered it. */
		held += pl->held_pages + __atomic_load_n(&pl->inflight,
			__ATOMIC_RELAXED);
		ok += pl->alloc_ok;
		fail += pl->alloc_fail;
		atomic += pl->atomic_ok;
		frees += pl->frees;
		bad += pl->bad_frees;
	}
	free_pages = labyrinth_free_count(ps->lab);
	if (free_pages + held != ps->total)
		MAIN_BREACH("%s pool, %s: free %" PRIu64 " + held %" PRIu64
			" != %u pages", ps->name, when, free_pages, held,
			ps->total);
	/* Relaxed: the barrier ordered it. */
	if (__atomic_load_n(&ps->held_now, __ATOMIC_RELAXED) != held)
		MAIN_BREACH("%s pool, %s: held count %" PRIu64 " != %" PRIu64,
			ps->name, when, ps->held_now, held);
	ret = labyrinth_held_walk(ps->lab, 0, count_held, &wc);
	if (ret < 0 || wc.pages != held)
		MAIN_BREACH("%s pool, %s: held walk: %d blocks, %" PRIu64
			" pages, want %" PRIu64 " pages", ps->name, when, ret,
			wc.pages, held);
	ret = labyrinth_audit(ps->lab);
	if (ret != 0)
		MAIN_BREACH("%s pool, %s: labyrinth_audit() = %d", ps->name,
			when, ret);
	if (labyrinth_stats_get(ps->lab, &st) != 0) {
		MAIN_BREACH("%s pool: labyrinth_stats_get() failed", ps->name);
		return;
	}
	if (st.alloc_ok - ps->base.alloc_ok != ok ||
			st.alloc_fail - ps->base.alloc_fail != fail ||
			st.frees - ps->base.frees != frees ||
			st.bad_frees - ps->base.bad_frees != bad)
		MAIN_BREACH("%s pool, %s: statistics alloc_ok %" PRIu64
			" alloc_fail %" PRIu64 " frees %" PRIu64 " bad_frees %"
			PRIu64 ", the lcores did %" PRIu64 " %" PRIu64 " %"
			PRIu64 " %" PRIu64, ps->name, when,
			st.alloc_ok - ps->base.alloc_ok,
			st.alloc_fail - ps->base.alloc_fail,
			st.frees - ps->base.frees,
			st.bad_frees - ps->base.bad_frees, ok, fail, frees, bad);
	if (st.reserve_dips - ps->base.reserve_dips > atomic)
		MAIN_BREACH("%s pool, %s: %" PRIu64 " reserve dips, only %"
			PRIu64 " GFP_ATOMIC grabs", ps->name, when,
			st.reserve_dips - ps->base.reserve_dips, atomic);
	if (st.poison_errors != 0)
		MAIN_BREACH("%s pool, %s: %" PRIu64 " poison errors", ps->name,
			when, st.poison_errors);
}

static void
audit(const char *when)
{
	unsigned int pi;

	for (pi = 0; pi < NB_POOLS; pi++)
		if (pool_on[pi])
			audit_pool(pi, when);
	audits++;
}

static uint64_t
total_ops(void)
{
	uint64_t ops = 0;
	unsigned int i, pi;

	for (i = 0; i < nb_lcores; i++)
		for (pi = 0; pi < NB_POOLS; pi++)
			ops += state[lcore_list[i]].pl[pi].ops;
	return ops;
}

static uint64_t
lcore_breaches(void)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < nb_lcores; i++)
		n += state[lcore_list[i]].breaches;
	return n;
}

/*
 * End of a run, on every lcore: free our own blocks, then, once nobody
 * sends any more (barrier), drain the inbox.
 */
static void
give_back(struct soak_lcore *s)
{
	unsigned int pi;

	for (pi = 0; pi < NB_POOLS; pi++) {
		struct lcore_pool *pl = &s->pl[pi];

		while (pl->nh > 0) {
			struct item it = pop_held(pl, pl->nh - 1);

			give_block(s, pi, &it, s->lcore);
			free_item(s, pi, &it);
		}
	}
	barrier("give back");
	drain_inbox(s);
	for (pi = 0; pi < NB_POOLS; pi++)
		if (pool_on[pi])
			labyrinth_cache_flush(pools[pi].lab);
	barrier("given back");
}

/*
 * --inject-breach (a test of the soak itself): overwrite the stamp of one
 * held page as a second holder would. Its free must report a breach.
 */
static void
inject_breach(struct soak_lcore *s)
{
	unsigned int pi;

	for (pi = 0; pi < NB_POOLS; pi++)
		if (s->pl[pi].nh > 0) {
			struct stamp st = { .magic = STAMP_MAGIC, .holder = 0xbad };

			memcpy(s->pl[pi].held[0].p, &st, sizeof(st));
			printf("soak: --inject-breach: overwrote the stamp of "
				"page %p (%s pool)\n", s->pl[pi].held[0].p,
				pools[pi].name);
			return;
		}
}

static int
soak_lcore_main(void *arg)
{
	struct soak_lcore *s = &state[rte_lcore_id()];
	bool is_main = rte_lcore_id() == rte_get_main_lcore();
	uint64_t t0 = *(const uint64_t *)arg, t_end, k, t_pause = 0;

	t_end = t0 + (uint64_t)(opt_seconds * (double)hz);
	set_budgets(s);
	for (;;) {
		for (k = 0; ; k++) {
			if (is_main) {
				if ((k & 63) == 0 &&
						rte_get_timer_cycles() >= next_audit) {
					/* Relaxed: a request; the barriers
					 * order the data. */
					__atomic_store_n(&pause_req, 1,
						__ATOMIC_RELAXED);
					break;
				}
			} else if (__atomic_load_n(&pause_req,
					__ATOMIC_RELAXED)) {
				/* Relaxed: see above. */
				break;
			}
			one_op(s);
			if ((k & 15) == 0)
				drain_inbox(s);
		}
		if (is_main) {
			t_pause = rte_get_timer_cycles();
			if (opt_inject && period == 1)
				inject_breach(s);
		}
		quiet_prepare(s);
		barrier("audit");
		if (is_main)
			audit("before the quiet step");
		barrier("quiet step");
		quiet_step(s);
		barrier("after the quiet step");
		if (is_main) {
			audit("after the quiet step");
			if (main_breaches > 0 || lcore_breaches() > 0 ||
					rte_get_timer_cycles() >= t_end ||
					(opt_ops > 0 && total_ops() >= opt_ops))
				/* Relaxed: the barrier below orders it. */
				__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
			period++;
			next_audit = rte_get_timer_cycles() +
				opt_audit_ms * hz / 1000;
			/* Relaxed: the barrier below orders it. */
			__atomic_store_n(&pause_req, 0, __ATOMIC_RELAXED);
			quiet_cycles += rte_get_timer_cycles() - t_pause;
		}
		barrier("resume");
		/* Relaxed: the barrier ordered it. */
		if (__atomic_load_n(&stop, __ATOMIC_RELAXED))
			break;
		set_budgets(s);
	}
	give_back(s);
	return 0;
}

static int
cmp_addr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Create pool pi and learn its pages: grab them all (GFP_ATOMIC: the
 * reserve too) on the main lcore, one more grab must fail, free them.
 */
static int
pool_setup(unsigned int pi)
{
	static const char *const names[NB_POOLS] = { "default", "strict" };
	struct pool_state *ps = &pools[pi];
	struct labyrinth_conf conf = {
		.name = pi == POOL_DEFAULT ? "soak_default" : "soak_strict",
		.socket_id = SOCKET_ID_ANY,
		.page_size = opt_page_size,
		.nb_pages = opt_pages,
		.reserve = opt_pages / 16,
		.cache_size = opt_cache,
		.flags = opt_flags | (pi == POOL_STRICT ? LABYRINTH_F_STRICT : 0),
	};
	uint32_t i, n;
	void *p;

	ps->name = names[pi];
	ps->flags = conf.flags;
	ps->lab = labyrinth_create(&conf);
	if (ps->lab == NULL) {
		printf("labyrinth_create(%s): %s\n", conf.name,
			rte_strerror(rte_errno));
		return -1;
	}
	ps->total = labyrinth_free_count(ps->lab);
	ps->addrs = calloc(ps->total, sizeof(*ps->addrs));
	ps->claim = calloc(ps->total, sizeof(*ps->claim));
	if (ps->addrs == NULL || ps->claim == NULL) {
		printf("out of memory\n");
		return -1;
	}
	for (n = 0; n < ps->total; n++) {
		p = labyrinth_alloc_page(ps->lab, LABYRINTH_GFP_ATOMIC);
		if (p == NULL) {
			printf("%s pool: only %u of %u pages could be grabbed\n",
				ps->name, n, ps->total);
			return -1;
		}
		ps->addrs[n] = (uintptr_t)p;
	}
	if (labyrinth_alloc_page(ps->lab, LABYRINTH_GFP_ATOMIC) != NULL) {
		printf("%s pool: more than %u pages\n", ps->name, ps->total);
		return -1;
	}
	qsort(ps->addrs, ps->total, sizeof(*ps->addrs), cmp_addr);
	for (i = 0; i < ps->total; i++)
		if ((i > 0 && ps->addrs[i] == ps->addrs[i - 1]) ||
				labyrinth_free_page(ps->lab,
					(void *)ps->addrs[i]) != 0) {
			printf("%s pool: page %#" PRIxPTR " twice, or its free "
				"failed\n", ps->name, ps->addrs[i]);
			return -1;
		}
	labyrinth_cache_flush(ps->lab);
	if (labyrinth_free_count(ps->lab) != ps->total ||
			labyrinth_audit(ps->lab) != 0 ||
			labyrinth_stats_get(ps->lab, &ps->base) != 0) {
		printf("%s pool: not whole after learning its pages\n",
			ps->name);
		return -1;
	}
	return 0;
}

static void
usage(const char *prog)
{
	printf("Usage: %s [EAL options] -- [options]\n"
		"  --seconds S      run S seconds (default 10), stopping at the "
		"first audit after\n"
		"  --minutes M      run M minutes\n"
		"  --ops N          stop at the first audit after N operations\n"
		"  --audit-ms N     milliseconds between audits (default %"
		PRIu64 ")\n"
		"  --mode M         pools: both (default), default, strict\n"
		"  --pages N        pages in each pool (default %u)\n"
		"  --page-size N    bytes a page (default %u, at least 64)\n"
		"  --cache N        per-lcore cache (default %u)\n"
		"  --hold N         blocks an lcore holds at most in a pool "
		"(default %u, max %u)\n"
		"  --race N         racing double frees per lcore pair and audit "
		"(strict pool; default %u, max %u)\n"
		"  --dfree N        sequential double frees per lcore, pool and "
		"audit (default %u, max %u)\n"
		"  --debug          LABYRINTH_F_DEBUG in both pools\n"
		"  --seed N         random seed (default: from the TSC)\n"
		"  --stall S        a barrier wait of S seconds is a breach "
		"(default %.0f)\n"
		"  --inject-breach  overwrite a held page's stamp once (a test "
		"of the soak:\n"
		"                   it must then fail)\n", prog, opt_audit_ms, opt_pages,
		opt_page_size, opt_cache, opt_hold, HOLD_MAX, opt_race,
		RACE_MAX, opt_dfree, DFREE_MAX, opt_stall);
}

static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "ops", required_argument, NULL, 'o' },
		{ "audit-ms", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'M' },
		{ "pages", required_argument, NULL, 'p' },
		{ "page-size", required_argument, NULL, 'z' },
		{ "cache", required_argument, NULL, 'c' },
		{ "hold", required_argument, NULL, 'h' },
		{ "race", required_argument, NULL, 'r' },
		{ "dfree", required_argument, NULL, 'd' },
		{ "debug", no_argument, NULL, 'D' },
		{ "seed", required_argument, NULL, 'S' },
		{ "stall", required_argument, NULL, 't' },
		{ "inject-breach", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opt_seconds = strtod(optarg, NULL);
			break;
		case 'm':
			opt_seconds = 60 * strtod(optarg, NULL);
			break;
		case 'o':
			opt_ops = strtoull(optarg, NULL, 0);
			break;
		case 'a':
			opt_audit_ms = strtoull(optarg, NULL, 0);
			break;
		case 'M':
			pool_on[POOL_DEFAULT] = strcmp(optarg, "strict") != 0;
			pool_on[POOL_STRICT] = strcmp(optarg, "default") != 0;
			if (strcmp(optarg, "both") != 0 &&
					strcmp(optarg, "default") != 0 &&
					strcmp(optarg, "strict") != 0) {
				usage(argv[0]);
				return -1;
			}
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
		case 'r':
			opt_race = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'd':
			opt_dfree = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'D':
			opt_flags |= LABYRINTH_F_DEBUG;
			break;
		case 'S':
			opt_seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			opt_stall = strtod(optarg, NULL);
			break;
		case 'I':
			opt_inject = true;
			break;
		default:
			usage(argv[0]);
			return -1;
		}
	}
	if (opt_seconds <= 0)
		opt_seconds = opt_ops > 0 ? 1e9 : 10;
	if (opt_audit_ms == 0 || opt_hold < BULK_MAX || opt_hold > HOLD_MAX ||
			opt_race > RACE_MAX || opt_dfree > DFREE_MAX ||
			opt_page_size < 64 || opt_stall <= 0) {
		usage(argv[0]);
		return -1;
	}
	return 0;
}

static void
report_pool(unsigned int pi)
{
	const struct pool_state *ps = &pools[pi];
	uint64_t ops = 0, ok = 0, fail = 0, bulk_g = 0, bulk_f = 0, sent = 0;
	uint64_t races = 0, won0 = 0, won1 = 0, dfrees = 0, bad = 0;
	uint64_t order_ok[LABYRINTH_MAX_ORDER + 1] = { 0 };
	unsigned int i, o;

	for (i = 0; i < nb_lcores; i++) {
		const struct lcore_pool *pl = &state[lcore_list[i]].pl[pi];

		ops += pl->ops;
		ok += pl->alloc_ok;
		fail += pl->alloc_fail;
		bulk_g += pl->bulk_grabs;
		bulk_f += pl->bulk_frees;
		sent += pl->remote_sent;
		races += pl->races;
		won0 += pl->race_won[0];
		won1 += pl->race_won[1];
		dfrees += pl->dfrees;
		bad += pl->bad_frees;
		for (o = 0; o <= LABYRINTH_MAX_ORDER; o++)
			order_ok[o] += pl->order_ok[o];
	}
	printf("soak: %s pool (flags %#x): %" PRIu64 " ops, %" PRIu64
		" grabs served (bulk pages one by one), %" PRIu64 " refused; %"
		PRIu64 " bulk grabs, %"
		PRIu64 " bulk frees, %" PRIu64 " remote frees; %" PRIu64
		" bad frees rejected (%" PRIu64 " double frees); peak held %"
		PRIu64 " of %u pages\n", ps->name, ps->flags, ops, ok, fail,
		bulk_g, bulk_f, sent, bad, dfrees, ps->held_peak, ps->total);
	printf("soak: %s pool: blocks served by order 0..%u:", ps->name,
		LABYRINTH_MAX_ORDER);
	for (o = 0; o <= LABYRINTH_MAX_ORDER; o++)
		printf(" %" PRIu64, order_ok[o]);
	printf("\n");
	if (pi == POOL_STRICT)
		printf("soak: strict pool: %" PRIu64 " racing double frees, "
			"each won by exactly one side (first %" PRIu64
			", second %" PRIu64 ")\n", races, won0, won1);
}

int
main(int argc, char **argv)
{
	uint64_t t0, breaches, ops;
	unsigned int lcore, i, pi;
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
	hz = rte_get_timer_hz();
	if (opt_seed == 0)
		opt_seed = rte_get_tsc_cycles() | 1;

	RTE_LCORE_FOREACH(lcore) {
		struct soak_lcore *s = &state[lcore];
		char name[RTE_RING_NAMESIZE];

		s->lcore = lcore;
		s->rank = nb_lcores;
		lcore_list[nb_lcores++] = lcore;
		snprintf(name, sizeof(name), "soak_in%u", lcore);
		/* RTS enqueue: with more lcores than CPUs, a producer
		 * preempted mid-enqueue must not stall the others (a plain MP
		 * ring makes them wait for its tail update). */
		s->inbox = rte_ring_create_elem(name, sizeof(struct msg),
			INBOX_SIZE, rte_lcore_to_socket_id(lcore),
			RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
		if (s->inbox == NULL)
			rte_exit(EXIT_FAILURE, "ring: %s\n",
				rte_strerror(rte_errno));
		s->rng = (opt_seed + lcore) * UINT64_C(0x9e3779b97f4a7c15) | 1;
		for (pi = 0; pi < NB_POOLS; pi++) {
			s->pl[pi].held = calloc(opt_hold, sizeof(struct item));
			if (s->pl[pi].held == NULL)
				rte_exit(EXIT_FAILURE, "out of memory\n");
		}
	}
	nb_pairs = nb_lcores / 2;
	pairs = calloc(RTE_MAX(nb_pairs, 1u), sizeof(*pairs));
	if (pairs == NULL)
		rte_exit(EXIT_FAILURE, "out of memory\n");
	for (i = 0; i < nb_pairs; i++) {
		pairs[i].page = calloc(opt_race + 1, sizeof(struct item));
		pairs[i].ret[0] = calloc(opt_race + 1, sizeof(int));
		pairs[i].ret[1] = calloc(opt_race + 1, sizeof(int));
		if (pairs[i].page == NULL || pairs[i].ret[0] == NULL ||
				pairs[i].ret[1] == NULL)
			rte_exit(EXIT_FAILURE, "out of memory\n");
	}
	for (pi = 0; pi < NB_POOLS; pi++)
		if (pool_on[pi] && pool_setup(pi) != 0)
			rte_exit(EXIT_FAILURE, "pool setup failed\n");

	printf("soak: %u lcores, pools:%s%s, %u pages of %u bytes each, "
		"cache %u, hold %u, race %u, dfree %u, flags %#x, audit every "
		"%" PRIu64 " ms, %.0f s, seed %#" PRIx64 "\n", nb_lcores,
		pool_on[POOL_DEFAULT] ? " default" : "",
		pool_on[POOL_STRICT] ? " strict" : "",
		pools[pool_on[POOL_DEFAULT] ? POOL_DEFAULT : POOL_STRICT].total,
		opt_page_size, opt_cache, opt_hold,
		nb_pairs > 0 ? opt_race : 0, opt_dfree, opt_flags, opt_audit_ms,
		opt_seconds, opt_seed);
	fflush(stdout);

	t0 = rte_get_timer_cycles();
	next_audit = t0 + opt_audit_ms * hz / 1000;
	rte_eal_mp_remote_launch(soak_lcore_main, &t0, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	secs = elapsed(t0);

	audit("at the end");
	for (pi = 0; pi < NB_POOLS; pi++) {
		struct pool_state *ps = &pools[pi];

		if (!pool_on[pi])
			continue;
		if (labyrinth_free_count(ps->lab) != ps->total)
			MAIN_BREACH("%s pool: %u of %u pages free at the end",
				ps->name, labyrinth_free_count(ps->lab),
				ps->total);
		report_pool(pi);
		ret = labyrinth_destroy(ps->lab);
		if (ret != 0)
			MAIN_BREACH("%s pool: labyrinth_destroy() = %d",
				ps->name, ret);
	}
	breaches = main_breaches + lcore_breaches();
	ops = total_ops();
	printf("soak: %s: %" PRIu64 " ops in %.2f s = %.2f Mops/s, %" PRIu64
		" audits (quiesced %.2f s), %" PRIu64 " invariant breaches, "
		"peak held pages %" PRIu64 " (default) %" PRIu64 " (strict)\n",
		breaches == 0 ? "PASS" : "FAIL", ops, secs,
		(double)ops / secs / 1e6, audits,
		(double)quiet_cycles / (double)hz, breaches,
		pools[POOL_DEFAULT].held_peak, pools[POOL_STRICT].held_peak);
	for (i = 0; i < nb_lcores; i++)
		rte_ring_free(state[lcore_list[i]].inbox);
	rte_eal_cleanup();
	return breaches == 0 ? 0 : 1;
}
