/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * API client: framing, validation and timeouts of the control <-> dataplane
 * API on the client side (see api_client.h for the contract). The socket is
 * non-blocking and every wait is a poll(2) against an absolute CLOCK_MONOTONIC
 * deadline, so a request never blocks longer than the client's timeout
 * however the agent misbehaves. Validation happens on the receive buffer
 * before anything is copied out, per the size rules written in
 * api/rtpgw_api.h and docs/API.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api_client.h"

/* Pause between connect attempts while the agent's listen backlog is full. */
#define CONNECT_RETRY_NS (10 * 1000 * 1000)

struct api_client {
	int fd;		  /* -1 once a transport error closed it */
	int error;	  /* that transport error (negative), 0 while usable */
	int timeout_ms;	  /* per request, < 0 waits forever */
	uint32_t next_id; /* id of the next request, never 0 (events use 0) */
	uint64_t events_skipped;
	struct rtpgw_api_hello agent;
	alignas(8) uint8_t buf[RTPGW_API_MSG_MAX]; /* one received datagram */
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Absolute deadline for a timeout in ms; -1 means none. */
static int64_t
deadline_of(int timeout_ms)
{
	if (timeout_ms < 0)
		return -1;
	return now_ms() + timeout_ms;
}

/*
 * Wait until fd is ready for events or the deadline passes. A signal
 * returns -EINTR when intr is set, else the wait goes on to the deadline.
 */
static int
wait_fd(int fd, short events, int64_t deadline, bool intr)
{
	struct pollfd p = {.fd = fd, .events = events};
	int64_t left;
	int ms = -1;
	int n;

again:
	if (deadline >= 0) {
		left = deadline - now_ms();
		if (left < 0)
			left = 0;
		ms = left > INT_MAX ? INT_MAX : (int)left;
	}
	n = poll(&p, 1, ms);
	if (n < 0 && errno == EINTR && !intr)
		goto again;
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	/* POLLHUP/POLLERR: let the next recv or send report what happened. */
	return 0;
}

/* Record a transport error: the connection is unusable from now on. */
static int
client_fail(struct api_client *c, int err)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->error = err;
	return err;
}

static int
msg_send(struct api_client *c, const struct rtpgw_api_hdr *hdr, const void *payload,
	 int64_t deadline)
{
	struct iovec iov[2] = {
		{.iov_base = (void *)(uintptr_t)hdr, .iov_len = sizeof(*hdr)},
		{.iov_base = (void *)(uintptr_t)payload, .iov_len = hdr->len},
	};
	struct msghdr m = {.msg_iov = iov, .msg_iovlen = hdr->len ? 2 : 1};
	ssize_t n;
	int ret;

	for (;;) {
		n = sendmsg(c->fd, &m, MSG_NOSIGNAL);
		if (n >= 0)
			return (size_t)n == sizeof(*hdr) + hdr->len ? 0 : -EIO;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		ret = wait_fd(c->fd, POLLOUT, deadline, false);
		if (ret < 0)
			return ret;
	}
}

/* Receive one datagram into c->buf; its length is stored in *len. */
static int
msg_recv(struct api_client *c, int64_t deadline, bool intr, size_t *len)
{
	ssize_t n;
	int ret;

	for (;;) {
		/* MSG_TRUNC: the real length, so oversized datagrams are seen. */
		n = recv(c->fd, c->buf, sizeof(c->buf), MSG_TRUNC);
		if (n > (ssize_t)sizeof(c->buf))
			return -EBADMSG;
		if (n > 0) {
			*len = (size_t)n;
			return 0;
		}
		if (n == 0)
			return -ECONNRESET; /* peer closed */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		ret = wait_fd(c->fd, POLLIN, deadline, intr);
		if (ret < 0)
			return ret;
	}
}

/* Header rules common to replies and events. */
static int
hdr_check(const struct rtpgw_api_hdr *hdr, size_t n)
{
	if (n < sizeof(*hdr))
		return -EBADMSG;
	if (hdr->magic != RTPGW_API_MAGIC || hdr->version != RTPGW_API_VERSION)
		return -EBADMSG;
	if (hdr->len != n - sizeof(*hdr))
		return -EBADMSG;
	return 0;
}

/* A list payload: a uint32_t count, 4 bytes of padding, count elements. */
static int
list_check(const uint8_t *p, uint32_t len, size_t elem)
{
	uint32_t count;

	if (len < 8)
		return -EBADMSG;
	memcpy(&count, p, sizeof(count));
	if (count > (len - 8) / elem || len != 8 + count * elem)
		return -EBADMSG;
	return 0;
}

/* CONF_GET: the conference, then exactly n_parts participants. */
static int
conf_info_check(const uint8_t *p, uint32_t len)
{
	struct rtpgw_api_conf_info info;
	const size_t elem = sizeof(struct rtpgw_api_part_stats);

	if (len < sizeof(info))
		return -EBADMSG;
	memcpy(&info, p, sizeof(info));
	if (info.n_parts > (len - sizeof(info)) / elem || len != sizeof(info) + info.n_parts * elem)
		return -EBADMSG;
	return 0;
}

/* Size rules of a successful reply payload, by type. */
static int
reply_payload_check(uint16_t type, const uint8_t *p, uint32_t len)
{
	switch (type) {
	case RTPGW_API_HELLO:
		return len == sizeof(struct rtpgw_api_hello) ? 0 : -EBADMSG;
	case RTPGW_API_ADDR_LIST:
		return list_check(p, len, sizeof(struct rtpgw_api_addr));
	case RTPGW_API_FLOW_ADD:
	case RTPGW_API_FLOW_MOD:
	case RTPGW_API_FLOW_DEL:
		return len == sizeof(struct rtpgw_api_flow_batch_reply) ? 0 : -EBADMSG;
	case RTPGW_API_FLOW_GET:
	case RTPGW_API_FLOW_LIST:
		return list_check(p, len, sizeof(struct rtpgw_api_flow_info));
	case RTPGW_API_STATS_PORTS:
		return list_check(p, len, sizeof(struct rtpgw_api_port_stats));
	case RTPGW_API_STATS_WORKERS:
		return list_check(p, len, sizeof(struct rtpgw_api_worker_stats));
	case RTPGW_API_STATS_DROPS:
		return list_check(p, len, sizeof(uint64_t));
	case RTPGW_API_EVENTS_SUBSCRIBE:
	case RTPGW_API_CONF_ADD:
	case RTPGW_API_CONF_DEL:
	case RTPGW_API_CONF_SET:
	case RTPGW_API_PART_JOIN:
	case RTPGW_API_PART_LEAVE:
	case RTPGW_API_PART_SET:
		return len == 0 ? 0 : -EBADMSG;
	case RTPGW_API_CONF_GET:
		return conf_info_check(p, len);
	default:
		return 0; /* a type newer than this client: the caller knows it */
	}
}

/* Size rules of an event payload, by type. */
static int
event_payload_check(uint16_t type, const uint8_t *p, uint32_t len)
{
	struct rtpgw_api_event_rtcp ev;

	switch (type) {
	case RTPGW_API_EVENT_RTCP:
		if (len < sizeof(ev))
			return -EBADMSG;
		memcpy(&ev, p, sizeof(ev));
		if (ev.len > RTPGW_API_RTCP_MAX || len != sizeof(ev) + ev.len)
			return -EBADMSG;
		return 0;
	case RTPGW_API_EVENT_FLOW_IDLE:
	case RTPGW_API_EVENT_SSRC_CHANGE:
		return len == sizeof(struct rtpgw_api_event_flow) ? 0 : -EBADMSG;
	case RTPGW_API_EVENT_DTMF:
	case RTPGW_API_EVENT_SPEAKER:
		return len == sizeof(struct rtpgw_api_event_conf) ? 0 : -EBADMSG;
	default:
		return 0;
	}
}

struct api_client *
api_client_create(int fd, int timeout_ms)
{
	struct api_client *c;
	int fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		goto fail;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto fail;
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	return c;
fail:
	fl = errno;
	close(fd);
	errno = fl;
	return NULL;
}

void
api_client_destroy(struct api_client *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

/* connect(2) bounded by a deadline; fd is non-blocking. */
static int
connect_deadline(int fd, const struct sockaddr_un *sa, int64_t deadline)
{
	const struct timespec pause = {.tv_nsec = CONNECT_RETRY_NS};
	socklen_t sl;
	int err;
	int ret;

	for (;;) {
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			/* AF_UNIX: the listen backlog is full, try again. */
			if (deadline >= 0 && now_ms() >= deadline)
				return -ETIMEDOUT;
			nanosleep(&pause, NULL);
			continue;
		}
		if (errno != EINPROGRESS)
			return -errno;
		ret = wait_fd(fd, POLLOUT, deadline, false);
		if (ret < 0)
			return ret;
		sl = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
			return -errno;
		return -err;
	}
}

struct api_client *
api_client_open(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int ret;
	int fd;

	if (path == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path));

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return NULL;
	ret = connect_deadline(fd, &sa, deadline_of(timeout_ms));
	if (ret < 0) {
		close(fd);
		errno = -ret;
		return NULL;
	}
	return api_client_create(fd, timeout_ms);
}

struct api_client *
api_client_connect(const char *path, const char *name, int timeout_ms)
{
	struct api_client *c;
	int ret;

	c = api_client_open(path, timeout_ms);
	if (c == NULL)
		return NULL;
	ret = api_client_hello(c, name);
	if (ret < 0) {
		api_client_destroy(c);
		errno = -ret;
		return NULL;
	}
	return c;
}

int
api_client_hello(struct api_client *c, const char *name)
{
	struct rtpgw_api_hello req = {.version = RTPGW_API_VERSION};
	struct rtpgw_api_hello rep = {0};
	uint32_t len = 0;
	int ret;

	if (name != NULL)
		memcpy(req.name, name, strnlen(name, sizeof(req.name) - 1));
	ret = api_client_request(c, RTPGW_API_HELLO, &req, sizeof(req), &rep, sizeof(rep), &len);
	if (len == sizeof(rep)) {
		rep.name[sizeof(rep.name) - 1] = '\0';
		c->agent = rep;
	}
	if (ret < 0)
		return ret;
	if (rep.version != RTPGW_API_VERSION)
		return -EPROTO;
	return 0;
}

const struct rtpgw_api_hello *
api_client_agent(const struct api_client *c)
{
	return &c->agent;
}

int
api_client_request(struct api_client *c, uint16_t type, const void *payload, uint32_t len,
		   void *reply_buf, uint32_t reply_cap, uint32_t *reply_len)
{
	struct rtpgw_api_hdr req = {
		.magic = RTPGW_API_MAGIC,
		.version = RTPGW_API_VERSION,
		.type = type,
		.len = len,
	};
	const struct rtpgw_api_hdr *rep;
	const uint8_t *p;
	int64_t deadline;
	size_t n = 0;
	int ret;

	if (reply_len != NULL)
		*reply_len = 0;
	if (c->fd < 0)
		return c->error;
	if ((len > 0 && payload == NULL) || (reply_cap > 0 && reply_buf == NULL))
		return -EINVAL;
	if (len > RTPGW_API_MSG_MAX - sizeof(req))
		return -EMSGSIZE;

	req.id = c->next_id++;
	if (c->next_id == 0)
		c->next_id = 1;
	deadline = deadline_of(c->timeout_ms);

	ret = msg_send(c, &req, payload, deadline);
	if (ret < 0)
		return client_fail(c, ret);

	for (;;) {
		ret = msg_recv(c, deadline, false, &n);
		if (ret < 0)
			return client_fail(c, ret);
		rep = (const struct rtpgw_api_hdr *)c->buf;
		p = c->buf + sizeof(*rep);
		if (hdr_check(rep, n) < 0)
			return client_fail(c, -EBADMSG);
		if (rep->flags & RTPGW_API_F_EVENT) {
			if ((rep->flags & RTPGW_API_F_REPLY) || rep->id != 0)
				return client_fail(c, -EBADMSG);
			c->events_skipped++;
			continue;
		}
		if (!(rep->flags & RTPGW_API_F_REPLY) || rep->id != req.id || rep->type != type ||
		    rep->status > 0)
			return client_fail(c, -EBADMSG);
		/* An error reply carries nothing or the type's reply payload. */
		if ((rep->status == 0 || rep->len > 0) &&
		    reply_payload_check(type, p, rep->len) < 0)
			return client_fail(c, -EBADMSG);
		if (rep->len > reply_cap)
			return -EMSGSIZE;
		if (rep->len > 0)
			memcpy(reply_buf, p, rep->len);
		if (reply_len != NULL)
			*reply_len = rep->len;
		return rep->status;
	}
}

int
api_client_event_recv(struct api_client *c, struct rtpgw_api_hdr *hdr, void *buf, uint32_t cap,
		      int timeout_ms)
{
	const struct rtpgw_api_hdr *ev;
	const uint8_t *p;
	size_t n = 0;
	int ret;

	if (c->fd < 0)
		return c->error;
	if (hdr == NULL || (cap > 0 && buf == NULL))
		return -EINVAL;
	ret = msg_recv(c, deadline_of(timeout_ms), true, &n);
	if (ret == -ETIMEDOUT || ret == -EINTR)
		return ret;
	if (ret < 0)
		return client_fail(c, ret);
	ev = (const struct rtpgw_api_hdr *)c->buf;
	p = c->buf + sizeof(*ev);
	/* No request is outstanding, so anything but an event is a violation. */
	if (hdr_check(ev, n) < 0 || !(ev->flags & RTPGW_API_F_EVENT) ||
	    (ev->flags & RTPGW_API_F_REPLY) || ev->id != 0 ||
	    event_payload_check(ev->type, p, ev->len) < 0)
		return client_fail(c, -EBADMSG);
	if (ev->len > cap)
		return -EMSGSIZE;
	*hdr = *ev;
	if (ev->len > 0)
		memcpy(buf, p, ev->len);
	return 0;
}

int
api_client_error(const struct api_client *c)
{
	return c->error;
}

uint64_t
api_client_events_skipped(const struct api_client *c)
{
	return c->events_skipped;
}

int
api_client_fd(const struct api_client *c)
{
	return c->fd;
}
