/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP compound packet validation (RFC 3550 6.1, A.2) and in-place SSRC
 * translation (RFC 3550 7.2) for flows whose RTP SSRC the relay rewrites:
 * the SSRC of the sender and the SSRC of the sources it reports on are
 * mapped separately, across SR, RR, SDES, BYE, APP, RFC 4585 feedback and
 * RFC 3611 XR packets. Both walk a plain byte buffer with byte-wise
 * big-endian loads and check every length before reading, so they are safe
 * on any input; translation does not require a prior validation.
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "rtcp.h"

#define RTCP_VERSION  2
#define RTCP_HDR_LEN  4	  /* V, P, count, PT, length (6.4.1) */
#define RTCP_SR_LEN   28  /* header, SSRC of sender, 20-octet sender info */
#define RTCP_RR_LEN   8	  /* header, SSRC of packet sender */
#define RTCP_RB_LEN   24  /* report block, SSRC of source first (6.4.1) */
#define RTCP_FB_LEN   12  /* header, packet sender, media source (RFC 4585 6.1) */
#define RTCP_PT_FIRST 192 /* RTCP packet types, RFC 5761 4 */
#define RTCP_PT_LAST  223
#define RTCP_DLRR_LEN 12 /* RFC 3611 4.5 sub-block: SSRC, LRR, DLRR */

/* RFC 3611 4: report block types. */
enum rtcp_xr_bt {
	RTCP_XR_LOSS_RLE = 1,
	RTCP_XR_DUP_RLE = 2,
	RTCP_XR_RCPT_TIMES = 3,
	RTCP_XR_RRTR = 4,
	RTCP_XR_DLRR = 5,
	RTCP_XR_STATS = 6,
	RTCP_XR_VOIP = 7,
};

static inline uint16_t
rtcp_load16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
rtcp_load32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void
rtcp_store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
rtcp_count(uint8_t *counter)
{
	if (*counter < UINT8_MAX)
		(*counter)++;
}

/*
 * Length in octets of the packet at buf (6.4.1: length field in 32-bit
 * words minus one) and of its body once padding is removed. Checks the
 * version, that the packet fits in len and that a padding count is 1 or
 * more and leaves the header intact. Returns 0 or -EBADMSG.
 */
static int
rtcp_packet_bounds(const uint8_t *buf, uint32_t len, uint32_t *plen, uint32_t *body)
{
	uint32_t pad;

	if (len < RTCP_HDR_LEN || (buf[0] >> 6) != RTCP_VERSION)
		return -EBADMSG;
	*plen = 4 * ((uint32_t)rtcp_load16(buf + 2) + 1);
	if (*plen > len)
		return -EBADMSG;
	*body = *plen;
	if (buf[0] & 0x20) {
		pad = buf[*plen - 1];
		if (pad == 0 || pad > *plen - RTCP_HDR_LEN)
			return -EBADMSG;
		*body -= pad;
	}
	return 0;
}

/*
 * A.2: the first packet is SR or RR (RFC 5506 reduced-size RTCP fails
 * here), every packet has version 2 and the lengths add up exactly to the
 * datagram. Padding is accepted on the last packet only (6.4.1), also when
 * it is the only packet: A.2's RTCP_VALID_MASK would refuse the P bit on
 * any first packet, which 6.4.1 allows for a compound of one packet. Also
 * checked: a padding count of 1 or more that leaves the header intact,
 * packet types in 192..223 (RFC 5761 4) and, for SR and RR, that the
 * reception report count fits the length without padding (6.4.1, 6.4.2).
 */
static int
rtcp_check(const uint8_t *buf, uint32_t len, struct rtcp_summary *sum, bool reduced_ok)
{
	struct rtcp_summary s = {0};
	uint32_t off, plen, body;
	uint8_t pt, rc;

	if (len < RTCP_HDR_LEN || len % 4)
		return -EBADMSG;

	for (off = 0; off < len; off += plen) {
		if (rtcp_packet_bounds(buf + off, len - off, &plen, &body) < 0)
			return -EBADMSG;
		if ((buf[off] & 0x20) && off + plen != len)
			return -EBADMSG;
		pt = buf[off + 1];
		rc = buf[off] & 0x1f;
		if (pt < RTCP_PT_FIRST || pt > RTCP_PT_LAST)
			return -EBADMSG;
		if (off == 0 && pt != RTCP_SR && pt != RTCP_RR && !reduced_ok)
			return -EBADMSG;

		switch (pt) {
		case RTCP_SR:
			if (RTCP_SR_LEN + RTCP_RB_LEN * (uint32_t)rc > body)
				return -EBADMSG;
			rtcp_count(&s.n_sr);
			break;
		case RTCP_RR:
			if (RTCP_RR_LEN + RTCP_RB_LEN * (uint32_t)rc > body)
				return -EBADMSG;
			rtcp_count(&s.n_rr);
			break;
		case RTCP_SDES:
			rtcp_count(&s.n_sdes);
			break;
		case RTCP_BYE:
			rtcp_count(&s.n_bye);
			break;
		case RTCP_XR:
			rtcp_count(&s.n_xr);
			break;
		default:
			rtcp_count(&s.n_other);
			break;
		}
		if (s.n_packets < UINT16_MAX)
			s.n_packets++;
	}

	/* The first packet's SSRC; a lone 4-byte packet (an empty SDES or BYE,
	 * accepted by rtcp_validate_relay, RFC 5506) has none. */
	s.sender_ssrc = len >= 8 ? rtcp_load32(buf + 4) : 0;
	if (sum != NULL)
		*sum = s;
	return 0;
}

int
rtcp_validate(const uint8_t *buf, uint32_t len, struct rtcp_summary *sum)
{
	return rtcp_check(buf, len, sum, false);
}

/*
 * What a relay forwards: every check of rtcp_validate except the first
 * packet's type. RFC 5506 3.1 allows reduced-size (non-compound) RTCP, and
 * endpoints send it in practice (baresip's lone APP keepalives, BYE+SDES
 * without a report in front); a relay that dropped them would break the
 * endpoints' own session handling.
 */
int
rtcp_validate_relay(const uint8_t *buf, uint32_t len, struct rtcp_summary *sum)
{
	return rtcp_check(buf, len, sum, true);
}

/* Rewrite the SSRC at p if it is from (and from differs from to). */
static inline unsigned int
rtcp_xlate(uint8_t *p, uint32_t from, uint32_t to)
{
	if (from == to || rtcp_load32(p) != from)
		return 0;
	rtcp_store32(p, to);
	return 1;
}

/*
 * 6.5: count chunks, each an SSRC/CSRC then items (type, length, text) up
 * to a null item; the null octet and the padding after it end the chunk on
 * the next 32-bit boundary. Stops at the first chunk that does not fit.
 */
static unsigned int
rtcp_xlate_sdes(uint8_t *pkt, uint32_t body, unsigned int count, uint32_t from, uint32_t to)
{
	uint32_t off = RTCP_HDR_LEN;
	unsigned int n = 0;

	for (; count > 0; count--) {
		if (off > body || body - off < 4)
			break;
		n += rtcp_xlate(pkt + off, from, to);
		off += 4;
		for (;;) {
			if (off >= body)
				return n;
			if (pkt[off] == 0)
				break;
			if (body - off < 2)
				return n;
			off += 2 + (uint32_t)pkt[off + 1];
		}
		off = (off + 4) & ~(uint32_t)3;
	}
	return n;
}

/*
 * RFC 3611 2, 3: the XR header SSRC is the sender; report blocks follow,
 * each BT, type-specific, block length in 32-bit words after its 4-octet
 * header. Stops at the first block that does not fit.
 */
static unsigned int
rtcp_xlate_xr(uint8_t *pkt, uint32_t body, uint32_t snd_from, uint32_t snd_to, uint32_t rb_from,
	      uint32_t rb_to)
{
	uint32_t off = RTCP_RR_LEN, blen, sb;
	unsigned int n = 0;

	if (body < RTCP_RR_LEN)
		return 0;
	n += rtcp_xlate(pkt + 4, snd_from, snd_to);

	while (body - off >= 4) {
		blen = 4 * (uint32_t)rtcp_load16(pkt + off + 2);
		if (blen > body - off - 4)
			break;
		switch (pkt[off]) {
		case RTCP_XR_DLRR:
			/* 4.5: sub-blocks whose first word is the receiver's SSRC */
			for (sb = 4; sb + RTCP_DLRR_LEN <= 4 + blen; sb += RTCP_DLRR_LEN)
				n += rtcp_xlate(pkt + off + sb, rb_from, rb_to);
			break;
		case RTCP_XR_LOSS_RLE:
		case RTCP_XR_DUP_RLE:
		case RTCP_XR_RCPT_TIMES:
		case RTCP_XR_STATS:
		case RTCP_XR_VOIP:
			/* 4.1, 4.2, 4.3, 4.6, 4.7: SSRC of source first */
			if (blen >= 4)
				n += rtcp_xlate(pkt + off + 4, rb_from, rb_to);
			break;
		default:
			/* 4.4 RRTR has no SSRC; unknown blocks are left alone */
			break;
		}
		off += 4 + blen;
	}
	return n;
}

/*
 * RFC 3550 7.2: a translator that changes an SSRC changes it in the RTCP
 * too. Walks the compound with the same bounds as rtcp_validate (version
 * 2, length inside len, sane padding) and stops at the first packet that
 * fails them; inside a packet every field is checked against the packet
 * body (padding excluded) before it is read or written.
 */
unsigned int
rtcp_ssrc_translate(uint8_t *buf, uint32_t len, uint32_t snd_from, uint32_t snd_to,
		    uint32_t rb_from, uint32_t rb_to)
{
	uint32_t off, plen, body, rb_off, i;
	unsigned int n = 0;
	uint8_t *pkt;
	uint8_t rc;

	for (off = 0; off < len; off += plen) {
		if (rtcp_packet_bounds(buf + off, len - off, &plen, &body) < 0)
			break;
		pkt = buf + off;
		rc = pkt[0] & 0x1f;

		switch (pkt[1]) {
		case RTCP_SR:
		case RTCP_RR:
			/* 6.4.1, 6.4.2: SSRC of sender, then report blocks */
			if (body < RTCP_RR_LEN)
				break;
			n += rtcp_xlate(pkt + 4, snd_from, snd_to);
			rb_off = pkt[1] == RTCP_SR ? RTCP_SR_LEN : RTCP_RR_LEN;
			for (i = 0; i < rc && rb_off + RTCP_RB_LEN <= body; i++) {
				n += rtcp_xlate(pkt + rb_off, rb_from, rb_to);
				rb_off += RTCP_RB_LEN;
			}
			break;
		case RTCP_SDES:
			n += rtcp_xlate_sdes(pkt, body, rc, snd_from, snd_to);
			break;
		case RTCP_BYE:
			/* 6.6: SC SSRC/CSRC identifiers, then an optional reason */
			for (i = 0; i < rc && 4 * (i + 2) <= body; i++)
				n += rtcp_xlate(pkt + 4 * (i + 1), snd_from, snd_to);
			break;
		case RTCP_APP:
			/* 6.7: SSRC/CSRC, name, data */
			if (body >= 8)
				n += rtcp_xlate(pkt + 4, snd_from, snd_to);
			break;
		case RTCP_RTPFB:
		case RTCP_PSFB:
			/* RFC 4585 6.1: SSRC of packet sender, SSRC of media source */
			if (body >= 8)
				n += rtcp_xlate(pkt + 4, snd_from, snd_to);
			if (body >= RTCP_FB_LEN)
				n += rtcp_xlate(pkt + 8, rb_from, rb_to);
			break;
		case RTCP_XR:
			n += rtcp_xlate_xr(pkt, body, snd_from, snd_to, rb_from, rb_to);
			break;
		default:
			break;
		}
	}
	return n;
}
