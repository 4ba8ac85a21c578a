/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: control's RTCP report reader
 * (control/stats/rtcp_report.c), which reads the SR/RR of compound packets
 * the dataplane forwards in RTCP events (call quality). Checks: the block
 * count stays within its array.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtcp_report r;
	uint8_t *buf;

	/* Exactly size bytes on the heap: ASan sees any read past them. */
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(&r, 0x5a, sizeof(r));
	if (rtcp_report_parse(buf, size, &r) == 0 && r.n_blocks > RTCP_REPORT_BLOCKS_MAX)
		abort();
	free(buf);
	return 0;
}
