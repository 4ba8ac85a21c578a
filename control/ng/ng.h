/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng: rtpgw-control's ng protocol listener (the rtpengine control
 * protocol the Kamailio and OpenSIPS rtpengine modules speak; docs/NG.md).
 *
 * One UDP socket on the re_main loop. A request is "COOKIE <bencode
 * dictionary>", the reply "COOKIE <bencode dictionary>". Replies are kept
 * by cookie for NG_CACHE_TTL_MS (ng_cache.c, at most NG_CACHE_MAX), so a
 * retransmitted request gets the same reply without being executed
 * again. The commands run in ng_cmd.c on the shared call table and port
 * pool; the flows go through calls/call_dp.c. One timer (1 s) expires the
 * cache and ends offered calls never answered within invite_timeout.
 * Statistics polls and media timeout are sip_server.c's, for every call.
 */
#ifndef NG_H
#define NG_H

#include "../calls/calls.h"
#include "../config.h"
#include "../dp_client/dp_client.h"
#include "ng_cmd.h"

#define NG_CACHE_TTL_MS 30000
#define NG_CACHE_MAX	65536

struct ng;
struct ports;

struct ng_stats {
	uint64_t rx;	  /* datagrams received */
	uint64_t dropped; /* without a cookie: no reply possible */
	uint64_t cached;  /* answered from the cache */
	uint64_t tx_errors;
};

/* Listen on cfg->ng_ip:ng_port. NULL with errno. */
struct ng *ng_create(const struct config *cfg, struct dp_client *dp, struct calls *calls,
		     struct ports *ports);
void ng_destroy(struct ng *ng);
void ng_set_hooks(struct ng *ng, ng_call_h *ended_h, ng_call_h *changed_h, void *arg);
void ng_stats(const struct ng *ng, struct ng_stats *st, struct ng_cmd_stats *cst);

/*
 * One datagram in, the reply (cookie, space, dictionary) written to
 * out[0..cap), its length returned; 0 when nothing is to be sent. The
 * socket layer's core, exposed for tests.
 */
size_t ng_process(struct ng *ng, const char *data, size_t len, char *out, size_t cap,
		  uint64_t now_ms);
/* An ng on cmd without a socket (tests). */
struct ng *ng_create_nosock(struct ng_cmd *cmd);

#endif /* NG_H */
