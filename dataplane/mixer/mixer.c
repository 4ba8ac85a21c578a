/* SPDX-License-Identifier: BSD-3-Clause */
/* rtpgw: worker path */
/*
 * The conference mixer, run by each conference's owner worker.
 *
 * - mixer_input: a participant's packet (handed over by the relay pipeline,
 *   possibly from another worker): RTP is decoded (G.711) into the
 *   participant's jitter buffer, RFC 4733 events become DTMF events for
 *   the agent, RTCP SRs feed LSR/DLSR and the reference clock.
 * - mixer_poll, once per loop iteration: the agent's commands, the handoff
 *   ring, and every conference whose tick is due.
 * - conf_tick, every ptime: one frame per participant from its jitter
 *   buffer (or concealment), the sum of the talkers in 32 bits, and for
 *   each listener the mix minus its own voice, its gain, saturated once,
 *   encoded in its codec (listeners who contribute nothing share one
 *   encode per codec) and sent from the mixer's SSRC with the listener's
 *   own sequence numbers and timestamps, a CSRC list of the loudest
 *   talkers (RFC 3550 7.1), optionally their RFC 6465 levels; every 5 s an
 *   RTCP SR with a report on the listener's stream (RFC 3550 6.4).
 *
 * No allocation but packet buffers, no lock, no system call.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "codec/g711.h"
#include "flow/flow_table_fast.h"
#include "flow/nexthop.h"
#include "mixer/conf.h"
#include "mixer/mix.h"
#include "mixer/mixer.h"
#include "mixer/mixer_fast.h"
#include "rtcp/rtcp.h"
#include "rtcp/rtcp_build.h"
#include "rtp/rtp.h"
#include "rtp/rtp_ext.h"
#include "worker/worker.h"

#define HDRS_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + \
		  sizeof(struct rte_udp_hdr))
#define UNITY 4096
#define CNAME "rtpgw-mixer"

static inline void
count_drop(struct worker *w, unsigned int reason)
{
	w->stats.drops[reason]++;
}

static void
event(struct worker *w, uint16_t type, uint16_t addr_idx, uint16_t port, uint32_t a, uint32_t b)
{
	struct worker_event ev = {
		.type = type, .addr_idx = addr_idx, .port = port, .old_ssrc = a, .new_ssrc = b,
	};

	/* A full event ring loses the event, never media. */
	rte_ring_sp_enqueue_elem(w->event_ring, &ev, sizeof(ev));
}

/* The conference's sample clock (8 kHz) at a TSC value. */
static inline uint32_t
conf_samples(const struct worker *w, uint64_t tsc)
{
	return (uint32_t)(((unsigned __int128)(tsc - w->dp->start_tsc) * 8000) / w->dp->tsc_hz);
}

static void
input_rtcp(struct worker *w, struct conf *c, struct part *p, const uint8_t *b, uint32_t len)
{
	uint64_t ntp;
	uint32_t ssrc, rtp_ts;

	if (rtcp_parse_sr(b, len, &ssrc, &ntp, &rtp_ts) != 0)
		return;
	p->lsr = rtcp_ntp_middle32(ntp);
	p->lsr_tsc = w->now;
	if ((c->flags & RTPGW_CONF_F_REF_SSRC) && ssrc == c->ref_ssrc)
		refclock_add_sr(&c->rc, ntp, rtp_ts);
}

void
mixer_input(struct worker *w, struct rte_mbuf *m)
{
	struct conf_pools *cp = w->dp->confs;
	uint32_t idx = m->hash.fdir.lo, gen = m->hash.fdir.hi >> 1;
	bool is_rtcp = m->hash.fdir.hi & 1;
	struct rte_udp_hdr *udp;
	struct rtp_info ri;
	struct part *p;
	struct conf *c;
	uint8_t *b;
	uint32_t len;

	p = &cp->parts[idx];
	if (unlikely(idx >= cp->max_parts || !p->active || p->gen != gen)) {
		count_drop(w, RTPGW_DROP_MIX_STALE);
		rte_pktmbuf_free(m);
		return;
	}
	c = &cp->confs[p->conf];
	/* The relay checked Ethernet, IPv4 without options, UDP lengths. */
	udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
				      sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr));
	b = (uint8_t *)(udp + 1);
	len = rte_be_to_cpu_16(udp->dgram_len) - (uint32_t)sizeof(*udp);
	if (is_rtcp) {
		input_rtcp(w, c, p, b, len);
		goto done;
	}
	if (rtp_parse(b, len, &ri) != 0)
		goto done; /* the relay parsed it already: cannot happen */
	if (unlikely(ri.ssrc != p->ssrc)) {
		/* A new source: a key press of the old one cannot continue. */
		dtmf_init(&p->dtmf);
		p->ssrc = ri.ssrc;
	}
	if (p->dtmf_pt != 0 && ri.pt == p->dtmf_pt) {
		struct dtmf_event ev;

		/* RFC 4733: reported once per key press, never mixed. */
		p->dtmf_tsc = w->now;
		if (dtmf_input(&p->dtmf, ri.ts, ri.marker, b + ri.hdr_len, ri.payload_len, &ev) == 1)
			event(w, WORKER_EV_DTMF, p->addr_idx, p->port, c->idx,
			      (uint32_t)(uint8_t)ev.digit | ev.duration << 8);
		goto done;
	}
	if (unlikely(ri.pt != p->pt || ri.payload_len == 0 || ri.payload_len > CONF_FRAME_MAX)) {
		count_drop(w, RTPGW_DROP_BAD_CODEC);
		goto done;
	}
	if (p->dtmf_pt != 0) {
		struct dtmf_event de;

		/* Audio and no event for 100 ms (some senders send audio
		 * during a press too): a press whose end packets were all
		 * lost has ended (RFC 4733 2.5.2.5). */
		if (unlikely(w->now - p->dtmf_tsc > w->dp->tsc_hz / 10 &&
			     dtmf_flush(&p->dtmf, &de) == 1))
			event(w, WORKER_EV_DTMF, p->addr_idx, p->port, c->idx,
			      (uint32_t)(uint8_t)de.digit | de.duration << 8);
	}
	if (p->level_ext_id != 0) {
		bool voice;
		uint8_t level;

		if (rtp_ext_audio_level(b, len, p->level_ext_id, &voice, &level) == 0)
			p->level = level;
	}
	g711_decode((enum g711_law)p->law, b + ri.hdr_len, w->pcm, ri.payload_len);
	jbuf_put(&p->jb, ri.ssrc, ri.seq, ri.ts, ri.marker, w->pcm, ri.payload_len,
		 mix_energy(w->pcm, ri.payload_len), conf_samples(w, w->now));
	if ((c->flags & RTPGW_CONF_F_REF_SSRC) && ri.ssrc == c->ref_ssrc)
		refclock_add_arrival(&c->rc, dp_tsc_to_ns(w->dp, w->now), ri.ts);
done:
	rte_pktmbuf_free(m);
}

/* A packet to participant p being built: its mbuf and where its UDP
 * payload goes (pkt_begin), then sent (pkt_end). */
struct pkt {
	struct rte_mbuf *m;
	const struct flow *f;
	uint8_t *l5;
	bool rtcp;
};

/* Room for l5_max bytes of UDP payload toward MIX flow f's peer (its RTCP
 * port with rtcp), in m or a new mbuf when m is NULL. False (m freed)
 * when there is nowhere to send. */
static bool
pkt_begin(struct worker *w, const struct flow *f, struct rte_mbuf *m, bool rtcp, uint16_t l5_max,
	  struct pkt *k)
{
	if (unlikely(f == NULL || f->action != RTPGW_FLOW_MIX)) {
		rte_pktmbuf_free(m); /* leaving: its flow is gone */
		return false;
	}
	if (unlikely(!nexthop_resolved(f->nh))) {
		rte_pktmbuf_free(m);
		count_drop(w, RTPGW_DROP_NO_NEXTHOP);
		return false;
	}
	if (m == NULL)
		m = rte_pktmbuf_alloc(w->dp->pool);
	if (unlikely(m == NULL)) {
		count_drop(w, RTPGW_DROP_NO_MBUF);
		return false;
	}
	if (unlikely(rte_pktmbuf_tailroom(m) < HDRS_LEN + l5_max)) {
		rte_pktmbuf_free(m);
		count_drop(w, RTPGW_DROP_NO_MBUF);
		return false;
	}
	k->m = m;
	k->f = f;
	k->rtcp = rtcp;
	k->l5 = rte_pktmbuf_mtod_offset(m, uint8_t *, HDRS_LEN);
	return true;
}

/* Ethernet, IPv4 (DSCP EF) and UDP headers, checksums, and TX. */
static void
pkt_end(struct worker *w, struct pkt *k, uint16_t l5_len)
{
	const struct dataplane *dp = w->dp;
	const struct flow *f = k->f;
	uint64_t mac = __atomic_load_n(&f->nh->mac, __ATOMIC_RELAXED);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;

	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(k->m, (uint16_t)(HDRS_LEN + l5_len));
	memcpy(&eth->dst_addr, &mac, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&dp->ports[f->egress_port].mac, &eth->src_addr);
	eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eth + 1);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0xb8; /* DSCP EF (RFC 3246), as media is marked */
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + l5_len));
	ip->packet_id = 0;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = f->out_ip;
	ip->dst_addr = f->peer_ip;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = k->rtcp ? f->out_rtcp_port : f->out_port;
	udp->dst_port = k->rtcp ? f->peer_rtcp_port : f->peer_port;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + l5_len));
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	w->stats.tx++;
	rte_eth_tx_buffer(f->egress_port, w->id, w->txb[f->egress_port], k->m);
}

/* RTCP: l5 built on the stack (small, every 5 s), then sent. */
static void
send_rtcp_buf(struct worker *w, const struct part *p, const uint8_t *l5, uint16_t len)
{
	const struct flow *f = flow_table_lookup(w->flows, p->addr_idx, p->port);
	struct pkt k;

	/* A participant that negotiated no RTCP gets none. */
	if (f == NULL || f->rtcp_mode == RTPGW_RTCP_NONE)
		return;
	if (!pkt_begin(w, f, NULL, true, len, &k))
		return;
	memcpy(k.l5, l5, len);
	pkt_end(w, &k, len);
}

/* RTP header (+ CSRCs, + RFC 6465 extension) and payload into buf. */
static uint16_t
build_rtp(uint8_t *buf, const struct conf *c, const struct part *p, bool marker,
	  const uint32_t *csrc, const uint8_t *levels, unsigned int n_csrc, const uint8_t *payload,
	  unsigned int n)
{
	uint8_t *q = buf + RTP_HDR_LEN;
	uint32_t v;
	uint16_t s;
	int ext = 0;

	buf[0] = (uint8_t)(RTP_VERSION << 6 | n_csrc);
	buf[1] = (uint8_t)((marker ? 0x80 : 0) | p->pt);
	s = rte_cpu_to_be_16(p->seq);
	memcpy(buf + 2, &s, 2);
	v = rte_cpu_to_be_32(p->ts);
	memcpy(buf + 4, &v, 4);
	v = rte_cpu_to_be_32(c->mixer_ssrc);
	memcpy(buf + 8, &v, 4);
	for (unsigned int i = 0; i < n_csrc; i++, q += 4) {
		v = rte_cpu_to_be_32(csrc[i]);
		memcpy(q, &v, 4);
	}
	if (p->csrc_level_ext_id != 0 && n_csrc > 0) {
		ext = rtp_ext_write_csrc_levels(q, 64, p->csrc_level_ext_id, levels, n_csrc);
		if (ext > 0) {
			buf[0] |= 0x10; /* X */
			q += ext;
		}
	}
	memcpy(q, payload, n);
	return (uint16_t)(q + n - buf);
}

/* RFC 3550 6.4.1: an SR for the stream we send p, with a report block on
 * the stream p sends us, then SDES CNAME (6.5). */
static void
send_rtcp(struct worker *w, const struct conf *c, struct part *p)
{
	const struct flow *f = flow_table_lookup(w->flows, p->addr_idx, p->port);
	struct rtcp_report_block rb;
	uint8_t buf[256];
	int n, k = 0;

	if (f == NULL)
		return;
	if (flow_table_state_fast(w->flows, f)->ssrc_valid) {
		uint64_t dlsr_ns = p->lsr ? dp_tsc_to_ns(w->dp, w->now) - dp_tsc_to_ns(w->dp, p->lsr_tsc)
					  : 0;

		rtcp_report_from_stats(&rb, p->ssrc, &flow_table_state_fast(w->flows, f)->rtp,
				       &p->rr, p->lsr,
				       p->lsr ? rtcp_dlsr_from_ns(dlsr_ns) : 0);
		k = 1;
	}
	n = rtcp_build_sr(buf, sizeof(buf), c->mixer_ssrc,
			  rtcp_ntp_from_ns(w->dp->unix_ns_at_start + dp_tsc_to_ns(w->dp, w->now)),
			  p->ts, (uint32_t)p->packets_sent, (uint32_t)p->octets_sent, &rb, k);
	if (n < 0)
		return;
	k = rtcp_build_sdes_cname(buf + n, (uint32_t)(sizeof(buf) - n), c->mixer_ssrc, CNAME);
	if (k < 0)
		return;
	send_rtcp_buf(w, p, buf, (uint16_t)(n + k));
}

static void
send_bye(struct worker *w, const struct conf *c, const struct part *p)
{
	uint8_t buf[128];
	int n, k;

	/* RFC 3550 6.6: BYE ends a compound that starts with a report. */
	n = rtcp_build_rr(buf, sizeof(buf), c->mixer_ssrc, NULL, 0);
	if (n < 0)
		return;
	k = rtcp_build_bye(buf + n, (uint32_t)(sizeof(buf) - n), &c->mixer_ssrc, 1, "left");
	if (k < 0)
		return;
	send_rtcp_buf(w, p, buf, (uint16_t)(n + k));
}

/* Active speaker: the loudest talker, once it has been for a hangover. */
static void
speaker_update(struct worker *w, struct conf *c, const struct part *loudest)
{
	uint32_t cand = loudest ? loudest->idx : UINT32_MAX;

	if (cand == c->speaker || cand == UINT32_MAX) {
		c->speaker_ticks = 0;
		return;
	}
	if (cand != c->speaker_cand) {
		c->speaker_cand = cand;
		c->speaker_ticks = 0;
	}
	if (++c->speaker_ticks >= CONF_SPEAKER_HANGOVER) {
		c->speaker = cand;
		c->speaker_ticks = 0;
		event(w, WORKER_EV_SPEAKER, loudest->addr_idx, loudest->port, c->idx, cand);
	}
}

static void
conf_tick(struct worker *w, struct conf *c)
{
	unsigned int n = c->frame_samples;
	struct part *talkers[CONF_PARTS_MAX];
	uint32_t csrc[CONF_CSRC_MAX + 1];
	uint8_t levels[CONF_CSRC_MAX + 1];
	bool full_done[2] = {false, false};
	struct rte_mbuf *mbufs[CONF_PARTS_MAX];
	const struct flow *flows[CONF_PARTS_MAX];
	unsigned int n_talk = 0, n_mbufs = 0;
	uint64_t t0 = rte_rdtsc();

	/*
	 * With thousands of conferences, a participant's state, its jitter
	 * buffer and its flow are cold when its conference's turn comes:
	 * prefetch them all before the first is used, and allocate the
	 * tick's packets in one call.
	 */
	for (uint16_t i = 0; i < c->n_parts; i++) {
		const struct part *p = c->parts[i];

		rte_prefetch0(p);
		rte_prefetch0(&p->jb);
		rte_prefetch0((const uint8_t *)&p->jb + RTE_CACHE_LINE_SIZE);
		rte_prefetch0((const uint8_t *)&p->jb + 2 * RTE_CACHE_LINE_SIZE);
		rte_prefetch0(flow_table_slot(w->flows, p->addr_idx, p->port));
	}
	if (rte_pktmbuf_alloc_bulk(w->dp->pool, mbufs, c->n_parts) == 0)
		n_mbufs = c->n_parts;

	/* Inputs: one frame each; the talkers go into the sum. */
	mix_acc_clear(c->acc, n);
	for (uint16_t i = 0; i < c->n_parts; i++) {
		struct part *p = c->parts[i];
		bool talk = false;
		int st = jbuf_get(&p->jb, p->frame, &talk);

		p->talking = talk && st != JBUF_SILENT;
		p->contributes = p->talking && !(p->flags & RTPGW_PART_F_MUTE);
		if (!p->contributes) {
			p->energy = 0;
			if (p->level_ext_id == 0)
				p->level = 127;
			continue;
		}
		if (p->in_gain != UNITY)
			mix_gain(p->frame, p->in_gain, n);
		p->energy = mix_energy(p->frame, n);
		if (p->level_ext_id == 0)
			p->level = mix_level_dbov(p->energy, n);
		mix_acc_add(c->acc, p->frame, n);
		/* Keep talkers sorted, loudest first (insertion: few talk). */
		unsigned int k = n_talk++;

		while (k > 0 && talkers[k - 1]->energy < p->energy) {
			talkers[k] = talkers[k - 1];
			k--;
		}
		talkers[k] = p;
	}
	speaker_update(w, c, n_talk ? talkers[0] : NULL);
	for (uint16_t i = 0; i < c->n_parts; i++) {
		flows[i] = flow_table_slot_load(flow_table_slot(w->flows, c->parts[i]->addr_idx,
								c->parts[i]->port));
		if (flows[i] != NULL)
			flow_table_prefetch(w->flows, flows[i]);
	}

	/* Outputs: each listener hears the sum minus itself. */
	for (uint16_t i = 0; i < c->n_parts; i++) {
		struct part *p = c->parts[i];
		const uint8_t *payload;
		unsigned int n_csrc = 0;
		bool audible, marker;
		struct pkt k;
		uint16_t len;

		/* Deaf: nothing sent; the timestamp keeps time, the sequence
		 * stays continuous for when it hears again (RFC 3550 5.1). */
		if (p->flags & RTPGW_PART_F_DEAF) {
			p->ts += n;
			continue;
		}
		if (p->contributes || p->out_gain != UNITY) {
			mix_out(w->pcm, c->acc, p->contributes ? p->frame : NULL, p->out_gain, n);
			g711_encode((enum g711_law)p->law, w->pcm, w->enc, n);
			payload = w->enc;
		} else {
			/* Everyone who adds nothing hears the same: encode once. */
			if (!full_done[p->law]) {
				mix_out(w->pcm, c->acc, NULL, UNITY, n);
				g711_encode((enum g711_law)p->law, w->pcm, w->enc_full[p->law], n);
				full_done[p->law] = true;
			}
			payload = w->enc_full[p->law];
		}
		for (unsigned int k = 0; k < n_talk && n_csrc < CONF_CSRC_MAX; k++) {
			if (talkers[k] == p)
				continue;
			csrc[n_csrc] = talkers[k]->ssrc;
			levels[n_csrc] = talkers[k]->level;
			n_csrc++;
		}
		audible = n_csrc > 0;
		/* RFC 3551 4.1: the marker starts a talkspurt. */
		marker = audible && !p->audible;
		p->audible = audible;
		/* Built in place: header, CSRCs, levels, payload. */
		if (pkt_begin(w, flows[i], n_mbufs ? mbufs[--n_mbufs] : NULL, false,
			      RTP_HDR_LEN + 4 * CONF_CSRC_MAX + 64 + n, &k)) {
			len = build_rtp(k.l5, c, p, marker, csrc, levels, n_csrc, payload, n);
			pkt_end(w, &k, len);
			p->packets_sent++;
			p->octets_sent += n;
		}
		if (w->now >= p->next_rtcp_tsc) {
			send_rtcp(w, c, p);
			/* RFC 3550 6.3.5: randomized in [0.5, 1.5] x interval. */
			p->next_rtcp_tsc = w->now + w->dp->tsc_hz * CONF_RTCP_INTERVAL_S / 2 +
					   rte_rand_max(w->dp->tsc_hz * CONF_RTCP_INTERVAL_S);
		}
		p->seq++;
		p->ts += n;
	}
	/* Not sent (deaf listeners, flows gone): back to the pool. */
	if (n_mbufs)
		rte_pktmbuf_free_bulk(mbufs, n_mbufs);
	c->ticks++;
	t0 = rte_rdtsc() - t0;
	if (t0 > c->tick_cycles_max)
		c->tick_cycles_max = t0;
	t0 /= w->cycles_per_us;
	w->tick_us_hist[t0 < WORKER_TICK_HIST ? t0 : WORKER_TICK_HIST - 1]++;
}

/* The tick after this one, on the local clock or the reference source's. */
static uint64_t
next_tick(const struct worker *w, const struct conf *c)
{
	uint64_t period = c->period_tsc;

	if ((c->flags & RTPGW_CONF_F_REF_SSRC) && refclock_ready(&c->rc)) {
		uint64_t ns = refclock_tick_ns(&c->rc, (uint64_t)c->ptime_ms * 1000000);

		period = (uint64_t)(((unsigned __int128)ns * w->dp->tsc_hz) / 1000000000u);
	}
	return c->next_tick_tsc + period;
}

static void
part_apply_set(struct part *p)
{
	p->flags = p->next_flags;
	p->in_gain = p->next_in_gain;
	p->out_gain = p->next_out_gain;
}

/*
 * The owner's schedule: a binary min-heap of (due TSC, conference). A
 * worker with thousands of conferences finds the next one due in O(1)
 * and reschedules in O(log n). A stopped conference's entry is dropped
 * when it surfaces (its sched_gen moved on).
 */
static void tick_push(struct worker *w, uint64_t tsc, const struct conf *c);

/* The heap is full of entries of stopped conferences (a client deleting
 * and re-creating conferences faster than they tick): rebuild it from the
 * live ones. At most one live entry per conference, so there is room. */
static void
tick_compact(struct worker *w)
{
	const struct conf_pools *cp = w->dp->confs;
	uint32_t n = w->n_ticks;

	w->n_ticks = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct worker_tick t = w->ticks[i];
		const struct conf *c = &cp->confs[t.conf];

		if (t.gen == c->sched_gen && c->active)
			tick_push(w, t.tsc, c);
	}
}

static void
tick_push(struct worker *w, uint64_t tsc, const struct conf *c)
{
	uint32_t i;

	if (unlikely(w->n_ticks == w->ticks_cap))
		tick_compact(w);
	i = w->n_ticks++;

	while (i > 0 && w->ticks[(i - 1) / 2].tsc > tsc) {
		w->ticks[i] = w->ticks[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	w->ticks[i].tsc = tsc;
	w->ticks[i].conf = c->idx;
	w->ticks[i].gen = c->sched_gen;
}

static struct worker_tick
tick_pop(struct worker *w)
{
	struct worker_tick top = w->ticks[0], last = w->ticks[--w->n_ticks];
	uint32_t i = 0;

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= w->n_ticks)
			break;
		if (c + 1 < w->n_ticks && w->ticks[c + 1].tsc < w->ticks[c].tsc)
			c++;
		if (last.tsc <= w->ticks[c].tsc)
			break;
		w->ticks[i] = w->ticks[c];
		i = c;
	}
	if (w->n_ticks > 0)
		w->ticks[i] = last;
	return top;
}

void
conf_cmd_drain(struct worker *w)
{
	struct conf_pools *cp = w->dp->confs;
	struct conf_cmd cmds[16];
	unsigned int n;

	n = rte_ring_sc_dequeue_burst_elem(w->ctl_ring, cmds, sizeof(cmds[0]), RTE_DIM(cmds),
					   NULL);
	for (unsigned int i = 0; i < n; i++) {
		struct conf *c = &cp->confs[cmds[i].conf];
		struct part *p = &cp->parts[cmds[i].part];

		switch (cmds[i].op) {
		case CONF_CMD_START:
			c->flags = c->next_flags;
			c->ref_ssrc = c->next_ref_ssrc;
			c->cookie = c->next_cookie;
			refclock_init(&c->rc);
			c->n_parts = 0;
			c->next_tick_tsc = w->now + c->period_tsc;
			c->active = true;
			c->sched_gen++;
			tick_push(w, c->next_tick_tsc, c);
			break;
		case CONF_CMD_SET_CONF:
			if (c->ref_ssrc != c->next_ref_ssrc)
				refclock_init(&c->rc);
			c->flags = c->next_flags;
			c->ref_ssrc = c->next_ref_ssrc;
			c->cookie = c->next_cookie;
			break;
		case CONF_CMD_STOP:
			c->active = false;
			c->sched_gen++; /* its heap entry is dropped when it surfaces */
			event(w, WORKER_EV_RELEASED, 0, 0, CONF_CMD_STOP, c->idx);
			break;
		case CONF_CMD_JOIN:
			part_apply_set(p);
			p->seq = (uint16_t)rte_rand();
			p->ts = (uint32_t)rte_rand();
			p->level = MIX_LEVEL_SILENCE;
			dtmf_init(&p->dtmf);
			p->next_rtcp_tsc = w->now + w->dp->tsc_hz * CONF_RTCP_INTERVAL_S / 2;
			p->slot = c->n_parts;
			c->parts[c->n_parts++] = p;
			p->active = true;
			break;
		case CONF_CMD_SET_PART:
			part_apply_set(p);
			break;
		case CONF_CMD_LEAVE:
			if (p->active) {
				struct dtmf_event de;

				/* A key press whose end packets were lost. */
				if (dtmf_flush(&p->dtmf, &de) == 1)
					event(w, WORKER_EV_DTMF, p->addr_idx, p->port, c->idx,
					      (uint32_t)(uint8_t)de.digit | de.duration << 8);
				send_bye(w, c, p);
				c->parts[p->slot] = c->parts[--c->n_parts];
				c->parts[p->slot]->slot = p->slot;
				p->active = false;
				if (c->speaker == p->idx)
					c->speaker = UINT32_MAX;
			}
			event(w, WORKER_EV_RELEASED, 0, 0, CONF_CMD_LEAVE, p->idx);
			break;
		}
	}
}

bool
mixer_poll(struct worker *w)
{
	struct conf_pools *cp = w->dp->confs;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned int n;

	conf_cmd_drain(w);
	n = rte_ring_sc_dequeue_burst(w->handoff_ring, (void **)pkts, DP_BURST, NULL);
	for (unsigned int i = 0; i < n; i++)
		mixer_input(w, pkts[i]);
	if (w->n_ticks == 0 || w->now < w->ticks[0].tsc)
		return n > 0;
	while (w->n_ticks > 0 && w->now >= w->ticks[0].tsc) {
		struct worker_tick t = tick_pop(w);
		struct conf *c = &cp->confs[t.conf];

		if (t.gen != c->sched_gen || !c->active)
			continue;
		/* A tick more than a period late is counted; the next one is
		 * scheduled from the plan, not from now, so the output
		 * timestamps stay regular. */
		if (w->now - c->next_tick_tsc > c->period_tsc)
			c->ticks_late++;
		conf_tick(w, c);
		c->next_tick_tsc = next_tick(w, c);
		/* Never more than one tick behind. */
		if (c->next_tick_tsc + c->period_tsc < w->now)
			c->next_tick_tsc = w->now;
		tick_push(w, c->next_tick_tsc, c);
	}
	return true;
}
