/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef MEMPOOL_TEST_H
#define MEMPOOL_TEST_H

/*
 * Helpers of the mempool driver tests: a structural audit of a labyrinth
 * pool's shared header, and loading a plugin with -d from a folder EAL
 * accepts.
 */

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth_mempool_priv.h"
#include "labyrinth_test.h"

/* Counters of a labyrinth pool, summed over all lcore slots. */
struct mt_counters {
	uint64_t claims, returns, rejects, fails;
};

static inline struct labyrinth_mempool_hdr *
mt_hdr(const struct rte_mempool *mp)
{
	return mp->pool_data;
}

static inline void
mt_counters(const struct rte_mempool *mp, struct mt_counters *c)
{
	const struct labyrinth_mempool_hdr *h = mt_hdr(mp);
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i <= RTE_MAX_LCORE; i++) {
		c->claims += h->lcore[i].claims;
		c->returns += h->lcore[i].returns;
		c->rejects += h->lcore[i].rejects;
		c->fails += h->lcore[i].dequeue_fails;
	}
}

/* Objects the driver holds free: rte_mempool_avail_count minus caches. */
static inline unsigned int
mt_driver_count(const struct rte_mempool *mp)
{
	unsigned int i, cached = 0;

	if (mp->cache_size != 0)
		for (i = 0; i < RTE_MAX_LCORE; i++)
			cached += mp->local_cache[i].len;
	return rte_mempool_avail_count(mp) - cached;
}

static inline uint32_t
mt_state(const struct labyrinth_mempool_hdr *h, uint32_t i)
{
	return h->state[i];
}

/*
 * Structural audit of a quiet pool: map budget == map bits; an object's
 * state is FREE exactly when its bit is set (objects in mempool caches are
 * held as far as the driver knows); and map bits == the driver's count.
 * Returns 0 or -1.
 */
static inline int
mt_audit(const struct rte_mempool *mp)
{
	const struct labyrinth_mempool_hdr *h = mt_hdr(mp);
	const struct labyrinth_map *m = &h->map;
	uint32_t bits = labyrinth_map_count_bits(m), i;

	LT_ASSERT(h->magic == LABYRINTH_MEMPOOL_MAGIC, "magic");
	LT_ASSERT_EQ(m->avail, bits, "budget == set bits when quiet");
	for (i = 0; i < h->nb_objs; i++) {
		bool is_free = labyrinth_map_test(m, i);

		if (is_free != (mt_state(h, i) == LABYRINTH_MEMPOOL_OBJ_FREE)) {
			printf("object %u: state %u, free %d\n", i,
				mt_state(h, i), is_free);
			return -1;
		}
	}
	LT_ASSERT_EQ(bits, mt_driver_count(mp), "map bits == driver count");
	return 0;
}

/* Whether path or a folder above it is world-writable. */
static inline int
mt_world_writable_above(const char *path)
{
	char buf[PATH_MAX], *slash;
	struct stat st;

	if (realpath(path, buf) == NULL)
		return 1;
	for (;;) {
		slash = strrchr(buf, '/');
		if (slash == NULL)
			return 1;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(buf, &st) != 0 || (st.st_mode & S_IWOTH) != 0)
			return 1;
		if (strcmp(buf, "/") == 0)
			return 0;
	}
}

static inline int
mt_copy_file(const char *src, const char *dst)
{
	char tmp[PATH_MAX], buf[65536];
	ssize_t n;
	int in, out, ret = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", dst, (int)getpid());
	in = open(src, O_RDONLY);
	if (in < 0)
		return -1;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			goto out;
	if (n == 0 && fchmod(out, 0755) == 0)
		ret = 0;
out:
	close(in);
	if (close(out) != 0)
		ret = -1;
	/* rename: a concurrent reader never sees a half-written plugin. */
	if (ret == 0 && rename(tmp, dst) != 0)
		ret = -1;
	if (ret != 0)
		unlink(tmp);
	return ret;
}

/*
 * The -d argument for a plugin: the file named by environment variable
 * env_src is copied into folder getenv("LT_PLUGIN_DIR") (created 0755).
 * EAL refuses a plugin below a world-writable folder; if one is above the
 * copy, the bare file name is returned instead: EAL dlopen()s a name that
 * is not a path without that check, and the test's LD_LIBRARY_PATH (set by
 * meson) includes the folder. Exits 1 on error.
 */
static inline const char *
mt_plugin_arg(const char *env_src)
{
	static char out[4][PATH_MAX];
	static int next;
	const char *src = getenv(env_src), *dir = getenv("LT_PLUGIN_DIR");
	const char *base;
	char *dst = out[next++ % 4];

	if (src == NULL || dir == NULL) {
		printf("%s and LT_PLUGIN_DIR must be set (meson does)\n",
			env_src);
		exit(1);
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		printf("mkdir %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	chmod(dir, 0755);
	base = strrchr(src, '/');
	base = base != NULL ? base + 1 : src;
	snprintf(dst, PATH_MAX, "%s/%s", dir, base);
	if (mt_copy_file(src, dst) != 0) {
		printf("cannot copy %s to %s\n", src, dst);
		exit(1);
	}
	if (mt_world_writable_above(dst)) {
		printf("note: a folder above %s is world-writable; loading "
			"%s by name through LD_LIBRARY_PATH\n", dst, base);
		snprintf(dst, PATH_MAX, "%s", base);
	}
	return dst;
}

#endif /* MEMPOOL_TEST_H */
