/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Control path: create, lookup, destroy, walk; the memzones of a labyrinth
 * and its zones. The NUMA topology is in labyrinth_topology.c, the coarse
 * clock in labyrinth_clock.c.
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

/* What labyrinth_create() works out before its first side effect. */
struct create_plan {
	uint32_t page_size;
	unsigned int nb_zones;
	int sockets[LABYRINTH_MAX_ZONES]; /**< of the zones, sorted */
	unsigned int nb_lcores;
	size_t lc_sz;                     /**< bytes of one lcore slot */
	size_t sz;                        /**< bytes of the header memzone */
	int mz_socket;                    /**< socket of the header memzone */
};

/* Step 1: validate and plan, without side effects; 0 or an errno. */
static int
create_validate(const struct labyrinth_conf *conf, struct create_plan *p)
{
	char name[LAB_MZ_NAME_BUF];
	unsigned int lcore;
	int err;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return E_RTE_SECONDARY;
	err = check_conf(conf, &p->page_size);
	if (err != 0) {
		LABYRINTH_LOG(ERR, "invalid configuration: %s",
			rte_strerror(err));
		return err;
	}
	lab_mz_name(name, conf->name, -1, NULL);
	if (rte_memzone_lookup(name) != NULL)
		return EEXIST;
	p->nb_zones = lab_topology_zone_sockets(conf, p->sockets);
	p->nb_lcores = 0;
	RTE_LCORE_FOREACH(lcore)
		p->nb_lcores++;
	p->lc_sz = RTE_ALIGN_CEIL(sizeof(struct lab_lcore) +
			(size_t)conf->cache_size * sizeof(void *),
			RTE_CACHE_LINE_SIZE);
	p->sz = RTE_ALIGN_CEIL(sizeof(struct labyrinth), RTE_CACHE_LINE_SIZE) +
		p->lc_sz * p->nb_lcores;
	p->mz_socket = conf->socket_id != SOCKET_ID_ANY &&
		lab_topology_socket_is_physical(conf->socket_id) ?
		conf->socket_id : SOCKET_ID_ANY;
	return 0;
}

/* Step 2: reserve the header memzone and fill in the configuration. */
static const struct rte_memzone *
header_reserve(const struct labyrinth_conf *conf,
		const struct create_plan *p, int *err)
{
	char name[LAB_MZ_NAME_BUF];
	const struct rte_memzone *mz;
	struct labyrinth *lab;

	lab_mz_name(name, conf->name, -1, NULL);
	mz = rte_memzone_reserve_aligned(name, p->sz, p->mz_socket, 0,
			RTE_CACHE_LINE_SIZE);
	if (mz == NULL) {
		*err = rte_errno == EEXIST ? EEXIST : ENOMEM;
		LABYRINTH_LOG(ERR, "%s: cannot reserve %zu bytes: %s",
			conf->name, p->sz, rte_strerror(rte_errno));
		return NULL;
	}
	lab = mz->addr;
	memset(lab, 0, p->sz);
	lab->metadata_bytes = mz->len;
	rte_strlcpy(lab->name, conf->name, sizeof(lab->name));
	lab->page_size = p->page_size;
	lab->page_shift = (uint32_t)rte_log2_u32(p->page_size);
	lab->nb_pages = conf->nb_pages;
	lab->reserve = conf->reserve;
	lab->cache_size = conf->cache_size;
	lab->flags = conf->flags;
	lab->conf_socket = conf->socket_id;
	memset(lab->socket_zone, -1, sizeof(lab->socket_zone));
	return mz;
}

/* Free the memzones of zones 0 .. lab->nb_zones - 1. */
static void
zones_free(struct labyrinth *lab, const char *name)
{
	unsigned int z;

	for (z = 0; z < lab->nb_zones; z++)
		lab_zone_free(name, &lab->zone[z], (int)z);
}

/*
 * Step 3: the zones, one per socket, and their fallback order. On failure
 * lab->nb_zones zones are whole (a failed lab_zone_init() leaves nothing);
 * returns 0 or an errno.
 */
static int
zones_init(struct labyrinth *lab, const struct labyrinth_conf *conf,
		const struct create_plan *p)
{
	unsigned int z;

	for (z = 0; z < p->nb_zones; z++) {
		int ret = lab_zone_init(lab, &lab->zone[z], (int)z,
				p->sockets[z], conf);

		if (ret < 0) {
			LABYRINTH_LOG(ERR, "%s: zone on socket %d: %s",
				conf->name, p->sockets[z], rte_strerror(-ret));
			return -ret;
		}
		lab->nb_zones = z + 1;
		lab->socket_zone[p->sockets[z]] = (int8_t)z;
	}
	lab_topology_build_fallback(lab);
	return 0;
}

/* Step 4: the slot of each enabled lcore, after the header. */
static void
lcores_init(struct labyrinth *lab, const struct labyrinth_conf *conf,
		const struct create_plan *p)
{
	char *cursor = RTE_PTR_ADD(lab, RTE_ALIGN_CEIL(sizeof(*lab),
				RTE_CACHE_LINE_SIZE));
	unsigned int lcore, slot = 0;

	RTE_LCORE_FOREACH(lcore) {
		struct lab_lcore *lc = (struct lab_lcore *)cursor;
		struct lab_zone *zn;
		int s = lab_topology_socket_of_lcore(lcore);

		lc->lcore_id = (uint16_t)lcore;
		lc->socket_id = s;
		lc->zone = lab->socket_zone[s] >= 0 ?
			(uint16_t)lab->socket_zone[s] : lab->fallback[s][0];
		lc->remote = lab->socket_zone[s] < 0;
		zn = &lab->zone[lc->zone];
		/* spread the lcores' search starts over the map */
		lc->hint = (uint32_t)(((uint64_t)slot * zn->map.nb_words) /
				p->nb_lcores);
		lc->home = lc->hint;
		lc->size = conf->cache_size;
		/* The fast paths' copy of what they need (one cache line). */
		lc->base = zn->lo;
		lc->npages = !lc->remote && zn->nb_segs == 1 &&
			!(conf->flags & LABYRINTH_F_DEBUG) ?
			(uint64_t)(zn->hi - zn->lo) >> lab->page_shift : 0;
		lc->meta = zn->meta;
		lc->map = &zn->map;
		lc->reserve = lc->npages != 0 ? (int64_t)zn->reserve :
			INT64_MAX;
		lc->page_shift = (uint8_t)lab->page_shift;
		lc->head_bits = (uint16_t)lab_meta_head(0, lcore);
		lc->strict = (conf->flags & LABYRINTH_F_STRICT) != 0;
		lc->free_size = lc->npages != 0 && !lc->strict ? lc->size : 0;
		lab->lcore[lcore] = lc;
		cursor += p->lc_sz;
		slot++;
	}
}

/* Step 5: make the labyrinth visible to lookup, walk and telemetry. */
static void
publish(struct labyrinth *lab)
{
	/* Release: the magic is written last and pairs with the acquire load
	 * in lab_live(), so whoever sees it (a lookup, telemetry, another
	 * thread handed the pointer) sees the labyrinth fully built, on
	 * weak-memory CPUs too; a half-built labyrinth never validates. */
	lab_store(&lab->magic, LABYRINTH_MAGIC, LAB_RELEASE);
	lab_clock_start();
	lab_simd_choose();
	LABYRINTH_LOG(INFO, "%s: %u zone(s) of %u pages of %u bytes, reserve %u, cache %u",
		lab->name, lab->nb_zones, lab->nb_pages, lab->page_size,
		lab->reserve, lab->cache_size);
}

struct labyrinth *
labyrinth_create(const struct labyrinth_conf *conf)
{
	struct create_plan plan;
	const struct rte_memzone *mz;
	struct labyrinth *lab;
	int err;

	err = create_validate(conf, &plan);
	if (err != 0)
		goto fail;
	mz = header_reserve(conf, &plan, &err);
	if (mz == NULL)
		goto fail;
	lab = mz->addr;
	err = zones_init(lab, conf, &plan);
	if (err != 0)
		goto free_zones;
	lcores_init(lab, conf, &plan);
	publish(lab);
	return lab;

free_zones:
	zones_free(lab, lab->name);
	rte_memzone_free(mz);
fail:
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
	lab_mz_name(mzn, name, -1, NULL);
	mz = rte_memzone_lookup(mzn);
	lab = mz != NULL ? lab_checked(mz->addr) : NULL;
	if (lab == NULL) {
		rte_errno = ENOENT;
		return NULL;
	}
	lab_clock_start();
	lab_simd_choose();
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
			cached[lc->zone] += lab_cache_len(lc);
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
	zones_free(lab, name);
	lab_mz_free_by_name(name, -1, NULL);
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
