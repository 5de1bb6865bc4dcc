/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * An out-of-tree user of an installed Labyrinth: built by
 * install_consumer.sh with nothing but
 *   cc consumer.c $(pkg-config --cflags --libs labyrinth labyrinth_mempool)
 * against a "meson install --destdir" tree. It creates a labyrinth, grabs
 * and frees pages, single, bulk and as a block, checks every answer, and
 * destroys it; then calls liblabyrinth_mempool on no pool and on a ring
 * mempool (not a labyrinth pool). Arguments are EAL's. Exit 0 when
 * everything held.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <labyrinth.h>
#include <labyrinth_mempool.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#define NB_PAGES 256u
#define RESERVE 16u
#define BULK 32u

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "consumer: %s:%d: check failed: %s\n", \
			__FILE__, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

/* liblabyrinth_mempool: refusals, and a mempool of another driver. */
static void
check_mempool_calls(void)
{
	struct labyrinth_holders *hs = calloc(1, sizeof(*hs));
	struct rte_mempool *mp;

	CHECK(hs != NULL);
	CHECK(labyrinth_mempool_check(NULL) == -EINVAL);
	CHECK(labyrinth_mempool_reclaim_lcore(NULL, 0) == -EINVAL);
	if (hs != NULL)
		CHECK(labyrinth_mempool_holders_get(NULL, 0, hs) == -EINVAL);
	mp = rte_mempool_create("consumer_mp", 255, 64, 0, 0, NULL, NULL,
		NULL, NULL, SOCKET_ID_ANY, 0);
	if (mp == NULL) {
		/* No ring mempool driver in this DPDK: nothing to check. */
		printf("consumer: no ring mempool (%s): pool checks skipped\n",
			rte_strerror(rte_errno));
	} else {
		CHECK(labyrinth_mempool_check(mp) == 0);
		if (hs != NULL)
			CHECK(labyrinth_mempool_holders_get(mp, 0, hs) ==
				-EINVAL);
		rte_mempool_free(mp);
	}
	free(hs);
}

int
main(int argc, char **argv)
{
	struct labyrinth_conf conf = {
		.name = "consumer",
		.socket_id = SOCKET_ID_ANY,
		.page_size = 4096,
		.nb_pages = NB_PAGES,
		.reserve = RESERVE,
		.cache_size = 16,
		.flags = LABYRINTH_F_DEBUG,
	};
	struct labyrinth_stats st;
	struct labyrinth *lab;
	void *bulk[BULK];
	unsigned char *page;
	void *block;
	unsigned int i;
	int ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "consumer: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}

	lab = labyrinth_create(&conf);
	if (lab == NULL) {
		fprintf(stderr, "consumer: labyrinth_create: %s\n",
			rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	CHECK(labyrinth_lookup("consumer") == lab);
	CHECK(strcmp(labyrinth_name(lab), "consumer") == 0);
	CHECK(labyrinth_page_size(lab) == 4096);
	CHECK(labyrinth_free_count(lab) % NB_PAGES == 0);

	/* One page, zeroed, ours, writable. */
	page = labyrinth_alloc_page(lab, LABYRINTH_GFP_ZERO);
	CHECK(page != NULL);
	if (page != NULL) {
		CHECK(page[0] == 0 && page[4095] == 0);
		CHECK(labyrinth_page_owner(lab, page) == (int)rte_lcore_id());
		CHECK(labyrinth_page_socket(lab, page) >= 0);
		memset(page, 0xa5, 4096);
		CHECK(labyrinth_free_page(lab, page) == 0);
		CHECK(labyrinth_free_page(lab, page) == -EALREADY);
		CHECK(labyrinth_page_owner(lab, page) == -ENOENT);
	}

	/* A bulk, all distinct pages. */
	CHECK(labyrinth_alloc_bulk(lab, LABYRINTH_GFP_NORMAL, bulk, BULK) ==
		BULK);
	for (i = 1; i < BULK; i++)
		CHECK(bulk[i] != bulk[i - 1]);
	CHECK(labyrinth_free_bulk(lab, bulk, BULK) == BULK);

	/* A block of 2^3 pages, freed with its order. */
	block = labyrinth_alloc_pages(lab, LABYRINTH_GFP_NORMAL, 3);
	CHECK(block != NULL);
	if (block != NULL) {
		CHECK(labyrinth_free_page(lab, block) == -EINVAL);
		CHECK(labyrinth_free_pages(lab, block, 3) == 0);
	}

	/* A bad gfp bit is refused. */
	CHECK(labyrinth_alloc_page(lab, ~LABYRINTH_GFP_MASK) == NULL &&
		rte_errno == EINVAL);

	labyrinth_cache_flush(lab);
	CHECK(labyrinth_stats_get(lab, &st) == 0);
	CHECK(st.pages == st.free);
	CHECK(st.alloc_ok == 1 + BULK + 1);
	CHECK(st.bad_frees == 2);
	CHECK(st.poison_errors == 0);
	CHECK(labyrinth_pressure(lab, SOCKET_ID_ANY) ==
		LABYRINTH_PRESSURE_NONE);
	CHECK(labyrinth_audit(lab) == 0);
	CHECK(labyrinth_destroy(lab) == 0);
	CHECK(labyrinth_lookup("consumer") == NULL && rte_errno == ENOENT);

	check_mempool_calls();

	rte_eal_cleanup();
	if (failures != 0) {
		fprintf(stderr, "consumer: %d check(s) failed\n", failures);
		return 1;
	}
	printf("consumer: ok: create, grab, bulk, block, free, audit, "
		"destroy, mempool check\n");
	return 0;
}
