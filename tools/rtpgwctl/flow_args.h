/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text form of a flow for rtpgwctl: the SPEC words of `flow add`, `flow mod`
 * and of `flow add-batch` files, parsed into a struct rtpgw_api_flow exactly
 * as the agent expects it on the wire (addresses and ports in network byte
 * order, every unused byte zero), and printed back. Parsing is strict: the
 * first problem found is described in err, naming the offending word, and
 * the function returns -EINVAL. No I/O and no global state, so the grammar
 * is unit tested on its own (tests/unit/tools/test_rtpgwctl_args.c).
 *
 *   SPEC = LOCAL_IP:PORT to PEER_IP:PORT from OUT_IP:OUT_PORT
 *          [src IP:PORT] [mode strict|latch|any] [rtcp none|companion|mux]
 *          [ssrc 0xHEX] [continuous] [ptmap IN:OUT]... [rate HZ] [idle MS]
 *          [cookie N] [drop] [rtcp-events] [exist-ok] [missing-ok]
 *
 * LOCAL comes first; the other words may come in any order, each once
 * (ptmap up to RTPGW_PT_MAP_MAX times). `to` and `from` may be left out of
 * a drop flow only. Defaults: action relay, mode strict with src and latch
 * without, rtcp none, rate 8000.
 */
#ifndef FLOW_ARGS_H
#define FLOW_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtpgw_api.h"

/* Room for any error message of this module. */
#define FLOW_ARGS_ERR_MAX 256
/* Most words a SPEC line may hold (a full SPEC has 40). */
#define FLOW_ARGS_WORDS_MAX 64
/* Room for flow_args_format() of any flow. */
#define FLOW_ARGS_TEXT_MAX 512
/* Room for flow_args_format_endpoint(): "[v6]:port". */
#define FLOW_ARGS_ENDPOINT_MAX 56

/* Default RTP clock rate (Hz) written into flows that do not name one. */
#define FLOW_ARGS_RATE_DEFAULT 8000
/* Highest accepted `rate`. */
#define FLOW_ARGS_RATE_MAX 1000000

/*
 * Strict unsigned number: decimal digits, or "0x" and hex digits when hex is
 * allowed; no sign, no blanks, nothing else, at most max. Returns 0 or -EINVAL.
 */
int flow_args_parse_uint(const char *s, bool hex, uint64_t max, uint64_t *out);

/*
 * Parse IPv4 "A.B.C.D:PORT" (port 1..65535) into *ip (family RTPGW_AF_INET,
 * v4 in network byte order, padding zero) and *port (network byte order).
 * Rejects 0.0.0.0, 255.255.255.255 and multicast, and IPv6 text with
 * "IPv6 not supported yet". Returns 0 or -EINVAL with err filled.
 */
int flow_args_parse_endpoint(const char *word, struct rtpgw_api_ip *ip, uint16_t *port, char *err,
			     size_t err_len);

/*
 * Parse the words of one SPEC into *flow (zeroed first) and the request
 * flags its exist-ok / missing-ok words ask for into *batch_flags
 * (RTPGW_API_F_EXIST_OK, RTPGW_API_F_MISSING_OK). Returns 0 or -EINVAL with
 * err filled.
 */
int flow_args_parse(int argc, char *const argv[], struct rtpgw_api_flow *flow,
		    uint32_t *batch_flags, char *err, size_t err_len);

/*
 * Split one line of an add-batch file into words, in place: blanks separate
 * words, '#' starts a comment running to the end of the line. Returns the
 * number of words (0 for a blank or comment line), or -E2BIG with err filled
 * when there are more than max.
 */
int flow_args_split(char *line, char *argv[], int max, char *err, size_t err_len);

/* "A.B.C.D" (or IPv6 text), "-" for family 0, "?" for an unknown family. */
void flow_args_format_ip(const struct rtpgw_api_ip *ip, char *buf, size_t len);

/* "A.B.C.D:PORT" or "[v6]:PORT" ("-" for family 0); port in network byte order. */
void flow_args_format_endpoint(const struct rtpgw_api_ip *ip, uint16_t port, char *buf, size_t len);

/*
 * The SPEC text of a flow (without exist-ok / missing-ok). Parsing it gives
 * the same flow, except that a clock_rate of 0 comes back as 8000, and a
 * conference participant's flow (action mix) ends with the word "mix",
 * which the parser refuses (PART_JOIN installs those: `rtpgwctl conf join`).
 */
void flow_args_format(const struct rtpgw_api_flow *flow, char *buf, size_t len);

/* Names of enum values, "?" when out of range. */
const char *flow_args_action_name(uint8_t action);
const char *flow_args_mode_name(uint8_t src_mode);
const char *flow_args_rtcp_name(uint8_t rtcp);

#endif /* FLOW_ARGS_H */
