/* SPDX-License-Identifier: BSD-3-Clause */
/* rtpgw: worker path */
/*
 * AVX2 twins of the scalar mixer kernels (mix.h, mix.c), 16 samples per
 * step (8 for the clear), unaligned loads and stores, the remainder
 * handed to the scalar kernel. Only this file is compiled with -mavx2 (its own static
 * library in meson.build); mix_init calls into it only when the CPU
 * supports AVX2. Results equal the scalar kernels bit for bit for every
 * input (tests/unit/dataplane/test_mix.c): the notes at each kernel say
 * why the 32-bit lanes cannot overflow where the scalar code uses 64 bits.
 */
#include <stddef.h>
#include <stdint.h>

#include <immintrin.h>

#include "mixer/mix.h"

#ifndef __AVX2__
#error "mix_avx2.c must be compiled with -mavx2"
#endif

/* Two vectors of 8 int32 to 16 int16, saturating, in order. */
static inline __m256i
pack_sat16(__m256i lo, __m256i hi)
{
	/* packs works per 128-bit lane: lo0-3 hi0-3 lo4-7 hi4-7 */
	return _mm256_permute4x64_epi64(_mm256_packs_epi32(lo, hi), _MM_SHUFFLE(3, 1, 2, 0));
}

void
mix_acc_clear_avx2(int32_t *acc, unsigned int n)
{
	const __m256i z = _mm256_setzero_si256();
	unsigned int i;

	for (i = 0; i + 8 <= n; i += 8)
		_mm256_storeu_si256((__m256i *)(acc + i), z);
	mix_acc_clear_scalar(acc + i, n - i);
}

void
mix_acc_add_avx2(int32_t *acc, const int16_t *in, unsigned int n)
{
	unsigned int i;

	for (i = 0; i + 16 <= n; i += 16) {
		__m256i x0 = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(in + i)));
		__m256i x1 = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(in + i + 8)));
		__m256i a0 = _mm256_loadu_si256((const __m256i *)(acc + i));
		__m256i a1 = _mm256_loadu_si256((const __m256i *)(acc + i + 8));

		_mm256_storeu_si256((__m256i *)(acc + i), _mm256_add_epi32(a0, x0));
		_mm256_storeu_si256((__m256i *)(acc + i + 8), _mm256_add_epi32(a1, x1));
	}
	mix_acc_add_scalar(acc + i, in + i, n - i);
}

/*
 * floor(d * g / 4096) for d in [-2^27, 2^27], g in [0, 65535]: the product
 * fits 44 bits and the quotient [-2^31, 2^31), so bits 12..43 of the
 * 64-bit product are the exact 32-bit result. vpmuldq multiplies the even
 * lanes; the odd lanes are shifted down first and their result bits
 * shifted up into the odd half of each 64-bit lane.
 */
static inline __m256i
mul_q12(__m256i d, __m256i g)
{
	__m256i even = _mm256_mul_epi32(d, g);
	__m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(d, 32), g);

	return _mm256_blend_epi32(_mm256_srli_epi64(even, 12), _mm256_slli_epi64(odd, 20), 0xaa);
}

/*
 * Clamping keeps the scalar result. With g >= 1 any |d| >= 2^27 saturates
 * (2^27 * g / 4096 >= 32768), so d is clamped to [-2^27, 2^27] before the
 * multiply; with g = 0 the result is 0 either way. acc is first clamped to
 * [-(2^27 + 2^15), 2^27 + 2^15 - 1] so that acc - own cannot wrap: an acc
 * beyond that gives a d beyond +-2^27 before and after, for any own.
 */
#define D_MAX	(1 << 27)
#define ACC_MAX (D_MAX + 32767)
#define ACC_MIN (-D_MAX - 32768)

static inline __m256i
clamp32(__m256i v, __m256i lo, __m256i hi)
{
	return _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
}

void
mix_out_avx2(int16_t *out, const int32_t *acc, const int16_t *own, uint16_t gain_q12,
	     unsigned int n)
{
	const __m256i g = _mm256_set1_epi32(gain_q12);
	const __m256i acc_lo = _mm256_set1_epi32(ACC_MIN), acc_hi = _mm256_set1_epi32(ACC_MAX);
	const __m256i d_lo = _mm256_set1_epi32(-D_MAX), d_hi = _mm256_set1_epi32(D_MAX);
	unsigned int i;

	if (own == NULL) {
		for (i = 0; i + 16 <= n; i += 16) {
			__m256i d0 = _mm256_loadu_si256((const __m256i *)(acc + i));
			__m256i d1 = _mm256_loadu_si256((const __m256i *)(acc + i + 8));

			d0 = mul_q12(clamp32(d0, d_lo, d_hi), g);
			d1 = mul_q12(clamp32(d1, d_lo, d_hi), g);
			_mm256_storeu_si256((__m256i *)(out + i), pack_sat16(d0, d1));
		}
		mix_out_scalar(out + i, acc + i, NULL, gain_q12, n - i);
		return;
	}
	for (i = 0; i + 16 <= n; i += 16) {
		__m256i a0 = _mm256_loadu_si256((const __m256i *)(acc + i));
		__m256i a1 = _mm256_loadu_si256((const __m256i *)(acc + i + 8));
		__m256i o0 = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(own + i)));
		__m256i o1 = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(own + i + 8)));
		__m256i d0 = _mm256_sub_epi32(clamp32(a0, acc_lo, acc_hi), o0);
		__m256i d1 = _mm256_sub_epi32(clamp32(a1, acc_lo, acc_hi), o1);

		d0 = mul_q12(clamp32(d0, d_lo, d_hi), g);
		d1 = mul_q12(clamp32(d1, d_lo, d_hi), g);
		_mm256_storeu_si256((__m256i *)(out + i), pack_sat16(d0, d1));
	}
	mix_out_scalar(out + i, acc + i, own + i, gain_q12, n - i);
}

/* x * g with x int16, g <= 65535 is within [-2^31 + 2^15, 2^31): vpmulld is exact. */
void
mix_gain_avx2(int16_t *io, uint16_t gain_q12, unsigned int n)
{
	const __m256i g = _mm256_set1_epi32(gain_q12);
	unsigned int i;

	for (i = 0; i + 16 <= n; i += 16) {
		__m256i x0 = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(io + i)));
		__m256i x1 = _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(io + i + 8)));

		x0 = _mm256_srai_epi32(_mm256_mullo_epi32(x0, g), 12);
		x1 = _mm256_srai_epi32(_mm256_mullo_epi32(x1, g), 12);
		_mm256_storeu_si256((__m256i *)(io + i), pack_sat16(x0, x1));
	}
	mix_gain_scalar(io + i, gain_q12, n - i);
}

/*
 * vpmaddwd gives x0^2 + x1^2 per 32-bit lane, at most 2 * 2^30 = 2^31:
 * exact read as unsigned (only the pair -32768, -32768 reaches 2^31).
 * Each lane is split into its even and odd halves, zero-extended to
 * 64 bits and summed there.
 */
uint64_t
mix_energy_avx2(const int16_t *in, unsigned int n)
{
	const __m256i lo32 = _mm256_set1_epi64x(0xffffffff);
	__m256i s = _mm256_setzero_si256();
	__m128i h;
	unsigned int i;

	for (i = 0; i + 16 <= n; i += 16) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(in + i));
		__m256i p = _mm256_madd_epi16(x, x);

		s = _mm256_add_epi64(s, _mm256_and_si256(p, lo32));
		s = _mm256_add_epi64(s, _mm256_srli_epi64(p, 32));
	}
	h = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
	h = _mm_add_epi64(h, _mm_unpackhi_epi64(h, h));
	return (uint64_t)_mm_cvtsi128_si64(h) + mix_energy_scalar(in + i, n - i);
}
