-- SPDX-License-Identifier: BSD-3-Clause
--
-- rtpgw-ndr.lua: the no-drop rate (RFC 2544 section 26.1 throughput) of an
-- rtpgw relay, measured with pktgen-dpdk 23.06 in range mode.
--
-- pktgen's port TX sends 218-byte frames (pktgen counts the FCS: 14
-- Ethernet + 20 IPv4 + 8 UDP + 12 RTP + 160 G.711 + 4 FCS) to rtpgw's
-- media address, UDP destination ports P, P+2, ... P+2(N-1) and source
-- ports S, S+2, ... in lockstep: the keys of N relay flows installed from
-- `scripts/pktgen/rtp_pcap.py --flows FILE --mode any` (see below for why
-- "any"). rtpgw relays them out of its other port to pktgen's port RX. Each
-- trial runs at one rate for a fixed time; the trial passes when RX got
-- what TX sent (within RTPGW_LOSS); the rate is bisected between the
-- highest pass and the lowest failure until they are RTPGW_RESOLUTION
-- percent of line rate apart. docs/BENCHMARKS.md, "pktgen in a lab with
-- real NICs", has the set-up.
--
-- Untested: pktgen is not packaged in Debian 12 and the project's machine
-- has no NICs to drive. Written against pktgen 23.06's Lua API
-- (app/lpktgenlib.c: pktgen.set, set_range, range.*, userPattern,
-- portStats, linkState, delay), the newest release that builds against
-- DPDK 22.11. Run it from pktgen's command line or at start:
--
--   RTPGW_DST_MAC=3c:fd:fe:00:00:10 pktgen -l 0-4 -n 4 \
--       -a 0000:03:00.0 -a 0000:03:00.1 -- -P -m "[1:2].0,[3:4].1" \
--       -f scripts/pktgen/rtpgw-ndr.lua
--
-- Settings come from the environment (defaults in brackets), so that one
-- copy of the script serves every lab:
--   RTPGW_TX_PORT [0], RTPGW_RX_PORT [1]  pktgen's ports towards rtpgw's
--       flows and back from rtpgw's egress
--   RTPGW_STREAMS [1000]                  N flows
--   RTPGW_DST_IP [198.51.100.10]          rtpgw's media address (flow keys)
--   RTPGW_DST_MAC (required)              its port's MAC, `rtpgwctl addrs`
--   RTPGW_DST_PORT_BASE [30000], RTPGW_SRC_PORT_BASE [20000]   P and S
--   RTPGW_SRC_IP [198.51.100.20/24]       pktgen TX's address
--   RTPGW_RX_IP [203.0.113.20/24]         pktgen RX's address: the flows'
--       peer; pktgen answers rtpgw's ARP for it
--   RTPGW_FRAME [218]                     frame size with FCS
--   RTPGW_TRIAL_MS [10000]                length of a trial
--   RTPGW_LOSS [0]                        loss ratio still counted as none
--   RTPGW_RATE_MAX [100]                  first (highest) rate tried, % of line rate
--   RTPGW_RESOLUTION [0.1]                stop when pass and fail are this close (%)
--   RTPGW_QUIT [0]                        1: quit pktgen at the end

local function env(name, default)
	local v = os.getenv(name)
	if v == nil or v == "" then
		return default
	end
	return v
end

local cfg = {
	tx = env("RTPGW_TX_PORT", "0"),
	rx = env("RTPGW_RX_PORT", "1"),
	streams = tonumber(env("RTPGW_STREAMS", "1000")),
	dst_ip = env("RTPGW_DST_IP", "198.51.100.10"),
	dst_mac = env("RTPGW_DST_MAC", ""),
	dst_port = tonumber(env("RTPGW_DST_PORT_BASE", "30000")),
	src_ip = env("RTPGW_SRC_IP", "198.51.100.20/24"),
	src_port = tonumber(env("RTPGW_SRC_PORT_BASE", "20000")),
	rx_ip = env("RTPGW_RX_IP", "203.0.113.20/24"),
	frame = tonumber(env("RTPGW_FRAME", "218")),
	trial_ms = tonumber(env("RTPGW_TRIAL_MS", "10000")),
	loss = tonumber(env("RTPGW_LOSS", "0")),
	rate_max = tonumber(env("RTPGW_RATE_MAX", "100")),
	resolution = tonumber(env("RTPGW_RESOLUTION", "0.1")),
	settle_ms = 2000,	-- in-flight packets, and pktgen's once-a-second stats refresh
	arp_wait_ms = 6000,	-- rtpgw asks for an unresolved next hop every second, then every 5 s
	max_trials = 24,
}

-- The RTP header. pktgen fills a frame with its 16-byte user pattern
-- (repeated from the first byte of the Ethernet header, zero-padded after
-- the string's end) before writing the headers over it, and takes the
-- pattern as a C string: no NUL inside. The UDP payload starts at byte 42,
-- i.e. at pattern byte 42 % 16 = 10, so pattern bytes 10..15 = 80 00 00 00
-- 00 00 give V=2, no padding/extension/CSRC, M=0, PT 0 (PCMU) and seq 0,
-- bytes 0..1 the low half of the timestamp (0x00000140) and bytes 2..5 the
-- SSRC, "RTPG" (0x52545047, easy to spot in `rtpgwctl flows`); the rest of
-- the payload is valid G.711 of no interest. Every packet of a flow is the
-- same: rtpgw relays duplicates (counted in DUP), so this measures the
-- relay's forwarding rate, not RTP statistics (use rtpgw-replay.lua for
-- those). A VLAN tag would shift the payload: none is used here.
local RTP_PATTERN = "\x01\x40RTPG\xff\xff\xff\xff\x80"

local function die(msg)
	print("rtpgw-ndr: " .. msg)
	error(msg)
end

local function port_stats(port)
	-- portStats returns a table indexed by port number.
	local s = pktgen.portStats(port, "port")[tonumber(port)]
	return s.opackets, s.ipackets, s.imissed or 0, s.rx_nombuf or 0
end

-- Line rate in packets/s: the link speed in Mbit/s from linkState
-- ("<UP-10000-FD>"), over the frame plus 20 bytes of preamble, start of
-- frame and inter-frame gap.
local function line_pps(port)
	local state = pktgen.linkState(port)[tonumber(port)] or ""
	local mbps = tonumber(string.match(state, "%d+"))
	if mbps == nil or mbps == 0 then
		die("port " .. port .. " link is down (" .. state .. ")")
	end
	return mbps * 1e6 / ((cfg.frame + 20) * 8), mbps
end

local function setup()
	local tx, n = cfg.tx, cfg.streams
	local last_dport = cfg.dst_port + 2 * (n - 1)
	local last_sport = cfg.src_port + 2 * (n - 1)
	local inc = (n > 1) and 2 or 0
	local src_ip = string.match(cfg.src_ip, "^[^/]+")

	if cfg.dst_mac == "" then
		die("set RTPGW_DST_MAC to the MAC of rtpgw's port (rtpgwctl addrs)")
	end
	if n < 1 or last_dport > 65535 or last_sport > 65535 then
		die("RTPGW_STREAMS " .. n .. " does not fit the port ranges")
	end

	pktgen.stop("all")
	pktgen.screen("off")
	pktgen.set_range(tx, "off")
	pktgen.pcap(tx, "off")

	-- Addresses: pktgen answers ARP for them with input processing on,
	-- which is how rtpgw resolves the flows' peer (RX).
	pktgen.set_ipaddr(tx, "src", cfg.src_ip)
	pktgen.set_ipaddr(cfg.rx, "src", cfg.rx_ip)
	pktgen.process(tx, "on")
	pktgen.process(cfg.rx, "on")

	pktgen.set_type(tx, "ipv4")
	pktgen.set_proto(tx, "udp")
	pktgen.set(tx, "size", cfg.frame)
	pktgen.set(tx, "count", 0)		-- send until stopped
	pktgen.userPattern(tx, RTP_PATTERN)	-- also selects the user pattern

	-- Range mode: every field fixed but the two UDP ports, which step by
	-- 2 together, each wrapping after N values.
	pktgen.range.ip_proto(tx, "udp")
	for _, what in ipairs({"start", "min", "max"}) do
		pktgen.range.dst_mac(tx, what, cfg.dst_mac)
		pktgen.range.dst_ip(tx, what, cfg.dst_ip)
		pktgen.range.src_ip(tx, what, src_ip)
		pktgen.range.pkt_size(tx, what, cfg.frame)
		if pktgen.range.ttl then
			pktgen.range.ttl(tx, what, 64)
		end
	end
	pktgen.range.dst_mac(tx, "inc", "00:00:00:00:00:00")
	pktgen.range.dst_ip(tx, "inc", "0.0.0.0")
	pktgen.range.src_ip(tx, "inc", "0.0.0.0")
	pktgen.range.pkt_size(tx, "inc", 0)
	if pktgen.range.ttl then
		pktgen.range.ttl(tx, "inc", 0)
	end

	pktgen.range.dst_port(tx, "start", cfg.dst_port)
	pktgen.range.dst_port(tx, "min", cfg.dst_port)
	pktgen.range.dst_port(tx, "max", last_dport)
	pktgen.range.dst_port(tx, "inc", inc)
	pktgen.range.src_port(tx, "start", cfg.src_port)
	pktgen.range.src_port(tx, "min", cfg.src_port)
	pktgen.range.src_port(tx, "max", last_sport)
	pktgen.range.src_port(tx, "inc", inc)

	pktgen.set_range(tx, "on")
end

-- One trial: cfg.trial_ms at rate percent of line rate. Counters are read
-- before and after (pktgen.clr() would reset the screen too), so other
-- traffic counted meanwhile is only rtpgw's rare ARP requests to RX.
local function trial(rate)
	local tx0, _ = port_stats(cfg.tx)
	local _, rx0, missed0, nombuf0 = port_stats(cfg.rx)

	pktgen.set(cfg.tx, "rate", rate)
	pktgen.start(cfg.tx)
	pktgen.delay(cfg.trial_ms)
	pktgen.stop(cfg.tx)
	pktgen.delay(cfg.settle_ms)

	local tx1, _ = port_stats(cfg.tx)
	local _, rx1, missed1, nombuf1 = port_stats(cfg.rx)
	local sent, got = tx1 - tx0, rx1 - rx0
	local lost = math.max(0, sent - got)
	local ratio = (sent > 0) and lost / sent or 1
	-- Packets pktgen's own RX missed are its loss, not rtpgw's: report them.
	local rx_missed = (missed1 - missed0) + (nombuf1 - nombuf0)
	return sent, got, lost, ratio, rx_missed
end

local function main()
	setup()
	local pps_line, mbps = line_pps(cfg.tx)
	print(string.format("rtpgw-ndr: %d flows, %d-byte frames, link %d Mbit/s = %.0f packets/s at line rate, "
		.. "trials of %d ms", cfg.streams, cfg.frame, mbps, pps_line, cfg.trial_ms))

	-- rtpgw resolves the flows' peer by itself once they are installed:
	-- give it time to ask, then prime with a short, slow trial.
	pktgen.delay(cfg.arp_wait_ms)
	local saved = cfg.trial_ms
	cfg.trial_ms = 1000
	trial(1)
	cfg.trial_ms = saved

	local lo, hi = 0, nil		-- highest pass, lowest failure (% of line rate)
	local best = nil		-- the passing trial at lo
	local rate = cfg.rate_max
	for n = 1, cfg.max_trials do
		local sent, got, lost, ratio, rx_missed = trial(rate)
		local pass = ratio <= cfg.loss
		local secs = cfg.trial_ms / 1000
		print(string.format("trial %2d: rate %7.3f%% sent %d (%.0f pps) received %d lost %d (%.6f%%)"
			.. " pktgen-rx-missed %d: %s", n, rate, sent, sent / secs, got, lost, ratio * 100,
			rx_missed, pass and "pass" or "FAIL"))
		if pass then
			lo, best = rate, {sent = sent, pps = sent / secs}
		else
			hi = rate
		end
		if hi == nil or hi - lo <= cfg.resolution then
			break
		end
		rate = (lo + hi) / 2
	end

	if best == nil then
		print("rtpgw-ndr: no rate passed: check `rtpgwctl drops` (NO_FLOW, WRONG_SOURCE, "
			.. "NO_NEXTHOP, NOT_ETHER) and the set-up in docs/BENCHMARKS.md")
	else
		local mbit = best.pps * (cfg.frame + 20) * 8 / 1e6
		print(string.format("rtpgw-ndr: NDR %.3f%% of line rate: %.0f packets/s, %.0f Mbit/s on the wire, "
			.. "%.0f G.711 20 ms streams", lo, best.pps, mbit, best.pps / 50))
		print(string.format("ndr_rate_pct=%.3f ndr_pps=%.0f flows=%d frame=%d trial_ms=%d",
			lo, best.pps, cfg.streams, cfg.frame, cfg.trial_ms))
	end
	pktgen.set_range(cfg.tx, "off")
	pktgen.screen("on")
	if env("RTPGW_QUIT", "0") == "1" then
		pktgen.quit()
	end
end

main()
