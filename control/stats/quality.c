/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-leg quality accumulator (see quality.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "emodel.h"
#include "quality.h"

#define NS_PER_S  1000000000ULL
#define NS_PER_MS 1000000.0

static double
quality_max(double x, double y)
{
	return x > y ? x : y;
}

static uint32_t
quality_clock(const struct leg_quality_acc *a)
{
	return a->clock_rate != 0 ? a->clock_rate : QUALITY_CLOCK_DEFAULT;
}

static double
quality_pct(int64_t lost, int64_t expected)
{
	double pct;

	if (expected <= 0 || lost <= 0)
		return 0.0;
	pct = 100.0 * (double)lost / (double)expected;
	return pct > 100.0 ? 100.0 : pct;
}

void
quality_flow_stats(struct leg_quality_acc *a, const struct rtpgw_api_flow_stats *st,
		   uint32_t clock_rate, uint64_t now_ns)
{
	int64_t prev_lost = a->lost;
	int64_t prev_expected = a->expected;

	/* the dataplane restarted its A.1 state: count from zero */
	if (!a->have_flow || st->ssrc != a->ssrc || st->expected < a->expected) {
		prev_lost = 0;
		prev_expected = 0;
	}
	a->interval_loss_pct = quality_pct((int64_t)st->lost - prev_lost,
					   (int64_t)st->expected - prev_expected);
	a->interval_ns = a->have_flow && now_ns > a->updated_ns ? now_ns - a->updated_ns : 0;
	a->updated_ns = now_ns;
	a->have_flow = true;
	a->clock_rate = clock_rate;
	a->ssrc = st->ssrc;
	a->packets = st->packets;
	a->octets = st->octets;
	a->lost = st->lost;
	a->expected = st->expected;
	a->jitter = st->jitter;
	a->last_rtp_ns = st->last_seen_ns;
}

void
quality_part_stats(struct leg_quality_acc *a, const struct rtpgw_api_part_stats *ps)
{
	a->have_part = true;
	a->frames_played = ps->frames_played;
	a->frames_concealed = ps->frames_concealed;
	a->mix_packets_sent = ps->packets_sent;
}

void
quality_set_media_ssrc(struct leg_quality_acc *a, uint32_t ssrc)
{
	if (a->media_ssrc_set && a->media_ssrc == ssrc)
		return;
	a->media_ssrc_set = true;
	a->media_ssrc = ssrc;
	a->rb_count = 0;
}

void
quality_sr_passed(struct leg_quality_acc *a, uint32_t ntp_mid32, uint64_t t_ns)
{
	unsigned int i;

	/* RFC 3550 6.4.1: LSR 0 means no SR received, so 0 is no key */
	if (ntp_mid32 == 0)
		return;
	for (i = 0; i < a->sr_used; i++)
		if (a->sr_ring[i].lsr == ntp_mid32)
			return;
	a->sr_ring[a->sr_next].lsr = ntp_mid32;
	a->sr_ring[a->sr_next].t_ns = t_ns;
	a->sr_next = (a->sr_next + 1) % QUALITY_SR_RING;
	if (a->sr_used < QUALITY_SR_RING)
		a->sr_used++;
}

/* The block about the stream we send the endpoint, NULL when none. */
static const struct rtcp_report_block *
quality_pick_block(const struct leg_quality_acc *a, const struct rtcp_report *r)
{
	unsigned int i;

	if (r->n_blocks == 0)
		return NULL;
	if (a->media_ssrc_set) {
		for (i = 0; i < r->n_blocks; i++)
			if (r->blocks[i].ssrc == a->media_ssrc)
				return &r->blocks[i];
		return NULL;
	}
	if (a->rb_count != 0)
		for (i = 0; i < r->n_blocks; i++)
			if (r->blocks[i].ssrc == a->rb_last.ssrc)
				return &r->blocks[i];
	return &r->blocks[0];
}

/* RTT in ms from the block, or a negative value when there is none. */
static double
quality_block_rtt(const struct leg_quality_acc *a, const struct rtcp_report_block *b,
		  uint64_t t_ns, uint32_t wall_ntp_mid32, bool sr_from_wallclock)
{
	unsigned int i, slot;
	int64_t rtt_ns;
	int32_t rtt_ntp;

	if (sr_from_wallclock) {
		/* RFC 3550 6.4.1: A - LSR - DLSR, all in NTP short format
		 * (16.16 seconds), modulo 2^32 */
		rtt_ntp = (int32_t)(wall_ntp_mid32 - b->lsr - b->dlsr);
		return (double)rtt_ntp * 1000.0 / 65536.0;
	}
	/* most recent first: the same key cannot be in the ring twice, but
	 * the newest entry is the likeliest */
	for (i = 0; i < a->sr_used; i++) {
		slot = (a->sr_next + QUALITY_SR_RING - 1 - i) % QUALITY_SR_RING;
		if (a->sr_ring[slot].lsr != b->lsr)
			continue;
		if (t_ns < a->sr_ring[slot].t_ns)
			return -1.0;
		/* DLSR is in 1/65536 s: the product fits 64 bits */
		rtt_ns = (int64_t)(t_ns - a->sr_ring[slot].t_ns) -
			 (int64_t)((uint64_t)b->dlsr * NS_PER_S / 65536);
		return (double)rtt_ns / NS_PER_MS;
	}
	return NAN;
}

void
quality_rtcp_from_endpoint(struct leg_quality_acc *a, const struct rtcp_report *r,
			   uint64_t t_ns, uint32_t wall_ntp_mid32, bool sr_from_wallclock)
{
	const struct rtcp_report_block *b;
	double rtt;

	if (r == NULL || r->n_sr + r->n_rr == 0)
		return;
	a->rtcp_reports++;
	if (r->has_sr) {
		a->sr_count++;
		a->last_sr = r->sr;
	}
	b = quality_pick_block(a, r);
	if (b == NULL)
		return;
	/* restart the baseline on a new source or a sequence going back
	 * (compared modulo 2^32, as extended sequence numbers wrap) */
	if (a->rb_count == 0 || b->ssrc != a->rb_last.ssrc ||
	    (int32_t)(b->ext_max_seq - a->rb_last.ext_max_seq) < 0) {
		a->rb_first = *b;
		a->rb_count = 0;
	}
	a->rb_last = *b;
	a->rb_count++;
	if (b->lsr == 0)
		return;
	rtt = quality_block_rtt(a, b, t_ns, wall_ntp_mid32, sr_from_wallclock);
	if (!(rtt >= 0.0 && rtt <= QUALITY_RTT_MAX_MS)) {
		a->rtt_rejected++;
		return;
	}
	a->rtt_ms = rtt;
	a->have_rtt = true;
	a->rtt_samples++;
}

static double
quality_remote_loss(const struct leg_quality_acc *a)
{
	int64_t span, lost;

	if (a->rb_count == 0)
		return 0.0;
	span = (int64_t)(uint32_t)(a->rb_last.ext_max_seq - a->rb_first.ext_max_seq);
	if (a->rb_count >= 2 && span > 0) {
		lost = (int64_t)a->rb_last.cum_lost - a->rb_first.cum_lost;
		return quality_pct(lost, span);
	}
	return 100.0 * a->rb_last.fraction_lost / 256.0;
}

void
quality_get(const struct leg_quality_acc *a, struct leg_quality *q)
{
	struct emodel_in in;
	double jitter;

	memset(q, 0, sizeof(*q));
	q->packets = a->packets;
	q->octets = a->octets;
	q->lost = a->lost;
	q->last_rtp_ns = a->last_rtp_ns;
	q->rtcp_reports = a->rtcp_reports;
	if (a->have_flow) {
		q->loss_pct = quality_pct(a->lost, a->expected);
		q->interval_loss_pct = a->interval_loss_pct;
		q->jitter_ms = (double)a->jitter * 1000.0 / quality_clock(a);
	}
	if (a->rb_count != 0) {
		q->remote_loss_pct = quality_remote_loss(a);
		q->remote_fraction_pct = 100.0 * a->rb_last.fraction_lost / 256.0;
		q->remote_lost = a->rb_last.cum_lost;
		q->remote_jitter_ms = (double)a->rb_last.jitter * 1000.0 / quality_clock(a);
	}
	if (a->have_part) {
		uint64_t frames = a->frames_played + a->frames_concealed;

		q->mix_packets_sent = a->mix_packets_sent;
		if (frames != 0)
			q->conceal_pct = 100.0 * (double)a->frames_concealed / (double)frames;
	}
	q->rtt_ms = a->have_rtt ? a->rtt_ms : -1.0;
	if (!a->have_flow && !a->have_part && a->rb_count == 0) {
		q->r = -1.0;
		q->mos = -1.0;
		return;
	}
	jitter = quality_max(q->jitter_ms, q->remote_jitter_ms);
	memset(&in, 0, sizeof(in));
	in.loss_pct = quality_max(quality_max(q->loss_pct, q->conceal_pct), q->remote_loss_pct);
	in.one_way_delay_ms = (a->have_rtt ? a->rtt_ms / 2.0 : 0.0) + 2.0 * jitter +
			      QUALITY_PTIME_MS;
	in.burst_ratio = 1.0;
	in.codec_pt = 0;
	in.plc = true;
	q->r = emodel_r(&in);
	q->mos = emodel_mos(q->r);
	if (q->r < 0.0)
		q->r = 0.0;
}

/* append "name":value with two decimals, or null when not wanted */
static int
quality_json_num(char *buf, size_t len, size_t off, const char *name, double v, bool known)
{
	if (off >= len)
		return -ENOSPC;
	if (!known || !isfinite(v))
		return snprintf(buf + off, len - off, ",\"%s\":null", name);
	return snprintf(buf + off, len - off, ",\"%s\":%.2f", name, v);
}

int
quality_json(const struct leg_quality *q, char *buf, size_t len)
{
	const struct {
		const char *name;
		double v;
		bool known;
	} nums[] = {
		{ "loss_pct", q->loss_pct, true },
		{ "remote_loss_pct", q->remote_loss_pct, true },
		{ "jitter_ms", q->jitter_ms, true },
		{ "remote_jitter_ms", q->remote_jitter_ms, true },
		{ "rtt_ms", q->rtt_ms, q->rtt_ms >= 0.0 },
		{ "mos", q->mos, q->mos >= 0.0 },
	};
	size_t off, i;
	int n;

	if (buf == NULL || len == 0)
		return -ENOSPC;
	n = snprintf(buf, len, "{\"packets\":%" PRIu64 ",\"lost\":%" PRId64, q->packets, q->lost);
	if (n < 0 || (size_t)n >= len)
		goto nospc;
	off = (size_t)n;
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		n = quality_json_num(buf, len, off, nums[i].name, nums[i].v, nums[i].known);
		if (n < 0 || (size_t)n >= len - off)
			goto nospc;
		off += (size_t)n;
	}
	n = snprintf(buf + off, len - off, ",\"rtcp_reports\":%" PRIu32 "}", q->rtcp_reports);
	if (n < 0 || (size_t)n >= len - off)
		goto nospc;
	return (int)(off + (size_t)n);
nospc:
	buf[0] = '\0';
	return -ENOSPC;
}

void
quality_combine(struct leg_quality *out, const struct leg_quality *legs, unsigned int n)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->rtt_ms = -1.0;
	out->r = -1.0;
	out->mos = -1.0;
	for (i = 0; i < n; i++) {
		const struct leg_quality *l = &legs[i];

		out->packets += l->packets;
		out->octets += l->octets;
		out->lost += l->lost;
		out->rtcp_reports += l->rtcp_reports;
		out->loss_pct = quality_max(out->loss_pct, l->loss_pct);
		out->interval_loss_pct = quality_max(out->interval_loss_pct, l->interval_loss_pct);
		out->remote_loss_pct = quality_max(out->remote_loss_pct, l->remote_loss_pct);
		out->remote_fraction_pct = quality_max(out->remote_fraction_pct,
						       l->remote_fraction_pct);
		out->remote_lost += l->remote_lost;
		out->conceal_pct = quality_max(out->conceal_pct, l->conceal_pct);
		out->mix_packets_sent += l->mix_packets_sent;
		out->jitter_ms = quality_max(out->jitter_ms, l->jitter_ms);
		out->remote_jitter_ms = quality_max(out->remote_jitter_ms, l->remote_jitter_ms);
		out->rtt_ms = quality_max(out->rtt_ms, l->rtt_ms);
		if (l->mos >= 0.0 && (out->mos < 0.0 || l->mos < out->mos))
			out->mos = l->mos;
		if (l->r >= 0.0 && (out->r < 0.0 || l->r < out->r))
			out->r = l->r;
		if (l->last_rtp_ns > out->last_rtp_ns)
			out->last_rtp_ns = l->last_rtp_ns;
	}
}
