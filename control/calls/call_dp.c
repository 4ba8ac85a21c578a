/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_dp: see call_dp.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "call_dp.h"

int
call_dp_media(const char *ip, struct rtpgw_api_ip *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, ip, &out->v4) == 1) {
		out->family = RTPGW_AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, out->v6) == 1) {
		out->family = RTPGW_AF_INET6;
		return 0;
	}
	return -EINVAL;
}

static uint32_t
random_ssrc(void)
{
	uint32_t v = 0;

	while (getrandom(&v, sizeof(v), 0) != sizeof(v) || v == 0)
		;
	return v;
}

/* The flow receiving leg's endpoint at our port; egress fields not set. */
static void
flow_in(const struct call *c, unsigned int leg, const struct rtpgw_api_ip *media,
	struct rtpgw_api_flow *f)
{
	const struct call_leg *l = &c->leg[leg];

	memset(f, 0, sizeof(*f));
	f->local = *media;
	f->local_port = htons(l->local_port); /* API ports: network order */
	f->src_mode = RTPGW_SRC_LATCH;
	(void)call_dp_media(l->m.ip, &f->src);
	f->src_port = htons(l->m.port);
	f->flags = RTPGW_FLOW_F_RTCP_EVENTS;
	f->clock_rate = 8000;
	f->cookie = call_cookie(c, leg);
}

void
call_dp_part(const struct call *c, const struct rtpgw_api_ip *media, uint8_t flags,
	     struct rtpgw_api_participant *ap)
{
	const struct call_leg *l = &c->leg[0];

	memset(ap, 0, sizeof(*ap));
	ap->conf_id = c->room;
	ap->pt = l->m.pt;
	ap->flags = flags;
	ap->dtmf_pt = l->m.dtmf_pt;
	flow_in(c, 0, media, &ap->flow);
	ap->flow.action = RTPGW_FLOW_MIX;
	ap->flow.rtcp = l->m.rtcp_mux ? RTPGW_RTCP_MUX : RTPGW_RTCP_COMPANION;
	ap->flow.out_local = *media;
	ap->flow.out_port = htons(l->local_port);
	(void)call_dp_media(l->m.ip, &ap->flow.peer);
	ap->flow.peer_port = htons(l->m.port);
}

void
call_dp_relay_flows(struct call *c, const struct rtpgw_api_ip *media,
		    struct rtpgw_api_flow flows[2])
{
	bool mux = c->leg[0].m.rtcp_mux && c->leg[1].m.rtcp_mux;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		const struct call_leg *to = &c->leg[1 - i];
		struct rtpgw_api_flow *f = &flows[i];

		flow_in(c, i, media, f);
		f->action = RTPGW_FLOW_RELAY;
		f->rtcp = mux ? RTPGW_RTCP_MUX : RTPGW_RTCP_COMPANION;
		f->out_local = *media;
		f->out_port = htons(to->local_port);
		(void)call_dp_media(to->m.ip, &f->peer);
		f->peer_port = htons(to->m.port);
		f->flags |= RTPGW_FLOW_F_SSRC_REWRITE | RTPGW_FLOW_F_SEQ_CONTINUOUS;
		/* chosen once per leg and kept (journal too): a re-install after
		 * a restart must describe the very flow the dataplane holds */
		if (!c->leg[i].ssrc_out)
			c->leg[i].ssrc_out = random_ssrc();
		f->ssrc_out = c->leg[i].ssrc_out;
	}
}

uint8_t
call_dp_part_flags(uint8_t dir)
{
	/* dir is what the participant declared: sendonly means it does not
	 * want to receive (it put us on hold), recvonly that it sends nothing */
	switch (dir) {
	case CALL_SENDONLY:
		return RTPGW_PART_F_DEAF;
	case CALL_RECVONLY:
		return RTPGW_PART_F_MUTE;
	case CALL_INACTIVE:
		return RTPGW_PART_F_MUTE | RTPGW_PART_F_DEAF;
	default:
		return 0;
	}
}

int
call_dp_conf_add(struct dp_client *dp, uint32_t room, uint16_t ptime)
{
	struct rtpgw_api_conf conf = {.conf_id = room, .ptime_ms = ptime};

	return dp_client_request(dp, RTPGW_API_CONF_ADD, &conf, sizeof(conf), &conf, sizeof(conf),
				 NULL);
}

int
call_dp_conf_del(struct dp_client *dp, uint32_t room)
{
	struct rtpgw_api_conf conf = {.conf_id = room};

	return dp_client_request(dp, RTPGW_API_CONF_DEL, &conf, sizeof(conf), NULL, 0, NULL);
}

int
call_dp_join(struct dp_client *dp, const struct call *c, const struct rtpgw_api_ip *media,
	     uint8_t flags)
{
	struct rtpgw_api_participant ap;

	call_dp_part(c, media, flags, &ap);
	return dp_client_request(dp, RTPGW_API_PART_JOIN, &ap, sizeof(ap), NULL, 0, NULL);
}

int
call_dp_part_set(struct dp_client *dp, const struct call *c, const struct rtpgw_api_ip *media,
		 uint8_t flags)
{
	struct rtpgw_api_participant ap;

	call_dp_part(c, media, flags, &ap);
	return dp_client_request(dp, RTPGW_API_PART_SET, &ap, sizeof(ap), NULL, 0, NULL);
}

int
call_dp_leave(struct dp_client *dp, const struct call *c, const struct rtpgw_api_ip *media)
{
	struct rtpgw_api_participant ap;

	call_dp_part(c, media, 0, &ap);
	return dp_client_request(dp, RTPGW_API_PART_LEAVE, &ap, sizeof(ap), NULL, 0, NULL);
}

static int
relay_batch(struct dp_client *dp, uint16_t type, uint32_t flags, const struct rtpgw_api_flow f[2])
{
	struct {
		struct rtpgw_api_flow_batch b;
		struct rtpgw_api_flow flows[2];
	} req;
	struct rtpgw_api_flow_batch_reply rep;

	memset(&req, 0, sizeof(req));
	req.b.count = 2;
	req.b.flags = flags;
	memcpy(req.flows, f, sizeof(req.flows));
	return dp_client_request(dp, type, &req, sizeof(req), &rep, sizeof(rep), NULL);
}

int
call_dp_relay_install(struct dp_client *dp, struct call *c,
		      const struct rtpgw_api_ip *media, bool replace)
{
	struct rtpgw_api_flow f[2];

	call_dp_relay_flows(c, media, f);
	if (replace)
		return relay_batch(dp, RTPGW_API_FLOW_MOD, 0, f);
	return relay_batch(dp, RTPGW_API_FLOW_ADD, RTPGW_API_F_EXIST_OK, f);
}

int
call_dp_relay_remove(struct dp_client *dp, const struct call *c,
		     const struct rtpgw_api_ip *media)
{
	struct rtpgw_api_flow f[2];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].local = *media;
		f[i].local_port = htons(c->leg[i].local_port);
	}
	return relay_batch(dp, RTPGW_API_FLOW_DEL, RTPGW_API_F_MISSING_OK, f);
}

/* Flows read per FLOW_GET: what one reply can carry. */
#define POLL_BATCH                                                                   \
	((RTPGW_API_MSG_MAX - sizeof(struct rtpgw_api_hdr) -                          \
	  sizeof(struct rtpgw_api_flow_info_list)) /                                  \
	 sizeof(struct rtpgw_api_flow_info))

struct poll_batch {
	struct rtpgw_api_flow_batch b;
	struct rtpgw_api_flow flows[POLL_BATCH];
};

static int
poll_flush(struct dp_client *dp, struct poll_batch *req, struct call_leg **legs, uint8_t *reply,
	   uint64_t now_ms)
{
	const struct rtpgw_api_flow_info_list *il = (const void *)reply;
	uint32_t len = 0, i;
	int rc;

	if (req->b.count == 0)
		return 0;
	rc = dp_client_request(dp, RTPGW_API_FLOW_GET, req,
			       (uint32_t)(sizeof(req->b) + req->b.count * sizeof(req->flows[0])),
			       reply, RTPGW_API_MSG_MAX, &len);
	if (rc < 0)
		return rc;
	if (rc == 0 && len >= sizeof(*il) &&
	    len >= sizeof(*il) + (uint64_t)il->count * sizeof(il->infos[0])) {
		for (i = 0; i < il->count && i < req->b.count; i++) {
			struct call_leg *l = legs[i];
			struct call *c = l->call;
			const struct rtpgw_api_flow_stats *st = &il->infos[i].stats;

			if (il->infos[i].flow.action == 0)
				continue; /* gone meanwhile */
			quality_flow_stats(&l->q, st, 8000, now_ms * 1000000ull);
			c->media_packets += st->packets; /* summed below, per poll */
		}
	}
	rc = (int)req->b.count;
	req->b.count = 0;
	req->b.flags = RTPGW_API_F_MISSING_OK;
	return rc;
}

int
call_dp_poll(struct dp_client *dp, struct calls *cs, const struct rtpgw_api_ip *media,
	     uint64_t now_ms)
{
	static struct poll_batch req;
	static struct call_leg *legs[POLL_BATCH];
	static uint8_t reply[RTPGW_API_MSG_MAX];
	struct call *c;
	int n = 0, rc;

	memset(&req.b, 0, sizeof(req.b));
	req.b.flags = RTPGW_API_F_MISSING_OK; /* a flow just removed reads as zeros */
	/* media_packets is rebuilt from this poll; keep the old sum to see growth */
	for (c = calls_first(cs); c; c = c->next) {
		unsigned int i;

		c->media_prev = c->media_packets;
		c->media_packets = 0;
		if (!c->installed)
			continue;
		for (i = 0; i < c->n_legs; i++) {
			struct rtpgw_api_flow *f;

			if (!c->leg[i].local_port)
				continue;
			f = &req.flows[req.b.count];
			memset(f, 0, sizeof(*f));
			f->local = *media;
			f->local_port = htons(c->leg[i].local_port);
			legs[req.b.count++] = &c->leg[i];
			if (req.b.count == POLL_BATCH) {
				rc = poll_flush(dp, &req, legs, reply, now_ms);
				if (rc < 0)
					goto fail;
				n += rc;
			}
		}
	}
	rc = poll_flush(dp, &req, legs, reply, now_ms);
	if (rc < 0)
		goto fail;
	n += rc;
	for (c = calls_first(cs); c; c = c->next) {
		if (c->media_packets != c->media_prev || c->media_seen_ms == 0)
			c->media_seen_ms = now_ms;
	}
	return n;
fail:
	/* unknown this round: keep the previous sums, so no call times out */
	for (c = calls_first(cs); c; c = c->next)
		c->media_packets = c->media_prev;
	return rc;
}

/* NTP short format (middle 32 bits) of a Unix time in ns (RFC 3550 4). */
static uint32_t
ntp_mid32_of_ns(uint64_t unix_ns)
{
	uint64_t sec = unix_ns / 1000000000ull + 2208988800ull; /* 1900 -> 1970 */
	uint64_t frac = ((unix_ns % 1000000000ull) << 32) / 1000000000ull;

	return (uint32_t)(((sec << 32) | frac) >> 16);
}

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
call_dp_event(struct calls *cs, const struct rtpgw_api_hdr *hdr, const void *payload,
	      uint64_t *epoch_ns)
{
	const struct rtpgw_api_event_rtcp *ev = payload;
	struct rtcp_report r;
	struct call_leg *l;
	struct call *c;
	unsigned int leg;

	if (hdr->type != RTPGW_API_EVENT_RTCP || hdr->len < sizeof(*ev) ||
	    hdr->len < sizeof(*ev) + ev->len)
		return -EINVAL;
	c = calls_find(cs, (uint32_t)(ev->cookie >> 1));
	leg = (unsigned int)(ev->cookie & 1);
	if (!c || leg >= c->n_legs)
		return -ENOENT;
	if (rtcp_report_parse(ev->data, ev->len, &r) < 0)
		return -EBADMSG;
	l = &c->leg[leg];
	if (*epoch_ns == 0)
		*epoch_ns = wall_ns() - ev->time_ns;
	/* Relayed: the other endpoint's SR is on its way to this one's peer;
	 * remember when it passed for the peer's LSR (quality.h). Rooms: the
	 * mixer's own SRs carry the wall clock. */
	if (c->kind != CALL_ROOM && r.has_sr)
		quality_sr_passed(&c->leg[1 - leg].q, rtcp_ntp_mid32(r.sr.ntp), ev->time_ns);
	quality_rtcp_from_endpoint(&l->q, &r, ev->time_ns, ntp_mid32_of_ns(*epoch_ns + ev->time_ns),
				   c->kind == CALL_ROOM);
	return 0;
}
