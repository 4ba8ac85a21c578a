/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_json: see call_json.h.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <re.h>

#include "call_json.h"

int
call_json_str(struct re_printf *pf, const char *s)
{
	int err = re_hprintf(pf, "\"");

	/* RFC 8259 7: quote, backslash and control characters escaped */
	for (; !err && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			err = re_hprintf(pf, "\\%c", ch);
		else if (ch < 0x20)
			err = re_hprintf(pf, "\\u%04x", ch);
		else
			err = re_hprintf(pf, "%c", ch);
	}
	return err ? err : re_hprintf(pf, "\"");
}

void
call_quality(const struct call *c, struct leg_quality *q)
{
	struct leg_quality legs[2];
	unsigned int i;

	for (i = 0; i < c->n_legs; i++)
		quality_get(&c->leg[i].q, &legs[i]);
	quality_combine(q, legs, c->n_legs);
}

static int
quality_h(struct re_printf *pf, const struct leg_quality *q)
{
	char buf[512];

	if (quality_json(q, buf, sizeof(buf)) < 0)
		return re_hprintf(pf, "null");
	return re_hprintf(pf, "%s", buf);
}

static int
leg_json(struct re_printf *pf, const struct call_leg *l)
{
	struct leg_quality q;
	int err;

	quality_get(&l->q, &q);
	err = re_hprintf(pf, "{\"call_id\":%H,\"local_port\":%u,", call_json_str, l->dlg.callid,
			 l->local_port);
	if (!err && l->has_media)
		err = re_hprintf(pf,
				 "\"peer\":%H,\"peer_port\":%u,\"codec\":\"%s\",\"pt\":%u,"
				 "\"dtmf_pt\":%u,\"rtcp_mux\":%s,\"direction\":\"%s\",",
				 call_json_str, l->m.ip, l->m.port, l->m.pt == 8 ? "PCMA" : "PCMU",
				 l->m.pt, l->m.dtmf_pt, l->m.rtcp_mux ? "true" : "false",
				 call_dir_name(l->m.dir));
	else if (!err)
		err = re_hprintf(pf, "\"peer\":null,");
	if (!err)
		err = re_hprintf(pf, "\"quality\":");
	if (!err)
		err = quality_h(pf, &q);
	return err ? err : re_hprintf(pf, "}");
}

static int
opt_u64(struct re_printf *pf, const char *name, uint64_t v)
{
	if (!v)
		return re_hprintf(pf, "\"%s\":null,", name);
	return re_hprintf(pf, "\"%s\":%llu,", name, (unsigned long long)v);
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
call_json(struct re_printf *pf, const struct call *c)
{
	uint64_t from = c->t_answer_ms, to = c->t_end_ms ? c->t_end_ms : wall_ms();
	struct leg_quality q;
	unsigned int i;
	int err;

	err = re_hprintf(pf, "{\"id\":%u,\"kind\":\"%s\",\"state\":\"%s\",", c->id,
			 c->kind == CALL_ROOM ? "room" : c->kind == CALL_NG ? "ng" : "relay", call_state_name(c->state));
	if (!err && c->kind == CALL_ROOM)
		err = re_hprintf(pf, "\"room\":%u,\"route\":null,", c->room);
	else if (!err && c->kind == CALL_NG)
		err = re_hprintf(pf, "\"room\":null,\"route\":null,");
	else if (!err)
		err = re_hprintf(pf, "\"room\":null,\"route\":%u,", c->route);
	if (!err)
		err = re_hprintf(pf, "\"held\":%s,\"recovered\":%s,", c->held ? "true" : "false",
				 c->recovered ? "true" : "false");
	if (!err)
		err = opt_u64(pf, "start_ms", c->t_start_ms);
	if (!err)
		err = opt_u64(pf, "answer_ms", c->t_answer_ms);
	if (!err)
		err = opt_u64(pf, "end_ms", c->t_end_ms);
	if (!err)
		err = re_hprintf(pf, "\"duration_s\":%.2f,", from && to > from ? (to - from) / 1e3 : 0.0);
	if (!err && c->end_reason[0])
		err = re_hprintf(pf, "\"end_reason\":%H,", call_json_str, c->end_reason);
	else if (!err)
		err = re_hprintf(pf, "\"end_reason\":null,");
	call_quality(c, &q);
	if (!err)
		err = re_hprintf(pf, "\"quality\":");
	if (!err)
		err = quality_h(pf, &q);
	if (!err)
		err = re_hprintf(pf, ",\"legs\":[");
	for (i = 0; !err && i < c->n_legs; i++) {
		if (i)
			err = re_hprintf(pf, ",");
		if (!err)
			err = leg_json(pf, &c->leg[i]);
	}
	return err ? err : re_hprintf(pf, "]}");
}
