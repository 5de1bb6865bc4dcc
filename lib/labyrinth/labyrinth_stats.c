/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Introspection: counts, pressure, statistics, page queries, audit, dump.
 * All reads of shared state here are relaxed snapshots: nothing is ordered
 * after them, and the documented consistency is "exact when quiet".
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "labyrinth_holders_priv.h"
#include "labyrinth_priv.h"

/* Free pages per zone: map budget + cache-less tokens + cached pages. */
static void
zone_free(const struct labyrinth *lab, uint64_t *free_pages,
		uint64_t *cached)
{
	unsigned int z, i;

	for (z = 0; z < lab->nb_zones; z++) {
		/* Relaxed: snapshot (file comment). May under-report while a
		 * grab holds budget it has not used yet: watermarks then engage
		 * early, never late. */
		int64_t a = labyrinth_map_avail(&lab->zone[z].map);

		free_pages[z] = a > 0 ? (uint64_t)a : 0;
		cached[z] = 0;
	}
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct lab_lcore *lc = lab->lcore[i];

		if (lc == NULL)
			continue;
		/* Relaxed: snapshot of single-writer fields. */
		cached[lc->zone] += lab_cache_len(lc);
		free_pages[lc->zone] += lab_cache_len(lc) +
			lab_load(&lc->tokens, LAB_RELAXED);
	}
}

unsigned int
labyrinth_free_count(const struct labyrinth *lab)
{
	uint64_t f[LABYRINTH_MAX_ZONES], c[LABYRINTH_MAX_ZONES], sum = 0;
	unsigned int z;

	lab = lab_checked(lab);
	if (lab == NULL)
		return 0;
	zone_free(lab, f, c);
	for (z = 0; z < lab->nb_zones; z++)
		sum += f[z];
	return (unsigned int)sum;
}

static int
zone_pressure(const struct lab_zone *zn, uint64_t free_pages)
{
	if (free_pages <= zn->reserve)
		return LABYRINTH_PRESSURE_MIN;
	if (free_pages <= zn->low)
		return LABYRINTH_PRESSURE_LOW;
	return LABYRINTH_PRESSURE_NONE;
}

int
labyrinth_pressure(const struct labyrinth *lab, int socket_id)
{
	uint64_t f[LABYRINTH_MAX_ZONES], c[LABYRINTH_MAX_ZONES];
	unsigned int z;
	int worst = LABYRINTH_PRESSURE_NONE, p;

	lab = lab_checked(lab);
	if (lab == NULL)
		return -EINVAL;
	if (socket_id != SOCKET_ID_ANY && (socket_id < 0 ||
			socket_id >= RTE_MAX_NUMA_NODES ||
			lab->socket_zone[socket_id] < 0))
		return -EINVAL;
	zone_free(lab, f, c);
	if (socket_id != SOCKET_ID_ANY) {
		z = (unsigned int)lab->socket_zone[socket_id];
		return zone_pressure(&lab->zone[z], f[z]);
	}
	for (z = 0; z < lab->nb_zones; z++) {
		p = zone_pressure(&lab->zone[z], f[z]);
		if (p > worst)
			worst = p;
	}
	return worst;
}

/** How long a statistics reader waits for a cache's slow path (ms). */
#define LAB_SEQ_WAIT_MS 20

/**
 * Grabs and frees of lc by the inline calls (not in lc->cnt), in one
 * consistent snapshot (the reader half of the seqcount of
 * lab_cache_set_len()).
 */
void
lab_lcore_inline_counts(const struct lab_lcore *lc, uint64_t *alloc_ok,
		uint64_t *frees)
{
	uint64_t pu, po, spu, spo, deadline = 0;
	uint32_t s0, s1, tries = 0;

	/* Bounded, by time: a writer preempted inside lab_cache_set_len()
	 * holds seq odd for as long as it is off its CPU, and one that died
	 * there (a crashed process, not yet reclaimed) for good. After
	 * LAB_SEQ_WAIT_MS the snapshot is taken as it is, off by at most
	 * that one change. */
	do {
		if (unlikely(++tries % 1024 == 0)) {
			if (deadline == 0)
				deadline = rte_get_timer_cycles() +
					rte_get_timer_hz() * LAB_SEQ_WAIT_MS /
					1000;
			else if (rte_get_timer_cycles() > deadline)
				break;
		}
		/* Acquire: pairs with the release store of an even seq. */
		s0 = lab_load(&lc->seq, LAB_ACQUIRE);
		/* Relaxed: ordered by the seq loads and the fence. */
		pu = lab_load(&lc->pushes, LAB_RELAXED);
		po = lab_load(&lc->pops, LAB_RELAXED);
		spu = lab_load(&lc->slow_pushes, LAB_RELAXED);
		spo = lab_load(&lc->slow_pops, LAB_RELAXED);
		/* Acquire fence: the loads above happen before the second
		 * seq load (the reader half of a seqcount). */
		lab_fence_acquire();
		s1 = lab_load(&lc->seq, LAB_RELAXED);
	} while ((s0 & 1) != 0 || s0 != s1);
	*alloc_ok = po - spo;
	*frees = pu - spu;
}

/** Grabs and frees of lc, the inline calls' included (snapshots). */
void
lab_lcore_counts(const struct lab_lcore *lc, uint64_t *alloc_ok,
		uint64_t *frees)
{
	lab_lcore_inline_counts(lc, alloc_ok, frees);
	/* Relaxed: per-field snapshots (see struct labyrinth_stats). */
	*alloc_ok += lab_load(&lc->cnt.alloc_ok, LAB_RELAXED);
	*frees += lab_load(&lc->cnt.frees, LAB_RELAXED);
}

static void
sum_counters(struct lab_counters *sum, const struct lab_counters *c)
{
	/* Relaxed loads: per-field snapshots (see struct labyrinth_stats). */
	sum->alloc_ok += lab_load(&c->alloc_ok, LAB_RELAXED);
	sum->alloc_fail += lab_load(&c->alloc_fail, LAB_RELAXED);
	sum->reserve_dips += lab_load(&c->reserve_dips, LAB_RELAXED);
	sum->remote_allocs += lab_load(&c->remote_allocs, LAB_RELAXED);
	sum->frees += lab_load(&c->frees, LAB_RELAXED);
	sum->bad_frees += lab_load(&c->bad_frees, LAB_RELAXED);
	sum->cache_refills += lab_load(&c->cache_refills, LAB_RELAXED);
	sum->cache_flushes += lab_load(&c->cache_flushes, LAB_RELAXED);
	sum->poison_errors += lab_load(&c->poison_errors, LAB_RELAXED);
}

static void
total_counters(const struct labyrinth *lab, struct lab_counters *sum)
{
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	sum_counters(sum, &lab->anon);
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct lab_lcore *lc = lab->lcore[i];
		uint64_t alloc_ok, frees;

		if (lc == NULL)
			continue;
		sum_counters(sum, &lc->cnt);
		/* The inline calls' share (see struct lab_lcore). */
		lab_lcore_inline_counts(lc, &alloc_ok, &frees);
		sum->alloc_ok += alloc_ok;
		sum->frees += frees;
	}
}

int
labyrinth_stats_get(const struct labyrinth *lab, struct labyrinth_stats *st)
{
	uint64_t f[LABYRINTH_MAX_ZONES], c[LABYRINTH_MAX_ZONES];
	struct lab_counters sum;
	unsigned int z;

	lab = lab_checked(lab);
	if (lab == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	zone_free(lab, f, c);
	total_counters(lab, &sum);
	st->nb_zones = lab->nb_zones;
	st->metadata_bytes = lab->metadata_bytes;
	for (z = 0; z < lab->nb_zones; z++) {
		const struct lab_zone *zn = &lab->zone[z];

		st->zone[z].socket_id = zn->socket_id;
		st->zone[z].pages = zn->nb_pages;
		st->zone[z].free = f[z];
		st->zone[z].cached = c[z];
		st->zone[z].reserve = zn->reserve;
		st->zone[z].low = zn->low;
		st->pages += zn->nb_pages;
		st->free += f[z];
		st->reserve += zn->reserve;
	}
	st->alloc_ok = sum.alloc_ok;
	st->alloc_fail = sum.alloc_fail;
	st->reserve_dips = sum.reserve_dips;
	st->remote_allocs = sum.remote_allocs;
	st->frees = sum.frees;
	st->bad_frees = sum.bad_frees;
	st->cache_refills = sum.cache_refills;
	st->cache_flushes = sum.cache_flushes;
	st->poison_errors = sum.poison_errors;
	return 0;
}

int
labyrinth_page_owner(const struct labyrinth *lab, const void *page)
{
	unsigned int z;
	uint32_t idx;
	uint64_t m;

	lab = lab_checked(lab);
	if (lab == NULL || page == NULL ||
			lab_locate(lab, page, &z, &idx, true) != 0)
		return -EINVAL;
	/* Relaxed: a snapshot, stale as soon as it is read (documented). */
	m = lab_load(&lab->zone[z].meta[idx], LAB_RELAXED);
	if (lab_meta_state(m) == LAB_PG_FREE) {
		/* A tail keeps no record: the owner is its block head's. */
		int64_t h = lab_find_head(lab->zone[z].meta, idx);

		if (h < 0)
			return -ENOENT;
		/* Relaxed: as above. */
		m = lab_load(&lab->zone[z].meta[h], LAB_RELAXED);
	}
	return (int)lab_meta_owner(m);
}

rte_iova_t
labyrinth_page_iova(const struct labyrinth *lab, const void *page)
{
	const struct lab_zone *zn;
	const struct rte_memseg *ms;
	unsigned int z, s;
	uint32_t idx;

	lab = lab_checked(lab);
	if (lab == NULL || page == NULL ||
			lab_locate(lab, page, &z, &idx, false) != 0)
		return RTE_BAD_IOVA;
	zn = &lab->zone[z];
	for (s = 0; s < zn->nb_segs; s++) {
		const struct lab_seg *sg = &zn->seg[s];

		/* IOVA-contiguous memzone: O(1), no system call. */
		if (sg->iova != RTE_BAD_IOVA && (const char *)page >= sg->base &&
				(const char *)page < sg->base +
				((size_t)sg->count << lab->page_shift))
			return sg->iova + RTE_PTR_DIFF(page, sg->base);
	}
	/* Otherwise the memseg (EAL's table, no system call)... */
	ms = rte_mem_virt2memseg(page, NULL);
	if (ms != NULL && ms->iova != RTE_BAD_IOVA)
		return ms->iova + RTE_PTR_DIFF(page, ms->addr);
	/* ...and only then the page tables. */
	return rte_mem_virt2iova(page);
}

int
labyrinth_page_socket(const struct labyrinth *lab, const void *page)
{
	unsigned int z;
	uint32_t idx;

	lab = lab_checked(lab);
	if (lab == NULL || page == NULL ||
			lab_locate(lab, page, &z, &idx, false) != 0)
		return -EINVAL;
	return lab->zone[z].socket_id;
}

#define AUDIT_FAIL(...) do { \
	LABYRINTH_LOG(ERR, __VA_ARGS__); \
	errors++; \
} while (0)

static unsigned int
audit_zone(const struct labyrinth *lab, unsigned int z, uint64_t *heads)
{
	const struct lab_zone *zn = &lab->zone[z];
	unsigned int errors = 0, i, k;
	uint64_t tokens = 0, bits;
	uint8_t *cached;
	uint32_t idx, p;

	cached = calloc(zn->nb_pages, 1);
	if (cached == NULL) {
		LABYRINTH_LOG(ERR, "%s: audit: out of memory", lab->name);
		return 1;
	}
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct lab_lcore *lc = lab->lcore[i];
		unsigned int zz;

		if (lc == NULL || lc->zone != z)
			continue;
		tokens += lc->tokens;
		if (lab_cache_len(lc) > lc->size)
			AUDIT_FAIL("%s: lcore %u cache length %u > size %u",
				lab->name, i, lab_cache_len(lc), lc->size);
		for (k = 0; k < lab_cache_len(lc) && k < lc->size; k++) {
			if (lab_locate(lab, lab_cache(lc)[k], &zz, &idx, true) != 0 ||
					zz != z) {
				AUDIT_FAIL("%s: lcore %u caches a foreign page %p",
					lab->name, i, lab_cache(lc)[k]);
				continue;
			}
			if (cached[idx]++ != 0)
				AUDIT_FAIL("%s: page %u of zone %u cached twice",
					lab->name, idx, z);
		}
	}
	bits = labyrinth_map_count_bits(&zn->map);
	/* Relaxed: the audit runs on a quiet labyrinth (documented). */
	if (bits != (uint64_t)labyrinth_map_avail(&zn->map) + tokens)
		AUDIT_FAIL("%s: zone %u: %" PRIu64 " free bits but counter %" PRId64 " + tokens %" PRIu64,
			lab->name, z, bits,
			labyrinth_map_avail(&zn->map), tokens);
	for (p = 0; p < zn->nb_pages; p++) {
		/* Relaxed: quiet labyrinth. */
		uint64_t m = lab_load(&zn->meta[p], LAB_RELAXED);
		bool bit = labyrinth_map_test(&zn->map, p);
		unsigned int st = lab_meta_state(m), ord = lab_meta_order(m);

		if (bit || cached[p]) {
			if (bit && cached[p])
				AUDIT_FAIL("%s: zone %u page %u free in the map and cached",
					lab->name, z, p);
			if (st != LAB_PG_FREE)
				AUDIT_FAIL("%s: zone %u page %u is free but has an owner record %#" PRIx64,
					lab->name, z, p, m);
			continue;
		}
		if (st == LAB_PG_FREE) {
			AUDIT_FAIL("%s: zone %u page %u is lost (neither free nor held)",
				lab->name, z, p);
			continue;
		}
		if (st != LAB_PG_HEAD || ord > LABYRINTH_MAX_ORDER ||
				(p & ((1u << ord) - 1)) != 0 ||
				p + (1u << ord) > zn->nb_pages) {
			AUDIT_FAIL("%s: zone %u page %u: bad owner record %#" PRIx64,
				lab->name, z, p, m);
			continue;
		}
		(*heads)++;
		for (k = 1; k < (1u << ord); k++) {
			/* Relaxed: quiet labyrinth. */
			uint64_t t = lab_load(&zn->meta[p + k], LAB_RELAXED);

			if (lab_meta_state(t) != LAB_PG_FREE ||
					labyrinth_map_test(&zn->map, p + k) ||
					cached[p + k])
				AUDIT_FAIL("%s: zone %u block %u: page %u is not its tail",
					lab->name, z, p, p + k);
		}
		p += (1u << ord) - 1;
	}
	free(cached);
	return errors;
}

int
labyrinth_audit(const struct labyrinth *lab)
{
	struct lab_counters sum;
	unsigned int z, errors = 0;
	uint64_t heads = 0;

	lab = lab_checked(lab);
	if (lab == NULL)
		return -EINVAL;
	for (z = 0; z < lab->nb_zones; z++)
		errors += audit_zone(lab, z, &heads);
	total_counters(lab, &sum);
	if (sum.alloc_ok - sum.frees != heads) {
		LABYRINTH_LOG(ERR, "%s: %" PRIu64 " grabs - %" PRIu64 " frees != %" PRIu64 " held blocks",
			lab->name, sum.alloc_ok, sum.frees, heads);
		errors++;
	}
	return errors == 0 ? 0 : -EFAULT;
}

static void
count_owner(const struct labyrinth_held_info *info, void *arg)
{
	uint64_t *per_owner = arg;

	per_owner[info->owner <= RTE_MAX_LCORE ? info->owner :
		RTE_MAX_LCORE]++;
}

void
labyrinth_dump(FILE *f, const struct labyrinth *lab)
{
	struct labyrinth_stats st;
	unsigned int z, i;

	if (f == NULL)
		return;
	lab = lab_checked(lab);
	if (lab == NULL) {
		fprintf(f, "labyrinth <invalid>\n");
		return;
	}
	labyrinth_stats_get(lab, &st);
	fprintf(f, "labyrinth <%s>@%p\n", lab->name, (const void *)lab);
	fprintf(f, "  page_size=%u nb_pages=%u reserve=%u cache_size=%u flags=%#x socket=%d\n",
		lab->page_size, lab->nb_pages, lab->reserve, lab->cache_size,
		lab->flags, lab->conf_socket);
	fprintf(f, "  pages=%" PRIu64 " free=%" PRIu64 " alloc_ok=%" PRIu64
		" alloc_fail=%" PRIu64 " reserve_dips=%" PRIu64
		" remote_allocs=%" PRIu64 " frees=%" PRIu64
		" bad_frees=%" PRIu64 " cache_refills=%" PRIu64
		" cache_flushes=%" PRIu64 " poison_errors=%" PRIu64 "\n",
		st.pages, st.free, st.alloc_ok, st.alloc_fail, st.reserve_dips,
		st.remote_allocs, st.frees, st.bad_frees, st.cache_refills,
		st.cache_flushes, st.poison_errors);
	for (z = 0; z < lab->nb_zones; z++) {
		const struct lab_zone *zn = &lab->zone[z];

		fprintf(f, "  zone %u: socket=%d pages=%u free=%" PRIu64
			" cached=%" PRIu64 " min=%u low=%u words=%u memzones=%u\n",
			z, zn->socket_id, zn->nb_pages, st.zone[z].free,
			st.zone[z].cached, zn->reserve, zn->low,
			zn->map.nb_words, zn->nb_segs);
	}
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct lab_lcore *lc = lab->lcore[i];
		uint64_t grabs, frees;

		if (lc == NULL)
			continue;
		lab_lcore_counts(lc, &grabs, &frees);
		/* Relaxed: snapshot of single-writer fields. */
		fprintf(f, "  lcore %u: zone=%u cached=%u tokens=%u hint=%u grabs=%" PRIu64 " frees=%" PRIu64 "\n",
			i, lc->zone, lab_cache_len(lc),
			lab_load(&lc->tokens, LAB_RELAXED), lc->hint,
			grabs, frees);
	}
	{
		uint64_t *per_owner = calloc(RTE_MAX_LCORE + 1, sizeof(uint64_t));
		int held;

		if (per_owner == NULL)
			return;
		held = labyrinth_held_walk(lab, 0, count_owner, per_owner);
		fprintf(f, "  held blocks: %d\n", held);
		for (i = 0; i <= RTE_MAX_LCORE; i++)
			if (per_owner[i] != 0)
				fprintf(f, "    owner %s%u: %" PRIu64 " block(s)\n",
					i == RTE_MAX_LCORE ? "non-EAL " : "",
					i == RTE_MAX_LCORE ? 0 : i, per_owner[i]);
		free(per_owner);
	}
}

int
labyrinth_held_walk(const struct labyrinth *lab, uint64_t min_age_us,
		void (*fn)(const struct labyrinth_held_info *info, void *arg),
		void *arg)
{
	uint64_t hz = rte_get_tsc_hz(), unit_ns;
	/* The coarse clock grabs stamp with (see labyrinth_fast_clock): a
	 * stamp can lag its grab by a tick, never lead it; rdtsc here would
	 * make every age up to a tick too large. Relaxed: a timestamp. */
	uint32_t now = lab_load(&labyrinth_fast_clock, LAB_RELAXED);
	unsigned int z;
	uint32_t p, diff;
	int count = 0;

	lab = lab_checked(lab);
	if (lab == NULL)
		return -EINVAL;
	/* nanoseconds per stamp unit (2^LAB_STAMP_SHIFT cycles) */
	unit_ns = hz != 0 ? ((UINT64_C(1) << LAB_STAMP_SHIFT) * 1000000000u) /
		hz : 0;
	for (z = 0; z < lab->nb_zones; z++) {
		const struct lab_zone *zn = &lab->zone[z];

		for (p = 0; p < zn->nb_pages; p++) {
			/* Relaxed: a snapshot (documented). */
			uint64_t m = lab_load(&zn->meta[p], LAB_RELAXED);
			struct labyrinth_held_info info;

			if (lab_meta_state(m) != LAB_PG_HEAD)
				continue;
			/* Modulo-2^32 difference: right across one wrap. Another
			 * process's clock may be a tick ahead of ours: a stamp
			 * "in the future" is a page just grabbed, age 0. */
			diff = now - lab_meta_stamp(m);
			if ((int32_t)diff < 0)
				diff = 0;
			info.age_us = (uint64_t)diff * unit_ns / 1000;
			if (info.age_us < min_age_us)
				continue;
			info.page = lab_page_addr(lab, zn, p);
			info.order = lab_meta_order(m);
			info.owner = (int)lab_meta_owner(m);
			info.socket_id = zn->socket_id;
			count++;
			if (fn != NULL)
				fn(&info, arg);
		}
	}
	return count;
}

static void
holders_one(const struct labyrinth_held_info *info, void *arg)
{
	lab_holders_add(arg, (unsigned int)info->owner,
		UINT64_C(1) << info->order, info->age_us);
}

int
labyrinth_holders_get(const struct labyrinth *lab, uint64_t min_age_us,
		struct labyrinth_holders *holders)
{
	if (lab_checked(lab) == NULL || holders == NULL)
		return -EINVAL;
	memset(holders, 0, sizeof(*holders));
	holders->min_age_us = min_age_us;
	return labyrinth_held_walk(lab, min_age_us, holders_one, holders) < 0 ?
		-EINVAL : 0;
}
