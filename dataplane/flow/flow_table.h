/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table (agent side): an O(1) array of RCU-protected struct flow
 * pointers indexed by (local address index, UDP destination port), like
 * rtpengine's kernel port table, over an array of per-id entries (two cfg
 * slots and the state, see flow.h) and their cold parts. Only the agent
 * calls these functions; the workers' lookup is in flow_table_fast.h.
 *
 * Every change follows the single-writer protocol of flow.h: publish with
 * a release store; unlink or replace, then rte_rcu_qsbr_synchronize
 * (flow_table_sync, once per batch), then reuse (grout nexthop_destroy).
 * Ids come from a stack filled at creation: installing never allocates.
 */
#ifndef RTPGW_FLOW_TABLE_H
#define RTPGW_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "flow/flow.h"

struct rte_rcu_qsbr;

enum flow_pending_what {
	PENDING_DEL = 1,   /* unlinked: drop its next hop, free the id */
	PENDING_MOD_BACK,  /* the spare is published: copy it back to the primary */
	PENDING_SPARE,     /* the spare was unpublished: free it for the next MOD */
};

struct flow_table {
	/* workers: ro (slots loaded with acquire; entries through them) */
	struct flow **slots[DP_ADDR_MAX];
	struct flow_entry *entries;  /* [max_flows] */
	struct flow *spare;          /* [max_flows]: MOD's second cfg slot */
	struct flow_cold *cold;      /* [max_flows][2], by id and parity */
	struct flow_state_rare *rare; /* [max_flows] */
	/* agent only */
	struct flow **by_id;         /* [max_flows]: the published cfg of an id */
	uint8_t *busy;               /* [max_flows]: state of the id's spare slot */
	uint16_t n_addrs;
	uint32_t max_flows;
	uint32_t n_flows;
	struct rte_rcu_qsbr *rcu;    /* NULL: no readers (unit tests) */
	uint32_t *free_ids;          /* stack of free ids */
	uint32_t n_free_ids;
	struct flow_pending {
		uint32_t id;
		uint8_t what;        /* enum flow_pending_what */
		uint8_t parity;      /* PENDING_DEL: the slot that was published */
	} *pending;                  /* to finish after the next synchronize */
	uint32_t n_pending;
};

/* Create for n_addrs local addresses and max_flows flows. rcu may be NULL
 * when no worker reads the table. NULL with errno set on failure. */
struct flow_table *flow_table_create(uint16_t n_addrs, uint32_t max_flows,
				     struct rte_rcu_qsbr *rcu);
void flow_table_destroy(struct flow_table *t);

/* The flow installed at (addr_idx, port) (port in network order), or NULL.
 * A companion slot returns its flow too (compare rtp_port). */
struct flow *flow_table_get(const struct flow_table *t, uint16_t addr_idx, uint16_t port);

/*
 * Install a copy of f (filled by flow_spec_resolve; id and parity are
 * set here) and of its cold part at (addr_idx, f->rtp_port) and, with an
 * RTCP companion, at f->rtcp_port. The table owns f's next-hop reference
 * from now on. Returns 0, -EEXIST when a slot is taken, -ENOSPC when no id
 * is free, -EINVAL for a bad index (nothing is taken then).
 */
int flow_table_add(struct flow_table *t, uint16_t addr_idx, const struct flow *f,
		   const struct flow_cold *cold);

/*
 * Replace the flow at (addr_idx, nf->rtp_port) by a copy of nf, keeping
 * its id and state (and added_tsc). Companion slots follow nf's rtcp mode.
 * The new cfg goes to the id's spare slot; flow_table_sync moves it back
 * to the primary slot. Returns 0, -ENOENT, -EEXIST (a new companion slot
 * is taken by another flow).
 */
int flow_table_mod(struct flow_table *t, uint16_t addr_idx, const struct flow *nf,
		   const struct flow_cold *cold);

/* Unlink the flow at (addr_idx, port); its id is freed at the next
 * flow_table_sync. Returns 0 or -ENOENT. */
int flow_table_del(struct flow_table *t, uint16_t addr_idx, uint16_t port);

/* Wait for every reader to pass a quiescent state, then finish what was
 * unlinked or replaced since the last call: next-hop references dropped,
 * freed ids' state zeroed and their ids reusable, modified flows back in
 * their primary slot (which takes a second grace period). */
void flow_table_sync(struct flow_table *t);

static inline struct flow_state *
flow_table_state(const struct flow_table *t, const struct flow *f)
{
	return &t->entries[f->id].state;
}

static inline struct flow_state_rare *
flow_table_rare(const struct flow_table *t, const struct flow *f)
{
	return &t->rare[f->id];
}

static inline struct flow_cold *
flow_table_cold(const struct flow_table *t, const struct flow *f)
{
	return &t->cold[2 * (size_t)f->id + f->parity];
}

/* The flow published with this id, or NULL. */
static inline struct flow *
flow_table_by_id(const struct flow_table *t, uint32_t id)
{
	return id < t->max_flows ? t->by_id[id] : NULL;
}

/*
 * Iterate: the first flow whose (addr_idx << 16 | host port) >= *cursor,
 * skipping companion slots; *cursor is advanced past it. NULL at the end.
 */
struct flow *flow_table_next(const struct flow_table *t, uint32_t *cursor, uint16_t *addr_idx);

#endif /* RTPGW_FLOW_TABLE_H */
