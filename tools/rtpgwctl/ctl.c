/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers shared by the rtpgwctl commands (see ctl.h): connecting with the
 * HELLO rule, one request with its error printed the same way everywhere
 * (the dataplane's status apart from transport failures, errno names next
 * to their text), and the few parsers and formatters the commands share.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

const char *
ctl_errno_text(int err, char *buf, size_t len)
{
	const char *name;

	if (err < 0)
		err = -err;
	name = strerrorname_np(err);
	if (name != NULL)
		snprintf(buf, len, "%s (%s)", strerror(err), name);
	else
		snprintf(buf, len, "error %d", err);
	return buf;
}

static void
verror(const struct ctl *ctl, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (ctl->cmd != NULL)
		fprintf(stderr, "rtpgwctl: %s: ", ctl->cmd);
	else
		fprintf(stderr, "rtpgwctl: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ctl_error(const struct ctl *ctl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctl, fmt, ap);
	va_end(ap);
}

int
ctl_usage_error(const struct ctl *ctl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(ctl, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'rtpgwctl --help'.\n");
	return CTL_EXIT_USAGE;
}

/* Describe a transport error in the terms of the invocation. */
static void
transport_error(const struct ctl *ctl, int err)
{
	char e[128];

	switch (err) {
	case -ETIMEDOUT:
		ctl_error(ctl, "no reply from the dataplane within %.1f s (--timeout)",
			  ctl->timeout_ms / 1000.0);
		break;
	case -EBADMSG:
		ctl_error(ctl, "invalid message from the dataplane (%s)",
			  ctl_errno_text(err, e, sizeof(e)));
		break;
	case -ECONNRESET:
	case -EPIPE:
		ctl_error(ctl, "the dataplane closed the connection");
		break;
	default:
		ctl_error(ctl, "connection to %s failed: %s", ctl->sock_path,
			  ctl_errno_text(err, e, sizeof(e)));
		break;
	}
}

int
ctl_connect(struct ctl *ctl)
{
	const struct rtpgw_api_hello *agent;
	char e[128];
	int ret;

	ctl->client = api_client_open(ctl->sock_path, ctl->timeout_ms);
	if (ctl->client == NULL) {
		ctl_error(ctl, "cannot connect to %s: %s", ctl->sock_path,
			  ctl_errno_text(errno, e, sizeof(e)));
		return CTL_EXIT_API;
	}
	ret = api_client_hello(ctl->client, CTL_CLIENT_NAME);
	if (ret == 0)
		return CTL_EXIT_OK;
	agent = api_client_agent(ctl->client);
	if (api_client_error(ctl->client) != 0)
		transport_error(ctl, ret);
	else if (ret == -EPROTO && agent->version != 0 && agent->version != RTPGW_API_VERSION)
		ctl_error(ctl, "the dataplane speaks API version %u, rtpgwctl speaks %u",
			  agent->version, RTPGW_API_VERSION);
	else
		ctl_error(ctl, "hello refused by the dataplane: %s",
			  ctl_errno_text(ret, e, sizeof(e)));
	return CTL_EXIT_API;
}

int
ctl_request(struct ctl *ctl, uint16_t type, const void *payload, uint32_t len, uint32_t *reply_len)
{
	char e[128];
	int ret;

	ret = api_client_request(ctl->client, type, payload, len, ctl->reply, RTPGW_API_MSG_MAX,
				 reply_len);
	if (ret == 0)
		return 0;
	if (api_client_error(ctl->client) != 0)
		transport_error(ctl, ret);
	else
		ctl_error(ctl, "dataplane error: %s", ctl_errno_text(ret, e, sizeof(e)));
	return ret;
}

int
ctl_parse_seconds(const char *s, int *ms)
{
	char *end;
	double v;

	if (*s == '\0' || *s == '-' || *s == '+' || (*s < '0' && *s != '.') || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 || v > 86400.0 * 24)
		return -EINVAL;
	*ms = (int)(v * 1000 + 0.999); /* round up: never 0 ms; no libm */
	return 0;
}

void
ctl_format_mac(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}
