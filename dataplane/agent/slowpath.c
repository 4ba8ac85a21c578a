/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The agent's slow path: what workers hand over (ARP, ICMP, copies of
 * RTCP, events) and the timers (next-hop resolution, idle flows).
 *
 * - ARP (RFC 826): answer requests for our addresses on the port that
 *   owns them; learn the sender of any request or reply for a next hop we
 *   track; ask for unresolved next hops every AGENT_ARP_RETRY_MS and
 *   refresh resolved ones every AGENT_ARP_REFRESH_S (the old MAC stays in
 *   use meanwhile, so refreshing never interrupts media).
 * - ICMP (RFC 792): echo requests to our addresses are answered; anything
 *   else is counted and dropped.
 * - RTCP copies become RTPGW_API_EVENT_RTCP events; worker events become
 *   SSRC_CHANGE events; flows silent for longer than their idle timeout
 *   become FLOW_IDLE events (once per silence).
 * Packets are sent on the port's agent TX queue, never a worker's.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "agent/agent.h"
#include "flow/flow_table.h"
#include "flow/nexthop.h"
#include "mixer/conf.h"
#include "net/cksum.h"
#include "worker/worker.h"

#define DRAIN_BURST 64

static void
agent_tx(struct agent *a, uint16_t port_id, struct rte_mbuf *m)
{
	struct dp_port *p = &a->dp->ports[port_id];

	if (!p->started || rte_eth_tx_burst(port_id, p->agent_txq, &m, 1) != 1) {
		p->slow.slow_drops++;
		rte_pktmbuf_free(m);
	}
}

/* The local address on port_id in the subnet of ip, else its first one. */
static const struct dp_addr *
addr_for(const struct dataplane *dp, uint16_t port_id, uint32_t ip)
{
	const struct dp_addr *first = NULL;

	for (uint16_t i = 0; i < dp->n_addrs; i++) {
		const struct dp_addr *d = &dp->addrs[i];

		if (d->port_id != port_id)
			continue;
		if ((ip & d->mask) == (d->ip & d->mask))
			return d;
		if (first == NULL)
			first = d;
	}
	return first;
}

static void
arp_request(struct agent *a, struct nexthop *nh)
{
	struct dataplane *dp = a->dp;
	const struct dp_addr *src = addr_for(dp, nh->port_id, nh->ip);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;
	struct rte_mbuf *m;

	if (src == NULL || !dp->ports[nh->port_id].started)
		return;
	m = rte_pktmbuf_alloc(dp->pool);
	if (m == NULL)
		return;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eth) + sizeof(*arp));
	arp = (struct rte_arp_hdr *)(eth + 1);
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&dp->ports[nh->port_id].mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&dp->ports[nh->port_id].mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = src->ip;
	memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = nh->ip;
	dp->ports[nh->port_id].slow.arp_requests_tx++;
	nh->last_req_tsc = rte_rdtsc();
	if (nh->n_req < UINT16_MAX)
		nh->n_req++;
	agent_tx(a, nh->port_id, m);
}

void
slowpath_nexthop_kick(struct agent *a, struct nexthop *nh)
{
	uint64_t now = rte_rdtsc();

	/* A new flow to an unresolved hop asks at once, but no more than
	 * once per retry interval however many flows arrive. */
	if (nh->last_req_tsc == 0 ||
	    now - nh->last_req_tsc > a->dp->tsc_hz * AGENT_ARP_RETRY_MS / 1000)
		arp_request(a, nh);
}

static void
arp_input(struct agent *a, struct rte_mbuf *m)
{
	struct dataplane *dp = a->dp;
	struct dp_port *p = &dp->ports[m->port];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);
	struct nexthop *nh;
	int ai;

	if (rte_pktmbuf_data_len(m) < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		goto drop;
	/* RFC 826 merge: update a next hop we already track. */
	nh = nexthop_lookup(dp->nexthops, arp->arp_data.arp_sip, m->port);
	if (nh != NULL && !rte_is_zero_ether_addr(&arp->arp_data.arp_sha) &&
	    rte_is_unicast_ether_addr(&arp->arp_data.arp_sha)) {
		nexthop_set_mac(nh, arp->arp_data.arp_sha.addr_bytes, rte_rdtsc());
		if (arp->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY))
			p->slow.arp_replies_rx++;
	}
	if (arp->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST))
		goto drop;
	ai = dp_addr_index(dp, arp->arp_data.arp_tip);
	if (ai < 0 || dp->addrs[ai].port_id != m->port)
		goto drop;
	/* Answer in place. */
	p->slow.arp_requests_rx++;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&p->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = dp->addrs[ai].ip;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	agent_tx(a, m->port, m);
	return;
drop:
	rte_pktmbuf_free(m);
}

static void
icmp_input(struct agent *a, struct rte_mbuf *m)
{
	struct dp_port *p = &a->dp->ports[m->port];
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_icmp_hdr *icmp = (struct rte_icmp_hdr *)(ip + 1);
	uint16_t ip_len = rte_be_to_cpu_16(ip->total_length);
	uint32_t tmp;

	/* The worker checked Ethernet and IPv4 (no options, length). */
	if (ip_len < sizeof(*ip) + sizeof(*icmp) || icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
	    icmp->icmp_code != 0 ||
	    cksum_fold(cksum_raw(icmp, ip_len - sizeof(*ip), 0)) != 0xffff) {
		p->slow.slow_drops++;
		rte_pktmbuf_free(m);
		return;
	}
	p->slow.icmp_echo++;
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = cksum_update16(icmp->icmp_cksum, RTE_BE16(RTE_IP_ICMP_ECHO_REQUEST << 8),
					  RTE_BE16(RTE_IP_ICMP_ECHO_REPLY << 8));
	tmp = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = tmp;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = cksum_full(ip, sizeof(*ip));
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	agent_tx(a, m->port, m);
}

/* A copy of an RTCP packet as it arrived (before any rewrite). */
static void
rtcp_copy_input(struct agent *a, struct rte_mbuf *m)
{
	struct dataplane *dp = a->dp;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t len = (uint16_t)(rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp));
	struct {
		struct rtpgw_api_event_rtcp e;
		uint8_t data[RTPGW_API_RTCP_MAX];
	} ev;
	const struct flow *f;
	int ai;

	ai = dp_addr_index(dp, ip->dst_addr);
	f = ai >= 0 ? flow_table_get(dp->flows, (uint16_t)ai, udp->dst_port) : NULL;
	if (f == NULL || len > RTPGW_API_RTCP_MAX) {
		rte_pktmbuf_free(m);
		return;
	}
	memset(&ev.e, 0, sizeof(ev.e));
	ev.e.local.family = RTPGW_AF_INET;
	ev.e.local.v4 = ip->dst_addr;
	ev.e.local_port = f->rtp_port;
	ev.e.len = len;
	ev.e.cookie = flow_table_cold(dp->flows, f)->spec.cookie;
	ev.e.time_ns = dp_tsc_to_ns(dp, rte_rdtsc());
	ev.e.src.family = RTPGW_AF_INET;
	ev.e.src.v4 = ip->src_addr;
	ev.e.src_port = udp->src_port;
	memcpy(ev.data, udp + 1, len);
	rte_pktmbuf_free(m);
	agent_event_send(a, RTPGW_API_EVENT_RTCP, &ev, sizeof(ev.e) + len);
}

static void
slow_input(struct agent *a, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

	if (eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		arp_input(a, m);
	else if (ip->next_proto_id == IPPROTO_ICMP)
		icmp_input(a, m);
	else if (ip->next_proto_id == IPPROTO_UDP)
		rtcp_copy_input(a, m);
	else
		rte_pktmbuf_free(m);
}

/* DTMF and active-speaker events of a conference. */
static void
conf_event(struct agent *a, const struct worker_event *we)
{
	struct dataplane *dp = a->dp;
	struct rtpgw_api_event_conf ev;
	const struct conf *c;

	if (dp->confs == NULL || we->old_ssrc >= dp->confs->max_confs ||
	    we->addr_idx >= dp->n_addrs)
		return;
	c = &dp->confs->confs[we->old_ssrc];
	memset(&ev, 0, sizeof(ev));
	ev.conf_id = c->conf_id;
	ev.local.family = RTPGW_AF_INET;
	ev.local.v4 = dp->addrs[we->addr_idx].ip;
	ev.local_port = we->port;
	ev.cookie = c->cookie;
	if (we->type == WORKER_EV_DTMF) {
		ev.digit = (uint8_t)(we->new_ssrc & 0xff);
		ev.duration = we->new_ssrc >> 8;
		agent_event_send(a, RTPGW_API_EVENT_DTMF, &ev, sizeof(ev));
	} else {
		agent_event_send(a, RTPGW_API_EVENT_SPEAKER, &ev, sizeof(ev));
	}
}

static void
worker_event_input(struct agent *a, const struct worker_event *we)
{
	struct dataplane *dp = a->dp;
	struct rtpgw_api_event_flow ev;
	const struct flow *f;

	switch (we->type) {
	case WORKER_EV_RELEASED:
		conf_released(dp, we->old_ssrc, we->new_ssrc);
		return;
	case WORKER_EV_DTMF:
	case WORKER_EV_SPEAKER:
		conf_event(a, we);
		return;
	default:
		break;
	}
	if (we->type != WORKER_EV_SSRC_CHANGE || we->addr_idx >= dp->n_addrs)
		return;
	f = flow_table_get(dp->flows, we->addr_idx, we->port);
	memset(&ev, 0, sizeof(ev));
	ev.local.family = RTPGW_AF_INET;
	ev.local.v4 = dp->addrs[we->addr_idx].ip;
	ev.local_port = we->port;
	ev.old_ssrc = we->old_ssrc;
	ev.new_ssrc = we->new_ssrc;
	ev.cookie = f != NULL ? flow_table_cold(dp->flows, f)->spec.cookie : 0;
	agent_event_send(a, RTPGW_API_EVENT_SSRC_CHANGE, &ev, sizeof(ev));
}

void
slowpath_drain(struct agent *a)
{
	struct dataplane *dp = a->dp;


	for (uint16_t i = 0; i < dp->n_workers; i++) {
		struct worker *w = dp->workers[i];
		struct rte_mbuf *pkts[DRAIN_BURST];
		struct worker_event evs[DRAIN_BURST];
		unsigned int n;

		n = rte_ring_sc_dequeue_burst(w->slow_ring, (void **)pkts, DRAIN_BURST, NULL);
		for (unsigned int k = 0; k < n; k++)
			slow_input(a, pkts[k]);
		n = rte_ring_sc_dequeue_burst_elem(w->event_ring, evs, sizeof(evs[0]), DRAIN_BURST,
						   NULL);
		for (unsigned int k = 0; k < n; k++)
			worker_event_input(a, &evs[k]);
	}
}

static void
idle_scan(struct agent *a, uint64_t now)
{
	struct dataplane *dp = a->dp;
	struct flow_table *t = dp->flows;
	uint32_t end = a->idle_cursor + AGENT_IDLE_SCAN_CHUNK;

	if (end > t->max_flows)
		end = t->max_flows;
	for (uint32_t id = a->idle_cursor; id < end; id++) {
		const struct flow *f = flow_table_by_id(t, id);
		const struct flow_cold *cold;
		struct flow_state_rare *rare;
		struct flow_state *st;
		struct rtpgw_api_event_flow ev;
		uint64_t ref, limit;

		if (f == NULL)
			continue;
		cold = flow_table_cold(t, f);
		if (cold->spec.idle_timeout_ms == 0)
			continue;
		st = flow_table_state(t, f);
		ref = st->last_tsc ? st->last_tsc : cold->added_tsc;
		limit = dp->tsc_hz / 1000 * cold->spec.idle_timeout_ms;
		rare = flow_table_rare(t, f);
		if (now <= ref || now - ref < limit || rare->idle_reported_tsc == ref)
			continue;
		rare->idle_reported_tsc = ref;
		memset(&ev, 0, sizeof(ev));
		ev.local = cold->spec.local;
		ev.local_port = f->rtp_port;
		ev.cookie = cold->spec.cookie;
		ev.idle_ns = (now - ref) * 1000000000ull / dp->tsc_hz;
		agent_event_send(a, RTPGW_API_EVENT_FLOW_IDLE, &ev, sizeof(ev));
	}
	a->idle_cursor = end >= t->max_flows ? 0 : end;
}

void
slowpath_housekeeping(struct agent *a, uint64_t now)
{
	struct nexthop_table *nt = a->dp->nexthops;
	uint64_t hz = a->dp->tsc_hz;

	for (uint32_t i = 0; i < nt->n; i++) {
		struct nexthop *nh = &nt->objs[i];
		uint64_t retry = hz * AGENT_ARP_RETRY_MS / 1000;

		if (nh->refcnt == 0)
			continue;
		if (!nexthop_resolved(nh)) {
			/* Back off to 5 s after 5 unanswered requests. */
			if (nh->n_req >= 5)
				retry *= 5;
			if (now - nh->last_req_tsc >= retry)
				arp_request(a, nh);
		} else if (now - nh->resolved_tsc >= hz * AGENT_ARP_REFRESH_S &&
			   now - nh->last_req_tsc >= retry) {
			arp_request(a, nh);
		}
	}
	idle_scan(a, now);
}
