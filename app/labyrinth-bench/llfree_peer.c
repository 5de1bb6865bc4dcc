/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The LLFree side of labyrinth-bench (see llfree_peer.h). Compiled by
 * clang against the peer's include/ and std/ (its standard-library
 * platform), linked with the peer's libllc.a, which meson has LLFree's own
 * Makefile build out of tree (app/labyrinth-bench/meson.build).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "llfree.h"

#include "llfree_peer.h"

/* Keep p alive: the compiler may not drop an allocation nobody uses. */
#define KEEP(p) __asm__ volatile("" : : "r"(p))

struct llfree_peer {
	llfree_t *ll;
	llfree_meta_t meta;
	uint64_t meta_bytes;
	uint8_t *base;         /* the frames' memory area */
	uint64_t frames;
};

static void *
zalloc_line(size_t size)
{
	size_t len = (size + LLFREE_CACHE_SIZE - 1) / LLFREE_CACHE_SIZE *
		LLFREE_CACHE_SIZE;
	void *p = aligned_alloc(LLFREE_CACHE_SIZE, len ? len : LLFREE_CACHE_SIZE);

	if (p != NULL)
		memset(p, 0, len);
	return p;
}

/*
 * llfree_init() logs a coloured info line to stderr (the peer is built
 * without NO_LOG); it would land in the middle of the bench's tables.
 * The bench is single-threaded here, so stderr is parked on /dev/null
 * for the call. A failure still shows in the result.
 */
static llfree_result_t
init_quiet(llfree_t *ll, size_t frames, llfree_meta_t meta,
		const llfree_classing_t *classing)
{
	llfree_result_t res;
	int saved, null;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	res = llfree_init(ll, frames, LLFREE_INIT_FREE, meta, classing);
	fflush(stderr);
	if (saved >= 0 && null >= 0)
		dup2(saved, STDERR_FILENO);
	if (saved >= 0)
		close(saved);
	if (null >= 0)
		close(null);
	return res;
}

void
llfree_peer_destroy(struct llfree_peer *p)
{
	if (p == NULL)
		return;
	if (p->base != NULL)
		munmap(p->base, p->frames << LLFREE_FRAME_BITS);
	free(p->meta.local);
	free(p->meta.trees);
	free(p->meta.lower);
	free(p->ll);
	free(p);
}

struct llfree_peer *
llfree_peer_create(uint64_t frames)
{
	llfree_classing_t classing = llfree_classing_simple(1);
	llfree_meta_size_t size;
	struct llfree_peer *p;
	llfree_result_t res;
	void *area;

	if (frames < (1u << LLFREE_HUGE_ORDER) || frames > (UINT64_MAX >> 12)) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->frames = frames;
	size = llfree_metadata_size(&classing, (size_t)frames);
	p->meta_bytes = size.llfree + size.local + size.trees + size.lower;
	p->ll = zalloc_line(size.llfree);
	p->meta.local = zalloc_line(size.local);
	p->meta.trees = zalloc_line(size.trees);
	p->meta.lower = zalloc_line(size.lower);
	area = mmap(NULL, frames << LLFREE_FRAME_BITS, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	p->base = area == MAP_FAILED ? NULL : area;
	if (p->ll == NULL || p->meta.local == NULL || p->meta.trees == NULL ||
			p->meta.lower == NULL || p->base == NULL) {
		llfree_peer_destroy(p);
		errno = ENOMEM;
		return NULL;
	}
	res = init_quiet(p->ll, (size_t)frames, p->meta, &classing);
	if (!llfree_is_ok(res)) {
		llfree_peer_destroy(p);
		errno = res.error == LLFREE_ERR_MEMORY ? ENOMEM : EINVAL;
		return NULL;
	}
	return p;
}

uint64_t
llfree_peer_pairs(struct llfree_peer *p, unsigned int order, uint64_t n)
{
	llfree_request_t req = llfree_simple_request(1, (uint8_t)order, 0);
	uint64_t i, bad = 0;

	for (i = 0; i < n; i++) {
		llfree_result_t got = llfree_get(p->ll, frame_id_none(), req);
		llfree_result_t put;
		uint8_t *addr;

		if (__builtin_expect(!llfree_is_ok(got), 0)) {
			bad++;
			continue;
		}
		addr = p->base + (got.frame.value << LLFREE_FRAME_BITS);
		KEEP(addr);
		/* the class it came from: a get may demote */
		put = llfree_put(p->ll,
			frame_id((uint64_t)(addr - p->base) >>
				LLFREE_FRAME_BITS),
			llreq((uint8_t)order, got.class, req.local));
		bad += !llfree_is_ok(put);
	}
	return bad;
}

uint64_t
llfree_peer_free_frames(const struct llfree_peer *p)
{
	return llfree_stats(p->ll).free_frames;
}

uint64_t
llfree_peer_meta_bytes(const struct llfree_peer *p)
{
	return p->meta_bytes;
}
