"""dnstool check against a real NSD on loopback: a good domain and one sub-domain per mistake
(wrong port, CNAME target, no address, NXDOMAIN target, "." target, no SRV, NODATA, edge not a
target), JSON and human output, exit codes 0/1/3, and the time a full check takes."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnstool_lab import Lab, dnstool, checks_of, status, free_port  # noqa: E402

ZONE = """$ORIGIN corp.example.
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ IN NS ns1
ns1 IN A 127.0.0.1
edge IN A 127.0.0.1
edge IN AAAA ::1
edge4 IN A 127.0.0.2
alias IN CNAME edge
noaddr-host IN TXT "no address here"
_xmpp-server._tcp IN SRV 0 5 5269 edge
_xmpps-server._tcp IN SRV 0 5 5270 edge
_xmpp-server._tcp.wrongport IN SRV 0 5 5222 edge
_xmpp-server._tcp.cname IN SRV 0 5 5269 alias
_xmpp-server._tcp.noaddr IN SRV 0 5 5269 noaddr-host
_xmpp-server._tcp.nxtarget IN SRV 0 5 5269 missing
_xmpp-server._tcp.dot IN SRV 0 0 0 .
nosrv IN A 127.0.0.1
_xmpp-server._tcp.nodata IN TXT "not an SRV"
_xmpp-server._tcp.other IN SRV 10 5 5269 edge4
_xmpp-server._tcp.other IN SRV 0 10 5269 edge
_xmpp-server._tcp.other IN SRV 0 50 5269 edge4
""" + "".join("_xmpp-server._tcp.big IN SRV 0 %d 5269 edge-with-a-rather-long-name-%02d\n" % (i, i)
              for i in range(60)) + "".join(
    "edge-with-a-rather-long-name-%02d IN A 127.0.0.1\n" % i for i in range(60))

lab = Lab("dnstool-check")
port = lab.start_nsd({"corp.example": ZONE})
ns = "127.0.0.1:%d" % port
common = ["--nameserver", ns, "--edge-fqdn", "edge.corp.example", "--json"]

# --- the good domain --------------------------------------------------------------------
rc, report, out, err, seconds = dnstool("check", "--domain", "corp.example", *common)
lab.expect(rc == 0, "good domain: exit 0 (got %d, stderr %r)" % (rc, err))
lab.expect(report is not None and report.get("ok") is True, "good domain: ok true")
checks = checks_of(report, "corp.example")
for check_id in ("srv.present", "srv.port", "srv.target", "srv.target_address",
                 "srv.target_alias", "srv.xmpps"):
    lab.expect(checks.get(check_id, ("missing",))[0] == "pass",
               "good domain: %s pass (%s)" % (check_id, checks.get(check_id)))
lab.expect(status(report, "corp.example", "dnssec") == "skip", "no anchors: dnssec skip")
lab.expect("IPv4 127.0.0.1" in checks["srv.target_address"][1]
           and "IPv6 ::1" in checks["srv.target_address"][1],
           "address families named: %s" % checks["srv.target_address"][1])
lab.expect(set(report.keys()) == {"ok", "results"}, "JSON top level is exactly ok + results")
for check in report["results"][0]["checks"]:
    lab.expect(check["status"] in ("pass", "warn", "fail", "skip") and
               isinstance(check["message"], str) and check["message"],
               "check %s has a status and a message" % check["id"])
print("full check against loopback took %.3f s" % seconds)
lab.expect(seconds < 1.0, "a full check against loopback takes under a second (%.3f s)" % seconds)

# --- one domain per mistake: (domain, failing check id, expected status) --------------------
mistakes = [
    ("wrongport.corp.example", "srv.port", "fail"),
    ("cname.corp.example", "srv.target_alias", "fail"),
    ("cname.corp.example", "srv.target", "fail"),
    ("noaddr.corp.example", "srv.target_address", "fail"),
    ("nxtarget.corp.example", "srv.target_address", "fail"),
    ("dot.corp.example", "srv.present", "fail"),
    ("nosrv.corp.example", "srv.present", "fail"),
    ("nodata.corp.example", "srv.present", "fail"),
    ("nonexistent.corp.example", "srv.present", "fail"),
]
for domain, check_id, expected in mistakes:
    rc, report, out, err, _ = dnstool("check", "--domain", domain, *common)
    got = status(report, domain, check_id)
    lab.expect(rc == 1, "%s: exit 1 (got %d, %s)" % (domain, rc, err.strip()))
    lab.expect(report is not None and report["ok"] is False, "%s: ok false" % domain)
    lab.expect(got == expected, "%s: %s is %s (got %s: %s)" %
               (domain, check_id, expected, got, checks_of(report, domain).get(check_id)))

# A good check that passes must not be flagged on a mistaken domain.
rc, report, *_ = dnstool("check", "--domain", "wrongport.corp.example", *common)
lab.expect(status(report, "wrongport.corp.example", "srv.target_address") == "pass",
           "wrong port: the target's addresses still pass")
rc, report, *_ = dnstool("check", "--domain", "nxtarget.corp.example", *common)
lab.expect("NXDOMAIN" in checks_of(report, "nxtarget.corp.example")["srv.target_address"][1],
           "NXDOMAIN target named as such")
rc, report, *_ = dnstool("check", "--domain", "nodata.corp.example", *common)
lab.expect("NODATA" in checks_of(report, "nodata.corp.example")["srv.present"][1],
           "NODATA named as such")

# RFC 2782 order: priority 0 first, heavier weight first, then priority 10.
rc, report, *_ = dnstool("check", "--domain", "other.corp.example", *common)
message = checks_of(report, "other.corp.example")["srv.present"][1]
lab.expect(message.find("0 50 5269 edge4") < message.find("0 10 5269 edge.corp")
           < message.find("10 5 5269 edge4"), "SRV shown in RFC 2782 order: " + message)
lab.expect(rc == 0, "several targets with the edge among them: exit 0")

# 60 SRV records do not fit a 1232-byte UDP answer: NSD truncates, dnstool retries over TCP.
dig = subprocess.run(["dig", "-p", str(port), "@127.0.0.1", "+ignore", "+bufsize=1232",
                      "_xmpp-server._tcp.big.corp.example", "SRV"], capture_output=True, text=True)
lab.expect(" tc" in dig.stdout.split("flags:")[1].split(";")[0] if "flags:" in dig.stdout else False,
           "the UDP answer really is truncated (dig +ignore shows TC)")
rc, report, *_ = dnstool("check", "--domain", "big.corp.example", "--nameserver", ns, "--json")
message = checks_of(report, "big.corp.example").get("srv.present", ("", ""))[1]
lab.expect("60 records" in message, "truncated UDP answer completed over TCP: " + message[:80])
lab.expect(status(report, "big.corp.example", "srv.target_address") == "pass",
           "all 60 targets resolved")

# Several domains in one run: one result each, and one failure makes the whole run fail.
rc, report, *_ = dnstool("check", "--domain", "corp.example", "--domain", "dot.corp.example",
                         *common)
lab.expect(rc == 1 and len(report["results"]) == 2, "two domains: two results, exit 1")

# --- human output ------------------------------------------------------------------------
rc, _, out, err, _ = dnstool("check", "--domain", "wrongport.corp.example", "--nameserver", ns,
                             "--edge-fqdn", "edge.corp.example")
lab.expect(rc == 1, "human output: exit 1")
lab.expect("\033[" not in out, "no colour when stdout is not a TTY")
lab.expect("fail  srv.port" in out, "human line has status and id")
lab.expect("fix: publish: _xmpp-server._tcp.wrongport.corp.example. 3600 IN SRV 0 5 5269 "
           "edge.corp.example." in out, "human output gives the fix line")
lab.expect("verdict: FAIL" in out, "human verdict line")
lines = [line for line in out.splitlines() if line.startswith("  ") and "fix:" not in line]
columns = {line.index(line.split()[2]) for line in lines}
lab.expect(len(columns) == 1, "messages are aligned in one column")

# On a terminal the statuses are coloured (and NO_COLOR turns that off).
tty_command = "%s check --domain wrongport.corp.example --nameserver %s" % (
    os.path.join(os.environ.get("EDGEKIT_BIN", "build/bin"), "dnstool"), ns)
tty = subprocess.run(["script", "-qec", tty_command, "/dev/null"], capture_output=True, text=True,
                     timeout=30)
lab.expect("\033[1;31mfail\033[0m" in tty.stdout, "colour on a TTY")
tty = subprocess.run(["script", "-qec", tty_command, "/dev/null"], capture_output=True, text=True,
                     timeout=30, env=dict(os.environ, NO_COLOR="1"))
lab.expect("\033[" not in tty.stdout and "fail" in tty.stdout, "NO_COLOR disables colour")

# --- exit 3 when no nameserver answers, 2 on usage errors -------------------------------
dead = free_port()
rc, report, out, err, seconds = dnstool("check", "--domain", "corp.example", "--nameserver",
                                        "127.0.0.1:%d" % dead, "--timeout-ms", "200", "--json")
lab.expect(rc == 3, "no nameserver answers: exit 3 (got %d)" % rc)
lab.expect("dnstool: error:" in err, "no nameserver: error on stderr: %r" % err)
lab.expect(seconds < 5, "bounded time when nobody answers (%.2f s)" % seconds)
# A dead first nameserver falls over to the live second one.
rc, report, *_ = dnstool("check", "--domain", "corp.example", "--nameserver",
                         "127.0.0.1:%d" % dead, "--nameserver", ns, "--timeout-ms", "200",
                         "--edge-fqdn", "edge.corp.example", "--json")
lab.expect(rc == 0, "second nameserver used when the first is dead (exit %d)" % rc)
rc, _, _, err, _ = dnstool("check", "--domain", "corp.example", "--nameserver", "not-an-ip")
lab.expect(rc == 2 and "dnstool: error:" in err, "bad --nameserver: exit 2")

# --- the config supplies domains, edge FQDN and nameservers ------------------------------
config = lab.write("edgekit.toml", """[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example", "wrongport.corp.example"]
store = "%s"
[dns]
nameservers = ["%s"]
""" % (lab.path("store"), ns))
rc, report, out, err, _ = dnstool("check", "--config", config, "--json")
lab.expect(rc == 1 and [r["domain"] for r in report["results"]] ==
           ["corp.example", "wrongport.corp.example"],
           "config: both xmpp_domains checked (exit %d, %s)" % (rc, err))
lab.expect(status(report, "corp.example", "srv.target") == "pass",
           "config: edge.fqdn used for srv.target")

lab.finish()
