/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * API request framing checks (see api_msg.h).
 */
#include <errno.h>
#include <string.h>

#include "agent/api_msg.h"

long
api_msg_expected_len(uint16_t type, const void *payload, size_t payload_len)
{
	struct rtpgw_api_flow_batch b;

	switch (type) {
	case RTPGW_API_HELLO:
		return sizeof(struct rtpgw_api_hello);
	case RTPGW_API_ADDR_LIST:
	case RTPGW_API_STATS_PORTS:
	case RTPGW_API_STATS_WORKERS:
	case RTPGW_API_STATS_DROPS:
	case RTPGW_API_EVENTS_SUBSCRIBE:
		return 0;
	case RTPGW_API_FLOW_LIST:
		return sizeof(struct rtpgw_api_flow_list_req);
	case RTPGW_API_CONF_ADD:
	case RTPGW_API_CONF_DEL:
	case RTPGW_API_CONF_SET:
	case RTPGW_API_CONF_GET:
		return sizeof(struct rtpgw_api_conf);
	case RTPGW_API_PART_JOIN:
	case RTPGW_API_PART_LEAVE:
	case RTPGW_API_PART_SET:
		return sizeof(struct rtpgw_api_participant);
	case RTPGW_API_FLOW_ADD:
	case RTPGW_API_FLOW_MOD:
	case RTPGW_API_FLOW_DEL:
	case RTPGW_API_FLOW_GET:
		if (payload_len < sizeof(b))
			return sizeof(b);
		memcpy(&b, payload, sizeof(b));
		if (b.count == 0 || b.count > RTPGW_API_FLOW_BATCH_MAX)
			return -2;
		return (long)(sizeof(b) + (size_t)b.count * sizeof(struct rtpgw_api_flow));
	default:
		return -1;
	}
}

int
api_msg_check(const void *buf, size_t len, bool hello_done)
{
	struct rtpgw_api_hdr h;
	long want;

	if (len < sizeof(h) || len > RTPGW_API_MSG_MAX)
		return -EBADMSG;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != RTPGW_API_MAGIC)
		return -EBADMSG;
	if (h.version != RTPGW_API_VERSION)
		return -EPROTO;
	if (h.len != len - sizeof(h))
		return -EBADMSG;
	/* No flag is defined for requests; REPLY and EVENT are ours. */
	if (h.flags != 0 || h.reserved != 0 || h.status != 0)
		return -EBADMSG;
	if (!hello_done && h.type != RTPGW_API_HELLO)
		return -EPROTO;
	want = api_msg_expected_len(h.type, (const uint8_t *)buf + sizeof(h), h.len);
	if (want == -1)
		return -ENOTSUP;
	if (want < 0 || (size_t)want != h.len)
		return -EBADMSG;
	return 0;
}

void
api_msg_reply_hdr(struct rtpgw_api_hdr *reply, const struct rtpgw_api_hdr *req, int32_t status,
		  uint32_t len)
{
	memset(reply, 0, sizeof(*reply));
	reply->magic = RTPGW_API_MAGIC;
	reply->version = RTPGW_API_VERSION;
	reply->type = req->type;
	reply->id = req->id;
	reply->flags = RTPGW_API_F_REPLY;
	reply->status = status;
	reply->len = len;
}
