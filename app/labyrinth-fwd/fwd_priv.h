/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef FWD_PRIV_H
#define FWD_PRIV_H

/*
 * labyrinth-fwd: private declarations shared by main.c (EAL, launch,
 * control loop, shutdown), fwd_args.c (the table of options, command
 * line, --help), fwd_cfg.c (the config file), fwd_port.c (pools,
 * labyrinth, ports, lcore mapping), fwd_loop.c (the poll-mode workers)
 * and fwd_stats.c (statistics, JSON, telemetry).
 *
 * Threads: the main lcore sets everything up, launches the workers, then
 * runs the control loop (it may sleep). Workers only poll, forward and
 * count (see fwd_loop.c). The telemetry thread reads counters.
 */

#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_config.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <labyrinth.h>

extern int fwd_logtype;

/* Adds the prefix and the newline: call sites never end with "\n". */
#define FWD_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, fwd_logtype, "labyrinth-fwd: " fmt "\n", \
		##__VA_ARGS__)

#define FWD_MAX_PORTS RTE_MAX_ETHPORTS
#define FWD_MAX_QUEUES 16	/**< rx and tx queues per port */
#define FWD_MAX_SLOTS 32	/**< rx queues one lcore may poll */
#define FWD_MAX_BURST 512
#define FWD_MAX_MAP (FWD_MAX_PORTS * FWD_MAX_QUEUES)
#define FWD_NO_PORT UINT16_MAX

enum fwd_mode {
	FWD_MODE_IO,
	FWD_MODE_MACSWAP,
	FWD_MODE_PAGE_COPY,
};

/* One "(port,queue,lcore)" entry of --lcore-map. */
struct fwd_map_entry {
	uint16_t port;
	uint16_t queue;
	unsigned int lcore;
};

/* Application options: built-in defaults, then the config file, then the
 * command line. Every field has a config key (fwd_args.c, opt_table). */
struct fwd_opts {
	uint64_t portmask;		/* 0: every port (or those in pairs) */
	unsigned int nb_pairs;		/* 0: default pairs 0-1, 2-3, ... */
	uint16_t pair[FWD_MAX_PORTS][2];
	unsigned int nb_queues;
	unsigned int nb_rxd;
	unsigned int nb_txd;
	int promisc;
	unsigned int nb_map;		/* 0: spread evenly over workers */
	struct fwd_map_entry map[FWD_MAX_MAP];
	enum fwd_mode mode;
	unsigned int burst;
	unsigned int drain_us;
	char pool_ops[RTE_MEMPOOL_OPS_NAMESIZE];
	unsigned int pool_size;		/* mbufs per socket; 0: computed */
	unsigned int cache_size;	/* mempool per-lcore cache */
	unsigned int pages;		/* labyrinth pages per zone; 0: computed */
	unsigned int page_size;
	unsigned int page_reserve;
	unsigned int page_cache;	/* labyrinth per-lcore cache */
	unsigned int stats_interval;	/* seconds; 0: no periodic stats */
	unsigned int duration;		/* seconds; 0: until a signal */
	char stats_json[PATH_MAX];
	char config[PATH_MAX];
	int print_config;
};

/*
 * Counters of one polled rx queue. Written only by the lcore polling it
 * (fwd_counter_add), read by the main lcore and the telemetry thread with
 * relaxed loads. For every slot, at quiescence: rx == tx + dropped.
 */
struct fwd_counters {
	uint64_t rx;		/* received on rx_port/rx_queue */
	uint64_t tx;		/* of those, sent on tx_port/tx_queue */
	uint64_t dropped;	/* of those, freed unsent (any reason) */
	uint64_t grab_fail;	/* of the drops: no page (page-copy) */
	uint64_t nombuf;	/* of the drops: no mbuf (page-copy) */
	uint64_t too_big;	/* of the drops: larger than a page */
};

/* One rx queue polled by a worker, with its tx buffer. */
struct fwd_slot {
	uint16_t rx_port;
	uint16_t rx_queue;
	uint16_t tx_port;
	uint16_t tx_queue;
	uint16_t nb_pending;		/* mbufs waiting in pending[] */
	struct rte_mempool *mp;		/* pool of rx_port's socket */
	struct fwd_counters c __rte_cache_aligned;
	struct rte_mbuf *pending[2 * FWD_MAX_BURST] __rte_cache_aligned;
};

/* Per-lcore conf, written by the main lcore before launch. */
struct fwd_lcore_conf {
	unsigned int nb_slots;
	struct fwd_slot *slots;		/* rte_zmalloc'ed on the lcore's socket */
	int tid;			/* worker's thread id, set before its loop
					 * (release; 0 until then) */
} __rte_cache_aligned;

struct fwd_port_info {
	int enabled;
	uint16_t peer;
	int socket;
	struct rte_mempool *mp;
	struct rte_ether_addr mac;
	struct rte_eth_stats final;	/* taken after stop, before close */
	int have_final;
};

/* Whole-application state, owned by the main lcore. */
struct fwd_state {
	struct fwd_opts opts;
	unsigned int nb_ports;		/* enabled ports */
	struct fwd_port_info port[FWD_MAX_PORTS];
	unsigned int nb_workers;
	struct rte_mempool *pool[RTE_MAX_NUMA_NODES];
	unsigned int pool_size;		/* mbufs per pool, as created */
	struct labyrinth *lab;		/* page-copy only */
	unsigned int lab_pages;		/* pages in all zones */
	uint64_t start_tsc;
	uint64_t stop_tsc;		/* 0 while running */
	/* leak check, filled by fwd_port_shutdown() */
	unsigned int mbufs_missing;
	unsigned int pages_missing;
	int lab_audit;
	int leaked;
	int tel_ready;			/* under fwd_ctl_lock */
};

extern struct fwd_state fwd;
extern struct fwd_lcore_conf fwd_lconf[RTE_MAX_LCORE];
extern int fwd_quit;

/* fwd_args.c */
const char *fwd_mode_name(enum fwd_mode mode);
int fwd_parse_args(struct fwd_opts *o, int argc, char **argv);
void fwd_print_config(FILE *f, const struct fwd_opts *o);
void fwd_usage(const char *prgname);
/* fwd_args.c: the table of options, as the config file uses it; an
 * option is its id */
int fwd_opt_find(const char *section, const char *key);
int fwd_opt_section_known(const char *section);
int fwd_opt_set(struct fwd_opts *o, int id, const char *val, char *err,
		size_t errlen);

/* fwd_cfg.c */
int fwd_cfg_apply(struct fwd_opts *o, const char *path);

/* fwd_port.c */
void fwd_setup(struct fwd_state *st);
void fwd_port_shutdown(struct fwd_state *st);
void fwd_free_resources(struct fwd_state *st);

/* fwd_loop.c */
int fwd_worker(void *arg);
void fwd_page_free_cb(void *addr, void *opaque);

/* fwd_stats.c */
struct fwd_snap_port {
	uint64_t rx, fwd, tx, dropped, grab_fail;
};
struct fwd_snap_lcore {
	uint64_t rx, tx, dropped, grab_fail;
	uint64_t cpu_ns;	/* time on a CPU (schedstat), 0: unknown */
};
struct fwd_snapshot {
	double elapsed;
	uint64_t cpu_ns;	/* sum over the workers */
	struct fwd_counters total;
	struct fwd_snap_port port[FWD_MAX_PORTS];
	struct fwd_snap_lcore lcore[RTE_MAX_LCORE];
};
void fwd_snapshot(struct fwd_snapshot *s);
void fwd_stats_print(FILE *f, const struct fwd_snapshot *cur,
		const struct fwd_snapshot *prev);
void fwd_summary_print(FILE *f, const struct fwd_snapshot *s);
int fwd_json_write(const char *path, const struct fwd_snapshot *s);
void fwd_telemetry_register(void);
void fwd_ctl_lock(void);
void fwd_ctl_unlock(void);
double fwd_elapsed(void);

#endif /* FWD_PRIV_H */
