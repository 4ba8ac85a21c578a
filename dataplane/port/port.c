/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up (see port.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "port/port.h"

/* Steer RSS to queues 0..n_workers-1 only. */
static int
reta_workers_only(uint16_t port_id, const struct rte_eth_dev_info *info, uint16_t n_workers)
{
	struct rte_eth_rss_reta_entry64 reta[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
	uint16_t size = info->reta_size;

	if (size == 0 || size > RTE_ETH_RSS_RETA_SIZE_512)
		return 0;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |= 1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] = i % n_workers;
	}
	/* Failure is not fatal: worker 0 polls the extra queue anyway. */
	rte_eth_dev_rss_reta_update(port_id, reta, size);
	return 0;
}

int
port_configure(struct dataplane *dp, uint16_t port_id)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct dp_port *p;
	uint16_t nrx = dp->n_workers, ntx = dp->n_workers + 1;
	uint16_t rxd = PORT_RX_DESC, txd = PORT_TX_DESC;
	int socket, rc;

	if (!rte_eth_dev_is_valid_port(port_id) || port_id >= DP_PORT_MAX) {
		fprintf(stderr, "port %u: no such port (probed: %u)\n", port_id,
			rte_eth_dev_count_avail());
		return -ENODEV;
	}
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc < 0)
		return rc;
	if (info.max_rx_queues < nrx || info.max_tx_queues < ntx) {
		fprintf(stderr,
			"port %u (%s): needs %u RX and %u TX queues (one per worker, one more TX "
			"for the agent), driver offers %u and %u\n",
			port_id, info.driver_name, nrx, ntx, info.max_rx_queues, info.max_tx_queues);
		return -ENOTSUP;
	}
	memset(&conf, 0, sizeof(conf));
	if (nrx > 1) {
		uint64_t hf = (RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP) &
			      info.flow_type_rss_offloads;

		if (hf == 0) {
			fprintf(stderr,
				"port %u (%s): no RSS for IPv4/UDP; only worker 0 will receive\n",
				port_id, info.driver_name);
		} else {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = hf;
		}
	}
	rc = rte_eth_dev_configure(port_id, nrx, ntx, &conf);
	if (rc < 0 && nrx < ntx && info.max_rx_queues >= ntx) {
		/* Some drivers (net_tap) want as many RX as TX queues. The
		 * extra RX queue is polled by worker 0 (worker_setup.c): the
		 * tap's kernel side picks queues by its own hash, so media
		 * lands there too. RSS, when the driver does it, is steered
		 * to the workers' own queues. */
		nrx = ntx;
		rc = rte_eth_dev_configure(port_id, nrx, ntx, &conf);
		if (rc == 0 && conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS)
			rc = reta_workers_only(port_id, &info, dp->n_workers);
	}
	if (rc < 0) {
		fprintf(stderr, "port %u: configure: %s\n", port_id, rte_strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rxd, &txd);
	if (rc < 0)
		return rc;
	socket = rte_eth_dev_socket_id(port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (uint16_t q = 0; q < nrx; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, rxd, (unsigned int)socket, NULL, dp->pool);
		if (rc < 0) {
			fprintf(stderr, "port %u: rx queue %u: %s\n", port_id, q, rte_strerror(-rc));
			return rc;
		}
	}
	for (uint16_t q = 0; q < ntx; q++) {
		rc = rte_eth_tx_queue_setup(port_id, q, txd, (unsigned int)socket, NULL);
		if (rc < 0) {
			fprintf(stderr, "port %u: tx queue %u: %s\n", port_id, q, rte_strerror(-rc));
			return rc;
		}
	}
	p = &dp->ports[port_id];
	p->port_id = port_id;
	p->n_rxq = nrx;
	p->n_txq = ntx;
	p->agent_txq = dp->n_workers;
	rc = rte_eth_macaddr_get(port_id, &p->mac);
	if (rc < 0)
		return rc;
	dp->port_ids[dp->n_ports++] = port_id;
	return 0;
}

int
port_start(struct dataplane *dp, uint16_t port_id)
{
	int rc = rte_eth_dev_start(port_id);

	if (rc < 0) {
		fprintf(stderr, "port %u: start: %s\n", port_id, rte_strerror(-rc));
		return rc;
	}
	dp->ports[port_id].started = true;
	return 0;
}

void
port_stop(struct dataplane *dp, uint16_t port_id)
{
	if (dp->ports[port_id].started) {
		rte_eth_dev_stop(port_id);
		dp->ports[port_id].started = false;
	}
	rte_eth_dev_close(port_id);
}
