/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Unit tests of the control path: create (and every bad configuration),
 * lookup, destroy, walk, dump and the small getters.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "labyrinth.h"
#include "labyrinth_mempool.h"
#include "labyrinth_test.h"
#include "unit_common.h"

static struct labyrinth_conf
good_conf(const char *name)
{
	struct labyrinth_conf conf = {
		.name = name,
		.socket_id = (int)rte_socket_id(),
		.page_size = 4096,
		.nb_pages = 256,
		.reserve = 16,
		.cache_size = 32,
		.flags = 0,
	};

	return conf;
}

/*
 * Create with a bad configuration: NULL, rte_errno set to err, no memzone
 * left behind and no labyrinth of that name.
 */
static int
expect_create_fails(const struct labyrinth_conf *conf, int err,
		const char *what)
{
	unsigned int mz_before = lt_memzone_count();
	struct labyrinth *lab;
	int e;

	rte_errno = 0;
	lab = labyrinth_create(conf);
	e = rte_errno;
	if (lab != NULL) {
		printf("[%s()] %s: create succeeded\n", __func__, what);
		labyrinth_destroy(lab);
		return -1;
	}
	if (e != err) {
		printf("[%s()] %s: rte_errno %d (%s), expected %d (%s)\n",
			__func__, what, e, strerror(e), err, strerror(err));
		return -1;
	}
	LT_ASSERT_EQ(lt_memzone_count(), mz_before, "%s left a memzone", what);
	if (conf != NULL && conf->name != NULL && conf->name[0] != '\0' &&
			strlen(conf->name) < LABYRINTH_NAMESIZE)
		LT_ASSERT(labyrinth_lookup(conf->name) == NULL,
			"%s: lookup finds the failed labyrinth", what);
	return 0;
}

static int
test_create_bad_input(void)
{
	char long_name[LABYRINTH_NAMESIZE + 64];
	struct labyrinth_conf conf;
	struct labyrinth *lab;
	unsigned int mz_before = lt_memzone_count();
	int rc = 0;

	rc |= expect_create_fails(NULL, EINVAL, "NULL conf");
	conf = good_conf(NULL);
	rc |= expect_create_fails(&conf, EINVAL, "NULL name");
	conf = good_conf("");
	rc |= expect_create_fails(&conf, EINVAL, "empty name");

	memset(long_name, 'n', sizeof(long_name));
	long_name[LABYRINTH_NAMESIZE] = '\0';
	conf = good_conf(long_name);
	rc |= expect_create_fails(&conf, ENAMETOOLONG,
		"name of LABYRINTH_NAMESIZE chars");
	long_name[sizeof(long_name) - 1] = '\0';
	conf = good_conf(long_name);
	rc |= expect_create_fails(&conf, ENAMETOOLONG, "very long name");

	conf = good_conf("ut_bad");
	conf.nb_pages = 0;
	rc |= expect_create_fails(&conf, EINVAL, "nb_pages 0");

	conf = good_conf("ut_bad");
	conf.page_size = 3000;
	rc |= expect_create_fails(&conf, EINVAL, "page_size 3000");
	conf.page_size = 4097;
	rc |= expect_create_fails(&conf, EINVAL, "page_size 4097");
	conf.page_size = LABYRINTH_PAGE_SIZE_MIN / 2;
	rc |= expect_create_fails(&conf, EINVAL, "page_size below MIN");
	conf.page_size = 1;
	rc |= expect_create_fails(&conf, EINVAL, "page_size 1");
	conf.page_size = LABYRINTH_PAGE_SIZE_MAX * 2;
	rc |= expect_create_fails(&conf, EINVAL, "page_size above MAX");
	conf.page_size = UINT32_C(1) << 31;
	rc |= expect_create_fails(&conf, EINVAL, "page_size 2^31");

	conf = good_conf("ut_bad");
	conf.reserve = conf.nb_pages;
	rc |= expect_create_fails(&conf, EINVAL, "reserve == nb_pages");
	conf.reserve = conf.nb_pages + 1;
	rc |= expect_create_fails(&conf, EINVAL, "reserve > nb_pages");
	conf.reserve = UINT32_MAX;
	rc |= expect_create_fails(&conf, EINVAL, "reserve UINT32_MAX");

	conf = good_conf("ut_bad");
	conf.cache_size = LABYRINTH_CACHE_MAX + 1;
	rc |= expect_create_fails(&conf, EINVAL, "cache_size above MAX");

	conf = good_conf("ut_bad");
	conf.flags = LABYRINTH_F_MASK + 1;
	rc |= expect_create_fails(&conf, EINVAL, "unknown flag");
	conf.flags = UINT32_C(1) << 31;
	rc |= expect_create_fails(&conf, EINVAL, "flag bit 31");

	conf = good_conf("ut_bad");
	conf.socket_id = 1000;
	rc |= expect_create_fails(&conf, EINVAL, "socket_id 1000");
	conf.socket_id = -2;
	rc |= expect_create_fails(&conf, EINVAL, "socket_id -2");

	/* "Too large" may be caught by validation or by the allocation. */
	conf = good_conf("ut_bad");
	conf.nb_pages = UINT32_MAX;
	conf.reserve = 0;
	rte_errno = 0;
	lab = labyrinth_create(&conf);
	if (lab != NULL) {
		labyrinth_destroy(lab);
		LT_ASSERT(0, "nb_pages UINT32_MAX: create succeeded");
	}
	LT_ASSERT(rte_errno == EINVAL || rte_errno == ENOMEM,
		"nb_pages UINT32_MAX: rte_errno %d", rte_errno);
	LT_ASSERT_EQ(lt_memzone_count(), mz_before, "nb_pages UINT32_MAX");

	if (rc != 0)
		return -1;

	/* No side effect: the name is still free. */
	conf = good_conf("ut_bad");
	lab = labyrinth_create(&conf);
	LT_ASSERT(lab != NULL, "good create after failures: %s",
		rte_strerror(rte_errno));
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	LT_ASSERT_EQ(lt_memzone_count(), mz_before, "memzones after destroy");
	return 0;
}

static int
test_create_limits(void)
{
	char name[LABYRINTH_NAMESIZE];
	char copy[LABYRINTH_NAMESIZE];
	struct labyrinth_conf conf;
	struct labyrinth *lab, *lab2;
	void *p;

	/* Longest name: LABYRINTH_NAMESIZE - 1 characters. */
	memset(name, 'L', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memcpy(copy, name, sizeof(name));
	conf = good_conf(name);
	lab = labyrinth_create(&conf);
	LT_ASSERT(lab != NULL, "name of %zu chars: %s", strlen(name),
		rte_strerror(rte_errno));
	/* conf->name is copied. */
	name[0] = 'X';
	LT_ASSERT(labyrinth_name(lab) != NULL &&
		strcmp(labyrinth_name(lab), copy) == 0, "name not copied");
	LT_ASSERT(labyrinth_lookup(copy) == lab, "lookup by name");
	LT_ASSERT_EQ(labyrinth_page_size(lab), 4096, "");

	/* page_size 0 means 4096; MIN and MAX are accepted. */
	conf = good_conf("ut_ps0");
	conf.page_size = 0;
	lab2 = labyrinth_create(&conf);
	LT_ASSERT(lab2 != NULL, "page_size 0: %s", rte_strerror(rte_errno));
	LT_ASSERT_EQ(labyrinth_page_size(lab2), LABYRINTH_PAGE_SIZE_DEFAULT,
		"");
	LT_ASSERT_EQ(labyrinth_destroy(lab2), 0, "");

	conf = good_conf("ut_psmin");
	conf.page_size = LABYRINTH_PAGE_SIZE_MIN;
	lab2 = labyrinth_create(&conf);
	LT_ASSERT(lab2 != NULL, "page_size MIN: %s", rte_strerror(rte_errno));
	LT_ASSERT_EQ(labyrinth_page_size(lab2), LABYRINTH_PAGE_SIZE_MIN, "");
	p = labyrinth_alloc_page(lab2, 0);
	LT_ASSERT(p != NULL, "grab from a MIN page size labyrinth");
	LT_ASSERT(((uintptr_t)p & (LABYRINTH_PAGE_SIZE_MIN - 1)) == 0,
		"page %p not aligned", p);
	memset(p, 0x5a, LABYRINTH_PAGE_SIZE_MIN);
	LT_ASSERT_EQ(labyrinth_free_page(lab2, p), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab2), 0, "");

	conf = good_conf("ut_psmax");
	conf.page_size = LABYRINTH_PAGE_SIZE_MAX;
	conf.nb_pages = 8;
	conf.reserve = 0;
	conf.cache_size = 0;
	lab2 = labyrinth_create(&conf);
	LT_ASSERT(lab2 != NULL, "page_size MAX: %s", rte_strerror(rte_errno));
	LT_ASSERT_EQ(labyrinth_page_size(lab2), LABYRINTH_PAGE_SIZE_MAX, "");
	p = labyrinth_alloc_page(lab2, 0);
	LT_ASSERT(p != NULL, "grab from a MAX page size labyrinth");
	LT_ASSERT(((uintptr_t)p & (LABYRINTH_PAGE_SIZE_MAX - 1)) == 0,
		"page %p not aligned", p);
	memset(p, 0x5a, LABYRINTH_PAGE_SIZE_MAX);
	LT_ASSERT_EQ(labyrinth_free_page(lab2, p), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab2), 0, "");

	/* Largest cache, reserve nb_pages - 1, the debug flag. */
	conf = good_conf("ut_maxes");
	conf.cache_size = LABYRINTH_CACHE_MAX;
	conf.reserve = conf.nb_pages - 1;
	conf.flags = LABYRINTH_F_DEBUG;
	lab2 = labyrinth_create(&conf);
	LT_ASSERT(lab2 != NULL, "cache MAX, reserve nb_pages - 1: %s",
		rte_strerror(rte_errno));
	LT_ASSERT_EQ(labyrinth_destroy(lab2), 0, "");

	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

static int
test_create_duplicate(void)
{
	struct labyrinth_conf conf = good_conf("ut_dup");
	struct labyrinth *lab, *lab2;
	unsigned int mz;

	lab = labyrinth_create(&conf);
	LT_ASSERT(lab != NULL, "%s", rte_strerror(rte_errno));
	mz = lt_memzone_count();
	LT_ASSERT_NULL_ERRNO(labyrinth_create(&conf), EEXIST);
	/* Another configuration, same name: still EEXIST. */
	conf.nb_pages = 64;
	conf.reserve = 0;
	LT_ASSERT_NULL_ERRNO(labyrinth_create(&conf), EEXIST);
	LT_ASSERT_EQ(lt_memzone_count(), mz, "failed create changed memzones");
	LT_ASSERT(labyrinth_lookup("ut_dup") == lab, "lookup");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	lab2 = labyrinth_create(&conf);
	LT_ASSERT(lab2 != NULL, "create after destroy: %s",
		rte_strerror(rte_errno));
	LT_ASSERT_EQ(labyrinth_destroy(lab2), 0, "");
	return 0;
}

static int
test_lookup_destroy(void)
{
	struct labyrinth_conf conf = good_conf("ut_life");
	unsigned int mz_before = lt_memzone_count();
	struct labyrinth *lab;
	void *p, *q, *blk;
	unsigned int i;

	LT_ASSERT_NULL_ERRNO(labyrinth_lookup(NULL), EINVAL);
	LT_ASSERT_NULL_ERRNO(labyrinth_lookup("ut_nosuch"), ENOENT);
	LT_ASSERT_EQ(labyrinth_destroy(NULL), -EINVAL, "");

	lab = labyrinth_create(&conf);
	LT_ASSERT(lab != NULL, "%s", rte_strerror(rte_errno));
	LT_ASSERT(lt_memzone_count() > mz_before, "no memzone reserved");
	LT_ASSERT(labyrinth_lookup("ut_life") == lab, "lookup");

	/* A held page: -EBUSY, and nothing changes. */
	p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);
	LT_ASSERT(p != NULL, "grab");
	LT_ASSERT_EQ(labyrinth_destroy(lab), -EBUSY, "with a held page");
	LT_ASSERT(labyrinth_lookup("ut_life") == lab, "lookup after -EBUSY");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, p), (int)rte_lcore_id(), "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), conf.nb_pages - 1, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	/* It still works. */
	q = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);
	LT_ASSERT(q != NULL && q != p, "grab after -EBUSY");
	LT_ASSERT_EQ(labyrinth_free_page(lab, q), 0, "");
	LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");

	/* A held block: -EBUSY. */
	blk = labyrinth_alloc_pages(lab, LABYRINTH_GFP_NORMAL, 3);
	LT_ASSERT(blk != NULL, "grab order 3");
	LT_ASSERT_EQ(labyrinth_destroy(lab), -EBUSY, "destroy with a block");
	LT_ASSERT_EQ(labyrinth_free_pages(lab, blk, 3), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(lab), conf.nb_pages, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");

	/* Pages parked in this lcore's cache do not make it busy. */
	for (i = 0; i < 5; i++) {
		p = labyrinth_alloc_page(lab, LABYRINTH_GFP_NORMAL);
		LT_ASSERT(p != NULL, "grab %u", i);
		LT_ASSERT_EQ(labyrinth_free_page(lab, p), 0, "");
	}
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "destroy with cached pages");
	LT_ASSERT_NULL_ERRNO(labyrinth_lookup("ut_life"), ENOENT);
	LT_ASSERT_EQ(lt_memzone_count(), mz_before, "memzones after destroy");
	return 0;
}

struct walk_ctx {
	unsigned int total;
	unsigned int found_a;
	unsigned int found_b;
};

static void
walk_cb(struct labyrinth *lab, void *arg)
{
	struct walk_ctx *ctx = arg;
	const char *name = labyrinth_name(lab);

	ctx->total++;
	if (name != NULL && strcmp(name, "ut_walk_a") == 0)
		ctx->found_a++;
	if (name != NULL && strcmp(name, "ut_walk_b") == 0)
		ctx->found_b++;
}

static int
test_walk_dump(void)
{
	struct labyrinth_conf ca = good_conf("ut_walk_a");
	struct labyrinth_conf cb = good_conf("ut_walk_b");
	struct walk_ctx ctx = { 0 };
	struct labyrinth *a, *b;
	char buf[8192];
	size_t len;
	FILE *f;
	void *p;

	a = labyrinth_create(&ca);
	LT_ASSERT(a != NULL, "%s", rte_strerror(rte_errno));
	b = labyrinth_create(&cb);
	LT_ASSERT(b != NULL, "%s", rte_strerror(rte_errno));

	labyrinth_walk(walk_cb, &ctx);
	LT_ASSERT_EQ(ctx.found_a, 1, "");
	LT_ASSERT_EQ(ctx.found_b, 1, "");
	LT_ASSERT_EQ(ctx.total, 2, "labyrinths seen by walk");

	p = labyrinth_alloc_page(a, 0);
	LT_ASSERT(p != NULL, "");
	f = tmpfile();
	LT_ASSERT(f != NULL, "tmpfile");
	labyrinth_dump(f, a);
	fflush(f);
	LT_ASSERT(ftell(f) > 0, "dump wrote nothing");
	rewind(f);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	buf[len] = '\0';
	fclose(f);
	LT_ASSERT(strstr(buf, "ut_walk_a") != NULL,
		"dump does not name the labyrinth:\n%s", buf);
	LT_ASSERT_EQ(labyrinth_free_page(a, p), 0, "");

	LT_ASSERT_EQ(labyrinth_destroy(a), 0, "");
	memset(&ctx, 0, sizeof(ctx));
	labyrinth_walk(walk_cb, &ctx);
	LT_ASSERT_EQ(ctx.found_a, 0, "walk sees a destroyed labyrinth");
	LT_ASSERT_EQ(ctx.found_b, 1, "");
	LT_ASSERT_EQ(labyrinth_destroy(b), 0, "");
	return 0;
}

/* Every getter and control call given NULL or a bad argument. */
static int
test_null_arguments(void)
{
	struct labyrinth_conf conf = good_conf("ut_null");
	struct labyrinth_stats st;
	struct labyrinth *lab;
	void *pages[4];
	int socket = (int)rte_socket_id();
	int other;

	lab = labyrinth_create(&conf);
	LT_ASSERT(lab != NULL, "%s", rte_strerror(rte_errno));

	LT_ASSERT(labyrinth_name(NULL) == NULL, "");
	LT_ASSERT_EQ(labyrinth_page_size(NULL), 0, "");
	LT_ASSERT_EQ(labyrinth_free_count(NULL), 0, "");
	LT_ASSERT_EQ(labyrinth_audit(NULL), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_stats_get(NULL, &st), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_stats_get(lab, NULL), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_pressure(NULL, SOCKET_ID_ANY), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_pressure(NULL, socket), -EINVAL, "");
	/* A socket the labyrinth has no zone on. */
	other = socket + 1;
	LT_ASSERT_EQ(labyrinth_pressure(lab, other), -EINVAL,
		"pressure of socket %d (zone only on %d)", other, socket);
	LT_ASSERT_EQ(labyrinth_pressure(lab, 1000), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_pressure(lab, socket), LABYRINTH_PRESSURE_NONE,
		"");
	LT_ASSERT_EQ(labyrinth_pressure(lab, SOCKET_ID_ANY),
		LABYRINTH_PRESSURE_NONE, "");
	labyrinth_cache_flush(NULL);
	LT_ASSERT_EQ(labyrinth_free_bulk(NULL, pages, 1), 0, "");
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, NULL, 3), 0, "");
	LT_ASSERT_EQ(labyrinth_page_owner(NULL, pages), -EINVAL, "");
	LT_ASSERT(labyrinth_page_iova(NULL, pages) == RTE_BAD_IOVA, "");
	LT_ASSERT_EQ(labyrinth_page_socket(NULL, pages), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_page_owner(lab, NULL), -EINVAL, "");
	LT_ASSERT(labyrinth_page_iova(lab, NULL) == RTE_BAD_IOVA, "");
	LT_ASSERT_EQ(labyrinth_page_socket(lab, NULL), -EINVAL, "");
	LT_ASSERT_EQ(labyrinth_mempool_check(NULL), -EINVAL, "");

	LT_ASSERT_EQ(labyrinth_free_count(lab), conf.nb_pages, "");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "");
	LT_ASSERT_EQ(labyrinth_destroy(lab), 0, "");
	return 0;
}

/* A mempool that is not a labyrinth pool passes labyrinth_mempool_check. */
static int
test_mempool_check_plain(void)
{
	struct rte_mempool *mp;
	int rc;

	mp = rte_mempool_create("ut_plain_mp", 255, 64, 0, 0, NULL, NULL,
		NULL, NULL, (int)rte_socket_id(), 0);
	if (mp == NULL) {
		printf("cannot create a ring mempool (%s): skipped\n",
			rte_strerror(rte_errno));
		return LT_SKIP;
	}
	rc = labyrinth_mempool_check(mp);
	rte_mempool_free(mp);
	LT_ASSERT_EQ(rc, 0, "plain ring mempool");
	return 0;
}

/* destroy() of memory that is not a labyrinth: -EINVAL, no crash. */
static int
test_destroy_not_labyrinth(void)
{
	void *junk = calloc(1, 1 << 20);
	int rc;

	LT_ASSERT(junk != NULL, "calloc");
	rc = labyrinth_destroy(junk);
	free(junk);
	LT_ASSERT_EQ(rc, -EINVAL, "destroy of a zeroed buffer");
	return 0;
}

int
main(int argc, char **argv)
{
	int failures = 0, skipped = 0;

	lt_eal_init(argc, argv);

	LT_RUN(test_create_bad_input, failures);
	LT_RUN(test_create_limits, failures);
	LT_RUN(test_create_duplicate, failures);
	LT_RUN(test_lookup_destroy, failures);
	LT_RUN(test_walk_dump, failures);
	LT_RUN(test_null_arguments, failures);
	LT_RUN_SKIPPABLE(test_mempool_check_plain, failures, skipped);
	LT_RUN(test_destroy_not_labyrinth, failures);

	rte_eal_cleanup();
	printf("%d failed, %d skipped\n", failures, skipped);
	return failures == 0 ? 0 : 1;
}
