/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane instance: ports, local media addresses, workers, the flow
 * table and the RCU variable that protects it. One struct dataplane per
 * process, built by main.c (or by a test harness) before the workers are
 * launched. After launch, only the agent (main lcore) writes to it; the
 * fields workers read are marked, and are either immutable after launch or
 * published with release stores (see flow/flow_table.h).
 */
#ifndef RTPGW_DP_H
#define RTPGW_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include <rtpgw_api.h>

#define DP_PORT_MAX 8
#define DP_ADDR_MAX 16
#define DP_WORKER_MAX 16
#define DP_BURST 32

struct conf_pools;
struct flow_table;
struct nexthop_table;
struct worker;
struct rte_mempool;
struct rte_rcu_qsbr;

/* A local media address. Immutable after launch (workers: ro). */
struct dp_addr {
	uint32_t ip;      /* network order */
	uint32_t mask;    /* network order */
	uint32_t gateway; /* network order, 0 = none (peers must be on-link) */
	uint16_t port_id;
	uint8_t prefix_len;
};

/* Agent-only counters of a port (slow path). */
struct dp_port_slow_stats {
	uint64_t arp_requests_rx;
	uint64_t arp_requests_tx;
	uint64_t arp_replies_rx;
	uint64_t icmp_echo;
	uint64_t slow_drops; /* slow-path packets the agent could not use */
};

struct dp_port {
	uint16_t port_id;
	uint16_t n_rxq;    /* one per worker */
	uint16_t n_txq;    /* one per worker + one for the agent */
	uint16_t agent_txq;
	struct rte_ether_addr mac; /* workers: ro */
	bool started;
	struct dp_port_slow_stats slow; /* agent: rw */
};

struct dataplane {
	/* immutable after launch, read by workers */
	struct dp_addr addrs[DP_ADDR_MAX];
	uint16_t n_addrs;
	uint16_t n_ports;
	uint16_t n_workers;
	struct dp_port ports[DP_PORT_MAX]; /* indexed by DPDK port id */
	uint16_t port_ids[DP_PORT_MAX];    /* the n_ports configured ids */
	struct flow_table *flows;
	struct rte_rcu_qsbr *rcu;
	struct rte_mempool *pool;
	uint64_t tsc_hz;
	uint64_t start_tsc;
	bool udp_cksum_verify; /* verify UDP checksums in software (classify) */
	uint64_t unix_ns_at_start; /* wall clock at start_tsc, for RTCP NTP times */
	struct conf_pools *confs;  /* conferences and participants (mixer/conf.h) */
	struct worker *workers[DP_WORKER_MAX];

	/* agent only */
	struct nexthop_table *nexthops;
	uint32_t max_flows;

	/* set by the signal handler or the agent; read by everyone */
	volatile bool quit;
};

/* Index of the local address ip (network order), or -1. Linear: a gateway
 * has a handful of media addresses; the scan touches one cache line. */
static inline int
dp_addr_index(const struct dataplane *dp, uint32_t ip)
{
	for (uint16_t i = 0; i < dp->n_addrs; i++)
		if (dp->addrs[i].ip == ip)
			return i;
	return -1;
}

/* Nanoseconds since the dataplane started, from a TSC value. */
static inline uint64_t
dp_tsc_to_ns(const struct dataplane *dp, uint64_t tsc)
{
	if (tsc <= dp->start_tsc)
		return 0;
	return (uint64_t)(((unsigned __int128)(tsc - dp->start_tsc) * 1000000000u) / dp->tsc_hz);
}

/*
 * Memory for tables: hugepage memory from rte_zmalloc once EAL is up, the
 * libc heap before (unit tests run without EAL). Agent only.
 */
void dp_mem_use_eal(bool on);
void *dp_zmalloc(size_t size, int socket);
void dp_free(void *p);

/* What main.c (or a test) decides before dp_init. */
struct dp_config {
	struct dp_addr addrs[DP_ADDR_MAX];
	uint16_t n_addrs;
	uint16_t n_workers;  /* 0: one per EAL worker lcore */
	uint32_t max_flows;
	uint32_t n_mbufs;
	uint32_t max_confs;
	uint32_t max_parts;
	bool udp_cksum_verify;
};

/*
 * Life cycle, after rte_eal_init: dp_init builds the mempool, configures
 * every probed port, the RCU variable, the tables and the workers;
 * dp_start starts the ports and launches the workers; dp_stop asks them
 * to quit and waits; dp_fini stops the ports and frees everything.
 * Returns 0 or a negative errno with a message on stderr.
 */
int dp_init(struct dataplane *dp, const struct dp_config *cfg);
int dp_start(struct dataplane *dp);
void dp_stop(struct dataplane *dp);
void dp_fini(struct dataplane *dp);

#endif /* RTPGW_DP_H */
