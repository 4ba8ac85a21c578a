/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * No-drop rate search (RFC 2544 section 26.1: the highest offered rate at
 * which no frame is lost over a trial of fixed length), as a pure state
 * machine so that it is unit tested on a synthetic loss function
 * (tests/unit/tools/test_gen_ndr.c). The caller runs a trial at
 * ndr_next()'s rate and reports whether it passed (loss within the
 * tolerance and the rate actually offered); the search first tries the
 * maximum, then bisects between the highest pass and the lowest fail until
 * they are within the relative precision, and finally tries the minimum
 * when nothing passed. No DPDK types.
 */
#ifndef RTPGW_GEN_NDR_H
#define RTPGW_GEN_NDR_H

#include <stdbool.h>

struct ndr {
	double rate_min;  /* pps, > 0 */
	double rate_max;  /* pps, >= rate_min */
	double precision; /* relative: stop when (fail - pass) <= precision * fail */
	double pass;      /* highest rate that passed, 0 = none yet */
	double fail;      /* lowest rate that failed, 0 = none yet */
	double current;   /* the rate ndr_next() returned last */
	unsigned int trials;
	bool min_tried;
	bool done;
};

void ndr_init(struct ndr *n, double rate_min, double rate_max, double precision);
/* The next trial's rate, or 0 when the search is over (see ndr_result). */
double ndr_next(struct ndr *n);
/* The outcome of the trial at the rate ndr_next() returned. */
void ndr_report(struct ndr *n, bool passed);
/* The no-drop rate found; 0 when even rate_min lost packets. */
double ndr_result(const struct ndr *n);

#endif /* RTPGW_GEN_NDR_H */
