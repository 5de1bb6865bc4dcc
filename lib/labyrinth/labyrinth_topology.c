/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

/*
 * NUMA topology: the socket of each lcore, which sockets exist, the
 * distances between them (libnuma, or a topology injected by a test), the
 * sockets a labyrinth puts zones on, and each socket's zone fallback order.
 */

#include <errno.h>
#include <stdbool.h>

#include <numa.h>

#include <rte_lcore.h>

#include "labyrinth_priv.h"

/* Injected topology (tests), process-local: only create reads it. */
static struct labyrinth_topology topo;
static bool topo_injected;

int
labyrinth_topology_inject(const struct labyrinth_topology *t)
{
	unsigned int i, j;

	if (t == NULL) {
		topo_injected = false;
		return 0;
	}
	if (t->nb_sockets == 0 || t->nb_sockets > LABYRINTH_TOPO_MAX)
		return -EINVAL;
	for (i = 0; i < t->nb_sockets; i++)
		for (j = 0; j < t->nb_sockets; j++)
			if (t->distance[i][j] < 10)
				return -EINVAL;
	for (i = 0; i < RTE_MAX_LCORE; i++)
		if (t->lcore_socket[i] < -1 ||
				t->lcore_socket[i] >= (int)t->nb_sockets)
			return -EINVAL;
	topo = *t;
	topo_injected = true;
	return 0;
}

int
lab_topology_socket_of_lcore(unsigned int lcore_id)
{
	int s;

	if (lcore_id >= RTE_MAX_LCORE)
		return 0;
	if (topo_injected && topo.lcore_socket[lcore_id] >= 0)
		return topo.lcore_socket[lcore_id];
	s = (int)rte_lcore_to_socket_id(lcore_id);
	return (s < 0 || s >= RTE_MAX_NUMA_NODES) ? 0 : s;
}

/* Whether socket s exists (in the injected topology, or on the machine). */
bool
lab_topology_socket_exists(int s)
{
	unsigned int i;

	if (topo_injected)
		return s >= 0 && s < (int)topo.nb_sockets;
	for (i = 0; i < rte_socket_count(); i++)
		if (rte_socket_id_by_idx(i) == s)
			return true;
	return false;
}

/* Whether socket s has memory on this machine (for memzone reservation). */
bool
lab_topology_socket_is_physical(int s)
{
	unsigned int i;

	for (i = 0; i < rte_socket_count(); i++)
		if (rte_socket_id_by_idx(i) == s)
			return true;
	return false;
}

static int
numa_dist(int a, int b)
{
	int d;

	if (topo_injected) {
		if (a < (int)topo.nb_sockets && b < (int)topo.nb_sockets)
			return topo.distance[a][b];
		return a == b ? 10 : 255;
	}
	if (numa_available() >= 0) {
		d = numa_distance(a, b);
		if (d > 0)
			return d;
	}
	return a == b ? 10 : 20;
}

/* Order the zones by distance from each socket (ties: lower socket id). */
void
lab_topology_build_fallback(struct labyrinth *lab)
{
	int s;
	unsigned int i, j;

	for (s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		uint8_t *f = lab->fallback[s];

		for (i = 0; i < lab->nb_zones; i++)
			f[i] = (uint8_t)i;
		/* insertion sort: at most LABYRINTH_MAX_ZONES entries */
		for (i = 1; i < lab->nb_zones; i++) {
			uint8_t z = f[i];
			int dz = numa_dist(s, lab->zone[z].socket_id);

			for (j = i; j > 0; j--) {
				uint8_t y = f[j - 1];
				int dy = numa_dist(s, lab->zone[y].socket_id);

				if (dy < dz || (dy == dz &&
						lab->zone[y].socket_id <
						lab->zone[z].socket_id))
					break;
				f[j] = y;
			}
			f[j] = z;
		}
	}
}

int
labyrinth_fallback_order(const struct labyrinth *lab, int socket_id,
		int *sockets, unsigned int n)
{
	unsigned int i;

	/* lab_live(), not lab_checked(): no call back into labyrinth_pool.c. */
	if (!lab_live(lab) || sockets == NULL || socket_id < 0 ||
			socket_id >= RTE_MAX_NUMA_NODES)
		return -EINVAL;
	for (i = 0; i < lab->nb_zones && i < n; i++)
		sockets[i] = lab->zone[lab->fallback[socket_id][i]].socket_id;
	return (int)i;
}

/* The sockets to put zones on, sorted; returns how many. */
unsigned int
lab_topology_zone_sockets(const struct labyrinth_conf *conf, int *sockets)
{
	unsigned int lcore, n = 0, i;
	bool seen[RTE_MAX_NUMA_NODES] = { false };

	if (conf->socket_id != SOCKET_ID_ANY) {
		sockets[0] = conf->socket_id;
		return 1;
	}
	RTE_LCORE_FOREACH(lcore)
		seen[lab_topology_socket_of_lcore(lcore)] = true;
	for (i = 0; i < RTE_MAX_NUMA_NODES && n < LABYRINTH_MAX_ZONES; i++)
		if (seen[i])
			sockets[n++] = (int)i;
	if (n == 0)
		sockets[n++] = 0;
	return n;
}
