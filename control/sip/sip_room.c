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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_internal.h"

static const uint8_t all_pts[] = {0, 8};

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

/* sipsess: a re-INVITE (or an UPDATE with an offer) from the participant. */
static int
room_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;
	struct sip_server *srv = sc->srv;
	struct call *c = sc->c;
	struct call_leg *l = &c->leg[0];
	struct call_media nm, old = l->m;
	int rc;

	srv->st.reinvites++;
	if (sc->ending)
		return ENOENT;
	if (!mbuf_get_left(msg->mb))
		return EPROTO; /* an offerless re-INVITE: 488, the call goes on */
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
	rc = room_answer(sc, msg->mb, descp);
	if (rc)
		return rc;
	sip_timer_refreshed(sc, 0, msg);
	sip_call_changed(sc);
	return 0;
}

static int
room_answer_h(const struct sip_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return 0; /* we never send an offer in a room call */
}

static void
room_estab(const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;

	/* the ACK carries our To tag: the dialog is whole now */
	sip_dialog_learn(&sc->c->leg[0], msg, true);
	sip_timer_start(sc, 0);
	sip_call_changed(sc);
}

static void
room_close(int err, const struct sip_msg *msg, void *arg)
{
	struct sip_leg_ctx *ctx = arg;
	struct sip_call *sc = ctx->sc;

	(void)msg;
	sc->closed[0] = true; /* terminated: freed with the call, no BYE */
	sip_call_end(sc, err == ECONNRESET ? "bye-caller" : err == ETIMEDOUT ? "no-ack" : "error",
		     0);
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
	char user[16];
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
	sc->timer[0].interval_s = se;
	sc->timer[0].we_refresh = !ref_uac;
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
	snprintf(user, sizeof(user), "%u", room_id);
	rc = sipsess_accept(&sc->sess[0], srv->sock, msg, 200, "OK", user, "application/sdp",
			    answer, NULL, NULL, false, room_offer, room_answer_h, room_estab, NULL,
			    NULL, room_close, &sc->ctx[0], "%H%H", sip_hdrs_common, NULL,
			    sip_timer_uas_hdrs, &sc->timer[0]);
	answer = mem_deref(answer);
	if (rc) {
		fprintf(stderr, "rtpgw-control: room %u: accept: %s\n", room_id, strerror(rc));
		goto fail_leave;
	}
	l->sess = sc->sess[0];
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
	reply_fail(srv, msg, dp_client_connected(srv->dp) ? 500 : 503,
		   dp_client_connected(srv->dp) ? "Server Internal Error" : "Service Unavailable");
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
