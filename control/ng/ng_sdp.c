/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ng_sdp: see ng_sdp.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ng_sdp.h"

struct line {
	const char *p;
	size_t len;
};

/* The next line at *pos without its CRLF or LF; false at the end. */
static bool
next_line(const char *s, size_t len, size_t *pos, struct line *l)
{
	size_t p = *pos, e;

	if (p >= len)
		return false;
	for (e = p; e < len && s[e] != '\n'; e++)
		;
	l->p = s + p;
	l->len = e - p;
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	*pos = e < len ? e + 1 : e;
	return true;
}

static bool
starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->p, prefix, n) == 0;
}

/* Split a line's value (after "x=") at blanks: up to max words. */
static unsigned int
words(const struct line *l, struct line *w, unsigned int max)
{
	const char *p = l->p + 2, *end = l->p + l->len;
	unsigned int n = 0;

	while (p < end && n < max) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		w[n].p = p;
		while (p < end && *p != ' ')
			p++;
		w[n].len = (size_t)(p - w[n].p);
		n++;
	}
	return n;
}

static bool
word_eq(const struct line *w, const char *s)
{
	return w->len == strlen(s) && memcmp(w->p, s, w->len) == 0;
}

/* A decimal number of at most 5 digits (ports, payload types). */
static int
word_num(const struct line *w, size_t len, unsigned long *v)
{
	size_t i;

	if (len == 0 || len > 5)
		return -EBADMSG;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (w->p[i] < '0' || w->p[i] > '9')
			return -EBADMSG;
		*v = *v * 10 + (unsigned long)(w->p[i] - '0');
	}
	return 0;
}

/* "c=IN IP4 ADDR[/ttl]" into ip. */
static int
parse_c(const struct line *l, char ip[CALL_IP_MAX])
{
	struct line w[3];
	unsigned char buf[16];
	size_t alen;

	if (words(l, w, 3) != 3 || !word_eq(&w[0], "IN"))
		return -EBADMSG;
	alen = strcspn(w[2].p, "/ ");
	if (alen > w[2].len)
		alen = w[2].len;
	if (alen == 0 || alen >= CALL_IP_MAX)
		return -EBADMSG;
	memcpy(ip, w[2].p, alen);
	ip[alen] = '\0';
	if (word_eq(&w[1], "IP4") && inet_pton(AF_INET, ip, buf) == 1)
		return 0;
	if (word_eq(&w[1], "IP6") && inet_pton(AF_INET6, ip, buf) == 1)
		return 0;
	return -EBADMSG;
}

static bool
is_ice(const struct line *l)
{
	return starts(l, "a=candidate:") || starts(l, "a=ice-") ||
	       starts(l, "a=end-of-candidates") || starts(l, "a=remote-candidates");
}

static int
dir_of(const struct line *l)
{
	if (starts(l, "a=sendrecv") && l->len == 10)
		return CALL_SENDRECV;
	if (starts(l, "a=sendonly") && l->len == 10)
		return CALL_SENDONLY;
	if (starts(l, "a=recvonly") && l->len == 10)
		return CALL_RECVONLY;
	if (starts(l, "a=inactive") && l->len == 10)
		return CALL_INACTIVE;
	return -1;
}

/* What the parse pass learns. */
struct scan {
	int relayed; /* index of the relayed m= line, -1: none */
	char sess_ip[CALL_IP_MAX];
	char media_ip[CALL_IP_MAX];
	char proto[16];
	int sess_dir;
	int media_dir;
	struct call_media m;
};

static int
parse_m(const struct line *l, struct scan *sc, int k)
{
	struct line w[4];
	unsigned long port, pt;
	size_t plen;

	if (words(l, w, 4) < 4)
		return -EBADMSG;
	plen = strcspn(w[1].p, "/ ");
	if (plen > w[1].len)
		plen = w[1].len;
	if (word_num(&w[1], plen, &port) < 0 || port > 65535)
		return -EBADMSG;
	if (sc->relayed >= 0 || !word_eq(&w[0], "audio") || port == 0)
		return 0;
	if (plen != w[1].len)
		return -EPROTONOSUPPORT; /* "port/count": several streams */
	sc->relayed = k;
	sc->m.port = (uint16_t)port;
	if (w[2].len >= sizeof(sc->proto))
		return -EPROTONOSUPPORT;
	memcpy(sc->proto, w[2].p, w[2].len);
	sc->proto[w[2].len] = '\0';
	if (strcasecmp(sc->proto, "RTP/AVP") && strcasecmp(sc->proto, "RTP/AVPF"))
		return -EPROTONOSUPPORT;
	if (word_num(&w[3], w[3].len, &pt) == 0 && (pt == 0 || pt == 8))
		sc->m.pt = (uint8_t)pt;
	return 0;
}

static void
parse_a(const struct line *l, struct scan *sc)
{
	int d = dir_of(l);

	if (d >= 0) {
		sc->media_dir = d;
	} else if (starts(l, "a=rtcp-mux") && l->len == 10) {
		sc->m.rtcp_mux = true;
	} else if (starts(l, "a=ptime:")) {
		unsigned long v = strtoul(l->p + 8, NULL, 10); /* ends at CR or the next line */

		if (v > 0 && v <= 200)
			sc->m.ptime = (uint8_t)v;
	} else if (starts(l, "a=rtpmap:")) {
		struct line w;
		unsigned long pt;
		const char *sp = memchr(l->p, ' ', l->len);

		w.p = l->p + 9;
		w.len = sp ? (size_t)(sp - w.p) : 0;
		if (sp && word_num(&w, w.len, &pt) == 0 && pt < 128 &&
		    (size_t)(l->p + l->len - sp) > 16 &&
		    strncasecmp(sp + 1, "telephone-event/", 16) == 0)
			sc->m.dtmf_pt = (uint8_t)pt;
	}
}

static int
scan(const char *sdp, size_t len, struct scan *sc)
{
	struct line l;
	size_t pos = 0;
	int k = -1, rc;

	memset(sc, 0, sizeof(*sc));
	sc->relayed = -1;
	sc->sess_dir = sc->media_dir = -1;
	if (len > NG_SDP_MAX || !next_line(sdp, len, &pos, &l) || !starts(&l, "v="))
		return -EBADMSG;
	while (next_line(sdp, len, &pos, &l)) {
		if (l.len == 0)
			continue;
		if (l.len < 2 || l.p[1] != '=')
			return -EBADMSG;
		if (starts(&l, "m=")) {
			rc = parse_m(&l, sc, ++k);
			if (rc < 0)
				return rc;
			continue;
		}
		if (k < 0) {
			if (starts(&l, "c=") && parse_c(&l, sc->sess_ip) < 0)
				return -EBADMSG;
			if (dir_of(&l) >= 0)
				sc->sess_dir = dir_of(&l);
			continue;
		}
		if (k != sc->relayed)
			continue;
		if (starts(&l, "c=")) {
			if (parse_c(&l, sc->media_ip) < 0)
				return -EBADMSG;
		} else if (starts(&l, "a=")) {
			parse_a(&l, sc);
		}
	}
	if (sc->relayed < 0)
		return -EPROTO;
	snprintf(sc->m.ip, sizeof(sc->m.ip), "%s", sc->media_ip[0] ? sc->media_ip : sc->sess_ip);
	if (!sc->m.ip[0])
		return -EPROTO;
	sc->m.rtcp_port = (uint16_t)(sc->m.port + 1);
	sc->m.dir = (uint8_t)(sc->media_dir >= 0  ? sc->media_dir
			      : sc->sess_dir >= 0 ? sc->sess_dir
						  : CALL_SENDRECV);
	return 0;
}

int
ng_sdp_parse(const char *sdp, size_t len, struct call_media *m, char proto[16])
{
	struct scan sc;
	int rc = scan(sdp, len, &sc);

	if (rc < 0)
		return rc;
	*m = sc.m;
	memcpy(proto, sc.proto, sizeof(sc.proto));
	return 0;
}

struct out {
	char *p;
	size_t len, cap;
	bool full;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_word(struct out *o, const struct line *w)
{
	put(o, w->p, w->len);
}

int
ng_sdp_rewrite(const char *sdp, size_t len, const struct ng_sdp_out *opt, char *buf, size_t cap)
{
	const char *af = strchr(opt->ip, ':') ? "IP6" : "IP4";
	struct out o = {.p = buf, .cap = cap};
	struct scan sc;
	struct line l;
	size_t pos = 0;
	int k = -1, rc;
	char num[8];

	rc = scan(sdp, len, &sc);
	if (rc < 0)
		return rc;
	while (next_line(sdp, len, &pos, &l)) {
		struct line w[6];

		if (l.len == 0)
			continue;
		if (starts(&l, "m=")) {
			const char *rest;

			k++;
			(void)words(&l, w, 3);
			rest = w[2].p; /* the transport and formats, as they were */
			put(&o, l.p, 2);
			put_word(&o, &w[0]);
			snprintf(num, sizeof(num), " %u ", k == sc.relayed ? opt->port : 0);
			put_str(&o, num);
			if (k == sc.relayed && opt->proto) {
				put_str(&o, opt->proto);
				rest += w[2].len;
			}
			put(&o, rest, (size_t)(l.p + l.len - rest));
		} else if (starts(&l, "c=")) {
			put_str(&o, "c=IN ");
			put_str(&o, af);
			put_str(&o, " ");
			put_str(&o, opt->ip);
		} else if (starts(&l, "o=") && opt->replace_origin && words(&l, w, 6) == 6) {
			unsigned int i;

			put_str(&o, "o=");
			for (i = 0; i < 3; i++) {
				put_word(&o, &w[i]);
				put_str(&o, " ");
			}
			put_str(&o, "IN ");
			put_str(&o, af);
			put_str(&o, " ");
			put_str(&o, opt->ip);
		} else if (is_ice(&l) || (k == sc.relayed && starts(&l, "a=rtcp:")) ||
			   (k == sc.relayed && !opt->keep_rtcp_mux && starts(&l, "a=rtcp-mux") &&
			    l.len == 10)) {
			continue;
		} else {
			put(&o, l.p, l.len);
		}
		put_str(&o, "\r\n");
	}
	return o.full ? -ENOSPC : (int)o.len;
}
