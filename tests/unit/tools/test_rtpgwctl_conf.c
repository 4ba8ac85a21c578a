/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgwctl's conference commands: the words of `conf add`,
 * `conf set`, `conf join`/`set-part` and `conf leave` (conf_args_* of
 * tools/rtpgwctl/ctl_conf.c) give exactly the expected wire structs
 * (poisoned first, so a byte the parser forgets shows up; network byte
 * order; out = local for the participant's MIX flow), and every kind of
 * bad word is rejected with a message naming it; the flow SPEC refuses
 * and prints MIX flows as such; and the API client checks the sizes of
 * the conference replies and events (CONF_GET against its n_parts, the
 * empty replies, DTMF and SPEAKER events) on a socketpair standing in for
 * the agent. Addresses come from 198.51.100.0/24 and 203.0.113.0/24.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../../tools/rtpgwctl/ctl.h"
#include "../../../tools/rtpgwctl/flow_args.h"

#define LOCAL "198.51.100.10"
#define PEER  "198.51.100.1"
#define SRC   "203.0.113.7"

/* Split s into words in a copy (static: the words point into it). */
static int
split(const char *s, char **words)
{
	static char line[1024];
	char err[FLOW_ARGS_ERR_MAX];
	int n;

	snprintf(line, sizeof(line), "%s", s);
	n = flow_args_split(line, words, FLOW_ARGS_WORDS_MAX, err, sizeof(err));
	assert_true(n >= 0);
	return n;
}

static void
ip4(struct rtpgw_api_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = RTPGW_AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &ip->v4), 1);
}

/* ---- conf add / conf set ---- */

static int
parse_conf(const char *s, bool set, struct rtpgw_api_conf *c, uint32_t *changes, char *err)
{
	char *words[FLOW_ARGS_WORDS_MAX];
	int n = split(s, words);

	return conf_args_parse_conf(n, words, set, c, changes, err, FLOW_ARGS_ERR_MAX);
}

static void
assert_conf(const char *s, bool set, const struct rtpgw_api_conf *want, uint32_t want_changes)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	struct rtpgw_api_conf got;
	uint32_t changes = 0xdead;

	memset(&got, 0xa5, sizeof(got));
	if (parse_conf(s, set, &got, &changes, err) != 0)
		fail_msg("'%s' rejected: %s", s, err);
	assert_memory_equal(&got, want, sizeof(got));
	assert_int_equal(changes, want_changes);
}

static void
assert_conf_rejects(const char *s, bool set, const char *needle)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	struct rtpgw_api_conf c;
	uint32_t changes;

	if (parse_conf(s, set, &c, &changes, err) != -EINVAL)
		fail_msg("'%s' accepted", s);
	if (strstr(err, needle) == NULL)
		fail_msg("'%s': message '%s' does not name '%s'", s, err, needle);
}

static void
conf_add_minimal_and_full(void **state)
{
	struct rtpgw_api_conf want;

	(void)state;
	memset(&want, 0, sizeof(want));
	want.conf_id = 7;
	assert_conf("7", false, &want, 0);
	want.conf_id = 0x10;
	want.ptime_ms = 60;
	want.flags = RTPGW_CONF_F_REF_SSRC;
	want.ref_ssrc = 0xdeadbeef;
	want.mixer_ssrc = 1;
	want.cookie = UINT64_MAX;
	assert_conf("0x10 cookie 18446744073709551615 ssrc 0x1 ref-ssrc 0xDEADBEEF ptime 60", false,
		    &want, 0);
	memset(&want, 0, sizeof(want));
	want.conf_id = UINT32_MAX;
	want.ptime_ms = 10;
	want.flags = RTPGW_CONF_F_REF_SSRC; /* ref-ssrc 0x0 is an SSRC like another */
	want.cookie = 0x42;
	assert_conf("4294967295 ptime 10 ref-ssrc 0x0 cookie 0x42", false, &want, 0);
}

static void
conf_add_rejects_bad_words(void **state)
{
	(void)state;
	assert_conf_rejects("", false, "missing conference ID");
	assert_conf_rejects("0", false, "'0'");
	assert_conf_rejects("4294967296", false, "4294967296");
	assert_conf_rejects("-1", false, "'-1'");
	assert_conf_rejects("7x", false, "7x");
	assert_conf_rejects("ptime 20", false, "'ptime'");
	assert_conf_rejects("7 ptime 0", false, "ptime '0'");
	assert_conf_rejects("7 ptime 15", false, "ptime '15'");
	assert_conf_rejects("7 ptime 70", false, "ptime '70'");
	assert_conf_rejects("7 ptime 20ms", false, "20ms");
	assert_conf_rejects("7 ptime", false, "'ptime' needs a value");
	assert_conf_rejects("7 ssrc 1234", false, "ssrc '1234'");
	assert_conf_rejects("7 ssrc 0x0", false, "leave ssrc out");
	assert_conf_rejects("7 ssrc 0x123456789", false, "0x123456789");
	assert_conf_rejects("7 ref-ssrc 0xg", false, "ref-ssrc '0xg'");
	assert_conf_rejects("7 cookie 18446744073709551616", false, "18446744073709551616");
	assert_conf_rejects("7 cookie 1 cookie 2", false, "'cookie' given twice");
	assert_conf_rejects("7 no-ref-ssrc", false, "applies to conf set");
	assert_conf_rejects("7 mute", false, "unknown word 'mute'");
}

static void
conf_set_names_what_changes(void **state)
{
	struct rtpgw_api_conf want;

	(void)state;
	memset(&want, 0, sizeof(want));
	want.conf_id = 7;
	want.cookie = 5;
	assert_conf("7 cookie 5", true, &want, CONF_ARGS_SET_COOKIE);
	want.cookie = 0;
	want.flags = RTPGW_CONF_F_REF_SSRC;
	want.ref_ssrc = 0xabc;
	assert_conf("7 ref-ssrc 0xabc", true, &want, CONF_ARGS_SET_REF_SSRC);
	memset(&want, 0, sizeof(want));
	want.conf_id = 7;
	assert_conf("7 no-ref-ssrc", true, &want, CONF_ARGS_CLEAR_REF_SSRC);
	want.cookie = 9;
	assert_conf("7 no-ref-ssrc cookie 9", true, &want,
		    CONF_ARGS_CLEAR_REF_SSRC | CONF_ARGS_SET_COOKIE);
}

static void
conf_set_rejects_bad_words(void **state)
{
	(void)state;
	assert_conf_rejects("7", true, "nothing to change");
	assert_conf_rejects("7 ptime 20", true, "'ptime' cannot change");
	assert_conf_rejects("7 ssrc 0x1", true, "'ssrc' cannot change");
	assert_conf_rejects("7 ref-ssrc 0x1 no-ref-ssrc", true, "together");
	assert_conf_rejects("7 no-ref-ssrc no-ref-ssrc", true, "given twice");
	assert_conf_rejects("0 cookie 1", true, "'0'");
	assert_conf_rejects("7 cookie", true, "needs a value");
	assert_conf_rejects("7 cookie x", true, "cookie 'x'");
}

static void
conf_id_parses_decimal_and_hex(void **state)
{
	char err[FLOW_ARGS_ERR_MAX];
	uint32_t id = 0;

	(void)state;
	assert_int_equal(conf_args_parse_id("1", &id, err, sizeof(err)), 0);
	assert_int_equal(id, 1);
	assert_int_equal(conf_args_parse_id("0XfF", &id, err, sizeof(err)), 0);
	assert_int_equal(id, 255);
	assert_int_equal(conf_args_parse_id("0x", &id, err, sizeof(err)), -EINVAL);
	assert_int_equal(conf_args_parse_id(" 1", &id, err, sizeof(err)), -EINVAL);
	assert_int_equal(conf_args_parse_id("+1", &id, err, sizeof(err)), -EINVAL);
	assert_int_equal(conf_args_parse_id("", &id, err, sizeof(err)), -EINVAL);
}

/* ---- conf join / conf set-part ---- */

static int
parse_part(const char *s, struct rtpgw_api_participant *p, char *err)
{
	char *words[FLOW_ARGS_WORDS_MAX];
	int n = split(s, words);

	return conf_args_parse_part(n, words, p, err, FLOW_ARGS_ERR_MAX);
}

/* "7 LOCAL:30000 to PEER:40000" with its defaults. */
static void
base_part(struct rtpgw_api_participant *p)
{
	struct rtpgw_api_flow *f = &p->flow;

	memset(p, 0, sizeof(*p));
	p->conf_id = 7;
	ip4(&f->local, LOCAL);
	f->local_port = htons(30000);
	f->action = RTPGW_FLOW_MIX;
	f->src_mode = RTPGW_SRC_LATCH;
	f->rtcp = RTPGW_RTCP_NONE;
	ip4(&f->out_local, LOCAL);
	f->out_port = htons(30000);
	ip4(&f->peer, PEER);
	f->peer_port = htons(40000);
	f->clock_rate = 8000;
}

#define PART_BASE "7 " LOCAL ":30000 to " PEER ":40000"

static void
assert_part(const char *s, const struct rtpgw_api_participant *want)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	struct rtpgw_api_participant got;

	memset(&got, 0xa5, sizeof(got));
	if (parse_part(s, &got, err) != 0)
		fail_msg("'%s' rejected: %s", s, err);
	assert_memory_equal(&got, want, sizeof(got));
}

static void
assert_part_rejects(const char *s, const char *needle)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	struct rtpgw_api_participant p;

	if (parse_part(s, &p, err) != -EINVAL)
		fail_msg("'%s' accepted", s);
	if (strstr(err, needle) == NULL)
		fail_msg("'%s': message '%s' does not name '%s'", s, err, needle);
}

static void
part_minimal_gets_defaults(void **state)
{
	struct rtpgw_api_participant want;

	(void)state;
	base_part(&want);
	assert_part(PART_BASE, &want);
	/* network byte order on the bytes themselves; out is the key */
	assert_int_equal(((uint8_t *)&want.flow.out_port)[0], 30000 >> 8);
	assert_int_equal(((uint8_t *)&want.flow.local.v4)[3], 10);
	want.pt = 8;
	assert_part(PART_BASE " pt 8", &want);
}

static void
part_full_sets_every_field(void **state)
{
	struct rtpgw_api_participant want;

	(void)state;
	base_part(&want);
	want.pt = 8;
	want.flags = RTPGW_PART_F_MUTE | RTPGW_PART_F_DEAF;
	want.dtmf_pt = 101;
	want.level_ext_id = 1;
	want.csrc_level_ext_id = 14;
	want.in_gain_q12 = 2048;
	want.out_gain_q12 = 65535;
	ip4(&want.flow.src, SRC);
	want.flow.src_port = htons(40002);
	want.flow.src_mode = RTPGW_SRC_STRICT;
	want.flow.rtcp = RTPGW_RTCP_COMPANION;
	assert_part(PART_BASE " src " SRC ":40002 mode strict rtcp companion pt 8 mute deaf"
			      " gain-in 2048 gain-out 65535 dtmf-pt 101 level-ext 1"
			      " csrc-level-ext 14",
		    &want);
	/* any order after the key; src alone means strict */
	assert_part("7 " LOCAL ":30000 csrc-level-ext 14 deaf level-ext 1 dtmf-pt 101 gain-out "
		    "65535 gain-in 2048 mute pt 8 rtcp companion src " SRC ":40002 to " PEER
		    ":40000",
		    &want);
	base_part(&want);
	want.flow.src_mode = RTPGW_SRC_ANY;
	want.flow.rtcp = RTPGW_RTCP_MUX;
	want.dtmf_pt = 127;
	assert_part(PART_BASE " mode any rtcp mux dtmf-pt 127", &want);
	want.flow.src_mode = RTPGW_SRC_LATCH;
	ip4(&want.flow.src, SRC);
	want.flow.src_port = htons(1);
	want.flow.rtcp = RTPGW_RTCP_NONE;
	want.dtmf_pt = 96;
	assert_part(PART_BASE " mode latch src " SRC ":1 rtcp none dtmf-pt 96", &want);
}

static void
part_rejects_bad_words(void **state)
{
	(void)state;
	assert_part_rejects("", "missing conference ID");
	assert_part_rejects("0 " LOCAL ":30000 to " PEER ":40000", "'0'");
	assert_part_rejects("7", "missing LOCAL_IP:PORT");
	assert_part_rejects("7 to " PEER ":40000", "'to': ID is followed by LOCAL_IP:PORT");
	assert_part_rejects(LOCAL ":30000 to " PEER ":40000", LOCAL ":30000");
	assert_part_rejects("7 " LOCAL ":30000", "missing 'to");
	assert_part_rejects("7 " LOCAL ":30000 to", "'to' needs a value");
	assert_part_rejects("7 " LOCAL ":0 to " PEER ":40000", LOCAL ":0");
	assert_part_rejects("7 [2001:db8::1]:30000 to " PEER ":40000", "IPv6");
	assert_part_rejects(PART_BASE " from " LOCAL ":30002", "'from'");
	assert_part_rejects("7 " LOCAL ":30000 to 224.0.0.1:40000", "multicast");
	assert_part_rejects("7 " LOCAL ":30000 to 0.0.0.0:40000", "0.0.0.0");
	assert_part_rejects(PART_BASE " pt 3", "pt '3'");
	assert_part_rejects(PART_BASE " pt 08", "pt '08'");
	assert_part_rejects(PART_BASE " pt pcmu", "pt 'pcmu'");
	assert_part_rejects(PART_BASE " gain-in 0", "gain-in '0'");
	assert_part_rejects(PART_BASE " gain-out 65536", "gain-out '65536'");
	assert_part_rejects(PART_BASE " gain-in -1", "gain-in '-1'");
	assert_part_rejects(PART_BASE " dtmf-pt 95", "dtmf-pt '95'");
	assert_part_rejects(PART_BASE " dtmf-pt 128", "dtmf-pt '128'");
	assert_part_rejects(PART_BASE " dtmf-pt 101x", "101x");
	assert_part_rejects(PART_BASE " level-ext 0", "level-ext '0'");
	assert_part_rejects(PART_BASE " csrc-level-ext 15", "csrc-level-ext '15'");
	assert_part_rejects(PART_BASE " mode strict", "mode strict needs 'src");
	assert_part_rejects(PART_BASE " mode sticky", "mode 'sticky'");
	assert_part_rejects(PART_BASE " rtcp both", "rtcp 'both'");
	assert_part_rejects("7 " LOCAL ":30001 to " PEER ":40000 rtcp companion",
			    "even local port");
	assert_part_rejects("7 " LOCAL ":30000 to " PEER ":65535 rtcp companion", "peer port");
	assert_part_rejects(PART_BASE " src " SRC ":65535 rtcp companion", "src port");
	assert_part_rejects(PART_BASE " mute mute", "'mute' given twice");
	assert_part_rejects(PART_BASE " to " PEER ":40002", "'to' given twice");
	assert_part_rejects(PART_BASE " ssrc 0x1", "unknown word 'ssrc'");
	assert_part_rejects(PART_BASE " drop", "unknown word 'drop'");
}

static void
leave_takes_the_key_only(void **state)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	struct rtpgw_api_participant want, got;
	char *words[FLOW_ARGS_WORDS_MAX];
	int n;

	(void)state;
	memset(&want, 0, sizeof(want));
	ip4(&want.flow.local, LOCAL);
	want.flow.local_port = htons(30004);
	memset(&got, 0xa5, sizeof(got));
	n = split(LOCAL ":30004", words);
	assert_int_equal(conf_args_parse_leave(n, words, &got, err, sizeof(err)), 0);
	assert_memory_equal(&got, &want, sizeof(got));

	assert_int_equal(conf_args_parse_leave(0, words, &got, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "missing LOCAL_IP:PORT"));
	n = split(LOCAL ":30004 7", words);
	assert_int_equal(conf_args_parse_leave(n, words, &got, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unexpected argument '7'"));
	n = split("7", words);
	assert_int_equal(conf_args_parse_leave(n, words, &got, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'7'"));
}

/* ---- the flow SPEC and MIX flows ---- */

static void
spec_refuses_and_prints_mix(void **state)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	char *words[FLOW_ARGS_WORDS_MAX];
	struct rtpgw_api_participant p;
	struct rtpgw_api_flow f;
	char text[FLOW_ARGS_TEXT_MAX];
	uint32_t flags;
	int n;

	(void)state;
	assert_string_equal(flow_args_action_name(RTPGW_FLOW_MIX), "mix");
	n = split(LOCAL ":30000 to " PEER ":40000 from " LOCAL ":30000 mix", words);
	assert_int_equal(flow_args_parse(n, words, &f, &flags, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "conf join"));
	/* what `flow get` shows for a participant's flow */
	n = split(PART_BASE " src " PEER ":40000 rtcp companion", words);
	assert_int_equal(conf_args_parse_part(n, words, &p, err, sizeof(err)), 0);
	flow_args_format(&p.flow, text, sizeof(text));
	assert_string_equal(text, LOCAL ":30000 to " PEER ":40000 from " LOCAL ":30000 src " PEER
					":40000 mode strict rtcp companion mix");
}

/* ---- replies and events of the conference messages ---- */

struct pair {
	struct api_client *c;
	int agent; /* our end, standing in for the agent */
};

static int
pair_setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));
	int sv[2];

	assert_non_null(p);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	p->c = api_client_create(sv[0], 500);
	assert_non_null(p->c);
	p->agent = sv[1];
	*state = p;
	return 0;
}

static int
pair_teardown(void **state)
{
	struct pair *p = *state;

	api_client_destroy(p->c);
	close(p->agent);
	free(p);
	return 0;
}

/* Queue one datagram from the agent: a header of type, id, flags, status
 * and len bytes of payload. */
static void
agent_send(struct pair *p, uint16_t type, uint32_t id, uint16_t flags, int32_t status,
	   const void *payload, uint32_t len)
{
	uint8_t buf[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr h = {
		.magic = RTPGW_API_MAGIC,
		.version = RTPGW_API_VERSION,
		.type = type,
		.id = id,
		.flags = flags,
		.status = status,
		.len = len,
	};

	assert_true(sizeof(h) + len <= sizeof(buf));
	memcpy(buf, &h, sizeof(h));
	if (len > 0)
		memcpy(buf + sizeof(h), payload, len);
	assert_int_equal(send(p->agent, buf, sizeof(h) + len, 0), (ssize_t)(sizeof(h) + len));
}

static uint8_t reply_buf[RTPGW_API_MSG_MAX];

static int
conf_get(struct pair *p, uint32_t *len)
{
	struct rtpgw_api_conf c = {.conf_id = 7};

	return api_client_request(p->c, RTPGW_API_CONF_GET, &c, sizeof(c), reply_buf,
				  sizeof(reply_buf), len);
}

static void
conf_get_reply_checked_against_n_parts(void **state)
{
	struct pair *p = *state;
	uint8_t buf[sizeof(struct rtpgw_api_conf_info) + 3 * sizeof(struct rtpgw_api_part_stats)];
	struct rtpgw_api_conf_info *info = (struct rtpgw_api_conf_info *)buf;
	const size_t two = sizeof(*info) + 2 * sizeof(info->parts[0]);
	uint32_t len = 0;

	memset(buf, 0, sizeof(buf));
	info->conf.conf_id = 7;
	info->n_parts = 2;
	info->parts[1].packets_sent = 77;
	agent_send(p, RTPGW_API_CONF_GET, 1, RTPGW_API_F_REPLY, 0, buf, two);
	assert_int_equal(conf_get(p, &len), 0);
	assert_int_equal(len, two);
	assert_int_equal(((struct rtpgw_api_conf_info *)reply_buf)->parts[1].packets_sent, 77);
	/* an empty conference */
	info->n_parts = 0;
	agent_send(p, RTPGW_API_CONF_GET, 2, RTPGW_API_F_REPLY, 0, buf, sizeof(*info));
	assert_int_equal(conf_get(p, &len), 0);
	assert_int_equal(len, sizeof(*info));
	/* the agent's refusal carries no payload */
	agent_send(p, RTPGW_API_CONF_GET, 3, RTPGW_API_F_REPLY, -ENOENT, NULL, 0);
	assert_int_equal(conf_get(p, &len), -ENOENT);
	assert_int_equal(api_client_error(p->c), 0);
	/* three participants said, two sent: a broken agent */
	info->n_parts = 3;
	agent_send(p, RTPGW_API_CONF_GET, 4, RTPGW_API_F_REPLY, 0, buf, two);
	assert_int_equal(conf_get(p, &len), -EBADMSG);
	assert_int_equal(api_client_error(p->c), -EBADMSG);
}

static void
conf_get_reply_shorter_than_info_is_ebadmsg(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_conf_info info = {.n_parts = 0};
	uint32_t len;

	agent_send(p, RTPGW_API_CONF_GET, 1, RTPGW_API_F_REPLY, 0, &info, sizeof(info) - 8);
	assert_int_equal(conf_get(p, &len), -EBADMSG);
}

static void
conf_get_reply_huge_n_parts_is_ebadmsg(void **state)
{
	struct pair *p = *state;
	uint8_t buf[sizeof(struct rtpgw_api_conf_info) + sizeof(struct rtpgw_api_part_stats)];
	struct rtpgw_api_conf_info *info = (struct rtpgw_api_conf_info *)buf;
	uint32_t len;

	memset(buf, 0, sizeof(buf));
	info->n_parts = UINT32_MAX; /* n_parts * size would wrap in 32 bits */
	agent_send(p, RTPGW_API_CONF_GET, 1, RTPGW_API_F_REPLY, 0, buf, sizeof(buf));
	assert_int_equal(conf_get(p, &len), -EBADMSG);
}

static void
empty_conf_replies_checked(void **state)
{
	static const uint16_t types[] = {RTPGW_API_CONF_ADD,   RTPGW_API_CONF_DEL,
					 RTPGW_API_CONF_SET,   RTPGW_API_PART_JOIN,
					 RTPGW_API_PART_LEAVE, RTPGW_API_PART_SET};
	struct pair *p = *state;
	struct rtpgw_api_participant part = {0};
	uint32_t junk = 1;
	uint32_t id = 1;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		agent_send(p, types[i], id, RTPGW_API_F_REPLY, 0, NULL, 0);
		assert_int_equal(
			api_client_request(p->c, types[i], &part, sizeof(part), NULL, 0, NULL), 0);
		id++;
		agent_send(p, types[i], id, RTPGW_API_F_REPLY, -EEXIST, NULL, 0);
		assert_int_equal(
			api_client_request(p->c, types[i], &part, sizeof(part), NULL, 0, NULL),
			-EEXIST);
		id++;
	}
	/* a success that carries bytes it should not */
	agent_send(p, RTPGW_API_PART_JOIN, id, RTPGW_API_F_REPLY, 0, &junk, sizeof(junk));
	assert_int_equal(api_client_request(p->c, RTPGW_API_PART_JOIN, &part, sizeof(part),
					    reply_buf, sizeof(reply_buf), NULL),
			 -EBADMSG);
}

static void
dtmf_and_speaker_events_received(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_event_conf ev = {
		.conf_id = 7, .digit = '#', .duration = 800, .cookie = 42};
	uint8_t out[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr got;

	ip4(&ev.local, LOCAL);
	ev.local_port = htons(30004);
	agent_send(p, RTPGW_API_EVENT_DTMF, 0, RTPGW_API_F_EVENT, 0, &ev, sizeof(ev));
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 100), 0);
	assert_int_equal(got.type, RTPGW_API_EVENT_DTMF);
	assert_int_equal(got.len, sizeof(ev));
	assert_memory_equal(out, &ev, sizeof(ev));
	ev.digit = 0;
	ev.duration = 0;
	agent_send(p, RTPGW_API_EVENT_SPEAKER, 0, RTPGW_API_F_EVENT, 0, &ev, sizeof(ev));
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 100), 0);
	assert_int_equal(got.type, RTPGW_API_EVENT_SPEAKER);
	assert_memory_equal(out, &ev, sizeof(ev));
}

static void
dtmf_event_of_wrong_size_is_ebadmsg(void **state)
{
	struct pair *p = *state;
	uint8_t buf[sizeof(struct rtpgw_api_event_conf) + 4] = {0};
	uint8_t out[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr got;

	agent_send(p, RTPGW_API_EVENT_DTMF, 0, RTPGW_API_F_EVENT, 0, buf, sizeof(buf));
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 100), -EBADMSG);
}

static void
speaker_event_of_wrong_size_is_ebadmsg(void **state)
{
	struct pair *p = *state;
	uint8_t buf[sizeof(struct rtpgw_api_event_conf) - 8] = {0};
	uint8_t out[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr got;

	agent_send(p, RTPGW_API_EVENT_SPEAKER, 0, RTPGW_API_F_EVENT, 0, buf, sizeof(buf));
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 100), -EBADMSG);
}

#define PAIR_TEST(f) cmocka_unit_test_setup_teardown(f, pair_setup, pair_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(conf_add_minimal_and_full),
		cmocka_unit_test(conf_add_rejects_bad_words),
		cmocka_unit_test(conf_set_names_what_changes),
		cmocka_unit_test(conf_set_rejects_bad_words),
		cmocka_unit_test(conf_id_parses_decimal_and_hex),
		cmocka_unit_test(part_minimal_gets_defaults),
		cmocka_unit_test(part_full_sets_every_field),
		cmocka_unit_test(part_rejects_bad_words),
		cmocka_unit_test(leave_takes_the_key_only),
		cmocka_unit_test(spec_refuses_and_prints_mix),
		PAIR_TEST(conf_get_reply_checked_against_n_parts),
		PAIR_TEST(conf_get_reply_shorter_than_info_is_ebadmsg),
		PAIR_TEST(conf_get_reply_huge_n_parts_is_ebadmsg),
		PAIR_TEST(empty_conf_replies_checked),
		PAIR_TEST(dtmf_and_speaker_events_received),
		PAIR_TEST(dtmf_event_of_wrong_size_is_ebadmsg),
		PAIR_TEST(speaker_event_of_wrong_size_is_ebadmsg),
	};

	return cmocka_run_group_tests_name("rtpgwctl_conf", tests, NULL, NULL);
}
