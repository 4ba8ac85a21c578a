/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-control configuration parser: see config.h. Keys of the file and
 * long flags share one table so the two cannot drift apart.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	cfg->session_expires_s = 1800;
	cfg->min_se_s = 90;
	cfg->invite_timeout_s = 180;
	cfg->port_quarantine_s = 10;
	cfg->stats_interval_ms = 1000;
	snprintf(cfg->state_file, sizeof(cfg->state_file), "/run/rtpgw/control.state");
	snprintf(cfg->quality_log, sizeof(cfg->quality_log), "/var/log/rtpgw/calls.jsonl");
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

int
config_set(struct config *cfg, const char *key, const char *value, char *err)
{
	if (strcmp(key, "sip") == 0) {
		if (parse_hostport(value, cfg->sip_ip, &cfg->sip_port) < 0)
			goto bad;
	} else if (strcmp(key, "http") == 0) {
		if (parse_hostport(value, cfg->http_ip, &cfg->http_port) < 0)
			goto bad;
	} else if (strcmp(key, "media_addr") == 0) {
		if (!is_ip(value) || strlen(value) >= sizeof(cfg->media_ip))
			goto bad;
		snprintf(cfg->media_ip, sizeof(cfg->media_ip), "%s", value);
	} else if (strcmp(key, "ports") == 0) {
		if (parse_range(value, &cfg->port_lo, &cfg->port_hi) < 0) {
			snprintf(err, CONFIG_ERR_MAX,
				 "ports: bad value '%s' (want LO-HI, both even, LO < HI)", value);
			return -EINVAL;
		}
	} else if (strcmp(key, "dataplane") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(cfg->dp_sock))
			goto bad;
		snprintf(cfg->dp_sock, sizeof(cfg->dp_sock), "%s", value);
	} else if (strcmp(key, "room_pattern") == 0) {
		regex_t re;

		if (value[0] == '\0' || strlen(value) >= sizeof(cfg->room_pattern) ||
		    regcomp(&re, value, REG_EXTENDED | REG_NOSUB) != 0)
			goto bad;
		regfree(&re);
		snprintf(cfg->room_pattern, sizeof(cfg->room_pattern), "%s", value);
	} else {
		snprintf(err, CONFIG_ERR_MAX, "unknown key '%s'", key);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, CONFIG_ERR_MAX, "%s: bad value '%s'", key, value);
	return -EINVAL;
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

static const struct option long_opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"sip", required_argument, NULL, 's'},
	{"dataplane", required_argument, NULL, 'd'},
	{"http", required_argument, NULL, 'H'},
	{"media-addr", required_argument, NULL, 'm'},
	{"ports", required_argument, NULL, 'p'},
	{"room-pattern", required_argument, NULL, 'r'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static const char *
opt_key(int c)
{
	switch (c) {
	case 's':
		return "sip";
	case 'd':
		return "dataplane";
	case 'H':
		return "http";
	case 'm':
		return "media_addr";
	case 'p':
		return "ports";
	case 'r':
		return "room_pattern";
	default:
		return NULL;
	}
}

int
config_parse_args(struct config *cfg, int argc, char **argv, char *err)
{
	int c, rc;

	/* first pass: --config and -h; second: the flags, so they win */
	opterr = 0;
	optind = 1;
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
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		const char *key = opt_key(c);
		char msg[CONFIG_ERR_MAX];

		if (!key)
			continue;
		rc = config_set(cfg, key, optarg, msg);
		if (rc < 0) {
			snprintf(err, CONFIG_ERR_MAX, "%.200s", msg);
			return rc;
		}
	}
	return config_validate(cfg, err);
}

int
config_validate(const struct config *cfg, char *err)
{
	if (cfg->media_ip[0] == '\0') {
		snprintf(err, CONFIG_ERR_MAX, "media_addr is required (--media-addr IP)");
		return -EINVAL;
	}
	return 0;
}

void
config_usage(const char *prog)
{
	printf("usage: %s [--config FILE] [--sip ADDR:PORT] [--dataplane SOCK]\n"
	       "       [--http ADDR:PORT] --media-addr IP [--ports LO-HI]\n"
	       "       [--room-pattern REGEX] [-h]\n"
	       "\n"
	       "  --config FILE        key = value file (rtpgw-control.conf.example);\n"
	       "                       flags override it\n"
	       "  --sip ADDR:PORT      SIP UDP listen address (default 0.0.0.0:5060)\n"
	       "  --dataplane SOCK     dataplane API socket (default /run/rtpgw/api.sock)\n"
	       "  --http ADDR:PORT     HTTP /metrics and /api (default 127.0.0.1:8080)\n"
	       "  --media-addr IP      the dataplane's media address, put in SDP\n"
	       "  --ports LO-HI        media ports, both even (default 30000-39998)\n"
	       "  --room-pattern RE    extended regex a conference room's user part\n"
	       "                       matches (default ^[0-9]{1,9}$)\n",
	       prog);
}
