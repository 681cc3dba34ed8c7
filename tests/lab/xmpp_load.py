#!/usr/bin/python3
"""A load client for the Edgekit fault tests (slixmpp; run with /usr/bin/python3).

Logs in as one user, sends --count chat messages to --to at --rate per second (each with a
unique id and body "<tag>-<n>" plus --pad bytes of filler), and records every message it
receives and every error reply it gets. It stays until nothing new arrived for --quiet seconds
after the last send (or --timeout seconds in all), then prints a JSON summary, e.g.

    xmpp_load.py --jid alice@a.example --password pw --address 198.51.100.31 --no-tls \\
        --to bob@b.example --count 200 --rate 20 --tag a2b --ready-file r --wait-file go

Like xmpp_client.py: JSON lines on stdout, each with "ts" (epoch ms) and "t" (ms since start):
"connecting", "session_started", "ready" (after --ready-file), "sending" (the first send),
"sent_all", "disconnected", "failed", and last "summary":

    {"event": "summary", "tag": ..., "sent": [ids], "received": [{"id", "from", "body"}],
     "errors": [{"id", "from", "condition"}], "disconnected": n, "exit_code": n}

The fault tests compare one client's "sent" with the other's "received" and its own "errors"
(every message received or answered with an error, never both, never neither). Messages are
sent only while a session is up; with --reconnect a lost session is reopened and sending goes
on (ids not sent while it was down are sent after it is back). slixmpp's DNS lookup is pinned
to --address.

Exit codes: 0 done, 2 usage error, 3 could not connect or authenticate (the first session).
"""

import argparse
import asyncio
import logging
import os
import sys
import time

try:
    import slixmpp
except ImportError:
    print("xmpp_load: error: slixmpp is missing: run with /usr/bin/python3 "
          "(python3-slixmpp, scripts/setup)", file=sys.stderr)
    sys.exit(2)

# The JSON-lines event format and the stanza-error namespace are xmpp_client.py's (same folder).
from xmpp_client import START, STANZAS_NS, emit  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description="XMPP load client for the Edgekit lab.")
    p.add_argument("--jid", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--address", required=True, help="server IP (DNS is never used)")
    p.add_argument("--port", type=int, default=5222)
    p.add_argument("--ca-file", help="CA for the server certificate (STARTTLS required)")
    p.add_argument("--no-tls", action="store_true")
    p.add_argument("--to", required=True, help="the JID messages go to")
    p.add_argument("--count", type=int, default=100, help="messages to send (0: only receive)")
    p.add_argument("--rate", type=float, default=20.0, help="messages per second")
    p.add_argument("--tag", default="load", help="prefix of ids and bodies")
    p.add_argument("--pad", type=int, default=0, help="bytes of filler added to each body")
    p.add_argument("--quiet", type=float, default=5.0,
                   help="stop after the last send once nothing arrived for this long")
    p.add_argument("--timeout", type=float, default=90.0, help="seconds in all")
    p.add_argument("--min-run", type=float, default=0.0,
                   help="stay at least this long (a receiver that must outlive the senders)")
    p.add_argument("--ready-file", help="created once the session is up")
    p.add_argument("--wait-file", help="start sending once this file exists")
    p.add_argument("--reconnect", action="store_true", help="reopen a lost session")
    p.add_argument("--debug", action="store_true")
    return p.parse_args(argv)


class LoadClient(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.pinned = (args.address, args.port)
        if args.ca_file:
            self.ca_certs = args.ca_file
        self["feature_mechanisms"].unencrypted_plain = bool(args.no_tls)
        self.sent, self.received, self.errors = [], [], []
        self.last_change = time.monotonic()
        self.online = asyncio.Event()
        self.ever_online = False
        self.disconnects = 0
        self.add_event_handler("session_start", self.on_session_start)
        # slixmpp fires "message" only for a message with a body (an error with the original
        # body fires both), "message_error" for every error.
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("message_error", self.on_error)
        self.add_event_handler("failed_auth", lambda _s: emit("failed", reason="auth"))
        self.add_event_handler("disconnected", self.on_disconnected)

    async def get_dns_records(self, domain, port=None):
        return [(domain, self.pinned[0], self.pinned[1])]

    def start(self):
        if self.args.no_tls:
            self.connect(address=self.pinned, force_starttls=False, disable_starttls=True)
        else:
            self.connect(address=self.pinned, force_starttls=True)

    async def on_session_start(self, _event):
        self.send_presence()
        emit("session_started", jid=str(self.boundjid))
        if self.args.ready_file and not self.ever_online:
            with open(self.args.ready_file, "w", encoding="utf-8") as f:
                f.write("%d\n" % os.getpid())
            emit("ready", file=self.args.ready_file)
        self.ever_online = True
        self.online.set()

    def on_disconnected(self, _event):
        if self.online.is_set():
            self.disconnects += 1
            emit("disconnected")
        self.online.clear()
        if self.args.reconnect and self.ever_online:
            asyncio.get_event_loop().call_later(0.5, self.start)

    def on_message(self, msg):
        if msg["type"] == "error":
            return  # on_error has it
        self.last_change = time.monotonic()
        self.received.append({"id": msg["id"], "from": msg["from"].bare,
                              "body": msg["body"][:64]})

    def on_error(self, msg):
        self.last_change = time.monotonic()
        cond = msg["error"]["condition"]
        if not cond:  # RFC 6120 conditions slixmpp does not know
            for child in msg["error"].xml:
                if child.tag.startswith("{%s}" % STANZAS_NS) and not child.tag.endswith("}text"):
                    cond = child.tag.split("}", 1)[1]
                    break
        self.errors.append({"id": msg["id"], "from": str(msg["from"]), "condition": cond})

    async def run(self):
        a = self.args
        await self.online.wait()
        while a.wait_file and not os.path.exists(a.wait_file):
            await asyncio.sleep(0.02)
        emit("sending", count=a.count, rate=a.rate)
        interval = 1.0 / a.rate if a.rate > 0 else 0.0
        t_next = time.monotonic()
        for n in range(a.count):
            await self.online.wait()
            ident = "%s-%d" % (a.tag, n)
            body = ident + (" " + "x" * a.pad if a.pad else "")
            msg = self.make_message(mto=a.to, mbody=body, mtype="chat")
            msg["id"] = ident
            msg.send()
            self.sent.append(ident)
            self.last_change = time.monotonic()
            t_next += interval
            await asyncio.sleep(max(0.0, t_next - time.monotonic()))
        emit("sent_all", sent=len(self.sent))
        while time.monotonic() - self.last_change < a.quiet or time.time() - START < a.min_run:
            await asyncio.sleep(0.2)


def main(argv):
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.CRITICAL,
                        stream=sys.stderr)
    client = LoadClient(args)
    loop = asyncio.get_event_loop()
    client.start()
    emit("connecting", address=args.address, port=args.port, jid=args.jid)
    code = 0

    async def bounded():
        try:
            await asyncio.wait_for(client.online.wait(), min(30.0, args.timeout))
        except asyncio.TimeoutError:
            emit("failed", reason="no session")
            return 3
        try:
            await asyncio.wait_for(client.run(), args.timeout - (time.time() - START))
        except asyncio.TimeoutError:
            emit("timeout", seconds=args.timeout)
        return 0

    code = loop.run_until_complete(bounded())
    client.args.reconnect = False
    emit("summary", tag=args.tag, sent=client.sent, received=client.received,
         errors=client.errors, disconnected=client.disconnects, exit_code=code)
    client.disconnect(wait=1.0)
    try:
        loop.run_until_complete(asyncio.wait_for(client.disconnected, 3))
    except Exception:  # noqa: BLE001 - leaving anyway
        pass
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
