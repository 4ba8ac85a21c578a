/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum, full computation (RFC 1071). The incremental updates
 * of RFC 1624 are inline in cksum.h; this file holds the loop over a
 * buffer, used where a whole header or payload changes and by the tests
 * that check the incremental form against it. No DPDK types.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cksum.h"

/*
 * RFC 1071 2(B): the one's complement sum is independent of byte order as
 * long as every 16-bit word is loaded the same way, so words are loaded in
 * host order with memcpy (any alignment) and the result sits in the packet
 * as it is. 2(C): 32-bit loads into a 64-bit accumulator add two 16-bit
 * words at a time (2^16 = 1 modulo 2^16 - 1) and defer the carries, which
 * cannot overflow below 16 GiB. An odd trailing octet is
 * the high-order octet of a last word padded with zero (RFC 1071 1), i.e.
 * the first octet in memory of that word.
 */
uint32_t
cksum_raw(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t acc = sum;
	uint32_t w32;
	uint16_t w16;

	for (; len >= 4; p += 4, len -= 4) {
		memcpy(&w32, p, sizeof(w32));
		acc += w32;
	}
	if (len >= 2) {
		memcpy(&w16, p, sizeof(w16));
		acc += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		w16 = 0;
		memcpy(&w16, p, 1);
		acc += w16;
	}
	/* Fold the end-around carries back into 32 bits (still not folded to 16). */
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}
