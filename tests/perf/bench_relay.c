/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Relay benchmark: the real dataplane (dp_init, agent, API socket, one
 * worker running worker_main) with N flows installed through the API, fed
 * realistic RTP (G.711, 20 ms, 214-byte frames, per-flow SSRC and
 * continuous seq/ts, valid checksums) spread over all flows in a random
 * order.
 *
 * Ports: 0 = net_null with no-rx (the TX sink: the worker pays for
 * freeing every packet, as testpmd does), 1 = a ring port whose RX ring the
 * generator on the main lcore keeps full (it pays for mbuf allocation and
 * packet writing, which is not relay work). The figure is the worker's
 * busy cycles (loop iterations that received packets, as testpmd's
 * --record-core-cycles counts them) divided by packets relayed.
 *
 * Output, last line: relay_cycles_per_pkt=X relay_mpps=Y flows=N
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
	double seconds;
	const char *api_path;
	struct gen_flow *flows; /* in install order */
	struct gen_flow *visit; /* the same flows in sending order */
	volatile int install_done;
	double install_rate;
	int install_rc;
} B = {.n_flows = 100000, .seconds = 5.0};

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
	free(order);
}

static void
flow_spec(uint32_t i, struct rtpgw_api_flow *s)
{
	const struct gen_flow *f = &B.flows[i];

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

static void
parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{"flows", required_argument, NULL, 'f'},
		{"seconds", required_argument, NULL, 's'},
		{"api", required_argument, NULL, 'a'},
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
		default:
			rte_exit(2, "usage: bench-relay [EAL] -- [--flows N] [--seconds S] --api PATH\n");
		}
	}
	if (B.n_flows == 0 || B.n_flows > N_ADDRS * (65536 - BASE_PORT) || B.seconds <= 0 ||
	    B.api_path == NULL)
		rte_exit(2, "bad arguments (flows 1..%u, seconds > 0, --api)\n",
			 N_ADDRS * (65536 - BASE_PORT));
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
	if (rte_eth_dev_count_avail() != 1)
		rte_exit(2, "give exactly one sink port: --vdev net_null0,no-rx=1\n");

	/* The ring port: RX ring fed by us, TX rings never used (the worker
	 * sends on the null port, the agent has nothing to say here). */
	rx = rte_ring_create("bench_rx", RX_RING, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	tx[0] = rte_ring_create("bench_tx0", 1024, 0, 0);
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
		cfg.addrs[i].port_id = 0;
	}
	if (dp_init(dp, &cfg) < 0)
		rte_exit(1, "dp_init failed\n");
	build_template(&dp->ports[rx_port].mac);
	build_flows();
	a = agent_create(dp, B.api_path);
	if (a == NULL)
		rte_exit(1, "agent: %s\n", strerror(errno));
	nexthop_set_mac(nexthop_get(dp->nexthops, ip4("198.51.100.1"), 0),
			(const uint8_t *)GW_MAC, rte_rdtsc());
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
	t0 = now_s();
	while (now_s() - t0 < 1.0)
		generate(dp->pool, rx, &pos);
	s0 = dp->workers[0]->stats;
	t0 = now_s();
	do {
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
		       "avg_burst=%.1f drops=%" PRIu64 "\n",
		       cpp, mpps, B.n_flows, B.install_rate,
		       (double)pkts / (double)RTE_MAX((uint64_t)1, s1.polls - s0.polls), drops);
	}
	agent_destroy(a);
	dp_fini(dp);
	rte_eal_cleanup();
	return drops ? 1 : 0;
}
