/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Component test of the conference mixer: the real dataplane (EAL, one
 * worker) with a ring port, two conferences created and joined through
 * the API handlers, and participants' tone streams fed in real time at
 * 50 packets per second for a few seconds. What every participant
 * receives is decoded and analysed with a Goertzel filter written here:
 * each must hear every other participant's tone at its level and not its
 * own; sequence numbers and timestamps must be continuous, the SSRC the
 * mixer's, the CSRC list the talkers'; the two conferences must not hear
 * each other.
 *
 * Conference 1: A (PCMU, 440 Hz, the loudest), B (PCMA, 1000 Hz), C (PCMU,
 * 1500 Hz, the quietest), L (PCMA, a listener who sends silence).
 * Conference 2: D (PCMU, 700 Hz, presses '5' with RFC 4733 midway) and E
 * (PCMU, silence); it is paced on D's clock (reference SSRC), which D's
 * sender reports say runs 100 ppm fast. Events are read from a subscriber socket: the active
 * speaker of conference 1 is A, D's key press is reported once; RTCP SRs
 * from the mixer reach every participant's companion port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "agent/agent.h"
#include "harness.h"
#include "codec/g711.h"
#include "dp.h"
#include "flow/nexthop.h"
#include "worker/worker.h"

#define DP_IP "198.51.100.10"
#define GW_IP "198.51.100.1"
#define GW_MAC "\x02\x00\x00\x00\x00\x01"
#define N_PARTS 6
#define SECONDS 3
#define FRAMES (SECONDS * 50)
#define AMPL 10000.0 /* about -10 dBFS */
#define DTMF_PT 101
#define DTMF_AT 110    /* D's key press starts at this frame (after the
			* second analysed for levels)... */
#define DTMF_FRAMES 10 /* ... lasts this many, then three end packets */
#define REF_PPM 100.0  /* D's clock, as its SRs tell it */
#define SR_EVERY 2     /* D sends an SR every this many frames, ... */
#define SR_SPAN_S 1    /* ... each claiming this many seconds more */
#define MAX_OUT (FRAMES + 20)

struct who {
	const char *name;
	uint32_t conf;
	uint8_t pt;
	double freq;        /* 0: sends silence */
	uint32_t ssrc;
	double ampl;
	uint16_t port;      /* its MIX flow's local port */
	/* what it received */
	int16_t pcm[MAX_OUT * 160];
	unsigned int n_out;
	uint16_t seq[MAX_OUT];
	uint32_t ts[MAX_OUT];
	uint32_t ssrc_out[MAX_OUT];
	uint32_t csrc_first[MAX_OUT];
	uint8_t cc[MAX_OUT];
	uint32_t csrc_seen[16];
	unsigned int n_csrc_seen;
};

static struct who parts[N_PARTS] = {
	{"A", 1, 0, 440.0, 0xa0000001u, 1.2 * AMPL},
	{"B", 1, 8, 1000.0, 0xb0000002u, AMPL},
	{"C", 1, 0, 1500.0, 0xc0000003u, 0.6 * AMPL},
	{"L", 1, 8, 0.0, 0x10000004u, 0},
	{"D", 2, 0, 700.0, 0xd0000005u, AMPL},
	{"E", 2, 0, 0.0, 0xe0000006u, 0},
};

static struct rtpgw_api_conf_info conf2_info;
static uint64_t churn_ticks;

/* Events and RTCP seen. */
static struct {
	unsigned int dtmf, speaker;
	char digit;
	uint32_t dtmf_conf, speaker_conf;
	uint16_t dtmf_port, speaker_port;
	unsigned int sr[N_PARTS];   /* SRs from the mixer per participant */
	bool sr_reports_sender[N_PARTS]; /* with a report block on its stream */
} ev;

static uint32_t mixer_ssrc[3] = {0, 0x11111111u, 0x22222222u};

static uint32_t
part_ip(unsigned int i)
{
	return htonl(ntohl(harness_ip("203.0.113.10")) + i);
}

/* Amplitude of the f Hz component of n samples at 8 kHz (Goertzel). */
static double
tone_level(const int16_t *x, unsigned int n, double f)
{
	double w = 2.0 * M_PI * f / 8000.0, c = 2.0 * cos(w), s1 = 0, s2 = 0;

	for (unsigned int i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return 2.0 * sqrt(s1 * s1 + s2 * s2 - c * s1 * s2) / n;
}

static struct rtpgw_api_participant
join_spec(unsigned int i)
{
	struct rtpgw_api_participant p;
	struct rtpgw_api_flow *f = &p.flow;

	memset(&p, 0, sizeof(p));
	p.conf_id = parts[i].conf;
	p.pt = parts[i].pt;
	f->local.family = f->out_local.family = f->peer.family = f->src.family = RTPGW_AF_INET;
	f->local.v4 = f->out_local.v4 = harness_ip(DP_IP);
	f->local_port = f->out_port = htons(parts[i].port);
	f->peer.v4 = f->src.v4 = part_ip(i);
	f->peer_port = f->src_port = htons(40000);
	f->action = RTPGW_FLOW_MIX;
	f->src_mode = RTPGW_SRC_STRICT;
	f->rtcp = RTPGW_RTCP_COMPANION;
	return p;
}

static struct rte_mbuf *
packet(struct rte_mempool *pool, const struct rte_ether_addr *mac, unsigned int i, unsigned int k)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *iph;
	struct rte_udp_hdr *udp;
	int16_t pcm[160];
	uint8_t *rtp;
	uint16_t seq = (uint16_t)(1000 * i + k);
	uint32_t ts = 160 * k + 7777 * i, v;

	if (m == NULL)
		return NULL;
	for (unsigned int s = 0; s < 160; s++)
		pcm[s] = parts[i].freq == 0.0 ? 0
				: (int16_t)lrint(parts[i].ampl * sin(2.0 * M_PI * parts[i].freq *
							   (160.0 * k + s) / 8000.0));
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 20 + 8 + 12 + 160);
	rte_ether_addr_copy(mac, &eth->dst_addr);
	memcpy(&eth->src_addr, GW_MAC, 6);
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	iph = (struct rte_ipv4_hdr *)(eth + 1);
	memset(iph, 0, sizeof(*iph));
	iph->version_ihl = 0x45;
	iph->total_length = htons(20 + 8 + 12 + 160);
	iph->time_to_live = 64;
	iph->next_proto_id = IPPROTO_UDP;
	iph->src_addr = part_ip(i);
	iph->dst_addr = harness_ip(DP_IP);
	iph->hdr_checksum = rte_ipv4_cksum(iph);
	udp = (struct rte_udp_hdr *)(iph + 1);
	udp->src_port = htons(40000);
	udp->dst_port = htons(parts[i].port);
	udp->dgram_len = htons(8 + 12 + 160);
	rtp = (uint8_t *)(udp + 1);
	rtp[0] = 0x80;
	rtp[1] = (uint8_t)((k == 0 ? 0x80 : 0) | parts[i].pt);
	seq = htons(seq);
	memcpy(rtp + 2, &seq, 2);
	v = htonl(ts);
	memcpy(rtp + 4, &v, 4);
	v = htonl(parts[i].ssrc);
	memcpy(rtp + 8, &v, 4);
	g711_encode(parts[i].pt == 0 ? G711_ULAW : G711_ALAW, pcm, rtp + 12, 160);
	if (i == 4 && k >= DTMF_AT && k < DTMF_AT + DTMF_FRAMES + 3) {
		/* RFC 4733 2.3: event 5, E on the last three (2.5.1.4), volume
		 * 10, duration growing from the event's start timestamp,
		 * sent instead of audio (the stream's ts keeps running). */
		unsigned int d = k - DTMF_AT;
		uint16_t dur = (uint16_t)(160 * (d < DTMF_FRAMES ? d + 1 : DTMF_FRAMES));
		uint32_t start = 160 * DTMF_AT + 7777 * i;

		rte_pktmbuf_trim(m, 160 - 4);
		rtp[1] = (uint8_t)((d == 0 ? 0x80 : 0) | DTMF_PT);
		v = htonl(start);
		memcpy(rtp + 4, &v, 4);
		rtp[12] = 5;
		rtp[13] = (uint8_t)((d >= DTMF_FRAMES ? 0x80 : 0) | 10);
		rtp[14] = (uint8_t)(dur >> 8);
		rtp[15] = (uint8_t)dur;
		iph->total_length = htons(20 + 8 + 12 + 4);
		iph->hdr_checksum = 0;
		iph->hdr_checksum = rte_ipv4_cksum(iph);
		udp->dgram_len = htons(8 + 12 + 4);
	}
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(iph, udp);
	return m;
}

/* D's SR number j (RFC 3550 6.4.1): NTP time advancing SR_SPAN_S per SR,
 * RTP time REF_PPM fast against it. */
static struct rte_mbuf *
sr_packet(struct rte_mempool *pool, const struct rte_ether_addr *mac, unsigned int j)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *iph;
	struct rte_udp_hdr *udp;
	uint8_t *r;
	uint64_t ntp = ((uint64_t)(3900000000u + SR_SPAN_S * j)) << 32;
	uint32_t rtp = (uint32_t)(7777 * 4 + llround(8000.0 * SR_SPAN_S * j * (1 + REF_PPM * 1e-6)));
	uint32_t w[6] = {parts[4].ssrc, (uint32_t)(ntp >> 32), (uint32_t)ntp, rtp, j, 160 * j};

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, 14 + 20 + 8 + 28);
	rte_ether_addr_copy(mac, &eth->dst_addr);
	memcpy(&eth->src_addr, GW_MAC, 6);
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	iph = (struct rte_ipv4_hdr *)(eth + 1);
	memset(iph, 0, sizeof(*iph));
	iph->version_ihl = 0x45;
	iph->total_length = htons(20 + 8 + 28);
	iph->time_to_live = 64;
	iph->next_proto_id = IPPROTO_UDP;
	iph->src_addr = part_ip(4);
	iph->dst_addr = harness_ip(DP_IP);
	iph->hdr_checksum = rte_ipv4_cksum(iph);
	udp = (struct rte_udp_hdr *)(iph + 1);
	udp->src_port = htons(40001);
	udp->dst_port = htons((uint16_t)(parts[4].port + 1));
	udp->dgram_len = htons(8 + 28);
	r = (uint8_t *)(udp + 1);
	r[0] = 0x80;
	r[1] = 200;
	r[2] = 0;
	r[3] = 6;
	for (int k = 0; k < 6; k++) {
		uint32_t v = htonl(w[k]);

		memcpy(r + 4 + 4 * k, &v, 4);
	}
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(iph, udp);
	return m;
}

static void
collect(struct rte_ring *r)
{
	struct rte_mbuf *m[64];
	unsigned int n;

	while ((n = rte_ring_dequeue_burst(r, (void **)m, 64, NULL)) > 0) {
		for (unsigned int k = 0; k < n; k++) {
			if (getenv("DBG")) {
				const uint8_t *dd = rte_pktmbuf_mtod(m[k], const uint8_t *);
				fprintf(stderr, "out len %u: %02x%02x%02x%02x%02x%02x ip %u.%u.%u.%u port %u\n", rte_pktmbuf_data_len(m[k]), dd[0],dd[1],dd[2],dd[3],dd[4],dd[5], dd[30],dd[31],dd[32],dd[33], dd[36]<<8|dd[37]);
			}
			const uint8_t *d = rte_pktmbuf_mtod(m[k], const uint8_t *);
			const struct rte_ipv4_hdr *iph = (const void *)(d + 14);
			const struct rte_udp_hdr *udp = (const void *)(iph + 1);
			const uint8_t *rtp = (const uint8_t *)(udp + 1);
			unsigned int cc = rtp[0] & 0x0f, hl = 12 + 4 * cc;
			unsigned int plen = ntohs(udp->dgram_len) - 8u;

			if (ntohs(udp->dst_port) == 40001) {
				/* RTCP from the mixer: SR (PT 200) from its SSRC. */
				for (unsigned int i = 0; i < N_PARTS; i++) {
					uint32_t snd = (uint32_t)rtp[4] << 24 | (uint32_t)rtp[5] << 16 |
						       (uint32_t)rtp[6] << 8 | rtp[7];
					uint32_t rb = (uint32_t)rtp[28] << 24 | (uint32_t)rtp[29] << 16 |
						      (uint32_t)rtp[30] << 8 | rtp[31];

					if (iph->dst_addr != part_ip(i) || rtp[1] != 200 ||
					    snd != mixer_ssrc[parts[i].conf])
						continue;
					ev.sr[i]++;
					if ((rtp[0] & 0x1f) == 1 && rb == parts[i].ssrc)
						ev.sr_reports_sender[i] = true;
				}
				continue;
			}
			for (unsigned int i = 0; i < N_PARTS; i++) {
				struct who *p = &parts[i];
				unsigned int o = p->n_out;

				if (iph->dst_addr != part_ip(i) || ntohs(udp->dst_port) != 40000 ||
				    o == MAX_OUT || plen < hl + 160)
					continue;
				p->seq[o] = (uint16_t)(rtp[2] << 8 | rtp[3]);
				p->ts[o] = (uint32_t)rtp[4] << 24 | (uint32_t)rtp[5] << 16 |
					   (uint32_t)rtp[6] << 8 | rtp[7];
				p->ssrc_out[o] = (uint32_t)rtp[8] << 24 | (uint32_t)rtp[9] << 16 |
						 (uint32_t)rtp[10] << 8 | rtp[11];
				p->cc[o] = (uint8_t)cc;
				p->csrc_first[o] = cc ? (uint32_t)rtp[12] << 24 | (uint32_t)rtp[13] << 16 |
							     (uint32_t)rtp[14] << 8 | rtp[15]
						      : 0;
				for (unsigned int c = 0; c < cc; c++) {
					const uint8_t *q = rtp + 12 + 4 * c;
					uint32_t s = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
						     (uint32_t)q[2] << 8 | q[3];
					bool seen = false;

					for (unsigned int j = 0; j < p->n_csrc_seen; j++)
						seen |= p->csrc_seen[j] == s;
					if (!seen && p->n_csrc_seen < 16)
						p->csrc_seen[p->n_csrc_seen++] = s;
				}
				g711_decode((rtp[1] & 0x7f) == 0 ? G711_ULAW : G711_ALAW, rtp + hl,
					    p->pcm + 160 * o, 160);
				p->n_out++;
			}
		}
		rte_pktmbuf_free_bulk(m, n);
	}
}

static void
read_events(int fd)
{
	uint8_t buf[RTPGW_API_MSG_MAX];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct rtpgw_api_hdr *h = (const void *)buf;
		const struct rtpgw_api_event_conf *e = (const void *)(h + 1);

		if (h->type == RTPGW_API_EVENT_DTMF) {
			ev.dtmf++;
			ev.digit = (char)e->digit;
			ev.dtmf_conf = e->conf_id;
			ev.dtmf_port = ntohs(e->local_port);
		} else if (h->type == RTPGW_API_EVENT_SPEAKER && e->conf_id == 1) {
			ev.speaker++;
			ev.speaker_conf = e->conf_id;
			ev.speaker_port = ntohs(e->local_port);
		}
	}
}

static int
run(void **state)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	struct dp_config cfg = {.n_workers = 1, .max_flows = 256, .n_mbufs = 4095, .n_addrs = 1,
				.max_confs = 4, .max_parts = 16};
	struct agent_client client = {.fd = -1};
	struct rtpgw_api_hello hello = {.version = RTPGW_API_VERSION};
	struct rte_ring *rx, *tx[2];
	char prefix[64];
	struct agent *a;
	int evfd[2];
	uint64_t hz, t0;
	int port;

	(void)state;
	snprintf(prefix, sizeof(prefix), "rtpgw-comp-mixer-%d", getpid());
	char *argv[] = {"component", "-l", "0-1", "--no-huge", "-m", "256", "--no-pci",
			"--file-prefix", prefix, "--log-level", "lib.eal:error", NULL};
	assert_true(rte_eal_init((int)RTE_DIM(argv) - 1, argv) > 0);
	rx = rte_ring_create("mrx", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx[0] = rte_ring_create("mtx0", 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx[1] = rte_ring_create("mtx1", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	port = rte_eth_from_rings("mring", &rx, 1, tx, 2, 0);
	assert_true(port >= 0);
	cfg.addrs[0].ip = harness_ip(DP_IP);
	cfg.addrs[0].mask = harness_ip("255.255.255.0");
	cfg.addrs[0].prefix_len = 24;
	cfg.addrs[0].gateway = harness_ip(GW_IP);
	cfg.addrs[0].port_id = (uint16_t)port;
	assert_int_equal(dp_init(dp, &cfg), 0);
	a = agent_create(dp, NULL);
	assert_non_null(a);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, evfd), 0);
	a->clients[0].fd = evfd[0];
	a->clients[0].hello = true;
	a->clients[0].events = true;
	nexthop_set_mac(nexthop_get(dp->nexthops, harness_ip(GW_IP), (uint16_t)port),
			(const uint8_t *)GW_MAC, rte_rdtsc());
	assert_int_equal(dp_start(dp), 0);

	assert_int_equal(harness_api(a, &client, RTPGW_API_HELLO, &hello, sizeof(hello), NULL, 0), 0);
	for (uint32_t c = 1; c <= 2; c++) {
		struct rtpgw_api_conf conf = {.conf_id = c, .ptime_ms = 20,
					      .mixer_ssrc = mixer_ssrc[c], .cookie = 100 + c};

		if (c == 2) {
			conf.flags = RTPGW_CONF_F_REF_SSRC;
			conf.ref_ssrc = parts[4].ssrc;
		}

		assert_int_equal(harness_api(a, &client, RTPGW_API_CONF_ADD, &conf, sizeof(conf), NULL, 0), 0);
	}
	for (unsigned int i = 0; i < N_PARTS; i++) {
		struct rtpgw_api_participant p;

		parts[i].port = (uint16_t)(30000 + 2 * i);
		p = join_spec(i);
		if (i == 4)
			p.dtmf_pt = DTMF_PT;
		assert_int_equal(harness_api(a, &client, RTPGW_API_PART_JOIN, &p, sizeof(p), NULL, 0), 0);
	}

	/* Every participant sends one packet each 20 ms, in real time. */
	hz = rte_get_tsc_hz();
	t0 = rte_rdtsc();
	for (unsigned int k = 0; k < FRAMES; k++) {
		while (rte_rdtsc() < t0 + hz * 20 * k / 1000) {
			agent_poll(a, 0);
			collect(tx[0]);
			read_events(evfd[1]);
		}
		for (unsigned int i = 0; i < N_PARTS; i++) {
			struct rte_mbuf *m = packet(dp->pool, &dp->ports[port].mac, i, k);

			assert_non_null(m);
			assert_int_equal(rte_ring_enqueue(rx, m), 0);
		}
		if (k % SR_EVERY == 0) {
			struct rte_mbuf *m = sr_packet(dp->pool, &dp->ports[port].mac, k / SR_EVERY);

			assert_non_null(m);
			assert_int_equal(rte_ring_enqueue(rx, m), 0);
		}
	}
	while (rte_rdtsc() < t0 + hz * (20 * FRAMES + 200) / 1000) {
		agent_poll(a, 0);
		collect(tx[0]);
		read_events(evfd[1]);
	}
	{
		static uint8_t rep[RTPGW_API_MSG_MAX];
		struct rtpgw_api_conf q = {.conf_id = 2};

		assert_int_equal(harness_api(a, &client, RTPGW_API_CONF_GET, &q, sizeof(q), rep, sizeof(rep)), 0);
		memcpy(&conf2_info, rep, sizeof(conf2_info));
	}
	/* A client creating and deleting a conference as fast as it can:
	 * the owner's schedule fills with entries of stopped conferences
	 * and must compact, and the running conferences keep ticking. */
	{
		static uint8_t rep[RTPGW_API_MSG_MAX];
		struct rtpgw_api_conf q = {.conf_id = 1};
		uint64_t before, after;

		assert_int_equal(harness_api(a, &client, RTPGW_API_CONF_GET, &q, sizeof(q), rep, sizeof(rep)), 0);
		before = ((struct rtpgw_api_conf_info *)rep)->ticks;
		uint64_t limit = rte_rdtsc() + 20 * hz;

		for (unsigned int r = 0; r < 300; r++) {
			struct rtpgw_api_conf x = {.conf_id = 3};
			int rc;

			/* The pool slot comes back, and the owner's command ring
			 * drains, a loop iteration later: retry, bounded. */
			do {
				agent_poll(a, 0);
				collect(tx[0]);
				rc = harness_api(a, &client, RTPGW_API_CONF_ADD, &x, sizeof(x), NULL, 0);
			} while ((rc == -ENOSPC || rc == -EBUSY) && rte_rdtsc() < limit);
			assert_int_equal(rc, 0);
			do {
				agent_poll(a, 0);
				collect(tx[0]);
				rc = harness_api(a, &client, RTPGW_API_CONF_DEL, &x, sizeof(x), NULL, 0);
			} while (rc == -EBUSY && rte_rdtsc() < limit);
			assert_int_equal(rc, 0);
		}
		t0 = rte_rdtsc();
		while (rte_rdtsc() < t0 + hz / 5) {
			agent_poll(a, 0);
			collect(tx[0]);
		}
		assert_int_equal(harness_api(a, &client, RTPGW_API_CONF_GET, &q, sizeof(q), rep, sizeof(rep)), 0);
		after = ((struct rtpgw_api_conf_info *)rep)->ticks;
		print_message("# conference 1 ticked %" PRIu64 " times during the churn\n",
			      after - before);
		churn_ticks = after - before;
	}
	dp_stop(dp);
	collect(tx[0]);
	{
		static const char *const names[] = {
#define NAME(n, d) #n,
			RTPGW_FOREACH_DROP(NAME)
#undef NAME
		};
		const struct worker_stats *ws = &dp->workers[0]->stats;

		print_message("# worker: rx %" PRIu64 " tx %" PRIu64 "\n", ws->rx, ws->tx);
		for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++)
			if (ws->drops[k])
				print_message("# drop %s: %" PRIu64 "\n", names[k], ws->drops[k]);
	}
	a->clients[0].fd = -1;
	close(evfd[0]);
	close(evfd[1]);
	agent_destroy(a);
	dp_fini(dp);
	free(dp);
	rte_eal_cleanup();
	return 0;
}

/* Analyse the second second: the jitter buffers have settled, and every
 * participant is still sending (the tail conceals, then goes silent). */
static double
heard(const struct who *p, double f)
{
	if (p->n_out < 100)
		return 0;
	return tone_level(p->pcm + 160 * 50, 8000, f);
}

static void
everyone_receives_a_steady_stream(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N_PARTS; i++)
		print_message("# %s received %u packets\n", parts[i].name, parts[i].n_out);
	for (unsigned int i = 0; i < N_PARTS; i++) {
		const struct who *p = &parts[i];

		assert_true(p->n_out >= FRAMES - 10);
		for (unsigned int k = 1; k < p->n_out; k++) {
			assert_int_equal((uint16_t)(p->seq[k] - p->seq[k - 1]), 1);
			assert_int_equal(p->ts[k] - p->ts[k - 1], 160);
			assert_int_equal(p->ssrc_out[k], mixer_ssrc[p->conf]);
		}
	}
}

static void
each_hears_the_others_and_not_itself(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N_PARTS; i++) {
		const struct who *p = &parts[i];

		for (unsigned int j = 0; j < N_PARTS; j++) {
			const struct who *q = &parts[j];
			double lvl;

			if (q->freq == 0.0)
				continue;
			lvl = heard(p, q->freq);
			print_message("# %s hears %s's %.0f Hz at %.0f (sent %.0f)\n", p->name,
				      q->name, q->freq, lvl, q->ampl);
			if (j == i || q->conf != p->conf) {
				/* Not itself, not the other conference. */
				assert_true(lvl < AMPL / 100);
			} else {
				/* The others at their level, within ~1 dB (G.711
				 * twice over, and a second mixer stage). */
				assert_true(lvl > q->ampl * 0.89 && lvl < q->ampl * 1.12);
			}
		}
	}
}

static void
csrc_lists_name_the_talkers(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N_PARTS; i++) {
		const struct who *p = &parts[i];

		for (unsigned int j = 0; j < N_PARTS; j++) {
			const struct who *q = &parts[j];
			bool seen = false;

			for (unsigned int k = 0; k < p->n_csrc_seen; k++)
				seen |= p->csrc_seen[k] == q->ssrc;
			/* Talkers of its conference but itself, and nobody else. */
			assert_int_equal(seen, j != i && q->conf == p->conf && q->freq != 0.0);
		}
	}
	/* Mid-call: E hears D alone (one CSRC); D, alone but for a silent
	 * E, hears nobody; L hears the three talkers of conference 1. */
	assert_int_equal(parts[5].cc[100], 1);
	assert_int_equal(parts[4].cc[100], 0);
	assert_int_equal(parts[3].cc[100], 3);
	assert_int_equal(parts[0].cc[100], 2);
}

/* RFC 3550 7.1: the contributing sources, loudest first. */
static void
csrc_lists_put_the_loudest_first(void **state)
{
	const struct who *l = &parts[3];
	unsigned int k = 100;

	(void)state;
	/* L hears A (loudest), B, C; A hears B, C. Read the middle packet. */
	assert_int_equal(l->cc[k], 3);
	assert_int_equal(l->csrc_first[k], parts[0].ssrc);
	assert_int_equal(parts[0].csrc_first[k], parts[1].ssrc);
	assert_int_equal(parts[2].csrc_first[k], parts[0].ssrc);
}

/* RFC 3550 6.4.1: an SR from the mixer's SSRC, with a report block on
 * the participant's own stream, reaches each participant's RTCP port. */
static void
mixer_sends_sender_reports(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N_PARTS; i++) {
		print_message("# %s: %u SR from the mixer\n", parts[i].name, ev.sr[i]);
		assert_true(ev.sr[i] >= 1);
		assert_true(ev.sr_reports_sender[i]);
	}
}

/* The key press is reported once, never mixed; A is the active speaker. */
static void
dtmf_and_active_speaker_are_events(void **state)
{
	(void)state;
	assert_int_equal(ev.dtmf, 1);
	assert_int_equal(ev.digit, '5');
	assert_int_equal(ev.dtmf_conf, 2);
	assert_int_equal(ev.dtmf_port, parts[4].port);
	assert_true(ev.speaker >= 1);
	assert_int_equal(ev.speaker_port, parts[0].port);
	/* Never mixed: while D presses the key (its audio replaced by
	 * telephone-events), E hears D's tone fade out (concealment) and
	 * then nothing, a few frames of jitter buffer later. */
	assert_true(tone_level(parts[5].pcm + 160 * (DTMF_AT + 7), 160 * 4, 700.0) < AMPL / 20);
	assert_true(tone_level(parts[5].pcm + 160 * (DTMF_AT - 10), 160 * 4, 700.0) > AMPL / 2);
}

/* 300 conferences created and deleted: the others keep their pace. */
static void
conference_churn_does_not_stall_the_others(void **state)
{
	(void)state;
	assert_true(churn_ticks >= 5);
}

/* Conference 2 follows D's clock as its sender reports describe it. */
static void
reference_clock_follows_sender_reports(void **state)
{
	(void)state;
	print_message("# conference 2: reference %u, %.3f ppm, tick %" PRIu64 " ns\n",
		      conf2_info.ref_state, conf2_info.ref_ppb / 1000.0, conf2_info.tick_ns);
	assert_int_equal(conf2_info.ref_state, 2); /* from SRs */
	assert_true(fabs(conf2_info.ref_ppb / 1000.0 - REF_PPM) < 5);
	/* 20 ms of a clock 100 ppm fast: 19,998,000 ns of ours. */
	assert_true(conf2_info.tick_ns > 19997900 && conf2_info.tick_ns < 19998100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(everyone_receives_a_steady_stream),
		cmocka_unit_test(each_hears_the_others_and_not_itself),
		cmocka_unit_test(csrc_lists_name_the_talkers),
		cmocka_unit_test(csrc_lists_put_the_loudest_first),
		cmocka_unit_test(mixer_sends_sender_reports),
		cmocka_unit_test(dtmf_and_active_speaker_are_events),
		cmocka_unit_test(reference_clock_follows_sender_reports),
		cmocka_unit_test(conference_churn_does_not_stall_the_others),
	};

	return cmocka_run_group_tests_name("mixer", tests, run, NULL);
}
