/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * A secondary killed while it holds pages and mbufs: the primary (lcores
 * 0-1) creates a labyrinth and a mempool of the labyrinth driver (loaded
 * with -d, as the secondary does) and starts itself as a secondary on
 * lcores 2-3, which grab pages (single pages and blocks) and mbufs and
 * keep them. The primary kills it with SIGKILL, reaps it (so it knows it
 * is dead), reclaims lcores 2 and 3 with labyrinth_reclaim_lcore() and
 * labyrinth_mempool_reclaim_lcore(), and checks: every page and mbuf given
 * back and counted, free == total, audit clean, its own live lcores
 * refused with -EBUSY, and both pools serve everything again.
 *
 * Arguments: <EAL args> [-- <plugin>]; without the plugin, pages only.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "labyrinth.h"
#include "labyrinth_mempool.h"
#include "labyrinth_test.h"
#include "lt_plugin.h"

#define LAB_NAME "rcl"
#define CTL_NAME "rcl_ctl"
#define NB_PAGES 8192u
#define SINGLES 400u          /* single pages per secondary lcore */
#define BLOCKS 25u            /* order-2 blocks per secondary lcore */
#define HELD_PER_LCORE (SINGLES + 4 * BLOCKS)
#define POOL_NAME "rcl_pool"
#define POOL_SIZE 4095u
#define MBUFS 500u            /* mbufs kept per secondary lcore */
#define WAIT_S 60

struct rcl_ctl {
	uint32_t held[RTE_MAX_LCORE]; /* pages held, per secondary lcore */
	uint32_t mbufs[RTE_MAX_LCORE]; /* mbufs kept, per secondary lcore */
	uint32_t ready;               /* secondary lcores done grabbing */
	uint32_t errors;
};

static struct rcl_ctl *ctl;
static struct labyrinth *lab;
static struct rte_mempool *mp;
static char self[PATH_MAX];
static char prefix_arg[128];
static const char *plugin;    /* copy of the driver, or NULL */

/* Secondary lcore: grab and keep; then wait to be killed. */
static int
hold(void *arg __rte_unused)
{
	unsigned int i, id = rte_lcore_id();
	uint32_t n = 0;

	for (i = 0; i < SINGLES; i++)
		if (labyrinth_alloc_page(lab, 0) != NULL)
			n++;
	for (i = 0; i < BLOCKS; i++)
		if (labyrinth_alloc_pages(lab, 0, 2) != NULL)
			n += 4;
	if (n != HELD_PER_LCORE)
		/* Relaxed: a count read after the release of ready. */
		__atomic_fetch_add(&ctl->errors, 1, __ATOMIC_RELAXED);
	ctl->held[id] = n;
	n = 0;
	for (i = 0; mp != NULL && i < MBUFS; i++)
		if (rte_pktmbuf_alloc(mp) != NULL)
			n++;
	ctl->mbufs[id] = n;
	/* Release: held[] above is visible to the primary's acquire. */
	__atomic_fetch_add(&ctl->ready, 1, __ATOMIC_RELEASE);
	for (;;)
		pause(); /* killed here */
	return 0;
}

static int
secondary_main(void)
{
	const struct rte_memzone *mz = rte_memzone_lookup(CTL_NAME);

	lab = labyrinth_lookup(LAB_NAME);
	if (mz == NULL || lab == NULL) {
		printf("secondary: lookup failed\n");
		return 1;
	}
	ctl = mz->addr;
	mp = rte_mempool_lookup(POOL_NAME);
	if (mp != NULL && labyrinth_mempool_check(mp) != 0) {
		printf("secondary: the mempool's ops disagree\n");
		return 1;
	}
	rte_eal_mp_remote_launch(hold, NULL, CALL_MAIN);
	return 0;
}

/* Grab+free pairs per microsecond on this lcore (pages, then mbufs). */
static double
pair_rate(void)
{
	const unsigned int n = 200000;
	uint64_t t0 = rte_get_timer_cycles();
	unsigned int i;

	for (i = 0; i < n; i++) {
		void *p = labyrinth_alloc_page(lab, 0);

		if (p == NULL || labyrinth_free_page(lab, p) != 0)
			return 0;
		if (mp != NULL) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

			if (m == NULL)
				return 0;
			rte_pktmbuf_free(m);
		}
	}
	return (double)n * rte_get_timer_hz() / 1e6 /
		(double)(rte_get_timer_cycles() - t0);
}

static pid_t
spawn_secondary(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (plugin != NULL)
			execl(self, self, "--lcores", "(2,3)@(0,1)",
				"--proc-type=secondary", prefix_arg, "--no-pci",
				"--log-level=lib.eal:error", "-d", plugin, "--",
				"secondary", (char *)NULL);
		else
			execl(self, self, "--lcores", "(2,3)@(0,1)",
				"--proc-type=secondary", prefix_arg, "--no-pci",
				"--log-level=lib.eal:error", "--", "secondary",
				(char *)NULL);
		_exit(127);
	}
	return pid;
}

static int
test_reclaim(void)
{
	struct labyrinth_stats st;
	int64_t got2, got3;
	uint64_t free0;
	unsigned int i;
	time_t t0;
	void **pages;
	pid_t pid;
	int status;

	double rate0, rate1;

	free0 = labyrinth_free_count(lab);
	LT_ASSERT_EQ(free0, NB_PAGES, "");
	rate0 = pair_rate();
	LT_ASSERT(rate0 > 0, "pairs before the secondary");
	pid = spawn_secondary();
	LT_ASSERT(pid > 0, "fork failed");
	t0 = time(NULL);
	/* Acquire: pairs with the secondary lcores' release adds. */
	while (__atomic_load_n(&ctl->ready, __ATOMIC_ACQUIRE) < 2) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			printf("secondary exited early, status %#x\n", status);
			return -1;
		}
		if (time(NULL) - t0 > WAIT_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("secondary not ready\n");
			return -1;
		}
		usleep(1000);
	}
	LT_ASSERT_EQ(ctl->errors, 0, "the secondary could not grab");
	LT_ASSERT_EQ(ctl->held[2] + ctl->held[3], 2 * HELD_PER_LCORE, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), NB_PAGES - 2 * HELD_PER_LCORE,
		"");

	/* SIGKILL, then reap: from now on the caller knows it is dead. */
	LT_ASSERT_EQ(kill(pid, SIGKILL), 0, "");
	LT_ASSERT_EQ(waitpid(pid, &status, 0), pid, "");
	LT_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "");
	LT_ASSERT(labyrinth_audit(lab) == 0, "the held pages are consistent "
		"before the reclaim too");

	/* Live lcores of this process are refused, and nothing changes. */
	LT_ASSERT_EQ(labyrinth_reclaim_lcore(lab, rte_lcore_id()), -EBUSY, "");
	LT_ASSERT_EQ(labyrinth_reclaim_lcore(lab, 1), -EBUSY, "");
	LT_ASSERT_EQ(labyrinth_reclaim_lcore(lab, RTE_MAX_LCORE), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_reclaim_lcore(NULL, 2), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), NB_PAGES - 2 * HELD_PER_LCORE,
		"");

	got2 = labyrinth_reclaim_lcore(lab, 2);
	got3 = labyrinth_reclaim_lcore(lab, 3);
	printf("reclaimed %" PRId64 " pages of lcore 2, %" PRId64
		" of lcore 3\n", got2, got3);
	LT_ASSERT_EQ(got2, HELD_PER_LCORE, "");
	LT_ASSERT_EQ(got3, HELD_PER_LCORE, "");
	LT_ASSERT_EQ(labyrinth_reclaim_lcore(lab, 2), 0, "a second reclaim");
	LT_ASSERT_EQ(labyrinth_free_count(lab), NB_PAGES, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_stats_get(lab, &st), 0, "");
	LT_ASSERT_EQ(st.alloc_ok - st.frees, 0, "grabs and frees balance");

	if (mp != NULL) {
		int64_t m2, m3;

		LT_ASSERT_EQ(ctl->mbufs[2] + ctl->mbufs[3], 2 * MBUFS, "");
		LT_ASSERT_EQ(rte_mempool_in_use_count(mp), 2 * MBUFS, "");
		LT_ASSERT_EQ(labyrinth_mempool_reclaim_lcore(mp, 0), -EBUSY, "");
		LT_ASSERT_EQ(labyrinth_mempool_reclaim_lcore(mp,
				RTE_MAX_LCORE), -EINVAL, "");
		m2 = labyrinth_mempool_reclaim_lcore(mp, 2);
		m3 = labyrinth_mempool_reclaim_lcore(mp, 3);
		printf("reclaimed %" PRId64 " mbufs of lcore 2, %" PRId64
			" of lcore 3\n", m2, m3);
		/* Each lcore's mempool cache held some of what it took from
		 * the driver beyond the mbufs it kept: all come back. */
		LT_ASSERT(m2 >= MBUFS && m3 >= MBUFS, "");
		LT_ASSERT_EQ(labyrinth_mempool_reclaim_lcore(mp, 2), 0, "");
		LT_ASSERT_EQ(rte_mempool_avail_count(mp), POOL_SIZE, "");
		LT_ASSERT_EQ(rte_mempool_in_use_count(mp), 0, "");
	}

	/* At full rate again (generously: this VM's speed moves by 40 %). */
	rate1 = pair_rate();
	printf("pairs per us on lcore %u: %.2f before, %.2f after the "
		"reclaim\n", rte_lcore_id(), rate0, rate1);
	LT_ASSERT(rate1 >= rate0 / 2, "the pools are slower after the reclaim");

	/* The pool works at full size: every page can be grabbed again. */
	pages = calloc(NB_PAGES, sizeof(*pages));
	LT_ASSERT(pages != NULL, "");
	for (i = 0; i < NB_PAGES; i++) {
		pages[i] = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
		LT_ASSERT(pages[i] != NULL, "page %u of %u", i, NB_PAGES);
	}
	LT_ASSERT(labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC) == NULL, "");
	for (i = 0; i < NB_PAGES; i++)
		LT_ASSERT_EQ(labyrinth_free_page(lab, pages[i]), 0, "");
	free(pages);
	labyrinth_cache_flush(lab);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	if (mp != NULL) {
		struct rte_mbuf *m[POOL_SIZE];

		LT_ASSERT_EQ(rte_pktmbuf_alloc_bulk(mp, m, POOL_SIZE), 0,
			"every mbuf again");
		rte_pktmbuf_free_bulk(m, POOL_SIZE);
		LT_ASSERT_EQ(rte_mempool_avail_count(mp), POOL_SIZE, "");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct labyrinth_conf conf = {
		.name = LAB_NAME,
		.socket_id = SOCKET_ID_ANY,
		.page_size = 4096,
		.nb_pages = NB_PAGES,
		.cache_size = 32,
	};
	const struct rte_memzone *mz;
	int i, ret, failures = 0;
	ssize_t len;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0 && i + 1 < argc &&
				strcmp(argv[i + 1], "secondary") == 0) {
			if (rte_eal_init(i, argv) < 0) {
				printf("secondary: rte_eal_init: %s\n",
					rte_strerror(rte_errno));
				return 1;
			}
			return secondary_main();
		}
	if (!lt_hugepages_usable(64)) {
		printf("skipped: multi-process needs hugepages (a hugetlbfs "
			"mount and 64 free 2 MiB pages): DPDK secondaries cannot "
			"attach to a --no-huge primary\n");
		return LT_SKIP;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0) {
		printf("cannot find /proc/self/exe\n");
		return 1;
	}
	self[len] = '\0';
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=reclaim_%d",
		(int)getpid());
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			snprintf(prefix_arg, sizeof(prefix_arg), "%s", argv[i]);
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			if (i + 1 < argc && argv[i + 1][0] != '\0')
				plugin = lt_plugin_copy(argv[i + 1]);
			argc = i;
			break;
		}
	ret = lt_eal_init_plugin(argc, argv, plugin);
	if (ret < 0) {
		printf("rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	mz = rte_memzone_reserve(CTL_NAME, sizeof(*ctl), SOCKET_ID_ANY, 0);
	lab = labyrinth_create(&conf);
	if (mz == NULL || lab == NULL) {
		printf("setup failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ctl = mz->addr;
	memset(ctl, 0, sizeof(*ctl));
	if (plugin != NULL) {
		mp = rte_pktmbuf_pool_create_by_ops(POOL_NAME, POOL_SIZE, 32, 0,
				RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY,
				"labyrinth");
		if (mp == NULL) {
			printf("mempool: %s\n", rte_strerror(rte_errno));
			return 1;
		}
	} else {
		printf("note: no driver plugin given: pages only\n");
	}
	LT_RUN(test_reclaim, failures);
	if (labyrinth_destroy(lab) != 0) {
		printf("destroy failed\n");
		failures++;
	}
	rte_mempool_free(mp);
	rte_memzone_free(mz);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
