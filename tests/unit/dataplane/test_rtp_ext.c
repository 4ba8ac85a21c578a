/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/rtp/rtp_ext.c: RFC 8285 one-byte and two-byte
 * extension blocks (the layouts of the RFC's 4.2 and 4.3 figures),
 * padding, the one-byte ID 15 terminator, other profiles, CSRCs before
 * the block, every truncation and random blocks; the RFC 6464 audio level
 * in both forms; the RFC 6465 CSRC levels written for 1..15 CSRCs, read
 * back from a packet that rtp_parse accepts, and refused in short
 * buffers. Packets under test are heap blocks of exactly their length, so
 * valgrind flags any read past the end.
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

#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"

#define PAYLOAD_LEN 20

/* RFC 8285 4.2 figure: elements of 1, 2 and 4 octets, two padding octets. */
static const uint8_t one_byte_example[] = {
	0xbe, 0xde, 0x00, 0x03,	      /* one-byte form, 3 words */
	0x10, 0xa1,		      /* ID 1, L=0: 1 octet */
	0x21, 0xb1, 0xb2,	      /* ID 2, L=1: 2 octets */
	0x00, 0x00,		      /* padding */
	0x33, 0xc1, 0xc2, 0xc3, 0xc4, /* ID 3, L=3: 4 octets */
};

/* RFC 8285 4.3 figure: elements of 0, 1 and 4 octets, one padding octet. */
static const uint8_t two_byte_example[] = {
	0x10, 0x00, 0x00, 0x03,		    /* two-byte form, 3 words */
	0x01, 0x00,			    /* ID 1, length 0 */
	0x02, 0x01, 0xb1,		    /* ID 2, length 1 */
	0x00,				    /* padding */
	0x03, 0x04, 0xc1, 0xc2, 0xc3, 0xc4, /* ID 3, length 4 */
};

/*
 * An RTP packet (PT 0, seq 1, ts 160) with cc CSRCs, the extension block
 * ext (none when NULL) and PAYLOAD_LEN octets of payload, in a heap block
 * of exactly *len octets.
 */
static uint8_t *
packet(const uint8_t *ext, uint32_t ext_len, unsigned int cc, uint32_t *len)
{
	uint32_t i, off;
	uint8_t *p;

	*len = RTP_HDR_LEN + 4 * cc + ext_len + PAYLOAD_LEN;
	p = malloc(*len);
	assert_non_null(p);
	p[0] = (uint8_t)(0x80 | (ext != NULL ? 0x10 : 0) | cc);
	p[1] = 0;
	p[2] = 0;
	p[3] = 1;
	memcpy(p + 4, "\x00\x00\x00\xa0\x11\x22\x33\x44", 8);
	off = RTP_HDR_LEN;
	for (i = 0; i < cc; i++, off += 4) {
		memset(p + off, 0xc5, 3);
		p[off + 3] = (uint8_t)i;
	}
	if (ext != NULL)
		memcpy(p + off, ext, ext_len);
	memset(p + off + ext_len, 0xd5, PAYLOAD_LEN);
	return p;
}

static void
assert_element(const uint8_t *pkt, uint32_t len, uint8_t id, const uint8_t *want, uint8_t want_len)
{
	const uint8_t *d = NULL;
	uint8_t l = 0xff;

	assert_int_equal(rtp_ext_find(pkt, len, id, &d, &l), 0);
	assert_int_equal(l, want_len);
	assert_true(d >= pkt && d + l <= pkt + len);
	if (want_len > 0)
		assert_memory_equal(d, want, want_len);
}

static void
assert_no_element(const uint8_t *pkt, uint32_t len, uint8_t id, int err)
{
	const uint8_t *d = (const uint8_t *)"x";
	uint8_t l = 0x5a;

	assert_int_equal(rtp_ext_find(pkt, len, id, &d, &l), err);
	assert_int_equal(l, 0x5a); /* nothing written */
}

static void
one_byte_form_finds_every_element(void **state)
{
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(one_byte_example, sizeof(one_byte_example), 0, &len);
	assert_element(p, len, 1, (const uint8_t *)"\xa1", 1);
	assert_element(p, len, 2, (const uint8_t *)"\xb1\xb2", 2);
	assert_element(p, len, 3, (const uint8_t *)"\xc1\xc2\xc3\xc4", 4);
	assert_no_element(p, len, 4, -ENOENT);
	assert_no_element(p, len, 14, -ENOENT);
	assert_no_element(p, len, 15, -ENOENT); /* not an ID in this form */
	assert_no_element(p, len, 200, -ENOENT);
	assert_no_element(p, len, 0, -EINVAL);
	free(p);
}

static void
two_byte_form_finds_every_element(void **state)
{
	uint8_t ext[sizeof(two_byte_example)];
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(two_byte_example, sizeof(two_byte_example), 0, &len);
	assert_element(p, len, 1, NULL, 0);
	assert_element(p, len, 2, (const uint8_t *)"\xb1", 1);
	assert_element(p, len, 3, (const uint8_t *)"\xc1\xc2\xc3\xc4", 4);
	assert_no_element(p, len, 4, -ENOENT);
	assert_no_element(p, len, 0, -EINVAL);
	free(p);

	/* 4.3: the low 4 bits of 0x100X are appbits, any value */
	memcpy(ext, two_byte_example, sizeof(ext));
	ext[1] = 0x0f;
	p = packet(ext, sizeof(ext), 0, &len);
	assert_element(p, len, 3, (const uint8_t *)"\xc1\xc2\xc3\xc4", 4);
	free(p);
	/* 0x1010 is another profile's extension */
	ext[1] = 0x10;
	p = packet(ext, sizeof(ext), 0, &len);
	assert_no_element(p, len, 3, -ENOENT);
	free(p);
}

/* Two-byte IDs above 14 and 255-octet elements (4.3). */
static void
two_byte_form_holds_large_ids_and_lengths(void **state)
{
	uint8_t ext[4 + 260], want[255];
	uint32_t len, i;
	uint8_t *p;

	(void)state;
	memset(ext, 0, sizeof(ext));
	ext[0] = 0x10;
	ext[3] = 65; /* 260 octets */
	ext[4] = 255;
	ext[5] = 255;
	for (i = 0; i < 255; i++)
		want[i] = ext[6 + i] = (uint8_t)(i + 1);
	p = packet(ext, sizeof(ext), 0, &len);
	assert_element(p, len, 255, want, 255);
	assert_no_element(p, len, 15, -ENOENT);
	free(p);
}

/* 4.2: ID 15 ends the walk; its length is not used. */
static void
one_byte_id_15_stops_the_walk(void **state)
{
	static const uint8_t ext[] = {
		0xbe, 0xde, 0x00, 0x02, /* 2 words */
		0x10, 0xa1,		/* ID 1 */
		0xf0,			/* ID 15: stop */
		0x20, 0xb1,		/* ID 2, never reached */
		0x00, 0x00, 0x00,	/* padding */
	};
	static const uint8_t ext0[] = {
		0xbe, 0xde, 0x00, 0x01, /* 1 word */
		0x03,			/* ID 0 with a length: not padding, stop */
		0x20, 0xb1, 0x00,	/* ID 2 */
	};
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(ext, sizeof(ext), 0, &len);
	assert_element(p, len, 1, (const uint8_t *)"\xa1", 1);
	assert_no_element(p, len, 2, -ENOENT);
	free(p);
	p = packet(ext0, sizeof(ext0), 0, &len);
	assert_no_element(p, len, 2, -ENOENT);
	free(p);
}

/* Padding anywhere, including a block of padding only (4.1). */
static void
padding_is_skipped_anywhere(void **state)
{
	static const uint8_t lead[] = {
		0xbe, 0xde, 0x00, 0x02, /* 2 words */
		0x00, 0x00, 0x00, 0x00, /* padding */
		0x00, 0x00, 0x50, 0x77, /* ID 5 in the last two octets */
	};
	static const uint8_t only[] = {0xbe, 0xde, 0x00, 0x01, 0, 0, 0, 0};
	static const uint8_t empty[] = {0xbe, 0xde, 0x00, 0x00};
	static const uint8_t two_lead[] = {
		0x10, 0x00, 0x00, 0x01, /* 1 word */
		0x00, 0x09, 0x01, 0x77, /* padding, ID 9 length 1 */
	};
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(lead, sizeof(lead), 0, &len);
	assert_element(p, len, 5, (const uint8_t *)"\x77", 1);
	free(p);
	p = packet(only, sizeof(only), 0, &len);
	assert_no_element(p, len, 1, -ENOENT);
	free(p);
	p = packet(empty, sizeof(empty), 0, &len);
	assert_no_element(p, len, 1, -ENOENT);
	free(p);
	p = packet(two_lead, sizeof(two_lead), 0, &len);
	assert_element(p, len, 9, (const uint8_t *)"\x77", 1);
	free(p);
}

static void
extension_after_csrcs_is_found(void **state)
{
	uint32_t len;
	unsigned int cc;
	uint8_t *p;

	(void)state;
	for (cc = 0; cc <= RTP_CSRC_MAX; cc++) {
		p = packet(one_byte_example, sizeof(one_byte_example), cc, &len);
		assert_element(p, len, 3, (const uint8_t *)"\xc1\xc2\xc3\xc4", 4);
		free(p);
		p = packet(two_byte_example, sizeof(two_byte_example), cc, &len);
		assert_element(p, len, 2, (const uint8_t *)"\xb1", 1);
		free(p);
	}
}

static void
no_extension_or_other_profile_is_enoent(void **state)
{
	static const uint8_t other[] = {0xab, 0xac, 0x00, 0x01, 0x10, 0xa1, 0x00, 0x00};
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(NULL, 0, 2, &len);
	assert_no_element(p, len, 1, -ENOENT);
	free(p);
	p = packet(other, sizeof(other), 0, &len);
	assert_no_element(p, len, 1, -ENOENT);
	free(p);
	/* not RTP at all */
	p = packet(one_byte_example, sizeof(one_byte_example), 0, &len);
	p[0] = 0x50; /* version 1 */
	assert_no_element(p, len, 1, -EBADMSG);
	free(p);
}

/* An element running past the end of the block. */
static void
element_past_block_end_is_ebadmsg(void **state)
{
	static const uint8_t one[] = {0xbe, 0xde, 0x00, 0x01, 0x13, 0xa1, 0xa2, 0xa3};
	static const uint8_t two_hdr[] = {0x10, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x02};
	static const uint8_t two_len[] = {0x10, 0x00, 0x00, 0x01, 0x01, 0x03, 0xa1, 0xa2};
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(one, sizeof(one), 0, &len);
	assert_no_element(p, len, 1, -EBADMSG);
	assert_no_element(p, len, 2, -EBADMSG);
	free(p);
	/* ID 2 in the last octet, its length octet missing */
	p = packet(two_hdr, sizeof(two_hdr), 0, &len);
	assert_element(p, len, 1, NULL, 0);
	assert_no_element(p, len, 2, -EBADMSG);
	free(p);
	p = packet(two_len, sizeof(two_len), 0, &len);
	assert_no_element(p, len, 1, -EBADMSG);
	free(p);
}

/*
 * Every truncation of a packet, and every extension length word from 0
 * to 8 words on a fixed buffer: a packet rtp_parse refuses is -EBADMSG,
 * and whatever is found lies inside the block.
 */
static void
every_truncation_stays_in_bounds(void **state)
{
	const uint8_t *d;
	uint32_t full, len, cut, words;
	uint8_t l, *ref, *p;
	int form, ret;

	(void)state;
	for (form = 0; form < 2; form++) {
		ref = form ? packet(two_byte_example, sizeof(two_byte_example), 2, &full)
			   : packet(one_byte_example, sizeof(one_byte_example), 2, &full);
		for (cut = 0; cut <= full; cut++) {
			struct rtp_info ri;
			uint8_t id;

			p = malloc(cut ? cut : 1);
			assert_non_null(p);
			memcpy(p, ref, cut);
			for (id = 1; id <= 4; id++) {
				ret = rtp_ext_find(p, cut, id, &d, &l);
				if (rtp_parse(p, cut, &ri) != 0) {
					assert_int_equal(ret, -EBADMSG);
					continue;
				}
				/* the cut is in the payload: the block is whole */
				assert_true(cut >= RTP_HDR_LEN + 8 + 16);
				assert_int_equal(ret, id == 4 ? -ENOENT : 0);
			}
			free(p);
		}
		for (words = 0; words <= 8; words++) {
			p = malloc(full);
			assert_non_null(p);
			memcpy(p, ref, full);
			p[RTP_HDR_LEN + 8 + 3] = (uint8_t)words;
			len = full;
			ret = rtp_ext_find(p, len, 3, &d, &l);
			if (ret == 0) {
				assert_true(d >= p + RTP_HDR_LEN + 8 + 4);
				assert_true(d + l <= p + RTP_HDR_LEN + 8 + 4 + 4 * words);
			} else {
				assert_true(ret == -ENOENT || ret == -EBADMSG);
			}
			free(p);
		}
		free(ref);
	}
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

/* Random blocks in valid packets: results always inside the block. */
static void
random_blocks_stay_in_bounds(void **state)
{
	uint64_t seed = 0x5eed6464;
	uint8_t ext[4 + 64], l, id;
	uint32_t i, j, words, len;
	const uint8_t *d;
	int found = 0, ret;
	uint8_t *p;

	(void)state;
	for (i = 0; i < 20000; i++) {
		words = (uint32_t)(rng_next(&seed) % 17);
		ext[0] = rng_next(&seed) % 2 ? 0xbe : 0x10;
		ext[1] = ext[0] == 0xbe ? 0xde : (uint8_t)(rng_next(&seed) % 3);
		ext[2] = 0;
		ext[3] = (uint8_t)words;
		for (j = 0; j < 4 * words; j++)
			ext[4 + j] = (uint8_t)(rng_next(&seed) % 3 ? rng_next(&seed) % 40
								   : rng_next(&seed));
		p = packet(ext, 4 + 4 * words, (unsigned int)(rng_next(&seed) % 3), &len);
		for (id = 1; id < 40; id++) {
			ret = rtp_ext_find(p, len, id, &d, &l);
			if (ret == 0) {
				assert_true(d > p + RTP_HDR_LEN);
				assert_true(d + l <= p + len - PAYLOAD_LEN);
				found++;
			} else {
				assert_true(ret == -ENOENT || ret == -EBADMSG);
			}
		}
		free(p);
	}
	assert_true(found > 1000);
}

/* RFC 6464 3, one-byte form: ID, len=0, V, level (Figure 1 layout). */
static void
rfc6464_level_one_byte_form(void **state)
{
	static const uint8_t ext[] = {0xbe, 0xde, 0x00, 0x01, 0x10, 0x80 | 42, 0x00, 0x00};
	static const uint8_t silent[] = {0xbe, 0xde, 0x00, 0x01, 0x30, 0x7f, 0x00, 0x00};
	static const uint8_t wrong[] = {0xbe, 0xde, 0x00, 0x01, 0x11, 0x80, 0x2a, 0x00};
	uint8_t level = 0xee;
	bool voice = false;
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(ext, sizeof(ext), 0, &len);
	assert_int_equal(rtp_ext_audio_level(p, len, 1, &voice, &level), 0);
	assert_true(voice);
	assert_int_equal(level, 42); /* -42 dBov */
	assert_int_equal(rtp_ext_audio_level(p, len, 2, &voice, &level), -ENOENT);
	free(p);

	p = packet(silent, sizeof(silent), 1, &len);
	assert_int_equal(rtp_ext_audio_level(p, len, 3, &voice, &level), 0);
	assert_false(voice);
	assert_int_equal(level, RTP_EXT_LEVEL_SILENT);
	free(p);

	/* 2 octets of data: not the RFC 6464 element */
	p = packet(wrong, sizeof(wrong), 0, &len);
	level = 0xee;
	assert_int_equal(rtp_ext_audio_level(p, len, 1, &voice, &level), -EBADMSG);
	assert_int_equal(level, 0xee);
	free(p);
}

/* RFC 6464 3, two-byte form: ID, len=1, V, level, padding (Figure 2). */
static void
rfc6464_level_two_byte_form(void **state)
{
	static const uint8_t ext[] = {0x10, 0x00, 0x00, 0x01, 0x07, 0x01, 0x00 | 90, 0x00};
	static const uint8_t empty[] = {0x10, 0x00, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00};
	uint8_t level = 0;
	bool voice = true;
	uint32_t len;
	uint8_t *p;

	(void)state;
	p = packet(ext, sizeof(ext), 0, &len);
	assert_int_equal(rtp_ext_audio_level(p, len, 7, &voice, &level), 0);
	assert_false(voice);
	assert_int_equal(level, 90);
	free(p);
	p = packet(empty, sizeof(empty), 0, &len);
	assert_int_equal(rtp_ext_audio_level(p, len, 7, &voice, &level), -EBADMSG);
	free(p);
}

/*
 * RFC 6465 3, Figure 1: three CSRCs, one-byte form, "len=2" and three
 * levels, which fill the word exactly.
 */
static void
rfc6465_three_levels_fill_one_word(void **state)
{
	static const uint8_t levels[] = {10, 27, 127};
	static const uint8_t want[] = {0xbe, 0xde, 0x00, 0x01, 0x42, 10, 27, 127};
	uint8_t ext[16];

	(void)state;
	memset(ext, 0xa5, sizeof(ext));
	assert_int_equal(rtp_ext_write_csrc_levels(ext, sizeof(ext), 4, levels, 3), 8);
	assert_memory_equal(ext, want, sizeof(want));
	assert_int_equal(ext[8], 0xa5);
}

/* 1..15 levels: padding, length word, and a round trip through a packet. */
static void
rfc6465_levels_round_trip_for_every_count(void **state)
{
	uint8_t levels[RTP_CSRC_MAX], ext[24];
	const uint8_t *d;
	struct rtp_info ri;
	unsigned int n, i;
	uint32_t len, need;
	uint8_t l, *p;
	int ret;

	(void)state;
	for (n = 1; n <= RTP_CSRC_MAX; n++) {
		for (i = 0; i < n; i++)
			levels[i] = (uint8_t)(i * 9);
		memset(ext, 0xa5, sizeof(ext));
		need = RTP_EXT_CSRC_LEVELS_LEN(n);
		ret = rtp_ext_write_csrc_levels(ext, sizeof(ext), 14, levels, n);
		assert_int_equal(ret, need);
		assert_int_equal(need % 4, 0);
		assert_int_equal(need, 4 + ((1 + n + 3) / 4) * 4);
		assert_int_equal(ext[3], (need - 4) / 4);
		assert_int_equal(ext[4], 0xe0 | (n - 1));
		for (i = 5 + n; i < need; i++)
			assert_int_equal(ext[i], 0);
		if (need < sizeof(ext))
			assert_int_equal(ext[need], 0xa5);

		p = packet(ext, need, n, &len);
		assert_int_equal(rtp_parse(p, len, &ri), 0);
		assert_int_equal(ri.cc, n);
		assert_int_equal(ri.payload_len, PAYLOAD_LEN);
		assert_int_equal(rtp_ext_find(p, len, 14, &d, &l), 0);
		assert_int_equal(l, n);
		assert_memory_equal(d, levels, n);
		free(p);
	}
}

static void
rfc6465_writer_refuses_bad_input(void **state)
{
	uint8_t levels[RTP_CSRC_MAX + 1] = {0}, *ext;
	uint32_t cap, need;
	unsigned int n;

	(void)state;
	ext = malloc(32);
	assert_non_null(ext);
	assert_int_equal(rtp_ext_write_csrc_levels(ext, 32, 0, levels, 1), -EINVAL);
	assert_int_equal(rtp_ext_write_csrc_levels(ext, 32, 15, levels, 1), -EINVAL);
	assert_int_equal(rtp_ext_write_csrc_levels(ext, 32, 1, levels, 0), -EINVAL);
	assert_int_equal(rtp_ext_write_csrc_levels(ext, 32, 1, levels, 16), -EINVAL);
	levels[2] = 128;
	assert_int_equal(rtp_ext_write_csrc_levels(ext, 32, 1, levels, 3), -EINVAL);
	levels[2] = 127;
	assert_int_equal(rtp_ext_write_csrc_levels(ext, 32, 1, levels, 3), 8);
	free(ext);

	/* every capacity below the block, in exact heap buffers, untouched */
	for (n = 1; n <= RTP_CSRC_MAX; n++) {
		need = RTP_EXT_CSRC_LEVELS_LEN(n);
		for (cap = 0; cap < need; cap++) {
			uint32_t i;

			ext = malloc(cap ? cap : 1);
			assert_non_null(ext);
			memset(ext, 0xa5, cap);
			assert_int_equal(rtp_ext_write_csrc_levels(ext, cap, 1, levels, n),
					 -ENOSPC);
			for (i = 0; i < cap; i++)
				assert_int_equal(ext[i], 0xa5);
			free(ext);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_byte_form_finds_every_element),
		cmocka_unit_test(two_byte_form_finds_every_element),
		cmocka_unit_test(two_byte_form_holds_large_ids_and_lengths),
		cmocka_unit_test(one_byte_id_15_stops_the_walk),
		cmocka_unit_test(padding_is_skipped_anywhere),
		cmocka_unit_test(extension_after_csrcs_is_found),
		cmocka_unit_test(no_extension_or_other_profile_is_enoent),
		cmocka_unit_test(element_past_block_end_is_ebadmsg),
		cmocka_unit_test(every_truncation_stays_in_bounds),
		cmocka_unit_test(random_blocks_stay_in_bounds),
		cmocka_unit_test(rfc6464_level_one_byte_form),
		cmocka_unit_test(rfc6464_level_two_byte_form),
		cmocka_unit_test(rfc6465_three_levels_fill_one_word),
		cmocka_unit_test(rfc6465_levels_round_trip_for_every_count),
		cmocka_unit_test(rfc6465_writer_refuses_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
