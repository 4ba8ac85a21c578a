/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-ngload: ng protocol (rtpengine's control protocol) load generator
 * for scripts/bench ng.
 *
 * Client mode (the default) runs --calls calls, --concurrency at a time,
 * each what a SIP proxy's rtpengine module sends for one call: offer
 * (call-id, from-tag, SDP with PCMU/PCMA/telephone-event, replace origin
 * and session-connection, ICE remove, received-from), answer (to-tag, the
 * callee's SDP), delete; the next request of a call goes when the reply
 * to the previous came. A request without a reply in --timeout-ms is sent
 * again with the same cookie (as the modules do), up to --retries times.
 * Prints key=value lines: calls per second (completed offer/answer/delete
 * cycles), request latency percentiles, failures by kind.
 *
 * --serve mode is a null ng responder: it decodes each request with the
 * same strict bencode decoder as rtpgw-control (control/ng/bencode.c) and
 * replies "ok" (with the offered SDP back for offer and answer, "pong" to
 * ping), keeping no state, no cache, no dataplane: the reference
 * scripts/bench measures beside rtpgw-control, the generator's ceiling
 * plus the protocol's own cost.
 *
 * Plain libc, no libre: the protocol is one datagram each way on one
 * socket, so a poll loop over a nonblocking socket and a table of calls
 * in flight (the reply's cookie names its slot) is all it needs.
 * Every run is bounded by --duration-s; calls in flight then are counted
 * unfinished. cpu_s is the generator's own CPU time. Exit status 0 when
 * every call completed, 1 otherwise, 2 on bad options.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../control/ng/bencode.h"

#define CALLS_MAX 10000000u
#define CONC_MAX  4000u
#define DGRAM_MAX 65536
#define NODES_MAX 512

enum step { STEP_OFFER, STEP_ANSWER, STEP_DELETE };

struct slot {
	bool busy;
	uint8_t step;
	uint8_t tries;
	bool failed;	    /* a step failed: delete, then count the call failed */
	uint32_t call;	    /* call number */
	uint32_t seq;	    /* cookie sequence: a late reply to an old one is ignored */
	uint64_t t_sent_ns; /* first send of the current request */
	uint64_t t_last_ns; /* last (re)send */
};

static struct {
	struct sockaddr_in target;
	struct sockaddr_in local;
	char media_ip[INET_ADDRSTRLEN];
	uint32_t calls;
	uint32_t conc;
	uint32_t duration_s;
	uint32_t timeout_ms;
	uint32_t retries;
	bool serve;
	int fd;
} opt = {.calls = 10000, .conc = 50, .duration_s = 60, .timeout_ms = 1000, .retries = 3};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int
parse_addr(const char *s, struct sockaddr_in *sa)
{
	char ip[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	size_t len;
	long port;
	char *end;

	if (!colon || (len = (size_t)(colon - s)) == 0 || len >= sizeof(ip))
		return -1;
	memcpy(ip, s, len);
	ip[len] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, ip, &sa->sin_addr) == 1 ? 0 : -1;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(uint32_t *v, size_t n, double p)
{
	if (!n)
		return 0;
	return v[(size_t)((double)(n - 1) * p)] / 1000.0; /* us -> ms */
}

/* ---- null responder ---- */

static int
serve(void)
{
	static char in[DGRAM_MAX], out[DGRAM_MAX];
	struct benc_node nd[NODES_MAX];
	uint64_t t_end = now_ns() + (uint64_t)opt.duration_s * 1000000000ull;
	uint64_t served = 0, bad = 0;

	while (now_ns() < t_end) {
		struct pollfd pfd = {.fd = opt.fd, .events = POLLIN};
		unsigned int burst;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		for (burst = 0; burst < 256; burst++) {
			struct sockaddr_in from;
			socklen_t flen = sizeof(from);
			const struct benc_node *cmd, *sdp;
			ssize_t n = recvfrom(opt.fd, in, sizeof(in), 0, (struct sockaddr *)&from,
					     &flen);
			const char *sp;
			struct benc_buf b;
			size_t clen;

			if (n < 0)
				break;
			sp = memchr(in, ' ', (size_t)n);
			if (!sp) {
				bad++;
				continue;
			}
			clen = (size_t)(sp - in);
			memcpy(out, in, clen + 1);
			benc_buf_init(&b, out + clen + 1, sizeof(out) - clen - 1);
			benc_dict(&b);
			if (benc_decode(sp + 1, (size_t)n - clen - 1, nd, NODES_MAX) < 0 ||
			    nd[0].type != BENC_DICT || !(cmd = benc_dict_str(nd, 0, "command"))) {
				benc_kv_str(&b, "result", "error");
				benc_kv_str(&b, "error-reason", "bad request");
				bad++;
			} else if (benc_str_eq(cmd, "ping")) {
				benc_kv_str(&b, "result", "pong");
			} else {
				benc_kv_str(&b, "result", "ok");
				sdp = benc_dict_str(nd, 0, "sdp");
				if (sdp) {
					benc_str(&b, "sdp");
					benc_strn(&b, sdp->s, sdp->len);
				}
			}
			benc_end(&b);
			(void)sendto(opt.fd, out, clen + 1 + b.len, 0, (struct sockaddr *)&from,
				     flen);
			served++;
		}
	}
	printf("served=%llu\nbad=%llu\ncpu_s=%.3f\n", (unsigned long long)served,
	       (unsigned long long)bad, cpu_s());
	return 0;
}

/* ---- client ---- */

static struct slot *slots;
static uint32_t *lat_us[3]; /* per step */
static size_t n_lat[3];
static uint64_t st_ok, st_failed, st_retransmits, st_timeouts, st_load_limit, st_errors;
static uint64_t st_late;
static uint32_t next_call;
static uint32_t run_id;

static size_t
build(const struct slot *s, char *buf, size_t cap)
{
	struct benc_buf b;
	char id[48], ft[24], tt[24], sdp[512];
	int n;

	n = snprintf(buf, cap, "%x_%u_%u ", run_id, (unsigned int)(s - slots), s->seq);
	benc_buf_init(&b, buf + n, cap - (size_t)n);
	snprintf(id, sizeof(id), "ngload-%x-%u@%s", run_id, s->call, opt.media_ip);
	snprintf(ft, sizeof(ft), "f%u", s->call);
	snprintf(tt, sizeof(tt), "t%u", s->call);
	benc_dict(&b);
	benc_kv_str(&b, "call-id", id);
	switch (s->step) {
	case STEP_OFFER:
	case STEP_ANSWER: {
		bool offer = s->step == STEP_OFFER;
		/* distinct endpoint ports per call and side, even */
		unsigned int port = 10000 + ((s->call * 4u + (offer ? 0 : 2)) % 50000u);

		snprintf(sdp, sizeof(sdp),
			 "v=0\r\no=- %u 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
			 "m=audio %u RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
			 "a=ptime:20\r\na=sendrecv\r\n",
			 s->call, opt.media_ip, opt.media_ip, port);
		benc_kv_str(&b, "command", offer ? "offer" : "answer");
		benc_str(&b, "flags");
		benc_list(&b);
		benc_str(&b, "trust-address");
		benc_end(&b);
		benc_kv_str(&b, "from-tag", ft);
		benc_kv_str(&b, "ICE", "remove");
		benc_str(&b, "received-from");
		benc_list(&b);
		benc_str(&b, "IP4");
		benc_str(&b, opt.media_ip);
		benc_end(&b);
		benc_str(&b, "replace");
		benc_list(&b);
		benc_str(&b, "origin");
		benc_str(&b, "session-connection");
		benc_end(&b);
		benc_kv_str(&b, "sdp", sdp);
		if (!offer)
			benc_kv_str(&b, "to-tag", tt);
		benc_kv_str(&b, "transport-protocol", "RTP/AVP");
		break;
	}
	default:
		benc_kv_str(&b, "command", "delete");
		benc_kv_str(&b, "from-tag", ft);
		benc_kv_str(&b, "to-tag", tt);
		break;
	}
	benc_end(&b);
	return b.overflow ? 0 : (size_t)n + b.len;
}

static void
send_req(struct slot *s, uint64_t now)
{
	static char buf[2048];
	size_t n = build(s, buf, sizeof(buf));

	s->t_last_ns = now;
	if (n)
		(void)sendto(opt.fd, buf, n, 0, (struct sockaddr *)&opt.target, sizeof(opt.target));
}

static void
start_call(struct slot *s, uint64_t now)
{
	s->busy = true;
	s->step = STEP_OFFER;
	s->failed = false;
	s->tries = 0;
	s->call = next_call++;
	s->seq++;
	s->t_sent_ns = now;
	send_req(s, now);
}

/* The call's next step, or its end (and the slot's next call). */
static void
advance(struct slot *s, bool ok, uint64_t now)
{
	if (!ok)
		s->failed = true;
	if (s->step == STEP_DELETE || (s->step == STEP_OFFER && !ok)) {
		/* an offer that failed left nothing to delete */
		if (s->failed)
			st_failed++;
		else
			st_ok++;
		s->busy = false;
		if (next_call < opt.calls)
			start_call(s, now);
		return;
	}
	s->step = s->step == STEP_OFFER ? STEP_ANSWER : STEP_DELETE;
	s->tries = 0;
	s->seq++;
	s->t_sent_ns = now;
	send_req(s, now);
}

static void
on_reply(const char *buf, size_t n, uint64_t now)
{
	struct benc_node nd[64];
	const struct benc_node *res;
	unsigned int run, idx, seq;
	const char *sp = memchr(buf, ' ', n);
	struct slot *s;
	char ck[64];
	bool ok;

	if (!sp || (size_t)(sp - buf) >= sizeof(ck))
		return;
	memcpy(ck, buf, (size_t)(sp - buf));
	ck[sp - buf] = '\0';
	if (sscanf(ck, "%x_%u_%u", &run, &idx, &seq) != 3 || run != run_id || idx >= opt.conc)
		return;
	s = &slots[idx];
	if (!s->busy || s->seq != seq) {
		st_late++; /* the reply to a retransmission already answered */
		return;
	}
	res = NULL;
	if (benc_decode(sp + 1, n - (size_t)(sp - buf) - 1, nd, 64) > 0)
		res = benc_dict_str(nd, 0, "result");
	ok = res && benc_str_eq(res, "ok");
	if (res && benc_str_eq(res, "load limit"))
		st_load_limit++;
	else if (!ok)
		st_errors++;
	if (ok && n_lat[s->step] < (size_t)opt.calls)
		lat_us[s->step][n_lat[s->step]++] = (uint32_t)((now - s->t_sent_ns) / 1000);
	advance(s, ok, now);
}

static void
check_timeouts(uint64_t now)
{
	uint32_t i;

	for (i = 0; i < opt.conc; i++) {
		struct slot *s = &slots[i];

		if (!s->busy || now - s->t_last_ns < (uint64_t)opt.timeout_ms * 1000000ull)
			continue;
		if (s->tries < opt.retries) {
			s->tries++;
			st_retransmits++;
			send_req(s, now); /* same cookie */
		} else {
			st_timeouts++;
			advance(s, false, now);
		}
	}
}

static int
client(void)
{
	static char buf[DGRAM_MAX];
	uint64_t t0 = now_ns(), t_end = t0 + (uint64_t)opt.duration_s * 1000000000ull,
		 last_check = t0;
	uint64_t t_done, unfinished = 0;
	double el, c0 = cpu_s();
	uint32_t i;
	int k;

	slots = calloc(opt.conc, sizeof(*slots));
	for (k = 0; k < 3; k++)
		lat_us[k] = malloc(sizeof(uint32_t) * opt.calls);
	if (!slots || !lat_us[0] || !lat_us[1] || !lat_us[2])
		return 1;
	run_id = (uint32_t)(now_ns() & 0xfffffff) ^ (uint32_t)getpid();
	for (i = 0; i < opt.conc && next_call < opt.calls; i++)
		start_call(&slots[i], t0);
	for (;;) {
		struct pollfd pfd = {.fd = opt.fd, .events = POLLIN};
		uint64_t now = now_ns();
		bool busy = false;

		if (now >= t_end)
			break;
		for (i = 0; i < opt.conc && !busy; i++)
			busy = slots[i].busy;
		if (!busy)
			break;
		if (poll(&pfd, 1, 10) > 0) {
			unsigned int burst;

			for (burst = 0; burst < 1024; burst++) {
				ssize_t n = recv(opt.fd, buf, sizeof(buf), 0);

				if (n <= 0)
					break;
				on_reply(buf, (size_t)n, now_ns());
			}
		}
		now = now_ns();
		if (now - last_check >= 50000000ull) {
			check_timeouts(now);
			last_check = now;
		}
	}
	t_done = now_ns();
	for (i = 0; i < opt.conc; i++)
		unfinished += slots[i].busy;
	unfinished += opt.calls - next_call;
	el = (double)(t_done - t0) / 1e9;
	for (k = 0; k < 3; k++)
		qsort(lat_us[k], n_lat[k], sizeof(uint32_t), cmp_u32);
	printf("calls_ok=%llu\ncalls_failed=%llu\ncalls_unfinished=%llu\n",
	       (unsigned long long)st_ok, (unsigned long long)st_failed,
	       (unsigned long long)unfinished);
	printf("load_limit=%llu\nerror_replies=%llu\ntimeouts=%llu\nretransmits=%llu\nlate_replies="
	       "%llu\n",
	       (unsigned long long)st_load_limit, (unsigned long long)st_errors,
	       (unsigned long long)st_timeouts, (unsigned long long)st_retransmits,
	       (unsigned long long)st_late);
	printf("offer_p50_ms=%.3f\noffer_p99_ms=%.3f\n", pct_ms(lat_us[0], n_lat[0], 0.5),
	       pct_ms(lat_us[0], n_lat[0], 0.99));
	printf("answer_p50_ms=%.3f\nanswer_p99_ms=%.3f\n", pct_ms(lat_us[1], n_lat[1], 0.5),
	       pct_ms(lat_us[1], n_lat[1], 0.99));
	printf("delete_p50_ms=%.3f\ndelete_p99_ms=%.3f\n", pct_ms(lat_us[2], n_lat[2], 0.5),
	       pct_ms(lat_us[2], n_lat[2], 0.99));
	printf("elapsed_s=%.3f\ncpu_s=%.3f\n", el, cpu_s() - c0);
	printf("calls_per_s=%.0f\n", el > 0 ? (double)st_ok / el : 0.0);
	return st_ok == opt.calls ? 0 : 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: rtpgw-ngload --target IP:PORT [--local IP[:PORT]] [--media-ip IP]\n"
		"                    [--calls N] [--concurrency C] [--duration-s S]\n"
		"                    [--timeout-ms MS] [--retries R]\n"
		"       rtpgw-ngload --serve --local IP:PORT [--duration-s S]\n"
		"offer/answer/delete cycles against an ng server (rtpengine protocol), or a null\n"
		"ng responder (--serve). Defaults: 10000 calls, 50 in flight, 60 s, 1000 ms, 3.\n");
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"target", required_argument, NULL, 't'},
		{"local", required_argument, NULL, 'l'},
		{"media-ip", required_argument, NULL, 'm'},
		{"calls", required_argument, NULL, 'n'},
		{"concurrency", required_argument, NULL, 'c'},
		{"duration-s", required_argument, NULL, 'd'},
		{"timeout-ms", required_argument, NULL, 'T'},
		{"retries", required_argument, NULL, 'r'},
		{"serve", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool have_target = false, have_local = false;
	char tmp[64];
	int c, sz = 8 << 20;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		unsigned long v = 0;

		if (optarg && strchr("ncdTr", c)) {
			char *end;

			v = strtoul(optarg, &end, 10);
			if (*end || *optarg == '\0') {
				fprintf(stderr, "rtpgw-ngload: bad number %s\n", optarg);
				return 2;
			}
		}
		switch (c) {
		case 't':
			if (parse_addr(optarg, &opt.target) < 0)
				goto bad;
			have_target = true;
			break;
		case 'l':
			snprintf(tmp, sizeof(tmp), "%s%s", optarg, strchr(optarg, ':') ? "" : ":0");
			if (parse_addr(tmp, &opt.local) < 0)
				goto bad;
			have_local = true;
			break;
		case 'm':
			snprintf(opt.media_ip, sizeof(opt.media_ip), "%s", optarg);
			break;
		case 'n':
			if (v == 0 || v > CALLS_MAX)
				goto bad;
			opt.calls = (uint32_t)v;
			break;
		case 'c':
			if (v == 0 || v > CONC_MAX)
				goto bad;
			opt.conc = (uint32_t)v;
			break;
		case 'd':
			if (v == 0 || v > 86400)
				goto bad;
			opt.duration_s = (uint32_t)v;
			break;
		case 'T':
			if (v == 0 || v > 60000)
				goto bad;
			opt.timeout_ms = (uint32_t)v;
			break;
		case 'r':
			if (v > 100)
				goto bad;
			opt.retries = (uint32_t)v;
			break;
		case 's':
			opt.serve = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind < argc || (opt.serve ? !have_local : !have_target))
		goto bad;
	if (!opt.media_ip[0]) {
		struct sockaddr_in *src = have_local ? &opt.local : &opt.target;

		inet_ntop(AF_INET, &src->sin_addr, opt.media_ip, sizeof(opt.media_ip));
	}
	opt.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (opt.fd < 0) {
		perror("rtpgw-ngload: socket");
		return 1;
	}
	(void)setsockopt(opt.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	(void)setsockopt(opt.fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (have_local && bind(opt.fd, (struct sockaddr *)&opt.local, sizeof(opt.local)) < 0) {
		perror("rtpgw-ngload: bind");
		return 1;
	}
	return opt.serve ? serve() : client();
bad:
	usage(stderr);
	return 2;
}
