/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SPEC grammar of rtpgwctl (see flow_args.h): a keyword table drives the
 * parser, every number is read by one strict routine (digits only, no sign,
 * no blanks, no overflow), and the cross-word rules (relay needs to and
 * from, strict needs src, the RTCP companion needs an even local port and
 * room for port + 1 everywhere, rtcp-events needs RTCP) are checked once
 * all words are read. The wire layout it fills is
 * struct rtpgw_api_flow of api/rtpgw_api.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "flow_args.h"

enum word_id {
	W_TO,
	W_FROM,
	W_SRC,
	W_MODE,
	W_RTCP,
	W_SSRC,
	W_CONTINUOUS,
	W_PTMAP,
	W_RATE,
	W_IDLE,
	W_COOKIE,
	W_DROP,
	W_RTCP_EVENTS,
	W_EXIST_OK,
	W_MISSING_OK,
};

struct word {
	const char *name;
	enum word_id id;
	const char *value; /* what the value looks like, NULL for a flag word */
	bool repeat;	   /* may be given more than once */
};

static const struct word words[] = {
	{"to", W_TO, "PEER_IP:PORT", false},
	{"from", W_FROM, "OUT_IP:OUT_PORT", false},
	{"src", W_SRC, "IP:PORT", false},
	{"mode", W_MODE, "strict, latch or any", false},
	{"rtcp", W_RTCP, "none, companion or mux", false},
	{"ssrc", W_SSRC, "0xHEX", false},
	{"continuous", W_CONTINUOUS, NULL, false},
	{"ptmap", W_PTMAP, "IN:OUT", true},
	{"rate", W_RATE, "HZ", false},
	{"idle", W_IDLE, "MS", false},
	{"cookie", W_COOKIE, "N", false},
	{"drop", W_DROP, NULL, false},
	{"rtcp-events", W_RTCP_EVENTS, NULL, false},
	{"exist-ok", W_EXIST_OK, NULL, false},
	{"missing-ok", W_MISSING_OK, NULL, false},
};

static const char *const action_names[] = {
	[RTPGW_FLOW_RELAY] = "relay",
	[RTPGW_FLOW_DROP] = "drop",
	[RTPGW_FLOW_MIX] = "mix",
};

static const char *const mode_names[] = {
	[RTPGW_SRC_STRICT] = "strict",
	[RTPGW_SRC_LATCH] = "latch",
	[RTPGW_SRC_ANY] = "any",
};

static const char *const rtcp_names[] = {
	[RTPGW_RTCP_NONE] = "none",
	[RTPGW_RTCP_COMPANION] = "companion",
	[RTPGW_RTCP_MUX] = "mux",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && err_len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *
name_of(const char *const *names, size_t n, unsigned int v)
{
	if (v >= n || names[v] == NULL)
		return "?";
	return names[v];
}

const char *
flow_args_action_name(uint8_t action)
{
	return name_of(action_names, ARRAY_SIZE(action_names), action);
}

const char *
flow_args_mode_name(uint8_t src_mode)
{
	return name_of(mode_names, ARRAY_SIZE(mode_names), src_mode);
}

const char *
flow_args_rtcp_name(uint8_t rtcp)
{
	return name_of(rtcp_names, ARRAY_SIZE(rtcp_names), rtcp);
}

/* Index of s in names, or -1. */
static int
index_of(const char *const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int
flow_args_parse_uint(const char *s, bool hex, uint64_t max, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	unsigned int d;

	if (hex && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		if (v > (max - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

int
flow_args_parse_endpoint(const char *word, struct rtpgw_api_ip *ip, uint16_t *port, char *err,
			 size_t err_len)
{
	const char *colon = strrchr(word, ':');
	char host[INET_ADDRSTRLEN];
	struct in_addr a;
	uint32_t h;
	uint64_t v;
	size_t n;

	if (word[0] == '[' || (colon != NULL && memchr(word, ':', colon - word) != NULL))
		return fail(err, err_len, "'%s': IPv6 not supported yet", word);
	if (colon == NULL)
		return fail(err, err_len, "'%s': expected IP:PORT", word);
	n = colon - word;
	if (n == 0 || n >= sizeof(host))
		return fail(err, err_len, "'%s': bad IPv4 address", word);
	memcpy(host, word, n);
	host[n] = '\0';
	/* inet_pton, unlike inet_aton, takes only the four-part dotted form. */
	if (inet_pton(AF_INET, host, &a) != 1)
		return fail(err, err_len, "'%s': bad IPv4 address '%s'", word, host);
	h = ntohl(a.s_addr);
	if (h == 0 || h == 0xffffffff)
		return fail(err, err_len, "'%s': %s is not a unicast address", word, host);
	if ((h >> 28) == 0xe)
		return fail(err, err_len, "'%s': multicast address %s not supported", word, host);
	if (flow_args_parse_uint(colon + 1, false, 65535, &v) < 0 || v == 0)
		return fail(err, err_len, "'%s': port must be 1..65535", word);

	memset(ip, 0, sizeof(*ip));
	ip->family = RTPGW_AF_INET;
	ip->v4 = a.s_addr;
	*port = htons((uint16_t)v);
	return 0;
}

static int
parse_ptmap(const char *s, struct rtpgw_api_pt_map *m, char *err, size_t err_len)
{
	const char *colon = strchr(s, ':');
	char in[8];
	uint64_t a, b;
	size_t n;

	if (colon == NULL || (n = colon - s) == 0 || n >= sizeof(in))
		return fail(err, err_len, "ptmap '%s': expected IN:OUT", s);
	memcpy(in, s, n);
	in[n] = '\0';
	if (flow_args_parse_uint(in, false, 127, &a) < 0 ||
	    flow_args_parse_uint(colon + 1, false, 127, &b) < 0)
		return fail(err, err_len, "ptmap '%s': payload types must be 0..127", s);
	m->in = (uint8_t)a;
	m->out = (uint8_t)b;
	return 0;
}

static const struct word *
word_lookup(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (strcmp(words[i].name, s) == 0)
			return &words[i];
	return NULL;
}

/* Apply one keyword and its value (NULL for a flag word) to the flow. */
static int
word_apply(const struct word *w, const char *val, struct rtpgw_api_flow *f, uint32_t *batch_flags,
	   bool *have_src, char *err, size_t err_len)
{
	unsigned int i;
	uint64_t v;
	int k;

	switch (w->id) {
	case W_TO:
		return flow_args_parse_endpoint(val, &f->peer, &f->peer_port, err, err_len);
	case W_FROM:
		return flow_args_parse_endpoint(val, &f->out_local, &f->out_port, err, err_len);
	case W_SRC:
		*have_src = true;
		return flow_args_parse_endpoint(val, &f->src, &f->src_port, err, err_len);
	case W_MODE:
		k = index_of(mode_names, ARRAY_SIZE(mode_names), val);
		if (k < 0)
			return fail(err, err_len, "bad mode '%s' (strict, latch or any)", val);
		f->src_mode = (uint8_t)k;
		return 0;
	case W_RTCP:
		k = index_of(rtcp_names, ARRAY_SIZE(rtcp_names), val);
		if (k < 0)
			return fail(err, err_len, "bad rtcp '%s' (none, companion or mux)", val);
		f->rtcp = (uint8_t)k;
		return 0;
	case W_SSRC:
		if (strncmp(val, "0x", 2) != 0 && strncmp(val, "0X", 2) != 0)
			return fail(err, err_len, "bad ssrc '%s' (0x and 1 to 8 hex digits)", val);
		if (flow_args_parse_uint(val, true, UINT32_MAX, &v) < 0)
			return fail(err, err_len, "bad ssrc '%s' (0x and 1 to 8 hex digits)", val);
		f->flags |= RTPGW_FLOW_F_SSRC_REWRITE;
		f->ssrc_out = (uint32_t)v;
		return 0;
	case W_CONTINUOUS:
		f->flags |= RTPGW_FLOW_F_SEQ_CONTINUOUS;
		return 0;
	case W_PTMAP:
		if (f->n_pt_map >= RTPGW_PT_MAP_MAX)
			return fail(err, err_len, "ptmap '%s': more than %d payload type maps", val,
				    RTPGW_PT_MAP_MAX);
		if (parse_ptmap(val, &f->pt_map[f->n_pt_map], err, err_len) < 0)
			return -EINVAL;
		for (i = 0; i < f->n_pt_map; i++)
			if (f->pt_map[i].in == f->pt_map[f->n_pt_map].in)
				return fail(err, err_len,
					    "ptmap '%s': payload type %u mapped twice", val,
					    f->pt_map[i].in);
		f->n_pt_map++;
		f->flags |= RTPGW_FLOW_F_PT_MAP;
		return 0;
	case W_RATE:
		if (flow_args_parse_uint(val, false, FLOW_ARGS_RATE_MAX, &v) < 0 || v == 0)
			return fail(err, err_len, "bad rate '%s' (1..%d Hz)", val,
				    FLOW_ARGS_RATE_MAX);
		f->clock_rate = (uint32_t)v;
		return 0;
	case W_IDLE:
		if (flow_args_parse_uint(val, false, UINT32_MAX, &v) < 0)
			return fail(err, err_len, "bad idle '%s' (0..%u ms, 0 = never)", val,
				    UINT32_MAX);
		f->idle_timeout_ms = (uint32_t)v;
		return 0;
	case W_COOKIE:
		if (flow_args_parse_uint(val, true, UINT64_MAX, &v) < 0)
			return fail(err, err_len, "bad cookie '%s' (64-bit decimal or 0xHEX)", val);
		f->cookie = v;
		return 0;
	case W_DROP:
		f->action = RTPGW_FLOW_DROP;
		return 0;
	case W_RTCP_EVENTS:
		f->flags |= RTPGW_FLOW_F_RTCP_EVENTS;
		return 0;
	case W_EXIST_OK:
		*batch_flags |= RTPGW_API_F_EXIST_OK;
		return 0;
	case W_MISSING_OK:
		*batch_flags |= RTPGW_API_F_MISSING_OK;
		return 0;
	}
	return fail(err, err_len, "internal error: word '%s'", w->name);
}

/* The companion sits at port + 1 of every port of the flow. */
static int
companion_check(const struct rtpgw_api_flow *f, bool have_src, char *err, size_t err_len)
{
	const struct {
		const char *what;
		uint16_t port;
	} ports[] = {
		{"peer", f->peer_port},
		{"out", f->out_port},
		{"src", have_src ? f->src_port : 0},
	};
	size_t i;

	if (ntohs(f->local_port) % 2 != 0)
		return fail(err, err_len, "rtcp companion needs an even local port, not %u",
			    ntohs(f->local_port));
	for (i = 0; i < ARRAY_SIZE(ports); i++)
		if (ntohs(ports[i].port) == 65535)
			return fail(err, err_len,
				    "rtcp companion: %s port 65535 leaves no port + 1 for RTCP",
				    ports[i].what);
	return 0;
}

int
flow_args_parse(int argc, char *const argv[], struct rtpgw_api_flow *f, uint32_t *batch_flags,
		char *err, size_t err_len)
{
	uint32_t seen = 0;
	bool have_src = false;
	bool have_mode;
	const struct word *w;
	const char *val;
	int ret;
	int i;

	memset(f, 0, sizeof(*f));
	*batch_flags = 0;
	f->action = RTPGW_FLOW_RELAY;
	f->rtcp = RTPGW_RTCP_NONE;

	if (argc < 1)
		return fail(err, err_len, "missing LOCAL_IP:PORT");
	if (word_lookup(argv[0]) != NULL)
		return fail(err, err_len, "'%s': the SPEC starts with LOCAL_IP:PORT", argv[0]);
	ret = flow_args_parse_endpoint(argv[0], &f->local, &f->local_port, err, err_len);
	if (ret < 0)
		return ret;

	for (i = 1; i < argc; i++) {
		w = word_lookup(argv[i]);
		if (w == NULL && strcmp(argv[i], "mix") == 0)
			return fail(err, err_len,
				    "'mix': conference participants are installed with "
				    "'rtpgwctl conf join'");
		if (w == NULL)
			return fail(err, err_len, "unknown word '%s'", argv[i]);
		if (!w->repeat && (seen & (1u << w->id)))
			return fail(err, err_len, "'%s' given twice", w->name);
		seen |= 1u << w->id;
		val = NULL;
		if (w->value != NULL) {
			if (i + 1 >= argc)
				return fail(err, err_len, "'%s' needs a value (%s)", w->name,
					    w->value);
			val = argv[++i];
		}
		ret = word_apply(w, val, f, batch_flags, &have_src, err, err_len);
		if (ret < 0)
			return ret;
	}

	/* A drop flow sends nothing: its egress is optional (kept if given). */
	if (!(seen & (1u << W_TO)) && f->action == RTPGW_FLOW_RELAY)
		return fail(err, err_len, "missing 'to PEER_IP:PORT'");
	if (!(seen & (1u << W_FROM)) && f->action == RTPGW_FLOW_RELAY)
		return fail(err, err_len, "missing 'from OUT_IP:OUT_PORT'");
	have_mode = seen & (1u << W_MODE);
	if (!have_mode)
		f->src_mode = have_src ? RTPGW_SRC_STRICT : RTPGW_SRC_LATCH;
	if (f->src_mode == RTPGW_SRC_STRICT && !have_src)
		return fail(err, err_len, "mode strict needs 'src IP:PORT'");
	if (f->rtcp == RTPGW_RTCP_COMPANION && companion_check(f, have_src, err, err_len) < 0)
		return -EINVAL;
	if ((f->flags & RTPGW_FLOW_F_RTCP_EVENTS) && f->rtcp == RTPGW_RTCP_NONE)
		return fail(err, err_len, "'rtcp-events' needs 'rtcp companion' or 'rtcp mux'");
	if (f->clock_rate == 0)
		f->clock_rate = FLOW_ARGS_RATE_DEFAULT;
	return 0;
}

int
flow_args_split(char *line, char *argv[], int max, char *err, size_t err_len)
{
	static const char blanks[] = " \t\r\n\v\f";
	char *hash = strchr(line, '#');
	char *save = NULL;
	char *tok;
	int n = 0;

	if (hash != NULL)
		*hash = '\0';
	for (tok = strtok_r(line, blanks, &save); tok != NULL;
	     tok = strtok_r(NULL, blanks, &save)) {
		if (n >= max) {
			if (err != NULL && err_len > 0)
				snprintf(err, err_len, "more than %d words", max);
			return -E2BIG;
		}
		argv[n++] = tok;
	}
	return n;
}

void
flow_args_format_ip(const struct rtpgw_api_ip *ip, char *buf, size_t len)
{
	if (ip->family == RTPGW_AF_INET && inet_ntop(AF_INET, &ip->v4, buf, len) != NULL)
		return;
	if (ip->family == RTPGW_AF_INET6 && inet_ntop(AF_INET6, ip->v6, buf, len) != NULL)
		return;
	snprintf(buf, len, "%s", ip->family == 0 ? "-" : "?");
}

void
flow_args_format_endpoint(const struct rtpgw_api_ip *ip, uint16_t port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (ip->family == 0) {
		snprintf(buf, len, "-");
		return;
	}
	flow_args_format_ip(ip, a, sizeof(a));
	if (ip->family == RTPGW_AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, ntohs(port));
	else
		snprintf(buf, len, "%s:%u", a, ntohs(port));
}

/* Append to buf at *off, keeping it NUL terminated when it runs out. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

void
flow_args_format(const struct rtpgw_api_flow *f, char *buf, size_t len)
{
	char a[FLOW_ARGS_ENDPOINT_MAX];
	size_t off = 0;
	unsigned int i;

	if (len == 0)
		return;
	buf[0] = '\0';
	flow_args_format_endpoint(&f->local, f->local_port, a, sizeof(a));
	append(buf, len, &off, "%s", a);
	if (f->peer.family != 0) {
		flow_args_format_endpoint(&f->peer, f->peer_port, a, sizeof(a));
		append(buf, len, &off, " to %s", a);
	}
	if (f->out_local.family != 0) {
		flow_args_format_endpoint(&f->out_local, f->out_port, a, sizeof(a));
		append(buf, len, &off, " from %s", a);
	}
	if (f->src.family != 0) {
		flow_args_format_endpoint(&f->src, f->src_port, a, sizeof(a));
		append(buf, len, &off, " src %s", a);
	}
	append(buf, len, &off, " mode %s", flow_args_mode_name(f->src_mode));
	if (f->rtcp != RTPGW_RTCP_NONE)
		append(buf, len, &off, " rtcp %s", flow_args_rtcp_name(f->rtcp));
	if (f->flags & RTPGW_FLOW_F_SSRC_REWRITE)
		append(buf, len, &off, " ssrc 0x%08x", f->ssrc_out);
	if (f->flags & RTPGW_FLOW_F_SEQ_CONTINUOUS)
		append(buf, len, &off, " continuous");
	for (i = 0; i < f->n_pt_map && i < RTPGW_PT_MAP_MAX; i++)
		append(buf, len, &off, " ptmap %u:%u", f->pt_map[i].in, f->pt_map[i].out);
	if (f->clock_rate != 0 && f->clock_rate != FLOW_ARGS_RATE_DEFAULT)
		append(buf, len, &off, " rate %u", f->clock_rate);
	if (f->idle_timeout_ms != 0)
		append(buf, len, &off, " idle %u", f->idle_timeout_ms);
	if (f->cookie != 0)
		append(buf, len, &off, " cookie %llu", (unsigned long long)f->cookie);
	if (f->action == RTPGW_FLOW_DROP)
		append(buf, len, &off, " drop");
	else if (f->action == RTPGW_FLOW_MIX)
		append(buf, len, &off, " mix");
	if (f->flags & RTPGW_FLOW_F_RTCP_EVENTS)
		append(buf, len, &off, " rtcp-events");
}
