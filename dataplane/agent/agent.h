/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The agent: the main lcore's loop and the only writer of every table.
 * It serves the API socket (api_server.c, handlers in api_handlers.c),
 * drains the workers' rings (ARP, ICMP echo and RTCP copies in
 * slowpath.c; worker events), resolves next hops, reports idle flows, and
 * folds the workers' counters when asked. Nothing here runs on a worker.
 */
#ifndef RTPGW_AGENT_H
#define RTPGW_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtpgw_api.h>

#include "dp.h"

struct nexthop;

#define AGENT_CLIENTS_MAX 32
/* Housekeeping period: next-hop retries and the idle scan. */
#define AGENT_HOUSEKEEPING_MS 100
#define AGENT_ARP_RETRY_MS 1000
#define AGENT_ARP_REFRESH_S 300
/* Idle flows examined per housekeeping pass. */
#define AGENT_IDLE_SCAN_CHUNK 16384

struct agent_client {
	int fd;     /* -1 when the slot is free */
	bool hello; /* HELLO done */
	bool events; /* subscribed to events */
};

struct agent_stats {
	uint64_t api_requests;
	uint64_t api_errors;
	uint64_t events_sent;
	uint64_t events_dropped; /* subscriber's socket full */
	uint64_t worker_events_lost; /* approximated by ring-full at the worker */
};

struct agent {
	struct dataplane *dp;
	int listen_fd;
	int epoll_fd;
	char sock_path[108];
	struct agent_client clients[AGENT_CLIENTS_MAX];
	uint64_t next_housekeeping;
	uint32_t idle_cursor;
	struct agent_stats stats;
	uint8_t rx[RTPGW_API_MSG_MAX];
	uint8_t tx[RTPGW_API_MSG_MAX];
};

/* Create the agent and its API socket (sock_path NULL: no socket, for
 * in-process tests). NULL with errno set. */
struct agent *agent_create(struct dataplane *dp, const char *sock_path);
void agent_destroy(struct agent *a);

/* One pass of the loop: wait up to timeout_ms for API traffic, then drain
 * worker rings and run housekeeping when due. */
void agent_poll(struct agent *a, int timeout_ms);

/* Handle one request (req, len) for client c, writing the whole reply
 * (header + payload) into reply; returns the reply length. Used by the
 * socket server and directly by in-process tests. */
size_t api_handle(struct agent *a, struct agent_client *c, const void *req, size_t len,
		  void *reply);

/* Send an event (type, payload) to every subscribed client. */
void agent_event_send(struct agent *a, uint16_t type, const void *payload, uint32_t len);

/* Slow path (slowpath.c). */
void slowpath_drain(struct agent *a);
void slowpath_nexthop_kick(struct agent *a, struct nexthop *nh);
void slowpath_housekeeping(struct agent *a, uint64_t now);

/* API server (api_server.c). */
int api_server_open(struct agent *a, const char *path);
void api_server_close(struct agent *a);
void api_server_poll(struct agent *a, int timeout_ms);

#endif /* RTPGW_AGENT_H */
