#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""TAP test of scripts/pktgen/rtp_pcap.py, the pcap generator for pktgen.

Generates pcaps with various options and reads them back with its own
parser: classic pcap with Ethernet link type, every frame 54 + payload
bytes (214 at 20 ms, 218 on the wire), valid IPv4 and UDP checksums, RTP
version 2, continuous seq and timestamps per stream, distinct SSRCs,
stream i from S + 2i to P + 2i, timestamps at the stream pacing, G.711
silence or a tone of the asked frequency and level; the same output for
the same seed; the flows file (accepted by rtpgwctl's parser when its path
is given); tshark's reading of the same file (skipped without tshark); and
exit 2 with a message on bad options.

  tests/unit/scripts/test_rtp_pcap.py [path/to/rtpgwctl]
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
GEN = os.path.join(ROOT, "scripts", "pktgen", "rtp_pcap.py")
sys.path.insert(0, os.path.join(ROOT, "scripts", "lib"))
sys.dont_write_bytecode = True
from rtp_endpoint import TONE_AMPLITUDE, g711_decode, tone_level  # noqa: E402

DST, SRC = "198.51.100.10", "198.51.100.20"
OUT, PEER = "203.0.113.10", "203.0.113.20"
DST_MAC, SRC_MAC = "02:00:00:00:01:00", "02:00:00:00:00:01"
BASE = ["--dst-ip", DST, "--src-ip", SRC, "--dst-mac", DST_MAC]

results = []


def ok(cond, name, diag=None):
	results.append((bool(cond), name, diag if not cond else None))


def skip(name, why):
	results.append((None, name, why))


def run(args):
	p = subprocess.run([sys.executable, GEN] + args, capture_output=True, text=True,
			   env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
	return p.returncode, p.stdout, p.stderr


def cksum(data):
	if len(data) & 1:
		data += b"\0"
	s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
	while s >> 16:
		s = (s & 0xffff) + (s >> 16)
	return ~s & 0xffff


def read_pcap(path):
	"""-> list of (ts_us, orig_len, frame); raises ValueError on a bad file."""
	blob = open(path, "rb").read()
	if len(blob) < 24:
		raise ValueError("shorter than a pcap header")
	magic, major, minor, _, _, snaplen, link = struct.unpack_from("<IHHiIII", blob)
	if magic != 0xa1b2c3d4 or (major, minor) != (2, 4) or link != 1:
		raise ValueError(f"magic {magic:#x} version {major}.{minor} link {link}")
	out, off = [], 24
	while off < len(blob):
		if off + 16 > len(blob):
			raise ValueError(f"truncated record header at {off}")
		sec, usec, incl, orig = struct.unpack_from("<IIII", blob, off)
		if usec >= 1_000_000 or incl > snaplen or off + 16 + incl > len(blob):
			raise ValueError(f"bad record at {off}")
		out.append((sec * 1_000_000 + usec, orig, blob[off + 16:off + 16 + incl]))
		off += 16 + incl
	return out


def dissect(frame):
	"""-> dict of the fields checked, or a string saying what is wrong."""
	if len(frame) < 54:
		return "short frame"
	dmac, smac, etype = frame[0:6], frame[6:12], struct.unpack_from("!H", frame, 12)[0]
	if etype != 0x0800:
		return f"ethertype {etype:#x}"
	ip = frame[14:34]
	if ip[0] != 0x45 or ip[9] != 17:
		return "not IPv4 without options / UDP"
	if cksum(ip) != 0:
		return "bad IPv4 checksum"
	ip_len = struct.unpack_from("!H", ip, 2)[0]
	if ip_len != len(frame) - 14 or struct.unpack_from("!H", ip, 6)[0] & 0x3fff:
		return "IPv4 length or fragment fields"
	udp = frame[34:]
	sport, dport, ulen, uck = struct.unpack_from("!HHHH", udp)
	if ulen != len(udp):
		return "UDP length"
	pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, ulen)
	if uck == 0 or cksum(pseudo + udp) != 0:
		return "bad UDP checksum"
	rtp = udp[8:]
	b0, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", rtp)
	if b0 >> 6 != 2 or b0 & 0x3f:
		return f"RTP first octet {b0:#x} (want version 2, no P/X/CC)"
	return {"dmac": dmac, "smac": smac, "src": bytes(ip[12:16]), "dst": bytes(ip[16:20]),
		"tos": ip[1], "sport": sport, "dport": dport, "marker": b1 >> 7, "pt": b1 & 0x7f,
		"seq": seq, "ts": ts, "ssrc": ssrc, "payload": bytes(rtp[12:])}


def mac(text):
	return bytes(int(x, 16) for x in text.split(":"))


def check_file(path, n, k, ptime, pt, dport=30000, sport=20000, start_us=1767225600_000_000,
	       label=""):
	"""Every structural property of a generated pcap; returns the dissected
	packets per stream for further checks (or None)."""
	try:
		recs = read_pcap(path)
	except (OSError, ValueError) as e:
		ok(False, f"{label}: the pcap parses", str(e))
		return None
	ok(True, f"{label}: the pcap parses")
	ok(len(recs) == n * k, f"{label}: {n} x {k} packets", f"got {len(recs)}")
	size = 54 + ptime * 8
	bad = [(i, len(f), o) for i, (_, o, f) in enumerate(recs) if len(f) != size or o != size]
	ok(not bad, f"{label}: every frame is {size} bytes ({size + 4} on the wire)", f"{bad[:3]}")
	per_stream = [[] for _ in range(n)]
	errors = []
	for idx, (us, _, frame) in enumerate(recs):
		d = dissect(frame)
		if isinstance(d, str):
			errors.append(f"packet {idx}: {d}")
			continue
		t, i = divmod(idx, n)		# stream-major within each tick
		if d["dport"] != dport + 2 * i or d["sport"] != sport + 2 * i:
			errors.append(f"packet {idx}: ports {d['sport']}->{d['dport']}, stream {i}")
		if (d["dmac"], d["smac"]) != (mac(DST_MAC), mac(SRC_MAC)):
			errors.append(f"packet {idx}: MACs")
		if (d["src"], d["dst"]) != (bytes(map(int, SRC.split("."))), bytes(map(int, DST.split(".")))):
			errors.append(f"packet {idx}: addresses")
		if d["pt"] != pt or d["marker"] != (t == 0) or d["tos"] != 0xb8:
			errors.append(f"packet {idx}: PT {d['pt']} M {d['marker']} TOS {d['tos']:#x}")
		want_us = start_us + t * ptime * 1000 + i * ptime * 1000 // n
		if us != want_us:
			errors.append(f"packet {idx}: time {us} want {want_us}")
		per_stream[i].append(d)
	ok(not errors, f"{label}: Ethernet/IPv4/UDP/RTP valid, checksums good, "
	   f"stream i at {dport}+2i from {sport}+2i, paced at {ptime} ms", "; ".join(errors[:5]))
	cont = []
	for i, pkts in enumerate(per_stream):
		for a, b in zip(pkts, pkts[1:]):
			if (b["seq"] - a["seq"]) & 0xffff != 1 or \
			   (b["ts"] - a["ts"]) & 0xffffffff != ptime * 8 or b["ssrc"] != a["ssrc"]:
				cont.append(f"stream {i}: seq {a['seq']}->{b['seq']} ts {a['ts']}->{b['ts']}")
				break
	ok(not cont, f"{label}: continuous seq and timestamps (+{ptime * 8}) per stream", "; ".join(cont[:3]))
	ssrcs = [p[0]["ssrc"] for p in per_stream if p]
	ok(len(set(ssrcs)) == n and 0 not in ssrcs, f"{label}: {n} distinct non-zero SSRCs")
	return per_stream


def tshark_check(path, n, k, ptime):
	tshark = shutil.which("tshark")
	if tshark is None:
		skip("tshark reads the same seq, SSRC and ports", "tshark not installed")
		return
	args = [tshark, "-n", "-r", path, "-o", "ip.check_checksum:TRUE",
		"-o", "udp.check_checksum:TRUE"]
	for i in range(n):
		args += ["-d", f"udp.port=={30000 + 2 * i},rtp"]
	args += ["-T", "fields", "-E", "separator=,", "-e", "udp.dstport", "-e", "rtp.version",
		 "-e", "rtp.seq", "-e", "rtp.timestamp", "-e", "rtp.ssrc",
		 "-e", "ip.checksum.status", "-e", "udp.checksum.status"]
	p = subprocess.run(args, capture_output=True, text=True)
	rows = [r.split(",") for r in p.stdout.splitlines() if r]
	good = p.returncode == 0 and len(rows) == n * k
	last = {}
	for r in rows if good else []:
		port, ver, seq, ts, ssrc, ipck, udpck = r
		if ver != "2" or ipck != "1" or udpck != "1":	# 1: "Good" (verified)
			good = False
			break
		key = int(port)
		if key in last:
			pseq, pts, pssrc = last[key]
			if ((int(seq) - pseq) & 0xffff != 1 or (int(ts) - pts) & 0xffffffff != ptime * 8
			    or ssrc != pssrc):
				good = False
				break
		last[key] = (int(seq), int(ts), ssrc)
	good = good and len(last) == n and len({v[2] for v in last.values()}) == n
	ok(good, "tshark reads RTP v2 with good checksums, continuous seq/ts, distinct SSRCs",
	   f"rc {p.returncode}, {len(rows)} rows, stderr {p.stderr.strip()[:200]}")


def main():
	rtpgwctl = sys.argv[1] if len(sys.argv) > 1 else None
	with tempfile.TemporaryDirectory() as d:
		def f(name):
			return os.path.join(d, name)

		# 1. defaults: one second of 20 ms PCMU silence, 4 streams
		rc, out, err = run(["-o", f("a.pcap"), "--streams", "4"] + BASE)
		ok(rc == 0 and "214-byte frames (218 on the wire)" in out,
		   "defaults: exit 0, 214-byte frames reported", f"rc {rc} {out!r} {err!r}")
		per = check_file(f("a.pcap"), 4, 50, 20, 0, label="defaults")
		if per:
			ok(all(p["payload"] == b"\xff" * 160 for s in per for p in s),
			   "defaults: payload is PCMU silence (0xff)")
		tshark_check(f("a.pcap"), 4, 50, 20)

		# 2. PCMA tone, 10 ms, 7 streams, other ports and start time
		rc, out, err = run(["-o", f("b.pcap"), "--streams", "7", "--pt", "8", "--ptime", "10",
				    "--packets-per-stream", "40", "--tone", "440",
				    "--dst-port-base", "40000", "--src-port-base", "5001",
				    "--start", "1000.5"] + BASE)
		ok(rc == 0, "PCMA tone at 10 ms: exit 0", f"rc {rc} {err!r}")
		per = check_file(f("b.pcap"), 7, 40, 10, 8, dport=40000, sport=5001,
				 start_us=1000_500_000, label="PCMA 440 Hz 10 ms")
		if per:
			pcm = [x for p in per[3] for x in g711_decode(8, p["payload"])]
			lvl, other = tone_level(pcm, 440), tone_level(pcm, 1000)
			ok(abs(lvl - TONE_AMPLITUDE) < 0.03 * TONE_AMPLITUDE and other < TONE_AMPLITUDE / 100,
			   "PCMA 440 Hz: the payload decodes to a 440 Hz sine at about -10 dBFS",
			   f"440 Hz {lvl:.0f}, 1000 Hz {other:.0f}, want {TONE_AMPLITUDE}")
		rc, _, _ = run(["-o", f("s.pcap"), "--pt", "8", "--packets-per-stream", "2"] + BASE)
		per = check_file(f("s.pcap"), 1, 2, 20, 8, label="PCMA silence") if rc == 0 else None
		ok(per and all(p["payload"] == b"\xd5" * 160 for s in per for p in s),
		   "PCMA silence: payload is A-law zero (0xd5)")

		# 3. determinism
		run(["-o", f("c.pcap"), "--streams", "4"] + BASE)
		run(["-o", f("e.pcap"), "--streams", "4", "--seed", "7"] + BASE)
		a, c, e = (open(f(x), "rb").read() for x in ("a.pcap", "c.pcap", "e.pcap"))
		ok(a == c, "same options and seed: the same bytes")
		ok(a != e and len(a) == len(e), "another seed: other SSRCs/seq/ts, same size")

		# 4. the flows file for rtpgwctl flow add-batch
		rc, out, err = run(["-o", f("d.pcap"), "--streams", "5", "--packets-per-stream", "1",
				    "--flows", f("flows.txt"), "--out-ip", OUT, "--peer-ip", PEER] + BASE)
		lines = [ln for ln in open(f("flows.txt")) if not ln.startswith("#")] if rc == 0 else []
		want = [f"{DST}:{30000 + 2 * i} to {PEER}:{40000 + 2 * i} from {OUT}:{30000 + 2 * i} "
			f"src {SRC}:{20000 + 2 * i} rtcp companion\n" for i in range(5)]
		ok(lines == want and "rtpgwctl flow add-batch" in out,
		   "flows file: one strict relay flow per stream, keyed on P+2i", f"{lines[:2]} {err!r}")
		run(["-o", f("g.pcap"), "--streams", "2", "--packets-per-stream", "1", "--mode", "any",
		     "--rtcp", "none", "--flows", f("any.txt"), "--out-ip", OUT, "--peer-ip", PEER,
		     "--out-port-base", "50000"] + BASE)
		lines = [ln for ln in open(f("any.txt")) if not ln.startswith("#")]
		ok(lines == [f"{DST}:30000 to {PEER}:40000 from {OUT}:50000 mode any\n",
			     f"{DST}:30002 to {PEER}:40002 from {OUT}:50002 mode any\n"],
		   "flows file: --mode any --rtcp none --out-port-base", f"{lines}")
		if rtpgwctl and os.access(rtpgwctl, os.X_OK):
			for name in ("flows.txt", "any.txt"):
				# parsed whole before connecting: a parse error exits 2,
				# the missing socket 1
				p = subprocess.run([rtpgwctl, "-s", f("no.sock"), "flow", "add-batch", f(name)],
						   capture_output=True, text=True)
				ok(p.returncode == 1 and "cannot connect" in p.stderr,
				   f"rtpgwctl's parser accepts {name}", f"rc {p.returncode} {p.stderr!r}")
		else:
			skip("rtpgwctl's parser accepts the flows files", "no rtpgwctl given")

		# 5. bad options: exit 2 with a message, nothing written
		bad = [
			(["--streams", "2"] + BASE, "-o"),			# no output
			(["-o", f("x.pcap"), "--src-ip", SRC, "--dst-mac", DST_MAC], "--dst-ip"),
			(["-o", f("x.pcap"), "--streams", "0"] + BASE, "out of range"),
			(["-o", f("x.pcap"), "--pt", "9"] + BASE, "invalid choice"),
			(["-o", f("x.pcap"), "--dst-port-base", "30001"] + BASE, "odd"),
			(["-o", f("x.pcap"), "--streams", "20000"] + BASE, "exceeds port 65535"),
			(["-o", f("x.pcap"), "--payload", "172"] + BASE, "does not match --ptime"),
			(["-o", f("x.pcap"), "--ptime", "183"] + BASE, "exceeds 1514"),
			(["-o", f("x.pcap"), "--flows", f("x.txt"), "--peer-ip", PEER] + BASE, "--out-ip"),
			(["-o", f("x.pcap"), "--peer-ip", PEER] + BASE, "only makes sense with --flows"),
			(["-o", f("x.pcap"), "--dst-ip", "198.51.100.10", "--src-ip", SRC,
			  "--dst-mac", "02:00:00:00:01"], "not a MAC"),
			(["-o", f("x.pcap"), "--dst-ip", "224.0.0.1", "--src-ip", SRC,
			  "--dst-mac", DST_MAC], "not a unicast"),
			(["-o", f("x.pcap"), "--dst-ip", SRC, "--src-ip", SRC, "--dst-mac", DST_MAC],
			 "same address"),
		]
		for args, msg in bad:
			rc, out, err = run(args)
			ok(rc == 2 and msg in err and not os.path.exists(f("x.pcap")),
			   f"bad options exit 2 with '{msg}': {' '.join(a for a in args if d not in a)}",
			   f"rc {rc} stderr {err.strip()[-200:]!r}")
			if os.path.exists(f("x.pcap")):
				os.unlink(f("x.pcap"))
		rc, _, err = run(["-o", os.path.join(d, "missing", "x.pcap")] + BASE)
		ok(rc == 1 and "No such file" in err, "an unwritable output: exit 1 with the reason",
		   f"rc {rc} {err!r}")

	print(f"1..{len(results)}")
	failed = 0
	for n, (res, name, diag) in enumerate(results, 1):
		if res is None:
			print(f"ok {n} - {name} # SKIP {diag}")
			continue
		print(f"{'ok' if res else 'not ok'} {n} - {name}")
		if not res:
			failed += 1
			for line in str(diag).splitlines() or [""]:
				print(f"# {line}")
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
