/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the RTP header parser (dataplane/rtp/rtp.c, RFC 3550
 * 5.1) on any bytes, checking the contract its callers rely on: on success
 * the header, payload and padding lie inside the packet.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtp_info info;
	uint32_t len = size > UINT16_MAX ? UINT16_MAX : (uint32_t)size;

	(void)rtp_is_rtcp_mux(data, len);
	if (rtp_parse(data, len, &info) == 0) {
		if (info.hdr_len < RTP_HDR_LEN || info.cc > RTP_CSRC_MAX ||
		    (uint32_t)info.hdr_len + info.payload_len + info.padding > len)
			abort();
	}
	return 0;
}
