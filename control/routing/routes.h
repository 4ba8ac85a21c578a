/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routing table of relayed calls, built from the configuration's
 * route entries (config.h: struct config_route). Plain libc, no libre.
 *
 * An INVITE whose Request-URI user part matches an entry's pattern (POSIX
 * extended regex, first match in configuration order wins) is relayed to
 * that entry's next hop, with Request-URI sip:USER@HOST[:PORT] (plus
 * ;transport=tcp for a TCP next hop). The user part is matched as it
 * appears in the Request-URI (escapes not decoded).
 */
#ifndef CONTROL_ROUTING_ROUTES_H
#define CONTROL_ROUTING_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include "../config.h"

struct routes;
struct route;

enum route_transport {
	ROUTE_UDP,
	ROUTE_TCP,
};

/*
 * Compile n entries (at most CONFIG_ROUTES_MAX; n = 0 gives a table that
 * matches nothing). NULL with errno (EINVAL, ENOMEM) and a message in err
 * (CONFIG_ERR_MAX bytes) naming the bad entry: "route N: ...", N counted
 * from 1.
 */
struct routes *routes_create(const struct config_route *r, unsigned int n, char *err);

/* Free the table (NULL is fine). */
void routes_destroy(struct routes *rt);

/* How many entries. */
unsigned int routes_count(const struct routes *rt);

/* The first entry whose pattern matches user, or NULL. */
const struct route *routes_match(const struct routes *rt, const char *user);

/* An entry's position in the configuration, from 0. */
unsigned int route_index(const struct route *r);

/* The pattern and the next hop URI, as configured. */
const char *route_pattern(const struct route *r);
const char *route_next_hop(const struct route *r);

/* The next hop's host: IPv4 or IPv6 literal (no brackets) or DNS name. */
const char *route_host(const struct route *r);

/* The next hop's port, 5060 when the URI gives none. */
uint16_t route_port(const struct route *r);

/* UDP unless the next hop says ;transport=tcp. */
enum route_transport route_transport(const struct route *r);

/*
 * Write the callee's Request-URI "sip:USER@HOST[:PORT][;transport=tcp]"
 * into buf (IPv6 hosts bracketed, the port only when the next hop names
 * it). Returns 0, -EINVAL when user is empty or has a character a SIP user
 * part cannot carry (RFC 3261 section 25.1: user = 1*( unreserved / escaped
 * / user-unreserved )), or -ENOSPC when buf is too small. On error buf
 * holds "" (when len > 0).
 */
int route_request_uri(const struct route *r, const char *user, char *buf, size_t len);

#endif /* CONTROL_ROUTING_ROUTES_H */
