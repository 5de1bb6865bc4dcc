/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_FAULT_CTL_H
#define LABYRINTH_FAULT_CTL_H

/*
 * The test side of tests/fault/fault_shim.c: its control functions, found
 * with dlsym() since the shim comes in through LD_PRELOAD, not the link.
 */

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "labyrinth_test.h"

struct lt_fault {
	/* Count calls from now; fail the k-th (k >= 1; 0 or less: none),
	 * and with sticky every later one too. */
	void (*arm)(long k, int sticky);
	/* Fail every reservation of more than len bytes (0: no cap). */
	void (*max_len)(size_t len);
	unsigned long (*calls)(void);   /* since arming */
	unsigned long (*failed)(void);  /* injected failures since arming */
};

static struct lt_fault lt_fault;

/* Find the shim; 0, or -1 (and why) when it is not preloaded. */
static inline int
lt_fault_init(void)
{
	lt_fault.arm = (void (*)(long, int))dlsym(RTLD_DEFAULT,
			"lt_fault_mz_arm");
	lt_fault.max_len = (void (*)(size_t))dlsym(RTLD_DEFAULT,
			"lt_fault_mz_max_len");
	lt_fault.calls = (unsigned long (*)(void))dlsym(RTLD_DEFAULT,
			"lt_fault_mz_calls");
	lt_fault.failed = (unsigned long (*)(void))dlsym(RTLD_DEFAULT,
			"lt_fault_mz_failed");
	if (lt_fault.arm == NULL || lt_fault.max_len == NULL ||
			lt_fault.calls == NULL || lt_fault.failed == NULL) {
		printf("fault shim not loaded (run with LD_PRELOAD=<build>/"
			"tests/fault/libfault_shim.so)\n");
		return -1;
	}
	return 0;
}

/* Stop failing; the calls go on being counted. */
static inline void
lt_fault_off(void)
{
	lt_fault.arm(0, 0);
}

/*
 * The shim interposes the reservations of this program: armed for the
 * first call, a reservation fails with ENOMEM, and the next one (disarmed)
 * works again.
 */
static inline int
lt_fault_selftest(void)
{
	const struct rte_memzone *mz;

	lt_fault.arm(1, 0);
	rte_errno = 0;
	mz = rte_memzone_reserve("lt_fault_selftest", 64, SOCKET_ID_ANY, 0);
	LT_ASSERT(mz == NULL && rte_errno == ENOMEM,
		"armed reservation: %p, rte_errno %d", (const void *)mz,
		rte_errno);
	LT_ASSERT_EQ(lt_fault.calls(), 1, "calls counted");
	LT_ASSERT_EQ(lt_fault.failed(), 1, "failures injected");
	mz = rte_memzone_reserve_aligned("lt_fault_selftest", 64,
			SOCKET_ID_ANY, 0, 64);
	LT_ASSERT(mz != NULL, "second reservation: %s",
		rte_strerror(rte_errno));
	LT_ASSERT_EQ(rte_memzone_free(mz), 0, "");
	lt_fault.arm(1, 1);
	mz = rte_memzone_reserve_bounded("lt_fault_selftest", 64,
			SOCKET_ID_ANY, 0, 64, 0);
	LT_ASSERT(mz == NULL && rte_errno == ENOMEM, "bounded: %p",
		(const void *)mz);
	mz = rte_memzone_reserve("lt_fault_selftest", 64, SOCKET_ID_ANY, 0);
	LT_ASSERT(mz == NULL && rte_errno == ENOMEM, "sticky: %p",
		(const void *)mz);
	lt_fault.max_len(4096);
	lt_fault_off();
	mz = rte_memzone_reserve("lt_fault_selftest", 8192, SOCKET_ID_ANY, 0);
	LT_ASSERT(mz == NULL && rte_errno == ENOMEM, "above max_len: %p",
		(const void *)mz);
	mz = rte_memzone_reserve("lt_fault_selftest", 0, SOCKET_ID_ANY, 0);
	LT_ASSERT(mz != NULL && mz->len == 4096, "biggest block: %p, %zu",
		(const void *)mz, mz != NULL ? mz->len : 0);
	LT_ASSERT_EQ(rte_memzone_free(mz), 0, "");
	lt_fault.max_len(0);
	mz = rte_memzone_reserve("lt_fault_selftest", 8192, SOCKET_ID_ANY, 0);
	LT_ASSERT(mz != NULL, "no cap: %s", rte_strerror(rte_errno));
	LT_ASSERT_EQ(rte_memzone_free(mz), 0, "");
	return 0;
}

#endif /* LABYRINTH_FAULT_CTL_H */
