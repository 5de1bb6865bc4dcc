/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Unit tests of the NUMA fallback order, on a topology injected with
 * labyrinth_topology_inject(): three sockets in a line,
 *
 *     socket 0 --20-- socket 1 --20-- socket 2      (0 to 2: 30)
 *
 * with lcore 0 on socket 0, lcore 1 on socket 1 and lcore 2 on socket 2.
 * Run with three lcores, e.g. --lcores '(0-2)@(0,1)'.
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_launch.h>
#include <rte_lcore.h>

#include "labyrinth.h"
#include "labyrinth_test.h"
#include "labyrinth_topology_priv.h"
#include "unit_common.h"

#define NB 256u
#define MAX_PAGES (4 * NB)

static void *pages[MAX_PAGES];

static void
line_topology(struct labyrinth_topology *t)
{
	static const uint8_t dist[3][3] = {
		{ 10, 20, 30 },
		{ 20, 10, 20 },
		{ 30, 20, 10 },
	};
	unsigned int i, j;

	memset(t, 0, sizeof(*t));
	t->nb_sockets = 3;
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			t->distance[i][j] = dist[i][j];
	for (i = 0; i < RTE_MAX_LCORE; i++)
		t->lcore_socket[i] = -1;
	t->lcore_socket[0] = 0;
	t->lcore_socket[1] = 1;
	t->lcore_socket[2] = 2;
}

/* Lcores 0, 1 and 2 must exist, lcore 0 being the main one. */
static int
have_lcores(void)
{
	if (rte_get_main_lcore() != 0 || !rte_lcore_is_enabled(1) ||
			!rte_lcore_is_enabled(2)) {
		printf("needs lcores 0 (main), 1 and 2\n");
		return 0;
	}
	return 1;
}

static struct labyrinth *
create_any(const char *name, uint32_t reserve, uint32_t cache)
{
	struct labyrinth_conf conf = {
		.name = name,
		.socket_id = SOCKET_ID_ANY,
		.page_size = 4096,
		.nb_pages = NB,
		.reserve = reserve,
		.cache_size = cache,
	};
	struct labyrinth *lab = labyrinth_create(&conf);

	if (lab == NULL)
		printf("create %s: %s\n", name, rte_strerror(rte_errno));
	return lab;
}

static int
check_order(const struct labyrinth *lab, int socket, int a, int b, int c)
{
	int s[LABYRINTH_MAX_ZONES];
	int n;

	memset(s, 0xff, sizeof(s));
	n = labyrinth_fallback_order(lab, socket, s, LABYRINTH_MAX_ZONES);
	LT_ASSERT_EQ(n, 3, "zones in the order of socket %d", socket);
	LT_ASSERT(s[0] == a && s[1] == b && s[2] == c,
		"socket %d: order %d %d %d, expected %d %d %d", socket, s[0],
		s[1], s[2], a, b, c);
	return 0;
}

static int
test_inject_bad(void)
{
	struct labyrinth_topology t;

	line_topology(&t);
	t.nb_sockets = 0;
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), -EINVAL, "0 sockets");
	t.nb_sockets = LABYRINTH_TOPO_MAX + 1;
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), -EINVAL, "too many");
	line_topology(&t);
	t.lcore_socket[1] = 3;
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), -EINVAL,
		"lcore on socket 3 of 3");
	t.lcore_socket[1] = -2;
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), -EINVAL,
		"lcore on socket -2");
	LT_ASSERT_EQ(labyrinth_topology_inject(NULL), 0, "");
	return 0;
}

static int
test_fallback_order(void)
{
	struct labyrinth_topology t;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	int s[LABYRINTH_MAX_ZONES];
	unsigned int i, seen = 0;

	if (!have_lcores())
		return LT_SKIP;
	line_topology(&t);
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), 0, "");
	lab = create_any("ut_numa_ord", 0, 0);
	labyrinth_topology_inject(NULL);
	LT_ASSERT(lab != NULL, "");

	st = ut_stats(lab);
	LT_ASSERT_EQ(st.nb_zones, 3, "one zone per socket with an lcore");
	LT_ASSERT_EQ(st.pages, 3 * NB, "");
	for (i = 0; i < st.nb_zones; i++) {
		LT_ASSERT(st.zone[i].socket_id >= 0 &&
			st.zone[i].socket_id < 3, "zone %u on socket %d", i,
			st.zone[i].socket_id);
		seen |= 1u << st.zone[i].socket_id;
		LT_ASSERT_EQ(st.zone[i].pages, NB, "");
	}
	LT_ASSERT_EQ(seen, 7, "zone sockets");

	LT_ASSERT_EQ(check_order(lab, 0, 0, 1, 2), 0, "");
	LT_ASSERT_EQ(check_order(lab, 1, 1, 0, 2), 0, "tie broken by id");
	LT_ASSERT_EQ(check_order(lab, 2, 2, 1, 0), 0, "");
	/* n smaller than the zone count. */
	memset(s, 0xff, sizeof(s));
	LT_ASSERT_EQ(labyrinth_fallback_order(lab, 2, s, 1), 1, "");
	LT_ASSERT_EQ(s[0], 2, "");
	LT_ASSERT_EQ(s[1], -1, "wrote past n");
	LT_ASSERT_EQ(labyrinth_fallback_order(NULL, 0, s, 3), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_fallback_order(lab, 0, NULL, 3), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_fallback_order(lab, 1000, s, 3), -EINVAL, "");

	/* Each zone serves pages of its socket; pressure per socket. */
	for (i = 0; i < 3; i++)
		LT_ASSERT_EQ(labyrinth_pressure(lab, (int)i),
			LABYRINTH_PRESSURE_NONE, "socket %u", i);
	LT_ASSERT_EQ(labyrinth_pressure(lab, 3), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/*
 * Lcore 0 exhausts its zone, then gets pages from socket 1 (nearest),
 * then socket 2; THISNODE fails once socket 0 is empty.
 */
static int
local_then_nearest(uint32_t reserve, uint32_t cache)
{
	const uint32_t usable = NB - reserve;
	struct labyrinth_topology t;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	unsigned int n = 0, i, na;
	int sock;

	if (!have_lcores())
		return LT_SKIP;
	line_topology(&t);
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), 0, "");
	lab = create_any("ut_numa_fb", reserve, cache);
	labyrinth_topology_inject(NULL);
	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(rte_lcore_id(), 0, "");

	/* THISNODE: exactly the local zone's normal pages. */
	while ((pages[n] = labyrinth_alloc_page(lab,
			LABYRINTH_GFP_THISNODE)) != NULL) {
		LT_ASSERT_EQ(labyrinth_page_socket(lab, pages[n]), 0,
			"THISNODE page %u", n);
		n++;
		LT_ASSERT(n < MAX_PAGES, "");
	}
	LT_ASSERT_EQ(rte_errno, ENOMEM, "");
	LT_ASSERT_EQ(n, usable, "THISNODE pages");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.remote_allocs, 0, "");
	LT_ASSERT_EQ(labyrinth_pressure(lab, 0), LABYRINTH_PRESSURE_MIN, "");
	LT_ASSERT_EQ(labyrinth_pressure(lab, 1), LABYRINTH_PRESSURE_NONE, "");

	/* Without THISNODE: socket 1, then socket 2. */
	for (i = 0; i < usable; i++, n++) {
		pages[n] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[n] != NULL, "fallback grab %u", i);
		sock = labyrinth_page_socket(lab, pages[n]);
		LT_ASSERT_EQ(sock, 1, "fallback grab %u", i);
	}
	LT_ASSERT_EQ(ut_stats(lab).remote_allocs, usable, "");
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab,
		LABYRINTH_GFP_THISNODE), ENOMEM);
	for (i = 0; i < usable; i++, n++) {
		pages[n] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[n] != NULL, "fallback grab %u", usable + i);
		sock = labyrinth_page_socket(lab, pages[n]);
		LT_ASSERT_EQ(sock, 2, "fallback grab %u", usable + i);
	}
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, 0), ENOMEM);
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.remote_allocs, 2 * usable, "");
	LT_ASSERT_EQ(st.reserve_dips, 0, "");
	LT_ASSERT_EQ(st.free, 3 * reserve, "");

	if (reserve > 0) {
		/* ATOMIC: the local reserve first, then every other page. */
		pages[n] = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
		LT_ASSERT(pages[n] != NULL, "");
		LT_ASSERT_EQ(labyrinth_page_socket(lab, pages[n]), 0,
			"first ATOMIC grab");
		n++;
		na = 1;
		while ((pages[n] = labyrinth_alloc_page(lab,
				LABYRINTH_GFP_ATOMIC)) != NULL) {
			n++;
			na++;
			LT_ASSERT(n < MAX_PAGES, "");
		}
		LT_ASSERT_EQ(na, 3 * reserve, "ATOMIC pages");
		st = ut_stats(lab);
		LT_ASSERT_EQ(st.reserve_dips, 3 * reserve, "");
		LT_ASSERT_EQ(st.free, 0, "");
	}

	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), 3 * NB, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_fallback_nocache(void) { return local_then_nearest(0, 0); }
static int test_fallback_cache(void) { return local_then_nearest(0, 32); }
static int test_fallback_reserve(void) { return local_then_nearest(16, 0); }
static int test_fallback_reserve_cache(void)
{
	return local_then_nearest(16, 32);
}

/* Other lcores are served by their own socket's zone first. */
struct grab_arg {
	struct labyrinth *lab;
	void *page;
	int socket;
};

static int
grab_worker(void *arg)
{
	struct grab_arg *ga = arg;

	ga->page = labyrinth_alloc_page(ga->lab, LABYRINTH_GFP_THISNODE);
	ga->socket = ga->page != NULL ?
		labyrinth_page_socket(ga->lab, ga->page) : -1;
	return 0;
}

static int
test_local_per_lcore(void)
{
	struct labyrinth_topology t;
	struct grab_arg ga[3];
	struct labyrinth *lab;
	unsigned int lc;

	if (!have_lcores())
		return LT_SKIP;
	line_topology(&t);
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), 0, "");
	lab = create_any("ut_numa_lc", 0, 8);
	labyrinth_topology_inject(NULL);
	LT_ASSERT(lab != NULL, "");
	for (lc = 1; lc < 3; lc++) {
		ga[lc] = (struct grab_arg){ .lab = lab };
		LT_ASSERT_EQ(rte_eal_remote_launch(grab_worker, &ga[lc], lc), 0,
			"");
		rte_eal_wait_lcore(lc);
		LT_ASSERT(ga[lc].page != NULL, "lcore %u", lc);
		LT_ASSERT_EQ(ga[lc].socket, (int)lc, "lcore %u", lc);
		LT_ASSERT_EQ(labyrinth_page_owner(lab, ga[lc].page), (int)lc,
			"");
	}
	LT_ASSERT_EQ(ut_stats(lab).remote_allocs, 0, "");
	for (lc = 1; lc < 3; lc++)
		LT_ASSERT_EQ(labyrinth_free_page(lab, ga[lc].page), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), 3 * NB, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* A labyrinth on one remote socket only: every grab is remote. */
static int
test_single_remote_zone(void)
{
	struct labyrinth_conf conf = {
		.name = "ut_numa_one",
		.socket_id = 2,
		.page_size = 4096,
		.nb_pages = 64,
	};
	struct labyrinth_topology t;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	int s[LABYRINTH_MAX_ZONES];
	void *p;

	if (!have_lcores())
		return LT_SKIP;
	line_topology(&t);
	LT_ASSERT_EQ(labyrinth_topology_inject(&t), 0, "");
	lab = labyrinth_create(&conf);
	labyrinth_topology_inject(NULL);
	LT_ASSERT(lab != NULL, "%s", rte_strerror(rte_errno));
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.nb_zones, 1, "");
	LT_ASSERT_EQ(st.zone[0].socket_id, 2, "");
	LT_ASSERT_EQ(labyrinth_fallback_order(lab, 0, s, LABYRINTH_MAX_ZONES),
		1, "");
	LT_ASSERT_EQ(s[0], 2, "");

	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab,
		LABYRINTH_GFP_THISNODE), ENOMEM);
	p = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(p != NULL, "");
	LT_ASSERT_EQ(labyrinth_page_socket(lab, p), 2, "");
	LT_ASSERT_EQ(ut_stats(lab).remote_allocs, 1, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* After inject(NULL), SOCKET_ID_ANY follows the real machine again. */
static int
test_real_topology(void)
{
	struct labyrinth_stats st;
	struct labyrinth *lab;
	unsigned int i, j;
	int s[LABYRINTH_MAX_ZONES];
	int n;

	LT_ASSERT_EQ(labyrinth_topology_inject(NULL), 0, "");
	lab = create_any("ut_numa_real", 0, 0);
	LT_ASSERT(lab != NULL, "");
	st = ut_stats(lab);
	LT_ASSERT(st.nb_zones >= 1 && st.nb_zones <= rte_socket_count(),
		"%u zones on %u sockets", st.nb_zones, rte_socket_count());
	for (i = 0; i < st.nb_zones; i++)
		for (j = 0; j < i; j++)
			LT_ASSERT(st.zone[i].socket_id != st.zone[j].socket_id,
				"two zones on socket %d", st.zone[i].socket_id);
	LT_ASSERT(ut_zone(&st, (int)rte_socket_id()) != NULL,
		"no zone on the main lcore's socket");
	n = labyrinth_fallback_order(lab, (int)rte_socket_id(), s,
		LABYRINTH_MAX_ZONES);
	LT_ASSERT_EQ(n, (int)st.nb_zones, "");
	LT_ASSERT_EQ(s[0], (int)rte_socket_id(), "local zone first");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0, skipped = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_inject_bad, failures);
	LT_RUN_SKIPPABLE(test_fallback_order, failures, skipped);
	LT_RUN_SKIPPABLE(test_fallback_nocache, failures, skipped);
	LT_RUN_SKIPPABLE(test_fallback_cache, failures, skipped);
	LT_RUN_SKIPPABLE(test_fallback_reserve, failures, skipped);
	LT_RUN_SKIPPABLE(test_fallback_reserve_cache, failures, skipped);
	LT_RUN_SKIPPABLE(test_local_per_lcore, failures, skipped);
	LT_RUN_SKIPPABLE(test_single_remote_zone, failures, skipped);
	LT_RUN(test_real_topology, failures);

	labyrinth_topology_inject(NULL);
	rte_eal_cleanup();
	printf("%d failed, %d skipped\n", failures, skipped);
	if (failures == 0 && skipped > 0 && skipped == 7)
		return LT_SKIP;
	return failures == 0 ? 0 : 1;
}
