/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/ng/bencode.c: well-formed values, then hostile
 * input: every truncation of a message, huge and malformed lengths, bad
 * integers (leading zeros, "-0", empty, out of int64), deep nesting,
 * non-string and duplicate keys, trailing bytes, the node limit, random
 * bytes and random mutations of a valid request (no crash, no read past
 * the input: run under the sanitizers too). The encoder's output decodes
 * back, and it reports overflow instead of writing past its buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../../../control/ng/bencode.h"

#define CAP 256

static int
dec(const char *s, struct benc_node *nd)
{
	return benc_decode(s, strlen(s), nd, CAP);
}

static void
scalars(void **state)
{
	struct benc_node nd[CAP];

	(void)state;
	assert_int_equal(dec("i0e", nd), 1);
	assert_int_equal(nd[0].type, BENC_INT);
	assert_int_equal(nd[0].i, 0);
	assert_int_equal(dec("i-42e", nd), 1);
	assert_int_equal(nd[0].i, -42);
	assert_int_equal(dec("i9223372036854775807e", nd), 1);
	assert_true(nd[0].i == INT64_MAX);
	assert_int_equal(dec("i-9223372036854775808e", nd), 1);
	assert_true(nd[0].i == INT64_MIN);
	assert_int_equal(dec("0:", nd), 1);
	assert_int_equal(nd[0].type, BENC_STR);
	assert_int_equal(nd[0].len, 0);
	assert_int_equal(dec("5:hello", nd), 1);
	assert_memory_equal(nd[0].s, "hello", 5);
	/* binary bytes are fine in a string */
	assert_int_equal(benc_decode("3:a\0b", 5, nd, CAP), 1);
	assert_int_equal(nd[0].len, 3);
}

static void
containers(void **state)
{
	const char *msg = "d7:command5:offer5:flagsl13:trust-address3:fooe3:numi7e4:dictd1:a1:bee";
	struct benc_node nd[CAP];
	const struct benc_node *v;
	char buf[16];

	(void)state;
	assert_int_equal(dec(msg, nd), 13);
	assert_int_equal(nd[0].type, BENC_DICT);
	assert_int_equal(nd[0].n, 8);
	assert_int_equal(nd[0].end, 13);
	v = benc_dict_str(nd, 0, "command");
	assert_non_null(v);
	assert_true(benc_str_eq(v, "offer"));
	assert_true(benc_str_caseeq(v, "OFFER"));
	assert_int_equal(benc_str_copy(v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "offer");
	assert_int_equal(benc_str_copy(v, buf, 5), -ENOSPC);
	v = benc_dict_get(nd, 0, "flags");
	assert_non_null(v);
	assert_int_equal(v->type, BENC_LIST);
	assert_int_equal(v->n, 2);
	assert_true(benc_str_eq(&nd[(v - nd) + 1], "trust-address"));
	assert_true(benc_str_eq(&nd[nd[(v - nd) + 1].end], "foo"));
	v = benc_dict_get(nd, 0, "num");
	assert_int_equal(v->type, BENC_INT);
	assert_int_equal(v->i, 7);
	assert_null(benc_dict_str(nd, 0, "num")); /* not a string */
	v = benc_dict_get(nd, 0, "dict");
	assert_int_equal(v->type, BENC_DICT);
	assert_true(benc_str_eq(benc_dict_get(nd, (uint32_t)(v - nd), "a"), "b"));
	assert_null(benc_dict_get(nd, 0, "missing"));
	assert_null(benc_dict_get(nd, 1, "command")); /* not a dictionary */
	assert_int_equal(dec("ldee", nd), 2);	      /* a list holding an empty dictionary */
	assert_int_equal(dec("le", nd), 1);
	assert_int_equal(dec("de", nd), 1);
	assert_int_equal(nd[0].n, 0);
}

static void
unsorted_keys_accepted(void **state)
{
	struct benc_node nd[CAP];

	(void)state;
	assert_int_equal(dec("d1:bi1e1:ai2ee", nd), 5);
	assert_int_equal(benc_dict_get(nd, 0, "a")->i, 2);
	assert_int_equal(benc_dict_get(nd, 0, "b")->i, 1);
}

static void
duplicate_and_bad_keys(void **state)
{
	struct benc_node nd[CAP];

	(void)state;
	assert_int_equal(dec("d1:ai1e1:ai2ee", nd), -EBADMSG);
	assert_int_equal(dec("d1:ai1e1:bi2e1:ai3ee", nd), -EBADMSG);
	/* the same key in two dictionaries is fine */
	assert_int_equal(dec("d1:ad1:ai1ee1:bd1:ai1eee", nd), 9);
	assert_int_equal(dec("di1ei2ee", nd), -EBADMSG); /* integer key */
	assert_int_equal(dec("dlei2ee", nd), -EBADMSG);	 /* list key */
	assert_int_equal(dec("d1:ae", nd), -EBADMSG);	 /* key without value */
	assert_int_equal(dec("d1:a", nd), -EBADMSG);
}

static void
bad_integers(void **state)
{
	static const char *const bad[] = {
		"ie",
		"i-e",
		"i-0e",
		"i03e",
		"i-03e",
		"i00e",
		"i1",
		"i1x",
		"i+1e",
		"i 1e",
		"i1.5e",
		"i9223372036854775808e",
		"i-9223372036854775809e",
		"i99999999999999999999999e",
		"i--1e",
		"i-",
		"i",
	};
	struct benc_node nd[CAP];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dec(bad[i], nd);

		if (rc != -EBADMSG)
			fail_msg("'%s' gave %d", bad[i], rc);
	}
}

static void
bad_strings(void **state)
{
	static const char *const bad[] = {
		"01:a",		"00:",		 "1:",		 "2:a",	   "5", ":", "-1:a", "1a",
		"1234567890:x", "999999999:abc", "4294967296:a", "3:abcd",
	};
	struct benc_node nd[CAP];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dec(bad[i], nd);

		if (rc != -EBADMSG)
			fail_msg("'%s' gave %d", bad[i], rc);
	}
}

static void
bad_structure(void **state)
{
	static const char *const bad[] = {
		"",	  "e",	   "x",	   "l",	    "d",      "lle",	 "li1e",
		"i1ei2e", "dei1e", "1:ae", "ldeee", "d3:foo", "l1:a1:b",
	};
	struct benc_node nd[CAP];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dec(bad[i], nd);

		if (rc != -EBADMSG)
			fail_msg("'%s' gave %d", bad[i], rc);
	}
}

static void
every_truncation_fails(void **state)
{
	const char *msg = "d7:call-id12:abc@203.0.117:command5:offer5:flagsl3:fooe"
			  "3:sdp10:v=0\r\nm=a 1e";
	struct benc_node nd[CAP];
	size_t len = strlen(msg), i;

	(void)state;
	assert_true(benc_decode(msg, len, nd, CAP) > 0);
	for (i = 0; i < len; i++) {
		int rc = benc_decode(msg, i, nd, CAP);

		if (rc >= 0)
			fail_msg("truncated at %zu decoded", i);
	}
}

static void
nesting(void **state)
{
	struct benc_node nd[CAP];
	char buf[2 * 100000 + 1];
	unsigned int d;

	(void)state;
	for (d = 1; d <= BENC_DEPTH_MAX + 1; d++) {
		memset(buf, 'l', d);
		memset(buf + d, 'e', d);
		assert_int_equal(benc_decode(buf, 2 * d, nd, CAP),
				 d <= BENC_DEPTH_MAX ? (int)d : -ELOOP);
	}
	/* very deep: refused at the limit, no recursion */
	memset(buf, 'l', 100000);
	memset(buf + 100000, 'e', 100000);
	assert_int_equal(benc_decode(buf, 200000, nd, CAP), -ELOOP);
	memset(buf, 'd', 100000);
	assert_int_equal(benc_decode(buf, 100000, nd, CAP), -EBADMSG); /* 'd' is no key */
}

static void
node_limit(void **state)
{
	struct benc_node nd[CAP + 1];
	char buf[4 * CAP + 8];
	size_t n = 0;
	unsigned int i;

	(void)state;
	buf[n++] = 'l';
	for (i = 0; i < CAP; i++) {
		memcpy(buf + n, "i1e", 3);
		n += 3;
	}
	buf[n++] = 'e';
	assert_int_equal(benc_decode(buf, n, nd, CAP), -E2BIG);
	assert_int_equal(benc_decode(buf, n, nd, CAP + 1), CAP + 1);
	assert_int_equal(benc_decode("i1e", 3, nd, 0), -E2BIG);
}

static uint32_t
lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void
random_input(void **state)
{
	const char *valid = "d7:command5:offer7:call-id3:abc8:from-tag2:ft3:sdp3:v=0"
			    "5:flagsl3:fooi-5ee7:replaced1:ai0eee";
	static const char alphabet[] = "ilde0123456789:-ax";
	struct benc_node nd[64];
	char buf[128];
	uint32_t seed = 12345;
	size_t vlen = strlen(valid);
	unsigned int i, j;

	(void)state;
	assert_true(benc_decode(valid, vlen, nd, 64) > 0);
	for (i = 0; i < 200000; i++) {
		size_t len = lcg(&seed) % sizeof(buf);
		int rc;

		if (i % 2) {
			/* a valid request with one to three bytes changed */
			memcpy(buf, valid, vlen);
			len = vlen;
			for (j = 0; j <= lcg(&seed) % 3; j++)
				buf[lcg(&seed) % vlen] =
					alphabet[lcg(&seed) % (sizeof(alphabet) - 1)];
		} else {
			for (j = 0; j < len; j++)
				buf[j] = alphabet[lcg(&seed) % (sizeof(alphabet) - 1)];
		}
		rc = benc_decode(buf, len, nd, 64);
		if (rc > 0) {
			/* consistent tree: every subtree ends inside the array */
			for (j = 0; j < (unsigned int)rc; j++)
				assert_true(nd[j].end > j && nd[j].end <= (uint32_t)rc);
			assert_int_equal(nd[0].end, (uint32_t)rc);
		} else {
			assert_true(rc == -EBADMSG || rc == -E2BIG || rc == -ELOOP);
		}
	}
}

static void
encoder(void **state)
{
	struct benc_node nd[CAP];
	struct benc_buf b;
	char mem[256];

	(void)state;
	benc_buf_init(&b, mem, sizeof(mem));
	benc_dict(&b);
	benc_kv_str(&b, "result", "ok");
	benc_kv_int(&b, "n", -12);
	benc_str(&b, "l");
	benc_list(&b);
	benc_strn(&b, "a\0b", 3);
	benc_end(&b);
	benc_end(&b);
	assert_false(b.overflow);
	assert_int_equal(b.len, strlen("d6:result2:ok1:ni-12e1:ll3:a") + 4);
	assert_memory_equal(b.p, "d6:result2:ok1:ni-12e1:ll3:a\0bee", b.len);
	assert_int_equal(benc_decode(b.p, b.len, nd, CAP), 8);
	assert_true(benc_str_eq(benc_dict_get(nd, 0, "result"), "ok"));
	/* a NUL inside cannot be copied as a C string */
	assert_int_equal(benc_str_copy(&nd[7], mem, sizeof(mem)), -ENOSPC);

	benc_buf_init(&b, mem, 8);
	benc_kv_str(&b, "result", "ok");
	assert_true(b.overflow);
	assert_true(b.len <= 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scalars),
		cmocka_unit_test(containers),
		cmocka_unit_test(unsorted_keys_accepted),
		cmocka_unit_test(duplicate_and_bad_keys),
		cmocka_unit_test(bad_integers),
		cmocka_unit_test(bad_strings),
		cmocka_unit_test(bad_structure),
		cmocka_unit_test(every_truncation_fails),
		cmocka_unit_test(nesting),
		cmocka_unit_test(node_limit),
		cmocka_unit_test(random_input),
		cmocka_unit_test(encoder),
	};

	return cmocka_run_group_tests_name("ng_bencode", tests, NULL, NULL);
}
