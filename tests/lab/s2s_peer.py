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

Steps run in order: --starttls (connecting mode: STARTTLS without checking the server's
certificate, presenting --tls-cert/--tls-key if given, e.g. a self-signed one; then the new
stream), --dialback, --dialback-forged (a key the authority disowns),
--dialback-claim (send a db:result with a made-up key and do not wait for the verdict),
--expect-dialback-result TYPE|'*', --write-stream-id FILE (the id of the stream the other side
opened, written atomically), --wait-file FILE, --restart (wait for the other side's next stream
header and answer it: a stream restart after TLS/SASL), --send XML, --send-file FILE,
--expect TEXT (raw substring of what the other side sent), --expect-stream-error
CONDITION|'*', --expect-close, --sleep S. An unmet expectation stops the steps unless
--keep-going is given (the exit code is 1 either way).

Receiving-server mode: --receive IP:PORT listens instead of connecting and plays a partner's
server the edge connects to (the lab DNS SRV of --domain points here): it takes the first
connection, waits for the edge's stream header, answers with its own (from=--domain, a fresh
id, version 1.0 unless --no-version, no features: send them with --send; the "sent" event of
the header carries that id) and runs the steps on that stream. --to and --address are not needed then. --record FILE appends every byte received
on the stream, raw, to FILE (either mode).

Authority options (with --listen): --hold-verify (answer db:verify requests only after the
forgery below was sent), --forge-verify DOMAIN:IDFILE (once IDFILE exists, send
<db:verify from=DOMAIN to=<requester> id=<IDFILE's content> type='valid'/> on every connection
the requester opened to this authority: an answer about a domain this authority does not
own, for a stream it does not know; XEP-0220 receivers must ignore it; IDFILE may be a named
pipe, read without polling, so the forgery follows the id within microseconds),
--forge-delay S (wait S after the id is known, default 0). --write-stream-id writes into a
named pipe as well.

Events are JSON lines (listening, connected, accepted, header, features, authenticated,
dialback_failed, dialback_result with the type, stream_id, verify_request with valid,
verify_answered, forged_verify, authority_closed with closed_by = stream-close|eof,
stream_error and ms_since_answer, sent, received, stream_error, closed, expect_met, timeout,
done, tls) with "ts" and "t" like xmpp_client.py. Exit: 0 every step done, 1 an expectation
unmet, 2 usage, 3 no connection. TLS only as the client side of --starttls; the receiving
server and the authority are plaintext.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import ssl
import stat
import sys
import time

START = time.time()
EXIT_OK, EXIT_UNMET, EXIT_USAGE, EXIT_CONNECT = 0, 1, 2, 3
NS_HEADER = ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
             "xmlns:stream='http://etherx.jabber.org/streams' "
             "xmlns:db='jabber:server:dialback' from='{frm}' to='{to}' version='1.0'{extra}>")
RESULT_RE = re.compile(r"<db:result\b[^>]*\btype=['\"](valid|invalid|error)['\"][^>]*>")
HEADER_RE = re.compile(r"<stream:stream\b[^>]*>")


def emit(event, **fields):
    now = time.time()
    record = {"event": event, "ts": int(now * 1000), "t": int((now - START) * 1000)}
    record.update(fields)
    print(json.dumps(record), flush=True)


def attr(tag, name):
    m = re.search(r"\s%s=(['\"])(.*?)\1" % re.escape(name), tag)
    return m.group(2) if m else None


def write_atomic(path, text):
    if os.path.exists(path) and stat.S_ISFIFO(os.stat(path).st_mode):
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)   # ENXIO when nobody reads it
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
        return
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


async def wait_file(path, timeout):
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.002)
    return True


class StepAction(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        steps.append((self.dest, values))
        namespace.steps = steps


def parse_args(argv):
    p = argparse.ArgumentParser(description="Raw S2S peer for the Edgekit lab (JSON lines).")
    p.add_argument("--domain", required=True, help="the domain this peer claims")
    p.add_argument("--to", help="the receiving domain (stream 'to'; connecting mode)")
    p.add_argument("--address", help="IP to connect to (no DNS; connecting mode)")
    p.add_argument("--port", type=int, default=5269)
    p.add_argument("--receive", metavar="IP:PORT",
                   help="receiving-server mode: accept one stream on IP:PORT instead of connecting")
    p.add_argument("--record", metavar="FILE", help="append every byte received to FILE")
    p.add_argument("--listen", help="IP:PORT to answer db:verify on (authoritative server)")
    p.add_argument("--hold-verify", action="store_true",
                   help="the authority answers db:verify only after --forge-verify was sent")
    p.add_argument("--forge-verify", metavar="DOMAIN:IDFILE",
                   help="the authority sends a forged valid db:verify for DOMAIN and the id in "
                        "IDFILE once that file exists")
    p.add_argument("--forge-delay", type=float, default=0.0, metavar="S")
    p.add_argument("--tls-cert", metavar="PEM", help="client certificate for --starttls")
    p.add_argument("--tls-key", metavar="PEM", help="its key")
    p.add_argument("--timeout", type=float, default=20.0)
    p.add_argument("--keep-going", action="store_true",
                   help="go on with the next step after an unmet expectation")
    p.add_argument("--no-version", action="store_true",
                   help="send a pre-XMPP-1.0 stream header (no version attribute)")
    s = p.add_argument_group("steps (in order)")
    s.add_argument("--dialback", nargs=0, action=StepAction, dest="dialback",
                   help="authenticate with dialback (our authority confirms the key)")
    s.add_argument("--dialback-forged", nargs=0, action=StepAction, dest="dialback_forged",
                   help="try dialback with a key our authority disowns (must fail)")
    s.add_argument("--starttls", nargs=0, action=StepAction, dest="starttls",
                   help="STARTTLS (server certificate not checked), then the new stream")
    s.add_argument("--dialback-claim", nargs=0, action=StepAction, dest="dialback_claim",
                   help="send db:result with a made-up key, do not wait for the verdict")
    s.add_argument("--expect-dialback-result", metavar="TYPE", action=StepAction,
                   dest="expect_dialback_result")
    s.add_argument("--write-stream-id", metavar="FILE", action=StepAction, dest="write_stream_id")
    s.add_argument("--wait-file", metavar="FILE", action=StepAction, dest="wait_file")
    s.add_argument("--restart", nargs=0, action=StepAction, dest="restart")
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

    def __init__(self, args):
        self.domain = args.domain
        self.keys = set()
        self.hold = args.hold_verify and bool(args.forge_verify)
        self.forge = args.forge_verify
        self.forge_delay = args.forge_delay
        self.timeout = args.timeout
        self.streams = []          # (writer, requester domain) of every stream with a header
        self.released = asyncio.Event()
        if not self.hold:
            self.released.set()
        self.forger = None

    def start(self):
        if self.forge:
            self.forger = asyncio.ensure_future(self.forge_when_ready())

    async def forge_when_ready(self):
        domain, _, idfile = self.forge.partition(":")
        try:
            if os.path.exists(idfile) and stat.S_ISFIFO(os.stat(idfile).st_mode):
                stream_id = await self.read_fifo(idfile)
            elif await wait_file(idfile, self.timeout):
                stream_id = open(idfile, encoding="utf-8").read().strip()
            else:
                stream_id = None
            if not stream_id:
                emit("timeout", step="forge-verify", seconds=self.timeout)
                return
            if self.forge_delay:
                await asyncio.sleep(self.forge_delay)
            for writer, requester in list(self.streams):
                xml = "<db:verify from='%s' to='%s' id='%s' type='valid'/>" % (
                    domain, requester, stream_id)
                try:
                    writer.write(xml.encode())
                    await writer.drain()
                except OSError as exc:
                    emit("failed", reason="forge: %s" % exc)
                    continue
                emit("forged_verify", **{"from": domain, "to": requester, "id": stream_id})
            if not self.streams:
                emit("failed", reason="forge: no verify stream open to this authority")
        finally:
            self.released.set()

    async def read_fifo(self, path):
        """The first line written to the named pipe PATH ("" after --timeout): no polling."""
        loop = asyncio.get_running_loop()
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        # A second, writing descriptor keeps the pipe open, so a writer that comes and goes
        # does not turn it into an endless end-of-file.
        keep = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        got = loop.create_future()
        data = b""

        def readable():
            nonlocal data
            try:
                data += os.read(fd, 4096)
            except BlockingIOError:
                return
            if b"\n" in data and not got.done():
                got.set_result(data.split(b"\n", 1)[0].decode().strip())

        loop.add_reader(fd, readable)
        try:
            return await asyncio.wait_for(got, self.timeout)
        except asyncio.TimeoutError:
            return ""
        finally:
            loop.remove_reader(fd)
            os.close(fd)
            os.close(keep)

    async def answer(self, writer, tag, ok, state):
        await self.released.wait()
        try:
            writer.write(("<db:verify from='%s' to='%s' id='%s' type='%s'/>" % (
                attr(tag, "to"), attr(tag, "from"), attr(tag, "id"),
                "valid" if ok else "invalid")).encode())
            await writer.drain()
        except OSError as exc:
            emit("failed", reason="verify answer: %s" % exc)
            return
        state["answered"] = time.monotonic()
        emit("verify_answered", **{"from": attr(tag, "to"), "to": attr(tag, "from"),
                                   "valid": ok})

    async def serve(self, reader, writer):
        buf = ""
        header_sent = False
        state = {"answered": None}
        closed_by, error = "eof", None
        entry = None
        pending = []
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                buf += data.decode("utf-8", "replace")
                m = HEADER_RE.search(buf)
                if m and not header_sent:
                    frm = attr(m.group(0), "from") or ""
                    writer.write(NS_HEADER.format(frm=self.domain, to=frm,
                                                  extra=" id='%s'" % secrets.token_hex(8))
                                 .encode())
                    writer.write(b"<stream:features><dialback xmlns='urn:xmpp:features:dialback'>"
                                 b"<errors/></dialback></stream:features>")
                    header_sent = True
                    entry = (writer, frm)
                    self.streams.append(entry)
                    buf = buf[m.end():]
                for v in re.finditer(r"<db:verify\b[^>]*>(.*?)</db:verify>", buf, re.S):
                    tag = v.group(0)
                    key = v.group(1).strip()
                    ok = key in self.keys
                    emit("verify_request", **{"from": attr(tag, "from"), "to": attr(tag, "to"),
                                              "id": attr(tag, "id"), "valid": ok})
                    pending.append(asyncio.ensure_future(self.answer(writer, tag, ok, state)))
                buf = re.sub(r"<db:verify\b[^>]*>(.*?)</db:verify>", "", buf, flags=re.S)
                # A receiving server may first authenticate its own stream to us (Prosody
                # does, then sends db:verify on it): a test peer accepts it unchecked.
                for r in re.finditer(r"<db:result\b[^>]*>(.*?)</db:result>", buf, re.S):
                    tag = r.group(0)
                    emit("result_accepted", **{"from": attr(tag, "from"), "to": attr(tag, "to")})
                    writer.write(("<db:result from='%s' to='%s' type='valid'/>" % (
                        attr(tag, "to"), attr(tag, "from"))).encode())
                buf = re.sub(r"<db:result\b[^>]*>(.*?)</db:result>", "", buf, flags=re.S)
                e = re.search(r"<stream:error>(.*?)</stream:error>", buf, re.S)
                if e and error is None:
                    cond = re.search(r"<([a-z-]+)\s+xmlns=['\"]urn:ietf:params:xml:ns:xmpp-streams",
                                     e.group(1))
                    error = cond.group(1) if cond else "unknown"
                await writer.drain()
                if "</stream:stream>" in buf:
                    closed_by = "stream-close"
                    writer.write(b"</stream:stream>")
                    break
        except OSError:
            pass
        finally:
            for task in pending:
                if not task.done():
                    task.cancel()
            if entry in self.streams:
                self.streams.remove(entry)
            since = None
            if state["answered"] is not None:
                since = int((time.monotonic() - state["answered"]) * 1000)
            emit("authority_closed", closed_by=closed_by, stream_error=error,
                 ms_since_answer=since)
            writer.close()


class Peer:
    def __init__(self, args):
        self.args = args
        self.buf = ""        # everything received, for --expect
        self.unparsed = ""   # not yet examined for stream errors
        self.result_pos = 0  # where the next db:result verdict is searched from
        self.closed = False
        self.stream_error = None
        self.stream_id = None
        self.headers = 0     # stream headers received
        self.answered = 0    # ... of which we answered with ours (receiving-server mode)
        self.results = []    # db:result verdicts received, in order
        self.changed = asyncio.Event()
        self.record = open(args.record, "ab") if args.record else None

    async def reader_loop(self, reader):
        while True:
            try:
                data = await reader.read(65536)
            except OSError:
                data = b""
            if not data:
                break
            if self.record:
                self.record.write(data)
                self.record.flush()
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
        headers = HEADER_RE.findall(self.buf)
        if len(headers) > self.headers:
            self.headers = len(headers)
            self.stream_id = attr(headers[-1], "id")
            emit("header", xml=headers[-1])
            if self.stream_id:
                emit("stream_id", id=self.stream_id)
        for m in RESULT_RE.finditer(self.buf, self.result_pos):
            self.results.append(m.group(1))
            emit("dialback_result", type=m.group(1), **{"from": attr(m.group(0), "from"),
                                                        "to": attr(m.group(0), "to")})
            self.result_pos = m.end()
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

    def our_header(self, to, with_id):
        self.our_id = secrets.token_hex(8) if with_id else ""
        header = NS_HEADER.format(frm=self.args.domain, to=to,
                                  extra=" id='%s'" % self.our_id if with_id else "")
        if self.args.no_version:
            header = header.replace(" version='1.0'", "")
        return header

    async def open_connect(self):
        a = self.args
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(a.address, a.port), a.timeout)
        except (OSError, asyncio.TimeoutError) as exc:
            emit("failed", reason="connect %s:%d: %s" % (a.address, a.port, exc))
            return None
        emit("connected", address=a.address, port=a.port)
        task = asyncio.ensure_future(self.reader_loop(reader))
        writer.write(self.our_header(a.to, False).encode())
        await writer.drain()
        if not await self.wait("header", lambda: self.headers > 0):
            task.cancel()
            return None
        return writer, task

    async def open_receive(self):
        a = self.args
        accepted = asyncio.get_running_loop().create_future()

        def on_accept(reader, writer):
            if accepted.done():
                writer.close()   # one stream per run
                return
            accepted.set_result((reader, writer))

        host, _, port = a.receive.rpartition(":")
        server = await asyncio.start_server(on_accept, host, int(port))
        emit("listening", address=a.receive, role="receiving-server")
        try:
            reader, writer = await asyncio.wait_for(accepted, a.timeout)
        except asyncio.TimeoutError:
            emit("failed", reason="nobody connected to %s in %ss" % (a.receive, a.timeout))
            server.close()
            return None
        server.close()
        peer = writer.get_extra_info("peername")
        emit("accepted", peer="%s:%d" % peer[:2] if peer else "")
        task = asyncio.ensure_future(self.reader_loop(reader))
        if not await self.wait("header", lambda: self.headers > 0):
            task.cancel()
            return None
        theirs = HEADER_RE.findall(self.buf)[-1]
        writer.write(self.our_header(attr(theirs, "from") or "", True).encode())
        await writer.drain()
        self.answered = 1
        emit("sent", what="stream header", id=self.our_id)
        return writer, task

    async def starttls(self, writer, what):
        """Connecting mode: <starttls/>, <proceed/>, the handshake, a fresh stream."""
        a = self.args
        if not await self.wait("starttls offered", lambda: "urn:ietf:params:xml:ns:xmpp-tls"
                               in self.buf and "</stream:features>" in self.buf):
            return False
        writer.write(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        await writer.drain()
        if not await self.wait(what, lambda: "<proceed" in self.buf):
            return False
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE   # this peer trusts anybody; it is the liar here
        if a.tls_cert:
            ctx.load_cert_chain(a.tls_cert, a.tls_key)
        try:
            await asyncio.wait_for(writer.start_tls(ctx, server_hostname=a.to), a.timeout)
        except (OSError, ssl.SSLError, asyncio.TimeoutError) as exc:
            emit("failed", reason="TLS handshake: %s" % exc)
            return False
        emit("tls", version=writer.get_extra_info("ssl_object").version(),
             client_certificate=bool(a.tls_cert))
        self.buf, self.unparsed, self.result_pos, self.headers = "", "", 0, 0
        writer.write(self.our_header(a.to, False).encode())
        await writer.drain()
        return await self.wait("header after TLS", lambda: self.headers > 0)

    async def run(self, authority):
        a = self.args
        opened = await (self.open_receive() if a.receive else self.open_connect())
        if opened is None:
            return EXIT_CONNECT
        writer, task = opened
        rc = EXIT_OK
        for name, value in a.steps:
            what = "%s %s" % (name.replace("_", "-"), value if value else "")
            ok = True
            if name in ("dialback", "dialback_forged", "dialback_claim"):
                if not a.no_version and not await self.wait(
                        "features", lambda: "</stream:features>" in self.buf or
                        "<stream:features/>" in self.buf):
                    rc = EXIT_UNMET
                    break
                key = secrets.token_hex(32)
                if name == "dialback":
                    authority.keys.add(key)
                seen = len(self.results)
                writer.write(("<db:result from='%s' to='%s'>%s</db:result>" % (
                    a.domain, a.to, key)).encode())
                await writer.drain()
                emit("sent", what="db:result")
                if name == "dialback_claim":
                    continue
                if not await self.wait(what, lambda: len(self.results) > seen):
                    rc = EXIT_UNMET
                    break
                verdict = self.results[seen]
                if verdict != "valid":
                    emit("dialback_failed", result=verdict)
                    rc = EXIT_UNMET
                    break
                emit("authenticated", method="dialback", domain=a.domain)
            elif name == "starttls":
                ok = await self.starttls(writer, what)
                if not ok:
                    rc = EXIT_UNMET
                    break
            elif name == "expect_dialback_result":
                ok = await self.wait(what, lambda v=value: any(v in ("*", r)
                                                               for r in self.results))
            elif name == "write_stream_id":
                write_atomic(value, (self.stream_id or "") + "\n")
                emit("wrote_stream_id", file=value, id=self.stream_id)
            elif name == "wait_file":
                ok = await wait_file(value, a.timeout)
                if ok:
                    emit("expect_met", step=what)
                else:
                    emit("timeout", step=what, seconds=a.timeout)
            elif name == "restart":
                ok = await self.wait(what, lambda: self.headers > self.answered)
                if ok:
                    self.answered = self.headers
                    theirs = HEADER_RE.findall(self.buf)[-1]
                    writer.write(self.our_header(attr(theirs, "from") or "", True).encode())
                    await writer.drain()
                    emit("sent", what="stream header")
            elif name in ("send", "send_file"):
                data = value if name == "send" else open(value, encoding="utf-8").read()
                try:
                    writer.write(data.encode())
                    await writer.drain()
                except OSError as exc:
                    emit("failed", reason="send: %s" % exc)
                emit("sent", bytes=len(data.encode()))
            elif name == "expect":
                ok = await self.wait(what, lambda v=value: v in self.buf)
            elif name == "expect_stream_error":
                ok = await self.wait(what, lambda v=value: self.stream_error is not None and
                                     v in ("*", self.stream_error))
            elif name == "expect_close":
                ok = await self.wait(what, lambda: self.closed)
            elif name == "sleep":
                await asyncio.sleep(value)
            if not ok:
                rc = EXIT_UNMET
                if not a.keep_going:
                    break
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
    authority = Authority(args)
    server = None
    if args.listen:
        host, _, port = args.listen.rpartition(":")
        server = await asyncio.start_server(authority.serve, host, int(port))
        emit("listening", address=args.listen)
    authority.start()
    try:
        return await Peer(args).run(authority)
    finally:
        if authority.forger:
            authority.forger.cancel()
        if server:
            server.close()


def main(argv):
    args = parse_args(argv)
    names = [n for n, _ in args.steps]
    if any(n in ("dialback", "dialback_forged") for n in names) and not args.listen:
        print("s2s_peer: error: --dialback needs --listen (this peer is its own authority)",
              file=sys.stderr)
        return EXIT_USAGE
    if (args.forge_verify or args.hold_verify) and not args.listen:
        print("s2s_peer: error: --forge-verify/--hold-verify need --listen", file=sys.stderr)
        return EXIT_USAGE
    if args.forge_verify and ":" not in args.forge_verify:
        print("s2s_peer: error: --forge-verify DOMAIN:IDFILE", file=sys.stderr)
        return EXIT_USAGE
    if not args.receive and not (args.to and args.address):
        print("s2s_peer: error: --to and --address are needed (or --receive)", file=sys.stderr)
        return EXIT_USAGE
    if args.receive and any(n.startswith("dialback") for n in names) and not args.to:
        print("s2s_peer: error: dialback steps in --receive mode need --to", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(amain(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
