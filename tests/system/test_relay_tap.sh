#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# System test: a call relayed through the real rtpgw-dataplane on a net_tap
# port, inside a network namespace this script creates and deletes.
#
#   test_relay_tap.sh [RTPGW_DATAPLANE [RTPGWCTL]]
#
# Default executables: build/rtpgw-dataplane and build/rtpgwctl of the
# repository. Test data: ../shared/testdata beside the repository, or
# $RTPGW_TESTDATA. Prints TAP; needs root ("1..0 # SKIP not root" otherwise).
#
# Topology (all inside namespace rtpgw-sys-PID; nothing leaves it):
#
#   kernel side of dtap0             DPDK side (net_tap0, port 0)
#   198.51.100.1  endpoint A  <----> 198.51.100.10  media address
#   198.51.100.2  endpoint B
#   198.51.100.3  an intruder (wrong-source test)
#
#   A 198.51.100.1:40010 -> .10:20000 == flow 20000 ==> .10:20002 -> B 198.51.100.2:40002
#   B 198.51.100.2:40002 -> .10:20002 == flow 20002 ==> .10:20000 -> A 198.51.100.1:40010
#   RTCP companions on the +1 ports. Flow 20000 rewrites the SSRC to
#   0x5eed0001 (continuous); flow 20002 keeps B's SSRC.
#
# Every wait is bounded; the namespace, the processes and the temporary
# directory are removed on exit, also on failure or signal.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sys_require_root
sys_init rtpgw-sys rtpgw-systest "$@"

DATA=${RTPGW_TESTDATA:-$ROOT/../shared/testdata}
PCAP_A=$DATA/rtp_pcmu_1000hz_5s.pcap	# A sends PCMU 1000 Hz
PCAP_B=$DATA/rtp_pcma_440hz_5s.pcap	# B sends PCMA 440 Hz

TAP=dtap0
MEDIA=198.51.100.10
A_IP=198.51.100.1 A_PORT=40010
B_IP=198.51.100.2 B_PORT=40002
X_IP=198.51.100.3
FA=20000	# flow A -> B (RTP), RTCP companion 20001
FB=20002	# flow B -> A (RTP), RTCP companion 20003
SSRC_OUT=0x5eed0001
NCASES=12

tap_plan $NCASES

# --- helpers ---------------------------------------------------------------
# (the common ones, nsx ctl ctl_json jcheck wait_pids bg_start ..., are in
# lib.sh)

# endpoint NAME BIND PEER PCAP EXTRA...: start rtp_endpoint.py in the
# namespace in the background; its report goes to $T/NAME.json.
endpoint() {
	local name=$1 bind=$2 peer=$3 pcap=$4
	shift 4
	rm -f "$T/$name.json"
	bg_start timeout 40 ip netns exec "$NS" python3 "$EP" --bind "$bind" \
		--peer "$peer" --pcap "$pcap" --report "$T/$name.json" "$@" \
		>"$T/$name.log" 2>&1
	EP_PID=$BG_PID
}

# send_udp SRC_IP SRC_PORT DST_IP DST_PORT COUNT [rtp|rtcp|raw]: COUNT
# datagrams from a kernel socket in the namespace, 5 ms apart.
send_udp() {
	nsx python3 - "$@" <<'EOF'
import socket, struct, sys, time
sip, sport, dip, dport, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
kind = sys.argv[6] if len(sys.argv) > 6 else "rtp"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sip, sport))
for i in range(count):
	if kind == "rtp":
		pkt = struct.pack("!BBHII", 0x80, 0, 1000 + i, 160 * i, 0x0badf00d) + b"\xff" * 160
	elif kind == "rtcp":	# RR with no blocks + SDES CNAME "x"
		pkt = struct.pack("!BBHI", 0x80, 201, 1, 0x0badf00d)
		pkt += struct.pack("!BBHIBB", 0x81, 202, 2, 0x0badf00d, 1, 1) + b"x\0"
	else:
		pkt = b"hello"
	s.sendto(pkt, (dip, dport))
	time.sleep(0.005)
EOF
}

# --- the cases ---------------------------------------------------------------

case_start() {
	# shellcheck disable=SC2119	# no dataplane arguments beyond lib.sh's
	dp_start || return 1
	echo "$TAP appeared after ~$((TAP_WAIT_TENTHS / 10)).$((TAP_WAIT_TENTHS % 10)) s"
	dp_wait_api || return 1
	tap_addrs "$A_IP" "$B_IP" "$X_IP" || return 1
	need_dp
}

case_arp() {
	local i st
	need_dp || return 1
	ctl_json "$T/addrs.json" addrs || return 1
	ctl_json "$T/ports0.json" ports || return 1
	nsx ip neigh flush dev "$TAP" 2>/dev/null
	# any datagram makes the kernel resolve the media address (it lands on
	# a port without a flow: a NO_FLOW drop, which case 10 does not count)
	send_udp "$A_IP" 39999 "$MEDIA" 9 1 raw
	for i in $(seq 30); do	# 3 s
		st=$(nsx ip -j neigh show "$MEDIA" dev "$TAP")
		case "$st" in *lladdr*) case "$st" in *INCOMPLETE* | *FAILED*) ;; *) break ;; esac ;; esac
		sleep 0.1
	done
	echo "$st" >"$T/neigh.json"
	ctl_json "$T/ports1.json" ports || return 1
	jcheck "$T/neigh.json" "$T/addrs.json" "$T/ports0.json" "$T/ports1.json" <<EOF
neigh, addrs, p0, p1 = J
a = [x for x in addrs["addrs"] if x["ip"] == "$MEDIA"]
if check(len(a) == 1, "addrs does not list $MEDIA once: %s" % addrs):
	mac = a[0]["mac"].lower()
	port = [p for p in p1["ports"] if p["port_id"] == a[0]["port_id"]]
	check(len(port) == 1 and port[0]["mac"].lower() == mac,
	      "ports and addrs disagree on the MAC of port %d" % a[0]["port_id"])
	if check(len(neigh) == 1, "no kernel neighbour entry for $MEDIA: %s" % neigh):
		e = neigh[0]
		info("neighbour $MEDIA lladdr %s state %s; port MAC %s" % (e.get("lladdr"), e.get("state"), mac))
		check(e.get("lladdr", "").lower() == mac, "neighbour MAC %s is not the port MAC %s" % (e.get("lladdr"), mac))
		check(not set(e.get("state", [])) & {"INCOMPLETE", "FAILED"}, "neighbour state %s" % e.get("state"))
	rx0 = sum(p["arp_requests_rx"] for p in p0["ports"])
	rx1 = sum(p["arp_requests_rx"] for p in p1["ports"])
	check(rx1 > rx0, "arp_requests_rx did not rise (%d -> %d)" % (rx0, rx1))
EOF
}

case_ping() {
	local out rc
	need_dp || return 1
	ctl_json "$T/ports0.json" ports || return 1
	out=$(timeout 15 ip netns exec "$NS" ping -n -c 3 -i 0.2 -W 2 "$MEDIA" 2>&1)
	rc=$?
	echo "$out" | tail -n 2
	ctl_json "$T/ports1.json" ports || return 1
	[ $rc -eq 0 ] || { echo "ping exited $rc"; return 1; }
	echo "$out" | grep -q ' 3 received' || { echo "not 3 replies"; return 1; }
	[ "$(echo "$out" | grep -c "bytes from $MEDIA")" -eq 3 ] ||
		{ echo "replies not from $MEDIA"; return 1; }
	jcheck "$T/ports0.json" "$T/ports1.json" <<'EOF'
e0 = sum(p["icmp_echo"] for p in J[0]["ports"])
e1 = sum(p["icmp_echo"] for p in J[1]["ports"])
check(e1 - e0 == 3, "icmp_echo rose by %d, expected 3" % (e1 - e0))
EOF
}

case_flows() {
	local out
	need_dp || return 1
	ctl flow add "$MEDIA:$FA" to "$B_IP:$B_PORT" from "$MEDIA:$FB" \
		src "$A_IP:$A_PORT" rtcp companion ssrc "$SSRC_OUT" continuous ||
		{ echo "flow add $FA failed"; return 1; }
	ctl flow add "$MEDIA:$FB" to "$A_IP:$A_PORT" from "$MEDIA:$FA" \
		src "$B_IP:$B_PORT" rtcp companion ||
		{ echo "flow add $FB failed"; return 1; }
	ctl_json "$T/flows.json" flows || return 1
	ctl_json "$T/hello.json" hello || return 1
	jcheck "$T/flows.json" "$T/hello.json" <<EOF
fl, hello = J
check(len(fl["flows"]) == 2, "flows lists %d flows, expected 2" % len(fl["flows"]))
check(hello["flows"] == 2, "hello says %d flows installed" % hello["flows"])
for port, peer, pport, out, src, sport, ssrc in (
		($FA, "$B_IP", $B_PORT, $FB, "$A_IP", $A_PORT, $SSRC_OUT),
		($FB, "$A_IP", $A_PORT, $FA, "$B_IP", $B_PORT, None)):
	f = flow(fl, port)
	if not check(f is not None, "flow $MEDIA:%d not listed" % port):
		continue
	want = {"local_ip": "$MEDIA", "action": "relay", "mode": "strict",
		"src_ip": src, "src_port": sport, "rtcp": "companion",
		"out_ip": "$MEDIA", "out_port": out, "peer_ip": peer, "peer_port": pport,
		"ssrc_out": ssrc, "continuous": ssrc is not None}
	for k, v in want.items():
		check(f.get(k) == v, "flow %d: %s is %r, expected %r" % (port, k, f.get(k), v))
	info("flow %d: %s:%d -> %s:%d from %s:%d ssrc_out %s" % (port, f["src_ip"], f["src_port"],
		f["peer_ip"], f["peer_port"], f["out_ip"], f["out_port"], f["ssrc_out"]))
EOF
}

# One call: A and B send for 3 s with RTCP every second; both bind first
# (--delay) so that nothing is sent to a socket not yet open.
CALL_OK=0
case_relay() {
	local a b
	CALL_OK=0
	need_dp || return 1
	[ -r "$PCAP_A" ] && [ -r "$PCAP_B" ] || { echo "test data missing: $PCAP_A $PCAP_B"; return 1; }
	ctl_json "$T/call_before.json" flow get "$MEDIA:$FA" "$MEDIA:$FB" || return 1
	endpoint A "$A_IP:$A_PORT" "$MEDIA:$FA" "$PCAP_A" --duration 3 --delay 0.4 --linger 0.6 --rtcp-interval 1
	a=$EP_PID
	endpoint B "$B_IP:$B_PORT" "$MEDIA:$FB" "$PCAP_B" --duration 3 --delay 0.4 --linger 0.6 --rtcp-interval 1
	b=$EP_PID
	wait_pids "$a" "$b" || { echo "an endpoint failed:"; cat "$T/A.log" "$T/B.log"; return 1; }
	ctl_json "$T/call_after.json" flow get "$MEDIA:$FA" "$MEDIA:$FB" || return 1
	CALL_OK=1
	jcheck "$T/A.json" "$T/B.json" <<EOF
A, B = J
info("A sent %d (ssrc %s), received %d lost %d jitter %.2f ms ssrcs %s from %s" % (A["sent"], A["ssrc"], A["received"], A["lost"], A["jitter_ms"], A["ssrcs"], A["sources"]))
info("B sent %d (ssrc %s), received %d lost %d jitter %.2f ms ssrcs %s from %s" % (B["sent"], B["ssrc"], B["received"], B["lost"], B["jitter_ms"], B["ssrcs"], B["sources"]))
check(A["sent"] >= 140 and B["sent"] >= 140, "endpoints sent too little: A %d B %d" % (A["sent"], B["sent"]))
check(A["send_errors"] == 0 and B["send_errors"] == 0, "send errors: A %d B %d" % (A["send_errors"], B["send_errors"]))
check(B["received"] >= 0.95 * A["sent"], "B received %d of the %d A sent" % (B["received"], A["sent"]))
check(A["received"] >= 0.95 * B["sent"], "A received %d of the %d B sent" % (A["received"], B["sent"]))
check(B["sources"] == ["$MEDIA:$FB"], "B received RTP from %s, expected $MEDIA:$FB only" % B["sources"])
check(A["sources"] == ["$MEDIA:$FA"], "A received RTP from %s, expected $MEDIA:$FA only" % A["sources"])
check(B["ssrcs"] == ["%#010x" % $SSRC_OUT], "B saw SSRCs %s, expected the rewritten %#010x" % (B["ssrcs"], $SSRC_OUT))
check(A["ssrcs"] == [B["ssrc"]], "A saw SSRCs %s, expected B's own %s" % (A["ssrcs"], B["ssrc"]))
check(A["invalid_rtp"] == 0 and B["invalid_rtp"] == 0, "invalid RTP received: A %d B %d" % (A["invalid_rtp"], B["invalid_rtp"]))
for name, r, pt in (("A", A, 8), ("B", B, 0)):
	st = list(r["streams"].values())
	check(len(st) == 1 and st[0]["payload_types"] == [pt], "%s: payload types %s, expected [%d]" % (name, [s["payload_types"] for s in st], pt))
EOF
}

case_flow_stats() {
	[ $CALL_OK -eq 1 ] || { echo "no call to compare with (rtp_relayed_both_ways did not run it)"; return 1; }
	jcheck "$T/A.json" "$T/B.json" "$T/call_before.json" "$T/call_after.json" <<EOF
A, B, before, after = J
for port, snd, name in (($FA, A, "A"), ($FB, B, "B")):
	f0, f = flow(before, port), flow(after, port)
	if not check(f is not None and f0 is not None, "flow %d missing from flow get" % port):
		continue
	s, s0 = f["stats"], f0["stats"]
	info("flow %d: packets %d rtcp %d lost %d dropped %d jitter %d ssrc %#010x; %s sent %d rtcp %d" % (
		port, s["packets"] - s0["packets"], s["rtcp_packets"] - s0["rtcp_packets"], s["lost"],
		s["dropped"], s["jitter"], s["ssrc"], name, snd["sent"], snd["sent_rtcp"]))
	check(s["packets"] - s0["packets"] == snd["sent"], "flow %d counted %d packets, %s sent %d" % (port, s["packets"] - s0["packets"], name, snd["sent"]))
	check(s["lost"] == 0, "flow %d lost %d" % (port, s["lost"]))
	check(s["dropped"] == 0, "flow %d dropped %d" % (port, s["dropped"]))
	check(s["ssrc"] == int(snd["ssrc"], 16), "flow %d ssrc %#010x, the sender's is %s" % (port, s["ssrc"], snd["ssrc"]))
	check(s["received"] == snd["sent"] and s["expected"] == snd["sent"], "flow %d received %d expected %d, %s sent %d" % (port, s["received"], s["expected"], name, snd["sent"]))
EOF
}

case_rtcp() {
	[ $CALL_OK -eq 1 ] || { echo "no call to compare with (rtp_relayed_both_ways did not run it)"; return 1; }
	jcheck "$T/A.json" "$T/B.json" "$T/call_before.json" "$T/call_after.json" <<EOF
A, B, before, after = J
for rcv, snd, rname, sname, src in ((A, B, "A", "B", "$MEDIA:$((FA + 1))"), (B, A, "B", "A", "$MEDIA:$((FB + 1))")):
	r = rcv["rtcp"]
	info("%s received %d RTCP %s from %s ssrcs %s; %s sent %d" % (rname, rcv["received_rtcp"], r["types"], r["sources"], r["ssrcs"], sname, snd["sent_rtcp"]))
	check(snd["sent_rtcp"] >= 2, "%s sent only %d RTCP packets" % (sname, snd["sent_rtcp"]))
	check(rcv["received_rtcp"] > 0, "%s received no RTCP" % rname)
	check(rcv["received_rtcp"] == snd["sent_rtcp"], "%s received %d RTCP, %s sent %d" % (rname, rcv["received_rtcp"], sname, snd["sent_rtcp"]))
	check(r["sources"] == [src], "%s received RTCP from %s, expected %s (the +1 port)" % (rname, r["sources"], src))
	check(rcv["invalid_rtcp"] == 0, "%s: %d invalid RTCP" % (rname, rcv["invalid_rtcp"]))
# the rewritten direction carries the rewritten sender SSRC in RTCP too
check(B["rtcp"]["ssrcs"] == ["%#010x" % $SSRC_OUT], "B saw RTCP sender SSRCs %s, expected %#010x" % (B["rtcp"]["ssrcs"], $SSRC_OUT))
check(A["rtcp"]["ssrcs"] == [B["ssrc"]], "A saw RTCP sender SSRCs %s, expected %s" % (A["rtcp"]["ssrcs"], B["ssrc"]))
for port, snd in (($FA, A), ($FB, B)):
	f0, f = flow(before, port), flow(after, port)
	if check(f is not None and f0 is not None, "flow %d missing" % port):
		d = f["stats"]["rtcp_packets"] - f0["stats"]["rtcp_packets"]
		check(d > 0, "flow %d rtcp_packets did not rise" % port)
		check(d == snd["sent_rtcp"], "flow %d rtcp_packets rose by %d, its sender sent %d" % (port, d, snd["sent_rtcp"]))
EOF
}

# While a call runs, install and delete 200 unrelated flows, several times.
NCHURN=200
case_churn() {
	local a b i k round rounds_live=0 t_end send_end ports=() rc=0
	need_dp || return 1
	[ -r "$PCAP_A" ] && [ -r "$PCAP_B" ] || { echo "test data missing"; return 1; }
	# 200 flows of every kind: strict/latch/any, RTCP companion/mux/none, SSRC
	# rewrite; RTP ports 22000..22398 (even), peers on the subnet
	for ((i = 0; i < NCHURN; i++)); do
		k=$((22000 + 2 * i))
		ports+=("$MEDIA:$k")
		case $((i % 4)) in
		0) echo "$MEDIA:$k to $B_IP:$((50000 + 2 * i)) from $MEDIA:$((24000 + 2 * i)) src $A_IP:$((30000 + 2 * i)) rtcp companion ssrc 0x$(printf %08x $((0x10000 + i))) continuous" ;;
		1) echo "$MEDIA:$k to $A_IP:$((50000 + 2 * i)) from $MEDIA:$((24000 + 2 * i)) mode latch rtcp mux" ;;
		2) echo "$MEDIA:$k to $B_IP:$((50000 + 2 * i)) from $MEDIA:$((24000 + 2 * i)) mode any cookie $i" ;;
		3) echo "$MEDIA:$k drop" ;;
		esac
	done >"$T/churn.txt"
	ctl_json "$T/churn_before.json" flow get "$MEDIA:$FA" "$MEDIA:$FB" || return 1
	send_end=$(($(now_ms) + 400 + 4500))	# --delay + --duration
	endpoint A2 "$A_IP:$A_PORT" "$MEDIA:$FA" "$PCAP_A" --duration 4.5 --delay 0.4 --linger 0.6
	a=$EP_PID
	endpoint B2 "$B_IP:$B_PORT" "$MEDIA:$FB" "$PCAP_B" --duration 4.5 --delay 0.4 --linger 0.6
	b=$EP_PID
	sleep 1	# media flowing
	t_end=$((SECONDS + 20))
	for round in 1 2 3 4 5; do
		[ $SECONDS -lt $t_end ] || break
		ctl_json "$T/churn_add.json" flow add-batch "$T/churn.txt" || { rc=1; break; }
		ctl_json "$T/churn_hello1.json" hello || { rc=1; break; }
		# delete in batches of 50
		for ((i = 0; i < NCHURN; i += 50)); do
			ctl_json "$T/churn_del$i.json" flow del "${ports[@]:i:50}" || { rc=1; break 2; }
		done
		ctl_json "$T/churn_hello2.json" hello || { rc=1; break; }
		jcheck "$T/churn_add.json" "$T/churn_hello1.json" "$T/churn_hello2.json" \
			"$T"/churn_del{0,50,100,150}.json <<EOF || rc=1
add, h1, h2 = J[:3]
check(add.get("applied") == $NCHURN, "round $round: add-batch applied %s of $NCHURN" % add.get("applied"))
check(h1["flows"] == $NCHURN + 2, "round $round: %d flows installed, expected $NCHURN + 2" % h1["flows"])
for d in J[3:]:
	check(d.get("applied") == 50, "round $round: del applied %s of 50" % d.get("applied"))
check(h2["flows"] == 2, "round $round: %d flows left after the deletes, expected 2" % h2["flows"])
EOF
		# a round counts when it ended while both endpoints were still sending
		[ "$(now_ms)" -lt $send_end ] && rounds_live=$((rounds_live + 1))
		sleep 0.2
	done
	wait_pids "$a" "$b" || { echo "an endpoint failed:"; cat "$T/A2.log" "$T/B2.log"; return 1; }
	echo "$rounds_live of $round rounds of add $NCHURN / delete $NCHURN ended while the call's media was flowing"
	[ $rounds_live -ge 3 ] || { echo "fewer than 3 rounds overlapped the call"; rc=1; }
	ctl_json "$T/churn_after.json" flow get "$MEDIA:$FA" "$MEDIA:$FB" || return 1
	ctl_json "$T/churn_flows.json" flows || return 1
	if ctl flow get "${ports[0]}" "${ports[$((NCHURN - 1))]}" >"$T/get_deleted.txt" 2>&1; then
		echo "flow get of deleted flows succeeded:"
		cat "$T/get_deleted.txt"
		rc=1
	fi
	jcheck "$T/A2.json" "$T/B2.json" "$T/churn_before.json" "$T/churn_after.json" "$T/churn_flows.json" <<EOF || rc=1
A, B, before, after, fl = J
info("A sent %d received %d lost %d; B sent %d received %d lost %d" % (A["sent"], A["received"], A["lost"], B["sent"], B["received"], B["lost"]))
check(A["sent"] >= 200 and B["sent"] >= 200, "endpoints sent too little: A %d B %d" % (A["sent"], B["sent"]))
check(B["received"] == A["sent"], "B received %d of the %d A sent" % (B["received"], A["sent"]))
check(A["received"] == B["sent"], "A received %d of the %d B sent" % (A["received"], B["sent"]))
check(A["lost"] == 0 and B["lost"] == 0, "loss seen by the endpoints: A %d B %d" % (A["lost"], B["lost"]))
for port, snd in (($FA, A), ($FB, B)):
	f0, f = flow(before, port), flow(after, port)
	if check(f is not None and f0 is not None, "flow %d missing" % port):
		d = f["stats"]["packets"] - f0["stats"]["packets"]
		check(d == snd["sent"], "flow %d relayed %d, its sender sent %d" % (port, d, snd["sent"]))
		check(f["stats"]["lost"] == 0, "flow %d lost %d" % (port, f["stats"]["lost"]))
ports = sorted(f["local_port"] for f in fl["flows"])
check(ports == [$FA, $FB], "flows after the churn: %s" % ports[:10])
EOF
	return $rc
}

# A third party sends to the strict flow: nothing may reach B from it.
case_wrong_source() {
	need_dp || return 1
	ctl_json "$T/drops0.json" drops || return 1
	ctl_json "$T/ws_before.json" flow get "$MEDIA:$FA" || return 1
	nsx python3 - "$B_IP" "$B_PORT" "$MEDIA" "$FA" "$X_IP" "$A_PORT" "$A_IP" >"$T/ws.json" <<'EOF'
import json, socket, struct, sys, time
b_ip, b_port, media, fa, x_ip, a_port, a_ip = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), sys.argv[7]
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
rx.bind((b_ip, b_port))
rx.setblocking(False)
got, sources = 0, set()
def drain():
	global got
	while True:
		try:
			data, addr = rx.recvfrom(2048)
		except BlockingIOError:
			return
		got += 1
		sources.add("%s:%d" % addr)
sent = {}
# the intruder's address with A's port, then A's address with another port
for src in ((x_ip, a_port), (a_ip, a_port + 10)):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(src)
	for i in range(10):
		s.sendto(struct.pack("!BBHII", 0x80, 0, 7000 + i, 160 * i, 0x1badcafe) + b"\xff" * 160, (media, fa))
		time.sleep(0.01)
		drain()
	sent["%s:%d" % src] = 10
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:
	time.sleep(0.05)
	drain()
print(json.dumps({"sent": sent, "received": got, "sources": sorted(sources)}))
EOF
	ctl_json "$T/drops1.json" drops || return 1
	ctl_json "$T/ws_after.json" flow get "$MEDIA:$FA" || return 1
	jcheck "$T/ws.json" "$T/drops0.json" "$T/drops1.json" "$T/ws_before.json" "$T/ws_after.json" <<EOF
ws, d0, d1, f0, f1 = J
sent = sum(ws["sent"].values())
d = drop(d1, "wrong_source") - drop(d0, "wrong_source")
info("sent %d from %s; B received %d from %s; WRONG_SOURCE +%d" % (sent, sorted(ws["sent"]), ws["received"], ws["sources"], d))
check(ws["received"] == 0, "B received %d packets from %s" % (ws["received"], ws["sources"]))
check(d == sent, "WRONG_SOURCE rose by %d, %d were sent" % (d, sent))
s0, s1 = flow(f0, $FA)["stats"], flow(f1, $FA)["stats"]
check(s1["packets"] == s0["packets"], "flow $FA relayed %d of them" % (s1["packets"] - s0["packets"]))
check(s1["dropped"] - s0["dropped"] == sent, "flow $FA dropped rose by %d, %d were sent" % (s1["dropped"] - s0["dropped"], sent))
check(s1["ssrc"] == s0["ssrc"], "flow $FA took the intruder's SSRC %#010x" % s1["ssrc"])
EOF
}

# Datagrams to a port without a flow: every one is dropped and counted. They
# come from 16 source ports, as a scan would, so that they are spread over
# whatever RX queues the port has.
case_no_flow() {
	need_dp || return 1
	ctl_json "$T/drops0.json" drops || return 1
	ctl_json "$T/ports0.json" ports || return 1
	ctl_json "$T/workers0.json" workers || return 1
	nsx python3 - "$A_IP" "$MEDIA" <<'EOF'
import socket, struct, sys, time
for i in range(16):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind((sys.argv[1], 41000 + i))
	s.sendto(struct.pack("!BBHII", 0x80, 0, i, 160 * i, 0x0badf00d) + b"\xff" * 160, (sys.argv[2], 30000))
	s.close()
	time.sleep(0.005)
EOF
	sleep 0.3
	ctl_json "$T/drops1.json" drops || return 1
	ctl_json "$T/ports1.json" ports || return 1
	ctl_json "$T/workers1.json" workers || return 1
	jcheck "$T/drops0.json" "$T/drops1.json" "$T/ports0.json" "$T/ports1.json" "$T/workers0.json" "$T/workers1.json" <<'EOF'
d0, d1, p0, p1, w0, w1 = J
d = drop(d1, "no_flow") - drop(d0, "no_flow")
prx = sum(p["ipackets"] for p in p1["ports"]) - sum(p["ipackets"] for p in p0["ports"])
wrx = sum(w["rx_packets"] for w in w1["workers"]) - sum(w["rx_packets"] for w in w0["workers"])
info("16 sent to port 30000 from 16 source ports; NO_FLOW +%d; port ipackets +%d, workers rx_packets +%d" % (d, prx, wrx))
check(d > 0, "NO_FLOW did not rise")
check(d == 16, "NO_FLOW rose by %d, expected 16" % d)
if prx > wrx:
	info("the port received %d packets the workers never saw (another RX queue?)" % (prx - wrx))
EOF
}

case_flow_del() {
	local rc=0
	need_dp || return 1
	ctl_json "$T/del.json" flow del "$MEDIA:$FA" "$MEDIA:$FB" || return 1
	ctl_json "$T/drops0.json" drops || return 1
	# B listens while A's address and port send RTP and RTCP to the deleted flow
	rm -f "$T/B3.json"
	bg_start timeout 20 ip netns exec "$NS" python3 "$EP" --bind "$B_IP:$B_PORT" \
		--duration 1.5 --linger 0 --report "$T/B3.json" >"$T/B3.log" 2>&1
	local b=$BG_PID
	sleep 0.3
	send_udp "$A_IP" "$A_PORT" "$MEDIA" "$FA" 10 rtp
	send_udp "$A_IP" "$((A_PORT + 1))" "$MEDIA" "$((FA + 1))" 3 rtcp
	wait "$b" || { echo "listener failed"; cat "$T/B3.log"; return 1; }
	ctl_json "$T/drops1.json" drops || return 1
	ctl_json "$T/flows_after_del.json" flows || return 1
	if ctl flow get "$MEDIA:$FA" >/dev/null 2>&1; then
		echo "flow get $MEDIA:$FA still succeeds"
		rc=1
	fi
	jcheck "$T/del.json" "$T/B3.json" "$T/drops0.json" "$T/drops1.json" "$T/flows_after_del.json" <<'EOF' || rc=1
dl, B, d0, d1, fl = J
check(dl.get("applied") == 2, "flow del applied %s, expected 2" % dl.get("applied"))
check(B["received"] == 0 and B["received_rtcp"] == 0, "B still received %d RTP, %d RTCP" % (B["received"], B["received_rtcp"]))
d = drop(d1, "no_flow") - drop(d0, "no_flow")
info("after delete: 10 RTP + 3 RTCP sent; B received %d + %d; NO_FLOW +%d" % (B["received"], B["received_rtcp"], d))
check(d == 13, "NO_FLOW rose by %d, expected 13 (RTP and the companion port)" % d)
check(len(fl["flows"]) == 0, "%d flows still listed" % len(fl["flows"]))
EOF
	return $rc
}

run_case dataplane_starts_and_tap_appears case_start
run_case arp_resolves_media_address case_arp
run_case ping_media_address case_ping
run_case flows_installed_via_rtpgwctl case_flows
run_case rtp_relayed_both_ways case_relay
run_case flow_stats_match_endpoints case_flow_stats
run_case rtcp_relayed case_rtcp
run_case runtime_add_del_does_not_disturb_other_flows case_churn
run_case wrong_source_dropped_and_counted case_wrong_source
run_case unallocated_port_dropped case_no_flow
run_case flow_del_stops_relay case_flow_del
run_case clean_shutdown dp_check_clean_shutdown

tap_summary
