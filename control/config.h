/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-control configuration: defaults, a key=value file (see
 * rtpgw-control.conf.example) and command-line flags, applied in that order
 * (flags override the file). Plain libc, no libre, so the parser is unit
 * tested on its own. Every error is reported as one line in err naming the
 * key or flag and the bad value.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_ERR_MAX 256
#define CONFIG_IP_MAX  46 /* INET6_ADDRSTRLEN */

struct config {
	char sip_ip[CONFIG_IP_MAX]; /* SIP UDP listen address */
	uint16_t sip_port;
	char http_ip[CONFIG_IP_MAX]; /* HTTP listen address, loopback by default */
	uint16_t http_port;
	char media_ip[CONFIG_IP_MAX]; /* dataplane address in SDP c= and flows */
	uint16_t port_lo;	      /* media port range, both even, lo < hi */
	uint16_t port_hi;
	char dp_sock[108];	/* dataplane API socket (sun_path) */
	char room_pattern[128]; /* POSIX extended regex on the user part */
};

/* Fill cfg with the defaults. */
void config_init(struct config *cfg);

/*
 * Apply one key=value setting (key as in the file). Returns 0 or -EINVAL
 * with a message in err (CONFIG_ERR_MAX bytes).
 */
int config_set(struct config *cfg, const char *key, const char *value, char *err);

/*
 * Read a config file: one key = value per line, '#' starts a comment, blank
 * lines ignored. Returns 0, or -EINVAL / -errno with "FILE:LINE: ..." in err.
 */
int config_load(struct config *cfg, const char *path, char *err);

/*
 * Parse the command line: --config FILE is applied first, then the other
 * flags. Returns 0, 1 when -h/--help was given, or -EINVAL with err set.
 */
int config_parse_args(struct config *cfg, int argc, char **argv, char *err);

/* Check the whole configuration for consistency. 0 or -EINVAL with err. */
int config_validate(const struct config *cfg, char *err);

/* The usage text for -h. */
void config_usage(const char *prog);

#endif /* CONFIG_H */
