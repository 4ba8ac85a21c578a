/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTP header parsing (RFC 3550 5.1) and RTP/RTCP demultiplexing on one
 * port (RFC 5761 4). Plain functions over byte buffers: no DPDK types, so
 * they are unit tested without EAL and used by workers on packet payloads.
 */
#ifndef RTPGW_RTP_H
#define RTPGW_RTP_H

#include <stdbool.h>
#include <stdint.h>

#define RTP_VERSION 2
#define RTP_HDR_LEN 12
#define RTP_CSRC_MAX 15

struct rtp_info {
	uint32_t ts;          /* host order */
	uint32_t ssrc;        /* host order */
	uint16_t seq;         /* host order */
	uint16_t hdr_len;     /* fixed header + CSRCs + extension, bytes */
	uint16_t payload_len; /* bytes after the header, padding excluded */
	uint8_t pt;
	uint8_t marker;
	uint8_t cc;
	uint8_t padding;      /* padding bytes at the end (0 if P clear) */
	uint8_t ext;          /* X bit */
	uint8_t pad;
};

/*
 * Parse and validate an RTP header (RFC 3550 5.1, A.1 validity checks that
 * need no state): version 2, second octet not an RTCP SR or RR type (200,
 * 201: marker + PT 72/73), CSRC list, header extension (5.3.1) and
 * padding (last octet counts padding, must be >= 1 and fit) inside len.
 * len must be 12..65535 (the uint16_t fields). Any alignment of buf.
 * Returns 0, -EPROTONOSUPPORT for a version other than 2 (checked once the
 * 12-octet fixed header is there), -EBADMSG for any other malformation
 * (nothing written to *info then).
 */
int rtp_parse(const uint8_t *buf, uint32_t len, struct rtp_info *info);

/*
 * RFC 5761 4: on a multiplexed port, a packet whose second octet is in
 * 192..223 (RTCP packet types 192..223, i.e. RTP PT 64..95 with marker)
 * is RTCP. Needs len >= 2; returns false for shorter buffers.
 */
static inline bool
rtp_is_rtcp_mux(const uint8_t *buf, uint32_t len)
{
	return len >= 2 && buf[1] >= 192 && buf[1] <= 223;
}

#endif /* RTPGW_RTP_H */
