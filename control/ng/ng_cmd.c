/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng_cmd: see ng_cmd.h and docs/NG.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../media/ports.h"
#include "../stats/quality.h"
#include "ng_cmd.h"
#include "ng_sdp.h"

#define NG_NODES_MAX  512  /* bencode nodes of one request */
#define NG_LIST_LIMIT 32   /* "list" without "limit" (as rtpengine) */
#define NG_LIST_MAX   1000 /* a datagram holds about that many Call-IDs */

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the request ---- */

struct req {
	const struct benc_node *nd;
	const struct benc_node *callid;
	const struct benc_node *fromtag;
	const struct benc_node *totag;
	const struct benc_node *sdp;
	bool replace_origin;
	bool sip_source; /* flags SIP-source-address: received-from wins */
	bool reject_mux; /* rtcp-mux demux / reject */
	bool record_call;
	const char *proto; /* transport-protocol to write, NULL: keep */
	char recv_ip[CALL_IP_MAX];
	const char *bad; /* a value we refuse, for the error reason */
};

/*
 * rtpengine takes keys and flags with '-', ' ' or '_' alike and in any
 * case ("call-id", "received from", "SIP-source-address").
 */
static bool
name_eq(const struct benc_node *n, const char *name)
{
	size_t i, l = strlen(name);

	if (n->type != BENC_STR || n->len != l)
		return false;
	for (i = 0; i < l; i++) {
		char a = n->s[i], b = name[i];

		if (a == ' ' || a == '_')
			a = '-';
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

static const struct benc_node *
get(const struct benc_node *nd, const char *key)
{
	uint32_t i;

	for (i = 1; i < nd[0].end; i = nd[nd[i].end].end)
		if (name_eq(&nd[i], key))
			return &nd[nd[i].end];
	return NULL;
}

static const struct benc_node *
get_str(const struct benc_node *nd, const char *key)
{
	const struct benc_node *v = get(nd, key);

	return v && v->type == BENC_STR && v->len > 0 ? v : NULL;
}

/* Each string of a list value (or the value itself when a string). */
#define FOREACH_ITEM(nd, v, it)                                                \
	for (uint32_t _i = (v)->type == BENC_LIST ? (uint32_t)((v) - (nd)) + 1 \
						  : (uint32_t)((v) - (nd)),    \
		      _e = (v)->end;                                           \
	     _i < _e && ((it) = &(nd)[_i], 1); _i = (nd)[_i].end)

static void
req_flags(struct req *r)
{
	const struct benc_node *nd = r->nd, *v, *it;

	v = get(nd, "flags");
	if (v && (v->type == BENC_LIST || v->type == BENC_STR)) {
		FOREACH_ITEM(nd, v, it)
		{
			if (name_eq(it, "SIP-source-address"))
				r->sip_source = true;
			else if (name_eq(it, "replace-origin"))
				r->replace_origin = true;
			else if (name_eq(it, "record-call"))
				r->record_call = true;
			/* every other flag: accepted, ignored (docs/NG.md) */
		}
	}
	v = get(nd, "replace");
	if (v && (v->type == BENC_LIST || v->type == BENC_STR)) {
		FOREACH_ITEM(nd, v, it)
		{
			if (name_eq(it, "origin"))
				r->replace_origin = true;
			/* session-connection: every c= line is ours anyway */
		}
	}
	v = get(nd, "rtcp-mux");
	if (v && (v->type == BENC_LIST || v->type == BENC_STR)) {
		FOREACH_ITEM(nd, v, it)
		{
			if (name_eq(it, "demux") || name_eq(it, "reject"))
				r->reject_mux = true;
		}
	}
	v = get(nd, "record-call");
	if (v && (name_eq(v, "yes") || name_eq(v, "on")))
		r->record_call = true;
	v = get(nd, "transport-protocol");
	if (v && v->type == BENC_STR) {
		if (name_eq(v, "RTP/AVP"))
			r->proto = "RTP/AVP";
		else if (name_eq(v, "RTP/AVPF"))
			r->proto = "RTP/AVPF";
		else
			r->bad = "transport-protocol not supported (plain RTP/AVP only)";
	}
	v = get(nd, "received-from");
	if (v && v->type == BENC_LIST && v->end - (uint32_t)(v - nd) == 3 && v[2].type == BENC_STR)
		(void)benc_str_copy(&v[2], r->recv_ip, sizeof(r->recv_ip));
	/* ICE: whatever is asked, ICE is removed (the relay has no ICE agent);
	 * direction, label, via-branch: one media address, one branch */
}

/* ---- replies ---- */

static void
reply_error(struct ng_cmd *x, struct benc_buf *out, const char *reason)
{
	x->st.errors++;
	out->len = 0;
	out->overflow = false;
	benc_dict(out);
	benc_kv_str(out, "result", "error");
	benc_kv_str(out, "error-reason", reason);
	benc_end(out);
}

static void
reply_ok(struct benc_buf *out)
{
	benc_dict(out);
	benc_kv_str(out, "result", "ok");
	benc_end(out);
}

/* ---- calls ---- */

static const char *
leg_tag(const struct call *c, unsigned int i)
{
	return c->leg[i].dlg.remote_tag;
}

static bool
tag_is(const struct call *c, unsigned int i, const struct benc_node *t)
{
	size_t l = strlen(leg_tag(c, i));

	return l > 0 && t && t->len == l && memcmp(t->s, leg_tag(c, i), l) == 0;
}

/* The ng call of a Call-ID, or NULL with a reason. */
static struct call *
find_call(struct ng_cmd *x, const struct benc_node *callid, const char **why)
{
	struct call_leg *l = calls_find_callid(x->calls, callid->s, callid->len);

	if (!l) {
		*why = "Unknown call-id";
		return NULL;
	}
	if (l->call->kind != CALL_NG) {
		*why = "call-id belongs to a SIP call of rtpgw-control";
		return NULL;
	}
	return l->call;
}

void
ng_cmd_call_end(struct ng_cmd *x, struct call *c, const char *reason)
{
	uint64_t now = mono_ms();
	unsigned int i;

	if (c->installed && x->dp->remove(x->dp_arg, c) < 0)
		x->st.dp_errors++;
	c->installed = false;
	if (c->state != CALL_ENDED) {
		c->state = CALL_ENDED;
		c->t_end_ms = wall_ms();
		snprintf(c->end_reason, sizeof(c->end_reason), "%s", reason);
		calls_count_ended(x->calls);
	}
	for (i = 0; i < c->n_legs; i++)
		if (c->leg[i].local_port)
			ports_free(x->ports, c->leg[i].local_port, now);
	if (x->ended_h)
		x->ended_h(c, x->hook_arg); /* the record still names the ports */
	calls_del(x->calls, c);
}

void
ng_cmd_sweep(struct ng_cmd *x, uint64_t setup_limit_ms)
{
	uint64_t now = wall_ms();
	struct call *c, *next;

	for (c = calls_first(x->calls); c; c = next) {
		next = c->next;
		if (c->kind == CALL_NG && c->state != CALL_ACTIVE && c->state != CALL_ENDED &&
		    now - c->t_start_ms >= setup_limit_ms) {
			x->st.setup_timeouts++;
			ng_cmd_call_end(x, c, "no-answer");
		}
	}
}

/* A call never answered, dropped without a trace (its offer failed). */
static void
call_drop(struct ng_cmd *x, struct call *c)
{
	uint64_t now = mono_ms();
	unsigned int i;

	for (i = 0; i < c->n_legs; i++)
		if (c->leg[i].local_port)
			ports_free(x->ports, c->leg[i].local_port, now);
	calls_del(x->calls, c);
}

static struct call *
call_new(struct ng_cmd *x, const struct req *r, const char **why)
{
	uint64_t now = mono_ms();
	char callid[CALL_STR_MAX], tag[sizeof(((struct call_dialog *)0)->remote_tag)];
	struct call *c;
	unsigned int i;

	if (benc_str_copy(r->callid, callid, sizeof(callid)) < 0) {
		*why = "bad call-id (too long, or a NUL byte)";
		return NULL;
	}
	if (benc_str_copy(r->fromtag, tag, sizeof(tag)) < 0) {
		*why = "bad from-tag (too long, or a NUL byte)";
		return NULL;
	}
	c = calls_add(x->calls, CALL_NG, 2, 0);
	if (!c) {
		*why = "out of memory";
		return NULL;
	}
	if (calls_set_callid(x->calls, &c->leg[0], callid) < 0) {
		calls_del(x->calls, c);
		*why = "bad call-id";
		return NULL;
	}
	for (i = 0; i < 2; i++) {
		c->leg[i].local_port = ports_alloc(x->ports, now);
		if (!c->leg[i].local_port) {
			call_drop(x, c);
			*why = "no free media port";
			return NULL;
		}
	}
	memcpy(c->leg[0].dlg.remote_tag, tag, sizeof(tag));
	c->t_start_ms = wall_ms();
	c->state = CALL_NEW;
	return c;
}

static const char *
sdp_reason(int rc)
{
	switch (rc) {
	case -EPROTO:
		return "no usable audio stream in the SDP";
	case -EPROTONOSUPPORT:
		return "SDP transport not supported (plain RTP/AVP only)";
	case -ENOSPC:
		return "SDP too long";
	default:
		return "malformed SDP";
	}
}

/*
 * Read side's SDP into m and write it rewritten, toward the other side,
 * naming port (where that side sends). The reply is built in out.
 */
static int
sdp_reply(struct ng_cmd *x, const struct req *r, struct call_media *m, uint16_t port, bool keep_mux,
	  struct benc_buf *out, const char **why)
{
	static char buf[NG_SDP_MAX + 1024];
	struct ng_sdp_out o = {
		.ip = x->media_ip,
		.port = port,
		.replace_origin = r->replace_origin,
		.keep_rtcp_mux = keep_mux,
		.proto = r->proto,
	};
	char proto[16];
	int rc;

	rc = ng_sdp_parse(r->sdp->s, r->sdp->len, m, proto);
	if (rc < 0) {
		*why = sdp_reason(rc);
		return rc;
	}
	if (r->sip_source && r->recv_ip[0])
		snprintf(m->ip, sizeof(m->ip), "%s", r->recv_ip);
	rc = ng_sdp_rewrite(r->sdp->s, r->sdp->len, &o, buf, sizeof(buf));
	if (rc < 0) {
		*why = sdp_reason(rc);
		return rc;
	}
	benc_dict(out);
	benc_kv_str(out, "result", "ok");
	benc_str(out, "sdp");
	benc_strn(out, buf, (size_t)rc);
	if (r->record_call)
		benc_kv_str(out, "warning", "record-call is not supported: ignored");
	benc_end(out);
	return 0;
}

static void
update_held(struct call *c)
{
	c->held = (c->leg[0].has_media && c->leg[0].m.dir != CALL_SENDRECV) ||
		  (c->leg[1].has_media && c->leg[1].m.dir != CALL_SENDRECV);
}

/* Install (or replace) the flows; the caller restores on failure. */
static int
flows_install(struct ng_cmd *x, struct call *c)
{
	int rc = x->dp->install(x->dp_arg, c, c->installed);

	if (rc < 0) {
		x->st.dp_errors++;
		return rc;
	}
	if (!c->installed)
		c->media_seen_ms = mono_ms();
	c->installed = true;
	return 0;
}

static const char *
dp_reason(int rc)
{
	static char why[96];

	snprintf(why, sizeof(why), "dataplane refused the flows: %s", strerror(-rc));
	return why;
}

static void
cmd_offer(struct ng_cmd *x, struct req *r, struct benc_buf *out)
{
	const char *why = NULL;
	struct call_leg *l, saved;
	struct call *c;
	unsigned int side;
	bool created = false;
	int rc;

	x->st.offers++;
	if (!r->callid || !r->fromtag || !r->sdp) {
		reply_error(x, out, "offer needs call-id, from-tag and sdp");
		return;
	}
	if (r->bad) {
		reply_error(x, out, r->bad);
		return;
	}
	l = calls_find_callid(x->calls, r->callid->s, r->callid->len);
	if (!l) {
		if (x->max_sessions && calls_count(x->calls) >= x->max_sessions) {
			x->st.load_limit++;
			benc_dict(out);
			benc_kv_str(out, "result", "load limit");
			benc_end(out);
			return;
		}
		c = call_new(x, r, &why);
		if (!c) {
			reply_error(x, out, why);
			return;
		}
		created = true;
		side = 0;
	} else {
		c = l->call;
		if (c->kind != CALL_NG) {
			reply_error(x, out, "call-id belongs to a SIP call of rtpgw-control");
			return;
		}
		if (tag_is(c, 0, r->fromtag))
			side = 0;
		else if (tag_is(c, 1, r->fromtag))
			side = 1; /* a re-INVITE from the callee */
		else {
			reply_error(x, out, "Unknown from-tag");
			return;
		}
	}
	saved = c->leg[side];
	if (sdp_reply(x, r, &c->leg[side].m, c->leg[1 - side].local_port, !r->reject_mux, out,
		      &why) < 0) {
		if (created)
			call_drop(x, c);
		else
			c->leg[side] = saved;
		reply_error(x, out, why);
		return;
	}
	c->leg[side].has_media = true;
	if (c->installed && (rc = flows_install(x, c)) < 0) {
		c->leg[side] = saved;
		reply_error(x, out, dp_reason(rc));
		return;
	}
	update_held(c);
	if (c->installed && x->changed_h)
		x->changed_h(c, x->hook_arg);
}

static void
cmd_answer(struct ng_cmd *x, struct req *r, struct benc_buf *out)
{
	const char *why = NULL;
	struct call_leg saved;
	unsigned int off, ans;
	struct call *c;
	int rc;

	x->st.answers++;
	if (!r->callid || !r->fromtag || !r->totag || !r->sdp) {
		reply_error(x, out, "answer needs call-id, from-tag, to-tag and sdp");
		return;
	}
	if (r->bad) {
		reply_error(x, out, r->bad);
		return;
	}
	c = find_call(x, r->callid, &why);
	if (!c) {
		reply_error(x, out, why);
		return;
	}
	if (tag_is(c, 0, r->fromtag))
		off = 0;
	else if (tag_is(c, 1, r->fromtag))
		off = 1;
	else {
		reply_error(x, out, "Unknown from-tag");
		return;
	}
	ans = 1 - off;
	if (!c->leg[off].has_media) {
		reply_error(x, out, "answer without an offer");
		return;
	}
	if (r->totag->len >= sizeof(c->leg[ans].dlg.remote_tag) ||
	    memchr(r->totag->s, '\0', r->totag->len)) {
		reply_error(x, out, "bad to-tag (too long, or a NUL byte)");
		return;
	}
	saved = c->leg[ans];
	if (sdp_reply(x, r, &c->leg[ans].m, c->leg[off].local_port,
		      c->leg[off].m.rtcp_mux && !r->reject_mux, out, &why) < 0) {
		c->leg[ans] = saved;
		reply_error(x, out, why);
		return;
	}
	/* a fork's answer (another to-tag) replaces the previous one; the
	 * caller's tag (leg 0, answering a re-INVITE of the callee) stays */
	if (ans == 1)
		(void)benc_str_copy(r->totag, c->leg[1].dlg.remote_tag,
				    sizeof(c->leg[1].dlg.remote_tag));
	c->leg[ans].has_media = true;
	if (!c->leg[off].m.rtcp_mux || r->reject_mux)
		c->leg[ans].m.rtcp_mux = false;
	if ((rc = flows_install(x, c)) < 0) {
		c->leg[ans] = saved;
		reply_error(x, out, dp_reason(rc));
		return;
	}
	update_held(c);
	if (c->state != CALL_ACTIVE) {
		c->state = CALL_ACTIVE;
		c->t_answer_ms = wall_ms();
	}
	if (x->changed_h)
		x->changed_h(c, x->hook_arg);
}

static void
cmd_delete(struct ng_cmd *x, struct req *r, struct benc_buf *out)
{
	const char *why = NULL;
	struct call *c;

	x->st.deletes++;
	if (!r->callid) {
		reply_error(x, out, "delete needs call-id");
		return;
	}
	c = find_call(x, r->callid, &why);
	if (!c) {
		reply_error(x, out, why);
		return;
	}
	/* from-tag / to-tag would name a branch: a call has one, all goes */
	ng_cmd_call_end(x, c, "ng-delete");
	reply_ok(out);
}

static void
stream_stats(struct benc_buf *out, const struct leg_quality *q)
{
	benc_str(out, "stats");
	benc_dict(out);
	benc_kv_int(out, "packets", (int64_t)q->packets);
	benc_kv_int(out, "bytes", (int64_t)q->octets);
	benc_kv_int(out, "errors", 0);
	benc_kv_int(out, "lost", q->lost);
	benc_kv_int(out, "jitter", (int64_t)(q->jitter_ms + 0.5));
	if (q->mos >= 0)
		benc_kv_int(out, "MOS", (int64_t)(q->mos * 10 + 0.5));
	benc_end(out);
}

static void
cmd_query(struct ng_cmd *x, struct req *r, struct benc_buf *out)
{
	struct leg_quality q[2];
	const char *why = NULL;
	struct call *c;
	unsigned int i;

	x->st.queries++;
	if (!r->callid) {
		reply_error(x, out, "query needs call-id");
		return;
	}
	c = find_call(x, r->callid, &why);
	if (!c) {
		reply_error(x, out, why);
		return;
	}
	for (i = 0; i < 2; i++)
		quality_get(&c->leg[i].q, &q[i]);
	benc_dict(out);
	benc_kv_str(out, "result", "ok");
	benc_kv_int(out, "created", (int64_t)(c->t_start_ms / 1000));
	benc_kv_str(out, "state", call_state_name(c->state));
	benc_str(out, "totals");
	benc_dict(out);
	benc_str(out, "RTP");
	benc_dict(out);
	benc_kv_int(out, "packets", (int64_t)(q[0].packets + q[1].packets));
	benc_kv_int(out, "bytes", (int64_t)(q[0].octets + q[1].octets));
	benc_kv_int(out, "errors", 0);
	benc_end(out);
	benc_end(out);
	benc_str(out, "tags");
	benc_dict(out);
	for (i = 0; i < 2; i++) {
		const struct call_leg *l = &c->leg[i];

		if (!leg_tag(c, i)[0])
			continue;
		benc_str(out, leg_tag(c, i));
		benc_dict(out);
		benc_kv_str(out, "tag", leg_tag(c, i));
		if (leg_tag(c, 1 - i)[0])
			benc_kv_str(out, "in dialogue with", leg_tag(c, 1 - i));
		benc_str(out, "medias");
		benc_list(out);
		benc_dict(out);
		benc_kv_int(out, "index", 1);
		benc_kv_str(out, "type", "audio");
		benc_kv_str(out, "protocol", "RTP/AVP");
		benc_str(out, "streams");
		benc_list(out);
		benc_dict(out);
		benc_kv_int(out, "local port", l->local_port);
		if (l->has_media) {
			benc_str(out, "endpoint");
			benc_dict(out);
			benc_kv_str(out, "family", strchr(l->m.ip, ':') ? "IPv6" : "IPv4");
			benc_kv_str(out, "address", l->m.ip);
			benc_kv_int(out, "port", l->m.port);
			benc_end(out);
		}
		stream_stats(out, &q[i]);
		benc_end(out);
		benc_end(out);
		benc_end(out);
		benc_end(out);
		benc_end(out);
	}
	benc_end(out);
	benc_end(out);
}

static void
cmd_list(struct ng_cmd *x, struct req *r, struct benc_buf *out)
{
	const struct benc_node *lim = get(r->nd, "limit");
	int64_t limit = NG_LIST_LIMIT, n = 0;
	const struct call *c;

	if (lim && lim->type == BENC_INT && lim->i > 0)
		limit = lim->i < NG_LIST_MAX ? lim->i : NG_LIST_MAX;
	benc_dict(out);
	benc_kv_str(out, "result", "ok");
	benc_str(out, "calls");
	benc_list(out);
	for (c = calls_first(x->calls); c && n < limit; c = c->next) {
		if (c->kind != CALL_NG || c->state == CALL_ENDED)
			continue;
		benc_str(out, c->leg[0].dlg.callid);
		n++;
	}
	benc_end(out);
	benc_end(out);
}

static void
cmd_statistics(struct ng_cmd *x, struct benc_buf *out)
{
	struct calls_counts cnt;
	const struct call *c;
	int64_t own = 0;

	for (c = calls_first(x->calls); c; c = c->next)
		own += c->kind == CALL_NG;
	calls_counts(x->calls, &cnt);
	benc_dict(out);
	benc_kv_str(out, "result", "ok");
	benc_str(out, "statistics");
	benc_dict(out);
	benc_str(out, "currentstatistics");
	benc_dict(out);
	benc_kv_int(out, "sessionsown", own);
	benc_kv_int(out, "sessionstotal", calls_count(x->calls));
	benc_end(out);
	benc_str(out, "totalstatistics");
	benc_dict(out);
	benc_kv_int(out, "totalsessions", (int64_t)cnt.started);
	benc_kv_int(out, "endedsessions", (int64_t)cnt.ended);
	benc_kv_int(out, "offers", (int64_t)x->st.offers);
	benc_kv_int(out, "answers", (int64_t)x->st.answers);
	benc_kv_int(out, "deletes", (int64_t)x->st.deletes);
	benc_kv_int(out, "errors", (int64_t)x->st.errors);
	benc_kv_int(out, "loadlimit", (int64_t)x->st.load_limit);
	benc_end(out);
	benc_end(out);
	benc_end(out);
}

void
ng_cmd_handle(struct ng_cmd *x, const char *msg, size_t len, struct benc_buf *out)
{
	struct benc_node nd[NG_NODES_MAX];
	const struct benc_node *cmd;
	struct req r;
	int n;

	x->st.requests++;
	n = benc_decode(msg, len, nd, NG_NODES_MAX);
	if (n < 0 || nd[0].type != BENC_DICT) {
		reply_error(x, out,
			    n == -E2BIG	  ? "request too large"
			    : n == -ELOOP ? "nested too deep"
					  : "Failed to decode bencode dictionary");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.nd = nd;
	cmd = get(nd, "command");
	if (!cmd || cmd->type != BENC_STR) {
		reply_error(x, out, "No command given");
		return;
	}
	r.callid = get_str(nd, "call-id");
	r.fromtag = get_str(nd, "from-tag");
	r.totag = get_str(nd, "to-tag");
	r.sdp = get_str(nd, "sdp");
	req_flags(&r);
	if (name_eq(cmd, "ping")) {
		x->st.pings++;
		benc_dict(out);
		benc_kv_str(out, "result", "pong");
		benc_end(out);
	} else if (name_eq(cmd, "offer")) {
		cmd_offer(x, &r, out);
	} else if (name_eq(cmd, "answer")) {
		cmd_answer(x, &r, out);
	} else if (name_eq(cmd, "delete")) {
		cmd_delete(x, &r, out);
	} else if (name_eq(cmd, "query")) {
		cmd_query(x, &r, out);
	} else if (name_eq(cmd, "list")) {
		cmd_list(x, &r, out);
	} else if (name_eq(cmd, "statistics")) {
		cmd_statistics(x, out);
	} else {
		reply_error(x, out, "Unrecognized command");
	}
	if (out->overflow)
		reply_error(x, out, "reply too large");
}
