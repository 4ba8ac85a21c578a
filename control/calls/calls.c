/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * calls: see calls.h. Two chained hash tables of power-of-two size (by id,
 * by Call-ID with FNV-1a) and a doubly linked list for iteration.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"

struct calls {
	struct call **by_id;
	struct call_leg **by_callid;
	unsigned int mask;
	struct call *list;
	unsigned int n;
	uint32_t next_id;
	uint64_t started;
	uint64_t ended;
};

static uint32_t
hash_str(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 16777619u;
	}
	return h;
}

struct calls *
calls_create(unsigned int hash_size)
{
	struct calls *cs;
	unsigned int n = 16;

	while (n < hash_size && n < (1u << 24))
		n <<= 1;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	cs->by_id = calloc(n, sizeof(*cs->by_id));
	cs->by_callid = calloc(n, sizeof(*cs->by_callid));
	if (!cs->by_id || !cs->by_callid) {
		free(cs->by_id);
		free(cs->by_callid);
		free(cs);
		errno = ENOMEM;
		return NULL;
	}
	cs->mask = n - 1;
	cs->next_id = 1;
	return cs;
}

void
calls_destroy(struct calls *cs)
{
	if (!cs)
		return;
	while (cs->list)
		calls_del(cs, cs->list);
	free(cs->by_id);
	free(cs->by_callid);
	free(cs);
}

struct call *
calls_find(const struct calls *cs, uint32_t id)
{
	struct call *c;

	for (c = cs->by_id[id & cs->mask]; c; c = c->hnext)
		if (c->id == id)
			return c;
	return NULL;
}

struct call *
calls_add(struct calls *cs, uint8_t kind, unsigned int n_legs, uint32_t id)
{
	struct call *c;
	unsigned int i;

	if (n_legs < 1 || n_legs > 2 || id >= (1u << 31)) {
		errno = EINVAL;
		return NULL;
	}
	if (id != 0 && calls_find(cs, id)) {
		errno = EEXIST;
		return NULL;
	}
	if (id == 0) {
		do {
			id = cs->next_id++;
			if (cs->next_id >= (1u << 31))
				cs->next_id = 1;
		} while (calls_find(cs, id));
	} else if (id >= cs->next_id) {
		cs->next_id = id + 1 < (1u << 31) ? id + 1 : 1;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->id = id;
	c->kind = kind;
	c->n_legs = n_legs;
	for (i = 0; i < 2; i++)
		c->leg[i].call = c;
	c->hnext = cs->by_id[id & cs->mask];
	cs->by_id[id & cs->mask] = c;
	c->next = cs->list;
	if (cs->list)
		cs->list->prev = c;
	cs->list = c;
	cs->n++;
	cs->started++;
	return c;
}

static void
callid_unlink(struct calls *cs, struct call_leg *leg)
{
	struct call_leg **pp;

	if (leg->dlg.callid[0] == '\0')
		return;
	pp = &cs->by_callid[hash_str(leg->dlg.callid, strlen(leg->dlg.callid)) & cs->mask];
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == leg) {
			*pp = leg->hnext;
			break;
		}
	}
	leg->hnext = NULL;
}

int
calls_set_callid(struct calls *cs, struct call_leg *leg, const char *callid)
{
	size_t len = strlen(callid);
	uint32_t b;

	if (len == 0 || len >= sizeof(leg->dlg.callid))
		return -EINVAL;
	if (calls_find_callid(cs, callid, len))
		return -EEXIST;
	callid_unlink(cs, leg);
	memcpy(leg->dlg.callid, callid, len + 1);
	b = hash_str(callid, len) & cs->mask;
	leg->hnext = cs->by_callid[b];
	cs->by_callid[b] = leg;
	return 0;
}

struct call_leg *
calls_find_callid(const struct calls *cs, const char *callid, size_t len)
{
	struct call_leg *l;

	for (l = cs->by_callid[hash_str(callid, len) & cs->mask]; l; l = l->hnext)
		if (strlen(l->dlg.callid) == len && memcmp(l->dlg.callid, callid, len) == 0)
			return l;
	return NULL;
}

void
calls_del(struct calls *cs, struct call *c)
{
	struct call **pp;
	unsigned int i;

	for (i = 0; i < 2; i++)
		callid_unlink(cs, &c->leg[i]);
	for (pp = &cs->by_id[c->id & cs->mask]; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		cs->list = c->next;
	if (c->next)
		c->next->prev = c->prev;
	cs->n--;
	free(c);
}

struct call *
calls_first(const struct calls *cs)
{
	return cs->list;
}

unsigned int
calls_count(const struct calls *cs)
{
	return cs->n;
}

void
calls_count_ended(struct calls *cs)
{
	cs->ended++;
}

void
calls_counts(const struct calls *cs, struct calls_counts *cnt)
{
	const struct call *c;

	memset(cnt, 0, sizeof(*cnt));
	for (c = cs->list; c; c = c->next) {
		if (c->state == CALL_ACTIVE && c->kind == CALL_ROOM)
			cnt->active_room++;
		else if (c->state == CALL_ACTIVE && c->kind == CALL_NG)
			cnt->active_ng++;
		else if (c->state == CALL_ACTIVE)
			cnt->active_relay++;
		else if (c->state == CALL_EARLY || c->state == CALL_NEW)
			cnt->early++;
	}
	cnt->started = cs->started;
	cnt->ended = cs->ended;
}

const char *
call_state_name(uint8_t state)
{
	static const char *const names[] = {"new", "early", "active", "ended"};

	return state < 4 ? names[state] : "?";
}

const char *
call_dir_name(uint8_t dir)
{
	static const char *const names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

	return dir < 4 ? names[dir] : "?";
}
