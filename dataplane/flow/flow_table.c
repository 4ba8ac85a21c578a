/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow table storage and its single-writer update protocol (see
 * flow_table.h and flow.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

#include "flow/flow_table.h"
#include "flow/nexthop.h"

#define SLOTS_PER_ADDR 65536u

/* t->busy[id]: where the id's MOD spare slot stands. */
enum {
	SPARE_FREE = 0,
	SPARE_PUBLISHED, /* published by MOD, owns its next-hop reference */
	SPARE_RETIRING,  /* copied back to the primary; readers may remain */
};

struct flow_table *
flow_table_create(uint16_t n_addrs, uint32_t max_flows, struct rte_rcu_qsbr *rcu)
{
	struct flow_table *t;

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
	for (uint16_t i = 0; i < n_addrs; i++) {
		t->slots[i] = dp_zmalloc(SLOTS_PER_ADDR * sizeof(struct flow *), -1);
		if (t->slots[i] == NULL)
			goto nomem;
	}
	t->entries = dp_zmalloc((size_t)max_flows * sizeof(*t->entries), -1);
	t->spare = dp_zmalloc((size_t)max_flows * sizeof(*t->spare), -1);
	t->cold = dp_zmalloc((size_t)max_flows * 2 * sizeof(*t->cold), -1);
	t->rare = dp_zmalloc((size_t)max_flows * sizeof(*t->rare), -1);
	t->by_id = dp_zmalloc((size_t)max_flows * sizeof(*t->by_id), -1);
	t->busy = dp_zmalloc(max_flows, -1);
	t->free_ids = dp_zmalloc((size_t)max_flows * sizeof(uint32_t), -1);
	/* One item per id, and while MOD_BACKs finish, the SPAREs they queue. */
	t->pending = dp_zmalloc((size_t)max_flows * 2 * sizeof(*t->pending), -1);
	if (!t->entries || !t->spare || !t->cold || !t->rare || !t->by_id || !t->busy ||
	    !t->free_ids || !t->pending)
		goto nomem;
	/* The stack pops from the end: hand out low ids first. */
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
	dp_free(t->entries);
	dp_free(t->spare);
	dp_free(t->cold);
	dp_free(t->rare);
	dp_free(t->by_id);
	dp_free(t->busy);
	dp_free(t->free_ids);
	dp_free(t->pending);
	dp_free(t);
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

static void
pend(struct flow_table *t, uint32_t id, uint8_t what, uint8_t parity)
{
	t->pending[t->n_pending].id = id;
	t->pending[t->n_pending].what = what;
	t->pending[t->n_pending].parity = parity;
	t->n_pending++;
}

static struct flow *
slot_of(struct flow_table *t, uint32_t id, uint8_t parity)
{
	return parity ? &t->spare[id] : &t->entries[id].cfg;
}

/* Write cfg slot `parity` of id: the caller made sure no reader sees it. */
static struct flow *
fill(struct flow_table *t, uint16_t addr_idx, uint32_t id, uint8_t parity, const struct flow *f,
     const struct flow_cold *cold)
{
	struct flow *dst = slot_of(t, id, parity);

	*dst = *f;
	dst->id = id;
	dst->parity = parity;
	dst->addr_idx = (uint8_t)addr_idx;
	t->cold[2 * (size_t)id + parity] = *cold;
	return dst;
}

/* Point every slot of old's key(s) at nf (same rtp_port) and by_id too. */
static void
republish(struct flow_table *t, uint16_t addr_idx, const struct flow *old, struct flow *nf)
{
	if (has_companion(nf))
		slot_publish(t, addr_idx, nf->rtcp_port, nf);
	slot_publish(t, addr_idx, nf->rtp_port, nf);
	if (has_companion(old) && !(has_companion(nf) && nf->rtcp_port == old->rtcp_port))
		slot_publish(t, addr_idx, old->rtcp_port, NULL);
	t->by_id[nf->id] = nf;
}

int
flow_table_add(struct flow_table *t, uint16_t addr_idx, const struct flow *f,
	       const struct flow_cold *cold)
{
	struct flow *dst;
	uint32_t id;

	if (addr_idx >= t->n_addrs)
		return -EINVAL;
	if (flow_table_get(t, addr_idx, f->rtp_port) != NULL)
		return -EEXIST;
	if (has_companion(f) && flow_table_get(t, addr_idx, f->rtcp_port) != NULL)
		return -EEXIST;
	if (t->n_free_ids == 0)
		return -ENOSPC;
	id = t->free_ids[--t->n_free_ids];
	/* A free id's state was zeroed when it was freed (or at creation). */
	dst = fill(t, addr_idx, id, 0, f, cold);
	if (has_companion(dst))
		slot_publish(t, addr_idx, dst->rtcp_port, dst);
	slot_publish(t, addr_idx, dst->rtp_port, dst);
	t->by_id[id] = dst;
	t->n_flows++;
	return 0;
}

int
flow_table_mod(struct flow_table *t, uint16_t addr_idx, const struct flow *nf,
	       const struct flow_cold *cold)
{
	struct flow *old = flow_table_get(t, addr_idx, nf->rtp_port);
	struct flow_cold c;
	struct flow *other;
	uint32_t id;

	if (old == NULL || old->rtp_port != nf->rtp_port)
		return -ENOENT;
	if (has_companion(nf)) {
		other = flow_table_get(t, addr_idx, nf->rtcp_port);
		if (other != NULL && other != old)
			return -EEXIST;
	}
	id = old->id;
	/* The spare may still be published or read since an earlier MOD. */
	while (t->busy[id]) {
		flow_table_sync(t);
		old = t->by_id[id];
	}
	c = *cold;
	c.added_tsc = flow_table_cold(t, old)->added_tsc;
	republish(t, addr_idx, old, fill(t, addr_idx, id, 1, nf, &c));
	t->busy[id] = SPARE_PUBLISHED;
	pend(t, id, PENDING_MOD_BACK, 0);
	/* The old primary keeps its next hop until it is overwritten. */
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
	/* A MOD_BACK or SPARE item of this id finds by_id NULL and stops. */
	pend(t, f->id, PENDING_DEL, f->parity);
	return 0;
}

/* After a grace period: finish one pending item; may queue another. */
static void
finish(struct flow_table *t, const struct flow_pending *p)
{
	struct flow_entry *e = &t->entries[p->id];
	struct flow *spare = &t->spare[p->id];
	struct flow *cur = t->by_id[p->id];

	switch (p->what) {
	case PENDING_DEL:
		/* The primary's next hop, and the spare's while it was
		 * published (then the primary still held the pre-MOD one). */
		nexthop_put(e->cfg.nh);
		e->cfg.nh = NULL;
		if (t->busy[p->id] == SPARE_PUBLISHED)
			nexthop_put(spare->nh);
		t->busy[p->id] = SPARE_FREE;
		memset(&e->state, 0, sizeof(e->state));
		memset(&t->rare[p->id], 0, sizeof(t->rare[p->id]));
		t->free_ids[t->n_free_ids++] = p->id;
		break;
	case PENDING_MOD_BACK:
		if (cur == NULL || cur != spare)
			break; /* deleted meanwhile: PENDING_DEL cleans up */
		/* No reader holds the primary now: overwrite it with the
		 * spare (whose next-hop reference it takes over) and publish
		 * it. The spare stays untouched: readers may still use it
		 * until the next grace period. */
		nexthop_put(e->cfg.nh);
		t->cold[2 * (size_t)p->id] = t->cold[2 * (size_t)p->id + 1];
		e->cfg = *spare;
		e->cfg.parity = 0;
		t->busy[p->id] = SPARE_RETIRING;
		republish(t, spare->addr_idx, spare, &e->cfg);
		pend(t, p->id, PENDING_SPARE, 1);
		break;
	case PENDING_SPARE:
		if (t->busy[p->id] == SPARE_RETIRING)
			t->busy[p->id] = SPARE_FREE;
		break;
	}
}

void
flow_table_sync(struct flow_table *t)
{
	/* MOD_BACK queues SPARE: a MOD batch takes two grace periods. */
	while (t->n_pending > 0) {
		uint32_t n = t->n_pending;

		if (t->rcu != NULL)
			rte_rcu_qsbr_synchronize(t->rcu, RTE_QSBR_THRID_INVALID);
		/* Items finished now may append new ones after n. */
		for (uint32_t i = 0; i < n; i++)
			finish(t, &t->pending[i]);
		memmove(t->pending, t->pending + n, (t->n_pending - n) * sizeof(*t->pending));
		t->n_pending -= n;
	}
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
