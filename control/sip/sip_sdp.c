/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_sdp: see sip_sdp.h.
 */
#include <errno.h>
#include <stdio.h>

#include <re.h>

#include "sip_sdp.h"

/* A session with one audio stream at port taking the codecs in pts. */
static int
session(const struct sa *media, uint16_t port, const int *pts, unsigned int n,
	struct sdp_session **sessp, struct sdp_media **mp)
{
	unsigned int i;
	int err;

	err = sdp_session_alloc(sessp, media);
	if (!err)
		err = sdp_media_add(mp, *sessp, "audio", port, "RTP/AVP");
	for (i = 0; !err && i < n; i++) {
		char id[4];

		snprintf(id, sizeof(id), "%d", pts[i]);
		err = sdp_format_add(NULL, *mp, false, id, pts[i] == 0 ? "PCMU" : "PCMA", 8000, 1,
				     NULL, NULL, NULL, false, NULL);
	}
	return err;
}

int
sip_sdp_offer(const struct sa *media, struct mbuf *offer, int *pt, struct sa *peer)
{
	static const int ours[] = {0, 8};
	struct sdp_session *sess = NULL;
	const struct sdp_format *fmt;
	struct sdp_media *m = NULL;
	size_t pos = offer->pos;
	int err;

	err = session(media, 9, ours, 2, &sess, &m);
	if (!err)
		err = sdp_decode(sess, offer, true);
	offer->pos = pos;
	if (err)
		goto out;
	/* RFC 3264 6.1: the first codec of the offer we support */
	fmt = sdp_media_rformat(m, NULL);
	if (!fmt || !sa_isset(sdp_media_raddr(m), SA_ALL)) {
		err = EPROTO;
		goto out;
	}
	*pt = fmt->pt;
	*peer = *sdp_media_raddr(m);
out:
	mem_deref(sess);
	return err ? -err : 0;
}

int
sip_sdp_answer(const struct sa *media, struct mbuf *offer, uint16_t port, int pt,
	       struct mbuf **answer)
{
	struct sdp_session *sess = NULL;
	struct sdp_media *m = NULL;
	size_t pos = offer->pos;
	int err;

	err = session(media, port, &pt, 1, &sess, &m);
	if (!err)
		err = sdp_decode(sess, offer, true);
	offer->pos = pos;
	if (!err)
		err = sdp_encode(answer, sess, false);
	mem_deref(sess);
	return err ? -err : 0;
}
