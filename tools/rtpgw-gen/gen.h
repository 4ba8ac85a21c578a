/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-gen's packet engine: N RTP streams sent on one DPDK port toward
 * the gateway and received back, measured with meas.h. Driven by main.c
 * (command line, API, NDR, reports) and by the component test
 * (tests/component/test_gen_loop.c), which connects a port to itself
 * through an impairment.
 *
 * Threads: gen_trial() runs on the calling lcore (the main one) and does
 * TX and trial control; RX runs on cfg.rx_lcore when one is given, else
 * on the calling lcore between TX bursts. What they share is written down
 * on struct gen in gen.c. No allocation, lock or log in either loop.
 *
 * Packet (stream i, 0 <= i < n_streams): Ethernet / IPv4 local -> gw[a] /
 * UDP p -> p with (a, p) = gen_stream_addr(i), UDP checksum 0 (RFC 768) /
 * RTP v2, PT, SSRC, seq and timestamp continuous per stream (RFC 3550
 * 5.1, random initial values) / payload: struct gen_payload, then 0xff
 * (PCMU silence) up to payload_len bytes. The gateway relays it back to
 * local:p; RX accepts only that (the stream id in the payload names the
 * stream: the same p serves one stream per gateway address).
 *
 * Port plan: an address carries GEN_PER_GW(base_port) streams, on the even
 * offsets base_port, base_port + 2, ... up to 65535; stream i goes to
 * gw[i / per] port base_port + 2 (i % per). Beyond one address's ports,
 * give more gateway addresses (all on the one dataplane port and MAC:
 * ARP resolves gw[0] only).
 */
#ifndef RTPGW_GEN_H
#define RTPGW_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "meas.h"

#define GEN_MAGIC 0x5247454eu /* "RGEN" */
#define GEN_STREAMS_MAX 131072
#define GEN_GW_MAX 8 /* gateway addresses */
/* Streams per gateway address from base port b: b, b + 2, ... <= 65535. */
#define GEN_PER_GW(b) ((65535u - (uint32_t)(b)) / 2 + 1)
#define GEN_BURST 32

/* What follows the 12-byte RTP header, in host byte order (the generator
 * reads what it wrote, in the same process). */
struct gen_payload {
	uint64_t tx_tsc;  /* rte_rdtsc() when the packet was built */
	uint32_t stream;  /* stream index */
	uint32_t magic;   /* GEN_MAGIC */
	uint32_t trial;   /* measured trial id, 0 = warm-up (not measured) */
} __attribute__((packed));

struct gen_config {
	uint16_t port_id;
	uint16_t n_rxq;        /* RX queues to set up and poll (default 1) */
	uint32_t local_ip;     /* network order; ARP is answered for it */
	uint32_t gw_ip[GEN_GW_MAX]; /* network order; the same twice is fine */
	uint16_t n_gw;         /* gw_ip[] given (0 counts as 1) */
	bool have_gw_mac;      /* else gw_ip[0]'s, by ARP in gen_resolve() */
	uint8_t gw_mac[6];
	uint32_t n_streams;
	uint16_t base_port;
	uint16_t ptime_ms;
	uint16_t payload_len;  /* RTP payload bytes, >= sizeof(struct gen_payload) */
	uint8_t pt;
	uint32_t clock_hz;     /* RTP clock (8000 for G.711) */
	unsigned int rx_lcore; /* RTE_MAX_LCORE: RX on the calling lcore */
	uint32_t drain_ms;     /* after a trial's last packet, RX only (default 200) */
	uint32_t n_mbufs;      /* per pool, 0 = default */
	bool progress;         /* a stderr line per second during a trial */
};

struct gen_result {
	double offered_pps;    /* asked for (0: unthrottled) */
	double tx_pps;         /* measured packets sent / duration */
	double rx_pps;         /* distinct measured packets received / duration */
	double duration_s;
	uint64_t sent;
	uint64_t received;     /* distinct */
	uint64_t lost;         /* sent - received */
	uint64_t dup;
	uint64_t reordered;
	uint64_t late;         /* below the reorder window (also in received) */
	uint64_t tx_failed;    /* built, never accepted by the port (not in sent) */
	uint64_t rx_other;     /* warm-up, stale trials, ARP, not ours */
	uint64_t lat_min_ns, lat_p50_ns, lat_p99_ns, lat_max_ns;
	double lat_mean_ns;
	/* RFC 3550 A.8 per stream, mean and max over streams: with the send
	 * instants as timestamps (the path's jitter), and over the RTP
	 * timestamps (the generator's own send-time irregularity included) */
	double jitter_mean_us;
	double jitter_max_us;
	double jitter_rtp_mean_us;
	double jitter_rtp_max_us;
	uint32_t streams_lossy; /* streams that lost at least one packet */
	uint64_t stream_lost_max;
	bool short_offered;    /* sent below 99% of rate x duration */
};

/* Stream i's gateway address index (into gw_ip[]) and UDP port (both
 * ends): the port plan above. Pure. */
static inline uint16_t
gen_stream_addr(uint16_t base_port, uint32_t i, uint32_t *gw)
{
	uint32_t per = GEN_PER_GW(base_port);

	*gw = i / per;
	return (uint16_t)(base_port + 2 * (i % per));
}

/* Streams that n_gw addresses carry from base_port. */
static inline uint32_t
gen_streams_cap(uint16_t base_port, uint32_t n_gw)
{
	return GEN_PER_GW(base_port) * (n_gw ? n_gw : 1);
}

struct gen;

/* Set up and start the port (1 TX queue, n_rxq RX queues), the pools and
 * the RX lcore. NULL with errno set and a message on stderr on failure. */
struct gen *gen_create(const struct gen_config *cfg);
/* Stop the RX lcore and the port (the port is closed). NULL is a no-op. */
void gen_destroy(struct gen *g);
/* ARP for the gateway until it answers: tries requests every interval_ms.
 * 0, -ETIMEDOUT, or -EINTR after gen_interrupt(). A no-op with
 * cfg.have_gw_mac. */
int gen_resolve(struct gen *g, unsigned int tries, unsigned int interval_ms);
/* The gateway's MAC (valid after gen_resolve). */
const uint8_t *gen_gw_mac(const struct gen *g);
/*
 * One trial: warmup_s sending without measuring, duration_s measured,
 * then cfg.drain_ms receiving only. rate_pps is the aggregate rate over
 * all streams, round robin (0: as fast as the port takes packets).
 * Returns 0 and fills *r, or a negative errno.
 */
int gen_trial(struct gen *g, double rate_pps, double warmup_s, double duration_s,
	      struct gen_result *r);
/* Stream i's accounting during the last trial, and its sent count. */
const struct meas_stream *gen_stream(const struct gen *g, uint32_t i, uint64_t *sent);
/* The last trial's latency histogram. */
const struct meas_hist *gen_hist(const struct gen *g);
/* Asks a running gen_trial to stop early (signal handlers). */
void gen_interrupt(struct gen *g);

#endif /* RTPGW_GEN_H */
