/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_sdp: see sip_sdp.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <re.h>

#include "sip_sdp.h"

static enum sdp_dir
dir_to_sdp(uint8_t dir)
{
	switch (dir) {
	case CALL_SENDONLY:
		return SDP_SENDONLY;
	case CALL_RECVONLY:
		return SDP_RECVONLY;
	case CALL_INACTIVE:
		return SDP_INACTIVE;
	default:
		return SDP_SENDRECV;
	}
}

static uint8_t
dir_from_sdp(enum sdp_dir d)
{
	switch (d) {
	case SDP_SENDONLY:
		return CALL_SENDONLY;
	case SDP_RECVONLY:
		return CALL_RECVONLY;
	case SDP_INACTIVE:
		return CALL_INACTIVE;
	default:
		return CALL_SENDRECV;
	}
}

uint8_t
sdp_dir_answer(uint8_t offered)
{
	/* RFC 3264 6.1: sendonly is answered recvonly (or inactive), recvonly
	 * sendonly, inactive inactive, sendrecv with any (we take sendrecv). */
	switch (offered) {
	case CALL_SENDONLY:
		return CALL_RECVONLY;
	case CALL_RECVONLY:
		return CALL_SENDONLY;
	case CALL_INACTIVE:
		return CALL_INACTIVE;
	default:
		return CALL_SENDRECV;
	}
}

int
sdp_leg_alloc(struct sdp_leg *l, const struct sa *laddr, uint16_t port)
{
	int err;

	memset(l, 0, sizeof(*l));
	err = sdp_session_alloc(&l->sess, laddr);
	if (!err)
		err = sdp_media_add(&l->m, l->sess, "audio", port, "RTP/AVP");
	if (err)
		sdp_leg_free(l);
	return err;
}

void
sdp_leg_free(struct sdp_leg *l)
{
	l->sess = mem_deref(l->sess); /* owns its media and their formats */
	l->m = NULL;
}

int
sdp_leg_set_local(struct sdp_leg *l, uint16_t port, const uint8_t *pts, unsigned int n,
		  uint8_t dtmf_pt, uint8_t ptime, bool rtcp_mux, uint8_t dir)
{
	struct list *fmts = (struct list *)sdp_media_format_lst(l->m, true);
	unsigned int i;
	int err = 0;

	/* libre formats unlink themselves when freed */
	while (fmts->head)
		mem_deref(fmts->head->data);
	sdp_media_set_lport(l->m, port);
	for (i = 0; !err && i < n; i++) {
		char id[4];

		if (pts[i] != 0 && pts[i] != 8)
			return EINVAL;
		snprintf(id, sizeof(id), "%u", pts[i]);
		err = sdp_format_add(NULL, l->m, false, id, pts[i] == 0 ? "PCMU" : "PCMA", 8000, 1,
				     NULL, NULL, NULL, false, NULL);
	}
	if (!err && dtmf_pt) {
		char id[4];

		snprintf(id, sizeof(id), "%u", dtmf_pt);
		err = sdp_format_add(NULL, l->m, false, id, "telephone-event", 8000, 1, NULL, NULL,
				     NULL, false, "0-15");
	}
	sdp_media_del_lattr(l->m, "ptime");
	sdp_media_del_lattr(l->m, "rtcp-mux");
	if (!err && ptime)
		err = sdp_media_set_lattr(l->m, true, "ptime", "%u", ptime);
	if (!err && rtcp_mux)
		err = sdp_media_set_lattr(l->m, true, "rtcp-mux", NULL);
	sdp_media_set_ldir(l->m, dir_to_sdp(dir));
	return err;
}

int
sdp_leg_decode(struct sdp_leg *l, struct mbuf *mb, bool offer, struct call_media *media,
	       uint8_t *pts, unsigned int *n_pts)
{
	const struct sdp_format *fmt;
	const struct list *rl;
	const char *attr;
	size_t pos = mb->pos;
	struct sa rtcp;
	struct le *le;
	bool first = true;
	int err;

	err = sdp_decode(l->sess, mb, offer);
	mb->pos = pos;
	if (err)
		return -EBADMSG;
	memset(media, 0, sizeof(*media));
	*n_pts = 0;
	if (!sdp_media_rport(l->m) || !sa_isset(sdp_media_raddr(l->m), SA_ADDR))
		return -EPROTO;
	/* RFC 3264 6.1: the offerer's order of preference; the codecs of
	 * ours it lists (libre marks a remote format matching a local one) */
	rl = sdp_media_format_lst(l->m, false);
	for (le = rl ? rl->head : NULL; le; le = le->next) {
		fmt = le->data;
		if (!fmt->sup)
			continue;
		/* static payload types come without a name (no rtpmap) */
		if (fmt->name && !str_casecmp(fmt->name, "telephone-event")) {
			media->dtmf_pt = (uint8_t)fmt->pt;
			continue;
		}
		if (fmt->pt != 0 && fmt->pt != 8)
			continue;
		if (first) {
			media->pt = (uint8_t)fmt->pt;
			first = false;
		}
		if (*n_pts < SDP_CODECS_MAX)
			pts[(*n_pts)++] = (uint8_t)fmt->pt;
	}
	if (first)
		return -EPROTO;
	sa_ntop(sdp_media_raddr(l->m), media->ip, sizeof(media->ip));
	media->port = sdp_media_rport(l->m);
	sdp_media_raddr_rtcp(l->m, &rtcp);
	media->rtcp_port = sa_isset(&rtcp, SA_PORT) ? sa_port(&rtcp) : (uint16_t)(media->port + 1);
	media->rtcp_mux = sdp_media_rattr(l->m, "rtcp-mux") != NULL;
	attr = sdp_media_rattr(l->m, "ptime");
	if (attr) {
		long v = strtol(attr, NULL, 10);

		if (v > 0 && v <= 200)
			media->ptime = (uint8_t)v;
	}
	/* libre keeps the remote direction from our side (its sendonly is our
	 * recvonly): turn it back into what the peer declared */
	media->dir = sdp_dir_answer(dir_from_sdp(sdp_media_rdir(l->m)));
	return 0;
}

int
sdp_leg_encode(struct sdp_leg *l, bool offer, struct mbuf **mbp)
{
	return sdp_encode(mbp, l->sess, offer);
}
