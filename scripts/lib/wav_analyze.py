#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Analyse a recorded WAV (what a SIP user agent heard) for sine tones.

  wav_analyze.py --tones 440,1000 [options] FILE.wav

Prints key=value lines (levels in dBFS: a full-scale sine is 0 dBFS, and so
is its RMS level: rms_dbfs of a sine equals its peak level):

  file, rate, channels, samples, duration_s
  rms_dbfs              level of the whole analysed part
  onset_s               first window where an expected tone reaches
                        --onset-dbfs (-1 if none does)
  end_s                 end of the last non-silent block (-1 if all silent)
  tone_HZ_dbfs          median level of HZ over the windows from onset_s to
                        end_s (all windows if no onset), one single-bin DFT
                        (Goertzel) per Hann window
  tone_HZ_max_dbfs      its loudest window
  tone_HZ_p95_dbfs      its 95th percentile (what --forbid checks: a cut or
                        a start leaks a little into every bin for a window)
  tone_HZ_present       fraction of those windows where HZ >= --onset-dbfs
  longest_gap_ms        longest run of silent --block-ms blocks (RMS below
                        --silence-dbfs) between onset_s and end_s
                        (a gap is silence IN the file: baresip's sndfile
                        records one frame per RTP packet, so RTP that
                        never came leaves no gap, only a shorter file;
                        compare duration_s with the call's duration)
  longest_gap_at_s      where it starts (-1 if none)
  gaps                  how many silent runs of at least --gap-ms there are
  trailing_silence_ms   silence after end_s
  residual_dbfs         median level of what the expected tones do not
                        explain (window power minus the tones' power)
  residual_max_dbfs     its loudest window
  unexpected_frac       fraction of the windows whose residual reaches
                        --unexpected-dbfs (-35)
  unexpected_hz         strongest frequency (10 Hz steps) of the median of
                        those windows (0 if there is none)
  unexpected            1 if unexpected_frac >= --unexpected-frac (0.05)

With checks (--require, --forbid, --max-gap-ms, --no-unexpected) it also
prints check_...=ok|FAIL lines and result=pass|fail, and exits 1 if a check
failed. Exit 2: unreadable input or bad arguments. Pure python (wave,
math); a 60 s 8 kHz file takes about a second.

  --start S / --end S   analyse only [S, E) seconds of the file
  --window-ms 40        tone window (Hann; 40 ms = 25 Hz bins)
  --block-ms 5          silence resolution
"""

import argparse
import math
import operator
import struct
import sys
import wave

FS_SINE_RMS = 32767 / math.sqrt(2)	# RMS of a full-scale sine
FLOOR_DB = -120.0


def db(power):
	"""dBFS of a mean-square power (full-scale sine = 0)."""
	if power <= 0:
		return FLOOR_DB
	return max(FLOOR_DB, 10 * math.log10(power / (FS_SINE_RMS ** 2)))


def amp_db(amp):
	"""dBFS of a sine of peak amplitude amp."""
	if amp <= 0:
		return FLOOR_DB
	return max(FLOOR_DB, 20 * math.log10(amp / 32767))


def read_wav(path):
	w = wave.open(path, "rb")
	try:
		ch, width, rate, n = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
		if width != 2:
			raise ValueError("sample width %d bytes, need 16-bit PCM" % width)
		raw = w.readframes(n)
	finally:
		w.close()
	n = len(raw) // (2 * ch)
	x = struct.unpack("<%dh" % (n * ch), raw[:n * ch * 2])
	if ch > 1:
		x = x[::ch]
	return rate, ch, list(x)


class Bin:
	"""One DFT bin at an arbitrary frequency over a Hann window of n."""

	def __init__(self, hz, rate, n):
		w = [0.5 - 0.5 * math.cos(2 * math.pi * i / n) for i in range(n)]
		self.c = [w[i] * math.cos(2 * math.pi * hz * i / rate) for i in range(n)]
		self.s = [w[i] * math.sin(2 * math.pi * hz * i / rate) for i in range(n)]
		self.gain = sum(w) / 2		# a sine of amplitude A gives |X| = A * gain

	def amp(self, seg):
		re = sum(map(operator.mul, seg, self.c))
		im = sum(map(operator.mul, seg, self.s))
		return math.hypot(re, im) / self.gain


def pct(v, q):
	"""The q-th percentile (nearest rank) of v, FLOOR_DB if empty."""
	if not v:
		return FLOOR_DB
	s = sorted(v)
	return s[min(len(s) - 1, max(0, int(math.ceil(q / 100 * len(s))) - 1))]


def median(v):
	if not v:
		return 0.0
	s = sorted(v)
	m = len(s) // 2
	return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def analyse(x, rate, tones, a):
	out = {}
	nwin = max(16, int(rate * a.window_ms / 1000))
	nblk = max(1, int(rate * a.block_ms / 1000))
	hann = [0.5 - 0.5 * math.cos(2 * math.pi * i / nwin) for i in range(nwin)]
	hann_pow = sum(h * h for h in hann) / nwin
	bins = {f: Bin(f, rate, nwin) for f in tones}
	out["rms_dbfs"] = db(sum(v * v for v in x) / len(x)) if x else FLOOR_DB

	# windows (hop = half a window)
	hop = nwin // 2
	wins = []			# (t, {f: amp}, residual power)
	for i in range(0, max(0, len(x) - nwin + 1), hop):
		seg = x[i:i + nwin]
		amps = {f: b.amp(seg) for f, b in bins.items()}
		p = sum(map(operator.mul, map(operator.mul, seg, hann), map(operator.mul, seg, hann))) / nwin / hann_pow
		res = p - sum(v * v / 2 for v in amps.values())
		wins.append((i / rate, amps, max(0.0, res), i))

	# silence blocks
	sil = []
	for i in range(0, len(x) - nblk + 1, nblk):
		seg = x[i:i + nblk]
		sil.append(db(sum(v * v for v in seg) / nblk) < a.silence_dbfs)
	onset = -1.0
	for t, amps, _, _ in wins:
		if any(amp_db(v) >= a.onset_dbfs for v in amps.values()):
			onset = t
			break
	last = -1
	for k in range(len(sil) - 1, -1, -1):
		if not sil[k]:
			last = k
			break
	end = (last + 1) * nblk / rate if last >= 0 else -1.0
	out["onset_s"] = onset
	out["end_s"] = end

	sel = [w for w in wins if onset < 0 or (w[0] >= onset and w[0] + nwin / rate <= max(end, onset + nwin / rate))]
	if not sel:
		sel = wins
	for f in tones:
		lv = [amp_db(w[1][f]) for w in sel]
		out["tone_%g_dbfs" % f] = median(lv) if lv else FLOOR_DB
		out["tone_%g_max_dbfs" % f] = max(lv) if lv else FLOOR_DB
		out["tone_%g_p95_dbfs" % f] = pct(lv, 95)
		out["tone_%g_present" % f] = (sum(1 for v in lv if v >= a.onset_dbfs) / len(lv)) if lv else 0.0

	# gaps between onset and end
	longest, longest_at, ngaps = 0, -1.0, 0
	if onset >= 0 and last >= 0:
		k0 = int(onset * rate) // nblk
		run, run_at = 0, 0
		for k in range(k0, last + 1):
			if sil[k]:
				if run == 0:
					run_at = k
				run += 1
			else:
				if run:
					ngaps += run * a.block_ms >= a.gap_ms
					if run > longest:
						longest, longest_at = run, run_at * nblk / rate
				run = 0
	out["longest_gap_ms"] = longest * nblk * 1000 / rate
	out["longest_gap_at_s"] = longest_at
	out["gaps"] = ngaps
	out["trailing_silence_ms"] = (len(x) / rate - end) * 1000 if end >= 0 else len(x) * 1000 / rate

	res = [db(w[2]) for w in sel]
	out["residual_dbfs"] = median(res) if res else FLOOR_DB
	out["residual_max_dbfs"] = max(res) if res else FLOOR_DB
	loud = sorted((w for w in sel if db(w[2]) >= a.unexpected_dbfs), key=lambda w: w[2])
	out["unexpected_frac"] = len(loud) / len(sel) if sel else 0.0
	out["unexpected_hz"] = 0
	if loud:
		# the median loud window: not the transient of a start or a cut
		w = loud[len(loud) // 2]
		seg = x[w[3]:w[3] + nwin]
		best, best_hz = -1.0, 0
		for hz in range(50, int(rate / 2) - 49, 10):
			if any(abs(hz - f) < 2 * rate / nwin for f in tones):
				continue
			v = Bin(hz, rate, nwin).amp(seg)
			if v > best:
				best, best_hz = v, hz
		out["unexpected_hz"] = best_hz
	out["unexpected"] = 1 if out["unexpected_frac"] >= a.unexpected_frac else 0
	return out


def hz_list(text):
	return [float(v) for v in text.split(",") if v.strip()] if text else []


def main():
	p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	p.add_argument("file")
	p.add_argument("--tones", default="", help="expected frequencies, HZ[,HZ...]")
	p.add_argument("--start", type=float, default=0.0)
	p.add_argument("--end", type=float, default=None)
	p.add_argument("--window-ms", type=float, default=40.0)
	p.add_argument("--block-ms", type=float, default=5.0)
	p.add_argument("--onset-dbfs", type=float, default=-40.0, help="a tone is present from this level")
	p.add_argument("--silence-dbfs", type=float, default=-50.0, help="a block is silent below this RMS level")
	p.add_argument("--gap-ms", type=float, default=20.0, help="count silent runs from this length")
	p.add_argument("--unexpected-dbfs", type=float, default=-35.0, help="residual level that counts as unexpected sound")
	p.add_argument("--unexpected-frac", type=float, default=0.05, help="... in this fraction of the windows")
	p.add_argument("--require", default="", help="HZ[,HZ...] must be at least --min-dbfs")
	p.add_argument("--min-dbfs", type=float, default=-30.0)
	p.add_argument("--forbid", default="", help="HZ[,HZ...] must be below --max-dbfs")
	p.add_argument("--max-dbfs", type=float, default=-45.0)
	p.add_argument("--max-gap-ms", type=float, default=None)
	p.add_argument("--min-duration", type=float, default=None, help="seconds")
	p.add_argument("--no-unexpected", action="store_true")
	try:
		a = p.parse_args()
	except SystemExit as e:
		sys.exit(2 if e.code else 0)
	try:
		req, forb = hz_list(a.require), hz_list(a.forbid)
		tones = hz_list(a.tones)
	except ValueError as e:
		print("error=bad frequency list: %s" % e)
		sys.exit(2)
	for f in req + forb:
		if f not in tones:
			tones.append(f)
	try:
		rate, ch, x = read_wav(a.file)
	except (OSError, EOFError, ValueError, wave.Error, struct.error) as e:
		print("file=%s" % a.file)
		print("error=%s" % e)
		sys.exit(2)
	x = x[int(a.start * rate):None if a.end is None else int(a.end * rate)]
	out = {"file": a.file, "rate": rate, "channels": ch, "samples": len(x), "duration_s": len(x) / rate}
	out.update(analyse(x, rate, tones, a))
	for k, v in out.items():
		print("%s=%s" % (k, ("%.3f" % v) if isinstance(v, float) else v))
	checks = []
	for f in req:
		checks.append(("require_%g" % f, out["tone_%g_dbfs" % f] >= a.min_dbfs))
	for f in forb:
		checks.append(("forbid_%g" % f, out["tone_%g_p95_dbfs" % f] < a.max_dbfs))
	if a.max_gap_ms is not None:
		checks.append(("max_gap", out["onset_s"] >= 0 and out["longest_gap_ms"] <= a.max_gap_ms))
	if a.min_duration is not None:
		checks.append(("min_duration", out["duration_s"] >= a.min_duration))
	if a.no_unexpected:
		checks.append(("no_unexpected", out["unexpected"] == 0))
	for name, ok in checks:
		print("check_%s=%s" % (name, "ok" if ok else "FAIL"))
	if checks:
		ok = all(c[1] for c in checks)
		print("result=%s" % ("pass" if ok else "fail"))
		sys.exit(0 if ok else 1)


if __name__ == "__main__":
	main()
