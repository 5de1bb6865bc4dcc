/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Stress test of lib/labyrinth: every lcore grabs and frees pages of mixed
 * orders and bulk sizes, stamps each page it holds with its lcore id and a
 * per-grab sequence, and checks the stamp before letting the page go. A
 * page handed to two owners at once shows a foreign stamp. A quarter of
 * the single-block frees are sent to another lcore, which checks the stamp
 * and frees the block: it travels through a single-producer/single-consumer
 * ring, one ring per ordered pair. Fewer go remote when a receiver is
 * preempted (its ring full, or too many of the sender's pages in flight);
 * the share actually sent is printed.
 *
 * Phases, separated by barriers (the main lcore checks at each stop):
 *   1. churn, normal grabs only: reserve_dips must stay 0;
 *   2. churn with some GFP_ATOMIC grabs: dips never exceed ATOMIC pages;
 *   3. everything freed: free == total, audit clean;
 *   4. concurrent normal single grabs until NULL: each zone ends exactly
 *      at its min watermark (never below);
 *   5. concurrent GFP_ATOMIC grabs until NULL: nothing left, one reserve
 *      dip per reserve page;
 *   6. everything freed (a quarter remotely): free == total, audit clean,
 *      the counters match what the lcores did.
 *
 * Application arguments (after EAL's, separated by --):
 *   --cache N      per-lcore cache size (default 0)
 *   --grabs N      total grab calls in phases 1 and 2 (default 10000000)
 *   --pages N      pages per zone (default 8192)
 *   --page-size N  bytes (default 4096; at least 64 for the stamp and the
 *                  order bits of a ring entry)
 *   --reserve N    reserve per zone (default 128)
 *   --debug        LABYRINTH_F_DEBUG (poison); poison_errors must stay 0
 *   --strict       LABYRINTH_F_STRICT (racing frees arbitrated)
 *   --seed N       random seed (default: from the TSC; always printed)
 */

#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "labyrinth.h"
#include "labyrinth_test.h"

#define HELD_MAX 64u        /* items an lcore holds while churning */
#define BULK_MAX 32u        /* largest bulk grab */
#define FREE_BULK_MAX 8u    /* largest bulk free */
#define RING_SIZE 4096u     /* per ordered pair of lcores */
#define DRAIN_BURST 32u
#define STAMP_MAGIC 0x4c414259u /* "LABY" */
#define ORDER_MASK 0xfu     /* the order travels in a ring entry's low bits */
#define MAX_ERRORS_SHOWN 20

/* Written at the start of every page an lcore holds. */
struct stamp {
	uint32_t magic;
	uint16_t owner;  /* lcore id */
	uint16_t order;  /* of the block the page belongs to */
	uint64_t seq;    /* per-lcore grab sequence */
};

/* A held block (order 0: a single page). */
struct item {
	uint8_t *p;
	uint32_t order;
	uint64_t seq;
};

struct lcore_ctx {
	unsigned int lcore;
	unsigned int idx;
	uint64_t rng;
	uint64_t seq;
	struct item *held;
	unsigned int nh;
	unsigned int held_cap;
	uint64_t nh_pages;     /* pages in held[] */
	uint64_t page_budget;  /* churn frees above this many held pages */
	uint64_t inflight;     /* pages sent to other lcores, not yet freed */
	/* What this lcore did; read by the main lcore after a barrier. */
	uint64_t grab_calls;
	uint64_t grab_fails;
	uint64_t alloc_ok;     /* as stats.alloc_ok: pages, blocks once */
	uint64_t frees;        /* as stats.frees counts */
	uint64_t atomic_pages; /* pages grabbed with GFP_ATOMIC */
	uint64_t releases;     /* release() calls (local or remote) */
	uint64_t remote_sent;
	uint64_t remote_recv;
	uint64_t held_pages;   /* published at each stop */
	uint64_t extra_pages;  /* grabbed by the main lcore's quiet retries */
} __rte_cache_aligned;

/* A reusable spinning barrier (sense by generation). */
struct barrier {
	uint32_t count;
	uint32_t gen;
	uint32_t n;
} __rte_cache_aligned;

static struct {
	uint32_t page_size;
	uint32_t cache;
	uint64_t grabs;
	uint32_t pages;
	uint32_t reserve;
	uint32_t flags;
	uint64_t seed;
} opt = {
	.page_size = 4096,
	.grabs = 10000000,
	.pages = 8192,
	.reserve = 128,
};

static struct labyrinth *lab;
static unsigned int nb_workers;
static unsigned int idx_of_lcore[RTE_MAX_LCORE];
static struct lcore_ctx ctx[RTE_MAX_LCORE];
static struct rte_ring *rings[RTE_MAX_LCORE][RTE_MAX_LCORE]; /* [src][dst] */
static struct barrier bar;
static uint64_t total_pages;
static uint64_t nb_zones;
static uint64_t errors;

#define ERR(fmt, ...) do { \
	/* Relaxed: a counter read after the lcores are joined. */ \
	if (__atomic_fetch_add(&errors, 1, __ATOMIC_RELAXED) < \
			MAX_ERRORS_SHOWN) \
		printf("ERROR [%s():%d] lcore %u: " fmt "\n", __func__, \
			__LINE__, rte_lcore_id(), ##__VA_ARGS__); \
} while (0)

static uint64_t
rnd(struct lcore_ctx *c)
{
	/* xorshift64* */
	uint64_t x = c->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return x * UINT64_C(2685821657736338717);
}

static void drain(struct lcore_ctx *c);

/*
 * Wait until all lcores arrive. With c non-NULL, keep freeing what other
 * lcores send while waiting (they may still be churning).
 */
static void
barrier_wait(struct barrier *b, struct lcore_ctx *c)
{
	/*
	 * Acquire: pairs with the release store of gen below by the last
	 * arriver of the previous round, so the count reset is seen.
	 */
	uint32_t gen = __atomic_load_n(&b->gen, __ATOMIC_ACQUIRE);
	unsigned int spins = 0;

	/*
	 * Acq-rel: release publishes this lcore's writes before the barrier
	 * to the last arriver; acquire (for the last arriver) sees everyone's.
	 */
	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == b->n) {
		/* Relaxed: ordered before the release store of gen. */
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		/*
		 * Release: pairs with the acquire loads of gen by the waiters,
		 * passing on everything the last arriver acquired.
		 */
		__atomic_store_n(&b->gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	/* Acquire: pairs with the release store of gen above. */
	while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == gen) {
		if (c != NULL)
			drain(c);
		rte_pause();
		/* Oversubscribed lcores: let the last arriver run. */
		if (++spins % 1024 == 0)
			sched_yield();
	}
}

static void
stamp_block(struct lcore_ctx *c, uint8_t *p, uint32_t order, uint64_t seq)
{
	uint64_t i;

	for (i = 0; i < (UINT64_C(1) << order); i++) {
		struct stamp *s = (struct stamp *)(p + i * opt.page_size);

		s->magic = STAMP_MAGIC;
		s->owner = (uint16_t)c->lcore;
		s->order = (uint16_t)order;
		s->seq = seq;
	}
}

/*
 * Check the stamps of a block. owner is the lcore that grabbed it; seq is
 * checked unless it is 0 (a remote receiver does not know it).
 */
static int
check_block(const uint8_t *p, uint32_t order, unsigned int owner,
		uint64_t seq)
{
	uint64_t i;

	for (i = 0; i < (UINT64_C(1) << order); i++) {
		const struct stamp *s =
			(const struct stamp *)(p + i * opt.page_size);

		if (s->magic != STAMP_MAGIC || s->owner != owner ||
				s->order != order ||
				(seq != 0 && s->seq != seq)) {
			ERR("page %p (+%" PRIu64 " of order %u, owner %u, "
				"seq %" PRIu64 ") has stamp magic %#x owner %u "
				"order %u seq %" PRIu64 ": held by two owners?",
				p, i, order, owner, seq, s->magic, s->owner,
				s->order, s->seq);
			return -1;
		}
	}
	return 0;
}

static int
is_zero(const uint8_t *p, size_t len)
{
	const uint64_t *w = (const uint64_t *)p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != 0)
			return 0;
	return 1;
}

static void
hold(struct lcore_ctx *c, uint8_t *p, uint32_t order, unsigned int gfp)
{
	struct item *it;

	if (c->nh >= c->held_cap) {
		ERR("held array full");
		return;
	}
	if ((gfp & LABYRINTH_GFP_ZERO) &&
			!is_zero(p, (size_t)opt.page_size << order))
		ERR("GFP_ZERO block %p of order %u not zeroed", p, order);
	it = &c->held[c->nh++];
	c->nh_pages += UINT64_C(1) << order;
	it->p = p;
	it->order = order;
	it->seq = ++c->seq;
	stamp_block(c, p, order, it->seq);
	if ((it->seq & 15) == 0) {
		int o = labyrinth_page_owner(lab, p);

		if (o != (int)c->lcore)
			ERR("page %p just grabbed: owner %d", p, o);
	}
}

/* Free (or give away) held item k. */
static void
release(struct lcore_ctx *c, unsigned int k, int allow_remote)
{
	struct item it = c->held[k];
	int rc;

	c->held[k] = c->held[--c->nh];
	c->nh_pages -= UINT64_C(1) << it.order;
	c->releases++;
	check_block(it.p, it.order, c->lcore, it.seq);
	/*
	 * Remote free, unless too much of this lcore's budget is already in
	 * flight (a preempted receiver would otherwise hoard the pool).
	 * Relaxed: the counter only steers the choice; the page itself
	 * travels through the ring, which orders its contents.
	 */
	if (allow_remote && nb_workers > 1 && rnd(c) % 4 == 0 &&
			__atomic_load_n(&c->inflight, __ATOMIC_RELAXED) <
			c->page_budget / 2) {
		unsigned int dst = rnd(c) % (nb_workers - 1);

		if (dst >= c->idx)
			dst++;
		/* Relaxed: see above; the receiver subtracts. */
		__atomic_fetch_add(&c->inflight, UINT64_C(1) << it.order,
			__ATOMIC_RELAXED);
		if (rte_ring_sp_enqueue(rings[c->idx][dst],
				(void *)((uintptr_t)it.p | it.order)) == 0) {
			c->remote_sent++;
			return;
		}
		/* Relaxed: see above. */
		__atomic_fetch_sub(&c->inflight, UINT64_C(1) << it.order,
			__ATOMIC_RELAXED);
	}
	if (it.order == 0)
		rc = labyrinth_free_page(lab, it.p);
	else
		rc = labyrinth_free_pages(lab, it.p, it.order);
	if (rc != 0)
		ERR("free of %p order %u: %d", it.p, it.order, rc);
	else
		c->frees++;
}

/* Free up to FREE_BULK_MAX random single pages with one free_bulk. */
static void
release_bulk(struct lcore_ctx *c)
{
	void *pages[FREE_BULK_MAX];
	unsigned int n = 0, tries, k, freed;

	for (tries = 0; tries < 2 * FREE_BULK_MAX && c->nh > 0 &&
			n < FREE_BULK_MAX; tries++) {
		k = rnd(c) % c->nh;
		if (c->held[k].order != 0)
			continue;
		check_block(c->held[k].p, 0, c->lcore, c->held[k].seq);
		pages[n++] = c->held[k].p;
		c->held[k] = c->held[--c->nh];
		c->nh_pages--;
	}
	if (n == 0)
		return;
	freed = labyrinth_free_bulk(lab, pages, n);
	if (freed != n)
		ERR("free_bulk freed %u of %u", freed, n);
	c->frees += freed;
}

/* Free what other lcores sent this one. */
static void
drain(struct lcore_ctx *c)
{
	void *objs[DRAIN_BURST];
	unsigned int src, n, i;
	int rc, o;

	for (src = 0; src < nb_workers; src++) {
		if (src == c->idx)
			continue;
		while ((n = rte_ring_sc_dequeue_burst(rings[src][c->idx], objs,
				DRAIN_BURST, NULL)) > 0) {
			for (i = 0; i < n; i++) {
				uintptr_t v = (uintptr_t)objs[i];
				uint32_t order = v & ORDER_MASK;
				uint8_t *p = (uint8_t *)(v & ~(uintptr_t)
					ORDER_MASK);
				unsigned int owner = ctx[src].lcore;

				check_block(p, order, owner, 0);
				o = labyrinth_page_owner(lab, p);
				if (o != (int)owner)
					ERR("page %p sent by lcore %u: owner "
						"%d", p, owner, o);
				rc = order == 0 ? labyrinth_free_page(lab, p) :
					labyrinth_free_pages(lab, p, order);
				if (rc != 0)
					ERR("remote free of %p order %u: %d", p,
						order, rc);
				else
					c->frees++;
				c->remote_recv++;
				/* Relaxed: a budget hint, see release(). */
				__atomic_fetch_sub(&ctx[src].inflight,
					UINT64_C(1) << order, __ATOMIC_RELAXED);
			}
		}
	}
}

/* One grab of a random kind (gfp, single, bulk or block). */
static void
grab_one(struct lcore_ctx *c, int with_atomic)
{
	void *pages[BULK_MAX];
	unsigned int gfp = 0, r, n, i, order;
	uint64_t x = rnd(c);
	uint8_t *p;

	if ((x & 15) == 0)
		gfp |= LABYRINTH_GFP_ZERO;
	if (with_atomic && ((x >> 4) & 31) == 0)
		gfp |= LABYRINTH_GFP_ATOMIC;
	if (((x >> 9) & 63) == 0)
		gfp |= LABYRINTH_GFP_THISNODE;
	r = (x >> 16) % 100;
	c->grab_calls++;
	if (r < 70) {
		p = labyrinth_alloc_page(lab, gfp);
		if (p == NULL)
			goto fail;
		c->alloc_ok++;
		if (gfp & LABYRINTH_GFP_ATOMIC)
			c->atomic_pages++;
		hold(c, p, 0, gfp);
	} else if (r < 85) {
		n = 2 + (unsigned int)((x >> 32) % (BULK_MAX - 1));
		if (labyrinth_alloc_bulk(lab, gfp, pages, n) != n)
			goto fail;
		c->alloc_ok += n;
		if (gfp & LABYRINTH_GFP_ATOMIC)
			c->atomic_pages += n;
		for (i = 0; i < n; i++)
			hold(c, pages[i], 0, gfp);
	} else {
		/* Order 1 half the time, 2 a quarter, ... 9 once in 256. */
		order = 1 + (unsigned int)__builtin_ctzll((x >> 32) |
			(UINT64_C(1) << (LABYRINTH_MAX_ORDER - 1)));
		p = labyrinth_alloc_pages(lab, gfp, order);
		if (p == NULL)
			goto fail;
		c->alloc_ok++;
		if (gfp & LABYRINTH_GFP_ATOMIC)
			c->atomic_pages += 1u << order;
		/* Aligned to its size, up to the 2 MiB memzone alignment. */
		if (((uintptr_t)p & (RTE_MIN((uintptr_t)opt.page_size << order,
				(uintptr_t)2 << 20) - 1)) != 0)
			ERR("order %u block %p misaligned", order, p);
		hold(c, p, order, gfp);
	}
	return;
fail:
	c->grab_fails++;
	if (rte_errno != ENOMEM)
		ERR("grab failed with rte_errno %d", rte_errno);
}

static void
churn(struct lcore_ctx *c, uint64_t calls, int with_atomic)
{
	uint64_t i;

	for (i = 0; i < calls; i++) {
		/* Relaxed: a budget hint, see release(). */
		while (c->nh > 0 && (c->nh >= HELD_MAX || c->nh_pages +
				__atomic_load_n(&c->inflight,
					__ATOMIC_RELAXED) > c->page_budget))
			release(c, rnd(c) % c->nh, 1);
		grab_one(c, with_atomic);
		if (c->nh > 0 && (rnd(c) & 1)) {
			if ((rnd(c) & 7) == 0)
				release_bulk(c);
			else
				release(c, rnd(c) % c->nh, 1);
		}
		if ((i & 15) == 0)
			drain(c);
		if ((i & 4095) == 4095 && (rnd(c) & 7) == 0)
			labyrinth_cache_flush(lab);
	}
}

static void
release_all(struct lcore_ctx *c, int allow_remote)
{
	while (c->nh > 0)
		release(c, c->nh - 1, allow_remote);
}

/* Grab single pages with gfp until NULL; returns how many. */
static uint64_t
grab_until_null(struct lcore_ctx *c, unsigned int gfp)
{
	uint64_t n = 0;
	void *p;

	while (c->nh < c->held_cap) {
		c->grab_calls++;
		p = labyrinth_alloc_page(lab, gfp);
		if (p == NULL) {
			c->grab_fails++;
			if (rte_errno != ENOMEM)
				ERR("grab failed with rte_errno %d", rte_errno);
			break;
		}
		c->alloc_ok++;
		if (gfp & LABYRINTH_GFP_ATOMIC)
			c->atomic_pages++;
		hold(c, p, 0, gfp);
		n++;
	}
	return n;
}

static uint64_t
held_pages(const struct lcore_ctx *c)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < c->nh; i++)
		n += UINT64_C(1) << c->held[i].order;
	return n;
}

/* Stop point: nobody sends any more, everyone drains, counts are exact. */
static void
quiesce(struct lcore_ctx *c)
{
	barrier_wait(&bar, c);
	drain(c);
	c->held_pages = held_pages(c);
	barrier_wait(&bar, NULL);
}

static struct labyrinth_stats
stats(void)
{
	struct labyrinth_stats st;

	memset(&st, 0, sizeof(st));
	if (labyrinth_stats_get(lab, &st) != 0)
		ERR("stats_get failed");
	return st;
}

static uint64_t
sum(size_t off)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < nb_workers; i++)
		s += *(const uint64_t *)((const char *)&ctx[i] + off);
	return s;
}
#define SUM(field) sum(offsetof(struct lcore_ctx, field))

/* Main lcore, everyone else quiet: free + held == total, audit clean. */
static void
check_quiet(const char *when)
{
	uint64_t free_count = labyrinth_free_count(lab);
	uint64_t held = SUM(held_pages);
	int rc = labyrinth_audit(lab);

	printf("%s: free %" PRIu64 " held %" PRIu64 " total %" PRIu64 "\n",
		when, free_count, held, total_pages);
	if (free_count + held != total_pages)
		ERR("%s: free %" PRIu64 " + held %" PRIu64 " != total %"
			PRIu64, when, free_count, held, total_pages);
	if (rc != 0)
		ERR("%s: audit %d", when, rc);
}

static int
worker(void *arg)
{
	struct lcore_ctx *c = &ctx[idx_of_lcore[rte_lcore_id()]];
	int is_main = rte_lcore_id() == rte_get_main_lcore();
	uint64_t calls = opt.grabs / nb_workers;
	uint64_t dips0 = 0;
	struct labyrinth_stats st;
	unsigned int z;

	RTE_SET_USED(arg);
	barrier_wait(&bar, NULL); /* start */

	/* 1. Churn with normal grabs only. */
	churn(c, calls / 2, 0);
	quiesce(c);
	if (is_main) {
		check_quiet("after normal churn");
		st = stats();
		if (st.reserve_dips != 0)
			ERR("%" PRIu64 " reserve dips without GFP_ATOMIC",
				st.reserve_dips);
	}
	barrier_wait(&bar, NULL);

	/* 2. Churn with some GFP_ATOMIC grabs. */
	churn(c, calls - calls / 2, 1);
	quiesce(c);
	if (is_main) {
		check_quiet("after mixed churn");
		st = stats();
		if (st.reserve_dips > SUM(atomic_pages))
			ERR("%" PRIu64 " reserve dips > %" PRIu64
				" ATOMIC pages", st.reserve_dips,
				SUM(atomic_pages));
	}
	barrier_wait(&bar, NULL);

	/* 3. Free everything. */
	release_all(c, 0);
	quiesce(c);
	if (is_main)
		check_quiet("all freed");
	barrier_wait(&bar, NULL);

	/* 4. Normal single grabs until NULL, all lcores at once. */
	grab_until_null(c, LABYRINTH_GFP_NORMAL);
	quiesce(c);
	if (is_main) {
		/* A grab that failed spuriously left pages: take them now. */
		c->extra_pages += grab_until_null(c, LABYRINTH_GFP_NORMAL);
		c->held_pages = held_pages(c);
		check_quiet("normal grabs until NULL");
		st = stats();
		for (z = 0; z < st.nb_zones; z++)
			if (st.zone[z].free != st.zone[z].reserve)
				ERR("zone %u: free %" PRIu64 " after normal "
					"exhaustion, min watermark %" PRIu64,
					z, st.zone[z].free,
					st.zone[z].reserve);
		if (labyrinth_pressure(lab, SOCKET_ID_ANY) !=
				LABYRINTH_PRESSURE_MIN)
			ERR("pressure %d at the min watermark",
				labyrinth_pressure(lab, SOCKET_ID_ANY));
		dips0 = st.reserve_dips;
	}
	barrier_wait(&bar, NULL);

	/* 5. GFP_ATOMIC single grabs until NULL. */
	grab_until_null(c, LABYRINTH_GFP_ATOMIC);
	quiesce(c);
	if (is_main) {
		c->extra_pages += grab_until_null(c, LABYRINTH_GFP_ATOMIC);
		c->held_pages = held_pages(c);
		check_quiet("ATOMIC grabs until NULL");
		st = stats();
		if (st.free != 0)
			ERR("%" PRIu64 " pages free after ATOMIC exhaustion",
				st.free);
		if (st.reserve_dips - dips0 != st.reserve)
			ERR("%" PRIu64 " dips while taking %" PRIu64
				" reserve pages", st.reserve_dips - dips0,
				st.reserve);
	}
	barrier_wait(&bar, NULL);

	/* 6. Free everything, a quarter remotely. */
	release_all(c, 1);
	quiesce(c);
	return 0;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cache", required_argument, NULL, 'c' },
		{ "grabs", required_argument, NULL, 'g' },
		{ "pages", required_argument, NULL, 'p' },
		{ "page-size", required_argument, NULL, 'z' },
		{ "reserve", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "debug", no_argument, NULL, 'd' },
		{ "strict", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	opt.seed = rte_rdtsc();
	optind = 1;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opt.cache = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'g':
			opt.grabs = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			opt.pages = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'z':
			opt.page_size = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			opt.reserve = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 's':
			opt.seed = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			opt.flags |= LABYRINTH_F_DEBUG;
			break;
		case 'S':
			opt.flags |= LABYRINTH_F_STRICT;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static int
setup(void)
{
	struct labyrinth_conf conf = {
		.name = "stress",
		.socket_id = SOCKET_ID_ANY,
		.page_size = opt.page_size,
		.nb_pages = opt.pages,
		.reserve = opt.reserve,
		.cache_size = opt.cache,
		.flags = opt.flags,
	};
	struct labyrinth_stats st;
	unsigned int lc, i, j;
	char name[RTE_RING_NAMESIZE];

	lab = labyrinth_create(&conf);
	if (lab == NULL) {
		printf("labyrinth_create: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	st = stats();
	total_pages = st.pages;
	nb_zones = st.nb_zones;

	nb_workers = 0;
	RTE_LCORE_FOREACH(lc) {
		struct lcore_ctx *c = &ctx[nb_workers];

		idx_of_lcore[lc] = nb_workers;
		c->lcore = lc;
		c->idx = nb_workers;
		/* Never 0 (xorshift's fixed point). */
		c->rng = (opt.seed ^ (UINT64_C(0x9e3779b97f4a7c15) *
			(lc + 1))) | 1;
		c->held_cap = (unsigned int)total_pages + HELD_MAX + BULK_MAX;
		/*
		 * Together the lcores may hold every page (caches and pages in
		 * flight come on top): the pool runs into its watermarks now
		 * and then.
		 */
		c->page_budget = total_pages / rte_lcore_count();
		c->held = calloc(c->held_cap, sizeof(*c->held));
		if (c->held == NULL)
			return -1;
		nb_workers++;
	}
	for (i = 0; i < nb_workers; i++)
		for (j = 0; j < nb_workers; j++) {
			if (i == j)
				continue;
			snprintf(name, sizeof(name), "st_%u_%u", i, j);
			rings[i][j] = rte_ring_create(name, RING_SIZE,
				(int)rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (rings[i][j] == NULL) {
				printf("rte_ring_create: %s\n",
					rte_strerror(rte_errno));
				return -1;
			}
		}
	bar.n = nb_workers;
	return 0;
}

static void
final_checks(void)
{
	struct labyrinth_stats st = stats();
	uint64_t alloc_ok = SUM(alloc_ok), frees = SUM(frees);

	check_quiet("end");
	if (SUM(held_pages) != 0)
		ERR("%" PRIu64 " pages still held", SUM(held_pages));
	if (st.free != total_pages)
		ERR("free %" PRIu64 " != total %" PRIu64, st.free, total_pages);
	if (st.alloc_ok != alloc_ok)
		ERR("stats.alloc_ok %" PRIu64 ", lcores counted %" PRIu64,
			st.alloc_ok, alloc_ok);
	if (st.frees != frees)
		ERR("stats.frees %" PRIu64 ", lcores counted %" PRIu64,
			st.frees, frees);
	if (alloc_ok != frees)
		ERR("%" PRIu64 " grabs but %" PRIu64 " frees", alloc_ok,
			frees);
	if (st.bad_frees != 0)
		ERR("%" PRIu64 " bad frees", st.bad_frees);
	if (st.poison_errors != 0)
		ERR("%" PRIu64 " poison errors", st.poison_errors);
	if (SUM(remote_sent) != SUM(remote_recv))
		ERR("%" PRIu64 " pages sent, %" PRIu64 " received",
			SUM(remote_sent), SUM(remote_recv));

	printf("grab calls %" PRIu64 " (failed %" PRIu64 "), alloc_ok %"
		PRIu64 ", ATOMIC pages %" PRIu64 ", remote frees %" PRIu64
		" of %" PRIu64 ", quiet retries got %" PRIu64 " pages\n",
		SUM(grab_calls), SUM(grab_fails), alloc_ok, SUM(atomic_pages),
		SUM(remote_sent), SUM(releases), SUM(extra_pages));
	printf("stats: alloc_fail %" PRIu64 " reserve_dips %" PRIu64
		" remote_allocs %" PRIu64 " cache_refills %" PRIu64
		" cache_flushes %" PRIu64 "\n", st.alloc_fail, st.reserve_dips,
		st.remote_allocs, st.cache_refills, st.cache_flushes);
}

int
main(int argc, char **argv)
{
	uint64_t t0, t1;
	unsigned int i, j;
	int ret;

	ret = lt_eal_init(argc, argv);
	argc -= ret;
	argv += ret;
	if (parse_args(argc, argv) != 0) {
		printf("bad arguments\n");
		return 1;
	}
	if (rte_lcore_count() < 2) {
		printf("needs at least 2 lcores\n");
		return LT_SKIP;
	}
	printf("seed %" PRIu64 " (rerun with -- --seed %" PRIu64 ")\n",
		opt.seed, opt.seed);
	if (setup() != 0)
		return 1;
	printf("%u lcores, %" PRIu64 " zone(s) of %u pages of %u B, "
		"reserve %u, cache %u%s%s, %" PRIu64 " grab calls to churn\n",
		nb_workers, nb_zones, opt.pages, opt.page_size, opt.reserve,
		opt.cache, (opt.flags & LABYRINTH_F_DEBUG) ? ", debug" : "",
		(opt.flags & LABYRINTH_F_STRICT) ? ", strict" : "", opt.grabs);

	t0 = rte_get_timer_cycles();
	rte_eal_mp_remote_launch(worker, NULL, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	t1 = rte_get_timer_cycles();
	printf("%.2f s\n", (double)(t1 - t0) / (double)rte_get_timer_hz());

	final_checks();
	/* Relaxed: every lcore has been joined. */
	if (__atomic_load_n(&errors, __ATOMIC_RELAXED) == 0 &&
			labyrinth_destroy(lab) != 0)
		ERR("destroy failed");
	for (i = 0; i < nb_workers; i++) {
		for (j = 0; j < nb_workers; j++)
			rte_ring_free(rings[i][j]);
		free(ctx[i].held);
	}
	rte_eal_cleanup();
	/* Relaxed: every lcore has been joined. */
	ret = __atomic_load_n(&errors, __ATOMIC_RELAXED) != 0;
	printf("%s\n", ret ? "FAILED" : "passed");
	return ret;
}
