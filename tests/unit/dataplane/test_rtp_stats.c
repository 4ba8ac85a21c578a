/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/rtp/rtp_stats.c: RFC 3550 A.1 probation,
 * sequence extension across the 65535 -> 0 wrap, large-jump resync, the
 * duplicate/reorder window, A.3 loss with its 24-bit clamp and A.8 jitter
 * against a hand-computed example, a floating-point reference and the real
 * stream of rtp_pcmu_1000hz_5s.pcap.
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
#include "rtp/rtp_stats.h"

#include "pcap_reader.h"

/* Start a source at first and feed first + 1 .. last (mod 2^16), all valid. */
static void
feed_run(struct rtp_stats *s, uint16_t first, uint16_t last)
{
	uint16_t seq = first;

	rtp_stats_init(s, first);
	while (seq != last) {
		seq++;
		assert_true(rtp_stats_update(s, seq));
	}
}

static void
init_counts_first_packet(void **state)
{
	struct rtp_stats s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	rtp_stats_init(&s, 100);
	assert_int_equal(s.received, 1);
	assert_int_equal(s.base_seq, 100);
	assert_int_equal(rtp_stats_ext_max(&s), 100);
	assert_int_equal(rtp_stats_expected(&s), 1);
	assert_int_equal(rtp_stats_lost(&s), 0);
	assert_int_equal(s.probation, RTP_MIN_SEQUENTIAL - 1);
	assert_int_equal(s.duplicates + s.reordered + s.restarts + s.jitter + s.jitter_valid, 0);
}

static void
probation_ends_after_two_sequential_packets(void **state)
{
	struct rtp_stats s;

	(void)state;
	rtp_stats_init(&s, 100);
	assert_true(rtp_stats_update(&s, 101));
	assert_int_equal(s.probation, 0);
	assert_true(rtp_stats_update(&s, 102));
	assert_int_equal(s.received, 3);
	assert_int_equal(rtp_stats_expected(&s), 3);
	assert_int_equal(rtp_stats_lost(&s), 0);
}

static void
probation_restarts_on_gap(void **state)
{
	struct rtp_stats s;

	(void)state;
	rtp_stats_init(&s, 100);
	assert_false(rtp_stats_update(&s, 105));
	assert_false(rtp_stats_update(&s, 50));
	assert_true(rtp_stats_update(&s, 51));
	assert_int_equal(s.base_seq, 50);
	assert_int_equal(s.received, 2);
	assert_int_equal(rtp_stats_lost(&s), 0);
	assert_int_equal(s.restarts, 0);
}

static void
probation_counts_duplicate_and_waits(void **state)
{
	struct rtp_stats s;

	(void)state;
	rtp_stats_init(&s, 100);
	assert_false(rtp_stats_update(&s, 100));
	assert_int_equal(s.duplicates, 1);
	assert_int_equal(s.received, 1);
	assert_true(rtp_stats_update(&s, 101));
	assert_int_equal(s.received, 2);
}

static void
probation_crosses_seq_wrap(void **state)
{
	struct rtp_stats s;

	(void)state;
	rtp_stats_init(&s, 65535);
	assert_true(rtp_stats_update(&s, 0));
	assert_int_equal(s.cycles, RTP_SEQ_MOD);
	assert_int_equal(rtp_stats_ext_max(&s), 65536);
	assert_int_equal(rtp_stats_expected(&s), 2);
	assert_int_equal(rtp_stats_lost(&s), 0);
}

static void
seq_wrap_counts_cycle(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 65530, 5);
	assert_int_equal(s.cycles, RTP_SEQ_MOD);
	assert_int_equal(s.max_seq, 5);
	assert_int_equal(rtp_stats_ext_max(&s), 65536 + 5);
	assert_int_equal(rtp_stats_expected(&s), 12);
	assert_int_equal(s.received, 12);
	assert_int_equal(rtp_stats_lost(&s), 0);
	/* a late packet from before the wrap is reordered, not a new cycle */
	s.window &= ~((uint64_t)1 << 7); /* pretend 65534 had been lost */
	s.received--;
	assert_true(rtp_stats_update(&s, 65534));
	assert_int_equal(s.cycles, RTP_SEQ_MOD);
	assert_int_equal(s.reordered, 1);
	assert_int_equal(rtp_stats_lost(&s), 0);
}

static void
seq_wraps_many_cycles(void **state)
{
	struct rtp_stats s;
	uint32_t i;
	uint16_t seq = 1000;

	(void)state;
	rtp_stats_init(&s, seq);
	for (i = 0; i < 3 * RTP_SEQ_MOD; i++)
		assert_true(rtp_stats_update(&s, ++seq));
	assert_int_equal(s.cycles, 3 * RTP_SEQ_MOD);
	assert_int_equal(rtp_stats_expected(&s), 3 * RTP_SEQ_MOD + 1);
	assert_int_equal(rtp_stats_lost(&s), 0);
}

static void
gap_counts_lost(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 10, 20);
	assert_true(rtp_stats_update(&s, 24)); /* 21, 22, 23 lost */
	assert_int_equal(s.received, 12);
	assert_int_equal(rtp_stats_expected(&s), 15);
	assert_int_equal(rtp_stats_lost(&s), 3);
	/* a gap just below MAX_DROPOUT is still in order */
	assert_true(rtp_stats_update(&s, 24 + RTP_MAX_DROPOUT - 1));
	assert_int_equal(rtp_stats_lost(&s), 3 + RTP_MAX_DROPOUT - 2);
	assert_int_equal(s.window, 1);
	assert_int_equal(s.restarts, 0);
}

static void
duplicate_not_counted_as_received(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 1, 10);
	assert_true(rtp_stats_update(&s, 10)); /* same as max_seq */
	assert_true(rtp_stats_update(&s, 7));  /* inside the window */
	assert_true(rtp_stats_update(&s, 1));
	assert_int_equal(s.duplicates, 3);
	assert_int_equal(s.reordered, 0);
	assert_int_equal(s.received, 10);
	assert_int_equal(rtp_stats_lost(&s), 0);
	assert_int_equal(s.max_seq, 10);
}

static void
reorder_counted_once(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 1, 2);
	assert_true(rtp_stats_update(&s, 4));
	assert_int_equal(rtp_stats_lost(&s), 1);
	assert_true(rtp_stats_update(&s, 3)); /* late: reordered */
	assert_int_equal(s.reordered, 1);
	assert_int_equal(s.received, 4);
	assert_int_equal(rtp_stats_lost(&s), 0);
	assert_int_equal(s.max_seq, 4);
	assert_true(rtp_stats_update(&s, 3)); /* again: duplicate */
	assert_int_equal(s.reordered, 1);
	assert_int_equal(s.duplicates, 1);
	assert_int_equal(s.received, 4);
}

static void
window_covers_64_packets(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 1000, 1000);
	assert_true(rtp_stats_update(&s, 1001));
	assert_true(rtp_stats_update(&s, 1064)); /* 1002..1063 missing */
	/* bit 63 is 1001: a duplicate is still recognised */
	assert_true(rtp_stats_update(&s, 1001));
	assert_int_equal(s.duplicates, 1);
	/* 1000 is 64 behind: outside the window, counted as reordered */
	assert_true(rtp_stats_update(&s, 1000));
	assert_int_equal(s.duplicates, 1);
	assert_int_equal(s.reordered, 1);
	/* 1002 is inside and unmarked */
	assert_true(rtp_stats_update(&s, 1002));
	assert_int_equal(s.reordered, 2);
	assert_int_equal(s.received, 5);
}

static void
misorder_limit_is_a_large_jump(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 1000, 1200);
	/* MAX_MISORDER - 1 behind: reordered */
	assert_true(rtp_stats_update(&s, 1200 - RTP_MAX_MISORDER + 1));
	assert_int_equal(s.reordered, 1);
	/* MAX_MISORDER behind: A.1 treats it as a very large jump */
	assert_false(rtp_stats_update(&s, 1200 - RTP_MAX_MISORDER));
	assert_int_equal(s.bad_seq, 1200 - RTP_MAX_MISORDER + 1);
	assert_int_equal(s.reordered, 1);
}

static void
large_jump_restarts_after_two_packets(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 1000, 1010);
	rtp_stats_jitter(&s, 0, 0);
	assert_false(rtp_stats_update(&s, 20000));
	assert_int_equal(s.restarts, 0);
	assert_int_equal(s.received, 11);
	assert_int_equal(s.max_seq, 1010);
	assert_true(rtp_stats_update(&s, 20001));
	assert_int_equal(s.restarts, 1);
	assert_int_equal(s.base_seq, 20001);
	assert_int_equal(s.max_seq, 20001);
	assert_int_equal(s.received, 1);
	assert_int_equal(s.cycles, 0);
	assert_int_equal(rtp_stats_expected(&s), 1);
	assert_int_equal(s.jitter_valid, 0);
	assert_true(rtp_stats_update(&s, 20002));
	assert_int_equal(s.received, 2);
	assert_int_equal(rtp_stats_lost(&s), 0);
}

static void
large_jump_single_packet_is_ignored(void **state)
{
	struct rtp_stats s;

	(void)state;
	feed_run(&s, 1000, 1010);
	assert_false(rtp_stats_update(&s, 40000));
	assert_true(rtp_stats_update(&s, 1011));
	assert_false(rtp_stats_update(&s, 40002)); /* not 40000 + 1 */
	assert_false(rtp_stats_update(&s, 40004));
	assert_int_equal(s.restarts, 0);
	assert_int_equal(s.received, 12);
	assert_int_equal(s.max_seq, 1011);
	assert_int_equal(rtp_stats_lost(&s), 0);
}

static void
lost_clamps_to_24_bit_range(void **state)
{
	struct rtp_stats s;

	(void)state;
	rtp_stats_init(&s, 0);
	s.cycles = 200 * RTP_SEQ_MOD; /* about 13e6 expected, 1 received */
	assert_int_equal(rtp_stats_lost(&s), 0x7fffff);
	s.cycles = 0;
	s.received = 0x900000; /* far more received than expected */
	assert_int_equal(rtp_stats_lost(&s), -0x800000);
	s.received = 0x800000 + 1;
	assert_int_equal(rtp_stats_lost(&s), -0x800000);
	s.received = 0x800000;
	assert_int_equal(rtp_stats_lost(&s), -0x7fffff);
	s.received = UINT32_MAX;
	assert_int_equal(rtp_stats_lost(&s), -0x800000);
}

static void
jitter_first_sample_only_sets_transit(void **state)
{
	struct rtp_stats s;

	(void)state;
	rtp_stats_init(&s, 1);
	rtp_stats_jitter(&s, 160, 5000);
	assert_int_equal(s.jitter_valid, 1);
	assert_int_equal(s.transit, 5000 - 160);
	assert_int_equal(s.jitter, 0);
}

/*
 * A.8 by hand, 8 kHz clock, 160 timestamp units per packet. J16 is the
 * scaled jitter: J16 += |D| - ((J16 + 8) >> 4); the float J of 6.4.1
 * (J += (|D| - J) / 16) is given for comparison, J16 ~ 16 * J.
 *
 *  ts   arrival  transit  D    J16                          J (float)
 *   0    1000     1000    -    0 (transit only)             -
 *  160   1176     1016   16    0 + 16 - (8 >> 4 = 0)  = 16  1.0
 *  320   1320     1000  -16   16 + 16 - (24 >> 4 = 1) = 31  1.9375
 *  480   1500     1020   20   31 + 20 - (39 >> 4 = 2) = 49  3.0664
 *  640   1640     1000  -20   49 + 20 - (57 >> 4 = 3) = 66  4.1248
 *  800   1800     1000    0   66 +  0 - (74 >> 4 = 4) = 62  3.8670
 *
 * Reported jitter (J16 >> 4): 1, 1, 3, 4, 3 timestamp units.
 */
static void
jitter_matches_hand_computed_example(void **state)
{
	static const uint32_t ts[] = {0, 160, 320, 480, 640, 800};
	static const uint32_t arrival[] = {1000, 1176, 1320, 1500, 1640, 1800};
	static const uint32_t j16[] = {0, 16, 31, 49, 66, 62};
	static const uint32_t units[] = {0, 1, 1, 3, 4, 3};
	struct rtp_stats s;
	unsigned int i;

	(void)state;
	rtp_stats_init(&s, 1);
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		rtp_stats_jitter(&s, ts[i], arrival[i]);
		assert_int_equal(s.jitter, j16[i]);
		assert_int_equal(rtp_stats_jitter_units(&s), units[i]);
	}
}

static void
jitter_survives_clock_wraps(void **state)
{
	struct rtp_stats s;
	uint32_t ts = UINT32_MAX - 3 * 160, arrival = 0x7ffffff0;
	unsigned int i;

	(void)state;
	/* constant transit across both the RTP and the arrival clock wrap */
	rtp_stats_init(&s, 1);
	for (i = 0; i < 8; i++) {
		rtp_stats_jitter(&s, ts, arrival);
		ts += 160;
		arrival += 160;
	}
	assert_int_equal(s.jitter, 0);
	arrival = UINT32_MAX - 100;
	ts = 0;
	rtp_stats_init(&s, 1);
	rtp_stats_jitter(&s, ts, arrival);
	rtp_stats_jitter(&s, ts + 160, arrival + 160 + 16); /* wraps, D = 16 */
	assert_int_equal(s.jitter, 16);
}

static void
jitter_saturates_on_garbage_timestamps(void **state)
{
	struct rtp_stats s;
	unsigned int i;

	(void)state;
	rtp_stats_init(&s, 1);
	for (i = 0; i < 400; i++)
		rtp_stats_jitter(&s, i & 1 ? 0x80000000 : 0, 0);
	assert_int_equal(s.jitter, UINT32_MAX);
}

/* A.8 in doubles as printed in 6.4.1, driven by the same samples. */
static void
jitter_matches_float_reference(void **state)
{
	uint64_t seed = 0x5eed0002;
	uint32_t ts = 12345, arrival = 999, i;
	double jf = 0, transit_f = 0;
	struct rtp_stats s;

	(void)state;
	rtp_stats_init(&s, 1);
	for (i = 0; i < 10000; i++) {
		int32_t transit;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		ts += 160;
		arrival += 160 + (uint32_t)(seed % 81) - 40; /* +-5 ms at 8 kHz */
		rtp_stats_jitter(&s, ts, arrival);
		transit = (int32_t)(arrival - ts);
		if (i > 0) {
			double d = transit - transit_f;

			jf += ((d < 0 ? -d : d) - jf) / 16;
		}
		transit_f = transit;
		/* the integer form rounds at each step: stays within a unit */
		assert_true(s.jitter / 16.0 - jf < 1.0 && jf - s.jitter / 16.0 < 1.0);
	}
}

/*
 * The real stream: 251 packets without a gap, A.1 counts them all, A.8 on
 * the capture clock converted to 8 kHz agrees with tshark's figure (1.478
 * ms mean, 2.952 ms max: between 0.2 and 3 ms, i.e. 1.6 to 24 units).
 */
static void
capture_stream_counts_251_received_none_lost(void **state)
{
	struct pcap_reader *r = pcap_reader_open("rtp_pcmu_1000hz_5s.pcap");
	struct rtp_stats s;
	struct rtp_info info;
	struct pcap_udp u;
	uint32_t n = 0;

	(void)state;
	if (r == NULL) {
		pcap_reader_skip("rtp_pcmu_1000hz_5s.pcap");
		return;
	}
	while (pcap_reader_next_udp(r, &u) == 0) {
		assert_int_equal(rtp_parse(u.payload, u.len, &info), 0);
		if (n == 0)
			rtp_stats_init(&s, info.seq);
		else
			assert_true(rtp_stats_update(&s, info.seq));
		rtp_stats_jitter(&s, info.ts, (uint32_t)(u.ts_us * 8 / 1000));
		n++;
	}
	pcap_reader_close(r);
	assert_int_equal(n, 251);
	assert_int_equal(s.received, 251);
	assert_int_equal(s.base_seq, 32382);
	assert_int_equal(rtp_stats_ext_max(&s), 32632);
	assert_int_equal(rtp_stats_expected(&s), 251);
	assert_int_equal(rtp_stats_lost(&s), 0);
	assert_int_equal(s.duplicates, 0);
	assert_int_equal(s.reordered, 0);
	assert_int_equal(s.restarts, 0);
	assert_true(rtp_stats_jitter_units(&s) >= 1 && rtp_stats_jitter_units(&s) <= 24);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_counts_first_packet),
		cmocka_unit_test(probation_ends_after_two_sequential_packets),
		cmocka_unit_test(probation_restarts_on_gap),
		cmocka_unit_test(probation_counts_duplicate_and_waits),
		cmocka_unit_test(probation_crosses_seq_wrap),
		cmocka_unit_test(seq_wrap_counts_cycle),
		cmocka_unit_test(seq_wraps_many_cycles),
		cmocka_unit_test(gap_counts_lost),
		cmocka_unit_test(duplicate_not_counted_as_received),
		cmocka_unit_test(reorder_counted_once),
		cmocka_unit_test(window_covers_64_packets),
		cmocka_unit_test(misorder_limit_is_a_large_jump),
		cmocka_unit_test(large_jump_restarts_after_two_packets),
		cmocka_unit_test(large_jump_single_packet_is_ignored),
		cmocka_unit_test(lost_clamps_to_24_bit_range),
		cmocka_unit_test(jitter_first_sample_only_sets_transit),
		cmocka_unit_test(jitter_matches_hand_computed_example),
		cmocka_unit_test(jitter_survives_clock_wraps),
		cmocka_unit_test(jitter_saturates_on_garbage_timestamps),
		cmocka_unit_test(jitter_matches_float_reference),
		cmocka_unit_test(capture_stream_counts_251_received_none_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
