/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The Labyrinth developers
 */

#ifndef LT_TELEMETRY_H
#define LT_TELEMETRY_H

/*
 * A client of this process's own telemetry socket (the v2 protocol that
 * dpdk-telemetry.py speaks), for tests: connect once, then query() leaves
 * each JSON reply in reply[].
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>

#include "labyrinth_test.h"

static int sock = -1;
static char reply[16384];

/* Send one command, leave the JSON reply in reply[]. */
static inline int
query(const char *cmd)
{
	ssize_t n;

	if (send(sock, cmd, strlen(cmd), 0) < 0)
		return -1;
	n = recv(sock, reply, sizeof(reply) - 1, 0);
	if (n <= 0)
		return -1;
	reply[n] = '\0';
	printf("%s -> %s\n", cmd, reply);
	return 0;
}

/*
 * Connect and read the server's greeting (its version and limits). Exits
 * 77 when the socket is not there (telemetry disabled); -1 without a
 * greeting.
 */
static inline int
connect_telemetry(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	sock = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr,
			sizeof(addr)) != 0) {
		printf("skip: cannot connect to %s (telemetry disabled?)\n",
			addr.sun_path);
		exit(LT_SKIP);
	}
	return recv(sock, reply, sizeof(reply) - 1, 0) > 0 ? 0 : -1;
}

#endif /* LT_TELEMETRY_H */
