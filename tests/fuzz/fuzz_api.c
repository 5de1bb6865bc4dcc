/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * libFuzzer harness of the labyrinth API: each input is a sequence of calls
 * against up to two labyrinths, checked against a model after every step.
 *
 * Input format (missing bytes read as 0):
 *   9 bytes   configuration of labyrinth 0 (see read_conf())
 *   then      operations: one opcode byte, then its arguments (see fuzz_op())
 *
 * The model (struct fz_lab) knows every page of each labyrinth (learnt at
 * creation by grabbing them all with GFP_ATOMIC), the state of each page
 * (free, head or tail of a held block) and the held blocks. After every
 * step it checks, for each live labyrinth:
 *   - held blocks never overlap (a grab must return pages the model has
 *     as free; each held block carries a stamp, checked when it is freed);
 *   - labyrinth_free_count() + held pages == total pages;
 *   - labyrinth_audit() == 0;
 *   - stats: free, bad_frees (exactly as the model counts them), grabs -
 *     frees == held blocks, no poison errors;
 *   - labyrinth_held_walk() reports exactly the model's held blocks, each
 *     with its owner;
 *   - labyrinth_pressure() agrees with the free count and the watermarks.
 * Each call's result is predicted from the model: every bad free returns
 * the documented errno and changes nothing but bad_frees; grabs succeed
 * when the free count and watermarks say they must, and a GFP_NORMAL grab
 * never takes a zone at or below its min watermark.
 *
 * At the end of each input every held block is freed and every labyrinth
 * destroyed (labyrinth_destroy() must return 0), and the number of memzones
 * must be what it was before the input.
 *
 * labyrinth_reclaim_lcore() of any id must answer -EBUSY (an enabled
 * lcore), -EINVAL (>= RTE_MAX_LCORE, LABYRINTH_OWNER_NON_EAL included, or a
 * NULL labyrinth) or 0 (any other id: it holds nothing), changing nothing.
 *
 * EAL has two lcores: 0, the fuzzing thread (with an lcore cache), and a
 * worker. Bits 6-7 of an opcode make a grab, free or reclaim run on the
 * worker lcore (rte_eal_remote_launch(), its cache flushed right after) or
 * on a fresh non-EAL pthread; their blocks carry that owner id. One call
 * runs at a time: racing calls (and so LABYRINTH_F_STRICT's arbitration)
 * are out of a sequential fuzzer's sight, and the model is the same for
 * strict and default pools. Any mismatch prints what was expected and
 * aborts, which libFuzzer reports as a crash.
 * Build and run with scripts/fuzz.sh; see docs/hardening.md.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "labyrinth.h"

#define FZ_NAME "fuzz_api"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_LABS 2               /* labyrinths per input */
#define FZ_MAX_PAGES 4096u      /* pages per labyrinth */
#define FZ_MAX_BYTES (8u << 20) /* bytes of pages per labyrinth */
#define FZ_MAX_OPS 4096         /* operations per input */
#define FZ_BULK_MAX 256u        /* largest bulk grab or free */

enum fz_state { PG_FREE = 0, PG_HEAD, PG_TAIL };

struct fz_block {
	char *p;
	unsigned int order;
	int owner;                   /* lcore id, LABYRINTH_OWNER_NON_EAL */
	uint64_t stamp;
};

/* Model of one labyrinth. */
struct fz_lab {
	struct labyrinth *lab;       /* NULL: slot empty */
	char name[16];
	uint32_t page_size;
	uint32_t nb_pages;
	uint32_t reserve;
	uint32_t low;
	uint32_t cache_size;
	uint32_t flags;
	char **pages;                /* every page, sorted by address */
	uint8_t *state;              /* enum fz_state, by page index */
	uint8_t *order;              /* order of the block, by page index */
	uint16_t *owner;             /* owner of the block, by page index */
	struct fz_block *held;       /* held blocks, unordered */
	uint32_t nb_held;
	uint64_t held_pages;
	uint64_t bad_frees;          /* expected stats.bad_frees */
	bool drained;                /* cache flushed, no grab/free since */
};

static struct fz_lab models[FZ_LABS];
static unsigned int base_memzones;
static uint64_t seq;
static void *rte_buf; /* rte_malloc'd memory: a foreign pointer */
/*
 * FUZZ_IGNORE_RESERVE=1 in the environment turns off the check that a
 * GFP_NORMAL grab never takes a zone at or below its min watermark, so that
 * other bugs can be hunted while that one is open (docs/hardening.md).
 */
static bool ignore_reserve;
/* FUZZ_TRACE=1: print each operation and the state before it (replays). */
static bool trace;

/*
 * Bad inputs tried and answered as documented, per API function (the
 * closing figure of the hardening issue); printed at exit.
 */
enum fz_api {
	FZ_CREATE, FZ_ALLOC_PAGE, FZ_ALLOC_PAGES, FZ_ALLOC_BULK,
	FZ_FREE_PAGE, FZ_FREE_PAGES, FZ_FREE_BULK, FZ_PAGE_OWNER,
	FZ_PAGE_SOCKET_IOVA, FZ_RECLAIM, FZ_NULL_HANDLE, FZ_NB_API
};
static const char * const fz_api_name[FZ_NB_API] = {
	"labyrinth_create", "labyrinth_alloc_page", "labyrinth_alloc_pages",
	"labyrinth_alloc_bulk", "labyrinth_free_page", "labyrinth_free_pages",
	"labyrinth_free_bulk", "labyrinth_page_owner",
	"labyrinth_page_socket+iova", "labyrinth_reclaim_lcore",
	"NULL handle (every function)",
};
static uint64_t fz_bad[FZ_NB_API];
/* Reclaims of a valid lcore id that is not enabled: 0 pages, nothing
 * changed (the only answer one process can see, see op_reclaim()). */
static uint64_t fz_reclaim_idle;
/* Calls made on the worker lcore and on non-EAL threads. */
static uint64_t fz_calls_worker, fz_calls_pthread;

static void __attribute__((destructor))
fz_print_bad(void)
{
	unsigned int i;

	fprintf(stderr, "fuzz_api: bad inputs tried and rejected as documented, per API function:\n");
	for (i = 0; i < FZ_NB_API; i++)
		fprintf(stderr, "fuzz_api:   %-30s %" PRIu64 "\n",
			fz_api_name[i], fz_bad[i]);
	fprintf(stderr, "fuzz_api: reclaims of idle lcore ids (0 pages): %"
		PRIu64 "; calls on the worker lcore: %" PRIu64 ", on non-EAL "
		"threads: %" PRIu64 "\n", fz_reclaim_idle, fz_calls_worker,
		fz_calls_pthread);
}

/*
 * One library call, run by fz_exec() on the main lcore, the worker lcore or
 * a non-EAL thread. On the worker the lcore cache is flushed right after
 * (flush), so that between steps only the main lcore's cache holds pages.
 */
enum fz_call_kind {
	CALL_ALLOC_PAGE, CALL_ALLOC_PAGES, CALL_ALLOC_BULK, CALL_FREE_PAGE,
	CALL_FREE_PAGES, CALL_FREE_BULK, CALL_RECLAIM,
};

struct fz_call {
	enum fz_call_kind kind;
	struct labyrinth *lab;
	unsigned int gfp, order, n, lcore;
	void *p;
	void **v;
	bool flush;
	/* results */
	void *ret_p;
	unsigned int ret_u;
	int ret;
	int64_t ret64;
	int err;                     /* the caller's rte_errno */
};

static int
fz_call_run(void *arg)
{
	struct fz_call *c = arg;

	rte_errno = 0;
	switch (c->kind) {
	case CALL_ALLOC_PAGE:
		c->ret_p = labyrinth_alloc_page(c->lab, c->gfp);
		break;
	case CALL_ALLOC_PAGES:
		c->ret_p = labyrinth_alloc_pages(c->lab, c->gfp, c->order);
		break;
	case CALL_ALLOC_BULK:
		c->ret_u = labyrinth_alloc_bulk(c->lab, c->gfp, c->v, c->n);
		break;
	case CALL_FREE_PAGE:
		c->ret = labyrinth_free_page(c->lab, c->p);
		break;
	case CALL_FREE_PAGES:
		c->ret = labyrinth_free_pages(c->lab, c->p, c->order);
		break;
	case CALL_FREE_BULK:
		c->ret_u = labyrinth_free_bulk(c->lab, c->v, c->n);
		break;
	case CALL_RECLAIM:
		c->ret64 = labyrinth_reclaim_lcore(c->lab, c->lcore);
		break;
	}
	c->err = rte_errno;
	if (c->flush && rte_lcore_id() != rte_get_main_lcore() &&
			rte_lcore_id() < RTE_MAX_LCORE)
		labyrinth_cache_flush(c->lab);
	return 0;
}

/* Run c on who; the owner id its grabs get. */
static int
fz_call(struct fz_call *c, enum fz_who who)
{
	if (who == FZ_WORKER)
		fz_calls_worker++;
	else if (who == FZ_PTHREAD)
		fz_calls_pthread++;
	c->flush = c->kind != CALL_RECLAIM;
	fz_exec(who, fz_call_run, c);
	return who == FZ_MAIN ? (int)rte_lcore_id() : who == FZ_WORKER ?
		(int)fz_worker : LABYRINTH_OWNER_NON_EAL;
}

/* Page index of p in L, or -1 if p is not the start of one of its pages. */
static int64_t
page_index(const struct fz_lab *L, const void *p)
{
	uint32_t lo = 0, hi = L->nb_pages;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if ((const char *)L->pages[mid] == (const char *)p)
			return mid;
		if ((uintptr_t)L->pages[mid] < (uintptr_t)p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Index of the page containing p, or -1 if p is not inside a page of L. */
static int64_t
page_containing(const struct fz_lab *L, const void *p)
{
	uint32_t lo = 0, hi = L->nb_pages;

	/* last page whose start is <= p */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)L->pages[mid] <= (uintptr_t)p)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || (uintptr_t)p - (uintptr_t)L->pages[lo - 1] >=
			L->page_size)
		return -1;
	return lo - 1;
}

/* What freeing p with order into L must return, per labyrinth.h. */
static int
expect_free(const struct fz_lab *L, const void *p, unsigned int order)
{
	int64_t j;

	if (p == NULL || order > LABYRINTH_MAX_ORDER)
		return -EINVAL;
	j = page_index(L, p);
	if (j < 0)
		return -EINVAL;
	switch (L->state[j]) {
	case PG_FREE:
		return -EALREADY;
	case PG_TAIL:
		return -EINVAL;
	default:
		return L->order[j] == order ? 0 : -EINVAL;
	}
}

static uint64_t
fill_stamp(const char *p, uint64_t s)
{
	return (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull ^ s;
}

/* Stamp the first and last 8 bytes of a held block. */
static void
stamp_block(const struct fz_lab *L, struct fz_block *b)
{
	size_t len = (size_t)L->page_size << b->order;

	b->stamp = fill_stamp(b->p, ++seq);
	memcpy(b->p, &b->stamp, sizeof(b->stamp));
	memcpy(b->p + len - sizeof(b->stamp), &b->stamp, sizeof(b->stamp));
}

static void
check_stamp(const struct fz_lab *L, const struct fz_block *b)
{
	size_t len = (size_t)L->page_size << b->order;
	uint64_t a, z;

	memcpy(&a, b->p, sizeof(a));
	memcpy(&z, b->p + len - sizeof(z), sizeof(z));
	FZ_CHECK(a == b->stamp && z == b->stamp,
		"%s: block %p order %u was written while held by us "
		"(stamp %#" PRIx64 ", found %#" PRIx64 " / %#" PRIx64 ")",
		L->name, b->p, b->order, b->stamp, a, z);
}

/*
 * A grab returned p with order: it must be a block of free pages of L,
 * properly aligned, with the right content. Enter it into the model.
 */
static void
model_grab(struct fz_lab *L, void *ptr, unsigned int order, unsigned int gfp,
		int owner)
{
	char *p = ptr;
	size_t len = (size_t)L->page_size << order;
	int64_t j = page_index(L, p);
	uint32_t k, n = UINT32_C(1) << order;
	struct fz_block *b;
	size_t i;

	FZ_CHECK(j >= 0, "%s: grab returned %p, not a page of this labyrinth",
		L->name, p);
	FZ_CHECK((uint64_t)j + n <= L->nb_pages, "%s: block %p order %u "
		"runs past the last page", L->name, p, order);
	for (k = 0; k < n; k++) {
		FZ_CHECK(L->pages[j + k] == p + (size_t)k * L->page_size,
			"%s: block %p order %u is not contiguous", L->name, p,
			order);
		FZ_CHECK(L->state[j + k] == PG_FREE, "%s: block %p order %u "
			"overlaps a held block at page %p", L->name, p, order,
			L->pages[j + k]);
	}
	/* aligned to its size up to min(page_size << MAX_ORDER, 2 MiB) */
	{
		uint64_t align = RTE_MIN((uint64_t)len, (uint64_t)2 << 20);

		FZ_CHECK(((uintptr_t)p & (align - 1)) == 0,
			"%s: block %p order %u not aligned to %" PRIu64,
			L->name, p, order, align);
	}
	if (gfp & LABYRINTH_GFP_ZERO) {
		for (i = 0; i < len; i++)
			FZ_CHECK(p[i] == 0, "%s: GFP_ZERO block %p has byte %zu "
				"= %#x", L->name, p, i, (unsigned int)(uint8_t)p[i]);
	} else if (L->flags & LABYRINTH_F_DEBUG) {
		for (i = 0; i < len; i++)
			FZ_CHECK(p[i] == (char)LABYRINTH_POISON, "%s: debug "
				"block %p lost its poison at byte %zu", L->name,
				p, i);
	}
	FZ_CHECK(labyrinth_page_owner(L->lab, p) == owner,
		"%s: owner of fresh page %p is %d, want %d", L->name, p,
		labyrinth_page_owner(L->lab, p), owner);
	for (k = 0; k < n; k++) {
		L->state[j + k] = k == 0 ? PG_HEAD : PG_TAIL;
		L->order[j + k] = (uint8_t)order;
		L->owner[j + k] = (uint16_t)owner;
	}
	b = &L->held[L->nb_held++];
	b->p = p;
	b->order = order;
	b->owner = owner;
	stamp_block(L, b);
	L->held_pages += n;
	L->drained = false;
}

/* Find the held block starting at p; -1 if none. */
static int64_t
held_find(const struct fz_lab *L, const void *p)
{
	uint32_t i;

	for (i = 0; i < L->nb_held; i++)
		if (L->held[i].p == (const char *)p)
			return i;
	return -1;
}

/* A free of held block h succeeded: take it out of the model. */
static void
model_free(struct fz_lab *L, uint32_t h)
{
	struct fz_block *b = &L->held[h];
	int64_t j = page_index(L, b->p);
	uint32_t k, n = UINT32_C(1) << b->order;

	for (k = 0; k < n; k++)
		L->state[j + k] = PG_FREE;
	L->held_pages -= n;
	L->held[h] = L->held[--L->nb_held];
	L->drained = false;
}

struct walk_ctx {
	const struct fz_lab *L;
	uint32_t seen;
};

static void
walk_cb(const struct labyrinth_held_info *info, void *arg)
{
	struct walk_ctx *w = arg;
	int64_t j = page_index(w->L, info->page);

	FZ_CHECK(j >= 0 && w->L->state[j] == PG_HEAD &&
		w->L->order[j] == info->order, "%s: held_walk reports %p "
		"order %u, which the model does not hold", w->L->name,
		info->page, info->order);
	FZ_CHECK(info->owner == w->L->owner[j], "%s: held_walk: %p "
		"owner %d, want %d", w->L->name, info->page, info->owner,
		w->L->owner[j]);
	w->seen++;
}

static int
expect_pressure(const struct fz_lab *L, uint64_t free_pages)
{
	if (free_pages <= L->reserve)
		return LABYRINTH_PRESSURE_MIN;
	if (free_pages <= L->low)
		return LABYRINTH_PRESSURE_LOW;
	return LABYRINTH_PRESSURE_NONE;
}

/* The invariants, after every step. */
static void
check_model(const struct fz_lab *L)
{
	struct labyrinth_stats st;
	struct walk_ctx w = { .L = L, .seen = 0 };
	unsigned int free_pages;
	int ret;

	if (L->lab == NULL)
		return;
	free_pages = labyrinth_free_count(L->lab);
	FZ_CHECK((uint64_t)free_pages + L->held_pages == L->nb_pages,
		"%s: free %u + held %" PRIu64 " != %u pages", L->name,
		free_pages, L->held_pages, L->nb_pages);
	ret = labyrinth_audit(L->lab);
	FZ_CHECK(ret == 0, "%s: audit returned %d", L->name, ret);
	FZ_CHECK(labyrinth_stats_get(L->lab, &st) == 0, "%s", L->name);
	FZ_CHECK(st.pages == L->nb_pages && st.free == free_pages &&
		st.nb_zones == 1 && st.zone[0].free == free_pages &&
		st.reserve == L->reserve, "%s: stats pages %" PRIu64
		" free %" PRIu64 " zones %u reserve %" PRIu64, L->name,
		st.pages, st.free, st.nb_zones, st.reserve);
	FZ_CHECK(st.zone[0].cached <= L->cache_size, "%s: %" PRIu64
		" cached > cache size %u", L->name, st.zone[0].cached,
		L->cache_size);
	FZ_CHECK(st.bad_frees == L->bad_frees, "%s: bad_frees %" PRIu64
		", model %" PRIu64, L->name, st.bad_frees, L->bad_frees);
	FZ_CHECK(st.alloc_ok - st.frees == L->nb_held, "%s: grabs %" PRIu64
		" - frees %" PRIu64 " != %u held blocks", L->name, st.alloc_ok,
		st.frees, L->nb_held);
	FZ_CHECK(st.poison_errors == 0, "%s: %" PRIu64 " poison errors",
		L->name, st.poison_errors);
	ret = labyrinth_held_walk(L->lab, 0, walk_cb, &w);
	FZ_CHECK(ret == (int)L->nb_held && w.seen == L->nb_held,
		"%s: held_walk returned %d, saw %u, model holds %u", L->name,
		ret, w.seen, L->nb_held);
	ret = labyrinth_pressure(L->lab, SOCKET_ID_ANY);
	FZ_CHECK(ret == expect_pressure(L, free_pages), "%s: pressure %d "
		"with %u free, reserve %u, low %u", L->name, ret, free_pages,
		L->reserve, L->low);
}

static void
check_all(void)
{
	unsigned int i;

	for (i = 0; i < FZ_LABS; i++)
		check_model(&models[i]);
}

static void
model_reset(struct fz_lab *L)
{
	free(L->pages);
	free(L->state);
	free(L->order);
	free(L->owner);
	free(L->held);
	memset(L, 0, sizeof(*L));
}

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(char * const *)a;
	uintptr_t y = (uintptr_t)*(char * const *)b;

	return x < y ? -1 : x > y;
}

/*
 * A labyrinth was just created: learn its pages by grabbing every one with
 * GFP_ATOMIC (each must succeed, one more must fail with ENOMEM), then give
 * them back (each free must succeed).
 */
static void
model_learn(struct fz_lab *L)
{
	uint32_t i;
	void *p;

	L->pages = calloc(L->nb_pages, sizeof(*L->pages));
	L->state = calloc(L->nb_pages, 1);
	L->order = calloc(L->nb_pages, 1);
	L->owner = calloc(L->nb_pages, sizeof(*L->owner));
	L->held = calloc(L->nb_pages, sizeof(*L->held));
	FZ_CHECK(L->pages && L->state && L->order && L->owner && L->held,
		"out of memory");
	FZ_CHECK(labyrinth_free_count(L->lab) == L->nb_pages,
		"%s: new labyrinth has %u free of %u", L->name,
		labyrinth_free_count(L->lab), L->nb_pages);
	for (i = 0; i < L->nb_pages; i++) {
		L->pages[i] = labyrinth_alloc_page(L->lab, LABYRINTH_GFP_ATOMIC);
		FZ_CHECK(L->pages[i] != NULL, "%s: GFP_ATOMIC grab %u of %u "
			"failed (%s)", L->name, i, L->nb_pages,
			rte_strerror(rte_errno));
	}
	p = labyrinth_alloc_page(L->lab, LABYRINTH_GFP_ATOMIC);
	FZ_CHECK(p == NULL && rte_errno == ENOMEM, "%s: grab from an empty "
		"labyrinth returned %p, rte_errno %d", L->name, p, rte_errno);
	FZ_CHECK(labyrinth_free_count(L->lab) == 0, "%s: empty labyrinth "
		"counts %u free", L->name, labyrinth_free_count(L->lab));
	FZ_CHECK(labyrinth_pressure(L->lab, 0) == LABYRINTH_PRESSURE_MIN,
		"%s: empty labyrinth has pressure %d", L->name,
		labyrinth_pressure(L->lab, 0));
	for (i = 0; i < L->nb_pages; i++) {
		FZ_CHECK(labyrinth_page_owner(L->lab, L->pages[i]) ==
			(int)rte_lcore_id(), "%s: page %p owner %d", L->name,
			L->pages[i], labyrinth_page_owner(L->lab, L->pages[i]));
		FZ_CHECK(labyrinth_free_page(L->lab, L->pages[i]) == 0,
			"%s: free of page %p failed", L->name, L->pages[i]);
	}
	qsort(L->pages, L->nb_pages, sizeof(*L->pages), cmp_ptr);
	for (i = 1; i < L->nb_pages; i++)
		FZ_CHECK((uintptr_t)L->pages[i] - (uintptr_t)L->pages[i - 1] >=
			L->page_size, "%s: pages %p and %p overlap", L->name,
			L->pages[i - 1], L->pages[i]);
	for (i = 0; i < L->nb_pages; i++)
		FZ_CHECK(((uintptr_t)L->pages[i] & (L->page_size - 1)) == 0,
			"%s: page %p is not aligned to its size", L->name,
			L->pages[i]);
}

/*
 * Read a configuration. Byte 0 chooses a valid one (k < 8) or one broken
 * in a way whose errno labyrinth.h documents; returns the errno expected
 * from labyrinth_create() (0: must succeed, unless the name exists).
 */
static int
read_conf(struct fz_in *in, struct labyrinth_conf *c, char *name,
		size_t name_len, const struct fz_lab *L, bool *null_conf)
{
	uint8_t kind = in_u8(in) % 16, b1 = in_u8(in);
	uint16_t np = in_u16(in), rs = in_u16(in), cs = in_u16(in);
	uint8_t fl = in_u8(in);
	uint32_t ps = UINT32_C(64) << (b1 % 9), max_pages;

	*null_conf = false;
	memset(c, 0, sizeof(*c));
	snprintf(name, name_len, "%s", L->name);
	c->name = name;
	c->page_size = (b1 & 0x80) ? 0 : ps; /* 0: the default, 4096 */
	if (c->page_size == 0)
		ps = LABYRINTH_PAGE_SIZE_DEFAULT;
	max_pages = RTE_MIN(FZ_MAX_PAGES, FZ_MAX_BYTES / ps);
	c->nb_pages = 1 + np % max_pages;
	c->reserve = (rs & 1) ? (rs >> 1) % RTE_MIN(c->nb_pages, 16u) :
		(rs >> 1) % c->nb_pages;
	c->cache_size = (cs & 1) ? (cs >> 1) % 9 :
		(cs >> 1) % (LABYRINTH_CACHE_MAX + 1);
	c->flags = ((fl & 1) ? LABYRINTH_F_DEBUG : 0) |
		((fl & 8) ? LABYRINTH_F_STRICT : 0);
	c->socket_id = (fl & 2) ? SOCKET_ID_ANY : 0;
	if (kind < 8)
		return 0;
	switch (kind) {
	case 8:
		c->page_size = ps + ps / 2; /* not a power of two */
		return EINVAL;
	case 9:
		c->page_size = (fl & 4) ? LABYRINTH_PAGE_SIZE_MIN / 2 :
			LABYRINTH_PAGE_SIZE_MAX * 2;
		return EINVAL;
	case 10:
		c->nb_pages = (fl & 4) ? 0 : (UINT32_C(1) << 31) + 1;
		return EINVAL;
	case 11:
		c->reserve = c->nb_pages + (fl >> 4);
		return EINVAL;
	case 12:
		c->cache_size = LABYRINTH_CACHE_MAX + 1 + (cs >> 8);
		return EINVAL;
	case 13:
		/* a bit above LABYRINTH_F_MASK (bits 0 and 1) */
		RTE_BUILD_BUG_ON(LABYRINTH_F_MASK != 3);
		c->flags |= (UINT32_C(1) << (2 + fl % 30));
		return EINVAL;
	case 14:
		switch (fl % 5) {
		case 0:
			name[0] = '\0';
			return EINVAL;
		case 1:
			snprintf(name, name_len, "fz.%u", fl);
			return EINVAL;
		case 2:
			c->name = NULL;
			return EINVAL;
		case 3:
			*null_conf = true;
			return EINVAL;
		default:
			memset(name, 'n', name_len - 1);
			name[name_len - 1] = '\0';
			return ENAMETOOLONG;
		}
	default:
		if (fl & 4) {
			c->socket_id = 7 + fl % 64; /* no such socket here */
			return EINVAL;
		}
		/* valid, but far more memory than EAL has (-m 256) */
		c->nb_pages = UINT32_C(1) << 31;
		c->page_size = LABYRINTH_PAGE_SIZE_MAX;
		return ENOMEM;
	}
}

static void
op_create(struct fz_in *in, struct fz_lab *L)
{
	struct labyrinth_conf c;
	char name[64];
	bool null_conf;
	struct labyrinth *lab;
	unsigned int mz_before = memzone_count();
	int want = read_conf(in, &c, name, sizeof(name), L, &null_conf);

	if ((want == 0 || want == ENOMEM) && L->lab != NULL)
		want = EEXIST;
	rte_errno = 0;
	lab = labyrinth_create(null_conf ? NULL : &c);
	if (want != 0) {
		fz_bad[FZ_CREATE]++;
		FZ_CHECK(lab == NULL && rte_errno == want, "%s: create: want "
			"errno %d, got %p errno %d (page_size %u nb_pages %u "
			"reserve %u cache %u flags %#x socket %d)", L->name,
			want, (void *)lab, rte_errno, c.page_size, c.nb_pages,
			c.reserve, c.cache_size, c.flags, c.socket_id);
		FZ_CHECK(memzone_count() == mz_before, "%s: failed create "
			"left %u memzone(s) behind", L->name,
			memzone_count() - mz_before);
		if (L->lab != NULL)
			FZ_CHECK(labyrinth_lookup(L->name) == L->lab,
				"%s: lookup after a refused create", L->name);
		return;
	}
	FZ_CHECK(lab != NULL, "%s: valid create failed: %s (page_size %u "
		"nb_pages %u reserve %u cache %u flags %#x)", L->name,
		rte_strerror(rte_errno), c.page_size, c.nb_pages, c.reserve,
		c.cache_size, c.flags);
	L->lab = lab;
	L->page_size = c.page_size == 0 ? LABYRINTH_PAGE_SIZE_DEFAULT :
		c.page_size;
	L->nb_pages = c.nb_pages;
	L->reserve = c.reserve;
	L->low = c.reserve + (c.nb_pages - c.reserve) / 8;
	L->cache_size = c.cache_size;
	L->flags = c.flags;
	FZ_CHECK(labyrinth_lookup(L->name) == lab, "%s: lookup", L->name);
	FZ_CHECK(labyrinth_page_size(lab) == L->page_size &&
		strcmp(labyrinth_name(lab), L->name) == 0, "%s", L->name);
	model_learn(L);
}

static void
op_destroy(struct fz_lab *L)
{
	unsigned int free_before;
	int ret;

	if (L->lab == NULL)
		return;
	free_before = labyrinth_free_count(L->lab);
	ret = labyrinth_destroy(L->lab);
	if (L->nb_held > 0) {
		FZ_CHECK(ret == -EBUSY, "%s: destroy with %u held blocks "
			"returned %d", L->name, L->nb_held, ret);
		FZ_CHECK(labyrinth_free_count(L->lab) == free_before &&
			labyrinth_lookup(L->name) == L->lab, "%s: refused "
			"destroy changed something", L->name);
		return;
	}
	FZ_CHECK(ret == 0, "%s: destroy of an idle labyrinth returned %d",
		L->name, ret);
	rte_errno = 0;
	FZ_CHECK(labyrinth_lookup(L->name) == NULL && rte_errno == ENOENT,
		"%s: lookup after destroy", L->name);
	{
		char name[sizeof(L->name)];

		memcpy(name, L->name, sizeof(name));
		model_reset(L);
		memcpy(L->name, name, sizeof(name));
	}
}

static unsigned int
read_gfp(struct fz_in *in, bool *bad)
{
	uint8_t g = in_u8(in);
	unsigned int gfp = g & LABYRINTH_GFP_MASK;

	*bad = (g & 0x80) != 0 && (g & 0x40) != 0;
	if (*bad)
		gfp |= UINT32_C(1) << (3 + g % 29);
	return gfp;
}

/*
 * Whether a grab by who must find every free page: the main lcore gives its
 * own cache back when it runs short; another thread cannot reach the main
 * lcore's cached pages or tokens unless the main lcore is drained (the
 * worker's cache is always empty between steps, see fz_call_run()).
 */
static bool
sees_all_free(const struct fz_lab *L, enum fz_who who)
{
	return who == FZ_MAIN || L->drained;
}

/*
 * One grab of 2^order pages (labyrinth_alloc_page() when via_page), on who.
 * Grabs of other threads leave the main lcore's cache as it was (drained).
 */
static void
op_grab(struct fz_in *in, struct fz_lab *L, bool via_page, enum fz_who who)
{
	bool bad;
	unsigned int gfp = read_gfp(in, &bad);
	unsigned int order = via_page ? 0 : in_u8(in) % 12;
	uint64_t n = UINT64_C(1) << (order > 20 ? 20 : order);
	uint64_t free_before = labyrinth_free_count(L->lab);
	bool atomic = gfp & LABYRINTH_GFP_ATOMIC;
	bool was_drained = L->drained, sees_all = sees_all_free(L, who);
	struct fz_call c = {
		.kind = via_page ? CALL_ALLOC_PAGE : CALL_ALLOC_PAGES,
		.lab = L->lab, .gfp = gfp, .order = order,
	};
	int owner = fz_call(&c, who);
	void *p = c.ret_p;

	if (bad || order > LABYRINTH_MAX_ORDER) {
		fz_bad[via_page ? FZ_ALLOC_PAGE : FZ_ALLOC_PAGES]++;
		FZ_CHECK(p == NULL && c.err == EINVAL, "%s: grab gfp %#x "
			"order %u on the %s: want EINVAL, got %p errno %d",
			L->name, gfp, order, fz_who_name(who), p, c.err);
		return;
	}
	if (p == NULL) {
		FZ_CHECK(c.err == ENOMEM, "%s: failed grab on the %s set "
			"errno %d", L->name, fz_who_name(who), c.err);
		/* A failed grab may still have refilled the main lcore's
		 * cache (free pages all the same): not drained any more. */
		if (who == FZ_MAIN)
			L->drained = false;
		if (!sees_all)
			return;
		/* No spurious failure of single pages. */
		if (order == 0)
			FZ_CHECK(atomic ? free_before == 0 :
				free_before <= L->reserve, "%s: %s grab "
				"failed with %" PRIu64 " free, reserve %u",
				L->name, atomic ? "ATOMIC" : "NORMAL",
				free_before, L->reserve);
		/* With nothing held and no cached or token pages in the way,
		 * any block that fits must be found. */
		else if (L->nb_held == 0 && (was_drained ||
				(who == FZ_MAIN && L->cache_size > 0)))
			FZ_CHECK(n > L->nb_pages ||
				(!atomic && L->nb_pages - n < L->reserve),
				"%s: %s order-%u grab failed on an idle "
				"labyrinth of %u pages, reserve %u", L->name,
				atomic ? "ATOMIC" : "NORMAL", order,
				L->nb_pages, L->reserve);
		return;
	}
	FZ_CHECK(free_before >= n, "%s: grabbed %" PRIu64 " pages with %"
		PRIu64 " free", L->name, n, free_before);
	/* GFP_NORMAL fails rather than take a zone below its min
	 * watermark (labyrinth.h). */
	FZ_CHECK(atomic || ignore_reserve || free_before - n >= L->reserve,
		"%s: NORMAL order-%u grab took the zone from %" PRIu64 " free to below "
		"its min watermark %u", L->name, order, free_before,
		L->reserve);
	model_grab(L, p, order, gfp, owner);
	if (who != FZ_MAIN)
		L->drained = was_drained;
}

static void
op_grab_bulk(struct fz_in *in, struct fz_lab *L, enum fz_who who)
{
	void *pages[FZ_BULK_MAX];
	bool bad;
	unsigned int gfp = read_gfp(in, &bad);
	unsigned int n = in_u8(in), got, i;
	uint64_t free_before = labyrinth_free_count(L->lab);
	bool atomic = gfp & LABYRINTH_GFP_ATOMIC;
	bool null_array = n == 255 && (gfp & LABYRINTH_GFP_ZERO);
	bool was_drained = L->drained;
	struct fz_call c = {
		.kind = CALL_ALLOC_BULK, .lab = L->lab, .gfp = gfp,
		.v = null_array ? NULL : pages, .n = n,
	};
	int owner = fz_call(&c, who);

	got = c.ret_u;
	if (bad || null_array) {
		fz_bad[FZ_ALLOC_BULK]++;
		FZ_CHECK(got == 0 && c.err == EINVAL, "%s: bad bulk grab on "
			"the %s: got %u errno %d", L->name, fz_who_name(who),
			got, c.err);
		return;
	}
	if (n == 0) {
		FZ_CHECK(got == 0, "%s: bulk of 0 returned %u", L->name, got);
		return;
	}
	if (got == 0) {
		FZ_CHECK(c.err == ENOMEM, "%s: failed bulk on the %s set "
			"errno %d", L->name, fz_who_name(who), c.err);
		/* It took nothing, but it may have refilled the main lcore's
		 * cache on the way (free pages all the same). */
		if (who == FZ_MAIN)
			L->drained = false;
		FZ_CHECK(labyrinth_free_count(L->lab) == free_before,
			"%s: failed bulk of %u changed the free count from %"
			PRIu64 " to %u", L->name, n, free_before,
			labyrinth_free_count(L->lab));
		FZ_CHECK(!sees_all_free(L, who) || (atomic ? free_before < n :
			free_before < (uint64_t)n + L->reserve), "%s: %s bulk "
			"of %u on the %s failed with %" PRIu64 " free, "
			"reserve %u", L->name, atomic ? "ATOMIC" : "NORMAL", n,
			fz_who_name(who), free_before, L->reserve);
		return;
	}
	FZ_CHECK(got == n, "%s: bulk of %u returned %u", L->name, n, got);
	FZ_CHECK(atomic || ignore_reserve || free_before - n >= L->reserve,
		"%s: NORMAL bulk "
		"of %u took the zone from %" PRIu64 " free to below its min "
		"watermark %u", L->name, n, free_before, L->reserve);
	for (i = 0; i < n; i++)
		model_grab(L, pages[i], 0, gfp, owner);
	if (who != FZ_MAIN)
		L->drained = was_drained;
}

/*
 * A pointer to free, from the input: a held block, any page, an interior
 * or misaligned pointer, a page of the other labyrinth, or a foreign
 * pointer (stack, heap, rte_malloc, NULL, just outside the pages, any
 * address).
 */
static void *
pick_ptr(struct fz_in *in, const struct fz_lab *L, const struct fz_lab *O,
		void *stack, unsigned int *order)
{
	static char probe;
	uint8_t kind = in_u8(in);
	uint16_t sel = in_u16(in);

	*order = 0;
	switch (kind % 12) {
	case 0: case 1: case 2: case 3: /* a held block, its own order */
		if (L->nb_held == 0)
			return L->pages[sel % L->nb_pages];
		*order = L->held[sel % L->nb_held].order;
		return L->held[sel % L->nb_held].p;
	case 4: /* any page, any order (free: double free; tail; head) */
		*order = (kind >> 4) % 12;
		return L->pages[sel % L->nb_pages];
	case 5: /* interior or misaligned */
		return L->pages[sel % L->nb_pages] + 1 +
			in_u16(in) % (L->page_size - 1);
	case 6: /* the other labyrinth's page */
		if (O->lab != NULL)
			return O->pages[sel % O->nb_pages];
		return &probe;
	case 7: /* just outside the pages */
		return (kind & 0x10) ? L->pages[0] - L->page_size :
			L->pages[L->nb_pages - 1] + L->page_size;
	case 8:
		return NULL;
	case 9:
		return (kind & 0x10) ? stack : rte_buf;
	case 10:
		return (void *)(uintptr_t)in_u64(in);
	default:
		return (void *)L->held; /* libc heap */
	}
}

/* One free through labyrinth_free_page(), _pages() or _bulk(). */
static void
op_free(struct fz_in *in, struct fz_lab *L, const struct fz_lab *O,
		enum fz_who who)
{
	char on_stack[64];
	uint8_t how = in_u8(in);
	unsigned int order, api = how % 3;
	void *p = pick_ptr(in, L, O, on_stack, &order);
	unsigned int free_before = labyrinth_free_count(L->lab);
	bool was_drained = L->drained;
	struct fz_call c = { .lab = L->lab, .p = p, .v = &p, .n = 1 };
	int want, ret;
	int64_t h;

	if (how & 0x80)
		order = (how >> 2) % 12; /* any order, right or wrong */
	if (api != 1)
		order = 0; /* _page and _bulk free single pages */
	want = expect_free(L, p, order);
	h = want == 0 ? held_find(L, p) : -1;
	if (want == 0) {
		FZ_CHECK(h >= 0, "%s: model lost block %p", L->name, p);
		check_stamp(L, &L->held[h]);
	}
	c.kind = api == 0 ? CALL_FREE_PAGE : api == 1 ? CALL_FREE_PAGES :
		CALL_FREE_BULK;
	c.order = order;
	fz_call(&c, who);
	ret = c.ret;
	if (api == 2) {
		ret = c.ret_u == 1 ? 0 : -1;
		if (want != 0)
			want = -1;
	}
	FZ_CHECK(ret == want, "%s: free(%p, order %u) via api %u on the %s "
		"returned %d, want %d", L->name, p, order, api,
		fz_who_name(who), ret, want);
	if (want == 0) {
		model_free(L, (uint32_t)h);
		if (who != FZ_MAIN)
			L->drained = was_drained;
		return;
	}
	L->bad_frees++;
	fz_bad[api == 0 ? FZ_FREE_PAGE : api == 1 ? FZ_FREE_PAGES :
		FZ_FREE_BULK]++;
	FZ_CHECK(labyrinth_free_count(L->lab) == free_before, "%s: rejected "
		"free of %p changed the free count", L->name, p);
}

/* labyrinth_free_bulk() of up to 64 pointers: held pages, mixed with bad
 * ones and duplicates. */
static void
op_free_bulk(struct fz_in *in, struct fz_lab *L, const struct fz_lab *O,
		enum fz_who who)
{
	char on_stack[64];
	void *v[64];
	unsigned int n = in_u8(in) % 65, i, ok = 0, bad = 0, got, order;
	bool was_drained = L->drained;
	struct fz_call c = { .kind = CALL_FREE_BULK, .lab = L->lab };

	for (i = 0; i < n; i++) {
		uint8_t k = in_u8(in);

		if (k < 160 && L->nb_held > 0)
			v[i] = L->held[k % L->nb_held].p; /* maybe a block head */
		else
			v[i] = pick_ptr(in, L, O, on_stack, &order);
	}
	/* Predict sequentially: an entry may repeat an earlier one. */
	for (i = 0; i < n; i++) {
		int64_t h;

		if (expect_free(L, v[i], 0) != 0) {
			bad++;
			continue;
		}
		h = held_find(L, v[i]);
		FZ_CHECK(h >= 0, "%s: model lost block %p", L->name, v[i]);
		check_stamp(L, &L->held[h]);
		model_free(L, (uint32_t)h);
		ok++;
	}
	c.v = n > 0 ? v : NULL;
	c.n = n;
	fz_call(&c, who);
	got = c.ret_u;
	FZ_CHECK(got == ok, "%s: free_bulk of %u on the %s freed %u, want %u "
		"(%u bad)", L->name, n, fz_who_name(who), got, ok, bad);
	if (who != FZ_MAIN)
		L->drained = was_drained;
	if (n > 0) {
		L->bad_frees += bad;
		fz_bad[FZ_FREE_BULK] += bad;
	}
}

/* The counters a refused or empty reclaim must leave as they were. */
struct fz_snap {
	struct labyrinth_stats st;
	unsigned int free_pages;
	int held;
};

static void
snap_take(const struct fz_lab *L, struct fz_snap *s)
{
	memset(s, 0, sizeof(*s));
	FZ_CHECK(labyrinth_stats_get(L->lab, &s->st) == 0, "%s", L->name);
	s->free_pages = labyrinth_free_count(L->lab);
	s->held = labyrinth_held_walk(L->lab, 0, NULL, NULL);
}

static void
snap_same(const struct fz_lab *L, const struct fz_snap *a,
		const struct fz_snap *b, const char *what)
{
	FZ_CHECK(a->free_pages == b->free_pages && a->held == b->held &&
		a->st.free == b->st.free &&
		a->st.zone[0].cached == b->st.zone[0].cached &&
		a->st.alloc_ok == b->st.alloc_ok &&
		a->st.alloc_fail == b->st.alloc_fail &&
		a->st.frees == b->st.frees &&
		a->st.bad_frees == b->st.bad_frees &&
		a->st.cache_refills == b->st.cache_refills &&
		a->st.cache_flushes == b->st.cache_flushes,
		"%s: %s changed the labyrinth: free %u -> %u, held blocks %d "
		"-> %d, cached %" PRIu64 " -> %" PRIu64 ", grabs %" PRIu64
		" -> %" PRIu64 ", frees %" PRIu64 " -> %" PRIu64, L->name, what,
		a->free_pages, b->free_pages, a->held, b->held,
		a->st.zone[0].cached, b->st.zone[0].cached, a->st.alloc_ok,
		b->st.alloc_ok, a->st.frees, b->st.frees);
}

/*
 * labyrinth_reclaim_lcore() of an lcore id, from who. In one process it
 * can never give anything back: every page is held by the main lcore, the
 * worker lcore (both enabled: -EBUSY) or a non-EAL thread (owner
 * LABYRINTH_OWNER_NON_EAL == RTE_MAX_LCORE: -EINVAL), and any other valid
 * id holds nothing (0 pages). Each answer must leave everything as it was:
 * the held blocks of every owner, the main lcore's cache, the counters.
 */
static void
op_reclaim(struct fz_in *in, struct fz_lab *L, enum fz_who who)
{
	uint8_t kind = in_u8(in);
	uint32_t v = in_u32(in);
	struct fz_call c = { .kind = CALL_RECLAIM, .lab = L->lab };
	struct fz_snap before, after;
	int64_t want;

	switch (kind % 8) {
	case 0:
		c.lcore = rte_get_main_lcore();
		break;
	case 1:
		c.lcore = fz_worker < RTE_MAX_LCORE ? fz_worker :
			rte_get_main_lcore();
		break;
	case 2:
		c.lcore = LABYRINTH_OWNER_NON_EAL;
		break;
	case 3:
		c.lcore = RTE_MAX_LCORE + v % 4096; /* just past the ids */
		break;
	case 4:
		c.lcore = v; /* any 32-bit value */
		break;
	case 5:
		c.lab = NULL;
		c.lcore = v % RTE_MAX_LCORE;
		break;
	default:
		c.lcore = v % RTE_MAX_LCORE; /* mostly not enabled */
		break;
	}
	if (c.lab == NULL || c.lcore >= RTE_MAX_LCORE)
		want = -EINVAL;
	else if (rte_lcore_is_enabled(c.lcore))
		want = -EBUSY;
	else
		want = 0;
	snap_take(L, &before);
	fz_call(&c, who);
	snap_take(L, &after);
	FZ_CHECK(c.ret64 == want, "%s: reclaim of lcore %u on the %s%s "
		"returned %" PRId64 ", want %" PRId64, L->name, c.lcore,
		fz_who_name(who), c.lab == NULL ? " (NULL labyrinth)" : "",
		c.ret64, want);
	snap_same(L, &before, &after, "a reclaim that returned nothing");
	if (want != 0)
		fz_bad[FZ_RECLAIM]++;
	else
		fz_reclaim_idle++;
}

/* Read-only queries on one page or pointer. */
static void
op_query(struct fz_in *in, struct fz_lab *L, const struct fz_lab *O)
{
	char on_stack[64];
	unsigned int order;
	void *p = pick_ptr(in, L, O, on_stack, &order);
	int64_t j = page_index(L, p), c = page_containing(L, p);
	int owner = labyrinth_page_owner(L->lab, p);
	int sock = labyrinth_page_socket(L->lab, p);
	rte_iova_t iova = labyrinth_page_iova(L->lab, p);

	if (j < 0) {
		fz_bad[FZ_PAGE_OWNER]++;
		FZ_CHECK(owner == -EINVAL, "%s: owner of non-page %p: %d",
			L->name, p, owner);
	} else if (L->state[j] == PG_FREE)
		FZ_CHECK(owner == -ENOENT, "%s: owner of free page %p: %d",
			L->name, p, owner);
	else
		FZ_CHECK(owner == L->owner[j], "%s: owner of held page %p: "
			"%d, want %d", L->name, p, owner, L->owner[j]);
	if (c < 0) {
		fz_bad[FZ_PAGE_SOCKET_IOVA]++;
		FZ_CHECK(sock == -EINVAL && iova == RTE_BAD_IOVA, "%s: socket "
			"%d iova %#" PRIx64 " of foreign %p", L->name, sock,
			(uint64_t)iova, p);
	} else
		FZ_CHECK(sock == (int)rte_socket_id() || sock == 0,
			"%s: socket %d of %p", L->name, sock, p);
}

/* Calls with a NULL labyrinth: each fails as documented, touching none. */
static void
op_null(void)
{
	void *v[1] = { NULL };
	struct labyrinth_stats st;

	rte_errno = 0;
	fz_bad[FZ_NULL_HANDLE]++;
	FZ_CHECK(labyrinth_alloc_page(NULL, 0) == NULL && rte_errno == EINVAL,
		"alloc_page(NULL)");
	rte_errno = 0;
	FZ_CHECK(labyrinth_alloc_pages(NULL, 0, 1) == NULL &&
		rte_errno == EINVAL, "alloc_pages(NULL)");
	rte_errno = 0;
	FZ_CHECK(labyrinth_alloc_bulk(NULL, 0, v, 1) == 0 &&
		rte_errno == EINVAL, "alloc_bulk(NULL)");
	FZ_CHECK(labyrinth_free_page(NULL, v) == -EINVAL, "free_page(NULL)");
	FZ_CHECK(labyrinth_free_pages(NULL, v, 0) == -EINVAL,
		"free_pages(NULL)");
	FZ_CHECK(labyrinth_free_bulk(NULL, v, 1) == 0, "free_bulk(NULL)");
	FZ_CHECK(labyrinth_destroy(NULL) == -EINVAL, "destroy(NULL)");
	FZ_CHECK(labyrinth_audit(NULL) == -EINVAL, "audit(NULL)");
	FZ_CHECK(labyrinth_stats_get(NULL, &st) == -EINVAL, "stats(NULL)");
	FZ_CHECK(labyrinth_free_count(NULL) == 0, "free_count(NULL)");
	FZ_CHECK(labyrinth_held_walk(NULL, 0, NULL, NULL) == -EINVAL,
		"held_walk(NULL)");
	labyrinth_cache_flush(NULL);
	rte_errno = 0;
	FZ_CHECK(labyrinth_lookup(NULL) == NULL && rte_errno == EINVAL,
		"lookup(NULL)");
}

static void
op_flush(struct fz_lab *L)
{
	unsigned int free_before = labyrinth_free_count(L->lab);
	struct labyrinth_stats st;

	labyrinth_cache_flush(L->lab);
	FZ_CHECK(labyrinth_free_count(L->lab) == free_before, "%s: flush "
		"changed the free count", L->name);
	FZ_CHECK(labyrinth_stats_get(L->lab, &st) == 0 &&
		st.zone[0].cached == 0, "%s: %" PRIu64 " pages cached after "
		"a flush", L->name, st.zone[0].cached);
	L->drained = true;
}

static void
fuzz_op(struct fz_in *in)
{
	uint8_t op = in_u8(in);
	struct fz_lab *L = &models[(op >> 4) & 1], *O = &models[!((op >> 4) & 1)];
	/* bits 6-7: who makes grabs, frees and reclaims (fz_who_of()) */
	enum fz_who who = fz_who_of(op >> 6);

	if (trace && L->lab != NULL) {
		struct labyrinth_stats st;

		labyrinth_stats_get(L->lab, &st);
		fprintf(stderr, "fuzz_api: op %#04x (%u) on %s by the %s: free "
			"%u, cached %" PRIu64 ", held blocks %u, drained %d\n",
			op, op % 16, L->name, fz_who_name(who),
			labyrinth_free_count(L->lab), st.zone[0].cached,
			L->nb_held, L->drained);
	}

	if (L->lab == NULL && op % 16 != 9) {
		/* only create, or the calls that take no labyrinth */
		if (op % 16 == 12)
			op_null();
		return;
	}
	switch (op % 16) {
	case 0: case 1:
		op_grab(in, L, true, who);
		break;
	case 2:
		op_grab(in, L, false, who);
		break;
	case 3:
		op_grab_bulk(in, L, who);
		break;
	case 4: case 5: case 6:
		op_free(in, L, O, who);
		break;
	case 7:
		op_free_bulk(in, L, O, who);
		break;
	case 8:
		op_flush(L);
		break;
	case 9:
		op_create(in, L);
		break;
	case 10:
		op_destroy(L);
		break;
	case 11:
		op_query(in, L, O);
		break;
	case 12:
		op_null();
		break;
	case 14:
		op_reclaim(in, L, who);
		break;
	default: /* the lookup and a free of everything held */
		FZ_CHECK(labyrinth_lookup(L->name) == L->lab, "%s", L->name);
		if (op & 0x80)
			while (L->nb_held > 0) {
				struct fz_block *b = &L->held[L->nb_held - 1];

				check_stamp(L, b);
				FZ_CHECK(labyrinth_free_pages(L->lab, b->p,
					b->order) == 0, "%s: free %p", L->name,
					b->p);
				model_free(L, L->nb_held - 1);
			}
		break;
	}
	check_all();
}

/* End of an input: free everything, destroy everything, leak nothing. */
static void
teardown(void)
{
	unsigned int i;

	for (i = 0; i < FZ_LABS; i++) {
		struct fz_lab *L = &models[i];

		if (L->lab == NULL)
			continue;
		while (L->nb_held > 0) {
			struct fz_block *b = &L->held[L->nb_held - 1];

			check_stamp(L, b);
			FZ_CHECK(labyrinth_free_pages(L->lab, b->p, b->order) == 0,
				"%s: final free of %p order %u", L->name, b->p,
				b->order);
			model_free(L, L->nb_held - 1);
		}
		check_model(L);
		FZ_CHECK(labyrinth_destroy(L->lab) == 0, "%s: final destroy",
			L->name);
		model_reset(L);
	}
	FZ_CHECK(memzone_count() == base_memzones, "%u memzone(s) leaked",
		memzone_count() - base_memzones);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char * const extra[] = {
		"--log-level=lib.labyrinth:critical", "--log-level=lib.eal:error",
		NULL,
	};

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fz_eal_init("fuzz_api", extra);
	rte_buf = rte_malloc("fuzz_api", 4096, 4096);
	if (rte_buf == NULL) {
		fprintf(stderr, "fuzz_api: rte_malloc failed\n");
		exit(1);
	}
	base_memzones = memzone_count();
	trace = getenv("FUZZ_TRACE") != NULL &&
		strcmp(getenv("FUZZ_TRACE"), "0") != 0;
	ignore_reserve = getenv("FUZZ_IGNORE_RESERVE") != NULL &&
		strcmp(getenv("FUZZ_IGNORE_RESERVE"), "0") != 0;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .n = size };
	/* 64 pages of 4096 bytes, no reserve, cache of 8 */
	static const uint8_t default_conf[] = { 0, 6, 63, 0, 0, 0, 17, 0, 0 };
	int ops = 0;

	snprintf(models[0].name, sizeof(models[0].name), "fz0");
	snprintf(models[1].name, sizeof(models[1].name), "fz1");
	/* Labyrinth 0 exists from the start, so that every input grabs; a
	 * broken first configuration is checked, then a default one used. */
	op_create(&in, &models[0]);
	if (models[0].lab == NULL) {
		struct fz_in dflt = { .p = default_conf,
			.n = sizeof(default_conf) };

		op_create(&dflt, &models[0]);
	}
	check_all();
	while (in.n > 0 && ops++ < FZ_MAX_OPS)
		fuzz_op(&in);
	teardown();
	return 0;
}
