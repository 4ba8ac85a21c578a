/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-sipload: SIP call load generator for scripts/bench sip, on libre.
 *
 * UAC mode (the default) places --calls calls, --concurrency at a time,
 * each INVITE (with a PCMU/PCMA SDP offer) -> 200 -> ACK -> [--hold-ms]
 * -> BYE -> 200, and prints key=value lines: calls set up and torn down per
 * second, setup (INVITE -> 200) and teardown (BYE -> 200) latency.
 *
 * --serve mode is a null UAS: 200 with a copy of the offer to every INVITE,
 * 200 to BYE and OPTIONS, nothing else (no SDP parsing, no state, no 2xx
 * retransmission). It is the reference that scripts/bench measures beside
 * rtpgw-control: the generator's own ceiling plus libre's SIP cost.
 *
 * Why requests built here and sent with sip_send, not sipsess nor libre's
 * client transactions: sipsess sends the BYE from its destructor and
 * swallows the response, so teardown could not be timed nor its failures
 * counted, and its session timer and offer/answer machinery would be billed
 * to the server; libre's client transactions linger after completion (see
 * start_call) in a timer list whose insertion walks it, which capped the
 * generator far below the servers it measures. So this file runs the
 * little of RFC 3261 a UAC needs when it talks straight to one server: the
 * INVITE and BYE client transactions over UDP (17.1.1, 17.1.2: timers A/B
 * and E/F, the ACK to a non-2xx final response), the dialog from the 2xx
 * (12.1.2), the ACK to the 2xx (13.2.2.4) and the BYE within the dialog
 * (15.1.1). libre parses, sends and receives. No DNS, no Record-Route, no
 * authentication: requests go to --target.
 *
 * Every run is bounded: --duration-s stops it even if the server stops
 * answering; calls still in flight are counted as unfinished. cpu_s is the
 * generator's own CPU time (user + system): compared with elapsed_s it
 * says whether the generator, not the server, was the limit. Exit status
 * 0 when every call completed, 1 when some did not (or in --serve mode a
 * listener could not be set up), 2 on bad options.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <re.h>

#define SIPLOAD_NAME "rtpgw-sipload"
#define CALLS_MAX 10000000u
#define CONC_MAX 100000u
#define USER_MAX 64
#define SCODE_MAX 700
#define SIP_T1 500u  /* RFC 3261 17.1.1.1 */
#define SIP_T2 4000u

enum call_state {
	CALL_INVITING,
	CALL_HOLDING,
	CALL_BYEING,
};

struct opts {
	struct sa target;
	struct sa local;
	enum sip_transp tp;
	char user[USER_MAX]; /* fixed user, when rooms == 0 */
	uint32_t rooms;	     /* "rooms:R": users 1..R, round robin */
	uint32_t calls;
	uint32_t concurrency;
	uint32_t hold_ms;
	uint32_t rate;
	uint32_t duration_s;
	uint16_t media_lo, media_hi;
	bool serve;
	bool verbose;
};

struct load;

struct call {
	struct le he; /* load->calls, by Call-ID: the responses */
	struct load *ld;
	struct tmr tmr; /* retransmission and timeout, or --hold-ms */
	enum call_state state;
	char callid[24];
	char ruri[96];
	uint64_t branch;     /* the INVITE's */
	uint32_t cseq;	     /* the INVITE's; the BYE's is the next */
	struct mbuf *invite; /* built once, sent again as is */
	struct mbuf *ack;    /* to the 2xx; built from it like the BYE */
	struct mbuf *bye;
	struct mbuf *rt; /* what rt_timer sends again */
	bool rt_invite;
	uint32_t rt_interval_ms, rt_elapsed_ms;
	uint64_t t_invite, t_bye; /* us */
};

struct load {
	const struct opts *o;
	struct sip *sip;
	struct sip_lsnr *lsnr;
	struct hash *calls;
	struct sa laddr; /* our SIP address, for Contact */
	struct tmr stop_tmr;
	struct tmr rate_tmr;
	bool done;
	uint64_t t0, t_end; /* us */
	uint32_t started, inflight, ok;
	uint32_t fail_invite[SCODE_MAX], fail_bye[SCODE_MAX];
	uint32_t fail_timeout, fail_error, fail_bye_timeout, fail_bye_error;
	uint32_t provisional, retrans_2xx, send_errors;
	uint32_t *setup_us, *teardown_us;
	uint32_t n_setup, n_teardown;
};

/* --serve statistics */
struct serve {
	struct sip *sip;
	struct sip_lsnr *lsnr;
	struct tmr stop_tmr;
	enum sip_transp tp;
	uint64_t invite, ack, bye, other;
};

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void
signal_handler(int sig)
{
	(void)sig;
	re_cancel();
}

/* ------------------------------------------------------------------------
 * UAC
 */

static void pump(struct load *ld);

static void
call_destructor(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->tmr);
	hash_unlink(&c->he);
	mem_deref(c->invite);
	mem_deref(c->ack);
	mem_deref(c->bye);
}

/* The call is over, whatever its outcome: make room for the next one. */
static void
call_end(struct call *c)
{
	struct load *ld = c->ld;

	ld->inflight--;
	mem_deref(c);
	if (!ld->done)
		pump(ld);
}

static void
count_failure(uint32_t *by_code, uint32_t *timeout, uint32_t *error, int err,
	      const struct sip_msg *msg)
{
	if (msg && msg->scode < SCODE_MAX)
		by_code[msg->scode]++;
	else if (err == ETIMEDOUT)
		(*timeout)++;
	else
		(*error)++;
}

static int
send_mb(struct call *c, struct mbuf *mb)
{
	struct load *ld = c->ld;
	int err;

	mb->pos = 0;
	err = sip_send(ld->sip, NULL, ld->o->tp, &ld->o->target, mb);
	if (err)
		ld->send_errors++;
	return err;
}

static void rt_timer(void *arg);

/*
 * Start a client transaction's timers for the request in c->rt (RFC 3261
 * 17.1.1.2 timers A and B for INVITE, 17.1.2.2 timers E and F otherwise):
 * over UDP the request is sent again after T1, doubling (non-INVITE: up to
 * T2); after 64*T1 without a response the transaction times out. Over TCP
 * only the timeout runs.
 */
static void
rt_start(struct call *c, struct mbuf *mb, bool invite)
{
	c->rt = mb;
	c->rt_invite = invite;
	c->rt_elapsed_ms = 0;
	c->rt_interval_ms = c->ld->o->tp == SIP_TRANSP_UDP ? SIP_T1 : 64 * SIP_T1;
	tmr_start(&c->tmr, c->rt_interval_ms, rt_timer, c);
}

static void invite_final(struct call *c, int err, const struct sip_msg *msg);
static void bye_final(struct call *c, int err, const struct sip_msg *msg);

static void
rt_timer(void *arg)
{
	struct call *c = arg;
	uint32_t next;

	c->rt_elapsed_ms += c->rt_interval_ms;
	if (c->rt_elapsed_ms >= 64 * SIP_T1) {
		if (c->state == CALL_INVITING)
			invite_final(c, ETIMEDOUT, NULL);
		else
			bye_final(c, ETIMEDOUT, NULL);
		return;
	}
	(void)send_mb(c, c->rt);
	next = 2 * c->rt_interval_ms;
	if (!c->rt_invite && next > SIP_T2)
		next = SIP_T2;
	c->rt_interval_ms = MIN(next, 64 * SIP_T1 - c->rt_elapsed_ms);
	tmr_start(&c->tmr, c->rt_interval_ms, rt_timer, c);
}

/* The final response to our BYE (or none by timer F). */
static void
bye_final(struct call *c, int err, const struct sip_msg *msg)
{
	struct load *ld = c->ld;

	if (!err && msg->scode < 300) {
		ld->teardown_us[ld->n_teardown++] = (uint32_t)(now_us() - c->t_bye);
		ld->ok++;
	} else {
		count_failure(ld->fail_bye, &ld->fail_bye_timeout, &ld->fail_bye_error, err, msg);
	}
	call_end(c);
}

/* RFC 3261 15.1.1: BYE within the dialog, the next CSeq (see bye_build). */
static void
send_bye(struct call *c)
{
	struct load *ld = c->ld;

	c->state = CALL_BYEING;
	c->t_bye = now_us();
	if (send_mb(c, c->bye)) {
		ld->fail_bye_error++;
		call_end(c);
		return;
	}
	rt_start(c, c->bye, false);
}

static void
hold_expired(void *arg)
{
	send_bye(arg);
}

/*
 * The ACK to the 2xx (RFC 3261 13.2.2.4: a transaction of its own, the
 * INVITE's CSeq number, to the remote target, sent again for every
 * retransmission of the 2xx) and the BYE for the dialog the 2xx created
 * (12.1.2: the remote tag from its To, the target from its Contact; 12.2.1.1
 * the request within it). Record-Route is not followed: requests go to
 * --target.
 */
static int
dialog_build(struct call *c, const struct sip_msg *msg)
{
	struct load *ld = c->ld;
	const char *tpn = sip_transp_name(ld->o->tp);
	const struct sip_hdr *contact;
	struct sip_addr addr;
	int err;

	contact = sip_msg_hdr(msg, SIP_HDR_CONTACT);
	if (!contact || sip_addr_decode(&addr, &contact->val))
		return EBADMSG;
	c->ack = mbuf_alloc(400);
	c->bye = mbuf_alloc(400);
	if (!c->ack || !c->bye)
		return ENOMEM;
	err = mbuf_printf(c->ack,
			  "ACK %r SIP/2.0\r\n"
			  "Via: SIP/2.0/%s %J;branch=z9hG4bK%016llx;rport\r\n"
			  "Max-Forwards: 70\r\n"
			  "To: %r\r\n"
			  "From: %r\r\n"
			  "Call-ID: %s\r\n"
			  "CSeq: %u ACK\r\n"
			  "Content-Length: 0\r\n"
			  "\r\n",
			  &addr.auri, tpn, &ld->laddr, rand_u64(), &msg->to.val, &msg->from.val,
			  c->callid, c->cseq);
	err |= mbuf_printf(c->bye,
			   "BYE %r SIP/2.0\r\n"
			   "Via: SIP/2.0/%s %J;branch=z9hG4bK%016llx;rport\r\n"
			   "Max-Forwards: 70\r\n"
			   "To: %r\r\n"
			   "From: %r\r\n"
			   "Call-ID: %s\r\n"
			   "CSeq: %u BYE\r\n"
			   "User-Agent: " SIPLOAD_NAME "\r\n"
			   "Content-Length: 0\r\n"
			   "\r\n",
			   &addr.auri, tpn, &ld->laddr, rand_u64(), &msg->to.val, &msg->from.val,
			   c->callid, c->cseq + 1);
	return err;
}

/*
 * RFC 3261 17.1.1.3: the ACK to a non-2xx final response belongs to the
 * INVITE transaction: the INVITE's Request-URI, Via (branch) and From, the
 * response's To, CSeq method ACK.
 */
static void
ack_failure(struct call *c, const struct sip_msg *msg)
{
	struct load *ld = c->ld;
	struct mbuf *mb = mbuf_alloc(400);

	if (!mb)
		return;
	if (!mbuf_printf(mb,
			 "ACK %s SIP/2.0\r\n"
			 "Via: SIP/2.0/%s %J;branch=z9hG4bK%016llx;rport\r\n"
			 "Max-Forwards: 70\r\n"
			 "To: %r\r\n"
			 "From: %r\r\n"
			 "Call-ID: %s\r\n"
			 "CSeq: %u ACK\r\n"
			 "Content-Length: 0\r\n"
			 "\r\n",
			 c->ruri, sip_transp_name(ld->o->tp), &ld->laddr, c->branch, &msg->to.val,
			 &msg->from.val, c->callid, c->cseq))
		(void)send_mb(c, mb);
	mem_deref(mb);
}

/* The INVITE transaction ended: a final response, or none (timer B). */
static void
invite_final(struct call *c, int err, const struct sip_msg *msg)
{
	struct load *ld = c->ld;

	tmr_cancel(&c->tmr);
	if (err || msg->scode >= 300) {
		if (!err)
			ack_failure(c, msg);
		count_failure(ld->fail_invite, &ld->fail_timeout, &ld->fail_error, err, msg);
		call_end(c);
		return;
	}
	ld->setup_us[ld->n_setup++] = (uint32_t)(now_us() - c->t_invite);
	if (dialog_build(c, msg)) {
		ld->fail_error++;
		call_end(c);
		return;
	}
	(void)send_mb(c, c->ack);
	if (ld->o->hold_ms) {
		c->state = CALL_HOLDING;
		tmr_start(&c->tmr, ld->o->hold_ms, hold_expired, c);
	} else {
		send_bye(c);
	}
}

static bool
callid_cmp(struct le *le, void *arg)
{
	const struct call *c = le->data;

	return !pl_strcmp(arg, c->callid);
}

/*
 * Every response comes here: the requests are sent statelessly (see
 * start_call), and matched by Call-ID and CSeq: one request per call is
 * outstanding at a time (RFC 3261 17.1.3 matches by branch; with one
 * transaction per Call-ID at a time this is the same). A 2xx to the INVITE
 * that comes again after the call moved on is ACKed again (13.2.2.4).
 */
static bool
resp_handler(const struct sip_msg *msg, void *arg)
{
	struct load *ld = arg;
	struct call *c;

	if (ld->done)
		return true;
	c = list_ledata(hash_lookup(ld->calls, hash_joaat_pl(&msg->callid), callid_cmp,
				    (void *)&msg->callid));
	if (!c)
		return true;
	if (!pl_strcmp(&msg->cseq.met, "INVITE") && msg->cseq.num == c->cseq) {
		if (c->state != CALL_INVITING) {
			if (msg->scode >= 200 && msg->scode < 300) {
				ld->retrans_2xx++;
				(void)send_mb(c, c->ack);
			}
		} else if (msg->scode < 200) {
			/* 17.1.1.2 Proceeding: no more retransmissions; the
			 * call waits for its final response (or --duration-s) */
			ld->provisional++;
			tmr_cancel(&c->tmr);
		} else {
			invite_final(c, 0, msg);
		}
	} else if (!pl_strcmp(&msg->cseq.met, "BYE") && msg->cseq.num == c->cseq + 1 &&
		   c->state == CALL_BYEING && msg->scode >= 200) {
		bye_final(c, 0, msg);
	}
	return true;
}

/*
 * One call: its INVITE is built here once (a retransmission is the same
 * request, RFC 3261 17.1.1.2) and sent statelessly. libre's client
 * transactions are not used: a completed one lingers in libre's timer list
 * (INVITE with a non-2xx final response 32 s, timer D; non-INVITE 5 s,
 * timer K), whose insertion walks the list, and at a few thousand calls/s
 * that walk made the generator its own bottleneck.
 */
static int
start_call(struct load *ld)
{
	const struct opts *o = ld->o;
	uint32_t i = ld->started;
	uint32_t n_ports = (uint32_t)(o->media_hi - o->media_lo) / 2 + 1;
	uint16_t port = (uint16_t)(o->media_lo + 2 * (i % n_ports));
	const char *tpp = o->tp == SIP_TRANSP_TCP ? ";transport=tcp" : "";
	const char *ipv = sa_af(&ld->laddr) == AF_INET6 ? "IP6" : "IP4";
	char user[USER_MAX];
	struct call *c;
	char sdp[512];
	int err, n;

	if (o->rooms)
		snprintf(user, sizeof(user), "%u", 1 + i % o->rooms);
	else
		snprintf(user, sizeof(user), "%s", o->user);
	/* RFC 4566 offer: one audio stream, PCMU and PCMA (RFC 3551) */
	n = re_snprintf(sdp, sizeof(sdp),
			"v=0\r\n"
			"o=sipload %u 1 IN %s %j\r\n"
			"s=-\r\n"
			"c=IN %s %j\r\n"
			"t=0 0\r\n"
			"m=audio %u RTP/AVP 0 8\r\n"
			"a=rtpmap:0 PCMU/8000\r\n"
			"a=rtpmap:8 PCMA/8000\r\n"
			"a=ptime:20\r\n"
			"a=sendrecv\r\n",
			i, ipv, &ld->laddr, ipv, &ld->laddr, port);
	if (n < 0)
		return ENOMEM;

	c = mem_zalloc(sizeof(*c), call_destructor);
	if (!c)
		return ENOMEM;
	c->ld = ld;
	tmr_init(&c->tmr);
	c->branch = rand_u64();
	c->cseq = 1 + rand_u16(); /* 8.1.1.5: any value below 2**31 */
	if (re_snprintf(c->ruri, sizeof(c->ruri), "sip:%s@%J%s", user, &o->target, tpp) < 0 ||
	    re_snprintf(c->callid, sizeof(c->callid), "%016llx", rand_u64()) < 0) {
		mem_deref(c);
		return ENOMEM;
	}
	c->invite = mbuf_alloc(1024);
	if (!c->invite) {
		mem_deref(c);
		return ENOMEM;
	}
	/* 8.1.1: To without a tag, From with ours, Contact for the dialog */
	err = mbuf_printf(c->invite,
			  "INVITE %s SIP/2.0\r\n"
			  "Via: SIP/2.0/%s %J;branch=z9hG4bK%016llx;rport\r\n"
			  "Max-Forwards: 70\r\n"
			  "To: <%s>\r\n"
			  "From: <sip:sipload@%j>;tag=%016llx\r\n"
			  "Call-ID: %s\r\n"
			  "CSeq: %u INVITE\r\n"
			  "Contact: <sip:sipload@%J%s>\r\n"
			  "Allow: INVITE, ACK, BYE\r\n"
			  "User-Agent: " SIPLOAD_NAME "\r\n"
			  "Content-Type: application/sdp\r\n"
			  "Content-Length: %d\r\n"
			  "\r\n"
			  "%s",
			  c->ruri, sip_transp_name(o->tp), &ld->laddr, c->branch, c->ruri,
			  &ld->laddr, rand_u64(), c->callid, c->cseq, &ld->laddr, tpp, n, sdp);
	if (err) {
		mem_deref(c);
		return err;
	}
	hash_append(ld->calls, hash_joaat_str(c->callid), &c->he, c);
	c->state = CALL_INVITING;
	ld->started++;
	ld->inflight++;
	c->t_invite = now_us();
	if (send_mb(c, c->invite)) {
		ld->fail_error++;
		ld->inflight--;
		mem_deref(c);
		return 0;
	}
	rt_start(c, c->invite, true);
	return 0;
}

static void
rate_expired(void *arg)
{
	pump(arg);
}

/* Start calls while below --concurrency, --calls and the --rate cap. */
static void
pump(struct load *ld)
{
	const struct opts *o = ld->o;

	while (!ld->done && ld->inflight < o->concurrency && ld->started < o->calls) {
		if (o->rate) {
			uint64_t el = now_us() - ld->t0;
			uint64_t allowed = el * o->rate / 1000000u + 1;

			if (ld->started >= allowed) {
				uint64_t due = (uint64_t)ld->started * 1000000u / o->rate;
				uint64_t ms = due > el ? (due - el + 999) / 1000 : 1;

				if (!tmr_isrunning(&ld->rate_tmr))
					tmr_start(&ld->rate_tmr, ms ? ms : 1, rate_expired, ld);
				return;
			}
		}
		if (start_call(ld)) {
			ld->fail_error++;
			ld->started++;
		}
	}
	if (ld->started >= o->calls && ld->inflight == 0 && !ld->done) {
		ld->done = true;
		ld->t_end = now_us();
		re_cancel();
	}
}

static void
stop_expired(void *arg)
{
	struct load *ld = arg;

	fprintf(stderr, SIPLOAD_NAME ": --duration-s reached with %u calls in flight\n",
		ld->inflight);
	ld->done = true;
	ld->t_end = now_us();
	re_cancel();
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted samples, in ms. */
static double
pct_ms(const uint32_t *v, uint32_t n, unsigned int pct)
{
	uint64_t rank;

	if (n == 0)
		return 0;
	rank = ((uint64_t)n * pct + 99) / 100;
	if (rank == 0)
		rank = 1;
	return v[rank - 1] / 1000.0;
}

static void
print_codes(const char *prefix, const uint32_t *by_code)
{
	unsigned int i;

	for (i = 0; i < SCODE_MAX; i++)
		if (by_code[i])
			printf("%s%u=%u\n", prefix, i, by_code[i]);
}

static void
report(struct load *ld)
{
	const struct opts *o = ld->o;
	uint64_t end = ld->t_end ? ld->t_end : now_us(); /* from the first INVITE */
	double el = (end - ld->t0) / 1e6;
	uint32_t i, failed = 0;
	struct rusage ru;

	for (i = 0; i < SCODE_MAX; i++)
		failed += ld->fail_invite[i] + ld->fail_bye[i];
	failed += ld->fail_timeout + ld->fail_error + ld->fail_bye_timeout + ld->fail_bye_error;
	qsort(ld->setup_us, ld->n_setup, sizeof(uint32_t), u32_cmp);
	qsort(ld->teardown_us, ld->n_teardown, sizeof(uint32_t), u32_cmp);

	(void)re_printf("transport=%s target=%J concurrency=%u hold_ms=%u rate=%u\n",
			sip_transp_name(o->tp), &o->target, o->concurrency, o->hold_ms, o->rate);
	fflush(stdout);
	printf("calls_requested=%u\ncalls_started=%u\ncalls_ok=%u\ncalls_failed=%u\n", o->calls,
	       ld->started, ld->ok, failed);
	print_codes("calls_failed_invite_", ld->fail_invite);
	print_codes("calls_failed_bye_", ld->fail_bye);
	if (ld->fail_timeout)
		printf("calls_failed_invite_timeout=%u\n", ld->fail_timeout);
	if (ld->fail_error)
		printf("calls_failed_invite_error=%u\n", ld->fail_error);
	if (ld->fail_bye_timeout)
		printf("calls_failed_bye_timeout=%u\n", ld->fail_bye_timeout);
	if (ld->fail_bye_error)
		printf("calls_failed_bye_error=%u\n", ld->fail_bye_error);
	printf("calls_unfinished=%u\n", ld->inflight);
	printf("provisional_1xx=%u\nretransmitted_2xx=%u\nsend_errors=%u\n", ld->provisional,
	       ld->retrans_2xx, ld->send_errors);
	printf("setup_p50_ms=%.3f\nsetup_p99_ms=%.3f\n", pct_ms(ld->setup_us, ld->n_setup, 50),
	       pct_ms(ld->setup_us, ld->n_setup, 99));
	printf("teardown_p50_ms=%.3f\nteardown_p99_ms=%.3f\n",
	       pct_ms(ld->teardown_us, ld->n_teardown, 50),
	       pct_ms(ld->teardown_us, ld->n_teardown, 99));
	printf("elapsed_s=%.3f\n", el);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("cpu_s=%.3f\n", ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
					       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	printf("calls_per_s=%.0f\n", el > 0 ? ld->ok / el : 0.0);
}

static int
run_uac(const struct opts *o)
{
	struct load *ld;
	int err, status = 1;

	ld = calloc(1, sizeof(*ld));
	if (!ld)
		return 1;
	ld->o = o;
	ld->setup_us = calloc(o->calls, sizeof(uint32_t));
	ld->teardown_us = calloc(o->calls, sizeof(uint32_t));
	tmr_init(&ld->stop_tmr);
	tmr_init(&ld->rate_tmr);
	if (!ld->setup_us || !ld->teardown_us) {
		fprintf(stderr, SIPLOAD_NAME ": out of memory\n");
		goto out;
	}
	err = hash_alloc(&ld->calls, 4096);
	if (!err)
		err = sip_alloc(&ld->sip, NULL, 16, 16, 16, SIPLOAD_NAME, NULL, NULL);
	if (!err)
		err = sip_transp_add(ld->sip, o->tp, &o->local);
	if (!err)
		err = sip_transp_laddr(ld->sip, &ld->laddr, o->tp, &o->target);
	if (!err)
		err = sip_listen(&ld->lsnr, ld->sip, false, resp_handler, ld);
	if (err) {
		re_fprintf(stderr, SIPLOAD_NAME ": SIP %s on %J: %s\n", sip_transp_name(o->tp),
			   &o->local, strerror(err));
		goto out;
	}
	if (o->verbose)
		re_fprintf(stderr, SIPLOAD_NAME ": %s from %J to %J, %u calls, %u at a time\n",
			   sip_transp_name(o->tp), &ld->laddr, &o->target, o->calls,
			   o->concurrency);
	tmr_start(&ld->stop_tmr, (uint64_t)o->duration_s * 1000, stop_expired, ld);
	ld->t0 = now_us();
	pump(ld);
	if (!ld->done)
		(void)re_main(signal_handler);
	ld->done = true;
	report(ld);
	status = ld->ok == o->calls ? 0 : 1;
out:
	tmr_cancel(&ld->stop_tmr);
	tmr_cancel(&ld->rate_tmr);
	if (ld->sip)
		sip_close(ld->sip, true);
	if (ld->calls)
		hash_flush(ld->calls); /* derefs the calls left in flight */
	mem_deref(ld->calls);
	mem_deref(ld->lsnr);
	mem_deref(ld->sip);
	free(ld->setup_us);
	free(ld->teardown_us);
	free(ld);
	return status;
}

/* ------------------------------------------------------------------------
 * --serve: the null UAS
 */

static bool
serve_req(const struct sip_msg *msg, void *arg)
{
	struct serve *sv = arg;
	const char *tpp = sv->tp == SIP_TRANSP_TCP ? ";transport=tcp" : "";

	if (!pl_strcmp(&msg->met, "INVITE")) {
		size_t len = mbuf_get_left(msg->mb);

		sv->invite++;
		/* RFC 3261 12.1.1: a Contact in the 2xx that creates the dialog */
		(void)sip_replyf(sv->sip, msg, 200, "OK",
				 "Contact: <sip:%r@%J%s>\r\n"
				 "Content-Type: application/sdp\r\n"
				 "Content-Length: %zu\r\n"
				 "\r\n"
				 "%b",
				 &msg->uri.user, &msg->dst, tpp, len, mbuf_buf(msg->mb), len);
	} else if (!pl_strcmp(&msg->met, "ACK")) {
		sv->ack++; /* RFC 3261 17.2.1: no response to an ACK */
	} else if (!pl_strcmp(&msg->met, "BYE") || !pl_strcmp(&msg->met, "OPTIONS")) {
		if (!pl_strcmp(&msg->met, "BYE"))
			sv->bye++;
		else
			sv->other++;
		(void)sip_reply(sv->sip, msg, 200, "OK");
	} else {
		sv->other++;
		(void)sip_replyf(sv->sip, msg, 405, "Method Not Allowed",
				 "Allow: INVITE, ACK, BYE, OPTIONS\r\n"
				 "Content-Length: 0\r\n"
				 "\r\n");
	}
	return true;
}

static void
serve_stop(void *arg)
{
	(void)arg;
	re_cancel();
}

static int
run_serve(const struct opts *o)
{
	struct serve sv;
	int err;

	memset(&sv, 0, sizeof(sv));
	sv.tp = o->tp;
	tmr_init(&sv.stop_tmr);
	err = sip_alloc(&sv.sip, NULL, 16, 4096, 16, SIPLOAD_NAME, NULL, NULL);
	if (!err)
		err = sip_transp_add(sv.sip, o->tp, &o->local);
	if (!err)
		err = sip_listen(&sv.lsnr, sv.sip, true, serve_req, &sv);
	if (err) {
		re_fprintf(stderr, SIPLOAD_NAME ": SIP %s on %J: %s\n", sip_transp_name(o->tp),
			   &o->local, strerror(err));
		goto out;
	}
	re_fprintf(stderr, SIPLOAD_NAME ": serving SIP %s on %J for at most %u s\n",
		   sip_transp_name(o->tp), &o->local, o->duration_s);
	tmr_start(&sv.stop_tmr, (uint64_t)o->duration_s * 1000, serve_stop, &sv);
	(void)re_main(signal_handler);
	printf("served_invite=%" PRIu64 "\nserved_ack=%" PRIu64 "\nserved_bye=%" PRIu64
	       "\nserved_other=%" PRIu64 "\n",
	       sv.invite, sv.ack, sv.bye, sv.other);
out:
	tmr_cancel(&sv.stop_tmr);
	mem_deref(sv.lsnr);
	if (sv.sip)
		sip_close(sv.sip, true);
	mem_deref(sv.sip);
	return err ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Options
 */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " SIPLOAD_NAME " --target IP:PORT [options]   (UAC: place calls)\n"
		"       " SIPLOAD_NAME " --serve --local IP:PORT [options]   (null UAS)\n"
		"  --target IP:PORT     the SIP server (numeric address, no DNS)\n"
		"  --local IP[:PORT]    bind address (default 127.0.0.1, any port;\n"
		"                       --serve needs the port, default 5060)\n"
		"  --uri-user U         Request-URI user: rooms:R spreads the calls over\n"
		"                       users 1..R round robin, anything else is fixed\n"
		"                       (default rooms:10)\n"
		"  --calls N            calls in total (default 1000)\n"
		"  --concurrency C      calls in flight at most (default 10)\n"
		"  --hold-ms H          from the 200/ACK to the BYE (default 0)\n"
		"  --rate R             new calls per second at most (default: no cap)\n"
		"  --duration-s S       hard stop, in flight calls count as unfinished;\n"
		"                       --serve: serve this long (default 60)\n"
		"  --media-ports LO-HI  the offers' RTP ports, one per call, even\n"
		"                       (default 20000-59998; must cover C calls)\n"
		"  --transport udp|tcp  (default udp)\n"
		"  --serve              be the null UAS: 200 to INVITE with the offer\n"
		"                       copied, 200 to BYE, nothing else\n"
		"  -v, --verbose        say what is done on stderr\n"
		"Output (UAC): key=value lines, the last one calls_per_s=N.\n"
		"Exit: 0 every call completed, 1 not all did, 2 bad options.\n");
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

static int
parse_addr(const char *s, struct sa *sa, bool need_port)
{
	if (!sa_decode(sa, s, strlen(s)))
		return 0;
	if (need_port)
		return -1;
	return sa_set_str(sa, s, 0) ? -1 : 0;
}

static int
bad(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, SIPLOAD_NAME ": %s '%s': %s\n(try " SIPLOAD_NAME " --help)\n", opt, val,
		want);
	return -1;
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{"target", required_argument, NULL, 't'},
		{"local", required_argument, NULL, 'l'},
		{"uri-user", required_argument, NULL, 'u'},
		{"calls", required_argument, NULL, 'n'},
		{"concurrency", required_argument, NULL, 'c'},
		{"hold-ms", required_argument, NULL, 'H'},
		{"rate", required_argument, NULL, 'r'},
		{"duration-s", required_argument, NULL, 'd'},
		{"media-ports", required_argument, NULL, 'm'},
		{"transport", required_argument, NULL, 'T'},
		{"serve", no_argument, NULL, 'S'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *local = "127.0.0.1";
	bool have_target = false;
	uint32_t v, lo, hi;
	int ch;

	memset(o, 0, sizeof(*o));
	o->tp = SIP_TRANSP_UDP;
	o->rooms = 10;
	o->calls = 1000;
	o->concurrency = 10;
	o->duration_s = 60;
	o->media_lo = 20000;
	o->media_hi = 59998;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "vh", lopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (sa_decode(&o->target, optarg, strlen(optarg)) || !sa_port(&o->target))
				return bad("--target", optarg, "want IP:PORT (numeric)");
			have_target = true;
			break;
		case 'l':
			local = optarg;
			break;
		case 'u':
			if (!strncmp(optarg, "rooms:", 6)) {
				if (parse_u32(optarg + 6, 1, 1000000000, &o->rooms))
					return bad("--uri-user", optarg, "rooms:R takes R from 1");
			} else {
				size_t i, len = strlen(optarg);

				if (len == 0 || len >= USER_MAX)
					return bad("--uri-user", optarg, "1 to 63 characters");
				/* RFC 3261 25.1 user: unreserved characters only here */
				for (i = 0; i < len; i++)
					if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						    "0123456789-_.!~*'()+",
						    optarg[i]))
						return bad("--uri-user", optarg,
							   "letters, digits and -_.!~*'()+ only");
				o->rooms = 0;
				snprintf(o->user, sizeof(o->user), "%s", optarg);
			}
			break;
		case 'n':
			if (parse_u32(optarg, 1, CALLS_MAX, &o->calls))
				return bad("--calls", optarg, "1 to 10000000");
			break;
		case 'c':
			if (parse_u32(optarg, 1, CONC_MAX, &o->concurrency))
				return bad("--concurrency", optarg, "1 to 100000");
			break;
		case 'H':
			if (parse_u32(optarg, 0, 3600000, &o->hold_ms))
				return bad("--hold-ms", optarg, "0 to 3600000");
			break;
		case 'r':
			if (parse_u32(optarg, 0, 10000000, &o->rate))
				return bad("--rate", optarg, "0 (no cap) to 10000000");
			break;
		case 'd':
			if (parse_u32(optarg, 1, 86400, &o->duration_s))
				return bad("--duration-s", optarg, "1 to 86400");
			break;
		case 'm': {
			char buf[32], *dash;

			snprintf(buf, sizeof(buf), "%s", optarg);
			dash = strchr(buf, '-');
			if (!dash)
				return bad("--media-ports", optarg, "want LO-HI");
			*dash = '\0';
			if (parse_u32(buf, 1024, 65534, &lo) || parse_u32(dash + 1, 1024, 65534, &hi) ||
			    lo % 2 || hi % 2 || lo > hi)
				return bad("--media-ports", optarg,
					   "want LO-HI, even, 1024 <= LO <= HI <= 65534");
			o->media_lo = (uint16_t)lo;
			o->media_hi = (uint16_t)hi;
			break;
		}
		case 'T':
			if (!strcmp(optarg, "udp"))
				o->tp = SIP_TRANSP_UDP;
			else if (!strcmp(optarg, "tcp"))
				o->tp = SIP_TRANSP_TCP;
			else
				return bad("--transport", optarg, "udp or tcp");
			break;
		case 'S':
			o->serve = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, SIPLOAD_NAME ": unknown or incomplete option '%s'\n(try "
					SIPLOAD_NAME " --help)\n",
				argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		return bad("argument", argv[optind], "no arguments besides options");
	if (o->serve) {
		if (parse_addr(local, &o->local, false))
			return bad("--local", local, "want IP or IP:PORT");
		if (!sa_port(&o->local))
			sa_set_port(&o->local, 5060);
		return 0;
	}
	if (!have_target) {
		fprintf(stderr, SIPLOAD_NAME ": --target IP:PORT is required\n(try " SIPLOAD_NAME
				" --help)\n");
		return -1;
	}
	if (parse_addr(local, &o->local, false))
		return bad("--local", local, "want IP or IP:PORT");
	if (sa_af(&o->local) != sa_af(&o->target))
		return bad("--local", local, "not the address family of --target");
	v = (uint32_t)(o->media_hi - o->media_lo) / 2 + 1;
	if (v < o->concurrency && v < o->calls) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%u ports for --concurrency %u", v, o->concurrency);
		return bad("--media-ports", "", msg);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	int err, status;

	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	err = libre_init();
	if (err) {
		fprintf(stderr, SIPLOAD_NAME ": libre_init: %s\n", strerror(err));
		return 1;
	}
	status = o.serve ? run_serve(&o) : run_uac(&o);
	libre_close();
	return status;
}
