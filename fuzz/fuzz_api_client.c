/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: rtpgwctl's API client (tools/rtpgwctl/api_client.c)
 * reading what a dataplane (or anything on its socket) sends back: the
 * reply and event checks before a caller reads a payload. The client gets
 * one end of a SOCK_SEQPACKET pair, the datagrams from the input are
 * queued on the other end, then the write side is shut (no waiting).
 *
 * Input: byte 0: bit 0 repair the headers (magic, version, len, and for
 * replies flags, id and type) so the checks past the header are reached
 * often; bit 1 read events instead of a reply; byte 1: request type index;
 * byte 2: reply capacity / 4; then datagrams, each a 2-byte little-endian
 * length and the bytes. Checks: a reply accepted fits the capacity given.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint16_t types[] = {
	RTPGW_API_HELLO,	 RTPGW_API_ADDR_LIST,	  RTPGW_API_FLOW_ADD,
	RTPGW_API_FLOW_MOD,	 RTPGW_API_FLOW_DEL,	  RTPGW_API_FLOW_GET,
	RTPGW_API_FLOW_LIST,	 RTPGW_API_STATS_PORTS,	  RTPGW_API_STATS_WORKERS,
	RTPGW_API_STATS_DROPS,	 RTPGW_API_EVENTS_SUBSCRIBE, RTPGW_API_CONF_ADD,
	RTPGW_API_CONF_DEL,	 RTPGW_API_CONF_SET,	  RTPGW_API_CONF_GET,
	RTPGW_API_PART_JOIN,	 RTPGW_API_PART_LEAVE,	  RTPGW_API_PART_SET,
	0x7fff, /* a type newer than the client */
};

static uint8_t dgram[RTPGW_API_MSG_MAX];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t reply[RTPGW_API_MSG_MAX];
	struct rtpgw_api_hdr h;
	struct api_client *c;
	uint32_t cap, reply_len = 0;
	uint16_t type;
	bool fix, events;
	uint32_t id = 1; /* the client numbers its requests from 1 */
	size_t off = 3;
	int sv[2], rc, i;

	if (size < 3)
		return 0;
	fix = data[0] & 1;
	events = data[0] & 2;
	type = types[data[1] % (sizeof(types) / sizeof(types[0]))];
	cap = (uint32_t)data[2] * 4;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return 0;
	while (size - off >= 2) {
		size_t n = data[off] | (size_t)data[off + 1] << 8;

		off += 2;
		if (n > size - off)
			n = size - off;
		memcpy(dgram, data + off, n);
		off += n;
		if (fix && n >= sizeof(h)) {
			memcpy(&h, dgram, sizeof(h));
			h.magic = RTPGW_API_MAGIC;
			h.version = RTPGW_API_VERSION;
			h.len = (uint32_t)(n - sizeof(h));
			if (!(h.flags & RTPGW_API_F_EVENT)) {
				h.flags = RTPGW_API_F_REPLY;
				h.id = id++; /* replies to the 1st, 2nd, ... request */
				h.type = type;
			}
			memcpy(dgram, &h, sizeof(h));
		}
		if (send(sv[1], dgram, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			break; /* queue full: enough */
	}
	shutdown(sv[1], SHUT_WR);
	c = api_client_create(sv[0], 1000);
	if (c == NULL) {
		close(sv[1]);
		return 0;
	}
	for (i = 0; i < 4 && api_client_error(c) == 0; i++) {
		if (events) {
			rc = api_client_event_recv(c, &h, reply, cap, 0);
			if (rc == 0 && (h.len > cap || !(h.flags & RTPGW_API_F_EVENT)))
				abort();
			continue;
		}
		rc = api_client_request(c, type, NULL, 0, cap ? reply : NULL, cap, &reply_len);
		if (rc != -EMSGSIZE && reply_len > cap)
			abort();
		(void)rc;
	}
	(void)api_client_events_skipped(c);
	api_client_destroy(c);
	close(sv[1]);
	return 0;
}
