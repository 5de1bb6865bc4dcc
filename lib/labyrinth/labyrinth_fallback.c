/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The fallback over the zones' maps: what a grab does when its lcore's
 * cache (or tokens) cannot serve it, and every block grab. Zones are tried
 * nearest first (the fallback table built at creation from the NUMA
 * distances), above their reserve; GFP_ATOMIC then digs into the reserves
 * in the same order.
 */

#include <errno.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_per_lcore.h>

#include "labyrinth_grab_priv.h"

/* Map search start of threads without an lcore slot (thread-local). */
static RTE_DEFINE_PER_LCORE(uint32_t, anon_hint);

/*
 * Take a block of 2^order pages straight from zone z's map, leaving floor
 * pages of budget behind. Returns the first page index or -1.
 */
static inline int64_t
zone_take(struct lab_zone *zn, uint32_t *hint, unsigned int order,
		int64_t floor)
{
	uint32_t n = UINT32_C(1) << order, i;

	if (order > 0)
		return labyrinth_map_take_block(&zn->map, hint, order, floor);
	if (labyrinth_map_reserve(&zn->map, n, floor) != 0)
		return -1;
	if (claim_one(&zn->map, hint, *hint, &i) == 1)
		return i;
	labyrinth_map_unreserve(&zn->map, n);
	return -1;
}

/*
 * The slow path of every grab: straight from the maps. Pass 1 tries every
 * allowed zone above its reserve, nearest first; pass 2 (GFP_ATOMIC only)
 * digs into the reserves in the same order. Bounded: at most two passes
 * over LABYRINTH_MAX_ZONES zones, each a bounded map search.
 */
__rte_noinline void *
lab_grab_from_maps(struct labyrinth *lab, struct lab_lcore *lc,
		unsigned int gfp, unsigned int order)
{
	unsigned int pass, k, z, local;
	int socket;
	uint32_t *hint;
	int64_t first = -1;
	bool retried = false;

	if (lc != NULL) {
		socket = lc->socket_id;
		hint = &lc->hint;
	} else {
		socket = (int)rte_socket_id();
		if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
			socket = 0;
		hint = &RTE_PER_LCORE(anon_hint);
	}
	local = lab->socket_zone[socket] >= 0 ?
		(unsigned int)lab->socket_zone[socket] : UINT32_MAX;
again:
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && !(gfp & LABYRINTH_GFP_ATOMIC))
			break;
		for (k = 0; k < lab->nb_zones; k++) {
			struct lab_zone *zn;
			uint32_t h;

			z = lab->fallback[socket][k];
			if ((gfp & LABYRINTH_GFP_THISNODE) && z != local)
				continue;
			zn = &lab->zone[z];
			/* the caller's hint, folded into this zone's map */
			h = *hint % zn->map.nb_words;
			first = zone_take(zn, &h, order,
					pass == 0 ? (int64_t)zn->reserve : 0);
			if (first < 0)
				continue;
			*hint = h;
			if (pass == 1)
				CNT_ADD(lab, lc, reserve_dips, 1);
			if (z != local)
				CNT_ADD(lab, lc, remote_allocs, 1);
			CNT_ADD(lab, lc, alloc_ok, 1);
			mark_held(zn, (uint32_t)first, order, my_owner(),
				lab_now());
			return lab_page_addr(lab, zn, (uint32_t)first);
		}
	}
	/* A block may be blocked by pages parked in our own cache, or its
	 * budget by our tokens: give them back once and retry (the kernel
	 * drains its per-cpu lists alike). */
	if (order > 0 && !retried && lc != NULL &&
			(lab_cache_len(lc) > 0 || lc->tokens > 0)) {
		lab_cache_drain(lab, lc);
		retried = true;
		goto again;
	}
	CNT_ADD(lab, lc, alloc_fail, 1);
	return NULL;
}
