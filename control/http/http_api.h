/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_api: rtpgw-control's HTTP server (libre), meant for the loopback
 * address: GET /metrics is Prometheus text (version 0.0.4) of what the
 * dataplane reports when asked (ports, workers, drops by reason) and of the
 * rooms control holds; GET /api/rooms is the rooms and their participants
 * as JSON. Anything else is 404, other methods 405.
 */
#ifndef HTTP_API_H
#define HTTP_API_H

#include "../config.h"
#include "../dp_client/dp_client.h"
#include "../rooms.h"

struct http_api;

/* Listen on cfg->http_ip:http_port. NULL with errno on failure. */
struct http_api *http_api_create(const struct config *cfg, struct dp_client *dp, struct rooms *rs);
void http_api_destroy(struct http_api *h);

#endif /* HTTP_API_H */
