/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_room: an INVITE to sip:<room>@... joins that room's mixer. The room
 * is created in the dataplane on its first join (CONF_ADD) and deleted
 * after its last leave (CONF_DEL). The caller's offer picks the codec
 * (PCMU or PCMA, the first it lists, RFC 3264 6.1); the answer carries
 * only that codec, telephone-event when offered, and the direction that
 * answers the offered one. A re-INVITE (RFC 3261 14.2) may put the room on
 * hold (sendonly: the participant hears nothing; inactive: neither way),
 * resume, move the caller's media address (PART_SET replaces the flow) or
 * change the codec (the participant joins again on a fresh port, since a
 * participant's codec is fixed in the mixer).
 *
 * A room call is answered at once, so it needs no INVITE server
 * transaction: its dialog is handled here without sipsess, as RFC 3261
 * 13.3.1.4 and 12.2.2 ask of a UAS core. The 200 (to the INVITE or a
 * re-INVITE) is retransmitted from T1 doubling to T2 until its ACK, and a
 * retransmitted INVITE gets it again; in-dialog requests are checked
 * against the remote CSeq; BYE is answered and ends the call; we send BYE
 * from the dialog's record (sip_dialog_bye()). This keeps libre's timer
 * list short: sipsess leaves every INVITE's transaction in it for 32 s
 * (RFC 6026 Timer L), and libre inserts each new timer by walking that
 * sorted list, which capped the call rate near 700 calls/s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_internal.h"

static const uint8_t all_pts[] = {0, 8};

/* RFC 3261 17.1.1.1 / 13.3.1.4 */
#define SIP_T1_MS 500
#define SIP_T2_MS 4000

static struct room *
room_get(struct sip_server *srv, uint32_t id, int *rc)
{
	struct room *r = rooms_lookup(srv->rooms, id);

	*rc = 0;
	if (r)
		return r;
	*rc = call_dp_conf_add(srv->dp, id, 20);
	if (*rc < 0 && *rc != -EEXIST)
		return NULL;
	r = rooms_add(srv->rooms, id);
	if (!r) {
		(void)call_dp_conf_del(srv->dp, id);
		*rc = -ENOMEM;
		return NULL;
	}
	*rc = 0;
	return r;
}

static void
room_put(struct sip_server *srv, struct room *r)
{
	if (r->n_parts > 0)
		return;
	(void)call_dp_conf_del(srv->dp, r->id);
	rooms_del(srv->rooms, r);
}

void
sip_room_leave(struct sip_server *srv, struct call *c)
{
	struct room *r;

	if (!c->installed)
		return;
	c->installed = false;
	if (call_dp_leave(srv->dp, c, &srv->media) < 0)
		srv->st.dp_errors++;
	r = rooms_lookup(srv->rooms, c->room);
	if (!r)
		return;
	if (r->n_parts)
		r->n_parts--;
	room_put(srv, r);
}

int
sip_room_reinstall(struct sip_server *srv)
{
	struct room *r;
	struct call *c;
	int n = 0, rc;

	for (r = rooms_first(srv->rooms); r; r = r->next) {
		rc = call_dp_conf_add(srv->dp, r->id, 20);
		if (rc < 0 && rc != -EEXIST)
			srv->st.dp_errors++;
	}
	for (c = calls_first(srv->calls); c; c = c->next) {
		if (c->kind != CALL_ROOM || !c->installed)
			continue;
		rc = call_dp_join(srv->dp, c, &srv->media, call_dp_part_flags(c->leg[0].m.dir));
		if (rc == 0 || rc == -EEXIST)
			n++;
		else
			srv->st.dp_errors++;
	}
	return n;
}

/*
 * Our answer to the offer in mb for the media already decided in l->m:
 * only its codec, its telephone-event, the answering direction.
 */
static int
room_answer(struct sip_call *sc, struct mbuf *offer, struct mbuf **descp)
{
	const struct call_media *m = &sc->c->leg[0].m;
	struct call_media again;
	uint8_t pts[SDP_CODECS_MAX];
	unsigned int n;
	int err;

	err = sdp_leg_set_local(&sc->sdp[0], sc->c->leg[0].local_port, &m->pt, 1, m->dtmf_pt,
				m->ptime, m->rtcp_mux, sdp_dir_answer(m->dir));
	if (err)
		return err;
	/* libre marks the formats the offer shares with our new set */
	if (sdp_leg_decode(&sc->sdp[0], offer, true, &again, pts, &n) < 0)
		return EPROTO;
	return sdp_leg_encode(&sc->sdp[0], false, descp);
}

/* Read an offer against everything we take, the current codec first. */
static int
room_read_offer(struct sip_call *sc, struct mbuf *offer, struct call_media *m)
{
	uint8_t pref[2] = {sc->c->leg[0].m.pt, (uint8_t)(sc->c->leg[0].m.pt == 8 ? 0 : 8)};
	uint8_t pts[SDP_CODECS_MAX];
	unsigned int n;
	int err;

	err = sdp_leg_set_local(&sc->sdp[0], sc->c->leg[0].local_port,
				sc->c->leg[0].has_media ? pref : all_pts, 2, SDP_DTMF_PT_DEFAULT, 0,
				true, CALL_SENDRECV);
	if (err)
		return -err;
	return sdp_leg_decode(&sc->sdp[0], offer, true, m, pts, &n);
}

/*
 * A re-INVITE's offer: the media change (hold, resume, new address or
 * codec) applied to the dataplane, and our answer in *descp. Returns 0 or
 * a positive errno (then 488, the call goes on as it was).
 */
static int
room_offer(struct sip_call *sc, const struct sip_msg *msg, struct mbuf **descp)
{
	struct sip_server *srv = sc->srv;
	struct call *c = sc->c;
	struct call_leg *l = &c->leg[0];
	struct call_media nm, old = l->m;
	int rc;

	if (!mbuf_get_left(msg->mb))
		return EPROTO; /* an offerless re-INVITE */
	rc = room_read_offer(sc, msg->mb, &nm);
	if (rc < 0)
		return EPROTO;
	if (!dp_client_connected(srv->dp))
		return EAGAIN;
	if (nm.pt != old.pt) {
		/* codec change: a participant's codec is fixed, join anew */
		uint16_t port = ports_alloc(srv->ports, sip_now_ms()), old_port = l->local_port;

		if (!port)
			return ENOSPC;
		l->local_port = port;
		l->m = nm;
		rc = call_dp_join(srv->dp, c, &srv->media, call_dp_part_flags(nm.dir));
		if (rc < 0) {
			l->local_port = old_port;
			l->m = old;
			ports_free(srv->ports, port, sip_now_ms());
			srv->st.dp_errors++;
			return EPROTO;
		}
		l->local_port = old_port;
		l->m = old;
		(void)call_dp_leave(srv->dp, c, &srv->media);
		ports_free(srv->ports, old_port, sip_now_ms());
		l->local_port = port;
		l->m = nm;
	} else {
		l->m = nm;
		rc = call_dp_part_set(srv->dp, c, &srv->media, call_dp_part_flags(nm.dir));
		if (rc < 0) {
			l->m = old;
			srv->st.dp_errors++;
			return EPROTO;
		}
	}
	c->held = nm.dir != CALL_SENDRECV;
	return room_answer(sc, msg->mb, descp);
}

/* ---- the UAS dialog (RFC 3261 12, 13.3, 14.2) ---- */

static void
send_2xx(struct sip_call *sc)
{
	const struct sip_msg *msg = sc->rtx_msg;

	/* stateless (sip_replyf): a transaction would hold a Timer L */
	(void)sip_replyf(sc->srv->sip, msg, 200, "OK",
			  "Contact: <sip:%u@%J%s>\r\n"
			  "%H"
			  "%H"
			  "Content-Type: application/sdp\r\n"
			  "Content-Length: %zu\r\n"
			  "\r\n"
			  "%b",
			  sc->c->room, &msg->dst, msg->tp == SIP_TRANSP_TCP ? ";transport=tcp" : "",
			  sip_hdrs_common, NULL, sip_timer_uas_hdrs, &sc->timer[0],
			  mbuf_get_left(sc->rtx_body), mbuf_buf(sc->rtx_body),
			  mbuf_get_left(sc->rtx_body));
}

void
sip_room_rtx_stop(struct sip_call *sc)
{
	tmr_cancel(&sc->rtx_tmr);
	sc->rtx_msg = mem_deref((void *)sc->rtx_msg);
	sc->rtx_body = mem_deref(sc->rtx_body);
}

static void
rtx_timeout(void *arg)
{
	struct sip_call *sc = arg;

	sc->rtx_elapsed += sc->rtx_interval;
	if (sc->rtx_elapsed >= 64 * SIP_T1_MS) {
		/* 13.3.1.4: no ACK in 64*T1: the dialog goes (BYE) */
		sip_room_rtx_stop(sc);
		sip_call_end(sc, "no-ack", 0);
		return;
	}
	send_2xx(sc);
	sc->rtx_interval = sc->rtx_interval * 2 > SIP_T2_MS ? SIP_T2_MS : sc->rtx_interval * 2;
	tmr_start(&sc->rtx_tmr, sc->rtx_interval, rtx_timeout, sc);
}

/* Answer msg (an INVITE) 200 with body, reliably: again until its ACK. */
static void
send_2xx_reliably(struct sip_call *sc, const struct sip_msg *msg, struct mbuf *body)
{
	sip_room_rtx_stop(sc);
	sc->rtx_msg = mem_ref((void *)msg);
	sc->rtx_body = mem_ref(body);
	sc->rtx_cseq = msg->cseq.num;
	send_2xx(sc);
	if (msg->tp != SIP_TRANSP_UDP)
		return; /* a reliable transport carries it (13.3.1.4) */
	sc->rtx_interval = SIP_T1_MS;
	sc->rtx_elapsed = 0;
	tmr_start(&sc->rtx_tmr, sc->rtx_interval, rtx_timeout, sc);
}

void
sip_room_invite_again(struct sip_server *srv, const struct sip_msg *msg, struct call *c)
{
	struct sip_call *sc = c->sip;

	/* 17.2.1: a retransmitted INVITE gets the last response again */
	if (sc && sc->rtx_msg && msg->cseq.num == sc->rtx_cseq)
		send_2xx(sc);
	else if (!sc || msg->cseq.num != c->leg[0].dlg.rseq)
		(void)sip_reply(srv->sip, msg, 482, "Loop Detected");
}

static void
reinvite(struct sip_call *sc, const struct sip_msg *msg)
{
	struct sip_server *srv = sc->srv;
	struct mbuf *answer = NULL;
	char m[128];
	int err;

	srv->st.reinvites++;
	if (sc->rtx_msg) {
		/* 14.2: our 2xx to the last INVITE awaits its ACK */
		(void)sip_replyf(srv->sip, msg, 500, "Server Internal Error",
				 "Retry-After: 1\r\nContent-Length: 0\r\n\r\n");
		return;
	}
	err = room_offer(sc, msg, &answer);
	if (err) {
		mem_deref(answer);
		(void)sip_reply(srv->sip, msg, 488, str_error(err, m, sizeof(m)));
		return;
	}
	sip_timer_refreshed(sc, 0, msg);
	send_2xx_reliably(sc, msg, answer);
	mem_deref(answer);
	sip_call_changed(sc);
}

bool
sip_room_request(struct sip_server *srv, const struct sip_msg *msg, struct call *c)
{
	struct sip_call *sc = c->sip;
	struct call_leg *l = &c->leg[0];

	if (!pl_strcmp(&msg->met, "ACK")) {
		if (sc->rtx_msg && msg->cseq.num == sc->rtx_cseq) {
			bool first = !sc->acked;

			sip_room_rtx_stop(sc);
			sc->acked = true;
			if (first) {
				sip_timer_start(sc, 0);
				sip_call_changed(sc);
			}
		}
		return true;
	}
	/* 12.2.2: a request in the dialog must come with a higher CSeq */
	if (msg->cseq.num <= l->dlg.rseq) {
		(void)sip_reply(srv->sip, msg, 500, "Server Internal Error");
		return true;
	}
	l->dlg.rseq = msg->cseq.num;
	if (!pl_strcmp(&msg->met, "BYE")) {
		srv->st.bye_rx++;
		(void)sip_reply(srv->sip, msg, 200, "OK");
		sc->closed[0] = true;
		sip_call_end(sc, "bye-caller", 0);
		return true;
	}
	if (!pl_strcmp(&msg->met, "INVITE")) {
		reinvite(sc, msg);
		return true;
	}
	return false; /* UPDATE, OPTIONS...: the server's handlers */
}

static void
reply_fail(struct sip_server *srv, const struct sip_msg *msg, uint16_t code, const char *reason)
{
	(void)sip_reply(srv->sip, msg, code, reason);
	srv->st.rejected[code / 100]++;
}

void
sip_room_invite(struct sip_server *srv, const struct sip_msg *msg, uint32_t room_id)
{
	struct call_leg *l;
	struct mbuf *answer = NULL;
	struct sip_call *sc;
	struct room *r;
	struct call *c;
	bool peer_timer;
	uint32_t se;
	bool ref_uac;
	int rc;

	if (sip_timer_uas_check(srv, msg, &se, &ref_uac, &peer_timer) == 422) {
		(void)sip_replyf(srv->sip, msg, 422, "Session Interval Too Small",
				 "Min-SE: %u\r\nContent-Length: 0\r\n\r\n", srv->cfg->min_se_s);
		srv->st.rejected[4]++;
		return;
	}
	if (!mbuf_get_left(msg->mb)) {
		/* RFC 3261 13.2.1 allows the offer in our 200; we want it first */
		(void)sip_replyf(srv->sip, msg, 488, "Not Acceptable Here",
				 "Warning: 399 rtpgw \"an SDP offer in the INVITE is required\"\r\n"
				 "Content-Length: 0\r\n\r\n");
		srv->st.rejected[4]++;
		return;
	}
	c = calls_add(srv->calls, CALL_ROOM, 1, 0);
	sc = c ? sip_call_alloc(srv, c) : NULL;
	if (!sc) {
		if (c)
			calls_del(srv->calls, c);
		reply_fail(srv, msg, 500, "Server Internal Error");
		return;
	}
	c->room = room_id;
	c->t_start_ms = sip_wall_ms();
	l = &c->leg[0];
	{
		char callid[CALL_STR_MAX];

		pl_strcpy(&msg->callid, callid, sizeof(callid));
		if (calls_set_callid(srv->calls, l, callid) < 0)
			goto fail_500;
	}
	sip_dialog_learn(l, msg, true);
	/* RFC 4028 9 with the UAC refreshing; a UAC that does not refresh
	 * gets no session timer here (7.2: none without Session-Expires in the
	 * 2xx), the media timeout watches its call */
	sc->timer[0].interval_s = ref_uac ? se : 0;
	sc->timer[0].we_refresh = false;
	sc->timer[0].peer_supports = peer_timer;
	if (sdp_leg_alloc(&sc->sdp[0], &srv->media_sa, 0))
		goto fail_500;
	rc = room_read_offer(sc, msg->mb, &l->m);
	if (rc < 0) {
		if (rc == -EPROTO)
			reply_fail(srv, msg, 488, "Not Acceptable Here");
		else
			reply_fail(srv, msg, 400, "Bad SDP");
		goto fail;
	}
	l->has_media = true;
	if (!dp_client_connected(srv->dp)) {
		reply_fail(srv, msg, 503, "Service Unavailable");
		goto fail;
	}
	l->local_port = ports_alloc(srv->ports, sip_now_ms());
	if (!l->local_port) {
		reply_fail(srv, msg, 503, "Out Of Media Ports");
		goto fail;
	}
	r = room_get(srv, room_id, &rc);
	if (!r) {
		fprintf(stderr, "rtpgw-control: room %u: CONF_ADD: %s\n", room_id, strerror(-rc));
		goto fail_dp;
	}
	rc = call_dp_join(srv->dp, c, &srv->media, call_dp_part_flags(l->m.dir));
	if (rc < 0) {
		fprintf(stderr, "rtpgw-control: room %u: PART_JOIN port %u: %s\n", room_id,
			l->local_port, strerror(-rc));
		room_put(srv, r);
		goto fail_dp;
	}
	r->n_parts++;
	r->joins++;
	c->installed = true;
	c->held = l->m.dir != CALL_SENDRECV;
	rc = room_answer(sc, msg->mb, &answer);
	if (rc) {
		fprintf(stderr, "rtpgw-control: room %u: answer: %s\n", room_id, strerror(rc));
		goto fail_leave;
	}
	/* 12.1.1: our tag in the To of our responses (libre's per-message
	 * one, which a retransmitted 200 reuses from the stored INVITE) */
	snprintf(l->dlg.local_tag, sizeof(l->dlg.local_tag), "%016llx",
		 (unsigned long long)msg->tag);
	l->dlg.rseq = msg->cseq.num;
	send_2xx_reliably(sc, msg, answer);
	answer = mem_deref(answer);
	sc->answered = true;
	c->state = CALL_ACTIVE;
	c->t_answer_ms = c->t_start_ms;
	c->media_seen_ms = sip_now_ms();
	srv->st.answered++;
	sip_call_changed(sc);
	return;

fail_leave:
	mem_deref(answer);
	sip_room_leave(srv, c);
fail_dp:
	srv->st.dp_errors++;
	if (rc == -ENOSPC) {
		/* the mixer has no room for another participant or conference */
		(void)sip_replyf(srv->sip, msg, 486, "Busy Here",
				 "Warning: 399 rtpgw \"the conference bridge is full\"\r\n"
				 "Content-Length: 0\r\n\r\n");
		srv->st.rejected[4]++;
	} else {
		reply_fail(srv, msg, dp_client_connected(srv->dp) ? 500 : 503,
			   dp_client_connected(srv->dp) ? "Server Internal Error"
							: "Service Unavailable");
	}
	goto fail;
fail_500:
	reply_fail(srv, msg, 500, "Server Internal Error");
fail:
	if (l->local_port)
		ports_free(srv->ports, l->local_port, sip_now_ms());
	l->local_port = 0;
	sdp_leg_free(&sc->sdp[0]);
	c->sip = NULL;
	calls_del(srv->calls, c);
	free(sc);
}

int
sip_room_recover(struct sip_server *srv, struct call *c)
{
	struct call_leg *l = &c->leg[0];
	struct sip_call *sc;
	struct room *r;

	r = rooms_lookup(srv->rooms, c->room);
	if (!r)
		r = rooms_add(srv->rooms, c->room);
	if (!r)
		return -ENOMEM;
	sc = sip_call_alloc(srv, c);
	if (!sc)
		return -ENOMEM;
	/* a new SDP session: its o= line starts again (the old one died with
	 * the previous process), our description as it was answered */
	if (sdp_leg_alloc(&sc->sdp[0], &srv->media_sa, l->local_port) ||
	    sdp_leg_set_local(&sc->sdp[0], l->local_port, &l->m.pt, 1, l->m.dtmf_pt, l->m.ptime,
			      l->m.rtcp_mux, sdp_dir_answer(l->m.dir))) {
		sdp_leg_free(&sc->sdp[0]);
		c->sip = NULL;
		free(sc);
		return -ENOMEM;
	}
	sc->answered = true;
	sc->acked = true;
	r->n_parts++;
	return 0;
}
