/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/stats/emodel.c against values computed by hand
 * from the formulas of G.107 and G.113 Appendix I (G.711: Ie 0, Bpl 25.1
 * with PLC, 4.3 without; G.729A: Ie 11, Bpl 19):
 *   perfect path  R = 93.2, MOS = 1 + 3.262 + 93.2 * 33.2 * 6.8 * 7e-6
 *   1 % random    Ie,eff = 95 * 1 / (1 + 25.1) = 3.6398
 *   300 ms        Id = 0.024 * 300 + 0.11 * 122.7 = 20.697
 * and the input cleaning documented in emodel.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "../../../../control/stats/emodel.h"

#define R_EPS	0.001
#define MOS_EPS 0.001

static void
assert_near(double got, double want, double eps)
{
	if (fabs(got - want) > eps)
		fail_msg("got %.6f, want %.6f (+- %g)", got, want, eps);
}

static double
r_of(double delay_ms, double loss_pct, double burst, int pt, bool plc)
{
	struct emodel_in in = {
		.one_way_delay_ms = delay_ms,
		.loss_pct = loss_pct,
		.burst_ratio = burst,
		.codec_pt = pt,
		.plc = plc,
	};

	return emodel_r(&in);
}

static void
perfect_path_is_93_2(void **state)
{
	double r = r_of(0, 0, 1, 0, true);

	(void)state;
	assert_near(r, 93.2, R_EPS);
	assert_near(emodel_mos(r), 4.4093, MOS_EPS);
	/* PCMA is G.711 as well, with or without PLC when nothing is lost */
	assert_near(r_of(0, 0, 1, 8, false), 93.2, R_EPS);
}

static void
random_loss_g711_plc(void **state)
{
	double r;

	(void)state;
	/* 1 %: 93.2 - 95 / 26.1 */
	r = r_of(0, 1, 1, 0, true);
	assert_near(r, 89.5602, R_EPS);
	assert_near(emodel_mos(r), 4.3281, MOS_EPS);
	/* 5 %: 93.2 - 475 / 30.1 */
	r = r_of(0, 5, 1, 0, true);
	assert_near(r, 77.4193, R_EPS);
	assert_near(emodel_mos(r), 3.9228, MOS_EPS);
	/* 20 %: 93.2 - 1900 / 45.1 */
	r = r_of(0, 20, 1, 8, true);
	assert_near(r, 51.0714, R_EPS);
	assert_near(emodel_mos(r), 2.6313, MOS_EPS);
}

static void
loss_without_plc_and_bursts_cost_more(void **state)
{
	(void)state;
	/* 1 % without PLC: 93.2 - 95 / 5.3 */
	assert_near(r_of(0, 1, 1, 0, false), 75.2755, R_EPS);
	/* 5 % with BurstR 2: 93.2 - 475 / (2.5 + 25.1) */
	assert_near(r_of(0, 5, 2, 0, true), 75.9899, R_EPS);
	assert_true(r_of(0, 5, 2, 0, true) < r_of(0, 5, 1, 0, true));
}

static void
g729_parameters(void **state)
{
	(void)state;
	assert_near(r_of(0, 0, 1, 18, true), 82.2, R_EPS);
	/* 2 %: 93.2 - 11 - 84 * 2 / (2 + 19) = 74.2 */
	assert_near(r_of(0, 2, 1, 18, false), 74.2, R_EPS);
	/* an unknown payload type is rated as G.711 */
	assert_near(r_of(0, 1, 1, 96, true), 89.5602, R_EPS);
}

static void
delay_impairment(void **state)
{
	double r;

	(void)state;
	assert_near(emodel_id(0), 0.0, 1e-9);
	/* below the knee: 0.024 per ms */
	assert_near(emodel_id(150), 3.6, 1e-9);
	assert_near(emodel_id(177.3), 4.2552, 1e-9);
	/* 300 ms: 7.2 + 0.11 * 122.7 */
	assert_near(emodel_id(300), 20.697, 1e-9);
	r = r_of(300, 0, 1, 0, true);
	assert_near(r, 72.503, R_EPS);
	assert_near(emodel_mos(r), 3.7121, MOS_EPS);
	/* delay and loss add up */
	assert_near(r_of(300, 1, 1, 0, true), 93.2 - 20.697 - 3.6398, R_EPS);
}

static void
mos_clamps(void **state)
{
	(void)state;
	assert_near(emodel_mos(-5), 1.0, 1e-12);
	assert_near(emodel_mos(0), 1.0, 1e-12);
	assert_near(emodel_mos(NAN), 1.0, 1e-12);
	assert_near(emodel_mos(-INFINITY), 1.0, 1e-12);
	assert_near(emodel_mos(100), 4.5, 1e-12);
	assert_near(emodel_mos(120), 4.5, 1e-12);
	assert_near(emodel_mos(INFINITY), 4.5, 1e-12);
	/* 50: 1 + 1.75 + 50 * -10 * 50 * 7e-6 */
	assert_near(emodel_mos(50), 2.575, 1e-9);
	/* the polynomial is below 1 up to R = 6.5 (at 3: 0.9889): floored */
	assert_near(emodel_mos(3), 1.0, 1e-12);
	assert_near(emodel_mos(6.5), 1.0, 1e-12);
	/* 6.6: 1 + 0.231 - 6.6 * 53.4 * 93.4 * 7e-6 = 1.00057 */
	assert_near(emodel_mos(6.6), 1.00057, 1e-5);
	/* non-decreasing everywhere, increasing above the floor */
	for (int r = 1; r <= 120; r++) {
		assert_true(emodel_mos(r) >= emodel_mos(r - 1));
		if (r >= 7 && r <= 100)
			assert_true(emodel_mos(r) > emodel_mos(r - 1));
	}
}

static void
bad_input_is_cleaned(void **state)
{
	double r;

	(void)state;
	/* negative or NaN delay and loss count as 0 */
	assert_near(r_of(-20, -3, 1, 0, true), 93.2, R_EPS);
	assert_near(r_of(NAN, NAN, 1, 0, true), 93.2, R_EPS);
	/* a NaN, infinite, zero or below-1 burst ratio counts as random */
	assert_near(r_of(0, 5, NAN, 0, true), 77.4193, R_EPS);
	assert_near(r_of(0, 5, INFINITY, 0, true), 77.4193, R_EPS);
	assert_near(r_of(0, 5, 0, 0, true), 77.4193, R_EPS);
	assert_near(r_of(0, 5, 0.5, 0, true), 77.4193, R_EPS);
	/* loss above 100 % counts as 100 %: 93.2 - 9500 / 125.1 */
	assert_near(r_of(0, 150, 1, 0, true), 17.2608, R_EPS);
	assert_near(r_of(0, INFINITY, 1, 0, true), 17.2608, R_EPS);
	/* an infinite delay is clamped: R stays finite, MOS is 1 */
	r = r_of(INFINITY, 0, 1, 0, true);
	assert_true(isfinite(r));
	assert_near(r, r_of(EMODEL_DELAY_MAX_MS, 0, 1, 0, true), 1e-9);
	assert_near(emodel_mos(r), 1.0, 1e-12);
	/* Ie,eff without a usable Bpl: any loss is the maximum */
	assert_near(emodel_ie_eff(0, 0, 1, 1), 95.0, 1e-9);
	assert_near(emodel_ie_eff(0, 0, 0, 1), 0.0, 1e-9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(perfect_path_is_93_2),
		cmocka_unit_test(random_loss_g711_plc),
		cmocka_unit_test(loss_without_plc_and_bursts_cost_more),
		cmocka_unit_test(g729_parameters),
		cmocka_unit_test(delay_impairment),
		cmocka_unit_test(mos_clamps),
		cmocka_unit_test(bad_input_is_cleaned),
	};

	return cmocka_run_group_tests_name("control_emodel", tests, NULL, NULL);
}
