/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/flow/flow_table.c without EAL: the table lives
 * on the libc heap (dp_mem_use_eal(false), the default) and has no RCU
 * readers (rcu NULL), so flow_table_sync finishes at once. Flows are
 * filled by hand as flow_spec_resolve would (ports in network order,
 * rtcp_port = rtp_port + 1 for COMPANION, one next-hop reference taken).
 * Covered: lookup after add, del and mod; slot conflicts on the RTP and
 * companion ports; the id and state life cycle (nothing reused before the
 * grace period, state zeroed after it, kept across mod); MOD's spare slot
 * and its copy back; next-hop references handed to the table and dropped
 * after the grace period; id exhaustion; iteration order; and, with a
 * real RCU variable and a reader thread acting as a worker, that no
 * reader ever sees a published flow change under it while MODs, DELs and
 * ADDs go on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "flow/flow_table.h"
#include "flow/nexthop.h"

/* A flow at port (host order) as flow_spec_resolve makes it: with a next
 * hop, it takes a reference. peer_port tells versions apart in MOD tests. */
static struct flow
flow_at(uint16_t port, uint8_t rtcp_mode, struct nexthop *nh, uint16_t peer_port)
{
	struct flow f;

	memset(&f, 0, sizeof(f));
	f.action = nh != NULL ? RTPGW_FLOW_RELAY : RTPGW_FLOW_DROP;
	f.src_mode = RTPGW_SRC_ANY;
	f.rtcp_mode = rtcp_mode;
	f.rtp_port = htons(port);
	f.rtcp_port = rtcp_mode == RTPGW_RTCP_COMPANION ? htons((uint16_t)(port + 1)) : htons(port);
	f.peer_port = htons(peer_port);
	f.nh = nh;
	if (nh != NULL)
		nh->refcnt++;
	return f;
}

static struct flow_cold
cold_of(uint16_t port, uint64_t cookie)
{
	struct flow_cold c;

	memset(&c, 0, sizeof(c));
	for (unsigned int i = 0; i < 128; i++)
		c.pt_map[i] = (uint8_t)i;
	c.spec.local_port = htons(port);
	c.spec.cookie = cookie;
	c.added_tsc = 1000 + port;
	return c;
}

static struct flow *
get(const struct flow_table *t, uint16_t addr_idx, uint16_t port)
{
	return flow_table_get(t, addr_idx, htons(port));
}

/* Add a DROP flow at (addr_idx, port); returns the installed flow. */
static struct flow *
add(struct flow_table *t, uint16_t addr_idx, uint16_t port, uint8_t rtcp_mode)
{
	struct flow f = flow_at(port, rtcp_mode, NULL, 0);
	struct flow_cold c = cold_of(port, port);

	assert_int_equal(flow_table_add(t, addr_idx, &f, &c), 0);
	assert_non_null(get(t, addr_idx, port));
	return get(t, addr_idx, port);
}

static int
mod(struct flow_table *t, uint16_t addr_idx, uint16_t port, uint8_t rtcp_mode, uint16_t version)
{
	struct flow f = flow_at(port, rtcp_mode, NULL, version);
	struct flow_cold c = cold_of(port, version);

	return flow_table_mod(t, addr_idx, &f, &c);
}

static bool
is_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i] != 0)
			return false;
	return true;
}

static void
create_rejects_bad_sizes(void **state)
{
	(void)state;
	errno = 0;
	assert_null(flow_table_create(0, 16, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(flow_table_create(DP_ADDR_MAX + 1, 16, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(flow_table_create(1, 0, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(flow_table_create(1, (1u << 24) + 1, NULL));
	assert_int_equal(errno, EINVAL);
}

static void
new_table_is_empty(void **state)
{
	struct flow_table *t = flow_table_create(2, 8, NULL);
	uint32_t cursor = 0;
	uint16_t ai = 0xffff;

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->n_flows, 0);
	assert_int_equal(t->n_free_ids, 8);
	assert_null(get(t, 0, 10000));
	assert_null(get(t, 1, 10000));
	assert_null(flow_table_next(t, &cursor, &ai));
	for (uint32_t id = 0; id < 8; id++) {
		assert_null(flow_table_by_id(t, id));
		assert_true(is_zero(&t->entries[id].state, sizeof(t->entries[id].state)));
		assert_true(is_zero(&t->rare[id], sizeof(t->rare[id])));
	}
	assert_null(flow_table_by_id(t, 8));
	flow_table_destroy(t);
}

static void
lookup_after_add_hits(void **state)
{
	struct flow_table *t = flow_table_create(2, 8, NULL);
	struct flow f = flow_at(10000, RTPGW_RTCP_NONE, NULL, 40000);
	struct flow_cold c = cold_of(10000, 0xabc);
	struct flow *got;

	(void)state;
	assert_non_null(t);
	assert_int_equal(flow_table_add(t, 1, &f, &c), 0);
	got = get(t, 1, 10000);
	assert_non_null(got);
	/* The table holds a copy in the id's primary slot. */
	assert_ptr_not_equal(got, &f);
	assert_true(got->id < 8);
	assert_ptr_equal(got, &t->entries[got->id].cfg);
	assert_int_equal(got->parity, 0);
	assert_int_equal(got->addr_idx, 1);
	assert_int_equal(got->peer_port, htons(40000));
	assert_ptr_equal(flow_table_by_id(t, got->id), got);
	assert_int_equal(flow_table_cold(t, got)->spec.cookie, 0xabc);
	assert_int_equal(flow_table_cold(t, got)->added_tsc, c.added_tsc);
	assert_int_equal(t->n_flows, 1);
	/* Changing the caller's copy changes nothing installed. */
	f.peer_port = htons(1);
	c.spec.cookie = 1;
	assert_int_equal(got->peer_port, htons(40000));
	assert_int_equal(flow_table_cold(t, got)->spec.cookie, 0xabc);
	/* The key is (address, port): neighbours and the other address miss. */
	assert_null(get(t, 0, 10000));
	assert_null(get(t, 1, 10001));
	assert_null(get(t, 1, 9999));
	/* An address index beyond the table misses instead of reading past. */
	assert_null(flow_table_get(t, 2, htons(10000)));
	assert_null(flow_table_get(t, DP_ADDR_MAX, htons(10000)));
	flow_table_destroy(t);
}

static void
add_bad_addr_index_is_einval(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct nexthop nh = {.ip = 1};
	struct flow f = flow_at(10000, RTPGW_RTCP_NONE, &nh, 40000);
	struct flow_cold c = cold_of(10000, 1);

	(void)state;
	assert_non_null(t);
	assert_int_equal(flow_table_add(t, 1, &f, &c), -EINVAL);
	/* Nothing taken: no id, and the reference is still the caller's. */
	assert_int_equal(t->n_flows, 0);
	assert_int_equal(t->n_free_ids, 8);
	assert_int_equal(t->n_pending, 0);
	flow_table_sync(t);
	assert_int_equal(nh.refcnt, 1);
	flow_table_destroy(t);
}

static void
lookup_after_del_misses(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow *f;
	uint32_t id;

	(void)state;
	assert_non_null(t);
	f = add(t, 0, 10000, RTPGW_RTCP_NONE);
	id = f->id;
	assert_int_equal(flow_table_del(t, 0, htons(10000)), 0);
	/* Unlinked at once, before the grace period. */
	assert_null(get(t, 0, 10000));
	assert_null(flow_table_by_id(t, id));
	assert_int_equal(t->n_flows, 0);
	flow_table_sync(t);
	assert_null(get(t, 0, 10000));
	assert_int_equal(t->n_pending, 0);
	flow_table_destroy(t);
}

static void
del_missing_is_enoent(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);

	(void)state;
	assert_non_null(t);
	assert_int_equal(flow_table_del(t, 0, htons(10000)), -ENOENT);
	add(t, 0, 10000, RTPGW_RTCP_NONE);
	assert_int_equal(flow_table_del(t, 0, htons(10000)), 0);
	assert_int_equal(flow_table_del(t, 0, htons(10000)), -ENOENT);
	assert_int_equal(flow_table_del(t, 1, htons(10000)), -ENOENT);
	assert_int_equal(t->n_pending, 1);
	flow_table_sync(t);
	flow_table_destroy(t);
}

static void
add_existing_key_is_eexist(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow g = flow_at(10000, RTPGW_RTCP_NONE, NULL, 2);
	struct flow_cold c = cold_of(10000, 2);
	struct flow *f;

	(void)state;
	assert_non_null(t);
	f = add(t, 0, 10000, RTPGW_RTCP_NONE);
	assert_int_equal(flow_table_add(t, 0, &g, &c), -EEXIST);
	/* Nothing changed and no id was consumed. */
	assert_ptr_equal(get(t, 0, 10000), f);
	assert_int_equal(f->peer_port, 0);
	assert_int_equal(flow_table_cold(t, f)->spec.cookie, 10000);
	assert_int_equal(t->n_flows, 1);
	assert_int_equal(t->n_free_ids, 7);
	flow_table_destroy(t);
}

static void
companion_takes_port_plus_one(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow *f;

	(void)state;
	assert_non_null(t);
	f = add(t, 0, 10000, RTPGW_RTCP_COMPANION);
	assert_ptr_equal(get(t, 0, 10001), f);
	assert_null(get(t, 0, 10002));
	assert_null(get(t, 0, 9999));
	/* One flow, one id, whatever the number of slots. */
	assert_int_equal(t->n_flows, 1);
	assert_int_equal(t->n_free_ids, 7);
	/* MUX shares the RTP port: one slot only. */
	f = add(t, 0, 20000, RTPGW_RTCP_MUX);
	assert_null(get(t, 0, 20001));
	flow_table_destroy(t);
}

static void
companion_slot_conflict_is_eexist(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow b = flow_at(10000, RTPGW_RTCP_COMPANION, NULL, 0);
	struct flow_cold c = cold_of(10000, 0);
	struct flow *a, *x;

	(void)state;
	assert_non_null(t);
	/* A flow at 10001 blocks a companion flow at 10000... */
	a = add(t, 0, 10001, RTPGW_RTCP_NONE);
	assert_int_equal(flow_table_add(t, 0, &b, &c), -EEXIST);
	/* ...and nothing of it was published, not even its free RTP slot. */
	assert_null(get(t, 0, 10000));
	assert_ptr_equal(get(t, 0, 10001), a);
	/* A companion at 20000 blocks a flow at 20001... */
	x = add(t, 0, 20000, RTPGW_RTCP_COMPANION);
	b = flow_at(20001, RTPGW_RTCP_NONE, NULL, 0);
	assert_int_equal(flow_table_add(t, 0, &b, &c), -EEXIST);
	assert_ptr_equal(get(t, 0, 20001), x);
	/* ...and a companion at 19999, whose RTCP port is x's RTP port. */
	b = flow_at(19999, RTPGW_RTCP_COMPANION, NULL, 0);
	assert_int_equal(flow_table_add(t, 0, &b, &c), -EEXIST);
	assert_null(get(t, 0, 19999));
	assert_ptr_equal(get(t, 0, 20000), x);
	assert_int_equal(t->n_flows, 2);
	assert_int_equal(t->n_free_ids, 6);
	flow_table_destroy(t);
}

static void
del_by_companion_port_is_enoent(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow *f;

	(void)state;
	assert_non_null(t);
	f = add(t, 0, 10000, RTPGW_RTCP_COMPANION);
	assert_int_equal(flow_table_del(t, 0, htons(10001)), -ENOENT);
	assert_ptr_equal(get(t, 0, 10000), f);
	assert_ptr_equal(get(t, 0, 10001), f);
	assert_int_equal(t->n_flows, 1);
	/* Deleting by the RTP port frees both slots. */
	assert_int_equal(flow_table_del(t, 0, htons(10000)), 0);
	assert_null(get(t, 0, 10000));
	assert_null(get(t, 0, 10001));
	flow_table_sync(t);
	flow_table_destroy(t);
}

static void
mod_keeps_id_and_state(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow *f;
	uint32_t id;
	uint64_t added;

	(void)state;
	assert_non_null(t);
	f = add(t, 0, 10000, RTPGW_RTCP_NONE);
	id = f->id;
	added = flow_table_cold(t, f)->added_tsc;
	flow_table_state(t, f)->packets = 42;
	flow_table_state(t, f)->ssrc = 0x1234abcd;
	flow_table_rare(t, f)->rtcp_packets = 3;
	assert_int_equal(mod(t, 0, 10000, RTPGW_RTCP_NONE, 2), 0);
	/* Published at once, with the same id, from the spare slot. */
	f = get(t, 0, 10000);
	assert_int_equal(f->peer_port, htons(2));
	assert_int_equal(f->id, id);
	assert_int_equal(f->parity, 1);
	assert_ptr_equal(flow_table_by_id(t, id), f);
	assert_int_equal(flow_table_cold(t, f)->spec.cookie, 2);
	assert_int_equal(flow_table_cold(t, f)->added_tsc, added);
	assert_int_equal(t->n_flows, 1);
	assert_int_equal(t->n_free_ids, 7);
	assert_int_equal(flow_table_state(t, f)->packets, 42);
	/* After the grace period: back in the primary slot, same content. */
	flow_table_sync(t);
	assert_int_equal(t->n_pending, 0);
	f = get(t, 0, 10000);
	assert_ptr_equal(f, &t->entries[id].cfg);
	assert_int_equal(f->parity, 0);
	assert_int_equal(f->id, id);
	assert_int_equal(f->peer_port, htons(2));
	assert_ptr_equal(flow_table_by_id(t, id), f);
	assert_int_equal(flow_table_cold(t, f)->spec.cookie, 2);
	assert_int_equal(flow_table_cold(t, f)->added_tsc, added);
	assert_int_equal(flow_table_state(t, f)->packets, 42);
	assert_int_equal(flow_table_state(t, f)->ssrc, 0x1234abcd);
	assert_int_equal(flow_table_rare(t, f)->rtcp_packets, 3);
	assert_int_equal(t->n_free_ids, 7);
	flow_table_destroy(t);
}

static void
mod_twice_before_sync_applies_both_in_order(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow *f;
	uint32_t id;

	(void)state;
	assert_non_null(t);
	id = add(t, 0, 10000, RTPGW_RTCP_NONE)->id;
	flow_table_state(t, get(t, 0, 10000))->packets = 5;
	assert_int_equal(mod(t, 0, 10000, RTPGW_RTCP_NONE, 2), 0);
	/* The spare is busy: the second MOD waits out the first. */
	assert_int_equal(mod(t, 0, 10000, RTPGW_RTCP_NONE, 3), 0);
	f = get(t, 0, 10000);
	assert_int_equal(f->peer_port, htons(3));
	assert_int_equal(flow_table_cold(t, f)->spec.cookie, 3);
	flow_table_sync(t);
	f = get(t, 0, 10000);
	assert_ptr_equal(f, &t->entries[id].cfg);
	assert_int_equal(f->peer_port, htons(3));
	assert_int_equal(flow_table_cold(t, f)->spec.cookie, 3);
	assert_int_equal(flow_table_state(t, f)->packets, 5);
	assert_int_equal(t->n_pending, 0);
	assert_int_equal(t->busy[id], 0);
	flow_table_destroy(t);
}

static void
mod_missing_is_enoent(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow *f;

	(void)state;
	assert_non_null(t);
	assert_int_equal(mod(t, 0, 10000, RTPGW_RTCP_NONE, 2), -ENOENT);
	assert_null(get(t, 0, 10000));
	/* A companion slot is not a key. */
	f = add(t, 0, 20000, RTPGW_RTCP_COMPANION);
	assert_int_equal(mod(t, 0, 20001, RTPGW_RTCP_NONE, 2), -ENOENT);
	assert_ptr_equal(get(t, 0, 20001), f);
	assert_int_equal(f->rtcp_mode, RTPGW_RTCP_COMPANION);
	assert_int_equal(t->n_pending, 0);
	flow_table_destroy(t);
}

static void
mod_moves_companion_slot(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct flow nf, *f, *other;
	struct flow_cold c = cold_of(10000, 0);
	uint32_t id;

	(void)state;
	assert_non_null(t);
	id = add(t, 0, 10000, RTPGW_RTCP_NONE)->id;
	/* NONE -> COMPANION takes port + 1. */
	assert_int_equal(mod(t, 0, 10000, RTPGW_RTCP_COMPANION, 2), 0);
	assert_ptr_equal(get(t, 0, 10001), get(t, 0, 10000));
	assert_int_equal(get(t, 0, 10001)->peer_port, htons(2));
	flow_table_sync(t);
	/* After the copy back both slots point at the primary. */
	assert_ptr_equal(get(t, 0, 10000), &t->entries[id].cfg);
	assert_ptr_equal(get(t, 0, 10001), &t->entries[id].cfg);
	/* A companion slot elsewhere (the table does not insist on + 1)
	 * moves: the old slot is freed, the new one taken. */
	nf = flow_at(10000, RTPGW_RTCP_COMPANION, NULL, 3);
	nf.rtcp_port = htons(10003);
	assert_int_equal(flow_table_mod(t, 0, &nf, &c), 0);
	assert_null(get(t, 0, 10001));
	assert_ptr_equal(get(t, 0, 10003), get(t, 0, 10000));
	flow_table_sync(t);
	assert_null(get(t, 0, 10001));
	assert_ptr_equal(get(t, 0, 10003), &t->entries[id].cfg);
	/* COMPANION -> NONE frees it (before and after the copy back). */
	assert_int_equal(mod(t, 0, 10000, RTPGW_RTCP_NONE, 4), 0);
	assert_null(get(t, 0, 10003));
	flow_table_sync(t);
	assert_null(get(t, 0, 10001));
	assert_null(get(t, 0, 10003));
	assert_int_equal(get(t, 0, 10000)->peer_port, htons(4));
	/* NONE -> COMPANION onto another flow's port is refused whole. */
	other = add(t, 0, 10001, RTPGW_RTCP_NONE);
	f = get(t, 0, 10000);
	assert_int_equal(mod(t, 0, 10000, RTPGW_RTCP_COMPANION, 5), -EEXIST);
	assert_ptr_equal(get(t, 0, 10000), f);
	assert_ptr_equal(get(t, 0, 10001), other);
	assert_int_equal(f->peer_port, htons(4));
	assert_int_equal(f->id, id);
	assert_int_equal(t->n_flows, 2);
	assert_int_equal(t->n_pending, 0);
	flow_table_destroy(t);
}

static void
del_frees_id_after_sync_only(void **state)
{
	struct flow_table *t = flow_table_create(1, 2, NULL);
	struct flow c = flow_at(10004, RTPGW_RTCP_NONE, NULL, 0);
	struct flow_cold cc = cold_of(10004, 0);
	uint32_t a_id;

	(void)state;
	assert_non_null(t);
	a_id = add(t, 0, 10000, RTPGW_RTCP_NONE)->id;
	add(t, 0, 10002, RTPGW_RTCP_NONE);
	assert_int_equal(flow_table_del(t, 0, htons(10000)), 0);
	/* Workers may still read a and its state: its id is not free yet. */
	assert_int_equal(flow_table_add(t, 0, &c, &cc), -ENOSPC);
	assert_null(get(t, 0, 10004));
	flow_table_sync(t);
	assert_int_equal(flow_table_add(t, 0, &c, &cc), 0);
	assert_int_equal(get(t, 0, 10004)->id, a_id);
	assert_ptr_equal(flow_table_by_id(t, a_id), get(t, 0, 10004));
	flow_table_destroy(t);
}

static void
state_reset_after_del_and_sync(void **state)
{
	struct flow_table *t = flow_table_create(1, 1, NULL);
	struct flow *f;
	uint32_t id;

	(void)state;
	assert_non_null(t);
	f = add(t, 0, 10000, RTPGW_RTCP_NONE);
	id = f->id;
	memset(flow_table_state(t, f), 0x5a, sizeof(struct flow_state));
	memset(flow_table_rare(t, f), 0x5a, sizeof(struct flow_state_rare));
	assert_int_equal(flow_table_del(t, 0, htons(10000)), 0);
	/* A worker may still be counting into it until the grace period. */
	assert_false(is_zero(&t->entries[id].state, sizeof(struct flow_state)));
	flow_table_sync(t);
	assert_true(is_zero(&t->entries[id].state, sizeof(struct flow_state)));
	assert_true(is_zero(&t->rare[id], sizeof(struct flow_state_rare)));
	/* The next flow with that id starts from zero. */
	f = add(t, 0, 10002, RTPGW_RTCP_NONE);
	assert_int_equal(f->id, id);
	assert_true(is_zero(flow_table_state(t, f), sizeof(struct flow_state)));
	assert_true(is_zero(flow_table_rare(t, f), sizeof(struct flow_state_rare)));
	flow_table_destroy(t);
}

static void
next_hop_references_follow_the_table(void **state)
{
	struct flow_table *t = flow_table_create(1, 8, NULL);
	struct nexthop a = {.ip = 1}, b = {.ip = 2};
	struct flow f = flow_at(10000, RTPGW_RTCP_NONE, &a, 1);
	struct flow_cold c = cold_of(10000, 0);

	(void)state;
	assert_non_null(t);
	assert_int_equal(flow_table_add(t, 0, &f, &c), 0);
	assert_int_equal(a.refcnt, 1);
	/* MOD to another next hop: a is dropped only after the grace
	 * period (workers may still send with it), b is kept. */
	f = flow_at(10000, RTPGW_RTCP_NONE, &b, 2);
	assert_int_equal(flow_table_mod(t, 0, &f, &c), 0);
	assert_int_equal(a.refcnt, 1);
	assert_int_equal(b.refcnt, 1);
	flow_table_sync(t);
	assert_int_equal(a.refcnt, 0);
	assert_int_equal(b.refcnt, 1);
	assert_ptr_equal(get(t, 0, 10000)->nh, &b);
	/* MOD to the same next hop: still one reference. */
	f = flow_at(10000, RTPGW_RTCP_NONE, &b, 3);
	assert_int_equal(flow_table_mod(t, 0, &f, &c), 0);
	flow_table_sync(t);
	assert_int_equal(b.refcnt, 1);
	/* DEL: dropped after the grace period. */
	assert_int_equal(flow_table_del(t, 0, htons(10000)), 0);
	assert_int_equal(b.refcnt, 1);
	flow_table_sync(t);
	assert_int_equal(b.refcnt, 0);
	flow_table_destroy(t);
}

static void
del_after_mod_before_sync_frees_everything(void **state)
{
	struct flow_table *t = flow_table_create(1, 1, NULL);
	struct nexthop a = {.ip = 1}, b = {.ip = 2};
	struct flow f = flow_at(10000, RTPGW_RTCP_COMPANION, &a, 1);
	struct flow_cold c = cold_of(10000, 0);
	uint32_t id;

	(void)state;
	assert_non_null(t);
	assert_int_equal(flow_table_add(t, 0, &f, &c), 0);
	id = get(t, 0, 10000)->id;
	flow_table_state(t, get(t, 0, 10000))->packets = 9;
	f = flow_at(10000, RTPGW_RTCP_COMPANION, &b, 2);
	assert_int_equal(flow_table_mod(t, 0, &f, &c), 0);
	/* Deleted while the spare is published: by the spare's key. */
	assert_int_equal(flow_table_del(t, 0, htons(10000)), 0);
	assert_null(get(t, 0, 10000));
	assert_null(get(t, 0, 10001));
	flow_table_sync(t);
	/* Both slots' references dropped, the id free, its state zeroed,
	 * and nothing republished by the pending copy back. */
	assert_int_equal(a.refcnt, 0);
	assert_int_equal(b.refcnt, 0);
	assert_null(get(t, 0, 10000));
	assert_null(get(t, 0, 10001));
	assert_null(flow_table_by_id(t, id));
	assert_int_equal(t->n_free_ids, 1);
	assert_int_equal(t->n_pending, 0);
	assert_int_equal(t->busy[id], 0);
	assert_true(is_zero(&t->entries[id].state, sizeof(struct flow_state)));
	/* The id serves a new flow, whose own MOD works. */
	f = flow_at(20000, RTPGW_RTCP_NONE, &a, 3);
	assert_int_equal(flow_table_add(t, 0, &f, &c), 0);
	assert_int_equal(get(t, 0, 20000)->id, id);
	f = flow_at(20000, RTPGW_RTCP_NONE, &a, 4);
	assert_int_equal(flow_table_mod(t, 0, &f, &c), 0);
	flow_table_sync(t);
	assert_int_equal(get(t, 0, 20000)->peer_port, htons(4));
	assert_int_equal(a.refcnt, 1);
	flow_table_destroy(t);
}

static void
id_exhaustion_is_enospc(void **state)
{
	struct flow_table *t = flow_table_create(1, 3, NULL);
	struct nexthop nh = {.ip = 1};
	struct flow f = flow_at(20000, RTPGW_RTCP_COMPANION, &nh, 0);
	struct flow_cold c = cold_of(20000, 0);

	(void)state;
	assert_non_null(t);
	for (uint16_t i = 0; i < 3; i++)
		add(t, 0, (uint16_t)(10000 + 2 * i), RTPGW_RTCP_NONE);
	assert_int_equal(flow_table_add(t, 0, &f, &c), -ENOSPC);
	assert_null(get(t, 0, 20000));
	assert_null(get(t, 0, 20001));
	assert_int_equal(t->n_flows, 3);
	/* The reference was not taken over. */
	flow_table_sync(t);
	assert_int_equal(nh.refcnt, 1);
	/* MOD needs no free id. */
	assert_int_equal(mod(t, 0, 10002, RTPGW_RTCP_NONE, 7), 0);
	flow_table_sync(t);
	assert_int_equal(get(t, 0, 10002)->peer_port, htons(7));
	flow_table_destroy(t);
}

static void
table_full_then_del_then_add_succeeds(void **state)
{
	struct flow_table *t = flow_table_create(1, 4, NULL);
	struct flow f = flow_at(20000, RTPGW_RTCP_NONE, NULL, 0);
	struct flow_cold c = cold_of(20000, 0);

	(void)state;
	assert_non_null(t);
	for (uint16_t i = 0; i < 4; i++)
		add(t, 0, (uint16_t)(10000 + i), RTPGW_RTCP_NONE);
	assert_int_equal(flow_table_add(t, 0, &f, &c), -ENOSPC);
	assert_int_equal(flow_table_del(t, 0, htons(10002)), 0);
	flow_table_sync(t);
	assert_int_equal(flow_table_add(t, 0, &f, &c), 0);
	assert_non_null(get(t, 0, 20000));
	assert_int_equal(t->n_flows, 4);
	/* Emptying the table returns every id. */
	for (uint16_t i = 0; i < 4; i++)
		if (i != 2)
			assert_int_equal(flow_table_del(t, 0, htons((uint16_t)(10000 + i))), 0);
	assert_int_equal(flow_table_del(t, 0, htons(20000)), 0);
	flow_table_sync(t);
	assert_int_equal(t->n_flows, 0);
	assert_int_equal(t->n_free_ids, 4);
	assert_int_equal(t->n_pending, 0);
	flow_table_destroy(t);
}

static void
next_iterates_in_key_order_skipping_companions(void **state)
{
	struct flow_table *t = flow_table_create(2, 16, NULL);
	const uint16_t want_ai[6] = {0, 0, 0, 0, 1, 1};
	const uint16_t want_port[6] = {1, 10000, 30000, 65535, 4999, 5000};
	struct flow *f;
	uint32_t cursor = 0;
	uint16_t ai;
	unsigned int n = 0;

	(void)state;
	assert_non_null(t);
	/* Added out of order, across both addresses. */
	add(t, 1, 5000, RTPGW_RTCP_COMPANION);
	add(t, 0, 30000, RTPGW_RTCP_COMPANION);
	add(t, 0, 1, RTPGW_RTCP_NONE);
	add(t, 0, 65535, RTPGW_RTCP_NONE);
	add(t, 0, 10000, RTPGW_RTCP_MUX);
	add(t, 1, 4999, RTPGW_RTCP_NONE);
	/* One of them mid-MOD: its spare is what the slots hold. */
	assert_int_equal(mod(t, 0, 30000, RTPGW_RTCP_COMPANION, 9), 0);
	while ((f = flow_table_next(t, &cursor, &ai)) != NULL) {
		assert_true(n < 6);
		assert_int_equal(ai, want_ai[n]);
		assert_int_equal(ntohs(f->rtp_port), want_port[n]);
		assert_ptr_equal(f, get(t, ai, want_port[n]));
		/* The cursor is just past the key returned. */
		assert_int_equal(cursor, ((uint32_t)ai << 16 | want_port[n]) + 1);
		n++;
	}
	assert_int_equal(n, 6);
	assert_int_equal(cursor, 2u << 16);
	/* Resuming from a companion slot's key skips it. */
	cursor = 30001;
	f = flow_table_next(t, &cursor, &ai);
	assert_non_null(f);
	assert_int_equal(ntohs(f->rtp_port), 65535);
	cursor = 1u << 16 | 5001;
	assert_null(flow_table_next(t, &cursor, &ai));
	/* A cursor beyond the addresses ends at once. */
	cursor = UINT32_MAX;
	assert_null(flow_table_next(t, &cursor, &ai));
	/* Deleted flows disappear from the walk at once. */
	assert_int_equal(flow_table_del(t, 0, htons(30000)), 0);
	cursor = 10001;
	f = flow_table_next(t, &cursor, &ai);
	assert_non_null(f);
	assert_int_equal(ntohs(f->rtp_port), 65535);
	flow_table_sync(t);
	flow_table_destroy(t);
}

/* A worker: loads each slot (acquire), works on the flow for a while,
 * then checks it is still one consistent version: peer_port carries the
 * version, and version v uses next hop v % 2. */
#define RACE_FLOWS  16
#define RACE_BASE   20000
#define RACE_ROUNDS 300

static struct {
	struct flow_table *t;
	struct rte_rcu_qsbr *rcu;
	struct nexthop nh[2];
	int online;
	int stop;
	uint64_t reads;
	uint64_t bad;
} race;

static void *
race_reader(void *arg)
{
	(void)arg;
	rte_rcu_qsbr_thread_register(race.rcu, 0);
	rte_rcu_qsbr_thread_online(race.rcu, 0);
	__atomic_store_n(&race.online, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&race.stop, __ATOMIC_ACQUIRE)) {
		for (uint16_t i = 0; i < RACE_FLOWS; i++) {
			const struct flow *f = __atomic_load_n(&race.t->slots[0][RACE_BASE + 2 * i],
							       __ATOMIC_ACQUIRE);
			uint16_t version;
			const struct nexthop *nh;

			if (f == NULL)
				continue;
			version = ntohs(f->peer_port);
			/* A worker's per-packet work between lookup and use. */
			for (int k = 0; k < 100; k++)
				rte_pause();
			nh = f->nh;
			if (ntohs(f->rtp_port) != RACE_BASE + 2 * i ||
			    nh != &race.nh[version % 2] || ntohs(f->peer_port) != version ||
			    f->action != RTPGW_FLOW_RELAY)
				race.bad++;
			race.reads++;
		}
		rte_rcu_qsbr_quiescent(race.rcu, 0);
	}
	rte_rcu_qsbr_thread_offline(race.rcu, 0);
	rte_rcu_qsbr_thread_unregister(race.rcu, 0);
	return NULL;
}

static void
race_add(uint16_t i, uint16_t version)
{
	struct flow f = flow_at((uint16_t)(RACE_BASE + 2 * i), RTPGW_RTCP_COMPANION,
				&race.nh[version % 2], version);
	struct flow_cold c = cold_of((uint16_t)(RACE_BASE + 2 * i), version);

	assert_int_equal(flow_table_add(race.t, 0, &f, &c), 0);
}

static void
readers_never_see_a_published_flow_change(void **state)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	pthread_t reader;

	(void)state;
	memset(&race, 0, sizeof(race));
	race.rcu = aligned_alloc(RTE_CACHE_LINE_SIZE, RTE_ALIGN_CEIL(sz, RTE_CACHE_LINE_SIZE));
	assert_non_null(race.rcu);
	assert_int_equal(rte_rcu_qsbr_init(race.rcu, 1), 0);
	race.t = flow_table_create(1, 2 * RACE_FLOWS, race.rcu);
	assert_non_null(race.t);
	for (uint16_t i = 0; i < RACE_FLOWS; i++)
		race_add(i, 0);
	assert_int_equal(pthread_create(&reader, NULL, race_reader, NULL), 0);
	/* Grace periods wait only for readers already online. */
	while (!__atomic_load_n(&race.online, __ATOMIC_ACQUIRE))
		rte_pause();
	for (uint16_t v = 1; v <= RACE_ROUNDS; v++) {
		/* Every flow modified to version v (the other next hop)... */
		for (uint16_t i = 0; i < RACE_FLOWS; i++) {
			struct flow f = flow_at((uint16_t)(RACE_BASE + 2 * i), RTPGW_RTCP_COMPANION,
						&race.nh[v % 2], v);
			struct flow_cold c = cold_of((uint16_t)(RACE_BASE + 2 * i), v);

			assert_int_equal(flow_table_mod(race.t, 0, &f, &c), 0);
		}
		/* ...one of them deleted and added again in the same batch,
		 * another modified twice (the second MOD waits out the first). */
		assert_int_equal(flow_table_del(race.t, 0, htons(RACE_BASE + 2 * (v % RACE_FLOWS))),
				 0);
		race_add(v % RACE_FLOWS, v);
		if (v % 3 == 0) {
			uint16_t i = (v / 3) % RACE_FLOWS;
			struct flow f = flow_at((uint16_t)(RACE_BASE + 2 * i), RTPGW_RTCP_COMPANION,
						&race.nh[(v + 2) % 2], (uint16_t)(v + 2));
			struct flow_cold c = cold_of((uint16_t)(RACE_BASE + 2 * i), v);

			if (i != v % RACE_FLOWS)
				assert_int_equal(flow_table_mod(race.t, 0, &f, &c), 0);
			else
				race.nh[(v + 2) % 2].refcnt--; /* not used: give it back */
		}
		flow_table_sync(race.t);
	}
	__atomic_store_n(&race.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(reader, NULL), 0);
	assert_true(race.reads > 0);
	assert_int_equal(race.bad, 0);
	/* Every next-hop reference is accounted for. */
	for (uint16_t i = 0; i < RACE_FLOWS; i++)
		assert_int_equal(flow_table_del(race.t, 0, htons(RACE_BASE + 2 * i)), 0);
	flow_table_sync(race.t);
	assert_int_equal(race.nh[0].refcnt, 0);
	assert_int_equal(race.nh[1].refcnt, 0);
	assert_int_equal(race.t->n_free_ids, 2 * RACE_FLOWS);
	flow_table_destroy(race.t);
	free(race.rcu);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_rejects_bad_sizes),
		cmocka_unit_test(new_table_is_empty),
		cmocka_unit_test(lookup_after_add_hits),
		cmocka_unit_test(add_bad_addr_index_is_einval),
		cmocka_unit_test(lookup_after_del_misses),
		cmocka_unit_test(del_missing_is_enoent),
		cmocka_unit_test(add_existing_key_is_eexist),
		cmocka_unit_test(companion_takes_port_plus_one),
		cmocka_unit_test(companion_slot_conflict_is_eexist),
		cmocka_unit_test(del_by_companion_port_is_enoent),
		cmocka_unit_test(mod_keeps_id_and_state),
		cmocka_unit_test(mod_twice_before_sync_applies_both_in_order),
		cmocka_unit_test(mod_missing_is_enoent),
		cmocka_unit_test(mod_moves_companion_slot),
		cmocka_unit_test(del_frees_id_after_sync_only),
		cmocka_unit_test(state_reset_after_del_and_sync),
		cmocka_unit_test(next_hop_references_follow_the_table),
		cmocka_unit_test(del_after_mod_before_sync_frees_everything),
		cmocka_unit_test(id_exhaustion_is_enospc),
		cmocka_unit_test(table_full_then_del_then_add_succeeds),
		cmocka_unit_test(next_iterates_in_key_order_skipping_companions),
		cmocka_unit_test(readers_never_see_a_published_flow_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
