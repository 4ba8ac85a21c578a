/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8285 RTP header extension elements, in the one-byte (0xBEDE) and
 * two-byte (0x100x) forms of the RFC 3550 5.3.1 extension block: finding
 * an element by its negotiated ID (a=extmap), reading the RFC 6464
 * client-to-mixer audio level, and writing the RFC 6465 mixer-to-client
 * levels of the CSRC list. Plain functions over byte buffers, no DPDK
 * types, no allocation; rtp.h parses the rest of the header.
 */
#ifndef RTPGW_RTP_EXT_H
#define RTPGW_RTP_EXT_H

#include <stdbool.h>
#include <stdint.h>

#define RTP_EXT_ONE_BYTE     0xbede /* RFC 8285 4.2 */
#define RTP_EXT_TWO_BYTE     0x1000 /* RFC 8285 4.3, low 4 bits: appbits */
#define RTP_EXT_ID_MAX_ONE   14	    /* one-byte form IDs 1..14; 15 stops the walk */
#define RTP_EXT_LEVEL_SILENT 127    /* RFC 6464 3, RFC 6465 3: -127 dBov */

/* Bytes of the block rtp_ext_write_csrc_levels writes for n levels. */
#define RTP_EXT_CSRC_LEVELS_LEN(n) (4u + ((1u + (uint32_t)(n) + 3u) & ~3u))

/*
 * Find element id in the header extension of the RTP packet rtp[0..len).
 * The packet must pass rtp_parse (so the block fits in len); the block is
 * read in the one-byte form when its profile field is 0xBEDE, in the
 * two-byte form when it is 0x1000..0x100F. Padding octets (0) are
 * skipped wherever they are (RFC 8285 4.1); in the one-byte form ID 15,
 * or ID 0 with a non-zero length, ends the walk (4.2). The walk stops at
 * the first element with that id. On success *data points into rtp at
 * the element's data and *data_len is its length (1..16 one-byte form,
 * 0..255 two-byte form; nothing to read at *data when 0).
 * Returns 0; -EINVAL for id 0; -ENOENT when the packet has no extension,
 * another kind of extension (another profile value) or no such element
 * before the end of the walk; -EBADMSG when the packet is malformed or
 * an element up to and including the one sought runs past the block.
 */
int rtp_ext_find(const uint8_t *rtp, uint32_t len, uint8_t id, const uint8_t **data,
		 uint8_t *data_len);

/*
 * RFC 6464 3: the client-to-mixer audio level element id, one octet of
 * data: V (voice activity, meaningful when the "vad" extmap attribute is
 * on) and the level, 0..127 for 0..-127 dBov. Returns 0, the errors of
 * rtp_ext_find, or -EBADMSG when the element does not hold exactly one
 * octet.
 */
int rtp_ext_audio_level(const uint8_t *rtp, uint32_t len, uint8_t id, bool *voice, uint8_t *level);

/*
 * RFC 6465 3: write a complete one-byte-form extension block (0xBEDE,
 * length in 32-bit words, one element id with n levels, zero padding to a
 * 32-bit boundary) at ext, to follow the CSRC list; the caller sets the X
 * bit. levels[i] (0..127, -dBov, 127 for silence) belongs to the i-th
 * CSRC, so n is the CSRC count (1..15). Returns the block length,
 * RTP_EXT_CSRC_LEVELS_LEN(n); -EINVAL for id outside 1..14, n outside
 * 1..15 or a level above 127; -ENOSPC when cap is smaller. Nothing is
 * written on error.
 */
int rtp_ext_write_csrc_levels(uint8_t *ext, uint32_t cap, uint8_t id, const uint8_t *levels,
			      unsigned int n);

#endif /* RTPGW_RTP_EXT_H */
