/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * What the libFuzzer harnesses (fuzz_api.c, fuzz_mempool.c) share: reading
 * the input, the mismatch macros, the memzone count, EAL initialisation
 * with one worker lcore, and running a call on another thread (the worker
 * EAL lcore or a fresh non-EAL pthread). Define FZ_NAME (a string) before
 * including it.
 */

#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_memzone.h>

#ifndef FZ_NAME
#error "define FZ_NAME before including fuzz_common.h"
#endif

#define FZ_FAIL(fmt, ...) do { \
	fprintf(stderr, FZ_NAME ": %s():%d: model mismatch: " fmt "\n", \
		__func__, __LINE__, ##__VA_ARGS__); \
	abort(); \
} while (0)

#define FZ_CHECK(cond, fmt, ...) do { \
	if (!(cond)) \
		FZ_FAIL("%s: " fmt, #cond, ##__VA_ARGS__); \
} while (0)

struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* Missing bytes read as 0. */
static inline uint8_t
in_u8(struct fz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t
in_u16(struct fz_in *in)
{
	uint16_t lo = in_u8(in);

	return (uint16_t)(lo | (uint16_t)in_u8(in) << 8);
}

static inline uint32_t
in_u32(struct fz_in *in)
{
	uint32_t lo = in_u16(in);

	return lo | (uint32_t)in_u16(in) << 16;
}

static inline uint64_t
in_u64(struct fz_in *in)
{
	uint64_t lo = in_u32(in);

	return lo | (uint64_t)in_u32(in) << 32;
}

static void
fz_memzone_count_cb(const struct rte_memzone *mz, void *arg)
{
	RTE_SET_USED(mz);
	(*(unsigned int *)arg)++;
}

static inline unsigned int
memzone_count(void)
{
	unsigned int n = 0;

	rte_memzone_walk(fz_memzone_count_cb, &n);
	return n;
}

/*
 * Where a call runs: on the fuzzing thread (the main EAL lcore), on the
 * worker EAL lcore (rte_eal_remote_launch, then waited for), or on a
 * fresh pthread that has no lcore id (created and joined).
 */
enum fz_who { FZ_MAIN = 0, FZ_WORKER, FZ_PTHREAD };

/* The worker lcore; RTE_MAX_LCORE until fz_eal_init() found one. */
static unsigned int fz_worker = RTE_MAX_LCORE;

/* Who runs a call, from two bits of the input: mostly the main lcore. */
static inline enum fz_who
fz_who_of(unsigned int bits)
{
	switch (bits & 3) {
	case 2:
		return fz_worker < RTE_MAX_LCORE ? FZ_WORKER : FZ_MAIN;
	case 3:
		return FZ_PTHREAD;
	default:
		return FZ_MAIN;
	}
}

static inline const char *
fz_who_name(enum fz_who who)
{
	return who == FZ_MAIN ? "main lcore" : who == FZ_WORKER ?
		"worker lcore" : "non-EAL thread";
}

struct fz_thunk {
	int (*fn)(void *arg);
	void *arg;
};

static void *
fz_pthread_main(void *arg)
{
	struct fz_thunk *t = arg;

	t->fn(t->arg);
	return NULL;
}

/* Run fn(arg) on who, and wait for it. */
static inline void
fz_exec(enum fz_who who, int (*fn)(void *arg), void *arg)
{
	struct fz_thunk t = { .fn = fn, .arg = arg };
	pthread_t th;
	int ret;

	switch (who) {
	case FZ_WORKER:
		ret = rte_eal_remote_launch(fn, arg, fz_worker);
		FZ_CHECK(ret == 0, "remote launch on lcore %u: %d", fz_worker,
			ret);
		rte_eal_wait_lcore(fz_worker);
		break;
	case FZ_PTHREAD:
		ret = pthread_create(&th, NULL, fz_pthread_main, &t);
		FZ_CHECK(ret == 0, "pthread_create: %d", ret);
		ret = pthread_join(th, NULL);
		FZ_CHECK(ret == 0, "pthread_join: %d", ret);
		break;
	default:
		fn(arg);
		break;
	}
}

/*
 * EAL with two lcores, 0 (main, the fuzzing thread) and 1 (worker), both
 * allowed on every CPU this process may use: --no-huge, 256 MiB, no shared
 * config. extra: more arguments (NULL-terminated), e.g. log levels.
 */
static inline void
fz_eal_init(const char *prefix, const char * const *extra)
{
	static char lcores[600], file_prefix[64];
	char *argv[32];
	int argc = 0, n = 0, k, i;
	cpu_set_t cs;

	CPU_ZERO(&cs);
	if (sched_getaffinity(0, sizeof(cs), &cs) != 0)
		CPU_SET(0, &cs);
	n = snprintf(lcores, sizeof(lcores), "--lcores=(0,1)@(");
	for (i = 0, k = 0; i < CPU_SETSIZE && n < (int)sizeof(lcores) - 8;
			i++)
		if (CPU_ISSET(i, &cs))
			n += snprintf(lcores + n, sizeof(lcores) - n, "%s%d",
				k++ ? "," : "", i);
	snprintf(lcores + n, sizeof(lcores) - n, ")");
	snprintf(file_prefix, sizeof(file_prefix), "--file-prefix=%s", prefix);
	argv[argc++] = (char *)(uintptr_t)FZ_NAME;
	argv[argc++] = (char *)(uintptr_t)"--no-huge";
	argv[argc++] = (char *)(uintptr_t)"-m";
	argv[argc++] = (char *)(uintptr_t)"256";
	argv[argc++] = (char *)(uintptr_t)"--no-shconf";
	argv[argc++] = file_prefix;
	argv[argc++] = (char *)(uintptr_t)"--no-pci";
	argv[argc++] = (char *)(uintptr_t)"--no-telemetry";
	argv[argc++] = lcores;
	for (i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++)
		argv[argc++] = (char *)(uintptr_t)extra[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, FZ_NAME ": rte_eal_init(%s): %s\n", lcores,
			rte_strerror(rte_errno));
		exit(1);
	}
	fz_worker = rte_get_next_lcore(-1, 1, 0);
	if (fz_worker >= RTE_MAX_LCORE)
		fprintf(stderr, FZ_NAME ": no worker lcore: calls on it run "
			"on the main lcore\n");
}

#endif /* FUZZ_COMMON_H */
