#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A small ng protocol client (rtpengine's control protocol) for the system
tests: bencode by hand, one UDP request, the reply decoded and printed as
JSON. Usage:

  ng_client.py [--addr IP:PORT] [--cookie C] [--raw BYTES] COMMAND [key=value ...]

key=value pairs become dictionary entries; a value "@FILE" is read from
FILE; "k=[a,b]" is a list of strings; "k=#N" an integer. With --raw the
datagram is sent as given (hostile input tests). Exit 0 when a reply came,
1 on timeout.
"""
import json
import socket
import sys


def benc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(benc(x) for x in v) + b"e"
    if isinstance(v, dict):
        out = b"d"
        for k in sorted(v):
            out += benc(k) + benc(v[k])
        return out + b"e"
    raise TypeError(type(v))


def bdec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        e = b.index(b"e", i)
        return int(b[i + 1:e]), e + 1
    if c in (b"l", b"d"):
        i += 1
        items = []
        while b[i:i + 1] != b"e":
            v, i = bdec(b, i)
            items.append(v)
        if c == b"l":
            return items, i + 1
        return dict(zip(items[0::2], items[1::2])), i + 1
    colon = b.index(b":", i)
    n = int(b[i:colon])
    s = b[colon + 1:colon + 1 + n]
    try:
        s = s.decode()
    except UnicodeDecodeError:
        pass
    return s, colon + 1 + n


def request(addr, cookie, msg, timeout=2.0, raw=None):
    host, port = addr.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    data = raw if raw is not None else cookie.encode() + b" " + benc(msg)
    s.sendto(data, (host, int(port)))
    try:
        rep = s.recv(65535)
    except socket.timeout:
        return None, None
    finally:
        s.close()
    ck, _, body = rep.partition(b" ")
    return ck.decode(errors="replace"), bdec(body)[0]


def main(argv):
    addr, cookie, raw = "127.0.0.1:2223", "c%d" % (hash(tuple(argv)) & 0xffffff), None
    args = list(argv)
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--addr":
            addr = args.pop(0)
        elif opt == "--cookie":
            cookie = args.pop(0)
        elif opt == "--raw":
            raw = args.pop(0).encode().decode("unicode_escape").encode("latin-1")
    msg = {}
    if args:
        msg["command"] = args.pop(0)
    for kv in args:
        k, _, v = kv.partition("=")
        if v.startswith("@"):
            with open(v[1:]) as f:
                v = f.read()
        elif v.startswith("[") and v.endswith("]"):
            v = [x for x in v[1:-1].split(",") if x]
        elif v.startswith("#"):
            v = int(v[1:])
        msg[k] = v
    ck, rep = request(addr, cookie, msg, raw=raw)
    if rep is None:
        print("timeout", file=sys.stderr)
        return 1
    print(json.dumps({"cookie": ck, "reply": rep}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
