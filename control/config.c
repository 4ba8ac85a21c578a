/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-control configuration parser: see config.h. Keys of the file and
 * long flags share one table (keys[] below): config_set, the getopt option
 * list and the usage text are all derived from it, so they cannot drift
 * apart.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->sip_ip, sizeof(cfg->sip_ip), "0.0.0.0");
	cfg->sip_port = 5060;
	snprintf(cfg->http_ip, sizeof(cfg->http_ip), "127.0.0.1");
	cfg->http_port = 8080;
	cfg->port_lo = 30000;
	cfg->port_hi = 39998;
	snprintf(cfg->dp_sock, sizeof(cfg->dp_sock), "/run/rtpgw/api.sock");
	snprintf(cfg->room_pattern, sizeof(cfg->room_pattern), "^[0-9]{1,9}$");
	cfg->sip_tcp = true; /* on the UDP address unless sip_tcp says otherwise */
	cfg->media_timeout_s = 60;
	cfg->session_expires_s = 1800; /* RFC 4028 section 4 recommends 1800 s */
	cfg->min_se_s = 90;
	cfg->invite_timeout_s = 180;
	cfg->port_quarantine_s = 10;
	cfg->stats_interval_ms = 1000;
	snprintf(cfg->state_file, sizeof(cfg->state_file), "/run/rtpgw/control.state");
	snprintf(cfg->quality_log, sizeof(cfg->quality_log), "/var/log/rtpgw/calls.jsonl");
	cfg->ng = true;
	snprintf(cfg->ng_ip, sizeof(cfg->ng_ip), "127.0.0.1");
	cfg->ng_port = 2223;
}

static bool
is_ip(const char *s)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int
parse_u16(const char *s, uint16_t *v)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n == 0 || n > 65535)
		return -EINVAL;
	*v = (uint16_t)n;
	return 0;
}

/* Decimal digits only (no sign, no blanks), within [min, max]. */
static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return -EINVAL;
	*v = (uint32_t)n;
	return 0;
}

/* "IP:PORT" or "[IPv6]:PORT". */
static int
parse_hostport(const char *s, char *ip, uint16_t *port)
{
	char buf[CONFIG_IP_MAX + 8];
	const char *host, *colon;
	size_t len;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		host = s + 1;
		len = (size_t)(rb - host);
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -EINVAL;
		host = s;
		len = (size_t)(colon - s);
	}
	if (len == 0 || len >= CONFIG_IP_MAX)
		return -EINVAL;
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (!is_ip(buf) || parse_u16(colon + 1, port) < 0)
		return -EINVAL;
	memcpy(ip, buf, len + 1);
	return 0;
}

static int
parse_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[32];
	char *dash;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (!dash)
		return -EINVAL;
	*dash = '\0';
	if (parse_u16(buf, lo) < 0 || parse_u16(dash + 1, hi) < 0)
		return -EINVAL;
	if (*lo % 2 || *hi % 2 || *lo >= *hi)
		return -EINVAL;
	return 0;
}

/*
 * RFC 3261 section 25.1:
 *   hostname    = *( domainlabel "." ) toplabel [ "." ]
 *   domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum
 *   toplabel    = ALPHA / ALPHA *( alphanum / "-" ) alphanum
 * plus the RFC 1035 limit of 63 octets a label. A dotted quad that is not an
 * IPv4 address ("203.0.113.300") fails here: its toplabel starts with a
 * digit.
 */
static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII only, whatever the locale's isalnum() says */
static bool
is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

static bool
is_hostname(const char *s)
{
	const char *label = s, *top = NULL;

	while (*label != '\0') {
		size_t len = strcspn(label, ".");
		size_t i;

		if (len == 0 || len > 63)
			return false;
		if (!is_alnum(label[0]) || !is_alnum(label[len - 1]))
			return false;
		for (i = 1; i + 1 < len; i++)
			if (!is_alnum(label[i]) && label[i] != '-')
				return false;
		top = label;
		label += len;
		if (*label == '.')
			label++; /* a trailing dot ends the loop: allowed */
	}
	return top != NULL && is_alpha(top[0]);
}

int
config_next_hop_parse(const char *uri, struct config_next_hop *nh)
{
	struct config_next_hop hop;
	unsigned char addr[16];
	const char *p;
	size_t len;

	memset(&hop, 0, sizeof(hop));
	hop.port = 5060; /* RFC 3261 section 19.1.2: default port for sip: */
	/* RFC 3261 section 19.1.4: the scheme is case-insensitive */
	if (strlen(uri) >= CONFIG_URI_MAX || strncasecmp(uri, "sip:", 4) != 0)
		return -EINVAL;
	p = uri + 4;
	if (*p == '[') {
		/* IPv6reference = "[" IPv6address "]" */
		const char *rb = strchr(p, ']');

		if (!rb)
			return -EINVAL;
		len = (size_t)(rb - p - 1);
		if (len == 0 || len >= CONFIG_IP_MAX)
			return -EINVAL;
		memcpy(hop.host, p + 1, len);
		hop.host[len] = '\0';
		if (inet_pton(AF_INET6, hop.host, addr) != 1)
			return -EINVAL;
		hop.ipv6 = true;
		p = rb + 1;
	} else {
		len = strcspn(p, ":;");
		if (len == 0 || len >= sizeof(hop.host))
			return -EINVAL;
		memcpy(hop.host, p, len);
		hop.host[len] = '\0';
		if (inet_pton(AF_INET, hop.host, addr) != 1 && !is_hostname(hop.host))
			return -EINVAL;
		p += len;
	}
	if (*p == ':') {
		char num[8];

		p++;
		len = strcspn(p, ";");
		if (len == 0 || len >= sizeof(num))
			return -EINVAL;
		memcpy(num, p, len);
		num[len] = '\0';
		if (parse_u16(num, &hop.port) < 0)
			return -EINVAL;
		hop.port_given = true;
		p += len;
	}
	if (*p == ';') {
		/* transport-param, name and value case-insensitive (19.1.4) */
		p++;
		if (strncasecmp(p, "transport=", 10) != 0)
			return -EINVAL;
		p += 10;
		if (strcasecmp(p, "tcp") == 0)
			hop.tcp = true;
		else if (strcasecmp(p, "udp") != 0)
			return -EINVAL;
	} else if (*p != '\0') {
		return -EINVAL;
	}
	if (nh)
		*nh = hop;
	return 0;
}

/* How a key's value is parsed and where it goes. */
enum key_type {
	KEY_HOSTPORT, /* IP:PORT: char[CONFIG_IP_MAX] at off, uint16_t at off2 */
	KEY_IP,	      /* an IP literal, char[size] at off */
	KEY_RANGE,    /* LO-HI, both even: uint16_t at off and off2 */
	KEY_STRING,   /* non-empty, char[size] at off */
	KEY_REGEX,    /* POSIX extended regex, char[size] at off */
	KEY_U32,      /* [min, max], or 0 too if zero_ok: uint32_t at off */
	KEY_PATH,     /* a path or "off" (""), char[size] at off */
	KEY_SIP_TCP,  /* IP:PORT, on or off */
	KEY_ROUTE,    /* PATTERN NEXT_HOP, appended to routes[] */
	KEY_NG,	      /* IP:PORT or off */
};

struct key_def {
	const char *key;     /* in the file */
	const char *flag;    /* long flag, without "--" */
	const char *metavar; /* for the usage text */
	enum key_type type;
	size_t off, off2, size;
	uint32_t min, max;
	bool zero_ok;
	const char *want; /* a good value, for error messages */
	const char *help; /* usage text; '\n' continues on an indented line */
};

#define FIELD(m)      offsetof(struct config, m)
#define FIELD_SIZE(m) sizeof(((struct config *)0)->m)

static const struct key_def keys[] = {
	{"sip", "sip", "ADDR:PORT", KEY_HOSTPORT, FIELD(sip_ip), FIELD(sip_port), 0, 0, 0, false,
	 "IP:PORT or [IPv6]:PORT", "SIP UDP listen address (default 0.0.0.0:5060)"},
	{"sip_tcp", "sip-tcp", "ADDR:PORT|off", KEY_SIP_TCP, 0, 0, 0, 0, 0, false,
	 "IP:PORT, [IPv6]:PORT, on or off",
	 "SIP TCP listen address, or off (default on, at the\n--sip address and port)"},
	{"dataplane", "dataplane", "SOCK", KEY_STRING, FIELD(dp_sock), 0, FIELD_SIZE(dp_sock), 0, 0,
	 false, "a socket path shorter than 108 bytes",
	 "dataplane API socket (default /run/rtpgw/api.sock)"},
	{"http", "http", "ADDR:PORT", KEY_HOSTPORT, FIELD(http_ip), FIELD(http_port), 0, 0, 0,
	 false, "IP:PORT or [IPv6]:PORT", "HTTP /metrics and /api (default 127.0.0.1:8080)"},
	{"media_addr", "media-addr", "IP", KEY_IP, FIELD(media_ip), 0, FIELD_SIZE(media_ip), 0, 0,
	 false, "an IPv4 or IPv6 address", "the dataplane's media address, put in SDP (required)"},
	{"ports", "ports", "LO-HI", KEY_RANGE, FIELD(port_lo), FIELD(port_hi), 0, 0, 0, false,
	 "LO-HI, both even, LO < HI", "media ports, both even (default 30000-39998)"},
	{"room_pattern", "room-pattern", "RE", KEY_REGEX, FIELD(room_pattern), 0,
	 FIELD_SIZE(room_pattern), 0, 0, false, "a POSIX extended regex shorter than 128 bytes",
	 "extended regex a conference room's user part\nmatches (default ^[0-9]{1,9}$)"},
	{"route", "route", "'RE URI'", KEY_ROUTE, 0, 0, 0, 0, 0, false,
	 "PATTERN sip:HOST[:PORT][;transport=udp|tcp]",
	 "relay calls whose user part matches RE to URI\n"
	 "(sip:HOST[:PORT][;transport=udp|tcp]); repeatable,\n"
	 "first match wins; any --route replaces the file's"},
	{"media_timeout", "media-timeout", "SEC", KEY_U32, FIELD(media_timeout_s), 0, 0, 0, 86400,
	 false, "seconds 0-86400, 0 = never",
	 "no RTP for SEC seconds ends a call; 0 = never\n(default 60)"},
	{"session_expires", "session-expires", "SEC", KEY_U32, FIELD(session_expires_s), 0, 0, 90,
	 86400, true, "seconds 90-86400 and >= min_se, or 0 = no session timers",
	 "RFC 4028 session interval asked for; 0 = no\nsession timers (default 1800)"},
	{"min_se", "min-se", "SEC", KEY_U32, FIELD(min_se_s), 0, 0, 90, 86400, false,
	 "seconds 90-86400 (RFC 4028 section 4)",
	 "smallest RFC 4028 session interval accepted,\n>= 90 (default 90)"},
	{"invite_timeout", "invite-timeout", "SEC", KEY_U32, FIELD(invite_timeout_s), 0, 0, 1, 3600,
	 false, "seconds 1-3600",
	 "a relayed call unanswered for SEC seconds gets\n408 (default 180)"},
	{"port_quarantine", "port-quarantine", "SEC", KEY_U32, FIELD(port_quarantine_s), 0, 0, 0,
	 3600, false, "seconds 0-3600",
	 "a released media port is not reused for SEC\nseconds (default 10)"},
	{"stats_interval_ms", "stats-interval", "MS", KEY_U32, FIELD(stats_interval_ms), 0, 0, 100,
	 60000, false, "milliseconds 100-60000", "dataplane statistics poll period (default 1000)"},
	{"state_file", "state-file", "PATH|off", KEY_PATH, FIELD(state_file), 0,
	 FIELD_SIZE(state_file), 0, 0, false, "a path shorter than 256 bytes, or off",
	 "calls persisted across restarts, or off\n(default /run/rtpgw/control.state)"},
	{"quality_log", "quality-log", "PATH|off", KEY_PATH, FIELD(quality_log), 0,
	 FIELD_SIZE(quality_log), 0, 0, false, "a path shorter than 256 bytes, or off",
	 "one JSON line per ended call, or off\n(default /var/log/rtpgw/calls.jsonl)"},
	{"ng", "ng", "ADDR:PORT|off", KEY_NG, 0, 0, 0, 0, 0, false,
	 "IP:PORT, [IPv6]:PORT or off",
	 "ng protocol (rtpengine control, UDP) listen\naddress, or off (default 127.0.0.1:2223)"},
	{"ng_max_sessions", "ng-max-sessions", "N", KEY_U32, FIELD(ng_max_sessions), 0, 0, 0,
	 10000000, false, "a number 0-10000000, 0 = no limit",
	 "an ng offer of a new call gets \"load limit\" when\nN calls are held; 0 = no limit (default 0)"},
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key_def *
key_find(const char *key)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return NULL;
}

static int
set_sip_tcp(struct config *cfg, const char *value)
{
	char ip[CONFIG_IP_MAX];
	uint16_t port;

	if (strcmp(value, "off") == 0) {
		cfg->sip_tcp = false;
		cfg->sip_tcp_ip[0] = '\0';
		cfg->sip_tcp_port = 0;
	} else if (strcmp(value, "on") == 0) {
		/* back to the default: config_validate copies the UDP address */
		cfg->sip_tcp = true;
		cfg->sip_tcp_ip[0] = '\0';
		cfg->sip_tcp_port = 0;
	} else {
		if (parse_hostport(value, ip, &port) < 0)
			return -EINVAL;
		cfg->sip_tcp = true;
		snprintf(cfg->sip_tcp_ip, sizeof(cfg->sip_tcp_ip), "%s", ip);
		cfg->sip_tcp_port = port;
	}
	return 0;
}

/*
 * "PATTERN NEXT_HOP": the next hop is the last blank-separated word (a URI
 * has no blanks), the pattern everything before it.
 */
static int
set_route(struct config *cfg, const char *value, char *err)
{
	const struct key_def *k = key_find("route");
	struct config_route *r;
	const char *hop, *end;
	size_t plen;
	regex_t re;
	int rc;

	end = value + strlen(value);
	while (end > value && isspace((unsigned char)end[-1]))
		end--;
	hop = end;
	while (hop > value && !isspace((unsigned char)hop[-1]))
		hop--;
	plen = (size_t)(hop - value);
	while (plen > 0 && isspace((unsigned char)value[plen - 1]))
		plen--;
	while (plen > 0 && isspace((unsigned char)*value)) {
		value++;
		plen--;
	}
	if (plen == 0 || hop == end) {
		snprintf(err, CONFIG_ERR_MAX, "route: bad value '%s' (want %s)", value, k->want);
		return -EINVAL;
	}
	if (cfg->n_routes >= CONFIG_ROUTES_MAX) {
		snprintf(err, CONFIG_ERR_MAX, "route: too many routes (at most %d): '%s'",
			 CONFIG_ROUTES_MAX, value);
		return -EINVAL;
	}
	r = &cfg->routes[cfg->n_routes];
	if (plen >= sizeof(r->pattern)) {
		snprintf(err, CONFIG_ERR_MAX, "route: pattern longer than %zu bytes in '%s'",
			 sizeof(r->pattern) - 1, value);
		return -EINVAL;
	}
	memcpy(r->pattern, value, plen);
	r->pattern[plen] = '\0';
	rc = regcomp(&re, r->pattern, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char why[80];

		regerror(rc, &re, why, sizeof(why));
		snprintf(err, CONFIG_ERR_MAX, "route: bad pattern in '%s': %s", value, why);
		return -EINVAL;
	}
	regfree(&re);
	if ((size_t)(end - hop) >= sizeof(r->next_hop)) {
		snprintf(err, CONFIG_ERR_MAX, "route: next hop longer than %zu bytes in '%s'",
			 sizeof(r->next_hop) - 1, value);
		return -EINVAL;
	}
	memcpy(r->next_hop, hop, (size_t)(end - hop));
	r->next_hop[end - hop] = '\0';
	if (config_next_hop_parse(r->next_hop, NULL) < 0) {
		snprintf(err, CONFIG_ERR_MAX,
			 "route: bad next hop in '%s' (want sip:HOST[:PORT][;transport=udp|tcp])",
			 value);
		return -EINVAL;
	}
	cfg->n_routes++;
	return 0;
}

static int
key_set(struct config *cfg, const struct key_def *k, const char *value, char *err)
{
	char *base = (char *)cfg;
	uint32_t n;

	switch (k->type) {
	case KEY_HOSTPORT:
		if (parse_hostport(value, base + k->off, (uint16_t *)(void *)(base + k->off2)) < 0)
			goto bad;
		break;
	case KEY_IP:
		if (strlen(value) >= k->size || !is_ip(value))
			goto bad;
		snprintf(base + k->off, k->size, "%s", value);
		break;
	case KEY_RANGE:
		if (parse_range(value, (uint16_t *)(void *)(base + k->off),
				(uint16_t *)(void *)(base + k->off2)) < 0)
			goto bad;
		break;
	case KEY_STRING:
		if (value[0] == '\0' || strlen(value) >= k->size)
			goto bad;
		snprintf(base + k->off, k->size, "%s", value);
		break;
	case KEY_REGEX: {
		regex_t re;

		if (value[0] == '\0' || strlen(value) >= k->size ||
		    regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
			goto bad;
		regfree(&re);
		snprintf(base + k->off, k->size, "%s", value);
		break;
	}
	case KEY_U32:
		if (parse_u32(value, 0, UINT32_MAX, &n) < 0 || n > k->max ||
		    (n < k->min && !(n == 0 && k->zero_ok)))
			goto bad;
		*(uint32_t *)(void *)(base + k->off) = n;
		break;
	case KEY_PATH: {
		const char *c;

		if (strcmp(value, "off") == 0) {
			base[k->off] = '\0';
			break;
		}
		if (value[0] == '\0' || strlen(value) >= k->size)
			goto bad;
		for (c = value; *c; c++)
			if (iscntrl((unsigned char)*c))
				goto bad;
		snprintf(base + k->off, k->size, "%s", value);
		break;
	}
	case KEY_SIP_TCP:
		if (set_sip_tcp(cfg, value) < 0)
			goto bad;
		break;
	case KEY_ROUTE:
		return set_route(cfg, value, err);
	case KEY_NG:
		if (strcmp(value, "off") == 0) {
			cfg->ng = false;
			break;
		}
		if (parse_hostport(value, cfg->ng_ip, &cfg->ng_port) < 0)
			goto bad;
		cfg->ng = true;
		break;
	}
	return 0;
bad:
	snprintf(err, CONFIG_ERR_MAX, "%s: bad value '%s' (want %s)", k->key, value, k->want);
	return -EINVAL;
}

int
config_set(struct config *cfg, const char *key, const char *value, char *err)
{
	const struct key_def *k = key_find(key);

	if (!k) {
		snprintf(err, CONFIG_ERR_MAX, "unknown key '%s'", key);
		return -EINVAL;
	}
	return key_set(cfg, k, value, err);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
config_load(struct config *cfg, const char *path, char *err)
{
	char line[512], msg[CONFIG_ERR_MAX];
	unsigned int lineno = 0;
	FILE *f;
	int rc = 0;

	f = fopen(path, "r");
	if (!f) {
		rc = -errno;
		snprintf(err, CONFIG_ERR_MAX, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		char *hash, *eq, *key, *value;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(err, CONFIG_ERR_MAX, "%s:%u: line too long", path, lineno);
			rc = -EINVAL;
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (*key == '\0')
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, CONFIG_ERR_MAX, "%s:%u: expected key = value", path, lineno);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		value = trim(eq + 1);
		key = trim(key);
		rc = config_set(cfg, key, value, msg);
		if (rc < 0) {
			snprintf(err, CONFIG_ERR_MAX, "%s:%u: %.200s", path, lineno, msg);
			break;
		}
	}
	fclose(f);
	return rc;
}

#define OPT_KEY 256 /* getopt value of keys[i]: OPT_KEY + i */

static void
long_opts_fill(struct option *o)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		o[i].name = keys[i].flag;
		o[i].has_arg = required_argument;
		o[i].flag = NULL;
		o[i].val = OPT_KEY + (int)i;
	}
	o[i++] = (struct option){"config", required_argument, NULL, 'c'};
	o[i++] = (struct option){"help", no_argument, NULL, 'h'};
	o[i] = (struct option){NULL, 0, NULL, 0};
}

int
config_parse_args(struct config *cfg, int argc, char **argv, char *err)
{
	struct option long_opts[N_KEYS + 3];
	bool route_flags = false;
	int c, rc;

	long_opts_fill(long_opts);
	/* first pass: --config and -h; second: the flags, so they win */
	opterr = 0;
	optind = 0; /* 0: full getopt reset (glibc, musl), parses from argv[1] */
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (c == 'h')
			return 1;
		if (c == '?' || c == ':') {
			snprintf(err, CONFIG_ERR_MAX, "unknown option or missing value: %s",
				 argv[optind - 1]);
			return -EINVAL;
		}
		if (c == 'c') {
			rc = config_load(cfg, optarg, err);
			if (rc < 0)
				return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, CONFIG_ERR_MAX, "unexpected argument: %s", argv[optind]);
		return -EINVAL;
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		const struct key_def *k;
		char msg[CONFIG_ERR_MAX];

		if (c < OPT_KEY || c >= OPT_KEY + (int)N_KEYS)
			continue;
		k = &keys[c - OPT_KEY];
		if (k->type == KEY_ROUTE && !route_flags) {
			/* the first --route drops the file's routes */
			cfg->n_routes = 0;
			route_flags = true;
		}
		rc = key_set(cfg, k, optarg, msg);
		if (rc < 0) {
			snprintf(err, CONFIG_ERR_MAX, "--%s: %.200s", k->flag, msg);
			return rc;
		}
	}
	return config_validate(cfg, err);
}

static bool
is_wildcard(const char *ip)
{
	return strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

int
config_validate(struct config *cfg, char *err)
{
	if (cfg->media_ip[0] == '\0') {
		snprintf(err, CONFIG_ERR_MAX, "media_addr is required (--media-addr IP)");
		return -EINVAL;
	}
	/*
	 * RFC 4028 section 4: the session interval is never below the Min-SE
	 * we would answer a 422 with.
	 */
	if (cfg->session_expires_s != 0 && cfg->session_expires_s < cfg->min_se_s) {
		snprintf(err, CONFIG_ERR_MAX,
			 "session_expires: bad value '%u' (below min_se %u; want 0 or >= min_se)",
			 cfg->session_expires_s, cfg->min_se_s);
		return -EINVAL;
	}
	if (cfg->sip_tcp && cfg->sip_tcp_ip[0] == '\0') {
		snprintf(cfg->sip_tcp_ip, sizeof(cfg->sip_tcp_ip), "%s", cfg->sip_ip);
		cfg->sip_tcp_port = cfg->sip_port;
	}
	/* SIP over TCP and HTTP cannot share a TCP port */
	if (cfg->sip_tcp && cfg->sip_tcp_port == cfg->http_port &&
	    (strcmp(cfg->sip_tcp_ip, cfg->http_ip) == 0 || is_wildcard(cfg->sip_tcp_ip) ||
	     is_wildcard(cfg->http_ip))) {
		snprintf(err, CONFIG_ERR_MAX,
			 "sip_tcp: %s port %u is also the http address %s:%u (set sip_tcp or http)",
			 cfg->sip_tcp_ip, cfg->sip_tcp_port, cfg->http_ip, cfg->http_port);
		return -EINVAL;
	}
	/* ng and SIP over UDP cannot share a UDP port */
	if (cfg->ng && cfg->ng_port == cfg->sip_port &&
	    (strcmp(cfg->ng_ip, cfg->sip_ip) == 0 || is_wildcard(cfg->ng_ip) ||
	     is_wildcard(cfg->sip_ip))) {
		snprintf(err, CONFIG_ERR_MAX,
			 "ng: %s port %u is also the sip address %s:%u (set ng or sip)", cfg->ng_ip,
			 cfg->ng_port, cfg->sip_ip, cfg->sip_port);
		return -EINVAL;
	}
	return 0;
}

/* One option: "--flag METAVAR", then its help, continuation lines indented. */
static void
usage_line(const char *flag, const char *metavar, const char *help, const char *key)
{
	char left[40];
	const char *h;
	int n;

	n = snprintf(left, sizeof(left), "--%s%s%s", flag, metavar ? " " : "",
		     metavar ? metavar : "");
	if (n > 24)
		printf("  %s\n  %-24s ", left, "");
	else
		printf("  %-24s ", left);
	for (h = help; *h; h++) {
		if (*h == '\n')
			printf("\n  %-24s ", "");
		else
			putchar(*h);
	}
	if (key)
		printf("\n  %-24s (file key %s)", "", key);
	putchar('\n');
}

void
config_usage(const char *prog)
{
	size_t i;

	printf("usage: %s [--config FILE] --media-addr IP [OPTION...]\n"
	       "\n",
	       prog);
	usage_line("config", "FILE",
		   "key = value file (rtpgw-control.conf.example);\nthe flags override it", NULL);
	for (i = 0; i < N_KEYS; i++) {
		const struct key_def *k = &keys[i];
		char as_key[40];
		size_t j;

		/* name the file key when it is not the flag with '_' for '-' */
		snprintf(as_key, sizeof(as_key), "%s", k->flag);
		for (j = 0; as_key[j]; j++)
			if (as_key[j] == '-')
				as_key[j] = '_';
		usage_line(k->flag, k->metavar, k->help, strcmp(as_key, k->key) ? k->key : NULL);
	}
	usage_line("help", NULL, "this text (also -h)", NULL);
	printf("\nEvery flag but --config and --help is also a file key, with '_' for '-'.\n");
}
