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

#define CONFIG_ROUTES_MAX  64
#define CONFIG_PATTERN_MAX 128
#define CONFIG_URI_MAX	   128
#define CONFIG_PATH_MAX	   256

/*
 * One routing table entry: a Request-URI user part matching pattern (POSIX
 * extended regex) is relayed (B2BUA, media anchored) to next_hop, a SIP URI
 * "sip:HOST[:PORT][;transport=udp|tcp]"; the callee's Request-URI becomes
 * sip:<user>@HOST[:PORT]. Entries are tried in file order.
 */
struct config_route {
	char pattern[CONFIG_PATTERN_MAX];
	char next_hop[CONFIG_URI_MAX];
};

struct config {
	char sip_ip[CONFIG_IP_MAX]; /* SIP UDP listen address */
	uint16_t sip_port;
	bool sip_tcp;		       /* also listen on TCP (default on) */
	char sip_tcp_ip[CONFIG_IP_MAX]; /* TCP listen address, default the UDP one */
	uint16_t sip_tcp_port;
	char http_ip[CONFIG_IP_MAX]; /* HTTP listen address, loopback by default */
	uint16_t http_port;
	char media_ip[CONFIG_IP_MAX]; /* dataplane address in SDP c= and flows */
	uint16_t port_lo;	      /* media port range, both even, lo < hi */
	uint16_t port_hi;
	char dp_sock[108];	/* dataplane API socket (sun_path) */
	char room_pattern[128]; /* POSIX extended regex on the user part */
	struct config_route routes[CONFIG_ROUTES_MAX];
	unsigned int n_routes;
	uint32_t media_timeout_s;   /* no RTP for this long ends the call; 0 = never */
	uint32_t session_expires_s; /* RFC 4028 interval we ask for; 0 = no timers */
	uint32_t min_se_s;	    /* RFC 4028 Min-SE we accept (>= 90) */
	uint32_t invite_timeout_s;  /* relayed call unanswered this long: 408 */
	uint32_t port_quarantine_s; /* a released port is not reused before this */
	uint32_t stats_interval_ms; /* dataplane statistics poll period */
	char state_file[CONFIG_PATH_MAX];  /* persisted calls; "" = none */
	char quality_log[CONFIG_PATH_MAX]; /* one JSON record per ended call; "" = none */
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
