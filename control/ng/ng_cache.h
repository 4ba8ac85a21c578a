/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng_cache: the ng replies by cookie, so a retransmitted request (same
 * cookie: the client did not get our reply) is answered with the same
 * bytes instead of being executed again. Plain libc.
 *
 * A chained hash gives O(1) lookup; the entries also form a FIFO in the
 * order they were added, which is their expiry order (one lifetime for
 * all), so expiry pops the head while it is older than ttl: amortised
 * O(1), no timer per entry (libre keeps its timers in one sorted list).
 * The cache holds at most max entries; adding to a full one drops the
 * oldest. Times are monotonic milliseconds given by the caller.
 */
#ifndef NG_CACHE_H
#define NG_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define NG_COOKIE_MAX 64 /* longest cookie kept (longer ones are not cached) */

struct ng_cache;

struct ng_cache_stats {
	uint32_t entries;
	uint64_t hits;
	uint64_t expired;
	uint64_t evicted; /* dropped early: the cache was full */
};

/* NULL with errno. max >= 1. */
struct ng_cache *ng_cache_create(uint32_t max, uint32_t ttl_ms);
void ng_cache_destroy(struct ng_cache *nc);

/* The cached reply of cookie (not expired at now_ms), or NULL. */
const void *ng_cache_get(struct ng_cache *nc, const char *cookie, size_t clen, size_t *len,
			 uint64_t now_ms);
/* Keep reply for cookie (replacing an older one). 0, -EINVAL (cookie too
 * long or empty) or -ENOMEM. */
int ng_cache_put(struct ng_cache *nc, const char *cookie, size_t clen, const void *reply,
		 size_t len, uint64_t now_ms);
/* Drop what is older than ttl at now_ms. */
void ng_cache_expire(struct ng_cache *nc, uint64_t now_ms);
void ng_cache_stats(const struct ng_cache *nc, struct ng_cache_stats *st);

#endif /* NG_CACHE_H */
