/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgwctl's JSON reader (tools/rtpgwctl/json_read.c): the
 * documents rtpgw-control sends, every value type, the escapes (\uXXXX and
 * surrogate pairs to UTF-8), every error path with its offset, the depth
 * limit (and input far deeper than it, which must not recurse) and text
 * that is not NUL-terminated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../tools/rtpgwctl/json_read.h"

static struct jr_doc *
parse_ok(const char *text)
{
	char err[JR_ERR_MAX] = "";
	struct jr_doc *d = jr_parse(text, strlen(text), err, sizeof(err));

	if (d == NULL)
		fail_msg("'%s': %s", text, err);
	return d;
}

/* Parse fails with EINVAL and an error starting "offset OFF: " containing what. */
static void
parse_bad(const char *text, size_t len, size_t off, const char *what)
{
	char err[JR_ERR_MAX] = "";
	char want[32];
	struct jr_doc *d;

	errno = 0;
	d = jr_parse(text, len, err, sizeof(err));
	if (d != NULL) {
		jr_free(d);
		fail_msg("'%.*s' accepted", (int)len, text);
	}
	assert_int_equal(errno, EINVAL);
	snprintf(want, sizeof(want), "offset %zu: ", off);
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, what) == NULL)
		fail_msg("'%.*s': got '%s', want '%s%s'", (int)len, text, err, want, what);
}

#define BAD(text, off, what) parse_bad(text, strlen(text), off, what)

static const char calls_doc[] =
	"{\"calls\":[{\"id\":7,\"kind\":\"relay\",\"state\":\"active\",\"room\":null,"
	"\"route\":0,\"held\":false,\"recovered\":true,\"start_ms\":1764298800123,"
	"\"duration_s\":12.34,\"end_reason\":null,"
	"\"quality\":{\"packets\":1227,\"lost\":-1,\"rtt_ms\":null,\"mos\":4.39},"
	"\"legs\":[{\"call_id\":\"a@b\",\"peer\":\"203.0.113.7\"},{\"peer\":null}]}]}\n";

static void
control_document_parses(void **state)
{
	struct jr_doc *d = parse_ok(calls_doc);
	const struct jr_value *root = jr_root(d);
	const struct jr_value *calls, *c, *q;
	double v = 0;
	bool b = true;

	(void)state;
	assert_true(jr_is_object(root));
	assert_int_equal(root->len, 1);
	calls = jr_get(root, "calls");
	assert_true(jr_is_array(calls));
	assert_int_equal(calls->len, 1);
	c = jr_at(calls, 0);
	assert_non_null(c);
	assert_null(jr_at(calls, 1));
	assert_true(jr_num(jr_get(c, "id"), &v));
	assert_true(v == 7.0);
	assert_string_equal(jr_str(jr_get(c, "kind")), "relay");
	assert_true(jr_is_null(jr_get(c, "room")));
	assert_true(jr_num(jr_get(c, "route"), &v));
	assert_true(v == 0.0);
	assert_true(jr_bool(jr_get(c, "held"), &b));
	assert_false(b);
	assert_true(jr_bool(jr_get(c, "recovered"), &b));
	assert_true(b);
	assert_true(jr_num(jr_get(c, "start_ms"), &v));
	assert_true(v == 1764298800123.0);
	assert_true(jr_num(jr_get(c, "duration_s"), &v));
	assert_true(v == 12.34);
	q = jr_get(c, "quality");
	assert_true(jr_num(jr_get(q, "lost"), &v));
	assert_true(v == -1.0);
	assert_true(jr_is_null(jr_get(q, "rtt_ms")));
	assert_false(jr_num(jr_get(q, "rtt_ms"), &v));
	assert_string_equal(jr_str(jr_get(jr_at(jr_get(c, "legs"), 0), "peer")), "203.0.113.7");
	assert_true(jr_is_null(jr_get(jr_at(jr_get(c, "legs"), 1), "peer")));
	assert_null(jr_get(c, "missing"));
	/* members keep their order and keys */
	assert_string_equal(jr_at(c, 0)->key, "id");
	assert_string_equal(jr_at(c, 1)->key, "kind");
	jr_free(d);
}

static void
scalars_and_empty_containers(void **state)
{
	struct jr_doc *d;
	double v = 0;

	(void)state;
	d = parse_ok("  null ");
	assert_true(jr_is_null(jr_root(d)));
	jr_free(d);
	d = parse_ok("\t\r\n42\n");
	assert_true(jr_num(jr_root(d), &v));
	assert_true(v == 42.0);
	jr_free(d);
	d = parse_ok("\"\"");
	assert_string_equal(jr_str(jr_root(d)), "");
	assert_int_equal(jr_root(d)->len, 0);
	jr_free(d);
	d = parse_ok("[ ]");
	assert_true(jr_is_array(jr_root(d)));
	assert_int_equal(jr_root(d)->len, 0);
	assert_null(jr_root(d)->child);
	jr_free(d);
	d = parse_ok("{ }");
	assert_true(jr_is_object(jr_root(d)));
	assert_int_equal(jr_root(d)->len, 0);
	jr_free(d);
	d = parse_ok("[[],{},[[]],{\"a\":{}}]");
	assert_int_equal(jr_root(d)->len, 4);
	assert_true(jr_is_object(jr_get(jr_at(jr_root(d), 3), "a")));
	jr_free(d);
}

static void
numbers_follow_the_grammar(void **state)
{
	static const struct {
		const char *text;
		double v;
	} ok[] = {
		{"0", 0},	{"-0", 0},	{"1e3", 1000},
		{"1E+3", 1000}, {"15e-1", 1.5}, {"-12.25", -12.25},
		{"0.5", 0.5},	{"1e-400", 0},	{"123456789012", 123456789012.0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct jr_doc *d = parse_ok(ok[i].text);
		double v = -1;

		assert_true(jr_num(jr_root(d), &v));
		if (v != ok[i].v)
			fail_msg("'%s' gave %g", ok[i].text, v);
		jr_free(d);
	}
	BAD("01", 0, "leading zero");
	BAD("-01", 0, "leading zero");
	BAD("+1", 0, "expected a value");
	BAD("1.", 0, "digits must follow '.'");
	BAD(".5", 0, "expected a value");
	BAD("1e", 0, "digits must follow the exponent");
	BAD("1e+", 0, "digits must follow the exponent");
	BAD("-", 0, "invalid number");
	BAD("-a", 0, "invalid number");
	BAD("1e400", 0, "out of range");
	BAD("-1e400", 0, "out of range");
	BAD("NaN", 0, "expected a value");
	BAD("Infinity", 0, "expected a value");
	BAD("[1,0x10]", 4, "expected ',' or ']'");
	BAD("1234567890123456789012345678901234567890123456789012345678901234567890", 0,
	    "longer than");
}

static void
escapes_decode_to_utf8(void **state)
{
	struct jr_doc *d;

	(void)state;
	d = parse_ok("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t\"");
	assert_string_equal(jr_str(jr_root(d)), "q\" b\\ s/ \b\f\n\r\t");
	jr_free(d);
	d = parse_ok("\"\\u0041\\u00e9\\u20AC\\ud83d\\ude00\\u0001\"");
	assert_string_equal(jr_str(jr_root(d)), "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x01");
	assert_int_equal(jr_root(d)->len, 1 + 2 + 3 + 4 + 1);
	jr_free(d);
	/* raw UTF-8 passes unchanged, keys are decoded too */
	d = parse_ok("{\"k\\u00e9\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
	assert_string_equal(jr_str(jr_get(jr_root(d), "k\xc3\xa9")),
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	jr_free(d);
}

static void
bad_strings_rejected(void **state)
{
	(void)state;
	BAD("\"abc", 0, "unterminated string");
	BAD("[\"abc\\", 1, "unterminated string");
	BAD("\"a\nb\"", 2, "control character");
	BAD("\"a\x01\"", 2, "control character");
	BAD("\"\\x\"", 1, "invalid escape '\\x'");
	BAD("\"\\'\"", 1, "invalid escape");
	BAD("\"\\u12G4\"", 1, "invalid \\u escape");
	BAD("\"\\u12\"", 1, "invalid \\u escape");
	BAD("\"\\udc00\"", 1, "lone low surrogate");
	BAD("\"\\ud83d\"", 1, "without its low surrogate");
	BAD("\"\\ud83dx\\ude00\"", 1, "without its low surrogate");
	BAD("\"\\ud83d\\u0041\"", 1, "without its low surrogate");
	BAD("\"a\\u0000b\"", 2, "\\u0000");
	BAD("\"\xc0\x80\"", 1, "invalid UTF-8");	 /* overlong NUL */
	BAD("\"\xe0\x80\xaf\"", 1, "invalid UTF-8");	 /* overlong '/' */
	BAD("\"\xed\xa0\x80\"", 1, "invalid UTF-8");	 /* encoded surrogate */
	BAD("\"\xf4\x90\x80\x80\"", 1, "invalid UTF-8"); /* beyond U+10FFFF */
	BAD("\"\xff\"", 1, "invalid UTF-8");
	BAD("\"\xc3\"", 1, "invalid UTF-8"); /* truncated sequence */
	BAD("'a'", 0, "expected a value");
}

static void
bad_structure_rejected(void **state)
{
	(void)state;
	BAD("", 0, "empty document");
	BAD("   ", 3, "unexpected end");
	BAD("[1,]", 3, "expected a value");
	BAD("{\"a\":1,}", 7, "expected a member name");
	BAD("{\"a\" 1}", 5, "expected ':'");
	BAD("{\"a\"", 4, "expected ':'");
	BAD("{a:1}", 1, "expected a member name");
	BAD("{'a':1}", 1, "expected a member name");
	BAD("{1:1}", 1, "expected a member name");
	BAD("[1 2]", 3, "expected ',' or ']'");
	BAD("{\"a\":1 \"b\":2}", 7, "expected ',' or '}'");
	BAD("[1}", 2, "expected ',' or ']'");
	BAD("{\"a\":1]", 6, "expected ',' or '}'");
	BAD("[", 1, "unexpected end");
	BAD("[1,", 3, "unexpected end");
	BAD("{\"a\":", 5, "unexpected end");
	BAD("{} x", 3, "unexpected text after");
	BAD("1 2", 2, "unexpected text after");
	BAD("[]]", 2, "unexpected text after");
	BAD("tru", 0, "expected true");
	BAD("trUe", 0, "expected true");
	BAD("nul", 0, "expected null");
	BAD("[fals]", 1, "expected false");
	BAD("/* c */ 1", 0, "expected a value");
	BAD("[,1]", 1, "expected a value");
	BAD("{,}", 1, "expected a member name");
	BAD(":", 0, "expected a value");
}

static void
depth_is_limited(void **state)
{
	char text[2 * (JR_DEPTH_MAX + 1) + 1];
	struct jr_doc *d;
	char *deep;
	size_t i;

	(void)state;
	for (i = 0; i < JR_DEPTH_MAX; i++) {
		text[i] = '[';
		text[JR_DEPTH_MAX + i] = ']';
	}
	text[2 * JR_DEPTH_MAX] = '\0';
	d = parse_ok(text);
	jr_free(d);
	/* one more level: refused where it opens */
	for (i = 0; i <= JR_DEPTH_MAX; i++) {
		text[i] = '[';
		text[JR_DEPTH_MAX + 1 + i] = ']';
	}
	text[2 * (JR_DEPTH_MAX + 1)] = '\0';
	parse_bad(text, strlen(text), JR_DEPTH_MAX, "nested deeper than");
	/* objects count the same */
	{
		char obj[6 * (JR_DEPTH_MAX + 1) + 2];
		size_t o = 0;

		for (i = 0; i <= JR_DEPTH_MAX; i++) {
			memcpy(obj + o, "{\"a\":", 5);
			o += 5;
		}
		obj[o] = '\0';
		parse_bad(obj, o, 5 * JR_DEPTH_MAX, "nested deeper than");
	}
	/* far deeper than any stack would take by recursion */
	deep = malloc(1000000);
	assert_non_null(deep);
	memset(deep, '[', 1000000);
	parse_bad(deep, 1000000, JR_DEPTH_MAX, "nested deeper than");
	free(deep);
}

static void
text_need_not_be_nul_terminated(void **state)
{
	const char text[] = "[1,2]xyz";
	char err[JR_ERR_MAX];
	struct jr_doc *d;

	(void)state;
	d = jr_parse(text, 5, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(jr_root(d)->len, 2);
	jr_free(d);
	/* a string running to the end of the given length is unterminated */
	parse_bad("\"ab\"", 3, 0, "unterminated string");
	parse_bad("\"\\u00e9\"", 5, 1, "invalid \\u escape");
	parse_bad("123", 0, 0, "empty document");
}

static void
accessors_check_types(void **state)
{
	struct jr_doc *d = parse_ok("{\"s\":\"x\",\"n\":1,\"t\":true,\"a\":[5],\"o\":{},"
				    "\"s\":\"second\"}");
	const struct jr_value *root = jr_root(d);
	double v = 0;
	bool b = false;

	(void)state;
	/* duplicate names are kept; jr_get() finds the first */
	assert_int_equal(root->len, 6);
	assert_string_equal(jr_str(jr_get(root, "s")), "x");
	assert_null(jr_str(jr_get(root, "n")));
	assert_false(jr_num(jr_get(root, "s"), &v));
	assert_false(jr_bool(jr_get(root, "n"), &b));
	assert_false(jr_is_null(jr_get(root, "n")));
	assert_false(jr_is_array(jr_get(root, "o")));
	assert_false(jr_is_object(jr_get(root, "a")));
	assert_null(jr_get(jr_get(root, "a"), "x")); /* not an object */
	assert_null(jr_at(jr_get(root, "s"), 0));    /* not a container */
	assert_true(jr_num(jr_at(jr_get(root, "a"), 0), &v));
	assert_true(v == 5.0);
	assert_string_equal(jr_str(jr_at(root, 5)), "second");
	/* NULL is tolerated everywhere */
	assert_null(jr_get(NULL, "x"));
	assert_null(jr_at(NULL, 0));
	assert_null(jr_str(NULL));
	assert_false(jr_num(NULL, &v));
	assert_false(jr_bool(NULL, &b));
	assert_false(jr_is_null(NULL));
	assert_null(jr_root(NULL));
	jr_free(d);
	jr_free(NULL);
}

static void
large_documents_parse(void **state)
{
	size_t n = 200000, i, o = 0;
	char *text = malloc(n * 16 + 16);
	struct jr_doc *d;
	const struct jr_value *v;
	double x = 0;

	(void)state;
	assert_non_null(text);
	text[o++] = '[';
	for (i = 0; i < n; i++)
		o += (size_t)sprintf(text + o, "%s{\"i\":%zu}", i ? "," : "", i);
	text[o++] = ']';
	d = jr_parse(text, o, NULL, 0);
	assert_non_null(d);
	assert_int_equal(jr_root(d)->len, n);
	for (i = 0, v = jr_root(d)->child; v != NULL; v = v->next, i++) {
		assert_true(jr_num(jr_get(v, "i"), &x));
		assert_true(x == (double)i);
	}
	assert_int_equal(i, n);
	jr_free(d);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(control_document_parses),
		cmocka_unit_test(scalars_and_empty_containers),
		cmocka_unit_test(numbers_follow_the_grammar),
		cmocka_unit_test(escapes_decode_to_utf8),
		cmocka_unit_test(bad_strings_rejected),
		cmocka_unit_test(bad_structure_rejected),
		cmocka_unit_test(depth_is_limited),
		cmocka_unit_test(text_need_not_be_nul_terminated),
		cmocka_unit_test(accessors_check_types),
		cmocka_unit_test(large_documents_parse),
	};

	return cmocka_run_group_tests_name("rtpgwctl_json_read", tests, NULL, NULL);
}
