/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgwctl's HTTP GET client (tools/rtpgwctl/http_get.c):
 * the response parser fed whole and byte by byte (status line, headers,
 * Content-Length, chunked bodies, interim responses, truncation, sizes),
 * the address parser (IPv4, [IPv6]), and the client against a server
 * thread on 127.0.0.1 port 0 answering with canned bytes, including one
 * that keeps the connection open after a Content-Length body as libre's
 * server does, one that never answers, and a port nobody listens on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../../tools/rtpgwctl/http_get.h"

/* Parse text whole (eof as given) into a copy; returns the parser's result. */
static int
parse_all(const char *text, bool eof, size_t max, struct http_response *r, char **buf, char *err)
{
	size_t len = strlen(text);

	*buf = malloc(len + 1);
	assert_non_null(*buf);
	memcpy(*buf, text, len);
	http_response_init(r);
	err[0] = '\0';
	return http_response_parse(r, *buf, len, eof, max, err, HTTP_GET_ERR_MAX);
}

/* Complete response: status and body as expected. */
static void
parse_ok(const char *text, bool eof, int status, const char *body)
{
	char err[HTTP_GET_ERR_MAX];
	struct http_response r;
	char *buf;
	int ret;

	ret = parse_all(text, eof, HTTP_GET_MAX, &r, &buf, err);
	if (ret != 1)
		fail_msg("'%s': %d %s", text, ret, err);
	assert_int_equal(r.status, status);
	assert_int_equal(r.body_len, strlen(body));
	assert_memory_equal(r.body, body, r.body_len);
	assert_int_equal(r.body[r.body_len], '\0');
	free(buf);
}

/* The parser fails with ret and a message containing what. */
static void
parse_bad(const char *text, bool eof, size_t max, int want, const char *what)
{
	char err[HTTP_GET_ERR_MAX];
	struct http_response r;
	char *buf;
	int ret;

	ret = parse_all(text, eof, max, &r, &buf, err);
	if (ret != want || strstr(err, what) == NULL)
		fail_msg("'%s': got %d '%s', want %d '%s'", text, ret, err, want, what);
	free(buf);
}

/* Fed one byte at a time: incomplete (0) until the last byte, then 1. */
static void
parse_bytewise(const char *text, bool need_eof, const char *body)
{
	size_t len = strlen(text), i;
	char err[HTTP_GET_ERR_MAX];
	struct http_response r;
	char *buf = malloc(len + 1);
	int ret = 0;

	assert_non_null(buf);
	http_response_init(&r);
	for (i = 1; i <= len; i++) {
		buf[i - 1] = text[i - 1];
		ret = http_response_parse(&r, buf, i, false, HTTP_GET_MAX, err, sizeof(err));
		if (ret < 0)
			fail_msg("'%s' at %zu: %s", text, i, err);
		if (ret == 1 && (i < len || need_eof))
			fail_msg("'%s' complete at %zu of %zu", text, i, len);
	}
	if (need_eof)
		ret = http_response_parse(&r, buf, len, true, HTTP_GET_MAX, err, sizeof(err));
	assert_int_equal(ret, 1);
	assert_int_equal(r.body_len, strlen(body));
	assert_memory_equal(r.body, body, r.body_len);
	free(buf);
}

static void
content_length_body(void **state)
{
	(void)state;
	parse_ok("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
		 "{\"rooms\":[]}\n",
		 false, 200, "{\"rooms\":[]}\n");
	/* bytes beyond Content-Length are not part of the body */
	parse_ok("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", false, 200, "ok");
	parse_ok("HTTP/1.0 200 OK\r\ncontent-length:   0  \r\n\r\n", false, 200, "");
	/* the same length twice is fine */
	parse_ok("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", false, 200,
		 "ok");
	/* bare LF line ends are accepted */
	parse_ok("HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, 200, "ok");
	parse_bytewise("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, "hello");
}

static void
status_line_and_reason(void **state)
{
	char err[HTTP_GET_ERR_MAX];
	struct http_response r;
	char *buf;

	(void)state;
	assert_int_equal(parse_all("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false,
				   HTTP_GET_MAX, &r, &buf, err),
			 1);
	assert_int_equal(r.status, 404);
	assert_string_equal(r.reason, "Not Found");
	free(buf);
	/* no reason phrase */
	assert_int_equal(parse_all("HTTP/1.1 500\r\nContent-Length: 0\r\n\r\n", false, HTTP_GET_MAX,
				   &r, &buf, err),
			 1);
	assert_int_equal(r.status, 500);
	assert_string_equal(r.reason, "");
	free(buf);
	parse_bad("HTTP/2 200 OK\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG, "bad status line");
	parse_bad("HTTP/1.1 20 OK\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG, "bad status line");
	parse_bad("HTTP/1.1 200OK\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG, "bad status line");
	parse_bad("HTTP/1.1 600 X\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG, "bad status line");
	parse_bad("HTTP/1.1 099 X\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG, "bad status line");
	parse_bad("ICY 200 OK\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG, "bad status line");
	parse_bad("\r\nHTTP/1.1 200 OK\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG, "bad status line");
	parse_bad("HTTP/1.1 200 O\x01K\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "control character");
}

static void
bad_headers_rejected(void **state)
{
	(void)state;
	parse_bad("HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "bad header line");
	parse_bad("HTTP/1.1 200 OK\r\n: v\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "bad header line");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", false, HTTP_GET_MAX, -EBADMSG,
		  "bad header name");
	parse_bad("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "folded");
	parse_bad("HTTP/1.1 200 OK\r\nX-A: a\x7f\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "control character");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "bad Content-Length");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "bad Content-Length");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "bad Content-Length");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\n", false, HTTP_GET_MAX, -EBADMSG,
		  "bad Content-Length");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", false,
		  HTTP_GET_MAX, -EBADMSG, "bad Content-Length");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", false,
		  HTTP_GET_MAX, -EBADMSG, "conflicting Content-Length");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", false, HTTP_GET_MAX,
		  -ENOTSUP, "unsupported Transfer-Encoding 'gzip'");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", false,
		  HTTP_GET_MAX, -ENOTSUP, "only chunked");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
		  "chunked\r\n\r\n",
		  false, HTTP_GET_MAX, -EBADMSG, "chunked given twice");
}

static void
chunked_body_decoded(void **state)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
				   "5\r\nhello\r\n6;name=val\r\n world\r\nA \r\n0123456789\r\n"
				   "0\r\nX-Trailer: 1\r\n\r\n";

	(void)state;
	parse_ok(resp, false, 200, "hello world0123456789");
	parse_bytewise(resp, false, "hello world0123456789");
	/* an empty chunked body, LF line ends */
	parse_ok("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n0\n\n", false, 200, "");
	/* Transfer-Encoding overrides Content-Length */
	parse_ok("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "2\r\nok\r\n0\r\n\r\n",
		 false, 200, "ok");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
		  HTTP_GET_MAX, -EBADMSG, "bad chunk size line 'zz'");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", false, HTTP_GET_MAX,
		  -EBADMSG, "bad chunk size line");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\n", false,
		  HTTP_GET_MAX, -EBADMSG, "bad chunk size line");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
		  false, HTTP_GET_MAX, -EBADMSG, "bad chunk size line");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n", false,
		  HTTP_GET_MAX, -EBADMSG, "not followed by CRLF");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\rX", false,
		  HTTP_GET_MAX, -EBADMSG, "not followed by CRLF");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX", false,
		  HTTP_GET_MAX, -EBADMSG, "not followed by CRLF");
}

static void
truncated_responses_rejected(void **state)
{
	static const char *const cut[] = {
		"",
		"HTTP/1.1 200 OK\r\nContent-Le",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n",
	};
	char err[HTTP_GET_ERR_MAX];
	struct http_response r;
	size_t i;
	char *buf;

	(void)state;
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
		/* not yet complete while the connection is open... */
		assert_int_equal(parse_all(cut[i], false, HTTP_GET_MAX, &r, &buf, err), 0);
		free(buf);
		/* ...and truncated once it is closed */
		parse_bad(cut[i], true, HTTP_GET_MAX, -EBADMSG, "connection closed");
	}
	parse_bad("", true, HTTP_GET_MAX, -EBADMSG, "without a response");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", true, HTTP_GET_MAX, -EBADMSG,
		  "after 3 of 5 body bytes");
}

static void
close_delimited_body(void **state)
{
	static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";

	(void)state;
	parse_bytewise(resp, true, "all of it");
	parse_ok(resp, true, 200, "all of it");
	parse_ok("HTTP/1.1 200 OK\r\n\r\n", true, 200, "");
}

static void
interim_and_bodiless_responses(void **state)
{
	(void)state;
	parse_ok("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
		 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		 false, 200, "ok");
	parse_bytewise("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
		       "ok",
		       false, "ok");
	parse_ok("HTTP/1.1 204 No Content\r\n\r\n", false, 204, "");
	parse_ok("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, 304, "");
}

static void
oversized_responses_rejected(void **state)
{
	char err[HTTP_GET_ERR_MAX];
	struct http_response r;
	char *big, *buf;
	size_t n;

	(void)state;
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, 40, -EMSGSIZE,
		  "larger than 40 bytes");
	parse_bad("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false, 100, -EMSGSIZE,
		  "Content-Length 1000");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\n", false, 100,
		  -EMSGSIZE, "chunked body larger");
	parse_bad("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n"
		  "01234567890123456789012345678901\r\n50\r\n",
		  false, 100, -EMSGSIZE, "chunked body larger");
	/* close-delimited: the whole response counts */
	assert_int_equal(parse_all("HTTP/1.1 200 OK\r\n\r\n0123456789", false, 29, &r, &buf, err),
			 0);
	free(buf);
	parse_bad("HTTP/1.1 200 OK\r\n\r\n0123456789", false, 28, -EMSGSIZE, "larger than 28");
	/* a head that never ends */
	n = HTTP_GET_HEAD_MAX + 100;
	big = malloc(n + 1);
	assert_non_null(big);
	memcpy(big, "HTTP/1.1 200 OK\r\nX-Long: ", 25);
	memset(big + 25, 'a', n - 25);
	big[n] = '\0';
	parse_bad(big, false, HTTP_GET_MAX, -EMSGSIZE, "head larger than");
	/* a chunk-size line that never ends */
	memcpy(big, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1", 48);
	memset(big + 48, ' ', 5000);
	big[5048] = '\0';
	parse_bad(big, false, HTTP_GET_MAX, -EBADMSG, "chunk line too long");
	free(big);
}

static void
addresses_parse(void **state)
{
	static const char *const bad[] = {
		"127.0.0.1",	  "127.0.0.1:",	   "127.0.0.1:0",  "127.0.0.1:65536",
		"127.0.0.1:+80",  "127.0.0.1:80x", ":80",	   "localhost:80",
		"::1:80",	  "[::1]80",	   "[::1]",	   "[]:80",
		"[127.0.0.1]:80", "1.2.3:80",	   "[::1]:123456", "",
	};
	char host[HTTP_GET_HOST_MAX];
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = 0;
	size_t i;

	(void)state;
	assert_int_equal(http_get_parse_addr("127.0.0.1:8080", &ss, &sl, host), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(sl, sizeof(*a4));
	assert_int_equal(ntohs(a4->sin_port), 8080);
	assert_int_equal(ntohl(a4->sin_addr.s_addr), 0x7f000001);
	assert_string_equal(host, "127.0.0.1:8080");
	assert_int_equal(http_get_parse_addr("[2001:db8::1]:65535", &ss, &sl, host), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(sl, sizeof(*a6));
	assert_int_equal(ntohs(a6->sin6_port), 65535);
	assert_int_equal(a6->sin6_addr.s6_addr[0], 0x20);
	assert_int_equal(a6->sin6_addr.s6_addr[15], 1);
	assert_string_equal(host, "[2001:db8::1]:65535");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (http_get_parse_addr(bad[i], &ss, &sl, host) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
}

/* A one-connection server thread answering with canned bytes. */
struct srv {
	int lfd;
	char addr[32];
	pthread_t th;
	const char *parts[4]; /* sent in turn, delay_ms apart */
	int delay_ms;
	bool close_after; /* else hold the connection until the client closes */
	bool silent;	  /* read the request, answer nothing */
	char req[2048];
	size_t req_len;
};

static void
sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct pollfd pfd;
	char junk[256];
	size_t i;
	int fd;

	fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	while (s->req_len < sizeof(s->req) - 1) {
		ssize_t n = recv(fd, s->req + s->req_len, sizeof(s->req) - 1 - s->req_len, 0);

		if (n <= 0)
			break;
		s->req_len += (size_t)n;
		s->req[s->req_len] = '\0';
		if (strstr(s->req, "\r\n\r\n") != NULL)
			break;
	}
	for (i = 0; !s->silent && i < 4 && s->parts[i] != NULL; i++) {
		if (i > 0 && s->delay_ms > 0)
			sleep_ms(s->delay_ms);
		if (send(fd, s->parts[i], strlen(s->parts[i]), MSG_NOSIGNAL) < 0)
			break;
	}
	if (!s->close_after) {
		/* until the client closes (at most 10 s) */
		pfd.fd = fd;
		pfd.events = POLLIN;
		while (poll(&pfd, 1, 10000) == 1 && recv(fd, junk, sizeof(junk), 0) > 0)
			;
	}
	close(fd);
	return NULL;
}

static void
srv_start(struct srv *s)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t sl = sizeof(a);

	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->lfd, 4), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&a, &sl), 0);
	snprintf(s->addr, sizeof(s->addr), "127.0.0.1:%u", ntohs(a.sin_port));
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void
srv_stop(struct srv *s)
{
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
client_stops_at_content_length(void **state)
{
	struct srv s = {
		.parts = {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			  "Content-Length: 13\r\n\r\n{\"rooms\":[]}\n"},
	};
	char err[HTTP_GET_ERR_MAX] = "";
	struct http_reply rep;
	int64_t t0;

	(void)state;
	srv_start(&s); /* keeps the connection open, as libre does */
	t0 = mono_ms();
	assert_int_equal(http_get(s.addr, "/api/rooms", 5000, HTTP_GET_MAX, &rep, err, sizeof(err)),
			 0);
	assert_true(mono_ms() - t0 < 2000);
	assert_int_equal(rep.status, 200);
	assert_string_equal(rep.reason, "OK");
	assert_int_equal(rep.body_len, 13);
	assert_string_equal(rep.body, "{\"rooms\":[]}\n");
	http_reply_free(&rep);
	srv_stop(&s);
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "GET /api/rooms HTTP/1.1\r\nHost: %s\r\nUser-Agent: rtpgwctl\r\n"
			 "Accept: */*\r\nConnection: close\r\n\r\n",
			 s.addr);
		assert_string_equal(s.req, want);
	}
}

static void
client_reads_pieces_and_chunks(void **state)
{
	struct srv s = {
		.parts = {"HTTP/1.1 200 OK\r\nTransfer-Enc", "oding: chunked\r\n\r\n4\r\nab",
			  "cd\r\n3\r\nefg\r\n0\r\n", "\r\n"},
		.delay_ms = 20,
	};
	char err[HTTP_GET_ERR_MAX] = "";
	struct http_reply rep;

	(void)state;
	srv_start(&s);
	assert_int_equal(http_get(s.addr, "/x", 5000, HTTP_GET_MAX, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.status, 200);
	assert_string_equal(rep.body, "abcdefg");
	http_reply_free(&rep);
	srv_stop(&s);
}

static void
client_reads_until_close(void **state)
{
	struct srv s = {
		.parts = {"HTTP/1.0 200 OK\r\n\r\nline 1\n", "line 2\n"},
		.delay_ms = 20,
		.close_after = true,
	};
	char err[HTTP_GET_ERR_MAX] = "";
	struct http_reply rep;

	(void)state;
	srv_start(&s);
	assert_int_equal(http_get(s.addr, "/metrics", 5000, HTTP_GET_MAX, &rep, err, sizeof(err)),
			 0);
	assert_string_equal(rep.body, "line 1\nline 2\n");
	http_reply_free(&rep);
	srv_stop(&s);
}

static void
client_returns_other_statuses(void **state)
{
	struct srv s = {
		.parts = {"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n"
			  "Content-Length: 5\r\n\r\n<h2/>"},
	};
	char err[HTTP_GET_ERR_MAX] = "";
	struct http_reply rep;

	(void)state;
	srv_start(&s);
	assert_int_equal(
		http_get(s.addr, "/api/calls/9", 5000, HTTP_GET_MAX, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.status, 404);
	assert_string_equal(rep.reason, "Not Found");
	http_reply_free(&rep);
	srv_stop(&s);
}

/* http_get() fails with want and a message containing what. */
static void
client_fails(struct srv *s, const char *addr, const char *path, int timeout_ms, size_t max,
	     int want, const char *what)
{
	char err[HTTP_GET_ERR_MAX] = "";
	struct http_reply rep;
	int ret;

	if (s != NULL)
		srv_start(s);
	ret = http_get(addr != NULL ? addr : s->addr, path, timeout_ms, max, &rep, err,
		       sizeof(err));
	if (ret != want || strstr(err, what) == NULL)
		fail_msg("got %d '%s', want %d '%s'", ret, err, want, what);
	assert_null(rep.raw);
	if (s != NULL)
		srv_stop(s);
}

static void
client_times_out(void **state)
{
	struct srv s = {.silent = true};
	int64_t t0 = mono_ms();

	(void)state;
	client_fails(&s, NULL, "/api/calls", 300, HTTP_GET_MAX, -ETIMEDOUT,
		     "no complete answer from 127.0.0.1:");
	assert_true(mono_ms() - t0 >= 290);
	assert_true(mono_ms() - t0 < 3000);
	/* a partial answer that stalls times out too */
	{
		struct srv p = {.parts = {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}};

		client_fails(&p, NULL, "/api/calls", 300, HTTP_GET_MAX, -ETIMEDOUT, "within 0.3 s");
	}
}

static void
client_connection_refused(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t sl = sizeof(a);
	char addr[32];
	int fd;

	(void)state;
	/* a port that was just free: bound, never listened on, closed */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	close(fd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(a.sin_port));
	client_fails(NULL, addr, "/api/calls", 2000, HTTP_GET_MAX, -ECONNREFUSED, "refused");
}

static void
client_rejects_bad_answers(void **state)
{
	struct srv garbage = {.parts = {"SSH-2.0-OpenSSH\r\n\r\n"}};
	struct srv cut = {
		.parts = {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"},
		.close_after = true,
	};
	struct srv nothing = {.close_after = true, .silent = true};
	struct srv big = {.parts = {"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"}};
	struct srv big_close = {.parts = {"HTTP/1.1 200 OK\r\n\r\n", "0123456789012345678901234567"
								     "890123456789"},
				.close_after = true};
	struct srv gzip = {.parts = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"}};

	(void)state;
	client_fails(&garbage, NULL, "/", 2000, HTTP_GET_MAX, -EBADMSG,
		     "bad HTTP answer from 127.0.0.1:");
	client_fails(&cut, NULL, "/", 2000, HTTP_GET_MAX, -EBADMSG, "after 3 of 10 body bytes");
	client_fails(&nothing, NULL, "/", 2000, HTTP_GET_MAX, -EBADMSG, "without a response");
	client_fails(&big, NULL, "/", 2000, 1000, -EMSGSIZE, "too large");
	client_fails(&big_close, NULL, "/", 2000, 40, -EMSGSIZE, "larger than 40 bytes");
	client_fails(&gzip, NULL, "/", 2000, HTTP_GET_MAX, -ENOTSUP, "Transfer-Encoding");
}

static void
client_rejects_bad_arguments(void **state)
{
	(void)state;
	client_fails(NULL, "localhost:8080", "/", 1000, HTTP_GET_MAX, -EINVAL, "bad address");
	client_fails(NULL, "127.0.0.1:8080", "api", 1000, HTTP_GET_MAX, -EINVAL, "bad path");
	client_fails(NULL, "127.0.0.1:8080", "/a b", 1000, HTTP_GET_MAX, -EINVAL, "bad path");
	client_fails(NULL, "127.0.0.1:8080", "/a\r\nX: y", 1000, HTTP_GET_MAX, -EINVAL, "bad path");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(content_length_body),
		cmocka_unit_test(status_line_and_reason),
		cmocka_unit_test(bad_headers_rejected),
		cmocka_unit_test(chunked_body_decoded),
		cmocka_unit_test(truncated_responses_rejected),
		cmocka_unit_test(close_delimited_body),
		cmocka_unit_test(interim_and_bodiless_responses),
		cmocka_unit_test(oversized_responses_rejected),
		cmocka_unit_test(addresses_parse),
		cmocka_unit_test(client_stops_at_content_length),
		cmocka_unit_test(client_reads_pieces_and_chunks),
		cmocka_unit_test(client_reads_until_close),
		cmocka_unit_test(client_returns_other_statuses),
		cmocka_unit_test(client_times_out),
		cmocka_unit_test(client_connection_refused),
		cmocka_unit_test(client_rejects_bad_answers),
		cmocka_unit_test(client_rejects_bad_arguments),
	};

	return cmocka_run_group_tests_name("rtpgwctl_http", tests, NULL, NULL);
}
