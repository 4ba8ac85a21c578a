#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# System test: the ng protocol (rtpengine's control protocol, docs/NG.md)
# of rtpgw-control in front of the real rtpgw-dataplane, inside a network
# namespace this script creates and deletes. tests/system/ng_client.py
# (bencode by hand) plays the proxy (what Kamailio's rtpengine module
# sends): ping, malformed requests, an offer from A and the answer from B
# with their SDP rewritten to the media address, then RTP both ways with
# kernel-socket endpoints (scripts/lib/rtp_endpoint.py) through the two
# RELAY flows (each hears the other's tone; the flows counted the
# packets), query with the statistics polled from the flows, a
# retransmitted cookie answered from the cache (not executed again), the
# session limit ("load limit"), delete (flows and ports gone), list and
# statistics; then control stopped and restarted with a call up (recovered
# from the journal, flows kept) and that call, silent, ended by the media
# timeout without SIP (flows gone, quality record "media-timeout").
#
#   test_ng.sh [RTPGW_DATAPLANE [RTPGWCTL [RTPGW_CONTROL]]]
#
# Topology (all inside namespace rtpgw-ng-PID; nothing leaves it):
#
#   kernel side of ntap0                     DPDK side (net_tap0)
#   127.0.0.1:2223     rtpgw-control (ng)    198.51.100.10 media address
#   198.51.100.1:40000 phone A (RTP)
#   198.51.100.2:40100 phone B (RTP)
#
# Prints TAP; needs root ("1..0 # SKIP not root" otherwise). Every wait is
# bounded; processes, namespace and temporary files go in the EXIT trap.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sys_require_root
sys_init rtpgw-ng rtpgw-ngtest "${1:-}" "${2:-}"
CONTROLBIN=$(realpath -e "${3:-$ROOT/build/rtpgw-control}" 2>/dev/null || echo "${3:-$ROOT/build/rtpgw-control}")
NGC=$ROOT/tests/system/ng_client.py

TAP=ntap0
MEDIA=198.51.100.10
A_IP=198.51.100.1
A_PORT=40000
B_IP=198.51.100.2
B_PORT=40100
NG=127.0.0.1:2223
NCASES=11
CTL_PID=

tap_plan $NCASES

ctl_alive() { [ -n "$CTL_PID" ] && kill -0 "$CTL_PID" 2>/dev/null; }
metrics() { nsx timeout 5 curl -sf "http://127.0.0.1:8080/metrics"; }
# ng OUT ARGS...: one ng request (ng_client.py ARGS), its reply as JSON in OUT
ng() {
	local t0 out=$1
	t0=$(now_ms)
	shift
	timeout 10 ip netns exec "$NS" python3 "$NGC" --addr "$NG" "$@" >"$out" ||
		{ echo "no ng reply to $*"; return 1; }
	if [ -n "${NG_TIMING:-}" ]; then echo "ng $1: $(($(now_ms) - t0)) ms"; fi
	return 0
}

sdp() {	# sdp IP PORT: an endpoint's SDP (PCMU, PCMA, telephone-event, ICE)
	printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n' "$1" "$1"
	printf 'm=audio %s RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n' "$2"
	printf 'a=ice-ufrag:x1y2\r\na=candidate:1 1 udp 2130706431 %s %s typ host\r\n' "$1" "$2"
	printf 'a=ptime:20\r\na=sendrecv\r\n'
}

# control_launch [ARGS...]: start rtpgw-control (appending to control.log),
# wait until it is connected to the dataplane.
control_launch() {
	local i
	ip netns exec "$NS" "$CONTROLBIN" --sip 127.0.0.1:5060 --dataplane "$SOCK" \
		--state-file "$T/control.state" --quality-log "$T/calls.jsonl" \
		--ng "$NG" --ng-max-sessions 2 \
		--media-addr $MEDIA --ports 30000-30098 "$@" >>"$T/control.log" 2>&1 &
	CTL_PID=$!
	BG_PIDS+=("$CTL_PID")
	for i in $(seq 50); do	# 5 s
		metrics 2>/dev/null | grep '^rtpgw_dataplane_up 1' >/dev/null && break
		ctl_alive || break
		sleep 0.1
	done
	cat "$T/control.log"
	metrics | grep '^rtpgw_dataplane_up 1' >/dev/null || { echo "FAIL: control not up or not connected"; return 1; }
}

case_start() {
	dp_start || return 1
	dp_wait_api || return 1
	tap_addrs "$A_IP" "$B_IP" || return 1
	[ -x "$CONTROLBIN" ] || { echo "not executable: $CONTROLBIN"; return 1; }
	control_launch || return 1
	sdp "$A_IP" "$A_PORT" >"$T/a.sdp"
	sdp "$B_IP" "$B_PORT" >"$T/b.sdp"
}

case_ping_and_bad_requests() {
	ctl_alive || return 1
	ng "$T/ping.json" ping || return 1
	ng "$T/unknown.json" frobnicate || return 1
	ng "$T/bad.json" --raw 'k1 d7:commandi5ee' || return 1
	ng "$T/bad2.json" --raw 'k2 d7:command4:ping' || return 1
	ng "$T/bad3.json" offer call-id=x from-tag=y || return 1
	jcheck "$T/ping.json" "$T/unknown.json" "$T/bad.json" "$T/bad2.json" "$T/bad3.json" <<'PYEOF'
ping, unk, bad, bad2, bad3 = [j["reply"] for j in J]
check(ping == {"result": "pong"}, "ping: %s" % ping)
for name, r in (("unknown command", unk), ("integer command", bad), ("truncated", bad2), ("offer without sdp", bad3)):
	info("%s: %s" % (name, r))
	check(r.get("result") == "error" and r.get("error-reason"), "%s: %s" % (name, r))
check(J[2]["cookie"] == "k1" and J[3]["cookie"] == "k2", "cookies %s %s" % (J[2]["cookie"], J[3]["cookie"]))
PYEOF
	ctl_alive || { echo "FAIL: control died"; return 1; }
}

case_offer_answer() {
	ctl_alive || return 1
	ng "$T/offer.json" --cookie offer-1 offer call-id=call1@ng from-tag=tagA sdp=@"$T/a.sdp" \
		"replace=[origin,session-connection]" ICE=remove "received-from=[IP4,$A_IP]" \
		transport-protocol=RTP/AVP "flags=[trust-address]" || return 1
	ng "$T/answer.json" answer call-id=call1@ng from-tag=tagA to-tag=tagB sdp=@"$T/b.sdp" \
		"replace=[origin,session-connection]" ICE=remove || return 1
	ctl_json "$T/hello.json" hello || return 1
	ctl_json "$T/flows.json" flows || return 1
	jcheck "$T/offer.json" "$T/answer.json" "$T/hello.json" "$T/flows.json" <<PYEOF
offer, answer, hello, fl = J[0]["reply"], J[1]["reply"], J[2], J[3]
import re
def media(s):
	c = re.findall(r"^c=IN IP4 (\S+)\r$", s, re.M)
	m = re.findall(r"^m=audio (\d+) (\S+) (.*)\r$", s, re.M)
	o = re.findall(r"^o=\S+ \S+ \S+ IN IP4 (\S+)\r$", s, re.M)
	return c, m, o
for name, r in (("offer", offer), ("answer", answer)):
	check(r.get("result") == "ok", "%s: %s" % (name, r))
	c, m, o = media(r.get("sdp", ""))
	info("%s: c=%s m=%s o=%s" % (name, c, m, o))
	check(c == ["$MEDIA"] and o == ["$MEDIA"], "%s: c= %s o= %s" % (name, c, o))
	check(len(m) == 1 and m[0][1] == "RTP/AVP" and m[0][2] == "0 8 101", "%s: m= %s" % (name, m))
	check("candidate" not in r["sdp"] and "ice-" not in r["sdp"], "%s: ICE left in" % name)
pb = int(media(offer["sdp"])[1][0][0])   # B sends here
pa = int(media(answer["sdp"])[1][0][0])  # A sends here
check(pa != pb and 30000 <= pa <= 30098 and 30000 <= pb <= 30098, "ports %d %d" % (pa, pb))
check(hello["flows"] == 2, "%d flows in the dataplane, expected 2" % hello["flows"])
fa, fb = flow(fl, pa), flow(fl, pb)
check(fa is not None and fb is not None, "flows at %d and %d: %s" % (pa, pb, fl))
if fa and fb:
	check(fa["action"] == "relay" and fa["peer_ip"] == "$B_IP" and fa["peer_port"] == $B_PORT and fa["out_port"] == pb, "A's flow %s" % fa)
	check(fb["action"] == "relay" and fb["peer_ip"] == "$A_IP" and fb["peer_port"] == $A_PORT and fb["out_port"] == pa, "B's flow %s" % fb)
open("$T/ports", "w").write("%d %d\n" % (pa, pb))
PYEOF
}

case_rtp_both_ways() {
	local pa pb a b
	ctl_alive || return 1
	read -r pa pb <"$T/ports" || return 1
	ctl_json "$T/before.json" flow get "$MEDIA:$pa" "$MEDIA:$pb" || return 1
	bg_start timeout 30 ip netns exec "$NS" python3 "$EP" --bind "$A_IP:$A_PORT" \
		--peer "$MEDIA:$pa" --tone 440 --pt 0 --duration 3 --delay 0.4 --linger 0.6 \
		--rtcp-interval 1 --analyze 440,1000 --report "$T/A.json" >"$T/A.log" 2>&1
	a=$BG_PID
	bg_start timeout 30 ip netns exec "$NS" python3 "$EP" --bind "$B_IP:$B_PORT" \
		--peer "$MEDIA:$pb" --tone 1000 --pt 0 --duration 3 --delay 0.4 --linger 0.6 \
		--rtcp-interval 1 --analyze 440,1000 --report "$T/B.json" >"$T/B.log" 2>&1
	b=$BG_PID
	wait_pids "$a" "$b" || { echo "an endpoint failed:"; cat "$T/A.log" "$T/B.log"; return 1; }
	ctl_json "$T/after.json" flow get "$MEDIA:$pa" "$MEDIA:$pb" || return 1
	jcheck "$T/A.json" "$T/B.json" "$T/before.json" "$T/after.json" <<PYEOF
A, B, before, after = J
amp = A["tone"]["amplitude"]
for name, me, other, mine, theirs in (("A", A, B, "440", "1000"), ("B", B, A, "1000", "440")):
	lv = me["analysis"]["levels"]
	info("%s sent %d, received %d from %s, hears %s" % (name, me["sent"], me["received"], me["sources"], lv))
	check(me["received"] >= 0.95 * other["sent"], "%s received %d of %d" % (name, me["received"], other["sent"]))
	check(lv[theirs] > amp / 3 and lv[mine] < amp / 30, "%s hears %s" % (name, lv))
check(A["sources"] == ["$MEDIA:%d" % $pa] and B["sources"] == ["$MEDIA:%d" % $pb], "sources A %s B %s" % (A["sources"], B["sources"]))
for port, snd in (($pa, A), ($pb, B)):
	f0, f = flow(before, port), flow(after, port)
	d = f["stats"]["packets"] - f0["stats"]["packets"]
	info("flow %d counted %d packets, its sender sent %d" % (port, d, snd["sent"]))
	check(d == snd["sent"], "flow %d counted %d, sent %d" % (port, d, snd["sent"]))
PYEOF
}

case_query() {
	ctl_alive || return 1
	sleep 1.5	# a statistics poll (1 s) after the media
	ng "$T/query.json" query call-id=call1@ng from-tag=tagA || return 1
	jcheck "$T/query.json" "$T/A.json" "$T/B.json" <<'PYEOF'
q, A, B = J[0]["reply"], J[1], J[2]
check(q.get("result") == "ok", "query: %s" % q)
tot = q["totals"]["RTP"]["packets"]
info("totals %s, state %s" % (q["totals"], q.get("state")))
check(tot == A["sent"] + B["sent"], "totals %d packets, sent %d" % (tot, A["sent"] + B["sent"]))
tags = q["tags"]
check(sorted(tags) == ["tagA", "tagB"], "tags %s" % list(tags))
for tag, snd in (("tagA", A), ("tagB", B)):
	s = tags[tag]["medias"][0]["streams"][0]
	info("%s: %s" % (tag, s))
	check(s["stats"]["packets"] == snd["sent"], "%s: %d packets, sent %d" % (tag, s["stats"]["packets"], snd["sent"]))
	check(s["stats"]["lost"] == 0, "%s lost %d" % (tag, s["stats"]["lost"]))
check(tags["tagA"]["in dialogue with"] == "tagB", "tagA in dialogue with %s" % tags["tagA"].get("in dialogue with"))
PYEOF
}

case_retransmission_cached() {
	ctl_alive || return 1
	ng "$T/st1.json" statistics || return 1
	# the first offer's cookie again: its reply, not a new execution
	ng "$T/offer_again.json" --cookie offer-1 offer call-id=call1@ng from-tag=tagA sdp=@"$T/a.sdp" \
		"replace=[origin,session-connection]" ICE=remove "received-from=[IP4,$A_IP]" \
		transport-protocol=RTP/AVP "flags=[trust-address]" || return 1
	ng "$T/st2.json" statistics || return 1
	jcheck "$T/offer.json" "$T/offer_again.json" "$T/st1.json" "$T/st2.json" <<'PYEOF'
o1, o2, s1, s2 = J
check(o1 == o2, "the retransmission got another reply:\n%s\n%s" % (o1, o2))
n1, n2 = s1["reply"]["statistics"]["totalstatistics"]["offers"], s2["reply"]["statistics"]["totalstatistics"]["offers"]
info("offers executed: %d before, %d after the retransmission" % (n1, n2))
check(n1 == n2, "the retransmitted offer was executed again (%d -> %d)" % (n1, n2))
PYEOF
}

case_load_limit() {
	ctl_alive || return 1
	ng "$T/l2.json" offer call-id=call2@ng from-tag=t2 sdp=@"$T/a.sdp" || return 1
	ng "$T/l3.json" offer call-id=call3@ng from-tag=t3 sdp=@"$T/a.sdp" || return 1
	ng "$T/list.json" list || return 1
	ng "$T/d2.json" delete call-id=call2@ng from-tag=t2 || return 1
	ng "$T/l3b.json" offer call-id=call3@ng from-tag=t3 sdp=@"$T/a.sdp" || return 1
	ng "$T/d3.json" delete call-id=call3@ng from-tag=t3 || return 1
	jcheck "$T/l2.json" "$T/l3.json" "$T/list.json" "$T/d2.json" "$T/l3b.json" "$T/d3.json" <<'PYEOF'
l2, l3, lst, d2, l3b, d3 = [j["reply"] for j in J]
check(l2.get("result") == "ok", "second call: %s" % l2)
check(l3 == {"result": "load limit"}, "third call over ng_max_sessions 2: %s" % l3)
check(sorted(lst.get("calls", [])) == ["call1@ng", "call2@ng"], "list: %s" % lst)
check(d2 == {"result": "ok"} and d3 == {"result": "ok"}, "deletes: %s %s" % (d2, d3))
check(l3b.get("result") == "ok", "third call after a delete: %s" % l3b)
PYEOF
}

case_delete() {
	local pa pb
	ctl_alive || return 1
	read -r pa pb <"$T/ports" || return 1
	ng "$T/del.json" delete call-id=call1@ng from-tag=tagA to-tag=tagB || return 1
	ng "$T/del2.json" delete call-id=call1@ng from-tag=tagA || return 1
	ctl_json "$T/hello2.json" hello || return 1
	nsx timeout 5 curl -sf "http://127.0.0.1:8080/api/calls" >"$T/calls.json" || return 1
	jcheck "$T/del.json" "$T/del2.json" "$T/hello2.json" "$T/calls.json" <<'PYEOF'
d, d2, hello, calls = J[0]["reply"], J[1]["reply"], J[2], J[3]
check(d == {"result": "ok"}, "delete: %s" % d)
check(d2.get("result") == "error", "a second delete: %s" % d2)
check(hello["flows"] == 0, "%d flows left in the dataplane" % hello["flows"])
check(calls["calls"] == [], "control still holds %s" % calls["calls"])
PYEOF
	# the ended call's quality record
	grep -q '"kind":"ng"' "$T/calls.jsonl" || { echo "FAIL: no ng record in the quality log"; return 1; }
	grep -c '"kind":"ng"' "$T/calls.jsonl"
}

case_list_statistics() {
	ctl_alive || return 1
	ng "$T/list2.json" list || return 1
	ng "$T/st3.json" statistics || return 1
	jcheck "$T/list2.json" "$T/st3.json" <<'PYEOF'
lst, st = J[0]["reply"], J[1]["reply"]
check(lst == {"result": "ok", "calls": []}, "list: %s" % lst)
cur, tot = st["statistics"]["currentstatistics"], st["statistics"]["totalstatistics"]
info("statistics: %s" % st["statistics"])
check(cur["sessionsown"] == 0 and tot["totalsessions"] == 3, "statistics %s" % st)
check(tot["loadlimit"] == 1, "load limit count %s" % tot)
PYEOF
	metrics | grep '^rtpgw_calls{kind="ng"' || { echo "FAIL: no ng calls metric"; return 1; }
}

# A call up, control stopped (SIGTERM ends nothing) and started again
# with a 2 s media timeout: the call is back from the journal, its flows
# were kept, query finds it.
case_restart_recovers() {
	local i
	ctl_alive || return 1
	ng "$T/r_offer.json" offer call-id=call4@ng from-tag=tagA sdp=@"$T/a.sdp" || return 1
	ng "$T/r_answer.json" answer call-id=call4@ng from-tag=tagA to-tag=tagB sdp=@"$T/b.sdp" || return 1
	kill -TERM "$CTL_PID"
	for i in $(seq 50); do	# 5 s
		ctl_alive || break
		sleep 0.1
	done
	ctl_alive && { echo "FAIL: control still runs 5 s after SIGTERM"; return 1; }
	: >"$T/control.log"
	control_launch --media-timeout 2 || return 1
	ng "$T/r_query.json" query call-id=call4@ng || return 1
	ctl_json "$T/r_hello.json" hello || return 1
	jcheck "$T/r_answer.json" "$T/r_query.json" "$T/r_hello.json" <<'PYEOF'
a, q, hello = J[0]["reply"], J[1]["reply"], J[2]
check(a.get("result") == "ok", "answer: %s" % a)
check(q.get("result") == "ok" and q.get("state") == "active", "query after the restart: %s" % q)
check(sorted(q.get("tags", {})) == ["tagA", "tagB"], "tags %s" % list(q.get("tags", {})))
check(hello["flows"] == 2, "%d flows after the restart, expected the call's 2" % hello["flows"])
PYEOF
}

# No RTP: the media timeout ends the recovered ng call without SIP.
case_media_timeout() {
	local i
	ctl_alive || return 1
	for i in $(seq 80); do	# 8 s
		grep -q '"end_reason":"media-timeout"' "$T/calls.jsonl" 2>/dev/null && break
		sleep 0.1
	done
	ng "$T/t_query.json" query call-id=call4@ng || return 1
	ctl_json "$T/t_hello.json" hello || return 1
	jcheck "$T/t_query.json" "$T/t_hello.json" <<'PYEOF'
q, hello = J[0]["reply"], J[1]
check(q.get("result") == "error", "query after the media timeout: %s" % q)
check(hello["flows"] == 0, "%d flows left after the media timeout" % hello["flows"])
PYEOF
	grep '"kind":"ng"' "$T/calls.jsonl" | grep -q '"end_reason":"media-timeout"' ||
		{ echo "FAIL: no ng media-timeout record in the quality log"; return 1; }
	ctl_alive || { echo "FAIL: control died"; return 1; }
	grep -i "bye\|error" "$T/control.log" && { echo "FAIL: control logged the above"; return 1; }
	return 0
}

run_case start case_start
run_case ping_and_bad_requests case_ping_and_bad_requests
run_case offer_answer_flows_installed case_offer_answer
run_case rtp_relayed_both_ways case_rtp_both_ways
run_case query_statistics_from_flows case_query
run_case retransmitted_cookie_from_cache case_retransmission_cached
run_case load_limit case_load_limit
run_case delete_removes_flows case_delete
run_case list_and_statistics case_list_statistics
run_case restart_recovers_ng_call case_restart_recovers
run_case media_timeout_ends_ng_call case_media_timeout
tap_summary
