/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's life cycle (see dp.h), shared by main.c, the component
 * tests and the benchmarks so that all three run the same code.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dp.h"
#include "flow/flow_table.h"
#include "codec/g711.h"
#include "flow/nexthop.h"
#include "mixer/conf.h"
#include "mixer/mix.h"
#include "port/port.h"
#include "worker/worker.h"

#define MBUF_CACHE 256

int
dp_init(struct dataplane *dp, const struct dp_config *cfg)
{
	unsigned int lcore, n_lcores = rte_lcore_count() - 1;
	uint16_t n_ports = rte_eth_dev_count_avail();
	size_t sz;
	int rc;

	memset(dp, 0, sizeof(*dp));
	dp_mem_use_eal(true);
	dp->tsc_hz = rte_get_tsc_hz();
	dp->start_tsc = rte_rdtsc();
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		dp->unix_ns_at_start = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}
	g711_init();
	mix_init();
	dp->n_workers = cfg->n_workers ? cfg->n_workers : (uint16_t)n_lcores;
	dp->max_flows = cfg->max_flows;
	dp->udp_cksum_verify = cfg->udp_cksum_verify;
	if (dp->n_workers == 0 || dp->n_workers > n_lcores || dp->n_workers > DP_WORKER_MAX) {
		fprintf(stderr,
			"need 1 to %u workers, one per EAL worker lcore (have %u worker lcores; "
			"give EAL e.g. -l 0-1)\n",
			DP_WORKER_MAX, n_lcores);
		return -EINVAL;
	}
	if (n_ports == 0 || n_ports > DP_PORT_MAX) {
		fprintf(stderr, "need 1 to %u ports, EAL probed %u (use --vdev or -a)\n",
			DP_PORT_MAX, n_ports);
		return -ENODEV;
	}
	if (cfg->n_addrs == 0) {
		fprintf(stderr, "no media address (--addr PORT:IP/PREFIX)\n");
		return -EINVAL;
	}
	for (uint16_t i = 0; i < cfg->n_addrs; i++) {
		if (!rte_eth_dev_is_valid_port(cfg->addrs[i].port_id)) {
			fprintf(stderr, "address %u: port %u does not exist\n", i,
				cfg->addrs[i].port_id);
			return -ENODEV;
		}
		for (uint16_t j = 0; j < i; j++)
			if (cfg->addrs[j].ip == cfg->addrs[i].ip) {
				fprintf(stderr, "address %u is given twice\n", i);
				return -EINVAL;
			}
	}
	memcpy(dp->addrs, cfg->addrs, sizeof(dp->addrs));
	dp->n_addrs = cfg->n_addrs;

	dp->pool = rte_pktmbuf_pool_create("mbufs", cfg->n_mbufs, MBUF_CACHE, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->pool == NULL) {
		fprintf(stderr, "mbuf pool of %u: %s\n", cfg->n_mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	uint16_t pid;

	RTE_ETH_FOREACH_DEV(pid) {
		rc = port_configure(dp, pid);
		if (rc < 0)
			return rc;
	}
	sz = rte_rcu_qsbr_get_memsize(dp->n_workers);
	dp->rcu = rte_zmalloc("rcu", sz, RTE_CACHE_LINE_SIZE);
	if (dp->rcu == NULL || rte_rcu_qsbr_init(dp->rcu, dp->n_workers) < 0)
		return -ENOMEM;
	dp->flows = flow_table_create(dp->n_addrs, dp->max_flows, dp->rcu);
	dp->nexthops = nexthop_table_create();
	if (dp->flows == NULL || dp->nexthops == NULL) {
		fprintf(stderr, "tables for %u flows: out of memory\n", dp->max_flows);
		return -ENOMEM;
	}
	rc = conf_pools_create(dp, cfg->max_confs, cfg->max_parts);
	if (rc < 0) {
		fprintf(stderr, "conference pools (%u conferences, %u participants): out of memory\n",
			cfg->max_confs, cfg->max_parts);
		return rc;
	}
	uint16_t wid = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (wid == dp->n_workers)
			break;
		dp->workers[wid] = worker_create(dp, wid, lcore, cfg->max_confs);
		if (dp->workers[wid] == NULL)
			return -ENOMEM;
		wid++;
	}
	return 0;
}

int
dp_start(struct dataplane *dp)
{
	int rc;

	for (uint16_t i = 0; i < dp->n_ports; i++) {
		rc = port_start(dp, dp->port_ids[i]);
		if (rc < 0)
			return rc;
	}
	for (uint16_t i = 0; i < dp->n_workers; i++) {
		rc = rte_eal_remote_launch(worker_main, dp->workers[i], dp->workers[i]->lcore_id);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
dp_stop(struct dataplane *dp)
{
	dp->quit = true;
	rte_eal_mp_wait_lcore();
}

void
dp_fini(struct dataplane *dp)
{
	for (uint16_t i = 0; i < dp->n_ports; i++)
		port_stop(dp, dp->port_ids[i]);
	for (uint16_t i = 0; i < dp->n_workers; i++)
		worker_destroy(dp->workers[i]);
	flow_table_destroy(dp->flows);
	nexthop_table_destroy(dp->nexthops);
	conf_pools_destroy(dp);
	rte_free(dp->rcu);
	rte_mempool_free(dp->pool);
	memset(dp, 0, sizeof(*dp));
}
