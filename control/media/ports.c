/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Media port allocator with quarantine: see ports.h.
 *
 * One slot a port, indexed by (port - lo) / 2, holds the port's state and
 * its links in one of two intrusive doubly linked lists: the free FIFO
 * (allocation pops the head, ports join the tail) or the quarantine FIFO
 * (released ports join the tail with the time their quarantine ends; since
 * release times only grow, the head is always the first to come out). A
 * port is in at most one list, so one pair of links is enough, and being
 * doubly linked lets ports_reserve unlink a free or quarantined port from
 * the middle of its list in O(1), with no lazy skipping later.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "ports.h"

#define NIL UINT32_MAX

enum port_state {
	PORT_FREE,
	PORT_IN_USE,
	PORT_QUARANTINED,
};

struct port_slot {
	uint32_t prev, next; /* links in the free or the quarantine list */
	uint64_t free_at;    /* quarantined: allocatable from this time on */
	uint8_t state;	     /* enum port_state */
};

struct port_list {
	uint32_t head, tail;
	uint32_t count;
};

struct ports {
	uint16_t lo;
	uint32_t n;
	uint64_t quarantine_ms;
	struct port_list free_list;
	struct port_list quarantine;
	uint32_t in_use;
	uint64_t allocs, frees, exhausted, bad_frees;
	struct port_slot slot[];
};

static void
list_push_tail(struct ports *p, struct port_list *l, uint32_t i)
{
	p->slot[i].prev = l->tail;
	p->slot[i].next = NIL;
	if (l->tail != NIL)
		p->slot[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
	l->count++;
}

static void
list_unlink(struct ports *p, struct port_list *l, uint32_t i)
{
	struct port_slot *s = &p->slot[i];

	if (s->prev != NIL)
		p->slot[s->prev].next = s->next;
	else
		l->head = s->next;
	if (s->next != NIL)
		p->slot[s->next].prev = s->prev;
	else
		l->tail = s->prev;
	s->prev = NIL;
	s->next = NIL;
	l->count--;
}

/* Move the ports whose quarantine is over to the tail of the free FIFO. */
static void
quarantine_expire(struct ports *p, uint64_t now_ms)
{
	uint32_t i;

	while ((i = p->quarantine.head) != NIL && p->slot[i].free_at <= now_ms) {
		list_unlink(p, &p->quarantine, i);
		p->slot[i].state = PORT_FREE;
		list_push_tail(p, &p->free_list, i);
	}
}

/* Slot index of port, or NIL when it is odd or out of the range. */
static uint32_t
port_index(const struct ports *p, uint16_t port)
{
	uint32_t off;

	if (port % 2 || port < p->lo)
		return NIL;
	off = (uint32_t)(port - p->lo) / 2;
	return off < p->n ? off : NIL;
}

struct ports *
ports_create(uint16_t lo, uint16_t hi, uint32_t quarantine_ms)
{
	struct ports *p;
	uint32_t i, n;

	if (lo == 0 || lo % 2 || hi % 2 || lo > hi) {
		errno = EINVAL;
		return NULL;
	}
	n = (uint32_t)(hi - lo) / 2 + 1;
	p = calloc(1, sizeof(*p) + (size_t)n * sizeof(p->slot[0]));
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	p->lo = lo;
	p->n = n;
	p->quarantine_ms = quarantine_ms;
	p->free_list.head = p->free_list.tail = NIL;
	p->quarantine.head = p->quarantine.tail = NIL;
	for (i = 0; i < n; i++) {
		p->slot[i].state = PORT_FREE;
		list_push_tail(p, &p->free_list, i);
	}
	return p;
}

void
ports_destroy(struct ports *p)
{
	free(p);
}

uint16_t
ports_alloc(struct ports *p, uint64_t now_ms)
{
	uint32_t i;

	quarantine_expire(p, now_ms);
	i = p->free_list.head;
	if (i == NIL) {
		p->exhausted++;
		return 0;
	}
	list_unlink(p, &p->free_list, i);
	p->slot[i].state = PORT_IN_USE;
	p->in_use++;
	p->allocs++;
	return (uint16_t)(p->lo + 2 * i);
}

int
ports_reserve(struct ports *p, uint16_t port)
{
	uint32_t i = port_index(p, port);

	if (i == NIL)
		return -ERANGE;
	switch (p->slot[i].state) {
	case PORT_IN_USE:
		return -EBUSY;
	case PORT_FREE:
		list_unlink(p, &p->free_list, i);
		break;
	case PORT_QUARANTINED:
		/* the caller knows the port is its own again: end the wait */
		list_unlink(p, &p->quarantine, i);
		break;
	}
	p->slot[i].state = PORT_IN_USE;
	p->in_use++;
	p->allocs++;
	return 0;
}

void
ports_free(struct ports *p, uint16_t port, uint64_t now_ms)
{
	uint32_t i = port_index(p, port);

	if (i == NIL || p->slot[i].state != PORT_IN_USE) {
		p->bad_frees++;
		return;
	}
	p->in_use--;
	p->frees++;
	if (p->quarantine_ms == 0) {
		p->slot[i].state = PORT_FREE;
		list_push_tail(p, &p->free_list, i);
		return;
	}
	p->slot[i].state = PORT_QUARANTINED;
	p->slot[i].free_at = now_ms + p->quarantine_ms;
	list_push_tail(p, &p->quarantine, i);
}

void
ports_stats(struct ports *p, uint64_t now_ms, struct ports_stats *st)
{
	quarantine_expire(p, now_ms);
	st->total = p->n;
	st->in_use = p->in_use;
	st->quarantined = p->quarantine.count;
	st->free = p->free_list.count;
	st->allocs = p->allocs;
	st->frees = p->frees;
	st->exhausted = p->exhausted;
	st->bad_frees = p->bad_frees;
}
