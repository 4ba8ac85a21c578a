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
 * One routing table entry, as written (checked by config_set, compiled by
 * routing/routes.c): a Request-URI user part matching pattern (POSIX
 * extended regex, unanchored unless it says ^ and $) is relayed (B2BUA,
 * media anchored) to next_hop, a SIP URI "sip:HOST[:PORT][;transport=udp|tcp]";
 * the callee's Request-URI becomes sip:<user>@HOST[:PORT]. Entries are tried
 * in file order, the first match wins.
 */
struct config_route {
	char pattern[CONFIG_PATTERN_MAX];
	char next_hop[CONFIG_URI_MAX];
};

/*
 * A next hop URI taken apart (config_next_hop_parse). host is an IPv4
 * literal, an IPv6 literal without its brackets, or a DNS name.
 */
struct config_next_hop {
	char host[CONFIG_URI_MAX];
	uint16_t port;	 /* 5060 when the URI has none */
	bool port_given; /* the URI names the port */
	bool ipv6;	 /* host is an IPv6 literal: bracket it in a URI */
	bool tcp;	 /* ;transport=tcp (udp otherwise) */
};

struct config {
	char sip_ip[CONFIG_IP_MAX]; /* SIP UDP listen address */
	uint16_t sip_port;
	/*
	 * SIP over TCP (RFC 3261 section 18: a UA must support both). On by
	 * default; an empty sip_tcp_ip means "the UDP address and port" and is
	 * filled in by config_validate.
	 */
	bool sip_tcp;
	char sip_tcp_ip[CONFIG_IP_MAX];
	uint16_t sip_tcp_port;
	char http_ip[CONFIG_IP_MAX]; /* HTTP listen address, loopback by default */
	uint16_t http_port;
	char media_ip[CONFIG_IP_MAX]; /* dataplane address in SDP c= and flows */
	uint16_t port_lo;	      /* media port range, both even, lo < hi */
	uint16_t port_hi;
	char dp_sock[108];	/* dataplane API socket (sun_path) */
	char room_pattern[128]; /* POSIX extended regex on the user part */
	/*
	 * Relayed calls, in order. File "route" lines append; any --route flag
	 * replaces the file's entries with the flags' ones.
	 */
	struct config_route routes[CONFIG_ROUTES_MAX];
	unsigned int n_routes;
	uint32_t media_timeout_s;	   /* no RTP for this long ends the call; 0 = never */
	uint32_t session_expires_s;	   /* RFC 4028 interval we ask for; 0 = no timers */
	uint32_t min_se_s;		   /* RFC 4028 Min-SE we accept (>= 90, section 4) */
	uint32_t invite_timeout_s;	   /* relayed call unanswered this long: 408 */
	uint32_t port_quarantine_s;	   /* a released port is not reused before this */
	uint32_t stats_interval_ms;	   /* dataplane statistics poll period */
	char state_file[CONFIG_PATH_MAX];  /* persisted calls; "" = none */
	char quality_log[CONFIG_PATH_MAX]; /* one JSON record per ended call; "" = none */
	/* the ng protocol listener (UDP, docs/NG.md); loopback by default */
	bool ng;
	char ng_ip[CONFIG_IP_MAX];
	uint16_t ng_port;
	uint32_t ng_max_sessions; /* calls held before an offer gets "load limit"; 0 = no limit */
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

/*
 * Check the whole configuration for consistency (media_addr given,
 * session_expires 0 or >= min_se) and resolve what depends on several keys:
 * an empty sip_tcp_ip becomes the UDP address and port. 0 or -EINVAL with
 * err.
 */
int config_validate(struct config *cfg, char *err);

/*
 * Take a next hop URI "sip:HOST[:PORT][;transport=udp|tcp]" apart (RFC 3261
 * section 19.1.1 and the host grammar of section 25.1; scheme, parameter
 * name and value are case-insensitive). nh may be NULL to check only.
 * Returns 0 or -EINVAL.
 */
int config_next_hop_parse(const char *uri, struct config_next_hop *nh);

/* The usage text for -h. */
void config_usage(const char *prog);

#endif /* CONFIG_H */
