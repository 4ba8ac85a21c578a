/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-gen measurements (see meas.h): pure C, no DPDK.
 */
#include <math.h>
#include <string.h>

#include "meas.h"

void
meas_hist_reset(struct meas_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

unsigned int
meas_hist_bucket(uint64_t v)
{
	unsigned int log2, shift;

	if (v < MEAS_HIST_SUB)
		return (unsigned int)v;
	log2 = 63u - (unsigned int)__builtin_clzll(v);
	if (log2 > MEAS_HIST_MAX_LOG2)
		return MEAS_HIST_BUCKETS - 1;
	/* v in [2^log2, 2^(log2+1)): MEAS_HIST_SUB buckets of 2^shift each,
	 * after the first MEAS_HIST_SUB exact ones. */
	shift = log2 - MEAS_HIST_SUB_LOG2;
	return (shift + 1) * MEAS_HIST_SUB + (unsigned int)((v >> shift) - MEAS_HIST_SUB);
}

uint64_t
meas_hist_bucket_top(unsigned int b)
{
	unsigned int shift;

	if (b < MEAS_HIST_SUB)
		return b;
	if (b >= MEAS_HIST_BUCKETS - 1)
		return UINT64_MAX;
	shift = b / MEAS_HIST_SUB - 1;
	return (((uint64_t)(b % MEAS_HIST_SUB + MEAS_HIST_SUB) + 1) << shift) - 1;
}

void
meas_hist_add(struct meas_hist *h, uint64_t v)
{
	h->buckets[meas_hist_bucket(v)]++;
	h->count++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
meas_hist_merge(struct meas_hist *dst, const struct meas_hist *src)
{
	for (unsigned int b = 0; b < MEAS_HIST_BUCKETS; b++)
		dst->buckets[b] += src->buckets[b];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

uint64_t
meas_hist_quantile(const struct meas_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (q <= 0)
		return h->min;
	if (q >= 1)
		return h->max;
	rank = (uint64_t)ceil(q * (double)h->count);
	if (rank == 0)
		rank = 1;
	for (unsigned int b = 0; b < MEAS_HIST_BUCKETS; b++) {
		seen += h->buckets[b];
		if (seen >= rank) {
			uint64_t top = meas_hist_bucket_top(b);

			if (top > h->max)
				top = h->max;
			if (top < h->min)
				top = h->min;
			return top;
		}
	}
	return h->max;
}

/* RFC 3550 A.1 keeps max_seq and a cycle count; with the sender's base
 * known, the nearest cycle to the highest number received is the same
 * decision for any jump below 2^15. */
uint32_t
meas_seq_extend(uint32_t max_ext, uint16_t seq)
{
	int16_t delta = (int16_t)(uint16_t)(seq - (uint16_t)max_ext);

	return max_ext + (uint32_t)(int32_t)delta;
}

void
meas_stream_reset(struct meas_stream *s, uint32_t base_ext)
{
	memset(s, 0, sizeof(*s));
	s->max_ext = base_ext - 1;
	/* Everything below base counts as received already, so that a stale
	 * packet from before the trial reads as late or duplicate, never as
	 * a new one. */
	s->window = ~0ull;
}

bool
meas_stream_seq(struct meas_stream *s, uint16_t seq)
{
	uint32_t ext = meas_seq_extend(s->max_ext, seq);
	int32_t ahead = (int32_t)(ext - s->max_ext);

	if (ahead > 0) {
		s->window = (uint32_t)ahead >= MEAS_WINDOW ? 1 : (s->window << ahead) | 1;
		s->max_ext = ext;
		s->received++;
		return true;
	}
	if ((uint32_t)-ahead >= MEAS_WINDOW) {
		s->late++;
		s->received++;
		return true;
	}
	if (s->window & (1ull << -ahead)) {
		s->dup++;
		return false;
	}
	s->window |= 1ull << -ahead;
	s->received++;
	s->reordered++;
	return true;
}

void
meas_jitter_update(struct meas_jitter *j, uint32_t arrival, uint32_t ts)
{
	int32_t transit = (int32_t)(arrival - ts);
	int32_t d;

	if (!j->have_transit) {
		j->have_transit = 1;
		j->last_transit = transit;
		return;
	}
	d = (int32_t)((uint32_t)transit - (uint32_t)j->last_transit);
	j->last_transit = transit;
	if (d < 0)
		d = -d;
	/* A.8: jitter += d - ((jitter + 8) >> 4), jitter scaled by 16. */
	j->j_q4 += (uint32_t)d - ((j->j_q4 + 8) >> 4);
}

double
meas_jitter_ts(const struct meas_jitter *j)
{
	return j->j_q4 / 16.0;
}

double
meas_jitter_us(const struct meas_jitter *j, uint32_t clock_hz)
{
	return clock_hz ? meas_jitter_ts(j) * 1e6 / clock_hz : 0;
}
