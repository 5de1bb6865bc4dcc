/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * rte_telemetry endpoints: /labyrinth/list, /labyrinth/info,<name>,
 * /labyrinth/stats,<name>, /labyrinth/lcores,<name>. Handlers read the
 * per-lcore counters with relaxed loads (through labyrinth_stats_get): the
 * snapshot is not atomic across fields.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_telemetry.h>

#include "labyrinth_holders_priv.h"
#include "labyrinth_priv.h"

static void
list_one(struct labyrinth *lab, void *arg)
{
	rte_tel_data_add_array_string(arg, lab->name);
}

static int
tel_list(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	labyrinth_walk(list_one, d);
	return 0;
}

static struct labyrinth *
tel_lab(const char *params)
{
	if (params == NULL || params[0] == '\0')
		return NULL;
	return labyrinth_lookup(params);
}

static void
add_stats(struct rte_tel_data *d, const struct labyrinth_stats *st)
{
	rte_tel_data_add_dict_u64(d, "pages", st->pages);
	rte_tel_data_add_dict_u64(d, "free", st->free);
	rte_tel_data_add_dict_u64(d, "reserve", st->reserve);
	rte_tel_data_add_dict_u64(d, "alloc_ok", st->alloc_ok);
	rte_tel_data_add_dict_u64(d, "alloc_fail", st->alloc_fail);
	rte_tel_data_add_dict_u64(d, "reserve_dips", st->reserve_dips);
	rte_tel_data_add_dict_u64(d, "remote_allocs", st->remote_allocs);
	rte_tel_data_add_dict_u64(d, "frees", st->frees);
	rte_tel_data_add_dict_u64(d, "bad_frees", st->bad_frees);
	rte_tel_data_add_dict_u64(d, "cache_refills", st->cache_refills);
	rte_tel_data_add_dict_u64(d, "cache_flushes", st->cache_flushes);
	rte_tel_data_add_dict_u64(d, "poison_errors", st->poison_errors);
	rte_tel_data_add_dict_u64(d, "metadata_bytes", st->metadata_bytes);
}

static int
tel_info(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct labyrinth *lab = tel_lab(params);
	struct labyrinth_stats st;
	struct rte_tel_data *zones;
	unsigned int z;

	if (lab == NULL || labyrinth_stats_get(lab, &st) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", lab->name);
	rte_tel_data_add_dict_u64(d, "page_size", lab->page_size);
	rte_tel_data_add_dict_u64(d, "nb_pages", lab->nb_pages);
	rte_tel_data_add_dict_u64(d, "reserve_per_zone", lab->reserve);
	rte_tel_data_add_dict_u64(d, "cache_size", lab->cache_size);
	rte_tel_data_add_dict_u64(d, "flags", lab->flags);
	rte_tel_data_add_dict_int(d, "socket_id", lab->conf_socket);
	rte_tel_data_add_dict_u64(d, "nb_zones", lab->nb_zones);
	add_stats(d, &st);
	zones = rte_tel_data_alloc();
	if (zones == NULL)
		return 0;
	rte_tel_data_start_array(zones, RTE_TEL_U64_VAL);
	for (z = 0; z < st.nb_zones; z++)
		rte_tel_data_add_array_u64(zones, st.zone[z].free);
	rte_tel_data_add_dict_container(d, "zone_free", zones, 0);
	return 0;
}

static int
tel_stats(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct labyrinth *lab = tel_lab(params);
	struct labyrinth_stats st;

	if (lab == NULL || labyrinth_stats_get(lab, &st) != 0)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	add_stats(d, &st);
	return 0;
}

static int
tel_lcores(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct labyrinth *lab = tel_lab(params);
	unsigned int i;

	if (lab == NULL)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (i = 0; i < RTE_MAX_LCORE; i++) {
		const struct lab_lcore *lc = lab->lcore[i];
		struct rte_tel_data *c;
		uint64_t grabs, frees;
		char key[16];

		if (lc == NULL)
			continue;
		c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		/* Relaxed loads: snapshots of single-writer fields. */
		rte_tel_data_add_dict_u64(c, "zone", lc->zone);
		rte_tel_data_add_dict_u64(c, "cached",
			lab_cache_len(lc));
		rte_tel_data_add_dict_u64(c, "tokens",
			lab_load(&lc->tokens, LAB_RELAXED));
		lab_lcore_counts(lc, &grabs, &frees);
		rte_tel_data_add_dict_u64(c, "alloc_ok", grabs);
		rte_tel_data_add_dict_u64(c, "alloc_fail",
			lab_load(&lc->cnt.alloc_fail, LAB_RELAXED));
		rte_tel_data_add_dict_u64(c, "frees", frees);
		snprintf(key, sizeof(key), "%u", i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	return 0;
}

/* Telemetry key of an owner slot: its lcore id, or "non_eal". */
static void
owner_key(char *key, size_t len, unsigned int i)
{
	if (i == LABYRINTH_OWNER_NON_EAL)
		snprintf(key, len, "non_eal");
	else
		snprintf(key, len, "%u", i);
}

/* See labyrinth_holders_priv.h. */
void
labyrinth_holders_tel_by_owner(struct rte_tel_data *d, const char *name,
		const struct labyrinth_holders *hs, size_t off, bool eal_only)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	unsigned int i;
	char key[16];

	if (c == NULL)
		return;
	rte_tel_data_start_dict(c);
	for (i = 0; i <= LABYRINTH_OWNER_NON_EAL; i++) {
		const uint64_t *v = RTE_PTR_ADD(&hs->owner[i], off);

		if (*v == 0 || (eal_only && i == LABYRINTH_OWNER_NON_EAL))
			continue;
		owner_key(key, sizeof(key), i);
		rte_tel_data_add_dict_u64(c, key, *v);
	}
	if (rte_tel_data_add_dict_container(d, name, c, 0) != 0)
		rte_tel_data_free(c);
}

/* See labyrinth_holders_priv.h. */
void
labyrinth_holders_tel(struct rte_tel_data *d,
		const struct labyrinth_holders *hs,
		const struct labyrinth_holders_tel_keys *keys)
{
	struct rte_tel_data *hist = rte_tel_data_alloc();
	unsigned int k;
	char key[24];

	rte_tel_data_add_dict_u64(d, keys->held, hs->held);
	labyrinth_holders_tel_by_owner(d, keys->held_by_owner, hs,
		offsetof(struct labyrinth_holder, held), false);
	labyrinth_holders_tel_by_owner(d, keys->oldest_by_owner, hs,
		offsetof(struct labyrinth_holder, oldest_age_us), false);
	rte_tel_data_add_dict_u64(d, "oldest_age_us", hs->oldest_age_us);
	if (hist == NULL)
		return;
	/* Non-empty buckets, keyed by their lower bound in microseconds. */
	rte_tel_data_start_dict(hist);
	for (k = 0; k < LABYRINTH_AGE_BUCKETS; k++) {
		if (hs->age_hist[k] == 0)
			continue;
		snprintf(key, sizeof(key), "%" PRIu64,
			LABYRINTH_AGE_BUCKET_US(k));
		rte_tel_data_add_dict_u64(hist, key, hs->age_hist[k]);
	}
	if (rte_tel_data_add_dict_container(d, "age_hist_us", hist, 0) != 0)
		rte_tel_data_free(hist);
}

/* The page pool's words for its holder summary. */
static const struct labyrinth_holders_tel_keys page_keys = {
	.held = "held_pages",
	.held_by_owner = "pages_by_owner",
	.oldest_by_owner = "oldest_age_us_by_owner",
};

#define HELD_LIST_MAX 32

struct held_acc {
	uint64_t per_owner[RTE_MAX_LCORE + 1];
	struct rte_tel_data *list;
	unsigned int listed;
};

static void
held_one(const struct labyrinth_held_info *info, void *arg)
{
	struct held_acc *acc = arg;
	char buf[96];

	acc->per_owner[info->owner <= RTE_MAX_LCORE ? info->owner :
		RTE_MAX_LCORE]++;
	if (acc->list != NULL && acc->listed < HELD_LIST_MAX) {
		snprintf(buf, sizeof(buf), "%p order=%u owner=%d age_us=%" PRIu64,
			info->page, info->order, info->owner, info->age_us);
		rte_tel_data_add_array_string(acc->list, buf);
		acc->listed++;
	}
}

/* /labyrinth/held,<name>[,<min_age_us>]: the leak finder. */
static int
tel_held(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	char name[LABYRINTH_NAMESIZE + 24], *comma, *end;
	uint64_t min_age = 0;
	struct labyrinth *lab;
	struct rte_tel_data *owners;
	struct labyrinth_holders *hs;
	struct held_acc *acc;
	unsigned int i;
	int n;

	if (params == NULL || params[0] == '\0' ||
			strlen(params) >= sizeof(name))
		return -EINVAL;
	strcpy(name, params);
	comma = strchr(name, ',');
	if (comma != NULL) {
		*comma = '\0';
		min_age = strtoull(comma + 1, &end, 10);
		if (end == comma + 1 || *end != '\0')
			return -EINVAL;
	}
	lab = labyrinth_lookup(name);
	if (lab == NULL)
		return -EINVAL;
	acc = calloc(1, sizeof(*acc));
	if (acc == NULL)
		return -ENOMEM;
	acc->list = rte_tel_data_alloc();
	if (acc->list != NULL)
		rte_tel_data_start_array(acc->list, RTE_TEL_STRING_VAL);
	n = labyrinth_held_walk(lab, min_age, held_one, acc);
	hs = malloc(sizeof(*hs));
	if (hs != NULL && labyrinth_holders_get(lab, min_age, hs) != 0) {
		free(hs);
		hs = NULL;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "min_age_us", min_age);
	rte_tel_data_add_dict_u64(d, "held_blocks", n < 0 ? 0 : (uint64_t)n);
	owners = rte_tel_data_alloc();
	if (owners != NULL) {
		rte_tel_data_start_dict(owners);
		for (i = 0; i <= RTE_MAX_LCORE; i++) {
			char key[16];

			if (acc->per_owner[i] == 0)
				continue;
			if (i == RTE_MAX_LCORE)
				snprintf(key, sizeof(key), "non_eal");
			else
				snprintf(key, sizeof(key), "%u", i);
			rte_tel_data_add_dict_u64(owners, key, acc->per_owner[i]);
		}
		rte_tel_data_add_dict_container(d, "by_owner", owners, 0);
	}
	if (hs != NULL)
		labyrinth_holders_tel(d, hs, &page_keys);
	if (acc->list != NULL)
		rte_tel_data_add_dict_container(d, "listed", acc->list, 0);
	free(hs);
	free(acc);
	return 0;
}

/*
 * Called from the constructor below. Not static: nothing else in the
 * library references this file, so a static link would drop it, and its
 * constructor with it; lib/labyrinth/meson.build and the pkg-config file
 * make static links ask for this symbol (-Wl,--undefined), which pulls the
 * file in without a call from labyrinth_pool.c (that call closed a circle:
 * pool -> telemetry -> stats -> pool).
 */
void
lab_telemetry_register(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help; /* at most RTE_TEL_MAX_STRING_LEN - 1 */
	} cmds[] = {
		{ "/labyrinth/list", tel_list,
		  "Returns the names of all labyrinths. Takes no parameters" },
		{ "/labyrinth/info", tel_info,
		  "Returns configuration, zone free counts and statistics of a labyrinth. Parameters: labyrinth_name" },
		{ "/labyrinth/stats", tel_stats,
		  "Returns the statistics of a labyrinth. Parameters: labyrinth_name" },
		{ "/labyrinth/lcores", tel_lcores,
		  "Returns the per-lcore cache state of a labyrinth. Parameters: labyrinth_name" },
		{ "/labyrinth/held", tel_held,
		  "Returns blocks held at least min_age_us: pages, oldest age by owner, age histogram. Parameters: labyrinth_name[,min_age_us]" },
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cmds); i++)
		if (rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn,
				cmds[i].help) != 0)
			LABYRINTH_LOG(ERR, "cannot register telemetry command %s",
				cmds[i].cmd);
}

RTE_INIT(labyrinth_telemetry_init)
{
	lab_telemetry_register();
}
