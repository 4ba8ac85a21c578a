/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-gen's relay flows through the API (see flows.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_client.h"
#include "flows.h"

#define FLOWS_TIMEOUT_MS 10000

struct flows {
	struct api_client *c;
	struct gen_config cfg;
	int src_mode;
	uint32_t installed; /* streams 0..installed-1 may be in the table */
};

void
flows_spec(struct rtpgw_api_flow *f, const struct gen_config *cfg, int src_mode, uint32_t i)
{
	uint32_t a;
	uint16_t port = htons(gen_stream_addr(cfg->base_port, i, &a));

	memset(f, 0, sizeof(*f));
	f->local.family = f->src.family = f->out_local.family = f->peer.family = RTPGW_AF_INET;
	f->local.v4 = f->out_local.v4 = cfg->gw_ip[a];
	f->src.v4 = f->peer.v4 = cfg->local_ip;
	f->local_port = f->src_port = f->out_port = f->peer_port = port;
	f->action = RTPGW_FLOW_RELAY;
	f->src_mode = (uint8_t)src_mode;
	f->rtcp = RTPGW_RTCP_NONE;
	f->clock_rate = cfg->clock_hz;
	f->cookie = 0x67656e0000000000ull | i; /* "gen" */
}

/* type over streams [0, n) in batches; stops at the first failure. */
static int
flows_batch(struct flows *f, uint16_t type, uint32_t n, uint32_t flags, uint32_t *done)
{
	static struct {
		struct rtpgw_api_flow_batch b;
		struct rtpgw_api_flow f[RTPGW_API_FLOW_BATCH_MAX];
	} req;
	struct rtpgw_api_flow_batch_reply rep;

	*done = 0;
	while (*done < n) {
		uint32_t k = n - *done;
		int rc;

		if (k > RTPGW_API_FLOW_BATCH_MAX)
			k = RTPGW_API_FLOW_BATCH_MAX;
		req.b.count = k;
		req.b.flags = flags;
		for (uint32_t i = 0; i < k; i++)
			flows_spec(&req.f[i], &f->cfg, f->src_mode, *done + i);
		memset(&rep, 0, sizeof(rep));
		rc = api_client_request(f->c, type, &req,
					(uint32_t)(sizeof(req.b) + k * sizeof(req.f[0])), &rep,
					sizeof(rep), NULL);
		if (rc < 0) {
			fprintf(stderr, "rtpgw-gen: API %s of streams %u..%u: %s (item %u)\n",
				type == RTPGW_API_FLOW_ADD ? "FLOW_ADD" : "FLOW_DEL", *done,
				*done + k - 1, strerror(-rc), rep.failed_index);
			return rc;
		}
		*done += k;
	}
	return 0;
}

struct flows *
flows_install(const char *path, const struct gen_config *cfg, int src_mode)
{
	struct flows *f = calloc(1, sizeof(*f));
	uint32_t done;
	int rc;

	if (f == NULL)
		return NULL;
	f->cfg = *cfg;
	f->src_mode = src_mode;
	f->c = api_client_connect(path, "rtpgw-gen", FLOWS_TIMEOUT_MS);
	if (f->c == NULL) {
		fprintf(stderr, "rtpgw-gen: API %s: %s\n", path, strerror(errno));
		free(f);
		return NULL;
	}
	rc = flows_batch(f, RTPGW_API_FLOW_ADD, cfg->n_streams, RTPGW_API_F_EXIST_OK, &done);
	/* A failed batch was rolled back whole by the agent: remove only the
	 * batches applied before it, never a conflicting flow of another. */
	f->installed = done;
	if (rc < 0) {
		flows_remove(f);
		return NULL;
	}
	fprintf(stderr, "rtpgw-gen: %u relay flows installed through %s\n", cfg->n_streams, path);
	return f;
}

uint32_t
flows_workers(const struct flows *f)
{
	return api_client_agent(f->c)->n_workers;
}

int
flows_drops(struct flows *f, uint64_t drops[RTPGW_DROP_MAX])
{
	static union {
		struct rtpgw_api_drops d;
		uint8_t buf[RTPGW_API_MSG_MAX];
	} rep;
	uint32_t len = 0, n;
	int rc;

	memset(drops, 0, sizeof(drops[0]) * RTPGW_DROP_MAX);
	rc = api_client_request(f->c, RTPGW_API_STATS_DROPS, NULL, 0, &rep, sizeof(rep), &len);
	if (rc < 0)
		return rc;
	if (len < sizeof(rep.d))
		return -EBADMSG;
	n = rep.d.count < RTPGW_DROP_MAX ? rep.d.count : RTPGW_DROP_MAX;
	if (len < sizeof(rep.d) + n * sizeof(rep.d.drops[0]))
		return -EBADMSG;
	memcpy(drops, rep.d.drops, n * sizeof(drops[0]));
	return 0;
}

int
flows_remove(struct flows *f)
{
	uint32_t done = 0;
	int rc = 0;

	if (f == NULL)
		return 0;
	if (f->installed > 0 && api_client_error(f->c) == 0)
		rc = flows_batch(f, RTPGW_API_FLOW_DEL, f->installed, RTPGW_API_F_MISSING_OK,
				 &done);
	if (rc == 0)
		fprintf(stderr, "rtpgw-gen: %u relay flows removed\n", f->installed);
	api_client_destroy(f->c);
	free(f);
	return rc;
}
