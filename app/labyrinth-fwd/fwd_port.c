/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Setup and teardown, on the main lcore only: which ports, how they pair,
 * which worker polls which rx queue, the mbuf pools (one per socket, ops
 * "labyrinth" by default), the page labyrinth of page-copy mode, port
 * configuration; at the end: stop, close, and check that every mbuf and
 * page came back. Setup errors end the program with rte_exit() and one
 * message, as l2fwd does.
 */

#include <errno.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "fwd_priv.h"

#define LAB_NAME "lfwd_pages"

static uint16_t
fwd_max_queues(uint16_t port)
{
	struct rte_eth_dev_info info;

	if (rte_eth_dev_info_get(port, &info) != 0)
		return 0;
	return RTE_MIN(info.max_rx_queues, info.max_tx_queues);
}

static void
select_ports(struct fwd_state *st)
{
	const struct fwd_opts *o = &st->opts;
	uint16_t port, order[FWD_MAX_PORTS];
	unsigned int i, n = 0;

	if (rte_eth_dev_count_avail() == 0)
		rte_exit(EXIT_FAILURE, "no Ethernet port: add one with --vdev "
			"(e.g. --vdev net_null0 --vdev net_null1) or bind a "
			"device to a DPDK driver\n");
	for (i = 0; i < FWD_MAX_PORTS; i++) {
		st->port[i].peer = FWD_NO_PORT;
		if ((o->portmask & (UINT64_C(1) << i)) &&
				!rte_eth_dev_is_valid_port(i))
			rte_exit(EXIT_FAILURE, "port %u in the port mask does "
				"not exist\n", i);
	}

	if (o->nb_pairs != 0) {
		for (i = 0; i < o->nb_pairs; i++) {
			uint16_t a = o->pair[i][0], b = o->pair[i][1];

			if (!rte_eth_dev_is_valid_port(a) ||
					!rte_eth_dev_is_valid_port(b))
				rte_exit(EXIT_FAILURE, "pair (%u,%u): port %u "
					"does not exist\n", a, b,
					rte_eth_dev_is_valid_port(a) ? b : a);
			if (st->port[a].enabled || st->port[b].enabled)
				rte_exit(EXIT_FAILURE, "pair (%u,%u): a port "
					"may be in one pair only\n", a, b);
			if (o->portmask != 0 &&
					(!(o->portmask & (UINT64_C(1) << a)) ||
					 !(o->portmask & (UINT64_C(1) << b))))
				rte_exit(EXIT_FAILURE, "pair (%u,%u) uses a "
					"port outside the port mask\n", a, b);
			st->port[a].enabled = 1;
			st->port[b].enabled = 1;
			st->port[a].peer = b;
			st->port[b].peer = a;
		}
		for (i = 0; i < FWD_MAX_PORTS; i++)
			if ((o->portmask & (UINT64_C(1) << i)) &&
					!st->port[i].enabled)
				rte_exit(EXIT_FAILURE, "port %u is in the port "
					"mask but in no pair\n", i);
	} else {
		RTE_ETH_FOREACH_DEV(port) {
			if (port >= FWD_MAX_PORTS)
				break;
			if (o->portmask != 0 &&
					!(o->portmask & (UINT64_C(1) << port)))
				continue;
			order[n++] = port;
		}
		if (n == 0)
			rte_exit(EXIT_FAILURE, "no port left after the port "
				"mask\n");
		if (n % 2 != 0)
			rte_exit(EXIT_FAILURE, "odd number of ports (%u) and "
				"no --pairs: give pairs explicitly, e.g. "
				"--pairs '(0,0)' to send a port's traffic back "
				"out of it\n", n);
		for (i = 0; i < n; i += 2) {
			st->port[order[i]].enabled = 1;
			st->port[order[i + 1]].enabled = 1;
			st->port[order[i]].peer = order[i + 1];
			st->port[order[i + 1]].peer = order[i];
		}
	}
	st->nb_ports = 0;
	for (i = 0; i < FWD_MAX_PORTS; i++)
		if (st->port[i].enabled) {
			if (fwd_max_queues(i) < o->nb_queues)
				rte_exit(EXIT_FAILURE, "port %u supports at "
					"most %u queues, %u asked\n", i,
					fwd_max_queues(i), o->nb_queues);
			st->nb_ports++;
		}
}

/* Which worker polls which (port, queue): the explicit map, or rx queues
 * dealt round-robin to the workers (queue-major, so with one queue per
 * port, consecutive ports go to different workers). */
static void
map_lcores(struct fwd_state *st, unsigned int *owner)
{
	const struct fwd_opts *o = &st->opts;
	unsigned int workers[RTE_MAX_LCORE];
	unsigned int nb_workers = 0, lcore, i, k = 0;
	uint16_t p, q;

	RTE_LCORE_FOREACH_WORKER(lcore)
		workers[nb_workers++] = lcore;
	if (nb_workers == 0)
		rte_exit(EXIT_FAILURE, "no worker lcore: give EAL at least two "
			"lcores (e.g. -l 0-1): the main lcore only controls\n");
	st->nb_workers = nb_workers;

	for (i = 0; i < FWD_MAX_MAP; i++)
		owner[i] = RTE_MAX_LCORE;
	if (o->nb_map == 0) {
		for (q = 0; q < o->nb_queues; q++)
			for (p = 0; p < FWD_MAX_PORTS; p++)
				if (st->port[p].enabled)
					owner[p * FWD_MAX_QUEUES + q] =
						workers[k++ % nb_workers];
		return;
	}
	for (i = 0; i < o->nb_map; i++) {
		const struct fwd_map_entry *e = &o->map[i];

		if (!st->port[e->port].enabled)
			rte_exit(EXIT_FAILURE, "lcore map (%u,%u,%u): port %u "
				"is not in use\n", e->port, e->queue, e->lcore,
				e->port);
		if (e->queue >= o->nb_queues)
			rte_exit(EXIT_FAILURE, "lcore map (%u,%u,%u): queue %u "
				"but only %u queue(s) per port\n", e->port,
				e->queue, e->lcore, e->queue, o->nb_queues);
		if (!rte_lcore_is_enabled(e->lcore) ||
				e->lcore == rte_get_main_lcore())
			rte_exit(EXIT_FAILURE, "lcore map (%u,%u,%u): lcore %u "
				"is not a worker lcore\n", e->port, e->queue,
				e->lcore, e->lcore);
		if (owner[e->port * FWD_MAX_QUEUES + e->queue] != RTE_MAX_LCORE)
			rte_exit(EXIT_FAILURE, "lcore map: port %u queue %u "
				"is mapped twice\n", e->port, e->queue);
		owner[e->port * FWD_MAX_QUEUES + e->queue] = e->lcore;
	}
	for (p = 0; p < FWD_MAX_PORTS; p++)
		for (q = 0; st->port[p].enabled && q < o->nb_queues; q++)
			if (owner[p * FWD_MAX_QUEUES + q] == RTE_MAX_LCORE)
				rte_exit(EXIT_FAILURE, "lcore map: port %u queue "
					"%u is polled by no lcore\n", p, q);
}

static int
port_socket(uint16_t port, const unsigned int *owner)
{
	int s = rte_eth_dev_socket_id(port);

	/* A virtual device has no socket: use the polling lcore's. */
	if (s < 0)
		s = rte_lcore_to_socket_id(owner[port * FWD_MAX_QUEUES]);
	if (s < 0 || s >= RTE_MAX_NUMA_NODES)
		s = 0;
	return s;
}

static int
ops_registered(const char *name)
{
	unsigned int i;

	for (i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (strcmp(rte_mempool_ops_table.ops[i].name, name) == 0)
			return 1;
	return 0;
}

static void
create_pools(struct fwd_state *st, const unsigned int *slots_of)
{
	const struct fwd_opts *o = &st->opts;
	unsigned int lcore, p, n, need[RTE_MAX_NUMA_NODES] = { 0 };
	unsigned int workers_part = 0;
	char name[RTE_MEMPOOL_NAMESIZE];
	int s;

	if (!ops_registered(o->pool_ops))
		rte_exit(EXIT_FAILURE, "mempool ops '%s' are not registered "
			"(built without the labyrinth mempool driver? try "
			"--pool-ops ring_mp_mc or load it with -d)\n",
			o->pool_ops);

	/* Enough for every descriptor, every lcore cache (which may grow
	 * to 1.5x its size) and every tx buffer, plus slack. */
	RTE_LCORE_FOREACH(lcore)
		workers_part += o->cache_size * 3 / 2 +
			slots_of[lcore] * 2 * o->burst;
	for (p = 0; p < FWD_MAX_PORTS; p++)
		if (st->port[p].enabled)
			need[st->port[p].socket] +=
				o->nb_queues * (o->nb_rxd + o->nb_txd);

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		if (need[s] == 0)
			continue;
		n = o->pool_size ? o->pool_size :
			RTE_MAX(need[s] + workers_part + 2048, 8191u);
		if (o->cache_size > n * 2 / 3)
			rte_exit(EXIT_FAILURE, "mempool cache of %u is too "
				"large for a pool of %u mbufs (at most %u): "
				"lower --cache-size or raise --pool-size\n",
				o->cache_size, n, n * 2 / 3);
		snprintf(name, sizeof(name), "lfwd_mbuf_s%d", s);
		st->pool[s] = rte_pktmbuf_pool_create_by_ops(name, n,
				o->cache_size, 0, RTE_MBUF_DEFAULT_BUF_SIZE, s,
				o->pool_ops);
		if (st->pool[s] == NULL)
			rte_exit(EXIT_FAILURE, "cannot create mbuf pool %s "
				"(%u mbufs, ops %s, socket %d): %s\n", name, n,
				o->pool_ops, s, rte_strerror(rte_errno));
		st->pool_size = n;
		FWD_LOG(INFO, "pool %s: %u mbufs, cache %u, ops %s, "
			"socket %d", name, n, o->cache_size, o->pool_ops, s);
	}
	for (p = 0; p < FWD_MAX_PORTS; p++)
		if (st->port[p].enabled)
			st->port[p].mp = st->pool[st->port[p].socket];
}

static void
create_labyrinth(struct fwd_state *st, const unsigned int *slots_of)
{
	const struct fwd_opts *o = &st->opts;
	struct labyrinth_conf conf;
	struct labyrinth_stats ls;
	unsigned int lcore, p, n = 0;

	/* Pages in flight: tx rings, tx buffers, lcore caches, reserve. */
	RTE_LCORE_FOREACH(lcore)
		n += o->page_cache * 2 + slots_of[lcore] * 2 * o->burst;
	for (p = 0; p < FWD_MAX_PORTS; p++)
		if (st->port[p].enabled)
			n += o->nb_queues * o->nb_txd;
	n += o->page_reserve + 1024;

	memset(&conf, 0, sizeof(conf));
	conf.name = LAB_NAME;
	conf.socket_id = SOCKET_ID_ANY;
	conf.page_size = o->page_size;
	conf.nb_pages = o->pages ? o->pages : n;
	conf.reserve = o->page_reserve;
	conf.cache_size = o->page_cache;
	if (conf.reserve >= conf.nb_pages)
		rte_exit(EXIT_FAILURE, "page reserve (%u) must be below the "
			"page count (%u)\n", conf.reserve, conf.nb_pages);
	st->lab = labyrinth_create(&conf);
	if (st->lab == NULL)
		rte_exit(EXIT_FAILURE, "cannot create labyrinth %s (%u pages "
			"of %u bytes, reserve %u, cache %u): %s\n", LAB_NAME,
			conf.nb_pages, conf.page_size, conf.reserve,
			conf.cache_size, rte_strerror(rte_errno));
	if (labyrinth_stats_get(st->lab, &ls) == 0)
		st->lab_pages = ls.pages;
	else
		st->lab_pages = labyrinth_free_count(st->lab);
	FWD_LOG(INFO, "labyrinth %s: %u pages of %u bytes, reserve %u, "
		"cache %u", LAB_NAME, st->lab_pages, conf.page_size,
		conf.reserve, conf.cache_size);
}

static void
init_port(struct fwd_state *st, uint16_t port)
{
	const struct fwd_opts *o = &st->opts;
	struct fwd_port_info *pi = &st->port[port];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxq;
	struct rte_eth_txconf txq;
	uint16_t nb_rxd = o->nb_rxd, nb_txd = o->nb_txd, q;
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "port %u: cannot get device info: %s\n",
			port, strerror(-ret));
	memset(&conf, 0, sizeof(conf));
	conf.txmode.mq_mode = RTE_ETH_MQ_TX_NONE;
	if (o->nb_queues > 1) {
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP |
			RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
		if (conf.rx_adv_conf.rss_conf.rss_hf != 0)
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	}
	/* Fast free needs direct mbufs of one pool per tx queue: true in io
	 * and macswap (tx queue q of a port only carries rx queue q of its
	 * peer), false for the external buffers of page-copy. */
	if (o->mode != FWD_MODE_PAGE_COPY &&
			(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE))
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	ret = rte_eth_dev_configure(port, o->nb_queues, o->nb_queues, &conf);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: cannot configure: %s\n",
			port, strerror(-ret));
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: cannot adjust descriptors: "
			"%s\n", port, strerror(-ret));
	ret = rte_eth_macaddr_get(port, &pi->mac);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: cannot get MAC address: %s\n",
			port, strerror(-ret));

	rxq = info.default_rxconf;
	rxq.offloads = conf.rxmode.offloads;
	txq = info.default_txconf;
	txq.offloads = conf.txmode.offloads;
	for (q = 0; q < o->nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, pi->socket, &rxq,
				pi->mp);
		if (ret < 0)
			rte_exit(EXIT_FAILURE, "port %u: rx queue %u setup: "
				"%s\n", port, q, strerror(-ret));
		ret = rte_eth_tx_queue_setup(port, q, nb_txd, pi->socket, &txq);
		if (ret < 0)
			rte_exit(EXIT_FAILURE, "port %u: tx queue %u setup: "
				"%s\n", port, q, strerror(-ret));
	}
	if (o->promisc) {
		ret = rte_eth_promiscuous_enable(port);
		if (ret != 0 && ret != -ENOTSUP)
			FWD_LOG(WARNING, "port %u: cannot enable promiscuous "
				"mode: %s", port, strerror(-ret));
	}
	ret = rte_eth_dev_start(port);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "port %u: cannot start: %s\n", port,
			strerror(-ret));
	rte_ether_format_addr(mac, sizeof(mac), &pi->mac);
	printf("port %u: %s, MAC %s, socket %d, %u queue(s), %u/%u "
		"descriptors, peer port %u\n", port, info.driver_name, mac,
		pi->socket, o->nb_queues, nb_rxd, nb_txd, pi->peer);
}

void
fwd_setup(struct fwd_state *st)
{
	static unsigned int owner[FWD_MAX_MAP];
	const struct fwd_opts *o = &st->opts;
	unsigned int slots_of[RTE_MAX_LCORE] = { 0 };
	unsigned int lcore, k;
	uint16_t p, q;

	select_ports(st);
	map_lcores(st, owner);
	for (p = 0; p < FWD_MAX_PORTS; p++)
		for (q = 0; st->port[p].enabled && q < o->nb_queues; q++)
			slots_of[owner[p * FWD_MAX_QUEUES + q]]++;
	RTE_LCORE_FOREACH_WORKER(lcore)
		if (slots_of[lcore] > FWD_MAX_SLOTS)
			rte_exit(EXIT_FAILURE, "lcore %u would poll %u queues, "
				"at most %d\n", lcore, slots_of[lcore],
				FWD_MAX_SLOTS);
	for (p = 0; p < FWD_MAX_PORTS; p++)
		if (st->port[p].enabled)
			st->port[p].socket = port_socket(p, owner);

	create_pools(st, slots_of);
	if (o->mode == FWD_MODE_PAGE_COPY)
		create_labyrinth(st, slots_of);

	/* Per-lcore conf, written before launch and read-only afterwards
	 * (rte_eal_remote_launch publishes it to the worker). */
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct fwd_lcore_conf *lc = &fwd_lconf[lcore];

		if (slots_of[lcore] == 0) {
			printf("lcore %u: nothing to poll, stays idle\n",
				lcore);
			continue;
		}
		lc->slots = rte_zmalloc_socket("lfwd_slots",
				slots_of[lcore] * sizeof(*lc->slots),
				RTE_CACHE_LINE_SIZE,
				rte_lcore_to_socket_id(lcore));
		if (lc->slots == NULL)
			rte_exit(EXIT_FAILURE, "cannot allocate lcore %u "
				"state\n", lcore);
		printf("lcore %u polls", lcore);
		for (p = 0; p < FWD_MAX_PORTS; p++)
			for (q = 0; st->port[p].enabled && q < o->nb_queues;
					q++) {
				struct fwd_slot *s;

				if (owner[p * FWD_MAX_QUEUES + q] != lcore)
					continue;
				k = lc->nb_slots++;
				s = &lc->slots[k];
				s->rx_port = p;
				s->rx_queue = q;
				s->tx_port = st->port[p].peer;
				s->tx_queue = q;
				s->mp = st->port[p].mp;
				printf(" (port %u, queue %u -> port %u)", p, q,
					s->tx_port);
			}
		printf("\n");
	}

	for (p = 0; p < FWD_MAX_PORTS; p++)
		if (st->port[p].enabled)
			init_port(st, p);
	printf("mode %s, burst %u, %u port(s), %u worker lcore(s)\n",
		fwd_mode_name(o->mode), o->burst, st->nb_ports,
		st->nb_workers);
	fflush(stdout);
}

static void
audit_one(struct labyrinth *lab, void *arg)
{
	struct fwd_state *st = arg;
	int rc = labyrinth_audit(lab);

	if (rc != 0) {
		FWD_LOG(ERR, "labyrinth %s: audit failed (%d)",
			labyrinth_name(lab), rc);
		st->lab_audit = rc;
	}
}

/* After the workers have returned: stop and close the ports (which frees
 * the mbufs in their rings), then check that every mbuf and page is back. */
void
fwd_port_shutdown(struct fwd_state *st)
{
	unsigned int p, s;
	int ret;

	fwd_ctl_lock();
	st->tel_ready = 0;
	fwd_ctl_unlock();

	for (p = 0; p < FWD_MAX_PORTS; p++) {
		if (!st->port[p].enabled)
			continue;
		ret = rte_eth_dev_stop(p);
		if (ret != 0)
			FWD_LOG(WARNING, "port %u: stop: %s", p,
				strerror(-ret));
		if (rte_eth_stats_get(p, &st->port[p].final) == 0)
			st->port[p].have_final = 1;
	}
	for (p = 0; p < FWD_MAX_PORTS; p++) {
		if (!st->port[p].enabled)
			continue;
		ret = rte_eth_dev_close(p);
		if (ret != 0)
			FWD_LOG(WARNING, "port %u: close: %s", p,
				strerror(-ret));
	}

	st->mbufs_missing = 0;
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		unsigned int avail;

		if (st->pool[s] == NULL)
			continue;
		avail = rte_mempool_avail_count(st->pool[s]);
		if (avail != st->pool[s]->size) {
			FWD_LOG(ERR, "pool %s: %u of %u mbufs came back",
				st->pool[s]->name, avail, st->pool[s]->size);
			st->mbufs_missing += st->pool[s]->size - avail;
		}
	}
	st->pages_missing = 0;
	st->lab_audit = 0;
	if (st->lab != NULL) {
		unsigned int free_pages = labyrinth_free_count(st->lab);

		if (free_pages != st->lab_pages) {
			FWD_LOG(ERR, "labyrinth %s: %u of %u pages came back",
				labyrinth_name(st->lab), free_pages,
				st->lab_pages);
			st->pages_missing = st->lab_pages - free_pages;
		}
	}
	/* Ours and the ones behind the mempools. */
	labyrinth_walk(audit_one, st);
	st->leaked = st->mbufs_missing != 0 || st->pages_missing != 0 ||
		st->lab_audit != 0;
}

void
fwd_free_resources(struct fwd_state *st)
{
	unsigned int s, lcore;
	int ret;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		rte_free(fwd_lconf[lcore].slots);
		fwd_lconf[lcore].slots = NULL;
		fwd_lconf[lcore].nb_slots = 0;
	}
	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		rte_mempool_free(st->pool[s]);
		st->pool[s] = NULL;
	}
	if (st->lab != NULL) {
		ret = labyrinth_destroy(st->lab);
		if (ret != 0)
			FWD_LOG(ERR, "labyrinth %s: destroy: %s", LAB_NAME,
				strerror(-ret));
		st->lab = NULL;
	}
}
