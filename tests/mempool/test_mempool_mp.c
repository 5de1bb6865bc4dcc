/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Multi-process guard (DPDK bugzilla 1073). The primary loads
 * "-d lt_dummy -d labyrinth" (the labyrinth plugin registers two ops,
 * "labyrinth" and then "labyrinth_strict") and creates one pool on each of
 * lt_dummy, labyrinth and ring_mp_mc, and one on labyrinth_strict. It then
 * starts itself twice as a secondary:
 * - with the same -d order: labyrinth_mempool_check() accepts the pools and
 *   the labyrinth pools work from the secondary;
 * - with the opposite order, so that the lt_dummy pool's index names
 *   "labyrinth" and the labyrinth pool's names "labyrinth_strict":
 *   labyrinth_mempool_check() refuses both with -EXDEV and accepts the ring
 *   pool; and a get on either, served by the wrong callbacks of our driver,
 *   fails instead of crashing (the driver checks its header's magic and
 *   mode).
 * The other direction (a labyrinth pool served by lt_dummy's callbacks)
 * cannot be protected by our code, which does not run: that is what the
 * check is for.
 *
 * labyrinth_mempool_check() (lib/mempool_labyrinth/mempool_labyrinth_ctl.c)
 * compares the local ops name with "labyrinth" only, so it is not run on
 * the labyrinth_strict pool here.
 *
 * Needs hugepages (secondary processes cannot attach to --no-huge memory):
 * exits 77 without them.
 */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth.h"
#include "labyrinth_mempool.h"
#include "mempool_test.h"

#define NB_OBJS 1023

static const char *prefix = "mempool_mp";

static struct rte_mempool *
make_pool(const char *name, const char *ops)
{
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, NB_OBJS, 64, 0, 0, SOCKET_ID_ANY,
			0);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, ops, NULL) != 0 ||
			rte_mempool_populate_default(mp) != NB_OBJS) {
		rte_mempool_free(mp);
		return NULL;
	}
	return mp;
}

static int
ops_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
secondary(const char *mode)
{
	struct rte_mempool *lab, *strict, *dummy, *ring;
	void *objs[10];
	int same = strcmp(mode, "same") == 0;

	printf("secondary (%s): labyrinth ops at %d, labyrinth_strict at %d, "
		"lt_dummy at %d\n", mode, ops_index("labyrinth"),
		ops_index("labyrinth_strict"), ops_index("lt_dummy"));
	lab = rte_mempool_lookup("mp_lab");
	strict = rte_mempool_lookup("mp_strict");
	dummy = rte_mempool_lookup("mp_dummy");
	ring = rte_mempool_lookup("mp_ring");
	LT_ASSERT(lab != NULL && strict != NULL && dummy != NULL &&
		ring != NULL, "lookup");
	LT_ASSERT_EQ(labyrinth_mempool_check(ring), 0, "ring pool");
	if (same) {
		LT_ASSERT_EQ(labyrinth_mempool_check(lab), 0, "labyrinth pool");
		LT_ASSERT_EQ(labyrinth_mempool_check(dummy), 0, "dummy pool");
		LT_ASSERT(rte_mempool_get_bulk(lab, objs, RTE_DIM(objs)) == 0,
			"get from the secondary");
		rte_mempool_put_bulk(lab, objs, RTE_DIM(objs));
		LT_ASSERT_EQ(rte_mempool_avail_count(lab), NB_OBJS, "count");
		LT_ASSERT(rte_mempool_get_bulk(strict, objs, RTE_DIM(objs)) ==
			0, "get from the secondary (strict)");
		rte_mempool_put_bulk(strict, objs, RTE_DIM(objs));
		LT_ASSERT_EQ(rte_mempool_avail_count(strict), NB_OBJS,
			"count (strict)");
	} else {
		LT_ASSERT(strcmp(rte_mempool_get_ops(dummy->ops_index)->name,
			"labyrinth") == 0 &&
			strcmp(rte_mempool_get_ops(lab->ops_index)->name,
			"labyrinth_strict") == 0, "indices swapped as planned");
		LT_ASSERT_EQ(labyrinth_mempool_check(lab), -EXDEV,
			"labyrinth pool, labyrinth_strict ops here");
		LT_ASSERT_EQ(labyrinth_mempool_check(dummy), -EXDEV,
			"dummy pool, labyrinth driver here");
		LT_ASSERT(rte_mempool_get(dummy, &objs[0]) != 0,
			"labyrinth callbacks on a foreign pool refuse");
		LT_ASSERT(rte_mempool_get(lab, &objs[0]) != 0,
			"labyrinth_strict callbacks on a default pool refuse");
	}
	printf("secondary (%s): ok\n", mode);
	return 0;
}

/* Run this program as a secondary; returns its exit status or -1. */
static int
spawn(const char *exe, const char *d1, const char *d2, const char *mode)
{
	char fp[128];
	char *args[] = {
		(char *)(uintptr_t)exe, (char *)(uintptr_t)"--proc-type=secondary",
		fp, (char *)(uintptr_t)"--no-pci", (char *)(uintptr_t)"-l",
		(char *)(uintptr_t)"1", (char *)(uintptr_t)"-d",
		(char *)(uintptr_t)d1, (char *)(uintptr_t)"-d",
		(char *)(uintptr_t)d2, (char *)(uintptr_t)"--",
		(char *)(uintptr_t)"secondary", (char *)(uintptr_t)mode, NULL,
	};
	int status, waited;
	pid_t pid;

	snprintf(fp, sizeof(fp), "--file-prefix=%s", prefix);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(exe, args);
		_exit(127);
	}
	for (waited = 0; waited < 600; waited++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	printf("secondary (%s) timed out\n", mode);
	return -1;
}

static int
primary(const char *exe, const char *dlab, const char *ddummy)
{
	struct rte_mempool *lab, *strict, *dummy, *ring;
	int rc;

	printf("primary: labyrinth ops at %d, labyrinth_strict at %d, "
		"lt_dummy at %d\n", ops_index("labyrinth"),
		ops_index("labyrinth_strict"), ops_index("lt_dummy"));
	LT_ASSERT(ops_index("labyrinth") >= 0 &&
		ops_index("labyrinth_strict") == ops_index("labyrinth") + 1 &&
		ops_index("lt_dummy") >= 0, "both plugins loaded");
	lab = make_pool("mp_lab", "labyrinth");
	strict = make_pool("mp_strict", "labyrinth_strict");
	dummy = make_pool("mp_dummy", "lt_dummy");
	ring = make_pool("mp_ring", "ring_mp_mc");
	LT_ASSERT(lab != NULL && strict != NULL && dummy != NULL &&
		ring != NULL, "pools");
	LT_ASSERT_EQ(labyrinth_mempool_check(lab), 0, "primary, labyrinth");
	LT_ASSERT_EQ(labyrinth_mempool_check(dummy), 0, "primary, dummy");
	LT_ASSERT_EQ(labyrinth_mempool_check(ring), 0, "primary, ring");

	rc = spawn(exe, ddummy, dlab, "same");
	LT_ASSERT_EQ(rc, 0, "secondary with the same -d order");
	rc = spawn(exe, dlab, ddummy, "reversed");
	LT_ASSERT_EQ(rc, 0, "secondary with the other -d order");

	LT_ASSERT_EQ(rte_mempool_avail_count(lab), NB_OBJS, "lab pool intact");
	LT_ASSERT(mt_audit(lab) == 0, "audit");
	LT_ASSERT_EQ(rte_mempool_avail_count(strict), NB_OBJS,
		"strict pool intact");
	LT_ASSERT(mt_audit(strict) == 0, "audit (strict)");
	rte_mempool_free(lab);
	rte_mempool_free(strict);
	rte_mempool_free(dummy);
	rte_mempool_free(ring);
	return 0;
}

int
main(int argc, char **argv)
{
	char exe[PATH_MAX];
	const char *dlab, *ddummy;
	char *args[16];
	ssize_t len;
	int n = 0, ret, i;

	/* The secondary is started by the primary with EAL arguments. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--proc-type=secondary") == 0)
			break;
	if (i < argc) {
		ret = rte_eal_init(argc, argv);
		if (ret < 0) {
			printf("secondary: rte_eal_init failed: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
		if (argc - ret < 3)
			return 1;
		ret = secondary(argv[ret + 2]);
		rte_eal_cleanup();
		return ret == 0 ? 0 : 1;
	}

	if (!lt_hugepages_usable(64)) {
		printf("skip: secondary processes need hugepages (hugetlbfs "
			"mount and 64 free 2 MiB pages)\n");
		return LT_SKIP;
	}
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return 1;
	exe[len] = '\0';
	dlab = mt_plugin_arg("LT_MEMPOOL_PLUGIN");
	ddummy = mt_plugin_arg("LT_DUMMY_PLUGIN");

	args[n++] = argv[0];
	for (i = 1; i < argc && n < 10; i++) {
		args[n++] = argv[i];
		if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			prefix = argv[i] + 14;
	}
	args[n++] = (char *)(uintptr_t)"-d";
	args[n++] = (char *)(uintptr_t)ddummy;
	args[n++] = (char *)(uintptr_t)"-d";
	args[n++] = (char *)(uintptr_t)dlab;
	args[n] = NULL;
	if (rte_eal_init(n, args) < 0) {
		printf("rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	ret = primary(exe, dlab, ddummy);
	printf("%-40s %s\n", "multi-process check", ret == 0 ? "ok" : "FAILED");
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
