/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng: see ng.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <re.h>

#include "../calls/call_dp.h"
#include "ng.h"
#include "ng_cache.h"

#define NG_SWEEP_MS  1000
#define NG_DGRAM_MAX 65507 /* largest UDP payload over IPv4 */

struct ng {
	struct ng_cmd cmd;
	struct ng_cmd *x; /* &cmd, or the tests' own */
	struct ng_cache *cache;
	struct udp_sock *us;
	struct dp_client *dp;
	struct rtpgw_api_ip media;
	struct mbuf *tx;
	struct tmr sweep_tmr;
	uint64_t setup_limit_ms;
	struct ng_stats st;
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
dp_install(void *arg, struct call *c, bool replace)
{
	struct ng *ng = arg;

	return call_dp_relay_install(ng->dp, c, &ng->media, replace);
}

static int
dp_remove(void *arg, const struct call *c)
{
	struct ng *ng = arg;

	return call_dp_relay_remove(ng->dp, c, &ng->media);
}

static const struct ng_dp_ops dp_ops = {
	.install = dp_install,
	.remove = dp_remove,
};

/* A cookie: 1..NG_COOKIE_MAX printable bytes before the first blank. */
static size_t
cookie_len(const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len && i <= NG_COOKIE_MAX; i++) {
		if (data[i] == ' ')
			return i;
		if ((unsigned char)data[i] <= ' ' || (unsigned char)data[i] >= 0x7f)
			return 0;
	}
	return 0;
}

size_t
ng_process(struct ng *ng, const char *data, size_t len, char *out, size_t cap, uint64_t now)
{
	size_t clen = cookie_len(data, len), rlen;
	struct benc_buf b;
	const void *cached;

	ng->st.rx++;
	if (clen == 0 || cap < clen + 64) {
		ng->st.dropped++;
		return 0;
	}
	cached = ng_cache_get(ng->cache, data, clen, &rlen, now);
	if (cached) {
		ng->st.cached++;
		if (rlen > cap)
			return 0;
		memcpy(out, cached, rlen);
		return rlen;
	}
	memcpy(out, data, clen + 1);
	benc_buf_init(&b, out + clen + 1, cap - clen - 1);
	ng_cmd_handle(ng->x, data + clen + 1, len - clen - 1, &b);
	rlen = clen + 1 + b.len;
	(void)ng_cache_put(ng->cache, data, clen, out, rlen, now);
	return rlen;
}

static void
recv_handler(const struct sa *src, struct mbuf *mb, void *arg)
{
	struct ng *ng = arg;
	struct mbuf *tx = ng->tx;
	size_t n;

	n = ng_process(ng, (const char *)mbuf_buf(mb), mbuf_get_left(mb), (char *)tx->buf, tx->size,
		       now_ms());
	if (!n)
		return;
	tx->pos = 0;
	tx->end = n;
	if (udp_send(ng->us, src, tx))
		ng->st.tx_errors++;
}

static void
sweep(void *arg)
{
	struct ng *ng = arg;

	tmr_start(&ng->sweep_tmr, NG_SWEEP_MS, sweep, ng);
	ng_cache_expire(ng->cache, now_ms());
	ng_cmd_sweep(ng->x, ng->setup_limit_ms);
}

struct ng *
ng_create_nosock(struct ng_cmd *cmd)
{
	struct ng *ng = calloc(1, sizeof(*ng));

	if (!ng)
		return NULL;
	ng->x = cmd ? cmd : &ng->cmd;
	tmr_init(&ng->sweep_tmr);
	ng->cache = ng_cache_create(NG_CACHE_MAX, NG_CACHE_TTL_MS);
	if (!ng->cache) {
		free(ng);
		return NULL;
	}
	return ng;
}

struct ng *
ng_create(const struct config *cfg, struct dp_client *dp, struct calls *calls, struct ports *ports)
{
	struct ng *ng = ng_create_nosock(NULL);
	struct sa laddr;
	int err;

	if (!ng) {
		errno = ENOMEM;
		return NULL;
	}
	ng->dp = dp;
	ng->setup_limit_ms = (uint64_t)cfg->invite_timeout_s * 1000;
	ng->cmd.calls = calls;
	ng->cmd.ports = ports;
	ng->cmd.max_sessions = cfg->ng_max_sessions;
	ng->cmd.dp = &dp_ops;
	ng->cmd.dp_arg = ng;
	snprintf(ng->cmd.media_ip, sizeof(ng->cmd.media_ip), "%s", cfg->media_ip);
	err = call_dp_media(cfg->media_ip, &ng->media) < 0 ? EINVAL : 0;
	if (!err)
		err = sa_set_str(&laddr, cfg->ng_ip, cfg->ng_port);
	if (!err) {
		ng->tx = mbuf_alloc(NG_DGRAM_MAX);
		err = ng->tx ? 0 : ENOMEM;
	}
	if (!err)
		err = udp_listen(&ng->us, &laddr, recv_handler, ng);
	if (err) {
		ng_destroy(ng);
		errno = err;
		return NULL;
	}
	(void)udp_sockbuf_set(ng->us, 4 << 20); /* bursts of requests */
	tmr_start(&ng->sweep_tmr, NG_SWEEP_MS, sweep, ng);
	return ng;
}

void
ng_destroy(struct ng *ng)
{
	if (!ng)
		return;
	tmr_cancel(&ng->sweep_tmr);
	/* the calls stay (the journal recovers them), as for SIP calls */
	ng->us = mem_deref(ng->us);
	ng->tx = mem_deref(ng->tx);
	ng_cache_destroy(ng->cache);
	free(ng);
}

void
ng_set_hooks(struct ng *ng, ng_call_h *ended_h, ng_call_h *changed_h, void *arg)
{
	ng->cmd.ended_h = ended_h;
	ng->cmd.changed_h = changed_h;
	ng->cmd.hook_arg = arg;
}

void
ng_stats(const struct ng *ng, struct ng_stats *st, struct ng_cmd_stats *cst)
{
	if (st)
		*st = ng->st;
	if (cst)
		*cst = ng->x->st;
}
