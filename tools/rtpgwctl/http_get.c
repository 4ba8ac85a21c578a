/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP GET client of rtpgwctl (see http_get.h). The response parser works
 * on the whole buffer received so far and remembers where it stopped, so
 * each byte is looked at a bounded number of times; the client around it
 * is a non-blocking socket polled against one deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http_get.h"

enum {
	CS_SIZE,     /* a chunk-size line expected */
	CS_DATA,     /* chunk_left data bytes expected */
	CS_DATA_END, /* the CRLF after a chunk's data */
	CS_TRAILER,  /* trailer lines until an empty one */
};

/* Longest chunk-size or trailer line. */
#define CHUNK_LINE_MAX 4096

static int
perr(char *err, size_t err_len, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err_len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

void
http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
}

/* Offset just past the empty line ending the head in buf[0..n), 0 if none yet. */
static size_t
head_end(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < n && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* The line at *pos (without CRLF or LF) in buf[0..n): its length, *pos past it; -1 if none. */
static long
next_line(const char *buf, size_t n, size_t *pos, const char **line)
{
	const char *nl = memchr(buf + *pos, '\n', n - *pos);
	size_t l;

	if (nl == NULL)
		return -1;
	*line = buf + *pos;
	l = (size_t)(nl - *line);
	*pos += l + 1;
	if (l > 0 && (*line)[l - 1] == '\r')
		l--;
	return (long)l;
}

static bool
is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool
name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

static int
parse_status_line(struct http_response *r, const char *l, size_t n, char *err, size_t err_len)
{
	size_t i, k;

	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' || l[8] != ' ' ||
	    l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' ||
	    (n > 12 && l[12] != ' '))
		return perr(err, err_len, -EBADMSG, "bad status line '%.*s'",
			    (int)(n > 40 ? 40 : n), l);
	r->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	for (i = 13, k = 0; i < n; i++) {
		unsigned char c = (unsigned char)l[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(err, err_len, -EBADMSG, "control character in the status line");
		if (k + 1 < sizeof(r->reason))
			r->reason[k++] = (char)c;
	}
	r->reason[k] = '\0';
	return 0;
}

static int
parse_header(struct http_response *r, const char *l, size_t n, char *err, size_t err_len)
{
	const char *colon = memchr(l, ':', n);
	const char *v, *end = l + n;
	size_t name_len, i;

	if (n > 0 && (l[0] == ' ' || l[0] == '\t'))
		return perr(err, err_len, -EBADMSG, "folded header line (obsolete)");
	if (colon == NULL || colon == l)
		return perr(err, err_len, -EBADMSG, "bad header line '%.*s'",
			    (int)(n > 40 ? 40 : n), l);
	name_len = (size_t)(colon - l);
	for (i = 0; i < name_len; i++)
		if (!is_tchar(l[i]))
			return perr(err, err_len, -EBADMSG, "bad header name '%.*s'",
				    (int)(name_len > 40 ? 40 : name_len), l);
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (i = 0; v + i < end; i++) {
		unsigned char c = (unsigned char)v[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(err, err_len, -EBADMSG, "control character in header '%.*s'",
				    (int)name_len, l);
	}
	if (name_is(l, name_len, "content-length")) {
		uint64_t cl = 0;

		if (v == end || end - v > 19)
			return perr(err, err_len, -EBADMSG, "bad Content-Length '%.*s'",
				    (int)(end - v > 40 ? 40 : end - v), v);
		for (i = 0; v + i < end; i++) {
			if (v[i] < '0' || v[i] > '9')
				return perr(err, err_len, -EBADMSG, "bad Content-Length '%.*s'",
					    (int)(end - v > 40 ? 40 : end - v), v);
			cl = cl * 10 + (uint64_t)(v[i] - '0');
		}
		if (r->has_length && r->content_length != cl)
			return perr(err, err_len, -EBADMSG, "conflicting Content-Length headers");
		r->has_length = true;
		r->content_length = cl;
	} else if (name_is(l, name_len, "transfer-encoding")) {
		if (!name_is(v, (size_t)(end - v), "chunked"))
			return perr(err, err_len, -ENOTSUP,
				    "unsupported Transfer-Encoding '%.*s' (only chunked)",
				    (int)(end - v > 40 ? 40 : end - v), v);
		if (r->chunked)
			return perr(err, err_len, -EBADMSG, "chunked given twice");
		r->chunked = true;
	}
	return 0;
}

/* The head in buf[0..n), n including its empty line. */
static int
parse_head(struct http_response *r, const char *buf, size_t n, char *err, size_t err_len)
{
	const char *line;
	size_t pos = 0;
	long l;
	int ret;

	r->status = 0;
	r->reason[0] = '\0';
	r->chunked = false;
	r->has_length = false;
	r->content_length = 0;
	l = next_line(buf, n, &pos, &line);
	ret = parse_status_line(r, line, (size_t)l, err, err_len);
	if (ret < 0)
		return ret;
	while ((l = next_line(buf, n, &pos, &line)) > 0) {
		ret = parse_header(r, line, (size_t)l, err, err_len);
		if (ret < 0)
			return ret;
	}
	if (r->chunked)
		r->has_length = false; /* RFC 9112 6.3: Transfer-Encoding overrides */
	return 0;
}

static int
complete(struct http_response *r, char *buf, size_t start, size_t len)
{
	r->body = buf + start;
	r->body_len = len;
	buf[start + len] = '\0';
	return 1;
}

static int
truncated(char *err, size_t err_len, const char *what)
{
	return perr(err, err_len, -EBADMSG, "connection closed %s", what);
}

/* Chunk-size line "HEX[;ext]": its size, or -1. */
static int
chunk_size(const char *l, size_t n, uint64_t *size)
{
	size_t i;

	*size = 0;
	for (i = 0; i < n; i++) {
		char c = l[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			break;
		if (i == 15)
			return -1;
		*size = *size * 16 + d;
	}
	if (i == 0 || (i < n && l[i] != ';' && l[i] != ' ' && l[i] != '\t'))
		return -1;
	return 0;
}

static int
parse_chunked(struct http_response *r, char *buf, size_t len, bool eof, size_t max, char *err,
	      size_t err_len)
{
	const size_t start = r->head_start + r->head_len;
	const char *line;
	uint64_t size;
	size_t n;
	long l;

	for (;;) {
		switch (r->chunk_state) {
		case CS_SIZE:
		case CS_TRAILER:
			n = r->raw;
			l = next_line(buf, len, &n, &line);
			if (l < 0) {
				if (len - r->raw > CHUNK_LINE_MAX)
					return perr(err, err_len, -EBADMSG, "chunk line too long");
				return eof ? truncated(err, err_len, "inside a chunked body") : 0;
			}
			r->raw = n;
			if (r->chunk_state == CS_TRAILER) {
				if (l == 0)
					return complete(r, buf, start, r->out);
				continue; /* a trailer field: ignored */
			}
			if (chunk_size(line, (size_t)l, &size) < 0)
				return perr(err, err_len, -EBADMSG, "bad chunk size line '%.*s'",
					    (int)(l > 40 ? 40 : l), line);
			if (size > max || r->out + size > max)
				return perr(err, err_len, -EMSGSIZE,
					    "chunked body larger than %zu bytes", max);
			r->chunk_left = size;
			r->chunk_state = size == 0 ? CS_TRAILER : CS_DATA;
			continue;
		case CS_DATA:
			n = len - r->raw;
			if (n > r->chunk_left)
				n = (size_t)r->chunk_left;
			memmove(buf + start + r->out, buf + r->raw, n);
			r->out += n;
			r->raw += n;
			r->chunk_left -= n;
			if (r->chunk_left > 0)
				return eof ? truncated(err, err_len, "inside a chunk") : 0;
			r->chunk_state = CS_DATA_END;
			continue;
		default: /* CS_DATA_END */
			if (r->raw < len && buf[r->raw] == '\n') {
				r->raw++;
			} else if (len - r->raw >= 2) {
				if (buf[r->raw] != '\r' || buf[r->raw + 1] != '\n')
					return perr(err, err_len, -EBADMSG,
						    "chunk data not followed by CRLF");
				r->raw += 2;
			} else if (r->raw < len && buf[r->raw] != '\r') {
				return perr(err, err_len, -EBADMSG,
					    "chunk data not followed by CRLF");
			} else {
				return eof ? truncated(err, err_len, "inside a chunked body") : 0;
			}
			r->chunk_state = CS_SIZE;
			continue;
		}
	}
}

int
http_response_parse(struct http_response *r, char *buf, size_t len, bool eof, size_t max, char *err,
		    size_t err_len)
{
	size_t start;
	int ret;

	if (len > max)
		return perr(err, err_len, -EMSGSIZE, "response larger than %zu bytes", max);
	while (r->head_len == 0) {
		size_t avail = len - r->head_start;
		size_t end = head_end(buf + r->head_start, avail);

		if (end == 0 || end > HTTP_GET_HEAD_MAX) {
			if (avail > HTTP_GET_HEAD_MAX)
				return perr(err, err_len, -EMSGSIZE,
					    "response head larger than %u bytes",
					    HTTP_GET_HEAD_MAX);
			if (!eof)
				return 0;
			if (len == 0)
				return truncated(err, err_len, "without a response");
			return truncated(err, err_len, "inside the response head");
		}
		ret = parse_head(r, buf + r->head_start, end, err, err_len);
		if (ret < 0)
			return ret;
		if (r->status >= 200) {
			r->head_len = end;
			r->raw = r->head_start + end;
			break;
		}
		r->head_start += end; /* interim 1xx: the real response follows */
	}
	start = r->head_start + r->head_len;
	if (r->status == 204 || r->status == 304)
		return complete(r, buf, start, 0);
	if (r->chunked)
		return parse_chunked(r, buf, len, eof, max, err, err_len);
	if (r->has_length) {
		if (r->content_length > max - start)
			return perr(err, err_len, -EMSGSIZE,
				    "Content-Length %llu: larger than %zu bytes",
				    (unsigned long long)r->content_length, max);
		if (len - start >= r->content_length)
			return complete(r, buf, start, (size_t)r->content_length);
		if (!eof)
			return 0;
		return perr(err, err_len, -EBADMSG,
			    "connection closed after %zu of %llu body bytes", len - start,
			    (unsigned long long)r->content_length);
	}
	if (!eof)
		return 0;
	return complete(r, buf, start, len - start);
}

int
http_get_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *ss_len,
		    char host[HTTP_GET_HOST_MAX])
{
	char ip[INET6_ADDRSTRLEN];
	const char *port_s;
	unsigned long port;
	size_t ip_len;
	char *end;
	bool v6;

	memset(ss, 0, sizeof(*ss));
	v6 = s[0] == '[';
	if (v6) {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return -EINVAL;
		ip_len = (size_t)(rb - s - 1);
		s++;
		port_s = rb + 2;
	} else {
		const char *colon = strrchr(s, ':');

		if (colon == NULL || memchr(s, ':', (size_t)(colon - s)) != NULL)
			return -EINVAL;
		ip_len = (size_t)(colon - s);
		port_s = colon + 1;
	}
	if (ip_len == 0 || ip_len >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, ip_len);
	ip[ip_len] = '\0';
	if (port_s[0] < '0' || port_s[0] > '9' || strlen(port_s) > 5)
		return -EINVAL;
	port = strtoul(port_s, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535)
		return -EINVAL;
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1)
			return -EINVAL;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*ss_len = sizeof(*a);
		snprintf(host, HTTP_GET_HOST_MAX, "[%s]:%lu", ip, port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, ip, &a->sin_addr) != 1)
			return -EINVAL;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*ss_len = sizeof(*a);
		snprintf(host, HTTP_GET_HOST_MAX, "%s:%lu", ip, port);
	}
	return 0;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline: 0, -ETIMEDOUT or -errno. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};

	for (;;) {
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int
connect_to(int fd, const struct sockaddr_storage *ss, socklen_t ss_len, int64_t deadline)
{
	socklen_t sl = sizeof(int);
	int soerr = 0;
	int ret;

	if (connect(fd, (const struct sockaddr *)ss, ss_len) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EINTR)
		return -errno;
	ret = wait_fd(fd, POLLOUT, deadline);
	if (ret < 0)
		return ret;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return -errno;
	return -soerr;
}

static int
send_all(int fd, const char *p, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			int ret;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -errno;
			ret = wait_fd(fd, POLLOUT, deadline);
			if (ret < 0)
				return ret;
			continue;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
receive(int fd, const char *host, size_t max, int64_t deadline, struct http_reply *reply, char *err,
	size_t err_len)
{
	struct http_response r;
	size_t cap = 16384, len = 0;
	char *buf = NULL;
	char e[HTTP_GET_ERR_MAX];
	bool eof = false;
	int ret;

	http_response_init(&r);
	for (;;) {
		ssize_t got;

		if (len + 1 >= cap && cap < max + 2) {
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *nb = realloc(buf, ncap);

			if (nb == NULL) {
				free(buf);
				return perr(err, err_len, -ENOMEM, "out of memory");
			}
			buf = nb;
			cap = ncap;
		} else if (buf == NULL) {
			buf = malloc(cap);
			if (buf == NULL)
				return perr(err, err_len, -ENOMEM, "out of memory");
		}
		ret = wait_fd(fd, POLLIN, deadline);
		if (ret == -ETIMEDOUT) {
			free(buf);
			return ret; /* the caller knows the timeout */
		}
		if (ret < 0)
			break;
		got = recv(fd, buf + len, cap - len - 1, 0);
		if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (got < 0 && errno != ECONNRESET) {
			ret = -errno;
			break;
		}
		if (got <= 0)
			eof = true;
		else
			len += (size_t)got;
		ret = http_response_parse(&r, buf, len, eof, max, e, sizeof(e));
		if (ret == 1) {
			reply->status = r.status;
			snprintf(reply->reason, sizeof(reply->reason), "%s", r.reason);
			reply->body = r.body;
			reply->body_len = r.body_len;
			reply->raw = buf;
			return 0;
		}
		if (ret < 0) {
			free(buf);
			if (ret == -EMSGSIZE)
				return perr(err, err_len, ret, "answer from %s too large: %s", host,
					    e);
			return perr(err, err_len, ret, "bad HTTP answer from %s: %s", host, e);
		}
		if (eof) { /* cannot happen: at EOF the parser decides */
			ret = -EBADMSG;
			break;
		}
	}
	free(buf);
	return perr(err, err_len, ret, "receiving from %s: %s", host, strerror(-ret));
}

int
http_get(const char *addr, const char *path, int timeout_ms, size_t max, struct http_reply *reply,
	 char *err, size_t err_len)
{
	char host[HTTP_GET_HOST_MAX];
	struct sockaddr_storage ss;
	int64_t deadline;
	socklen_t ss_len;
	char *req;
	size_t i;
	int ret;
	int fd;

	memset(reply, 0, sizeof(*reply));
	if (http_get_parse_addr(addr, &ss, &ss_len, host) < 0)
		return perr(err, err_len, -EINVAL,
			    "bad address '%s' (IPv4:PORT or [IPv6]:PORT, numeric)", addr);
	for (i = 0; path[i] != '\0'; i++)
		if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f)
			break;
	if (path[0] != '/' || path[i] != '\0')
		return perr(err, err_len, -EINVAL, "bad path '%s'", path);
	if (asprintf(&req,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: rtpgwctl\r\nAccept: */*\r\n"
		     "Connection: close\r\n\r\n",
		     path, host) < 0)
		return perr(err, err_len, -ENOMEM, "out of memory");
	deadline = now_ms() + timeout_ms;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		free(req);
		return perr(err, err_len, ret, "socket: %s", strerror(-ret));
	}
	ret = connect_to(fd, &ss, ss_len, deadline);
	if (ret == -ECONNREFUSED) {
		perr(err, err_len, ret,
		     "connection to %s refused (is rtpgw-control running there?)", host);
		goto out;
	}
	if (ret == -ETIMEDOUT) {
		perr(err, err_len, ret, "cannot connect to %s within %.1f s", host,
		     timeout_ms / 1000.0);
		goto out;
	}
	if (ret < 0) {
		perr(err, err_len, ret, "cannot connect to %s: %s", host, strerror(-ret));
		goto out;
	}
	ret = send_all(fd, req, strlen(req), deadline);
	if (ret == -ETIMEDOUT) {
		perr(err, err_len, ret, "cannot send to %s within %.1f s", host,
		     timeout_ms / 1000.0);
		goto out;
	}
	if (ret < 0) {
		perr(err, err_len, ret, "sending to %s: %s", host, strerror(-ret));
		goto out;
	}
	ret = receive(fd, host, max, deadline, reply, err, err_len);
	if (ret == -ETIMEDOUT)
		perr(err, err_len, ret, "no complete answer from %s within %.1f s", host,
		     timeout_ms / 1000.0);
out:
	close(fd);
	free(req);
	return ret;
}

void
http_reply_free(struct http_reply *reply)
{
	free(reply->raw);
	memset(reply, 0, sizeof(*reply));
}
