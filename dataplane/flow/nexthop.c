/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next-hop cache: an insert-only open-addressing index over a fixed array
 * (agent only). See nexthop.h.
 */
#include <errno.h>

#include <rte_byteorder.h>

#include "dp.h"
#include "flow/nexthop.h"

#define INDEX_SIZE (2 * NEXTHOP_MAX) /* load factor <= 0.5 */

static uint32_t
nh_hash(uint32_t ip, uint16_t port_id)
{
	uint64_t h = ((uint64_t)ip << 8 | port_id) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 40) & (INDEX_SIZE - 1);
}

struct nexthop_table *
nexthop_table_create(void)
{
	struct nexthop_table *t = dp_zmalloc(sizeof(*t), -1);

	if (t == NULL)
		goto nomem;
	t->objs = dp_zmalloc(NEXTHOP_MAX * sizeof(*t->objs), -1);
	t->index = dp_zmalloc(INDEX_SIZE * sizeof(*t->index), -1);
	if (t->objs == NULL || t->index == NULL)
		goto nomem;
	return t;
nomem:
	nexthop_table_destroy(t);
	errno = ENOMEM;
	return NULL;
}

void
nexthop_table_destroy(struct nexthop_table *t)
{
	if (t == NULL)
		return;
	dp_free(t->objs);
	dp_free(t->index);
	dp_free(t);
}

static uint32_t *
nh_slot(const struct nexthop_table *t, uint32_t ip, uint16_t port_id)
{
	uint32_t h = nh_hash(ip, port_id);

	for (;;) {
		uint32_t *s = &t->index[h];
		const struct nexthop *nh;

		if (*s == 0)
			return s;
		nh = &t->objs[*s - 1];
		if (nh->ip == ip && nh->port_id == port_id)
			return s;
		h = (h + 1) & (INDEX_SIZE - 1);
	}
}

struct nexthop *
nexthop_lookup(const struct nexthop_table *t, uint32_t ip, uint16_t port_id)
{
	uint32_t *s = nh_slot(t, ip, port_id);

	return *s ? &t->objs[*s - 1] : NULL;
}

struct nexthop *
nexthop_get(struct nexthop_table *t, uint32_t ip, uint16_t port_id)
{
	uint32_t *s = nh_slot(t, ip, port_id);
	struct nexthop *nh;

	if (*s == 0) {
		if (t->n == NEXTHOP_MAX) {
			errno = ENOSPC;
			return NULL;
		}
		nh = &t->objs[t->n++];
		nh->ip = ip;
		nh->port_id = port_id;
		*s = t->n;
	}
	nh = &t->objs[*s - 1];
	nh->refcnt++;
	return nh;
}

void
nexthop_put(struct nexthop *nh)
{
	if (nh != NULL && nh->refcnt > 0)
		nh->refcnt--;
}

void
nexthop_set_mac(struct nexthop *nh, const uint8_t *mac, uint64_t now_tsc)
{
	uint64_t v = 0;

	memcpy(&v, mac, 6);
	__atomic_store_n(&nh->mac, v | NEXTHOP_VALID, __ATOMIC_RELAXED);
	nh->n_req = 0;
	nh->resolved_tsc = now_tsc;
}
