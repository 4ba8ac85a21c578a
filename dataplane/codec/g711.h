/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ITU-T G.711 companding, mu-law (RTP PT 0, PCMU) and A-law (PT 8, PCMA;
 * RFC 3551 4.5.14), bit-exact with the ITU-T G.191 Software Tool Library
 * (STL g711.c: ulaw_compress/ulaw_expand, alaw_compress/alaw_expand).
 * Linear PCM is 16-bit, left justified as in the STL: mu-law decodes to
 * at most +-32124 (the 14-bit 8031 << 2 of G.711 Table 2), A-law to at
 * most +-32256 (the 13-bit 4032 << 3 of Table 1). The mixer decodes each
 * participant's frame with these, sums in mixer/mix.c and encodes the
 * mix-minus back in the participant's own law. Pure C over plain arrays:
 * no DPDK, no allocation, safe on worker lcores once g711_init has run.
 */
#ifndef RTPGW_G711_H
#define RTPGW_G711_H

#include <stdint.h>

enum g711_law {
	G711_ULAW = 0, /* PCMU, RTP PT 0 */
	G711_ALAW = 1, /* PCMA, RTP PT 8 */
};

#define G711_PT_PCMU 0
#define G711_PT_PCMA 8

/*
 * Build the encode tables (16384 entries for mu-law, 4096 for A-law;
 * 20 KiB). Idempotent. A constructor runs it at program load, so the
 * tables are ready before main(); start-up code calls it anyway to state
 * the dependency. The decode tables are constant.
 */
void g711_init(void);

/* One code to linear PCM (G.191 expand). */
int16_t g711_decode1(enum g711_law law, uint8_t code);

/*
 * One linear sample to a code (G.191 compress): mu-law looks at the 14
 * most significant bits (x >> 2), A-law at the 12 most significant (x >> 4;
 * the STL's alaw_compress uses no more of its 13-bit input), negative
 * values by one's complement, so -1 encodes like -0 (0x7f, 0x55).
 */
uint8_t g711_encode1(enum g711_law law, int16_t x);

/* n codes to n samples; in and out must not overlap. Any alignment. */
void g711_decode(enum g711_law law, const uint8_t *in, int16_t *out, unsigned int n);

/* n samples to n codes; in and out must not overlap. Any alignment. */
void g711_encode(enum g711_law law, const int16_t *in, uint8_t *out, unsigned int n);

/*
 * The law of an RTP payload type of the static RFC 3551 table: 0 and
 * *law set for PT 0 (mu-law) and PT 8 (A-law), -ENOTSUP for any other.
 */
int g711_law_of_pt(uint8_t pt, enum g711_law *law);

/*
 * The code a silent (all-zero) frame encodes to, g711_encode1(law, 0):
 * 0xff for mu-law (decodes to 0), 0xd5 for A-law. A-law has no zero
 * level: 0xd5 decodes to +8, the smallest positive step.
 */
uint8_t g711_silence(enum g711_law law);

#endif /* RTPGW_G711_H */
