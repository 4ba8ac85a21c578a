-- SPDX-License-Identifier: BSD-3-Clause
--
-- A stand-in for pktgen-dpdk 23.06's Lua library (app/lpktgenlib.c), for
-- test_pktgen_lua.py: the functions scripts/pktgen/*.lua call, checking
-- the argument counts and types pktgen checks, and a device under test
-- that relays everything up to MOCK_NDR percent of line rate and, above
-- it, MOCK_NDR / rate of what it gets; frames are 64 bytes, the set size,
-- or 218 in pcap mode. Time passes only in pktgen.delay.
-- print() and every configuring call go to the file MOCK_OUT, one a line.

local out = assert(io.open(assert(os.getenv("MOCK_OUT")), "w"))
local M = {rate = 100, size = 64, sending = false, tx = 0, rx = 0, link = 10000,
	   ndr = tonumber(os.getenv("MOCK_NDR") or "100")}

print = function(...)
	local t = {}
	for i = 1, select("#", ...) do
		t[#t + 1] = tostring((select(i, ...)))
	end
	out:write(table.concat(t, "\t"), "\n")
	out:flush()
end

local function call(name, want, ...)
	local n = select("#", ...)
	if n ~= want then
		error(string.format("pktgen.%s: %d arguments, pktgen wants %d", name, n, want), 3)
	end
	local first = (select(1, ...))
	if want > 0 and type(first) ~= "string" and name ~= "delay" and name ~= "screen" then
		error("pktgen." .. name .. ": the port list must be a string", 3)
	end
	local t = {"call", name}
	for i = 1, n do
		t[#t + 1] = tostring((select(i, ...)))
	end
	out:write(table.concat(t, " "), "\n")
end

pktgen = {range = {}}

function pktgen.set(p, what, v)
	call("set", 3, p, what, v)
	assert(tonumber(v), "pktgen.set: value must be a number")
	if what == "rate" then
		M.rate = tonumber(v)
	elseif what == "size" then
		M.size = tonumber(v)
	end
end

for name, n in pairs({start = 1, stop = 1, set_range = 2, pcap = 2, set_ipaddr = 3, process = 2,
		      set_type = 2, set_proto = 2, userPattern = 2}) do
	pktgen[name] = function(...)
		call(name, n, ...)
		if name == "start" then
			M.sending = true
		elseif name == "stop" then
			M.sending = false
		elseif name == "pcap" and (select(2, ...)) == "on" then
			M.size = 218	-- the average frame of the pcap, with the FCS
		end
	end
end

function pktgen.screen(s)
	call("screen", 1, s)
end

function pktgen.quit()
	call("quit", 0)
end

function pktgen.delay(ms)
	call("delay", 1, ms)
	assert(math.type(ms) == "integer", "pktgen.delay: milliseconds must be an integer")
	if M.sending then
		local n = math.floor(M.link * 1e6 / ((M.size + 20) * 8) * M.rate / 100 * ms / 1000)
		M.tx = M.tx + n
		M.rx = M.rx + ((M.rate <= M.ndr) and n or math.floor(n * M.ndr / M.rate))
	end
end

function pktgen.linkState(p)
	call("linkState", 1, p)
	return {[tonumber(p)] = string.format("<UP-%d-FD>", M.link), n = 1}
end

function pktgen.portStats(p, kind)
	call("portStats", 2, p, kind)
	assert(kind == "port" or kind == "rate")
	local id = tonumber(p)
	return {[id] = {opackets = (id == 0) and M.tx or 0, ipackets = (id == 1) and M.rx or 0,
			imissed = 0, rx_nombuf = 0, ierrors = 0, oerrors = 0}, n = 1}
end

for _, name in ipairs({"dst_mac", "src_mac", "dst_ip", "src_ip", "dst_port", "src_port",
		       "pkt_size", "ttl"}) do
	pktgen.range[name] = function(p, what, v)
		call("range." .. name, 3, p, what, v)
		assert(what == "start" or what == "min" or what == "max" or what == "inc",
		       "pktgen.range." .. name .. ": bad '" .. tostring(what) .. "'")
	end
end

function pktgen.range.ip_proto(p, v)
	call("range.ip_proto", 2, p, v)
end
