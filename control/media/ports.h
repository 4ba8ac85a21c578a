/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Media port allocator with quarantine. Plain libc, no libre.
 *
 * Ports are even (RTP, RFC 3550 section 11: RTP on an even port, RTCP on
 * the next higher odd one, which is implied and never handed out on its
 * own). A released port waits quarantine_ms before it can be handed out
 * again, so late packets of the call that had it do not reach the next one.
 * Free ports are reused round-robin: a FIFO, released ports join its tail
 * when their quarantine has passed. Every operation is O(1) (the move from
 * quarantine to the free FIFO is amortised: each release moves once).
 *
 * Times are milliseconds of a monotonic clock chosen by the caller; they
 * must not go backwards (if they did, a port would only be held longer).
 * Not thread-safe.
 */
#ifndef CONTROL_MEDIA_PORTS_H
#define CONTROL_MEDIA_PORTS_H

#include <stdint.h>

struct ports;

struct ports_stats {
	uint32_t total;	      /* even ports in the range */
	uint32_t in_use;      /* allocated or reserved */
	uint32_t quarantined; /* released, quarantine not over yet */
	uint32_t free;	      /* ready to be allocated */
	uint64_t allocs;      /* successful ports_alloc and ports_reserve */
	uint64_t frees;	      /* ports_free of a port in use */
	uint64_t exhausted;   /* ports_alloc that found no free port */
	uint64_t bad_frees;   /* ports_free of a port not in use (ignored) */
};

/*
 * A pool of the even ports lo, lo + 2, ..., hi, all free, handed out in
 * that order first. lo and hi even, 0 < lo <= hi (lo == hi: one port).
 * NULL with errno EINVAL (bad range) or ENOMEM.
 */
struct ports *ports_create(uint16_t lo, uint16_t hi, uint32_t quarantine_ms);

/* Free the pool (NULL is fine). */
void ports_destroy(struct ports *p);

/*
 * The free port that has waited longest, now in use; 0 when none is free
 * (counted in exhausted).
 */
uint16_t ports_alloc(struct ports *p, uint64_t now_ms);

/*
 * Take a given port, free or still in quarantine (recovering the calls of
 * a state file after a restart). 0, -EBUSY (already in use) or -ERANGE
 * (odd or out of the range).
 */
int ports_reserve(struct ports *p, uint16_t port);

/*
 * Release a port in use: it can be allocated again from now_ms +
 * quarantine_ms on. A port not in use (never allocated, already released,
 * odd, out of range) is counted in bad_frees and otherwise ignored.
 */
void ports_free(struct ports *p, uint16_t port, uint64_t now_ms);

/* The counters, after ending the quarantines that are over at now_ms. */
void ports_stats(struct ports *p, uint64_t now_ms, struct ports_stats *st);

#endif /* CONTROL_MEDIA_PORTS_H */
