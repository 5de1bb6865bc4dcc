/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_mempool_check(): the multi-process guard of the labyrinth
 * mempool driver (DPDK bugzilla 1073), and the lookup of a pool's shared
 * header from shared memory alone that every call of liblabyrinth_mempool
 * starts with. The library's log type is registered here.
 *
 * A mempool stores an index into each process's own rte_mempool_ops_table.
 * Drivers loaded with -d register their ops in load order, so a secondary
 * that loads its plugins in another order than the primary finds another
 * driver at the pool's index. Here we decide from shared memory alone
 * whether the primary built the pool with the labyrinth driver (a memzone
 * named after the pool's address, holding our header with its magic, at
 * mp->pool_data), and compare that with what this process's table says.
 * Nothing behind mp->pool_data is read unless it is our memzone: for other
 * drivers it may be a hardware handle rather than a pointer.
 */

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <rte_log.h>
#include <rte_mempool.h>
#include <rte_memzone.h>

#include "labyrinth_mempool.h"
#include "mempool_labyrinth_ctl_priv.h"
#include "mempool_labyrinth_priv.h"

RTE_LOG_REGISTER(labyrinth_mempool_logtype, lib.labyrinth.mempool, NOTICE);

/* Name of the ops at mp->ops_index in this process, or NULL. */
static const char *
local_ops_name(const struct rte_mempool *mp)
{
	if (mp->ops_index < 0 ||
			(uint32_t)mp->ops_index >= rte_mempool_ops_table.num_ops)
		return NULL;
	return rte_mempool_get_ops(mp->ops_index)->name;
}

/* See mempool_labyrinth_ctl_priv.h. */
const struct labyrinth_mempool_hdr *
lmp_shared_hdr(const struct rte_mempool *mp)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct labyrinth_mempool_hdr *h = NULL;
	const struct rte_memzone *mz;

	if (labyrinth_mempool_mz_name(mz_name, sizeof(mz_name), mp) != 0)
		return NULL;
	mz = rte_memzone_lookup(mz_name);
	if (mz != NULL && mz->addr == mp->pool_data && mz->len >= sizeof(*h))
		h = mz->addr;
	if (h != NULL && h->magic != LABYRINTH_MEMPOOL_MAGIC)
		h = NULL;
	return h;
}

int
labyrinth_mempool_check(const struct rte_mempool *mp)
{
	const struct labyrinth_mempool_hdr *h;
	const char *here;
	bool ours_here;

	if (mp == NULL)
		return -EINVAL;
	here = local_ops_name(mp);
	/* Either of the driver's ops ("labyrinth", "labyrinth_strict"). */
	ours_here = labyrinth_mempool_ops_mode(here) >= 0;

	/* Not populated yet: the driver has set nothing up to disagree with. */
	if ((mp->flags & RTE_MEMPOOL_F_POOL_CREATED) == 0)
		return 0;

	h = lmp_shared_hdr(mp);
	if (h == NULL) {
		if (!ours_here)
			return 0; /* not a labyrinth pool */
		LMP_LOG(ERR, "mempool %s: ops index %d is \"%s\" in this "
			"process, but the pool was not set up by the labyrinth "
			"driver: this process loaded its -d plugins in another "
			"order than the primary (DPDK bugzilla 1073)",
			mp->name, mp->ops_index, here);
		return -EXDEV;
	}
	if (!ours_here || h->ops_index != mp->ops_index ||
			strcmp(h->ops_name, here) != 0) {
		LMP_LOG(ERR, "mempool %s: the primary serves it with ops "
			"\"%s\" at index %d, but index %d is \"%s\" in this "
			"process: load the -d plugins in the same order as the "
			"primary (DPDK bugzilla 1073)", mp->name, h->ops_name,
			h->ops_index, mp->ops_index,
			here != NULL ? here : "(none)");
		return -EXDEV;
	}
	return 0;
}
