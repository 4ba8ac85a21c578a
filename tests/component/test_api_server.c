/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Component test of the API server: the real dataplane (EAL, --no-huge,
 * one worker on net_null with no-rx) and its agent on a real UNIX
 * SOCK_SEQPACKET socket, driven with raw socket calls so that garbage can
 * be sent. The main thread is the agent's lcore, as in rtpgw-dataplane:
 * it runs agent_poll until the client thread is done. The client thread
 * runs the cmocka group, so every case asserts directly; each case opens
 * its own connections and the teardown closes them and deletes whatever
 * flows a failed case left behind.
 *
 * Covered: the HELLO rule, framing errors (each answered with the
 * request's id, changing nothing), batch atomicity, EXIST_OK and
 * MISSING_OK idempotence, MOD keeping a flow's id and statistics, cursor
 * paging over 1,000 flows, the statistics replies, the event stream,
 * peers that vanish or stop reading, the client limit, and the install
 * rate of 100,000 flows (printed, not asserted).
 *
 * Two media addresses on port 0 because one address holds at most 65,535
 * flow keys and the install case needs 100,000.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "agent/agent.h"
#include "dp.h"
#include "flow/flow_table.h"

#define DP_IP	    "198.51.100.10"
#define DP_IP2	    "198.51.100.11"
#define NOT_OURS_IP "198.51.100.99"
#define GW_IP	    "198.51.100.1"
#define PEER_IP	    "203.0.113.5" /* off-link: every flow shares the gateway's next hop */

#define MAX_FLOWS	 100000
#define RATE_FLOWS	 100000
#define CLIENT_TIMEOUT_S 5
#define RUN_DEADLINE_S	 120 /* the agent loop's bound if the client hangs */
#define LIST_CAP                                             \
	((RTPGW_API_MSG_MAX - sizeof(struct rtpgw_api_hdr) - \
	  sizeof(struct rtpgw_api_flow_info_list)) /         \
	 sizeof(struct rtpgw_api_flow_info))
#define MAX_FDS (AGENT_CLIENTS_MAX + 16)

static struct {
	char dir[64];
	char sock[108]; /* sun_path */
	struct dataplane *dp;
	struct agent *a;
	char run_dir[256]; /* EAL's, empty with --no-shconf --no-telemetry */
	int setup_rc;	   /* 0 when the dataplane and agent came up */
	int done;	   /* client thread finished (atomic) */
	int result;	   /* cmocka's */
	int fds[MAX_FDS];
	unsigned int n_fds;
	uint32_t next_id;
} g = {.setup_rc = -1};

/* Client side buffers (client thread only). */
static uint8_t tx[RTPGW_API_MSG_MAX + 8192];
static uint8_t rx[RTPGW_API_MSG_MAX + 8192];

static struct {
	struct rtpgw_api_flow_batch b;
	struct rtpgw_api_flow f[RTPGW_API_FLOW_BATCH_MAX + 1];
} breq;

struct reply {
	struct rtpgw_api_hdr h;
	const uint8_t *p; /* payload, in rx: valid until the next receive */
};

static uint32_t
ip(const char *s)
{
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	return in.s_addr;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- connections ---------------------------------------------------- */

static void
fd_track(int fd)
{
	assert_true(g.n_fds < MAX_FDS);
	g.fds[g.n_fds++] = fd;
}

static void
conn_close(int fd)
{
	for (unsigned int i = 0; i < g.n_fds; i++)
		if (g.fds[i] == fd) {
			g.fds[i] = g.fds[--g.n_fds];
			break;
		}
	close(fd);
}

static int
conn(void)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = CLIENT_TIMEOUT_S};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	fd_track(fd);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", g.sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void
xsend(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

	if (n < 0)
		fail_msg("send %zu bytes: %s", len, strerror(errno));
	assert_int_equal(n, len);
}

/* Receive one message: its length, 0 at end of connection, -errno. */
static ssize_t
recv_one(int fd, int flags)
{
	ssize_t n = recv(fd, rx, sizeof(rx), flags | MSG_TRUNC);

	if (n < 0)
		return -errno;
	assert_true((size_t)n <= sizeof(rx));
	return n;
}

/* Check the framing of a message from the agent; fill r. */
static void
parse(ssize_t n, struct reply *r)
{
	if (n <= 0)
		fail_msg("no message from the agent: %s", n == 0 ? "closed" : strerror((int)-n));
	assert_true((size_t)n >= sizeof(r->h));
	memcpy(&r->h, rx, sizeof(r->h));
	assert_int_equal(r->h.magic, RTPGW_API_MAGIC);
	assert_int_equal(r->h.version, RTPGW_API_VERSION);
	assert_int_equal(r->h.len, (size_t)n - sizeof(r->h));
	r->p = rx + sizeof(r->h);
}

/* The next reply on fd, skipping events. */
static void
reply_recv(int fd, struct reply *r)
{
	for (;;) {
		parse(recv_one(fd, 0), r);
		if (!(r->h.flags & RTPGW_API_F_EVENT))
			break;
	}
	assert_int_equal(r->h.flags, RTPGW_API_F_REPLY);
}

/* Send raw bytes; return the reply (which must echo id and type). */
static int
rpc_raw(int fd, const void *msg, size_t len, uint32_t id, uint16_t type, struct reply *r)
{
	xsend(fd, msg, len);
	reply_recv(fd, r);
	assert_int_equal(r->h.id, id);
	assert_int_equal(r->h.type, type);
	return r->h.status;
}

/* Header for a request of type with payload_len bytes, in tx. */
static struct rtpgw_api_hdr *
req_hdr(uint16_t type, uint32_t payload_len)
{
	struct rtpgw_api_hdr *h = (void *)tx;

	memset(h, 0, sizeof(*h));
	h->magic = RTPGW_API_MAGIC;
	h->version = RTPGW_API_VERSION;
	h->type = type;
	h->id = ++g.next_id;
	h->len = payload_len;
	return h;
}

static int
rpc(int fd, uint16_t type, const void *payload, uint32_t len, struct reply *r)
{
	struct rtpgw_api_hdr *h = req_hdr(type, len);

	if (len > 0)
		memcpy(tx + sizeof(*h), payload, len);
	return rpc_raw(fd, tx, sizeof(*h) + len, h->id, type, r);
}

static int
hello(int fd, struct rtpgw_api_hello *out)
{
	struct rtpgw_api_hello h = {.version = RTPGW_API_VERSION};
	struct reply r;
	int rc;

	snprintf(h.name, sizeof(h.name), "test_api_server");
	rc = rpc(fd, RTPGW_API_HELLO, &h, sizeof(h), &r);
	if (rc == 0) {
		assert_int_equal(r.h.len, sizeof(*out));
		if (out != NULL)
			memcpy(out, r.p, sizeof(*out));
	}
	return rc;
}

static int
conn_hello(void)
{
	int fd = conn();

	assert_int_equal(hello(fd, NULL), 0);
	return fd;
}

/* Whether the agent closed fd (EOF or reset within the timeout). */
static bool
is_closed(int fd)
{
	ssize_t n = recv_one(fd, 0);

	return n == 0 || n == -ECONNRESET;
}

/* Number of API clients the agent holds. Read from the agent's memory
 * by the client thread: relaxed loads of ints it writes. */
static unsigned int
agent_clients(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < AGENT_CLIENTS_MAX; i++)
		if (__atomic_load_n(&g.a->clients[i].fd, __ATOMIC_RELAXED) >= 0)
			n++;
	return n;
}

/* Wait until the agent holds at most n clients. */
static void
wait_agent_clients(unsigned int n)
{
	double deadline = now_s() + CLIENT_TIMEOUT_S;

	while (agent_clients() > n) {
		if (now_s() > deadline)
			fail_msg("agent still holds %u clients, want <= %u", agent_clients(), n);
		usleep(1000);
	}
}

/* --- flows ------------------------------------------------------------ */

static struct rtpgw_api_flow
spec(const char *local, uint16_t port)
{
	struct rtpgw_api_flow f;

	memset(&f, 0, sizeof(f));
	f.local.family = RTPGW_AF_INET;
	f.local.v4 = ip(local);
	f.local_port = htons(port);
	f.action = RTPGW_FLOW_RELAY;
	f.src_mode = RTPGW_SRC_ANY;
	f.rtcp = RTPGW_RTCP_NONE;
	f.out_local.family = RTPGW_AF_INET;
	f.out_local.v4 = ip(DP_IP);
	f.out_port = htons(port);
	f.peer.family = RTPGW_AF_INET;
	f.peer.v4 = ip(PEER_IP);
	f.peer_port = htons(40000);
	f.clock_rate = 8000;
	f.cookie = port;
	return f;
}

/* A batch request of n flows; returns the status and fills rep. */
static int
batch(int fd, uint16_t type, uint32_t flags, const struct rtpgw_api_flow *flows, uint32_t n,
      struct rtpgw_api_flow_batch_reply *rep)
{
	struct reply r;
	int rc;

	assert_true(n <= RTPGW_API_FLOW_BATCH_MAX);
	breq.b.count = n;
	breq.b.flags = flags;
	memcpy(breq.f, flows, n * sizeof(flows[0]));
	rc = rpc(fd, type, &breq, (uint32_t)(sizeof(breq.b) + n * sizeof(flows[0])), &r);
	if (type == RTPGW_API_FLOW_GET) {
		assert_null(rep);
		return rc;
	}
	/* ADD/MOD/DEL replies carry applied/failed_index, errors included,
	 * except when the request was refused before it was read as a batch
	 * (framing, HELLO rule): then the payload is empty. */
	if (r.h.len == 0 && (rc == -EBADMSG || rc == -EPROTO)) {
		memset(rep, 0, sizeof(*rep));
		return rc;
	}
	assert_int_equal(r.h.len, sizeof(*rep));
	memcpy(rep, r.p, sizeof(*rep));
	if (rc < 0)
		assert_int_equal(rep->applied, 0);
	return rc;
}

static int
add1(int fd, const struct rtpgw_api_flow *f, uint32_t flags, struct rtpgw_api_flow_batch_reply *rep)
{
	return batch(fd, RTPGW_API_FLOW_ADD, flags, f, 1, rep);
}

/* GET one flow; returns the status and fills info. */
static int
get1(int fd, const struct rtpgw_api_flow *key, struct rtpgw_api_flow_info *info)
{
	struct rtpgw_api_flow_info_list l;
	struct reply r;
	int rc;

	breq.b.count = 1;
	breq.b.flags = 0;
	breq.f[0] = *key;
	rc = rpc(fd, RTPGW_API_FLOW_GET, &breq, sizeof(breq.b) + sizeof(breq.f[0]), &r);
	if (rc < 0) {
		assert_int_equal(r.h.len, 0);
		return rc;
	}
	assert_int_equal(r.h.len, sizeof(l) + sizeof(*info));
	memcpy(&l, r.p, sizeof(l));
	assert_int_equal(l.count, 1);
	assert_int_equal(l.next, 0);
	memcpy(info, r.p + sizeof(l), sizeof(*info));
	return 0;
}

struct key {
	uint32_t v4;
	uint16_t port; /* network order */
};

/* Walk FLOW_LIST with pages of max; collect up to cap keys in keys (may
 * be NULL); count pages. Returns the number of flows listed. */
static unsigned int
list_all(int fd, uint32_t max, struct key *keys, unsigned int cap, unsigned int *pages)
{
	struct rtpgw_api_flow_list_req req = {.cursor = 0, .max = max};
	unsigned int n = 0, np = 0;

	do {
		struct rtpgw_api_flow_info_list l;
		struct reply r;

		assert_int_equal(rpc(fd, RTPGW_API_FLOW_LIST, &req, sizeof(req), &r), 0);
		assert_true(r.h.len >= sizeof(l));
		memcpy(&l, r.p, sizeof(l));
		assert_int_equal(r.h.len, sizeof(l) + l.count * sizeof(struct rtpgw_api_flow_info));
		assert_true(l.count <= (max != 0 && max < LIST_CAP ? max : LIST_CAP));
		/* A page is empty only when the table is. */
		assert_true(l.count > 0 || (n == 0 && l.next == 0));
		for (uint32_t i = 0; i < l.count; i++) {
			struct rtpgw_api_flow_info info;

			memcpy(&info, r.p + sizeof(l) + i * sizeof(info), sizeof(info));
			if (keys != NULL) {
				assert_true(n < cap);
				keys[n].v4 = info.flow.local.v4;
				keys[n].port = info.flow.local_port;
			}
			n++;
		}
		req.cursor = l.next;
		np++;
		assert_true(np <= MAX_FLOWS + 1);
	} while (req.cursor != 0);
	if (pages != NULL)
		*pages = np;
	return n;
}

static unsigned int
n_flows(int fd)
{
	struct rtpgw_api_hello h;

	assert_int_equal(hello(fd, &h), 0);
	return h.n_flows;
}

/* Delete every flow (MISSING_OK), listing in pages. */
static void
del_all(int fd)
{
	static struct key keys[LIST_CAP];
	static struct rtpgw_api_flow del[RTPGW_API_FLOW_BATCH_MAX];

	for (;;) {
		struct rtpgw_api_flow_list_req req = {.cursor = 0, .max = LIST_CAP};
		struct rtpgw_api_flow_info_list l;
		struct rtpgw_api_flow_batch_reply rep;
		struct reply r;

		assert_int_equal(rpc(fd, RTPGW_API_FLOW_LIST, &req, sizeof(req), &r), 0);
		memcpy(&l, r.p, sizeof(l));
		if (l.count == 0)
			return;
		for (uint32_t i = 0; i < l.count; i++) {
			struct rtpgw_api_flow_info info;

			memcpy(&info, r.p + sizeof(l) + i * sizeof(info), sizeof(info));
			keys[i].v4 = info.flow.local.v4;
			keys[i].port = info.flow.local_port;
		}
		for (uint32_t i = 0; i < l.count; i++) {
			memset(&del[i], 0, sizeof(del[i]));
			del[i].local.family = RTPGW_AF_INET;
			del[i].local.v4 = keys[i].v4;
			del[i].local_port = keys[i].port;
		}
		assert_int_equal(
			batch(fd, RTPGW_API_FLOW_DEL, RTPGW_API_F_MISSING_OK, del, l.count, &rep),
			0);
	}
}

/* --- fixtures ----------------------------------------------------------- */

/* A connection the agent accepts, retrying while it still holds the
 * slots of connections just closed (it then accepts and closes at once,
 * which this sees as a failed send or an end of connection). */
static int
conn_hello_retry(void)
{
	struct rtpgw_api_hello hl = {.version = RTPGW_API_VERSION};
	double deadline = now_s() + CLIENT_TIMEOUT_S;

	for (;;) {
		struct rtpgw_api_hdr *h = req_hdr(RTPGW_API_HELLO, sizeof(hl));
		struct reply r;
		int fd = conn();
		ssize_t n;

		memcpy(tx + sizeof(*h), &hl, sizeof(hl));
		if (send(fd, tx, sizeof(*h) + sizeof(hl), MSG_NOSIGNAL) > 0 &&
		    (n = recv_one(fd, 0)) > 0) {
			parse(n, &r);
			assert_int_equal(r.h.status, 0);
			return fd;
		}
		conn_close(fd);
		if (now_s() > deadline)
			fail_msg("the agent refuses new clients");
		usleep(10000);
	}
}

static int
case_setup(void **state)
{
	(void)state;
	if (g.setup_rc != 0)
		return -1;
	return 0;
}

/* Close what the case opened and delete what it installed. */
static int
case_teardown(void **state)
{
	int fd;

	(void)state;
	while (g.n_fds > 0)
		conn_close(g.fds[g.n_fds - 1]);
	if (g.setup_rc != 0)
		return 0;
	fd = conn_hello_retry();
	del_all(fd);
	conn_close(fd);
	return 0;
}

/* --- cases ------------------------------------------------------------- */

static void
hello_reply_describes_dataplane(void **state)
{
	struct {
		struct rtpgw_api_addr_list l;
		struct rtpgw_api_addr a[2];
	} addrs;
	struct rtpgw_api_hello h;
	struct reply r;
	int fd = conn();

	(void)state;
	assert_int_equal(hello(fd, &h), 0);
	assert_int_equal(h.version, RTPGW_API_VERSION);
	assert_int_equal(h.n_workers, 1);
	assert_int_equal(h.max_flows, MAX_FLOWS);
	assert_int_equal(h.n_flows, 0);
	assert_int_equal(h.tsc_hz, rte_get_tsc_hz());
	assert_string_equal(h.name, "rtpgw-dataplane");
	assert_int_equal(rpc(fd, RTPGW_API_ADDR_LIST, NULL, 0, &r), 0);
	assert_int_equal(r.h.len, sizeof(addrs));
	memcpy(&addrs, r.p, sizeof(addrs));
	assert_int_equal(addrs.l.count, 2);
	assert_int_equal(addrs.a[0].ip.family, RTPGW_AF_INET);
	assert_int_equal(addrs.a[0].ip.v4, ip(DP_IP));
	assert_int_equal(addrs.a[1].ip.v4, ip(DP_IP2));
	assert_int_equal(addrs.a[0].prefix_len, 24);
	assert_int_equal(addrs.a[0].port_id, 0);
	assert_int_equal(addrs.a[0].gateway.family, RTPGW_AF_INET);
	assert_int_equal(addrs.a[0].gateway.v4, ip(GW_IP));
	assert_memory_equal(addrs.a[0].mac, &g.dp->ports[0].mac, 6);
}

static void
hello_first_rule(void **state)
{
	struct rtpgw_api_flow_list_req lr = {0};
	struct rtpgw_api_flow_batch_reply rep;
	struct rtpgw_api_flow f = spec(DP_IP, 20000);
	struct reply r;
	int fd;

	(void)state;
	/* FLOW_LIST first: -EPROTO, then the agent hangs up. */
	fd = conn();
	assert_int_equal(rpc(fd, RTPGW_API_FLOW_LIST, &lr, sizeof(lr), &r), -EPROTO);
	assert_int_equal(r.h.len, 0);
	assert_true(is_closed(fd));
	conn_close(fd);
	/* FLOW_ADD first: refused and nothing installed. */
	fd = conn();
	assert_int_equal(add1(fd, &f, 0, &rep), -EPROTO);
	assert_true(is_closed(fd));
	conn_close(fd);
	/* A framing error before HELLO also ends the connection. */
	fd = conn();
	req_hdr(RTPGW_API_HELLO, sizeof(struct rtpgw_api_hello));
	((struct rtpgw_api_hdr *)tx)->magic = 0;
	memset(tx + sizeof(struct rtpgw_api_hdr), 0, sizeof(struct rtpgw_api_hello));
	assert_int_equal(rpc_raw(fd, tx,
				 sizeof(struct rtpgw_api_hdr) + sizeof(struct rtpgw_api_hello),
				 g.next_id, RTPGW_API_HELLO, &r),
			 -EBADMSG);
	assert_true(is_closed(fd));
	conn_close(fd);
	fd = conn_hello();
	assert_int_equal(n_flows(fd), 0);
}

static void
wrong_version_hello_refused(void **state)
{
	struct rtpgw_api_hello h = {.version = RTPGW_API_VERSION};
	struct rtpgw_api_hdr *hd;
	struct reply r;
	int fd;

	(void)state;
	/* Header version. */
	fd = conn();
	hd = req_hdr(RTPGW_API_HELLO, sizeof(h));
	hd->version = RTPGW_API_VERSION + 1;
	memcpy(tx + sizeof(*hd), &h, sizeof(h));
	xsend(fd, tx, sizeof(*hd) + sizeof(h));
	reply_recv(fd, &r);
	assert_int_equal(r.h.status, -EPROTO);
	assert_int_equal(r.h.id, g.next_id);
	assert_int_equal(r.h.len, 0);
	assert_true(is_closed(fd));
	conn_close(fd);
	/* HELLO payload version. */
	fd = conn();
	h.version = RTPGW_API_VERSION + 1;
	assert_int_equal(rpc(fd, RTPGW_API_HELLO, &h, sizeof(h), &r), -EPROTO);
	assert_int_equal(r.h.len, 0);
	assert_true(is_closed(fd));
	conn_close(fd);
	/* Version 0 is no better. */
	fd = conn();
	h.version = 0;
	assert_int_equal(rpc(fd, RTPGW_API_HELLO, &h, sizeof(h), &r), -EPROTO);
	assert_true(is_closed(fd));
	conn_close(fd);
}

/* Install n flows at ports base, base + 2, ... of local. */
static void
install(int fd, const char *local, uint16_t base, unsigned int n)
{
	static struct rtpgw_api_flow fl[RTPGW_API_FLOW_BATCH_MAX];
	struct rtpgw_api_flow_batch_reply rep;

	for (unsigned int done = 0; done < n;) {
		unsigned int k =
			n - done < RTPGW_API_FLOW_BATCH_MAX ? n - done : RTPGW_API_FLOW_BATCH_MAX;

		for (unsigned int i = 0; i < k; i++)
			fl[i] = spec(local, (uint16_t)(base + 2 * (done + i)));
		assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, k, &rep), 0);
		assert_int_equal(rep.applied, k);
		done += k;
	}
}

static void
malformed_messages_get_ebadmsg_and_change_nothing(void **state)
{
	struct rtpgw_api_flow nf = spec(DP_IP, 21000);
	struct rtpgw_api_flow_batch b = {.count = 1};
	struct rtpgw_api_hdr *h;
	struct key keys[8];
	struct reply r;
	size_t len;
	int fd = conn_hello();

	(void)state;
	install(fd, DP_IP, 20000, 3);
	/* A well-formed FLOW_ADD of nf, spoiled below in one way each. */
#define FRESH_ADD()                                                      \
	do {                                                             \
		h = req_hdr(RTPGW_API_FLOW_ADD, sizeof(b) + sizeof(nf)); \
		memcpy(tx + sizeof(*h), &b, sizeof(b));                  \
		memcpy(tx + sizeof(*h) + sizeof(b), &nf, sizeof(nf));    \
		len = sizeof(*h) + sizeof(b) + sizeof(nf);               \
	} while (0)

	/* Truncated header (its id is checked by the next case). */
	FRESH_ADD();
	xsend(fd, tx, 16);
	reply_recv(fd, &r);
	assert_int_equal(r.h.status, -EBADMSG);
	assert_int_equal(r.h.len, 0);
	/* Bad magic. */
	FRESH_ADD();
	h->magic = RTPGW_API_MAGIC ^ 1;
	assert_int_equal(rpc_raw(fd, tx, len, h->id, RTPGW_API_FLOW_ADD, &r), -EBADMSG);
	assert_int_equal(r.h.len, 0);
	/* hdr.len larger, then smaller, than the datagram. */
	FRESH_ADD();
	h->len += 8;
	assert_int_equal(rpc_raw(fd, tx, len, h->id, RTPGW_API_FLOW_ADD, &r), -EBADMSG);
	FRESH_ADD();
	h->len -= sizeof(nf);
	assert_int_equal(rpc_raw(fd, tx, len, h->id, RTPGW_API_FLOW_ADD, &r), -EBADMSG);
	/* Batch count disagreeing with the payload. */
	FRESH_ADD();
	((struct rtpgw_api_flow_batch *)(tx + sizeof(*h)))->count = 2;
	assert_int_equal(rpc_raw(fd, tx, len, h->id, RTPGW_API_FLOW_ADD, &r), -EBADMSG);
	assert_int_equal(r.h.len, 0);
	FRESH_ADD();
	((struct rtpgw_api_flow_batch *)(tx + sizeof(*h)))->count = 0;
	assert_int_equal(rpc_raw(fd, tx, len, h->id, RTPGW_API_FLOW_ADD, &r), -EBADMSG);
	/* A request flagged as a reply. */
	FRESH_ADD();
	h->flags = RTPGW_API_F_REPLY;
	assert_int_equal(rpc_raw(fd, tx, len, h->id, RTPGW_API_FLOW_ADD, &r), -EBADMSG);
	/* Larger than any message: 70,000 bytes, header consistent. */
	FRESH_ADD();
	memset(tx + len, 0, 70000 - len);
	h->len = 70000 - sizeof(*h);
	assert_int_equal(rpc_raw(fd, tx, 70000, h->id, RTPGW_API_FLOW_ADD, &r), -EBADMSG);
	/* The connection is still served, and nothing changed. */
	assert_int_equal(list_all(fd, 0, keys, 8, NULL), 3);
	for (unsigned int i = 0; i < 3; i++) {
		assert_int_equal(keys[i].v4, ip(DP_IP));
		assert_int_equal(ntohs(keys[i].port), 20000 + 2 * i);
	}
	/* The same FLOW_ADD, intact, is accepted. */
	FRESH_ADD();
	assert_int_equal(rpc_raw(fd, tx, len, h->id, RTPGW_API_FLOW_ADD, &r), 0);
	assert_int_equal(n_flows(fd), 4);
#undef FRESH_ADD
}

static void
truncated_header_gets_ebadmsg_with_its_id(void **state)
{
	struct rtpgw_api_hdr *h;
	struct reply r;
	int fd = conn_hello();

	(void)state;
	/* 16 of 24 bytes: magic, version, type and id are there. */
	h = req_hdr(RTPGW_API_ADDR_LIST, 0);
	xsend(fd, tx, 16);
	reply_recv(fd, &r);
	assert_int_equal(r.h.status, -EBADMSG);
	assert_int_equal(r.h.id, h->id);
}

static void
unknown_type_enotsup(void **state)
{
	struct reply r;
	uint8_t junk[40] = {1, 2, 3};
	int fd = conn_hello();

	(void)state;
	assert_int_equal(rpc(fd, 0x55, NULL, 0, &r), -ENOTSUP);
	assert_int_equal(r.h.len, 0);
	assert_int_equal(rpc(fd, 0x55, junk, sizeof(junk), &r), -ENOTSUP);
	/* Event types are not requests. */
	assert_int_equal(rpc(fd, RTPGW_API_EVENT_FLOW_IDLE, NULL, 0, &r), -ENOTSUP);
	assert_int_equal(rpc(fd, 0, NULL, 0, &r), -ENOTSUP);
	/* The connection stays usable. */
	assert_int_equal(rpc(fd, RTPGW_API_ADDR_LIST, NULL, 0, &r), 0);
}

static void
flow_add_batch_is_all_or_nothing(void **state)
{
	struct rtpgw_api_flow fl[10];
	struct rtpgw_api_flow_batch_reply rep;
	int fd = conn_hello();

	(void)state;
	/* The 7th item's local address is not the dataplane's. */
	for (unsigned int i = 0; i < 10; i++)
		fl[i] = spec(DP_IP, (uint16_t)(22000 + 2 * i));
	fl[6].local.v4 = ip(NOT_OURS_IP);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 10, &rep), -EADDRNOTAVAIL);
	assert_int_equal(rep.applied, 0);
	assert_int_equal(rep.failed_index, 6);
	assert_int_equal(n_flows(fd), 0);
	/* Its out_local instead. */
	fl[6] = spec(DP_IP, 22012);
	fl[8].out_local.v4 = ip(NOT_OURS_IP);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 10, &rep), -EADDRNOTAVAIL);
	assert_int_equal(rep.failed_index, 8);
	assert_int_equal(n_flows(fd), 0);
	/* An invalid value. */
	fl[8] = spec(DP_IP, 22016);
	fl[3].src_mode = 9;
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 10, &rep), -EINVAL);
	assert_int_equal(rep.failed_index, 3);
	fl[3] = spec(DP_IP, 22006);
	/* The same key twice. */
	fl[7] = fl[4];
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 10, &rep), -EEXIST);
	assert_int_equal(rep.failed_index, 7);
	fl[7] = spec(DP_IP, 22014);
	/* The last item collides with an installed flow. */
	install(fd, DP_IP, 22018, 1);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 10, &rep), -EEXIST);
	assert_int_equal(rep.failed_index, 9);
	assert_int_equal(n_flows(fd), 1);
	/* Without it the batch goes in whole. */
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 9, &rep), 0);
	assert_int_equal(rep.applied, 9);
	assert_int_equal(n_flows(fd), 10);
	/* Another address, the last item colliding again. */
	for (unsigned int i = 0; i < 10; i++)
		fl[i] = spec(DP_IP2, (uint16_t)(22000 + 2 * i));
	fl[9] = spec(DP_IP, 22018);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 10, &rep), -EEXIST);
	assert_int_equal(rep.failed_index, 9);
	assert_int_equal(n_flows(fd), 10);
	/* A companion of one item taking the next item's port is found by
	 * the check, before anything is applied. */
	fl[0] = spec(DP_IP2, 23000);
	fl[0].rtcp = RTPGW_RTCP_COMPANION;
	fl[1] = spec(DP_IP2, 23001);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 2, &rep), -EEXIST);
	assert_int_equal(rep.failed_index, 1);
	assert_int_equal(n_flows(fd), 10);
	/* And in the other order. */
	fl[0] = spec(DP_IP2, 23001);
	fl[1] = spec(DP_IP2, 23000);
	fl[1].rtcp = RTPGW_RTCP_COMPANION;
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, 2, &rep), -EEXIST);
	assert_int_equal(rep.failed_index, 1);
	assert_int_equal(n_flows(fd), 10);
}

static void
exist_ok_is_idempotent(void **state)
{
	struct rtpgw_api_flow s = spec(DP_IP, 24000), t, two[2];
	struct rtpgw_api_flow_batch_reply rep;
	struct rtpgw_api_flow_info info;
	int fd = conn_hello();

	(void)state;
	s.clock_rate = 0; /* stored as 8000 */
	s.cookie = 0x1122334455667788ull;
	assert_int_equal(add1(fd, &s, 0, &rep), 0);
	assert_int_equal(rep.applied, 1);
	/* The same spec again with EXIST_OK: success, nothing applied. */
	assert_int_equal(add1(fd, &s, RTPGW_API_F_EXIST_OK, &rep), 0);
	assert_int_equal(rep.applied, 0);
	assert_int_equal(add1(fd, &s, RTPGW_API_F_EXIST_OK, &rep), 0);
	assert_int_equal(rep.applied, 0);
	/* Without EXIST_OK. */
	assert_int_equal(add1(fd, &s, 0, &rep), -EEXIST);
	assert_int_equal(rep.failed_index, 0);
	/* The same key, another spec. */
	t = s;
	t.peer_port = htons(40002);
	assert_int_equal(add1(fd, &t, RTPGW_API_F_EXIST_OK, &rep), -EEXIST);
	t = s;
	t.cookie++;
	assert_int_equal(add1(fd, &t, RTPGW_API_F_EXIST_OK, &rep), -EEXIST);
	/* The installed spec is untouched. */
	assert_int_equal(get1(fd, &s, &info), 0);
	assert_int_equal(info.flow.cookie, s.cookie);
	assert_int_equal(info.flow.peer_port, s.peer_port);
	assert_int_equal(info.flow.clock_rate, 8000);
	/* A replay of a batch with one new item applies only that one. */
	two[0] = s;
	two[1] = spec(DP_IP, 24002);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, RTPGW_API_F_EXIST_OK, two, 2, &rep), 0);
	assert_int_equal(rep.applied, 1);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, RTPGW_API_F_EXIST_OK, two, 2, &rep), 0);
	assert_int_equal(rep.applied, 0);
	assert_int_equal(n_flows(fd), 2);
	/* EXIST_OK does not make a companion port a key. */
	t = spec(DP_IP, 24010);
	t.rtcp = RTPGW_RTCP_COMPANION;
	assert_int_equal(add1(fd, &t, 0, &rep), 0);
	t = spec(DP_IP, 24011);
	assert_int_equal(add1(fd, &t, RTPGW_API_F_EXIST_OK, &rep), -EEXIST);
}

/* docs/API.md, Errors: FLOW_ADD, FLOW_MOD and FLOW_DEL error replies
 * always carry struct rtpgw_api_flow_batch_reply. */
static void
batch_flag_error_reply_carries_batch_reply(void **state)
{
	struct rtpgw_api_flow s = spec(DP_IP, 24500);
	struct rtpgw_api_flow_batch_reply rep;
	const uint16_t types[] = {RTPGW_API_FLOW_ADD, RTPGW_API_FLOW_MOD, RTPGW_API_FLOW_DEL};
	int fd = conn_hello();

	(void)state;
	for (unsigned int i = 0; i < RTE_DIM(types); i++) {
		assert_int_equal(batch(fd, types[i], 0x80, &s, 1, &rep), -EINVAL);
		assert_int_equal(rep.failed_index, 0);
	}
	assert_int_equal(n_flows(fd), 0);
}

static void
missing_ok_delete(void **state)
{
	struct rtpgw_api_flow a = spec(DP_IP, 25000), absent = spec(DP_IP, 25100), two[2];
	struct rtpgw_api_flow_batch_reply rep;
	struct rtpgw_api_flow_info info;
	int fd = conn_hello();

	(void)state;
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, 0, &absent, 1, &rep), -ENOENT);
	assert_int_equal(rep.failed_index, 0);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, RTPGW_API_F_MISSING_OK, &absent, 1, &rep),
			 0);
	assert_int_equal(rep.applied, 0);
	a.rtcp = RTPGW_RTCP_COMPANION;
	assert_int_equal(add1(fd, &a, 0, &rep), 0);
	/* Without MISSING_OK one absent key fails the whole batch. */
	two[0] = a;
	two[1] = absent;
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, 0, two, 2, &rep), -ENOENT);
	assert_int_equal(rep.failed_index, 1);
	assert_int_equal(get1(fd, &a, &info), 0);
	/* A companion port is not a key. */
	two[1] = spec(DP_IP, 25001);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, 0, &two[1], 1, &rep), -ENOENT);
	assert_int_equal(get1(fd, &two[1], &info), -ENOENT);
	/* With MISSING_OK: the present one goes. */
	two[1] = absent;
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, RTPGW_API_F_MISSING_OK, two, 2, &rep), 0);
	assert_int_equal(rep.applied, 1);
	assert_int_equal(get1(fd, &a, &info), -ENOENT);
	/* Deleting again is a no-op. */
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, RTPGW_API_F_MISSING_OK, two, 2, &rep), 0);
	assert_int_equal(rep.applied, 0);
	/* Its companion port is free again. */
	two[1] = spec(DP_IP, 25001);
	assert_int_equal(add1(fd, &two[1], 0, &rep), 0);
	/* The same key twice in one DEL is harmless. */
	two[0] = two[1];
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, 0, two, 2, &rep), 0);
	assert_int_equal(rep.applied, 1);
	/* MOD: skipped with MISSING_OK, -ENOENT without. */
	assert_int_equal(batch(fd, RTPGW_API_FLOW_MOD, RTPGW_API_F_MISSING_OK, &absent, 1, &rep),
			 0);
	assert_int_equal(rep.applied, 0);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_MOD, 0, &absent, 1, &rep), -ENOENT);
	assert_int_equal(n_flows(fd), 0);
}

/* The flow at (local, port) as a worker finds it (acquire load of the
 * published slot), to count into its state as a worker would: there is
 * no traffic on net_null. */
static const struct flow *
flow_of(const char *local, uint16_t port)
{
	const struct flow_table *t = g.dp->flows;
	const struct flow *f =
		__atomic_load_n(&t->slots[dp_addr_index(g.dp, ip(local))][port], __ATOMIC_ACQUIRE);

	assert_non_null(f);
	return f;
}

static void
flow_mod_keeps_statistics(void **state)
{
	struct rtpgw_api_flow a = spec(DP_IP, 26000), b, two[2];
	struct rtpgw_api_flow_batch_reply rep;
	struct rtpgw_api_flow_info info;
	const struct flow *f;
	uint32_t id;
	int fd = conn_hello();

	(void)state;
	a.rtcp = RTPGW_RTCP_COMPANION;
	a.cookie = 1;
	assert_int_equal(add1(fd, &a, 0, &rep), 0);
	f = flow_of(DP_IP, 26000);
	id = f->id;
	__atomic_store_n(&flow_table_state(g.dp->flows, f)->packets, 42, __ATOMIC_RELAXED);
	__atomic_store_n(&flow_table_state(g.dp->flows, f)->octets, 4200, __ATOMIC_RELAXED);
	__atomic_store_n(&flow_table_rare(g.dp->flows, f)->rtcp_packets, 3, __ATOMIC_RELAXED);
	assert_int_equal(get1(fd, &a, &info), 0);
	assert_int_equal(info.stats.packets, 42);

	/* MOD: another peer, cookie and RTCP mode, a payload type map. */
	b = a;
	b.peer_port = htons(41000);
	b.cookie = 2;
	b.rtcp = RTPGW_RTCP_NONE;
	b.flags = RTPGW_FLOW_F_PT_MAP;
	b.n_pt_map = 1;
	b.pt_map[0].in = 0;
	b.pt_map[0].out = 96;
	assert_int_equal(batch(fd, RTPGW_API_FLOW_MOD, 0, &b, 1, &rep), 0);
	assert_int_equal(rep.applied, 1);
	assert_int_equal(get1(fd, &a, &info), 0);
	assert_memory_equal(&info.flow, &b, sizeof(b));
	assert_int_equal(info.stats.packets, 42);
	assert_int_equal(info.stats.octets, 4200);
	assert_int_equal(info.stats.rtcp_packets, 3);
	/* Same id (so the same state); cookie is the new spec's. */
	assert_int_equal(flow_of(DP_IP, 26000)->id, id);
	assert_int_equal(n_flows(fd), 1);
	/* NONE freed the companion port. */
	two[0] = spec(DP_IP, 26001);
	assert_int_equal(add1(fd, &two[0], 0, &rep), 0);
	/* Back to COMPANION collides with it: refused, nothing changed. */
	assert_int_equal(batch(fd, RTPGW_API_FLOW_MOD, 0, &a, 1, &rep), -EEXIST);
	assert_int_equal(rep.failed_index, 0);
	assert_int_equal(get1(fd, &a, &info), 0);
	assert_memory_equal(&info.flow, &b, sizeof(b));
	/* A batch whose second item is invalid changes neither. */
	two[0] = b;
	two[0].cookie = 3;
	two[1] = spec(DP_IP, 26001);
	two[1].out_local.v4 = ip(NOT_OURS_IP);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_MOD, 0, two, 2, &rep), -EADDRNOTAVAIL);
	assert_int_equal(rep.failed_index, 1);
	assert_int_equal(get1(fd, &a, &info), 0);
	assert_int_equal(info.flow.cookie, 2);
	/* Delete and re-add: a new flow starts from zero. */
	two[0] = a;
	two[1] = spec(DP_IP, 26001);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, 0, two, 2, &rep), 0);
	assert_int_equal(add1(fd, &a, 0, &rep), 0);
	assert_int_equal(get1(fd, &a, &info), 0);
	assert_int_equal(info.stats.packets, 0);
	assert_int_equal(info.stats.rtcp_packets, 0);
	assert_int_equal(info.flow.cookie, 1);
}

static int
key_cmp(const struct key *x, const struct key *y)
{
	int ax = dp_addr_index(g.dp, x->v4), ay = dp_addr_index(g.dp, y->v4);

	if (ax != ay)
		return ax < ay ? -1 : 1;
	if (ntohs(x->port) != ntohs(y->port))
		return ntohs(x->port) < ntohs(y->port) ? -1 : 1;
	return 0;
}

static void
flow_list_pages_through_1000_flows(void **state)
{
	static struct key keys[1100];
	static struct rtpgw_api_flow fl[RTPGW_API_FLOW_BATCH_MAX];
	struct rtpgw_api_flow_batch_reply rep;
	unsigned int pages, n, k = 0;
	bool seen[2][500];
	int fd = conn_hello();

	(void)state;
	/* 500 COMPANION flows on each address, installed in descending key
	 * order, the second address first. */
	for (int i = 999; i >= 0; i--) {
		fl[k] = spec(i >= 500 ? DP_IP2 : DP_IP, (uint16_t)(30000 + 2 * (i % 500)));
		fl[k].rtcp = RTPGW_RTCP_COMPANION;
		if (++k == 400 || i == 0) {
			assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, k, &rep), 0);
			assert_int_equal(rep.applied, k);
			k = 0;
		}
	}
	n = list_all(fd, 100, keys, 1100, &pages);
	assert_int_equal(n, 1000);
	assert_int_equal(pages, 10);
	memset(seen, 0, sizeof(seen));
	for (unsigned int i = 0; i < n; i++) {
		int ai = dp_addr_index(g.dp, keys[i].v4);
		unsigned int port = ntohs(keys[i].port);

		assert_true(ai == 0 || ai == 1);
		assert_true(port >= 30000 && port < 31000 && port % 2 == 0);
		assert_false(seen[ai][(port - 30000) / 2]);
		seen[ai][(port - 30000) / 2] = true;
		if (i > 0)
			assert_true(key_cmp(&keys[i - 1], &keys[i]) < 0);
	}
	/* Pages as large as fit (max 0, or anything above the cap). */
	assert_int_equal(list_all(fd, 0, NULL, 0, &pages), 1000);
	assert_int_equal(pages, (1000 + LIST_CAP - 1) / LIST_CAP);
	assert_int_equal(list_all(fd, 5000, NULL, 0, &pages), 1000);
	assert_int_equal(pages, (1000 + LIST_CAP - 1) / LIST_CAP);
	/* Pages of one. */
	assert_int_equal(list_all(fd, 1, NULL, 0, &pages), 1000);
	assert_int_equal(pages, 1000);
	/* A cursor past the end answers an empty, final page. */
	{
		struct rtpgw_api_flow_list_req req = {.cursor = UINT32_MAX, .max = 10};
		struct rtpgw_api_flow_info_list l;
		struct reply r;

		assert_int_equal(rpc(fd, RTPGW_API_FLOW_LIST, &req, sizeof(req), &r), 0);
		assert_int_equal(r.h.len, sizeof(l));
		memcpy(&l, r.p, sizeof(l));
		assert_int_equal(l.count, 0);
		assert_int_equal(l.next, 0);
	}
	del_all(fd);
	assert_int_equal(list_all(fd, 100, NULL, 0, &pages), 0);
	assert_int_equal(pages, 1);
}

static void
flow_get_answers_in_order_or_fails_whole(void **state)
{
	static struct rtpgw_api_flow keys[LIST_CAP + 1];
	struct rtpgw_api_flow_info_list l;
	struct rtpgw_api_flow_info info;
	struct reply r;
	int fd = conn_hello();

	(void)state;
	install(fd, DP_IP, 27000, 3);
	keys[0] = spec(DP_IP, 27004);
	keys[1] = spec(DP_IP, 27000);
	keys[2] = spec(DP_IP, 27002);
	breq.b.count = 3;
	breq.b.flags = 0;
	memcpy(breq.f, keys, 3 * sizeof(keys[0]));
	assert_int_equal(
		rpc(fd, RTPGW_API_FLOW_GET, &breq, sizeof(breq.b) + 3 * sizeof(breq.f[0]), &r), 0);
	assert_int_equal(r.h.len, sizeof(l) + 3 * sizeof(info));
	memcpy(&l, r.p, sizeof(l));
	assert_int_equal(l.count, 3);
	for (unsigned int i = 0; i < 3; i++) {
		memcpy(&info, r.p + sizeof(l) + i * sizeof(info), sizeof(info));
		assert_int_equal(info.flow.local_port, keys[i].local_port);
		assert_int_equal(info.flow.cookie, ntohs(keys[i].local_port));
	}
	keys[1] = spec(DP_IP, 27001);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_GET, 0, keys, 3, NULL), -ENOENT);
	/* MISSING_OK: the missing key reads as zeros with its key, the others whole */
	breq.b.count = 3;
	breq.b.flags = RTPGW_API_F_MISSING_OK;
	memcpy(breq.f, keys, 3 * sizeof(keys[0]));
	assert_int_equal(
		rpc(fd, RTPGW_API_FLOW_GET, &breq, sizeof(breq.b) + 3 * sizeof(breq.f[0]), &r), 0);
	assert_int_equal(r.h.len, sizeof(l) + 3 * sizeof(info));
	for (unsigned int i = 0; i < 3; i++) {
		memcpy(&info, r.p + sizeof(l) + i * sizeof(info), sizeof(info));
		assert_int_equal(info.flow.local_port, keys[i].local_port);
		assert_int_equal(info.flow.action, i == 1 ? 0 : RTPGW_FLOW_RELAY);
		assert_int_equal(info.flow.cookie, i == 1 ? 0 : ntohs(keys[i].local_port));
	}
	for (unsigned int i = 0; i < LIST_CAP + 1; i++)
		keys[i] = spec(DP_IP, 27000);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_GET, 0, keys, LIST_CAP, NULL), 0);
	assert_int_equal(batch(fd, RTPGW_API_FLOW_GET, 0, keys, LIST_CAP + 1, NULL), -EMSGSIZE);
}

static void
stats_replies_are_well_formed(void **state)
{
	struct rtpgw_api_port_list pl;
	struct rtpgw_api_port_stats ps;
	struct rtpgw_api_worker_list wl;
	struct rtpgw_api_worker_stats ws;
	struct rtpgw_api_drops dl;
	struct reply r;
	int fd = conn_hello();

	(void)state;
	assert_int_equal(rpc(fd, RTPGW_API_STATS_PORTS, NULL, 0, &r), 0);
	memcpy(&pl, r.p, sizeof(pl));
	assert_int_equal(pl.count, 1);
	assert_int_equal(r.h.len, sizeof(pl) + pl.count * sizeof(ps));
	memcpy(&ps, r.p + sizeof(pl), sizeof(ps));
	assert_int_equal(ps.port_id, 0);
	assert_memory_equal(ps.mac, &g.dp->ports[0].mac, 6);
	assert_string_equal(ps.name, "net_null0");
	assert_int_equal(ps.ipackets, 0);

	assert_int_equal(rpc(fd, RTPGW_API_STATS_WORKERS, NULL, 0, &r), 0);
	memcpy(&wl, r.p, sizeof(wl));
	assert_int_equal(wl.count, 1);
	assert_int_equal(r.h.len, sizeof(wl) + wl.count * sizeof(ws));
	memcpy(&ws, r.p + sizeof(wl), sizeof(ws));
	assert_int_equal(ws.lcore_id, 1);
	assert_true(ws.n_rxq >= 1);
	assert_int_equal(ws.rx_packets, 0);
	assert_true(ws.polls > 0);
	assert_true(ws.busy_cycles <= ws.total_cycles);

	assert_int_equal(rpc(fd, RTPGW_API_STATS_DROPS, NULL, 0, &r), 0);
	memcpy(&dl, r.p, sizeof(dl));
	assert_int_equal(dl.count, RTPGW_DROP_MAX);
	assert_int_equal(r.h.len, sizeof(dl) + dl.count * sizeof(uint64_t));
	for (uint32_t k = 0; k < dl.count; k++) {
		uint64_t v;

		memcpy(&v, r.p + sizeof(dl) + k * sizeof(v), sizeof(v));
		assert_int_equal(v, 0);
	}
}

static void
events_subscribe_accepted(void **state)
{
	struct rtpgw_api_flow f = spec(DP_IP, 28000);
	struct rtpgw_api_flow_batch_reply rep;
	struct rtpgw_api_event_flow ev;
	struct reply r;
	double deadline;
	ssize_t n;
	int sub = conn_hello(), ctl = conn_hello();

	(void)state;
	assert_int_equal(rpc(sub, RTPGW_API_EVENTS_SUBSCRIBE, NULL, 0, &r), 0);
	assert_int_equal(r.h.len, 0);
	/* A flow that is idle 50 ms after it is installed. */
	f.idle_timeout_ms = 50;
	f.cookie = 0xc0ffee;
	assert_int_equal(add1(ctl, &f, 0, &rep), 0);
	deadline = now_s() + 3;
	for (;;) {
		n = recv_one(sub, MSG_DONTWAIT);
		if (n > 0)
			break;
		assert_int_equal(n, -EAGAIN);
		if (now_s() > deadline)
			fail_msg("no FLOW_IDLE event within 3 s");
		usleep(2000);
	}
	parse(n, &r);
	assert_int_equal(r.h.flags, RTPGW_API_F_EVENT);
	assert_int_equal(r.h.id, 0);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(r.h.type, RTPGW_API_EVENT_FLOW_IDLE);
	assert_int_equal(r.h.len, sizeof(ev));
	memcpy(&ev, r.p, sizeof(ev));
	assert_int_equal(ev.cookie, 0xc0ffee);
	assert_int_equal(ev.local.v4, ip(DP_IP));
	assert_int_equal(ev.local_port, htons(28000));
	assert_true(ev.idle_ns >= 50 * 1000000ull);
	/* Requests on the subscribed connection are still answered. */
	assert_int_equal(rpc(sub, RTPGW_API_ADDR_LIST, NULL, 0, &r), 0);
	/* Once per silence; and nothing for the unsubscribed client. */
	usleep(1000 * 1000);
	assert_int_equal(recv_one(sub, MSG_DONTWAIT), -EAGAIN);
	assert_int_equal(recv_one(ctl, MSG_DONTWAIT), -EAGAIN);
}

static void
peer_closing_mid_request_does_not_hurt_agent(void **state)
{
	struct rtpgw_api_flow_list_req lr = {.cursor = 0, .max = 0};
	struct rtpgw_api_flow_batch_reply rep;
	struct rtpgw_api_flow f = spec(DP_IP2, 29990);
	struct rtpgw_api_hdr *h;
	int fd;

	(void)state;
	fd = conn_hello();
	install(fd, DP_IP, 29000, 300); /* so that a FLOW_LIST reply is 64 KiB */
	conn_close(fd);
	wait_agent_clients(0);
	for (int i = 0; i < 5; i++) {
		/* A large reply nobody reads. */
		fd = conn_hello();
		h = req_hdr(RTPGW_API_FLOW_LIST, sizeof(lr));
		memcpy(tx + sizeof(*h), &lr, sizeof(lr));
		xsend(fd, tx, sizeof(*h) + sizeof(lr));
		conn_close(fd);
		/* A request before HELLO whose sender is gone. */
		fd = conn();
		h = req_hdr(RTPGW_API_STATS_PORTS, 0);
		xsend(fd, tx, sizeof(*h));
		conn_close(fd);
	}
	/* A FLOW_ADD whose sender is gone is applied or not, but whole. */
	fd = conn_hello();
	breq.b.count = 1;
	breq.b.flags = 0;
	breq.f[0] = f;
	h = req_hdr(RTPGW_API_FLOW_ADD, sizeof(breq.b) + sizeof(f));
	memcpy(tx + sizeof(*h), &breq, sizeof(breq.b) + sizeof(f));
	xsend(fd, tx, sizeof(*h) + sizeof(breq.b) + sizeof(f));
	conn_close(fd);
	/* The agent let go of all of them and serves a new client. */
	wait_agent_clients(0);
	fd = conn_hello();
	assert_int_equal(rpc(fd, RTPGW_API_STATS_PORTS, NULL, 0, &(struct reply){0}), 0);
	assert_int_equal(list_all(fd, 0, NULL, 0, NULL), n_flows(fd));
	assert_true(n_flows(fd) == 300 || n_flows(fd) == 301);
	assert_int_equal(add1(fd, &f, RTPGW_API_F_EXIST_OK, &rep), 0);
	assert_int_equal(n_flows(fd), 301);
}

static void
slow_reader_is_disconnected_not_waited_for(void **state)
{
	struct rtpgw_api_flow_list_req lr = {.cursor = 0, .max = 0};
	struct rtpgw_api_hdr *h;
	struct reply r;
	unsigned int replies = 0;
	int slow, fd;
	ssize_t n;

	(void)state;
	fd = conn_hello();
	install(fd, DP_IP, 29000, 300);
	slow = conn_hello();
	/* 32 requests for 64 KiB each, none read: more than any socket
	 * buffer holds, so the agent must drop this client, not block. */
	for (int i = 0; i < 32; i++) {
		h = req_hdr(RTPGW_API_FLOW_LIST, sizeof(lr));
		memcpy(tx + sizeof(*h), &lr, sizeof(lr));
		xsend(slow, tx, sizeof(*h) + sizeof(lr));
	}
	/* Meanwhile another client is served. */
	assert_int_equal(rpc(fd, RTPGW_API_ADDR_LIST, NULL, 0, &r), 0);
	/* The replies sent before the agent gave up, then the end (a reset
	 * first: the agent closed with our requests unread). */
	for (;;) {
		n = recv_one(slow, 0);
		if (n == 0)
			break;
		if (n == -ECONNRESET)
			continue;
		parse(n, &r);
		assert_int_equal(r.h.status, 0);
		replies++;
		assert_true(replies < 32);
	}
	assert_int_equal(rpc(fd, RTPGW_API_ADDR_LIST, NULL, 0, &r), 0);
}

static void
too_many_clients_refused_gracefully(void **state)
{
	int fds[AGENT_CLIENTS_MAX], extra;
	struct reply r;

	(void)state;
	wait_agent_clients(0);
	for (unsigned int i = 0; i < AGENT_CLIENTS_MAX; i++)
		fds[i] = conn_hello();
	assert_int_equal(agent_clients(), AGENT_CLIENTS_MAX);
	/* One more: accepted by the kernel, closed by the agent. */
	extra = conn();
	assert_true(is_closed(extra));
	conn_close(extra);
	/* The others are unaffected. */
	for (unsigned int i = 0; i < AGENT_CLIENTS_MAX; i++)
		assert_int_equal(rpc(fds[i], RTPGW_API_ADDR_LIST, NULL, 0, &r), 0);
	/* A freed slot is reused. */
	conn_close(fds[5]);
	wait_agent_clients(AGENT_CLIENTS_MAX - 1);
	fds[5] = conn_hello();
	assert_int_equal(rpc(fds[5], RTPGW_API_STATS_DROPS, NULL, 0, &r), 0);
	for (unsigned int i = 0; i < AGENT_CLIENTS_MAX; i++)
		conn_close(fds[i]);
	wait_agent_clients(0);
}

static void
install_rate(void **state)
{
	static struct rtpgw_api_flow fl[RTPGW_API_FLOW_BATCH_MAX];
	struct rtpgw_api_flow_batch_reply rep;
	struct rtpgw_api_flow_info info;
	unsigned int per_addr = RATE_FLOWS / 2, done, batches = 0;
	double t0, t_add, t_del;
	int fd = conn_hello();

	(void)state;
	assert_int_equal(n_flows(fd), 0);
	t0 = now_s();
	for (done = 0; done < RATE_FLOWS;) {
		unsigned int k = RATE_FLOWS - done;

		if (k > RTPGW_API_FLOW_BATCH_MAX)
			k = RTPGW_API_FLOW_BATCH_MAX;
		for (unsigned int i = 0; i < k; i++) {
			unsigned int j = done + i;

			fl[i] = spec(j < per_addr ? DP_IP : DP_IP2,
				     (uint16_t)(10000 + j % per_addr));
		}
		assert_int_equal(batch(fd, RTPGW_API_FLOW_ADD, 0, fl, k, &rep), 0);
		assert_int_equal(rep.applied, k);
		done += k;
		batches++;
	}
	t_add = now_s() - t0;
	assert_int_equal(n_flows(fd), RATE_FLOWS);
	printf("# install_rate: %u flows in %u batches of up to %zu: %.3f s, %.0f flows/s\n",
	       RATE_FLOWS, batches, (size_t)RTPGW_API_FLOW_BATCH_MAX, t_add, RATE_FLOWS / t_add);
	/* The table is full: one more is -ENOSPC for the batch as a whole. */
	fl[0] = spec(DP_IP, 9000);
	assert_int_equal(add1(fd, &fl[0], 0, &rep), -ENOSPC);
	assert_int_equal(rep.failed_index, 0);
	fl[0] = spec(DP_IP2, (uint16_t)(10000 + per_addr - 1));
	assert_int_equal(get1(fd, &fl[0], &info), 0);
	assert_memory_equal(&info.flow, &fl[0], sizeof(fl[0]));

	t0 = now_s();
	for (done = 0; done < RATE_FLOWS;) {
		unsigned int k = RATE_FLOWS - done;

		if (k > RTPGW_API_FLOW_BATCH_MAX)
			k = RTPGW_API_FLOW_BATCH_MAX;
		for (unsigned int i = 0; i < k; i++) {
			unsigned int j = done + i;

			fl[i] = spec(j < per_addr ? DP_IP : DP_IP2,
				     (uint16_t)(10000 + j % per_addr));
		}
		assert_int_equal(batch(fd, RTPGW_API_FLOW_DEL, 0, fl, k, &rep), 0);
		assert_int_equal(rep.applied, k);
		done += k;
	}
	t_del = now_s() - t0;
	printf("# install_rate: %u flows deleted in %.3f s, %.0f flows/s\n", RATE_FLOWS, t_del,
	       RATE_FLOWS / t_del);
	assert_int_equal(n_flows(fd), 0);
}

/* --- the two threads ------------------------------------------------- */

#define CASE(f) cmocka_unit_test_setup_teardown(f, case_setup, case_teardown)

static void *
client_main(void *arg)
{
	const struct CMUnitTest tests[] = {
		CASE(hello_reply_describes_dataplane),
		CASE(hello_first_rule),
		CASE(wrong_version_hello_refused),
		CASE(malformed_messages_get_ebadmsg_and_change_nothing),
		CASE(truncated_header_gets_ebadmsg_with_its_id),
		CASE(unknown_type_enotsup),
		CASE(flow_add_batch_is_all_or_nothing),
		CASE(exist_ok_is_idempotent),
		CASE(batch_flag_error_reply_carries_batch_reply),
		CASE(missing_ok_delete),
		CASE(flow_mod_keeps_statistics),
		CASE(flow_list_pages_through_1000_flows),
		CASE(flow_get_answers_in_order_or_fails_whole),
		CASE(stats_replies_are_well_formed),
		CASE(events_subscribe_accepted),
		CASE(peer_closing_mid_request_does_not_hurt_agent),
		CASE(slow_reader_is_disconnected_not_waited_for),
		CASE(too_many_clients_refused_gracefully),
		CASE(install_rate),
	};

	(void)arg;
	g.result = cmocka_run_group_tests(tests, NULL, NULL);
	__atomic_store_n(&g.done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int
dataplane_up(void)
{
	struct dp_config cfg = {
		.n_workers = 1, .max_flows = MAX_FLOWS, .n_mbufs = 4095, .n_addrs = 2};
	char prefix[64];
	int rc;

	snprintf(g.dir, sizeof(g.dir), "/tmp/rtpgw-api-XXXXXX");
	if (mkdtemp(g.dir) == NULL)
		return -errno;
	snprintf(g.sock, sizeof(g.sock), "%s/api.sock", g.dir);
	snprintf(prefix, sizeof(prefix), "rtpgw-api-%d", getpid());
	/* --no-shconf --no-telemetry: EAL's runtime directory stays empty
	 * (removed at exit). */
	/* clang-format off */
	char *argv[] = {"component", "-l", "0-1", "--no-huge", "-m", "256", "--no-pci",
			"--no-shconf", "--no-telemetry", "--file-prefix", prefix, "--vdev",
			"net_null0,no-rx=1", "--log-level", "lib.eal:error", NULL};
	/* clang-format on */
	rc = rte_eal_init((int)RTE_DIM(argv) - 1, argv);
	if (rc < 0)
		return -rte_errno;
	snprintf(g.run_dir, sizeof(g.run_dir), "%s", rte_eal_get_runtime_dir());
	g.dp = calloc(1, sizeof(*g.dp));
	if (g.dp == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < 2; i++) {
		cfg.addrs[i].ip = ip(i == 0 ? DP_IP : DP_IP2);
		cfg.addrs[i].mask = ip("255.255.255.0");
		cfg.addrs[i].prefix_len = 24;
		cfg.addrs[i].gateway = ip(GW_IP);
		cfg.addrs[i].port_id = 0;
	}
	rc = dp_init(g.dp, &cfg);
	if (rc < 0)
		return rc;
	g.a = agent_create(g.dp, g.sock);
	if (g.a == NULL)
		return -errno;
	return dp_start(g.dp);
}

int
main(void)
{
	pthread_t client;
	uint64_t deadline;

	g.setup_rc = dataplane_up();
	if (g.setup_rc != 0)
		fprintf(stderr, "# dataplane set-up failed: %s\n", strerror(-g.setup_rc));
	if (pthread_create(&client, NULL, client_main, NULL) != 0)
		return 1;
	/* The agent's loop, as on the main lcore of rtpgw-dataplane. */
	deadline = rte_rdtsc() + RUN_DEADLINE_S * rte_get_tsc_hz();
	while (!__atomic_load_n(&g.done, __ATOMIC_ACQUIRE)) {
		if (g.setup_rc == 0 && rte_rdtsc() < deadline)
			agent_poll(g.a, 1);
		else
			usleep(1000);
	}
	pthread_join(client, NULL);
	if (g.dp != NULL && g.dp->n_workers > 0)
		dp_stop(g.dp);
	agent_destroy(g.a);
	if (g.dp != NULL && g.dp->flows != NULL)
		dp_fini(g.dp);
	free(g.dp);
	if (g.run_dir[0] != '\0') {
		rte_eal_cleanup();
		rmdir(g.run_dir);
	}
	if (g.dir[0] != '\0')
		rmdir(g.dir);
	return g.result;
}
