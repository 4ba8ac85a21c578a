/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow spec validation and resolution (see flow_spec.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>

#include "flow/flow_spec.h"
#include "flow/nexthop.h"

static int
addr_of(const struct dataplane *dp, const struct rtpgw_api_ip *ip)
{
	if (ip->family != RTPGW_AF_INET)
		return ip->family == RTPGW_AF_INET6 ? -EAFNOSUPPORT : -EINVAL;
	return dp_addr_index(dp, ip->v4);
}

/* RELAY sends what it receives, MIX sends the conference's mix. */
static bool
has_egress(uint8_t action)
{
	return action == RTPGW_FLOW_RELAY || action == RTPGW_FLOW_MIX;
}

int
flow_spec_check(const struct dataplane *dp, const struct rtpgw_api_flow *s, uint16_t *addr_idx)
{
	int ai, oi;

	ai = addr_of(dp, &s->local);
	if (ai == -EAFNOSUPPORT || ai == -EINVAL)
		return ai;
	if (ai < 0)
		return -EADDRNOTAVAIL;
	if (s->local_port == 0)
		return -EINVAL;
	if (s->action != RTPGW_FLOW_RELAY && s->action != RTPGW_FLOW_DROP &&
	    s->action != RTPGW_FLOW_MIX)
		return -EINVAL;
	if (s->src_mode < RTPGW_SRC_STRICT || s->src_mode > RTPGW_SRC_ANY)
		return -EINVAL;
	if (s->rtcp > RTPGW_RTCP_MUX)
		return -EINVAL;
	if (s->rtcp == RTPGW_RTCP_COMPANION && rte_be_to_cpu_16(s->local_port) == 65535)
		return -EINVAL;
	if (s->flags & ~RTPGW_FLOW_F_ALL)
		return -EINVAL;
	if (s->n_pt_map > RTPGW_PT_MAP_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < s->n_pt_map; i++)
		if (s->pt_map[i].in > 127 || s->pt_map[i].out > 127)
			return -EINVAL;
	if (s->clock_rate > 1000000)
		return -EINVAL;
	if (s->src_mode == RTPGW_SRC_STRICT) {
		if (s->src.family != RTPGW_AF_INET)
			return s->src.family == RTPGW_AF_INET6 ? -EAFNOSUPPORT : -EINVAL;
		if (s->src_port == 0 || s->src.v4 == 0)
			return -EINVAL;
		if (s->rtcp == RTPGW_RTCP_COMPANION && rte_be_to_cpu_16(s->src_port) == 65535)
			return -EINVAL;
	} else if (s->src.family != 0 && s->src.family != RTPGW_AF_INET) {
		return -EAFNOSUPPORT;
	}
	if (has_egress(s->action)) {
		oi = addr_of(dp, &s->out_local);
		if (oi == -EAFNOSUPPORT || oi == -EINVAL)
			return oi;
		if (oi < 0)
			return -EADDRNOTAVAIL;
		if (s->peer.family != RTPGW_AF_INET)
			return s->peer.family == RTPGW_AF_INET6 ? -EAFNOSUPPORT : -EINVAL;
		if (s->peer.v4 == 0 || s->peer_port == 0 || s->out_port == 0)
			return -EINVAL;
		if (s->rtcp == RTPGW_RTCP_COMPANION && (rte_be_to_cpu_16(s->peer_port) == 65535 ||
							rte_be_to_cpu_16(s->out_port) == 65535))
			return -EINVAL;
	}
	*addr_idx = (uint16_t)ai;
	return 0;
}

static uint16_t
port_plus_one(uint16_t nbo)
{
	return rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(nbo) + 1));
}

int
flow_spec_resolve(struct dataplane *dp, const struct rtpgw_api_flow *s, struct flow *f,
		  struct flow_cold *cold)
{
	uint32_t rate = s->clock_rate ? s->clock_rate : 8000;

	memset(f, 0, sizeof(*f));
	memset(cold, 0, sizeof(*cold));
	cold->spec = *s;
	flow_spec_normalize(&cold->spec);
	f->action = s->action;
	f->src_mode = s->src_mode;
	f->rtcp_mode = s->rtcp;
	f->flags = s->flags;
	f->rtp_port = s->local_port;
	f->rtcp_port = s->rtcp == RTPGW_RTCP_COMPANION ? port_plus_one(s->local_port) : s->local_port;
	f->src_ip = s->src.family == RTPGW_AF_INET ? s->src.v4 : 0;
	f->src_port = s->src_port;
	f->ssrc_out = s->ssrc_out;
	f->ts_mult = (uint64_t)(((unsigned __int128)rate << FLOW_TS_MULT_SHIFT) / dp->tsc_hz);
	for (unsigned int i = 0; i < 128; i++)
		cold->pt_map[i] = (uint8_t)i;
	for (unsigned int i = 0; i < s->n_pt_map; i++)
		cold->pt_map[s->pt_map[i].in] = s->pt_map[i].out;
	if (!has_egress(s->action))
		return 0;

	const struct dp_addr *out = &dp->addrs[dp_addr_index(dp, s->out_local.v4)];
	uint32_t hop;

	if ((s->peer.v4 & out->mask) == (out->ip & out->mask))
		hop = s->peer.v4;
	else if (out->gateway != 0)
		hop = out->gateway;
	else
		return -ENETUNREACH;
	f->nh = nexthop_get(dp->nexthops, hop, out->port_id);
	if (f->nh == NULL)
		return -ENOSPC;
	f->egress_port = (uint8_t)out->port_id;
	f->out_addr_idx = (uint32_t)(out - dp->addrs);
	f->out_ip = s->out_local.v4;
	f->peer_ip = s->peer.v4;
	f->out_port = s->out_port;
	f->peer_port = s->peer_port;
	if (s->rtcp == RTPGW_RTCP_COMPANION) {
		f->out_rtcp_port = port_plus_one(s->out_port);
		f->peer_rtcp_port = port_plus_one(s->peer_port);
	} else {
		f->out_rtcp_port = s->out_port;
		f->peer_rtcp_port = s->peer_port;
	}
	return 0;
}

void
flow_spec_release(struct flow *f)
{
	nexthop_put(f->nh);
	f->nh = NULL;
}

void
flow_spec_normalize(struct rtpgw_api_flow *s)
{
	if (s->clock_rate == 0)
		s->clock_rate = 8000;
	s->reserved = 0;
	memset(s->local.pad, 0, sizeof(s->local.pad));
	memset(s->src.pad, 0, sizeof(s->src.pad));
	memset(s->out_local.pad, 0, sizeof(s->out_local.pad));
	memset(s->peer.pad, 0, sizeof(s->peer.pad));
	if (s->src_mode == RTPGW_SRC_ANY) {
		memset(&s->src, 0, sizeof(s->src));
		s->src_port = 0;
	}
	if (!has_egress(s->action)) {
		memset(&s->out_local, 0, sizeof(s->out_local));
		memset(&s->peer, 0, sizeof(s->peer));
		s->out_port = 0;
		s->peer_port = 0;
	}
	for (unsigned int i = s->n_pt_map; i < RTPGW_PT_MAP_MAX; i++)
		s->pt_map[i].in = s->pt_map[i].out = 0;
}

bool
flow_spec_equal(const struct rtpgw_api_flow *a, const struct rtpgw_api_flow *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}
