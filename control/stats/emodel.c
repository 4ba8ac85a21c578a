/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simplified ITU-T G.107 E-model (see emodel.h).
 *
 * Delay impairment. G.107 (delay impairment factor Id) defines
 * Id = Idte + Idle + Idd. With the default echo parameters, and without
 * libm (Idd for Ta > 100 ms needs a logarithm and sixth roots), we use the
 * linear fit of the G.107 curve for the default parameters published by
 * Cole and Rosenbluth ("Voice over IP performance monitoring", ACM CCR
 * 31(2), 2001):
 *
 *   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)
 *
 * with d the one-way mouth-to-ear delay in ms and H the unit step: 0.024
 * R points per ms up to 177.3 ms, 0.134 beyond. No impairment is charged
 * at d = 0, so that R = 93.2 on a perfect path.
 *
 * Equipment impairment: G.113 Appendix I for Ie and Bpl of the codecs we
 * know; G.107 (effective equipment impairment factor Ie,eff) for the
 * effect of packet loss.
 */
#include <math.h>

#include "emodel.h"

#define EMODEL_ID_KNEE_MS 177.3

struct emodel_codec {
	double ie;	   /* G.113 Appendix I */
	double bpl;	   /* G.113 Appendix I, with PLC where the codec has one */
	double bpl_no_plc; /* G.711 without concealment, random loss */
};

/* G.711 (PT 0 and 8): Ie 0; Bpl 25.1 with PLC (G.711 Appendix I), 4.3
 * without. */
static const struct emodel_codec emodel_g711 = { 0.0, 25.1, 4.3 };
/* G.729A with VAD: Ie 11, Bpl 19.0 (its concealment is built in). */
static const struct emodel_codec emodel_g729 = { 11.0, 19.0, 19.0 };

static double
emodel_clean(double v, double max)
{
	/* NaN compares false with everything, hence the form of the test */
	if (!(v > 0.0))
		return 0.0;
	if (v > max)
		return max;
	return v;
}

double
emodel_id(double one_way_delay_ms)
{
	double d = emodel_clean(one_way_delay_ms, EMODEL_DELAY_MAX_MS);
	double id = 0.024 * d;

	if (d > EMODEL_ID_KNEE_MS)
		id += 0.11 * (d - EMODEL_ID_KNEE_MS);
	return id;
}

double
emodel_ie_eff(double ie, double bpl, double loss_pct, double burst_ratio)
{
	double ppl = emodel_clean(loss_pct, 100.0);
	double burst = burst_ratio;

	if (!isfinite(burst) || burst < 1.0)
		burst = 1.0;
	if (!(bpl > 0.0))
		return ie + (ppl > 0.0 ? 95.0 - ie : 0.0);
	/* G.107 Ie,eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl) */
	return ie + (95.0 - ie) * ppl / (ppl / burst + bpl);
}

double
emodel_r(const struct emodel_in *in)
{
	const struct emodel_codec *c = &emodel_g711;
	double bpl;

	if (in->codec_pt == 18)
		c = &emodel_g729;
	bpl = in->plc ? c->bpl : c->bpl_no_plc;
	/* G.107: R = Ro - Is - Id - Ie,eff + A, Ro - Is = 93.2, A = 0 */
	return EMODEL_R_DEFAULT - emodel_id(in->one_way_delay_ms) -
	       emodel_ie_eff(c->ie, bpl, in->loss_pct, in->burst_ratio);
}

double
emodel_mos(double r)
{
	double mos;

	if (!(r > 0.0))
		return 1.0;
	if (r > 100.0)
		return 4.5;
	/* G.107 Annex B; the polynomial dips below 1 for 0 < R < 6.5 */
	mos = 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
	return mos < 1.0 ? 1.0 : mos;
}
