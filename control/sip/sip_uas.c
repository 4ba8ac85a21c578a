/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_uas: see sip_uas.h. A plain request handler (sip_listen) rather than
 * sipsess: every call is a conference leg that only ends with BYE, so the
 * dialog state is the Call-ID the rooms module remembers. The 200 to an
 * INVITE is retransmitted until its ACK (RFC 3261 13.3.1.4).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <re.h>

#include "sip_sdp.h"
#include "sip_uas.h"

#define SIP_ALLOW "INVITE, ACK, BYE, OPTIONS"

struct sip_uas {
	const struct config *cfg;
	struct dp_client *dp;
	struct rooms *rs;
	struct sip *sip;
	struct sip_lsnr *lsnr;
	regex_t room_re;
	struct sa media;     /* cfg->media_ip, port 0 */
	struct list pending; /* struct pending_2xx: 200s awaiting their ACK */
};

/*
 * RFC 3261 13.3.1.4: the UAS core retransmits a 2xx to INVITE, T1 doubling
 * up to T2, until the ACK arrives or 64*T1 have passed (then gives up; the
 * call stays, a BYE will end it).
 */
#define SIP_T1_MS 500
#define SIP_T2_MS 4000

struct pending_2xx {
	struct le le;
	struct sip_uas *ua;
	const struct sip_msg *msg; /* the INVITE (a reference) */
	struct mbuf *body;	   /* our SDP (a reference) */
	long room;
	struct tmr tmr;
	uint32_t interval_ms;
	uint32_t elapsed_ms;
};

static void
ip_to_api(const struct sa *sa, struct rtpgw_api_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (sa_af(sa) == AF_INET) {
		ip->family = RTPGW_AF_INET;
		ip->v4 = sa->u.in.sin_addr.s_addr;
	} else {
		ip->family = RTPGW_AF_INET6;
		memcpy(ip->v6, &sa->u.in6.sin6_addr, 16);
	}
}

/* The room id from the Request-URI user part, or -1 when it is no room. */
static long
room_of(struct sip_uas *ua, const struct sip_msg *msg)
{
	char user[64];
	char *end;
	long id;

	if (msg->uri.user.l == 0 || msg->uri.user.l >= sizeof(user))
		return -1;
	pl_strcpy(&msg->uri.user, user, sizeof(user));
	if (regexec(&ua->room_re, user, 0, NULL, 0) != 0)
		return -1;
	id = strtol(user, &end, 10);
	if (*end || id <= 0 || id > UINT32_MAX)
		return -1;
	return id;
}

static int
part_flow(struct sip_uas *ua, const struct room_part *p, struct rtpgw_api_participant *ap,
	  uint32_t conf_id)
{
	struct sa peer;

	memset(ap, 0, sizeof(*ap));
	ap->conf_id = conf_id;
	ap->pt = p->pt;
	ip_to_api(&ua->media, &ap->flow.local);
	ap->flow.local_port = htons(p->local_port); /* API ports: network order */
	ap->flow.action = RTPGW_FLOW_MIX;
	ap->flow.src_mode = RTPGW_SRC_LATCH;
	ap->flow.rtcp = RTPGW_RTCP_COMPANION;
	ap->flow.out_local = ap->flow.local;
	ap->flow.out_port = htons(p->local_port);
	if (sa_set_str(&peer, p->peer_ip, p->peer_port))
		return -EINVAL;
	ip_to_api(&peer, &ap->flow.src);
	ip_to_api(&peer, &ap->flow.peer);
	ap->flow.peer_port = htons(p->peer_port);
	ap->flow.src_port = htons(p->peer_port);
	return 0;
}

/* Remove a participant from the dataplane and our records; the room too
 * when it empties. */
static void
part_leave(struct sip_uas *ua, struct room *r, struct room_part *p)
{
	struct rtpgw_api_participant ap;
	struct rtpgw_api_conf conf = {.conf_id = r->id};

	if (part_flow(ua, p, &ap, r->id) == 0)
		(void)dp_client_request(ua->dp, RTPGW_API_PART_LEAVE, &ap, sizeof(ap), NULL, 0,
					NULL);
	rooms_part_del(ua->rs, r, p);
	if (r->n_parts == 0) {
		(void)dp_client_request(ua->dp, RTPGW_API_CONF_DEL, &conf, sizeof(conf), NULL, 0,
					NULL);
		rooms_del(ua->rs, r);
	}
}

static void
send_200(struct sip_uas *ua, const struct sip_msg *msg, long room, struct mbuf *body)
{
	(void)sip_replyf(ua->sip, msg, 200, "OK",
			 "Contact: <sip:%ld@%J;transport=udp>\r\n"
			 "Allow: " SIP_ALLOW "\r\n"
			 "Content-Type: application/sdp\r\n"
			 "Content-Length: %zu\r\n"
			 "\r\n"
			 "%b",
			 room, &msg->dst, mbuf_get_left(body), mbuf_buf(body), mbuf_get_left(body));
}

static void
pending_destructor(void *arg)
{
	struct pending_2xx *pd = arg;

	tmr_cancel(&pd->tmr);
	list_unlink(&pd->le);
	mem_deref((void *)pd->msg);
	mem_deref(pd->body);
}

static void
pending_timeout(void *arg)
{
	struct pending_2xx *pd = arg;

	pd->elapsed_ms += pd->interval_ms;
	if (pd->elapsed_ms >= 64 * SIP_T1_MS) {
		(void)re_fprintf(stderr, "rtpgw-control: no ACK for the 200 to %r, giving up\n",
				 &pd->msg->callid);
		mem_deref(pd);
		return;
	}
	send_200(pd->ua, pd->msg, pd->room, pd->body);
	pd->interval_ms *= 2;
	if (pd->interval_ms > SIP_T2_MS)
		pd->interval_ms = SIP_T2_MS;
	tmr_start(&pd->tmr, pd->interval_ms, pending_timeout, pd);
}

static struct pending_2xx *
pending_lookup(struct sip_uas *ua, const struct pl *callid)
{
	struct le *le;

	LIST_FOREACH(&ua->pending, le)
	{
		struct pending_2xx *pd = le->data;

		if (!pl_cmp(&pd->msg->callid, callid))
			return pd;
	}
	return NULL;
}

/* Send the 200 and keep sending it until its ACK (see SIP_T1_MS). */
static void
send_200_reliably(struct sip_uas *ua, const struct sip_msg *msg, long room, struct mbuf *body)
{
	struct pending_2xx *pd;

	send_200(ua, msg, room, body);
	mem_deref(pending_lookup(ua, &msg->callid));
	pd = mem_zalloc(sizeof(*pd), pending_destructor);
	if (!pd)
		return; /* sent once, as before */
	pd->ua = ua;
	pd->msg = mem_ref((void *)msg);
	pd->body = mem_ref(body);
	pd->room = room;
	pd->interval_ms = SIP_T1_MS;
	tmr_init(&pd->tmr);
	tmr_start(&pd->tmr, pd->interval_ms, pending_timeout, pd);
	list_append(&ua->pending, &pd->le, pd);
}

static void
handle_invite(struct sip_uas *ua, const struct sip_msg *msg)
{
	struct rtpgw_api_participant ap;
	struct room_part part, *old;
	struct mbuf *body = NULL;
	struct room *r;
	bool new_room = false;
	struct sa peer;
	long room;
	int pt, rc;

	room = room_of(ua, msg);
	if (room < 0) {
		(void)sip_reply(ua->sip, msg, 404, "Not Found");
		return;
	}
	memset(&part, 0, sizeof(part));
	pl_strcpy(&msg->callid, part.callid, sizeof(part.callid));
	old = rooms_part_lookup(ua->rs, part.callid, NULL);
	if (old && old->invite_cseq == msg->cseq.num) {
		/* RFC 3261 17.2.1: a retransmitted INVITE gets the same answer */
		if (sip_sdp_answer(&ua->media, msg->mb, old->local_port, old->pt, &body) == 0)
			send_200_reliably(ua, msg, room, body);
		mem_deref(body);
		return;
	}
	if (old) {
		/* re-INVITE: not supported yet (hold, codec change) */
		(void)sip_reply(ua->sip, msg, 488, "Not Acceptable Here");
		return;
	}
	part.invite_cseq = msg->cseq.num;
	rc = sip_sdp_offer(&ua->media, msg->mb, &pt, &peer);
	if (rc < 0) {
		(void)sip_reply(ua->sip, msg, rc == -EPROTO ? 488 : 400,
				rc == -EPROTO ? "Not Acceptable Here" : "Bad SDP");
		return;
	}
	if (!dp_client_connected(ua->dp)) {
		(void)sip_reply(ua->sip, msg, 503, "Service Unavailable");
		return;
	}
	part.pt = (uint8_t)pt;
	part.peer_port = sa_port(&peer);
	sa_ntop(&peer, part.peer_ip, sizeof(part.peer_ip));
	part.local_port = rooms_port_alloc(ua->rs);
	if (part.local_port == 0) {
		(void)sip_reply(ua->sip, msg, 503, "Out Of Media Ports");
		return;
	}

	r = rooms_lookup(ua->rs, (uint32_t)room);
	if (!r) {
		struct rtpgw_api_conf conf = {.conf_id = (uint32_t)room, .ptime_ms = 20};

		rc = dp_client_request(ua->dp, RTPGW_API_CONF_ADD, &conf, sizeof(conf), &conf,
				       sizeof(conf), NULL);
		if (rc < 0 && rc != -EEXIST)
			goto fail_port;
		r = rooms_add(ua->rs, (uint32_t)room);
		if (!r)
			goto fail_conf;
		new_room = true;
	}
	if (part_flow(ua, &part, &ap, r->id) < 0)
		goto fail_room;
	rc = dp_client_request(ua->dp, RTPGW_API_PART_JOIN, &ap, sizeof(ap), NULL, 0, NULL);
	if (rc < 0)
		goto fail_room;
	if (sip_sdp_answer(&ua->media, msg->mb, part.local_port, pt, &body) ||
	    rooms_part_add(r, &part) < 0) {
		(void)dp_client_request(ua->dp, RTPGW_API_PART_LEAVE, &ap, sizeof(ap), NULL, 0,
					NULL);
		mem_deref(body);
		goto fail_room;
	}
	send_200_reliably(ua, msg, room, body);
	mem_deref(body);
	return;

fail_room:
	if (new_room) {
		rooms_del(ua->rs, r);
	fail_conf : {
		struct rtpgw_api_conf conf = {.conf_id = (uint32_t)room};

		(void)dp_client_request(ua->dp, RTPGW_API_CONF_DEL, &conf, sizeof(conf), NULL, 0,
					NULL);
	}
	}
fail_port:
	rooms_port_free(ua->rs, part.local_port);
	if (!dp_client_connected(ua->dp))
		(void)sip_reply(ua->sip, msg, 503, "Service Unavailable");
	else
		(void)sip_reply(ua->sip, msg, 500, "Server Internal Error");
}

static void
handle_bye(struct sip_uas *ua, const struct sip_msg *msg)
{
	char callid[ROOMS_CALLID_MAX];
	struct room_part *p;
	struct room *r;

	pl_strcpy(&msg->callid, callid, sizeof(callid));
	p = rooms_part_lookup(ua->rs, callid, &r);
	if (!p) {
		(void)sip_reply(ua->sip, msg, 481, "Call/Transaction Does Not Exist");
		return;
	}
	mem_deref(pending_lookup(ua, &msg->callid));
	part_leave(ua, r, p);
	(void)sip_reply(ua->sip, msg, 200, "OK");
}

static bool
request_handler(const struct sip_msg *msg, void *arg)
{
	struct sip_uas *ua = arg;

	if (!pl_strcmp(&msg->met, "OPTIONS"))
		(void)sip_replyf(ua->sip, msg, 200, "OK",
				 "Allow: " SIP_ALLOW "\r\n"
				 "Accept: application/sdp\r\n"
				 "Content-Length: 0\r\n\r\n");
	else if (!pl_strcmp(&msg->met, "INVITE"))
		handle_invite(ua, msg);
	else if (!pl_strcmp(&msg->met, "ACK"))
		mem_deref(pending_lookup(ua, &msg->callid)); /* stops the 200 */
	else if (!pl_strcmp(&msg->met, "BYE"))
		handle_bye(ua, msg);
	else
		(void)sip_replyf(ua->sip, msg, 405, "Method Not Allowed",
				 "Allow: " SIP_ALLOW "\r\nContent-Length: 0\r\n\r\n");
	return true;
}

/*
 * The dataplane (re)connected: install every room and participant we hold.
 * After a dataplane restart its tables are empty; after a mere reconnection
 * everything is still there and EEXIST is success. A participant that
 * cannot be installed stays recorded (its BYE still gets 200).
 */
static void
dp_up(void *arg)
{
	struct sip_uas *ua = arg;
	struct rtpgw_api_participant ap;
	unsigned int n_rooms = 0, n_parts = 0;
	struct room_part *p;
	struct room *r;
	int rc;

	for (r = rooms_first(ua->rs); r; r = r->next) {
		struct rtpgw_api_conf conf = {.conf_id = r->id, .ptime_ms = 20};

		rc = dp_client_request(ua->dp, RTPGW_API_CONF_ADD, &conf, sizeof(conf), &conf,
				       sizeof(conf), NULL);
		if (rc < 0 && rc != -EEXIST)
			continue;
		n_rooms++;
		for (p = r->parts; p; p = p->next) {
			if (part_flow(ua, p, &ap, r->id) < 0)
				continue;
			rc = dp_client_request(ua->dp, RTPGW_API_PART_JOIN, &ap, sizeof(ap), NULL,
					       0, NULL);
			if (rc == 0 || rc == -EEXIST)
				n_parts++;
		}
	}
	if (n_rooms)
		fprintf(stderr, "rtpgw-control: re-installed %u rooms, %u participants\n", n_rooms,
			n_parts);
}

struct sip_uas *
sip_uas_create(const struct config *cfg, struct dp_client *dp, struct rooms *rs)
{
	struct sip_uas *ua;
	struct sa laddr;
	int err;

	ua = calloc(1, sizeof(*ua));
	if (!ua)
		return NULL;
	ua->cfg = cfg;
	ua->dp = dp;
	ua->rs = rs;
	if (regcomp(&ua->room_re, cfg->room_pattern, REG_EXTENDED | REG_NOSUB)) {
		free(ua);
		errno = EINVAL;
		return NULL;
	}
	err = sa_set_str(&ua->media, cfg->media_ip, 0);
	if (!err)
		err = sa_set_str(&laddr, cfg->sip_ip, cfg->sip_port);
	if (!err)
		err = sip_alloc(&ua->sip, NULL, 32, 32, 32, "rtpgw-control", NULL, NULL);
	if (!err)
		err = sip_transp_add(ua->sip, SIP_TRANSP_UDP, &laddr);
	if (!err)
		err = sip_listen(&ua->lsnr, ua->sip, true, request_handler, ua);
	if (err) {
		sip_uas_destroy(ua);
		errno = err;
		return NULL;
	}
	dp_client_set_up_handler(dp, dp_up, ua);
	return ua;
}

void
sip_uas_destroy(struct sip_uas *ua)
{
	if (!ua)
		return;
	if (ua->dp)
		dp_client_set_up_handler(ua->dp, NULL, NULL);
	list_flush(&ua->pending);
	mem_deref(ua->lsnr);
	if (ua->sip)
		sip_close(ua->sip, true);
	mem_deref(ua->sip);
	regfree(&ua->room_re);
	free(ua);
}
