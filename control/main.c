/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtpgw-control: the process carriers point their SIP network at. Reads
 * the configuration (config.c), then runs one libre re_main loop holding
 * the dataplane client (dp_client/), the SIP UAS (sip/), the ng protocol
 * listener (ng/) and the HTTP metrics server (http/) until SIGINT or SIGTERM. Exit status: 0 on a
 * clean stop, 1 when a listener cannot be set up, 2 on bad configuration.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <re.h>

#include "calls/call_json.h"
#include "calls/call_store.h"
#include "calls/calls.h"
#include "config.h"
#include "dp_client/dp_client.h"
#include "http/http_api.h"
#include "media/ports.h"
#include "ng/ng.h"
#include "rooms.h"
#include "routing/routes.h"
#include "sip/sip_server.h"

/*
 * One JSON line per ended call (calls/call_json.h), appended and flushed
 * at once so a crash loses nothing written; a log that cannot be written
 * is reported once and counted.
 */
/* Create the directory holding path when it is missing (one level, as
 * for the default /run/rtpgw and /var/log/rtpgw). */
static void
mkdir_parent(const char *path)
{
	char dir[CONFIG_PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		fprintf(stderr, "rtpgw-control: mkdir %s: %s\n", dir, strerror(errno));
}

struct hooks {
	const struct config *cfg;
	struct call_store *store;
};

static void
quality_record(const struct config *cfg, const struct call *c)
{
	static bool warned;
	struct mbuf *mb;
	FILE *f;

	if (!cfg->quality_log[0])
		return;
	mb = mbuf_alloc(2048);
	if (!mb)
		return;
	if (mbuf_printf(mb, "%H\n", call_json, c) == 0) {
		f = fopen(cfg->quality_log, "a");
		if (f) {
			(void)fwrite(mb->buf, 1, mb->end, f);
			fclose(f);
		} else if (!warned) {
			fprintf(stderr, "rtpgw-control: quality log %s: %s\n", cfg->quality_log,
				strerror(errno));
			warned = true;
		}
	}
	mem_deref(mb);
}

static void
call_ended(const struct call *c, void *arg)
{
	struct hooks *h = arg;

	quality_record(h->cfg, c);
	call_store_del(h->store, c);
}

static void
call_changed(const struct call *c, void *arg)
{
	struct hooks *h = arg;

	call_store_put(h->store, c);
}

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
	struct sip_server *srv = NULL;
	struct http_api *http = NULL;
	struct ng *ng = NULL;
	struct routes *routes = NULL;
	struct calls *calls = NULL;
	struct ports *ports = NULL;
	struct rooms *rs = NULL;
	struct hooks hooks = {0};
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
	routes = routes_create(cfg.routes, cfg.n_routes, err);
	if (!routes) {
		fprintf(stderr, "rtpgw-control: %s\n", err);
		status = 2;
		goto out;
	}
	rs = rooms_create();
	calls = rs ? calls_create(4096) : NULL;
	ports = calls ? ports_create(cfg.port_lo, cfg.port_hi, cfg.port_quarantine_s * 1000) : NULL;
	dp = ports ? dp_client_create(cfg.dp_sock, NULL, NULL) : NULL;
	if (!dp) {
		fprintf(stderr, "rtpgw-control: %s\n", strerror(errno));
		goto out;
	}
	srv = sip_server_create(&cfg, dp, calls, rs, ports, routes);
	if (!srv) {
		fprintf(stderr, "rtpgw-control: SIP on %s:%u: %s\n", cfg.sip_ip, cfg.sip_port,
			strerror(errno));
		goto out;
	}
	hooks.cfg = &cfg;
	if (cfg.quality_log[0])
		mkdir_parent(cfg.quality_log);
	if (cfg.state_file[0]) {
		unsigned int bad = 0, dropped = 0;
		int n;

		mkdir_parent(cfg.state_file);
		hooks.store = call_store_open(cfg.state_file, calls);
		if (!hooks.store) {
			fprintf(stderr, "rtpgw-control: state file %s: %s\n", cfg.state_file,
				strerror(errno));
			goto out;
		}
		n = call_store_load(hooks.store, &bad);
		if (n < 0) {
			fprintf(stderr, "rtpgw-control: state file %s: %s\n", cfg.state_file,
				strerror(-n));
			goto out;
		}
		n = sip_server_recover(srv, &dropped);
		if (n || bad || dropped)
			fprintf(stderr,
				"rtpgw-control: recovered %d calls from %s (%u bad lines, %u "
				"dropped)\n",
				n, cfg.state_file, bad, dropped);
	}
	sip_server_set_hooks(srv, call_ended, call_changed, &hooks);
	if (cfg.ng) {
		ng = ng_create(&cfg, dp, calls, ports);
		if (!ng) {
			fprintf(stderr, "rtpgw-control: ng on %s:%u: %s\n", cfg.ng_ip, cfg.ng_port,
				strerror(errno));
			goto out;
		}
		ng_set_hooks(ng, call_ended, call_changed, &hooks);
		fprintf(stderr, "rtpgw-control: ng udp %s:%u%s\n", cfg.ng_ip, cfg.ng_port,
			cfg.ng_max_sessions ? " (session limit)" : "");
	}
	http = http_api_create(&cfg, dp, calls, rs, ports, srv);
	if (!http) {
		fprintf(stderr, "rtpgw-control: HTTP on %s:%u: %s\n", cfg.http_ip, cfg.http_port,
			strerror(errno));
		goto out;
	}
	fprintf(stderr,
		"rtpgw-control: SIP udp %s:%u%s%s:%u, HTTP %s:%u, media %s ports %u-%u, "
		"%u routes\n",
		cfg.sip_ip, cfg.sip_port, cfg.sip_tcp ? " tcp " : "", cfg.sip_tcp ? cfg.sip_tcp_ip : "",
		cfg.sip_tcp ? cfg.sip_tcp_port : 0, cfg.http_ip, cfg.http_port, cfg.media_ip,
		cfg.port_lo, cfg.port_hi, routes_count(routes));
	rc = re_main(signal_handler);
	status = rc ? 1 : 0;
out:
	http_api_destroy(http);
	ng_destroy(ng);
	sip_server_destroy(srv);
	dp_client_destroy(dp);
	ports_destroy(ports);
	calls_destroy(calls);
	rooms_destroy(rs);
	routes_destroy(routes);
	call_store_close(hooks.store);
	libre_close();
	return status;
}
