/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/net/cksum.c and the inline updates of cksum.h:
 * the RFC 1071 example, odd lengths, every alignment, a byte-wise
 * reference on random data, the IPv4 headers of a real capture, and RFC
 * 1624 incremental updates of 16- and 32-bit fields against full
 * recomputation on random buffers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/cksum.h"

#include "pcap_reader.h"

/* xorshift64: a fixed-seed generator, identical on every libc. */
static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* RFC 1071 by the letter: big-endian words, odd octet padded, folded. */
static uint16_t
ref_sum(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The folded sum of cksum_raw, as a number in network order. */
static uint16_t
raw_be(const void *p, size_t len)
{
	return ntohs(cksum_fold(cksum_raw(p, len, 0)));
}

static void
raw_sum_matches_rfc1071_example(void **state)
{
	/* RFC 1071 3: 0001 + f203 + f4f5 + f6f7 = 2ddf0, folded ddf2 */
	static const uint8_t data[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	(void)state;
	assert_int_equal(raw_be(data, sizeof(data)), 0xddf2);
	assert_int_equal(ntohs(cksum_full(data, sizeof(data))), 0x220d);
}

static void
odd_length_pads_with_zero_octet(void **state)
{
	static const uint8_t data[] = {0x01, 0x02, 0x03};

	(void)state;
	assert_int_equal(raw_be(data, 3), 0x0402); /* 0102 + 0300 */
	assert_int_equal(raw_be(data, 1), 0x0100);
	assert_int_equal(raw_be(data, 0), 0);
	assert_int_equal(ntohs(cksum_full(data, 0)), 0xffff);
}

static void
raw_sum_adds_initial_value(void **state)
{
	uint8_t buf[64];
	uint64_t seed = 0x5eed0004;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rng_next(&seed);
	/* a sum carried over an even split equals the sum of the whole */
	for (i = 0; i <= sizeof(buf); i += 2)
		assert_int_equal(
			cksum_fold(cksum_raw(buf + i, sizeof(buf) - i, cksum_raw(buf, i, 0))),
			cksum_fold(cksum_raw(buf, sizeof(buf), 0)));
	/* a large initial value (a pseudo-header sum) folds in */
	assert_int_equal(cksum_fold(cksum_raw(buf, 2, 0xffffffff)),
			 cksum_fold(cksum_raw(buf, 2, 0) + 0xffff + 0xffff));
}

/* Every length 0..300 at every offset 0..7 agrees with the reference. */
static void
sum_matches_reference_at_every_alignment(void **state)
{
	uint64_t seed = 0x5eed0005;
	uint8_t buf[320];
	size_t off, len, i;

	(void)state;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rng_next(&seed);
	for (off = 0; off < 8; off++) {
		for (len = 0; len <= 300; len++) {
			uint8_t *p = malloc(len + off + 1);

			assert_non_null(p);
			memcpy(p + off, buf, len);
			assert_int_equal(raw_be(p + off, len), ref_sum(buf, len));
			free(p);
		}
	}
}

static void
raw_sum_does_not_overflow_on_large_buffers(void **state)
{
	size_t len = 16u << 20;
	uint8_t *p = malloc(len);

	(void)state;
	assert_non_null(p);
	memset(p, 0xff, len);
	assert_int_equal(cksum_fold(cksum_raw(p, len, 0)), 0xffff);
	assert_int_equal(raw_be(p, len - 1), ref_sum(p, len - 1));
	assert_int_equal(cksum_fold(cksum_raw(p, len, 0xffffffff)), 0xffff);
	memset(p, 0x5a, len);
	assert_int_equal(raw_be(p, len), ref_sum(p, len));
	free(p);
}

/* Every IPv4 header of the capture sums to 0xffff (checksum field included). */
static void
capture_ipv4_headers_verify(void **state)
{
	struct pcap_reader *r = pcap_reader_open("pair_pcmu_sip_rtp_5s.pcap");
	struct pcap_udp u;
	unsigned int n = 0;

	(void)state;
	if (r == NULL) {
		pcap_reader_skip("pair_pcmu_sip_rtp_5s.pcap");
		return;
	}
	while (pcap_reader_next_udp(r, &u) == 0) {
		uint8_t hdr[60];
		uint16_t field;

		assert_int_equal(cksum_full(u.ip, u.ip_hdr_len), 0);
		/* recompute with the field zeroed: the same value as captured */
		memcpy(hdr, u.ip, u.ip_hdr_len);
		memcpy(&field, hdr + 10, 2);
		memset(hdr + 10, 0, 2);
		assert_int_equal(cksum_full(hdr, u.ip_hdr_len), field);
		n++;
	}
	pcap_reader_close(r);
	assert_int_equal(n, 514);
}

/*
 * A realistic rewrite: change the addresses and TTL of an IPv4 header with
 * the RFC 1624 updates; the header still verifies.
 */
static void
incremental_update_of_ipv4_header(void **state)
{
	uint8_t hdr[20] = {0x45, 0xb8, 0x00, 0x2c, 0x38, 0xf2, 0x40, 0x00, 0x40, 0x11,
			   0x03, 0x15, 0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x01};
	uint32_t old_addr, new_addr = htonl(0xcb007105); /* 203.0.113.5 */
	uint16_t ck, old16, new16;

	(void)state;
	assert_int_equal(cksum_full(hdr, sizeof(hdr)), 0);
	memcpy(&ck, hdr + 10, 2);
	memcpy(&old_addr, hdr + 16, 4);
	memcpy(hdr + 16, &new_addr, 4);
	ck = cksum_update32(ck, old_addr, new_addr);
	memcpy(&old16, hdr + 8, 2); /* TTL, protocol */
	hdr[8]--;
	memcpy(&new16, hdr + 8, 2);
	ck = cksum_update16(ck, old16, new16);
	memcpy(hdr + 10, &ck, 2);
	assert_int_equal(cksum_full(hdr, sizeof(hdr)), 0);
}

/*
 * Random buffers (4..1500 octets, odd lengths too), a random 16- or 32-bit
 * field at an even offset changed to a random value: the RFC 1624 eqn. 3
 * update of the old checksum equals a full recomputation, bit for bit.
 * Some iterations use the edge values 0x0000 and 0xffff. The one exception
 * is a buffer that becomes all zero: eqn. 3 gives 0x0000, the full sum
 * 0xffff, both a one's complement zero (RFC 1624 3); no IPv4 header or UDP
 * pseudo-header is all zero.
 */
static void
incremental_equals_full_on_random_data(void **state)
{
	uint64_t seed = 0x5eed0006;
	static uint8_t buf[1500];
	unsigned int iter, zeros = 0;

	(void)state;
	for (iter = 0; iter < 20000; iter++) {
		size_t len = 4 + (size_t)(rng_next(&seed) % (sizeof(buf) - 3));
		size_t i, off;
		uint16_t before, after;
		int kind = (int)(rng_next(&seed) % 4);

		for (i = 0; i < len; i++)
			buf[i] = (uint8_t)rng_next(&seed);
		if (kind == 3) /* mostly 0xff: sums near the one's complement edge */
			memset(buf, 0xff, len - len / 8);
		before = cksum_full(buf, len);

		if (iter % 2) {
			uint16_t old16, new16 = (uint16_t)rng_next(&seed);

			if (kind == 1)
				new16 = 0;
			else if (kind == 2)
				new16 = 0xffff;
			off = 2 * (size_t)(rng_next(&seed) % (len / 2));
			memcpy(&old16, buf + off, 2);
			memcpy(buf + off, &new16, 2);
			after = cksum_update16(before, old16, new16);
		} else {
			uint32_t old32, new32 = (uint32_t)rng_next(&seed);

			if (kind == 1)
				new32 = 0;
			else if (kind == 2)
				new32 = 0xffffffff;
			off = 2 * (size_t)(rng_next(&seed) % ((len - 2) / 2));
			memcpy(&old32, buf + off, 4);
			memcpy(buf + off, &new32, 4);
			after = cksum_update32(before, old32, new32);
		}
		if (ref_sum(buf, len) == 0) {
			assert_int_equal(after, 0);
			assert_int_equal(cksum_full(buf, len), 0xffff);
			zeros++;
			continue;
		}
		assert_int_equal(after, cksum_full(buf, len));
	}
	assert_true(zeros > 0); /* the edge was reached (len 4, field 0) */
}

/* Several fields changed at once: one accumulated delta applied once
 * equals the full recomputation (and the chain of single updates). */
static void
accumulated_delta_equals_full_on_random_data(void **state)
{
	uint64_t seed = 0x5eed0007;
	static uint8_t buf[256];

	(void)state;
	for (unsigned int iter = 0; iter < 20000; iter++) {
		size_t len = 16 + (size_t)(rng_next(&seed) % (sizeof(buf) - 16));
		unsigned int n_fields = 1 + (unsigned int)(rng_next(&seed) % 12);
		uint16_t before, chained, applied;
		uint32_t acc = 0;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng_next(&seed);
		if (iter % 3 == 0)
			memset(buf, 0xff, len / 2);
		before = chained = cksum_full(buf, len);
		for (unsigned int k = 0; k < n_fields; k++) {
			size_t off = 2 * (size_t)(rng_next(&seed) % ((len - 2) / 2));
			uint32_t old32, new32 = (uint32_t)rng_next(&seed);

			if (k % 4 == 3)
				new32 = 0xffffffff;
			memcpy(&old32, buf + off, 4);
			memcpy(buf + off, &new32, 4);
			acc = cksum_delta32(acc, old32, new32);
			chained = cksum_update32(chained, old32, new32);
		}
		applied = cksum_apply(before, acc);
		assert_int_equal(applied, chained);
		if (ref_sum(buf, len) != 0)
			assert_int_equal(applied, cksum_full(buf, len));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_sum_matches_rfc1071_example),
		cmocka_unit_test(odd_length_pads_with_zero_octet),
		cmocka_unit_test(raw_sum_adds_initial_value),
		cmocka_unit_test(sum_matches_reference_at_every_alignment),
		cmocka_unit_test(raw_sum_does_not_overflow_on_large_buffers),
		cmocka_unit_test(capture_ipv4_headers_verify),
		cmocka_unit_test(incremental_update_of_ipv4_header),
		cmocka_unit_test(incremental_equals_full_on_random_data),
		cmocka_unit_test(accumulated_delta_equals_full_on_random_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
