/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_api: rtpgw-control's HTTP server (libre), meant for the loopback
 * address: GET /metrics is Prometheus text (version 0.0.4) of what the
 * dataplane reports when asked (ports, workers, drops by reason), of the
 * SIP server's counters, media ports, calls, rooms and every call's and
 * leg's quality (packets, loss, jitter, round trip, MOS); JSON: GET
 * /api/calls (every call, calls/call_json.h), /api/calls/<id>, /api/rooms
 * (rooms, their participants' call ids and quality). Anything else is 404,
 * other methods 405.
 */
#ifndef HTTP_API_H
#define HTTP_API_H

#include "../config.h"
#include "../dp_client/dp_client.h"
#include "../calls/calls.h"
#include "../media/ports.h"
#include "../rooms.h"
#include "../sip/sip_server.h"

struct http_api;

/* Listen on cfg->http_ip:http_port. NULL with errno on failure. */
struct http_api *http_api_create(const struct config *cfg, struct dp_client *dp,
				 struct calls *calls, struct rooms *rs, struct ports *ports,
				 struct sip_server *srv);
void http_api_destroy(struct http_api *h);

#endif /* HTTP_API_H */
