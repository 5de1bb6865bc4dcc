/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_create() with its k-th memzone reservation failing, for every
 * k from 1 to the number of reservations a successful create makes
 * (counted first): create returns NULL with rte_errno ENOMEM and leaves
 * nothing behind (no memzone, nothing labyrinth_lookup() or
 * labyrinth_walk() -- and so /labyrinth/list -- can see), and a create of
 * the same name works afterwards. Each k is run twice: with the k-th and
 * every later reservation failing (memory gone: create must fail), and
 * with the k-th one alone failing (create may recover through a fallback,
 * e.g. a memzone that is not IOVA-contiguous: then the labyrinth must be
 * whole and destroy must leave nothing either).
 *
 * Needs tests/fault/libfault_shim.so in LD_PRELOAD (tests/fault/meson.build
 * sets it). Usage: <EAL args> -- single | split | numa | numa_split | env
 *   single      one zone on the caller's socket, one memzone of pages
 *   split       one zone whose pages cannot be one memzone (the shim
 *               refuses reservations above SPLIT_MAX_LEN): 2 memzones
 *   numa        SOCKET_ID_ANY on an injected 2-socket topology (lcore 0
 *               on socket 0, lcore 1 on socket 1): 2 zones
 *   numa_split  both: 2 zones of 2 memzones each
 *   env         the shim armed from the environment alone
 *               (LABYRINTH_FAULT_MZ=2, LABYRINTH_FAULT_MZ_STICKY=1): the
 *               first create of the process fails at its owner records
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "fault_ctl.h"
#include "labyrinth.h"
#include "labyrinth_test.h"
#include "labyrinth_topology_priv.h"

#define NAME "faulty"
#define PAGE_SIZE 4096u
/* 4 blocks of the biggest order: a zone of 8 MiB. */
#define NB_PAGES (4u << LABYRINTH_MAX_ORDER)
/* Above half a zone, below a whole one: a zone takes 2 memzones. */
#define SPLIT_MAX_LEN ((size_t)NB_PAGES * PAGE_SIZE * 3 / 4)

struct config {
	const char *name;
	int socket_id;          /* of the conf; SOCKET_ID_ANY: numa */
	bool split;
	unsigned int nb_zones;  /* expected */
	unsigned int min_calls; /* reservations of a successful create */
};

static struct config cfg;
static unsigned int mz_base;

static struct labyrinth *
create(void)
{
	struct labyrinth_conf conf = {
		.name = NAME,
		.socket_id = cfg.socket_id,
		.page_size = PAGE_SIZE,
		.nb_pages = NB_PAGES,
		.reserve = 16,
		.cache_size = 32,
		.flags = 0,
	};

	return labyrinth_create(&conf);
}

static void
walk_find(struct labyrinth *lab, void *arg)
{
	if (strcmp(labyrinth_name(lab), NAME) == 0)
		*(bool *)arg = true;
}

/* Nothing of NAME is left: memzones, lookup, walk (/labyrinth/list). */
static int
check_gone(const char *what, long k)
{
	bool seen = false;

	LT_ASSERT_EQ(lt_memzone_count(), mz_base, "%s k=%ld: memzones left",
		what, k);
	rte_errno = 0;
	LT_ASSERT_NULL_ERRNO(labyrinth_lookup(NAME), ENOENT);
	labyrinth_walk(walk_find, &seen);
	LT_ASSERT(!seen, "%s k=%ld: the walk sees %s", what, k, NAME);
	return 0;
}

/* A whole labyrinth: its zones, a page from it; then destroyed cleanly. */
static int
use_and_destroy(struct labyrinth *lab, const char *what, long k)
{
	struct labyrinth_stats st;
	void *p;

	LT_ASSERT_EQ(labyrinth_stats_get(lab, &st), 0, "%s k=%ld", what, k);
	LT_ASSERT_EQ(st.nb_zones, cfg.nb_zones, "%s k=%ld", what, k);
	LT_ASSERT_EQ(st.pages, (uint64_t)cfg.nb_zones * NB_PAGES,
		"%s k=%ld", what, k);
	LT_ASSERT(labyrinth_lookup(NAME) == lab, "%s k=%ld: lookup", what, k);
	p = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(p != NULL, "%s k=%ld: no page", what, k);
	memset(p, 0xa5, PAGE_SIZE);
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "%s k=%ld", what, k);
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "%s k=%ld: destroy", what, k);
	return check_gone(what, k);
}

/* The reservations of a create that works (none failing). */
static int
count_calls(unsigned long *n)
{
	struct labyrinth *lab;

	lt_fault_off();
	lab = create();
	*n = lt_fault.calls();
	LT_ASSERT(lab != NULL, "create: %s", rte_strerror(rte_errno));
	printf("%s: a create makes %lu memzone reservations (%lu refused "
		"by the length cap)\n", cfg.name, *n, lt_fault.failed());
	LT_ASSERT(*n >= cfg.min_calls, "expected at least %u",
		cfg.min_calls);
	return use_and_destroy(lab, "count", 0);
}

static int
test_fault_create(void)
{
	struct labyrinth *lab;
	unsigned long n, k;
	int sticky, e;

	if (count_calls(&n) != 0)
		return -1;
	for (sticky = 1; sticky >= 0; sticky--) {
		unsigned int recovered = 0;
		const char *what = sticky ? "sticky" : "once";

		for (k = 1; k <= n; k++) {
			lt_fault.arm((long)k, sticky);
			rte_errno = 0;
			lab = create();
			e = rte_errno;
			lt_fault_off();
			if (lab != NULL) {
				/* Only a single failure can be worked around. */
				LT_ASSERT(!sticky, "k=%lu: created", k);
				recovered++;
				if (use_and_destroy(lab, what, (long)k) != 0)
					return -1;
			} else {
				LT_ASSERT_EQ(e, ENOMEM, "%s k=%lu: rte_errno %s",
					what, k, strerror(e));
				if (check_gone(what, (long)k) != 0)
					return -1;
			}
			/* The name is free again. */
			lab = create();
			LT_ASSERT(lab != NULL, "%s k=%lu: create again: %s",
				what, k, rte_strerror(rte_errno));
			if (use_and_destroy(lab, "again", (long)k) != 0)
				return -1;
		}
		printf("%s: %s failures: %lu cases, %u worked around\n",
			cfg.name, what, n, recovered);
	}
	return 0;
}

/* The first create fails as the environment says; nothing is left. */
static int
test_fault_env(void)
{
	struct labyrinth *lab;

	rte_errno = 0;
	lab = create();
	LT_ASSERT_NULL_ERRNO(lab, ENOMEM);
	LT_ASSERT_EQ(lt_fault.calls(), 2, "reservations of the create");
	LT_ASSERT_EQ(lt_fault.failed(), 1, "failures injected");
	lt_fault_off();
	if (check_gone("env", 2) != 0)
		return -1;
	lab = create();
	LT_ASSERT(lab != NULL, "create again: %s", rte_strerror(rte_errno));
	return use_and_destroy(lab, "env", 2);
}

static int
set_config(const char *name)
{
	static struct labyrinth_topology topo;
	unsigned int i;
	bool numa = strncmp(name, "numa", 4) == 0;

	cfg.name = name;
	cfg.split = strcmp(name, "split") == 0 ||
		strcmp(name, "numa_split") == 0;
	if (!cfg.split && strcmp(name, "single") != 0 &&
			strcmp(name, "numa") != 0 && strcmp(name, "env") != 0) {
		printf("unknown configuration %s\n", name);
		return -1;
	}
	cfg.nb_zones = numa ? 2 : 1;
	cfg.socket_id = numa ? SOCKET_ID_ANY : (int)rte_socket_id();
	/* Per zone: owner records, then one or two memzones of pages
	 * (split: the two refused whole-zone attempts count too). Plus the
	 * header. */
	cfg.min_calls = 1 + cfg.nb_zones * (cfg.split ? 5 : 2);
	if (cfg.split)
		lt_fault.max_len(SPLIT_MAX_LEN);
	if (numa) {
		if (rte_get_main_lcore() != 0 || !rte_lcore_is_enabled(1)) {
			printf("numa: needs lcores 0 (main) and 1\n");
			return -1;
		}
		memset(&topo, 0, sizeof(topo));
		topo.nb_sockets = 2;
		topo.distance[0][0] = topo.distance[1][1] = 10;
		topo.distance[0][1] = topo.distance[1][0] = 20;
		for (i = 0; i < RTE_MAX_LCORE; i++)
			topo.lcore_socket[i] = -1;
		topo.lcore_socket[0] = 0;
		topo.lcore_socket[1] = 1;
		LT_ASSERT_EQ(labyrinth_topology_inject(&topo), 0, "");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int ret, failures = 0;

	/* Line by line: a hang shows how far the test got. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = lt_eal_init(argc, argv);
	argc -= ret;
	argv += ret;
	if (argc < 2) {
		printf("usage: <EAL args> -- single|split|numa|numa_split|env\n");
		return 1;
	}
	if (lt_fault_init() != 0)
		return 1;
	if (strcmp(argv[1], "env") == 0) {
		/* Armed since the shim was loaded: no selftest first. */
		if (set_config(argv[1]) != 0)
			return 1;
		mz_base = lt_memzone_count();
		LT_RUN(test_fault_env, failures);
		goto out;
	}
	LT_RUN(lt_fault_selftest, failures);
	if (failures == 0 && set_config(argv[1]) != 0)
		failures++;
	mz_base = lt_memzone_count();
	if (failures == 0)
		LT_RUN(test_fault_create, failures);
out:
	lt_fault.max_len(0);
	labyrinth_topology_inject(NULL);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
