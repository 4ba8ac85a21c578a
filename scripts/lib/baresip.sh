# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034	# BS_WHY, BS_NS, BS_IDX: for the tests
#
# Headless baresip (1.0.0, Debian 12) user agents for the system tests: each
# runs in a network namespace with a private configuration directory, plays a
# WAV file as its microphone, records what it hears to a WAV file and is
# driven over ctrl_tcp. Sourced, not run; needs root (ip netns exec) and
# python3. A test does:
#
#   . "$(dirname "${BASH_SOURCE[0]}")/baresip.sh"
#   bs_available || { echo "1..0 # SKIP $BS_WHY"; exit 0; }
#   bs_init "$T/ua"                           # once; then in the EXIT trap:
#   trap 'bs_cleanup; ...' EXIT               #   stop every UA (bounded)
#   bs_tone "$T/a.wav" 440 30 -12             # 30 s of 440 Hz at -12 dBFS
#   ua_start a NS_A 198.51.100.1 5060 "$T/a.wav" "$T/a-heard.wav"
#   ua_start b NS_B 198.51.100.2 5060 "$T/b.wav" "$T/b-heard.wav" 1
#   ua_cmd a dial sip:b@198.51.100.2:5060
#   ua_wait_event a CALL_ESTABLISHED 10       # or ua_wait_state a ESTABLISHED 10
#   ua_cmd a hold; ua_wait_state a ONHOLD 5; ua_cmd a resume
#   ua_cmd a hangup; ua_wait_event b CALL_CLOSED 10
#   ua_stop a; ua_stop b                      # "quit"; copies the recordings
#   python3 wav_analyze.py --tones 440,1000 "$T/a-heard.wav"
#
# Functions:
#
#   bs_available          baresip and the modules used here are installed and
#                         python3 exists (else BS_WHY says what is missing)
#   bs_init DIR           base directory of the UAs' directories (created)
#   bs_tone FILE HZ SECONDS [DBFS]   write an 8 kHz mono 16-bit sine WAV
#                         (default -12 dBFS peak; HZ 0 writes silence)
#   bs_veth_pair NS_A IF_A IP_A NS_B IF_B IP_B   create both namespaces (lo up,
#                         rp_filter 0) joined by a veth pair, IP_x/24 on IF_x
#   ua_start NAME NETNS SIP_ADDR SIP_PORT IN_WAV OUT_WAV [AUTOANSWER]
#                         write NAME's configuration, start baresip in NETNS
#                         and its control agent; AUTOANSWER 1 (default) or 0
#   ua_cmd NAME COMMAND [PARAMS...]  run a baresip long command (dial URI,
#                         hangup, hold, resume, listcalls, callstat, accept,
#                         quit, help...); prints its output; fails if baresip
#                         says the command failed or there is no answer in
#                         BS_CMD_TIMEOUT (10) s
#   ua_calls NAME         "listcalls", one line per call: "STATE[ ONHOLD] PEER"
#   ua_audio NAME         the call's audio: "dir=D rx_packets=N tx_packets=M"
#                         (audio_debug; D is the local SDP direction)
#   ua_wait_state NAME STATE TIMEOUT   poll ua_calls until a call is in
#                         STATE (INCOMING OUTGOING RINGING EARLY ESTABLISHED
#                         ONHOLD ACTIVE = established, not on hold) or, for
#                         NONE, until there is no call
#   ua_event_count NAME TYPE   number of TYPE events so far (CALL_INCOMING,
#                         CALL_RINGING, CALL_ESTABLISHED, CALL_CLOSED,
#                         CALL_REMOTE_SDP, CALL_RTCP...; ua_events lists them)
#   ua_wait_event NAME TYPE TIMEOUT [N]   wait until there are at least N
#                         (default 1) TYPE events; prints the last one
#   ua_events NAME        the events so far, one JSON object a line
#   ua_rtcp NAME          the last CALL_RTCP event's counters (lost, jitter)
#   ua_dumps NAME [dec|enc]   sndfile's recordings so far, oldest first
#   ua_collect NAME [OUT] wait (3 s at most) until the last call's received
#                         audio is finalised, copy it to OUT (default OUT_WAV)
#   ua_alive NAME         baresip NAME still runs
#   ua_stop NAME          "quit", wait 5 s, then SIGTERM/SIGKILL; ua_collect
#   bs_cleanup            ua_stop every UA still running (for EXIT traps)
#   ua_log NAME           the path of NAME's baresip output
#   ua_diag NAME [N]      the last N events and log lines (diagnostics)
#
# baresip 1.0.0 facts this relies on (found by experiment):
#   - ctrl_tcp accepts ONE connection: a new one silently replaces the old.
#     So each UA gets an agent (python, in the namespace) that holds the only
#     connection, logs every event to DIR/events.jsonl and relays commands
#     from a Unix socket DIR/agent.sock (pathname Unix sockets cross network
#     namespaces). Commands are netstring JSON {"command","params","token"};
#     the response {"response":true,"ok":..,"data":..,"token":..}; events
#     {"event":true,"type":..,"id":..,"param":..} arrive on the same stream.
#   - events: an auto-answered call has no CALL_INCOMING (only
#     CALL_ESTABLISHED, "direction": "incoming"); a manual one has
#     CALL_INCOMING, then "accept". Each event carries "id" (the call).
#   - after resume the sender catches up: about 25 extra packets at once.
#   - the long commands come from menu.so; "hold", "resume", "hangup",
#     "accept", "callstat" only exist while there is a call (help lists them).
#   - no audio device is needed: "audio_player aubridge,nil" is a player
#     nobody reads; sndfile (an audio filter, "snd_path DIR") writes
#     DIR/dump-YYYY-MM-DD-hh-mm-ss-dec.wav (received: decoded RTP) and
#     ...-enc.wav (sent) for each call; the name has 1 s resolution: a call
#     starting in the same second as the UA's previous one overwrites its
#     files (ua_collect the earlier call first, or keep starts 1 s apart).
#     The file is finalised when the call is destroyed. The dec file holds one
#     frame per RTP packet decoded: time without RTP (hold, loss) does not
#     appear as silence, the recording is just shorter.
#   - sndfile records the received audio only until the first hold (a
#     re-INVITE changing the direction, by either side): audio_decoder_set
#     then flushes the decode filters and aufilt_setup does not rebuild
#     them while the encode ones exist; the dec file is finalised there and
#     no new one is started, "audio rx pipeline: aubridge <--- PCMU" in
#     audio_debug. After a hold, check the audio with ua_audio's counters,
#     or record a new call. A re-INVITE without a direction change
#     ("reinvite") keeps the recording. On hold no RTP flows either way.
#   - aufile plays IN_WAV once; at its end menu.so HANGS UP the call
#     ("menu: audio error (0,end of file)"): IN_WAV must outlast the call.
#   - menu plays ring.wav, ringback.wav... from audio_path through
#     audio_alert: silent ones are written, else it logs an error per call.
#   - "net_interface ADDR" (an address works, not only a name) makes the SDP
#     c= line that address, else baresip picks one address of the namespace.
#     SIP leaves from sip_listen's address, but RTP sockets are bound to
#     0.0.0.0 (audio_debug "local: 0.0.0.0:PORT"): with several UAs in one
#     namespace, RTP leaves from the kernel's source address of the route
#     (the interface's primary address), not from the UA's c= address. Give
#     a UA its own namespace where the RTP source address matters.
#   - the status line "[0:00:01] audio=..." is printed to stdout several
#     times a second unless "statmode_default off".
#
# Every wait is bounded; the UA directories are BS_DIR/NAME.

BS_BIN=${BS_BIN:-baresip}
BS_MODDIR=${BS_MODDIR:-/usr/lib/baresip/modules}
BS_CTRL_BASE=${BS_CTRL_BASE:-4440}	# ctrl_tcp on 127.0.0.1:BASE+index
BS_RTP_BASE=${BS_RTP_BASE:-20000}	# rtp_ports BASE+100*index, 100 ports
BS_MAX_S=${BS_MAX_S:-900}	# the agents exit after this many seconds
BS_CMD_TIMEOUT=${BS_CMD_TIMEOUT:-10}	# ua_cmd: seconds for baresip's answer
BS_PY=python3	# bs_init: the interpreter itself, not a wrapper (pyenv)
BS_DIR=
BS_WHY=
BS_NEXT=0
# per UA NAME: its namespace, baresip and agent pids, OUT_WAV, index
declare -gA BS_NS=() BS_PID=() BS_APID=() BS_OUT=() BS_IDX=()

# bs_available: true if baresip, its modules and python3 are there.
bs_available() {
	local m
	command -v "$BS_BIN" >/dev/null 2>&1 || { BS_WHY="baresip not installed"; return 1; }
	command -v python3 >/dev/null 2>&1 || { BS_WHY="python3 missing"; return 1; }
	for m in g711 aufile aubridge sndfile account menu ctrl_tcp; do
		[ -e "$BS_MODDIR/$m.so" ] || { BS_WHY="baresip module $m missing"; return 1; }
	done
}

# bs_init DIR: UAs' directories go under DIR (created); writes the agent.
bs_init() {
	BS_DIR=$1
	mkdir -p "$BS_DIR" || return 1
	# a pyenv shim costs ~100 ms a start (and far more on a loaded machine)
	BS_PY=$(python3 -c 'import sys; print(sys.executable)') || return 1
	bs_write_agent >"$BS_DIR/bsagent.py" || return 1
	bs_tone "$BS_DIR/silence.wav" 0 0.1
}

# bs_tone FILE HZ SECONDS [DBFS]: a sine of peak DBFS (default -12), 8 kHz
# mono S16LE, the format aufile needs for PCMU/PCMA (8 kHz, 1 channel).
bs_tone() {
	"$BS_PY" - "$@" <<'PYEOF'
import math, struct, sys, wave
path, hz, secs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
dbfs = float(sys.argv[4]) if len(sys.argv) > 4 else -12.0
amp = 32767 * 10 ** (dbfs / 20)
n = int(8000 * secs)
w = wave.open(path, "wb")
w.setnchannels(1)
w.setsampwidth(2)
w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(round(amp * math.sin(2 * math.pi * hz * i / 8000)))) for i in range(n)))
w.close()
PYEOF
}

# bs_veth_pair NS_A IF_A IP_A NS_B IF_B IP_B: two new namespaces joined by a
# veth pair (IF_A in NS_A with IP_A/24, IF_B in NS_B with IP_B/24), lo up,
# no reverse-path filter. The caller deletes the namespaces.
bs_veth_pair() {
	local na=$1 ia=$2 aa=$3 nb=$4 ib=$5 ab=$6 n f
	ip netns add "$na" || return 1
	ip netns add "$nb" || return 1
	ip link add "$ia" netns "$na" type veth peer name "$ib" netns "$nb" || return 1
	ip -n "$na" addr add "$aa/24" dev "$ia" || return 1
	ip -n "$nb" addr add "$ab/24" dev "$ib" || return 1
	for n in "$na" "$nb"; do
		ip -n "$n" link set lo up || return 1
		for f in all default; do
			ip netns exec "$n" sysctl -qw "net.ipv4.conf.$f.rp_filter=0"
		done
	done
	ip -n "$na" link set "$ia" up && ip -n "$nb" link set "$ib" up
}

bs_write_agent() {
	cat <<'PYEOF'
# bsagent.py (written by scripts/lib/baresip.sh): holds baresip's only
# ctrl_tcp connection; events -> EVENTS (JSON lines, "t" added); serves
# one-request connections on the Unix socket SOCK: a JSON line
# {"command","params"} in, the response JSON line out.
#   agent: python3 bsagent.py agent PORT SOCK EVENTS MAX_S
#   client: python3 bsagent.py cmd SOCK TIMEOUT COMMAND [PARAMS...]
import json, os, select, socket, sys, time

def agent(port, path, events, max_s):
	end = time.time() + max_s
	for _ in range(100):
		try:
			bs = socket.create_connection(("127.0.0.1", port), timeout=1)
			break
		except OSError:
			time.sleep(0.1)
	else:
		print("agent: cannot connect to ctrl_tcp port %d" % port, flush=True)
		return 1
	try:
		os.unlink(path)
	except OSError:
		pass
	ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	ls.bind(path)
	ls.listen(8)
	ev = open(events, "a", buffering=1)
	ev.write(json.dumps({"agent": "connected", "t": time.time()}) + "\n")
	buf = b""
	waiting = {}		# token -> client socket
	clients = {}		# client socket -> partial request
	seq = 0
	while time.time() < end:
		r, _, _ = select.select([bs, ls] + list(clients), [], [], 0.5)
		for s in r:
			if s is ls:
				c, _ = ls.accept()
				clients[c] = b""
			elif s is bs:
				d = bs.recv(65536)
				if not d:
					ev.write(json.dumps({"agent": "closed", "t": time.time()}) + "\n")
					return 0
				buf += d
				while b":" in buf:
					n, rest = buf.split(b":", 1)
					n = int(n)
					if len(rest) < n + 1:
						break
					msg = json.loads(rest[:n])
					buf = rest[n + 1:]
					msg["t"] = time.time()
					if msg.get("response"):
						c = waiting.pop(msg.get("token"), None)
						if c is not None:
							try:
								c.sendall(json.dumps(msg).encode() + b"\n")
							except OSError:
								pass
							c.close()
					ev.write(json.dumps(msg) + "\n")
			else:
				d = s.recv(65536)
				clients[s] += d
				if not d or b"\n" in clients[s]:
					req = clients.pop(s)
					if not d and b"\n" not in req:
						s.close()
						continue
					req = json.loads(req.split(b"\n")[0])
					seq += 1
					tok = "t%d" % seq
					m = {"command": req["command"], "token": tok}
					if req.get("params"):
						m["params"] = req["params"]
					b = json.dumps(m).encode()
					ev.write(json.dumps({"agent": "command", "t": time.time(), "msg": m}) + "\n")
					bs.sendall(b"%d:%s," % (len(b), b))
					waiting[tok] = s
	ev.write(json.dumps({"agent": "timeout", "t": time.time()}) + "\n")
	return 0

def cmd(path, timeout, command, params):
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(timeout)
	try:
		s.connect(path)
		s.sendall(json.dumps({"command": command, "params": params}).encode() + b"\n")
		d = b""
		while not d.endswith(b"\n"):
			x = s.recv(65536)
			if not x:
				break
			d += x
	except OSError as e:
		print("no answer to %s: %s" % (command, e))
		return 2
	if not d:
		print("no answer to %s" % command)
		return 2
	r = json.loads(d)
	sys.stdout.write(r.get("data", ""))
	return 0 if r.get("ok") else 1

if __name__ == "__main__":
	if sys.argv[1] == "agent":
		sys.exit(agent(int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])))
	sys.exit(cmd(sys.argv[2], float(sys.argv[3]), sys.argv[4], " ".join(sys.argv[5:])))
PYEOF
}

# ua_start NAME NETNS SIP_ADDR SIP_PORT IN_WAV OUT_WAV [AUTOANSWER]: configure
# and start UA NAME (account sip:NAME@SIP_ADDR, no registration; answer mode
# auto if AUTOANSWER is 1, the default, else manual) in NETNS; it sends IN_WAV
# (8 kHz mono S16LE) in every call; ua_collect/ua_stop copy what it received
# in its last call to OUT_WAV. Returns once ctrl_tcp answers (10 s at most).
ua_start() {
	local name=$1 ns=$2 addr=$3 sport=$4 in=$5 out=$6 auto=${7:-1}
	local d idx cport rtp mode i
	[ -n "$BS_DIR" ] || { echo "ua_start: bs_init first"; return 1; }
	[ -z "${BS_PID[$name]:-}" ] || { echo "ua_start: $name already started"; return 1; }
	[ -r "$in" ] || { echo "ua_start: cannot read $in"; return 1; }
	d=$BS_DIR/$name
	idx=$BS_NEXT
	BS_NEXT=$((BS_NEXT + 1))
	cport=$((BS_CTRL_BASE + idx))
	rtp=$((BS_RTP_BASE + 100 * idx))
	mode=auto
	[ "$auto" = 1 ] || mode=manual
	rm -rf "$d"
	mkdir -p "$d/rec" || return 1
	in=$(realpath "$in")
	cat >"$d/config" <<EOF
# written by scripts/lib/baresip.sh for UA $name
poll_method		epoll
sip_listen		$addr:$sport
net_interface		$addr
dns_server		127.0.0.1:53
call_local_timeout	120
call_max_calls		4
audio_player		aubridge,nil
audio_source		aufile,$in
audio_alert		aubridge,nil
audio_path		$d
audio_level		no
ausrc_format		s16
auplay_format		s16
auenc_format		s16
audec_format		s16
audio_buffer		20-160
rtp_tos			184
rtp_ports		$rtp-$((rtp + 99))
rtcp_mux		no
jitter_buffer_delay	${BS_JBUF:-1-10}
rtp_stats		no
module_path		$BS_MODDIR
module			g711.so
module			aufile.so
module			aubridge.so
module			sndfile.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$cport
snd_path		$d/rec
statmode_default	off
EOF
	echo "<sip:$name@$addr>;regint=0;answermode=$mode" >"$d/accounts"
	: >"$d/contacts"
	: >"$d/events.jsonl"
	# menu plays these through audio_alert; silent, so nothing complains
	for i in ring ringback callwaiting busy error notfound message; do
		cp "$BS_DIR/silence.wav" "$d/$i.wav" || return 1
	done
	BS_NS[$name]=$ns
	BS_OUT[$name]=$out
	BS_IDX[$name]=$idx
	ip netns exec "$ns" "$BS_BIN" -f "$d" </dev/null >"$d/baresip.log" 2>&1 &
	BS_PID[$name]=$!
	sleep 0.2
	if ! ua_alive "$name"; then
		echo "ua_start: baresip $name exited:"
		tail -n 20 "$d/baresip.log"
		return 1
	fi
	# the agent retries connecting to ctrl_tcp for 10 s
	ip netns exec "$ns" timeout "$BS_MAX_S" "$BS_PY" -S "$BS_DIR/bsagent.py" agent "$cport" \
		"$d/agent.sock" "$d/events.jsonl" "$BS_MAX_S" >"$d/agent.log" 2>&1 &
	BS_APID[$name]=$!
	for i in $(seq 100); do	# 10 s
		grep -q '"connected"' "$d/events.jsonl" && [ -S "$d/agent.sock" ] && break
		kill -0 "${BS_APID[$name]}" 2>/dev/null || break
		ua_alive "$name" || break
		sleep 0.1
	done
	if ! [ -S "$d/agent.sock" ]; then
		echo "ua_start: the control agent of $name did not start:"
		cat "$d/agent.log"
		tail -n 20 "$d/baresip.log"
		return 1
	fi
	echo "ua $name: baresip pid ${BS_PID[$name]} in $ns, sip:$name@$addr:$sport, ctrl_tcp 127.0.0.1:$cport, rtp $rtp-$((rtp + 99)), answer $mode"
}

# ua_diag NAME: the end of NAME's events, agent log and baresip log (for a
# failed case's diagnostics).
ua_diag() {
	local d=$BS_DIR/$1
	echo "--- $1: last events"
	tail -n "${2:-8}" "$d/events.jsonl" 2>/dev/null | cut -c1-300
	echo "--- $1: agent"
	tail -n 5 "$d/agent.log" 2>/dev/null
	echo "--- $1: baresip"
	tail -n "${2:-15}" "$d/baresip.log" 2>/dev/null | tr -d '\033'
}

ua_alive() { [ -n "${BS_PID[$1]:-}" ] && kill -0 "${BS_PID[$1]}" 2>/dev/null; }
ua_log() { echo "$BS_DIR/$1/baresip.log"; }
ua_events() { cat "$BS_DIR/$1/events.jsonl"; }

# ua_cmd NAME COMMAND [PARAMS...]: the command's output on stdout; status 0
# if baresip said ok, 1 if it said not ok, 2 if no answer within
# BS_CMD_TIMEOUT (10) s.
ua_cmd() {
	local name=$1
	shift
	[ -S "$BS_DIR/$name/agent.sock" ] || { echo "ua_cmd: no UA $name"; return 2; }
	timeout $((BS_CMD_TIMEOUT + 5)) "$BS_PY" -S "$BS_DIR/bsagent.py" cmd "$BS_DIR/$name/agent.sock" "$BS_CMD_TIMEOUT" "$@"
}

# ua_calls NAME: the calls of "listcalls", one a line: "STATE PEER" or
# "STATE ONHOLD PEER" (none: no line). Listcalls prints e.g.
#   "> [line 1]  0:00:06  ESTABLISHED  (on hold)  sip:b@198.51.100.2"
ua_calls() {
	local out
	out=$(ua_cmd "$1" listcalls) || { echo "$out" >&2; return 1; }
	echo "$out" | sed -n 's/^.*\[line [0-9]*\] *[0-9:]* *\([A-Z]*\) *\((on hold)\)\{0,1\} *\(sip:[^ ]*\).*$/\1 \2 \3/p' |
		sed 's/ (on hold) / ONHOLD /; s/  */ /g'
}

# ua_wait_state NAME STATE TIMEOUT: wait until a call of NAME is in STATE
# (see the header; NONE: no call at all). Prints the calls at the end.
ua_wait_state() {
	local name=$1 st=$2 to=$3 end calls ok
	end=$(($(date +%s%N) / 1000000 + to * 1000))
	while :; do
		ok=1
		if calls=$(ua_calls "$name" 2>/dev/null); then
			case $st in
			NONE) [ -z "$calls" ] && ok=0 ;;
			ONHOLD) echo "$calls" | grep -q ' ONHOLD ' && ok=0 ;;
			ACTIVE) echo "$calls" | grep -Eq '^ESTABLISHED sip:' && ok=0 ;;
			*) echo "$calls" | grep -q "^$st " && ok=0 ;;
			esac
		fi
		[ $ok -eq 0 ] && { echo "$name: ${calls:-no call}"; return 0; }
		if [ $(($(date +%s%N) / 1000000)) -ge $end ] || ! ua_alive "$name"; then
			echo "$name: not $st within $to s: ${calls:-no call}"
			return 1
		fi
		sleep 0.1
	done
}

# ua_audio NAME: the current call's audio, from "audio_debug", as
# "dir=sendrecv rx_packets=N tx_packets=M" (dir is the local SDP direction:
# sendrecv, sendonly when this side holds, recvonly when the peer holds;
# rx_packets counts the RTP received from all sources, tx_packets the RTP
# sent). Fails if there is no call.
ua_audio() {
	local out
	out=$(ua_cmd "$1" audio_debug) || return 1
	echo "$out" | awk '
		/ audio dir=/ { sub(/.*dir=/, ""); dir = $1 }
		/ rcvd=/ { v = $0; sub(/.*rcvd=/, "", v); rx += v + 0 }
		/TX: packets=/ { v = $0; sub(/.*packets=/, "", v); tx = v + 0 }
		END { if (dir == "") exit 1; printf "dir=%s rx_packets=%d tx_packets=%d\n", dir, rx, tx }'
}

# ua_event_count NAME TYPE: how many TYPE events NAME had.
ua_event_count() {
	grep -c "\"type\": \"$2\"" "$BS_DIR/$1/events.jsonl"
}

# ua_wait_event NAME TYPE TIMEOUT [N]: wait until NAME had N (default 1)
# TYPE events; prints the last one. TIMEOUT in whole seconds (also for
# ua_wait_state).
ua_wait_event() {
	local name=$1 type=$2 to=$3 want=${4:-1} end
	end=$(($(date +%s%N) / 1000000 + to * 1000))
	while [ "$(ua_event_count "$name" "$type")" -lt "$want" ]; do
		if [ $(($(date +%s%N) / 1000000)) -ge $end ] || ! ua_alive "$name"; then
			echo "$name: $type event $want not seen within $to s (seen: $(ua_event_count "$name" "$type"))"
			return 1
		fi
		sleep 0.05
	done
	grep "\"type\": \"$type\"" "$BS_DIR/$name/events.jsonl" | tail -n 1
}

# ua_rtcp NAME: the last CALL_RTCP event's statistics (one at call set-up,
# all zero, then one every 5 s while RTP flows) as "rx_sent=N rx_lost=N rx_jit_us=N
# tx_sent=N tx_lost=N tx_jit_us=N rtt_us=N" (rx: what this UA received,
# tx: what the peer reports about this UA's stream); fails if none yet.
ua_rtcp() {
	grep '"type": "CALL_RTCP"' "$BS_DIR/$1/events.jsonl" | tail -n 1 | "$BS_PY" -S -c '
import json, sys
line = sys.stdin.read().strip()
if not line:
	sys.exit(1)
s = json.loads(line).get("rtcp_stats", {})
rx, tx = s.get("rx", {}), s.get("tx", {})
print("rx_sent=%d rx_lost=%d rx_jit_us=%d tx_sent=%d tx_lost=%d tx_jit_us=%d rtt_us=%d" % (
	rx.get("sent", 0), rx.get("lost", 0), rx.get("jit", 0),
	tx.get("sent", 0), tx.get("lost", 0), tx.get("jit", 0), s.get("rtt", 0)))'
}

# ua_dumps NAME [dec|enc]: sndfile's files (default dec: received audio).
ua_dumps() {
	local k=${2:-dec}
	sed -n "s/^sndfile: dumping [a-z]* audio to \(.*-$k\.wav\)\$/\1/p" "$BS_DIR/$1/baresip.log" | awk '!seen[$0]++'
}

# ua_collect NAME [OUT]: copy the last call's received audio to OUT (default
# the OUT_WAV of ua_start), once its WAV header is final (3 s at most).
ua_collect() {
	local name=$1 out=${2:-${BS_OUT[$1]:-}} f i
	f=$(ua_dumps "$name" dec | tail -n 1)
	[ -n "$f" ] || { echo "ua_collect: $name recorded nothing"; return 1; }
	for i in $(seq 31); do
		[ "$i" -le 30 ] || { echo "ua_collect: $f is not finalised (call still up?)"; cp "$f" "$out"; return 1; }
		"$BS_PY" -S - "$f" <<'PYEOF' && break
import os, struct, sys
b = open(sys.argv[1], "rb").read(8)
sys.exit(0 if len(b) == 8 and struct.unpack("<I", b[4:])[0] + 8 == os.path.getsize(sys.argv[1]) else 1)
PYEOF
		sleep 0.1
	done
	cp "$f" "$out" || return 1
}

# ua_stop NAME: "quit"; SIGTERM after 5 s, SIGKILL 2 s later; stop the
# agent; then ua_collect (if the UA recorded anything).
ua_stop() {
	local name=$1 p i rc=0
	p=${BS_PID[$name]:-}
	[ -n "$p" ] || return 0
	if kill -0 "$p" 2>/dev/null; then
		ua_cmd "$name" quit >/dev/null 2>&1
		for i in $(seq 50); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$p" 2>/dev/null; then
			echo "ua_stop: $name did not quit within 5 s"
			rc=1
			kill -TERM "$p" 2>/dev/null
			for i in $(seq 20); do
				kill -0 "$p" 2>/dev/null || break
				sleep 0.1
			done
			kill -KILL "$p" 2>/dev/null
		fi
	fi
	wait "$p" 2>/dev/null
	if [ -n "${BS_APID[$name]:-}" ]; then
		kill "${BS_APID[$name]}" 2>/dev/null
		wait "${BS_APID[$name]}" 2>/dev/null
	fi
	BS_PID[$name]=
	BS_APID[$name]=
	if [ -n "$(ua_dumps "$name" dec)" ] && [ -n "${BS_OUT[$name]:-}" ]; then
		ua_collect "$name" || rc=1
	fi
	return $rc
}

# bs_cleanup: ua_stop every UA (for the EXIT trap).
bs_cleanup() {
	local name
	for name in "${!BS_PID[@]}"; do
		[ -n "${BS_PID[$name]}" ] && ua_stop "$name" >/dev/null 2>&1
	done
	return 0
}
