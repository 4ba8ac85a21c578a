/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mix-minus kernels of the conference mixer (DESIGN.md, Mixer): the owner
 * worker clears a 32-bit accumulator, adds every contributor's decoded
 * frame to it, and for each listener writes total minus own, gained and
 * saturated once to 16 bits (never wrapped), which codec/g711.c then
 * encodes. Energy and the RFC 6464/6465 level feed speaker detection and
 * the audio-level header extensions. Each kernel has a scalar reference
 * (mix_*_scalar) and, on x86, an AVX2 twin (mix_*_avx2, mix_avx2.c, built
 * with -mavx2 alone) proven bit-exact by tests/unit/dataplane/test_mix.c;
 * mix_init picks one set once at start-up from the CPU flags and the
 * public mix_* functions call through it. Pure C over plain arrays: no
 * DPDK, no allocation; any n (frames are at most 480 samples, 60 ms at
 * 8 kHz), no alignment assumed, outputs must not overlap inputs except
 * where stated.
 */
#ifndef RTPGW_MIX_H
#define RTPGW_MIX_H

#include <stdint.h>

#if defined(__x86_64__)
#define MIX_HAVE_AVX2 1 /* the mix_*_avx2 symbols exist (callable only if the CPU has AVX2) */
#endif

#define MIX_GAIN_UNITY	  4096 /* Q12: gain_q12 / 4096 is the linear factor */
#define MIX_LEVEL_SILENCE 127  /* RFC 6464 3: -127 dBov or quieter */

/*
 * Pick the kernels from the CPU flags (AVX2 if the CPU and OS support
 * it, else scalar). Call once at start-up, before workers run; until
 * then the public functions use the scalar kernels. Idempotent.
 */
void mix_init(void);

/* "avx2" or "scalar": the kernels the public functions call. */
const char *mix_impl_name(void);

/*
 * Force one set of kernels by name ("scalar", "avx2"), for benchmarks and
 * tests; start-up only, like mix_init. Returns 0, -EINVAL for an unknown
 * name, -ENOTSUP if this build or CPU lacks it.
 */
int mix_use(const char *name);

/* acc[0..n) = 0 */
void mix_acc_clear(int32_t *acc, unsigned int n);

/*
 * acc[i] += in[i], modulo 2^32 (exact while at most 65536 frames are
 * summed into a cleared accumulator).
 */
void mix_acc_add(int32_t *acc, const int16_t *in, unsigned int n);

/*
 * Mix-minus for one listener:
 *   out[i] = sat16(((acc[i] - own[i]) * gain_q12) >> 12)
 * with the difference and product in 64 bits (never wraps, for any acc),
 * >> an arithmetic shift (floor), and sat16 clamping to [-32768, 32767]
 * once at the end. own NULL means the full mix (a listener contributing
 * nothing). gain_q12: MIX_GAIN_UNITY = 1.0, 0..65535 (up to ~16x).
 */
void mix_out(int16_t *out, const int32_t *acc, const int16_t *own, uint16_t gain_q12,
	     unsigned int n);

/* In-place input gain: io[i] = sat16((io[i] * gain_q12) >> 12), >> floor. */
void mix_gain(int16_t *io, uint16_t gain_q12, unsigned int n);

/* Sum of in[i]^2 (at most n * 2^30, no overflow for any n < 2^34). */
uint64_t mix_energy(const int16_t *in, unsigned int n);

/*
 * RFC 6464 3 / RFC 6465 3 audio level of a frame from its mix_energy over
 * n samples: -dBov, the RMS relative to the overload point 32767 (the
 * 16-bit full scale that RFC 6465 Appendix A's example divides by),
 *   level = -floor(10 * log10(energy / (n * 32767^2)) + 0.5)
 * i.e. the nearest dB (an exact half goes to the louder level), clamped
 * to 0..127. 0 is the loudest (a full-scale square wave), a full-scale
 * sine is 3, and 127 is -127 dBov or quieter, including silence (energy
 * 0) and n 0. Computed without libm, by comparing against the 127
 * half-dB thresholds.
 */
uint8_t mix_level_dbov(uint64_t energy, unsigned int n);

/* The reference kernels (mix.c). */
void mix_acc_clear_scalar(int32_t *acc, unsigned int n);
void mix_acc_add_scalar(int32_t *acc, const int16_t *in, unsigned int n);
void mix_out_scalar(int16_t *out, const int32_t *acc, const int16_t *own, uint16_t gain_q12,
		    unsigned int n);
void mix_gain_scalar(int16_t *io, uint16_t gain_q12, unsigned int n);
uint64_t mix_energy_scalar(const int16_t *in, unsigned int n);

#ifdef MIX_HAVE_AVX2
/* The AVX2 twins (mix_avx2.c): call only when __builtin_cpu_supports("avx2"). */
void mix_acc_clear_avx2(int32_t *acc, unsigned int n);
void mix_acc_add_avx2(int32_t *acc, const int16_t *in, unsigned int n);
void mix_out_avx2(int16_t *out, const int32_t *acc, const int16_t *own, uint16_t gain_q12,
		  unsigned int n);
void mix_gain_avx2(int16_t *io, uint16_t gain_q12, unsigned int n);
uint64_t mix_energy_avx2(const int16_t *in, unsigned int n);
#endif

#endif /* RTPGW_MIX_H */
