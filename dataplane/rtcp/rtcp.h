/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP compound packet validation (RFC 3550 6.1, A.2) and SSRC translation
 * for relayed flows whose RTP SSRC is rewritten. Plain functions over byte
 * buffers, no DPDK types.
 */
#ifndef RTPGW_RTCP_H
#define RTPGW_RTCP_H

#include <stdint.h>

enum rtcp_pt {
	RTCP_SR = 200,
	RTCP_RR = 201,
	RTCP_SDES = 202,
	RTCP_BYE = 203,
	RTCP_APP = 204,
	RTCP_RTPFB = 205, /* RFC 4585 */
	RTCP_PSFB = 206,  /* RFC 4585 */
	RTCP_XR = 207,    /* RFC 3611 */
};

struct rtcp_summary {
	uint32_t sender_ssrc; /* SSRC of the first packet (host order) */
	uint16_t n_packets;   /* packets in the compound */
	uint8_t n_sr;
	uint8_t n_rr;
	uint8_t n_sdes;
	uint8_t n_bye;
	uint8_t n_xr;
	uint8_t n_other;      /* APP, RTPFB, PSFB and unknown types 192..223 */
};

/*
 * Validate a compound RTCP packet per RFC 3550 A.2: every packet version
 * 2 with a type in 192..223 (RFC 5761 4); the first is SR or RR (RFC 5506
 * reduced-size packets, and compounds starting with BYE or APP as libre /
 * baresip send them, are rejected); the padding bit only on the last
 * packet, which may also be the first (6.4.1), with a count of 1 or more
 * that leaves the header intact; lengths add up exactly to len; SR/RR
 * report counts fit their length without padding. Counters of *sum
 * saturate. Returns 0 and fills *sum (may be NULL), or -EBADMSG.
 */
int rtcp_validate(const uint8_t *buf, uint32_t len, struct rtcp_summary *sum);

/*
 * rtcp_validate without the first-packet rule: RFC 5506 reduced-size
 * packets (a lone APP, BYE+SDES, feedback) pass; every structural check
 * stays. This is what the relay forwards.
 */
int rtcp_validate_relay(const uint8_t *buf, uint32_t len, struct rtcp_summary *sum);

/*
 * Translate SSRCs in a validated compound packet, in place (RFC 3550 7.2
 * translator behaviour). SSRCs identifying the sender (SR/RR sender, SDES
 * chunks, BYE list, APP, XR sender, RTPFB/PSFB packet sender) equal to
 * snd_from become snd_to; SSRCs identifying a reported-on source (SR/RR
 * report blocks, RTPFB/PSFB media source, XR DLRR sub-blocks and XR blocks
 * that carry a source SSRC: RFC 3611 BT 1, 2, 3, 6, 7) equal to rb_from
 * become rb_to. Values are host order. Safe on any input: the walk stops
 * at the first packet or SDES chunk / XR block that does not fit, and
 * nothing past len (or in padding) is read or written. Returns the number
 * of 32-bit words changed; a pair with from == to changes and counts
 * nothing, so calling once per pair gives the count of each for an RFC
 * 1624 checksum update (cksum_update32 once per changed word).
 */
unsigned int rtcp_ssrc_translate(uint8_t *buf, uint32_t len, uint32_t snd_from, uint32_t snd_to,
				 uint32_t rb_from, uint32_t rb_to);

#endif /* RTPGW_RTCP_H */
