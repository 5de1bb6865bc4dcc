/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Application options: built-in defaults, then the config file (--config,
 * or without it FWD_SYSCONF_INI when that file exists; read by
 * fwd_cfg.c), then the command line.
 *
 * One table, opt_table[], has a row per option: its long and short name,
 * its config section and key, its type, bounds and default, where it goes
 * in struct fwd_opts (offsetof), and its help text. The defaults, the
 * command line, the config file, --help and --print-config all go
 * through it, and each type's parser and printer (opt_types[]) is the
 * only place that validates such a value, whether it comes from the file
 * or the command line.
 */

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_string_fns.h>

#include "fwd_priv.h"

#define PRG "labyrinth-fwd"

/* <sysconfdir>/labyrinth/labyrinth-fwd.ini of the meson install, where
 * "meson install" puts config/labyrinth-fwd.ini (config/meson.build). */
#ifndef FWD_SYSCONF_INI
#error "FWD_SYSCONF_INI is defined by app/labyrinth-fwd/meson.build"
#endif

/* Indexed by enum fwd_mode: --mode's values, and what is printed. */
static const char * const mode_names[] = {
	[FWD_MODE_IO] = "io",
	[FWD_MODE_MACSWAP] = "macswap",
	[FWD_MODE_PAGE_COPY] = "page-copy",
};
_Static_assert(RTE_DIM(mode_names) == FWD_MODE_PAGE_COPY + 1,
	"a name for each enum fwd_mode");

const char *
fwd_mode_name(enum fwd_mode mode)
{
	if ((unsigned int)mode < RTE_DIM(mode_names))
		return mode_names[mode];
	return "?";
}

/* ---- the table of options ---- */

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
	OPT_NB,
};

/* What a value is: each type has one parser and one printer. */
enum opt_type {
	OT_UINT,	/* a number in min..max */
	OT_AUTO,	/* a number in min..max, or "auto" (stored as 0) */
	OT_POW2,	/* a power of two in min..max */
	OT_MASK,	/* a port mask in min..max, or "all" (stored as 0) */
	OT_BOOL,	/* yes/no, on/off, 1/0, true/false */
	OT_MODE,	/* one of mode_names[] */
	OT_PAIRS,	/* "(port,port),...": nb_pairs and pair[] */
	OT_MAP,		/* "(port,queue,lcore),...": nb_map and map[] */
	OT_NAME,	/* a string of 1..size - 1 characters */
	OT_PATH,	/* a path of min..size - 1 characters */
	OT_FLAG,	/* no value: sets an int to 1 */
	OT_HELP,	/* no value, stores nothing (--help) */
};

struct opt_desc {
	const char *name;	/* long option */
	char short_name;	/* 0: none */
	const char *section;	/* NULL: command line only */
	const char *key;	/* in the config section */
	enum opt_type type;
	unsigned long long min, max;	/* OT_PATH: min length */
	const char *def;	/* the built-in default, NULL: zero */
	size_t offset;		/* of the field in struct fwd_opts */
	size_t size;		/* of that field */
	const char *arg;	/* the value's name in --help */
	/*
	 * --help text. '\n' breaks a line; a text that ends with it puts
	 * the "[section] key" tag on a line of its own. "{range}" is
	 * min..max, "{def}" the default. NULL: documented with the row
	 * before it (same section), which then names both.
	 */
	const char *help;
};

#define FIELD(f) \
	.offset = offsetof(struct fwd_opts, f), \
	.size = RTE_SIZEOF_FIELD(struct fwd_opts, f)

static const struct opt_desc opt_table[OPT_NB] = {
	[OPT_PORTMASK] = { "portmask", 'p', "ports", "portmask", OT_MASK,
		1, (FWD_MAX_PORTS >= 64) ? UINT64_MAX :
			(UINT64_C(1) << FWD_MAX_PORTS) - 1,
		"all", FIELD(portmask), "MASK",
		"hex mask of ports to use, or 'all' (default)\n" },
	[OPT_PAIRS] = { "pairs", 0, "ports", "pairs", OT_PAIRS,
		0, FWD_MAX_PORTS - 1, "auto", FIELD(nb_pairs), "LIST",
		"port pairs '(0,1),(2,3)'; 'auto' pairs the\n"
		"enabled ports in order" },
	[OPT_QUEUES] = { "queues", 'q', "ports", "queues", OT_UINT,
		1, FWD_MAX_QUEUES, "1", FIELD(nb_queues), "N",
		"rx and tx queues per port, {range} ({def})\n" },
	[OPT_RXD] = { "rxd", 0, "ports", "rxd", OT_UINT,
		16, 32768, "1024", FIELD(nb_rxd), "N",
		"descriptors per queue ({def})" },
	[OPT_TXD] = { "txd", 0, "ports", "txd", OT_UINT,
		16, 32768, "1024", FIELD(nb_txd), "N", NULL },
	[OPT_PROMISC] = { "promisc", 0, "ports", "promiscuous", OT_BOOL,
		0, 1, "yes", FIELD(promisc), "yes|no",
		"promiscuous mode ({def})" },
	[OPT_LCORE_MAP] = { "lcore-map", 0, "lcores", "map", OT_MAP,
		0, 0, "auto", FIELD(nb_map), "LIST",
		"'(port,queue,lcore),...': which worker lcore\n"
		"polls which rx queue; 'auto' spreads the\n"
		"queues evenly over the workers" },
	[OPT_MODE] = { "mode", 'm', "forwarding", "mode", OT_MODE,
		0, 0, "io", FIELD(mode), "MODE",
		"io | macswap | page-copy ({def})\n" },
	[OPT_BURST] = { "burst", 'b', "forwarding", "burst", OT_UINT,
		1, FWD_MAX_BURST, "32", FIELD(burst), "N",
		"rx/tx burst, {range} ({def})" },
	[OPT_DRAIN_US] = { "drain-us", 0, "forwarding", "drain_us", OT_UINT,
		1, 1000000, "100", FIELD(drain_us), "N",
		"tx buffer drain period in us ({def})\n" },
	[OPT_POOL_OPS] = { "pool-ops", 0, "pool", "ops", OT_NAME,
		1, 0, "labyrinth", FIELD(pool_ops), "NAME",
		"mempool ops of the mbuf pools ({def})\n" },
	[OPT_POOL_SIZE] = { "pool-size", 0, "pool", "size", OT_AUTO,
		64, 1u << 28, "auto", FIELD(pool_size), "N",
		"mbufs per socket, or 'auto'" },
	[OPT_CACHE_SIZE] = { "cache-size", 0, "pool", "cache", OT_UINT,
		0, RTE_MEMPOOL_CACHE_MAX_SIZE, "256", FIELD(cache_size), "N",
		"mempool per-lcore cache, {range} ({def})\n" },
	[OPT_PAGES] = { "pages", 0, "pages", "count", OT_AUTO,
		1, 1u << 24, "auto", FIELD(pages), "N",
		"page-copy: labyrinth pages per socket, or\n'auto'" },
	[OPT_PAGE_SIZE] = { "page-size", 0, "pages", "size", OT_POW2,
		2048, 32768, "4096", FIELD(page_size), "N",
		"page-copy: page size, power of two,\n{range} ({def})" },
	[OPT_PAGE_RESERVE] = { "page-reserve", 0, "pages", "reserve", OT_UINT,
		0, 1u << 24, "64", FIELD(page_reserve), "N",
		"page-copy: emergency reserve pages ({def})\n" },
	[OPT_PAGE_CACHE] = { "page-cache", 0, "pages", "cache", OT_UINT,
		0, LABYRINTH_CACHE_MAX, "64", FIELD(page_cache), "N",
		"page-copy: labyrinth per-lcore cache,\n{range} ({def})" },
	[OPT_STATS_INTERVAL] = { "stats-interval", 'T', "stats", "interval",
		OT_UINT, 0, 3600, "1", FIELD(stats_interval), "S",
		"print statistics every S seconds, 0: never\n({def})" },
	[OPT_STATS_JSON] = { "stats-json", 0, "stats", "json", OT_PATH,
		0, 0, NULL, FIELD(stats_json), "FILE",
		"write a JSON summary at exit" },
	[OPT_DURATION] = { "duration", 'd', "run", "duration", OT_UINT,
		0, 1u << 30, "0", FIELD(duration), "S",
		"stop after S seconds, 0: at SIGINT/SIGTERM\n({def})" },
	[OPT_CONFIG] = { "config", 'c', NULL, NULL, OT_PATH,
		1, 0, NULL, FIELD(config), "FILE",
		"read options from an INI file first;\n"
		"without --config: the installed file\n"
		FWD_SYSCONF_INI "\n"
		"if it exists, else the built-in defaults" },
	[OPT_PRINT_CONFIG] = { "print-config", 0, NULL, NULL, OT_FLAG,
		0, 0, NULL, FIELD(print_config), NULL,
		"print the effective options as INI, exit" },
	[OPT_HELP] = { "help", 'h', NULL, NULL, OT_HELP,
		0, 0, NULL, 0, 0, NULL, "this help" },
};

static void *
opt_field(struct fwd_opts *o, const struct opt_desc *d)
{
	return (char *)o + d->offset;
}

static const void *
opt_cfield(const struct fwd_opts *o, const struct opt_desc *d)
{
	return (const char *)o + d->offset;
}

/* Numbers are stored in fields of 4 (unsigned int) or 8 bytes. */
static void
store_uint(void *p, size_t size, unsigned long long v)
{
	if (size == sizeof(uint64_t))
		*(uint64_t *)p = v;
	else
		*(unsigned int *)p = (unsigned int)v;
}

static unsigned long long
load_uint(const void *p, size_t size)
{
	if (size == sizeof(uint64_t))
		return *(const uint64_t *)p;
	return *(const unsigned int *)p;
}

/* ---- parsers: one a type, each fills err and returns -1 on error ---- */

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
	if (*s == '\0' || *s == '-' || isspace((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a number in %llu..%llu%s",
		s, min, max, allow_auto ? " or 'auto'" : "");
	return -1;
}

/* OT_UINT, OT_AUTO and OT_POW2. */
static int
set_uint(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	unsigned long long v;

	if (parse_uint(val, d->min, d->max, d->type == OT_AUTO, &v, err,
			errlen) < 0)
		return -1;
	if (d->type == OT_POW2 && !rte_is_power_of_2(v)) {
		snprintf(err, errlen, "'%s' is not a power of two", val);
		return -1;
	}
	store_uint(opt_field(o, d), d->size, v);
	return 0;
}

static int
set_mask(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	unsigned long long v = 0;

	if (strcmp(val, "all") != 0 &&
			parse_uint(val, d->min, d->max, 0, &v, err, errlen) < 0)
		return -1;
	store_uint(opt_field(o, d), d->size, v);
	return 0;
}

static int
set_bool(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	int *out = opt_field(o, d);

	if (strcmp(val, "yes") == 0 || strcmp(val, "on") == 0 ||
			strcmp(val, "1") == 0 || strcmp(val, "true") == 0) {
		*out = 1;
		return 0;
	}
	if (strcmp(val, "no") == 0 || strcmp(val, "off") == 0 ||
			strcmp(val, "0") == 0 || strcmp(val, "false") == 0) {
		*out = 0;
		return 0;
	}
	snprintf(err, errlen, "'%s' is not yes or no", val);
	return -1;
}

/* "'x' is not io, macswap or page-copy", from mode_names[]. */
static void
mode_error(const char *val, char *err, size_t errlen)
{
	size_t len;
	unsigned int i;

	len = (size_t)snprintf(err, errlen, "'%s' is not ", val);
	for (i = 0; i < RTE_DIM(mode_names) && len < errlen; i++)
		len += (size_t)snprintf(err + len, errlen - len, "%s%s",
			i == 0 ? "" : i + 1 < RTE_DIM(mode_names) ? ", " :
			" or ", mode_names[i]);
}

static int
set_mode(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	enum fwd_mode *out = opt_field(o, d);
	unsigned int i;

	for (i = 0; i < RTE_DIM(mode_names); i++)
		if (strcmp(val, mode_names[i]) == 0) {
			*out = (enum fwd_mode)i;
			return 0;
		}
	mode_error(val, err, errlen);
	return -1;
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

/* OT_PAIRS: the field is nb_pairs; the pairs go to o->pair[]. */
static int
set_pairs(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	unsigned long tuples[FWD_MAX_PORTS * 2];
	unsigned int nb, i;

	if (strcmp(val, "auto") == 0 || *val == '\0') {
		o->nb_pairs = 0;
		return 0;
	}
	if (parse_tuples(val, 2, tuples, FWD_MAX_PORTS, &nb, err, errlen) < 0)
		return -1;
	if (nb == 0) {
		snprintf(err, errlen, "empty pair list");
		return -1;
	}
	for (i = 0; i < nb * 2; i++)
		if (tuples[i] > d->max) {
			snprintf(err, errlen, "port %lu out of range "
				"%llu..%llu", tuples[i], d->min, d->max);
			return -1;
		}
	o->nb_pairs = nb;
	for (i = 0; i < nb; i++) {
		o->pair[i][0] = tuples[2 * i];
		o->pair[i][1] = tuples[2 * i + 1];
	}
	return 0;
}

/* OT_MAP: the field is nb_map; the entries go to o->map[]. */
static int
set_map(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	unsigned long tuples[FWD_MAX_MAP * 3];
	unsigned int nb, i;

	RTE_SET_USED(d);
	if (strcmp(val, "auto") == 0 || *val == '\0') {
		o->nb_map = 0;
		return 0;
	}
	if (parse_tuples(val, 3, tuples, FWD_MAX_MAP, &nb, err, errlen) < 0)
		return -1;
	if (nb == 0) {
		snprintf(err, errlen, "empty lcore map");
		return -1;
	}
	for (i = 0; i < nb; i++) {
		const unsigned long *t = &tuples[3 * i];

		if (t[0] >= FWD_MAX_PORTS || t[1] >= FWD_MAX_QUEUES ||
				t[2] >= RTE_MAX_LCORE) {
			snprintf(err, errlen, "(%lu,%lu,%lu): port, queue or "
				"lcore out of range", t[0], t[1], t[2]);
			return -1;
		}
		o->map[i].port = t[0];
		o->map[i].queue = t[1];
		o->map[i].lcore = t[2];
	}
	o->nb_map = nb;
	return 0;
}

static int
set_name(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	if (*val == '\0' || strlen(val) >= d->size) {
		snprintf(err, errlen, "'%s' is not a mempool ops name "
			"(1..%zu characters)", val, d->size - 1);
		return -1;
	}
	strlcpy(opt_field(o, d), val, d->size);
	return 0;
}

/* An optional path (min 0) may be empty; a required one (min 1) not. */
static int
set_path(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	size_t len = strlen(val);

	if (len < d->min || len >= d->size) {
		snprintf(err, errlen, "%s", d->min > 0 ? "bad path" :
			"path too long");
		return -1;
	}
	strlcpy(opt_field(o, d), val, d->size);
	return 0;
}

static int
set_flag(const struct opt_desc *d, struct fwd_opts *o, const char *val,
		char *err, size_t errlen)
{
	RTE_SET_USED(val);
	RTE_SET_USED(err);
	RTE_SET_USED(errlen);
	*(int *)opt_field(o, d) = 1;
	return 0;
}

/* ---- printers: "key = value" in the config file's format ---- */

static void
print_uint(FILE *f, const struct opt_desc *d, const struct fwd_opts *o)
{
	unsigned long long v = load_uint(opt_cfield(o, d), d->size);

	if (v == 0 && d->type == OT_AUTO)
		fprintf(f, "%s = auto\n", d->key);
	else
		fprintf(f, "%s = %llu\n", d->key, v);
}

static void
print_mask(FILE *f, const struct opt_desc *d, const struct fwd_opts *o)
{
	unsigned long long v = load_uint(opt_cfield(o, d), d->size);

	if (v == 0)
		fprintf(f, "%s = all\n", d->key);
	else
		fprintf(f, "%s = 0x%llx\n", d->key, v);
}

static void
print_bool(FILE *f, const struct opt_desc *d, const struct fwd_opts *o)
{
	const int *v = opt_cfield(o, d);

	fprintf(f, "%s = %s\n", d->key, *v ? "yes" : "no");
}

static void
print_mode(FILE *f, const struct opt_desc *d, const struct fwd_opts *o)
{
	const enum fwd_mode *v = opt_cfield(o, d);

	fprintf(f, "%s = %s\n", d->key, fwd_mode_name(*v));
}

static void
print_pairs(FILE *f, const struct opt_desc *d, const struct fwd_opts *o)
{
	unsigned int i;

	if (o->nb_pairs == 0) {
		fprintf(f, "%s = auto\n", d->key);
		return;
	}
	fprintf(f, "%s = ", d->key);
	for (i = 0; i < o->nb_pairs; i++)
		fprintf(f, "%s(%u,%u)", i ? "," : "", o->pair[i][0],
			o->pair[i][1]);
	fprintf(f, "\n");
}

static void
print_map(FILE *f, const struct opt_desc *d, const struct fwd_opts *o)
{
	unsigned int i;

	if (o->nb_map == 0) {
		fprintf(f, "%s = auto\n", d->key);
		return;
	}
	fprintf(f, "%s = ", d->key);
	for (i = 0; i < o->nb_map; i++)
		fprintf(f, "%s(%u,%u,%u)", i ? "," : "", o->map[i].port,
			o->map[i].queue, o->map[i].lcore);
	fprintf(f, "\n");
}

/* OT_NAME and OT_PATH: an empty value is "key =". */
static void
print_string(FILE *f, const struct opt_desc *d, const struct fwd_opts *o)
{
	const char *v = opt_cfield(o, d);

	fprintf(f, "%s =%s%s\n", d->key, v[0] != '\0' ? " " : "", v);
}

/* ---- the types ---- */

struct opt_type_ops {
	int (*set)(const struct opt_desc *d, struct fwd_opts *o,
		const char *val, char *err, size_t errlen);
	void (*print)(FILE *f, const struct opt_desc *d,
		const struct fwd_opts *o);
	int has_arg;	/* getopt's required_argument or no_argument */
};

static const struct opt_type_ops opt_types[] = {
	[OT_UINT] = { set_uint, print_uint, required_argument },
	[OT_AUTO] = { set_uint, print_uint, required_argument },
	[OT_POW2] = { set_uint, print_uint, required_argument },
	[OT_MASK] = { set_mask, print_mask, required_argument },
	[OT_BOOL] = { set_bool, print_bool, required_argument },
	[OT_MODE] = { set_mode, print_mode, required_argument },
	[OT_PAIRS] = { set_pairs, print_pairs, required_argument },
	[OT_MAP] = { set_map, print_map, required_argument },
	[OT_NAME] = { set_name, print_string, required_argument },
	[OT_PATH] = { set_path, print_string, required_argument },
	[OT_FLAG] = { set_flag, NULL, no_argument },
	[OT_HELP] = { NULL, NULL, no_argument },
};

/* Validate and store one value; on error fill err and return -1. */
int
fwd_opt_set(struct fwd_opts *o, int id, const char *val, char *err,
		size_t errlen)
{
	const struct opt_desc *d = &opt_table[id];

	if (opt_types[d->type].set == NULL) {
		snprintf(err, errlen, "internal: unknown option id %d", id);
		return -1;
	}
	return opt_types[d->type].set(d, o, val, err, errlen);
}

/* Every field zero, then each row's default through its parser. */
static int
opts_default(struct fwd_opts *o)
{
	char err[512];
	int id;

	memset(o, 0, sizeof(*o));
	for (id = 0; id < OPT_NB; id++)
		if (opt_table[id].def != NULL &&
				fwd_opt_set(o, id, opt_table[id].def, err,
					sizeof(err)) < 0) {
			fprintf(stderr, PRG ": internal: default of --%s: %s\n",
				opt_table[id].name, err);
			return -1;
		}
	return 0;
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

/* ---- --help, from the table ---- */

/* d's help text with "{range}" and "{def}" filled in. */
static void
help_text(const struct opt_desc *d, char *buf, size_t len)
{
	const char *p = d->help;
	size_t n = 0;

	while (*p != '\0' && n + 1 < len) {
		if (strncmp(p, "{range}", 7) == 0) {
			n += (size_t)snprintf(buf + n, len - n, "%llu..%llu",
				d->min, d->max);
			p += 7;
		} else if (strncmp(p, "{def}", 5) == 0) {
			n += (size_t)snprintf(buf + n, len - n, "%s", d->def);
			p += 5;
		} else {
			buf[n++] = *p++;
		}
	}
	buf[RTE_MIN(n, len - 1)] = '\0';
}

/* "--name ARG", and ", --name ARG" of a row documented with this one. */
static void
help_label(const struct opt_desc *d, const struct opt_desc *with,
		char *buf, size_t len)
{
	snprintf(buf, len, "--%s%s%s%s%s%s%s", d->name,
		d->arg != NULL ? " " : "", d->arg != NULL ? d->arg : "",
		with != NULL ? ", --" : "", with != NULL ? with->name : "",
		with != NULL ? " " : "", with != NULL ? with->arg : "");
}

/* "[section] key", and ", key" of a row documented with this one. */
static void
help_tag(const struct opt_desc *d, const struct opt_desc *with,
		char *buf, size_t len)
{
	if (d->section == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, len, "[%s] %s%s%s", d->section, d->key,
			with != NULL ? ", " : "",
			with != NULL ? with->key : "");
}

#define HELP_COL 27	/* where the text of every option starts */

static void
usage_row(int id)
{
	const struct opt_desc *d = &opt_table[id], *with = NULL;
	char shortopt[8] = "    ", label[64], tag[64], text[512];
	const char *p = text, *nl;

	if (id + 1 < OPT_NB && opt_table[id + 1].help == NULL)
		with = &opt_table[id + 1];
	if (d->short_name != 0)
		snprintf(shortopt, sizeof(shortopt), "-%c, ", d->short_name);
	help_label(d, with, label, sizeof(label));
	help_tag(d, with, tag, sizeof(tag));
	help_text(d, text, sizeof(text));
	printf("  %s%-*s", shortopt, HELP_COL - 6, label);
	for (;;) {
		nl = strchr(p, '\n');
		if (nl == NULL) {
			printf("%s%s%s\n", p, tag[0] != '\0' ? " " : "", tag);
			return;
		}
		printf("%.*s\n", (int)(nl - p), p);
		p = nl + 1;
		if (*p == '\0') {
			printf("%*s%s\n", HELP_COL, "", tag);
			return;
		}
		printf("%*s", HELP_COL, "");
	}
}

void
fwd_usage(const char *prgname)
{
	int id;

	printf("Usage: %s [EAL options] -- [options]\n"
		"\n"
		"Forwards packets between pairs of ports with poll-mode "
		"workers that\n"
		"never sleep. Packet buffers come from a labyrinth-backed "
		"mempool.\n"
		"Options (config key in brackets; the command line overrides "
		"the file):\n", prgname);
	for (id = 0; id < OPT_NB; id++)
		if (opt_table[id].help != NULL)
			usage_row(id);
	printf("\n"
		"Telemetry: /labyrinth_fwd/stats and /labyrinth_fwd/ports.\n");
}

/* The effective options in the config file's format. */
void
fwd_print_config(FILE *f, const struct fwd_opts *o)
{
	const char *section = NULL;
	int id;

	for (id = 0; id < OPT_NB_CONFIGURABLE; id++) {
		const struct opt_desc *d = &opt_table[id];

		if (section == NULL || strcmp(section, d->section) != 0) {
			fprintf(f, "%s[%s]\n", section != NULL ? "\n" : "",
				d->section);
			section = d->section;
		}
		opt_types[d->type].print(f, d, o);
	}
}

/* The id of the option of a config key, -1 if there is none. */
int
fwd_opt_find(const char *section, const char *key)
{
	int i;

	for (i = 0; i < OPT_NB_CONFIGURABLE; i++)
		if (strcmp(opt_table[i].section, section) == 0 &&
				strcmp(opt_table[i].key, key) == 0)
			return i;
	return -1;
}

int
fwd_opt_section_known(const char *section)
{
	int i;

	for (i = 0; i < OPT_NB_CONFIGURABLE; i++)
		if (strcmp(opt_table[i].section, section) == 0)
			return 1;
	return 0;
}

/* ---- command line ---- */

/* Long option values are 256 + id, away from short option characters. */
#define LONG(id) (256 + (id))

/* getopt's tables, from opt_table[]: ":p:q:..." (leading ':': a missing
 * value returns ':', not '?'). */
static struct option long_options[OPT_NB + 1];
static char short_options[2 + 2 * OPT_NB];

static void
getopt_tables(void)
{
	unsigned int n = 0;
	int id;

	short_options[n++] = ':';
	for (id = 0; id < OPT_NB; id++) {
		const struct opt_desc *d = &opt_table[id];
		int has_arg = opt_types[d->type].has_arg;

		long_options[id] = (struct option){ d->name, has_arg, NULL,
			LONG(id) };
		if (d->short_name == 0)
			continue;
		short_options[n++] = d->short_name;
		if (has_arg == required_argument)
			short_options[n++] = ':';
	}
	short_options[n] = '\0';
}

static int
short_to_id(int c)
{
	int id;

	for (id = 0; id < OPT_NB; id++)
		if (opt_table[id].short_name != 0 &&
				opt_table[id].short_name == c)
			return id;
	return c >= 256 ? c - 256 : -1;
}

/* Pass 1: only --config and --help, so the file applies first. Returns
 * 1 for --help, -1 on error, else 0. */
static int
args_pass1(struct fwd_opts *o, int argc, char **argv)
{
	char err[512];
	int opt, idx, id;

	opterr = 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, short_options, long_options,
			&idx)) != EOF) {
		id = short_to_id(opt);
		if (id == OPT_HELP) {
			fwd_usage(argv[0]);
			return 1;
		}
		if (id == OPT_CONFIG && fwd_opt_set(o, id, optarg, err,
				sizeof(err)) < 0) {
			fprintf(stderr, PRG ": --config: %s\n", err);
			return -1;
		}
	}
	return 0;
}

/* No --config: the installed file, if there is one. A file that is there
 * but cannot be read (or is broken) is an error, as it would be with
 * --config. */
static int
args_config(struct fwd_opts *o)
{
	struct stat st;

	if (o->config[0] == '\0') {
		if (stat(FWD_SYSCONF_INI, &st) == 0) {
			strlcpy(o->config, FWD_SYSCONF_INI, sizeof(o->config));
		} else if (errno != ENOENT && errno != ENOTDIR) {
			fprintf(stderr, PRG ": %s: %s\n", FWD_SYSCONF_INI,
				strerror(errno));
			return -1;
		}
	}
	if (o->config[0] != '\0' && fwd_cfg_apply(o, o->config) < 0)
		return -1;
	return 0;
}

/* getopt's ':' (a value is missing) and '?' (unknown option). */
static void
args_bad(int opt, char **argv)
{
	int id;

	if (opt == ':') {
		id = short_to_id(optopt);
		if (id >= 0)
			fprintf(stderr, PRG ": option --%s needs a value (see "
				"--help)\n", opt_table[id].name);
		else
			fprintf(stderr, PRG ": option needs a value (see "
				"--help)\n");
	} else if (optopt != 0) {
		fprintf(stderr, PRG ": unknown option -%c (see --help)\n",
			optopt);
	} else {
		fprintf(stderr, PRG ": unknown option '%s' (see --help)\n",
			argv[optind - 1]);
	}
}

/* Pass 2: the command line overrides the file. */
static int
args_pass2(struct fwd_opts *o, int argc, char **argv)
{
	char err[512];
	int opt, idx, id;

	optind = 0;
	while ((opt = getopt_long(argc, argv, short_options, long_options,
			&idx)) != EOF) {
		if (opt == ':' || opt == '?') {
			args_bad(opt, argv);
			return -1;
		}
		id = short_to_id(opt);
		if (id == OPT_CONFIG || id == OPT_HELP)
			continue;
		if (fwd_opt_set(o, id, optarg, err, sizeof(err)) < 0) {
			fprintf(stderr, PRG ": --%s: %s\n", opt_table[id].name,
				err);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PRG ": unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* Returns 0 to run, 1 when the program should exit 0 (help), -1 on
 * error (one message printed). */
int
fwd_parse_args(struct fwd_opts *o, int argc, char **argv)
{
	char err[512];
	int ret;

	getopt_tables();
	if (opts_default(o) < 0)
		return -1;
	ret = args_pass1(o, argc, argv);
	if (ret != 0)
		return ret;
	if (args_config(o) < 0 || args_pass2(o, argc, argv) < 0)
		return -1;
	if (opts_check(o, err, sizeof(err)) < 0) {
		fprintf(stderr, PRG ": %s\n", err);
		return -1;
	}
	return 0;
}
