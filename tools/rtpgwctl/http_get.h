/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Minimal HTTP/1.1 GET client of rtpgwctl for rtpgw-control's HTTP API
 * (RFC 9110, 9112): one request per connection ("Connection: close"), a
 * numeric IPv4 "ADDR:PORT" or "[IPv6]:PORT", one deadline for connect,
 * send and receive, and a response of at most a given size.
 *
 * The body ends at Content-Length when there is one (rtpgw-control, i.e.
 * libre's HTTP server, sends it and keeps the connection open despite
 * "Connection: close", so waiting for the close would hang), else it is
 * chunked (decoded; chunk extensions and trailers are ignored), else it
 * runs until the server closes. Other transfer codings are refused;
 * interim 1xx responses are skipped; 204 and 304 have no body.
 */
#ifndef HTTP_GET_H
#define HTTP_GET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Largest response accepted by rtpgwctl (headers and body). */
#define HTTP_GET_MAX (16u << 20)
/* Largest response head (status line and headers). */
#define HTTP_GET_HEAD_MAX (64u << 10)
/* Room for an error message. */
#define HTTP_GET_ERR_MAX 256
/* "[ffff:...:ffff]:65535" and a NUL */
#define HTTP_GET_HOST_MAX 64

/*
 * Incremental parser of one response. The caller keeps every byte received
 * in one buffer and calls http_response_parse() after each read; bodies
 * are decoded in place, so r->body points into that buffer, and the body
 * is NUL-terminated there (the buffer needs room for len + 1 bytes).
 */
struct http_response {
	int status;	 /* 100..599 */
	char reason[64]; /* reason phrase, truncated */
	bool chunked;
	bool has_length; /* Content-Length given (and no chunked) */
	uint64_t content_length;
	char *body; /* set once complete */
	size_t body_len;
	/* parser state */
	size_t head_start;   /* first byte of the current (non-1xx) response */
	size_t head_len;     /* 0 until the head is complete */
	size_t raw;	     /* chunked: next byte not yet decoded */
	size_t out;	     /* chunked: decoded body bytes so far */
	uint64_t chunk_left; /* chunked: data bytes left in this chunk */
	int chunk_state;
};

void http_response_init(struct http_response *r);

/*
 * buf holds the len bytes received so far; eof says the server closed.
 * Returns 1 when the response is complete (r->status, r->body,
 * r->body_len set), 0 when more bytes are needed, or with a message in err:
 * -EBADMSG malformed or truncated, -EMSGSIZE larger than max (or a head
 * beyond HTTP_GET_HEAD_MAX), -ENOTSUP a transfer coding other than chunked.
 */
int http_response_parse(struct http_response *r, char *buf, size_t len, bool eof, size_t max,
			char *err, size_t err_len);

/*
 * "192.0.2.1:8080" or "[2001:db8::1]:8080" (numeric addresses only, port
 * 1..65535) into a socket address and the Host header's value. Returns 0
 * or -EINVAL.
 */
int http_get_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *ss_len,
			char host[HTTP_GET_HOST_MAX]);

struct http_reply {
	int status;
	char reason[64];
	char *body; /* NUL-terminated (inside raw) */
	size_t body_len;
	char *raw; /* free with http_reply_free() */
};

/*
 * GET path from addr within timeout_ms; at most max bytes of response.
 * Returns 0 with any status in reply (the caller judges it), or a negative
 * errno with a message in err (HTTP_GET_ERR_MAX bytes are enough) naming
 * addr: -EINVAL bad addr, -ECONNREFUSED, -ETIMEDOUT, -EBADMSG, -EMSGSIZE,
 * -ENOTSUP, or another connect/send/recv error.
 */
int http_get(const char *addr, const char *path, int timeout_ms, size_t max,
	     struct http_reply *reply, char *err, size_t err_len);
void http_reply_free(struct http_reply *reply);

#endif /* HTTP_GET_H */
