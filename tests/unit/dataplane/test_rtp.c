/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/rtp/rtp.c: RTP header parsing (RFC 3550 5.1,
 * 5.3.1, A.1) on hand-built, malformed, truncated and random headers and on
 * the real streams of the shared captures, and RFC 5761 RTP/RTCP demux.
 * Buffers under test are heap copies of exactly the tested length, so
 * valgrind flags any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtp/rtp.h"

#include "pcap_reader.h"

/* A heap copy of exactly len bytes (malloc(0) may be NULL: never read then). */
static uint8_t *
dup_exact(const uint8_t *buf, uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, buf, len);
	return p;
}

static int
parse_exact(const uint8_t *buf, uint32_t len, struct rtp_info *info)
{
	uint8_t *p = dup_exact(buf, len);
	int ret = rtp_parse(p, len, info);

	free(p);
	return ret;
}

/* V=2, PT 0, seq 0x1234, ts 160, SSRC 0xb2189d4e, 4 payload octets. */
static const uint8_t minimal[] = {
	0x80, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0xa0,
	0xb2, 0x18, 0x9d, 0x4e, 0xde, 0xad, 0xbe, 0xef,
};

static void
parse_accepts_minimal_header(void **state)
{
	struct rtp_info info;

	(void)state;
	assert_int_equal(parse_exact(minimal, sizeof(minimal), &info), 0);
	assert_int_equal(info.seq, 0x1234);
	assert_int_equal(info.ts, 160);
	assert_int_equal(info.ssrc, 0xb2189d4e);
	assert_int_equal(info.hdr_len, RTP_HDR_LEN);
	assert_int_equal(info.payload_len, 4);
	assert_int_equal(info.pt, 0);
	assert_int_equal(info.marker, 0);
	assert_int_equal(info.cc, 0);
	assert_int_equal(info.padding, 0);
	assert_int_equal(info.ext, 0);
}

static void
parse_reads_marker_and_payload_type(void **state)
{
	uint8_t pkt[RTP_HDR_LEN] = {0x80, 0xe0};
	struct rtp_info info;

	(void)state;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.marker, 1);
	assert_int_equal(info.pt, 96);
	assert_int_equal(info.payload_len, 0);
}

static void
parse_rejects_version_1(void **state)
{
	uint8_t pkt[sizeof(minimal)];
	struct rtp_info info;

	(void)state;
	memcpy(pkt, minimal, sizeof(pkt));
	pkt[0] = 0x40;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EPROTONOSUPPORT);
}

static void
parse_rejects_versions_0_and_3(void **state)
{
	uint8_t pkt[sizeof(minimal)];
	struct rtp_info info;

	(void)state;
	memcpy(pkt, minimal, sizeof(pkt));
	pkt[0] = 0x00;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EPROTONOSUPPORT);
	pkt[0] = 0xc0;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EPROTONOSUPPORT);
}

static void
parse_rejects_shorter_than_fixed_header(void **state)
{
	struct rtp_info info;
	uint32_t len;

	(void)state;
	for (len = 0; len < RTP_HDR_LEN; len++)
		assert_int_equal(parse_exact(minimal, len, &info), -EBADMSG);
}

static void
parse_rejects_rtcp_sr_and_rr_types(void **state)
{
	uint8_t pkt[sizeof(minimal)];
	struct rtp_info info;

	(void)state;
	/* A.1: marker + PT 72/73 is the second octet of an RTCP SR/RR */
	memcpy(pkt, minimal, sizeof(pkt));
	pkt[1] = 200;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
	pkt[1] = 201;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
	pkt[1] = 72; /* same PT without marker: no conflict */
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
}

static void
parse_counts_csrcs_in_header_length(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 2 * 4 + 3] = {0x82, 0x08};
	struct rtp_info info;

	(void)state;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.cc, 2);
	assert_int_equal(info.hdr_len, 20);
	assert_int_equal(info.payload_len, 3);
	assert_int_equal(info.pt, 8);
}

static void
parse_rejects_csrcs_past_end(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + RTP_CSRC_MAX * 4] = {0x8f};
	struct rtp_info info;

	(void)state;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.hdr_len, sizeof(pkt));
	assert_int_equal(parse_exact(pkt, sizeof(pkt) - 1, &info), -EBADMSG);
}

static void
parse_skips_header_extension(void **state)
{
	/* 5.3.1: profile 0xbede, length 2 words, then 8 octets, then payload */
	uint8_t pkt[RTP_HDR_LEN + 4 + 8 + 5] = {0x90, 0x00};
	struct rtp_info info;

	(void)state;
	pkt[12] = 0xbe;
	pkt[13] = 0xde;
	pkt[15] = 2;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.ext, 1);
	assert_int_equal(info.hdr_len, 24);
	assert_int_equal(info.payload_len, 5);
}

static void
parse_accepts_empty_extension(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 4] = {0x90, 0x00};
	struct rtp_info info;

	(void)state;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.hdr_len, 16);
	assert_int_equal(info.payload_len, 0);
}

static void
parse_rejects_extension_past_end(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 4 + 8] = {0x90, 0x00};
	struct rtp_info info;

	(void)state;
	pkt[15] = 3; /* 12 octets announced, 8 present */
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
	pkt[15] = 0xff;
	pkt[14] = 0xff; /* 65535 words */
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
	/* extension header itself cut */
	assert_int_equal(parse_exact(pkt, RTP_HDR_LEN + 3, &info), -EBADMSG);
}

static void
parse_extension_follows_csrcs(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 4 + 4 + 4 + 2] = {0x91, 0x00};
	struct rtp_info info;

	(void)state;
	pkt[RTP_HDR_LEN + 4 + 3] = 1; /* extension length after the one CSRC */
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.hdr_len, RTP_HDR_LEN + 4 + 4 + 4);
	assert_int_equal(info.payload_len, 2);
}

static void
parse_strips_padding(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 5 + 3] = {0xa0, 0x00};
	struct rtp_info info;

	(void)state;
	pkt[sizeof(pkt) - 1] = 3;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.padding, 3);
	assert_int_equal(info.payload_len, 5);
	assert_int_equal(info.hdr_len, RTP_HDR_LEN);
}

static void
parse_rejects_zero_padding_count(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 4] = {0xa0, 0x00};
	struct rtp_info info;

	(void)state;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
}

static void
parse_rejects_padding_longer_than_payload(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 4] = {0xa0, 0x00};
	struct rtp_info info;

	(void)state;
	pkt[sizeof(pkt) - 1] = 5;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
	/* padding may take the whole payload */
	pkt[sizeof(pkt) - 1] = 4;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.payload_len, 0);
	assert_int_equal(info.padding, 4);
}

static void
parse_padding_cannot_eat_extension(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 4 + 4 + 2] = {0xb0, 0x00};
	struct rtp_info info;

	(void)state;
	pkt[15] = 1;
	pkt[sizeof(pkt) - 1] = 3; /* 2 octets after the extension */
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
	pkt[sizeof(pkt) - 1] = 2;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.hdr_len, 20);
	assert_int_equal(info.payload_len, 0);
}

static void
parse_rejects_lengths_above_16_bits(void **state)
{
	uint8_t *pkt = calloc(1, 65536);
	struct rtp_info info;

	(void)state;
	assert_non_null(pkt);
	pkt[0] = 0x80;
	assert_int_equal(rtp_parse(pkt, 65535, &info), 0);
	assert_int_equal(info.payload_len, 65535 - RTP_HDR_LEN);
	assert_int_equal(rtp_parse(pkt, 65536, &info), -EBADMSG);
	free(pkt);
}

static void
parse_leaves_info_untouched_on_error(void **state)
{
	struct rtp_info info, ref;
	uint8_t pkt[sizeof(minimal)];

	(void)state;
	memset(&ref, 0x5a, sizeof(ref));
	memcpy(pkt, minimal, sizeof(pkt));
	pkt[0] = 0xa0;
	pkt[sizeof(pkt) - 1] = 0; /* zero padding count */
	info = ref;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EBADMSG);
	assert_memory_equal(&info, &ref, sizeof(info));
	pkt[0] = 0x40;
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), -EPROTONOSUPPORT);
	assert_memory_equal(&info, &ref, sizeof(info));
}

/*
 * Every truncation of a packet with CSRCs, extension and padding: cut into
 * the header it is rejected; cut into the payload, the padding count is
 * read from a payload octet (0 here), so it is rejected too. The full
 * packet parses.
 */
static void
parse_rejects_every_truncation(void **state)
{
	uint8_t pkt[RTP_HDR_LEN + 2 * 4 + 4 + 4 + 8 + 4] = {0xb2, 0x60};
	struct rtp_info info;
	uint32_t len;

	(void)state;
	pkt[RTP_HDR_LEN + 8 + 3] = 1; /* one extension word */
	pkt[sizeof(pkt) - 1] = 4;     /* 4 padding octets, payload all zero */
	assert_int_equal(parse_exact(pkt, sizeof(pkt), &info), 0);
	assert_int_equal(info.hdr_len, 28);
	assert_int_equal(info.payload_len, 8);
	assert_int_equal(info.padding, 4);
	for (len = 0; len < sizeof(pkt); len++)
		assert_int_equal(parse_exact(pkt, len, &info), -EBADMSG);
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

static void
parse_accounts_every_octet_of_random_input(void **state)
{
	uint64_t seed = 0x5eed0001;
	struct rtp_info info;
	uint8_t buf[96];
	uint32_t len, i;
	int ok = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		uint32_t j;

		len = (uint32_t)(rng_next(&seed) % sizeof(buf));
		for (j = 0; j < sizeof(buf); j++)
			buf[j] = (uint8_t)rng_next(&seed);
		/* mostly version 2, small extension lengths, to reach every branch */
		if (rng_next(&seed) % 8)
			buf[0] = (uint8_t)(0x80 | (buf[0] & 0x3f));
		if (len > 15 && rng_next(&seed) % 2)
			buf[14] = 0;
		if (len > 0 && rng_next(&seed) % 2)
			buf[len - 1] &= 0x0f;
		if (parse_exact(buf, len, &info) == 0) {
			assert_int_equal(info.hdr_len + info.payload_len + info.padding, len);
			assert_true(info.hdr_len >= RTP_HDR_LEN + 4 * info.cc);
			ok++;
		}
	}
	assert_true(ok > 1000); /* the generator does reach valid packets */
}

static void
rtcp_mux_splits_at_192_and_223(void **state)
{
	uint8_t pkt[2] = {0x80, 0};

	(void)state;
	pkt[1] = 191;
	assert_false(rtp_is_rtcp_mux(pkt, 2));
	pkt[1] = 192;
	assert_true(rtp_is_rtcp_mux(pkt, 2));
	pkt[1] = 200;
	assert_true(rtp_is_rtcp_mux(pkt, 2));
	pkt[1] = 223;
	assert_true(rtp_is_rtcp_mux(pkt, 2));
	pkt[1] = 224;
	assert_false(rtp_is_rtcp_mux(pkt, 2));
	pkt[1] = 200;
	assert_false(rtp_is_rtcp_mux(pkt, 1));
	assert_false(rtp_is_rtcp_mux(pkt, 0));
}

struct capture_stream {
	const char *file;
	uint32_t ssrc;
	uint8_t pt;
	uint16_t first_seq;
	uint32_t first_ts;
};

/* Every packet of a one-stream capture parses as its README describes. */
static void
check_capture_stream(const struct capture_stream *cs)
{
	struct pcap_reader *r = pcap_reader_open(cs->file);
	struct rtp_info info;
	struct pcap_udp u;
	uint32_t n = 0;
	int ret;

	if (r == NULL) {
		pcap_reader_skip(cs->file);
		return;
	}
	while ((ret = pcap_reader_next_udp(r, &u)) == 0) {
		assert_false(rtp_is_rtcp_mux(u.payload, u.len));
		assert_int_equal(parse_exact(u.payload, u.len, &info), 0);
		assert_int_equal(info.ssrc, cs->ssrc);
		assert_int_equal(info.pt, cs->pt);
		assert_int_equal(info.seq, (uint16_t)(cs->first_seq + n));
		assert_int_equal(info.ts, cs->first_ts + 160 * n);
		assert_int_equal(info.marker, n == 0);
		assert_int_equal(info.hdr_len, RTP_HDR_LEN);
		assert_int_equal(info.payload_len, 160);
		assert_int_equal(info.cc + info.ext + info.padding, 0);
		n++;
	}
	pcap_reader_close(r);
	assert_int_equal(ret, -ENOENT);
	assert_int_equal(n, 251);
}

static void
capture_pcmu_stream_parses(void **state)
{
	static const struct capture_stream cs = {
		"rtp_pcmu_1000hz_5s.pcap", 0xb2189d4e, 0, 32382, 37385,
	};

	(void)state;
	check_capture_stream(&cs);
}

static void
capture_pcma_stream_parses(void **state)
{
	static const struct capture_stream cs = {
		"rtp_pcma_440hz_5s.pcap", 0xdecd4647, 8, 25084, 40195,
	};

	(void)state;
	check_capture_stream(&cs);
}

/*
 * The whole call: RTP on the even ports 40002/40010 parses and is not
 * taken for RTCP; the RTCP on the odd ports is (RFC 5761 4 demux).
 */
static void
capture_call_demuxes_rtp_and_rtcp(void **state)
{
	struct pcap_reader *r = pcap_reader_open("pair_pcmu_sip_rtp_5s.pcap");
	uint32_t n_rtp = 0, n_rtcp = 0;
	struct rtp_info info;
	struct pcap_udp u;

	(void)state;
	if (r == NULL) {
		pcap_reader_skip("pair_pcmu_sip_rtp_5s.pcap");
		return;
	}
	while (pcap_reader_next_udp(r, &u) == 0) {
		if (u.dport == 40002 || u.dport == 40010) {
			assert_false(rtp_is_rtcp_mux(u.payload, u.len));
			assert_int_equal(parse_exact(u.payload, u.len, &info), 0);
			assert_int_equal(info.pt, 0);
			n_rtp++;
		} else if (u.dport == 40003 || u.dport == 40011) {
			assert_true(rtp_is_rtcp_mux(u.payload, u.len));
			n_rtcp++;
		}
	}
	pcap_reader_close(r);
	assert_int_equal(n_rtp, 2 * 251);
	assert_int_equal(n_rtcp, 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_minimal_header),
		cmocka_unit_test(parse_reads_marker_and_payload_type),
		cmocka_unit_test(parse_rejects_version_1),
		cmocka_unit_test(parse_rejects_versions_0_and_3),
		cmocka_unit_test(parse_rejects_shorter_than_fixed_header),
		cmocka_unit_test(parse_rejects_rtcp_sr_and_rr_types),
		cmocka_unit_test(parse_counts_csrcs_in_header_length),
		cmocka_unit_test(parse_rejects_csrcs_past_end),
		cmocka_unit_test(parse_skips_header_extension),
		cmocka_unit_test(parse_accepts_empty_extension),
		cmocka_unit_test(parse_rejects_extension_past_end),
		cmocka_unit_test(parse_extension_follows_csrcs),
		cmocka_unit_test(parse_strips_padding),
		cmocka_unit_test(parse_rejects_zero_padding_count),
		cmocka_unit_test(parse_rejects_padding_longer_than_payload),
		cmocka_unit_test(parse_padding_cannot_eat_extension),
		cmocka_unit_test(parse_rejects_lengths_above_16_bits),
		cmocka_unit_test(parse_leaves_info_untouched_on_error),
		cmocka_unit_test(parse_rejects_every_truncation),
		cmocka_unit_test(parse_accounts_every_octet_of_random_input),
		cmocka_unit_test(rtcp_mux_splits_at_192_and_223),
		cmocka_unit_test(capture_pcmu_stream_parses),
		cmocka_unit_test(capture_pcma_stream_parses),
		cmocka_unit_test(capture_call_demuxes_rtp_and_rtcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
