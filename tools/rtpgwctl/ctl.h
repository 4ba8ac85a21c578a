/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgwctl internals shared by its command files: the invocation context
 * (socket, output mode, timeout, the API connection and one reply buffer),
 * the error and exit-code conventions, and the command entry points. Each
 * command parses its own words first and connects only when they are valid,
 * so usage errors (exit 2) never depend on the dataplane; errors reported by
 * the dataplane or the transport exit 1. Output goes to stdout as text or,
 * with --json, as one JSON document per line; diagnostics go to stderr.
 */
#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "api_client.h"
#include "json.h"

#define CTL_EXIT_OK    0
#define CTL_EXIT_API   1 /* the dataplane refused, or the transport failed */
#define CTL_EXIT_USAGE 2 /* bad command line or input file */

#define CTL_TIMEOUT_DEFAULT_MS 5000
#define CTL_CLIENT_NAME	       "rtpgwctl"

struct ctl {
	const char *sock_path;
	int timeout_ms;		   /* per request */
	bool json;		   /* --json */
	struct json js;		   /* stdout, when json */
	const char *cmd;	   /* "flow add": prefix of diagnostics */
	struct api_client *client; /* set by ctl_connect() */
	uint8_t *reply;		   /* RTPGW_API_MSG_MAX bytes, reply payloads */
};

/* Connect and say HELLO. Returns 0, or CTL_EXIT_API after printing why. */
int ctl_connect(struct ctl *ctl);

/*
 * One request; the reply payload lands in ctl->reply, its length in
 * *reply_len (may be NULL). Returns 0, or the negative status or transport
 * error after printing it as "rtpgwctl: CMD: ...".
 */
int ctl_request(struct ctl *ctl, uint16_t type, const void *payload, uint32_t len,
		uint32_t *reply_len);

/* "rtpgwctl: CMD: " and the message on stderr. */
void ctl_error(const struct ctl *ctl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ctl_error() plus a hint at --help; returns CTL_EXIT_USAGE. */
int ctl_usage_error(const struct ctl *ctl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "File exists (EEXIST)" for -EEXIST (or EEXIST). */
const char *ctl_errno_text(int err, char *buf, size_t len);

/* Parse a positive number of seconds ("2", "0.5") into ms. Returns 0 or -EINVAL. */
int ctl_parse_seconds(const char *s, int *ms);

/* "aa:bb:cc:dd:ee:ff" */
void ctl_format_mac(const uint8_t mac[6], char *buf, size_t len);

/*
 * Commands: argv[0] is the command word itself. Each returns a CTL_EXIT_*.
 * ctl_stats.c
 */
int ctl_stats_hello(struct ctl *ctl, int argc, char **argv);
int ctl_stats_addrs(struct ctl *ctl, int argc, char **argv);
int ctl_stats_ports(struct ctl *ctl, int argc, char **argv);
int ctl_stats_workers(struct ctl *ctl, int argc, char **argv);
int ctl_stats_drops(struct ctl *ctl, int argc, char **argv);
int ctl_stats_all(struct ctl *ctl, int argc, char **argv);

/* ctl_flow.c: `flows` and `flow get|add|mod|del|add-batch` */
int ctl_flow_list(struct ctl *ctl, int argc, char **argv);
int ctl_flow_cmd(struct ctl *ctl, int argc, char **argv);

/* ctl_events.c */
int ctl_events_stream(struct ctl *ctl, int argc, char **argv);

#endif /* CTL_H */
