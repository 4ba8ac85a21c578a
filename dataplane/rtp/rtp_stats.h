/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-source reception statistics: RFC 3550 A.1 sequence number
 * validation and extension, A.3 expected/lost, A.8 interarrival jitter,
 * plus duplicate and reorder counts from a 64-packet window behind the
 * highest sequence number. One struct per received stream, written by one
 * worker only; readers (the agent) tolerate torn snapshots of counters.
 */
#ifndef RTPGW_RTP_STATS_H
#define RTPGW_RTP_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define RTP_SEQ_MOD (1u << 16)
#define RTP_MAX_DROPOUT 3000   /* A.1 */
#define RTP_MAX_MISORDER 100   /* A.1 */
#define RTP_MIN_SEQUENTIAL 2   /* A.1 */

struct rtp_stats {
	uint16_t max_seq;      /* highest seq number seen */
	uint8_t jitter_valid;  /* transit holds a sample */
	uint8_t pad;
	uint32_t cycles;       /* shifted count of seq number cycles */
	uint32_t base_seq;     /* base seq number */
	uint32_t bad_seq;      /* last 'bad' seq number + 1 */
	uint32_t probation;    /* sequ. packets till source is valid */
	uint32_t received;     /* packets received (A.1 accounting) */
	uint32_t expected_prior; /* packet expected at last interval */
	uint32_t received_prior; /* packet received at last interval */
	uint32_t transit;      /* relative trans time for prev pkt (A.8) */
	uint32_t jitter;       /* estimated jitter, scaled by 16 (A.8) */
	uint32_t duplicates;
	uint32_t reordered;    /* arrived after a higher seq, not duplicate */
	uint32_t restarts;     /* re-syncs after a large jump (A.1 bad_seq) */
	uint64_t window;       /* bit i: max_seq - i received */
};

/*
 * A.1 init_seq for a new source, from its first packet: counts that packet
 * as received (base_seq = seq) and puts the source on probation for
 * MIN_SEQUENTIAL - 1 more packets. Unlike A.1, which re-bases on the last
 * packet of the probation run, the whole run is counted, so a clean stream
 * of N packets reports N received and 0 lost. Clears all counters.
 */
void rtp_stats_init(struct rtp_stats *s, uint16_t seq);

/*
 * A.1 update_seq for every packet after the first. Call rtp_stats_init
 * first for a new source (probation then runs as in A.1 with
 * MIN_SEQUENTIAL). Returns true when the packet is valid per A.1, false
 * when the source is still on probation or the packet made a large jump.
 * The next packet of a large jump (bad_seq) restarts tracking as in A.1:
 * it returns true, counts one restart, is the new base_seq and makes the
 * next A.8 sample only set transit. A packet equal to max_seq or marked in
 * the window is a duplicate (returns true, counted in duplicates, not in
 * received); an earlier unmarked one within MAX_MISORDER is reordered
 * (counted in reordered and received; beyond the 64-packet window
 * duplicates cannot be told apart and count as reordered).
 */
bool rtp_stats_update(struct rtp_stats *s, uint16_t seq);

/*
 * A.8: rtp_ts is the packet's RTP timestamp, arrival the arrival time in
 * the same clock units (any origin, wrapping modulo 2^32). The first sample
 * (jitter_valid clear) only sets transit; jitter saturates at UINT32_MAX.
 */
void rtp_stats_jitter(struct rtp_stats *s, uint32_t rtp_ts, uint32_t arrival);

/* Jitter in timestamp units (A.8: jitter >> 4). */
static inline uint32_t
rtp_stats_jitter_units(const struct rtp_stats *s)
{
	return s->jitter >> 4;
}

/* A.3: extended highest sequence number received. */
static inline uint32_t
rtp_stats_ext_max(const struct rtp_stats *s)
{
	return s->cycles + s->max_seq;
}

/* A.3: expected = extended max - base + 1. */
static inline uint32_t
rtp_stats_expected(const struct rtp_stats *s)
{
	return rtp_stats_ext_max(s) - s->base_seq + 1;
}

/* A.3: cumulative lost, clamped to the 24-bit signed range of RR blocks. */
int32_t rtp_stats_lost(const struct rtp_stats *s);

/* One cache line: workers update it for every RTP packet. */
_Static_assert(sizeof(struct rtp_stats) == 64, "rtp_stats is one cache line");

#endif /* RTPGW_RTP_STATS_H */
