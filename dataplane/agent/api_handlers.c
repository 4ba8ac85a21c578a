/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * API request handlers: one function per message type, all running on
 * the agent. Batches are checked whole before the first item is applied,
 * and anything that still fails while applying is rolled back, so a
 * failed request changes nothing (docs/API.md).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "agent/agent.h"
#include "agent/api_msg.h"
#include "flow/flow_spec.h"
#include "flow/flow_table.h"
#include "flow/nexthop.h"
#include "mixer/conf.h"
#include "worker/worker.h"

#define PAYLOAD_MAX (RTPGW_API_MSG_MAX - sizeof(struct rtpgw_api_hdr))

struct reply {
	uint8_t *buf; /* payload */
	uint32_t len;
};

static void
ip4(struct rtpgw_api_ip *ip, uint32_t v4)
{
	memset(ip, 0, sizeof(*ip));
	if (v4 != 0) {
		ip->family = RTPGW_AF_INET;
		ip->v4 = v4;
	}
}

static int
handle_hello(struct agent *a, struct agent_client *c, const void *p, struct reply *r)
{
	struct rtpgw_api_hello req, *rep = (void *)r->buf;

	memcpy(&req, p, sizeof(req));
	if (req.version != RTPGW_API_VERSION)
		return -EPROTO;
	memset(rep, 0, sizeof(*rep));
	rep->version = RTPGW_API_VERSION;
	rep->n_workers = a->dp->n_workers;
	rep->max_flows = a->dp->max_flows;
	rep->n_flows = a->dp->flows->n_flows;
	rep->tsc_hz = a->dp->tsc_hz;
	snprintf(rep->name, sizeof(rep->name), "rtpgw-dataplane");
	r->len = sizeof(*rep);
	c->hello = true;
	return 0;
}

static int
handle_addr_list(struct agent *a, struct reply *r)
{
	struct rtpgw_api_addr_list *l = (void *)r->buf;
	const struct dataplane *dp = a->dp;

	l->count = dp->n_addrs;
	l->pad = 0;
	for (uint16_t i = 0; i < dp->n_addrs; i++) {
		struct rtpgw_api_addr *e = &l->addrs[i];
		const struct dp_addr *d = &dp->addrs[i];

		memset(e, 0, sizeof(*e));
		ip4(&e->ip, d->ip);
		e->prefix_len = d->prefix_len;
		e->port_id = d->port_id;
		ip4(&e->gateway, d->gateway);
		memcpy(e->mac, &dp->ports[d->port_id].mac, 6);
	}
	r->len = sizeof(*l) + dp->n_addrs * sizeof(l->addrs[0]);
	return 0;
}

/*
 * The keys a batch has named so far, to refuse two items on one slot in
 * O(1) each (a batch holds up to 481 flows, two slots each with a
 * companion): open addressing, entries valid for the current batch only.
 */
#define BATCH_SET_SIZE 2048 /* power of two, > 2 * 2 * RTPGW_API_FLOW_BATCH_MAX */
static_assert(BATCH_SET_SIZE > 4 * RTPGW_API_FLOW_BATCH_MAX, "batch key set too small");

static struct {
	uint32_t key;
	uint32_t gen;
} batch_set[BATCH_SET_SIZE];
static uint32_t batch_gen;

static void
batch_set_reset(void)
{
	if (++batch_gen == 0) {
		memset(batch_set, 0, sizeof(batch_set));
		batch_gen = 1;
	}
}

/* Add (address index, port); false when it was there already. */
static bool
batch_set_add(uint16_t ai, uint16_t port)
{
	uint32_t key = (uint32_t)ai << 16 | rte_be_to_cpu_16(port);
	uint32_t h = (key * 0x9e3779b1u) >> 21;

	for (;; h = (h + 1) & (BATCH_SET_SIZE - 1)) {
		if (batch_set[h].gen != batch_gen) {
			batch_set[h].gen = batch_gen;
			batch_set[h].key = key;
			return true;
		}
		if (batch_set[h].key == key)
			return false;
	}
}

static int
flow_key(const struct dataplane *dp, const struct rtpgw_api_flow *s, uint16_t *ai)
{
	int i;

	if (s->local.family != RTPGW_AF_INET)
		return s->local.family == RTPGW_AF_INET6 ? -EAFNOSUPPORT : -EINVAL;
	if (s->local_port == 0)
		return -EINVAL;
	i = dp_addr_index(dp, s->local.v4);
	if (i < 0)
		return -EADDRNOTAVAIL;
	*ai = (uint16_t)i;
	return 0;
}

static uint16_t
port_plus_one(uint16_t nbo)
{
	return rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(nbo) + 1));
}

/* Would adding spec collide with the table (ignoring flow `self`)? */
static int
slot_conflict(const struct flow_table *t, uint16_t ai, const struct rtpgw_api_flow *s,
	      const struct flow *self)
{
	const struct flow *f = flow_table_get(t, ai, s->local_port);

	if (f != NULL && f != self)
		return -EEXIST;
	if (s->rtcp == RTPGW_RTCP_COMPANION) {
		f = flow_table_get(t, ai, port_plus_one(s->local_port));
		if (f != NULL && f != self)
			return -EEXIST;
	}
	return 0;
}

static void
kick_nexthop(struct agent *a, struct flow *f)
{
	if (f->nh != NULL && !nexthop_resolved(f->nh))
		slowpath_nexthop_kick(a, f->nh);
}

/* cur is normalized (it is installed); s is as the client sent it. */
static bool
same_spec(const struct rtpgw_api_flow *cur, const struct rtpgw_api_flow *s)
{
	struct rtpgw_api_flow n = *s;

	flow_spec_normalize(&n);
	return flow_spec_equal(cur, &n);
}

/* Keys added by the request being handled (agent only), for rollback. */
static struct {
	uint16_t ai;
	uint16_t port;
} added[RTPGW_API_FLOW_BATCH_MAX];

static int
handle_flow_add(struct agent *a, const struct rtpgw_api_flow_batch *b, uint32_t flags,
		struct rtpgw_api_flow_batch_reply *rep)
{
	struct dataplane *dp = a->dp;
	struct flow_table *t = dp->flows;
	uint32_t n_new = 0, applied = 0;
	uint16_t ai;
	int rc;

	/* Check the whole batch first. */
	batch_set_reset();
	for (uint32_t i = 0; i < b->count; i++) {
		const struct rtpgw_api_flow *s = &b->flows[i];
		const struct flow *cur;

		rep->failed_index = i;
		rc = flow_spec_check(dp, s, &ai);
		if (rc < 0)
			return rc;
		if (s->action == RTPGW_FLOW_MIX)
			return -EINVAL; /* PART_JOIN installs MIX flows */
		/* Two items on one slot (a key twice, or a companion on
		 * another item's port) is an error, even with EXIST_OK. */
		if (!batch_set_add(ai, s->local_port) ||
		    (s->rtcp == RTPGW_RTCP_COMPANION &&
		     !batch_set_add(ai, port_plus_one(s->local_port))))
			return -EEXIST;
		cur = flow_table_get(t, ai, s->local_port);
		if (cur != NULL && (flags & RTPGW_API_F_EXIST_OK) && cur->rtp_port == s->local_port &&
		    same_spec(&flow_table_cold(t, cur)->spec, s))
			continue;
		rc = slot_conflict(t, ai, s, NULL);
		if (rc < 0)
			return rc;
		n_new++;
	}
	if (n_new > t->n_free_ids) {
		rep->failed_index = 0;
		return -ENOSPC;
	}

	for (uint32_t i = 0; i < b->count; i++) {
		const struct rtpgw_api_flow *s = &b->flows[i];
		const struct flow *cur;
		struct flow_cold cold;
		struct flow f;

		rep->failed_index = i;
		flow_spec_check(dp, s, &ai);
		cur = flow_table_get(t, ai, s->local_port);
		if (cur != NULL && same_spec(&flow_table_cold(t, cur)->spec, s))
			continue; /* EXIST_OK, checked above */
		rc = flow_spec_resolve(dp, s, &f, &cold);
		if (rc == 0) {
			cold.added_tsc = rte_rdtsc();
			rc = flow_table_add(t, ai, &f, &cold);
		}
		if (rc < 0) {
			flow_spec_release(&f);
			goto rollback;
		}
		kick_nexthop(a, &f);
		added[applied].ai = ai;
		added[applied].port = s->local_port;
		applied++;
	}
	rep->applied = applied;
	return 0;

rollback:
	/* Undo what this request added, so that it changes nothing. */
	for (uint32_t j = 0; j < applied; j++)
		flow_table_del(t, added[j].ai, added[j].port);
	flow_table_sync(t);
	rep->applied = 0;
	return rc;
}

static int
handle_flow_mod(struct agent *a, const struct rtpgw_api_flow_batch *b, uint32_t flags,
		struct rtpgw_api_flow_batch_reply *rep)
{
	struct dataplane *dp = a->dp;
	struct flow_table *t = dp->flows;
	uint32_t applied = 0;
	uint16_t ai;
	int rc;

	batch_set_reset();
	for (uint32_t i = 0; i < b->count; i++) {
		const struct rtpgw_api_flow *s = &b->flows[i];
		const struct flow *cur;

		rep->failed_index = i;
		rc = flow_spec_check(dp, s, &ai);
		if (rc < 0)
			return rc;
		/* As for ADD: two items on one slot, companions included. */
		if (!batch_set_add(ai, s->local_port) ||
		    (s->rtcp == RTPGW_RTCP_COMPANION &&
		     !batch_set_add(ai, port_plus_one(s->local_port))))
			return -EEXIST;
		cur = flow_table_get(t, ai, s->local_port);
		if (cur != NULL && (s->action == RTPGW_FLOW_MIX || cur->action == RTPGW_FLOW_MIX))
			return -EINVAL; /* participants change through PART_SET */
		if (cur == NULL || cur->rtp_port != s->local_port) {
			if (flags & RTPGW_API_F_MISSING_OK)
				continue;
			return -ENOENT;
		}
		rc = slot_conflict(t, ai, s, cur);
		if (rc < 0)
			return rc;
	}
	for (uint32_t i = 0; i < b->count; i++) {
		const struct rtpgw_api_flow *s = &b->flows[i];
		const struct flow *cur;
		struct flow_cold cold;
		struct flow nf;

		rep->failed_index = i;
		flow_spec_check(dp, s, &ai);
		cur = flow_table_get(t, ai, s->local_port);
		if (cur == NULL || cur->rtp_port != s->local_port)
			continue; /* MISSING_OK */
		rc = flow_spec_resolve(dp, s, &nf, &cold);
		if (rc == 0)
			rc = flow_table_mod(t, ai, &nf, &cold);
		if (rc < 0) {
			/* Only a route or next-hop failure gets here; the
			 * items before stay modified, reported in applied. */
			flow_spec_release(&nf);
			flow_table_sync(t);
			rep->applied = applied;
			return rc;
		}
		kick_nexthop(a, &nf);
		applied++;
	}
	flow_table_sync(t);
	rep->applied = applied;
	return 0;
}

static int
handle_flow_del(struct agent *a, const struct rtpgw_api_flow_batch *b, uint32_t flags,
		struct rtpgw_api_flow_batch_reply *rep)
{
	struct flow_table *t = a->dp->flows;
	uint32_t applied = 0;
	uint16_t ai;
	int rc;

	batch_set_reset();
	for (uint32_t i = 0; i < b->count; i++) {
		const struct flow *cur;
		bool first;

		rep->failed_index = i;
		rc = flow_key(a->dp, &b->flows[i], &ai);
		if (rc < 0)
			return rc;
		/* A key named twice is deleted once: only its first mention
		 * must find it. */
		first = batch_set_add(ai, b->flows[i].local_port);
		cur = flow_table_get(t, ai, b->flows[i].local_port);
		if (cur != NULL && cur->action == RTPGW_FLOW_MIX)
			return -EBUSY; /* a participant: PART_LEAVE removes it */
		if ((cur == NULL || cur->rtp_port != b->flows[i].local_port) &&
		    !(flags & RTPGW_API_F_MISSING_OK) && first)
			return -ENOENT;
	}
	for (uint32_t i = 0; i < b->count; i++) {
		flow_key(a->dp, &b->flows[i], &ai);
		if (flow_table_del(t, ai, b->flows[i].local_port) == 0)
			applied++;
	}
	/* One grace period for the whole batch. */
	flow_table_sync(t);
	rep->applied = applied;
	return 0;
}

static void
fill_info(const struct agent *a, const struct flow *f, struct rtpgw_api_flow_info *info)
{
	const struct flow_state *st = flow_table_state(a->dp->flows, f);
	struct rtpgw_api_flow_stats *s = &info->stats;

	info->flow = flow_table_cold(a->dp->flows, f)->spec;
	memset(s, 0, sizeof(*s));
	s->packets = st->packets;
	s->octets = st->octets;
	s->rtcp_packets = flow_table_rare(a->dp->flows, f)->rtcp_packets;
	s->dropped = flow_table_rare(a->dp->flows, f)->dropped;
	s->last_seen_ns = st->last_tsc ? dp_tsc_to_ns(a->dp, st->last_tsc) : 0;
	s->ssrc = st->ssrc;
	s->ssrc_changes = flow_table_rare(a->dp->flows, f)->ssrc_changes;
	s->pt_changes = flow_table_rare(a->dp->flows, f)->pt_changes;
	s->pt = st->pt;
	s->latched = st->latched;
	if (st->ssrc_valid) {
		s->lost = rtp_stats_lost(&st->rtp);
		s->expected = rtp_stats_expected(&st->rtp);
	}
	s->received = st->rtp.received;
	s->duplicates = st->rtp.duplicates;
	s->reordered = st->rtp.reordered;
	s->seq_cycles = st->rtp.cycles;
	s->seq_restarts = st->rtp.restarts;
	s->jitter = rtp_stats_jitter_units(&st->rtp);
	if (st->latched) {
		ip4(&s->latched_ip, st->latched_ip);
		s->latched_port = st->latched_port;
	}
}

static int
handle_flow_get(struct agent *a, const struct rtpgw_api_flow_batch *b, struct reply *r)
{
	struct rtpgw_api_flow_info_list *l = (void *)r->buf;
	struct flow_table *t = a->dp->flows;
	uint16_t ai;
	int rc;

	if (sizeof(*l) + (size_t)b->count * sizeof(l->infos[0]) > PAYLOAD_MAX)
		return -EMSGSIZE;
	for (uint32_t i = 0; i < b->count; i++) {
		const struct flow *f;

		rc = flow_key(a->dp, &b->flows[i], &ai);
		if (rc < 0)
			return rc;
		f = flow_table_get(t, ai, b->flows[i].local_port);
		if (f == NULL || f->rtp_port != b->flows[i].local_port) {
			if (!(b->flags & RTPGW_API_F_MISSING_OK))
				return -ENOENT;
			/* a poller asking for many: this one is gone (action 0) */
			memset(&l->infos[i], 0, sizeof(l->infos[i]));
			l->infos[i].flow.local = b->flows[i].local;
			l->infos[i].flow.local_port = b->flows[i].local_port;
			continue;
		}
		fill_info(a, f, &l->infos[i]);
	}
	l->count = b->count;
	l->next = 0;
	r->len = sizeof(*l) + b->count * sizeof(l->infos[0]);
	return 0;
}

static int
handle_flow_list(struct agent *a, const void *p, struct reply *r)
{
	struct rtpgw_api_flow_info_list *l = (void *)r->buf;
	struct rtpgw_api_flow_list_req req;
	uint32_t cap = (PAYLOAD_MAX - sizeof(*l)) / sizeof(l->infos[0]);
	uint32_t n = 0, cursor;
	uint16_t ai;

	memcpy(&req, p, sizeof(req));
	if (req.max != 0 && req.max < cap)
		cap = req.max;
	cursor = req.cursor;
	while (n < cap) {
		const struct flow *f = flow_table_next(a->dp->flows, &cursor, &ai);

		if (f == NULL) {
			cursor = 0;
			break;
		}
		fill_info(a, f, &l->infos[n++]);
	}
	/* Nothing left after the last one returned: say so now. */
	if (cursor != 0) {
		uint32_t probe = cursor;

		if (flow_table_next(a->dp->flows, &probe, &ai) == NULL)
			cursor = 0;
	}
	l->count = n;
	l->next = cursor;
	r->len = sizeof(*l) + n * sizeof(l->infos[0]);
	return 0;
}

static int
handle_stats_ports(struct agent *a, struct reply *r)
{
	struct rtpgw_api_port_list *l = (void *)r->buf;
	const struct dataplane *dp = a->dp;

	l->count = dp->n_ports;
	l->pad = 0;
	for (uint16_t i = 0; i < dp->n_ports; i++) {
		uint16_t pid = dp->port_ids[i];
		const struct dp_port *p = &dp->ports[pid];
		struct rtpgw_api_port_stats *e = &l->ports[i];
		struct rte_eth_stats es;

		memset(e, 0, sizeof(*e));
		e->port_id = pid;
		memcpy(e->mac, &p->mac, 6);
		rte_eth_dev_get_name_by_port(pid, e->name);
		if (rte_eth_stats_get(pid, &es) == 0) {
			e->ipackets = es.ipackets;
			e->opackets = es.opackets;
			e->ibytes = es.ibytes;
			e->obytes = es.obytes;
			e->imissed = es.imissed;
			e->ierrors = es.ierrors;
			e->oerrors = es.oerrors;
			e->rx_nombuf = es.rx_nombuf;
		}
		e->arp_requests_rx = p->slow.arp_requests_rx;
		e->arp_requests_tx = p->slow.arp_requests_tx;
		e->icmp_echo = p->slow.icmp_echo;
		e->slow_drops = p->slow.slow_drops;
	}
	r->len = sizeof(*l) + dp->n_ports * sizeof(l->ports[0]);
	return 0;
}

static int
handle_stats_workers(struct agent *a, struct reply *r)
{
	struct rtpgw_api_worker_list *l = (void *)r->buf;
	const struct dataplane *dp = a->dp;

	l->count = dp->n_workers;
	l->pad = 0;
	for (uint16_t i = 0; i < dp->n_workers; i++) {
		const struct worker *w = dp->workers[i];
		struct rtpgw_api_worker_stats *e = &l->workers[i];
		uint64_t dropped = 0;

		for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++)
			dropped += w->stats.drops[k];
		memset(e, 0, sizeof(*e));
		e->lcore_id = w->lcore_id;
		e->n_rxq = w->n_rxq;
		e->rx_packets = w->stats.rx;
		e->tx_packets = w->stats.tx;
		e->dropped = dropped;
		e->slowpath = w->stats.slowpath;
		e->busy_cycles = w->stats.busy_cycles;
		e->total_cycles = w->stats.total_cycles;
		e->polls = w->stats.polls;
	}
	r->len = sizeof(*l) + dp->n_workers * sizeof(l->workers[0]);
	return 0;
}

static int
handle_stats_drops(struct agent *a, struct reply *r)
{
	struct rtpgw_api_drops *d = (void *)r->buf;

	d->count = RTPGW_DROP_MAX;
	d->pad = 0;
	for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++) {
		d->drops[k] = 0;
		for (uint16_t i = 0; i < a->dp->n_workers; i++)
			d->drops[k] += a->dp->workers[i]->stats.drops[k];
	}
	r->len = sizeof(*d) + RTPGW_DROP_MAX * sizeof(d->drops[0]);
	return 0;
}

static int
handle_conf(struct agent *a, uint16_t type, const void *p, struct reply *r)
{
	struct dataplane *dp = a->dp;
	struct rtpgw_api_participant part;
	struct rtpgw_api_conf conf;
	long n;

	if (dp->confs == NULL || dp->confs->max_confs == 0)
		return -ENOTSUP; /* started with --max-confs 0 */
	switch (type) {
	case RTPGW_API_CONF_ADD:
		memcpy(&conf, p, sizeof(conf));
		return conf_add(dp, &conf);
	case RTPGW_API_CONF_DEL:
		memcpy(&conf, p, sizeof(conf));
		return conf_del(dp, conf.conf_id);
	case RTPGW_API_CONF_SET:
		memcpy(&conf, p, sizeof(conf));
		return conf_set(dp, &conf);
	case RTPGW_API_CONF_GET:
		memcpy(&conf, p, sizeof(conf));
		n = conf_get(dp, conf.conf_id, (struct rtpgw_api_conf_info *)r->buf,
			     (uint32_t)((PAYLOAD_MAX - sizeof(struct rtpgw_api_conf_info)) /
					sizeof(struct rtpgw_api_part_stats)));
		if (n < 0)
			return (int)n;
		r->len = (uint32_t)n;
		return 0;
	case RTPGW_API_PART_JOIN: {
		const struct flow *f;
		int rc;

		memcpy(&part, p, sizeof(part));
		rc = conf_join(dp, &part);
		if (rc < 0)
			return rc;
		/* Resolve the participant's next hop now, as FLOW_ADD does. */
		f = flow_table_get(dp->flows, (uint16_t)dp_addr_index(dp, part.flow.local.v4),
				   part.flow.local_port);
		if (f != NULL)
			kick_nexthop(a, (struct flow *)f);
		return 0;
	}
	case RTPGW_API_PART_LEAVE:
		memcpy(&part, p, sizeof(part));
		return conf_leave(dp, &part);
	default:
		memcpy(&part, p, sizeof(part));
		return conf_part_set(dp, &part);
	}
}

static int
dispatch(struct agent *a, struct agent_client *c, const struct rtpgw_api_hdr *h, const void *p,
	 struct reply *r)
{
	const struct rtpgw_api_flow_batch *b = p;
	struct rtpgw_api_flow_batch_reply *br = (void *)r->buf;
	int rc;

	switch (h->type) {
	case RTPGW_API_HELLO:
		return handle_hello(a, c, p, r);
	case RTPGW_API_ADDR_LIST:
		return handle_addr_list(a, r);
	case RTPGW_API_FLOW_ADD:
	case RTPGW_API_FLOW_MOD:
	case RTPGW_API_FLOW_DEL:
		memset(br, 0, sizeof(*br));
		r->len = sizeof(*br);
		if (b->flags & ~(RTPGW_API_F_EXIST_OK | RTPGW_API_F_MISSING_OK))
			return -EINVAL;
		if (h->type == RTPGW_API_FLOW_ADD)
			rc = handle_flow_add(a, b, b->flags, br);
		else if (h->type == RTPGW_API_FLOW_MOD)
			rc = handle_flow_mod(a, b, b->flags, br);
		else
			rc = handle_flow_del(a, b, b->flags, br);
		return rc;
	case RTPGW_API_FLOW_GET:
		return handle_flow_get(a, b, r);
	case RTPGW_API_FLOW_LIST:
		return handle_flow_list(a, p, r);
	case RTPGW_API_STATS_PORTS:
		return handle_stats_ports(a, r);
	case RTPGW_API_STATS_WORKERS:
		return handle_stats_workers(a, r);
	case RTPGW_API_STATS_DROPS:
		return handle_stats_drops(a, r);
	case RTPGW_API_EVENTS_SUBSCRIBE:
		c->events = true;
		return 0;
	case RTPGW_API_CONF_ADD:
	case RTPGW_API_CONF_DEL:
	case RTPGW_API_CONF_SET:
	case RTPGW_API_CONF_GET:
	case RTPGW_API_PART_JOIN:
	case RTPGW_API_PART_LEAVE:
	case RTPGW_API_PART_SET:
		return handle_conf(a, h->type, p, r);
	default:
		return -ENOTSUP;
	}
}

size_t
api_handle(struct agent *a, struct agent_client *c, const void *req, size_t len, void *reply)
{
	struct rtpgw_api_hdr *rh = reply;
	struct rtpgw_api_hdr h;
	struct reply r = {.buf = (uint8_t *)(rh + 1), .len = 0};
	int rc;

	a->stats.api_requests++;
	/* Whatever header fields arrived are echoed (a truncated request
	 * still gets its id back when the id made it). */
	memset(&h, 0, sizeof(h));
	memcpy(&h, req, RTE_MIN(len, sizeof(h)));
	rc = api_msg_check(req, len, c->hello);
	if (rc == 0)
		rc = dispatch(a, c, &h, (const uint8_t *)req + sizeof(h), &r);
	if (rc < 0) {
		a->stats.api_errors++;
		/* Batch replies keep their applied/failed_index payload. */
		if (!(h.type == RTPGW_API_FLOW_ADD || h.type == RTPGW_API_FLOW_MOD ||
		      h.type == RTPGW_API_FLOW_DEL) ||
		    r.len != sizeof(struct rtpgw_api_flow_batch_reply))
			r.len = 0;
	}
	api_msg_reply_hdr(rh, &h, rc, r.len);
	return sizeof(*rh) + r.len;
}
