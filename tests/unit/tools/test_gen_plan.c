/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgw-gen's port plan (tools/rtpgw-gen/gen.h,
 * gen_stream_addr): stream i -> (gateway address, UDP port). Every stream
 * of a plan gets a distinct (address, port) pair, all ports even offsets
 * from the base and within 65535, addresses filled in order; 100,000
 * streams fit 5 addresses from the default base 20000.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../../tools/rtpgw-gen/gen.h"

static void
first_address_then_the_next(void **state)
{
	uint32_t a;

	(void)state;
	assert_int_equal(GEN_PER_GW(20000), 22768);
	assert_int_equal(gen_stream_addr(20000, 0, &a), 20000);
	assert_int_equal(a, 0);
	assert_int_equal(gen_stream_addr(20000, 1, &a), 20002);
	assert_int_equal(a, 0);
	assert_int_equal(gen_stream_addr(20000, 22767, &a), 65534);
	assert_int_equal(a, 0);
	assert_int_equal(gen_stream_addr(20000, 22768, &a), 20000);
	assert_int_equal(a, 1);
	assert_int_equal(gen_stream_addr(20000, 99999, &a), 20000 + 2 * (99999 - 4 * 22768));
	assert_int_equal(a, 4);
}

static void
capacity(void **state)
{
	(void)state;
	assert_int_equal(gen_streams_cap(20000, 0), 22768); /* 0 counts as 1 */
	assert_int_equal(gen_streams_cap(20000, 1), 22768);
	assert_true(gen_streams_cap(20000, 4) < 100000);
	assert_true(gen_streams_cap(20000, 5) >= 100000);
	/* odd base: the last port is 65535 */
	assert_int_equal(GEN_PER_GW(65535), 1);
	assert_int_equal(GEN_PER_GW(65534), 1);
	assert_int_equal(GEN_PER_GW(1), 32768);
	assert_true(gen_streams_cap(1024, GEN_GW_MAX) >= GEN_STREAMS_MAX);
}

/* Distinct (address, port), ports in range and of the base's parity. */
static void
pairs_are_distinct(void **state)
{
	static const uint16_t bases[] = {1, 1024, 20000, 20001, 65000};
	uint8_t *seen = calloc((size_t)GEN_GW_MAX * 65536, 1);

	(void)state;
	assert_non_null(seen);
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		uint16_t base = bases[b];
		uint32_t n = gen_streams_cap(base, GEN_GW_MAX);

		if (n > GEN_STREAMS_MAX)
			n = GEN_STREAMS_MAX;
		memset(seen, 0, (size_t)GEN_GW_MAX * 65536);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t a, prev_a = 0;
			uint16_t p = gen_stream_addr(base, i, &a);

			if (i > 0)
				gen_stream_addr(base, i - 1, &prev_a);
			assert_true(a < GEN_GW_MAX);
			assert_true(a == prev_a || a == prev_a + 1);
			assert_true(p >= base);
			assert_int_equal((p - base) % 2, 0);
			assert_false(seen[(size_t)a * 65536 + p]);
			seen[(size_t)a * 65536 + p] = 1;
		}
	}
	free(seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_address_then_the_next),
		cmocka_unit_test(capacity),
		cmocka_unit_test(pairs_are_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
