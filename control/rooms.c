/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rooms: see rooms.h. A linked list: rooms are few next to calls (a room
 * is looked up once per join and leave).
 */
#include <errno.h>
#include <stdlib.h>

#include "rooms.h"

struct rooms {
	struct room *rooms;
	unsigned int n_rooms;
};

struct rooms *
rooms_create(void)
{
	return calloc(1, sizeof(struct rooms));
}

void
rooms_destroy(struct rooms *rs)
{
	if (!rs)
		return;
	while (rs->rooms)
		rooms_del(rs, rs->rooms);
	free(rs);
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

	for (pp = &rs->rooms; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			rs->n_rooms--;
			break;
		}
	}
	free(r);
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
