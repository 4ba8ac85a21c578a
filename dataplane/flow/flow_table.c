/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table storage and its single-writer update protocol (see
 * flow_table.h and flow.h). Objects and ids come from stacks filled at
 * creation, so installing a flow never allocates.
 */
#include <errno.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "flow/flow_table.h"
#include "flow/nexthop.h"

#define SLOTS_PER_ADDR 65536u

struct flow_table *
flow_table_create(uint16_t n_addrs, uint32_t max_flows, struct rte_rcu_qsbr *rcu)
{
	struct flow_table *t;
	uint32_t n_objs;

	if (n_addrs == 0 || n_addrs > DP_ADDR_MAX || max_flows == 0 || max_flows > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	t = dp_zmalloc(sizeof(*t), -1);
	if (t == NULL)
		goto nomem;
	t->n_addrs = n_addrs;
	t->max_flows = max_flows;
	t->rcu = rcu;
	n_objs = 2 * max_flows;
	for (uint16_t i = 0; i < n_addrs; i++) {
		t->slots[i] = dp_zmalloc(SLOTS_PER_ADDR * sizeof(struct flow *), -1);
		if (t->slots[i] == NULL)
			goto nomem;
	}
	t->states = dp_zmalloc((size_t)max_flows * sizeof(*t->states), -1);
	t->by_id = dp_zmalloc((size_t)max_flows * sizeof(*t->by_id), -1);
	t->objs = dp_zmalloc((size_t)n_objs * sizeof(*t->objs), -1);
	t->free_objs = dp_zmalloc((size_t)n_objs * sizeof(uint32_t), -1);
	t->free_ids = dp_zmalloc((size_t)max_flows * sizeof(uint32_t), -1);
	t->pending = dp_zmalloc((size_t)n_objs * sizeof(*t->pending), -1);
	if (!t->states || !t->by_id || !t->objs || !t->free_objs || !t->free_ids || !t->pending)
		goto nomem;
	/* Stacks pop from the end: hand out low indexes first. */
	for (uint32_t i = 0; i < n_objs; i++)
		t->free_objs[i] = n_objs - 1 - i;
	t->n_free_objs = n_objs;
	for (uint32_t i = 0; i < max_flows; i++)
		t->free_ids[i] = max_flows - 1 - i;
	t->n_free_ids = max_flows;
	return t;
nomem:
	flow_table_destroy(t);
	errno = ENOMEM;
	return NULL;
}

void
flow_table_destroy(struct flow_table *t)
{
	if (t == NULL)
		return;
	for (uint16_t i = 0; i < DP_ADDR_MAX; i++)
		dp_free(t->slots[i]);
	dp_free(t->states);
	dp_free(t->by_id);
	dp_free(t->objs);
	dp_free(t->free_objs);
	dp_free(t->free_ids);
	dp_free(t->pending);
	dp_free(t);
}

struct flow *
flow_table_obj_get(struct flow_table *t)
{
	struct flow *f;

	if (t->n_free_objs == 0) {
		errno = ENOSPC;
		return NULL;
	}
	f = &t->objs[t->free_objs[--t->n_free_objs]];
	memset(f, 0, sizeof(*f));
	return f;
}

void
flow_table_obj_put(struct flow_table *t, struct flow *f)
{
	t->free_objs[t->n_free_objs++] = (uint32_t)(f - t->objs);
}

struct flow *
flow_table_get(const struct flow_table *t, uint16_t addr_idx, uint16_t port)
{
	if (addr_idx >= t->n_addrs)
		return NULL;
	return t->slots[addr_idx][rte_be_to_cpu_16(port)];
}

static inline void
slot_publish(struct flow_table *t, uint16_t addr_idx, uint16_t port, struct flow *f)
{
	__atomic_store_n(&t->slots[addr_idx][rte_be_to_cpu_16(port)], f, __ATOMIC_RELEASE);
}

static bool
has_companion(const struct flow *f)
{
	return f->rtcp_mode == RTPGW_RTCP_COMPANION;
}

int
flow_table_add(struct flow_table *t, uint16_t addr_idx, struct flow *f)
{
	if (addr_idx >= t->n_addrs)
		return -EINVAL;
	if (flow_table_get(t, addr_idx, f->rtp_port) != NULL)
		return -EEXIST;
	if (has_companion(f) && flow_table_get(t, addr_idx, f->rtcp_port) != NULL)
		return -EEXIST;
	if (t->n_free_ids == 0)
		return -ENOSPC;
	f->id = t->free_ids[--t->n_free_ids];
	/* The state was zeroed when the id was freed (or at creation). */
	if (has_companion(f))
		slot_publish(t, addr_idx, f->rtcp_port, f);
	slot_publish(t, addr_idx, f->rtp_port, f);
	t->by_id[f->id] = f;
	t->n_flows++;
	return 0;
}

static void
defer_free(struct flow_table *t, struct flow *f, bool free_id)
{
	t->pending[t->n_pending].f = f;
	t->pending[t->n_pending].free_id = free_id;
	t->n_pending++;
}

int
flow_table_mod(struct flow_table *t, uint16_t addr_idx, struct flow *nf)
{
	struct flow *old = flow_table_get(t, addr_idx, nf->rtp_port);
	struct flow *other;

	if (old == NULL || old->rtp_port != nf->rtp_port)
		return -ENOENT;
	if (has_companion(nf)) {
		other = flow_table_get(t, addr_idx, nf->rtcp_port);
		if (other != NULL && other != old)
			return -EEXIST;
	}
	nf->id = old->id;
	t->by_id[nf->id] = nf;
	if (has_companion(nf))
		slot_publish(t, addr_idx, nf->rtcp_port, nf);
	slot_publish(t, addr_idx, nf->rtp_port, nf);
	if (has_companion(old) && !(has_companion(nf) && nf->rtcp_port == old->rtcp_port))
		slot_publish(t, addr_idx, old->rtcp_port, NULL);
	/* Workers may still read old (and old->id) until the next sync. */
	defer_free(t, old, false);
	return 0;
}

int
flow_table_del(struct flow_table *t, uint16_t addr_idx, uint16_t port)
{
	struct flow *f = flow_table_get(t, addr_idx, port);

	if (f == NULL || f->rtp_port != port)
		return -ENOENT;
	slot_publish(t, addr_idx, f->rtp_port, NULL);
	if (has_companion(f))
		slot_publish(t, addr_idx, f->rtcp_port, NULL);
	t->by_id[f->id] = NULL;
	t->n_flows--;
	defer_free(t, f, true);
	return 0;
}

void
flow_table_sync(struct flow_table *t)
{
	if (t->n_pending == 0)
		return;
	if (t->rcu != NULL)
		rte_rcu_qsbr_synchronize(t->rcu, RTE_QSBR_THRID_INVALID);
	for (uint32_t i = 0; i < t->n_pending; i++) {
		struct flow *f = t->pending[i].f;

		if (t->pending[i].free_id) {
			memset(&t->states[f->id], 0, sizeof(t->states[f->id]));
			t->free_ids[t->n_free_ids++] = f->id;
		}
		nexthop_put(f->nh);
		flow_table_obj_put(t, f);
	}
	t->n_pending = 0;
}

struct flow *
flow_table_next(const struct flow_table *t, uint32_t *cursor, uint16_t *addr_idx)
{
	for (uint32_t c = *cursor; (c >> 16) < t->n_addrs; c++) {
		uint16_t a = (uint16_t)(c >> 16);
		struct flow *f = t->slots[a][c & 0xffff];

		if (f != NULL && rte_be_to_cpu_16(f->rtp_port) == (c & 0xffff)) {
			*cursor = c + 1;
			*addr_idx = a;
			return f;
		}
	}
	*cursor = (uint32_t)t->n_addrs << 16;
	return NULL;
}
