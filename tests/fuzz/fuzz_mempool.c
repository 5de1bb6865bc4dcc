/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * libFuzzer harness of the labyrinth mempool driver
 * (lib/mempool_labyrinth/mempool_labyrinth*.c, compiled in: its
 * RTE_MEMPOOL_REGISTER_OPS constructors register "labyrinth" and
 * "labyrinth_strict"). Each input is a sequence of calls against up to two
 * rte_mempools served by the driver, checked against a model after every
 * step.
 *
 * Input format (missing bytes read as 0):
 *   8 bytes   configuration of pool 0 (see read_conf())
 *   then      operations: one opcode byte, then its arguments (see fuzz_op())
 *
 * A pool is created with rte_mempool_create_empty(), either ops name, 1 ..
 * 4096 objects of 0 .. 2048 bytes, a cache of 0 or a few objects, some
 * mempool flags, and populated from memzones (populate_default), an
 * anonymous mapping (populate_anon) or many small pieces of rte_malloc or
 * libc memory, in increasing or decreasing address order and with gaps
 * (populate_iova), so that the driver's chunk and page tables see every
 * layout. The model learns every object (rte_mempool_obj_iter(), then a
 * dequeue of all of them that must return exactly that set, one more that
 * must fail, and an enqueue of all of them that must be accepted) and keeps
 * the state of each one: free in the driver, in the main lcore's mempool
 * cache, or held by the harness.
 *
 * The driver's ops are called directly (rte_mempool_ops_enqueue_bulk(),
 * rte_mempool_ops_dequeue_bulk()), from the main lcore, the worker lcore or
 * a non-EAL thread, with batches (up to 384 entries, across the driver's
 * 128-object batches) that mix held objects with bad entries: objects that
 * are free already (a duplicate across calls), an entry repeated within the
 * call, interior pointers (obj + k, obj - k), NULL, the other pool's
 * objects, stack, heap, rte_malloc and mempool-header memory, just outside
 * the objects, and arbitrary addresses. The model, from the driver's
 * contract (mp_enqueue()):
 *   - every held object of a batch is accepted, whatever else it holds;
 *   - an entry that is not exactly an object start of this pool is
 *     rejected and counted as foreign; an object that is free (before the
 *     call or by an earlier entry of it) is rejected and counted as a
 *     double; the call returns -EINVAL if any entry was foreign, else
 *     -EALREADY if any was a double, else 0;
 *   - a dequeue of n is all or nothing: n free objects (each free in the
 *     model, now held), or -ENOBUFS with nothing changed;
 *   - the driver's get_count (what rte_mempool_ops_get_count() calls;
 *     DPDK 22.11 does not export that one) == the objects free in the
 *     driver;
 *     rte_mempool_avail_count() adds the cache;
 *   - the driver's counters: rejected returns and foreign ones exactly as
 *     the model counts them, refused dequeues likewise, returns - claims ==
 *     free objects;
 *   - the other mode's ops on a pool refuse every call (-EINVAL, count 0)
 *     and change nothing.
 * rte_mempool_generic_get()/_put() through the mempool cache (held objects
 * only: the cache does not check them) interleave the driver calls that the
 * mempool library makes itself; the cache's contents are read back after
 * each and must be objects that were free.
 *
 * At the end of each input every held object is returned, the count must be
 * the pool size, and every pool is freed; memzones and rte_malloc bytes must
 * be back to what they were. One call runs at a time: racing returns (which
 * both modes arbitrate through the map bit's atomic OR) are out of a
 * sequential fuzzer's sight, and the model is the same for both modes (its
 * state[] is the model's own, not the driver's: the driver keeps no
 * per-object state but the map bit and the hold record). Build and run with scripts/fuzz.sh;
 * see docs/hardening.md.
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
#include <rte_mempool.h>
#include <rte_memzone.h>

#include "labyrinth.h"
#include "labyrinth_mempool.h"
#include "mempool_labyrinth_priv.h"

#define FZ_NAME "fuzz_mempool"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_POOLS 2              /* mempools per input */
#define FZ_MAX_OBJS 4096u       /* objects per pool */
#define FZ_MAX_ELT 2048u        /* largest element */
#define FZ_MAX_CACHE 32u        /* largest mempool cache */
#define FZ_ENQ_MAX 384u         /* largest enqueue batch */
#define FZ_DEQ_MAX (FZ_MAX_OBJS + 64u) /* largest dequeue */
#define FZ_MAX_OPS 2048         /* operations per input */

enum fz_ostate { OB_DRIVER = 0, OB_CACHE, OB_APP, OB_MARK };

/* Model of one pool. */
struct fz_pool {
	struct rte_mempool *mp;      /* NULL: slot empty */
	char name[16];
	bool strict;
	uint32_t size;
	uint32_t elt_size;
	uint32_t stride;             /* header + element + trailer */
	uint32_t header_size;
	uint32_t cache_size;
	unsigned int populate;       /* how it was populated (read_conf()) */
	void **objs;                 /* every object, sorted by address */
	uint8_t *state;              /* enum fz_ostate, by object index */
	uint32_t *app;               /* held object indices, unordered */
	uint32_t *app_pos;           /* index -> position in app[] */
	uint32_t nb_app;
	uint32_t nb_driver;          /* free in the driver */
	void *cache_copy[RTE_MEMPOOL_CACHE_MAX_SIZE * 2];
	uint32_t cache_len;          /* the main lcore's cache, as last seen */
	/* the driver's counters, as the model expects them */
	uint64_t rejects;
	uint64_t foreign;
	uint64_t fails;
};

static struct fz_pool pools[FZ_POOLS];
static unsigned int base_memzones;
static size_t base_heap_bytes;
static void *rte_buf; /* rte_malloc'd memory: a foreign pointer */
static void *heap_buf; /* libc heap: a foreign pointer */
static int ops_index_default = -1, ops_index_strict = -1;

/* Bad inputs tried and answered as documented, per driver call. */
enum fz_bad_kind {
	BAD_ENQ_NULL, BAD_ENQ_INTERIOR, BAD_ENQ_OTHER_POOL, BAD_ENQ_FOREIGN,
	BAD_ENQ_DUP_CALL, BAD_ENQ_DUP_FREE, BAD_DEQ_NOBUFS, BAD_WRONG_OPS,
	FZ_NB_BAD
};
static const char * const fz_bad_name[FZ_NB_BAD] = {
	"enqueue: NULL",
	"enqueue: interior pointer",
	"enqueue: other pool's object",
	"enqueue: foreign pointer",
	"enqueue: repeated within a call",
	"enqueue: already free",
	"dequeue: more than free (-ENOBUFS)",
	"other mode's ops on the pool",
};
static uint64_t fz_bad[FZ_NB_BAD];
static uint64_t fz_enq_calls, fz_enq_ok, fz_deq_calls, fz_cache_calls;
static uint64_t fz_calls_worker, fz_calls_pthread, fz_pools_made[4];

static void __attribute__((destructor))
fz_print_bad(void)
{
	unsigned int i;

	fprintf(stderr, "fuzz_mempool: bad inputs tried and rejected as documented, per driver op:\n");
	for (i = 0; i < FZ_NB_BAD; i++)
		fprintf(stderr, "fuzz_mempool:   %-36s %" PRIu64 "\n",
			fz_bad_name[i], fz_bad[i]);
	fprintf(stderr, "fuzz_mempool: %" PRIu64 " enqueue calls (%" PRIu64
		" objects accepted), %" PRIu64 " dequeue calls, %" PRIu64
		" cache get/put/flush; calls on the worker lcore: %" PRIu64
		", on non-EAL threads: %" PRIu64 "; pools populated from "
		"memzones %" PRIu64 ", anonymous memory %" PRIu64 ", rte_malloc "
		"pieces %" PRIu64 ", libc pieces %" PRIu64 "\n", fz_enq_calls,
		fz_enq_ok, fz_deq_calls, fz_cache_calls, fz_calls_worker,
		fz_calls_pthread, fz_pools_made[0], fz_pools_made[1],
		fz_pools_made[2], fz_pools_made[3]);
}

static size_t
heap_bytes(void)
{
	struct rte_malloc_socket_stats s;
	size_t total = 0;
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
				&s) == 0)
			total += s.heap_allocsz_bytes;
	return total;
}

/*
 * rte_mempool_ops_get_count() is internal to DPDK (not exported by
 * librte_mempool 22.11): the same call through the ops table.
 */
static unsigned int
fz_get_count(const struct rte_mempool *mp)
{
	return rte_mempool_get_ops(mp->ops_index)->get_count(mp);
}

/* Object index of p in P, or -1 if p is not the start of one. */
static int64_t
obj_index(const struct fz_pool *P, const void *p)
{
	uint32_t lo = 0, hi = P->size;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (P->objs[mid] == p)
			return mid;
		if ((uintptr_t)P->objs[mid] < (uintptr_t)p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void
app_add(struct fz_pool *P, uint32_t i)
{
	P->state[i] = OB_APP;
	P->app_pos[i] = P->nb_app;
	P->app[P->nb_app++] = i;
}

static void
app_del(struct fz_pool *P, uint32_t i)
{
	uint32_t pos = P->app_pos[i], last = P->app[--P->nb_app];

	P->app[pos] = last;
	P->app_pos[last] = pos;
}

/* The driver's header and the sums of its per-lcore counters. */
struct drv_counters {
	uint64_t claims, returns, rejects, foreign, fails;
};

static void
drv_counters(const struct fz_pool *P, struct drv_counters *c)
{
	const struct labyrinth_mempool_hdr *h = P->mp->pool_data;
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i <= RTE_MAX_LCORE; i++) {
		c->claims += h->lcore[i].claims;
		c->returns += h->lcore[i].returns;
		c->rejects += h->lcore[i].rejects;
		c->foreign += h->lcore[i].rejects_foreign;
		c->fails += h->lcore[i].dequeue_fails;
	}
}

static struct rte_mempool_cache *
main_cache(const struct fz_pool *P)
{
	return P->cache_size == 0 ? NULL :
		rte_mempool_default_cache(P->mp, rte_lcore_id());
}

/* The invariants, after every step. */
static void
check_pool(const struct fz_pool *P)
{
	const struct labyrinth_mempool_hdr *h;
	struct rte_mempool_cache *cache;
	struct drv_counters c;
	unsigned int count, avail;
	uint32_t i;

	if (P->mp == NULL)
		return;
	h = P->mp->pool_data;
	FZ_CHECK(h != NULL && h->magic == LABYRINTH_MEMPOOL_MAGIC &&
		h->mode == (P->strict ? LABYRINTH_MEMPOOL_MODE_STRICT :
		LABYRINTH_MEMPOOL_MODE_DEFAULT), "%s: pool data %p", P->name,
		(void *)h);
	count = fz_get_count(P->mp);
	FZ_CHECK(count == P->nb_driver, "%s: get_count %u, model %u free in "
		"the driver", P->name, count, P->nb_driver);
	FZ_CHECK(P->nb_driver + P->cache_len + P->nb_app == P->size,
		"%s: model: %u free + %u cached + %u held != %u", P->name,
		P->nb_driver, P->cache_len, P->nb_app, P->size);
	avail = rte_mempool_avail_count(P->mp);
	FZ_CHECK(avail == P->nb_driver + P->cache_len, "%s: avail_count %u, "
		"model %u + %u cached", P->name, avail, P->nb_driver,
		P->cache_len);
	cache = main_cache(P);
	FZ_CHECK((cache == NULL ? 0 : cache->len) == P->cache_len,
		"%s: the cache holds %u, model %u", P->name,
		cache == NULL ? 0 : cache->len, P->cache_len);
	for (i = 0; i < P->cache_len; i++)
		FZ_CHECK(cache->objs[i] == P->cache_copy[i], "%s: cache entry "
			"%u changed from %p to %p behind the mempool library's "
			"back", P->name, i, P->cache_copy[i], cache->objs[i]);
	drv_counters(P, &c);
	FZ_CHECK(c.rejects == P->rejects && c.foreign == P->foreign &&
		c.fails == P->fails, "%s: driver counters: rejects %" PRIu64
		" (model %" PRIu64 "), foreign %" PRIu64 " (model %" PRIu64
		"), dequeue fails %" PRIu64 " (model %" PRIu64 ")", P->name,
		c.rejects, P->rejects, c.foreign, P->foreign, c.fails,
		P->fails);
	FZ_CHECK(c.returns - c.claims == P->nb_driver, "%s: returns %" PRIu64
		" - claims %" PRIu64 " != %u free", P->name, c.returns,
		c.claims, P->nb_driver);
	FZ_CHECK(labyrinth_mempool_check(P->mp) == 0, "%s: mempool_check",
		P->name);
}

static void
check_all(void)
{
	unsigned int i;

	for (i = 0; i < FZ_POOLS; i++)
		check_pool(&pools[i]);
}

/*
 * The main lcore's cache after the mempool library worked on it: every
 * entry must be an object of the pool that was free (in the driver or in
 * the cache) or just put (state OB_MARK), and no entry twice. What is
 * neither held nor cached is free in the driver.
 */
static void
resync_cache(struct fz_pool *P)
{
	struct rte_mempool_cache *cache = main_cache(P);
	uint32_t i, len = cache == NULL ? 0 : cache->len;

	FZ_CHECK(len <= RTE_DIM(P->cache_copy), "%s: cache len %u", P->name,
		len);
	for (i = 0; i < P->size; i++)
		if (P->state[i] != OB_APP)
			P->state[i] = OB_MARK;
	for (i = 0; i < len; i++) {
		int64_t j = obj_index(P, cache->objs[i]);

		FZ_CHECK(j >= 0, "%s: cache entry %u is %p, not an object",
			P->name, i, cache->objs[i]);
		FZ_CHECK(P->state[j] == OB_MARK, "%s: cache entry %u is %p, "
			"which is %s", P->name, i, cache->objs[i],
			P->state[j] == OB_APP ? "held" : "in the cache twice");
		P->state[j] = OB_CACHE;
		P->cache_copy[i] = cache->objs[i];
	}
	P->cache_len = len;
	P->nb_driver = 0;
	for (i = 0; i < P->size; i++)
		if (P->state[i] == OB_MARK) {
			P->state[i] = OB_DRIVER;
			P->nb_driver++;
		}
}

/*
 * A dequeue (or cache get) returned objs: each must be an object that was
 * free (states in ok_mask) and is now held. Not twice.
 */
static void
model_take(struct fz_pool *P, void * const *objs, unsigned int n,
		unsigned int ok_mask, const char *what)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		int64_t j = obj_index(P, objs[k]);

		FZ_CHECK(j >= 0, "%s: %s returned %p (entry %u of %u), not an "
			"object of the pool", P->name, what, objs[k], k, n);
		FZ_CHECK(((1u << P->state[j]) & ok_mask) != 0, "%s: %s "
			"returned %p (entry %u of %u), which is %s", P->name,
			what, objs[k], k, n, P->state[j] == OB_APP ? "held" :
			P->state[j] == OB_CACHE ? "in the cache" : "free");
		if (P->state[j] == OB_DRIVER)
			P->nb_driver--;
		app_add(P, (uint32_t)j);
	}
}

/*
 * The driver's calls, run on the main lcore, the worker lcore or a non-EAL
 * thread (fz_exec()).
 */
enum fz_call_kind { CALL_ENQ, CALL_DEQ, CALL_COUNT };

struct fz_call {
	enum fz_call_kind kind;
	struct rte_mempool *mp;
	const struct rte_mempool_ops *ops; /* NULL: through the pool's own */
	void **v;
	unsigned int n;
	int ret;
};

static int
fz_call_run(void *arg)
{
	struct fz_call *c = arg;

	if (c->ops != NULL) {
		switch (c->kind) {
		case CALL_ENQ:
			c->ret = c->ops->enqueue(c->mp, c->v, c->n);
			break;
		case CALL_DEQ:
			c->ret = c->ops->dequeue(c->mp, c->v, c->n);
			break;
		default:
			c->ret = (int)c->ops->get_count(c->mp);
			break;
		}
		return 0;
	}
	switch (c->kind) {
	case CALL_ENQ:
		c->ret = rte_mempool_ops_enqueue_bulk(c->mp, c->v, c->n);
		break;
	case CALL_DEQ:
		c->ret = rte_mempool_ops_dequeue_bulk(c->mp, c->v, c->n);
		break;
	default:
		c->ret = (int)fz_get_count(c->mp);
		break;
	}
	return 0;
}

static void
fz_call(struct fz_call *c, enum fz_who who)
{
	if (who == FZ_WORKER)
		fz_calls_worker++;
	else if (who == FZ_PTHREAD)
		fz_calls_pthread++;
	fz_exec(who, fz_call_run, c);
}

static void
model_reset(struct fz_pool *P)
{
	free(P->objs);
	free(P->state);
	free(P->app);
	free(P->app_pos);
	memset(P, 0, sizeof(*P));
}

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void * const *)a;
	uintptr_t y = (uintptr_t)*(void * const *)b;

	return x < y ? -1 : x > y;
}

struct iter_ctx {
	struct fz_pool *P;
	uint32_t n;
};

static void
iter_cb(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct iter_ctx *x = arg;

	RTE_SET_USED(mp);
	RTE_SET_USED(idx);
	FZ_CHECK(x->n < x->P->size, "%s: obj_iter gives more than %u objects",
		x->P->name, x->P->size);
	x->P->objs[x->n++] = obj;
}

/*
 * A pool was just populated: learn its objects with rte_mempool_obj_iter(),
 * check that the driver has all of them free, take all of them with one
 * dequeue (exactly that set), check that one more fails, and give them back
 * with one enqueue.
 */
static void
model_learn(struct fz_pool *P)
{
	static void *v[FZ_DEQ_MAX];
	struct iter_ctx x = { .P = P, .n = 0 };
	struct drv_counters c;
	uint32_t i;
	int ret;

	P->objs = calloc(P->size, sizeof(*P->objs));
	P->state = calloc(P->size, 1);
	P->app = calloc(P->size, sizeof(*P->app));
	P->app_pos = calloc(P->size, sizeof(*P->app_pos));
	FZ_CHECK(P->objs && P->state && P->app && P->app_pos, "out of memory");
	rte_mempool_obj_iter(P->mp, iter_cb, &x);
	FZ_CHECK(x.n == P->size, "%s: obj_iter gave %u of %u objects",
		P->name, x.n, P->size);
	qsort(P->objs, P->size, sizeof(*P->objs), cmp_ptr);
	for (i = 1; i < P->size; i++)
		FZ_CHECK((uintptr_t)P->objs[i] - (uintptr_t)P->objs[i - 1] >=
			P->elt_size && P->objs[i] != P->objs[i - 1],
			"%s: objects %p and %p overlap", P->name,
			P->objs[i - 1], P->objs[i]);
	drv_counters(P, &c);
	FZ_CHECK(c.returns == P->size && c.claims == 0 && c.rejects == 0 &&
		c.fails == 0, "%s: after populate: returns %" PRIu64 " claims %"
		PRIu64 " rejects %" PRIu64 " fails %" PRIu64 " (size %u)",
		P->name, c.returns, c.claims, c.rejects, c.fails, P->size);
	FZ_CHECK(fz_get_count(P->mp) == P->size,
		"%s: new pool counts %u free of %u", P->name,
		fz_get_count(P->mp), P->size);
	P->nb_driver = P->size;
	ret = rte_mempool_ops_dequeue_bulk(P->mp, v, P->size);
	FZ_CHECK(ret == 0, "%s: dequeue of all %u objects: %d", P->name,
		P->size, ret);
	model_take(P, v, P->size, 1u << OB_DRIVER, "dequeue of everything");
	ret = rte_mempool_ops_dequeue_bulk(P->mp, v, 1);
	FZ_CHECK(ret == -ENOBUFS, "%s: dequeue from an empty pool: %d",
		P->name, ret);
	P->fails++;
	FZ_CHECK(fz_get_count(P->mp) == 0, "%s: empty pool "
		"counts %u", P->name, fz_get_count(P->mp));
	for (i = 0; i < P->size; i++)
		v[i] = P->objs[i];
	ret = rte_mempool_ops_enqueue_bulk(P->mp, v, P->size);
	FZ_CHECK(ret == 0, "%s: enqueue of all %u objects: %d", P->name,
		P->size, ret);
	for (i = 0; i < P->size; i++) {
		app_del(P, i);
		P->state[i] = OB_DRIVER;
	}
	P->nb_driver = P->size;
}

/* Free callback of populate pieces: opaque is the piece. */
static void
free_rte_piece(struct rte_mempool_memhdr *memhdr, void *opaque)
{
	RTE_SET_USED(memhdr);
	rte_free(opaque);
}

static void
free_libc_piece(struct rte_mempool_memhdr *memhdr, void *opaque)
{
	RTE_SET_USED(memhdr);
	free(opaque);
}

/*
 * Populate from pieces of piece_objs objects each, from rte_malloc (or
 * libc), page-aligned; with rev, the pieces are handed to populate in
 * decreasing address order; gap puts a spacer of that many bytes between
 * pieces (allocated and freed around them), so the driver's page table
 * spans far-apart memory.
 */
static void
populate_pieces(struct fz_pool *P, unsigned int piece_objs, bool libc,
		bool rev, size_t gap)
{
	static void *piece[FZ_MAX_OBJS], *spacer[FZ_MAX_OBJS];
	size_t len = (size_t)piece_objs * P->stride + RTE_CACHE_LINE_SIZE;
	uint32_t n = (P->size + piece_objs - 1) / piece_objs, k;
	int ret;

	/* Each piece holds at least one object (a page-aligned base: an
	 * object of up to a page does not cross one); pieces that turn out
	 * to hold fewer than piece_objs are topped up below. */
	for (k = 0; k < n; k++) {
		if (libc)
			piece[k] = aligned_alloc(4096, RTE_ALIGN_CEIL(len, 4096));
		else
			piece[k] = rte_malloc("fuzz_mempool", len, 4096);
		FZ_CHECK(piece[k] != NULL, "%s: no memory for piece %u",
			P->name, k);
		/* gaps of 16 MiB in all at most (EAL has 256 MiB) */
		spacer[k] = gap == 0 || (k + 1) * gap > (16u << 20) ? NULL :
			rte_malloc("fuzz_gap", gap, 0);
	}
	for (k = 0; k < n; k++) {
		void *p = piece[rev ? n - 1 - k : k];

		if (P->mp->populated_size >= P->size) {
			if (libc)
				free(p);
			else
				rte_free(p);
			continue;
		}
		ret = rte_mempool_populate_iova(P->mp, p, RTE_BAD_IOVA, len,
			libc ? free_libc_piece : free_rte_piece, p);
		FZ_CHECK(ret > 0, "%s: populate_iova of piece %u (%zu bytes) "
			"returned %d", P->name, k, len, ret);
	}
	for (k = 0; k < n; k++)
		rte_free(spacer[k]);
	/* Pieces may have held fewer objects than planned (page bounds). */
	while (P->mp->populated_size < P->size) {
		void *p = rte_malloc("fuzz_mempool", len, 4096);

		FZ_CHECK(p != NULL, "%s: no memory", P->name);
		ret = rte_mempool_populate_iova(P->mp, p, RTE_BAD_IOVA, len,
			free_rte_piece, p);
		FZ_CHECK(ret > 0, "%s: populate_iova: %d", P->name, ret);
	}
}

/*
 * Read a pool configuration (8 bytes) and make the pool:
 *   byte 0: bit 0 strict ops; bits 1-2 populate (0, 1: memzones, 2:
 *           anonymous mapping, 3: pieces); bit 3 NO_CACHE_ALIGN, bit 4
 *           NO_SPREAD, bit 5 NO_IOVA_CONTIG; bit 6 SOCKET_ID_ANY;
 *   u16 objects (1 .. 512, or up to 4096 with bit 15), u16 element size,
 *   u8 cache (0 with bit 7), u8 pieces (bits 0-3: objects
 *   a piece - 1, bit 4 libc memory, bit 5 decreasing addresses, bits 6-7
 *   gap: none, 4 KiB, 64 KiB, 1 MiB), u8 private data size / 8.
 */
static void
op_create(struct fz_in *in, struct fz_pool *P)
{
	uint8_t b0 = in_u8(in);
	uint16_t nobj = in_u16(in), elt = in_u16(in);
	uint8_t cs = in_u8(in), pc = in_u8(in), priv = in_u8(in);
	unsigned int mz_before = memzone_count();
	unsigned int flags = 0, populate = (b0 >> 1) & 3;
	static const size_t gaps[4] = { 0, 4096, 65536, 1u << 20 };
	int ret;

	if (P->mp != NULL)
		return;
	P->strict = b0 & 1;
	/* mostly small: a big pool costs milliseconds to make and learn */
	P->size = 1 + nobj % ((nobj & 0x8000) ? FZ_MAX_OBJS : 512u);
	P->elt_size = elt % (FZ_MAX_ELT + 1);
	P->cache_size = (cs & 0x80) ? 0 : cs % (FZ_MAX_CACHE + 1);
	/* the mempool library's limit: 1.5 * cache <= objects */
	while (P->cache_size != 0 && P->cache_size * 3 / 2 > P->size)
		P->cache_size /= 2;
	if (b0 & 0x08)
		flags |= RTE_MEMPOOL_F_NO_CACHE_ALIGN;
	if (b0 & 0x10)
		flags |= RTE_MEMPOOL_F_NO_SPREAD;
	if (b0 & 0x20)
		flags |= RTE_MEMPOOL_F_NO_IOVA_CONTIG;
	P->mp = rte_mempool_create_empty(P->name, P->size, P->elt_size,
		P->cache_size, (unsigned int)(priv % 16) * 8,
		(b0 & 0x40) ? SOCKET_ID_ANY : 0, flags);
	FZ_CHECK(P->mp != NULL, "%s: create_empty(%u objects of %u, cache %u, "
		"flags %#x): %s", P->name, P->size, P->elt_size, P->cache_size,
		flags, rte_strerror(rte_errno));
	ret = rte_mempool_set_ops_byname(P->mp, P->strict ?
		LABYRINTH_MEMPOOL_OPS_NAME_STRICT : LABYRINTH_MEMPOOL_OPS_NAME,
		NULL);
	FZ_CHECK(ret == 0, "%s: set_ops_byname: %d", P->name, ret);
	FZ_CHECK(labyrinth_mempool_check(P->mp) == 0, "%s: mempool_check "
		"before populate", P->name);
	P->header_size = P->mp->header_size;
	P->stride = P->mp->header_size + P->mp->elt_size +
		P->mp->trailer_size;
	if (populate == 2) {
		ret = rte_mempool_populate_anon(P->mp);
		if (ret == 0) /* no anonymous memory to lock: memzones */
			populate = 0;
	}
	if (populate < 2) {
		ret = rte_mempool_populate_default(P->mp);
		FZ_CHECK(ret == (int)P->size, "%s: populate_default of %u "
			"objects of %u: %d", P->name, P->size, P->elt_size,
			ret);
	} else if (populate == 3) {
		populate_pieces(P, 1 + (pc & 15), (pc & 0x10) != 0,
			(pc & 0x20) != 0, gaps[pc >> 6]);
		if (pc & 0x10)
			populate = 4;
	}
	fz_pools_made[populate == 0 ? 0 : populate - 1]++;
	P->populate = populate;
	FZ_CHECK(P->mp->populated_size == P->size, "%s: populated %u of %u",
		P->name, P->mp->populated_size, P->size);
	FZ_CHECK(memzone_count() > mz_before, "%s: no memzone", P->name);
	model_learn(P);
}

static void
op_destroy(struct fz_pool *P)
{
	char name[sizeof(P->name)];

	rte_mempool_free(P->mp);
	FZ_CHECK(rte_mempool_lookup(P->name) == NULL, "%s: lookup after free",
		P->name);
	memcpy(name, P->name, sizeof(name));
	model_reset(P);
	memcpy(P->name, name, sizeof(name));
}

/* A free object of the driver at or after index from, or -1. */
static int64_t
find_state(const struct fz_pool *P, uint32_t from, enum fz_ostate st)
{
	uint32_t k;

	for (k = 0; k < P->size; k++) {
		uint32_t j = (from + k) % P->size;

		if (P->state[j] == st)
			return j;
	}
	return -1;
}

/*
 * One batch for rte_mempool_ops_enqueue_bulk(): n entries, one kind byte
 * each (some take more bytes), see the switch. Predicted entry by entry:
 * the driver takes them in order.
 */
static void
op_enqueue(struct fz_in *in, struct fz_pool *P, const struct fz_pool *O,
		enum fz_who who)
{
	static void *v[FZ_ENQ_MAX];
	static uint32_t taken[FZ_ENQ_MAX];
	char on_stack[64];
	uint8_t nb = in_u8(in);
	unsigned int n = nb < 192 ? nb % 65u : 128u + (nb - 192u) * 4u;
	uint32_t cursor = in_u16(in), i, foreign = 0, doubles = 0, ok = 0;
	unsigned int kinds[FZ_NB_BAD] = { 0 };
	struct fz_call c = { .kind = CALL_ENQ, .mp = P->mp, .v = v };
	int want;

	n = RTE_MIN(n, FZ_ENQ_MAX);
	for (i = 0; i < n; i++) {
		uint8_t k = in_u8(in);
		int64_t j;

		switch (k % 16) {
		case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
			/* the next held object */
			if (P->nb_app > 0) {
				v[i] = P->objs[P->app[cursor++ % P->nb_app]];
				break;
			}
			/* fall through */
		case 9: /* an object that is free in the driver */
			j = find_state(P, cursor++ + k, OB_DRIVER);
			v[i] = j >= 0 ? P->objs[j] : NULL;
			break;
		case 8: /* an earlier entry again */
			v[i] = i > 0 ? v[(k >> 4) % i] : NULL;
			break;
		case 10: /* interior: obj + 1 .. stride - 1, or obj - header */
			j = in_u16(in) % P->size;
			if (k & 0x10)
				v[i] = (char *)P->objs[j] - 1 -
					(k >> 5) % P->header_size;
			else
				v[i] = (char *)P->objs[j] + 1 +
					in_u16(in) % (P->stride - 1);
			break;
		case 11: /* the other pool's object */
			v[i] = O->mp != NULL ?
				O->objs[in_u16(in) % O->size] : (void *)O;
			break;
		case 12:
			v[i] = NULL;
			break;
		case 13: /* memory that holds no object */
			switch ((k >> 4) % 6) {
			case 0:
				v[i] = on_stack;
				break;
			case 1:
				v[i] = heap_buf;
				break;
			case 2:
				v[i] = rte_buf;
				break;
			case 3:
				v[i] = P->mp;
				break;
			case 4:
				v[i] = P->mp->pool_data;
				break;
			default:
				v[i] = (void *)(uintptr_t)P->objs;
				break;
			}
			break;
		case 14: /* any address */
			v[i] = (void *)(uintptr_t)in_u64(in);
			break;
		default: /* just outside the objects */
			v[i] = (k & 0x10) ?
				(char *)P->objs[0] - P->stride :
				(char *)P->objs[P->size - 1] + P->stride;
			break;
		}
		/* An object in the mempool cache looks held to the driver,
		 * which would take it: the cache does the application's
		 * bookkeeping, not the driver's. Never enqueued here. */
		j = obj_index(P, v[i]);
		if (j >= 0 && P->state[j] == OB_CACHE)
			v[i] = NULL;
	}
	/* The prediction: every entry in order. */
	for (i = 0; i < n; i++) {
		int64_t j = obj_index(P, v[i]);

		if (j < 0) {
			foreign++;
			if (v[i] == NULL)
				kinds[BAD_ENQ_NULL]++;
			else if (O->mp != NULL && obj_index(O, v[i]) >= 0)
				kinds[BAD_ENQ_OTHER_POOL]++;
			else if ((uintptr_t)v[i] >= (uintptr_t)P->objs[0] -
					P->header_size &&
					(uintptr_t)v[i] < (uintptr_t)
					P->objs[P->size - 1] + P->stride)
				kinds[BAD_ENQ_INTERIOR]++;
			else
				kinds[BAD_ENQ_FOREIGN]++;
			continue;
		}
		if (P->state[j] == OB_APP) {
			app_del(P, (uint32_t)j);
			P->state[j] = OB_MARK; /* accepted by this call */
			taken[ok++] = (uint32_t)j;
			continue;
		}
		doubles++;
		kinds[P->state[j] == OB_MARK ? BAD_ENQ_DUP_CALL :
			BAD_ENQ_DUP_FREE]++;
	}
	want = foreign != 0 ? -EINVAL : doubles != 0 ? -EALREADY : 0;
	c.n = n;
	c.v = n == 0 && (cursor & 1) ? NULL : v;
	fz_call(&c, who);
	fz_enq_calls++;
	FZ_CHECK(c.ret == want, "%s: enqueue of %u (%u held, %u foreign, %u "
		"doubles) on the %s returned %d, want %d", P->name, n, ok,
		foreign, doubles, fz_who_name(who), c.ret, want);
	for (i = 0; i < ok; i++)
		P->state[taken[i]] = OB_DRIVER;
	P->nb_driver += ok;
	P->rejects += foreign + doubles;
	P->foreign += foreign;
	fz_enq_ok += ok;
	for (i = 0; i < FZ_NB_BAD; i++)
		fz_bad[i] += kinds[i];
}

/* rte_mempool_ops_dequeue_bulk() of n: all or nothing. */
static void
op_dequeue(struct fz_in *in, struct fz_pool *P, enum fz_who who)
{
	static void *v[FZ_DEQ_MAX];
	uint8_t b = in_u8(in);
	unsigned int n, count_before = P->nb_driver;
	struct fz_call c = { .kind = CALL_DEQ, .mp = P->mp, .v = v };

	switch (b >> 6) {
	case 0:
		n = b % 64;
		break;
	case 1:
		n = P->nb_driver; /* everything */
		break;
	case 2:
		n = P->nb_driver + 1 + b % 4; /* just too many */
		break;
	default:
		n = in_u16(in) % FZ_DEQ_MAX;
		break;
	}
	c.n = n;
	fz_call(&c, who);
	fz_deq_calls++;
	if (n > P->nb_driver) {
		FZ_CHECK(c.ret == -ENOBUFS, "%s: dequeue of %u with %u free on "
			"the %s returned %d", P->name, n, P->nb_driver,
			fz_who_name(who), c.ret);
		FZ_CHECK(fz_get_count(P->mp) == count_before,
			"%s: refused dequeue changed the count", P->name);
		P->fails++;
		fz_bad[BAD_DEQ_NOBUFS]++;
		return;
	}
	FZ_CHECK(c.ret == 0, "%s: dequeue of %u with %u free on the %s "
		"returned %d", P->name, n, P->nb_driver, fz_who_name(who),
		c.ret);
	model_take(P, v, n, 1u << OB_DRIVER, "dequeue");
}

/*
 * rte_mempool_generic_get() through the main lcore's cache: succeeds iff
 * the cache and the driver have n objects; the driver's refusals on the
 * way (a refill of size + rest that does not fit, then the rest) are
 * predicted as the mempool library makes them.
 */
static void
op_cache_get(struct fz_in *in, struct fz_pool *P)
{
	static void *v[FZ_DEQ_MAX];
	uint8_t b = in_u8(in);
	unsigned int n = (b & 0x80) ? 1 + in_u16(in) % 600 : 1 + b % 64;
	struct rte_mempool_cache *cache = main_cache(P);
	unsigned int len = cache == NULL ? 0 : RTE_MIN(n, P->cache_len);
	unsigned int rest = n - len;
	bool ok = rest == 0 || P->nb_driver >= rest;
	int ret;

	if (rest != 0) {
		if (cache != NULL && rest <= RTE_MEMPOOL_CACHE_MAX_SIZE &&
				P->nb_driver < cache->size + rest)
			P->fails++; /* the refill */
		if (!ok)
			P->fails++;
	}
	ret = rte_mempool_generic_get(P->mp, v, n, cache);
	fz_cache_calls++;
	FZ_CHECK(ret == (ok ? 0 : -ENOBUFS), "%s: get of %u (cache %u, %u "
		"free) returned %d", P->name, n, P->cache_len, P->nb_driver,
		ret);
	if (ok)
		model_take(P, v, n, (1u << OB_DRIVER) | (1u << OB_CACHE),
			"get through the cache");
	resync_cache(P);
}

/* rte_mempool_generic_put() of held objects through the cache. */
static void
op_cache_put(struct fz_in *in, struct fz_pool *P)
{
	static void *v[FZ_DEQ_MAX];
	uint8_t b = in_u8(in);
	unsigned int n = (b & 0x80) ? 1 + in_u16(in) % 600 : 1 + b % 64;
	unsigned int i;

	n = RTE_MIN(n, P->nb_app);
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		uint32_t j = P->app[P->nb_app - 1];

		v[i] = P->objs[j];
		app_del(P, j);
		P->state[j] = OB_MARK;
	}
	rte_mempool_generic_put(P->mp, v, n, main_cache(P));
	fz_cache_calls++;
	resync_cache(P);
}

static void
op_cache_flush(struct fz_pool *P)
{
	struct rte_mempool_cache *cache = main_cache(P);

	if (cache != NULL)
		rte_mempool_cache_flush(cache, P->mp);
	fz_cache_calls++;
	resync_cache(P);
	FZ_CHECK(P->cache_len == 0, "%s: %u objects cached after a flush",
		P->name, P->cache_len);
}

/*
 * The driver's other ops (the other mode) on this pool: as when a process's
 * ops table disagrees with the primary's, every call is refused (-EINVAL,
 * count 0) and changes nothing, a held object stays held.
 */
static void
op_wrong_ops(struct fz_in *in, struct fz_pool *P, enum fz_who who)
{
	static void *v[8];
	uint8_t b = in_u8(in);
	int idx = P->strict ? ops_index_default : ops_index_strict;
	struct fz_call c = { .mp = P->mp, .v = v };
	unsigned int i;

	if (idx < 0)
		return;
	c.ops = rte_mempool_get_ops(idx);
	c.n = 1 + b % RTE_DIM(v);
	for (i = 0; i < c.n; i++)
		v[i] = P->nb_app > 0 ? P->objs[P->app[(b + i) % P->nb_app]] :
			P->objs[0];
	switch ((b >> 4) % 3) {
	case 0:
		c.kind = CALL_ENQ;
		break;
	case 1:
		c.kind = CALL_DEQ;
		break;
	default:
		c.kind = CALL_COUNT;
		break;
	}
	fz_call(&c, who);
	fz_bad[BAD_WRONG_OPS]++;
	FZ_CHECK(c.ret == (c.kind == CALL_COUNT ? 0 : -EINVAL), "%s: %s ops "
		"call %d on a %s pool returned %d", P->name, c.ops->name,
		c.kind, P->strict ? "strict" : "default", c.ret);
}

/* Return every held object with one enqueue (crossing driver batches). */
static void
return_all(struct fz_pool *P)
{
	static void *v[FZ_MAX_OBJS];
	uint32_t i, n = P->nb_app;
	int ret;

	for (i = 0; i < n; i++) {
		v[i] = P->objs[P->app[i]];
		P->state[P->app[i]] = OB_DRIVER;
	}
	P->nb_app = 0;
	ret = rte_mempool_ops_enqueue_bulk(P->mp, v, n);
	FZ_CHECK(ret == 0, "%s: return of all %u held objects: %d", P->name,
		n, ret);
	P->nb_driver += n;
	fz_enq_calls++;
	fz_enq_ok += n;
}

static void
fuzz_op(struct fz_in *in)
{
	uint8_t op = in_u8(in);
	struct fz_pool *P = &pools[(op >> 4) & 1], *O = &pools[!((op >> 4) & 1)];
	/* bits 6-7: who calls the driver (fz_who_of()) */
	enum fz_who who = fz_who_of(op >> 6);

	if (P->mp == NULL) {
		if (op % 16 == 12)
			op_create(in, P);
		return;
	}
	switch (op % 16) {
	case 0: case 1: case 2: case 3: case 4:
		op_enqueue(in, P, O, who);
		break;
	case 5: case 6: case 7:
		op_dequeue(in, P, who);
		break;
	case 8:
		op_cache_get(in, P);
		break;
	case 9:
		op_cache_put(in, P);
		break;
	case 10:
		op_cache_flush(P);
		break;
	case 11:
		op_wrong_ops(in, P, who);
		break;
	case 12:
		op_create(in, P); /* a live pool: nothing */
		break;
	case 13:
		if (op & 0x80)
			op_destroy(P);
		break;
	default:
		return_all(P);
		break;
	}
	check_all();
}

/* End of an input: return everything, free the pools, leak nothing. */
static void
teardown(void)
{
	unsigned int i;

	for (i = 0; i < FZ_POOLS; i++) {
		struct fz_pool *P = &pools[i];

		if (P->mp == NULL)
			continue;
		return_all(P);
		op_cache_flush(P);
		check_pool(P);
		FZ_CHECK(fz_get_count(P->mp) == P->size &&
			rte_mempool_avail_count(P->mp) == P->size,
			"%s: %u free of %u after everything came back", P->name,
			fz_get_count(P->mp), P->size);
		op_destroy(P);
	}
	FZ_CHECK(memzone_count() == base_memzones, "%d memzone(s) leaked",
		(int)memzone_count() - (int)base_memzones);
	FZ_CHECK(heap_bytes() == base_heap_bytes, "%zd rte_malloc bytes leaked",
		(ssize_t)(heap_bytes() - base_heap_bytes));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char * const extra[] = {
		"--log-level=lib.labyrinth:critical",
		"--log-level=pmd.mempool.labyrinth:critical",
		"--log-level=lib.mempool:critical", "--log-level=lib.eal:error",
		NULL,
	};
	unsigned int i;

	RTE_SET_USED(argc);
	RTE_SET_USED(argv);
	fz_eal_init("fuzz_mempool", extra);
	for (i = 0; i < rte_mempool_ops_table.num_ops; i++) {
		const char *name = rte_mempool_ops_table.ops[i].name;

		if (strcmp(name, LABYRINTH_MEMPOOL_OPS_NAME) == 0)
			ops_index_default = (int)i;
		else if (strcmp(name, LABYRINTH_MEMPOOL_OPS_NAME_STRICT) == 0)
			ops_index_strict = (int)i;
	}
	if (ops_index_default < 0 || ops_index_strict < 0) {
		fprintf(stderr, "fuzz_mempool: the driver's ops are not "
			"registered\n");
		exit(1);
	}
	rte_buf = rte_malloc("fuzz_mempool", 4096, 4096);
	heap_buf = malloc(4096);
	if (rte_buf == NULL || heap_buf == NULL) {
		fprintf(stderr, "fuzz_mempool: no memory\n");
		exit(1);
	}
	base_memzones = memzone_count();
	base_heap_bytes = heap_bytes();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { .p = data, .n = size };
	int ops = 0;

	snprintf(pools[0].name, sizeof(pools[0].name), "fzmp0");
	snprintf(pools[1].name, sizeof(pools[1].name), "fzmp1");
	/* Pool 0 exists from the start, so that every input works on one. */
	op_create(&in, &pools[0]);
	check_all();
	while (in.n > 0 && ops++ < FZ_MAX_OPS)
		fuzz_op(&in);
	teardown();
	return 0;
}
