/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON writer of rtpgwctl (see json.h). The only state is a "first member"
 * flag per nesting level, which decides where commas go; strings go through
 * one escaper that also validates UTF-8 (RFC 3629 section 4: no overlongs,
 * no surrogates, nothing above U+10FFFF).
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json.h"

void
json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
}

size_t
json_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void
put_escaped(FILE *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;
	size_t len;
	size_t avail;

	fputc('"', out);
	while (i < n && s[i] != '\0') {
		switch (s[i]) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7f) {
				fprintf(out, "\\u%04x", s[i]);
				break;
			}
			avail = n - i < 4 ? n - i : 4;
			len = json_utf8_len(s + i, strnlen((const char *)s + i, avail));
			if (len == 0) {
				fputs("\\ufffd", out);
				break;
			}
			fwrite(s + i, 1, len, out);
			i += len;
			continue;
		}
		i++;
	}
	fputc('"', out);
}

/* Comma and key before a value. */
static void
member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
	if (key != NULL && j->depth > 0) {
		put_escaped(j->out, key, SIZE_MAX);
		fputc(':', j->out);
	}
}

static void
open_container(struct json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->out);
	if (j->depth < JSON_DEPTH_MAX)
		j->depth++;
	j->first[j->depth] = true;
}

static void
close_container(struct json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0) {
		fputc('\n', j->out);
		j->first[0] = true;
	}
}

void
json_object_begin(struct json *j, const char *key)
{
	open_container(j, key, '{');
}

void
json_object_end(struct json *j)
{
	close_container(j, '}');
}

void
json_array_begin(struct json *j, const char *key)
{
	open_container(j, key, '[');
}

void
json_array_end(struct json *j)
{
	close_container(j, ']');
}

void
json_string(struct json *j, const char *key, const char *val)
{
	if (val == NULL) {
		json_null(j, key);
		return;
	}
	member(j, key);
	put_escaped(j->out, val, SIZE_MAX);
}

void
json_string_n(struct json *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	put_escaped(j->out, s, n);
}

void
json_u64(struct json *j, const char *key, uint64_t val)
{
	member(j, key);
	fprintf(j->out, "%" PRIu64, val);
}

void
json_i64(struct json *j, const char *key, int64_t val)
{
	member(j, key);
	fprintf(j->out, "%" PRId64, val);
}

void
json_double(struct json *j, const char *key, double val, int decimals)
{
	if (!isfinite(val)) {
		json_null(j, key);
		return;
	}
	member(j, key);
	fprintf(j->out, "%.*f", decimals, val);
}

void
json_bool(struct json *j, const char *key, bool val)
{
	member(j, key);
	fputs(val ? "true" : "false", j->out);
}

void
json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}
