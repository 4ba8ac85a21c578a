/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_sdp: one call leg's SDP offer/answer state (RFC 3264) on libre's sdp
 * module. A leg keeps one libre sdp_session for its whole life, so the o=
 * line keeps its session id and its version grows with every description
 * we send (RFC 3264 8). What the leg accepts is set with sdp_leg_set_local
 * (codecs among PCMU and PCMA in order of preference, RFC 4733
 * telephone-event, ptime, rtcp-mux, direction), the peer's description is
 * read with sdp_leg_decode into a struct call_media, ours written with
 * sdp_leg_encode. Offers and answers are read without moving the message
 * buffer's position, so the SIP layer can read them again.
 */
#ifndef SIP_SDP_H
#define SIP_SDP_H

#include <stdbool.h>
#include <stdint.h>

#include "../calls/calls.h"

struct mbuf;
struct sa;
struct sdp_session;
struct sdp_media;

#define SDP_DTMF_PT_DEFAULT 101 /* our telephone-event PT in offers */
#define SDP_CODECS_MAX	    2	/* PCMU, PCMA */

struct sdp_leg {
	struct sdp_session *sess;
	struct sdp_media *m;
};

/* A leg whose media is at laddr:port (our side). 0 or a positive errno. */
int sdp_leg_alloc(struct sdp_leg *l, const struct sa *laddr, uint16_t port);
void sdp_leg_free(struct sdp_leg *l);

/*
 * What we put in our next description: audio codecs pts[0..n) (0 and/or
 * 8, preferred first), telephone-event at dtmf_pt (0 = none), ptime in ms
 * (0 = none), a=rtcp-mux when rtcp_mux, our direction dir (enum
 * call_dir), our RTP port. 0 or a positive errno.
 */
int sdp_leg_set_local(struct sdp_leg *l, uint16_t port, const uint8_t *pts, unsigned int n,
		      uint8_t dtmf_pt, uint8_t ptime, bool rtcp_mux, uint8_t dir);

/*
 * Read the peer's description (an offer when offer, else an answer to
 * ours). On success media holds its address, ports, the first audio codec
 * it lists that we accept, its telephone-event PT, ptime, rtcp-mux (only
 * when both sides have it) and direction; pts (SDP_CODECS_MAX) receives
 * every codec of ours it lists, in its order, *n_pts their number.
 * Returns 0, -EPROTO when no audio stream is usable (no common codec, port
 * 0, no address), -EBADMSG when it does not parse.
 */
int sdp_leg_decode(struct sdp_leg *l, struct mbuf *mb, bool offer, struct call_media *media,
		   uint8_t *pts, unsigned int *n_pts);

/* Write our description (an offer when offer). 0 or a positive errno. */
int sdp_leg_encode(struct sdp_leg *l, bool offer, struct mbuf **mbp);

/* RFC 3264 6.1: the direction an answerer takes toward an offered one. */
uint8_t sdp_dir_answer(uint8_t offered);

#endif /* SIP_SDP_H */
