/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Control path: create, lookup, destroy, walk; memzones and zones. The
 * NUMA topology is in labyrinth_topology.c, the coarse clock in
 * labyrinth_clock.c.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_memzone.h>
#include <rte_string_fns.h>

#include "labyrinth_priv.h"

RTE_LOG_REGISTER(labyrinth_logtype, lib.labyrinth, NOTICE);

/* Big enough for any name snprintf can produce; names are validated to
 * fit RTE_MEMZONE_NAMESIZE before use. */
#define LAB_MZ_NAME_BUF 64

struct labyrinth *
lab_checked(const struct labyrinth *lab)
{
	return lab_live(lab) ? (struct labyrinth *)(uintptr_t)lab : NULL;
}

static int
check_conf(const struct labyrinth_conf *conf, uint32_t *page_size)
{
	size_t len;
	uint32_t ps;

	if (conf == NULL || conf->name == NULL)
		return EINVAL;
	len = strnlen(conf->name, LABYRINTH_NAMESIZE);
	if (len == 0 || strchr(conf->name, '.') != NULL)
		return EINVAL;
	if (len >= LABYRINTH_NAMESIZE)
		return ENAMETOOLONG;
	ps = conf->page_size == 0 ? LABYRINTH_PAGE_SIZE_DEFAULT :
		conf->page_size;
	if (!rte_is_power_of_2(ps) || ps < LABYRINTH_PAGE_SIZE_MIN ||
			ps > LABYRINTH_PAGE_SIZE_MAX)
		return EINVAL;
	/* Page indices are 32-bit; 2^31 pages leaves room for arithmetic. */
	if (conf->nb_pages == 0 || conf->nb_pages > (UINT32_C(1) << 31))
		return EINVAL;
	if (conf->reserve >= conf->nb_pages)
		return EINVAL;
	if (conf->cache_size > LABYRINTH_CACHE_MAX)
		return EINVAL;
	if (conf->flags & ~LABYRINTH_F_MASK)
		return EINVAL;
	if (conf->socket_id != SOCKET_ID_ANY &&
			!lab_topology_socket_exists(conf->socket_id))
		return EINVAL;
	*page_size = ps;
	return 0;
}

static void
mz_name(char *buf, const char *name, int zone, const char *what)
{
	if (zone < 0)
		snprintf(buf, LAB_MZ_NAME_BUF, "%s%s", LABYRINTH_MZ_PREFIX,
			name);
	else
		snprintf(buf, LAB_MZ_NAME_BUF, "%s%s.%d.%s",
			LABYRINTH_MZ_PREFIX, name, zone, what);
}

/* Free a memzone of this labyrinth by name (process-independent). */
static void
mz_free_by_name(const char *lab_name, int zone, const char *what)
{
	char name[LAB_MZ_NAME_BUF];
	const struct rte_memzone *mz;

	mz_name(name, lab_name, zone, what);
	mz = rte_memzone_lookup(name);
	if (mz != NULL)
		rte_memzone_free(mz);
}

static void
zone_free_memzones(const char *lab_name, struct lab_zone *zn, int zi)
{
	unsigned int s;
	char what[16];

	for (s = 0; s < zn->nb_segs; s++) {
		snprintf(what, sizeof(what), "%u", s);
		mz_free_by_name(lab_name, zi, what);
	}
	zn->nb_segs = 0;
	if (zn->meta != NULL)
		mz_free_by_name(lab_name, zi, "m");
	zn->meta = NULL;
}

/*
 * Reserve the pages of a zone: one memzone if possible, else 2, 4, .. 64
 * memzones, each a multiple of 2^LABYRINTH_MAX_ORDER pages (but the last),
 * so that no block of any order straddles two memzones.
 */
static int
zone_reserve_pages(struct labyrinth *lab, struct lab_zone *zn, int zi,
		int mz_socket)
{
	const uint32_t unit = UINT32_C(1) << LABYRINTH_MAX_ORDER;
	uint64_t align = (uint64_t)lab->page_size << LABYRINTH_MAX_ORDER;
	uint32_t nb_parts, per, first, s;
	char name[LAB_MZ_NAME_BUF];
	char what[16];
	int err;

	if (align > LAB_ZONE_ALIGN)
		align = LAB_ZONE_ALIGN;
	for (nb_parts = 1; nb_parts <= LAB_MAX_SEGS; nb_parts *= 2) {
		per = (zn->nb_pages + nb_parts - 1) / nb_parts;
		per = (per + unit - 1) / unit * unit;
		if (nb_parts > 1 && per >= zn->nb_pages)
			continue;
		for (first = 0, s = 0; first < zn->nb_pages; s++) {
			uint32_t cnt = RTE_MIN(per, zn->nb_pages - first);
			const struct rte_memzone *mz = NULL;
			size_t len = (size_t)cnt << lab->page_shift;

			snprintf(what, sizeof(what), "%u", s);
			mz_name(name, lab->name, zi, what);
			zn->seg[s].iova = RTE_BAD_IOVA;
			if (nb_parts == 1) {
				mz = rte_memzone_reserve_aligned(name, len,
					mz_socket, RTE_MEMZONE_IOVA_CONTIG,
					(unsigned int)align);
				if (mz != NULL)
					zn->seg[s].iova = mz->iova;
			}
			if (mz == NULL)
				mz = rte_memzone_reserve_aligned(name, len,
					mz_socket, 0, (unsigned int)align);
			if (mz == NULL)
				break;
			zn->seg[s].base = mz->addr;
			zn->seg[s].first = first;
			zn->seg[s].count = cnt;
			zn->nb_segs = s + 1;
			first += cnt;
		}
		if (first >= zn->nb_pages)
			break;
		err = rte_errno;
		for (s = 0; s < zn->nb_segs; s++) {
			snprintf(what, sizeof(what), "%u", s);
			mz_free_by_name(lab->name, zi, what);
		}
		zn->nb_segs = 0;
		if (err == EEXIST)
			return -EEXIST;
	}
	if (zn->nb_segs == 0)
		return -ENOMEM;
	zn->lo = zn->seg[0].base;
	zn->hi = zn->seg[0].base;
	for (s = 0; s < zn->nb_segs; s++) {
		char *end = zn->seg[s].base +
			((size_t)zn->seg[s].count << lab->page_shift);

		if (zn->seg[s].base < zn->lo)
			zn->lo = zn->seg[s].base;
		if (end > zn->hi)
			zn->hi = end;
	}
	if (nb_parts > 1)
		LABYRINTH_LOG(NOTICE, "%s: zone %d split into %u memzones",
			lab->name, zi, zn->nb_segs);
	return 0;
}

static int
zone_init(struct labyrinth *lab, struct lab_zone *zn, int zi, int socket,
		const struct labyrinth_conf *conf)
{
	char name[LAB_MZ_NAME_BUF];
	const struct rte_memzone *mz;
	int mz_socket = lab_topology_socket_is_physical(socket) ? socket :
		SOCKET_ID_ANY;
	size_t words_sz, meta_sz;
	int ret;
	unsigned int s;

	zn->socket_id = socket;
	zn->nb_pages = conf->nb_pages;
	zn->reserve = conf->reserve;
	zn->low = conf->reserve + (conf->nb_pages - conf->reserve) / 8;

	words_sz = labyrinth_map_words_size(zn->nb_pages);
	meta_sz = (size_t)zn->nb_pages * sizeof(uint64_t);
	mz_name(name, lab->name, zi, "m");
	mz = rte_memzone_reserve_aligned(name, words_sz + meta_sz,
			mz_socket, 0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	memset(mz->addr, 0, words_sz + meta_sz);
	labyrinth_map_init(&zn->map, mz->addr, zn->nb_pages, true);
	zn->meta = RTE_PTR_ADD(mz->addr, words_sz);
	lab->metadata_bytes += mz->len;

	ret = zone_reserve_pages(lab, zn, zi, mz_socket);
	if (ret < 0) {
		rte_memzone_free(mz);
		zn->meta = NULL;
		return ret;
	}
	if (lab->flags & LABYRINTH_F_DEBUG)
		for (s = 0; s < zn->nb_segs; s++)
			memset(zn->seg[s].base, LABYRINTH_POISON,
				(size_t)zn->seg[s].count << lab->page_shift);
	return 0;
}

struct labyrinth *
labyrinth_create(const struct labyrinth_conf *conf)
{
	char name[LAB_MZ_NAME_BUF];
	int sockets[LABYRINTH_MAX_ZONES];
	const struct rte_memzone *mz;
	struct labyrinth *lab;
	unsigned int nb_zones, nb_lcores = 0, lcore, z, slot;
	uint32_t page_size = 0;
	size_t lc_sz, sz;
	char *cursor;
	int err, s;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		rte_errno = E_RTE_SECONDARY;
		return NULL;
	}
	err = check_conf(conf, &page_size);
	if (err != 0) {
		LABYRINTH_LOG(ERR, "invalid configuration: %s",
			rte_strerror(err));
		rte_errno = err;
		return NULL;
	}
	mz_name(name, conf->name, -1, NULL);
	if (rte_memzone_lookup(name) != NULL) {
		rte_errno = EEXIST;
		return NULL;
	}
	nb_zones = lab_topology_zone_sockets(conf, sockets);
	RTE_LCORE_FOREACH(lcore)
		nb_lcores++;

	lc_sz = RTE_ALIGN_CEIL(sizeof(struct lab_lcore) +
			(size_t)conf->cache_size * sizeof(void *),
			RTE_CACHE_LINE_SIZE);
	sz = RTE_ALIGN_CEIL(sizeof(*lab), RTE_CACHE_LINE_SIZE) +
		lc_sz * nb_lcores;
	mz = rte_memzone_reserve_aligned(name, sz,
			conf->socket_id == SOCKET_ID_ANY ? SOCKET_ID_ANY :
			(lab_topology_socket_is_physical(conf->socket_id) ?
			 conf->socket_id : SOCKET_ID_ANY), 0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL) {
		err = rte_errno == EEXIST ? EEXIST : ENOMEM;
		LABYRINTH_LOG(ERR, "%s: cannot reserve %zu bytes: %s",
			conf->name, sz, rte_strerror(rte_errno));
		rte_errno = err;
		return NULL;
	}
	lab = mz->addr;
	memset(lab, 0, sz);
	lab->metadata_bytes = mz->len;
	rte_strlcpy(lab->name, conf->name, sizeof(lab->name));
	lab->page_size = page_size;
	lab->page_shift = (uint32_t)rte_log2_u32(page_size);
	lab->nb_pages = conf->nb_pages;
	lab->reserve = conf->reserve;
	lab->cache_size = conf->cache_size;
	lab->flags = conf->flags;
	lab->conf_socket = conf->socket_id;
	memset(lab->socket_zone, -1, sizeof(lab->socket_zone));

	for (z = 0; z < nb_zones; z++) {
		int ret = zone_init(lab, &lab->zone[z], (int)z, sockets[z], conf);

		if (ret < 0) {
			err = -ret;
			LABYRINTH_LOG(ERR, "%s: zone on socket %d: %s",
				conf->name, sockets[z], rte_strerror(err));
			goto fail;
		}
		lab->nb_zones = z + 1;
		lab->socket_zone[sockets[z]] = (int8_t)z;
	}
	lab_topology_build_fallback(lab);

	cursor = RTE_PTR_ADD(lab, RTE_ALIGN_CEIL(sizeof(*lab),
				RTE_CACHE_LINE_SIZE));
	slot = 0;
	RTE_LCORE_FOREACH(lcore) {
		struct lab_lcore *lc = (struct lab_lcore *)cursor;
		struct lab_zone *zn;

		s = lab_topology_socket_of_lcore(lcore);
		lc->lcore_id = (uint16_t)lcore;
		lc->socket_id = s;
		lc->zone = lab->socket_zone[s] >= 0 ?
			(uint16_t)lab->socket_zone[s] : lab->fallback[s][0];
		lc->remote = lab->socket_zone[s] < 0;
		zn = &lab->zone[lc->zone];
		/* spread the lcores' search starts over the map */
		lc->hint = (uint32_t)(((uint64_t)slot * zn->map.nb_words) /
				nb_lcores);
		lc->size = conf->cache_size;
		lc->cache = (void **)(lc + 1);
		/* The fast paths' copy of what they need (one cache line). */
		lc->base = zn->lo;
		lc->span = (uint64_t)(zn->hi - zn->lo);
		lc->meta = zn->meta;
		lc->avail = &zn->map.avail;
		lc->reserve = zn->reserve;
		lc->page_shift = lab->page_shift;
		lc->owner_bits = (uint16_t)(lcore << LAB_META_OWNER_SHIFT);
		lc->fast = !lc->remote && zn->nb_segs == 1 &&
			!(conf->flags & LABYRINTH_F_DEBUG);
		lc->strict = (conf->flags & LABYRINTH_F_STRICT) != 0;
		lab->lcore[lcore] = lc;
		cursor += lc_sz;
		slot++;
	}
	/* Release: the magic is written last and pairs with the acquire load
	 * in lab_live(), so whoever sees it (a lookup, telemetry, another
	 * thread handed the pointer) sees the labyrinth fully built, on
	 * weak-memory CPUs too; a half-built labyrinth never validates. */
	lab_store(&lab->magic, LABYRINTH_MAGIC, LAB_RELEASE);
	lab_clock_start();
	LABYRINTH_LOG(INFO, "%s: %u zone(s) of %u pages of %u bytes, reserve %u, cache %u",
		lab->name, lab->nb_zones, lab->nb_pages, lab->page_size,
		lab->reserve, lab->cache_size);
	return lab;

fail:
	for (z = 0; z < lab->nb_zones; z++)
		zone_free_memzones(lab->name, &lab->zone[z], (int)z);
	rte_memzone_free(mz);
	rte_errno = err;
	return NULL;
}

struct labyrinth *
labyrinth_lookup(const char *name)
{
	char mzn[LAB_MZ_NAME_BUF];
	const struct rte_memzone *mz;
	struct labyrinth *lab;

	if (name == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (strnlen(name, LABYRINTH_NAMESIZE) >= LABYRINTH_NAMESIZE) {
		rte_errno = ENOENT;
		return NULL;
	}
	mz_name(mzn, name, -1, NULL);
	mz = rte_memzone_lookup(mzn);
	lab = mz != NULL ? lab_checked(mz->addr) : NULL;
	if (lab == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	lab_clock_start();
	return lab;
}

int
labyrinth_destroy(struct labyrinth *lab)
{
	char name[LABYRINTH_NAMESIZE];
	unsigned int z, i;
	uint64_t cached[LABYRINTH_MAX_ZONES] = { 0 };

	lab = lab_checked(lab);
	if (lab == NULL)
		return -EINVAL;
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct lab_lcore *lc = lab->lcore[i];

		if (lc != NULL)
			/* Relaxed: the caller guarantees quiescence. */
			cached[lc->zone] += lab_load(&lc->len, LAB_RELAXED);
	}
	for (z = 0; z < lab->nb_zones; z++) {
		const struct lab_zone *zn = &lab->zone[z];
		uint64_t free_pages = labyrinth_map_count_bits(&zn->map) +
			cached[z];

		if (free_pages != zn->nb_pages) {
			LABYRINTH_LOG(NOTICE, "%s: %" PRIu64 " page(s) still held in zone %u",
				lab->name, zn->nb_pages - free_pages, z);
			return -EBUSY;
		}
	}
	rte_strlcpy(name, lab->name, sizeof(name));
	LABYRINTH_LOG(INFO, "%s: destroyed", name);
	/* Invalidate first so that stale handles fail the magic check.
	 * Relaxed: it publishes nothing; a call racing with destroy is a
	 * caller bug that this only makes more likely to be caught. */
	lab_store(&lab->magic, 0, LAB_RELAXED);
	for (z = 0; z < lab->nb_zones; z++)
		zone_free_memzones(name, &lab->zone[z], (int)z);
	mz_free_by_name(name, -1, NULL);
	return 0;
}

struct walk_arg {
	void (*fn)(struct labyrinth *lab, void *arg);
	void *arg;
};

static void
walk_one(const struct rte_memzone *mz, void *arg)
{
	struct walk_arg *wa = arg;
	size_t plen = strlen(LABYRINTH_MZ_PREFIX);
	struct labyrinth *lab;

	if (strncmp(mz->name, LABYRINTH_MZ_PREFIX, plen) != 0 ||
			strchr(mz->name + plen, '.') != NULL ||
			mz->len < sizeof(struct labyrinth))
		return;
	lab = lab_checked(mz->addr);
	if (lab != NULL)
		wa->fn(lab, wa->arg);
}

void
labyrinth_walk(void (*fn)(struct labyrinth *lab, void *arg), void *arg)
{
	struct walk_arg wa = { .fn = fn, .arg = arg };

	if (fn != NULL)
		rte_memzone_walk(walk_one, &wa);
}

const char *
labyrinth_name(const struct labyrinth *lab)
{
	lab = lab_checked(lab);
	return lab != NULL ? lab->name : NULL;
}

uint32_t
labyrinth_page_size(const struct labyrinth *lab)
{
	lab = lab_checked(lab);
	return lab != NULL ? lab->page_size : 0;
}
