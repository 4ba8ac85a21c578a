/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_server: rtpgw-control's SIP side (RFC 3261, libre sip + sipsess) on
 * UDP and TCP. An INVITE whose Request-URI user part matches the room
 * pattern joins that conference room (sip_room.c); one matching the
 * routing table is relayed to the route's next hop with media anchored on
 * the dataplane (B2BUA, sip_relay.c); anything else gets 404. Calls live in
 * the call table (calls/), their dataplane state is built by calls/call_dp.c.
 *
 * Besides the INVITE dialog (100/180/183/200, ACK, BYE either side, CANCEL,
 * re-INVITE for hold, resume and codec change), the server runs RFC 4028
 * session timers (sip_timer.c), answers OPTIONS, polls the dataplane's flow
 * statistics every stats interval (quality and media timeout: a call
 * without RTP for media_timeout seconds is ended with BYE on both sides)
 * and re-installs every call when the dataplane (re)connects.
 */
#ifndef SIP_SERVER_H
#define SIP_SERVER_H

#include <stdint.h>

#include "../calls/calls.h"
#include "../config.h"
#include "../dp_client/dp_client.h"
#include "../rooms.h"

struct sip_server;
struct ports;
struct routes;

struct sip_server_stats {
	uint64_t invites;	 /* dialog-creating INVITEs received */
	uint64_t answered;	 /* 200 sent to a caller */
	uint64_t rejected[7];	 /* final failures sent, by class: [4] 4xx, [5] 5xx, [6] 6xx */
	uint64_t cancelled;	 /* CANCEL before the answer */
	uint64_t bye_rx;
	uint64_t bye_tx;
	uint64_t reinvites;	 /* re-INVITEs and UPDATEs received */
	uint64_t media_timeouts; /* calls ended for lack of RTP */
	uint64_t session_expired; /* RFC 4028: no refresh in time */
	uint64_t dp_errors;	 /* dataplane requests that failed */
	uint64_t polls;		 /* statistics polls done */
};

/* A call event for the hooks (quality log, persistence). */
typedef void(sip_server_call_h)(const struct call *c, void *arg);

struct sip_server *sip_server_create(const struct config *cfg, struct dp_client *dp,
				     struct calls *calls, struct rooms *rooms, struct ports *ports,
				     struct routes *routes);
/* Ends every call (BYE), then frees. */
void sip_server_destroy(struct sip_server *srv);

/*
 * Take over the calls loaded from the state file (recovered, no SIP
 * runtime): reserve their media ports, count them in their rooms; their
 * dataplane state is checked and re-installed when the dataplane
 * connects. Returns the number of calls taken; a call whose port is not
 * free is dropped (counted in *dropped).
 */
int sip_server_recover(struct sip_server *srv, unsigned int *dropped);

void sip_server_set_hooks(struct sip_server *srv, sip_server_call_h *ended_h,
			  sip_server_call_h *changed_h, void *arg);
const struct sip_server_stats *sip_server_stats(const struct sip_server *srv);

#endif /* SIP_SERVER_H */
