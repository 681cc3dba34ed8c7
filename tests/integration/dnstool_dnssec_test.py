"""dnstool check with DNSSEC and DANE: NSD serves a zone signed with ldns-signzone (keys made
now with ldns-keygen), a copy signed with expired signatures and an unsigned zone. dnstool's
verdicts (secure / bogus / insecure) must agree with `drill -S` and with unbound (unbound-host,
and the unbound daemon as the nameserver dnstool asks). TLSA 3 1 1 is checked against a
certificate made now with the openssl CLI: a matching record passes, a wrong one fails."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnstool_lab import (Lab, dnstool, checks_of, status, make_ca, make_leaf,  # noqa: E402
                         spki_sha256, free_port)

lab = Lab("dnstool-dnssec")
for tool in ("ldns-keygen", "ldns-signzone", "drill", "unbound", "unbound-host"):
    if subprocess.run(["which", tool], capture_output=True).returncode != 0:
        raise SystemExit("FAIL: %s is not installed (scripts/setup)" % tool)

ca = make_ca(lab, "ca")
cert, _ = make_leaf(lab, "edge", ca, ["edge.secure.example", "secure.example",
                                      "badtlsa.secure.example", "edge2.secure.example"])
tlsa = spki_sha256(cert)


def zone(origin, extra=""):
    return """$ORIGIN {o}.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
edge IN A 127.0.0.1
edge IN AAAA ::1
_xmpp-server._tcp IN SRV 0 5 5269 edge
{extra}""".format(o=origin, extra=extra)


SECURE_EXTRA = """_5269._tcp.edge IN TLSA 3 1 1 %s
edge2 IN A 127.0.0.2
_xmpp-server._tcp.badtlsa IN SRV 0 5 5269 edge2
_5269._tcp.edge2 IN TLSA 3 1 1 %s
_xmpp-server._tcp.nxtarget IN SRV 0 5 5269 missing
unsigned IN NS ns1.unsigned
ns1.unsigned IN A 127.0.0.1
""" % (tlsa, "00" * 32)


def sign(name, text, expired=False):
    """Writes the zone, makes a key with ldns-keygen and signs; returns (signed text, DS)."""
    keydir = lab.path("keys-" + name)
    os.makedirs(keydir, exist_ok=True)
    path = os.path.join(keydir, name + ".zone")
    with open(path, "w") as f:
        f.write(text)
    keygen = subprocess.run(["ldns-keygen", "-a", "ECDSAP256SHA256", "-k", name], cwd=keydir,
                            capture_output=True, text=True, check=True)
    base = keygen.stdout.strip()
    args = ["ldns-signzone"]
    if expired:
        args += ["-i", "20200101000000", "-e", "20200201000000"]
    args += ["-o", name, path, base]
    subprocess.run(args, cwd=keydir, capture_output=True, text=True, check=True)
    with open(path + ".signed") as f:
        signed = f.read()
    with open(os.path.join(keydir, base + ".ds")) as f:
        ds = f.read().strip()
    return signed, ds


secure_zone, secure_ds = sign("secure.example", zone("secure.example", SECURE_EXTRA))
expired_zone, expired_ds = sign("expired.example", zone("expired.example"), expired=True)
anchors = lab.write("anchors.ds", "; test anchors, made now\n%s\n%s\n" % (secure_ds, expired_ds))

nsd_port = lab.start_nsd({"secure.example": secure_zone, "expired.example": expired_zone,
                          "plain.example": zone("plain.example"),
                          "unsigned.secure.example": zone("unsigned.secure.example")})
ns = "127.0.0.1:%d" % nsd_port


def check(domain, *extra, nameserver=ns, certificate=cert):
    cert_args = ["--cert", certificate] if certificate else ["--store", lab.path("no-store")]
    return dnstool("check", "--domain", domain, "--nameserver", nameserver, "--trust-anchor",
                   anchors, "--json", *(cert_args + list(extra)))


# --- dnstool's own verdicts -----------------------------------------------------------------
rc, report, _, err, seconds = check("secure.example", "--edge-fqdn", "edge.secure.example")
lab.expect(status(report, "secure.example", "dnssec") == "pass",
           "signed zone: dnssec pass (%s)" % (checks_of(report, "secure.example").get("dnssec"),))
lab.expect(status(report, "secure.example", "tlsa") == "pass",
           "matching TLSA 3 1 1 in a secure zone: tlsa pass (%s)"
           % (checks_of(report, "secure.example").get("tlsa"),))
lab.expect(rc == 0, "signed zone: exit 0 (%d %s)" % (rc, err))
print("full check with DNSSEC validation and TLSA took %.3f s" % seconds)
lab.expect(seconds < 1.0, "DNSSEC check against loopback under a second (%.3f s)" % seconds)

# The chase asks the nameserver that answered, not a dead first one.
rc, report, *_ = dnstool("check", "--domain", "secure.example", "--nameserver",
                         "127.0.0.1:%d" % free_port(), "--nameserver", ns, "--timeout-ms", "200",
                         "--trust-anchor", anchors, "--cert", cert, "--json")
lab.expect(status(report, "secure.example", "dnssec") == "pass",
           "dead first nameserver: still secure (%s)"
           % (checks_of(report, "secure.example").get("dnssec"),))

rc, report, *_ = check("expired.example")
lab.expect(status(report, "expired.example", "dnssec") == "fail",
           "expired signatures: dnssec fail (%s)" % (checks_of(report, "expired.example")
                                                     .get("dnssec"),))
lab.expect("expired" in checks_of(report, "expired.example")["dnssec"][1].lower(),
           "bogus reason names the expiry")
lab.expect(rc == 1, "expired signatures: exit 1")

rc, report, *_ = check("plain.example", certificate=None)
lab.expect(status(report, "plain.example", "dnssec") == "warn",
           "unsigned zone without anchor: dnssec warn (insecure)")
lab.expect(rc == 0, "insecure is a warning: exit 0")

# An unsigned child of a signed zone (NS without DS, proven by the parent's NSEC): insecure.
rc, report, *_ = check("unsigned.secure.example", certificate=None)
lab.expect(status(report, "unsigned.secure.example", "dnssec") == "warn" and
           "insecure delegation" in checks_of(report, "unsigned.secure.example")["dnssec"][1],
           "insecure delegation under an anchor: dnssec warn (%s)"
           % (checks_of(report, "unsigned.secure.example").get("dnssec"),))
lab.expect(rc == 0, "insecure delegation: exit 0 (%d)" % rc)

rc, report, *_ = check("badtlsa.secure.example")
lab.expect(status(report, "badtlsa.secure.example", "tlsa") == "fail",
           "wrong TLSA: tlsa fail (%s)" % (checks_of(report, "badtlsa.secure.example")
                                           .get("tlsa"),))
lab.expect(rc == 1, "wrong TLSA: exit 1")

# The NXDOMAIN of a missing target is proven by NSEC: still secure.
rc, report, *_ = check("nxtarget.secure.example")
lab.expect(status(report, "nxtarget.secure.example", "dnssec") == "pass",
           "NSEC-proven NXDOMAIN is secure (%s)" % (checks_of(report, "nxtarget.secure.example")
                                                   .get("dnssec"),))
lab.expect(status(report, "nxtarget.secure.example", "srv.target_address") == "fail",
           "and the missing target still fails srv.target_address")

# Without anchors DNSSEC is skipped and TLSA is only a warning (not meaningful).
rc, report, *_ = dnstool("check", "--domain", "secure.example", "--nameserver", ns, "--cert",
                         cert, "--json")
lab.expect(status(report, "secure.example", "dnssec") == "skip", "no anchors: dnssec skip")
lab.expect(status(report, "secure.example", "tlsa") == "warn",
           "TLSA without validation: warn that DANE needs DNSSEC")

# A trust-anchor file that is not one is a usage error.
bad = lab.write("bad-anchors", "secure.example. IN A 127.0.0.1\n")
rc, _, _, err, _ = dnstool("check", "--domain", "secure.example", "--nameserver", ns,
                           "--trust-anchor", bad)
lab.expect(rc == 2 and "bad-anchors:1" in err, "A record as anchor: exit 2 naming the line")

# --- cross-check with drill -S -----------------------------------------------------------
def drill_secure(name, rrtype):
    r = subprocess.run(["drill", "-S", "-k", anchors, "-p", str(nsd_port), "@127.0.0.1", name,
                        rrtype], capture_output=True, text=True, timeout=30)
    return r.returncode == 0 and "Bogus" not in r.stdout and "[B]" not in r.stdout


lab.expect(drill_secure("_xmpp-server._tcp.secure.example", "SRV"),
           "drill -S agrees: secure.example SRV is secure")
lab.expect(not drill_secure("_xmpp-server._tcp.expired.example", "SRV"),
           "drill -S agrees: expired.example SRV is not secure")

# --- cross-check with unbound ---------------------------------------------------------------
ub_port, ub_conf = lab.start_unbound({"secure.example": nsd_port, "expired.example": nsd_port,
                                      "plain.example": nsd_port}, anchors)


def unbound_host(name, rrtype):
    r = subprocess.run(["unbound-host", "-C", ub_conf, "-v", "-t", rrtype, name],
                       capture_output=True, text=True, timeout=30)
    return r.stdout + r.stderr


out = unbound_host("_xmpp-server._tcp.secure.example", "SRV")
lab.expect("(secure)" in out, "unbound-host agrees: secure (%s)" % out.strip())
out = unbound_host("_xmpp-server._tcp.expired.example", "SRV")
lab.expect("BOGUS" in out, "unbound-host agrees: expired is bogus (%s)" % out.strip()[:120])
out = unbound_host("_xmpp-server._tcp.unsigned.secure.example", "SRV")
lab.expect("(insecure)" in out, "unbound-host agrees: the unsigned child is insecure (%s)"
           % out.strip())
out = unbound_host("_xmpp-server._tcp.plain.example", "SRV")
lab.expect("(insecure)" in out, "unbound-host agrees: plain is insecure (%s)" % out.strip())

# dnstool through the validating unbound (CD bit set, so it still sees the bogus data).
ubns = "127.0.0.1:%d" % ub_port
rc, report, *_ = check("secure.example", "--edge-fqdn", "edge.secure.example", nameserver=ubns)
lab.expect(rc == 0 and status(report, "secure.example", "dnssec") == "pass",
           "through unbound: secure.example passes (rc %d, %s)"
           % (rc, checks_of(report, "secure.example").get("dnssec")))
rc, report, *_ = check("expired.example", nameserver=ubns)
lab.expect(status(report, "expired.example", "dnssec") == "fail",
           "through unbound: expired.example is bogus (%s)"
           % (checks_of(report, "expired.example").get("dnssec"),))

lab.finish()
