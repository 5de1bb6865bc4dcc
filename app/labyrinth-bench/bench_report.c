/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * What a run says about itself: the header (DPDK, compiler, CPU, TSC,
 * load, memory) and, with --json, every figure and target as JSON.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_version.h>

#include "bench_priv.h"

static uint64_t tsc_resolution; /* the TSC's step, cycles */
static uint64_t tsc_read;       /* two reads back to back, cycles */
static char loadavg[64];        /* /proc/loadavg at start */

static void
cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *colon;

	fmt_label(buf, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "model name", 10) != 0)
			continue;
		colon = strchr(line, ':');
		if (colon != NULL) {
			fmt_label(buf, len, "%s", colon + 2);
			buf[strcspn(buf, "\n")] = '\0';
		}
		break;
	}
	fclose(f);
}

static const char *
isa_string(void)
{
	return "SSE4.2 "
#ifdef __SSE4_2__
		"yes"
#else
		"no"
#endif
		", AVX "
#ifdef __AVX__
		"yes"
#else
		"no"
#endif
		", AVX2 "
#ifdef __AVX2__
		"yes"
#else
		"no"
#endif
		", AVX-512F "
#ifdef __AVX512F__
		"yes";
#else
		"no";
#endif
}

#define TSC_SAMPLES 20000u
#define TSC_HIST 512u

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * The TSC as the latency section sees it. Its step (tsc_resolution): the
 * greatest common divisor of the intervals that two reads around 0 to 6
 * turns of an empty loop measure, over the intervals seen at least 1 % of
 * the time (a rare odd one, an interrupt or a virtual TSC adjusted, must
 * not decide): 1 or 2 cycles on Intel, tens on CPUs whose TSC advances in
 * coarse steps (AMD Zen), which quantise single-grab samples. And the
 * cost of a read (tsc_read): the most frequent interval between two reads
 * back to back, which every sample includes (the "timer alone" line;
 * 18-22 cycles under this KVM, which the step was once mistaken for).
 */
static void
tsc_measure(void)
{
	static uint32_t seen[TSC_HIST];
	uint64_t t0, t1, step = 0, best = 0;
	unsigned int i;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < TSC_SAMPLES; i++) {
		volatile unsigned int k;

		t0 = rte_rdtsc();
		for (k = 0; k < i % 7; k++)
			;
		t1 = rte_rdtsc();
		if (t1 - t0 < TSC_HIST)
			seen[t1 - t0]++;
	}
	for (i = 1; i < TSC_HIST; i++)
		if (seen[i] >= TSC_SAMPLES / 100)
			step = gcd_u64(step, i);
	tsc_resolution = step != 0 ? step : 1;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 1000; i++) {
		t0 = rte_rdtsc();
		do
			t1 = rte_rdtsc();
		while (t1 == t0);
		if (t1 - t0 < TSC_HIST)
			seen[t1 - t0]++;
	}
	for (i = 1; i < TSC_HIST; i++)
		if (seen[i] > seen[best])
			best = i;
	tsc_read = best;
}

static void
read_loadavg(void)
{
	FILE *f = fopen("/proc/loadavg", "r");

	snprintf(loadavg, sizeof(loadavg), "unknown");
	if (f == NULL)
		return;
	if (fgets(loadavg, sizeof(loadavg), f) != NULL) {
		/* the 1, 5 and 15 minute averages only */
		char *p = loadavg;
		int fields = 0;

		while (*p != '\0' && !(*p == ' ' && ++fields == 3))
			p++;
		*p = '\0';
	}
	fclose(f);
}

void
print_header(char *cpu, size_t cpu_len)
{
	cpu_model(cpu, cpu_len);
	read_loadavg();
	tsc_measure();
	printf("labyrinth-bench: %s, gcc %s\n", rte_version(), __VERSION__);
	printf("cpu: %s, TSC %.1f MHz, %u lcores (main lcore %u)\n", cpu,
		(double)rte_get_tsc_hz() / 1e6, rte_lcore_count(),
		rte_get_main_lcore());
	printf("TSC step: %" PRIu64 " cycles = %.2f ns (resolution of each "
		"single-grab latency sample); a read: %" PRIu64 " cycles = "
		"%.1f ns (in every sample)\n", tsc_resolution,
		(double)tsc_resolution * bench_tsc_ns, tsc_read,
		(double)tsc_read * bench_tsc_ns);
	printf("-march=%s (added by `pkg-config --cflags libdpdk`; "
		"Debian's DPDK libraries are built for it too); ISA the "
		"compiler targeted: %s\n", BENCH_MARCH, isa_string());
	printf("load average at start: %s (other processes on these CPUs "
		"disturb the figures)\n", loadavg);
	printf("memory: %s\n", rte_eal_has_hugepages() ?
		"hugepages (hugetlbfs)" :
		"no hugepages (--no-huge: anonymous 4 KiB pages)");
	printf("LLFree (the llfree section's peer): %s\n", BENCH_LLFREE_WHY);
	printf("runs per figure: %u, N: %" PRIu64 " per timed run%s\n",
		bench_opt.runs, bench_opt.n, bench_opt.quick ?
		" (--quick: a smoke test, figures are noisy)" : "");
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.4f", v);
}

/* The run's description: every key before "figures". */
static void
json_run(FILE *f, const char *cpu)
{
	fprintf(f, "{\n  \"tool\": \"labyrinth-bench\",\n  \"dpdk\": ");
	json_str(f, rte_version());
	fprintf(f, ",\n  \"compiler\": ");
	json_str(f, "gcc " __VERSION__);
	fprintf(f, ",\n  \"march\": ");
	json_str(f, BENCH_MARCH);
	fprintf(f, ",\n  \"isa\": ");
	json_str(f, isa_string());
	/* Set by labyrinth_create(), which every section before this ran. */
	fprintf(f, ",\n  \"bulk_loops\": ");
	json_str(f, labyrinth_fast_simd ? "AVX2" : "scalar");
	fprintf(f, ",\n  \"cpu\": ");
	json_str(f, cpu);
	fprintf(f, ",\n  \"loadavg\": ");
	json_str(f, loadavg);
	fprintf(f, ",\n  \"llfree\": ");
	json_str(f, BENCH_LLFREE_WHY);
	fprintf(f, ",\n  \"tsc_hz\": %" PRIu64 ",\n  \"lcores\": %u,\n"
		"  \"tsc_step_cycles\": %" PRIu64 ",\n"
		"  \"tsc_read_cycles\": %" PRIu64 ",\n"
		"  \"hugepages\": %s,\n  \"runs\": %u,\n  \"n\": %" PRIu64
		",\n  \"quick\": %s,\n", rte_get_tsc_hz(),
		rte_lcore_count(), tsc_resolution, tsc_read,
		rte_eal_has_hugepages() ? "true" : "false", bench_opt.runs,
		bench_opt.n, bench_opt.quick ? "true" : "false");
}

static void
json_figure(FILE *f, const struct figure *g, bool last)
{
	unsigned int r;

	fprintf(f, "    {\"section\": ");
	json_str(f, g->section);
	fprintf(f, ", \"name\": ");
	json_str(f, g->name);
	fprintf(f, ", \"unit\": ");
	json_str(f, g->unit);
	fprintf(f, ", \"valid\": %s, \"median\": ",
		g->valid ? "true" : "false");
	json_num(f, g->med);
	fprintf(f, ", \"min\": ");
	json_num(f, g->min);
	fprintf(f, ", \"max\": ");
	json_num(f, g->max);
	fprintf(f, ", \"runs\": [");
	for (r = 0; g->valid && r < g->nb_runs; r++) {
		fprintf(f, "%s", r ? ", " : "");
		json_num(f, g->v[r]);
	}
	fprintf(f, "], \"ref\": ");
	json_num(f, g->ref);
	fprintf(f, ", \"anchor\": ");
	if (g->vs[0] != '\0')
		json_str(f, g->vs);
	else
		fputs("null", f);
	fprintf(f, ", \"ratio\": ");
	json_num(f, g->ratio);
	fprintf(f, "}%s\n", last ? "" : ",");
}

static void
json_target(FILE *f, const struct target *t, bool last)
{
	fprintf(f, "    {\"what\": ");
	json_str(f, t->what);
	fprintf(f, ", \"value\": ");
	json_num(f, t->value);
	fprintf(f, ", \"op\": \"%s\", \"limit\": ",
		t->at_most ? "<=" : ">=");
	json_num(f, t->limit);
	fprintf(f, ", \"pass\": %s}%s\n", !t->known ? "null" :
		target_pass(t) ? "true" : "false", last ? "" : ",");
}

void
write_json(const char *cpu)
{
	FILE *f = fopen(bench_opt.json_path, "w");
	unsigned int i;

	if (f == NULL) {
		printf("error: cannot write %s: %s\n", bench_opt.json_path,
			strerror(errno));
		bench_nb_failed++;
		return;
	}
	json_run(f, cpu);
	fprintf(f, "  \"figures\": [\n");
	for (i = 0; i < bench_nb_figures; i++)
		json_figure(f, &bench_figures[i], i + 1 == bench_nb_figures);
	fprintf(f, "  ],\n  \"targets\": [\n");
	for (i = 0; i < bench_nb_targets; i++)
		json_target(f, &bench_targets[i], i + 1 == bench_nb_targets);
	fprintf(f, "  ]\n}\n");
	fclose(f);
	printf("figures written to %s\n", bench_opt.json_path);
}
