/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 4733 telephone events: the 2.3 payload (event, E bit, volume,
 * duration) and a per-stream receiver state that turns the stream of
 * event packets (a start with the marker bit, updates with a growing
 * duration, three copies of the end packet: 2.5.1.2, 2.5.1.4) into one report per
 * DTMF key press. Plain functions, no DPDK types, no allocation: the
 * worker owning the participant calls dtmf_input for every packet of the
 * negotiated telephone-event payload type; these packets are never mixed.
 */
#ifndef RTPGW_DTMF_H
#define RTPGW_DTMF_H

#include <stdbool.h>
#include <stdint.h>

#define DTMF_REPORT_LEN	  4	 /* one 2.3 event report */
#define DTMF_EVENT_MAX	  15	 /* 3.2: events 0..15 are the DTMF keys */
#define DTMF_DURATION_MAX 0xffff /* 2.5.1.3: longer events are segmented */

/* One RFC 4733 2.3 event report, host order. */
struct dtmf_payload {
	uint8_t event;	   /* 2.3.1: 0..9, 10 '*', 11 '#', 12..15 'A'..'D', others */
	bool end;	   /* 2.3.2 E: the event has ended */
	uint8_t volume;	   /* 2.3.4: power level in -dBm0, 0..63 */
	uint16_t duration; /* 2.3.5: since the RTP timestamp, timestamp units */
};

/* A key press, reported once. */
struct dtmf_event {
	uint32_t ts;	   /* RTP timestamp of its start (its first segment) */
	uint32_t duration; /* timestamp units, over all its segments */
	uint8_t event;	   /* 0..15 */
	char digit;	   /* '0'..'9', '*', '#', 'A'..'D' */
	uint8_t volume;	   /* -dBm0 of its last report */
	bool ended;	   /* false: its end packets were lost (see dtmf_input) */
};

/*
 * Receiver state of one stream. All zero (or dtmf_init) before its first
 * packet and after an SSRC change. Written by the owning worker only.
 */
struct dtmf_state {
	uint32_t start_ts;     /* RTP timestamp of the current event */
	uint32_t seg_ts;       /* ... of its current segment (2.5.1.3) */
	uint16_t seg_duration; /* longest duration seen in that segment */
	uint8_t event;	       /* its event code */
	uint8_t volume;	       /* -dBm0 of its last report */
	uint8_t flags;	       /* DTMF_F_* (dtmf.c) */
};

/*
 * Parse the first event report of an RFC 4733 payload (padding already
 * removed, rtp_info.payload_len). len must be a non-zero multiple of 4
 * (2.5.1.5 packs whole reports). Returns 0 or -EBADMSG.
 */
int dtmf_parse(const uint8_t *payload, uint32_t len, struct dtmf_payload *p);

/* 3.2: the key of events 0..15, '\0' for other events. */
static inline char
dtmf_digit(uint8_t event)
{
	static const char keys[DTMF_EVENT_MAX + 1] = "0123456789*#ABCD";

	return event <= DTMF_EVENT_MAX ? keys[event] : '\0';
}

void dtmf_init(struct dtmf_state *st);

/*
 * Feed one telephone-event packet: its RTP timestamp and marker bit, its
 * payload. Returns 1 and fills *ev exactly once per key press (DTMF events
 * 0..15; other events are tracked but never reported), 0 when there is
 * nothing to report, -EBADMSG for a malformed payload (state unchanged).
 *
 * A press is reported at the first packet with the E bit (2.5.1.4: the
 * next two copies report nothing), with its final duration and ended set.
 * When all its end packets were lost, it is reported, ended clear, by the
 * packet that starts the next event, or by dtmf_flush. The packets of an
 * event share its RTP timestamp (2.5.1.2); a new timestamp starts a new
 * event, except a continuation segment of a long event (2.5.1.3: same
 * event, not ended, marker clear, at most 0xFFFF units after the previous
 * segment). Packets up to 2^17 units behind the current segment are late
 * and ignored; further behind, the sender's timestamps restarted and a
 * new event starts. A new press of the same key after the previous one
 * ended is a new event. Only the first report of a packet is read: the
 * RTP timestamp is that of its first event (2.5.1.5).
 */
int dtmf_input(struct dtmf_state *st, uint32_t rtp_ts, bool marker, const uint8_t *payload,
	       uint32_t len, struct dtmf_event *ev);

/*
 * Report the current press if it has not been reported yet (its end
 * packets were lost and no event followed; the soft state of 2.5.2.5):
 * call when the stream has sent no event packet for a while (e.g. audio resumed, or a few packet
 * intervals passed) or before the participant leaves. Returns 1 and
 * fills *ev, or 0.
 */
int dtmf_flush(struct dtmf_state *st, struct dtmf_event *ev);

#endif /* RTPGW_DTMF_H */
