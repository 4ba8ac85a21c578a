/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_api: see http_api.h. Every scrape asks the dataplane afresh (three
 * short requests); when it is unreachable only rtpgw_dataplane_up 0 and
 * control's own figures are exported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <re.h>

#include "../calls/call_json.h"
#include "http_api.h"

struct http_api {
	struct dp_client *dp;
	struct calls *calls;
	struct rooms *rs;
	struct ports *ports;
	struct sip_server *srv;
	struct http_sock *sock;
	uint8_t buf[RTPGW_API_MSG_MAX];
};

static const char *const drop_names[] = {
#define DROP_NAME(n, d) #n,
	RTPGW_FOREACH_DROP(DROP_NAME)
#undef DROP_NAME
};

/* Lower-case copy of a drop reason name for a label value. */
static const char *
drop_label(unsigned int i, char *out, size_t cap)
{
	size_t k;

	if (i >= RTPGW_DROP_MAX) {
		snprintf(out, cap, "reason_%u", i);
		return out;
	}
	for (k = 0; drop_names[i][k] && k + 1 < cap; k++)
		out[k] = (char)(drop_names[i][k] >= 'A' && drop_names[i][k] <= 'Z'
					? drop_names[i][k] + 32
					: drop_names[i][k]);
	out[k] = '\0';
	return out;
}

static void
metrics_ports(struct http_api *h, struct mbuf *mb)
{
	const struct rtpgw_api_port_list *pl = (const void *)h->buf;
	uint32_t len = 0, i;

	if (dp_client_request(h->dp, RTPGW_API_STATS_PORTS, NULL, 0, h->buf, sizeof(h->buf), &len) <
		    0 ||
	    len < sizeof(*pl) || len < sizeof(*pl) + (uint64_t)pl->count * sizeof(pl->ports[0]))
		return;
	mbuf_printf(mb, "# HELP rtpgw_port_packets_total Packets per DPDK port and direction.\n"
			"# TYPE rtpgw_port_packets_total counter\n");
	for (i = 0; i < pl->count; i++) {
		const struct rtpgw_api_port_stats *p = &pl->ports[i];

		mbuf_printf(mb, "rtpgw_port_packets_total{port=\"%u\",dir=\"rx\"} %llu\n",
			    p->port_id, (unsigned long long)p->ipackets);
		mbuf_printf(mb, "rtpgw_port_packets_total{port=\"%u\",dir=\"tx\"} %llu\n",
			    p->port_id, (unsigned long long)p->opackets);
	}
	mbuf_printf(mb, "# HELP rtpgw_port_bytes_total Bytes per DPDK port and direction.\n"
			"# TYPE rtpgw_port_bytes_total counter\n");
	for (i = 0; i < pl->count; i++) {
		const struct rtpgw_api_port_stats *p = &pl->ports[i];

		mbuf_printf(mb, "rtpgw_port_bytes_total{port=\"%u\",dir=\"rx\"} %llu\n", p->port_id,
			    (unsigned long long)p->ibytes);
		mbuf_printf(mb, "rtpgw_port_bytes_total{port=\"%u\",dir=\"tx\"} %llu\n", p->port_id,
			    (unsigned long long)p->obytes);
	}
	mbuf_printf(mb, "# HELP rtpgw_port_errors_total Port errors by kind.\n"
			"# TYPE rtpgw_port_errors_total counter\n");
	for (i = 0; i < pl->count; i++) {
		const struct rtpgw_api_port_stats *p = &pl->ports[i];

		mbuf_printf(mb, "rtpgw_port_errors_total{port=\"%u\",kind=\"imissed\"} %llu\n",
			    p->port_id, (unsigned long long)p->imissed);
		mbuf_printf(mb, "rtpgw_port_errors_total{port=\"%u\",kind=\"ierrors\"} %llu\n",
			    p->port_id, (unsigned long long)p->ierrors);
		mbuf_printf(mb, "rtpgw_port_errors_total{port=\"%u\",kind=\"oerrors\"} %llu\n",
			    p->port_id, (unsigned long long)p->oerrors);
		mbuf_printf(mb, "rtpgw_port_errors_total{port=\"%u\",kind=\"rx_nombuf\"} %llu\n",
			    p->port_id, (unsigned long long)p->rx_nombuf);
	}
}

static void
metrics_workers(struct http_api *h, struct mbuf *mb)
{
	const struct rtpgw_api_worker_list *wl = (const void *)h->buf;
	uint32_t len = 0, i;

	if (dp_client_request(h->dp, RTPGW_API_STATS_WORKERS, NULL, 0, h->buf, sizeof(h->buf),
			      &len) < 0 ||
	    len < sizeof(*wl) || len < sizeof(*wl) + (uint64_t)wl->count * sizeof(wl->workers[0]))
		return;
	mbuf_printf(mb, "# HELP rtpgw_worker_packets_total Packets per worker lcore.\n"
			"# TYPE rtpgw_worker_packets_total counter\n");
	for (i = 0; i < wl->count; i++) {
		const struct rtpgw_api_worker_stats *w = &wl->workers[i];

		mbuf_printf(mb, "rtpgw_worker_packets_total{lcore=\"%u\",kind=\"rx\"} %llu\n",
			    w->lcore_id, (unsigned long long)w->rx_packets);
		mbuf_printf(mb, "rtpgw_worker_packets_total{lcore=\"%u\",kind=\"tx\"} %llu\n",
			    w->lcore_id, (unsigned long long)w->tx_packets);
		mbuf_printf(mb, "rtpgw_worker_packets_total{lcore=\"%u\",kind=\"dropped\"} %llu\n",
			    w->lcore_id, (unsigned long long)w->dropped);
		mbuf_printf(mb, "rtpgw_worker_packets_total{lcore=\"%u\",kind=\"slowpath\"} %llu\n",
			    w->lcore_id, (unsigned long long)w->slowpath);
	}
	mbuf_printf(mb, "# HELP rtpgw_worker_busy_ratio Busy cycles over total cycles.\n"
			"# TYPE rtpgw_worker_busy_ratio gauge\n");
	for (i = 0; i < wl->count; i++) {
		const struct rtpgw_api_worker_stats *w = &wl->workers[i];
		double r = w->total_cycles ? (double)w->busy_cycles / (double)w->total_cycles : 0;

		mbuf_printf(mb, "rtpgw_worker_busy_ratio{lcore=\"%u\"} %.6f\n", w->lcore_id, r);
	}
}

static void
metrics_drops(struct http_api *h, struct mbuf *mb)
{
	const struct rtpgw_api_drops *d = (const void *)h->buf;
	uint32_t len = 0, i;
	char label[48];

	if (dp_client_request(h->dp, RTPGW_API_STATS_DROPS, NULL, 0, h->buf, sizeof(h->buf), &len) <
		    0 ||
	    len < sizeof(*d) || len < sizeof(*d) + (uint64_t)d->count * sizeof(d->drops[0]))
		return;
	mbuf_printf(mb, "# HELP rtpgw_drops_total Packets dropped by the dataplane, by reason.\n"
			"# TYPE rtpgw_drops_total counter\n");
	for (i = 0; i < d->count; i++)
		mbuf_printf(mb, "rtpgw_drops_total{reason=\"%s\"} %llu\n",
			    drop_label(i, label, sizeof(label)), (unsigned long long)d->drops[i]);
}

static uint64_t
now_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A gauge line, or nothing for an unknown (negative) value. */
static void
gauge(struct mbuf *mb, const char *name, uint32_t call, unsigned int leg, double v)
{
	if (v < 0)
		return;
	mbuf_printf(mb, "%s{call=\"%u\",leg=\"%u\"} %.3f\n", name, call, leg, v);
}

static void
metrics_calls(struct http_api *h, struct mbuf *mb)
{
	static const char *const help[][2] = {
		{"rtpgw_call_packets_total", "RTP packets from the leg's endpoint relayed."},
		{"rtpgw_call_lost_packets", "RTP packets from the endpoint lost (RFC 3550 A.3)."},
		{"rtpgw_call_loss_percent", "Loss of what we receive, percent."},
		{"rtpgw_call_remote_loss_percent", "Loss the endpoint reports (RTCP), percent."},
		{"rtpgw_call_jitter_ms", "Interarrival jitter of what we receive (A.8), ms."},
		{"rtpgw_call_remote_jitter_ms", "Jitter the endpoint reports (RTCP), ms."},
		{"rtpgw_call_rtt_ms", "Round trip gateway to endpoint from LSR/DLSR, ms."},
		{"rtpgw_call_mos", "MOS estimate (ITU-T G.107 E-model, simplified)."},
	};
	const struct sip_server_stats *st = sip_server_stats(h->srv);
	const struct call *c;
	struct calls_counts n;
	struct ports_stats ps;
	unsigned int k;

	calls_counts(h->calls, &n);
	ports_stats(h->ports, now_mono_ms(), &ps);
	mbuf_printf(mb,
		    "# HELP rtpgw_calls Calls held by control, by kind and state.\n"
		    "# TYPE rtpgw_calls gauge\n"
		    "rtpgw_calls{kind=\"room\",state=\"active\"} %u\n"
		    "rtpgw_calls{kind=\"relay\",state=\"active\"} %u\n"
		    "rtpgw_calls{kind=\"ng\",state=\"active\"} %u\n"
		    "rtpgw_calls{kind=\"any\",state=\"setup\"} %u\n"
		    "# HELP rtpgw_calls_started_total Calls started.\n"
		    "# TYPE rtpgw_calls_started_total counter\n"
		    "rtpgw_calls_started_total %llu\n"
		    "# HELP rtpgw_calls_ended_total Calls ended.\n"
		    "# TYPE rtpgw_calls_ended_total counter\n"
		    "rtpgw_calls_ended_total %llu\n",
		    n.active_room, n.active_relay, n.active_ng, n.early, (unsigned long long)n.started,
		    (unsigned long long)n.ended);
	mbuf_printf(mb,
		    "# HELP rtpgw_sip_events_total SIP events by kind.\n"
		    "# TYPE rtpgw_sip_events_total counter\n"
		    "rtpgw_sip_events_total{event=\"invite\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"answered\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"rejected_4xx\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"rejected_5xx\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"rejected_6xx\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"cancel\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"bye_rx\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"bye_tx\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"reinvite\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"media_timeout\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"session_expired\"} %llu\n"
		    "rtpgw_sip_events_total{event=\"dataplane_error\"} %llu\n",
		    (unsigned long long)st->invites, (unsigned long long)st->answered,
		    (unsigned long long)st->rejected[4], (unsigned long long)st->rejected[5],
		    (unsigned long long)st->rejected[6], (unsigned long long)st->cancelled,
		    (unsigned long long)st->bye_rx, (unsigned long long)st->bye_tx,
		    (unsigned long long)st->reinvites, (unsigned long long)st->media_timeouts,
		    (unsigned long long)st->session_expired, (unsigned long long)st->dp_errors);
	mbuf_printf(mb,
		    "# HELP rtpgw_media_ports Media ports by state (even RTP ports).\n"
		    "# TYPE rtpgw_media_ports gauge\n"
		    "rtpgw_media_ports{state=\"in_use\"} %u\n"
		    "rtpgw_media_ports{state=\"quarantined\"} %u\n"
		    "rtpgw_media_ports{state=\"free\"} %u\n"
		    "# HELP rtpgw_media_ports_exhausted_total Allocations refused: no port free.\n"
		    "# TYPE rtpgw_media_ports_exhausted_total counter\n"
		    "rtpgw_media_ports_exhausted_total %llu\n",
		    ps.in_use, ps.quarantined, ps.free, (unsigned long long)ps.exhausted);
	for (k = 0; k < sizeof(help) / sizeof(help[0]); k++) {
		mbuf_printf(mb, "# HELP %s %s\n# TYPE %s %s\n", help[k][0], help[k][1], help[k][0],
			    k == 0 ? "counter" : "gauge");
		for (c = calls_first(h->calls); c; c = c->next) {
			unsigned int i;

			if (c->state != CALL_ACTIVE)
				continue;
			for (i = 0; i < c->n_legs; i++) {
				struct leg_quality q;
				double v[] = {0, 0, 0, 0, 0, 0, 0, 0};

				quality_get(&c->leg[i].q, &q);
				v[0] = (double)q.packets;
				v[1] = (double)(q.lost > 0 ? q.lost : 0);
				v[2] = q.loss_pct;
				v[3] = q.remote_loss_pct;
				v[4] = q.jitter_ms;
				v[5] = q.remote_jitter_ms;
				v[6] = q.rtt_ms;
				v[7] = q.mos;
				gauge(mb, help[k][0], c->id, i, v[k]);
			}
		}
	}
}

static void
metrics_rooms(struct http_api *h, struct mbuf *mb)
{
	const struct room *r;

	mbuf_printf(mb,
		    "# HELP rtpgw_rooms Conference rooms held by control.\n"
		    "# TYPE rtpgw_rooms gauge\n"
		    "rtpgw_rooms %u\n",
		    rooms_count(h->rs));
	mbuf_printf(mb, "# HELP rtpgw_room_participants Participants per room.\n"
			"# TYPE rtpgw_room_participants gauge\n");
	for (r = rooms_first(h->rs); r; r = r->next)
		mbuf_printf(mb, "rtpgw_room_participants{room=\"%u\"} %u\n", r->id, r->n_parts);
	mbuf_printf(mb, "# HELP rtpgw_room_mos Worst participant MOS estimate per room.\n"
			"# TYPE rtpgw_room_mos gauge\n");
	for (r = rooms_first(h->rs); r; r = r->next) {
		double worst = -1;
		const struct call *c;

		for (c = calls_first(h->calls); c; c = c->next) {
			struct leg_quality q;

			if (c->kind != CALL_ROOM || c->room != r->id || c->state != CALL_ACTIVE)
				continue;
			quality_get(&c->leg[0].q, &q);
			if (q.mos >= 0 && (worst < 0 || q.mos < worst))
				worst = q.mos;
		}
		if (worst >= 0)
			mbuf_printf(mb, "rtpgw_room_mos{room=\"%u\"} %.3f\n", r->id, worst);
	}
}

static void
reply_metrics(struct http_api *h, struct http_conn *conn)
{
	struct mbuf *mb = mbuf_alloc(8192);
	bool up;

	if (!mb) {
		(void)http_ereply(conn, 500, "Internal Server Error");
		return;
	}
	up = dp_client_connected(h->dp);
	if (up) {
		metrics_ports(h, mb);
		metrics_workers(h, mb);
		metrics_drops(h, mb);
		up = dp_client_connected(h->dp);
	}
	mbuf_printf(mb,
		    "# HELP rtpgw_dataplane_up 1 when control is connected to the dataplane.\n"
		    "# TYPE rtpgw_dataplane_up gauge\n"
		    "rtpgw_dataplane_up %d\n",
		    up ? 1 : 0);
	mbuf_printf(mb,
		    "# HELP rtpgw_dataplane_connects_total Connections made to the dataplane.\n"
		    "# TYPE rtpgw_dataplane_connects_total counter\n"
		    "rtpgw_dataplane_connects_total %llu\n",
		    (unsigned long long)dp_client_connects(h->dp));
	metrics_calls(h, mb);
	metrics_rooms(h, mb);
	(void)http_creply(conn, 200, "OK", "text/plain; version=0.0.4", "%b", mb->buf, mb->end);
	mem_deref(mb);
}

static void
reply_json(struct http_conn *conn, struct mbuf *mb)
{
	(void)http_creply(conn, 200, "OK", "application/json", "%b", mb->buf, mb->end);
}

static void
reply_rooms(struct http_api *h, struct http_conn *conn)
{
	struct mbuf *mb = mbuf_alloc(4096);
	const struct call *c;
	const struct room *r;

	if (!mb) {
		(void)http_ereply(conn, 500, "Internal Server Error");
		return;
	}
	mbuf_printf(mb, "{\"rooms\":[");
	for (r = rooms_first(h->rs); r; r = r->next) {
		bool first = true;

		mbuf_printf(mb, "%s{\"id\":%u,\"participants\":[",
			    r == rooms_first(h->rs) ? "" : ",", r->id);
		for (c = calls_first(h->calls); c; c = c->next) {
			const struct call_leg *l = &c->leg[0];
			struct leg_quality q;
			char qj[512];

			if (c->kind != CALL_ROOM || c->room != r->id || c->state == CALL_ENDED)
				continue;
			quality_get(&l->q, &q);
			if (quality_json(&q, qj, sizeof(qj)) < 0)
				snprintf(qj, sizeof(qj), "null");
			mbuf_printf(mb,
				    "%s{\"call\":%u,\"call_id\":%H,\"local_port\":%u,\"peer\":%H,"
				    "\"peer_port\":%u,\"pt\":%u,\"direction\":\"%s\",\"quality\":%s}",
				    first ? "" : ",", c->id, call_json_str, l->dlg.callid,
				    l->local_port, call_json_str, l->m.ip, l->m.port, l->m.pt,
				    call_dir_name(l->m.dir), qj);
			first = false;
		}
		mbuf_printf(mb, "]}");
	}
	mbuf_printf(mb, "]}\n");
	reply_json(conn, mb);
	mem_deref(mb);
}

static void
reply_calls(struct http_api *h, struct http_conn *conn)
{
	struct mbuf *mb = mbuf_alloc(8192);
	const struct call *c;

	if (!mb) {
		(void)http_ereply(conn, 500, "Internal Server Error");
		return;
	}
	mbuf_printf(mb, "{\"calls\":[");
	for (c = calls_first(h->calls); c; c = c->next)
		mbuf_printf(mb, "%s%H", c == calls_first(h->calls) ? "" : ",", call_json, c);
	mbuf_printf(mb, "]}\n");
	reply_json(conn, mb);
	mem_deref(mb);
}

static void
reply_call(struct http_api *h, struct http_conn *conn, const struct pl *id)
{
	const struct call *c;
	struct mbuf *mb;

	if (id->l == 0 || id->l > 10 || re_regex(id->p, id->l, "[^0-9]") == 0) {
		(void)http_ereply(conn, 404, "Not Found");
		return;
	}
	c = calls_find(h->calls, pl_u32(id));
	if (!c) {
		(void)http_ereply(conn, 404, "Not Found");
		return;
	}
	mb = mbuf_alloc(2048);
	if (!mb) {
		(void)http_ereply(conn, 500, "Internal Server Error");
		return;
	}
	mbuf_printf(mb, "%H\n", call_json, c);
	reply_json(conn, mb);
	mem_deref(mb);
}

static void
request_handler(struct http_conn *conn, const struct http_msg *msg, void *arg)
{
	struct http_api *h = arg;

	if (pl_strcmp(&msg->met, "GET")) {
		(void)http_ereply(conn, 405, "Method Not Allowed");
		return;
	}
	if (!pl_strcmp(&msg->path, "/metrics"))
		reply_metrics(h, conn);
	else if (!pl_strcmp(&msg->path, "/api/rooms"))
		reply_rooms(h, conn);
	else if (!pl_strcmp(&msg->path, "/api/calls"))
		reply_calls(h, conn);
	else if (msg->path.l > 11 && !strncmp(msg->path.p, "/api/calls/", 11)) {
		struct pl id = {msg->path.p + 11, msg->path.l - 11};

		reply_call(h, conn, &id);
	}
	else
		(void)http_ereply(conn, 404, "Not Found");
}

struct http_api *
http_api_create(const struct config *cfg, struct dp_client *dp, struct calls *calls,
		struct rooms *rs, struct ports *ports, struct sip_server *srv)
{
	struct http_api *h;
	struct sa laddr;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->dp = dp;
	h->calls = calls;
	h->rs = rs;
	h->ports = ports;
	h->srv = srv;
	err = sa_set_str(&laddr, cfg->http_ip, cfg->http_port);
	if (!err)
		err = http_listen(&h->sock, &laddr, request_handler, h);
	if (err) {
		free(h);
		errno = err;
		return NULL;
	}
	return h;
}

void
http_api_destroy(struct http_api *h)
{
	if (!h)
		return;
	mem_deref(h->sock);
	free(h);
}
