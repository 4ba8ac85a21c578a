/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dataplane/mixer/jbuf.c: ordering, duplicates, late
 * packets, concealment and its fade, SSRC changes and timestamp jumps,
 * packet sizes other than the frame, bad input, and simulations of a
 * sender behind a jittery network (a talker with talkspurts and pauses
 * from a fixed-seed PRNG, mixer ticks every 20 ms): the target follows the
 * jitter, and a sender 100 ppm fast or slow for an hour keeps the level
 * within [min, max] with about 18 corrections, all on quiet frames. Every
 * frame carries its index in its first two samples so the output shows
 * which frame played.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mixer/jbuf.h"

#define F	160 /* 20 ms at 8 kHz */
#define SLOTS	16
#define RATE	8000
#define AMP	8000			/* sample value of a test frame */
#define TALK_E	((uint64_t)1000000 * F) /* mean square 1e6, about -30 dBov */
#define QUIET_E ((uint64_t)100 * F)	/* mean square 100, about -70 dBov */
#define SSRC	0x11223344u
#define TS0	0xfffff000u /* the stream's timestamps wrap after 26 frames */
#define SEQ0	65500	    /* ... and its sequence numbers after 36 */

static int16_t mem[SLOTS * JBUF_FRAME_MAX];
static struct jbuf jb;

/* splitmix64: a fixed-seed PRNG, the same sequence on every machine. */
static uint64_t rng_s;

static uint64_t
rng(void)
{
	uint64_t z = (rng_s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double
urand(void)
{
	return (double)(rng() >> 11) * (1.0 / 9007199254740992.0);
}

/* Irwin-Hall: the sum of 12 uniforms minus 6, close to N(0, 1). */
static double
gauss(void)
{
	double s = 0;

	for (int i = 0; i < 12; i++)
		s += urand();
	return s - 6.0;
}

/* Frame i: samples 0 and 1 carry i, the rest AMP. */
static void
frame_fill(int16_t *pcm, uint32_t i, unsigned int n)
{
	for (unsigned int j = 0; j < n; j++)
		pcm[j] = AMP;
	pcm[0] = (int16_t)(i & 0x7fff);
	pcm[1] = (int16_t)((i >> 15) & 0x7fff);
}

static uint32_t
frame_id(const int16_t *pcm)
{
	return (uint32_t)pcm[0] | (uint32_t)pcm[1] << 15;
}

static void
init_start(uint32_t start_delay)
{
	struct jbuf_cfg cfg;

	jbuf_cfg_default(&cfg);
	cfg.start_delay = start_delay;
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, &cfg), 0);
}

/* Frame i of the test stream, arriving at tick t (the arrival is for A.8 only). */
static int
put_frame_at(uint32_t i, uint32_t t)
{
	int16_t pcm[F];

	frame_fill(pcm, i, F);
	return jbuf_put(&jb, SSRC, (uint16_t)(SEQ0 + i), TS0 + i * F, i == 0, pcm, F, TALK_E,
			t * F + 7);
}

static int
put_frame(uint32_t i)
{
	return put_frame_at(i, i);
}

static int
get(int16_t *out, bool *talk)
{
	return jbuf_get(&jb, out, talk);
}

static struct jbuf_stats
stats(void)
{
	struct jbuf_stats st;

	jbuf_stats(&jb, &st);
	return st;
}

static void
in_order_stream_plays_every_frame_once(void **state)
{
	int16_t out[F], want[F];
	uint32_t next = 0;
	bool talk;

	(void)state;
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, NULL), 0);
	/* Nothing yet: silence. */
	assert_int_equal(get(out, &talk), JBUF_SILENT);
	assert_false(talk);
	for (uint32_t t = 0; t < 600; t++) {
		int r;

		assert_int_equal(put_frame(t), JBUF_PUT_OK);
		r = get(out, &talk);
		if (t == 0) {
			/* start_delay 2: the first frame plays at the next tick. */
			assert_int_equal(r, JBUF_SILENT);
			continue;
		}
		assert_int_equal(r, JBUF_REAL);
		frame_fill(want, next, F);
		assert_memory_equal(out, want, sizeof(out));
		assert_true(talk);
		next++;
	}
	assert_int_equal(get(out, &talk), JBUF_REAL);
	assert_int_equal(frame_id(out), 599);
	assert_int_equal(stats().played, 600);
	assert_int_equal(stats().concealed, 0);
	assert_int_equal(stats().silent, 2);
	assert_int_equal(stats().dup + stats().late + stats().resync + stats().bad, 0);
	assert_int_equal(stats().dropped_for_drift + stats().inserted_for_drift, 0);
	assert_int_equal(stats().put, 600);
	assert_int_equal(stats().level, 1);
	assert_int_equal(stats().jitter, 0);
}

static void
reorder_within_window_is_played_in_order(void **state)
{
	const uint32_t n = 600;
	int16_t out[F];
	uint32_t next = 0;
	bool talk;

	(void)state;
	/* Blocks of three sent backwards: 2 1 0 5 4 3 ...; frame 3b is two ticks late. */
	init_start(5);
	for (uint32_t t = 0; next < n && t < n + 50; t++) {
		int r;

		if (t < n)
			assert_int_equal(put_frame_at(t / 3 * 3 + 2 - t % 3, t), JBUF_PUT_OK);
		r = get(out, &talk);
		if (r != JBUF_REAL)
			continue;
		assert_int_equal(frame_id(out), next);
		next++;
	}
	assert_int_equal(next, n);
	assert_int_equal(stats().played, n);
	assert_int_equal(stats().concealed, 0);
	assert_int_equal(stats().late + stats().dup, 0);
	/* The reordering shows as jitter: about 2.7 frames of |D|. */
	assert_in_range(stats().jitter, 2 * F, 3 * F);
}

static void
duplicates_are_counted_and_dropped(void **state)
{
	int16_t out[F];
	uint32_t next = 0, dups = 0;
	bool talk;

	(void)state;
	init_start(3);
	for (uint32_t t = 0; t < 300; t++) {
		int r;

		assert_int_equal(put_frame(t), JBUF_PUT_OK);
		assert_int_equal(put_frame(t), JBUF_PUT_DUP); /* waiting, at once */
		dups++;
		if (t >= 1) { /* waiting, a tick later */
			assert_int_equal(put_frame(t - 1), JBUF_PUT_DUP);
			dups++;
		}
		if (t >= 4) { /* played already */
			assert_int_equal(put_frame(t - 4), JBUF_PUT_DUP);
			dups++;
		}
		r = get(out, &talk);
		if (t < 2) {
			assert_int_equal(r, JBUF_SILENT);
			continue;
		}
		assert_int_equal(r, JBUF_REAL);
		assert_int_equal(frame_id(out), next);
		next++;
	}
	assert_int_equal(stats().dup, dups);
	assert_int_equal(stats().played, next);
	assert_int_equal(stats().late + stats().concealed, 0);
	assert_int_equal(stats().put, 300 + dups);
}

static void
late_packet_after_its_slot_is_dropped_and_counted(void **state)
{
	int16_t out[F];
	bool talk;

	(void)state;
	init_start(2);
	for (uint32_t t = 0; t < 40; t++) {
		int r;

		if (t != 10)
			assert_int_equal(put_frame(t), JBUF_PUT_OK);
		if (t == 12)
			assert_int_equal(put_frame(10), JBUF_PUT_LATE);
		r = get(out, &talk);
		if (t == 0)
			continue;
		if (t == 11) { /* frame 10's tick: it is not there */
			assert_int_equal(r, JBUF_CONCEALED);
			continue;
		}
		assert_int_equal(r, JBUF_REAL);
		assert_int_equal(frame_id(out), t - 1);
	}
	assert_int_equal(stats().late, 1);
	assert_int_equal(stats().concealed, 1);
	assert_int_equal(stats().played, 38);
	/* Once more: a late packet is late again, not a duplicate. */
	assert_int_equal(put_frame(10), JBUF_PUT_LATE);
	assert_int_equal(stats().late, 2);
}

static void
single_loss_is_concealed_then_recovers(void **state)
{
	int16_t out[F];
	bool talk;

	(void)state;
	init_start(2);
	for (uint32_t t = 0; t < 30; t++) {
		int r;

		if (t != 10)
			assert_int_equal(put_frame(t), JBUF_PUT_OK);
		r = get(out, &talk);
		if (t == 0)
			continue;
		if (t == 11) {
			/* Frame 9 again, from full gain down to half (-6 dB). */
			assert_int_equal(r, JBUF_CONCEALED);
			assert_true(talk);
			assert_in_range(out[2], AMP - 100, AMP);
			assert_in_range(out[F / 2], AMP * 3 / 4 - 60, AMP * 3 / 4 + 60);
			assert_in_range(out[F - 1], AMP / 2 - 60, AMP / 2 + 60);
			continue;
		}
		assert_int_equal(r, JBUF_REAL);
		assert_int_equal(frame_id(out), t - 1);
		assert_int_equal(out[F - 1], AMP);
	}
	assert_int_equal(stats().concealed, 1);
	assert_int_equal(stats().played, 28);
	assert_int_equal(stats().late, 0);
}

/* Largest |sample| of out, and its last sample. */
static int
peak(const int16_t *out)
{
	int m = 0;

	for (int i = 2; i < F; i++)
		if ((out[i] < 0 ? -out[i] : out[i]) > m)
			m = out[i] < 0 ? -out[i] : out[i];
	return m;
}

static void
long_gap_fades_to_silence(void **state)
{
	int16_t out[F];
	uint32_t silent = 0;
	bool talk;

	(void)state;
	init_start(2);
	for (uint32_t t = 0; t < 20; t++) {
		assert_int_equal(put_frame(t), JBUF_PUT_OK);
		get(out, &talk);
	}
	/* Frame 19 is waiting; then the sender stops for 100 frames. */
	assert_int_equal(get(out, &talk), JBUF_REAL);
	assert_int_equal(frame_id(out), 19);
	assert_int_equal(get(out, &talk), JBUF_CONCEALED);
	assert_true(talk);
	assert_in_range(peak(out), AMP - 100, AMP);
	assert_in_range(out[F - 1], AMP / 2 - 60, AMP / 2 + 60);
	assert_int_equal(get(out, &talk), JBUF_CONCEALED);
	assert_false(talk);
	assert_in_range(peak(out), AMP / 2 - 60, AMP / 2 + 60);
	assert_in_range(out[F - 1], AMP / 4 - 60, AMP / 4 + 60);
	assert_int_equal(get(out, &talk), JBUF_CONCEALED);
	assert_false(talk);
	assert_in_range(peak(out), AMP / 4 - 60, AMP / 4 + 60);
	assert_in_range(out[F - 1], 0, 60);
	for (uint32_t t = 23; t < 120; t++) {
		int16_t zero[F] = {0};

		assert_int_equal(get(out, &talk), JBUF_SILENT);
		assert_false(talk);
		assert_memory_equal(out, zero, sizeof(out));
		silent++;
	}
	/*
	 * The sender resumes on its timeline: played again, no re-sync (at
	 * once: the play head went on while frame 19 was waiting).
	 */
	for (uint32_t t = 120; t < 140; t++) {
		assert_int_equal(put_frame(t), JBUF_PUT_OK);
		assert_int_equal(get(out, &talk), JBUF_REAL);
		assert_int_equal(frame_id(out), t);
	}
	assert_int_equal(stats().concealed, 3);
	assert_int_equal(stats().silent, 1 + 97);
	assert_int_equal(stats().resync, 0);
	assert_int_equal(stats().played, 20 + 20);
}

static void
ssrc_change_resyncs(void **state)
{
	int16_t out[F], pcm[F];
	uint32_t next = 1000;
	bool talk;

	(void)state;
	init_start(2);
	for (uint32_t t = 0; t < 50; t++) {
		assert_int_equal(put_frame(t), JBUF_PUT_OK);
		get(out, &talk);
	}
	/* Frame 49 of A is waiting when B takes over: it is flushed. */
	for (uint32_t k = 0; k < 60; k++) {
		int r;

		frame_fill(pcm, 1000 + k, F);
		r = jbuf_put(&jb, 0xbbbb, (uint16_t)(4321 + k), 777777 + k * F, k == 0, pcm, F,
			     TALK_E, 50000 + k * F);
		assert_int_equal(r, k == 0 ? JBUF_PUT_RESYNC : JBUF_PUT_OK);
		if (k == 1) /* a straggler of A */
			assert_int_equal(put_frame(50), JBUF_PUT_STALE);
		r = get(out, &talk);
		if (r == JBUF_REAL) {
			assert_int_equal(frame_id(out), next);
			next++;
		}
	}
	/* B plays from its first frame, one tick after it arrived. */
	assert_int_equal(next, 1059);
	assert_int_equal(stats().resync, 1);
	assert_int_equal(stats().stale, 1);
	assert_int_equal(stats().played, 49 + 59);
}

/* Put frame id with the given seq and ts; expect status. */
static void
put_expect(uint32_t id, uint16_t seq, uint32_t ts, int status)
{
	int16_t pcm[F];

	frame_fill(pcm, id, F);
	assert_int_equal(jbuf_put(&jb, SSRC, seq, ts, false, pcm, F, TALK_E, id * F), status);
}

static void
timestamp_jump_resyncs(void **state)
{
	int16_t out[F];
	uint32_t ts = 5000, next = 0, id = 0;
	uint16_t seq = 100;
	bool talk;

	(void)state;
	init_start(2);
	for (uint32_t t = 0; t < 300; t++) {
		int status = JBUF_PUT_OK;
		int r;

		if (t == 50) { /* forward 125 s */
			ts += 1000000;
			status = JBUF_PUT_RESYNC;
		} else if (t == 100) { /* backward 625 s */
			ts -= 5000000;
			status = JBUF_PUT_RESYNC;
		} else if (t == 150) { /* by half a block: not on the grid */
			ts += 37;
			status = JBUF_PUT_RESYNC;
		}
		if (t == 200) /* a lone stray packet, far away: ignored */
			put_expect(99999, (uint16_t)(seq + 30000), ts + 123456789, JBUF_PUT_STRAY);
		put_expect(id++, seq++, ts, status);
		ts += F;
		r = get(out, &talk);
		if (r == JBUF_REAL) {
			/* The frame before each jump was flushed. */
			if (next == 49 || next == 99 || next == 149)
				next++;
			assert_int_equal(frame_id(out), next);
			next++;
		}
	}
	assert_int_equal(next, 299);
	assert_int_equal(stats().resync, 3);
	assert_int_equal(stats().stray, 1);
	assert_int_equal(stats().played, 296);
}

/*
 * A stream of packets of n samples, each sample carrying its index
 * modulo 30000, arriving as soon as complete: the output continues the
 * samples exactly, frame after frame, whatever n.
 */
static void
stream_of_size(unsigned int n, unsigned int drop_pkt)
{
	int16_t pcm[4 * F], out[F];
	uint32_t sent = 0, pkt = 0, expect = 0, reals = 0;
	bool started = false, talk;

	init_start(3);
	for (uint32_t t = 0; t < 400; t++) {
		/* Packets complete by the end of tick t. */
		while (sent + n <= (t + 1) * F) {
			for (unsigned int j = 0; j < n; j++)
				pcm[j] = (int16_t)((sent + j) % 30000);
			if (pkt != drop_pkt)
				assert_int_equal(jbuf_put(&jb, SSRC, (uint16_t)pkt, 1000 + sent,
							  pkt == 0, pcm, n, TALK_E / F * n,
							  sent + n),
						 JBUF_PUT_OK);
			sent += n;
			pkt++;
		}
		if (get(out, &talk) != JBUF_REAL) {
			assert_false(started);
			continue;
		}
		if (!started)
			expect = (uint16_t)out[0];
		started = true;
		for (unsigned int j = 0; j < F; j++) {
			bool lost = drop_pkt != UINT32_MAX && expect + j >= drop_pkt * n &&
				    expect + j < (drop_pkt + 1) * n;

			assert_int_equal(out[j], lost ? 0 : (int16_t)((expect + j) % 30000));
		}
		expect += F;
		reals++;
	}
	assert_true(reals > 390);
	assert_int_equal(stats().concealed, 0);
	assert_int_equal(stats().bad, 0);
}

static void
packets_of_10_30_40_60_ms_fill_20_ms_frames(void **state)
{
	(void)state;
	stream_of_size(80, UINT32_MAX);
	stream_of_size(240, UINT32_MAX);
	stream_of_size(320, UINT32_MAX);
	stream_of_size(480, UINT32_MAX);
	assert_int_equal(stats().partial, 0);
	/* A lost 10 ms packet leaves half a frame, zero-filled. */
	stream_of_size(80, 101);
	assert_int_equal(stats().partial, 1);
	/* Two 10 ms packets a tick, the first at 3 frames + 1/2: frames 0..396. */
	assert_int_equal(stats().played, 397);
}

static void
bad_sizes_and_arguments_are_rejected(void **state)
{
	struct jbuf_cfg cfg;
	int16_t pcm[JBUF_FRAME_MAX] = {0}, out[F];
	bool talk;

	(void)state;
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, NULL), 0);
	assert_int_equal(jbuf_put(&jb, 1, 1, 0, false, pcm, 0, 0, 0), JBUF_PUT_BAD);
	assert_int_equal(jbuf_put(&jb, 1, 1, 0, false, pcm, 100, 0, 0), JBUF_PUT_BAD);
	/* (16 - 10) frames is the largest packet. */
	assert_int_equal(jbuf_put(&jb, 1, 1, 0, false, mem, 7 * F, 0, 0), JBUF_PUT_BAD);
	assert_int_equal(stats().bad, 3);
	assert_int_equal(jbuf_put(&jb, 1, 1, 0, false, NULL, F, 0, 0), -EINVAL);
	assert_int_equal(jbuf_put(NULL, 1, 1, 0, false, pcm, F, 0, 0), -EINVAL);
	assert_int_equal(jbuf_get(&jb, NULL, &talk), -EINVAL);
	assert_int_equal(jbuf_get(&jb, out, NULL), -EINVAL);
	assert_int_equal(jbuf_get(NULL, out, &talk), -EINVAL);
	/* Nothing was accepted: still silent, still idle. */
	assert_int_equal(jbuf_get(&jb, out, &talk), JBUF_SILENT);

	assert_int_equal(jbuf_init(&jb, mem, 12, F, NULL), -EINVAL);
	assert_int_equal(jbuf_init(&jb, mem, 4, F, NULL), -EINVAL);
	assert_int_equal(jbuf_init(&jb, mem, 64, F, NULL), -EINVAL);
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, 0, NULL), -EINVAL);
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, JBUF_FRAME_MAX + 1, NULL), -EINVAL);
	assert_int_equal(jbuf_init(&jb, NULL, SLOTS, F, NULL), -EINVAL);
	assert_int_equal(jbuf_init(&jb, mem, 8, F, NULL), 0); /* max_delay lowered to 6 */
	jbuf_cfg_default(&cfg);
	cfg.max_delay = 15;
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, &cfg), -EINVAL);
	jbuf_cfg_default(&cfg);
	cfg.min_delay = 9; /* max_delay 10 < min + 2 */
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, &cfg), -EINVAL);
	jbuf_cfg_default(&cfg);
	cfg.block_samples = 7;
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, &cfg), -EINVAL);
	cfg.block_samples = 10; /* 16 blocks: the most a frame may have */
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, &cfg), 0);
	cfg.block_samples = 5;
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, &cfg), -EINVAL);
	/* A frame of 97 samples (prime): whole frames only. */
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, 97, NULL), 0);
	assert_int_equal(jbuf_put(&jb, 1, 1, 0, false, pcm, 80, 0, 0), JBUF_PUT_BAD);
	assert_int_equal(jbuf_put(&jb, 1, 1, 0, false, pcm, 97, 0, 0), JBUF_PUT_OK);
}

/* Random packets, sizes, timestamps and ticks: no crash, counters add up. */
static void
random_input_never_breaks_the_counters(void **state)
{
	int16_t pcm[JBUF_FRAME_MAX], out[F];
	uint64_t by_status[JBUF_PUT_BAD + 1] = {0}, gets = 0;
	uint32_t ts = 0;
	uint16_t seq = 0;
	struct jbuf_stats st;
	bool talk;

	(void)state;
	rng_s = 42;
	for (unsigned int j = 0; j < JBUF_FRAME_MAX; j++)
		pcm[j] = (int16_t)rng();
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, NULL), 0);
	for (uint32_t i = 0; i < 200000; i++) {
		uint64_t r = rng();
		unsigned int n;
		int rv;

		switch (r % 8) {
		case 0: /* anything at all */
			ts = (uint32_t)(r >> 32);
			seq = (uint16_t)(r >> 16);
			break;
		case 1: /* near */
			ts += (uint32_t)((int32_t)((r >> 40) % (40 * F)) - 20 * F);
			seq += (uint16_t)((r >> 8) % 5);
			break;
		default: /* in order */
			ts += F;
			seq++;
			break;
		}
		n = (r >> 20) % 5 == 0 ? (unsigned int)((r >> 24) % (JBUF_FRAME_MAX + 1)) : F;
		rv = jbuf_put(&jb, (r >> 28) % 50 == 0 ? 2 : 1, seq, ts, (r >> 30) % 20 == 0, pcm,
			      n, (r >> 33) % 2 ? TALK_E : QUIET_E, (uint32_t)(r >> 36));
		assert_in_range(rv, JBUF_PUT_OK, JBUF_PUT_BAD);
		by_status[rv]++;
		if ((r >> 45) % 3 != 0) {
			rv = jbuf_get(&jb, out, &talk);
			assert_in_range(rv, JBUF_REAL, JBUF_SILENT);
			gets++;
		}
	}
	jbuf_stats(&jb, &st);
	assert_int_equal(st.put, 200000);
	assert_int_equal(st.resync, by_status[JBUF_PUT_RESYNC]);
	assert_int_equal(st.overflow, by_status[JBUF_PUT_OVERFLOW]);
	assert_int_equal(st.dup, by_status[JBUF_PUT_DUP]);
	assert_int_equal(st.late, by_status[JBUF_PUT_LATE]);
	assert_int_equal(st.stale, by_status[JBUF_PUT_STALE]);
	assert_int_equal(st.stray, by_status[JBUF_PUT_STRAY]);
	assert_int_equal(st.bad, by_status[JBUF_PUT_BAD]);
	assert_int_equal(st.played + st.concealed + st.silent + st.inserted_for_drift, gets);
	assert_in_range(st.target, 1, 10);
	assert_true(st.resync > 0 && st.dup > 0 && st.late > 0 && st.stray > 0 && st.bad > 0);
}

/*
 * The simulation: a sender whose clock runs ppm fast, frames of 20 ms of
 * its clock sent 3 ms after they end, a network delay of base_ms plus
 * Gaussian jitter of jit_ms (never below 0), the mixer ticking every
 * 20 ms of its own clock and taking the packets that arrived before each
 * tick in arrival order. The talker speaks 1-5 s and pauses 0.5-3 s (or
 * never pauses); with dtx the pauses send nothing and talkspurts start
 * with the marker bit, else pauses send quiet frames (and the marker still
 * starts talkspurts). Drops and inserts are seen in the output: a real
 * frame j after real frame i with c other frames between is j - i - 1 - c
 * drops, or inserts when negative.
 */
#define SIM_FRAMES 190000 /* an hour and then some */

static uint8_t quiet_map[SIM_FRAMES];

struct sim {
	/* in */
	double ppm, base_ms, jit_ms, seconds, warmup_s;
	bool talk_always, dtx;
	uint64_t seed;
	struct jbuf_cfg cfg;
	/* out */
	uint64_t ticks, conceal_early, conceal_late; /* lost frames before 10 s, after warmup */
	uint64_t forced_late;			     /* forced corrections after warmup */
	uint32_t drops, inserts;		     /* seen in the output */
	uint32_t bad_drops, bad_inserts;	     /* ... after warmup, not on quiet frames */
	int32_t lvl_min, lvl_max;		     /* level_avg after warmup, samples */
	uint32_t level_max, target_min, target_max;  /* frames, after warmup */
	struct jbuf_stats st;
};

struct pend {
	double at;
	uint32_t i;
	uint16_t seq;
	bool marker;
};

static void
sim_run(struct sim *s)
{
	const double period = 0.02 / (1.0 + s->ppm * 1e-6);
	struct pend pool[64];
	uint32_t n_pool = 0, next_i = 0, left = 0, last = 0, nonreal = 0;
	uint16_t seq = 30000;
	bool in_talk = false, prev_quiet = true, have_last = false;
	int16_t pcm[F], out[F];

	rng_s = s->seed;
	s->lvl_min = INT32_MAX;
	s->lvl_max = INT32_MIN;
	s->target_min = UINT32_MAX;
	assert_int_equal(jbuf_init(&jb, mem, SLOTS, F, &s->cfg), 0);
	s->ticks = (uint64_t)(s->seconds / 0.02);
	for (uint64_t k = 0; k < s->ticks; k++) {
		const double t = (double)k * 0.02;
		struct jbuf_stats st;
		bool talk;
		int r;

		/* Frames captured by now go on the wire. */
		while (0.003 + (next_i + 1) * period < t) {
			uint32_t i = next_i++;
			bool quiet;

			assert_true(i < SIM_FRAMES);
			if (left == 0) {
				in_talk = !in_talk;
				left = in_talk ? 50 + rng() % 201 : 25 + rng() % 126;
			}
			left--;
			quiet = !in_talk && !s->talk_always;
			quiet_map[i] = quiet;
			if (!(s->dtx && quiet)) {
				double delay = s->base_ms + s->jit_ms * gauss();

				assert_true(n_pool < 64);
				pool[n_pool++] = (struct pend){
					.at = 0.003 + (i + 1) * period +
					      (delay > 0 ? delay : 0) / 1000,
					.i = i,
					.seq = seq++,
					.marker = prev_quiet && !quiet,
				};
			}
			prev_quiet = quiet;
		}
		/* Those that arrived before this tick, in arrival order. */
		for (;;) {
			uint32_t m = UINT32_MAX;

			for (uint32_t p = 0; p < n_pool; p++)
				if (pool[p].at < t && (m == UINT32_MAX || pool[p].at < pool[m].at))
					m = p;
			if (m == UINT32_MAX)
				break;
			frame_fill(pcm, pool[m].i, F);
			r = jbuf_put(
				&jb, SSRC, pool[m].seq, TS0 + pool[m].i * F, pool[m].marker, pcm, F,
				quiet_map[pool[m].i] ? QUIET_E : TALK_E / 4 + rng() % (2 * TALK_E),
				(uint32_t)(pool[m].at * RATE) + 12345);
			assert_true(r == JBUF_PUT_OK || r == JBUF_PUT_LATE);
			pool[m] = pool[--n_pool];
		}
		r = jbuf_get(&jb, out, &talk);
		if (r == JBUF_REAL) {
			uint32_t j = frame_id(out);

			if (have_last) {
				uint32_t gap;

				assert_true(j > last);
				gap = j - last - 1;
				if (gap > nonreal) {
					s->drops += gap - nonreal;
					if (nonreal == 0 && t >= s->warmup_s)
						for (uint32_t m = last + 1; m < j; m++)
							s->bad_drops += !quiet_map[m];
				} else if (gap < nonreal) {
					s->inserts += nonreal - gap;
					if (t >= s->warmup_s)
						s->bad_inserts += !quiet_map[last] || !quiet_map[j];
				}
			}
			have_last = true;
			last = j;
			nonreal = 0;
		} else {
			nonreal++;
		}
		jbuf_stats(&jb, &st);
		if (t < 10)
			s->conceal_early = st.concealed;
		if (t < s->warmup_s) {
			s->forced_late = st.forced;
			s->conceal_late = st.concealed;
			continue;
		}
		if (st.level_avg < s->lvl_min)
			s->lvl_min = st.level_avg;
		if (st.level_avg > s->lvl_max)
			s->lvl_max = st.level_avg;
		if (st.level > s->level_max)
			s->level_max = st.level;
		if (st.target < s->target_min)
			s->target_min = st.target;
		if (st.target > s->target_max)
			s->target_max = st.target;
	}
	jbuf_stats(&jb, &s->st);
	s->forced_late = s->st.forced - s->forced_late;
	s->conceal_late = s->st.concealed - s->conceal_late;
	print_message("# ppm %+.0f jitter %.0f ms: played %lu concealed %lu (%lu after warmup) "
		      "late %lu dropped %lu inserted %lu forced %lu talkspurt %lu; "
		      "level_avg %.2f..%.2f frames, level max %u, target %u..%u\n",
		      s->ppm, s->jit_ms, (unsigned long)s->st.played,
		      (unsigned long)s->st.concealed, (unsigned long)s->conceal_late,
		      (unsigned long)s->st.late, (unsigned long)s->st.dropped_for_drift,
		      (unsigned long)s->st.inserted_for_drift, (unsigned long)s->st.forced,
		      (unsigned long)s->st.talkspurt, (double)s->lvl_min / F,
		      (double)s->lvl_max / F, s->level_max, s->target_min, s->target_max);
}

static void
sim_defaults(struct sim *s, double ppm, uint64_t seed)
{
	*s = (struct sim){
		.ppm = ppm,
		.base_ms = 40,
		.jit_ms = 8,
		.seconds = 3600,
		.warmup_s = 20,
		.seed = seed,
	};
	jbuf_cfg_default(&s->cfg);
}

static void
jitter_raises_target_delay(void **state)
{
	struct sim s;

	(void)state;
	sim_defaults(&s, 0, 7);
	s.base_ms = 80;
	s.jit_ms = 20; /* delays mostly 60..100 ms, tails to 140 */
	s.seconds = 300;
	s.warmup_s = 60;
	s.cfg.max_delay = 12;
	sim_run(&s);
	/* It started at 2 frames and underran... */
	assert_true(s.conceal_early > 0);
	/* ... then the target rose to cover 3.4 sigma, and underruns stopped. */
	assert_in_range(s.target_min, 4, 6);
	assert_true(s.conceal_late * 1000 < (s.ticks - 3000) * 2);
	assert_true(s.lvl_min >= (int32_t)(s.target_min * F - F / 2 - F / 8));
	assert_int_equal(s.bad_drops, 0);
	assert_int_equal(s.bad_inserts, 0);
	assert_int_equal(s.forced_late, 0);

	/* The same network with the delay held at 3 frames at most: 1.5 sigma. */
	sim_defaults(&s, 0, 7);
	s.base_ms = 80;
	s.jit_ms = 20;
	s.seconds = 300;
	s.warmup_s = 60;
	s.cfg.max_delay = 3;
	sim_run(&s);
	assert_true(s.conceal_late * 100 > (s.ticks - 3000) * 2);
}

/* The hour-long drift runs: bounded, no underrun storm, ~18 quiet corrections. */
static void
check_drift(const struct sim *s, uint32_t drops, uint32_t inserts)
{
	assert_true(s->lvl_min >= (int32_t)(s->cfg.min_delay * F));
	assert_true(s->lvl_max <= (int32_t)(s->cfg.max_delay * F));
	/* ... and within the band around the target, give or take an eighth. */
	assert_true(s->lvl_min >= (int32_t)(s->target_min * F - F / 2 - F / 8));
	assert_true(s->lvl_max <= (int32_t)(s->target_max * F + F * 3 / 4 + F / 8));
	assert_true(s->level_max <= s->target_max + 2);
	assert_true(s->st.concealed * 1000 < s->ticks);
	assert_int_equal(s->bad_drops, 0);
	assert_int_equal(s->bad_inserts, 0);
	assert_int_equal(s->forced_late, 0);
	assert_int_equal(s->drops, drops);
	assert_int_equal(s->inserts, inserts);
}

static void
drift_plus_100ppm_for_an_hour_keeps_delay_bounded(void **state)
{
	struct sim s;

	(void)state;
	sim_defaults(&s, +100, 1);
	sim_run(&s);
	/* 180,018 frames sent in 180,000 ticks: 18 too many. */
	assert_in_range(s.st.dropped_for_drift, 16, 20);
	assert_true(s.st.inserted_for_drift <= 1);
	check_drift(&s, (uint32_t)s.st.dropped_for_drift, (uint32_t)s.st.inserted_for_drift);
}

static void
drift_minus_100ppm_for_an_hour_keeps_delay_bounded(void **state)
{
	struct sim s;

	(void)state;
	sim_defaults(&s, -100, 2);
	sim_run(&s);
	assert_in_range(s.st.inserted_for_drift, 16, 20);
	assert_true(s.st.dropped_for_drift <= 1);
	check_drift(&s, (uint32_t)s.st.dropped_for_drift, (uint32_t)s.st.inserted_for_drift);
}

static void
drift_with_a_talker_who_never_pauses_is_forced_on_the_quietest_frames(void **state)
{
	struct sim s;

	(void)state;
	sim_defaults(&s, +100, 3);
	s.talk_always = true;
	sim_run(&s);
	assert_in_range(s.st.dropped_for_drift, 16, 20);
	assert_int_equal(s.st.forced, s.st.dropped_for_drift + s.st.inserted_for_drift);
	assert_true(s.lvl_max <= (int32_t)(s.cfg.max_delay * F));
	assert_true(s.st.concealed * 1000 < s.ticks);
	sim_defaults(&s, -100, 4);
	s.talk_always = true;
	sim_run(&s);
	assert_in_range(s.st.inserted_for_drift, 16, 20);
	assert_true(s.lvl_min >= (int32_t)(s.cfg.min_delay * F));
	assert_true(s.st.concealed * 1000 < s.ticks);
}

static void
drift_of_a_dtx_sender_is_corrected_at_talkspurt_starts(void **state)
{
	struct sim s;

	(void)state;
	sim_defaults(&s, +100, 5);
	s.dtx = true;
	sim_run(&s);
	/* Each talkspurt reset skips one frame of the silence before it. */
	assert_in_range(s.st.talkspurt, 16, 20);
	assert_int_equal(s.st.dropped_for_drift + s.forced_late, 0);
	assert_true(s.lvl_max <= (int32_t)(s.cfg.max_delay * F));
	assert_true(s.st.late * 1000 < s.ticks);
	assert_int_equal(s.bad_drops, 0);
	sim_defaults(&s, -100, 6);
	s.dtx = true;
	sim_run(&s);
	/* Slow: the level sinks and quiet frames are inserted in the pauses. */
	assert_in_range(s.st.talkspurt + s.st.inserted_for_drift, 16, 21);
	assert_int_equal(s.forced_late, 0);
	assert_true(s.lvl_min >= (int32_t)(s.cfg.min_delay * F));
	assert_true(s.st.late * 1000 < s.ticks);
}

static void
burst_after_a_stall_overflows_to_the_target(void **state)
{
	int16_t out[F];
	bool talk;

	(void)state;
	init_start(2);
	for (uint32_t t = 0; t < 40; t++) {
		assert_int_equal(put_frame(t), JBUF_PUT_OK);
		get(out, &talk);
	}
	/* The network holds 30 frames, then delivers them at once. */
	for (uint32_t t = 40; t < 70; t++)
		get(out, &talk);
	for (uint32_t t = 40; t < 70; t++) {
		int r = put_frame(t);

		assert_true(r == JBUF_PUT_OK || r == JBUF_PUT_LATE || r == JBUF_PUT_OVERFLOW);
	}
	assert_int_equal(stats().overflow, 0); /* the late ones were dropped */
	/* And again, while nothing is missing: 30 frames beyond the window. */
	for (uint32_t t = 70; t < 100; t++) {
		int r = put_frame(t);

		assert_true(r == JBUF_PUT_OK || r == JBUF_PUT_OVERFLOW);
	}
	/*
	 * 69..83 fit; 84 moves the head to 83 (84 at the target level, 2),
	 * 85..97 fit again, 98 moves it to 97.
	 */
	assert_int_equal(stats().overflow, 2);
	for (uint32_t i = 97; i < 100; i++) {
		assert_int_equal(get(out, &talk), JBUF_REAL);
		assert_int_equal(frame_id(out), i);
	}
	assert_int_equal(stats().late, 29);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_stream_plays_every_frame_once),
		cmocka_unit_test(reorder_within_window_is_played_in_order),
		cmocka_unit_test(duplicates_are_counted_and_dropped),
		cmocka_unit_test(late_packet_after_its_slot_is_dropped_and_counted),
		cmocka_unit_test(single_loss_is_concealed_then_recovers),
		cmocka_unit_test(long_gap_fades_to_silence),
		cmocka_unit_test(ssrc_change_resyncs),
		cmocka_unit_test(timestamp_jump_resyncs),
		cmocka_unit_test(packets_of_10_30_40_60_ms_fill_20_ms_frames),
		cmocka_unit_test(bad_sizes_and_arguments_are_rejected),
		cmocka_unit_test(random_input_never_breaks_the_counters),
		cmocka_unit_test(burst_after_a_stall_overflows_to_the_target),
		cmocka_unit_test(jitter_raises_target_delay),
		cmocka_unit_test(drift_plus_100ppm_for_an_hour_keeps_delay_bounded),
		cmocka_unit_test(drift_minus_100ppm_for_an_hour_keeps_delay_bounded),
		cmocka_unit_test(
			drift_with_a_talker_who_never_pauses_is_forced_on_the_quietest_frames),
		cmocka_unit_test(drift_of_a_dtx_sender_is_corrected_at_talkspurt_starts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
