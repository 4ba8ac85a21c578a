/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng_cmd: the ng commands (docs/NG.md) on the call table: ping, offer,
 * answer, delete, query, list, statistics. One request dictionary in, one
 * reply dictionary out; no socket here (ng.c) and the dataplane behind
 * two callbacks, so the SDP rewriting and the call bookkeeping are tested
 * without either.
 *
 * An ng call (CALL_NG) has two legs: leg 0 is the from-tag side of the
 * first offer, leg 1 the other; each leg's dialog record keeps its tag in
 * remote_tag and leg 0 its Call-ID (indexed). Each leg gets a media port
 * at the offer; the SDP a side receives names the port of its own leg,
 * where it sends (call_dp.h: two crossing RELAY flows). The answer
 * installs the flows and makes the call ACTIVE; a later offer or answer
 * (re-INVITE) replaces them. A failure leaves nothing behind: a new call
 * whose offer fails is dropped with its ports, a failed answer restores
 * the leg as it was.
 */
#ifndef NG_CMD_H
#define NG_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "../calls/calls.h"
#include "bencode.h"

struct ports;

/* The dataplane: install (or replace) and remove a call's two flows;
 * 0 or a negative errno. */
struct ng_dp_ops {
	int (*install)(void *arg, struct call *c, bool replace);
	int (*remove)(void *arg, const struct call *c);
};

typedef void(ng_call_h)(const struct call *c, void *arg);

struct ng_cmd_stats {
	uint64_t requests;
	uint64_t pings;
	uint64_t offers;
	uint64_t answers;
	uint64_t deletes;
	uint64_t queries;
	uint64_t errors;     /* error replies */
	uint64_t load_limit; /* offers refused: session limit */
	uint64_t dp_errors;
	uint64_t setup_timeouts; /* offered, never answered in time */
};

struct ng_cmd {
	struct calls *calls;
	struct ports *ports;
	char media_ip[CALL_IP_MAX];
	uint32_t max_sessions; /* calls held (any kind) before "load limit"; 0 = no limit */
	const struct ng_dp_ops *dp;
	void *dp_arg;
	ng_call_h *ended_h;   /* a call ended (quality log, journal) */
	ng_call_h *changed_h; /* a call was answered or changed (journal) */
	void *hook_arg;
	struct ng_cmd_stats st;
};

/*
 * Execute the request dictionary msg[0..len) and write the reply
 * dictionary into out (always a reply: {"result":"error",...} when the
 * request is malformed or fails).
 */
void ng_cmd_handle(struct ng_cmd *x, const char *msg, size_t len, struct benc_buf *out);

/* End an ng call: flows removed, ports released (quarantine), quality
 * record and journal through ended_h, freed. */
void ng_cmd_call_end(struct ng_cmd *x, struct call *c, const char *reason);

/* End the ng calls offered more than setup_limit_ms ago and still not
 * answered (the proxy's delete never came). O(calls). */
void ng_cmd_sweep(struct ng_cmd *x, uint64_t setup_limit_ms);

#endif /* NG_CMD_H */
