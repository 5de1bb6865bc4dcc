/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LT_PLUGIN_H
#define LT_PLUGIN_H

/*
 * Loading a plugin with EAL's -d from wherever the checkout sits.
 *
 * EAL refuses a -d file when its folder or any folder above it is
 * world-writable (a checkout under /tmp, say). lt_plugin_copy() copies the
 * plugin into a fresh folder of this process's own (mkdtemp, 0700) whose
 * whole parent chain EAL accepts, as a user would, and returns the copy's
 * path. The parent is, first that is safe:
 *   - getenv("LT_PLUGIN_DIR") (meson sets it in the build folder; created
 *     0755 if missing);
 *   - <base>/labyrinth-tests (created 0700, must be ours and private) for
 *     base in $XDG_RUNTIME_DIR, $HOME/.cache, $HOME, and /run as root.
 * The folder is removed when the process that made it exits (not by forked
 * children). The copy loses the plugin's $ORIGIN rpath: liblabyrinth and
 * liblabyrinth_mempool come from the program itself or LD_LIBRARY_PATH
 * (meson sets it).
 * plugin_copy() in tests/lt_dpdk.py does the same for the Python tests.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <rte_eal.h>

/*
 * Whether EAL would accept a -d file or folder at path: neither it nor
 * any folder above it world-writable. With bad != NULL, the first
 * offending folder (or the path that does not resolve) is written there.
 */
static inline bool
lt_path_safe(const char *path, char *bad, size_t bad_len)
{
	char buf[PATH_MAX], *slash;
	struct stat st;

	if (realpath(path, buf) == NULL) {
		if (bad != NULL)
			snprintf(bad, bad_len, "%s", path);
		return false;
	}
	for (;;) {
		if (stat(buf, &st) != 0 || (st.st_mode & S_IWOTH) != 0) {
			if (bad != NULL)
				snprintf(bad, bad_len, "%s", buf);
			return false;
		}
		if (strcmp(buf, "/") == 0)
			return true;
		slash = strrchr(buf, '/');
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

static char lt_plugin_dir_[PATH_MAX];
static pid_t lt_plugin_dir_pid_;

/* atexit: remove the folder's files and the folder (its maker only). */
static inline void
lt_plugin_cleanup_(void)
{
	char path[PATH_MAX + NAME_MAX + 2];
	struct dirent *e;
	DIR *d;

	if (lt_plugin_dir_[0] == '\0' || getpid() != lt_plugin_dir_pid_)
		return;
	/* A flat folder of our own copies. */
	d = opendir(lt_plugin_dir_);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
					strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", lt_plugin_dir_,
				e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(lt_plugin_dir_);
}

/* A private folder <base>/labyrinth-tests: ours, mode 0700, safe chain. */
static inline bool
lt_private_base_(const char *base, char *out, size_t len)
{
	struct stat st;

	if (base == NULL || base[0] != '/' || !lt_path_safe(base, NULL, 0))
		return false;
	if ((size_t)snprintf(out, len, "%s/labyrinth-tests", base) >= len)
		return false;
	if (mkdir(out, 0700) != 0 && errno != EEXIST)
		return false;
	return lstat(out, &st) == 0 && S_ISDIR(st.st_mode) &&
		st.st_uid == geteuid() && (st.st_mode & 022) == 0;
}

/* Make this process's plugin folder once; exits 1 when nowhere is safe. */
static inline const char *
lt_plugin_dir(void)
{
	const char *env = getenv("LT_PLUGIN_DIR"), *home = getenv("HOME");
	char parent[PATH_MAX], bad[PATH_MAX] = "", cache[PATH_MAX] = "";
	const char *bases[4];
	unsigned int i, n = 0;
	bool found = false;

	if (lt_plugin_dir_[0] != '\0')
		return lt_plugin_dir_;
	if (env != NULL && env[0] != '\0') {
		if (mkdir(env, 0755) != 0 && errno != EEXIST) {
			printf("mkdir %s: %s\n", env, strerror(errno));
			exit(1);
		}
		if (lt_path_safe(env, bad, sizeof(bad))) {
			snprintf(parent, sizeof(parent), "%s", env);
			found = true;
		} else {
			printf("note: %s is world-writable: EAL would refuse a "
				"-d plugin in %s\n", bad, env);
		}
	}
	bases[n++] = getenv("XDG_RUNTIME_DIR");
	if (!found && home != NULL && home[0] == '/' &&
			lt_path_safe(home, NULL, 0)) {
		snprintf(cache, sizeof(cache), "%s/.cache", home);
		mkdir(cache, 0700);
		bases[n++] = cache;
		bases[n++] = home;
	}
	if (geteuid() == 0)
		bases[n++] = "/run";
	for (i = 0; !found && i < n; i++)
		found = lt_private_base_(bases[i], parent, sizeof(parent));
	if (!found) {
		printf("no folder EAL accepts -d plugins from: tried "
			"LT_PLUGIN_DIR, $XDG_RUNTIME_DIR, $HOME/.cache, $HOME"
			"%s\n", geteuid() == 0 ? ", /run" : "");
		exit(1);
	}
	if ((size_t)snprintf(lt_plugin_dir_, sizeof(lt_plugin_dir_),
			"%s/plugin-XXXXXX", parent) >= sizeof(lt_plugin_dir_) ||
			mkdtemp(lt_plugin_dir_) == NULL) {
		printf("mkdtemp in %s: %s\n", parent, strerror(errno));
		exit(1);
	}
	lt_plugin_dir_pid_ = getpid();
	atexit(lt_plugin_cleanup_);
	if (bad[0] != '\0')
		printf("note: plugins copied to %s instead\n", lt_plugin_dir_);
	return lt_plugin_dir_;
}

static inline int
lt_copy_file_(const char *src, const char *dst)
{
	char buf[65536];
	ssize_t n;
	int in, out, ret = -1;

	in = open(src, O_RDONLY);
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0755);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			goto out;
	if (n == 0 && fchmod(out, 0755) == 0)
		ret = 0;
out:
	close(in);
	if (close(out) != 0)
		ret = -1;
	if (ret != 0)
		unlink(dst);
	return ret;
}

/*
 * Copy plugin src into this process's plugin folder; returns the path of
 * the copy for -d (static storage, up to 4 plugins). Exits 1 on error.
 */
static inline const char *
lt_plugin_copy(const char *src)
{
	static char out[4][PATH_MAX];
	static unsigned int next;
	const char *dir, *base;
	char *dst;

	if (src == NULL || access(src, R_OK) != 0) {
		printf("plugin %s not readable\n", src != NULL ? src : "(null)");
		exit(1);
	}
	if (next == 4) {
		printf("lt_plugin_copy: more than 4 plugins\n");
		exit(1);
	}
	dir = lt_plugin_dir();
	dst = out[next++];
	base = strrchr(src, '/');
	base = base != NULL ? base + 1 : src;
	if ((size_t)snprintf(dst, PATH_MAX, "%s/%s", dir, base) >= PATH_MAX ||
			lt_copy_file_(src, dst) != 0) {
		printf("cannot copy %s to %s: %s\n", src, dst, strerror(errno));
		exit(1);
	}
	return dst;
}

/*
 * rte_eal_init() with argv[0 .. argc) followed by "-d plugin" when plugin
 * is not NULL (the plugin's copy, from lt_plugin_copy()). Returns what
 * rte_eal_init() returns; -1 with too many arguments.
 */
static inline int
lt_eal_init_plugin(int argc, char **argv, const char *plugin)
{
	static char *args[128];
	static char d_opt[] = "-d";
	int i, n = 0;

	if (argc > 120)
		return -1;
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	if (plugin != NULL) {
		args[n++] = d_opt;
		args[n++] = (char *)(uintptr_t)plugin;
	}
	args[n] = NULL;
	return rte_eal_init(n, args);
}

#endif /* LT_PLUGIN_H */
