/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * call_json: a call as one JSON object (libre's re_printf), the form of
 * /api/calls/<id>, of each element of /api/calls and of the per-call
 * quality record (one line per ended call in the quality log):
 *
 * {"id":7,"kind":"relay","state":"active","room":null,"route":0,
 *  "held":false,"recovered":false,"start_ms":...,"answer_ms":...,
 *  "end_ms":null,"duration_s":12.34,"end_reason":null,
 *  "quality":{...the legs combined...},
 *  "legs":[{"call_id":"...","local_port":30000,"peer":"203.0.113.7",
 *           "peer_port":4000,"codec":"PCMU","pt":0,"dtmf_pt":101,
 *           "rtcp_mux":false,"direction":"sendrecv","quality":{...}}, ...]}
 *
 * with "quality" objects as quality_json() writes them.
 */
#ifndef CALL_JSON_H
#define CALL_JSON_H

#include <stdint.h>

#include "calls.h"

struct re_printf;

/* %H with a const struct call * (a call not ended lasts until now). */
int call_json(struct re_printf *pf, const struct call *c);

/* %H with a const char *: a JSON string literal, quotes included. */
int call_json_str(struct re_printf *pf, const char *s);

/* The combined figure of a call's legs. */
void call_quality(const struct call *c, struct leg_quality *q);

#endif /* CALL_JSON_H */
