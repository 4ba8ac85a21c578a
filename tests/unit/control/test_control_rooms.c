/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/rooms.c: the media port allocator (even ports only,
 * lowest free first, exhaustion, reuse after free, out-of-range frees
 * ignored) and the room and participant records (lookup by Call-ID, ports
 * released with their participant and with their room).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../../control/rooms.h"

static void
range_must_be_even_and_ordered(void **state)
{
	(void)state;
	assert_null(rooms_create(30001, 30010));
	assert_int_equal(errno, EINVAL);
	assert_null(rooms_create(30010, 30000));
	assert_null(rooms_create(30000, 30000));
}

static void
ports_are_even_lowest_first_until_exhausted(void **state)
{
	struct rooms *rs = rooms_create(30000, 30004);

	(void)state;
	assert_non_null(rs);
	assert_int_equal(rooms_port_alloc(rs), 30000);
	assert_int_equal(rooms_port_alloc(rs), 30002);
	assert_int_equal(rooms_port_alloc(rs), 30004);
	assert_int_equal(rooms_port_alloc(rs), 0);
	rooms_port_free(rs, 30002);
	rooms_port_free(rs, 30003); /* odd: ignored */
	rooms_port_free(rs, 29998); /* out of range: ignored */
	rooms_port_free(rs, 30006);
	assert_int_equal(rooms_port_alloc(rs), 30002);
	assert_int_equal(rooms_port_alloc(rs), 0);
	rooms_destroy(rs);
}

static struct room_part
part(const char *callid, uint16_t port)
{
	struct room_part p;

	memset(&p, 0, sizeof(p));
	snprintf(p.callid, sizeof(p.callid), "%s", callid);
	p.local_port = port;
	snprintf(p.peer_ip, sizeof(p.peer_ip), "198.51.100.1");
	p.peer_port = 40000;
	return p;
}

static void
participants_are_found_by_callid(void **state)
{
	struct rooms *rs = rooms_create(30000, 30010);
	struct room *r1, *r2, *found = NULL;
	struct room_part p;

	(void)state;
	r1 = rooms_add(rs, 1);
	r2 = rooms_add(rs, 2);
	assert_non_null(r1);
	assert_non_null(r2);
	assert_ptr_equal(rooms_lookup(rs, 2), r2);
	assert_null(rooms_lookup(rs, 3));
	assert_int_equal(rooms_count(rs), 2);
	p = part("a@198.51.100.1", rooms_port_alloc(rs));
	assert_int_equal(rooms_part_add(r1, &p), 0);
	p = part("b@198.51.100.2", rooms_port_alloc(rs));
	assert_int_equal(rooms_part_add(r2, &p), 0);
	assert_non_null(rooms_part_lookup(rs, "b@198.51.100.2", &found));
	assert_ptr_equal(found, r2);
	assert_null(rooms_part_lookup(rs, "c@198.51.100.3", NULL));
	rooms_destroy(rs);
}

static void
leaving_frees_the_port(void **state)
{
	struct rooms *rs = rooms_create(30000, 30002);
	struct room_part p, *q;
	struct room *r;

	(void)state;
	r = rooms_add(rs, 7);
	p = part("a", rooms_port_alloc(rs));
	assert_int_equal(rooms_part_add(r, &p), 0);
	p = part("b", rooms_port_alloc(rs));
	assert_int_equal(rooms_part_add(r, &p), 0);
	assert_int_equal(rooms_port_alloc(rs), 0);
	q = rooms_part_lookup(rs, "a", NULL);
	rooms_part_del(rs, r, q);
	assert_int_equal(r->n_parts, 1);
	assert_int_equal(rooms_port_alloc(rs), 30000);
	rooms_port_free(rs, 30000);
	/* deleting the room frees its participants' ports */
	rooms_del(rs, r);
	assert_int_equal(rooms_count(rs), 0);
	assert_int_equal(rooms_port_alloc(rs), 30000);
	assert_int_equal(rooms_port_alloc(rs), 30002);
	rooms_destroy(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(range_must_be_even_and_ordered),
		cmocka_unit_test(ports_are_even_lowest_first_until_exhausted),
		cmocka_unit_test(participants_are_found_by_callid),
		cmocka_unit_test(leaving_frees_the_port),
	};

	return cmocka_run_group_tests_name("control_rooms", tests, NULL, NULL);
}
