#!/usr/bin/python3
"""A scripted XMPP client for the Edgekit lab (slixmpp; run with /usr/bin/python3).

Logs in as one user and runs steps in the order given, e.g.

    xmpp_client.py --jid alice@a.example --password pw --address 198.51.100.11 \\
        --ca-file ca.crt --ready-file /tmp/x.ready \\
        --expect bob@b.example ping --send bob@b.example pong

Every event is printed to stdout as one JSON object per line ("event": connected,
session_started, sent, message, message_error, presence, expect_met, timeout, failed, done), each
with "ts" (wall clock, ms since the epoch) and "t" (ms since the client started), so a shell test
can assert on what the client received and compute delivery times.

Exit codes: 0 every step done, 1 an expectation was not met in time, 2 usage error,
3 could not connect or authenticate.

slixmpp resolves the JID's domain itself even when given an address; get_dns_records is
overridden so the client only ever connects to --address.
"""

import argparse
import asyncio
import json
import logging
import os
import sys
import time

try:
    import slixmpp
except ImportError:  # The python3 first on PATH may be another interpreter without slixmpp.
    print("xmpp_client: error: slixmpp is missing: run with /usr/bin/python3 "
          "(python3-slixmpp, scripts/setup)", file=sys.stderr)
    sys.exit(2)

EXIT_OK, EXIT_UNMET, EXIT_USAGE, EXIT_CONNECT = 0, 1, 2, 3
START = time.time()
STANZAS_NS = "urn:ietf:params:xml:ns:xmpp-stanzas"


def emit(event, **fields):
    now = time.time()
    record = {"event": event, "ts": int(now * 1000), "t": int((now - START) * 1000)}
    record.update(fields)
    print(json.dumps(record, sort_keys=False), flush=True)


class StepAction(argparse.Action):
    """Keeps every step option, in command-line order, in namespace.steps."""

    def __call__(self, parser, namespace, values, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        if not isinstance(values, list):
            values = [values]
        steps.append((self.dest, values))
        namespace.steps = steps


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Scripted XMPP client for the Edgekit lab (JSON lines on stdout).")
    p.add_argument("--jid", required=True, help="user@domain[/resource]")
    p.add_argument("--password", required=True)
    p.add_argument("--address", required=True, help="server IP (DNS is never used)")
    p.add_argument("--port", type=int, default=5222)
    p.add_argument("--ca-file", help="CA for the server certificate (STARTTLS is then required)")
    p.add_argument("--no-tls", action="store_true", help="never STARTTLS (plaintext server)")
    p.add_argument("--timeout", type=float, default=20.0,
                   help="seconds for the login and for each expectation (default 20)")
    p.add_argument("--auto-approve", action="store_true",
                   help="answer every subscription request with 'subscribed'")
    p.add_argument("--debug", action="store_true", help="slixmpp debug log on stderr")
    steps = p.add_argument_group("steps (run in the order given)")
    steps.add_argument("--send", nargs=2, metavar=("JID", "BODY"), action=StepAction,
                       dest="send", help="send a chat message")
    steps.add_argument("--expect", nargs=2, metavar=("JID", "BODY"), action=StepAction,
                       dest="expect", help="wait for a message with BODY from bare JID")
    steps.add_argument("--expect-error", nargs=2, metavar=("JID", "CONDITION"),
                       action=StepAction, dest="expect_error",
                       help="wait for an error stanza from JID (CONDITION or '*')")
    steps.add_argument("--subscribe", metavar="JID", action=StepAction, dest="subscribe",
                       help="ask for JID's presence (presence type=subscribe)")
    steps.add_argument("--approve", metavar="JID", action=StepAction, dest="approve",
                       help="send presence type=subscribed to JID")
    steps.add_argument("--expect-subscribe", metavar="JID", action=StepAction,
                       dest="expect_subscribe", help="wait for a subscription request from JID")
    steps.add_argument("--expect-subscribed", metavar="JID", action=StepAction,
                       dest="expect_subscribed", help="wait for JID to approve our request")
    steps.add_argument("--expect-presence", metavar="JID", action=StepAction,
                       dest="expect_presence", help="wait for available presence from JID")
    steps.add_argument("--sleep", metavar="SECONDS", type=float, action=StepAction, dest="sleep")
    steps.add_argument("--ready-file", metavar="FILE", action=StepAction, dest="ready_file",
                       help="create FILE (tells a shell the client is online)")
    steps.add_argument("--wait-file", metavar="FILE", action=StepAction, dest="wait_file",
                       help="wait until FILE exists")
    args = p.parse_args(argv)
    if not getattr(args, "steps", None):
        args.steps = []
    return args


class LabClient(slixmpp.ClientXMPP):
    def __init__(self, args):
        super().__init__(args.jid, args.password)
        self.args = args
        self.pinned = (args.address, args.port)
        self.received = []  # (kind, bare_from, payload) of everything that arrived
        self.changed = asyncio.Event()
        self.result = EXIT_CONNECT
        self.auth_failed = False
        if args.ca_file:
            self.ca_certs = args.ca_file
        self.roster.auto_authorize = True if args.auto_approve else None
        self.roster.auto_subscribe = False
        # SCRAM is fine over plaintext; PLAIN only where a legacy lab server has no TLS.
        self["feature_mechanisms"].unencrypted_plain = bool(args.no_tls)
        self.add_event_handler("session_start", self.on_session_start)
        self.add_event_handler("failed_auth", self.on_failed_auth)
        self.add_event_handler("connection_failed", self.on_connection_failed)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("message_error", self.on_message_error)
        self.add_event_handler("presence_error", self.on_presence_error)
        for kind in ("subscribe", "subscribed", "unsubscribe", "unsubscribed",
                     "available", "unavailable"):
            self.add_event_handler("presence_" + kind, self.make_presence_handler(kind))

    async def get_dns_records(self, domain, port=None):
        return [(domain, self.pinned[0], self.pinned[1])]

    def note(self, kind, bare, payload):
        self.received.append((kind, bare, payload))
        self.changed.set()

    def on_message(self, msg):
        if msg["type"] == "error":
            return
        bare = msg["from"].bare
        emit("message", **{"from": str(msg["from"]), "to": str(msg["to"]),
                           "type": msg["type"], "body": msg["body"]})
        self.note("message", bare, msg["body"])

    def on_message_error(self, msg):
        self.error_stanza("message", msg)

    def on_presence_error(self, pres):
        self.error_stanza("presence", pres)

    def error_stanza(self, stanza, st):
        cond = st["error"]["condition"]
        if not cond:
            # slixmpp knows only RFC 3920's conditions: read RFC 6120's (policy-violation) here.
            for child in st["error"].xml:
                tag = child.tag
                if tag.startswith("{%s}" % STANZAS_NS) and tag != "{%s}text" % STANZAS_NS:
                    cond = tag.split("}", 1)[1]
                    break
        emit(stanza + "_error", **{"from": str(st["from"]), "condition": cond,
                                   "error_type": st["error"]["type"],
                                   "text": st["error"]["text"]})
        self.note("error", st["from"].bare, cond)

    def make_presence_handler(self, kind):
        def handler(pres):
            if pres["from"].bare == self.boundjid.bare and kind in ("available", "unavailable"):
                return  # our own presence echoed back
            emit("presence", **{"from": str(pres["from"]), "type": kind})
            self.note("presence_" + kind, pres["from"].bare, None)
        return handler

    def on_failed_auth(self, _stanza):
        self.auth_failed = True
        emit("failed", reason="authentication failed")
        self.result = EXIT_CONNECT
        self.disconnect()

    def on_connection_failed(self, err):
        emit("failed", reason="connection failed: %s" % err)

    async def wait_for(self, what, match):
        deadline = time.monotonic() + self.args.timeout
        seen = 0
        while True:
            for item in self.received[seen:]:
                if match(item):
                    self.received.remove(item)  # each stanza satisfies one expectation
                    emit("expect_met", step=what)
                    return True
            seen = 0
            left = deadline - time.monotonic()
            if left <= 0:
                emit("timeout", step=what, seconds=self.args.timeout)
                return False
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def on_session_start(self, _event):
        emit("session_started", jid=str(self.boundjid))
        try:
            await self.get_roster(timeout=self.args.timeout)
        except Exception as exc:  # noqa: BLE001 - reported, not fatal
            emit("warning", message="roster: %s" % exc)
        self.send_presence()
        self.result = await self.run_steps()
        emit("done", exit_code=self.result)
        self.disconnect(wait=2.0)

    async def run_steps(self):
        for name, values in self.args.steps:
            what = "%s %s" % (name.replace("_", "-"), " ".join(str(v) for v in values))
            if name == "send":
                jid, body = values
                self.send_message(mto=jid, mbody=body, mtype="chat")
                emit("sent", to=jid, body=body)
            elif name == "expect":
                jid, body = values
                ok = await self.wait_for(what, lambda i, j=jid, b=body:
                                         i[0] == "message" and i[1] == j and i[2] == b)
                if not ok:
                    return EXIT_UNMET
            elif name == "expect_error":
                jid, cond = values
                ok = await self.wait_for(what, lambda i, j=jid, c=cond:
                                         i[0] == "error" and i[1] == j and c in ("*", i[2]))
                if not ok:
                    return EXIT_UNMET
            elif name == "subscribe":
                self.send_presence(pto=values[0], ptype="subscribe")
                emit("sent", to=values[0], presence="subscribe")
            elif name == "approve":
                self.send_presence(pto=values[0], ptype="subscribed")
                emit("sent", to=values[0], presence="subscribed")
            elif name in ("expect_subscribe", "expect_subscribed", "expect_presence"):
                kind = {"expect_subscribe": "presence_subscribe",
                        "expect_subscribed": "presence_subscribed",
                        "expect_presence": "presence_available"}[name]
                ok = await self.wait_for(what, lambda i, j=values[0], k=kind:
                                         i[0] == k and i[1] == j)
                if not ok:
                    return EXIT_UNMET
            elif name == "sleep":
                await asyncio.sleep(values[0])
            elif name == "ready_file":
                with open(values[0], "w", encoding="utf-8") as f:
                    f.write("%d\n" % os.getpid())
                emit("ready", file=values[0])
            elif name == "wait_file":
                deadline = time.monotonic() + self.args.timeout
                while not os.path.exists(values[0]):
                    if time.monotonic() > deadline:
                        emit("timeout", step=what, seconds=self.args.timeout)
                        return EXIT_UNMET
                    await asyncio.sleep(0.05)
        return EXIT_OK


def main(argv):
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.CRITICAL,
                        format="%(levelname)s %(message)s", stream=sys.stderr)
    client = LabClient(args)
    loop = asyncio.get_event_loop()
    if args.no_tls:
        client.connect(address=(args.address, args.port), force_starttls=False,
                       disable_starttls=True)
    else:
        client.connect(address=(args.address, args.port), force_starttls=True)
    emit("connecting", address=args.address, port=args.port, jid=args.jid)

    finished = loop.create_future()

    def finish(*_):
        if not finished.done():
            finished.set_result(True)

    client.add_event_handler("disconnected", finish)

    async def login_deadline():
        await asyncio.sleep(args.timeout)
        if not client.sessionstarted:
            emit("failed", reason="no session after %ss" % args.timeout)
            client.result = EXIT_CONNECT
            finish()

    watchdog = loop.create_task(login_deadline())
    loop.run_until_complete(finished)
    watchdog.cancel()
    if client.result == EXIT_CONNECT and not client.auth_failed and not client.sessionstarted:
        emit("failed", reason="disconnected before the session started")
    return client.result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
