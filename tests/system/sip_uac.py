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
      --header "Name: value" adds a header (repeatable); --expect CODE
      exits 0 when that final status comes (the response's headers are
      printed and, with --state, saved).
  sip_uac.py reinvite --state FILE --pts 8 [--dir sendonly]
      re-INVITE in that dialog with a new offer; ACK on 200; the answer
      goes to FILE. Exit 0 on 200.
  sip_uac.py bye --state FILE
      BYE in that dialog; exit 0 on 200.
  sip_uac.py wait-bye --state FILE --timeout S
      wait up to S seconds for a BYE in that dialog from the server and
      answer it 200; exit 0 if it came.
  sip_uac.py uas --bind IP:PORT --media IP:PORT [--early S] [--reject CODE]
                 --timeout S
      a UAS: answer one INVITE 183 with SDP (early media) then, S seconds
      later, 200 with the same SDP, wait for the ACK and for a BYE (answer
      200); or refuse it with CODE. Prints what it did; exit 0 when the
      call ended with BYE (or was refused as asked).
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


def offer_sdp(mip, mport, pts, direction=None):
    names = {0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 101: "telephone-event/8000"}
    return ("v=0\r\no=tester 1 %d IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP %s\r\n%s%s") % (
        random.getrandbits(16), mip, mip, mport, " ".join(map(str, pts)),
        "".join("a=rtpmap:%d %s\r\n" % (p, names[p]) for p in pts),
        "a=%s\r\n" % direction if direction else "")


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
    sdp = offer_sdp(mip, mport, pts)
    st = {"bind": a.bind, "to": to, "from_tag": "%08x" % random.getrandbits(32),
          "call_id": "%016x@%s" % (random.getrandbits(64), bind_h), "dst": list(dst),
          "media": a.media, "cseq": 1}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind_h, bind_p))
    sock.settimeout(a.timeout)
    extra = "Content-Type: application/sdp\r\n" + "".join(h + "\r\n" for h in a.header)
    inv = build("INVITE", to, st, 1, sdp, extra)
    status, hdrs, body = transact(sock, dst, inv, "INVITE")
    print("INVITE %s: %d" % (to, status))
    for k in ("session-expires", "require", "min-se", "supported"):
        if k in hdrs:
            print("%s: %s" % (k, hdrs[k]))
    st["response"] = {"status": status, "headers": hdrs}
    if status >= 300:
        # RFC 3261 17.1.1.3: ACK for a non-2xx final response, same branch
        # is what a real UAC does; the test's UAS ignores it either way
        if a.state:
            json.dump(st, open(a.state, "w"))
        return 0 if a.expect == status else 1
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
    if a.state:
        json.dump(st, open(a.state, "w"))
    return 0 if a.expect in (0, status) else 1


def reinvite(a):
    st = json.load(open(a.state))
    bind_h, bind_p = hostport(st["bind"])
    mip, mport = hostport(st["media"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind_h, bind_p))
    sock.settimeout(TIMEOUT_S)
    st["cseq"] = st.get("cseq", 1) + 1
    body = offer_sdp(mip, mport, [int(x) for x in a.pts.split(",")], a.dir)
    msg = build("INVITE", st["to"], st, st["cseq"], body, "Content-Type: application/sdp\r\n")
    status, hdrs, rbody = transact(sock, tuple(st["dst"]), msg, "INVITE")
    print("re-INVITE %s: %d" % (st["call_id"], status))
    if status != 200:
        json.dump(st, open(a.state, "w"))
        return 1
    sock.sendto(build("ACK", st["to"], st, st["cseq"]), tuple(st["dst"]))
    ip, port, pt = sdp_answer(rbody)
    direction = next((l[2:] for l in rbody.splitlines()
                      if l in ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive")), "")
    st["answer"] = {"ip": ip, "port": port, "pts": pt, "dir": direction}
    print("answer: %s:%s pt %s %s" % (ip, port, pt, direction))
    json.dump(st, open(a.state, "w"))
    return 0


def wait_bye(a):
    st = json.load(open(a.state))
    bind_h, bind_p = hostport(st["bind"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind_h, bind_p))
    end = time.monotonic() + a.timeout
    while time.monotonic() < end:
        sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            data, src = sock.recvfrom(65536)
        except socket.timeout:
            break
        req = parse_request(data)
        if req and req[0] == "BYE" and req[2].get("call-id") == st["call_id"]:
            sock.sendto(response(data, 200, "OK"), src)
            print("BYE received after %.1f s" % (a.timeout - (end - time.monotonic())))
            return 0
    print("no BYE within %.0f s" % a.timeout)
    return 1


def parse_request(data):
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    lines = head.split("\r\n")
    f = lines[0].split()
    if len(f) < 3 or f[0] == "SIP/2.0":
        return None
    hdrs = {}
    raw = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs.setdefault(k.strip().lower(), v.strip())
        raw.append((k.strip(), v.strip()))
    return f[0], f[1], hdrs, body, raw


def response(data, code, reason, to_tag=None, body="", extra=""):
    """A response copying Via, From, To (with our tag), Call-ID, CSeq."""
    _, _, hdrs, _, raw = parse_request(data)
    out = ["SIP/2.0 %d %s" % (code, reason)]
    for k, v in raw:
        kl = k.lower()
        if kl in ("via", "v", "from", "f", "call-id", "i", "cseq"):
            out.append("%s: %s" % (k, v))
        elif kl in ("to", "t"):
            if to_tag and "tag=" not in v:
                v += ";tag=" + to_tag
            out.append("%s: %s" % (k, v))
    out.append(extra + "Content-Length: %d" % len(body.encode()))
    return ("\r\n".join(out) + "\r\n\r\n" + body).encode()


def uas(a):
    bind_h, bind_p = hostport(a.bind)
    mip, mport = hostport(a.media)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind_h, bind_p))
    tag = "%08x" % random.getrandbits(32)
    end = time.monotonic() + a.timeout
    invite = src = answer = None
    answered_at = None
    contact = "Contact: <sip:uas@%s>\r\n" % a.bind
    while time.monotonic() < end:
        sock.settimeout(0.05)
        try:
            data, frm = sock.recvfrom(65536)
        except socket.timeout:
            data = None
        if data:
            req = parse_request(data)
            if not req:
                continue
            met = req[0]
            if met == "INVITE" and invite is None:
                invite, src = data, frm
                pts = [int(p) for p in next(l for l in req[3].splitlines()
                                            if l.startswith("m=audio")).split()[3:]]
                if a.reject:
                    sock.sendto(response(data, a.reject, "Busy Here", tag), frm)
                    print("INVITE refused %d" % a.reject)
                    # wait for its ACK, then done
                    end = min(end, time.monotonic() + 1)
                    continue
                answer = offer_sdp(mip, mport, [p for p in pts if p in (0, 8)][:1])
                sock.sendto(response(data, 180, "Ringing", tag), frm)
                sock.sendto(response(data, 183, "Session Progress", tag, answer,
                                     contact + "Content-Type: application/sdp\r\n"), frm)
                print("183 with SDP sent (early media)")
                answered_at = time.monotonic() + a.early
            elif met == "ACK":
                if a.reject:
                    print("ACK for %d" % a.reject)
                    return 0
                print("ACK")
            elif met == "BYE":
                sock.sendto(response(data, 200, "OK"), frm)
                print("BYE answered")
                return 0
            elif met == "CANCEL":
                sock.sendto(response(data, 200, "OK"), frm)
                if invite:
                    sock.sendto(response(invite, 487, "Request Terminated", tag), src)
                print("CANCEL answered, INVITE 487")
                answered_at = None
        if answered_at and time.monotonic() >= answered_at:
            sock.sendto(response(invite, 200, "OK", tag, answer,
                                 contact + "Content-Type: application/sdp\r\n"), src)
            print("200 sent")
            answered_at = None
    return 0 if a.reject else 1


def bye(a):
    st = json.load(open(a.state))
    bind_h, bind_p = hostport(st["bind"])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((bind_h, bind_p))
    sock.settimeout(TIMEOUT_S)
    st["cseq"] = st.get("cseq", 1) + 1
    status, _, _ = transact(sock, tuple(st["dst"]), build("BYE", st["to"], st, st["cseq"]), "BYE")
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
    i.add_argument("--state")
    i.add_argument("--ack-delay", type=float, default=0,
                   help="wait this long before the ACK; expect the 200 again meanwhile, "
                        "and not after it")
    i.add_argument("--retransmit", action="store_true",
                   help="send the INVITE again after its 200; expect the same answer")
    i.add_argument("--header", action="append", default=[])
    i.add_argument("--expect", type=int, default=0)
    i.add_argument("--timeout", type=float, default=TIMEOUT_S)
    i.set_defaults(fn=invite)
    r = sub.add_parser("reinvite")
    r.add_argument("--state", required=True)
    r.add_argument("--pts", default="0")
    r.add_argument("--dir", default=None)
    r.set_defaults(fn=reinvite)
    b = sub.add_parser("bye")
    b.add_argument("--state", required=True)
    b.set_defaults(fn=bye)
    w = sub.add_parser("wait-bye")
    w.add_argument("--state", required=True)
    w.add_argument("--timeout", type=float, required=True)
    w.set_defaults(fn=wait_bye)
    u = sub.add_parser("uas")
    u.add_argument("--bind", required=True)
    u.add_argument("--media", required=True)
    u.add_argument("--early", type=float, default=1)
    u.add_argument("--reject", type=int, default=0)
    u.add_argument("--timeout", type=float, required=True)
    u.set_defaults(fn=uas)
    a = p.parse_args()
    try:
        return a.fn(a)
    except socket.timeout:
        print("no final response within %d s" % TIMEOUT_S)
        return 1


if __name__ == "__main__":
    sys.exit(main())
