/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgwctl's JSON writer (tools/rtpgwctl/json.c): commas and
 * nesting, one document per line, string escaping per RFC 8259 section 7,
 * and bytes that are not valid UTF-8 (RFC 3629) replaced by U+FFFD so that
 * names coming from the dataplane can never break the output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tools/rtpgwctl/json.h"

struct out {
	FILE *f;
	char *buf;
	size_t len;
};

static int
out_setup(void **state)
{
	struct out *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	*state = o;
	return 0;
}

static int
out_teardown(void **state)
{
	struct out *o = *state;

	fclose(o->f);
	free(o->buf);
	free(o);
	return 0;
}

static const char *
text(struct out *o)
{
	fflush(o->f);
	return o->buf;
}

static void
members_and_elements_get_commas(void **state)
{
	struct out *o = *state;
	struct json j;

	json_init(&j, o->f);
	json_object_begin(&j, NULL);
	json_u64(&j, "a", UINT64_MAX);
	json_i64(&j, "b", -5);
	json_array_begin(&j, "c");
	json_bool(&j, NULL, true);
	json_null(&j, NULL);
	json_object_begin(&j, NULL);
	json_double(&j, "d", 1.5, 2);
	json_object_end(&j);
	json_array_end(&j);
	json_array_begin(&j, "e");
	json_array_end(&j);
	json_string(&j, "f", NULL);
	json_object_end(&j);
	assert_string_equal(text(o), "{\"a\":18446744073709551615,\"b\":-5,"
				     "\"c\":[true,null,{\"d\":1.50}],\"e\":[],\"f\":null}\n");
}

static void
documents_are_separate_lines(void **state)
{
	struct out *o = *state;
	struct json j;

	json_init(&j, o->f);
	json_object_begin(&j, NULL);
	json_u64(&j, "n", 1);
	json_object_end(&j);
	json_object_begin(&j, NULL);
	json_u64(&j, "n", 2);
	json_object_end(&j);
	assert_string_equal(text(o), "{\"n\":1}\n{\"n\":2}\n");
}

static void
strings_are_escaped(void **state)
{
	struct out *o = *state;
	struct json j;

	json_init(&j, o->f);
	json_object_begin(&j, NULL);
	json_string(&j, "s", "q\"b\\n\nt\tc\x01\x1f\x7f/");
	json_string(&j, "k\"", "v");
	json_object_end(&j);
	assert_string_equal(
		text(o), "{\"s\":\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f\\u007f/\",\"k\\\"\":\"v\"}\n");
}

static void
valid_utf8_passes_invalid_is_replaced(void **state)
{
	struct out *o = *state;
	struct json j;

	json_init(&j, o->f);
	json_array_begin(&j, NULL);
	json_string(&j, NULL, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5");
	json_string(&j, NULL, "\xff");		   /* never valid */
	json_string(&j, NULL, "\xc0\xaf");	   /* overlong '/' */
	json_string(&j, NULL, "\xed\xa0\x80");	   /* surrogate U+D800 */
	json_string(&j, NULL, "\xf4\x90\x80\x80"); /* above U+10FFFF */
	json_string(&j, NULL, "a\xc3");		   /* truncated at the end */
	json_array_end(&j);
	assert_string_equal(text(o), "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x8e\xb5\","
				     "\"\\ufffd\",\"\\ufffd\\ufffd\",\"\\ufffd\\ufffd\\ufffd\","
				     "\"\\ufffd\\ufffd\\ufffd\\ufffd\",\"a\\ufffd\"]\n");
}

static void
fixed_size_strings_stop_at_n(void **state)
{
	struct out *o = *state;
	const char name[4] = {'e', 't', 'h', '0'}; /* no NUL */
	struct json j;

	json_init(&j, o->f);
	json_array_begin(&j, NULL);
	json_string_n(&j, NULL, name, sizeof(name));
	json_string_n(&j, NULL, "ab\0cd", 5);
	json_string_n(&j, NULL, "\xc3\xa9", 1); /* a sequence cut by n */
	json_array_end(&j);
	assert_string_equal(text(o), "[\"eth0\",\"ab\",\"\\ufffd\"]\n");
}

static void
non_finite_doubles_are_null(void **state)
{
	struct out *o = *state;
	struct json j;

	json_init(&j, o->f);
	json_array_begin(&j, NULL);
	json_double(&j, NULL, NAN, 1);
	json_double(&j, NULL, INFINITY, 1);
	json_double(&j, NULL, -2.25, 1);
	json_array_end(&j);
	assert_string_equal(text(o), "[null,null,-2.2]\n");
}

#define OUT_TEST(f) cmocka_unit_test_setup_teardown(f, out_setup, out_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		OUT_TEST(members_and_elements_get_commas),
		OUT_TEST(documents_are_separate_lines),
		OUT_TEST(strings_are_escaped),
		OUT_TEST(valid_utf8_passes_invalid_is_replaced),
		OUT_TEST(fixed_size_strings_stop_at_n),
		OUT_TEST(non_finite_doubles_are_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
