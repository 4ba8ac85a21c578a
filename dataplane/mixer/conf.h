/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conferences and participants as dataplane objects (issue 3).
 *
 * Both come from pools sized at start-up (--max-confs, --max-participants);
 * the agent allocates and frees them, and their owner worker is the only
 * one that touches their mixing state. The agent never edits a running
 * conference: it sends commands over the owner's control ring
 * (conf_cmd_send), which the owner applies between two loop iterations,
 * and the owner answers releases over its event ring. So a conference's
 * participant list has one writer, the owner, and no lock anywhere.
 *
 * The worker side (input, the mixing tick, output) is mixer/mixer.c and
 * its fast-path header mixer/mixer_fast.h.
 */
#ifndef RTPGW_CONF_H
#define RTPGW_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include <rtpgw_api.h>

#include "codec/g711.h"
#include "mixer/jbuf.h"
#include "mixer/refclock.h"
#include "rtcp/rtcp_build.h"
#include "rtp/dtmf.h"

struct dataplane;
struct worker;

#define CONF_PARTS_MAX 256   /* participants of one conference */
#define CONF_FRAME_MAX 480   /* samples: 60 ms at 8 kHz */
#define CONF_JBUF_SLOTS 16   /* frames a participant's jitter buffer holds */
#define CONF_CSRC_MAX 15     /* RFC 3550 5.1: CC is 4 bits */
#define CONF_RTCP_INTERVAL_S 5 /* RFC 3550 6.2: the minimum interval */
#define CONF_SPEAKER_HANGOVER 10 /* ticks a new loudest talker must last */

enum conf_cmd_op {
	CONF_CMD_START = 1, /* the worker takes the conference on */
	CONF_CMD_STOP,      /* ... and lets it go (after its participants) */
	CONF_CMD_JOIN,
	CONF_CMD_LEAVE,
	CONF_CMD_SET_PART,  /* flags and gains from part->next_* */
	CONF_CMD_SET_CONF,  /* ref_ssrc, flags, cookie from conf->next_* */
};

/* agent -> owner worker, over w->ctl_ring (fixed-size elements) */
struct conf_cmd {
	uint32_t op;
	uint32_t part; /* participant index, CONF_CMD_JOIN/LEAVE/SET_PART */
	uint32_t conf; /* conference index */
	uint32_t pad;
};

struct part {
	/* set by the agent before JOIN; then owner: ro */
	uint32_t idx;          /* in the pool */
	uint32_t gen;          /* bumped at every JOIN: stale handoffs are dropped */
	uint8_t agent_state;   /* agent only: free, live, leaving */
	uint32_t conf;         /* conference index */
	uint8_t addr_idx;      /* its flow's key */
	uint8_t law;           /* enum g711_law */
	uint8_t pt;
	uint8_t dtmf_pt;
	uint8_t level_ext_id;
	uint8_t csrc_level_ext_id;
	uint16_t port;         /* its flow's RTP port, network order */
	/* agent: writes before CONF_CMD_SET_PART; owner: copies them */
	uint8_t next_flags;
	uint16_t next_in_gain;
	uint16_t next_out_gain;
	/* owner: rw */
	bool active;           /* joined and not left */
	uint8_t flags;         /* RTPGW_PART_F_* */
	uint16_t in_gain;      /* Q12 */
	uint16_t out_gain;     /* Q12 */
	uint16_t slot;         /* in conf->parts */
	uint16_t seq;          /* of the mix sent to it */
	uint32_t ts;
	bool audible;          /* the last mix sent carried someone else */
	bool talking;          /* its frame this tick carries speech */
	bool contributes;      /* ... and is mixed in */
	uint8_t level;         /* RFC 6464 level of its voice, 127 = silence */
	uint64_t energy;       /* of this tick's frame */
	uint32_t ssrc;         /* last SSRC received */
	uint64_t packets_sent;
	uint64_t octets_sent;
	uint64_t next_rtcp_tsc;
	struct rtcp_interval rr; /* RFC 3550 A.3 interval of its reports */
	uint32_t lsr;          /* middle 32 bits of its last SR's NTP time */
	uint64_t lsr_tsc;      /* when that SR arrived */
	struct dtmf_state dtmf;
	uint64_t dtmf_tsc;     /* last telephone-event packet */
	struct jbuf jb;
	int16_t *jb_mem;       /* CONF_JBUF_SLOTS * CONF_FRAME_MAX samples */
	int16_t frame[CONF_FRAME_MAX]; /* this tick's input, decoded, gained */
} __rte_cache_aligned;

struct conf {
	/* set by the agent before START; then owner: ro */
	uint32_t idx;
	uint8_t agent_state;   /* agent only: free, live, leaving */
	uint16_t agent_parts;  /* agent only: participants live or leaving */
	uint32_t conf_id;
	uint16_t owner;        /* worker id */
	uint16_t ptime_ms;
	uint16_t frame_samples;
	uint32_t mixer_ssrc;
	/* agent: writes before CONF_CMD_SET_CONF; owner: copies them */
	uint32_t next_ref_ssrc;
	uint16_t next_flags;
	uint64_t next_cookie;
	/* owner: rw; agent: ro (statistics, torn reads tolerated) */
	bool active;
	uint32_t sched_gen;    /* bumped at START/STOP: stale heap entries are skipped */
	uint16_t flags;
	uint32_t ref_ssrc;
	uint64_t cookie;
	uint64_t next_tick_tsc;
	uint64_t period_tsc;   /* nominal ptime in TSC ticks */
	uint16_t n_parts;
	uint32_t speaker;      /* participant index of the active speaker */
	uint32_t speaker_cand;
	uint16_t speaker_ticks;
	uint64_t ticks;
	uint64_t ticks_late;
	uint64_t tick_cycles_max;
	struct refclock rc;
	struct part *parts[CONF_PARTS_MAX];
	int32_t acc[CONF_FRAME_MAX];
} __rte_cache_aligned;

/* The pools (agent: allocates and frees; workers: index into them). */
struct conf_pools {
	struct conf *confs;    /* [max_confs] */
	struct part *parts;    /* [max_parts] */
	int16_t *jb_mem;       /* [max_parts][CONF_JBUF_SLOTS * CONF_FRAME_MAX] */
	uint32_t max_confs;
	uint32_t max_parts;
	/* agent only */
	uint32_t *free_confs;
	uint32_t n_free_confs;
	uint32_t *free_parts;
	uint32_t n_free_parts;
	uint16_t next_owner;   /* round robin over workers */
};

int conf_pools_create(struct dataplane *dp, uint32_t max_confs, uint32_t max_parts);
void conf_pools_destroy(struct dataplane *dp);

/* The conference with this id, or NULL (agent: linear over the pool). */
struct conf *conf_find(struct dataplane *dp, uint32_t conf_id);

/* API operations (agent). Return 0 or a negative errno. */
int conf_add(struct dataplane *dp, const struct rtpgw_api_conf *c);
int conf_del(struct dataplane *dp, uint32_t conf_id);
int conf_set(struct dataplane *dp, const struct rtpgw_api_conf *c);
int conf_join(struct dataplane *dp, const struct rtpgw_api_participant *p);
int conf_leave(struct dataplane *dp, const struct rtpgw_api_participant *p);
int conf_part_set(struct dataplane *dp, const struct rtpgw_api_participant *p);
/* Fill info (and up to max participants' stats); returns bytes or -errno. */
long conf_get(struct dataplane *dp, uint32_t conf_id, struct rtpgw_api_conf_info *info,
	      uint32_t max_parts);

/* Agent: a worker released a participant or a conference. */
void conf_released(struct dataplane *dp, uint32_t op, uint32_t idx);

/* Worker: apply the agent's commands (called once per loop iteration). */
void conf_cmd_drain(struct worker *w);

#endif /* RTPGW_CONF_H */
