/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/calls/call_store.c (the call journal a restarted
 * control recovers from) and control/calls/call_json.c: a call written,
 * changed and read back whole (dialog, ports, media); a del line removing
 * it; only answered calls kept; a torn last line, foreign and bad records
 * skipped and counted; the journal rewritten to the live calls when read;
 * a call's JSON form with a Call-ID needing escapes.
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

#include "../../../control/calls/call_json.h"
#include "../../../control/calls/call_store.h"

static char path[64];

static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/rtpgw-store-test.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static struct call *
relay_call(struct calls *cs, const char *a_callid, const char *b_callid)
{
	struct call *c = calls_add(cs, CALL_RELAY, 2, 0);

	assert_non_null(c);
	c->state = CALL_ACTIVE;
	c->route = 3;
	c->t_start_ms = 1795000000000ull;
	c->t_answer_ms = 1795000000500ull;
	assert_int_equal(calls_set_callid(cs, &c->leg[0], a_callid), 0);
	assert_int_equal(calls_set_callid(cs, &c->leg[1], b_callid), 0);
	snprintf(c->leg[0].dlg.local_tag, sizeof(c->leg[0].dlg.local_tag), "lt0");
	snprintf(c->leg[0].dlg.remote_tag, sizeof(c->leg[0].dlg.remote_tag), "rt0");
	snprintf(c->leg[0].dlg.remote_target, sizeof(c->leg[0].dlg.remote_target),
		 "sip:a@198.51.100.1:5060;transport=tcp");
	c->leg[0].dlg.uas = true;
	c->leg[0].dlg.tcp = true;
	c->leg[1].dlg.lseq = 4711;
	c->leg[1].ssrc_out = 0xdeadbeef;
	c->leg[0].local_port = 30000;
	c->leg[1].local_port = 30002;
	for (unsigned int i = 0; i < 2; i++) {
		c->leg[i].has_media = true;
		snprintf(c->leg[i].m.ip, sizeof(c->leg[i].m.ip), "198.51.100.%u", i + 1);
		c->leg[i].m.port = (uint16_t)(40000 + i * 2);
		c->leg[i].m.rtcp_port = (uint16_t)(40001 + i * 2);
		c->leg[i].m.pt = 8;
		c->leg[i].m.dtmf_pt = 101;
		c->leg[i].m.ptime = 20;
		c->leg[i].m.dir = CALL_SENDONLY;
	}
	return c;
}

static void
a_call_comes_back_whole(void **state)
{
	struct calls *cs = calls_create(64), *cs2 = calls_create(64);
	struct call_store *st;
	struct call *c, *r;
	unsigned int bad;

	(void)state;
	st = call_store_open(path, cs);
	assert_non_null(st);
	c = relay_call(cs, "a@x", "b@y");
	call_store_put(st, c);
	c->held = true; /* a change: the later record wins */
	c->leg[1].m.port = 41000;
	call_store_put(st, c);
	call_store_close(st);

	st = call_store_open(path, cs2);
	assert_int_equal(call_store_load(st, &bad), 1);
	assert_int_equal(bad, 0);
	r = calls_find(cs2, c->id);
	assert_non_null(r);
	assert_true(r->recovered && r->installed && r->held);
	assert_int_equal(r->state, CALL_ACTIVE);
	assert_int_equal(r->kind, CALL_RELAY);
	assert_int_equal(r->route, 3);
	assert_int_equal(r->t_answer_ms, 1795000000500ull);
	assert_ptr_equal(calls_find_callid(cs2, "b@y", 3), &r->leg[1]);
	assert_string_equal(r->leg[0].dlg.remote_target, "sip:a@198.51.100.1:5060;transport=tcp");
	assert_string_equal(r->leg[0].dlg.local_tag, "lt0");
	assert_true(r->leg[0].dlg.uas && r->leg[0].dlg.tcp);
	assert_int_equal(r->leg[1].dlg.lseq, 4711);
	assert_int_equal(r->leg[1].ssrc_out, 0xdeadbeef); /* a re-install matches */
	assert_int_equal(r->leg[0].ssrc_out, 0);
	assert_int_equal(r->leg[1].local_port, 30002);
	assert_int_equal(r->leg[1].m.port, 41000);
	assert_string_equal(r->leg[1].m.ip, "198.51.100.2");
	assert_int_equal(r->leg[0].m.pt, 8);
	assert_int_equal(r->leg[0].m.dtmf_pt, 101);
	assert_int_equal(r->leg[0].m.dir, CALL_SENDONLY);
	call_store_close(st);
	calls_destroy(cs);
	calls_destroy(cs2);
}

static void
del_removes_and_unanswered_calls_are_not_kept(void **state)
{
	struct calls *cs = calls_create(64), *cs2 = calls_create(64);
	struct call_store *st;
	struct call *a, *b, *n;
	unsigned int bad;

	(void)state;
	st = call_store_open(path, cs);
	a = relay_call(cs, "a1", "b1");
	b = relay_call(cs, "a2", "b2");
	n = relay_call(cs, "a3", "b3");
	n->state = CALL_EARLY; /* not answered: nothing to recover */
	call_store_put(st, a);
	call_store_put(st, b);
	call_store_put(st, n);
	call_store_del(st, a);
	call_store_close(st);
	st = call_store_open(path, cs2);
	assert_int_equal(call_store_load(st, &bad), 1);
	assert_null(calls_find(cs2, a->id));
	assert_non_null(calls_find(cs2, b->id));
	assert_null(calls_find(cs2, n->id));
	call_store_close(st);
	calls_destroy(cs);
	calls_destroy(cs2);
}

static void
bad_lines_are_skipped_and_counted(void **state)
{
	struct calls *cs = calls_create(64), *cs2 = calls_create(64);
	struct call_store *st;
	unsigned int bad, lines = 0;
	struct call *c;
	char buf[4096];
	FILE *f;

	(void)state;
	st = call_store_open(path, cs);
	c = relay_call(cs, "ok1", "ok2");
	call_store_put(st, c);
	call_store_close(st);
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("not json at all\n", f);
	fputs("{\"other\":1}\n", f);
	/* a relayed call with one leg, a room call without a room, an odd port */
	fputs("{\"put\":{\"id\":50,\"kind\":2,\"legs\":[{\"port\":30010,\"pt\":0}]}}\n", f);
	fputs("{\"put\":{\"id\":51,\"kind\":1,\"room\":0,\"legs\":[{\"callid\":\"z\",\"port\":30012,\"pt\":0}]}}\n",
	      f);
	fputs("{\"put\":{\"id\":52,\"kind\":1,\"room\":4,\"legs\":[{\"callid\":\"y\",\"port\":30013,\"pt\":0}]}}\n",
	      f);
	fputs("{\"put\":{\"id\":53,\"kind\":1,\"room\":4,\"legs\":[{\"callid\":\"ok1\",\"port\":30014,\"pt\":0}]}}\n",
	      f);
	fputs("{\"del\":", f); /* torn: the writer died here */
	fclose(f);
	st = call_store_open(path, cs2);
	assert_int_equal(call_store_load(st, &bad), 1);
	assert_int_equal(bad, 7);
	assert_non_null(calls_find(cs2, c->id));
	call_store_close(st);
	/* the journal was rewritten to the live call only */
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(buf, sizeof(buf), f))
		lines++;
	fclose(f);
	assert_int_equal(lines, 1);
	calls_destroy(cs);
	calls_destroy(cs2);
}

static void
json_escapes_strings(void **state)
{
	struct calls *cs = calls_create(64);
	struct mbuf *mb = mbuf_alloc(2048);
	struct call *c;
	char *text;

	(void)state;
	c = relay_call(cs, "q\"uote\\d", "b@y");
	snprintf(c->end_reason, sizeof(c->end_reason), "bye-caller");
	assert_int_equal(mbuf_printf(mb, "%H", call_json, c), 0);
	text = calloc(1, mb->end + 1);
	memcpy(text, mb->buf, mb->end);
	assert_non_null(strstr(text, "\"call_id\":\"q\\\"uote\\\\d\""));
	assert_non_null(strstr(text, "\"kind\":\"relay\""));
	assert_non_null(strstr(text, "\"end_reason\":\"bye-caller\""));
	assert_non_null(strstr(text, "\"codec\":\"PCMA\""));
	assert_non_null(strstr(text, "\"direction\":\"sendonly\""));
	assert_non_null(strstr(text, "\"duration_s\":"));
	free(text);
	mem_deref(mb);
	calls_destroy(cs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_call_comes_back_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(del_removes_and_unanswered_calls_are_not_kept, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_lines_are_skipped_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(json_escapes_strings, setup, teardown),
	};

	return cmocka_run_group_tests_name("control_store", tests, NULL, NULL);
}
