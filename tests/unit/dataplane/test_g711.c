/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/codec/g711.c against ITU-T G.711 and the G.191
 * STL: a handful of decoder outputs read off G.711 Tables 1 and 2, the
 * full decode tables and the encoder for all 65536 inputs compared with
 * the STL's expand/compress loops (rewritten here from G.191's g711.c
 * description, independently of the library's table construction),
 * round trips, silence codes and the payload type mapping.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec/g711.h"

/*
 * G.191 STL ulaw_expand for one code: the 14-bit value, left justified to
 * 16 bits. Sign bit set = positive; the other bits are transmitted
 * inverted; segment = exponent + 1, step 4 << segment, the decoder output
 * sits half a step into its interval, and 4 * 33 removes the bias.
 */
static int16_t
stl_ulaw_expand(uint8_t code)
{
	int sign = code < 0x80 ? -1 : 1;
	int mantissa = ~code;
	int exponent = (mantissa >> 4) & 7;
	int segment = exponent + 1;
	int step = 4 << segment;

	mantissa &= 0x0f;
	return (int16_t)(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
}

/* G.191 STL alaw_expand: even bits toggled, 1/2 step added, 13-bit scale << 3. */
static int16_t
stl_alaw_expand(uint8_t code)
{
	int ix = (code ^ 0x55) & 0x7f;
	int iexp = ix >> 4;
	int mant = ix & 0x0f;

	if (iexp > 0)
		mant += 16;
	mant = (mant << 4) + 8;
	if (iexp > 1)
		mant <<= iexp - 1;
	return (int16_t)(code > 127 ? mant : -mant);
}

/* G.191 STL ulaw_compress: 14-bit magnitude by one's complement, +33, loops. */
static uint8_t
stl_ulaw_compress(int16_t x)
{
	int absno = x < 0 ? ((~x) >> 2) + 33 : (x >> 2) + 33;
	int i, segno, low, high, code;

	if (absno > 0x1fff)
		absno = 0x1fff;
	i = absno >> 6;
	segno = 1;
	while (i != 0) {
		segno++;
		i >>= 1;
	}
	high = 8 - segno;
	low = 0x0f - ((absno >> segno) & 0x0f);
	code = (high << 4) | low;
	if (x >= 0)
		code |= 0x80;
	return (uint8_t)code;
}

/* G.191 STL alaw_compress: 12 MSBs, one's complement, shift loop. */
static uint8_t
stl_alaw_compress(int16_t x)
{
	int ix = x < 0 ? (~x) >> 4 : x >> 4;

	if (ix > 15) {
		int iexp = 1;

		while (ix > 16 + 15) {
			ix >>= 1;
			iexp++;
		}
		ix -= 16;
		ix += iexp << 4;
	}
	if (x >= 0)
		ix |= 0x80;
	return (uint8_t)(ix ^ 0x55);
}

static int
setup(void **state)
{
	(void)state;
	g711_init();
	return 0;
}

static void
ulaw_decode_matches_g711_table2_points(void **state)
{
	/* code, G.711 Table 2 decoder output (14-bit) */
	static const struct {
		uint8_t code;
		int16_t v14;
	} pts[] = {
		{0xff, 0},  {0x7f, 0},	{0xfe, 2},    {0x7e, -2},   {0xf0, 30},	  {0xef, 33},
		{0xe0, 93}, {0xdf, 99}, {0x90, 3999}, {0x8f, 4191}, {0x80, 8031}, {0x00, -8031},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		assert_int_equal(g711_decode1(G711_ULAW, pts[i].code), pts[i].v14 * 4);
}

static void
alaw_decode_matches_g711_table1_points(void **state)
{
	/* code as transmitted, G.711 Table 1 decoder output (13-bit) */
	static const struct {
		uint8_t code;
		int16_t v13;
	} pts[] = {
		{0xd5, 1},  {0x55, -1},	  {0xd4, 3},	 {0xda, 31},   {0xc5, 33},   {0xca, 63},
		{0xf5, 66}, {0xaa, 4032}, {0x2a, -4032}, {0xa5, 2112}, {0xb5, 1056}, {0x95, 264},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pts) / sizeof(pts[0]); i++)
		assert_int_equal(g711_decode1(G711_ALAW, pts[i].code), pts[i].v13 * 8);
}

static void
decode_tables_equal_g191_expand(void **state)
{
	int16_t out[256];
	uint8_t codes[256];
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		codes[c] = (uint8_t)c;
		assert_int_equal(g711_decode1(G711_ULAW, (uint8_t)c), stl_ulaw_expand((uint8_t)c));
		assert_int_equal(g711_decode1(G711_ALAW, (uint8_t)c), stl_alaw_expand((uint8_t)c));
	}
	g711_decode(G711_ULAW, codes, out, 256);
	for (c = 0; c < 256; c++)
		assert_int_equal(out[c], stl_ulaw_expand((uint8_t)c));
	g711_decode(G711_ALAW, codes, out, 256);
	for (c = 0; c < 256; c++)
		assert_int_equal(out[c], stl_alaw_expand((uint8_t)c));
}

static void
decode_extremes_are_stl_full_scale(void **state)
{
	int lo_u = 0, hi_u = 0, lo_a = 0, hi_a = 0, c;

	(void)state;
	for (c = 0; c < 256; c++) {
		int u = g711_decode1(G711_ULAW, (uint8_t)c);
		int a = g711_decode1(G711_ALAW, (uint8_t)c);

		lo_u = u < lo_u ? u : lo_u;
		hi_u = u > hi_u ? u : hi_u;
		lo_a = a < lo_a ? a : lo_a;
		hi_a = a > hi_a ? a : hi_a;
	}
	assert_int_equal(hi_u, 32124);
	assert_int_equal(lo_u, -32124);
	assert_int_equal(hi_a, 32256);
	assert_int_equal(lo_a, -32256);
}

static void
encode_equals_g191_compress_for_all_inputs(void **state)
{
	static int16_t in[65536];
	static uint8_t out_u[65536], out_a[65536];
	int32_t x;

	(void)state;
	for (x = -32768; x <= 32767; x++)
		in[x + 32768] = (int16_t)x;
	g711_encode(G711_ULAW, in, out_u, 65536);
	g711_encode(G711_ALAW, in, out_a, 65536);
	for (x = -32768; x <= 32767; x++) {
		uint8_t u = stl_ulaw_compress((int16_t)x);
		uint8_t a = stl_alaw_compress((int16_t)x);

		if (g711_encode1(G711_ULAW, (int16_t)x) != u || out_u[x + 32768] != u)
			fail_msg("mu-law encode(%d) = 0x%02x / 0x%02x, G.191 0x%02x", (int)x,
				 g711_encode1(G711_ULAW, (int16_t)x), out_u[x + 32768], u);
		if (g711_encode1(G711_ALAW, (int16_t)x) != a || out_a[x + 32768] != a)
			fail_msg("A-law encode(%d) = 0x%02x / 0x%02x, G.191 0x%02x", (int)x,
				 g711_encode1(G711_ALAW, (int16_t)x), out_a[x + 32768], a);
	}
}

static void
encode_is_monotonic(void **state)
{
	int prev_u = -32768, prev_a = -32768;
	int32_t x;

	(void)state;
	for (x = -32768; x <= 32767; x++) {
		int u = g711_decode1(G711_ULAW, g711_encode1(G711_ULAW, (int16_t)x));
		int a = g711_decode1(G711_ALAW, g711_encode1(G711_ALAW, (int16_t)x));

		assert_true(u >= prev_u);
		assert_true(a >= prev_a);
		prev_u = u;
		prev_a = a;
	}
}

static void
decode_encode_decode_round_trips(void **state)
{
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		int16_t u = g711_decode1(G711_ULAW, (uint8_t)c);
		int16_t a = g711_decode1(G711_ALAW, (uint8_t)c);

		assert_int_equal(g711_decode1(G711_ULAW, g711_encode1(G711_ULAW, u)), u);
		assert_int_equal(g711_decode1(G711_ALAW, g711_encode1(G711_ALAW, a)), a);
		/* codes come back too, but mu-law's negative zero 0x7f becomes 0xff */
		assert_int_equal(g711_encode1(G711_ULAW, u), c == 0x7f ? 0xff : c);
		assert_int_equal(g711_encode1(G711_ALAW, a), c);
	}
}

static void
silence_codes_encode_zero(void **state)
{
	int16_t zeros[160];
	uint8_t out[160];
	int i;

	(void)state;
	assert_int_equal(g711_silence(G711_ULAW), 0xff);
	assert_int_equal(g711_silence(G711_ALAW), 0xd5);
	assert_int_equal(g711_encode1(G711_ULAW, 0), 0xff);
	assert_int_equal(g711_encode1(G711_ALAW, 0), 0xd5);
	assert_int_equal(g711_decode1(G711_ULAW, 0xff), 0);
	/* A-law has no zero level: its silence is the smallest positive step */
	assert_int_equal(g711_decode1(G711_ALAW, 0xd5), 8);
	memset(zeros, 0, sizeof(zeros));
	g711_encode(G711_ULAW, zeros, out, 160);
	for (i = 0; i < 160; i++)
		assert_int_equal(out[i], 0xff);
	g711_encode(G711_ALAW, zeros, out, 160);
	for (i = 0; i < 160; i++)
		assert_int_equal(out[i], 0xd5);
}

static void
bulk_calls_take_any_alignment_and_stop_at_n(void **state)
{
	int16_t pcm[200], back[200];
	uint8_t codes[200];
	unsigned int off, n, i;

	(void)state;
	for (i = 0; i < 200; i++)
		pcm[i] = (int16_t)(i * 331 - 32000);
	for (off = 0; off < 4; off++) {
		for (n = 0; n <= 161; n += 23) {
			memset(codes, 0xaa, sizeof(codes));
			memset(back, 0x55, sizeof(back));
			g711_encode(G711_ULAW, pcm + off, codes + off, n);
			g711_decode(G711_ULAW, codes + off, back + off, n);
			for (i = 0; i < off; i++) {
				assert_int_equal(codes[i], 0xaa);
				assert_int_equal((uint16_t)back[i], 0x5555);
			}
			for (i = off; i < off + n; i++) {
				assert_int_equal(codes[i], g711_encode1(G711_ULAW, pcm[i]));
				assert_int_equal(back[i], g711_decode1(G711_ULAW, codes[i]));
			}
			assert_int_equal(codes[off + n], 0xaa);
			assert_int_equal((uint16_t)back[off + n], 0x5555);
		}
	}
}

static void
init_is_idempotent(void **state)
{
	int32_t x;

	(void)state;
	g711_init();
	g711_init();
	for (x = -32768; x <= 32767; x += 7) {
		assert_int_equal(g711_encode1(G711_ULAW, (int16_t)x),
				 stl_ulaw_compress((int16_t)x));
		assert_int_equal(g711_encode1(G711_ALAW, (int16_t)x),
				 stl_alaw_compress((int16_t)x));
	}
}

static void
law_of_pt_maps_only_0_and_8(void **state)
{
	enum g711_law law = G711_ALAW;
	unsigned int pt;

	(void)state;
	assert_int_equal(g711_law_of_pt(0, &law), 0);
	assert_int_equal(law, G711_ULAW);
	assert_int_equal(g711_law_of_pt(8, &law), 0);
	assert_int_equal(law, G711_ALAW);
	for (pt = 0; pt < 256; pt++) {
		if (pt == 0 || pt == 8)
			continue;
		assert_int_equal(g711_law_of_pt((uint8_t)pt, &law), -ENOTSUP);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ulaw_decode_matches_g711_table2_points),
		cmocka_unit_test(alaw_decode_matches_g711_table1_points),
		cmocka_unit_test(decode_tables_equal_g191_expand),
		cmocka_unit_test(decode_extremes_are_stl_full_scale),
		cmocka_unit_test(encode_equals_g191_compress_for_all_inputs),
		cmocka_unit_test(encode_is_monotonic),
		cmocka_unit_test(decode_encode_decode_round_trips),
		cmocka_unit_test(silence_codes_encode_zero),
		cmocka_unit_test(bulk_calls_take_any_alignment_and_stop_at_n),
		cmocka_unit_test(init_is_idempotent),
		cmocka_unit_test(law_of_pt_maps_only_0_and_8),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
