/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Unit tests of grabbing and freeing single pages: exhaustion, the
 * reserve and watermarks, bulk, GFP_ZERO, debug poison, ownership, bad
 * frees, statistics, the lcore cache and remote frees.
 * Most tests run twice: without and with an lcore cache.
 */

/* rte_vect_get_max_simd_bitwidth() is experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_vect.h>

#include "labyrinth.h"
#include "labyrinth_test.h"
#include "unit_common.h"

#define PS 4096u
#define MAX_PAGES 2048u

static void *pages[MAX_PAGES];
static void *more[MAX_PAGES];

/* Grab with gfp until NULL (at most max); the NULL must say ENOMEM. */
static int
grab_until_null(struct labyrinth *lab, unsigned int gfp, void **out,
		unsigned int max, unsigned int *n)
{
	void *p;

	*n = 0;
	while (*n < max) {
		p = labyrinth_alloc_page(lab, gfp);
		if (p == NULL) {
			LT_ASSERT_EQ(rte_errno, ENOMEM,
				"grab %u (gfp %#x) failed with another errno",
				*n, gfp);
			return 0;
		}
		out[(*n)++] = p;
	}
	LT_ASSERT(0, "more than %u pages grabbed", max);
}

/* Grab every page, write each whole, free them all; twice. */
static int
exhaust_free_all(uint32_t cache)
{
	const uint32_t nb = 1000; /* not a multiple of 64: a partial word */
	int self = (int)rte_lcore_id();
	int socket = (int)rte_socket_id();
	struct labyrinth_stats st;
	struct labyrinth *lab;
	unsigned int n, i, round;

	lab = ut_create("ut_exhaust", PS, nb, 0, cache, 0);
	LT_ASSERT(lab != NULL, "");
	for (round = 0; round < 2; round++) {
		LT_ASSERT_EQ(grab_until_null(lab, LABYRINTH_GFP_NORMAL, pages,
			MAX_PAGES, &n), 0, "");
		LT_ASSERT_EQ(n, nb, "normal grabs before NULL (round %u)",
			round);
		LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab,
			LABYRINTH_GFP_ATOMIC), ENOMEM);
		LT_ASSERT_EQ(labyrinth_free_count(lab), 0, "");
		LT_ASSERT_EQ(labyrinth_pressure(lab, socket),
			LABYRINTH_PRESSURE_MIN, "");
		for (i = 0; i < n; i++) {
			LT_ASSERT_EQ(labyrinth_page_owner(lab, pages[i]), self,
				"page %u", i);
			LT_ASSERT_EQ(labyrinth_page_socket(lab, pages[i]),
				socket, "page %u", i);
			memset(pages[i], (int)(i & 0xff), PS);
		}
		for (i = 0; i < n; i++)
			LT_ASSERT(ut_all_bytes(pages[i], PS, i & 0xff),
				"page %u (%p) overwritten: pages overlap", i,
				pages[i]);
		LT_ASSERT_EQ(ut_check_distinct(pages, n, PS), 0, "");
		LT_ASSERT_EQ(labyrinth_audit(lab), 0, "all held");
		LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
		LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
		LT_ASSERT_EQ(labyrinth_pressure(lab, socket),
			LABYRINTH_PRESSURE_NONE, "");
		LT_ASSERT_EQ(labyrinth_audit(lab), 0, "all free");
	}
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.alloc_ok, 2 * nb, "");
	LT_ASSERT_EQ(st.alloc_fail, 4, "");
	LT_ASSERT_EQ(st.frees, 2 * nb, "");
	LT_ASSERT_EQ(st.bad_frees, 0, "");
	LT_ASSERT_EQ(st.reserve_dips, 0, "reserve 0: no dip possible");
	LT_ASSERT_EQ(st.free, nb, "");
	LT_ASSERT_EQ(st.pages, nb, "");
	LT_ASSERT_EQ(st.nb_zones, 1, "");
	LT_ASSERT_EQ(st.zone[0].socket_id, socket, "");
	LT_ASSERT_EQ(st.zone[0].pages, nb, "");
	LT_ASSERT_EQ(st.zone[0].free, nb, "");
	if (cache == 0) {
		LT_ASSERT_EQ(st.zone[0].cached, 0, "no cache");
		LT_ASSERT_EQ(st.cache_refills, 0, "no cache");
		LT_ASSERT_EQ(st.cache_flushes, 0, "no cache");
	} else {
		LT_ASSERT(st.zone[0].cached <= cache, "%" PRIu64 " cached",
			st.zone[0].cached);
		LT_ASSERT(st.cache_refills > 0, "cache never refilled");
		LT_ASSERT(st.cache_flushes > 0, "cache never flushed");
		labyrinth_cache_flush(lab);
		st = ut_stats(lab);
		LT_ASSERT_EQ(st.zone[0].cached, 0, "after cache_flush");
		LT_ASSERT_EQ(st.zone[0].free, nb, "after cache_flush");
	}
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_exhaust_nocache(void) { return exhaust_free_all(0); }
static int test_exhaust_cache(void) { return exhaust_free_all(64); }

/*
 * Reserve: normal grabs stop at nb - reserve, also with pages parked in
 * the cache; GFP_ATOMIC then takes the reserve, each page a dip.
 */
static int
reserve_semantics(uint32_t cache)
{
	const uint32_t nb = 1024, reserve = 100;
	int socket = (int)rte_socket_id();
	const struct labyrinth_zone_stats *z;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	unsigned int n, na, i;
	void *p;

	lab = ut_create("ut_reserve", PS, nb, reserve, cache, 0);
	LT_ASSERT(lab != NULL, "");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.reserve, reserve, "");
	z = ut_zone(&st, socket);
	LT_ASSERT(z != NULL, "no zone on socket %d", socket);
	LT_ASSERT_EQ(z->reserve, reserve, "");

	/* An ATOMIC grab above the min watermark is no dip. */
	p = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
	LT_ASSERT(p != NULL, "");
	LT_ASSERT_EQ(ut_stats(lab).reserve_dips, 0, "ATOMIC above min");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");

	LT_ASSERT_EQ(grab_until_null(lab, LABYRINTH_GFP_NORMAL, pages,
		MAX_PAGES, &n), 0, "");
	LT_ASSERT_EQ(n, nb - reserve, "normal grabs before NULL");
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL),
		ENOMEM);
	LT_ASSERT_EQ(labyrinth_free_count(lab), reserve, "");
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_MIN,
		"");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.reserve_dips, 0, "normal grabs never dip");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	LT_ASSERT_EQ(grab_until_null(lab, LABYRINTH_GFP_ATOMIC, more,
		MAX_PAGES, &na), 0, "");
	LT_ASSERT_EQ(na, reserve, "ATOMIC grabs after the normal ones");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.reserve_dips, reserve, "one dip per reserve page");
	LT_ASSERT_EQ(labyrinth_free_count(lab), 0, "");
	for (i = 0; i < n; i++)
		more[na + i] = pages[i];
	LT_ASSERT_EQ(ut_check_distinct(more, na + n, PS), 0, "");

	/* One page back: still below min for a normal grab. */
	LT_ASSERT_EQ(labyrinth_free_page(lab, more[0]), 0, "");
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL),
		ENOMEM);
	more[0] = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
	LT_ASSERT(more[0] != NULL, "ATOMIC takes the page back");

	LT_ASSERT_EQ(ut_free_all(lab, more, na + n), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	/* Once more, after the cache has seen traffic. */
	LT_ASSERT_EQ(grab_until_null(lab, LABYRINTH_GFP_NORMAL, pages,
		MAX_PAGES, &n), 0, "");
	LT_ASSERT_EQ(n, nb - reserve, "normal grabs, second round");
	LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_reserve_nocache(void) { return reserve_semantics(0); }
static int test_reserve_cache(void) { return reserve_semantics(256); }

/* From a fresh labyrinth, GFP_ATOMIC takes every page. */
static int
atomic_takes_all(uint32_t cache)
{
	const uint32_t nb = 256, reserve = 32;
	struct labyrinth *lab;
	unsigned int n;

	lab = ut_create("ut_atomic", PS, nb, reserve, cache, 0);
	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(grab_until_null(lab, LABYRINTH_GFP_ATOMIC, pages,
		MAX_PAGES, &n), 0, "");
	LT_ASSERT_EQ(n, nb, "ATOMIC grabs before NULL");
	LT_ASSERT_EQ(ut_stats(lab).reserve_dips, reserve, "");
	LT_ASSERT_EQ(ut_check_distinct(pages, n, PS), 0, "");
	LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_atomic_all_nocache(void) { return atomic_takes_all(0); }
static int test_atomic_all_cache(void) { return atomic_takes_all(64); }

/* Default low watermark and labyrinth_pressure() transitions. */
static int
test_watermarks(void)
{
	const uint32_t nb = 1000, reserve = 200;
	const uint32_t low = reserve + (nb - reserve) / 8; /* 300 */
	int socket = (int)rte_socket_id();
	const struct labyrinth_zone_stats *z;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	unsigned int n = 0;

	lab = ut_create("ut_wmark", PS, nb, reserve, 0, 0);
	LT_ASSERT(lab != NULL, "");
	st = ut_stats(lab);
	z = ut_zone(&st, socket);
	LT_ASSERT(z != NULL, "");
	LT_ASSERT_EQ(z->reserve, reserve, "");
	LT_ASSERT_EQ(z->low, low, "default low watermark");

	while (n < nb - low - 1) {
		pages[n] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[n] != NULL, "grab %u", n);
		n++;
	}
	/* free = low + 1 */
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_NONE,
		"free %u", nb - n);
	pages[n++] = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(pages[n - 1] != NULL, "");
	/* free = low */
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_LOW,
		"free %u", nb - n);
	LT_ASSERT_EQ(labyrinth_pressure(lab, SOCKET_ID_ANY),
		LABYRINTH_PRESSURE_LOW, "");
	while (n < nb - reserve - 1) {
		pages[n] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[n] != NULL, "grab %u", n);
		n++;
	}
	/* free = reserve + 1 */
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_LOW,
		"free %u", nb - n);
	pages[n++] = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(pages[n - 1] != NULL, "");
	/* free = reserve */
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_MIN,
		"free %u", nb - n);
	LT_ASSERT_EQ(labyrinth_pressure(lab, SOCKET_ID_ANY),
		LABYRINTH_PRESSURE_MIN, "");
	pages[n] = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
	LT_ASSERT(pages[n] != NULL, "");
	n++;
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_MIN,
		"");

	LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_NONE,
		"");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* labyrinth_alloc_bulk is all or nothing and respects the reserve. */
static int
bulk(uint32_t cache)
{
	const uint32_t nb = 256, reserve = 16;
	int self = (int)rte_lcore_id();
	struct labyrinth_stats st0, st;
	struct labyrinth *lab;
	void *bad[4];
	char local;
	unsigned int i;

	lab = ut_create("ut_bulk", PS, nb, reserve, cache, 0);
	LT_ASSERT(lab != NULL, "");

	rte_errno = 0;
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, pages, nb - reserve + 1), 0,
		"bulk past the min watermark");
	LT_ASSERT_EQ(rte_errno, ENOMEM, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "failed bulk took pages");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, pages, nb - reserve),
		nb - reserve, "bulk down to the min watermark");
	LT_ASSERT_EQ(labyrinth_free_count(lab), reserve, "");
	rte_errno = 0;
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, pages + nb - reserve, 1), 0,
		"");
	LT_ASSERT_EQ(rte_errno, ENOMEM, "");
	rte_errno = 0;
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, LABYRINTH_GFP_ATOMIC,
		pages + nb - reserve, reserve + 1), 0, "");
	LT_ASSERT_EQ(rte_errno, ENOMEM, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), reserve, "failed ATOMIC bulk");
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, LABYRINTH_GFP_ATOMIC,
		pages + nb - reserve, reserve), reserve, "ATOMIC bulk");
	LT_ASSERT_EQ(labyrinth_free_count(lab), 0, "");
	for (i = 0; i < nb; i++)
		LT_ASSERT_EQ(labyrinth_page_owner(lab, pages[i]), self, "%u",
			i);
	memcpy(more, pages, nb * sizeof(pages[0]));
	LT_ASSERT_EQ(ut_check_distinct(more, nb, PS), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	LT_ASSERT_EQ(labyrinth_free_bulk(lab, pages, nb), nb, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	/* free_bulk with bad entries: the good ones are freed. */
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, pages, 2), 2, "");
	st0 = ut_stats(lab);
	bad[0] = pages[0];
	bad[1] = (char *)pages[0] + 1;
	bad[2] = pages[1];
	bad[3] = &local;
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, bad, 4), 2, "");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, 2, "");
	LT_ASSERT_EQ(st.frees - st0.frees, 2, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	/* And both again: double frees. */
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, pages, 2), 0, "double free");
	LT_ASSERT_EQ(ut_stats(lab).bad_frees - st.bad_frees, 2, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/*
 * labyrinth_free_bulk() with one bad entry at every position of a table of
 * 11 (the cached loop takes four pages a round and leaves through a
 * different exit for each of the four; 11 has a tail of three): a page
 * freed twice in the same call, an interior pointer, a page freed before
 * the call, a foreign pointer, each in place of one of 11 held pages. The
 * ten good entries are freed, the bad one is counted and changes nothing,
 * and the pages after it are freed too.
 */
static int
bulk_bad_at(uint32_t page_size, uint32_t cache, uint32_t flags)
{
	enum { N = 11, KINDS = 4 };
	struct labyrinth_stats st0, st;
	struct labyrinth *lab;
	void *held[N], *table[N], *spare;
	char local;
	unsigned int pos, kind, i;

	lab = ut_create("ut_bulkbad", page_size, 64, 0, cache, flags);
	LT_ASSERT(lab != NULL, "");
	for (kind = 0; kind < KINDS; kind++) {
		for (pos = 0; pos < N; pos++) {
			LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, held, N), N,
				"");
			spare = labyrinth_alloc_page(lab, 0);
			LT_ASSERT(spare != NULL, "");
			LT_ASSERT_EQ(labyrinth_free_page(lab, spare), 0, "");
			memcpy(table, held, sizeof(table));
			switch (kind) {
			case 0: /* the page before it, a second time */
				table[pos] = held[pos == 0 ? 1 : pos - 1];
				break;
			case 1:
				table[pos] = (char *)held[pos] + 64;
				break;
			case 2: /* freed before the call */
				table[pos] = spare;
				break;
			default:
				table[pos] = &local;
				break;
			}
			st0 = ut_stats(lab);
			LT_ASSERT_EQ(labyrinth_free_bulk(lab, table, N), N - 1,
				"kind %u at %u", kind, pos);
			st = ut_stats(lab);
			LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, 1,
				"kind %u at %u", kind, pos);
			LT_ASSERT_EQ(st.frees - st0.frees, N - 1,
				"kind %u at %u", kind, pos);
			for (i = 0; i < N; i++) {
				/* The page the bad entry replaced is still
				 * held. */
				int want = i == pos ? (int)rte_lcore_id() :
					-ENOENT;

				LT_ASSERT_EQ(labyrinth_page_owner(lab, held[i]),
					want, "kind %u at %u, page %u", kind,
					pos, i);
			}
			LT_ASSERT_EQ(labyrinth_page_owner(lab, spare), -ENOENT,
				"");
			LT_ASSERT_EQ(labyrinth_free_page(lab, held[pos]), 0,
				"kind %u at %u", kind, pos);
			LT_ASSERT_EQ(labyrinth_free_count(lab), 64, "");
			LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
		}
	}
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_bulk_bad_at(void) { return bulk_bad_at(PS, 32, 0); }
static int test_bulk_bad_at_strict(void)
{
	return bulk_bad_at(PS, 32, LABYRINTH_F_STRICT);
}
/* The bulk loops are built for 4 KiB pages and for any other size. */
static int test_bulk_bad_at_8k(void) { return bulk_bad_at(2 * PS, 32, 0); }
/* Cache-less lcores' bulks: their bits claimed and put back together. */
static int test_bulk_bad_at_nocache(void) { return bulk_bad_at(PS, 0, 0); }
static int test_bulk_bad_at_nocache_strict(void)
{
	return bulk_bad_at(PS, 0, LABYRINTH_F_STRICT);
}

/*
 * The bulk loops in AVX2 (labyrinth_simd.c) are on where the CPU has it
 * and EAL allows 256 bits; unit_grab_scalar runs this program again with
 * --force-max-simd-bitwidth=128, so that both loops pass every test here.
 */
static int
test_bulk_simd_chosen(void)
{
	struct labyrinth *lab = ut_create("ut_simd", PS, 64, 0, 32, 0);
	int want = 0;

#ifdef RTE_ARCH_X86_64
	want = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
		rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256;
#endif
	LT_ASSERT(lab != NULL, "");
	printf("  bulk loops: %s\n", labyrinth_fast_simd ? "AVX2" : "scalar");
	LT_ASSERT_EQ(labyrinth_fast_simd, want, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* 32 pages grabbed from a fresh pool's cache: a run of consecutive pages. */
static struct labyrinth *
run_of_32(void **held)
{
	struct labyrinth *lab = ut_create("ut_run", PS, 256, 0, 64, 0);
	unsigned int i;

	if (lab == NULL || labyrinth_alloc_bulk(lab, 0, held, 32) != 32)
		return NULL;
	for (i = 1; i < 32; i++)
		if ((uintptr_t)held[i] - (uintptr_t)held[0] != i * PS) {
			printf("  pages %u and 0 of a fresh cache are not a run\n",
				i);
			return NULL;
		}
	return lab;
}

/*
 * A run of 32 held pages, one of which (at every position) was freed
 * before the call: the pointers make a run, the records do not. The bad
 * page is counted and changes nothing, the 31 others are freed; the grab
 * of the run had recorded all 32 as the caller's.
 */
static int
test_bulk_run_freed(void)
{
	struct labyrinth_stats st0, st;
	struct labyrinth *lab;
	void *held[32];
	unsigned int pos, i;

	for (pos = 0; pos < 32; pos++) {
		lab = run_of_32(held);
		LT_ASSERT(lab != NULL, "");
		for (i = 0; i < 32; i++)
			LT_ASSERT_EQ(labyrinth_page_owner(lab, held[i]),
				(int)rte_lcore_id(), "page %u", i);
		LT_ASSERT_EQ(labyrinth_free_page(lab, held[pos]), 0, "");
		st0 = ut_stats(lab);
		LT_ASSERT_EQ(labyrinth_free_bulk(lab, held, 32), 31,
			"freed before, at %u", pos);
		st = ut_stats(lab);
		LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, 1, "at %u", pos);
		LT_ASSERT_EQ(st.frees - st0.frees, 31, "at %u", pos);
		for (i = 0; i < 32; i++)
			LT_ASSERT_EQ(labyrinth_page_owner(lab, held[i]),
				-ENOENT, "at %u, page %u", pos, i);
		LT_ASSERT_EQ(labyrinth_free_count(lab), 256, "");
		LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
		LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	}
	return 0;
}

/*
 * Runs of pointers that are not pages of the zone: 32 interior pointers
 * (each 64 bytes into a held page), and 8 pages from the zone's last one
 * on (7 past its end). Only the zone's last page is freed.
 */
static int
test_bulk_run_foreign(void)
{
	struct labyrinth_stats st0, st;
	struct labyrinth *lab;
	void *held[32], *table[32], *last = NULL;
	unsigned int i;

	lab = run_of_32(held);
	LT_ASSERT(lab != NULL, "");
	for (i = 0; i < 32; i++)
		table[i] = (char *)held[i] + 64;
	st0 = ut_stats(lab);
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, table, 32), 0, "");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, 32, "");
	for (i = 0; i < 32; i++)
		LT_ASSERT_EQ(labyrinth_page_owner(lab, held[i]),
			(int)rte_lcore_id(), "page %u", i);
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, held, 32), 32, "");
	/* The zone's last page: the one at the highest address. */
	for (i = 0; i < 256; i++) {
		pages[i] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[i] != NULL, "");
		if (last == NULL || (uintptr_t)pages[i] > (uintptr_t)last)
			last = pages[i];
	}
	for (i = 0; i < 256; i++)
		if (pages[i] != last)
			LT_ASSERT_EQ(labyrinth_free_page(lab, pages[i]), 0, "");
	for (i = 0; i < 8; i++)
		table[i] = (char *)last + i * PS;
	st0 = ut_stats(lab);
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, table, 8), 1, "");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, 7, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), 256, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_bulk_nocache(void) { return bulk(0); }
static int test_bulk_cache(void) { return bulk(32); }

/* Bad gfp bits, NULL labyrinth or array: EINVAL, nothing taken. */
static int
test_bad_gfp(void)
{
	const uint32_t nb = 64;
	struct labyrinth *lab;
	unsigned int bit;

	lab = ut_create("ut_badgfp", PS, nb, 0, 16, 0);
	LT_ASSERT(lab != NULL, "");
	for (bit = 0; bit < 32; bit++) {
		unsigned int gfp = 1u << bit;

		if (gfp & LABYRINTH_GFP_MASK)
			continue;
		LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab, gfp), EINVAL);
		LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(lab,
			gfp | LABYRINTH_GFP_ATOMIC), EINVAL);
		LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab, gfp, 0),
			EINVAL);
		LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab, gfp, 2),
			EINVAL);
		rte_errno = 0;
		LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, gfp, pages, 4), 0,
			"gfp %#x", gfp);
		LT_ASSERT_EQ(rte_errno, EINVAL, "");
	}
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_page(NULL, 0), EINVAL);
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(NULL, 0, 0), EINVAL);
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab, 0,
		LABYRINTH_MAX_ORDER + 1), EINVAL);
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab, 0, 64), EINVAL);
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab, 0, UINT32_MAX),
		EINVAL);
	rte_errno = 0;
	LT_ASSERT_EQ(labyrinth_alloc_bulk(NULL, 0, pages, 4), 0, "");
	LT_ASSERT_EQ(rte_errno, EINVAL, "");
	rte_errno = 0;
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, NULL, 4), 0, "");
	LT_ASSERT_EQ(rte_errno, EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(ut_stats(lab).alloc_ok, 0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* GFP_ZERO: dirty every page, free, grab them all back zeroed. */
static int
gfp_zero(uint32_t cache)
{
	const uint32_t nb = 128;
	struct labyrinth *lab;
	unsigned int n, i;

	lab = ut_create("ut_zero", PS, nb, 0, cache, 0);
	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(grab_until_null(lab, 0, pages, MAX_PAGES, &n), 0, "");
	LT_ASSERT_EQ(n, nb, "");
	for (i = 0; i < n; i++)
		memset(pages[i], 0xa5, PS);
	LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");

	LT_ASSERT_EQ(grab_until_null(lab, LABYRINTH_GFP_ZERO, pages, MAX_PAGES,
		&n), 0, "");
	LT_ASSERT_EQ(n, nb, "");
	for (i = 0; i < n; i++) {
		LT_ASSERT(ut_all_bytes(pages[i], PS, 0), "page %u not zeroed",
			i);
		memset(pages[i], 0x5a, PS);
	}
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, pages, n), n, "");

	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab,
		LABYRINTH_GFP_ZERO | LABYRINTH_GFP_ATOMIC, pages, nb), nb,
		"ZERO bulk");
	for (i = 0; i < nb; i++)
		LT_ASSERT(ut_all_bytes(pages[i], PS, 0),
			"bulk page %u not zeroed", i);
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, pages, nb), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_zero_nocache(void) { return gfp_zero(0); }
static int test_zero_cache(void) { return gfp_zero(32); }

/*
 * LABYRINTH_F_DEBUG: freed pages are poisoned; a write after free is
 * found when the page is grabbed again.
 */
static int
poison(uint32_t cache)
{
	const uint32_t nb = 64;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	unsigned int n, i;
	uint8_t *victim;

	lab = ut_create("ut_poison", PS, nb, 0, cache, LABYRINTH_F_DEBUG);
	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(grab_until_null(lab, 0, pages, MAX_PAGES, &n), 0, "");
	LT_ASSERT_EQ(n, nb, "");
	for (i = 0; i < n; i++)
		memset(pages[i], 0x11, PS);
	LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
	for (i = 0; i < n; i++)
		LT_ASSERT(ut_all_bytes(pages[i], PS, LABYRINTH_POISON),
			"freed page %u not poisoned", i);
	LT_ASSERT_EQ(ut_stats(lab).poison_errors, 0, "");

	/* A clean regrab finds no error. */
	LT_ASSERT_EQ(grab_until_null(lab, 0, more, MAX_PAGES, &n), 0, "");
	LT_ASSERT_EQ(n, nb, "");
	LT_ASSERT_EQ(ut_stats(lab).poison_errors, 0, "clean pages");
	LT_ASSERT_EQ(ut_free_all(lab, more, n), 0, "");

	/* Write after free into one page (in the map or in the cache). */
	victim = pages[nb / 2];
	victim[PS / 2 + 3] = 0;
	LT_ASSERT_EQ(grab_until_null(lab, 0, more, MAX_PAGES, &n), 0, "");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.poison_errors, 1, "write after free not detected");
	LT_ASSERT(n == nb || n == nb - 1, "%u pages grabbed", n);
	LT_ASSERT_EQ(ut_free_all(lab, more, n), 0, "");

	/* GFP_ZERO in debug mode still zeroes. */
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, LABYRINTH_GFP_ZERO, more, 8), 8,
		"");
	for (i = 0; i < 8; i++)
		LT_ASSERT(ut_all_bytes(more[i], PS, 0), "page %u", i);
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, more, 8), 8, "");
	LT_ASSERT_EQ(ut_stats(lab).poison_errors, 1, "");

	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_poison_nocache(void) { return poison(0); }
static int test_poison_cache(void) { return poison(16); }

/*
 * Ownership and every kind of bad free. A rejected free returns its errno,
 * bumps bad_frees and changes nothing else.
 */
/* Every sequential bad free is rejected in default and strict pools. */
static int
owner_bad_frees(uint32_t cache, uint32_t flags)
{
	const uint32_t nb = 256;
	int self = (int)rte_lcore_id();
	int socket = (int)rte_socket_id();
	struct labyrinth_stats st0, st;
	struct labyrinth *lab, *other;
	uint8_t *p, *q, *blk, *po;
	unsigned int free0, bad = 0;
	rte_iova_t iova;
	char local;

	lab = ut_create("ut_owner", PS, nb, 0, cache, flags);
	LT_ASSERT(lab != NULL, "");
	other = ut_create("ut_other", PS, 64, 0, cache, flags);
	LT_ASSERT(other != NULL, "");

	p = labyrinth_alloc_page(lab, 0);
	q = labyrinth_alloc_page(lab, 0);
	blk = labyrinth_alloc_pages(lab, 0, 2);
	po = labyrinth_alloc_page(other, 0);
	LT_ASSERT(p != NULL && q != NULL && blk != NULL && po != NULL, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, q), 0, "");

	LT_ASSERT_EQ(labyrinth_page_owner(lab, p), self, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, blk), self, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, blk + 3 * PS), self,
		"page inside a block");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, q), -ENOENT, "freed page");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p + 1), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p + PS / 2), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, &local), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, po), -EINVAL, "foreign page");
	LT_ASSERT_EQ(labyrinth_page_owner(other, po), self, "");

	LT_ASSERT_EQ(labyrinth_page_socket(lab, p), socket, "");
	LT_ASSERT_EQ(labyrinth_page_socket(lab, p + 100), socket, "");
	LT_ASSERT_EQ(labyrinth_page_socket(lab, &local), -EINVAL, "");
	iova = labyrinth_page_iova(lab, p);
	if (iova != RTE_BAD_IOVA)
		LT_ASSERT(labyrinth_page_iova(lab, p + 100) == iova + 100, "");
	else
		printf("note: pages have no IOVA here\n");
	LT_ASSERT(labyrinth_page_iova(lab, &local) == RTE_BAD_IOVA, "");

	free0 = labyrinth_free_count(lab);
	st0 = ut_stats(lab);
#define BAD_FREE(call, err) do { \
	LT_ASSERT_EQ((call), (err), "bad free"); \
	bad++; \
} while (0)
	BAD_FREE(labyrinth_free_page(lab, p + 1), -EINVAL);
	BAD_FREE(labyrinth_free_page(lab, p + PS / 2), -EINVAL);
	BAD_FREE(labyrinth_free_page(lab, p + PS - 1), -EINVAL);
	BAD_FREE(labyrinth_free_page(lab, &local), -EINVAL);
	BAD_FREE(labyrinth_free_page(lab, po), -EINVAL);
	BAD_FREE(labyrinth_free_page(lab, q), -EALREADY);
	BAD_FREE(labyrinth_free_page(lab, blk), -EINVAL);
	BAD_FREE(labyrinth_free_page(lab, blk + PS), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, blk, 1), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, blk, 3), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, blk, 0), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, blk + PS, 2), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, blk + 2 * PS, 1), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, blk, LABYRINTH_MAX_ORDER + 1),
		-EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, p, 1), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, p + 8, 0), -EINVAL);
	BAD_FREE(labyrinth_free_pages(lab, po, 0), -EINVAL);
#undef BAD_FREE
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, bad, "");
	LT_ASSERT_EQ(st.frees, st0.frees, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), free0, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p), self, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, blk), self, "");
	LT_ASSERT_EQ(labyrinth_page_owner(other, po), self, "");
	LT_ASSERT_EQ(ut_stats(other).bad_frees, 0, "");
	LT_ASSERT_EQ(labyrinth_audit(other), 0, "");

	/* NULL arguments. */
	LT_ASSERT_EQ(labyrinth_free_page(NULL, p), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, NULL), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_pages(NULL, blk, 2), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, NULL, 2), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p), self, "");

	/* Good frees, then double frees. */
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, 2), 0, "");
	LT_ASSERT_EQ(labyrinth_free_page(other, po), 0, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p), -ENOENT, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, blk), -ENOENT, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, blk + PS), -ENOENT, "");
	st0 = ut_stats(lab);
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), -EALREADY, "");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, 2), -EALREADY, "");
	LT_ASSERT_EQ(labyrinth_free_page(other, po), -EALREADY, "");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.bad_frees - st0.bad_frees, 2, "");
	LT_ASSERT_EQ(st.frees, st0.frees, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(other), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(other), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_owner_nocache(void) { return owner_bad_frees(0, 0); }
static int test_owner_cache(void) { return owner_bad_frees(32, 0); }
static int
test_owner_strict_nocache(void)
{
	return owner_bad_frees(0, LABYRINTH_F_STRICT);
}
static int
test_owner_strict_cache(void)
{
	return owner_bad_frees(32, LABYRINTH_F_STRICT);
}

/* Exact counters for a known sequence; rte_errno untouched on success. */
static int
test_stats_exact(void)
{
	const uint32_t nb = 64;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	void *blk;
	unsigned int i;

	lab = ut_create("ut_stats", PS, nb, 4, 0, 0);
	LT_ASSERT(lab != NULL, "");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.pages, nb, "");
	LT_ASSERT_EQ(st.free, nb, "");
	LT_ASSERT_EQ(st.reserve, 4, "");
	LT_ASSERT(st.metadata_bytes > 0, "no metadata bytes");
	LT_ASSERT_EQ(st.alloc_ok + st.alloc_fail + st.frees + st.bad_frees +
		st.reserve_dips + st.remote_allocs + st.cache_refills +
		st.cache_flushes + st.poison_errors, 0, "fresh counters");

	rte_errno = 12345;
	for (i = 0; i < 10; i++) {
		pages[i] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[i] != NULL, "");
	}
	LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, pages + 10, 5), 5, "");
	blk = labyrinth_alloc_pages(lab, 0, 2);
	LT_ASSERT(blk != NULL, "");
	LT_ASSERT_EQ(rte_errno, 12345, "success path wrote rte_errno");
	LT_ASSERT_NULL_ERRNO(labyrinth_alloc_pages(lab, 0, 9), ENOMEM);

	st = ut_stats(lab);
	LT_ASSERT_EQ(st.alloc_ok, 10 + 5 + 1, "a block counts once");
	LT_ASSERT_EQ(st.alloc_fail, 1, "");
	LT_ASSERT_EQ(st.free, nb - 19, "");
	LT_ASSERT_EQ(st.zone[0].free, nb - 19, "");
	LT_ASSERT_EQ(st.remote_allocs, 0, "");
	LT_ASSERT_EQ(st.reserve_dips, 0, "");

	rte_errno = 12345;
	LT_ASSERT_EQ(ut_free_all(lab, pages, 10), 0, "");
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, pages + 10, 5), 5, "");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, 2), 0, "");
	LT_ASSERT_EQ(rte_errno, 12345, "success path wrote rte_errno");
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.frees, 10 + 5 + 1, "");
	LT_ASSERT_EQ(st.bad_frees, 0, "");
	LT_ASSERT_EQ(st.free, nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/*
 * Exact counters with a cache: the inline grab and free count nothing but
 * the cache's two indices, and the slow paths (refill, flush, bulk, the
 * out-of-line calls) keep their share apart; every mix must add up. A
 * strict pool's cached free is out of line and counts by the indices too.
 */
static int
stats_cached(uint32_t flags)
{
	const uint32_t nb = 1024, cache = 64;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	uint64_t grabs = 0, frees = 0;
	unsigned int i, round;

	lab = ut_create("ut_stc", PS, nb, 0, cache, flags);
	LT_ASSERT(lab != NULL, "");
	for (round = 0; round < 4; round++) {
		unsigned int n = 10 + round * 100; /* 10 .. 310: refills */

		/* single grabs (inline, and out of line at each refill) */
		for (i = 0; i < n; i++) {
			pages[i] = labyrinth_alloc_page(lab, 0);
			LT_ASSERT(pages[i] != NULL, "");
		}
		grabs += n;
		/* a bulk grab and a bulk free */
		LT_ASSERT_EQ(labyrinth_alloc_bulk(lab, 0, more, 32), 32, "");
		grabs += 32;
		LT_ASSERT_EQ(labyrinth_free_bulk(lab, more, 32), 32, "");
		frees += 32;
		/* inline pairs */
		for (i = 0; i < 1000; i++) {
			void *p = labyrinth_alloc_page(lab, 0);

			LT_ASSERT(p != NULL, "");
			LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
		}
		grabs += 1000;
		frees += 1000;
		/* single frees (inline, and out of line at each flush) */
		LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
		frees += n;
		/* a bad free counts as one, not as a free */
		LT_ASSERT_EQ(labyrinth_free_page(lab, pages[0]), -EALREADY, "");
		st = ut_stats(lab);
		LT_ASSERT_EQ(st.alloc_ok, grabs, "round %u", round);
		LT_ASSERT_EQ(st.frees, frees, "round %u", round);
		LT_ASSERT_EQ(st.bad_frees, round + 1, "round %u", round);
		LT_ASSERT_EQ(st.free, nb, "");
	}
	LT_ASSERT(st.cache_refills > 0 && st.cache_flushes > 0,
		"refills %" PRIu64 ", flushes %" PRIu64, st.cache_refills,
		st.cache_flushes);
	/* a drain moves pages out of the cache without a grab */
	labyrinth_cache_flush(lab);
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.alloc_ok, grabs, "after the drain");
	LT_ASSERT_EQ(st.frees, frees, "after the drain");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_stats_cached(void) { return stats_cached(0); }
static int test_stats_cached_strict(void)
{
	return stats_cached(LABYRINTH_F_STRICT);
}

/* Churn of one lcore for test_stats_monotonic(). */
struct churn_arg {
	struct labyrinth *lab;
	uint32_t stop;
	uint64_t pairs;
	int rc;
};

static int
churn_worker(void *arg)
{
	struct churn_arg *ca = arg;
	void *held[200];
	unsigned int i, n = 1;

	/* Acquire: pairs with the main lcore's release of stop. */
	while (__atomic_load_n(&ca->stop, __ATOMIC_ACQUIRE) == 0) {
		/* 1 to 200 pages: inline calls, refills and flushes */
		n = n * 7 % 199 + 1;
		for (i = 0; i < n; i++) {
			held[i] = labyrinth_alloc_page(ca->lab, 0);
			if (held[i] == NULL) {
				ca->rc = -ENOMEM;
				return 0;
			}
		}
		for (i = 0; i < n; i++)
			if (labyrinth_free_page(ca->lab, held[i]) != 0)
				ca->rc = -EINVAL;
		ca->pairs += n;
	}
	return 0;
}

/*
 * While another lcore churns through its cache, neither counter a reader
 * sees ever goes back: the reader takes the cache's indices and the slow
 * paths' share of them in one snapshot (a seqcount). Each counter is a
 * snapshot of its own (struct labyrinth_stats): frees read a moment after
 * grabs may exceed them, as they could when both were plain counters.
 */
static int
test_stats_monotonic(void)
{
	unsigned int worker = rte_get_next_lcore(rte_lcore_id(), 1, 0);
	struct churn_arg ca;
	struct labyrinth_stats st;
	uint64_t last_grabs = 0, last_frees = 0, reads = 0, t_end;
	struct labyrinth *lab;

	if (worker >= RTE_MAX_LCORE) {
		printf("needs a second lcore (-l 0-1)\n");
		return LT_SKIP;
	}
	lab = ut_create("ut_stm", PS, 4096, 0, 64, 0);
	LT_ASSERT(lab != NULL, "");
	ca = (struct churn_arg){ .lab = lab };
	LT_ASSERT_EQ(rte_eal_remote_launch(churn_worker, &ca, worker), 0, "");
	t_end = rte_get_timer_cycles() + rte_get_timer_hz() / 2;
	while (rte_get_timer_cycles() < t_end) {
		st = ut_stats(lab);
		reads++;
		LT_ASSERT(st.alloc_ok >= last_grabs, "grabs went back: %" PRIu64
			" after %" PRIu64, st.alloc_ok, last_grabs);
		LT_ASSERT(st.frees >= last_frees, "frees went back: %" PRIu64
			" after %" PRIu64, st.frees, last_frees);
		last_grabs = st.alloc_ok;
		last_frees = st.frees;
	}
	/* Release: the worker's acquire load ends its loop. */
	__atomic_store_n(&ca.stop, 1, __ATOMIC_RELEASE);
	rte_eal_wait_lcore(worker);
	LT_ASSERT_EQ(ca.rc, 0, "worker");
	st = ut_stats(lab);
	printf("%" PRIu64 " reads during %" PRIu64 " pairs\n", reads,
		ca.pairs);
	LT_ASSERT(ca.pairs > 10000 && reads > 1000, "too little overlap");
	LT_ASSERT_EQ(st.alloc_ok, ca.pairs, "");
	LT_ASSERT_EQ(st.frees, ca.pairs, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* The lcore cache: pages parked there are free but not owned. */
static int
test_cache_behaviour(void)
{
	const uint32_t nb = 1024, cache = 64;
	const struct labyrinth_zone_stats *z;
	struct labyrinth_stats st;
	struct labyrinth *lab;
	unsigned int i;
	void *p;

	lab = ut_create("ut_cache", PS, nb, 0, cache, 0);
	LT_ASSERT(lab != NULL, "");
	p = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(p != NULL, "");
	st = ut_stats(lab);
	z = &st.zone[0];
	LT_ASSERT_EQ(st.cache_refills, 1, "first grab refills the cache");
	LT_ASSERT(z->cached > 0 && z->cached <= cache, "%" PRIu64 " cached",
		z->cached);
	LT_ASSERT_EQ(z->free, nb - 1, "cached pages count as free");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb - 1, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p), -ENOENT, "cached page");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), -EALREADY,
		"double free of a cached page");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");

	/* 4 cache sizes out and back: refills then flushes. */
	for (i = 0; i < 4 * cache; i++) {
		pages[i] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[i] != NULL, "");
	}
	LT_ASSERT(ut_stats(lab).cache_refills >= 4, "");
	LT_ASSERT_EQ(ut_free_all(lab, pages, 4 * cache), 0, "");
	st = ut_stats(lab);
	LT_ASSERT(st.cache_flushes >= 2, "%" PRIu64 " flushes",
		st.cache_flushes);
	LT_ASSERT(st.zone[0].cached <= cache, "");
	LT_ASSERT_EQ(st.free, nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	labyrinth_cache_flush(lab);
	st = ut_stats(lab);
	LT_ASSERT_EQ(st.zone[0].cached, 0, "");
	LT_ASSERT_EQ(st.free, nb, "");
	labyrinth_cache_flush(lab); /* empty: a no-op */
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* labyrinth_held_walk(): held blocks only, with order, owner and age. */
struct walk_seen {
	void *pages[8];
	unsigned int orders[8];
	unsigned int n;
	int bad_owner;
	int bad_socket;
	uint64_t max_age_us;
};

static void
held_cb(const struct labyrinth_held_info *info, void *arg)
{
	struct walk_seen *ws = arg;

	if (ws->n < RTE_DIM(ws->pages)) {
		ws->pages[ws->n] = info->page;
		ws->orders[ws->n] = info->order;
	}
	ws->n++;
	if (info->owner != (int)rte_lcore_id())
		ws->bad_owner++;
	if (info->socket_id != (int)rte_socket_id())
		ws->bad_socket++;
	if (info->age_us > ws->max_age_us)
		ws->max_age_us = info->age_us;
}

static int
test_held_walk(void)
{
	struct walk_seen ws;
	struct labyrinth *lab;
	void *p[3], *blk, *young, *cached;
	unsigned int i, j, found;

	LT_ASSERT_EQ(labyrinth_held_walk(NULL, 0, NULL, NULL), -EINVAL, "");
	lab = ut_create("ut_held", PS, 256, 0, 16, 0);
	LT_ASSERT(lab != NULL, "");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 0, "fresh");
	for (i = 0; i < 3; i++) {
		p[i] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(p[i] != NULL, "");
	}
	blk = labyrinth_alloc_pages(lab, 0, 2);
	LT_ASSERT(blk != NULL, "");
	cached = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(cached != NULL, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, cached), 0, "");

	memset(&ws, 0, sizeof(ws));
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, held_cb, &ws), 4,
		"3 pages and a block");
	LT_ASSERT_EQ(ws.n, 4, "callbacks");
	LT_ASSERT_EQ(ws.bad_owner, 0, "");
	LT_ASSERT_EQ(ws.bad_socket, 0, "");
	LT_ASSERT(ws.max_age_us < 10 * 1000 * 1000, "age %" PRIu64 " us",
		ws.max_age_us);
	for (i = 0, found = 0; i < ws.n; i++) {
		for (j = 0; j < 3; j++)
			if (ws.pages[i] == p[j] && ws.orders[i] == 0)
				found++;
		if (ws.pages[i] == blk && ws.orders[i] == 2)
			found++;
	}
	LT_ASSERT_EQ(found, 4, "reported blocks are the held ones");

	/* Age filter: after 300 ms, a new grab is younger than 150 ms. */
	rte_delay_ms(300);
	young = labyrinth_alloc_page(lab, 0);
	LT_ASSERT(young != NULL, "");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 5, "");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 150000, NULL, NULL), 4,
		"blocks held for 150 ms");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, UINT64_C(1) << 40, NULL, NULL),
		0, "");

	LT_ASSERT_EQ(labyrinth_free_page(lab, young), 0, "");
	LT_ASSERT_EQ(ut_free_all(lab, p, 3), 0, "");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 1, "");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, 2), 0, "");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 0, "all freed");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* Remote free: pages grabbed on one lcore, freed on another. */
struct remote_arg {
	struct labyrinth *lab;
	void **pages;
	unsigned int n;
	int grab; /* 1: grab into pages[], 0: free pages[] */
	int rc;
};

static int
remote_worker(void *arg)
{
	struct remote_arg *ra = arg;
	unsigned int i;

	ra->rc = 0;
	for (i = 0; i < ra->n; i++) {
		if (ra->grab) {
			ra->pages[i] = labyrinth_alloc_page(ra->lab, 0);
			if (ra->pages[i] == NULL)
				ra->rc = -1;
		} else if (labyrinth_free_page(ra->lab, ra->pages[i]) != 0) {
			ra->rc = -1;
		}
	}
	return 0;
}

static int
remote_free(uint32_t cache)
{
	const uint32_t nb = 512;
	const unsigned int n = 100;
	int self = (int)rte_lcore_id();
	struct remote_arg ra;
	struct labyrinth *lab;
	unsigned int worker, i;

	worker = rte_get_next_lcore(-1, 1, 0);
	if (worker >= RTE_MAX_LCORE) {
		printf("needs 2 lcores\n");
		return LT_SKIP;
	}
	lab = ut_create("ut_remote", PS, nb, 0, cache, 0);
	LT_ASSERT(lab != NULL, "");

	/* The worker grabs, this lcore frees. */
	ra = (struct remote_arg){ .lab = lab, .pages = pages, .n = n,
		.grab = 1 };
	LT_ASSERT_EQ(rte_eal_remote_launch(remote_worker, &ra, worker), 0, "");
	rte_eal_wait_lcore(worker);
	LT_ASSERT_EQ(ra.rc, 0, "worker grabs");
	for (i = 0; i < n; i++)
		LT_ASSERT_EQ(labyrinth_page_owner(lab, pages[i]), (int)worker,
			"page %u", i);
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(ut_free_all(lab, pages, n), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	/* This lcore grabs, the worker frees. */
	for (i = 0; i < n; i++) {
		pages[i] = labyrinth_alloc_page(lab, 0);
		LT_ASSERT(pages[i] != NULL, "");
		LT_ASSERT_EQ(labyrinth_page_owner(lab, pages[i]), self, "");
	}
	ra = (struct remote_arg){ .lab = lab, .pages = pages, .n = n,
		.grab = 0 };
	LT_ASSERT_EQ(rte_eal_remote_launch(remote_worker, &ra, worker), 0, "");
	rte_eal_wait_lcore(worker);
	LT_ASSERT_EQ(ra.rc, 0, "worker frees");
	for (i = 0; i < n; i++)
		LT_ASSERT_EQ(labyrinth_page_owner(lab, pages[i]), -ENOENT, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), nb, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(ut_stats(lab).frees, 2 * n, "");
	/* The worker's cache may hold pages: destroy empties it. */
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int test_remote_free_nocache(void) { return remote_free(0); }
static int test_remote_free_cache(void) { return remote_free(32); }

int
main(int argc, char **argv)
{
	int failures = 0, skipped = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_exhaust_nocache, failures);
	LT_RUN(test_exhaust_cache, failures);
	LT_RUN(test_reserve_nocache, failures);
	LT_RUN(test_reserve_cache, failures);
	LT_RUN(test_atomic_all_nocache, failures);
	LT_RUN(test_atomic_all_cache, failures);
	LT_RUN(test_watermarks, failures);
	LT_RUN(test_bulk_nocache, failures);
	LT_RUN(test_bulk_cache, failures);
	LT_RUN(test_bulk_bad_at, failures);
	LT_RUN(test_bulk_bad_at_strict, failures);
	LT_RUN(test_bulk_bad_at_8k, failures);
	LT_RUN(test_bulk_bad_at_nocache, failures);
	LT_RUN(test_bulk_bad_at_nocache_strict, failures);
	LT_RUN(test_bulk_simd_chosen, failures);
	LT_RUN(test_bulk_run_freed, failures);
	LT_RUN(test_bulk_run_foreign, failures);
	LT_RUN(test_bad_gfp, failures);
	LT_RUN(test_zero_nocache, failures);
	LT_RUN(test_zero_cache, failures);
	LT_RUN(test_poison_nocache, failures);
	LT_RUN(test_poison_cache, failures);
	LT_RUN(test_owner_nocache, failures);
	LT_RUN(test_owner_cache, failures);
	LT_RUN(test_owner_strict_nocache, failures);
	LT_RUN(test_owner_strict_cache, failures);
	LT_RUN(test_stats_exact, failures);
	LT_RUN(test_stats_cached, failures);
	LT_RUN(test_stats_cached_strict, failures);
	LT_RUN_SKIPPABLE(test_stats_monotonic, failures, skipped);
	LT_RUN(test_cache_behaviour, failures);
	LT_RUN(test_held_walk, failures);
	LT_RUN_SKIPPABLE(test_remote_free_nocache, failures, skipped);
	LT_RUN_SKIPPABLE(test_remote_free_cache, failures, skipped);

	rte_eal_cleanup();
	printf("%d failed, %d skipped\n", failures, skipped);
	return failures == 0 ? 0 : 1;
}
