/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/rtp/dtmf.c: the RFC 4733 2.3 payload fields and
 * the key-press state machine on sender sequences as 2.5.1 prescribes
 * them (marker on the start, growing durations, three copies of the end
 * packet, long events in segments) and as networks deliver them (start or
 * end packets lost, late packets, the same key twice, timestamp
 * restarts), plus malformed lengths. Payloads under test are heap blocks
 * of exactly their length, so valgrind flags any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtp/dtmf.h"

#define VOL 10 /* -10 dBm0 */

/* Feed one single-report packet; returns what dtmf_input returned. */
static int
feed(struct dtmf_state *st, uint32_t ts, bool marker, uint8_t event, bool end, uint16_t duration,
     struct dtmf_event *ev)
{
	uint8_t *p = malloc(DTMF_REPORT_LEN);
	int ret;

	assert_non_null(p);
	p[0] = event;
	p[1] = (uint8_t)((end ? 0x80 : 0) | VOL);
	p[2] = (uint8_t)(duration >> 8);
	p[3] = (uint8_t)duration;
	ret = dtmf_input(st, ts, marker, p, DTMF_REPORT_LEN, ev);
	free(p);
	return ret;
}

/*
 * A whole key press as a sender emits it: marker on the first packet,
 * updates every step units, then the end packet three times (2.5.1.4).
 * Returns how many reports it produced; the last one is in *ev.
 */
static int
press(struct dtmf_state *st, uint32_t ts, uint8_t event, uint16_t step, unsigned int updates,
      uint16_t final, struct dtmf_event *ev)
{
	unsigned int i;
	int n = 0, ret;

	for (i = 0; i < updates; i++) {
		ret = feed(st, ts, i == 0, event, false, (uint16_t)(step * (i + 1)), ev);
		assert_true(ret == 0 || ret == 1);
		n += ret;
	}
	for (i = 0; i < 3; i++) {
		ret = feed(st, ts, updates == 0 && i == 0, event, true, final, ev);
		assert_true(ret == 0 || ret == 1);
		n += ret;
	}
	return n;
}

static void
parse_reads_every_field(void **state)
{
	static const uint8_t pkt[] = {0x05, 0x8a, 0x03, 0x20};
	static const uint8_t r_bit[] = {0x0b, 0x7f, 0xff, 0xff};
	struct dtmf_payload p;

	(void)state;
	assert_int_equal(dtmf_parse(pkt, sizeof(pkt), &p), 0);
	assert_int_equal(p.event, 5);
	assert_true(p.end);
	assert_int_equal(p.volume, 10);
	assert_int_equal(p.duration, 800);
	/* 2.3.3: R is reserved and ignored; volume is the low 6 bits */
	assert_int_equal(dtmf_parse(r_bit, sizeof(r_bit), &p), 0);
	assert_int_equal(p.event, 11);
	assert_false(p.end);
	assert_int_equal(p.volume, 63);
	assert_int_equal(p.duration, 0xffff);
}

static void
digits_map_events_0_to_15(void **state)
{
	static const char want[] = "0123456789*#ABCD";
	unsigned int e;

	(void)state;
	for (e = 0; e <= 15; e++)
		assert_int_equal(dtmf_digit((uint8_t)e), want[e]);
	for (e = 16; e <= 255; e++)
		assert_int_equal(dtmf_digit((uint8_t)e), '\0');
}

/* Lengths that are not whole 4-octet reports; the state is left alone. */
static void
malformed_lengths_are_rejected(void **state)
{
	struct dtmf_state st, before;
	struct dtmf_event ev;
	struct dtmf_payload pl;
	uint32_t len;
	uint8_t *p;

	(void)state;
	dtmf_init(&st);
	assert_int_equal(feed(&st, 1000, true, 1, false, 400, &ev), 0);
	for (len = 0; len <= 12; len++) {
		p = malloc(len ? len : 1);
		assert_non_null(p);
		memset(p, 0x81, len); /* event 129, E set */
		before = st;
		if (len == 0 || len % 4) {
			assert_int_equal(dtmf_parse(p, len, &pl), -EBADMSG);
			assert_int_equal(dtmf_input(&st, 1000, false, p, len, &ev), -EBADMSG);
			assert_int_equal(st.start_ts, before.start_ts);
			assert_int_equal(st.seg_ts, before.seg_ts);
			assert_int_equal(st.seg_duration, before.seg_duration);
			assert_int_equal(st.event, before.event);
			assert_int_equal(st.volume, before.volume);
			assert_int_equal(st.flags, before.flags);
		} else {
			assert_int_equal(dtmf_parse(p, len, &pl), 0);
			assert_int_equal(pl.event, 0x81);
		}
		free(p);
	}
}

/*
 * 2.5.1.2 and 2.5.1.4 at 8 kHz with 50 ms updates: digit 5 starts at
 * timestamp 16000 with the marker, four updates 400..1600, then the end
 * packet with duration 1760 three times. One report, at the first end
 * packet.
 */
static void
rfc4733_sequence_reports_one_key(void **state)
{
	struct dtmf_state st;
	struct dtmf_event ev;
	uint16_t d;

	(void)state;
	dtmf_init(&st);
	for (d = 400; d <= 1600; d += 400)
		assert_int_equal(feed(&st, 16000, d == 400, 5, false, d, &ev), 0);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(feed(&st, 16000, false, 5, true, 1760, &ev), 1);
	assert_int_equal(ev.digit, '5');
	assert_int_equal(ev.event, 5);
	assert_int_equal(ev.ts, 16000);
	assert_int_equal(ev.duration, 1760);
	assert_int_equal(ev.volume, VOL);
	assert_true(ev.ended);
	assert_int_equal(feed(&st, 16000, false, 5, true, 1760, &ev), 0);
	assert_int_equal(feed(&st, 16000, false, 5, true, 1760, &ev), 0);
	assert_int_equal(dtmf_flush(&st, &ev), 0);
}

/* The same key twice: two presses, two reports, even without the marker. */
static void
same_key_twice_reports_twice(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(press(&st, 1000, 1, 160, 5, 960, &ev), 1);
	assert_int_equal(ev.digit, '1');
	assert_int_equal(ev.ts, 1000);
	assert_int_equal(press(&st, 3000, 1, 160, 5, 960, &ev), 1);
	assert_int_equal(ev.digit, '1');
	assert_int_equal(ev.ts, 3000);
	/* third press whose marker packet was lost */
	assert_int_equal(feed(&st, 5000, false, 1, false, 320, &ev), 0);
	assert_int_equal(feed(&st, 5000, false, 1, true, 640, &ev), 1);
	assert_int_equal(ev.ts, 5000);
	assert_int_equal(ev.duration, 640);
	/* a PIN: 1 9 9 7 */
	assert_int_equal(press(&st, 8000, 1, 160, 3, 640, &ev), 1);
	assert_int_equal(press(&st, 9000, 9, 160, 3, 640, &ev), 1);
	assert_int_equal(ev.digit, '9');
	assert_int_equal(press(&st, 10000, 9, 160, 3, 640, &ev), 1);
	assert_int_equal(ev.digit, '9');
	assert_int_equal(press(&st, 11000, 7, 160, 3, 640, &ev), 1);
	assert_int_equal(ev.digit, '7');
}

/* All end packets lost: reported when the next event starts. */
static void
lost_end_is_reported_at_next_event(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(feed(&st, 1000, true, 2, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 2, false, 800, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 2, false, 1200, &ev), 0);
	assert_int_equal(feed(&st, 3000, true, 3, false, 400, &ev), 1);
	assert_int_equal(ev.digit, '2');
	assert_int_equal(ev.ts, 1000);
	assert_int_equal(ev.duration, 1200);
	assert_false(ev.ended);
	assert_int_equal(feed(&st, 3000, false, 3, true, 800, &ev), 1);
	assert_int_equal(ev.digit, '3');
	assert_true(ev.ended);
	assert_int_equal(feed(&st, 3000, false, 3, true, 800, &ev), 0);
}

/*
 * A pending press, then a one-packet event already ended: the first copy
 * reports the pending press, the second the new one, the third nothing.
 */
static void
two_reports_due_at_once_come_one_per_packet(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(feed(&st, 1000, true, 4, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 2000, true, 12, true, 400, &ev), 1);
	assert_int_equal(ev.digit, '4');
	assert_false(ev.ended);
	assert_int_equal(feed(&st, 2000, true, 12, true, 400, &ev), 1);
	assert_int_equal(ev.digit, 'A');
	assert_true(ev.ended);
	assert_int_equal(ev.duration, 400);
	assert_int_equal(feed(&st, 2000, true, 12, true, 400, &ev), 0);
}

/* 2.5.2.5 soft state: the caller flushes a press whose end never came. */
static void
flush_reports_a_pending_press_once(void **state)
{
	struct dtmf_state st;
	struct dtmf_event ev;

	(void)state;
	dtmf_init(&st);
	assert_int_equal(dtmf_flush(&st, &ev), 0);
	assert_int_equal(feed(&st, 1000, true, 7, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 7, false, 800, &ev), 0);
	assert_int_equal(dtmf_flush(&st, &ev), 1);
	assert_int_equal(ev.digit, '7');
	assert_int_equal(ev.duration, 800);
	assert_false(ev.ended);
	assert_int_equal(dtmf_flush(&st, &ev), 0);
	/* its end arriving after all: not reported again */
	assert_int_equal(feed(&st, 1000, false, 7, false, 1200, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 7, true, 1600, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 7, true, 1600, &ev), 0);
	assert_int_equal(dtmf_flush(&st, &ev), 0);
	/* the next press is unaffected */
	assert_int_equal(press(&st, 4000, 8, 400, 2, 1000, &ev), 1);
	assert_int_equal(ev.digit, '8');
}

/* Start lost, or everything but the end lost: still one report. */
static void
partial_sequences_report_once(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(feed(&st, 1000, false, 6, false, 800, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 6, false, 1200, &ev), 0);
	assert_int_equal(press(&st, 1000, 6, 0, 0, 1600, &ev), 1);
	assert_int_equal(ev.duration, 1600);
	assert_int_equal(press(&st, 5000, 10, 0, 0, 1600, &ev), 1);
	assert_int_equal(ev.digit, '*');
	assert_int_equal(ev.ts, 5000);
	assert_int_equal(press(&st, 9000, 11, 0, 0, 1600, &ev), 1);
	assert_int_equal(ev.digit, '#');
}

/* Updates out of order inside an event: the longest duration is kept. */
static void
reordered_updates_keep_longest_duration(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(feed(&st, 1000, true, 0, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 0, false, 1200, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 0, false, 800, &ev), 0);
	assert_int_equal(dtmf_flush(&st, &ev), 1);
	assert_int_equal(ev.duration, 1200);
}

/* Late packets of an earlier press, within the window, are ignored. */
static void
late_packets_of_earlier_press_are_ignored(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(press(&st, 1000, 6, 400, 2, 1000, &ev), 1);
	assert_int_equal(feed(&st, 3000, true, 8, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 1000, true, 6, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 1000, false, 6, true, 1000, &ev), 0);
	assert_int_equal(feed(&st, 3000, false, 8, true, 800, &ev), 1);
	assert_int_equal(ev.digit, '8');
	/* also when the earlier press was never reported */
	assert_int_equal(feed(&st, 6000, true, 2, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 8000, true, 3, false, 400, &ev), 1);
	assert_int_equal(ev.digit, '2');
	assert_int_equal(feed(&st, 6000, false, 2, true, 800, &ev), 0);
	assert_int_equal(dtmf_flush(&st, &ev), 1);
	assert_int_equal(ev.digit, '3');
}

/*
 * 2.5.1.3: a press longer than 0xFFFF units (8.2 s at 8 kHz) goes on in
 * segments, each at the timestamp where the previous one stopped, without
 * marker or E bit until the last; the final packet of each segment is
 * sent three times too. One press, its whole duration. The timestamps
 * wrap 2^32 on the way.
 */
static void
long_press_in_segments_reports_once(void **state)
{
	const uint32_t start = 0xffff8000;
	struct dtmf_state st = {0};
	struct dtmf_event ev;
	uint32_t d;
	int i;

	(void)state;
	for (d = 400; d <= 65200; d += 400)
		assert_int_equal(feed(&st, start, d == 400, 0, false, (uint16_t)d, &ev), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(feed(&st, start, false, 0, false, 0xffff, &ev), 0);
	for (d = 400; d <= 65200; d += 400)
		assert_int_equal(feed(&st, start + 0xffff, false, 0, false, (uint16_t)d, &ev), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(feed(&st, start + 0xffff, false, 0, false, 0xffff, &ev), 0);
	/* a late update of the first segment */
	assert_int_equal(feed(&st, start, false, 0, false, 0xff00, &ev), 0);
	assert_int_equal(feed(&st, start + 2 * 0xffff, false, 0, false, 400, &ev), 0);
	assert_int_equal(feed(&st, start + 2 * 0xffff, false, 0, true, 1000, &ev), 1);
	assert_int_equal(ev.digit, '0');
	assert_int_equal(ev.ts, start);
	assert_int_equal(ev.duration, 2 * 0xffff + 1000);
	assert_true(ev.ended);
	assert_int_equal(feed(&st, start + 2 * 0xffff, false, 0, true, 1000, &ev), 0);
	assert_int_equal(feed(&st, start + 2 * 0xffff, false, 0, true, 1000, &ev), 0);
	/* the same key again right after: a new press */
	assert_int_equal(press(&st, start + 2 * 0xffff + 2000, 0, 400, 2, 1000, &ev), 1);
	assert_int_equal(ev.duration, 1000);
}

/* Events above 15 (flash, tones) are tracked but never reported. */
static void
non_dtmf_events_are_not_reported(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(press(&st, 1000, 16, 400, 3, 1600, &ev), 0); /* flash */
	assert_int_equal(press(&st, 3000, 32, 400, 3, 1600, &ev), 0); /* ANS */
	assert_int_equal(dtmf_flush(&st, &ev), 0);
	/* a pending key is still reported when a non-DTMF event follows */
	assert_int_equal(feed(&st, 6000, true, 9, false, 400, &ev), 0);
	assert_int_equal(feed(&st, 8000, true, 16, false, 400, &ev), 1);
	assert_int_equal(ev.digit, '9');
	assert_int_equal(press(&st, 9000, 13, 400, 1, 800, &ev), 1);
	assert_int_equal(ev.digit, 'B');
}

/*
 * Timestamps far behind the current event (more than the late window):
 * the sender restarted its clock, the packet starts a new event.
 */
static void
timestamp_restart_starts_new_event(void **state)
{
	struct dtmf_state st = {0};
	struct dtmf_event ev;

	(void)state;
	assert_int_equal(press(&st, 3000000, 1, 400, 2, 1000, &ev), 1);
	assert_int_equal(press(&st, 1000, 2, 400, 2, 1000, &ev), 1);
	assert_int_equal(ev.digit, '2');
	assert_int_equal(ev.ts, 1000);
}

/* Two reports in one packet (2.5.1.5): the first, whose timestamp it is. */
static void
packed_reports_read_the_first(void **state)
{
	static const uint8_t two[] = {0x03, 0x8a, 0x03, 0x20, 0x04, 0x0a, 0x00, 0xa0};
	struct dtmf_state st = {0};
	struct dtmf_event ev;
	uint8_t *p;

	(void)state;
	p = malloc(sizeof(two));
	assert_non_null(p);
	memcpy(p, two, sizeof(two));
	assert_int_equal(dtmf_input(&st, 1000, true, p, sizeof(two), &ev), 1);
	assert_int_equal(ev.digit, '3');
	assert_int_equal(ev.duration, 800);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_reads_every_field),
		cmocka_unit_test(digits_map_events_0_to_15),
		cmocka_unit_test(malformed_lengths_are_rejected),
		cmocka_unit_test(rfc4733_sequence_reports_one_key),
		cmocka_unit_test(same_key_twice_reports_twice),
		cmocka_unit_test(lost_end_is_reported_at_next_event),
		cmocka_unit_test(two_reports_due_at_once_come_one_per_packet),
		cmocka_unit_test(flush_reports_a_pending_press_once),
		cmocka_unit_test(partial_sequences_report_once),
		cmocka_unit_test(reordered_updates_keep_longest_duration),
		cmocka_unit_test(late_packets_of_earlier_press_are_ignored),
		cmocka_unit_test(long_press_in_segments_reports_once),
		cmocka_unit_test(non_dtmf_events_are_not_reported),
		cmocka_unit_test(timestamp_restart_starts_new_event),
		cmocka_unit_test(packed_reports_read_the_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
