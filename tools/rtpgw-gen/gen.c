/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-gen packet engine (see gen.h): TX pacing by TSC deadlines, RX
 * accounting, ARP, trial control.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "gen.h"

#define GEN_RXD	     1024
#define GEN_TXD	     1024
#define GEN_MBUFS    16383
#define GEN_ARP_RING 64
#define GEN_HDR_LEN                                                                                \
	(sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) + \
	 12)
#define GEN_PAYLOAD_OFF GEN_HDR_LEN

/* Per-stream TX state: TX lcore only. */
struct gen_tx_stream {
	uint32_t ssrc;
	uint32_t ext_seq; /* next extended sequence number; seq = low 16 bits */
	uint64_t ts_q32;  /* next RTP timestamp, 32.32 fixed point */
	uint64_t sent;	  /* in the measured phase */
};

/*
 * Shared between the TX (trial control) and the RX lcore:
 * - ctl_trial, ctl_epoch: TX writes (trial first, then epoch with release);
 *   RX reads epoch with acquire, then trial, once per burst.
 * - base[]: TX writes before the epoch store; RX reads after the load.
 * - rx_epoch: RX writes (release) once it applied ctl_epoch; TX waits for
 *   it before reading rx[], hist and the RX counters (all RX-written).
 * - gw_mac_ok, gw_mac: RX writes the MAC, then the flag (release).
 * - arp_out: RX enqueues ARP replies (SP), TX dequeues and sends (SC).
 * - stop: TX writes at destroy; RX polls it.
 */
struct gen {
	struct gen_config cfg;
	struct rte_mempool *tx_pool;
	struct rte_mempool *rx_pool;
	struct rte_ring *arp_out;
	struct rte_ether_addr mac;
	struct rte_ether_addr gw_mac;
	uint64_t hz;
	double ns_per_cycle;
	double ts_per_cycle;
	uint64_t tsc0;

	/* TX lcore */
	struct gen_tx_stream *tx;
	uint32_t cur;			     /* next stream, round robin */
	struct rte_mbuf *pending[GEN_BURST]; /* built, not yet taken by the port */
	uint16_t n_pending;
	uint64_t step_q32; /* RTP timestamp step per packet of a stream */
	/* Ethernet, IPv4 and UDP headers of every packet to gw_ip[a] but the
	 * ports, with the IPv4 checksum (UDP checksum 0, IP id 0): hdr[a] */
	uint8_t hdr[GEN_GW_MAX][sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr) +
				sizeof(struct rte_udp_hdr)];
	uint64_t tx_failed;
	volatile bool interrupted;

	/* shared, see above */
	uint32_t ctl_trial;
	uint32_t ctl_epoch;
	uint32_t rx_epoch;
	uint32_t gw_mac_ok;
	uint32_t *base;
	volatile bool stop;

	/* RX lcore */
	struct meas_stream *rx;
	struct meas_hist *hist;
	uint32_t my_epoch;
	uint32_t my_trial;
	uint64_t rx_other;
	uint64_t rx_arp_dropped;
	bool rx_running;
};

static inline void
gen_arp_handle(struct gen *g, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	if (m->data_len < sizeof(*eth) + sizeof(*arp) ||
	    arp->arp_hardware != htons(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != htons(RTE_ETHER_TYPE_IPV4))
		goto drop;
	/* RFC 826: learn the gateway from any ARP it sends. */
	if (arp->arp_data.arp_sip == g->cfg.gw_ip[0] && !g->cfg.have_gw_mac) {
		rte_ether_addr_copy(&arp->arp_data.arp_sha, &g->gw_mac);
		__atomic_store_n(&g->gw_mac_ok, 1, __ATOMIC_RELEASE);
	}
	if (arp->arp_opcode != htons(RTE_ARP_OP_REQUEST) ||
	    arp->arp_data.arp_tip != g->cfg.local_ip)
		goto drop;
	arp->arp_opcode = htons(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&arp->arp_data.arp_sha, &arp->arp_data.arp_tha);
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&g->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = g->cfg.local_ip;
	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&g->mac, &eth->src_addr);
	if (rte_ring_sp_enqueue(g->arp_out, m) == 0)
		return;
	g->rx_arp_dropped++;
drop:
	rte_pktmbuf_free(m);
}

static void
gen_rx_reset(struct gen *g)
{
	for (uint32_t i = 0; i < g->cfg.n_streams; i++)
		meas_stream_reset(&g->rx[i], g->base[i]);
	meas_hist_reset(g->hist);
	g->rx_other = 0;
}

/* One RX burst per queue. Returns packets received. */
static unsigned int
gen_rx_poll(struct gen *g)
{
	struct rte_mbuf *pkts[GEN_BURST];
	uint32_t epoch = __atomic_load_n(&g->ctl_epoch, __ATOMIC_ACQUIRE);
	unsigned int total = 0;

	if (epoch != g->my_epoch) {
		g->my_trial = g->ctl_trial;
		if (g->my_trial != 0)
			gen_rx_reset(g);
		g->my_epoch = epoch;
		__atomic_store_n(&g->rx_epoch, epoch, __ATOMIC_RELEASE);
	}
	for (uint16_t q = 0; q < g->cfg.n_rxq; q++) {
		uint16_t n = rte_eth_rx_burst(g->cfg.port_id, q, pkts, GEN_BURST);
		uint64_t now = rte_rdtsc();

		total += n;
		for (uint16_t k = 0; k < n; k++) {
			struct rte_mbuf *m = pkts[k];
			const struct rte_ether_hdr *eth =
				rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
			const struct rte_ipv4_hdr *ip;
			const struct rte_udp_hdr *udp;
			const uint8_t *rtp;
			struct gen_payload pl;
			struct meas_stream *s;
			uint32_t i, ihl, a;
			uint16_t dport;

			if (k + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[k + 1], void *));
			if (eth->ether_type == htons(RTE_ETHER_TYPE_ARP)) {
				pkts[k] = NULL;
				gen_arp_handle(g, m);
				continue;
			}
			ip = (const struct rte_ipv4_hdr *)(eth + 1);
			ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
			if (eth->ether_type != htons(RTE_ETHER_TYPE_IPV4) ||
			    m->data_len < sizeof(*eth) + ihl + sizeof(*udp) + 12 + sizeof(pl) ||
			    ip->next_proto_id != IPPROTO_UDP || ip->dst_addr != g->cfg.local_ip)
				goto other;
			udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + ihl);
			rtp = (const uint8_t *)(udp + 1);
			memcpy(&pl, rtp + 12, sizeof(pl));
			dport = ntohs(udp->dst_port);
			i = pl.stream;
			if (pl.magic != GEN_MAGIC || i >= g->cfg.n_streams ||
			    dport != gen_stream_addr(g->cfg.base_port, i, &a) ||
			    (rtp[0] & 0xc0) != 0x80)
				goto other;
			if (pl.trial != g->my_trial || pl.trial == 0)
				goto other;
			s = &g->rx[i];
			if (meas_stream_seq(s, (uint16_t)(rtp[2] << 8 | rtp[3]))) {
				uint64_t lat =
					(uint64_t)((double)(now - pl.tx_tsc) * g->ns_per_cycle);
				uint32_t ts = (uint32_t)rtp[4] << 24 | (uint32_t)rtp[5] << 16 |
					      (uint32_t)rtp[6] << 8 | rtp[7];
				uint32_t arr = (uint32_t)(uint64_t)((double)(now - g->tsc0) *
								    g->ts_per_cycle);

				meas_hist_add(g->hist, lat);
				s->lat_sum_ns += lat;
				if (lat > s->lat_max_ns)
					s->lat_max_ns = lat;
				meas_jitter_update(&s->jit_rtp, arr, ts);
				meas_jitter_update(
					&s->jit_path, arr,
					(uint32_t)(uint64_t)((double)(pl.tx_tsc - g->tsc0) *
							     g->ts_per_cycle));
			}
			continue;
		other:
			g->rx_other++;
		}
		/* ARP mbufs were taken out (NULL); free the rest at once. */
		rte_pktmbuf_free_bulk(pkts, n);
	}
	return total;
}

static int
gen_rx_main(void *arg)
{
	struct gen *g = arg;

	while (!__atomic_load_n(&g->stop, __ATOMIC_ACQUIRE))
		gen_rx_poll(g);
	return 0;
}

static bool
gen_rx_here(const struct gen *g)
{
	return g->cfg.rx_lcore >= RTE_MAX_LCORE;
}

/* Send what is pending and the ARP replies queued by RX. */
static void
gen_tx_flush(struct gen *g)
{
	struct rte_mbuf *arp[8];
	unsigned int na = rte_ring_sc_dequeue_burst(g->arp_out, (void **)arp, RTE_DIM(arp), NULL);
	uint16_t sent;

	if (na > 0) {
		sent = rte_eth_tx_burst(g->cfg.port_id, 0, arp, (uint16_t)na);
		for (unsigned int k = sent; k < na; k++)
			rte_pktmbuf_free(arp[k]);
	}
	if (g->n_pending == 0)
		return;
	sent = rte_eth_tx_burst(g->cfg.port_id, 0, g->pending, g->n_pending);
	if (sent > 0 && sent < g->n_pending)
		memmove(g->pending, g->pending + sent,
			(g->n_pending - sent) * sizeof(g->pending[0]));
	g->n_pending = (uint16_t)(g->n_pending - sent);
}

/* The headers every packet to gw_ip[a] shares (gen_tx_build patches the
 * ports). */
static void
gen_hdr_init(struct gen *g, uint32_t a)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)g->hdr[a];
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	uint16_t len = (uint16_t)(GEN_HDR_LEN + g->cfg.payload_len);

	memset(g->hdr[a], 0, sizeof(g->hdr[a]));
	rte_ether_addr_copy(&g->gw_mac, &eth->dst_addr);
	rte_ether_addr_copy(&g->mac, &eth->src_addr);
	eth->ether_type = htons(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = 0x45;
	ip->type_of_service = 0xb8; /* DSCP EF (RFC 3246), as media is marked */
	ip->total_length = htons((uint16_t)(len - sizeof(*eth)));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = g->cfg.local_ip;
	ip->dst_addr = g->cfg.gw_ip[a];
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->dgram_len = htons((uint16_t)(len - sizeof(*eth) - sizeof(*ip)));
	udp->dgram_cksum = 0; /* RFC 768: no checksum */
}

/* Build up to n packets into pending; returns how many. */
static uint16_t
gen_tx_build(struct gen *g, uint16_t n, uint32_t trial)
{
	struct rte_mbuf **m = g->pending + g->n_pending;
	uint16_t len = (uint16_t)(GEN_HDR_LEN + g->cfg.payload_len);

	if (n > GEN_BURST - g->n_pending)
		n = (uint16_t)(GEN_BURST - g->n_pending);
	if (n == 0 || rte_pktmbuf_alloc_bulk(g->tx_pool, m, n) < 0)
		return 0;
	for (uint16_t k = 0; k < n; k++) {
		struct gen_tx_stream *st = &g->tx[g->cur];
		uint8_t *d = rte_pktmbuf_mtod(m[k], uint8_t *);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(d + sizeof(struct rte_ether_hdr) +
								 sizeof(struct rte_ipv4_hdr));
		uint8_t *rtp = (uint8_t *)(udp + 1);
		struct gen_payload pl;
		uint32_t a;
		uint16_t port = gen_stream_addr(g->cfg.base_port, g->cur, &a);
		uint32_t ts = (uint32_t)(st->ts_q32 >> 32);
		uint16_t seq = (uint16_t)st->ext_seq;

		m[k]->data_len = m[k]->pkt_len = len;
		memcpy(d, g->hdr[a], sizeof(g->hdr[a]));
		udp->src_port = udp->dst_port = htons(port);
		/* RFC 3550 5.1 */
		rtp[0] = 0x80;
		rtp[1] = g->cfg.pt & 0x7f;
		rtp[2] = (uint8_t)(seq >> 8);
		rtp[3] = (uint8_t)seq;
		rtp[4] = (uint8_t)(ts >> 24);
		rtp[5] = (uint8_t)(ts >> 16);
		rtp[6] = (uint8_t)(ts >> 8);
		rtp[7] = (uint8_t)ts;
		rtp[8] = (uint8_t)(st->ssrc >> 24);
		rtp[9] = (uint8_t)(st->ssrc >> 16);
		rtp[10] = (uint8_t)(st->ssrc >> 8);
		rtp[11] = (uint8_t)st->ssrc;
		pl.tx_tsc = rte_rdtsc();
		pl.stream = g->cur;
		pl.magic = GEN_MAGIC;
		pl.trial = trial;
		memcpy(rtp + 12, &pl, sizeof(pl));
		st->ext_seq++;
		st->ts_q32 += g->step_q32;
		if (trial != 0)
			st->sent++;
		if (++g->cur == g->cfg.n_streams)
			g->cur = 0;
	}
	g->n_pending = (uint16_t)(g->n_pending + n);
	return n;
}

/* Pre-fill every TX buffer's payload with PCMU silence once, so that the
 * loop writes only headers and struct gen_payload. */
static void
gen_mbuf_fill(struct rte_mempool *mp, void *arg, void *obj, unsigned int idx)
{
	struct rte_mbuf *m = obj;
	uint16_t len = *(uint16_t *)arg;

	(void)mp;
	(void)idx;
	memset((uint8_t *)m->buf_addr + m->data_off, 0xff, len);
}

static int
gen_port_setup(struct gen *g)
{
	struct rte_eth_conf conf;
	uint16_t rxd = GEN_RXD, txd = GEN_TXD, port = g->cfg.port_id;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, g->cfg.n_rxq, 1, &conf);
	if (rc < 0) {
		fprintf(stderr, "port %u: configure (%u RX, 1 TX queues): %s\n", port, g->cfg.n_rxq,
			rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc < 0)
		return rc;
	for (uint16_t q = 0; q < g->cfg.n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rxd, rte_socket_id(), NULL, g->rx_pool);
		if (rc < 0) {
			fprintf(stderr, "port %u: rx queue %u: %s\n", port, q, rte_strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_tx_queue_setup(port, 0, txd, rte_socket_id(), NULL);
	if (rc < 0) {
		fprintf(stderr, "port %u: tx queue: %s\n", port, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_macaddr_get(port, &g->mac);
	if (rc < 0)
		return rc;
	rte_eth_promiscuous_enable(port);
	rc = rte_eth_dev_start(port);
	if (rc < 0)
		fprintf(stderr, "port %u: start: %s\n", port, rte_strerror(-rc));
	return rc;
}

struct gen *
gen_create(const struct gen_config *cfg)
{
	struct gen *g;
	char name[RTE_MEMPOOL_NAMESIZE];
	uint32_t n_mbufs;
	uint16_t fill;
	int rc = -ENOMEM;

	if (cfg->n_streams == 0 || cfg->n_streams > GEN_STREAMS_MAX ||
	    cfg->payload_len < sizeof(struct gen_payload) || cfg->clock_hz == 0 ||
	    GEN_HDR_LEN + cfg->payload_len > RTE_MBUF_DEFAULT_DATAROOM || cfg->n_gw > GEN_GW_MAX ||
	    cfg->base_port == 0 || cfg->n_streams > gen_streams_cap(cfg->base_port, cfg->n_gw) ||
	    !rte_eth_dev_is_valid_port(cfg->port_id)) {
		fprintf(stderr,
			"gen: invalid configuration (streams, payload, ports or port id)\n");
		errno = EINVAL;
		return NULL;
	}
	g = rte_zmalloc("gen", sizeof(*g), RTE_CACHE_LINE_SIZE);
	if (g == NULL)
		goto fail_errno;
	g->cfg = *cfg;
	if (g->cfg.n_rxq == 0)
		g->cfg.n_rxq = 1;
	if (g->cfg.n_gw == 0)
		g->cfg.n_gw = 1;
	if (g->cfg.drain_ms == 0)
		g->cfg.drain_ms = 200;
	n_mbufs = cfg->n_mbufs ? cfg->n_mbufs : GEN_MBUFS;
	g->hz = rte_get_tsc_hz();
	g->ns_per_cycle = 1e9 / (double)g->hz;
	g->ts_per_cycle = (double)cfg->clock_hz / (double)g->hz;
	g->tsc0 = rte_rdtsc();
	g->tx = rte_zmalloc("gen_tx", sizeof(*g->tx) * cfg->n_streams, RTE_CACHE_LINE_SIZE);
	g->rx = rte_zmalloc("gen_rx", sizeof(*g->rx) * cfg->n_streams, RTE_CACHE_LINE_SIZE);
	g->base = rte_zmalloc("gen_base", sizeof(*g->base) * cfg->n_streams, RTE_CACHE_LINE_SIZE);
	g->hist = rte_zmalloc("gen_hist", sizeof(*g->hist), RTE_CACHE_LINE_SIZE);
	if (g->tx == NULL || g->rx == NULL || g->base == NULL || g->hist == NULL)
		goto fail;
	snprintf(name, sizeof(name), "gen_tx_%u", cfg->port_id);
	g->tx_pool = rte_pktmbuf_pool_create(name, n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     rte_socket_id());
	snprintf(name, sizeof(name), "gen_rx_%u", cfg->port_id);
	g->rx_pool = rte_pktmbuf_pool_create(name, n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					     rte_socket_id());
	snprintf(name, sizeof(name), "gen_arp_%u", cfg->port_id);
	g->arp_out =
		rte_ring_create(name, GEN_ARP_RING, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (g->tx_pool == NULL || g->rx_pool == NULL || g->arp_out == NULL) {
		fprintf(stderr,
			"gen: 2 pools of %u packet buffers: %s (more memory: -m or hugepages)\n",
			n_mbufs, rte_strerror(rte_errno));
		goto fail;
	}
	fill = (uint16_t)(GEN_HDR_LEN + cfg->payload_len);
	rte_mempool_obj_iter(g->tx_pool, gen_mbuf_fill, &fill);
	for (uint32_t i = 0; i < cfg->n_streams; i++) {
		g->tx[i].ssrc = (uint32_t)rte_rand();
		g->tx[i].ext_seq = (uint32_t)(rte_rand() & 0xffff);
		g->tx[i].ts_q32 = (rte_rand() & 0xffffffffull) << 32;
	}
	if (cfg->have_gw_mac) {
		memcpy(g->gw_mac.addr_bytes, cfg->gw_mac, 6);
		g->gw_mac_ok = 1;
	}
	rc = gen_port_setup(g);
	if (rc < 0)
		goto fail;
	if (!gen_rx_here(g)) {
		rc = rte_eal_remote_launch(gen_rx_main, g, cfg->rx_lcore);
		if (rc < 0) {
			fprintf(stderr, "gen: RX lcore %u: %s\n", cfg->rx_lcore, rte_strerror(-rc));
			goto fail;
		}
		g->rx_running = true;
	}
	return g;
fail:
	gen_destroy(g);
	errno = -rc;
	return NULL;
fail_errno:
	errno = ENOMEM;
	return NULL;
}

void
gen_destroy(struct gen *g)
{
	if (g == NULL)
		return;
	if (g->rx_running) {
		__atomic_store_n(&g->stop, true, __ATOMIC_RELEASE);
		rte_eal_wait_lcore(g->cfg.rx_lcore);
	}
	if (g->tx_pool != NULL) {
		for (uint16_t k = 0; k < g->n_pending; k++)
			rte_pktmbuf_free(g->pending[k]);
		rte_eth_dev_stop(g->cfg.port_id);
		rte_eth_dev_close(g->cfg.port_id);
	}
	if (g->arp_out != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(g->arp_out, (void **)&m) == 0)
			rte_pktmbuf_free(m);
	}
	rte_ring_free(g->arp_out);
	rte_mempool_free(g->tx_pool);
	rte_mempool_free(g->rx_pool);
	rte_free(g->hist);
	rte_free(g->base);
	rte_free(g->rx);
	rte_free(g->tx);
	rte_free(g);
}

void
gen_interrupt(struct gen *g)
{
	g->interrupted = true;
}

const uint8_t *
gen_gw_mac(const struct gen *g)
{
	return g->gw_mac.addr_bytes;
}

const struct meas_stream *
gen_stream(const struct gen *g, uint32_t i, uint64_t *sent)
{
	if (sent != NULL)
		*sent = g->tx[i].sent;
	return &g->rx[i];
}

const struct meas_hist *
gen_hist(const struct gen *g)
{
	return g->hist;
}

static int
gen_arp_request(struct gen *g)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->tx_pool);
	const uint16_t len = RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN; /* padded frame */
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return -ENOBUFS;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m, len);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	memset(eth, 0, len);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&g->mac, &eth->src_addr);
	eth->ether_type = htons(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	/* RFC 826 request: who has gw, tell local */
	arp->arp_hardware = htons(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = htons(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = htons(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&g->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = g->cfg.local_ip;
	arp->arp_data.arp_tip = g->cfg.gw_ip[0];
	if (rte_eth_tx_burst(g->cfg.port_id, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		return -EAGAIN;
	}
	return 0;
}

int
gen_resolve(struct gen *g, unsigned int tries, unsigned int interval_ms)
{
	for (unsigned int t = 0; t < tries && !g->interrupted; t++) {
		uint64_t end = rte_rdtsc() + g->hz * interval_ms / 1000;

		gen_arp_request(g);
		while (rte_rdtsc() < end) {
			if (__atomic_load_n(&g->gw_mac_ok, __ATOMIC_ACQUIRE))
				return 0;
			if (gen_rx_here(g))
				gen_rx_poll(g);
			else
				rte_pause();
			gen_tx_flush(g);
		}
	}
	if (__atomic_load_n(&g->gw_mac_ok, __ATOMIC_ACQUIRE))
		return 0;
	return g->interrupted ? -EINTR : -ETIMEDOUT;
}

/* Publish a trial id to RX and wait until RX applied it (bounded: RX
 * polls the epoch once per burst, a few microseconds). */
static int
gen_ctl(struct gen *g, uint32_t trial)
{
	uint64_t end = rte_rdtsc() + g->hz; /* 1 s */
	uint32_t e;

	g->ctl_trial = trial;
	e = g->ctl_epoch + 1;
	__atomic_store_n(&g->ctl_epoch, e, __ATOMIC_RELEASE);
	while (__atomic_load_n(&g->rx_epoch, __ATOMIC_ACQUIRE) != e) {
		if (gen_rx_here(g))
			gen_rx_poll(g);
		else
			rte_pause();
		if (rte_rdtsc() > end) {
			fprintf(stderr, "gen: RX lcore does not answer\n");
			return -ETIMEDOUT;
		}
	}
	return 0;
}

static void
gen_collect(struct gen *g, struct gen_result *r, double duration_s, double rate)
{
	double jsum = 0, jrsum = 0;

	memset(r, 0, sizeof(*r));
	r->offered_pps = rate;
	r->duration_s = duration_s;
	for (uint32_t i = 0; i < g->cfg.n_streams; i++) {
		const struct meas_stream *s = &g->rx[i];
		uint64_t sent = g->tx[i].sent;
		uint64_t lost = sent > s->received ? sent - s->received : 0;
		double j = meas_jitter_us(&s->jit_path, g->cfg.clock_hz);
		double jr = meas_jitter_us(&s->jit_rtp, g->cfg.clock_hz);

		r->sent += sent;
		r->received += s->received;
		r->lost += lost;
		r->dup += s->dup;
		r->reordered += s->reordered;
		r->late += s->late;
		if (lost > 0)
			r->streams_lossy++;
		if (lost > r->stream_lost_max)
			r->stream_lost_max = lost;
		jsum += j;
		jrsum += jr;
		if (j > r->jitter_max_us)
			r->jitter_max_us = j;
		if (jr > r->jitter_rtp_max_us)
			r->jitter_rtp_max_us = jr;
	}
	r->jitter_mean_us = jsum / g->cfg.n_streams;
	r->jitter_rtp_mean_us = jrsum / g->cfg.n_streams;
	r->tx_pps = r->sent / duration_s;
	r->rx_pps = r->received / duration_s;
	r->tx_failed = g->tx_failed;
	r->rx_other = g->rx_other;
	r->lat_min_ns = g->hist->count ? g->hist->min : 0;
	r->lat_p50_ns = meas_hist_quantile(g->hist, 0.50);
	r->lat_p99_ns = meas_hist_quantile(g->hist, 0.99);
	r->lat_max_ns = g->hist->max;
	r->lat_mean_ns = g->hist->count ? (double)g->hist->sum / (double)g->hist->count : 0;
	r->short_offered = rate > 0 && (double)r->sent < 0.99 * rate * duration_s;
}

int
gen_trial(struct gen *g, double rate_pps, double warmup_s, double duration_s, struct gen_result *r)
{
	static uint32_t trial_ids; /* process-wide: ids never repeat across gens */
	uint64_t hz = g->hz, start = rte_rdtsc();
	uint64_t meas_at = start + (uint64_t)(warmup_s * (double)hz);
	uint64_t end_at = meas_at + (uint64_t)(duration_s * (double)hz);
	uint64_t tx_slack = hz / 10, drain_at = 0;
	uint64_t next = start, ival = 0, ival_frac = 0, frac = 0, next_progress = start + hz;
	uint64_t prog_sent = 0, now;
	uint32_t trial = 0;
	bool tx_on = true;
	double nominal = (double)g->cfg.n_streams * 1000.0 / g->cfg.ptime_ms;
	double samples = (double)g->cfg.clock_hz * g->cfg.ptime_ms / 1000.0;
	int rc;

	if (duration_s <= 0 || !__atomic_load_n(&g->gw_mac_ok, __ATOMIC_ACQUIRE))
		return -EINVAL;
	/* RTP timestamps follow the stream's own pacing: at the nominal rate
	 * each packet advances by ptime's samples; at another rate by the
	 * real interval, so that A.8 over them stays meaningful. */
	g->step_q32 =
		(uint64_t)(samples * (rate_pps > 0 ? nominal / rate_pps : 1.0) * 4294967296.0);
	if (rate_pps > 0) {
		double cyc = (double)hz / rate_pps;

		ival = (uint64_t)cyc;
		ival_frac = (uint64_t)((cyc - (double)ival) * 4294967296.0);
	}
	g->tx_failed = 0;
	for (uint32_t a = 0; a < g->cfg.n_gw; a++)
		gen_hdr_init(g, a);
	/*
	 * Phases follow the schedule, not the wall clock: at a fixed rate
	 * the packet due at t is measured when meas_at <= t < end_at, so a
	 * trial offers exactly rate x duration packets even when this lcore
	 * loses the CPU for a while (it catches up a burst at a time).
	 * Unthrottled, the wall clock decides. A phase starts or ends at the
	 * latest tx_slack (100 ms) after its wall-clock time (the rate was not
	 * reached); RX then drains for drain_ms.
	 */
	for (now = rte_rdtsc(); !g->interrupted; now = rte_rdtsc()) {
		uint64_t clock = rate_pps > 0 ? next : now;

		if (tx_on && (clock >= end_at || now >= end_at + tx_slack)) {
			tx_on = false;
			drain_at = now + hz * g->cfg.drain_ms / 1000;
		}
		if (!tx_on && now >= drain_at)
			break;
		if (tx_on && trial == 0 && (clock >= meas_at || now >= meas_at + tx_slack)) {
			/* Measured phase: RX resets every stream to the next
			 * sequence number each will send. A schedule more
			 * than tx_slack behind (a rate this lcore cannot
			 * offer) starts it anyway, from meas_at on. */
			if (next < meas_at)
				next = meas_at;
			for (uint32_t i = 0; i < g->cfg.n_streams; i++) {
				g->base[i] = g->tx[i].ext_seq;
				g->tx[i].sent = 0;
			}
			trial = ++trial_ids;
			rc = gen_ctl(g, trial);
			if (rc < 0)
				return rc;
			now = rte_rdtsc();
		}
		if (tx_on) {
			uint16_t want = GEN_BURST;

			if (rate_pps > 0) {
				uint64_t stop = trial == 0 ? meas_at : end_at;

				/* the deadlines due, not crossing a phase */
				want = 0;
				for (uint64_t t = next, f = frac;
				     t <= now && t < stop && want < GEN_BURST; want++) {
					t += ival;
					f += ival_frac;
					t += f >> 32;
					f &= 0xffffffffull;
				}
			}
			want = gen_tx_build(g, want, trial);
			for (uint16_t k = 0; k < want && rate_pps > 0; k++) {
				next += ival;
				frac += ival_frac;
				next += frac >> 32;
				frac &= 0xffffffffull;
			}
		}
		gen_tx_flush(g);
		if (gen_rx_here(g))
			gen_rx_poll(g);
		if (g->cfg.progress && now >= next_progress) {
			uint64_t sent = 0;

			for (uint32_t i = 0; i < g->cfg.n_streams && trial != 0; i++)
				sent += g->tx[i].sent;
			fprintf(stderr, "  %s %.0f s: sent %" PRIu64 " (%.0f pps)\n",
				!tx_on	? "drain"
				: trial ? "trial"
					: "warm-up",
				(double)(now - start) / hz, sent, (double)(sent - prog_sent));
			prog_sent = sent;
			next_progress += hz;
		}
	}
	/* Packets the port never took: not sent. */
	for (uint16_t k = 0; k < g->n_pending; k++) {
		struct gen_payload pl;

		memcpy(&pl, rte_pktmbuf_mtod_offset(g->pending[k], uint8_t *, GEN_PAYLOAD_OFF),
		       sizeof(pl));
		if (pl.trial == trial && trial != 0)
			g->tx[pl.stream].sent--;
		g->tx_failed++;
		rte_pktmbuf_free(g->pending[k]);
	}
	g->n_pending = 0;
	rc = gen_ctl(g, 0);
	if (rc < 0)
		return rc;
	if (trial == 0)
		return -EINTR;
	gen_collect(g, r, duration_s, rate_pps);
	return g->interrupted ? -EINTR : 0;
}
