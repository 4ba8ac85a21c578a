/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The relay pipeline, run by workers on every received burst:
 *
 *   classify (Ethernet, ARP -> agent, IPv4 checks, our address?, ICMP ->
 *   agent, UDP checks) -> flow lookup (addr index, dst port) -> source
 *   check (strict / latch / any) -> RTP: RFC 3550 A.1/A.8 statistics and
 *   rewrite (SSRC, continuous seq/ts, payload type) | RTCP: validation,
 *   copy to the agent, SSRC translation -> L2/L3/L4 rewrite with RFC 1624
 *   incremental checksums -> buffered TX on the egress port.
 *
 * Every packet ends in exactly one place: a TX buffer, an agent ring, or
 * freed under a named drop reason (RTPGW_FOREACH_DROP).
 */
#include <errno.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "flow/flow_table_fast.h"
#include "flow/nexthop.h"
#include "mixer/mixer_fast.h"
#include "net/cksum.h"
#include "rtcp/rtcp.h"
#include "rtp/rtp.h"
#include "rtp/rtp_stats.h"
#include "worker/worker.h"

#define OUT_TTL 64
#define PREFETCH_OFFSET 4
#define FLOW_AHEAD 6

/* A verdict for one packet. */
enum {
	VERDICT_TX = RTPGW_DROP_MAX, /* values below are drop reasons */
	VERDICT_SLOW,
	VERDICT_TAKEN, /* the mixer took the packet */
};

struct pkt_hdrs {
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *l5;
	uint32_t l5_len;
	bool l4_ok; /* UDP checksum verified (or absent) */
};

static inline void
drop(struct worker *w, struct rte_mbuf *m, unsigned int reason)
{
	RTE_ASSERT(reason < RTPGW_DROP_MAX);
	w->stats.drops[reason]++;
	rte_pktmbuf_free(m);
}

static inline void
to_agent(struct worker *w, struct rte_mbuf *m)
{
	if (rte_ring_sp_enqueue(w->slow_ring, m) != 0) {
		drop(w, m, RTPGW_DROP_SLOWPATH_FULL);
		return;
	}
	w->stats.slowpath++;
}

static inline uint16_t
udp_cksum_fix(uint16_t c)
{
	/* RFC 768: a computed zero is sent as all ones. */
	return c == 0 ? 0xffff : c;
}

/* RTP clock units for a TSC value (wraps modulo 2^32, as RTP does). */
static inline uint32_t
tsc_to_rtp(const struct flow *f, uint64_t tsc)
{
	return (uint32_t)(((unsigned __int128)tsc * f->ts_mult) >> FLOW_TS_MULT_SHIFT);
}

/*
 * Classify: Ethernet to UDP. Returns VERDICT_TX when h holds a UDP
 * packet for one of our addresses (addr index in *ai), VERDICT_SLOW for
 * the agent, or a drop reason.
 */
static inline unsigned int
classify(struct worker *w, uint16_t rx_port, struct rte_mbuf *m, struct pkt_hdrs *h, int *ai)
{
	const struct dataplane *dp = w->dp;
	uint32_t len = rte_pktmbuf_data_len(m);
	uint16_t ip_len, udp_len;

	if (unlikely(m->nb_segs != 1))
		return RTPGW_DROP_TRUNCATED;
	if (unlikely(len < sizeof(struct rte_ether_hdr)))
		return RTPGW_DROP_NOT_ETHER;
	h->eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	if (h->eth->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return VERDICT_SLOW;
	if (unlikely(h->eth->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4)))
		return RTPGW_DROP_BAD_ETHERTYPE;
	if (unlikely(!rte_is_same_ether_addr(&h->eth->dst_addr, &dp->ports[rx_port].mac)))
		return RTPGW_DROP_NOT_ETHER;
	if (unlikely(len < sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr)))
		return RTPGW_DROP_TRUNCATED;
	h->ip = (struct rte_ipv4_hdr *)(h->eth + 1);
	if (unlikely((h->ip->version_ihl >> 4) != 4))
		return RTPGW_DROP_BAD_IP_VERSION;
	if (unlikely((h->ip->version_ihl & 0xf) != 5))
		return (h->ip->version_ihl & 0xf) < 5 ? RTPGW_DROP_BAD_IP_VERSION
						      : RTPGW_DROP_IP_OPTIONS;
	ip_len = rte_be_to_cpu_16(h->ip->total_length);
	if (unlikely(ip_len < sizeof(struct rte_ipv4_hdr) ||
		     ip_len > len - sizeof(struct rte_ether_hdr)))
		return RTPGW_DROP_TRUNCATED;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return RTPGW_DROP_BAD_IP_CKSUM;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) != RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
	    unlikely(cksum_fold(cksum_raw(h->ip, sizeof(*h->ip), 0)) != 0xffff))
		return RTPGW_DROP_BAD_IP_CKSUM;
	*ai = dp_addr_index(dp, h->ip->dst_addr);
	if (unlikely(*ai < 0))
		return RTPGW_DROP_NOT_OURS;
	if (unlikely(h->ip->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return RTPGW_DROP_IP_FRAGMENT;
	if (h->ip->next_proto_id == IPPROTO_ICMP)
		return VERDICT_SLOW;
	if (unlikely(h->ip->next_proto_id != IPPROTO_UDP))
		return RTPGW_DROP_BAD_PROTO;
	if (unlikely(ip_len < sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr)))
		return RTPGW_DROP_TRUNCATED;
	h->udp = (struct rte_udp_hdr *)(h->ip + 1);
	udp_len = rte_be_to_cpu_16(h->udp->dgram_len);
	if (unlikely(udp_len != ip_len - sizeof(struct rte_ipv4_hdr)))
		return RTPGW_DROP_TRUNCATED;
	/*
	 * UDP checksum: a bad one reported by the NIC is dropped. Software
	 * verification is optional (--udp-cksum-verify): the relay updates
	 * the checksum incrementally (RFC 1624), which preserves an error, so
	 * the receiving endpoint still rejects a corrupted datagram. Verifying
	 * costs a pass over the payload, the packet's largest cost after the
	 * table lookups. RTCP is always verified before it is rewritten.
	 */
	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return RTPGW_DROP_BAD_UDP_CKSUM;
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
		h->l4_ok = true;
		break;
	default:
		h->l4_ok = h->udp->dgram_cksum == 0;
		if (!h->l4_ok && dp->udp_cksum_verify) {
			if (unlikely(rte_ipv4_udptcp_cksum_verify(h->ip, h->udp) != 0))
				return RTPGW_DROP_BAD_UDP_CKSUM;
			h->l4_ok = true;
		}
	}
	h->l5 = (uint8_t *)(h->udp + 1);
	h->l5_len = udp_len - sizeof(struct rte_udp_hdr);
	/* Trailing Ethernet padding is not part of the datagram. */
	if (len > sizeof(struct rte_ether_hdr) + ip_len)
		rte_pktmbuf_trim(m, (uint16_t)(len - sizeof(struct rte_ether_hdr) - ip_len));
	return VERDICT_TX;
}

/* Source check (strict / latch / any). is_rtcp: arrived on the companion
 * port, whose source port is the RTP source port + 1. */
static inline bool
source_ok(const struct flow *f, struct flow_state *st, const struct pkt_hdrs *h, bool companion)
{
	uint16_t sport = h->udp->src_port;
	uint16_t rtp_sport = companion ? rte_cpu_to_be_16(rte_be_to_cpu_16(sport) - 1) : sport;

	switch (f->src_mode) {
	case RTPGW_SRC_STRICT:
		return h->ip->src_addr == f->src_ip && rtp_sport == f->src_port;
	case RTPGW_SRC_LATCH:
		if (st->latched)
			return h->ip->src_addr == st->latched_ip && rtp_sport == st->latched_port;
		/* Latch on RTP only; RTCP before the first RTP is let through
		 * from the expected address when one is given. */
		if (companion)
			return f->src_ip == 0 || h->ip->src_addr == f->src_ip;
		st->latched_ip = h->ip->src_addr;
		st->latched_port = sport;
		st->latched = 1;
		return true;
	default:
		return true;
	}
}

/*
 * RTP: statistics (RFC 3550 A.1, A.8) and the header rewrite the flow
 * asks for. Every change of a 16-bit word is added to *udp_delta (RFC
 * 1624), applied to the UDP checksum once with the L3/L4 changes.
 */
static inline unsigned int
rtp_process(struct worker *w, const struct flow *f, struct flow_state *st, struct pkt_hdrs *h,
	    uint32_t *udp_delta)
{
	struct rtp_info ri;
	uint8_t *b = h->l5;
	int rc;

	rc = rtp_parse(b, h->l5_len, &ri);
	if (unlikely(rc != 0))
		return rc == -EPROTONOSUPPORT ? RTPGW_DROP_BAD_RTP_VERSION : RTPGW_DROP_BAD_RTP;

	if (unlikely(!st->ssrc_valid || ri.ssrc != st->ssrc)) {
		if (st->ssrc_valid) {
			struct worker_event ev = {
				.type = WORKER_EV_SSRC_CHANGE,
				.addr_idx = f->addr_idx,
				.port = f->rtp_port,
				.old_ssrc = st->ssrc,
				.new_ssrc = ri.ssrc,
			};
			flow_table_rare(w->flows, f)->ssrc_changes++;
			/* A full event ring loses the event, never the packet. */
			rte_ring_sp_enqueue_elem(w->event_ring, &ev, sizeof(ev));
			if (st->out_valid) {
				/* Keep the outgoing stream continuous: next seq,
				 * and a timestamp advanced by the wall time since
				 * the last packet sent. */
				st->seq_off = (uint16_t)(st->last_out_seq + 1 - ri.seq);
				st->ts_off = st->last_out_ts +
					     tsc_to_rtp(f, w->now - st->last_out_tsc) - ri.ts;
			}
		}
		st->ssrc = ri.ssrc;
		st->ssrc_valid = 1;
		st->pt = ri.pt;
		rtp_stats_init(&st->rtp, ri.seq);
		st->rtp.probation = 0; /* relayed media is valid from its first packet */
	} else {
		if (unlikely(ri.pt != st->pt)) {
			flow_table_rare(w->flows, f)->pt_changes++;
			st->pt = ri.pt;
		}
		rtp_stats_update(&st->rtp, ri.seq);
	}
	rtp_stats_jitter(&st->rtp, ri.ts, tsc_to_rtp(f, w->now));
	st->packets++;
	st->octets += ri.payload_len;

	if (f->flags & RTPGW_FLOW_F_PT_MAP) {
		uint8_t pt = flow_table_cold(w->flows, f)->pt_map[ri.pt];

		if (pt != ri.pt) {
			uint16_t old, new;

			memcpy(&old, b, 2);
			b[1] = (uint8_t)((b[1] & 0x80) | pt);
			memcpy(&new, b, 2);
			*udp_delta = cksum_delta16(*udp_delta, old, new);
		}
	}
	if (f->flags & RTPGW_FLOW_F_SEQ_CONTINUOUS) {
		uint16_t seq = (uint16_t)(ri.seq + st->seq_off);
		uint32_t ts = ri.ts + st->ts_off;

		if (st->seq_off || st->ts_off) {
			uint16_t nseq = rte_cpu_to_be_16(seq);
			uint32_t nts = rte_cpu_to_be_32(ts);
			uint16_t oseq;
			uint32_t ots;

			memcpy(&oseq, b + 2, 2);
			memcpy(&ots, b + 4, 4);
			memcpy(b + 2, &nseq, 2);
			memcpy(b + 4, &nts, 4);
			*udp_delta = cksum_delta16(*udp_delta, oseq, nseq);
			*udp_delta = cksum_delta32(*udp_delta, ots, nts);
		}
		st->last_out_seq = seq;
		st->last_out_ts = ts;
		st->last_out_tsc = w->now;
		st->out_valid = 1;
	}
	if (f->flags & RTPGW_FLOW_F_SSRC_REWRITE) {
		uint32_t nssrc = rte_cpu_to_be_32(f->ssrc_out);
		uint32_t ossrc;

		memcpy(&ossrc, b + 8, 4);
		memcpy(b + 8, &nssrc, 4);
		*udp_delta = cksum_delta32(*udp_delta, ossrc, nssrc);
	}
	return VERDICT_TX;
}

/*
 * RTCP: validate (RFC 3550 6.1, A.2; RFC 5506 reduced size allowed), copy
 * to the agent when asked, and translate SSRCs when the flow rewrites them
 * (RFC 3550 7.2). Report
 * blocks speak of the stream this endpoint receives: the reverse flow at
 * our egress (out_ip, out_port), whose rewritten SSRC maps back to the
 * SSRC its source really uses.
 */
static inline unsigned int
rtcp_process(struct worker *w, struct rte_mbuf *m, const struct flow *f, struct flow_state *st,
	     struct pkt_hdrs *h, bool *full_ck)
{
	/* Its checksum may be recomputed below: check it first. */
	if (!h->l4_ok && unlikely(rte_ipv4_udptcp_cksum_verify(h->ip, h->udp) != 0))
		return RTPGW_DROP_BAD_UDP_CKSUM;
	if (unlikely(rtcp_validate_relay(h->l5, h->l5_len, NULL) != 0))
		return RTPGW_DROP_BAD_RTCP;
	flow_table_rare(w->flows, f)->rtcp_packets++;
	if (f->flags & RTPGW_FLOW_F_RTCP_EVENTS) {
		struct rte_mbuf *c = rte_pktmbuf_copy(m, w->dp->pool, 0, UINT32_MAX);

		if (c != NULL)
			to_agent(w, c);
		else
			w->stats.drops[RTPGW_DROP_SLOWPATH_FULL]++;
	}
	if (f->flags & RTPGW_FLOW_F_SSRC_REWRITE && st->ssrc_valid) {
		const struct flow *rev = NULL;
		uint32_t rb_from = 0, rb_to = 0;

		if (f->action == RTPGW_FLOW_RELAY)
			rev = flow_table_lookup(w->flows, (uint16_t)f->out_addr_idx, f->out_port);
		if (rev != NULL && (rev->flags & RTPGW_FLOW_F_SSRC_REWRITE)) {
			const struct flow_state *rst = flow_table_state_fast(w->flows, rev);

			if (rst->ssrc_valid) {
				rb_from = rev->ssrc_out;
				rb_to = rst->ssrc;
			}
		}
		if (rtcp_ssrc_translate(h->l5, h->l5_len, st->ssrc, f->ssrc_out, rb_from, rb_to))
			*full_ck = true;
	}
	return VERDICT_TX;
}

/* Per packet context between the passes over a burst. */
struct pkt_ctx {
	struct pkt_hdrs h;
	union {
		struct flow *const *slot; /* passes 1-2 */
		const struct flow *f;     /* passes 2-3 */
	};
	unsigned int v;
};

/* Pass 3: one packet whose flow was found; returns a verdict or drop reason. */
static inline unsigned int
relay_apply(struct worker *w, struct rte_mbuf *m, struct pkt_ctx *c, uint16_t *egress)
{
	struct pkt_hdrs h = c->h;
	const struct flow *f = c->f;
	struct flow_state *st;
	bool companion, is_rtcp, full_ck = false;
	unsigned int v;
	uint16_t udp_ck, sport, dport;
	uint32_t udp_delta = 0;
	uint64_t mac;

	st = flow_table_state_fast(w->flows, f);
	companion = f->rtcp_mode == RTPGW_RTCP_COMPANION && h.udp->dst_port == f->rtcp_port;
	if (unlikely(!source_ok(f, st, &h, companion))) {
		flow_table_rare(w->flows, f)->dropped++;
		return RTPGW_DROP_WRONG_SOURCE;
	}
	if (unlikely(f->action == RTPGW_FLOW_DROP)) {
		flow_table_rare(w->flows, f)->dropped++;
		return RTPGW_DROP_FLOW_DROP;
	}
	mac = __atomic_load_n(&f->nh->mac, __ATOMIC_RELAXED);
	if (unlikely(!(mac & NEXTHOP_VALID)) && f->action == RTPGW_FLOW_RELAY) {
		flow_table_rare(w->flows, f)->dropped++;
		return RTPGW_DROP_NO_NEXTHOP;
	}

	is_rtcp = companion ||
		  (f->rtcp_mode == RTPGW_RTCP_MUX && rtp_is_rtcp_mux(h.l5, h.l5_len));
	udp_ck = h.udp->dgram_cksum;
	if (is_rtcp) {
		v = rtcp_process(w, m, f, st, &h, &full_ck);
		sport = f->out_rtcp_port;
		dport = f->peer_rtcp_port;
	} else {
		v = rtp_process(w, f, st, &h, &udp_delta);
		sport = f->out_port;
		dport = f->peer_port;
	}
	if (unlikely(v != VERDICT_TX)) {
		flow_table_rare(w->flows, f)->dropped++;
		return v;
	}
	st->last_tsc = w->now;
	/* A conference participant: the packet is the mixer's now. */
	if (f->action == RTPGW_FLOW_MIX)
		return mixer_handoff(w, m, f, is_rtcp) ? VERDICT_TAKEN : RTPGW_DROP_MIX_HANDOFF_FULL;

	/* L3/L4 rewrite with incremental checksums (RFC 1624). The TTL word
	 * (TTL, protocol) changes with the addresses: we originate the
	 * packet, as a B2BUA's media anchor does. */
	{
		struct rte_ipv4_hdr *ip = h.ip;
		uint16_t ip_ck = ip->hdr_checksum;
		uint16_t old_ttlw, new_ttlw;

		memcpy(&old_ttlw, &ip->time_to_live, 2);
		ip->time_to_live = OUT_TTL;
		memcpy(&new_ttlw, &ip->time_to_live, 2);
		uint32_t addr_delta = cksum_delta32(0, ip->src_addr, f->out_ip);

		addr_delta = cksum_delta32(addr_delta, ip->dst_addr, f->peer_ip);
		ip_ck = cksum_apply(ip_ck, cksum_delta16(addr_delta, old_ttlw, new_ttlw));
		if (udp_ck && !full_ck) {
			/* The pseudo header's addresses, the ports, and what
			 * rtp_process changed. */
			udp_delta += addr_delta;
			udp_delta = cksum_delta16(udp_delta, h.udp->src_port, sport);
			udp_delta = cksum_delta16(udp_delta, h.udp->dst_port, dport);
			udp_ck = cksum_apply(udp_ck, udp_delta);
		}
		ip->src_addr = f->out_ip;
		ip->dst_addr = f->peer_ip;
		ip->hdr_checksum = ip_ck;
		h.udp->src_port = sport;
		h.udp->dst_port = dport;
		if (udp_ck && full_ck) {
			h.udp->dgram_cksum = 0;
			udp_ck = rte_ipv4_udptcp_cksum(ip, h.udp);
		}
		h.udp->dgram_cksum = udp_ck ? udp_cksum_fix(udp_ck) : 0;
	}
	/* L2: the next hop's MAC (low 48 bits, memory order) and ours. */
	memcpy(&h.eth->dst_addr, &mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&w->dp->ports[f->egress_port].mac, &h.eth->src_addr);
	m->ol_flags = 0;
	*egress = f->egress_port;
	return VERDICT_TX;
}

/*
 * A burst goes through three passes so that each table access is a
 * prefetch one pass before its use: with 100k flows, the slot, the flow
 * and its state miss the cache for nearly every packet, and a dependent
 * chain of three misses per packet would cost more than all the rest.
 *   1. classify (packet data prefetched PREFETCH_OFFSET ahead), prefetch slot
 *   2. load the slot, prefetch the flow and its state (the three adjacent
 *      lines of its flow_entry, without reading the flow yet)
 *   3. apply the flow's action
 */
uint16_t
relay_burst(struct worker *w, uint16_t rx_port, struct rte_mbuf **pkts, uint16_t n)
{
	const struct flow_table *t = w->flows;
	struct pkt_ctx ctx[DP_BURST];
	uint16_t sent = 0;

	RTE_ASSERT(n <= DP_BURST);
	for (uint16_t i = 0; i < n && i < PREFETCH_OFFSET; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (uint16_t i = 0; i < n; i++) {
		struct pkt_ctx *c = &ctx[i];
		int ai;

		if (i + PREFETCH_OFFSET < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_OFFSET], void *));
		c->v = classify(w, rx_port, pkts[i], &c->h, &ai);
		if (c->v != VERDICT_TX)
			continue;
		c->slot = flow_table_slot(t, (uint16_t)ai, c->h.udp->dst_port);
		rte_prefetch0(c->slot);
	}
	/* Passes 2 and 3 interleaved, pass 2 running FLOW_AHEAD packets ahead:
	 * enough to cover a miss with the work of the packets in between,
	 * few enough that the prefetches in flight (three lines a packet)
	 * stay within what the core can track. */
	for (uint16_t i = 0; i < n + FLOW_AHEAD; i++) {
		if (i < n && ctx[i].v == VERDICT_TX) {
			struct pkt_ctx *c = &ctx[i];

			c->f = flow_table_slot_load(c->slot);
			if (unlikely(c->f == NULL))
				c->v = RTPGW_DROP_NO_FLOW;
			else
				flow_table_prefetch(t, c->f);
		}
		if (i >= FLOW_AHEAD) {
			uint16_t k = (uint16_t)(i - FLOW_AHEAD);
			struct rte_mbuf *m = pkts[k];
			uint16_t egress = 0;
			unsigned int v = ctx[k].v;

			if (v == VERDICT_TX)
				v = relay_apply(w, m, &ctx[k], &egress);
			if (likely(v == VERDICT_TX)) {
				w->stats.tx++;
				rte_eth_tx_buffer(egress, w->id, w->txb[egress], m);
				sent++;
			} else if (v == VERDICT_SLOW) {
				/* Not every driver sets it (net_ring does not). */
				m->port = rx_port;
				to_agent(w, m);
			} else if (v != VERDICT_TAKEN) {
				drop(w, m, v);
			}
		}
	}
	return sent;
}
