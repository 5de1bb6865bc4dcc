/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Stress of the labyrinth mempool driver: every lcore (run it with
 * --lcores '(0-7)@(0,1)', 8 lcores on 2 CPUs, so that preemption lands in
 * the middle of operations) gets and puts random bursts. Each object is
 * stamped with its holder when got and checked when put; a get that finds
 * a stamped object, or a put that finds someone else's stamp, is a double
 * allocation. After a fixed number of operations (default 10 million get
 * or put calls in all) the counts must be back to full, the driver's
 * structure must audit clean, and the main lcore must be able to get every
 * object exactly once.
 *
 * Application arguments (after --):
 *   [cache_size [ops_name [total_ops [seed]]]]
 * (ops_name "labyrinth" by default, or "labyrinth_strict").
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_random.h>

#include "mempool_test.h"

#define POOL_SIZE 1000 /* small: gets fail, the all-or-nothing path runs */
#define ELT_SIZE 128
#define HOLD_MAX 192
#define BURST_MAX 16
#define STAMP_MAGIC 0x57a3b1e5u

/* Stamp at the start of each object. holder 0 = free. */
struct stamp {
	uint32_t holder; /* lcore id + 1 */
	uint32_t magic;
	uint64_t seq;
};

struct worker {
	uint64_t ops;       /* get/put calls to do */
	uint64_t seed;
	uint64_t gets, puts, get_fails;
	uint64_t errors;
} __rte_cache_aligned;

static struct rte_mempool *mp;
static struct worker workers[RTE_MAX_LCORE];
static uint32_t start_flag;

static inline uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static int
worker_main(void *arg __rte_unused)
{
	unsigned int lcore = rte_lcore_id();
	struct worker *w = &workers[lcore];
	void *held[HOLD_MAX];
	uint64_t seqs[HOLD_MAX];
	uint64_t op, rnd, seq = 0;
	unsigned int nheld = 0, n, i, k;
	struct stamp *s;

	/* Start barrier: the main lcore releases everyone at once. Acquire
	 * pairs with its release store; nothing else is shared. */
	while (__atomic_load_n(&start_flag, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	for (op = 0; op < w->ops; op++) {
		rnd = xorshift(&w->seed);
		n = 1 + rnd % BURST_MAX;
		if (nheld + n <= HOLD_MAX && (nheld == 0 || (rnd >> 8) & 1)) {
			if (rte_mempool_get_bulk(mp, &held[nheld], n) != 0) {
				w->get_fails++;
				continue;
			}
			for (i = nheld; i < nheld + n; i++) {
				s = held[i];
				if (s->holder != 0 || s->magic != STAMP_MAGIC) {
					printf("lcore %u: got %p held by %u "
						"(magic %x)\n", lcore, held[i],
						s->holder - 1, s->magic);
					w->errors++;
				}
				s->holder = lcore + 1;
				s->seq = seqs[i] = ++seq;
			}
			nheld += n;
			w->gets += n;
		} else {
			n = RTE_MIN(n, nheld);
			/* Put n random held objects. */
			for (i = 0; i < n; i++) {
				k = i + (unsigned int)(xorshift(&w->seed) %
						(nheld - i));
				RTE_SWAP(held[i], held[k]);
				RTE_SWAP(seqs[i], seqs[k]);
				s = held[i];
				if (s->holder != lcore + 1 || s->seq != seqs[i]) {
					printf("lcore %u: object %p stamped by "
						"%u seq %" PRIu64 " (mine %"
						PRIu64 ")\n", lcore, held[i],
						s->holder - 1, s->seq, seqs[i]);
					w->errors++;
				}
				s->holder = 0;
			}
			rte_mempool_put_bulk(mp, held, n);
			memmove(held, &held[n], (nheld - n) * sizeof(held[0]));
			memmove(seqs, &seqs[n], (nheld - n) * sizeof(seqs[0]));
			nheld -= n;
			w->puts += n;
		}
	}
	for (i = 0; i < nheld; i++)
		((struct stamp *)held[i])->holder = 0;
	rte_mempool_put_bulk(mp, held, nheld);
	w->puts += nheld;
	if (mp->cache_size != 0)
		rte_mempool_cache_flush(rte_mempool_default_cache(mp, lcore),
			mp);
	/* Nothing more: every object returned is in the map already, so
	 * the main lcore can reach each one. */
	return 0;
}

static void
init_obj(struct rte_mempool *pool __rte_unused, void *arg __rte_unused,
		void *obj, unsigned int idx __rte_unused)
{
	struct stamp *s = obj;

	s->holder = 0;
	s->magic = STAMP_MAGIC;
	s->seq = 0;
}

int
main(int argc, char **argv)
{
	const char *ops = LABYRINTH_MEMPOOL_OPS_NAME;
	unsigned int cache = 0, lcore, nb_lcores, i;
	uint64_t total = 10 * 1000 * 1000, seed, t0, errors = 0;
	uint64_t gets = 0, puts = 0, fails = 0;
	void **all;
	int ret;

	ret = lt_eal_init(argc, argv);
	argc -= ret;
	argv += ret;
	if (argc > 1)
		cache = (unsigned int)strtoul(argv[1], NULL, 0);
	if (argc > 2)
		ops = argv[2];
	if (argc > 3)
		total = strtoull(argv[3], NULL, 0);
	seed = argc > 4 ? strtoull(argv[4], NULL, 0) : rte_rdtsc();
	nb_lcores = rte_lcore_count();
	printf("stress: ops %s, %u lcores, cache %u, %" PRIu64 " operations, "
		"seed %" PRIu64 "\n", ops, nb_lcores, cache, total, seed);
	if (nb_lcores < 2) {
		printf("needs at least 2 lcores\n");
		return LT_SKIP;
	}

	mp = rte_mempool_create_empty("stress", POOL_SIZE, ELT_SIZE, cache, 0,
			SOCKET_ID_ANY, 0);
	if (mp == NULL || rte_mempool_set_ops_byname(mp, ops, NULL) != 0 ||
			rte_mempool_populate_default(mp) != POOL_SIZE) {
		printf("cannot create the pool\n");
		return 1;
	}
	rte_mempool_obj_iter(mp, init_obj, NULL);

	RTE_LCORE_FOREACH(lcore) {
		workers[lcore].ops = total / nb_lcores;
		workers[lcore].seed = (seed ^ (0x9e3779b97f4a7c15ull *
				(lcore + 1))) | 1;
	}
	t0 = rte_get_timer_cycles();
	rte_eal_mp_remote_launch(worker_main, NULL, SKIP_MAIN);
	/* Release the start barrier; pairs with the workers' acquire. */
	__atomic_store_n(&start_flag, 1, __ATOMIC_RELEASE);
	ret = worker_main(NULL);
	RTE_LCORE_FOREACH_WORKER(lcore)
		ret |= rte_eal_wait_lcore(lcore);
	RTE_LCORE_FOREACH(lcore) {
		errors += workers[lcore].errors;
		gets += workers[lcore].gets;
		puts += workers[lcore].puts;
		fails += workers[lcore].get_fails;
	}
	printf("%.2f s: %" PRIu64 " objects got, %" PRIu64 " put, %" PRIu64
		" failed gets, %" PRIu64 " stamp errors\n",
		(double)(rte_get_timer_cycles() - t0) / rte_get_timer_hz(),
		gets, puts, fails, errors);
	if (ret != 0 || errors != 0 || gets != puts) {
		printf("FAILED: ret %d\n", ret);
		return 1;
	}
	if (rte_mempool_avail_count(mp) != POOL_SIZE ||
			rte_mempool_in_use_count(mp) != 0 || mt_audit(mp) != 0) {
		printf("FAILED: avail %u in use %u\n",
			rte_mempool_avail_count(mp),
			rte_mempool_in_use_count(mp));
		return 1;
	}
	/* Every object, once, from the main lcore. */
	all = calloc(POOL_SIZE + 1, sizeof(*all));
	if (all == NULL ||
			rte_mempool_get_bulk(mp, all, POOL_SIZE) != 0 ||
			rte_mempool_get(mp, &all[POOL_SIZE]) == 0) {
		printf("FAILED: cannot get exactly every object\n");
		return 1;
	}
	for (i = 0; i < POOL_SIZE; i++)
		if (((struct stamp *)all[i])->holder != 0 ||
				((struct stamp *)all[i])->magic !=
				STAMP_MAGIC) {
			printf("FAILED: object %p still stamped\n", all[i]);
			return 1;
		} else {
			((struct stamp *)all[i])->holder = 1;
		}
	rte_mempool_put_bulk(mp, all, POOL_SIZE);
	if (rte_mempool_avail_count(mp) != POOL_SIZE) {
		printf("FAILED: final count %u\n", rte_mempool_avail_count(mp));
		return 1;
	}
	free(all);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	printf("ok\n");
	return 0;
}
