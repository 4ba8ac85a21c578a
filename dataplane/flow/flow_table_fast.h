/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker-side flow lookup: two dependent loads, no hashing. The caller is
 * between two RCU quiescent states for as long as it uses the result.
 */
#ifndef RTPGW_FLOW_TABLE_FAST_H
#define RTPGW_FLOW_TABLE_FAST_H

#include "flow/flow_table.h"

/* port in network order; addr_idx < n_addrs is the caller's promise. */
static inline struct flow *
flow_table_lookup(const struct flow_table *t, uint16_t addr_idx, uint16_t port)
{
	return __atomic_load_n(&t->slots[addr_idx][rte_be_to_cpu_16(port)], __ATOMIC_ACQUIRE);
}

/* The slot of (addr_idx, port): lets a burst prefetch slots before it
 * loads them (flow_table_slot_load). */
static inline struct flow *const *
flow_table_slot(const struct flow_table *t, uint16_t addr_idx, uint16_t port)
{
	return &t->slots[addr_idx][rte_be_to_cpu_16(port)];
}

static inline struct flow *
flow_table_slot_load(struct flow *const *slot)
{
	return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

static inline struct flow_state *
flow_table_state_fast(const struct flow_table *t, const struct flow *f)
{
	return &t->entries[f->id].state;
}

#endif /* RTPGW_FLOW_TABLE_FAST_H */
