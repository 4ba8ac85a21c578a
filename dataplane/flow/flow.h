/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flow as the fast path sees it. Control's struct rtpgw_api_flow is
 * resolved once by the agent (flow_spec.c) into a struct flow (one cache
 * line: addresses and ports in network order, the egress port, the next
 * hop, the RTP clock) and a struct flow_cold (the payload type map as a
 * table, the normalized spec). Workers apply it blindly.
 *
 * Memory-ordering protocol:
 * - struct flow is immutable once published in the table: the agent fills
 *   it, then stores its pointer with release semantics; workers load the
 *   pointer (acquire) and read it until their next quiescent state. MOD
 *   fills the id's spare slot and publishes it; after a grace period the
 *   spare is copied back into the primary slot, which is published again,
 *   and the spare is reusable after a second grace period. DEL unlinks,
 *   synchronizes, then frees the id.
 * - struct flow_state (indexed by flow id) survives MOD. It is written
 *   only by the worker receiving the flow's packets (RSS keeps a 5-tuple on
 *   one queue; a latched source that moves to another queue may race on
 *   statistics, never on memory safety) and read, unlocked, by the agent.
 *   The agent resets it only after the flow is unlinked and synchronized.
 */
#ifndef RTPGW_FLOW_H
#define RTPGW_FLOW_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

#include <rtpgw_api.h>

#include "rtp/rtp_stats.h"

struct nexthop;

struct flow {
	/* hot: read per packet by workers, one cache line */
	uint8_t action;    /* enum rtpgw_flow_action */
	uint8_t src_mode;  /* enum rtpgw_flow_src_mode */
	uint8_t rtcp_mode; /* enum rtpgw_flow_rtcp */
	uint8_t egress_port;
	uint32_t flags;    /* RTPGW_FLOW_F_* */
	uint16_t rtp_port;  /* local port of RTP, network order */
	uint16_t rtcp_port; /* local port of RTCP (companion), network order */
	uint16_t src_port;  /* expected source port, network order */
	uint16_t out_port;  /* egress source port, network order */
	uint16_t peer_port; /* egress destination port, network order */
	uint16_t out_rtcp_port;  /* network order */
	uint16_t peer_rtcp_port; /* network order */
	uint8_t parity;    /* 0: the entry's primary slot; 1: the MOD spare */
	uint8_t addr_idx;  /* index of the local address (the key's) */
	uint32_t src_ip;   /* expected source, network order */
	uint32_t out_ip;   /* network order */
	uint32_t peer_ip;  /* network order */
	union {
		uint32_t ssrc_out; /* RELAY: host order */
		uint32_t part_idx; /* MIX: the participant */
	};
	uint32_t id;       /* index of the flow's state */
	uint32_t out_addr_idx; /* local address index of out_ip */
	struct nexthop *nh; /* never NULL for RELAY flows */
	uint64_t ts_mult;  /* RTP clock units per TSC tick, << 32 */
} __rte_cache_aligned;

static_assert(sizeof(struct flow) == RTE_CACHE_LINE_SIZE, "a flow is one cache line");

/* What a flow carries that packets rarely or never read. */
struct flow_cold {
	uint8_t pt_map[128]; /* received PT -> sent PT, read with F_PT_MAP */
	uint64_t added_tsc;  /* install time, kept across MOD (idle timeout) */
	struct rtpgw_api_flow spec; /* what control asked for, normalized (GET/LIST) */
};

#define FLOW_TS_MULT_SHIFT 32

struct flow_state {
	/* line 0, worker: rw per packet; agent: ro (reset when the id is free) */
	uint64_t packets;
	uint64_t octets;
	uint64_t last_tsc;     /* TSC of the last packet accepted, 0 = never */
	uint64_t last_out_tsc; /* F_SEQ_CONTINUOUS: when last_out_* were sent */
	uint32_t ssrc;         /* host order */
	uint32_t latched_ip;   /* network order */
	uint16_t latched_port; /* network order, the RTP port */
	uint8_t latched;
	uint8_t ssrc_valid;
	uint8_t pt;
	uint8_t out_valid;     /* F_SEQ_CONTINUOUS: last_out_* hold values */
	uint16_t seq_off;      /* added to received seq */
	uint32_t ts_off;       /* added to received ts */
	uint32_t last_out_ts;
	uint16_t last_out_seq;
	uint16_t pad;
	/* line 1, worker: rw per RTP packet */
	struct rtp_stats rtp;
} __rte_cache_aligned;

static_assert(offsetof(struct flow_state, rtp) == RTE_CACHE_LINE_SIZE,
	      "per-packet state is lines 0 and 1");
static_assert(sizeof(struct flow_state) == 2 * RTE_CACHE_LINE_SIZE, "flow_state size");

/* State written on rare events, kept out of the per-packet lines. */
struct flow_state_rare {
	/* worker: rw; agent: ro (reset when the id is free) */
	uint64_t rtcp_packets;
	uint64_t dropped;
	uint32_t ssrc_changes;
	uint32_t pt_changes;
	/* agent: rw; worker: none */
	uint64_t idle_reported_tsc; /* last_tsc value already reported idle */
};

/*
 * What a packet reads and writes of one flow id, in three adjacent cache
 * lines: its configuration and its state. With 100k flows these lines
 * miss the cache; keeping them together (and nothing else between them)
 * took the relay from ~510 to ~260 cycles per packet (bench-relay, loop
 * mode, 100k flows, against ~105 with 30k).
 */
struct flow_entry {
	struct flow cfg;         /* parity 0: the primary slot */
	struct flow_state state;
} __rte_cache_aligned;

static_assert(sizeof(struct flow_entry) == 3 * RTE_CACHE_LINE_SIZE, "flow_entry size");

#endif /* RTPGW_FLOW_H */
