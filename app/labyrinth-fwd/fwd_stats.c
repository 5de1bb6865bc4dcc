/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Statistics, read on the main lcore and the telemetry thread: periodic
 * table, final summary, JSON summary (--stats-json), and the telemetry
 * commands /labyrinth_fwd/stats and /labyrinth_fwd/ports.
 *
 * The counters are per worker and per polled rx queue (struct fwd_slot),
 * summed here with relaxed loads. A snapshot is not atomic across fields
 * while workers run: each counter is a value it really had, at most one
 * burst old, so rx may run ahead of tx + dropped by the packets in flight.
 * At exit (workers joined) every slot satisfies rx == tx + dropped.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include <labyrinth_mempool.h>

#include "fwd_priv.h"

/* Serialises the telemetry thread against setup and teardown. Control
 * path only: workers never take it. */
static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;

void
fwd_ctl_lock(void)
{
	pthread_mutex_lock(&ctl_lock);
}

void
fwd_ctl_unlock(void)
{
	pthread_mutex_unlock(&ctl_lock);
}

double
fwd_elapsed(void)
{
	uint64_t end = fwd.stop_tsc ? fwd.stop_tsc : rte_rdtsc();

	if (fwd.start_tsc == 0)
		return 0;
	return (double)(end - fwd.start_tsc) / rte_get_tsc_hz();
}

static uint64_t
load(const uint64_t *c)
{
	/* Written by one worker (fwd_loop.c, counter_add) with relaxed
	 * stores; an untorn, eventually fresh value is all we need. */
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

/*
 * Time a worker thread has spent on a CPU, from
 * /proc/self/task/<tid>/schedstat (first field, ns). Lets the statistics
 * tell a worker that forwards slowly from one that is preempted (the
 * machine is oversubscribed). 0 when unknown.
 */
static uint64_t
worker_cpu_ns(const struct fwd_lcore_conf *lc)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;
	/* Pairs with the release store in fwd_worker(). */
	int tid = __atomic_load_n(&lc->tid, __ATOMIC_ACQUIRE);

	if (tid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

void
fwd_snapshot(struct fwd_snapshot *s)
{
	unsigned int lcore, i;

	memset(s, 0, sizeof(*s));
	s->elapsed = fwd_elapsed();
	RTE_LCORE_FOREACH_WORKER(lcore) {
		const struct fwd_lcore_conf *lc = &fwd_lconf[lcore];

		if (lc->nb_slots != 0) {
			s->lcore[lcore].cpu_ns = worker_cpu_ns(lc);
			s->cpu_ns += s->lcore[lcore].cpu_ns;
		}

		for (i = 0; i < lc->nb_slots; i++) {
			const struct fwd_slot *sl = &lc->slots[i];
			uint64_t rx = load(&sl->c.rx), tx = load(&sl->c.tx);
			uint64_t dr = load(&sl->c.dropped);
			uint64_t gf = load(&sl->c.grab_fail);

			s->total.rx += rx;
			s->total.tx += tx;
			s->total.dropped += dr;
			s->total.grab_fail += gf;
			s->total.nombuf += load(&sl->c.nombuf);
			s->total.too_big += load(&sl->c.too_big);
			s->port[sl->rx_port].rx += rx;
			s->port[sl->rx_port].fwd += tx;
			s->port[sl->rx_port].dropped += dr;
			s->port[sl->rx_port].grab_fail += gf;
			s->port[sl->tx_port].tx += tx;
			s->lcore[lcore].rx += rx;
			s->lcore[lcore].tx += tx;
			s->lcore[lcore].dropped += dr;
			s->lcore[lcore].grab_fail += gf;
		}
	}
}

static double
rate(uint64_t cur, uint64_t prev, double dt)
{
	return dt > 0 ? (double)(cur - prev) / dt / 1e6 : 0;
}

/* Milliseconds, for the tables. */
static double
ms(uint64_t us)
{
	return (double)us / 1000.0;
}

/* The non-empty buckets of an age histogram, on one line. */
static void
print_ages(FILE *f, const struct labyrinth_holders *hs)
{
	unsigned int k;

	fprintf(f, "    ages (lower bound, us):");
	for (k = 0; k < LABYRINTH_AGE_BUCKETS; k++)
		if (hs->age_hist[k] != 0)
			fprintf(f, " %" PRIu64 "+: %" PRIu64,
				LABYRINTH_AGE_BUCKET_US(k), hs->age_hist[k]);
	fprintf(f, "%s\n", hs->blocks == 0 ? " none held" : "");
}

/*
 * Who holds a labyrinth mempool's mbufs: per lcore, the mbufs it took
 * from the driver that are neither back nor in an rte_mempool cache, the
 * oldest, and each lcore's mempool cache. Nothing for other ops.
 */
static void
print_pool_holders(FILE *f, const struct rte_mempool *mp,
		struct labyrinth_holders *hs)
{
	unsigned int i;

	if (labyrinth_mempool_holders_get(mp, 0, hs) != 0)
		return;
	fprintf(f, "  holders: %" PRIu64 " mbufs held outside the mempool "
		"caches, oldest %.1f ms; %" PRIu64 " in the caches (the "
		"driver counts them held)\n", hs->held, ms(hs->oldest_age_us),
		hs->cache_len);
	fprintf(f, "    %7s %10s %10s %10s %10s\n", "lcore", "held",
		"oldest-ms", "in-caches", "cache-len");
	for (i = 0; i <= LABYRINTH_OWNER_NON_EAL; i++) {
		const struct labyrinth_holder *o = &hs->owner[i];

		if (o->held + o->in_caches + o->cache_len == 0)
			continue;
		if (i == LABYRINTH_OWNER_NON_EAL)
			fprintf(f, "    %7s", "non-EAL");
		else
			fprintf(f, "    %7u", i);
		fprintf(f, " %10" PRIu64 " %10.1f %10" PRIu64 " %10" PRIu64
			"\n", o->held, ms(o->oldest_age_us), o->in_caches,
			o->cache_len);
	}
	print_ages(f, hs);
}

/* Who holds the labyrinth's pages: per owner lcore. */
static void
print_page_holders(FILE *f, const struct labyrinth *lab,
		struct labyrinth_holders *hs)
{
	unsigned int i;

	if (labyrinth_holders_get(lab, 0, hs) != 0)
		return;
	fprintf(f, "  holders: %" PRIu64 " pages held in %" PRIu64
		" blocks, oldest %.1f ms\n", hs->held, hs->blocks,
		ms(hs->oldest_age_us));
	fprintf(f, "    %7s %10s %10s %10s\n", "owner", "pages", "blocks",
		"oldest-ms");
	for (i = 0; i <= LABYRINTH_OWNER_NON_EAL; i++) {
		const struct labyrinth_holder *o = &hs->owner[i];

		if (o->blocks == 0)
			continue;
		if (i == LABYRINTH_OWNER_NON_EAL)
			fprintf(f, "    %7s", "non-EAL");
		else
			fprintf(f, "    %7u", i);
		fprintf(f, " %10" PRIu64 " %10" PRIu64 " %10.1f\n", o->held,
			o->blocks, ms(o->oldest_age_us));
	}
	print_ages(f, hs);
}

static void
print_pools(FILE *f)
{
	struct labyrinth_holders *hs = malloc(sizeof(*hs));
	struct labyrinth_stats ls;
	unsigned int s;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (fwd.pool[s] != NULL) {
			fprintf(f, "pool %s (%s): %u of %u mbufs free\n",
				fwd.pool[s]->name, fwd.opts.pool_ops,
				rte_mempool_avail_count(fwd.pool[s]),
				fwd.pool[s]->size);
			if (hs != NULL)
				print_pool_holders(f, fwd.pool[s], hs);
		}
	if (fwd.lab != NULL && labyrinth_stats_get(fwd.lab, &ls) == 0) {
		fprintf(f, "pages %s: %" PRIu64 " of %" PRIu64 " free, "
			"reserve %" PRIu64 ", reserve dips %" PRIu64
			", grab failures %" PRIu64 ", bad frees %" PRIu64 "\n",
			labyrinth_name(fwd.lab), ls.free, ls.pages, ls.reserve,
			ls.reserve_dips, ls.alloc_fail, ls.bad_frees);
		if (hs != NULL)
			print_page_holders(f, fwd.lab, hs);
	}
	free(hs);
}

/* Periodic table: counters since start, rates since the previous one. */
void
fwd_stats_print(FILE *f, const struct fwd_snapshot *cur,
		const struct fwd_snapshot *prev)
{
	double dt = cur->elapsed - prev->elapsed;
	unsigned int p, lcore;

	fprintf(f, "\n== labyrinth-fwd %s, %.1f s: rx %.2f Mpps, tx %.2f "
		"Mpps, dropped %.2f Mpps ==\n", fwd_mode_name(fwd.opts.mode),
		cur->elapsed, rate(cur->total.rx, prev->total.rx, dt),
		rate(cur->total.tx, prev->total.tx, dt),
		rate(cur->total.dropped, prev->total.dropped, dt));
	fprintf(f, "%5s %5s %15s %15s %15s %12s %12s %9s %9s\n", "port",
		"peer", "rx", "tx", "dropped", "grab-fail", "rx-nombuf",
		"rx-Mpps", "tx-Mpps");
	for (p = 0; p < FWD_MAX_PORTS; p++) {
		struct rte_eth_stats es;
		uint64_t nombuf = 0;

		if (!fwd.port[p].enabled)
			continue;
		if (rte_eth_stats_get(p, &es) == 0)
			nombuf = es.rx_nombuf;
		fprintf(f, "%5u %5u %15" PRIu64 " %15" PRIu64 " %15" PRIu64
			" %12" PRIu64 " %12" PRIu64 " %9.2f %9.2f\n", p,
			fwd.port[p].peer, cur->port[p].rx, cur->port[p].tx,
			cur->port[p].dropped, cur->port[p].grab_fail, nombuf,
			rate(cur->port[p].rx, prev->port[p].rx, dt),
			rate(cur->port[p].tx, prev->port[p].tx, dt));
	}
	if (cur->cpu_ns > prev->cpu_ns && dt > 0)
		fprintf(f, "workers on a CPU %.1f%% of the time (of %u): "
			"%.2f Mpps rx per worker CPU-second\n",
			(cur->cpu_ns - prev->cpu_ns) / 1e7 / dt,
			fwd.nb_workers, (double)(cur->total.rx - prev->total.rx)
			/ (cur->cpu_ns - prev->cpu_ns) * 1e3);
	fprintf(f, "%5s %5s %15s %15s %15s %12s %12s %9s\n", "lcore",
		"queues", "rx", "tx", "dropped", "grab-fail", "cpu-%",
		"rx-Mpps");
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (fwd_lconf[lcore].nb_slots == 0)
			continue;
		fprintf(f, "%5u %5u %15" PRIu64 " %15" PRIu64 " %15" PRIu64
			" %12" PRIu64 " %12.1f %9.2f\n", lcore,
			fwd_lconf[lcore].nb_slots, cur->lcore[lcore].rx,
			cur->lcore[lcore].tx, cur->lcore[lcore].dropped,
			cur->lcore[lcore].grab_fail,
			dt > 0 ? (cur->lcore[lcore].cpu_ns -
				prev->lcore[lcore].cpu_ns) / 1e7 / dt : 0.0,
			rate(cur->lcore[lcore].rx, prev->lcore[lcore].rx, dt));
	}
	print_pools(f);
	fflush(f);
}

void
fwd_summary_print(FILE *f, const struct fwd_snapshot *s)
{
	unsigned int p;

	fprintf(f, "\n==== labyrinth-fwd summary ====\n");
	fprintf(f, "mode %s, %.2f s, %u port(s), %u worker(s)\n",
		fwd_mode_name(fwd.opts.mode), s->elapsed, fwd.nb_ports,
		fwd.nb_workers);
	fprintf(f, "rx %" PRIu64 ", tx %" PRIu64 ", dropped %" PRIu64
		" (grab failures %" PRIu64 ", no mbuf %" PRIu64
		", too big %" PRIu64 "), %.2f Mpps forwarded\n",
		s->total.rx, s->total.tx, s->total.dropped,
		s->total.grab_fail, s->total.nombuf, s->total.too_big,
		s->elapsed > 0 ? s->total.tx / s->elapsed / 1e6 : 0.0);
	for (p = 0; p < FWD_MAX_PORTS; p++) {
		const struct rte_eth_stats *es = &fwd.port[p].final;

		if (!fwd.port[p].enabled)
			continue;
		fprintf(f, "port %u: rx %" PRIu64 " = forwarded %" PRIu64
			" + dropped %" PRIu64 "; tx %" PRIu64, p,
			s->port[p].rx, s->port[p].fwd, s->port[p].dropped,
			s->port[p].tx);
		if (fwd.port[p].have_final)
			fprintf(f, "; ethdev ipackets %" PRIu64 " opackets %"
				PRIu64 " imissed %" PRIu64 " rx_nombuf %"
				PRIu64 " oerrors %" PRIu64, es->ipackets,
				es->opackets, es->imissed, es->rx_nombuf,
				es->oerrors);
		fprintf(f, "\n");
	}
	fprintf(f, "mbufs missing: %u; pages missing: %u; labyrinth audit: "
		"%s\n", fwd.mbufs_missing, fwd.pages_missing,
		fwd.lab_audit == 0 ? "clean" : "FAILED");
	fprintf(f, "result: %s\n", fwd.leaked ? "LEAK" : "clean");
	fflush(f);
}

struct json_lab_ctx {
	FILE *f;
	int first;
	struct labyrinth_holders *hs;
};

/* ", \"holders\": {...}" of a summary, for the JSON file. */
static void
json_holders(FILE *f, const struct labyrinth_holders *hs, bool mempool)
{
	unsigned int i, k;
	int first = 1;

	fprintf(f, ", \"holders\": {\"held\": %" PRIu64 ", \"blocks\": %"
		PRIu64 ", \"oldest_age_us\": %" PRIu64, hs->held, hs->blocks,
		hs->oldest_age_us);
	if (mempool)
		fprintf(f, ", \"in_caches\": %" PRIu64 ", \"cache_len\": %"
			PRIu64, hs->in_caches, hs->cache_len);
	fprintf(f, ", \"by_owner\": [");
	for (i = 0; i <= LABYRINTH_OWNER_NON_EAL; i++) {
		const struct labyrinth_holder *o = &hs->owner[i];

		if (o->blocks + o->in_caches + o->cache_len == 0)
			continue;
		fprintf(f, "%s{\"owner\": ", first ? "" : ", ");
		if (i == LABYRINTH_OWNER_NON_EAL)
			fprintf(f, "\"non_eal\"");
		else
			fprintf(f, "%u", i);
		fprintf(f, ", \"held\": %" PRIu64 ", \"blocks\": %" PRIu64
			", \"oldest_age_us\": %" PRIu64, o->held, o->blocks,
			o->oldest_age_us);
		if (mempool)
			fprintf(f, ", \"in_caches\": %" PRIu64
				", \"cache_len\": %" PRIu64, o->in_caches,
				o->cache_len);
		fprintf(f, "}");
		first = 0;
	}
	fprintf(f, "], \"age_hist_us\": {");
	first = 1;
	for (k = 0; k < LABYRINTH_AGE_BUCKETS; k++) {
		if (hs->age_hist[k] == 0)
			continue;
		fprintf(f, "%s\"%" PRIu64 "\": %" PRIu64, first ? "" : ", ",
			LABYRINTH_AGE_BUCKET_US(k), hs->age_hist[k]);
		first = 0;
	}
	fprintf(f, "}}");
}

static void
json_lab(struct labyrinth *lab, void *arg)
{
	struct json_lab_ctx *c = arg;
	struct labyrinth_stats ls;

	if (labyrinth_stats_get(lab, &ls) != 0)
		return;
	fprintf(c->f, "%s\n    {\"name\": \"%s\", \"pages\": %" PRIu64
		", \"free\": %" PRIu64 ", \"reserve\": %" PRIu64
		", \"alloc_ok\": %" PRIu64 ", \"alloc_fail\": %" PRIu64
		", \"reserve_dips\": %" PRIu64 ", \"frees\": %" PRIu64
		", \"bad_frees\": %" PRIu64 ", \"audit\": %d",
		c->first ? "" : ",", labyrinth_name(lab), ls.pages, ls.free,
		ls.reserve, ls.alloc_ok, ls.alloc_fail, ls.reserve_dips,
		ls.frees, ls.bad_frees, labyrinth_audit(lab));
	if (c->hs != NULL && labyrinth_holders_get(lab, 0, c->hs) == 0)
		json_holders(c->f, c->hs, false);
	fprintf(c->f, "}");
	c->first = 0;
}

/* Machine-readable summary; called after fwd_port_shutdown(), before the
 * pools and the labyrinth are freed. */
int
fwd_json_write(const char *path, const struct fwd_snapshot *s)
{
	struct json_lab_ctx lc;
	unsigned int p, lcore, sk, i;
	int first;
	FILE *f;

	f = fopen(path, "w");
	if (f == NULL) {
		FWD_LOG(ERR, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"mode\": \"%s\",\n  \"burst\": %u,\n"
		"  \"elapsed_s\": %.6f,\n  \"pool_ops\": \"%s\",\n",
		fwd_mode_name(fwd.opts.mode), fwd.opts.burst, s->elapsed,
		fwd.opts.pool_ops);
	fprintf(f, "  \"totals\": {\"rx\": %" PRIu64 ", \"tx\": %" PRIu64
		", \"dropped\": %" PRIu64 ", \"grab_fail\": %" PRIu64
		", \"nombuf\": %" PRIu64 ", \"too_big\": %" PRIu64
		", \"rx_mpps\": %.4f, \"tx_mpps\": %.4f},\n",
		s->total.rx, s->total.tx, s->total.dropped, s->total.grab_fail,
		s->total.nombuf, s->total.too_big,
		s->elapsed > 0 ? s->total.rx / s->elapsed / 1e6 : 0.0,
		s->elapsed > 0 ? s->total.tx / s->elapsed / 1e6 : 0.0);
	fprintf(f, "  \"ports\": [");
	first = 1;
	for (p = 0; p < FWD_MAX_PORTS; p++) {
		const struct rte_eth_stats *es = &fwd.port[p].final;

		if (!fwd.port[p].enabled)
			continue;
		fprintf(f, "%s\n    {\"port\": %u, \"peer\": %u, \"rx\": %"
			PRIu64 ", \"fwd\": %" PRIu64 ", \"tx\": %" PRIu64
			", \"dropped\": %" PRIu64 ", \"grab_fail\": %" PRIu64
			", \"ipackets\": %" PRIu64 ", \"opackets\": %" PRIu64
			", \"imissed\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64
			", \"oerrors\": %" PRIu64 "}", first ? "" : ",", p,
			fwd.port[p].peer, s->port[p].rx, s->port[p].fwd,
			s->port[p].tx, s->port[p].dropped,
			s->port[p].grab_fail, es->ipackets, es->opackets,
			es->imissed, es->rx_nombuf, es->oerrors);
		first = 0;
	}
	fprintf(f, "\n  ],\n  \"lcores\": [");
	first = 1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		const struct fwd_lcore_conf *c = &fwd_lconf[lcore];

		if (c->nb_slots == 0)
			continue;
		fprintf(f, "%s\n    {\"lcore\": %u, \"rx\": %" PRIu64
			", \"tx\": %" PRIu64 ", \"dropped\": %" PRIu64
			", \"grab_fail\": %" PRIu64 ", \"cpu_s\": %.3f"
			", \"queues\": [",
			first ? "" : ",", lcore, s->lcore[lcore].rx,
			s->lcore[lcore].tx, s->lcore[lcore].dropped,
			s->lcore[lcore].grab_fail, s->lcore[lcore].cpu_ns / 1e9);
		for (i = 0; i < c->nb_slots; i++)
			fprintf(f, "%s[%u, %u]", i ? ", " : "",
				c->slots[i].rx_port, c->slots[i].rx_queue);
		fprintf(f, "]}");
		first = 0;
	}
	fprintf(f, "\n  ],\n  \"pools\": [");
	first = 1;
	lc.hs = malloc(sizeof(*lc.hs));
	for (sk = 0; sk < RTE_MAX_NUMA_NODES; sk++) {
		if (fwd.pool[sk] == NULL)
			continue;
		fprintf(f, "%s\n    {\"name\": \"%s\", \"socket\": %u, "
			"\"size\": %u, \"avail\": %u", first ? "" : ",",
			fwd.pool[sk]->name, sk, fwd.pool[sk]->size,
			rte_mempool_avail_count(fwd.pool[sk]));
		if (lc.hs != NULL &&
				labyrinth_mempool_holders_get(fwd.pool[sk], 0,
					lc.hs) == 0)
			json_holders(f, lc.hs, true);
		fprintf(f, "}");
		first = 0;
	}
	fprintf(f, "\n  ],\n  \"labyrinths\": [");
	lc.f = f;
	lc.first = 1;
	labyrinth_walk(json_lab, &lc);
	free(lc.hs);
	fprintf(f, "\n  ],\n  \"mbufs_missing\": %u,\n  \"pages_missing\": "
		"%u,\n  \"labyrinth_audit\": %d,\n  \"clean\": %s\n}\n",
		fwd.mbufs_missing, fwd.pages_missing, fwd.lab_audit,
		fwd.leaked ? "false" : "true");
	if (fclose(f) != 0) {
		FWD_LOG(ERR, "cannot write %s", path);
		return -1;
	}
	return 0;
}

/* ---- telemetry ---- */

/*
 * Common start of both handlers: a snapshot taken under the control lock
 * (held until tel_end()), or -ENOMEM / -EAGAIN (not running yet).
 */
static int
tel_begin(struct fwd_snapshot **sp)
{
	struct fwd_snapshot *s = malloc(sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	fwd_ctl_lock();
	if (!fwd.tel_ready) {
		fwd_ctl_unlock();
		free(s);
		return -EAGAIN;
	}
	fwd_snapshot(s);
	*sp = s;
	return 0;
}

static void
tel_end(struct fwd_snapshot *s)
{
	fwd_ctl_unlock();
	free(s);
}

static int
tel_stats(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct fwd_snapshot *s;
	struct labyrinth_stats ls;
	unsigned int lcore, sk;
	uint64_t mb_free = 0, mb_size = 0;
	int ret = tel_begin(&s);

	if (ret != 0)
		return ret;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "mode", fwd_mode_name(fwd.opts.mode));
	rte_tel_data_add_dict_u64(d, "elapsed_ms",
		(uint64_t)(s->elapsed * 1000));
	rte_tel_data_add_dict_u64(d, "rx", s->total.rx);
	rte_tel_data_add_dict_u64(d, "tx", s->total.tx);
	rte_tel_data_add_dict_u64(d, "dropped", s->total.dropped);
	rte_tel_data_add_dict_u64(d, "grab_fail", s->total.grab_fail);
	rte_tel_data_add_dict_u64(d, "nombuf", s->total.nombuf);
	rte_tel_data_add_dict_u64(d, "too_big", s->total.too_big);
	for (sk = 0; sk < RTE_MAX_NUMA_NODES; sk++)
		if (fwd.pool[sk] != NULL) {
			mb_free += rte_mempool_avail_count(fwd.pool[sk]);
			mb_size += fwd.pool[sk]->size;
		}
	rte_tel_data_add_dict_u64(d, "mbufs_free", mb_free);
	rte_tel_data_add_dict_u64(d, "mbufs_total", mb_size);
	if (fwd.lab != NULL && labyrinth_stats_get(fwd.lab, &ls) == 0) {
		rte_tel_data_add_dict_u64(d, "pages_free", ls.free);
		rte_tel_data_add_dict_u64(d, "pages_total", ls.pages);
		rte_tel_data_add_dict_u64(d, "reserve_dips", ls.reserve_dips);
		rte_tel_data_add_dict_u64(d, "page_alloc_fail", ls.alloc_fail);
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct rte_tel_data *l;
		char name[32];

		if (fwd_lconf[lcore].nb_slots == 0)
			continue;
		l = rte_tel_data_alloc();
		if (l == NULL)
			break;
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_u64(l, "rx", s->lcore[lcore].rx);
		rte_tel_data_add_dict_u64(l, "tx", s->lcore[lcore].tx);
		rte_tel_data_add_dict_u64(l, "dropped",
			s->lcore[lcore].dropped);
		rte_tel_data_add_dict_u64(l, "grab_fail",
			s->lcore[lcore].grab_fail);
		snprintf(name, sizeof(name), "lcore_%u", lcore);
		if (rte_tel_data_add_dict_container(d, name, l, 0) != 0)
			rte_tel_data_free(l);
	}
	tel_end(s);
	return 0;
}

static int
tel_ports(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	struct fwd_snapshot *s;
	unsigned int p;
	int ret = tel_begin(&s);

	if (ret != 0)
		return ret;
	rte_tel_data_start_dict(d);
	for (p = 0; p < FWD_MAX_PORTS; p++) {
		struct rte_tel_data *t;
		struct rte_eth_stats es;
		char name[32];

		if (!fwd.port[p].enabled)
			continue;
		t = rte_tel_data_alloc();
		if (t == NULL)
			break;
		rte_tel_data_start_dict(t);
		rte_tel_data_add_dict_u64(t, "peer", fwd.port[p].peer);
		rte_tel_data_add_dict_u64(t, "rx", s->port[p].rx);
		rte_tel_data_add_dict_u64(t, "fwd", s->port[p].fwd);
		rte_tel_data_add_dict_u64(t, "tx", s->port[p].tx);
		rte_tel_data_add_dict_u64(t, "dropped", s->port[p].dropped);
		rte_tel_data_add_dict_u64(t, "grab_fail", s->port[p].grab_fail);
		if (rte_eth_stats_get(p, &es) == 0) {
			rte_tel_data_add_dict_u64(t, "ipackets", es.ipackets);
			rte_tel_data_add_dict_u64(t, "opackets", es.opackets);
			rte_tel_data_add_dict_u64(t, "imissed", es.imissed);
			rte_tel_data_add_dict_u64(t, "rx_nombuf",
				es.rx_nombuf);
			rte_tel_data_add_dict_u64(t, "oerrors", es.oerrors);
		}
		snprintf(name, sizeof(name), "port_%u", p);
		if (rte_tel_data_add_dict_container(d, name, t, 0) != 0)
			rte_tel_data_free(t);
	}
	tel_end(s);
	return 0;
}

void
fwd_telemetry_register(void)
{
	rte_telemetry_register_cmd("/labyrinth_fwd/stats", tel_stats,
		"Returns labyrinth-fwd totals, pool and page figures, and "
		"per-lcore counters. Takes no parameters");
	rte_telemetry_register_cmd("/labyrinth_fwd/ports", tel_ports,
		"Returns labyrinth-fwd per-port counters (rx, fwd, tx, "
		"dropped) and ethdev statistics. Takes no parameters");
}
