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
