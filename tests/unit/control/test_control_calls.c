/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/calls/calls.c (the call table: ids, lookups by id
 * and by either leg's Call-ID, removal, ids after recovery, counts) and
 * control/rooms.c (the rooms control created in the dataplane).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../../control/calls/calls.h"
#include "../../../control/rooms.h"

static void
ids_are_unique_and_found(void **state)
{
	struct calls *cs = calls_create(4); /* small: chains are exercised */
	struct call *c[100];
	unsigned int i;

	(void)state;
	assert_non_null(cs);
	for (i = 0; i < 100; i++) {
		c[i] = calls_add(cs, CALL_ROOM, 1, 0);
		assert_non_null(c[i]);
		assert_int_equal(c[i]->id, i + 1);
	}
	assert_int_equal(calls_count(cs), 100);
	for (i = 0; i < 100; i++)
		assert_ptr_equal(calls_find(cs, i + 1), c[i]);
	assert_null(calls_find(cs, 101));
	/* removal from the middle keeps the others findable and listed */
	calls_del(cs, c[50]);
	assert_null(calls_find(cs, 51));
	assert_ptr_equal(calls_find(cs, 52), c[51]);
	i = 0;
	for (struct call *x = calls_first(cs); x; x = x->next)
		i++;
	assert_int_equal(i, 99);
	calls_destroy(cs);
}

static void
callids_index_both_legs(void **state)
{
	struct calls *cs = calls_create(64);
	struct call *a, *b;
	struct call_leg *l;

	(void)state;
	a = calls_add(cs, CALL_RELAY, 2, 0);
	b = calls_add(cs, CALL_ROOM, 1, 0);
	assert_int_equal(calls_set_callid(cs, &a->leg[0], "caller@x"), 0);
	assert_int_equal(calls_set_callid(cs, &a->leg[1], "callee@y"), 0);
	assert_int_equal(calls_set_callid(cs, &b->leg[0], "room@z"), 0);
	/* a Call-ID is one dialog's: a second leg cannot take it */
	assert_int_equal(calls_set_callid(cs, &b->leg[1], "caller@x"), -EEXIST);
	assert_int_equal(calls_set_callid(cs, &b->leg[1], ""), -EINVAL);
	l = calls_find_callid(cs, "callee@y", 8);
	assert_ptr_equal(l, &a->leg[1]);
	assert_ptr_equal(l->call, a);
	assert_ptr_equal(calls_find_callid(cs, "caller@x", 8), &a->leg[0]);
	/* length matters, not a prefix */
	assert_null(calls_find_callid(cs, "caller@", 7));
	/* renaming re-indexes */
	assert_int_equal(calls_set_callid(cs, &b->leg[0], "room2@z"), 0);
	assert_null(calls_find_callid(cs, "room@z", 6));
	assert_ptr_equal(calls_find_callid(cs, "room2@z", 7), &b->leg[0]);
	calls_del(cs, a);
	assert_null(calls_find_callid(cs, "caller@x", 8));
	assert_null(calls_find_callid(cs, "callee@y", 8));
	calls_destroy(cs);
}

static void
recovered_ids_are_kept_and_skipped(void **state)
{
	struct calls *cs = calls_create(16);
	struct call *c;

	(void)state;
	c = calls_add(cs, CALL_ROOM, 1, 7);
	assert_non_null(c);
	assert_int_equal(c->id, 7);
	assert_null(calls_add(cs, CALL_ROOM, 1, 7));
	assert_int_equal(errno, EEXIST);
	/* new ids continue after the highest recovered one */
	c = calls_add(cs, CALL_ROOM, 1, 0);
	assert_int_equal(c->id, 8);
	assert_null(calls_add(cs, CALL_ROOM, 3, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(calls_add(cs, CALL_ROOM, 1, 1u << 31));
	calls_destroy(cs);
}

static void
counts_follow_states(void **state)
{
	struct calls *cs = calls_create(16);
	struct calls_counts n;
	struct call *a, *b, *c;

	(void)state;
	a = calls_add(cs, CALL_ROOM, 1, 0);
	b = calls_add(cs, CALL_RELAY, 2, 0);
	c = calls_add(cs, CALL_RELAY, 2, 0);
	a->state = CALL_ACTIVE;
	b->state = CALL_ACTIVE;
	c->state = CALL_EARLY;
	calls_counts(cs, &n);
	assert_int_equal(n.active_room, 1);
	assert_int_equal(n.active_relay, 1);
	assert_int_equal(n.early, 1);
	assert_int_equal(n.started, 3);
	calls_count_ended(cs);
	calls_del(cs, c);
	calls_counts(cs, &n);
	assert_int_equal(n.early, 0);
	assert_int_equal(n.ended, 1);
	assert_string_equal(call_state_name(CALL_ACTIVE), "active");
	assert_string_equal(call_dir_name(CALL_INACTIVE), "inactive");
	assert_string_equal(call_state_name(9), "?");
	calls_destroy(cs);
}

static void
rooms_are_added_found_and_removed(void **state)
{
	struct rooms *rs = rooms_create();
	struct room *r1, *r2;

	(void)state;
	assert_non_null(rs);
	r1 = rooms_add(rs, 1);
	r2 = rooms_add(rs, 2);
	assert_int_equal(rooms_count(rs), 2);
	assert_ptr_equal(rooms_lookup(rs, 1), r1);
	assert_ptr_equal(rooms_lookup(rs, 2), r2);
	assert_null(rooms_lookup(rs, 3));
	rooms_del(rs, r1);
	assert_null(rooms_lookup(rs, 1));
	assert_ptr_equal(rooms_first(rs), r2);
	assert_int_equal(rooms_count(rs), 1);
	rooms_destroy(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ids_are_unique_and_found),
		cmocka_unit_test(callids_index_both_legs),
		cmocka_unit_test(recovered_ids_are_kept_and_skipped),
		cmocka_unit_test(counts_follow_states),
		cmocka_unit_test(rooms_are_added_found_and_removed),
	};

	return cmocka_run_group_tests_name("control_calls", tests, NULL, NULL);
}
