-- SPDX-License-Identifier: BSD-3-Clause
--
-- rtpgw-replay.lua: replay a pcap written by scripts/pktgen/rtp_pcap.py
-- through an rtpgw relay with pktgen-dpdk 23.06, at the streams' own pace
-- or at a given share of line rate, and count what came back.
--
-- pktgen loads the pcap at start (`-s PORT:FILE`) and sends its frames as
-- they are, in file order, looping at the end; it does not follow the
-- pcap's timestamps but its own rate. By default this script sets the rate
-- at which every stream gets one packet per ptime (N * 1000 / ptime
-- packets/s, e.g. 50,000 for 1,000 streams at 20 ms), one packet per burst,
-- so rtpgw's per-flow jitter and loss mean what they say; RTPGW_RATE=PCT
-- sends at PCT percent of line rate instead (a load test: the RTP timing is
-- then meaningless). Each pass over the file restarts every stream's seq
-- and timestamps: make the file at least as long as the run
-- (--packets-per-stream = 50 * RTPGW_SECONDS at 20 ms) when reading
-- rtpgw's per-flow LOST and JITTER. docs/BENCHMARKS.md, "pktgen in a lab
-- with real NICs", has the set-up.
--
-- Untested: pktgen is not packaged in Debian 12 and the project's machine
-- has no NICs to drive. Written against pktgen 23.06's Lua API
-- (app/lpktgenlib.c: pktgen.pcap, set, start, stop, portStats, linkState,
-- delay), the newest release that builds against DPDK 22.11.
--
--   scripts/pktgen/rtp_pcap.py -o rtp.pcap --streams 1000 \
--       --packets-per-stream 3000 --dst-ip 198.51.100.10 \
--       --dst-mac 3c:fd:fe:00:00:10 --src-ip 198.51.100.20 ...
--   RTPGW_STREAMS=1000 RTPGW_SECONDS=60 pktgen -l 0-4 -n 4 \
--       -a 0000:03:00.0 -a 0000:03:00.1 -- -P -m "[1:2].0,[3:4].1" \
--       -s 0:rtp.pcap -f scripts/pktgen/rtpgw-replay.lua
--
-- Settings from the environment (defaults in brackets):
--   RTPGW_TX_PORT [0], RTPGW_RX_PORT [1]  pktgen's ports towards rtpgw's
--       flows (the one given the pcap with -s) and back from its egress
--   RTPGW_STREAMS [1000], RTPGW_PTIME [20]  as given to rtp_pcap.py
--   RTPGW_FRAME [218]                     frame size with FCS (rtp_pcap.py's
--       frame + 4)
--   RTPGW_RATE [real time]                percent of line rate instead
--   RTPGW_SECONDS [10]                    how long to send
--   RTPGW_SRC_IP [198.51.100.20/24], RTPGW_RX_IP [203.0.113.20/24]
--       pktgen's addresses; RX is the flows' peer, whose ARP pktgen answers
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
	ptime = tonumber(env("RTPGW_PTIME", "20")),
	frame = tonumber(env("RTPGW_FRAME", "218")),
	rate = tonumber(env("RTPGW_RATE", "")),		-- nil: real time
	seconds = tonumber(env("RTPGW_SECONDS", "10")),
	src_ip = env("RTPGW_SRC_IP", "198.51.100.20/24"),
	rx_ip = env("RTPGW_RX_IP", "203.0.113.20/24"),
	settle_ms = 2000,	-- in-flight packets, and pktgen's once-a-second stats refresh
	arp_wait_ms = 6000,	-- rtpgw asks for an unresolved next hop every second, then every 5 s
}

local function port_stats(port)
	-- portStats returns a table indexed by port number.
	local s = pktgen.portStats(port, "port")[tonumber(port)]
	return s.opackets, s.ipackets, (s.imissed or 0) + (s.rx_nombuf or 0)
end

local function link_mbps(port)
	local state = pktgen.linkState(port)[tonumber(port)] or ""
	local mbps = tonumber(string.match(state, "%d+"))
	if mbps == nil or mbps == 0 then
		error("rtpgw-replay: port " .. port .. " link is down (" .. state .. ")")
	end
	return mbps
end

local function main()
	local tx, rx = cfg.tx, cfg.rx
	local mbps = link_mbps(tx)
	-- One frame costs frame + 20 bytes (preamble, start of frame, gap).
	local line_pps = mbps * 1e6 / ((cfg.frame + 20) * 8)
	local target_pps, rate
	if cfg.rate == nil then
		target_pps = cfg.streams * 1000 / cfg.ptime
		rate = 100 * target_pps / line_pps
	else
		rate = cfg.rate
		target_pps = line_pps * rate / 100
	end
	if rate > 100 then
		error(string.format("rtpgw-replay: %.0f packets/s exceeds the %d Mbit/s line rate", target_pps, mbps))
	end

	pktgen.stop("all")
	pktgen.screen("off")
	pktgen.set_range(tx, "off")
	pktgen.pcap(tx, "on")		-- needs the file loaded with -s TX:FILE
	pktgen.set_ipaddr(tx, "src", cfg.src_ip)
	pktgen.set_ipaddr(rx, "src", cfg.rx_ip)
	pktgen.process(tx, "on")	-- answer ARP, which is how rtpgw finds RX
	pktgen.process(rx, "on")
	pktgen.set(tx, "count", 0)
	if cfg.rate == nil then
		pktgen.set(tx, "burst", 1)	-- evenly spaced packets, not bursts of 32
	end
	pktgen.set(tx, "rate", rate)

	print(string.format("rtpgw-replay: %d streams at %d ms, %d-byte frames, %s: %.0f packets/s "
		.. "(%.4f%% of %d Mbit/s) for %d s", cfg.streams, cfg.ptime, cfg.frame,
		cfg.rate == nil and "real time" or "fixed rate", target_pps, rate, mbps, cfg.seconds))

	pktgen.delay(cfg.arp_wait_ms)
	local tx0, _, _ = port_stats(tx)
	local _, rx0, missed0 = port_stats(rx)
	pktgen.start(tx)
	pktgen.delay(math.floor(cfg.seconds * 1000))
	pktgen.stop(tx)
	pktgen.delay(cfg.settle_ms)
	local tx1, _, _ = port_stats(tx)
	local _, rx1, missed1 = port_stats(rx)

	local sent, got = tx1 - tx0, rx1 - rx0
	local lost = math.max(0, sent - got)
	local pps = sent / cfg.seconds
	print(string.format("rtpgw-replay: sent %d (%.0f packets/s, %.1f%% of the target) received %d "
		.. "lost %d (%.6f%%) pktgen-rx-missed %d", sent, pps, 100 * pps / target_pps, got, lost,
		sent > 0 and 100 * lost / sent or 0, missed1 - missed0))
	print(string.format("replay_sent=%d replay_received=%d replay_lost=%d replay_pps=%.0f streams=%d",
		sent, got, lost, pps, cfg.streams))
	print("rtpgw-replay: per flow: `rtpgwctl flows` (PACKETS, LOST, JITTER), `rtpgwctl stats` (drops)")
	pktgen.screen("on")
	if env("RTPGW_QUIT", "0") == "1" then
		pktgen.quit()
	end
end

main()
