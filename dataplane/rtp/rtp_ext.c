/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8285 header extension elements inside the RFC 3550 5.3.1 block:
 * the walk over one-byte and two-byte elements, the RFC 6464 audio level
 * participants send to the mixer, and the RFC 6465 CSRC levels the mixer
 * sends back. rtp_parse bounds the block before the walk, and the walk
 * checks every element header and data length against the end of the
 * block before reading, so any input is safe. Runs in the worker for
 * each received packet of a participant that negotiated the extension.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "rtp.h"
#include "rtp_ext.h"

#define RTP_EXT_ID_STOP	      15     /* RFC 8285 4.2: reserved, ends processing */
#define RTP_EXT_TWO_BYTE_MASK 0xfff0 /* 4.3: "0x100" and 4 bits of appbits */
#define RTP_EXT_LEVELS_MAX    RTP_CSRC_MAX

static inline uint16_t
rtp_ext_load16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* 4.2: ID (4 bits), L (4 bits): L + 1 octets of data follow. */
static int
rtp_ext_walk_one(const uint8_t *p, uint32_t n, uint8_t id, const uint8_t **data, uint8_t *data_len)
{
	uint32_t off = 0, l;
	uint8_t eid;

	while (off < n) {
		if (p[off] == 0) {
			off++; /* 4.1: padding */
			continue;
		}
		eid = p[off] >> 4;
		/*
		 * 4.2: "If the ID value 15 is encountered, its length field
		 * should be ignored, processing of the entire extension should
		 * terminate at that point". ID 0 is padding only as a whole
		 * zero octet; with a length it is treated the same way, as
		 * libwebrtc does, rather than guessing its size.
		 */
		if (eid == RTP_EXT_ID_STOP || eid == 0)
			return -ENOENT;
		l = (uint32_t)(p[off] & 0x0f) + 1;
		if (l > n - off - 1)
			return -EBADMSG;
		if (eid == id) {
			*data = p + off + 1;
			*data_len = (uint8_t)l;
			return 0;
		}
		off += 1 + l;
	}
	return -ENOENT;
}

/* 4.3: ID (8 bits), length (8 bits, 0..255 octets of data). */
static int
rtp_ext_walk_two(const uint8_t *p, uint32_t n, uint8_t id, const uint8_t **data, uint8_t *data_len)
{
	uint32_t off = 0, l;

	while (off < n) {
		if (p[off] == 0) {
			off++; /* 4.1: padding */
			continue;
		}
		if (n - off < 2)
			return -EBADMSG;
		l = p[off + 1];
		if (l > n - off - 2)
			return -EBADMSG;
		if (p[off] == id) {
			*data = p + off + 2;
			*data_len = (uint8_t)l;
			return 0;
		}
		off += 2 + l;
	}
	return -ENOENT;
}

int
rtp_ext_find(const uint8_t *rtp, uint32_t len, uint8_t id, const uint8_t **data, uint8_t *data_len)
{
	struct rtp_info ri;
	uint32_t off, n;
	uint16_t profile;

	if (id == 0)
		return -EINVAL;
	if (rtp_parse(rtp, len, &ri) < 0)
		return -EBADMSG;
	if (!ri.ext)
		return -ENOENT;
	/* RFC 3550 5.3.1: after the CSRCs, profile field, length in words. */
	off = RTP_HDR_LEN + 4 * (uint32_t)ri.cc;
	profile = rtp_ext_load16(rtp + off);
	n = 4 * (uint32_t)rtp_ext_load16(rtp + off + 2);
	off += 4;

	if (profile == RTP_EXT_ONE_BYTE) {
		if (id > RTP_EXT_ID_MAX_ONE)
			return -ENOENT;
		return rtp_ext_walk_one(rtp + off, n, id, data, data_len);
	}
	if ((profile & RTP_EXT_TWO_BYTE_MASK) == RTP_EXT_TWO_BYTE)
		return rtp_ext_walk_two(rtp + off, n, id, data, data_len);
	return -ENOENT;
}

/*
 * RFC 6464 3: one octet, "V: voice activity flag" in the most significant
 * bit, then "level: 7-bit audio level in -dBov"; len=0 in the one-byte
 * form, len=1 in the two-byte form.
 */
int
rtp_ext_audio_level(const uint8_t *rtp, uint32_t len, uint8_t id, bool *voice, uint8_t *level)
{
	const uint8_t *d;
	uint8_t l;
	int ret;

	ret = rtp_ext_find(rtp, len, id, &d, &l);
	if (ret < 0)
		return ret;
	if (l != 1)
		return -EBADMSG;
	*voice = (d[0] & 0x80) != 0;
	*level = d[0] & 0x7f;
	return 0;
}

/*
 * RFC 6465 3: one element, "len" = number of CSRCs - 1, then per CSRC a
 * reserved zero bit and a 7-bit level "in the same order as the CSRC
 * identifiers"; RFC 8285 4.2 zero padding to the 32-bit boundary that
 * RFC 3550 5.3.1 requires.
 */
int
rtp_ext_write_csrc_levels(uint8_t *ext, uint32_t cap, uint8_t id, const uint8_t *levels,
			  unsigned int n)
{
	uint32_t len, i;

	if (id == 0 || id > RTP_EXT_ID_MAX_ONE || n == 0 || n > RTP_EXT_LEVELS_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (levels[i] > RTP_EXT_LEVEL_SILENT)
			return -EINVAL;
	len = RTP_EXT_CSRC_LEVELS_LEN(n);
	if (cap < len)
		return -ENOSPC;
	ext[0] = (uint8_t)(RTP_EXT_ONE_BYTE >> 8);
	ext[1] = (uint8_t)RTP_EXT_ONE_BYTE;
	ext[2] = 0;
	ext[3] = (uint8_t)((len - 4) / 4);
	ext[4] = (uint8_t)(id << 4 | (n - 1));
	for (i = 0; i < n; i++)
		ext[5 + i] = levels[i];
	for (i = 5 + n; i < len; i++)
		ext[i] = 0;
	return (int)len;
}
