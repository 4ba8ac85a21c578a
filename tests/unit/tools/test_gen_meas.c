/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgw-gen's measurements (tools/rtpgw-gen/meas.c): stream
 * accounting by extended sequence number (RFC 3550 A.1: loss, duplicates,
 * reordering, the 65535 -> 0 wrap, late packets below the window), the
 * log-bucket histogram's percentiles against exact order statistics, and
 * RFC 3550 A.8 jitter against hand-computed values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tools/rtpgw-gen/meas.h"

/* Sends seqs [from, to) of a stream (16-bit wire numbers). */
static void
feed(struct meas_stream *s, uint32_t from, uint32_t to)
{
	for (uint32_t e = from; e < to; e++)
		meas_stream_seq(s, (uint16_t)e);
}

static void
seq_extend_picks_nearest_cycle(void **state)
{
	(void)state;
	assert_int_equal(meas_seq_extend(65535, 0), 65536);
	assert_int_equal(meas_seq_extend(65536, 65535), 65535);
	assert_int_equal(meas_seq_extend(0x10005, 0xfff0), 0xfff0);
	assert_int_equal(meas_seq_extend(0x3fff0, 0x0010), 0x40010);
	assert_int_equal(meas_seq_extend(100, 100), 100);
}

static void
in_order_counts_every_packet(void **state)
{
	struct meas_stream s;

	(void)state;
	meas_stream_reset(&s, 1000);
	feed(&s, 1000, 1100);
	assert_int_equal(s.received, 100);
	assert_int_equal(s.dup, 0);
	assert_int_equal(s.reordered, 0);
	assert_int_equal(s.late, 0);
	assert_int_equal(s.max_ext, 1099);
}

static void
loss_is_sent_minus_received(void **state)
{
	struct meas_stream s;
	uint32_t sent = 0;

	(void)state;
	meas_stream_reset(&s, 5000);
	for (uint32_t e = 5000; e < 6000; e++, sent++)
		if (e % 7 != 3) /* drop every 7th */
			meas_stream_seq(&s, (uint16_t)e);
	assert_int_equal(sent - s.received, 143);
	assert_int_equal(s.dup, 0);
	assert_int_equal(s.reordered, 0);
}

static void
duplicate_counted_once_and_not_received(void **state)
{
	struct meas_stream s;

	(void)state;
	meas_stream_reset(&s, 10);
	assert_true(meas_stream_seq(&s, 10));
	assert_true(meas_stream_seq(&s, 11));
	assert_false(meas_stream_seq(&s, 11)); /* the newest again */
	assert_true(meas_stream_seq(&s, 12));
	assert_false(meas_stream_seq(&s, 10)); /* an older one again */
	assert_int_equal(s.received, 3);
	assert_int_equal(s.dup, 2);
	assert_int_equal(s.reordered, 0);
}

static void
reordered_packet_is_received_not_lost(void **state)
{
	struct meas_stream s;

	(void)state;
	meas_stream_reset(&s, 0);
	meas_stream_seq(&s, 0);
	meas_stream_seq(&s, 2);
	meas_stream_seq(&s, 3);
	assert_true(meas_stream_seq(&s, 1)); /* two behind */
	meas_stream_seq(&s, 4);
	assert_int_equal(s.received, 5);
	assert_int_equal(s.reordered, 1);
	assert_int_equal(s.dup, 0);
	assert_false(meas_stream_seq(&s, 1)); /* and then duplicated */
	assert_int_equal(s.dup, 1);
	assert_int_equal(s.max_ext, 4);
}

static void
wrap_65535_to_0_is_continuous(void **state)
{
	struct meas_stream s;

	(void)state;
	meas_stream_reset(&s, 65530);
	feed(&s, 65530, 65550); /* 65530..65535, 0..13 on the wire */
	assert_int_equal(s.received, 20);
	assert_int_equal(s.dup, 0);
	assert_int_equal(s.reordered, 0);
	assert_int_equal(s.max_ext, 65549);
	/* reordered across the wrap: 0 arrives after 1 */
	meas_stream_reset(&s, 0x2fffe);
	meas_stream_seq(&s, 0xfffe);
	meas_stream_seq(&s, 0xffff);
	meas_stream_seq(&s, 1);
	assert_true(meas_stream_seq(&s, 0));
	meas_stream_seq(&s, 2);
	assert_int_equal(s.received, 5);
	assert_int_equal(s.reordered, 1);
	assert_int_equal(s.max_ext, 0x30002);
}

static void
late_below_window_counted_apart(void **state)
{
	struct meas_stream s;

	(void)state;
	meas_stream_reset(&s, 100);
	meas_stream_seq(&s, 100);
	feed(&s, 102, 102 + MEAS_WINDOW + 10);
	assert_true(meas_stream_seq(&s, 101)); /* > MEAS_WINDOW behind */
	assert_int_equal(s.late, 1);
	assert_int_equal(s.received, MEAS_WINDOW + 12);
	assert_int_equal(s.reordered, 0);
	/* within the window: reordered, not late */
	meas_stream_reset(&s, 100);
	meas_stream_seq(&s, 100);
	feed(&s, 102, 102 + MEAS_WINDOW - 2);
	assert_true(meas_stream_seq(&s, 101));
	assert_int_equal(s.late, 0);
	assert_int_equal(s.reordered, 1);
}

static void
packet_from_before_base_is_not_new(void **state)
{
	struct meas_stream s;

	(void)state;
	meas_stream_reset(&s, 500);
	assert_false(meas_stream_seq(&s, 499));
	assert_false(meas_stream_seq(&s, 480));
	assert_int_equal(s.received, 0);
	feed(&s, 500, 510);
	assert_int_equal(s.received, 10);
}

static void
large_jump_resets_window(void **state)
{
	struct meas_stream s;

	(void)state;
	meas_stream_reset(&s, 0);
	feed(&s, 0, 10);
	assert_true(meas_stream_seq(&s, 1000)); /* 990 lost */
	assert_int_equal(s.received, 11);
	assert_int_equal(s.max_ext, 1000);
	assert_false(meas_stream_seq(&s, 1000));
}

static void
hist_exact_below_sub(void **state)
{
	struct meas_hist *h = malloc(sizeof(*h));

	(void)state;
	meas_hist_reset(h);
	assert_int_equal(meas_hist_quantile(h, 0.5), 0);
	for (uint64_t v = 1; v <= 60; v++)
		meas_hist_add(h, v);
	assert_int_equal(h->count, 60);
	assert_int_equal(meas_hist_quantile(h, 0.5), 30);
	assert_int_equal(meas_hist_quantile(h, 0.99), 60);
	assert_int_equal(meas_hist_quantile(h, 0.0), 1);
	assert_int_equal(meas_hist_quantile(h, 1.0), 60);
	assert_int_equal(meas_hist_quantile(h, 0.1), 6);
	assert_int_equal(h->sum, 60 * 61 / 2);
	free(h);
}

static void
hist_bucket_bounds(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < (1ull << 36); v = v * 3 / 2 + 1) {
		unsigned int b = meas_hist_bucket(v);
		uint64_t top = meas_hist_bucket_top(b);

		assert_true(b < MEAS_HIST_BUCKETS);
		assert_true(top >= v);
		if (v < (1ull << MEAS_HIST_MAX_LOG2)) {
			assert_int_equal(meas_hist_bucket(top), b);
			assert_true(top - v <= v / MEAS_HIST_SUB);
			if (b > 0)
				assert_true(meas_hist_bucket_top(b - 1) < v);
		}
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Random latencies (1 us to 10 ms, ns): every percentile is the exact
 * order statistic or at most 1/64 above it, never below. */
static void
hist_percentiles_against_exact(void **state)
{
	enum { N = 20000 };
	static uint64_t v[N];
	static const double qs[] = {0.01, 0.1, 0.5, 0.9, 0.99, 0.999};
	struct meas_hist *h = malloc(sizeof(*h));
	uint64_t x = 88172645463325252ull;

	(void)state;
	meas_hist_reset(h);
	for (int i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[i] = 1000 + x % 10000000;
		meas_hist_add(h, v[i]);
	}
	qsort(v, N, sizeof(v[0]), cmp_u64);
	for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
		uint64_t exact = v[(size_t)ceil(qs[k] * N) - 1];
		uint64_t got = meas_hist_quantile(h, qs[k]);

		assert_true(got >= exact);
		assert_true(got <= exact + exact / MEAS_HIST_SUB);
	}
	assert_int_equal(meas_hist_quantile(h, 1.0), v[N - 1]);
	assert_int_equal(h->min, v[0]);
	free(h);
}

static void
hist_merge_adds(void **state)
{
	struct meas_hist *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));

	(void)state;
	meas_hist_reset(a);
	meas_hist_reset(b);
	for (uint64_t k = 1; k <= 10; k++)
		meas_hist_add(a, k);
	for (uint64_t k = 11; k <= 20; k++)
		meas_hist_add(b, k);
	meas_hist_merge(a, b);
	assert_int_equal(a->count, 20);
	assert_int_equal(a->min, 1);
	assert_int_equal(a->max, 20);
	assert_int_equal(meas_hist_quantile(a, 0.5), 10);
	free(a);
	free(b);
}

/*
 * A.8 by hand: timestamps 0, 160, 320, 480, 640; arrivals 1000, 1160,
 * 1330, 1480, 1640 -> transits 1000, 1000, 1010, 1000, 1000 -> |D| 0, 10,
 * 10, 0. Integer code (J scaled by 16): 0 -> 0 -> 10 -> 10 + 10 - 1 = 19
 * -> 19 + 0 - 1 = 18, i.e. J = 1.125 (the floating point version gives
 * 0, 0.625, 1.2109, 1.1353).
 */
static void
jitter_matches_hand_computed_a8(void **state)
{
	static const uint32_t ts[] = {0, 160, 320, 480, 640};
	static const uint32_t arr[] = {1000, 1160, 1330, 1480, 1640};
	static const uint32_t q4[] = {0, 0, 10, 19, 18};
	struct meas_jitter j;

	(void)state;
	memset(&j, 0, sizeof(j));
	for (int i = 0; i < 5; i++) {
		meas_jitter_update(&j, arr[i], ts[i]);
		assert_int_equal(j.j_q4, q4[i]);
	}
	assert_true(fabs(meas_jitter_ts(&j) - 1.125) < 1e-9);
	assert_true(fabs(meas_jitter_ts(&j) - 1.1353) < 0.02);
	assert_true(fabs(meas_jitter_us(&j, 8000) - 140.625) < 1e-6);
	/* the same across the 2^32 wrap of both clocks */
	memset(&j, 0, sizeof(j));
	for (int i = 0; i < 5; i++)
		meas_jitter_update(&j, arr[i] - 1200, ts[i] - 300);
	assert_int_equal(j.j_q4, 18);
}

static void
jitter_zero_for_constant_transit_and_converges(void **state)
{
	struct meas_jitter j;

	(void)state;
	memset(&j, 0, sizeof(j));
	for (uint32_t i = 0; i < 100; i++)
		meas_jitter_update(&j, 5000 + 160 * i, 160 * i);
	assert_int_equal(j.j_q4, 0);
	/* transit alternating +-40: |D| = 80 every packet, J -> 80 */
	for (uint32_t i = 0; i < 400; i++)
		meas_jitter_update(&j, 5000 + 160 * i + (i & 1 ? 40 : -40), 160 * i);
	assert_true(fabs(meas_jitter_ts(&j) - 80) < 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seq_extend_picks_nearest_cycle),
		cmocka_unit_test(in_order_counts_every_packet),
		cmocka_unit_test(loss_is_sent_minus_received),
		cmocka_unit_test(duplicate_counted_once_and_not_received),
		cmocka_unit_test(reordered_packet_is_received_not_lost),
		cmocka_unit_test(wrap_65535_to_0_is_continuous),
		cmocka_unit_test(late_below_window_counted_apart),
		cmocka_unit_test(packet_from_before_base_is_not_new),
		cmocka_unit_test(large_jump_resets_window),
		cmocka_unit_test(hist_exact_below_sub),
		cmocka_unit_test(hist_bucket_bounds),
		cmocka_unit_test(hist_percentiles_against_exact),
		cmocka_unit_test(hist_merge_adds),
		cmocka_unit_test(jitter_matches_hand_computed_a8),
		cmocka_unit_test(jitter_zero_for_constant_transit_and_converges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
