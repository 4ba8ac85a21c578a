/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/ng/ng_cmd.c and ng.c's datagram handling, on the
 * real call table and port pool with a fake dataplane (counting installs
 * and removes, failing on demand) and once with the real dp_client with
 * no dataplane (-ENOTCONN): each command's reply shape, the SDP rewriting
 * (address, ports crossing over, ICE removed, other streams refused,
 * origin replaced, rtcp-mux only when both), the call's life (NEW at the
 * offer, ACTIVE at the answer, gone at delete with its ports released and
 * the ended hook called), the errors (unknown command, missing keys, bad
 * SDP, SRTP, unknown Call-ID, dataplane failure: nothing left half-done),
 * the load limit, the unanswered-call sweep, and a retransmitted cookie
 * answered from the cache without being executed again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <re.h>

#include "../../../../control/calls/call_store.h"
#include "../../../../control/calls/calls.h"
#include "../../../../control/media/ports.h"
#include "../../../../control/ng/bencode.h"
#include "../../../../control/ng/ng.h"
#include "../../../../control/ng/ng_cmd.h"
#include "../../../../control/ng/ng_sdp.h"

#define MEDIA "198.51.100.10"

static const char sdp_a[] = "v=0\r\n"
			    "o=alice 2890844526 2890844526 IN IP4 203.0.113.5\r\n"
			    "s=-\r\n"
			    "c=IN IP4 203.0.113.5\r\n"
			    "t=0 0\r\n"
			    "a=ice-ufrag:abcd\r\n"
			    "m=audio 49170 RTP/AVP 8 0 18 101\r\n"
			    "a=rtpmap:18 G729/8000\r\n"
			    "a=fmtp:18 annexb=no\r\n"
			    "a=rtpmap:101 telephone-event/8000\r\n"
			    "a=rtcp:49171\r\n"
			    "a=rtcp-mux\r\n"
			    "a=candidate:1 1 udp 2130706431 10.1.1.1 49170 typ host\r\n"
			    "a=ice-pwd:secretsecretsecret\r\n"
			    "a=ptime:20\r\n"
			    "a=sendrecv\r\n"
			    "m=video 51372 RTP/AVP 96\r\n"
			    "a=rtpmap:96 H264/90000\r\n";

static const char sdp_b[] = "v=0\n"
			    "o=bob 1 1 IN IP4 203.0.113.77\n"
			    "s=-\n"
			    "t=0 0\n"
			    "m=audio 3456 RTP/AVP 8 101\n"
			    "c=IN IP4 203.0.113.77\n"
			    "a=rtpmap:101 telephone-event/8000\n"
			    "m=video 0 RTP/AVP 96\n";

struct fake_dp {
	int installs;
	int replaces;
	int removes;
	int fail; /* install returns this when < 0 */
};

struct t {
	struct calls *calls;
	struct ports *ports;
	struct ng_cmd x;
	struct fake_dp dp;
	int ended;
	int changed;
	char reply[65536];
	size_t rlen;
	struct benc_node nd[1024];
};

static int
fake_install(void *arg, struct call *c, bool replace)
{
	struct fake_dp *d = arg;

	(void)c;
	if (d->fail < 0)
		return d->fail;
	d->installs++;
	d->replaces += replace;
	return 0;
}

static int
fake_remove(void *arg, const struct call *c)
{
	struct fake_dp *d = arg;

	(void)c;
	d->removes++;
	return 0;
}

static const struct ng_dp_ops fake_ops = {.install = fake_install, .remove = fake_remove};

static void
ended_h(const struct call *c, void *arg)
{
	struct t *t = arg;

	assert_int_equal(c->state, CALL_ENDED);
	t->ended++;
}

static void
changed_h(const struct call *c, void *arg)
{
	struct t *t = arg;

	(void)c;
	t->changed++;
}

static int
setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->calls = calls_create(64);
	t->ports = ports_create(30000, 30010, 0); /* 6 ports: 3 calls */
	t->x.calls = t->calls;
	t->x.ports = t->ports;
	snprintf(t->x.media_ip, sizeof(t->x.media_ip), MEDIA);
	t->x.dp = &fake_ops;
	t->x.dp_arg = &t->dp;
	t->x.ended_h = ended_h;
	t->x.changed_h = changed_h;
	t->x.hook_arg = t;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t *t = *state;

	calls_destroy(t->calls);
	ports_destroy(t->ports);
	free(t);
	return 0;
}

/* Build a request dictionary from "key", "value" pairs (NULL ends);
 * a value starting with '[' is a list of comma-separated strings. */
static size_t
build(char *buf, size_t cap, const char *cmd, va_list ap)
{
	struct benc_buf b;
	const char *k;

	benc_buf_init(&b, buf, cap);
	benc_dict(&b);
	if (cmd)
		benc_kv_str(&b, "command", cmd);
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);

		benc_str(&b, k);
		if (v[0] == '[') {
			const char *p = v + 1;

			benc_list(&b);
			while (*p && *p != ']') {
				size_t n = strcspn(p, ",]");

				benc_strn(&b, p, n);
				p += n + (p[n] == ',');
			}
			benc_end(&b);
		} else {
			benc_str(&b, v);
		}
	}
	benc_end(&b);
	assert_false(b.overflow);
	return b.len;
}

/* Run a command; the reply is decoded into t->nd. */
static void
run(struct t *t, const char *cmd, ...)
{
	char req[16384];
	struct benc_buf out;
	va_list ap;
	size_t n;

	va_start(ap, cmd);
	n = build(req, sizeof(req), cmd, ap);
	va_end(ap);
	benc_buf_init(&out, t->reply, sizeof(t->reply));
	ng_cmd_handle(&t->x, req, n, &out);
	assert_false(out.overflow);
	t->rlen = out.len;
	assert_true(benc_decode(t->reply, t->rlen, t->nd, 1024) > 0);
	assert_int_equal(t->nd[0].type, BENC_DICT);
}

static const struct benc_node *
rget(struct t *t, const char *key)
{
	return benc_dict_get(t->nd, 0, key);
}

static void
assert_result(struct t *t, const char *result)
{
	const struct benc_node *r = rget(t, "result");

	assert_non_null(r);
	if (!benc_str_eq(r, result))
		fail_msg("result %.*s, want %s (%.*s)", (int)r->len, r->s, result, (int)t->rlen,
			 t->reply);
}

/* The reply's SDP as a C string. */
static const char *
rsdp(struct t *t)
{
	static char s[16384];
	const struct benc_node *v = benc_dict_str(t->nd, 0, "sdp");

	assert_non_null(v);
	assert_int_equal(benc_str_copy(v, s, sizeof(s)), 0);
	return s;
}

static struct call *
the_call(struct t *t, const char *callid)
{
	struct call_leg *l = calls_find_callid(t->calls, callid, strlen(callid));

	return l ? l->call : NULL;
}

static uint32_t
ports_in_use(struct t *t)
{
	struct ports_stats st;

	ports_stats(t->ports, 0, &st);
	return st.in_use;
}

static void
ping(void **state)
{
	struct t *t = *state;

	run(t, "ping", NULL);
	assert_result(t, "pong");
	assert_int_equal(t->x.st.pings, 1);
}

static void
offer_answer_delete(void **state)
{
	struct t *t = *state;
	struct call *c;
	const char *s;
	char line[64];

	run(t, "offer", "call-id", "c1@x", "from-tag", "ft", "sdp", sdp_a, "replace",
	    "[origin,session-connection]", "ICE", "remove", "received-from", "[IP4,203.0.113.5]",
	    "flags", "[trust-address,loop-protect]", "direction", "[external,internal]",
	    "via-branch", "z9hG4bK1", "label", "caller", NULL);
	assert_result(t, "ok");
	assert_null(rget(t, "warning"));
	c = the_call(t, "c1@x");
	assert_non_null(c);
	assert_int_equal(c->kind, CALL_NG);
	assert_int_equal(c->state, CALL_NEW);
	assert_false(c->installed);
	assert_string_equal(c->leg[0].dlg.remote_tag, "ft");
	assert_true(c->leg[0].has_media);
	assert_string_equal(c->leg[0].m.ip, "203.0.113.5");
	assert_int_equal(c->leg[0].m.port, 49170);
	assert_int_equal(c->leg[0].m.pt, 8);
	assert_int_equal(c->leg[0].m.dtmf_pt, 101);
	assert_int_equal(c->leg[0].m.ptime, 20);
	assert_true(c->leg[0].m.rtcp_mux);
	assert_int_not_equal(c->leg[0].local_port, 0);
	assert_int_not_equal(c->leg[1].local_port, 0);
	assert_int_equal(ports_in_use(t), 2);
	s = rsdp(t);
	/* toward the callee: our address, the port the callee sends to */
	assert_non_null(strstr(s, "o=alice 2890844526 2890844526 IN IP4 " MEDIA "\r\n"));
	assert_non_null(strstr(s, "c=IN IP4 " MEDIA "\r\n"));
	snprintf(line, sizeof(line), "m=audio %u RTP/AVP 8 0 18 101\r\n", c->leg[1].local_port);
	assert_non_null(strstr(s, line));
	assert_non_null(strstr(s, "a=fmtp:18 annexb=no\r\n")); /* codecs untouched */
	assert_non_null(strstr(s, "a=rtcp-mux\r\n"));	       /* offered on */
	assert_non_null(strstr(s, "m=video 0 RTP/AVP 96\r\n"));
	assert_null(strstr(s, "candidate"));
	assert_null(strstr(s, "ice-"));
	assert_null(strstr(s, "a=rtcp:"));
	assert_null(strstr(s, "203.0.113.5"));
	assert_int_equal(t->dp.installs, 0);

	run(t, "answer", "call-id", "c1@x", "from-tag", "ft", "to-tag", "tt", "sdp", sdp_b, NULL);
	assert_result(t, "ok");
	s = rsdp(t);
	/* toward the caller: the port the caller sends to; LF became CRLF */
	snprintf(line, sizeof(line), "m=audio %u RTP/AVP 8 101\r\n", c->leg[0].local_port);
	assert_non_null(strstr(s, line));
	assert_non_null(strstr(s, "o=bob 1 1 IN IP4 203.0.113.77\r\n")); /* origin kept */
	assert_non_null(strstr(s, "c=IN IP4 " MEDIA "\r\n"));
	assert_null(strstr(s, "rtcp-mux"));
	assert_int_equal(c->state, CALL_ACTIVE);
	assert_true(c->installed);
	assert_int_equal(t->dp.installs, 1);
	assert_int_equal(t->dp.replaces, 0);
	assert_false(c->leg[1].m.rtcp_mux);
	assert_string_equal(c->leg[1].dlg.remote_tag, "tt");
	assert_string_equal(c->leg[1].m.ip, "203.0.113.77");
	assert_int_equal(t->changed, 1);

	/* the answer retransmitted by the proxy with a new cookie: replaces */
	run(t, "answer", "call-id", "c1@x", "from-tag", "ft", "to-tag", "tt", "sdp", sdp_b, NULL);
	assert_result(t, "ok");
	assert_int_equal(t->dp.replaces, 1);

	run(t, "delete", "call-id", "c1@x", "from-tag", "ft", "to-tag", "tt", NULL);
	assert_result(t, "ok");
	assert_null(the_call(t, "c1@x"));
	assert_int_equal(t->dp.removes, 1);
	assert_int_equal(t->ended, 1);
	assert_int_equal(ports_in_use(t), 0);
	assert_int_equal(calls_count(t->calls), 0);

	run(t, "delete", "call-id", "c1@x", NULL);
	assert_result(t, "error");
	assert_true(benc_str_eq(rget(t, "error-reason"), "Unknown call-id"));
}

static void
reinvite_from_callee_and_hold(void **state)
{
	struct t *t = *state;
	static const char hold[] = "v=0\n"
				   "o=bob 1 2 IN IP4 203.0.113.77\n"
				   "s=-\n"
				   "t=0 0\n"
				   "m=audio 3456 RTP/AVP 8 101\n"
				   "c=IN IP4 203.0.113.77\n"
				   "a=sendonly\n";
	struct call *c;

	run(t, "offer", "call-id", "c2", "from-tag", "A", "sdp", sdp_a, NULL);
	run(t, "answer", "call-id", "c2", "from-tag", "A", "to-tag", "B", "sdp", sdp_b, NULL);
	c = the_call(t, "c2");
	assert_int_equal(c->state, CALL_ACTIVE);
	/* the callee puts the caller on hold: its tag is now the from-tag */
	run(t, "offer", "call-id", "c2", "from-tag", "B", "to-tag", "A", "sdp", hold, NULL);
	assert_result(t, "ok");
	assert_non_null(strstr(rsdp(t), "a=sendonly\r\n"));
	assert_int_equal(c->leg[1].m.dir, CALL_SENDONLY);
	assert_true(c->held);
	assert_int_equal(t->dp.replaces, 1);
	run(t, "answer", "call-id", "c2", "from-tag", "B", "to-tag", "X", "sdp", sdp_a, NULL);
	assert_result(t, "ok");
	assert_string_equal(c->leg[0].dlg.remote_tag, "A"); /* the caller's tag stays */
	/* rtcp-mux: the callee's offer had none, so not in the answer */
	assert_null(strstr(rsdp(t), "rtcp-mux"));
	assert_int_equal(t->dp.replaces, 2);
	/* a tag nobody has */
	run(t, "offer", "call-id", "c2", "from-tag", "C", "sdp", sdp_a, NULL);
	assert_result(t, "error");
}

static void
query_list_statistics(void **state)
{
	struct t *t = *state;
	const struct benc_node *v, *tags, *tag, *medias;
	uint32_t i;

	run(t, "offer", "call-id", "q1", "from-tag", "f1", "sdp", sdp_a, NULL);
	run(t, "answer", "call-id", "q1", "from-tag", "f1", "to-tag", "t1", "sdp", sdp_b, NULL);
	run(t, "offer", "call-id", "q2", "from-tag", "f2", "sdp", sdp_a, NULL);
	run(t, "query", "call-id", "q1", NULL);
	assert_result(t, "ok");
	assert_non_null(rget(t, "created"));
	assert_true(benc_str_eq(rget(t, "state"), "active"));
	v = rget(t, "totals");
	assert_non_null(v);
	v = benc_dict_get(t->nd, (uint32_t)(v - t->nd), "RTP");
	assert_non_null(v);
	assert_int_equal(benc_dict_get(t->nd, (uint32_t)(v - t->nd), "packets")->type, BENC_INT);
	tags = rget(t, "tags");
	assert_non_null(tags);
	assert_int_equal(tags->n, 4); /* two tags */
	tag = benc_dict_get(t->nd, (uint32_t)(tags - t->nd), "f1");
	assert_non_null(tag);
	assert_true(benc_str_eq(benc_dict_get(t->nd, (uint32_t)(tag - t->nd), "in dialogue with"),
				"t1"));
	medias = benc_dict_get(t->nd, (uint32_t)(tag - t->nd), "medias");
	assert_int_equal(medias->type, BENC_LIST);
	assert_int_equal(medias->n, 1);
	i = (uint32_t)(medias - t->nd) + 1; /* the audio media */
	v = benc_dict_get(t->nd, i, "streams");
	i = (uint32_t)(v - t->nd) + 1; /* its stream */
	assert_int_equal(benc_dict_get(t->nd, i, "local port")->i,
			 the_call(t, "q1")->leg[0].local_port);
	v = benc_dict_get(t->nd, i, "endpoint");
	assert_true(
		benc_str_eq(benc_dict_get(t->nd, (uint32_t)(v - t->nd), "address"), "203.0.113.5"));
	v = benc_dict_get(t->nd, i, "stats");
	assert_non_null(benc_dict_get(t->nd, (uint32_t)(v - t->nd), "jitter"));
	assert_non_null(benc_dict_get(t->nd, (uint32_t)(v - t->nd), "lost"));

	run(t, "list", NULL);
	assert_result(t, "ok");
	v = rget(t, "calls");
	assert_int_equal(v->type, BENC_LIST);
	assert_int_equal(v->n, 2);
	run(t, "statistics", NULL);
	assert_result(t, "ok");
	v = rget(t, "statistics");
	v = benc_dict_get(t->nd, (uint32_t)(v - t->nd), "currentstatistics");
	assert_int_equal(benc_dict_get(t->nd, (uint32_t)(v - t->nd), "sessionsown")->i, 2);
	run(t, "query", "call-id", "nope", NULL);
	assert_result(t, "error");
	run(t, "query", NULL);
	assert_result(t, "error");
}

static void
errors_leave_nothing(void **state)
{
	struct t *t = *state;
	static const char srtp[] = "v=0\r\nc=IN IP4 203.0.113.5\r\nm=audio 1000 RTP/SAVP 0\r\n";
	static const char novoice[] = "v=0\r\nc=IN IP4 203.0.113.5\r\nm=video 1000 RTP/AVP 96\r\n";
	static const char noaddr[] = "v=0\r\nm=audio 1000 RTP/AVP 0\r\n";
	static const char badc[] = "v=0\r\nc=IN IP4 foo.example\r\nm=audio 1000 RTP/AVP 0\r\n";
	static const char nov[] = "c=IN IP4 203.0.113.5\r\nm=audio 1000 RTP/AVP 0\r\n";
	const char *bad[] = {srtp, novoice, noaddr, badc, nov, "", "garbage"};
	size_t i;

	run(t, "nonsense", NULL);
	assert_result(t, "error");
	assert_true(benc_str_eq(rget(t, "error-reason"), "Unrecognized command"));
	run(t, NULL, "call-id", "x", NULL);
	assert_result(t, "error");
	run(t, "offer", "call-id", "x", "sdp", sdp_a, NULL);
	assert_result(t, "error");
	run(t, "offer", "from-tag", "x", "sdp", sdp_a, NULL);
	assert_result(t, "error");
	run(t, "offer", "call-id", "x", "from-tag", "f", NULL);
	assert_result(t, "error");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run(t, "offer", "call-id", "x", "from-tag", "f", "sdp", bad[i], NULL);
		assert_result(t, "error");
		assert_int_equal(calls_count(t->calls), 0);
		assert_int_equal(ports_in_use(t), 0);
	}
	run(t, "offer", "call-id", "x", "from-tag", "f", "sdp", sdp_a, "transport-protocol",
	    "RTP/SAVPF", NULL);
	assert_result(t, "error");
	assert_int_equal(calls_count(t->calls), 0);
	run(t, "answer", "call-id", "x", "from-tag", "f", "to-tag", "g", "sdp", sdp_b, NULL);
	assert_result(t, "error");
	/* a bad answer leaves the call as offered */
	run(t, "offer", "call-id", "x", "from-tag", "f", "sdp", sdp_a, NULL);
	assert_result(t, "ok");
	run(t, "answer", "call-id", "x", "from-tag", "f", "to-tag", "g", "sdp", srtp, NULL);
	assert_result(t, "error");
	run(t, "answer", "call-id", "x", "from-tag", "f", "sdp", sdp_b, NULL);
	assert_result(t, "error");
	run(t, "answer", "call-id", "x", "from-tag", "zz", "to-tag", "g", "sdp", sdp_b, NULL);
	assert_result(t, "error");
	assert_int_equal(the_call(t, "x")->state, CALL_NEW);
	assert_false(the_call(t, "x")->leg[1].has_media);
	assert_string_equal(the_call(t, "x")->leg[1].dlg.remote_tag, "");
	/* the dataplane refuses: the answer is not taken */
	t->dp.fail = -ENOSPC;
	run(t, "answer", "call-id", "x", "from-tag", "f", "to-tag", "g", "sdp", sdp_b, NULL);
	assert_result(t, "error");
	assert_non_null(strstr(rget(t, "error-reason")->s, "dataplane"));
	assert_int_equal(the_call(t, "x")->state, CALL_NEW);
	assert_false(the_call(t, "x")->installed);
	assert_false(the_call(t, "x")->leg[1].has_media);
	t->dp.fail = 0;
	run(t, "answer", "call-id", "x", "from-tag", "f", "to-tag", "g", "sdp", sdp_b, NULL);
	assert_result(t, "ok");
	assert_true(t->x.st.errors >= 15);
}

static void
ports_run_out(void **state)
{
	struct t *t = *state;
	char id[8];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(id, sizeof(id), "p%d", i);
		run(t, "offer", "call-id", id, "from-tag", "f", "sdp", sdp_a, NULL);
		assert_result(t, "ok");
	}
	run(t, "offer", "call-id", "p3", "from-tag", "f", "sdp", sdp_a, NULL);
	assert_result(t, "error");
	assert_true(benc_str_eq(rget(t, "error-reason"), "no free media port"));
	assert_int_equal(calls_count(t->calls), 3);
	assert_int_equal(ports_in_use(t), 6);
}

static void
load_limit(void **state)
{
	struct t *t = *state;

	t->x.max_sessions = 2;
	run(t, "offer", "call-id", "l1", "from-tag", "f", "sdp", sdp_a, NULL);
	assert_result(t, "ok");
	run(t, "offer", "call-id", "l2", "from-tag", "f", "sdp", sdp_a, NULL);
	assert_result(t, "ok");
	run(t, "offer", "call-id", "l3", "from-tag", "f", "sdp", sdp_a, NULL);
	assert_result(t, "load limit");
	assert_int_equal(t->nd[0].n, 2); /* just the result */
	assert_int_equal(t->x.st.load_limit, 1);
	assert_null(the_call(t, "l3"));
	/* a call already held is not limited (re-INVITE) */
	run(t, "offer", "call-id", "l1", "from-tag", "f", "sdp", sdp_a, NULL);
	assert_result(t, "ok");
	run(t, "delete", "call-id", "l2", NULL);
	run(t, "offer", "call-id", "l3", "from-tag", "f", "sdp", sdp_a, NULL);
	assert_result(t, "ok");
}

static void
record_call_and_flags(void **state)
{
	struct t *t = *state;
	struct call *c;

	run(t, "offer", "call-id", "r1", "from-tag", "f", "sdp", sdp_a, "record-call", "yes",
	    "rtcp-mux", "[demux]", "transport-protocol", "RTP/AVP", "flags", "[SIP-source-address]",
	    "received-from", "[IP4,203.0.113.99]", NULL);
	assert_result(t, "ok");
	assert_non_null(strstr(benc_dict_str(t->nd, 0, "warning")->s, "record-call"));
	assert_null(strstr(rsdp(t), "rtcp-mux"));
	assert_null(strstr(rsdp(t), "o=alice 2890844526 2890844526 IN IP4 " MEDIA));
	c = the_call(t, "r1");
	assert_string_equal(c->leg[0].m.ip, "203.0.113.99"); /* SIP source wins */
	/* keys with spaces, as newer modules send them */
	run(t, "offer", "call-id", "r2", "from-tag", "f", "sdp", sdp_a, "replace", "[origin]",
	    "record call", "on", NULL);
	assert_result(t, "ok");
	assert_non_null(strstr(rsdp(t), "o=alice 2890844526 2890844526 IN IP4 " MEDIA));
	assert_non_null(rget(t, "warning"));
}

static void
sweep_unanswered(void **state)
{
	struct t *t = *state;

	run(t, "offer", "call-id", "s1", "from-tag", "f", "sdp", sdp_a, NULL);
	run(t, "offer", "call-id", "s2", "from-tag", "f", "sdp", sdp_a, NULL);
	run(t, "answer", "call-id", "s2", "from-tag", "f", "to-tag", "g", "sdp", sdp_b, NULL);
	ng_cmd_sweep(&t->x, 3600 * 1000);
	assert_int_equal(calls_count(t->calls), 2);
	ng_cmd_sweep(&t->x, 0);
	assert_null(the_call(t, "s1"));
	assert_non_null(the_call(t, "s2"));
	assert_int_equal(t->x.st.setup_timeouts, 1);
	assert_int_equal(ports_in_use(t), 2);
}

/* ng.c: cookie, cache, hostile datagrams */
static void
datagrams(void **state)
{
	struct t *t = *state;
	struct ng *ng = ng_create_nosock(&t->x);
	char req[4096], out[65536], first[65536];
	struct benc_buf b;
	size_t n, r1, r2;
	uint32_t i;

	assert_non_null(ng);
	memcpy(req, "cookie1 ", 8);
	benc_buf_init(&b, req + 8, sizeof(req) - 8);
	benc_dict(&b);
	benc_kv_str(&b, "command", "offer");
	benc_kv_str(&b, "call-id", "d1");
	benc_kv_str(&b, "from-tag", "f");
	benc_kv_str(&b, "sdp", sdp_a);
	benc_end(&b);
	n = 8 + b.len;
	r1 = ng_process(ng, req, n, first, sizeof(first), 1000);
	assert_true(r1 > 8);
	assert_memory_equal(first, "cookie1 ", 8);
	assert_int_equal(t->x.st.offers, 1);
	/* retransmitted: the same bytes, not executed again */
	r2 = ng_process(ng, req, n, out, sizeof(out), 2000);
	assert_int_equal(r2, r1);
	assert_memory_equal(out, first, r1);
	assert_int_equal(t->x.st.offers, 1);
	/* after the cache lifetime it is a new request (a re-offer) */
	r2 = ng_process(ng, req, n, out, sizeof(out), 1000 + NG_CACHE_TTL_MS);
	assert_true(r2 > 0);
	assert_int_equal(t->x.st.offers, 2);

	/* no cookie, empty, control bytes: dropped, no reply possible */
	assert_int_equal(ng_process(ng, "", 0, out, sizeof(out), 3000), 0);
	assert_int_equal(ng_process(ng, "d7:command4:pinge", 17, out, sizeof(out), 3000), 0);
	assert_int_equal(ng_process(ng, " d7:command4:pinge", 18, out, sizeof(out), 3000), 0);
	assert_int_equal(ng_process(ng, "a\nb d7:command4:pinge", 21, out, sizeof(out), 3000), 0);
	memset(req, 'x', 200);
	req[100] = ' ';
	assert_int_equal(ng_process(ng, req, 200, out, sizeof(out), 3000), 0); /* cookie too long */
	/* a cookie and anything: an error reply */
	n = ng_process(ng, "k2 ", 3, out, sizeof(out), 3000);
	assert_true(n > 3);
	assert_memory_equal(out, "k2 d6:result5:error", 19);
	n = ng_process(ng, "k3 llllllllllllllllllllllllllllllllllllllllllllle", 49, out,
		       sizeof(out), 3000);
	assert_memory_equal(out, "k3 d6:result5:error", 19);
	n = ng_process(ng, "k4 d7:command4:pinge", 20, out, sizeof(out), 3000);
	assert_int_equal(n, 3 + strlen("d6:result4:ponge"));
	assert_memory_equal(out, "k4 d6:result4:ponge", n);
	/* random bytes after a cookie: always a reply, never a crash */
	for (i = 0; i < 20000; i++) {
		uint32_t s = i * 2654435761u, j, len = 3 + s % 64;

		snprintf(req, sizeof(req), "r%u ", i);
		for (j = (uint32_t)strlen(req); j < len + 8; j++) {
			s = s * 1103515245u + 12345u;
			req[j] = "d7:command5:offer4:ping0123456789ile:-"[(s >> 8) % 38];
		}
		assert_true(ng_process(ng, req, len + 8, out, sizeof(out), 4000) > 0);
	}
	ng_destroy(ng);
}

/* The real dataplane client, no dataplane: the answer fails cleanly. */
static void
no_dataplane(void **state)
{
	struct t *t = *state;
	struct config cfg;
	struct dp_client *dp;
	struct ng *ng;
	char out[65536];
	size_t n;
	config_init(&cfg);
	snprintf(cfg.media_ip, sizeof(cfg.media_ip), MEDIA);
	cfg.ng_port = 0; /* any free port */
	dp = dp_client_create("/nonexistent/rtpgw-ng-test.sock", NULL, NULL);
	assert_non_null(dp);
	ng = ng_create(&cfg, dp, t->calls, t->ports);
	assert_non_null(ng);
	n = ng_process(ng, "a1 d7:command5:offer7:call-id2:n18:from-tag1:f3:sdp",
		       strlen("a1 d7:command5:offer7:call-id2:n18:from-tag1:f3:sdp"), out,
		       sizeof(out), 0);
	assert_true(n > 0); /* malformed: error reply */
	{
		char req[4096];
		struct benc_buf b;

		memcpy(req, "a2 ", 3);
		benc_buf_init(&b, req + 3, sizeof(req) - 3);
		benc_dict(&b);
		benc_kv_str(&b, "command", "offer");
		benc_kv_str(&b, "call-id", "n1");
		benc_kv_str(&b, "from-tag", "f");
		benc_kv_str(&b, "sdp", sdp_a);
		benc_end(&b);
		n = ng_process(ng, req, 3 + b.len, out, sizeof(out), 0);
		assert_non_null(memmem(out, n, "2:ok", 4));
		memcpy(req, "a3 ", 3);
		benc_buf_init(&b, req + 3, sizeof(req) - 3);
		benc_dict(&b);
		benc_kv_str(&b, "command", "answer");
		benc_kv_str(&b, "call-id", "n1");
		benc_kv_str(&b, "from-tag", "f");
		benc_kv_str(&b, "to-tag", "g");
		benc_kv_str(&b, "sdp", sdp_b);
		benc_end(&b);
		n = ng_process(ng, req, 3 + b.len, out, sizeof(out), 0);
		assert_non_null(memmem(out, n, "5:error", 7));
		assert_non_null(memmem(out, n, "not connected", 13));
	}
	assert_int_equal(the_call(t, "n1")->state, CALL_NEW);
	assert_false(the_call(t, "n1")->installed);
	ng_destroy(ng);
	dp_client_destroy(dp);
}

/* ng_sdp on mutated and truncated SDP: an error or a consistent result,
 * never a read or write past a buffer (run it under the sanitizers too). */
static void
sdp_hostile(void **state)
{
	static const char alphabet[] = "vmcoa= \r\n:/0123456789INP46.RTAVudio";
	struct ng_sdp_out o = {.ip = "2001:db8::10", .port = 30000, .replace_origin = true};
	char buf[sizeof(sdp_a)], out[600];
	struct call_media m;
	char proto[16];
	uint32_t s = 7, i, j;
	size_t len = sizeof(sdp_a) - 1;
	int rc;

	(void)state;
	/* every truncation */
	for (i = 0; i <= len; i++) {
		rc = ng_sdp_parse(sdp_a, i, &m, proto);
		assert_true(rc == 0 || rc == -EBADMSG || rc == -EPROTO || rc == -EPROTONOSUPPORT);
		rc = ng_sdp_rewrite(sdp_a, i, &o, out, sizeof(out));
		assert_true(rc >= 0 ? (size_t)rc <= sizeof(out) : rc != 0);
	}
	/* a small output buffer: -ENOSPC, not an overflow */
	assert_int_equal(ng_sdp_rewrite(sdp_a, len, &o, out, 100), -ENOSPC);
	for (i = 0; i < 50000; i++) {
		memcpy(buf, sdp_a, len);
		for (j = 0; j < 1 + i % 4; j++) {
			s = s * 1103515245u + 12345u;
			buf[(s >> 8) % len] = alphabet[(s >> 16) % (sizeof(alphabet) - 1)];
		}
		rc = ng_sdp_parse(buf, len, &m, proto);
		if (rc == 0)
			assert_true(m.port > 0 && m.ip[0]);
		rc = ng_sdp_rewrite(buf, len, &o, out, sizeof(out));
		assert_true(rc >= 0 ? (size_t)rc <= sizeof(out) : rc != 0);
	}
}

static void
store_put_h(const struct call *c, void *arg)
{
	call_store_put(arg, c);
}

static void
store_del_h(const struct call *c, void *arg)
{
	call_store_del(arg, c);
}

/* An answered ng call goes to the journal and comes back whole. */
static void
journal(void **state)
{
	struct t *t = *state;
	char path[] = "/tmp/rtpgw-ng-store.XXXXXX";
	struct call_store *st;
	struct calls *back;
	struct call *c, *o;
	unsigned int bad = 99;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	st = call_store_open(path, t->calls);
	assert_non_null(st);
	t->x.changed_h = store_put_h;
	t->x.ended_h = store_del_h;
	t->x.hook_arg = st;
	run(t, "offer", "call-id", "j1@203.0.113.5", "from-tag", "f", "sdp", sdp_a, NULL);
	run(t, "answer", "call-id", "j1@203.0.113.5", "from-tag", "f", "to-tag", "g", "sdp", sdp_b,
	    NULL);
	run(t, "offer", "call-id", "j2", "from-tag", "f", "sdp", sdp_a, NULL);
	run(t, "answer", "call-id", "j2", "from-tag", "f", "to-tag", "g", "sdp", sdp_b, NULL);
	run(t, "delete", "call-id", "j2", NULL);
	o = the_call(t, "j1@203.0.113.5");
	call_store_close(st);

	back = calls_create(64);
	st = call_store_open(path, back);
	assert_int_equal(call_store_load(st, &bad), 1);
	assert_int_equal(bad, 0);
	c = calls_find_callid(back, "j1@203.0.113.5", 14)->call;
	assert_int_equal(c->kind, CALL_NG);
	assert_int_equal(c->id, o->id);
	assert_true(c->recovered && c->installed);
	assert_string_equal(c->leg[0].dlg.remote_tag, "f");
	assert_string_equal(c->leg[1].dlg.remote_tag, "g");
	assert_string_equal(c->leg[1].dlg.callid, "");
	assert_int_equal(c->leg[0].local_port, o->leg[0].local_port);
	assert_int_equal(c->leg[1].local_port, o->leg[1].local_port);
	assert_string_equal(c->leg[1].m.ip, "203.0.113.77");
	assert_int_equal(c->leg[1].m.port, 3456);
	call_store_close(st);
	calls_destroy(back);
	unlink(path);
}

static int
group_setup(void **state)
{
	(void)state;
	return libre_init();
}

static int
group_teardown(void **state)
{
	(void)state;
	libre_close();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ping, setup, teardown),
		cmocka_unit_test_setup_teardown(offer_answer_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(reinvite_from_callee_and_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(query_list_statistics, setup, teardown),
		cmocka_unit_test_setup_teardown(errors_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(ports_run_out, setup, teardown),
		cmocka_unit_test_setup_teardown(load_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(record_call_and_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(sweep_unanswered, setup, teardown),
		cmocka_unit_test_setup_teardown(datagrams, setup, teardown),
		cmocka_unit_test_setup_teardown(no_dataplane, setup, teardown),
		cmocka_unit_test_setup_teardown(journal, setup, teardown),
		cmocka_unit_test(sdp_hostile),
	};

	return cmocka_run_group_tests_name("ng_cmd", tests, group_setup, group_teardown);
}
