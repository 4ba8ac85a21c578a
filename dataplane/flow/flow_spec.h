/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From what control asks (struct rtpgw_api_flow) to what workers apply
 * (struct flow): validation, address and port resolution, next-hop
 * reference, payload type table, RTP clock conversion. Agent only.
 */
#ifndef RTPGW_FLOW_SPEC_H
#define RTPGW_FLOW_SPEC_H

#include <stdint.h>

#include <rtpgw_api.h>

#include "dp.h"
#include "flow/flow.h"

/*
 * Check a spec without side effects. Returns 0, -EINVAL (a field out of
 * range), -EAFNOSUPPORT (not IPv4), -EADDRNOTAVAIL (local or out address
 * not ours). On success *addr_idx is the local address index.
 */
int flow_spec_check(const struct dataplane *dp, const struct rtpgw_api_flow *spec,
		    uint16_t *addr_idx);

/* Fill f and cold from a checked spec and take a next-hop reference (which
 * flow_table_add or _mod takes over). Returns 0, -ENETUNREACH (peer
 * off-link and no gateway), -ENOSPC (next-hop cache full). */
int flow_spec_resolve(struct dataplane *dp, const struct rtpgw_api_flow *spec, struct flow *f,
		      struct flow_cold *cold);

/* Drop what flow_spec_resolve took, when f was not installed. */
void flow_spec_release(struct flow *f);

/* The canonical form of a spec: defaults made explicit (clock_rate 0 ->
 * 8000), fields the action ignores zeroed. What GET returns and EXIST_OK
 * compares. */
void flow_spec_normalize(struct rtpgw_api_flow *s);

/* Whether two normalized specs describe the same flow (for EXIST_OK). */
bool flow_spec_equal(const struct rtpgw_api_flow *a, const struct rtpgw_api_flow *b);

#endif /* RTPGW_FLOW_SPEC_H */
