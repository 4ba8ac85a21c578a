/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON reader of rtpgwctl (see json_read.h). A loop over three states
 * (a value expected, a member name expected, a value just ended) with an
 * explicit stack of open containers, so deep input costs a bounded stack
 * and is refused at JR_DEPTH_MAX. Values live in one array grown by
 * doubling and linked by index while parsing (the array moves), by pointer
 * once done. Decoded strings go to one buffer of the text's size: a string
 * never decodes to more bytes than its quotes and escapes took.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_read.h"

struct jr_doc {
	struct jr_value *v; /* v[0] is the root */
	size_t n, cap;
	char *strings; /* decoded strings, NUL-terminated */
	size_t s_used;
};

struct jr_parser {
	const char *p; /* text */
	size_t len, pos;
	struct jr_doc *doc;
	char *err;
	size_t err_len;
};

static int
fail(struct jr_parser *ps, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->err_len == 0)
		return -EINVAL;
	n = snprintf(ps->err, ps->err_len, "offset %zu: ", at);
	if (n >= 0 && (size_t)n < ps->err_len) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->err_len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void
skip_ws(struct jr_parser *ps)
{
	while (ps->pos < ps->len && (ps->p[ps->pos] == ' ' || ps->p[ps->pos] == '\t' ||
				     ps->p[ps->pos] == '\n' || ps->p[ps->pos] == '\r'))
		ps->pos++;
}

/* A new value, linked after the last child of parent (UINT32_MAX: the root). */
static int
new_value(struct jr_parser *ps, uint32_t parent, enum jr_type type, const char *key, uint32_t *out)
{
	struct jr_doc *d = ps->doc;
	struct jr_value *v;
	uint32_t i;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct jr_value *nv;

		if (cap > UINT32_MAX - 1)
			return fail(ps, ps->pos, "too many values");
		nv = realloc(d->v, cap * sizeof(*nv));
		if (nv == NULL) {
			snprintf(ps->err, ps->err_len, "out of memory");
			return -ENOMEM;
		}
		d->v = nv;
		d->cap = cap;
	}
	i = (uint32_t)d->n++;
	v = &d->v[i];
	memset(v, 0, sizeof(*v));
	v->type = type;
	v->key = key;
	if (parent != UINT32_MAX) {
		struct jr_value *pv = &d->v[parent];

		if (pv->len == 0)
			pv->child_i = i;
		else
			d->v[pv->last_i].next_i = i;
		pv->last_i = i;
		pv->len++;
	}
	*out = i;
	return 0;
}

static int
hex4(const char *s, uint32_t *cp)
{
	int k;

	*cp = 0;
	for (k = 0; k < 4; k++) {
		char c = s[k];

		*cp <<= 4;
		if (c >= '0' && c <= '9')
			*cp |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*cp |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*cp |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static char *
put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | (cp >> 18));
		*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/* The string at pos (its opening quote), decoded into the strings buffer. */
static int
parse_string(struct jr_parser *ps, const char **out, size_t *out_len)
{
	const size_t start = ps->pos;
	char *const first = ps->doc->strings + ps->doc->s_used;
	char *o = first;
	size_t i = ps->pos + 1;

	for (;;) {
		unsigned char c;

		if (i >= ps->len)
			return fail(ps, start, "unterminated string");
		c = (unsigned char)ps->p[i];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(ps, i, "control character in a string");
		if (c != '\\') {
			size_t n = json_utf8_len((const unsigned char *)ps->p + i, ps->len - i);

			if (n == 0)
				return fail(ps, i, "invalid UTF-8 in a string");
			memcpy(o, ps->p + i, n);
			o += n;
			i += n;
			continue;
		}
		if (i + 1 >= ps->len)
			return fail(ps, start, "unterminated string");
		switch (ps->p[i + 1]) {
		case '"':
		case '\\':
		case '/':
			*o++ = ps->p[i + 1];
			i += 2;
			continue;
		case 'b':
			*o++ = '\b';
			i += 2;
			continue;
		case 'f':
			*o++ = '\f';
			i += 2;
			continue;
		case 'n':
			*o++ = '\n';
			i += 2;
			continue;
		case 'r':
			*o++ = '\r';
			i += 2;
			continue;
		case 't':
			*o++ = '\t';
			i += 2;
			continue;
		case 'u':
			break;
		default:
			return fail(ps, i, "invalid escape '\\%c'", ps->p[i + 1]);
		}
		/* \uXXXX, perhaps a surrogate pair \uD8xx\uDCxx */
		{
			uint32_t cp, lo;

			if (i + 6 > ps->len || hex4(ps->p + i + 2, &cp) < 0)
				return fail(ps, i, "invalid \\u escape (4 hex digits)");
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(ps, i, "lone low surrogate \\u%04X", cp);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 12 > ps->len || ps->p[i + 6] != '\\' ||
				    ps->p[i + 7] != 'u' || hex4(ps->p + i + 8, &lo) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return fail(ps, i,
						    "high surrogate \\u%04X without its low "
						    "surrogate",
						    cp);
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			if (cp == 0)
				return fail(ps, i, "\\u0000 in a string is not supported");
			o = put_utf8(o, cp);
			i += 6;
		}
	}
	*o++ = '\0';
	ps->doc->s_used += (size_t)(o - first);
	ps->pos = i + 1;
	*out = first;
	if (out_len != NULL)
		*out_len = (size_t)(o - first) - 1;
	return 0;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
parse_number(struct jr_parser *ps, double *out)
{
	const size_t start = ps->pos;
	char buf[JR_NUMBER_MAX + 1];
	size_t i = ps->pos;
	char *end;
	double v;

	if (i < ps->len && ps->p[i] == '-')
		i++;
	if (i >= ps->len || !is_digit(ps->p[i]))
		return fail(ps, start, "invalid number");
	if (ps->p[i] == '0') {
		i++;
		if (i < ps->len && is_digit(ps->p[i]))
			return fail(ps, start, "number with a leading zero");
	} else {
		while (i < ps->len && is_digit(ps->p[i]))
			i++;
	}
	if (i < ps->len && ps->p[i] == '.') {
		i++;
		if (i >= ps->len || !is_digit(ps->p[i]))
			return fail(ps, start, "invalid number: digits must follow '.'");
		while (i < ps->len && is_digit(ps->p[i]))
			i++;
	}
	if (i < ps->len && (ps->p[i] == 'e' || ps->p[i] == 'E')) {
		i++;
		if (i < ps->len && (ps->p[i] == '+' || ps->p[i] == '-'))
			i++;
		if (i >= ps->len || !is_digit(ps->p[i]))
			return fail(ps, start, "invalid number: digits must follow the exponent");
		while (i < ps->len && is_digit(ps->p[i]))
			i++;
	}
	if (i - start > JR_NUMBER_MAX)
		return fail(ps, start, "number longer than %d characters", JR_NUMBER_MAX);
	memcpy(buf, ps->p + start, i - start);
	buf[i - start] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || !isfinite(v) || (errno == ERANGE && (v > 1.0 || v < -1.0)))
		return fail(ps, start, "number out of range");
	ps->pos = i;
	*out = v;
	return 0;
}

static int
parse_literal(struct jr_parser *ps, const char *word, size_t n)
{
	if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0)
		return fail(ps, ps->pos, "invalid literal (expected %s)", word);
	ps->pos += n;
	return 0;
}

enum state {
	EXPECT_VALUE,
	EXPECT_KEY,
	AFTER_VALUE,
};

static int
parse(struct jr_parser *ps)
{
	uint32_t stack[JR_DEPTH_MAX];
	unsigned int depth = 0;
	enum state st = EXPECT_VALUE;
	const char *key = NULL;
	int ret;

	for (;;) {
		uint32_t parent = depth ? stack[depth - 1] : UINT32_MAX;
		uint32_t vi;
		char c;

		skip_ws(ps);
		if (st == AFTER_VALUE && depth == 0) {
			if (ps->pos != ps->len)
				return fail(ps, ps->pos, "unexpected text after the document");
			return 0;
		}
		if (ps->pos >= ps->len)
			return fail(ps, ps->pos,
				    ps->len == 0 ? "empty document"
						 : "unexpected end of the document");
		c = ps->p[ps->pos];
		if (st == EXPECT_KEY) {
			if (c != '"')
				return fail(ps, ps->pos, "expected a member name");
			ret = parse_string(ps, &key, NULL);
			if (ret < 0)
				return ret;
			skip_ws(ps);
			if (ps->pos >= ps->len || ps->p[ps->pos] != ':')
				return fail(ps, ps->pos, "expected ':' after a member name");
			ps->pos++;
			st = EXPECT_VALUE;
			continue;
		}
		if (st == AFTER_VALUE) {
			bool obj = ps->doc->v[parent].type == JR_OBJECT;

			ps->pos++;
			if (c == ',') {
				st = obj ? EXPECT_KEY : EXPECT_VALUE;
			} else if (c == (obj ? '}' : ']')) {
				depth--;
			} else {
				return fail(ps, ps->pos - 1, "expected ',' or '%c'",
					    obj ? '}' : ']');
			}
			continue;
		}
		/* EXPECT_VALUE */
		switch (c) {
		case '{':
		case '[':
			if (depth == JR_DEPTH_MAX)
				return fail(ps, ps->pos, "nested deeper than %d", JR_DEPTH_MAX);
			ret = new_value(ps, parent, c == '{' ? JR_OBJECT : JR_ARRAY, key, &vi);
			if (ret < 0)
				return ret;
			stack[depth++] = vi;
			ps->pos++;
			skip_ws(ps);
			if (ps->pos < ps->len && ps->p[ps->pos] == (c == '{' ? '}' : ']')) {
				ps->pos++;
				depth--;
				st = AFTER_VALUE;
			} else {
				st = c == '{' ? EXPECT_KEY : EXPECT_VALUE;
			}
			key = NULL;
			continue;
		case '"':
			ret = new_value(ps, parent, JR_STRING, key, &vi);
			if (ret == 0)
				ret = parse_string(ps, &ps->doc->v[vi].str, &ps->doc->v[vi].len);
			break;
		case 't':
			ret = new_value(ps, parent, JR_TRUE, key, &vi);
			if (ret == 0)
				ret = parse_literal(ps, "true", 4);
			break;
		case 'f':
			ret = new_value(ps, parent, JR_FALSE, key, &vi);
			if (ret == 0)
				ret = parse_literal(ps, "false", 5);
			break;
		case 'n':
			ret = new_value(ps, parent, JR_NULL, key, &vi);
			if (ret == 0)
				ret = parse_literal(ps, "null", 4);
			break;
		default:
			if (c != '-' && !is_digit(c))
				return fail(ps, ps->pos, "expected a value");
			ret = new_value(ps, parent, JR_NUMBER, key, &vi);
			if (ret == 0)
				ret = parse_number(ps, &ps->doc->v[vi].num);
			break;
		}
		if (ret < 0)
			return ret;
		key = NULL;
		st = AFTER_VALUE;
	}
}

struct jr_doc *
jr_parse(const char *text, size_t len, char *err, size_t err_len)
{
	char dummy[1];
	struct jr_parser ps = {
		.p = text,
		.len = len,
		.err = err_len ? err : dummy,
		.err_len = err_len ? err_len : sizeof(dummy),
	};
	struct jr_doc *d;
	size_t i;
	int ret;

	d = calloc(1, sizeof(*d));
	if (d != NULL)
		d->strings = malloc(len + 1);
	if (d == NULL || d->strings == NULL) {
		free(d);
		snprintf(ps.err, ps.err_len, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	ps.doc = d;
	ret = parse(&ps);
	if (ret < 0) {
		jr_free(d);
		errno = -ret;
		return NULL;
	}
	for (i = 0; i < d->n; i++) {
		struct jr_value *v = &d->v[i];

		v->child = v->child_i ? &d->v[v->child_i] : NULL;
		v->next = v->next_i ? &d->v[v->next_i] : NULL;
	}
	return d;
}

void
jr_free(struct jr_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->v);
	free(doc->strings);
	free(doc);
}

const struct jr_value *
jr_root(const struct jr_doc *doc)
{
	return doc != NULL && doc->n > 0 ? &doc->v[0] : NULL;
}

const struct jr_value *
jr_get(const struct jr_value *v, const char *key)
{
	const struct jr_value *m;

	if (v == NULL || v->type != JR_OBJECT)
		return NULL;
	for (m = v->child; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const struct jr_value *
jr_at(const struct jr_value *v, size_t i)
{
	const struct jr_value *m;

	if (v == NULL || (v->type != JR_ARRAY && v->type != JR_OBJECT))
		return NULL;
	for (m = v->child; m != NULL && i > 0; m = m->next)
		i--;
	return m;
}

const char *
jr_str(const struct jr_value *v)
{
	return v != NULL && v->type == JR_STRING ? v->str : NULL;
}

bool
jr_num(const struct jr_value *v, double *out)
{
	if (v == NULL || v->type != JR_NUMBER)
		return false;
	*out = v->num;
	return true;
}

bool
jr_bool(const struct jr_value *v, bool *out)
{
	if (v == NULL || (v->type != JR_TRUE && v->type != JR_FALSE))
		return false;
	*out = v->type == JR_TRUE;
	return true;
}

bool
jr_is_null(const struct jr_value *v)
{
	return v != NULL && v->type == JR_NULL;
}

bool
jr_is_array(const struct jr_value *v)
{
	return v != NULL && v->type == JR_ARRAY;
}

bool
jr_is_object(const struct jr_value *v)
{
	return v != NULL && v->type == JR_OBJECT;
}
