# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# Shared set-up, helpers and clean-up of the system tests (test_*_tap.sh):
# the real rtpgw-dataplane on a net_tap port inside a network namespace the
# test creates and deletes. Sourced, not run; not a test itself. A test does:
#
#   set -uo pipefail
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   sys_require_root                      # or "1..0 # SKIP not root", exit 0
#   sys_init NS_PREFIX TMP_PREFIX "$@"    # paths, namespace name, temp dir, traps
#   TAP=dtap0 MEDIA=198.51.100.10 ...     # its topology (198.51.100.0/24 or
#                                         # 203.0.113.0/24 only)
#   tap_plan N
#   run_case NAME FUNCTION ...            # case_start uses dp_start etc.
#   tap_summary                           # last: the script's exit status
#
# Functions (each also described where it is defined):
#
#   sys_require_root   print "1..0 # SKIP not root" and exit 0 unless root
#   sys_init           set ROOT DPBIN CTLBIN EP NS PREFIX T SOCK, make the
#                      temporary directory, install the EXIT/signal traps
#   sys_cleanup        the EXIT trap: stop background processes and the
#                      dataplane (bounded), delete the namespace, the DPDK
#                      runtime directory and the temporary directory
#   now_ms, fmt_ms     wall clock in ms; ms as "S.mmm"
#   tap_plan           print the TAP plan "1..N"
#   run_case           run one case, print "ok N - NAME" / "not ok N - NAME"
#                      and its output as "# " diagnostics
#   tap_summary        print the closing "# ..." line; fails if any case did
#   nsx                run a command in the namespace
#   ctl, ctl_json      rtpgwctl on the dataplane's API socket (bounded)
#   dp_alive, need_dp  is the dataplane running (need_dp says why not)
#   jcheck             python assertions over JSON files
#   bg_start           run a command in the background, killed on exit
#   wait_pids          wait for pids, fail if any failed
#   dp_start           create the namespace, start the dataplane on net_tap
#                      in it (--no-pci, own --file-prefix), wait for the tap
#   dp_wait_api        wait until the dataplane's API socket answers
#   tap_addrs          add addresses to the tap interface and bring it up
#   dp_check_clean_shutdown  SIGTERM the dataplane; it must exit 0 at once
#                      and leave neither its API socket nor the tap behind
#
# Every wait here is bounded.

# sys_require_root: TAP "skip the whole test" and exit 0 unless run as root.
sys_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP not root"
		exit 0
	fi
}

# sys_init NS_PREFIX TMP_PREFIX [RTPGW_DATAPLANE [RTPGWCTL]]: set
#   ROOT    the repository (two levels above this file)
#   DPBIN   rtpgw-dataplane (default build/rtpgw-dataplane of ROOT)
#   CTLBIN  rtpgwctl (default build/rtpgwctl of ROOT)
#   EP      scripts/lib/rtp_endpoint.py
#   NS      the namespace to create, NS_PREFIX-PID (only this one is deleted)
#   PREFIX  the DPDK --file-prefix, NS_PREFIX-PID as well
#   T       a new temporary directory /tmp/TMP_PREFIX.XXXXXX
#   SOCK    the dataplane's API socket in T
# and DP_PID (empty), BG_PIDS (none); install sys_cleanup on EXIT and make
# INT, TERM and HUP exit 130 (which runs it).
sys_init() {
	local nsp=$1 tmpp=$2
	shift 2
	ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	DPBIN=$(realpath -e "${1:-$ROOT/build/rtpgw-dataplane}" 2>/dev/null || echo "${1:-$ROOT/build/rtpgw-dataplane}")
	CTLBIN=$(realpath -e "${2:-$ROOT/build/rtpgwctl}" 2>/dev/null || echo "${2:-$ROOT/build/rtpgwctl}")
	# shellcheck disable=SC2034	# for the tests that source this file
	EP=$ROOT/scripts/lib/rtp_endpoint.py
	NS=$nsp-$$
	PREFIX=$nsp-$$
	T=$(mktemp -d "/tmp/$tmpp.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
	SOCK=$T/run/dataplane.sock
	DP_PID=
	BG_PIDS=()
	trap sys_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

# sys_cleanup: the EXIT trap. Kills what bg_start started, stops the
# dataplane (SIGTERM, SIGKILL after 5 s), deletes the namespace NS, the DPDK
# runtime directory of PREFIX and T (kept when KEEP_TMP is set).
sys_cleanup() {
	local p i
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	if [ -n "$DP_PID" ] && kill -0 "$DP_PID" 2>/dev/null; then
		kill -TERM "$DP_PID" 2>/dev/null
		for i in $(seq 50); do
			kill -0 "$DP_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DP_PID" 2>/dev/null
	fi
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "/var/run/dpdk/$PREFIX"
	# KEEP_TMP=1 keeps the logs and captures for a post-mortem
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}

# now_ms: milliseconds since the epoch. fmt_ms MS: MS as seconds, "S.mmm".
now_ms() { echo $(($(date +%s%N) / 1000000)); }
fmt_ms() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# --- TAP -------------------------------------------------------------------

n=0
nfail=0

# tap_plan N: the TAP plan line "1..N".
tap_plan() { echo "1..$1"; }

# run_case NAME FUNCTION: runs FUNCTION in this shell, its output becomes the
# case's "# " diagnostics (printed whether it passed or not).
run_case() {
	local name=$1 fn=$2 rc t0 t1
	t0=$(now_ms)
	"$fn" >"$T/diag" 2>&1
	rc=$?
	t1=$(now_ms)
	n=$((n + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		nfail=$((nfail + 1))
	fi
	sed 's/^/# /' "$T/diag"
	echo "# ($(fmt_ms $((t1 - t0))) s)"
}

# tap_summary: "# all N cases passed" or "# F of N cases failed"; returns 1
# if any case failed (make it the script's last command).
tap_summary() {
	if [ $nfail -eq 0 ]; then
		echo "# all $n cases passed"
	else
		echo "# $nfail of $n cases failed"
	fi
	[ $nfail -eq 0 ]
}

# --- helpers ---------------------------------------------------------------

# nsx CMD...: CMD inside the namespace.
nsx() { ip netns exec "$NS" "$@"; }
# ctl ARGS...: rtpgwctl ARGS on the API socket, at most 20 s.
ctl() { timeout 20 "$CTLBIN" -s "$SOCK" "$@"; }
# dp_alive: the dataplane was started and still runs.
dp_alive() { [ -n "$DP_PID" ] && kill -0 "$DP_PID" 2>/dev/null; }
# need_dp: dp_alive, or say so (with the end of its log) and fail.
need_dp() { dp_alive || { echo "the dataplane is not running"; tail -n 5 "$T/dp.log" 2>/dev/null; return 1; }; }

# jcheck FILE...: python assertions read from stdin over the JSON files
# J[0], J[1], ...; check(cond, msg) records a failure and prints msg; info()
# prints a diagnostic line; drop(drops, name) is a drop counter, flow(flows,
# port) the flow at a local port (or None). JCHECK_PRELUDE, if set, is python
# run first (a test's own constants). Exit 1 if any check failed.
jcheck() {
	local code
	code=$(cat)
	python3 -c '
import json, sys
J = []
for f in sys.argv[3:]:
	try:
		J.append(json.load(open(f)))
	except (OSError, ValueError) as e:
		print(f"cannot read JSON {f}: {e}")
		sys.exit(1)
bad = 0
def check(cond, msg):
	global bad
	if not cond:
		print("FAIL: " + msg)
		bad += 1
	return cond
def info(msg):
	print(msg)
def drop(d, name):
	for r in d["drops"]:
		if r["name"] == name:
			return r["count"]
	raise KeyError(name)
def flow(fl, port):
	for f in fl["flows"]:
		if f["local_port"] == port:
			return f
	return None
exec(sys.argv[1])
exec(sys.argv[2])
sys.exit(1 if bad else 0)
' "${JCHECK_PRELUDE:-}" "$code" "$@"
}

# ctl_json OUT ARGS...: rtpgwctl --json ARGS > OUT, failing with its message.
ctl_json() {
	local out=$1
	shift
	if ! ctl --json "$@" >"$out" 2>"$T/ctl.err"; then
		echo "rtpgwctl $* failed: $(cat "$T/ctl.err")"
		return 1
	fi
}

# bg_start CMD...: run CMD in the background, its pid in BG_PID; sys_cleanup
# kills it if it still runs on exit. CMD should bound itself (timeout N ...).
bg_start() {
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wait_pids PID...: wait for each; fails if any exited non-zero.
wait_pids() {
	local p rc=0
	for p in "$@"; do
		wait "$p" || rc=1
	done
	return $rc
}

# --- the dataplane in its namespace -----------------------------------------

# dp_start [APP_ARGS...]: check DPBIN and CTLBIN, create the namespace NS (lo
# up, no reverse-path filter), start DPBIN in it on 2 lcores without hugepages
# on net_tap0 (interface TAP), always with --no-pci (EAL never probes the
# machine's real NIC) and --file-prefix PREFIX; application arguments --addr
# 0:MEDIA/24 --api SOCK --max-flows 4096, then APP_ARGS. Its output goes to
# T/dp.log, its pid to DP_PID. Then wait at most 10 s for TAP to appear in
# NS; TAP_WAIT_TENTHS says after how many tenths of a second.
dp_start() {
	local i f
	[ -x "$DPBIN" ] || { echo "not executable: $DPBIN"; return 1; }
	[ -x "$CTLBIN" ] || { echo "not executable: $CTLBIN"; return 1; }
	ip netns add "$NS" || { echo "ip netns add $NS failed"; return 1; }
	nsx ip link set lo up
	for f in all default; do
		nsx sysctl -qw "net.ipv4.conf.$f.rp_filter=0"
	done
	mkdir -p "$T/run"
	ip netns exec "$NS" "$DPBIN" -l 0-1 --no-pci --no-huge -m 512 \
		--file-prefix "$PREFIX" --vdev "net_tap0,iface=$TAP" -- \
		--addr "0:$MEDIA/24" --api "$SOCK" --max-flows 4096 "$@" \
		>"$T/dp.log" 2>&1 &
	DP_PID=$!
	echo "dataplane pid $DP_PID in namespace $NS"
	for i in $(seq 100); do	# 10 s
		nsx ip link show "$TAP" >/dev/null 2>&1 && break
		dp_alive || break
		sleep 0.1
	done
	# shellcheck disable=SC2034	# for the tests that source this file
	TAP_WAIT_TENTHS=$i
	if ! nsx ip link show "$TAP" >/dev/null 2>&1; then
		echo "interface $TAP did not appear in $NS within 10 s"
		dp_alive || echo "the dataplane exited:"
		tail -n 15 "$T/dp.log"
		return 1
	fi
}

# dp_wait_api: wait at most 10 s for the API socket to answer "hello"; then
# print the dataplane's hello (or fail with the end of its log).
dp_wait_api() {
	local i
	for i in $(seq 100); do	# 10 s
		[ -S "$SOCK" ] && ctl hello >/dev/null 2>&1 && break
		dp_alive || break
		sleep 0.1
	done
	if ! ctl hello; then
		echo "the API socket $SOCK does not answer"
		tail -n 15 "$T/dp.log"
		return 1
	fi
}

# tap_addrs IP...: add each IP/24 to the kernel side of TAP in NS, then bring
# TAP up. Only 198.51.100.0/24 and 203.0.113.0/24 addresses belong here.
tap_addrs() {
	local ip
	for ip in "$@"; do
		nsx ip addr add "$ip/24" dev "$TAP" || { echo "ip addr add $ip failed"; return 1; }
	done
	nsx ip link set "$TAP" up || { echo "configuring $TAP failed"; return 1; }
}

# dp_check_clean_shutdown: SIGTERM the dataplane; it must exit within 5 s
# with status 0, remove its API socket, and the kernel must remove TAP
# within 2 s more. Clears DP_PID once it has exited.
dp_check_clean_shutdown() {
	local i rc rc2 t0
	need_dp || return 1
	t0=$(now_ms)
	kill -TERM "$DP_PID"
	for i in $(seq 50); do	# 5 s
		kill -0 "$DP_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$DP_PID" 2>/dev/null; then
		echo "still running 5 s after SIGTERM"
		tail -n 5 "$T/dp.log"
		return 1
	fi
	wait "$DP_PID"
	rc=$?
	DP_PID=
	echo "exited $rc after $(fmt_ms $(($(now_ms) - t0))) s"
	rc2=0
	[ $rc -eq 0 ] || { echo "exit status $rc, expected 0"; tail -n 5 "$T/dp.log"; rc2=1; }
	[ ! -e "$SOCK" ] || { echo "API socket $SOCK left behind"; rc2=1; }
	for i in $(seq 20); do	# 2 s for the kernel to remove the tap
		nsx ip link show "$TAP" >/dev/null 2>&1 || break
		sleep 0.1
	done
	! nsx ip link show "$TAP" >/dev/null 2>&1 || { echo "$TAP still exists"; rc2=1; }
	return $rc2
}
