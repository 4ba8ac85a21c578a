/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/config.c: defaults, the key=value file (comments,
 * blank lines, whitespace), flags overriding the file, and every bad value
 * rejected with a message naming the key and, for files, FILE:LINE.
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
flags_set_every_field(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";
	const char *argv[] = {"rtpgw-control",	    "--sip",
			      "198.51.100.10:5070", "--http",
			      "127.0.0.1:9090",	    "--media-addr",
			      "198.51.100.10",	    "--ports",
			      "40000-40100",	    "--dataplane",
			      "/tmp/x.sock",	    "--room-pattern",
			      "^[0-9]+$",	    NULL};

	(void)state;
	assert_int_equal(parse(&cfg, err, 13, argv), 0);
	assert_string_equal(cfg.sip_ip, "198.51.100.10");
	assert_int_equal(cfg.sip_port, 5070);
	assert_string_equal(cfg.http_ip, "127.0.0.1");
	assert_int_equal(cfg.http_port, 9090);
	assert_string_equal(cfg.media_ip, "198.51.100.10");
	assert_int_equal(cfg.port_lo, 40000);
	assert_int_equal(cfg.port_hi, 40100);
	assert_string_equal(cfg.dp_sock, "/tmp/x.sock");
	assert_string_equal(cfg.room_pattern, "^[0-9]+$");
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
	}
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
example_file_parses(void **state)
{
	struct config cfg;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load(&cfg, EXAMPLE_CONF, err), 0);
	assert_int_equal(config_validate(&cfg, err), 0);
	assert_string_equal(cfg.media_ip, "198.51.100.10");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_need_media_addr),
		cmocka_unit_test(flags_set_every_field),
		cmocka_unit_test(help_returns_one),
		cmocka_unit_test(file_is_read_and_flags_override),
		cmocka_unit_test(bad_values_are_rejected),
		cmocka_unit_test(bad_file_names_line),
		cmocka_unit_test(missing_file_is_an_error),
		cmocka_unit_test(unknown_flag_is_an_error),
		cmocka_unit_test(example_file_parses),
	};

	return cmocka_run_group_tests_name("control_config", tests, NULL, NULL);
}
