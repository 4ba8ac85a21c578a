#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
#
# The report of `scripts/bench all`: reads the raw outputs of one run (each
# sub-command's stdout, stderr and exit status, rtpgw-gen's JSON files),
# writes docs/bench/report.json (machine, every figure and its same-run
# reference), the plots docs/bench/*.png (gnuplot) and the generated section
# of docs/BENCHMARKS.md between its bench-all markers. A figure is only ever
# read from a benchmark's output: a benchmark that failed or is missing
# shows as such, never as a number. Exits 1 when any benchmark failed.
#
#   bench_report.py --raw DIR --top REPO --report FILE --plots DIR --markdown FILE
#
# DIR holds SUB.out, SUB.err (SUB: relay, mixer, sip, ng, e2e), meta (key=value
# lines written by scripts/bench all: date, quick, load_before, load_after,
# seconds, SUB.rc, SUB.seconds, SUB.command) and raw/ (rtpgw-gen's
# {dp,tpmd}-STREAMS-RUN.json and .out, testpmd's .counters).

import argparse
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

SUBS = ("relay", "mixer", "sip", "ng", "e2e")
BEGIN = "<!-- bench-all:begin -->"
END = "<!-- bench-all:end -->"
KV = re.compile(r"([A-Za-z0-9_]+)=(\S+)")


def num(v):
    """A figure as a number, or None (missing, nan, not a number)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def kv_line(line):
    return dict(KV.findall(line))


def is_kv_line(line):
    return re.match(r"^[A-Za-z0-9_]+=\S*( [A-Za-z0-9_]+=\S*)*$", line.strip()) is not None


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    lscpu = sh(["lscpu"])

    def lsfield(name):
        m = re.search(r"^%s:\s*(.+)$" % re.escape(name), lscpu, re.M)
        return m.group(1).strip() if m else None

    mem = None
    huge = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            if k == "MemTotal":
                mem = round(int(v.split()[0]) / 1048576, 1)
            if k in ("HugePages_Total", "HugePages_Free", "Hugepagesize"):
                huge[k] = v.strip()
    return {
        "cpu_model": lsfield("Model name"),
        "cores": os.cpu_count(),
        "threads_per_core": lsfield("Thread(s) per core"),
        "l2": lsfield("L2 cache"),
        "l3": lsfield("L3 cache"),
        "memory_gib": mem,
        "hugepages": huge,
        "kernel": sh(["uname", "-r"]),
        "os": sh(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]),
        "dpdk": sh(["pkg-config", "--modversion", "libdpdk"]),
        "gnuplot": sh(["gnuplot", "--version"]),
    }


def git(top, *args):
    return sh(["git", "-C", top] + list(args))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# --- per benchmark parsers: (figures, details) from a stdout -----------------

def parse_relay(out, kv):
    m = re.search(r"== relay: (\d+) flows", out)
    return {"flows": int(m.group(1)) if m else None}


def parse_mixer(out, kv):
    loads = []
    for m in re.finditer(r"conferences of (\d+), (\d+) talking, (\d+) participants \(run (\d+)\): (.*)", out):
        d = kv_line(m.group(5))
        loads.append({"size": int(m.group(1)), "talkers": int(m.group(2)),
                      "participants": int(m.group(3)), "run": int(m.group(4)),
                      **{k: num(v) for k, v in d.items()}})
    best = []
    for m in re.finditer(r"conferences of (\d+), (\d+) talking: (\d+) participants in time \(p99 of a conference's tick (\S+) us\)", out):
        best.append({"size": int(m.group(1)), "talkers": int(m.group(2)),
                     "participants_in_time": int(m.group(3)), "tick_p99_us": num(m.group(4))})
    ref = {}
    for line in out.splitlines():
        if "mix_cycles_scalar=" in line:
            ref = {k: num(v) for k, v in kv_line(line).items()}
    return {"loads": loads, "best": best, "kernels": ref}


def parse_sip(out, kv):
    d = {}
    m = re.search(r"CPU per call: null UAS (\S+) us", out)
    if m:
        d["reference_us_per_call"] = num(m.group(1))
    return d


def parse_ng(out, kv):
    d = {}
    m = re.search(r"reference \(null ng\) +\S+ calls/s; CPU per call (\S+) us", out)
    if m:
        d["reference_us_per_call"] = num(m.group(1))
    return d


def parse_e2e(out, kv, rawdir):
    runs = []
    for path in sorted(glob.glob(os.path.join(rawdir, "*.out"))):
        base = os.path.basename(path)[:-4]
        m = re.match(r"(dp|tpmd)-(\d+)-(\d+)$", base)
        if not m:
            continue
        text = read(path)
        last = ""
        for line in text.splitlines():
            if line.startswith("ndr_pps="):
                last = line
        js = None
        jpath = os.path.join(rawdir, base + ".json")
        if os.path.exists(jpath):
            try:
                with open(jpath) as f:
                    js = json.load(f)
            except (OSError, ValueError):
                js = None
        counters = kv_line(read(os.path.join(rawdir, base + ".counters")))
        figures = {k: num(v) for k, v in kv_line(last).items()}
        at = ((js or {}).get("ndr") or {}).get("at_ndr") or {}
        if last and num(at.get("lat_max_us")) is not None:
            figures["lat_max_us"] = num(at["lat_max_us"])
        runs.append({"server": "rtpgw-dataplane" if m.group(1) == "dp" else "testpmd-io",
                     "streams": int(m.group(2)), "run": int(m.group(3)),
                     "last_line": last or None,
                     "figures": figures,
                     "testpmd_counters": {k: num(v) for k, v in counters.items()} or None,
                     "gen_json": js})
    # Why a stream count has no figure: "   N streams, run I: WHO failed: WHY".
    failures = {}
    for m in re.finditer(r"^ *(\d+) streams, run \d+: (dataplane|testpmd) +failed: (.*)$", out, re.M):
        n = int(m.group(1))
        lab = "%dk" % (n // 1000) if n % 1000 == 0 else str(n)
        failures.setdefault(lab, "%s: %s" % (m.group(2), m.group(3).strip()))
    return {"runs": runs, "failures": failures}


# --- figures beside their references ------------------------------------------

def row(bench, figure, unit, value, reference, ref_value, note=None, lower_is_better=False):
    v, r = num(value), num(ref_value)
    return {"benchmark": bench, "figure": figure, "unit": unit, "value": v,
            "reference": reference, "reference_value": r,
            "ratio": round(v / r, 3) if v is not None and r else None,
            "lower_is_better": lower_is_better, "note": note}


def comparisons(name, kv, details):
    g = kv.get
    rows = []
    if name == "relay":
        fl = details.get("flows")
        fl = "?" if fl is None else "%dk" % (fl // 1000) if fl % 1000 == 0 else str(fl)
        rows.append(row("relay", "relay, loop mode, %s flows" % fl, "cycles/packet",
                        g("relay_cycles_per_pkt"), "testpmd macswap, net_null", g("testpmd_cycles_per_pkt"),
                        lower_is_better=True))
        rows.append(row("relay", "relay, loop mode, %s flows" % fl, "cycles/packet", g("relay_cycles_per_pkt"),
                        "testpmd macswap, net_ring loopback (same I/O)", g("testpmd_ring_cycles_per_pkt"),
                        lower_is_better=True))
        rows.append(row("relay", "relay, loop mode, 10k flows (fixed)", "cycles/packet",
                        g("relay_loop10k_cycles_per_pkt"), "testpmd macswap, net_null",
                        g("testpmd_cycles_per_pkt"), lower_is_better=True))
        rows.append(row("relay", "relay, gen mode, %s flows (packets from the other core)" % fl, "cycles/packet",
                        g("relay_gen_cycles_per_pkt"), "testpmd macswap, net_null",
                        g("testpmd_cycles_per_pkt"), lower_is_better=True))
        rows.append(row("relay", "flow installs through the API", "flows/s", g("flow_installs_per_s"),
                        None, None, note="no reference"))
    elif name == "mixer":
        k = details.get("kernels", {})
        rows.append(row("mixer", "participants in time on one core (conferences of 5, 3 talking)",
                        "participants", g("mixer_participants_per_core"), None, None,
                        note="goal 20,000; cost per participant below"))
        # The pipeline's cost at the highest in-time load of 5/3, beside
        # the kernels' (decode, mix, encode) alone.
        best = next((b for b in details.get("best", []) if b["size"] == 5 and b["talkers"] == 3), None)
        cpt = None
        if best and best["participants_in_time"]:
            c = [l.get("cycles_per_part_tick") for l in details.get("loads", [])
                 if l["size"] == 5 and l["talkers"] == 3 and l["participants"] == best["participants_in_time"]]
            c = [x for x in c if x is not None]
            cpt = min(c) if c else None
        rows.append(row("mixer", "whole pipeline per participant per tick (5, 3 talking, at that load)",
                        "cycles", cpt, "rtpgw-bench-mix: G.711 decode + mix + encode kernels alone (AVX2)",
                        k.get("tick_g711_cycles_avx2"), lower_is_better=True))
        rows.append(row("mixer", "p99 of a conference's tick (5, 3 talking)", "us", g("tick_p99_us"),
                        None, None, note="budget: one ptime, 20,000 us"))
    elif name == "sip":
        rows.append(row("sip", "rtpgw-control calls set up and torn down", "calls/s", g("sip_calls_per_s"),
                        "rtpgw-sipload --serve (null UAS), same core", g("sip_reference_calls_per_s"),
                        note="both held back by the generator on 2 cores"))
        cu, au = num(g("control_us_per_call")), num(g("agent_us_per_call"))
        rows.append(row("sip", "server CPU per call (control + dataplane agent)", "us",
                        cu + au if cu is not None and au is not None else None,
                        "null UAS CPU per call", details.get("reference_us_per_call"), lower_is_better=True))
        rows.append(row("sip", "calls failed or unfinished", "calls", g("calls_failed"), None, None,
                        note="flows left %s, rooms left %s" % (g("flows_left"), g("rooms_left"))))
    elif name == "ng":
        rows.append(row("ng", "rtpgw-control ng offer/answer/delete cycles", "calls/s", g("ng_calls_per_s"),
                        "rtpgw-ngload --serve (null ng responder), same core", g("ng_reference_calls_per_s")))
        cu, au = num(g("control_us_per_call")), num(g("agent_us_per_call"))
        rows.append(row("ng", "server CPU per call (control + dataplane agent)", "us",
                        cu + au if cu is not None and au is not None else None,
                        "null ng responder CPU per call", details.get("reference_us_per_call"), lower_is_better=True))
        rows.append(row("ng", "calls failed or unfinished", "calls", g("calls_failed"), None, None,
                        note="flows left %s" % g("flows_left")))
    elif name == "e2e":
        labels = sorted({m.group(1) for m in (re.match(r"e2e_ndr_pps_(\w+)$", k) for k in kv) if m},
                        key=lambda s: float(s[:-1]) * 1000 if s.endswith("k") else float(s))
        why = details.get("failures", {})
        for lab in labels:
            rows.append(row("e2e", "no-drop rate, %s streams, through rtpgw-dataplane" % lab, "packets/s",
                            g("e2e_ndr_pps_" + lab), "the same through testpmd io (same memif, cores, generator)",
                            g("e2e_ref_ndr_pps_" + lab), note=why.get(lab)))
            rows.append(row("e2e", "latency p50 at the NDR, %s streams" % lab, "us", g("e2e_lat_p50_us_" + lab),
                            "testpmd io, at its NDR", g("e2e_ref_lat_p50_us_" + lab), lower_is_better=True))
            rows.append(row("e2e", "latency p99 at the NDR, %s streams" % lab, "us", g("e2e_lat_p99_us_" + lab),
                            "testpmd io, at its NDR", g("e2e_ref_lat_p99_us_" + lab), lower_is_better=True))
    return rows


# --- plots (gnuplot) -------------------------------------------------------

def find_lists(obj, path=""):
    """Every list of dicts inside obj, with its path."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from find_lists(v, path + "/" + k)
    elif isinstance(obj, list):
        if obj and all(isinstance(x, dict) for x in obj):
            yield path, obj
        for i, v in enumerate(obj):
            if isinstance(v, (dict, list)):
                yield from find_lists(v, "%s[%d]" % (path, i))


def ndr_trials(js):
    """[(offered pps, loss ratio)] of an NDR search, from rtpgw-gen's JSON."""
    best = []
    for path, lst in find_lists(js or {}):
        keys = set().union(*(d.keys() for d in lst))
        rate = next((k for k in ("offered_pps", "rate_pps", "rate", "tx_pps") if k in keys), None)
        if not rate:
            continue
        pts = []
        for d in lst:
            r = num(d.get(rate))
            loss = num(d.get("loss_ratio", d.get("loss")))
            if loss is None and num(d.get("sent")) and num(d.get("lost")) is not None:
                loss = num(d["lost"]) / num(d["sent"])
            if loss is None and num(d.get("sent")) and num(d.get("received")) is not None:
                loss = max(0.0, 1 - num(d["received"]) / num(d["sent"]))
            if r and loss is not None:  # 0: the unthrottled probe
                pts.append((r, loss))
        if len(pts) > len(best):
            best = pts
    return sorted(best)


def latency_hist(js):
    """[(upper bound us, count)] of the latency histogram in rtpgw-gen's JSON, or []."""
    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if "hist" in k.lower() and ("lat" in k.lower() or isinstance(v, (dict, list))):
                    yield k, v
                yield from walk(v)
        elif isinstance(o, list):
            for v in o:
                yield from walk(v)
    for k, v in walk(js or {}):
        pts = []
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for d in v:
                ub = next((num(d[x]) for x in d if x in ("le_us", "us", "upper_us", "bucket_us", "lat_us", "le")), None)
                c = next((num(d[x]) for x in d if x in ("count", "n", "packets")), None)
                if ub is not None and c is not None:
                    pts.append((ub, c))
        elif isinstance(v, list) and v and all(isinstance(x, list) and len(x) == 2 for x in v):
            pts = [(num(a), num(b)) for a, b in v if num(a) is not None and num(b) is not None]
        elif isinstance(v, dict):
            ubs = next((v[x] for x in v if x in ("bucket_us", "le_us", "upper_us", "buckets_us", "edges_us")), None)
            cs = next((v[x] for x in v if x in ("count", "counts")), None)
            if isinstance(ubs, list) and isinstance(cs, list) and len(cs) <= len(ubs):
                pts = [(num(a), num(b)) for a, b in zip(ubs, cs) if num(a) is not None and num(b) is not None]
        if pts:
            return sorted(pts)
    return []


def gnuplot(script, plots_dir, name):
    out = os.path.join(plots_dir, name)
    full = 'set terminal pngcairo size 800,460 font "DejaVu Sans,10"\nset output "%s"\n%s' % (out, script)
    r = subprocess.run(["gnuplot"], input=full, text=True, capture_output=True, timeout=60)
    if r.returncode != 0 or not os.path.exists(out):
        print("bench_report: gnuplot failed for %s: %s" % (name, r.stderr.strip()[:400]), file=sys.stderr)
        return None
    return name


def plots(report, plots_dir, tmp):
    made = []
    for old in glob.glob(os.path.join(plots_dir, "*.png")):
        os.remove(old)
    e2e = report["benchmarks"]["e2e"].get("details", {}).get("runs", [])

    # rate vs loss, from the NDR trials
    series = []
    for r in e2e:
        pts = ndr_trials(r["gen_json"])
        if not pts:
            continue
        f = os.path.join(tmp, "rl-%s-%d-%d.dat" % (r["server"], r["streams"], r["run"]))
        with open(f, "w") as o:
            for rate, loss in pts:
                o.write("%g %g\n" % (rate, max(loss * 100, 1e-4)))
        series.append('"%s" using 1:2 with linespoints title "%s, %d streams, run %d"'
                      % (f, r["server"], r["streams"], r["run"]))
    if series:
        n = gnuplot('set title "e2e: offered rate vs loss (rtpgw-gen NDR trials; loss 0 drawn at 1e-4 %)"\n'
                    'set xlabel "offered packets/s"\nset ylabel "loss %"\nset logscale y\n'
                    'set format x "%.1s%c"\nset key outside below\nset grid\nplot ' + ", ".join(series) + "\n",
                    plots_dir, "e2e_rate_loss.png")
        if n:
            made.append(("Rate vs loss (every trial of the NDR searches)", n))

    # latency: CDF when rtpgw-gen exports a histogram, else p50/p99 bars
    series = []
    for r in e2e:
        h = latency_hist(r["gen_json"])
        total = sum(c for _, c in h)
        if not total:
            continue
        f = os.path.join(tmp, "cdf-%s-%d-%d.dat" % (r["server"], r["streams"], r["run"]))
        acc = 0
        with open(f, "w") as o:
            for ub, c in h:
                acc += c
                o.write("%g %g\n" % (ub, acc / total))
        series.append('"%s" using 1:2 with steps title "%s, %d streams"' % (f, r["server"], r["streams"]))
    if series:
        n = gnuplot('set title "e2e: latency CDF at the no-drop rate (rtpgw-gen histogram)"\n'
                    'set xlabel "latency, us"\nset ylabel "fraction of packets"\nset logscale x\n'
                    'set yrange [0:1]\nset key outside below\nset grid\nplot ' + ", ".join(series) + "\n",
                    plots_dir, "e2e_latency_cdf.png")
        if n:
            made.append(("Latency CDF at the no-drop rate", n))
    else:
        f = os.path.join(tmp, "lat.dat")
        rows = 0
        with open(f, "w") as o:
            for s in sorted({r["streams"] for r in e2e}):
                fig = {}
                for r in e2e:
                    if r["streams"] == s and r["run"] == 1:
                        fig[r["server"]] = r["figures"]
                d, t = fig.get("rtpgw-dataplane", {}), fig.get("testpmd-io", {})
                vals = [d.get("lat_p50_us"), d.get("lat_p99_us"), d.get("lat_max_us"),
                        t.get("lat_p50_us"), t.get("lat_p99_us"), t.get("lat_max_us")]
                if any(v is not None for v in vals):
                    o.write('"%d streams" %s\n' % (s, " ".join("NaN" if v is None else "%g" % v for v in vals)))
                    rows += 1
        if rows:
            n = gnuplot('set title "e2e: latency at the no-drop rate (run 1)"\nset style data histogram\n'
                        'set style histogram clustered gap 1\nset style fill solid 0.8 border -1\n'
                        'set ylabel "us"\nset logscale y\nset key outside below\nset grid ytics\n'
                        'plot "%s" using 2:xtic(1) title "dataplane p50", "" using 3 title "dataplane p99", '
                        '"" using 4 title "dataplane max", "" using 5 title "testpmd io p50", '
                        '"" using 6 title "testpmd io p99", "" using 7 title "testpmd io max"\n' % f,
                        plots_dir, "e2e_latency.png")
            if n:
                made.append(("Latency at the no-drop rate (rtpgw-gen exports no histogram: p50, p99, max)", n))

    # mixer tick cost vs participants
    loads = report["benchmarks"]["mixer"].get("details", {}).get("loads", [])
    series = []
    for size, talk in sorted({(l["size"], l["talkers"]) for l in loads}):
        pts = {}
        for l in loads:
            c = l.get("cycles_per_part_tick")
            if (l["size"], l["talkers"]) == (size, talk) and c is not None:
                pts[l["participants"]] = min(c, pts.get(l["participants"], c))
        if not pts:
            continue
        f = os.path.join(tmp, "mix-%d-%d.dat" % (size, talk))
        with open(f, "w") as o:
            for p in sorted(pts):
                o.write("%d %g\n" % (p, pts[p]))
        series.append('"%s" using 1:2 with linespoints title "conferences of %d, %d talking"' % (f, size, talk))
    if series:
        n = gnuplot('set title "mixer: worker cycles per participant per 20 ms tick (best of the runs)"\n'
                    'set xlabel "participants on the worker"\nset ylabel "cycles"\nset yrange [0:*]\n'
                    'set key outside below\nset grid\nplot ' + ", ".join(series) + "\n",
                    plots_dir, "mixer_tick_cost.png")
        if n:
            made.append(("Mixer tick cost vs participants", n))
    return made


# --- markdown ----------------------------------------------------------------

def fmt(v, unit=""):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return "{:,.0f}".format(v)
    if abs(v) >= 100:
        return "%.0f" % v
    return ("%.2f" % v).rstrip("0").rstrip(".")


def markdown(report, made):
    m = report["machine"]
    L = []
    L.append(BEGIN)
    L.append("<!-- Generated by scripts/bench all (scripts/lib/bench_report.py): edits here are overwritten. -->")
    L.append("")
    L.append("## Latest `scripts/bench all`%s" % (" --quick (smoke run, not figures)" if report["quick"] else ""))
    L.append("")
    L.append("%s, commit `%s`%s; %s, %s cores, %s GiB, %s, kernel %s, DPDK %s. Load average %s at the "
             "start, %s at the end (other engineers' tests ran on the same cores). Whole run %s s; "
             "raw figures in [bench/report.json](bench/report.json)."
             % (report["date"], report["git"]["commit"][:12], " (the working tree had uncommitted changes)" if report["git"]["dirty"] else "",
                m["cpu_model"], m["cores"], m["memory_gib"], m["os"], m["kernel"], m["dpdk"],
                report["load_average"]["before"], report["load_average"]["after"], report["seconds"]))
    L.append("")
    L.append("| benchmark | figure | value | same-run reference | reference | ratio |")
    L.append("|---|---|---|---|---|---|")
    for name in SUBS:
        b = report["benchmarks"][name]
        if b["status"] != "ok":
            why = b.get("error") or "exit %s" % b.get("exit")
            L.append("| %s | **%s**: %s | - | | | |" % (name, b["status"].upper(), why))
        for r in b["comparisons"]:
            if r["value"] is None and r["reference_value"] is None and (b["status"] != "ok" or r["note"]):
                if r["note"] and b["status"] != "missing":
                    L.append("| %s | %s | **failed** (%s) | %s | - | - |" % (
                        name, r["figure"], r["note"].replace("|", "/"), r["reference"] or "-"))
                continue
            value = "**failed**" if r["value"] is None else "%s %s" % (fmt(r["value"]), r["unit"])
            L.append("| %s | %s | %s | %s | %s | %s |" % (
                name, r["figure"], value, r["reference"] or (r["note"] or "-"),
                fmt(r["reference_value"]), fmt(r["ratio"])))
    L.append("")
    L.append("Ratios are figure / reference (for cycles, CPU and latency lower is better). e2e: the no-drop "
             "rate (NDR) is rtpgw-gen's binary search of the highest aggregate rate with no packet lost over "
             "a trial, the latency is one-way through the server and back at that rate; one generator core "
             "sends and receives (CPU 0, beside the dataplane's agent; the worker or testpmd's forwarding "
             "core on CPU 1), so the generator's stalls on a shared machine bound both figures. Commands "
             "(each a separate run of `scripts/bench`):")
    L.append("")
    for name in SUBS:
        b = report["benchmarks"][name]
        L.append("- `%s` (%s s, %s), last line: `%s`" % (b.get("command") or "scripts/bench " + name,
                                                      fmt(b.get("seconds")), b["status"],
                                                      b.get("last_line") or "none"))
    L.append("")
    for title, png in made:
        L.append("![%s](bench/%s)" % (title, png))
        L.append("")
    L.append(END)
    return "\n".join(L)


def splice(md_path, section):
    text = read(md_path)
    if BEGIN in text and END in text:
        a = text.index(BEGIN)
        b = text.index(END) + len(END)
        text = text[:a] + section + text[b:]
    else:
        # After the first paragraph (the title, a blank line, a paragraph).
        parts = text.split("\n\n")
        head = 2 if len(parts) > 2 else len(parts)
        text = "\n\n".join(parts[:head] + [section] + parts[head:])
    with open(md_path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--top", required=True)
    ap.add_argument("--report", required=True)
    ap.add_argument("--plots", required=True)
    ap.add_argument("--markdown", required=True)
    a = ap.parse_args()

    meta = {}
    for line in read(os.path.join(a.raw, "meta")).splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            meta[k] = v
    report = {
        "generator": "scripts/bench all",
        "date": meta.get("date"),
        "quick": meta.get("quick") == "1",
        "seconds": num(meta.get("seconds")),
        "load_average": {"before": meta.get("load_before"), "after": meta.get("load_after")},
        "git": {"commit": git(a.top, "rev-parse", "HEAD"),
                "dirty": bool(git(a.top, "status", "--porcelain", "--untracked-files=no"))},
        "machine": machine(),
        "benchmarks": {},
    }
    failed = []
    for name in SUBS:
        out = read(os.path.join(a.raw, name + ".out"))
        err = read(os.path.join(a.raw, name + ".err"))
        rc = meta.get(name + ".rc")
        lines = [l for l in out.splitlines() if l.strip()]
        last = lines[-1].strip() if lines and is_kv_line(lines[-1]) else None
        kv = {}
        for l in lines:
            if is_kv_line(l):
                kv.update(kv_line(l))
        if name == "e2e":
            details = parse_e2e(out, kv, os.path.join(a.raw, "raw"))
        else:
            details = {"relay": parse_relay, "mixer": parse_mixer, "sip": parse_sip,
                       "ng": parse_ng}[name](out, kv)
        b = {"command": meta.get(name + ".command"), "exit": num(rc), "seconds": num(meta.get(name + ".seconds")),
             "last_line": last, "key_values": kv, "details": details}
        if rc is None:
            b["status"], b["error"] = "missing", "not run"
        elif "e2e_error" in kv or "rtpgw-gen not built" in err:
            b["status"], b["error"] = "missing", "rtpgw-gen not built"
        elif rc != "0" or not last:
            b["status"] = "failed"
            b["error"] = "exit %s%s" % (rc, "" if last else ", no key=value line")
            why = details.get("failures") if isinstance(details, dict) else None
            if why:
                b["error"] += "; " + "; ".join("%s streams: %s" % kv for kv in why.items())
            b["stderr_tail"] = err.strip().splitlines()[-10:]
        else:
            b["status"] = "ok"
        if b["status"] != "ok":
            failed.append(name)
        b["comparisons"] = comparisons(name, kv, details)
        report["benchmarks"][name] = b
    report["failed"] = failed

    tmp = tempfile.mkdtemp(prefix="rtpgw-breport.")
    try:
        os.makedirs(a.plots, exist_ok=True)
        made = plots(report, a.plots, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report["plots"] = [p for _, p in made]
    # The JSON of every NDR search is kept, its bulk (histograms) too: small.
    with open(a.report, "w") as f:
        json.dump(report, f, indent=1, sort_keys=False)
        f.write("\n")
    splice(a.markdown, markdown(report, made))

    print("   report: %s, plots: %s, section of %s" % (a.report, ", ".join(report["plots"]) or "none", a.markdown))
    for name in SUBS:
        b = report["benchmarks"][name]
        print("   %-6s %-8s %s s  %s" % (name, b["status"], b.get("seconds"), b.get("last_line") or b.get("error")))
    print("bench_all_seconds=%s failed=%s" % (meta.get("seconds", "nan"), ",".join(failed) or "none"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
