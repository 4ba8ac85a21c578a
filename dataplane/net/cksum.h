/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum helpers: full computation (RFC 1071) and incremental
 * update (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')). Values are 16-bit words
 * exactly as they sit in the packet (network order in, network order out):
 * one's complement arithmetic is byte-order independent as long as every
 * operand is in the same order. No DPDK types.
 */
#ifndef RTPGW_CKSUM_H
#define RTPGW_CKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Fold a 32-bit one's complement accumulator to 16 bits (not inverted). */
static inline uint16_t
cksum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* RFC 1624 eqn. 3 for one 16-bit word changing from old to new. */
static inline uint16_t
cksum_update16(uint16_t cksum, uint16_t old, uint16_t new)
{
	uint32_t sum = (uint16_t)~cksum;

	sum += (uint16_t)~old;
	sum += new;
	return (uint16_t)~cksum_fold(sum);
}

/* The same for a 32-bit field (two words), e.g. an IPv4 address. */
static inline uint16_t
cksum_update32(uint16_t cksum, uint32_t old, uint32_t new)
{
	uint32_t sum = (uint16_t)~cksum;

	sum += (uint16_t)~(old >> 16);
	sum += (uint16_t)~(old & 0xffff);
	sum += new >> 16;
	sum += new & 0xffff;
	return (uint16_t)~cksum_fold(sum);
}

/*
 * Several fields changing at once: accumulate each change's ~m + m' (RFC
 * 1624 eqn. 3 is linear in them), then apply the sum once. Equal to a
 * chain of cksum_update16/32 calls, with one fold instead of one per field.
 * An accumulator holds at most 32768 16-bit changes without overflow.
 */
static inline uint32_t
cksum_delta16(uint32_t acc, uint16_t old, uint16_t new)
{
	return acc + (uint16_t)~old + new;
}

static inline uint32_t
cksum_delta32(uint32_t acc, uint32_t old, uint32_t new)
{
	return acc + (uint16_t)~(old >> 16) + (uint16_t)~(old & 0xffff) + (new >> 16) +
	       (new & 0xffff);
}

static inline uint16_t
cksum_apply(uint16_t cksum, uint32_t acc)
{
	return (uint16_t)~cksum_fold((uint32_t)(uint16_t)~cksum + cksum_fold(acc));
}

/* RFC 1071 one's complement sum of len bytes, added to sum (not folded). */
uint32_t cksum_raw(const void *buf, size_t len, uint32_t sum);

/* Full checksum of a buffer: ~fold(raw sum). */
static inline uint16_t
cksum_full(const void *buf, size_t len)
{
	return (uint16_t)~cksum_fold(cksum_raw(buf, len, 0));
}

#endif /* RTPGW_CKSUM_H */
