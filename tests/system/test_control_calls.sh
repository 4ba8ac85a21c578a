#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# System test: real SIP user agents (baresip, headless, tests/system/
# scripts/lib/baresip.sh) calling through rtpgw-control and rtpgw-dataplane inside a
# network namespace this script creates and deletes:
#
#   - a relayed call (route ^2[0-9]{3}$ -> phone B): each side hears the
#     other's tone at its level and not its own; /api/calls, /metrics and
#     the quality log show the call; nothing is left behind;
#   - BYE from the callee ends both legs;
#   - CANCEL before the answer: the callee's INVITE is cancelled;
#   - hold and resume: the call shows held, media stops and comes back;
#   - a three-party conference in room 1: each hears the other two and
#     not itself (PCMU and PCMA in one room);
#   - media timeout: both phones frozen (SIGSTOP), control ends the call
#     with BYE both ways;
#   - control killed (SIGKILL) and restarted mid-call: media keeps flowing
#     (no gap in what B receives), the call is recovered and a BYE from A
#     still ends both legs.
#
#   test_control_calls.sh [RTPGW_DATAPLANE [RTPGWCTL [RTPGW_CONTROL]]]
#
# Topology (all inside namespace rtpgw-calls-PID; nothing leaves it):
#
#   kernel side of ctap0                      DPDK side (net_tap0)
#   198.51.100.5:5060  rtpgw-control (SIP, on lo; HTTP on 127.0.0.1:8080)
#                                             198.51.100.10 media address
#   198.51.100.1..3    baresip phones A, B, C (SIP :5060; RTP per phone);
#                      B's account is sip:2000@...: the route sends 2000 to it
#
# Prints TAP; needs root and baresip ("1..0 # SKIP ..." otherwise). Every
# wait is bounded; processes, namespace and temporary files go in the EXIT
# trap (KEEP_TMP=1 keeps the logs and recordings).
set -uo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/baresip.sh"

sys_require_root
bs_available || { echo "1..0 # SKIP $BS_WHY"; exit 0; }
sys_init rtpgw-calls rtpgw-callstest "${1:-}" "${2:-}"
CONTROLBIN=$(realpath -e "${3:-$ROOT/build/rtpgw-control}" 2>/dev/null || echo "${3:-$ROOT/build/rtpgw-control}")
WAV=$ROOT/scripts/lib/wav_analyze.py

TAP=ctap0
MEDIA=198.51.100.10
SIP_IP=198.51.100.5
SIP_PORT=5060
GW=$SIP_IP:$SIP_PORT
IPS=(198.51.100.1 198.51.100.2 198.51.100.3)
TONES=(440 1000 1500)
NCASES=9
CTL_PID=

tap_plan $NCASES
trap 'bs_cleanup >/dev/null 2>&1; sys_cleanup' EXIT

ctl_alive() { [ -n "$CTL_PID" ] && kill -0 "$CTL_PID" 2>/dev/null; }
http() { nsx timeout 5 curl -sf "http://127.0.0.1:8080$1"; }

# control_start [EXTRA FLAGS]: start rtpgw-control, wait until it is
# connected to the dataplane.
control_start() {
	local i
	ip netns exec "$NS" "$CONTROLBIN" --sip "$GW" --dataplane "$SOCK" \
		--media-addr $MEDIA --ports 30000-30198 --port-quarantine 1 \
		--state-file "$T/control.state" --quality-log "$T/calls.jsonl" \
		--route "^2[0-9]{3}\$ sip:${IPS[1]}:5060" --stats-interval 250 \
		"$@" >>"$T/control.log" 2>&1 &
	CTL_PID=$!
	BG_PIDS+=("$CTL_PID")
	for i in $(seq 50); do	# 5 s
		http /metrics 2>/dev/null | grep '^rtpgw_dataplane_up 1' >/dev/null && return 0
		ctl_alive || break
		sleep 0.1
	done
	echo "FAIL: control not up or not connected:"
	tail -n 20 "$T/control.log"
	return 1
}

control_stop() {
	ctl_alive || return 0
	kill -TERM "$CTL_PID"
	wait "$CTL_PID" 2>/dev/null
	CTL_PID=
}

# calls_json FILE: /api/calls into FILE.
calls_json() { http /api/calls >"$1" || { echo "FAIL: GET /api/calls"; return 1; }; }

# wait_no_calls: control holds no call and the dataplane no flow (5 s).
wait_no_calls() {
	local i n
	for i in $(seq 50); do
		n=$(http /api/calls | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["calls"]))' 2>/dev/null)
		if [ "$n" = 0 ] && ctl_json "$T/hello.json" hello >/dev/null 2>&1 &&
			python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["flows"] != 0)' "$T/hello.json" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "FAIL: calls or flows left:"
	http /api/calls
	ctl flows 2>&1 | head -n 10
	return 1
}

# last_record FIELD: the field of the quality log's last record.
last_record() {
	tail -n 1 "$T/calls.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# hears NAME WAV TONE... -- NOT...: the recording has each TONE at the
# -12 dBFS sent (G.711 carried unchanged: within 1.5 dB) and none of NOT
# above -40 dBFS.
hears() {
	local name=$1 wav=$2 req=() forbid=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do req+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	forbid=("$@")
	python3 "$WAV" --tones "$(IFS=,; echo "${req[*]}${forbid[*]:+,}${forbid[*]}")" \
		--require "$(IFS=,; echo "${req[*]}")" --min-dbfs -13.5 --max-dbfs -40 \
		${forbid[*]:+--forbid "$(IFS=,; echo "${forbid[*]}")"} "$wav" >"$T/$name.analysis" 2>&1
	local rc=$?
	grep -E '^(duration_s|tone_[0-9]+_dbfs|longest_gap_ms|check_.*|result)=' "$T/$name.analysis" |
		sed "s/^/$name: /" | tr '\n' ' '
	echo
	return $rc
}

case_start() {
	dp_start --max-confs 16 --max-participants 64 || return 1
	dp_wait_api || return 1
	nsx ip addr add "$SIP_IP/32" dev lo || return 1
	tap_addrs "${IPS[@]}" || return 1
	bs_init "$T/ua" || return 1
	bs_tone "$T/a.wav" "${TONES[0]}" 120 -12 || return 1
	bs_tone "$T/b.wav" "${TONES[1]}" 120 -12 || return 1
	bs_tone "$T/c.wav" "${TONES[2]}" 120 -12 || return 1
	ua_start a "$NS" "${IPS[0]}" 5060 "$T/a.wav" "$T/a-heard.wav" 1 || return 1
	ua_start 2000 "$NS" "${IPS[1]}" 5060 "$T/b.wav" "$T/b-heard.wav" 1 || return 1
	ua_start c "$NS" "${IPS[2]}" 5060 "$T/c.wav" "$T/c-heard.wav" 1 || return 1
	control_start
}

case_relayed_call() {
	local id rc=0
	ua_cmd a dial "sip:2000@$GW" >/dev/null || return 1
	ua_wait_state a ESTABLISHED 10 || { ua_diag a; tail "$T/control.log"; return 1; }
	ua_wait_state 2000 ESTABLISHED 5 || return 1
	sleep 3
	calls_json "$T/relay.json" || return 1
	jcheck "$T/relay.json" <<'PYEOF' || rc=1
c = J[0]["calls"]
check(len(c) == 1, "%d calls" % len(c))
c = c[0]
info("call %d %s %s, legs %s" % (c["id"], c["kind"], c["state"], [(l["peer"], l["peer_port"], l["codec"], l["quality"]["packets"]) for l in c["legs"]]))
check(c["kind"] == "relay" and c["state"] == "active", "kind/state")
check(len(c["legs"]) == 2 and all(l["quality"]["packets"] > 50 for l in c["legs"]), "packets on both legs")
check(all(l["peer"] in ("198.51.100.1", "198.51.100.2") for l in c["legs"]), "peers")
PYEOF
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["calls"][0]["id"])' "$T/relay.json") || return 1
	http /metrics >"$T/metrics.txt" || return 1
	grep -E "^rtpgw_call_(packets_total|mos|loss_percent)\{call=\"$id\"" "$T/metrics.txt" | head -n 6
	grep -Eq "^rtpgw_call_packets_total\{call=\"$id\",leg=\"0\"\} [1-9]" "$T/metrics.txt" || { echo "FAIL: metrics of call $id"; rc=1; }
	grep -Eq "^rtpgw_call_mos\{call=\"$id\",leg=\"1\"\} [1-4]\." "$T/metrics.txt" || { echo "FAIL: MOS of call $id"; rc=1; }
	ctl flows | head -n 3
	ua_cmd a hangup >/dev/null || return 1
	ua_wait_state 2000 NONE 5 || { echo "FAIL: B still in a call"; rc=1; }
	ua_collect a "$T/a1.wav" >/dev/null
	ua_collect 2000 "$T/b1.wav" >/dev/null
	hears A "$T/a1.wav" "${TONES[1]}" -- "${TONES[0]}" || rc=1
	hears B "$T/b1.wav" "${TONES[0]}" -- "${TONES[1]}" || rc=1
	wait_no_calls || rc=1
	echo "quality record: reason $(last_record end_reason), $(tail -n 1 "$T/calls.jsonl" | cut -c1-200)"
	[ "$(last_record end_reason)" = bye-caller ] || { echo "FAIL: end reason"; rc=1; }
	return $rc
}

case_bye_from_callee() {
	ua_cmd a dial "sip:2000@$GW" >/dev/null || return 1
	ua_wait_state 2000 ESTABLISHED 10 || return 1
	ua_wait_state a ESTABLISHED 5 || return 1
	sleep 1
	ua_cmd 2000 hangup >/dev/null || return 1
	ua_wait_state a NONE 5 || { echo "FAIL: A still in a call"; return 1; }
	wait_no_calls || return 1
	echo "end reason $(last_record end_reason)"
	[ "$(last_record end_reason)" = bye-callee ]
}

case_cancel_before_answer() {
	local rc=0
	ua_stop 2000 >/dev/null 2>&1
	ua_start 2000 "$NS" "${IPS[1]}" 5060 "$T/b.wav" "$T/b-heard.wav" 0 >/dev/null || return 1
	ua_cmd a dial "sip:2000@$GW" >/dev/null || return 1
	ua_wait_event 2000 CALL_INCOMING 10 >/dev/null || { echo "FAIL: B not ringing"; return 1; }
	ua_wait_state a RINGING 5 || echo "(A did not show RINGING)"
	ua_cmd a hangup >/dev/null || return 1
	ua_wait_state 2000 NONE 5 || { echo "FAIL: B's INVITE not cancelled"; rc=1; }
	wait_no_calls || rc=1
	echo "end reason $(last_record end_reason)"
	[ "$(last_record end_reason)" = cancel ] || rc=1
	ua_stop 2000 >/dev/null 2>&1
	ua_start 2000 "$NS" "${IPS[1]}" 5060 "$T/b.wav" "$T/b-heard.wav" 1 >/dev/null || return 1
	return $rc
}

case_hold_and_resume() {
	local rc=0 rx1 rx2 rx3
	ua_cmd a dial "sip:2000@$GW" >/dev/null || return 1
	ua_wait_state a ESTABLISHED 10 || return 1
	ua_wait_state 2000 ESTABLISHED 5 || return 1
	sleep 1
	ua_cmd a hold >/dev/null || return 1
	ua_wait_state a ONHOLD 5 || { echo "FAIL: A not on hold"; rc=1; }
	sleep 1
	calls_json "$T/held.json" || return 1
	jcheck "$T/held.json" <<<'c = J[0]["calls"][0]; info("held %s, directions %s" % (c["held"], [l["direction"] for l in c["legs"]])); check(c["held"], "call not held")' || rc=1
	rx1=$(ua_audio 2000); sleep 1; rx2=$(ua_audio 2000)
	echo "B on hold: $rx1 -> $rx2"
	ua_cmd a resume >/dev/null || return 1
	ua_wait_state a ACTIVE 5 || { echo "FAIL: A not resumed"; rc=1; }
	sleep 2
	rx3=$(ua_audio 2000)
	echo "B resumed: $rx3"
	calls_json "$T/resumed.json" || return 1
	jcheck "$T/resumed.json" <<<'c = J[0]["calls"][0]; check(not c["held"], "still held"); check(all(l["direction"] == "sendrecv" for l in c["legs"]), "directions")' || rc=1
	python3 - "$rx1" "$rx2" "$rx3" <<'PYEOF' || rc=1
import sys
rx = [int(dict(kv.split("=") for kv in a.split())["rx_packets"]) for a in sys.argv[1:]]
print("B rx packets: on hold +%d in 1 s, after resume +%d in 2 s" % (rx[1] - rx[0], rx[2] - rx[1]))
sys.exit(0 if rx[1] - rx[0] < 10 and rx[2] - rx[1] > 50 else 1)
PYEOF
	ua_cmd a hangup >/dev/null
	ua_wait_state 2000 NONE 5 || rc=1
	wait_no_calls || rc=1
	return $rc
}

case_conference() {
	local rc=0 n
	ua_cmd a dial "sip:1@$GW" >/dev/null || return 1
	ua_cmd 2000 dial "sip:1@$GW" >/dev/null || return 1
	ua_cmd c dial "sip:1@$GW" >/dev/null || return 1
	for n in a 2000 c; do
		ua_wait_state $n ESTABLISHED 10 || { echo "FAIL: $n not in the room"; return 1; }
	done
	sleep 4
	http /api/rooms >"$T/rooms.json" || return 1
	jcheck "$T/rooms.json" <<'PYEOF' || rc=1
r = J[0]["rooms"]
check(len(r) == 1 and r[0]["id"] == 1 and len(r[0]["participants"]) == 3, "rooms %s" % r)
info("room 1: %s" % [(p["peer"], p["pt"], p["quality"]["packets"]) for p in r[0]["participants"]])
PYEOF
	for n in a 2000 c; do ua_cmd $n hangup >/dev/null; done
	for n in a 2000 c; do ua_wait_state $n NONE 5 || rc=1; done
	ua_collect a "$T/a2.wav" >/dev/null
	ua_collect 2000 "$T/b2.wav" >/dev/null
	ua_collect c "$T/c2.wav" >/dev/null
	hears A "$T/a2.wav" "${TONES[1]}" "${TONES[2]}" -- "${TONES[0]}" || rc=1
	hears B "$T/b2.wav" "${TONES[0]}" "${TONES[2]}" -- "${TONES[1]}" || rc=1
	hears C "$T/c2.wav" "${TONES[0]}" "${TONES[1]}" -- "${TONES[2]}" || rc=1
	wait_no_calls || rc=1
	return $rc
}

case_media_timeout() {
	local rc=0
	control_stop
	control_start --media-timeout 2 || return 1
	ua_cmd a dial "sip:2000@$GW" >/dev/null || return 1
	ua_wait_state a ESTABLISHED 10 || return 1
	ua_wait_state 2000 ESTABLISHED 5 || return 1
	sleep 1
	# both phones frozen: no RTP either way
	kill -STOP "${BS_PID[a]}" "${BS_PID[2000]}"
	sleep 4
	kill -CONT "${BS_PID[a]}" "${BS_PID[2000]}"
	ua_wait_state a NONE 5 || { echo "FAIL: A not hung up"; rc=1; }
	ua_wait_state 2000 NONE 5 || { echo "FAIL: B not hung up"; rc=1; }
	wait_no_calls || rc=1
	echo "end reason $(last_record end_reason)"
	[ "$(last_record end_reason)" = media-timeout ] || rc=1
	control_stop
	control_start || rc=1
	return $rc
}

case_control_restart_keeps_media() {
	local rc=0 t0 t1
	ua_cmd a dial "sip:2000@$GW" >/dev/null || return 1
	ua_wait_state a ESTABLISHED 10 || return 1
	ua_wait_state 2000 ESTABLISHED 5 || return 1
	t0=$(now_ms)
	sleep 1
	kill -KILL "$CTL_PID"
	wait "$CTL_PID" 2>/dev/null
	CTL_PID=
	sleep 2
	control_start || return 1
	grep 'recovered' "$T/control.log" | tail -n 1
	# the recovered call's flows are found as they are (same SSRCs)
	sleep 0.5
	grep 're-installed' "$T/control.log" | tail -n 1
	grep 're-installed' "$T/control.log" | tail -n 1 | grep -q '(0 failed)' ||
		{ echo "FAIL: the recovered call's flows did not match"; rc=1; }
	calls_json "$T/recovered.json" || return 1
	jcheck "$T/recovered.json" <<<'c = J[0]["calls"]; check(len(c) == 1 and c[0]["recovered"] and c[0]["state"] == "active", "recovered %s" % c)' || rc=1
	sleep 1
	ua_cmd a hangup >/dev/null || return 1
	t1=$(now_ms)
	ua_wait_state 2000 NONE 5 || { echo "FAIL: B not hung up"; rc=1; }
	ua_collect 2000 "$T/b3.wav" >/dev/null
	# the recording holds one frame per packet received: a gap in the media
	# would make it shorter than the call
	python3 "$WAV" --tones "${TONES[0]}" --require "${TONES[0]}" \
		--min-duration "$(python3 -c "print(($t1 - $t0) / 1000 - 0.6)")" "$T/b3.wav" >"$T/b3.analysis" 2>&1 || rc=1
	echo "call $(fmt_ms $((t1 - t0))) s; B heard: $(grep -E '^(duration_s|check_.*|result)=' "$T/b3.analysis" | tr '\n' ' ')"
	wait_no_calls || rc=1
	echo "end reason $(last_record end_reason)"
	return $rc
}

case_stop() {
	control_stop
	bs_cleanup >/dev/null 2>&1
	dp_check_clean_shutdown
}

run_case start case_start
run_case relayed_call case_relayed_call
run_case bye_from_callee case_bye_from_callee
run_case cancel_before_answer case_cancel_before_answer
run_case hold_and_resume case_hold_and_resume
run_case conference case_conference
run_case media_timeout case_media_timeout
run_case control_restart_keeps_media case_control_restart_keeps_media
run_case stop case_stop
tap_summary
