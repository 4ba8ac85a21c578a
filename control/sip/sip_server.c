/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_server: see sip_server.h. The libre sip stack with UDP and TCP
 * transports; a request listener placed before sipsess's answers OPTIONS,
 * UPDATE session refreshes (RFC 3311, RFC 4028 7.4: the refresh without an
 * offer) and the dialogs of calls recovered after a restart; sipsess
 * handles the INVITE dialogs; a last listener answers 405 to the rest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sip_internal.h"

uint64_t
sip_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
sip_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
sip_hdrs_common(struct re_printf *pf, void *arg)
{
	(void)arg;
	return re_hprintf(pf, "Allow: " SIP_ALLOW "\r\n"
			      "Supported: timer\r\n");
}

/* Copy what a dialog needs to survive a restart from a message of it. */
void
sip_dialog_learn(struct call_leg *l, const struct sip_msg *msg, bool uas)
{
	const struct sip_taddr *remote = uas ? &msg->from : &msg->to;
	const struct sip_taddr *local = uas ? &msg->to : &msg->from;
	struct sip_addr contact;
	const struct sip_hdr *h;

	l->dlg.uas = uas;
	l->dlg.tcp = msg->tp == SIP_TRANSP_TCP;
	if (msg->req == uas) {
		/* a request from the peer (uas) or a response to ours (uac) */
		if (pl_isset(&remote->tag))
			pl_strcpy(&remote->tag, l->dlg.remote_tag, sizeof(l->dlg.remote_tag));
		if (pl_isset(&local->tag))
			pl_strcpy(&local->tag, l->dlg.local_tag, sizeof(l->dlg.local_tag));
	}
	pl_strcpy(&remote->auri, l->dlg.remote_uri, sizeof(l->dlg.remote_uri));
	pl_strcpy(&local->auri, l->dlg.local_uri, sizeof(l->dlg.local_uri));
	h = sip_msg_hdr(msg, SIP_HDR_CONTACT);
	if (h && !sip_addr_decode(&contact, &h->val))
		pl_strcpy(&contact.auri, l->dlg.remote_target, sizeof(l->dlg.remote_target));
}

static void
call_free(void *arg)
{
	struct sip_call *sc = arg;
	struct sip_server *srv = sc->srv;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		sip_timer_stop(&sc->timer[i]);
		sc->sess[i] = mem_deref(sc->sess[i]); /* BYE or CANCEL when still up */
		sdp_leg_free(&sc->sdp[i]);
	}
	tmr_cancel(&sc->inv_tmr);
	sip_room_rtx_stop(sc);
	sc->invite = mem_deref((void *)sc->invite);
	if (sc->c)
		calls_del(srv->calls, sc->c);
	free(sc);
}

struct sip_call *
sip_call_alloc(struct sip_server *srv, struct call *c)
{
	struct sip_call *sc = calloc(1, sizeof(*sc));
	unsigned int i;

	if (!sc)
		return NULL;
	sc->srv = srv;
	sc->c = c;
	c->sip = sc;
	for (i = 0; i < 2; i++) {
		sc->ctx[i].sc = sc;
		sc->ctx[i].leg = i;
		tmr_init(&sc->timer[i].tmr);
		sc->timer[i].sc = sc;
		sc->timer[i].leg = i;
	}
	tmr_init(&sc->inv_tmr);
	tmr_init(&sc->free_tmr);
	tmr_init(&sc->rtx_tmr);
	return sc;
}

void
sip_call_changed(struct sip_call *sc)
{
	struct sip_server *srv = sc->srv;
	unsigned int i;

	/* our CSeq in each dialog: a recovered call's BYE must go above it
	 * (RFC 3261 12.2.2: a lower one gets 500) */
	for (i = 0; sc->c && i < sc->c->n_legs; i++)
		if (sc->sess[i] && sipsess_dialog(sc->sess[i]))
			sc->c->leg[i].dlg.lseq = sip_dialog_lseq(sipsess_dialog(sc->sess[i]));

	if (srv->changed_h && sc->c)
		srv->changed_h(sc->c, srv->hook_arg);
}

/* The dataplane state and ports of an ending call (recovered or not). */
static void
call_release(struct sip_server *srv, struct call *c, const char *reason)
{
	uint64_t now = sip_now_ms();
	unsigned int i;

	if (c->state != CALL_ENDED) {
		c->state = CALL_ENDED;
		c->t_end_ms = sip_wall_ms();
		snprintf(c->end_reason, sizeof(c->end_reason), "%s", reason);
		calls_count_ended(srv->calls);
	}
	if (c->kind == CALL_ROOM)
		sip_room_leave(srv, c);
	else
		sip_relay_teardown(srv, c);
	for (i = 0; i < c->n_legs; i++)
		if (c->leg[i].local_port)
			ports_free(srv->ports, c->leg[i].local_port, now);
	if (srv->ended_h)
		srv->ended_h(c, srv->hook_arg); /* the record still names the ports */
	for (i = 0; i < c->n_legs; i++)
		c->leg[i].local_port = 0;
}

const char *
sip_reason(uint16_t code)
{
	switch (code) {
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 408:
		return "Request Timeout";
	case 480:
		return "Temporarily Unavailable";
	case 486:
		return "Busy Here";
	case 487:
		return "Request Terminated";
	case 488:
		return "Not Acceptable Here";
	case 500:
		return "Server Internal Error";
	case 503:
		return "Service Unavailable";
	case 603:
		return "Decline";
	default:
		return code < 500 ? "Request Failed" : code < 600 ? "Server Error" : "Call Failed";
	}
}

void
sip_call_end(struct sip_call *sc, const char *reason, uint16_t code)
{
	struct sip_server *srv = sc->srv;
	struct call *c = sc->c;
	unsigned int i;

	if (sc->ending)
		return;
	sc->ending = true;
	/* the caller not answered yet gets a final response now */
	if (sc->sess[0] && !sc->answered && c->leg[0].dlg.uas) {
		(void)sipsess_reject(sc->sess[0], code ? code : 480, sip_reason(code ? code : 480),
				     NULL);
		srv->st.rejected[(code ? code : 480) / 100]++;
	}
	for (i = 0; i < 2; i++)
		if (sc->sess[i] && !sc->closed[i] &&
		    sip_dialog_established(sipsess_dialog(sc->sess[i])))
			srv->st.bye_tx++;
	/* a room call's dialog is ours (sip_room.c): BYE from its record */
	if (c->kind == CALL_ROOM && !sc->closed[0]) {
		sip_room_rtx_stop(sc);
		if (sip_dialog_bye(srv, &c->leg[0]) == 0)
			srv->st.bye_tx++;
	}
	call_release(srv, c, reason);
	tmr_start(&sc->free_tmr, 0, call_free, sc);
}

/*
 * RFC 3261 15.1.1: BYE in a dialog we hold only as a record (recovered
 * after a restart): Request-URI and next hop are the remote target (route
 * sets are not kept: rtpgw sits next to its peers), tags and Call-ID as
 * the dialog was, CSeq one above the last we used.
 */
int
sip_dialog_bye(struct sip_server *srv, struct call_leg *l)
{
	struct call_dialog *d = &l->dlg;
	const char *target = d->remote_target[0] ? d->remote_target : d->remote_uri;
	struct uri route;
	struct pl pl;

	if (!target[0] || !d->callid[0])
		return EINVAL;
	pl_set_str(&pl, target);
	if (uri_decode(&route, &pl))
		return EINVAL;
	d->lseq++;
	return sip_requestf(NULL, srv->sip, true, "BYE", target, &route, NULL, NULL, NULL, NULL,
			    "Max-Forwards: 70\r\n"
			    "To: <%s>%s%s\r\n"
			    "From: <%s>;tag=%s\r\n"
			    "Call-ID: %s\r\n"
			    "CSeq: %u BYE\r\n"
			    "Content-Length: 0\r\n\r\n",
			    d->remote_uri, d->remote_tag[0] ? ";tag=" : "", d->remote_tag,
			    d->local_uri, d->local_tag, d->callid, d->lseq);
}

void
sip_recovered_end(struct sip_server *srv, struct call *c, const char *reason)
{
	unsigned int i;

	for (i = 0; i < c->n_legs; i++) {
		bool from_here = (i == 0 && !strcmp(reason, "bye-caller")) ||
				 (i == 1 && !strcmp(reason, "bye-callee"));

		/* an ng call has no dialog of ours: its proxy ends it (delete) */
		if (c->kind != CALL_NG && !from_here && sip_dialog_bye(srv, &c->leg[i]) == 0)
			srv->st.bye_tx++;
	}
	call_release(srv, c, reason);
	calls_del(srv->calls, c);
}

/* ---- requests outside sipsess ---- */

/* RFC 4028 7.4 / RFC 3311: an UPDATE without an offer refreshes the session. */
static void
handle_update(struct sip_server *srv, const struct sip_msg *msg, struct call_leg *l)
{
	struct sip_call *sc = l->call->sip;
	unsigned int leg = (unsigned int)(l - l->call->leg);
	struct sip_timer *t;

	srv->st.reinvites++;
	if (!sc || sc->ending || (!sc->sess[leg] && l->call->kind != CALL_ROOM)) {
		(void)sip_reply(srv->sip, msg, 481, "Call/Transaction Does Not Exist");
		return;
	}
	/* a room call's CSeq was checked by sip_room_request() */
	if (sc->sess[leg] && !sip_dialog_rseq_valid(sipsess_dialog(sc->sess[leg]), msg)) {
		(void)sip_reply(srv->sip, msg, 500, "Server Internal Error");
		return;
	}
	if (mbuf_get_left(msg->mb)) {
		/* an offer in UPDATE (RFC 3311 5.2) is not taken: re-INVITE it */
		(void)sip_replyf(srv->sip, msg, 488, "Not Acceptable Here",
				 "Warning: 399 rtpgw \"offer in UPDATE not supported, use re-INVITE\"\r\n"
				 "Content-Length: 0\r\n\r\n");
		return;
	}
	sip_timer_refreshed(sc, leg, msg);
	t = &sc->timer[leg];
	(void)sip_replyf(srv->sip, msg, 200, "OK",
			 "Contact: <sip:rtpgw@%J%s>\r\n"
			 "%H"
			 "%H"
			 "Content-Length: 0\r\n\r\n",
			 &msg->dst, msg->tp == SIP_TRANSP_TCP ? ";transport=tcp" : "",
			 sip_hdrs_common, NULL, sip_timer_uas_hdrs, t);
}

/*
 * A call recovered from the state file has no sipsess: its BYE is answered
 * here (RFC 3261 15.1.2) and ends it; a re-INVITE is refused with 488 and
 * the call goes on as it was.
 */
static bool
handle_recovered(struct sip_server *srv, const struct sip_msg *msg, struct call_leg *l)
{
	struct call *c = l->call;

	if (!pl_strcmp(&msg->met, "BYE")) {
		(void)sip_reply(srv->sip, msg, 200, "OK");
		srv->st.bye_rx++;
		sip_recovered_end(srv, c, l == &c->leg[0] ? "bye-caller" : "bye-callee");
		return true;
	}
	if (!pl_strcmp(&msg->met, "ACK"))
		return true;
	if (!pl_strcmp(&msg->met, "INVITE") || !pl_strcmp(&msg->met, "UPDATE")) {
		(void)sip_replyf(srv->sip, msg, 488, "Not Acceptable Here",
				 "Warning: 399 rtpgw \"call recovered after a restart: media is "
				 "kept, its description cannot change\"\r\n"
				 "Content-Length: 0\r\n\r\n");
		return true;
	}
	return false;
}

static bool
first_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_server *srv = arg;
	struct call_leg *l;

	if (!pl_strcmp(&msg->met, "OPTIONS")) {
		(void)sip_replyf(srv->sip, msg, 200, "OK",
				 "%H"
				 "Accept: application/sdp\r\n"
				 "Content-Length: 0\r\n\r\n",
				 sip_hdrs_common, NULL);
		return true;
	}
	if (!pl_isset(&msg->to.tag))
		return false; /* dialog-creating: sipsess */
	l = calls_find_callid(srv->calls, msg->callid.p, msg->callid.l);
	if (!l || l->call->kind == CALL_NG)
		return false; /* ng calls have no dialog here */
	if (!l->call->sip)
		return handle_recovered(srv, msg, l);
	if (l->call->kind == CALL_ROOM && sip_room_request(srv, msg, l->call))
		return true;
	if (!pl_strcmp(&msg->met, "UPDATE")) {
		handle_update(srv, msg, l);
		return true;
	}
	if (!pl_strcmp(&msg->met, "BYE"))
		srv->st.bye_rx++;
	return false;
}

static bool
last_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_server *srv = arg;

	if (!pl_strcmp(&msg->met, "ACK"))
		return true; /* stray ACKs get no response (RFC 3261 17.2.3) */
	(void)sip_replyf(srv->sip, msg, 405, "Method Not Allowed",
			 "Allow: " SIP_ALLOW "\r\nContent-Length: 0\r\n\r\n");
	return true;
}

/* The room id from the Request-URI user part, or -1 when it names no room. */
static long
room_of(struct sip_server *srv, const char *user)
{
	char *end;
	long id;

	if (regexec(&srv->room_re, user, 0, NULL, 0) != 0)
		return -1;
	id = strtol(user, &end, 10);
	if (*end || id <= 0 || id > 0x7fffffffL)
		return -1;
	return id;
}

/* sipsess: a new INVITE dialog. */
static void
connect_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_server *srv = arg;
	const struct route *rt;
	struct call_leg *l;
	char user[64];
	long room;

	l = calls_find_callid(srv->calls, msg->callid.p, msg->callid.l);
	if (l && l->call->kind == CALL_ROOM) {
		/* a room call's INVITE again: no transaction absorbed it */
		sip_room_invite_again(srv, msg, l->call);
		return;
	}
	srv->st.invites++;
	if (l) {
		/* a Call-ID we hold already (e.g. a fork looping back to us) */
		(void)sip_reply(srv->sip, msg, 482, "Loop Detected");
		srv->st.rejected[4]++;
		return;
	}
	if (msg->uri.user.l == 0 || msg->uri.user.l >= sizeof(user)) {
		(void)sip_reply(srv->sip, msg, 404, "Not Found");
		srv->st.rejected[4]++;
		return;
	}
	pl_strcpy(&msg->uri.user, user, sizeof(user));
	/* the routing table is explicit configuration: it wins over the
	 * room pattern, which is a catch-all by nature */
	rt = srv->routes ? routes_match(srv->routes, user) : NULL;
	if (rt) {
		sip_relay_invite(srv, msg, rt, user);
		return;
	}
	room = room_of(srv, user);
	if (room > 0) {
		sip_room_invite(srv, msg, (uint32_t)room);
		return;
	}
	(void)sip_reply(srv->sip, msg, 404, "Not Found");
	srv->st.rejected[4]++;
}

/* ---- statistics poll, media timeout, dataplane events ---- */

static void
poll_timer(void *arg)
{
	struct sip_server *srv = arg;
	const struct config *cfg = srv->cfg;
	uint64_t now = sip_now_ms();
	struct call *c, *next;

	tmr_start(&srv->poll_tmr, cfg->stats_interval_ms, poll_timer, srv);
	if (!dp_client_connected(srv->dp))
		return;
	if (call_dp_poll(srv->dp, srv->calls, &srv->media, now) < 0) {
		srv->st.dp_errors++;
		return;
	}
	srv->st.polls++;
	if (!cfg->media_timeout_s)
		return;
	for (c = calls_first(srv->calls); c; c = next) {
		uint64_t limit = (uint64_t)cfg->media_timeout_s * 1000;

		next = c->next;
		if (c->state != CALL_ACTIVE || !c->installed)
			continue;
		/* a call on hold may be silent on purpose: ten times longer */
		if (c->held)
			limit *= 10;
		if (now - c->media_seen_ms < limit)
			continue;
		srv->st.media_timeouts++;
		if (c->sip)
			sip_call_end(c->sip, "media-timeout", 0);
		else
			sip_recovered_end(srv, c, "media-timeout");
	}
}

static void
dp_event(const struct rtpgw_api_hdr *hdr, const void *payload, void *arg)
{
	struct sip_server *srv = arg;

	(void)call_dp_event(srv->calls, hdr, payload, &srv->dp_epoch_ns);
}

/*
 * The dataplane (re)connected: install every call we hold. After a
 * dataplane restart its tables are empty; after a reconnection everything
 * is still there and EEXIST is success.
 */
static void
dp_up(void *arg)
{
	struct sip_server *srv = arg;
	unsigned int n_relay = 0, n_fail = 0;
	struct call *c;
	int n_room;

	srv->dp_epoch_ns = 0; /* a new dataplane may have a new clock */
	n_room = sip_room_reinstall(srv);
	for (c = calls_first(srv->calls); c; c = c->next) {
		if ((c->kind != CALL_RELAY && c->kind != CALL_NG) || !c->installed)
			continue;
		if (call_dp_relay_install(srv->dp, c, &srv->media, false) == 0)
			n_relay++;
		else
			n_fail++;
	}
	if (n_room > 0 || n_relay || n_fail)
		fprintf(stderr,
			"rtpgw-control: re-installed %d room participants, %u relayed calls "
			"(%u failed)\n",
			n_room, n_relay, n_fail);
}

struct sip_server *
sip_server_create(const struct config *cfg, struct dp_client *dp, struct calls *calls,
		  struct rooms *rooms, struct ports *ports, struct routes *routes)
{
	struct sip_server *srv;
	struct sip_lsnr *last = NULL;
	struct sa laddr;
	int err;

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->cfg = cfg;
	srv->dp = dp;
	srv->calls = calls;
	srv->rooms = rooms;
	srv->ports = ports;
	srv->routes = routes;
	tmr_init(&srv->poll_tmr);
	if (regcomp(&srv->room_re, cfg->room_pattern, REG_EXTENDED | REG_NOSUB)) {
		free(srv);
		errno = EINVAL;
		return NULL;
	}
	err = sa_set_str(&srv->media_sa, cfg->media_ip, 0);
	if (!err && call_dp_media(cfg->media_ip, &srv->media) < 0)
		err = EINVAL;
	if (!err)
		err = sa_set_str(&laddr, cfg->sip_ip, cfg->sip_port);
	if (!err)
		err = sip_alloc(&srv->sip, NULL, 256, 256, 256, "rtpgw-control", NULL, NULL);
	if (!err)
		err = sip_transp_add(srv->sip, SIP_TRANSP_UDP, &laddr);
	if (!err && cfg->sip_tcp) {
		err = sa_set_str(&laddr, cfg->sip_tcp_ip[0] ? cfg->sip_tcp_ip : cfg->sip_ip,
				 cfg->sip_tcp_port ? cfg->sip_tcp_port : cfg->sip_port);
		if (!err)
			err = sip_transp_add(srv->sip, SIP_TRANSP_TCP, &laddr);
	}
	/* listeners are asked in the order they were added */
	if (!err)
		err = sip_listen(&srv->lsnr, srv->sip, true, first_handler, srv);
	if (!err)
		err = sipsess_listen(&srv->sock, srv->sip, 1024, connect_handler, srv);
	if (!err)
		err = sip_listen(&last, srv->sip, true, last_handler, srv);
	if (err) {
		mem_deref(last);
		sip_server_destroy(srv);
		errno = err;
		return NULL;
	}
	srv->last = last;
	dp_client_set_up_handler(dp, dp_up, srv);
	dp_client_set_event_handler(dp, dp_event, srv);
	tmr_start(&srv->poll_tmr, cfg->stats_interval_ms, poll_timer, srv);
	return srv;
}

void
sip_server_destroy(struct sip_server *srv)
{
	struct call *c, *next;

	if (!srv)
		return;
	tmr_cancel(&srv->poll_tmr);
	if (srv->dp) {
		dp_client_set_up_handler(srv->dp, NULL, NULL);
		dp_client_set_event_handler(srv->dp, NULL, NULL);
	}
	/*
	 * Stopping control does not end calls: they stay in the dataplane and
	 * in the state file, and a restarted control recovers them. So the SIP
	 * runtime is dropped without freeing the libre sessions (freeing one
	 * sends BYE or CANCEL); the process is about to exit.
	 */
	for (c = srv->calls ? calls_first(srv->calls) : NULL; c; c = next) {
		struct sip_call *sc = c->sip;
		unsigned int i;

		next = c->next;
		if (!sc)
			continue;
		tmr_cancel(&sc->free_tmr);
		tmr_cancel(&sc->inv_tmr);
		sip_room_rtx_stop(sc);
		for (i = 0; i < 2; i++) {
			sip_timer_stop(&sc->timer[i]);
			c->leg[i].sess = NULL;
		}
		c->sip = NULL;
		if (sc->ending || c->state != CALL_ACTIVE)
			calls_del(srv->calls, c);
		free(sc);
	}
	/* close the SIP sockets; the sessions stay unfreed (see above) */
	if (srv->sip)
		sip_transp_flush(srv->sip);
	regfree(&srv->room_re);
	free(srv);
}

int
sip_server_recover(struct sip_server *srv, unsigned int *dropped)
{
	uint64_t now = sip_now_ms();
	struct call *c, *next;
	int n = 0;

	*dropped = 0;
	for (c = calls_first(srv->calls); c; c = next) {
		unsigned int i, reserved = 0;
		bool ok = true;

		next = c->next;
		if (!c->recovered || c->sip)
			continue;
		for (i = 0; i < c->n_legs && ok; i++) {
			ok = ports_reserve(srv->ports, c->leg[i].local_port) == 0;
			reserved += ok;
		}
		/* a room call's dialog is ours: it gets its SIP runtime back
		 * (re-INVITE, session timer, BYE); a relayed call stays a record */
		if (ok && c->kind == CALL_ROOM)
			ok = sip_room_recover(srv, c) == 0;
		if (!ok) {
			for (i = 0; i < reserved; i++)
				ports_free(srv->ports, c->leg[i].local_port, now);
			calls_del(srv->calls, c);
			(*dropped)++;
			continue;
		}
		c->media_seen_ms = now;
		n++;
	}
	return n;
}

void
sip_server_set_hooks(struct sip_server *srv, sip_server_call_h *ended_h,
		     sip_server_call_h *changed_h, void *arg)
{
	srv->ended_h = ended_h;
	srv->changed_h = changed_h;
	srv->hook_arg = arg;
}

const struct sip_server_stats *
sip_server_stats(const struct sip_server *srv)
{
	return &srv->st;
}
