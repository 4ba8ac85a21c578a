/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_store: see call_store.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <re.h>

#include "call_json.h"
#include "call_store.h"

#define STORE_LINE_MAX 8192

struct call_store {
	char *path;
	FILE *f;
	struct calls *cs;
	uint64_t lines_since_rewrite;
	struct call_store_stats st;
};

static int
leg_record(struct re_printf *pf, const struct call_leg *l)
{
	const struct call_dialog *d = &l->dlg;
	const struct call_media *m = &l->m;

	return re_hprintf(pf,
			  "{\"callid\":%H,\"ltag\":%H,\"rtag\":%H,\"luri\":%H,\"ruri\":%H,"
			  "\"target\":%H,\"lseq\":%u,\"tcp\":%s,\"uas\":%s,\"port\":%u,\"ssrc\":%u,"
			  "\"media\":%s,\"ip\":%H,\"mport\":%u,\"rtcp_port\":%u,\"mux\":%s,"
			  "\"pt\":%u,\"dtmf\":%u,\"ptime\":%u,\"dir\":%u}",
			  call_json_str, d->callid, call_json_str, d->local_tag, call_json_str,
			  d->remote_tag, call_json_str, d->local_uri, call_json_str, d->remote_uri,
			  call_json_str, d->remote_target, d->lseq, d->tcp ? "true" : "false",
			  d->uas ? "true" : "false", l->local_port, l->ssrc_out,
			  l->has_media ? "true" : "false",
			  call_json_str, m->ip, m->port, m->rtcp_port, m->rtcp_mux ? "true" : "false",
			  m->pt, m->dtmf_pt, m->ptime, m->dir);
}

static int
call_record(struct re_printf *pf, const struct call *c)
{
	unsigned int i;
	int err;

	err = re_hprintf(pf,
			 "{\"put\":{\"id\":%u,\"kind\":%u,\"room\":%u,\"route\":%u,\"held\":%s,"
			 "\"t_start\":%llu,\"t_answer\":%llu,\"legs\":[",
			 c->id, c->kind, c->room, c->route, c->held ? "true" : "false",
			 (unsigned long long)c->t_start_ms, (unsigned long long)c->t_answer_ms);
	for (i = 0; !err && i < c->n_legs; i++) {
		if (i)
			err = re_hprintf(pf, ",");
		if (!err)
			err = leg_record(pf, &c->leg[i]);
	}
	return err ? err : re_hprintf(pf, "]}}\n");
}

static int
write_line(struct call_store *st, FILE *f, struct mbuf *mb)
{
	if (fwrite(mb->buf, 1, mb->end, f) != mb->end || fflush(f) != 0) {
		st->st.errors++;
		return -EIO;
	}
	st->st.lines++;
	return 0;
}

/* Rewrite the journal with the live calls only. */
static int
rewrite(struct call_store *st)
{
	char tmp[512];
	struct mbuf *mb;
	struct call *c;
	FILE *f;
	int rc = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", st->path);
	f = fopen(tmp, "w");
	if (!f) {
		st->st.errors++;
		return -errno;
	}
	mb = mbuf_alloc(1024);
	for (c = calls_first(st->cs); mb && c && !rc; c = c->next) {
		if (c->state != CALL_ACTIVE)
			continue;
		mbuf_rewind(mb);
		if (mbuf_printf(mb, "%H", call_record, c) || write_line(st, f, mb))
			rc = -EIO;
	}
	mem_deref(mb);
	if (!mb)
		rc = -ENOMEM;
	if (!rc && fsync(fileno(f)) != 0)
		rc = -errno;
	fclose(f);
	if (!rc && rename(tmp, st->path) != 0)
		rc = -errno;
	if (rc) {
		st->st.errors++;
		unlink(tmp);
		return rc;
	}
	if (st->f)
		fclose(st->f);
	st->f = fopen(st->path, "a");
	st->lines_since_rewrite = 0;
	st->st.rewrites++;
	return st->f ? 0 : -errno;
}

static void
append(struct call_store *st, struct mbuf *mb)
{
	unsigned int live = 0;
	struct call *c;

	if (!st->f || write_line(st, st->f, mb) < 0)
		return;
	if (++st->lines_since_rewrite < 1024)
		return;
	for (c = calls_first(st->cs); c; c = c->next)
		live += c->state == CALL_ACTIVE;
	if (st->lines_since_rewrite > 4ull * live + 1024)
		(void)rewrite(st);
}

void
call_store_put(struct call_store *st, const struct call *c)
{
	struct mbuf *mb;

	if (!st || c->state != CALL_ACTIVE)
		return;
	mb = mbuf_alloc(1024);
	if (mb && mbuf_printf(mb, "%H", call_record, c) == 0)
		append(st, mb);
	else
		st->st.errors++;
	mem_deref(mb);
}

void
call_store_del(struct call_store *st, const struct call *c)
{
	struct mbuf *mb;

	if (!st)
		return;
	mb = mbuf_alloc(64);
	if (mb && mbuf_printf(mb, "{\"del\":%u}\n", c->id) == 0)
		append(st, mb);
	else
		st->st.errors++;
	mem_deref(mb);
}

struct call_store *
call_store_open(const char *path, struct calls *cs)
{
	struct call_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->cs = cs;
	st->path = strdup(path);
	st->f = st->path ? fopen(path, "a+") : NULL;
	if (!st->f) {
		int e = errno;

		free(st->path);
		free(st);
		errno = e;
		return NULL;
	}
	return st;
}

void
call_store_close(struct call_store *st)
{
	if (!st)
		return;
	if (st->f)
		fclose(st->f);
	free(st->path);
	free(st);
}

void
call_store_stats(const struct call_store *st, struct call_store_stats *out)
{
	*out = st->st;
}

/* ---- loading ---- */

static void
copy_str(const struct odict *o, const char *key, char *dst, size_t cap)
{
	const char *s = odict_string(o, key);

	snprintf(dst, cap, "%s", s ? s : "");
}

static uint64_t
num(const struct odict *o, const char *key)
{
	uint64_t v = 0;

	(void)odict_get_number(o, &v, key);
	return v;
}

static bool
flag(const struct odict *o, const char *key)
{
	bool v = false;

	(void)odict_get_boolean(o, &v, key);
	return v;
}

static int
leg_load(struct call_leg *l, const struct odict *o)
{
	struct call_dialog *d = &l->dlg;
	struct call_media *m = &l->m;
	uint64_t port = num(o, "port"), mport = num(o, "mport"), pt = num(o, "pt");

	if (!port || port > 65534 || port % 2 || mport > 65535 || (pt != 0 && pt != 8))
		return -EINVAL;
	copy_str(o, "ltag", d->local_tag, sizeof(d->local_tag));
	copy_str(o, "rtag", d->remote_tag, sizeof(d->remote_tag));
	copy_str(o, "luri", d->local_uri, sizeof(d->local_uri));
	copy_str(o, "ruri", d->remote_uri, sizeof(d->remote_uri));
	copy_str(o, "target", d->remote_target, sizeof(d->remote_target));
	d->lseq = (uint32_t)num(o, "lseq");
	d->tcp = flag(o, "tcp");
	d->uas = flag(o, "uas");
	l->local_port = (uint16_t)port;
	l->ssrc_out = (uint32_t)num(o, "ssrc");
	l->has_media = flag(o, "media");
	copy_str(o, "ip", m->ip, sizeof(m->ip));
	m->port = (uint16_t)mport;
	m->rtcp_port = (uint16_t)num(o, "rtcp_port");
	m->rtcp_mux = flag(o, "mux");
	m->pt = (uint8_t)pt;
	m->dtmf_pt = (uint8_t)(num(o, "dtmf") & 0x7f);
	m->ptime = (uint8_t)num(o, "ptime");
	m->dir = (uint8_t)(num(o, "dir") & 3);
	return 0;
}

/* One "put" record into cs, replacing a call of that id. */
static int
put_load(struct calls *cs, const struct odict *o)
{
	const struct odict_entry *legs = odict_get_type(o, ODICT_ARRAY, "legs");
	uint64_t id = num(o, "id"), kind = num(o, "kind");
	char callid[CALL_STR_MAX];
	unsigned int n, i = 0;
	struct call *c, *old;
	struct le *le;

	if (!legs || !id || id >= (1u << 31) || (kind != CALL_ROOM && kind != CALL_RELAY && kind != CALL_NG))
		return -EINVAL;
	n = kind == CALL_ROOM ? 1 : 2;
	if (list_count(&legs->u.odict->lst) != n)
		return -EINVAL;
	old = calls_find(cs, (uint32_t)id);
	if (old)
		calls_del(cs, old);
	c = calls_add(cs, (uint8_t)kind, n, (uint32_t)id);
	if (!c)
		return -errno;
	c->room = (uint32_t)num(o, "room");
	c->route = (uint32_t)num(o, "route");
	c->held = flag(o, "held");
	c->t_start_ms = num(o, "t_start");
	c->t_answer_ms = num(o, "t_answer");
	for (le = legs->u.odict->lst.head; le; le = le->next, i++) {
		const struct odict_entry *e = le->data;

		if (e->type != ODICT_OBJECT || leg_load(&c->leg[i], e->u.odict) < 0)
			goto bad;
		copy_str(e->u.odict, "callid", callid, sizeof(callid));
		/* an ng call's Call-ID is on leg 0 only */
		if ((kind != CALL_NG || i == 0) && calls_set_callid(cs, &c->leg[i], callid) < 0)
			goto bad;
	}
	if (kind == CALL_ROOM && !c->room)
		goto bad;
	c->state = CALL_ACTIVE;
	c->recovered = true;
	c->installed = true;
	return 0;
bad:
	calls_del(cs, c);
	return -EINVAL;
}

int
call_store_load(struct call_store *st, unsigned int *bad)
{
	struct calls *cs = st->cs;
	char *line;
	int n = 0;

	*bad = 0;
	line = malloc(STORE_LINE_MAX);
	if (!line)
		return -ENOMEM;
	rewind(st->f);
	while (fgets(line, STORE_LINE_MAX, st->f)) {
		const struct odict_entry *e;
		struct odict *o = NULL;
		size_t len = strlen(line);

		st->lines_since_rewrite++;
		if (len == 0 || line[len - 1] != '\n' ||
		    json_decode_odict(&o, 16, line, len, 8) != 0) {
			(*bad)++; /* torn or foreign: skipped */
			mem_deref(o);
			continue;
		}
		if ((e = odict_get_type(o, ODICT_OBJECT, "put")) != NULL) {
			if (put_load(cs, e->u.odict) < 0)
				(*bad)++;
		} else if ((e = odict_lookup(o, "del")) != NULL &&
			   (e->type == ODICT_INT && e->u.integer > 0)) {
			struct call *c = calls_find(cs, (uint32_t)e->u.integer);

			if (c)
				calls_del(cs, c);
		} else {
			(*bad)++;
		}
		mem_deref(o);
	}
	free(line);
	for (struct call *c = calls_first(cs); c; c = c->next)
		n++;
	/* start the journal afresh from what is live */
	(void)rewrite(st);
	return n;
}
