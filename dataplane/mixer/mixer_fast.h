/* SPDX-License-Identifier: BSD-3-Clause */
/* rtpgw: worker path */
/*
 * The relay pipeline's door into the mixer (worker side): a packet that
 * reached a participant's MIX flow, already checked and counted by the
 * relay (source, RTP or RTCP validity, RFC 3550 statistics), is tagged
 * with its participant and handed to the conference's owner worker: at
 * once when that is this worker, else over the owner's handoff ring.
 */
#ifndef RTPGW_MIXER_FAST_H
#define RTPGW_MIXER_FAST_H

#include <stdbool.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "flow/flow.h"
#include "mixer/conf.h"
#include "worker/worker.h"

/* Owner side: consume a tagged packet (mixer.c). */
void mixer_input(struct worker *w, struct rte_mbuf *m);

/* Tag: participant index and generation (stale after a LEAVE), RTCP bit. */
static inline void
mixer_tag(struct rte_mbuf *m, uint32_t part, uint32_t gen, bool is_rtcp)
{
	m->hash.fdir.lo = part;
	m->hash.fdir.hi = gen << 1 | (is_rtcp ? 1 : 0);
}

/* Returns false when the owner's ring is full (the caller counts it). */
static inline bool
mixer_handoff(struct worker *w, struct rte_mbuf *m, const struct flow *f, bool is_rtcp)
{
	const struct conf_pools *cp = w->dp->confs;
	const struct part *p = &cp->parts[f->part_idx];
	uint16_t owner = cp->confs[p->conf].owner;

	/* p->conf and p->gen were written before the flow was published. */
	mixer_tag(m, f->part_idx, p->gen, is_rtcp);
	if (owner == w->id) {
		mixer_input(w, m);
		return true;
	}
	return rte_ring_mp_enqueue(w->dp->workers[owner]->handoff_ring, m) == 0;
}

#endif /* RTPGW_MIXER_FAST_H */
