#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""RTP endpoint on kernel UDP sockets, for the demo and the system tests.

Sends paced RTP (and optionally RTCP SR/RR + SDES) to a peer while receiving
on its own RTP and RTCP sockets, then writes a JSON report of what arrived:
counts, sequence statistics (RFC 3550 A.1-style extended sequence numbers),
interarrival jitter (RFC 3550 A.8, 8000 Hz clock), SSRCs and source
addresses. It always stops by itself: the run is bounded by --count or
--duration (default 5 s) plus --linger, and it exits 0 even if nothing
arrived (2 on bad arguments, 1 if a socket cannot be opened).

  rtp_endpoint.py --bind 127.0.0.1:40000 --peer 127.0.0.1:40010 \\
      --pcap tests/data/x.pcap --rtcp-interval 1 --report out.json --live

Packets come from --pcap (classic pcap, Ethernet, IPv4 or IPv6/UDP: the RTP
headers and payloads of the first RTP stream in it, or --pcap-ssrc, sent as
they are and looped with continuing seq/ts if more are needed) or are made
up: PCMU silence, or with --tone HZ a sine at about -10 dBFS (amplitude
10362 of 32767) encoded in G.711 (--pt 0 mu-law, --pt 8 A-law; ITU-T G.711
as in the G.191 reference code). --dtmf DIGIT replaces the audio in the
middle of the stream with one RFC 4733 key press (100 ms, PT --dtmf-pt,
default 101: the start with the marker bit, growing durations, three end
packets). Without --peer the endpoint only receives.

--analyze HZ[,HZ...] decodes the G.711 audio received on the main stream
(each packet with its own PT: 0 mu-law, 8 A-law, others skipped), takes
the middle half of it and writes the amplitude of each frequency (Goertzel)
into the report's "analysis", in the same units as the tone's amplitude:
who hears whom in a conference.

Self-check by hand (two endpoints on 127.0.0.1 sending to each other):
  scripts/lib/rtp_endpoint.py --self-test
"""

import argparse
import json
import math
import os
import random
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

CLOCK = 8000			# Hz: RTP clock for jitter (G.711)
NTP_UNIX_OFFSET = 2208988800	# seconds from 1900 to 1970 (RFC 3550 4)
MAX_SDES_CNAME = 255
RTCP_SR, RTCP_RR, RTCP_SDES, RTCP_BYE, RTCP_APP = 200, 201, 202, 203, 204
RTCP_NAMES = {200: "SR", 201: "RR", 202: "SDES", 203: "BYE", 204: "APP",
	      205: "RTPFB", 206: "PSFB", 207: "XR"}
TONE_AMPLITUDE = 10362		# 32767 * 10^(-10/20): about -10 dBFS
PT_PCMU, PT_PCMA = 0, 8
DTMF_KEYS = "0123456789*#ABCD"	# RFC 4733 3.2: events 0..15
DTMF_PACKETS = 5		# a press of 5 packet times (100 ms at 20 ms) ...
DTMF_END_COPIES = 3		# ... whose end packet is sent 3 times (2.5.1.4)
DTMF_VOLUME = 10		# -dBm0 (2.3.4)
ANALYSIS_MAX_PACKETS = 30000	# per SSRC kept for --analyze (10 min at 20 ms)
ANALYSIS_MAX_GAP = 10 * CLOCK	# a longer jump in timestamps starts afresh


class BadInput(Exception):
	"""Bad arguments or an unusable input file: exit 2."""


def parse_addr(text):
	"""'IP:PORT' or '[IPv6]:PORT' -> (family, ip, port)."""
	if text.startswith("["):
		host, sep, port = text[1:].partition("]:")
	else:
		host, sep, port = text.rpartition(":")
	if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
		raise argparse.ArgumentTypeError(f"expected IP:PORT, got '{text}'")
	for family in (socket.AF_INET, socket.AF_INET6):
		try:
			socket.inet_pton(family, host)
			return family, host, int(port)
		except OSError:
			pass
	raise argparse.ArgumentTypeError(f"not an IP address: '{host}'")


def fmt_addr(addr):
	host, port = addr[0], addr[1]
	return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def s32(v):
	"""Unsigned 32-bit difference -> signed."""
	v &= 0xffffffff
	return v - (1 << 32) if v & 0x80000000 else v


# --- RTP (RFC 3550 5.1) ----------------------------------------------------

def rtp_parse(data):
	"""-> (pt, seq, ts, ssrc, payload_len) or None if not a valid RTP packet."""
	if len(data) < 12 or data[0] >> 6 != 2:
		return None
	cc = data[0] & 0x0f
	hlen = 12 + 4 * cc
	if data[0] & 0x10:				# header extension
		if len(data) < hlen + 4:
			return None
		hlen += 4 + 4 * struct.unpack_from("!H", data, hlen + 2)[0]
	pad = data[-1] if data[0] & 0x20 else 0
	if data[0] & 0x20 and pad == 0:
		return None
	if hlen + pad > len(data):
		return None
	_, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", data)
	return b1 & 0x7f, seq, ts, ssrc, len(data) - hlen - pad


def is_rtcp(data):
	# RFC 5761 4: RTCP packet types 192..223 sit where RTP's M+PT does
	return len(data) >= 2 and 192 <= data[1] <= 223


def rtp_payload(data):
	"""The payload bytes of a valid RTP packet (after CSRCs, the header
	extension and before padding), or None."""
	if rtp_parse(data) is None:
		return None
	hlen = 12 + 4 * (data[0] & 0x0f)
	if data[0] & 0x10:
		hlen += 4 + 4 * struct.unpack_from("!H", data, hlen + 2)[0]
	pad = data[-1] if data[0] & 0x20 else 0
	return bytes(data[hlen:len(data) - pad])


# --- G.711 (ITU-T G.711; the algorithm of the G.191 STL reference code) ----

def ulaw_encode(pcm):
	"""16-bit linear sample -> mu-law byte (G.191 ulaw_compress: the 14
	most significant bits, one's complement magnitude biased by 33)."""
	absno = ((~pcm if pcm < 0 else pcm) >> 2) + 33
	absno = min(absno, 0x1FFF)
	segno, i = 1, absno >> 6
	while i:
		segno += 1
		i >>= 1
	code = ((8 - segno) << 4) | (15 - ((absno >> segno) & 0x0F))
	return code | 0x80 if pcm >= 0 else code


def ulaw_decode(u):
	"""mu-law byte -> 16-bit linear sample (G.191 ulaw_expand)."""
	sign = -1 if u < 0x80 else 1
	m = ~u & 0xFF
	exponent = (m >> 4) & 0x07
	step = 4 << (exponent + 1)
	return sign * ((0x80 << exponent) + step * (m & 0x0F) + step // 2 - 4 * 33)


def alaw_encode(pcm):
	"""16-bit linear sample -> A-law byte (G.191 alaw_compress: the 12 most
	significant bits, one's complement magnitude, even bits inverted)."""
	ix = (~pcm if pcm < 0 else pcm) >> 4
	if ix > 15:
		iexp = 1
		while ix > 16 + 15:
			ix >>= 1
			iexp += 1
		ix = ix - 16 + (iexp << 4)
	if pcm >= 0:
		ix |= 0x80
	return ix ^ 0x55


def alaw_decode(a):
	"""A-law byte -> 16-bit linear sample (G.191 alaw_expand)."""
	ix = (a ^ 0x55) & 0x7F
	iexp, mant = ix >> 4, ix & 0x0F
	if iexp > 0:
		mant += 16
	mant = (mant << 4) + 0x08
	if iexp > 1:
		mant <<= iexp - 1
	return mant if a > 127 else -mant


ULAW_TABLE = [ulaw_decode(b) for b in range(256)]
ALAW_TABLE = [alaw_decode(b) for b in range(256)]


def g711_encode(pt, samples):
	enc = ulaw_encode if pt == PT_PCMU else alaw_encode
	return bytes(enc(x) for x in samples)


def g711_decode(pt, payload):
	"""-> list of 16-bit samples, or None if pt is not G.711."""
	if pt == PT_PCMU:
		table = ULAW_TABLE
	elif pt == PT_PCMA:
		table = ALAW_TABLE
	else:
		return None
	return [table[b] for b in payload]


def tone_level(samples, freq, rate=CLOCK):
	"""Amplitude of the freq Hz component of samples (Goertzel), in the
	samples' units: a sine of amplitude A gives about A."""
	n = len(samples)
	if n == 0:
		return 0.0
	c = 2.0 * math.cos(2.0 * math.pi * freq / rate)
	s1 = s2 = 0.0
	for x in samples:
		s1, s2 = x + c * s1 - s2, s1
	return 2.0 * math.sqrt(max(0.0, s1 * s1 + s2 * s2 - c * s1 * s2)) / n


# --- pcap ------------------------------------------------------------------

def read_pcap(path, want_ssrc=None):
	"""RTP packets (bytes) of one stream of a classic pcap with Ethernet
	link type: the first RTP stream, or the one with SSRC want_ssrc."""
	try:
		with open(path, "rb") as f:
			blob = f.read()
	except OSError as e:
		raise BadInput(f"cannot read pcap {path}: {e.strerror}")
	if len(blob) < 24:
		raise BadInput(f"{path}: not a pcap file (too short)")
	magic = blob[:4]
	if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
		endian = "<"
	elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
		endian = ">"
	else:
		raise BadInput(f"{path}: not a classic pcap file (pcapng is not "
			       f"supported; convert with editcap -F pcap)")
	linktype = struct.unpack_from(endian + "I", blob, 20)[0] & 0x0fffffff
	if linktype != 1:
		raise BadInput(f"{path}: link type {linktype}, need 1 (Ethernet)")
	out = []
	off = 24
	while off + 16 <= len(blob):
		incl, orig = struct.unpack_from(endian + "II", blob, off + 8)
		frame = blob[off + 16:off + 16 + incl]
		off += 16 + incl
		if incl != orig or len(frame) != incl:
			continue			# truncated capture
		udp = udp_payload(frame)
		if udp is None or is_rtcp(udp):
			continue
		hdr = rtp_parse(udp)
		if hdr is None:
			continue
		if want_ssrc is None:
			want_ssrc = hdr[3]
		if hdr[3] == want_ssrc:
			out.append(bytes(udp))
	if not out:
		raise BadInput(f"{path}: no RTP packets" +
			       ("" if want_ssrc is None else f" with SSRC {want_ssrc:#010x}"))
	return out


def udp_payload(frame):
	if len(frame) < 14:
		return None
	etype = struct.unpack_from("!H", frame, 12)[0]
	off = 14
	while etype in (0x8100, 0x88a8) and len(frame) >= off + 4:	# VLAN
		etype = struct.unpack_from("!H", frame, off + 2)[0]
		off += 4
	if etype == 0x0800:
		if len(frame) < off + 20 or frame[off] >> 4 != 4:
			return None
		ihl = (frame[off] & 0x0f) * 4
		total, frag, proto = (struct.unpack_from("!H", frame, off + 2)[0],
				      struct.unpack_from("!H", frame, off + 6)[0],
				      frame[off + 9])
		if proto != 17 or frag & 0x3fff:	# not UDP, or a fragment
			return None
		ip_end = min(off + total, len(frame))
		off += ihl
	elif etype == 0x86dd:
		if len(frame) < off + 40 or frame[off + 6] != 17:
			return None
		ip_end = min(off + 40 + struct.unpack_from("!H", frame, off + 4)[0],
			     len(frame))
		off += 40
	else:
		return None
	if ip_end < off + 8:
		return None
	ulen = struct.unpack_from("!H", frame, off + 4)[0]
	if ulen < 8 or off + ulen > ip_end:
		return None
	return frame[off + 8:off + ulen]


# --- what we send ----------------------------------------------------------

class Source:
	"""Yields RTP packets: pcap templates looped with continuing seq/ts, or
	generated PCMU silence."""

	def __init__(self, args):
		self.ptime_ts = args.ptime * CLOCK // 1000
		self.ssrc = args.ssrc
		if args.pcap:
			self.templates = read_pcap(args.pcap, args.pcap_ssrc)
			first, last = rtp_parse(self.templates[0]), rtp_parse(self.templates[-1])
			self.seq_span = (last[1] - first[1] + 1) & 0xffff or 0x10000
			step = self.ptime_ts
			if len(self.templates) > 1:
				prev = rtp_parse(self.templates[-2])
				step = ((last[2] - prev[2]) & 0xffffffff) or step
			self.ts_span = (last[2] - first[2] + step) & 0xffffffff
			if self.ssrc is None:
				self.ssrc = first[3]
		else:
			self.templates = None
			if self.ssrc is None:
				self.ssrc = random.getrandbits(32)
			self.seq0 = random.getrandbits(16)
			self.ts0 = random.getrandbits(32)
			self.tone = args.tone
			if args.pt is not None:		# G.711 silence or tone
				self.pt = args.pt
				self.payload = g711_encode(self.pt, [0] * self.ptime_ts)
			else:
				self.pt = args.payload_type
				self.payload = b"\xff" * self.ptime_ts	# PCMU silence
		# --dtmf: one key press from packet dtmf_at on (set by the endpoint)
		self.dtmf_event = DTMF_KEYS.index(args.dtmf) if args.dtmf else None
		self.dtmf_pt = args.dtmf_pt
		self.dtmf_at = None

	def tone_payload(self, i):
		n0 = i * self.ptime_ts
		w = 2.0 * math.pi * self.tone / CLOCK
		return g711_encode(self.pt, [int(round(TONE_AMPLITUDE * math.sin(w * (n0 + k))))
					     for k in range(self.ptime_ts)])

	def dtmf_packet(self, i):
		"""RFC 4733 2.5.1: every packet of the press carries its start
		timestamp; the first the marker bit; durations grow; the end
		packet (E bit, final duration) goes out three times."""
		j = i - self.dtmf_at
		ts = (self.ts0 + self.dtmf_at * self.ptime_ts) & 0xffffffff
		dur = min(j + 1, DTMF_PACKETS) * self.ptime_ts
		end = j >= DTMF_PACKETS - 1
		payload = struct.pack("!BBH", self.dtmf_event, (0x80 if end else 0) | DTMF_VOLUME, dur)
		hdr = struct.pack("!BBHII", 0x80, (0x80 if j == 0 else 0) | self.dtmf_pt,
				  (self.seq0 + i) & 0xffff, ts, self.ssrc)
		return hdr + payload, ts, len(payload)

	def in_dtmf(self, i):
		return (self.dtmf_at is not None and
			self.dtmf_at <= i < self.dtmf_at + DTMF_PACKETS + DTMF_END_COPIES - 1)

	def packet(self, i):
		"""-> (bytes, ts, payload_len) of the i-th packet."""
		if self.templates is None:
			if self.in_dtmf(i):
				return self.dtmf_packet(i)
			ts = (self.ts0 + i * self.ptime_ts) & 0xffffffff
			payload = self.tone_payload(i) if self.tone else self.payload
			# the marker starts a talkspurt: the first packet, and the
			# first after a key press (RFC 4733 2.5.1.1)
			marker = i == 0 or (self.dtmf_at is not None and
					    i == self.dtmf_at + DTMF_PACKETS + DTMF_END_COPIES - 1)
			hdr = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | self.pt,
					  (self.seq0 + i) & 0xffff, ts, self.ssrc)
			return hdr + payload, ts, len(payload)
		loop, k = divmod(i, len(self.templates))
		pkt = bytearray(self.templates[k])
		_, seq, ts, _, plen = rtp_parse(pkt)
		seq = (seq + loop * self.seq_span) & 0xffff
		ts = (ts + loop * self.ts_span) & 0xffffffff
		struct.pack_into("!HII", pkt, 2, seq, ts, self.ssrc)
		return bytes(pkt), ts, plen


# --- what we receive -------------------------------------------------------

class Stream:
	"""Receive statistics of one SSRC: RFC 3550 A.1 (sequence numbers,
	extended to 32 bits), A.3 (loss) and A.8 (jitter)."""

	def __init__(self, seq):
		self.first_seq = self.last_seq = seq
		self.min_ext = self.max_ext = seq
		self.seen = set()
		self.received = 0
		self.bytes = 0
		self.duplicates = 0
		self.out_of_order = 0
		self.jitter = 0.0		# timestamp units
		self.last = None		# (arrival s, rtp ts) of the previous packet
		self.pts = set()
		self.expected_prior = 0		# for RR fraction lost (A.3)
		self.received_prior = 0

	def extend(self, seq):
		# the 32-bit extended number nearest to the highest seen so far
		base = (self.max_ext & ~0xffff) | seq
		return min((base - 0x10000, base, base + 0x10000),
			   key=lambda e: abs(e - self.max_ext))

	def update(self, pt, seq, ts, nbytes, arrival):
		self.received += 1
		self.bytes += nbytes
		self.pts.add(pt)
		self.last_seq = seq
		ext = self.extend(seq) if self.seen else seq
		if ext in self.seen:
			self.duplicates += 1
			return None
		self.seen.add(ext)
		if ext < self.max_ext:
			self.out_of_order += 1
		self.max_ext = max(self.max_ext, ext)
		self.min_ext = min(self.min_ext, ext)
		if self.last is not None:
			# A.8: D(i,j) = (Rj - Ri) - (Sj - Si), J += (|D| - J) / 16
			d = (arrival - self.last[0]) * CLOCK - s32(ts - self.last[1])
			self.jitter += (abs(d) - self.jitter) / 16
		self.last = (arrival, ts)
		return ext

	@property
	def expected(self):
		return self.max_ext - self.min_ext + 1

	@property
	def lost(self):
		return self.expected - len(self.seen)

	def report_block(self, ssrc, lsr, dlsr):
		"""RFC 3550 6.4.1 report block about this stream."""
		expected, received = self.expected, len(self.seen)
		exp_int = expected - self.expected_prior
		rcv_int = received - self.received_prior
		self.expected_prior, self.received_prior = expected, received
		lost_int = exp_int - rcv_int
		fraction = 0 if exp_int <= 0 or lost_int <= 0 else (lost_int << 8) // exp_int
		cum = max(-0x800000, min(0x7fffff, self.lost)) & 0xffffff
		return struct.pack("!IIIIII", ssrc, (min(fraction, 255) << 24) | cum,
				   self.max_ext & 0xffffffff, int(self.jitter),
				   lsr, dlsr)

	def to_json(self):
		return {
			"received": self.received,
			"received_bytes": self.bytes,
			"first_seq": self.first_seq,
			"last_seq": self.last_seq,
			"highest_seq_ext": self.max_ext,
			"expected": self.expected,
			"lost": self.lost,
			"duplicates": self.duplicates,
			"out_of_order": self.out_of_order,
			"jitter": round(self.jitter, 3),
			"jitter_ms": round(self.jitter * 1000 / CLOCK, 3),
			"payload_types": sorted(self.pts),
		}


def rtcp_split(data):
	"""RFC 3550 A.2 compound validity -> [(pt, count, packet bytes)] or None."""
	if len(data) < 8 or data[1] not in (RTCP_SR, RTCP_RR) or data[0] & 0x20:
		return None
	out = []
	off = 0
	while off < len(data):
		if len(data) - off < 4 or data[off] >> 6 != 2:
			return None
		size = (struct.unpack_from("!H", data, off + 2)[0] + 1) * 4
		if off + size > len(data):
			return None
		if data[off] & 0x20 and off + size != len(data):
			return None			# padding only in the last packet
		out.append((data[off + 1], data[off] & 0x1f, data[off:off + size]))
		off += size
	return out


def ntp_now():
	t = time.time() + NTP_UNIX_OFFSET
	sec = int(t)
	return sec, int((t - sec) * (1 << 32)) & 0xffffffff


# --- the endpoint ----------------------------------------------------------

class Endpoint:
	def __init__(self, args):
		self.args = args
		self.source = Source(args) if args.peer else None
		self.ssrc = (self.source.ssrc if self.source else
			     args.ssrc if args.ssrc is not None else random.getrandbits(32))
		family, host, port = args.bind
		self.rtp_sock = self.open(family, host, port)
		self.rtcp_sock = None if args.rtcp_mux else self.open(family, host, port + 1)
		self.cname = (args.cname or f"rtp_endpoint@{host}").encode()[:MAX_SDES_CNAME]
		self.streams = {}		# ssrc -> Stream
		self.sources = set()
		self.rtcp_sources = set()
		self.sent = self.sent_bytes = self.sent_payload = 0
		self.sent_rtcp = self.send_errors = 0
		self.last_sent = None		# (monotonic s, rtp ts)
		self.received = self.received_bytes = 0
		self.rtp_invalid = 0
		self.received_rtcp = self.rtcp_invalid = 0
		self.rtcp_types = {}
		self.rtcp_ssrcs = set()
		self.cnames = set()
		self.byes = 0
		self.bye_ssrcs = set()
		self.audio = {}			# --analyze: ssrc -> {ext seq: (pt, ts, payload)}
		self.sent_dtmf = 0
		self.sr_seen = {}		# ssrc -> (middle 32 bits of NTP, arrival)
		self.reports_about_us = 0
		self.last_report = None

	@staticmethod
	def open(family, host, port):
		s = socket.socket(family, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
		try:
			s.bind((host, port))
		except OSError as e:
			raise OSError(f"cannot bind {fmt_addr((host, port))}: {e.strerror}")
		s.setblocking(False)
		return s

	# sending

	def send(self, sock, data, addr):
		try:
			sock.sendto(data, addr)
			return True
		except OSError:
			self.send_errors += 1
			return False

	def send_rtp(self, i, now):
		pkt, ts, plen = self.source.packet(i)
		_, host, port = self.args.peer
		if self.send(self.rtp_sock, pkt, (host, port)):
			self.sent += 1
			self.sent_bytes += len(pkt)
			self.sent_payload += plen
			self.last_sent = (now, ts)
			if self.source.in_dtmf(i):
				self.sent_dtmf += 1

	def rtcp_compound(self, now, bye=False):
		blocks = []
		for ssrc, st in list(self.streams.items())[:31]:
			lsr, dlsr = 0, 0
			if ssrc in self.sr_seen:
				lsr, t = self.sr_seen[ssrc]
				dlsr = int((now - t) * 65536) & 0xffffffff
			blocks.append(st.report_block(ssrc, lsr, dlsr))
		rc = len(blocks)
		if self.last_sent is not None:		# SR (RFC 3550 6.4.1)
			sec, frac = ntp_now()
			ts = (self.last_sent[1] +
			      int((now - self.last_sent[0]) * CLOCK)) & 0xffffffff
			body = struct.pack("!IIIIII", self.ssrc, sec & 0xffffffff, frac, ts,
					   self.sent & 0xffffffff,
					   self.sent_payload & 0xffffffff)
			pt = RTCP_SR
		else:					# RR (RFC 3550 6.4.2)
			body = struct.pack("!I", self.ssrc)
			pt = RTCP_RR
		body += b"".join(blocks)
		out = struct.pack("!BBH", 0x80 | rc, pt, len(body) // 4) + body
		# SDES with one chunk: CNAME, then END and padding to 32 bits (6.5)
		chunk = struct.pack("!IBB", self.ssrc, 1, len(self.cname)) + self.cname
		chunk += b"\0" * (4 - len(chunk) % 4)
		out += struct.pack("!BBH", 0x81, RTCP_SDES, len(chunk) // 4) + chunk
		if bye:
			out += struct.pack("!BBHI", 0x81, RTCP_BYE, 1, self.ssrc)
		return out

	def send_rtcp(self, now, bye=False):
		_, host, port = self.args.peer
		if not self.args.rtcp_mux:
			port += 1
		sock = self.rtcp_sock or self.rtp_sock
		if self.send(sock, self.rtcp_compound(now, bye), (host, port)):
			self.sent_rtcp += 1

	# receiving

	def drain(self, sock):
		while True:
			try:
				data, addr = sock.recvfrom(65535)
			except (BlockingIOError, InterruptedError):
				return
			except OSError:
				return
			now = time.monotonic()
			if is_rtcp(data):
				self.on_rtcp(data, addr, now)
			else:
				self.on_rtp(data, addr, now)

	def on_rtp(self, data, addr, now):
		hdr = rtp_parse(data)
		if hdr is None:
			self.rtp_invalid += 1
			return
		pt, seq, ts, ssrc, _ = hdr
		self.received += 1
		self.received_bytes += len(data)
		self.sources.add(fmt_addr(addr))
		st = self.streams.get(ssrc)
		if st is None:
			st = self.streams[ssrc] = Stream(seq)
		ext = st.update(pt, seq, ts, len(data), now)
		if self.args.analyze and ext is not None:
			kept = self.audio.setdefault(ssrc, {})
			if len(kept) < ANALYSIS_MAX_PACKETS:
				kept[ext] = (pt, ts, rtp_payload(data))

	def on_rtcp(self, data, addr, now):
		pkts = rtcp_split(data)
		if pkts is None:
			self.rtcp_invalid += 1
			return
		self.received_rtcp += 1
		self.rtcp_sources.add(fmt_addr(addr))
		for pt, count, p in pkts:
			name = RTCP_NAMES.get(pt, str(pt))
			self.rtcp_types[name] = self.rtcp_types.get(name, 0) + 1
			if pt in (RTCP_SR, RTCP_RR) and len(p) >= 8:
				sender = struct.unpack_from("!I", p, 4)[0]
				self.rtcp_ssrcs.add(sender)
				off = 8
				if pt == RTCP_SR and len(p) >= 28:
					msw, lsw = struct.unpack_from("!II", p, 8)
					self.sr_seen[sender] = (((msw & 0xffff) << 16) | (lsw >> 16), now)
					off = 28
				for b in range(count):
					if off + 24 * (b + 1) > len(p):
						break
					self.on_report_block(p[off + 24 * b:off + 24 * (b + 1)])
			elif pt == RTCP_SDES:
				self.on_sdes(p, count)
			elif pt == RTCP_BYE:
				self.byes += 1
				for k in range(count):
					if 4 + 4 * (k + 1) <= len(p):
						self.bye_ssrcs.add(struct.unpack_from("!I", p, 4 + 4 * k)[0])

	def on_report_block(self, blk):
		ssrc, fl, ext, jitter, lsr, dlsr = struct.unpack("!IIIIII", blk)
		if ssrc != self.ssrc:
			return
		self.reports_about_us += 1
		cum = fl & 0xffffff
		rep = {
			"fraction_lost": (fl >> 24) / 256,
			"cumulative_lost": cum - (1 << 24) if cum & 0x800000 else cum,
			"highest_seq_ext": ext,
			"jitter": jitter,
		}
		if lsr:
			sec, frac = ntp_now()
			mid = ((sec & 0xffff) << 16) | (frac >> 16)
			rep["rtt_ms"] = round(((mid - lsr - dlsr) & 0xffffffff) * 1000 / 65536, 3)
		self.last_report = rep

	def on_sdes(self, p, count):
		off = 4
		for _ in range(count):
			if off + 4 > len(p):
				return
			off += 4			# SSRC/CSRC
			while off < len(p) and p[off] != 0:
				if off + 2 > len(p):
					return
				itype, ilen = p[off], p[off + 1]
				if itype == 1:
					self.cnames.add(p[off + 2:off + 2 + ilen].decode("utf-8", "replace"))
				off += 2 + ilen
			off = (off + 4) & ~3		# END item and padding

	# main loop

	def run(self):
		a = self.args
		ptime = a.ptime / 1000
		if a.duration is not None:
			send_time = a.duration
			if a.count is not None:
				send_time = min(send_time, a.count * ptime)
		elif a.count is not None:
			send_time = a.count * ptime
		else:
			send_time = 5.0
		max_count = a.count if a.count is not None else int(round(send_time / ptime))
		if not self.source:
			max_count = 0
		elif self.source.dtmf_event is not None:
			# the key press in the middle of what is sent
			self.source.dtmf_at = max(0, (max_count - DTMF_PACKETS - DTMF_END_COPIES) // 2)
		t0 = time.monotonic()
		send_start = t0 + a.delay
		send_end = send_start + send_time
		end = send_end + a.linger
		next_rtcp = send_start + a.rtcp_interval if a.rtcp_interval > 0 else None
		next_live = t0 + 1
		bye_due = bool(self.source and a.rtcp_bye and a.rtcp_interval > 0)
		stop = []
		for sig in (signal.SIGINT, signal.SIGTERM):
			signal.signal(sig, lambda *_: stop.append(1))

		sel = selectors.DefaultSelector()
		for s in (self.rtp_sock, self.rtcp_sock):
			if s:
				sel.register(s, selectors.EVENT_READ)
		i = 0
		while not stop:
			now = time.monotonic()
			if now >= end:
				break
			sending = self.source and i < max_count and now < send_end
			if sending and now >= send_start + i * ptime:
				self.send_rtp(i, now)
				i += 1
			if next_rtcp is not None and self.source and now >= next_rtcp:
				if now < send_end:
					self.send_rtcp(now)
					next_rtcp += a.rtcp_interval
				else:
					next_rtcp = None
			if bye_due and now >= send_end:
				self.send_rtcp(now, bye=True)
				bye_due = False
			if a.live and now >= next_live:
				self.live(now - t0)
				next_live += 1
			events = [end, now + 0.1]
			if bye_due:
				events.append(send_end)
			if sending:
				events.append(send_start + i * ptime)
			if next_rtcp is not None:
				events.append(next_rtcp)
			if a.live:
				events.append(next_live)
			timeout = max(0.0, min(events) - time.monotonic())
			for key, _ in sel.select(timeout):
				self.drain(key.fileobj)
		if bye_due:				# stopped by a signal
			self.send_rtcp(time.monotonic(), bye=True)
		for s in (self.rtp_sock, self.rtcp_sock):
			if s:
				self.drain(s)
		self.elapsed = time.monotonic() - t0
		if a.live:
			self.live(self.elapsed)

	def main_stream(self):
		if not self.streams:
			return None
		return max(self.streams.values(), key=lambda st: st.received)

	def live(self, t):
		st = self.main_stream()
		print(f"[{t:5.1f}s] sent {self.sent} rtcp {self.sent_rtcp} | received "
		      f"{self.received} rtcp {self.received_rtcp} lost "
		      f"{sum(s.lost for s in self.streams.values())} jitter "
		      f"{st.jitter * 1000 / CLOCK if st else 0:.2f} ms from "
		      f"{','.join(sorted(self.sources)) or '-'}",
		      file=sys.stderr, flush=True)

	def report(self):
		a = self.args
		st = self.main_stream()
		rep = {
			"bind": fmt_addr(a.bind[1:]),
			"peer": fmt_addr(a.peer[1:]) if a.peer else None,
			"rtcp_mux": a.rtcp_mux,
			"ssrc": f"{self.ssrc:#010x}",
			"elapsed_s": round(self.elapsed, 3),
			"sent": self.sent,
			"sent_bytes": self.sent_bytes,
			"sent_rtcp": self.sent_rtcp,
			"send_errors": self.send_errors,
			"received": self.received,
			"received_bytes": self.received_bytes,
			"received_rtcp": self.received_rtcp,
			"invalid_rtp": self.rtp_invalid,
			"invalid_rtcp": self.rtcp_invalid,
			"first_seq": st.first_seq if st else None,
			"last_seq": st.last_seq if st else None,
			"ssrcs": sorted(f"{s:#010x}" for s in self.streams),
			"lost": sum(s.lost for s in self.streams.values()),
			"duplicates": sum(s.duplicates for s in self.streams.values()),
			"out_of_order": sum(s.out_of_order for s in self.streams.values()),
			"sources": sorted(self.sources),
			"jitter": round(st.jitter, 3) if st else 0.0,
			"jitter_ms": round(st.jitter * 1000 / CLOCK, 3) if st else 0.0,
			"streams": {f"{s:#010x}": v.to_json() for s, v in self.streams.items()},
			"rtcp": {
				"sources": sorted(self.rtcp_sources),
				"types": self.rtcp_types,
				"ssrcs": sorted(f"{s:#010x}" for s in self.rtcp_ssrcs),
				"cnames": sorted(self.cnames),
				"byes": self.byes,
				"bye_ssrcs": sorted(f"{s:#010x}" for s in self.bye_ssrcs),
				"reports_about_us": self.reports_about_us,
				"last_report_about_us": self.last_report,
			},
		}
		if a.tone:
			rep["tone"] = {"hz": a.tone, "amplitude": TONE_AMPLITUDE, "pt": self.source.pt}
		if a.dtmf:
			src = self.source
			rep["dtmf"] = {
				"digit": a.dtmf,
				"event": src.dtmf_event,
				"pt": src.dtmf_pt,
				"duration": DTMF_PACKETS * src.ptime_ts,
				"packets_sent": self.sent_dtmf,
				"at_packet": src.dtmf_at,
			}
		if a.analyze:
			rep["analysis"] = self.analyze(a.analyze)
		return rep

	def analyze(self, freqs):
		"""Goertzel levels of freqs over the middle half of the main
		stream's G.711 audio. Packets are placed on the RTP timestamp
		timeline (in sequence order), so that the phase of a tone holds
		across gaps (lost packets, a DTMF press): gaps are silence, and
		the amplitude is normalized by the audio actually received."""
		st = self.main_stream()
		ssrc = next((k for k, v in self.streams.items() if v is st), None)
		pkts = self.audio.get(ssrc, {})
		samples, have = [], []		# the timeline, and whether audio came
		pts, skipped, ts0, gaps = set(), 0, None, 0
		for ext in sorted(pkts):
			pt, ts, payload = pkts[ext]
			pcm = g711_decode(pt, payload)
			if pcm is None:
				skipped += 1
				continue
			pts.add(pt)
			if ts0 is None:
				ts0 = ts - len(samples)
			at = s32(ts - ts0)
			if len(samples) < at <= len(samples) + ANALYSIS_MAX_GAP:
				gap = at - len(samples)
				gaps += gap
				samples.extend([0] * gap)
				have.extend([False] * gap)
			elif at != len(samples):	# backwards or far ahead: restart
				ts0 = ts - len(samples)
			samples.extend(pcm)
			have.extend([True] * len(pcm))
		n = len(samples)
		lo, hi = n // 4, n - n // 4
		mid = samples[lo:hi]
		real = sum(have[lo:hi])
		levels = {}
		for f in freqs:
			lvl = tone_level(mid, f) * len(mid) / real if real else 0.0
			levels[f"{f:g}"] = round(lvl, 1)
		rms = math.sqrt(sum(x * x for x in mid) / real) if real else 0.0
		return {
			"ssrc": f"{ssrc:#010x}" if ssrc is not None else None,
			"payload_types": sorted(pts),
			"packets": len(pkts) - skipped,
			"skipped_packets": skipped,
			"samples": n,
			"gap_samples": gaps,
			"window": [lo, hi],
			"window_s": round(len(mid) / CLOCK, 3),
			"window_audio_s": round(real / CLOCK, 3),
			"levels": levels,
			"levels_dbfs": {k: (round(20 * math.log10(v / 32768), 1) if v > 0 else None)
					for k, v in levels.items()},
			"rms": round(rms, 1),
		}


# --- command line ----------------------------------------------------------

def hex32(text):
	try:
		v = int(text, 16)
	except ValueError:
		raise argparse.ArgumentTypeError(f"not a hex number: '{text}'")
	if not 0 <= v <= 0xffffffff:
		raise argparse.ArgumentTypeError(f"SSRC out of range: '{text}'")
	return v


def non_negative(kind):
	def conv(text):
		try:
			v = kind(text)
		except ValueError:
			raise argparse.ArgumentTypeError(f"not a number: '{text}'")
		if v < 0:
			raise argparse.ArgumentTypeError(f"must not be negative: '{text}'")
		return v
	return conv


def frequency(text):
	try:
		v = float(text)
	except ValueError:
		raise argparse.ArgumentTypeError(f"not a frequency: '{text}'")
	if not 0 < v < CLOCK / 2:
		raise argparse.ArgumentTypeError(
			f"frequency {text} Hz out of range (0 < HZ < {CLOCK // 2})")
	return v


def dynamic_pt(text):
	if not text.isdigit() or not 96 <= int(text) <= 127:
		raise argparse.ArgumentTypeError(f"not a dynamic payload type (96..127): '{text}'")
	return int(text)


def frequencies(text):
	out = [frequency(f) for f in text.split(",")]
	if len(set(out)) != len(out):
		raise argparse.ArgumentTypeError(f"a frequency twice in '{text}'")
	return out


def parse_args(argv):
	p = argparse.ArgumentParser(
		description=__doc__.split("\n\n")[0],
		formatter_class=argparse.RawDescriptionHelpFormatter)
	p.add_argument("--bind", type=parse_addr, help="local IP:PORT for RTP "
		       "(RTCP on PORT+1 unless --rtcp-mux)")
	p.add_argument("--peer", type=parse_addr, help="remote IP:PORT to send "
		       "RTP to (RTCP to PORT+1 unless --rtcp-mux); none: receive only")
	p.add_argument("--rtcp-mux", action="store_true",
		       help="RTP and RTCP on one port (RFC 5761)")
	p.add_argument("--pcap", help="take RTP packets from this classic pcap")
	p.add_argument("--pcap-ssrc", type=hex32,
		       help="stream of the pcap to use (default: the first)")
	p.add_argument("--ssrc", type=hex32, help="send with this SSRC (hex)")
	p.add_argument("--payload-type", type=int, default=None, choices=range(128),
		       metavar="PT", help="PT of generated packets (default 0, PCMU); "
		       "their payload is PCMU silence whatever the PT")
	p.add_argument("--tone", type=frequency, metavar="HZ",
		       help="send a sine of HZ at about -10 dBFS instead of silence "
		       "(G.711, see --pt)")
	p.add_argument("--pt", type=int, choices=(PT_PCMU, PT_PCMA),
		       help="codec of generated audio (tone or silence): 0 PCMU "
		       "(mu-law, the default) or 8 PCMA (A-law)")
	p.add_argument("--dtmf", choices=list(DTMF_KEYS), metavar="DIGIT",
		       help="send one RFC 4733 key press (0-9, *, #, A-D, 100 ms) in "
		       "the middle of the stream, in place of the audio")
	p.add_argument("--dtmf-pt", type=dynamic_pt, default=101, metavar="PT",
		       help="telephone-event payload type, 96..127 (default 101)")
	p.add_argument("--analyze", type=frequencies, metavar="HZ[,HZ...]",
		       help="report the received level of each frequency (Goertzel "
		       "over the middle half of the received G.711 audio)")
	p.add_argument("--count", type=non_negative(int), help="RTP packets to send")
	p.add_argument("--duration", type=non_negative(float),
		       help="seconds to send (or listen); default 5 unless --count")
	p.add_argument("--ptime", type=int, default=20, choices=range(1, 1001),
		       metavar="MS", help="packet interval in ms (default 20)")
	p.add_argument("--delay", type=non_negative(float), default=0.0,
		       help="seconds to wait (receiving) before sending")
	p.add_argument("--linger", type=non_negative(float), default=0.5,
		       help="seconds to keep receiving after sending (default 0.5)")
	p.add_argument("--rtcp-interval", type=non_negative(float), default=0.0,
		       help="send RTCP SR/RR+SDES every SEC seconds (0: none)")
	p.add_argument("--rtcp-bye", action="store_true",
		       help="end with an RTCP BYE (needs --rtcp-interval)")
	p.add_argument("--cname", help="SDES CNAME (default rtp_endpoint@IP)")
	p.add_argument("--report", help="write the JSON report here (default stdout)")
	p.add_argument("--live", action="store_true",
		       help="print a status line every second on stderr")
	p.add_argument("--self-test", action="store_true",
		       help="run two endpoints on 127.0.0.1 against each other")
	a = p.parse_args(argv)
	if a.self_test:
		return a
	if a.bind is None:
		p.error("--bind is required")
	if not a.rtcp_mux and a.bind[2] == 65535:
		p.error("--bind port 65535 leaves no port for RTCP (use --rtcp-mux)")
	if a.peer and a.peer[0] != a.bind[0]:
		p.error("--bind and --peer must be of the same address family")
	if a.peer and not a.rtcp_mux and a.peer[2] == 65535:
		p.error("--peer port 65535 leaves no port for RTCP (use --rtcp-mux)")
	if a.pcap and not a.peer:
		p.error("--pcap needs --peer (without --peer nothing is sent)")
	if a.pcap_ssrc is not None and not a.pcap:
		p.error("--pcap-ssrc needs --pcap")
	for opt, val in (("--tone", a.tone), ("--pt", a.pt), ("--dtmf", a.dtmf)):
		if val is not None and a.pcap:
			p.error(f"{opt} makes up the audio: not with --pcap")
		if val is not None and not a.peer:
			p.error(f"{opt} needs --peer (without --peer nothing is sent)")
	if a.pt is not None and a.payload_type is not None:
		p.error("--pt (G.711 codec of generated audio) and --payload-type "
			"(PT of PCMU silence) exclude each other")
	if a.tone is not None and a.pt is None:
		a.pt = PT_PCMU
	if a.dtmf and a.dtmf_pt == (a.pt if a.pt is not None else a.payload_type or 0):
		p.error("--dtmf-pt must differ from the audio's payload type")
	if a.payload_type is None:
		a.payload_type = PT_PCMU
	return a


def self_test():
	"""Two endpoints on 127.0.0.1 send to each other: every packet and some
	RTCP must arrive, with no loss."""
	def free_pair():
		for _ in range(50):
			port = random.randrange(20000, 60000, 2)
			try:
				for p in (port, port + 1):
					s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
					s.bind(("127.0.0.1", p))
					s.close()
				return port
			except OSError:
				continue
		raise OSError("no free port pair on 127.0.0.1")

	pa, pb = free_pair(), free_pair()
	while pb == pa:
		pb = free_pair()
	pcap = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
			    "..", "shared", "testdata", "rtp_pcmu_1000hz_5s.pcap")
	with tempfile.TemporaryDirectory() as d:
		common = ["--count", "260", "--delay", "0.3",
			  "--rtcp-interval", "0.5", "--rtcp-bye"]
		ra, rb = os.path.join(d, "a.json"), os.path.join(d, "b.json")
		cmd_a = [sys.executable, __file__, "--bind", f"127.0.0.1:{pa}",
			 "--peer", f"127.0.0.1:{pb}", "--report", ra] + common
		cmd_b = [sys.executable, __file__, "--bind", f"127.0.0.1:{pb}",
			 "--peer", f"127.0.0.1:{pa}", "--report", rb] + common
		if os.path.exists(pcap):	# the looped pcap path too (251 < 260)
			cmd_b += ["--pcap", pcap]
		procs = [subprocess.Popen(c) for c in (cmd_a, cmd_b)]
		rcs = [p.wait(timeout=30) for p in procs]
		a, b = (json.load(open(f)) for f in (ra, rb))
	ok = rcs == [0, 0]
	for me, other, name in ((a, b, "A"), (b, a, "B")):
		good = (me["received"] == other["sent"] > 0 and me["lost"] == 0
			and me["duplicates"] == 0 and me["ssrcs"] == [other["ssrc"]]
			and me["received_rtcp"] == other["sent_rtcp"] > 0
			and me["rtcp"]["byes"] == 1
			and me["rtcp"]["reports_about_us"] > 0)
		print(f"self-test: {name} sent {me['sent']} rtp {me['sent_rtcp']} rtcp;"
		      f" received {me['received']}/{other['sent']} rtp, "
		      f"{me['received_rtcp']}/{other['sent_rtcp']} rtcp, lost "
		      f"{me['lost']}, jitter {me['jitter_ms']} ms, seq "
		      f"{me['first_seq']}..{me['last_seq']}: {'ok' if good else 'FAILED'}")
		ok = ok and good
	ok = self_test_tones(free_pair) and ok
	print("self-test: " + ("passed" if ok else "FAILED"))
	return 0 if ok else 1


def self_test_tones(free_pair):
	"""A sends a 440 Hz PCMU tone with a DTMF key press, B a 1000 Hz PCMA
	tone; each analyses what it hears: the other's tone at its amplitude,
	its own not at all."""
	pa, pb = free_pair(), free_pair()
	while pb == pa:
		pb = free_pair()
	with tempfile.TemporaryDirectory() as d:
		ra, rb = os.path.join(d, "a.json"), os.path.join(d, "b.json")
		common = ["--duration", "2", "--delay", "0.3", "--analyze", "440,1000"]
		cmds = [[sys.executable, __file__, "--bind", f"127.0.0.1:{pa}", "--peer",
			 f"127.0.0.1:{pb}", "--report", ra, "--tone", "440", "--dtmf", "#"] + common,
			[sys.executable, __file__, "--bind", f"127.0.0.1:{pb}", "--peer",
			 f"127.0.0.1:{pa}", "--report", rb, "--tone", "1000", "--pt", "8"] + common]
		procs = [subprocess.Popen(c) for c in cmds]
		rcs = [p.wait(timeout=30) for p in procs]
		a, b = (json.load(open(f)) for f in (ra, rb))
	ok = rcs == [0, 0]
	for me, name, other_hz, own_hz in ((a, "A", "1000", "440"), (b, "B", "440", "1000")):
		lv = me["analysis"]["levels"]
		good = (abs(lv[other_hz] - TONE_AMPLITUDE) < 0.05 * TONE_AMPLITUDE
			and lv[own_hz] < TONE_AMPLITUDE / 100)
		print(f"self-test: {name} hears {other_hz} Hz at {lv[other_hz]}, {own_hz} Hz at "
		      f"{lv[own_hz]} (sent {TONE_AMPLITUDE}): {'ok' if good else 'FAILED'}")
		ok = ok and good
	dtmf = [st["payload_types"] for st in b["streams"].values()]
	good = a["dtmf"]["packets_sent"] == DTMF_PACKETS + DTMF_END_COPIES - 1 and dtmf == [[0, 101]]
	print(f"self-test: A sent {a['dtmf']['packets_sent']} telephone-event packets, B saw "
	      f"payload types {dtmf}: {'ok' if good else 'FAILED'}")
	return ok and good


def main(argv):
	args = parse_args(argv)
	if args.self_test:
		return self_test()
	try:
		ep = Endpoint(args)
	except BadInput as e:
		print(f"rtp_endpoint: {e}", file=sys.stderr)
		return 2
	except OSError as e:
		print(f"rtp_endpoint: {e}", file=sys.stderr)
		return 1
	ep.run()
	text = json.dumps(ep.report(), indent=2) + "\n"
	if args.report:
		with open(args.report, "w") as f:
			f.write(text)
	else:
		sys.stdout.write(text)
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
