/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Relay benchmark: the real dataplane (dp_init, agent, API socket, one
 * worker running worker_main) with N flows installed through the API
 * socket, relaying realistic RTP (G.711, 20 ms: 214-byte frames, per-flow
 * SSRC, continuous seq/ts, valid checksums) spread over all N flows in a
 * random order. Two set-ups:
 *
 * - loop (default): one ring port whose TX ring is its own RX ring. The
 *   flows form one random cycle through all N keys (flow k relays to the
 *   key of flow k+1, which accepts only flow k's address), and K packets
 *   injected at start circulate for ever: every packet the worker sends
 *   comes back as the next flow's input. No other core touches packets,
 *   so this is the cost of the relay pipeline itself on ring I/O; compare
 *   it with testpmd macswap on a net_ring loopback (the same I/O) and on
 *   net_null (whose driver allocates and frees every packet).
 * - gen: a generator on the main lcore writes packets into the ring port's
 *   RX ring; the worker sends them to a net_null port (no-rx) that frees
 *   them. Packet data arrives from another core, as a NIC's DMA would.
 *
 * The figure is the worker's busy cycles (loop iterations that received
 * packets, as testpmd's --record-core-cycles counts them) per packet.
 * Last line: relay_cycles_per_pkt=X relay_mpps=Y flows=N
 * flow_installs_per_s=Z avg_burst=B drops=D
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "agent/agent.h"
#include "api_client.h"
#include "dp.h"
#include "flow/nexthop.h"
#include "net/cksum.h"
#include "worker/worker.h"

#define N_ADDRS 2
#define BASE_PORT 10000
#define RX_RING 8192
#define GEN_BURST 64
#define PAYLOAD 160
#define FRAME (14 + 20 + 8 + 12 + PAYLOAD)
#define GW_MAC "\x02\x00\x00\x00\x00\x01"

struct gen_flow {
	uint32_t src_ip;  /* network order */
	uint32_t dst_ip;
	uint16_t sport;   /* network order */
	uint16_t dport;
	uint16_t ip_ck;   /* header checksum, final */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint32_t udp_sum; /* one's complement sum of the datagram with seq = ts = 0 */
};

static struct {
	uint32_t n_flows;
	uint32_t inflight;
	bool loop;
	double seconds;
	const char *api_path;
	struct gen_flow *flows; /* in install order */
	struct gen_flow *visit; /* the same flows in sending order */
	volatile int install_done;
	double install_rate;
	int install_rc;
	uint32_t *cycle; /* loop mode: flow index at each position of the cycle */
	struct rte_ether_addr mac; /* the ring port's */
} B = {.n_flows = 100000, .seconds = 5.0, .inflight = 1024, .loop = true};

static uint8_t tmpl[FRAME];

static uint32_t
ip4(const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	return in.s_addr;
}

static void
build_template(const struct rte_ether_addr *rx_mac)
{
	struct rte_ether_hdr *eth = (void *)tmpl;
	struct rte_ipv4_hdr *ip = (void *)(eth + 1);
	struct rte_udp_hdr *udp = (void *)(ip + 1);
	uint8_t *rtp = (uint8_t *)(udp + 1);

	memcpy(&eth->dst_addr, rx_mac, 6);
	memcpy(&eth->src_addr, GW_MAC, 6);
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->total_length = htons(FRAME - 14);
	ip->time_to_live = 60;
	ip->next_proto_id = IPPROTO_UDP;
	udp->dgram_len = htons(FRAME - 14 - 20);
	rtp[0] = 0x80;
	rtp[1] = 0; /* PCMU */
	for (int i = 0; i < PAYLOAD; i++)
		rtp[12 + i] = (uint8_t)(0xff ^ (i * 37)); /* a busy u-law pattern */
}

static void
build_flows(void)
{
	uint32_t *order = calloc(B.n_flows, sizeof(*order));

	B.flows = calloc(B.n_flows, sizeof(*B.flows));
	B.visit = calloc(B.n_flows, sizeof(*B.visit));
	if (B.flows == NULL || B.visit == NULL || order == NULL)
		rte_exit(1, "out of memory\n");
	for (uint32_t i = 0; i < B.n_flows; i++) {
		struct gen_flow *f = &B.flows[i];
		uint8_t pkt[FRAME];
		struct rte_ipv4_hdr *ip = (void *)(pkt + 14);
		struct rte_udp_hdr *udp = (void *)(ip + 1);

		f->dst_ip = htonl(ntohl(ip4("198.51.100.10")) + i % N_ADDRS);
		f->dport = htons((uint16_t)(BASE_PORT + i / N_ADDRS));
		f->src_ip = htonl(ntohl(ip4("203.0.113.0")) + 1 + i % 250);
		f->sport = htons((uint16_t)(20000 + 2 * (i / 250)));
		f->ssrc = 0x10000000u + i;
		f->seq = (uint16_t)(i * 7);
		f->ts = i * 160;
		memcpy(pkt, tmpl, FRAME);
		ip->src_addr = f->src_ip;
		ip->dst_addr = f->dst_ip;
		ip->hdr_checksum = 0;
		f->ip_ck = cksum_full(ip, 20);
		udp->src_port = f->sport;
		udp->dst_port = f->dport;
		udp->dgram_cksum = 0;
		{
			uint32_t ssrc = htonl(f->ssrc);

			memcpy(pkt + 42 + 8, &ssrc, 4);
		}
		/* Pseudo header + UDP header + RTP with seq = ts = 0. */
		f->udp_sum = cksum_raw(&ip->src_addr, 8, 0) +
			     htons(IPPROTO_UDP) + udp->dgram_len;
		f->udp_sum = cksum_raw(udp, FRAME - 34, f->udp_sum);
	}
	/* A random sending order, so the dataplane sees no locality over its
	 * N flows (its tables are laid out in install order); the generator
	 * keeps its own copy in sending order so that it walks sequentially. */
	for (uint32_t i = 0; i < B.n_flows; i++)
		order[i] = i;
	srand(42);
	for (uint32_t i = B.n_flows - 1; i > 0; i--) {
		uint32_t j = (uint32_t)rand() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < B.n_flows; i++)
		B.visit[i] = B.flows[order[i]];
	B.cycle = order; /* loop mode: the same permutation is the cycle */
}

/* The key of flow i: address i % N_ADDRS, port BASE_PORT + i / N_ADDRS. */
static void
flow_key(uint32_t i, uint32_t *ip, uint16_t *port)
{
	*ip = htonl(ntohl(ip4("198.51.100.10")) + i % N_ADDRS);
	*port = htons((uint16_t)(BASE_PORT + i / N_ADDRS));
}

/* Loop mode: the flow at cycle position k accepts only the flow at k - 1
 * and relays to the key of the flow at k + 1, from its own key. */
static void
flow_spec_loop(uint32_t k, struct rtpgw_api_flow *s)
{
	uint32_t n = B.n_flows, ip;
	uint16_t port;

	memset(s, 0, sizeof(*s));
	s->action = RTPGW_FLOW_RELAY;
	s->src_mode = RTPGW_SRC_STRICT;
	s->rtcp = RTPGW_RTCP_MUX;
	s->flags = RTPGW_FLOW_F_SSRC_REWRITE | RTPGW_FLOW_F_SEQ_CONTINUOUS;
	s->ssrc_out = 0x20000000u + B.cycle[k];
	s->clock_rate = 8000;
	s->cookie = k;
	flow_key(B.cycle[k], &ip, &port);
	s->local.family = s->out_local.family = RTPGW_AF_INET;
	s->local.v4 = s->out_local.v4 = ip;
	s->local_port = s->out_port = port;
	flow_key(B.cycle[(k + n - 1) % n], &ip, &port);
	s->src.family = RTPGW_AF_INET;
	s->src.v4 = ip;
	s->src_port = port;
	flow_key(B.cycle[(k + 1) % n], &ip, &port);
	s->peer.family = RTPGW_AF_INET;
	s->peer.v4 = ip;
	s->peer_port = port;
}

static void
flow_spec(uint32_t i, struct rtpgw_api_flow *s)
{
	const struct gen_flow *f = &B.flows[i];

	if (B.loop) {
		flow_spec_loop(i, s);
		return;
	}
	memset(s, 0, sizeof(*s));
	s->local.family = RTPGW_AF_INET;
	s->local.v4 = f->dst_ip;
	s->local_port = f->dport;
	s->action = RTPGW_FLOW_RELAY;
	s->src_mode = RTPGW_SRC_STRICT;
	s->src.family = RTPGW_AF_INET;
	s->src.v4 = f->src_ip;
	s->src_port = f->sport;
	s->rtcp = RTPGW_RTCP_MUX;
	s->out_local.family = RTPGW_AF_INET;
	s->out_local.v4 = f->dst_ip;
	s->out_port = f->dport;
	s->peer.family = RTPGW_AF_INET;
	s->peer.v4 = htonl(ntohl(f->src_ip) + 0x100); /* 203.0.114.x: via the gateway */
	s->peer_port = f->sport;
	s->flags = RTPGW_FLOW_F_SSRC_REWRITE | RTPGW_FLOW_F_SEQ_CONTINUOUS;
	s->ssrc_out = 0x20000000u + i;
	s->clock_rate = 8000;
	s->cookie = i;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A plain thread (not an lcore): an API client installing every flow. */
static void *
installer(void *arg)
{
	static struct {
		struct rtpgw_api_flow_batch b;
		struct rtpgw_api_flow f[RTPGW_API_FLOW_BATCH_MAX];
	} req;
	struct rtpgw_api_flow_batch_reply rep;
	struct api_client *c;
	double t0;

	(void)arg;
	c = api_client_connect(B.api_path, "bench-relay", 10000);
	if (c == NULL) {
		B.install_rc = -errno;
		B.install_done = 1;
		return NULL;
	}
	t0 = now_s();
	for (uint32_t i = 0; i < B.n_flows;) {
		uint32_t n = 0;

		while (n < RTPGW_API_FLOW_BATCH_MAX && i < B.n_flows)
			flow_spec(i++, &req.f[n++]);
		req.b.count = n;
		req.b.flags = 0;
		B.install_rc = api_client_request(c, RTPGW_API_FLOW_ADD, &req,
						  (uint32_t)(sizeof(req.b) + n * sizeof(req.f[0])),
						  &rep, sizeof(rep), NULL);
		if (B.install_rc != 0 || rep.applied != n)
			break;
	}
	B.install_rate = B.n_flows / (now_s() - t0);
	api_client_destroy(c);
	B.install_done = 1;
	return NULL;
}

/* Fill up to n packets; returns how many were enqueued. */
static unsigned int
generate(struct rte_mempool *pool, struct rte_ring *rx, uint32_t *pos)
{
	struct rte_mbuf *m[GEN_BURST];
	unsigned int n = rte_ring_free_count(rx);

	if (n > GEN_BURST)
		n = GEN_BURST;
	if (n == 0 || rte_pktmbuf_alloc_bulk(pool, m, n) != 0)
		return 0;
	for (unsigned int k = 0; k < n; k++) {
		struct gen_flow *f = &B.visit[*pos];
		uint8_t *p = rte_pktmbuf_mtod(m[k], uint8_t *);
		struct rte_ipv4_hdr *ip = (void *)(p + 14);
		struct rte_udp_hdr *udp = (void *)(ip + 1);
		uint8_t *rtp = (uint8_t *)(udp + 1);
		uint16_t seq = htons(f->seq);
		uint32_t ts = htonl(f->ts), ssrc = htonl(f->ssrc);
		uint32_t sum;

		if (++*pos == B.n_flows)
			*pos = 0;
		memcpy(p, tmpl, FRAME);
		m[k]->data_len = m[k]->pkt_len = FRAME;
		ip->src_addr = f->src_ip;
		ip->dst_addr = f->dst_ip;
		ip->hdr_checksum = f->ip_ck;
		udp->src_port = f->sport;
		udp->dst_port = f->dport;
		memcpy(rtp + 2, &seq, 2);
		memcpy(rtp + 4, &ts, 4);
		memcpy(rtp + 8, &ssrc, 4);
		sum = f->udp_sum + seq + (ts & 0xffff) + (ts >> 16);
		udp->dgram_cksum = (uint16_t)~cksum_fold(sum);
		if (udp->dgram_cksum == 0)
			udp->dgram_cksum = 0xffff;
		f->seq++;
		f->ts += 160;
	}
	return rte_ring_sp_enqueue_burst(rx, (void **)m, n, NULL) == n ? n : 0;
}

/* Loop mode: put K packets on the cycle, spread evenly over it. */
static int
inject(struct rte_mempool *pool, struct rte_ring *ring)
{
	for (uint32_t j = 0; j < B.inflight; j++) {
		uint32_t k = (uint32_t)((uint64_t)j * B.n_flows / B.inflight);
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		struct rte_ether_hdr *eth;
		struct rte_ipv4_hdr *ip;
		struct rte_udp_hdr *udp;
		uint8_t *rtp;
		uint32_t v;

		if (m == NULL)
			return -ENOMEM;
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		memcpy(eth, tmpl, FRAME);
		m->data_len = m->pkt_len = FRAME;
		memcpy(&eth->dst_addr, &B.mac, 6);
		ip = (struct rte_ipv4_hdr *)(eth + 1);
		udp = (struct rte_udp_hdr *)(ip + 1);
		rtp = (uint8_t *)(udp + 1);
		flow_key(B.cycle[(k + B.n_flows - 1) % B.n_flows], &ip->src_addr, &udp->src_port);
		flow_key(B.cycle[k], &ip->dst_addr, &udp->dst_port);
		v = htonl(0x30000000u + j);
		memcpy(rtp + 8, &v, 4);
		v = htonl(j * 7919u);
		memcpy(rtp + 4, &v, 4);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = 0;
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		if (rte_ring_enqueue(ring, m) != 0)
			return -ENOSPC;
	}
	return 0;
}

static void
parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{"flows", required_argument, NULL, 'f'},
		{"seconds", required_argument, NULL, 's'},
		{"api", required_argument, NULL, 'a'},
		{"mode", required_argument, NULL, 'm'},
		{"inflight", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			B.n_flows = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			B.seconds = strtod(optarg, NULL);
			break;
		case 'a':
			B.api_path = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "loop") != 0 && strcmp(optarg, "gen") != 0)
				rte_exit(2, "--mode loop|gen\n");
			B.loop = strcmp(optarg, "loop") == 0;
			break;
		case 'k':
			B.inflight = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		default:
			rte_exit(2, "usage: bench-relay [EAL] -- [--mode loop|gen] [--flows N] "
				    "[--inflight K] [--seconds S] --api PATH\n");
		}
	}
	if (B.n_flows == 0 || B.n_flows > N_ADDRS * (65536 - BASE_PORT) || B.seconds <= 0 ||
	    B.api_path == NULL || B.inflight < 64 || B.inflight > RX_RING / 2 ||
	    (B.loop && B.inflight > B.n_flows))
		rte_exit(2, "bad arguments (flows 1..%u, seconds > 0, --api, inflight 64..%u "
			    "and at most flows)\n",
			 N_ADDRS * (65536 - BASE_PORT), RX_RING / 2);
}

int
main(int argc, char **argv)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	struct dp_config cfg = {.n_workers = 1, .n_mbufs = 32767, .n_addrs = N_ADDRS};
	struct rte_ring *rx, *tx[2];
	struct worker_stats s0, s1;
	struct agent *a;
	pthread_t th;
	uint32_t pos = 0;
	uint64_t drops = 0;
	double t0, t1;
	int n, rx_port;

	n = rte_eal_init(argc, argv);
	if (n < 0)
		rte_exit(1, "EAL init failed\n");
	parse(argc - n, argv + n);
	if (rte_eth_dev_count_avail() != (B.loop ? 0 : 1))
		rte_exit(2, "loop mode takes no port; gen mode one sink: --vdev net_null0,no-rx=1\n");

	/* The ring port. loop: the worker's TX ring is the RX ring. gen: the
	 * RX ring is fed by the generator and the worker sends on the null
	 * port. The agent's TX ring is a sink either way. */
	rx = rte_ring_create("bench_rx", RX_RING, 0, B.loop ? 0 : RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx[0] = B.loop ? rx : rte_ring_create("bench_tx0", 1024, 0, 0);
	tx[1] = rte_ring_create("bench_tx1", 1024, 0, 0);
	rx_port = rte_eth_from_rings("bench_ring", &rx, 1, tx, 2, 0);
	if (rx == NULL || tx[0] == NULL || tx[1] == NULL || rx_port < 0)
		rte_exit(1, "ring port: %s\n", rte_strerror(rte_errno));

	cfg.max_flows = B.n_flows + 1024;
	for (int i = 0; i < N_ADDRS; i++) {
		cfg.addrs[i].ip = htonl(ntohl(ip4("198.51.100.10")) + (uint32_t)i);
		cfg.addrs[i].mask = ip4("255.255.255.0");
		cfg.addrs[i].prefix_len = 24;
		cfg.addrs[i].gateway = ip4("198.51.100.1");
		cfg.addrs[i].port_id = B.loop ? (uint16_t)rx_port : 0;
	}
	if (dp_init(dp, &cfg) < 0)
		rte_exit(1, "dp_init failed\n");
	B.mac = dp->ports[rx_port].mac;
	build_template(&B.mac);
	build_flows();
	a = agent_create(dp, B.api_path);
	if (a == NULL)
		rte_exit(1, "agent: %s\n", strerror(errno));
	if (B.loop) {
		/* Peers are our own addresses, reached through the ring. */
		for (int i = 0; i < N_ADDRS; i++)
			nexthop_set_mac(nexthop_get(dp->nexthops, cfg.addrs[i].ip, (uint16_t)rx_port),
					B.mac.addr_bytes, rte_rdtsc());
	} else {
		nexthop_set_mac(nexthop_get(dp->nexthops, ip4("198.51.100.1"), 0),
				(const uint8_t *)GW_MAC, rte_rdtsc());
	}
	if (dp_start(dp) < 0)
		rte_exit(1, "start failed\n");

	/* Phase 1: install every flow through the API socket. */
	pthread_create(&th, NULL, installer, NULL);
	while (!B.install_done)
		agent_poll(a, 1);
	pthread_join(th, NULL);
	if (B.install_rc != 0)
		rte_exit(1, "flow install failed: %s\n", strerror(-B.install_rc));
	printf("installed %u flows through the API: %.0f flows/s\n", B.n_flows, B.install_rate);

	/* Phase 2: warm up one second, then measure. */
	if (B.loop && inject(dp->pool, rx) < 0)
		rte_exit(1, "cannot inject %u packets\n", B.inflight);
	t0 = now_s();
	while (now_s() - t0 < 1.0) {
		if (B.loop)
			agent_poll(a, 1);
		else
			generate(dp->pool, rx, &pos);
	}
	s0 = dp->workers[0]->stats;
	t0 = now_s();
	do {
		if (B.loop)
			agent_poll(a, 1);
		else
			for (int k = 0; k < 64; k++)
				generate(dp->pool, rx, &pos);
		t1 = now_s();
	} while (t1 - t0 < B.seconds);
	s1 = dp->workers[0]->stats;

	dp_stop(dp);
	for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++)
		drops += s1.drops[k] - s0.drops[k];
	{
		uint64_t pkts = s1.rx - s0.rx;
		uint64_t busy = s1.busy_cycles - s0.busy_cycles;
		uint64_t busy_polls = pkts ? pkts : 1;
		double cpp = pkts ? (double)busy / (double)pkts : 0;
		double mpps = (double)pkts / (t1 - t0) / 1e6;
		double total = (double)(s1.total_cycles - s0.total_cycles);

		(void)busy_polls;
		printf("worker: %" PRIu64 " packets in %.2f s, busy %.1f%% of polled cycles, "
		       "tx %" PRIu64 ", dropped %" PRIu64 "\n",
		       pkts, t1 - t0, total > 0 ? 100.0 * (double)busy / total : 0,
		       s1.tx - s0.tx, drops);
		printf("relay_cycles_per_pkt=%.1f relay_mpps=%.2f flows=%u flow_installs_per_s=%.0f "
		       "avg_burst=%.1f drops=%" PRIu64 " mode=%s\n",
		       cpp, mpps, B.n_flows, B.install_rate,
		       (double)pkts / (double)RTE_MAX((uint64_t)1, s1.polls - s0.polls), drops,
		       B.loop ? "loop" : "gen");
	}
	agent_destroy(a);
	dp_fini(dp);
	rte_eal_cleanup();
	return drops ? 1 : 0;
}
