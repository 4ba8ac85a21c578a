/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/media/ports.c: range checks, even ports handed out
 * in order then round-robin, exhaustion (0 and a counter), the quarantine
 * to the millisecond and in release order, reserving free, quarantined,
 * used, odd and out-of-range ports, bad frees, a pool of one port and the
 * full default range 30000-39998.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../../../control/media/ports.h"

static void
range_must_be_even_and_ordered(void **state)
{
	struct ports *p;

	(void)state;
	errno = 0;
	assert_null(ports_create(30001, 30010, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(ports_create(30000, 30011, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(ports_create(30010, 30000, 0));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(ports_create(0, 10, 0)); /* 0 means "none" */
	assert_int_equal(errno, EINVAL);
	p = ports_create(2, 65534, 0);
	assert_non_null(p);
	assert_int_equal(ports_alloc(p, 0), 2);
	ports_destroy(p);
	ports_destroy(NULL);
}

static void
exhaustion_gives_zero_and_counts(void **state)
{
	struct ports *p = ports_create(30000, 30004, 1000);
	struct ports_stats st;

	(void)state;
	assert_non_null(p);
	assert_int_equal(ports_alloc(p, 0), 30000);
	assert_int_equal(ports_alloc(p, 0), 30002);
	assert_int_equal(ports_alloc(p, 0), 30004);
	assert_int_equal(ports_alloc(p, 0), 0);
	assert_int_equal(ports_alloc(p, 5), 0);
	ports_stats(p, 5, &st);
	assert_int_equal(st.total, 3);
	assert_int_equal(st.in_use, 3);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.quarantined, 0);
	assert_int_equal(st.allocs, 3);
	assert_int_equal(st.exhausted, 2);
	/* a released port in quarantine does not end the exhaustion */
	ports_free(p, 30002, 10);
	assert_int_equal(ports_alloc(p, 10), 0);
	assert_int_equal(ports_alloc(p, 1009), 0);
	ports_stats(p, 1009, &st);
	assert_int_equal(st.exhausted, 4);
	assert_int_equal(st.quarantined, 1);
	assert_int_equal(ports_alloc(p, 1010), 30002);
	ports_destroy(p);
}

static void
quarantine_to_the_millisecond(void **state)
{
	struct ports *p = ports_create(40000, 40002, 10000);
	struct ports_stats st;

	(void)state;
	assert_int_equal(ports_alloc(p, 0), 40000);
	assert_int_equal(ports_alloc(p, 0), 40002);
	ports_free(p, 40002, 5000);
	ports_free(p, 40000, 5001);
	ports_stats(p, 14999, &st);
	assert_int_equal(st.quarantined, 2);
	assert_int_equal(st.free, 0);
	assert_int_equal(ports_alloc(p, 14999), 0);
	/* 40002 is out at 15000 sharp, 40000 one millisecond later */
	assert_int_equal(ports_alloc(p, 15000), 40002);
	assert_int_equal(ports_alloc(p, 15000), 0);
	ports_stats(p, 15000, &st);
	assert_int_equal(st.quarantined, 1);
	assert_int_equal(ports_alloc(p, 15001), 40000);
	ports_stats(p, 15001, &st);
	assert_int_equal(st.quarantined, 0);
	assert_int_equal(st.in_use, 2);
	assert_int_equal(st.frees, 2);
	ports_destroy(p);
}

static void
quarantine_zero_is_immediate(void **state)
{
	struct ports *p = ports_create(40000, 40002, 0);

	(void)state;
	assert_int_equal(ports_alloc(p, 7), 40000);
	assert_int_equal(ports_alloc(p, 7), 40002);
	ports_free(p, 40000, 7);
	assert_int_equal(ports_alloc(p, 7), 40000);
	ports_destroy(p);
}

static void
round_robin_order(void **state)
{
	struct ports *p = ports_create(30000, 30006, 100);
	struct ports_stats st;

	(void)state;
	/* fresh pool: in range order */
	assert_int_equal(ports_alloc(p, 0), 30000);
	assert_int_equal(ports_alloc(p, 0), 30002);
	/* released ones go behind the never used ones, in release order */
	ports_free(p, 30002, 0);
	ports_free(p, 30000, 1);
	assert_int_equal(ports_alloc(p, 200), 30004);
	assert_int_equal(ports_alloc(p, 200), 30006);
	assert_int_equal(ports_alloc(p, 200), 30002);
	assert_int_equal(ports_alloc(p, 200), 30000);
	/* a port freed and quarantine passed joins the tail, not the head */
	ports_free(p, 30004, 300);
	ports_free(p, 30006, 300);
	ports_free(p, 30002, 300);
	assert_int_equal(ports_alloc(p, 400), 30004);
	ports_free(p, 30004, 400);
	assert_int_equal(ports_alloc(p, 500), 30006);
	assert_int_equal(ports_alloc(p, 500), 30002);
	assert_int_equal(ports_alloc(p, 500), 30004);
	ports_stats(p, 500, &st);
	assert_int_equal(st.in_use, 4);
	assert_int_equal(st.free, 0);
	ports_destroy(p);
}

static void
reserve(void **state)
{
	struct ports *p = ports_create(30000, 30008, 1000);
	struct ports_stats st;

	(void)state;
	/* odd, below, above: -ERANGE */
	assert_int_equal(ports_reserve(p, 30001), -ERANGE);
	assert_int_equal(ports_reserve(p, 29998), -ERANGE);
	assert_int_equal(ports_reserve(p, 30010), -ERANGE);
	assert_int_equal(ports_reserve(p, 0), -ERANGE);
	assert_int_equal(ports_reserve(p, 65535), -ERANGE);
	/* free, from the middle of the free FIFO */
	assert_int_equal(ports_reserve(p, 30004), 0);
	assert_int_equal(ports_reserve(p, 30004), -EBUSY);
	/* allocation skips it */
	assert_int_equal(ports_alloc(p, 0), 30000);
	assert_int_equal(ports_alloc(p, 0), 30002);
	assert_int_equal(ports_alloc(p, 0), 30006);
	assert_int_equal(ports_reserve(p, 30006), -EBUSY);
	/* the head and the tail of the free FIFO */
	assert_int_equal(ports_reserve(p, 30008), 0);
	assert_int_equal(ports_alloc(p, 0), 0);
	/* quarantined: taken out of the quarantine FIFO (head, middle, tail) */
	ports_free(p, 30000, 10);
	ports_free(p, 30002, 20);
	ports_free(p, 30006, 30);
	ports_free(p, 30008, 40);
	assert_int_equal(ports_reserve(p, 30002), 0);
	assert_int_equal(ports_reserve(p, 30000), 0);
	assert_int_equal(ports_reserve(p, 30008), 0);
	ports_stats(p, 40, &st);
	assert_int_equal(st.quarantined, 1);
	assert_int_equal(st.in_use, 4);
	assert_int_equal(ports_alloc(p, 1029), 0);
	assert_int_equal(ports_alloc(p, 1030), 30006);
	ports_stats(p, 1030, &st);
	assert_int_equal(st.in_use, 5);
	assert_int_equal(st.quarantined, 0);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.allocs, 9); /* 4 allocs + 5 reserves */
	/* a reserved port is freed like an allocated one */
	ports_free(p, 30004, 2000);
	assert_int_equal(ports_alloc(p, 3000), 30004);
	ports_stats(p, 3000, &st);
	assert_int_equal(st.bad_frees, 0);
	ports_destroy(p);
}

static void
bad_frees_are_counted_and_ignored(void **state)
{
	struct ports *p = ports_create(30000, 30004, 100);
	struct ports_stats st;

	(void)state;
	assert_int_equal(ports_alloc(p, 0), 30000);
	ports_free(p, 30002, 0); /* never allocated */
	ports_free(p, 30001, 0); /* odd */
	ports_free(p, 29998, 0); /* below */
	ports_free(p, 30006, 0); /* above */
	ports_free(p, 0, 0);
	ports_free(p, 30000, 0);
	ports_free(p, 30000, 0);   /* twice: in quarantine */
	ports_free(p, 30000, 200); /* thrice: free again */
	ports_stats(p, 200, &st);
	assert_int_equal(st.bad_frees, 7);
	assert_int_equal(st.frees, 1);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.free, 3);
	/* the pool is intact: three ports, each once */
	assert_int_equal(ports_alloc(p, 200), 30002);
	assert_int_equal(ports_alloc(p, 200), 30004);
	assert_int_equal(ports_alloc(p, 200), 30000);
	assert_int_equal(ports_alloc(p, 200), 0);
	ports_destroy(p);
}

static void
pool_of_one_port(void **state)
{
	struct ports *p = ports_create(50000, 50000, 500);
	struct ports_stats st;

	(void)state;
	assert_non_null(p);
	ports_stats(p, 0, &st);
	assert_int_equal(st.total, 1);
	assert_int_equal(ports_reserve(p, 50002), -ERANGE);
	assert_int_equal(ports_alloc(p, 0), 50000);
	assert_int_equal(ports_alloc(p, 0), 0);
	ports_free(p, 50000, 100);
	assert_int_equal(ports_alloc(p, 599), 0);
	assert_int_equal(ports_alloc(p, 600), 50000);
	ports_free(p, 50000, 700);
	assert_int_equal(ports_reserve(p, 50000), 0);
	assert_int_equal(ports_reserve(p, 50000), -EBUSY);
	ports_stats(p, 10000, &st);
	assert_int_equal(st.in_use, 1);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.quarantined, 0);
	assert_int_equal(st.exhausted, 2);
	ports_destroy(p);
}

/* The k-th port released in full_default_range: odd slots, then even ones. */
static uint16_t
release_order(uint32_t k)
{
	uint32_t slot = k < 2500 ? 2 * k + 1 : 2 * (k - 2500);

	return (uint16_t)(30000 + 2 * slot);
}

static void
full_default_range(void **state)
{
	struct ports *p = ports_create(30000, 39998, 10000);
	struct ports_stats st;
	uint32_t k;

	(void)state;
	assert_non_null(p);
	ports_stats(p, 0, &st);
	assert_int_equal(st.total, 5000);
	assert_int_equal(st.free, 5000);
	for (k = 0; k < 5000; k++)
		assert_int_equal(ports_alloc(p, k), 30000 + 2 * k);
	assert_int_equal(ports_alloc(p, 5000), 0);
	/* release all in another order, one a millisecond */
	for (k = 0; k < 5000; k++)
		ports_free(p, release_order(k), 10000 + k);
	ports_stats(p, 19999, &st);
	assert_int_equal(st.quarantined, 5000);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.free, 0);
	ports_stats(p, 20000, &st);
	assert_int_equal(st.quarantined, 4999);
	assert_int_equal(st.free, 1);
	/* handed out again in release order */
	for (k = 0; k < 5000; k++)
		assert_int_equal(ports_alloc(p, 30000), release_order(k));
	assert_int_equal(ports_alloc(p, 30000), 0);
	ports_stats(p, 30000, &st);
	assert_int_equal(st.in_use, 5000);
	assert_int_equal(st.allocs, 10000);
	assert_int_equal(st.frees, 5000);
	assert_int_equal(st.exhausted, 2);
	assert_int_equal(st.bad_frees, 0);
	ports_destroy(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(range_must_be_even_and_ordered),
		cmocka_unit_test(exhaustion_gives_zero_and_counts),
		cmocka_unit_test(quarantine_to_the_millisecond),
		cmocka_unit_test(quarantine_zero_is_immediate),
		cmocka_unit_test(round_robin_order),
		cmocka_unit_test(reserve),
		cmocka_unit_test(bad_frees_are_counted_and_ignored),
		cmocka_unit_test(pool_of_one_port),
		cmocka_unit_test(full_default_range),
	};

	return cmocka_run_group_tests_name("control_ports", tests, NULL, NULL);
}
