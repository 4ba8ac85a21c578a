#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a pcap of N G.711 RTP streams addressed to N rtpgw relay flows.

For pktgen-dpdk's pcap replay (scripts/pktgen/rtpgw-replay.lua) against
rtpgw-dataplane on real NICs; see docs/BENCHMARKS.md, "pktgen in a lab
with real NICs". Stream i goes from --src-ip:(S + 2i) to
--dst-ip:(P + 2i), the key of relay flow i; with --flows the matching flow
SPECs are written for `rtpgwctl flow add-batch FILE`.

Every frame is Ethernet + IPv4 + UDP + RTP + G.711: 14 + 20 + 8 + 12 + 160
= 214 bytes at the default 20 ms ptime, 218 on the wire with the FCS (the
size pktgen counts). IPv4 and UDP checksums are correct, DSCP EF. Each
stream has its own SSRC, random first seq and timestamp (from --seed),
continuous seq and timestamps, the marker bit on its first packet, and a
payload of G.711 (--pt 0 mu-law, 8 A-law) silence or, with --tone HZ, a
sine at about -10 dBFS (encoded as scripts/lib/rtp_endpoint.py does).

Packets are in time order: tick t (one ptime) holds stream 0's packet t,
then stream 1's, ... (stream-major within the tick), stamped t * ptime +
i * ptime / N from --start, so every stream is paced at exactly its ptime.
The output is the same, byte for byte, for the same options and --seed.

  rtp_pcap.py -o rtp.pcap --streams 1000 --dst-ip 198.51.100.10 \\
      --dst-mac 02:00:00:00:01:00 --src-ip 198.51.100.20 \\
      --flows flows.txt --out-ip 203.0.113.10 --peer-ip 203.0.113.20

Exit status: 0 written, 1 an output file cannot be written, 2 bad options.
"""

import argparse
import ipaddress
import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from rtp_endpoint import TONE_AMPLITUDE, g711_encode  # noqa: E402

CLOCK = 8000			# Hz: G.711's RTP clock (RFC 3551 4.5.14)
ETH_LEN, IP_LEN, UDP_LEN, RTP_LEN = 14, 20, 8, 12
HDRS_LEN = ETH_LEN + IP_LEN + UDP_LEN + RTP_LEN		# 54
FCS_LEN = 4
MAX_FRAME = 1514		# without FCS: a 1500-byte IP MTU
DSCP_EF = 46 << 2		# RFC 3246, as rtpgw's mixer sends
TTL = 64
PCAP_MAGIC = 0xa1b2c3d4		# classic pcap, microsecond timestamps
LINKTYPE_ETHERNET = 1
SNAPLEN = 65535
DEFAULT_START = 1767225600	# 2026-01-01T00:00:00Z: fixed, for reproducible files


class Usage(Exception):
	"""A bad option: exit 2."""


def cksum(data):
	"""RFC 1071 Internet checksum of data (ones' complement of the sum)."""
	if len(data) & 1:
		data += b"\0"
	s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return ~s & 0xffff


def ipv4_header(src, dst, payload_len, ident):
	hdr = struct.pack("!BBHHHBBH4s4s", 0x45, DSCP_EF, IP_LEN + payload_len, ident,
			  0x4000, TTL, 17, 0, src, dst)		# DF: media never fragments
	return hdr[:10] + struct.pack("!H", cksum(hdr)) + hdr[12:]


def udp_datagram(src, dst, sport, dport, payload):
	"""UDP header and payload with the checksum over the IPv4 pseudo-header
	(RFC 768); a computed 0 is sent as 0xffff."""
	length = UDP_LEN + len(payload)
	hdr = struct.pack("!HHHH", sport, dport, length, 0)
	c = cksum(src + dst + struct.pack("!BBH", 0, 17, length) + hdr + payload) or 0xffff
	return hdr[:6] + struct.pack("!H", c) + payload


class Tone:
	"""G.711 payloads of a sine, cached by phase: a tone of an integer
	frequency repeats every CLOCK / gcd(CLOCK, hz) samples, so a few
	distinct payloads serve every packet of every stream."""

	def __init__(self, pt, hz, samples):
		self.pt, self.hz, self.samples = pt, hz, samples
		self.period = CLOCK // math.gcd(CLOCK, hz) if hz else 1
		self.cache = {}

	def payload(self, n0):
		"""The payload whose first sample is sample n0 of the stream."""
		key = n0 % self.period
		p = self.cache.get(key)
		if p is None:
			if self.hz:
				w = 2.0 * math.pi * self.hz / CLOCK
				pcm = [int(round(TONE_AMPLITUDE * math.sin(w * (key + k))))
				       for k in range(self.samples)]
			else:
				pcm = [0] * self.samples
			p = self.cache[key] = g711_encode(self.pt, pcm)
		return p


def parse_mac(text):
	parts = text.split(":")
	if len(parts) != 6 or not all(len(p) == 2 for p in parts):
		raise argparse.ArgumentTypeError(f"not a MAC address (xx:xx:xx:xx:xx:xx): '{text}'")
	try:
		mac = bytes(int(p, 16) for p in parts)
	except ValueError:
		raise argparse.ArgumentTypeError(f"not a MAC address: '{text}'")
	if mac[0] & 1:
		raise argparse.ArgumentTypeError(f"multicast or broadcast MAC: '{text}'")
	return mac


def parse_ipv4(text):
	try:
		ip = ipaddress.IPv4Address(text)
	except ValueError:
		raise argparse.ArgumentTypeError(f"not an IPv4 address: '{text}'")
	if ip.is_multicast or ip.is_unspecified or int(ip) == 0xffffffff:
		raise argparse.ArgumentTypeError(f"not a unicast address: '{text}'")
	return ip


def int_range(lo, hi):
	def conv(text):
		try:
			v = int(text, 10)
		except ValueError:
			raise argparse.ArgumentTypeError(f"not an integer: '{text}'")
		if not lo <= v <= hi:
			raise argparse.ArgumentTypeError(f"{v} out of range {lo}..{hi}")
		return v
	return conv


def parse_args(argv):
	p = argparse.ArgumentParser(
		prog="rtp_pcap.py", description=__doc__.split("\n\n")[0],
		formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
	p.add_argument("-o", "--output", required=True, metavar="FILE", help="the pcap to write")
	p.add_argument("--streams", type=int_range(1, 32767), default=1, metavar="N",
		       help="RTP streams, one per relay flow (default 1)")
	p.add_argument("--dst-ip", type=parse_ipv4, required=True,
		       help="rtpgw's media address the flows are keyed on")
	p.add_argument("--dst-port-base", type=int_range(1, 65535), default=30000, metavar="P",
		       help="stream i goes to port P + 2i (default 30000)")
	p.add_argument("--src-ip", type=parse_ipv4, required=True,
		       help="the sender's address (the generator's port)")
	p.add_argument("--src-port-base", type=int_range(1, 65535), default=20000, metavar="S",
		       help="stream i comes from port S + 2i (default 20000)")
	p.add_argument("--dst-mac", type=parse_mac, required=True,
		       help="rtpgw's port MAC (`rtpgwctl addrs`): rtpgw drops other MACs")
	p.add_argument("--src-mac", type=parse_mac, default=parse_mac("02:00:00:00:00:01"),
		       help="the sender's MAC (default 02:00:00:00:00:01)")
	p.add_argument("--packets-per-stream", type=int_range(1, 10_000_000), default=50,
		       metavar="K", help="packets per stream (default 50: 1 s at 20 ms)")
	p.add_argument("--ptime", type=int_range(1, 1000), default=20, metavar="MS",
		       help="packet interval in ms (default 20; at most 182, a 1514-byte frame)")
	p.add_argument("--pt", type=int, choices=(0, 8), default=0,
		       help="payload type: 0 PCMU (mu-law, default) or 8 PCMA (A-law)")
	p.add_argument("--payload", type=int_range(1, MAX_FRAME - HDRS_LEN), metavar="BYTES",
		       help="payload bytes per packet; G.711 carries 8 per ms, so it must "
		       "be ptime * 8 (default: 160 at 20 ms, a 214-byte frame, 218 on the wire)")
	p.add_argument("--tone", type=int_range(0, CLOCK // 2 - 1), default=0, metavar="HZ",
		       help="send a sine of HZ (integer, about -10 dBFS) instead of silence (0)")
	p.add_argument("--seed", type=int, default=1,
		       help="seed of the SSRCs, first seqs and timestamps (default 1)")
	p.add_argument("--start", type=float, default=DEFAULT_START, metavar="EPOCH",
		       help="timestamp of the first packet, Unix seconds (default 2026-01-01)")
	p.add_argument("--flows", metavar="FILE",
		       help="also write the flows, one SPEC a line, for "
		       "`rtpgwctl flow add-batch FILE` (needs --out-ip and --peer-ip)")
	p.add_argument("--out-ip", type=parse_ipv4,
		       help="flows: rtpgw's address the relayed packets leave from")
	p.add_argument("--out-port-base", type=int_range(1, 65535), metavar="O",
		       help="flows: flow i sends from port O + 2i (default: P)")
	p.add_argument("--peer-ip", type=parse_ipv4,
		       help="flows: where relayed packets go (the generator's receiving port)")
	p.add_argument("--peer-port-base", type=int_range(1, 65535), default=40000, metavar="Q",
		       help="flows: flow i sends to port Q + 2i (default 40000)")
	p.add_argument("--mode", choices=("strict", "latch", "any"), default="strict",
		       help="flows: source check (default strict: src S + 2i); use 'any' "
		       "for pktgen's range mode, whose port pairing is its own")
	p.add_argument("--rtcp", choices=("companion", "none"), default="companion",
		       help="flows: RTCP on port + 1 (default companion, what a call "
		       "installs) or none")
	try:
		a = p.parse_args(argv)
		check(a)
	except Usage as e:
		p.error(str(e))
	return a


def check(a):
	"""Cross-option checks (argparse did the single ones)."""
	if a.payload is None:
		a.payload = a.ptime * CLOCK // 1000
	elif a.payload != a.ptime * CLOCK // 1000:
		raise Usage(f"--payload {a.payload} does not match --ptime {a.ptime}: G.711 "
			    f"carries {CLOCK // 1000} bytes per ms, so {a.ptime * CLOCK // 1000}")
	if HDRS_LEN + a.payload > MAX_FRAME:
		raise Usage(f"a {HDRS_LEN + a.payload}-byte frame exceeds {MAX_FRAME} "
			    f"(a 1500-byte MTU): lower --ptime")
	top = 2 * (a.streams - 1)
	last = 1 if a.rtcp == "companion" else 0	# the companion's port + 1
	for opt, base in (("--dst-port-base", a.dst_port_base), ("--src-port-base", a.src_port_base),
			  ("--out-port-base", a.out_port_base), ("--peer-port-base", a.peer_port_base)):
		if base is not None and base + top + last > 65535:
			raise Usage(f"{opt} {base} + 2 * ({a.streams} - 1){' + 1 (RTCP)' if last else ''}"
				    f" exceeds port 65535")
	if a.rtcp == "companion" and a.dst_port_base % 2:
		raise Usage(f"--dst-port-base {a.dst_port_base} is odd: RTP takes the even "
			    f"port and RTCP the next (RFC 3550 11; or --rtcp none)")
	if a.flows:
		missing = [o for o, v in (("--out-ip", a.out_ip), ("--peer-ip", a.peer_ip)) if v is None]
		if missing:
			raise Usage(f"--flows needs {' and '.join(missing)}")
	else:
		for o, v in (("--out-ip", a.out_ip), ("--peer-ip", a.peer_ip),
			     ("--out-port-base", a.out_port_base)):
			if v is not None:
				raise Usage(f"{o} only makes sense with --flows")
	if a.out_port_base is None:
		a.out_port_base = a.dst_port_base
	if a.dst_ip == a.src_ip:
		raise Usage("--dst-ip and --src-ip are the same address")
	if a.output == a.flows:
		raise Usage("--output and --flows name the same file")


def streams(a):
	"""Per stream: (ssrc, first seq, first timestamp), all from --seed; SSRCs
	distinct and non-zero."""
	rng = random.Random(a.seed)
	out, seen = [], set()
	for _ in range(a.streams):
		ssrc = 0
		while ssrc == 0 or ssrc in seen:
			ssrc = rng.getrandbits(32)
		seen.add(ssrc)
		out.append((ssrc, rng.getrandbits(16), rng.getrandbits(32)))
	return out


def frames(a):
	"""Yields (timestamp in microseconds from --start, frame bytes) in time order."""
	src, dst = a.src_ip.packed, a.dst_ip.packed
	eth = a.dst_mac + a.src_mac + struct.pack("!H", 0x0800)
	tone = Tone(a.pt, a.tone, a.payload)
	ptime_us = a.ptime * 1000
	ts_step = a.ptime * CLOCK // 1000
	st = streams(a)
	ident = 0
	for t in range(a.packets_per_stream):
		payload = tone.payload(t * ts_step)
		for i, (ssrc, seq0, ts0) in enumerate(st):
			rtp = struct.pack("!BBHII", 0x80, (0x80 if t == 0 else 0) | a.pt,
					  (seq0 + t) & 0xffff, (ts0 + t * ts_step) & 0xffffffff, ssrc)
			udp = udp_datagram(src, dst, a.src_port_base + 2 * i, a.dst_port_base + 2 * i,
					   rtp + payload)
			ip = ipv4_header(src, dst, len(udp), ident)
			ident = (ident + 1) & 0xffff
			yield t * ptime_us + i * ptime_us // a.streams, eth + ip + udp


def write_pcap(a):
	start_us = int(round(a.start * 1e6))
	n = 0
	with open(a.output, "wb") as f:
		f.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, LINKTYPE_ETHERNET))
		for us, frame in frames(a):
			sec, usec = divmod(start_us + us, 1_000_000)
			f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
			f.write(frame)
			n += 1
	return n


def flow_lines(a):
	rtcp = " rtcp companion" if a.rtcp == "companion" else ""
	for i in range(a.streams):
		src = f" src {a.src_ip}:{a.src_port_base + 2 * i}" if a.mode == "strict" else ""
		mode = "" if a.mode == "strict" else f" mode {a.mode}"
		yield (f"{a.dst_ip}:{a.dst_port_base + 2 * i} to {a.peer_ip}:{a.peer_port_base + 2 * i}"
		       f" from {a.out_ip}:{a.out_port_base + 2 * i}{src}{mode}{rtcp}\n")


def write_flows(a):
	with open(a.flows, "w") as f:
		f.write(f"# {a.streams} relay flows for {os.path.basename(a.output)}, written by "
			f"scripts/pktgen/rtp_pcap.py\n# rtpgwctl flow add-batch {a.flows}\n")
		f.writelines(flow_lines(a))


def main(argv):
	a = parse_args(argv)
	try:
		n = write_pcap(a)
		if a.flows:
			write_flows(a)
	except OSError as e:
		print(f"rtp_pcap.py: {e.filename}: {e.strerror}", file=sys.stderr)
		return 1
	frame = HDRS_LEN + a.payload
	pps = a.streams * 1000 / a.ptime
	print(f"{a.output}: {n} packets, {a.streams} streams x {a.packets_per_stream}, "
	      f"{frame}-byte frames ({frame + FCS_LEN} on the wire), "
	      f"{a.packets_per_stream * a.ptime / 1000:g} s at {pps:g} packets/s")
	print(f"streams: {a.src_ip}:{a.src_port_base}.. -> {a.dst_ip}:{a.dst_port_base}.."
	      f"{a.dst_port_base + 2 * (a.streams - 1)} step 2, PT {a.pt}, ptime {a.ptime} ms")
	if a.flows:
		print(f"flows: rtpgwctl flow add-batch {a.flows}")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
