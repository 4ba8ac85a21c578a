/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/config.c: defaults, the key=value file (comments,
 * blank lines, whitespace), flags overriding the file, every key with good
 * and bad values (each bad one rejected with a message naming the key and,
 * for files, FILE:LINE), SIP over TCP following the UDP address, routes
 * (next hop syntax, the 64 limit, --route replacing the file's routes),
 * the session timer cross-check, the usage text and the example file.
 * Addresses come from the documentation ranges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../control/config.h"

static char *
write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/rtpgw-cfg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int
parse(struct config *cfg, char *err, int argc, const char **argv)
{
	config_init(cfg);
	return config_parse_args(cfg, argc, (char **)argv, err);
}

static void
defaults_need_media_addr(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control", NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 1, argv), -EINVAL);
	assert_non_null(strstr(err, "media_addr"));
}

static void
defaults(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control", "--media-addr", "198.51.100.10", NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 3, argv), 0);
	assert_string_equal(cfg.sip_ip, "0.0.0.0");
	assert_int_equal(cfg.sip_port, 5060);
	/* TCP on, resolved to the UDP address by config_validate */
	assert_true(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "0.0.0.0");
	assert_int_equal(cfg.sip_tcp_port, 5060);
	assert_int_equal(cfg.n_routes, 0);
	assert_int_equal(cfg.media_timeout_s, 60);
	assert_int_equal(cfg.session_expires_s, 1800);
	assert_int_equal(cfg.min_se_s, 90);
	assert_int_equal(cfg.invite_timeout_s, 180);
	assert_int_equal(cfg.port_quarantine_s, 10);
	assert_int_equal(cfg.stats_interval_ms, 1000);
	assert_string_equal(cfg.state_file, "/run/rtpgw/control.state");
	assert_string_equal(cfg.quality_log, "/var/log/rtpgw/calls.jsonl");
}

static void
flags_set_every_field(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control",
			      "--sip",
			      "198.51.100.10:5070",
			      "--sip-tcp",
			      "198.51.100.11:5080",
			      "--http",
			      "127.0.0.1:9090",
			      "--media-addr",
			      "198.51.100.10",
			      "--ports",
			      "40000-40100",
			      "--dataplane",
			      "/tmp/x.sock",
			      "--room-pattern",
			      "^[0-9]+$",
			      "--route",
			      "^1[0-9]{3}$ sip:203.0.113.20:5060",
			      "--route",
			      "^2 sip:203.0.113.21;transport=tcp",
			      "--media-timeout",
			      "0",
			      "--session-expires",
			      "600",
			      "--min-se",
			      "120",
			      "--invite-timeout",
			      "30",
			      "--port-quarantine",
			      "0",
			      "--stats-interval",
			      "250",
			      "--state-file",
			      "/var/lib/rtpgw/state",
			      "--quality-log",
			      "off",
			      NULL};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	(void)state;
	assert_int_equal(parse(&cfg, err, argc, argv), 0);
	assert_string_equal(cfg.sip_ip, "198.51.100.10");
	assert_int_equal(cfg.sip_port, 5070);
	assert_true(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "198.51.100.11");
	assert_int_equal(cfg.sip_tcp_port, 5080);
	assert_string_equal(cfg.http_ip, "127.0.0.1");
	assert_int_equal(cfg.http_port, 9090);
	assert_string_equal(cfg.media_ip, "198.51.100.10");
	assert_int_equal(cfg.port_lo, 40000);
	assert_int_equal(cfg.port_hi, 40100);
	assert_string_equal(cfg.dp_sock, "/tmp/x.sock");
	assert_string_equal(cfg.room_pattern, "^[0-9]+$");
	assert_int_equal(cfg.n_routes, 2);
	assert_string_equal(cfg.routes[0].pattern, "^1[0-9]{3}$");
	assert_string_equal(cfg.routes[0].next_hop, "sip:203.0.113.20:5060");
	assert_string_equal(cfg.routes[1].pattern, "^2");
	assert_string_equal(cfg.routes[1].next_hop, "sip:203.0.113.21;transport=tcp");
	assert_int_equal(cfg.media_timeout_s, 0);
	assert_int_equal(cfg.session_expires_s, 600);
	assert_int_equal(cfg.min_se_s, 120);
	assert_int_equal(cfg.invite_timeout_s, 30);
	assert_int_equal(cfg.port_quarantine_s, 0);
	assert_int_equal(cfg.stats_interval_ms, 250);
	assert_string_equal(cfg.state_file, "/var/lib/rtpgw/state");
	assert_string_equal(cfg.quality_log, "");
}

static void
help_returns_one(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control", "-h", NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 2, argv), 1);
}

static void
file_is_read_and_flags_override(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	char *path = write_tmp("# comment\n\n  sip = [2001:db8::1]:5060  # trailing\n"
			       "media_addr=198.51.100.10\nports = 30000-30010\n");
	const char *argv[] = {"rtpgw-control", "--ports", "32000-32010", "--config", path, NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	unlink(path);
	assert_string_equal(cfg.sip_ip, "2001:db8::1");
	assert_int_equal(cfg.sip_port, 5060);
	assert_string_equal(cfg.media_ip, "198.51.100.10");
	assert_int_equal(cfg.port_lo, 32000);
	assert_int_equal(cfg.port_hi, 32010);
}

static void
good_values_are_accepted(void **state)
{
	char err[CONFIG_ERR_MAX] = "";
	struct config cfg;

	(void)state;
	config_init(&cfg);
#define SET_OK(k, v) assert_int_equal(config_set(&cfg, k, v, err), 0)
	SET_OK("media_timeout", "0");
	assert_int_equal(cfg.media_timeout_s, 0);
	SET_OK("media_timeout", "86400");
	assert_int_equal(cfg.media_timeout_s, 86400);
	SET_OK("media_timeout", "007");
	assert_int_equal(cfg.media_timeout_s, 7);
	SET_OK("session_expires", "0");
	assert_int_equal(cfg.session_expires_s, 0);
	SET_OK("session_expires", "90");
	assert_int_equal(cfg.session_expires_s, 90);
	SET_OK("session_expires", "86400");
	assert_int_equal(cfg.session_expires_s, 86400);
	SET_OK("min_se", "90");
	assert_int_equal(cfg.min_se_s, 90);
	SET_OK("min_se", "86400");
	assert_int_equal(cfg.min_se_s, 86400);
	SET_OK("invite_timeout", "1");
	assert_int_equal(cfg.invite_timeout_s, 1);
	SET_OK("invite_timeout", "3600");
	assert_int_equal(cfg.invite_timeout_s, 3600);
	SET_OK("port_quarantine", "0");
	assert_int_equal(cfg.port_quarantine_s, 0);
	SET_OK("port_quarantine", "3600");
	assert_int_equal(cfg.port_quarantine_s, 3600);
	SET_OK("stats_interval_ms", "100");
	assert_int_equal(cfg.stats_interval_ms, 100);
	SET_OK("stats_interval_ms", "60000");
	assert_int_equal(cfg.stats_interval_ms, 60000);
	SET_OK("state_file", "off");
	assert_string_equal(cfg.state_file, "");
	SET_OK("state_file", "relative/state");
	assert_string_equal(cfg.state_file, "relative/state");
	SET_OK("quality_log", "off");
	assert_string_equal(cfg.quality_log, "");
	SET_OK("quality_log", "/var/log/rtpgw/q.jsonl");
	assert_string_equal(cfg.quality_log, "/var/log/rtpgw/q.jsonl");
	SET_OK("sip_tcp", "[2001:db8::10]:5061");
	assert_true(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "2001:db8::10");
	assert_int_equal(cfg.sip_tcp_port, 5061);
	SET_OK("sip_tcp", "off");
	assert_false(cfg.sip_tcp);
	SET_OK("sip_tcp", "on");
	assert_true(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "");
	/* a pattern may hold blanks: the next hop is the last word */
	SET_OK("route", "  ^a b$   sip:203.0.113.20  ");
	assert_int_equal(cfg.n_routes, 1);
	assert_string_equal(cfg.routes[0].pattern, "^a b$");
	assert_string_equal(cfg.routes[0].next_hop, "sip:203.0.113.20");
#undef SET_OK
}

static void
bad_values_are_rejected(void **state)
{
	static const char *const bad[][2] = {
		{"sip", "198.51.100.10"},
		{"sip", "198.51.100.10:0"},
		{"sip", "198.51.100.10:70000"},
		{"sip", "host:5060"},
		{"sip", "[2001:db8::1:5060"},
		{"http", "127.0.0.1:http"},
		{"media_addr", "198.51.100.300"},
		{"ports", "30001-30010"},
		{"ports", "30010-30000"},
		{"ports", "30000"},
		{"ports", "30000-30011"},
		{"ports", "-2-4"},
		{"room_pattern", "[0-9"},
		{"dataplane", ""},
		{"nonsense", "1"},
		{"sip_tcp", ""},
		{"sip_tcp", "yes"},
		{"sip_tcp", "198.51.100.10"},
		{"sip_tcp", "198.51.100.10:0"},
		{"sip_tcp", "pbx.example.net:5060"},
		{"route", ""},
		{"route", "^1"},
		{"route", "sip:203.0.113.20"},
		{"route", "[0-9 sip:203.0.113.20"},
		{"route", "^1 203.0.113.20"},
		{"route", "^1 sips:203.0.113.20"},
		{"route", "^1 sip:"},
		{"route", "^1 sip:user@203.0.113.20"},
		{"route", "^1 sip:203.0.113.300"},
		{"route", "^1 sip:203.0.113"},
		{"route", "^1 sip:203.0.113.20:0"},
		{"route", "^1 sip:203.0.113.20:65536"},
		{"route", "^1 sip:203.0.113.20:"},
		{"route", "^1 sip:203.0.113.20:50x"},
		{"route", "^1 sip:203.0.113.20;transport=sctp"},
		{"route", "^1 sip:203.0.113.20;transport="},
		{"route", "^1 sip:203.0.113.20;lr"},
		{"route", "^1 sip:203.0.113.20;transport=tcp;lr"},
		{"route", "^1 sip:[2001:db8::1"},
		{"route", "^1 sip:[203.0.113.20]"},
		{"route", "^1 sip:2001:db8::1"},
		{"route", "^1 sip:-pbx.example.net"},
		{"route", "^1 sip:pbx-.example.net"},
		{"route", "^1 sip:pbx..example.net"},
		{"route", "^1 sip:pbx_1.example.net"},
		{"route", "^1 sip:.example.net"},
		{"route", "^1 sip:pbx.example.net.."},
		{"route", "^1 sip:caf\xc3\xa9.example"},
		{"media_timeout", ""},
		{"media_timeout", "-1"},
		{"media_timeout", "+5"},
		{"media_timeout", "1.5"},
		{"media_timeout", "60s"},
		{"media_timeout", "86401"},
		{"media_timeout", "99999999999999999999999"},
		{"session_expires", "1"},
		{"session_expires", "89"},
		{"session_expires", "86401"},
		{"session_expires", "off"},
		{"min_se", "0"},
		{"min_se", "89"},
		{"min_se", "86401"},
		{"invite_timeout", "0"},
		{"invite_timeout", "3601"},
		{"port_quarantine", "3601"},
		{"port_quarantine", "-1"},
		{"stats_interval_ms", "0"},
		{"stats_interval_ms", "99"},
		{"stats_interval_ms", "60001"},
		{"state_file", ""},
		{"state_file", "/tmp/a\tb"},
		{"quality_log", ""},
	};
	char err[CONFIG_ERR_MAX];
	struct config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_init(&cfg);
		err[0] = '\0';
		assert_int_equal(config_set(&cfg, bad[i][0], bad[i][1], err), -EINVAL);
		assert_non_null(strstr(err, bad[i][0]));
		/* one line, and it quotes the value */
		assert_null(strchr(err, '\n'));
		if (strcmp(bad[i][0], "nonsense") != 0)
			assert_non_null(strstr(err, bad[i][1]));
		assert_int_equal(cfg.n_routes, 0);
	}
}

static void
long_paths_are_rejected(void **state)
{
	char err[CONFIG_ERR_MAX] = "", path[CONFIG_PATH_MAX + 1];
	struct config cfg;

	(void)state;
	config_init(&cfg);
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[CONFIG_PATH_MAX - 1] = '\0'; /* 255 bytes: fits */
	assert_int_equal(config_set(&cfg, "state_file", path, err), 0);
	assert_int_equal(strlen(cfg.state_file), CONFIG_PATH_MAX - 1);
	path[CONFIG_PATH_MAX - 1] = 'a';
	path[CONFIG_PATH_MAX] = '\0'; /* 256 bytes: too long */
	assert_int_equal(config_set(&cfg, "state_file", path, err), -EINVAL);
	assert_non_null(strstr(err, "state_file"));
	assert_int_equal(config_set(&cfg, "quality_log", path, err), -EINVAL);
	assert_non_null(strstr(err, "quality_log"));
}

static void
bad_file_names_line(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	char *path = write_tmp("media_addr = 198.51.100.10\nports 30000-30010\n");
	char want[96];

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, path, err), -EINVAL);
	snprintf(want, sizeof(want), "%s:2:", path);
	unlink(path);
	assert_non_null(strstr(err, want));
}

static void
missing_file_is_an_error(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control", "--config", "/nonexistent/rtpgw.conf", NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 3, argv), -EINVAL);
	assert_non_null(strstr(err, "/nonexistent/rtpgw.conf"));
}

static void
unknown_flag_is_an_error(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control", "--bogus", NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 2, argv), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
}

static void
next_hops_are_taken_apart(void **state)
{
	struct config_next_hop nh;

	(void)state;
	assert_int_equal(config_next_hop_parse("sip:203.0.113.20", &nh), 0);
	assert_string_equal(nh.host, "203.0.113.20");
	assert_int_equal(nh.port, 5060);
	assert_false(nh.port_given);
	assert_false(nh.ipv6);
	assert_false(nh.tcp);

	assert_int_equal(config_next_hop_parse("SIP:203.0.113.20:5070;Transport=TCP", &nh), 0);
	assert_string_equal(nh.host, "203.0.113.20");
	assert_int_equal(nh.port, 5070);
	assert_true(nh.port_given);
	assert_true(nh.tcp);

	assert_int_equal(config_next_hop_parse("sip:[2001:db8::1]:5070", &nh), 0);
	assert_string_equal(nh.host, "2001:db8::1");
	assert_int_equal(nh.port, 5070);
	assert_true(nh.ipv6);

	assert_int_equal(config_next_hop_parse("sip:[2001:db8::1];transport=udp", &nh), 0);
	assert_int_equal(nh.port, 5060);
	assert_false(nh.tcp);

	assert_int_equal(config_next_hop_parse("sip:pbx-1.example.net.:65535", &nh), 0);
	assert_string_equal(nh.host, "pbx-1.example.net.");
	assert_int_equal(nh.port, 65535);

	assert_int_equal(config_next_hop_parse("sip:a", NULL), 0);
	assert_int_equal(config_next_hop_parse("sip:1a.example", NULL), 0);
	assert_int_equal(config_next_hop_parse("sip:a.1example", NULL), -EINVAL);
	assert_int_equal(config_next_hop_parse("sip:example.net-", NULL), -EINVAL);
	assert_int_equal(config_next_hop_parse(" sip:203.0.113.20", NULL), -EINVAL);
}

static void
long_next_hops_and_patterns(void **state)
{
	char err[CONFIG_ERR_MAX] = "", value[400], label[64];
	struct config cfg;
	size_t n;

	(void)state;
	config_init(&cfg);
	/* a 63-byte label is allowed, a 64-byte one is not */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(value, sizeof(value), "^1 sip:%s.example", label);
	assert_int_equal(config_set(&cfg, "route", value, err), 0);
	snprintf(value, sizeof(value), "^1 sip:%sa.example", label);
	assert_int_equal(config_set(&cfg, "route", value, err), -EINVAL);
	/* the whole URI fits CONFIG_URI_MAX - 1 bytes: a 123-byte host */
	snprintf(value, sizeof(value), "^1 sip:%s.%.59s", label, label);
	n = strlen(strstr(value, "sip:"));
	assert_int_equal(n, CONFIG_URI_MAX - 1);
	assert_int_equal(config_set(&cfg, "route", value, err), 0);
	snprintf(value, sizeof(value), "^1 sip:%s.%.60s", label, label);
	assert_int_equal(config_set(&cfg, "route", value, err), -EINVAL);
	assert_non_null(strstr(err, "route"));
	assert_non_null(strstr(err, "127"));
	/* a pattern of CONFIG_PATTERN_MAX bytes is too long */
	memset(value, 'x', CONFIG_PATTERN_MAX);
	snprintf(value + CONFIG_PATTERN_MAX, sizeof(value) - CONFIG_PATTERN_MAX,
		 " sip:203.0.113.20");
	assert_int_equal(config_set(&cfg, "route", value, err), -EINVAL);
	assert_non_null(strstr(err, "route"));
	value[CONFIG_PATTERN_MAX - 1] = ' ';
	assert_int_equal(config_set(&cfg, "route", value + 1, err), 0);
	assert_int_equal(strlen(cfg.routes[cfg.n_routes - 1].pattern), CONFIG_PATTERN_MAX - 2);
	assert_int_equal(cfg.n_routes, 3);
}

static void
routes_stop_at_the_maximum(void **state)
{
	char err[CONFIG_ERR_MAX] = "", value[64];
	struct config cfg;
	unsigned int i;

	(void)state;
	config_init(&cfg);
	for (i = 0; i < CONFIG_ROUTES_MAX; i++) {
		snprintf(value, sizeof(value), "^%u$ sip:203.0.113.%u", i, i % 250 + 1);
		assert_int_equal(config_set(&cfg, "route", value, err), 0);
	}
	assert_int_equal(cfg.n_routes, CONFIG_ROUTES_MAX);
	assert_string_equal(cfg.routes[CONFIG_ROUTES_MAX - 1].pattern, "^63$");
	assert_int_equal(config_set(&cfg, "route", "^x$ sip:203.0.113.99", err), -EINVAL);
	assert_non_null(strstr(err, "route"));
	assert_non_null(strstr(err, "64"));
	assert_int_equal(cfg.n_routes, CONFIG_ROUTES_MAX);
}

static void
file_routes_in_order(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	char *path = write_tmp("media_addr = 198.51.100.10\n"
			       "route = ^1[0-9]{3}$ sip:203.0.113.20:5060\n"
			       "route=^2   sip:pbx.example.net;transport=tcp # comment\n");
	const char *argv[] = {"rtpgw-control", "--config", path, NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 3, argv), 0);
	unlink(path);
	assert_int_equal(cfg.n_routes, 2);
	assert_string_equal(cfg.routes[0].pattern, "^1[0-9]{3}$");
	assert_string_equal(cfg.routes[0].next_hop, "sip:203.0.113.20:5060");
	assert_string_equal(cfg.routes[1].pattern, "^2");
	assert_string_equal(cfg.routes[1].next_hop, "sip:pbx.example.net;transport=tcp");
}

static void
route_flags_replace_the_files(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	char *path = write_tmp("media_addr = 198.51.100.10\n"
			       "route = ^1 sip:203.0.113.20\n"
			       "route = ^2 sip:203.0.113.21\n"
			       "route = ^3 sip:203.0.113.22\n");
	/* --route before --config: the file is still read first */
	const char *argv[] = {"rtpgw-control",
			      "--route",
			      "^9 sip:203.0.113.29",
			      "--config",
			      path,
			      "--route",
			      "^8 sip:203.0.113.28",
			      NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 7, argv), 0);
	assert_int_equal(cfg.n_routes, 2);
	assert_string_equal(cfg.routes[0].pattern, "^9");
	assert_string_equal(cfg.routes[1].pattern, "^8");
	assert_string_equal(cfg.routes[1].next_hop, "sip:203.0.113.28");

	/* no --route: the file's routes stay */
	argv[1] = "--min-se";
	argv[2] = "100";
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	unlink(path);
	assert_int_equal(cfg.n_routes, 3);
	assert_string_equal(cfg.routes[2].pattern, "^3");
	assert_int_equal(cfg.min_se_s, 100);
}

static void
bad_flag_names_flag_and_key(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control",	  "--media-addr", "198.51.100.10",
			      "--stats-interval", "50",		  NULL};
	const char *argv2[] = {"rtpgw-control",
			       "--media-addr",
			       "198.51.100.10",
			       "--route",
			       "^1 sip:203.0.113.20:99999",
			       NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 5, argv), -EINVAL);
	assert_non_null(strstr(err, "--stats-interval"));
	assert_non_null(strstr(err, "stats_interval_ms"));
	assert_non_null(strstr(err, "'50'"));
	assert_int_equal(parse(&cfg, err, 5, argv2), -EINVAL);
	assert_non_null(strstr(err, "--route"));
	assert_non_null(strstr(err, "sip:203.0.113.20:99999"));
	/* a flag without its value */
	argv[4] = NULL;
	assert_int_equal(parse(&cfg, err, 4, argv), -EINVAL);
	assert_non_null(strstr(err, "--stats-interval"));
}

static void
session_expires_at_least_min_se(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	/* order in the file does not matter: checked after everything is read */
	char *path = write_tmp("media_addr = 198.51.100.10\nsession_expires = 100\n"
			       "min_se = 120\n");
	const char *argv[] = {"rtpgw-control", "--config", path, NULL, NULL, NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 3, argv), -EINVAL);
	assert_non_null(strstr(err, "session_expires"));
	assert_non_null(strstr(err, "min_se"));
	argv[3] = "--session-expires";
	argv[4] = "120";
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	argv[4] = "0"; /* no session timers: min_se does not matter */
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	assert_int_equal(cfg.session_expires_s, 0);
	argv[3] = "--min-se";
	argv[4] = "90";
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	assert_int_equal(cfg.session_expires_s, 100);
	unlink(path);
}

static void
sip_tcp_follows_or_not(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	char *path = write_tmp("media_addr = 198.51.100.10\nsip_tcp = off\n");
	const char *argv[] = {"rtpgw-control",
			      "--media-addr",
			      "198.51.100.10",
			      "--sip",
			      "[2001:db8::5]:5070",
			      NULL,
			      NULL,
			      NULL};

	(void)state;
	/* default: the UDP address, whichever order sip comes in */
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	assert_true(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "2001:db8::5");
	assert_int_equal(cfg.sip_tcp_port, 5070);
	/* off in the file */
	argv[1] = "--config";
	argv[2] = path;
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	assert_false(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "");
	/* the flag turns it back on */
	argv[5] = "--sip-tcp";
	argv[6] = "on";
	assert_int_equal(parse(&cfg, err, 7, argv), 0);
	assert_true(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "2001:db8::5");
	argv[6] = "198.51.100.10:5061";
	assert_int_equal(parse(&cfg, err, 7, argv), 0);
	assert_string_equal(cfg.sip_tcp_ip, "198.51.100.10");
	assert_int_equal(cfg.sip_tcp_port, 5061);
	unlink(path);
}

static void
sip_tcp_and_http_cannot_share_a_port(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control",
			      "--media-addr",
			      "198.51.100.10",
			      "--sip",
			      "0.0.0.0:8080",
			      NULL,
			      NULL};

	(void)state;
	/* TCP follows sip to 0.0.0.0:8080, which holds http 127.0.0.1:8080 */
	assert_int_equal(parse(&cfg, err, 5, argv), -EINVAL);
	assert_non_null(strstr(err, "sip_tcp"));
	assert_non_null(strstr(err, "http"));
	/* UDP alone on 8080 is fine */
	argv[5] = "--sip-tcp=off";
	assert_int_equal(parse(&cfg, err, 6, argv), 0);
	argv[5] = "--sip-tcp=198.51.100.10:5060";
	assert_int_equal(parse(&cfg, err, 6, argv), 0);
}

static void
ng_listener(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control", "--media-addr", "198.51.100.10", NULL, NULL, NULL};

	(void)state;
	/* default: on, loopback, 2223, no session limit */
	assert_int_equal(parse(&cfg, err, 3, argv), 0);
	assert_true(cfg.ng);
	assert_string_equal(cfg.ng_ip, "127.0.0.1");
	assert_int_equal(cfg.ng_port, 2223);
	assert_int_equal(cfg.ng_max_sessions, 0);
	argv[3] = "--ng=off";
	assert_int_equal(parse(&cfg, err, 4, argv), 0);
	assert_false(cfg.ng);
	argv[3] = "--ng=[2001:db8::1]:22222";
	argv[4] = "--ng-max-sessions=5000";
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
	assert_true(cfg.ng);
	assert_string_equal(cfg.ng_ip, "2001:db8::1");
	assert_int_equal(cfg.ng_port, 22222);
	assert_int_equal(cfg.ng_max_sessions, 5000);
	/* file keys */
	config_init(&cfg);
	assert_int_equal(config_set(&cfg, "ng", "203.0.113.1:2223", err), 0);
	assert_string_equal(cfg.ng_ip, "203.0.113.1");
	assert_int_equal(config_set(&cfg, "ng_max_sessions", "0", err), 0);
	assert_int_equal(config_set(&cfg, "ng_max_sessions", "10000000", err), 0);
	assert_int_equal(cfg.ng_max_sessions, 10000000);
	/* bad values name the key */
	assert_int_equal(config_set(&cfg, "ng", "on", err), -EINVAL);
	assert_non_null(strstr(err, "ng: bad value 'on'"));
	assert_int_equal(config_set(&cfg, "ng", "127.0.0.1", err), -EINVAL);
	assert_int_equal(config_set(&cfg, "ng", "127.0.0.1:0", err), -EINVAL);
	assert_int_equal(config_set(&cfg, "ng", "localhost:2223", err), -EINVAL);
	assert_int_equal(config_set(&cfg, "ng", "", err), -EINVAL);
	assert_int_equal(config_set(&cfg, "ng_max_sessions", "-1", err), -EINVAL);
	assert_non_null(strstr(err, "ng_max_sessions"));
	assert_int_equal(config_set(&cfg, "ng_max_sessions", "10000001", err), -EINVAL);
	assert_int_equal(config_set(&cfg, "ng_max_sessions", "12x", err), -EINVAL);
	/* ng cannot take the SIP UDP port */
	argv[3] = "--sip=0.0.0.0:2223";
	assert_int_equal(parse(&cfg, err, 4, argv), -EINVAL);
	assert_non_null(strstr(err, "ng"));
	argv[4] = "--ng=off";
	assert_int_equal(parse(&cfg, err, 5, argv), 0);
}

static void
usage_names_every_flag(void **state)
{
	static const char *const flags[] = {
		"--config",
		"--sip",
		"--sip-tcp",
		"--dataplane",
		"--http",
		"--media-addr",
		"--ports",
		"--room-pattern",
		"--route",
		"--media-timeout",
		"--session-expires",
		"--min-se",
		"--invite-timeout",
		"--port-quarantine",
		"--stats-interval",
		"--state-file",
		"--quality-log",
		"--ng",
		"--ng-max-sessions",
		"--help",
		"stats_interval_ms",
	};
	char path[] = "/tmp/rtpgw-usage-XXXXXX";
	char text[8192];
	int fd, saved;
	ssize_t n;
	size_t i;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	config_usage("rtpgw-control");
	fflush(stdout);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	text[n] = '\0';
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		assert_non_null(strstr(text, flags[i]));
}

static void
example_file_parses(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	struct config_next_hop nh;
	unsigned int i;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, EXAMPLE_CONF, err), 0);
	assert_int_equal(config_validate(&cfg, err), 0);
	assert_string_equal(cfg.media_ip, "198.51.100.10");
	assert_true(cfg.sip_tcp);
	assert_string_equal(cfg.sip_tcp_ip, "198.51.100.10");
	assert_int_equal(cfg.sip_tcp_port, 5060);
	assert_int_equal(cfg.n_routes, 4);
	assert_string_equal(cfg.routes[0].pattern, "^1[0-9]{3}$");
	assert_string_equal(cfg.routes[0].next_hop, "sip:203.0.113.20:5060");
	for (i = 0; i < cfg.n_routes; i++)
		assert_int_equal(config_next_hop_parse(cfg.routes[i].next_hop, &nh), 0);
	assert_true(nh.port == 5060 && !nh.port_given);
	assert_int_equal(cfg.media_timeout_s, 60);
	assert_int_equal(cfg.session_expires_s, 1800);
	assert_int_equal(cfg.min_se_s, 90);
	assert_int_equal(cfg.invite_timeout_s, 180);
	assert_int_equal(cfg.port_quarantine_s, 10);
	assert_int_equal(cfg.stats_interval_ms, 1000);
	assert_string_equal(cfg.state_file, "/run/rtpgw/control.state");
	assert_string_equal(cfg.quality_log, "/var/log/rtpgw/calls.jsonl");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_need_media_addr),
		cmocka_unit_test(defaults),
		cmocka_unit_test(flags_set_every_field),
		cmocka_unit_test(help_returns_one),
		cmocka_unit_test(file_is_read_and_flags_override),
		cmocka_unit_test(good_values_are_accepted),
		cmocka_unit_test(bad_values_are_rejected),
		cmocka_unit_test(long_paths_are_rejected),
		cmocka_unit_test(bad_file_names_line),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(unknown_flag_is_an_error),
		cmocka_unit_test(next_hops_are_taken_apart),
		cmocka_unit_test(long_next_hops_and_patterns),
		cmocka_unit_test(routes_stop_at_the_maximum),
		cmocka_unit_test(file_routes_in_order),
		cmocka_unit_test(route_flags_replace_the_files),
		cmocka_unit_test(bad_flag_names_flag_and_key),
		cmocka_unit_test(session_expires_at_least_min_se),
		cmocka_unit_test(sip_tcp_follows_or_not),
		cmocka_unit_test(sip_tcp_and_http_cannot_share_a_port),
		cmocka_unit_test(ng_listener),
		cmocka_unit_test(usage_names_every_flag),
		cmocka_unit_test(example_file_parses),
	};

	return cmocka_run_group_tests_name("control_config", tests, NULL, NULL);
}
