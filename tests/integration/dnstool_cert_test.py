"""dnstool check's certificate checks (cert.names, cert.validity, cert.eku) with certificates
made now by the openssl CLI, the store's assigned certificate as the default, and `dnstool
records` (SRV, XEP-0368 SRV, TLSA 3 1 1, POSH document) checked against openssl's own digests."""

import base64
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnstool_lab import (Lab, dnstool, checks_of, status, make_ca, make_leaf,  # noqa: E402
                         make_leaf_dated, spki_sha256)

ZONE = """$ORIGIN corp.example.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
edge IN A 127.0.0.1
_xmpp-server._tcp IN SRV 0 5 5269 edge
"""

lab = Lab("dnstool-cert")
port = lab.start_nsd({"corp.example": ZONE})
ns = "127.0.0.1:%d" % port
ca = make_ca(lab, "ca")
names = ["edge.corp.example", "corp.example"]
good, _ = make_leaf(lab, "good", ca, names)
wrong, _ = make_leaf(lab, "wrong", ca, ["other.example"])
server_only, _ = make_leaf(lab, "server-only", ca, names, eku="serverAuth")
client_only, _ = make_leaf(lab, "client-only", ca, names, eku="clientAuth")
soon, _ = make_leaf(lab, "soon", ca, names, days=10)
expired, _ = make_leaf_dated(lab, "expired", ca, names, "20200101000000Z", "20200201000000Z")
empty_store = lab.path("empty-store")


def check(cert):
    args = ["check", "--domain", "corp.example", "--nameserver", ns, "--edge-fqdn",
            "edge.corp.example", "--json"]
    args += ["--cert", cert] if cert else ["--store", empty_store]
    rc, report, _, err, _ = dnstool(*args)
    return rc, checks_of(report, "corp.example"), err


rc, checks, err = check(good)
for check_id in ("cert.names", "cert.validity", "cert.eku"):
    lab.expect(checks.get(check_id, ("missing",))[0] == "pass",
               "good certificate: %s pass (%s)" % (check_id, checks.get(check_id)))
lab.expect(rc == 0, "good certificate: exit 0 (%s)" % err)

rc, checks, _ = check(wrong)
lab.expect(checks["cert.names"][0] == "fail" and "corp.example" in checks["cert.names"][1],
           "wrong-name certificate: cert.names fail naming the domain (%s)"
           % (checks["cert.names"],))
lab.expect(rc == 1, "wrong-name certificate: exit 1")

rc, checks, _ = check(server_only)
lab.expect(checks["cert.eku"][0] == "warn" and "clientAuth" in checks["cert.eku"][1],
           "serverAuth only: cert.eku warn naming clientAuth")
lab.expect(rc == 0, "serverAuth only is a warning: exit 0")

rc, checks, _ = check(client_only)
lab.expect(checks["cert.eku"][0] == "fail", "clientAuth only: cert.eku fail")

rc, checks, _ = check(soon)
lab.expect(checks["cert.validity"][0] == "warn", "expires in 10 days: cert.validity warn (%s)"
           % (checks["cert.validity"],))

rc, checks, _ = check(expired)
lab.expect(checks["cert.validity"][0] == "fail" and "expired" in checks["cert.validity"][1],
           "expired certificate: cert.validity fail (%s)" % (checks["cert.validity"],))
lab.expect(rc == 1, "expired certificate: exit 1")

rc, checks, _ = check(None)
lab.expect(checks["cert.names"][0] == "skip", "no certificate anywhere: cert checks skip")

rc, _, _, err, _ = dnstool("check", "--domain", "corp.example", "--nameserver", ns, "--cert",
                           lab.write("garbage.pem", "not a certificate\n"), "--json")
lab.expect(rc in (2, 3) and "dnstool: error:" in err, "unparsable --cert: error (exit %d)" % rc)

# --- the store's assigned certificate is the default ----------------------------------------
store = lab.path("store")
os.makedirs(os.path.join(store, "certificates"), exist_ok=True)
with open(good) as src, open(os.path.join(store, "certificates", "cert.pem"), "w") as dst:
    dst.write(src.read())
identity = {"role": "edge-external", "fqdn": "edge.corp.example",
            "xmpp_domains": ["corp.example"], "certificate": "certificates/cert.pem",
            "chain": "", "key": "certificates/key.pem", "thumbprint": "00",
            "not_after": "2030-01-01T00:00:00Z", "validated": {}}
with open(os.path.join(store, "identity.json"), "w") as f:
    json.dump(identity, f)
rc, report, _, err, _ = dnstool("check", "--domain", "corp.example", "--nameserver", ns,
                                "--edge-fqdn", "edge.corp.example", "--store", store, "--json")
lab.expect(status(report, "corp.example", "cert.names") == "pass" and rc == 0,
           "assigned certificate from the store is checked (rc %d, %s)" % (rc, err))

# --- records ---------------------------------------------------------------------------------
config = lab.write("edgekit.toml", """[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example", "chat.example"]
store = "%s"
[listen]
s2s = ["[::]:5269"]
direct_tls = ["[::]:5270"]
""" % store)
posh_out = lab.path("xmpp-server.json")
r = subprocess.run([os.path.join(os.environ.get("EDGEKIT_BIN", "build/bin"), "dnstool"),
                    "records", "--config", config, "--posh-out", posh_out],
                   capture_output=True, text=True)
out = r.stdout
lab.expect(r.returncode == 0, "records: exit 0 (%s)" % r.stderr)
for line in ("_xmpp-server._tcp.corp.example. 3600 IN SRV 0 5 5269 edge.corp.example.",
             "_xmpp-server._tcp.chat.example. 3600 IN SRV 0 5 5269 edge.corp.example.",
             "_xmpps-server._tcp.corp.example. 3600 IN SRV 0 5 5270 edge.corp.example.",
             "_5269._tcp.edge.corp.example. 3600 IN TLSA 3 1 1 " + spki_sha256(good),
             "_5270._tcp.edge.corp.example. 3600 IN TLSA 3 1 1 " + spki_sha256(good)):
    lab.expect(line in out.splitlines(), "records prints: " + line)
der = subprocess.run(["openssl", "x509", "-in", good, "-outform", "DER"], capture_output=True,
                     check=True).stdout
digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der,
                        capture_output=True, check=True).stdout
with open(posh_out) as f:
    posh = json.load(f)
lab.expect({"sha-256": base64.b64encode(digest).decode()} in posh["fingerprints"],
           "POSH document's sha-256 is openssl's digest of the DER")
lab.expect(isinstance(posh.get("expires"), int) and posh["expires"] > 0, "POSH has expires")

# The records parse as zone-file lines: NSD serves them and dnstool check passes on them.
zone = ZONE.replace("_xmpp-server._tcp IN SRV 0 5 5269 edge\n", "") + "\n".join(
    line for line in out.splitlines()
    if line.strip() and not line.startswith(";") and "corp.example." in line.split()[0]) + "\n"
port2 = lab.start_nsd({"corp.example": zone})
rc, report, _, err, _ = dnstool("check", "--domain", "corp.example", "--nameserver",
                                "127.0.0.1:%d" % port2, "--edge-fqdn", "edge.corp.example",
                                "--cert", good, "--json")
checks = checks_of(report, "corp.example")
lab.expect(rc == 0, "check passes on the published records (rc %d, %s)" % (rc, err))
lab.expect(checks.get("srv.xmpps", ("missing",))[0] == "pass", "published xmpps SRV passes")
lab.expect(checks.get("tlsa", ("missing",))[0] == "warn",
           "published TLSA matches (warn: zone not DNSSEC-validated) (%s)" % (checks.get("tlsa"),))

lab.finish()
