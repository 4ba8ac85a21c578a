/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgwctl commands reading rtpgw-control's HTTP API rather than the
 * dataplane: `calls` (GET /api/calls), `calls ID` (GET /api/calls/ID),
 * `rooms` (GET /api/rooms) and `metrics [PREFIX]` (GET /metrics). The
 * documents are those of control/calls/call_json.h and
 * control/http/http_api.c; quality objects those of quality_json()
 * (control/stats/quality.h), whose rtt_ms and mos are null until measured.
 * Tables print '-' for whatever is missing or null, so a newer control
 * with more (or fewer) members still prints; only a document of another
 * shape (no "calls" array, a call without an id) is an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "http_get.h"

static int
shape_error(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err_len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* v with printf format fmt (one double), or "-" when v is missing, null or not a number. */
static const char *
num(char *buf, size_t len, const struct jr_value *v, const char *fmt)
{
	double d;

	if (!jr_num(v, &d)) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf, len, fmt, d);
	return buf;
}

/*
 * A string for a terminal: control characters (a Call-ID comes from the
 * network) as '?', at most STR_MAX bytes. Kept in one of STR_RING buffers,
 * so that one printf can take several.
 */
#define STR_RING 8
#define STR_MAX	 511

static const char *
clean(const char *s)
{
	static char ring[STR_RING][STR_MAX + 1];
	static unsigned int next;
	char *b = ring[next++ % STR_RING];
	size_t i;

	for (i = 0; s[i] != '\0' && i < STR_MAX; i++)
		b[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	b[i] = '\0';
	return b;
}

/* A string member for a terminal, "-" when missing, null or empty. */
static const char *
str(const struct jr_value *v)
{
	const char *s = jr_str(v);

	return s != NULL && s[0] != '\0' ? clean(s) : "-";
}

static const char *
yes_no(const struct jr_value *v)
{
	bool b;

	if (!jr_bool(v, &b))
		return "-";
	return b ? "yes" : "no";
}

/* Seconds as H:MM:SS. */
static const char *
duration(char *buf, size_t len, const struct jr_value *v)
{
	unsigned long long s;
	double d;

	if (!jr_num(v, &d) || d < 0 || d > 1e12) {
		snprintf(buf, len, "-");
		return buf;
	}
	s = (unsigned long long)d;
	snprintf(buf, len, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	return buf;
}

/* "IP:PORT" ("[IP]:PORT" for IPv6) of a leg or participant, "-" without media. */
static const char *
peer(char *buf, size_t len, const struct jr_value *obj)
{
	const char *ip = jr_str(jr_get(obj, "peer"));
	double port;

	if (ip != NULL)
		ip = clean(ip);
	if (ip == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (!jr_num(jr_get(obj, "peer_port"), &port))
		snprintf(buf, len, "%s", ip);
	else if (strchr(ip, ':') != NULL)
		snprintf(buf, len, "[%s]:%.0f", ip, port);
	else
		snprintf(buf, len, "%s:%.0f", ip, port);
	return buf;
}

/* Epoch milliseconds as "2026-11-28 03:00:00.123 UTC". */
static const char *
wall_time(char *buf, size_t len, const struct jr_value *v)
{
	struct tm tm;
	time_t t;
	double ms;

	if (!jr_num(v, &ms) || ms <= 0 || ms > 253402300799000.0) {
		snprintf(buf, len, "-");
		return buf;
	}
	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)((unsigned long long)ms % 1000));
	return buf;
}

#define CALLS_HEAD                                                                             \
	"%-6s %-5s %-7s %-11s %-4s %-9s %-3s %-21s %-5s %10s %6s %7s %8s %5s\n", "ID", "KIND", \
		"STATE", "ROOM/ROUTE", "HELD", "DURATION", "LEG", "PEER", "CODEC", "PACKETS",  \
		"LOSS%", "JITTER", "RTT", "MOS"

/* The leg columns of the calls table (leg NULL: none). */
static void
print_leg_cols(FILE *out, unsigned int i, const struct jr_value *leg)
{
	const struct jr_value *q = jr_get(leg, "quality");
	char p[64], n[4][32], idx[8];

	if (leg == NULL) {
		fprintf(out, "%-3s %-21s %-5s %10s %6s %7s %8s %5s\n", "-", "-", "-", "-", "-", "-",
			"-", "-");
		return;
	}
	snprintf(idx, sizeof(idx), "%u", i);
	fprintf(out, "%-3s %-21s %-5s %10s ", idx, peer(p, sizeof(p), leg),
		str(jr_get(leg, "codec")), num(n[0], sizeof(n[0]), jr_get(q, "packets"), "%.0f"));
	fprintf(out, "%6s %7s %8s %5s\n", num(n[1], sizeof(n[1]), jr_get(q, "loss_pct"), "%.2f"),
		num(n[2], sizeof(n[2]), jr_get(q, "jitter_ms"), "%.2f"),
		num(n[3], sizeof(n[3]), jr_get(q, "rtt_ms"), "%.2f"),
		num(n[0], sizeof(n[0]), jr_get(q, "mos"), "%.2f"));
}

static void
room_route(char *buf, size_t len, const struct jr_value *call)
{
	double v;

	if (jr_num(jr_get(call, "room"), &v))
		snprintf(buf, len, "room %.0f", v);
	else if (jr_num(jr_get(call, "route"), &v))
		snprintf(buf, len, "route %.0f", v);
	else
		snprintf(buf, len, "-");
}

int
ctl_print_calls(FILE *out, const struct jr_value *doc, char *err, size_t err_len)
{
	const struct jr_value *calls = jr_get(doc, "calls");
	const struct jr_value *c;
	size_t k;

	if (!jr_is_array(calls))
		return shape_error(err, err_len, "no \"calls\" array in the answer");
	for (k = 0, c = calls->child; c != NULL; c = c->next, k++)
		if (!jr_is_object(c) || jr_get(c, "id") == NULL ||
		    jr_get(c, "id")->type != JR_NUMBER)
			return shape_error(err, err_len, "calls[%zu] is not a call with an id", k);
	if (calls->len == 0) {
		fprintf(out, "no calls\n");
		return 0;
	}
	fprintf(out, CALLS_HEAD);
	for (c = calls->child; c != NULL; c = c->next) {
		const struct jr_value *legs = jr_get(c, "legs");
		const struct jr_value *l;
		char id[24], rr[32], d[32];
		unsigned int i;

		snprintf(id, sizeof(id), "%.0f", jr_get(c, "id")->num);
		room_route(rr, sizeof(rr), c);
		fprintf(out, "%-6s %-5s %-7s %-11s %-4s %-9s ", id, str(jr_get(c, "kind")),
			str(jr_get(c, "state")), rr, yes_no(jr_get(c, "held")),
			duration(d, sizeof(d), jr_get(c, "duration_s")));
		l = jr_is_array(legs) ? legs->child : NULL;
		print_leg_cols(out, 0, l);
		for (i = 1; l != NULL && (l = l->next) != NULL; i++) {
			fprintf(out, "%-6s %-5s %-7s %-11s %-4s %-9s ", "", "", "", "", "", "");
			print_leg_cols(out, i, l);
		}
	}
	return 0;
}

/* A quality object as "name  value" lines under indent, values at indent + 16. */
static void
print_quality(FILE *out, const char *indent, const struct jr_value *q)
{
	char a[32], b[32];
	double v;

	if (!jr_is_object(q)) {
		fprintf(out, "%s%-16s-\n", indent, "quality");
		return;
	}
	fprintf(out, "%s%-16s%s (lost %s)\n", indent, "packets",
		num(a, sizeof(a), jr_get(q, "packets"), "%.0f"),
		num(b, sizeof(b), jr_get(q, "lost"), "%.0f"));
	fprintf(out, "%s%-16s%s %% (remote %s %%)\n", indent, "loss",
		num(a, sizeof(a), jr_get(q, "loss_pct"), "%.2f"),
		num(b, sizeof(b), jr_get(q, "remote_loss_pct"), "%.2f"));
	fprintf(out, "%s%-16s%s ms (remote %s ms)\n", indent, "jitter",
		num(a, sizeof(a), jr_get(q, "jitter_ms"), "%.2f"),
		num(b, sizeof(b), jr_get(q, "remote_jitter_ms"), "%.2f"));
	fprintf(out, "%s%-16s%s%s\n", indent, "rtt", num(a, sizeof(a), jr_get(q, "rtt_ms"), "%.2f"),
		jr_num(jr_get(q, "rtt_ms"), &v) ? " ms" : "");
	fprintf(out, "%s%-16s%s\n", indent, "mos", num(a, sizeof(a), jr_get(q, "mos"), "%.2f"));
	fprintf(out, "%s%-16s%s\n", indent, "rtcp reports",
		num(a, sizeof(a), jr_get(q, "rtcp_reports"), "%.0f"));
}

int
ctl_print_call(FILE *out, const struct jr_value *call, char *err, size_t err_len)
{
	const struct jr_value *legs = jr_get(call, "legs");
	const struct jr_value *l;
	char a[64], b[64];
	unsigned int i;
	double v;

	if (!jr_is_object(call) || !jr_num(jr_get(call, "id"), &v))
		return shape_error(err, err_len, "the answer is not a call with an id");
	fprintf(out, "call %.0f\n", v);
	fprintf(out, "  kind              %s\n", str(jr_get(call, "kind")));
	fprintf(out, "  state             %s\n", str(jr_get(call, "state")));
	room_route(a, sizeof(a), call);
	fprintf(out, "  %-17s %s\n", strncmp(a, "room ", 5) == 0 ? "room" : "route",
		strchr(a, ' ') != NULL ? strchr(a, ' ') + 1 : a);
	fprintf(out, "  held              %s\n", yes_no(jr_get(call, "held")));
	fprintf(out, "  recovered         %s\n", yes_no(jr_get(call, "recovered")));
	fprintf(out, "  started           %s\n", wall_time(a, sizeof(a), jr_get(call, "start_ms")));
	fprintf(out, "  answered          %s\n",
		wall_time(a, sizeof(a), jr_get(call, "answer_ms")));
	fprintf(out, "  ended             %s\n", wall_time(a, sizeof(a), jr_get(call, "end_ms")));
	fprintf(out, "  duration          %s", duration(a, sizeof(a), jr_get(call, "duration_s")));
	if (jr_num(jr_get(call, "duration_s"), &v))
		fprintf(out, " (%.2f s)", v);
	fprintf(out, "\n  end reason        %s\n", str(jr_get(call, "end_reason")));
	fprintf(out, "  quality (legs combined)\n");
	print_quality(out, "    ", jr_get(call, "quality"));
	for (i = 0, l = jr_is_array(legs) ? legs->child : NULL; l != NULL; l = l->next, i++) {
		bool mux;

		fprintf(out, "  leg %u\n", i);
		fprintf(out, "    call-id         %s\n", str(jr_get(l, "call_id")));
		fprintf(out, "    local port      %s\n",
			num(a, sizeof(a), jr_get(l, "local_port"), "%.0f"));
		fprintf(out, "    peer            %s\n", peer(a, sizeof(a), l));
		if (jr_str(jr_get(l, "codec")) != NULL) {
			fprintf(out, "    codec           %s (pt %s), dtmf pt %s",
				str(jr_get(l, "codec")), num(a, sizeof(a), jr_get(l, "pt"), "%.0f"),
				num(b, sizeof(b), jr_get(l, "dtmf_pt"), "%.0f"));
			if (jr_bool(jr_get(l, "rtcp_mux"), &mux))
				fprintf(out, ", rtcp-mux %s", mux ? "yes" : "no");
			fprintf(out, "\n");
		} else {
			fprintf(out, "    codec           -\n");
		}
		fprintf(out, "    direction       %s\n", str(jr_get(l, "direction")));
		print_quality(out, "    ", jr_get(l, "quality"));
	}
	if (i == 0)
		fprintf(out, "  no legs\n");
	return 0;
}

#define ROOMS_HEAD                                                                           \
	"%-6s %-6s %-5s %-21s %-3s %-9s %10s %6s %7s %8s %5s %s\n", "ROOM", "CALL", "LOCAL", \
		"PEER", "PT", "DIRECTION", "PACKETS", "LOSS%", "JITTER", "RTT", "MOS", "CALL-ID"

int
ctl_print_rooms(FILE *out, const struct jr_value *doc, char *err, size_t err_len)
{
	const struct jr_value *rooms = jr_get(doc, "rooms");
	const struct jr_value *r, *p;
	size_t k;

	if (!jr_is_array(rooms))
		return shape_error(err, err_len, "no \"rooms\" array in the answer");
	for (k = 0, r = rooms->child; r != NULL; r = r->next, k++)
		if (!jr_is_object(r) || !jr_num(jr_get(r, "id"), &(double){0}))
			return shape_error(err, err_len, "rooms[%zu] is not a room with an id", k);
	if (rooms->len == 0) {
		fprintf(out, "no rooms\n");
		return 0;
	}
	fprintf(out, ROOMS_HEAD);
	for (r = rooms->child; r != NULL; r = r->next) {
		const struct jr_value *parts = jr_get(r, "participants");
		char id[24];

		snprintf(id, sizeof(id), "%.0f", jr_get(r, "id")->num);
		if (!jr_is_array(parts) || parts->len == 0) {
			fprintf(out, "%-6s %-6s (no participants)\n", id, "-");
			continue;
		}
		for (p = parts->child; p != NULL; p = p->next) {
			const struct jr_value *q = jr_get(p, "quality");
			char n[8][32], pe[64];

			fprintf(out, "%-6s %-6s %-5s %-21s %-3s %-9s ", id,
				num(n[0], sizeof(n[0]), jr_get(p, "call"), "%.0f"),
				num(n[1], sizeof(n[1]), jr_get(p, "local_port"), "%.0f"),
				peer(pe, sizeof(pe), p),
				num(n[2], sizeof(n[2]), jr_get(p, "pt"), "%.0f"),
				str(jr_get(p, "direction")));
			fprintf(out, "%10s %6s %7s %8s %5s %s\n",
				num(n[3], sizeof(n[3]), jr_get(q, "packets"), "%.0f"),
				num(n[4], sizeof(n[4]), jr_get(q, "loss_pct"), "%.2f"),
				num(n[5], sizeof(n[5]), jr_get(q, "jitter_ms"), "%.2f"),
				num(n[6], sizeof(n[6]), jr_get(q, "rtt_ms"), "%.2f"),
				num(n[7], sizeof(n[7]), jr_get(q, "mos"), "%.2f"),
				str(jr_get(p, "call_id")));
		}
	}
	return 0;
}

/* The metric a Prometheus text line is about: its name and length (0: none). */
static size_t
metric_of(const char *line, size_t n, const char **name)
{
	size_t i = 0;

	if (n > 7 && (memcmp(line, "# HELP ", 7) == 0 || memcmp(line, "# TYPE ", 7) == 0))
		i = 7;
	else if (n == 0 || line[0] == '#')
		return 0;
	*name = line + i;
	while (i < n && line[i] != ' ' && line[i] != '{' && line[i] != '\t')
		i++;
	return (size_t)(line + i - *name);
}

size_t
ctl_print_metrics(FILE *out, const char *text, size_t len, const char *prefix)
{
	size_t pl = prefix != NULL ? strlen(prefix) : 0;
	size_t pos = 0, lines = 0;

	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - pos;
		const char *name = NULL;
		size_t name_len;

		pos += n + (nl != NULL);
		name_len = metric_of(line, n, &name);
		if (prefix != NULL && (name_len < pl || memcmp(name, prefix, pl) != 0))
			continue;
		fwrite(line, 1, n, out);
		fputc('\n', out);
		lines++;
	}
	return lines;
}

/* The control address, checked before any I/O. */
static int
check_control(const struct ctl *ctl)
{
	char host[HTTP_GET_HOST_MAX];
	struct sockaddr_storage ss;
	socklen_t sl;

	if (http_get_parse_addr(ctl->control, &ss, &sl, host) < 0)
		return ctl_usage_error(ctl,
				       "bad control address '%s' (--control or " CTL_CONTROL_ENV
				       ": IPv4:PORT or [IPv6]:PORT)",
				       ctl->control);
	return CTL_EXIT_OK;
}

/*
 * GET path. Returns CTL_EXIT_OK with the 200 answer in rep, or CTL_EXIT_API
 * after printing why; a 404 prints not_found when given.
 */
static int
control_get(struct ctl *ctl, const char *path, const char *not_found, struct http_reply *rep)
{
	char err[HTTP_GET_ERR_MAX];
	int ret;

	ret = http_get(ctl->control, path, ctl->timeout_ms, HTTP_GET_MAX, rep, err, sizeof(err));
	if (ret < 0) {
		ctl_error(ctl, "%s", err);
		return CTL_EXIT_API;
	}
	if (rep->status == 200)
		return CTL_EXIT_OK;
	if (rep->status == 404 && not_found != NULL)
		ctl_error(ctl, "%s", not_found);
	else
		ctl_error(ctl, "rtpgw-control at %s answered %d%s%s to GET %s", ctl->control,
			  rep->status, rep->reason[0] ? " " : "", rep->reason, path);
	http_reply_free(rep);
	return CTL_EXIT_API;
}

/* The 200 answer to path as JSON: printed as is (--json) or by print(). */
static int
control_json(struct ctl *ctl, const char *path, const char *not_found,
	     int (*print)(FILE *, const struct jr_value *, char *, size_t))
{
	struct http_reply rep;
	char err[JR_ERR_MAX];
	struct jr_doc *doc;
	size_t n;
	int ret;

	ret = control_get(ctl, path, not_found, &rep);
	if (ret != CTL_EXIT_OK)
		return ret;
	doc = jr_parse(rep.body, rep.body_len, err, sizeof(err));
	if (doc == NULL) {
		ctl_error(ctl, "rtpgw-control at %s sent bad JSON for GET %s: %s", ctl->control,
			  path, err);
		http_reply_free(&rep);
		return CTL_EXIT_API;
	}
	if (ctl->json) {
		n = rep.body_len;
		while (n > 0 && (rep.body[n - 1] == '\n' || rep.body[n - 1] == '\r' ||
				 rep.body[n - 1] == ' ' || rep.body[n - 1] == '\t'))
			n--;
		fwrite(rep.body, 1, n, stdout);
		fputc('\n', stdout);
	} else if (print(stdout, jr_root(doc), err, sizeof(err)) < 0) {
		ctl_error(ctl, "unexpected answer from rtpgw-control at %s to GET %s: %s",
			  ctl->control, path, err);
		ret = CTL_EXIT_API;
	}
	jr_free(doc);
	http_reply_free(&rep);
	return ret;
}

int
ctl_control_calls(struct ctl *ctl, int argc, char **argv)
{
	char path[32], nf[64];
	unsigned long id = 0;
	char *end;
	int ret;

	if (argc > 2)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[2]);
	if (argc == 2) {
		if (argv[1][0] < '0' || argv[1][0] > '9' || strlen(argv[1]) > 10)
			return ctl_usage_error(ctl, "bad call id '%s' (1..4294967295)", argv[1]);
		id = strtoul(argv[1], &end, 10);
		if (*end != '\0' || id == 0 || id > 4294967295UL)
			return ctl_usage_error(ctl, "bad call id '%s' (1..4294967295)", argv[1]);
	}
	ret = check_control(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (argc == 1)
		return control_json(ctl, "/api/calls", NULL, ctl_print_calls);
	snprintf(path, sizeof(path), "/api/calls/%lu", id);
	snprintf(nf, sizeof(nf), "no call %lu", id);
	return control_json(ctl, path, nf, ctl_print_call);
}

int
ctl_control_rooms(struct ctl *ctl, int argc, char **argv)
{
	int ret;

	if (argc > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[1]);
	ret = check_control(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	return control_json(ctl, "/api/rooms", NULL, ctl_print_rooms);
}

int
ctl_control_metrics(struct ctl *ctl, int argc, char **argv)
{
	const char *prefix = argc > 1 ? argv[1] : NULL;
	struct http_reply rep;
	int ret;

	if (argc > 2)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[2]);
	if (prefix != NULL && prefix[0] == '\0')
		return ctl_usage_error(ctl, "empty PREFIX");
	if (ctl->json)
		return ctl_usage_error(ctl, "no --json form: the metrics are Prometheus text");
	ret = check_control(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	ret = control_get(ctl, "/metrics", NULL, &rep);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (ctl_print_metrics(stdout, rep.body, rep.body_len, prefix) == 0 && prefix != NULL)
		ctl_error(ctl, "no metric name starts with '%s'", prefix);
	http_reply_free(&rep);
	return CTL_EXIT_OK;
}
