/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_client: rtpgw-control's connection to the dataplane API socket, built
 * on the tools' blocking api_client (requests are short round trips on a
 * local socket, bounded by DP_CLIENT_TIMEOUT_MS). The socket is watched
 * with fd_listen on the re_main loop: when the dataplane closes it (exit,
 * restart) the client is dropped and reconnects from a libre timer with
 * exponential backoff (DP_CLIENT_BACKOFF_MIN_MS doubling to _MAX_MS), so
 * the loop never blocks waiting for a dataplane that is gone. Events
 * (RTCP copies, idle flows) arrive on a second connection so a request
 * never has to skip them.
 */
#ifndef DP_CLIENT_H
#define DP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "rtpgw_api.h"

#define DP_CLIENT_TIMEOUT_MS	 1000
#define DP_CLIENT_BACKOFF_MIN_MS 100
#define DP_CLIENT_BACKOFF_MAX_MS 5000

struct dp_client;

/* Called after every successful (re)connection, e.g. to re-install state. */
typedef void(dp_client_up_h)(void *arg);

/* One event from the dataplane (hdr->type RTPGW_API_EVENT_*, hdr->len bytes). */
typedef void(dp_client_event_h)(const struct rtpgw_api_hdr *hdr, const void *payload, void *arg);

/*
 * Start connecting to the socket at path (first attempt immediately from
 * the loop). Returns the client or NULL with errno set.
 */
struct dp_client *dp_client_create(const char *path, dp_client_up_h *up_h, void *arg);
void dp_client_destroy(struct dp_client *dc);

/* Replace the handler called after every successful (re)connection. */
void dp_client_set_up_handler(struct dp_client *dc, dp_client_up_h *up_h, void *arg);

/*
 * Receive the dataplane's events: a second connection subscribed with
 * RTPGW_API_EVENTS_SUBSCRIBE, opened with the request connection (now if
 * connected, else at the next connection) and read from the loop.
 */
void dp_client_set_event_handler(struct dp_client *dc, dp_client_event_h *ev_h, void *arg);

/* Events received, and events the dataplane could not queue for us. */
uint64_t dp_client_events(const struct dp_client *dc);

bool dp_client_connected(const struct dp_client *dc);

/* Times the connection was (re)established. */
uint64_t dp_client_connects(const struct dp_client *dc);

/*
 * One request, as api_client_request(). Returns -ENOTCONN when not
 * connected; a transport error drops the connection and schedules a
 * reconnect.
 */
int dp_client_request(struct dp_client *dc, uint16_t type, const void *payload, uint32_t len,
		      void *reply, uint32_t reply_cap, uint32_t *reply_len);

#endif /* DP_CLIENT_H */
