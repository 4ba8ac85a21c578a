/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-control: the process carriers point their SIP network at. Reads
 * the configuration (config.c), then runs one libre re_main loop holding
 * the dataplane client (dp_client/), the SIP UAS (sip/) and the HTTP
 * metrics server (http/) until SIGINT or SIGTERM. Exit status: 0 on a
 * clean stop, 1 when a listener cannot be set up, 2 on bad configuration.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <re.h>

#include "config.h"
#include "dp_client/dp_client.h"
#include "http/http_api.h"
#include "rooms.h"
#include "sip/sip_uas.h"

static void
signal_handler(int sig)
{
	fprintf(stderr, "rtpgw-control: signal %d, stopping\n", sig);
	re_cancel();
}

int
main(int argc, char **argv)
{
	char err[CONFIG_ERR_MAX] = "";
	struct dp_client *dp = NULL;
	struct sip_uas *ua = NULL;
	struct http_api *http = NULL;
	struct rooms *rs = NULL;
	struct config cfg;
	int rc, status = 1;

	config_init(&cfg);
	rc = config_parse_args(&cfg, argc, argv, err);
	if (rc == 1) {
		config_usage(argv[0]);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "rtpgw-control: %s\n", err);
		fprintf(stderr, "(try %s -h)\n", argv[0]);
		return 2;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);

	rc = libre_init();
	if (rc) {
		fprintf(stderr, "rtpgw-control: libre_init: %s\n", strerror(rc));
		return 1;
	}
	rs = rooms_create(cfg.port_lo, cfg.port_hi);
	dp = rs ? dp_client_create(cfg.dp_sock, NULL, NULL) : NULL;
	if (!dp) {
		fprintf(stderr, "rtpgw-control: %s\n", strerror(errno));
		goto out;
	}
	ua = sip_uas_create(&cfg, dp, rs);
	if (!ua) {
		fprintf(stderr, "rtpgw-control: SIP on %s:%u: %s\n", cfg.sip_ip, cfg.sip_port,
			strerror(errno));
		goto out;
	}
	http = http_api_create(&cfg, dp, rs);
	if (!http) {
		fprintf(stderr, "rtpgw-control: HTTP on %s:%u: %s\n", cfg.http_ip, cfg.http_port,
			strerror(errno));
		goto out;
	}
	fprintf(stderr, "rtpgw-control: SIP udp %s:%u, HTTP %s:%u, media %s ports %u-%u\n",
		cfg.sip_ip, cfg.sip_port, cfg.http_ip, cfg.http_port, cfg.media_ip, cfg.port_lo,
		cfg.port_hi);
	rc = re_main(signal_handler);
	status = rc ? 1 : 0;
out:
	http_api_destroy(http);
	sip_uas_destroy(ua);
	dp_client_destroy(dp);
	rooms_destroy(rs);
	libre_close();
	return status;
}
