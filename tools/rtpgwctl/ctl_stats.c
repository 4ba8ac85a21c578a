/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgwctl commands that read the dataplane's state without touching it:
 * hello, addrs, ports, workers, drops and stats (the last three together).
 * Each reply is printed as a text table or as a JSON member; list counts
 * were checked against the payload length by api_client before we index.
 * Drop reason names and descriptions are generated from RTPGW_FOREACH_DROP,
 * so a reason added to the API shows up here after a rebuild; reasons of a
 * newer dataplane beyond ours are still printed, by number.
 */
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "flow_args.h"

struct drop_reason {
	const char *name;
	const char *desc;
};

#define DROP_REASON(n, d) {#n, d},
static const struct drop_reason drop_reasons[] = {RTPGW_FOREACH_DROP(DROP_REASON)};
#undef DROP_REASON

static_assert(sizeof(drop_reasons) / sizeof(drop_reasons[0]) == RTPGW_DROP_MAX,
	      "one name per drop reason");

static int
no_args(struct ctl *ctl, int argc, char **argv)
{
	if (argc > 1)
		return ctl_usage_error(ctl, "unexpected argument '%s'", argv[1]);
	return CTL_EXIT_OK;
}

/* Lower-case name of drop reason i ("no_flow"), or "reason_<i>". */
static void
drop_name(uint32_t i, char *buf, size_t len)
{
	size_t k;

	if (i >= RTPGW_DROP_MAX) {
		snprintf(buf, len, "reason_%u", i);
		return;
	}
	snprintf(buf, len, "%s", drop_reasons[i].name);
	for (k = 0; buf[k] != '\0'; k++)
		if (buf[k] >= 'A' && buf[k] <= 'Z')
			buf[k] = buf[k] - 'A' + 'a';
}

static const char *
drop_desc(uint32_t i)
{
	if (i >= RTPGW_DROP_MAX)
		return "unknown to this rtpgwctl (newer dataplane)";
	return drop_reasons[i].desc;
}

int
ctl_stats_hello(struct ctl *ctl, int argc, char **argv)
{
	const struct rtpgw_api_hello *h;
	int ret;

	ret = no_args(ctl, argc, argv);
	if (ret == CTL_EXIT_OK)
		ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	h = api_client_agent(ctl->client);
	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_string_n(&ctl->js, "name", h->name, sizeof(h->name));
		json_u64(&ctl->js, "version", h->version);
		json_u64(&ctl->js, "workers", h->n_workers);
		json_u64(&ctl->js, "max_flows", h->max_flows);
		json_u64(&ctl->js, "flows", h->n_flows);
		json_u64(&ctl->js, "tsc_hz", h->tsc_hz);
		json_object_end(&ctl->js);
		return CTL_EXIT_OK;
	}
	printf("dataplane    %.*s\n", (int)sizeof(h->name), h->name);
	printf("api version  %u\n", h->version);
	printf("workers      %u\n", h->n_workers);
	printf("flows        %u installed, %u max\n", h->n_flows, h->max_flows);
	printf("tsc          %.3f GHz\n", h->tsc_hz / 1e9);
	return CTL_EXIT_OK;
}

int
ctl_stats_addrs(struct ctl *ctl, int argc, char **argv)
{
	const struct rtpgw_api_addr_list *l;
	const struct rtpgw_api_addr *a;
	char ip[FLOW_ARGS_ENDPOINT_MAX];
	char gw[FLOW_ARGS_ENDPOINT_MAX];
	char mac[24];
	char pfx[64];
	uint32_t i;
	int ret;

	ret = no_args(ctl, argc, argv);
	if (ret == CTL_EXIT_OK)
		ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (ctl_request(ctl, RTPGW_API_ADDR_LIST, NULL, 0, NULL) < 0)
		return CTL_EXIT_API;
	l = (const struct rtpgw_api_addr_list *)ctl->reply;

	if (ctl->json) {
		json_object_begin(&ctl->js, NULL);
		json_array_begin(&ctl->js, "addrs");
	} else if (l->count == 0) {
		printf("no addresses\n");
	} else {
		printf("%-22s %-5s %-17s %s\n", "ADDRESS", "PORT", "MAC", "GATEWAY");
	}
	for (i = 0; i < l->count; i++) {
		a = &l->addrs[i];
		flow_args_format_ip(&a->ip, ip, sizeof(ip));
		flow_args_format_ip(&a->gateway, gw, sizeof(gw));
		ctl_format_mac(a->mac, mac, sizeof(mac));
		if (ctl->json) {
			json_object_begin(&ctl->js, NULL);
			json_string(&ctl->js, "ip", ip);
			json_u64(&ctl->js, "prefix_len", a->prefix_len);
			json_u64(&ctl->js, "port_id", a->port_id);
			json_string(&ctl->js, "mac", mac);
			if (a->gateway.family == 0)
				json_null(&ctl->js, "gateway");
			else
				json_string(&ctl->js, "gateway", gw);
			json_object_end(&ctl->js);
			continue;
		}
		snprintf(pfx, sizeof(pfx), "%s/%u", ip, a->prefix_len);
		printf("%-22s %-5u %-17s %s\n", pfx, a->port_id, mac, gw);
	}
	if (ctl->json) {
		json_array_end(&ctl->js);
		json_object_end(&ctl->js);
	}
	return CTL_EXIT_OK;
}

/* The "ports" member or section of a STATS_PORTS reply. */
static void
print_ports(struct ctl *ctl, const struct rtpgw_api_port_list *l)
{
	const struct rtpgw_api_port_stats *p;
	char mac[24];
	uint32_t i;

	if (ctl->json)
		json_array_begin(&ctl->js, "ports");
	else if (l->count == 0)
		printf("no ports\n");
	for (i = 0; i < l->count; i++) {
		p = &l->ports[i];
		ctl_format_mac(p->mac, mac, sizeof(mac));
		if (ctl->json) {
			json_object_begin(&ctl->js, NULL);
			json_u64(&ctl->js, "port_id", p->port_id);
			json_string_n(&ctl->js, "name", p->name, sizeof(p->name));
			json_string(&ctl->js, "mac", mac);
			json_u64(&ctl->js, "ipackets", p->ipackets);
			json_u64(&ctl->js, "opackets", p->opackets);
			json_u64(&ctl->js, "ibytes", p->ibytes);
			json_u64(&ctl->js, "obytes", p->obytes);
			json_u64(&ctl->js, "imissed", p->imissed);
			json_u64(&ctl->js, "ierrors", p->ierrors);
			json_u64(&ctl->js, "oerrors", p->oerrors);
			json_u64(&ctl->js, "rx_nombuf", p->rx_nombuf);
			json_u64(&ctl->js, "arp_requests_rx", p->arp_requests_rx);
			json_u64(&ctl->js, "arp_requests_tx", p->arp_requests_tx);
			json_u64(&ctl->js, "icmp_echo", p->icmp_echo);
			json_u64(&ctl->js, "slow_drops", p->slow_drops);
			json_object_end(&ctl->js);
			continue;
		}
		printf("port %u %.*s mac %s\n", p->port_id, (int)strnlen(p->name, sizeof(p->name)),
		       p->name, mac);
		printf("  rx   packets %llu bytes %llu missed %llu errors %llu nombuf %llu\n",
		       (unsigned long long)p->ipackets, (unsigned long long)p->ibytes,
		       (unsigned long long)p->imissed, (unsigned long long)p->ierrors,
		       (unsigned long long)p->rx_nombuf);
		printf("  tx   packets %llu bytes %llu errors %llu\n",
		       (unsigned long long)p->opackets, (unsigned long long)p->obytes,
		       (unsigned long long)p->oerrors);
		printf("  arp  requests answered %llu sent %llu\n",
		       (unsigned long long)p->arp_requests_rx,
		       (unsigned long long)p->arp_requests_tx);
		printf("  icmp echo answered %llu\n", (unsigned long long)p->icmp_echo);
		printf("  slow path dropped %llu\n", (unsigned long long)p->slow_drops);
	}
	if (ctl->json)
		json_array_end(&ctl->js);
}

/* The "workers" member or table of a STATS_WORKERS reply. */
static void
print_workers(struct ctl *ctl, const struct rtpgw_api_worker_list *l)
{
	const struct rtpgw_api_worker_stats *w;
	char busy[16];
	double pct;
	uint32_t i;

	if (ctl->json)
		json_array_begin(&ctl->js, "workers");
	else if (l->count == 0)
		printf("no workers\n");
	else
		printf("%-6s %-4s %14s %14s %12s %12s %16s %6s\n", "LCORE", "RXQ", "RX_PACKETS",
		       "TX_PACKETS", "DROPPED", "SLOWPATH", "POLLS", "BUSY%");
	for (i = 0; i < l->count; i++) {
		w = &l->workers[i];
		/* Share of cycles spent in loop iterations that received packets. */
		pct = w->total_cycles ? 100.0 * w->busy_cycles / w->total_cycles : 0;
		if (ctl->json) {
			json_object_begin(&ctl->js, NULL);
			json_u64(&ctl->js, "lcore_id", w->lcore_id);
			json_u64(&ctl->js, "n_rxq", w->n_rxq);
			json_u64(&ctl->js, "rx_packets", w->rx_packets);
			json_u64(&ctl->js, "tx_packets", w->tx_packets);
			json_u64(&ctl->js, "dropped", w->dropped);
			json_u64(&ctl->js, "slowpath", w->slowpath);
			json_u64(&ctl->js, "busy_cycles", w->busy_cycles);
			json_u64(&ctl->js, "total_cycles", w->total_cycles);
			json_u64(&ctl->js, "polls", w->polls);
			if (w->total_cycles)
				json_double(&ctl->js, "busy_pct", pct, 2);
			else
				json_null(&ctl->js, "busy_pct");
			json_object_end(&ctl->js);
			continue;
		}
		if (w->total_cycles)
			snprintf(busy, sizeof(busy), "%.1f", pct);
		else
			snprintf(busy, sizeof(busy), "-");
		printf("%-6u %-4u %14llu %14llu %12llu %12llu %16llu %6s\n", w->lcore_id, w->n_rxq,
		       (unsigned long long)w->rx_packets, (unsigned long long)w->tx_packets,
		       (unsigned long long)w->dropped, (unsigned long long)w->slowpath,
		       (unsigned long long)w->polls, busy);
	}
	if (ctl->json)
		json_array_end(&ctl->js);
}

/* The "drops" member (every reason) or lines (non-zero reasons only). */
static void
print_drops(struct ctl *ctl, const struct rtpgw_api_drops *d)
{
	char name[32];
	bool any = false;
	uint32_t i;

	if (ctl->json)
		json_array_begin(&ctl->js, "drops");
	for (i = 0; i < d->count; i++) {
		drop_name(i, name, sizeof(name));
		if (ctl->json) {
			json_object_begin(&ctl->js, NULL);
			json_string(&ctl->js, "name", name);
			json_string(&ctl->js, "description", drop_desc(i));
			json_u64(&ctl->js, "count", d->drops[i]);
			json_object_end(&ctl->js);
			continue;
		}
		if (d->drops[i] == 0)
			continue;
		if (!any)
			printf("%-16s %14s  %s\n", "REASON", "PACKETS", "DESCRIPTION");
		any = true;
		printf("%-16s %14llu  %s\n", name, (unsigned long long)d->drops[i], drop_desc(i));
	}
	if (ctl->json)
		json_array_end(&ctl->js);
	else if (!any)
		printf("no drops\n");
}

/* Request one stats type and print it; the JSON object is open around it. */
static int
stats_one(struct ctl *ctl, uint16_t type)
{
	if (ctl_request(ctl, type, NULL, 0, NULL) < 0)
		return CTL_EXIT_API;
	switch (type) {
	case RTPGW_API_STATS_PORTS:
		print_ports(ctl, (const struct rtpgw_api_port_list *)ctl->reply);
		break;
	case RTPGW_API_STATS_WORKERS:
		print_workers(ctl, (const struct rtpgw_api_worker_list *)ctl->reply);
		break;
	case RTPGW_API_STATS_DROPS:
		print_drops(ctl, (const struct rtpgw_api_drops *)ctl->reply);
		break;
	}
	return CTL_EXIT_OK;
}

static int
stats_cmd(struct ctl *ctl, int argc, char **argv, const uint16_t *types, unsigned int n,
	  const char *const *titles)
{
	unsigned int i;
	int ret;

	ret = no_args(ctl, argc, argv);
	if (ret == CTL_EXIT_OK)
		ret = ctl_connect(ctl);
	if (ret != CTL_EXIT_OK)
		return ret;
	if (ctl->json)
		json_object_begin(&ctl->js, NULL);
	for (i = 0; i < n && ret == CTL_EXIT_OK; i++) {
		if (!ctl->json && titles != NULL)
			printf("%s%s\n", i ? "\n" : "", titles[i]);
		ret = stats_one(ctl, types[i]);
	}
	/* Close what is open even after an error, so stdout stays valid JSON. */
	if (ctl->json)
		json_object_end(&ctl->js);
	return ret;
}

int
ctl_stats_ports(struct ctl *ctl, int argc, char **argv)
{
	static const uint16_t types[] = {RTPGW_API_STATS_PORTS};

	return stats_cmd(ctl, argc, argv, types, 1, NULL);
}

int
ctl_stats_workers(struct ctl *ctl, int argc, char **argv)
{
	static const uint16_t types[] = {RTPGW_API_STATS_WORKERS};

	return stats_cmd(ctl, argc, argv, types, 1, NULL);
}

int
ctl_stats_drops(struct ctl *ctl, int argc, char **argv)
{
	static const uint16_t types[] = {RTPGW_API_STATS_DROPS};

	return stats_cmd(ctl, argc, argv, types, 1, NULL);
}

int
ctl_stats_all(struct ctl *ctl, int argc, char **argv)
{
	static const uint16_t types[] = {
		RTPGW_API_STATS_PORTS,
		RTPGW_API_STATS_WORKERS,
		RTPGW_API_STATS_DROPS,
	};
	static const char *const titles[] = {"== ports", "== workers", "== drops"};

	return stats_cmd(ctl, argc, argv, types, 3, titles);
}
