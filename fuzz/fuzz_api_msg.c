/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the dataplane agent's request checks
 * (dataplane/agent/api_msg.c), the framing every API request passes before
 * a handler reads it. Input: byte 0 bit 0 says whether HELLO is done, the
 * rest is the request datagram. Checks: an accepted request has a header,
 * its payload length is what api_msg_expected_len says.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtpgw_api_hdr h;
	uint8_t *buf;
	long want;

	if (size < 1 || size - 1 > RTPGW_API_MSG_MAX)
		return 0;
	/* Exactly the datagram on the heap, aligned as the agent's buffer. */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (api_msg_check(buf, size - 1, data[0] & 1) == 0) {
		if (size - 1 < sizeof(h))
			abort();
		memcpy(&h, buf, sizeof(h));
		if (h.len != size - 1 - sizeof(h))
			abort();
		want = api_msg_expected_len(h.type, buf + sizeof(h), h.len);
		if (want < 0 || (size_t)want != h.len)
			abort();
	}
	free(buf);
	return 0;
}
