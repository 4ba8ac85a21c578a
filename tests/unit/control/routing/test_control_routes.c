/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/routing/routes.c: first match in configuration
 * order, no match, the next hop's host, port and transport (IPv4, IPv6,
 * DNS name), the callee's Request-URI, user parts a SIP URI cannot carry
 * (RFC 3261 section 25.1), buffers too small, long entries and bad
 * entries named in the error. Addresses come from the documentation
 * ranges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../../../control/routing/routes.h"

static struct config_route
entry(const char *pattern, const char *next_hop)
{
	struct config_route r;

	memset(&r, 0, sizeof(r));
	snprintf(r.pattern, sizeof(r.pattern), "%s", pattern);
	snprintf(r.next_hop, sizeof(r.next_hop), "%s", next_hop);
	return r;
}

static void
first_match_in_order(void **state)
{
	struct config_route cr[] = {
		entry("^1[0-9]{3}$", "sip:203.0.113.20:5060"),
		entry("^1", "sip:203.0.113.21"),
		entry("^[a-z]+$", "sip:pbx.example.net;transport=tcp"),
		entry("9", "sip:203.0.113.29"),
	};
	char err[CONFIG_ERR_MAX] = "";
	struct routes *rt = routes_create(cr, 4, err);
	const struct route *r;

	(void)state;
	assert_non_null(rt);
	assert_int_equal(routes_count(rt), 4);
	r = routes_match(rt, "1234");
	assert_non_null(r);
	assert_int_equal(route_index(r), 0);
	assert_string_equal(route_pattern(r), "^1[0-9]{3}$");
	assert_string_equal(route_next_hop(r), "sip:203.0.113.20:5060");
	r = routes_match(rt, "12345"); /* not 4 digits: the second entry */
	assert_non_null(r);
	assert_int_equal(route_index(r), 1);
	assert_int_equal(route_index(routes_match(rt, "alice")), 2);
	/* unanchored patterns match anywhere */
	assert_int_equal(route_index(routes_match(rt, "alice9")), 3);
	assert_int_equal(route_index(routes_match(rt, "1999")), 0);
	routes_destroy(rt);
}

static void
no_match(void **state)
{
	struct config_route cr[] = {
		entry("^1[0-9]{3}$", "sip:203.0.113.20"),
	};
	char err[CONFIG_ERR_MAX] = "";
	struct routes *rt = routes_create(cr, 1, err);
	struct routes *empty = routes_create(NULL, 0, err);

	(void)state;
	assert_non_null(rt);
	assert_null(routes_match(rt, "2000"));
	assert_null(routes_match(rt, "10000"));
	assert_null(routes_match(rt, ""));
	assert_non_null(empty);
	assert_int_equal(routes_count(empty), 0);
	assert_null(routes_match(empty, "1000"));
	routes_destroy(rt);
	routes_destroy(empty);
	routes_destroy(NULL);
}

static void
next_hop_parts(void **state)
{
	struct config_route cr[] = {
		entry("^a$", "sip:203.0.113.20"),
		entry("^b$", "sip:203.0.113.21:5070;transport=TCP"),
		entry("^c$", "sip:[2001:db8::1]:5070"),
		entry("^d$", "sip:[2001:db8::2];transport=udp"),
		entry("^e$", "sip:pbx.example.net;transport=tcp"),
	};
	char err[CONFIG_ERR_MAX] = "";
	struct routes *rt = routes_create(cr, 5, err);
	const struct route *r;

	(void)state;
	assert_non_null(rt);
	r = routes_match(rt, "a");
	assert_string_equal(route_host(r), "203.0.113.20");
	assert_int_equal(route_port(r), 5060);
	assert_int_equal(route_transport(r), ROUTE_UDP);
	r = routes_match(rt, "b");
	assert_string_equal(route_host(r), "203.0.113.21");
	assert_int_equal(route_port(r), 5070);
	assert_int_equal(route_transport(r), ROUTE_TCP);
	r = routes_match(rt, "c");
	assert_string_equal(route_host(r), "2001:db8::1");
	assert_int_equal(route_port(r), 5070);
	assert_int_equal(route_transport(r), ROUTE_UDP);
	r = routes_match(rt, "d");
	assert_string_equal(route_host(r), "2001:db8::2");
	assert_int_equal(route_port(r), 5060);
	assert_int_equal(route_transport(r), ROUTE_UDP);
	r = routes_match(rt, "e");
	assert_string_equal(route_host(r), "pbx.example.net");
	assert_int_equal(route_port(r), 5060);
	assert_int_equal(route_transport(r), ROUTE_TCP);
	routes_destroy(rt);
}

static void
request_uris(void **state)
{
	struct config_route cr[] = {
		entry("^a", "sip:203.0.113.20"),
		entry("^b", "sip:203.0.113.21:5070;transport=tcp"),
		entry("^c", "sip:[2001:db8::1]:5070"),
		entry("^d", "sip:[2001:db8::2]"),
		entry("^e", "sip:pbx.example.net;transport=udp"),
	};
	char err[CONFIG_ERR_MAX] = "", buf[128];
	struct routes *rt = routes_create(cr, 5, err);

	(void)state;
	assert_non_null(rt);
	assert_int_equal(route_request_uri(routes_match(rt, "a1"), "a1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:a1@203.0.113.20");
	assert_int_equal(route_request_uri(routes_match(rt, "b"), "b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:b@203.0.113.21:5070;transport=tcp");
	assert_int_equal(route_request_uri(routes_match(rt, "c"), "c", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:c@[2001:db8::1]:5070");
	assert_int_equal(route_request_uri(routes_match(rt, "d"), "d", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:d@[2001:db8::2]");
	assert_int_equal(route_request_uri(routes_match(rt, "e"), "e", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sip:e@pbx.example.net");
	/* every character class of the user grammar */
	assert_int_equal(route_request_uri(routes_match(rt, "a"), "aZ09-_.!~*'()&=+$,;?/%2f%4A",
					   buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "sip:aZ09-_.!~*'()&=+$,;?/%2f%4A@203.0.113.20");
	routes_destroy(rt);
}

static void
bad_users(void **state)
{
	static const char *const bad[] = {
		"",	"a b", "a@b", "a:b",  "a#b",  "a%",   "a%4",	  "a%4g",
		"a\"b", "a<b", "a>b", "a[b",  "a]b",  "a\\b", "a^b",	  "a`b",
		"a{b",	"a|b", "a}b", "a\tb", "a\rb", "a\nb", "\xc3\xa9",
	};
	struct config_route cr[] = {entry(".*", "sip:203.0.113.20")};
	char err[CONFIG_ERR_MAX] = "", buf[128];
	struct routes *rt = routes_create(cr, 1, err);
	const struct route *r;
	size_t i;

	(void)state;
	assert_non_null(rt);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = routes_match(rt, bad[i]);
		assert_non_null(r);
		memcpy(buf, "junk", 5);
		assert_int_equal(route_request_uri(r, bad[i], buf, sizeof(buf)), -EINVAL);
		assert_string_equal(buf, "");
	}
	assert_int_equal(route_request_uri(r, NULL, buf, sizeof(buf)), -EINVAL);
	routes_destroy(rt);
}

static void
buffers_too_small(void **state)
{
	struct config_route cr[] = {entry(".", "sip:[2001:db8::1]:5070;transport=tcp")};
	const char *want = "sip:1000@[2001:db8::1]:5070;transport=tcp";
	char err[CONFIG_ERR_MAX] = "", buf[128];
	struct routes *rt = routes_create(cr, 1, err);
	const struct route *r = routes_match(rt, "1000");
	size_t len = strlen(want);

	(void)state;
	assert_non_null(r);
	assert_int_equal(route_request_uri(r, "1000", buf, len + 1), 0);
	assert_string_equal(buf, want);
	assert_int_equal(route_request_uri(r, "1000", buf, len), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(route_request_uri(r, "1000", buf, 1), -ENOSPC);
	assert_string_equal(buf, "");
	assert_int_equal(route_request_uri(r, "1000", NULL, 0), -ENOSPC);
	routes_destroy(rt);
}

static void
long_strings(void **state)
{
	struct config_route cr[2];
	char err[CONFIG_ERR_MAX] = "", host[CONFIG_URI_MAX], user[600], buf[1024];
	char pattern[CONFIG_PATTERN_MAX];
	struct routes *rt;
	const struct route *r;

	(void)state;
	/* a next hop of CONFIG_URI_MAX - 1 bytes: a 123-byte DNS name */
	memset(host, 'a', 123);
	host[63] = '.';
	host[123] = '\0';
	memset(&cr, 0, sizeof(cr));
	snprintf(cr[0].next_hop, sizeof(cr[0].next_hop), "sip:%s", host);
	assert_int_equal(strlen(cr[0].next_hop), CONFIG_URI_MAX - 1);
	/* a pattern of CONFIG_PATTERN_MAX - 1 bytes: ^ then 126 x */
	memset(pattern, 'x', sizeof(pattern) - 1);
	pattern[0] = '^';
	pattern[sizeof(pattern) - 1] = '\0';
	memcpy(cr[0].pattern, pattern, sizeof(pattern));
	cr[1] = entry(".", "sip:203.0.113.20");
	rt = routes_create(cr, 2, err);
	assert_non_null(rt);
	/* a long user part */
	memset(user, 'x', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	r = routes_match(rt, user);
	assert_non_null(r);
	assert_int_equal(route_index(r), 0);
	assert_string_equal(route_host(r), host);
	assert_int_equal(route_request_uri(r, user, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), 4 + 599 + 1 + 123);
	assert_int_equal(route_request_uri(r, user, buf, 4 + 599 + 1 + 123), -ENOSPC);
	user[5] = 'y';
	assert_int_equal(route_index(routes_match(rt, user)), 1);
	routes_destroy(rt);
	/* an entry that fills its field unterminated is refused */
	memset(cr[0].pattern, 'x', sizeof(cr[0].pattern));
	errno = 0;
	assert_null(routes_create(cr, 2, err));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "route 1"));
}

static void
bad_entries_are_named(void **state)
{
	struct config_route cr[] = {
		entry("^1", "sip:203.0.113.20"),
		entry("^2", "sip:203.0.113.21"),
		entry("[0-9", "sip:203.0.113.22"),
	};
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	errno = 0;
	assert_null(routes_create(cr, 3, err));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "route 3"));
	assert_non_null(strstr(err, "[0-9"));
	cr[2] = entry("^3", "sip:203.0.113.300");
	err[0] = '\0';
	assert_null(routes_create(cr, 3, err));
	assert_non_null(strstr(err, "route 3"));
	assert_non_null(strstr(err, "sip:203.0.113.300"));
	cr[1] = entry("^2", "203.0.113.21");
	err[0] = '\0';
	assert_null(routes_create(cr, 3, err));
	assert_non_null(strstr(err, "route 2"));
	err[0] = '\0';
	assert_null(routes_create(cr, CONFIG_ROUTES_MAX + 1, err));
	assert_non_null(strstr(err, "routes"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_match_in_order),
		cmocka_unit_test(no_match),
		cmocka_unit_test(next_hop_parts),
		cmocka_unit_test(request_uris),
		cmocka_unit_test(bad_users),
		cmocka_unit_test(buffers_too_small),
		cmocka_unit_test(long_strings),
		cmocka_unit_test(bad_entries_are_named),
	};

	return cmocka_run_group_tests_name("control_routes", tests, NULL, NULL);
}
