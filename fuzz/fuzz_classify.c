/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the worker's packet classification, Ethernet to UDP
 * (classify() in dataplane/worker/relay.c: EtherType, our MAC, IPv4
 * version/IHL/length/checksum, our address, fragments, ICMP, UDP length and
 * checksum), without EAL. relay.c is included so its static inline
 * classify() is called as the worker calls it, on an mbuf that is only a
 * struct rte_mbuf over the input's bytes (no mempool: nothing here frees
 * it). Input: byte 0 the RX offload flags (IP and L4 checksum: unknown,
 * bad, good, none) and --udp-cksum-verify, the rest the frame.
 * Checks: a UDP verdict's headers and payload lie inside the frame, and
 * the UDP length matches.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "worker/relay.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t ip_flags[4] = {
	RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_BAD, RTE_MBUF_F_RX_IP_CKSUM_GOOD,
	RTE_MBUF_F_RX_IP_CKSUM_NONE};
static const uint64_t l4_flags[4] = {
	RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, RTE_MBUF_F_RX_L4_CKSUM_BAD, RTE_MBUF_F_RX_L4_CKSUM_GOOD,
	RTE_MBUF_F_RX_L4_CKSUM_NONE};

/* relay_burst (compiled in, never called) hands conference packets to the
 * mixer, which is not linked here. */
void
mixer_input(struct worker *mw, struct rte_mbuf *mm)
{
	(void)mw;
	(void)mm;
	abort();
}

static struct rte_mbuf mb; /* 64-byte aligned, as in a mempool */
static struct dataplane dp;
static struct worker w;

static void
setup(void)
{
	static const struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, 1}};

	dp.n_ports = 1;
	dp.ports[0].mac = mac;
	dp.n_addrs = 2;
	/* 198.51.100.10, 203.0.113.10 (RTE_IPV4 shifts an int: UB above 127) */
	dp.addrs[0].ip = rte_cpu_to_be_32(UINT32_C(0xc633640a));
	dp.addrs[1].ip = rte_cpu_to_be_32(UINT32_C(0xcb00710a));
	w.dp = &dp;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m;
	struct pkt_hdrs h;
	uint8_t *frame;
	unsigned int v;
	int ai = -1;
	size_t len;

	if (size < 1 || size - 1 > UINT16_MAX)
		return 0;
	if (w.dp == NULL)
		setup();
	dp.udp_cksum_verify = data[0] & 0x10;
	len = size - 1;
	/* Exactly len bytes of packet data: ASan sees any access past them. */
	frame = malloc(len ? len : 1);
	if (frame == NULL)
		return 0;
	memcpy(frame, data + 1, len);
	m = &mb;
	memset(m, 0, sizeof(*m));
	m->buf_addr = frame;
	m->buf_len = (uint16_t)len;
	m->data_off = 0;
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	m->nb_segs = 1;
	m->ol_flags = ip_flags[data[0] & 3] | l4_flags[(data[0] >> 2) & 3];
	memset(&h, 0, sizeof(h));

	v = classify(&w, 0, m, &h, &ai);
	if (v == VERDICT_TX) {
		const uint8_t *end = frame + len;

		if (ai < 0 || ai >= dp.n_addrs || (uint8_t *)h.eth != frame ||
		    (uint8_t *)(h.udp + 1) > end || h.l5 + h.l5_len > end ||
		    h.l5_len + sizeof(struct rte_udp_hdr) != rte_be_to_cpu_16(h.udp->dgram_len) ||
		    rte_pktmbuf_data_len(m) > len)
			abort();
	} else if (v > VERDICT_SLOW) {
		abort();
	}
	w.stats.drops[v < RTPGW_DROP_MAX ? v : 0]++;
	free(frame);
	return 0;
}
