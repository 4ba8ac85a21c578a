/* SPDX-License-Identifier: BSD-3-Clause */
/* rtpgw: worker path */
/*
 * Adaptive jitter buffer of the conference mixer: a ring of decoded
 * frames keyed by RTP timestamp relative to a play head that advances one
 * frame per jbuf_get. jbuf_put sorts packets into the ring (reorder,
 * duplicates, late packets, SSRC changes and timestamp jumps, RFC 3550
 * 5.1 and 8.2), feeds the RFC 3550 A.8 jitter estimate that sets the
 * target level and the smoothed arrival level that the drift and delay
 * corrections of jbuf_get compare with it; jbuf_get plays, conceals or
 * stays silent and drops or inserts quiet frames to follow the target.
 * The contract and the reasoning are in jbuf.h; mixer.c is the caller.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jbuf.h"

enum { SLOT_EMPTY, SLOT_FILLING, SLOT_PLAYED };
enum { JB_IDLE, JB_RUNNING };
enum { PLC_NONE, PLC_SLOT, PLC_BUF };
enum { ADJ_NONE, ADJ_DROP, ADJ_INSERT };

#define LVL_AVG_N	  256	     /* arrivals in the level average (5.12 s at 20 ms) */
#define LVL_MIN_N	  16	     /* arrivals averaged before any correction */
#define JIT_MIN_N	  32	     /* A.8 samples before the target follows the jitter */
#define JIT_AVG_N	  256	     /* A.8 samples in the jitter average */
#define TARGET_FALL_EVERY 256	     /* arrivals between two falls of the target */
#define LATE_SCORE_STEP	  100	     /* leaky bucket: added per late packet ... */
#define LATE_SCORE_BOOST  200	     /* ... boost when above (2 late within ~100) */
#define BOOST_HOLD	  1500	     /* arrivals without a boost before one expires */
#define BOOST_STEP	  50	     /* arrivals between two boosts (a stall is one) */
#define JITTER_D_MAX	  (1u << 20) /* A.8 |D| clamp, samples: keeps jitter_q4 < 2^25 */
#define DEFAULT_BLOCK	  80	     /* 10 ms at 8 kHz: every common ptime is a multiple */

const char *const jbuf_counter_names[JBUF_N_COUNTERS] = {
#define JBUF_X_NAME(name, desc) #name,
	JBUF_FOREACH_COUNTER(JBUF_X_NAME)
#undef JBUF_X_NAME
};

_Static_assert(sizeof(struct jbuf_stats) == JBUF_N_COUNTERS * sizeof(uint64_t) + 16,
	       "jbuf_stats: the counters, then four 32-bit fields");

void
jbuf_cfg_default(struct jbuf_cfg *cfg)
{
	*cfg = (struct jbuf_cfg){
		.min_delay = 1,
		.max_delay = 10,
		.start_delay = 2,
		.plc_frames = 3,
		.jitter_mult = 3,
		.force_after = 500,
		.block_samples = 0,
		.talk_energy = 10000,
	};
}

static uint32_t
gcd(uint32_t a, uint32_t b)
{
	while (b != 0) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int
jbuf_init(struct jbuf *jb, int16_t *pcm_mem, unsigned int n_slots, unsigned int frame_samples,
	  const struct jbuf_cfg *cfg)
{
	struct jbuf_cfg c;
	uint32_t blk;

	if (jb == NULL || pcm_mem == NULL)
		return -EINVAL;
	if (n_slots < 8 || n_slots > JBUF_SLOTS_MAX || (n_slots & (n_slots - 1)) != 0)
		return -EINVAL;
	if (frame_samples == 0 || frame_samples > JBUF_FRAME_MAX)
		return -EINVAL;
	if (cfg != NULL) {
		c = *cfg;
	} else {
		jbuf_cfg_default(&c);
		if (c.max_delay > n_slots - 2)
			c.max_delay = n_slots - 2;
	}
	if (c.min_delay < 1 || c.max_delay < c.min_delay + 2 || c.max_delay > n_slots - 2 ||
	    c.start_delay < c.min_delay || c.start_delay > c.max_delay || c.plc_frames < 1 ||
	    c.plc_frames > 8 || c.jitter_mult < 1 || c.jitter_mult > 16 || c.force_after < 1)
		return -EINVAL;
	if (c.block_samples == 0) {
		blk = gcd(frame_samples, DEFAULT_BLOCK);
		if (frame_samples / blk > JBUF_BLOCKS_MAX)
			blk = frame_samples;
	} else {
		blk = c.block_samples;
		if (blk > frame_samples || frame_samples % blk != 0 ||
		    frame_samples / blk > JBUF_BLOCKS_MAX)
			return -EINVAL;
	}
	memset(jb, 0, sizeof(*jb));
	jb->pcm = pcm_mem;
	jb->n_slots = n_slots;
	jb->frame = frame_samples;
	jb->blk = blk;
	jb->max_pkt = (n_slots - c.max_delay) * frame_samples;
	jb->cfg = c;
	jb->state = JB_IDLE;
	jb->last_kind = JBUF_SILENT;
	jb->plc_src = PLC_NONE;
	jb->target = c.start_delay;
	return 0;
}

/* Frame energy (sum of squares over one frame) at which a frame is talk. */
static inline uint64_t
talk_threshold(const struct jbuf *jb)
{
	if (jb->cfg.talk_energy > UINT64_MAX / jb->frame)
		return UINT64_MAX;
	return jb->cfg.talk_energy * jb->frame;
}

static inline struct jbuf_slot *
slot_at(struct jbuf *jb, int32_t k)
{
	return &jb->slot[(jb->head + (uint32_t)k) & (jb->n_slots - 1)];
}

static inline uint32_t
slot_index(const struct jbuf *jb, int32_t k)
{
	return (jb->head + (uint32_t)k) & (jb->n_slots - 1);
}

/* The frame at k frames from the head holds received samples. */
static inline bool
frame_present(struct jbuf *jb, int32_t k)
{
	const struct jbuf_slot *s = slot_at(jb, k);

	return s->state == SLOT_FILLING && s->ts == jb->play_ts + (uint32_t)k * jb->frame;
}

static inline int32_t
floor_div(int32_t a, int32_t b)
{
	int32_t q = a / b;

	if (a % b != 0 && a < 0)
		q--;
	return q;
}

/*
 * The last real frame stays in its slot (head - 1, which jbuf_put never
 * writes) until the head moves on without playing a real frame or jumps;
 * copy it to plc[] before either.
 */
static void
plc_capture(struct jbuf *jb)
{
	if (jb->plc_src != PLC_SLOT)
		return;
	memcpy(jb->plc, jb->pcm + (size_t)jb->last_slot * jb->frame,
	       jb->frame * sizeof(jb->plc[0]));
	jb->plc_src = PLC_BUF;
}

/*
 * Move the play head by s frames (the talkspurt re-set and overflow).
 * Frames passed over are discarded; the level of every later arrival
 * changes by -s frames, and so does its average.
 */
static void
head_move(struct jbuf *jb, int32_t s)
{
	if (s == 0)
		return;
	plc_capture(jb);
	for (int32_t k = 0; k < s && k < (int32_t)jb->n_slots; k++)
		if (frame_present(jb, k))
			slot_at(jb, k)->state = SLOT_PLAYED;
	jb->head = slot_index(jb, s);
	jb->play_ts += (uint32_t)s * jb->frame;
	jb->lvl_avg_q8 -= (int64_t)s * jb->frame * 256;
	jb->pending = 0;
}

/*
 * Start a timeline (first packet, re-sync): flush, and put the packet of
 * n samples at ts, on a frame boundary, so that the level is the target
 * or up to a frame more (the packet starting at the head if it is longer
 * than that). The jitter estimate and target carry over: the network path
 * is the same.
 */
static void
timeline_start(struct jbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts, uint32_t n)
{
	uint32_t want = jb->target * jb->frame;
	uint32_t lead = want > n ? (want - n + jb->frame - 1) / jb->frame * jb->frame : 0;

	plc_capture(jb);
	for (uint32_t i = 0; i < jb->n_slots; i++)
		jb->slot[i].state = SLOT_EMPTY;
	if (jb->state == JB_RUNNING && ssrc != jb->ssrc) {
		jb->prev_ssrc = jb->ssrc;
		jb->have_prev_ssrc = 1;
		jb->since_change = 0;
	}
	jb->ssrc = ssrc;
	jb->state = JB_RUNNING;
	jb->head = 0;
	jb->play_ts = ts - lead;
	jb->newest_end = jb->play_ts;
	jb->max_seq = seq;
	jb->have_bad = 0;
	jb->transit_valid = 0;
	jb->lvl_n = 0;
	jb->lvl_avg_q8 = 0;
	jb->pending = 0;
}

/* RFC 3550 A.8, in the RFC's integer form (jitter scaled by 16). */
static void
jitter_update(struct jbuf *jb, uint32_t ts, uint32_t now_ts)
{
	uint32_t transit = now_ts - ts;

	if (jb->transit_valid) {
		int32_t d = (int32_t)(transit - jb->transit);
		uint32_t ad = d < 0 ? -(uint32_t)d : (uint32_t)d;

		if (ad > JITTER_D_MAX)
			ad = JITTER_D_MAX;
		jb->jitter_q4 += ad - ((jb->jitter_q4 + 8) >> 4);
		if (jb->jit_n < UINT32_MAX)
			jb->jit_n++;
		jb->jit_avg_q4 += (int32_t)(((int64_t)jb->jitter_q4 - jb->jit_avg_q4) /
					    (jb->jit_n < JIT_AVG_N ? jb->jit_n : JIT_AVG_N));
	}
	jb->transit = transit;
	jb->transit_valid = 1;
}

/*
 * Target level: 1 + ceil(jitter_mult * J / frame) + boost, clamped, J the
 * A.8 jitter averaged over JIT_AVG_N packets (A.8 alone, a 1/16 gain, is
 * too noisy to set a delay: at 8 ms of jitter it swings by +-20%); rises
 * at once, falls a frame at a time with a quarter-frame hysteresis.
 */
static void
target_update(struct jbuf *jb)
{
	const struct jbuf_cfg *c = &jb->cfg;
	uint64_t raw_q8;
	uint64_t up;

	if (jb->jit_n < JIT_MIN_N)
		return;
	raw_q8 = 256 + (uint64_t)c->jitter_mult * jb->jit_avg_q4 * 16 / jb->frame +
		 (uint64_t)jb->boost * 256;
	up = (raw_q8 + 255) >> 8;
	if (up > c->max_delay)
		up = c->max_delay;
	if (up < c->min_delay)
		up = c->min_delay;
	if (up > jb->target) {
		jb->target = (uint32_t)up;
		jb->since_lower = 0;
	} else if (jb->target > c->min_delay && jb->since_lower >= TARGET_FALL_EVERY &&
		   raw_q8 + 64 <= (uint64_t)(jb->target - 1) * 256) {
		jb->target--;
		jb->since_lower = 0;
	}
}

/* Level of one arrival (samples from the head to its end) into the average. */
static void
level_update(struct jbuf *jb, int32_t lvl)
{
	int64_t x = (int64_t)lvl * 256;

	if (jb->lvl_n < LVL_AVG_N)
		jb->lvl_n++;
	jb->lvl_avg_q8 += (x - jb->lvl_avg_q8) / (int64_t)jb->lvl_n;
}

/* Per accepted arrival: the leaky bucket, boost expiry, target fall timer. */
static void
arrival_tick(struct jbuf *jb)
{
	if (jb->late_score > 0)
		jb->late_score--;
	if (jb->boost > 0 && ++jb->boost_age >= BOOST_HOLD) {
		jb->boost--;
		jb->boost_age = 0;
	}
	if (jb->since_lower < UINT32_MAX)
		jb->since_lower++;
	if (jb->since_change < jb->n_slots)
		jb->since_change++;
}

/* A late packet: two within ~100 packets add a frame, at most every BOOST_STEP. */
static void
late_event(struct jbuf *jb)
{
	jb->late_score += LATE_SCORE_STEP;
	if (jb->late_score > LATE_SCORE_BOOST && (jb->boost == 0 || jb->boost_age >= BOOST_STEP)) {
		if (jb->boost < jb->cfg.max_delay)
			jb->boost++;
		jb->late_score = 0;
		jb->boost_age = 0;
	}
}

struct store_res {
	uint32_t stored; /* frame parts written */
	uint32_t dup;	 /* ... already there */
	uint32_t late;	 /* ... behind the head, not received before */
};

/*
 * Write n samples starting d samples after the play head (d may be
 * negative, d + n <= the window) frame part by frame part.
 */
static void
store(struct jbuf *jb, int32_t d, const int16_t *pcm, uint32_t n, uint64_t e_frame,
      struct store_res *r)
{
	const int32_t frame = (int32_t)jb->frame;
	int32_t pos = d;
	uint32_t left = n;

	while (left > 0) {
		int32_t k = floor_div(pos, frame);
		uint32_t off = (uint32_t)(pos - k * frame);
		uint32_t chunk = jb->frame - off < left ? jb->frame - off : left;
		uint32_t frame_ts = jb->play_ts + (uint32_t)k * jb->frame;
		uint32_t idx = slot_index(jb, k);
		struct jbuf_slot *s = &jb->slot[idx];
		uint16_t bits = (uint16_t)(((1u << (chunk / jb->blk)) - 1) << (off / jb->blk));

		if (k < 0) {
			if (s->state == SLOT_PLAYED && s->ts == frame_ts &&
			    (s->mask & bits) == bits)
				r->dup++;
			else
				r->late++;
		} else {
			if (s->state != SLOT_FILLING || s->ts != frame_ts) {
				s->state = SLOT_FILLING;
				s->ts = frame_ts;
				s->mask = 0;
				s->energy = 0;
			}
			if ((s->mask & bits) == bits) {
				r->dup++;
			} else {
				memcpy(jb->pcm + (size_t)idx * jb->frame + off, pcm,
				       chunk * sizeof(*pcm));
				s->mask |= bits;
				if (e_frame > s->energy)
					s->energy = e_frame;
				r->stored++;
			}
		}
		pos += (int32_t)chunk;
		pcm += chunk;
		left -= chunk;
	}
}

/*
 * The band the average level is kept in, samples * 256: [target - 1/2,
 * target + 3/4] frames, shifted inside [min_delay, max_delay].
 */
static void
band(const struct jbuf *jb, int64_t *lo, int64_t *hi)
{
	const int64_t f_q8 = (int64_t)jb->frame * 256;
	const int64_t min = (int64_t)jb->cfg.min_delay * f_q8;
	const int64_t max = (int64_t)jb->cfg.max_delay * f_q8;

	*lo = (int64_t)jb->target * f_q8 - f_q8 / 2;
	*hi = (int64_t)jb->target * f_q8 + f_q8 * 3 / 4;
	if (*lo < min) {
		*hi += min - *lo;
		*lo = min;
	}
	if (*hi > max) {
		*lo -= *hi - max;
		*hi = max;
	}
}

/*
 * Start of a talkspurt onto an idle buffer with the average level out of
 * its band: move the head by the rounded error from the target, which
 * lands inside the band, so the talkspurt starts at the target level; the
 * packet just stored (d samples after the head, n long) stays in the
 * window.
 */
static void
talkspurt_reset(struct jbuf *jb, int32_t d, uint32_t n)
{
	const int64_t f_q8 = (int64_t)jb->frame * 256;
	int64_t e = jb->lvl_avg_q8 - (int64_t)jb->target * f_q8;
	int64_t lo, hi;
	int32_t s, s_max, s_min;

	band(jb, &lo, &hi);
	if (jb->lvl_avg_q8 >= lo && jb->lvl_avg_q8 <= hi)
		return;
	s = (int32_t)((e >= 0 ? e + f_q8 / 2 : e - f_q8 / 2) / f_q8);
	s_max = d / (int32_t)jb->frame;
	s_min = -(int32_t)(((jb->n_slots - 1) * jb->frame - n - (uint32_t)d) / jb->frame);
	if (s > s_max)
		s = s_max;
	if (s < s_min)
		s = s_min;
	if (s != 0) {
		head_move(jb, s);
		jb->st.talkspurt++;
	}
}

int
jbuf_put(struct jbuf *jb, uint32_t ssrc, uint16_t seq, uint32_t ts, bool marker, const int16_t *pcm,
	 unsigned int n_samples, uint64_t energy, uint32_t now_ts)
{
	struct store_res r = {0};
	int status = JBUF_PUT_OK;
	uint32_t n = n_samples;
	uint32_t win, frame;
	uint64_t e_frame;
	bool newer, aligned, idle;
	int32_t d;

	if (jb == NULL || (pcm == NULL && n_samples > 0))
		return -EINVAL;
	jb->st.put++;
	frame = jb->frame;
	win = (jb->n_slots - 1) * frame;
	if (n == 0 || n % jb->blk != 0 || n > jb->max_pkt) {
		jb->st.bad++;
		return JBUF_PUT_BAD;
	}
	/* Energy over n samples scaled to one frame, without overflow. */
	e_frame = energy / n * frame + energy % n * frame / n;

	if (jb->state == JB_IDLE) {
		timeline_start(jb, ssrc, seq, ts, n);
		goto accept;
	}
	if (ssrc != jb->ssrc) {
		if (jb->have_prev_ssrc && ssrc == jb->prev_ssrc && jb->since_change < jb->n_slots) {
			jb->st.stale++;
			return JBUF_PUT_STALE;
		}
		goto resync;
	}

	d = (int32_t)(ts - jb->play_ts);
	newer = (uint16_t)(seq - jb->max_seq - 1) < JBUF_SEQ_SLACK;
	aligned = d % (int32_t)jb->blk == 0;
	if (aligned && d >= -(int32_t)win && d <= (int32_t)(win - n))
		goto accept;
	if (aligned && newer && d > 0 && (uint32_t)d < 2 * win) {
		/* A burst after a stall: the packet at the target level. */
		int32_t s = (int32_t)((uint32_t)d + n - jb->target * frame + frame - 1) /
			    (int32_t)frame;

		if (s > d / (int32_t)frame)
			s = d / (int32_t)frame;
		head_move(jb, s);
		jb->lvl_n = 0; /* the burst is no average: start again from it */
		jb->st.overflow++;
		status = JBUF_PUT_OVERFLOW;
		goto accept;
	}
	if (aligned && newer && d < 0 && 0u - (uint32_t)d <= 2 * win) {
		/* In order but a window late: the network stalled. */
		jb->max_seq = seq;
		late_event(jb);
		target_update(jb);
		jb->st.late++;
		return JBUF_PUT_LATE;
	}
	/*
	 * Further out: a new timeline if the sequence number follows (RFC
	 * 3550 A.1 spirit: in order, within MAX_MISORDER) or the packet
	 * continues the previous outside one; else remember it.
	 */
	if (newer || (jb->have_bad && seq == (uint16_t)(jb->bad_seq + 1) && ts - jb->bad_ts <= win))
		goto resync;
	jb->have_bad = 1;
	jb->bad_seq = seq;
	jb->bad_ts = ts;
	if (d < 0 && (int16_t)(seq - jb->max_seq) < 0) {
		jb->st.late++;
		return JBUF_PUT_LATE;
	}
	jb->st.stray++;
	return JBUF_PUT_STRAY;

resync:
	timeline_start(jb, ssrc, seq, ts, n);
	jb->st.resync++;
	status = JBUF_PUT_RESYNC;
accept:
	d = (int32_t)(ts - jb->play_ts);
	idle = (int32_t)(jb->newest_end - jb->play_ts) <= 0;
	store(jb, d, pcm, n, e_frame, &r);
	if (r.stored == 0) {
		if (r.late == 0) {
			jb->st.dup++;
			return JBUF_PUT_DUP;
		}
		jitter_update(jb, ts, now_ts);
		level_update(jb, d + (int32_t)n);
		late_event(jb);
		target_update(jb);
		jb->st.late++;
		return JBUF_PUT_LATE;
	}
	if ((int16_t)(seq - jb->max_seq) > 0)
		jb->max_seq = seq;
	if ((int32_t)(ts + n - jb->newest_end) > 0)
		jb->newest_end = ts + n;
	jitter_update(jb, ts, now_ts);
	level_update(jb, d + (int32_t)n);
	arrival_tick(jb);
	target_update(jb);
	if (marker && idle && d >= 0 && jb->lvl_n >= LVL_MIN_N && status == JBUF_PUT_OK)
		talkspurt_reset(jb, d, n);
	return status;
}

/* Lowest energy of the frames waiting (UINT64_MAX when none). */
static uint64_t
min_waiting_energy(struct jbuf *jb)
{
	uint64_t m = UINT64_MAX;

	for (int32_t k = 0; k < (int32_t)jb->n_slots - 1; k++)
		if (frame_present(jb, k) && slot_at(jb, k)->energy < m)
			m = slot_at(jb, k)->energy;
	return m;
}

/*
 * The correction this tick, if any: the average level against its band;
 * only
 * on quiet frames unless forced (waited force_after ticks, or an insert
 * more than 1.5 frames short), then on the quietest frame available.
 */
static int
decide(struct jbuf *jb)
{
	const int64_t f_q8 = (int64_t)jb->frame * 256;
	const uint64_t thr = talk_threshold(jb);
	int64_t avg = jb->lvl_avg_q8;
	uint64_t e_head, e;
	int64_t lo, hi;
	bool urgent;
	int want;

	if (jb->lvl_n < LVL_MIN_N) {
		jb->pending = 0;
		return ADJ_NONE;
	}
	band(jb, &lo, &hi);
	want = avg > hi ? ADJ_DROP : avg < lo ? ADJ_INSERT : ADJ_NONE;
	if (want == ADJ_NONE) {
		jb->pending = 0;
		return ADJ_NONE;
	}
	if (jb->pending < UINT32_MAX)
		jb->pending++;
	urgent = jb->pending > jb->cfg.force_after || (want == ADJ_INSERT && avg < lo - f_q8);
	e_head = frame_present(jb, 0) ? slot_at(jb, 0)->energy : 0;
	if (want == ADJ_DROP) {
		if (!frame_present(jb, 0))
			return ADJ_NONE;
		e = e_head;
	} else {
		e = e_head > jb->last_energy ? e_head : jb->last_energy;
	}
	if (e < thr)
		return want;
	if (urgent && e <= min_waiting_energy(jb)) {
		jb->st.forced++;
		return want;
	}
	return ADJ_NONE;
}

/* Gain of the repeated frame at the end of concealed frame k, Q15. */
static inline int32_t
plc_gain(const struct jbuf *jb, uint32_t k)
{
	if (k >= jb->cfg.plc_frames)
		return 0;
	return 32768 >> k;
}

/*
 * One concealed frame from plc[]: gain ramping linearly from the end
 * gain of the previous concealed frame to this one's (-6 dB a frame, the
 * last to zero); silence when there is nothing to repeat or the fade is
 * over. Counted in concealed or silent unless it is an insert.
 */
static int
conceal(struct jbuf *jb, int16_t *out, bool *talk, bool insert)
{
	const uint32_t frame = jb->frame;

	if (jb->last_kind != JBUF_SILENT && jb->plc_src != PLC_NONE &&
	    jb->conceal_run < jb->cfg.plc_frames) {
		int64_t g0 = plc_gain(jb, jb->conceal_run);
		int64_t g1 = plc_gain(jb, jb->conceal_run + 1);
		int64_t gq = g0 * 65536; /* Q15 gain in Q16 steps: never negative */
		int64_t step = (g1 - g0) * 65536 / (int64_t)frame;

		plc_capture(jb);
		for (uint32_t i = 0; i < frame; i++) {
			gq += step;
			out[i] = (int16_t)(((int32_t)jb->plc[i] * (int32_t)(gq >> 16)) / 32768);
		}
		jb->conceal_run++;
		*talk = jb->conceal_run == 1 && jb->last_talk && !insert;
		jb->last_kind = JBUF_CONCEALED;
		if (!insert)
			jb->st.concealed++;
		return JBUF_CONCEALED;
	}
	memset(out, 0, frame * sizeof(*out));
	jb->last_kind = JBUF_SILENT;
	jb->last_energy = 0;
	if (!insert)
		jb->st.silent++;
	return JBUF_SILENT;
}

/*
 * Drift insert: hold the head one tick. After a real (quiet) frame, play
 * it again at full gain; during a fade, the fade goes on; else silence.
 */
static int
insert_frame(struct jbuf *jb, int16_t *out, bool *talk)
{
	jb->st.inserted_for_drift++;
	jb->lvl_avg_q8 += (int64_t)jb->frame * 256;
	jb->pending = 0;
	if (jb->last_kind == JBUF_REAL && jb->plc_src != PLC_NONE) {
		plc_capture(jb);
		memcpy(out, jb->plc, jb->frame * sizeof(*out));
		jb->last_kind = JBUF_CONCEALED;
		return JBUF_CONCEALED;
	}
	return conceal(jb, out, talk, true);
}

static inline void
advance(struct jbuf *jb)
{
	jb->head = (jb->head + 1) & (jb->n_slots - 1);
	jb->play_ts += jb->frame;
}

/* Play the frame at the head (or conceal it) and advance. */
static int
play(struct jbuf *jb, int16_t *out, bool *talk)
{
	struct jbuf_slot *s = &jb->slot[jb->head];
	int16_t *mem = jb->pcm + (size_t)jb->head * jb->frame;
	const uint16_t full = (uint16_t)((1u << (jb->frame / jb->blk)) - 1);
	int ret;

	if (s->state == SLOT_FILLING && s->ts == jb->play_ts) {
		if (s->mask != full) {
			for (uint32_t b = 0; b < jb->frame / jb->blk; b++)
				if (!(s->mask & (1u << b)))
					memset(mem + b * jb->blk, 0, jb->blk * sizeof(*mem));
			jb->st.partial++;
		}
		memcpy(out, mem, jb->frame * sizeof(*out));
		*talk = s->energy >= talk_threshold(jb);
		jb->last_talk = *talk;
		jb->last_energy = s->energy;
		jb->last_kind = JBUF_REAL;
		jb->conceal_run = 0;
		jb->last_slot = jb->head;
		jb->plc_src = PLC_SLOT;
		jb->st.played++;
		ret = JBUF_REAL;
	} else {
		ret = conceal(jb, out, talk, false);
		s->ts = jb->play_ts;
		s->mask = 0;
	}
	s->state = SLOT_PLAYED;
	advance(jb);
	return ret;
}

int
jbuf_get(struct jbuf *jb, int16_t *out, bool *talk)
{
	int32_t ahead;
	int adj;

	if (jb == NULL || out == NULL || talk == NULL)
		return -EINVAL;
	*talk = false;
	if (jb->state == JB_IDLE) {
		memset(out, 0, jb->frame * sizeof(*out));
		jb->st.silent++;
		jb->level = 0;
		return JBUF_SILENT;
	}
	/* Frames waiting; a newest sample left behind is pulled along. */
	ahead = (int32_t)(jb->newest_end - jb->play_ts);
	if (ahead < 0) {
		jb->newest_end = jb->play_ts;
		ahead = 0;
	}
	jb->level = ((uint32_t)ahead + jb->frame - 1) / jb->frame;

	adj = decide(jb);
	if (adj == ADJ_INSERT)
		return insert_frame(jb, out, talk);
	if (adj == ADJ_DROP) {
		slot_at(jb, 0)->state = SLOT_PLAYED;
		advance(jb);
		jb->lvl_avg_q8 -= (int64_t)jb->frame * 256;
		jb->pending = 0;
		jb->st.dropped_for_drift++;
	}
	return play(jb, out, talk);
}

void
jbuf_stats(const struct jbuf *jb, struct jbuf_stats *st)
{
	*st = jb->st;
	st->level = jb->level;
	st->level_avg = (int32_t)(jb->lvl_avg_q8 / 256);
	st->target = jb->target;
	st->jitter = jb->jitter_q4 >> 4;
}
