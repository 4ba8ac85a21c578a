/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reference clock estimator of a conference (DESIGN.md, Mixer: "Reference
 * clock"). When control names a reference SSRC, the conference's tick
 * follows that source's RTP clock instead of the local one: this module
 * estimates the ratio of the source's RTP clock rate to its nominal rate
 * as seen on the local clock (1.0001 when the source runs 100 ppm fast)
 * and turns a nominal tick period into the period that keeps the mixer in
 * step with the source. The other participants are then kept aligned by
 * their jitter buffers (jbuf.h). Pure C (doubles), no DPDK, no allocation;
 * written by the conference's owner worker, once per packet or RTCP SR of
 * the reference source and read once per tick.
 *
 * Two series of (x ns, y RTP timestamp) points, each fitted by least
 * squares over its last REFCLOCK_WINDOW points:
 *   - arrivals (local ns, RTP timestamp): network delay only ever adds to
 *     the arrival time, so the lower envelope is the source's clock. Each
 *     bucket of local time keeps the arrival with the smallest transit
 *     (local time minus timestamp at the nominal rate); the fit then drops
 *     points that arrived more than 2 RMS and 0.5 ms later than the line
 *     says (buckets inside a congestion episode) and is done again.
 *     Buckets start at REFCLOCK_BUCKET_NS (1 s, a 64 s window); each time
 *     the window is full they double, up to REFCLOCK_BUCKET_MAX_NS (16 s,
 *     a 17 min window), the points merged pairwise (the lower transit of
 *     two): clock rates change slowly, and the longer window brings the
 *     error under symmetric jitter (where the minimum of a bucket is noisy,
 *     about 0.47 sigma for 50 packets) from about 18 ppm (one standard
 *     deviation) at 60 s of 5 ms down to about 1 ppm after 10 minutes;
 *     one-sided (queueing) jitter of 5 ms gives 1-2 ppm within the first
 *     minute;
 *   - RTCP SR pairs (NTP time, RTP timestamp; RFC 3550 6.4.1): stamped by
 *     the sender together, so without network jitter. They give the RTP
 *     rate against the sender's wallclock, which is the rate against ours
 *     when both wallclocks are NTP-disciplined (the carrier case). They
 *     are preferred when they span enough time, unless the arrivals are
 *     also ready and disagree by more than REFCLOCK_SR_AGREE_PPM: then the
 *     sender's wallclock is not ours (or its SR timestamps come from the
 *     wallclock rather than the sampling clock) and the arrivals win.
 * A series is ready when its points span REFCLOCK_MIN_SPAN_NS (10 s) and
 * number at least 8 (arrival buckets) or 3 (SRs); estimates beyond
 * REFCLOCK_MAX_PPM are not used (no sane audio clock is that far off;
 * nominal pacing is safer). Once an estimate is in use it is held while a
 * restarted series is not ready yet (a timestamp jump does not change the
 * sender's oscillator); refclock_init forgets it. A point that does not
 * follow the series (its timestamp off by more than 0.5 s plus 1000 ppm
 * of the time elapsed) is ignored, unless the next point follows it: then
 * the timeline changed and the series restarts from that next point.
 * Timestamps wrap modulo 2^32 and are unwrapped. Local time is expected
 * to be monotonic (one worker's TSC); an arrival stamped earlier than the
 * previous one joins the current bucket.
 */
#ifndef RTPGW_REFCLOCK_H
#define RTPGW_REFCLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define REFCLOCK_WINDOW	       64	      /* points per series */
#define REFCLOCK_BUCKET_NS     1000000000ull  /* arrivals: first one point per second */
#define REFCLOCK_BUCKET_MAX_NS 16000000000ull /* ... at most one per 16 s */
#define REFCLOCK_MIN_SPAN_NS   10000000000ull /* 10 s before a series is used */
#define REFCLOCK_MAX_PPM       1000.0
#define REFCLOCK_SR_AGREE_PPM  50.0

/* One series of points (internal). */
struct refclock_series {
	uint64_t x[REFCLOCK_WINDOW]; /* ns: local time or the sender's NTP time */
	int64_t y[REFCLOCK_WINDOW];  /* unwrapped RTP timestamp, samples */
	uint32_t head;		     /* next point goes here */
	uint32_t count;
	bool have_last;	  /* last_* hold the newest input */
	uint32_t last_ts; /* newest RTP timestamp seen */
	int64_t last_y;	  /* ... unwrapped */
	uint64_t last_x;  /* ... and its x */
	bool have_cand;	  /* cand_* hold a point that did not follow */
	uint32_t cand_ts;
	uint64_t cand_x;
	bool ready;	 /* ratio holds a usable estimate */
	double ratio;	 /* source rate / nominal rate */
	uint32_t resets; /* restarts on a timestamp jump */
};

struct refclock {
	uint32_t clock_rate;  /* nominal, Hz */
	double ns_per_sample; /* 1e9 / clock_rate */
	/* arrival bucket being filled: the lowest-transit arrival so far */
	uint64_t bucket_ns; /* current bucket length */
	bool bkt_valid;
	uint64_t bkt_id; /* local ns / bucket_ns */
	uint64_t bkt_x;
	int64_t bkt_y;
	double bkt_transit; /* ns, relative to the series origin */
	uint64_t origin_x;  /* arrival series origin for transits */
	int64_t origin_y;
	struct refclock_series arr; /* arrival lower envelope */
	struct refclock_series sr;  /* RTCP SR pairs */
	double ratio;		    /* the estimate in use (or held), 1.0 when none */
	uint8_t source;		    /* enum refclock_source */
	uint64_t sr_rejected;	    /* estimates where SR and arrivals disagreed */
};

enum refclock_source {
	REFCLOCK_NONE = 0, /* not ready: nominal pacing */
	REFCLOCK_ARRIVALS,
	REFCLOCK_SR,
};

/* Reset for a source of the nominal clock_rate Hz (>= 1000); -EINVAL else. */
int refclock_init_rate(struct refclock *rc, uint32_t clock_rate);

/* refclock_init_rate at 8000 Hz (G.711, every codec the mixer has). */
void refclock_init(struct refclock *rc);

/* A packet of the reference source arrived at local_ns with rtp_ts. */
void refclock_add_arrival(struct refclock *rc, uint64_t local_ns, uint32_t rtp_ts);

/* An RTCP SR of the reference source: its 64-bit NTP time and RTP time. */
void refclock_add_sr(struct refclock *rc, uint64_t ntp, uint32_t rtp_ts);

/* An estimate is in use (a series spans 10 s; see above). */
bool refclock_ready(const struct refclock *rc);

/* Source rate / nominal rate; 1.0 when not ready. */
double refclock_ratio(const struct refclock *rc);

/* Which series the estimate comes from. */
enum refclock_source refclock_source(const struct refclock *rc);

/*
 * The tick period that follows the source: nominal_ns / ratio, rounded to
 * the nearest ns (0.05 ppm of a 20 ms tick); nominal_ns when not ready.
 */
uint64_t refclock_tick_ns(const struct refclock *rc, uint64_t nominal_ns);

#endif /* RTPGW_REFCLOCK_H */
