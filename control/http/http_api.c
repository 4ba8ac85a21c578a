/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http_api: see http_api.h. Every scrape asks the dataplane afresh (three
 * short requests); when it is unreachable only rtpgw_dataplane_up 0 and
 * control's own figures are exported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <re.h>

#include "http_api.h"

struct http_api {
	struct dp_client *dp;
	struct rooms *rs;
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
	metrics_rooms(h, mb);
	(void)http_creply(conn, 200, "OK", "text/plain; version=0.0.4", "%b", mb->buf, mb->end);
	mem_deref(mb);
}

static void
reply_rooms(struct http_api *h, struct http_conn *conn)
{
	struct mbuf *mb = mbuf_alloc(4096);
	const struct room_part *p;
	const struct room *r;

	if (!mb) {
		(void)http_ereply(conn, 500, "Internal Server Error");
		return;
	}
	mbuf_printf(mb, "{\"rooms\":[");
	for (r = rooms_first(h->rs); r; r = r->next) {
		mbuf_printf(mb, "%s{\"id\":%u,\"participants\":[",
			    r == rooms_first(h->rs) ? "" : ",", r->id);
		for (p = r->parts; p; p = p->next)
			/* Call-IDs are SIP tokens: no quote or backslash to escape */
			mbuf_printf(mb,
				    "%s{\"call_id\":\"%s\",\"local_port\":%u,\"peer\":\"%s\","
				    "\"peer_port\":%u,\"pt\":%u}",
				    p == r->parts ? "" : ",", p->callid, p->local_port, p->peer_ip,
				    p->peer_port, p->pt);
		mbuf_printf(mb, "]}");
	}
	mbuf_printf(mb, "]}\n");
	(void)http_creply(conn, 200, "OK", "application/json", "%b", mb->buf, mb->end);
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
	else
		(void)http_ereply(conn, 404, "Not Found");
}

struct http_api *
http_api_create(const struct config *cfg, struct dp_client *dp, struct rooms *rs)
{
	struct http_api *h;
	struct sa laddr;
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->dp = dp;
	h->rs = rs;
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
