/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/stats/rtcp_report.c: SR and RR fields (RFC 3550
 * 6.4.1, 6.4.2) including the signed 24-bit cumulative loss, compounds
 * with SDES, BYE and APP skipped, reduced-size RTCP (RFC 5506), padding,
 * the cap on report blocks, and every rejection rule of rtcp_report.h.
 * The fuzz cases parse random buffers, every truncation and every single
 * bit flip of a valid compound from an exact-size heap copy (so that an
 * ASan build catches any over-read): the result must be 0 with consistent
 * counts or -EBADMSG with an empty report.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../../../control/stats/rtcp_report.h"

struct pkt {
	uint8_t b[4096];
	size_t len;
};

static void
put8(struct pkt *p, uint8_t v)
{
	assert_true(p->len < sizeof(p->b));
	p->b[p->len++] = v;
}

static void
put32(struct pkt *p, uint32_t v)
{
	put8(p, (uint8_t)(v >> 24));
	put8(p, (uint8_t)(v >> 16));
	put8(p, (uint8_t)(v >> 8));
	put8(p, (uint8_t)v);
}

/* header with the length field filled in by end() */
static size_t
hdr(struct pkt *p, unsigned int count, uint8_t pt)
{
	size_t start = p->len;

	put8(p, (uint8_t)(0x80 | count));
	put8(p, pt);
	put8(p, 0);
	put8(p, 0);
	return start;
}

static void
end(struct pkt *p, size_t start)
{
	size_t words = (p->len - start) / 4 - 1;

	assert_int_equal((p->len - start) % 4, 0);
	p->b[start + 2] = (uint8_t)(words >> 8);
	p->b[start + 3] = (uint8_t)words;
}

/* report block i of reporter: values derived from i so they can be checked */
static void
block(struct pkt *p, uint32_t i, int32_t cum_lost)
{
	uint32_t cl = (uint32_t)cum_lost & 0xffffff;

	put32(p, 0x50000000u + i);
	put8(p, (uint8_t)(10 + i));
	put8(p, (uint8_t)(cl >> 16));
	put8(p, (uint8_t)(cl >> 8));
	put8(p, (uint8_t)cl);
	put32(p, 0x00010000u + i);
	put32(p, 100 + i);
	put32(p, 0xabcd0000u + i);
	put32(p, 6554 + i);
}

static void
sr(struct pkt *p, uint32_t ssrc, unsigned int n_blocks)
{
	size_t s = hdr(p, n_blocks, 200);

	put32(p, ssrc);
	put32(p, 0xe1234567u); /* NTP seconds */
	put32(p, 0x89abcdefu); /* NTP fraction */
	put32(p, 160000);
	put32(p, 1000);
	put32(p, 160000);
	for (unsigned int i = 0; i < n_blocks; i++)
		block(p, i, (int32_t)i);
	end(p, s);
}

static void
rr(struct pkt *p, uint32_t ssrc, unsigned int n_blocks, uint32_t first)
{
	size_t s = hdr(p, n_blocks, 201);

	put32(p, ssrc);
	for (unsigned int i = 0; i < n_blocks; i++)
		block(p, first + i, (int32_t)i);
	end(p, s);
}

static void
sdes(struct pkt *p, uint32_t ssrc)
{
	size_t s = hdr(p, 1, 202);

	put32(p, ssrc);
	put8(p, 1); /* CNAME */
	put8(p, 5);
	put8(p, 'a');
	put8(p, '@');
	put8(p, 'b');
	put8(p, '.');
	put8(p, 'c');
	put8(p, 0); /* end of list, then pad to 32 bits */
	while (p->len % 4)
		put8(p, 0);
	end(p, s);
}

static void
bye(struct pkt *p, uint32_t ssrc)
{
	size_t s = hdr(p, 1, 203);

	put32(p, ssrc);
	end(p, s);
}

static void
app(struct pkt *p, uint32_t ssrc)
{
	size_t s = hdr(p, 3, 204);

	put32(p, ssrc);
	put32(p, 0x54455354); /* "TEST" */
	put32(p, 42);
	end(p, s);
}

/* parse from an exact-size heap copy */
static int
parse_copy(const uint8_t *b, size_t len, struct rtcp_report *r)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	assert_non_null(copy);
	if (len)
		memcpy(copy, b, len);
	rc = rtcp_report_parse(copy, len, r);
	free(copy);
	return rc;
}

static void
assert_empty(const struct rtcp_report *r)
{
	static const struct rtcp_report zero;

	assert_memory_equal(r, &zero, sizeof(zero));
}

static void
assert_consistent(int rc, const struct rtcp_report *r)
{
	if (rc != 0) {
		assert_int_equal(rc, -EBADMSG);
		assert_empty(r);
		return;
	}
	assert_true(r->n_blocks <= RTCP_REPORT_BLOCKS_MAX);
	assert_true(r->n_sr + r->n_rr + r->n_other >= 1);
	assert_true(r->has_sr == (r->n_sr > 0));
	if (r->blocks_dropped)
		assert_int_equal(r->n_blocks, RTCP_REPORT_BLOCKS_MAX);
	assert_true(r->n_blocks + r->blocks_dropped <= 31 * (r->n_sr + r->n_rr));
}

static void
sr_fields(void **state)
{
	struct rtcp_report r;
	struct pkt p = { .len = 0 };

	(void)state;
	sr(&p, 0x11223344, 2);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_int_equal(r.n_sr, 1);
	assert_int_equal(r.n_rr, 0);
	assert_true(r.has_sr);
	assert_int_equal(r.sr.ssrc, 0x11223344);
	assert_true(r.sr.ntp == 0xe123456789abcdefULL);
	assert_int_equal(rtcp_ntp_mid32(r.sr.ntp), 0x456789ab);
	assert_int_equal(r.sr.rtp_ts, 160000);
	assert_int_equal(r.sr.packets, 1000);
	assert_int_equal(r.sr.octets, 160000);
	assert_int_equal(r.n_blocks, 2);
	assert_int_equal(r.blocks_dropped, 0);
	assert_int_equal(r.blocks[1].reporter, 0x11223344);
	assert_int_equal(r.blocks[1].ssrc, 0x50000001);
	assert_int_equal(r.blocks[1].fraction_lost, 11);
	assert_int_equal(r.blocks[1].cum_lost, 1);
	assert_int_equal(r.blocks[1].ext_max_seq, 0x00010001);
	assert_int_equal(r.blocks[1].jitter, 101);
	assert_int_equal(r.blocks[1].lsr, 0xabcd0001);
	assert_int_equal(r.blocks[1].dlsr, 6555);
}

static void
cumulative_lost_is_signed_24_bits(void **state)
{
	static const int32_t values[] = { 0, 1, -1, -5, 0x7fffff, -0x800000 };
	struct rtcp_report r;

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct pkt p = { .len = 0 };
		size_t s = hdr(&p, 1, 201);

		put32(&p, 7);
		block(&p, 0, values[i]);
		end(&p, s);
		assert_int_equal(parse_copy(p.b, p.len, &r), 0);
		assert_int_equal(r.blocks[0].cum_lost, values[i]);
	}
}

static void
compound_skips_other_types(void **state)
{
	struct rtcp_report r;
	struct pkt p = { .len = 0 };

	(void)state;
	rr(&p, 0x99, 1, 0);
	sdes(&p, 0x99);
	app(&p, 0x99);
	bye(&p, 0x99);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_int_equal(r.n_rr, 1);
	assert_int_equal(r.n_other, 3);
	assert_false(r.has_sr);
	assert_int_equal(r.n_blocks, 1);
	assert_int_equal(r.blocks[0].reporter, 0x99);
	assert_int_equal(r.blocks[0].ssrc, 0x50000000);
}

static void
reduced_size_and_empty_rr(void **state)
{
	struct rtcp_report r;
	struct pkt p = { .len = 0 };
	size_t s;

	(void)state;
	/* RFC 5506: a lone feedback packet (PSFB PLI) is a valid packet */
	s = hdr(&p, 1, 206);
	put32(&p, 1);
	put32(&p, 2);
	end(&p, s);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_int_equal(r.n_other, 1);
	assert_int_equal(r.n_blocks, 0);
	/* an RR with no block (nothing received yet) */
	p.len = 0;
	rr(&p, 3, 0, 0);
	sdes(&p, 3);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_int_equal(r.n_rr, 1);
	assert_int_equal(r.n_blocks, 0);
	/* reduced size: the SR need not come first */
	p.len = 0;
	sdes(&p, 3);
	sr(&p, 3, 1);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_true(r.has_sr);
	assert_int_equal(r.n_blocks, 1);
}

static void
profile_extension_and_padding(void **state)
{
	struct rtcp_report r;
	struct pkt p = { .len = 0 };
	size_t s;

	(void)state;
	/* 6.4.1: profile-specific extension after the blocks */
	s = hdr(&p, 1, 201);
	put32(&p, 8);
	block(&p, 0, 0);
	put32(&p, 0xdeadbeef);
	put32(&p, 0xfeedface);
	end(&p, s);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_int_equal(r.n_blocks, 1);
	/* padding on the last packet (count includes itself) */
	p.len = 0;
	sdes(&p, 8);
	s = hdr(&p, 1, 201);
	p.b[s] |= 0x20;
	put32(&p, 8);
	block(&p, 0, 0);
	put32(&p, 0x00000004);
	end(&p, s);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_int_equal(r.n_blocks, 1);
	/* the same padding on the first packet: rejected (A.2) */
	p.len = 0;
	s = hdr(&p, 1, 201);
	p.b[s] |= 0x20;
	put32(&p, 8);
	block(&p, 0, 0);
	put32(&p, 0x00000004);
	end(&p, s);
	sdes(&p, 8);
	assert_int_equal(parse_copy(p.b, p.len, &r), -EBADMSG);
	assert_empty(&r);
}

static void
bad_padding(void **state)
{
	struct rtcp_report r;
	struct pkt p = { .len = 0 };
	size_t s;

	(void)state;
	/* padding count 0 */
	s = hdr(&p, 0, 201);
	p.b[s] |= 0x20;
	put32(&p, 8);
	put32(&p, 0);
	end(&p, s);
	assert_int_equal(parse_copy(p.b, p.len, &r), -EBADMSG);
	/* padding eating the header */
	p.b[p.len - 1] = 12;
	assert_int_equal(parse_copy(p.b, p.len, &r), -EBADMSG);
	/* padding eating the report block the count announces */
	p.len = 0;
	s = hdr(&p, 1, 201);
	p.b[s] |= 0x20;
	put32(&p, 8);
	block(&p, 0, 0);
	end(&p, s);
	p.b[p.len - 1] = 4;
	assert_int_equal(parse_copy(p.b, p.len, &r), -EBADMSG);
	assert_empty(&r);
}

static void
structural_errors(void **state)
{
	struct rtcp_report r;
	struct pkt p = { .len = 0 };
	struct pkt q;

	(void)state;
	rr(&p, 1, 1, 0);
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	/* empty and shorter than a header */
	assert_int_equal(parse_copy(p.b, 0, &r), -EBADMSG);
	assert_int_equal(parse_copy(p.b, 3, &r), -EBADMSG);
	assert_int_equal(rtcp_report_parse(NULL, 8, &r), -EBADMSG);
	/* version 1 and 3 */
	q = p;
	q.b[0] = (uint8_t)((q.b[0] & 0x3f) | 0x40);
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	q.b[0] |= 0xc0;
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	/* a type outside 192..223 (an RTP payload type 72 with marker) */
	q = p;
	q.b[1] = 72;
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	q.b[1] = 224;
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	/* length beyond the buffer */
	q = p;
	q.b[3]++;
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	/* trailing octets that are not a packet */
	q = p;
	q.len += 2;
	q.b[p.len] = 0x80;
	q.b[p.len + 1] = 201;
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	/* report count larger than the length */
	q = p;
	q.b[0] = (uint8_t)((q.b[0] & 0xe0) | 2);
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	/* an SR whose length has no room for the sender info */
	q.len = 0;
	{
		size_t s = hdr(&q, 0, 200);

		put32(&q, 1);
		put32(&q, 2);
		end(&q, s);
	}
	assert_int_equal(parse_copy(q.b, q.len, &r), -EBADMSG);
	assert_empty(&r);
}

static void
blocks_are_capped_and_counted(void **state)
{
	struct rtcp_report r;
	struct pkt p = { .len = 0 };

	(void)state;
	sr(&p, 0xa, 31);
	rr(&p, 0xb, 31, 100);
	sr(&p, 0xc, 0); /* a second SR: counted, the first one is kept */
	assert_int_equal(parse_copy(p.b, p.len, &r), 0);
	assert_int_equal(r.n_sr, 2);
	assert_int_equal(r.n_rr, 1);
	assert_int_equal(r.sr.ssrc, 0xa);
	assert_int_equal(r.n_blocks, RTCP_REPORT_BLOCKS_MAX);
	assert_int_equal(r.blocks_dropped, 62 - RTCP_REPORT_BLOCKS_MAX);
	assert_int_equal(r.blocks[30].reporter, 0xa);
	assert_int_equal(r.blocks[30].ssrc, 0x50000000 + 30);
	assert_int_equal(r.blocks[31].reporter, 0xb);
	assert_int_equal(r.blocks[31].ssrc, 0x50000000 + 100);
}

/* a compound with every kind of packet; fills offsets of its packet ends */
static void
full_compound(struct pkt *p, size_t *ends, unsigned int *n_ends)
{
	p->len = 0;
	*n_ends = 0;
	sr(p, 0x1234, 3);
	ends[(*n_ends)++] = p->len;
	rr(p, 0x1234, 2, 10);
	ends[(*n_ends)++] = p->len;
	sdes(p, 0x1234);
	ends[(*n_ends)++] = p->len;
	app(p, 0x1234);
	ends[(*n_ends)++] = p->len;
	bye(p, 0x1234);
	ends[(*n_ends)++] = p->len;
}

static void
fuzz_truncations(void **state)
{
	struct rtcp_report r;
	struct pkt p;
	size_t ends[8], len;
	unsigned int n_ends, i;
	int rc;

	(void)state;
	full_compound(&p, ends, &n_ends);
	for (len = 0; len <= p.len; len++) {
		bool boundary = false;

		for (i = 0; i < n_ends; i++)
			boundary |= ends[i] == len;
		rc = parse_copy(p.b, len, &r);
		assert_consistent(rc, &r);
		/* a prefix is valid exactly when it ends on a packet */
		assert_int_equal(rc, boundary ? 0 : -EBADMSG);
		if (rc == 0)
			assert_int_equal(r.n_blocks, len >= ends[1] ? 5 : 3);
	}
}

static void
fuzz_bit_flips(void **state)
{
	struct rtcp_report r;
	struct pkt p, q;
	size_t ends[8];
	unsigned int n_ends;

	(void)state;
	full_compound(&p, ends, &n_ends);
	for (size_t bit = 0; bit < p.len * 8; bit++) {
		q = p;
		q.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_consistent(parse_copy(q.b, q.len, &r), &r);
	}
}

/* xorshift32: reproducible without depending on the libc's rand() */
static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
fuzz_random(void **state)
{
	struct rtcp_report r;
	uint8_t b[256];
	uint32_t seed = 0x2545f491;
	unsigned int ok = 0;

	(void)state;
	for (unsigned int iter = 0; iter < 200000; iter++) {
		size_t len = rnd(&seed) % sizeof(b);
		size_t off = 0;

		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)rnd(&seed);
		/* most iterations get plausible headers so that the walk
		 * goes deep: version 2, an RTCP type, a length in range */
		while (iter % 4 != 0 && off + 4 <= len) {
			size_t words = rnd(&seed) % ((len - off) / 4);

			b[off] = (uint8_t)(0x80 | (b[off] & 0x3f));
			if (rnd(&seed) % 8 != 0)
				b[off] &= 0xdf; /* mostly no padding */
			b[off + 1] = (uint8_t)(200 + rnd(&seed) % 8);
			b[off + 2] = (uint8_t)(words >> 8);
			b[off + 3] = (uint8_t)words;
			off += 4 * (words + 1);
		}
		{
			int rc = parse_copy(b, len, &r);

			assert_consistent(rc, &r);
			ok += rc == 0;
		}
	}
	/* the guided half must reach valid compounds now and then */
	assert_true(ok > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sr_fields),
		cmocka_unit_test(cumulative_lost_is_signed_24_bits),
		cmocka_unit_test(compound_skips_other_types),
		cmocka_unit_test(reduced_size_and_empty_rr),
		cmocka_unit_test(profile_extension_and_padding),
		cmocka_unit_test(bad_padding),
		cmocka_unit_test(structural_errors),
		cmocka_unit_test(blocks_are_capped_and_counted),
		cmocka_unit_test(fuzz_truncations),
		cmocka_unit_test(fuzz_bit_flips),
		cmocka_unit_test(fuzz_random),
	};

	return cmocka_run_group_tests_name("control_rtcp_report", tests, NULL, NULL);
}
