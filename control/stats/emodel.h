/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * emodel: the ITU-T G.107 E-model, reduced to what a media gateway can
 * observe (one-way delay and packet loss) with every other parameter at
 * its G.107 default, as G.107 allows:
 *
 *   R = Ro - Is - Id - Ie,eff + A          (G.107 clause 7)
 *   Ro - Is = 93.2 with the G.107 default values, A = 0
 *
 * Plain libc and no libm (rtpgw-control does not link it).
 */
#ifndef EMODEL_H
#define EMODEL_H

#include <stdbool.h>

/* R with no impairment at all: Ro - Is with G.107 default values. */
#define EMODEL_R_DEFAULT 93.2
/* Delays are clamped to this (ms) so that R stays finite. */
#define EMODEL_DELAY_MAX_MS 60000.0

struct emodel_in {
	double one_way_delay_ms; /* Ta, mouth to ear */
	double loss_pct;	 /* Ppl, packet loss in percent (0..100) */
	double burst_ratio;	 /* BurstR (G.107 Ie,eff); 1 = random loss */
	int codec_pt;		 /* RTP payload type: 0 PCMU, 8 PCMA, 18 G.729 */
	bool plc;		 /* G.711: packet loss concealment in use */
};

/*
 * Transmission rating R. Input checks (documented, never an error):
 * - a delay or loss that is negative or NaN counts as 0; a delay above
 *   EMODEL_DELAY_MAX_MS (or +inf) counts as that; a loss above 100 (or
 *   +inf) counts as 100;
 * - a burst ratio that is NaN, infinite or below 1 counts as 1 (random
 *   loss): values below 1 (loss more even than random) would only make R
 *   better than the random case and are not something we can measure;
 * - a payload type other than 18 uses the G.711 parameters.
 * The result is finite and may be below 0 (emodel_mos() maps it to 1);
 * it is at most EMODEL_R_DEFAULT.
 */
double emodel_r(const struct emodel_in *in);

/* Delay impairment Id (ms in, R points out), see emodel.c. */
double emodel_id(double one_way_delay_ms);

/*
 * Effective equipment impairment Ie,eff (G.107) of a codec with
 * impairment ie and packet-loss robustness bpl; loss and burst ratio are
 * cleaned as for emodel_r(). A bpl that is not above 0 makes any loss
 * cost the maximum (95).
 */
double emodel_ie_eff(double ie, double bpl, double loss_pct, double burst_ratio);

/*
 * MOS (conversational quality, estimated) from R, G.107 Annex B:
 * 1 for R < 0 (and NaN), 4.5 for R > 100, otherwise
 * 1 + 0.035 R + R (R - 60) (100 - R) 7e-6, never below 1 (the polynomial
 * dips to about 0.9 for 0 < R < 6.5; we keep 1, the floor of the scale).
 */
double emodel_mos(double r);

#endif /* EMODEL_H */
