/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: rtpgwctl's JSON reader (tools/rtpgwctl/json_read.c),
 * which reads rtpgw-control's HTTP API replies. Parses the input (not
 * NUL-terminated: the reader takes a length) and walks every value with
 * the accessors the commands use.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct jr_value *
c_last(const struct jr_value *v)
{
	const struct jr_value *c = v->child;

	while (c != NULL && c->next != NULL)
		c = c->next;
	return c;
}

static void
walk(const struct jr_value *v, unsigned int depth)
{
	const struct jr_value *c;
	double d;
	bool b;
	size_t i = 0;

	if (depth > JR_DEPTH_MAX + 1)
		abort();
	(void)jr_num(v, &d);
	(void)jr_bool(v, &b);
	(void)jr_is_null(v);
	if (jr_str(v) != NULL && strlen(jr_str(v)) != v->len)
		abort();
	if (!jr_is_array(v) && !jr_is_object(v))
		return;
	for (c = v->child; c != NULL; c = c->next, i++) {
		/* (the first 64 only: jr_get is linear) */
		if (jr_is_object(v) && (c->key == NULL || (i < 64 && jr_get(v, c->key) == NULL)))
			abort();
		walk(c, depth + 1);
	}
	if (i != v->len || (i > 0 && jr_at(v, i - 1) != c_last(v)) || jr_at(v, i) != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[JR_ERR_MAX];
	struct jr_doc *doc;
	char *text;

	/* Exactly size bytes on the heap, no NUL: ASan sees any read past. */
	text = malloc(size ? size : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	doc = jr_parse(text, size, err, sizeof(err));
	if (doc != NULL) {
		if (jr_root(doc) == NULL)
			abort();
		walk(jr_root(doc), 0);
		jr_free(doc);
	}
	free(text);
	return 0;
}
