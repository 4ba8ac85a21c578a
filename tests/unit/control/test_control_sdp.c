/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/sip/sip_sdp.c on libre's sdp module: the codec
 * chosen from an offer (first of PCMU/PCMA in the offerer's order), the
 * caller's address, offers we cannot take (-EPROTO: only other codecs, a
 * disabled stream) or read (garbage), and the answer's c= and m= lines
 * carrying our address, our port and only the chosen codec. Every case
 * checks libre's allocations are all freed when libre counts them. Addresses come
 * from the documentation ranges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <re.h>

#include "../../../control/sip/sip_sdp.h"

#define MEDIA "198.51.100.10"

static struct mbuf *
offer_mb(const char *m_line, const char *extra)
{
	struct mbuf *mb = mbuf_alloc(512);

	assert_non_null(mb);
	assert_int_equal(mbuf_printf(mb,
				     "v=0\r\no=caller 1 1 IN IP4 203.0.113.7\r\ns=-\r\n"
				     "c=IN IP4 203.0.113.7\r\nt=0 0\r\n%s\r\n%s",
				     m_line, extra),
			 0);
	mb->pos = 0;
	return mb;
}

static void
media_sa(struct sa *sa)
{
	assert_int_equal(sa_set_str(sa, MEDIA, 0), 0);
}

static int
teardown(void **state)
{
	struct memstat ms;

	(void)state;
	/* only libre built with MEM_DEBUG counts blocks (ENOSYS otherwise) */
	if (mem_get_stat(&ms) == 0)
		assert_int_equal(ms.blocks_cur, 0);
	return 0;
}

static void
pcmu_first_is_chosen(void **state)
{
	struct mbuf *mb =
		offer_mb("m=audio 40000 RTP/AVP 0 8 101", "a=rtpmap:101 telephone-event/8000\r\n");
	struct sa media, peer;
	int pt = -1;

	(void)state;
	media_sa(&media);
	assert_int_equal(sip_sdp_offer(&media, mb, &pt, &peer), 0);
	assert_int_equal(pt, 0);
	assert_int_equal(sa_port(&peer), 40000);
	{
		char ip[64];

		sa_ntop(&peer, ip, sizeof(ip));
		assert_string_equal(ip, "203.0.113.7");
	}
	assert_int_equal(mb->pos, 0);
	mem_deref(mb);
}

static void
pcma_first_is_chosen(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 40002 RTP/AVP 8 0", "");
	struct sa media, peer;
	int pt = -1;

	(void)state;
	media_sa(&media);
	assert_int_equal(sip_sdp_offer(&media, mb, &pt, &peer), 0);
	assert_int_equal(pt, 8);
	assert_int_equal(sa_port(&peer), 40002);
	mem_deref(mb);
}

static void
other_codecs_only_is_eproto(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 40000 RTP/AVP 9 18",
				   "a=rtpmap:9 G722/8000\r\na=rtpmap:18 G729/8000\r\n");
	struct sa media, peer;
	int pt = -1;

	(void)state;
	media_sa(&media);
	assert_int_equal(sip_sdp_offer(&media, mb, &pt, &peer), -EPROTO);
	assert_int_equal(pt, -1);
	mem_deref(mb);
}

static void
disabled_stream_is_eproto(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 0 RTP/AVP 0", "");
	struct sa media, peer;
	int pt = -1;

	(void)state;
	media_sa(&media);
	assert_int_equal(sip_sdp_offer(&media, mb, &pt, &peer), -EPROTO);
	mem_deref(mb);
}

static void
garbage_is_refused(void **state)
{
	struct mbuf *mb = mbuf_alloc(64);
	struct sa media, peer;
	int pt = -1;

	(void)state;
	assert_int_equal(mbuf_printf(mb, "this is not SDP\r\n"), 0);
	mb->pos = 0;
	media_sa(&media);
	assert_true(sip_sdp_offer(&media, mb, &pt, &peer) < 0);
	assert_int_equal(pt, -1);
	mem_deref(mb);
}

static void
answer_has_our_address_port_and_one_codec(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 40000 RTP/AVP 8 0", "");
	struct mbuf *ans = NULL;
	struct sa media;
	char text[512];

	(void)state;
	media_sa(&media);
	assert_int_equal(sip_sdp_answer(&media, mb, 30002, 8, &ans), 0);
	assert_non_null(ans);
	assert_int_equal(mb->pos, 0);
	assert_true(mbuf_get_left(ans) < sizeof(text));
	memcpy(text, mbuf_buf(ans), mbuf_get_left(ans));
	text[mbuf_get_left(ans)] = '\0';
	assert_non_null(strstr(text, "c=IN IP4 " MEDIA "\r\n"));
	assert_non_null(strstr(text, "m=audio 30002 RTP/AVP 8\r\n"));
	assert_non_null(strstr(text, "a=rtpmap:8 PCMA/8000\r\n"));
	assert_null(strstr(text, "PCMU"));
	mem_deref(ans);
	mem_deref(mb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(pcmu_first_is_chosen, teardown),
		cmocka_unit_test_teardown(pcma_first_is_chosen, teardown),
		cmocka_unit_test_teardown(other_codecs_only_is_eproto, teardown),
		cmocka_unit_test_teardown(disabled_stream_is_eproto, teardown),
		cmocka_unit_test_teardown(garbage_is_refused, teardown),
		cmocka_unit_test_teardown(answer_has_our_address_port_and_one_codec, teardown),
	};

	return cmocka_run_group_tests_name("control_sdp", tests, NULL, NULL);
}
