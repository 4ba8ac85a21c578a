/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/mixer/mix.c and mix_avx2.c: mix-minus against a
 * plain 64-bit reference written here (floor division spelled out, one
 * saturation), the saturation edges with ten participants at +32767 or
 * -32768 and gains 0, unity and maximum, energy and the RFC 6464/6465
 * level on known signals and against libm, the dispatch, and every AVX2
 * kernel bit-exact against its scalar twin for every n in 1..480 on
 * random and edge inputs at unaligned addresses. On a CPU without AVX2
 * the comparisons print a TAP comment and pass (meson counts a cmocka
 * skip as a failure).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mixer/mix.h"

#define NMAX 480
#define PAD  16 /* guard elements after n, and room for misaligned starts */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: reproducible, no libc rand state. */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Mostly uniform samples, one in four an extreme (-32768, -32767, 32767, 0). */
static int16_t
rand_sample(void)
{
	static const int16_t edge[] = {INT16_MIN, INT16_MIN + 1, INT16_MAX, 0, -1, 1};
	uint64_t r = rng();

	if ((r & 3) == 0)
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	return (int16_t)(r >> 32);
}

/* Accumulator values: sums of up to 100 frames, or any int32 at all. */
static int32_t
rand_acc(void)
{
	uint64_t r = rng();

	switch (r & 7) {
	case 0:
		return (int32_t)(r >> 32);
	case 1:
		return (r & 8) ? INT32_MAX - (int32_t)((r >> 40) & 0xffff)
			       : INT32_MIN + (int32_t)((r >> 40) & 0xffff);
	case 2:
		return (int32_t)((r >> 32) % 200001) - 100000;
	default:
		return (int32_t)((int64_t)(int16_t)(r >> 16) * (int64_t)((r >> 40) % 101));
	}
}

static uint16_t
rand_gain(void)
{
	static const uint16_t edge[] = {0, 1, 4095, 4096, 4097, 8192, 32768, 65535};
	uint64_t r = rng();

	if ((r & 1) == 0)
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	return (uint16_t)(r >> 32);
}

static int16_t
ref_sat16(int64_t v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

/* floor(p / 4096) without relying on >> of negative values */
static int64_t
ref_floor_q12(int64_t p)
{
	int64_t q = p / 4096;

	if (p % 4096 != 0 && p < 0)
		q--;
	return q;
}

static int16_t
ref_mix_out(int32_t acc, const int16_t *own, unsigned int i, uint16_t g)
{
	int64_t d = (int64_t)acc - (own != NULL ? own[i] : 0);

	return ref_sat16(ref_floor_q12(d * g));
}

static bool
have_avx2(void)
{
#ifdef MIX_HAVE_AVX2
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2");
#else
	return false;
#endif
}

static bool
avx2_or_note(const char *test)
{
	if (have_avx2())
		return true;
	printf("# %s: no AVX2 (CPU or build), scalar only\n", test);
	return false;
}

static void
acc_add_sums_frames_and_clear_zeroes(void **state)
{
	int32_t acc[NMAX];
	int16_t f[3][NMAX];
	unsigned int i, k;

	(void)state;
	mix_init();
	for (k = 0; k < 3; k++)
		for (i = 0; i < NMAX; i++)
			f[k][i] = rand_sample();
	memset(acc, 0x5a, sizeof(acc));
	mix_acc_clear(acc, NMAX);
	for (i = 0; i < NMAX; i++)
		assert_int_equal(acc[i], 0);
	for (k = 0; k < 3; k++)
		mix_acc_add(acc, f[k], NMAX);
	for (i = 0; i < NMAX; i++)
		assert_int_equal(acc[i], (int32_t)f[0][i] + f[1][i] + f[2][i]);
}

static void
mix_out_matches_reference_on_random_input(void **state)
{
	int32_t acc[NMAX];
	int16_t own[NMAX], out[NMAX], out_s[NMAX];
	unsigned int round, i;

	(void)state;
	mix_init();
	for (round = 0; round < 200; round++) {
		uint16_t g = rand_gain();
		unsigned int n = 1 + (unsigned int)(rng() % NMAX);
		const int16_t *o = (round & 1) ? own : NULL;

		for (i = 0; i < n; i++) {
			acc[i] = rand_acc();
			own[i] = rand_sample();
		}
		mix_out(out, acc, o, g, n);
		mix_out_scalar(out_s, acc, o, g, n);
		for (i = 0; i < n; i++) {
			int16_t want = ref_mix_out(acc[i], o, i, g);

			if (out[i] != want || out_s[i] != want)
				fail_msg("n %u i %u acc %d own %d gain %u: %d / scalar %d, want %d",
					 n, i, acc[i], o ? o[i] : 0, g, out[i], out_s[i], want);
		}
	}
}

static void
mix_minus_excludes_own_voice(void **state)
{
	int16_t f[3][160], out[160];
	int32_t acc[160];
	unsigned int i, k;

	(void)state;
	mix_init();
	for (i = 0; i < 160; i++) {
		f[0][i] = (int16_t)(1000 + i);
		f[1][i] = (int16_t)(-2000 - (int)i);
		f[2][i] = (int16_t)(300 * (i % 7));
	}
	mix_acc_clear(acc, 160);
	for (k = 0; k < 3; k++)
		mix_acc_add(acc, f[k], 160);
	for (k = 0; k < 3; k++) {
		mix_out(out, acc, f[k], MIX_GAIN_UNITY, 160);
		for (i = 0; i < 160; i++)
			assert_int_equal(out[i], f[0][i] + f[1][i] + f[2][i] - f[k][i]);
	}
	mix_out(out, acc, NULL, MIX_GAIN_UNITY, 160);
	for (i = 0; i < 160; i++)
		assert_int_equal(out[i], f[0][i] + f[1][i] + f[2][i]);
}

/* Ten participants all at v: everyone hears nine times v, saturated once. */
static void
check_ten_loud(int16_t v)
{
	static const uint16_t gains[] = {0, 1, MIX_GAIN_UNITY, 65535};
	int16_t f[10][NMAX], out[NMAX];
	int32_t acc[NMAX];
	unsigned int k, i, gi;

	for (k = 0; k < 10; k++)
		for (i = 0; i < NMAX; i++)
			f[k][i] = v;
	mix_acc_clear(acc, NMAX);
	for (k = 0; k < 10; k++)
		mix_acc_add(acc, f[k], NMAX);
	for (i = 0; i < NMAX; i++)
		assert_int_equal(acc[i], 10 * (int32_t)v);
	for (gi = 0; gi < sizeof(gains) / sizeof(gains[0]); gi++) {
		uint16_t g = gains[gi];
		int16_t want_minus, want_full;

		if (g == 0) {
			want_minus = want_full = 0;
		} else if (g == 1) {
			/* 9 * 32767 / 4096 = 71.99 -> 71, 9 * -32768 / 4096 = -72; ten: 79, -80 */
			want_minus = v > 0 ? 71 : -72;
			want_full = v > 0 ? 79 : -80;
		} else {
			want_minus = want_full = v > 0 ? INT16_MAX : INT16_MIN;
		}
		for (k = 0; k < 10; k++) {
			mix_out(out, acc, f[k], g, NMAX);
			for (i = 0; i < NMAX; i++)
				assert_int_equal(out[i], want_minus);
		}
		mix_out(out, acc, NULL, g, NMAX);
		for (i = 0; i < NMAX; i++)
			assert_int_equal(out[i], want_full);
	}
}

static void
ten_participants_at_full_scale_saturate_once(void **state)
{
	(void)state;
	mix_init();
	check_ten_loud(INT16_MAX);
	check_ten_loud(INT16_MIN);
	mix_use("scalar");
	check_ten_loud(INT16_MAX);
	check_ten_loud(INT16_MIN);
	mix_init();
}

static void
mix_out_never_wraps_at_int32_limits(void **state)
{
	static const int32_t accs[] = {INT32_MAX,     INT32_MIN,	 INT32_MAX - 1,
				       INT32_MIN + 1, (1 << 27) + 32767, -(1 << 27) - 32768,
				       1 << 27,	      -(1 << 27)};
	static const int16_t owns[] = {INT16_MIN, INT16_MAX, 0, -1};
	static const uint16_t gains[] = {1, MIX_GAIN_UNITY, 65535};
	int32_t acc[16];
	int16_t own[16], out[16];
	size_t a, o, g;
	unsigned int i;

	(void)state;
	mix_init();
	for (a = 0; a < sizeof(accs) / sizeof(accs[0]); a++) {
		for (o = 0; o < sizeof(owns) / sizeof(owns[0]); o++) {
			for (g = 0; g < sizeof(gains) / sizeof(gains[0]); g++) {
				for (i = 0; i < 16; i++) {
					acc[i] = accs[a];
					own[i] = owns[o];
				}
				mix_out(out, acc, own, gains[g], 16);
				for (i = 0; i < 16; i++)
					assert_int_equal(out[i],
							 ref_mix_out(acc[i], own, i, gains[g]));
				mix_out(out, acc, NULL, gains[g], 16);
				for (i = 0; i < 16; i++)
					assert_int_equal(out[i],
							 ref_mix_out(acc[i], NULL, i, gains[g]));
				/* beyond the int16 range either way: saturated, never wrapped */
				if (accs[a] == INT32_MAX || accs[a] == INT32_MIN)
					assert_int_equal(out[0], accs[a] > 0 ? 32767 : -32768);
			}
		}
	}
}

static void
gain_shift_rounds_toward_minus_infinity(void **state)
{
	int32_t acc[2] = {1, -1};
	int16_t out[2], io[4] = {1, -1, 4095, -4095};

	(void)state;
	mix_init();
	mix_out(out, acc, NULL, 65535, 2);
	assert_int_equal(out[0], 15);  /* 65535 / 4096 = 15.99 */
	assert_int_equal(out[1], -16); /* floor, not truncation */
	mix_out(out, acc, NULL, 2048, 2);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], -1);
	mix_gain(io, 2048, 4);
	assert_int_equal(io[0], 0);
	assert_int_equal(io[1], -1);
	assert_int_equal(io[2], 2047);
	assert_int_equal(io[3], -2048);
}

static void
mix_gain_matches_reference_and_saturates(void **state)
{
	int16_t io[NMAX], in[NMAX];
	unsigned int round, i;

	(void)state;
	mix_init();
	for (round = 0; round < 100; round++) {
		uint16_t g = rand_gain();
		unsigned int n = 1 + (unsigned int)(rng() % NMAX);

		for (i = 0; i < n; i++)
			in[i] = io[i] = rand_sample();
		mix_gain(io, g, n);
		for (i = 0; i < n; i++)
			assert_int_equal(io[i], ref_sat16(ref_floor_q12((int64_t)in[i] * g)));
	}
	io[0] = INT16_MAX;
	io[1] = INT16_MIN;
	mix_gain(io, 65535, 2);
	assert_int_equal(io[0], INT16_MAX);
	assert_int_equal(io[1], INT16_MIN);
	io[0] = 12345;
	mix_gain(io, MIX_GAIN_UNITY, 1);
	assert_int_equal(io[0], 12345);
}

static double
ref_level(uint64_t energy, unsigned int n)
{
	double db, l;

	if (energy == 0 || n == 0)
		return 127;
	db = 10.0 * log10((double)energy / ((double)n * 32767.0 * 32767.0));
	l = -floor(db + 0.5);
	return l < 0 ? 0 : l > 127 ? 127 : l;
}

static void
energy_and_level_of_known_signals(void **state)
{
	int16_t x[160];
	unsigned int i;

	(void)state;
	mix_init();
	/* silence */
	memset(x, 0, sizeof(x));
	assert_int_equal(mix_energy(x, 160), 0);
	assert_int_equal(mix_level_dbov(0, 160), 127);
	assert_int_equal(mix_level_dbov(12345, 0), 127);
	/* full-scale square wave: 0 dBov, also with -32768 (slightly over) */
	for (i = 0; i < 160; i++)
		x[i] = (i & 1) ? 32767 : -32767;
	assert_int_equal(mix_energy(x, 160), 160ull * 32767 * 32767);
	assert_int_equal(mix_level_dbov(mix_energy(x, 160), 160), 0);
	for (i = 0; i < 160; i++)
		x[i] = (i & 1) ? 32767 : -32768;
	assert_int_equal(mix_energy(x, 160), 80ull * 32767 * 32767 + 80ull * 32768 * 32768);
	assert_int_equal(mix_level_dbov(mix_energy(x, 160), 160), 0);
	/* all -32768: the largest energy, n * 2^30 */
	for (i = 0; i < 160; i++)
		x[i] = INT16_MIN;
	assert_int_equal(mix_energy(x, 160), 160ull << 30);
	assert_int_equal(mix_level_dbov(mix_energy(x, 160), 160), 0);
	/* full-scale 1 kHz sine at 8 kHz: -3.01 dBov */
	for (i = 0; i < 160; i++)
		x[i] = (int16_t)lrint(32767.0 * sin(2.0 * M_PI * 1000.0 * i / 8000.0));
	assert_int_equal(mix_level_dbov(mix_energy(x, 160), 160), 3);
	/* square waves 20, 40 and 90 dB down: amplitude 3277, 328, 1 */
	for (i = 0; i < 160; i++)
		x[i] = (i & 1) ? 3277 : -3277;
	assert_int_equal(mix_level_dbov(mix_energy(x, 160), 160), 20);
	for (i = 0; i < 160; i++)
		x[i] = (i & 1) ? 328 : -328;
	assert_int_equal(mix_level_dbov(mix_energy(x, 160), 160), 40);
	for (i = 0; i < 160; i++)
		x[i] = (i & 1) ? 1 : -1;
	assert_int_equal(mix_level_dbov(mix_energy(x, 160), 160), 90);
	/* one LSB in 480 samples: -116.9 dBov; the quietest non-silent frame */
	assert_int_equal(mix_level_dbov(1, 480), 117);
	/* below -127 dBov clamps to 127 */
	assert_int_equal(mix_level_dbov(1, 1u << 31), 127);
}

static void
level_matches_log10_reference(void **state)
{
	unsigned int k, n;
	uint64_t e;

	(void)state;
	/* every frame size, energies spread over the whole range */
	for (n = 1; n <= NMAX; n++) {
		for (k = 0; k < 64; k++) {
			e = (rng() >> (rng() % 64)) % ((uint64_t)n << 30 | 1);
			assert_int_equal(mix_level_dbov(e, n), ref_level(e, n));
		}
	}
	/* monotonic: louder never reads as a larger level */
	for (e = 1, k = 127; e < (160ull << 30); e += e / 64 + 1) {
		unsigned int l = mix_level_dbov(e, 160);

		assert_true(l <= k);
		k = l;
	}
	assert_int_equal(k, 0);
}

static void
dispatch_picks_avx2_when_the_cpu_has_it(void **state)
{
	(void)state;
	mix_init();
	assert_string_equal(mix_impl_name(), have_avx2() ? "avx2" : "scalar");
	assert_int_equal(mix_use("scalar"), 0);
	assert_string_equal(mix_impl_name(), "scalar");
	assert_int_equal(mix_use("avx2"), have_avx2() ? 0 : -ENOTSUP);
	assert_string_equal(mix_impl_name(), have_avx2() ? "avx2" : "scalar");
	assert_int_equal(mix_use("sse9"), -EINVAL);
	assert_int_equal(mix_use(NULL), -EINVAL);
	mix_init();
	mix_init();
	assert_string_equal(mix_impl_name(), have_avx2() ? "avx2" : "scalar");
	printf("# mix kernels: %s\n", mix_impl_name());
}

#ifdef MIX_HAVE_AVX2
/* kind 0: random, 1: alternating extremes, 2: all maximum, 3: all minimum */
static void
fill16(int16_t *x, unsigned int n, unsigned int kind)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		switch (kind) {
		case 0:
			x[i] = rand_sample();
			break;
		case 1:
			x[i] = (i & 1) ? INT16_MAX : INT16_MIN;
			break;
		case 2:
			x[i] = INT16_MAX;
			break;
		default:
			x[i] = INT16_MIN;
		}
	}
}

static void
fill32(int32_t *x, unsigned int n, unsigned int kind)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		switch (kind) {
		case 0:
			x[i] = rand_acc();
			break;
		case 1:
			x[i] = (i & 1) ? INT32_MAX : INT32_MIN;
			break;
		case 2:
			x[i] = 10 * 32767; /* ten participants at full scale */
			break;
		default:
			x[i] = 10 * -32768;
		}
	}
}

static void
same16(const int16_t *a, const int16_t *b, unsigned int len, const char *what, unsigned int n,
       unsigned int off)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			fail_msg("%s (n %u, offset/gain %u): [%u] avx2 %d scalar %d", what, n, off,
				 i, a[i], b[i]);
}

static void
same32(const int32_t *a, const int32_t *b, unsigned int len, const char *what, unsigned int n,
       unsigned int off)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			fail_msg("%s (n %u, offset/gain %u): [%u] avx2 %d scalar %d", what, n, off,
				 i, a[i], b[i]);
}
#endif

#ifdef MIX_HAVE_AVX2
/*
 * For every n in 1..480, inputs random or at the edges, start addresses
 * misaligned by n % 8 elements: both twins from identical buffers, whole
 * buffers compared (so nothing past n is written either).
 */
static void
compare_every_n(void)
{
	static int32_t acc_a[NMAX + PAD], acc_s[NMAX + PAD];
	static int16_t in[NMAX + PAD], own[NMAX + PAD], out_a[NMAX + PAD], out_s[NMAX + PAD];
	const unsigned int len = NMAX + PAD;
	unsigned int n, kind;

	for (n = 1; n <= NMAX; n++) {
		unsigned int off = n % 8;

		for (kind = 0; kind < 4; kind++) {
			uint16_t g = kind == 0 ? rand_gain() : (uint16_t)(n & 1 ? 65535 : 4096);

			fill16(in, len, kind);
			fill16(own, len, kind == 0 ? 0 : 3 - (kind & 1));

			/* acc_add, then acc_clear */
			fill32(acc_s, len, kind);
			memcpy(acc_a, acc_s, sizeof(acc_a));
			mix_acc_add_avx2(acc_a + off, in + off, n);
			mix_acc_add_scalar(acc_s + off, in + off, n);
			same32(acc_a, acc_s, len, "acc_add", n, off);
			mix_acc_clear_avx2(acc_a + off, n);
			mix_acc_clear_scalar(acc_s + off, n);
			same32(acc_a, acc_s, len, "acc_clear", n, off);

			/* mix_out with and without own */
			fill32(acc_s, len, kind);
			fill16(out_a, len, 0);
			memcpy(out_s, out_a, sizeof(out_s));
			mix_out_avx2(out_a + off, acc_s + off, own + off, g, n);
			mix_out_scalar(out_s + off, acc_s + off, own + off, g, n);
			same16(out_a, out_s, len, "mix_out", n, off);
			mix_out_avx2(out_a + off, acc_s + off, NULL, g, n);
			mix_out_scalar(out_s + off, acc_s + off, NULL, g, n);
			same16(out_a, out_s, len, "mix_out(own NULL)", n, off);

			/* mix_gain in place */
			memcpy(out_a, in, sizeof(out_a));
			memcpy(out_s, in, sizeof(out_s));
			mix_gain_avx2(out_a + off, g, n);
			mix_gain_scalar(out_s + off, g, n);
			same16(out_a, out_s, len, "mix_gain", n, off);

			if (mix_energy_avx2(in + off, n) != mix_energy_scalar(in + off, n))
				fail_msg("mix_energy n %u kind %u: avx2 %llu scalar %llu", n, kind,
					 (unsigned long long)mix_energy_avx2(in + off, n),
					 (unsigned long long)mix_energy_scalar(in + off, n));
		}
	}
}

/* Every gain 0..65535 on one frame of edge and random values. */
static void
compare_every_gain(void)
{
	static const int32_t edge[] = {INT32_MIN,
				       INT32_MAX,
				       0,
				       1,
				       -1,
				       32767,
				       -32768,
				       1 << 27,
				       -(1 << 27),
				       (1 << 27) + 1,
				       -(1 << 27) - 1,
				       327670,
				       -327680,
				       65535,
				       -65536,
				       4096};
	int32_t acc[64];
	int16_t own[64], in[64], a[64], s[64];
	uint32_t g;
	unsigned int i;

	for (i = 0; i < 64; i++) {
		acc[i] = i < 16 ? edge[i] : rand_acc();
		own[i] = rand_sample();
		in[i] = rand_sample();
	}
	for (g = 0; g <= 65535; g++) {
		mix_out_avx2(a, acc, own, (uint16_t)g, 64);
		mix_out_scalar(s, acc, own, (uint16_t)g, 64);
		same16(a, s, 64, "mix_out", 64, g);
		memcpy(a, in, sizeof(a));
		memcpy(s, in, sizeof(s));
		mix_gain_avx2(a, (uint16_t)g, 64);
		mix_gain_scalar(s, (uint16_t)g, 64);
		same16(a, s, 64, "mix_gain", 64, g);
	}
}
#endif

static void
avx2_kernels_bit_exact_with_scalar_for_every_n(void **state)
{
	(void)state;
	if (!avx2_or_note("avx2_kernels_bit_exact_with_scalar_for_every_n"))
		return;
#ifdef MIX_HAVE_AVX2
	compare_every_n();
#endif
}

static void
avx2_mix_out_and_gain_bit_exact_for_every_gain(void **state)
{
	(void)state;
	if (!avx2_or_note("avx2_mix_out_and_gain_bit_exact_for_every_gain"))
		return;
#ifdef MIX_HAVE_AVX2
	compare_every_gain();
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(acc_add_sums_frames_and_clear_zeroes),
		cmocka_unit_test(mix_out_matches_reference_on_random_input),
		cmocka_unit_test(mix_minus_excludes_own_voice),
		cmocka_unit_test(ten_participants_at_full_scale_saturate_once),
		cmocka_unit_test(mix_out_never_wraps_at_int32_limits),
		cmocka_unit_test(gain_shift_rounds_toward_minus_infinity),
		cmocka_unit_test(mix_gain_matches_reference_and_saturates),
		cmocka_unit_test(energy_and_level_of_known_signals),
		cmocka_unit_test(level_matches_log10_reference),
		cmocka_unit_test(dispatch_picks_avx2_when_the_cpu_has_it),
		cmocka_unit_test(avx2_kernels_bit_exact_with_scalar_for_every_n),
		cmocka_unit_test(avx2_mix_out_and_gain_bit_exact_for_every_gain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
