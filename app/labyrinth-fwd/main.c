/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth-fwd: poll-mode forwarding between port pairs, with packet
 * buffers from a labyrinth-backed mempool and, in page-copy mode, every
 * packet copied into a page grabbed from a labyrinth with
 * LABYRINTH_GFP_ATOMIC.
 *
 * The order follows examples/l2fwd: EAL, application options, pools,
 * ports, signal handlers, launch of the workers (fwd_loop.c) on every
 * lcore but the main one. The main lcore is the only one that sleeps: it
 * prints statistics and watches the clock and the quit flag. On quit:
 * wait for the workers, stop and close the ports, check that every mbuf
 * and page came back, write the summary, free everything.
 */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#ifdef RTE_LIB_PDUMP
#include <rte_pdump.h>
#endif

#include "fwd_priv.h"

RTE_LOG_REGISTER(fwd_logtype, user.labyrinth.fwd, INFO);

struct fwd_state fwd;
struct fwd_lcore_conf fwd_lconf[RTE_MAX_LCORE];
int fwd_quit;

/* Control loop tick: how fast the main lcore sees quit and the clock. */
#define CONTROL_TICK_MS 50

static void
signal_handler(int signum)
{
	if (signum == SIGINT || signum == SIGTERM) {
		/*
		 * Only asks the loops to end: it publishes no data, so a
		 * relaxed store suffices; the workers' relaxed loads
		 * (fwd_loop.c, poll_loop) see it eventually. A lock-free
		 * atomic store is async-signal-safe.
		 */
		__atomic_store_n(&fwd_quit, 1, __ATOMIC_RELAXED);
	}
}

static int
quitting(void)
{
	/* Pairs with the relaxed store in signal_handler(); eventual
	 * visibility is all the control loop needs. */
	return __atomic_load_n(&fwd_quit, __ATOMIC_RELAXED);
}

static void
control_loop(void)
{
	static struct fwd_snapshot cur, prev;
	const struct fwd_opts *o = &fwd.opts;
	const struct timespec tick = {
		.tv_sec = 0,
		.tv_nsec = CONTROL_TICK_MS * 1000000L,
	};
	double next_stats = o->stats_interval;

	fwd_snapshot(&prev);
	while (!quitting()) {
		double t;

		/* EINTR from a signal just ends the tick early. */
		nanosleep(&tick, NULL);
		t = fwd_elapsed();
		if (o->duration != 0 && t >= o->duration) {
			/* Same as the signal handler: asks, publishes
			 * nothing. */
			__atomic_store_n(&fwd_quit, 1, __ATOMIC_RELAXED);
			break;
		}
		if (o->stats_interval != 0 && t >= next_stats) {
			fwd_snapshot(&cur);
			fwd_stats_print(stdout, &cur, &prev);
			prev = cur;
			next_stats += o->stats_interval;
		}
	}
}

int
main(int argc, char **argv)
{
	static struct fwd_snapshot final;
	unsigned int lcore;
	int ret, rc = EXIT_SUCCESS;

	/* 8< EAL, then the application's options */
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "invalid EAL arguments\n");
	argc -= ret;
	argv += ret;

	ret = fwd_parse_args(&fwd.opts, argc, argv);
	if (ret != 0) {
		rte_eal_cleanup();
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (fwd.opts.print_config) {
		fwd_print_config(stdout, &fwd.opts);
		rte_eal_cleanup();
		return EXIT_SUCCESS;
	}
	/* >8 */

	/* 8< pools, labyrinth, ports, signals, launch */
	fwd_setup(&fwd);
#ifdef RTE_LIB_PDUMP
	/* As testpmd does: a dpdk-pdump secondary can capture our ports
	 * (docs/mempool-driver.md, multi-process). */
	if (rte_pdump_init() != 0)
		FWD_LOG(WARNING, "packet capture (pdump) unavailable: %s",
			rte_strerror(rte_errno));
#endif

	signal(SIGINT, signal_handler);
	signal(SIGTERM, signal_handler);

	fwd_ctl_lock();
	fwd.start_tsc = rte_rdtsc();
	fwd.tel_ready = 1;
	fwd_ctl_unlock();
	fwd_telemetry_register();

	rte_eal_mp_remote_launch(fwd_worker, NULL, SKIP_MAIN);
	/* >8 */

	control_loop();

	/* 8< shutdown */
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (rte_eal_wait_lcore(lcore) < 0)
			rc = EXIT_FAILURE;
	}
	fwd.stop_tsc = rte_rdtsc();
#ifdef RTE_LIB_PDUMP
	rte_pdump_uninit();
#endif
	fwd_snapshot(&final);
	printf("\nworkers stopped; closing ports\n");
	fwd_port_shutdown(&fwd);
	fwd_summary_print(stdout, &final);
	if (fwd.opts.stats_json[0] != '\0' &&
			fwd_json_write(fwd.opts.stats_json, &final) != 0)
		rc = EXIT_FAILURE;
	fwd_free_resources(&fwd);
	if (fwd.leaked)
		rc = EXIT_FAILURE;
	rte_eal_cleanup();
	/* >8 */
	return rc;
}
