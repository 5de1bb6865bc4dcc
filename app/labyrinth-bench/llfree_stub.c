/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The LLFree peer when meson did not build it (no ../shared/peers/llfree-c,
 * or no clang or make): llfree_peer.h with nothing behind it. The bench
 * never creates a peer then (LLFREE_BUILT is false), and its figures say
 * BENCH_LLFREE_WHY.
 */

#include <errno.h>

#include <rte_common.h>

#include "llfree_peer.h"

struct llfree_peer *
llfree_peer_create(uint64_t frames)
{
	RTE_SET_USED(frames);
	errno = ENOENT;
	return NULL;
}

void
llfree_peer_destroy(struct llfree_peer *p)
{
	RTE_SET_USED(p);
}

uint64_t
llfree_peer_pairs(struct llfree_peer *p, unsigned int order, uint64_t n)
{
	RTE_SET_USED(p);
	RTE_SET_USED(order);
	return n;
}

uint64_t
llfree_peer_free_frames(const struct llfree_peer *p)
{
	RTE_SET_USED(p);
	return 0;
}

uint64_t
llfree_peer_meta_bytes(const struct llfree_peer *p)
{
	RTE_SET_USED(p);
	return 0;
}
