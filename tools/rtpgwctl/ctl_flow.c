/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgwctl flow commands: `flows` walks FLOW_LIST page by page, `flow get`
 * reads flows by key, `flow add|mod|del` send one-flow batches and
 * `flow add-batch` installs a file of SPEC lines in batches of
 * RTPGW_API_FLOW_BATCH_MAX, measuring flows per second. Every SPEC and key is
 * parsed (flow_args.c) before the connection is opened, and a file is parsed
 * whole before its first batch is sent, so a typo never leaves half a file
 * installed. The agent's failed_index is mapped back to the key or the file
 * line it came from.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "flow_args.h"

/* Flow infos that fit one FLOW_LIST or FLOW_GET reply. */
#define FLOW_INFO_MAX                                        \
	((RTPGW_API_MSG_MAX - sizeof(struct rtpgw_api_hdr) - \
	  sizeof(struct rtpgw_api_flow_info_list)) /         \
	 sizeof(struct rtpgw_api_flow_info))

static uint32_t
clock_rate_of(const struct rtpgw_api_flow *f)
{
	return f->clock_rate ? f->clock_rate : FLOW_ARGS_RATE_DEFAULT;
}

static double
jitter_ms(const struct rtpgw_api_flow_info *fi)
{
	return 1000.0 * fi->stats.jitter / clock_rate_of(&fi->flow);
}

static void
json_endpoint(struct json *js, const char *ip_key, const char *port_key,
	      const struct rtpgw_api_ip *ip, uint16_t port)
{
	char a[FLOW_ARGS_ENDPOINT_MAX];

	if (ip->family == 0) {
		json_null(js, ip_key);
		json_null(js, port_key);
		return;
	}
	flow_args_format_ip(ip, a, sizeof(a));
	json_string(js, ip_key, a);
	json_u64(js, port_key, ntohs(port));
}

static void
json_flow(struct json *js, const struct rtpgw_api_flow *f)
{
	unsigned int i;

	json_endpoint(js, "local_ip", "local_port", &f->local, f->local_port);
	json_string(js, "action", flow_args_action_name(f->action));
	json_string(js, "mode", flow_args_mode_name(f->src_mode));
	json_endpoint(js, "src_ip", "src_port", &f->src, f->src_port);
	json_string(js, "rtcp", flow_args_rtcp_name(f->rtcp));
	json_endpoint(js, "out_ip", "out_port", &f->out_local, f->out_port);
	json_endpoint(js, "peer_ip", "peer_port", &f->peer, f->peer_port);
	json_u64(js, "flags", f->flags);
	if (f->flags & RTPGW_FLOW_F_SSRC_REWRITE)
		json_u64(js, "ssrc_out", f->ssrc_out);
	else
		json_null(js, "ssrc_out");
	json_bool(js, "continuous", f->flags & RTPGW_FLOW_F_SEQ_CONTINUOUS);
	json_bool(js, "rtcp_events", f->flags & RTPGW_FLOW_F_RTCP_EVENTS);
	json_array_begin(js, "ptmap");
	for (i = 0; i < f->n_pt_map && i < RTPGW_PT_MAP_MAX; i++) {
		json_object_begin(js, NULL);
		json_u64(js, "in", f->pt_map[i].in);
		json_u64(js, "out", f->pt_map[i].out);
		json_object_end(js);
	}
	json_array_end(js);
	json_u64(js, "clock_rate", clock_rate_of(f));
	json_u64(js, "idle_timeout_ms", f->idle_timeout_ms);
	json_u64(js, "cookie", f->cookie);
}

static void
json_flow_info(struct json *js, const struct rtpgw_api_flow_info *fi)
{
	const struct rtpgw_api_flow_stats *s = &fi->stats;

	json_object_begin(js, NULL);
	json_flow(js, &fi->flow);
	json_object_begin(js, "stats");
	json_u64(js, "packets", s->packets);
	json_u64(js, "octets", s->octets);
	json_u64(js, "rtcp_packets", s->rtcp_packets);
	json_u64(js, "dropped", s->dropped);
	if (s->last_seen_ns)
		json_u64(js, "last_seen_ns", s->last_seen_ns);
	else
		json_null(js, "last_seen_ns");
	json_u64(js, "ssrc", s->ssrc);
	json_u64(js, "ssrc_changes", s->ssrc_changes);
	json_u64(js, "pt", s->pt);
	json_u64(js, "pt_changes", s->pt_changes);
	json_i64(js, "lost", s->lost);
	json_u64(js, "expected", s->expected);
	json_u64(js, "received", s->received);
	json_u64(js, "duplicates", s->duplicates);
	json_u64(js, "reordered", s->reordered);
	json_u64(js, "seq_cycles", s->seq_cycles);
	json_u64(js, "seq_restarts", s->seq_restarts);
	json_u64(js, "jitter", s->jitter);
	json_double(js, "jitter_ms", jitter_ms(fi), 3);
	json_bool(js, "latched", s->latched);
	json_endpoint(js, "latched_ip", "latched_port", &s->latched_ip, s->latched_port);
	json_object_end(js);
	json_object_end(js);
}

static void
format_seen(uint64_t ns, char *buf, size_t len)
{
	if (ns == 0)
		snprintf(buf, len, "never");
	else
		snprintf(buf, len, "t+%.3fs", ns / 1e9);
}

static void
print_flow_header(void)
{
	printf("%-21s %-21s %-6s %-7s %12s %8s %-16s %6s %6s %-10s %s\n", "LOCAL", "PEER", "ACTION",
	       "MODE", "PACKETS", "LOST", "JITTER", "DUP", "REORD", "SSRC", "LAST_SEEN");
}

static void
print_flow_row(const struct rtpgw_api_flow_info *fi)
{
	const struct rtpgw_api_flow *f = &fi->flow;
	const struct rtpgw_api_flow_stats *s = &fi->stats;
	char local[FLOW_ARGS_ENDPOINT_MAX];
	char peer[FLOW_ARGS_ENDPOINT_MAX];
	char jitter[32];
	char seen[32];
	char ssrc[16];
	const char *mode;

	flow_args_format_endpoint(&f->local, f->local_port, local, sizeof(local));
	flow_args_format_endpoint(&f->peer, f->peer_port, peer, sizeof(peer));
	mode = flow_args_mode_name(f->src_mode);
	if (f->src_mode == RTPGW_SRC_LATCH && s->latched)
		mode = "latched";
	snprintf(jitter, sizeof(jitter), "%u (%.1fms)", s->jitter, jitter_ms(fi));
	if (s->packets)
		snprintf(ssrc, sizeof(ssrc), "0x%08x", s->ssrc);
	else
		snprintf(ssrc, sizeof(ssrc), "-");
	format_seen(s->last_seen_ns, seen, sizeof(seen));
	printf("%-21s %-21s %-6s %-7s %12llu %8d %-16s %6u %6u %-10s %s\n", local, peer,
	       flow_args_action_name(f->action), mode, (unsigned long long)s->packets, s->lost,
	       jitter, s->duplicates, s->reordered, ssrc, seen);
}

static void
print_flow_detail(const struct rtpgw_api_flow_info *fi)
{
	const struct rtpgw_api_flow *f = &fi->flow;
	const struct rtpgw_api_flow_stats *s = &fi->stats;
	char spec[FLOW_ARGS_TEXT_MAX];
	char a[FLOW_ARGS_ENDPOINT_MAX];
	char seen[32];

	flow_args_format_endpoint(&f->local, f->local_port, a, sizeof(a));
	flow_args_format(f, spec, sizeof(spec));
	format_seen(s->last_seen_ns, seen, sizeof(seen));
	printf("flow %s\n", a);
	printf("  spec       %s\n", spec);
	if (f->src_mode == RTPGW_SRC_LATCH) {
		flow_args_format_endpoint(&s->latched_ip, s->latched_port, a, sizeof(a));
		printf("  latched    %s\n", s->latched ? a : "not yet");
	}
	printf("  packets    %llu, octets %llu, rtcp %llu, dropped %llu\n",
	       (unsigned long long)s->packets, (unsigned long long)s->octets,
	       (unsigned long long)s->rtcp_packets, (unsigned long long)s->dropped);
	printf("  last seen  %s\n", seen);
	printf("  ssrc       0x%08x, %u changes\n", s->ssrc, s->ssrc_changes);
	printf("  pt         %u, %u changes\n", s->pt, s->pt_changes);
	printf("  sequence   received %u, expected %u, lost %d, duplicates %u, reordered %u, "
	       "cycles %u, restarts %u\n",
	       s->received, s->expected, s->lost, s->duplicates, s->reordered, s->seq_cycles,
	       s->seq_restarts);
	printf("  jitter     %u ts (%.3f ms at %u Hz)\n", s->jitter, jitter_ms(fi),
	       clock_rate_of(f));
}

int
ctl_flow_list(struct ctl *ctl, int argc, char **argv)
{
	struct rtpgw_api_flow_list_req req = {.cursor = 0, .max = FLOW_INFO_MAX};
	const struct rtpgw_api_flow_info_list *l;
	uint64_t total = 0;
	int ret = CTL_EXIT_OK;
	uint32_t i;

	if (argc > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[1]);
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_array_begin(&ctl->js, "flows");
	}
	/* Pages are not a snapshot: flows added or deleted meanwhile may show or not. */
	for (;;) {
		if (ctl_request(ctl, RTPGW_API_FLOW_LIST, &req, sizeof(req), NULL) < 0) {
			ret = CTL_EXIT_API;
			break;
		}
		l = (const struct rtpgw_api_flow_info_list *)ctl->reply;
		for (i = 0; i < l->count; i++) {
			if (ctl->json) {
				json_flow_info(&ctl->js, &l->infos[i]);
				continue;
			}
			if (total + i == 0)
				print_flow_header();
			print_flow_row(&l->infos[i]);
		}
		total += l->count;
		if (l->next == 0)
			break;
		if (l->next == req.cursor) {
			ctl_error(ctl, "invalid reply: FLOW_LIST cursor %u did not advance",
				  l->next);
			ret = CTL_EXIT_API;
			break;
		}
		req.cursor = l->next;
	}
	if (ctl->json) {
		json_array_end(&ctl->js);
		json_u64(&ctl->js, "count", total);
		json_object_end(&ctl->js);
	} else if (total == 0 && ret == CTL_EXIT_OK) {
		printf("no flows\n");
	}
	return ret;
}

static struct rtpgw_api_flow_batch *
batch_alloc(uint32_t n)
{
	return calloc(1, sizeof(struct rtpgw_api_flow_batch) + n * sizeof(struct rtpgw_api_flow));
}

static uint32_t
batch_len(const struct rtpgw_api_flow_batch *b)
{
	return sizeof(*b) + b->count * sizeof(b->flows[0]);
}

/*
 * Send an ADD/MOD/DEL batch. Returns 0 with the reply in *rep, or a negative
 * error after printing it; *failed is the failing index when the agent gave
 * one, else UINT32_MAX.
 */
static int
batch_send(struct ctl *ctl, uint16_t type, const struct rtpgw_api_flow_batch *b,
	   struct rtpgw_api_flow_batch_reply *rep, uint32_t *failed)
{
	uint32_t len;
	int ret;

	*failed = UINT32_MAX;
	ret = ctl_request(ctl, type, b, batch_len(b), &len);
	if (len == sizeof(*rep))
		memcpy(rep, ctl->reply, sizeof(*rep));
	if (ret < 0) {
		if (len == sizeof(*rep) && api_client_error(ctl->client) == 0 &&
		    rep->failed_index < b->count)
			*failed = rep->failed_index;
		return ret;
	}
	if (rep->applied > b->count) {
		ctl_error(ctl, "invalid reply: %u flows applied of %u sent", rep->applied,
			  b->count);
		return -EBADMSG;
	}
	return 0;
}

static void
json_batch_result(struct ctl *ctl, uint32_t count, uint32_t applied)
{
	json_object_begin(&ctl->js, NULL);
	json_u64(&ctl->js, "count", count);
	json_u64(&ctl->js, "applied", applied);
	json_object_end(&ctl->js);
}

static int
flow_get(struct ctl *ctl, int argc, char **argv)
{
	const struct rtpgw_api_flow_info_list *l;
	struct rtpgw_api_flow_batch *b;
	char err[FLOW_ARGS_ERR_MAX];
	int ret = CTL_EXIT_OK;
	uint32_t i;
	int n = argc - 2;

	if (n < 1)
		return ctl_usage_error(ctl, "missing IP:PORT");
	if (n > (int)FLOW_INFO_MAX)
		return ctl_usage_error(ctl, "at most %zu flows per request", FLOW_INFO_MAX);
	b = batch_alloc(n);
	if (b == NULL) {
		ctl_error(ctl, "out of memory");
		return CTL_EXIT_API;
	}
	b->count = n;
	for (i = 0; i < b->count; i++) {
		if (flow_args_parse_endpoint(argv[2 + i], &b->flows[i].local,
					     &b->flows[i].local_port, err, sizeof(err)) < 0) {
			ret = ctl_usage_error(ctl, "%s", err);
			goto out;
		}
	}
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (ctl_request(ctl, RTPGW_API_FLOW_GET, b, batch_len(b), NULL) < 0) {
		ret = CTL_EXIT_API;
		goto out;
	}
	l = (const struct rtpgw_api_flow_info_list *)ctl->reply;
	if (l->count != b->count) {
		ctl_error(ctl, "invalid reply: %u flows for %u keys", l->count, b->count);
		ret = CTL_EXIT_API;
		goto out;
	}
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_array_begin(&ctl->js, "flows");
	}
	for (i = 0; i < l->count; i++) {
		if (ctl->json) {
			json_flow_info(&ctl->js, &l->infos[i]);
			continue;
		}
		if (i > 0)
			printf("\n");
		print_flow_detail(&l->infos[i]);
	}
	if (ctl->json) {
		json_array_end(&ctl->js);
		json_object_end(&ctl->js);
	}
out:
	free(b);
	return ret;
}

/* flow add SPEC, flow mod SPEC. */
static int
flow_add_mod(struct ctl *ctl, int argc, char **argv, uint16_t type)
{
	struct rtpgw_api_flow_batch_reply rep = {0};
	struct rtpgw_api_flow_batch *b;
	char err[FLOW_ARGS_ERR_MAX];
	char key[FLOW_ARGS_ENDPOINT_MAX];
	static char cmd[FLOW_ARGS_ENDPOINT_MAX + 16];
	uint32_t failed;
	uint32_t flags;
	int ret;

	if (argc < 3)
		return ctl_usage_error(ctl, "missing SPEC");
	b = batch_alloc(1);
	if (b == NULL) {
		ctl_error(ctl, "out of memory");
		return CTL_EXIT_API;
	}
	b->count = 1;
	if (flow_args_parse(argc - 2, argv + 2, &b->flows[0], &flags, err, sizeof(err)) < 0) {
		ret = ctl_usage_error(ctl, "%s", err);
		goto out;
	}
	if (type == RTPGW_API_FLOW_ADD && (flags & RTPGW_API_F_MISSING_OK)) {
		ret = ctl_usage_error(ctl, "'missing-ok' applies to flow mod and flow del");
		goto out;
	}
	if (type == RTPGW_API_FLOW_MOD && (flags & RTPGW_API_F_EXIST_OK)) {
		ret = ctl_usage_error(ctl, "'exist-ok' applies to flow add");
		goto out;
	}
	b->flags = flags;
	flow_args_format_endpoint(&b->flows[0].local, b->flows[0].local_port, key, sizeof(key));
	/* Diagnostics name the flow: "rtpgwctl: flow add 198.51.100.1:10000: ..." */
	snprintf(cmd, sizeof(cmd), "%s %s", ctl->cmd, key);
	ctl->cmd = cmd;

	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (batch_send(ctl, type, b, &rep, &failed) < 0) {
		ret = CTL_EXIT_API;
		goto out;
	}
	if (ctl->json)
		json_batch_result(ctl, 1, rep.applied);
	else if (type == RTPGW_API_FLOW_ADD)
		printf(rep.applied ? "added %s\n" : "%s already present\n", key);
	else
		printf(rep.applied ? "modified %s\n" : "%s missing, skipped\n", key);
out:
	free(b);
	return ret;
}

static int
flow_del(struct ctl *ctl, int argc, char **argv)
{
	struct rtpgw_api_flow_batch_reply rep = {0};
	struct rtpgw_api_flow_batch *b;
	char err[FLOW_ARGS_ERR_MAX];
	char key[FLOW_ARGS_ENDPOINT_MAX];
	uint32_t failed;
	int ret = CTL_EXIT_OK;
	int i;

	b = batch_alloc(argc);
	if (b == NULL) {
		ctl_error(ctl, "out of memory");
		return CTL_EXIT_API;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "missing-ok") == 0) {
			b->flags |= RTPGW_API_F_MISSING_OK;
			continue;
		}
		if (flow_args_parse_endpoint(argv[i], &b->flows[b->count].local,
					     &b->flows[b->count].local_port, err,
					     sizeof(err)) < 0) {
			ret = ctl_usage_error(ctl, "%s", err);
			goto out;
		}
		b->count++;
	}
	if (b->count == 0) {
		ret = ctl_usage_error(ctl, "missing IP:PORT");
		goto out;
	}
	if (b->count > RTPGW_API_FLOW_BATCH_MAX) {
		ret = ctl_usage_error(ctl, "at most %zu flows per request",
				      RTPGW_API_FLOW_BATCH_MAX);
		goto out;
	}
	flow_args_format_endpoint(&b->flows[0].local, b->flows[0].local_port, key, sizeof(key));
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		goto out;
	if (batch_send(ctl, RTPGW_API_FLOW_DEL, b, &rep, &failed) < 0) {
		if (failed != UINT32_MAX) {
			flow_args_format_endpoint(&b->flows[failed].local,
						  b->flows[failed].local_port, key, sizeof(key));
			ctl_error(ctl, "failed at %s (index %u); nothing was deleted", key, failed);
		}
		ret = CTL_EXIT_API;
		goto out;
	}
	if (ctl->json)
		json_batch_result(ctl, b->count, rep.applied);
	else if (b->count == 1)
		printf(rep.applied ? "deleted %s\n" : "%s missing\n", key);
	else
		printf("deleted %u of %u flows, %u missing\n", rep.applied, b->count,
		       b->count - rep.applied);
out:
	free(b);
	return ret;
}

/* Flows of an add-batch file and the line each came from. */
struct batch_file {
	struct rtpgw_api_flow *flows;
	uint32_t *lines;
	uint32_t n;
	uint32_t cap;
};

static int
batch_file_push(struct batch_file *bf, const struct rtpgw_api_flow *f, uint32_t line)
{
	struct rtpgw_api_flow *flows;
	uint32_t *lines;
	uint32_t cap;

	if (bf->n == bf->cap) {
		cap = bf->cap ? bf->cap * 2 : 1024;
		flows = realloc(bf->flows, cap * sizeof(*flows));
		if (flows == NULL)
			return -ENOMEM;
		bf->flows = flows;
		lines = realloc(bf->lines, cap * sizeof(*lines));
		if (lines == NULL)
			return -ENOMEM;
		bf->lines = lines;
		bf->cap = cap;
	}
	bf->flows[bf->n] = *f;
	bf->lines[bf->n] = line;
	bf->n++;
	return 0;
}

/* Parse the whole file; returns a CTL_EXIT_* after printing any problem. */
static int
batch_file_read(struct ctl *ctl, const char *path, struct batch_file *bf)
{
	char *words[FLOW_ARGS_WORDS_MAX];
	char err[FLOW_ARGS_ERR_MAX];
	struct rtpgw_api_flow f;
	uint32_t line_no = 0;
	char *line = NULL;
	size_t cap = 0;
	uint32_t flags;
	FILE *in;
	int ret = CTL_EXIT_OK;
	int n;

	in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (in == NULL) {
		ctl_error(ctl, "%s: %s", path, ctl_errno_text(errno, err, sizeof(err)));
		return CTL_EXIT_USAGE;
	}
	while (getline(&line, &cap, in) >= 0) {
		line_no++;
		n = flow_args_split(line, words, FLOW_ARGS_WORDS_MAX, err, sizeof(err));
		if (n == 0)
			continue;
		if (n < 0 || flow_args_parse(n, words, &f, &flags, err, sizeof(err)) < 0) {
			ret = ctl_usage_error(ctl, "%s:%u: %s", path, line_no, err);
			break;
		}
		if (flags != 0) {
			ret = ctl_usage_error(ctl,
					      "%s:%u: '%s' applies to the whole file: write "
					      "'flow add-batch FILE exist-ok'",
					      path, line_no,
					      flags & RTPGW_API_F_EXIST_OK ? "exist-ok"
									   : "missing-ok");
			break;
		}
		if (batch_file_push(bf, &f, line_no) < 0) {
			ctl_error(ctl, "out of memory");
			ret = CTL_EXIT_API;
			break;
		}
	}
	if (ret == CTL_EXIT_OK && ferror(in)) {
		ctl_error(ctl, "%s: read error", path);
		ret = CTL_EXIT_USAGE;
	}
	free(line);
	if (in != stdin)
		fclose(in);
	return ret;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
flow_add_batch(struct ctl *ctl, int argc, char **argv)
{
	struct rtpgw_api_flow_batch_reply rep = {0};
	struct batch_file bf = {0};
	struct rtpgw_api_flow_batch *b = NULL;
	uint32_t flags = 0;
	uint64_t applied = 0;
	uint32_t batches = 0;
	const char *path;
	uint32_t failed;
	uint32_t off;
	double t0, dt;
	int ret;
	int i;

	if (argc < 3)
		return ctl_usage_error(ctl, "missing FILE");
	path = argv[2];
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "exist-ok") != 0)
			return ctl_usage_error(ctl, "unexpected argument '%s' (only exist-ok)",
					       argv[i]);
		flags |= RTPGW_API_F_EXIST_OK;
	}
	ret = batch_file_read(ctl, path, &bf);
	if (ret != CTL_EXIT_OK)
		goto out;
	b = batch_alloc(RTPGW_API_FLOW_BATCH_MAX);
	if (b == NULL) {
		ctl_error(ctl, "out of memory");
		ret = CTL_EXIT_API;
		goto out;
	}
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		goto out;

	t0 = now_s();
	for (off = 0; off < bf.n; off += b->count) {
		b->count = bf.n - off;
		if (b->count > RTPGW_API_FLOW_BATCH_MAX)
			b->count = RTPGW_API_FLOW_BATCH_MAX;
		b->flags = flags;
		memcpy(b->flows, bf.flows + off, b->count * sizeof(b->flows[0]));
		if (batch_send(ctl, RTPGW_API_FLOW_ADD, b, &rep, &failed) < 0) {
			if (failed != UINT32_MAX)
				ctl_error(ctl, "%s:%u: this flow was refused", path,
					  bf.lines[off + failed]);
			ctl_error(ctl, "%llu new flows installed before line %u, none from it on",
				  (unsigned long long)applied, bf.lines[off]);
			ret = CTL_EXIT_API;
			goto out;
		}
		applied += rep.applied;
		batches++;
	}
	dt = now_s() - t0;

	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_u64(&ctl->js, "count", bf.n);
		json_u64(&ctl->js, "applied", applied);
		json_u64(&ctl->js, "batches", batches);
		json_double(&ctl->js, "seconds", dt, 6);
		if (dt > 0)
			json_double(&ctl->js, "flows_per_second", bf.n / dt, 0);
		else
			json_null(&ctl->js, "flows_per_second");
		json_object_end(&ctl->js);
	} else {
		printf("added %llu of %u flows (%u already present) in %u batches, %.3f s, "
		       "%.0f flows/s\n",
		       (unsigned long long)applied, bf.n, bf.n - (uint32_t)applied, batches, dt,
		       dt > 0 ? bf.n / dt : 0.0);
	}
out:
	free(b);
	free(bf.flows);
	free(bf.lines);
	return ret;
}

int
ctl_flow_cmd(struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char *name;
		const char *cmd;
	} subs[] = {
		{"get", "flow get"},
		{"add", "flow add"},
		{"mod", "flow mod"},
		{"del", "flow del"},
		{"add-batch", "flow add-batch"},
	};
	size_t i;

	if (argc < 2)
		return ctl_usage_error(ctl, "missing subcommand (get, add, mod, del, add-batch)");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			break;
	if (i == sizeof(subs) / sizeof(subs[0]))
		return ctl_usage_error(
			ctl, "unknown subcommand '%s' (get, add, mod, del, add-batch)", argv[1]);
	ctl->cmd = subs[i].cmd;
	switch (i) {
	case 0:
		return flow_get(ctl, argc, argv);
	case 1:
		return flow_add_mod(ctl, argc, argv, RTPGW_API_FLOW_ADD);
	case 2:
		return flow_add_mod(ctl, argc, argv, RTPGW_API_FLOW_MOD);
	case 3:
		return flow_del(ctl, argc, argv);
	default:
		return flow_add_batch(ctl, argc, argv);
	}
}
