/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-gen's measurements, free of DPDK types so that they are unit tested
 * without EAL (tests/unit/tools/test_gen_meas.c): per-stream receive
 * accounting by extended sequence number (RFC 3550 A.1), interarrival
 * jitter (RFC 3550 A.8), and a log-bucket latency histogram for
 * percentiles. gen.c feeds them from its RX loop; one writer (the RX lcore)
 * per object, no allocation after meas_hist_init.
 */
#ifndef RTPGW_GEN_MEAS_H
#define RTPGW_GEN_MEAS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Log-bucket histogram of values in nanoseconds (HDR-like): values below
 * MEAS_HIST_SUB are exact, above that each power of two is split into
 * MEAS_HIST_SUB buckets, so a bucket is at most 1/64 (1.6%) of its value
 * wide. Range 0 to 2^(MEAS_HIST_MAX_LOG2 + 1) ns (~34 s); larger values
 * land in the last bucket. Exact minimum, maximum and sum are kept besides.
 */
#define MEAS_HIST_SUB_LOG2 6
#define MEAS_HIST_SUB (1u << MEAS_HIST_SUB_LOG2)
#define MEAS_HIST_MAX_LOG2 34
#define MEAS_HIST_BUCKETS ((MEAS_HIST_MAX_LOG2 - MEAS_HIST_SUB_LOG2 + 2) * MEAS_HIST_SUB)

struct meas_hist {
	uint64_t count;
	uint64_t sum;  /* ns */
	uint64_t min;  /* ns, UINT64_MAX when empty */
	uint64_t max;  /* ns */
	uint64_t buckets[MEAS_HIST_BUCKETS];
};

void meas_hist_reset(struct meas_hist *h);
void meas_hist_add(struct meas_hist *h, uint64_t v);
/* Add every bucket and summary of src into dst. */
void meas_hist_merge(struct meas_hist *dst, const struct meas_hist *src);
/* Bucket index of v, and the largest value that bucket holds. */
unsigned int meas_hist_bucket(uint64_t v);
uint64_t meas_hist_bucket_top(unsigned int b);
/*
 * The q-quantile (0 <= q <= 1) as an upper bound: the top of the bucket
 * holding the ceil(q * count)-th smallest value, clamped to [min, max].
 * Exact for values below MEAS_HIST_SUB and for q = 0 or 1; otherwise at
 * most 1.6% above the true value, never below it. 0 when empty.
 */
uint64_t meas_hist_quantile(const struct meas_hist *h, double q);

/*
 * Extended sequence number (RFC 3550 A.1): the 16-bit seq placed in the
 * 2^16 cycle that puts it nearest to max_ext (a jump of up to +-32767).
 */
uint32_t meas_seq_extend(uint32_t max_ext, uint16_t seq);

/* Duplicate and reorder window below the highest sequence received. */
#define MEAS_WINDOW 64

/*
 * One stream's receive accounting during one trial. The sender knows the
 * extended sequence number of the trial's first packet (base); a packet
 * is new when its extended number was not received yet, a duplicate when
 * it was, reordered when it arrives after a higher one, and late when it
 * falls below the window (it counts as received but cannot be told from a
 * duplicate, so it is counted apart). Loss is what the sender counts as
 * sent minus the distinct packets received.
 */
/* RFC 3550 A.8 interarrival jitter of one stream. */
struct meas_jitter {
	int32_t last_transit; /* arrival - timestamp, timestamp units (mod 2^32) */
	uint32_t j_q4;        /* J * 16, timestamp units */
	uint32_t have_transit;
};

/*
 * RFC 3550 A.8: arrival in timestamp units (the same clock as ts, any
 * origin), D = transit - last transit, J += (|D| - J) / 16, kept scaled by
 * 16 as in the RFC's code.
 */
void meas_jitter_update(struct meas_jitter *j, uint32_t arrival, uint32_t ts);
/* J in timestamp units, and in microseconds at clock_hz. */
double meas_jitter_ts(const struct meas_jitter *j);
double meas_jitter_us(const struct meas_jitter *j, uint32_t clock_hz);

struct meas_stream {
	uint32_t max_ext;     /* highest extended seq received; base - 1 at reset */
	uint32_t pad;
	uint64_t window;      /* bit k: max_ext - k received */
	uint64_t received;    /* distinct packets, late ones included */
	uint64_t dup;
	uint64_t reordered;   /* arrived after a higher sequence number */
	uint64_t late;        /* below the window: received, dup unknown */
	/* A.8 over the RTP timestamps sent: what an endpoint would see,
	 * the generator's own send-time irregularity included */
	struct meas_jitter jit_rtp;
	/* A.8 with each packet's send instant (TSC, in RTP units) as its
	 * timestamp: the path's jitter only (gateway, links) */
	struct meas_jitter jit_path;
	uint64_t lat_sum_ns;
	uint64_t lat_max_ns;
};

void meas_stream_reset(struct meas_stream *s, uint32_t base_ext);
/* Account one packet; returns false for a duplicate (nothing else counted). */
bool meas_stream_seq(struct meas_stream *s, uint16_t seq);

#endif /* RTPGW_GEN_MEAS_H */
