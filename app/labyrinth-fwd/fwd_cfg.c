/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * labyrinth-fwd's config file (--config, or FWD_SYSCONF_INI): INI read
 * with rte_cfgfile, each key through the table of options in fwd_args.c
 * (fwd_opt_find, fwd_opt_set), so a value is validated as it would be on
 * the command line.
 *
 * rte_cfgfile reports no line numbers and silently skips lines it does not
 * understand, so the file is first scanned here (cfg_scan): every line is
 * classified, malformed ones are errors naming the line, and the line of
 * each section and key is remembered for the errors found later.
 */

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_string_fns.h>

#include "fwd_priv.h"

#define PRG "labyrinth-fwd"

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
	unsigned int cap;
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

/* A "[name]" line: a new section, seen only once. */
static int
cfg_scan_section(const struct cfg_scan *sc, const char *path,
		struct cfg_line *cl, char *line)
{
	char *end = strchr(line, ']');
	char *name;
	unsigned int i;

	if (end == NULL || strip(end + 1)[0] != '\0') {
		fprintf(stderr, PRG ": %s:%d: malformed section header '%s' "
			"(expected '[name]')\n", path, cl->lineno, line);
		return -1;
	}
	*end = '\0';
	name = strip(line + 1);
	if (*name == '\0' || strlen(name) >= CFG_NAME_LEN) {
		fprintf(stderr, PRG ": %s:%d: bad section name\n", path,
			cl->lineno);
		return -1;
	}
	for (i = 0; i < sc->nb; i++)
		if (sc->lines[i].kind == CFG_SECTION &&
				strcmp(sc->lines[i].section, name) == 0) {
			fprintf(stderr, PRG ": %s:%d: section [%s] repeated "
				"(first at line %d)\n", path, cl->lineno, name,
				sc->lines[i].lineno);
			return -1;
		}
	cl->kind = CFG_SECTION;
	strlcpy(cl->section, name, sizeof(cl->section));
	return 0;
}

/* A "key = value" line of section ("" before the first section). */
static int
cfg_scan_entry(const struct cfg_scan *sc, const char *path,
		struct cfg_line *cl, char *line, const char *section)
{
	char *eq = strchr(line, '=');
	char *key;
	unsigned int i;

	if (eq == NULL) {
		fprintf(stderr, PRG ": %s:%d: '%s': expected 'key = value' or "
			"'[section]'\n", path, cl->lineno, line);
		return -1;
	}
	*eq = '\0';
	key = strip(line);
	if (*key == '\0' || strlen(key) >= CFG_NAME_LEN) {
		fprintf(stderr, PRG ": %s:%d: bad key\n", path, cl->lineno);
		return -1;
	}
	if (section[0] == '\0') {
		fprintf(stderr, PRG ": %s:%d: '%s' is outside any [section]\n",
			path, cl->lineno, key);
		return -1;
	}
	for (i = 0; i < sc->nb; i++)
		if (sc->lines[i].kind == CFG_ENTRY &&
				strcmp(sc->lines[i].section, section) == 0 &&
				strcmp(sc->lines[i].key, key) == 0) {
			fprintf(stderr, PRG ": %s:%d: [%s] %s repeated (first "
				"at line %d)\n", path, cl->lineno, section,
				key, sc->lines[i].lineno);
			return -1;
		}
	cl->kind = CFG_ENTRY;
	strlcpy(cl->section, section, sizeof(cl->section));
	strlcpy(cl->key, key, sizeof(cl->key));
	return 0;
}

static int
cfg_push(struct cfg_scan *sc, const struct cfg_line *cl)
{
	if (sc->nb == sc->cap) {
		unsigned int cap = sc->cap ? 2 * sc->cap : 32;
		struct cfg_line *n = realloc(sc->lines, cap * sizeof(*n));

		if (n == NULL) {
			fprintf(stderr, PRG ": out of memory\n");
			return -1;
		}
		sc->lines = n;
		sc->cap = cap;
	}
	sc->lines[sc->nb++] = *cl;
	return 0;
}

/* One line of the file: 0 if it was blank or is now in sc, else -1. */
static int
cfg_scan_line(struct cfg_scan *sc, const char *path, int lineno, char *buf,
		char *section)
{
	struct cfg_line cl;
	char *line, *c;

	/* comment: ';' not preceded by '\', as rte_cfgfile does */
	c = strchr(buf, ';');
	if (c != NULL && (c == buf || c[-1] != '\\'))
		*c = '\0';
	line = strip(buf);
	if (*line == '\0')
		return 0;
	memset(&cl, 0, sizeof(cl));
	cl.lineno = lineno;
	if (*line == '[') {
		if (cfg_scan_section(sc, path, &cl, line) < 0)
			return -1;
		strlcpy(section, cl.section, CFG_NAME_LEN);
	} else if (cfg_scan_entry(sc, path, &cl, line, section) < 0) {
		return -1;
	}
	return cfg_push(sc, &cl);
}

static int
cfg_scan_file(const char *path, struct cfg_scan *sc)
{
	char buf[CFG_NAME_LEN + CFG_VALUE_LEN + 4];
	char section[CFG_NAME_LEN] = "";
	int lineno = 0;
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

		lineno++;
		if (len == sizeof(buf) - 1 && buf[len - 1] != '\n') {
			fprintf(stderr, PRG ": %s:%d: line too long\n",
				path, lineno);
			goto fail;
		}
		if (cfg_scan_line(sc, path, lineno, buf, section) < 0)
			goto fail;
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

/* The entries of section s of cfg, each through fwd_opt_set(). */
static int
cfg_apply_section(struct fwd_opts *o, const char *path,
		struct rte_cfgfile *cfg, int s, const struct cfg_scan *sc)
{
	struct rte_cfgfile_entry *entries;
	char section[CFG_NAME_LEN];
	char err[512];
	int n, e, id, rc = -1;

	n = rte_cfgfile_section_num_entries_by_index(cfg, section, s);
	if (n < 0)
		return -1;
	if (!fwd_opt_section_known(section)) {
		fprintf(stderr, PRG ": %s:%d: unknown section [%s]\n",
			path, cfg_lineno(sc, section, NULL), section);
		return -1;
	}
	entries = calloc(n > 0 ? n : 1, sizeof(*entries));
	if (entries == NULL) {
		fprintf(stderr, PRG ": out of memory\n");
		return -1;
	}
	n = rte_cfgfile_section_entries_by_index(cfg, s, section, entries, n);
	for (e = 0; e < n; e++) {
		int line = cfg_lineno(sc, section, entries[e].name);

		id = fwd_opt_find(section, entries[e].name);
		if (id < 0) {
			fprintf(stderr, PRG ": %s:%d: unknown key '%s' in "
				"[%s]\n", path, line, entries[e].name,
				section);
			goto out;
		}
		if (fwd_opt_set(o, id, entries[e].value, err,
				sizeof(err)) < 0) {
			fprintf(stderr, PRG ": %s:%d: [%s] %s: %s\n", path,
				line, section, entries[e].name, err);
			goto out;
		}
	}
	rc = 0;
out:
	free(entries);
	return rc;
}

/* Apply the config file at path to o; -1 (one message printed) on error. */
int
fwd_cfg_apply(struct fwd_opts *o, const char *path)
{
	struct rte_cfgfile *cfg = NULL;
	struct cfg_scan sc;
	int nb_sections, s, rc = -1;

	if (cfg_scan_file(path, &sc) < 0)
		return -1;
	cfg = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (cfg == NULL) {
		fprintf(stderr, PRG ": %s: rte_cfgfile cannot parse it\n",
			path);
		goto out;
	}
	nb_sections = rte_cfgfile_num_sections(cfg, NULL, 0);
	for (s = 0; s < nb_sections; s++)
		if (cfg_apply_section(o, path, cfg, s, &sc) < 0)
			goto out;
	rc = 0;
out:
	free(sc.lines);
	if (cfg != NULL)
		rte_cfgfile_close(cfg);
	return rc;
}
