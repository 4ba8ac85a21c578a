/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rooms: rtpgw-control's record of the conference rooms it created in the
 * dataplane (created on the first join, deleted after the last leave).
 * The participants are calls (calls/calls.h) of kind CALL_ROOM naming the
 * room; a room only counts them. Plain libc.
 */
#ifndef ROOMS_H
#define ROOMS_H

#include <stdint.h>

struct room {
	struct room *next;
	uint32_t id;	      /* the conference id in the dataplane */
	unsigned int n_parts; /* calls joined */
	uint64_t joins;	      /* since it was created */
};

struct rooms;

/* NULL with errno on failure. */
struct rooms *rooms_create(void);
void rooms_destroy(struct rooms *rs);

struct room *rooms_lookup(struct rooms *rs, uint32_t id);
/* Add an empty room (the caller created it in the dataplane). NULL: ENOMEM. */
struct room *rooms_add(struct rooms *rs, uint32_t id);
/* Remove and free a room. */
void rooms_del(struct rooms *rs, struct room *r);

/* The first room, for iteration with room->next. */
struct room *rooms_first(struct rooms *rs);
unsigned int rooms_count(const struct rooms *rs);

#endif /* ROOMS_H */
