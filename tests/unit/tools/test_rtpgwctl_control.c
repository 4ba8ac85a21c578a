/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of rtpgwctl's commands reading rtpgw-control
 * (tools/rtpgwctl/ctl_control.c): the text tables of `calls`, `calls ID`
 * and `rooms` from hand-written documents of the shape of
 * control/calls/call_json.h and control/http/http_api.c (null rtt and MOS,
 * a leg without media, a null quality, IPv6 peers, escapes, control
 * characters), documents of other shapes, the `metrics PREFIX` filter, and
 * the commands end to end against a server thread on 127.0.0.1 port 0:
 * --json prints the body unchanged, 404 and 500 exit 1, bad words exit 2
 * before any connection.
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
#include <unistd.h>

#include "../../../tools/rtpgwctl/ctl.h"

/* GET /api/calls: a relayed call (the second leg without rtt and MOS yet), a
 * room call from an IPv6 peer, and a call being set up (no media, no quality). */
static const char calls_doc[] =
	"{\"calls\":[{\"id\":7,\"kind\":\"relay\",\"state\":\"active\",\"room\":null,"
	"\"route\":0,\"held\":false,\"recovered\":false,\"start_ms\":1764298800123,"
	"\"answer_ms\":1764298801456,\"end_ms\":null,\"duration_s\":3725.5,"
	"\"end_reason\":null,\"quality\":{\"packets\":1227,\"lost\":1,\"loss_pct\":0.16,"
	"\"remote_loss_pct\":0.00,\"jitter_ms\":2.00,\"remote_jitter_ms\":1.50,"
	"\"rtt_ms\":32.10,\"mos\":4.39,\"rtcp_reports\":6},"
	"\"legs\":[{\"call_id\":\"a84b4c76e66710@pc33.example.com\","
	"\"local_port\":30000,\"peer\":\"203.0.113.7\",\"peer_port\":4000,"
	"\"codec\":\"PCMU\",\"pt\":0,\"dtmf_pt\":101,\"rtcp_mux\":false,"
	"\"direction\":\"sendrecv\",\"quality\":{\"packets\":615,\"lost\":0,"
	"\"loss_pct\":0.00,\"remote_loss_pct\":0.00,\"jitter_ms\":1.25,"
	"\"remote_jitter_ms\":0.90,\"rtt_ms\":32.10,\"mos\":4.39,\"rtcp_reports\":4}},"
	"{\"call_id\":\"b2b-7-1\",\"local_port\":30002,\"peer\":\"198.51.100.9\","
	"\"peer_port\":5004,\"codec\":\"PCMA\",\"pt\":8,\"dtmf_pt\":101,\"rtcp_mux\":true,"
	"\"direction\":\"sendrecv\",\"quality\":{\"packets\":612,\"lost\":1,"
	"\"loss_pct\":0.16,\"remote_loss_pct\":0.00,\"jitter_ms\":2.00,"
	"\"remote_jitter_ms\":1.50,\"rtt_ms\":null,\"mos\":null,\"rtcp_reports\":2}}]},"
	"{\"id\":12,\"kind\":\"room\",\"state\":\"active\",\"room\":1001,\"route\":null,"
	"\"held\":true,\"recovered\":true,\"start_ms\":1764298810000,"
	"\"answer_ms\":1764298810250,\"end_ms\":null,\"duration_s\":12.34,"
	"\"end_reason\":null,\"quality\":{\"packets\":0,\"lost\":0,\"loss_pct\":0.00,"
	"\"remote_loss_pct\":0.00,\"jitter_ms\":0.00,\"remote_jitter_ms\":0.00,"
	"\"rtt_ms\":null,\"mos\":null,\"rtcp_reports\":0},"
	"\"legs\":[{\"call_id\":\"room-call-12\",\"local_port\":30004,"
	"\"peer\":\"2001:db8::5\",\"peer_port\":6000,\"codec\":\"PCMU\",\"pt\":0,"
	"\"dtmf_pt\":101,\"rtcp_mux\":false,\"direction\":\"recvonly\","
	"\"quality\":{\"packets\":0,\"lost\":0,\"loss_pct\":0.00,"
	"\"remote_loss_pct\":0.00,\"jitter_ms\":0.00,\"remote_jitter_ms\":0.00,"
	"\"rtt_ms\":null,\"mos\":null,\"rtcp_reports\":0}}]},{\"id\":13,\"kind\":\"relay\","
	"\"state\":\"early\",\"room\":null,\"route\":2,\"held\":false,\"recovered\":false,"
	"\"start_ms\":1764298820000,\"answer_ms\":null,\"end_ms\":null,"
	"\"duration_s\":0.00,\"end_reason\":null,\"quality\":null,"
	"\"legs\":[{\"call_id\":\"c\\\"q\\u00e9\",\"local_port\":30006,\"peer\":null,"
	"\"quality\":null}]}]}";

static const char rooms_doc[] =
	"{\"rooms\":[{\"id\":1001,\"participants\":[{\"call\":12,"
	"\"call_id\":\"room-call-12\",\"local_port\":30004,\"peer\":\"203.0.113.8\","
	"\"peer_port\":6000,\"pt\":0,\"direction\":\"sendrecv\","
	"\"quality\":{\"packets\":1500,\"lost\":3,\"loss_pct\":0.20,"
	"\"remote_loss_pct\":0.10,\"jitter_ms\":3.10,\"remote_jitter_ms\":2.00,"
	"\"rtt_ms\":null,\"mos\":4.30,\"rtcp_reports\":5}},{\"call\":14,"
	"\"call_id\":\"x@y\",\"local_port\":30008,\"peer\":\"198.51.100.20\","
	"\"peer_port\":7078,\"pt\":8,\"direction\":\"sendrecv\","
	"\"quality\":{\"packets\":10,\"lost\":0,\"loss_pct\":0.00,"
	"\"remote_loss_pct\":0.00,\"jitter_ms\":0.00,\"remote_jitter_ms\":0.00,"
	"\"rtt_ms\":12.00,\"mos\":null,\"rtcp_reports\":0}}]},{\"id\":1002,"
	"\"participants\":[]}]}";

static const char calls_text[] =
	"ID     KIND  STATE   ROOM/ROUTE  HELD DURATION  LEG PEER"
	"                  CODEC    PACKETS  LOSS%  JITTER      RTT   MOS\n"
	"7      relay active  route 0     no   1:02:05   0   203.0.113.7:4000"
	"      PCMU         615   0.00    1.25    32.10  4.39\n"
	"                                                1   198.51.100.9:5004"
	"     PCMA         612   0.16    2.00        -     -\n"
	"12     room  active  room 1001   yes  0:00:12   0"
	"   [2001:db8::5]:6000    PCMU           0   0.00    0.00        -     -\n"
	"13     relay early   route 2     no   0:00:00   0   -"
	"                     -              -      -       -        -     -\n";

static const char call7_text[] = "call 7\n"
				 "  kind              relay\n"
				 "  state             active\n"
				 "  route             0\n"
				 "  held              no\n"
				 "  recovered         no\n"
				 "  started           2025-11-28 03:00:00.123 UTC\n"
				 "  answered          2025-11-28 03:00:01.456 UTC\n"
				 "  ended             -\n"
				 "  duration          1:02:05 (3725.50 s)\n"
				 "  end reason        -\n"
				 "  quality (legs combined)\n"
				 "    packets         1227 (lost 1)\n"
				 "    loss            0.16 % (remote 0.00 %)\n"
				 "    jitter          2.00 ms (remote 1.50 ms)\n"
				 "    rtt             32.10 ms\n"
				 "    mos             4.39\n"
				 "    rtcp reports    6\n"
				 "  leg 0\n"
				 "    call-id         a84b4c76e66710@pc33.example.com\n"
				 "    local port      30000\n"
				 "    peer            203.0.113.7:4000\n"
				 "    codec           PCMU (pt 0), dtmf pt 101, rtcp-mux no\n"
				 "    direction       sendrecv\n"
				 "    packets         615 (lost 0)\n"
				 "    loss            0.00 % (remote 0.00 %)\n"
				 "    jitter          1.25 ms (remote 0.90 ms)\n"
				 "    rtt             32.10 ms\n"
				 "    mos             4.39\n"
				 "    rtcp reports    4\n"
				 "  leg 1\n"
				 "    call-id         b2b-7-1\n"
				 "    local port      30002\n"
				 "    peer            198.51.100.9:5004\n"
				 "    codec           PCMA (pt 8), dtmf pt 101, rtcp-mux yes\n"
				 "    direction       sendrecv\n"
				 "    packets         612 (lost 1)\n"
				 "    loss            0.16 % (remote 0.00 %)\n"
				 "    jitter          2.00 ms (remote 1.50 ms)\n"
				 "    rtt             -\n"
				 "    mos             -\n"
				 "    rtcp reports    2\n";

static const char call13_text[] = "call 13\n"
				  "  kind              relay\n"
				  "  state             early\n"
				  "  route             2\n"
				  "  held              no\n"
				  "  recovered         no\n"
				  "  started           2025-11-28 03:00:20.000 UTC\n"
				  "  answered          -\n"
				  "  ended             -\n"
				  "  duration          0:00:00 (0.00 s)\n"
				  "  end reason        -\n"
				  "  quality (legs combined)\n"
				  "    quality         -\n"
				  "  leg 0\n"
				  "    call-id         c\"q\xc3\xa9\n"
				  "    local port      30006\n"
				  "    peer            -\n"
				  "    codec           -\n"
				  "    direction       -\n"
				  "    quality         -\n";

static const char rooms_text[] =
	"ROOM   CALL   LOCAL PEER                  PT  DIRECTION    PACKETS"
	"  LOSS%  JITTER      RTT   MOS CALL-ID\n"
	"1001   12     30004 203.0.113.8:6000      0   sendrecv        1500"
	"   0.20    3.10        -  4.30 room-call-12\n"
	"1001   14     30008 198.51.100.20:7078    8   sendrecv          10"
	"   0.00    0.00    12.00     - x@y\n"
	"1002   -      (no participants)\n";

/* Print with fn into a memory stream; returns its result, *text the output. */
static int
print_to(int (*fn)(FILE *, const struct jr_value *, char *, size_t), const char *json, char **text,
	 char *err)
{
	char e[JR_ERR_MAX];
	struct jr_doc *d;
	size_t len;
	FILE *f;
	int ret;

	d = jr_parse(json, strlen(json), e, sizeof(e));
	if (d == NULL)
		fail_msg("sample: %s", e);
	f = open_memstream(text, &len);
	assert_non_null(f);
	err[0] = '\0';
	ret = fn(f, jr_root(d), err, JR_ERR_MAX);
	fclose(f);
	jr_free(d);
	return ret;
}

static void
check_print(int (*fn)(FILE *, const struct jr_value *, char *, size_t), const char *json,
	    const char *want)
{
	char err[JR_ERR_MAX];
	char *text = NULL;

	assert_int_equal(print_to(fn, json, &text, err), 0);
	assert_string_equal(text, want);
	free(text);
}

static void
check_shape_error(int (*fn)(FILE *, const struct jr_value *, char *, size_t), const char *json,
		  const char *what)
{
	char err[JR_ERR_MAX];
	char *text = NULL;
	int ret;

	ret = print_to(fn, json, &text, err);
	if (ret != -EBADMSG || strstr(err, what) == NULL)
		fail_msg("'%s': got %d '%s', want '%s'", json, ret, err, what);
	free(text);
}

static void
calls_table(void **state)
{
	(void)state;
	check_print(ctl_print_calls, calls_doc, calls_text);
	check_print(ctl_print_calls, "{\"calls\":[]}", "no calls\n");
}

/* One element of calls_doc's array, as GET /api/calls/ID sends it. */
static char *
call_of(unsigned int i)
{
	struct jr_doc *d = jr_parse(calls_doc, strlen(calls_doc), NULL, 0);
	const struct jr_value *calls;
	const char *p, *start = NULL;
	unsigned int depth = 0, k = 0;
	bool in_str = false;
	char *out = NULL;

	/* find the i-th top-level object inside the array by scanning the text */
	assert_non_null(d);
	calls = jr_get(jr_root(d), "calls");
	assert_non_null(jr_at(calls, i));
	for (p = strchr(calls_doc, '[') + 1; *p != '\0'; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
			continue;
		}
		if (*p == '"')
			in_str = true;
		else if (*p == '{' || *p == '[') {
			if (depth++ == 0)
				start = p;
		} else if ((*p == '}' || *p == ']') && --depth == 0 && k++ == i) {
			out = strndup(start, (size_t)(p + 1 - start));
			break;
		}
	}
	jr_free(d);
	assert_non_null(out);
	return out;
}

static void
call_detail(void **state)
{
	char *c;

	(void)state;
	c = call_of(0);
	check_print(ctl_print_call, c, call7_text);
	free(c);
	c = call_of(2);
	check_print(ctl_print_call, c, call13_text);
	free(c);
	check_print(ctl_print_call, "{\"id\":3,\"legs\":[]}",
		    "call 3\n"
		    "  kind              -\n"
		    "  state             -\n"
		    "  route             -\n"
		    "  held              -\n"
		    "  recovered         -\n"
		    "  started           -\n"
		    "  answered          -\n"
		    "  ended             -\n"
		    "  duration          -\n"
		    "  end reason        -\n"
		    "  quality (legs combined)\n"
		    "    quality         -\n"
		    "  no legs\n");
}

static void
rooms_table(void **state)
{
	(void)state;
	check_print(ctl_print_rooms, rooms_doc, rooms_text);
	check_print(ctl_print_rooms, "{\"rooms\":[]}", "no rooms\n");
}

static void
terminal_controls_are_replaced(void **state)
{
	(void)state;
	check_print(ctl_print_rooms,
		    "{\"rooms\":[{\"id\":1,\"participants\":[{\"call\":2,"
		    "\"call_id\":\"a\\u001b[2Jb\\r\\n\",\"peer\":\"1.2.3.4\\u0007\","
		    "\"peer_port\":5}]}]}",
		    "ROOM   CALL   LOCAL PEER                  PT  DIRECTION    PACKETS  LOSS%  "
		    "JITTER      RTT   MOS CALL-ID\n"
		    "1      2      -     1.2.3.4?:5            -   -                  -      -  "
		    "     -        -     - a?[2Jb??\n");
}

static void
other_shapes_rejected(void **state)
{
	(void)state;
	check_shape_error(ctl_print_calls, "{\"calls\":{}}", "no \"calls\" array");
	check_shape_error(ctl_print_calls, "[]", "no \"calls\" array");
	check_shape_error(ctl_print_calls, "{\"calls\":[{\"id\":1},{\"kind\":\"relay\"}]}",
			  "calls[1] is not a call with an id");
	check_shape_error(ctl_print_calls, "{\"calls\":[{\"id\":\"1\"}]}",
			  "calls[0] is not a call");
	check_shape_error(ctl_print_calls, "{\"calls\":[3]}", "calls[0] is not a call");
	check_shape_error(ctl_print_call, "{\"calls\":[]}", "not a call with an id");
	check_shape_error(ctl_print_call, "null", "not a call with an id");
	check_shape_error(ctl_print_rooms, "{\"rooms\":null}", "no \"rooms\" array");
	check_shape_error(ctl_print_rooms, "{\"rooms\":[{\"participants\":[]}]}",
			  "rooms[0] is not a room with an id");
}

static const char metrics_text[] =
	"# HELP rtpgw_dataplane_up 1 when control is connected to the dataplane.\n"
	"# TYPE rtpgw_dataplane_up gauge\n"
	"rtpgw_dataplane_up 0\n"
	"# HELP rtpgw_calls Calls held by control, by kind and state.\n"
	"# TYPE rtpgw_calls gauge\n"
	"rtpgw_calls{kind=\"room\",state=\"active\"} 1\n"
	"# a comment\n"
	"\n"
	"# HELP rtpgw_calls_started_total Calls started.\n"
	"# TYPE rtpgw_calls_started_total counter\n"
	"rtpgw_calls_started_total 4\n"
	"rtpgw_call_mos{call=\"7\",leg=\"0\"} 4.390";

static void
metrics_filtered_by_prefix(void **state)
{
	size_t len, n;
	char *text;
	FILE *f;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	n = ctl_print_metrics(f, metrics_text, strlen(metrics_text), "rtpgw_calls");
	fclose(f);
	assert_int_equal(n, 6);
	assert_string_equal(text, "# HELP rtpgw_calls Calls held by control, by kind and state.\n"
				  "# TYPE rtpgw_calls gauge\n"
				  "rtpgw_calls{kind=\"room\",state=\"active\"} 1\n"
				  "# HELP rtpgw_calls_started_total Calls started.\n"
				  "# TYPE rtpgw_calls_started_total counter\n"
				  "rtpgw_calls_started_total 4\n");
	free(text);
	f = open_memstream(&text, &len);
	n = ctl_print_metrics(f, metrics_text, strlen(metrics_text), "rtpgw_call_mos");
	fclose(f);
	assert_int_equal(n, 1);
	assert_string_equal(text, "rtpgw_call_mos{call=\"7\",leg=\"0\"} 4.390\n");
	free(text);
	f = open_memstream(&text, &len);
	n = ctl_print_metrics(f, metrics_text, strlen(metrics_text), "nothing");
	fclose(f);
	assert_int_equal(n, 0);
	assert_string_equal(text, "");
	free(text);
	/* no prefix: every line, a final newline added */
	f = open_memstream(&text, &len);
	n = ctl_print_metrics(f, metrics_text, strlen(metrics_text), NULL);
	fclose(f);
	assert_int_equal(n, 12);
	assert_int_equal(len, strlen(metrics_text) + 1);
	assert_memory_equal(text, metrics_text, strlen(metrics_text));
	free(text);
}

/* A server thread answering each connection with the canned response for its path. */
struct route {
	const char *path;
	const char *resp;
};

struct srv {
	int lfd;
	char addr[32];
	pthread_t th;
	const struct route *routes;
	unsigned int conns; /* accepted */
	volatile bool stop;
};

static void *
srv_main(void *arg)
{
	struct srv *s = arg;

	while (!s->stop) {
		struct pollfd pfd = {.fd = s->lfd, .events = POLLIN};
		const struct route *r;
		char req[2048], junk[256];
		size_t len = 0;
		int fd;

		if (poll(&pfd, 1, 50) != 1)
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		s->conns++;
		while (len < sizeof(req) - 1) {
			ssize_t n = recv(fd, req + len, sizeof(req) - 1 - len, 0);

			if (n <= 0)
				break;
			len += (size_t)n;
			req[len] = '\0';
			if (strstr(req, "\r\n\r\n") != NULL)
				break;
		}
		req[len] = '\0';
		for (r = s->routes; r->path != NULL; r++) {
			size_t pl = strlen(r->path);

			if (strncmp(req, "GET ", 4) == 0 && strncmp(req + 4, r->path, pl) == 0 &&
			    req[4 + pl] == ' ')
				break;
		}
		if (r->path != NULL)
			(void)send(fd, r->resp, strlen(r->resp), MSG_NOSIGNAL);
		else {
			static const char nf[] =
				"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

			(void)send(fd, nf, sizeof(nf) - 1, MSG_NOSIGNAL);
		}
		/* like libre: keep the connection until the client closes it */
		pfd.fd = fd;
		while (poll(&pfd, 1, 5000) == 1 && recv(fd, junk, sizeof(junk), 0) > 0)
			;
		close(fd);
	}
	return NULL;
}

static char *
ok_json(const char *body)
{
	char *r;

	assert_true(asprintf(&r,
			     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			     "Content-Length: %zu\r\n\r\n%s",
			     strlen(body), body) > 0);
	return r;
}

struct fixture {
	struct srv srv;
	struct route routes[8];
	char *resp[8];
	struct ctl ctl;
};

static int
fixture_setup(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t sl = sizeof(a);
	struct fixture *fx = calloc(1, sizeof(*fx));
	char body[sizeof(calls_doc) + 2];

	assert_non_null(fx);
	snprintf(body, sizeof(body), "%s\n", calls_doc);
	fx->resp[0] = ok_json(body);
	fx->resp[1] = ok_json(rooms_doc);
	fx->resp[2] = ok_json("{\"calls\":[1,");
	fx->resp[3] = strdup("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
	fx->resp[4] = ok_json("{\"rooms\":{}}\n");
	assert_true(asprintf(&fx->resp[5],
			     "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
			     "Content-Length: %zu\r\n\r\n%s",
			     strlen(metrics_text), metrics_text) > 0);
	fx->resp[6] = call_of(0);
	{
		char *c = fx->resp[6];

		fx->resp[6] = ok_json(c);
		free(c);
	}
	fx->routes[0] = (struct route){"/api/calls", fx->resp[0]};
	fx->routes[1] = (struct route){"/api/rooms", fx->resp[1]};
	fx->routes[2] = (struct route){"/api/calls/66", fx->resp[2]};
	fx->routes[3] = (struct route){"/api/calls/500", fx->resp[3]};
	fx->routes[4] = (struct route){"/api/calls/44", fx->resp[4]};
	fx->routes[5] = (struct route){"/metrics", fx->resp[5]};
	fx->routes[6] = (struct route){"/api/calls/7", fx->resp[6]};
	fx->srv.routes = fx->routes;
	fx->srv.lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fx->srv.lfd >= 0);
	assert_int_equal(bind(fx->srv.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fx->srv.lfd, 8), 0);
	assert_int_equal(getsockname(fx->srv.lfd, (struct sockaddr *)&a, &sl), 0);
	snprintf(fx->srv.addr, sizeof(fx->srv.addr), "127.0.0.1:%u", ntohs(a.sin_port));
	assert_int_equal(pthread_create(&fx->srv.th, NULL, srv_main, &fx->srv), 0);
	fx->ctl.control = fx->srv.addr;
	fx->ctl.timeout_ms = 3000;
	json_init(&fx->ctl.js, stdout);
	*state = fx;
	return 0;
}

static int
fixture_teardown(void **state)
{
	struct fixture *fx = *state;
	unsigned int i;

	fx->srv.stop = true;
	pthread_join(fx->srv.th, NULL);
	close(fx->srv.lfd);
	for (i = 0; i < 8; i++)
		free(fx->resp[i]);
	free(fx);
	return 0;
}

/* Run a command with stdout captured into *out (malloc'd); returns its exit code. */
static int
run(struct fixture *fx, bool json, char **out, int argc, ...)
{
	char *argv[4] = {NULL};
	FILE *tmp = tmpfile();
	va_list ap;
	long len;
	int saved, ret, i;

	assert_non_null(tmp);
	va_start(ap, argc);
	for (i = 0; i < argc && i < 3; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	fx->ctl.json = json;
	fx->ctl.cmd = argv[0];
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	if (strcmp(argv[0], "calls") == 0)
		ret = ctl_control_calls(&fx->ctl, argc, argv);
	else if (strcmp(argv[0], "rooms") == 0)
		ret = ctl_control_rooms(&fx->ctl, argc, argv);
	else
		ret = ctl_control_metrics(&fx->ctl, argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	len = ftell(tmp);
	assert_true(len >= 0);
	*out = calloc(1, (size_t)len + 1);
	assert_non_null(*out);
	rewind(tmp);
	assert_int_equal(fread(*out, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return ret;
}

static void
commands_print_tables(void **state)
{
	struct fixture *fx = *state;
	char *out;

	assert_int_equal(run(fx, false, &out, 1, "calls"), CTL_EXIT_OK);
	assert_string_equal(out, calls_text);
	free(out);
	assert_int_equal(run(fx, false, &out, 2, "calls", "7"), CTL_EXIT_OK);
	assert_string_equal(out, call7_text);
	free(out);
	assert_int_equal(run(fx, false, &out, 1, "rooms"), CTL_EXIT_OK);
	assert_string_equal(out, rooms_text);
	free(out);
	assert_int_equal(run(fx, false, &out, 2, "metrics", "rtpgw_dataplane"), CTL_EXIT_OK);
	assert_string_equal(out, "# HELP rtpgw_dataplane_up 1 when control is connected to the "
				 "dataplane.\n"
				 "# TYPE rtpgw_dataplane_up gauge\n"
				 "rtpgw_dataplane_up 0\n");
	free(out);
	assert_int_equal(run(fx, false, &out, 1, "metrics"), CTL_EXIT_OK);
	assert_int_equal(strlen(out), strlen(metrics_text) + 1);
	free(out);
}

static void
json_prints_the_body_unchanged(void **state)
{
	struct fixture *fx = *state;
	char want[sizeof(calls_doc) + 1];
	char *out, *c;

	snprintf(want, sizeof(want), "%s\n", calls_doc);
	assert_int_equal(run(fx, true, &out, 1, "calls"), CTL_EXIT_OK);
	assert_string_equal(out, want); /* its own newline, not a second one */
	free(out);
	/* a body without a final newline gets one */
	assert_int_equal(run(fx, true, &out, 2, "calls", "7"), CTL_EXIT_OK);
	c = call_of(0);
	assert_int_equal(strlen(out), strlen(c) + 1);
	assert_memory_equal(out, c, strlen(c));
	assert_int_equal(out[strlen(c)], '\n');
	free(c);
	free(out);
	assert_int_equal(run(fx, true, &out, 1, "rooms"), CTL_EXIT_OK);
	snprintf(want, sizeof(want), "%s\n", rooms_doc);
	assert_string_equal(out, want);
	free(out);
}

static void
control_errors_exit_1(void **state)
{
	struct fixture *fx = *state;
	char *out;

	/* 404: no such call */
	assert_int_equal(run(fx, false, &out, 2, "calls", "9"), CTL_EXIT_API);
	assert_string_equal(out, "");
	free(out);
	/* 500 */
	assert_int_equal(run(fx, false, &out, 2, "calls", "500"), CTL_EXIT_API);
	free(out);
	/* bad JSON, in both modes */
	assert_int_equal(run(fx, false, &out, 2, "calls", "66"), CTL_EXIT_API);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(run(fx, true, &out, 2, "calls", "66"), CTL_EXIT_API);
	assert_string_equal(out, "");
	free(out);
	/* JSON of the wrong shape */
	assert_int_equal(run(fx, false, &out, 2, "calls", "44"), CTL_EXIT_API);
	free(out);
	/* nobody listening */
	fx->ctl.control = "127.0.0.1:1";
	assert_int_equal(run(fx, false, &out, 1, "rooms"), CTL_EXIT_API);
	free(out);
	fx->ctl.control = fx->srv.addr;
}

static void
usage_errors_exit_2_without_connecting(void **state)
{
	struct fixture *fx = *state;
	unsigned int conns = fx->srv.conns;
	char *out;

	assert_int_equal(run(fx, false, &out, 2, "calls", "0"), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, false, &out, 2, "calls", "4294967296"), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, false, &out, 2, "calls", "-1"), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, false, &out, 2, "calls", "7x"), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, false, &out, 3, "calls", "7", "8"), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, false, &out, 2, "rooms", "1"), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, false, &out, 3, "metrics", "a", "b"), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, false, &out, 2, "metrics", ""), CTL_EXIT_USAGE);
	free(out);
	assert_int_equal(run(fx, true, &out, 1, "metrics"), CTL_EXIT_USAGE);
	free(out);
	fx->ctl.control = "localhost:8080";
	assert_int_equal(run(fx, false, &out, 1, "calls"), CTL_EXIT_USAGE);
	free(out);
	fx->ctl.control = "127.0.0.1";
	assert_int_equal(run(fx, false, &out, 1, "rooms"), CTL_EXIT_USAGE);
	free(out);
	fx->ctl.control = fx->srv.addr;
	assert_int_equal(fx->srv.conns, conns);
}

#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fixture_setup, fixture_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(calls_table),
		cmocka_unit_test(call_detail),
		cmocka_unit_test(rooms_table),
		cmocka_unit_test(terminal_controls_are_replaced),
		cmocka_unit_test(other_shapes_rejected),
		cmocka_unit_test(metrics_filtered_by_prefix),
		FX_TEST(commands_print_tables),
		FX_TEST(json_prints_the_body_unchanged),
		FX_TEST(control_errors_exit_1),
		FX_TEST(usage_errors_exit_2_without_connecting),
	};

	return cmocka_run_group_tests_name("rtpgwctl_control", tests, NULL, NULL);
}
