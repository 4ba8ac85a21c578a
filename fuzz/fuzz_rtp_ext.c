/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: RFC 8285 header extensions (dataplane/rtp/rtp_ext.c):
 * rtp_ext_find and rtp_ext_audio_level (RFC 6464) on any RTP packet, and
 * rtp_ext_write_csrc_levels (RFC 6465) into a buffer of any capacity.
 * Input: byte 0 the extension ID to look up, byte 1 the write capacity,
 * the rest the packet (and the levels to write).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *pkt, *ext_data = NULL;
	uint8_t ext_len = 0, level = 0, id, cap, out[300];
	uint32_t len, n;
	bool voice;
	int rc;

	if (size < 2)
		return 0;
	id = data[0];
	cap = data[1];
	pkt = data + 2;
	len = size - 2 > UINT16_MAX ? UINT16_MAX : (uint32_t)(size - 2);

	rc = rtp_ext_find(pkt, len, id, &ext_data, &ext_len);
	if (rc == 0 && (ext_data < pkt || ext_data + ext_len > pkt + len))
		abort();
	rc = rtp_ext_audio_level(pkt, len, id, &voice, &level);
	if (rc == 0 && level > 127)
		abort();

	/* Write: capacity from byte 1 (out has slack for the check below). */
	memset(out, 0xa5, sizeof(out));
	n = len > 16 ? 16 : len;
	rc = rtp_ext_write_csrc_levels(out, cap, id, pkt, n);
	for (unsigned int i = rc < 0 ? 0 : cap; i < sizeof(out); i++)
		if (out[i] != 0xa5)
			abort(); /* wrote past its capacity, or on error */
	if (rc >= 0 && (uint32_t)rc != RTP_EXT_CSRC_LEVELS_LEN(n))
		abort();
	return 0;
}
