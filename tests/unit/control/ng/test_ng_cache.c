/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/ng/ng_cache.c: a reply comes back byte for byte
 * by its cookie, expires after the lifetime (in insertion order, without
 * timers), a full cache drops its oldest entry, a cookie put again is
 * replaced, bad cookies are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../../../control/ng/ng_cache.h"

static void
same_bytes(void **state)
{
	struct ng_cache *nc = ng_cache_create(16, 30000);
	const char rep[] = "k1 d6:result4:ponge\0binary";
	struct ng_cache_stats st;
	const void *p;
	size_t len = 0;

	(void)state;
	assert_non_null(nc);
	assert_null(ng_cache_get(nc, "k1", 2, &len, 1000));
	assert_int_equal(ng_cache_put(nc, "k1", 2, rep, sizeof(rep), 1000), 0);
	p = ng_cache_get(nc, "k1", 2, &len, 1500);
	assert_non_null(p);
	assert_int_equal(len, sizeof(rep));
	assert_memory_equal(p, rep, sizeof(rep));
	assert_null(ng_cache_get(nc, "k2", 2, &len, 1500));
	assert_null(ng_cache_get(nc, "k", 1, &len, 1500));
	assert_null(ng_cache_get(nc, "k12", 3, &len, 1500));
	ng_cache_stats(nc, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.hits, 1);
	ng_cache_destroy(nc);
}

static void
expiry(void **state)
{
	struct ng_cache *nc = ng_cache_create(1000, 30000);
	struct ng_cache_stats st;
	size_t len;
	char ck[16];
	int i;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(ck, sizeof(ck), "c%d", i);
		assert_int_equal(ng_cache_put(nc, ck, strlen(ck), "x", 1, (uint64_t)i * 100), 0);
	}
	/* at 30000 + 4950 the first 50 (t < 5000) are 30 s old */
	assert_null(ng_cache_get(nc, "c0", 2, &len, 30000 + 4950));
	assert_null(ng_cache_get(nc, "c49", 3, &len, 30000 + 4950));
	assert_non_null(ng_cache_get(nc, "c50", 3, &len, 30000 + 4950));
	ng_cache_stats(nc, &st);
	assert_int_equal(st.entries, 50);
	assert_int_equal(st.expired, 50);
	ng_cache_expire(nc, 1000000);
	ng_cache_stats(nc, &st);
	assert_int_equal(st.entries, 0);
	assert_null(ng_cache_get(nc, "c99", 3, &len, 1000000));
	ng_cache_destroy(nc);
}

static void
bounded(void **state)
{
	struct ng_cache *nc = ng_cache_create(8, 30000);
	struct ng_cache_stats st;
	size_t len;
	char ck[16];
	int i;

	(void)state;
	for (i = 0; i < 20; i++) {
		snprintf(ck, sizeof(ck), "c%d", i);
		assert_int_equal(ng_cache_put(nc, ck, strlen(ck), ck, strlen(ck), 5), 0);
	}
	ng_cache_stats(nc, &st);
	assert_int_equal(st.entries, 8);
	assert_int_equal(st.evicted, 12);
	assert_null(ng_cache_get(nc, "c11", 3, &len, 6));
	assert_non_null(ng_cache_get(nc, "c12", 3, &len, 6));
	assert_non_null(ng_cache_get(nc, "c19", 3, &len, 6));
	ng_cache_destroy(nc);
}

static void
replace_and_bad(void **state)
{
	struct ng_cache *nc = ng_cache_create(8, 30000);
	char longck[NG_COOKIE_MAX + 2];
	const char *p;
	size_t len;

	(void)state;
	assert_int_equal(ng_cache_put(nc, "a", 1, "first", 5, 0), 0);
	assert_int_equal(ng_cache_put(nc, "a", 1, "2nd", 3, 1), 0);
	p = ng_cache_get(nc, "a", 1, &len, 2);
	assert_int_equal(len, 3);
	assert_memory_equal(p, "2nd", 3);
	assert_int_equal(ng_cache_put(nc, "a", 1, "longer one", 10, 3), 0);
	p = ng_cache_get(nc, "a", 1, &len, 4);
	assert_int_equal(len, 10);
	assert_memory_equal(p, "longer one", 10);
	memset(longck, 'x', sizeof(longck));
	assert_int_equal(ng_cache_put(nc, longck, sizeof(longck), "x", 1, 5), -EINVAL);
	assert_int_equal(ng_cache_put(nc, "", 0, "x", 1, 5), -EINVAL);
	assert_null(ng_cache_get(nc, longck, sizeof(longck), &len, 5));
	assert_null(ng_cache_create(0, 1));
	ng_cache_destroy(nc);
	ng_cache_destroy(NULL);
}

static void
many(void **state)
{
	struct ng_cache *nc = ng_cache_create(65536, 30000);
	struct ng_cache_stats st;
	size_t len;
	char ck[24];
	unsigned int i;

	(void)state;
	/* 200k puts at 10/ms: bounded, oldest gone first, lookups still hit */
	for (i = 0; i < 200000; i++) {
		snprintf(ck, sizeof(ck), "%u_%u", i, i * 7);
		assert_int_equal(ng_cache_put(nc, ck, strlen(ck), ck, strlen(ck), i / 10), 0);
	}
	ng_cache_stats(nc, &st);
	assert_int_equal(st.entries, 65536);
	snprintf(ck, sizeof(ck), "%u_%u", 199999u, 199999u * 7);
	assert_non_null(ng_cache_get(nc, ck, strlen(ck), &len, 20000));
	ng_cache_destroy(nc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_bytes), cmocka_unit_test(expiry),
		cmocka_unit_test(bounded),    cmocka_unit_test(replace_and_bad),
		cmocka_unit_test(many),
	};

	return cmocka_run_group_tests_name("ng_cache", tests, NULL, NULL);
}
