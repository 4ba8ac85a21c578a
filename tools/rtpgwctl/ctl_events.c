/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `rtpgwctl events`: subscribe to the agent's event stream and print each
 * event (RTCP, flow idle, SSRC change, and the conferences' DTMF key
 * presses and active speaker changes) as one text line or one JSON
 * document per line, until --count
 * events arrived, --duration elapsed, SIGINT/SIGTERM, or the dataplane
 * closed the connection. RTCP events carry the compound packet as received;
 * its packets are listed by type with their sender SSRC (the 32-bit word
 * after the common header, RFC 3550 6.4.1, 6.4.2, 6.5, 6.6, 6.7; RFC 4585
 * 6.1; RFC 3611 2). The walk stops at the first header that is not
 * version 2 or whose length runs past the data, and says so.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "flow_args.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const char *
rtcp_type_name(uint8_t pt)
{
	switch (pt) {
	case 200:
		return "SR";
	case 201:
		return "RR";
	case 202:
		return "SDES";
	case 203:
		return "BYE";
	case 204:
		return "APP";
	case 205:
		return "RTPFB";
	case 206:
		return "PSFB";
	case 207:
		return "XR";
	default:
		return NULL;
	}
}

/* Print the packets of an RTCP compound (text or JSON "packets" member). */
static void
rtcp_describe(struct ctl *ctl, const uint8_t *d, uint16_t len)
{
	const char *problem = NULL;
	const char *name;
	uint32_t plen;
	uint32_t ssrc;
	uint16_t words;
	uint32_t off = 0;
	char pt_buf[8];

	if (ctl->json)
		json_array_begin(&ctl->js, "packets");
	while (off < len) {
		if (len - off < 4) {
			problem = "truncated header";
			break;
		}
		if (d[off] >> 6 != 2) {
			problem = "version is not 2";
			break;
		}
		memcpy(&words, d + off + 2, sizeof(words));
		plen = (ntohs(words) + 1u) * 4;
		if (plen > len - off) {
			problem = "length runs past the data";
			break;
		}
		name = rtcp_type_name(d[off + 1]);
		if (name == NULL) {
			snprintf(pt_buf, sizeof(pt_buf), "PT%u", d[off + 1]);
			name = pt_buf;
		}
		ssrc = 0;
		if (plen >= 8) {
			memcpy(&ssrc, d + off + 4, sizeof(ssrc));
			ssrc = ntohl(ssrc);
		}
		if (ctl->json) {
			json_object_begin(&ctl->js, NULL);
			json_string(&ctl->js, "type", name);
			json_u64(&ctl->js, "pt", d[off + 1]);
			json_u64(&ctl->js, "count", d[off] & 0x1f);
			json_u64(&ctl->js, "length", plen);
			if (plen >= 8)
				json_u64(&ctl->js, "ssrc", ssrc);
			else
				json_null(&ctl->js, "ssrc");
			json_object_end(&ctl->js);
		} else {
			printf("%s %s", off ? "," : "", name);
			if (plen >= 8)
				printf(" ssrc 0x%08x", ssrc);
			printf(" count %u len %u", d[off] & 0x1f, plen);
		}
		off += plen;
	}
	if (ctl->json) {
		json_array_end(&ctl->js);
		if (problem != NULL)
			json_string(&ctl->js, "malformed", problem);
		else
			json_null(&ctl->js, "malformed");
	} else if (problem != NULL) {
		printf("%s malformed at byte %u: %s", off ? "," : "", off, problem);
	}
}

static void
json_hex(struct json *js, const char *key, const uint8_t *d, uint16_t len)
{
	static const char digits[] = "0123456789abcdef";
	char hex[2 * RTPGW_API_RTCP_MAX + 1];
	uint16_t i;

	for (i = 0; i < len && i < RTPGW_API_RTCP_MAX; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xf];
	}
	hex[2 * i] = '\0';
	json_string(js, key, hex);
}

/* Wall clock prefix of a text line, "HH:MM:SS.mmm". */
static void
print_clock(void)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	printf("%02d:%02d:%02d.%03ld ", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

static double
unix_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
print_rtcp(struct ctl *ctl, const struct rtpgw_api_event_rtcp *ev)
{
	char local[FLOW_ARGS_ENDPOINT_MAX];
	char src[FLOW_ARGS_ENDPOINT_MAX];

	if (ctl->json) {
		flow_args_format_ip(&ev->local, local, sizeof(local));
		flow_args_format_ip(&ev->src, src, sizeof(src));
		json_string(&ctl->js, "event", "rtcp");
		json_string(&ctl->js, "local_ip", local);
		json_u64(&ctl->js, "local_port", ntohs(ev->local_port));
		json_string(&ctl->js, "src_ip", src);
		json_u64(&ctl->js, "src_port", ntohs(ev->src_port));
		json_u64(&ctl->js, "cookie", ev->cookie);
		json_u64(&ctl->js, "time_ns", ev->time_ns);
		json_u64(&ctl->js, "len", ev->len);
		rtcp_describe(ctl, ev->data, ev->len);
		json_hex(&ctl->js, "data", ev->data, ev->len);
		return;
	}
	flow_args_format_endpoint(&ev->local, ev->local_port, local, sizeof(local));
	flow_args_format_endpoint(&ev->src, ev->src_port, src, sizeof(src));
	printf("rtcp %s from %s cookie %llu t+%.6fs len %u:", local, src,
	       (unsigned long long)ev->cookie, ev->time_ns / 1e9, ev->len);
	rtcp_describe(ctl, ev->data, ev->len);
}

static void
print_flow_event(struct ctl *ctl, uint16_t type, const struct rtpgw_api_event_flow *ev)
{
	char local[FLOW_ARGS_ENDPOINT_MAX];

	if (ctl->json) {
		flow_args_format_ip(&ev->local, local, sizeof(local));
		json_string(&ctl->js, "event",
			    type == RTPGW_API_EVENT_FLOW_IDLE ? "flow_idle" : "ssrc_change");
		json_string(&ctl->js, "local_ip", local);
		json_u64(&ctl->js, "local_port", ntohs(ev->local_port));
		json_u64(&ctl->js, "cookie", ev->cookie);
		if (type == RTPGW_API_EVENT_FLOW_IDLE) {
			json_u64(&ctl->js, "idle_ns", ev->idle_ns);
		} else {
			json_u64(&ctl->js, "old_ssrc", ev->old_ssrc);
			json_u64(&ctl->js, "new_ssrc", ev->new_ssrc);
		}
		return;
	}
	flow_args_format_endpoint(&ev->local, ev->local_port, local, sizeof(local));
	if (type == RTPGW_API_EVENT_FLOW_IDLE)
		printf("flow-idle %s cookie %llu idle %.3fs", local, (unsigned long long)ev->cookie,
		       ev->idle_ns / 1e9);
	else
		printf("ssrc-change %s cookie %llu 0x%08x -> 0x%08x", local,
		       (unsigned long long)ev->cookie, ev->old_ssrc, ev->new_ssrc);
}

/* RFC 4733 3.2: the keys of events 0..15 ('\0' for anything else). */
static char
dtmf_key(uint8_t digit)
{
	return digit != 0 && strchr("0123456789*#ABCD", digit) != NULL ? (char)digit : '\0';
}

static void
print_conf_event(struct ctl *ctl, uint16_t type, const struct rtpgw_api_event_conf *ev)
{
	char local[FLOW_ARGS_ENDPOINT_MAX];
	char key[2] = {dtmf_key(ev->digit), '\0'};
	/* Conferences mix G.711: RTP timestamps count 8000 Hz. */
	double ms = ev->duration / 8.0;

	if (ctl->json) {
		flow_args_format_ip(&ev->local, local, sizeof(local));
		json_string(&ctl->js, "event", type == RTPGW_API_EVENT_DTMF ? "dtmf" : "speaker");
		json_u64(&ctl->js, "conf_id", ev->conf_id);
		json_string(&ctl->js, "local_ip", local);
		json_u64(&ctl->js, "local_port", ntohs(ev->local_port));
		json_u64(&ctl->js, "cookie", ev->cookie);
		if (type == RTPGW_API_EVENT_DTMF) {
			json_string(&ctl->js, "digit", key[0] ? key : NULL);
			json_u64(&ctl->js, "digit_code", ev->digit);
			json_u64(&ctl->js, "duration", ev->duration);
			json_double(&ctl->js, "duration_ms", ms, 1);
		}
		return;
	}
	flow_args_format_endpoint(&ev->local, ev->local_port, local, sizeof(local));
	if (type == RTPGW_API_EVENT_SPEAKER) {
		printf("speaker conf %u %s cookie %llu", ev->conf_id, local,
		       (unsigned long long)ev->cookie);
		return;
	}
	if (key[0])
		printf("dtmf conf %u %s digit %s", ev->conf_id, local, key);
	else
		printf("dtmf conf %u %s digit ? (code %u)", ev->conf_id, local, ev->digit);
	printf(" duration %u (%.1f ms) cookie %llu", ev->duration, ms,
	       (unsigned long long)ev->cookie);
}

static void
print_event(struct ctl *ctl, const struct rtpgw_api_hdr *hdr, const uint8_t *payload)
{
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_double(&ctl->js, "recv_time", unix_time(), 6);
	} else {
		print_clock();
	}
	switch (hdr->type) {
	case RTPGW_API_EVENT_RTCP:
		print_rtcp(ctl, (const struct rtpgw_api_event_rtcp *)payload);
		break;
	case RTPGW_API_EVENT_FLOW_IDLE:
	case RTPGW_API_EVENT_SSRC_CHANGE:
		print_flow_event(ctl, hdr->type, (const struct rtpgw_api_event_flow *)payload);
		break;
	case RTPGW_API_EVENT_DTMF:
	case RTPGW_API_EVENT_SPEAKER:
		print_conf_event(ctl, hdr->type, (const struct rtpgw_api_event_conf *)payload);
		break;
	default:
		if (ctl->json) {
			json_string(&ctl->js, "event", "unknown");
			json_u64(&ctl->js, "type", hdr->type);
			json_u64(&ctl->js, "len", hdr->len);
		} else {
			printf("event type 0x%x len %u (unknown to this rtpgwctl)", hdr->type,
			       hdr->len);
		}
		break;
	}
	if (ctl->json)
		json_object_end(&ctl->js);
	else
		printf("\n");
	fflush(stdout);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
parse_events_args(struct ctl *ctl, int argc, char **argv, uint64_t *count, int *duration_ms)
{
	uint64_t v;
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0) {
			if (i + 1 >= argc)
				return ctl_usage_error(ctl, "'--count' needs a number");
			i++;
			errno = 0;
			v = strtoull(argv[i], &end, 10);
			if (argv[i][0] < '1' || argv[i][0] > '9' || *end != '\0' || errno != 0)
				return ctl_usage_error(ctl, "bad --count '%s' (1 or more)",
						       argv[i]);
			*count = v;
		} else if (strcmp(argv[i], "--duration") == 0) {
			if (i + 1 >= argc)
				return ctl_usage_error(ctl, "'--duration' needs seconds");
			i++;
			if (ctl_parse_seconds(argv[i], duration_ms) < 0)
				return ctl_usage_error(ctl, "bad --duration '%s' (seconds > 0)",
						       argv[i]);
		} else {
			return ctl_usage_error(ctl, "unexpected argument '%s'", argv[i]);
		}
	}
	return CTL_EXIT_OK;
}

int
ctl_events_stream(struct ctl *ctl, int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct rtpgw_api_hdr hdr;
	int64_t deadline = -1;
	uint64_t count = 0;
	uint64_t seen = 0;
	int duration_ms = 0;
	int timeout;
	char e[128];
	int ret;

	ret = parse_events_args(ctl, argc, argv, &count, &duration_ms);
	if (ret != CTL_EXIT_OK)
		return ret;
	ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (ctl_request(ctl, RTPGW_API_EVENTS_SUBSCRIBE, NULL, 0, NULL) < 0)
		return CTL_EXIT_API;

	/* No SA_RESTART: a signal interrupts the wait, and we stop cleanly. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (duration_ms > 0)
		deadline = now_ms() + duration_ms;

	while (!stop_requested && (count == 0 || seen < count)) {
		timeout = -1;
		if (deadline >= 0) {
			if (now_ms() >= deadline)
				break;
			timeout = (int)(deadline - now_ms());
			if (timeout < 0)
				timeout = 0;
		}
		ret = api_client_event_recv(ctl->client, &hdr, ctl->reply, RTPGW_API_MSG_MAX,
					    timeout);
		if (ret == -ETIMEDOUT || ret == -EINTR)
			continue;
		if (ret == -ECONNRESET) {
			ctl_error(ctl, "the dataplane closed the connection");
			return CTL_EXIT_API;
		}
		if (ret < 0) {
			ctl_error(ctl, "event stream failed: %s",
				  ctl_errno_text(ret, e, sizeof(e)));
			return CTL_EXIT_API;
		}
		print_event(ctl, &hdr, ctl->reply);
		seen++;
	}
	return CTL_EXIT_OK;
}
