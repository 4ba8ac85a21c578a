/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Agent life cycle and loop (see agent.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "agent/agent.h"

struct agent *
agent_create(struct dataplane *dp, const char *sock_path)
{
	struct agent *a = rte_zmalloc("agent", sizeof(*a), RTE_CACHE_LINE_SIZE);

	if (a == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	a->dp = dp;
	a->listen_fd = -1;
	a->epoll_fd = -1;
	for (unsigned int i = 0; i < AGENT_CLIENTS_MAX; i++)
		a->clients[i].fd = -1;
	if (sock_path != NULL && api_server_open(a, sock_path) < 0) {
		int err = errno;

		rte_free(a);
		errno = err;
		return NULL;
	}
	return a;
}

void
agent_destroy(struct agent *a)
{
	if (a == NULL)
		return;
	api_server_close(a);
	rte_free(a);
}

void
agent_poll(struct agent *a, int timeout_ms)
{
	uint64_t now;

	RTE_ASSERT(rte_lcore_id() == rte_get_main_lcore() || rte_lcore_id() == LCORE_ID_ANY);
	if (a->listen_fd >= 0)
		api_server_poll(a, timeout_ms);
	slowpath_drain(a);
	now = rte_rdtsc();
	if (now >= a->next_housekeeping) {
		slowpath_housekeeping(a, now);
		a->next_housekeeping = now + a->dp->tsc_hz * AGENT_HOUSEKEEPING_MS / 1000;
	}
}
