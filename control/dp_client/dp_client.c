/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp_client: see dp_client.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <re.h>

#include "api_client.h"
#include "dp_client.h"

struct dp_client {
	char path[108];
	struct api_client *api; /* NULL while disconnected */
	int fd;			/* api's socket, watched with fd_listen; -1 */
	struct tmr tmr;		/* reconnect */
	uint32_t backoff_ms;
	uint64_t connects;
	dp_client_up_h *up_h;
	void *arg;
	struct api_client *ev; /* the event connection, NULL when none */
	int ev_fd;
	dp_client_event_h *ev_h;
	void *ev_arg;
	uint64_t events;
	uint8_t ev_buf[RTPGW_API_MSG_MAX];
};

static void
ev_close(struct dp_client *dc)
{
	if (!dc->ev)
		return;
	fd_close(dc->ev_fd);
	api_client_destroy(dc->ev);
	dc->ev = NULL;
	dc->ev_fd = -1;
}

/* Drain what is queued; a transport error closes only this connection
 * (the request connection notices a dataplane that is gone). */
static void
ev_readable(int flags, void *arg)
{
	struct dp_client *dc = arg;
	struct rtpgw_api_hdr hdr;
	unsigned int n;
	int rc;

	(void)flags;
	for (n = 0; n < 256 && dc->ev; n++) {
		rc = api_client_event_recv(dc->ev, &hdr, dc->ev_buf, sizeof(dc->ev_buf), 0);
		if (rc == -ETIMEDOUT || rc == -EINTR)
			return;
		if (rc == -EMSGSIZE)
			continue;
		if (rc < 0) {
			ev_close(dc);
			return;
		}
		dc->events++;
		if (dc->ev_h)
			dc->ev_h(&hdr, dc->ev_buf, dc->ev_arg);
	}
}

static void
ev_open(struct dp_client *dc)
{
	int rc;

	if (dc->ev || !dc->ev_h)
		return;
	dc->ev = api_client_connect(dc->path, "rtpgw-control-events", DP_CLIENT_TIMEOUT_MS);
	if (!dc->ev)
		return;
	rc = api_client_request(dc->ev, RTPGW_API_EVENTS_SUBSCRIBE, NULL, 0, NULL, 0, NULL);
	dc->ev_fd = api_client_fd(dc->ev);
	if (rc < 0 || dc->ev_fd < 0 || fd_listen(dc->ev_fd, FD_READ, ev_readable, dc)) {
		fprintf(stderr, "rtpgw-control: dataplane events: %s\n", strerror(rc < 0 ? -rc : EIO));
		api_client_destroy(dc->ev);
		dc->ev = NULL;
		dc->ev_fd = -1;
	}
}

static void dp_client_connect(void *arg);

static void
dp_client_down(struct dp_client *dc, int err)
{
	if (!dc->api)
		return;
	fprintf(stderr, "rtpgw-control: dataplane connection lost (%s), reconnecting\n",
		strerror(err > 0 ? err : -err));
	fd_close(dc->fd);
	api_client_destroy(dc->api);
	dc->api = NULL;
	dc->fd = -1;
	ev_close(dc);
	dc->backoff_ms = DP_CLIENT_BACKOFF_MIN_MS;
	tmr_start(&dc->tmr, dc->backoff_ms, dp_client_connect, dc);
}

/* Readable outside a request: EOF (the dataplane went away) or an event. */
static void
dp_client_readable(int flags, void *arg)
{
	struct dp_client *dc = arg;
	char byte;
	ssize_t n;

	(void)flags;
	n = recv(dc->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		dp_client_down(dc, n == 0 ? ECONNRESET : errno);
		return;
	}
	if (n > 0) {
		/* not subscribed to events: discard whatever arrived */
		char buf[RTPGW_API_MSG_MAX];

		(void)!recv(dc->fd, buf, sizeof(buf), MSG_DONTWAIT);
	}
}

static void
dp_client_connect(void *arg)
{
	struct dp_client *dc = arg;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto retry;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", dc->path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		close(fd);
		goto retry;
	}
	dc->api = api_client_create(fd, DP_CLIENT_TIMEOUT_MS);
	if (!dc->api)
		goto retry;
	rc = api_client_hello(dc->api, "rtpgw-control");
	if (rc < 0) {
		fprintf(stderr, "rtpgw-control: dataplane HELLO failed: %s\n", strerror(-rc));
		api_client_destroy(dc->api);
		dc->api = NULL;
		goto retry;
	}
	dc->fd = fd;
	rc = fd_listen(fd, FD_READ, dp_client_readable, dc);
	if (rc) {
		api_client_destroy(dc->api);
		dc->api = NULL;
		dc->fd = -1;
		goto retry;
	}
	dc->connects++;
	dc->backoff_ms = DP_CLIENT_BACKOFF_MIN_MS;
	fprintf(stderr, "rtpgw-control: connected to the dataplane at %s (%u workers)\n", dc->path,
		api_client_agent(dc->api)->n_workers);
	ev_open(dc);
	if (dc->up_h)
		dc->up_h(dc->arg);
	return;
retry:
	tmr_start(&dc->tmr, dc->backoff_ms, dp_client_connect, dc);
	dc->backoff_ms *= 2;
	if (dc->backoff_ms > DP_CLIENT_BACKOFF_MAX_MS)
		dc->backoff_ms = DP_CLIENT_BACKOFF_MAX_MS;
}

struct dp_client *
dp_client_create(const char *path, dp_client_up_h *up_h, void *arg)
{
	struct dp_client *dc;

	if (strlen(path) >= sizeof(dc->path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return NULL;
	snprintf(dc->path, sizeof(dc->path), "%s", path);
	dc->fd = -1;
	dc->ev_fd = -1;
	dc->backoff_ms = DP_CLIENT_BACKOFF_MIN_MS;
	dc->up_h = up_h;
	dc->arg = arg;
	tmr_init(&dc->tmr);
	tmr_start(&dc->tmr, 0, dp_client_connect, dc);
	return dc;
}

void
dp_client_destroy(struct dp_client *dc)
{
	if (!dc)
		return;
	tmr_cancel(&dc->tmr);
	ev_close(dc);
	if (dc->api) {
		fd_close(dc->fd);
		api_client_destroy(dc->api);
	}
	free(dc);
}

void
dp_client_set_event_handler(struct dp_client *dc, dp_client_event_h *ev_h, void *arg)
{
	dc->ev_h = ev_h;
	dc->ev_arg = arg;
	if (!ev_h)
		ev_close(dc);
	else if (dc->api)
		ev_open(dc);
}

uint64_t
dp_client_events(const struct dp_client *dc)
{
	return dc->events;
}

void
dp_client_set_up_handler(struct dp_client *dc, dp_client_up_h *up_h, void *arg)
{
	dc->up_h = up_h;
	dc->arg = arg;
}

bool
dp_client_connected(const struct dp_client *dc)
{
	return dc->api != NULL;
}

uint64_t
dp_client_connects(const struct dp_client *dc)
{
	return dc->connects;
}

int
dp_client_request(struct dp_client *dc, uint16_t type, const void *payload, uint32_t len,
		  void *reply, uint32_t reply_cap, uint32_t *reply_len)
{
	int rc;

	if (!dc->api)
		return -ENOTCONN;
	rc = api_client_request(dc->api, type, payload, len, reply, reply_cap, reply_len);
	if (rc < 0 && api_client_error(dc->api))
		dp_client_down(dc, rc);
	return rc;
}
