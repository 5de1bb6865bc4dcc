/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Unit tests of plain pthreads (no lcore id, no cache): grabbing, freeing,
 * ownership (LABYRINTH_OWNER_NON_EAL), the reserve, pages passed between a
 * pthread and an lcore, and several pthreads churning together with an EAL
 * worker lcore.
 */

#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_pause.h>

#include "labyrinth.h"
#include "labyrinth_test.h"
#include "unit_common.h"

#define PS 4096u

/* Run fn(arg) on a plain pthread and wait for it. */
static int
run_pthread(void *(*fn)(void *), void *arg)
{
	pthread_t th;

	if (pthread_create(&th, NULL, fn, arg) != 0)
		return -1;
	return pthread_join(th, NULL) == 0 ? 0 : -1;
}

struct single_arg {
	struct labyrinth *lab;
	uint32_t nb;
	uint32_t reserve;
	void *kept[16]; /* handed to the main lcore to free */
	unsigned int nb_kept;
	int rc;
};

/* The body of test_non_eal_basic, on a pthread: LT_ASSERT returns -1. */
static int
single_body(struct single_arg *a)
{
	static void *pages[1024];
	struct labyrinth_stats st;
	unsigned int n = 0, i;
	uint8_t *p, *blk;

	LT_ASSERT_EQ(rte_lcore_id(), LCORE_ID_ANY, "a plain pthread");
	p = labyrinth_alloc_page(a->lab, LABYRINTH_GFP_ZERO);
	LT_ASSERT(p != NULL, "");
	LT_ASSERT(ut_all_bytes(p, PS, 0), "");
	LT_ASSERT_EQ(labyrinth_page_owner(a->lab, p), LABYRINTH_OWNER_NON_EAL,
		"");
	blk = labyrinth_alloc_pages(a->lab, 0, 3);
	LT_ASSERT(blk != NULL, "");
	for (i = 0; i < 8; i++)
		LT_ASSERT_EQ(labyrinth_page_owner(a->lab, blk + i * PS),
			LABYRINTH_OWNER_NON_EAL, "block page %u", i);
	LT_ASSERT_EQ(labyrinth_alloc_bulk(a->lab, 0, a->kept, 16), 16, "");
	for (i = 0; i < 16; i++)
		LT_ASSERT_EQ(labyrinth_page_owner(a->lab, a->kept[i]),
			LABYRINTH_OWNER_NON_EAL, "");
	a->nb_kept = 16;

	/* No cache for a thread without an lcore id. */
	labyrinth_cache_flush(a->lab);
	st = ut_stats(a->lab);
	LT_ASSERT_EQ(st.zone[0].cached, 0, "");
	LT_ASSERT_EQ(st.cache_refills, 0, "");
	LT_ASSERT_EQ(st.free, a->nb - 1 - 8 - 16, "");

	LT_ASSERT_EQ(labyrinth_free_page(a->lab, p), 0, "");
	LT_ASSERT_EQ(labyrinth_page_owner(a->lab, p), -ENOENT, "");
	LT_ASSERT_EQ(labyrinth_free_page(a->lab, p), -EALREADY, "");
	LT_ASSERT_EQ(labyrinth_free_page(a->lab, blk), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_pages(a->lab, blk, 3), 0, "");

	/* The reserve holds for pthreads too. */
	while ((pages[n] = labyrinth_alloc_page(a->lab, 0)) != NULL)
		n++;
	LT_ASSERT_EQ(rte_errno, ENOMEM, "");
	LT_ASSERT_EQ(n, a->nb - a->reserve - 16, "normal grabs");
	while ((pages[n] = labyrinth_alloc_page(a->lab, LABYRINTH_GFP_ATOMIC))
			!= NULL)
		n++;
	LT_ASSERT_EQ(n, a->nb - 16, "ATOMIC grabs");
	LT_ASSERT_EQ(ut_stats(a->lab).reserve_dips, a->reserve, "");
	LT_ASSERT_EQ(labyrinth_free_bulk(a->lab, pages, n), n, "");
	LT_ASSERT_EQ(labyrinth_free_count(a->lab), a->nb - 16, "");
	return 0;
}

static void *
single_thread(void *arg)
{
	struct single_arg *a = arg;

	a->rc = single_body(a);
	return NULL;
}

static int
test_non_eal_basic(void)
{
	struct single_arg a = { .nb = 512, .reserve = 32 };
	unsigned int i;

	a.lab = ut_create("ut_noneal", PS, a.nb, a.reserve, 32, 0);
	LT_ASSERT(a.lab != NULL, "");
	LT_ASSERT_EQ(run_pthread(single_thread, &a), 0, "pthread");
	LT_ASSERT_EQ(a.rc, 0, "in the pthread");
	LT_ASSERT_EQ(labyrinth_audit(a.lab), 0, "");
	/* The main lcore frees what the pthread grabbed. */
	for (i = 0; i < a.nb_kept; i++) {
		LT_ASSERT_EQ(labyrinth_page_owner(a.lab, a.kept[i]),
			LABYRINTH_OWNER_NON_EAL, "");
		LT_ASSERT_EQ(labyrinth_free_page(a.lab, a.kept[i]), 0, "");
	}
	LT_ASSERT_EQ(labyrinth_free_count(a.lab), a.nb, "");
	LT_ASSERT_EQ(labyrinth_audit(a.lab), 0, "");
	LT_ASSERT_EQ(ut_stats(a.lab).bad_frees, 2, "");
	LT_ASSERT_EQ(labyrinth_destroy(a.lab), 0, "");
	return 0;
}

/* A pthread frees pages the main lcore grabbed. */
struct free_arg {
	struct labyrinth *lab;
	void **pages;
	unsigned int n;
	int rc;
};

static void *
free_thread(void *arg)
{
	struct free_arg *a = arg;
	unsigned int i;

	a->rc = 0;
	for (i = 0; i < a->n; i++)
		if (labyrinth_free_page(a->lab, a->pages[i]) != 0)
			a->rc = -1;
	return NULL;
}

static int
test_non_eal_frees_lcore_pages(void)
{
	const uint32_t nb = 256;
	void *pages[64];
	struct free_arg a;
	unsigned int i;

	a.lab = ut_create("ut_noneal_f", PS, nb, 0, 16, 0);
	LT_ASSERT(a.lab != NULL, "");
	for (i = 0; i < 64; i++) {
		pages[i] = labyrinth_alloc_page(a.lab, 0);
		LT_ASSERT(pages[i] != NULL, "");
	}
	a.pages = pages;
	a.n = 64;
	LT_ASSERT_EQ(run_pthread(free_thread, &a), 0, "");
	LT_ASSERT_EQ(a.rc, 0, "frees on the pthread");
	for (i = 0; i < 64; i++)
		LT_ASSERT_EQ(labyrinth_page_owner(a.lab, pages[i]), -ENOENT,
			"");
	LT_ASSERT_EQ(labyrinth_free_count(a.lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(a.lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(a.lab), 0, "");
	return 0;
}

/*
 * Several pthreads and one EAL worker churn together; each stamps its
 * pages and checks the stamp before freeing them.
 */
#define CHURN_THREADS 4
#define CHURN_ITERS 100000u
#define CHURN_HELD 32u

struct churn_arg {
	struct labyrinth *lab;
	uint32_t id;
	uint32_t seed;
	int *go;
	uint64_t grabs;
	uint64_t errors;
};

static uint32_t
xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

static void
churn(struct churn_arg *a)
{
	void *held[CHURN_HELD];
	uint64_t seq[CHURN_HELD];
	unsigned int nh = 0, k, it;
	uint64_t s = 0;
	uint64_t *w;

	/* Relaxed is enough: the flag only starts the race, no data. */
	while (__atomic_load_n(a->go, __ATOMIC_RELAXED) == 0)
		rte_pause();
	for (it = 0; it < CHURN_ITERS; it++) {
		if (nh < CHURN_HELD && (xorshift32(&a->seed) & 1)) {
			w = labyrinth_alloc_page(a->lab, 0);
			if (w == NULL)
				continue;
			a->grabs++;
			w[0] = a->id;
			w[1] = ++s;
			held[nh] = w;
			seq[nh++] = s;
		} else if (nh > 0) {
			k = xorshift32(&a->seed) % nh;
			w = held[k];
			if (w[0] != a->id || w[1] != seq[k])
				a->errors++;
			if (labyrinth_free_page(a->lab, w) != 0)
				a->errors++;
			held[k] = held[--nh];
			seq[k] = seq[nh];
		}
	}
	while (nh > 0) {
		w = held[--nh];
		if (w[0] != a->id || w[1] != seq[nh])
			a->errors++;
		if (labyrinth_free_page(a->lab, w) != 0)
			a->errors++;
	}
}

static void *
churn_thread(void *arg)
{
	churn(arg);
	return NULL;
}

static int
churn_lcore(void *arg)
{
	churn(arg);
	return 0;
}

static int
test_non_eal_concurrent(void)
{
	const uint32_t nb = 256;
	struct churn_arg a[CHURN_THREADS + 1];
	pthread_t th[CHURN_THREADS];
	unsigned int i, worker;
	uint64_t grabs = 0;
	int go = 0;
	struct labyrinth *lab;
	int rc;

	lab = ut_create("ut_noneal_c", PS, nb, 8, 16, 0);
	LT_ASSERT(lab != NULL, "");
	for (i = 0; i <= CHURN_THREADS; i++)
		a[i] = (struct churn_arg){ .lab = lab, .id = 1000 + i,
			.seed = 0x9e3779b9u * (i + 1), .go = &go };
	for (i = 0; i < CHURN_THREADS; i++) {
		rc = pthread_create(&th[i], NULL, churn_thread, &a[i]);
		LT_ASSERT_EQ(rc, 0, "pthread_create");
	}
	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker < RTE_MAX_LCORE)
		LT_ASSERT_EQ(rte_eal_remote_launch(churn_lcore,
			&a[CHURN_THREADS], worker), 0, "");
	/* Relaxed is enough: the flag only starts the race, no data. */
	__atomic_store_n(&go, 1, __ATOMIC_RELAXED);
	for (i = 0; i < CHURN_THREADS; i++)
		pthread_join(th[i], NULL);
	if (worker < RTE_MAX_LCORE)
		rte_eal_wait_lcore(worker);
	for (i = 0; i <= CHURN_THREADS; i++) {
		LT_ASSERT_EQ(a[i].errors, 0, "thread %u", i);
		grabs += a[i].grabs;
	}
	printf("%" PRIu64 " grabs by %u pthreads%s\n", grabs, CHURN_THREADS,
		worker < RTE_MAX_LCORE ? " and one lcore" : "");
	LT_ASSERT(grabs > CHURN_ITERS, "too few grabs");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(ut_stats(lab).bad_frees, 0, "");
	LT_ASSERT_EQ(ut_stats(lab).alloc_ok, grabs, "");
	LT_ASSERT_EQ(ut_stats(lab).frees, grabs, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_non_eal_basic, failures);
	LT_RUN(test_non_eal_frees_lcore_pages, failures);
	LT_RUN(test_non_eal_concurrent, failures);

	rte_eal_cleanup();
	printf("%d failed\n", failures);
	return failures == 0 ? 0 : 1;
}
