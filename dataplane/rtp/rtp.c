/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP fixed header parsing (RFC 3550 5.1) with the stateless validity
 * checks of A.1, the CSRC list, the header extension (5.3.1) and padding.
 * Works on a plain byte buffer with byte-wise big-endian loads, so any
 * alignment is fine and no DPDK type is needed; workers call it on the UDP
 * payload, the unit tests on captured packets.
 */
#include <errno.h>
#include <stdint.h>

#include "rtp.h"

/* RFC 3550 A.1: the second octet must not be an RTCP SR or RR packet type. */
#define RTP_OCTET1_RTCP_SR 200
#define RTP_OCTET1_RTCP_RR 201

static inline uint16_t
rtp_load16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
rtp_load32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

int
rtp_parse(const uint8_t *buf, uint32_t len, struct rtp_info *info)
{
	uint32_t hdr_len, padding = 0;
	uint8_t b0, b1;

	/* Every length below must fit the uint16_t fields of rtp_info. */
	if (len < RTP_HDR_LEN || len > UINT16_MAX)
		return -EBADMSG;

	b0 = buf[0];
	b1 = buf[1];
	/* 5.1 V: version 2 only. */
	if ((b0 >> 6) != RTP_VERSION)
		return -EPROTONOSUPPORT;
	/* A.1: a payload type equal to SR or RR is an RTCP packet. */
	if (b1 == RTP_OCTET1_RTCP_SR || b1 == RTP_OCTET1_RTCP_RR)
		return -EBADMSG;

	/* 5.1 CC: 0 to 15 CSRC identifiers of 32 bits follow the fixed header. */
	hdr_len = RTP_HDR_LEN + 4 * (uint32_t)(b0 & 0x0f);
	if (hdr_len > len)
		return -EBADMSG;

	/*
	 * 5.3.1: the extension starts with 16 profile-defined bits and a 16-bit
	 * length counting the 32-bit words that follow its 4-octet header.
	 */
	if (b0 & 0x10) {
		if (len - hdr_len < 4)
			return -EBADMSG;
		hdr_len += 4 + 4 * (uint32_t)rtp_load16(buf + hdr_len + 2);
		if (hdr_len > len)
			return -EBADMSG;
	}

	/*
	 * 5.1 P: the last octet counts the padding octets including itself;
	 * A.1: it must be at least 1 and leave the header intact.
	 */
	if (b0 & 0x20) {
		padding = buf[len - 1];
		if (padding == 0 || padding > len - hdr_len)
			return -EBADMSG;
	}

	info->seq = rtp_load16(buf + 2);
	info->ts = rtp_load32(buf + 4);
	info->ssrc = rtp_load32(buf + 8);
	info->hdr_len = (uint16_t)hdr_len;
	info->payload_len = (uint16_t)(len - hdr_len - padding);
	info->pt = b1 & 0x7f;
	info->marker = b1 >> 7;
	info->cc = b0 & 0x0f;
	info->padding = (uint8_t)padding;
	info->ext = (b0 >> 4) & 1;
	info->pad = 0;
	return 0;
}
