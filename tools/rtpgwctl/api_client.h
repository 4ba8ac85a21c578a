/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Blocking client of the control <-> dataplane API (api/rtpgw_api.h), in
 * plain libc so that rtpgwctl, control and the test and benchmark tools share
 * one implementation of the framing rules. A client owns one SOCK_SEQPACKET
 * connection to the agent and a 64 KiB (RTPGW_API_MSG_MAX) receive buffer.
 * Every datagram received is validated (magic, version, hdr.len against the
 * datagram length, reply flag, id and type against the request, payload size
 * and list counts against the type) before a byte of it reaches the caller;
 * anything else is -EBADMSG. A transport error (send or receive failure,
 * timeout while a reply is outstanding, invalid message, peer closed) closes
 * the connection: every later call returns that same error, see
 * api_client_error(). Signals do not cut a request short (it waits on to
 * its deadline); they do interrupt api_client_event_recv(), so a program
 * can stop an event loop from a handler. Events received while a reply is
 * awaited are counted and dropped, so a process that wants both should keep
 * a second connection for the event stream. Not thread safe: one thread per
 * client.
 */
#ifndef API_CLIENT_H
#define API_CLIENT_H

#include <stdint.h>

#include "rtpgw_api.h"

struct api_client;

/*
 * Connect to the agent at path and send HELLO with the given client name
 * (truncated to 31 bytes). timeout_ms bounds the connect and the HELLO
 * round trip separately and becomes the client's request timeout; a negative
 * value waits forever. Returns the client, or NULL with errno set: the
 * connect(2) error, ETIMEDOUT, EBADMSG, or the agent's refusal (EPROTO when
 * it speaks another API version, see api_client_agent()).
 */
struct api_client *api_client_connect(const char *path, const char *name, int timeout_ms);

/*
 * Connect only, without HELLO (which must still be the first request):
 * for callers that want to look at api_client_agent() when HELLO fails.
 * Returns the client, or NULL with errno set.
 */
struct api_client *api_client_open(const char *path, int timeout_ms);

/*
 * Wrap an already connected SOCK_SEQPACKET socket (made non-blocking here);
 * the client owns fd from now on, also on failure. No HELLO is sent.
 * Returns NULL with errno set on failure.
 */
struct api_client *api_client_create(int fd, int timeout_ms);

/* Close the connection and free the client. NULL is a no-op. */
void api_client_destroy(struct api_client *c);

/*
 * Send HELLO and record the agent's reply. Returns 0, the agent's status
 * (-EPROTO on a version mismatch), -EPROTO when the agent answers success
 * with a version other than ours, or a transport error.
 */
int api_client_hello(struct api_client *c, const char *name);

/*
 * The agent's HELLO reply payload (version, workers, flows, name). Zeroed
 * until a HELLO reply carrying a payload arrived; after a refused HELLO it
 * holds what the agent sent, if anything (version tells which it speaks).
 */
const struct rtpgw_api_hello *api_client_agent(const struct api_client *c);

/*
 * Send one request of the given type with len bytes of payload and wait up
 * to the client's timeout for its reply. The reply payload is copied to
 * reply_buf (reply_cap bytes; NULL with 0 when none is expected) and its
 * length stored in *reply_len (may be NULL). The payload of an error reply
 * is empty or the type's reply payload (FLOW_ADD/MOD/DEL carry failed_index).
 *
 * Returns the reply status (0 or the agent's -errno), or a negative errno
 * of our own: -EMSGSIZE when the request does not fit a message or the reply
 * does not fit reply_cap (the connection stays usable), -EINVAL for bad
 * arguments, or a transport error (-EBADMSG, -ETIMEDOUT, -ECONNRESET, ...),
 * after which api_client_error() is non-zero. A caller that must tell the
 * agent's status from a transport error checks api_client_error().
 */
int api_client_request(struct api_client *c, uint16_t type, const void *payload, uint32_t len,
		       void *reply_buf, uint32_t reply_cap, uint32_t *reply_len);

/*
 * Wait up to timeout_ms (negative: forever, 0: only what is queued) for one
 * event message; the client must have subscribed with
 * RTPGW_API_EVENTS_SUBSCRIBE. On success the header is copied to *hdr and
 * hdr->len payload bytes to buf. Events of the types this header knows are
 * size checked (RTCP: len agrees with the header's len field and at most
 * RTPGW_API_RTCP_MAX); events of unknown types are passed on unchecked.
 *
 * Returns 0; -ETIMEDOUT or -EINTR (a signal arrived) with the connection
 * still usable; -EMSGSIZE when the payload exceeds cap (the event is
 * consumed, the connection stays usable); or a transport error.
 */
int api_client_event_recv(struct api_client *c, struct rtpgw_api_hdr *hdr, void *buf, uint32_t cap,
			  int timeout_ms);

/*
 * The connection's socket, for a caller's event loop to watch (readable:
 * an event or the agent closing); -1 once closed. Still owned by the client.
 */
int api_client_fd(const struct api_client *c);

/* 0 while the connection is usable, else the transport error that closed it. */
int api_client_error(const struct api_client *c);

/* Events received, and dropped, while api_client_request() awaited a reply. */
uint64_t api_client_events_skipped(const struct api_client *c);

#endif /* API_CLIENT_H */
