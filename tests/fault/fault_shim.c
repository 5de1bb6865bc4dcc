/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Memzone fault injection, loaded with LD_PRELOAD ahead of EAL: it defines
 * rte_memzone_reserve, rte_memzone_reserve_aligned and
 * rte_memzone_reserve_bounded, so that every call made through a PLT
 * (liblabyrinth's, librte_mempool's, the test's own) comes here first and
 * goes on to EAL's definition (dlsym RTLD_NEXT) unless it is made to fail.
 * EAL exports them as name@@DPDK_23; an unversioned definition in an
 * object loaded first satisfies a versioned reference (glibc accepts a
 * symbol of version index 1, "global", for any version asked for).
 *
 * Calls inside EAL that do not go through these three names (EAL's own
 * memzone code calls a static helper) are not seen.
 *
 * Control, from the environment at load time:
 *   LABYRINTH_FAULT_MZ=k          make the k-th call (from load) fail;
 *                                 -1 or unset: off (counting only)
 *   LABYRINTH_FAULT_MZ_STICKY=1   the k-th and every later call fail
 *   LABYRINTH_FAULT_MZ_MAX_LEN=n  memory too fragmented for a memzone
 *                                 above n bytes: every call asking for
 *                                 more fails, and one asking for 0 ("the
 *                                 biggest free block") gets n bytes
 *   LABYRINTH_FAULT_VERBOSE=1     one line on stderr per injected failure
 * or at run time through the functions below (a test finds them with
 * dlsym(RTLD_DEFAULT, ...): see fault_ctl.h). A failed call returns NULL
 * with rte_errno ENOMEM, as EAL does when memory runs out.
 */

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memzone.h>

typedef const struct rte_memzone *(reserve_fn)(const char *, size_t, int,
		unsigned int);
typedef const struct rte_memzone *(reserve_aligned_fn)(const char *, size_t,
		int, unsigned int, unsigned int);
typedef const struct rte_memzone *(reserve_bounded_fn)(const char *, size_t,
		int, unsigned int, unsigned int, unsigned int);

static reserve_fn *next_reserve;
static reserve_aligned_fn *next_reserve_aligned;
static reserve_bounded_fn *next_reserve_bounded;

/*
 * State shared by every thread that reserves a memzone. The counters are
 * __atomic (relaxed: each is an independent tally; arming happens while
 * the test is the only thread reserving, so nothing else orders them).
 */
static long fail_at = -1;     /* k: fail the k-th call since arming */
static int sticky;            /* and every later one */
static size_t max_len;        /* fail calls asking for more; 0: no cap */
static unsigned long calls;   /* since arming */
static unsigned long failed;  /* injected failures since arming */
static int verbose;

/* Exported for tests (dlsym): see fault_ctl.h. */
void lt_fault_mz_arm(long k, int is_sticky);
void lt_fault_mz_max_len(size_t len);
unsigned long lt_fault_mz_calls(void);
unsigned long lt_fault_mz_failed(void);

void
lt_fault_mz_arm(long k, int is_sticky)
{
	__atomic_store_n(&calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&failed, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&sticky, is_sticky, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_at, k, __ATOMIC_RELAXED);
}

void
lt_fault_mz_max_len(size_t len)
{
	__atomic_store_n(&max_len, len, __ATOMIC_RELAXED);
}

unsigned long
lt_fault_mz_calls(void)
{
	return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

unsigned long
lt_fault_mz_failed(void)
{
	return __atomic_load_n(&failed, __ATOMIC_RELAXED);
}

static void
resolve(void)
{
	if (next_reserve == NULL)
		next_reserve = (reserve_fn *)dlsym(RTLD_NEXT,
				"rte_memzone_reserve");
	if (next_reserve_aligned == NULL)
		next_reserve_aligned = (reserve_aligned_fn *)dlsym(RTLD_NEXT,
				"rte_memzone_reserve_aligned");
	if (next_reserve_bounded == NULL)
		next_reserve_bounded = (reserve_bounded_fn *)dlsym(RTLD_NEXT,
				"rte_memzone_reserve_bounded");
	if (next_reserve == NULL || next_reserve_aligned == NULL ||
			next_reserve_bounded == NULL) {
		fprintf(stderr, "fault_shim: EAL's memzone functions not "
			"found: %s\n", dlerror());
		abort();
	}
}

static long
env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	char *end;
	long x;

	if (v == NULL || *v == '\0')
		return dflt;
	x = strtol(v, &end, 0);
	return *end == '\0' ? x : dflt;
}

RTE_INIT(fault_shim_init)
{
	long len = env_long("LABYRINTH_FAULT_MZ_MAX_LEN", 0);

	resolve();
	verbose = env_long("LABYRINTH_FAULT_VERBOSE", 0) != 0;
	max_len = len > 0 ? (size_t)len : 0;
	lt_fault_mz_arm(env_long("LABYRINTH_FAULT_MZ", -1),
		env_long("LABYRINTH_FAULT_MZ_STICKY", 0) != 0);
}

/* Whether this call (name, len) is to fail; counts it. */
static bool
inject(const char *fn, const char *name, size_t len)
{
	unsigned long n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
	long k = __atomic_load_n(&fail_at, __ATOMIC_RELAXED);
	size_t cap = __atomic_load_n(&max_len, __ATOMIC_RELAXED);
	bool fail = false;
	const char *why = "";

	if (k > 0 && (n == (unsigned long)k ||
			(n > (unsigned long)k &&
			 __atomic_load_n(&sticky, __ATOMIC_RELAXED)))) {
		fail = true;
		why = "call";
	} else if (cap != 0 && len > cap) {
		fail = true;
		why = "length";
	}
	if (fail) {
		__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED);
		if (verbose)
			fprintf(stderr, "fault_shim: call %lu %s(%s, %zu) "
				"fails (%s)\n", n, fn, name, len, why);
		rte_errno = ENOMEM;
	} else if (verbose) {
		fprintf(stderr, "fault_shim: call %lu %s(%s, %zu)\n", n, fn,
			name, len);
	}
	return fail;
}

/* With a cap, a request for the biggest free block gets the cap. */
static size_t
biggest(size_t len)
{
	size_t cap = __atomic_load_n(&max_len, __ATOMIC_RELAXED);

	return len == 0 && cap != 0 ? cap : len;
}

const struct rte_memzone *
rte_memzone_reserve(const char *name, size_t len, int socket_id,
		unsigned int flags)
{
	resolve();
	if (inject(__func__, name, len))
		return NULL;
	len = biggest(len);
	return next_reserve(name, len, socket_id, flags);
}

const struct rte_memzone *
rte_memzone_reserve_aligned(const char *name, size_t len, int socket_id,
		unsigned int flags, unsigned int align)
{
	resolve();
	if (inject(__func__, name, len))
		return NULL;
	len = biggest(len);
	return next_reserve_aligned(name, len, socket_id, flags, align);
}

const struct rte_memzone *
rte_memzone_reserve_bounded(const char *name, size_t len, int socket_id,
		unsigned int flags, unsigned int align, unsigned int bound)
{
	resolve();
	if (inject(__func__, name, len))
		return NULL;
	len = biggest(len);
	return next_reserve_bounded(name, len, socket_id, flags, align,
		bound);
}
