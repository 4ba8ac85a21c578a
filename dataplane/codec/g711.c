/* SPDX-License-Identifier: BSD-3-Clause */
/* rtpgw: worker path */
/*
 * ITU-T G.711 mu-law and A-law, bit-exact with the ITU-T G.191 STL (see
 * g711.h). Decoding is a lookup in the constant 256-entry tables below;
 * encoding is a lookup in tables that g711_init computes from the
 * segment/mantissa rule of G.711 3 (Tables 1 and 2), written here with a
 * count of leading zeros instead of the STL's shift loops. The unit test
 * (tests/unit/dataplane/test_g711.c) checks both against the STL's loops
 * for every code and every 16-bit input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "codec/g711.h"

/*
 * G.711 Table 2 (mu-law) and Table 1 (A-law) decoder output values, as the
 * G.191 STL's ulaw_expand/alaw_expand scale them to 16 bits: the 14-bit
 * mu-law value times 4 and the 13-bit A-law value times 8. The code's
 * bits are the transmitted ones (mu-law inverted, A-law with the even
 * bits inverted, G.711 3.3 and 2.3), sign bit 1 for positive values.
 */
static const int16_t g711_ulaw_dec[256] = {
	-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956, /* 0x00 */
	-23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764, /* 0x08 */
	-15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412, /* 0x10 */
	-11900, -11388, -10876, -10364, -9852,	-9340,	-8828,	-8316,	/* 0x18 */
	-7932,	-7676,	-7420,	-7164,	-6908,	-6652,	-6396,	-6140,	/* 0x20 */
	-5884,	-5628,	-5372,	-5116,	-4860,	-4604,	-4348,	-4092,	/* 0x28 */
	-3900,	-3772,	-3644,	-3516,	-3388,	-3260,	-3132,	-3004,	/* 0x30 */
	-2876,	-2748,	-2620,	-2492,	-2364,	-2236,	-2108,	-1980,	/* 0x38 */
	-1884,	-1820,	-1756,	-1692,	-1628,	-1564,	-1500,	-1436,	/* 0x40 */
	-1372,	-1308,	-1244,	-1180,	-1116,	-1052,	-988,	-924,	/* 0x48 */
	-876,	-844,	-812,	-780,	-748,	-716,	-684,	-652,	/* 0x50 */
	-620,	-588,	-556,	-524,	-492,	-460,	-428,	-396,	/* 0x58 */
	-372,	-356,	-340,	-324,	-308,	-292,	-276,	-260,	/* 0x60 */
	-244,	-228,	-212,	-196,	-180,	-164,	-148,	-132,	/* 0x68 */
	-120,	-112,	-104,	-96,	-88,	-80,	-72,	-64,	/* 0x70 */
	-56,	-48,	-40,	-32,	-24,	-16,	-8,	0,	/* 0x78 */
	32124,	31100,	30076,	29052,	28028,	27004,	25980,	24956,	/* 0x80 */
	23932,	22908,	21884,	20860,	19836,	18812,	17788,	16764,	/* 0x88 */
	15996,	15484,	14972,	14460,	13948,	13436,	12924,	12412,	/* 0x90 */
	11900,	11388,	10876,	10364,	9852,	9340,	8828,	8316,	/* 0x98 */
	7932,	7676,	7420,	7164,	6908,	6652,	6396,	6140,	/* 0xa0 */
	5884,	5628,	5372,	5116,	4860,	4604,	4348,	4092,	/* 0xa8 */
	3900,	3772,	3644,	3516,	3388,	3260,	3132,	3004,	/* 0xb0 */
	2876,	2748,	2620,	2492,	2364,	2236,	2108,	1980,	/* 0xb8 */
	1884,	1820,	1756,	1692,	1628,	1564,	1500,	1436,	/* 0xc0 */
	1372,	1308,	1244,	1180,	1116,	1052,	988,	924,	/* 0xc8 */
	876,	844,	812,	780,	748,	716,	684,	652,	/* 0xd0 */
	620,	588,	556,	524,	492,	460,	428,	396,	/* 0xd8 */
	372,	356,	340,	324,	308,	292,	276,	260,	/* 0xe0 */
	244,	228,	212,	196,	180,	164,	148,	132,	/* 0xe8 */
	120,	112,	104,	96,	88,	80,	72,	64,	/* 0xf0 */
	56,	48,	40,	32,	24,	16,	8,	0,	/* 0xf8 */
};
static const int16_t g711_alaw_dec[256] = {
	-5504,	-5248,	-6016,	-5760,	-4480,	-4224,	-4992,	-4736,	/* 0x00 */
	-7552,	-7296,	-8064,	-7808,	-6528,	-6272,	-7040,	-6784,	/* 0x08 */
	-2752,	-2624,	-3008,	-2880,	-2240,	-2112,	-2496,	-2368,	/* 0x10 */
	-3776,	-3648,	-4032,	-3904,	-3264,	-3136,	-3520,	-3392,	/* 0x18 */
	-22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944, /* 0x20 */
	-30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136, /* 0x28 */
	-11008, -10496, -12032, -11520, -8960,	-8448,	-9984,	-9472,	/* 0x30 */
	-15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568, /* 0x38 */
	-344,	-328,	-376,	-360,	-280,	-264,	-312,	-296,	/* 0x40 */
	-472,	-456,	-504,	-488,	-408,	-392,	-440,	-424,	/* 0x48 */
	-88,	-72,	-120,	-104,	-24,	-8,	-56,	-40,	/* 0x50 */
	-216,	-200,	-248,	-232,	-152,	-136,	-184,	-168,	/* 0x58 */
	-1376,	-1312,	-1504,	-1440,	-1120,	-1056,	-1248,	-1184,	/* 0x60 */
	-1888,	-1824,	-2016,	-1952,	-1632,	-1568,	-1760,	-1696,	/* 0x68 */
	-688,	-656,	-752,	-720,	-560,	-528,	-624,	-592,	/* 0x70 */
	-944,	-912,	-1008,	-976,	-816,	-784,	-880,	-848,	/* 0x78 */
	5504,	5248,	6016,	5760,	4480,	4224,	4992,	4736,	/* 0x80 */
	7552,	7296,	8064,	7808,	6528,	6272,	7040,	6784,	/* 0x88 */
	2752,	2624,	3008,	2880,	2240,	2112,	2496,	2368,	/* 0x90 */
	3776,	3648,	4032,	3904,	3264,	3136,	3520,	3392,	/* 0x98 */
	22016,	20992,	24064,	23040,	17920,	16896,	19968,	18944,	/* 0xa0 */
	30208,	29184,	32256,	31232,	26112,	25088,	28160,	27136,	/* 0xa8 */
	11008,	10496,	12032,	11520,	8960,	8448,	9984,	9472,	/* 0xb0 */
	15104,	14592,	16128,	15616,	13056,	12544,	14080,	13568,	/* 0xb8 */
	344,	328,	376,	360,	280,	264,	312,	296,	/* 0xc0 */
	472,	456,	504,	488,	408,	392,	440,	424,	/* 0xc8 */
	88,	72,	120,	104,	24,	8,	56,	40,	/* 0xd0 */
	216,	200,	248,	232,	152,	136,	184,	168,	/* 0xd8 */
	1376,	1312,	1504,	1440,	1120,	1056,	1248,	1184,	/* 0xe0 */
	1888,	1824,	2016,	1952,	1632,	1568,	1760,	1696,	/* 0xe8 */
	688,	656,	752,	720,	560,	528,	624,	592,	/* 0xf0 */
	944,	912,	1008,	976,	816,	784,	880,	848,	/* 0xf8 */
};

/* Encode tables, indexed by the 14 (mu-law) or 12 (A-law) MSBs. */
static uint8_t g711_ulaw_enc[1 << 14];
static uint8_t g711_alaw_enc[1 << 12];
static bool g711_ready;

/* Bits needed to write v > 0 (floor(log2(v)) + 1). */
static inline unsigned int
bit_len(uint32_t v)
{
	return 32 - (unsigned int)__builtin_clz(v);
}

/*
 * mu-law (G.711 Table 2; G.191 ulaw_compress): v is the 14-bit sample
 * x >> 2. The magnitude, one's complement for negative values, is biased
 * by 33 (the offset between the mu-law and A-law segment ends) and
 * clipped to 8191; its segment 1..8 is bit_len - 5, the four bits after
 * the leading one are the mantissa, and the code inverts segment and
 * mantissa (G.711 3.3: bits 2..8 inverted) with bit 1 set for v >= 0.
 */
static uint8_t
ulaw_compress(int32_t v)
{
	uint32_t mag = (uint32_t)(v < 0 ? ~v : v) + 33;
	unsigned int seg;

	if (mag > 0x1fff)
		mag = 0x1fff;
	seg = bit_len(mag) - 5;
	return (uint8_t)(((8 - seg) << 4) | (15 - ((mag >> seg) & 15)) | (v >= 0 ? 0x80 : 0));
}

/*
 * A-law (G.711 Table 1; G.191 alaw_compress): v is the 12-bit sample
 * x >> 4, magnitude 0..2047 by one's complement. Magnitudes below 16 are
 * segment 0 with the magnitude as mantissa; above, the segment 1..7 is
 * bit_len - 4 and the mantissa the four bits after the leading one.
 * Bit 1 is set for v >= 0, then the even bits are inverted (G.711 2.3).
 */
static uint8_t
alaw_compress(int32_t v)
{
	uint32_t mag = (uint32_t)(v < 0 ? ~v : v);
	uint32_t code;

	if (mag < 16) {
		code = mag;
	} else {
		unsigned int seg = bit_len(mag) - 4;

		code = (seg << 4) | ((mag >> (seg - 1)) & 15);
	}
	if (v >= 0)
		code |= 0x80;
	return (uint8_t)(code ^ 0x55);
}

void
g711_init(void)
{
	uint32_t i;

	if (__atomic_load_n(&g711_ready, __ATOMIC_ACQUIRE))
		return;
	/* index i holds the top bits of x: sign-extend them back */
	for (i = 0; i < (1u << 14); i++)
		g711_ulaw_enc[i] = ulaw_compress((int32_t)(i ^ 0x2000) - 0x2000);
	for (i = 0; i < (1u << 12); i++)
		g711_alaw_enc[i] = alaw_compress((int32_t)(i ^ 0x800) - 0x800);
	__atomic_store_n(&g711_ready, true, __ATOMIC_RELEASE);
}

/* Tables ready before main(): a forgotten g711_init cannot encode zeros. */
static void __attribute__((constructor)) g711_ctor(void)
{
	g711_init();
}

int16_t
g711_decode1(enum g711_law law, uint8_t code)
{
	return law == G711_ALAW ? g711_alaw_dec[code] : g711_ulaw_dec[code];
}

uint8_t
g711_encode1(enum g711_law law, int16_t x)
{
	uint16_t u = (uint16_t)x;

	return law == G711_ALAW ? g711_alaw_enc[u >> 4] : g711_ulaw_enc[u >> 2];
}

void
g711_decode(enum g711_law law, const uint8_t *in, int16_t *out, unsigned int n)
{
	const int16_t *t = law == G711_ALAW ? g711_alaw_dec : g711_ulaw_dec;
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = t[in[i]];
}

void
g711_encode(enum g711_law law, const int16_t *in, uint8_t *out, unsigned int n)
{
	unsigned int i;

	if (law == G711_ALAW) {
		for (i = 0; i < n; i++)
			out[i] = g711_alaw_enc[(uint16_t)in[i] >> 4];
	} else {
		for (i = 0; i < n; i++)
			out[i] = g711_ulaw_enc[(uint16_t)in[i] >> 2];
	}
}

int
g711_law_of_pt(uint8_t pt, enum g711_law *law)
{
	switch (pt) {
	case G711_PT_PCMU:
		*law = G711_ULAW;
		return 0;
	case G711_PT_PCMA:
		*law = G711_ALAW;
		return 0;
	default:
		return -ENOTSUP;
	}
}

uint8_t
g711_silence(enum g711_law law)
{
	return law == G711_ALAW ? 0xd5 : 0xff;
}
