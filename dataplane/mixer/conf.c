/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conferences and participants, agent side: pools, the API operations and
 * the commands they send to the owner worker (see conf.h). The agent keeps
 * its own view of what exists (agent_state) so that an API request is
 * answered at once; the owner applies the commands a loop iteration later.
 *
 * Leaving is two-phase so that the owner can still send the participant
 * its RTCP BYE: LEAVE goes to the owner, which stops mixing it, sends the
 * BYE and answers PART_RELEASED; only then does the agent delete the MIX
 * flow (unlink, grace period) and return the participant to the pool.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "dp.h"
#include "flow/flow_spec.h"
#include "flow/flow_table.h"
#include "mixer/conf.h"
#include "worker/worker.h"

enum {
	AGENT_FREE = 0,
	AGENT_LIVE,
	AGENT_LEAVING, /* a LEAVE or STOP is on its way to the owner */
};

int
conf_pools_create(struct dataplane *dp, uint32_t max_confs, uint32_t max_parts)
{
	struct conf_pools *m = rte_zmalloc("conf_pools", sizeof(*m), RTE_CACHE_LINE_SIZE);

	if (m == NULL)
		return -ENOMEM;
	dp->confs = m;
	/* Conferences need both: without either, there are none. */
	if (max_confs == 0 || max_parts == 0)
		return 0;
	m->max_confs = max_confs;
	m->max_parts = max_parts;
	m->confs = rte_zmalloc("confs", (size_t)max_confs * sizeof(*m->confs),
			       RTE_CACHE_LINE_SIZE);
	m->parts = rte_zmalloc("parts", (size_t)max_parts * sizeof(*m->parts),
			       RTE_CACHE_LINE_SIZE);
	m->jb_mem = rte_zmalloc("jb_mem",
				(size_t)max_parts * CONF_JBUF_SLOTS * CONF_FRAME_MAX * sizeof(int16_t),
				RTE_CACHE_LINE_SIZE);
	m->free_confs = rte_malloc("free_confs", (size_t)max_confs * sizeof(uint32_t), 0);
	m->free_parts = rte_malloc("free_parts", (size_t)max_parts * sizeof(uint32_t), 0);
	if (!m->confs || !m->parts || !m->jb_mem || !m->free_confs || !m->free_parts)
		return -ENOMEM;
	for (uint32_t i = 0; i < max_confs; i++) {
		m->confs[i].idx = i;
		m->free_confs[i] = max_confs - 1 - i;
	}
	m->n_free_confs = max_confs;
	for (uint32_t i = 0; i < max_parts; i++) {
		m->parts[i].idx = i;
		m->parts[i].jb_mem = m->jb_mem + (size_t)i * CONF_JBUF_SLOTS * CONF_FRAME_MAX;
		m->free_parts[i] = max_parts - 1 - i;
	}
	m->n_free_parts = max_parts;
	return 0;
}

void
conf_pools_destroy(struct dataplane *dp)
{
	struct conf_pools *m = dp->confs;

	if (m == NULL)
		return;
	rte_free(m->confs);
	rte_free(m->parts);
	rte_free(m->jb_mem);
	rte_free(m->free_confs);
	rte_free(m->free_parts);
	rte_free(m);
	dp->confs = NULL;
}

struct conf *
conf_find(struct dataplane *dp, uint32_t conf_id)
{
	struct conf_pools *m = dp->confs;

	for (uint32_t i = 0; m != NULL && i < m->max_confs; i++)
		if (m->confs[i].agent_state == AGENT_LIVE && m->confs[i].conf_id == conf_id)
			return &m->confs[i];
	return NULL;
}

static int
send_cmd(struct dataplane *dp, uint16_t owner, uint32_t op, uint32_t conf, uint32_t part)
{
	struct conf_cmd cmd = {.op = op, .conf = conf, .part = part};

	if (rte_ring_sp_enqueue_elem(dp->workers[owner]->ctl_ring, &cmd, sizeof(cmd)) != 0)
		return -EBUSY;
	return 0;
}

static uint16_t
gain_or_unity(uint16_t g)
{
	return g ? g : 4096;
}

int
conf_add(struct dataplane *dp, const struct rtpgw_api_conf *c)
{
	struct conf_pools *m = dp->confs;
	uint16_t ptime = c->ptime_ms ? c->ptime_ms : 20;
	struct conf *conf;
	uint32_t idx;
	int rc;

	if (c->conf_id == 0 || ptime < 10 || ptime > 60 || ptime % 10 ||
	    (c->flags & ~RTPGW_CONF_F_REF_SSRC))
		return -EINVAL;
	if (conf_find(dp, c->conf_id) != NULL)
		return -EEXIST;
	if (m == NULL || m->n_free_confs == 0)
		return -ENOSPC;
	idx = m->free_confs[m->n_free_confs - 1];
	conf = &m->confs[idx];
	memset((uint8_t *)conf + offsetof(struct conf, conf_id), 0,
	       sizeof(*conf) - offsetof(struct conf, conf_id));
	conf->conf_id = c->conf_id;
	conf->ptime_ms = ptime;
	conf->frame_samples = (uint16_t)(8 * ptime); /* G.711: 8 kHz */
	conf->mixer_ssrc = c->mixer_ssrc ? c->mixer_ssrc : (uint32_t)rte_rand();
	conf->next_ref_ssrc = c->ref_ssrc;
	conf->next_flags = c->flags;
	conf->next_cookie = c->cookie;
	conf->period_tsc = dp->tsc_hz / 1000 * ptime;
	conf->speaker = UINT32_MAX;
	conf->owner = m->next_owner;
	rc = send_cmd(dp, conf->owner, CONF_CMD_START, idx, 0);
	if (rc < 0)
		return rc;
	m->next_owner = (uint16_t)((m->next_owner + 1) % dp->n_workers);
	m->n_free_confs--;
	conf->agent_state = AGENT_LIVE;
	return 0;
}

int
conf_set(struct dataplane *dp, const struct rtpgw_api_conf *c)
{
	struct conf *conf = conf_find(dp, c->conf_id);

	if (conf == NULL)
		return -ENOENT;
	if ((c->ptime_ms && c->ptime_ms != conf->ptime_ms) ||
	    (c->flags & ~RTPGW_CONF_F_REF_SSRC) ||
	    (c->mixer_ssrc && c->mixer_ssrc != conf->mixer_ssrc))
		return -EINVAL; /* ptime and SSRC are fixed at creation */
	conf->next_ref_ssrc = c->ref_ssrc;
	conf->next_flags = c->flags;
	conf->next_cookie = c->cookie;
	return send_cmd(dp, conf->owner, CONF_CMD_SET_CONF, conf->idx, 0);
}

/* The participant behind the MIX flow at the participant's key. */
static struct part *
part_of_key(struct dataplane *dp, const struct rtpgw_api_flow *s, int *rc)
{
	const struct flow *f;
	int ai;

	*rc = -ENOENT;
	if (s->local.family != RTPGW_AF_INET) {
		*rc = -EINVAL;
		return NULL;
	}
	ai = dp_addr_index(dp, s->local.v4);
	if (ai < 0) {
		*rc = -EADDRNOTAVAIL;
		return NULL;
	}
	f = flow_table_get(dp->flows, (uint16_t)ai, s->local_port);
	if (f == NULL || f->rtp_port != s->local_port || f->action != RTPGW_FLOW_MIX)
		return NULL;
	return &dp->confs->parts[f->part_idx];
}

static int
part_check(const struct rtpgw_api_participant *p, enum g711_law *law)
{
	if (g711_law_of_pt(p->pt, law) < 0)
		return -EINVAL;
	if (p->flags & ~(RTPGW_PART_F_MUTE | RTPGW_PART_F_DEAF))
		return -EINVAL;
	if (p->dtmf_pt > 127 || p->level_ext_id > 14 || p->csrc_level_ext_id > 14)
		return -EINVAL;
	/* the mixer originates the stream: only RTCP copies to control apply */
	if (p->flow.action != RTPGW_FLOW_MIX || (p->flow.flags & ~RTPGW_FLOW_F_RTCP_EVENTS) ||
	    p->flow.n_pt_map != 0)
		return -EINVAL;
	return 0;
}

int
conf_join(struct dataplane *dp, const struct rtpgw_api_participant *p)
{
	struct conf_pools *m = dp->confs;
	struct conf *conf = conf_find(dp, p->conf_id);
	struct jbuf_cfg jcfg;
	struct flow_cold cold;
	struct flow f;
	enum g711_law law;
	struct part *part;
	uint16_t ai;
	int rc;

	if (conf == NULL)
		return -ENOENT;
	rc = part_check(p, &law);
	if (rc == 0)
		rc = flow_spec_check(dp, &p->flow, &ai);
	if (rc < 0)
		return rc;
	if (flow_table_get(dp->flows, ai, p->flow.local_port) != NULL ||
	    (p->flow.rtcp == RTPGW_RTCP_COMPANION &&
	     flow_table_get(dp->flows, ai,
			    rte_cpu_to_be_16((uint16_t)(rte_be_to_cpu_16(p->flow.local_port) + 1))) !=
		     NULL))
		return -EEXIST;
	if (conf->agent_parts == CONF_PARTS_MAX || m->n_free_parts == 0)
		return -ENOSPC;
	part = &m->parts[m->free_parts[m->n_free_parts - 1]];
	memset((uint8_t *)part + offsetof(struct part, conf), 0,
	       offsetof(struct part, jb_mem) - offsetof(struct part, conf));
	part->gen++;
	part->conf = conf->idx;
	part->addr_idx = (uint8_t)ai;
	part->port = p->flow.local_port;
	part->law = (uint8_t)law;
	part->pt = p->pt;
	part->dtmf_pt = p->dtmf_pt;
	part->level_ext_id = p->level_ext_id;
	part->csrc_level_ext_id = p->csrc_level_ext_id;
	part->next_flags = p->flags;
	part->next_in_gain = gain_or_unity(p->in_gain_q12);
	part->next_out_gain = gain_or_unity(p->out_gain_q12);
	jbuf_cfg_default(&jcfg);
	rc = jbuf_init(&part->jb, part->jb_mem, CONF_JBUF_SLOTS, conf->frame_samples, &jcfg);
	if (rc < 0)
		return rc;

	rc = flow_spec_resolve(dp, &p->flow, &f, &cold);
	if (rc < 0)
		return rc;
	f.part_idx = part->idx;
	cold.added_tsc = rte_rdtsc();
	rc = flow_table_add(dp->flows, ai, &f, &cold);
	if (rc < 0) {
		flow_spec_release(&f);
		return rc;
	}
	rc = send_cmd(dp, conf->owner, CONF_CMD_JOIN, conf->idx, part->idx);
	if (rc < 0) {
		flow_table_del(dp->flows, ai, p->flow.local_port);
		flow_table_sync(dp->flows);
		return rc;
	}
	m->n_free_parts--;
	part->agent_state = AGENT_LIVE;
	conf->agent_parts++;
	return 0;
}

static int
leave(struct dataplane *dp, struct part *part)
{
	struct conf *conf = &dp->confs->confs[part->conf];
	int rc;

	if (part->agent_state != AGENT_LIVE)
		return 0; /* already leaving: idempotent */
	rc = send_cmd(dp, conf->owner, CONF_CMD_LEAVE, conf->idx, part->idx);
	if (rc < 0)
		return rc;
	part->agent_state = AGENT_LEAVING;
	return 0;
}

int
conf_leave(struct dataplane *dp, const struct rtpgw_api_participant *p)
{
	int rc;
	struct part *part = part_of_key(dp, &p->flow, &rc);

	if (part == NULL)
		return rc;
	if (p->conf_id != 0 && dp->confs->confs[part->conf].conf_id != p->conf_id)
		return -ENOENT;
	return leave(dp, part);
}

int
conf_part_set(struct dataplane *dp, const struct rtpgw_api_participant *p)
{
	struct part *part;
	struct conf *conf;
	enum g711_law law;
	int rc;

	part = part_of_key(dp, &p->flow, &rc);
	if (part == NULL)
		return rc;
	conf = &dp->confs->confs[part->conf];
	if (part->agent_state != AGENT_LIVE || conf->conf_id != p->conf_id)
		return -ENOENT;
	rc = part_check(p, &law);
	if (rc < 0)
		return rc;
	if (p->pt != part->pt || p->dtmf_pt != part->dtmf_pt ||
	    p->level_ext_id != part->level_ext_id || p->csrc_level_ext_id != part->csrc_level_ext_id)
		return -EINVAL; /* codec and extensions are fixed: leave and join */
	/* A new egress (a re-INVITE moved the far end): replace the flow,
	 * keeping its id, statistics and participant. */
	{
		const struct flow *cur = flow_table_get(dp->flows, part->addr_idx, part->port);
		struct flow_cold cold;
		struct rtpgw_api_flow n = p->flow;
		struct flow f;
		uint16_t ai;

		flow_spec_normalize(&n);
		if (!flow_spec_equal(&flow_table_cold(dp->flows, cur)->spec, &n)) {
			rc = flow_spec_check(dp, &p->flow, &ai);
			if (rc == 0)
				rc = flow_spec_resolve(dp, &p->flow, &f, &cold);
			if (rc < 0)
				return rc;
			f.part_idx = part->idx;
			rc = flow_table_mod(dp->flows, ai, &f, &cold);
			if (rc < 0) {
				flow_spec_release(&f);
				return rc;
			}
			flow_table_sync(dp->flows);
		}
	}
	part->next_flags = p->flags;
	part->next_in_gain = gain_or_unity(p->in_gain_q12);
	part->next_out_gain = gain_or_unity(p->out_gain_q12);
	return send_cmd(dp, conf->owner, CONF_CMD_SET_PART, conf->idx, part->idx);
}

int
conf_del(struct dataplane *dp, uint32_t conf_id)
{
	struct conf_pools *m = dp->confs;
	struct conf *conf = conf_find(dp, conf_id);
	int rc;

	if (conf == NULL)
		return -ENOENT;
	/* All or nothing: room for every LEAVE and the STOP first. */
	if (rte_ring_free_count(dp->workers[conf->owner]->ctl_ring) < (unsigned int)conf->agent_parts + 1)
		return -EBUSY;
	/* Every participant leaves first (the owner applies commands in
	 * order, so they are gone before STOP). */
	for (uint32_t i = 0; i < m->max_parts; i++) {
		struct part *part = &m->parts[i];

		if (part->agent_state == AGENT_LIVE && part->conf == conf->idx) {
			rc = leave(dp, part);
			if (rc < 0)
				return rc;
		}
	}
	rc = send_cmd(dp, conf->owner, CONF_CMD_STOP, conf->idx, 0);
	if (rc < 0)
		return rc;
	conf->agent_state = AGENT_LEAVING;
	return 0;
}

void
conf_released(struct dataplane *dp, uint32_t op, uint32_t idx)
{
	struct conf_pools *m = dp->confs;

	if (op == CONF_CMD_LEAVE && idx < m->max_parts &&
	    m->parts[idx].agent_state == AGENT_LEAVING) {
		struct part *part = &m->parts[idx];

		/* The owner will not touch it again: drop the flow (after a
		 * grace period no worker hands its packets over any more)
		 * and give the participant back. */
		flow_table_del(dp->flows, part->addr_idx, part->port);
		flow_table_sync(dp->flows);
		m->confs[part->conf].agent_parts--;
		part->agent_state = AGENT_FREE;
		m->free_parts[m->n_free_parts++] = idx;
	} else if (op == CONF_CMD_STOP && idx < m->max_confs &&
		   m->confs[idx].agent_state == AGENT_LEAVING) {
		m->confs[idx].agent_state = AGENT_FREE;
		m->free_confs[m->n_free_confs++] = idx;
	}
}

long
conf_get(struct dataplane *dp, uint32_t conf_id, struct rtpgw_api_conf_info *info,
	 uint32_t max_parts)
{
	struct conf_pools *m = dp->confs;
	struct conf *conf = conf_find(dp, conf_id);
	uint32_t n = 0;

	if (conf == NULL)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->conf.conf_id = conf->conf_id;
	info->conf.ptime_ms = conf->ptime_ms;
	info->conf.flags = conf->next_flags;
	info->conf.ref_ssrc = conf->next_ref_ssrc;
	info->conf.mixer_ssrc = conf->mixer_ssrc;
	info->conf.cookie = conf->next_cookie;
	info->owner_lcore = dp->workers[conf->owner]->lcore_id;
	info->ticks = conf->ticks;
	info->ticks_late = conf->ticks_late;
	info->tick_cycles_max = conf->tick_cycles_max;
	/* The owner writes rc; a torn read only skews one report. */
	info->ref_state = (uint8_t)refclock_source(&conf->rc);
	if (info->ref_state != REFCLOCK_NONE)
		info->ref_ppb = (int32_t)((refclock_ratio(&conf->rc) - 1.0) * 1e9);
	info->tick_ns = (conf->flags & RTPGW_CONF_F_REF_SSRC)
				? refclock_tick_ns(&conf->rc, (uint64_t)conf->ptime_ms * 1000000)
				: (uint64_t)conf->ptime_ms * 1000000;
	for (uint32_t i = 0; i < m->max_parts && n < max_parts; i++) {
		const struct part *part = &m->parts[i];
		struct rtpgw_api_part_stats *ps = &info->parts[n];
		struct jbuf_stats js;

		if (part->agent_state != AGENT_LIVE || part->conf != conf->idx)
			continue;
		memset(ps, 0, sizeof(*ps));
		ps->local.family = RTPGW_AF_INET;
		ps->local.v4 = dp->addrs[part->addr_idx].ip;
		ps->local_port = part->port;
		ps->talking = part->talking;
		ps->level = part->level;
		jbuf_stats(&part->jb, &js);
		ps->frames_played = js.played;
		ps->frames_concealed = js.concealed;
		ps->frames_silent = js.silent;
		ps->late = js.late;
		ps->dup = js.dup;
		ps->resync = js.resync;
		ps->drift_dropped = js.dropped_for_drift;
		ps->drift_inserted = js.inserted_for_drift;
		ps->jbuf_level = js.level;
		ps->jbuf_target = js.target;
		ps->packets_sent = part->packets_sent;
		n++;
	}
	info->n_parts = n;
	return (long)(sizeof(*info) + n * sizeof(info->parts[0]));
}
