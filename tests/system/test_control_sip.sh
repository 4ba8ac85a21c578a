#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# System test: rtpgw-control in front of the real rtpgw-dataplane, inside a
# network namespace this script creates and deletes, at the SIP message
# level: sipsak (OPTIONS over UDP and TCP) and tests/system/sip_uac.py
# (INVITE/ACK/BYE/re-INVITE with SDP, a scripted UAS) call conference room
# 1; kernel-socket RTP endpoints send tones to the ports the SDP answers
# name and must hear each other mixed. Also: RFC 4028 (422 with Min-SE,
# Session-Expires confirmed, BYE when the caller never refreshes), a
# re-INVITE changing codec then holding and resuming, a relayed call with
# early media (183 with SDP installs the flows) and a callee's 486 passed
# back, a dataplane restart (503, then every room participant and relayed
# call re-installed), and after
# each teardown the dataplane's flows matching control's calls; control
# killed and restarted with a room call up (recovered, re-INVITE, BYE).
#
#   test_control_sip.sh [RTPGW_DATAPLANE [RTPGWCTL [RTPGW_CONTROL]]]
#
# Topology (all inside namespace rtpgw-sip-PID; nothing leaves it):
#
#   kernel side of stap0                     DPDK side (net_tap0)
#   198.51.100.5:5060  rtpgw-control (SIP, on lo)
#                                            198.51.100.10 media address
#   127.0.0.1:8080     rtpgw-control (HTTP)
#   198.51.100.1..3    phones A, B, C: SIP from :5062, RTP at :40000
#
# Prints TAP; needs root ("1..0 # SKIP not root" otherwise). Every wait is
# bounded; processes, namespace and temporary files go in the EXIT trap.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sys_require_root
sys_init rtpgw-sip rtpgw-siptest "${1:-}" "${2:-}"
CONTROLBIN=$(realpath -e "${3:-$ROOT/build/rtpgw-control}" 2>/dev/null || echo "${3:-$ROOT/build/rtpgw-control}")
UAC=$ROOT/tests/system/sip_uac.py

TAP=stap0
MEDIA=198.51.100.10
SIP_IP=198.51.100.5
SIP_PORT=5060
ROOM=1
NAMES=(A B C)
IPS=(198.51.100.1 198.51.100.2 198.51.100.3)
TONES=(440 1000 1500)
PTS=(0 8 0)
PHONE_PORT=40000
SEND_S=4
NCASES=16
CTL_PID=
SE_PID=
SE_IP=198.51.100.6
UAS_IP=198.51.100.7	# the relayed calls' callee (route ^9xxx), on lo

tap_plan $NCASES

# (under pipefail, "| grep -q" can fail a pipeline whose writer gets
# SIGPIPE: these greps read their whole input)
ctl_alive() { [ -n "$CTL_PID" ] && kill -0 "$CTL_PID" 2>/dev/null; }

# flows_match_calls: the dataplane holds exactly the flows of control's
# calls (a room participant 1, a relayed call 2): nothing leaked.
flows_match_calls() {
	nsx timeout 5 curl -sf "http://127.0.0.1:8080/api/calls" >"$T/fm_calls.json" || return 1
	ctl_json "$T/fm_hello.json" hello || return 1
	jcheck "$T/fm_calls.json" "$T/fm_hello.json" <<'PYEOF'
calls, hello = J
want = sum(1 if c["kind"] == "room" else 2 for c in calls["calls"] if c["state"] in ("active", "early"))
check(hello["flows"] == want, "%d flows in the dataplane, control's calls need %d" % (hello["flows"], want))
PYEOF
}
metrics() { nsx timeout 5 curl -sf "http://127.0.0.1:8080/metrics"; }
uac() { timeout 15 ip netns exec "$NS" python3 "$UAC" "$@"; }

# control_launch: start rtpgw-control (appending to control.log), wait
# until it is connected to the dataplane.
control_launch() {
	local i
	ip netns exec "$NS" "$CONTROLBIN" --sip "$SIP_IP:$SIP_PORT" --dataplane "$SOCK" \
		--state-file "$T/control.state" --quality-log "$T/calls.jsonl" \
		--route "^9[0-9]{3}\$ sip:$UAS_IP:5090" \
		--media-addr $MEDIA --ports 30000-30098 >>"$T/control.log" 2>&1 &
	CTL_PID=$!
	BG_PIDS+=("$CTL_PID")
	for i in $(seq 50); do	# 5 s
		metrics 2>/dev/null | grep '^rtpgw_dataplane_up 1' >/dev/null && break
		ctl_alive || break
		sleep 0.1
	done
	cat "$T/control.log"
}

case_start() {
	local i
	dp_start --max-confs 16 --max-participants 64 || return 1
	dp_wait_api || return 1
	# SIP on lo: it outlives the tap (the dataplane restarts below)
	nsx ip addr add "$SIP_IP/32" dev lo || return 1
	# the session timer caller's SIP lives on lo too: its call outlives the
	# dataplane restart below, which takes the tap and its addresses away
	nsx ip addr add "$SE_IP/32" dev lo || return 1
	nsx ip addr add "$UAS_IP/32" dev lo || return 1
	tap_addrs "${IPS[@]}" || return 1
	[ -x "$CONTROLBIN" ] || { echo "not executable: $CONTROLBIN"; return 1; }
	# a bad configuration is refused with exit 2 and a message
	"$CONTROLBIN" --media-addr $MEDIA --ports 30001-30010 >"$T/bad.log" 2>&1
	i=$?
	echo "bad --ports: exit $i: $(head -n 1 "$T/bad.log")"
	[ $i -eq 2 ] || { echo "FAIL: expected exit 2"; return 1; }
	control_launch || return 1
	metrics | grep '^rtpgw_dataplane_up 1' >/dev/null || { echo "FAIL: control not up or not connected"; return 1; }
}

case_options() {
	ctl_alive || return 1
	nsx timeout 10 sipsak -s "sip:ping@$SIP_IP:$SIP_PORT" -v >"$T/options.out" 2>&1
	echo "sipsak exit $?"
	sed -n '1,12p' "$T/options.out"
	grep -q '^SIP/2.0 200' "$T/options.out" && grep -q '^Allow: .*INVITE' "$T/options.out"
}

case_bad_invites() {
	local rc=0
	ctl_alive || return 1
	uac invite --bind "${IPS[0]}:5070" --to "sip:lobby@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:$PHONE_PORT" --pts 0 --state "$T/bad1.json" | tee "$T/bad1.out"
	grep -q ': 404$' "$T/bad1.out" || { echo "FAIL: expected 404 for a non-room"; rc=1; }
	uac invite --bind "${IPS[0]}:5070" --to "sip:$ROOM@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:$PHONE_PORT" --pts 9 --state "$T/bad2.json" | tee "$T/bad2.out"
	grep -q ': 488$' "$T/bad2.out" || { echo "FAIL: expected 488 for G722 only"; rc=1; }
	if ctl conf show $ROOM >/dev/null 2>&1; then
		echo "FAIL: a failed INVITE left conference $ROOM behind"
		rc=1
	fi
	return $rc
}

case_calls() {
	local i pts extra
	ctl_alive || return 1
	for i in 0 1 2; do
		# B offers PCMA first: it must get PCMA; C's INVITE is sent twice
		# (a retransmission): the same answer, one participant
		pts=${PTS[i]}
		[ "${PTS[i]}" = 8 ] && pts=8,0
		extra=()
		[ $i -eq 2 ] && extra=(--retransmit)
		# A holds its ACK back: the 200 comes again until it is sent
		[ $i -eq 0 ] && extra=(--ack-delay 1.2)
		uac invite --bind "${IPS[i]}:5062" --to "sip:$ROOM@$SIP_IP:$SIP_PORT" \
			--media "${IPS[i]}:$PHONE_PORT" --pts "$pts" --state "$T/call_${NAMES[i]}.json" \
			"${extra[@]}" ||
			{ echo "FAIL: ${NAMES[i]}'s INVITE"; return 1; }
	done
	ctl conf show $ROOM | sed 's/^/  /'
	ctl_json "$T/show1.json" conf show $ROOM || return 1
	jcheck "$T/call_A.json" "$T/call_B.json" "$T/call_C.json" "$T/show1.json" <<PYEOF
calls, show = J[:3], J[3]
ports = []
for i, c in enumerate(calls):
	a = c["answer"]
	ports.append(a["port"])
	check(a["ip"] == "$MEDIA", "%s: answer c= %s" % ("ABC"[i], a["ip"]))
	check(a["pts"] == [[0, 8, 0][i]], "%s: answer payload types %s" % ("ABC"[i], a["pts"]))
	check(a["port"] % 2 == 0 and 30000 <= a["port"] <= 30098, "%s: port %d" % ("ABC"[i], a["port"]))
	check(a["content_type"] == "application/sdp", "content type %s" % a["content_type"])
check(len(set(ports)) == 3, "ports not distinct: %s" % ports)
check(show["n_parts"] == 3, "conference has %d participants" % show["n_parts"])
check(sorted(p["local_port"] for p in show["participants"]) == sorted(ports), "participants %s vs %s" % (show["participants"], ports))
PYEOF
}

case_mixed() {
	local i pids=() port
	ctl_alive || return 1
	for i in 0 1 2; do
		port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["answer"]["port"])' "$T/call_${NAMES[i]}.json") || return 1
		bg_start timeout 30 ip netns exec "$NS" python3 "$EP" --bind "${IPS[i]}:$PHONE_PORT" \
			--peer "$MEDIA:$port" --tone "${TONES[i]}" --pt "${PTS[i]}" \
			--duration $SEND_S --delay 0.5 --linger 0.8 --rtcp-interval 1 \
			--analyze "$(IFS=,; echo "${TONES[*]}")" --report "$T/${NAMES[i]}.json" \
			>"$T/${NAMES[i]}.log" 2>&1
		pids+=("$BG_PID")
	done
	wait_pids "${pids[@]}" || { echo "a phone failed:"; cat "$T"/[ABC].log; return 1; }
	jcheck "$T/A.json" "$T/B.json" "$T/C.json" <<'PYEOF'
names, tones = "ABC", [440, 1000, 1500]
amp = J[0]["tone"]["amplitude"]
for i, r in enumerate(J):
	lv = r["analysis"]["levels"]
	info("%s (sent %d Hz) hears %s; received %d RTP" % (names[i], tones[i], ", ".join("%s Hz %.0f" % (k, v) for k, v in lv.items()), r["received"]))
	for j, f in enumerate(tones):
		v = lv["%d" % f]
		if j == i:
			check(v < amp / 30, "%s hears its own %d Hz at %.0f" % (names[i], f, v))
		else:
			check(v > amp / 3, "%s hears %s's %d Hz at %.0f only" % (names[i], names[j], f, v))
PYEOF
}

case_metrics() {
	ctl_alive || return 1
	metrics >"$T/metrics.txt" || { echo "FAIL: GET /metrics"; return 1; }
	nsx timeout 5 curl -sf "http://127.0.0.1:8080/api/rooms" >"$T/rooms.json" || { echo "FAIL: GET /api/rooms"; return 1; }
	grep -E '^rtpgw_(rooms|room_participants|drops_total\{reason="no_flow"|port_packets_total|worker_packets_total\{lcore="1",kind="rx")' "$T/metrics.txt"
	cat "$T/rooms.json"
	# room 1 and the session timer call's room 3
	if ! { grep -q '^rtpgw_rooms 2$' "$T/metrics.txt" &&
		grep -q '^rtpgw_room_participants{room="1"} 3$' "$T/metrics.txt" &&
		grep -q '^rtpgw_drops_total{reason="no_flow"} [0-9]' "$T/metrics.txt" &&
		grep -Eq '^rtpgw_port_packets_total\{port="0",dir="rx"\} [1-9]' "$T/metrics.txt"; }; then
		echo "FAIL: metrics"
		return 1
	fi
	jcheck "$T/rooms.json" <<'PYEOF'
r = [r for r in J[0]["rooms"] if r["id"] == 1]
check(len(r) == 1 and len(r[0]["participants"]) == 3, "rooms %s" % J[0]["rooms"])
PYEOF
}

case_bye() {
	local i rc=0 out
	ctl_alive || return 1
	for i in 0 1 2; do
		uac bye --state "$T/call_${NAMES[i]}.json" || { echo "FAIL: ${NAMES[i]}'s BYE"; rc=1; }
		if [ $i -eq 0 ]; then
			ctl_json "$T/show2.json" conf show $ROOM || rc=1
			jcheck "$T/show2.json" <<<'check(J[0]["n_parts"] == 2, "%d participants after one BYE" % J[0]["n_parts"])' || rc=1
		fi
	done
	out=$(ctl conf show $ROOM 2>&1)
	echo "conf show after the last BYE: $out"
	echo "$out" | grep -q ENOENT || { echo "FAIL: the room is still there"; rc=1; }
	flows_match_calls || rc=1
	uac bye --state "$T/call_A.json" >"$T/bye2.out" 2>&1
	cat "$T/bye2.out"
	grep -q ': 481$' "$T/bye2.out" || { echo "FAIL: a second BYE should get 481"; rc=1; }
	return $rc
}

case_dp_restart_reconnects() {
	local i out upid
	ctl_alive || return 1
	# a call into room 2 stays up across the dataplane restart
	uac invite --bind "$SIP_IP:5066" --to "sip:2@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:40002" --pts 0 --state "$T/held.json" || { echo "FAIL: room 2 INVITE"; return 1; }
	# and a relayed call (two RELAY flows) too
	bg_start timeout 40 ip netns exec "$NS" python3 "$UAC" uas --bind "$UAS_IP:5090" \
		--media "$UAS_IP:40030" --early 0 --timeout 35 >"$T/uas3.out" 2>&1
	upid=$BG_PID
	sleep 0.3
	uac invite --bind "$SE_IP:5080" --to "sip:9003@$SIP_IP:$SIP_PORT" \
		--media "$SE_IP:40032" --pts 0 --state "$T/relay3.json" || { echo "FAIL: relayed INVITE"; return 1; }
	dp_check_clean_shutdown || return 1
	for i in $(seq 30); do
		metrics | grep '^rtpgw_dataplane_up 0' >/dev/null && break
		sleep 0.1
	done
	metrics | grep '^rtpgw_dataplane_up 0' >/dev/null || { echo "FAIL: still up with the dataplane gone"; return 1; }
	uac invite --bind "$SIP_IP:5064" --to "sip:$ROOM@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:$PHONE_PORT" --pts 0 --state "$T/down.json" | tee "$T/down.out"
	grep -q ': 503$' "$T/down.out" || { echo "FAIL: expected 503 without a dataplane"; return 1; }
	# the same launch as dp_start (lib.sh), in the namespace that exists
	ip netns exec "$NS" "$DPBIN" -l 0-1 --no-pci --no-huge -m 512 \
		--file-prefix "$PREFIX" --vdev "net_tap0,iface=$TAP" -- \
		--addr "0:$MEDIA/24" --api "$SOCK" --max-flows 4096 \
		--max-confs 16 --max-participants 64 >"$T/dp2.log" 2>&1 &
	DP_PID=$!
	dp_wait_api >/dev/null || { tail -n 5 "$T/dp2.log"; return 1; }
	for i in $(seq 100); do	# backoff is at most 5 s
		metrics | grep '^rtpgw_dataplane_up 1' >/dev/null && break
		sleep 0.1
	done
	metrics | grep -E '^rtpgw_dataplane_(up|connects_total)'
	metrics | grep '^rtpgw_dataplane_connects_total 2$' >/dev/null || { echo "FAIL: no reconnection"; return 1; }
	grep 're-installed' "$T/control.log"
	ctl_json "$T/held_show.json" conf show 2 || return 1
	ctl conf show 2 | sed 's/^/  /'
	jcheck "$T/held.json" "$T/held_show.json" <<'PYEOF' || return 1
held, show = J
ports = [p["local_port"] for p in show["participants"]]
check(ports == [held["answer"]["port"]], "room 2 after the restart: participants at %s, expected %d" % (ports, held["answer"]["port"]))
PYEOF
	flows_match_calls || return 1
	ctl flows | sed 's/^/  /'
	uac bye --state "$T/relay3.json" || { echo "FAIL: relayed BYE after the restart"; return 1; }
	wait_pids "$upid" || { cat "$T/uas3.out"; return 1; }
	uac bye --state "$T/held.json" || { echo "FAIL: BYE after the restart"; return 1; }
	out=$(ctl conf show 2 2>&1)
	echo "conf show 2 after its BYE: $out"
	echo "$out" | grep -q ENOENT || { echo "FAIL: room 2 still there"; return 1; }
}

case_options_tcp() {
	ctl_alive || return 1
	nsx timeout 10 sipsak -E tcp -s "sip:ping@$SIP_IP:$SIP_PORT" -v >"$T/options_tcp.out" 2>&1
	echo "sipsak (TCP) exit $?"
	grep -E '^(SIP/2.0|Via:|Allow:)' "$T/options_tcp.out"
	grep -q '^SIP/2.0 200' "$T/options_tcp.out" && grep -q '^Via: SIP/2.0/TCP' "$T/options_tcp.out"
}

# RFC 4028: a Session-Expires below our Min-SE gets 422 with Min-SE; an
# acceptable one is confirmed in the 200 with the caller as refresher; the
# caller then never refreshes, so control must end the call with BYE at
# interval - min(32, interval/3) = 60 s (checked by case_session_expired,
# the wait runs in the background meanwhile).
case_session_timers() {
	local rc=0
	ctl_alive || return 1
	uac invite --bind "${IPS[0]}:5072" --to "sip:3@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:40010" --pts 0 --header "Supported: timer" \
		--header "Session-Expires: 30" --expect 422 | tee "$T/se1.out" || rc=1
	grep -q '^min-se: 90' "$T/se1.out" || { echo "FAIL: no Min-SE: 90 in the 422"; rc=1; }
	uac invite --bind "$SE_IP:5074" --to "sip:3@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:40012" --pts 0 --header "Supported: timer" \
		--header "Session-Expires: 90;refresher=uac" --state "$T/se.json" | tee "$T/se2.out" || return 1
	grep -q '^session-expires: 90;refresher=uac' "$T/se2.out" || { echo "FAIL: Session-Expires not confirmed"; rc=1; }
	grep -q '^require: timer' "$T/se2.out" || { echo "FAIL: no Require: timer"; rc=1; }
	bg_start timeout 90 ip netns exec "$NS" python3 "$UAC" wait-bye --state "$T/se.json" --timeout 80 \
		>"$T/se_bye.out" 2>&1
	SE_PID=$BG_PID
	return $rc
}

# A re-INVITE from A: codec change (PCMA only: a fresh port and participant),
# hold (sendonly -> answered recvonly, A made deaf), resume.
case_reinvite() {
	local rc=0
	ctl_alive || return 1
	uac reinvite --state "$T/call_A.json" --pts 8 || return 1
	jcheck "$T/call_A.json" <<<'a = J[0]["answer"]; check(a["pts"] == [8], "codec %s" % a["pts"]); info("new port %d" % a["port"])' || rc=1
	nsx timeout 5 curl -sf "http://127.0.0.1:8080/api/rooms" >"$T/rooms2.json" || return 1
	jcheck "$T/rooms2.json" "$T/call_A.json" <<'PYEOF' || rc=1
rooms, a = J
p = [p for r in rooms["rooms"] if r["id"] == 1 for p in r["participants"] if p["local_port"] == a["answer"]["port"]]
check(len(p) == 1 and p[0]["pt"] == 8, "participant after the codec change: %s" % p)
PYEOF
	uac reinvite --state "$T/call_A.json" --pts 8 --dir sendonly || return 1
	jcheck "$T/call_A.json" <<<'check(J[0]["answer"]["dir"] == "recvonly", "hold answered %s" % J[0]["answer"]["dir"])' || rc=1
	nsx timeout 5 curl -sf "http://127.0.0.1:8080/api/calls" >"$T/calls_held.json" || return 1
	jcheck "$T/calls_held.json" <<<'check(any(c["held"] for c in J[0]["calls"]), "no call held")' || rc=1
	uac reinvite --state "$T/call_A.json" --pts 8 --dir sendrecv || return 1
	jcheck "$T/call_A.json" <<<'check(J[0]["answer"]["dir"] == "sendrecv", "resume answered %s" % J[0]["answer"]["dir"])' || rc=1
	return $rc
}

# A relayed call (route ^9xxx -> a scripted UAS at C's address): 183 with
# SDP installs the two flows before the 200 (early media); BYE ends both legs.
case_relay_early_media() {
	local rc=0 upid cpid
	ctl_alive || return 1
	bg_start timeout 20 ip netns exec "$NS" python3 "$UAC" uas --bind "$UAS_IP:5090" \
		--media "${IPS[2]}:40020" --early 2 --timeout 15 >"$T/uas.out" 2>&1
	upid=$BG_PID
	sleep 0.3
	bg_start uac invite --bind "${IPS[0]}:5076" --to "sip:9001@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:40022" --pts 0,8 --state "$T/relay.json" >"$T/relay_inv.out" 2>&1
	cpid=$BG_PID
	sleep 1
	nsx timeout 5 curl -sf "http://127.0.0.1:8080/api/calls" >"$T/early.json" || return 1
	ctl flows | head -n 3
	jcheck "$T/early.json" <<'PYEOF' || rc=1
c = [c for c in J[0]["calls"] if c["kind"] == "relay"]
check(len(c) == 1, "relayed calls %s" % c)
info("during early media: state %s, legs %s" % (c[0]["state"], [(l["peer"], l["peer_port"]) for l in c[0]["legs"]]))
check(c[0]["state"] == "early", "state %s" % c[0]["state"])
check(all(l["peer"] for l in c[0]["legs"]), "media of both legs")
PYEOF
	ctl_json "$T/early_hello.json" hello || return 1
	jcheck "$T/early_hello.json" <<<'check(J[0]["flows"] >= 2, "%d flows during early media" % J[0]["flows"])' || rc=1
	wait_pids "$cpid" || { echo "FAIL: the relayed INVITE"; cat "$T/relay_inv.out"; rc=1; }
	cat "$T/relay_inv.out"
	jcheck "$T/relay.json" <<<'a = J[0]["answer"]; check(a["ip"] == "'$MEDIA'" and a["pts"] == [0], "answer %s" % a)' || rc=1
	uac bye --state "$T/relay.json" || rc=1
	wait_pids "$upid" || rc=1
	cat "$T/uas.out"
	grep -q 'BYE answered' "$T/uas.out" || { echo "FAIL: the callee got no BYE"; rc=1; }
	tail -n 1 "$T/calls.jsonl" | grep -q '"end_reason":"bye-caller"' || { echo "FAIL: quality record"; rc=1; }
	return $rc
}

# The callee refuses (486): the caller gets 486, nothing stays installed.
case_relay_busy() {
	local rc=0 upid
	ctl_alive || return 1
	bg_start timeout 10 ip netns exec "$NS" python3 "$UAC" uas --bind "$UAS_IP:5090" \
		--media "${IPS[2]}:40020" --reject 486 --timeout 8 >"$T/uas2.out" 2>&1
	upid=$BG_PID
	sleep 0.3
	uac invite --bind "${IPS[0]}:5078" --to "sip:9002@$SIP_IP:$SIP_PORT" \
		--media "${IPS[0]}:40024" --pts 0 --expect 486 || rc=1
	wait_pids "$upid" || rc=1
	cat "$T/uas2.out"
	tail -n 1 "$T/calls.jsonl" | grep -o '"end_reason":"[a-z0-9-]*"'
	tail -n 1 "$T/calls.jsonl" | grep -q '"end_reason":"callee-486"' || { echo "FAIL: quality record"; rc=1; }
	flows_match_calls || rc=1
	return $rc
}

case_session_expired() {
	[ -n "$SE_PID" ] || { echo "FAIL: no session timer call"; return 1; }
	wait_pids "$SE_PID"
	local rc=$?
	cat "$T/se_bye.out"
	grep -o '"end_reason":"session-expired"' "$T/calls.jsonl" || { echo "FAIL: no session-expired record"; rc=1; }
	return $rc
}

# control killed (SIGKILL) with a room call up: the restarted control
# recovers it from its journal, a re-INVITE (hold) in that dialog is
# answered, its BYE ends it and nothing is left in the dataplane.
case_control_restart_room_call() {
	local rc=0 out
	ctl_alive || return 1
	uac invite --bind "$SE_IP:5082" --to "sip:4@$SIP_IP:$SIP_PORT" \
		--media "$SE_IP:40040" --pts 8 --state "$T/rr.json" || return 1
	kill -KILL "$CTL_PID"
	wait "$CTL_PID" 2>/dev/null
	CTL_PID=

	control_launch >/dev/null || return 1
	metrics | grep '^rtpgw_dataplane_up 1' >/dev/null || { echo "FAIL: control not back"; return 1; }
	grep recovered "$T/control.log" | tail -n 1
	flows_match_calls || rc=1
	uac reinvite --state "$T/rr.json" --pts 8 --dir sendonly || rc=1
	jcheck "$T/rr.json" <<<'check(J[0]["answer"]["dir"] == "recvonly" and J[0]["answer"]["pts"] == [8], "answer %s" % J[0]["answer"])' || rc=1
	uac bye --state "$T/rr.json" || rc=1
	flows_match_calls || rc=1
	out=$(ctl conf show 4 2>&1)
	echo "$out" | grep -q ENOENT || { echo "FAIL: room 4 still there"; rc=1; }
	return $rc
}

case_control_stops() {
	local i rc
	ctl_alive || return 1
	kill -TERM "$CTL_PID"
	for i in $(seq 50); do
		ctl_alive || break
		sleep 0.1
	done
	wait "$CTL_PID"
	rc=$?
	echo "rtpgw-control exit $rc"
	CTL_PID=
	[ $rc -eq 0 ]
}

run_case control_starts_and_connects case_start
run_case options_gets_200 case_options
run_case options_over_tcp case_options_tcp
run_case bad_invites_get_404_488 case_bad_invites
run_case session_timer_422_and_confirmed case_session_timers
run_case three_calls_join_room_1 case_calls
run_case each_hears_the_others case_mixed
run_case metrics_and_rooms_api case_metrics
run_case reinvite_codec_hold_resume case_reinvite
run_case bye_leaves_and_empties_room case_bye
run_case relay_early_media_then_bye case_relay_early_media
run_case relay_busy_486_passed_back case_relay_busy
run_case dataplane_restart_503_then_reinstall case_dp_restart_reconnects
run_case session_expired_bye case_session_expired
run_case control_restart_recovers_room_call case_control_restart_room_call
run_case control_stops_on_sigterm case_control_stops
tap_summary
