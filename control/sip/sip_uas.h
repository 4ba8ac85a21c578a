/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_uas: rtpgw-control's SIP user agent server on UDP (libre): OPTIONS
 * is answered 200 with the methods we allow; INVITE to sip:<room>@... where
 * <room> matches the room pattern joins that conference in the dataplane
 * (CONF_ADD on first join, PART_JOIN with the caller's SDP address and
 * codec, PCMU or PCMA) and is answered 200 with our SDP; BYE leaves
 * (PART_LEAVE, then CONF_DEL when the room is empty). Failures get a final
 * response and leave nothing installed: 404 unknown room, 488 no common
 * codec or bad SDP, 503 dataplane unreachable or out of ports. When the
 * dataplane (re)connects, every room and participant held is installed
 * again (it keeps the dp_client's up handler).
 */
#ifndef SIP_UAS_H
#define SIP_UAS_H

#include "../config.h"
#include "../dp_client/dp_client.h"
#include "../rooms.h"

struct sip_uas;

/* Listen on cfg->sip_ip:sip_port (UDP). NULL with errno on failure. */
struct sip_uas *sip_uas_create(const struct config *cfg, struct dp_client *dp, struct rooms *rs);
void sip_uas_destroy(struct sip_uas *ua);

#endif /* SIP_UAS_H */
