/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops: the Ethernet address behind each peer (or gateway) that
 * relayed packets are sent to, resolved by the agent with ARP (RFC 826).
 * Flows hold a pointer to their next hop; workers read only its packed
 * MAC word. Entries are never freed while the process runs (an ARP cache
 * bounded by NEXTHOP_MAX), so a flow's pointer stays valid without RCU.
 */
#ifndef RTPGW_NEXTHOP_H
#define RTPGW_NEXTHOP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#define NEXTHOP_MAX 65536
#define NEXTHOP_VALID (1ull << 63)

struct nexthop {
	/* workers: ro (atomic load); agent: rw (atomic store). The six MAC
	 * bytes in memory order in the low 48 bits, NEXTHOP_VALID when set. */
	uint64_t mac;
	/* agent only */
	uint32_t ip;         /* network order */
	uint16_t port_id;
	uint16_t n_req;      /* ARP requests sent since the last answer */
	uint32_t refcnt;     /* flows using it */
	uint64_t last_req_tsc;
	uint64_t resolved_tsc;
} __rte_cache_aligned;

struct nexthop_table {
	struct nexthop *objs;  /* [NEXTHOP_MAX] */
	uint32_t *index;       /* open addressing: 0 = empty, else objs index + 1 */
	uint32_t n;
};

struct nexthop_table *nexthop_table_create(void);
void nexthop_table_destroy(struct nexthop_table *t);

/* Find or create the next hop (ip, port_id); takes a reference. NULL
 * with errno ENOSPC when the table is full. */
struct nexthop *nexthop_get(struct nexthop_table *t, uint32_t ip, uint16_t port_id);
void nexthop_put(struct nexthop *nh);

/* Lookup without creating; NULL when unknown. */
struct nexthop *nexthop_lookup(const struct nexthop_table *t, uint32_t ip, uint16_t port_id);

/* Agent: record a resolved MAC (6 bytes). */
void nexthop_set_mac(struct nexthop *nh, const uint8_t *mac, uint64_t now_tsc);

static inline bool
nexthop_resolved(const struct nexthop *nh)
{
	return __atomic_load_n(&nh->mac, __ATOMIC_RELAXED) & NEXTHOP_VALID;
}

#endif /* RTPGW_NEXTHOP_H */
