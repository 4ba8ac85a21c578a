/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK ports: one RX queue per worker (spread by RSS when there is more
 * than one), one TX queue per worker plus one for the agent. A driver
 * that needs as many RX as TX queues gets one more RX queue, which worker
 * 0 polls. Works with
 * any ethdev: the demo and tests use net_tap, net_pcap, net_ring and
 * net_null; real NICs work the same way. Agent only.
 */
#ifndef RTPGW_PORT_H
#define RTPGW_PORT_H

#include <stdint.h>

#include "dp.h"

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

/* Configure port_id for dp->n_workers workers and record it in dp.
 * Returns 0 or a negative errno, with a message on stderr. */
int port_configure(struct dataplane *dp, uint16_t port_id);
int port_start(struct dataplane *dp, uint16_t port_id);
void port_stop(struct dataplane *dp, uint16_t port_id);

#endif /* RTPGW_PORT_H */
