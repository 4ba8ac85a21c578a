/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP SR/RR reading (see rtcp_report.h). Byte-wise big-endian loads over
 * a plain buffer; every offset is checked against the packet's length,
 * and every packet's length against the buffer, before a load.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "rtcp_report.h"

#define RR_VERSION   2
#define RR_HDR_LEN   4	/* V, P, RC, PT, length (RFC 3550 6.4.1) */
#define RR_SSRC_LEN  4	/* SSRC of the packet sender */
#define RR_SINFO_LEN 20 /* NTP (8), RTP timestamp, packet and octet counts */
#define RR_BLOCK_LEN 24 /* one report block */
#define RR_PT_SR     200
#define RR_PT_RR     201
#define RR_PT_FIRST  192 /* RFC 5761 4: RTCP packet types */
#define RR_PT_LAST   223

static inline uint32_t
rr_load32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint16_t
rr_load16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Cumulative number of packets lost: signed 24 bits (RFC 3550 6.4.1). */
static inline int32_t
rr_cum_lost(const uint8_t *p)
{
	uint32_t v = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];

	if (v & 0x800000)
		return (int32_t)v - 0x1000000;
	return (int32_t)v;
}

/* store count report blocks from p (the caller checked the length); the
 * ones beyond the cap are counted */
static void
rr_blocks(struct rtcp_report *r, uint32_t reporter, const uint8_t *p, unsigned int count)
{
	struct rtcp_report_block *b;
	unsigned int i;

	for (i = 0; i < count; i++, p += RR_BLOCK_LEN) {
		if (r->n_blocks == RTCP_REPORT_BLOCKS_MAX) {
			r->blocks_dropped += count - i;
			return;
		}
		b = &r->blocks[r->n_blocks++];
		b->reporter = reporter;
		b->ssrc = rr_load32(p);
		b->fraction_lost = p[4];
		b->cum_lost = rr_cum_lost(p + 5);
		b->ext_max_seq = rr_load32(p + 8);
		b->jitter = rr_load32(p + 12);
		b->lsr = rr_load32(p + 16);
		b->dlsr = rr_load32(p + 20);
	}
}

/*
 * One SR or RR of body octets (padding removed). The report count is
 * checked against the length: 6.4.1 lets a profile append extensions
 * after the blocks, so the body may be longer, never shorter.
 */
static int
rr_sr_rr(struct rtcp_report *r, const uint8_t *p, uint32_t body)
{
	unsigned int count = p[0] & 0x1f;
	uint32_t need = RR_HDR_LEN + RR_SSRC_LEN + count * RR_BLOCK_LEN;
	uint32_t reporter;

	if (p[1] == RR_PT_SR)
		need += RR_SINFO_LEN;
	if (body < need)
		return -EBADMSG;
	reporter = rr_load32(p + RR_HDR_LEN);
	if (p[1] == RR_PT_RR) {
		r->n_rr++;
		rr_blocks(r, reporter, p + RR_HDR_LEN + RR_SSRC_LEN, count);
		return 0;
	}
	r->n_sr++;
	if (!r->has_sr) {
		const uint8_t *s = p + RR_HDR_LEN + RR_SSRC_LEN;

		r->has_sr = true;
		r->sr.ssrc = reporter;
		r->sr.ntp = ((uint64_t)rr_load32(s) << 32) | rr_load32(s + 4);
		r->sr.rtp_ts = rr_load32(s + 8);
		r->sr.packets = rr_load32(s + 12);
		r->sr.octets = rr_load32(s + 16);
	}
	rr_blocks(r, reporter, p + RR_HDR_LEN + RR_SSRC_LEN + RR_SINFO_LEN, count);
	return 0;
}

static int
rr_walk(struct rtcp_report *r, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (len < RR_HDR_LEN)
		return -EBADMSG;
	while (off < len) {
		const uint8_t *p = buf + off;
		size_t left = len - off;
		uint32_t plen, body;
		bool last;

		if (left < RR_HDR_LEN || (p[0] >> 6) != RR_VERSION)
			return -EBADMSG;
		if (p[1] < RR_PT_FIRST || p[1] > RR_PT_LAST)
			return -EBADMSG;
		plen = 4 * ((uint32_t)rr_load16(p + 2) + 1);
		if (plen > left)
			return -EBADMSG;
		last = plen == left;
		body = plen;
		if (p[0] & 0x20) {
			/* RFC 3550 6.4.1: the last octet counts the padding,
			 * itself included; A.2: only the last packet pads */
			uint8_t pad = p[plen - 1];

			if (!last || pad == 0 || pad > plen - RR_HDR_LEN)
				return -EBADMSG;
			body = plen - pad;
		}
		if (p[1] == RR_PT_SR || p[1] == RR_PT_RR) {
			if (rr_sr_rr(r, p, body) < 0)
				return -EBADMSG;
		} else {
			r->n_other++;
		}
		off += plen;
	}
	return 0;
}

int
rtcp_report_parse(const uint8_t *buf, size_t len, struct rtcp_report *r)
{
	memset(r, 0, sizeof(*r));
	if (buf == NULL || rr_walk(r, buf, len) < 0) {
		memset(r, 0, sizeof(*r));
		return -EBADMSG;
	}
	return 0;
}
