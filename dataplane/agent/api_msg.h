/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks every API request must pass before any handler sees it, and the
 * reply framing. Pure functions over byte buffers (unit tested without
 * EAL); see api/rtpgw_api.h for the rules they enforce.
 */
#ifndef RTPGW_API_MSG_H
#define RTPGW_API_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rtpgw_api.h>

/*
 * Check the framing of a received request of len bytes: header present,
 * magic, version, hdr.len equal to the payload, not a reply or event,
 * a known type with a payload long enough for it (batches: count items
 * exactly, at most RTPGW_API_FLOW_BATCH_MAX). HELLO must come first
 * (hello_done false): anything else gets -EPROTO.
 * Returns 0 or the negative errno for the error reply: -EBADMSG,
 * -EPROTO (version or hello order), -ENOTSUP (unknown type).
 */
int api_msg_check(const void *buf, size_t len, bool hello_done);

/* Payload bytes a request of this type must carry given its first bytes
 * (for batches the count); -1 when the type is unknown. */
long api_msg_expected_len(uint16_t type, const void *payload, size_t payload_len);

/* Fill a reply header for request req with status and payload length. */
void api_msg_reply_hdr(struct rtpgw_api_hdr *reply, const struct rtpgw_api_hdr *req,
		       int32_t status, uint32_t len);

#endif /* RTPGW_API_MSG_H */
