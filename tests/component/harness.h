/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the in-process component tests share: an IPv4 address from text,
 * and one API request through the agent's handler (the same code the
 * socket server runs), with its reply payload copied out.
 */
#ifndef RTPGW_TEST_HARNESS_H
#define RTPGW_TEST_HARNESS_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include <rtpgw_api.h>

#include "agent/agent.h"

static inline uint32_t
harness_ip(const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	return in.s_addr;
}

/* One request; up to cap bytes of the reply's payload go to reply (may be
 * NULL). Returns the reply's status. */
static inline int
harness_api(struct agent *a, struct agent_client *c, uint16_t type, const void *payload,
	    uint32_t len, void *reply, uint32_t cap)
{
	static uint8_t req[RTPGW_API_MSG_MAX], rep[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr *h = (void *)req, *rh = (void *)rep;

	memset(h, 0, sizeof(*h));
	h->magic = RTPGW_API_MAGIC;
	h->version = RTPGW_API_VERSION;
	h->type = type;
	h->id = 1;
	h->len = len;
	memcpy(h + 1, payload, len);
	api_handle(a, c, req, sizeof(*h) + len, rep);
	if (reply != NULL)
		memcpy(reply, rh + 1, rh->len < cap ? rh->len : cap);
	return rh->status;
}

#endif /* RTPGW_TEST_HARNESS_H */
