/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The memzones of a labyrinth: their names, and those of a zone (owner
 * records and map in one, pages in one or, when memory is fragmented,
 * several), reserved and freed.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "labyrinth_priv.h"

void
lab_mz_name(char *buf, const char *name, int zone, const char *what)
{
	if (zone < 0)
		snprintf(buf, LAB_MZ_NAME_BUF, "%s%s", LABYRINTH_MZ_PREFIX,
			name);
	else
		snprintf(buf, LAB_MZ_NAME_BUF, "%s%s.%d.%s",
			LABYRINTH_MZ_PREFIX, name, zone, what);
}

/* Free a memzone of this labyrinth by name (process-independent). */
void
lab_mz_free_by_name(const char *lab_name, int zone, const char *what)
{
	char name[LAB_MZ_NAME_BUF];
	const struct rte_memzone *mz;

	lab_mz_name(name, lab_name, zone, what);
	mz = rte_memzone_lookup(name);
	if (mz != NULL)
		rte_memzone_free(mz);
}

/* Free the memzones of zone zi (by name; the zone's own state says which). */
void
lab_zone_free(const char *lab_name, struct lab_zone *zn, int zi)
{
	unsigned int s;
	char what[16];

	for (s = 0; s < zn->nb_segs; s++) {
		snprintf(what, sizeof(what), "%u", s);
		lab_mz_free_by_name(lab_name, zi, what);
	}
	zn->nb_segs = 0;
	if (zn->meta != NULL)
		lab_mz_free_by_name(lab_name, zi, "m");
	zn->meta = NULL;
}

/*
 * Reserve the pages of zone zi in memzones of per pages (the last one
 * fewer), one IOVA-contiguous if possible when contig. On failure
 * nothing is left reserved: -EEXIST if a name is taken, else -ENOMEM.
 */
static int
zone_reserve_parts(struct labyrinth *lab, struct lab_zone *zn, int zi,
		int mz_socket, uint32_t per, bool contig, uint64_t align)
{
	uint32_t first, s;
	char name[LAB_MZ_NAME_BUF];
	char what[16];
	int err;

	for (first = 0, s = 0; first < zn->nb_pages; s++) {
		uint32_t cnt = RTE_MIN(per, zn->nb_pages - first);
		const struct rte_memzone *mz = NULL;
		size_t len = (size_t)cnt << lab->page_shift;

		snprintf(what, sizeof(what), "%u", s);
		lab_mz_name(name, lab->name, zi, what);
		zn->seg[s].iova = RTE_BAD_IOVA;
		if (contig) {
			mz = rte_memzone_reserve_aligned(name, len, mz_socket,
				RTE_MEMZONE_IOVA_CONTIG, (unsigned int)align);
			if (mz != NULL)
				zn->seg[s].iova = mz->iova;
		}
		if (mz == NULL)
			mz = rte_memzone_reserve_aligned(name, len, mz_socket,
				0, (unsigned int)align);
		if (mz == NULL)
			goto free_segs;
		zn->seg[s].base = mz->addr;
		zn->seg[s].first = first;
		zn->seg[s].count = cnt;
		zn->nb_segs = s + 1;
		first += cnt;
	}
	return 0;

free_segs:
	err = rte_errno;
	for (s = 0; s < zn->nb_segs; s++) {
		snprintf(what, sizeof(what), "%u", s);
		lab_mz_free_by_name(lab->name, zi, what);
	}
	zn->nb_segs = 0;
	return err == EEXIST ? -EEXIST : -ENOMEM;
}

/* The lowest and one past the highest page byte of a zone. */
static void
zone_set_span(struct labyrinth *lab, struct lab_zone *zn)
{
	unsigned int s;

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
}

/*
 * Reserve the pages of a zone: one memzone if possible, else 2, 4, .. 64
 * memzones, each a multiple of 2^LABYRINTH_MAX_ORDER pages (but the last),
 * so that no block of any order straddles two memzones. -EEXIST if a name
 * is taken, else -ENOMEM.
 */
static int
zone_reserve_pages(struct labyrinth *lab, struct lab_zone *zn, int zi,
		int mz_socket)
{
	uint64_t align = (uint64_t)lab->page_size << LABYRINTH_MAX_ORDER;
	const uint32_t unit = UINT32_C(1) << LABYRINTH_MAX_ORDER;
	uint32_t nb_parts, per;
	int ret = -ENOMEM;

	if (align > LAB_ZONE_ALIGN)
		align = LAB_ZONE_ALIGN;
	for (nb_parts = 1; nb_parts <= LAB_MAX_SEGS; nb_parts *= 2) {
		per = (zn->nb_pages + nb_parts - 1) / nb_parts;
		per = (per + unit - 1) / unit * unit;
		if (nb_parts > 1 && per >= zn->nb_pages)
			continue;
		ret = zone_reserve_parts(lab, zn, zi, mz_socket, per,
				nb_parts == 1, align);
		if (ret == 0 || ret == -EEXIST)
			break;
	}
	if (ret == -EEXIST)
		return -EEXIST;
	if (zn->nb_segs == 0)
		return -ENOMEM;
	zone_set_span(lab, zn);
	if (nb_parts > 1)
		LABYRINTH_LOG(NOTICE, "%s: zone %d split into %u memzones",
			lab->name, zi, zn->nb_segs);
	return 0;
}

/*
 * Reserve zone zi on socket: owner records and map, then the pages. On
 * failure nothing is left reserved: -EEXIST if a name is taken, else
 * -ENOMEM.
 */
int
lab_zone_init(struct labyrinth *lab, struct lab_zone *zn, int zi, int socket,
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
	lab_mz_name(name, lab->name, zi, "m");
	mz = rte_memzone_reserve_aligned(name, words_sz + meta_sz,
			mz_socket, 0, RTE_CACHE_LINE_SIZE);
	if (mz == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	memset(mz->addr, 0, words_sz + meta_sz);
	labyrinth_map_init(&zn->map, mz->addr, zn->nb_pages, true);
	zn->meta = RTE_PTR_ADD(mz->addr, words_sz);
	lab->metadata_bytes += mz->len;

	ret = zone_reserve_pages(lab, zn, zi, mz_socket);
	if (ret < 0)
		goto free_meta;
	if (lab->flags & LABYRINTH_F_DEBUG)
		for (s = 0; s < zn->nb_segs; s++)
			memset(zn->seg[s].base, LABYRINTH_POISON,
				(size_t)zn->seg[s].count << lab->page_shift);
	return 0;

free_meta:
	rte_memzone_free(mz);
	zn->meta = NULL;
	return ret;
}
