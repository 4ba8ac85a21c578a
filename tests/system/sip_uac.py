#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Minimal SIP UAC over UDP for the system tests (RFC 3261 messages, no
retransmission: the test network is a namespace without loss).

  sip_uac.py invite --bind IP:PORT --to sip:1@HOST:PORT --media IP:PORT
                    --pts 0,8 --state FILE
      INVITE with an SDP offer; on 200 sends ACK and writes the dialog and
      the SDP answer (address, port, payload type) to FILE as JSON. Prints
      the final status; exit 0 on 2xx, 1 otherwise. --retransmit sends
      the same INVITE again and expects the same 200; --ack-delay S holds
      the ACK back S seconds and expects the 200 retransmitted meanwhile.
  sip_uac.py bye --state FILE
      BYE in that dialog; exit 0 on 200.
"""
import argparse
import json
import random
import socket
import sys
import time

TIMEOUT_S = 5


def hostport(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


def build(method, ruri, st, cseq, body="", extra=""):
    branch = "z9hG4bK%08x" % random.getrandbits(32)
    to = "<%s>" % st["to"] + (";tag=%s" % st["to_tag"] if st.get("to_tag") else "")
    msg = ("%s %s SIP/2.0\r\n"
           "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:tester@%s>;tag=%s\r\n"
           "To: %s\r\n"
           "Call-ID: %s\r\n"
           "CSeq: %d %s\r\n"
           "Contact: <sip:tester@%s>\r\n"
           "%s"
           "Content-Length: %d\r\n\r\n%s") % (
        method, ruri, st["bind"], branch, st["bind"], st["from_tag"], to, st["call_id"],
        cseq, method, st["bind"], extra, len(body.encode()), body)
    return msg.encode()


def parse(data):
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs.setdefault(k.strip().lower(), v.strip())
    return status, hdrs, body


def transact(sock, dst, msg, method):
    """Send msg and return the final response (skipping 1xx)."""
    sock.sendto(msg, dst)
    while True:
        data, _ = sock.recvfrom(65536)
        status, hdrs, body = parse(data)
        if not hdrs.get("cseq", "").endswith(method):
            continue
        if status >= 200:
            return status, hdrs, body


def count_200(sock, seconds):
    """Count the 200s to our INVITE received within seconds."""
    end = time.monotonic() + seconds
    n = 0
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return n
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(65536)
        except socket.timeout:
            return n
        status, hdrs, _ = parse(data)
        if status == 200 and hdrs.get("cseq", "").endswith("INVITE"):
            n += 1


def sdp_answer(body):
    ip = port = pt = None
    for line in body.splitlines():
        if line.startswith("c=IN IP4 "):
            ip = line.split()[2]
        elif line.startswith("m=audio "):
            f = line.split()
            port, pt = int(f[1]), [int(x) for x in f[3:]]
    return ip, port, pt


def invite(a):
    bind_h, bind_p = hostport(a.bind)
    to = a.to
    dst = hostport(to.split("@", 1)[1])
    mip, mport = hostport(a.media)
    pts = [int(x) for x in a.pts.split(",")]
    names = {0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 101: "telephone-event/8000"}
    sdp = ("v=0\r\no=tester 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
           "m=audio %d RTP/AVP %s\r\n%s") % (
        mip, mip, mport, " ".join(map(str, pts)),
        "".join("a=rtpmap:%d %s\r\n" % (p, names[p]) for p in pts))
    st = {"bind": a.bind, "to": to, "from_tag": "%08x" % random.getrandbits(32),
          "call_id": "%016x@%s" % (random.getrandbits(64), bind_h), "dst": list(dst)}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind_h, bind_p))
    sock.settimeout(TIMEOUT_S)
    inv = build("INVITE", to, st, 1, sdp, "Content-Type: application/sdp\r\n")
    status, hdrs, body = transact(sock, dst, inv, "INVITE")
    print("INVITE %s: %d" % (to, status))
    if status >= 300:
        # RFC 3261 17.1.1.3: ACK for a non-2xx final response, same branch
        # is what a real UAC does; the test's UAS ignores it either way
        return 1
    st["to_tag"] = hdrs["to"].split("tag=", 1)[1].split(";")[0]
    ip, port, pt = sdp_answer(body)
    st["answer"] = {"ip": ip, "port": port, "pts": pt,
                    "content_type": hdrs.get("content-type")}
    print("answer: %s:%s pt %s" % (ip, port, pt))
    if a.retransmit:
        # as if our first INVITE (or its 200) was lost: the same bytes again
        status2, _, body2 = transact(sock, dst, inv, "INVITE")
        print("retransmitted INVITE: %d, answer %s" % (status2, sdp_answer(body2)))
        sock.sendto(build("ACK", to, st, 1), dst)  # every 2xx is ACKed
        if status2 != 200 or sdp_answer(body2) != (ip, port, pt):
            return 1
    if a.ack_delay:
        # RFC 3261 13.3.1.4: the UAS must send the 200 again until the ACK
        before = count_200(sock, a.ack_delay)
        sock.sendto(build("ACK", to, st, 1), dst)
        after = count_200(sock, a.ack_delay)
        print("200 retransmitted %d times in %.1f s before the ACK, %d after" % (
            before, a.ack_delay, after))
        if before < 1 or after != 0:
            return 1
    else:
        sock.sendto(build("ACK", to, st, 1), dst)
    json.dump(st, open(a.state, "w"))
    return 0


def bye(a):
    st = json.load(open(a.state))
    bind_h, bind_p = hostport(st["bind"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind_h, bind_p))
    sock.settimeout(TIMEOUT_S)
    status, _, _ = transact(sock, tuple(st["dst"]), build("BYE", st["to"], st, 2), "BYE")
    print("BYE %s: %d" % (st["call_id"], status))
    return 0 if status == 200 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    i = sub.add_parser("invite")
    i.add_argument("--bind", required=True)
    i.add_argument("--to", required=True)
    i.add_argument("--media", required=True)
    i.add_argument("--pts", default="0")
    i.add_argument("--state", required=True)
    i.add_argument("--ack-delay", type=float, default=0,
                   help="wait this long before the ACK; expect the 200 again meanwhile, "
                        "and not after it")
    i.add_argument("--retransmit", action="store_true",
                   help="send the INVITE again after its 200; expect the same answer")
    b = sub.add_parser("bye")
    b.add_argument("--state", required=True)
    a = p.parse_args()
    try:
        return invite(a) if a.cmd == "invite" else bye(a)
    except socket.timeout:
        print("no final response within %d s" % TIMEOUT_S)
        return 1


if __name__ == "__main__":
    sys.exit(main())
