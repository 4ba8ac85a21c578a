/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-dataplane: the DPDK primary process. EAL arguments come first,
 * then ours after "--". The main lcore becomes the agent (agent/), the
 * other lcores run workers (worker/). SIGINT or SIGTERM stops the workers,
 * the ports and the API socket cleanly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ethdev.h>

#include "agent/agent.h"
#include "dp.h"

#define DEFAULT_MAX_FLOWS 131072
#define DEFAULT_MBUFS 16383
#define DEFAULT_MAX_CONFS 256
#define DEFAULT_MAX_PARTS 2048

static struct dataplane dp;

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- --addr PORT:IP/PREFIX [--addr ...]\n"
		"          [--gateway PORT:IP] [--workers N] [--api PATH]\n"
		"          [--max-flows N] [--mbufs N] [--udp-cksum-verify]\n"
		"          [--max-confs N] [--max-participants N]\n"
		"  --addr PORT:IP/PREFIX  a media address owned by DPDK port PORT\n"
		"  --gateway PORT:IP      next hop for peers off the subnets of PORT\n"
		"  --workers N            worker lcores to use (default: all but main)\n"
		"  --api PATH             API socket (default %s)\n"
		"  --max-flows N          flow table capacity (default %u)\n"
		"  --mbufs N              packet buffers (default %u)\n"
		"  --max-confs N          conferences (default %u)\n"
		"  --max-participants N   conference participants (default %u; each\n"
		"                         takes ~16 KiB of jitter buffer)\n"
		"  --udp-cksum-verify     verify UDP checksums of RTP in software (the\n"
		"                         relay's incremental update preserves errors\n"
		"                         for the receiver anyway; RTCP is always checked)\n",
		prog, RTPGW_API_SOCK_DEFAULT, DEFAULT_MAX_FLOWS, DEFAULT_MBUFS, DEFAULT_MAX_CONFS,
		DEFAULT_MAX_PARTS);
}

static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* "PORT:REST" -> port and a pointer to REST. */
static int
parse_port_prefix(const char *s, uint16_t *port, const char **rest)
{
	const char *colon = strchr(s, ':');
	char num[8];
	uint32_t v;

	if (colon == NULL || colon == s || (size_t)(colon - s) >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, (size_t)(colon - s));
	num[colon - s] = '\0';
	if (parse_u32(num, 0, DP_PORT_MAX - 1, &v) < 0)
		return -EINVAL;
	*port = (uint16_t)v;
	*rest = colon + 1;
	return 0;
}

static int
parse_addr(const char *arg, struct dp_config *cfg)
{
	struct dp_addr *a = &cfg->addrs[cfg->n_addrs];
	char ip[INET_ADDRSTRLEN];
	const char *rest, *slash;
	uint32_t plen;
	struct in_addr in;

	if (cfg->n_addrs == DP_ADDR_MAX) {
		fprintf(stderr, "--addr: at most %u addresses\n", DP_ADDR_MAX);
		return -EINVAL;
	}
	if (parse_port_prefix(arg, &a->port_id, &rest) < 0)
		goto bad;
	slash = strchr(rest, '/');
	if (slash == NULL || (size_t)(slash - rest) >= sizeof(ip))
		goto bad;
	memcpy(ip, rest, (size_t)(slash - rest));
	ip[slash - rest] = '\0';
	if (inet_pton(AF_INET, ip, &in) != 1 || parse_u32(slash + 1, 1, 32, &plen) < 0)
		goto bad;
	if (in.s_addr == 0) {
		fprintf(stderr, "--addr %s: 0.0.0.0 is not a media address\n", arg);
		return -EINVAL;
	}
	a->ip = in.s_addr;
	a->prefix_len = (uint8_t)plen;
	a->mask = htonl(plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
	cfg->n_addrs++;
	return 0;
bad:
	fprintf(stderr, "--addr %s: expected PORT:IPv4/PREFIX, e.g. 0:198.51.100.10/24\n", arg);
	return -EINVAL;
}

static int
parse_gateway(const char *arg, struct dp_config *cfg)
{
	const char *rest;
	struct in_addr in;
	uint16_t port;
	int n = 0;

	if (parse_port_prefix(arg, &port, &rest) < 0 || inet_pton(AF_INET, rest, &in) != 1) {
		fprintf(stderr, "--gateway %s: expected PORT:IPv4, e.g. 0:198.51.100.1\n", arg);
		return -EINVAL;
	}
	for (uint16_t i = 0; i < cfg->n_addrs; i++) {
		struct dp_addr *a = &cfg->addrs[i];

		if (a->port_id != port)
			continue;
		if ((in.s_addr & a->mask) != (a->ip & a->mask)) {
			fprintf(stderr, "--gateway %s: not on the subnet of a port %u address\n",
				arg, port);
			return -EINVAL;
		}
		a->gateway = in.s_addr;
		n++;
	}
	if (n == 0) {
		fprintf(stderr, "--gateway %s: port %u has no --addr given before it\n", arg, port);
		return -EINVAL;
	}
	return 0;
}

static int
parse_args(int argc, char **argv, struct dp_config *cfg, const char **api_path)
{
	static const struct option opts[] = {
		{"addr", required_argument, NULL, 'a'},
		{"gateway", required_argument, NULL, 'g'},
		{"workers", required_argument, NULL, 'w'},
		{"api", required_argument, NULL, 's'},
		{"max-flows", required_argument, NULL, 'f'},
		{"mbufs", required_argument, NULL, 'm'},
		{"udp-cksum-verify", no_argument, NULL, 'u'},
		{"max-confs", required_argument, NULL, 'c'},
		{"max-participants", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint32_t v;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_addr(optarg, cfg) < 0)
				return -EINVAL;
			break;
		case 'g':
			if (parse_gateway(optarg, cfg) < 0)
				return -EINVAL;
			break;
		case 'w':
			if (parse_u32(optarg, 1, DP_WORKER_MAX, &v) < 0) {
				fprintf(stderr, "--workers %s: 1 to %u\n", optarg, DP_WORKER_MAX);
				return -EINVAL;
			}
			cfg->n_workers = (uint16_t)v;
			break;
		case 's':
			*api_path = optarg;
			break;
		case 'f':
			if (parse_u32(optarg, 1, 1u << 24, &cfg->max_flows) < 0) {
				fprintf(stderr, "--max-flows %s: 1 to %u\n", optarg, 1u << 24);
				return -EINVAL;
			}
			break;
		case 'm':
			if (parse_u32(optarg, 1023, 1u << 24, &cfg->n_mbufs) < 0) {
				fprintf(stderr, "--mbufs %s: 1023 to %u\n", optarg, 1u << 24);
				return -EINVAL;
			}
			break;
		case 'u':
			cfg->udp_cksum_verify = true;
			break;
		case 'c':
			if (parse_u32(optarg, 0, 1u << 20, &cfg->max_confs) < 0) {
				fprintf(stderr, "--max-confs %s: 0 to %u\n", optarg, 1u << 20);
				return -EINVAL;
			}
			break;
		case 'p':
			if (parse_u32(optarg, 0, 1u << 20, &cfg->max_parts) < 0) {
				fprintf(stderr, "--max-participants %s: 0 to %u\n", optarg, 1u << 20);
				return -EINVAL;
			}
			break;
		case 'h':
			usage(argv[0]);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "unexpected argument: %s\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	dp.quit = true;
}

int
main(int argc, char **argv)
{
	struct dp_config cfg = {
		.max_flows = DEFAULT_MAX_FLOWS,
		.n_mbufs = DEFAULT_MBUFS,
		.max_confs = DEFAULT_MAX_CONFS,
		.max_parts = DEFAULT_MAX_PARTS,
	};
	const char *api_path = RTPGW_API_SOCK_DEFAULT;
	struct sigaction sa = {.sa_handler = on_signal};
	struct agent *agent;
	int n, rc;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		fprintf(stderr, "EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= n;
	argv += n;
	argv[0] = "rtpgw-dataplane";
	if (parse_args(argc, argv, &cfg, &api_path) < 0) {
		usage(argv[0]);
		rte_eal_cleanup();
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = dp_init(&dp, &cfg);
	if (rc < 0)
		goto out;
	agent = agent_create(&dp, api_path);
	if (agent == NULL) {
		rc = -errno;
		fprintf(stderr, "API socket %s: %s\n", api_path, strerror(errno));
		goto out;
	}
	rc = dp_start(&dp);
	if (rc < 0) {
		agent_destroy(agent);
		goto out;
	}
	printf("rtpgw-dataplane: %u worker(s), %u port(s), %u address(es), %u flows max, "
	       "API %s\n",
	       dp.n_workers, dp.n_ports, dp.n_addrs, dp.max_flows, api_path);
	for (uint16_t i = 0; i < dp.n_ports; i++) {
		char name[RTE_ETH_NAME_MAX_LEN] = "";
		const struct rte_ether_addr *m = &dp.ports[dp.port_ids[i]].mac;

		rte_eth_dev_get_name_by_port(dp.port_ids[i], name);
		printf("  port %u %s " RTE_ETHER_ADDR_PRT_FMT "\n", dp.port_ids[i], name,
		       RTE_ETHER_ADDR_BYTES(m));
	}
	fflush(stdout);
	while (!dp.quit)
		agent_poll(agent, 1);
	printf("rtpgw-dataplane: stopping\n");
	dp_stop(&dp);
	agent_destroy(agent);
out:
	if (rc < 0) {
		dp.quit = true;
		rte_eal_mp_wait_lcore();
	}
	dp_fini(&dp);
	rte_eal_cleanup();
	return rc < 0 ? 1 : 0;
}
