/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth-bench: the page pool measured side by side with DPDK's own
 * allocators, in the same run.
 *
 * Sections (--only NAME[,NAME...]), one file each:
 *   pair     ns per grab+free pair on one lcore          bench_pair.c
 *   empty    ns per failed grab on an empty pool, 1 Ki .. 1 Mi pages
 *                                                        bench_empty.c
 *   scale    aggregate throughput on 1, 2 (4, 8) lcores, local and remote
 *            frees                                       bench_scale.c
 *   latency  distribution of single grabs, TSC per grab  bench_latency.c
 *   meta     metadata bytes per page                     bench_meta.c
 *   llfree   cache-less pairs of orders 0..9 beside LLFree's get/put
 *                                                        bench_llfree.c
 *
 * Method. Every figure is the median of --runs runs, printed with min and
 * max. Within a section the variants run round-robin (bench_round_robin()
 * in bench_common.c): round r runs every variant once, starting at
 * variant r mod V, so a slow drift (frequency, a noisy neighbour) hits
 * every variant alike. One untimed warm-up round of N/10 comes first.
 * Each timed loop is bracketed by rte_rdtsc_precise() and converted to ns
 * with rte_get_tsc_hz().
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>

#include "bench_priv.h"
#include "labyrinth_test.h"

struct bench_opts bench_opt;
double bench_tsc_ns;
unsigned int bench_nb_failed;

/* 8< section table */
static const struct bench_section * const bench_sections[] = {
	&bench_pair_section,
	&bench_empty_section,
	&bench_scale_section,
	&bench_latency_section,
	&bench_meta_section,
	&bench_llfree_section,
};
/* >8 section table */

#define NB_SECTIONS RTE_DIM(bench_sections)
#define SEC_ALL ((1u << NB_SECTIONS) - 1)

static void
usage(const char *prog)
{
	unsigned int i;

	printf("usage: %s [EAL options] -- [options]\n"
		"  --quick          tiny N and 1 run: a smoke test of a few "
		"seconds\n"
		"  --runs N         runs per figure (default 5, at most %d; "
		"the llfree section does at least %u)\n"
		"  --n N            pairs per timed run (default 1000000)\n"
		"  --json FILE      write every figure and target as JSON\n"
		"  --cdf FILE       write the latency CDF points (gnuplot "
		"data, one index per variant)\n"
		"  --only LIST      sections, comma separated: ",
		prog, MAX_RUNS, LLFREE_MIN_RUNS);
	for (i = 0; i < NB_SECTIONS; i++)
		printf("%s%s", i ? ", " : "", bench_sections[i]->name);
	printf("\n"
		"  --verbose        print every scale run's time\n"
		"  --help           this text\n"
		"Run with -l 0-1 for the 2-lcore figures; with "
		"--lcores '(0-7)@(0,1)' for 4 and 8 lcores oversubscribed.\n");
}

/* The bit of one section name (bit i: bench_sections[i]), or of "all";
 * 0 if there is no such section. */
static unsigned int
section_bit(const char *name)
{
	unsigned int i;

	if (strcmp(name, "all") == 0)
		return SEC_ALL;
	for (i = 0; i < NB_SECTIONS; i++)
		if (strcmp(name, bench_sections[i]->name) == 0)
			return 1u << i;
	return 0;
}

static unsigned int
parse_sections(const char *list)
{
	char buf[128], *tok, *save = NULL;
	unsigned int mask = 0, bit;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
			tok = strtok_r(NULL, ",", &save)) {
		bit = section_bit(tok);
		if (bit == 0)
			return 0;
		mask |= bit;
	}
	return mask;
}

static uint64_t
parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v == 0)
		rte_exit(EXIT_FAILURE, "bad %s: %s\n", what, s);
	return v;
}

/* N, runs and sizes from what the command line said (or not). */
static void
opts_finish(bool runs_set, bool n_set, uint64_t n)
{
	if (bench_opt.quick && !runs_set)
		bench_opt.runs = 1;
	if (!n_set)
		n = bench_opt.quick ? 20000 : 1000000;
	/* multiples of BULK, so bulk loops cover exactly n objects */
	bench_opt.n = RTE_MAX(RTE_ALIGN_CEIL(n, BULK), (uint64_t)BULK * 10);
	bench_opt.n_lat = bench_opt.n;
	bench_opt.n_scale = 2 * bench_opt.n;
}

static void
parse_args(int argc, char **argv, const char *prog)
{
	static const struct option longopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "runs", required_argument, NULL, 'r' },
		{ "n", required_argument, NULL, 'n' },
		{ "json", required_argument, NULL, 'j' },
		{ "cdf", required_argument, NULL, 'c' },
		{ "only", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool runs_set = false, n_set = false;
	uint64_t n = 0;
	int c;

	bench_opt.runs = 5;
	bench_opt.sections = SEC_ALL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			bench_opt.quick = true;
			break;
		case 'r':
			bench_opt.runs = (unsigned int)parse_u64(optarg,
					"--runs");
			if (bench_opt.runs > MAX_RUNS)
				rte_exit(EXIT_FAILURE, "--runs: at most %d\n",
					MAX_RUNS);
			runs_set = true;
			break;
		case 'n':
			n = parse_u64(optarg, "--n");
			n_set = true;
			break;
		case 'j':
			bench_opt.json_path = optarg;
			break;
		case 'c':
			bench_opt.cdf_path = optarg;
			break;
		case 'o':
			bench_opt.sections = parse_sections(optarg);
			if (bench_opt.sections == 0)
				rte_exit(EXIT_FAILURE, "bad --only: %s\n",
					optarg);
			break;
		case 'v':
			bench_opt.verbose = true;
			break;
		case 'h':
			usage(prog);
			exit(0);
		default:
			usage(prog);
			rte_exit(EXIT_FAILURE, "bad arguments\n");
		}
	}
	if (optind != argc) {
		usage(prog);
		rte_exit(EXIT_FAILURE, "unexpected argument: %s\n",
			argv[optind]);
	}
	opts_finish(runs_set, n_set, n);
}

int
main(int argc, char **argv)
{
	const char *prog;
	char cpu[128];
	unsigned int i;
	int ret;

	/* line by line, so a long run shows its progress */
	setvbuf(stdout, NULL, _IOLBF, 0);
	prog = argv[0];
	ret = lt_eal_init(argc, argv);
	argc -= ret;
	argv += ret;
	parse_args(argc, argv, prog);
	bench_tsc_ns = 1e9 / (double)rte_get_tsc_hz();

	print_header(cpu, sizeof(cpu));
	/* 8< section loop */
	for (i = 0; i < NB_SECTIONS; i++)
		if (bench_opt.sections & (1u << i))
			bench_sections[i]->run();
	/* >8 section loop */
	print_targets();
	if (bench_opt.json_path != NULL)
		write_json(cpu);
	if (bench_nb_failed != 0)
		printf("%u variant(s) failed: see the errors above\n",
			bench_nb_failed);
	rte_eal_cleanup();
	return bench_nb_failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
