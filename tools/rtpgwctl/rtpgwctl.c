/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgwctl, the operator's command line client of the dataplane's API
 * socket: global options, the command table and the exit-code contract
 * (0 success, 1 the dataplane or the transport failed, 2 usage). The
 * commands live in ctl_stats.c, ctl_flow.c, ctl_conf.c and ctl_events.c; the wire
 * client in api_client.c is the same one other processes reuse. calls, rooms
 * and metrics (ctl_control.c) read rtpgw-control's HTTP API instead.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "flow_args.h"

struct command {
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
};

static const struct command commands[] = {
	{"hello", ctl_stats_hello},	  {"addrs", ctl_stats_addrs},
	{"ports", ctl_stats_ports},	  {"workers", ctl_stats_workers},
	{"drops", ctl_stats_drops},	  {"stats", ctl_stats_all},
	{"flows", ctl_flow_list},	  {"flow", ctl_flow_cmd},
	{"events", ctl_events_stream},	  {"conf", ctl_conf_cmd},
	{"calls", ctl_control_calls},	  {"rooms", ctl_control_rooms},
	{"metrics", ctl_control_metrics},
};

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: rtpgwctl [-s SOCK] [--control ADDR:PORT] [--json] [--timeout SEC] COMMAND\n"
		"\n"
		"Options (before COMMAND):\n"
		"  -s, --socket SOCK   API socket (default " RTPGW_API_SOCK_DEFAULT ")\n"
		"      --control ADDR:PORT\n"
		"                      rtpgw-control's HTTP API, IPv4:PORT or [IPv6]:PORT\n"
		"                      (default $" CTL_CONTROL_ENV " or " CTL_CONTROL_DEFAULT ")\n"
		"  -j, --json          one JSON document per line on stdout\n"
		"  -t, --timeout SEC   wait this long for each reply (default %d)\n"
		"  -h, --help          this text\n"
		"\n"
		"Commands:\n"
		"  hello                       dataplane version, workers, flows\n"
		"  addrs                       local media addresses\n"
		"  ports                       port counters, ARP and ICMP\n"
		"  workers                     worker counters and busy%%\n"
		"  drops                       non-zero drop reasons (--json: all)\n"
		"  stats                       ports, workers and drops\n"
		"  flows                       every flow with its statistics\n"
		"  flow get IP:PORT...         one or more flows in detail\n"
		"  flow add SPEC               install a flow\n"
		"  flow mod SPEC               change a flow, keeping its statistics\n"
		"  flow del IP:PORT... [missing-ok]\n"
		"  flow add-batch FILE [exist-ok]\n"
		"                              one SPEC per line, '#' comments, '-' = stdin\n"
		"  events [--count N] [--duration SEC]\n"
		"                              RTCP, flow idle, SSRC change, DTMF and\n"
		"                              active speaker events\n"
		"  conf add ID [ptime MS] [ref-ssrc 0xHEX] [ssrc 0xHEX] [cookie N]\n"
		"  conf set ID [ref-ssrc 0xHEX|no-ref-ssrc] [cookie N]\n"
		"  conf del ID                 every participant leaves, then the conference\n"
		"  conf show ID                the conference and its participants' counters\n"
		"  conf join ID PART           a participant joins (installs its mix flow)\n"
		"  conf set-part ID PART       change it (give it whole, as for join)\n"
		"  conf leave LOCAL_IP:PORT    RTCP BYE to it, then its flow is removed\n"
		"\n"
		"Commands reading rtpgw-control (--control) instead of the dataplane:\n"
		"  calls                       the calls: kind, state, room or route, legs'\n"
		"                              peers, codecs, packets, loss, jitter, rtt, MOS\n"
		"  calls ID                    one call in detail, both legs' quality\n"
		"  rooms                       rooms, their participants and quality\n"
		"  metrics [PREFIX]            the Prometheus text, or only the metrics whose\n"
		"                              name starts with PREFIX (no --json form)\n"
		"  --json prints control's own JSON document (calls, rooms) on one line.\n"
		"\n"
		"SPEC = LOCAL_IP:PORT to PEER_IP:PORT from OUT_IP:OUT_PORT\n"
		"       [src IP:PORT] [mode strict|latch|any] [rtcp none|companion|mux]\n"
		"       [ssrc 0xHEX] [continuous] [ptmap IN:OUT]... [rate HZ] [idle MS]\n"
		"       [cookie N] [drop] [rtcp-events] [exist-ok (add)] [missing-ok (mod)]\n"
		"  defaults: relay, mode strict with src else latch, rtcp none, rate %d;\n"
		"  at most %d ptmap; to/from optional with drop; IPv4 only.\n"
		"\n"
		"PART = LOCAL_IP:PORT to PEER_IP:PORT [src IP:PORT] [mode strict|latch|any]\n"
		"       [rtcp none|companion|mux] [pt 0|8] [mute] [deaf] [gain-in Q12]\n"
		"       [gain-out Q12] [dtmf-pt 96..127] [level-ext 1..14]\n"
		"       [csrc-level-ext 1..14]\n"
		"  the mix is sent from LOCAL_IP:PORT itself; defaults: mode strict with\n"
		"  src else latch, rtcp none, pt 0 (PCMU), gains 4096 (unity); ID 1..2^32-1.\n"
		"\n"
		"Times like LAST_SEEN are t+seconds since the dataplane started.\n"
		"Exit status: 0 ok, 1 dataplane, control or connection error, 2 usage error.\n",
		CTL_TIMEOUT_DEFAULT_MS / 1000, FLOW_ARGS_RATE_DEFAULT, RTPGW_PT_MAP_MAX);
}

/* Global options written after the command are a common slip: say so. */
static int
check_misplaced_option(const struct ctl *ctl, int argc, char **argv)
{
	static const char *const globals[] = {"-s", "--socket",	 "-j",	     "--json",
					      "-t", "--timeout", "--control"};
	size_t k;
	int i;

	for (i = 1; i < argc; i++)
		for (k = 0; k < sizeof(globals) / sizeof(globals[0]); k++)
			if (strcmp(argv[i], globals[k]) == 0)
				return ctl_usage_error(ctl, "option '%s' goes before the command",
						       argv[i]);
	return CTL_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 't'},
		{"control", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl ctl = {
		.sock_path = RTPGW_API_SOCK_DEFAULT,
		.control = CTL_CONTROL_DEFAULT,
		.timeout_ms = CTL_TIMEOUT_DEFAULT_MS,
	};
	const char *env = getenv(CTL_CONTROL_ENV);
	const struct command *cmd = NULL;
	size_t i;
	int ret;
	int c;

	if (env != NULL && env[0] != '\0')
		ctl.control = env;
	opterr = 0;
	/* '+': stop at the command, whose words may look like options;
	 * ':': report a missing value apart from an unknown option. */
	while ((c = getopt_long(argc, argv, "+:s:jt:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			ctl.sock_path = optarg;
			break;
		case 'j':
			ctl.json = true;
			break;
		case 'c':
			ctl.control = optarg;
			break;
		case 't':
			if (ctl_parse_seconds(optarg, &ctl.timeout_ms) < 0)
				return ctl_usage_error(&ctl, "bad --timeout '%s' (seconds > 0)",
						       optarg);
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		case ':':
			return ctl_usage_error(&ctl, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt != 0)
				return ctl_usage_error(&ctl, "unknown option '-%c'", optopt);
			return ctl_usage_error(&ctl, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(&ctl, "missing COMMAND");
	if (strcmp(argv[optind], "help") == 0) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		return ctl_usage_error(&ctl, "unknown command '%s'", argv[optind]);
	ctl.cmd = cmd->name;
	ret = check_misplaced_option(&ctl, argc - optind, argv + optind);
	if (ret != CTL_EXIT_OK)
		return ret;

	json_init(&ctl.js, stdout);
	ctl.reply = malloc(RTPGW_API_MSG_MAX);
	if (ctl.reply == NULL) {
		ctl_error(&ctl, "out of memory");
		return CTL_EXIT_API;
	}
	ret = cmd->fn(&ctl, argc - optind, argv + optind);
	api_client_destroy(ctl.client);
	free(ctl.reply);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("rtpgwctl: stdout");
		if (ret == CTL_EXIT_OK)
			ret = CTL_EXIT_API;
	}
	return ret;
}
