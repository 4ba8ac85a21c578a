/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP the conference mixer originates (RFC 3550 7.3: a mixer is a
 * synchronization source of its own and reports as one): SR, RR, SDES
 * CNAME and BYE packets written with byte-wise big-endian stores into a
 * caller's buffer whose size is checked before the first byte is written,
 * report blocks from the A.3 and A.8 figures of struct rtp_stats, NTP
 * timestamp conversions, and the two readers the mixer needs on received
 * compounds, which run rtcp_validate_relay first so they are safe on any
 * input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rtcp.h"
#include "rtcp_build.h"
#include "rtp/rtp_stats.h"

#define RTCP_BUILD_VERSION  2
#define RTCP_BUILD_HDR_LEN  4	/* V, P, count, PT, length (6.4.1) */
#define RTCP_BUILD_RB_LEN   24	/* one report block (6.4.1) */
#define RTCP_BUILD_SDES_MAX 255 /* 8-bit item length (6.5) */
#define RTCP_BUILD_CNAME    1	/* SDES item type (6.5.1) */
#define RTCP_LOST_MAX	    0x7fffff
#define RTCP_LOST_MIN	    (-0x800000)
#define NS_PER_S	    1000000000ull

static inline uint32_t
rtcp_build_load32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void
rtcp_build_store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Length of a NUL-terminated text, counted up to RTCP_BUILD_SDES_MAX + 1
 * (too long for an 8-bit length) without reading further.
 */
static inline uint32_t
rtcp_build_textlen(const char *s)
{
	uint32_t l = 0;

	while (l <= RTCP_BUILD_SDES_MAX && s[l] != '\0')
		l++;
	return l;
}

/* 6.4.1 common header: V=2, P=0, count, PT, length in 32-bit words - 1. */
static inline void
rtcp_build_hdr(uint8_t *p, unsigned int count, uint8_t pt, uint32_t len)
{
	uint32_t words = len / 4 - 1;

	p[0] = (uint8_t)(RTCP_BUILD_VERSION << 6 | count);
	p[1] = pt;
	p[2] = (uint8_t)(words >> 8);
	p[3] = (uint8_t)words;
}

/*
 * A.3: expected_interval = expected - expected_prior, likewise received;
 * lost_interval = expected_interval - received_interval; fraction =
 * (lost_interval << 8) / expected_interval, 0 when nothing was expected
 * or lost_interval <= 0. The differences are taken modulo 2^32 so a
 * 16-bit cycle count that wrapped the 32-bit extended sequence number is
 * fine; one that went backwards can only be a restart of the statistics
 * (rtp_stats_init_seq after a jump), whose counts start again from zero.
 */
void
rtcp_report_from_stats(struct rtcp_report_block *rb, uint32_t ssrc, const struct rtp_stats *s,
		       struct rtcp_interval *iv, uint32_t lsr, uint32_t dlsr)
{
	uint32_t expected = rtp_stats_expected(s);
	uint32_t exp_int = expected - iv->expected_prior;
	uint32_t rcv_int = s->received - iv->received_prior;
	int64_t lost_int;
	uint64_t fraction;

	if ((int32_t)exp_int < 0 || (int32_t)rcv_int < 0) {
		exp_int = expected;
		rcv_int = s->received;
	}
	iv->expected_prior = expected;
	iv->received_prior = s->received;
	lost_int = (int64_t)exp_int - rcv_int;

	/* All of the interval lost gives 256, which the 8-bit field cannot hold. */
	fraction = exp_int == 0 || lost_int <= 0 ? 0 : ((uint64_t)lost_int << 8) / exp_int;

	rb->ssrc = ssrc;
	rb->fraction_lost = fraction > UINT8_MAX ? UINT8_MAX : (uint8_t)fraction;
	rb->cumulative_lost = rtp_stats_lost(s);
	rb->ext_max_seq = rtp_stats_ext_max(s);
	rb->jitter = rtp_stats_jitter_units(s);
	rb->lsr = lsr;
	rb->dlsr = dlsr;
}

/* 6.4.1 report block; cumulative lost clamped to its 24-bit field. */
static void
rtcp_build_rb(uint8_t *p, const struct rtcp_report_block *rb)
{
	int32_t lost = rb->cumulative_lost;

	if (lost > RTCP_LOST_MAX)
		lost = RTCP_LOST_MAX;
	else if (lost < RTCP_LOST_MIN)
		lost = RTCP_LOST_MIN;
	rtcp_build_store32(p, rb->ssrc);
	rtcp_build_store32(p + 4, (uint32_t)rb->fraction_lost << 24 | ((uint32_t)lost & 0xffffff));
	rtcp_build_store32(p + 8, rb->ext_max_seq);
	rtcp_build_store32(p + 12, rb->jitter);
	rtcp_build_store32(p + 16, rb->lsr);
	rtcp_build_store32(p + 20, rb->dlsr);
}

/* 24-bit two's complement cumulative lost, sign-extended. */
static inline int32_t
rtcp_build_lost(uint32_t word)
{
	return (int32_t)(word & 0x7fffff) - (int32_t)(word & 0x800000);
}

static void
rtcp_parse_rb(const uint8_t *p, struct rtcp_report_block *rb)
{
	uint32_t w = rtcp_build_load32(p + 4);

	rb->ssrc = rtcp_build_load32(p);
	rb->fraction_lost = (uint8_t)(w >> 24);
	rb->cumulative_lost = rtcp_build_lost(w);
	rb->ext_max_seq = rtcp_build_load32(p + 8);
	rb->jitter = rtcp_build_load32(p + 12);
	rb->lsr = rtcp_build_load32(p + 16);
	rb->dlsr = rtcp_build_load32(p + 20);
}

/* 6.4.1: SR = header, SSRC, 20-octet sender info, report blocks. */
int
rtcp_build_sr(uint8_t *buf, uint32_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
	      uint32_t packets, uint32_t octets, const struct rtcp_report_block *rb,
	      unsigned int n_rb)
{
	uint32_t len, i;

	if (n_rb > RTCP_RB_MAX)
		return -EINVAL;
	len = RTCP_BUILD_SR_LEN(n_rb);
	if (cap < len)
		return -ENOSPC;
	rtcp_build_hdr(buf, n_rb, RTCP_SR, len);
	rtcp_build_store32(buf + 4, ssrc);
	rtcp_build_store32(buf + 8, (uint32_t)(ntp >> 32));
	rtcp_build_store32(buf + 12, (uint32_t)ntp);
	rtcp_build_store32(buf + 16, rtp_ts);
	rtcp_build_store32(buf + 20, packets);
	rtcp_build_store32(buf + 24, octets);
	for (i = 0; i < n_rb; i++)
		rtcp_build_rb(buf + RTCP_BUILD_SR_LEN(i), &rb[i]);
	return (int)len;
}

/* 6.4.2: RR = header, SSRC of the packet sender, report blocks. */
int
rtcp_build_rr(uint8_t *buf, uint32_t cap, uint32_t ssrc, const struct rtcp_report_block *rb,
	      unsigned int n_rb)
{
	uint32_t len, i;

	if (n_rb > RTCP_RB_MAX)
		return -EINVAL;
	len = RTCP_BUILD_RR_LEN(n_rb);
	if (cap < len)
		return -ENOSPC;
	rtcp_build_hdr(buf, n_rb, RTCP_RR, len);
	rtcp_build_store32(buf + 4, ssrc);
	for (i = 0; i < n_rb; i++)
		rtcp_build_rb(buf + RTCP_BUILD_RR_LEN(i), &rb[i]);
	return (int)len;
}

/*
 * 6.5: header, then the chunk: SSRC, items (type, length, text), and "one
 * or more null octets, the first of which is interpreted as an item type
 * of zero", as many as reach the next 32-bit boundary. 6.5.1: the CNAME
 * is mandatory in every compound.
 */
int
rtcp_build_sdes_cname(uint8_t *buf, uint32_t cap, uint32_t ssrc, const char *cname)
{
	uint32_t l = rtcp_build_textlen(cname);
	uint32_t len, end;

	if (l == 0 || l > RTCP_BUILD_SDES_MAX)
		return -EINVAL;
	end = RTCP_BUILD_HDR_LEN + 4 + 2 + l; /* just past the text */
	len = (end + 4) & ~(uint32_t)3;	      /* at least one null octet */
	if (cap < len)
		return -ENOSPC;
	rtcp_build_hdr(buf, 1, RTCP_SDES, len);
	rtcp_build_store32(buf + 4, ssrc);
	buf[8] = RTCP_BUILD_CNAME;
	buf[9] = (uint8_t)l;
	memcpy(buf + 10, cname, l);
	memset(buf + end, 0, len - end);
	return (int)len;
}

/*
 * 6.6: header with the source count, the SSRC/CSRC list, then optionally
 * a length octet and the reason text; "if the string fills the packet to
 * the next 32-bit boundary, the string is not null terminated. If not,
 * the BYE packet MUST be padded with null octets".
 */
int
rtcp_build_bye(uint8_t *buf, uint32_t cap, const uint32_t *ssrcs, unsigned int n,
	       const char *reason)
{
	uint32_t l = 0, len, end, i;

	if (n > RTCP_BYE_MAX)
		return -EINVAL;
	end = RTCP_BUILD_HDR_LEN + 4 * (uint32_t)n;
	if (reason != NULL) {
		l = rtcp_build_textlen(reason);
		if (l > RTCP_BUILD_SDES_MAX)
			return -EINVAL;
		end += 1 + l;
	}
	len = (end + 3) & ~(uint32_t)3;
	if (cap < len)
		return -ENOSPC;
	rtcp_build_hdr(buf, n, RTCP_BYE, len);
	for (i = 0; i < n; i++)
		rtcp_build_store32(buf + RTCP_BUILD_HDR_LEN + 4 * i, ssrcs[i]);
	if (reason != NULL) {
		i = RTCP_BUILD_HDR_LEN + 4 * (uint32_t)n;
		buf[i] = (uint8_t)l;
		memcpy(buf + i + 1, reason, l);
	}
	memset(buf + end, 0, len - end);
	return (int)len;
}

/*
 * RFC 3550 4: "the integer part in the first 32 bits and the fractional
 * part in the last 32 bits", seconds since 1900-01-01 0h UTC. The shift
 * drops the era (RFC 5905 6), so the seconds wrap in 2036 as on the wire.
 * (ns % 1e9) << 32 stays below 2^62.
 */
uint64_t
rtcp_ntp_from_ns(uint64_t unix_ns)
{
	uint64_t sec = unix_ns / NS_PER_S + RTCP_NTP_UNIX_OFFSET;
	uint64_t frac = ((unix_ns % NS_PER_S) << 32) / NS_PER_S;

	return sec << 32 | frac;
}

/* 6.4.1: "expressed in units of 1/65536 seconds"; saturates past 18 h. */
uint32_t
rtcp_dlsr_from_ns(uint64_t ns)
{
	uint64_t sec = ns / NS_PER_S;
	uint64_t v;

	if (sec > UINT32_MAX >> 16)
		return UINT32_MAX;
	v = sec << 16 | ((ns % NS_PER_S) << 16) / NS_PER_S;
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * rtcp_validate_relay. It reads the word after the first header as the
 * sender SSRC even when the compound is a lone 4-octet packet (an empty
 * SDES or BYE, which reduced-size RTCP allows), so a compound that short
 * is checked from a zero-filled copy and nothing past len is read.
 */
static int
rtcp_build_validate(const uint8_t *buf, uint32_t len)
{
	uint8_t tmp[RTCP_BUILD_RR_LEN(0)] = {0};

	if (len < sizeof(tmp)) {
		memcpy(tmp, buf, len);
		return rtcp_validate_relay(tmp, len, NULL);
	}
	return rtcp_validate_relay(buf, len, NULL);
}

/*
 * Walks a compound rtcp_validate_relay accepted: each packet's length
 * field is then trusted, and an SR or RR holds its report count in its
 * body (padding excluded).
 */
int
rtcp_parse_sr(const uint8_t *buf, uint32_t len, uint32_t *ssrc, uint64_t *ntp, uint32_t *rtp_ts)
{
	uint32_t off, plen;

	if (rtcp_build_validate(buf, len) < 0)
		return -EBADMSG;
	for (off = 0; off < len; off += plen) {
		plen = 4 * ((uint32_t)(buf[off + 2] << 8 | buf[off + 3]) + 1);
		if (buf[off + 1] != RTCP_SR)
			continue;
		/* 6.4.1: NTP MSW, LSW, RTP timestamp after the sender SSRC */
		*ssrc = rtcp_build_load32(buf + off + 4);
		*ntp = (uint64_t)rtcp_build_load32(buf + off + 8) << 32 |
		       rtcp_build_load32(buf + off + 12);
		*rtp_ts = rtcp_build_load32(buf + off + 16);
		return 0;
	}
	return -ENOENT;
}

int
rtcp_parse_report_block(const uint8_t *buf, uint32_t len, uint32_t ssrc, uint32_t *reporter,
			struct rtcp_report_block *rb)
{
	uint32_t off, plen, rb_off, i;
	uint8_t rc;

	if (rtcp_build_validate(buf, len) < 0)
		return -EBADMSG;
	for (off = 0; off < len; off += plen) {
		plen = 4 * ((uint32_t)(buf[off + 2] << 8 | buf[off + 3]) + 1);
		if (buf[off + 1] == RTCP_SR)
			rb_off = RTCP_BUILD_SR_LEN(0);
		else if (buf[off + 1] == RTCP_RR)
			rb_off = RTCP_BUILD_RR_LEN(0);
		else
			continue;
		rc = buf[off] & 0x1f;
		for (i = 0; i < rc; i++, rb_off += RTCP_BUILD_RB_LEN) {
			if (rtcp_build_load32(buf + off + rb_off) != ssrc)
				continue;
			if (reporter != NULL)
				*reporter = rtcp_build_load32(buf + off + 4);
			rtcp_parse_rb(buf + off + rb_off, rb);
			return 0;
		}
	}
	return -ENOENT;
}
