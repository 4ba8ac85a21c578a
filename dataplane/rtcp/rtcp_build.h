/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the conference mixer sends and reads in RTCP (RFC 3550 6.4, 6.5,
 * 6.6, 7.3): report blocks computed from a source's struct rtp_stats
 * (A.3), SR, RR, SDES CNAME and BYE packets written into a caller's
 * buffer, NTP time conversions for the sender info, LSR and DLSR, and the
 * readers for what the mixer needs from received compounds (the first
 * SR's sender info, a report block about one of its streams). Plain
 * functions over byte buffers, no DPDK types, no allocation: the owning
 * worker calls them. rtcp.h validates and translates relayed RTCP; every
 * compound built here passes its rtcp_validate.
 *
 * A compound packet (6.1) is built by concatenation: an SR or RR first,
 * then SDES with the CNAME, then BYE last if the source leaves; each
 * builder writes one packet of a length that is a multiple of 4, never
 * sets the padding bit, and returns its length, so the caller passes
 * buf + n, cap - n to the next one:
 *
 *	n = rtcp_build_sr(buf, cap, ssrc, ntp, ts, pkts, octets, rb, n_rb);
 *	k = rtcp_build_sdes_cname(buf + n, cap - n, ssrc, cname);
 *	(then BYE the same way, and send n + k + ...)
 */
#ifndef RTPGW_RTCP_BUILD_H
#define RTPGW_RTCP_BUILD_H

#include <stdint.h>

struct rtp_stats;

#define RTCP_RB_MAX		31 /* 5-bit report count (6.4.1) */
#define RTCP_BYE_MAX		31 /* 5-bit source count (6.6) */
#define RTCP_BUILD_SR_LEN(n_rb) (28u + 24u * (uint32_t)(n_rb))
#define RTCP_BUILD_RR_LEN(n_rb) (8u + 24u * (uint32_t)(n_rb))
#define RTCP_NTP_UNIX_OFFSET	2208988800u /* 1900-01-01 to 1970-01-01, s */

/* One reception report block (6.4.1), host order. */
struct rtcp_report_block {
	uint32_t ssrc;		 /* SSRC of the source reported on */
	uint8_t fraction_lost;	 /* lost / expected since the last report, * 256 */
	int32_t cumulative_lost; /* 24-bit signed: -0x800000..0x7fffff */
	uint32_t ext_max_seq;	 /* cycles << 16 | highest sequence number */
	uint32_t jitter;	 /* interarrival jitter, timestamp units */
	uint32_t lsr;		 /* middle 32 bits of the last SR's NTP time, 0: none */
	uint32_t dlsr;		 /* delay since that SR, 1/65536 s, 0: none */
};

/*
 * A.3 interval state of one report stream: expected and received counts
 * at the last report. Kept by whoever sends the reports (one per source
 * reported on), not in struct rtp_stats, which the packet path writes and
 * the agent reads. Zero before the first report.
 */
struct rtcp_interval {
	uint32_t expected_prior;
	uint32_t received_prior;
};

/*
 * Fill *rb for source ssrc from its reception statistics (A.3): fraction
 * lost over the interval since the previous call with the same *iv
 * (0 when nothing was expected or more arrived than expected, e.g. late
 * packets of an earlier interval; 255 when all of it was lost), the
 * cumulative lost clamped to 24 bits, the extended highest sequence
 * number, the jitter in timestamp units (A.8), and lsr/dlsr as given.
 * Advances *iv. A count that went backwards (the
 * statistics restarted after a sequence jump, A.1) starts the interval
 * from zero.
 */
void rtcp_report_from_stats(struct rtcp_report_block *rb, uint32_t ssrc, const struct rtp_stats *s,
			    struct rtcp_interval *iv, uint32_t lsr, uint32_t dlsr);

/*
 * 6.4.1 sender report: ssrc of the sender, NTP and RTP timestamps of the
 * same instant, packets and octets (payload only) sent, n_rb report blocks
 * (rb may be NULL when n_rb is 0). Returns the length written
 * (RTCP_BUILD_SR_LEN(n_rb)), -EINVAL when n_rb > 31 (6.1: more go in
 * further RR packets) or -ENOSPC when cap is smaller; nothing is written
 * on error.
 */
int rtcp_build_sr(uint8_t *buf, uint32_t cap, uint32_t ssrc, uint64_t ntp, uint32_t rtp_ts,
		  uint32_t packets, uint32_t octets, const struct rtcp_report_block *rb,
		  unsigned int n_rb);

/*
 * 6.4.2 receiver report: as rtcp_build_sr without sender info. An RR with
 * no blocks is the header a compound needs when there is nothing to
 * report (6.1). Returns RTCP_BUILD_RR_LEN(n_rb), -EINVAL or -ENOSPC.
 */
int rtcp_build_rr(uint8_t *buf, uint32_t cap, uint32_t ssrc, const struct rtcp_report_block *rb,
		  unsigned int n_rb);

/*
 * 6.5 SDES with one chunk: ssrc, a CNAME item (6.5.1) with the
 * NUL-terminated cname (1..255 octets, not terminated on the wire), then
 * the null item and null octets to the next 32-bit boundary. Returns the
 * length (a multiple of 4), -EINVAL for an empty or longer cname, or
 * -ENOSPC.
 */
int rtcp_build_sdes_cname(uint8_t *buf, uint32_t cap, uint32_t ssrc, const char *cname);

/*
 * 6.6 BYE for n sources (0..31), with an optional reason (NULL or a
 * NUL-terminated string of up to 255 octets; "" is sent as a zero-length
 * reason), null octets to the next 32-bit boundary. Returns the length,
 * -EINVAL or -ENOSPC.
 */
int rtcp_build_bye(uint8_t *buf, uint32_t cap, const uint32_t *ssrcs, unsigned int n,
		   const char *reason);

/*
 * 64-bit NTP timestamp (RFC 3550 4, RFC 5905 6): seconds since 1900 in
 * the high 32 bits, modulo 2^32 (era 1 starts in February 2036), binary
 * fraction in the low 32 bits (truncated), from nanoseconds since the
 * Unix epoch.
 */
uint64_t rtcp_ntp_from_ns(uint64_t unix_ns);

/* 6.4.1 LSR: the middle 32 bits of an NTP timestamp (16.16 seconds). */
static inline uint32_t
rtcp_ntp_middle32(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

/* 6.4.1 DLSR: a delay in units of 1/65536 s (truncated, saturated). */
uint32_t rtcp_dlsr_from_ns(uint64_t ns);

/*
 * Sender info of the first SR in a compound (6.4.1): the sender's SSRC,
 * its NTP timestamp and the RTP timestamp of the same instant, for the
 * reference clock and for the LSR of the next report. The compound must
 * pass rtcp_validate_relay (lengths, versions, padding; safe on any
 * input). Returns 0, -ENOENT when it holds no SR, -EBADMSG when it is
 * malformed; nothing is written unless 0 is returned.
 */
int rtcp_parse_sr(const uint8_t *buf, uint32_t len, uint32_t *ssrc, uint64_t *ntp,
		  uint32_t *rtp_ts);

/*
 * The first report block about source ssrc in the SR and RR packets of a
 * compound (e.g. a participant's report on the mix the mixer sends it:
 * loss, jitter, LSR/DLSR for the round-trip time, 6.4.1). *reporter (may
 * be NULL) gets the SSRC of the packet's sender. Same checks and returns
 * as rtcp_parse_sr.
 */
int rtcp_parse_report_block(const uint8_t *buf, uint32_t len, uint32_t ssrc, uint32_t *reporter,
			    struct rtcp_report_block *rb);

#endif /* RTPGW_RTCP_BUILD_H */
