/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/agent/api_msg.c: the framing rules every API
 * request must pass before a handler sees it (api/rtpgw_api.h and the
 * Errors table of docs/API.md): header length, magic, version, hdr.len
 * against the datagram, request flags, HELLO first, known type, exact
 * payload size per type, batch counts; and the reply header.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/api_msg.h"

#define HDR   sizeof(struct rtpgw_api_hdr)
#define BATCH sizeof(struct rtpgw_api_flow_batch)
#define FLOW  sizeof(struct rtpgw_api_flow)
#define N(a)  (sizeof(a) / sizeof((a)[0]))

/* One buffer a byte larger than the largest datagram. */
static uint8_t buf[RTPGW_API_MSG_MAX + 64];

static struct rtpgw_api_hdr *
hdr(void)
{
	return (struct rtpgw_api_hdr *)buf;
}

/* A well-formed request of type with payload_len zero bytes; returns the
 * datagram length. */
static size_t
msg(uint16_t type, uint32_t payload_len)
{
	struct rtpgw_api_hdr *h = hdr();

	assert_true(HDR + payload_len <= sizeof(buf));
	memset(buf, 0, HDR + payload_len);
	h->magic = RTPGW_API_MAGIC;
	h->version = RTPGW_API_VERSION;
	h->type = type;
	h->id = 77;
	h->len = payload_len;
	return HDR + payload_len;
}

/* A batch request of type whose count says count and which carries
 * n_items flows (plus extra bytes). */
static size_t
batch(uint16_t type, uint32_t count, uint32_t n_items, uint32_t extra)
{
	size_t len = msg(type, (uint32_t)(BATCH + n_items * FLOW + extra));
	struct rtpgw_api_flow_batch *b = (void *)(buf + HDR);

	b->count = count;
	return len;
}

static const uint16_t batch_types[] = {
	RTPGW_API_FLOW_ADD,
	RTPGW_API_FLOW_MOD,
	RTPGW_API_FLOW_DEL,
	RTPGW_API_FLOW_GET,
};

static const uint16_t empty_types[] = {
	RTPGW_API_ADDR_LIST,   RTPGW_API_STATS_PORTS,	   RTPGW_API_STATS_WORKERS,
	RTPGW_API_STATS_DROPS, RTPGW_API_EVENTS_SUBSCRIBE,
};

static void
hello_passes_before_and_after_hello(void **state)
{
	size_t len = msg(RTPGW_API_HELLO, sizeof(struct rtpgw_api_hello));

	(void)state;
	assert_int_equal(api_msg_check(buf, len, false), 0);
	assert_int_equal(api_msg_check(buf, len, true), 0);
}

static void
every_type_with_its_payload_passes(void **state)
{
	size_t len;

	(void)state;
	for (unsigned int i = 0; i < N(empty_types); i++) {
		len = msg(empty_types[i], 0);
		assert_int_equal(api_msg_check(buf, len, true), 0);
	}
	len = msg(RTPGW_API_FLOW_LIST, sizeof(struct rtpgw_api_flow_list_req));
	assert_int_equal(api_msg_check(buf, len, true), 0);
	for (unsigned int i = 0; i < N(batch_types); i++) {
		len = batch(batch_types[i], 1, 1, 0);
		assert_int_equal(api_msg_check(buf, len, true), 0);
		len = batch(batch_types[i], 3, 3, 0);
		assert_int_equal(api_msg_check(buf, len, true), 0);
	}
}

static void
shorter_than_header_is_ebadmsg(void **state)
{
	(void)state;
	msg(RTPGW_API_HELLO, 0);
	for (size_t len = 0; len < HDR; len++) {
		assert_int_equal(api_msg_check(buf, len, false), -EBADMSG);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	}
}

static void
wrong_magic_is_ebadmsg(void **state)
{
	size_t len = msg(RTPGW_API_ADDR_LIST, 0);

	(void)state;
	hdr()->magic = 0x57505247; /* byte-swapped */
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	hdr()->magic = 0;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	/* The magic is checked first: a wrong version does not hide it. */
	hdr()->version = RTPGW_API_VERSION + 1;
	assert_int_equal(api_msg_check(buf, len, false), -EBADMSG);
}

static void
wrong_version_is_eproto(void **state)
{
	size_t len = msg(RTPGW_API_HELLO, sizeof(struct rtpgw_api_hello));

	(void)state;
	hdr()->version = RTPGW_API_VERSION + 1;
	assert_int_equal(api_msg_check(buf, len, false), -EPROTO);
	hdr()->version = 0;
	assert_int_equal(api_msg_check(buf, len, false), -EPROTO);
	len = msg(RTPGW_API_ADDR_LIST, 0);
	hdr()->version = 0xffff;
	assert_int_equal(api_msg_check(buf, len, true), -EPROTO);
}

static void
len_field_larger_than_datagram_is_ebadmsg(void **state)
{
	size_t len = msg(RTPGW_API_FLOW_LIST, sizeof(struct rtpgw_api_flow_list_req));

	(void)state;
	hdr()->len++;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	/* The header says 8 bytes follow; the datagram ends with the header. */
	assert_int_equal(api_msg_check(buf, HDR, true), -EBADMSG);
	hdr()->len = UINT32_MAX;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
}

static void
len_field_smaller_than_datagram_is_ebadmsg(void **state)
{
	size_t len = msg(RTPGW_API_FLOW_LIST, sizeof(struct rtpgw_api_flow_list_req));

	(void)state;
	hdr()->len--;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	hdr()->len = 0;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	/* Trailing bytes after an empty request. */
	len = msg(RTPGW_API_STATS_DROPS, 0);
	assert_int_equal(api_msg_check(buf, len + 1, true), -EBADMSG);
}

static void
reply_or_event_flag_is_ebadmsg(void **state)
{
	size_t len = msg(RTPGW_API_STATS_PORTS, 0);

	(void)state;
	hdr()->flags = RTPGW_API_F_REPLY;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	hdr()->flags = RTPGW_API_F_EVENT;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	hdr()->flags = RTPGW_API_F_REPLY | RTPGW_API_F_EVENT;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	/* An agent's own reply echoed back is not a request either. */
	len = msg(RTPGW_API_HELLO, sizeof(struct rtpgw_api_hello));
	hdr()->flags = RTPGW_API_F_REPLY;
	assert_int_equal(api_msg_check(buf, len, false), -EBADMSG);
}

/* docs/API.md, Message header: a request's flags are 0, and the Errors
 * table lists "flags set in a request" under -EBADMSG. */
static void
unknown_flag_in_request_is_ebadmsg(void **state)
{
	size_t len = msg(RTPGW_API_STATS_PORTS, 0);

	(void)state;
	hdr()->flags = 0x4;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	hdr()->flags = 0x8000;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
}

/* docs/API.md, Message header: a request's status is 0 and reserved
 * fields are sent as zero. */
static void
nonzero_status_or_reserved_in_request_is_ebadmsg(void **state)
{
	size_t len = msg(RTPGW_API_STATS_PORTS, 0);

	(void)state;
	hdr()->status = -1;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	hdr()->status = 0;
	hdr()->reserved = 1;
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	hdr()->reserved = 0;
	assert_int_equal(api_msg_check(buf, len, true), 0);
}

static void
request_before_hello_is_eproto(void **state)
{
	size_t len;

	(void)state;
	for (unsigned int i = 0; i < N(empty_types); i++) {
		len = msg(empty_types[i], 0);
		assert_int_equal(api_msg_check(buf, len, false), -EPROTO);
	}
	len = msg(RTPGW_API_FLOW_LIST, sizeof(struct rtpgw_api_flow_list_req));
	assert_int_equal(api_msg_check(buf, len, false), -EPROTO);
	for (unsigned int i = 0; i < N(batch_types); i++) {
		len = batch(batch_types[i], 1, 1, 0);
		assert_int_equal(api_msg_check(buf, len, false), -EPROTO);
	}
	/* Before HELLO even an unknown type is a protocol error. */
	len = msg(0x55, 0);
	assert_int_equal(api_msg_check(buf, len, false), -EPROTO);
}

static void
unknown_type_is_enotsup(void **state)
{
	const uint16_t types[] = {
		0,
		RTPGW_API_PART_SET + 1,
		RTPGW_API_EVENT_RTCP,
		RTPGW_API_EVENT_FLOW_IDLE,
		RTPGW_API_EVENT_SSRC_CHANGE,
		0xffff,
	};

	(void)state;
	for (unsigned int i = 0; i < N(types); i++) {
		size_t len = msg(types[i], 0);

		assert_int_equal(api_msg_check(buf, len, true), -ENOTSUP);
		/* Whatever its payload. */
		len = msg(types[i], 100);
		assert_int_equal(api_msg_check(buf, len, true), -ENOTSUP);
		assert_int_equal(api_msg_expected_len(types[i], buf + HDR, 100), -1);
	}
}

static void
hello_payload_wrong_size_is_ebadmsg(void **state)
{
	size_t len;

	(void)state;
	len = msg(RTPGW_API_HELLO, sizeof(struct rtpgw_api_hello) - 1);
	assert_int_equal(api_msg_check(buf, len, false), -EBADMSG);
	len = msg(RTPGW_API_HELLO, sizeof(struct rtpgw_api_hello) + 1);
	assert_int_equal(api_msg_check(buf, len, false), -EBADMSG);
	len = msg(RTPGW_API_HELLO, 0);
	assert_int_equal(api_msg_check(buf, len, false), -EBADMSG);
}

static void
empty_type_with_payload_is_ebadmsg(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N(empty_types); i++) {
		size_t len = msg(empty_types[i], 1);

		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		len = msg(empty_types[i], 8);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	}
}

static void
flow_list_payload_wrong_size_is_ebadmsg(void **state)
{
	size_t len;

	(void)state;
	len = msg(RTPGW_API_FLOW_LIST, sizeof(struct rtpgw_api_flow_list_req) - 1);
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	len = msg(RTPGW_API_FLOW_LIST, sizeof(struct rtpgw_api_flow_list_req) + 1);
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	len = msg(RTPGW_API_FLOW_LIST, 0);
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
}

static void
batch_shorter_than_its_count_header_is_ebadmsg(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N(batch_types); i++) {
		for (uint32_t pl = 0; pl < BATCH; pl++) {
			size_t len = msg(batch_types[i], pl);

			assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		}
	}
}

static void
batch_count_zero_is_ebadmsg(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N(batch_types); i++) {
		size_t len = batch(batch_types[i], 0, 0, 0);

		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		len = batch(batch_types[i], 0, 1, 0);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	}
}

static void
batch_count_above_max_is_ebadmsg(void **state)
{
	(void)state;
	assert_int_equal(RTPGW_API_FLOW_BATCH_MAX, 481);
	for (unsigned int i = 0; i < N(batch_types); i++) {
		size_t len = batch(batch_types[i], RTPGW_API_FLOW_BATCH_MAX + 1,
				   RTPGW_API_FLOW_BATCH_MAX, 0);

		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		len = batch(batch_types[i], UINT32_MAX, 1, 0);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		/* count * 136 wrapping 32 bits to the real payload size. */
		len = batch(batch_types[i], (uint32_t)((1ull << 32) / FLOW) + 1, 1, 0);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	}
}

static void
batch_of_max_items_passes(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N(batch_types); i++) {
		size_t len = batch(batch_types[i], RTPGW_API_FLOW_BATCH_MAX,
				   RTPGW_API_FLOW_BATCH_MAX, 0);

		assert_true(len <= RTPGW_API_MSG_MAX);
		assert_int_equal(api_msg_check(buf, len, true), 0);
	}
}

static void
batch_count_disagreeing_with_payload_is_ebadmsg(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < N(batch_types); i++) {
		uint16_t t = batch_types[i];
		size_t len;

		/* More items said than carried. */
		len = batch(t, 2, 1, 0);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		/* Fewer. */
		len = batch(t, 1, 2, 0);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		/* Right count, a partial item more or less. */
		len = batch(t, 1, 1, 1);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		len = batch(t, 2, 1, FLOW - 1);
		assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
		assert_int_equal(api_msg_expected_len(t, buf + HDR, hdr()->len), BATCH + 2 * FLOW);
	}
}

static void
oversized_datagram_is_ebadmsg(void **state)
{
	size_t len;

	(void)state;
	/* Consistent header, one byte over the limit. */
	len = msg(RTPGW_API_FLOW_ADD, RTPGW_API_MSG_MAX + 1 - HDR);
	assert_int_equal(len, RTPGW_API_MSG_MAX + 1);
	assert_int_equal(api_msg_check(buf, len, true), -EBADMSG);
	/* Whatever the header says. */
	len = msg(RTPGW_API_STATS_PORTS, 0);
	assert_int_equal(api_msg_check(buf, RTPGW_API_MSG_MAX + 1, true), -EBADMSG);
	assert_int_equal(api_msg_check(buf, SIZE_MAX, true), -EBADMSG);
}

static void
expected_len_matches_each_type(void **state)
{
	struct rtpgw_api_flow_batch b = {.count = 5};

	(void)state;
	assert_int_equal(api_msg_expected_len(RTPGW_API_HELLO, NULL, 0), 56);
	assert_int_equal(api_msg_expected_len(RTPGW_API_FLOW_LIST, NULL, 0), 8);
	for (uint16_t t = RTPGW_API_CONF_ADD; t <= RTPGW_API_CONF_GET; t++)
		assert_int_equal(api_msg_expected_len(t, NULL, 0), sizeof(struct rtpgw_api_conf));
	for (uint16_t t = RTPGW_API_PART_JOIN; t <= RTPGW_API_PART_SET; t++)
		assert_int_equal(api_msg_expected_len(t, NULL, 0),
				 sizeof(struct rtpgw_api_participant));
	for (unsigned int i = 0; i < N(empty_types); i++)
		assert_int_equal(api_msg_expected_len(empty_types[i], NULL, 0), 0);
	for (unsigned int i = 0; i < N(batch_types); i++) {
		/* Too short to read the count: the count header is wanted. */
		assert_int_equal(api_msg_expected_len(batch_types[i], &b, 4), BATCH);
		assert_int_equal(api_msg_expected_len(batch_types[i], &b, sizeof(b)),
				 BATCH + 5 * FLOW);
	}
}

static void
reply_hdr_echoes_request_and_sets_reply_flag(void **state)
{
	struct rtpgw_api_hdr req = {
		.magic = RTPGW_API_MAGIC,
		.version = RTPGW_API_VERSION + 3,
		.type = RTPGW_API_FLOW_ADD,
		.id = 0xdeadbeef,
		.flags = 0xffff,
		.reserved = 0x1234,
		.status = -1,
		.len = 999,
	};
	struct rtpgw_api_hdr rep;

	(void)state;
	memset(&rep, 0xa5, sizeof(rep));
	api_msg_reply_hdr(&rep, &req, -EEXIST, 8);
	assert_int_equal(rep.magic, RTPGW_API_MAGIC);
	assert_int_equal(rep.version, RTPGW_API_VERSION);
	assert_int_equal(rep.type, RTPGW_API_FLOW_ADD);
	assert_int_equal(rep.id, 0xdeadbeef);
	assert_int_equal(rep.flags, RTPGW_API_F_REPLY);
	assert_int_equal(rep.reserved, 0);
	assert_int_equal(rep.status, -EEXIST);
	assert_int_equal(rep.len, 8);
	/* A success with no payload. */
	api_msg_reply_hdr(&rep, &req, 0, 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.len, 0);
	assert_int_equal(rep.id, 0xdeadbeef);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hello_passes_before_and_after_hello),
		cmocka_unit_test(every_type_with_its_payload_passes),
		cmocka_unit_test(shorter_than_header_is_ebadmsg),
		cmocka_unit_test(wrong_magic_is_ebadmsg),
		cmocka_unit_test(wrong_version_is_eproto),
		cmocka_unit_test(len_field_larger_than_datagram_is_ebadmsg),
		cmocka_unit_test(len_field_smaller_than_datagram_is_ebadmsg),
		cmocka_unit_test(reply_or_event_flag_is_ebadmsg),
		cmocka_unit_test(unknown_flag_in_request_is_ebadmsg),
		cmocka_unit_test(nonzero_status_or_reserved_in_request_is_ebadmsg),
		cmocka_unit_test(request_before_hello_is_eproto),
		cmocka_unit_test(unknown_type_is_enotsup),
		cmocka_unit_test(hello_payload_wrong_size_is_ebadmsg),
		cmocka_unit_test(empty_type_with_payload_is_ebadmsg),
		cmocka_unit_test(flow_list_payload_wrong_size_is_ebadmsg),
		cmocka_unit_test(batch_shorter_than_its_count_header_is_ebadmsg),
		cmocka_unit_test(batch_count_zero_is_ebadmsg),
		cmocka_unit_test(batch_count_above_max_is_ebadmsg),
		cmocka_unit_test(batch_of_max_items_passes),
		cmocka_unit_test(batch_count_disagreeing_with_payload_is_ebadmsg),
		cmocka_unit_test(oversized_datagram_is_ebadmsg),
		cmocka_unit_test(expected_len_matches_each_type),
		cmocka_unit_test(reply_hdr_echoes_request_and_sets_reply_flag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
