/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 4733 telephone-event receiver: the 2.3 payload parser and a small
 * per-stream state machine that reports each DTMF key press once, at its
 * first end packet, however many updates and end retransmissions the
 * sender sends, across long-event segments, late and lost packets. The
 * state is the current event only: its timestamps, longest duration seen
 * and whether it ended and was reported. Called by the worker owning the
 * participant; no allocation, no locks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "dtmf.h"

#define DTMF_F_ACTIVE	0x01 /* an event has been seen */
#define DTMF_F_ENDED	0x02 /* its E bit has been seen */
#define DTMF_F_REPORTED 0x04 /* it was reported (or is not a DTMF key) */

/*
 * A packet this far behind the current segment (timestamp units) is a
 * late one of an earlier event or segment; further behind, the sender's
 * timestamps restarted. 2^17 is 16 s at 8 kHz and 2.7 s at 48 kHz, longer
 * than any network reorders and shorter than a wrong guess stays stuck.
 */
#define DTMF_LATE_WINDOW (1u << 17)

enum dtmf_class {
	DTMF_LATE,    /* of an earlier event or segment: ignored */
	DTMF_SAME,    /* of the current segment */
	DTMF_SEGMENT, /* starts the next segment of the current event */
	DTMF_NEW,     /* starts a new event */
};

int
dtmf_parse(const uint8_t *payload, uint32_t len, struct dtmf_payload *p)
{
	if (len == 0 || len % DTMF_REPORT_LEN != 0)
		return -EBADMSG;
	/* 2.3: event (8), E (1), R (1, ignored by receivers), volume (6), duration (16) */
	p->event = payload[0];
	p->end = (payload[1] & 0x80) != 0;
	p->volume = payload[1] & 0x3f;
	p->duration = (uint16_t)(payload[2] << 8 | payload[3]);
	return 0;
}

void
dtmf_init(struct dtmf_state *st)
{
	*st = (struct dtmf_state){0};
}

/*
 * 2.5.1.2: every packet of an event carries the event's start as its
 * timestamp, the first one the marker bit. 2.5.1.3: an event longer than
 * 0xFFFF units goes on in segments, each with the timestamp where the
 * previous one stopped and no marker, the E bit only on the last.
 */
static enum dtmf_class
dtmf_classify(const struct dtmf_state *st, uint32_t rtp_ts, bool marker,
	      const struct dtmf_payload *p)
{
	uint32_t ahead = rtp_ts - st->seg_ts;
	uint32_t behind = st->seg_ts - rtp_ts;

	if (!(st->flags & DTMF_F_ACTIVE))
		return DTMF_NEW;
	if (behind != 0 && behind < DTMF_LATE_WINDOW)
		return DTMF_LATE;
	if (p->event != st->event)
		return DTMF_NEW;
	if (ahead == 0)
		return DTMF_SAME;
	if (ahead <= DTMF_DURATION_MAX && !marker && !(st->flags & DTMF_F_ENDED))
		return DTMF_SEGMENT;
	return DTMF_NEW; /* including the same key pressed again */
}

/*
 * A report for the current segment. Once ended the final duration is
 * known: the retransmitted end packets (2.5.1.4) and late updates change
 * nothing.
 */
static void
dtmf_update(struct dtmf_state *st, const struct dtmf_payload *p)
{
	if (st->flags & DTMF_F_ENDED)
		return;
	if (p->duration > st->seg_duration)
		st->seg_duration = p->duration;
	st->volume = p->volume;
	if (p->end)
		st->flags |= DTMF_F_ENDED;
}

static void
dtmf_start(struct dtmf_state *st, uint32_t rtp_ts, const struct dtmf_payload *p)
{
	st->start_ts = rtp_ts;
	st->seg_ts = rtp_ts;
	st->seg_duration = p->duration;
	st->event = p->event;
	st->volume = p->volume;
	st->flags = DTMF_F_ACTIVE;
	if (p->end)
		st->flags |= DTMF_F_ENDED;
	if (p->event > DTMF_EVENT_MAX)
		st->flags |= DTMF_F_REPORTED; /* not a key press */
}

static inline bool
dtmf_pending(const struct dtmf_state *st)
{
	return (st->flags & (DTMF_F_ACTIVE | DTMF_F_REPORTED)) == DTMF_F_ACTIVE;
}

static void
dtmf_report(struct dtmf_state *st, struct dtmf_event *ev)
{
	ev->ts = st->start_ts;
	ev->duration = st->seg_ts - st->start_ts + st->seg_duration;
	ev->event = st->event;
	ev->digit = dtmf_digit(st->event);
	ev->volume = st->volume;
	ev->ended = (st->flags & DTMF_F_ENDED) != 0;
	st->flags |= DTMF_F_REPORTED;
}

int
dtmf_input(struct dtmf_state *st, uint32_t rtp_ts, bool marker, const uint8_t *payload,
	   uint32_t len, struct dtmf_event *ev)
{
	struct dtmf_payload p;

	if (dtmf_parse(payload, len, &p) < 0)
		return -EBADMSG;

	switch (dtmf_classify(st, rtp_ts, marker, &p)) {
	case DTMF_LATE:
		return 0;
	case DTMF_SAME:
		dtmf_update(st, &p);
		break;
	case DTMF_SEGMENT:
		st->seg_ts = rtp_ts;
		st->seg_duration = 0;
		dtmf_update(st, &p);
		break;
	case DTMF_NEW:
		/*
		 * The current press is over. If none of its end packets came,
		 * it is reported now; a new one that is already ended then
		 * waits for its next end copy (or dtmf_flush).
		 */
		if (dtmf_pending(st)) {
			dtmf_report(st, ev);
			dtmf_start(st, rtp_ts, &p);
			return 1;
		}
		dtmf_start(st, rtp_ts, &p);
		break;
	}
	if ((st->flags & DTMF_F_ENDED) && dtmf_pending(st)) {
		dtmf_report(st, ev);
		return 1;
	}
	return 0;
}

int
dtmf_flush(struct dtmf_state *st, struct dtmf_event *ev)
{
	if (!dtmf_pending(st))
		return 0;
	dtmf_report(st, ev);
	return 1;
}
