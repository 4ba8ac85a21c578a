/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rooms: rtpgw-control's record of the conference rooms it created in the
 * dataplane and their participants (one per SIP call, keyed by Call-ID),
 * and the media port allocator (even RTP ports from the configured range,
 * the odd port above each one for RTCP). Plain libc; the SIP side installs
 * and removes the dataplane state, this module only remembers it so that
 * BYE finds the flow and the HTTP side can list it.
 */
#ifndef ROOMS_H
#define ROOMS_H

#include <stdbool.h>
#include <stdint.h>

#define ROOMS_CALLID_MAX 128
#define ROOMS_IP_MAX	 46

struct room_part {
	struct room_part *next;
	char callid[ROOMS_CALLID_MAX];
	uint16_t local_port;	    /* ours, even */
	char peer_ip[ROOMS_IP_MAX]; /* the caller's SDP connection address */
	uint16_t peer_port;
	uint8_t pt;	      /* 0 PCMU or 8 PCMA */
	uint32_t invite_cseq; /* of the INVITE that joined: its retransmissions get 200 again */
};

struct room {
	struct room *next;
	uint32_t id; /* the conference id in the dataplane */
	unsigned int n_parts;
	struct room_part *parts;
};

struct rooms;

/* Port range lo..hi, both even. NULL with errno on failure. */
struct rooms *rooms_create(uint16_t port_lo, uint16_t port_hi);
void rooms_destroy(struct rooms *rs);

/* Lowest free even port, marked used; 0 when the range is exhausted. */
uint16_t rooms_port_alloc(struct rooms *rs);
void rooms_port_free(struct rooms *rs, uint16_t port);

struct room *rooms_lookup(struct rooms *rs, uint32_t id);
/* Add an empty room (the caller created it in the dataplane). */
struct room *rooms_add(struct rooms *rs, uint32_t id);
/* Remove an empty or full room; its participants' ports are freed. */
void rooms_del(struct rooms *rs, struct room *r);

/* Record a participant (copied). 0 or -ENOMEM. */
int rooms_part_add(struct room *r, const struct room_part *p);
/* Find a participant by Call-ID in any room. */
struct room_part *rooms_part_lookup(struct rooms *rs, const char *callid, struct room **roomp);
/* Remove and free a participant (its port is freed). */
void rooms_part_del(struct rooms *rs, struct room *r, struct room_part *p);

/* The first room, for iteration with room->next. */
struct room *rooms_first(struct rooms *rs);
unsigned int rooms_count(const struct rooms *rs);

#endif /* ROOMS_H */
