#!/usr/bin/python3
"""A scriptable raw S2S peer for the Edgekit lab: the misbehaving partner no real server is.

It opens a server-to-server stream to --address as --domain, optionally authenticates with
Server Dialback (XEP-0220) while acting as its own authoritative server (it listens on
--listen and confirms the keys it issued, so the lab DNS must point the domain's SRV record at
this host), then sends raw XML and reports what comes back:

    s2s_peer.py --domain spoofer.example --to corp.example --address 198.51.100.10 \\
        --listen 198.51.100.35:5269 --dialback \\
        --send "<message from='alice@gtalk.example' to='bob@corp.example'><body>x</body></message>" \\
        --expect-stream-error invalid-from

Steps run in order: --dialback, --dialback-forged (a key the authority disowns), --send XML, --send-file FILE, --expect TEXT (raw substring of
what the server sent), --expect-stream-error CONDITION|'*', --expect-close, --sleep S.
Events are JSON lines (connected, header, features, authenticated, dialback_failed,
verify_request, sent, received, stream_error, closed, expect_met, timeout, done) with "ts" and
"t" like xmpp_client.py. Exit: 0 every step done, 1 an expectation unmet, 2 usage, 3 no connection.
No TLS: it plays a plaintext, dialback-only partner (the only kind that can lie cheaply).
"""

import argparse
import asyncio
import json
import re
import secrets
import sys
import time

START = time.time()
EXIT_OK, EXIT_UNMET, EXIT_USAGE, EXIT_CONNECT = 0, 1, 2, 3
NS_HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
             "xmlns:stream='http://etherx.jabber.org/streams' "
             "xmlns:db='jabber:server:dialback' from='{frm}' to='{to}' version='1.0'{extra}>")


def emit(event, **fields):
    now = time.time()
    record = {"event": event, "ts": int(now * 1000), "t": int((now - START) * 1000)}
    record.update(fields)
    print(json.dumps(record), flush=True)


def attr(tag, name):
    m = re.search(r"\s%s=(['\"])(.*?)\1" % re.escape(name), tag)
    return m.group(2) if m else None


class StepAction(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        steps.append((self.dest, values))
        namespace.steps = steps


def parse_args(argv):
    p = argparse.ArgumentParser(description="Raw S2S peer for the Edgekit lab (JSON lines).")
    p.add_argument("--domain", required=True, help="the domain this peer claims")
    p.add_argument("--to", required=True, help="the receiving domain (stream 'to')")
    p.add_argument("--address", required=True, help="IP to connect to (no DNS)")
    p.add_argument("--port", type=int, default=5269)
    p.add_argument("--listen", help="IP:PORT to answer db:verify on (authoritative server)")
    p.add_argument("--timeout", type=float, default=20.0)
    p.add_argument("--no-version", action="store_true",
                   help="send a pre-XMPP-1.0 stream header (no version attribute)")
    s = p.add_argument_group("steps (in order)")
    s.add_argument("--dialback", nargs=0, action=StepAction, dest="dialback",
                   help="authenticate with dialback (our authority confirms the key)")
    s.add_argument("--dialback-forged", nargs=0, action=StepAction, dest="dialback_forged",
                   help="try dialback with a key our authority disowns (must fail)")
    s.add_argument("--send", metavar="XML", action=StepAction, dest="send")
    s.add_argument("--send-file", metavar="FILE", action=StepAction, dest="send_file")
    s.add_argument("--expect", metavar="TEXT", action=StepAction, dest="expect")
    s.add_argument("--expect-stream-error", metavar="CONDITION", action=StepAction,
                   dest="expect_stream_error")
    s.add_argument("--expect-close", nargs=0, action=StepAction, dest="expect_close")
    s.add_argument("--sleep", metavar="S", type=float, action=StepAction, dest="sleep")
    args = p.parse_args(argv)
    args.steps = getattr(args, "steps", None) or []
    return args


class Authority:
    """Answers db:verify for the keys this peer issued (the authoritative-server role)."""

    def __init__(self, domain):
        self.domain = domain
        self.keys = set()

    async def serve(self, reader, writer):
        buf = ""
        header_sent = False
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                buf += data.decode("utf-8", "replace")
                m = re.search(r"<stream:stream\b[^>]*>", buf)
                if m and not header_sent:
                    frm = attr(m.group(0), "from") or ""
                    writer.write(NS_HEADER.format(frm=self.domain, to=frm,
                                                  extra=" id='%s'" % secrets.token_hex(8))
                                 .encode())
                    writer.write(b"<stream:features><dialback xmlns='urn:xmpp:features:dialback'>"
                                 b"<errors/></dialback></stream:features>")
                    header_sent = True
                    buf = buf[m.end():]
                for v in re.finditer(r"<db:verify\b[^>]*>(.*?)</db:verify>", buf, re.S):
                    tag = v.group(0)
                    key = v.group(1).strip()
                    ok = key in self.keys
                    emit("verify_request", **{"from": attr(tag, "from"), "to": attr(tag, "to"),
                                              "valid": ok})
                    writer.write(("<db:verify from='%s' to='%s' id='%s' type='%s'/>" % (
                        attr(tag, "to"), attr(tag, "from"), attr(tag, "id"),
                        "valid" if ok else "invalid")).encode())
                buf = re.sub(r"<db:verify\b[^>]*>(.*?)</db:verify>", "", buf, flags=re.S)
                # A receiving server may first authenticate its own stream to us (Prosody
                # does, then sends db:verify on it): a test peer accepts it unchecked.
                for r in re.finditer(r"<db:result\b[^>]*>(.*?)</db:result>", buf, re.S):
                    tag = r.group(0)
                    emit("result_accepted", **{"from": attr(tag, "from"), "to": attr(tag, "to")})
                    writer.write(("<db:result from='%s' to='%s' type='valid'/>" % (
                        attr(tag, "to"), attr(tag, "from"))).encode())
                buf = re.sub(r"<db:result\b[^>]*>(.*?)</db:result>", "", buf, flags=re.S)
                await writer.drain()
                if "</stream:stream>" in buf:
                    writer.write(b"</stream:stream>")
                    break
        finally:
            writer.close()


class Peer:
    def __init__(self, args):
        self.args = args
        self.buf = ""        # everything received, for --expect
        self.unparsed = ""   # not yet examined for events
        self.closed = False
        self.stream_error = None
        self.changed = asyncio.Event()

    async def reader_loop(self, reader):
        while True:
            data = await reader.read(65536)
            if not data:
                break
            text = data.decode("utf-8", "replace")
            emit("received", xml=text[:2000])
            self.buf += text
            self.unparsed += text
            self.scan()
            self.changed.set()
        self.closed = True
        emit("closed")
        self.changed.set()

    def scan(self):
        m = re.search(r"<stream:error>(.*?)</stream:error>", self.unparsed, re.S)
        if m:
            cond = re.search(r"<([a-z-]+)\s+xmlns=['\"]urn:ietf:params:xml:ns:xmpp-streams",
                             m.group(1))
            self.stream_error = cond.group(1) if cond else "unknown"
            emit("stream_error", condition=self.stream_error)
            self.unparsed = self.unparsed[m.end():]
        if "</stream:stream>" in self.unparsed:
            self.unparsed = ""

    async def wait(self, what, predicate):
        deadline = time.monotonic() + self.args.timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0 or (self.closed and not predicate()):
                if self.closed and left > 0:
                    emit("timeout", step=what, reason="stream closed")
                else:
                    emit("timeout", step=what, seconds=self.args.timeout)
                return False
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except asyncio.TimeoutError:
                pass
        emit("expect_met", step=what)
        return True

    async def run(self, authority):
        a = self.args
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(a.address, a.port), a.timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            emit("failed", reason="connect %s:%d: %s" % (a.address, a.port, exc))
            return EXIT_CONNECT
        emit("connected", address=a.address, port=a.port)
        task = asyncio.ensure_future(self.reader_loop(reader))
        header = NS_HEADER.format(frm=a.domain, to=a.to, extra="")
        if a.no_version:
            header = header.replace(" version='1.0'", "")
        writer.write(header.encode())
        await writer.drain()
        if not await self.wait("header", lambda: re.search(r"<stream:stream\b", self.buf)):
            return EXIT_UNMET
        emit("header", xml=re.search(r"<stream:stream\b[^>]*>", self.buf).group(0)
             if re.search(r"<stream:stream\b[^>]*>", self.buf) else "")
        rc = EXIT_OK
        for name, value in a.steps:
            what = "%s %s" % (name.replace("_", "-"), value if value else "")
            if name in ("dialback", "dialback_forged"):
                if not a.no_version and not await self.wait(
                        "features", lambda: "</stream:features>" in self.buf or
                        "<stream:features/>" in self.buf):
                    rc = EXIT_UNMET
                    break
                key = secrets.token_hex(32)
                if name == "dialback":
                    authority.keys.add(key)
                writer.write(("<db:result from='%s' to='%s'>%s</db:result>" % (
                    a.domain, a.to, key)).encode())
                await writer.drain()
                emit("sent", what="db:result")
                pattern = re.compile(r"<db:result\b[^>]*type=['\"](valid|invalid|error)['\"]")
                if not await self.wait(what, lambda: pattern.search(self.buf)):
                    rc = EXIT_UNMET
                    break
                verdict = pattern.search(self.buf).group(1)
                if verdict != "valid":
                    emit("dialback_failed", result=verdict)
                    rc = EXIT_UNMET
                    break
                emit("authenticated", method="dialback", domain=a.domain)
            elif name in ("send", "send_file"):
                data = value if name == "send" else open(value, encoding="utf-8").read()
                try:
                    writer.write(data.encode())
                    await writer.drain()
                except OSError as exc:
                    emit("failed", reason="send: %s" % exc)
                emit("sent", bytes=len(data.encode()))
            elif name == "expect":
                if not await self.wait(what, lambda v=value: v in self.buf):
                    rc = EXIT_UNMET
                    break
            elif name == "expect_stream_error":
                if not await self.wait(what, lambda v=value: self.stream_error is not None and
                                       v in ("*", self.stream_error)):
                    rc = EXIT_UNMET
                    break
            elif name == "expect_close":
                if not await self.wait(what, lambda: self.closed):
                    rc = EXIT_UNMET
                    break
            elif name == "sleep":
                await asyncio.sleep(value)
        emit("done", exit_code=rc)
        try:
            writer.write(b"</stream:stream>")
            await writer.drain()
        except OSError:
            pass
        writer.close()
        task.cancel()
        return rc


async def amain(args):
    authority = Authority(args.domain)
    server = None
    if args.listen:
        host, _, port = args.listen.rpartition(":")
        server = await asyncio.start_server(authority.serve, host, int(port))
        emit("listening", address=args.listen)
    try:
        return await Peer(args).run(authority)
    finally:
        if server:
            server.close()


def main(argv):
    args = parse_args(argv)
    if any(n.startswith("dialback") for n, _ in args.steps) and not args.listen:
        print("s2s_peer: error: --dialback needs --listen (this peer is its own authority)",
              file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
