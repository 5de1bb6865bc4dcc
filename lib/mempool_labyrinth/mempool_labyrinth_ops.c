/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * Telemetry /labyrinth/ops: this process's rte_mempool_ops_table in index
 * order, with the file each ops came from, so that a stock secondary can
 * be told which -d plugins to load, in which order, for its table to agree
 * with the primary's (DPDK bugzilla 1073; labyrinth-secondary-args).
 *
 * A table entry is a copy of the registered struct rte_mempool_ops: its
 * callbacks point into the object (shared library, or the program itself)
 * whose constructor registered it. dl_iterate_phdr() finds the object
 * whose loaded segments hold the alloc callback. Control path only.
 */

#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_mempool.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

/* What find_object() looks for and what it found. */
struct object_query {
	uintptr_t addr;   /* an address inside the object's code */
	bool found;
	bool main;        /* the program itself, not a shared object */
	char path[PATH_MAX];
};

static int
object_cb(struct dl_phdr_info *info, size_t size __rte_unused, void *arg)
{
	struct object_query *q = arg;
	unsigned int i;

	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = (uintptr_t)info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || q->addr < lo ||
				q->addr - lo >= ph->p_memsz)
			continue;
		q->found = true;
		/* The first object reported is the program, named "". */
		q->main = info->dlpi_name == NULL || info->dlpi_name[0] == '\0';
		if (!q->main)
			strlcpy(q->path, info->dlpi_name, sizeof(q->path));
		return 1;
	}
	return 0;
}

/*
 * The absolute, symlink-free path of the object holding addr, and whether
 * it is the program itself. A relative name (a -d given relative to the
 * primary's working directory) is resolved here, where it is valid.
 */
static int
find_object(uintptr_t addr, char *path, size_t len, bool *main_program)
{
	struct object_query q = { .addr = addr };
	char real[PATH_MAX];
	ssize_t n;

	dl_iterate_phdr(object_cb, &q);
	if (!q.found)
		return -ENOENT;
	*main_program = q.main;
	if (q.main) {
		n = readlink("/proc/self/exe", real, sizeof(real) - 1);
		if (n <= 0)
			return -errno;
		real[n] = '\0';
	} else if (realpath(q.path, real) == NULL) {
		strlcpy(real, q.path, sizeof(real));
	}
	return strlcpy(path, real, len) < len ? 0 : -E2BIG;
}

static int
tel_ops(const char *cmd __rte_unused, const char *params __rte_unused,
		struct rte_tel_data *d)
{
	char path[RTE_TEL_MAX_STRING_LEN], key[16];
	const struct rte_mempool_ops *ops;
	struct rte_tel_data *e;
	bool main_program;
	unsigned int i, n;
	int ret;

	/* Registration happens in constructors and at EAL init (-d), before
	 * the telemetry thread serves a command: a plain read is enough. */
	n = rte_mempool_ops_table.num_ops;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "num_ops", n);
	for (i = 0; i < n && i < RTE_MEMPOOL_MAX_OPS_IDX; i++) {
		ops = &rte_mempool_ops_table.ops[i];
		e = rte_tel_data_alloc();
		if (e == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "name", ops->name);
		ret = find_object((uintptr_t)ops->alloc, path, sizeof(path),
				&main_program);
		if (ret == 0) {
			rte_tel_data_add_dict_string(e, "object", path);
			rte_tel_data_add_dict_int(e, "main_program",
					main_program);
		} else {
			/* Not found, or a path of RTE_TEL_MAX_STRING_LEN or
			 * more: no object rather than a truncated one. */
			rte_tel_data_add_dict_int(e, "object_error", -ret);
		}
		snprintf(key, sizeof(key), "%u", i);
		if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
			rte_tel_data_free(e);
	}
	return 0;
}

RTE_INIT(mempool_labyrinth_ops_telemetry)
{
	rte_telemetry_register_cmd("/labyrinth/ops", tel_ops,
		"Returns this process's mempool ops table in index order: name "
		"and the file each came from. Takes no parameters");
}
