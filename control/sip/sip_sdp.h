/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_sdp: the SDP offer/answer of a conference call (RFC 3264) with
 * libre's sdp module: read the caller's offer (its audio address and the
 * first of PCMU/PCMA it lists) and write our answer (c= the media address,
 * m=audio PORT RTP/AVP PT, only the chosen codec). Both leave the offer
 * buffer's position where it was, so the SIP layer can read it again.
 */
#ifndef SIP_SDP_H
#define SIP_SDP_H

#include <stdint.h>

struct mbuf;
struct sa;

/*
 * Decode an offer. Returns 0 with *pt (0 or 8) and *peer (the audio
 * stream's connection address and RTP port) set; -EPROTO when it offers
 * neither PCMU nor PCMA, or no usable audio stream (port 0, no address);
 * another negative errno when the SDP does not parse.
 */
int sip_sdp_offer(const struct sa *media, struct mbuf *offer, int *pt, struct sa *peer);

/* Encode the answer to offer for our port and pt. 0 or a negative errno. */
int sip_sdp_answer(const struct sa *media, struct mbuf *offer, uint16_t port, int pt,
		   struct mbuf **answer);

#endif /* SIP_SDP_H */
