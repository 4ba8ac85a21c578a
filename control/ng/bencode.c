/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bencode: see bencode.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bencode.h"

/* "i" ["-"] 1*DIGIT "e"; *pos at the 'i'. */
static int
parse_int(const char *buf, size_t len, size_t *pos, int64_t *out)
{
	size_t p = *pos + 1, start;
	uint64_t v = 0, limit = INT64_MAX;
	bool neg = false;

	if (p < len && buf[p] == '-') {
		neg = true;
		limit = (uint64_t)INT64_MAX + 1;
		p++;
	}
	start = p;
	while (p < len && buf[p] >= '0' && buf[p] <= '9') {
		unsigned int d = (unsigned int)(buf[p] - '0');

		if (v > (limit - d) / 10)
			return -EBADMSG; /* out of range */
		v = v * 10 + d;
		p++;
	}
	if (p == start || p >= len || buf[p] != 'e')
		return -EBADMSG;
	if (buf[start] == '0' && p - start > 1)
		return -EBADMSG; /* leading zero */
	if (neg && v == 0)
		return -EBADMSG; /* "-0" */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*pos = p + 1;
	return 0;
}

/* 1*9DIGIT ":" bytes; *pos at the first digit. */
static int
parse_str(const char *buf, size_t len, size_t *pos, const char **s, uint32_t *slen)
{
	size_t p = *pos, start = p;
	uint32_t v = 0;

	while (p < len && buf[p] >= '0' && buf[p] <= '9') {
		if (p - start >= 9)
			return -EBADMSG;
		v = v * 10 + (uint32_t)(buf[p] - '0');
		p++;
	}
	if (p == start || p >= len || buf[p] != ':')
		return -EBADMSG;
	if (buf[start] == '0' && p - start > 1)
		return -EBADMSG;
	p++;
	if (v > len - p)
		return -EBADMSG; /* longer than what is left */
	*s = buf + p;
	*slen = v;
	*pos = p + v;
	return 0;
}

static bool
same_str(const struct benc_node *a, const struct benc_node *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* Keys of the dictionary at d appear once. */
static bool
keys_unique(const struct benc_node *nodes, uint32_t d)
{
	uint32_t i, j;

	for (i = d + 1; i < nodes[d].end; i = nodes[nodes[i].end].end)
		for (j = nodes[nodes[i].end].end; j < nodes[d].end; j = nodes[nodes[j].end].end)
			if (same_str(&nodes[i], &nodes[j]))
				return false;
	return true;
}

int
benc_decode(const char *buf, size_t len, struct benc_node *nodes, uint32_t cap)
{
	uint32_t stack[BENC_DEPTH_MAX];
	unsigned int depth = 0;
	uint32_t count = 0;
	size_t pos = 0;
	int rc;

	for (;;) {
		struct benc_node *n, *parent = depth ? &nodes[stack[depth - 1]] : NULL;
		char ch;

		if (pos >= len)
			return -EBADMSG; /* truncated */
		ch = buf[pos];
		if (parent && ch == 'e') {
			uint32_t idx = stack[--depth];

			pos++;
			nodes[idx].end = count;
			if (nodes[idx].type == BENC_DICT &&
			    (nodes[idx].n % 2 || !keys_unique(nodes, idx)))
				return -EBADMSG; /* key without value, or twice */
			if (depth == 0)
				break;
			continue;
		}
		if (parent && parent->type == BENC_DICT && parent->n % 2 == 0 &&
		    !(ch >= '0' && ch <= '9'))
			return -EBADMSG; /* keys are strings */
		if (count >= cap)
			return -E2BIG;
		n = &nodes[count];
		memset(n, 0, sizeof(*n));
		if (parent)
			parent->n++;
		if (ch == 'i') {
			n->type = BENC_INT;
			rc = parse_int(buf, len, &pos, &n->i);
		} else if (ch >= '0' && ch <= '9') {
			n->type = BENC_STR;
			rc = parse_str(buf, len, &pos, &n->s, &n->len);
		} else if (ch == 'l' || ch == 'd') {
			if (depth >= BENC_DEPTH_MAX)
				return -ELOOP;
			n->type = ch == 'l' ? BENC_LIST : BENC_DICT;
			stack[depth++] = count++;
			pos++;
			continue;
		} else {
			return -EBADMSG;
		}
		if (rc < 0)
			return rc;
		n->end = ++count;
		if (depth == 0)
			break;
	}
	if (pos != len)
		return -EBADMSG; /* trailing bytes */
	return (int)count;
}

const struct benc_node *
benc_dict_get(const struct benc_node *nodes, uint32_t d, const char *key)
{
	size_t klen = strlen(key);
	uint32_t i;

	if (nodes[d].type != BENC_DICT)
		return NULL;
	for (i = d + 1; i < nodes[d].end; i = nodes[nodes[i].end].end) {
		const struct benc_node *k = &nodes[i];

		if (k->len == klen && memcmp(k->s, key, klen) == 0)
			return &nodes[k->end];
	}
	return NULL;
}

const struct benc_node *
benc_dict_str(const struct benc_node *nodes, uint32_t d, const char *key)
{
	const struct benc_node *v = benc_dict_get(nodes, d, key);

	return v && v->type == BENC_STR ? v : NULL;
}

bool
benc_str_eq(const struct benc_node *n, const char *s)
{
	size_t l = strlen(s);

	return n->type == BENC_STR && n->len == l && memcmp(n->s, s, l) == 0;
}

bool
benc_str_caseeq(const struct benc_node *n, const char *s)
{
	size_t l = strlen(s);

	return n->type == BENC_STR && n->len == l && strncasecmp(n->s, s, l) == 0 &&
	       memchr(n->s, '\0', l) == NULL;
}

int
benc_str_copy(const struct benc_node *n, char *dst, size_t cap)
{
	if (n->type != BENC_STR || n->len >= cap || memchr(n->s, '\0', n->len))
		return -ENOSPC;
	memcpy(dst, n->s, n->len);
	dst[n->len] = '\0';
	return 0;
}

/* ---- encoder ---- */

void
benc_buf_init(struct benc_buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

void
benc_raw(struct benc_buf *b, const void *data, size_t len)
{
	if (b->overflow || len > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
benc_strn(struct benc_buf *b, const char *s, size_t len)
{
	char hdr[24];
	int n = snprintf(hdr, sizeof(hdr), "%zu:", len);

	benc_raw(b, hdr, (size_t)n);
	benc_raw(b, s, len);
}

void
benc_str(struct benc_buf *b, const char *s)
{
	benc_strn(b, s, strlen(s));
}

void
benc_int(struct benc_buf *b, int64_t v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "i%llde", (long long)v);

	benc_raw(b, tmp, (size_t)n);
}

void
benc_dict(struct benc_buf *b)
{
	benc_raw(b, "d", 1);
}

void
benc_list(struct benc_buf *b)
{
	benc_raw(b, "l", 1);
}

void
benc_end(struct benc_buf *b)
{
	benc_raw(b, "e", 1);
}

void
benc_kv_str(struct benc_buf *b, const char *key, const char *val)
{
	benc_str(b, key);
	benc_str(b, val);
}

void
benc_kv_int(struct benc_buf *b, const char *key, int64_t val)
{
	benc_str(b, key);
	benc_int(b, val);
}
