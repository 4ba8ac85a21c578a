/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgw-gen's no-drop rate search (tools/rtpgw-gen/ndr.c,
 * RFC 2544 section 26.1) on synthetic loss functions: a trial passes when
 * its rate is at most a threshold. The search must end within its
 * precision below the threshold, never report a rate that failed, stop at
 * once when the maximum passes, and report 0 when even the minimum fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "../../../tools/rtpgw-gen/ndr.h"

/* Runs the search against "passes iff rate <= threshold"; returns the
 * result and the number of trials. */
static double
search(double min, double max, double precision, double threshold, unsigned int *trials)
{
	struct ndr n;
	double rate;
	unsigned int guard = 0;

	ndr_init(&n, min, max, precision);
	while ((rate = ndr_next(&n)) > 0 && guard++ < 1000) {
		assert_true(rate >= min && rate <= max);
		ndr_report(&n, rate <= threshold);
	}
	*trials = n.trials;
	return ndr_result(&n);
}

static void
converges_within_precision_below_threshold(void **state)
{
	static const double thresholds[] = {1234.5, 50000, 123456, 777777, 999000};
	unsigned int trials;

	(void)state;
	for (unsigned int k = 0; k < sizeof(thresholds) / sizeof(thresholds[0]); k++) {
		double t = thresholds[k];
		double r = search(1000, 1e6, 0.01, t, &trials);

		assert_true(r <= t);
		assert_true(r >= t * (1 - 0.01) - 1e-6);
		/* bisection: log2(1e6 / (0.01 * t)) + 2 steps at most */
		assert_true(trials <= (unsigned int)ceil(log2(1e6 / (0.01 * t))) + 2);
	}
}

static void
finer_precision_gets_closer(void **state)
{
	unsigned int trials;
	double r = search(1, 1e7, 0.001, 3141592, &trials);

	(void)state;
	assert_true(r <= 3141592);
	assert_true(r >= 3141592 * 0.999);
}

static void
max_passing_ends_after_one_trial(void **state)
{
	unsigned int trials;
	double r = search(100, 5000, 0.01, 1e9, &trials);

	(void)state;
	assert_true(r == 5000);
	assert_int_equal(trials, 1);
}

static void
min_failing_reports_zero(void **state)
{
	unsigned int trials;
	double r = search(100, 5000, 0.01, 50, &trials);

	(void)state;
	assert_true(r == 0);
	assert_true(trials < 20);
}

static void
only_min_passing_reports_min(void **state)
{
	unsigned int trials;
	double r = search(100, 5000, 0.05, 100, &trials);

	(void)state;
	assert_true(r == 100);
	assert_true(trials < 20);
}

/* A noisy device: passes below the threshold only every other time it is
 * asked near it. The search still never reports a failed rate. */
static void
never_reports_a_failed_rate(void **state)
{
	struct ndr n;
	double rate, failed_min = 1e18;
	unsigned int k = 0;

	(void)state;
	ndr_init(&n, 1000, 1e6, 0.01);
	while ((rate = ndr_next(&n)) > 0 && k < 1000) {
		bool pass = rate <= 400000 && (rate < 350000 || (k++ & 1));

		if (!pass && rate < failed_min)
			failed_min = rate;
		ndr_report(&n, pass);
	}
	assert_true(ndr_result(&n) < failed_min);
	assert_true(ndr_result(&n) > 0);
	assert_true(ndr_next(&n) == 0); /* done stays done */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(converges_within_precision_below_threshold),
		cmocka_unit_test(finer_precision_gets_closer),
		cmocka_unit_test(max_passing_ends_after_one_trial),
		cmocka_unit_test(min_failing_reports_zero),
		cmocka_unit_test(only_min_passing_reports_min),
		cmocka_unit_test(never_reports_a_failed_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
