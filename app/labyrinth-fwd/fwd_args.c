/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Application options: built-in defaults, then the config file (--config,
 * or without it FWD_SYSCONF_INI when that file exists; INI read with
 * rte_cfgfile), then the command line. One table names every
 * option, its config section and key; the same setter validates a value
 * whether it comes from the file or the command line.
 *
 * rte_cfgfile reports no line numbers and silently skips lines it does not
 * understand, so the file is first scanned here (cfg_scan): every line is
 * classified, malformed ones are errors naming the line, and the line of
 * each section and key is remembered for the errors found later.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cfgfile.h>
#include <rte_string_fns.h>

#include "fwd_priv.h"

#define PRG "labyrinth-fwd"

/* <sysconfdir>/labyrinth/labyrinth-fwd.ini of the meson install, where
 * "meson install" puts config/labyrinth-fwd.ini (config/meson.build). */
#ifndef FWD_SYSCONF_INI
#error "FWD_SYSCONF_INI is defined by app/labyrinth-fwd/meson.build"
#endif

const char *
fwd_mode_name(enum fwd_mode mode)
{
	switch (mode) {
	case FWD_MODE_IO:
		return "io";
	case FWD_MODE_MACSWAP:
		return "macswap";
	case FWD_MODE_PAGE_COPY:
		return "page-copy";
	}
	return "?";
}

void
fwd_usage(const char *prgname)
{
	printf("Usage: %s [EAL options] -- [options]\n"
	"\n"
	"Forwards packets between pairs of ports with poll-mode workers that\n"
	"never sleep. Packet buffers come from a labyrinth-backed mempool.\n"
	"Options (config key in brackets; the command line overrides the file):\n"
	"  -p, --portmask MASK      hex mask of ports to use, or 'all' (default)\n"
	"                           [ports] portmask\n"
	"      --pairs LIST         port pairs '(0,1),(2,3)'; 'auto' pairs the\n"
	"                           enabled ports in order [ports] pairs\n"
	"  -q, --queues N           rx and tx queues per port, 1..%d (1)\n"
	"                           [ports] queues\n"
	"      --rxd N, --txd N     descriptors per queue (1024) [ports] rxd, txd\n"
	"      --promisc yes|no     promiscuous mode (yes) [ports] promiscuous\n"
	"      --lcore-map LIST     '(port,queue,lcore),...': which worker lcore\n"
	"                           polls which rx queue; 'auto' spreads the\n"
	"                           queues evenly over the workers [lcores] map\n"
	"  -m, --mode MODE          io | macswap | page-copy (io)\n"
	"                           [forwarding] mode\n"
	"  -b, --burst N            rx/tx burst, 1..%d (32) [forwarding] burst\n"
	"      --drain-us N         tx buffer drain period in us (100)\n"
	"                           [forwarding] drain_us\n"
	"      --pool-ops NAME      mempool ops of the mbuf pools (labyrinth)\n"
	"                           [pool] ops\n"
	"      --pool-size N        mbufs per socket, or 'auto' [pool] size\n"
	"      --cache-size N       mempool per-lcore cache, 0..%d (256)\n"
	"                           [pool] cache\n"
	"      --pages N            page-copy: labyrinth pages per socket, or\n"
	"                           'auto' [pages] count\n"
	"      --page-size N        page-copy: page size, power of two,\n"
	"                           2048..32768 (4096) [pages] size\n"
	"      --page-reserve N     page-copy: emergency reserve pages (64)\n"
	"                           [pages] reserve\n"
	"      --page-cache N       page-copy: labyrinth per-lcore cache,\n"
	"                           0..%u (64) [pages] cache\n"
	"  -T, --stats-interval S   print statistics every S seconds, 0: never\n"
	"                           (1) [stats] interval\n"
	"      --stats-json FILE    write a JSON summary at exit [stats] json\n"
	"  -d, --duration S         stop after S seconds, 0: at SIGINT/SIGTERM\n"
	"                           (0) [run] duration\n"
	"  -c, --config FILE        read options from an INI file first;\n"
	"                           without --config: the installed file\n"
	"                           %s\n"
	"                           if it exists, else the built-in defaults\n"
	"      --print-config       print the effective options as INI, exit\n"
	"  -h, --help               this help\n"
	"\n"
	"Telemetry: /labyrinth_fwd/stats and /labyrinth_fwd/ports.\n",
	prgname, FWD_MAX_QUEUES, FWD_MAX_BURST, RTE_MEMPOOL_CACHE_MAX_SIZE,
	LABYRINTH_CACHE_MAX, FWD_SYSCONF_INI);
}

static void
opts_default(struct fwd_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->nb_queues = 1;
	o->nb_rxd = 1024;
	o->nb_txd = 1024;
	o->promisc = 1;
	o->mode = FWD_MODE_IO;
	o->burst = 32;
	o->drain_us = 100;
	strlcpy(o->pool_ops, "labyrinth", sizeof(o->pool_ops));
	o->cache_size = 256;
	o->page_size = 4096;
	o->page_reserve = 64;
	o->page_cache = 64;
	o->stats_interval = 1;
}

enum opt_id {
	OPT_PORTMASK,
	OPT_PAIRS,
	OPT_QUEUES,
	OPT_RXD,
	OPT_TXD,
	OPT_PROMISC,
	OPT_LCORE_MAP,
	OPT_MODE,
	OPT_BURST,
	OPT_DRAIN_US,
	OPT_POOL_OPS,
	OPT_POOL_SIZE,
	OPT_CACHE_SIZE,
	OPT_PAGES,
	OPT_PAGE_SIZE,
	OPT_PAGE_RESERVE,
	OPT_PAGE_CACHE,
	OPT_STATS_INTERVAL,
	OPT_STATS_JSON,
	OPT_DURATION,
	OPT_NB_CONFIGURABLE,	/* the ones above have a config key */
	OPT_CONFIG = OPT_NB_CONFIGURABLE,
	OPT_PRINT_CONFIG,
	OPT_HELP,
};

struct opt_desc {
	const char *name;	/* long option */
	const char *section;	/* config section, NULL: command line only */
	const char *key;
};

static const struct opt_desc opt_table[] = {
	[OPT_PORTMASK] = { "portmask", "ports", "portmask" },
	[OPT_PAIRS] = { "pairs", "ports", "pairs" },
	[OPT_QUEUES] = { "queues", "ports", "queues" },
	[OPT_RXD] = { "rxd", "ports", "rxd" },
	[OPT_TXD] = { "txd", "ports", "txd" },
	[OPT_PROMISC] = { "promisc", "ports", "promiscuous" },
	[OPT_LCORE_MAP] = { "lcore-map", "lcores", "map" },
	[OPT_MODE] = { "mode", "forwarding", "mode" },
	[OPT_BURST] = { "burst", "forwarding", "burst" },
	[OPT_DRAIN_US] = { "drain-us", "forwarding", "drain_us" },
	[OPT_POOL_OPS] = { "pool-ops", "pool", "ops" },
	[OPT_POOL_SIZE] = { "pool-size", "pool", "size" },
	[OPT_CACHE_SIZE] = { "cache-size", "pool", "cache" },
	[OPT_PAGES] = { "pages", "pages", "count" },
	[OPT_PAGE_SIZE] = { "page-size", "pages", "size" },
	[OPT_PAGE_RESERVE] = { "page-reserve", "pages", "reserve" },
	[OPT_PAGE_CACHE] = { "page-cache", "pages", "cache" },
	[OPT_STATS_INTERVAL] = { "stats-interval", "stats", "interval" },
	[OPT_STATS_JSON] = { "stats-json", "stats", "json" },
	[OPT_DURATION] = { "duration", "run", "duration" },
	[OPT_CONFIG] = { "config", NULL, NULL },
	[OPT_PRINT_CONFIG] = { "print-config", NULL, NULL },
	[OPT_HELP] = { "help", NULL, NULL },
};

/* Long option values are 256 + id, away from short option characters. */
#define LONG(id) (256 + (id))

static const struct option long_options[] = {
	{ "portmask", required_argument, NULL, LONG(OPT_PORTMASK) },
	{ "pairs", required_argument, NULL, LONG(OPT_PAIRS) },
	{ "queues", required_argument, NULL, LONG(OPT_QUEUES) },
	{ "rxd", required_argument, NULL, LONG(OPT_RXD) },
	{ "txd", required_argument, NULL, LONG(OPT_TXD) },
	{ "promisc", required_argument, NULL, LONG(OPT_PROMISC) },
	{ "lcore-map", required_argument, NULL, LONG(OPT_LCORE_MAP) },
	{ "mode", required_argument, NULL, LONG(OPT_MODE) },
	{ "burst", required_argument, NULL, LONG(OPT_BURST) },
	{ "drain-us", required_argument, NULL, LONG(OPT_DRAIN_US) },
	{ "pool-ops", required_argument, NULL, LONG(OPT_POOL_OPS) },
	{ "pool-size", required_argument, NULL, LONG(OPT_POOL_SIZE) },
	{ "cache-size", required_argument, NULL, LONG(OPT_CACHE_SIZE) },
	{ "pages", required_argument, NULL, LONG(OPT_PAGES) },
	{ "page-size", required_argument, NULL, LONG(OPT_PAGE_SIZE) },
	{ "page-reserve", required_argument, NULL, LONG(OPT_PAGE_RESERVE) },
	{ "page-cache", required_argument, NULL, LONG(OPT_PAGE_CACHE) },
	{ "stats-interval", required_argument, NULL, LONG(OPT_STATS_INTERVAL) },
	{ "stats-json", required_argument, NULL, LONG(OPT_STATS_JSON) },
	{ "duration", required_argument, NULL, LONG(OPT_DURATION) },
	{ "config", required_argument, NULL, LONG(OPT_CONFIG) },
	{ "print-config", no_argument, NULL, LONG(OPT_PRINT_CONFIG) },
	{ "help", no_argument, NULL, LONG(OPT_HELP) },
	{ NULL, 0, NULL, 0 },
};

/* Leading ':': a missing value returns ':', not '?'. */
static const char short_options[] = ":p:q:m:b:T:d:c:h";

static int
short_to_id(int c)
{
	switch (c) {
	case 'p':
		return OPT_PORTMASK;
	case 'q':
		return OPT_QUEUES;
	case 'm':
		return OPT_MODE;
	case 'b':
		return OPT_BURST;
	case 'T':
		return OPT_STATS_INTERVAL;
	case 'd':
		return OPT_DURATION;
	case 'c':
		return OPT_CONFIG;
	case 'h':
		return OPT_HELP;
	}
	return c >= 256 ? c - 256 : -1;
}

/* Decimal or 0x-hex unsigned number in [min, max]; "auto" gives 0 when
 * allow_auto. */
static int
parse_uint(const char *s, unsigned long long min, unsigned long long max,
		int allow_auto, unsigned long long *out, char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	if (allow_auto && strcmp(s, "auto") == 0) {
		*out = 0;
		return 0;
	}
	if (*s == '\0' || *s == '-' || isspace((unsigned char)*s)) {
		snprintf(err, errlen, "'%s' is not a number in %llu..%llu%s",
			s, min, max, allow_auto ? " or 'auto'" : "");
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		snprintf(err, errlen, "'%s' is not a number in %llu..%llu%s",
			s, min, max, allow_auto ? " or 'auto'" : "");
		return -1;
	}
	*out = v;
	return 0;
}

/* "(a,b),(c,d)" or with three members; n numbers per tuple. */
static int
parse_tuples(const char *s, unsigned int n, unsigned long *vals,
		unsigned int max_tuples, unsigned int *nb, char *err,
		size_t errlen)
{
	const char *p = s;
	unsigned int count = 0, i;
	char *end;

	while (*p != '\0') {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p != '(' || count == max_tuples)
			goto bad;
		p++;
		for (i = 0; i < n; i++) {
			while (isspace((unsigned char)*p))
				p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			errno = 0;
			vals[count * n + i] = strtoul(p, &end, 10);
			if (errno != 0 || vals[count * n + i] > UINT16_MAX)
				goto bad;
			p = end;
			while (isspace((unsigned char)*p))
				p++;
			if (*p != (i + 1 == n ? ')' : ','))
				goto bad;
			p++;
		}
		count++;
	}
	*nb = count;
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a list of %s tuples", s,
		n == 2 ? "(port,port)" : "(port,queue,lcore)");
	return -1;
}

static int
parse_bool(const char *s, int *out, char *err, size_t errlen)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "on") == 0 ||
			strcmp(s, "1") == 0 || strcmp(s, "true") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(s, "no") == 0 || strcmp(s, "off") == 0 ||
			strcmp(s, "0") == 0 || strcmp(s, "false") == 0) {
		*out = 0;
		return 0;
	}
	snprintf(err, errlen, "'%s' is not yes or no", s);
	return -1;
}

/* Validate and store one value; on error fill err and return -1. */
static int
opt_set(struct fwd_opts *o, int id, const char *val, char *err, size_t errlen)
{
	unsigned long long v;
	unsigned long tuples[FWD_MAX_MAP * 3];
	unsigned int nb, i;

	switch (id) {
	case OPT_PORTMASK:
		if (strcmp(val, "all") == 0) {
			o->portmask = 0;
			return 0;
		}
		if (parse_uint(val, 1, (FWD_MAX_PORTS >= 64) ? UINT64_MAX :
				(UINT64_C(1) << FWD_MAX_PORTS) - 1, 0, &v,
				err, errlen) < 0)
			return -1;
		o->portmask = v;
		return 0;
	case OPT_PAIRS:
		if (strcmp(val, "auto") == 0 || *val == '\0') {
			o->nb_pairs = 0;
			return 0;
		}
		if (parse_tuples(val, 2, tuples, FWD_MAX_PORTS, &nb,
				err, errlen) < 0)
			return -1;
		if (nb == 0) {
			snprintf(err, errlen, "empty pair list");
			return -1;
		}
		for (i = 0; i < nb * 2; i++)
			if (tuples[i] >= FWD_MAX_PORTS) {
				snprintf(err, errlen, "port %lu out of range "
					"0..%d", tuples[i], FWD_MAX_PORTS - 1);
				return -1;
			}
		o->nb_pairs = nb;
		for (i = 0; i < nb; i++) {
			o->pair[i][0] = tuples[2 * i];
			o->pair[i][1] = tuples[2 * i + 1];
		}
		return 0;
	case OPT_QUEUES:
		if (parse_uint(val, 1, FWD_MAX_QUEUES, 0, &v, err, errlen) < 0)
			return -1;
		o->nb_queues = v;
		return 0;
	case OPT_RXD:
	case OPT_TXD:
		if (parse_uint(val, 16, 32768, 0, &v, err, errlen) < 0)
			return -1;
		if (id == OPT_RXD)
			o->nb_rxd = v;
		else
			o->nb_txd = v;
		return 0;
	case OPT_PROMISC:
		return parse_bool(val, &o->promisc, err, errlen);
	case OPT_LCORE_MAP:
		if (strcmp(val, "auto") == 0 || *val == '\0') {
			o->nb_map = 0;
			return 0;
		}
		if (parse_tuples(val, 3, tuples, FWD_MAX_MAP, &nb,
				err, errlen) < 0)
			return -1;
		if (nb == 0) {
			snprintf(err, errlen, "empty lcore map");
			return -1;
		}
		for (i = 0; i < nb; i++) {
			if (tuples[3 * i] >= FWD_MAX_PORTS ||
					tuples[3 * i + 1] >= FWD_MAX_QUEUES ||
					tuples[3 * i + 2] >= RTE_MAX_LCORE) {
				snprintf(err, errlen, "(%lu,%lu,%lu): port, "
					"queue or lcore out of range",
					tuples[3 * i], tuples[3 * i + 1],
					tuples[3 * i + 2]);
				return -1;
			}
			o->map[i].port = tuples[3 * i];
			o->map[i].queue = tuples[3 * i + 1];
			o->map[i].lcore = tuples[3 * i + 2];
		}
		o->nb_map = nb;
		return 0;
	case OPT_MODE:
		if (strcmp(val, "io") == 0)
			o->mode = FWD_MODE_IO;
		else if (strcmp(val, "macswap") == 0)
			o->mode = FWD_MODE_MACSWAP;
		else if (strcmp(val, "page-copy") == 0)
			o->mode = FWD_MODE_PAGE_COPY;
		else {
			snprintf(err, errlen, "'%s' is not io, macswap or "
				"page-copy", val);
			return -1;
		}
		return 0;
	case OPT_BURST:
		if (parse_uint(val, 1, FWD_MAX_BURST, 0, &v, err, errlen) < 0)
			return -1;
		o->burst = v;
		return 0;
	case OPT_DRAIN_US:
		if (parse_uint(val, 1, 1000000, 0, &v, err, errlen) < 0)
			return -1;
		o->drain_us = v;
		return 0;
	case OPT_POOL_OPS:
		if (*val == '\0' || strlen(val) >= sizeof(o->pool_ops)) {
			snprintf(err, errlen, "'%s' is not a mempool ops name "
				"(1..%zu characters)", val,
				sizeof(o->pool_ops) - 1);
			return -1;
		}
		strlcpy(o->pool_ops, val, sizeof(o->pool_ops));
		return 0;
	case OPT_POOL_SIZE:
		if (parse_uint(val, 64, 1u << 28, 1, &v, err, errlen) < 0)
			return -1;
		o->pool_size = v;
		return 0;
	case OPT_CACHE_SIZE:
		if (parse_uint(val, 0, RTE_MEMPOOL_CACHE_MAX_SIZE, 0, &v,
				err, errlen) < 0)
			return -1;
		o->cache_size = v;
		return 0;
	case OPT_PAGES:
		if (parse_uint(val, 1, 1u << 24, 1, &v, err, errlen) < 0)
			return -1;
		o->pages = v;
		return 0;
	case OPT_PAGE_SIZE:
		if (parse_uint(val, 2048, 32768, 0, &v, err, errlen) < 0)
			return -1;
		if (!rte_is_power_of_2(v)) {
			snprintf(err, errlen, "'%s' is not a power of two",
				val);
			return -1;
		}
		o->page_size = v;
		return 0;
	case OPT_PAGE_RESERVE:
		if (parse_uint(val, 0, 1u << 24, 0, &v, err, errlen) < 0)
			return -1;
		o->page_reserve = v;
		return 0;
	case OPT_PAGE_CACHE:
		if (parse_uint(val, 0, LABYRINTH_CACHE_MAX, 0, &v,
				err, errlen) < 0)
			return -1;
		o->page_cache = v;
		return 0;
	case OPT_STATS_INTERVAL:
		if (parse_uint(val, 0, 3600, 0, &v, err, errlen) < 0)
			return -1;
		o->stats_interval = v;
		return 0;
	case OPT_STATS_JSON:
		if (strlen(val) >= sizeof(o->stats_json)) {
			snprintf(err, errlen, "path too long");
			return -1;
		}
		strlcpy(o->stats_json, val, sizeof(o->stats_json));
		return 0;
	case OPT_DURATION:
		if (parse_uint(val, 0, 1u << 30, 0, &v, err, errlen) < 0)
			return -1;
		o->duration = v;
		return 0;
	case OPT_CONFIG:
		if (*val == '\0' || strlen(val) >= sizeof(o->config)) {
			snprintf(err, errlen, "bad path");
			return -1;
		}
		strlcpy(o->config, val, sizeof(o->config));
		return 0;
	}
	snprintf(err, errlen, "internal: unknown option id %d", id);
	return -1;
}

/* Cross-option checks that need no device. */
static int
opts_check(const struct fwd_opts *o, char *err, size_t errlen)
{
	if (o->pages != 0 && o->page_reserve >= o->pages) {
		snprintf(err, errlen, "page reserve (%u) must be below the "
			"page count (%u)", o->page_reserve, o->pages);
		return -1;
	}
	return 0;
}

/* ---- config file ---- */

enum cfg_kind { CFG_SECTION, CFG_ENTRY };

struct cfg_line {
	enum cfg_kind kind;
	int lineno;
	char section[CFG_NAME_LEN];
	char key[CFG_NAME_LEN];
};

struct cfg_scan {
	struct cfg_line *lines;
	unsigned int nb;
};

static char *
strip(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
cfg_scan_file(const char *path, struct cfg_scan *sc)
{
	char buf[CFG_NAME_LEN + CFG_VALUE_LEN + 4];
	char section[CFG_NAME_LEN] = "";
	unsigned int cap = 0, i;
	int lineno = 0, have_section = 0;
	FILE *f;

	memset(sc, 0, sizeof(*sc));
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, PRG ": cannot open config file %s: %s\n",
			path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		size_t len = strlen(buf);
		char *line, *c, *eq;
		struct cfg_line cl;

		lineno++;
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n') {
			fprintf(stderr, PRG ": %s:%d: line too long\n",
				path, lineno);
			goto fail;
		}
		/* comment: ';' not preceded by '\', as rte_cfgfile does */
		c = strchr(buf, ';');
		if (c != NULL && (c == buf || c[-1] != '\\'))
			*c = '\0';
		line = strip(buf);
		if (*line == '\0')
			continue;
		memset(&cl, 0, sizeof(cl));
		cl.lineno = lineno;
		if (*line == '[') {
			char *end = strchr(line, ']');
			char *name;

			if (end == NULL || strip(end + 1)[0] != '\0') {
				fprintf(stderr, PRG ": %s:%d: malformed section "
					"header '%s' (expected '[name]')\n",
					path, lineno, line);
				goto fail;
			}
			*end = '\0';
			name = strip(line + 1);
			if (*name == '\0' || strlen(name) >= CFG_NAME_LEN) {
				fprintf(stderr, PRG ": %s:%d: bad section "
					"name\n", path, lineno);
				goto fail;
			}
			for (i = 0; i < sc->nb; i++)
				if (sc->lines[i].kind == CFG_SECTION &&
						strcmp(sc->lines[i].section,
							name) == 0) {
					fprintf(stderr, PRG ": %s:%d: section "
						"[%s] repeated (first at line "
						"%d)\n", path, lineno, name,
						sc->lines[i].lineno);
					goto fail;
				}
			cl.kind = CFG_SECTION;
			strlcpy(cl.section, name, sizeof(cl.section));
			strlcpy(section, name, sizeof(section));
			have_section = 1;
		} else {
			char *key;

			eq = strchr(line, '=');
			if (eq == NULL) {
				fprintf(stderr, PRG ": %s:%d: '%s': expected "
					"'key = value' or '[section]'\n",
					path, lineno, line);
				goto fail;
			}
			*eq = '\0';
			key = strip(line);
			if (*key == '\0' || strlen(key) >= CFG_NAME_LEN) {
				fprintf(stderr, PRG ": %s:%d: bad key\n",
					path, lineno);
				goto fail;
			}
			if (!have_section) {
				fprintf(stderr, PRG ": %s:%d: '%s' is outside "
					"any [section]\n", path, lineno, key);
				goto fail;
			}
			for (i = 0; i < sc->nb; i++)
				if (sc->lines[i].kind == CFG_ENTRY &&
						strcmp(sc->lines[i].section,
							section) == 0 &&
						strcmp(sc->lines[i].key,
							key) == 0) {
					fprintf(stderr, PRG ": %s:%d: [%s] %s "
						"repeated (first at line "
						"%d)\n", path, lineno, section,
						key, sc->lines[i].lineno);
					goto fail;
				}
			cl.kind = CFG_ENTRY;
			strlcpy(cl.section, section, sizeof(cl.section));
			strlcpy(cl.key, key, sizeof(cl.key));
		}
		if (sc->nb == cap) {
			struct cfg_line *n;

			cap = cap ? 2 * cap : 32;
			n = realloc(sc->lines, cap * sizeof(*n));
			if (n == NULL) {
				fprintf(stderr, PRG ": out of memory\n");
				goto fail;
			}
			sc->lines = n;
		}
		sc->lines[sc->nb++] = cl;
	}
	if (ferror(f)) {
		fprintf(stderr, PRG ": cannot read %s\n", path);
		goto fail;
	}
	fclose(f);
	return 0;
fail:
	fclose(f);
	free(sc->lines);
	sc->lines = NULL;
	return -1;
}

static int
cfg_lineno(const struct cfg_scan *sc, const char *section, const char *key)
{
	unsigned int i;

	for (i = 0; i < sc->nb; i++) {
		const struct cfg_line *l = &sc->lines[i];

		if (strcmp(l->section, section) != 0)
			continue;
		if (key == NULL && l->kind == CFG_SECTION)
			return l->lineno;
		if (key != NULL && l->kind == CFG_ENTRY &&
				strcmp(l->key, key) == 0)
			return l->lineno;
	}
	return 0;
}

static int
cfg_find_opt(const char *section, const char *key)
{
	int i;

	for (i = 0; i < OPT_NB_CONFIGURABLE; i++)
		if (strcmp(opt_table[i].section, section) == 0 &&
				strcmp(opt_table[i].key, key) == 0)
			return i;
	return -1;
}

static int
cfg_known_section(const char *section)
{
	int i;

	for (i = 0; i < OPT_NB_CONFIGURABLE; i++)
		if (strcmp(opt_table[i].section, section) == 0)
			return 1;
	return 0;
}

static int
cfg_apply(struct fwd_opts *o, const char *path)
{
	struct rte_cfgfile *cfg = NULL;
	struct rte_cfgfile_entry *entries = NULL;
	struct cfg_scan sc;
	char section[CFG_NAME_LEN];
	char err[512];
	int nb_sections, s, n, e, id, rc = -1;

	if (cfg_scan_file(path, &sc) < 0)
		return -1;
	cfg = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (cfg == NULL) {
		fprintf(stderr, PRG ": %s: rte_cfgfile cannot parse it\n",
			path);
		goto out;
	}
	nb_sections = rte_cfgfile_num_sections(cfg, NULL, 0);
	for (s = 0; s < nb_sections; s++) {
		n = rte_cfgfile_section_num_entries_by_index(cfg, section, s);
		if (n < 0)
			goto out;
		if (!cfg_known_section(section)) {
			fprintf(stderr, PRG ": %s:%d: unknown section [%s]\n",
				path, cfg_lineno(&sc, section, NULL), section);
			goto out;
		}
		free(entries);
		entries = calloc(n > 0 ? n : 1, sizeof(*entries));
		if (entries == NULL) {
			fprintf(stderr, PRG ": out of memory\n");
			goto out;
		}
		n = rte_cfgfile_section_entries_by_index(cfg, s, section,
				entries, n);
		for (e = 0; e < n; e++) {
			int line = cfg_lineno(&sc, section, entries[e].name);

			id = cfg_find_opt(section, entries[e].name);
			if (id < 0) {
				fprintf(stderr, PRG ": %s:%d: unknown key "
					"'%s' in [%s]\n", path, line,
					entries[e].name, section);
				goto out;
			}
			if (opt_set(o, id, entries[e].value, err,
					sizeof(err)) < 0) {
				fprintf(stderr, PRG ": %s:%d: [%s] %s: %s\n",
					path, line, section, entries[e].name,
					err);
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(entries);
	free(sc.lines);
	if (cfg != NULL)
		rte_cfgfile_close(cfg);
	return rc;
}

/* Returns 0 to run, 1 when the program should exit 0 (help), -1 on
 * error (one message printed). */
int
fwd_parse_args(struct fwd_opts *o, int argc, char **argv)
{
	const char *prgname = argv[0];
	char err[512];
	int opt, idx, id;

	opts_default(o);

	/* Pass 1: only --config and --help, so the file applies first. */
	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, short_options, long_options,
			&idx)) != EOF) {
		id = short_to_id(opt);
		if (id == OPT_HELP) {
			fwd_usage(prgname);
			return 1;
		}
		if (id == OPT_CONFIG && opt_set(o, id, optarg, err,
				sizeof(err)) < 0) {
			fprintf(stderr, PRG ": --config: %s\n", err);
			return -1;
		}
	}
	if (o->config[0] == '\0') {
		/* No --config: the installed file, if there is one. A file
		 * that is there but cannot be read (or is broken) is an
		 * error, as it would be with --config. */
		struct stat st;

		if (stat(FWD_SYSCONF_INI, &st) == 0) {
			strlcpy(o->config, FWD_SYSCONF_INI, sizeof(o->config));
		} else if (errno != ENOENT && errno != ENOTDIR) {
			fprintf(stderr, PRG ": %s: %s\n", FWD_SYSCONF_INI,
				strerror(errno));
			return -1;
		}
	}
	if (o->config[0] != '\0' && cfg_apply(o, o->config) < 0)
		return -1;

	/* Pass 2: the command line overrides the file. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, short_options, long_options,
			&idx)) != EOF) {
		if (opt == ':') {
			id = short_to_id(optopt);
			if (id >= 0)
				fprintf(stderr, PRG ": option --%s needs a "
					"value (see --help)\n",
					opt_table[id].name);
			else
				fprintf(stderr, PRG ": option needs a value "
					"(see --help)\n");
			return -1;
		}
		if (opt == '?') {
			if (optopt != 0)
				fprintf(stderr, PRG ": unknown option -%c (see "
					"--help)\n", optopt);
			else
				fprintf(stderr, PRG ": unknown option '%s' "
					"(see --help)\n", argv[optind - 1]);
			return -1;
		}
		id = short_to_id(opt);
		switch (id) {
		case OPT_CONFIG:
		case OPT_HELP:
			break;
		case OPT_PRINT_CONFIG:
			o->print_config = 1;
			break;
		default:
			if (opt_set(o, id, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, PRG ": --%s: %s\n",
					opt_table[id].name, err);
				return -1;
			}
		}
	}
	if (optind < argc) {
		fprintf(stderr, PRG ": unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return -1;
	}
	if (opts_check(o, err, sizeof(err)) < 0) {
		fprintf(stderr, PRG ": %s\n", err);
		return -1;
	}
	return 0;
}

static void
print_auto(FILE *f, const char *key, unsigned int v)
{
	if (v == 0)
		fprintf(f, "%s = auto\n", key);
	else
		fprintf(f, "%s = %u\n", key, v);
}

/* The effective options in the config file's format. */
void
fwd_print_config(FILE *f, const struct fwd_opts *o)
{
	unsigned int i;

	fprintf(f, "[ports]\n");
	if (o->portmask == 0)
		fprintf(f, "portmask = all\n");
	else
		fprintf(f, "portmask = 0x%" PRIx64 "\n", o->portmask);
	if (o->nb_pairs == 0) {
		fprintf(f, "pairs = auto\n");
	} else {
		fprintf(f, "pairs = ");
		for (i = 0; i < o->nb_pairs; i++)
			fprintf(f, "%s(%u,%u)", i ? "," : "", o->pair[i][0],
				o->pair[i][1]);
		fprintf(f, "\n");
	}
	fprintf(f, "queues = %u\nrxd = %u\ntxd = %u\npromiscuous = %s\n",
		o->nb_queues, o->nb_rxd, o->nb_txd, o->promisc ? "yes" : "no");
	fprintf(f, "\n[lcores]\n");
	if (o->nb_map == 0) {
		fprintf(f, "map = auto\n");
	} else {
		fprintf(f, "map = ");
		for (i = 0; i < o->nb_map; i++)
			fprintf(f, "%s(%u,%u,%u)", i ? "," : "",
				o->map[i].port, o->map[i].queue,
				o->map[i].lcore);
		fprintf(f, "\n");
	}
	fprintf(f, "\n[forwarding]\nmode = %s\nburst = %u\ndrain_us = %u\n",
		fwd_mode_name(o->mode), o->burst, o->drain_us);
	fprintf(f, "\n[pool]\nops = %s\n", o->pool_ops);
	print_auto(f, "size", o->pool_size);
	fprintf(f, "cache = %u\n", o->cache_size);
	fprintf(f, "\n[pages]\n");
	print_auto(f, "count", o->pages);
	fprintf(f, "size = %u\nreserve = %u\ncache = %u\n", o->page_size,
		o->page_reserve, o->page_cache);
	fprintf(f, "\n[stats]\ninterval = %u\njson =%s%s\n", o->stats_interval,
		o->stats_json[0] != '\0' ? " " : "", o->stats_json);
	fprintf(f, "\n[run]\nduration = %u\n", o->duration);
}
