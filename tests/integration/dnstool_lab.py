"""Shared helpers of the dnstool integration tests: a temp dir named with the PID, real NSD
(and unbound, HTTPS and Prosody) started on loopback and stopped by process group on exit, also
on failure or a signal, and a runner for dnstool that parses its JSON.

Nothing here talks to anything but 127.0.0.1: every tool gets an explicit loopback server.
"""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BIN = os.environ.get("EDGEKIT_BIN", os.path.join(os.path.dirname(__file__), "../../build/bin"))
DNSTOOL = os.path.join(BIN, "dnstool")


class Lab:
    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="edgekit-%s-%d-" % (name, os.getpid()))
        self.processes = []
        self.failures = 0
        atexit.register(self.stop)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, _frame):
        self.stop()
        sys.exit(128 + signum)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, text, mode=0o644):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def start(self, argv, log_name, cwd=None, env=None):
        log = open(self.path(log_name), "wb")
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=cwd or self.dir,
                                start_new_session=True, env=env)
        self.processes.append(proc)
        return proc

    def stop(self):
        for proc in reversed(self.processes):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
        self.processes = []
        if self.dir and os.path.isdir(self.dir) and not os.environ.get("EDGEKIT_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- checks ---------------------------------------------------------------------------
    def expect(self, condition, what):
        if condition:
            print("ok   - " + what)
        else:
            print("FAIL - " + what)
            self.failures += 1

    def finish(self):
        self.stop()
        if self.failures:
            print("%d failure(s)" % self.failures)
            sys.exit(1)
        print("all passed")
        sys.exit(0)

    # -- peers ------------------------------------------------------------------------------
    def start_nsd(self, zones):
        """zones: {zone name: zone file text}. Returns the port NSD answers on."""
        if not shutil.which("nsd"):
            raise SystemExit("FAIL: nsd is not installed (scripts/setup)")
        port = free_port()
        run = self.path("nsd-%d" % port)
        os.makedirs(run, exist_ok=True)
        conf = [
            "server:",
            "  ip-address: 127.0.0.1@%d" % port,
            '  username: ""',
            '  chroot: ""',
            '  database: ""',
            "  zonesdir: %s" % run,
            "  pidfile: %s/nsd.pid" % run,
            "  xfrdfile: %s/xfrd.state" % run,
            "  zonelistfile: %s/zone.list" % run,
            "  logfile: %s/nsd.log" % run,
            "  do-ip6: no",
            "  verbosity: 1",
            "remote-control:",
            "  control-enable: no",
        ]
        for name, text in zones.items():
            with open(os.path.join(run, name + ".zone"), "w") as f:
                f.write(text)
            conf += ["zone:", "  name: " + name, "  zonefile: %s.zone" % name]
        with open(os.path.join(run, "nsd.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        proc = self.start(["nsd", "-d", "-c", os.path.join(run, "nsd.conf")], "nsd-%d.out" % port)
        first = next(iter(zones))
        wait_for_dns(port, first, proc, os.path.join(run, "nsd.log"))
        return port

    def start_unbound(self, stubs, anchor_file):
        """A validating resolver on loopback: stub-zone per test zone to NSD, "." to a dead
        port, our anchors. stubs: {zone: nsd port}. Returns (port, config path)."""
        port = free_port()
        run = self.path("unbound")
        os.makedirs(run, exist_ok=True)
        dead = free_port()
        conf = [
            "server:",
            "  interface: 127.0.0.1@%d" % port,
            "  port: %d" % port,
            "  do-ip6: no",
            "  do-daemonize: no",
            '  username: ""',
            '  chroot: ""',
            "  directory: %s" % run,
            "  pidfile: %s/unbound.pid" % run,
            "  logfile: ''",
            "  use-syslog: no",
            "  do-not-query-localhost: no",
            "  module-config: \"validator iterator\"",
            "  trust-anchor-file: %s" % anchor_file,
            "  val-log-level: 2",
            "  access-control: 127.0.0.0/8 allow",
            "  harden-dnssec-stripped: yes",
            "  local-zone: \"example.\" nodefault",
            "  local-zone: \"test.\" nodefault",
            "remote-control:",
            "  control-enable: no",
        ]
        for zone, zone_port in stubs.items():
            conf += ["stub-zone:", "  name: %s" % zone,
                     "  stub-addr: 127.0.0.1@%d" % zone_port]
        conf += ["stub-zone:", '  name: "."', "  stub-addr: 127.0.0.1@%d" % dead]
        path = os.path.join(run, "unbound.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        proc = self.start(["unbound", "-d", "-c", path], "unbound.out")
        wait_for_dns(port, next(iter(stubs)), proc, self.path("unbound.out"))
        return port, path


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 right now."""
    for _ in range(50):
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.bind(("127.0.0.1", 0))
        port = tcp.getsockname()[1]
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            tcp.close()
            udp.close()
    raise SystemExit("FAIL: no free port")


def wait_for_dns(port, name, proc, log):
    deadline = time.time() + 10
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("FAIL: DNS server exited: %s" % read_text(log))
        r = subprocess.run(["drill", "-p", str(port), "@127.0.0.1", name, "SOA"],
                           capture_output=True, text=True)
        if r.returncode == 0 and "rcode: NOERROR" in r.stdout:
            return
        time.sleep(0.05)
    raise SystemExit("FAIL: DNS server did not answer on port %d: %s" % (port, read_text(log)))


def read_text(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def dnstool(*args, env=None):
    """Runs dnstool; returns (exit code, parsed JSON or None, stdout, stderr, seconds)."""
    start = time.monotonic()
    r = subprocess.run([DNSTOOL] + list(args), capture_output=True, text=True, env=env,
                       timeout=60)
    elapsed = time.monotonic() - start
    parsed = None
    if "--json" in args:
        try:
            parsed = json.loads(r.stdout)
        except ValueError:
            parsed = None
    return r.returncode, parsed, r.stdout, r.stderr, elapsed


def checks_of(report, domain):
    """{check id: (status, message)} for one domain of a --json report."""
    if not report:
        return {}
    for result in report.get("results", []):
        if result.get("domain") == domain:
            return {c["id"]: (c["status"], c["message"]) for c in result["checks"]}
    return {}


def status(report, domain, check_id):
    return checks_of(report, domain).get(check_id, ("missing", ""))[0]


def openssl(*args, cwd=None):
    r = subprocess.run(["openssl"] + list(args), capture_output=True, text=True, cwd=cwd)
    if r.returncode != 0:
        raise SystemExit("FAIL: openssl %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def make_ca(lab, name):
    """A throw-away CA (key made now, never committed). Returns (cert path, key path)."""
    key = lab.path(name + ".key")
    cert = lab.path(name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", cert, "-days", "365", "-subj", "/CN=%s test CA" % name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    return cert, key


def make_leaf(lab, name, ca, sans, days=90, eku="serverAuth,clientAuth"):
    """A leaf certificate signed by ca=(cert, key) with dNSName SANs. Returns (cert, key)."""
    key = lab.path(name + ".key")
    csr = lab.path(name + ".csr")
    cert = lab.path(name + ".pem")
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=%s" % sans[0])
    ext = lab.write(name + ".ext", "subjectAltName=%s\nextendedKeyUsage=%s\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    % (",".join("DNS:" + s for s in sans), eku))
    args = ["x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-CAcreateserial",
            "-out", cert, "-extfile", ext]
    args += ["-days", str(days)]
    openssl(*args)
    return cert, key


def spki_sha256(cert):
    der = subprocess.run(["openssl", "x509", "-in", cert, "-pubkey", "-noout"],
                         capture_output=True, check=True).stdout
    spki = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=der,
                          capture_output=True, check=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=spki,
                            capture_output=True, check=True).stdout
    return digest.hex()


def make_leaf_dated(lab, name, ca, sans, start, end):
    """A leaf with explicit validity (YYYYMMDDHHMMSSZ) through `openssl ca` and a throw-away
    database, for expired or not-yet-valid certificates. Returns (cert, key)."""
    key = lab.path(name + ".key")
    csr = lab.path(name + ".csr")
    cert = lab.path(name + ".pem")
    db = lab.path("ca-db-" + name)
    os.makedirs(os.path.join(db, "new"), exist_ok=True)
    open(os.path.join(db, "index.txt"), "w").close()
    with open(os.path.join(db, "serial"), "w") as f:
        f.write("1000\n")
    conf = lab.write("ca-db-%s/ca.cnf" % name, """[ca]
default_ca = tca
[tca]
database = {db}/index.txt
new_certs_dir = {db}/new
serial = {db}/serial
default_md = sha256
policy = pol
unique_subject = no
[pol]
commonName = supplied
""".format(db=db))
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=%s" % sans[0])
    ext = lab.write(name + ".ext", "subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n"
                    % ",".join("DNS:" + s for s in sans))
    openssl("ca", "-batch", "-notext", "-config", conf, "-cert", ca[0], "-keyfile", ca[1],
            "-in", csr, "-out", cert, "-startdate", start, "-enddate", end, "-extfile", ext)
    return cert, key
