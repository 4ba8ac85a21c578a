/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow table (agent side): an O(1) array of RCU-protected struct flow
 * pointers indexed by (local address index, UDP destination port), like
 * rtpengine's kernel port table, plus the per-id flow state array and the
 * pools the entries come from. Only the agent calls these functions; the
 * workers' lookup is in flow_table_fast.h.
 *
 * Every function here that changes the table is all-or-nothing per call,
 * and every delete follows unlink -> rte_rcu_qsbr_synchronize -> free
 * (grout nexthop_destroy). Batches share one synchronize.
 */
#ifndef RTPGW_FLOW_TABLE_H
#define RTPGW_FLOW_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "dp.h"
#include "flow/flow.h"

struct rte_rcu_qsbr;

struct flow_table {
	/* workers: ro (pointers loaded with acquire) */
	struct flow **slots[DP_ADDR_MAX];
	struct flow_state *states; /* [max_flows] */
	/* agent only */
	struct flow **by_id;       /* [max_flows]: the published flow of an id */
	uint16_t n_addrs;
	uint32_t max_flows;
	uint32_t n_flows;
	struct rte_rcu_qsbr *rcu;  /* NULL: no readers (unit tests) */
	struct flow *objs;         /* [2 * max_flows]: a MOD needs two at once */
	uint32_t *free_objs;       /* stack of free indexes into objs */
	uint32_t n_free_objs;
	uint32_t *free_ids;        /* stack of free flow ids */
	uint32_t n_free_ids;
	struct flow_pending {
		struct flow *f;
		bool free_id; /* DEL: the id and state go back too; MOD: not */
	} *pending;                /* to free after the next synchronize */
	uint32_t n_pending;
};

/* Create for n_addrs local addresses and max_flows flows. rcu may be NULL
 * when no worker reads the table. NULL with errno set on failure. */
struct flow_table *flow_table_create(uint16_t n_addrs, uint32_t max_flows,
				     struct rte_rcu_qsbr *rcu);
void flow_table_destroy(struct flow_table *t);

/* A zeroed object to fill, or NULL (ENOSPC) when the pool is empty. */
struct flow *flow_table_obj_get(struct flow_table *t);
/* Return an object that was never published. */
void flow_table_obj_put(struct flow_table *t, struct flow *f);

/* The flow installed at (addr_idx, port) (port in network order), or NULL. */
struct flow *flow_table_get(const struct flow_table *t, uint16_t addr_idx, uint16_t port);

/*
 * Publish f (filled except f->id) at (addr_idx, f->rtp_port) and, with
 * RTCP companion, at f->rtcp_port. Returns 0, -EEXIST when a slot is
 * taken, -ENOSPC when no id is free, -EINVAL for a bad index.
 */
int flow_table_add(struct flow_table *t, uint16_t addr_idx, struct flow *f);

/*
 * Replace the flow at (addr_idx, nf->rtp_port) by nf, keeping its id and
 * state. Companion slots follow nf's rtcp mode. The old object is queued
 * for free after the next flow_table_sync. Returns 0, -ENOENT, -EEXIST
 * (a new companion slot is taken by another flow).
 */
int flow_table_mod(struct flow_table *t, uint16_t addr_idx, struct flow *nf);

/* Unlink the flow at (addr_idx, port); freed at the next flow_table_sync.
 * Returns 0 or -ENOENT. */
int flow_table_del(struct flow_table *t, uint16_t addr_idx, uint16_t port);

/* Wait for every reader to pass a quiescent state, then free what was
 * unlinked or replaced since the last call (and reset freed ids' state). */
void flow_table_sync(struct flow_table *t);

/* The flow published with this id, or NULL. */
static inline struct flow *
flow_table_by_id(const struct flow_table *t, uint32_t id)
{
	return id < t->max_flows ? t->by_id[id] : NULL;
}

/* The state of a flow. */
static inline struct flow_state *
flow_table_state(const struct flow_table *t, const struct flow *f)
{
	return &t->states[f->id];
}

/*
 * Iterate: the first flow whose (addr_idx << 16 | host port) >= *cursor,
 * skipping companion slots; *cursor is advanced past it. NULL at the end.
 */
struct flow *flow_table_next(const struct flow_table *t, uint32_t *cursor, uint16_t *addr_idx);

#endif /* RTPGW_FLOW_TABLE_H */
