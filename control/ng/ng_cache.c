/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng_cache: see ng_cache.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ng_cache.h"

struct entry {
	struct entry *hnext; /* hash chain */
	struct entry *fnext; /* FIFO, toward the newest */
	uint64_t t_ms;
	uint32_t hash;
	uint8_t clen;
	char cookie[NG_COOKIE_MAX];
	size_t len;
	unsigned char reply[]; /* len bytes */
};

struct ng_cache {
	struct entry **tab;
	uint32_t mask;
	uint32_t max;
	uint32_t ttl_ms;
	struct entry *head; /* oldest */
	struct entry *tail; /* newest */
	struct ng_cache_stats st;
};

static uint32_t
hash_bytes(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

struct ng_cache *
ng_cache_create(uint32_t max, uint32_t ttl_ms)
{
	struct ng_cache *nc;
	uint32_t size = 16;

	if (max == 0 || max > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	while (size < max)
		size <<= 1;
	nc = calloc(1, sizeof(*nc));
	if (nc)
		nc->tab = calloc(size, sizeof(*nc->tab));
	if (!nc || !nc->tab) {
		free(nc);
		errno = ENOMEM;
		return NULL;
	}
	nc->mask = size - 1;
	nc->max = max;
	nc->ttl_ms = ttl_ms;
	return nc;
}

/* Unlink the oldest entry from its chain and the FIFO, and free it. */
static void
drop_head(struct ng_cache *nc)
{
	struct entry *e = nc->head, **pp;

	for (pp = &nc->tab[e->hash & nc->mask]; *pp; pp = &(*pp)->hnext) {
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	}
	nc->head = e->fnext;
	if (!nc->head)
		nc->tail = NULL;
	nc->st.entries--;
	free(e);
}

void
ng_cache_destroy(struct ng_cache *nc)
{
	if (!nc)
		return;
	while (nc->head)
		drop_head(nc);
	free(nc->tab);
	free(nc);
}

void
ng_cache_expire(struct ng_cache *nc, uint64_t now_ms)
{
	while (nc->head && now_ms - nc->head->t_ms >= nc->ttl_ms) {
		drop_head(nc);
		nc->st.expired++;
	}
}

static struct entry *
find(const struct ng_cache *nc, const char *cookie, size_t clen, uint32_t h)
{
	struct entry *e;

	for (e = nc->tab[h & nc->mask]; e; e = e->hnext)
		if (e->hash == h && e->clen == clen && memcmp(e->cookie, cookie, clen) == 0)
			return e;
	return NULL;
}

const void *
ng_cache_get(struct ng_cache *nc, const char *cookie, size_t clen, size_t *len, uint64_t now_ms)
{
	struct entry *e;

	ng_cache_expire(nc, now_ms);
	if (clen == 0 || clen > NG_COOKIE_MAX)
		return NULL;
	e = find(nc, cookie, clen, hash_bytes(cookie, clen));
	if (!e)
		return NULL;
	nc->st.hits++;
	*len = e->len;
	return e->reply;
}

int
ng_cache_put(struct ng_cache *nc, const char *cookie, size_t clen, const void *reply, size_t len,
	     uint64_t now_ms)
{
	uint32_t h = hash_bytes(cookie, clen);
	struct entry *e;

	if (clen == 0 || clen > NG_COOKIE_MAX)
		return -EINVAL;
	ng_cache_expire(nc, now_ms);
	e = find(nc, cookie, clen, h);
	if (e) {
		/* the same cookie again with new content: the old reply stays
		 * in its FIFO slot, overwritten in place when it fits */
		if (len <= e->len) {
			memcpy(e->reply, reply, len);
			e->len = len;
			return 0;
		}
		e->clen = 0; /* no longer found; expires in its turn */
	}
	while (nc->st.entries >= nc->max) {
		drop_head(nc);
		nc->st.evicted++;
	}
	e = malloc(sizeof(*e) + len);
	if (!e)
		return -ENOMEM;
	e->t_ms = now_ms;
	e->hash = h;
	e->clen = (uint8_t)clen;
	memcpy(e->cookie, cookie, clen);
	e->len = len;
	memcpy(e->reply, reply, len);
	e->hnext = nc->tab[h & nc->mask];
	nc->tab[h & nc->mask] = e;
	e->fnext = NULL;
	if (nc->tail)
		nc->tail->fnext = e;
	else
		nc->head = e;
	nc->tail = e;
	nc->st.entries++;
	return 0;
}

void
ng_cache_stats(const struct ng_cache *nc, struct ng_cache_stats *st)
{
	*st = nc->st;
}
