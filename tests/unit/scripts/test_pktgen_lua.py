#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""TAP test of scripts/pktgen/rtpgw-ndr.lua and rtpgw-replay.lua without
pktgen: the scripts run in the system's Lua (liblua 5.4 or 5.3 through
ctypes) against pktgen_mock.lua, a stand-in for pktgen 23.06's Lua
library that checks argument counts and simulates a relay dropping above
MOCK_NDR percent of line rate. It shows the scripts parse, call pktgen's
functions as 23.06 declares them, set up range mode as intended (ports
P..P+2(N-1) step 2, 218-byte frames, a user pattern that puts an RTP
version 2 header at the UDP payload), bisect to the right rate, and pace a
replay. Whether pktgen itself behaves as its source reads is for a lab to
find out. Prints "1..0 # SKIP" without a Lua library.
"""

import ctypes
import ctypes.util
import os
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
NDR = os.path.join(ROOT, "scripts", "pktgen", "rtpgw-ndr.lua")
REPLAY = os.path.join(ROOT, "scripts", "pktgen", "rtpgw-replay.lua")
MOCK = os.path.join(HERE, "pktgen_mock.lua")
ENV_KEYS = ("RTPGW_", "MOCK_")


def load_lua():
	for name in ("liblua5.4.so.0", "liblua5.3.so.0", ctypes.util.find_library("lua5.4"),
		     ctypes.util.find_library("lua5.3")):
		if not name:
			continue
		try:
			lib = ctypes.CDLL(name)
		except OSError:
			continue
		lib.luaL_newstate.restype = ctypes.c_void_p
		lib.luaL_openlibs.argtypes = [ctypes.c_void_p]
		lib.luaL_loadbufferx.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
						 ctypes.c_char_p, ctypes.c_char_p]
		lib.lua_pcallk.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
					   ctypes.c_void_p, ctypes.c_void_p]
		lib.lua_tolstring.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
		lib.lua_tolstring.restype = ctypes.c_char_p
		lib.lua_close.argtypes = [ctypes.c_void_p]
		return lib
	return None


def run(lua, script, env, tmp):
	"""Runs the mock then script in a fresh Lua state with env set.
	-> (error or None, printed lines, pktgen calls as lists of words)."""
	outf = os.path.join(tmp, "out.txt")
	for k in [k for k in os.environ if k.startswith(ENV_KEYS)]:
		del os.environ[k]
	os.environ.update(env, MOCK_OUT=outf)	# putenv: Lua's os.getenv sees it
	L = lua.luaL_newstate()
	lua.luaL_openlibs(L)
	err = None
	for path in (MOCK, script):
		code = open(path, "rb").read()
		if (lua.luaL_loadbufferx(L, code, len(code), ("@" + path).encode(), b"t") != 0 or
		    lua.lua_pcallk(L, 0, 0, 0, None, None) != 0):
			err = lua.lua_tolstring(L, -1, None).decode(errors="replace")
			break
	lua.lua_close(L)
	lines = open(outf, encoding="latin-1").read().splitlines() if os.path.exists(outf) else []
	printed = [ln for ln in lines if not ln.startswith("call ")]
	calls = [ln.split(" ")[1:] for ln in lines if ln.startswith("call ")]
	return err, printed, calls


def kv(printed, prefix):
	line = next((ln for ln in printed if ln.startswith(prefix)), "")
	return dict(w.split("=", 1) for w in line.split() if "=" in w)


def main():
	lua = load_lua()
	if lua is None:
		print("1..0 # SKIP no liblua 5.4 or 5.3 to run the scripts in")
		return 0
	results = []

	def ok(cond, name, diag=""):
		results.append((bool(cond), name, diag))

	mac = "02:00:00:00:01:00"
	with tempfile.TemporaryDirectory() as tmp:
		# NDR: bisection lands within the resolution below the mock's limit
		err, printed, calls = run(lua, NDR, {"RTPGW_DST_MAC": mac, "RTPGW_STREAMS": "5",
						     "RTPGW_TRIAL_MS": "1000", "MOCK_NDR": "37.3"}, tmp)
		ok(err is None, "rtpgw-ndr.lua runs against the pktgen 23.06 mock", err)
		res = kv(printed, "ndr_rate_pct=")
		rate = float(res.get("ndr_rate_pct", "-1"))
		ok(37.3 - 0.1 <= rate <= 37.3, "rtpgw-ndr.lua: NDR within 0.1% below the relay's 37.3%",
		   f"got {rate}: {printed[-3:]}")
		ok(res.get("flows") == "5" and res.get("frame") == "218", "rtpgw-ndr.lua: 5 flows, 218-byte frames",
		   f"{res}")

		def args(name):
			return [c[1:] for c in calls if c[0] == name]
		dport = {c[1]: c[2] for c in args("range.dst_port")}
		sport = {c[1]: c[2] for c in args("range.src_port")}
		ok(dport == {"start": "30000", "min": "30000", "max": "30008", "inc": "2"} and
		   sport == {"start": "20000", "min": "20000", "max": "20008", "inc": "2"},
		   "rtpgw-ndr.lua: range dst ports 30000..30008 and src ports 20000..20008 step 2",
		   f"dst {dport} src {sport}")
		size = {c[1]: c[2] for c in args("range.pkt_size")}
		ok(size == {"start": "218", "min": "218", "max": "218", "inc": "0"} and
		   ["0", "size", "218"] in args("set"),
		   "rtpgw-ndr.lua: 218-byte frames with the FCS (pktgen subtracts it)", f"{size}")
		ok(["0", "on"] in args("set_range") and ["0", "udp"] in args("range.ip_proto"),
		   "rtpgw-ndr.lua: range mode on, UDP")
		pat = next((c for c in calls if c[0] == "userPattern"), None)
		good = False
		if pat:
			# pktgen fills the frame with the 16-byte pattern from byte 0,
			# zero-padded after the string, then writes the headers
			raw = " ".join(pat[2:]).encode("latin-1")
			fill = (raw + b"\0" * 16)[:16]
			frame = bytes(fill[i & 15] for i in range(214))
			b0, b1, seq, ts, ssrc = struct.unpack_from("!BBHII", frame, 42)
			good = (len(raw) <= 15 and b"\0" not in raw and b0 == 0x80 and b1 == 0 and
				ssrc == 0x52545047)
		ok(good, "rtpgw-ndr.lua: the user pattern puts RTP v2, PT 0, SSRC 'RTPG' at byte 42",
		   f"{pat}")

		err, printed, _ = run(lua, NDR, {"RTPGW_DST_MAC": mac, "RTPGW_TRIAL_MS": "500"}, tmp)
		res = kv(printed, "ndr_rate_pct=")
		ok(err is None and res.get("ndr_rate_pct") == "100.000",
		   "rtpgw-ndr.lua: a relay keeping up at line rate passes the first trial", f"{err} {printed[-2:]}")
		err, printed, _ = run(lua, NDR, {"RTPGW_TRIAL_MS": "500"}, tmp)
		ok(err is not None and any("RTPGW_DST_MAC" in ln for ln in printed),
		   "rtpgw-ndr.lua: stops with a message without RTPGW_DST_MAC", f"{err} {printed}")

		# replay: real time is N * 1000 / ptime packets/s, one per burst
		err, printed, calls = run(lua, REPLAY, {"RTPGW_STREAMS": "1000", "RTPGW_SECONDS": "3"}, tmp)
		res = kv(printed, "replay_sent=")
		ok(err is None, "rtpgw-replay.lua runs against the pktgen 23.06 mock", err)
		ok(res.get("replay_pps") == "50000" and res.get("replay_lost") == "0",
		   "rtpgw-replay.lua: real time sends 50,000 packets/s for 1,000 streams", f"{res}")
		sets = [c[1:] for c in calls if c[0] == "set"]
		ok(["0", "burst", "1"] in sets and ["0", "on"] in [c[1:] for c in calls if c[0] == "pcap"],
		   "rtpgw-replay.lua: pcap mode on, one packet per burst", f"{sets}")
		err, printed, _ = run(lua, REPLAY, {"RTPGW_RATE": "50", "RTPGW_SECONDS": "2",
						    "MOCK_NDR": "40"}, tmp)
		res = kv(printed, "replay_sent=")
		sent, lost = int(res.get("replay_sent", 0)), int(res.get("replay_lost", -1))
		ok(err is None and sent > 0 and abs(lost / sent - 0.2) < 0.001,
		   "rtpgw-replay.lua: RTPGW_RATE=50 against a 40% relay loses 20%", f"{err} {res}")

	print(f"1..{len(results)}")
	failed = 0
	for n, (res, name, diag) in enumerate(results, 1):
		print(f"{'ok' if res else 'not ok'} {n} - {name}")
		if not res:
			failed += 1
			for line in str(diag).splitlines():
				print(f"# {line}")
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
