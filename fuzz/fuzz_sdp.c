/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: control's SDP offer/answer (control/sip/sip_sdp.c on
 * libre's sdp module): the peer's description read as an offer (then our
 * answer written) or as the answer to our offer, as sip_room.c and
 * sip_relay.c use it. Input: byte 0 selects offer or answer (bit 0),
 * our rtcp-mux (bit 1), direction (bits 2-3), codec order (bit 4),
 * telephone-event (bit 5) and ptime (bit 6); the rest is the SDP text.
 * Checks: what is read fits the caller's arrays; nothing leaks.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <re.h>

#include "sip_sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t order[2][2] = {{0, 8}, {8, 0}};
	uint8_t pts[SDP_CODECS_MAX], flags;
	struct mbuf *mb, *out = NULL;
	struct call_media media;
	struct sdp_leg l;
	unsigned int n = 0;
	struct sa laddr;
	bool offer;
	int rc;

	if (size < 1)
		return 0;
	flags = data[0];
	offer = flags & 1;
	if (sa_set_str(&laddr, "198.51.100.10", 0) != 0)
		abort();
	if (sdp_leg_alloc(&l, &laddr, 30000) != 0)
		return 0;
	if (sdp_leg_set_local(&l, 30000, order[(flags >> 4) & 1], 2,
			      (flags & 0x20) ? SDP_DTMF_PT_DEFAULT : 0, (flags & 0x40) ? 20 : 0,
			      flags & 2, (flags >> 2) & 3) != 0)
		goto out;
	if (!offer) {
		/* the answer is to an offer of ours */
		if (sdp_leg_encode(&l, true, &out) != 0)
			goto out;
		out = mem_deref(out);
	}
	mb = mbuf_alloc(size);
	if (mb == NULL)
		goto out;
	(void)mbuf_write_mem(mb, data + 1, size - 1);
	mb->pos = 0;
	memset(&media, 0, sizeof(media));
	rc = sdp_leg_decode(&l, mb, offer, &media, pts, &n);
	if (rc == 0) {
		if (n > SDP_CODECS_MAX || (media.pt != 0 && media.pt != 8) ||
		    memchr(media.ip, '\0', sizeof(media.ip)) == NULL)
			abort();
		if (offer) {
			(void)sdp_dir_answer(media.dir);
			if (sdp_leg_encode(&l, false, &out) == 0)
				out = mem_deref(out);
		}
	}
	mem_deref(mb);
out:
	sdp_leg_free(&l);
	return 0;
}
