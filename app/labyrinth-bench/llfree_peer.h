/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * LLFree (github.com/luhsra/llfree-c, MIT) as a labyrinth-bench peer.
 *
 * LLFree's own header needs C23 (`enum : uint8_t`), which gcc 12 rejects,
 * so llfree_peer.c is compiled by clang and this interface, plain C11 with
 * none of LLFree's types, is all the bench's other files see. It is only
 * compiled when meson found the peer (BENCH_LLFREE); llfree_stub.c stands
 * in otherwise.
 */

#ifndef LLFREE_PEER_H
#define LLFREE_PEER_H

#include <stddef.h>
#include <stdint.h>

struct llfree_peer;

/*
 * An LLFree allocator of `frames` 4 KiB frames over a memory area of as
 * many bytes (reserved, never touched), set up for one core: the simple
 * 2-class classing (orders below 9, and 9 and up) with one local slot
 * each. Returns NULL with errno set on failure.
 */
struct llfree_peer *llfree_peer_create(uint64_t frames);

void llfree_peer_destroy(struct llfree_peer *p);

/*
 * n grab+free pairs of blocks of 2^order frames on local slot 0: each
 * llfree_get is turned into an address in the area and back, then
 * llfree_put. Untimed: the caller brackets the call. Returns the number
 * of gets or puts that failed.
 */
uint64_t llfree_peer_pairs(struct llfree_peer *p, unsigned int order,
		uint64_t n);

/* Free frames, counted by scanning LLFree's lower allocator. */
uint64_t llfree_peer_free_frames(const struct llfree_peer *p);

/* Bytes of LLFree's metadata (llfree_t, local, trees, lower). */
uint64_t llfree_peer_meta_bytes(const struct llfree_peer *p);

#endif /* LLFREE_PEER_H */
