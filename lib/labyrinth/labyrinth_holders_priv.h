/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_HOLDERS_PRIV_H
#define LABYRINTH_HOLDERS_PRIV_H

/**
 * @file
 * @internal
 * Accumulating a struct labyrinth_holders (labyrinth.h) and putting it in
 * telemetry: the page pool's holder summary (labyrinth_stats.c,
 * labyrinth_telemetry.c), also used by the mempool driver's
 * (lib/mempool_labyrinth). Control path only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include "labyrinth.h"

/** Bucket of labyrinth_holders.age_hist for an age (see
 *  LABYRINTH_AGE_BUCKET_US()). */
static inline unsigned int
lab_age_bucket(uint64_t age_us)
{
	unsigned int k;

	if (age_us == 0)
		return 0;
	/* 1 + floor(log2(age)): bucket k holds [2^(k-1), 2^k). */
	k = 64u - (unsigned int)__builtin_clzll(age_us);
	return RTE_MIN(k, LABYRINTH_AGE_BUCKETS - 1u);
}

/**
 * Count one held block (page pool: units = its pages) or object (units =
 * 1) of owner (an lcore id, or LABYRINTH_OWNER_NON_EAL and above for
 * threads without one), age_us old.
 */
static inline void
lab_holders_add(struct labyrinth_holders *hs, unsigned int owner,
		uint64_t units, uint64_t age_us)
{
	struct labyrinth_holder *o =
		&hs->owner[RTE_MIN(owner, (unsigned int)LABYRINTH_OWNER_NON_EAL)];

	o->held += units;
	o->blocks++;
	o->oldest_age_us = RTE_MAX(o->oldest_age_us, age_us);
	hs->held += units;
	hs->blocks++;
	hs->oldest_age_us = RTE_MAX(hs->oldest_age_us, age_us);
	hs->age_hist[lab_age_bucket(age_us)]++;
}

struct rte_tel_data;

/**
 * The telemetry keys of a holder summary: the pool's own words for what
 * it holds (the page pool: "held_pages", "pages_by_owner",
 * "oldest_age_us_by_owner").
 */
struct labyrinth_holders_tel_keys {
	const char *held;            /**< hs->held */
	const char *held_by_owner;   /**< owner[].held, non-zero entries */
	const char *oldest_by_owner; /**< owner[].oldest_age_us, non-zero */
};

/**
 * Add a holder summary to a telemetry dict: keys->held,
 * keys->held_by_owner, keys->oldest_by_owner, then oldest_age_us and
 * age_hist_us (non-empty buckets keyed by their lower bound in us). Owner
 * keys are lcore ids or "non_eal"; zero entries are left out. Exported
 * (version.map, INTERNAL) for other pools' telemetry as well (the mempool
 * driver's /labyrinth/mempool).
 */
void labyrinth_holders_tel(struct rte_tel_data *d,
		const struct labyrinth_holders *hs,
		const struct labyrinth_holders_tel_keys *keys);

/**
 * Add one per-owner figure of a holder summary to a telemetry dict, as a
 * dict named name: the uint64_t at byte offset off of each
 * struct labyrinth_holder, keyed by lcore id or "non_eal", non-zero
 * entries only; without the "non_eal" entry when eal_only. Exported
 * (version.map, INTERNAL) like labyrinth_holders_tel().
 */
void labyrinth_holders_tel_by_owner(struct rte_tel_data *d, const char *name,
		const struct labyrinth_holders *hs, size_t off, bool eal_only);

#endif /* LABYRINTH_HOLDERS_PRIV_H */
