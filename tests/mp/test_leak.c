/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The leak finder: labyrinth_held_walk() with a minimum age reports the
 * blocks held at least that long, with their owner, and nothing younger.
 */

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "labyrinth.h"
#include "labyrinth_test.h"

#define OLD_US 20000u   /* the walk's minimum age */
#define SLEEP_US 50000u /* how long the old block is held */

struct seen {
	unsigned int n;
	struct labyrinth_held_info last;
};

static void
record(const struct labyrinth_held_info *info, void *arg)
{
	struct seen *s = arg;

	s->n++;
	s->last = *info;
}

static int
test_leak_finder(void)
{
	struct labyrinth_conf conf = {
		.name = "leak", .socket_id = SOCKET_ID_ANY, .nb_pages = 256,
		.cache_size = 8,
	};
	struct labyrinth *lab = labyrinth_create(&conf);
	struct seen s = { 0 };
	void *old, *young, *block;
	int n;

	LT_ASSERT(lab != NULL, "create: %s", rte_strerror(rte_errno));
	old = labyrinth_alloc_page(lab, 0);
	block = labyrinth_alloc_pages(lab, 0, 2);
	LT_ASSERT(old != NULL && block != NULL, "grab");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, block, 2), 0, "free block");
	usleep(SLEEP_US);
	/* The grab stamps come from a coarse clock that an EAL alarm moves on;
	 * on a loaded machine the alarm may be late, and a page grabbed now
	 * would carry the old stamp. Grab again until the clock has moved. */
	for (n = 0; ; n++) {
		young = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(young != NULL, "grab");
		if (labyrinth_held_walk(lab, OLD_US, NULL, NULL) == 1)
			break;
		LT_ASSERT(n < 300, "the coarse clock did not move in 3 s");
		LT_ASSERT_EQ(labyrinth_free_page(lab, young), 0, "free");
		usleep(10000);
	}

	n = labyrinth_held_walk(lab, OLD_US, record, &s);
	LT_ASSERT_EQ(n, 1, "blocks held >= %u us", OLD_US);
	LT_ASSERT_EQ(s.n, 1, "callbacks");
	LT_ASSERT(s.last.page == old, "reported %p, want %p", s.last.page, old);
	LT_ASSERT_EQ(s.last.order, 0, "order");
	LT_ASSERT_EQ(s.last.owner, (int)rte_lcore_id(), "owner");
	LT_ASSERT(s.last.age_us >= OLD_US && s.last.age_us < 10u * 1000000u,
		"age %lu us", (unsigned long)s.last.age_us);
	/* every held block, young one included, at min_age 0 */
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 2, "all held");

	/* a freed block is no longer reported */
	LT_ASSERT_EQ(labyrinth_free_page(lab, old), 0, "free");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, OLD_US, NULL, NULL), 0,
		"after the free");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 1, "young");
	LT_ASSERT_EQ(labyrinth_free_page(lab, young), 0, "free");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 0, "none");
	LT_ASSERT_EQ(labyrinth_held_walk(NULL, 0, NULL, NULL), -EINVAL, "NULL");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "destroy");
	return 0;
}

/* A page grabbed by a non-EAL thread is reported with that owner. */
static void *
non_eal_grab(void *arg)
{
	return labyrinth_alloc_page(arg, 0);
}

static int
test_leak_owner_non_eal(void)
{
	struct labyrinth_conf conf = {
		.name = "leak2", .socket_id = SOCKET_ID_ANY, .nb_pages = 64,
	};
	struct labyrinth *lab = labyrinth_create(&conf);
	struct seen s = { 0 };
	pthread_t t;
	void *p = NULL;

	LT_ASSERT(lab != NULL, "create: %s", rte_strerror(rte_errno));
	LT_ASSERT_EQ(pthread_create(&t, NULL, non_eal_grab, lab), 0, "thread");
	LT_ASSERT_EQ(pthread_join(t, &p), 0, "join");
	LT_ASSERT(p != NULL, "non-EAL grab");
	usleep(SLEEP_US);
	LT_ASSERT_EQ(labyrinth_held_walk(lab, OLD_US, record, &s), 1, "walk");
	LT_ASSERT(s.last.page == p, "page");
	LT_ASSERT_EQ(s.last.owner, LABYRINTH_OWNER_NON_EAL, "owner");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "free");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "destroy");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	lt_eal_init(argc, argv);
	LT_RUN(test_leak_finder, failures);
	LT_RUN(test_leak_owner_non_eal, failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
