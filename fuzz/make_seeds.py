#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpora of the fuzz targets into fuzz/corpus/TARGET/.

Seeds come from the captures in ../shared/testdata (UDP payloads: RTP, RTCP,
the SDP bodies of the SIP messages; whole frames for classify, addressed to
the fuzz target's MAC and IP) and from small hand-made inputs in the input
format of each target (see the comment at the top of fuzz/fuzz_TARGET.c).
Deterministic: rerunning it rewrites the same files. Run by hand when a
target's input format changes:

    fuzz/make_seeds.py [TESTDATA_DIR]
"""
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
TESTDATA = (sys.argv[1] if len(sys.argv) > 1 else
            os.path.join(ROOT, "..", "shared", "testdata"))

# fuzz_classify's port MAC and first address
OUR_MAC = bytes([0x02, 0, 0, 0, 0, 1])
OUR_IP = bytes([198, 51, 100, 10])
PEER_IP = bytes([203, 0, 113, 7])

# api/rtpgw_api.h (version 2) sizes, for hand-made API messages
API_MAGIC, API_VERSION, HDR = 0x52475057, 2, 24
F_REPLY, F_EVENT = 1, 2
SIZES = {"hello": 56, "flow": 136, "conf": 24, "part": 152, "list_req": 8,
         "batch_reply": 8, "addr": 52, "conf_info": 72, "part_stats": 104,
         "ev_rtcp": 64, "ev_flow": 48, "ev_conf": 48}

written = {}


def seed(target, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    written[target] = written.get(target, 0) + 1


def pcap_frames(path):
    with open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack("<I", raw[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off = 24
    while off + 16 <= len(raw):
        _, _, incl, _ = struct.unpack(end + "IIII", raw[off:off + 16])
        off += 16
        yield raw[off:off + incl]
        off += incl


def udp_payload(frame):
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 15) * 4
    udp = 14 + ihl
    ulen = struct.unpack(">H", frame[udp + 4:udp + 6])[0]
    return frame[udp + 8:udp + ulen]


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def readdress(frame):
    """The frame sent to fuzz_classify's port and address, checksums fixed."""
    f = bytearray(frame)
    f[0:6] = OUR_MAC
    f[26:30] = PEER_IP
    f[30:34] = OUR_IP
    f[24:26] = b"\0\0"
    f[24:26] = struct.pack(">H", cksum(bytes(f[14:34])))
    f[40:42] = b"\0\0"  # no UDP checksum (allowed in IPv4)
    return bytes(f)


def api_hdr(typ, payload, flags=0, ident=1, status=0):
    return struct.pack("<IHHIHHiI", API_MAGIC, API_VERSION, typ, ident, flags, 0,
                       status, len(payload)) + payload


def main():
    rtp, rtcp, sdp, frames = [], [], [], []
    for name in sorted(os.listdir(TESTDATA)) if os.path.isdir(TESTDATA) else []:
        if not name.endswith(".pcap"):
            continue
        for i, fr in enumerate(pcap_frames(os.path.join(TESTDATA, name))):
            p = udp_payload(fr)
            if p is None:
                continue
            if p[:3] in (b"INV", b"SIP", b"ACK", b"BYE") and b"\r\n\r\nv=0" in p:
                sdp.append(p.split(b"\r\n\r\n", 1)[1])
            elif len(p) >= 8 and p[0] >> 6 == 2 and 200 <= p[1] <= 207:
                rtcp.append(p)
                frames.append(fr)
            elif len(p) >= 12 and p[0] >> 6 == 2:
                if i < 3 or p[1] & 0x80 or (p[1] & 0x7f) == 101:
                    rtp.append(p)
                    frames.append(fr)
    if not rtp:
        print(f"make_seeds: no RTP in {TESTDATA}: hand-made seeds only",
              file=sys.stderr)

    for p in rtp:
        seed("rtp", p)
    for p in rtcp:
        ssrc = p[4:8]
        seed("rtcp", ssrc + b"\x11\x22\x33\x44" + ssrc + b"\x55\x66\x77\x88" + p)
        seed("rtcp_report", p)
    # concatenations make compound packets, as the dataplane forwards them
    if len(rtcp) >= 2:
        seed("rtcp_report", rtcp[0] + rtcp[1])
        seed("rtcp", bytes(16) + rtcp[0] + rtcp[1])
    for fr in frames[:8]:
        seed("classify", bytes([0x0a]) + readdress(fr))  # IP, L4 cksum good
        seed("classify", bytes([0x00]) + readdress(fr))  # verify IP in software
    arp = OUR_MAC + bytes(6) + b"\x08\x06" + bytes(28)
    seed("classify", b"\x00" + arp)

    # RFC 8285: one-byte (0xBEDE) and two-byte (0x100x) forms, audio level
    base = bytes([0x90, 0, 0, 1, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef])
    seed("rtp", base + bytes([0xbe, 0xde, 0, 1, 0x10, 0x85, 0, 0]) + bytes(160))
    seed("rtp_ext", bytes([1, 8]) + base +
         bytes([0xbe, 0xde, 0, 1, 0x10, 0x85, 0, 0]) + bytes(20))
    seed("rtp_ext", bytes([3, 40]) + base +
         bytes([0x10, 0x00, 0, 2, 3, 2, 0xaa, 0xbb, 0, 0, 0, 0]) + bytes(20))
    seed("rtp_ext", bytes([2, 255]) + base +
         bytes([0xbe, 0xde, 0, 2, 0x10, 0x05, 0, 0x21, 1, 2, 0, 0]))

    # RFC 4733: one key pressed: 3 updates, 3 ends (2.5.1.4), then another
    dtmf = b""
    for i, (dur, end) in enumerate([(160, 0), (320, 0), (480, 0), (640, 1),
                                     (640, 1), (640, 1)]):
        pl = bytes([5, (0x80 if end else 0) | 10]) + struct.pack(">H", dur)
        dtmf += struct.pack(">I", 1000 if i == 0 else 0) + bytes([(1 if i == 0 else 0) | 4 << 1]) + pl
    pl = bytes([11, 0x80 | 10]) + struct.pack(">H", 800)
    dtmf += struct.pack(">I", 2000) + bytes([1 | 4 << 1]) + pl
    seed("dtmf", dtmf)
    seed("dtmf", bytes([1, 0x8a, 0x03, 0x20]))

    # the agent's requests (fuzz_api_msg: byte 0 = hello done)
    seed("api_msg", b"\x00" + api_hdr(1, bytes(SIZES["hello"])))
    seed("api_msg", b"\x01" + api_hdr(2, b""))
    seed("api_msg", b"\x01" + api_hdr(3, struct.pack("<II", 1, 0) + bytes(SIZES["flow"])))
    seed("api_msg", b"\x01" + api_hdr(5, struct.pack("<II", 2, 2) + bytes(2 * SIZES["flow"])))
    seed("api_msg", b"\x01" + api_hdr(7, bytes(SIZES["list_req"])))
    seed("api_msg", b"\x01" + api_hdr(12, bytes(SIZES["conf"])))
    seed("api_msg", b"\x01" + api_hdr(16, bytes(SIZES["part"])))

    # replies and events to rtpgwctl (fuzz_api_client: flags, type index, cap/4)
    def dgrams(*ds):
        return b"".join(struct.pack("<H", len(d)) + d for d in ds)
    seed("api_client", bytes([0, 0, 255]) + dgrams(api_hdr(1, bytes(SIZES["hello"]), F_REPLY)))
    seed("api_client", bytes([0, 1, 255]) + dgrams(
        api_hdr(0x101, bytes(SIZES["ev_flow"]), F_EVENT, 0),
        api_hdr(2, struct.pack("<II", 1, 0) + bytes(SIZES["addr"]), F_REPLY)))
    seed("api_client", bytes([0, 14, 255]) + dgrams(
        api_hdr(15, struct.pack("<I", 1) + bytes(SIZES["conf_info"] - 4) +
                bytes(SIZES["part_stats"]), F_REPLY)))
    seed("api_client", bytes([0, 2, 4]) + dgrams(api_hdr(3, b"", F_REPLY, 1, -17)))
    seed("api_client", bytes([2, 0, 255]) + dgrams(
        api_hdr(0x100, struct.pack("<I", 8) + bytes(SIZES["ev_rtcp"] - 4) + bytes(8), F_EVENT, 0),
        api_hdr(0x103, bytes(SIZES["ev_conf"]), F_EVENT, 0)))
    seed("api_client", bytes([1, 6, 64]) + dgrams(bytes(HDR + 8)))

    # SDP (fuzz_sdp: byte 0 = offer | rtcp-mux | dir | order | dtmf | ptime)
    for s in sdp:
        seed("sdp", b"\x21" + s)
        seed("sdp", b"\x20" + s)
    seed("sdp", b"\x63" + b"v=0\r\no=- 1 1 IN IP4 203.0.113.7\r\ns=-\r\n"
         b"c=IN IP4 203.0.113.7\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8 0 101\r\n"
         b"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:30\r\n"
         b"a=rtcp-mux\r\na=rtcp:40001\r\na=sendonly\r\n")
    seed("sdp", b"\x01" + b"v=0\r\no=- 1 1 IN IP6 2001:db8::7\r\ns=-\r\n"
         b"c=IN IP6 2001:db8::7\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
         b"m=video 40002 RTP/AVP 96\r\na=inactive\r\n")

    # rtpgw-control configuration files
    ex = os.path.join(ROOT, "control", "rtpgw-control.conf.example")
    if os.path.exists(ex):
        seed("config", open(ex, "rb").read())
    seed("config", b"sip_ip = 198.51.100.1\nsip_port = 5060\nmedia_ip = 198.51.100.10\n"
         b"ports = 30000-30100\nroute = ^1[0-9]+$ sip:198.51.100.20:5070;transport=tcp\n"
         b"room_pattern = ^9[0-9]{3}$ # rooms\n")
    seed("config", b"sip:[2001:db8::1]:5062;transport=udp\n")

    # JSON as rtpgw-control's HTTP API writes it
    for j in [b'{"calls":[{"id":7,"kind":"relay","state":"active","room":null,'
              b'"legs":[{"peer":"198.51.100.9","port":30002,"mos":4.3e0}]}]}',
              b'[true,false,null,-0.5,1E+3,"a\\u00e9\\ud83d\\ude00\\n"]',
              b'{"rooms":[{"id":1001,"participants":[{"call":12,"muted":false}]}]}',
              b'  {"a":{"b":{"c":[[[]]]}},"a":1}  ']:
        seed("json_read", j)

    # HTTP responses (fuzz_http: byte 0 piece size - 1, byte 1 bit 0 small max)
    for h in [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              b"Content-Length: 13\r\n\r\n{\"calls\":[]}\n",
              b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n",
              b"HTTP/1.0 404 Not Found\r\nConnection: close\r\n\r\nnot found",
              b"HTTP/1.1 204 No Content\r\n\r\n"]:
        seed("http", b"\xff\x00" + h)
        seed("http", b"\x06\x01" + h)

    for t in sorted(written):
        print(f"make_seeds: {t}: {written[t]} seeds")


main()
