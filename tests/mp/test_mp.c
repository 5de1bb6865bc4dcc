/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Multi-process test: a secondary process attaches to a labyrinth by name
 * and to a labyrinth-backed mempool, and grabs and frees pages and objects
 * concurrently with the primary; pages also cross between the processes
 * (grabbed in one, freed in the other) through two rte_rings.
 *
 * Usage (meson passes it): test_mp <EAL args of the primary, with
 *   --file-prefix and lcores 0-1> -- <plugin> <stack plugin> [ops]
 *   plugin: libmempool_labyrinth.so (the driver), loaded with -d by both
 *   processes; stack plugin: another mempool driver, loaded before ours by
 *   the mismatching secondary; ops: grabs per process (default 1000000).
 *   Both processes load copies of the plugins from a folder EAL accepts
 *   (tests/lt_plugin.h; LT_PLUGIN_DIR), wherever the checkout sits.
 *
 * The primary runs lcore 0 and creates the labyrinth "mpt" with slots for
 * lcores 0 and 1; the secondary (-l 1) uses slot 1, so the two never share
 * a per-lcore cache. Every grabbed page and object gets an owner word
 * (process, sequence) claimed with a CAS from 0: a second holder of the
 * same page would find it non-zero. After both finish, the primary checks
 * free count == total, audit clean, grabs == frees over both processes,
 * and a full mempool.
 *
 * Then a second secondary loads the stack driver before ours (-d stack
 * -d labyrinth): its ops index for the pool names "stack", and
 * labyrinth_mempool_check() must refuse with its message; the secondary
 * exits with MP_EXIT_REFUSED and the primary checks both.
 *
 * Needs hugepages (a secondary cannot attach to a --no-huge primary):
 * exits 77 without them.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_memzone.h>
#include <rte_pause.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "labyrinth.h"
#include "labyrinth_mempool.h"
#include "labyrinth_test.h"
#include "lt_plugin.h"

#define LAB_NAME "mpt"
#define POOL_NAME "mpt_pool"
#define CTL_NAME "mpt_ctl"
#define NB_PAGES 4096u
#define CACHE 64u
#define POOL_SIZE 4095u
#define OBJ_SIZE 64u
#define RING_SIZE 512u
#define BURST 16u

#define MP_EXIT_REFUSED 3     /* mismatch secondary: check refused */
#define MP_EXIT_NOT_REFUSED 4 /* mismatch secondary: check said 0 */
#define MP_WAIT_S 120         /* longest wait for the other process */

/* Shared control block (memzone CTL_NAME); index 0 primary, 1 secondary. */
struct mp_ctl {
	uint32_t ready;          /* secondary attached */
	uint32_t go;             /* primary says start */
	uint32_t done[2];        /* finished sending pages */
	uint64_t grabs[2];       /* blocks grabbed */
	uint64_t grab_fails[2];
	uint64_t sent[2];        /* pages handed to the other process */
	uint64_t received[2];    /* pages freed for the other process */
	uint64_t obj_gets[2];    /* objects taken from the mempool */
	uint64_t errors[2];
};

static struct mp_ctl *ctl;
static struct labyrinth *lab;
static struct rte_mempool *mp;
static struct rte_ring *ring_to[2]; /* ring_to[i]: pages for process i */

static uint64_t
stamp(unsigned int me, uint64_t seq)
{
	return ((uint64_t)(me + 1) << 56) | (seq & ((UINT64_C(1) << 56) - 1));
}

#define MP_ERR(me, fmt, ...) do { \
	printf("[%s] %s():%d: " fmt "\n", (me) ? "secondary" : "primary", \
		__func__, __LINE__, ##__VA_ARGS__); \
	/* Relaxed: a counter read after the processes are done. */ \
	__atomic_fetch_add(&ctl->errors[me], 1, __ATOMIC_RELAXED); \
} while (0)

/*
 * Claim an owner word (the first 8 bytes of a page or object) that must be
 * 0. Acquire on success pairs with the release store in release_word()
 * by the previous holder, possibly in the other process.
 */
static bool
claim_word(uint64_t *w, uint64_t v, uint64_t *found)
{
	*found = 0;
	/* Acquire on success: see above; relaxed on failure: we only report
	 * what we found. */
	return __atomic_compare_exchange_n(w, found, v, false,
		__ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void
release_word(uint64_t *w)
{
	/* Release: our writes to the page happen-before the next holder's
	 * claim (the labyrinth's own map put orders them as well). */
	__atomic_store_n(w, 0, __ATOMIC_RELEASE);
}

/* Free a page we hold, checking its owner word first. */
static void
page_release(unsigned int me, void *p, unsigned int order, uint64_t want)
{
	uint64_t *w = p;
	/* Relaxed: we hold the page; only a buggy second holder writes. */
	uint64_t v = __atomic_load_n(w, __ATOMIC_RELAXED);
	int ret;

	if (v != want)
		MP_ERR(me, "page %p: owner word %#" PRIx64 ", want %#" PRIx64,
			p, v, want);
	release_word(w);
	ret = labyrinth_free_pages(lab, p, order);
	if (ret != 0)
		MP_ERR(me, "free of %p order %u: %d", p, order, ret);
}

/* Free the pages the other process sent us. */
static unsigned int
drain_incoming(unsigned int me)
{
	void *v[BURST];
	unsigned int n, i, total = 0;
	int owner;

	while ((n = rte_ring_dequeue_burst(ring_to[me], v, BURST, NULL)) > 0) {
		for (i = 0; i < n; i++) {
			/* Relaxed: the ring's dequeue acquired the page. */
			uint64_t w = __atomic_load_n((uint64_t *)v[i],
				__ATOMIC_RELAXED);

			if (w >> 56 != (uint64_t)(!me) + 1)
				MP_ERR(me, "received page %p with owner word "
					"%#" PRIx64, v[i], w);
			owner = labyrinth_page_owner(lab, v[i]);
			if (owner != (int)!me)
				MP_ERR(me, "received page %p owned by %d",
					v[i], owner);
			page_release(me, v[i], 0, w);
		}
		total += n;
	}
	ctl->received[me] += total;
	return total;
}

/* Some objects from the mempool: claim, check, give back. */
static void
objects_round(unsigned int me, uint64_t seq)
{
	void *objs[BURST];
	unsigned int n = 1 + (unsigned int)(rte_rand() % BURST), i;
	uint64_t found;

	if (mp == NULL || rte_mempool_get_bulk(mp, objs, n) != 0)
		return;
	for (i = 0; i < n; i++)
		if (!claim_word(objs[i], stamp(me, seq + i), &found))
			MP_ERR(me, "object %p is held by %#" PRIx64, objs[i],
				found);
	for (i = 0; i < n; i++)
		release_word(objs[i]);
	rte_mempool_put_bulk(mp, objs, n);
	ctl->obj_gets[me] += n;
}

/* The concurrent part, run by both processes. */
static void
work(unsigned int me, uint64_t ops)
{
	uint64_t seq, found;
	unsigned int lcore = rte_lcore_id();
	time_t t0;

	for (seq = 1; seq <= ops; seq++) {
		unsigned int order = (seq & 7) == 0 ?
			(unsigned int)(rte_rand() % 4) : 0;
		void *p = labyrinth_alloc_pages(lab, LABYRINTH_GFP_NORMAL, order);
		uint64_t st = stamp(me, seq);

		if ((seq & 31) == 0) {
			drain_incoming(me);
			objects_round(me, seq);
		}
		if (p == NULL) {
			ctl->grab_fails[me]++;
			drain_incoming(me);
			continue;
		}
		ctl->grabs[me]++;
		if (!claim_word(p, st, &found)) {
			MP_ERR(me, "page %p order %u is held by %#" PRIx64, p,
				order, found);
			continue; /* leave it: the final count will show it */
		}
		if (labyrinth_page_owner(lab, p) != (int)lcore)
			MP_ERR(me, "page %p owner %d, want %u", p,
				labyrinth_page_owner(lab, p), lcore);
		if (order == 0 && (seq & 3) == 1 &&
				rte_ring_enqueue(ring_to[!me], p) == 0) {
			ctl->sent[me]++;
			continue;
		}
		page_release(me, p, order, st);
	}
	/* Release: our sent/received counters and every enqueue happen-before
	 * the other process's acquire load of done[me]. */
	__atomic_store_n(&ctl->done[me], 1, __ATOMIC_RELEASE);
	t0 = time(NULL);
	/* Acquire: pairs with the other's release store above; after it, all
	 * the pages it sent us are in the ring. */
	while (!__atomic_load_n(&ctl->done[!me], __ATOMIC_ACQUIRE)) {
		drain_incoming(me);
		if (time(NULL) - t0 > MP_WAIT_S) {
			MP_ERR(me, "the other process never finished");
			break;
		}
	}
	drain_incoming(me);
}

static int
attach(unsigned int me)
{
	const struct rte_memzone *mz = rte_memzone_lookup(CTL_NAME);

	if (mz == NULL) {
		printf("no %s memzone\n", CTL_NAME);
		return -1;
	}
	ctl = mz->addr;
	lab = labyrinth_lookup(LAB_NAME);
	if (lab == NULL) {
		printf("labyrinth_lookup(%s): %s\n", LAB_NAME,
			rte_strerror(rte_errno));
		return -1;
	}
	ring_to[0] = rte_ring_lookup("mpt_to0");
	ring_to[1] = rte_ring_lookup("mpt_to1");
	if (ring_to[0] == NULL || ring_to[1] == NULL) {
		printf("ring lookup failed\n");
		return -1;
	}
	mp = rte_mempool_lookup(POOL_NAME); /* NULL: no driver plugin */
	RTE_SET_USED(me);
	return 0;
}

/* The secondary process, role "work" or "mismatch". */
static int
secondary_main(const char *role, uint64_t ops)
{
	struct labyrinth_conf conf = {
		.name = "mpt_sec", .socket_id = SOCKET_ID_ANY, .nb_pages = 64,
	};
	int ret;

	if (attach(1) != 0)
		return 1;
	if (strcmp(role, "mismatch") == 0) {
		if (mp == NULL) {
			printf("secondary: no mempool %s\n", POOL_NAME);
			return 1;
		}
		printf("secondary: ops index %d of %s is \"%s\" here\n",
			mp->ops_index, POOL_NAME,
			rte_mempool_get_ops(mp->ops_index)->name);
		ret = labyrinth_mempool_check(mp);
		if (ret == -EXDEV) {
			printf("secondary: labyrinth_mempool_check refused the "
				"pool (-EXDEV); exiting cleanly\n");
			return MP_EXIT_REFUSED;
		}
		printf("secondary: labyrinth_mempool_check returned %d\n", ret);
		return MP_EXIT_NOT_REFUSED;
	}
	if (mp != NULL && (ret = labyrinth_mempool_check(mp)) != 0) {
		printf("secondary: labyrinth_mempool_check: %d\n", ret);
		return 1;
	}
	/* Creating is the primary's job. */
	rte_errno = 0;
	if (labyrinth_create(&conf) != NULL || rte_errno != E_RTE_SECONDARY) {
		printf("secondary: labyrinth_create did not refuse: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	/* Release: our lookups are done; pairs with the primary's acquire. */
	__atomic_store_n(&ctl->ready, 1, __ATOMIC_RELEASE);
	/* Acquire: pairs with the primary's release store of go. */
	while (!__atomic_load_n(&ctl->go, __ATOMIC_ACQUIRE))
		rte_pause();
	work(1, ops);
	return 0;
}

static char self[PATH_MAX];
static char prefix_arg[128];
static const char *plugin;   /* our driver, or NULL */
static const char *other;    /* another mempool driver, or NULL */
static uint64_t ops = 1000000;

/*
 * Start ourselves as a secondary: lcore 1, the same file prefix, the given
 * plugins in that order. With out_fd >= 0, its stdout and stderr go there.
 */
static pid_t
spawn_secondary(const char *role, const char *plug1, const char *plug2,
		uint64_t ops, int out_fd)
{
	char ops_s[32];
	char *args[32];
	int n = 0;
	pid_t pid;

	snprintf(ops_s, sizeof(ops_s), "%" PRIu64, ops);
	args[n++] = self;
	args[n++] = (char *)(uintptr_t)"-l";
	args[n++] = (char *)(uintptr_t)"1";
	args[n++] = (char *)(uintptr_t)"--proc-type=secondary";
	args[n++] = prefix_arg;
	args[n++] = (char *)(uintptr_t)"--no-pci";
	args[n++] = (char *)(uintptr_t)"--log-level=lib.eal:error";
	if (plug1 != NULL) {
		args[n++] = (char *)(uintptr_t)"-d";
		args[n++] = (char *)(uintptr_t)plug1;
	}
	if (plug2 != NULL) {
		args[n++] = (char *)(uintptr_t)"-d";
		args[n++] = (char *)(uintptr_t)plug2;
	}
	args[n++] = (char *)(uintptr_t)"--";
	args[n++] = (char *)(uintptr_t)"secondary";
	args[n++] = (char *)(uintptr_t)role;
	args[n++] = ops_s;
	args[n] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (out_fd >= 0) {
			dup2(out_fd, STDOUT_FILENO);
			dup2(out_fd, STDERR_FILENO);
		}
		execv(self, args);
		_exit(127);
	}
	return pid;
}

/* Wait for a child with a deadline; returns its wait status or -1. */
static int
wait_child(pid_t pid, int seconds)
{
	int status;
	time_t t0 = time(NULL);

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (time(NULL) - t0 > seconds) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("secondary %d timed out\n", (int)pid);
			return -1;
		}
		usleep(10000);
	}
	return status;
}

static int
test_concurrent(void)
{
	struct labyrinth_stats st;
	pid_t pid;
	int status;
	time_t t0;
	uint64_t t_start, t_end;

	pid = spawn_secondary("work", plugin, NULL, ops, -1);
	LT_ASSERT(pid > 0, "fork failed");
	t0 = time(NULL);
	/* Acquire: pairs with the secondary's release store of ready. */
	while (!__atomic_load_n(&ctl->ready, __ATOMIC_ACQUIRE)) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			printf("secondary exited early, status %#x\n", status);
			return -1;
		}
		LT_ASSERT(time(NULL) - t0 <= MP_WAIT_S, "secondary not ready");
		usleep(1000);
	}
	t_start = rte_get_timer_cycles();
	/* Release: everything the primary set up happens-before the
	 * secondary's acquire load of go. */
	__atomic_store_n(&ctl->go, 1, __ATOMIC_RELEASE);
	work(0, ops);
	status = wait_child(pid, MP_WAIT_S);
	t_end = rte_get_timer_cycles();
	LT_ASSERT(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"secondary status %#x", status);

	printf("primary:   %" PRIu64 " grabs (%" PRIu64 " failed), %" PRIu64
		" pages sent, %" PRIu64 " received, %" PRIu64 " objects\n",
		ctl->grabs[0], ctl->grab_fails[0], ctl->sent[0],
		ctl->received[0], ctl->obj_gets[0]);
	printf("secondary: %" PRIu64 " grabs (%" PRIu64 " failed), %" PRIu64
		" pages sent, %" PRIu64 " received, %" PRIu64 " objects\n",
		ctl->grabs[1], ctl->grab_fails[1], ctl->sent[1],
		ctl->received[1], ctl->obj_gets[1]);
	printf("%.2f s for both\n", (double)(t_end - t_start) /
		(double)rte_get_timer_hz());
	LT_ASSERT_EQ(ctl->errors[0] + ctl->errors[1], 0, "errors (above)");
	LT_ASSERT_EQ(ctl->sent[0], ctl->received[1], "primary -> secondary");
	LT_ASSERT_EQ(ctl->sent[1], ctl->received[0], "secondary -> primary");
	LT_ASSERT(ctl->grabs[0] > ops / 2 && ctl->grabs[1] > ops / 2,
		"too few grabs succeeded");
	LT_ASSERT_EQ(rte_ring_count(ring_to[0]) + rte_ring_count(ring_to[1]),
		0, "pages left in the rings");
	LT_ASSERT_EQ(labyrinth_free_count(lab), NB_PAGES, "pages lost");
	LT_ASSERT_EQ(labyrinth_audit(lab), 0, "audit");
	LT_ASSERT_EQ(labyrinth_held_walk(lab, 0, NULL, NULL), 0, "held");
	LT_ASSERT_EQ(labyrinth_stats_get(lab, &st), 0, "stats");
	/* the initialisation round (NB_PAGES grabs) plus both processes */
	LT_ASSERT_EQ(st.alloc_ok, NB_PAGES + ctl->grabs[0] + ctl->grabs[1],
		"grabs counted over both processes");
	LT_ASSERT_EQ(st.frees, st.alloc_ok, "frees");
	LT_ASSERT_EQ(st.bad_frees, 0, "bad frees");
	if (mp != NULL) {
		LT_ASSERT_EQ(rte_mempool_avail_count(mp), POOL_SIZE,
			"objects lost");
		LT_ASSERT_EQ(rte_mempool_in_use_count(mp), 0, "objects held");
		LT_ASSERT(ctl->obj_gets[0] > 0 && ctl->obj_gets[1] > 0,
			"no object traffic");
	}
	return 0;
}

static int
test_mismatch(void)
{
	char out[8192];
	const char *want = "load the -d plugins in the same order as the "
		"primary";
	int fds[2], status;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (mp == NULL || other == NULL) {
		printf("no mempool driver plugin: mismatch guard not tested\n");
		return LT_SKIP;
	}
	LT_ASSERT(pipe(fds) == 0, "pipe");
	pid = spawn_secondary("mismatch", other, plugin, 0, fds[1]);
	close(fds[1]);
	LT_ASSERT(pid > 0, "fork failed");
	while (len < sizeof(out) - 1 &&
			(n = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	status = wait_child(pid, MP_WAIT_S);
	printf("--- mismatching secondary said:\n%s---\n", out);
	LT_ASSERT(status >= 0 && WIFEXITED(status), "status %#x", status);
	LT_ASSERT_EQ(WEXITSTATUS(status), MP_EXIT_REFUSED,
		"the guard did not refuse");
	LT_ASSERT(strstr(out, want) != NULL, "no clear message");
	/* The pool is untouched. */
	LT_ASSERT_EQ(rte_mempool_avail_count(mp), POOL_SIZE, "pool changed");
	return 0;
}

/* Zero every page's and object's owner word once, so claims can CAS. */
static int
zero_owner_words(void)
{
	static void *pages[NB_PAGES];
	static void *objs[POOL_SIZE];
	unsigned int i;

	for (i = 0; i < NB_PAGES; i++) {
		pages[i] = labyrinth_alloc_page(lab, LABYRINTH_GFP_ATOMIC);
		LT_ASSERT(pages[i] != NULL, "grab %u", i);
		*(uint64_t *)pages[i] = 0;
	}
	LT_ASSERT_EQ(labyrinth_free_bulk(lab, pages, NB_PAGES), NB_PAGES,
		"free");
	if (mp == NULL)
		return 0;
	LT_ASSERT_EQ(rte_mempool_get_bulk(mp, objs, POOL_SIZE), 0, "get all");
	for (i = 0; i < POOL_SIZE; i++)
		*(uint64_t *)objs[i] = 0;
	rte_mempool_put_bulk(mp, objs, POOL_SIZE);
	return 0;
}

static int
primary_setup(bool with_pool)
{
	struct labyrinth_conf conf = {
		.name = LAB_NAME,
		.socket_id = SOCKET_ID_ANY,
		.nb_pages = NB_PAGES,
		.cache_size = CACHE,
	};
	const struct rte_memzone *mz;

	LT_ASSERT(rte_lcore_is_enabled(1), "lcore 1 must be enabled in the "
		"primary (the secondary's cache slot): run with -l 0-1");
	mz = rte_memzone_reserve(CTL_NAME, sizeof(*ctl), SOCKET_ID_ANY, 0);
	LT_ASSERT(mz != NULL, "ctl memzone: %s", rte_strerror(rte_errno));
	ctl = mz->addr;
	memset(ctl, 0, sizeof(*ctl));
	lab = labyrinth_create(&conf);
	LT_ASSERT(lab != NULL, "create: %s", rte_strerror(rte_errno));
	ring_to[0] = rte_ring_create("mpt_to0", RING_SIZE, SOCKET_ID_ANY, 0);
	ring_to[1] = rte_ring_create("mpt_to1", RING_SIZE, SOCKET_ID_ANY, 0);
	LT_ASSERT(ring_to[0] != NULL && ring_to[1] != NULL, "rings");
	if (with_pool) {
		mp = rte_mempool_create_empty(POOL_NAME, POOL_SIZE, OBJ_SIZE,
			32, 0, SOCKET_ID_ANY, 0);
		LT_ASSERT(mp != NULL, "mempool: %s", rte_strerror(rte_errno));
		LT_ASSERT_EQ(rte_mempool_set_ops_byname(mp, "labyrinth", NULL),
			0, "no \"labyrinth\" mempool ops");
		LT_ASSERT(rte_mempool_populate_default(mp) == (int)POOL_SIZE,
			"populate");
		LT_ASSERT_EQ(labyrinth_mempool_check(mp), 0, "check");
		printf("primary: pool ops index %d = \"%s\"\n", mp->ops_index,
			rte_mempool_get_ops(mp->ops_index)->name);
	}
	return zero_owner_words();
}

static void
primary_teardown(void)
{
	if (mp != NULL)
		rte_mempool_free(mp);
	rte_ring_free(ring_to[0]);
	rte_ring_free(ring_to[1]);
	if (lab != NULL && labyrinth_destroy(lab) != 0)
		printf("destroy failed\n");
}

int
main(int argc, char **argv)
{
	int ret, i, failures = 0, skipped = 0, rc;
	char **eal_argv = argv;
	int eal_argc = argc;

	/* secondary: <EAL args> -- secondary <role> <ops> */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0 && i + 1 < argc &&
				strcmp(argv[i + 1], "secondary") == 0) {
			if (i + 3 >= argc)
				return 1;
			ret = rte_eal_init(i, argv);
			if (ret < 0) {
				printf("secondary: rte_eal_init: %s\n",
					rte_strerror(rte_errno));
				return 1;
			}
			rc = secondary_main(argv[i + 2],
				strtoull(argv[i + 3], NULL, 0));
			rte_eal_cleanup();
			return rc;
		}

	if (!lt_hugepages_usable(64)) {
		printf("skipped: multi-process needs hugepages (a hugetlbfs "
			"mount and 64 free 2 MiB pages): DPDK secondaries cannot "
			"attach to a --no-huge primary\n");
		return LT_SKIP;
	}
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0) {
		printf("cannot find /proc/self/exe\n");
		return 1;
	}
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=mp_test");
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strncmp(argv[i], "--file-prefix=", 14) == 0)
			snprintf(prefix_arg, sizeof(prefix_arg), "%s", argv[i]);
	/* app args: <plugin> <other plugin> [ops] */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			eal_argc = i;
			if (i + 1 < argc && argv[i + 1][0] != '\0')
				plugin = argv[i + 1];
			if (i + 2 < argc && argv[i + 2][0] != '\0')
				other = argv[i + 2];
			if (i + 3 < argc)
				ops = strtoull(argv[i + 3], NULL, 0);
			break;
		}
	if (plugin != NULL && access(plugin, R_OK) != 0) {
		printf("note: plugin %s not found: pages only\n", plugin);
		plugin = NULL;
	}
	if (other != NULL && access(other, R_OK) != 0)
		other = NULL;
	/* EAL refuses -d plugins below a world-writable folder (a checkout
	 * under /tmp): load copies from a folder of our own, as a user would.
	 * DPDK's stack driver sits in a system folder, copied only if not. */
	if (plugin != NULL)
		plugin = lt_plugin_copy(plugin);
	if (other != NULL && !lt_path_safe(other, NULL, 0))
		other = lt_plugin_copy(other);

	/* The primary loads our driver first (-d before the default driver
	 * folder), so its ops index differs from a secondary's that loads
	 * another driver first. */
	ret = lt_eal_init_plugin(eal_argc, eal_argv, plugin);
	if (ret < 0) {
		printf("rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		printf("must run as the primary process\n");
		return 1;
	}
	if (primary_setup(plugin != NULL) != 0) {
		primary_teardown();
		rte_eal_cleanup();
		return 1;
	}
	LT_RUN(test_concurrent, failures);
	LT_RUN_SKIPPABLE(test_mismatch, failures, skipped);
	primary_teardown();
	rte_eal_cleanup();
	if (failures == 0 && skipped > 0 && plugin == NULL)
		printf("note: the mempool part needs the driver plugin\n");
	return failures == 0 ? 0 : 1;
}
