/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mixer's entry point in the worker loop (see mixer.c).
 */
#ifndef RTPGW_MIXER_H
#define RTPGW_MIXER_H

struct worker;

#include <stdbool.h>

/* Once per loop iteration: the agent's commands, packets handed over by
 * other workers, and the ticks of the conferences this worker owns.
 * Returns whether it did any of that work (for the busy-cycle count). */
bool mixer_poll(struct worker *w);

#endif /* RTPGW_MIXER_H */
