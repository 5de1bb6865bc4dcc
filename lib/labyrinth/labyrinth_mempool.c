/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth_mempool_check(): the multi-process guard of the labyrinth
 * mempool driver (DPDK bugzilla 1073).
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

#include <rte_mempool.h>
#include <rte_memzone.h>

#include "labyrinth.h"
#include "labyrinth_mempool_priv.h"
#include "labyrinth_priv.h"

/* Name of the ops at mp->ops_index in this process, or NULL. */
static const char *
local_ops_name(const struct rte_mempool *mp)
{
	if (mp->ops_index < 0 ||
			(uint32_t)mp->ops_index >= rte_mempool_ops_table.num_ops)
		return NULL;
	return rte_mempool_get_ops(mp->ops_index)->name;
}

int
labyrinth_mempool_check(const struct rte_mempool *mp)
{
	char mz_name[RTE_MEMZONE_NAMESIZE];
	const struct labyrinth_mempool_hdr *h = NULL;
	const struct rte_memzone *mz;
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

	if (labyrinth_mempool_mz_name(mz_name, sizeof(mz_name), mp) == 0) {
		mz = rte_memzone_lookup(mz_name);
		if (mz != NULL && mz->addr == mp->pool_data &&
				mz->len >= sizeof(*h))
			h = mz->addr;
		if (h != NULL && h->magic != LABYRINTH_MEMPOOL_MAGIC)
			h = NULL;
	}

	if (h == NULL) {
		if (!ours_here)
			return 0; /* not a labyrinth pool */
		LABYRINTH_LOG(ERR, "mempool %s: ops index %d is \"%s\" in this "
			"process, but the pool was not set up by the labyrinth "
			"driver: this process loaded its -d plugins in another "
			"order than the primary (DPDK bugzilla 1073)",
			mp->name, mp->ops_index, here);
		return -EXDEV;
	}
	if (!ours_here || h->ops_index != mp->ops_index ||
			strcmp(h->ops_name, here) != 0) {
		LABYRINTH_LOG(ERR, "mempool %s: the primary serves it with ops "
			"\"%s\" at index %d, but index %d is \"%s\" in this "
			"process: load the -d plugins in the same order as the "
			"primary (DPDK bugzilla 1073)", mp->name, h->ops_name,
			h->ops_index, mp->ops_index,
			here != NULL ? here : "(none)");
		return -EXDEV;
	}
	return 0;
}
