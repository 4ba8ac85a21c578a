/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * calls: rtpgw-control's table of calls. A call is either a conference leg
 * (CALL_ROOM: one SIP dialog, one participant of a room's mixer) or a
 * relayed call (CALL_RELAY: a B2BUA with two dialogs, leg 0 toward the
 * caller, leg 1 toward the callee, and two RELAY flows in the dataplane
 * anchoring the media between them). This module is plain libc: it holds
 * what the SIP layer negotiated and what the dataplane holds for it, so the
 * HTTP API can list it, the statistics can be attached to it, and the call
 * can be persisted (call_store.c) and recovered after a control restart.
 *
 * Lookups: by id (the number in /api/calls/<id> and in flow cookies) and by
 * SIP Call-ID of either leg, both O(1) (chained hashes).
 */
#ifndef CALLS_H
#define CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "../stats/quality.h"

#define CALL_STR_MAX 128
#define CALL_IP_MAX  46

enum call_kind {
	CALL_ROOM = 1,
	CALL_RELAY,
	CALL_NG = 3, /* relayed, driven by the ng protocol (ng/): no SIP dialog */
};

enum call_state {
	CALL_NEW = 0, /* INVITE received, nothing answered yet */
	CALL_EARLY,   /* relayed: the callee sent 18x (early media when with SDP) */
	CALL_ACTIVE,  /* answered */
	CALL_ENDED,   /* torn down; kept until its record is written */
};

/* RFC 4566 6: a stream's direction as its owner declared it. */
enum call_dir {
	CALL_SENDRECV = 0,
	CALL_SENDONLY,
	CALL_RECVONLY,
	CALL_INACTIVE,
};

/* One endpoint's media as its SDP describes it (RFC 4566/3264). */
struct call_media {
	char ip[CALL_IP_MAX]; /* c= where it receives RTP */
	uint16_t port;	      /* m= RTP port */
	uint16_t rtcp_port;   /* a=rtcp (RFC 3605) or port + 1 */
	bool rtcp_mux;	      /* RFC 5761 accepted on this leg */
	uint8_t pt;	      /* the audio codec in use: 0 PCMU or 8 PCMA */
	uint8_t dtmf_pt;      /* RFC 4733 telephone-event PT, 0 = none */
	uint8_t ptime;	      /* ms, 0 = not given (20) */
	uint8_t dir;	      /* enum call_dir */
};

/* A SIP dialog's identity, kept so a recovered call can still end it. */
struct call_dialog {
	char callid[CALL_STR_MAX];
	char local_tag[64];
	char remote_tag[64];
	char local_uri[CALL_STR_MAX];	  /* our From (or To, as UAS) URI */
	char remote_uri[CALL_STR_MAX];	  /* theirs */
	char remote_target[CALL_STR_MAX]; /* their Contact: where in-dialog requests go */
	uint32_t lseq;			  /* our last CSeq in this dialog */
	uint32_t rseq;			  /* theirs (not kept across restarts) */
	bool tcp;			  /* the dialog runs over TCP */
	bool uas;			  /* we answered (the caller's leg) */
};

struct call_leg {
	struct call_dialog dlg;
	uint16_t local_port;   /* ours: the endpoint sends RTP here (0 = none yet) */
	uint32_t ssrc_out;     /* relayed: the SSRC its flow sends with, 0 = not chosen */
	bool has_media;	       /* m is known (offer or answer seen) */
	struct call_media m;   /* the endpoint's */
	struct leg_quality_acc q;
	void *sess;	       /* the SIP layer's session, NULL when recovered */
	struct call_leg *hnext; /* Call-ID hash chain */
	struct call *call;
};

struct call {
	struct call *hnext; /* id hash chain */
	struct call *next;  /* list of all calls, newest first */
	struct call *prev;
	uint32_t id;
	uint8_t kind;  /* enum call_kind */
	uint8_t state; /* enum call_state */
	bool held;     /* a side put the other on hold (sendonly/inactive) */
	bool recovered; /* restored from the state file after a restart */
	bool installed; /* its flows / participant are in the dataplane */
	uint32_t room;	/* CALL_ROOM: the conference id */
	unsigned int n_legs; /* 1 for ROOM, 2 for RELAY */
	struct call_leg leg[2];
	uint32_t route;	    /* CALL_RELAY: index of the route taken */
	uint64_t t_start_ms; /* wall clock, ms since the epoch */
	uint64_t t_answer_ms;
	uint64_t t_end_ms;
	uint64_t media_packets;	 /* sum over its flows at the last poll */
	uint64_t media_prev;	 /* the sum before */
	uint64_t media_seen_ms;	 /* monotonic ms when media_packets last grew */
	char end_reason[48];	 /* "bye-caller", "media-timeout", ... */
	void *sip;		 /* the SIP layer's state, NULL when recovered */
};

struct calls;

struct calls *calls_create(unsigned int hash_size);
/* Free every call (no SIP or dataplane action). */
void calls_destroy(struct calls *cs);

/*
 * A new call of kind with n_legs legs and the next free id (ids start at 1
 * and wrap below 2^31), or id itself when id != 0 (recovery; -EEXIST if
 * taken). NULL with errno.
 */
struct call *calls_add(struct calls *cs, uint8_t kind, unsigned int n_legs, uint32_t id);
/* Set a leg's Call-ID (indexes it); 0 or -EEXIST when another leg has it. */
int calls_set_callid(struct calls *cs, struct call_leg *leg, const char *callid);
/* Unlink and free. */
void calls_del(struct calls *cs, struct call *c);

struct call *calls_find(const struct calls *cs, uint32_t id);
/* The leg whose dialog has this Call-ID, or NULL. */
struct call_leg *calls_find_callid(const struct calls *cs, const char *callid, size_t len);

/* Newest first; iterate with c->next. */
struct call *calls_first(const struct calls *cs);
unsigned int calls_count(const struct calls *cs);

/* Calls per state and kind, for /metrics. */
struct calls_counts {
	unsigned int active_room;
	unsigned int active_relay;
	unsigned int active_ng;
	unsigned int early;
	uint64_t started;
	uint64_t ended;
};
void calls_counts(const struct calls *cs, struct calls_counts *cnt);
void calls_count_ended(struct calls *cs);

/* Flow cookie of a call's leg (echoed by the dataplane in events). */
static inline uint64_t
call_cookie(const struct call *c, unsigned int leg)
{
	return ((uint64_t)c->id << 1) | leg;
}

const char *call_state_name(uint8_t state);
const char *call_dir_name(uint8_t dir);

#endif /* CALLS_H */
