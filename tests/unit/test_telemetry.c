/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The library's telemetry endpoints, read through this process's own
 * telemetry socket (<runtime dir>/dpdk_telemetry.v2, the one
 * dpdk-telemetry.py uses): /labyrinth/list, /labyrinth/info,
 * /labyrinth/stats, /labyrinth/lcores, and the leak finder
 * /labyrinth/held with a deliberately held block.
 */

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "labyrinth.h"
#include "labyrinth_test.h"
#include "lt_telemetry.h"

static int
test_endpoints(void)
{
	struct labyrinth_conf conf = {
		.name = "teltest",
		.socket_id = (int)rte_socket_id(),
		.nb_pages = 1024,
		.reserve = 16,
		.cache_size = 32,
	};
	struct labyrinth *lab = labyrinth_create(&conf);
	void *block, *page;

	LT_ASSERT(lab != NULL, "create");
	block = labyrinth_alloc_pages(lab, 0, 2);
	LT_ASSERT(block != NULL, "order-2 grab");
	usleep(60 * 1000);
	page = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(page != NULL, "grab");
	LT_ASSERT(labyrinth_free_page(lab, page) == 0, "free");
	LT_ASSERT(labyrinth_free_page(lab, page) == -EALREADY, "double free");

	LT_ASSERT(query("/labyrinth/list") == 0, "list");
	LT_ASSERT(strstr(reply, "\"teltest\"") != NULL, "listed");

	LT_ASSERT(query("/labyrinth/info,teltest") == 0, "info");
	LT_ASSERT(strstr(reply, "\"name\":\"teltest\"") != NULL, "name");
	LT_ASSERT(strstr(reply, "\"nb_pages\":1024") != NULL, "nb_pages");
	LT_ASSERT(strstr(reply, "\"pages\":1024") != NULL, "pages");
	LT_ASSERT(strstr(reply, "\"free\":1020") != NULL, "free = 1024 - 4");
	LT_ASSERT(strstr(reply, "\"bad_frees\":1") != NULL, "bad_frees");
	LT_ASSERT(strstr(reply, "\"zone_free\":[1020]") != NULL, "zone_free");

	LT_ASSERT(query("/labyrinth/stats,teltest") == 0, "stats");
	LT_ASSERT(strstr(reply, "\"alloc_ok\":2") != NULL, "alloc_ok");
	LT_ASSERT(strstr(reply, "\"frees\":1") != NULL, "frees");

	LT_ASSERT(query("/labyrinth/lcores,teltest") == 0, "lcores");
	LT_ASSERT(strstr(reply, "\"0\":{") != NULL, "lcore 0");

	/* Leak finder: the block held for 60 ms is older than 20 ms... */
	LT_ASSERT(query("/labyrinth/held,teltest,20000") == 0, "held");
	LT_ASSERT(strstr(reply, "\"held_blocks\":1") != NULL, "one old block");
	LT_ASSERT(strstr(reply, "\"by_owner\":{\"0\":1}") != NULL,
		"owned by lcore 0");
	LT_ASSERT(strstr(reply, "order=2 owner=0") != NULL, "listed");
	/* ...but not older than 100 s. */
	LT_ASSERT(query("/labyrinth/held,teltest,100000000") == 0, "held");
	LT_ASSERT(strstr(reply, "\"held_blocks\":0") != NULL, "none that old");

	/* Bad parameters: the handlers refuse (null reply). */
	LT_ASSERT(query("/labyrinth/info,nosuch") == 0, "unknown name");
	LT_ASSERT(strstr(reply, "null") != NULL, "unknown name refused");
	LT_ASSERT(query("/labyrinth/held,teltest,12x") == 0, "bad age");
	LT_ASSERT(strstr(reply, "null") != NULL, "bad age refused");
	LT_ASSERT(query("/labyrinth/info") == 0, "no name");
	LT_ASSERT(strstr(reply, "null") != NULL, "no name refused");

	LT_ASSERT(labyrinth_free_pages(lab, block, 2) == 0, "free block");
	LT_ASSERT(labyrinth_audit(lab) == 0, "audit");
	LT_ASSERT(labyrinth_destroy(lab) == 0, "destroy");
	LT_ASSERT(query("/labyrinth/list") == 0, "list");
	LT_ASSERT(strstr(reply, "teltest") == NULL, "gone after destroy");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0;

	lt_eal_init(argc, argv);
	if (connect_telemetry() != 0) {
		printf("no greeting from the telemetry socket\n");
		return 1;
	}
	LT_RUN(test_endpoints, failures);
	close(sock);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
