/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Mixer benchmark: the real dataplane (dp_init, the API handlers, one
 * worker running worker_main) mixing N participants in conferences of S,
 * every participant sending G.711 at 50 packets per second in real time
 * (a generator on the main lcore writes them into a ring port; what the
 * mixer sends is drained from the TX ring and freed there). T of each
 * conference's participants talk (a tone), the others send silence.
 *
 * Figures: the worker's busy share of its cycles (iterations that received
 * packets or mixed a tick), cycles per participant per tick (input and
 * mixing together), ticks that started more than a ptime late, packets
 * dropped, the p99 and the worst of one conference's tick; and an
 * extrapolation, N / busy share, reported only when no tick was late.
 * scripts/bench mixer takes as the figure the largest N actually run with
 * no late tick, no drop, every mix sent (sent_ratio) and every input
 * packet taken in at 50 packets/s (offered_ratio: when the worker cannot
 * empty its RX ring the generator is held back).
 *
 * Last line: mixer_participants_per_core=P cycles_per_part_tick=C
 * ticks_late=L tick_p99_us=T tick_max_us=U (T, U: one conference's tick)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "agent/agent.h"
#include "codec/g711.h"
#include "dp.h"
#include "flow/nexthop.h"
#include "mixer/conf.h"
#include "worker/worker.h"

#define N_ADDRS 2
#define BASE_PORT 10000
#define FRAME 160
#define PKT_LEN (14 + 20 + 8 + 12 + FRAME)
#define GW_MAC "\x02\x00\x00\x00\x00\x01"

static struct {
	uint32_t n_parts;
	uint32_t size;   /* participants per conference */
	uint32_t talkers; /* per conference */
	double seconds;
} B = {.n_parts = 10000, .size = 5, .talkers = 3, .seconds = 5};

struct src {
	uint32_t ip;   /* the participant's, network order */
	uint32_t dip;  /* ours */
	uint16_t port; /* ours, network order */
	uint16_t seq;
	uint32_t ts;
	bool talks;
};

static uint8_t tone[50][FRAME], silence[FRAME];

static uint32_t
ip4(const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	return in.s_addr;
}

static int
api(struct agent *a, struct agent_client *c, uint16_t type, const void *payload, uint32_t len)
{
	static uint8_t req[RTPGW_API_MSG_MAX], rep[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr *h = (void *)req, *rh = (void *)rep;

	memset(h, 0, sizeof(*h));
	h->magic = RTPGW_API_MAGIC;
	h->version = RTPGW_API_VERSION;
	h->type = type;
	h->len = len;
	memcpy(h + 1, payload, len);
	api_handle(a, c, req, sizeof(*h) + len, rep);
	return rh->status;
}

/* A request the worker's command ring may push back on (-EBUSY): retry
 * for up to a second while it catches up. */
static int
api_retry(struct agent *a, struct agent_client *c, uint16_t type, const void *payload,
	  uint32_t len)
{
	int rc = -EBUSY;

	for (int i = 0; i < 1000 && rc == -EBUSY; i++) {
		rc = api(a, c, type, payload, len);
		if (rc == -EBUSY)
			rte_delay_ms(1);
	}
	return rc;
}

static int
fill(struct rte_mempool *pool, struct rte_ring *rx, const struct rte_ether_addr *mac,
     struct src *s, unsigned int k)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *udp;
	uint8_t *rtp;
	uint16_t v16;
	uint32_t v32;

	if (m == NULL)
		return -1;
	p = (uint8_t *)rte_pktmbuf_append(m, PKT_LEN);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -1;
	}
	memset(p, 0, 42);
	memcpy(p, mac, 6);
	memcpy(p + 6, GW_MAC, 6);
	p[12] = 0x08;
	ip = (struct rte_ipv4_hdr *)(p + 14);
	ip->version_ihl = 0x45;
	ip->total_length = htons(PKT_LEN - 14);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = s->ip;
	ip->dst_addr = s->dip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp = (struct rte_udp_hdr *)(ip + 1);
	udp->src_port = htons(40000);
	udp->dst_port = s->port;
	udp->dgram_len = htons(PKT_LEN - 34);
	rtp = (uint8_t *)(udp + 1);
	rtp[0] = 0x80;
	rtp[1] = 0;
	v16 = htons(s->seq++);
	memcpy(rtp + 2, &v16, 2);
	v32 = htonl(s->ts);
	s->ts += FRAME;
	memcpy(rtp + 4, &v32, 4);
	v32 = htonl(s->ip);
	memcpy(rtp + 8, &v32, 4);
	memcpy(rtp + 12, s->talks ? tone[k % 50] : silence, FRAME);
	udp->dgram_cksum = 0; /* optional in IPv4 (RFC 768): the generator's time is not ours */
	if (rte_ring_sp_enqueue(rx, m) != 0) {
		rte_pktmbuf_free(m);
		return -1;
	}
	return 0;
}

static void
drain(struct rte_ring *r)
{
	struct rte_mbuf *m[64];
	unsigned int n;

	while ((n = rte_ring_sc_dequeue_burst(r, (void **)m, 64, NULL)) > 0)
		rte_pktmbuf_free_bulk(m, n);
}

static void
parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{"participants", required_argument, NULL, 'n'},
		{"size", required_argument, NULL, 's'},
		{"talkers", required_argument, NULL, 't'},
		{"seconds", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			B.n_parts = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			B.size = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 't':
			B.talkers = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'd':
			B.seconds = strtod(optarg, NULL);
			break;
		default:
			rte_exit(2, "usage: bench-mixer [EAL] -- [--participants N] [--size S] "
				    "[--talkers T] [--seconds D]\n");
		}
	}
	if (B.size < 2 || B.size > CONF_PARTS_MAX || B.talkers > B.size || B.n_parts < B.size ||
	    B.n_parts > N_ADDRS * 50000u || B.seconds < 1)
		rte_exit(2, "bad arguments\n");
	B.n_parts -= B.n_parts % B.size;
}

int
main(int argc, char **argv)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	struct dp_config cfg = {.n_workers = 1, .n_addrs = N_ADDRS};
	struct agent_client client = {.fd = -1};
	struct rtpgw_api_hello hello = {.version = RTPGW_API_VERSION};
	struct rte_ring *rx, *tx[2];
	struct worker_stats s0, s1;
	struct src *srcs;
	struct agent *a;
	uint64_t hz, t0, t1, late0 = 0, late1 = 0, tick_max = 0;
	static uint32_t hist0[WORKER_TICK_HIST];
	unsigned int p99_us = 0;
	uint32_t n_confs;
	unsigned int k = 0;
	int n, port;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		rte_exit(1, "EAL init failed\n");
	parse(argc - n, argv + n);
	n_confs = B.n_parts / B.size;
	for (int f = 0; f < 50; f++) {
		int16_t pcm[FRAME];

		for (int s = 0; s < FRAME; s++)
			pcm[s] = (int16_t)lrint(8000 * sin(2 * M_PI * 440.0 * (f * FRAME + s) / 8000));
		g711_encode(G711_ULAW, pcm, tone[f], FRAME);
	}
	memset(silence, 0xff, sizeof(silence));

	rx = rte_ring_create("bm_rx", 16384, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx[0] = rte_ring_create("bm_tx0", 16384, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx[1] = rte_ring_create("bm_tx1", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	port = rte_eth_from_rings("bm_ring", &rx, 1, tx, 2, 0);
	if (port < 0)
		rte_exit(1, "ring port\n");
	cfg.max_flows = B.n_parts + 16;
	cfg.max_parts = B.n_parts;
	cfg.max_confs = n_confs;
	cfg.n_mbufs = 65535;
	for (int i = 0; i < N_ADDRS; i++) {
		cfg.addrs[i].ip = htonl(ntohl(ip4("198.51.100.10")) + (uint32_t)i);
		cfg.addrs[i].mask = ip4("255.255.255.0");
		cfg.addrs[i].prefix_len = 24;
		cfg.addrs[i].gateway = ip4("198.51.100.1");
		cfg.addrs[i].port_id = (uint16_t)port;
	}
	if (dp_init(dp, &cfg) < 0)
		rte_exit(1, "dp_init\n");
	a = agent_create(dp, NULL);
	nexthop_set_mac(nexthop_get(dp->nexthops, ip4("198.51.100.1"), (uint16_t)port),
			(const uint8_t *)GW_MAC, rte_rdtsc());
	if (dp_start(dp) < 0)
		rte_exit(1, "start\n");
	api(a, &client, RTPGW_API_HELLO, &hello, sizeof(hello));

	srcs = calloc(B.n_parts, sizeof(*srcs));
	for (uint32_t c = 0; c < n_confs; c++) {
		struct rtpgw_api_conf conf = {.conf_id = c + 1, .ptime_ms = 20};

		if (api_retry(a, &client, RTPGW_API_CONF_ADD, &conf, sizeof(conf)) != 0)
			rte_exit(1, "conf add %u\n", c);
		for (uint32_t j = 0; j < B.size; j++) {
			uint32_t i = c * B.size + j;
			struct rtpgw_api_participant p = {.conf_id = c + 1, .pt = 0};
			struct rtpgw_api_flow *f = &p.flow;
			struct src *s = &srcs[i];

			s->ip = htonl(ntohl(ip4("203.0.113.0")) + 1 + i % 250 + 256 * (i / 250));
			s->dip = cfg.addrs[i % N_ADDRS].ip;
			s->port = htons((uint16_t)(BASE_PORT + i / N_ADDRS));
			s->talks = j < B.talkers;
			s->seq = (uint16_t)i;
			f->local.family = f->out_local.family = f->peer.family = RTPGW_AF_INET;
			f->local.v4 = f->out_local.v4 = s->dip;
			f->local_port = f->out_port = s->port;
			f->peer.v4 = s->ip;
			f->peer_port = htons(40000);
			f->action = RTPGW_FLOW_MIX;
			f->src_mode = RTPGW_SRC_ANY;
			f->rtcp = RTPGW_RTCP_MUX;
			if (api_retry(a, &client, RTPGW_API_PART_JOIN, &p, sizeof(p)) != 0)
				rte_exit(1, "join %u\n", i);
		}
	}
	rte_delay_ms(100);

	/* Every participant sends every 20 ms, spread over the period. */
	hz = rte_get_tsc_hz();
	t0 = rte_rdtsc();
	t1 = t0;
	for (uint64_t tick = 0;; tick++) {
		uint64_t due = t0 + hz * 20 * tick / 1000;

		if (tick == 50) { /* one second of warm-up */
			s0 = dp->workers[0]->stats;
			memcpy(hist0, dp->workers[0]->tick_us_hist, sizeof(hist0));
			t1 = rte_rdtsc();
			for (uint32_t c = 0; c < n_confs; c++) {
				late0 += dp->confs->confs[c].ticks_late;
				dp->confs->confs[c].tick_cycles_max = 0;
			}
		}
		if (tick >= 50 + (uint64_t)(B.seconds * 50))
			break;
		for (uint32_t i = 0; i < B.n_parts; i++) {
			/* Pace within the period so bursts stay realistic. */
			while (rte_rdtsc() < due + hz * 20 * i / 1000 / B.n_parts)
				drain(tx[0]);
			while (fill(dp->pool, rx, &dp->ports[port].mac, &srcs[i], k) != 0)
				drain(tx[0]);
		}
		k++;
		drain(tx[0]);
		drain(tx[1]);
		agent_poll(a, 0);
	}
	s1 = dp->workers[0]->stats;
	t1 = rte_rdtsc() - t1;
	{
		/* p99 of the conferences' tick durations since the warm-up. */
		const uint32_t *h = dp->workers[0]->tick_us_hist;
		uint64_t total = 0, acc = 0;

		for (unsigned int i = 0; i < WORKER_TICK_HIST; i++)
			total += h[i] - hist0[i];
		for (unsigned int i = 0; i < WORKER_TICK_HIST; i++) {
			acc += h[i] - hist0[i];
			if (acc * 100 >= total * 99) {
				p99_us = i;
				break;
			}
		}
	}
	for (uint32_t c = 0; c < n_confs; c++) {
		late1 += dp->confs->confs[c].ticks_late;
		if (dp->confs->confs[c].tick_cycles_max > tick_max)
			tick_max = dp->confs->confs[c].tick_cycles_max;
	}
	dp_stop(dp);
	drain(tx[0]);
	{
		double busy = (double)(s1.busy_cycles - s0.busy_cycles) / (double)t1;
		double ticks = (double)t1 / (double)hz * 50;
		double cpt = (double)(s1.busy_cycles - s0.busy_cycles) / (ticks * B.n_parts);
		uint64_t drops = 0;

		for (unsigned int r = 0; r < RTPGW_DROP_MAX; r++)
			drops += s1.drops[r] - s0.drops[r];
		printf("mixer: %u participants in %u conferences of %u (%u talking), %.0f s: "
		       "worker busy %.1f%%, %.0f cycles per participant per tick, %" PRIu64
		       " late ticks, worst conference tick %.1f us, %" PRIu64 " drops, rx %" PRIu64
		       " tx %" PRIu64 "\n",
		       B.n_parts, n_confs, B.size, B.talkers, B.seconds, 100 * busy, cpt,
		       late1 - late0, (double)tick_max * 1e6 / (double)hz, drops, s1.rx - s0.rx,
		       s1.tx - s0.tx);
		/* Every participant must get its mix every tick of the window:
		 * a worker that falls behind by less than a tick is not "late"
		 * but sends less. */
		double sent = (double)(s1.tx - s0.tx) / ((double)t1 / (double)hz * 50.0 * B.n_parts);
		/* ... and the generator must have kept up: 50 packets/s each. */
		double offered = (double)(s1.rx - s0.rx) / ((double)t1 / (double)hz * 50.0 * B.n_parts);

		printf("mixer_participants_per_core=%.0f cycles_per_part_tick=%.0f ticks_late=%" PRIu64
		       " drops=%" PRIu64 " sent_ratio=%.3f offered_ratio=%.3f tick_p99_us=%u"
		       " tick_max_us=%.1f\n",
		       late1 == late0 && busy > 0 ? B.n_parts / busy : 0.0, cpt, late1 - late0,
		       drops, sent, offered, p99_us, (double)tick_max * 1e6 / (double)hz);
	}
	agent_destroy(a);
	dp_fini(dp);
	rte_eal_cleanup();
	return 0;
}
