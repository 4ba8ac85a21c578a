/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * No-drop rate search (see ndr.h).
 */
#include "ndr.h"

void
ndr_init(struct ndr *n, double rate_min, double rate_max, double precision)
{
	*n = (struct ndr){
		.rate_min = rate_min,
		.rate_max = rate_max < rate_min ? rate_min : rate_max,
		.precision = precision > 0 ? precision : 0.01,
	};
}

double
ndr_next(struct ndr *n)
{
	if (n->done)
		return 0;
	if (n->trials == 0) {
		n->current = n->rate_max;
	} else if (n->fail == 0) {
		/* rate_max passed */
		n->done = true;
		return 0;
	} else if (n->pass == 0 && n->fail <= n->rate_min) {
		/* rate_min itself failed */
		n->done = true;
		return 0;
	} else {
		double lo = n->pass > 0 ? n->pass : n->rate_min;

		if (n->fail - lo <= n->precision * n->fail) {
			if (n->pass > 0 || n->min_tried) {
				n->done = true;
				return 0;
			}
			/* nothing passed yet and the bracket closed on the
			 * minimum, which has not been tried */
			n->current = n->rate_min;
			n->min_tried = true;
			return n->current;
		}
		n->current = (lo + n->fail) / 2;
	}
	return n->current;
}

void
ndr_report(struct ndr *n, bool passed)
{
	n->trials++;
	if (passed) {
		if (n->current > n->pass)
			n->pass = n->current;
	} else if (n->fail == 0 || n->current < n->fail) {
		n->fail = n->current;
	}
	if (n->current <= n->rate_min && !passed)
		n->min_tried = true;
}

double
ndr_result(const struct ndr *n)
{
	return n->pass;
}
