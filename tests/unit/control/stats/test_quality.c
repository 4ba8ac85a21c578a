/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/stats/quality.c with synthetic flow statistics and
 * hand-built RTCP packets (parsed by rtcp_report.c, as rtpgw-control does):
 * loss cumulative and per interval, jitter in ms, the round trip from the
 * SR ring (RFC 3550 6.4.1, no clock sync) and from the wall clock, LSR 0,
 * the ring overwriting its oldest entry, absurd round trips rejected, the
 * endpoint's reported loss and jitter, the MOS inputs, the JSON object and
 * the combination of legs into a call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../../../control/stats/emodel.h"
#include "../../../../control/stats/quality.h"

#define MS(x) ((uint64_t)(x) * 1000000ULL)

static void
assert_near(double got, double want, double eps)
{
	if (fabs(got - want) > eps)
		fail_msg("got %.6f, want %.6f (+- %g)", got, want, eps);
}

static struct rtpgw_api_flow_stats
flow(uint32_t ssrc, uint32_t expected, int32_t lost, uint32_t jitter)
{
	struct rtpgw_api_flow_stats st;

	memset(&st, 0, sizeof(st));
	st.ssrc = ssrc;
	st.expected = expected;
	st.lost = lost;
	st.received = (uint32_t)((int64_t)expected - lost);
	st.packets = st.received;
	st.octets = 160ULL * st.received;
	st.jitter = jitter;
	st.last_seen_ns = MS(20) * expected;
	return st;
}

struct rb_spec {
	uint32_t ssrc;
	uint8_t fraction;
	int32_t cum_lost;
	uint32_t ext_seq;
	uint32_t jitter;
	uint32_t lsr;
	uint32_t dlsr;
};

static size_t
put32(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)(v >> 24);
	b[off + 1] = (uint8_t)(v >> 16);
	b[off + 2] = (uint8_t)(v >> 8);
	b[off + 3] = (uint8_t)v;
	return off + 4;
}

/*
 * An RTCP compound from the endpoint (SSRC 0xe0): an SR when with_sr, else
 * an RR, carrying the given report blocks, then an SDES CNAME; parsed into r.
 */
static void
endpoint_rtcp(struct rtcp_report *r, bool with_sr, const struct rb_spec *rb, unsigned int n)
{
	uint8_t b[512];
	size_t off = 0, start;
	unsigned int i;

	b[0] = (uint8_t)(0x80 | n);
	b[1] = with_sr ? 200 : 201;
	off = put32(b, 4, 0xe0);
	if (with_sr) {
		off = put32(b, off, 0xe8000000); /* NTP */
		off = put32(b, off, 0x80000000);
		off = put32(b, off, 12345);
		off = put32(b, off, 500);
		off = put32(b, off, 80000);
	}
	for (i = 0; i < n; i++) {
		off = put32(b, off, rb[i].ssrc);
		off = put32(b, off, ((uint32_t)rb[i].fraction << 24) |
					    ((uint32_t)rb[i].cum_lost & 0xffffff));
		off = put32(b, off, rb[i].ext_seq);
		off = put32(b, off, rb[i].jitter);
		off = put32(b, off, rb[i].lsr);
		off = put32(b, off, rb[i].dlsr);
	}
	b[2] = 0;
	b[3] = (uint8_t)(off / 4 - 1);
	start = off;
	b[off++] = 0x81;
	b[off++] = 202;
	b[off++] = 0;
	b[off++] = 2;
	off = put32(b, off, 0xe0);
	off = put32(b, off, 0x01016100); /* CNAME "a", end, pad */
	assert_int_equal(off - start, 12);
	assert_int_equal(rtcp_report_parse(b, off, r), 0);
}

/* one RR block about our stream (SSRC 0x5a) */
static void
rr_from_endpoint(struct leg_quality_acc *a, uint64_t t_ns, uint32_t lsr, uint32_t dlsr,
		 uint32_t wall, bool wallclock)
{
	struct rb_spec rb = { .ssrc = 0x5a, .ext_seq = 1000, .lsr = lsr, .dlsr = dlsr };
	struct rtcp_report r;

	endpoint_rtcp(&r, false, &rb, 1);
	quality_rtcp_from_endpoint(a, &r, t_ns, wall, wallclock);
}

static void
empty_accumulator(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;
	char buf[256];
	int n;

	(void)state;
	memset(&a, 0, sizeof(a));
	quality_get(&a, &q);
	assert_int_equal(q.packets, 0);
	assert_near(q.loss_pct, 0, 0);
	assert_near(q.rtt_ms, -1, 0);
	assert_near(q.mos, -1, 0);
	assert_near(q.r, -1, 0);
	n = quality_json(&q, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_string_equal(buf, "{\"packets\":0,\"lost\":0,\"loss_pct\":0.00,"
				 "\"remote_loss_pct\":0.00,\"jitter_ms\":0.00,"
				 "\"remote_jitter_ms\":0.00,\"rtt_ms\":null,\"mos\":null,"
				 "\"rtcp_reports\":0}");
}

static void
loss_and_jitter_from_flow_stats(void **state)
{
	struct leg_quality_acc a;
	struct rtpgw_api_flow_stats st = flow(0x1, 1000, 50, 80);
	struct leg_quality q;

	(void)state;
	memset(&a, 0, sizeof(a));
	quality_flow_stats(&a, &st, 8000, MS(20000));
	quality_get(&a, &q);
	assert_int_equal(q.packets, 950);
	assert_int_equal(q.octets, 950 * 160);
	assert_int_equal(q.lost, 50);
	assert_near(q.loss_pct, 5.0, 1e-9);
	/* A.8 jitter 80 at 8 kHz: 10 ms */
	assert_near(q.jitter_ms, 10.0, 1e-9);
	assert_int_equal(q.last_rtp_ns, MS(20000));
	/* the same at 16 kHz is 5 ms; clock 0 means 8 kHz */
	quality_flow_stats(&a, &st, 16000, MS(20000));
	quality_get(&a, &q);
	assert_near(q.jitter_ms, 5.0, 1e-9);
	quality_flow_stats(&a, &st, 0, MS(20000));
	quality_get(&a, &q);
	assert_near(q.jitter_ms, 10.0, 1e-9);
	/* duplicates make A.3 lost negative: 0 % */
	st = flow(0x1, 1000, -3, 0);
	quality_flow_stats(&a, &st, 8000, MS(21000));
	quality_get(&a, &q);
	assert_int_equal(q.lost, -3);
	assert_near(q.loss_pct, 0.0, 0);
	/* an MOS exists as soon as flow statistics do */
	assert_true(q.mos > 4.0);
}

static void
interval_loss(void **state)
{
	struct leg_quality_acc a;
	struct rtpgw_api_flow_stats st;
	struct leg_quality q;

	(void)state;
	memset(&a, 0, sizeof(a));
	st = flow(0x1, 1000, 10, 0);
	quality_flow_stats(&a, &st, 8000, MS(20000));
	quality_get(&a, &q);
	assert_near(q.interval_loss_pct, 1.0, 1e-9); /* from nothing */
	assert_int_equal(a.interval_ns, 0);
	st = flow(0x1, 2000, 60, 0);
	quality_flow_stats(&a, &st, 8000, MS(25000));
	quality_get(&a, &q);
	/* 50 of 1000 in the interval, 60 of 2000 overall */
	assert_near(q.interval_loss_pct, 5.0, 1e-9);
	assert_near(q.loss_pct, 3.0, 1e-9);
	assert_int_equal(a.interval_ns, MS(5000));
	/* nothing new: nothing lost in the interval */
	quality_flow_stats(&a, &st, 8000, MS(30000));
	quality_get(&a, &q);
	assert_near(q.interval_loss_pct, 0.0, 0);
	assert_near(q.loss_pct, 3.0, 1e-9);
	/* a new SSRC: the dataplane restarted its counts */
	st = flow(0x2, 100, 2, 0);
	quality_flow_stats(&a, &st, 8000, MS(35000));
	quality_get(&a, &q);
	assert_near(q.interval_loss_pct, 2.0, 1e-9);
	assert_near(q.loss_pct, 2.0, 1e-9);
	/* expected going back (same SSRC, A.1 re-sync) also restarts */
	st = flow(0x2, 50, 4, 0);
	quality_flow_stats(&a, &st, 8000, MS(40000));
	quality_get(&a, &q);
	assert_near(q.interval_loss_pct, 8.0, 1e-9);
	/* more lost than expected in an interval is capped at 100 % */
	st = flow(0x2, 51, 6, 0);
	quality_flow_stats(&a, &st, 8000, MS(45000));
	quality_get(&a, &q);
	assert_near(q.interval_loss_pct, 100.0, 1e-9);
}

static void
rtt_from_the_sr_ring(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;

	(void)state;
	memset(&a, 0, sizeof(a));
	/* SR (NTP middle 0x12345678) passes toward the endpoint at 1.000 s;
	 * its RR comes back at 1.550 s after holding it 0.5 s (32768/65536):
	 * 50 ms of round trip, exactly */
	quality_sr_passed(&a, 0x12345678, MS(1000));
	rr_from_endpoint(&a, MS(1550), 0x12345678, 32768, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 50.0, 1e-9);
	assert_int_equal(a.rtt_samples, 1);
	/* RR at 1.150 s with DLSR 0.100 s (6554 units, 100.0061 ms) */
	memset(&a, 0, sizeof(a));
	quality_sr_passed(&a, 0x12345678, MS(1000));
	rr_from_endpoint(&a, MS(1150), 0x12345678, 6554, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 150.0 - 6554 * 1000.0 / 65536.0, 1e-6);
	assert_near(q.rtt_ms, 50.0, 0.01);
	assert_int_equal(q.rtcp_reports, 1);
}

static void
rtt_from_the_wall_clock(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;
	uint32_t lsr = 0x00120000, dlsr = 6554;

	(void)state;
	memset(&a, 0, sizeof(a));
	/* arrival = LSR + DLSR + 3277/65536 s (50.003 ms) */
	rr_from_endpoint(&a, MS(5000), lsr, dlsr, lsr + dlsr + 3277, true);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 3277 * 1000.0 / 65536.0, 1e-9);
	/* the same across the 2^32 wrap of NTP short format */
	lsr = 0xfffff000;
	rr_from_endpoint(&a, MS(6000), lsr, dlsr, lsr + dlsr + 6554, true);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 6554 * 1000.0 / 65536.0, 1e-9);
	/* the ring is not consulted on this path */
	assert_int_equal(a.sr_used, 0);
}

static void
lsr_zero_means_no_rtt(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;

	(void)state;
	memset(&a, 0, sizeof(a));
	quality_sr_passed(&a, 0, MS(1000)); /* not a key */
	assert_int_equal(a.sr_used, 0);
	rr_from_endpoint(&a, MS(1100), 0, 0, 0, false);
	rr_from_endpoint(&a, MS(1100), 0, 0, 12345, true);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, -1.0, 0);
	assert_int_equal(a.rtt_rejected, 0);
	assert_int_equal(q.rtcp_reports, 2);
}

static void
ring_overwrites_its_oldest(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;
	uint32_t k;

	(void)state;
	memset(&a, 0, sizeof(a));
	for (k = 1; k <= QUALITY_SR_RING + 1; k++)
		quality_sr_passed(&a, 0x1000 * k, MS(1000 * k));
	assert_int_equal(a.sr_used, QUALITY_SR_RING);
	/* the first SR was overwritten: no RTT, counted */
	rr_from_endpoint(&a, MS(20000), 0x1000, 0, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, -1.0, 0);
	assert_int_equal(a.rtt_rejected, 1);
	/* the second is there: passed at 2 s, RR at 2.080 s, no hold */
	rr_from_endpoint(&a, MS(2080), 0x2000, 0, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 80.0, 1e-9);
	/* and the newest: passed at 9 s, RR at 9.5 s held 0.25 s */
	rr_from_endpoint(&a, MS(9500), 0x9000, 16384, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 250.0, 1e-9);
	/* a key seen again keeps its first passage */
	quality_sr_passed(&a, 0x9000, MS(9400));
	rr_from_endpoint(&a, MS(9500), 0x9000, 16384, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 250.0, 1e-9);
	assert_int_equal(a.sr_used, QUALITY_SR_RING);
}

static void
absurd_rtt_is_rejected(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;

	(void)state;
	memset(&a, 0, sizeof(a));
	quality_sr_passed(&a, 0xaaaa, MS(1000));
	rr_from_endpoint(&a, MS(1040), 0xaaaa, 0, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 40.0, 1e-9);
	/* held longer than the time since the SR passed: negative */
	rr_from_endpoint(&a, MS(1100), 0xaaaa, 65536, 0, false);
	/* arriving before the SR passed */
	rr_from_endpoint(&a, MS(900), 0xaaaa, 0, 0, false);
	/* 20 s round trip */
	rr_from_endpoint(&a, MS(21000), 0xaaaa, 0, 0, false);
	/* wall clock: arrival before LSR + DLSR, and 11 s */
	rr_from_endpoint(&a, MS(1000), 0x10000, 65536, 0x10000, true);
	rr_from_endpoint(&a, MS(1000), 0x10000, 0, 0x10000 + 11 * 65536, true);
	quality_get(&a, &q);
	assert_int_equal(a.rtt_rejected, 5);
	/* the last good one stays */
	assert_near(q.rtt_ms, 40.0, 1e-9);
	assert_int_equal(a.rtt_samples, 1);
	/* 10 s exactly is still accepted */
	rr_from_endpoint(&a, MS(11000), 0xaaaa, 0, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 10000.0, 1e-9);
}

static void
remote_loss_and_jitter(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;
	struct rtcp_report r;
	struct rb_spec rb[2] = {
		{ .ssrc = 0x5a, .fraction = 64, .cum_lost = 10, .ext_seq = 1000, .jitter = 160 },
		{ .ssrc = 0x77, .fraction = 128, .cum_lost = 500, .ext_seq = 9000, .jitter = 8 },
	};

	(void)state;
	memset(&a, 0, sizeof(a));
	/* one block: its fraction lost, 64/256 */
	endpoint_rtcp(&r, true, rb, 1);
	quality_rtcp_from_endpoint(&a, &r, MS(5000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 25.0, 1e-9);
	assert_near(q.remote_fraction_pct, 25.0, 1e-9);
	assert_int_equal(q.remote_lost, 10);
	/* jitter 160 at the default 8 kHz: 20 ms */
	assert_near(q.remote_jitter_ms, 20.0, 1e-9);
	assert_int_equal(a.sr_count, 1);
	assert_int_equal(a.last_sr.packets, 500);
	/* two blocks: 20 lost of 200 over their span */
	rb[0].fraction = 26;
	rb[0].cum_lost = 30;
	rb[0].ext_seq = 1200;
	endpoint_rtcp(&r, false, rb, 1);
	quality_rtcp_from_endpoint(&a, &r, MS(10000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 10.0, 1e-9);
	assert_near(q.remote_fraction_pct, 100.0 * 26 / 256, 1e-9);
	assert_int_equal(q.rtcp_reports, 2);
	assert_int_equal(a.sr_count, 1);
	/* the flow's clock converts the remote jitter too */
	{
		struct rtpgw_api_flow_stats st = flow(0x1, 100, 0, 0);

		quality_flow_stats(&a, &st, 16000, MS(10000));
		quality_get(&a, &q);
		assert_near(q.remote_jitter_ms, 10.0, 1e-9);
	}
	/* the endpoint's sequence numbers went back: new baseline */
	rb[0].fraction = 13;
	rb[0].ext_seq = 500;
	endpoint_rtcp(&r, false, rb, 1);
	quality_rtcp_from_endpoint(&a, &r, MS(15000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 100.0 * 13 / 256, 1e-9);
	/* a report that is only an SDES is not a report */
	{
		static const uint8_t sdes_only[] = { 0x81, 202, 0, 2, 0, 0, 0, 0xe0, 1, 1, 'a', 0 };

		assert_int_equal(rtcp_report_parse(sdes_only, sizeof(sdes_only), &r), 0);
		quality_rtcp_from_endpoint(&a, &r, MS(15000), 0, false);
		quality_rtcp_from_endpoint(&a, NULL, MS(15000), 0, false);
		assert_int_equal(a.rtcp_reports, 3);
	}
}

static void
media_ssrc_selects_the_block(void **state)
{
	struct leg_quality_acc a;
	struct leg_quality q;
	struct rtcp_report r;
	struct rb_spec rb[2] = {
		{ .ssrc = 0x77, .fraction = 128, .cum_lost = 500, .ext_seq = 9000, .jitter = 8 },
		{ .ssrc = 0x5a, .fraction = 64, .cum_lost = 10, .ext_seq = 1000, .jitter = 160 },
	};

	(void)state;
	memset(&a, 0, sizeof(a));
	/* without a filter, the first block */
	endpoint_rtcp(&r, false, rb, 2);
	quality_rtcp_from_endpoint(&a, &r, MS(5000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 50.0, 1e-9);
	/* then the same source is followed wherever it is in the report */
	{
		struct rb_spec swapped[2] = { rb[1], rb[0] };

		swapped[1].ext_seq = 9100;
		swapped[1].cum_lost = 510;
		endpoint_rtcp(&r, false, swapped, 2);
		quality_rtcp_from_endpoint(&a, &r, MS(10000), 0, false);
		quality_get(&a, &q);
		assert_near(q.remote_loss_pct, 10.0, 1e-9);
	}
	/* and when it is missing, the first block starts a new baseline */
	endpoint_rtcp(&r, false, &rb[1], 1);
	quality_rtcp_from_endpoint(&a, &r, MS(15000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 25.0, 1e-9);
	/* with the filter, only 0x5a counts */
	memset(&a, 0, sizeof(a));
	quality_set_media_ssrc(&a, 0x5a);
	endpoint_rtcp(&r, false, rb, 2);
	quality_rtcp_from_endpoint(&a, &r, MS(5000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 25.0, 1e-9);
	assert_near(q.remote_jitter_ms, 20.0, 1e-9);
	/* a report without it changes nothing but the count */
	endpoint_rtcp(&r, false, rb, 1);
	quality_rtcp_from_endpoint(&a, &r, MS(6000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 25.0, 1e-9);
	assert_int_equal(q.rtcp_reports, 2);
}

static void
mos_inputs(void **state)
{
	struct leg_quality_acc a;
	struct rtpgw_api_flow_stats st;
	struct leg_quality q;
	struct rtcp_report r;
	struct rb_spec rb = { .ssrc = 0x5a, .fraction = 0, .ext_seq = 1000 };

	(void)state;
	/* clean, no RTT: one way = 20 ms packetization, R = 93.2 - 0.48 */
	memset(&a, 0, sizeof(a));
	st = flow(0x1, 1000, 0, 0);
	quality_flow_stats(&a, &st, 8000, MS(20000));
	quality_get(&a, &q);
	assert_near(q.r, 92.72, 1e-9);
	assert_near(q.mos, emodel_mos(92.72), 1e-12);
	assert_near(q.mos, 4.3998, 1e-4);
	/* 5 % lost, jitter 10 ms (80 units), RTT 100 ms:
	 * one way 50 + 2 * 10 + 20 = 90 ms, Id 2.16, Ie,eff 475 / 30.1 */
	st = flow(0x1, 1000, 50, 80);
	quality_flow_stats(&a, &st, 8000, MS(20000));
	quality_sr_passed(&a, 0x4242, MS(1000));
	rr_from_endpoint(&a, MS(1100), 0x4242, 0, 0, false);
	quality_get(&a, &q);
	assert_near(q.rtt_ms, 100.0, 1e-9);
	assert_near(q.r, 93.2 - 2.16 - 475.0 / 30.1, 1e-9);
	assert_near(q.mos, 3.8330, 1e-4);
	/* the endpoint reporting 10 % (the worse) and jitter 20 ms (the
	 * worse): one way 50 + 40 + 20 = 110 ms */
	rb.fraction = 0;
	rb.jitter = 160;
	rb.cum_lost = 0;
	endpoint_rtcp(&r, false, &rb, 1);
	quality_rtcp_from_endpoint(&a, &r, MS(2000), 0, false);
	rb.cum_lost = 100;
	rb.ext_seq = 2000;
	endpoint_rtcp(&r, false, &rb, 1);
	quality_rtcp_from_endpoint(&a, &r, MS(7000), 0, false);
	quality_get(&a, &q);
	assert_near(q.remote_loss_pct, 10.0, 1e-9);
	assert_near(q.r, 93.2 - 0.024 * 110 - 950.0 / 35.1, 1e-9);
	/* only RTCP, no flow statistics, is enough for a figure */
	memset(&a, 0, sizeof(a));
	endpoint_rtcp(&r, false, &rb, 1);
	quality_rtcp_from_endpoint(&a, &r, MS(7000), 0, false);
	quality_get(&a, &q);
	assert_true(q.mos >= 1.0);
}

static void
conference_leg_concealment(void **state)
{
	struct leg_quality_acc a;
	struct rtpgw_api_part_stats ps;
	struct rtpgw_api_flow_stats st;
	struct leg_quality q;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&ps, 0, sizeof(ps));
	/* nothing played yet: 0 %, but a figure exists */
	quality_part_stats(&a, &ps);
	quality_get(&a, &q);
	assert_near(q.conceal_pct, 0.0, 0);
	assert_near(q.r, 93.2 - 0.48, 1e-9);
	/* 50 concealed of 1000 (silent frames do not count): 5 %,
	 * R = 93.2 - 0.024 * 20 - 475 / 30.1 */
	ps.frames_played = 950;
	ps.frames_concealed = 50;
	ps.frames_silent = 4000;
	ps.packets_sent = 1234;
	quality_part_stats(&a, &ps);
	quality_get(&a, &q);
	assert_near(q.conceal_pct, 5.0, 1e-9);
	assert_int_equal(q.mix_packets_sent, 1234);
	assert_near(q.r, 93.2 - 0.48 - 475.0 / 30.1, 1e-9);
	/* the network lost 1 %, the jitter buffer 5 % (late ones too): 5 % */
	st = flow(0x1, 1000, 10, 0);
	quality_flow_stats(&a, &st, 8000, MS(20000));
	quality_get(&a, &q);
	assert_near(q.loss_pct, 1.0, 1e-9);
	assert_near(q.r, 93.2 - 0.48 - 475.0 / 30.1, 1e-9);
}

static struct leg_quality
sample_leg(void)
{
	struct leg_quality q;

	memset(&q, 0, sizeof(q));
	q.packets = 12345;
	q.octets = 12345 * 160;
	q.lost = -2;
	q.loss_pct = 1.005;
	q.remote_loss_pct = 25;
	q.jitter_ms = 12.3456;
	q.remote_jitter_ms = 0.004;
	q.rtt_ms = 49.9939;
	q.r = 80;
	q.mos = 4.0224;
	q.rtcp_reports = 7;
	return q;
}

static void
json_object(void **state)
{
	static const char want[] =
		"{\"packets\":12345,\"lost\":-2,\"loss_pct\":1.00,\"remote_loss_pct\":25.00,"
		"\"jitter_ms\":12.35,\"remote_jitter_ms\":0.00,\"rtt_ms\":49.99,"
		"\"mos\":4.02,\"rtcp_reports\":7}";
	struct leg_quality q = sample_leg();
	char buf[512];
	size_t len;
	int n;

	(void)state;
	n = quality_json(&q, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(buf, want);
	/* parsed back: every key once, values where expected */
	assert_non_null(strstr(buf, "\"rtt_ms\":49.99,"));
	assert_non_null(strstr(buf, "\"mos\":4.02,"));
	{
		unsigned long long packets;
		long long lost;
		double loss, rloss, jit, rjit, rtt, mos;
		unsigned int reports;

		assert_int_equal(sscanf(buf, "{\"packets\":%llu,\"lost\":%lld,\"loss_pct\":%lf,"
					     "\"remote_loss_pct\":%lf,\"jitter_ms\":%lf,"
					     "\"remote_jitter_ms\":%lf,\"rtt_ms\":%lf,\"mos\":%lf,"
					     "\"rtcp_reports\":%u}",
					&packets, &lost, &loss, &rloss, &jit, &rjit, &rtt, &mos,
					&reports),
				 9);
		assert_int_equal(packets, 12345);
		assert_int_equal(lost, -2);
		assert_near(jit, 12.35, 1e-9);
		assert_near(rtt, 49.99, 1e-9);
		assert_near(mos, 4.02, 1e-9);
		assert_int_equal(reports, 7);
	}
	/* unknown rtt and mos, and values that are not finite, are null */
	q.rtt_ms = -1;
	q.mos = -1;
	q.jitter_ms = NAN;
	n = quality_json(&q, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, ",\"jitter_ms\":null,"));
	assert_non_null(strstr(buf, ",\"rtt_ms\":null,\"mos\":null,\"rtcp_reports\":7}"));
	/* every buffer too short is -ENOSPC with an empty string */
	q = sample_leg();
	len = strlen(want);
	for (size_t l = 1; l <= len; l++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(quality_json(&q, buf, l), -ENOSPC);
		assert_int_equal(buf[0], '\0');
		assert_int_equal(buf[l], 'x'); /* nothing written past len */
	}
	assert_int_equal(quality_json(&q, buf, 0), -ENOSPC);
	assert_int_equal(quality_json(&q, NULL, 64), -ENOSPC);
	assert_int_equal(quality_json(&q, buf, len + 1), (int)len);
	assert_string_equal(buf, want);
}

static void
legs_combine_into_a_call(void **state)
{
	struct leg_quality legs[3], call;

	(void)state;
	legs[0] = sample_leg();
	legs[1] = sample_leg();
	legs[1].packets = 5;
	legs[1].lost = 10;
	legs[1].loss_pct = 30;
	legs[1].remote_loss_pct = 2;
	legs[1].rtt_ms = 120;
	legs[1].mos = 2.5;
	legs[1].r = 50;
	legs[1].jitter_ms = 40;
	legs[1].last_rtp_ns = 99;
	legs[1].conceal_pct = 3;
	legs[1].mix_packets_sent = 4;
	legs[2] = sample_leg();
	legs[2].rtt_ms = -1; /* unknown */
	legs[2].mos = -1;    /* nothing measured */
	legs[2].r = -1;
	quality_combine(&call, legs, 3);
	assert_int_equal(call.packets, 12345 * 2 + 5);
	assert_int_equal(call.lost, -2 + 10 - 2);
	assert_int_equal(call.rtcp_reports, 21);
	assert_near(call.loss_pct, 30, 0);
	assert_near(call.remote_loss_pct, 25, 0);
	assert_near(call.jitter_ms, 40, 0);
	assert_near(call.rtt_ms, 120, 0);
	assert_near(call.mos, 2.5, 0);
	assert_near(call.r, 50, 0);
	assert_int_equal(call.last_rtp_ns, 99);
	assert_near(call.conceal_pct, 3, 0);
	assert_int_equal(call.mix_packets_sent, 4);
	/* only unknown legs, or none: unknown */
	quality_combine(&call, &legs[2], 1);
	assert_near(call.mos, -1, 0);
	assert_near(call.rtt_ms, -1, 0);
	quality_combine(&call, legs, 0);
	assert_int_equal(call.packets, 0);
	assert_near(call.mos, -1, 0);
	assert_near(call.r, -1, 0);
	assert_near(call.rtt_ms, -1, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_accumulator),
		cmocka_unit_test(loss_and_jitter_from_flow_stats),
		cmocka_unit_test(interval_loss),
		cmocka_unit_test(rtt_from_the_sr_ring),
		cmocka_unit_test(rtt_from_the_wall_clock),
		cmocka_unit_test(lsr_zero_means_no_rtt),
		cmocka_unit_test(ring_overwrites_its_oldest),
		cmocka_unit_test(absurd_rtt_is_rejected),
		cmocka_unit_test(remote_loss_and_jitter),
		cmocka_unit_test(media_ssrc_selects_the_block),
		cmocka_unit_test(mos_inputs),
		cmocka_unit_test(conference_leg_concealment),
		cmocka_unit_test(json_object),
		cmocka_unit_test(legs_combine_into_a_call),
	};

	return cmocka_run_group_tests_name("control_quality", tests, NULL, NULL);
}
