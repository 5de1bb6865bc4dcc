/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Telemetry of the labyrinth mempool driver: /labyrinth/mempools (the
 * pools this process serves with the driver) and /labyrinth/mempool,<pool>
 * (configuration, free objects, counters, lookup tables and the holder
 * summary of liblabyrinth_mempool), registered by the constructor at the
 * end. Control path.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_mempool.h>
#include <rte_telemetry.h>

#include "labyrinth_atomic_priv.h"
#include "labyrinth_holders_priv.h"
#include "labyrinth_map_priv.h"
#include "labyrinth_mempool.h"
#include "mempool_labyrinth_drv_priv.h"

/*
 * The header of a pool this process serves with one of our ops, or NULL:
 * ops_index names our ops here, and pool_data is a header of theirs.
 */
static struct labyrinth_mempool_hdr *
pool_hdr(const struct rte_mempool *mp)
{
	struct labyrinth_mempool_hdr *h = mp->pool_data;
	int mode;

	if (mp->ops_index < 0 ||
			(unsigned int)mp->ops_index >=
			rte_mempool_ops_table.num_ops)
		return NULL;
	mode = labyrinth_mempool_ops_mode(
			rte_mempool_get_ops(mp->ops_index)->name);
	if (mode < 0 || !mpl_hdr_ok(h) || h->mode != (uint32_t)mode)
		return NULL;
	return h;
}

/* Whether this process serves the pool with one of our ops. */
static bool
ours_here(const struct rte_mempool *mp)
{
	return mp->ops_index >= 0 &&
		(unsigned int)mp->ops_index < rte_mempool_ops_table.num_ops &&
		labyrinth_mempool_ops_mode(
			rte_mempool_get_ops(mp->ops_index)->name) >= 0;
}

/* The driver's words for its holder summary. */
static const struct labyrinth_holders_tel_keys mempool_keys = {
	.held = "held_objects",
	.held_by_owner = "held_by_lcore",
	.oldest_by_owner = "oldest_age_us_by_lcore",
};

/*
 * The holder summary of a pool: what the page pool's has (under the
 * driver's keys), and the objects in the rte_mempool lcore caches.
 */
static void
holders_tel(struct rte_tel_data *d, const struct labyrinth_holders *hs)
{
	rte_tel_data_add_dict_string(d, "holders", "held_* count objects out "
		"of the driver but not in rte_mempool lcore caches (see "
		"cache_len_by_lcore)");
	labyrinth_holders_tel(d, hs, &mempool_keys);
	rte_tel_data_add_dict_u64(d, "held_in_mempool_caches", hs->in_caches);
	labyrinth_holders_tel_by_owner(d, "in_caches_by_lcore", hs,
		offsetof(struct labyrinth_holder, in_caches), false);
	labyrinth_holders_tel_by_owner(d, "cache_len_by_lcore", hs,
		offsetof(struct labyrinth_holder, cache_len), true);
}

static void
list_one(struct rte_mempool *mp, void *arg)
{
	if (pool_hdr(mp) != NULL)
		rte_tel_data_add_array_string(arg, mp->name);
}

static int
tel_mempools(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	rte_mempool_walk(list_one, d);
	return 0;
}

static int
tel_mempool(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct labyrinth_mempool_hdr *h;
	struct labyrinth_holders *hs;
	const struct rte_mempool *mp;
	struct mpl_counters c;
	unsigned int free_map, free_all;

	if (params == NULL || params[0] == '\0')
		return -EINVAL;
	mp = rte_mempool_lookup(params);
	if (mp == NULL)
		return -EINVAL;
	h = pool_hdr(mp);
	if (h == NULL) {
		if (ours_here(mp))
			mpl_report_bad_pool();
		return -EINVAL;
	}
	mpl_sum_counters(h, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", mp->name);
	rte_tel_data_add_dict_string(d, "ops_name", h->ops_name);
	rte_tel_data_add_dict_string(d, "mode",
			h->mode == LABYRINTH_MEMPOOL_MODE_STRICT ? "strict" :
			"default");
	rte_tel_data_add_dict_int(d, "socket_id", h->socket_id);
	rte_tel_data_add_dict_u64(d, "size", h->size);
	/* Relaxed: written once per object by populate. */
	rte_tel_data_add_dict_u64(d, "objects",
			lab_load(&h->nb_objs, LAB_RELAXED));
	/* What the ops' get_count says (mp_get_count() in
	 * mempool_labyrinth.c), in either mode: the map's set bits. */
	free_map = labyrinth_map_count_bits(&h->map);
	free_all = rte_mempool_avail_count(mp);
	rte_tel_data_add_dict_u64(d, "objects_free", free_map);
	rte_tel_data_add_dict_u64(d, "objects_free_in_caches",
			free_all > free_map ? free_all - free_map : 0);
	rte_tel_data_add_dict_u64(d, "map_free_bits", free_map);
	rte_tel_data_add_dict_u64(d, "claims", c.claims);
	rte_tel_data_add_dict_u64(d, "returns", c.returns);
	rte_tel_data_add_dict_u64(d, "rejected_returns", c.rejects);
	rte_tel_data_add_dict_u64(d, "rejected_foreign", c.foreign);
	rte_tel_data_add_dict_u64(d, "dequeue_fails", c.fails);
	/* Lookup tables: written by populate only (control path). */
	rte_tel_data_add_dict_u64(d, "chunks", h->nb_chunks);
	rte_tel_data_add_dict_u64(d, "page_granule",
			UINT64_C(1) << h->pg_shift);
	rte_tel_data_add_dict_u64(d, "page_entries", h->nb_pg);
	/* Process-wide; relaxed: a statistic. */
	rte_tel_data_add_dict_u64(d, "bad_pool_calls",
			lab_load(&mpl_bad_pool_calls, LAB_RELAXED));
	/* Who holds the objects out of the driver (liblabyrinth_mempool
	 * reads the hold records). */
	hs = malloc(sizeof(*hs));
	if (hs != NULL && labyrinth_mempool_holders_get(mp, 0, hs) == 0)
		holders_tel(d, hs);
	free(hs);
	mpl_report_rejects(h, &c, false);
	mpl_report_bad_pool();
	return 0;
}

RTE_INIT(mempool_labyrinth_telemetry)
{
	rte_telemetry_register_cmd("/labyrinth/mempools", tel_mempools,
		"Returns the mempools served by the labyrinth driver. "
		"Takes no parameters");
	rte_telemetry_register_cmd("/labyrinth/mempool", tel_mempool,
		"Returns the labyrinth driver's counters for a mempool. "
		"Parameters: pool_name");
}
