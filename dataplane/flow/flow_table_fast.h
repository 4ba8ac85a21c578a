/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker-side flow lookup: two dependent loads, no hashing. The caller is
 * between two RCU quiescent states for as long as it uses the result.
 */
#ifndef RTPGW_FLOW_TABLE_FAST_H
#define RTPGW_FLOW_TABLE_FAST_H

#include <rte_branch_prediction.h>
#include <rte_prefetch.h>

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

/*
 * Prefetch what a packet will touch of flow f without reading f: the
 * published primary cfg is the first line of its flow_entry, so the state
 * follows in the next two lines. (A cfg in a MOD spare slot, published for
 * one grace period, gets only its own line prefetched.)
 */
static inline void
flow_table_prefetch(const struct flow_table *t, const struct flow *f)
{
	uintptr_t off = (uintptr_t)f - (uintptr_t)t->entries;

	rte_prefetch0(f);
	if (likely(off < (uintptr_t)t->max_flows * sizeof(struct flow_entry))) {
		rte_prefetch0((const uint8_t *)f + RTE_CACHE_LINE_SIZE);
		rte_prefetch0((const uint8_t *)f + 2 * RTE_CACHE_LINE_SIZE);
	}
}

static inline struct flow_state *
flow_table_state_fast(const struct flow_table *t, const struct flow *f)
{
	return &t->entries[f->id].state;
}

#endif /* RTPGW_FLOW_TABLE_FAST_H */
