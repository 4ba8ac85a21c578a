/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-gen: RTP load generator and meter for rtpgw-dataplane (issue 5).
 * EAL arguments, "--", then ours (usage() and docs/OPERATIONS.md). The
 * main lcore sends (gen.c) and, when EAL gives a second lcore, that one
 * receives; with one lcore it does both. With --api the relay flows are
 * installed through the dataplane's API before the first trial and
 * removed after the last (flows.c). --ndr runs the RFC 2544 search of
 * ndr.c over gen_trial(). stdout: human lines, then one key=value line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "flows.h"
#include "gen.h"
#include "json.h"
#include "ndr.h"

#define ARP_TRIES	20
#define ARP_INTERVAL_MS 250

struct opts {
	struct gen_config gen;
	const char *api;
	const char *json;
	double rate;
	double duration;
	double warmup;
	bool ndr;
	double rate_min, rate_max;
	double trial;
	double precision;
	double loss_tolerance;
	int src_mode;
};

static struct gen *the_gen;

#define DROP_NAME(n, d) #n,
static const char *const drop_names[] = {RTPGW_FOREACH_DROP(DROP_NAME)};
#undef DROP_NAME

/* One trial; with the API, the dataplane's drop counters over it too
 * (which side lost packets: NO_FLOW, TX_FULL, ... or none). */
struct trial_ctx {
	struct gen *g;
	struct flows *flows; /* NULL without --api */
	uint64_t dp_drops[RTPGW_DROP_MAX];
	bool have_drops;
};

static int
trial(struct trial_ctx *t, double rate, double warmup, double duration, struct gen_result *r)
{
	uint64_t before[RTPGW_DROP_MAX];
	int rc;

	t->have_drops = t->flows != NULL && flows_drops(t->flows, before) == 0;
	rc = gen_trial(t->g, rate, warmup, duration, r);
	if (rc < 0 || !t->have_drops)
		return rc;
	t->have_drops = flows_drops(t->flows, t->dp_drops) == 0;
	for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++)
		t->dp_drops[k] -= before[k];
	if (t->have_drops) {
		const char *sep = "  dataplane drops during the trial:";

		for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++)
			if (t->dp_drops[k] > 0) {
				fprintf(stderr, "%s %s %" PRIu64, sep, drop_names[k],
					t->dp_drops[k]);
				sep = ",";
			}
		if (sep[0] == ',')
			fprintf(stderr, "\n");
	}
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: rtpgw-gen [EAL options] -- --local IP --gw IP[,IP...] [options]\n"
		"  --port N            DPDK port (default 0)\n"
		"  --local IP          our address (ARP is answered for it)\n"
		"  --gw IP[,IP...]     the dataplane's media addresses (at most %u, one\n"
		"                      port and MAC: ARP asks for the first); an address\n"
		"                      carries (65535 - base port) / 2 + 1 streams\n"
		"  --gw-mac MAC        skip ARP for the gateway\n"
		"  --streams N         RTP streams (default 1000, at most %u)\n"
		"  --ptime MS          packet time (default 20)\n"
		"  --payload BYTES     RTP payload size (default 160, at least %zu)\n"
		"  --pt PT             payload type (default 0, PCMU)\n"
		"  --clock HZ          RTP clock (default 8000)\n"
		"  --rate PPS          aggregate rate (default streams x 1000 / ptime)\n"
		"  --duration S        measured trial (default 5)\n"
		"  --warmup S          sent before the trial, not measured (default 1)\n"
		"  --drain MS          receive only after a trial (default 200)\n"
		"  --rxq N             RX queues to poll (default: the dataplane's workers + 1\n"
		"                      with --api, else 2; net_memif needs one per TX queue\n"
		"                      of the peer)\n"
		"  --api SOCK          install (and remove) the relay flows through the API\n"
		"  --latch             flows latch their source instead of strict\n"
		"  --base-port P       UDP ports P, P + 2, ... on each gateway address in\n"
		"                      turn: stream i uses address i / per, port\n"
		"                      P + 2 (i %% per), per = (65535 - P) / 2 + 1\n"
		"                      (default 20000)\n"
		"  --ndr               search the no-drop rate (RFC 2544)\n"
		"  --rate-min PPS      lowest rate of the search (default 1%% of the max)\n"
		"  --rate-max PPS      highest (default: an unthrottled trial's TX rate)\n"
		"  --trial S           trial length of each search step (default 2)\n"
		"  --precision F       relative precision of the search (default 0.01)\n"
		"  --loss-tolerance F  fraction of packets a passing trial may lose (0)\n"
		"  --json FILE         JSON report\n"
		"exit: 0 ok, 1 run error, 2 usage\n",
		GEN_GW_MAX, GEN_STREAMS_MAX, sizeof(struct gen_payload));
}

static int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

static int
parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	double v;

	if (parse_double(s, min, max, &v) < 0 || v != floor(v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* --gw IP[,IP...] */
static int
parse_gw(const char *arg, struct gen_config *cfg)
{
	char buf[GEN_GW_MAX * 16 + 1], *tok, *save = NULL;

	if (strlen(arg) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, arg);
	cfg->n_gw = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (cfg->n_gw == GEN_GW_MAX || inet_pton(AF_INET, tok, &cfg->gw_ip[cfg->n_gw]) != 1)
			return -EINVAL;
		cfg->n_gw++;
	}
	return cfg->n_gw > 0 ? 0 : -EINVAL;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lopts[] = {
		{"port", required_argument, NULL, 'P'},
		{"local", required_argument, NULL, 'l'},
		{"gw", required_argument, NULL, 'g'},
		{"gw-mac", required_argument, NULL, 'M'},
		{"streams", required_argument, NULL, 'n'},
		{"ptime", required_argument, NULL, 't'},
		{"payload", required_argument, NULL, 'b'},
		{"pt", required_argument, NULL, 'p'},
		{"clock", required_argument, NULL, 'c'},
		{"rate", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"warmup", required_argument, NULL, 'w'},
		{"drain", required_argument, NULL, 'D'},
		{"rxq", required_argument, NULL, 'q'},
		{"api", required_argument, NULL, 'a'},
		{"latch", no_argument, NULL, 'L'},
		{"base-port", required_argument, NULL, 'B'},
		{"ndr", no_argument, NULL, 'N'},
		{"rate-min", required_argument, NULL, 'm'},
		{"rate-max", required_argument, NULL, 'x'},
		{"trial", required_argument, NULL, 'T'},
		{"precision", required_argument, NULL, 'e'},
		{"loss-tolerance", required_argument, NULL, 'o'},
		{"json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool have_local = false, have_gw = false;
	int c, li = 0;
	uint32_t v;

	while ((c = getopt_long(argc, argv, "h", lopts, &li)) != -1) {
		int rc = 0;

		switch (c) {
		case 'P':
			rc = parse_uint(optarg, 0, RTE_MAX_ETHPORTS - 1, &v);
			o->gen.port_id = (uint16_t)v;
			break;
		case 'l':
			rc = inet_pton(AF_INET, optarg, &o->gen.local_ip) == 1 ? 0 : -EINVAL;
			have_local = true;
			break;
		case 'g':
			rc = parse_gw(optarg, &o->gen);
			have_gw = true;
			break;
		case 'M': {
			struct rte_ether_addr mac;

			rc = rte_ether_unformat_addr(optarg, &mac);
			memcpy(o->gen.gw_mac, mac.addr_bytes, 6);
			o->gen.have_gw_mac = true;
			break;
		}
		case 'n':
			rc = parse_uint(optarg, 1, GEN_STREAMS_MAX, &o->gen.n_streams);
			break;
		case 't':
			rc = parse_uint(optarg, 1, 1000, &v);
			o->gen.ptime_ms = (uint16_t)v;
			break;
		case 'b':
			rc = parse_uint(optarg, sizeof(struct gen_payload), 1400, &v);
			o->gen.payload_len = (uint16_t)v;
			break;
		case 'p':
			rc = parse_uint(optarg, 0, 127, &v);
			o->gen.pt = (uint8_t)v;
			break;
		case 'c':
			rc = parse_uint(optarg, 1000, 1000000, &o->gen.clock_hz);
			break;
		case 'r':
			rc = parse_double(optarg, 1, 1e9, &o->rate);
			break;
		case 'd':
			rc = parse_double(optarg, 0.01, 86400, &o->duration);
			break;
		case 'w':
			rc = parse_double(optarg, 0, 3600, &o->warmup);
			break;
		case 'D':
			rc = parse_uint(optarg, 1, 60000, &o->gen.drain_ms);
			break;
		case 'q':
			rc = parse_uint(optarg, 1, 16, &v);
			o->gen.n_rxq = (uint16_t)v;
			break;
		case 'a':
			o->api = optarg;
			break;
		case 'L':
			o->src_mode = RTPGW_SRC_LATCH;
			break;
		case 'B':
			rc = parse_uint(optarg, 1, 65534, &v);
			o->gen.base_port = (uint16_t)v;
			break;
		case 'N':
			o->ndr = true;
			break;
		case 'm':
			rc = parse_double(optarg, 1, 1e9, &o->rate_min);
			break;
		case 'x':
			rc = parse_double(optarg, 1, 1e9, &o->rate_max);
			break;
		case 'T':
			rc = parse_double(optarg, 0.01, 3600, &o->trial);
			break;
		case 'e':
			rc = parse_double(optarg, 1e-4, 0.5, &o->precision);
			break;
		case 'o':
			rc = parse_double(optarg, 0, 1, &o->loss_tolerance);
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
		if (rc < 0) {
			fprintf(stderr, "rtpgw-gen: --%s %s: invalid value\n", lopts[li].name,
				optarg);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "rtpgw-gen: unexpected argument: %s\n", argv[optind]);
		return -EINVAL;
	}
	if (!have_local || !have_gw) {
		fprintf(stderr, "rtpgw-gen: --local and --gw are required\n");
		return -EINVAL;
	}
	if (o->gen.n_streams > gen_streams_cap(o->gen.base_port, o->gen.n_gw)) {
		fprintf(stderr,
			"rtpgw-gen: %u streams: %u --gw address(es) from --base-port %u carry %u "
			"(%u each); give more addresses\n",
			o->gen.n_streams, o->gen.n_gw, o->gen.base_port,
			gen_streams_cap(o->gen.base_port, o->gen.n_gw),
			GEN_PER_GW(o->gen.base_port));
		return -EINVAL;
	}
	if (o->rate_max > 0 && o->rate_min > o->rate_max) {
		fprintf(stderr, "rtpgw-gen: --rate-min above --rate-max\n");
		return -EINVAL;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	if (the_gen != NULL)
		gen_interrupt(the_gen);
}

static void
print_result(const char *what, const struct gen_result *r)
{
	if (r->offered_pps > 0)
		printf("%s: offered %.0f pps, ", what, r->offered_pps);
	else
		printf("%s: unthrottled, ", what);
	printf("tx %.0f pps, rx %.0f pps; sent %" PRIu64 " received %" PRIu64 " lost %" PRIu64
	       " (%u streams, worst %" PRIu64 ") dup %" PRIu64 " reordered %" PRIu64 "%s\n",
	       r->tx_pps, r->rx_pps, r->sent, r->received, r->lost, r->streams_lossy,
	       r->stream_lost_max, r->dup, r->reordered,
	       r->short_offered ? " [rate not reached]" : "");
	printf("  latency us: min %.1f p50 %.1f p99 %.1f max %.1f mean %.1f\n"
	       "  jitter us (RFC 3550 A.8, mean/max over streams): path %.1f/%.1f, "
	       "RTP timestamps %.1f/%.1f\n",
	       r->lat_min_ns / 1e3, r->lat_p50_ns / 1e3, r->lat_p99_ns / 1e3, r->lat_max_ns / 1e3,
	       r->lat_mean_ns / 1e3, r->jitter_mean_us, r->jitter_max_us, r->jitter_rtp_mean_us,
	       r->jitter_rtp_max_us);
	fflush(stdout);
}

static void
json_result(struct json *j, const char *key, const struct gen_result *r, const struct trial_ctx *t)
{
	json_object_begin(j, key);
	json_double(j, "offered_pps", r->offered_pps, 1);
	json_double(j, "tx_pps", r->tx_pps, 1);
	json_double(j, "rx_pps", r->rx_pps, 1);
	json_double(j, "duration_s", r->duration_s, 3);
	json_u64(j, "sent", r->sent);
	json_u64(j, "received", r->received);
	json_u64(j, "lost", r->lost);
	json_u64(j, "dup", r->dup);
	json_u64(j, "reordered", r->reordered);
	json_u64(j, "late", r->late);
	json_u64(j, "tx_failed", r->tx_failed);
	json_u64(j, "rx_other", r->rx_other);
	json_double(j, "lat_min_us", r->lat_min_ns / 1e3, 3);
	json_double(j, "lat_p50_us", r->lat_p50_ns / 1e3, 3);
	json_double(j, "lat_p99_us", r->lat_p99_ns / 1e3, 3);
	json_double(j, "lat_max_us", r->lat_max_ns / 1e3, 3);
	json_double(j, "lat_mean_us", r->lat_mean_ns / 1e3, 3);
	json_double(j, "jitter_mean_us", r->jitter_mean_us, 3);
	json_double(j, "jitter_max_us", r->jitter_max_us, 3);
	json_double(j, "jitter_rtp_mean_us", r->jitter_rtp_mean_us, 3);
	json_double(j, "jitter_rtp_max_us", r->jitter_rtp_max_us, 3);
	json_u64(j, "streams_lossy", r->streams_lossy);
	json_u64(j, "stream_lost_max", r->stream_lost_max);
	json_bool(j, "rate_reached", !r->short_offered);
	if (t != NULL && t->have_drops) {
		json_object_begin(j, "dataplane_drops");
		for (unsigned int k = 0; k < RTPGW_DROP_MAX; k++)
			if (t->dp_drops[k] > 0)
				json_u64(j, drop_names[k], t->dp_drops[k]);
		json_object_end(j);
	}
	json_object_end(j);
}

/* Per-stream figures of the last trial: distributions over streams, and
 * the streams that lost packets (at most 100 listed). */
static void
json_streams(struct json *j, struct gen *g, uint32_t n, uint32_t clock_hz)
{
	double jit_sum = 0, lat_mean_max = 0;
	uint64_t lat_max = 0;
	unsigned int listed = 0;

	json_object_begin(j, "streams");
	json_array_begin(j, "lossy");
	for (uint32_t i = 0; i < n; i++) {
		uint64_t sent;
		const struct meas_stream *s = gen_stream(g, i, &sent);
		double lm = s->received ? (double)s->lat_sum_ns / s->received : 0;

		jit_sum += meas_jitter_us(&s->jit_path, clock_hz);
		if (lm > lat_mean_max)
			lat_mean_max = lm;
		if (s->lat_max_ns > lat_max)
			lat_max = s->lat_max_ns;
		if (sent > s->received && listed < 100) {
			listed++;
			json_object_begin(j, NULL);
			json_u64(j, "stream", i);
			json_u64(j, "sent", sent);
			json_u64(j, "received", s->received);
			json_u64(j, "dup", s->dup);
			json_u64(j, "reordered", s->reordered);
			json_double(j, "jitter_us", meas_jitter_us(&s->jit_path, clock_hz), 3);
			json_double(j, "jitter_rtp_us", meas_jitter_us(&s->jit_rtp, clock_hz), 3);
			json_object_end(j);
		}
	}
	json_array_end(j);
	json_u64(j, "count", n);
	json_double(j, "jitter_mean_us", jit_sum / n, 3);
	json_double(j, "lat_mean_worst_us", lat_mean_max / 1e3, 3);
	json_double(j, "lat_max_us", lat_max / 1e3, 3);
	json_object_end(j);
}

/*
 * The latency histogram as [[upper bound in us, count], ...] over its
 * non-empty buckets (meas.h: each bucket at most 1.6% wide), for a CDF.
 */
static void
json_hist(struct json *j, const char *key, const struct meas_hist *h)
{
	json_array_begin(j, key);
	for (unsigned int b = 0; h != NULL && b < MEAS_HIST_BUCKETS; b++) {
		if (!h->buckets[b])
			continue;
		json_array_begin(j, NULL);
		json_double(j, NULL, meas_hist_bucket_top(b) / 1e3, 3);
		json_u64(j, NULL, h->buckets[b]);
		json_array_end(j);
	}
	json_array_end(j);
}

static int
run(struct opts *o, struct trial_ctx *t, struct json *j)
{
	struct gen *g = t->g;
	struct gen_result r, at_ndr;
	double nominal = (double)o->gen.n_streams * 1000.0 / o->gen.ptime_ms;
	int rc;

	if (!o->ndr) {
		double rate = o->rate > 0 ? o->rate : nominal;

		rc = trial(t, rate, o->warmup, o->duration, &r);
		if (rc < 0)
			return rc;
		print_result("trial", &r);
		if (j != NULL) {
			json_array_begin(j, "trials");
			json_result(j, NULL, &r, t);
			json_array_end(j);
			json_hist(j, "latency_hist", gen_hist(g));
			json_streams(j, g, o->gen.n_streams, o->gen.clock_hz);
		}
		printf("tx_pps=%.0f rx_pps=%.0f sent=%" PRIu64 " received=%" PRIu64 " lost=%" PRIu64
		       " dup=%" PRIu64 " reordered=%" PRIu64 " lat_p50_us=%.1f lat_p99_us=%.1f "
		       "lat_max_us=%.1f jitter_us=%.1f\n",
		       r.tx_pps, r.rx_pps, r.sent, r.received, r.lost, r.dup, r.reordered,
		       r.lat_p50_ns / 1e3, r.lat_p99_ns / 1e3, r.lat_max_ns / 1e3,
		       r.jitter_mean_us);
		return 0;
	}

	/* the histogram of the trial at the NDR (15 KB: not on the stack) */
	static struct meas_hist at_ndr_hist;
	struct ndr n;
	double rate_max = o->rate_max, rate;

	meas_hist_reset(&at_ndr_hist);

	if (j != NULL)
		json_array_begin(j, "trials");
	if (rate_max <= 0) {
		fprintf(stderr, "ndr: unthrottled trial for the port's limit (%.1f s)\n", o->trial);
		rc = trial(t, 0, o->warmup, o->trial, &r);
		if (rc < 0)
			return rc;
		print_result("limit trial", &r);
		if (j != NULL)
			json_result(j, NULL, &r, t);
		rate_max = r.tx_pps;
	}
	ndr_init(&n, o->rate_min > 0 ? o->rate_min : rate_max / 100, rate_max, o->precision);
	memset(&at_ndr, 0, sizeof(at_ndr));
	while ((rate = ndr_next(&n)) > 0) {
		bool pass;

		rc = trial(t, rate, o->warmup, o->trial, &r);
		if (rc < 0)
			return rc;
		pass = (double)r.lost <= o->loss_tolerance * (double)r.sent && !r.short_offered &&
		       r.sent > 0;
		ndr_report(&n, pass);
		if (pass && rate >= ndr_result(&n)) {
			at_ndr = r;
			at_ndr_hist = *gen_hist(g);
		}
		fprintf(stderr,
			"ndr: step %u rate %.0f pps: sent %" PRIu64 " lost %" PRIu64 "%s -> %s "
			"[%.0f, %.0f]\n",
			n.trials, rate, r.sent, r.lost,
			r.short_offered ? " (rate not reached)" : "", pass ? "pass" : "FAIL",
			n.pass, n.fail);
		if (j != NULL)
			json_result(j, NULL, &r, t);
	}
	if (j != NULL) {
		json_array_end(j);
		json_object_begin(j, "ndr");
		json_double(j, "ndr_pps", ndr_result(&n), 1);
		json_double(j, "ndr_streams", ndr_result(&n) * o->gen.ptime_ms / 1000.0, 1);
		json_double(j, "rate_min", n.rate_min, 1);
		json_double(j, "rate_max", n.rate_max, 1);
		json_u64(j, "steps", n.trials);
		json_result(j, "at_ndr", &at_ndr, NULL);
		json_hist(j, "latency_hist", &at_ndr_hist);
		json_object_end(j);
	}
	print_result("at ndr", &at_ndr);
	printf("ndr_pps=%.0f ndr_streams=%.0f lat_p50_us=%.1f lat_p99_us=%.1f\n", ndr_result(&n),
	       ndr_result(&n) * o->gen.ptime_ms / 1000.0, at_ndr.lat_p50_ns / 1e3,
	       at_ndr.lat_p99_ns / 1e3);
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o = {
		.gen = {.n_streams = 1000,
			.ptime_ms = 20,
			.payload_len = 160,
			.clock_hz = 8000,
			.base_port = 20000,
			.drain_ms = 200,
			.progress = true},
		.duration = 5,
		.warmup = 1,
		.trial = 2,
		.precision = 0.01,
		.src_mode = RTPGW_SRC_STRICT,
	};
	struct sigaction sa = {.sa_handler = on_signal};
	struct flows *flows = NULL;
	struct json js, *j = NULL;
	FILE *jf = NULL;
	unsigned int lcore;
	int n, rc = 0, status = 0;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "rtpgw-gen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	argv[0] = "rtpgw-gen";
	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		rte_eal_cleanup();
		return 2;
	}
	o.gen.rx_lcore = RTE_MAX_LCORE;
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore < RTE_MAX_LCORE)
		o.gen.rx_lcore = lcore;
	if (o.gen.port_id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(o.gen.port_id)) {
		fprintf(stderr, "rtpgw-gen: port %u: no such port (%u probed; --vdev?)\n",
			o.gen.port_id, rte_eth_dev_count_avail());
		rte_eal_cleanup();
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o.api != NULL) {
		flows = flows_install(o.api, &o.gen, o.src_mode);
		if (flows == NULL) {
			status = 1;
			goto out;
		}
	}
	if (o.gen.n_rxq == 0) {
		/* The dataplane sends on one TX queue per worker plus the
		 * agent's (ARP replies); over net_memif each of its TX queues
		 * reaches only an RX queue of ours with the same index, so we
		 * poll as many. Extra queues of other drivers stay empty. */
		struct rte_eth_dev_info info;
		uint32_t want = flows != NULL ? flows_workers(flows) + 1 : 2;

		if (rte_eth_dev_info_get(o.gen.port_id, &info) == 0 && info.max_rx_queues < want)
			want = info.max_rx_queues;
		o.gen.n_rxq = (uint16_t)(want > 0 ? want : 1);
	}
	printf("rtpgw-gen: %u streams, ptime %u ms, payload %u bytes, PT %u, %s, port %u (%u RX "
	       "queues), %s\n",
	       o.gen.n_streams, o.gen.ptime_ms, o.gen.payload_len, o.gen.pt,
	       o.rate > 0 ? "fixed aggregate rate" : "paced per stream", o.gen.port_id, o.gen.n_rxq,
	       o.gen.rx_lcore < RTE_MAX_LCORE ? "TX and RX lcores" : "TX and RX on one lcore");
	the_gen = gen_create(&o.gen);
	if (the_gen == NULL) {
		status = 1;
		goto out;
	}
	rc = gen_resolve(the_gen, ARP_TRIES, ARP_INTERVAL_MS);
	if (rc == -EINTR) {
		fprintf(stderr, "rtpgw-gen: interrupted\n");
		status = 1;
		goto out;
	}
	if (rc < 0) {
		char gw[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &o.gen.gw_ip[0], gw, sizeof(gw));
		fprintf(stderr,
			"rtpgw-gen: no ARP reply from the gateway %s after %u tries (%u ms apart); "
			"is it on port %u with that address? (--gw-mac skips ARP)\n",
			gw, ARP_TRIES, ARP_INTERVAL_MS, o.gen.port_id);
		status = 1;
		goto out;
	}
	if (o.json != NULL) {
		jf = fopen(o.json, "w");
		if (jf == NULL) {
			fprintf(stderr, "rtpgw-gen: %s: %s\n", o.json, strerror(errno));
			status = 1;
			goto out;
		}
		j = &js;
		json_init(j, jf);
		json_object_begin(j, NULL);
		json_object_begin(j, "config");
		json_u64(j, "streams", o.gen.n_streams);
		json_u64(j, "ptime_ms", o.gen.ptime_ms);
		json_u64(j, "payload", o.gen.payload_len);
		json_u64(j, "pt", o.gen.pt);
		json_u64(j, "clock_hz", o.gen.clock_hz);
		json_double(j, "rate_pps",
			    o.rate > 0 ? o.rate : o.gen.n_streams * 1000.0 / o.gen.ptime_ms, 1);
		json_double(j, "duration_s", o.duration, 3);
		json_double(j, "warmup_s", o.warmup, 3);
		json_u64(j, "drain_ms", o.gen.drain_ms);
		json_u64(j, "base_port", o.gen.base_port);
		json_u64(j, "gw_addrs", o.gen.n_gw);
		json_bool(j, "api", o.api != NULL);
		json_bool(j, "ndr", o.ndr);
		json_double(j, "trial_s", o.trial, 3);
		json_double(j, "precision", o.precision, 4);
		json_double(j, "loss_tolerance", o.loss_tolerance, 6);
		json_bool(j, "rx_lcore", o.gen.rx_lcore < RTE_MAX_LCORE);
		json_object_end(j);
	}
	struct trial_ctx tctx = {.g = the_gen, .flows = flows};

	rc = run(&o, &tctx, j);
	if (rc < 0) {
		fprintf(stderr, "rtpgw-gen: %s\n", rc == -EINTR ? "interrupted" : strerror(-rc));
		status = 1;
	}
	if (j != NULL) {
		json_object_end(j);
		if (fclose(jf) != 0)
			status = 1;
	}
out:
	if (flows != NULL && flows_remove(flows) < 0)
		status = 1;
	gen_destroy(the_gen);
	rte_eal_cleanup();
	return status;
}
