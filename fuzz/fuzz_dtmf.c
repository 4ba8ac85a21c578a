/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: RFC 4733 telephone-events (dataplane/rtp/dtmf.c):
 * dtmf_parse on the whole input, then the event state machine fed a
 * sequence of packets cut from it. Each record: 4 bytes RTP timestamp
 * delta (big endian, added to the previous timestamp), 1 byte marker bit
 * (bit 0) and payload length (bits 1..7, 0..127), then the payload.
 * Checks: a reported event is a DTMF key with its digit.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dtmf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const struct dtmf_event *ev)
{
	if (ev->event > DTMF_EVENT_MAX || ev->digit != dtmf_digit(ev->event) || ev->digit == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dtmf_payload p;
	struct dtmf_state st;
	struct dtmf_event ev;
	uint32_t ts = 0;
	size_t off = 0;

	if (dtmf_parse(data, size > UINT16_MAX ? UINT16_MAX : (uint32_t)size, &p) == 0 &&
	    p.volume > 63)
		abort();

	dtmf_init(&st);
	while (size - off >= 5) {
		uint32_t delta = (uint32_t)data[off] << 24 | (uint32_t)data[off + 1] << 16 |
				 (uint32_t)data[off + 2] << 8 | data[off + 3];
		bool marker = data[off + 4] & 1;
		size_t len = data[off + 4] >> 1;

		off += 5;
		if (len > size - off)
			len = size - off;
		ts += delta;
		if (dtmf_input(&st, ts, marker, data + off, (uint32_t)len, &ev) == 1)
			check(&ev);
		off += len;
	}
	if (dtmf_flush(&st, &ev) == 1)
		check(&ev);
	return 0;
}
