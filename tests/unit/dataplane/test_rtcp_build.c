/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/rtcp/rtcp_build.c: SR, RR, SDES CNAME and BYE
 * compounds as the mixer builds them pass the strict rtcp_validate and
 * parse back field for field (24-bit negative cumulative loss included);
 * report blocks from rtp_stats follow RFC 3550 A.3 on a known loss
 * pattern; every buffer smaller than a packet is refused untouched; NTP,
 * LSR and DLSR match the RFC 3550 6.4.1 round-trip example; the readers
 * stay in bounds on every truncation and on random input, and read the
 * sender info and report blocks of the SRs baresip sent in
 * pair_pcmu_sip_rtp_5s.pcap. Buffers under
 * test are heap blocks of exactly the tested size, so valgrind flags any
 * access past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtcp/rtcp.h"
#include "rtcp/rtcp_build.h"
#include "rtp/rtp_stats.h"

#include "pcap_reader.h"

#define SSRC_MIX 0x6d697872 /* the mixer */
#define SSRC_P1	 0xa1a2a3a4 /* participants */
#define SSRC_P2	 0xb1b2b3b4
#define CNAME	 "mixer@rtpgw.example"
#define NS_PER_S 1000000000ull

/* RFC 3550 6.4.1 example: 10 Nov 1995 11:33:25.125 UTC, Unix time. */
#define EXAMPLE_UNIX_S 816003205ull

static uint8_t *
alloc_exact(uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memset(p, 0xa5, len);
	return p;
}

static uint8_t *
dup_exact(const uint8_t *buf, uint32_t len)
{
	uint8_t *p = alloc_exact(len);

	memcpy(p, buf, len);
	return p;
}

static uint32_t
load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
rng_next(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static struct rtcp_report_block
rb_make(uint32_t ssrc, uint8_t fraction, int32_t lost, uint32_t salt)
{
	return (struct rtcp_report_block){
		.ssrc = ssrc,
		.fraction_lost = fraction,
		.cumulative_lost = lost,
		.ext_max_seq = 0x00017e7e + salt,
		.jitter = 11 + salt,
		.lsr = 0xb7052000 + salt,
		.dlsr = 0x00054000 + salt,
	};
}

static void
assert_rb_equal(const struct rtcp_report_block *a, const struct rtcp_report_block *b)
{
	assert_int_equal(a->ssrc, b->ssrc);
	assert_int_equal(a->fraction_lost, b->fraction_lost);
	assert_int_equal(a->cumulative_lost, b->cumulative_lost);
	assert_int_equal(a->ext_max_seq, b->ext_max_seq);
	assert_int_equal(a->jitter, b->jitter);
	assert_int_equal(a->lsr, b->lsr);
	assert_int_equal(a->dlsr, b->dlsr);
}

/* SR (two blocks) + SDES + BYE into buf; returns the compound length. */
static uint32_t
build_sr_sdes_bye(uint8_t *buf, uint32_t cap, const struct rtcp_report_block *rb)
{
	static const uint32_t bye[] = {SSRC_MIX};
	int n, k, m;

	n = rtcp_build_sr(buf, cap, SSRC_MIX, 0x0123456789abcdefull, 0xfedcba98, 250, 40000, rb, 2);
	assert_int_equal(n, RTCP_BUILD_SR_LEN(2));
	k = rtcp_build_sdes_cname(buf + n, cap - (uint32_t)n, SSRC_MIX, CNAME);
	assert_true(k > 0);
	m = rtcp_build_bye(buf + n + k, cap - (uint32_t)(n + k), bye, 1, "left");
	assert_true(m > 0);
	return (uint32_t)(n + k + m);
}

static void
sr_sdes_bye_compound_validates_and_parses_back(void **state)
{
	struct rtcp_report_block rb[2], out;
	struct rtcp_summary sum;
	uint8_t buf[512], *p;
	uint32_t len, ssrc, ts, reporter;
	uint64_t ntp;

	(void)state;
	rb[0] = rb_make(SSRC_P1, 64, 25, 0);
	rb[1] = rb_make(SSRC_P2, 0, -3, 7); /* more received than expected */
	len = build_sr_sdes_bye(buf, sizeof(buf), rb);
	/* SR 28 + 48, SDES 4 + 4 + 2 + 19 + 1 -> 32, BYE 4 + 4 + 1 + 4 -> 16 */
	assert_int_equal(len, 76 + 32 + 16);

	p = dup_exact(buf, len);
	assert_int_equal(rtcp_validate(p, len, &sum), 0);
	assert_int_equal(sum.sender_ssrc, SSRC_MIX);
	assert_int_equal(sum.n_packets, 3);
	assert_int_equal(sum.n_sr, 1);
	assert_int_equal(sum.n_sdes, 1);
	assert_int_equal(sum.n_bye, 1);
	assert_int_equal(sum.n_rr + sum.n_xr + sum.n_other, 0);

	assert_int_equal(rtcp_parse_sr(p, len, &ssrc, &ntp, &ts), 0);
	assert_int_equal(ssrc, SSRC_MIX);
	assert_true(ntp == 0x0123456789abcdefull);
	assert_int_equal(ts, 0xfedcba98);
	assert_int_equal(load32(p + 20), 250);	 /* packet count */
	assert_int_equal(load32(p + 24), 40000); /* octet count */

	assert_int_equal(rtcp_parse_report_block(p, len, SSRC_P1, &reporter, &out), 0);
	assert_int_equal(reporter, SSRC_MIX);
	assert_rb_equal(&out, &rb[0]);
	assert_int_equal(rtcp_parse_report_block(p, len, SSRC_P2, NULL, &out), 0);
	assert_rb_equal(&out, &rb[1]);
	assert_int_equal(out.cumulative_lost, -3);
	/* on the wire: fraction 0, then -3 as 24-bit two's complement */
	assert_int_equal(load32(p + 28 + 24 + 4), 0x00fffffd);
	assert_int_equal(rtcp_parse_report_block(p, len, SSRC_MIX, NULL, &out), -ENOENT);

	/* SDES chunk: SSRC, CNAME item, text, null octet */
	assert_int_equal(p[76 + 8], 1);
	assert_int_equal(p[76 + 9], strlen(CNAME));
	assert_memory_equal(p + 76 + 10, CNAME, strlen(CNAME));
	assert_int_equal(p[76 + 10 + strlen(CNAME)], 0);
	/* BYE: one source, reason "left" */
	assert_int_equal(p[108] & 0x1f, 1);
	assert_int_equal(load32(p + 112), SSRC_MIX);
	assert_int_equal(p[116], 4);
	assert_memory_equal(p + 117, "left", 4);
	free(p);
}

static void
rr_with_31_blocks_validates_and_parses_back(void **state)
{
	struct rtcp_report_block rb[RTCP_RB_MAX], out;
	struct rtcp_summary sum;
	uint8_t buf[1024], *p;
	uint32_t len, ssrc, ts, i;
	uint64_t ntp;
	int n, k;

	(void)state;
	for (i = 0; i < RTCP_RB_MAX; i++)
		rb[i] = rb_make(0x10000000 + i, (uint8_t)(i * 8), (int32_t)i * 1000 - 15000, i);
	n = rtcp_build_rr(buf, sizeof(buf), SSRC_MIX, rb, RTCP_RB_MAX);
	assert_int_equal(n, 8 + 24 * 31);
	k = rtcp_build_sdes_cname(buf + n, (uint32_t)(sizeof(buf) - n), SSRC_MIX, CNAME);
	assert_true(k > 0);
	len = (uint32_t)(n + k);

	p = dup_exact(buf, len);
	assert_int_equal(rtcp_validate(p, len, &sum), 0);
	assert_int_equal(sum.n_rr, 1);
	assert_int_equal(sum.n_sdes, 1);
	assert_int_equal(sum.sender_ssrc, SSRC_MIX);
	assert_int_equal(p[0] & 0x1f, 31);
	for (i = 0; i < RTCP_RB_MAX; i++) {
		assert_int_equal(rtcp_parse_report_block(p, len, rb[i].ssrc, NULL, &out), 0);
		assert_rb_equal(&out, &rb[i]);
	}
	assert_int_equal(rtcp_parse_sr(p, len, &ssrc, &ntp, &ts), -ENOENT);
	free(p);
}

/* 6.1: an empty RR heads a compound when there is nothing to report. */
static void
empty_rr_then_bye_validates(void **state)
{
	static const uint32_t bye[] = {SSRC_MIX, SSRC_P1};
	struct rtcp_summary sum;
	uint8_t buf[128], *p;
	int n, k, m;

	(void)state;
	n = rtcp_build_rr(buf, sizeof(buf), SSRC_MIX, NULL, 0);
	assert_int_equal(n, 8);
	k = rtcp_build_sdes_cname(buf + n, (uint32_t)(sizeof(buf) - n), SSRC_MIX, "m");
	assert_int_equal(k, 12); /* 4 + 4 + 2 + 1 + 1 null */
	m = rtcp_build_bye(buf + n + k, (uint32_t)(sizeof(buf) - n - k), bye, 2, NULL);
	assert_int_equal(m, 12);
	p = dup_exact(buf, (uint32_t)(n + k + m));
	assert_int_equal(rtcp_validate(p, (uint32_t)(n + k + m), &sum), 0);
	assert_int_equal(sum.n_packets, 3);
	assert_int_equal(sum.n_rr, 1);
	assert_int_equal(sum.n_bye, 1);
	assert_int_equal(load32(p + n + k + 8), SSRC_P1);
	free(p);
}

/* 6.4.1: cumulative lost is a signed 24-bit field; wider values clamp. */
static void
cumulative_lost_round_trips_24_bit_signed(void **state)
{
	static const struct {
		int32_t in, out;
		uint32_t wire;
	} cases[] = {
		{0, 0, 0},
		{1, 1, 1},
		{-1, -1, 0xffffff},
		{0x7fffff, 0x7fffff, 0x7fffff},
		{-0x800000, -0x800000, 0x800000},
		{0x1000000, 0x7fffff, 0x7fffff},
		{-0x900000, -0x800000, 0x800000},
		{INT32_MIN, -0x800000, 0x800000},
	};
	struct rtcp_report_block rb, out;
	uint8_t buf[64];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rb = rb_make(SSRC_P1, 255, cases[i].in, 0);
		n = rtcp_build_rr(buf, sizeof(buf), SSRC_MIX, &rb, 1);
		assert_int_equal(n, 32);
		assert_int_equal(load32(buf + 12), 0xff000000 | cases[i].wire);
		assert_int_equal(rtcp_parse_report_block(buf, (uint32_t)n, SSRC_P1, NULL, &out), 0);
		assert_int_equal(out.cumulative_lost, cases[i].out);
		assert_int_equal(out.fraction_lost, 255);
	}
}

/*
 * A.3 on a known pattern, across a sequence number wrap: 100 packets
 * expected and every fourth lost gives fraction 25 * 256 / 100 = 64; a
 * clean interval after it gives 0 with the cumulative count kept; late
 * packets of one interval arriving in the next give 0, not a wrapped
 * value, and lower the cumulative count.
 */
static void
report_from_stats_follows_a3(void **state)
{
	struct rtcp_interval iv = {0};
	struct rtcp_report_block rb;
	struct rtp_stats s;
	uint16_t seq;

	(void)state;
	rtp_stats_init(&s, 65500); /* the stream wraps in the first interval */
	for (seq = 65501; seq != (uint16_t)(65500 + 100); seq++)
		if ((uint16_t)(seq - 65500) % 4 != 3)
			rtp_stats_update(&s, seq);
	rtp_stats_update(&s, (uint16_t)(65500 + 99)); /* the 100th, received */
	assert_int_equal(rtp_stats_expected(&s), 100);
	assert_int_equal(s.received, 76);
	rtp_stats_jitter(&s, 0, 0);
	rtp_stats_jitter(&s, 160, 160 + 48); /* |D| = 48: J = 48 / 16 = 3 */

	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0xb7052000, 0x00054000);
	assert_int_equal(rb.ssrc, SSRC_P1);
	assert_int_equal(rb.fraction_lost, 24 * 256 / 100); /* 24 lost of 100 */
	assert_int_equal(rb.cumulative_lost, 24);
	assert_int_equal(rb.ext_max_seq, 65536 + (uint16_t)(65500 + 99));
	assert_int_equal(rb.jitter, 3);
	assert_int_equal(rb.lsr, 0xb7052000);
	assert_int_equal(rb.dlsr, 0x00054000);
	assert_int_equal(iv.expected_prior, 100);
	assert_int_equal(iv.received_prior, 76);

	/* second interval: 100 more, 25 lost (every fourth, the last one received) */
	for (seq = (uint16_t)(65500 + 100); seq != (uint16_t)(65500 + 200); seq++)
		if ((uint16_t)(seq - 65500) % 4 != 1)
			rtp_stats_update(&s, seq);
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(rb.fraction_lost, 64);
	assert_int_equal(rb.cumulative_lost, 24 + 25);

	/* third interval: 100 clean packets */
	for (seq = (uint16_t)(65500 + 200); seq != (uint16_t)(65500 + 300); seq++)
		rtp_stats_update(&s, seq);
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(rb.fraction_lost, 0);
	assert_int_equal(rb.cumulative_lost, 49);

	/* a new stream: 3 of 10 lost, then they arrive late with 1 new one */
	rtp_stats_init(&s, 0);
	iv = (struct rtcp_interval){0};
	for (seq = 1; seq < 10; seq++)
		if (seq != 4 && seq != 5 && seq != 6)
			rtp_stats_update(&s, seq);
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(rb.fraction_lost, 3 * 256 / 10);
	rtp_stats_update(&s, 4);
	rtp_stats_update(&s, 5);
	rtp_stats_update(&s, 6);
	rtp_stats_update(&s, 10);
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(rb.fraction_lost, 0); /* lost_interval = 1 - 4 < 0 */
	assert_int_equal(rb.cumulative_lost, 0);
	/* and an empty interval: nothing expected, fraction 0 */
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(rb.fraction_lost, 0);
}

/* A whole interval lost is 256/256, which the 8-bit field holds as 255. */
static void
whole_interval_lost_saturates_fraction(void **state)
{
	struct rtcp_report_block rb;
	struct rtcp_interval iv;
	struct rtp_stats s;
	uint16_t seq;

	(void)state;
	rtp_stats_init(&s, 1);
	for (seq = 2; seq <= 20; seq++)
		rtp_stats_update(&s, seq);
	iv.expected_prior = rtp_stats_expected(&s) - 10;
	iv.received_prior = s.received;
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(rb.fraction_lost, 255);
}

/* After an A.1 restart the counts drop: the interval starts from zero. */
static void
report_interval_restarts_with_stats(void **state)
{
	struct rtcp_interval iv = {0};
	struct rtcp_report_block rb;
	struct rtp_stats s;
	uint16_t seq;

	(void)state;
	rtp_stats_init(&s, 100);
	for (seq = 101; seq < 600; seq++)
		rtp_stats_update(&s, seq);
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(iv.expected_prior, 500);
	/* two sequential packets far away: the source restarted (A.1) */
	assert_false(rtp_stats_update(&s, 30000));
	assert_true(rtp_stats_update(&s, 30001));
	assert_int_equal(s.restarts, 1);
	for (seq = 30002; seq < 30010; seq++)
		if (seq != 30005)
			rtp_stats_update(&s, seq);
	rtcp_report_from_stats(&rb, SSRC_P1, &s, &iv, 0, 0);
	assert_int_equal(rb.fraction_lost, 1 * 256 / 9);
	assert_int_equal(rb.cumulative_lost, 1);
	assert_int_equal(iv.expected_prior, 9);
	assert_int_equal(iv.received_prior, 8);
}

/* Every capacity below the packet length is refused, the buffer untouched. */
static void
builders_refuse_every_short_buffer(void **state)
{
	static const uint32_t bye[] = {SSRC_MIX, SSRC_P1, SSRC_P2};
	struct rtcp_report_block rb[3];
	uint32_t cap, need[6];
	int kind, ret;

	(void)state;
	rb[0] = rb_make(SSRC_P1, 1, 2, 3);
	rb[1] = rb_make(SSRC_P2, 4, -5, 6);
	rb[2] = rb_make(SSRC_MIX, 7, 8, 9);
	need[0] = RTCP_BUILD_SR_LEN(3);
	need[1] = RTCP_BUILD_SR_LEN(0);
	need[2] = RTCP_BUILD_RR_LEN(3);
	need[3] = 4 + 4 + 2 + (uint32_t)strlen(CNAME) + 1; /* 30 -> 32 */
	need[3] = (need[3] + 3) & ~3u;
	need[4] = 4 + 12 + 1 + 6 + 1; /* "bye..." padded: 24 */
	need[5] = 4 + 12 + 1 + 7;     /* reason fills the last word: 24 */
	for (kind = 0; kind < 6; kind++) {
		for (cap = 0; cap <= need[kind]; cap++) {
			uint8_t *p = alloc_exact(cap);
			uint32_t i;

			switch (kind) {
			case 0:
				ret = rtcp_build_sr(p, cap, SSRC_MIX, 1, 2, 3, 4, rb, 3);
				break;
			case 1:
				ret = rtcp_build_sr(p, cap, SSRC_MIX, 1, 2, 3, 4, NULL, 0);
				break;
			case 2:
				ret = rtcp_build_rr(p, cap, SSRC_MIX, rb, 3);
				break;
			case 3:
				ret = rtcp_build_sdes_cname(p, cap, SSRC_MIX, CNAME);
				break;
			case 4:
				ret = rtcp_build_bye(p, cap, bye, 3, "bye...");
				break;
			default:
				ret = rtcp_build_bye(p, cap, bye, 3, "goodbye");
				break;
			}
			if (cap < need[kind]) {
				assert_int_equal(ret, -ENOSPC);
				for (i = 0; i < cap; i++)
					assert_int_equal(p[i], 0xa5);
			} else {
				assert_int_equal(ret, need[kind]);
				/* 6.4.1 length field: words - 1 */
				assert_int_equal((p[2] << 8 | p[3]), need[kind] / 4 - 1);
			}
			free(p);
		}
	}
}

static void
builders_refuse_bad_counts_and_lengths(void **state)
{
	struct rtcp_report_block rb[RTCP_RB_MAX + 1];
	uint32_t ssrcs[RTCP_BYE_MAX + 1] = {0};
	char text[300];
	uint8_t buf[1024];

	(void)state;
	memset(rb, 0, sizeof(rb));
	assert_int_equal(rtcp_build_sr(buf, sizeof(buf), 1, 0, 0, 0, 0, rb, 32), -EINVAL);
	assert_int_equal(rtcp_build_rr(buf, sizeof(buf), 1, rb, 32), -EINVAL);
	assert_int_equal(rtcp_build_bye(buf, sizeof(buf), ssrcs, 32, NULL), -EINVAL);
	assert_int_equal(rtcp_build_bye(buf, sizeof(buf), ssrcs, 31, NULL), 4 + 31 * 4);

	assert_int_equal(rtcp_build_sdes_cname(buf, sizeof(buf), 1, ""), -EINVAL);
	memset(text, 'x', sizeof(text));
	text[256] = '\0';
	assert_int_equal(rtcp_build_sdes_cname(buf, sizeof(buf), 1, text), -EINVAL);
	assert_int_equal(rtcp_build_bye(buf, sizeof(buf), ssrcs, 1, text), -EINVAL);
	text[255] = '\0';
	assert_int_equal(rtcp_build_sdes_cname(buf, sizeof(buf), 1, text), 268); /* 266 -> 268 */
	assert_int_equal(rtcp_build_bye(buf, sizeof(buf), ssrcs, 1, text), 264);
	assert_int_equal(buf[8], 255);
}

/*
 * 6.5: the item list ends with at least one null octet, and null octets
 * pad the chunk to 32 bits, for every text length modulo 4.
 */
static void
sdes_cname_is_null_terminated_and_padded(void **state)
{
	char cname[16];
	uint8_t buf[64], rr[8 + 64];
	uint32_t l, len, i;
	int n;

	(void)state;
	for (l = 1; l < sizeof(cname); l++) {
		memset(cname, 'a', l);
		cname[l] = '\0';
		memset(buf, 0xa5, sizeof(buf));
		n = rtcp_build_sdes_cname(buf, sizeof(buf), SSRC_P1, cname);
		len = (10 + l + 1 + 3) & ~3u;
		assert_int_equal(n, len);
		assert_int_equal(buf[0], 0x81); /* V=2, SC=1 */
		assert_int_equal(buf[1], RTCP_SDES);
		assert_int_equal(load32(buf + 4), SSRC_P1);
		assert_int_equal(buf[9], l);
		for (i = 10 + l; i < len; i++)
			assert_int_equal(buf[i], 0);
		assert_int_equal(buf[len], 0xa5); /* nothing past the packet */

		assert_int_equal(rtcp_build_rr(rr, sizeof(rr), SSRC_P1, NULL, 0), 8);
		memcpy(rr + 8, buf, len);
		assert_int_equal(rtcp_validate(rr, 8 + len, NULL), 0);
		/* rtcp.c walks SDES items: it finds the chunk SSRC */
		assert_int_equal(rtcp_ssrc_translate(rr, 8 + len, SSRC_P1, SSRC_P2, 0, 0), 2);
	}
}

/* 6.6: reason length octet and text, null octets to the boundary. */
static void
bye_reason_is_padded(void **state)
{
	static const uint32_t one[] = {SSRC_P1};
	static const char text[] = "participant left";
	uint8_t buf[64], reason[16], rr[8 + 64];
	uint32_t l, len, i;
	int n;

	(void)state;
	n = rtcp_build_bye(buf, sizeof(buf), one, 1, NULL);
	assert_int_equal(n, 8);
	assert_int_equal(buf[0], 0x81);
	assert_int_equal(buf[1], RTCP_BYE);
	for (l = 0; l < sizeof(reason); l++) {
		memcpy(reason, text, l);
		reason[l] = '\0';
		memset(buf, 0xa5, sizeof(buf));
		n = rtcp_build_bye(buf, sizeof(buf), one, 1, (const char *)reason);
		len = (8 + 1 + l + 3) & ~3u;
		assert_int_equal(n, len);
		assert_int_equal(buf[8], l);
		assert_memory_equal(buf + 9, text, l);
		for (i = 9 + l; i < len; i++)
			assert_int_equal(buf[i], 0);
		assert_int_equal(buf[len], 0xa5);
		assert_int_equal(rtcp_build_rr(rr, sizeof(rr), SSRC_P1, NULL, 0), 8);
		memcpy(rr + 8, buf, len);
		assert_int_equal(rtcp_validate(rr, 8 + len, NULL), 0);
	}
}

/* RFC 3550 4: NTP seconds since 1900; the Unix epoch is 2208988800. */
static void
ntp_of_known_instants(void **state)
{
	(void)state;
	assert_true(rtcp_ntp_from_ns(0) == 2208988800ull << 32);
	assert_true(rtcp_ntp_from_ns(NS_PER_S / 2) == (2208988800ull << 32 | 0x80000000u));
	assert_true(rtcp_ntp_from_ns(NS_PER_S / 4 * 3) == (2208988800ull << 32 | 0xc0000000u));
	/* 1 ns is 4.29 units of 2^-32 s, truncated */
	assert_true(rtcp_ntp_from_ns(1) == (2208988800ull << 32 | 4));
	assert_true(rtcp_ntp_from_ns(NS_PER_S - 1) == (2208988800ull << 32 | 0xfffffffbu));
	/* 2036-02-07 06:28:16 UTC: NTP era 1 starts, seconds wrap to 0 */
	assert_true(rtcp_ntp_from_ns(2085978496ull * NS_PER_S) == 0);
	assert_true(rtcp_ntp_from_ns(2085978495ull * NS_PER_S) == 0xffffffffull << 32);
	/* RFC 3550 6.4.1: [10 Nov 1995 11:33:25.125 UTC] is 0xb44db705:20000000 */
	assert_true(rtcp_ntp_from_ns(EXAMPLE_UNIX_S * NS_PER_S + NS_PER_S / 8) ==
		    0xb44db70520000000ull);
}

/*
 * RFC 3550 6.4.1 example: LSR 0xb705:2000 (46853.125 s), DLSR 0x0005:4000
 * (5.250 s), report arriving at A = 0xb710:8000 (46864.500 s), so the
 * round trip A - LSR - DLSR is 0x0006:2000 (6.125 s).
 */
static void
lsr_dlsr_match_rfc3550_example(void **state)
{
	uint64_t sr_ns = EXAMPLE_UNIX_S * NS_PER_S + NS_PER_S / 8;
	uint64_t a_ns = (EXAMPLE_UNIX_S + 11) * NS_PER_S + NS_PER_S / 2;
	uint32_t lsr, dlsr, a;

	(void)state;
	lsr = rtcp_ntp_middle32(rtcp_ntp_from_ns(sr_ns));
	dlsr = rtcp_dlsr_from_ns(5 * NS_PER_S + NS_PER_S / 4);
	a = rtcp_ntp_middle32(rtcp_ntp_from_ns(a_ns));
	assert_int_equal(lsr, 0xb7052000);
	assert_int_equal(dlsr, 0x00054000);
	assert_int_equal(a, 0xb7108000);
	assert_int_equal(a - lsr - dlsr, 0x00062000);

	assert_int_equal(rtcp_dlsr_from_ns(0), 0);
	assert_int_equal(rtcp_dlsr_from_ns(NS_PER_S), 0x10000);
	assert_int_equal(rtcp_dlsr_from_ns(15258), 0); /* 1 unit = 15258.79 ns */
	assert_int_equal(rtcp_dlsr_from_ns(15259), 1);
	assert_int_equal(rtcp_dlsr_from_ns(65535 * NS_PER_S + NS_PER_S - 1), 0xffffffff);
	assert_int_equal(rtcp_dlsr_from_ns(65536 * NS_PER_S), 0xffffffff);
	assert_int_equal(rtcp_dlsr_from_ns(UINT64_MAX), 0xffffffff);
}

/* What the mixer receives: the first SR wherever it is, or -ENOENT. */
static void
parse_sr_finds_first_sr(void **state)
{
	struct rtcp_report_block rb = rb_make(SSRC_MIX, 0, 0, 0);
	uint8_t buf[256];
	uint32_t ssrc, ts;
	uint64_t ntp;
	int n, k;

	(void)state;
	/* RR then SR (relay validation lets it through; a reduced-size SR) */
	n = rtcp_build_rr(buf, sizeof(buf), SSRC_P1, &rb, 1);
	k = rtcp_build_sr(buf + n, (uint32_t)(sizeof(buf) - n), SSRC_P2, 7, 8, 9, 10, NULL, 0);
	assert_int_equal(rtcp_parse_sr(buf, (uint32_t)(n + k), &ssrc, &ntp, &ts), 0);
	assert_int_equal(ssrc, SSRC_P2);
	assert_true(ntp == 7);
	assert_int_equal(ts, 8);
	/* two SRs: the first */
	n = rtcp_build_sr(buf, sizeof(buf), SSRC_P1, 1, 2, 0, 0, NULL, 0);
	k = rtcp_build_sr(buf + n, (uint32_t)(sizeof(buf) - n), SSRC_P2, 3, 4, 0, 0, NULL, 0);
	assert_int_equal(rtcp_parse_sr(buf, (uint32_t)(n + k), &ssrc, &ntp, &ts), 0);
	assert_int_equal(ssrc, SSRC_P1);
	/* SDES alone: no SR */
	n = rtcp_build_sdes_cname(buf, sizeof(buf), SSRC_P1, CNAME);
	ssrc = 0x5a5a5a5a;
	assert_int_equal(rtcp_parse_sr(buf, (uint32_t)n, &ssrc, &ntp, &ts), -ENOENT);
	assert_int_equal(ssrc, 0x5a5a5a5a);
	/* a report block elsewhere: found in the second packet */
	n = rtcp_build_rr(buf, sizeof(buf), SSRC_P1, NULL, 0);
	k = rtcp_build_rr(buf + n, (uint32_t)(sizeof(buf) - n), SSRC_P2, &rb, 1);
	assert_int_equal(rtcp_parse_report_block(buf, (uint32_t)(n + k), SSRC_MIX, &ssrc, &rb), 0);
	assert_int_equal(ssrc, SSRC_P2);
}

/*
 * Reduced-size compounds of one 4-octet packet (an empty SDES, a BYE
 * without sources) hold no SR; shorter or broken ones are malformed. The
 * buffer is exactly that long.
 */
static void
readers_handle_one_word_compounds(void **state)
{
	static const uint8_t sdes[] = {0x80, RTCP_SDES, 0, 0};
	static const uint8_t bye[] = {0x80, RTCP_BYE, 0, 0};
	static const uint8_t rr[] = {0x80, RTCP_RR, 0, 0};   /* no sender SSRC */
	static const uint8_t v1[] = {0x40, RTCP_SDES, 0, 0}; /* version 1 */
	static const uint8_t *ok[] = {sdes, bye}, *bad[] = {rr, v1};
	struct rtcp_report_block out;
	uint32_t ssrc, ts, len;
	uint64_t ntp;
	uint8_t *p;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		p = dup_exact(ok[i], 4);
		assert_int_equal(rtcp_parse_sr(p, 4, &ssrc, &ntp, &ts), -ENOENT);
		assert_int_equal(rtcp_parse_report_block(p, 4, SSRC_P1, NULL, &out), -ENOENT);
		for (len = 0; len < 4; len++)
			assert_int_equal(rtcp_parse_sr(p, len, &ssrc, &ntp, &ts), -EBADMSG);
		free(p);
		p = dup_exact(bad[i], 4);
		assert_int_equal(rtcp_parse_sr(p, 4, &ssrc, &ntp, &ts), -EBADMSG);
		assert_int_equal(rtcp_parse_report_block(p, 4, SSRC_P1, NULL, &out), -EBADMSG);
		free(p);
	}
}

/*
 * Every truncation of the built compound: a cut on a packet boundary is a
 * shorter valid compound, any other cut is -EBADMSG with nothing written.
 */
static void
readers_reject_every_truncation(void **state)
{
	struct rtcp_report_block rb[2], out;
	uint8_t buf[512], *p;
	uint32_t full, len, ssrc, ts;
	uint64_t ntp;
	int ret;

	(void)state;
	rb[0] = rb_make(SSRC_P1, 64, 25, 0);
	rb[1] = rb_make(SSRC_P2, 0, -3, 7);
	full = build_sr_sdes_bye(buf, sizeof(buf), rb);
	for (len = 0; len <= full; len++) {
		bool boundary = len == 76 || len == 76 + 32 || len == full;

		p = dup_exact(buf, len);
		ssrc = 0;
		ret = rtcp_parse_sr(p, len, &ssrc, &ntp, &ts);
		assert_int_equal(ret, boundary ? 0 : -EBADMSG);
		assert_int_equal(ssrc, boundary ? SSRC_MIX : 0);
		ret = rtcp_parse_report_block(p, len, SSRC_P2, NULL, &out);
		assert_int_equal(ret, boundary ? 0 : -EBADMSG);
		free(p);
	}
}

/*
 * Random compounds of SR, RR, SDES and BYE packets, mostly well formed
 * (lengths that chain, report counts that mostly fit), with bodies full of
 * words equal to SSRC_P1: the readers stay in bounds and write nothing
 * into the buffer.
 */
static void
readers_random_input_stays_in_bounds(void **state)
{
	struct rtcp_report_block out;
	uint64_t seed = 0x5eed0b1d;
	uint8_t ref[256], *p;
	uint32_t i, j, len, off, words, ssrc, ts, hdr, room;
	uint64_t ntp;
	int found = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = (uint32_t)(rng_next(&seed) % sizeof(ref));
		if (rng_next(&seed) % 8)
			len &= ~3u;
		for (j = 0; j + 4 <= len; j += 4) {
			uint32_t w = rng_next(&seed) % 4 ? SSRC_P1 : (uint32_t)rng_next(&seed);

			ref[j] = (uint8_t)(w >> 24);
			ref[j + 1] = (uint8_t)(w >> 16);
			ref[j + 2] = (uint8_t)(w >> 8);
			ref[j + 3] = (uint8_t)w;
		}
		for (; j < len; j++)
			ref[j] = (uint8_t)rng_next(&seed);
		for (off = 0; off + 4 <= len; off += 4 * words) {
			uint8_t pt = (uint8_t)(200 + rng_next(&seed) % 4);

			words = 1 + (uint32_t)(rng_next(&seed) % 16);
			if (off + 4 * words > len)
				words = (len - off) / 4;
			/* report blocks that fit the body, most of the time */
			hdr = pt == RTCP_RR ? RTCP_BUILD_RR_LEN(0) : RTCP_BUILD_SR_LEN(0);
			room = 4 * words > hdr ? 4 * words - hdr : 0;
			ref[off] = (uint8_t)(0x80 | (rng_next(&seed) % 8 ? room / 24 % 32
									 : rng_next(&seed) % 4));
			if (rng_next(&seed) % 32 == 0)
				ref[off] = (uint8_t)rng_next(&seed);
			ref[off + 1] = pt;
			ref[off + 2] = 0;
			ref[off + 3] = (uint8_t)(words - 1 + (rng_next(&seed) % 16 == 0));
		}
		p = dup_exact(ref, len);
		if (rtcp_parse_sr(p, len, &ssrc, &ntp, &ts) == 0)
			found++;
		if (rtcp_parse_report_block(p, len, SSRC_P1, NULL, &out) == 0) {
			assert_int_equal(out.ssrc, SSRC_P1);
			found++;
		}
		assert_memory_equal(p, ref, len);
		free(p);
	}
	assert_true(found > 1000); /* the generator reaches valid compounds */
}

/*
 * The SRs baresip sent in pair_pcmu_sip_rtp_5s.pcap: the sender info
 * parses, its NTP time is the capture time (same host, loopback) and its
 * RTP timestamp lies in the sender's stream; the report block on the peer
 * carries the extended highest sequence number of the peer's stream.
 */
static void
capture_sr_sender_info_and_report_blocks(void **state)
{
	struct pcap_reader *r = pcap_reader_open("pair_pcmu_sip_rtp_5s.pcap");
	struct rtcp_report_block rb;
	unsigned int n_sr = 0, n_rtcp = 0;
	uint32_t ssrc, ts, reporter;
	struct pcap_udp u;
	uint64_t ntp, cap_ntp;
	int64_t skew;
	uint8_t *p;

	(void)state;
	if (r == NULL) {
		pcap_reader_skip("pair_pcmu_sip_rtp_5s.pcap");
		return;
	}
	while (pcap_reader_next_udp(r, &u) == 0) {
		if (u.dport != 40003 && u.dport != 40011)
			continue;
		n_rtcp++;
		p = dup_exact(u.payload, u.len);
		if (p[1] != RTCP_SR) {
			/* APP or BYE first: no SR in the compound */
			assert_int_equal(rtcp_parse_sr(p, u.len, &ssrc, &ntp, &ts), -ENOENT);
			free(p);
			continue;
		}
		assert_int_equal(rtcp_parse_sr(p, u.len, &ssrc, &ntp, &ts), 0);
		cap_ntp = rtcp_ntp_from_ns(u.ts_us * 1000);
		skew = (int64_t)(ntp - cap_ntp);
		assert_true(skew > -((int64_t)1 << 32) && skew < ((int64_t)1 << 32)); /* 1 s */
		if (ssrc == 0xb2189d4e) {
			/* rtp_pcmu_1000hz_5s.pcap: ts 37385..77385 */
			assert_true(ts >= 37385 && ts <= 77385 + 8000);
			assert_int_equal(
				rtcp_parse_report_block(p, u.len, 0xd0a1cfde, &reporter, &rb), 0);
		} else {
			assert_int_equal(ssrc, 0xd0a1cfde);
			assert_int_equal(
				rtcp_parse_report_block(p, u.len, 0xb2189d4e, &reporter, &rb), 0);
			/* seq 32382..32632 of the 1000 Hz stream, no loss */
			assert_true(rb.ext_max_seq >= 32382 && rb.ext_max_seq <= 32632);
			assert_int_equal(rb.cumulative_lost, 0);
			assert_int_equal(rb.fraction_lost, 0);
		}
		assert_int_equal(reporter, ssrc);
		n_sr++;
		free(p);
	}
	pcap_reader_close(r);
	assert_int_equal(n_rtcp, 6);
	assert_int_equal(n_sr, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sr_sdes_bye_compound_validates_and_parses_back),
		cmocka_unit_test(rr_with_31_blocks_validates_and_parses_back),
		cmocka_unit_test(empty_rr_then_bye_validates),
		cmocka_unit_test(cumulative_lost_round_trips_24_bit_signed),
		cmocka_unit_test(report_from_stats_follows_a3),
		cmocka_unit_test(whole_interval_lost_saturates_fraction),
		cmocka_unit_test(report_interval_restarts_with_stats),
		cmocka_unit_test(builders_refuse_every_short_buffer),
		cmocka_unit_test(builders_refuse_bad_counts_and_lengths),
		cmocka_unit_test(sdes_cname_is_null_terminated_and_padded),
		cmocka_unit_test(bye_reason_is_padded),
		cmocka_unit_test(ntp_of_known_instants),
		cmocka_unit_test(lsr_dlsr_match_rfc3550_example),
		cmocka_unit_test(parse_sr_finds_first_sr),
		cmocka_unit_test(readers_handle_one_word_compounds),
		cmocka_unit_test(readers_reject_every_truncation),
		cmocka_unit_test(readers_random_input_stays_in_bounds),
		cmocka_unit_test(capture_sr_sender_info_and_report_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
