/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rooms: see rooms.h. Linked lists: a control process holds a few hundred
 * rooms at most for now; a hash arrives with the call table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rooms.h"

struct rooms {
	struct room *rooms;
	unsigned int n_rooms;
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t *used; /* one byte per even port, (port - lo) / 2 */
};

struct rooms *
rooms_create(uint16_t port_lo, uint16_t port_hi)
{
	struct rooms *rs;

	if (port_lo % 2 || port_hi % 2 || port_lo >= port_hi) {
		errno = EINVAL;
		return NULL;
	}
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->port_lo = port_lo;
	rs->port_hi = port_hi;
	rs->used = calloc((size_t)(port_hi - port_lo) / 2 + 1, 1);
	if (!rs->used) {
		free(rs);
		return NULL;
	}
	return rs;
}

void
rooms_destroy(struct rooms *rs)
{
	if (!rs)
		return;
	while (rs->rooms)
		rooms_del(rs, rs->rooms);
	free(rs->used);
	free(rs);
}

uint16_t
rooms_port_alloc(struct rooms *rs)
{
	unsigned int i, n = (unsigned int)(rs->port_hi - rs->port_lo) / 2 + 1;

	for (i = 0; i < n; i++) {
		if (!rs->used[i]) {
			rs->used[i] = 1;
			return (uint16_t)(rs->port_lo + 2 * i);
		}
	}
	return 0;
}

void
rooms_port_free(struct rooms *rs, uint16_t port)
{
	if (port < rs->port_lo || port > rs->port_hi || port % 2)
		return;
	rs->used[(port - rs->port_lo) / 2] = 0;
}

struct room *
rooms_lookup(struct rooms *rs, uint32_t id)
{
	struct room *r;

	for (r = rs->rooms; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

struct room *
rooms_add(struct rooms *rs, uint32_t id)
{
	struct room *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->id = id;
	r->next = rs->rooms;
	rs->rooms = r;
	rs->n_rooms++;
	return r;
}

void
rooms_del(struct rooms *rs, struct room *r)
{
	struct room **pp;

	while (r->parts)
		rooms_part_del(rs, r, r->parts);
	for (pp = &rs->rooms; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			rs->n_rooms--;
			break;
		}
	}
	free(r);
}

int
rooms_part_add(struct room *r, const struct room_part *p)
{
	struct room_part *np = malloc(sizeof(*np));

	if (!np)
		return -ENOMEM;
	*np = *p;
	np->next = r->parts;
	r->parts = np;
	r->n_parts++;
	return 0;
}

struct room_part *
rooms_part_lookup(struct rooms *rs, const char *callid, struct room **roomp)
{
	struct room_part *p;
	struct room *r;

	for (r = rs->rooms; r; r = r->next) {
		for (p = r->parts; p; p = p->next) {
			if (strcmp(p->callid, callid) == 0) {
				if (roomp)
					*roomp = r;
				return p;
			}
		}
	}
	return NULL;
}

void
rooms_part_del(struct rooms *rs, struct room *r, struct room_part *p)
{
	struct room_part **pp;

	for (pp = &r->parts; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			r->n_parts--;
			break;
		}
	}
	rooms_port_free(rs, p->local_port);
	free(p);
}

struct room *
rooms_first(struct rooms *rs)
{
	return rs->rooms;
}

unsigned int
rooms_count(const struct rooms *rs)
{
	return rs->n_rooms;
}
