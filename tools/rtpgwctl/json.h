/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal streaming JSON writer for rtpgwctl --json: compact output, one
 * document per line, commas and nesting tracked here so that callers only
 * name members. Strings are escaped per RFC 8259 section 7, and bytes that
 * are not valid UTF-8 (names coming from the dataplane are not trusted) are
 * written as U+FFFD. Every value function takes the member key; pass NULL
 * inside an array. Writing errors are left to the FILE (check ferror()).
 */
#ifndef JSON_H
#define JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Deepest nesting of objects and arrays. */
#define JSON_DEPTH_MAX 16

struct json {
	FILE *out;
	unsigned int depth;		/* open containers */
	bool first[JSON_DEPTH_MAX + 1]; /* no member written yet at this depth */
};

void json_init(struct json *j, FILE *out);

void json_object_begin(struct json *j, const char *key);
/* Closes the object; closing the outermost container ends the line. */
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);

/* A NUL-terminated string; NULL writes null. */
void json_string(struct json *j, const char *key, const char *val);
/* At most n bytes of s, stopping at a NUL (fixed-size char arrays). */
void json_string_n(struct json *j, const char *key, const char *s, size_t n);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
/* With the given decimals; NaN and infinities write null. */
void json_double(struct json *j, const char *key, double val, int decimals);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes, n >= 1), 0
 * when invalid (overlong, surrogate, beyond U+10FFFF, truncated). Shared
 * by the writer and json_read.c.
 */
size_t json_utf8_len(const unsigned char *s, size_t n);

#endif /* JSON_H */
