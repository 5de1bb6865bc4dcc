/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The default pools' cached bulk loops in AVX2, for 4 KiB pages, chosen at
 * run time (labyrinth_fast_simd) as DPDK's drivers choose their vector
 * paths: the CPU has AVX2 and EAL's --force-max-simd-bitwidth allows 256
 * bits. The scalar loops of labyrinth_fast.h spend about 14 micro-ops a
 * page for a grab and its free (the pointer copies, then per page an index
 * computed, checked, and a record loaded and stored); here four pages take
 * one load and one store of their pointers, one check that they make a run
 * (each a page after the one before: what a refill leaves in a cache, a
 * map word's pages in order), and one load or store of their four records.
 * labyrinth_fast.h calls these only for a bulk whose first and last pages
 * span it exactly (labyrinth_fast_simd_run()), eight pages a round, then
 * four.
 * A group that is not a run of held pages ends the vector loop and the
 * caller's scalar loop takes the rest, so results are the scalar loops' to
 * the page.
 */

/* rte_vect_get_max_simd_bitwidth() is experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "labyrinth_priv.h"

uint8_t labyrinth_fast_simd;

#ifdef RTE_ARCH_X86_64

#include <immintrin.h>

#define PAGE4K LABYRINTH_FAST_SHIFT_DEFAULT
#define SIMD __attribute__((target("avx2,tune=haswell")))

/* The offsets of pages 4j..4j+3 of a run from its first page. */
static __rte_always_inline SIMD __m256i
run_steps(unsigned int j)
{
	return _mm256_add_epi64(_mm256_set_epi64x(3 << PAGE4K, 2 << PAGE4K,
			1 << PAGE4K, 0), _mm256_set1_epi64x((long long)(4 * j)
			<< PAGE4K));
}

/*
 * The records of the vector loops are read and written 32 bytes at a
 * time. Relaxed, per record, as the scalar loops' loads and stores: x86
 * reads and writes each aligned 8-byte element of a vector access whole
 * (it may split the access between elements, never inside an aligned
 * quadword), and nothing is ordered against the records here.
 */

/*
 * Load the 4 * k pointers at p into v: whether they make a run, each a
 * page after the one before.
 */
static __rte_always_inline SIMD bool
load_run(void * const *p, __m256i *v, const unsigned int k)
{
	__m256i b = _mm256_set1_epi64x((long long)(uintptr_t)p[0]);
	__m256i ok = _mm256_set1_epi64x(-1);
	unsigned int j;

	for (j = 0; j < k; j++) {
		v[j] = _mm256_loadu_si256((const void *)&p[4 * j]);
		ok = _mm256_and_si256(ok, _mm256_cmpeq_epi64(
			_mm256_sub_epi64(v[j], b), run_steps(j)));
	}
	return _mm256_movemask_epi8(ok) == -1;
}

/*
 * Grab the 4 * k pages at from into pages, if they make a run: their
 * pointers copied, their records set to h. false: nothing done.
 */
static __rte_always_inline SIMD bool
grab_quads(void **pages, void * const *from, uintptr_t base, uint64_t *meta,
		__m256i h, const unsigned int k)
{
	uint64_t *r = &meta[((uintptr_t)from[0] - base) >> PAGE4K];
	__m256i p[2];
	unsigned int j;

	if (unlikely(!load_run(from, p, k)))
		return false;
	for (j = 0; j < k; j++) {
		_mm256_storeu_si256((void *)&pages[4 * j], p[j]);
		/* Relaxed, four records: see above. */
		_mm256_storeu_si256((void *)&r[4 * j], h);
	}
	return true;
}

SIMD unsigned int
labyrinth_fast_grab_run_simd(void **pages, void * const *from,
		unsigned int n, uintptr_t base, uint64_t *meta, uint64_t head)
{
	const __m256i h = _mm256_set1_epi64x((long long)head);
	unsigned int i;

	for (i = 0; i + 8 <= n; i += 8)
		if (unlikely(!grab_quads(&pages[i], &from[i], base, meta, h, 2)))
			return i;
	if (i + 4 <= n && grab_quads(&pages[i], &from[i], base, meta, h, 1))
		i += 4;
	return i;
}

/*
 * Free the 4 * k pages at pages into the cache at dst if they make a run
 * of held order-0 heads of the zone from its page lim - 1 at most: their
 * pointers copied (past the cache's length, as the scalar loop's copy;
 * the caller moves pushes on), their records set to FREE. false: nothing
 * done.
 */
static __rte_always_inline SIMD bool
free_quads(void * const *pages, void **dst, uintptr_t base, uint64_t lim,
		uint64_t *meta, const unsigned int k)
{
	const __m256i low = _mm256_set1_epi64x(LABYRINTH_FAST_REC_LOW);
	const __m256i head0 = _mm256_set1_epi64x(LABYRINTH_FAST_REC_HEAD0);
	uint64_t pg = labyrinth_fast_page_index(
			(uintptr_t)pages[0] - base, PAGE4K);
	__m256i ok = _mm256_set1_epi64x(-1), p[2];
	unsigned int j;

	/* A run from pg has its 4 * k records in the zone. The records only
	 * for a run: those of pages that are not may have been written one
	 * by one just now, and a wide load of narrower stores still in
	 * flight would wait for them. */
	if (unlikely(pg >= lim || !load_run(pages, p, k)))
		return false;
	for (j = 0; j < k; j++) {
		/* Relaxed, four records: see above. */
		__m256i m = _mm256_loadu_si256((const void *)&meta[pg + 4 * j]);

		ok = _mm256_and_si256(ok, _mm256_cmpeq_epi64(
			_mm256_and_si256(m, low), head0));
	}
	if (unlikely(_mm256_movemask_epi8(ok) != -1))
		return false;
	for (j = 0; j < k; j++) {
		_mm256_storeu_si256((void *)&dst[4 * j], p[j]);
		/* Relaxed, four records (FREE: 0): see above. */
		_mm256_storeu_si256((void *)&meta[pg + 4 * j],
			_mm256_setzero_si256());
	}
	return true;
}

SIMD size_t
labyrinth_fast_free_run_simd(void * const *pages, size_t n, void **dst,
		uintptr_t base, uint64_t npages, uint64_t *meta)
{
	/* Runs of 8 and of 4 start below these pages (0: none fits). */
	const uint64_t lim8 = npages >= 8 ? npages - 7 : 0;
	const uint64_t lim4 = npages >= 4 ? npages - 3 : 0;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		if (unlikely(!free_quads(&pages[i], &dst[i], base, lim8, meta,
				2)))
			return i;
	if (i + 4 <= n && free_quads(&pages[i], &dst[i], base, lim4, meta, 1))
		i += 4;
	return i;
}

void
lab_simd_choose(void)
{
	uint8_t on = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0 &&
		rte_vect_get_max_simd_bitwidth() >= RTE_VECT_SIMD_256;

	/* Relaxed: the same value from every create in a process (EAL's
	 * settings and the CPU), and either value is correct: the vector
	 * loops give the scalar loops' results. */
	lab_store(&labyrinth_fast_simd, on, LAB_RELAXED);
}

#else /* !RTE_ARCH_X86_64 */

void
lab_simd_choose(void)
{
}

#endif
