"""dnstool check --posh against POSH documents (RFC 7711) served over HTTPS on loopback by a
small python3 server with a certificate made now; libcurl is pinned to it with --connect-to.
Cases: a matching document, a document for another certificate, a delegation ("url"), a
double delegation, no document (404), and garbage."""

import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnstool_lab import Lab, dnstool, checks_of, make_ca, make_leaf, free_port, read_text  # noqa

lab = Lab("dnstool-posh")
ca = make_ca(lab, "ca")
edge = make_leaf(lab, "edge", ca, ["corp.example", "edge.corp.example"])
other = make_leaf(lab, "other", ca, ["other.example"])
hosts = ["corp.example", "mismatch.example", "deleg.example", "hosting.example",
         "twice.example", "none.example", "garbage.example"]
web = make_leaf(lab, "web", ca, hosts)

# The documents, made by dnstool records itself (and one for a different certificate).
def posh_of(cert):
    r = subprocess.run([os.path.join(os.environ.get("EDGEKIT_BIN", "build/bin"), "dnstool"),
                        "records", "--domain", "corp.example", "--edge-fqdn", "edge.corp.example",
                        "--cert", cert, "--store", lab.path("no-store"), "--json"],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)["posh"]


docs = lab.path("docs")
os.makedirs(docs)
files = {
    "corp.example/.well-known/posh/xmpp-server.json": json.dumps(posh_of(edge[0])),
    "mismatch.example/.well-known/posh/xmpp-server.json": json.dumps(posh_of(other[0])),
    "deleg.example/.well-known/posh/xmpp-server.json":
        json.dumps({"url": "https://hosting.example/posh/corp.json", "expires": 3600}),
    "hosting.example/posh/corp.json": json.dumps(posh_of(edge[0])),
    "twice.example/.well-known/posh/xmpp-server.json":
        json.dumps({"url": "https://deleg.example/.well-known/posh/xmpp-server.json",
                    "expires": 3600}),
    "garbage.example/.well-known/posh/xmpp-server.json": "<html>not json</html>",
}
for name, text in files.items():
    lab.write(os.path.join("docs", name), text)

port = free_port()
server = lab.write("posh_server.py", """
import http.server, os, ssl, sys
root, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        path = os.path.normpath(os.path.join(root, host, self.path.lstrip("/")))
        if not path.startswith(root) or not os.path.isfile(path):
            self.send_response(404); self.end_headers(); return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
httpd.serve_forever()
""")
proc = lab.start(["/usr/bin/python3", server, docs, str(port), web[0], web[1]], "posh.out")
deadline = time.time() + 10
while True:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        break
    except OSError:
        if proc.poll() is not None or time.time() > deadline:
            raise SystemExit("FAIL: POSH server did not start: " + read_text(lab.path("posh.out")))
        time.sleep(0.05)

# DNS is irrelevant here but every query stays on loopback: a dead nameserver port.
dead = "127.0.0.1:%d" % free_port()


def posh(domain, cert=edge[0]):
    rc, report, _, err, _ = dnstool("check", "--domain", domain, "--nameserver", dead,
                                    "--timeout-ms", "100", "--posh", "--connect-to",
                                    "127.0.0.1:%d" % port, "--ca-file", ca[0], "--cert", cert,
                                    "--json")
    return checks_of(report, domain).get("posh", ("missing", err))


result = posh("corp.example")
lab.expect(result[0] == "pass", "matching POSH document: pass (%s)" % (result,))
result = posh("mismatch.example")
lab.expect(result[0] == "fail", "POSH for another certificate: fail (%s)" % (result,))
result = posh("deleg.example")
lab.expect(result[0] == "pass" and "delegated" in result[1],
           "delegated POSH followed once: pass (%s)" % (result,))
result = posh("twice.example")
lab.expect(result[0] == "fail" and "twice" in result[1], "double delegation: fail (%s)"
           % (result,))
result = posh("none.example")
lab.expect(result[0] == "skip" and "404" in result[1], "no document (404): skip (%s)"
           % (result,))
result = posh("garbage.example")
lab.expect(result[0] == "fail", "garbage document: fail (%s)" % (result,))
# The HTTPS server must be trusted: without our CA the fetch fails (no document used).
rc, report, _, err, _ = dnstool("check", "--domain", "corp.example", "--nameserver", dead,
                                "--timeout-ms", "100", "--posh", "--connect-to",
                                "127.0.0.1:%d" % port, "--cert", edge[0], "--json")
result = checks_of(report, "corp.example").get("posh", ("missing", ""))
lab.expect(result[0] == "skip" and "certificate" in result[1].lower(),
           "untrusted HTTPS server: no document used (%s)" % (result,))

lab.finish()
