/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_relay: relayed calls, a signalling B2BUA anchoring the media on the
 * dataplane. An INVITE whose user part matches a route is answered 100
 * Trying and 181 Call Is Being Forwarded, and sent on to the route's next hop as a new dialog (leg 1) with
 * the caller's identity in From and our SDP offer: the caller's codecs in
 * its order, its telephone-event, ptime, rtcp-mux and direction, but our
 * address and leg 1's port (RFC 3264 offer rewritten). The callee's 180 is
 * passed back; its 183 or 200 with SDP installs the two RELAY flows
 * (calls/call_dp.h) and is passed back with the answer rewritten to our
 * address and leg 0's port and only the codec the callee chose. Failure
 * responses go back to the caller with their code; CANCEL, BYE or an error
 * on either leg ends both (sip_call_end). A callee that does not answer
 * within invite_timeout gets CANCEL and the caller 408.
 *
 * A re-INVITE from either side (hold, resume, codec or address change) is
 * answered at once by us with the matching description (RFC 3264 8) and
 * sent on to the other side as our own re-INVITE; the flows follow both
 * answers. A re-INVITE repeating the session as it is (a session refresh)
 * is not sent on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_internal.h"

static const uint8_t all_pts[] = {0, 8};

void
sip_relay_teardown(struct sip_server *srv, struct call *c)
{
	if (!c->installed)
		return;
	c->installed = false;
	if (call_dp_relay_remove(srv->dp, c, &srv->media) < 0)
		srv->st.dp_errors++;
}

static int
flows_update(struct sip_call *sc)
{
	struct sip_server *srv = sc->srv;
	struct call *c = sc->c;
	int rc;

	if (!c->leg[0].has_media || !c->leg[1].has_media)
		return 0;
	rc = call_dp_relay_install(srv->dp, c, &srv->media, c->installed);
	if (rc < 0) {
		srv->st.dp_errors++;
		return rc;
	}
	if (!c->installed)
		c->media_seen_ms = sip_now_ms();
	c->installed = true;
	return 0;
}

/*
 * Our description toward leg i answering the offer in mb, mirroring what
 * leg 1 - i negotiated: its codec, telephone-event when both have it,
 * rtcp-mux when both have it, and direction dir.
 */
static int
answer_leg(struct sip_call *sc, unsigned int i, struct mbuf *offer, uint8_t dir,
	   struct mbuf **descp)
{
	struct call_leg *l = &sc->c->leg[i], *o = &sc->c->leg[1 - i];
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media again;
	unsigned int n;
	int err;

	err = sdp_leg_set_local(&sc->sdp[i], l->local_port, &o->m.pt, 1,
				o->m.dtmf_pt ? l->m.dtmf_pt : 0, l->m.ptime,
				l->m.rtcp_mux && o->m.rtcp_mux, dir);
	if (err)
		return err;
	if (sdp_leg_decode(&sc->sdp[i], offer, true, &again, pts, &n) < 0)
		return EPROTO;
	return sdp_leg_encode(&sc->sdp[i], false, descp);
}

/* The callee's answer (in a 183 or 200) to our offer: flows and the
 * caller's answer. */
static int
callee_answered(struct sip_call *sc, struct mbuf *mb, struct mbuf **answer0)
{
	struct call *c = sc->c;
	struct call_leg *a = &c->leg[0], *b = &c->leg[1];
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	unsigned int n;
	int rc;

	rc = sdp_leg_decode(&sc->sdp[1], mb, false, &m, pts, &n);
	if (rc < 0)
		return rc;
	b->m = m;
	b->has_media = true;
	a->m.rtcp_mux = a->m.rtcp_mux && m.rtcp_mux;
	rc = answer_leg(sc, 0, sc->invite->mb, m.dir, answer0);
	if (rc)
		return -rc;
	return flows_update(sc);
}

static void
relay_progress(const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;
	struct mbuf *answer = NULL;

	if (sc->ending || ctx->leg != 1 || sc->answered)
		return;
	if (msg->scode <= 100)
		return;
	sip_dialog_learn(&sc->c->leg[1], msg, false);
	if (mbuf_get_left(msg->mb)) {
		/* early media: the answer in an unreliable 183 (RFC 3261 13.2.1);
		 * the 200 must repeat it, and sends the same to the caller */
		if (callee_answered(sc, msg->mb, &answer) < 0) {
			mem_deref(answer);
			sip_call_end(sc, "callee-bad-sdp", 488);
			return;
		}
		sc->c->state = CALL_EARLY;
		(void)sipsess_progress(sc->sess[0], 183, "Session Progress", answer, "%H",
				       sip_hdrs_common, NULL);
		mem_deref(answer);
		sip_call_changed(sc);
		return;
	}
	if (msg->scode == 180 || msg->scode == 183) {
		(void)sipsess_progress(sc->sess[0], msg->scode,
				       msg->scode == 180 ? "Ringing" : "Session Progress", NULL,
				       "%H", sip_hdrs_common, NULL);
		if (sc->c->state == CALL_NEW)
			sc->c->state = CALL_EARLY;
	}
}

static int
relay_answer(const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;
	struct sip_server *srv = sc->srv;
	struct call *c = sc->c;
	struct mbuf *answer = NULL;
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	unsigned int n;
	int rc;

	if (sc->ending)
		return 0;
	if (ctx->leg == 1 && !sc->answered) {
		/* the callee's 200 to the INVITE */
		tmr_cancel(&sc->inv_tmr);
		sip_dialog_learn(&c->leg[1], msg, false);
		sip_timer_uac_learn(&sc->timer[1], msg, srv->cfg->session_expires_s);
		rc = callee_answered(sc, msg->mb, &answer);
		if (rc < 0) {
			mem_deref(answer);
			sip_call_end(sc, rc == -EPROTO || rc == -EBADMSG ? "callee-bad-sdp"
									: "dataplane-error",
				     rc == -EPROTO || rc == -EBADMSG ? 488 : 500);
			return EPROTO;
		}
		rc = sipsess_answer(sc->sess[0], 200, "OK", answer, "%H%H", sip_hdrs_common, NULL,
				    sip_timer_uas_hdrs, &sc->timer[0]);
		mem_deref(answer);
		if (rc) {
			sip_call_end(sc, "error", 500);
			return rc;
		}
		sc->answered = true;
		c->state = CALL_ACTIVE;
		c->t_answer_ms = sip_wall_ms();
		srv->st.answered++;
		sip_call_changed(sc);
		return 0;
	}
	/* an answer to a re-INVITE of ours (forwarded change or refresh) */
	if (!mbuf_get_left(msg->mb))
		return 0;
	rc = sdp_leg_decode(&sc->sdp[ctx->leg], msg->mb, false, &m, pts, &n);
	if (rc < 0)
		return 0; /* keep the media as it was */
	c->leg[ctx->leg].m = m;
	c->held = m.dir != CALL_SENDRECV || c->leg[1 - ctx->leg].m.dir != CALL_SENDRECV;
	(void)flows_update(sc);
	sip_call_changed(sc);
	return 0;
}

static bool
media_same(const struct call_media *a, const struct call_media *b)
{
	return !strcmp(a->ip, b->ip) && a->port == b->port && a->pt == b->pt &&
	       a->dir == b->dir && a->rtcp_mux == b->rtcp_mux && a->dtmf_pt == b->dtmf_pt;
}

/* A re-INVITE from leg i's endpoint. */
static int
relay_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;
	struct sip_server *srv = sc->srv;
	unsigned int i = ctx->leg, o = 1 - i;
	struct call *c = sc->c;
	struct call_leg *l = &c->leg[i], *ol = &c->leg[o];
	struct call_media nm, old = l->m;
	uint8_t pref[2] = {l->m.pt, (uint8_t)(l->m.pt == 8 ? 0 : 8)};
	uint8_t pts[SDP_CODECS_MAX];
	struct mbuf *fwd = NULL;
	unsigned int n;
	int rc;

	srv->st.reinvites++;
	if (sc->ending || !sc->answered)
		return ENOENT;
	if (!mbuf_get_left(msg->mb))
		return EPROTO; /* offerless re-INVITE: 488 */
	rc = sdp_leg_set_local(&sc->sdp[i], l->local_port, pref, 2, l->m.dtmf_pt, 0, true,
			       CALL_SENDRECV);
	if (!rc)
		rc = -sdp_leg_decode(&sc->sdp[i], msg->mb, true, &nm, pts, &n);
	if (rc)
		return EPROTO;
	nm.rtcp_mux = old.rtcp_mux && nm.rtcp_mux; /* never turned on mid-call */
	sip_timer_refreshed(sc, i, msg);
	if (media_same(&nm, &old)) {
		/* a refresh: answer as before, nothing to send on */
		return answer_leg(sc, i, msg->mb, sdp_dir_answer(nm.dir), descp);
	}
	l->m = nm;
	/* the same change toward the other side, as our re-INVITE */
	rc = sdp_leg_set_local(&sc->sdp[o], ol->local_port, &nm.pt, 1,
			       nm.dtmf_pt ? ol->m.dtmf_pt : 0, nm.ptime, ol->m.rtcp_mux, nm.dir);
	if (!rc)
		rc = sdp_leg_encode(&sc->sdp[o], true, &fwd);
	if (!rc && sc->sess[o])
		rc = sipsess_modify(sc->sess[o], fwd);
	mem_deref(fwd);
	if (rc) {
		l->m = old;
		return EPROTO;
	}
	c->held = nm.dir != CALL_SENDRECV;
	(void)flows_update(sc);
	sip_call_changed(sc);
	/* RFC 3264 6.1: answer the direction offered, with the codec the
	 * other side had (its answer to our re-INVITE may still move it) */
	ol->m.pt = nm.pt;
	return answer_leg(sc, i, msg->mb, sdp_dir_answer(nm.dir), descp);
}

static void
relay_estab(const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;

	if (sc->ending)
		return;
	sip_dialog_learn(&sc->c->leg[ctx->leg], msg, ctx->leg == 0);
	sip_timer_start(sc, ctx->leg);
	sip_call_changed(sc);
}

static void
relay_close(int err, const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;
	struct sip_server *srv = sc->srv;
	char reason[48];
	uint16_t code = 0;

	sc->closed[ctx->leg] = true;
	if (ctx->leg == 0) {
		if (!sc->answered)
			srv->st.cancelled++;
		sip_call_end(sc, sc->answered ? "bye-caller" : "cancel", 0);
		return;
	}
	if (sc->answered) {
		sip_call_end(sc, err == ECONNRESET ? "bye-callee" : "callee-error", 0);
		return;
	}
	/* the callee refused or could not be reached: tell the caller */
	if (msg && msg->scode >= 400)
		code = msg->scode;
	else if (msg && msg->scode >= 300)
		code = 480; /* we do not follow redirections */
	else
		code = err == ETIMEDOUT ? 408 : 503;
	snprintf(reason, sizeof(reason), "callee-%u", code);
	sip_call_end(sc, reason, code);
}

static void
invite_timeout(void *arg)
{
	struct sip_call *sc = arg;

	sip_call_end(sc, "no-answer", 408);
}

static void
reply_fail(struct sip_server *srv, const struct sip_msg *msg, uint16_t code)
{
	(void)sip_reply(srv->sip, msg, code, sip_reason(code));
	srv->st.rejected[code / 100]++;
}

void
sip_relay_invite(struct sip_server *srv, const struct sip_msg *msg, const struct route *rt,
		 const char *user)
{
	char ruri[CALL_STR_MAX + 64], from_uri[CALL_STR_MAX], from_name[64] = "", callid[CALL_STR_MAX];
	struct call_leg *a, *b;
	struct mbuf *offer = NULL;
	struct sip_call *sc;
	struct call *c;
	bool peer_timer, ref_uac;
	uint32_t se;
	int rc;

	if (sip_timer_uas_check(srv, msg, &se, &ref_uac, &peer_timer) == 422) {
		(void)sip_replyf(srv->sip, msg, 422, "Session Interval Too Small",
				 "Min-SE: %u\r\nContent-Length: 0\r\n\r\n", srv->cfg->min_se_s);
		srv->st.rejected[4]++;
		return;
	}
	if (!mbuf_get_left(msg->mb)) {
		(void)sip_replyf(srv->sip, msg, 488, "Not Acceptable Here",
				 "Warning: 399 rtpgw \"an SDP offer in the INVITE is required\"\r\n"
				 "Content-Length: 0\r\n\r\n");
		srv->st.rejected[4]++;
		return;
	}
	if (route_request_uri(rt, user, ruri, sizeof(ruri)) < 0) {
		reply_fail(srv, msg, 404);
		return;
	}
	c = calls_add(srv->calls, CALL_RELAY, 2, 0);
	sc = c ? sip_call_alloc(srv, c) : NULL;
	if (!sc) {
		if (c)
			calls_del(srv->calls, c);
		reply_fail(srv, msg, 500);
		return;
	}
	a = &c->leg[0];
	b = &c->leg[1];
	c->route = route_index(rt);
	c->t_start_ms = sip_wall_ms();
	pl_strcpy(&msg->callid, callid, sizeof(callid));
	if (calls_set_callid(srv->calls, a, callid) < 0) {
		reply_fail(srv, msg, 500);
		goto fail;
	}
	sip_dialog_learn(a, msg, true);
	sc->invite = mem_ref((void *)msg);
	sc->timer[0].interval_s = se;
	sc->timer[0].we_refresh = !ref_uac;
	sc->timer[0].peer_supports = peer_timer;
	rc = sdp_leg_alloc(&sc->sdp[0], &srv->media_sa, 0);
	if (!rc)
		rc = sdp_leg_alloc(&sc->sdp[1], &srv->media_sa, 0);
	if (!rc)
		rc = sdp_leg_set_local(&sc->sdp[0], 0, all_pts, 2, SDP_DTMF_PT_DEFAULT, 0, true,
				       CALL_SENDRECV);
	if (rc) {
		fprintf(stderr, "rtpgw-control: relay %s: SDP: %s\n", user, strerror(rc));
		reply_fail(srv, msg, 500);
		goto fail;
	}
	rc = sdp_leg_decode(&sc->sdp[0], msg->mb, true, &a->m, sc->caller_pts, &sc->n_caller_pts);
	if (rc < 0) {
		reply_fail(srv, msg, rc == -EPROTO ? 488 : 400);
		goto fail;
	}
	a->has_media = true;
	if (!dp_client_connected(srv->dp)) {
		reply_fail(srv, msg, 503);
		goto fail;
	}
	a->local_port = ports_alloc(srv->ports, sip_now_ms());
	b->local_port = a->local_port ? ports_alloc(srv->ports, sip_now_ms()) : 0;
	if (!b->local_port) {
		(void)sip_reply(srv->sip, msg, 503, "Out Of Media Ports");
		srv->st.rejected[5]++;
		goto fail;
	}
	/* the offer to the callee: the caller's, on our address and port */
	rc = sdp_leg_set_local(&sc->sdp[1], b->local_port, sc->caller_pts, sc->n_caller_pts,
			       a->m.dtmf_pt, a->m.ptime, a->m.rtcp_mux, a->m.dir);
	if (!rc)
		rc = sdp_leg_encode(&sc->sdp[1], true, &offer);
	/*
	 * 100 Trying at once (RFC 3261 8.2.6.1), then the dialog's session:
	 * sipsess starts at a 101-199 provisional, and 181 Call Is Being
	 * Forwarded is what a B2BUA relaying the call is doing (RFC 3261
	 * 21.1.3). Ringing (180) and early media (183) follow the callee.
	 */
	if (!rc)
		rc = sip_reply(srv->sip, msg, 100, "Trying");
	if (!rc)
		rc = sipsess_accept(&sc->sess[0], srv->sock, msg, 181, "Call Is Being Forwarded",
				    "rtpgw",
				    "application/sdp", NULL, NULL, NULL, false, relay_offer,
				    relay_answer, relay_estab, NULL, NULL, relay_close, &sc->ctx[0],
				    "%H", sip_hdrs_common, NULL);
	if (rc) {
		fprintf(stderr, "rtpgw-control: relay %s: offer or accept: %s\n", user,
			strerror(rc));
		mem_deref(offer);
		reply_fail(srv, msg, 500);
		goto fail;
	}
	a->sess = sc->sess[0];
	pl_strcpy(&msg->from.auri, from_uri, sizeof(from_uri));
	if (pl_isset(&msg->from.dname))
		pl_strcpy(&msg->from.dname, from_name, sizeof(from_name));
	rc = sipsess_connect(&sc->sess[1], srv->sock, ruri, from_name[0] ? from_name : NULL,
			     from_uri, "rtpgw", NULL, 0, "application/sdp", offer, NULL, NULL,
			     false, relay_offer, relay_answer, relay_progress, relay_estab, NULL,
			     NULL, relay_close, &sc->ctx[1], "%H%H", sip_hdrs_common, NULL,
			     sip_timer_uac_hdrs, &sc->timer[1]);
	mem_deref(offer);
	if (rc || calls_set_callid(srv->calls, b, sip_dialog_callid(sipsess_dialog(sc->sess[1]))) <
			  0) {
		fprintf(stderr, "rtpgw-control: relay %s: INVITE to %s: %s\n", user, ruri,
			rc ? strerror(rc) : "Call-ID taken");
		sc->closed[1] = true;
		sip_call_end(sc, "route-error", 503);
		return;
	}
	b->sess = sc->sess[1];
	b->dlg.uas = false;
	tmr_start(&sc->inv_tmr, (uint64_t)srv->cfg->invite_timeout_s * 1000, invite_timeout, sc);
	sip_call_changed(sc);
	return;

fail:
	if (a->local_port)
		ports_free(srv->ports, a->local_port, sip_now_ms());
	if (b->local_port)
		ports_free(srv->ports, b->local_port, sip_now_ms());
	a->local_port = b->local_port = 0;
	sdp_leg_free(&sc->sdp[0]);
	sdp_leg_free(&sc->sdp[1]);
	sc->sess[0] = mem_deref(sc->sess[0]);
	sc->invite = mem_deref((void *)sc->invite);
	c->sip = NULL;
	calls_del(srv->calls, c);
	free(sc);
}
