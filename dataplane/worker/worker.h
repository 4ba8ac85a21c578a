/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcores: one struct worker per lcore, built by the agent before
 * launch. A worker polls RX queue w->id of every port, runs each burst
 * through the relay pipeline (relay.c) and sends through its own TX queue
 * (w->id) of the egress port, buffered and flushed when full or on a TSC
 * deadline. Packets for the agent (ARP, ICMP, RTCP copies) and events go
 * through single-producer rings the agent drains.
 */
#ifndef RTPGW_WORKER_H
#define RTPGW_WORKER_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>

#include <rtpgw_api.h>

#include "dp.h"

/* A partial TX burst waits at most this long: 100 us is 0.5% of a 20 ms
 * packetization interval and far below any jitter buffer, while at load
 * bursts fill and go out at once (l3fwd's BURST_TX_DRAIN_US). */
#define WORKER_TX_DRAIN_US 100
#define WORKER_RING_SIZE 4096
#define WORKER_EVENT_RING_SIZE 1024
#define WORKER_CTL_RING_SIZE 1024
#define WORKER_TICK_HIST 1024
#define WORKER_CTL_ELEM_SIZE 16 /* sizeof(struct conf_cmd) */

enum worker_event_type {
	WORKER_EV_SSRC_CHANGE = 1, /* old_ssrc, new_ssrc */
	WORKER_EV_RELEASED,        /* mixer: old_ssrc = CONF_CMD_LEAVE/STOP, new_ssrc = index */
	WORKER_EV_DTMF,            /* mixer: old_ssrc = conf index, new_ssrc = digit | duration << 8 */
	WORKER_EV_SPEAKER,         /* mixer: old_ssrc = conf index, new_ssrc = participant */
};

/* worker -> agent, through w->event_ring (fixed-size ring elements). */
struct worker_event {
	uint16_t type;
	uint16_t addr_idx;
	uint16_t port;     /* the flow's RTP port, network order */
	uint16_t pad;
	uint32_t old_ssrc;
	uint32_t new_ssrc;
};
static_assert(sizeof(struct worker_event) % 4 == 0, "ring elements are 4-byte multiples");

/* worker: rw (plain stores); agent: ro (folds them, torn reads tolerated) */
struct worker_stats {
	uint64_t rx;
	uint64_t tx;
	uint64_t slowpath;
	uint64_t busy_cycles;  /* iterations that received packets */
	uint64_t total_cycles;
	uint64_t polls;
	uint64_t drops[RTPGW_DROP_MAX];
} __rte_cache_aligned;

struct worker_rxq {
	uint16_t port_id;
	uint16_t queue_id;
};

struct worker {
	/* hot, worker: ro after launch */
	struct dataplane *dp;
	struct flow_table *flows;
	uint16_t id;         /* RCU thread id, RX and TX queue index */
	uint16_t n_rxq;
	uint32_t lcore_id;
	uint64_t drain_tsc;
	struct rte_ring *slow_ring;  /* worker: producer; agent: consumer (mbufs) */
	struct rte_ring *event_ring; /* worker: producer; agent: consumer */
	struct worker_rxq rxq[2 * DP_PORT_MAX]; /* worker 0 also polls extra queues */
	struct rte_eth_dev_tx_buffer *txb[DP_PORT_MAX]; /* by port id; worker: rw */
	uint64_t now;        /* TSC at the start of the current burst */
	struct worker_stats stats;

	/* mixer (mixer/mixer.c): conferences this worker owns */
	struct rte_ring *ctl_ring;     /* agent: producer; worker: consumer (struct conf_cmd) */
	struct rte_ring *handoff_ring; /* other workers: producers; worker: consumer (mbufs) */
	struct worker_tick {
		uint64_t tsc;          /* when the conference's next tick is due */
		uint32_t conf;         /* conference index */
		uint32_t gen;          /* the conference's sched_gen when queued */
	} *ticks;                      /* min-heap on tsc, [ticks_cap] */
	uint32_t n_ticks;
	uint32_t ticks_cap;
	uint64_t cycles_per_us;
	uint32_t tick_us_hist[WORKER_TICK_HIST]; /* worker: rw; agent: ro. Conference
						  * ticks by duration in us (last: more) */
	int16_t pcm[480];              /* scratch: one frame (CONF_FRAME_MAX) */
	uint8_t enc[480];
	uint8_t enc_full[2][480];      /* the full mix, encoded once per law per tick */
} __rte_cache_aligned;

/* Agent: create the worker for queue/thread id `id` on lcore, able to own
 * up to max_confs conferences. */
struct worker *worker_create(struct dataplane *dp, uint16_t id, unsigned int lcore_id,
			     uint32_t max_confs);
void worker_destroy(struct worker *w);

/* lcore entry point (rte_eal_remote_launch); returns when dp->quit. */
int worker_main(void *arg);

/* One burst received on rx_port through the pipeline; every mbuf is consumed (sent, handed to
 * the agent, or freed and counted). Returns the number forwarded. */
uint16_t relay_burst(struct worker *w, uint16_t rx_port, struct rte_mbuf **pkts, uint16_t n);

/* TX buffer error callback: counts TX_FULL and frees. */
void worker_tx_error_cb(struct rte_mbuf **unsent, uint16_t count, void *userdata);

/* Flush every TX buffer of the worker. */
void worker_flush(struct worker *w);

#endif /* RTPGW_WORKER_H */
