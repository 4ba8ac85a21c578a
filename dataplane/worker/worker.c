/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker poll loop (see worker.h). Set-up and tear-down, which
 * allocate, are the agent's: agent/worker_setup.c.
 */
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "mixer/mixer.h"
#include "worker/worker.h"

void
worker_tx_error_cb(struct rte_mbuf **unsent, uint16_t count, void *userdata)
{
	struct worker *w = userdata;

	w->stats.drops[RTPGW_DROP_TX_FULL] += count;
	w->stats.tx -= count;
	rte_pktmbuf_free_bulk(unsent, count);
}

void
worker_flush(struct worker *w)
{
	for (uint16_t i = 0; i < w->dp->n_ports; i++) {
		uint16_t pid = w->dp->port_ids[i];

		if (w->txb[pid]->length)
			rte_eth_tx_buffer_flush(pid, w->id, w->txb[pid]);
	}
}

int
worker_main(void *arg)
{
	struct worker *w = arg;
	struct dataplane *dp = w->dp;
	struct rte_mbuf *pkts[DP_BURST];
	uint64_t tx_deadline = 0;

	RTE_ASSERT(rte_lcore_id() != rte_get_main_lcore());
	rte_rcu_qsbr_thread_register(dp->rcu, w->id);
	rte_rcu_qsbr_thread_online(dp->rcu, w->id);

	while (!dp->quit) {
		uint64_t start = rte_rdtsc();
		uint64_t end;
		uint32_t got = 0;

		w->now = start;
		for (uint16_t i = 0; i < w->n_rxq; i++) {
			uint16_t n = rte_eth_rx_burst(w->rxq[i].port_id, w->rxq[i].queue_id, pkts,
						      DP_BURST);
			if (n == 0)
				continue;
			w->stats.rx += n;
			got += n;
			relay_burst(w, w->rxq[i].port_id, pkts, n);
		}
		if (mixer_poll(w))
			got++;
		if (start >= tx_deadline) {
			worker_flush(w);
			tx_deadline = start + w->drain_tsc;
		}
		/* No flow pointer is held past this point. */
		rte_rcu_qsbr_quiescent(dp->rcu, w->id);
		end = rte_rdtsc();
		/* Busy: the iteration received packets or mixed a tick. */
		if (got)
			w->stats.busy_cycles += end - start;
		w->stats.total_cycles += end - start;
		w->stats.polls++;
	}
	worker_flush(w);
	rte_rcu_qsbr_thread_offline(dp->rcu, w->id);
	rte_rcu_qsbr_thread_unregister(dp->rcu, w->id);
	return 0;
}
