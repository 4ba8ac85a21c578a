/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The routing table of relayed calls: see routes.h. The next hop URIs are
 * taken apart once here with config_next_hop_parse (config.c), so the
 * syntax accepted by the configuration and by the table is the same.
 */
#include <errno.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

struct route {
	unsigned int index;
	regex_t re;
	struct config_next_hop hop;
	char pattern[CONFIG_PATTERN_MAX];
	char next_hop[CONFIG_URI_MAX];
};

struct routes {
	unsigned int n;
	struct route r[];
};

void
routes_destroy(struct routes *rt)
{
	unsigned int i;

	if (!rt)
		return;
	for (i = 0; i < rt->n; i++)
		regfree(&rt->r[i].re);
	free(rt);
}

/* Copy a configured string, refusing one that fills its field unterminated. */
static bool
copy_field(char *dst, const char *src, size_t size)
{
	size_t len = strnlen(src, size);

	if (len == size)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

struct routes *
routes_create(const struct config_route *r, unsigned int n, char *err)
{
	struct routes *rt;
	unsigned int i;
	int rc;

	if (n > CONFIG_ROUTES_MAX || (n > 0 && !r)) {
		snprintf(err, CONFIG_ERR_MAX, "routes: %u entries (at most %d)", n,
			 CONFIG_ROUTES_MAX);
		errno = EINVAL;
		return NULL;
	}
	rt = calloc(1, sizeof(*rt) + (size_t)n * sizeof(rt->r[0]));
	if (!rt) {
		snprintf(err, CONFIG_ERR_MAX, "routes: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct route *e = &rt->r[i];

		e->index = i;
		if (!copy_field(e->pattern, r[i].pattern, sizeof(e->pattern)) ||
		    !copy_field(e->next_hop, r[i].next_hop, sizeof(e->next_hop))) {
			snprintf(err, CONFIG_ERR_MAX, "route %u: unterminated entry", i + 1);
			goto fail;
		}
		if (config_next_hop_parse(e->next_hop, &e->hop) < 0) {
			snprintf(err, CONFIG_ERR_MAX,
				 "route %u: bad next hop '%s' (want "
				 "sip:HOST[:PORT][;transport=udp|tcp])",
				 i + 1, e->next_hop);
			goto fail;
		}
		rc = regcomp(&e->re, e->pattern, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[80];

			regerror(rc, &e->re, why, sizeof(why));
			snprintf(err, CONFIG_ERR_MAX, "route %u: bad pattern '%s': %s", i + 1,
				 e->pattern, why);
			goto fail;
		}
		rt->n = i + 1; /* compiled so far: what routes_destroy frees */
	}
	return rt;
fail:
	routes_destroy(rt);
	errno = EINVAL;
	return NULL;
}

unsigned int
routes_count(const struct routes *rt)
{
	return rt->n;
}

const struct route *
routes_match(const struct routes *rt, const char *user)
{
	unsigned int i;

	for (i = 0; i < rt->n; i++)
		if (regexec(&rt->r[i].re, user, 0, NULL, 0) == 0)
			return &rt->r[i];
	return NULL;
}

unsigned int
route_index(const struct route *r)
{
	return r->index;
}

const char *
route_pattern(const struct route *r)
{
	return r->pattern;
}

const char *
route_next_hop(const struct route *r)
{
	return r->next_hop;
}

const char *
route_host(const struct route *r)
{
	return r->hop.host;
}

uint16_t
route_port(const struct route *r)
{
	return r->hop.port;
}

enum route_transport
route_transport(const struct route *r)
{
	return r->hop.tcp ? ROUTE_TCP : ROUTE_UDP;
}

/*
 * RFC 3261 section 25.1:
 *   user            = 1*( unreserved / escaped / user-unreserved )
 *   unreserved      = alphanum / mark
 *   mark            = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"
 *   escaped         = "%" HEXDIG HEXDIG
 *   user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"
 */
static bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ASCII only, whatever the locale says isalnum() is */
static bool
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_sip_user(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		char c = *s;

		if (is_alnum(c) || strchr("-_.!~*'()&=+$,;?/", c))
			continue;
		if (c == '%' && is_hex(s[1]) && is_hex(s[2])) {
			s += 2;
			continue;
		}
		return false;
	}
	return true;
}

int
route_request_uri(const struct route *r, const char *user, char *buf, size_t len)
{
	const struct config_next_hop *h = &r->hop;
	char port[8] = "";
	int n;

	if (len > 0)
		buf[0] = '\0';
	if (!user || !is_sip_user(user))
		return -EINVAL;
	if (h->port_given)
		snprintf(port, sizeof(port), ":%u", h->port);
	n = snprintf(buf, len, "sip:%s@%s%s%s%s%s", user, h->ipv6 ? "[" : "", h->host,
		     h->ipv6 ? "]" : "", port, h->tcp ? ";transport=tcp" : "");
	if (n < 0 || (size_t)n >= len) {
		if (len > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return 0;
}
