/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creating and destroying workers (agent side, before launch and after
 * stop): rings, TX buffers, queue assignment. See worker/worker.h.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "worker/worker.h"

/* Agent side: allocation is allowed here. */
struct worker *
worker_create(struct dataplane *dp, uint16_t id, unsigned int lcore_id, uint32_t max_confs)
{
	int socket = (int)rte_lcore_to_socket_id(lcore_id);
	char name[RTE_RING_NAMESIZE];
	struct worker *w;

	w = rte_zmalloc_socket("worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	w->dp = dp;
	w->flows = dp->flows;
	w->id = id;
	w->lcore_id = lcore_id;
	w->cycles_per_us = (rte_get_tsc_hz() + 999999) / 1000000;
	w->drain_tsc = (rte_get_tsc_hz() + 1000000 - 1) / 1000000 * WORKER_TX_DRAIN_US;
	snprintf(name, sizeof(name), "slow%u", id);
	w->slow_ring = rte_ring_create(name, WORKER_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "event%u", id);
	w->event_ring = rte_ring_create_elem(name, sizeof(struct worker_event),
					     WORKER_EVENT_RING_SIZE, socket,
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->slow_ring == NULL || w->event_ring == NULL)
		goto fail;
	/* The mixer's: commands from the agent, packets from other workers
	 * for the conferences this one owns. */
	snprintf(name, sizeof(name), "ctl%u", id);
	w->ctl_ring = rte_ring_create_elem(name, WORKER_CTL_ELEM_SIZE, WORKER_CTL_RING_SIZE, socket,
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "handoff%u", id);
	w->handoff_ring = rte_ring_create(name, WORKER_RING_SIZE, socket, RING_F_SC_DEQ);
	/* Room for every conference, and as many entries of stopped ones
	 * waiting to surface (compacted when full). */
	w->ticks_cap = 2 * max_confs + 1;
	w->ticks = rte_zmalloc_socket("ticks", sizeof(*w->ticks) * w->ticks_cap, 0, socket);
	if (w->ctl_ring == NULL || w->handoff_ring == NULL || w->ticks == NULL)
		goto fail;
	for (uint16_t i = 0; i < dp->n_ports; i++) {
		uint16_t pid = dp->port_ids[i];

		w->rxq[w->n_rxq].port_id = pid;
		w->rxq[w->n_rxq].queue_id = id;
		w->n_rxq++;
		/* A driver that wants as many RX as TX queues (net_tap) has
		 * one more RX queue than workers, and its kernel side, not
		 * RSS, picks the queue: worker 0 polls the extra one. */
		for (uint16_t q = dp->n_workers; id == 0 && q < dp->ports[pid].n_rxq; q++) {
			if (w->n_rxq == RTE_DIM(w->rxq))
				goto fail;
			w->rxq[w->n_rxq].port_id = pid;
			w->rxq[w->n_rxq].queue_id = q;
			w->n_rxq++;
		}
		w->txb[pid] = rte_zmalloc_socket("txb", RTE_ETH_TX_BUFFER_SIZE(DP_BURST), 0, socket);
		if (w->txb[pid] == NULL)
			goto fail;
		rte_eth_tx_buffer_init(w->txb[pid], DP_BURST);
		rte_eth_tx_buffer_set_err_callback(w->txb[pid], worker_tx_error_cb, w);
	}
	return w;
fail:
	worker_destroy(w);
	errno = ENOMEM;
	return NULL;
}

/* Agent side, after the worker has stopped. */
void
worker_destroy(struct worker *w)
{
	struct rte_mbuf *m;

	if (w == NULL)
		return;
	if (w->slow_ring != NULL) {
		while (rte_ring_dequeue(w->slow_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->slow_ring);
	}
	rte_ring_free(w->event_ring);
	rte_ring_free(w->ctl_ring);
	if (w->handoff_ring != NULL) {
		while (rte_ring_dequeue(w->handoff_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->handoff_ring);
	}
	rte_free(w->ticks);
	for (unsigned int i = 0; i < DP_PORT_MAX; i++)
		rte_free(w->txb[i]);
	rte_free(w);
}

