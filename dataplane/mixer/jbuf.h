/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-participant adaptive jitter buffer of the conference mixer
 * (DESIGN.md, Mixer). The owner worker decodes each RTP packet of a
 * participant to 16-bit PCM and hands it to jbuf_put with its energy; once
 * per conference tick it takes one frame of the conference's ptime with
 * jbuf_get: the received frame, a concealed one (packet-loss concealment)
 * or silence, and whether it carries speech. The buffer is keyed by RTP
 * timestamp, so reordering is undone and duplicates, late packets, SSRC
 * changes and timestamp jumps are recognised and counted. Its playout
 * delay adapts to the RFC 3550 A.8 interarrival jitter and it keeps the
 * participant aligned with the conference clock (the local TSC or the
 * reference source, see refclock.h) by dropping or inserting whole frames
 * in quiet stretches. Pure C over memory the caller gives: no DPDK, no
 * allocation, no locks; one worker writes a struct jbuf, the agent may
 * read its statistics (torn reads tolerated).
 *
 * Model. Frames are frame_samples long and sit on the grid of the current
 * timeline (the timestamp of the packet that started it plus multiples of
 * frame_samples). A ring of n_slots frames holds the frames from the play
 * head (play_ts, the timestamp jbuf_get plays next) up to n_slots - 1
 * frames ahead; the slot behind the head keeps the last frame played for
 * concealment. A packet of n samples, n a multiple of the block size
 * (cfg.block_samples: 80 = 10 ms at 8 kHz by default, or the whole frame)
 * and aligned on the block grid, is written block by block into the
 * frames it covers: a 40 ms packet into a 20 ms conference fills two
 * frames, two 10 ms packets fill one, a 30 ms packet one and a half. A
 * frame played with blocks missing has them zeroed (counted as partial).
 * Other sizes or alignments are rejected (counted as bad), except that a
 * misaligned packet with the next sequence number is a timestamp jump.
 *
 * Delay. The level is how far the newest received sample is ahead of the
 * play head, in frames: at a tick it is the number of frames waiting,
 * including the one about to play. Each arrival's level is smoothed (mean
 * of the first 256, then an exponential average over 256 packets) into
 * level_avg. The target level is 1 + ceil(cfg.jitter_mult * J / frame),
 * with J the A.8 jitter in samples averaged the same way (A.8 is about
 * 1.13 standard deviations of the network delay when that is Gaussian,
 * and a level half a frame under the target still leaves target - 1
 * frames of margin, so the default 3 gives 3.4 sigma), plus a boost of
 * one frame per burst of late packets (two late within about 100 packets,
 * at most one per 50 packets; each boost expires after 1500 packets
 * without a new one), clamped to [min_delay, max_delay]. The target rises
 * at once and falls one frame at a time, at most every 256 packets, and
 * only when the raw value is a quarter frame below the next lower step
 * (hysteresis, so the target does not flap around a step). The buffer
 * moves its level toward the target without touching speech:
 *   - at the start of a talkspurt (marker bit) onto an idle buffer (nothing
 *     waiting) while level_avg is out of the band below, the play head
 *     jumps by the rounded error at once: the silence before the
 *     talkspurt is lengthened or shortened (DTX senders);
 *   - otherwise, when level_avg leaves the band [target - 1/2, target +
 *     3/4] frames (moved inside [min_delay, max_delay] when it would stick
 *     out), one frame per tick is dropped (level too high: the sender's
 *     clock is fast or the target fell) or one is inserted (too low: the
 *     sender is slow or the target rose), and only when the frames
 *     involved are quiet: a drop discards the frame at the head, which
 *     must be quiet; an insert holds the head for one tick and plays a
 *     copy of the last frame (or silence), both that last frame and the
 *     head being quiet. The band is 1.25 frames wide, so one correction
 *     never overshoots into the opposite one.
 * A talker who never pauses would block the correction forever, so once a
 * correction has waited cfg.force_after ticks, or at once when the level
 * is more than 1.5 frames short of the target (underruns are imminent),
 * it is made on the quietest frame available: a drop when the head is the
 * quietest frame waiting, an insert when neither the last frame played nor
 * the head is louder than the quietest frame waiting (counted as forced).
 * Clock drift is the slow case of the same loop: 100 ppm is one frame
 * every 200 s at 20 ms, i.e. 18 corrections an hour. A full implementation
 * would stretch or compress within frames (time-scale modification, as
 * WSOLA does); whole quiet frames are inaudible enough for a bridge.
 *
 * Concealment. A frame missing at the head is concealed by repeating the
 * last good frame, attenuated 6 dB per consecutive concealed frame as a
 * linear ramp inside each frame (1 -> 1/2, 1/2 -> 1/4, ...), the last of
 * cfg.plc_frames (3 by default) ramping to zero; after that, and before
 * the first packet, the output is silence. ITU-T G.711 Appendix I is what
 * a full implementation would do: repeat the last pitch period (found by
 * autocorrelation in a 48.75 ms history), overlap-added at both ends of
 * the erasure, more periods as it lasts, attenuated linearly by 20% per
 * 10 ms after the first 10 ms and muted after 60 ms.
 *
 * Timeline changes. Relative to the play head a packet is in the window
 * (its samples within [play_ts - (n_slots - 1) frames, play_ts + (n_slots
 * - 1) frames)) or outside. An in-order packet (sequence number 1..100
 * ahead of the highest seen) outside by up to one more window is an
 * overflow ahead (the sender burst after a stall: the head moves so the
 * packet sits at the target level, the frames skipped are discarded) or
 * late behind (the network stalled). Further out, an in-order packet, or
 * one that continues the previous outside packet (next sequence number,
 * timestamp up to a window later), re-syncs: the buffer is flushed and
 * the new timeline starts with that packet at the target level; a lone
 * outside packet is dropped as stray, or as late when its sequence number
 * is old. A new SSRC re-syncs at once (RFC 3550 8.2: a new SSRC
 * is a new timeline), but a packet of the SSRC just replaced is dropped as
 * stale within the first n_slots packets of its successor, so a straggler
 * of the old stream cannot flip the buffer back. A packet behind the play
 * head is a duplicate if all its samples were received (the slot keeps
 * what it played), else late; a packet whose samples are all present
 * already is a duplicate. Statuses and counters say which.
 *
 * Energy is the sum of squares of the packet's samples (mix_energy); a
 * frame gets the packet's energy scaled to frame_samples, the loudest part
 * when several packets fill it. A frame is talk when its energy reaches
 * cfg.talk_energy (a mean square per sample) times frame_samples, quiet
 * below.
 */
#ifndef RTPGW_JBUF_H
#define RTPGW_JBUF_H

#include <stdbool.h>
#include <stdint.h>

#define JBUF_SLOTS_MAX	32  /* n_slots: a power of two, 8..32 */
#define JBUF_FRAME_MAX	480 /* frame_samples: 60 ms at 8 kHz */
#define JBUF_BLOCKS_MAX 16  /* blocks per frame (slot fill mask bits) */
#define JBUF_SEQ_SLACK	100 /* RFC 3550 A.1 MAX_MISORDER: "newer" seq window */

/* What jbuf_put did with a packet (non-negative; -EINVAL for NULL args). */
enum jbuf_put_status {
	JBUF_PUT_OK = 0,   /* stored (some of its samples at least) */
	JBUF_PUT_RESYNC,   /* started a new timeline (stored) */
	JBUF_PUT_OVERFLOW, /* stored after moving the head forward */
	JBUF_PUT_DUP,	   /* every sample already received: dropped */
	JBUF_PUT_LATE,	   /* its frames were played already: dropped */
	JBUF_PUT_STALE,	   /* the SSRC just replaced: dropped */
	JBUF_PUT_STRAY,	   /* outside the window, unconfirmed: dropped */
	JBUF_PUT_BAD,	   /* size or alignment not usable: dropped */
};

/* What jbuf_get wrote (non-negative; -EINVAL for NULL args). */
enum jbuf_frame {
	JBUF_REAL = 0,	/* a received frame (partial ones zero-filled) */
	JBUF_CONCEALED, /* the last frame repeated, attenuated (PLC) */
	JBUF_SILENT,	/* zeros */
};

/* Configuration; jbuf_cfg_default fills the defaults (in parentheses). */
struct jbuf_cfg {
	uint32_t min_delay;	/* frames, >= 1 (1) */
	uint32_t max_delay;	/* frames, >= min_delay + 2, <= n_slots - 2 (10) */
	uint32_t start_delay;	/* frames, the target until the jitter is known (2) */
	uint32_t plc_frames;	/* concealed frames before silence, 1..8 (3) */
	uint32_t jitter_mult;	/* target margin in A.8 jitters, 1..16 (3) */
	uint32_t force_after;	/* ticks a correction waits for a quiet frame (500) */
	uint32_t block_samples; /* packet granularity; 0: gcd(frame, 80) (0) */
	uint64_t talk_energy;	/* talk threshold, mean square per sample (10000, ~ -50 dBov) */
};

/*
 * Counters, one X-macro list for the stats struct and their names
 * (VPP foreach_*_error). Frames: played + concealed + silent +
 * inserted_for_drift = jbuf_get calls; packets: put = stored + dup +
 * late + stale + stray + bad, stored counting resync and overflow too.
 */
#define JBUF_FOREACH_COUNTER(X)                                                      \
	X(put, "packets given to jbuf_put")                                          \
	X(played, "frames played as received")                                       \
	X(partial, "played frames with blocks missing (zero-filled)")                \
	X(concealed, "frames concealed by repeating the last one")                   \
	X(silent, "silent frames (before the first packet, after concealment)")      \
	X(late, "packets dropped: their frames were played already")                 \
	X(dup, "packets dropped: every sample already received")                     \
	X(stale, "packets dropped: SSRC just replaced")                              \
	X(stray, "packets dropped: outside the window, unconfirmed")                 \
	X(bad, "packets dropped: size or alignment unusable")                        \
	X(resync, "timelines restarted (SSRC change, timestamp jump)")               \
	X(overflow, "head moved forward to fit a packet beyond the window")          \
	X(talkspurt, "playout delay re-set at a talkspurt start")                    \
	X(dropped_for_drift, "frames dropped to bring the level down to the target") \
	X(inserted_for_drift, "frames inserted to bring the level up to the target") \
	X(forced, "... of those, made on a frame that was not quiet")

struct jbuf_stats {
#define JBUF_X_FIELD(name, desc) uint64_t name;
	JBUF_FOREACH_COUNTER(JBUF_X_FIELD)
#undef JBUF_X_FIELD
	uint32_t level;	   /* frames waiting at the last jbuf_get, incl. the one played */
	int32_t level_avg; /* smoothed level at arrival, samples */
	uint32_t target;   /* target level, frames */
	uint32_t jitter;   /* RFC 3550 A.8 interarrival jitter, samples */
};

#define JBUF_X_ONE(name, desc) +1
#define JBUF_N_COUNTERS	       (0 JBUF_FOREACH_COUNTER(JBUF_X_ONE))

/* Counter names, in JBUF_FOREACH_COUNTER order (for stats export). */
extern const char *const jbuf_counter_names[JBUF_N_COUNTERS];

/* One slot: a frame of the ring. Internal. */
struct jbuf_slot {
	uint64_t energy; /* sum of squares scaled to one frame; max of its parts */
	uint32_t ts;	 /* RTP timestamp of its first sample */
	uint16_t mask;	 /* blocks received */
	uint8_t state;	 /* empty, filling (waiting to play), played */
	uint8_t pad;
};

/*
 * The buffer: fixed size (1800 bytes on x86_64), embeddable, all fields
 * written by the owner worker only. Internal except through the functions
 * below.
 */
struct jbuf {
	int16_t *pcm; /* n_slots * frame_samples samples, the caller's */
	uint32_t n_slots;
	uint32_t frame;	  /* frame_samples */
	uint32_t blk;	  /* block_samples */
	uint32_t max_pkt; /* largest packet accepted, samples */
	struct jbuf_cfg cfg;
	uint8_t state; /* idle (no timeline yet) or running */
	uint8_t have_prev_ssrc;
	uint8_t have_bad;      /* bad_seq/bad_ts hold an outside packet */
	uint8_t transit_valid; /* A.8: transit holds a sample */
	uint8_t last_kind;     /* enum jbuf_frame of the last output */
	uint8_t plc_src;       /* where the last good frame is: none, slot, plc[] */
	uint8_t last_talk;     /* the last real frame was talk */
	uint8_t pad;
	uint32_t ssrc;
	uint32_t prev_ssrc;    /* the SSRC replaced last */
	uint32_t since_change; /* packets of ssrc since it replaced prev_ssrc */
	uint16_t max_seq;      /* highest sequence number stored */
	uint16_t bad_seq;
	uint32_t bad_ts;
	uint32_t play_ts;     /* timestamp of the frame the next get plays */
	uint32_t head;	      /* its slot */
	uint32_t newest_end;  /* timestamp after the newest sample received */
	uint32_t last_slot;   /* slot of the last real frame (plc_src slot) */
	uint64_t last_energy; /* energy of the last frame output, 0 if silent */
	uint32_t conceal_run; /* consecutive concealed frames */
	uint32_t transit;     /* A.8 relative transit of the previous packet */
	uint32_t jitter_q4;   /* A.8 jitter * 16, samples */
	uint32_t jit_n;	      /* jitter samples since init */
	uint32_t jit_avg_q4;  /* jitter_q4 averaged over 256 samples */
	int64_t lvl_avg_q8;   /* smoothed arrival level, samples * 256 */
	uint32_t lvl_n;	      /* arrivals averaged since the timeline started */
	uint32_t target;      /* frames */
	uint32_t boost;	      /* frames added to the target for late packets */
	uint32_t late_score;  /* leaky bucket: +100 per late packet, -1 per packet */
	uint32_t boost_age;   /* packets since the boost last rose */
	uint32_t since_lower; /* packets since the target last fell */
	uint32_t pending;     /* ticks a wanted correction has waited */
	uint32_t level;	      /* frames waiting at the last get */
	struct jbuf_stats st; /* counters (the level/target fields unused here) */
	struct jbuf_slot slot[JBUF_SLOTS_MAX];
	int16_t plc[JBUF_FRAME_MAX]; /* the last good frame once its slot may be reused */
};

/* Fill cfg with the defaults above. */
void jbuf_cfg_default(struct jbuf_cfg *cfg);

/*
 * Initialise jb over pcm_mem (n_slots * frame_samples samples, owned by
 * the caller, outliving jb; no alignment needed). n_slots a power of two
 * in 8..JBUF_SLOTS_MAX, frame_samples in 1..JBUF_FRAME_MAX; cfg NULL means
 * jbuf_cfg_default with max_delay lowered to n_slots - 2 if needed; cfg is
 * copied. Returns 0, or -EINVAL for a parameter out of range (the block
 * size must divide the frame into at most JBUF_BLOCKS_MAX blocks). Also
 * the way to reset a buffer, e.g. when a participant rejoins.
 */
int jbuf_init(struct jbuf *jb, int16_t *pcm_mem, unsigned int n_slots, unsigned int frame_samples,
	      const struct jbuf_cfg *cfg);

/*
 * One received packet: its SSRC, sequence number, timestamp and marker
 * bit (RFC 3550 5.1), its n_samples decoded samples (copied), their energy
 * (sum of squares, mix_energy) and now_ts, the arrival time in samples of
 * the conference clock (any origin, wrapping; used only for the A.8
 * jitter, so a clock off by a few ppm does not matter). Accepts packets
 * of any size that is a multiple of the block size, up to (n_slots -
 * max_delay) frames. Returns an enum jbuf_put_status, or -EINVAL when jb
 * is NULL or pcm is NULL with n_samples > 0; never reads pcm beyond
 * n_samples and never fails on any value of the other arguments.
 */
int jbuf_put(struct jbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts, bool marker,
	     const int16_t *pcm, unsigned int n_samples, uint64_t energy, uint32_t now_ts);

/*
 * Once per conference tick: write frame_samples samples to out and set
 * *talk when they carry speech (a real frame at or above the talk
 * threshold, or the first concealed frame after one). Returns an enum
 * jbuf_frame, or -EINVAL when an argument is NULL. Drift and delay
 * corrections happen here (see above); an inserted frame is returned as
 * JBUF_CONCEALED (or JBUF_SILENT after silence) with *talk false.
 */
int jbuf_get(struct jbuf *jb, int16_t *out, bool *talk);

/* Counters and the current level, average level, target and jitter. */
void jbuf_stats(const struct jbuf *jb, struct jbuf_stats *st);

#endif /* RTPGW_JBUF_H */
