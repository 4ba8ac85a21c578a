/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Component test of the single-writer protocol under load: two workers
 * (two RX queues of a ring port, standing in for RSS: each flow's packets
 * always reach the same queue) relay a steady stream over 200 flows while
 * the agent, through the API handlers, keeps modifying half of them and
 * adding and deleting another 100. Nothing may be lost on the flows that
 * stay, statistics must survive MOD, and every packet sent to a churned
 * flow must be either relayed or dropped as NO_FLOW. RCU waits for both
 * workers at every batch, so a broken grace period shows up as a crash or
 * a miscount here.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#include "dp.h"
#include "flow/nexthop.h"
#include "worker/worker.h"

#define N_STABLE 100 /* flows 0..99: never touched */
#define N_MODDED 100 /* flows 100..199: modified over and over */
#define N_CHURN 100  /* flows 200..299: added and deleted over and over */
#define N_FLOWS (N_STABLE + N_MODDED + N_CHURN)
#define BASE_PORT 10000
#define PEER_PORT 30000
#define RUN_MS 1500
#define SSRC_MOD_A 0xaaaa0000u
#define SSRC_MOD_B 0xbbbb0000u

static struct {
	uint64_t sent[N_FLOWS];
	uint64_t recv[N_FLOWS];
	uint64_t bad_ssrc;
	uint64_t unknown_out;
	uint64_t no_flow_drops;
	uint64_t other_drops;
	uint64_t rx, tx;
	uint32_t mods, adds, dels;
	struct rtpgw_api_flow_stats stats[N_STABLE + N_MODDED];
} g;

static struct rtpgw_api_flow
spec(unsigned int i, uint32_t ssrc)
{
	struct rtpgw_api_flow f;

	memset(&f, 0, sizeof(f));
	f.local.family = f.out_local.family = f.peer.family = f.src.family = RTPGW_AF_INET;
	f.local.v4 = f.out_local.v4 = harness_ip("198.51.100.10");
	f.local_port = f.out_port = htons((uint16_t)(BASE_PORT + 2 * i));
	f.peer.v4 = harness_ip("198.51.100.2");
	f.peer_port = htons((uint16_t)(PEER_PORT + i));
	f.src.v4 = harness_ip("198.51.100.3");
	f.src_port = htons((uint16_t)(PEER_PORT + i));
	f.action = RTPGW_FLOW_RELAY;
	f.src_mode = RTPGW_SRC_STRICT;
	f.flags = RTPGW_FLOW_F_SSRC_REWRITE;
	f.ssrc_out = ssrc + i;
	f.cookie = i;
	return f;
}

/* A batch of flows [from, to) built by spec(i, ssrc). */
static int
batch(struct agent *a, struct agent_client *c, uint16_t type, unsigned int from, unsigned int to,
      uint32_t ssrc)
{
	static struct {
		struct rtpgw_api_flow_batch b;
		struct rtpgw_api_flow f[N_FLOWS];
	} req;

	memset(&req.b, 0, sizeof(req.b));
	req.b.count = to - from;
	for (unsigned int i = from; i < to; i++)
		req.f[i - from] = spec(i, ssrc);
	return harness_api(a, c, type, &req, (uint32_t)(sizeof(req.b) + (to - from) * sizeof(req.f[0])),
		   NULL, 0);
}

static struct rte_mbuf *
packet(struct rte_mempool *pool, const struct rte_ether_addr *mac, unsigned int i, uint16_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv4_hdr *iph;
	struct rte_udp_hdr *udp;
	uint8_t *rtp;
	uint16_t len = 14 + 20 + 8 + 12 + 160;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	memset(eth, 0, len);
	rte_ether_addr_copy(mac, &eth->dst_addr);
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	iph = (struct rte_ipv4_hdr *)(eth + 1);
	iph->version_ihl = 0x45;
	iph->total_length = htons((uint16_t)(len - 14));
	iph->time_to_live = 64;
	iph->next_proto_id = IPPROTO_UDP;
	iph->src_addr = harness_ip("198.51.100.3");
	iph->dst_addr = harness_ip("198.51.100.10");
	iph->hdr_checksum = rte_ipv4_cksum(iph);
	udp = (struct rte_udp_hdr *)(iph + 1);
	udp->src_port = htons((uint16_t)(PEER_PORT + i));
	udp->dst_port = htons((uint16_t)(BASE_PORT + 2 * i));
	udp->dgram_len = htons((uint16_t)(len - 34));
	rtp = (uint8_t *)(udp + 1);
	rtp[0] = 0x80;
	rtp[2] = (uint8_t)(seq >> 8);
	rtp[3] = (uint8_t)seq;
	rtp[7] = (uint8_t)seq; /* ts: low byte only, enough */
	rtp[11] = (uint8_t)i;  /* SSRC per flow */
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(iph, udp);
	return m;
}

/* Count what the workers sent: per flow, by the output's destination port. */
static void
drain(struct rte_ring *r)
{
	struct rte_mbuf *m[64];
	unsigned int n;

	while ((n = rte_ring_dequeue_burst(r, (void **)m, 64, NULL)) > 0) {
		for (unsigned int k = 0; k < n; k++) {
			const uint8_t *d = rte_pktmbuf_mtod(m[k], const uint8_t *);
			unsigned int i = (unsigned int)((d[36] << 8 | d[37]) - PEER_PORT);
			uint32_t ssrc = (uint32_t)d[50] << 24 | (uint32_t)d[51] << 16 |
					(uint32_t)d[52] << 8 | d[53];

			if (i >= N_FLOWS) {
				g.unknown_out++;
			} else {
				g.recv[i]++;
				if (i >= N_STABLE && i < N_STABLE + N_MODDED &&
				    ssrc != SSRC_MOD_A + i && ssrc != SSRC_MOD_B + i)
					g.bad_ssrc++;
			}
		}
		rte_pktmbuf_free_bulk(m, n);
	}
}

static int
run(void **state)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	struct dp_config cfg = {.n_workers = 2, .max_flows = 1024, .n_mbufs = 8191, .n_addrs = 1};
	struct agent_client client = {.fd = -1};
	struct rtpgw_api_hello hello = {.version = RTPGW_API_VERSION};
	struct rte_ring *rx[2], *tx[3];
	char prefix[64];
	struct agent *a;
	uint64_t end;
	uint16_t seq = 0;
	bool churned_in = false;
	int port;

	(void)state;
	snprintf(prefix, sizeof(prefix), "rtpgw-comp-workers-%d", getpid());
	/* Three lcores on the machine's two CPUs: functional, not fast. */
	char *argv[] = {"component", "--lcores", "0@0,1@1,2@1", "--no-huge", "-m", "256",
			"--no-pci", "--file-prefix", prefix, "--log-level", "lib.eal:error", NULL};
	assert_true(rte_eal_init((int)RTE_DIM(argv) - 1, argv) > 0);
	for (int i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "wrx%d", i);
		rx[i] = rte_ring_create(name, 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	for (int i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "wtx%d", i);
		tx[i] = rte_ring_create(name, 8192, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	port = rte_eth_from_rings("wring", rx, 2, tx, 3, 0);
	assert_true(port >= 0);

	cfg.addrs[0].ip = harness_ip("198.51.100.10");
	cfg.addrs[0].mask = harness_ip("255.255.255.0");
	cfg.addrs[0].prefix_len = 24;
	cfg.addrs[0].port_id = (uint16_t)port;
	assert_int_equal(dp_init(dp, &cfg), 0);
	a = agent_create(dp, NULL);
	assert_non_null(a);
	nexthop_set_mac(nexthop_get(dp->nexthops, harness_ip("198.51.100.2"), (uint16_t)port),
			(const uint8_t *)"\x02\x00\x00\x00\x00\x02", rte_rdtsc());
	assert_int_equal(harness_api(a, &client, RTPGW_API_HELLO, &hello, sizeof(hello), NULL, 0), 0);
	assert_int_equal(batch(a, &client, RTPGW_API_FLOW_ADD, 0, N_STABLE, 0x11110000u), 0);
	assert_int_equal(batch(a, &client, RTPGW_API_FLOW_ADD, N_STABLE, N_STABLE + N_MODDED,
			       SSRC_MOD_A),
			 0);
	assert_int_equal(dp_start(dp), 0);

	end = rte_rdtsc() + rte_get_tsc_hz() * RUN_MS / 1000;
	while (rte_rdtsc() < end) {
		/* One packet to every flow, each flow always on the same queue. */
		for (unsigned int i = 0; i < N_FLOWS; i++) {
			struct rte_mbuf *m = packet(dp->pool, &dp->ports[port].mac, i, seq);

			if (m == NULL || rte_ring_enqueue(rx[i % 2], m) != 0) {
				rte_pktmbuf_free(m);
				break;
			}
			g.sent[i]++;
		}
		seq++;
		/* The writer at work while they run. */
		assert_int_equal(batch(a, &client, RTPGW_API_FLOW_MOD, N_STABLE,
				       N_STABLE + N_MODDED, seq & 1 ? SSRC_MOD_B : SSRC_MOD_A),
				 0);
		g.mods++;
		if (churned_in) {
			assert_int_equal(batch(a, &client, RTPGW_API_FLOW_DEL, N_STABLE + N_MODDED,
					       N_FLOWS, 0),
					 0);
			g.dels++;
		} else {
			assert_int_equal(batch(a, &client, RTPGW_API_FLOW_ADD, N_STABLE + N_MODDED,
					       N_FLOWS, 0x22220000u),
					 0);
			g.adds++;
		}
		churned_in = !churned_in;
		agent_poll(a, 0);
		for (int i = 0; i < 2; i++)
			drain(tx[i]);
		/* Keep the RX rings from overflowing on a slow machine. */
		while (rte_ring_count(rx[0]) + rte_ring_count(rx[1]) > 2048 && rte_rdtsc() < end) {
			drain(tx[0]);
			drain(tx[1]);
		}
	}
	/* Let the workers finish what is queued. */
	end = rte_rdtsc() + rte_get_tsc_hz() * 2;
	while ((rte_ring_count(rx[0]) || rte_ring_count(rx[1])) && rte_rdtsc() < end) {
		drain(tx[0]);
		drain(tx[1]);
	}
	rte_delay_ms(50);
	dp_stop(dp);
	drain(tx[0]);
	drain(tx[1]);

	for (int w = 0; w < 2; w++) {
		g.rx += dp->workers[w]->stats.rx;
		g.tx += dp->workers[w]->stats.tx;
		g.no_flow_drops += dp->workers[w]->stats.drops[RTPGW_DROP_NO_FLOW];
		for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++)
			if (k != RTPGW_DROP_NO_FLOW)
				g.other_drops += dp->workers[w]->stats.drops[k];
	}
	{
		static struct {
			struct rtpgw_api_flow_batch b;
			struct rtpgw_api_flow f[N_STABLE + N_MODDED];
		} req;
		static struct {
			struct rtpgw_api_flow_info_list l;
			struct rtpgw_api_flow_info i[N_STABLE + N_MODDED];
		} rep;

		memset(&req.b, 0, sizeof(req.b));
		req.b.count = N_STABLE + N_MODDED;
		for (unsigned int i = 0; i < N_STABLE + N_MODDED; i++)
			req.f[i] = spec(i, 0);
		assert_int_equal(harness_api(a, &client, RTPGW_API_FLOW_GET, &req,
				     (uint32_t)(sizeof(req.b) + req.b.count * sizeof(req.f[0])), &rep,
				     sizeof(rep)),
				 0);
		for (unsigned int i = 0; i < N_STABLE + N_MODDED; i++)
			g.stats[i] = rep.i[i].stats;
	}
	agent_destroy(a);
	dp_fini(dp);
	free(dp);
	rte_eal_cleanup();
	print_message("# %" PRIu64 " packets through 2 workers; %u MOD, %u ADD and %u DEL "
		      "batches meanwhile\n",
		      g.rx, g.mods, g.adds, g.dels);
	return 0;
}

static void
every_packet_is_relayed_or_counted(void **state)
{
	uint64_t sent = 0;

	(void)state;
	for (unsigned int i = 0; i < N_FLOWS; i++)
		sent += g.sent[i];
	assert_true(sent > 10 * N_FLOWS);
	assert_int_equal(g.rx, sent);
	assert_int_equal(g.tx + g.no_flow_drops, g.rx);
	assert_int_equal(g.other_drops, 0);
	assert_int_equal(g.unknown_out, 0);
	assert_true(g.mods > 5 && g.adds > 2 && g.dels > 2);
}

static void
flows_that_stay_lose_nothing(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N_STABLE + N_MODDED; i++) {
		assert_int_equal(g.recv[i], g.sent[i]);
		assert_int_equal(g.stats[i].lost, 0);
	}
}

static void
mod_keeps_statistics_and_applies_new_ssrc(void **state)
{
	(void)state;
	assert_int_equal(g.bad_ssrc, 0);
	for (unsigned int i = N_STABLE; i < N_STABLE + N_MODDED; i++) {
		assert_int_equal(g.stats[i].packets, g.sent[i]);
		assert_int_equal(g.stats[i].expected, g.sent[i]);
	}
}

static void
churned_flows_relay_or_drop_as_no_flow(void **state)
{
	uint64_t sent = 0, recv = 0;

	(void)state;
	for (unsigned int i = N_STABLE + N_MODDED; i < N_FLOWS; i++) {
		sent += g.sent[i];
		recv += g.recv[i];
	}
	assert_int_equal(recv + g.no_flow_drops, sent);
	/* Both happened: the churn was real. */
	assert_true(recv > 0);
	assert_true(g.no_flow_drops > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_packet_is_relayed_or_counted),
		cmocka_unit_test(flows_that_stay_lose_nothing),
		cmocka_unit_test(mod_keeps_statistics_and_applies_new_ssrc),
		cmocka_unit_test(churned_flows_relay_or_drop_as_no_flow),
	};

	return cmocka_run_group_tests_name("workers", tests, run, NULL);
}
