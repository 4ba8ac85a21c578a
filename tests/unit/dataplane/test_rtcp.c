/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/rtcp/rtcp.c: compound validation (RFC 3550 6.1,
 * A.2) and SSRC translation across SR, RR, SDES, BYE, APP, RFC 4585
 * feedback and RFC 3611 XR, on hand-built compounds, every truncation of
 * them, random input and the RTCP of pair_pcmu_sip_rtp_5s.pcap. Buffers
 * under test are heap copies of exactly the tested length, so valgrind
 * flags any access past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtcp/rtcp.h"

#include "pcap_reader.h"

#define SSRC_A 0xa1a2a3a4 /* the sender whose SSRC the relay rewrites */
#define SSRC_B 0xb1b2b3b4 /* the source it reports on */
#define SSRC_C 0xc1c2c3c4 /* a third party, never rewritten */
#define SSRC_X 0x0a0b0c0d /* new sender SSRC */
#define SSRC_Y 0x1a1b1c1d /* new reported-on SSRC */

/* Builds compound packets in network order. */
struct builder {
	uint8_t buf[2048];
	uint32_t len;
	uint32_t start; /* offset of the packet being built */
};

static void
put8(struct builder *b, uint8_t v)
{
	assert_true(b->len < sizeof(b->buf));
	b->buf[b->len++] = v;
}

static void
put16(struct builder *b, uint16_t v)
{
	put8(b, (uint8_t)(v >> 8));
	put8(b, (uint8_t)v);
}

static void
put32(struct builder *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b, (uint16_t)v);
}

static void
pkt_begin(struct builder *b, uint8_t count, uint8_t pt)
{
	b->start = b->len;
	put8(b, (uint8_t)(0x80 | count));
	put8(b, pt);
	put16(b, 0);
}

/* Pad the packet to 32 bits and set its length field (6.4.1). */
static void
pkt_finish(struct builder *b)
{
	uint32_t words;

	while (b->len % 4)
		put8(b, 0);
	words = (b->len - b->start) / 4 - 1;
	b->buf[b->start + 2] = (uint8_t)(words >> 8);
	b->buf[b->start + 3] = (uint8_t)words;
}

/* Append pad octets (a multiple of 4) of padding to a finished packet. */
static void
pkt_pad(struct builder *b, uint8_t pad)
{
	uint8_t i;

	for (i = 1; i < pad; i++)
		put8(b, 0);
	put8(b, pad);
	b->buf[b->start] |= 0x20;
	pkt_finish(b);
}

static void
put_report_block(struct builder *b, uint32_t ssrc)
{
	put32(b, ssrc);
	put32(b, 0x01000002); /* fraction lost, cumulative lost */
	put32(b, 0x00017e7e); /* extended highest seq */
	put32(b, 11);	      /* jitter */
	put32(b, 0x7dfd2302); /* LSR */
	put32(b, 0x147);      /* DLSR */
}

static void
add_sr(struct builder *b, uint32_t ssrc, const uint32_t *blocks, uint8_t n)
{
	uint8_t i;

	pkt_begin(b, n, RTCP_SR);
	put32(b, ssrc);
	put32(b, SSRC_B); /* NTP MSW: same bits as an SSRC, must stay */
	put32(b, SSRC_A); /* NTP LSW */
	put32(b, 37385);  /* RTP timestamp */
	put32(b, 250);	  /* packet count */
	put32(b, 40000);  /* octet count */
	for (i = 0; i < n; i++)
		put_report_block(b, blocks[i]);
	pkt_finish(b);
}

static void
add_rr(struct builder *b, uint32_t ssrc, const uint32_t *blocks, uint8_t n)
{
	uint8_t i;

	pkt_begin(b, n, RTCP_RR);
	put32(b, ssrc);
	for (i = 0; i < n; i++)
		put_report_block(b, blocks[i]);
	pkt_finish(b);
}

/* One SDES chunk per ssrc, each with a CNAME whose text is cname. */
static void
add_sdes(struct builder *b, const uint32_t *ssrcs, uint8_t n, const char *cname)
{
	uint8_t i;

	pkt_begin(b, n, RTCP_SDES);
	for (i = 0; i < n; i++) {
		put32(b, ssrcs[i]);
		if (cname != NULL) {
			size_t j, l = strlen(cname);

			put8(b, 1); /* CNAME */
			put8(b, (uint8_t)l);
			for (j = 0; j < l; j++)
				put8(b, (uint8_t)cname[j]);
		}
		put8(b, 0); /* null item, then pad the chunk to 32 bits */
		while (b->len % 4)
			put8(b, 0);
	}
	pkt_finish(b);
}

static void
add_bye(struct builder *b, const uint32_t *ssrcs, uint8_t n, const char *reason)
{
	uint8_t i;

	pkt_begin(b, n, RTCP_BYE);
	for (i = 0; i < n; i++)
		put32(b, ssrcs[i]);
	if (reason != NULL) {
		size_t j, l = strlen(reason);

		put8(b, (uint8_t)l);
		for (j = 0; j < l; j++)
			put8(b, (uint8_t)reason[j]);
	}
	pkt_finish(b);
}

static void
add_app(struct builder *b, uint32_t ssrc)
{
	pkt_begin(b, 0, RTCP_APP);
	put32(b, ssrc);
	put32(b, 0x50494e47); /* "PING" */
	put32(b, SSRC_A);     /* data that looks like an SSRC */
	pkt_finish(b);
}

static void
add_fb(struct builder *b, uint8_t pt, uint8_t fmt, uint32_t sender, uint32_t media)
{
	pkt_begin(b, fmt, pt);
	put32(b, sender);
	put32(b, media);
	if (pt == RTCP_RTPFB)
		put32(b, 0x7e7e0000); /* generic NACK FCI: PID, BLP */
	pkt_finish(b);
}

/* RFC 3611 XR: RRTR, DLRR (two sub-blocks), then one of each SSRC block. */
static void
add_xr(struct builder *b, uint32_t sender, uint32_t dlrr1, uint32_t dlrr2, uint32_t source)
{
	uint8_t bt;

	pkt_begin(b, 0, RTCP_XR);
	put32(b, sender);
	/* 4.4 RRTR: NTP timestamp, no SSRC */
	put8(b, 4);
	put8(b, 0);
	put16(b, 2);
	put32(b, source);
	put32(b, source);
	/* 4.5 DLRR: sub-blocks of SSRC, LRR, DLRR */
	put8(b, 5);
	put8(b, 0);
	put16(b, 6);
	put32(b, dlrr1);
	put32(b, source);
	put32(b, source);
	put32(b, dlrr2);
	put32(b, 0);
	put32(b, 0);
	/* 4.1 loss RLE, 4.2 dup RLE, 4.3 receipt times: SSRC, begin/end seq, chunk */
	for (bt = 1; bt <= 3; bt++) {
		put8(b, bt);
		put8(b, 0);
		put16(b, 3);
		put32(b, source);
		put32(b, 0x00640096);
		put32(b, source); /* chunk data that looks like an SSRC */
	}
	/* 4.6 statistics summary, 4.7 VoIP metrics: SSRC then 8 and 7 words */
	for (bt = 6; bt <= 7; bt++) {
		uint8_t w, words = bt == 6 ? 9 : 8;

		put8(b, bt);
		put8(b, 0);
		put16(b, words);
		put32(b, source);
		for (w = 1; w < words; w++)
			put32(b, source);
	}
	/* an unknown block type: left alone */
	put8(b, 42);
	put8(b, 0);
	put16(b, 1);
	put32(b, source);
	pkt_finish(b);
}

static uint8_t *
dup_exact(const uint8_t *buf, uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, buf, len);
	return p;
}

static int
validate_exact(const uint8_t *buf, uint32_t len, struct rtcp_summary *sum)
{
	uint8_t *p = dup_exact(buf, len);
	int ret = rtcp_validate(p, len, sum);

	free(p);
	return ret;
}

static uint32_t
load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* SR from A reporting on B, SDES for A: the usual compound. */
static void
build_sr_sdes(struct builder *b)
{
	static const uint32_t rb[] = {SSRC_B};
	static const uint32_t chunk[] = {SSRC_A};

	memset(b, 0, sizeof(*b));
	add_sr(b, SSRC_A, rb, 1);
	add_sdes(b, chunk, 1, "sip:b@127.0.0.1:5070");
}

/* One packet of each type, RR first. */
static void
build_every_type(struct builder *b)
{
	static const uint32_t rb[] = {SSRC_B, SSRC_C};
	static const uint32_t chunks[] = {SSRC_A, SSRC_C};
	static const uint32_t bye[] = {SSRC_A, SSRC_C};

	memset(b, 0, sizeof(*b));
	add_rr(b, SSRC_A, rb, 2);
	add_sdes(b, chunks, 2, "a@example");
	add_app(b, SSRC_A);
	add_fb(b, RTCP_RTPFB, 1, SSRC_A, SSRC_B);
	add_fb(b, RTCP_PSFB, 1, SSRC_A, SSRC_B);
	add_xr(b, SSRC_A, SSRC_B, SSRC_C, SSRC_B);
	pkt_begin(b, 0, 210); /* unknown type in 192..223 */
	put32(b, SSRC_A);
	pkt_finish(b);
	add_bye(b, bye, 2, "bye");
}

static void
validate_accepts_sr_sdes_compound(void **state)
{
	struct rtcp_summary sum;
	struct builder b;

	(void)state;
	build_sr_sdes(&b);
	assert_int_equal(b.len, 52 + 32);
	assert_int_equal(validate_exact(b.buf, b.len, &sum), 0);
	assert_int_equal(sum.sender_ssrc, SSRC_A);
	assert_int_equal(sum.n_packets, 2);
	assert_int_equal(sum.n_sr, 1);
	assert_int_equal(sum.n_sdes, 1);
	assert_int_equal(sum.n_rr + sum.n_bye + sum.n_xr + sum.n_other, 0);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), 0);
}

static void
validate_accepts_empty_rr(void **state)
{
	struct rtcp_summary sum;
	struct builder b = {0};

	(void)state;
	add_rr(&b, SSRC_A, NULL, 0); /* 6.4.2: RC 0 is a valid RR */
	assert_int_equal(validate_exact(b.buf, b.len, &sum), 0);
	assert_int_equal(sum.n_rr, 1);
	assert_int_equal(sum.n_packets, 1);
	assert_int_equal(sum.sender_ssrc, SSRC_A);
}

static void
validate_counts_every_packet_type(void **state)
{
	struct rtcp_summary sum;
	struct builder b;

	(void)state;
	build_every_type(&b);
	assert_int_equal(validate_exact(b.buf, b.len, &sum), 0);
	assert_int_equal(sum.n_packets, 8);
	assert_int_equal(sum.n_rr, 1);
	assert_int_equal(sum.n_sr, 0);
	assert_int_equal(sum.n_sdes, 1);
	assert_int_equal(sum.n_bye, 1);
	assert_int_equal(sum.n_xr, 1);
	assert_int_equal(sum.n_other, 4); /* APP, RTPFB, PSFB, 210 */
}

static void
compound_must_start_with_sr_or_rr(void **state)
{
	static const uint32_t one[] = {SSRC_A};
	static const uint32_t rb[] = {SSRC_B};
	struct builder b = {0};

	(void)state;
	add_sdes(&b, one, 1, "x");
	add_rr(&b, SSRC_A, rb, 1);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);

	memset(&b, 0, sizeof(b));
	add_bye(&b, one, 1, NULL);
	add_sdes(&b, one, 1, "x");
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);

	memset(&b, 0, sizeof(b));
	add_app(&b, SSRC_A);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);

	/* RFC 5506 reduced-size RTCP: a lone feedback packet */
	memset(&b, 0, sizeof(b));
	add_fb(&b, RTCP_PSFB, 1, SSRC_A, SSRC_B);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
}

/* What the relay forwards: reduced-size packets pass, broken ones do not. */
static void
relay_validation_accepts_reduced_size(void **state)
{
	static const uint32_t one[] = {SSRC_A};
	struct builder b = {0};

	(void)state;
	add_bye(&b, one, 1, NULL);
	add_sdes(&b, one, 1, "x");
	assert_int_equal(rtcp_validate_relay(b.buf, b.len, NULL), 0);
	assert_int_equal(rtcp_validate(b.buf, b.len, NULL), -EBADMSG);
	/* A cut inside the second packet is still refused. */
	assert_int_equal(rtcp_validate_relay(b.buf, b.len - 4, NULL), -EBADMSG);

	memset(&b, 0, sizeof(b));
	add_app(&b, SSRC_A);
	assert_int_equal(rtcp_validate_relay(b.buf, b.len, NULL), 0);
	b.buf[0] = (uint8_t)((b.buf[0] & 0x3f) | 0x40); /* version 1 */
	assert_int_equal(rtcp_validate_relay(b.buf, b.len, NULL), -EBADMSG);

	memset(&b, 0, sizeof(b));
	add_fb(&b, RTCP_PSFB, 1, SSRC_A, SSRC_B);
	assert_int_equal(rtcp_validate_relay(b.buf, b.len, NULL), 0);
}

static void
validate_rejects_version_other_than_2(void **state)
{
	struct builder b;
	uint8_t v;

	(void)state;
	for (v = 0; v < 4; v++) {
		if (v == 2)
			continue;
		build_sr_sdes(&b);
		b.buf[0] = (uint8_t)((b.buf[0] & 0x3f) | v << 6);
		assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
		build_sr_sdes(&b);
		b.buf[52] = (uint8_t)((b.buf[52] & 0x3f) | v << 6); /* the SDES */
		assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	}
}

static void
validate_rejects_types_outside_rtcp_range(void **state)
{
	static const uint8_t bad[] = {0, 72, 191, 224, 255};
	struct builder b;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		build_sr_sdes(&b);
		b.buf[52 + 1] = bad[i];
		assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	}
}

static void
padding_only_on_last_packet(void **state)
{
	static const uint32_t rb[] = {SSRC_B};
	static const uint32_t one[] = {SSRC_A};
	struct rtcp_summary sum;
	struct builder b = {0};

	(void)state;
	/* padding on the first of two packets */
	add_rr(&b, SSRC_A, rb, 1);
	pkt_pad(&b, 4);
	add_sdes(&b, one, 1, "x");
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);

	/* padding on the last */
	memset(&b, 0, sizeof(b));
	add_rr(&b, SSRC_A, rb, 1);
	add_sdes(&b, one, 1, "x");
	pkt_pad(&b, 8);
	assert_int_equal(validate_exact(b.buf, b.len, &sum), 0);
	assert_int_equal(sum.n_packets, 2);

	/* 6.4.1: a compound of one padded packet is fine */
	memset(&b, 0, sizeof(b));
	add_rr(&b, SSRC_A, rb, 1);
	pkt_pad(&b, 4);
	assert_int_equal(validate_exact(b.buf, b.len, &sum), 0);
	assert_int_equal(sum.n_rr, 1);
}

static void
padding_count_must_fit(void **state)
{
	static const uint32_t rb[] = {SSRC_B};
	struct builder b = {0};

	(void)state;
	add_rr(&b, SSRC_A, NULL, 0);
	pkt_pad(&b, 4);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), 0);
	b.buf[b.len - 1] = 0; /* zero count */
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	b.buf[b.len - 1] = 9; /* into the header */
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	b.buf[b.len - 1] = 8; /* eats the SSRC: the RR no longer fits */
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);

	/* padding cannot stand in for a report block */
	memset(&b, 0, sizeof(b));
	add_rr(&b, SSRC_A, rb, 1);
	pkt_pad(&b, 4);
	b.buf[b.len - 1] = 28;
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
}

static void
lengths_must_sum_to_datagram(void **state)
{
	struct builder b;

	(void)state;
	build_sr_sdes(&b);
	/* the datagram is longer than the packets */
	b.len += 4;
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	b.len -= 4;
	/* a length field one word too long, then one too short */
	b.buf[52 + 3]++;
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	b.buf[52 + 3] -= 2;
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	b.buf[52 + 3]++;
	/* not a multiple of 32 bits */
	assert_int_equal(validate_exact(b.buf, b.len - 2, NULL), -EBADMSG);
	assert_int_equal(validate_exact(b.buf, 0, NULL), -EBADMSG);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), 0);
}

static void
report_count_must_fit_length(void **state)
{
	static const uint32_t rb[] = {SSRC_B, SSRC_C};
	struct builder b = {0};

	(void)state;
	add_sr(&b, SSRC_A, rb, 2);
	b.buf[0]++; /* RC 3, two blocks */
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);

	memset(&b, 0, sizeof(b));
	add_rr(&b, SSRC_A, rb, 2);
	b.buf[0] = (uint8_t)((b.buf[0] & 0xe0) | 31);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
	b.buf[0] = (uint8_t)((b.buf[0] & 0xe0) | 1); /* fewer blocks than room: fine */
	assert_int_equal(validate_exact(b.buf, b.len, NULL), 0);

	/* an SR too short for its sender info */
	memset(&b, 0, sizeof(b));
	pkt_begin(&b, 0, RTCP_SR);
	put32(&b, SSRC_A);
	put32(&b, 0);
	pkt_finish(&b);
	assert_int_equal(validate_exact(b.buf, b.len, NULL), -EBADMSG);
}

/*
 * Every truncation of a valid compound is rejected, except a cut at a
 * packet boundary, which leaves a valid, shorter compound.
 */
static void
validate_rejects_every_truncation(void **state)
{
	struct rtcp_summary sum, full;
	struct builder b;
	uint32_t len, off, n;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			build_sr_sdes(&b);
		else
			build_every_type(&b);
		assert_int_equal(validate_exact(b.buf, b.len, &full), 0);
		for (len = 0; len < b.len; len++) {
			bool boundary = false;

			for (off = 0, n = 0; off < len; n++)
				off += 4 * ((uint32_t)load32(b.buf + off) % 65536 + 1);
			boundary = len > 0 && off == len;
			if (boundary) {
				assert_int_equal(validate_exact(b.buf, len, &sum), 0);
				assert_int_equal(sum.n_packets, n);
			} else {
				assert_int_equal(validate_exact(b.buf, len, &sum), -EBADMSG);
			}
		}
	}
}

/* xorshift64: a fixed-seed generator, identical on every libc. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Random, mostly plausible compounds: version 2, types 200..207, lengths
 * that mostly chain, random bodies full of words equal to SSRC_A.
 * Validation and translation must not touch a byte past len, and
 * translation only changes words that held SSRC_A.
 */
static void
random_input_stays_in_bounds(void **state)
{
	uint64_t seed = 0x5eed0003;
	uint8_t ref[256];
	uint32_t i, j, len;
	int accepted = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint32_t off, words;
		uint8_t *p;

		len = (uint32_t)(rng_next(&seed) % sizeof(ref));
		if (rng_next(&seed) % 8)
			len &= ~(uint32_t)3;
		for (j = 0; j < len; j++)
			ref[j] = (uint8_t)(rng_next(&seed) % 4 ? 0xa1 + j % 4 : rng_next(&seed));
		for (off = 0; off + 4 <= len; off += 4 * words) {
			words = 1 + (uint32_t)(rng_next(&seed) % 16);
			if (off + 4 * words > len)
				words = (len - off) / 4;
			ref[off] = (uint8_t)(0x80 | (rng_next(&seed) % 8 ? 0 : 0x20) |
					     rng_next(&seed) % 3);
			if (rng_next(&seed) % 32 == 0)
				ref[off] = (uint8_t)rng_next(&seed);
			ref[off + 1] = (uint8_t)(off == 0 && rng_next(&seed) % 2
							 ? 200 + rng_next(&seed) % 2
							 : 200 + rng_next(&seed) % 8);
			ref[off + 2] = 0;
			ref[off + 3] = (uint8_t)(words - 1 + (rng_next(&seed) % 16 == 0));
		}
		p = dup_exact(ref, len);
		if (rtcp_validate(p, len, NULL) == 0)
			accepted++;
		rtcp_ssrc_translate(p, len, SSRC_A, SSRC_X, SSRC_A, SSRC_Y);
		for (j = 0; j < len; j++) {
			if (p[j] != ref[j]) {
				uint32_t w = j & ~(uint32_t)3;

				assert_true(w + 4 <= len);
				assert_true(load32(ref + w) == SSRC_A);
				assert_true(load32(p + w) == SSRC_X || load32(p + w) == SSRC_Y);
			}
		}
		free(p);
	}
	assert_true(accepted > 1000); /* the generator does reach valid compounds */
}

static void
translate_rewrites_sender_and_report_blocks(void **state)
{
	static const uint32_t rb[] = {SSRC_B, SSRC_C, SSRC_B};
	struct builder b = {0};
	uint8_t *p;

	(void)state;
	add_sr(&b, SSRC_A, rb, 3);
	add_rr(&b, SSRC_A, rb, 3);
	p = dup_exact(b.buf, b.len);
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, SSRC_B, SSRC_Y), 6);
	assert_int_equal(load32(p + 4), SSRC_X);
	assert_int_equal(load32(p + 28), SSRC_Y);
	assert_int_equal(load32(p + 28 + 24), SSRC_C);
	assert_int_equal(load32(p + 28 + 48), SSRC_Y);
	assert_int_equal(load32(p + 100 + 4), SSRC_X);
	assert_int_equal(load32(p + 100 + 8), SSRC_Y);
	assert_int_equal(load32(p + 100 + 8 + 24), SSRC_C);
	assert_int_equal(load32(p + 100 + 8 + 48), SSRC_Y);
	/* NTP words holding the same bits are not SSRCs */
	assert_int_equal(load32(p + 8), SSRC_B);
	assert_int_equal(load32(p + 12), SSRC_A);
	assert_int_equal(rtcp_validate(p, b.len, NULL), 0);
	/* the inverse mapping restores the packet */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_X, SSRC_A, SSRC_Y, SSRC_B), 6);
	assert_memory_equal(p, b.buf, b.len);
	free(p);
}

static void
translate_leaves_other_ssrcs(void **state)
{
	struct builder b;
	uint8_t *p;

	(void)state;
	build_every_type(&b);
	p = dup_exact(b.buf, b.len);
	/* C appears as report block, SDES chunk, BYE, DLRR: not asked for */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_X, SSRC_A, SSRC_Y, SSRC_B), 0);
	assert_memory_equal(p, b.buf, b.len);
	/* sender map never touches reported-on fields and the reverse */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_B, SSRC_X, SSRC_A, SSRC_Y), 0);
	assert_memory_equal(p, b.buf, b.len);
	/* a mapping to itself changes nothing and counts nothing */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_A, SSRC_B, SSRC_B), 0);
	assert_memory_equal(p, b.buf, b.len);
	free(p);
}

static void
translate_rewrites_every_packet_type(void **state)
{
	struct builder b;
	uint32_t off;
	uint8_t *p;

	(void)state;
	build_every_type(&b);
	p = dup_exact(b.buf, b.len);
	/*
	 * sender A: RR, SDES chunk, APP, RTPFB, PSFB, XR, BYE = 7;
	 * source B: RR block, RTPFB, PSFB media, XR DLRR and BT 1, 2, 3, 6, 7 = 9
	 */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, SSRC_B, SSRC_Y), 16);
	assert_int_equal(rtcp_validate(p, b.len, NULL), 0);
	/* every changed word held A or B and now holds X or Y */
	for (off = 0; off < b.len; off += 4) {
		if (load32(p + off) == load32(b.buf + off))
			continue;
		if (load32(b.buf + off) == SSRC_A)
			assert_int_equal(load32(p + off), SSRC_X);
		else
			assert_int_equal(load32(p + off), SSRC_Y);
	}
	/* the unknown type 210 and the APP data were left alone */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_X, SSRC_A, SSRC_Y, SSRC_B), 16);
	assert_memory_equal(p, b.buf, b.len);
	free(p);
}

static void
translate_rewrites_xr_blocks(void **state)
{
	struct builder b = {0};
	uint8_t *p;

	(void)state;
	add_rr(&b, SSRC_C, NULL, 0);
	add_xr(&b, SSRC_A, SSRC_B, SSRC_B, SSRC_C);
	p = dup_exact(b.buf, b.len);
	/* XR sender + both DLRR sub-blocks; RRTR and others report on C */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, SSRC_B, SSRC_Y), 3);
	assert_int_equal(load32(p + 8 + 4), SSRC_X);
	assert_int_equal(load32(p + 8 + 8 + 12 + 4), SSRC_Y);
	assert_int_equal(load32(p + 8 + 8 + 12 + 4 + 12), SSRC_Y);
	free(p);

	/* BT 1, 2, 3, 6, 7 report on C; RRTR and BT 42 contain C but no SSRC */
	p = dup_exact(b.buf, b.len);
	assert_int_equal(rtcp_ssrc_translate(p, b.len, 0, 0, SSRC_C, SSRC_Y), 5);
	free(p);
}

static void
translate_walks_sdes_items(void **state)
{
	struct builder b = {0};
	uint8_t *p;
	uint8_t i;

	(void)state;
	add_rr(&b, SSRC_C, NULL, 0);
	pkt_begin(&b, 4, RTCP_SDES);
	/* chunk 1: A with CNAME and NAME, text bytes that look like A */
	put32(&b, SSRC_A);
	put8(&b, 1);
	put8(&b, 4);
	put32(&b, SSRC_A);
	put8(&b, 2);
	put8(&b, 1);
	put8(&b, 'n');
	put8(&b, 0);
	while (b.len % 4)
		put8(&b, 0);
	/* chunk 2: C, no items: null octet plus 3 of padding */
	put32(&b, SSRC_C);
	put32(&b, 0);
	/* chunk 3: A, item ending on a word boundary: a whole null word */
	put32(&b, SSRC_A);
	put8(&b, 1);
	put8(&b, 2);
	put8(&b, 'x');
	put8(&b, 'y');
	put32(&b, 0);
	/* chunk 4: A, a 255-octet item */
	put32(&b, SSRC_A);
	put8(&b, 8);
	put8(&b, 255);
	for (i = 0; i < 255; i++)
		put8(&b, (uint8_t)(0xa1 + i % 4));
	put8(&b, 0);
	pkt_finish(&b);

	assert_int_equal(rtcp_validate(b.buf, b.len, NULL), 0);
	p = dup_exact(b.buf, b.len);
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, 0, 0), 3);
	assert_int_equal(load32(p + 8 + 4), SSRC_X);
	assert_int_equal(load32(p + 8 + 4 + 4 + 2), SSRC_A); /* CNAME text */
	assert_int_equal(load32(p + 8 + 4 + 16), SSRC_C);
	assert_int_equal(load32(p + 8 + 4 + 24), SSRC_X);
	assert_int_equal(load32(p + 8 + 4 + 36), SSRC_X);
	free(p);
}

static void
translate_stops_at_malformed_sdes(void **state)
{
	struct builder b = {0};
	uint32_t item_len;
	uint8_t *p;

	(void)state;
	add_rr(&b, SSRC_C, NULL, 0);
	pkt_begin(&b, 3, RTCP_SDES); /* says 3 chunks */
	put32(&b, SSRC_A);
	put8(&b, 1);
	item_len = b.len;
	put8(&b, 2);
	put8(&b, 'a');
	put8(&b, 'b');
	put8(&b, 0);
	while (b.len % 4)
		put8(&b, 0);
	put32(&b, SSRC_A); /* second chunk: items run to the end, no null */
	put8(&b, 1);
	put8(&b, 2);
	put8(&b, 'c');
	put8(&b, 'd');
	pkt_finish(&b);

	/* count too large, last chunk unterminated: first two still mapped */
	p = dup_exact(b.buf, b.len);
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, 0, 0), 2);
	free(p);
	/* an item length past the packet: chunk SSRC mapped, walk stops */
	b.buf[item_len] = 200;
	p = dup_exact(b.buf, b.len);
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, 0, 0), 1);
	free(p);
	/* a type octet as the last octet of the packet, no room for its length */
	b.buf[item_len] = 2;
	b.buf[b.len - 4] = 1;
	b.buf[b.len - 3] = 1;
	b.buf[b.len - 2] = 'z';
	b.buf[b.len - 1] = 7;
	p = dup_exact(b.buf, b.len);
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, 0, 0), 2);
	free(p);
}

static void
translate_ignores_padding_and_short_packets(void **state)
{
	struct builder b = {0};
	uint8_t *p;

	(void)state;
	/* an RR with RC 1 whose block is padding: nothing to translate */
	pkt_begin(&b, 1, RTCP_RR);
	put32(&b, SSRC_A);
	put_report_block(&b, SSRC_B);
	b.buf[b.len - 1] = 24;
	b.buf[b.start] |= 0x20;
	pkt_finish(&b);
	/* a feedback packet cut after its sender */
	pkt_begin(&b, 1, RTCP_PSFB);
	put32(&b, SSRC_A);
	pkt_finish(&b);
	/* BYE whose count exceeds its length */
	pkt_begin(&b, 5, RTCP_BYE);
	put32(&b, SSRC_A);
	pkt_finish(&b);
	/* XR with a block longer than the packet */
	pkt_begin(&b, 0, RTCP_XR);
	put32(&b, SSRC_A);
	put8(&b, 5);
	put8(&b, 0);
	put16(&b, 3);
	put32(&b, SSRC_B);
	pkt_finish(&b);

	p = dup_exact(b.buf, b.len);
	/* RR, PSFB, BYE and XR senders only */
	assert_int_equal(rtcp_ssrc_translate(p, b.len, SSRC_A, SSRC_X, SSRC_B, SSRC_Y), 4);
	assert_int_equal(load32(p + 8), SSRC_B);
	free(p);
}

/*
 * Translating every truncation touches no byte past the cut, and each byte
 * it does change takes the value of the full translation.
 */
static void
translate_every_truncation_stays_in_bounds(void **state)
{
	struct builder b;
	uint8_t *full, *p;
	uint32_t len, j;

	(void)state;
	build_every_type(&b);
	full = dup_exact(b.buf, b.len);
	rtcp_ssrc_translate(full, b.len, SSRC_A, SSRC_X, SSRC_B, SSRC_Y);
	for (len = 0; len <= b.len; len++) {
		p = dup_exact(b.buf, len);
		rtcp_ssrc_translate(p, len, SSRC_A, SSRC_X, SSRC_B, SSRC_Y);
		for (j = 0; j < len; j++)
			assert_true(p[j] == b.buf[j] || p[j] == full[j]);
		free(p);
	}
	free(full);
}

struct capture_rtcp {
	uint8_t buf[1500];
	uint32_t len;
	uint16_t sport;
};

/* The RTCP datagrams of the call: UDP to or from the odd ports. */
static unsigned int
read_capture_rtcp(struct capture_rtcp *out, unsigned int max)
{
	struct pcap_reader *r = pcap_reader_open("pair_pcmu_sip_rtp_5s.pcap");
	struct pcap_udp u;
	unsigned int n = 0;

	if (r == NULL)
		return 0;
	while (pcap_reader_next_udp(r, &u) == 0) {
		if (u.dport != 40003 && u.dport != 40011)
			continue;
		assert_true(n < max);
		assert_true(u.len <= sizeof(out[n].buf));
		memcpy(out[n].buf, u.payload, u.len);
		out[n].len = u.len;
		out[n].sport = u.sport;
		n++;
	}
	pcap_reader_close(r);
	return n;
}

/*
 * The six RTCP datagrams baresip sent: two SR + SDES compounds validate;
 * the APP "PING" keepalives (frames 3, 5) and the BYE + SDES compounds
 * (frames 513, 514) do not start with SR or RR and are rejected per A.2.
 */
static void
capture_sr_compounds_validate(void **state)
{
	struct capture_rtcp pkts[8];
	struct rtcp_summary sum;
	unsigned int i, n_ok = 0;

	(void)state;
	if (read_capture_rtcp(pkts, 8) == 0) {
		pcap_reader_skip("pair_pcmu_sip_rtp_5s.pcap");
		return;
	}
	for (i = 0; i < 6; i++) {
		uint8_t pt = pkts[i].buf[1];
		int ret = validate_exact(pkts[i].buf, pkts[i].len, &sum);

		if (pt == RTCP_SR) {
			assert_int_equal(ret, 0);
			assert_int_equal(sum.n_packets, 2);
			assert_int_equal(sum.n_sr, 1);
			assert_int_equal(sum.n_sdes, 1);
			assert_int_equal(sum.sender_ssrc, load32(pkts[i].buf + 4));
			assert_true(sum.sender_ssrc == 0xb2189d4e || sum.sender_ssrc == 0xd0a1cfde);
			n_ok++;
		} else {
			assert_true(pt == RTCP_APP || pt == RTCP_BYE);
			assert_int_equal(ret, -EBADMSG);
			/* they are well-formed apart from the first type */
			pkts[i].buf[1] = RTCP_RR;
			pkts[i].buf[0] &= 0xe0;
			assert_int_equal(validate_exact(pkts[i].buf, pkts[i].len, NULL), 0);
		}
	}
	assert_int_equal(n_ok, 2);
}

/* Translation works on the real compounds, validated or not. */
static void
capture_translate_rewrites_real_compounds(void **state)
{
	struct capture_rtcp pkts[8];
	unsigned int i, n;
	uint8_t *p;

	(void)state;
	n = read_capture_rtcp(pkts, 8);
	if (n == 0) {
		pcap_reader_skip("pair_pcmu_sip_rtp_5s.pcap");
		return;
	}
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++) {
		uint32_t snd = load32(pkts[i].buf + 4);
		uint32_t peer = snd == 0xb2189d4e ? 0xd0a1cfde : 0xb2189d4e;
		unsigned int expect;

		switch (pkts[i].buf[1]) {
		case RTCP_SR:
			expect = 3; /* SR sender, report block on the peer, SDES */
			break;
		case RTCP_BYE:
			expect = 2; /* BYE, SDES */
			break;
		default:
			expect = 1; /* APP */
			break;
		}
		p = dup_exact(pkts[i].buf, pkts[i].len);
		assert_int_equal(rtcp_ssrc_translate(p, pkts[i].len, snd, SSRC_X, peer, SSRC_Y),
				 expect);
		assert_int_equal(load32(p + 4), SSRC_X);
		assert_int_equal(rtcp_ssrc_translate(p, pkts[i].len, SSRC_X, snd, SSRC_Y, peer),
				 expect);
		assert_memory_equal(p, pkts[i].buf, pkts[i].len);
		free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(validate_accepts_sr_sdes_compound),
		cmocka_unit_test(validate_accepts_empty_rr),
		cmocka_unit_test(validate_counts_every_packet_type),
		cmocka_unit_test(compound_must_start_with_sr_or_rr),
		cmocka_unit_test(relay_validation_accepts_reduced_size),
		cmocka_unit_test(validate_rejects_version_other_than_2),
		cmocka_unit_test(validate_rejects_types_outside_rtcp_range),
		cmocka_unit_test(padding_only_on_last_packet),
		cmocka_unit_test(padding_count_must_fit),
		cmocka_unit_test(lengths_must_sum_to_datagram),
		cmocka_unit_test(report_count_must_fit_length),
		cmocka_unit_test(validate_rejects_every_truncation),
		cmocka_unit_test(random_input_stays_in_bounds),
		cmocka_unit_test(translate_rewrites_sender_and_report_blocks),
		cmocka_unit_test(translate_leaves_other_ssrcs),
		cmocka_unit_test(translate_rewrites_every_packet_type),
		cmocka_unit_test(translate_rewrites_xr_blocks),
		cmocka_unit_test(translate_walks_sdes_items),
		cmocka_unit_test(translate_stops_at_malformed_sdes),
		cmocka_unit_test(translate_ignores_padding_and_short_packets),
		cmocka_unit_test(translate_every_truncation_stays_in_bounds),
		cmocka_unit_test(capture_sr_compounds_validate),
		cmocka_unit_test(capture_translate_rewrites_real_compounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
