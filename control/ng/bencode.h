/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bencode: a strict, bounded decoder and a small encoder for the ng
 * control protocol (docs/NG.md). Plain libc.
 *
 * Decoding fills a caller-supplied array of nodes in preorder, without
 * recursion and without copying: a string node points into the input,
 * which must outlive the nodes. A container's children follow it; each
 * node's end is the index just past its subtree, so siblings are walked
 * with i = nodes[i].end. A dictionary's children alternate key, value.
 *
 * Strict: integers are "i" ["-"] digits "e" without leading zeros, "-0"
 * or an empty or out-of-range (int64) value; string lengths have no
 * leading zeros and at most 9 digits and must fit in the input; dictionary
 * keys are strings and appear once (any order is accepted: senders do not
 * all sort them); the input is exactly one value, nothing after it. Limits:
 * the node array's size and the nesting depth (BENC_DEPTH_MAX).
 */
#ifndef NG_BENCODE_H
#define NG_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENC_DEPTH_MAX 16

enum benc_type {
	BENC_INT = 1,
	BENC_STR,
	BENC_LIST,
	BENC_DICT,
};

struct benc_node {
	uint8_t type;  /* enum benc_type */
	uint32_t end;  /* index past this node's subtree */
	uint32_t n;    /* containers: children (a dictionary: keys + values) */
	uint32_t len;  /* strings: length */
	const char *s; /* strings: the bytes, in the input (not terminated) */
	int64_t i;     /* integers */
};

/*
 * Decode buf[0..len) into nodes[0..cap). Returns the number of nodes used
 * (the root is nodes[0]), or -EBADMSG (malformed, trailing bytes,
 * duplicate key), -E2BIG (more nodes than cap), -ELOOP (deeper than
 * BENC_DEPTH_MAX).
 */
int benc_decode(const char *buf, size_t len, struct benc_node *nodes, uint32_t cap);

/* In dictionary nodes[d]: the value of key (NUL-terminated), or NULL. */
const struct benc_node *benc_dict_get(const struct benc_node *nodes, uint32_t d, const char *key);
/* The same, only when it is a string (or an integer when wanted). */
const struct benc_node *benc_dict_str(const struct benc_node *nodes, uint32_t d, const char *key);

/* A string node equals s (NUL-terminated), byte for byte / ignoring case. */
bool benc_str_eq(const struct benc_node *n, const char *s);
bool benc_str_caseeq(const struct benc_node *n, const char *s);
/* Copy a string node into dst (cap bytes, terminated); -ENOSPC if it does
 * not fit or holds a NUL byte. */
int benc_str_copy(const struct benc_node *n, char *dst, size_t cap);

/*
 * Encoder into a fixed buffer. Writes past cap are dropped and mark the
 * buffer overflowed (checked once at the end).
 */
struct benc_buf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;
};

void benc_buf_init(struct benc_buf *b, char *mem, size_t cap);
void benc_raw(struct benc_buf *b, const void *data, size_t len);
void benc_strn(struct benc_buf *b, const char *s, size_t len);
void benc_str(struct benc_buf *b, const char *s);
void benc_int(struct benc_buf *b, int64_t v);
void benc_dict(struct benc_buf *b); /* 'd' ... benc_end */
void benc_list(struct benc_buf *b); /* 'l' ... benc_end */
void benc_end(struct benc_buf *b);
/* key then value, in a dictionary */
void benc_kv_str(struct benc_buf *b, const char *key, const char *val);
void benc_kv_int(struct benc_buf *b, const char *key, int64_t val);

#endif /* NG_BENCODE_H */
