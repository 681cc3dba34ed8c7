#!/usr/bin/python3
"""Holds many idle TCP connections to an S2S port from one address, as a flood would.

    idle_streams.py --target 198.51.100.10:5269 --count 1000 --hold 30 --ready-file F

Opens --count connections (--header: each sends a stream header for --domain first, then
stays silent), writes --ready-file once all are open, keeps every one open for --hold seconds
reading what the other side sends, then prints one JSON line: how many were opened, closed by
the other side, and answered with each RFC 6120 stream error condition.
"""
import argparse
import json
import re
import resource
import selectors
import socket
import sys
import time

HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
          "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
          "from='{domain}' to='{to}' version='1.0'>")
CONDITION = re.compile(rb"<stream:error><([a-z-]+) xmlns='urn:ietf:params:xml:ns:xmpp-streams'")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--hold", type=float, default=10)
    parser.add_argument("--ready-file")
    parser.add_argument("--header", action="store_true")
    parser.add_argument("--domain", default="attacker.example")
    parser.add_argument("--to", default="corp.example")
    args = parser.parse_args()
    host, port = args.target.rsplit(":", 1)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.count + 64)), hard))

    sel = selectors.DefaultSelector()
    received = {}
    closed = 0
    failed_connects = 0
    for i in range(args.count):
        try:
            s = socket.create_connection((host, int(port)), timeout=5)
        except OSError:
            failed_connects += 1
            continue
        if args.header:
            s.sendall(HEADER.format(domain=args.domain, to=args.to).encode())
        s.setblocking(False)
        received[s] = b""
        sel.register(s, selectors.EVENT_READ)
    if args.ready_file:
        with open(args.ready_file, "w", encoding="utf-8") as f:
            f.write("ready\n")
    until = time.monotonic() + args.hold
    while time.monotonic() < until and sel.get_map():
        for key, _ in sel.select(timeout=max(0.0, until - time.monotonic())):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data:
                received[s] += data
            else:
                sel.unregister(s)
                closed += 1
    conditions = {}
    for data in received.values():
        m = CONDITION.search(data)
        if m:
            name = m.group(1).decode()
            conditions[name] = conditions.get(name, 0) + 1
    texts = sorted({t.decode() for d in received.values()
                    for t in re.findall(rb"<text [^>]*>([^<]*)</text>", d)})
    print(json.dumps({"event": "done", "opened": len(received), "connect_failed": failed_connects,
                      "closed_by_peer": closed, "still_open": len(received) - closed,
                      "conditions": conditions, "texts": texts,
                      "with_header": sum(1 for d in received.values()
                                         if b"<stream:stream" in d)}))
    sys.stdout.flush()
    for s in list(received):
        s.close()


if __name__ == "__main__":
    main()
