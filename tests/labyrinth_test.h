/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_TEST_H
#define LABYRINTH_TEST_H

/*
 * Small test helpers shared by every test program (rte_test.h is not
 * installed by DPDK 22.11). Tests return 0 on success, -1 on failure, or
 * exit with LT_SKIP (77, meson's skip) after saying why.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memzone.h>

#define LT_SKIP 77

#define LT_ASSERT(cond, fmt, ...) do { \
	if (!(cond)) { \
		printf("[%s():%d] assertion failed: %s: " fmt "\n", \
			__func__, __LINE__, #cond, ##__VA_ARGS__); \
		return -1; \
	} \
} while (0)

#define LT_ASSERT_EQ(a, b, fmt, ...) do { \
	long long lt_a_ = (long long)(a), lt_b_ = (long long)(b); \
	if (lt_a_ != lt_b_) { \
		printf("[%s():%d] %s == %s failed: %lld != %lld: " fmt "\n", \
			__func__, __LINE__, #a, #b, lt_a_, lt_b_, \
			##__VA_ARGS__); \
		return -1; \
	} \
} while (0)

/* Run one test function, print its verdict, count failures. */
#define LT_RUN(fn, failures) do { \
	int lt_rc_ = (fn)(); \
	printf("%-40s %s\n", #fn, lt_rc_ == 0 ? "ok" : "FAILED"); \
	if (lt_rc_ != 0) \
		(failures)++; \
} while (0)

/*
 * Run one test function that may also return LT_SKIP; count failures and
 * skips separately.
 */
#define LT_RUN_SKIPPABLE(fn, failures, skipped) do { \
	int lt_rc_ = (fn)(); \
	printf("%-40s %s\n", #fn, lt_rc_ == 0 ? "ok" : \
		lt_rc_ == LT_SKIP ? "skipped" : "FAILED"); \
	if (lt_rc_ == LT_SKIP) \
		(skipped)++; \
	else if (lt_rc_ != 0) \
		(failures)++; \
} while (0)

/* Assert that a call returned NULL and set rte_errno to err. */
#define LT_ASSERT_NULL_ERRNO(ptr, err) do { \
	const void *lt_p_ = (ptr); \
	int lt_e_ = rte_errno; \
	if (lt_p_ != NULL || lt_e_ != (err)) { \
		printf("[%s():%d] %s: expected NULL with rte_errno %d (%s), " \
			"got %p with rte_errno %d (%s)\n", __func__, \
			__LINE__, #ptr, (err), strerror(err), lt_p_, lt_e_, \
			strerror(lt_e_)); \
		return -1; \
	} \
} while (0)

static inline void
lt_memzone_count_cb(const struct rte_memzone *mz, void *arg)
{
	RTE_SET_USED(mz);
	(*(unsigned int *)arg)++;
}

/* Number of memzones in this process's shared memory. */
static inline unsigned int
lt_memzone_count(void)
{
	unsigned int n = 0;

	rte_memzone_walk(lt_memzone_count_cb, &n);
	return n;
}

/*
 * Whether hugepages can be used: a hugetlbfs mount and free 2 MiB pages
 * (at least min_free of them).
 */
static inline int
lt_hugepages_usable(unsigned long min_free)
{
	FILE *f;
	char line[256];
	unsigned long free_pages = 0;
	int mounted = 0;

	f = fopen("/proc/mounts", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, " hugetlbfs ") != NULL)
				mounted = 1;
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (f != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "HugePages_Free: %lu", &free_pages) == 1)
				break;
		fclose(f);
	}
	return mounted && free_pages >= min_free;
}

/*
 * rte_eal_init() with a hugepage fallback: when no hugetlbfs mount with at
 * least 64 free 2 MiB pages exists, "--no-huge -m 512" is added and the
 * test says so. EAL failing even then is a failure (exit 1), not a skip:
 * with --no-huge there is nothing the machine lacks.
 * "--in-memory" is dropped in that case (EAL refuses it with --no-huge).
 * Returns the number of arguments EAL consumed, as rte_eal_init() does
 * (not counting the added ones, nor a dropped --in-memory).
 */
static inline int
lt_eal_init(int argc, char **argv)
{
	static char *args[128];
	static char no_huge[] = "--no-huge", m_opt[] = "-m", m_val[] = "512";
	int i, n = 0, ret, added = 0;

	if (argc > 120) {
		printf("too many arguments\n");
		exit(1);
	}
	args[n++] = argv[0];
	if (!lt_hugepages_usable(64) && getenv("LT_FORCE_HUGE") == NULL) {
		printf("note: no usable hugepages (need a hugetlbfs mount and "
			"64 free 2 MiB pages): running with --no-huge -m 512\n");
		args[n++] = no_huge;
		args[n++] = m_opt;
		args[n++] = m_val;
		added = 3;
	}
	for (i = 1; i < argc; i++) {
		/* EAL refuses --in-memory with --no-huge (legacy memory);
		 * without hugepages there are no files to leave behind anyway. */
		if (added != 0 && strcmp(argv[i], "--in-memory") == 0)
			continue;
		args[n++] = argv[i];
	}
	args[n] = NULL;
	ret = rte_eal_init(n, args);
	if (ret >= 0)
		ret += argc - (n - added); /* count a dropped --in-memory */
	if (ret < 0) {
		printf("rte_eal_init failed: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	return ret - added;
}

#endif /* LABYRINTH_TEST_H */
