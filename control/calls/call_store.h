/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_store: rtpgw-control's calls on disk, so a restarted control
 * recovers the calls the dataplane kept relaying and mixing meanwhile.
 *
 * The file is a journal of JSON lines (libre's JSON): {"put":{...}} after
 * every change of an answered call (the record: id, kind, room or route,
 * times, and per leg its SIP dialog identity, our media port and the
 * endpoint's media) and {"del":ID} when it ends. Each line is flushed when
 * written, so a crash loses nothing before it; a torn last line is ignored
 * on reading. When dead lines outnumber the live calls the journal is
 * rewritten to the live calls only (a new file, fsync, rename).
 *
 * Loading replays the journal into the call table: each live call comes
 * back ACTIVE, recovered (no SIP runtime: sip_server.c answers its BYE and
 * can send one), installed (its flows are re-installed or found when the
 * dataplane connects), with its media ports reserved.
 */
#ifndef CALL_STORE_H
#define CALL_STORE_H

#include "calls.h"

struct call_store;

/* Open (create) the journal at path for the calls of cs. NULL with errno. */
struct call_store *call_store_open(const char *path, struct calls *cs);
void call_store_close(struct call_store *st);

/*
 * Replay the journal into its call table (which must hold no call with
 * these ids), then rewrite it to the live calls.
 * Returns the number of calls recovered, or a negative errno when the
 * file cannot be read; bad lines are counted in *bad and skipped.
 */
int call_store_load(struct call_store *st, unsigned int *bad);

/* Record a call as it is now (only answered calls are kept). */
void call_store_put(struct call_store *st, const struct call *c);
/* The call ended. */
void call_store_del(struct call_store *st, const struct call *c);

/* Lines written since the last rewrite; write errors. */
struct call_store_stats {
	uint64_t lines;
	uint64_t rewrites;
	uint64_t errors;
};
void call_store_stats(const struct call_store *st, struct call_store_stats *out);

#endif /* CALL_STORE_H */
