/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-gen's relay flows, installed through the dataplane's API
 * (tools/rtpgwctl/api_client.h) so that one command sets up a run. Stream
 * i, with (a, p) = gen_stream_addr(i) (gen.h's port plan): a RELAY flow at
 * gw[a]:p accepting local:p (strict or latch), sent back from gw[a]:p to
 * local:p; RTCP none, no rewrite (SSRC, seq and timestamps
 * pass unchanged, so the generator's accounting sees its own numbers).
 */
#ifndef RTPGW_GEN_FLOWS_H
#define RTPGW_GEN_FLOWS_H

#include "gen.h"
#include "rtpgw_api.h"

struct flows;

/* Connect to the API socket at path and add the flows of cfg (an identical
 * flow already there is fine). NULL with a message on stderr on failure. */
struct flows *flows_install(const char *path, const struct gen_config *cfg, int src_mode);
/* The dataplane's worker count (its HELLO reply). */
uint32_t flows_workers(const struct flows *f);
/* The dataplane's drop counters, summed over workers, one per
 * enum rtpgw_drop (missing ones read 0). 0 or -errno. */
int flows_drops(struct flows *f, uint64_t drops[RTPGW_DROP_MAX]);
/* Delete them (missing ones are fine), disconnect, free. 0 or -errno. */
int flows_remove(struct flows *f);
/* Fill spec with stream i's flow. */
void flows_spec(struct rtpgw_api_flow *spec, const struct gen_config *cfg, int src_mode,
		uint32_t i);

#endif /* RTPGW_GEN_FLOWS_H */
