/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_dp: what a call holds in the dataplane, built from the call record
 * and installed over the dp_client.
 *
 * A room call is one conference participant: a MIX flow at the leg's
 * local port (RTP from the caller goes to the room's mixer, the mix goes
 * back from the same port), with RTCP on the companion port or muxed.
 *
 * A relayed call is two RELAY flows crossing over (B2BUA media anchoring):
 * the caller sends to our port A and the callee to our port B; what
 * arrives at A leaves from B toward the callee, what arrives at B leaves
 * from A toward the caller, so each endpoint sees one address and port
 * for both directions. Both flows latch on the first source (NAT), and
 * normalise the stream (RFC 3550 7.2 translator: own SSRC, continuous
 * sequence numbers and timestamps across source changes) so that a
 * re-INVITE to another endpoint or a re-latched source is one stream to
 * the far end. RTCP is relayed (companion ports, or muxed when both legs
 * negotiated RFC 5761) and copied to control for statistics.
 *
 * Every flow's cookie is the call id and leg (call_cookie()), so events
 * find their call.
 */
#ifndef CALL_DP_H
#define CALL_DP_H

#include <stdint.h>

#include "../dp_client/dp_client.h"
#include "calls.h"

/* Our media address for the flows (the dataplane's), from text. */
int call_dp_media(const char *ip, struct rtpgw_api_ip *out);

/* Room participant of call c (leg 0) with RTPGW_PART_F_* flags. */
void call_dp_part(const struct call *c, const struct rtpgw_api_ip *media, uint8_t flags,
		  struct rtpgw_api_participant *ap);
/* The two flows of a relayed call whose legs both have media. */
void call_dp_relay_flows(struct call *c, const struct rtpgw_api_ip *media,
			 struct rtpgw_api_flow flows[2]);

/* RTPGW_PART_F_* for a participant whose SDP direction is dir. */
uint8_t call_dp_part_flags(uint8_t dir);

/* Conference life cycle; ptime in ms. 0 or the dataplane's -errno. */
int call_dp_conf_add(struct dp_client *dp, uint32_t room, uint16_t ptime);
int call_dp_conf_del(struct dp_client *dp, uint32_t room);
int call_dp_join(struct dp_client *dp, const struct call *c, const struct rtpgw_api_ip *media,
		 uint8_t flags);
int call_dp_part_set(struct dp_client *dp, const struct call *c, const struct rtpgw_api_ip *media,
		     uint8_t flags);
int call_dp_leave(struct dp_client *dp, const struct call *c, const struct rtpgw_api_ip *media);

/* Relayed call: add (an identical flow there already is success) or
 * replace both flows; remove them (missing ones are success). */
int call_dp_relay_install(struct dp_client *dp, struct call *c,
			  const struct rtpgw_api_ip *media, bool replace);
int call_dp_relay_remove(struct dp_client *dp, const struct call *c,
			 const struct rtpgw_api_ip *media);

/*
 * Read the statistics of every installed call's flows (FLOW_GET in
 * batches) and feed them to the legs' quality accumulators; a call whose
 * packet count grew gets media_seen_ms = now_ms. Returns the number of
 * flows read or a negative errno when the dataplane cannot be asked.
 */
int call_dp_poll(struct dp_client *dp, struct calls *cs, const struct rtpgw_api_ip *media,
		 uint64_t now_ms);

/*
 * An event from the dataplane: an RTCP copy goes to the quality of the
 * leg whose endpoint sent it (found by the flow cookie). *epoch_ns is the
 * dataplane's start on the wall clock, learnt from the first event (0:
 * not yet; reset it when the dataplane reconnects): the mixer stamps its
 * SRs with that start plus its own elapsed time, so a receiver report's
 * arrival is converted the same way and the round trip does not include
 * the drift between the dataplane's TSC and the wall clock.
 * 0, -ENOENT (no such call any more), -EINVAL (not an RTCP event),
 * -EBADMSG (bad RTCP).
 */
int call_dp_event(struct calls *cs, const struct rtpgw_api_hdr *hdr, const void *payload,
		  uint64_t *epoch_ns);

#endif /* CALL_DP_H */
