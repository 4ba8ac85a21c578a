/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small strict JSON reader (RFC 8259) for the documents rtpgwctl reads from
 * rtpgw-control's HTTP API. Hand-written rather than a library so that
 * rtpgwctl keeps depending on libc alone. The text is parsed in one pass
 * without recursion (an explicit stack of at most JR_DEPTH_MAX open
 * containers) into a tree of values held by one document; strings are
 * decoded (every escape, \uXXXX surrogate pairs to UTF-8) and
 * NUL-terminated, numbers are doubles (strtod of the RFC 8259 grammar).
 *
 * Strict: one value with only whitespace around it; no comments, trailing
 * commas, leading zeros, '+', NaN, single quotes, control characters or
 * invalid UTF-8 in strings, lone surrogates; numbers beyond the range of a
 * double are refused. "\u0000" is refused too (strings are C strings).
 * Duplicate member names are kept; jr_get() finds the first.
 */
#ifndef JSON_READ_H
#define JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting of arrays and objects accepted. */
#define JR_DEPTH_MAX 32
/* Longest number literal accepted (characters). */
#define JR_NUMBER_MAX 64
/* Room for an error message (jr_parse()'s err). */
#define JR_ERR_MAX 128

enum jr_type {
	JR_NULL,
	JR_FALSE,
	JR_TRUE,
	JR_NUMBER,
	JR_STRING,
	JR_ARRAY,
	JR_OBJECT,
};

struct jr_value {
	enum jr_type type;
	const char *key;	/* member name inside an object, else NULL */
	const char *str;	/* JR_STRING: decoded, NUL-terminated */
	size_t len;		/* JR_STRING: bytes; JR_ARRAY, JR_OBJECT: count */
	double num;		/* JR_NUMBER */
	struct jr_value *child; /* first element or member */
	struct jr_value *next;	/* next element or member of the parent */
	/* while parsing */
	uint32_t child_i, last_i, next_i;
};

struct jr_doc;

/*
 * Parse len bytes of text (no NUL needed). Returns the document, or NULL
 * with "offset N: what" in err (JR_ERR_MAX bytes are enough); errno is
 * EINVAL for bad JSON, ENOMEM when out of memory.
 */
struct jr_doc *jr_parse(const char *text, size_t len, char *err, size_t err_len);
void jr_free(struct jr_doc *doc);

const struct jr_value *jr_root(const struct jr_doc *doc);

/* The first member named key of an object; NULL if v is not an object or has none. */
const struct jr_value *jr_get(const struct jr_value *v, const char *key);
/* The i-th element of an array (or member of an object), NULL beyond. */
const struct jr_value *jr_at(const struct jr_value *v, size_t i);

/* Typed reads: NULL / false when v is NULL or of another type. */
const char *jr_str(const struct jr_value *v);
bool jr_num(const struct jr_value *v, double *out);
bool jr_bool(const struct jr_value *v, bool *out);
bool jr_is_null(const struct jr_value *v);
bool jr_is_array(const struct jr_value *v);
bool jr_is_object(const struct jr_value *v);

#endif /* JSON_READ_H */
