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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "api_client.h"
#include "json.h"
#include "json_read.h"

#define CTL_EXIT_OK    0
#define CTL_EXIT_API   1 /* the dataplane refused, or the transport failed */
#define CTL_EXIT_USAGE 2 /* bad command line or input file */

#define CTL_TIMEOUT_DEFAULT_MS 5000
#define CTL_CLIENT_NAME	       "rtpgwctl"
/* rtpgw-control's HTTP API: --control, else $RTPGW_CONTROL, else this. */
#define CTL_CONTROL_DEFAULT "127.0.0.1:8080"
#define CTL_CONTROL_ENV	    "RTPGW_CONTROL"

struct ctl {
	const char *sock_path;
	const char *control;	   /* rtpgw-control's HTTP ADDR:PORT */
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

/* ctl_conf.c: `conf add|del|set|show|join|leave|set-part` */
int ctl_conf_cmd(struct ctl *ctl, int argc, char **argv);

/*
 * ctl_control.c: `calls [ID]`, `rooms` and `metrics [PREFIX]` read
 * rtpgw-control's HTTP API at ctl->control (GET /api/calls[/ID],
 * /api/rooms, /metrics) within ctl->timeout_ms. With --json the control's
 * JSON body is printed unchanged (checked to be JSON) on one line.
 */
int ctl_control_calls(struct ctl *ctl, int argc, char **argv);
int ctl_control_rooms(struct ctl *ctl, int argc, char **argv);
int ctl_control_metrics(struct ctl *ctl, int argc, char **argv);

/*
 * Their text forms, unit tested by tests/unit/tools/test_rtpgwctl_control.c.
 * doc is the parsed body: {"calls":[CALL,...]}, one CALL, or
 * {"rooms":[...]} (control/calls/call_json.h, control/http/http_api.c).
 * Missing or null figures print as '-'. Return 0, or -EBADMSG with a
 * message in err when the document does not have that shape.
 */
int ctl_print_calls(FILE *out, const struct jr_value *doc, char *err, size_t err_len);
int ctl_print_call(FILE *out, const struct jr_value *call, char *err, size_t err_len);
int ctl_print_rooms(FILE *out, const struct jr_value *doc, char *err, size_t err_len);

/*
 * The lines of Prometheus text about metrics whose name starts with prefix
 * (samples and their # HELP and # TYPE lines), every line when prefix is
 * NULL. Returns the number of lines printed.
 */
size_t ctl_print_metrics(FILE *out, const char *text, size_t len, const char *prefix);

/*
 * The words of the conf commands, parsed without I/O (ctl_conf.c, unit
 * tested by tests/unit/tools/test_rtpgwctl_conf.c). Each fills the wire
 * struct exactly as the agent expects it (zeroed first, network byte order
 * for addresses and ports) or returns -EINVAL with a message naming the
 * offending word in err (FLOW_ARGS_ERR_MAX bytes are enough).
 *
 *   conf add ID [ptime MS] [ref-ssrc 0xHEX] [ssrc 0xHEX] [cookie N]
 *   conf set ID [ref-ssrc 0xHEX | no-ref-ssrc] [cookie N]
 *   conf del|show ID
 *   conf join|set-part ID LOCAL_IP:PORT to PEER_IP:PORT [src IP:PORT]
 *       [mode strict|latch|any] [rtcp none|companion|mux] [pt 0|8] [mute]
 *       [deaf] [gain-in Q12] [gain-out Q12] [dtmf-pt N] [level-ext ID]
 *       [csrc-level-ext ID]
 *   conf leave LOCAL_IP:PORT
 */

/* Conference id: 1..4294967295, decimal or 0xHEX. */
int conf_args_parse_id(const char *word, uint32_t *id, char *err, size_t err_len);

/* What `conf set` changes (the rest is kept: read, modified, written back). */
#define CONF_ARGS_SET_REF_SSRC	 0x1 /* ref-ssrc 0xHEX */
#define CONF_ARGS_CLEAR_REF_SSRC 0x2 /* no-ref-ssrc */
#define CONF_ARGS_SET_COOKIE	 0x4 /* cookie N */

/*
 * `conf add ID ...` (set false) or `conf set ID ...` (set true): argv[0] is
 * ID. For add, *c is the CONF_ADD payload and *changes 0; for set, *c
 * carries the new values and *changes says which (at least one).
 */
int conf_args_parse_conf(int argc, char *const argv[], bool set, struct rtpgw_api_conf *c,
			 uint32_t *changes, char *err, size_t err_len);

/*
 * `conf join ID LOCAL ...` and `conf set-part ID LOCAL ...`: argv[0] is ID.
 * The participant's MIX flow sends the mix from its own key (out = local),
 * mode strict with src else latch, rtcp none, pt 0, unity gains.
 */
int conf_args_parse_part(int argc, char *const argv[], struct rtpgw_api_participant *p, char *err,
			 size_t err_len);

/* `conf leave LOCAL_IP:PORT`: the PART_LEAVE payload (conf_id 0: any). */
int conf_args_parse_leave(int argc, char *const argv[], struct rtpgw_api_participant *p, char *err,
			  size_t err_len);

#endif /* CTL_H */
