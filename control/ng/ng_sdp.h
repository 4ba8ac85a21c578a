/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng_sdp: the SDP of an ng offer or answer, read and rewritten as text
 * (RFC 4566), so everything the relay does not touch passes unchanged:
 * codecs, their order and parameters, other attributes. Plain libc.
 *
 * The first audio stream with a port is the one relayed (two RELAY flows,
 * calls/call_dp.c). Rewriting puts our media address in every c= line
 * (session and media level) and, with replace origin, in the o= line; our
 * port in that stream's m= line; removes ICE (candidates, ufrag, pwd,
 * options, lite, end-of-candidates: the endpoint's own addresses would
 * bypass the relay), a=rtcp (our RTCP is on port + 1) and a=rtcp-mux
 * unless asked to keep it. Any other stream is refused (port 0): one
 * audio stream is relayed per call. Lines end with CRLF on output.
 */
#ifndef NG_SDP_H
#define NG_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../calls/calls.h"

#define NG_SDP_MAX 8192 /* longest SDP accepted (and written) */

/*
 * Read the relayed stream of an SDP: address, port, rtcp-mux, first codec
 * (m->pt: 0 or 8 when that is the first, else 0), telephone-event PT,
 * ptime, direction. *proto gets the transport (RTP/AVP, RTP/AVPF).
 * 0, -EBADMSG (no v=/m= structure, bad m= or c= line), -EPROTO (no audio
 * stream with a port and an address), -EPROTONOSUPPORT (not plain RTP:
 * SRTP, DTLS, ... which the relay cannot rewrite).
 */
int ng_sdp_parse(const char *sdp, size_t len, struct call_media *m, char proto[16]);

struct ng_sdp_out {
	const char *ip;	     /* our media address */
	uint16_t port;	     /* our port for the relayed stream */
	bool replace_origin; /* o= gets our address too */
	bool keep_rtcp_mux;  /* else a=rtcp-mux is removed */
	const char *proto;   /* the m= transport to write, NULL: as it was */
};

/*
 * Write sdp rewritten as described above into out (cap bytes, not
 * terminated). Returns the length, -ENOSPC, or the errors of ng_sdp_parse.
 */
int ng_sdp_rewrite(const char *sdp, size_t len, const struct ng_sdp_out *o, char *out, size_t cap);

#endif /* NG_SDP_H */
