/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Component test of the relay: the real dataplane (EAL, --no-huge, one
 * worker) fed a pcap through net_pcap. The input holds the two shared
 * testdata streams re-addressed to two flows of one anchored call (with
 * loss, a duplicate and a reorder injected into stream A), RTCP on the
 * companion port, and one packet of each kind of bad input. Flows are
 * installed through the API handler with real API messages. Every output
 * packet is checked (addresses, ports, checksums, RTP fields per rewrite
 * mode), the flows' statistics are compared with a reference computed
 * here from the input, and each bad packet must be counted under its
 * named drop reason.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pcap/pcap.h>
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
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "agent/agent.h"
#include "dp.h"
#include "flow/flow_table.h"
#include "flow/nexthop.h"
#include "net/cksum.h"
#include "worker/worker.h"

#ifndef TESTDATA_DIR
#define TESTDATA_DIR "../shared/testdata"
#endif

#define MAX_PKTS 1024
#define PCAP_MAC "\x02\x70\x63\x61\x70\x00" /* net_pcap's first port */
#define GW_MAC "\x02\x00\x00\x00\x00\x01"

#define DP_IP "198.51.100.10"
#define GW_IP "198.51.100.1"
#define A_IP "203.0.113.1"
#define B_IP "203.0.113.2"
#define A_PORT 40010
#define B_PORT 40002
#define FLOW_A_PORT 20000 /* A sends here; relayed to B from FLOW_B_PORT */
#define FLOW_B_PORT 20002 /* B sends here; relayed to A from FLOW_A_PORT */
#define SSRC_OUT_A 0x5eed0001u
#define PT_MAP_A_OUT 96
/* Flow C: a source that changes SSRC mid-stream, relayed with SSRC
 * rewrite and continuous seq/ts; flow D: silent, with an idle timeout. */
#define C_IP "203.0.113.3"
#define C_PORT 40020
#define FLOW_C_PORT 20010
#define FLOW_D_PORT 20012
#define SSRC_C1 0x0c0c0c01u
#define SSRC_C2 0x0c0c0c02u
#define SSRC_OUT_C 0x5eed000cu
#define C_PKTS 10 /* per source */
#define COOKIE_C 0xc0ffee01u
#define COOKIE_D 0xc0ffee02u
#define IDLE_D_MS 50
/* Flow E: RTCP multiplexed on the RTP port (RFC 5761). */
#define FLOW_E_PORT 20020
#define E_PEER_PORT 40050
#define E_RTP 3

struct payload {
	uint8_t data[1500];
	uint16_t len;
};

/* What went in, what came out, and the dataplane's view after the run. */
static struct {
	char dir[64];
	char in_path[128];
	char out_path[128];
	struct payload a[300], b[300];
	unsigned int n_a, n_b;
	/* stream A as sent, by index into a[] (loss, dup, reorder applied) */
	unsigned int a_order[320];
	unsigned int n_a_sent;
	unsigned int n_in;
	uint32_t ssrc_a, ssrc_b;
	struct payload out[MAX_PKTS];
	unsigned int n_out;
	struct rtpgw_api_flow_info info_a, info_b;
	uint64_t drops[RTPGW_DROP_MAX];
	uint64_t expected_drops[RTPGW_DROP_MAX];
	uint64_t rx;
	struct rtpgw_api_flow_info info_c, info_e;
	/* events read from the subscriber socket */
	unsigned int ev_rtcp, ev_idle, ev_ssrc;
	struct rtpgw_api_event_flow ev_ssrc_last, ev_idle_last;
	uint64_t ev_rtcp_cookie;
	bool skip;
	char skip_why[128];
} g;

static uint32_t
ip(const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	return in.s_addr;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* UDP payloads of a capture, optionally only those to an odd port (RTCP). */
static unsigned int
load_udp(const char *file, struct payload *out, unsigned int max, int want_odd)
{
	char err[PCAP_ERRBUF_SIZE], path[256];
	struct pcap_pkthdr *h;
	const u_char *d;
	unsigned int n = 0;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s", TESTDATA_DIR, file);
	p = pcap_open_offline(path, err);
	if (p == NULL)
		return 0;
	while (n < max && pcap_next_ex(p, &h, &d) == 1) {
		unsigned int ihl, ulen;

		if (h->caplen < 42 || d[12] != 0x08 || d[13] != 0x00 || d[23] != IPPROTO_UDP)
			continue;
		ihl = (d[14] & 0xf) * 4u;
		ulen = be16(d + 14 + ihl + 4);
		if (ulen < 8 || 14 + ihl + ulen > h->caplen)
			continue;
		if (want_odd >= 0 && (int)(be16(d + 14 + ihl + 2) & 1) != want_odd)
			continue;
		out[n].len = (uint16_t)(ulen - 8);
		memcpy(out[n].data, d + 14 + ihl + 8, out[n].len);
		n++;
	}
	pcap_close(p);
	return n;
}

/* Build one Ethernet/IPv4/UDP frame with valid checksums. */
static unsigned int
frame(uint8_t *buf, const char *src, uint16_t sport, const char *dst, uint16_t dport,
      const uint8_t *l5, uint16_t l5_len)
{
	struct rte_ether_hdr *eth = (void *)buf;
	struct rte_ipv4_hdr *iph = (void *)(eth + 1);
	struct rte_udp_hdr *udp = (void *)(iph + 1);

	memcpy(&eth->dst_addr, PCAP_MAC, 6);
	memcpy(&eth->src_addr, GW_MAC, 6);
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	memset(iph, 0, sizeof(*iph));
	iph->version_ihl = 0x45;
	iph->total_length = htons((uint16_t)(sizeof(*iph) + sizeof(*udp) + l5_len));
	iph->packet_id = htons(1);
	iph->time_to_live = 61;
	iph->next_proto_id = IPPROTO_UDP;
	iph->src_addr = ip(src);
	iph->dst_addr = ip(dst);
	iph->hdr_checksum = cksum_full(iph, sizeof(*iph));
	udp->src_port = htons(sport);
	udp->dst_port = htons(dport);
	udp->dgram_len = htons((uint16_t)(sizeof(*udp) + l5_len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, l5, l5_len);
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(iph, udp);
	return (unsigned int)(sizeof(*eth) + sizeof(*iph) + sizeof(*udp) + l5_len);
}

static void
dump(pcap_dumper_t *d, const uint8_t *buf, unsigned int len)
{
	struct pcap_pkthdr h = {.caplen = len, .len = len};

	h.ts.tv_usec = (suseconds_t)(g.n_in * 1000);
	pcap_dump((u_char *)d, &h, buf);
	g.n_in++;
}

/* One bad packet, expected to be dropped under reason. */
static void
bad(pcap_dumper_t *d, uint8_t *buf, unsigned int len, enum rtpgw_drop reason)
{
	dump(d, buf, len);
	g.expected_drops[reason]++;
}

static void
write_input(void)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(p, g.in_path);
	struct payload all[8], rtcp[8];
	unsigned int n_all = load_udp("pair_pcmu_sip_rtp_5s.pcap", all, 8, 1), n_rtcp = 0;
	uint8_t buf[2048], rtp[200];
	unsigned int len, ia = 0, ib = 0;
	struct rte_ipv4_hdr *iph = (void *)(buf + 14);

	assert_non_null(d);
	/* The compound SR/RR reports (baresip also sends lone APP packets). */
	const struct payload *app = NULL;

	for (unsigned int i = 0; i < n_all; i++) {
		if (all[i].len >= 8 && (all[i].data[1] == 200 || all[i].data[1] == 201))
			rtcp[n_rtcp++] = all[i];
		if (all[i].len >= 8 && all[i].data[1] == 204 && app == NULL)
			app = &all[i];
	}
	assert_true(n_rtcp >= 2);
	assert_non_null(app);
	/* Stream A: lose 10, 11 and 50, duplicate 20, swap 30 and 31. */
	for (unsigned int i = 0; i < g.n_a; i++) {
		if (i == 10 || i == 11 || i == 50)
			continue;
		if (i == 30) {
			g.a_order[g.n_a_sent++] = 31;
			g.a_order[g.n_a_sent++] = 30;
			i++;
			continue;
		}
		g.a_order[g.n_a_sent++] = i;
		if (i == 20)
			g.a_order[g.n_a_sent++] = i;
	}
	/* Interleave A and B as a call does, with RTCP now and then. */
	while (ia < g.n_a_sent || ib < g.n_b) {
		if (ia < g.n_a_sent) {
			const struct payload *pl = &g.a[g.a_order[ia++]];

			dump(d, buf, frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, pl->data, pl->len));
		}
		if (ib < g.n_b) {
			const struct payload *pl = &g.b[ib++];

			dump(d, buf, frame(buf, B_IP, B_PORT, DP_IP, FLOW_B_PORT, pl->data, pl->len));
		}
		if (ia == 100) {
			/* RTCP from A on the companion port (real RR/SR from the
			 * capture, sender SSRC set to A's stream). */
			uint8_t r[1500];

			memcpy(r, rtcp[0].data, rtcp[0].len);
			r[4] = (uint8_t)(g.ssrc_a >> 24);
			r[5] = (uint8_t)(g.ssrc_a >> 16);
			r[6] = (uint8_t)(g.ssrc_a >> 8);
			r[7] = (uint8_t)g.ssrc_a;
			dump(d, buf, frame(buf, A_IP, A_PORT + 1, DP_IP, FLOW_A_PORT + 1, r,
					   rtcp[0].len));
			dump(d, buf, frame(buf, B_IP, B_PORT + 1, DP_IP, FLOW_B_PORT + 1,
					   rtcp[1].data, rtcp[1].len));
			/* A lone APP keepalive (RFC 5506 reduced size), as baresip
			 * sends: relayed too. */
			dump(d, buf, frame(buf, A_IP, A_PORT + 1, DP_IP, FLOW_A_PORT + 1,
					   app->data, app->len));
		}
	}

	/* Flow C: C_PKTS packets from one SSRC, then C_PKTS from another with
	 * unrelated seq and ts, as when a caller's device restarts its stream. */
	for (unsigned int k = 0; k < 2 * C_PKTS; k++) {
		uint32_t ssrc = k < C_PKTS ? SSRC_C1 : SSRC_C2;
		uint16_t seq = (uint16_t)(k < C_PKTS ? 100 + k : 5000 + k);
		uint32_t ts = k < C_PKTS ? 1000 + 160 * k : 900000 + 160 * k;

		memcpy(rtp, g.a[k].data, 172);
		rtp[2] = (uint8_t)(seq >> 8);
		rtp[3] = (uint8_t)seq;
		for (int b = 0; b < 4; b++) {
			rtp[4 + b] = (uint8_t)(ts >> (24 - 8 * b));
			rtp[8 + b] = (uint8_t)(ssrc >> (24 - 8 * b));
		}
		dump(d, buf, frame(buf, C_IP, C_PORT, DP_IP, FLOW_C_PORT, rtp, 172));
	}

	/* Flow E: RTP and RTCP on one port. */
	for (unsigned int k = 0; k < E_RTP; k++)
		dump(d, buf, frame(buf, C_IP, C_PORT, DP_IP, FLOW_E_PORT, g.b[k].data, g.b[k].len));
	dump(d, buf, frame(buf, C_IP, C_PORT, DP_IP, FLOW_E_PORT, rtcp[0].data, rtcp[0].len));

	memcpy(rtp, g.a[0].data, 172);
	/* No flow at this port. */
	bad(d, buf, frame(buf, A_IP, A_PORT, DP_IP, 30000, rtp, 172), RTPGW_DROP_NO_FLOW);
	/* Strict source: right address, wrong port; wrong address. */
	bad(d, buf, frame(buf, A_IP, A_PORT + 2, DP_IP, FLOW_A_PORT, rtp, 172),
	    RTPGW_DROP_WRONG_SOURCE);
	bad(d, buf, frame(buf, "203.0.113.9", A_PORT, DP_IP, FLOW_A_PORT, rtp, 172),
	    RTPGW_DROP_WRONG_SOURCE);
	/* Truncated RTP: 8 bytes. */
	bad(d, buf, frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 8), RTPGW_DROP_BAD_RTP);
	/* RTP version 1. */
	rtp[0] = (uint8_t)((rtp[0] & 0x3f) | 0x40);
	bad(d, buf, frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 172),
	    RTPGW_DROP_BAD_RTP_VERSION);
	memcpy(rtp, g.a[0].data, 172);
	/* Bad IP header checksum. */
	len = frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 172);
	iph->hdr_checksum ^= 0x1234;
	bad(d, buf, len, RTPGW_DROP_BAD_IP_CKSUM);
	/* Bad UDP checksum. */
	len = frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 172);
	buf[14 + 20 + 6] ^= 0x55;
	bad(d, buf, len, RTPGW_DROP_BAD_UDP_CKSUM);
	/* IPv4 length beyond the frame. */
	len = frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 172);
	bad(d, buf, len - 20, RTPGW_DROP_TRUNCATED);
	/* Not our address. */
	bad(d, buf, frame(buf, A_IP, A_PORT, "198.51.100.99", FLOW_A_PORT, rtp, 172),
	    RTPGW_DROP_NOT_OURS);
	/* A fragment. */
	len = frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 172);
	iph->fragment_offset = htons(RTE_IPV4_HDR_MF_FLAG);
	iph->hdr_checksum = 0;
	iph->hdr_checksum = cksum_full(iph, sizeof(*iph));
	bad(d, buf, len, RTPGW_DROP_IP_FRAGMENT);
	/* Not IPv4 nor ARP. */
	len = frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 172);
	buf[12] = 0x86;
	buf[13] = 0xdd;
	bad(d, buf, len, RTPGW_DROP_BAD_ETHERTYPE);
	/* Not for our MAC. */
	len = frame(buf, A_IP, A_PORT, DP_IP, FLOW_A_PORT, rtp, 172);
	buf[0] = 0x02;
	buf[5] = 0x99;
	bad(d, buf, len, RTPGW_DROP_NOT_ETHER);
	/* Invalid RTCP on the companion port (an RTP packet). */
	bad(d, buf, frame(buf, A_IP, A_PORT + 1, DP_IP, FLOW_A_PORT + 1, rtp, 172),
	    RTPGW_DROP_BAD_RTCP);
	/* A runt frame. */
	bad(d, buf, 10, RTPGW_DROP_NOT_ETHER);

	pcap_dump_close(d);
	pcap_close(p);
}

static void
read_output(void)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(g.out_path, err);

	assert_non_null(p);
	while (g.n_out < MAX_PKTS && pcap_next_ex(p, &h, &d) == 1) {
		g.out[g.n_out].len = (uint16_t)h->caplen;
		memcpy(g.out[g.n_out].data, d, h->caplen);
		g.n_out++;
	}
	pcap_close(p);
}

static struct rtpgw_api_flow
flow_spec(uint16_t port, const char *src, uint16_t sport, uint8_t mode, uint16_t out_port,
	  const char *peer, uint16_t peer_port)
{
	struct rtpgw_api_flow f;

	memset(&f, 0, sizeof(f));
	f.local.family = RTPGW_AF_INET;
	f.local.v4 = ip(DP_IP);
	f.local_port = htons(port);
	f.action = RTPGW_FLOW_RELAY;
	f.src_mode = mode;
	if (src != NULL) {
		f.src.family = RTPGW_AF_INET;
		f.src.v4 = ip(src);
		f.src_port = htons(sport);
	}
	f.rtcp = RTPGW_RTCP_COMPANION;
	f.out_local.family = RTPGW_AF_INET;
	f.out_local.v4 = ip(DP_IP);
	f.out_port = htons(out_port);
	f.peer.family = RTPGW_AF_INET;
	f.peer.v4 = ip(peer);
	f.peer_port = htons(peer_port);
	f.clock_rate = 8000;
	return f;
}

/* Send one API request through the agent's handler; returns the status. */
static int
api(struct agent *a, struct agent_client *c, uint16_t type, const void *payload, uint32_t len,
    void *reply, uint32_t reply_cap)
{
	static uint8_t req[RTPGW_API_MSG_MAX], rep[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr *h = (void *)req;
	struct rtpgw_api_hdr *rh = (void *)rep;
	size_t n;

	memset(h, 0, sizeof(*h));
	h->magic = RTPGW_API_MAGIC;
	h->version = RTPGW_API_VERSION;
	h->type = type;
	h->id = 7;
	h->len = len;
	if (len > 0) /* payload may be NULL then: memcpy(p, NULL, 0) is UB */
		memcpy(h + 1, payload, len);
	n = api_handle(a, c, req, sizeof(*h) + len, rep);
	assert_true(n >= sizeof(*rh));
	assert_int_equal(rh->id, 7);
	assert_int_equal(rh->len, n - sizeof(*rh));
	if (reply != NULL)
		memcpy(reply, rh + 1, rh->len < reply_cap ? rh->len : reply_cap);
	return rh->status;
}

static void
install_flows(struct agent *a, struct agent_client *c)
{
	struct {
		struct rtpgw_api_flow_batch b;
		struct rtpgw_api_flow f[5];
	} req;
	struct rtpgw_api_hello hello = {.version = RTPGW_API_VERSION};
	struct rtpgw_api_flow_batch_reply br;

	assert_int_equal(api(a, c, RTPGW_API_HELLO, &hello, sizeof(hello), NULL, 0), 0);
	memset(&req, 0, sizeof(req));
	req.b.count = 5;
	/* A: strict source, SSRC rewrite, continuous seq/ts, PT 0 -> 96. */
	req.f[0] = flow_spec(FLOW_A_PORT, A_IP, A_PORT, RTPGW_SRC_STRICT, FLOW_B_PORT, B_IP,
			     B_PORT);
	req.f[0].flags = RTPGW_FLOW_F_SSRC_REWRITE | RTPGW_FLOW_F_SEQ_CONTINUOUS |
			 RTPGW_FLOW_F_PT_MAP | RTPGW_FLOW_F_RTCP_EVENTS;
	req.f[0].ssrc_out = SSRC_OUT_A;
	req.f[0].n_pt_map = 1;
	req.f[0].pt_map[0].in = 0;
	req.f[0].pt_map[0].out = PT_MAP_A_OUT;
	/* B: latching, no rewrite. */
	req.f[1] = flow_spec(FLOW_B_PORT, NULL, 0, RTPGW_SRC_LATCH, FLOW_A_PORT, A_IP, A_PORT);
	/* C: any source, SSRC rewrite, continuous seq/ts, no RTCP. */
	req.f[2] = flow_spec(FLOW_C_PORT, NULL, 0, RTPGW_SRC_ANY, FLOW_C_PORT, B_IP, 40030);
	req.f[2].rtcp = RTPGW_RTCP_NONE;
	req.f[2].flags = RTPGW_FLOW_F_SSRC_REWRITE | RTPGW_FLOW_F_SEQ_CONTINUOUS;
	req.f[2].ssrc_out = SSRC_OUT_C;
	req.f[2].cookie = COOKIE_C;
	/* D: never receives anything; reported idle. */
	req.f[3] = flow_spec(FLOW_D_PORT, NULL, 0, RTPGW_SRC_LATCH, FLOW_D_PORT, B_IP, 40032);
	req.f[3].idle_timeout_ms = IDLE_D_MS;
	req.f[3].cookie = COOKIE_D;
	req.f[0].cookie = 0xa;
	/* E: strict, rtcp-mux. */
	req.f[4] = flow_spec(FLOW_E_PORT, C_IP, C_PORT, RTPGW_SRC_STRICT, FLOW_E_PORT + 2, B_IP,
			     E_PEER_PORT);
	req.f[4].rtcp = RTPGW_RTCP_MUX;
	assert_int_equal(api(a, c, RTPGW_API_FLOW_ADD, &req, sizeof(req), &br, sizeof(br)), 0);
	assert_int_equal(br.applied, 5);
}

static void
fetch_stats(struct agent *a, struct agent_client *c)
{
	struct {
		struct rtpgw_api_flow_batch b;
		struct rtpgw_api_flow f[4];
	} req;
	struct {
		struct rtpgw_api_flow_info_list l;
		struct rtpgw_api_flow_info i[4];
	} rep;
	struct {
		struct rtpgw_api_drops d;
		uint64_t v[RTPGW_DROP_MAX];
	} drops;

	memset(&req, 0, sizeof(req));
	req.b.count = 4;
	req.f[0] = flow_spec(FLOW_A_PORT, NULL, 0, 0, 0, B_IP, 0);
	req.f[1] = flow_spec(FLOW_B_PORT, NULL, 0, 0, 0, A_IP, 0);
	req.f[2] = flow_spec(FLOW_C_PORT, NULL, 0, 0, 0, B_IP, 0);
	req.f[3] = flow_spec(FLOW_E_PORT, NULL, 0, 0, 0, B_IP, 0);
	assert_int_equal(api(a, c, RTPGW_API_FLOW_GET, &req, sizeof(req), &rep, sizeof(rep)), 0);
	assert_int_equal(rep.l.count, 4);
	g.info_e = rep.i[3];
	g.info_a = rep.i[0];
	g.info_b = rep.i[1];
	g.info_c = rep.i[2];
	assert_int_equal(api(a, c, RTPGW_API_STATS_DROPS, NULL, 0, &drops, sizeof(drops)), 0);
	assert_int_equal(drops.d.count, RTPGW_DROP_MAX);
	memcpy(g.drops, drops.v, sizeof(g.drops));
}

static void
read_events(int fd)
{
	uint8_t buf[RTPGW_API_MSG_MAX];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct rtpgw_api_hdr *h = (const void *)buf;

		assert_true((size_t)n >= sizeof(*h));
		assert_int_equal(h->magic, RTPGW_API_MAGIC);
		assert_true(h->flags & RTPGW_API_F_EVENT);
		assert_int_equal(h->len, (size_t)n - sizeof(*h));
		switch (h->type) {
		case RTPGW_API_EVENT_RTCP: {
			const struct rtpgw_api_event_rtcp *e = (const void *)(h + 1);

			assert_int_equal(h->len, sizeof(*e) + e->len);
			g.ev_rtcp++;
			g.ev_rtcp_cookie = e->cookie;
			break;
		}
		case RTPGW_API_EVENT_FLOW_IDLE:
			memcpy(&g.ev_idle_last, h + 1, sizeof(g.ev_idle_last));
			g.ev_idle++;
			break;
		case RTPGW_API_EVENT_SSRC_CHANGE:
			memcpy(&g.ev_ssrc_last, h + 1, sizeof(g.ev_ssrc_last));
			g.ev_ssrc++;
			break;
		default:
			fail_msg("unexpected event type %u", h->type);
		}
	}
}

static int
run_relay(void **state)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	struct dp_config cfg = {.n_workers = 1, .max_flows = 1024, .n_mbufs = 4095, .n_addrs = 1,
				.udp_cksum_verify = true};
	struct agent_client client = {.fd = -1};
	char vdev[512], prefix[64];
	int evfd[2];
	struct agent *a;
	struct nexthop *gw;
	uint64_t deadline;
	int rc;

	(void)state;
	g.n_a = load_udp("rtp_pcmu_1000hz_5s.pcap", g.a, 300, 0);
	g.n_b = load_udp("rtp_pcma_440hz_5s.pcap", g.b, 300, 0);
	if (g.n_a != 251 || g.n_b != 251) {
		g.skip = true;
		snprintf(g.skip_why, sizeof(g.skip_why), "testdata not found in %s", TESTDATA_DIR);
		return 0;
	}
	g.ssrc_a = be32(g.a[0].data + 8);
	g.ssrc_b = be32(g.b[0].data + 8);
	snprintf(g.dir, sizeof(g.dir), "/tmp/rtpgw-comp-XXXXXX");
	assert_non_null(mkdtemp(g.dir));
	snprintf(g.in_path, sizeof(g.in_path), "%s/in.pcap", g.dir);
	snprintf(g.out_path, sizeof(g.out_path), "%s/out.pcap", g.dir);
	write_input();

	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,tx_pcap=%s,tx_pcap=%s/agent.pcap",
		 g.in_path, g.out_path, g.dir);
	snprintf(prefix, sizeof(prefix), "rtpgw-comp-%d", getpid());
	char *argv[] = {"component", "-l", "0-1", "--no-huge", "-m", "256", "--no-pci",
			"--file-prefix", prefix, "--vdev", vdev, "--log-level", "lib.eal:error",
			NULL};
	rc = rte_eal_init((int)RTE_DIM(argv) - 1, argv);
	assert_true(rc > 0);

	cfg.addrs[0].ip = ip(DP_IP);
	cfg.addrs[0].mask = ip("255.255.255.0");
	cfg.addrs[0].prefix_len = 24;
	cfg.addrs[0].gateway = ip(GW_IP);
	cfg.addrs[0].port_id = 0;
	assert_int_equal(dp_init(dp, &cfg), 0);
	assert_memory_equal(&dp->ports[0].mac, PCAP_MAC, 6);
	a = agent_create(dp, NULL);
	assert_non_null(a);
	/* An event subscriber: one end of a socketpair stands in for a
	 * client connection of the agent. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, evfd), 0);
	a->clients[0].fd = evfd[0];
	a->clients[0].hello = true;
	a->clients[0].events = true;
	/* The gateway answered ARP already (the system test covers ARP). */
	gw = nexthop_get(dp->nexthops, ip(GW_IP), 0);
	nexthop_set_mac(gw, (const uint8_t *)GW_MAC, rte_rdtsc());
	install_flows(a, &client);

	assert_int_equal(dp_start(dp), 0);
	deadline = rte_rdtsc() + 20 * rte_get_tsc_hz();
	while (dp->workers[0]->stats.rx < g.n_in && rte_rdtsc() < deadline)
		agent_poll(a, 1);
	/* Let the TX drain deadline pass, the agent drain its rings, and
	 * flow D's idle timeout expire (housekeeping runs every 100 ms). */
	deadline = rte_rdtsc() + rte_get_tsc_hz() * (3 * IDLE_D_MS + 300) / 1000;
	while (rte_rdtsc() < deadline)
		agent_poll(a, 1);
	read_events(evfd[1]);
	g.rx = dp->workers[0]->stats.rx;
	fetch_stats(a, &client);
	dp_stop(dp);
	a->clients[0].fd = -1;
	close(evfd[0]);
	close(evfd[1]);
	agent_destroy(a);
	dp_fini(dp);
	free(dp);
	read_output();
	rte_eal_cleanup();
	return 0;
}

static int
cleanup(void **state)
{
	char cmd[160];

	(void)state;
	if (g.dir[0] != '\0' && getenv("RTPGW_KEEP_TMP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g.dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* The shared captures are part of the test's input: missing is a failure
 * (CI lays ../shared beside the clone). */
#define SKIP_IF_NO_DATA()                                    \
	do {                                                 \
		if (g.skip)                                  \
			fail_msg("%s", g.skip_why);          \
	} while (0)

static void
every_input_packet_is_received(void **state)
{
	(void)state;
	SKIP_IF_NO_DATA();
	assert_int_equal(g.rx, g.n_in);
}

/* Output packets to B (from flow A) and to A (from flow B), RTP only. */
static void
output_addresses_ports_and_checksums_are_valid(void **state)
{
	unsigned int to_a = 0, to_b = 0, rtcp = 0;

	(void)state;
	SKIP_IF_NO_DATA();
	assert_true(g.n_out > 0);
	for (unsigned int i = 0; i < g.n_out; i++) {
		const uint8_t *d = g.out[i].data;
		const struct rte_ipv4_hdr *iph = (const void *)(d + 14);
		const struct rte_udp_hdr *udp = (const void *)(iph + 1);
		uint16_t dport = ntohs(udp->dst_port), sport = ntohs(udp->src_port);

		assert_memory_equal(d, GW_MAC, 6);
		assert_memory_equal(d + 6, PCAP_MAC, 6);
		assert_int_equal(iph->src_addr, ip(DP_IP));
		assert_int_equal(iph->time_to_live, 64);
		assert_int_equal(cksum_fold(cksum_raw(iph, 20, 0)), 0xffff);
		assert_int_not_equal(udp->dgram_cksum, 0);
		assert_int_equal(rte_ipv4_udptcp_cksum_verify(iph, udp), 0);
		if (iph->dst_addr == ip(B_IP) && dport == 40030) {
			assert_int_equal(sport, FLOW_C_PORT);
			continue;
		} else if (iph->dst_addr == ip(B_IP) && dport == E_PEER_PORT) {
			assert_int_equal(sport, FLOW_E_PORT + 2);
			continue;
		} else if (iph->dst_addr == ip(B_IP)) {
			assert_true(dport == B_PORT || dport == B_PORT + 1);
			assert_int_equal(sport, dport == B_PORT ? FLOW_B_PORT : FLOW_B_PORT + 1);
			to_b++;
		} else {
			assert_int_equal(iph->dst_addr, ip(A_IP));
			assert_true(dport == A_PORT || dport == A_PORT + 1);
			assert_int_equal(sport, dport == A_PORT ? FLOW_A_PORT : FLOW_A_PORT + 1);
			to_a++;
		}
		rtcp += (dport & 1);
	}
	assert_int_equal(to_b, g.n_a_sent + 2);
	assert_int_equal(to_a, g.n_b + 1);
	assert_int_equal(rtcp, 3);
}

/* Flow A rewrites SSRC and PT, and (same source) keeps seq/ts as sent. */
static void
rewrite_modes_are_applied(void **state)
{
	unsigned int ia = 0, ib = 0;

	(void)state;
	SKIP_IF_NO_DATA();
	for (unsigned int i = 0; i < g.n_out; i++) {
		const uint8_t *d = g.out[i].data;
		const struct rte_ipv4_hdr *iph = (const void *)(d + 14);
		const uint8_t *r = d + 14 + 20 + 8;
		uint16_t rlen = (uint16_t)(g.out[i].len - 42);
		uint16_t dport = ntohs(((const struct rte_udp_hdr *)(iph + 1))->dst_port);

		/* RTCP, and flows C and E, are checked by their own cases. */
		if ((dport & 1) || dport == 40030 || dport == E_PEER_PORT)
			continue;
		if (iph->dst_addr == ip(B_IP)) {
			const struct payload *in = &g.a[g.a_order[ia++]];

			assert_int_equal(rlen, in->len);
			assert_int_equal(r[1] & 0x7f, PT_MAP_A_OUT);
			assert_int_equal(r[1] & 0x80, in->data[1] & 0x80);
			assert_memory_equal(r + 2, in->data + 2, 6); /* seq, ts */
			assert_int_equal(be32(r + 8), SSRC_OUT_A);
			assert_memory_equal(r + 12, in->data + 12, in->len - 12);
		} else {
			const struct payload *in = &g.b[ib++];

			assert_int_equal(rlen, in->len);
			assert_memory_equal(r, in->data, in->len);
		}
	}
	assert_int_equal(ia, g.n_a_sent);
	assert_int_equal(ib, g.n_b);
}

/* RTCP from A (an SR compound and a lone APP) leaves with A's sender SSRC
 * translated to the rewritten one. */
static void
rtcp_is_relayed_with_ssrc_translated(void **state)
{
	unsigned int seen = 0;

	(void)state;
	SKIP_IF_NO_DATA();
	for (unsigned int i = 0; i < g.n_out; i++) {
		const uint8_t *d = g.out[i].data;
		const struct rte_ipv4_hdr *iph = (const void *)(d + 14);
		const struct rte_udp_hdr *udp = (const void *)(iph + 1);
		const uint8_t *r = (const uint8_t *)(udp + 1);

		if (!(ntohs(udp->dst_port) & 1))
			continue;
		assert_true(r[1] == 200 || r[1] == 201 || r[1] == 204);
		if (iph->dst_addr == ip(B_IP))
			assert_int_equal(be32(r + 4), SSRC_OUT_A);
		seen++;
	}
	assert_int_equal(seen, 3);
	assert_int_equal(g.info_a.stats.rtcp_packets, 2);
	assert_int_equal(g.info_b.stats.rtcp_packets, 1);
}

/* Reference statistics, computed here from what was sent. */
static void
flow_statistics_match_reference(void **state)
{
	uint32_t max = 0, min = UINT32_MAX, uniq = 0, dups = 0, reord = 0;
	uint8_t seen[65536] = {0};
	uint32_t highest = 0;
	uint64_t octets = 0;

	(void)state;
	SKIP_IF_NO_DATA();
	for (unsigned int i = 0; i < g.n_a_sent; i++) {
		const struct payload *p = &g.a[g.a_order[i]];
		uint16_t seq = be16(p->data + 2);
		/* The capture does not wrap: plain comparisons are enough. */
		if (seen[seq]) {
			dups++;
		} else {
			seen[seq] = 1;
			uniq++;
			if (i > 0 && seq < highest)
				reord++;
		}
		if (seq > highest)
			highest = seq;
		if (seq > max)
			max = seq;
		if (seq < min)
			min = seq;
		octets += p->len - 12u;
	}
	assert_int_equal(g.info_a.stats.packets, g.n_a_sent);
	assert_int_equal(g.info_a.stats.octets, octets);
	assert_int_equal(g.info_a.stats.ssrc, g.ssrc_a);
	assert_int_equal(g.info_a.stats.pt, 0);
	assert_int_equal(g.info_a.stats.expected, max - min + 1);
	assert_int_equal(g.info_a.stats.lost, (int32_t)(max - min + 1 - uniq));
	assert_int_equal(g.info_a.stats.lost, 3);
	assert_int_equal(g.info_a.stats.duplicates, dups);
	assert_int_equal(g.info_a.stats.reordered, reord);
	assert_int_equal(g.info_a.stats.ssrc_changes, 0);
	assert_true(g.info_a.stats.last_seen_ns > 0);
	/* Stream B arrived whole, in order; B's flow latched B's address. */
	assert_int_equal(g.info_b.stats.packets, g.n_b);
	assert_int_equal(g.info_b.stats.ssrc, g.ssrc_b);
	assert_int_equal(g.info_b.stats.pt, 8);
	assert_int_equal(g.info_b.stats.expected, g.n_b);
	assert_int_equal(g.info_b.stats.lost, 0);
	assert_int_equal(g.info_b.stats.duplicates, 0);
	assert_int_equal(g.info_b.stats.reordered, 0);
	assert_int_equal(g.info_b.stats.latched, 1);
	assert_int_equal(g.info_b.stats.latched_ip.v4, ip(B_IP));
	assert_int_equal(ntohs(g.info_b.stats.latched_port), B_PORT);
}

static void
bad_packets_are_dropped_under_their_reason(void **state)
{
	static const char *const names[] = {
#define NAME(n, d) #n,
		RTPGW_FOREACH_DROP(NAME)
#undef NAME
	};

	(void)state;
	SKIP_IF_NO_DATA();
	for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++) {
		if (g.drops[k] != g.expected_drops[k])
			print_error("drop %s: %" PRIu64 " counted, %" PRIu64 " expected\n", names[k],
				    g.drops[k], g.expected_drops[k]);
		assert_int_equal(g.drops[k], g.expected_drops[k]);
	}
	/* Flow A counted the three drops aimed at it after lookup. */
	assert_int_equal(g.info_a.stats.dropped, 2 + 1 + 1 + 1);
}

/* Flow C: the SSRC changes mid-stream; the output stays one stream. */
static void
source_change_keeps_output_continuous(void **state)
{
	uint16_t seq[2 * C_PKTS];
	uint32_t ts[2 * C_PKTS];
	unsigned int n = 0;

	(void)state;
	SKIP_IF_NO_DATA();
	for (unsigned int i = 0; i < g.n_out; i++) {
		const uint8_t *d = g.out[i].data;
		const struct rte_udp_hdr *udp = (const void *)(d + 14 + 20);
		const uint8_t *r = d + 42;

		if (ntohs(udp->dst_port) != 40030)
			continue;
		assert_true(n < 2 * C_PKTS);
		assert_int_equal(be32(r + 8), SSRC_OUT_C);
		seq[n] = be16(r + 2);
		ts[n] = be32(r + 4);
		n++;
	}
	assert_int_equal(n, 2 * C_PKTS);
	for (unsigned int k = 1; k < n; k++) {
		/* Sequence numbers continue across the change... */
		assert_int_equal((uint16_t)(seq[k] - seq[k - 1]), 1);
		/* ...and timestamps advance by a packet (160) within a source,
		 * and by the wall time between the two packets (the pcap is
		 * replayed at once: well under a second) across the change. */
		if (k != C_PKTS)
			assert_int_equal(ts[k] - ts[k - 1], 160);
		else
			assert_true(ts[k] - ts[k - 1] < 8000);
	}
	assert_int_equal(seq[0], 100);
	assert_int_equal(ts[0], 1000);
	assert_int_equal(g.info_c.stats.ssrc_changes, 1);
	assert_int_equal(g.info_c.stats.ssrc, SSRC_C2);
	/* A.1 tracking restarted with the new source. */
	assert_int_equal(g.info_c.stats.expected, C_PKTS);
	assert_int_equal(g.info_c.stats.lost, 0);
	assert_int_equal(g.info_c.stats.packets, 2 * C_PKTS);
}

/* Flow E: RTCP on the RTP port (RFC 5761 4) is told by its packet type,
 * validated, counted as RTCP and relayed to the peer's same port. */
static void
rtcp_mux_is_demultiplexed(void **state)
{
	unsigned int rtp = 0, rtcp = 0;

	(void)state;
	SKIP_IF_NO_DATA();
	for (unsigned int i = 0; i < g.n_out; i++) {
		const uint8_t *d = g.out[i].data;
		const struct rte_udp_hdr *udp = (const void *)(d + 14 + 20);

		if (ntohs(udp->dst_port) != E_PEER_PORT)
			continue;
		assert_int_equal(ntohs(udp->src_port), FLOW_E_PORT + 2);
		if (d[43] >= 192 && d[43] <= 223)
			rtcp++;
		else
			rtp++;
	}
	assert_int_equal(rtp, E_RTP);
	assert_int_equal(rtcp, 1);
	assert_int_equal(g.info_e.stats.packets, E_RTP);
	assert_int_equal(g.info_e.stats.rtcp_packets, 1);
	assert_int_equal(g.info_e.stats.ssrc, g.ssrc_b);
}

/* The agent streams RTCP copies, SSRC changes and idle flows as events. */
static void
events_reach_subscribers(void **state)
{
	(void)state;
	SKIP_IF_NO_DATA();
	/* Flow A copies its RTCP (SR compound and lone APP) to the agent. */
	assert_int_equal(g.ev_rtcp, 2);
	assert_int_equal(g.ev_rtcp_cookie, 0xa);
	assert_int_equal(g.ev_ssrc, 1);
	assert_int_equal(g.ev_ssrc_last.old_ssrc, SSRC_C1);
	assert_int_equal(g.ev_ssrc_last.new_ssrc, SSRC_C2);
	assert_int_equal(g.ev_ssrc_last.cookie, COOKIE_C);
	assert_int_equal(ntohs(g.ev_ssrc_last.local_port), FLOW_C_PORT);
	/* Flow D, silent, is reported once; no flow with traffic is. */
	assert_int_equal(g.ev_idle, 1);
	assert_int_equal(g.ev_idle_last.cookie, COOKIE_D);
	assert_int_equal(ntohs(g.ev_idle_last.local_port), FLOW_D_PORT);
	assert_true(g.ev_idle_last.idle_ns >= IDLE_D_MS * 1000000ull);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_input_packet_is_received),
		cmocka_unit_test(output_addresses_ports_and_checksums_are_valid),
		cmocka_unit_test(rewrite_modes_are_applied),
		cmocka_unit_test(rtcp_is_relayed_with_ssrc_translated),
		cmocka_unit_test(flow_statistics_match_reference),
		cmocka_unit_test(bad_packets_are_dropped_under_their_reason),
		cmocka_unit_test(source_change_keeps_output_continuous),
		cmocka_unit_test(rtcp_mux_is_demultiplexed),
		cmocka_unit_test(events_reach_subscribers),
	};

	return cmocka_run_group_tests_name("relay_pcap", tests, run_relay, cleanup);
}
