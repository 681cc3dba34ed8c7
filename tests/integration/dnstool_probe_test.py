"""dnstool check --probe against a real Prosody on loopback: one VirtualHost with a good
certificate, one with a certificate for another name, one with a certificate from a CA the probe
does not trust (all made now with the openssl CLI), and a closed port. The probe's verdicts are
cross-checked with `openssl s_client -starttls xmpp-server`."""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnstool_lab import (Lab, dnstool, checks_of, make_ca, make_leaf,  # noqa: E402
                         free_port, read_text)

if subprocess.run(["which", "prosody"], capture_output=True).returncode != 0:
    raise SystemExit("FAIL: prosody is not installed (scripts/setup)")

lab = Lab("dnstool-probe")
ca = make_ca(lab, "ca")
rogue_ca = make_ca(lab, "rogue")
good = make_leaf(lab, "good", ca, ["corp.example", "edge.corp.example"])
wrong = make_leaf(lab, "wrong", ca, ["somewhere-else.example"])
untrusted = make_leaf(lab, "untrusted", rogue_ca, ["untrusted.example"])

s2s = free_port()
c2s = free_port()
dead_dns = free_port()
resolv = lab.write("resolv.conf", "nameserver 127.0.0.1\noptions port:%d\n" % dead_dns)
os.makedirs(lab.path("prosody-data"), exist_ok=True)
config = lab.write("prosody.cfg.lua", """
pidfile = "{d}/prosody.pid"
data_path = "{d}/prosody-data"
admin_socket = "{d}/prosody.sock"
log = {{ info = "{d}/prosody.log" }}
run_as_root = true
interfaces = {{ "127.0.0.1" }}
s2s_ports = {{ {s2s} }}
c2s_ports = {{ {c2s} }}
http_ports = {{ }}
https_ports = {{ }}
c2s_direct_tls_ports = {{ }}
s2s_direct_tls_ports = {{ }}
modules_enabled = {{ "tls", "dialback", "saslauth", "disco" }}
modules_disabled = {{ "offline", "c2s" }}
s2s_require_encryption = true
s2s_secure_auth = false
unbound = {{ resolvconf = "{resolv}" }}
VirtualHost "corp.example"
  ssl = {{ certificate = "{gc}", key = "{gk}" }}
VirtualHost "wrongname.example"
  ssl = {{ certificate = "{wc}", key = "{wk}" }}
VirtualHost "untrusted.example"
  ssl = {{ certificate = "{uc}", key = "{uk}" }}
""".format(d=lab.dir, s2s=s2s, c2s=c2s, resolv=resolv, gc=good[0], gk=good[1], wc=wrong[0],
           wk=wrong[1], uc=untrusted[0], uk=untrusted[1]))
proc = lab.start(["prosody", "--config", config, "-F"], "prosody.out")
deadline = time.time() + 15
while True:
    try:
        socket.create_connection(("127.0.0.1", s2s), timeout=0.2).close()
        break
    except OSError:
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit("FAIL: prosody did not start: %s %s" % (
                read_text(lab.path("prosody.out")), read_text(lab.path("prosody.log"))))
        time.sleep(0.1)

ZONE = """$ORIGIN corp.example.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
edge IN A 127.0.0.1
_xmpp-server._tcp IN SRV 0 5 {port} edge
""".format(port=s2s)
ns = "127.0.0.1:%d" % lab.start_nsd({"corp.example": ZONE})


def probe(domain, *extra):
    rc, report, _, err, seconds = dnstool(
        "check", "--domain", domain, "--nameserver", ns, "--port", str(s2s), "--probe",
        "--ca-file", ca[0], "--store", lab.path("no-store"), "--timeout-ms", "3000", "--json",
        *extra)
    return rc, checks_of(report, domain), err, seconds


# The good host, found through its SRV record.
rc, checks, err, seconds = probe("corp.example")
for check_id in ("probe.connect", "probe.starttls", "probe.certificate"):
    lab.expect(checks.get(check_id, ("missing",))[0] == "pass",
               "good host: %s pass (%s)" % (check_id, checks.get(check_id)))
message = checks.get("probe.starttls", ("", ""))[1]
lab.expect("TLSv1.3" in message or "TLSv1.2" in message, "TLS version reported: " + message)
lab.expect("dialback offered" in message, "dialback after TLS reported: " + message)
lab.expect("SASL EXTERNAL" in message, "SASL EXTERNAL state reported: " + message)
lab.expect(rc == 0, "good host: exit 0 (%d %s)" % (rc, err))
print("full check with probe took %.3f s" % seconds)

address = "127.0.0.1:%d" % s2s
rc, checks, err, _ = probe("wrongname.example", "--probe-address", address)
lab.expect(checks.get("probe.certificate", ("missing",))[0] == "fail",
           "wrong-name certificate: probe.certificate fail (%s)"
           % (checks.get("probe.certificate"),))
lab.expect(checks.get("probe.starttls", ("missing",))[0] == "pass",
           "wrong-name certificate: STARTTLS itself works")
lab.expect(rc == 1, "wrong-name certificate: exit 1")

rc, checks, err, _ = probe("untrusted.example", "--probe-address", address)
lab.expect(checks.get("probe.certificate", ("missing",))[0] == "fail",
           "untrusted certificate: probe.certificate fail (%s)"
           % (checks.get("probe.certificate"),))
lab.expect(rc == 1, "untrusted certificate: exit 1")

closed = free_port()
rc, checks, err, seconds = probe("corp.example", "--probe-address", "127.0.0.1:%d" % closed)
lab.expect(checks.get("probe.connect", ("missing",))[0] == "fail",
           "closed port: probe.connect fail (%s)" % (checks.get("probe.connect"),))
lab.expect(rc == 1, "closed port: exit 1")

# A server that accepts but never speaks: the probe gives up in bounded time.
silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
silent.bind(("127.0.0.1", 0))
silent.listen(5)
rc, report, _, err, seconds = dnstool(
    "check", "--domain", "corp.example", "--nameserver", ns, "--port", str(s2s), "--probe",
    "--probe-address", "127.0.0.1:%d" % silent.getsockname()[1], "--timeout-ms", "300",
    "--store", lab.path("no-store"), "--json")
result = checks_of(report, "corp.example").get("probe.connect", ("missing", ""))
lab.expect(result[0] == "fail", "silent server: probe.connect fail (%s)" % (result,))
lab.expect(seconds < 3, "silent server: bounded time (%.2f s)" % seconds)
silent.close()

# Without --probe the probe checks are skipped, not failed.
rc, report, *_ = dnstool("check", "--domain", "corp.example", "--nameserver", ns, "--port",
                         str(s2s), "--store", lab.path("no-store"), "--json")
lab.expect(checks_of(report, "corp.example")["probe.connect"][0] == "skip",
           "no --probe: probe checks skip")


# Cross-check with openssl s_client.
def s_client(domain):
    r = subprocess.run(["openssl", "s_client", "-starttls", "xmpp-server", "-xmpphost", domain,
                        "-connect", address, "-CAfile", ca[0], "-verify_hostname", domain,
                        "-verify_return_error", "-servername", domain],
                       input="", capture_output=True, text=True, timeout=30)
    return r.returncode == 0


lab.expect(s_client("corp.example"), "openssl s_client agrees: corp.example verifies")
lab.expect(not s_client("wrongname.example"), "openssl s_client agrees: wrong name fails")
lab.expect(not s_client("untrusted.example"), "openssl s_client agrees: untrusted fails")

lab.finish()
