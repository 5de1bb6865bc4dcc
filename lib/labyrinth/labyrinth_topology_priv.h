/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LABYRINTH_TOPOLOGY_PRIV_H
#define LABYRINTH_TOPOLOGY_PRIV_H

/**
 * @file
 * @internal
 * NUMA topology injection, so that the zone fallback order can be tested on
 * a machine with one socket. Exported under the INTERNAL version node for
 * the tests; not part of the public API.
 */

#include <stdint.h>

#include <rte_config.h>

#ifdef __cplusplus
extern "C" {
#endif

struct labyrinth;

/** Sockets an injected topology may describe. */
#define LABYRINTH_TOPO_MAX 8

/** An injected NUMA topology. */
struct labyrinth_topology {
	unsigned int nb_sockets; /**< sockets 0 .. nb_sockets - 1 */
	/** SLIT-style distances: 10 = local, larger = farther. */
	uint8_t distance[LABYRINTH_TOPO_MAX][LABYRINTH_TOPO_MAX];
	/** Socket of each lcore id; -1 = the socket EAL reports. */
	int lcore_socket[RTE_MAX_LCORE];
};

/**
 * Replace the NUMA topology seen by labyrinths created from now on.
 * Zones on sockets that do not exist on the machine take their memory from
 * any socket. Control path, not MT-safe against labyrinth_create().
 *
 * @param topo
 *   The topology (copied), or NULL to go back to the real one (libnuma).
 * @return
 *   0; -EINVAL if nb_sockets is 0 or above LABYRINTH_TOPO_MAX, or a
 *   distance or lcore socket is out of range.
 */
int labyrinth_topology_inject(const struct labyrinth_topology *topo);

/**
 * The sockets of lab's zones in the order a grab by an lcore of socket_id
 * tries them (nearest first; ties by socket id).
 *
 * @return
 *   Number of entries written to sockets (at most n); -EINVAL on bad
 *   arguments.
 */
int labyrinth_fallback_order(const struct labyrinth *lab, int socket_id,
		int *sockets, unsigned int n);

#ifdef __cplusplus
}
#endif

#endif /* LABYRINTH_TOPOLOGY_PRIV_H */
