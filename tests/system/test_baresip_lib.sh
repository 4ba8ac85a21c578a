#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Self-test of scripts/lib/baresip.sh and wav_analyze.py: two real baresip
# user agents (Debian 12's baresip 1.0.0), each in a network namespace this
# script creates, joined by a veth pair, call each other directly (no
# proxy, no rtpgw): audio both ways, hold and resume, hangup, a manually
# answered call, clean quit.
#
#   test_baresip_lib.sh
#
# Topology:
#
#   namespace rtpgw-bs-PID          namespace rtpgw-bs-PID-b
#   bsaPID 198.51.100.1  <-- veth -->  bsbPID 198.51.100.2
#   UA a: sip:a@198.51.100.1:5060      UA b: sip:b@198.51.100.2:5060
#   sends 440 Hz, answers by hand      sends 1000 Hz, answers at once
#
# Prints TAP; "1..0 # SKIP ..." unless root with baresip installed. Every
# wait is bounded; the UAs, namespaces and temporary files go in the EXIT
# trap.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR
. "$HERE/lib.sh"
# shellcheck source-path=SCRIPTDIR
. "$HERE/../../scripts/lib/baresip.sh"

sys_require_root
bs_available || { echo "1..0 # SKIP $BS_WHY"; exit 0; }
sys_init rtpgw-bs rtpgw-bstest
NS_A=$NS
NS_B=$NS-b
trap 'bs_cleanup; ip netns del "$NS_B" 2>/dev/null; sys_cleanup' EXIT

WA=$HERE/../../scripts/lib/wav_analyze.py
IP_A=198.51.100.1
IP_B=198.51.100.2
TONE_A=440
TONE_B=1000
LEVEL=-12		# dBFS of both tones
NCASES=9

tap_plan $NCASES

# analyse FILE HEARD_HZ SILENT_HZ MIN_S: FILE has HEARD_HZ at LEVEL +- 1 dB,
# not SILENT_HZ, lasts MIN_S s at least, no gap over 60 ms, nothing else.
analyse() {
	local f=$1 hz=$2 not=$3 min=$4 out
	out=$(python3 "$WA" --tones "$TONE_A,$TONE_B" --require "$hz" --min-dbfs $((LEVEL - 1)) \
		--forbid "$not" --max-dbfs -45 --max-gap-ms 60 --min-duration "$min" --no-unexpected "$f")
	local rc=$?
	echo "$out" | grep -E '^(duration_s|tone_.*_dbfs|longest_gap_ms|residual_dbfs|unexpected|check_|result)=' | tr '\n' ' '
	echo
	[ $rc -eq 0 ] || return 1
	python3 - "$out" "$hz" "$LEVEL" <<'PYEOF'
import sys
kv = dict(l.split("=", 1) for l in sys.argv[1].splitlines() if "=" in l)
v = float(kv["tone_%s_dbfs" % sys.argv[2]])
lv = float(sys.argv[3])
if abs(v - lv) > 1.0:
	print("FAIL: %s Hz at %.2f dBFS, sent at %.2f" % (sys.argv[2], v, lv))
	sys.exit(1)
PYEOF
}

# rx NAME: the rx_packets of NAME's call.
rx() { ua_audio "$1" | sed -n 's/.*rx_packets=\([0-9]*\).*/\1/p'; }

# wait_dir NAME DIR: the call's SDP direction becomes DIR within 3 s.
wait_dir() {
	local i a
	for i in $(seq 30); do
		a=$(ua_audio "$1")
		case $a in "dir=$2 "*) echo "$1: $a"; return 0 ;; esac
		sleep 0.1
	done
	echo "FAIL: $1: $a, expected dir=$2"
	return 1
}

case_start() {
	local t0
	bs_veth_pair "$NS_A" "bsa$$" $IP_A "$NS_B" "bsb$$" $IP_B || { echo "FAIL: namespaces"; return 1; }
	bs_init "$T/ua" || return 1
	# 60 s: aufile's end of file hangs the call up
	bs_tone "$T/a.wav" $TONE_A 60 $LEVEL && bs_tone "$T/b.wav" $TONE_B 60 $LEVEL || return 1
	python3 "$WA" --tones $TONE_A "$T/a.wav" | grep -E '^(duration_s|tone_440_dbfs)='
	t0=$(now_ms)
	ua_start a "$NS_A" $IP_A 5060 "$T/a.wav" "$T/a-heard1.wav" 0 || return 1
	ua_start b "$NS_B" $IP_B 5060 "$T/b.wav" "$T/b-heard1.wav" 1 || return 1
	echo "both started in $(fmt_ms $(($(now_ms) - t0))) s"
	ua_cmd a help | grep -q '/dial' || { echo "FAIL: no /dial in help"; return 1; }
	# no call: no hold command yet (menu registers it with the first call)
	if ua_cmd a hold >/dev/null 2>&1; then echo "FAIL: hold without a call succeeded"; return 1; fi
	ua_wait_state a NONE 2
}

case_call() {
	local t0 rc=0
	ua_alive a && ua_alive b || return 1
	t0=$(now_ms)
	ua_cmd a dial "sip:b@$IP_B:5060" || { echo "FAIL: dial"; return 1; }
	ua_wait_event a CALL_ESTABLISHED 10 >/dev/null || rc=1
	ua_wait_event b CALL_ESTABLISHED 10 >/dev/null || rc=1
	echo "established in $(fmt_ms $(($(now_ms) - t0))) s"
	[ $rc -eq 0 ] || return 1
	ua_wait_state a ESTABLISHED 3 && ua_wait_state b ESTABLISHED 3 || return 1
	# auto answer: no CALL_INCOMING, an incoming CALL_ESTABLISHED
	[ "$(ua_event_count b CALL_INCOMING)" -eq 0 ] || { echo "FAIL: b had CALL_INCOMING"; return 1; }
	ua_events b | grep '"CALL_ESTABLISHED"' | grep -q "\"direction\": \"incoming\", \"peeruri\": \"sip:a@$IP_A\"" ||
		{ echo "FAIL: b's CALL_ESTABLISHED"; ua_events b | grep '"CALL_ESTABLISHED"'; return 1; }
}

case_audio() {
	local ra rb
	ua_alive a && ua_alive b || return 1
	sleep 3
	ra=$(rx a) rb=$(rx b)
	echo "after 3 s: a $(ua_audio a); b $(ua_audio b)"
	if [ "${ra:-0}" -lt 100 ] || [ "${rb:-0}" -lt 100 ]; then
		echo "FAIL: too little RTP"
		return 1
	fi
}

case_hold() {
	local a0 b0 a1 b1 rc=0
	ua_alive a && ua_alive b || return 1
	ua_cmd a hold || { echo "FAIL: hold"; return 1; }
	ua_wait_state a ONHOLD 5 || return 1
	wait_dir a sendonly || rc=1
	wait_dir b recvonly || rc=1
	sleep 0.3
	a0=$(rx a) b0=$(rx b)
	sleep 1
	a1=$(rx a) b1=$(rx b)
	echo "RTP received during 1 s of hold: a $((a1 - a0)), b $((b1 - b0))"
	if [ $((a1 - a0)) -gt 2 ] || [ $((b1 - b0)) -gt 2 ]; then
		echo "FAIL: RTP flows on hold"
		rc=1
	fi
	return $rc
}

# what each heard until the hold (sndfile's recording ends there)
case_recordings() {
	local rc=0
	ua_collect a "$T/a-heard1.wav" || rc=1
	ua_collect b "$T/b-heard1.wav" || rc=1
	[ $rc -eq 0 ] || return 1
	echo -n "a: "
	analyse "$T/a-heard1.wav" $TONE_B $TONE_A 2.5 || rc=1
	echo -n "b: "
	analyse "$T/b-heard1.wav" $TONE_A $TONE_B 2.5 || rc=1
	return $rc
}

case_resume() {
	local a0 b0 a1 b1 rc=0
	ua_alive a && ua_alive b || return 1
	ua_cmd a resume || { echo "FAIL: resume"; return 1; }
	ua_wait_state a ACTIVE 5 || return 1
	wait_dir a sendrecv || rc=1
	wait_dir b sendrecv || rc=1
	sleep 0.3
	a0=$(rx a) b0=$(rx b)
	sleep 1
	a1=$(rx a) b1=$(rx b)
	echo "RTP received during 1 s after resume: a $((a1 - a0)), b $((b1 - b0))"
	if [ $((a1 - a0)) -lt 40 ] || [ $((b1 - b0)) -lt 40 ]; then
		echo "FAIL: RTP does not flow again"
		rc=1
	fi
	return $rc
}

case_hangup() {
	local t0 rc=0
	ua_alive a && ua_alive b || return 1
	t0=$(now_ms)
	ua_cmd a hangup || { echo "FAIL: hangup"; return 1; }
	ua_wait_event a CALL_CLOSED 5 >/dev/null || rc=1
	ua_wait_event b CALL_CLOSED 5 || rc=1
	echo "closed in $(fmt_ms $(($(now_ms) - t0))) s"
	ua_wait_state a NONE 3 && ua_wait_state b NONE 3 || rc=1
	return $rc
}

# b calls a, whose account answers by hand: CALL_INCOMING, then "accept";
# b hangs up; a's new recording holds b's tone
case_manual_answer() {
	local rc=0 f1 f2
	ua_alive a && ua_alive b || return 1
	f1=$(ua_dumps a | tail -n 1)
	ua_cmd b dial "sip:a@$IP_A:5060" || { echo "FAIL: dial"; return 1; }
	ua_wait_event a CALL_INCOMING 5 >/dev/null || return 1
	ua_wait_state a INCOMING 3 || return 1
	ua_wait_state b RINGING 3 || rc=1
	ua_cmd a accept || { echo "FAIL: accept"; return 1; }
	ua_wait_event a CALL_ESTABLISHED 5 2 >/dev/null || rc=1
	ua_wait_event b CALL_ESTABLISHED 5 2 >/dev/null || rc=1
	sleep 2.5
	ua_cmd b hangup || rc=1
	ua_wait_event a CALL_CLOSED 5 2 >/dev/null || rc=1
	ua_wait_event b CALL_CLOSED 5 2 >/dev/null || rc=1
	[ $rc -eq 0 ] || return 1
	f2=$(ua_dumps a | tail -n 1)
	[ "$f1" != "$f2" ] || { echo "FAIL: no new recording"; return 1; }
	ua_collect a "$T/a-heard2.wav" || return 1
	echo -n "a: "
	analyse "$T/a-heard2.wav" $TONE_B $TONE_A 2.0
}

case_stop() {
	local rc=0 n t0
	t0=$(now_ms)
	ua_stop a || rc=1
	ua_stop b || rc=1
	echo "quit in $(fmt_ms $(($(now_ms) - t0))) s"
	if ua_alive a || ua_alive b; then
		echo "FAIL: still running"
		rc=1
	fi
	n=$(($(ip netns pids "$NS_A" | wc -l) + $(ip netns pids "$NS_B" | wc -l)))
	[ "$n" -eq 0 ] || { echo "FAIL: $n processes left in the namespaces"; rc=1; }
	cat "$T/ua/a/events.jsonl" "$T/ua/b/events.jsonl" | grep -c '"agent": "closed"' | grep -qx 2 ||
		{ echo "FAIL: an agent did not see baresip close"; rc=1; }
	return $rc
}

# each case with the UAs' recent history when it fails
for c in start call audio hold recordings resume hangup manual_answer stop; do
	eval "diag_$c() { case_$c && return 0; ua_diag a; ua_diag b; return 1; }"
	run_case "$c" "diag_$c"
done
tap_summary
