#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# System test: a three-party conference mixed by the real rtpgw-dataplane on
# a net_tap port, inside a network namespace this script creates and
# deletes.
#
#   test_conf_tap.sh [RTPGW_DATAPLANE [RTPGWCTL]]
#
# Default executables: build/rtpgw-dataplane and build/rtpgwctl of the
# repository. Prints TAP; needs root ("1..0 # SKIP not root" otherwise).
#
# Topology (all inside namespace rtpgw-conf-PID; nothing leaves it):
#
#   kernel side of dtap0               DPDK side (net_tap0, port 0)
#   198.51.100.1:40000 phone A  <----> 198.51.100.10:30000  A's MIX flow
#   198.51.100.2:40000 phone B  <----> 198.51.100.10:30002  B's MIX flow
#   198.51.100.3:40000 phone C  <----> 198.51.100.10:30004  C's MIX flow
#   RTCP companions on the +1 ports. The dataplane runs with
#   --max-confs 16 --max-participants 64.
#
#   A sends a 440 Hz tone in PCMU, B 1000 Hz in PCMA, C 1500 Hz in PCMU and
#   one RFC 4733 key press ('5', PT 101) in the middle; each must hear the
#   two others' tones, not its own, in one stream from the mixer's SSRC.
#
# Every wait is bounded; the namespace, the processes and the temporary
# directory are removed on exit, also on failure or signal.
set -uo pipefail

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

sys_require_root
sys_init rtpgw-conf rtpgw-conftest "$@"

TAP=dtap0
MEDIA=198.51.100.10
CONF=7
COOKIE=4242
PHONE_PORT=40000
NAMES=(A B C)
IPS=(198.51.100.1 198.51.100.2 198.51.100.3)
PORTS=(30000 30002 30004)	# their MIX flows at $MEDIA
TONES=(440 1000 1500)
PTS=(0 8 0)			# PCMU, PCMA, PCMU
DTMF_WHO=2			# C presses '5'
DTMF_DIGIT=5
DTMF_PT=101
SEND_S=4			# seconds of tone
NCASES=10

# jcheck (lib.sh) code sees these as python lists too
JCHECK_PRELUDE="NAMES = \"${NAMES[*]}\".split()
IPS = \"${IPS[*]}\".split()
PORTS = [int(p) for p in \"${PORTS[*]}\".split()]
TONES = [int(t) for t in \"${TONES[*]}\".split()]
PTS = [int(p) for p in \"${PTS[*]}\".split()]"

tap_plan $NCASES

# --- helpers ---------------------------------------------------------------
# (the common ones, nsx ctl ctl_json jcheck wait_pids bg_start ..., are in
# lib.sh)

# mix_ports: the local ports of the MIX flows installed now, one line.
mix_ports() {
	ctl --json flows | python3 -c '
import json, sys
print(" ".join(str(f["local_port"]) for f in json.load(sys.stdin)["flows"] if f["action"] == "mix"))'
}

# wait_mix_ports WANT: until the MIX flows are exactly WANT ("30000 30002"),
# at most 3 s; prints how long it took.
wait_mix_ports() {
	local want=$1 i got t0
	t0=$(now_ms)
	for i in $(seq 30); do
		got=$(mix_ports) || return 1
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	echo "MIX flows after $(fmt_ms $(($(now_ms) - t0))) s: '${got}' (want '$want')"
	[ "$got" = "$want" ]
}

# --- the cases ---------------------------------------------------------------

case_start() {
	dp_start --max-confs 16 --max-participants 64 || return 1
	dp_wait_api || return 1
	tap_addrs "${IPS[@]}" || return 1
	need_dp
}

MIXER_SSRC=
case_conf_add() {
	local rc
	need_dp || return 1
	# the dataplane chooses the mixer's SSRC; conf show says which
	ctl_json "$T/add.json" conf add $CONF ptime 20 cookie $COOKIE || return 1
	ctl_json "$T/show0.json" conf show $CONF || return 1
	# the same id again is refused, and an unknown one is not found
	ctl conf add $CONF >"$T/add2.out" 2>&1
	rc=$?
	echo "conf add $CONF again: exit $rc: $(head -n 1 "$T/add2.out")"
	[ $rc -eq 1 ] && grep -q EEXIST "$T/add2.out" || { echo "FAIL: expected exit 1 with EEXIST"; return 1; }
	ctl conf show $((CONF + 1)) >"$T/show_missing.out" 2>&1
	rc=$?
	echo "conf show $((CONF + 1)): exit $rc: $(head -n 1 "$T/show_missing.out")"
	[ $rc -eq 1 ] && grep -q ENOENT "$T/show_missing.out" || { echo "FAIL: expected exit 1 with ENOENT"; return 1; }
	MIXER_SSRC=$(python3 -c 'import json,sys; print("%#010x" % json.load(open(sys.argv[1]))["mixer_ssrc"])' "$T/show0.json")
	jcheck "$T/add.json" "$T/show0.json" <<EOF
add, show = J
info("conference %d: ptime %d ms, mixer ssrc %#010x, cookie %d, owner lcore %d" % (show["conf_id"], show["ptime_ms"], show["mixer_ssrc"], show["cookie"], show["owner_lcore"]))
check(add.get("conf_id") == $CONF and add.get("mixer_ssrc") == show["mixer_ssrc"], "conf add said %s" % add)
check(show["conf_id"] == $CONF and show["ptime_ms"] == 20 and show["cookie"] == $COOKIE, "conf show: %s" % show)
check(show["mixer_ssrc"] != 0, "mixer ssrc 0")
check(show["ref_ssrc"] is None, "ref_ssrc %s without ref-ssrc" % show["ref_ssrc"])
check(show["n_parts"] == 0 and show["participants"] == [], "participants before any join: %s" % show["participants"])
EOF
}

case_join() {
	local i rc extra
	need_dp || return 1
	[ -n "$MIXER_SSRC" ] || { echo "no conference (conference_created failed)"; return 1; }
	for i in 0 1 2; do
		extra=()
		[ $i -eq $DTMF_WHO ] && extra=(dtmf-pt "$DTMF_PT")
		ctl conf join $CONF "$MEDIA:${PORTS[i]}" to "${IPS[i]}:$PHONE_PORT" \
			src "${IPS[i]}:$PHONE_PORT" rtcp companion pt "${PTS[i]}" "${extra[@]}" ||
			{ echo "conf join of ${NAMES[i]} failed"; return 1; }
	done
	ctl_json "$T/show1.json" conf show $CONF || return 1
	ctl_json "$T/flows1.json" flows || return 1
	# a participant's flow belongs to the conference: FLOW_DEL refuses it
	ctl flow del "$MEDIA:${PORTS[0]}" >"$T/fdel.out" 2>&1
	rc=$?
	echo "flow del $MEDIA:${PORTS[0]}: exit $rc: $(head -n 1 "$T/fdel.out")"
	[ $rc -eq 1 ] && grep -q EBUSY "$T/fdel.out" || { echo "FAIL: expected exit 1 with EBUSY"; return 1; }
	ctl conf show $CONF | sed 's/^/  /'
	jcheck "$T/show1.json" "$T/flows1.json" <<'EOF'
show, fl = J
keys = sorted((p["local_ip"], p["local_port"]) for p in show["participants"])
check(show["n_parts"] == 3, "n_parts %d, expected 3" % show["n_parts"])
check(keys == [("198.51.100.10", p) for p in PORTS], "participants %s" % keys)
for i, port in enumerate(PORTS):
	f = flow(fl, port)
	if not check(f is not None, "no flow at %d" % port):
		continue
	want = {"action": "mix", "mode": "strict", "rtcp": "companion", "src_ip": IPS[i],
		"src_port": 40000, "peer_ip": IPS[i], "peer_port": 40000,
		"out_ip": "198.51.100.10", "out_port": port}
	for k, v in want.items():
		check(f.get(k) == v, "flow %d: %s is %r, expected %r" % (port, k, f.get(k), v))
check(len(fl["flows"]) == 3, "%d flows, expected the 3 MIX flows" % len(fl["flows"]))
EOF
}

# The call: the three phones send their tones for SEND_S s (and RTCP every
# second); events are recorded meanwhile; the conference is shown mid-call.
CALL_OK=0
case_call() {
	local i pids=() ev extra
	CALL_OK=0
	need_dp || return 1
	[ -n "$MIXER_SSRC" ] || { echo "no conference"; return 1; }
	ctl_json "$T/drops0.json" drops || return 1
	# stopped with SIGTERM once the phones are done (rtpgwctl exits 0 on it)
	bg_start timeout 30 "$CTLBIN" -s "$SOCK" --json events --duration 25 >"$T/events.json" 2>"$T/events.err"
	ev=$BG_PID
	sleep 0.3	# subscribed
	for i in 0 1 2; do
		extra=()
		[ $i -eq $DTMF_WHO ] && extra=(--dtmf "$DTMF_DIGIT" --dtmf-pt "$DTMF_PT")
		rm -f "$T/${NAMES[i]}.json"
		bg_start timeout 30 ip netns exec "$NS" python3 "$EP" --bind "${IPS[i]}:$PHONE_PORT" \
			--peer "$MEDIA:${PORTS[i]}" --tone "${TONES[i]}" --pt "${PTS[i]}" \
			--duration $SEND_S --delay 0.5 --linger 0.8 --rtcp-interval 1 \
			--analyze "$(IFS=,; echo "${TONES[*]}")" --report "$T/${NAMES[i]}.json" "${extra[@]}" \
			>"$T/${NAMES[i]}.log" 2>&1
		pids+=("$BG_PID")
	done
	sleep $((SEND_S / 2 + 1))
	ctl_json "$T/show_mid.json" conf show $CONF || return 1
	ctl conf show $CONF | sed 's/^/  /'
	wait_pids "${pids[@]}" || { echo "a phone failed:"; cat "$T"/[ABC].log; return 1; }
	ctl_json "$T/show2.json" conf show $CONF || return 1
	ctl_json "$T/drops1.json" drops || return 1
	sleep 0.2
	kill -TERM "$ev" 2>/dev/null
	wait "$ev" || { echo "rtpgwctl events failed: $(cat "$T/events.err")"; return 1; }
	CALL_OK=1
	jcheck "$T/A.json" "$T/B.json" "$T/C.json" "$T/show_mid.json" <<'EOF'
reps, mid = J[:3], J[3]
amp = reps[0]["tone"]["amplitude"]
for p in mid["participants"]:
	info("mid-call %s:%d talking %s level -%d dBov jbuf %d/%d played %d concealed %d sent %d" % (p["local_ip"], p["local_port"], p["talking"], p["level"], p["jbuf_level"], p["jbuf_target"], p["frames_played"], p["frames_concealed"], p["packets_sent"]))
	check(p["talking"] and p["level"] < 127, "%d not talking mid-call" % p["local_port"])
for i, r in enumerate(reps):
	a = r["analysis"]
	lv = a["levels"]
	info("%s (sent %d Hz) hears %s (amplitude sent %d; %.2f s of audio analysed)" % (NAMES[i], TONES[i], ", ".join("%s Hz %.0f" % (k, v) for k, v in lv.items()), amp, a["window_audio_s"]))
	check(a["window_audio_s"] >= 1.5, "%s: only %.2f s of audio to analyse" % (NAMES[i], a["window_audio_s"]))
	for j, f in enumerate(TONES):
		v = lv["%d" % f]
		if j == i:
			check(v < amp / 30, "%s hears its own %d Hz at %.0f (>= 1/30 of %d)" % (NAMES[i], f, v, amp))
		else:
			check(v > amp / 3, "%s hears %s's %d Hz at %.0f only (<= 1/3 of %d)" % (NAMES[i], NAMES[j], f, v, amp))
EOF
}

case_streams() {
	[ $CALL_OK -eq 1 ] || { echo "no call to look at (the call case failed)"; return 1; }
	jcheck "$T/A.json" "$T/B.json" "$T/C.json" "$T/show2.json" "$T/drops0.json" "$T/drops1.json" <<EOF
reps, show, d0, d1 = J[:3], J[3], J[4], J[5]
sent = {p["local_port"]: p["packets_sent"] for p in show["participants"]}
for i, r in enumerate(reps):
	st = list(r["streams"].values())
	info("%s: received %d RTP from %s, ssrcs %s, lost %d dup %d reordered %d, PT %s, jitter %.2f ms; the mixer sent it %d" % (NAMES[i], r["received"], r["sources"], r["ssrcs"], r["lost"], r["duplicates"], r["out_of_order"], [s["payload_types"] for s in st], r["jitter_ms"], sent.get(PORTS[i], -1)))
	check(r["ssrcs"] == ["$MIXER_SSRC"], "%s: SSRCs %s, expected the mixer's $MIXER_SSRC only" % (NAMES[i], r["ssrcs"]))
	check(r["sources"] == ["$MEDIA:%d" % PORTS[i]], "%s: RTP from %s, expected $MEDIA:%d" % (NAMES[i], r["sources"], PORTS[i]))
	check(r["lost"] == 0 and r["duplicates"] == 0 and r["out_of_order"] == 0, "%s: sequence not continuous: lost %d dup %d reordered %d" % (NAMES[i], r["lost"], r["duplicates"], r["out_of_order"]))
	# 50 packets/s while the phone listens (0.5 + $SEND_S + 0.8 s), give or take
	# a few ticks a loaded machine skips (the sequence stays continuous)
	want = int(0.85 * 50 * (0.5 + $SEND_S + 0.8))
	check(r["received"] >= want, "%s received %d packets, expected >= %d" % (NAMES[i], r["received"], want))
	check(r["received"] <= sent.get(PORTS[i], 0), "%s received %d, more than the %d the mixer sent it" % (NAMES[i], r["received"], sent.get(PORTS[i], 0)))
	check(len(st) == 1 and st[0]["payload_types"] == [PTS[i]], "%s: payload types %s, expected its own codec [%d]" % (NAMES[i], [s["payload_types"] for s in st], PTS[i]))
	check(r["invalid_rtp"] == 0, "%s: %d invalid RTP" % (NAMES[i], r["invalid_rtp"]))
for name in ("bad_codec", "mix_handoff_full", "mix_stale", "no_mbuf", "tx_full"):
	d = drop(d1, name) - drop(d0, name)
	check(d == 0, "drops %s rose by %d during the call" % (name, d))
nh = drop(d1, "no_nexthop") - drop(d0, "no_nexthop")
if nh:
	info("no_nexthop +%d during the call (mix ticks before ARP resolved the phones)" % nh)
EOF
}

case_rtcp_sr() {
	[ $CALL_OK -eq 1 ] || { echo "no call to look at (the call case failed)"; return 1; }
	jcheck "$T/A.json" "$T/B.json" "$T/C.json" <<EOF
for i, r in enumerate(J):
	rt = r["rtcp"]
	info("%s: %d RTCP from %s, types %s, sender ssrcs %s, reports about its own stream %d %s" % (NAMES[i], r["received_rtcp"], rt["sources"], rt["types"], rt["ssrcs"], rt["reports_about_us"], rt["last_report_about_us"]))
	check(rt["types"].get("SR", 0) >= 1, "%s received no SR" % NAMES[i])
	check(rt["ssrcs"] == ["$MIXER_SSRC"], "%s: RTCP sender SSRCs %s, expected the mixer's $MIXER_SSRC" % (NAMES[i], rt["ssrcs"]))
	check(rt["sources"] == ["$MEDIA:%d" % (PORTS[i] + 1)], "%s: RTCP from %s, expected $MEDIA:%d (the companion port)" % (NAMES[i], rt["sources"], PORTS[i] + 1))
	check(r["invalid_rtcp"] == 0, "%s: %d invalid RTCP" % (NAMES[i], r["invalid_rtcp"]))
	check(rt["cnames"] != [], "%s: no SDES CNAME with the SR" % NAMES[i])
	check(rt["reports_about_us"] >= 1, "%s: the mixer's SR has no report block about its stream" % NAMES[i])
EOF
}

case_dtmf() {
	[ $CALL_OK -eq 1 ] || { echo "no call to look at (the call case failed)"; return 1; }
	python3 -c 'import json, sys; json.dump([json.loads(l) for l in open(sys.argv[1]) if l.strip()], open(sys.argv[2], "w"))' \
		"$T/events.json" "$T/events_list.json" || { echo "rtpgwctl events wrote bad JSON:"; head -n 5 "$T/events.json"; return 1; }
	jcheck "$T/events_list.json" "$T/${NAMES[DTMF_WHO]}.json" <<EOF
evs, sender = J
dtmf = [e for e in evs if e["event"] == "dtmf"]
spk = [e for e in evs if e["event"] == "speaker"]
info("%d events: %d dtmf %s; %d speaker changes; %s sent %d telephone-event packets" % (len(evs), len(dtmf), dtmf, len(spk), NAMES[$DTMF_WHO], sender["dtmf"]["packets_sent"]))
check(sender["dtmf"]["packets_sent"] == 7, "the phone sent %d telephone-event packets, not 7" % sender["dtmf"]["packets_sent"])
if check(len(dtmf) == 1, "%d DTMF events, expected exactly 1" % len(dtmf)):
	e = dtmf[0]
	want = {"conf_id": $CONF, "local_ip": "$MEDIA", "local_port": PORTS[$DTMF_WHO], "digit": "$DTMF_DIGIT", "cookie": $COOKIE, "duration": sender["dtmf"]["duration"]}
	for k, v in want.items():
		check(e.get(k) == v, "dtmf event %s is %r, expected %r" % (k, e.get(k), v))
for e in spk:
	check(e["conf_id"] == $CONF and e["local_port"] in PORTS and e["cookie"] == $COOKIE, "bad speaker event %s" % e)
EOF
}

case_leave() {
	local i=$DTMF_WHO l rc
	need_dp || return 1
	[ -n "$MIXER_SSRC" ] || { echo "no conference"; return 1; }
	# the phone listens (sends nothing) while it is made to leave
	rm -f "$T/leave.json"
	bg_start timeout 20 ip netns exec "$NS" python3 "$EP" --bind "${IPS[i]}:$PHONE_PORT" \
		--duration 2 --linger 0 --report "$T/leave.json" >"$T/leave.log" 2>&1
	l=$BG_PID
	sleep 0.5
	ctl conf leave "$MEDIA:${PORTS[i]}" || { echo "conf leave failed"; return 1; }
	wait_mix_ports "${PORTS[0]} ${PORTS[1]}" || rc=1
	ctl_json "$T/show3.json" conf show $CONF || return 1
	if ctl flow get "$MEDIA:${PORTS[i]}" >/dev/null 2>&1; then
		echo "FAIL: flow get $MEDIA:${PORTS[i]} still succeeds"
		rc=1
	fi
	ctl conf leave "$MEDIA:${PORTS[i]}" >"$T/leave2.out" 2>&1
	echo "conf leave again: exit $?: $(head -n 1 "$T/leave2.out")"
	grep -q ENOENT "$T/leave2.out" || { echo "FAIL: a second leave should find no participant"; rc=1; }
	wait "$l" || { echo "the listener failed:"; cat "$T/leave.log"; return 1; }
	jcheck "$T/leave.json" "$T/show3.json" <<EOF || rc=1
r, show = J
rt = r["rtcp"]
info("%s: %d RTP, RTCP %s from %s, BYE from %s" % (NAMES[$i], r["received"], rt["types"], rt["sources"], rt["bye_ssrcs"]))
check(rt["byes"] >= 1, "no RTCP BYE received")
check(rt["bye_ssrcs"] == ["$MIXER_SSRC"], "BYE from %s, expected the mixer's $MIXER_SSRC" % rt["bye_ssrcs"])
check(rt["sources"] == ["$MEDIA:%d" % (PORTS[$i] + 1)], "RTCP from %s" % rt["sources"])
keys = sorted(p["local_port"] for p in show["participants"])
check(show["n_parts"] == 2 and keys == PORTS[:2], "conf show lists %s after the leave" % keys)
EOF
	return ${rc:-0}
}

case_conf_del() {
	local i l pids=() rc=0 out
	need_dp || return 1
	[ -n "$MIXER_SSRC" ] || { echo "no conference"; return 1; }
	for i in 0 1; do
		rm -f "$T/del_${NAMES[i]}.json"
		bg_start timeout 20 ip netns exec "$NS" python3 "$EP" --bind "${IPS[i]}:$PHONE_PORT" \
			--duration 2 --linger 0 --report "$T/del_${NAMES[i]}.json" >"$T/del_${NAMES[i]}.log" 2>&1
		pids+=("$BG_PID")
	done
	sleep 0.5
	ctl conf del $CONF || { echo "conf del failed"; return 1; }
	wait_mix_ports "" || rc=1
	out=$(ctl conf show $CONF 2>&1)
	echo "conf show after del: exit $?: $out"
	echo "$out" | grep -q ENOENT || { echo "FAIL: the conference is still shown"; rc=1; }
	ctl_json "$T/hello_del.json" hello || return 1
	ctl_json "$T/drops_end.json" drops || return 1
	wait_pids "${pids[@]}" || { echo "a listener failed"; cat "$T"/del_*.log; return 1; }
	# the id is free again
	ctl conf add $CONF >/dev/null && ctl conf del $CONF >/dev/null ||
		{ echo "FAIL: conf $CONF cannot be added again after its del"; rc=1; }
	jcheck "$T/del_A.json" "$T/del_B.json" "$T/hello_del.json" "$T/drops_end.json" <<EOF || rc=1
a, b, hello, d = J
for name, r in (("A", a), ("B", b)):
	rt = r["rtcp"]
	info("%s: BYE %d from %s" % (name, rt["byes"], rt["bye_ssrcs"]))
	check(rt["byes"] >= 1 and rt["bye_ssrcs"] == ["$MIXER_SSRC"], "%s: no BYE from the mixer ($MIXER_SSRC)" % name)
check(hello["flows"] == 0, "%d flows left after conf del" % hello["flows"])
info("drops: " + ", ".join("%s %d" % (x["name"], x["count"]) for x in d["drops"] if x["count"]))
EOF
	return $rc
}

run_case dataplane_starts_with_conferences case_start
run_case conference_created case_conf_add
run_case three_participants_joined case_join
run_case each_hears_the_others_not_itself case_call
run_case streams_from_the_mixer case_streams
run_case rtcp_sr_from_mixer case_rtcp_sr
run_case dtmf_reported case_dtmf
run_case leave_sends_bye_and_removes case_leave
run_case conf_del_cleans_up case_conf_del
run_case clean_shutdown dp_check_clean_shutdown

tap_summary
