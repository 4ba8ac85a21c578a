/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quality: per-leg call quality for rtpgw-control. A leg is one endpoint
 * as the gateway sees it: the RTP it sends us (the dataplane's flow
 * statistics, RFC 3550 A.1, A.3, A.8) and the RTCP it sends (its SR about
 * its own stream, its report blocks about the stream it receives from us,
 * RFC 3550 6.4). The accumulator turns these into loss both ways, jitter
 * both ways, the round trip between gateway and endpoint, and an E-model
 * MOS (emodel.h). Plain libc; no allocation, no clock reads: every time
 * comes from the dataplane (ns since its start) or the caller.
 */
#ifndef QUALITY_H
#define QUALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtpgw_api.h"
#include "rtcp_report.h"

/* SRs remembered per leg for the round trip (quality_sr_passed()). */
#define QUALITY_SR_RING 8
/* A round trip above this (or below 0) is an error, not a measurement. */
#define QUALITY_RTT_MAX_MS 10000.0
/* Clock rate assumed when none is known (RTPGW flows store 0 as 8000). */
#define QUALITY_CLOCK_DEFAULT 8000
/* Packetization counted in the one-way delay behind the MOS (ms). */
#define QUALITY_PTIME_MS 20.0

struct quality_sr_pass {
	uint32_t lsr;  /* middle 32 bits of the SR's NTP timestamp */
	uint64_t t_ns; /* when it passed the gateway, dataplane time */
};

/* Zeroed (memset or = {0}) is an empty accumulator. */
struct leg_quality_acc {
	/* RTP received from the endpoint: the latest flow statistics */
	bool have_flow;
	uint32_t clock_rate;	  /* of the flow, 0 = QUALITY_CLOCK_DEFAULT */
	uint32_t ssrc;
	uint64_t packets;
	uint64_t octets;
	int32_t lost;		  /* A.3 cumulative */
	uint32_t expected;	  /* A.3 */
	uint32_t jitter;	  /* A.8, timestamp units */
	uint64_t last_rtp_ns;
	uint64_t updated_ns;	  /* now_ns of the latest snapshot */
	uint64_t interval_ns;	  /* between the last two snapshots */
	double interval_loss_pct; /* between the last two snapshots */
	/* RTCP the endpoint sent */
	uint32_t rtcp_reports;	  /* compounds with an SR or an RR */
	uint32_t sr_count;	  /* of which with an SR */
	struct rtcp_sender_info last_sr;
	bool media_ssrc_set;	  /* only blocks about media_ssrc count */
	uint32_t media_ssrc;
	unsigned int rb_count;	  /* blocks used since the baseline */
	struct rtcp_report_block rb_first; /* baseline for the remote loss */
	struct rtcp_report_block rb_last;
	/* conference legs: the mixer's jitter buffer for this participant */
	bool have_part;
	uint64_t frames_played;
	uint64_t frames_concealed;
	uint64_t mix_packets_sent;
	/* round trip */
	bool have_rtt;
	double rtt_ms;
	uint32_t rtt_samples;
	uint32_t rtt_rejected;	  /* negative, absurd, or LSR not in the ring */
	struct quality_sr_pass sr_ring[QUALITY_SR_RING];
	unsigned int sr_next;	  /* next ring slot to write */
	unsigned int sr_used;	  /* slots holding an SR, <= QUALITY_SR_RING */
};

struct leg_quality {
	uint64_t packets;	  /* RTP from the endpoint, relayed */
	uint64_t octets;	  /* their payload octets */
	int64_t lost;		  /* A.3 cumulative (negative with duplicates) */
	double loss_pct;	  /* lost / expected, 0..100 */
	double interval_loss_pct; /* same, between the last two snapshots */
	double remote_loss_pct;	  /* what the endpoint reports losing, see below */
	double remote_fraction_pct; /* latest block's fraction lost, 0..100 */
	int64_t remote_lost;	  /* latest block's cumulative lost */
	double conceal_pct;	  /* conference: frames concealed, see quality_part_stats() */
	uint64_t mix_packets_sent; /* conference: mix packets sent to the endpoint */
	double jitter_ms;	  /* what we receive */
	double remote_jitter_ms;  /* what the endpoint receives */
	double rtt_ms;		  /* gateway <-> endpoint, -1 when unknown */
	double r;		  /* E-model rating, 0..93.2, -1 when mos is */
	double mos;		  /* -1 when nothing was measured yet */
	uint32_t rtcp_reports;
	uint64_t last_rtp_ns;	  /* dataplane time, 0 = never */
};

/*
 * Take the dataplane's latest statistics of the flow receiving this
 * endpoint's RTP. Cumulative loss is A.3's lost over expected; interval
 * loss is the difference from the previous snapshot, restarted (previous
 * counts taken as 0) when the SSRC changed or expected went back, which is
 * the dataplane re-initialising its A.1 state. Jitter in ms is A.8's jitter
 * over clock_rate (0: QUALITY_CLOCK_DEFAULT); that clock also converts the
 * jitter the endpoint reports. Negative loss (duplicates) counts as 0 %.
 */
void quality_flow_stats(struct leg_quality_acc *a, const struct rtpgw_api_flow_stats *st,
			uint32_t clock_rate, uint64_t now_ns);

/*
 * Conference legs: the mixer's view of this participant (CONF_GET). Its
 * jitter buffer conceals the frames of packets lost or arriving too late;
 * conceal_pct = concealed / (played + concealed) is the loss the listeners
 * of this endpoint hear, late packets included, so the MOS takes the worse
 * of it and the network loss. Silent frames (before the first packet, or
 * once concealment gave up: a pause, DTX) are not counted. A restart of the
 * counts (fewer frames than before) just replaces them.
 */
void quality_part_stats(struct leg_quality_acc *a, const struct rtpgw_api_part_stats *ps);

/*
 * Count only the endpoint's report blocks about this SSRC (the one the
 * endpoint receives from us). Without it, the block about the source seen
 * before is used, or else the first block of the report.
 */
void quality_set_media_ssrc(struct leg_quality_acc *a, uint32_t ssrc);

/*
 * An SR travelling toward this endpoint passed the gateway at dataplane time
 * t_ns (relayed calls: the SR the other endpoint sent). Remembered in a
 * ring of QUALITY_SR_RING, oldest overwritten, so that the endpoint's LSR
 * finds it. A key already in the ring keeps its first passage (the copy
 * the endpoint got first); a key of 0 is ignored (LSR 0 means none).
 */
void quality_sr_passed(struct leg_quality_acc *a, uint32_t ntp_mid32, uint64_t t_ns);

/*
 * RTCP this endpoint sent, arriving at dataplane time t_ns, parsed by
 * rtcp_report_parse(). Its SR is recorded; its report block about the
 * stream we send it gives the remote loss and jitter and, when LSR is not
 * 0, the round trip (RFC 3550 6.4.1):
 * - sr_from_wallclock false (relayed): RTT = (t_ns - when the SR whose NTP
 *   middle bits equal LSR passed the gateway) - DLSR, from the ring; it
 *   needs no clock synchronisation. An LSR not in the ring gives nothing;
 * - sr_from_wallclock true (conference: the mixer's SRs carry this host's
 *   wall clock): RTT = wall_ntp_mid32 - LSR - DLSR in NTP short format,
 *   wall_ntp_mid32 being the wall clock at arrival.
 * A round trip below 0 or above QUALITY_RTT_MAX_MS is rejected (counted)
 * and the previous one kept.
 *
 * Remote loss: once two blocks about the same source are known, it is the
 * cumulative loss over the span they cover, 100 (lost - lost0) /
 * (ext_seq - ext_seq0), baseline the first block (RFC 3550 6.4.1 does not
 * carry the receiver's base sequence number, so its very first interval
 * cannot be counted); with one block, or when the span is empty, the
 * latest fraction lost (fraction / 256). A source change or a sequence
 * number going back restarts the baseline.
 */
void quality_rtcp_from_endpoint(struct leg_quality_acc *a, const struct rtcp_report *r,
				uint64_t t_ns, uint32_t wall_ntp_mid32, bool sr_from_wallclock);

/*
 * The leg's figures. MOS: emodel_r() for G.711 with PLC, loss the worst of
 * loss_pct, conceal_pct and remote_loss_pct, one-way delay rtt/2 (0 when unknown) plus
 * a jitter buffer allowance of twice the worse jitter plus
 * QUALITY_PTIME_MS of packetization. mos and r are -1 until flow statistics,
 * participant statistics or a report block arrived.
 */
void quality_get(const struct leg_quality_acc *a, struct leg_quality *q);

/*
 * One JSON object, numbers with two decimals, null for an unknown rtt or
 * mos (and for any value that is not finite):
 * {"packets":N,"lost":N,"loss_pct":F,"remote_loss_pct":F,"jitter_ms":F,
 *  "remote_jitter_ms":F,"rtt_ms":F,"mos":F,"rtcp_reports":N}
 * Returns the characters written (NUL excluded) or -ENOSPC (buf then
 * holds an empty string when len > 0).
 */
int quality_json(const struct leg_quality *q, char *buf, size_t len);

/*
 * A call's figure from its legs: the worst MOS and r (of the legs that
 * have one, else -1), packets, octets, lost, remote_lost, mix_packets_sent
 * and rtcp_reports summed, the largest loss (each kind), jitter and rtt (of the known ones, else -1), the latest
 * last_rtp_ns. n = 0 gives an empty figure.
 */
void quality_combine(struct leg_quality *out, const struct leg_quality *legs, unsigned int n);

#endif /* QUALITY_H */
