/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * The lcores of section 3 ("scale", bench_scale.c): one variant's run on
 * k lcores, with a start barrier, a time limit and, for remote frees,
 * the SPSC rings between neighbouring lcores.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "bench_priv.h"

#define REMOTE_RING_SIZE 256    /* per-lcore SPSC ring of the remote variant */

struct scale_slot {
	uint64_t t0, t1;     /* TSC at start and end */
	uint64_t done;       /* pairs completed */
	uint64_t fails;
} __rte_cache_aligned;

/* Written by the main lcore before launch; read-only while running. */
struct scale_job {
	const struct scale_var *v;
	uint64_t n;                          /* most pairs per lcore */
	bool oversub;                        /* lcores share CPUs */
	unsigned int slot_of[RTE_MAX_LCORE]; /* lcore id -> slot */
	uint32_t arrived __rte_cache_aligned; /* start barrier */
	uint32_t stop __rte_cache_aligned;   /* set by scale_timer() */
	struct scale_slot slot[SCALE_MAX_LCORES];
};

/*
 * The time limit of a run: a plain thread that sleeps until the limit, or
 * until the main lcore says the run ended, and then raises job->stop.
 */
struct scale_timer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool finished;                       /* under lock */
	uint64_t limit_ns;
	struct scale_job *job;
};

/* Ring i carries pages from slot i to slot (i + 1) % k. */
static struct rte_ring *remote_ring[SCALE_MAX_LCORES];

/* The job of every run, allocated by scale_setup(). */
static struct scale_job *run_job;

/* Whether some lcores share a CPU (--lcores '(0-7)@(0,1)'). */
static bool cpus_shared;

/* CPUs the lcores may run on, all lcores together; *shared: whether some
 * lcores share a CPU. */
unsigned int
scale_count_cpus(bool *shared)
{
	rte_cpuset_t all, one;
	unsigned int lcore, sum = 0;

	CPU_ZERO(&all);
	RTE_LCORE_FOREACH(lcore) {
		one = rte_lcore_cpuset(lcore);
		sum += (unsigned int)CPU_COUNT(&one);
		CPU_OR(&all, &all, &one);
	}
	cpus_shared = sum > (unsigned int)CPU_COUNT(&all);
	*shared = cpus_shared;
	return (unsigned int)CPU_COUNT(&all);
}

/*
 * The start barrier. It lines up the start times and publishes no data:
 * the job was written before rte_eal_remote_launch(), which stores the
 * function pointer with release and the worker loads it with acquire
 * (eal_thread_loop); the results are read after rte_eal_wait_lcore(),
 * whose acquire load of the lcore state pairs with the worker's release
 * store of WAIT. So relaxed is enough for both operations.
 */
static void
scale_barrier(struct scale_job *job)
{
	unsigned int spins = 0;

	/* Relaxed: an arrival count only, see above. */
	__atomic_fetch_add(&job->arrived, 1, __ATOMIC_RELAXED);
	/* Relaxed: waits for the count, consumes no data (see above). */
	while (__atomic_load_n(&job->arrived, __ATOMIC_RELAXED) <
			job->v->k) {
		rte_pause();
		/* oversubscribed lcores share CPUs: let the late ones run */
		if (++spins % 1024 == 0)
			sched_yield();
	}
}

/*
 * A run stops after n pairs or when the timer raises job->stop, whichever
 * comes first: a collapsing ring, or oversubscribed lcores waiting for a
 * preempted one, would otherwise take minutes. The flag is read once
 * every STOP_EVERY pairs (local) or every round (remote): a load from a
 * line nobody writes until the end, so it stays in the lcore's cache.
 */
#define STOP_EVERY 8u

static void *
scale_timer_main(void *arg)
{
	struct scale_timer *t = arg;
	struct timespec ts;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(t->limit_ns / 1000000000u);
	ts.tv_nsec += (long)(t->limit_ns % 1000000000u);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&t->lock);
	while (!t->finished && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&t->cond, &t->lock, &ts);
	if (!t->finished)
		/* Relaxed: the flag publishes no data; the lcores only need
		 * to see it eventually, and stop at their next check. */
		__atomic_store_n(&t->job->stop, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static void
scale_timer_start(struct scale_timer *t, struct scale_job *job,
		uint64_t limit_ns)
{
	pthread_condattr_t attr;

	t->finished = false;
	t->limit_ns = limit_ns;
	t->job = job;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&t->thread, NULL, scale_timer_main, t) != 0)
		rte_exit(EXIT_FAILURE, "cannot start the timer thread\n");
}

static void
scale_timer_stop(struct scale_timer *t)
{
	pthread_mutex_lock(&t->lock);
	t->finished = true;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->thread, NULL);
	pthread_cond_destroy(&t->cond);
	pthread_mutex_destroy(&t->lock);
}

/* Relaxed: see scale_timer_main(); no data is consumed through it. */
#define STOPPED(job) \
	unlikely(__atomic_load_n(&(job)->stop, __ATOMIC_RELAXED))

/* 8< scale loops */
static __rte_always_inline uint64_t
scale_local(const struct bench_pool *bp, uint64_t n,
		const struct scale_job *job, uint64_t *fails, const bool lab)
{
	uint64_t i, bad = 0;

	for (i = 0; i < n; i++) {
		void *p;

		if (i % STOP_EVERY == 0 && STOPPED(job))
			break;
		p = bp_get(bp, lab);
		if (unlikely(p == NULL)) {
			bad++;
			continue;
		}
		KEEP(p);
		bad += bp_put(bp, p, lab);
	}
	*fails = bad;
	return i;
}

/*
 * Grab up to BULK pages one by one, pass them to the next lcore through
 * an SPSC ring, free what the previous lcore passed; until n pages went
 * each way or time is up. A grab that finds the pool empty is retried
 * later (pages are in flight), not counted as a failure. With more lcores
 * than CPUs (yield_idle), a round that moved nothing yields the CPU: the
 * lcore it waits for may be the one that is not running. Pages still in
 * the rings at the deadline are freed by the main lcore (scale_drain()).
 * Returns the pages this lcore freed.
 */
static __rte_always_inline uint64_t
scale_remote(const struct bench_pool *bp, uint64_t n,
		const struct scale_job *job, struct rte_ring *out,
		struct rte_ring *in, uint64_t *fails, const bool lab)
{
	void *held[BULK], *got[BULK];
	unsigned int nb_held = 0, first = 0, m, i, sent;
	uint64_t grabbed = 0, freed = 0, bad = 0;
	bool yield_idle = job->oversub;

	while (grabbed < n || nb_held > 0 || freed < n) {
		if (STOPPED(job))
			break;
		if (nb_held == 0 && grabbed < n) {
			unsigned int want = (unsigned int)RTE_MIN(
					(uint64_t)BULK, n - grabbed);
			void *p;

			first = 0;
			while (nb_held < want &&
					(p = bp_get(bp, lab)) != NULL)
				held[nb_held++] = p;
			grabbed += nb_held;
		}
		sent = 0;
		if (nb_held > 0) {
			sent = rte_ring_sp_enqueue_burst(out, &held[first],
					nb_held, NULL);
			first += sent;
			nb_held -= sent;
		}
		m = rte_ring_sc_dequeue_burst(in, got, BULK, NULL);
		for (i = 0; i < m; i++)
			bad += bp_put(bp, got[i], lab);
		freed += m;
		if (unlikely(yield_idle && sent == 0 && m == 0))
			sched_yield();
	}
	for (i = 0; i < nb_held; i++)
		bad += bp_put(bp, held[first + i], lab);
	*fails = bad;
	return freed;
}
/* >8 scale loops */

static int
scale_lcore(void *arg)
{
	struct scale_job *job = arg;
	const struct scale_var *v = job->v;
	unsigned int s = job->slot_of[rte_lcore_id()];
	struct scale_slot *slot = &job->slot[s];
	struct rte_ring *out = remote_ring[s];
	struct rte_ring *in = remote_ring[(s + v->k - 1) % v->k];
	bool lab = v->bp->lab != NULL;

	scale_barrier(job);
	slot->t0 = rte_rdtsc_precise();
	if (!v->remote)
		slot->done = lab ?
			scale_local(v->bp, job->n, job, &slot->fails, true) :
			scale_local(v->bp, job->n, job, &slot->fails, false);
	else
		slot->done = lab ?
			scale_remote(v->bp, job->n, job, out, in,
				&slot->fails, true) :
			scale_remote(v->bp, job->n, job, out, in,
				&slot->fails, false);
	slot->t1 = rte_rdtsc_precise();
	return 0;
}

/* Free what a time-limited remote run left in the rings (main lcore). */
static uint64_t
scale_drain(const struct scale_var *v)
{
	void *objs[BULK];
	unsigned int s, m, i;
	uint64_t bad = 0;
	bool lab = v->bp->lab != NULL;

	for (s = 0; s < v->k; s++)
		while ((m = rte_ring_sc_dequeue_burst(remote_ring[s], objs,
				BULK, NULL)) > 0)
			for (i = 0; i < m; i++)
				bad += lab ? bp_put(v->bp, objs[i], true) :
					bp_put(v->bp, objs[i], false);
	return bad;
}

/*
 * Run a variant on its k lcores (the main one is slot 0): at most total
 * pairs, for at most about limit_ns. Returns the wall cycles (first start
 * to last end) and the pairs done.
 */
uint64_t
scale_run(struct scale_var *v, uint64_t total, uint64_t limit_ns,
		uint64_t *done)
{
	struct scale_job *job = run_job;
	struct scale_timer timer;
	unsigned int lcore, s = 1;
	uint64_t t0 = UINT64_MAX, t1 = 0;

	memset(job, 0, sizeof(*job));
	job->v = v;
	job->n = total / v->k;
	job->oversub = cpus_shared;
	scale_timer_start(&timer, job, limit_ns);
	job->slot_of[rte_lcore_id()] = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (s == v->k)
			break;
		job->slot_of[lcore] = s++;
		if (rte_eal_remote_launch(scale_lcore, job, lcore) != 0)
			rte_exit(EXIT_FAILURE, "cannot launch lcore %u\n",
				lcore);
	}
	scale_lcore(job);
	s = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (s++ == v->k)
			break;
		rte_eal_wait_lcore(lcore);
	}
	scale_timer_stop(&timer);
	*done = 0;
	for (s = 0; s < v->k; s++) {
		t0 = RTE_MIN(t0, job->slot[s].t0);
		t1 = RTE_MAX(t1, job->slot[s].t1);
		v->fails += job->slot[s].fails;
		*done += job->slot[s].done;
	}
	if (v->remote)
		v->fails += scale_drain(v);
	return t1 - t0;
}

/*
 * The job and the rings of remote frees, one a lcore of the
 * min(nb_lcores, SCALE_MAX_LCORES) that runs can use.
 */
void
scale_setup(unsigned int nb_lcores)
{
	char name[RTE_RING_NAMESIZE];
	unsigned int i;

	run_job = rte_zmalloc("bench_scale_job", sizeof(*run_job),
			RTE_CACHE_LINE_SIZE);
	if (run_job == NULL)
		rte_exit(EXIT_FAILURE, "cannot allocate the scale job\n");
	for (i = 0; i < RTE_MIN(nb_lcores, (unsigned int)SCALE_MAX_LCORES);
			i++) {
		fmt_label(name, sizeof(name), "bench_remote%u", i);
		remote_ring[i] = rte_ring_create(name, REMOTE_RING_SIZE,
				(int)rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (remote_ring[i] == NULL)
			rte_exit(EXIT_FAILURE, "cannot create ring %s: %s\n",
				name, rte_strerror(rte_errno));
	}
}

void
scale_teardown(void)
{
	unsigned int i;

	for (i = 0; i < SCALE_MAX_LCORES; i++) {
		rte_ring_free(remote_ring[i]);
		remote_ring[i] = NULL;
	}
	rte_free(run_job);
	run_job = NULL;
}
