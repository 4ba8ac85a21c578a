/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgwctl conference commands: `conf add|del|set|show` drive CONF_ADD,
 * CONF_DEL, CONF_SET and CONF_GET; `conf join|set-part|leave` drive
 * PART_JOIN, PART_SET and PART_LEAVE (api/rtpgw_api.h, docs/API.md).
 *
 * The words are parsed first, without I/O (conf_args_*, declared in ctl.h
 * and unit tested), so that a usage error never reaches the dataplane. A
 * participant is its MIX flow: the key LOCAL_IP:PORT where its RTP
 * arrives, which is also where the mix it hears is sent from (out = local),
 * and the peer the mix goes to. `conf set` reads the conference first and
 * writes back what it was with the words given changed (CONF_SET replaces
 * ref-ssrc, its flag and the cookie as a whole). `conf set-part` replaces
 * the whole participant, like PART_SET: its codec, DTMF payload type and
 * extension ids must be those it joined with.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "flow_args.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define UNITY_Q12 4096

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && err_len > 0) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int
conf_args_parse_id(const char *word, uint32_t *id, char *err, size_t err_len)
{
	uint64_t v;

	if (flow_args_parse_uint(word, true, UINT32_MAX, &v) < 0 || v == 0)
		return fail(err, err_len,
			    "bad conference id '%s' (1..4294967295, decimal or 0xHEX)", word);
	*id = (uint32_t)v;
	return 0;
}

/* "0x" and 1 to 8 hex digits. */
static int
parse_ssrc(const char *s, uint32_t *out)
{
	uint64_t v;

	if (strncmp(s, "0x", 2) != 0 && strncmp(s, "0X", 2) != 0)
		return -EINVAL;
	if (flow_args_parse_uint(s, true, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* ---- conf add / conf set ---- */

enum conf_word_id {
	CW_PTIME,
	CW_REF_SSRC,
	CW_NO_REF_SSRC,
	CW_SSRC,
	CW_COOKIE,
};

struct conf_word {
	const char *name;
	enum conf_word_id id;
	const char *value; /* NULL: a flag word */
	bool add, set;	   /* allowed in conf add, conf set */
};

static const struct conf_word conf_words[] = {
	{"ptime", CW_PTIME, "MS", true, false},
	{"ref-ssrc", CW_REF_SSRC, "0xHEX", true, true},
	{"no-ref-ssrc", CW_NO_REF_SSRC, NULL, false, true},
	{"ssrc", CW_SSRC, "0xHEX", true, false},
	{"cookie", CW_COOKIE, "N", true, true},
};

int
conf_args_parse_conf(int argc, char *const argv[], bool set, struct rtpgw_api_conf *c,
		     uint32_t *changes, char *err, size_t err_len)
{
	const struct conf_word *w;
	uint32_t seen = 0;
	const char *val;
	uint64_t v;
	size_t k;
	int i;

	memset(c, 0, sizeof(*c));
	*changes = 0;
	if (argc < 1)
		return fail(err, err_len, "missing conference ID");
	if (conf_args_parse_id(argv[0], &c->conf_id, err, err_len) < 0)
		return -EINVAL;
	for (i = 1; i < argc; i++) {
		w = NULL;
		for (k = 0; k < ARRAY_SIZE(conf_words); k++)
			if (strcmp(argv[i], conf_words[k].name) == 0)
				w = &conf_words[k];
		if (w == NULL)
			return fail(err, err_len, "unknown word '%s' (%s)", argv[i],
				    set ? "ref-ssrc, no-ref-ssrc or cookie"
					: "ptime, ref-ssrc, ssrc or cookie");
		if (set && !w->set)
			return fail(err, err_len,
				    "'%s' cannot change: ptime and the mixer's ssrc are fixed by "
				    "conf add",
				    w->name);
		if (!set && !w->add)
			return fail(err, err_len, "'%s' applies to conf set", w->name);
		if (seen & (1u << w->id))
			return fail(err, err_len, "'%s' given twice", w->name);
		seen |= 1u << w->id;
		val = NULL;
		if (w->value != NULL) {
			if (i + 1 >= argc)
				return fail(err, err_len, "'%s' needs a value (%s)", w->name,
					    w->value);
			val = argv[++i];
		}
		switch (w->id) {
		case CW_PTIME:
			if (flow_args_parse_uint(val, false, 60, &v) < 0 || v < 10 || v % 10)
				return fail(err, err_len,
					    "bad ptime '%s' (10, 20, 30, 40, 50 or 60 ms)", val);
			c->ptime_ms = (uint16_t)v;
			break;
		case CW_REF_SSRC:
			if (parse_ssrc(val, &c->ref_ssrc) < 0)
				return fail(err, err_len,
					    "bad ref-ssrc '%s' (0x and 1 to 8 hex digits)", val);
			c->flags |= RTPGW_CONF_F_REF_SSRC;
			*changes |= CONF_ARGS_SET_REF_SSRC;
			break;
		case CW_NO_REF_SSRC:
			*changes |= CONF_ARGS_CLEAR_REF_SSRC;
			break;
		case CW_SSRC:
			if (parse_ssrc(val, &c->mixer_ssrc) < 0)
				return fail(err, err_len,
					    "bad ssrc '%s' (0x and 1 to 8 hex digits)", val);
			if (c->mixer_ssrc == 0)
				return fail(
					err, err_len,
					"bad ssrc '%s': 0 means 'chosen by the dataplane' (leave "
					"ssrc out for that)",
					val);
			break;
		case CW_COOKIE:
			if (flow_args_parse_uint(val, true, UINT64_MAX, &v) < 0)
				return fail(err, err_len,
					    "bad cookie '%s' (64-bit decimal or 0xHEX)", val);
			c->cookie = v;
			*changes |= CONF_ARGS_SET_COOKIE;
			break;
		}
	}
	if (!set) {
		*changes = 0;
		return 0;
	}
	if ((*changes & CONF_ARGS_SET_REF_SSRC) && (*changes & CONF_ARGS_CLEAR_REF_SSRC))
		return fail(err, err_len, "'ref-ssrc' and 'no-ref-ssrc' together");
	if (*changes == 0)
		return fail(err, err_len, "nothing to change (ref-ssrc, no-ref-ssrc or cookie)");
	return 0;
}

/* ---- conf join / conf set-part ---- */

enum part_word_id {
	PW_TO,
	PW_SRC,
	PW_MODE,
	PW_RTCP,
	PW_PT,
	PW_MUTE,
	PW_DEAF,
	PW_GAIN_IN,
	PW_GAIN_OUT,
	PW_DTMF_PT,
	PW_LEVEL_EXT,
	PW_CSRC_LEVEL_EXT,
};

static const struct {
	const char *name;
	enum part_word_id id;
	const char *value;
} part_words[] = {
	{"to", PW_TO, "PEER_IP:PORT"},
	{"src", PW_SRC, "IP:PORT"},
	{"mode", PW_MODE, "strict, latch or any"},
	{"rtcp", PW_RTCP, "none, companion or mux"},
	{"pt", PW_PT, "0 or 8"},
	{"mute", PW_MUTE, NULL},
	{"deaf", PW_DEAF, NULL},
	{"gain-in", PW_GAIN_IN, "Q12"},
	{"gain-out", PW_GAIN_OUT, "Q12"},
	{"dtmf-pt", PW_DTMF_PT, "N"},
	{"level-ext", PW_LEVEL_EXT, "ID"},
	{"csrc-level-ext", PW_CSRC_LEVEL_EXT, "ID"},
};

static int
part_word(const char *s)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(part_words); k++)
		if (strcmp(s, part_words[k].name) == 0)
			return (int)k;
	return -1;
}

/* Value of an enum by its flow_args name (1..max), or -1. */
static int
enum_value(const char *(*name_of)(uint8_t), uint8_t min, uint8_t max, const char *s)
{
	for (unsigned int v = min; v <= max; v++)
		if (strcmp(name_of((uint8_t)v), s) == 0)
			return (int)v;
	return -1;
}

static int
parse_gain(const char *word, const char *val, uint16_t *out, char *err, size_t err_len)
{
	uint64_t v;

	if (flow_args_parse_uint(val, false, UINT16_MAX, &v) < 0 || v == 0)
		return fail(err, err_len,
			    "bad %s '%s' (1..65535 in Q12: 4096 is unity, 2048 -6 dB; 'mute' "
			    "silences)",
			    word, val);
	*out = (uint16_t)v;
	return 0;
}

static int
parse_ext_id(const char *word, const char *val, uint8_t *out, char *err, size_t err_len)
{
	uint64_t v;

	if (flow_args_parse_uint(val, false, 14, &v) < 0 || v == 0)
		return fail(err, err_len, "bad %s '%s' (an RFC 8285 one-byte id, 1..14)", word,
			    val);
	*out = (uint8_t)v;
	return 0;
}

int
conf_args_parse_part(int argc, char *const argv[], struct rtpgw_api_participant *p, char *err,
		     size_t err_len)
{
	struct rtpgw_api_flow *f = &p->flow;
	bool have_src = false;
	uint32_t seen = 0;
	const char *val;
	uint64_t v;
	int k, i;

	memset(p, 0, sizeof(*p));
	if (argc < 1)
		return fail(err, err_len, "missing conference ID");
	if (conf_args_parse_id(argv[0], &p->conf_id, err, err_len) < 0)
		return -EINVAL;
	if (argc < 2)
		return fail(err, err_len, "missing LOCAL_IP:PORT (the participant's key)");
	if (part_word(argv[1]) >= 0 || strcmp(argv[1], "from") == 0)
		return fail(err, err_len, "'%s': ID is followed by LOCAL_IP:PORT", argv[1]);
	if (flow_args_parse_endpoint(argv[1], &f->local, &f->local_port, err, err_len) < 0)
		return -EINVAL;
	f->action = RTPGW_FLOW_MIX;
	f->rtcp = RTPGW_RTCP_NONE;
	f->clock_rate = FLOW_ARGS_RATE_DEFAULT; /* G.711 */

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "from") == 0)
			return fail(err, err_len,
				    "'from': a participant hears the mix from its own "
				    "LOCAL_IP:PORT");
		k = part_word(argv[i]);
		if (k < 0)
			return fail(err, err_len, "unknown word '%s'", argv[i]);
		if (seen & (1u << part_words[k].id))
			return fail(err, err_len, "'%s' given twice", part_words[k].name);
		seen |= 1u << part_words[k].id;
		val = NULL;
		if (part_words[k].value != NULL) {
			if (i + 1 >= argc)
				return fail(err, err_len, "'%s' needs a value (%s)",
					    part_words[k].name, part_words[k].value);
			val = argv[++i];
		}
		switch (part_words[k].id) {
		case PW_TO:
			if (flow_args_parse_endpoint(val, &f->peer, &f->peer_port, err, err_len) <
			    0)
				return -EINVAL;
			break;
		case PW_SRC:
			have_src = true;
			if (flow_args_parse_endpoint(val, &f->src, &f->src_port, err, err_len) < 0)
				return -EINVAL;
			break;
		case PW_MODE:
			k = enum_value(flow_args_mode_name, RTPGW_SRC_STRICT, RTPGW_SRC_ANY, val);
			if (k < 0)
				return fail(err, err_len, "bad mode '%s' (strict, latch or any)",
					    val);
			f->src_mode = (uint8_t)k;
			break;
		case PW_RTCP:
			k = enum_value(flow_args_rtcp_name, RTPGW_RTCP_NONE, RTPGW_RTCP_MUX, val);
			if (k < 0)
				return fail(err, err_len, "bad rtcp '%s' (none, companion or mux)",
					    val);
			f->rtcp = (uint8_t)k;
			break;
		case PW_PT:
			if (strcmp(val, "0") != 0 && strcmp(val, "8") != 0)
				return fail(err, err_len,
					    "bad pt '%s' (0 for PCMU or 8 for PCMA: the mixer "
					    "speaks G.711)",
					    val);
			p->pt = (uint8_t)(val[0] - '0');
			break;
		case PW_MUTE:
			p->flags |= RTPGW_PART_F_MUTE;
			break;
		case PW_DEAF:
			p->flags |= RTPGW_PART_F_DEAF;
			break;
		case PW_GAIN_IN:
			if (parse_gain("gain-in", val, &p->in_gain_q12, err, err_len) < 0)
				return -EINVAL;
			break;
		case PW_GAIN_OUT:
			if (parse_gain("gain-out", val, &p->out_gain_q12, err, err_len) < 0)
				return -EINVAL;
			break;
		case PW_DTMF_PT:
			if (flow_args_parse_uint(val, false, 127, &v) < 0 || v < 96)
				return fail(err, err_len,
					    "bad dtmf-pt '%s' (the telephone-event payload type "
					    "of the SDP, dynamic: 96..127)",
					    val);
			p->dtmf_pt = (uint8_t)v;
			break;
		case PW_LEVEL_EXT:
			if (parse_ext_id("level-ext", val, &p->level_ext_id, err, err_len) < 0)
				return -EINVAL;
			break;
		case PW_CSRC_LEVEL_EXT:
			if (parse_ext_id("csrc-level-ext", val, &p->csrc_level_ext_id, err,
					 err_len) < 0)
				return -EINVAL;
			break;
		}
	}

	if (!(seen & (1u << PW_TO)))
		return fail(err, err_len, "missing 'to PEER_IP:PORT' (where the mix is sent)");
	if (!(seen & (1u << PW_MODE)))
		f->src_mode = have_src ? RTPGW_SRC_STRICT : RTPGW_SRC_LATCH;
	if (f->src_mode == RTPGW_SRC_STRICT && !have_src)
		return fail(err, err_len, "mode strict needs 'src IP:PORT'");
	if (f->rtcp == RTPGW_RTCP_COMPANION) {
		if (ntohs(f->local_port) % 2 != 0)
			return fail(err, err_len, "rtcp companion needs an even local port, not %u",
				    ntohs(f->local_port));
		if (ntohs(f->peer_port) == 65535 || (have_src && ntohs(f->src_port) == 65535))
			return fail(err, err_len,
				    "rtcp companion: %s port 65535 leaves no port + 1 for RTCP",
				    ntohs(f->peer_port) == 65535 ? "peer" : "src");
	}
	f->out_local = f->local;
	f->out_port = f->local_port;
	return 0;
}

int
conf_args_parse_leave(int argc, char *const argv[], struct rtpgw_api_participant *p, char *err,
		      size_t err_len)
{
	memset(p, 0, sizeof(*p));
	if (argc < 1)
		return fail(err, err_len, "missing LOCAL_IP:PORT (the participant's key)");
	if (argc > 1)
		return fail(err, err_len, "unexpected argument '%s' (conf leave LOCAL_IP:PORT)",
			    argv[1]);
	return flow_args_parse_endpoint(argv[0], &p->flow.local, &p->flow.local_port, err, err_len);
}

/* ---- the commands ---- */

/* After a refusal by the dataplane, what it most likely means. */
static void
hint(const struct ctl *ctl, uint16_t type, int status, uint32_t conf_id, const char *key)
{
	const char *h = NULL;
	char buf[160];

	if (api_client_error(ctl->client) != 0)
		return; /* a transport failure: already explained */
	switch (status) {
	case -ENOTSUP:
		h = "conferences are off (rtpgw-dataplane --max-confs 0) or this dataplane "
		    "predates them";
		break;
	case -EBUSY:
		h = "the owner worker's command ring is full: try again";
		break;
	case -ENOENT:
		if (type == RTPGW_API_PART_LEAVE || type == RTPGW_API_PART_SET) {
			snprintf(buf, sizeof(buf), "no participant at %s%s", key,
				 type == RTPGW_API_PART_SET ? " in that conference" : "");
			h = buf;
		} else {
			snprintf(buf, sizeof(buf), "no conference %u", conf_id);
			h = buf;
		}
		break;
	case -EEXIST:
		if (type == RTPGW_API_CONF_ADD) {
			snprintf(buf, sizeof(buf), "conference %u exists already", conf_id);
			h = buf;
		} else {
			snprintf(buf, sizeof(buf),
				 "a flow already holds %s (or, with rtcp "
				 "companion, its port + 1)",
				 key);
			h = buf;
		}
		break;
	case -ENOSPC:
		h = type == RTPGW_API_CONF_ADD
			    ? "every conference of --max-confs is in use"
			    : "no room: --max-participants reached, 256 in this conference, or "
			      "the flow table is full";
		break;
	case -EINVAL:
		if (type == RTPGW_API_PART_SET)
			h = "pt, dtmf-pt, level-ext and csrc-level-ext are fixed at join "
			    "(leave and join again to change them)";
		else if (type == RTPGW_API_CONF_SET)
			h = "ptime and the mixer's ssrc are fixed by conf add";
		break;
	case -EADDRNOTAVAIL:
		h = "LOCAL_IP is not one of the dataplane's addresses (rtpgwctl addrs)";
		break;
	case -ENETUNREACH:
		h = "the peer is off LOCAL_IP's subnet and there is no --gateway";
		break;
	default:
		break;
	}
	if (h != NULL)
		ctl_error(ctl, "%s", h);
}

static int
request(struct ctl *ctl, uint16_t type, const void *payload, uint32_t len, uint32_t conf_id,
	const char *key, uint32_t *reply_len)
{
	int ret = ctl_request(ctl, type, payload, len, reply_len);

	if (ret < 0)
		hint(ctl, type, ret, conf_id, key);
	return ret;
}

/* Set ctl->cmd to "conf SUB WHAT" so that diagnostics name the object. */
static void
name_cmd(struct ctl *ctl, const char *sub, const char *what)
{
	static char cmd[96];

	snprintf(cmd, sizeof(cmd), "conf %s %s", sub, what);
	ctl->cmd = cmd;
}

static void
json_ip_port(struct json *js, const struct rtpgw_api_ip *ip, uint16_t port)
{
	char a[FLOW_ARGS_ENDPOINT_MAX];

	flow_args_format_ip(ip, a, sizeof(a));
	json_string(js, "local_ip", a);
	json_u64(js, "local_port", ntohs(port));
}

static const char *
ssrc_text(bool set, uint32_t ssrc, char *buf, size_t len)
{
	if (!set)
		return "none";
	snprintf(buf, len, "0x%08x", ssrc);
	return buf;
}

static int
conf_add(struct ctl *ctl, int argc, char **argv)
{
	const struct rtpgw_api_conf_info *info;
	char err[FLOW_ARGS_ERR_MAX];
	struct rtpgw_api_conf c;
	uint32_t changes;
	uint32_t len = 0;
	int ret;

	if (conf_args_parse_conf(argc - 2, argv + 2, false, &c, &changes, err, sizeof(err)) < 0)
		return ctl_usage_error(ctl, "%s", err);
	name_cmd(ctl, "add", argv[2]);
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (request(ctl, RTPGW_API_CONF_ADD, &c, sizeof(c), c.conf_id, NULL, NULL) < 0)
		return CTL_EXIT_API;
	/* What the dataplane chose (ptime default, mixer SSRC); quietly. */
	info = (const struct rtpgw_api_conf_info *)ctl->reply;
	ret = api_client_request(ctl->client, RTPGW_API_CONF_GET, &c, sizeof(c), ctl->reply,
				 RTPGW_API_MSG_MAX, &len);
	if (ret < 0 || len < sizeof(*info))
		info = NULL;
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_u64(&ctl->js, "conf_id", c.conf_id);
		if (info != NULL) {
			json_u64(&ctl->js, "ptime_ms", info->conf.ptime_ms);
			json_u64(&ctl->js, "mixer_ssrc", info->conf.mixer_ssrc);
			json_u64(&ctl->js, "owner_lcore", info->owner_lcore);
		}
		json_object_end(&ctl->js);
	} else if (info != NULL) {
		printf("added conference %u: ptime %u ms, mixer ssrc 0x%08x, owner lcore %u\n",
		       c.conf_id, info->conf.ptime_ms, info->conf.mixer_ssrc, info->owner_lcore);
	} else {
		printf("added conference %u\n", c.conf_id);
	}
	return CTL_EXIT_OK;
}

static int
conf_del(struct ctl *ctl, int argc, char **argv)
{
	char err[FLOW_ARGS_ERR_MAX];
	struct rtpgw_api_conf c = {0};
	int ret;

	if (argc < 3)
		return ctl_usage_error(ctl, "missing conference ID");
	if (argc > 3)
		return ctl_usage_error(ctl, "unexpected argument '%s' (conf del ID)", argv[3]);
	if (conf_args_parse_id(argv[2], &c.conf_id, err, sizeof(err)) < 0)
		return ctl_usage_error(ctl, "%s", err);
	name_cmd(ctl, "del", argv[2]);
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (request(ctl, RTPGW_API_CONF_DEL, &c, sizeof(c), c.conf_id, NULL, NULL) < 0)
		return CTL_EXIT_API;
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_u64(&ctl->js, "conf_id", c.conf_id);
		json_object_end(&ctl->js);
	} else {
		printf("deleted conference %u: every participant is sent an RTCP BYE, then its "
		       "flow is removed\n",
		       c.conf_id);
	}
	return CTL_EXIT_OK;
}

/* CONF_GET into ctl->reply; returns the info or NULL after printing why. */
static const struct rtpgw_api_conf_info *
conf_get(struct ctl *ctl, uint32_t conf_id)
{
	struct rtpgw_api_conf c = {.conf_id = conf_id};
	uint32_t len = 0;

	if (request(ctl, RTPGW_API_CONF_GET, &c, sizeof(c), conf_id, NULL, &len) < 0)
		return NULL;
	/* api_client checked len against n_parts. */
	return (const struct rtpgw_api_conf_info *)ctl->reply;
}

static int
conf_set(struct ctl *ctl, int argc, char **argv)
{
	const struct rtpgw_api_conf_info *info;
	char err[FLOW_ARGS_ERR_MAX];
	struct rtpgw_api_conf want, c;
	uint32_t changes;
	char ssrc[16];
	int ret;

	if (conf_args_parse_conf(argc - 2, argv + 2, true, &want, &changes, err, sizeof(err)) < 0)
		return ctl_usage_error(ctl, "%s", err);
	name_cmd(ctl, "set", argv[2]);
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	info = conf_get(ctl, want.conf_id);
	if (info == NULL)
		return CTL_EXIT_API;
	/* Read, modify, write: what is not named stays as it is. */
	memset(&c, 0, sizeof(c));
	c.conf_id = want.conf_id;
	c.flags = info->conf.flags;
	c.ref_ssrc = info->conf.ref_ssrc;
	c.cookie = info->conf.cookie;
	if (changes & CONF_ARGS_SET_REF_SSRC) {
		c.flags |= RTPGW_CONF_F_REF_SSRC;
		c.ref_ssrc = want.ref_ssrc;
	}
	if (changes & CONF_ARGS_CLEAR_REF_SSRC) {
		c.flags &= (uint16_t)~RTPGW_CONF_F_REF_SSRC;
		c.ref_ssrc = 0;
	}
	if (changes & CONF_ARGS_SET_COOKIE)
		c.cookie = want.cookie;
	if (request(ctl, RTPGW_API_CONF_SET, &c, sizeof(c), c.conf_id, NULL, NULL) < 0)
		return CTL_EXIT_API;
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_u64(&ctl->js, "conf_id", c.conf_id);
		if (c.flags & RTPGW_CONF_F_REF_SSRC)
			json_u64(&ctl->js, "ref_ssrc", c.ref_ssrc);
		else
			json_null(&ctl->js, "ref_ssrc");
		json_u64(&ctl->js, "cookie", c.cookie);
		json_object_end(&ctl->js);
	} else {
		printf("conference %u: ref-ssrc %s, cookie %llu\n", c.conf_id,
		       ssrc_text(c.flags & RTPGW_CONF_F_REF_SSRC, c.ref_ssrc, ssrc, sizeof(ssrc)),
		       (unsigned long long)c.cookie);
	}
	return CTL_EXIT_OK;
}

/* RFC 6464 level (-dBov, 127 = silence) as text. */
static const char *
level_text(uint8_t level, char *buf, size_t len)
{
	if (level >= 127)
		return "silent";
	snprintf(buf, len, "-%u", level);
	return buf;
}

static void
json_part_stats(struct json *js, const struct rtpgw_api_part_stats *s)
{
	json_object_begin(js, NULL);
	json_ip_port(js, &s->local, s->local_port);
	json_bool(js, "talking", s->talking);
	json_u64(js, "level", s->level);
	json_u64(js, "frames_played", s->frames_played);
	json_u64(js, "frames_concealed", s->frames_concealed);
	json_u64(js, "frames_silent", s->frames_silent);
	json_u64(js, "late", s->late);
	json_u64(js, "dup", s->dup);
	json_u64(js, "resync", s->resync);
	json_u64(js, "drift_dropped", s->drift_dropped);
	json_u64(js, "drift_inserted", s->drift_inserted);
	json_u64(js, "packets_sent", s->packets_sent);
	json_u64(js, "jbuf_level", s->jbuf_level);
	json_u64(js, "jbuf_target", s->jbuf_target);
	json_object_end(js);
}

static int
conf_show(struct ctl *ctl, int argc, char **argv)
{
	const struct rtpgw_api_conf_info *info;
	char err[FLOW_ARGS_ERR_MAX];
	char a[FLOW_ARGS_ENDPOINT_MAX];
	uint64_t tsc_hz;
	double tick_us;
	uint32_t conf_id;
	char buf[16];
	uint32_t i;
	int ret;

	if (argc < 3)
		return ctl_usage_error(ctl, "missing conference ID");
	if (argc > 3)
		return ctl_usage_error(ctl, "unexpected argument '%s' (conf show ID)", argv[3]);
	if (conf_args_parse_id(argv[2], &conf_id, err, sizeof(err)) < 0)
		return ctl_usage_error(ctl, "%s", err);
	name_cmd(ctl, "show", argv[2]);
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	info = conf_get(ctl, conf_id);
	if (info == NULL)
		return CTL_EXIT_API;
	tsc_hz = api_client_agent(ctl->client)->tsc_hz;
	tick_us = tsc_hz ? 1e6 * (double)info->tick_cycles_max / (double)tsc_hz : 0.0;

	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_u64(&ctl->js, "conf_id", info->conf.conf_id);
		json_u64(&ctl->js, "ptime_ms", info->conf.ptime_ms);
		json_u64(&ctl->js, "mixer_ssrc", info->conf.mixer_ssrc);
		if (info->conf.flags & RTPGW_CONF_F_REF_SSRC)
			json_u64(&ctl->js, "ref_ssrc", info->conf.ref_ssrc);
		else
			json_null(&ctl->js, "ref_ssrc");
		json_u64(&ctl->js, "cookie", info->conf.cookie);
		json_u64(&ctl->js, "owner_lcore", info->owner_lcore);
		json_u64(&ctl->js, "ticks", info->ticks);
		json_u64(&ctl->js, "ticks_late", info->ticks_late);
		json_u64(&ctl->js, "tick_cycles_max", info->tick_cycles_max);
		json_u64(&ctl->js, "tick_ns", info->tick_ns);
		json_u64(&ctl->js, "ref_state", info->ref_state);
		json_double(&ctl->js, "ref_ppm", info->ref_ppb / 1000.0, 3);
		if (tsc_hz)
			json_double(&ctl->js, "tick_us_max", tick_us, 3);
		else
			json_null(&ctl->js, "tick_us_max");
		json_u64(&ctl->js, "n_parts", info->n_parts);
		json_array_begin(&ctl->js, "participants");
		for (i = 0; i < info->n_parts; i++)
			json_part_stats(&ctl->js, &info->parts[i]);
		json_array_end(&ctl->js);
		json_object_end(&ctl->js);
		return CTL_EXIT_OK;
	}
	printf("conference %u: ptime %u ms, mixer ssrc 0x%08x, ref-ssrc %s, cookie %llu\n",
	       info->conf.conf_id, info->conf.ptime_ms, info->conf.mixer_ssrc,
	       ssrc_text(info->conf.flags & RTPGW_CONF_F_REF_SSRC, info->conf.ref_ssrc, buf,
			 sizeof(buf)),
	       (unsigned long long)info->conf.cookie);
	printf("  owner lcore %u, %llu ticks, %llu late, longest tick %.1f us, %u participant%s\n",
	       info->owner_lcore, (unsigned long long)info->ticks,
	       (unsigned long long)info->ticks_late, tick_us, info->n_parts,
	       info->n_parts == 1 ? "" : "s");
	if (info->conf.flags & RTPGW_CONF_F_REF_SSRC)
		printf("  reference clock: %s, %+.3f ppm, tick %llu ns\n",
		       info->ref_state == 0	? "not ready yet (nominal pacing)"
		       : info->ref_state == 1 ? "from arrivals"
					      : "from sender reports",
		       info->ref_ppb / 1000.0, (unsigned long long)info->tick_ns);
	if (info->n_parts == 0)
		return CTL_EXIT_OK;
	printf("%-21s %-4s %-6s %-7s %9s %9s %7s %7s %9s\n", "PARTICIPANT", "TALK", "LEVEL", "JBUF",
	       "PLAYED", "CONCEALED", "LATE", "DUP", "SENT");
	for (i = 0; i < info->n_parts; i++) {
		const struct rtpgw_api_part_stats *s = &info->parts[i];
		char jb[24];

		flow_args_format_endpoint(&s->local, s->local_port, a, sizeof(a));
		snprintf(jb, sizeof(jb), "%u/%u", s->jbuf_level, s->jbuf_target);
		printf("%-21s %-4s %-6s %-7s %9llu %9llu %7llu %7llu %9llu\n", a,
		       s->talking ? "yes" : "no", level_text(s->level, buf, sizeof(buf)), jb,
		       (unsigned long long)s->frames_played,
		       (unsigned long long)s->frames_concealed, (unsigned long long)s->late,
		       (unsigned long long)s->dup, (unsigned long long)s->packets_sent);
	}
	return CTL_EXIT_OK;
}

/* conf join, conf set-part */
static int
conf_part(struct ctl *ctl, int argc, char **argv, uint16_t type)
{
	struct rtpgw_api_participant p;
	char err[FLOW_ARGS_ERR_MAX];
	char key[FLOW_ARGS_ENDPOINT_MAX];
	char peer[FLOW_ARGS_ENDPOINT_MAX];
	int ret;

	if (conf_args_parse_part(argc - 2, argv + 2, &p, err, sizeof(err)) < 0)
		return ctl_usage_error(ctl, "%s", err);
	flow_args_format_endpoint(&p.flow.local, p.flow.local_port, key, sizeof(key));
	flow_args_format_endpoint(&p.flow.peer, p.flow.peer_port, peer, sizeof(peer));
	name_cmd(ctl, type == RTPGW_API_PART_JOIN ? "join" : "set-part", key);
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (request(ctl, type, &p, sizeof(p), p.conf_id, key, NULL) < 0)
		return CTL_EXIT_API;
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_u64(&ctl->js, "conf_id", p.conf_id);
		json_ip_port(&ctl->js, &p.flow.local, p.flow.local_port);
		json_object_end(&ctl->js);
	} else if (type == RTPGW_API_PART_JOIN) {
		printf("joined %s to conference %u: %s, mix sent to %s\n", key, p.conf_id,
		       p.pt == 8 ? "PCMA" : "PCMU", peer);
	} else {
		printf("changed %s in conference %u\n", key, p.conf_id);
	}
	return CTL_EXIT_OK;
}

static int
conf_leave(struct ctl *ctl, int argc, char **argv)
{
	struct rtpgw_api_participant p;
	char err[FLOW_ARGS_ERR_MAX];
	char key[FLOW_ARGS_ENDPOINT_MAX];
	int ret;

	if (conf_args_parse_leave(argc - 2, argv + 2, &p, err, sizeof(err)) < 0)
		return ctl_usage_error(ctl, "%s", err);
	flow_args_format_endpoint(&p.flow.local, p.flow.local_port, key, sizeof(key));
	name_cmd(ctl, "leave", key);
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (request(ctl, RTPGW_API_PART_LEAVE, &p, sizeof(p), 0, key, NULL) < 0)
		return CTL_EXIT_API;
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_ip_port(&ctl->js, &p.flow.local, p.flow.local_port);
		json_object_end(&ctl->js);
	} else {
		printf("%s is leaving: the mixer sends it an RTCP BYE, then its flow is removed\n",
		       key);
	}
	return CTL_EXIT_OK;
}

int
ctl_conf_cmd(struct ctl *ctl, int argc, char **argv)
{
	static const struct {
		const char *name;
		const char *cmd;
	} subs[] = {
		{"add", "conf add"},	       {"del", "conf del"},   {"set", "conf set"},
		{"show", "conf show"},	       {"join", "conf join"}, {"leave", "conf leave"},
		{"set-part", "conf set-part"},
	};
	size_t i;

	if (argc < 2)
		return ctl_usage_error(
			ctl, "missing subcommand (add, del, set, show, join, leave, set-part)");
	for (i = 0; i < ARRAY_SIZE(subs); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(subs))
		return ctl_usage_error(
			ctl, "unknown subcommand '%s' (add, del, set, show, join, leave, set-part)",
			argv[1]);
	ctl->cmd = subs[i].cmd;
	switch (i) {
	case 0:
		return conf_add(ctl, argc, argv);
	case 1:
		return conf_del(ctl, argc, argv);
	case 2:
		return conf_set(ctl, argc, argv);
	case 3:
		return conf_show(ctl, argc, argv);
	case 4:
		return conf_part(ctl, argc, argv, RTPGW_API_PART_JOIN);
	case 5:
		return conf_leave(ctl, argc, argv);
	default:
		return conf_part(ctl, argc, argv, RTPGW_API_PART_SET);
	}
}
