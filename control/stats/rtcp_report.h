/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcp_report: reads the reception and sender reports out of an RTCP
 * compound packet (RFC 3550 6.4.1 SR, 6.4.2 RR), as the dataplane copies
 * them to control in RTPGW_API_EVENT_RTCP events. Reduced-size RTCP
 * (RFC 5506) is accepted: the first packet need not be an SR or RR.
 * SDES, BYE, APP, feedback, XR and any other type are skipped by their
 * length. Plain libc; every length is checked before it is read.
 */
#ifndef RTCP_REPORT_H
#define RTCP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Report blocks kept per compound; the ones beyond are counted only. */
#define RTCP_REPORT_BLOCKS_MAX 32

/* RFC 3550 6.4.1 sender info, with the SSRC of the sender. */
struct rtcp_sender_info {
	uint32_t ssrc;
	uint64_t ntp;	  /* NTP timestamp, 32.32 fixed point seconds */
	uint32_t rtp_ts;
	uint32_t packets; /* sender's packet count */
	uint32_t octets;  /* sender's octet count (payload) */
};

/* RFC 3550 6.4.1 report block, with the SSRC of the packet's sender. */
struct rtcp_report_block {
	uint32_t reporter;     /* SSRC of the SR/RR sender */
	uint32_t ssrc;	       /* SSRC of the source reported on */
	uint8_t fraction_lost; /* since the previous report, over 256 */
	int32_t cum_lost;      /* signed 24 bits, sign extended */
	uint32_t ext_max_seq;  /* extended highest sequence number received */
	uint32_t jitter;       /* interarrival jitter, timestamp units */
	uint32_t lsr;	       /* middle 32 bits of the last SR's NTP, 0 = none */
	uint32_t dlsr;	       /* delay since that SR, 1/65536 s */
};

struct rtcp_report {
	unsigned int n_sr;	     /* SR packets in the compound */
	unsigned int n_rr;	     /* RR packets */
	unsigned int n_other;	     /* packets of other types, skipped */
	bool has_sr;		     /* sr is valid (from the first SR) */
	struct rtcp_sender_info sr;
	unsigned int n_blocks;	     /* blocks[] in use, <= RTCP_REPORT_BLOCKS_MAX */
	unsigned int blocks_dropped; /* blocks beyond RTCP_REPORT_BLOCKS_MAX */
	struct rtcp_report_block blocks[RTCP_REPORT_BLOCKS_MAX];
};

/* Middle 32 bits of a 64-bit NTP timestamp: the LSR key (RFC 3550 6.4.1). */
static inline uint32_t
rtcp_ntp_mid32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/*
 * Parse the compound packet buf[0..len) into r (overwritten). The compound
 * is rejected with -EBADMSG, r then left empty (all zero), when:
 * - it is empty, or its packets do not tile it exactly (each length field
 *   is 6.4.1's count of 32-bit words minus one);
 * - a packet's version is not 2 or its type is outside 192..223, the range
 *   RTCP keeps free of RTP payload types (RFC 5761 4);
 * - a packet other than the last has the padding bit set, or the padding
 *   count is 0 or eats into the header (RFC 3550 6.4.1, A.2);
 * - an SR or RR is shorter than its report count requires (extra octets
 *   after the blocks are profile-specific extensions, skipped).
 * Returns 0 otherwise.
 */
int rtcp_report_parse(const uint8_t *buf, size_t len, struct rtcp_report *r);

#endif /* RTCP_REPORT_H */
