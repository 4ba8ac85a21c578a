/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgwctl's input handling: the SPEC grammar of
 * tools/rtpgwctl/flow_args.c (valid specs give exactly the expected wire
 * struct, network byte order and zero padding included; every kind of bad
 * word is rejected with a message naming it) and the reply validation of
 * tools/rtpgwctl/api_client.c, fed hand-made replies through a
 * socketpair(AF_UNIX, SOCK_SEQPACKET) standing in for the agent. Addresses
 * come from the documentation ranges (198.51.100.0/24, 203.0.113.0/24).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../../tools/rtpgwctl/api_client.h"
#include "../../../tools/rtpgwctl/flow_args.h"

#define LOCAL "198.51.100.1"
#define PEER  "203.0.113.5"
#define OUT   "198.51.100.2"

/* ---- SPEC parser ---- */

/* Split a SPEC string into words (in a copy) and parse it. */
static int
parse(const char *spec, struct rtpgw_api_flow *f, uint32_t *flags, char *err)
{
	char *words[FLOW_ARGS_WORDS_MAX];
	char line[1024];
	int n;

	snprintf(line, sizeof(line), "%s", spec);
	n = flow_args_split(line, words, FLOW_ARGS_WORDS_MAX, err, FLOW_ARGS_ERR_MAX);
	assert_true(n >= 0);
	return flow_args_parse(n, words, f, flags, err, FLOW_ARGS_ERR_MAX);
}

static void
ip4(struct rtpgw_api_ip *ip, const char *s)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = RTPGW_AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &ip->v4), 1);
}

/* The flow "LOCAL:10000 to PEER:20000 from OUT:30000" with its defaults. */
static void
base_flow(struct rtpgw_api_flow *f)
{
	memset(f, 0, sizeof(*f));
	ip4(&f->local, LOCAL);
	f->local_port = htons(10000);
	f->action = RTPGW_FLOW_RELAY;
	f->src_mode = RTPGW_SRC_LATCH;
	f->rtcp = RTPGW_RTCP_NONE;
	ip4(&f->peer, PEER);
	f->peer_port = htons(20000);
	ip4(&f->out_local, OUT);
	f->out_port = htons(30000);
	f->clock_rate = 8000;
}

#define BASE LOCAL ":10000 to " PEER ":20000 from " OUT ":30000"

static void
assert_parses_to(const char *spec, const struct rtpgw_api_flow *want, uint32_t want_flags)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	struct rtpgw_api_flow got;
	uint32_t flags;
	int ret;

	/* Poison, so that bytes the parser forgets to clear show up. */
	memset(&got, 0xa5, sizeof(got));
	ret = parse(spec, &got, &flags, err);
	if (ret != 0)
		fail_msg("'%s' rejected: %s", spec, err);
	assert_int_equal(flags, want_flags);
	assert_memory_equal(&got, want, sizeof(got));
}

/* Rejected, and the message contains the offending word. */
static void
assert_rejects(const char *spec, const char *needle)
{
	char err[FLOW_ARGS_ERR_MAX] = "";
	struct rtpgw_api_flow f;
	uint32_t flags;

	if (parse(spec, &f, &flags, err) != -EINVAL)
		fail_msg("'%s' accepted", spec);
	if (strstr(err, needle) == NULL)
		fail_msg("'%s': message '%s' does not name '%s'", spec, err, needle);
}

static void
minimal_spec_gets_defaults(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	base_flow(&want);
	assert_parses_to(BASE, &want, 0);
	/* Network byte order, checked on the bytes themselves. */
	assert_int_equal(((uint8_t *)&want.local_port)[0], 10000 >> 8);
	assert_int_equal(((uint8_t *)&want.local.v4)[0], 198);
}

static void
src_defaults_mode_to_strict(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	base_flow(&want);
	ip4(&want.src, PEER);
	want.src_port = htons(20002);
	want.src_mode = RTPGW_SRC_STRICT;
	assert_parses_to(BASE " src " PEER ":20002", &want, 0);
}

static void
latch_with_src_keeps_src(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	base_flow(&want);
	ip4(&want.src, PEER);
	want.src_port = htons(20002);
	assert_parses_to(BASE " mode latch src " PEER ":20002", &want, 0);
	want.src_mode = RTPGW_SRC_ANY;
	assert_parses_to(BASE " src " PEER ":20002 mode any", &want, 0);
}

static void
full_spec_sets_every_field(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	base_flow(&want);
	ip4(&want.src, "203.0.113.9");
	want.src_port = htons(4000);
	want.src_mode = RTPGW_SRC_STRICT;
	want.rtcp = RTPGW_RTCP_COMPANION;
	want.flags = RTPGW_FLOW_F_SSRC_REWRITE | RTPGW_FLOW_F_SEQ_CONTINUOUS | RTPGW_FLOW_F_PT_MAP |
		     RTPGW_FLOW_F_RTCP_EVENTS;
	want.ssrc_out = 0xdeadbeef;
	want.n_pt_map = 2;
	want.pt_map[0].in = 0;
	want.pt_map[0].out = 8;
	want.pt_map[1].in = 101;
	want.pt_map[1].out = 96;
	want.clock_rate = 16000;
	want.idle_timeout_ms = 30000;
	want.cookie = 0x1122334455667788ull;
	want.action = RTPGW_FLOW_DROP;
	assert_parses_to(BASE " src 203.0.113.9:4000 mode strict rtcp companion ssrc 0xDEADBEEF"
			      " continuous ptmap 0:8 ptmap 101:96 rate 16000 idle 30000"
			      " cookie 0x1122334455667788 drop rtcp-events exist-ok",
			 &want, RTPGW_API_F_EXIST_OK);
}

static void
words_after_local_in_any_order(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	base_flow(&want);
	want.rtcp = RTPGW_RTCP_MUX;
	want.cookie = 42;
	assert_parses_to(LOCAL ":10000 cookie 42 from " OUT ":30000 rtcp mux to " PEER ":20000",
			 &want, 0);
}

static void
ptmap_allows_eight_maps(void **state)
{
	struct rtpgw_api_flow want;
	char spec[512];
	size_t off;
	int i;

	(void)state;
	base_flow(&want);
	want.flags = RTPGW_FLOW_F_PT_MAP;
	want.n_pt_map = RTPGW_PT_MAP_MAX;
	off = snprintf(spec, sizeof(spec), "%s", BASE);
	for (i = 0; i < RTPGW_PT_MAP_MAX; i++) {
		want.pt_map[i].in = 120 + i;
		want.pt_map[i].out = 127 - i;
		off += snprintf(spec + off, sizeof(spec) - off, " ptmap %d:%d", 120 + i, 127 - i);
	}
	assert_parses_to(spec, &want, 0);
	snprintf(spec + off, sizeof(spec) - off, " ptmap 1:2");
	assert_rejects(spec, "1:2");
}

static void
edge_values_accepted(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	base_flow(&want);
	want.local_port = htons(65534);
	want.peer_port = htons(1);
	want.out_port = htons(65535);
	want.flags = RTPGW_FLOW_F_SSRC_REWRITE;
	want.ssrc_out = 0;
	want.cookie = UINT64_MAX;
	want.clock_rate = FLOW_ARGS_RATE_MAX;
	want.idle_timeout_ms = UINT32_MAX;
	assert_parses_to(LOCAL ":65534 to " PEER ":1 from " OUT ":65535 ssrc 0x0"
			       " cookie 18446744073709551615 rate 1000000 idle 4294967295",
			 &want, 0);
}

static void
drop_flow_needs_no_egress(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	memset(&want, 0, sizeof(want));
	ip4(&want.local, LOCAL);
	want.local_port = htons(10000);
	want.action = RTPGW_FLOW_DROP;
	want.src_mode = RTPGW_SRC_LATCH;
	want.clock_rate = 8000;
	assert_parses_to(LOCAL ":10000 drop", &want, 0);
	assert_rejects(LOCAL ":10000", "missing 'to");
	assert_rejects(LOCAL ":10000 to " PEER ":20000", "missing 'from");
}

static void
missing_ok_sets_batch_flag(void **state)
{
	struct rtpgw_api_flow want;

	(void)state;
	base_flow(&want);
	assert_parses_to(BASE " missing-ok", &want, RTPGW_API_F_MISSING_OK);
}

static void
bad_addresses_rejected(void **state)
{
	(void)state;
	assert_rejects("198.51.100:10000 to " PEER ":20000 from " OUT ":30000", "198.51.100:10000");
	assert_rejects("198.51.100.256:10000 to " PEER ":20000 from " OUT ":30000", "256");
	assert_rejects("a.b.c.d:10000 to " PEER ":20000 from " OUT ":30000", "a.b.c.d");
	assert_rejects("010.1.1.1:10000 to " PEER ":20000 from " OUT ":30000", "010.1.1.1");
	assert_rejects(LOCAL " to " PEER ":20000 from " OUT ":30000", "expected IP:PORT");
	assert_rejects(":10000 to " PEER ":20000 from " OUT ":30000", ":10000");
	assert_rejects(LOCAL ":10000 to " PEER " from " OUT ":30000", PEER);
	assert_rejects(LOCAL ":10000 to 0.0.0.0:20000 from " OUT ":30000", "0.0.0.0");
	assert_rejects(LOCAL ":10000 to 255.255.255.255:20000 from " OUT ":30000",
		       "255.255.255.255");
	assert_rejects(LOCAL ":10000 to 239.1.1.1:20000 from " OUT ":30000", "multicast");
	assert_rejects(BASE " src 203.0.113.999:1", "203.0.113.999");
	assert_rejects(LOCAL " :10000 to " PEER ":20000 from " OUT ":30000", LOCAL);
}

static void
bad_ports_rejected(void **state)
{
	(void)state;
	assert_rejects(LOCAL ":0 to " PEER ":20000 from " OUT ":30000", LOCAL ":0");
	assert_rejects(LOCAL ":65536 to " PEER ":20000 from " OUT ":30000", "65536");
	assert_rejects(LOCAL ":99999999999999999999999 to " PEER ":20000 from " OUT ":30000",
		       "99999999999999999999999");
	assert_rejects(LOCAL ":-1 to " PEER ":20000 from " OUT ":30000", ":-1");
	assert_rejects(LOCAL ":+5 to " PEER ":20000 from " OUT ":30000", ":+5");
	assert_rejects(LOCAL ":10000 to " PEER ":0x10 from " OUT ":30000", "0x10");
	assert_rejects(LOCAL ":10000 to " PEER ":20000 from " OUT ":", OUT ":");
	assert_rejects(LOCAL ":10000 to " PEER ":20000 from " OUT ":30000x", "30000x");
}

static void
ipv6_rejected_as_not_supported(void **state)
{
	(void)state;
	assert_rejects("[2001:db8::1]:10000 to " PEER ":20000 from " OUT ":30000",
		       "IPv6 not supported yet");
	assert_rejects(LOCAL ":10000 to 2001:db8::5:20000 from " OUT ":30000",
		       "IPv6 not supported yet");
	assert_rejects(BASE " src [2001:db8::9]:4000", "[2001:db8::9]:4000");
}

static void
bad_payload_types_rejected(void **state)
{
	(void)state;
	assert_rejects(BASE " ptmap 128:0", "128:0");
	assert_rejects(BASE " ptmap 0:128", "0:128");
	assert_rejects(BASE " ptmap 0", "ptmap '0'");
	assert_rejects(BASE " ptmap :8", ":8");
	assert_rejects(BASE " ptmap 8:", "8:");
	assert_rejects(BASE " ptmap 0:8:9", "0:8:9");
	assert_rejects(BASE " ptmap 0:8 ptmap 0:18", "0:18");
}

static void
unknown_and_misplaced_words_rejected(void **state)
{
	(void)state;
	assert_rejects(BASE " bogus", "bogus");
	assert_rejects(BASE " Drop", "Drop");
	assert_rejects("to " PEER ":20000 " LOCAL ":10000 from " OUT ":30000", "'to'");
	assert_rejects(BASE " " PEER ":1", PEER ":1");
	assert_rejects("", "LOCAL");
}

static void
duplicate_and_valueless_words_rejected(void **state)
{
	(void)state;
	assert_rejects(BASE " to " PEER ":20001", "'to' given twice");
	assert_rejects(BASE " drop drop", "'drop' given twice");
	assert_rejects(BASE " mode latch mode any", "'mode' given twice");
	assert_rejects(BASE " mode", "'mode' needs a value");
	assert_rejects(BASE " cookie", "'cookie' needs a value");
	assert_rejects(BASE " src", "'src' needs a value");
}

static void
missing_required_words_rejected(void **state)
{
	(void)state;
	assert_rejects(LOCAL ":10000 from " OUT ":30000", "'to");
	assert_rejects(LOCAL ":10000 to " PEER ":20000", "'from");
}

static void
bad_values_rejected(void **state)
{
	(void)state;
	assert_rejects(BASE " mode sticky", "sticky");
	assert_rejects(BASE " rtcp both", "both");
	assert_rejects(BASE " ssrc 1234", "1234");
	assert_rejects(BASE " ssrc 0x", "0x");
	assert_rejects(BASE " ssrc 0xZZ", "0xZZ");
	assert_rejects(BASE " ssrc 0x100000000", "0x100000000");
	assert_rejects(BASE " rate 0", "rate '0'");
	assert_rejects(BASE " rate 1000001", "1000001");
	assert_rejects(BASE " rate 8k", "8k");
	assert_rejects(BASE " idle 4294967296", "4294967296");
	assert_rejects(BASE " idle -1", "-1");
	assert_rejects(BASE " cookie 18446744073709551616", "18446744073709551616");
	assert_rejects(BASE " cookie 0x", "cookie '0x'");
}

static void
inconsistent_specs_rejected(void **state)
{
	(void)state;
	assert_rejects(BASE " mode strict", "mode strict needs 'src");
	assert_rejects(LOCAL ":10001 to " PEER ":20000 from " OUT ":30000 rtcp companion", "10001");
	assert_rejects(LOCAL ":10000 to " PEER ":65535 from " OUT ":30000 rtcp companion",
		       "peer port 65535");
	assert_rejects(LOCAL ":10000 to " PEER ":20000 from " OUT ":65535 rtcp companion",
		       "out port 65535");
	assert_rejects(BASE " src " PEER ":65535 rtcp companion", "src port 65535");
	assert_rejects(BASE " rtcp-events", "'rtcp-events'");
}

static void
split_handles_comments_and_blanks(void **state)
{
	char *words[FLOW_ARGS_WORDS_MAX];
	char err[FLOW_ARGS_ERR_MAX];
	char line[256];

	(void)state;
	snprintf(line, sizeof(line), "   \t\r\n");
	assert_int_equal(flow_args_split(line, words, 4, err, sizeof(err)), 0);
	snprintf(line, sizeof(line), "# only a comment");
	assert_int_equal(flow_args_split(line, words, 4, err, sizeof(err)), 0);
	snprintf(line, sizeof(line), " a\tb  c# d e\n");
	assert_int_equal(flow_args_split(line, words, 4, err, sizeof(err)), 3);
	assert_string_equal(words[0], "a");
	assert_string_equal(words[1], "b");
	assert_string_equal(words[2], "c");
	snprintf(line, sizeof(line), "a b c d e");
	assert_int_equal(flow_args_split(line, words, 4, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "more than 4"));
}

static void
format_round_trips(void **state)
{
	static const char *const specs[] = {
		BASE,
		BASE " src 203.0.113.9:4000 rtcp companion ssrc 0x0000abcd continuous ptmap 0:8"
		     " ptmap 18:18 rate 48000 idle 500 cookie 7 rtcp-events",
		BASE " mode any rtcp mux drop",
		LOCAL ":10000 drop idle 100",
	};
	char err[FLOW_ARGS_ERR_MAX];
	char text[FLOW_ARGS_TEXT_MAX];
	struct rtpgw_api_flow a, b;
	uint32_t flags;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		assert_int_equal(parse(specs[i], &a, &flags, err), 0);
		flow_args_format(&a, text, sizeof(text));
		if (parse(text, &b, &flags, err) != 0)
			fail_msg("formatted '%s' rejected: %s", text, err);
		assert_memory_equal(&a, &b, sizeof(a));
	}
}

static void
endpoint_parses_key(void **state)
{
	char err[FLOW_ARGS_ERR_MAX];
	struct rtpgw_api_ip ip, want;
	char text[FLOW_ARGS_ENDPOINT_MAX];
	uint16_t port;

	(void)state;
	memset(&ip, 0xa5, sizeof(ip));
	assert_int_equal(flow_args_parse_endpoint(LOCAL ":5004", &ip, &port, err, sizeof(err)), 0);
	ip4(&want, LOCAL);
	assert_memory_equal(&ip, &want, sizeof(ip));
	assert_int_equal(port, htons(5004));
	flow_args_format_endpoint(&ip, port, text, sizeof(text));
	assert_string_equal(text, LOCAL ":5004");
	memset(&ip, 0, sizeof(ip));
	flow_args_format_endpoint(&ip, 0, text, sizeof(text));
	assert_string_equal(text, "-");
}

/* ---- API client reply validation ---- */

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
	if (p->agent >= 0)
		close(p->agent);
	free(p);
	return 0;
}

static struct rtpgw_api_hdr
reply_hdr(uint16_t type, uint32_t id, int32_t status, uint32_t len)
{
	struct rtpgw_api_hdr h = {
		.magic = RTPGW_API_MAGIC,
		.version = RTPGW_API_VERSION,
		.type = type,
		.id = id,
		.flags = RTPGW_API_F_REPLY,
		.status = status,
		.len = len,
	};
	return h;
}

/* Queue one datagram: header (first hdr_len bytes of h) then payload. */
static void
agent_send(struct pair *p, const struct rtpgw_api_hdr *h, size_t hdr_len, const void *payload,
	   size_t len)
{
	uint8_t buf[RTPGW_API_MSG_MAX + 16];

	assert_true(hdr_len + len <= sizeof(buf));
	memcpy(buf, h, hdr_len);
	if (len > 0)
		memcpy(buf + hdr_len, payload, len);
	assert_int_equal(send(p->agent, buf, hdr_len + len, 0), (ssize_t)(hdr_len + len));
}

/* Read the request the client sent and check its header. */
static void
agent_expect_request(struct pair *p, uint16_t type, uint32_t id, uint32_t len)
{
	uint8_t buf[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr h;
	ssize_t n;

	n = recv(p->agent, buf, sizeof(buf), MSG_DONTWAIT);
	assert_int_equal(n, (ssize_t)(sizeof(h) + len));
	memcpy(&h, buf, sizeof(h));
	assert_int_equal(h.magic, RTPGW_API_MAGIC);
	assert_int_equal(h.version, RTPGW_API_VERSION);
	assert_int_equal(h.type, type);
	assert_int_equal(h.id, id);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.status, 0);
	assert_int_equal(h.len, len);
}

static const struct rtpgw_api_flow_list_req list_req = {.cursor = 0, .max = 10};

/* A FLOW_LIST request answered with the queued reply. */
static int
list_request(struct pair *p, void *reply, uint32_t cap, uint32_t *len)
{
	return api_client_request(p->c, RTPGW_API_FLOW_LIST, &list_req, sizeof(list_req), reply,
				  cap, len);
}

static void
reply_ok_returns_payload(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_flow_batch_reply rep = {.applied = 1}, got;
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_ADD, 1, 0, sizeof(rep));
	struct rtpgw_api_flow_batch b = {0};
	uint32_t len;

	agent_send(p, &h, sizeof(h), &rep, sizeof(rep));
	assert_int_equal(api_client_request(p->c, RTPGW_API_FLOW_ADD, &b, sizeof(b), &got,
					    sizeof(got), &len),
			 0);
	assert_int_equal(len, sizeof(rep));
	assert_int_equal(got.applied, 1);
	agent_expect_request(p, RTPGW_API_FLOW_ADD, 1, sizeof(b));
	assert_int_equal(api_client_error(p->c), 0);
}

static void
reply_status_returned_with_payload(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_flow_batch_reply rep = {.applied = 0, .failed_index = 3}, got;
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_DEL, 1, -ENOENT, sizeof(rep));
	struct rtpgw_api_flow_batch b = {0};
	uint32_t len;

	agent_send(p, &h, sizeof(h), &rep, sizeof(rep));
	assert_int_equal(api_client_request(p->c, RTPGW_API_FLOW_DEL, &b, sizeof(b), &got,
					    sizeof(got), &len),
			 -ENOENT);
	assert_int_equal(len, sizeof(rep));
	assert_int_equal(got.failed_index, 3);
	/* The agent's status is not a transport error: the client stays usable. */
	assert_int_equal(api_client_error(p->c), 0);
	h = reply_hdr(RTPGW_API_STATS_DROPS, 2, -ENOTSUP, 0);
	agent_send(p, &h, sizeof(h), NULL, 0);
	assert_int_equal(api_client_request(p->c, RTPGW_API_STATS_DROPS, NULL, 0, NULL, 0, &len),
			 -ENOTSUP);
	assert_int_equal(len, 0);
}

static void
ids_increase(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_hdr h;
	uint32_t id;

	for (id = 1; id <= 3; id++) {
		h = reply_hdr(RTPGW_API_EVENTS_SUBSCRIBE, id, 0, 0);
		agent_send(p, &h, sizeof(h), NULL, 0);
		assert_int_equal(api_client_request(p->c, RTPGW_API_EVENTS_SUBSCRIBE, NULL, 0, NULL,
						    0, NULL),
				 0);
		agent_expect_request(p, RTPGW_API_EVENTS_SUBSCRIBE, id, 0);
	}
}

/* Queue h (+ payload), send a FLOW_LIST request, expect -EBADMSG and a dead client. */
static void
assert_bad_reply(struct pair *p, const struct rtpgw_api_hdr *h, size_t hdr_len, const void *payload,
		 size_t len)
{
	uint8_t reply[RTPGW_API_MSG_MAX];
	uint32_t got_len = 7;

	agent_send(p, h, hdr_len, payload, len);
	assert_int_equal(list_request(p, reply, sizeof(reply), &got_len), -EBADMSG);
	assert_int_equal(got_len, 0);
	assert_int_equal(api_client_error(p->c), -EBADMSG);
	/* Closed for good: later calls fail the same way without I/O. */
	assert_int_equal(list_request(p, reply, sizeof(reply), &got_len), -EBADMSG);
}

static const struct rtpgw_api_flow_info_list empty_list = {.count = 0, .next = 0};

static void
reply_wrong_magic_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(empty_list));

	h.magic = 0x57505752;
	assert_bad_reply(*state, &h, sizeof(h), &empty_list, sizeof(empty_list));
}

static void
reply_wrong_version_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(empty_list));

	h.version = RTPGW_API_VERSION + 1;
	assert_bad_reply(*state, &h, sizeof(h), &empty_list, sizeof(empty_list));
}

static void
reply_shorter_than_header_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, 0);

	assert_bad_reply(*state, &h, sizeof(h) - 1, NULL, 0);
}

static void
reply_len_beyond_datagram_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(empty_list) + 1);

	assert_bad_reply(*state, &h, sizeof(h), &empty_list, sizeof(empty_list));
}

static void
reply_len_short_of_datagram_is_ebadmsg(void **state)
{
	uint8_t payload[sizeof(empty_list) + 4] = {0};
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(empty_list));

	assert_bad_reply(*state, &h, sizeof(h), payload, sizeof(payload));
}

static void
reply_wrong_id_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 2, 0, sizeof(empty_list));

	assert_bad_reply(*state, &h, sizeof(h), &empty_list, sizeof(empty_list));
}

static void
reply_wrong_type_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_GET, 1, 0, sizeof(empty_list));

	assert_bad_reply(*state, &h, sizeof(h), &empty_list, sizeof(empty_list));
}

static void
reply_without_reply_flag_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(empty_list));

	h.flags = 0;
	assert_bad_reply(*state, &h, sizeof(h), &empty_list, sizeof(empty_list));
}

static void
reply_positive_status_is_ebadmsg(void **state)
{
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, EEXIST, sizeof(empty_list));

	assert_bad_reply(*state, &h, sizeof(h), &empty_list, sizeof(empty_list));
}

static void
reply_count_beyond_payload_is_ebadmsg(void **state)
{
	struct rtpgw_api_flow_info_list l = {.count = 1};
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(l));

	assert_bad_reply(*state, &h, sizeof(h), &l, sizeof(l));
}

static void
reply_list_shorter_than_count_field_is_ebadmsg(void **state)
{
	uint32_t count = 0;
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(count));

	assert_bad_reply(*state, &h, sizeof(h), &count, sizeof(count));
}

static void
reply_huge_count_is_ebadmsg(void **state)
{
	/* 2^29 * 248 = 31 * 2^32: in 32 bits it would "match" an empty list. */
	struct rtpgw_api_flow_info_list d = {.count = 0x20000000};
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(d));

	assert_bad_reply(*state, &h, sizeof(h), &d, sizeof(d));
}

static void
error_reply_with_wrong_payload_is_ebadmsg(void **state)
{
	uint8_t junk[3] = {0};
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, -EINVAL, sizeof(junk));

	assert_bad_reply(*state, &h, sizeof(h), junk, sizeof(junk));
}

static void
reply_too_big_for_buffer_is_emsgsize(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_flow_info_list l = {0};
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(l));
	uint32_t small;
	uint32_t len;

	agent_send(p, &h, sizeof(h), &l, sizeof(l));
	assert_int_equal(list_request(p, &small, sizeof(small), &len), -EMSGSIZE);
	/* The reply was consumed whole: the connection goes on. */
	assert_int_equal(api_client_error(p->c), 0);
}

static void
request_too_big_is_emsgsize(void **state)
{
	struct pair *p = *state;
	static uint8_t big[RTPGW_API_MSG_MAX];

	assert_int_equal(api_client_request(p->c, RTPGW_API_FLOW_ADD, big,
					    RTPGW_API_MSG_MAX - sizeof(struct rtpgw_api_hdr) + 1,
					    NULL, 0, NULL),
			 -EMSGSIZE);
	assert_int_equal(api_client_error(p->c), 0);
}

static void
events_before_reply_are_skipped(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_event_flow ev = {.old_ssrc = 1, .new_ssrc = 2};
	struct rtpgw_api_hdr e = reply_hdr(RTPGW_API_EVENT_SSRC_CHANGE, 0, 0, sizeof(ev));
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_FLOW_LIST, 1, 0, sizeof(empty_list));
	struct rtpgw_api_flow_info_list got;
	uint32_t len;

	e.flags = RTPGW_API_F_EVENT;
	agent_send(p, &e, sizeof(e), &ev, sizeof(ev));
	agent_send(p, &e, sizeof(e), &ev, sizeof(ev));
	agent_send(p, &h, sizeof(h), &empty_list, sizeof(empty_list));
	assert_int_equal(list_request(p, &got, sizeof(got), &len), 0);
	assert_int_equal(len, sizeof(empty_list));
	assert_int_equal(api_client_events_skipped(p->c), 2);
}

static void
event_with_id_is_ebadmsg(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_event_flow ev = {0};
	struct rtpgw_api_hdr e = reply_hdr(RTPGW_API_EVENT_FLOW_IDLE, 1, 0, sizeof(ev));
	uint8_t reply[64];

	e.flags = RTPGW_API_F_EVENT;
	agent_send(p, &e, sizeof(e), &ev, sizeof(ev));
	assert_int_equal(list_request(p, reply, sizeof(reply), NULL), -EBADMSG);
}

static void
reply_timeout_is_etimedout(void **state)
{
	struct pair *p = *state;
	uint8_t reply[64];

	assert_int_equal(list_request(p, reply, sizeof(reply), NULL), -ETIMEDOUT);
	assert_int_equal(api_client_error(p->c), -ETIMEDOUT);
}

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* SIGALRM in 50 ms, with a handler installed without SA_RESTART. */
static void
alarm_soon(void)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct itimerval it = {.it_value = {.tv_usec = 50000}};

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	alarms = 0;
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void
request_waits_through_signal(void **state)
{
	struct pair *p = *state;
	uint8_t reply[64];

	alarm_soon();
	/* No reply comes: the signal must not end the wait early. */
	assert_int_equal(list_request(p, reply, sizeof(reply), NULL), -ETIMEDOUT);
	assert_int_equal(alarms, 1);
}

static void
event_recv_interrupted_by_signal(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_hdr got;
	uint8_t out[64];

	alarm_soon();
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 2000), -EINTR);
	assert_int_equal(alarms, 1);
	assert_int_equal(api_client_error(p->c), 0);
}

static void
peer_closed_is_econnreset(void **state)
{
	struct pair *p = *state;
	uint8_t reply[64];

	close(p->agent);
	p->agent = -1;
	assert_true(list_request(p, reply, sizeof(reply), NULL) < 0);
	assert_true(api_client_error(p->c) == -ECONNRESET || api_client_error(p->c) == -EPIPE);
}

static void
peer_hangup_after_request_is_econnreset(void **state)
{
	struct pair *p = *state;
	uint8_t reply[64];

	/* The agent reads on but sends nothing more: the client sees EOF. */
	assert_int_equal(shutdown(p->agent, SHUT_WR), 0);
	assert_int_equal(list_request(p, reply, sizeof(reply), NULL), -ECONNRESET);
	assert_int_equal(api_client_error(p->c), -ECONNRESET);
}

static void
event_recv_returns_rtcp(void **state)
{
	struct pair *p = *state;
	uint8_t buf[sizeof(struct rtpgw_api_event_rtcp) + 8];
	struct rtpgw_api_event_rtcp *ev = (struct rtpgw_api_event_rtcp *)buf;
	struct rtpgw_api_hdr e = reply_hdr(RTPGW_API_EVENT_RTCP, 0, 0, sizeof(buf));
	struct rtpgw_api_hdr got;
	uint8_t out[RTPGW_API_MSG_MAX];

	memset(buf, 0, sizeof(buf));
	ev->len = 8;
	ev->cookie = 9;
	e.flags = RTPGW_API_F_EVENT;
	agent_send(p, &e, sizeof(e), buf, sizeof(buf));
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 100), 0);
	assert_int_equal(got.type, RTPGW_API_EVENT_RTCP);
	assert_int_equal(got.len, sizeof(buf));
	assert_memory_equal(out, buf, sizeof(buf));
}

static void
event_recv_timeout_keeps_connection(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_hdr got;
	uint8_t out[64];

	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 0), -ETIMEDOUT);
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 20), -ETIMEDOUT);
	assert_int_equal(api_client_error(p->c), 0);
}

static void
event_rtcp_len_mismatch_is_ebadmsg(void **state)
{
	struct pair *p = *state;
	uint8_t buf[sizeof(struct rtpgw_api_event_rtcp) + 8];
	struct rtpgw_api_event_rtcp *ev = (struct rtpgw_api_event_rtcp *)buf;
	struct rtpgw_api_hdr e = reply_hdr(RTPGW_API_EVENT_RTCP, 0, 0, sizeof(buf));
	struct rtpgw_api_hdr got;
	uint8_t out[RTPGW_API_MSG_MAX];

	memset(buf, 0, sizeof(buf));
	ev->len = 12;
	e.flags = RTPGW_API_F_EVENT;
	agent_send(p, &e, sizeof(e), buf, sizeof(buf));
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 100), -EBADMSG);
}

static void
reply_while_waiting_for_event_is_ebadmsg(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_EVENTS_SUBSCRIBE, 1, 0, 0);
	struct rtpgw_api_hdr got;
	uint8_t out[64];

	agent_send(p, &h, sizeof(h), NULL, 0);
	assert_int_equal(api_client_event_recv(p->c, &got, out, sizeof(out), 100), -EBADMSG);
}

static void
hello_version_mismatch_is_eproto(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_hello rep = {.version = RTPGW_API_VERSION + 1};
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_HELLO, 1, -EPROTO, sizeof(rep));

	agent_send(p, &h, sizeof(h), &rep, sizeof(rep));
	assert_int_equal(api_client_hello(p->c, "test"), -EPROTO);
	assert_int_equal(api_client_agent(p->c)->version, RTPGW_API_VERSION + 1);
	assert_int_equal(api_client_error(p->c), 0);
}

static void
hello_success_with_other_version_is_eproto(void **state)
{
	struct pair *p = *state;
	struct rtpgw_api_hello rep = {.version = RTPGW_API_VERSION + 1};
	struct rtpgw_api_hdr h = reply_hdr(RTPGW_API_HELLO, 1, 0, sizeof(rep));

	agent_send(p, &h, sizeof(h), &rep, sizeof(rep));
	assert_int_equal(api_client_hello(p->c, "test"), -EPROTO);
}

/* A one-shot agent on a listening socket: answer HELLO, then hang up. */
struct fake_agent {
	int lfd;
	struct rtpgw_api_hello req; /* what the client sent */
	uint32_t req_len;
};

static void *
fake_agent_run(void *arg)
{
	struct fake_agent *a = arg;
	struct rtpgw_api_hello rep = {.version = RTPGW_API_VERSION, .n_workers = 2};
	uint8_t buf[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr h;
	ssize_t n;
	int fd;

	fd = accept(a->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n >= (ssize_t)sizeof(h)) {
		memcpy(&h, buf, sizeof(h));
		a->req_len = h.len;
		if (h.len == sizeof(a->req) && (size_t)n == sizeof(h) + h.len)
			memcpy(&a->req, buf + sizeof(h), sizeof(a->req));
		snprintf(rep.name, sizeof(rep.name), "rtpgw-dataplane");
		h.flags = RTPGW_API_F_REPLY;
		h.len = sizeof(rep);
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), &rep, sizeof(rep));
		send(fd, buf, sizeof(h) + sizeof(rep), 0);
	}
	close(fd);
	return NULL;
}

static void
connect_says_hello_first(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct fake_agent a = {0};
	struct api_client *c;
	char dir[] = "/tmp/rtpgwctl-test-XXXXXX";
	pthread_t t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/api.sock", dir);
	a.lfd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_true(a.lfd >= 0);
	assert_int_equal(bind(a.lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(a.lfd, 1), 0);
	assert_int_equal(pthread_create(&t, NULL, fake_agent_run, &a), 0);

	c = api_client_connect(sa.sun_path, "unit-test", 2000);
	assert_non_null(c);
	assert_int_equal(api_client_agent(c)->n_workers, 2);
	assert_string_equal(api_client_agent(c)->name, "rtpgw-dataplane");
	api_client_destroy(c);
	pthread_join(t, NULL);
	assert_int_equal(a.req_len, sizeof(a.req));
	assert_int_equal(a.req.version, RTPGW_API_VERSION);
	assert_string_equal(a.req.name, "unit-test");

	close(a.lfd);
	unlink(sa.sun_path);
	rmdir(dir);
}

static void
connect_to_missing_socket_fails(void **state)
{
	(void)state;
	errno = 0;
	assert_null(api_client_connect("/nonexistent/rtpgw.sock", "unit-test", 100));
	assert_int_equal(errno, ENOENT);
}

#define PAIR_TEST(f) cmocka_unit_test_setup_teardown(f, pair_setup, pair_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(minimal_spec_gets_defaults),
		cmocka_unit_test(src_defaults_mode_to_strict),
		cmocka_unit_test(latch_with_src_keeps_src),
		cmocka_unit_test(full_spec_sets_every_field),
		cmocka_unit_test(words_after_local_in_any_order),
		cmocka_unit_test(ptmap_allows_eight_maps),
		cmocka_unit_test(edge_values_accepted),
		cmocka_unit_test(drop_flow_needs_no_egress),
		cmocka_unit_test(missing_ok_sets_batch_flag),
		cmocka_unit_test(bad_addresses_rejected),
		cmocka_unit_test(bad_ports_rejected),
		cmocka_unit_test(ipv6_rejected_as_not_supported),
		cmocka_unit_test(bad_payload_types_rejected),
		cmocka_unit_test(unknown_and_misplaced_words_rejected),
		cmocka_unit_test(duplicate_and_valueless_words_rejected),
		cmocka_unit_test(missing_required_words_rejected),
		cmocka_unit_test(bad_values_rejected),
		cmocka_unit_test(inconsistent_specs_rejected),
		cmocka_unit_test(split_handles_comments_and_blanks),
		cmocka_unit_test(format_round_trips),
		cmocka_unit_test(endpoint_parses_key),
		PAIR_TEST(reply_ok_returns_payload),
		PAIR_TEST(reply_status_returned_with_payload),
		PAIR_TEST(ids_increase),
		PAIR_TEST(reply_wrong_magic_is_ebadmsg),
		PAIR_TEST(reply_wrong_version_is_ebadmsg),
		PAIR_TEST(reply_shorter_than_header_is_ebadmsg),
		PAIR_TEST(reply_len_beyond_datagram_is_ebadmsg),
		PAIR_TEST(reply_len_short_of_datagram_is_ebadmsg),
		PAIR_TEST(reply_wrong_id_is_ebadmsg),
		PAIR_TEST(reply_wrong_type_is_ebadmsg),
		PAIR_TEST(reply_without_reply_flag_is_ebadmsg),
		PAIR_TEST(reply_positive_status_is_ebadmsg),
		PAIR_TEST(reply_count_beyond_payload_is_ebadmsg),
		PAIR_TEST(reply_list_shorter_than_count_field_is_ebadmsg),
		PAIR_TEST(reply_huge_count_is_ebadmsg),
		PAIR_TEST(error_reply_with_wrong_payload_is_ebadmsg),
		PAIR_TEST(reply_too_big_for_buffer_is_emsgsize),
		PAIR_TEST(request_too_big_is_emsgsize),
		PAIR_TEST(events_before_reply_are_skipped),
		PAIR_TEST(event_with_id_is_ebadmsg),
		PAIR_TEST(reply_timeout_is_etimedout),
		PAIR_TEST(request_waits_through_signal),
		PAIR_TEST(event_recv_interrupted_by_signal),
		PAIR_TEST(peer_closed_is_econnreset),
		PAIR_TEST(peer_hangup_after_request_is_econnreset),
		PAIR_TEST(event_recv_returns_rtcp),
		PAIR_TEST(event_recv_timeout_keeps_connection),
		PAIR_TEST(event_rtcp_len_mismatch_is_ebadmsg),
		PAIR_TEST(reply_while_waiting_for_event_is_ebadmsg),
		PAIR_TEST(hello_version_mismatch_is_eproto),
		PAIR_TEST(hello_success_with_other_version_is_eproto),
		cmocka_unit_test(connect_says_hello_first),
		cmocka_unit_test(connect_to_missing_socket_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
