/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/mixer/refclock.c: a simulated reference source
 * whose RTP clock runs a given ppm off, sending 20 ms packets through a
 * network that adds a base delay and jitter (fixed-seed PRNG), with or
 * without RTCP SRs every 5 s; the estimate's error in ppm, when it becomes
 * ready, which series it comes from, and a mixer paced by
 * refclock_tick_ns staying in step with the source for ten minutes.
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

#include "mixer/refclock.h"

#define RATE	8000
#define FRAME	160
#define NS	1000000000.0
#define TICK_NS 20000000ull
#define TS0	0xffff0000u /* wraps 2^32 after 8 s */

static struct refclock rc;

/* splitmix64: a fixed-seed PRNG, the same sequence on every machine. */
static uint64_t rng_s;

static uint64_t
rng(void)
{
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double
urand(void)
{
	return (double)(rng() >> 11) * (1.0 / 9007199254740992.0);
}

static double
gauss(void)
{
	double s = 0;

	for (int i = 0; i < 12; i++)
		s += urand();
	return s - 6.0;
}

enum jitter { JIT_UNIFORM, JIT_HALF_NORMAL, JIT_GAUSS };

/* The network: seconds of delay on top of 30 ms. */
static double
net_delay(enum jitter kind, double ms)
{
	double d;

	switch (kind) {
	case JIT_UNIFORM: /* 0..2 ms: mean ms */
		d = 2 * ms * urand();
		break;
	case JIT_HALF_NORMAL: /* |N(0, s)| with mean ms: s = ms * sqrt(pi / 2) */
		d = gauss() * ms * 1.2533;
		d = d < 0 ? -d : d;
		break;
	default: /* symmetric around 30 ms, sigma ms */
		d = gauss() * ms;
		break;
	}
	d = 30 + d;
	return (d > 0 ? d : 0) / 1000;
}

/*
 * The source: frame i sampled by its clock (ppm off) ends at local time
 * t0 + (i + 1) * 20 ms / (1 + ppm), stamped TS0 + i * 160, arrives after
 * the network delay. Feeds frames [from, to), plus an SR every 5 s of
 * source time when sr is set (sr_nominal: stamped from the wallclock at
 * the nominal rate instead of the sampling clock, as some senders do).
 * Arrivals are fed in the order of their arrival times, as a receiver
 * sees them.
 */
struct source {
	double ppm, t0, jit_ms;
	enum jitter kind;
	bool sr, sr_nominal;
	uint32_t ts_jump; /* added to every timestamp from frame jump_at on */
	uint32_t jump_at;
	double burst_from, burst_to, burst_ms; /* extra delay in [from, to) s */
};

static double
frame_end(const struct source *s, uint32_t i)
{
	return s->t0 + (i + 1) * 0.02 / (1.0 + s->ppm * 1e-6);
}

struct arrival {
	uint64_t ns;
	uint32_t ts;
};

static struct arrival arrivals[50 * 600];

static int
arrival_cmp(const void *a, const void *b)
{
	const struct arrival *x = a, *y = b;

	return x->ns < y->ns ? -1 : x->ns > y->ns;
}

static void
feed(const struct source *s, uint32_t from, uint32_t to)
{
	uint32_t n = 0;

	for (uint32_t i = from; i < to; i++) {
		double end = frame_end(s, i);
		double at = end + net_delay(s->kind, s->jit_ms);
		uint32_t ts = TS0 + i * FRAME + (i >= s->jump_at ? s->ts_jump : 0);

		if (end >= s->burst_from && end < s->burst_to)
			at += s->burst_ms / 1000;
		assert_true(n < sizeof(arrivals) / sizeof(arrivals[0]));
		arrivals[n++] = (struct arrival){(uint64_t)(at * NS), ts};
		if (s->sr && i % 250 == 0) {
			/* NTP time of the frame's end (RFC 3550 4: 32.32 fixed point). */
			double ntp = 3900000000.0 + end;
			uint64_t sec = (uint64_t)ntp;
			uint64_t frac = (uint64_t)((ntp - (double)sec) * 4294967296.0);
			uint32_t sr_ts =
				s->sr_nominal ? TS0 + (uint32_t)((end - s->t0) * RATE) : ts + FRAME;

			refclock_add_sr(&rc, sec << 32 | frac, sr_ts);
		}
	}
	qsort(arrivals, n, sizeof(arrivals[0]), arrival_cmp);
	for (uint32_t k = 0; k < n; k++)
		refclock_add_arrival(&rc, arrivals[k].ns, arrivals[k].ts);
}

static double
ppm_of(double ratio)
{
	return (ratio - 1.0) * 1e6;
}

static void
expect_ppm(double want, double tol)
{
	double got = ppm_of(refclock_ratio(&rc));

	print_message("# estimate %+.3f ppm (want %+.1f +- %.1f), source %d\n", got, want, tol,
		      (int)refclock_source(&rc));
	assert_true(got > want - tol && got < want + tol);
}

static struct source
src(double ppm, enum jitter kind, double jit_ms, uint64_t seed)
{
	rng_s = seed;
	assert_int_equal(refclock_init_rate(&rc, RATE), 0);
	return (struct source){
		.ppm = ppm,
		.t0 = 1000.25,
		.jit_ms = jit_ms,
		.kind = kind,
		.jump_at = UINT32_MAX,
	};
}

static void
refclock_not_ready_before_10_s_of_span(void **state)
{
	struct source s = src(100, JIT_UNIFORM, 5, 1);

	(void)state;
	assert_false(refclock_ready(&rc));
	assert_int_equal(refclock_tick_ns(&rc, TICK_NS), TICK_NS);
	feed(&s, 0, 50 * 10); /* 10 s: 9 closed buckets spanning 8 s */
	assert_false(refclock_ready(&rc));
	assert_int_equal(refclock_source(&rc), REFCLOCK_NONE);
	assert_int_equal(refclock_tick_ns(&rc, TICK_NS), TICK_NS);
	assert_true(refclock_ratio(&rc) == 1.0);
	feed(&s, 50 * 10, 50 * 13);
	assert_true(refclock_ready(&rc));
	assert_int_equal(refclock_source(&rc), REFCLOCK_ARRIVALS);

	assert_int_equal(refclock_init_rate(&rc, 999), -EINVAL);
	assert_int_equal(refclock_init_rate(NULL, RATE), -EINVAL);
	refclock_init(&rc);
	assert_int_equal(rc.clock_rate, RATE);
}

static void
refclock_estimates_100ppm(void **state)
{
	struct source s;

	(void)state;
	/* 60 s of packets, one-sided jitter averaging 5 ms: within 5 ppm. */
	s = src(100, JIT_UNIFORM, 5, 2);
	feed(&s, 0, 50 * 60);
	expect_ppm(100, 5);
	s = src(-100, JIT_UNIFORM, 5, 3);
	feed(&s, 0, 50 * 60);
	expect_ppm(-100, 5);
	s = src(100, JIT_HALF_NORMAL, 5, 4);
	feed(&s, 0, 50 * 60);
	expect_ppm(100, 5);
	s = src(0, JIT_HALF_NORMAL, 5, 5);
	feed(&s, 0, 50 * 60);
	expect_ppm(0, 5);
	/*
	 * Symmetric Gaussian jitter, sigma 5 ms: the minimum of a bucket is
	 * noisy (18 ppm of standard error at 60 s), but the window grows, and
	 * so does the precision.
	 */
	s = src(100, JIT_GAUSS, 5, 6);
	feed(&s, 0, 50 * 60);
	expect_ppm(100, 50);
	feed(&s, 50 * 60, 50 * 600);
	expect_ppm(100, 5);
	assert_int_equal(rc.bucket_ns, REFCLOCK_BUCKET_MAX_NS);
}

static void
refclock_sr_pairs_are_preferred(void **state)
{
	struct source s;

	(void)state;
	/* Heavy symmetric jitter on the packets, exact SRs: SR wins. */
	s = src(100, JIT_GAUSS, 20, 7);
	s.sr = true;
	feed(&s, 0, 50 * 16);
	assert_true(refclock_ready(&rc));
	assert_int_equal(refclock_source(&rc), REFCLOCK_SR);
	expect_ppm(100, 0.5);
	feed(&s, 50 * 16, 50 * 60);
	assert_int_equal(refclock_source(&rc), REFCLOCK_SR);
	expect_ppm(100, 0.5);
}

static void
refclock_prefers_arrivals_when_sr_disagrees(void **state)
{
	struct source s;

	(void)state;
	/* The sender stamps SRs from its wallclock: they say 0 ppm. */
	s = src(100, JIT_UNIFORM, 5, 8);
	s.sr = true;
	s.sr_nominal = true;
	feed(&s, 0, 50 * 60);
	assert_int_equal(refclock_source(&rc), REFCLOCK_ARRIVALS);
	assert_true(rc.sr_rejected > 0);
	assert_true(rc.sr.ready);
	assert_true(ppm_of(rc.sr.ratio) > -1 && ppm_of(rc.sr.ratio) < 1);
	expect_ppm(100, 5);
}

static void
refclock_ignores_congestion_bursts(void **state)
{
	struct source s;

	(void)state;
	s = src(-100, JIT_UNIFORM, 5, 9);
	s.burst_from = s.t0 + 40;
	s.burst_to = s.t0 + 43; /* 3 s of +80 ms */
	s.burst_ms = 80;
	feed(&s, 0, 50 * 60);
	expect_ppm(-100, 5);
}

static void
refclock_holds_its_estimate_over_a_timestamp_jump(void **state)
{
	struct source s;

	(void)state;
	s = src(100, JIT_UNIFORM, 5, 10);
	s.jump_at = 50 * 60;
	s.ts_jump = 123456789;
	feed(&s, 0, 50 * 60);
	expect_ppm(100, 5);
	feed(&s, 50 * 60, 50 * 61);
	assert_int_equal(rc.arr.resets, 1);
	assert_false(rc.arr.ready);
	assert_true(refclock_ready(&rc)); /* held */
	expect_ppm(100, 5);
	feed(&s, 50 * 61, 50 * 120);
	assert_true(rc.arr.ready);
	expect_ppm(100, 5);
	/* A lone packet far off is ignored, not a restart. */
	refclock_add_arrival(&rc, (uint64_t)((frame_end(&s, 6000) + 0.03) * NS), 42);
	feed(&s, 6000, 6100);
	assert_int_equal(rc.arr.resets, 1);
}

static void
refclock_rejects_implausible_rates(void **state)
{
	struct source s;

	(void)state;
	s = src(5000, JIT_UNIFORM, 5, 11);
	feed(&s, 0, 50 * 60);
	assert_false(refclock_ready(&rc));
	assert_int_equal(refclock_tick_ns(&rc, TICK_NS), TICK_NS);
}

static void
refclock_tick_follows_reference(void **state)
{
	struct source s;
	double t, t_end, lag_max = 0;
	uint64_t ticks = 0;
	uint64_t tick;

	(void)state;
	s = src(100, JIT_UNIFORM, 5, 12);
	feed(&s, 0, 50 * 30);
	assert_true(refclock_ready(&rc));
	/* 20 ms of a clock 100 ppm fast is 19,998.0 us of ours. */
	tick = refclock_tick_ns(&rc, TICK_NS);
	print_message("# tick %lu ns\n", (unsigned long)tick);
	assert_in_range(tick, 19998000 - 100, 19998000 + 100);
	/*
	 * Ten minutes: a mixer ticking at refclock_tick_ns (asked again every
	 * tick while the source keeps feeding the estimator) consumes one
	 * frame per tick; the source produces one per 20 ms of its clock.
	 * Their difference stays under half a frame; nominal ticks would
	 * have fallen 3 frames (60 ms) behind.
	 */
	t = frame_end(&s, 50 * 30 - 1);
	t_end = t + 600;
	for (uint32_t i = 50 * 30; t < t_end; ticks++) {
		double produced, lag;

		while (frame_end(&s, i) <= t) {
			feed(&s, i, i + 1);
			i++;
		}
		produced = (t - s.t0) * (1.0 + s.ppm * 1e-6) / 0.02;
		lag = produced - (double)(50 * 30 + ticks);
		if ((lag < 0 ? -lag : lag) > lag_max)
			lag_max = lag < 0 ? -lag : lag;
		t += (double)refclock_tick_ns(&rc, TICK_NS) / NS;
	}
	print_message("# %lu ticks, largest lag %.3f frames\n", (unsigned long)ticks, lag_max);
	assert_true(lag_max < 0.5);
	/* The same ten minutes at the nominal tick. */
	t = frame_end(&s, 50 * 30 - 1);
	for (ticks = 0; t < t_end; ticks++)
		t += (double)TICK_NS / NS;
	lag_max = (t - s.t0) * (1.0 + s.ppm * 1e-6) / 0.02 - (double)(50 * 30 + ticks);
	print_message("# nominal: lag %.3f frames\n", lag_max);
	assert_true(lag_max > 2.5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refclock_not_ready_before_10_s_of_span),
		cmocka_unit_test(refclock_estimates_100ppm),
		cmocka_unit_test(refclock_sr_pairs_are_preferred),
		cmocka_unit_test(refclock_prefers_arrivals_when_sr_disagrees),
		cmocka_unit_test(refclock_ignores_congestion_bursts),
		cmocka_unit_test(refclock_holds_its_estimate_over_a_timestamp_jump),
		cmocka_unit_test(refclock_rejects_implausible_rates),
		cmocka_unit_test(refclock_tick_follows_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
