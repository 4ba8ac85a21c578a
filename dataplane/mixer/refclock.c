/* SPDX-License-Identifier: BSD-3-Clause */
/* rtpgw: worker path */
/*
 * Reference clock estimator: the rate of the reference source's RTP clock
 * against the local clock, from the lower envelope of its packets'
 * arrival times and from its RTCP SR NTP/RTP pairs (RFC 3550 6.4.1), each
 * a least-squares line over a sliding window of points; the mixer's tick
 * (mixer.c, next_tick) is stretched or shortened by that ratio so the
 * conference runs on the source's clock. Contract and choices in
 * refclock.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "refclock.h"

#define MIN_POINTS_ARR 8
#define MIN_POINTS_SR  3
#define TRIM_FLOOR_NS  500000.0 /* residuals under 0.5 ms are never trimmed */
#define JUMP_TOL_S     0.5	/* timestamp jump tolerance, seconds ... */
#define JUMP_TOL_PPM   1000.0	/* ... plus this much of the time elapsed */

static void
series_clear(struct refclock_series *s)
{
	uint32_t resets = s->resets;

	memset(s, 0, sizeof(*s));
	s->resets = resets;
	s->ratio = 1.0;
}

int
refclock_init_rate(struct refclock *rc, uint32_t clock_rate)
{
	if (rc == NULL || clock_rate < 1000)
		return -EINVAL;
	memset(rc, 0, sizeof(*rc));
	rc->clock_rate = clock_rate;
	rc->ns_per_sample = 1e9 / clock_rate;
	series_clear(&rc->arr);
	series_clear(&rc->sr);
	rc->bucket_ns = REFCLOCK_BUCKET_NS;
	rc->ratio = 1.0;
	rc->source = REFCLOCK_NONE;
	return 0;
}

void
refclock_init(struct refclock *rc)
{
	refclock_init_rate(rc, 8000);
}

/*
 * (x, ts) follows (x0, ts0): the timestamp moved as much as the time did
 * (either may be earlier: reordering), within JUMP_TOL_S plus
 * JUMP_TOL_PPM of the time elapsed, at the nominal rate.
 */
static bool
follows(const struct refclock *rc, uint64_t x0, uint32_t ts0, uint64_t x, uint32_t ts)
{
	double expect = (double)(int64_t)(x - x0) / rc->ns_per_sample;
	double err = (double)(int32_t)(ts - ts0) - expect;

	if (err < 0)
		err = -err;
	if (expect < 0)
		expect = -expect;
	return err <= JUMP_TOL_S * rc->clock_rate + expect * JUMP_TOL_PPM * 1e-6;
}

/*
 * Unwrap ts at x against the newest point of s. Returns 1 with *y set when
 * the point follows (or starts) the series, 2 when the series restarted
 * with it (the previous point did not follow, this one follows that), 0
 * when it is to be ignored.
 */
static int
series_unwrap(struct refclock *rc, struct refclock_series *s, uint64_t x, uint32_t ts, int64_t *y)
{
	int32_t dts;

	if (!s->have_last) {
		s->have_last = true;
		s->last_ts = ts;
		s->last_y = ts;
		s->last_x = x;
		*y = ts;
		return 1;
	}
	if (!follows(rc, s->last_x, s->last_ts, x, ts)) {
		if (s->have_cand && follows(rc, s->cand_x, s->cand_ts, x, ts)) {
			s->resets++;
			series_clear(s);
			s->have_last = true;
			s->last_ts = ts;
			s->last_y = ts;
			s->last_x = x;
			*y = ts;
			return 2;
		}
		s->have_cand = true;
		s->cand_ts = ts;
		s->cand_x = x;
		return 0;
	}
	s->have_cand = false;
	dts = (int32_t)(ts - s->last_ts);
	*y = s->last_y + dts;
	if (dts > 0) {
		s->last_ts = ts;
		s->last_y = *y;
		s->last_x = x;
	}
	return 1;
}

static void
series_push(struct refclock_series *s, uint64_t x, int64_t y)
{
	s->x[s->head] = x;
	s->y[s->head] = y;
	s->head = (s->head + 1) % REFCLOCK_WINDOW;
	if (s->count < REFCLOCK_WINDOW)
		s->count++;
}

/*
 * Least squares y = a + b x over the points kept; x in ns from the oldest
 * point, y in ns at the nominal rate. Returns the number of points used.
 */
static uint32_t
ols(const double *dx, const double *dy, const bool *keep, uint32_t n, double *a, double *b)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, mx, my;
	uint32_t m = 0;

	for (uint32_t i = 0; i < n; i++)
		if (keep[i]) {
			sx += dx[i];
			sy += dy[i];
			m++;
		}
	if (m < 2)
		return m;
	mx = sx / m;
	my = sy / m;
	for (uint32_t i = 0; i < n; i++)
		if (keep[i]) {
			sxx += (dx[i] - mx) * (dx[i] - mx);
			sxy += (dx[i] - mx) * (dy[i] - my);
		}
	if (sxx <= 0)
		return 0;
	*b = sxy / sxx;
	*a = my - *b * mx;
	return m;
}

/*
 * Fit the series; for arrivals (trim) drop the points that came much later
 * than the first line and fit again. Sets ready and ratio.
 */
static void
series_fit(const struct refclock *rc, struct refclock_series *s, bool trim)
{
	const uint32_t min_points = trim ? MIN_POINTS_ARR : MIN_POINTS_SR;
	double dx[REFCLOCK_WINDOW], dy[REFCLOCK_WINDOW];
	bool keep[REFCLOCK_WINDOW];
	uint32_t n = s->count, first = (s->head + REFCLOCK_WINDOW - n) % REFCLOCK_WINDOW;
	uint64_t x0 = s->x[first];
	int64_t y0 = s->y[first];
	double a = 0, b = 1, ppm;

	s->ready = false;
	if (n < min_points)
		return;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t j = (first + i) % REFCLOCK_WINDOW;

		dx[i] = (double)(s->x[j] - x0);
		dy[i] = (double)(s->y[j] - y0) * rc->ns_per_sample;
		keep[i] = true;
	}
	if (dx[n - 1] < (double)REFCLOCK_MIN_SPAN_NS)
		return;
	if (ols(dx, dy, keep, n, &a, &b) < min_points)
		return;
	if (trim) {
		double ss = 0, r, lim;

		for (uint32_t i = 0; i < n; i++) {
			r = dy[i] - (a + b * dx[i]);
			ss += r * r;
		}
		lim = 4 * ss / n; /* (2 RMS)^2 */
		for (uint32_t i = 0; i < n; i++) {
			r = dy[i] - (a + b * dx[i]);
			if (r < -TRIM_FLOOR_NS && r * r > lim)
				keep[i] = false;
		}
		if (ols(dx, dy, keep, n, &a, &b) < min_points)
			return;
	}
	ppm = (b - 1.0) * 1e6;
	if (ppm > REFCLOCK_MAX_PPM || ppm < -REFCLOCK_MAX_PPM)
		return;
	s->ratio = b;
	s->ready = true;
}

/*
 * The estimate in use: SR unless the arrivals disagree with it; the last
 * one held while neither series is ready.
 */
static void
choose(struct refclock *rc)
{
	if (rc->sr.ready && rc->arr.ready) {
		double diff = (rc->sr.ratio - rc->arr.ratio) * 1e6;

		if (diff > REFCLOCK_SR_AGREE_PPM || diff < -REFCLOCK_SR_AGREE_PPM) {
			rc->sr_rejected++;
			rc->source = REFCLOCK_ARRIVALS;
			rc->ratio = rc->arr.ratio;
			return;
		}
	}
	if (rc->sr.ready) {
		rc->source = REFCLOCK_SR;
		rc->ratio = rc->sr.ratio;
	} else if (rc->arr.ready) {
		rc->source = REFCLOCK_ARRIVALS;
		rc->ratio = rc->arr.ratio;
	}
}

/* Arrival transit of (x, y), ns, relative to the series origin. */
static double
transit_of(const struct refclock *rc, uint64_t x, int64_t y)
{
	return (double)(int64_t)(x - rc->origin_x) - (double)(y - rc->origin_y) * rc->ns_per_sample;
}

/*
 * The arrival window is full: merge its points pairwise, oldest first,
 * keeping the lower transit of each pair, and double the bucket length.
 */
static void
arr_decimate(struct refclock *rc)
{
	struct refclock_series *s = &rc->arr;
	uint32_t first = (s->head + REFCLOCK_WINDOW - s->count) % REFCLOCK_WINDOW;
	uint64_t x[REFCLOCK_WINDOW];
	int64_t y[REFCLOCK_WINDOW];
	uint32_t n = 0;

	for (uint32_t i = 0; i + 1 < s->count; i += 2) {
		uint32_t a = (first + i) % REFCLOCK_WINDOW, b = (first + i + 1) % REFCLOCK_WINDOW;
		uint32_t k =
			transit_of(rc, s->x[b], s->y[b]) < transit_of(rc, s->x[a], s->y[a]) ? b : a;

		x[n] = s->x[k];
		y[n] = s->y[k];
		n++;
	}
	memcpy(s->x, x, n * sizeof(x[0]));
	memcpy(s->y, y, n * sizeof(y[0]));
	s->count = n;
	s->head = n;
	rc->bucket_ns *= 2;
}

void
refclock_add_arrival(struct refclock *rc, uint64_t local_ns, uint32_t rtp_ts)
{
	uint64_t id;
	double transit;
	int64_t y;
	int rv;

	if (rc == NULL)
		return;
	rv = series_unwrap(rc, &rc->arr, local_ns, rtp_ts, &y);
	if (rv == 0)
		return;
	if (rv == 2 || (rc->arr.count == 0 && !rc->bkt_valid)) {
		/* A new series: transits relative to its first point. */
		rc->origin_x = local_ns;
		rc->origin_y = y;
		rc->bkt_valid = false;
		rc->bucket_ns = REFCLOCK_BUCKET_NS;
		if (rv == 2)
			choose(rc);
	}
	id = local_ns / rc->bucket_ns;
	if (rc->bkt_valid && id < rc->bkt_id)
		id = rc->bkt_id; /* time went back: keep the buckets in order */
	transit = transit_of(rc, local_ns, y);
	if (rc->bkt_valid && id != rc->bkt_id) {
		if (rc->arr.count == REFCLOCK_WINDOW && rc->bucket_ns < REFCLOCK_BUCKET_MAX_NS) {
			arr_decimate(rc);
			id = local_ns / rc->bucket_ns;
		}
		series_push(&rc->arr, rc->bkt_x, rc->bkt_y);
		series_fit(rc, &rc->arr, true);
		choose(rc);
		rc->bkt_valid = false;
	}
	if (!rc->bkt_valid || transit < rc->bkt_transit) {
		rc->bkt_valid = true;
		rc->bkt_id = id;
		rc->bkt_x = local_ns;
		rc->bkt_y = y;
		rc->bkt_transit = transit;
	}
}

void
refclock_add_sr(struct refclock *rc, uint64_t ntp, uint32_t rtp_ts)
{
	/* NTP 32.32 fixed point (RFC 3550 4) to ns. */
	uint64_t ns = (ntp >> 32) * 1000000000ull + (((ntp & 0xffffffffull) * 1000000000ull) >> 32);
	int64_t y;
	int rv;

	if (rc == NULL)
		return;
	rv = series_unwrap(rc, &rc->sr, ns, rtp_ts, &y);
	if (rv == 0)
		return;
	series_push(&rc->sr, ns, y);
	series_fit(rc, &rc->sr, false);
	choose(rc);
}

bool
refclock_ready(const struct refclock *rc)
{
	return rc->source != REFCLOCK_NONE;
}

double
refclock_ratio(const struct refclock *rc)
{
	return rc->ratio;
}

enum refclock_source
refclock_source(const struct refclock *rc)
{
	return (enum refclock_source)rc->source;
}

uint64_t
refclock_tick_ns(const struct refclock *rc, uint64_t nominal_ns)
{
	if (rc->source == REFCLOCK_NONE)
		return nominal_ns;
	return (uint64_t)((double)nominal_ns / rc->ratio + 0.5);
}
