/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_UNIT_COMMON_H
#define LABYRINTH_UNIT_COMMON_H

/*
 * Helpers shared by the unit tests of lib/labyrinth. The tests are written
 * from the contract in labyrinth.h, not from the implementation.
 */

#include <stdint.h>
#include <stdlib.h>

#include <rte_lcore.h>
#include <rte_memory.h>

#include "labyrinth.h"
#include "labyrinth_test.h"

/*
 * A single-zone labyrinth on the caller's socket (so that counts are exact
 * on machines with several sockets too). A counter is appended to the
 * name, so that a failed test that could not destroy its labyrinth does
 * not make the next ones fail with EEXIST.
 */
static inline struct labyrinth *
ut_create(const char *name, uint32_t page_size, uint32_t nb_pages,
		uint32_t reserve, uint32_t cache_size, uint32_t flags)
{
	static unsigned int seq;
	char unique[LABYRINTH_NAMESIZE];
	struct labyrinth_conf conf = {
		.name = unique,
		.socket_id = (int)rte_socket_id(),
		.page_size = page_size,
		.nb_pages = nb_pages,
		.reserve = reserve,
		.cache_size = cache_size,
		.flags = flags,
	};
	struct labyrinth *lab;

	snprintf(unique, sizeof(unique), "%.10s%u", name, seq++ % 10000);
	lab = labyrinth_create(&conf);
	if (lab == NULL)
		printf("labyrinth_create(%s, page_size %u, nb_pages %u, "
			"reserve %u, cache %u, flags %#x) failed: %s\n", unique,
			page_size, nb_pages, reserve, cache_size, flags,
			rte_strerror(rte_errno));
	return lab;
}

/* Statistics, or a zeroed struct (and a message) if they can't be read. */
static inline struct labyrinth_stats
ut_stats(const struct labyrinth *lab)
{
	struct labyrinth_stats st;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = labyrinth_stats_get(lab, &st);
	if (rc != 0)
		printf("labyrinth_stats_get failed: %d\n", rc);
	return st;
}

/* Zone statistics of the zone on socket_id, or NULL. */
static inline const struct labyrinth_zone_stats *
ut_zone(const struct labyrinth_stats *st, int socket_id)
{
	uint32_t i;

	for (i = 0; i < st->nb_zones && i < LABYRINTH_MAX_ZONES; i++)
		if (st->zone[i].socket_id == socket_id)
			return &st->zone[i];
	return NULL;
}

static inline int
ut_cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void * const *)a;
	uintptr_t y = (uintptr_t)*(void * const *)b;

	return x < y ? -1 : x > y;
}

/*
 * Check that n pages (each page_size bytes) are distinct, page-aligned and
 * do not overlap. Sorts pages[]. Returns 0 or -1.
 */
static inline int
ut_check_distinct(void **pages, unsigned int n, uint32_t page_size)
{
	unsigned int i;

	qsort(pages, n, sizeof(pages[0]), ut_cmp_ptr);
	for (i = 0; i < n; i++) {
		LT_ASSERT(((uintptr_t)pages[i] & (page_size - 1)) == 0,
			"page %p not aligned to %u", pages[i], page_size);
		if (i > 0)
			LT_ASSERT((uintptr_t)pages[i] >=
				(uintptr_t)pages[i - 1] + page_size,
				"pages %p and %p overlap (page size %u)",
				pages[i - 1], pages[i], page_size);
	}
	return 0;
}

/* Whether len bytes at p all equal c. */
static inline int
ut_all_bytes(const void *p, size_t len, uint8_t c)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

/* Free n single pages one by one, asserting success. */
static inline int
ut_free_all(struct labyrinth *lab, void **pages, unsigned int n)
{
	unsigned int i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = labyrinth_free_page(lab, pages[i]);
		LT_ASSERT_EQ(rc, 0, "freeing page %u (%p)", i, pages[i]);
	}
	return 0;
}

#endif /* LABYRINTH_UNIT_COMMON_H */
