/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Regression tests of the labyrinth mempool driver, one case a run:
 *   <EAL args> -- <case> [ops_name]
 *
 * - lcore_flush: a cache-0 pool emptied and refilled on a worker lcore must
 *   be fully reachable from the main lcore (dpdk-test's mbuf_autotest on 2
 *   lcores found objects stuck among another lcore's pending returns).
 * - small_chunks: 16384 objects, each from its own 4 KiB populate call (in
 *   address order, then shuffled): every one recorded, no 4096-chunk limit.
 * - nohuge_default: the same under --no-huge with rte_mempool_populate_default
 *   (4 KiB pages; run with --no-huge on the command line).
 * - descending: a second populate region below the first whose objects tile
 *   across page-table granule boundaries: every object accepted.
 * - no_dp_log: rejected returns and calls on a pool the driver did not set
 *   up write nothing to the log; the counters count; the control path
 *   (telemetry read, free) logs a summary.
 * - race, strict_race: with ops labyrinth (race) or labyrinth_strict
 *   (strict_race), two lcores return the same object at a common start
 *   signal, many rounds: exactly one wins each, the other gets -EALREADY.
 *   Both modes arbitrate through the map bit's atomic OR (layout 5).
 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_pause.h>
#include <rte_random.h>

#include "mempool_test.h"

static const char *ops = "labyrinth";

static int
cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every object of a quiet, full pool: the count is exact, one bulk get
 * takes them all (each once), the next get fails, and they all go back.
 */
static int
check_full(struct rte_mempool *mp, unsigned int n)
{
	void **objs = calloc(n + 1, sizeof(*objs));
	unsigned int i;
	int ret = -1;

	LT_ASSERT(objs != NULL, "calloc");
	if (rte_mempool_avail_count(mp) != n) {
		printf("[%s()] avail %u, expected %u\n", __func__,
			rte_mempool_avail_count(mp), n);
		goto out;
	}
	if (rte_mempool_get_bulk(mp, objs, n) != 0) {
		printf("[%s()] cannot get all %u objects\n", __func__, n);
		goto out;
	}
	if (rte_mempool_get(mp, &objs[n]) == 0) {
		printf("[%s()] got one more than %u\n", __func__, n);
		goto out;
	}
	qsort(objs, n, sizeof(*objs), cmp_ptr);
	for (i = 1; i < n; i++)
		if (objs[i] == objs[i - 1]) {
			printf("[%s()] %p twice\n", __func__, objs[i]);
			goto out;
		}
	rte_mempool_put_bulk(mp, objs, n);
	if (rte_mempool_avail_count(mp) != n || mt_audit(mp) != 0) {
		printf("[%s()] after put: avail %u\n", __func__,
			rte_mempool_avail_count(mp));
		goto out;
	}
	ret = 0;
out:
	free(objs);
	return ret;
}

/* The driver's lookup tables, for the log. */
static void
print_tables(const struct rte_mempool *mp)
{
	const struct labyrinth_mempool_hdr *h = mt_hdr(mp);

	printf("%s: %u objects in %u chunks; page table: %u of %u entries, "
		"granule %u KiB, %u rebuilds\n", mp->name, h->nb_objs,
		h->nb_chunks, h->nb_pg, h->pg_cap,
		(unsigned int)((UINT64_C(1) << h->pg_shift) >> 10),
		h->pg_rebuilds);
}

static struct rte_mempool *
empty_pool(const char *name, unsigned int n, unsigned int elt,
		unsigned int cache, unsigned int flags)
{
	struct rte_mempool *mp;

	mp = rte_mempool_create_empty(name, n, elt, cache, 0, SOCKET_ID_ANY,
			flags);
	if (mp == NULL)
		return NULL;
	if (rte_mempool_set_ops_byname(mp, ops, NULL) != 0) {
		printf("ops %s not registered\n", ops);
		rte_mempool_free(mp);
		return NULL;
	}
	return mp;
}

/* Item 1: returns on a worker are reachable from every lcore at once. */

#define FLUSH_N 1000

struct flush_arg {
	struct rte_mempool *mp;
	void *objs[FLUSH_N];
	unsigned int keep; /* objects the worker keeps */
};

static int
flush_worker(void *p)
{
	struct flush_arg *a = p;
	unsigned int i;

	if (rte_mempool_get_bulk(a->mp, a->objs, FLUSH_N) != 0) {
		printf("worker lcore: cannot get all %u objects (%u counted "
			"free)\n", FLUSH_N, rte_mempool_avail_count(a->mp));
		return -1;
	}
	/* One by one, as rte_pktmbuf_free() does on a cache-0 pool. */
	for (i = a->keep; i < FLUSH_N; i++)
		rte_mempool_put(a->mp, a->objs[i]);
	return 0;
}

static int
test_lcore_flush(void)
{
	struct flush_arg *a = calloc(1, sizeof(*a));
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	void *objs[FLUSH_N];

	LT_ASSERT(a != NULL, "calloc");
	if (worker >= RTE_MAX_LCORE) {
		printf("skip: needs 2 lcores (-l 0-1)\n");
		exit(LT_SKIP);
	}
	a->mp = empty_pool("rg_flush", FLUSH_N, 64, 0, 0);
	LT_ASSERT(a->mp != NULL && rte_mempool_populate_default(a->mp) ==
		FLUSH_N, "pool");

	/* The worker takes everything and gives it all back. */
	a->keep = 0;
	rte_eal_remote_launch(flush_worker, a, worker);
	LT_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "worker get/put");
	LT_ASSERT_EQ(rte_mempool_avail_count(a->mp), FLUSH_N, "count");
	LT_ASSERT_EQ(rte_mempool_get_bulk(a->mp, objs, FLUSH_N), 0,
		"main lcore gets every object the worker returned");
	rte_mempool_put_bulk(a->mp, objs, FLUSH_N);

	/* The worker keeps all but one: that one is reachable here. */
	a->keep = FLUSH_N - 1;
	rte_eal_remote_launch(flush_worker, a, worker);
	LT_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "worker get/put");
	LT_ASSERT_EQ(rte_mempool_avail_count(a->mp), 1, "count");
	LT_ASSERT_EQ(rte_mempool_get(a->mp, &objs[0]), 0,
		"main lcore gets the one object the worker returned");
	LT_ASSERT(objs[0] == a->objs[FLUSH_N - 1], "the same object");
	rte_mempool_put(a->mp, objs[0]);
	rte_mempool_put_bulk(a->mp, a->objs, FLUSH_N - 1);
	LT_ASSERT(check_full(a->mp, FLUSH_N) == 0, "full");
	rte_mempool_free(a->mp);
	free(a);
	return 0;
}

/* Item 2: many small memory chunks. */

#define SMALL_N 16384
#define SMALL_PIECE 4096

static int
populate_pieces(struct rte_mempool *mp, const struct rte_memzone *mz,
		const unsigned int *order, unsigned int nb)
{
	unsigned int i, k, total = 0;
	size_t off;
	int ret;

	for (i = 0; i < nb; i++) {
		k = order[i];
		off = (size_t)k * SMALL_PIECE;
		ret = rte_mempool_populate_iova(mp, (char *)mz->addr + off,
				mz->iova == RTE_BAD_IOVA ? RTE_BAD_IOVA :
				mz->iova + off, SMALL_PIECE, NULL, NULL);
		if (ret != 1) {
			printf("populate piece %u: %d\n", k, ret);
			return -1;
		}
		total += ret;
	}
	return (int)total;
}

static int
small_chunks_once(const struct rte_memzone *mz, bool shuffle)
{
	struct rte_mempool *mp;
	unsigned int *order, i, j, t;
	struct mt_counters c;

	order = malloc(SMALL_N * sizeof(*order));
	LT_ASSERT(order != NULL, "malloc");
	for (i = 0; i < SMALL_N; i++)
		order[i] = i;
	if (shuffle)
		for (i = SMALL_N - 1; i > 0; i--) {
			j = (unsigned int)(rte_rand() % (i + 1));
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
	/* 2 KiB elements: one object per 4 KiB piece, one chunk each. */
	mp = empty_pool("rg_small", SMALL_N, 2048, 0, 0);
	LT_ASSERT(mp != NULL, "pool");
	LT_ASSERT(mp->header_size + mp->elt_size + mp->trailer_size +
		RTE_CACHE_LINE_SIZE <= SMALL_PIECE, "one object per piece");
	LT_ASSERT_EQ(populate_pieces(mp, mz, order, SMALL_N), SMALL_N,
		"populated (%s)", shuffle ? "shuffled" : "in order");
	free(order);
	print_tables(mp);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), SMALL_N,
		"every object recorded (%s)", shuffle ? "shuffled" :
		"in order");
	mt_counters(mp, &c);
	LT_ASSERT_EQ(c.rejects, 0, "nothing rejected while populating");
	LT_ASSERT(check_full(mp, SMALL_N) == 0, "all usable");
	rte_mempool_free(mp);
	return 0;
}

static int
test_small_chunks(void)
{
	const struct rte_memzone *mz;

	mz = rte_memzone_reserve_aligned("rg_small_mz",
			(size_t)SMALL_N * SMALL_PIECE, SOCKET_ID_ANY, 0,
			SMALL_PIECE);
	LT_ASSERT(mz != NULL, "memzone: %s", rte_strerror(rte_errno));
	LT_ASSERT(small_chunks_once(mz, false) == 0, "in order");
	LT_ASSERT(small_chunks_once(mz, true) == 0, "shuffled");
	rte_memzone_free(mz);
	return 0;
}

static int
test_nohuge_default(void)
{
	struct rte_mempool *mp;
	struct mt_counters c;

	if (rte_eal_has_hugepages()) {
		printf("skip: run with --no-huge\n");
		exit(LT_SKIP);
	}
	mp = rte_pktmbuf_pool_create_by_ops("rg_nohuge", SMALL_N, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY, ops);
	LT_ASSERT(mp != NULL, "pktmbuf pool: %s", rte_strerror(rte_errno));
	printf("%u memory chunks of the mempool\n", mp->nb_mem_chunks);
	print_tables(mp);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), SMALL_N, "every mbuf");
	mt_counters(mp, &c);
	LT_ASSERT_EQ(c.rejects, 0, "nothing rejected while populating");
	LT_ASSERT(check_full(mp, SMALL_N) == 0, "all usable");
	rte_mempool_free(mp);
	return 0;
}

/* Item 3: a region below an earlier one, objects across granules. */

#define MB (1u << 20)

static int
test_descending(void)
{
	const struct rte_memzone *mz;
	struct rte_mempool_objsz sz;
	struct rte_mempool *mp;
	unsigned int flags = RTE_MEMPOOL_F_NO_IOVA_CONTIG, n, per;
	char *base;
	int a, b;

	/* Objects tile with no regard to pages (NO_IOVA_CONTIG), so one
	 * populate call is one chunk, across every granule boundary. */
	LT_ASSERT(rte_mempool_calc_obj_size(320, flags, &sz) != 0, "size");
	per = 2 * MB / sz.total_size;
	n = 2 * per;
	mz = rte_memzone_reserve_aligned("rg_desc_mz", 8 * MB, SOCKET_ID_ANY,
			0, 2 * MB);
	LT_ASSERT(mz != NULL, "memzone: %s", rte_strerror(rte_errno));
	base = mz->addr;
	mp = empty_pool("rg_desc", n, 320, 0, flags);
	LT_ASSERT(mp != NULL, "pool");
	/* First [4 MiB, 6 MiB), then [1 MiB, 3 MiB): below, and across the
	 * 2 MiB boundary. */
	a = rte_mempool_populate_iova(mp, base + 4 * MB, RTE_BAD_IOVA, 2 * MB,
			NULL, NULL);
	b = rte_mempool_populate_iova(mp, base + 1 * MB, RTE_BAD_IOVA, 2 * MB,
			NULL, NULL);
	LT_ASSERT_EQ(a, (int)per, "first region");
	LT_ASSERT_EQ(b, (int)per, "second region");
	print_tables(mp);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), n,
		"every object of both regions accepted");
	LT_ASSERT(check_full(mp, n) == 0, "all usable");
	rte_mempool_free(mp);
	rte_memzone_free(mz);
	return 0;
}

/*
 * Regions far apart (8 MiB) arriving from both ends towards the middle:
 * the span outgrows the page table, which is rebuilt with coarser
 * granules while chunks are already recorded.
 */
static int
test_spread(void)
{
	static const unsigned int order[] = { 7, 0, 6, 1, 5, 2, 4, 3 };
	const size_t region = 256 * 1024, gap = 8 * MB;
	const struct rte_memzone *mz;
	struct rte_mempool_objsz sz;
	struct rte_mempool *mp;
	unsigned int flags = RTE_MEMPOOL_F_NO_IOVA_CONTIG, n, per, i;
	char *base;

	LT_ASSERT(rte_mempool_calc_obj_size(320, flags, &sz) != 0, "size");
	per = region / sz.total_size;
	n = per * RTE_DIM(order);
	mz = rte_memzone_reserve_aligned("rg_spread_mz", 8 * gap,
			SOCKET_ID_ANY, 0, RTE_CACHE_LINE_SIZE);
	LT_ASSERT(mz != NULL, "memzone: %s", rte_strerror(rte_errno));
	base = mz->addr;
	mp = empty_pool("rg_spread", n, 320, 0, flags);
	LT_ASSERT(mp != NULL, "pool");
	for (i = 0; i < RTE_DIM(order); i++)
		LT_ASSERT_EQ(rte_mempool_populate_iova(mp,
			base + order[i] * gap + gap / 2 - region / 2,
			RTE_BAD_IOVA, region, NULL, NULL), (int)per,
			"region %u", order[i]);
	print_tables(mp);
	LT_ASSERT(mt_hdr(mp)->pg_rebuilds > 1, "the table was rebuilt");
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), n,
		"every object of every region accepted");
	LT_ASSERT(check_full(mp, n) == 0, "all usable");
	rte_mempool_free(mp);
	rte_memzone_free(mz);
	return 0;
}

/*
 * Random regions: 4096 slots of slot_sz, a random half of them used, each
 * with a region of random length (from one object up) at a random
 * offset, populated in random order: granules shared by several chunks,
 * chunks of one object. Every object is found; addresses next to objects
 * are refused. 2 KiB slots share granules; with 8 KiB ones the span
 * outgrows the page table, which is rebuilt over thousands of chunks.
 */
#define RND_SLOTS 4096

static int
test_random_regions(size_t slot_sz)
{
	const struct rte_memzone *mz;
	struct rte_mempool_objsz sz;
	struct rte_mempool *mp;
	unsigned int flags = RTE_MEMPOOL_F_NO_IOVA_CONTIG, n = 0, i, j, t;
	unsigned int slot[RND_SLOTS], cnt[RND_SLOTS], nb = 0;
	size_t off[RND_SLOTS], len[RND_SLOTS];
	uint64_t seed = rte_rand();
	void *obj, *bad;
	char *base;

	rte_srand(seed);
	printf("random regions: seed %" PRIu64 "\n", seed);
	LT_ASSERT(rte_mempool_calc_obj_size(200, flags, &sz) != 0, "size");
	for (i = 0; i < RND_SLOTS; i++) {
		if (rte_rand() & 1)
			continue;
		cnt[nb] = 1 + rte_rand() % ((slot_sz / 2) / sz.total_size);
		len[nb] = (size_t)cnt[nb] * sz.total_size;
		off[nb] = (size_t)i * slot_sz + RTE_ALIGN_FLOOR(rte_rand() %
			(slot_sz - len[nb]), RTE_CACHE_LINE_SIZE);
		slot[nb] = nb;
		n += cnt[nb];
		nb++;
	}
	for (i = nb - 1; i > 0; i--) {
		j = (unsigned int)(rte_rand() % (i + 1));
		t = slot[i];
		slot[i] = slot[j];
		slot[j] = t;
	}
	mz = rte_memzone_reserve_aligned("rg_rnd_mz", RND_SLOTS * slot_sz,
			SOCKET_ID_ANY, 0, RTE_CACHE_LINE_SIZE);
	LT_ASSERT(mz != NULL, "memzone: %s", rte_strerror(rte_errno));
	base = mz->addr;
	mp = empty_pool("rg_rnd", n, 200, 0, flags);
	LT_ASSERT(mp != NULL, "pool");
	for (i = 0; i < nb; i++) {
		j = slot[i];
		LT_ASSERT_EQ(rte_mempool_populate_iova(mp, base + off[j],
			RTE_BAD_IOVA, len[j], NULL, NULL), (int)cnt[j],
			"region %u", j);
	}
	print_tables(mp);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), n, "every object");
	LT_ASSERT(check_full(mp, n) == 0, "all usable");
	/* Next to an object, or in the gap after a region: refused. */
	LT_ASSERT(rte_mempool_get(mp, &obj) == 0, "get");
	bad = (char *)obj + 8;
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &bad, 1), -EINVAL,
		"interior");
	bad = base + off[0] + len[0] + mp->header_size;
	LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &bad, 1), -EINVAL,
		"past a region");
	bad = base + off[0] - sz.total_size + mp->header_size;
	if (off[0] >= sz.total_size)
		LT_ASSERT_EQ(rte_mempool_ops_enqueue_bulk(mp, &bad, 1),
			-EINVAL, "before a region");
	rte_mempool_put(mp, obj);
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), n, "count unchanged");
	rte_mempool_free(mp);
	rte_memzone_free(mz);
	return 0;
}

static int
test_descending_all(void)
{
	LT_ASSERT(test_descending() == 0, "below, across a granule");
	LT_ASSERT(test_spread() == 0, "far apart, both directions");
	LT_ASSERT(test_random_regions(2048) == 0, "random regions, 2 KiB");
	LT_ASSERT(test_random_regions(8192) == 0, "random regions, 8 KiB");
	return 0;
}

/* Item 12: nothing logged on the data path. */

static int tel_sock = -1;
static char tel_reply[16384];

static int
tel_query(const char *cmd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	ssize_t n;

	if (tel_sock < 0) {
		snprintf(addr.sun_path, sizeof(addr.sun_path),
			"%s/dpdk_telemetry.v2", rte_eal_get_runtime_dir());
		tel_sock = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (tel_sock < 0 || connect(tel_sock, (struct sockaddr *)&addr,
				sizeof(addr)) != 0) {
			printf("cannot connect to %s\n", addr.sun_path);
			return -1;
		}
		/* The server greets with its version first. */
		if (recv(tel_sock, tel_reply, sizeof(tel_reply) - 1, 0) <= 0)
			return -1;
	}
	if (send(tel_sock, cmd, strlen(cmd), 0) < 0)
		return -1;
	n = recv(tel_sock, tel_reply, sizeof(tel_reply) - 1, 0);
	if (n <= 0)
		return -1;
	tel_reply[n] = '\0';
	printf("%s -> %s\n", cmd, tel_reply);
	return 0;
}

static int
ops_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
test_no_dp_log(void)
{
	struct rte_mempool *mp, *ring;
	const struct rte_mempool_ops *lab_ops;
	struct mt_counters c0, c1;
	char *log = NULL, *heap, *first;
	size_t log_len = 0;
	void *a, *x, *objs[4];
	FILE *f;
	int idx;

	mp = empty_pool("rg_log", 256, 64, 0, 0);
	LT_ASSERT(mp != NULL && rte_mempool_populate_default(mp) == 256,
		"pool");
	ring = rte_mempool_create("rg_log_ring", 255, 64, 0, 0, NULL, NULL,
			NULL, NULL, SOCKET_ID_ANY, 0);
	LT_ASSERT(ring != NULL, "ring pool: %s", rte_strerror(rte_errno));
	idx = ops_index(ops);
	LT_ASSERT(idx >= 0, "ops index");
	lab_ops = rte_mempool_get_ops(idx);
	heap = rte_malloc(NULL, 256, 64);
	LT_ASSERT(heap != NULL, "rte_malloc");
	LT_ASSERT(rte_mempool_get(mp, &a) == 0, "get");

	f = open_memstream(&log, &log_len);
	LT_ASSERT(f != NULL, "open_memstream");
	LT_ASSERT(rte_log_set_level_pattern("pmd.mempool.labyrinth",
		RTE_LOG_DEBUG) == 0, "log level");
	LT_ASSERT(rte_openlog_stream(f) == 0, "log stream");
	mt_counters(mp, &c0);

	/* Data path: a foreign object, a double return, and the driver's
	 * callbacks on a pool it did not set up (an ops table mix-up). */
	x = heap + 64;
	if (rte_mempool_ops_enqueue_bulk(mp, &x, 1) != -EINVAL)
		goto fail_restore;
	rte_mempool_put(mp, a);
	if (rte_mempool_ops_enqueue_bulk(mp, &a, 1) != -EALREADY)
		goto fail_restore;
	if (lab_ops->enqueue(ring, &x, 1) != -EINVAL ||
			lab_ops->dequeue(ring, objs, 1) != -EINVAL)
		goto fail_restore;
	fflush(f);
	if (log_len != 0) {
		printf("[%s()] the data path logged: %.*s\n", __func__,
			(int)log_len, log);
		goto fail_restore;
	}
	mt_counters(mp, &c1);
	if (c1.rejects - c0.rejects != 2) {
		printf("[%s()] rejects counted %" PRIu64 ", expected 2\n",
			__func__, c1.rejects - c0.rejects);
		goto fail_restore;
	}

	/* Control path: the telemetry read reports and logs a summary. */
	if (tel_query("/labyrinth/mempool,rg_log") != 0 ||
			strstr(tel_reply, "\"rejected_returns\":2") == NULL ||
			strstr(tel_reply, "\"bad_pool_calls\":2") == NULL) {
		printf("[%s()] telemetry counters wrong\n", __func__);
		goto fail_restore;
	}
	fflush(f);
	if (log_len == 0 || strstr(log, "rejected") == NULL) {
		printf("[%s()] no summary logged by the telemetry read\n",
			__func__);
		goto fail_restore;
	}
	printf("summary logged: %s", log);
	/* Freeing the pool logs its final summary (a second line). */
	rte_mempool_free(mp);
	fflush(f);
	first = strstr(log, "returns rejected");
	if (first == NULL || strstr(first + 1, "returns rejected") == NULL) {
		printf("[%s()] no summary logged by the free: %s\n", __func__,
			log);
		goto fail_restore;
	}
	rte_openlog_stream(NULL);
	fclose(f);
	free(log);
	rte_mempool_free(ring);
	rte_free(heap);
	return 0;

fail_restore:
	rte_openlog_stream(NULL);
	fclose(f);
	free(log);
	printf("[%s()] failed\n", __func__);
	return -1;
}

/* Item 10: two lcores return one object at once, in the mode of the ops
 * named on the command line (meson runs both). No dequeue runs between the
 * two returns of a round, so the bit's OR alone decides: exactly one
 * wins. */

#define RACE_ROUNDS 20000
#define RACE_N 64

static struct rte_mempool *race_mp;
static void *race_obj;
static uint32_t race_go, race_done;
static int race_res;

static int
race_worker(void *arg __rte_unused)
{
	uint32_t r;

	for (r = 1; r <= RACE_ROUNDS; r++) {
		/* Acquire: pairs with the main lcore's release of go, which
		 * publishes race_obj for this round. */
		while (__atomic_load_n(&race_go, __ATOMIC_ACQUIRE) != r)
			rte_pause();
		race_res = rte_mempool_ops_enqueue_bulk(race_mp, &race_obj, 1);
		/* Release: publishes race_res to the main lcore's acquire. */
		__atomic_store_n(&race_done, r, __ATOMIC_RELEASE);
	}
	return 0;
}

static int
test_race(void)
{
	unsigned int worker = rte_get_next_lcore(-1, 1, 0);
	unsigned int main_won = 0, worker_won = 0;
	struct mt_counters c0, c1;
	uint64_t t0, delay = 0;
	uint32_t r;
	int mine;

	if (worker >= RTE_MAX_LCORE) {
		printf("skip: needs 2 lcores (-l 0-1)\n");
		exit(LT_SKIP);
	}
	race_mp = empty_pool("rg_race", RACE_N, 64, 0, 0);
	LT_ASSERT(race_mp != NULL &&
		rte_mempool_populate_default(race_mp) == RACE_N, "pool");
	mt_counters(race_mp, &c0);
	rte_eal_remote_launch(race_worker, NULL, worker);
	for (r = 1; r <= RACE_ROUNDS; r++) {
		if (rte_mempool_ops_dequeue_bulk(race_mp, &race_obj, 1) != 0)
			break;
		/* Release: publishes race_obj; pairs with the worker. */
		__atomic_store_n(&race_go, r, __ATOMIC_RELEASE);
		/* Wait about as long as the worker takes to see go, so that
		 * the two returns collide: a delay tuned to either lcore
		 * winning half of the rounds. */
		t0 = rte_rdtsc();
		while (rte_rdtsc() - t0 < delay)
			rte_pause();
		mine = rte_mempool_ops_enqueue_bulk(race_mp, &race_obj, 1);
		/* Acquire: pairs with the worker's release of done. */
		while (__atomic_load_n(&race_done, __ATOMIC_ACQUIRE) != r)
			rte_pause();
		if (!((mine == 0 && race_res == -EALREADY) ||
				(mine == -EALREADY && race_res == 0))) {
			printf("round %u: main %d, worker %d\n", r, mine,
				race_res);
			break;
		}
		if (mine == 0) {
			main_won++;
			delay += 16;
		} else {
			worker_won++;
			delay -= RTE_MIN(delay, (uint64_t)16);
		}
		if (rte_mempool_avail_count(race_mp) != RACE_N) {
			printf("round %u: count %u\n", r,
				rte_mempool_avail_count(race_mp));
			break;
		}
	}
	if (r <= RACE_ROUNDS) {
		/* Let the worker finish its rounds. */
		for (; r <= RACE_ROUNDS; r++) {
			__atomic_store_n(&race_go, r, __ATOMIC_RELEASE);
			while (__atomic_load_n(&race_done, __ATOMIC_ACQUIRE) !=
					r)
				rte_pause();
		}
		rte_eal_wait_lcore(worker);
		return -1;
	}
	LT_ASSERT_EQ(rte_eal_wait_lcore(worker), 0, "worker");
	printf("%u rounds: main lcore won %u, worker %u (delay %" PRIu64
		" cycles)\n", RACE_ROUNDS, main_won, worker_won, delay);
	mt_counters(race_mp, &c1);
	LT_ASSERT_EQ(c1.rejects - c0.rejects, RACE_ROUNDS,
		"one rejected return a round");
	LT_ASSERT(check_full(race_mp, RACE_N) == 0, "full");
	rte_mempool_free(race_mp);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "lcore_flush", test_lcore_flush },
	{ "small_chunks", test_small_chunks },
	{ "nohuge_default", test_nohuge_default },
	{ "descending", test_descending_all },
	{ "no_dp_log", test_no_dp_log },
	{ "race", test_race },
	{ "strict_race", test_race },
};

int
main(int argc, char **argv)
{
	unsigned int i;
	int ret, k, no_huge = 0;

	for (k = 1; k < argc && strcmp(argv[k], "--") != 0; k++)
		if (strcmp(argv[k], "--no-huge") == 0)
			no_huge = 1;
	if (no_huge) {
		/* The case asks for --no-huge itself: plain EAL init. */
		ret = rte_eal_init(argc, argv);
		if (ret < 0) {
			printf("rte_eal_init failed: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
	} else {
		ret = lt_eal_init(argc, argv);
	}
	argc -= ret;
	argv += ret;
	if (argc < 2) {
		printf("usage: <EAL args> -- <case> [ops_name]\n");
		return 1;
	}
	if (argc > 2)
		ops = argv[2];
	for (i = 0; i < RTE_DIM(cases); i++)
		if (strcmp(argv[1], cases[i].name) == 0)
			break;
	if (i == RTE_DIM(cases)) {
		printf("unknown case %s\n", argv[1]);
		return 1;
	}
	printf("case %s, ops %s\n", cases[i].name, ops);
	ret = cases[i].fn();
	printf("%-40s %s\n", cases[i].name, ret == 0 ? "ok" : "FAILED");
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
