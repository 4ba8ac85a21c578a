/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-source reception statistics, the RFC 3550 appendix algorithms: A.1
 * sequence number validation and extension (init_seq/update_seq), A.3
 * cumulative loss and A.8 interarrival jitter in the RFC's integer form.
 * On top of A.1, a 64-bit window behind the highest sequence number tells
 * duplicates from reordered packets. One worker writes each struct
 * rtp_stats; the agent reads it for flow statistics (A.3 figures as an RTCP
 * report block carries them) and tolerates torn snapshots.
 */
#include <stdbool.h>
#include <stdint.h>

#include "rtp_stats.h"

#define RTP_STATS_WINDOW 64 /* bits in rtp_stats.window */

/*
 * A.1 init_seq, without touching the cumulative duplicates, reordered,
 * restarts and jitter fields. received starts at 1 because every caller
 * counts the packet carrying seq (see rtp_stats_init).
 */
static void
rtp_stats_init_seq(struct rtp_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 1;
	s->received_prior = 0;
	s->expected_prior = 0;
	s->window = 1;
}

/*
 * A.1 with MIN_SEQUENTIAL: a new source is on probation until
 * MIN_SEQUENTIAL packets with consecutive numbers arrived; seq is the first
 * of them. A.1 calls init_seq again on the last packet of that run, which
 * would leave the first MIN_SEQUENTIAL - 1 packets out of received and
 * expected; here the run keeps its first packet as base_seq and counts all
 * of its packets, so a clean stream of N packets reports N received and 0
 * lost. A packet out of sequence during probation starts a new run, as
 * A.1 does with probation = MIN_SEQUENTIAL - 1, max_seq = seq.
 */
void
rtp_stats_init(struct rtp_stats *s, uint16_t seq)
{
	*s = (struct rtp_stats){0};
	rtp_stats_init_seq(s, seq);
	s->probation = RTP_MIN_SEQUENTIAL - 1;
}

/*
 * A.1 update_seq. The A.1 branch "duplicate or reordered packet" (seq up
 * to MAX_MISORDER behind max_seq) and seq == max_seq (which A.1 lets
 * through as "in order") are told apart with the window: a number already
 * marked is a duplicate and is not counted in received (so A.3 loss is not
 * hidden by duplicates); an unmarked one is reordered, counted and marked.
 * Reordered packets older than the window cannot be checked and count as
 * reordered.
 */
bool
rtp_stats_update(struct rtp_stats *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		if (seq == (uint16_t)(s->max_seq + 1)) {
			/*
			 * Packet is in sequence, modulo 2^16 (A.1's int promotion
			 * misses 65535 -> 0). base_seq stays at the start of the
			 * run, so a wrap inside it counts a cycle.
			 */
			if (seq == 0)
				s->cycles += RTP_SEQ_MOD;
			s->probation--;
			s->max_seq = seq;
			s->window = (s->window << 1) | 1;
			s->received++;
			return s->probation == 0;
		}
		if (seq == s->max_seq) {
			/* A.1 would restart the run on the same number: no change. */
			s->duplicates++;
			return false;
		}
		rtp_stats_init_seq(s, seq);
		s->probation = RTP_MIN_SEQUENTIAL - 1;
		return false;
	}

	if (udelta == 0) {
		s->duplicates++;
		return true;
	}

	if (udelta < RTP_MAX_DROPOUT) {
		/* in order, with permissible gap */
		if (seq < s->max_seq) {
			/* sequence number wrapped: count another 64K cycle */
			s->cycles += RTP_SEQ_MOD;
		}
		s->max_seq = seq;
		s->window = udelta < RTP_STATS_WINDOW ? (s->window << udelta) | 1 : 1;
		s->received++;
		return true;
	}

	if (udelta <= RTP_SEQ_MOD - RTP_MAX_MISORDER) {
		/* the sequence number made a very large jump */
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return false;
		}
		/*
		 * Two sequential packets: assume the other side restarted
		 * without telling us, re-sync (pretend this was the first
		 * packet). Its timestamps restarted too: the next A.8 sample
		 * only sets transit.
		 */
		rtp_stats_init_seq(s, seq);
		s->jitter_valid = 0;
		s->restarts++;
		return true;
	}

	/* duplicate or reordered packet: seq is 1..MAX_MISORDER-1 behind */
	udelta = (uint16_t)(s->max_seq - seq);
	if (udelta < RTP_STATS_WINDOW) {
		uint64_t bit = (uint64_t)1 << udelta;

		if (s->window & bit) {
			s->duplicates++;
			return true;
		}
		s->window |= bit;
	}
	s->reordered++;
	s->received++;
	return true;
}

/*
 * A.8: D(i-1,i) = (R_i - R_{i-1}) - (S_i - S_{i-1}) = transit_i -
 * transit_{i-1}, J += (|D| - J) / 16, kept as 16 * J in integers:
 * J16 += |D| - ((J16 + 8) >> 4). Differences are taken modulo 2^32 and
 * read as signed, so either clock may wrap. The sum saturates instead of
 * wrapping when a sender's timestamps are garbage.
 */
void
rtp_stats_jitter(struct rtp_stats *s, uint32_t rtp_ts, uint32_t arrival)
{
	uint32_t transit = arrival - rtp_ts;
	int32_t d = (int32_t)(transit - s->transit);
	uint64_t j;

	s->transit = transit;
	if (!s->jitter_valid) {
		s->jitter_valid = 1;
		return;
	}
	j = (uint64_t)s->jitter + (d < 0 ? 0u - (uint32_t)d : (uint32_t)d);
	j -= ((uint64_t)s->jitter + 8) >> 4;
	s->jitter = j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
}

/* A.3: lost = expected - received, clamped to the 24-bit signed field. */
int32_t
rtp_stats_lost(const struct rtp_stats *s)
{
	int64_t lost = (int64_t)rtp_stats_expected(s) - s->received;

	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	return (int32_t)lost;
}
