/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Who holds my mbufs: a deliberately leaking lcore. Lcore 1 grabs pages
 * of a labyrinth and objects of a labyrinth mempool (with a per-lcore
 * cache) and keeps them; the main lcore keeps one page of its own. Then
 * the holder summary must name lcore 1 with exactly what it holds and a
 * plausible age, through:
 *   - the API, labyrinth_holders_get() and labyrinth_mempool_holders_get()
 *     (min_age_us too);
 *   - this process's own telemetry socket, /labyrinth/held,<lab> and
 *     /labyrinth/mempool,<pool>;
 *   - scripts/labyrinth-top --once against this process (the path after
 *     "--"; skipped with a note when empty or python3 is missing).
 * Lcore 1's mempool cache holds the refill surplus: the summary counts it
 * in in_caches / cache_len, not in held.
 */

#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth.h"
#include "labyrinth_mempool.h"
#include "labyrinth_test.h"
#include "lt_telemetry.h"

#define N_PAGES 5       /* single pages lcore 1 keeps */
#define N_OBJS 20       /* objects lcore 1 keeps */
#define CACHE 32        /* the mempool's per-lcore cache */
#define HOLD_US 60000u  /* how long before the summary is read */
#define LEAKER 1u       /* the leaking lcore */

static struct labyrinth *lab;
static struct rte_mempool *mp;
static void *pages[N_PAGES + 1], *block, *objs[N_OBJS];
static const char *top_path;

/* The number after key inside the object that follows section, or -1. */
static long long
json_num(const char *section, const char *key)
{
	const char *s = strstr(reply, section), *k, *end;

	if (s == NULL)
		return -1;
	end = strchr(s, '}');
	k = strstr(s, key);
	if (k == NULL || (end != NULL && k > end))
		return -1;
	return strtoll(k + strlen(key), NULL, 10);
}

static int
leak(void *arg __rte_unused)
{
	unsigned int i;

	for (i = 0; i < N_PAGES; i++)
		if ((pages[i] = labyrinth_alloc_page(lab, 0)) == NULL)
			return -1;
	block = labyrinth_alloc_pages(lab, 0, 2);
	if (block == NULL)
		return -1;
	return rte_mempool_get_bulk(mp, objs, N_OBJS);
}

static int
unleak(void *arg __rte_unused)
{
	unsigned int i;

	for (i = 0; i < N_PAGES; i++)
		if (labyrinth_free_page(lab, pages[i]) != 0)
			return -1;
	if (labyrinth_free_pages(lab, block, 2) != 0)
		return -1;
	rte_mempool_put_bulk(mp, objs, N_OBJS);
	return 0;
}

static uint64_t
hist_sum(const struct labyrinth_holders *hs)
{
	uint64_t sum = 0;
	unsigned int k;

	for (k = 0; k < LABYRINTH_AGE_BUCKETS; k++)
		sum += hs->age_hist[k];
	return sum;
}

static int
test_api(void)
{
	struct labyrinth_holders *hs = malloc(sizeof(*hs));
	const struct labyrinth_holder *o;

	LT_ASSERT(hs != NULL, "malloc");
	LT_ASSERT_EQ(labyrinth_holders_get(lab, 0, hs), 0, "pages");
	o = &hs->owner[LEAKER];
	LT_ASSERT_EQ(o->held, N_PAGES + 4, "pages of lcore %u", LEAKER);
	LT_ASSERT_EQ(o->blocks, N_PAGES + 1, "blocks of lcore %u", LEAKER);
	LT_ASSERT(o->oldest_age_us >= HOLD_US / 2 &&
		o->oldest_age_us < 60u * 1000000u, "age %" PRIu64 " us",
		o->oldest_age_us);
	LT_ASSERT_EQ(hs->owner[rte_get_main_lcore()].held, 1, "main's page");
	LT_ASSERT_EQ(hs->held, N_PAGES + 5, "total pages");
	LT_ASSERT_EQ(hist_sum(hs), N_PAGES + 2, "histogram counts blocks");
	LT_ASSERT_EQ(hs->in_caches + hs->cache_len, 0, "no cache for pages");
	/* min_age: the main lcore's page is younger than HOLD_US / 2. */
	LT_ASSERT_EQ(labyrinth_holders_get(lab, HOLD_US / 2, hs), 0, "aged");
	LT_ASSERT_EQ(hs->held, N_PAGES + 4, "old pages only");

	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 0, hs), 0, "objects");
	o = &hs->owner[LEAKER];
	LT_ASSERT_EQ(o->held, N_OBJS, "objects of lcore %u", LEAKER);
	LT_ASSERT_EQ(o->blocks, N_OBJS, "blocks == held for a mempool");
	/* The refill took CACHE more, which sit in lcore 1's cache. */
	LT_ASSERT_EQ(o->in_caches, CACHE, "in caches");
	LT_ASSERT_EQ(o->cache_len, CACHE, "cache length");
	LT_ASSERT(o->oldest_age_us >= HOLD_US / 2 &&
		o->oldest_age_us < 60u * 1000000u, "age %" PRIu64 " us",
		o->oldest_age_us);
	LT_ASSERT_EQ(hs->held, N_OBJS, "total");
	LT_ASSERT_EQ(hist_sum(hs), N_OBJS, "histogram");
	LT_ASSERT_EQ(hs->owner[rte_get_main_lcore()].held, 0, "main: none");
	LT_ASSERT_EQ(labyrinth_mempool_holders_get(mp, 100u * 1000000u, hs),
		0, "aged");
	LT_ASSERT_EQ(hs->held, 0, "none 100 s old");
	LT_ASSERT_EQ(hs->in_caches, CACHE, "caches counted whatever the age");

	LT_ASSERT_EQ(labyrinth_mempool_holders_get(NULL, 0, hs), -EINVAL,
		"NULL pool");
	LT_ASSERT_EQ(labyrinth_holders_get(NULL, 0, hs), -EINVAL, "NULL lab");
	free(hs);
	return 0;
}

static int
test_telemetry(void)
{
	char cmd[96];
	long long age;

	snprintf(cmd, sizeof(cmd), "/labyrinth/held,%s", labyrinth_name(lab));
	LT_ASSERT(query(cmd) == 0, "held");
	LT_ASSERT(strstr(reply, "\"pages_by_owner\":{\"0\":1,\"1\":9}") != NULL,
		"pages by owner");
	LT_ASSERT(strstr(reply, "\"by_owner\":{\"0\":1,\"1\":6}") != NULL,
		"blocks by owner");
	LT_ASSERT(strstr(reply, "\"held_pages\":10") != NULL, "held_pages");
	age = json_num("\"oldest_age_us_by_owner\":{", "\"1\":");
	LT_ASSERT(age >= HOLD_US / 2 && age < 60000000, "age %lld", age);
	LT_ASSERT(strstr(reply, "\"age_hist_us\":{\"") != NULL, "histogram");

	LT_ASSERT(query("/labyrinth/mempool,holdpool") == 0, "mempool");
	LT_ASSERT(strstr(reply, "\"held_objects\":20") != NULL, "held");
	LT_ASSERT(strstr(reply, "\"held_by_lcore\":{\"1\":20}") != NULL,
		"held by lcore 1");
	LT_ASSERT(strstr(reply, "\"in_caches_by_lcore\":{\"1\":32}") != NULL,
		"lcore 1's objects in caches");
	LT_ASSERT(strstr(reply, "\"cache_len_by_lcore\":{\"1\":32}") != NULL,
		"lcore 1's cache");
	LT_ASSERT(strstr(reply, "\"held_in_mempool_caches\":32") != NULL,
		"in caches");
	LT_ASSERT(strstr(reply, "\"holders\":\"") != NULL, "what it means");
	age = json_num("\"oldest_age_us_by_lcore\":{", "\"1\":");
	LT_ASSERT(age >= HOLD_US / 2 && age < 60000000, "age %lld", age);
	return 0;
}

static int
test_top(void)
{
	char cmd[4096], line[512], dir[1024];
	int pool_row = 0, lab_row = 0, in_pool = 0, in_lab = 0;
	FILE *p;

	if (top_path == NULL || top_path[0] == '\0' ||
			access(top_path, R_OK) != 0 ||
			system("python3 -c '' 2>/dev/null") != 0) {
		printf("note: labyrinth-top or python3 not available: not run\n");
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	snprintf(cmd, sizeof(cmd), "python3 %s --once --file-prefix %s 2>&1",
		top_path, basename(dir));
	printf("+ %s\n", cmd);
	p = popen(cmd, "r");
	LT_ASSERT(p != NULL, "popen");
	while (fgets(line, sizeof(line), p) != NULL) {
		unsigned long long a, b;
		char who[16];

		fputs(line, stdout);
		if (strncmp(line, "mempool holdpool", 16) == 0)
			in_pool = 1, in_lab = 0;
		else if (strncmp(line, "labyrinth holdtest", 18) == 0)
			in_lab = 1, in_pool = 0;
		else if (line[0] != ' ')
			in_pool = in_lab = 0;
		if (sscanf(line, " %15s %llu %*s %llu", who, &a, &b) == 3 &&
				strcmp(who, "1") == 0) {
			/* mempool: held, oldest, in-caches; labyrinth: pages,
			 * blocks, oldest */
			if (in_pool && a == N_OBJS && b == CACHE)
				pool_row = 1;
		}
		if (in_lab && sscanf(line, " %15s %llu %llu", who, &a, &b) ==
				3 && strcmp(who, "1") == 0 && a == N_PAGES + 4 &&
				b == N_PAGES + 1)
			lab_row = 1;
	}
	LT_ASSERT_EQ(pclose(p), 0, "labyrinth-top's exit status");
	LT_ASSERT(pool_row, "labyrinth-top: lcore 1 holds %u objects, %u in "
		"caches", N_OBJS, CACHE);
	LT_ASSERT(lab_row, "labyrinth-top: lcore 1 holds %u pages in %u "
		"blocks", N_PAGES + 4, N_PAGES + 1);
	return 0;
}

/* Wait (up to 5 s) until lcore 1's pages and objects read HOLD_US old. */
static int
wait_aged(void)
{
	struct labyrinth_holders *hs = malloc(sizeof(*hs));
	unsigned int i;
	int ret = -1;

	for (i = 0; hs != NULL && i < 250; i++) {
		if (labyrinth_holders_get(lab, HOLD_US, hs) == 0 &&
				hs->owner[LEAKER].blocks == N_PAGES + 1 &&
				labyrinth_mempool_holders_get(mp, HOLD_US, hs) ==
				0 && hs->owner[LEAKER].held == N_OBJS) {
			ret = 0;
			break;
		}
		usleep(20000);
	}
	if (ret != 0)
		printf("lcore %u's holdings never read %u us old\n", LEAKER,
			HOLD_US);
	free(hs);
	return ret;
}

int
main(int argc, char **argv)
{
	struct labyrinth_conf conf = {
		.name = "holdtest",
		.socket_id = SOCKET_ID_ANY,
		.nb_pages = 256,
		.cache_size = 8,
	};
	struct labyrinth_holders *hs;
	int failures = 0, ret;

	ret = lt_eal_init(argc, argv);
	if (argc - ret > 1)
		top_path = argv[ret + 1];
	if (rte_lcore_count() < 2 || !rte_lcore_is_enabled(LEAKER)) {
		printf("skip: needs lcore %u (-l 0-1)\n", LEAKER);
		return LT_SKIP;
	}
	if (connect_telemetry() != 0) {
		printf("no greeting from the telemetry socket\n");
		return 1;
	}
	lab = labyrinth_create(&conf);
	mp = rte_mempool_create_empty("holdpool", 1023, 64, CACHE, 0,
			SOCKET_ID_ANY, 0);
	if (lab == NULL || mp == NULL ||
			rte_mempool_set_ops_byname(mp, "labyrinth", NULL) != 0 ||
			rte_mempool_populate_default(mp) < 0) {
		printf("setup failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rte_eal_remote_launch(leak, NULL, LEAKER) != 0 ||
			rte_eal_wait_lcore(LEAKER) != 0) {
		printf("lcore %u could not grab\n", LEAKER);
		return 1;
	}
	usleep(HOLD_US);
	/* The coarse clocks tick from the interrupt thread: on a loaded
	 * machine it may run late, and an age stays 0 until it does. */
	if (wait_aged() != 0)
		return 1;
	pages[N_PAGES] = labyrinth_alloc_page(lab, 0); /* main's own */
	if (pages[N_PAGES] == NULL)
		return 1;

	LT_RUN(test_api, failures);
	LT_RUN(test_telemetry, failures);
	LT_RUN(test_top, failures);

	/* Given back: nothing held (lcore 1's cache still has its CACHE). */
	labyrinth_free_page(lab, pages[N_PAGES]);
	if (rte_eal_remote_launch(unleak, NULL, LEAKER) != 0 ||
			rte_eal_wait_lcore(LEAKER) != 0)
		failures++;
	hs = malloc(sizeof(*hs));
	if (hs == NULL || labyrinth_holders_get(lab, 0, hs) != 0 ||
			hs->held != 0 ||
			labyrinth_mempool_holders_get(mp, 0, hs) != 0 ||
			hs->held != 0) {
		printf("something still held after the frees\n");
		failures++;
	}
	free(hs);
	rte_mempool_free(mp);
	if (labyrinth_destroy(lab) != 0)
		failures++;
	close(sock);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
