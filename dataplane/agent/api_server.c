/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The API socket: UNIX SOCK_SEQPACKET, one datagram per message, served
 * from the agent's loop with epoll and non-blocking sockets. A client
 * that sends garbage gets an error reply; one whose socket breaks, or that
 * fails the HELLO rule, is disconnected. Replies that do not fit the
 * client's socket buffer close that client rather than block the agent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_log.h>

#include "agent/agent.h"

#define EP_LISTEN UINT32_MAX

static void
client_close(struct agent *a, struct agent_client *c)
{
	epoll_ctl(a->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->hello = false;
	c->events = false;
}

static int
mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int
api_server_open(struct agent *a, const char *path)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EP_LISTEN};
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	rc = mkdir_parent(path);
	if (rc < 0) {
		errno = -rc;
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(a->sock_path, sizeof(a->sock_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A socket left by a crashed run would make bind fail: remove it,
	 * but never one a live dataplane still answers on. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 || errno == EAGAIN) {
		close(fd);
		errno = EADDRINUSE;
		return -1;
	}
	close(fd);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, 16) < 0)
		goto fail;
	a->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epoll_fd < 0 || epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		goto fail;
	a->listen_fd = fd;
	return 0;
fail:
	rc = errno;
	close(fd);
	if (a->epoll_fd >= 0)
		close(a->epoll_fd);
	a->epoll_fd = -1;
	unlink(path);
	errno = rc;
	return -1;
}

void
api_server_close(struct agent *a)
{
	for (unsigned int i = 0; i < AGENT_CLIENTS_MAX; i++)
		if (a->clients[i].fd >= 0)
			client_close(a, &a->clients[i]);
	if (a->listen_fd >= 0) {
		close(a->listen_fd);
		unlink(a->sock_path);
		a->listen_fd = -1;
	}
	if (a->epoll_fd >= 0)
		close(a->epoll_fd);
	a->epoll_fd = -1;
}

static void
accept_clients(struct agent *a)
{
	for (;;) {
		int fd = accept4(a->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN};
		unsigned int i;

		if (fd < 0)
			return;
		for (i = 0; i < AGENT_CLIENTS_MAX; i++)
			if (a->clients[i].fd < 0)
				break;
		if (i == AGENT_CLIENTS_MAX) {
			RTE_LOG(WARNING, USER1, "api: too many clients, refusing one\n");
			close(fd);
			continue;
		}
		ev.data.u32 = i;
		if (epoll_ctl(a->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			continue;
		}
		a->clients[i].fd = fd;
		a->clients[i].hello = false;
		a->clients[i].events = false;
	}
}

static void
serve_client(struct agent *a, struct agent_client *c)
{
	/* Bounded: a client flooding requests cannot starve the workers'
	 * slow path for more than this many messages per pass. */
	for (int budget = 64; budget > 0 && c->fd >= 0; budget--) {
		ssize_t n = recv(c->fd, a->rx, sizeof(a->rx), MSG_DONTWAIT | MSG_TRUNC);
		size_t rlen;

		if (n == 0) {
			client_close(a, c);
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				client_close(a, c);
			return;
		}
		/* MSG_TRUNC: n is the real datagram length; an oversized one
		 * fails the length check in api_handle. */
		rlen = api_handle(a, c, a->rx, (size_t)n, a->tx);
		if (send(c->fd, a->tx, rlen, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			client_close(a, c);
			return;
		}
		if (!c->hello) {
			/* HELLO refused: the connection is not usable. */
			client_close(a, c);
			return;
		}
	}
}

void
api_server_poll(struct agent *a, int timeout_ms)
{
	struct epoll_event evs[AGENT_CLIENTS_MAX + 1];
	int n = epoll_wait(a->epoll_fd, evs, RTE_DIM(evs), timeout_ms);

	for (int i = 0; i < n; i++) {
		uint32_t k = evs[i].data.u32;

		if (k == EP_LISTEN)
			accept_clients(a);
		else if (k < AGENT_CLIENTS_MAX && a->clients[k].fd >= 0)
			serve_client(a, &a->clients[k]);
	}
}

void
agent_event_send(struct agent *a, uint16_t type, const void *payload, uint32_t len)
{
	struct {
		struct rtpgw_api_hdr h;
		uint8_t data[RTPGW_API_MSG_MAX - sizeof(struct rtpgw_api_hdr)];
	} *msg = (void *)a->tx;

	if (len > sizeof(msg->data))
		return;
	memset(&msg->h, 0, sizeof(msg->h));
	msg->h.magic = RTPGW_API_MAGIC;
	msg->h.version = RTPGW_API_VERSION;
	msg->h.type = type;
	msg->h.flags = RTPGW_API_F_EVENT;
	msg->h.len = len;
	memcpy(msg->data, payload, len);
	for (unsigned int i = 0; i < AGENT_CLIENTS_MAX; i++) {
		struct agent_client *c = &a->clients[i];

		if (c->fd < 0 || !c->events)
			continue;
		if (send(c->fd, msg, sizeof(msg->h) + len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				a->stats.events_dropped++;
			else
				client_close(a, c);
			continue;
		}
		a->stats.events_sent++;
	}
}
