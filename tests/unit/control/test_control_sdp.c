/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of control/sip/sip_sdp.c on libre's sdp module: the codec
 * chosen from an offer (first of PCMU/PCMA in the offerer's order), the
 * offerer's address, RTCP port (a=rtcp, RFC 3605), rtcp-mux, ptime,
 * telephone-event and direction; offers we cannot take (-EPROTO: only
 * other codecs, a disabled stream) or read (-EBADMSG); the answer's c= and
 * m= lines carrying our address, our port and only the chosen codec with
 * the answering direction (RFC 3264 6.1); the B2BUA's rewritten offer (the
 * caller's codecs in its order on our address); an answer read back; the
 * o= version growing with each description (RFC 3264 8). Every case checks
 * libre's allocations are all freed when libre counts them. Addresses come
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

static const uint8_t all_pts[] = {0, 8};

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
text_of(struct mbuf *mb, char *text, size_t cap)
{
	size_t n = mbuf_get_left(mb);

	assert_true(n < cap);
	memcpy(text, mbuf_buf(mb), n);
	text[n] = '\0';
}

/* A leg taking PCMU and PCMA and telephone-event, reading mb as an offer. */
static int
read_offer(struct sdp_leg *l, struct mbuf *mb, struct call_media *m, uint8_t *pts,
	   unsigned int *n)
{
	struct sa media;

	media_sa(&media);
	assert_int_equal(sdp_leg_alloc(l, &media, 30000), 0);
	assert_int_equal(sdp_leg_set_local(l, 30000, all_pts, 2, SDP_DTMF_PT_DEFAULT, 0, true,
					   CALL_SENDRECV),
			 0);
	return sdp_leg_decode(l, mb, true, m, pts, n);
}

static void
pcmu_first_is_chosen(void **state)
{
	struct mbuf *mb =
		offer_mb("m=audio 40000 RTP/AVP 0 8 101", "a=rtpmap:101 telephone-event/8000\r\n");
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	struct sdp_leg l;
	unsigned int n;

	(void)state;
	assert_int_equal(read_offer(&l, mb, &m, pts, &n), 0);
	assert_int_equal(m.pt, 0);
	assert_int_equal(m.port, 40000);
	assert_int_equal(m.rtcp_port, 40001);
	assert_string_equal(m.ip, "203.0.113.7");
	assert_int_equal(m.dtmf_pt, 101);
	assert_int_equal(m.dir, CALL_SENDRECV);
	assert_false(m.rtcp_mux);
	assert_int_equal(n, 2);
	assert_int_equal(pts[0], 0);
	assert_int_equal(pts[1], 8);
	assert_int_equal(mb->pos, 0);
	sdp_leg_free(&l);
	mem_deref(mb);
}

static void
pcma_first_and_attributes(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 40002 RTP/AVP 8 0 96",
				   "a=rtpmap:96 telephone-event/8000\r\na=rtcp:40009\r\n"
				   "a=rtcp-mux\r\na=ptime:30\r\na=sendonly\r\n");
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	struct sdp_leg l;
	unsigned int n;

	(void)state;
	assert_int_equal(read_offer(&l, mb, &m, pts, &n), 0);
	assert_int_equal(m.pt, 8);
	assert_int_equal(m.port, 40002);
	assert_int_equal(m.rtcp_port, 40009);
	assert_true(m.rtcp_mux);
	assert_int_equal(m.ptime, 30);
	assert_int_equal(m.dtmf_pt, 96);
	assert_int_equal(m.dir, CALL_SENDONLY);
	assert_int_equal(pts[0], 8);
	sdp_leg_free(&l);
	mem_deref(mb);
}

static void
other_codecs_only_is_eproto(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 40000 RTP/AVP 9 18",
				   "a=rtpmap:9 G722/8000\r\na=rtpmap:18 G729/8000\r\n");
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	struct sdp_leg l;
	unsigned int n;

	(void)state;
	assert_int_equal(read_offer(&l, mb, &m, pts, &n), -EPROTO);
	assert_int_equal(n, 0);
	sdp_leg_free(&l);
	mem_deref(mb);
}

static void
disabled_stream_is_eproto(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 0 RTP/AVP 0", "");
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	struct sdp_leg l;
	unsigned int n;

	(void)state;
	assert_int_equal(read_offer(&l, mb, &m, pts, &n), -EPROTO);
	sdp_leg_free(&l);
	mem_deref(mb);
}

static void
garbage_is_ebadmsg(void **state)
{
	struct mbuf *mb = mbuf_alloc(64);
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	struct sdp_leg l;
	unsigned int n;

	(void)state;
	assert_int_equal(mbuf_printf(mb, "this is not SDP\r\n"), 0);
	mb->pos = 0;
	assert_int_equal(read_offer(&l, mb, &m, pts, &n), -EBADMSG);
	sdp_leg_free(&l);
	mem_deref(mb);
}

static void
answer_has_our_address_port_one_codec_and_direction(void **state)
{
	struct mbuf *mb = offer_mb("m=audio 40000 RTP/AVP 8 0 101",
				   "a=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n");
	struct mbuf *ans = NULL, *ans2 = NULL;
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m, again;
	struct sdp_leg l;
	char text[1024], text2[1024];
	unsigned int n;
	unsigned long v1, v2;
	char *o;

	(void)state;
	assert_int_equal(read_offer(&l, mb, &m, pts, &n), 0);
	assert_int_equal(sdp_leg_set_local(&l, 30002, &m.pt, 1, m.dtmf_pt, 0, false,
					   sdp_dir_answer(m.dir)),
			 0);
	assert_int_equal(sdp_leg_decode(&l, mb, true, &again, pts, &n), 0);
	assert_int_equal(sdp_leg_encode(&l, false, &ans), 0);
	text_of(ans, text, sizeof(text));
	assert_non_null(strstr(text, "c=IN IP4 " MEDIA "\r\n"));
	assert_non_null(strstr(text, "m=audio 30002 RTP/AVP 8 101\r\n"));
	assert_non_null(strstr(text, "a=rtpmap:8 PCMA/8000\r\n"));
	assert_non_null(strstr(text, "a=rtpmap:101 telephone-event/8000\r\n"));
	assert_non_null(strstr(text, "a=recvonly\r\n"));
	assert_null(strstr(text, "PCMU"));
	assert_null(strstr(text, "rtcp-mux"));
	/* RFC 3264 8: the same origin, version one more */
	assert_int_equal(sdp_leg_encode(&l, false, &ans2), 0);
	text_of(ans2, text2, sizeof(text2));
	o = strstr(text, "o=- ");
	assert_non_null(o);
	assert_int_equal(sscanf(o, "o=- %*u %lu", &v1), 1);
	o = strstr(text2, "o=- ");
	assert_int_equal(sscanf(o, "o=- %*u %lu", &v2), 1);
	assert_int_equal(v2, v1 + 1);
	mem_deref(ans);
	mem_deref(ans2);
	sdp_leg_free(&l);
	mem_deref(mb);
}

static void
b2bua_offer_keeps_caller_order_and_reads_answer(void **state)
{
	static const uint8_t caller[] = {8, 0};
	struct mbuf *offer = NULL, *answer;
	uint8_t pts[SDP_CODECS_MAX];
	struct call_media m;
	struct sdp_leg l;
	struct sa media;
	char text[1024];
	unsigned int n;

	(void)state;
	media_sa(&media);
	assert_int_equal(sdp_leg_alloc(&l, &media, 30004), 0);
	assert_int_equal(sdp_leg_set_local(&l, 30004, caller, 2, 101, 20, true, CALL_SENDRECV), 0);
	assert_int_equal(sdp_leg_encode(&l, true, &offer), 0);
	text_of(offer, text, sizeof(text));
	assert_non_null(strstr(text, "m=audio 30004 RTP/AVP 8 0 101\r\n"));
	assert_non_null(strstr(text, "a=ptime:20\r\n"));
	assert_non_null(strstr(text, "a=rtcp-mux\r\n"));
	assert_non_null(strstr(text, "a=fmtp:101 0-15\r\n"));
	/* the callee answers PCMU only, no mux, hold (recvonly) */
	answer = mbuf_alloc(256);
	assert_int_equal(mbuf_printf(answer, "v=0\r\no=callee 5 5 IN IP4 203.0.113.20\r\ns=-\r\n"
					     "c=IN IP4 203.0.113.20\r\nt=0 0\r\n"
					     "m=audio 50000 RTP/AVP 0\r\na=recvonly\r\n"),
			 0);
	answer->pos = 0;
	assert_int_equal(sdp_leg_decode(&l, answer, false, &m, pts, &n), 0);
	assert_int_equal(m.pt, 0);
	assert_string_equal(m.ip, "203.0.113.20");
	assert_int_equal(m.port, 50000);
	assert_false(m.rtcp_mux);
	assert_int_equal(m.dtmf_pt, 0);
	assert_int_equal(m.dir, CALL_RECVONLY);
	mem_deref(answer);
	mem_deref(offer);
	sdp_leg_free(&l);
}

static void
answer_directions_follow_rfc3264(void **state)
{
	(void)state;
	assert_int_equal(sdp_dir_answer(CALL_SENDRECV), CALL_SENDRECV);
	assert_int_equal(sdp_dir_answer(CALL_SENDONLY), CALL_RECVONLY);
	assert_int_equal(sdp_dir_answer(CALL_RECVONLY), CALL_SENDONLY);
	assert_int_equal(sdp_dir_answer(CALL_INACTIVE), CALL_INACTIVE);
}

static void
bad_local_codec_is_refused(void **state)
{
	static const uint8_t bad[] = {9};
	struct sdp_leg l;
	struct sa media;

	(void)state;
	media_sa(&media);
	assert_int_equal(sdp_leg_alloc(&l, &media, 30000), 0);
	assert_int_equal(sdp_leg_set_local(&l, 30000, bad, 1, 0, 0, false, CALL_SENDRECV), EINVAL);
	sdp_leg_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(pcmu_first_is_chosen, teardown),
		cmocka_unit_test_teardown(pcma_first_and_attributes, teardown),
		cmocka_unit_test_teardown(other_codecs_only_is_eproto, teardown),
		cmocka_unit_test_teardown(disabled_stream_is_eproto, teardown),
		cmocka_unit_test_teardown(garbage_is_ebadmsg, teardown),
		cmocka_unit_test_teardown(answer_has_our_address_port_one_codec_and_direction,
					  teardown),
		cmocka_unit_test_teardown(b2bua_offer_keeps_caller_order_and_reads_answer, teardown),
		cmocka_unit_test(answer_directions_follow_rfc3264),
		cmocka_unit_test_teardown(bad_local_codec_is_refused, teardown),
	};

	return cmocka_run_group_tests_name("control_sdp", tests, NULL, NULL);
}
