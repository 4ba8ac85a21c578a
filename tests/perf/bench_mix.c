/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mixer kernel micro-benchmark (not a test; no DPDK): the cost of one
 * participant-frame of mix-minus, i.e. one mix_acc_add plus one mix_out
 * of 160 samples (20 ms at 8 kHz), for the scalar and the AVX2 kernels
 * through the public dispatch (mix_use). A conference of P participants
 * (default 10, all talking) runs T ticks per run (default 20000): clear
 * the accumulator, add every frame, write every listener's total minus
 * own at unity gain. The figure is TSC cycles (__rdtsc, the reference
 * clock, not core cycles) of a run divided by T * P, the median of R runs
 * (default 9) with the two kernel sets alternating. For context it also
 * times the same tick with G.711 decode before and encode after (the
 * whole per-participant arithmetic of a tick, jitter buffer excluded).
 * Frames stay in L1 (P * 160 samples), so this is the kernels' own cost.
 * Usage: rtpgw-bench-mix [P [T [R]]]. Last line:
 * mix_cycles_scalar=X mix_cycles_avx2=Y tick_g711_cycles_scalar=Z
 * tick_g711_cycles_avx2=W (per participant-frame)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86intrin.h>

#include "codec/g711.h"
#include "mixer/mix.h"

#define FRAME 160
#define PMAX  256
#define RMAX  99

static int16_t frames[PMAX][FRAME];
static uint8_t codes[PMAX][FRAME];
static int16_t outs[PMAX][FRAME];
static uint8_t out_codes[PMAX][FRAME];
static int32_t acc[FRAME];

/* One tick of mix-minus for p participants. */
static void
tick_mix(unsigned int p)
{
	unsigned int k;

	mix_acc_clear(acc, FRAME);
	for (k = 0; k < p; k++)
		mix_acc_add(acc, frames[k], FRAME);
	for (k = 0; k < p; k++)
		mix_out(outs[k], acc, frames[k], MIX_GAIN_UNITY, FRAME);
}

/* The same with each frame decoded from PCMU first and each mix encoded. */
static void
tick_g711(unsigned int p)
{
	unsigned int k;

	mix_acc_clear(acc, FRAME);
	for (k = 0; k < p; k++) {
		g711_decode(G711_ULAW, codes[k], frames[k], FRAME);
		mix_acc_add(acc, frames[k], FRAME);
	}
	for (k = 0; k < p; k++) {
		mix_out(outs[k], acc, frames[k], MIX_GAIN_UNITY, FRAME);
		g711_encode(G711_ULAW, outs[k], out_codes[k], FRAME);
	}
}

static double
run(void (*tick)(unsigned int), unsigned int p, unsigned int ticks)
{
	uint64_t t0, t1;
	unsigned int t;

	tick(p); /* warm up */
	t0 = __rdtsc();
	for (t = 0; t < ticks; t++)
		tick(p);
	t1 = __rdtsc();
	return (double)(t1 - t0) / ((double)ticks * p);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char **argv)
{
	static const char *const impls[2] = {"scalar", "avx2"};
	double mix[2][RMAX], full[2][RMAX], mix_med[2] = {0, 0}, full_med[2] = {0, 0};
	unsigned int p = argc > 1 ? (unsigned int)atoi(argv[1]) : 10;
	unsigned int ticks = argc > 2 ? (unsigned int)atoi(argv[2]) : 20000;
	unsigned int runs = argc > 3 ? (unsigned int)atoi(argv[3]) : 9;
	unsigned int r, i, k, s;
	uint64_t sum = 0;
	uint32_t x = 12345;
	bool have[2];

	if (p < 1 || p > PMAX || ticks < 1 || runs < 1 || runs > RMAX) {
		fprintf(stderr, "usage: %s [participants 1..%d [ticks [runs 1..%d]]]\n", argv[0],
			PMAX, RMAX);
		return 2;
	}
	g711_init();
	mix_init();
	for (k = 0; k < p; k++) {
		for (s = 0; s < FRAME; s++) {
			x = x * 1103515245u + 12345u;
			/* speech-like levels: about -20 dBov */
			frames[k][s] = (int16_t)((int32_t)(x >> 16) % 6000 - 3000);
		}
		g711_encode(G711_ULAW, frames[k], codes[k], FRAME);
	}
	for (i = 0; i < 2; i++)
		have[i] = mix_use(impls[i]) == 0;
	for (r = 0; r < runs; r++) {
		for (i = 0; i < 2; i++) {
			if (!have[i])
				continue;
			mix_use(impls[i]);
			mix[i][r] = run(tick_mix, p, ticks);
			full[i][r] = run(tick_g711, p, ticks);
		}
	}
	for (k = 0; k < p; k++)
		for (s = 0; s < FRAME; s++)
			sum += (uint16_t)outs[k][s] + out_codes[k][s];
	printf("participants=%u ticks=%u runs=%u frame=%u samples (checksum %llu)\n", p, ticks,
	       runs, FRAME, (unsigned long long)sum);
	for (i = 0; i < 2; i++) {
		if (!have[i]) {
			printf("%-6s: not supported on this CPU\n", impls[i]);
			continue;
		}
		mix_med[i] = median(mix[i], runs);
		full_med[i] = median(full[i], runs);
		printf("%-6s: acc_add+mix_out %.1f TSC cycles per participant-frame "
		       "(min %.1f max %.1f); with g711 decode+encode %.1f\n",
		       impls[i], mix_med[i], mix[i][0], mix[i][runs - 1], full_med[i]);
	}
	printf("mix_cycles_scalar=%.1f mix_cycles_avx2=%.1f tick_g711_cycles_scalar=%.1f "
	       "tick_g711_cycles_avx2=%.1f\n",
	       mix_med[0], mix_med[1], full_med[0], full_med[1]);
	return 0;
}
