#!/usr/bin/env bash
# edgeproxy between an internal Prosody (attached as XEP-0114 components, no s2s of its own)
# and real partner servers, all in lab network namespaces with their own DNS:
#  - gtalk.example: legacy Prosody, plaintext + dialback only (the Lync/Google Talk example);
#  - tls.example:   Prosody with TLS + certificate authentication only (SASL EXTERNAL);
#  - stranger.example: a Prosody that is not in the partner list.
# Asserts on what the clients receive: messages and presence both ways, the unlisted partner
# refused, a partner that vanishes producing a bounce, SIGHUP keeping streams up, and a
# clean SIGTERM (exit 0).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
bin=${EDGEKIT_BIN:-$here/../../build/bin}
[ -x "$bin/edgeproxy" ] || { echo "edgeproxy binary missing in $bin" >&2; exit 1; }

fail() {
  lab_log "FAIL: $*"
  exit 1
}

lab_trap
lab_up || fail "lab_up"
lab_add_host dns 198.51.100.53 || fail "dns host"
lab_add_host edge 198.51.100.10 || fail "edge host"
lab_add_host internal 198.51.100.20 || fail "internal host"
lab_add_host legacy 198.51.100.11 || fail "legacy host"
lab_add_host tlsp 198.51.100.12 || fail "tls host"
lab_add_host stranger 198.51.100.13 || fail "stranger host"
lab_add_host spoof 198.51.100.14 || fail "spoof host"

for pair in corp.example:edge gtalk.example:legacy tls.example:tlsp stranger.example:stranger \
  spoof.example:spoof; do
  lab_dns_xmpp_zone "${pair%%:*}" "${pair#*:}" || fail "zone ${pair%%:*}"
done
lab_dns_start dns || fail "NSD"

lab_issue_cert edge corp.example xmpp.corp.example || fail "edge cert"
lab_issue_cert tlsp tls.example xmpp.tls.example || fail "tls partner cert"

# The internal server: corp.example users, one component per partner domain, no federation.
secret="component-$$-secret"
lab_start_prosody internal --domain corp.example --no-s2s \
  --component "gtalk.example:$secret" --component "tls.example:$secret" \
  --component "spoof.example:$secret" \
  --user bob@corp.example:bob-pw --user bill@corp.example:bill-pw || fail "internal Prosody"
lab_start_prosody legacy --domain gtalk.example --plain-s2s \
  --user alice@gtalk.example:alice-pw || fail "legacy Prosody"
lab_start_prosody tlsp --domain tls.example --cert tlsp --secure-auth --no-dialback \
  --user carol@tls.example:carol-pw || fail "tls Prosody"
lab_start_prosody stranger --domain stranger.example --plain-s2s \
  --user dan@stranger.example:dan-pw || fail "stranger Prosody"

# The edge: its store holds identity.json (what certtool assign writes) for the lab cert.
ed="$LAB_DIR/edge"
lab_edge_store "$ed/store" edge xmpp.corp.example corp.example || fail "edge store"
printf '%s\n' "$secret" >"$ed/component.secret"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$ed/dialback.secret"
chmod 600 "$ed/component.secret" "$ed/dialback.secret"
cat >"$ed/edgekit.toml" <<TOML
[edge]
fqdn = "xmpp.corp.example"
xmpp_domains = ["corp.example"]
store = "$ed/store"
[dns]
nameservers = ["198.51.100.53"]
[listen]
s2s = ["0.0.0.0:5269"]
metrics = "127.0.0.1:9269"
[internal]
host = "198.51.100.20"
port = 5347
secret_file = "$ed/component.secret"
[federation]
dialback_secret_file = "$ed/dialback.secret"
ca_file = "$(lab_ca_file)"
stream_establishment_timeout = "15s"

[[partner]]
domain = "gtalk.example"
type = "public-unverified"
tls = "not-supported"
sasl = "not-supported"
dialback = true

[[partner]]
domain = "spoof.example"
type = "federated"
tls = "not-supported"
sasl = "not-supported"
dialback = true

[[partner]]
domain = "tls.example"
type = "federated"
tls = "required"
sasl = "required"
dialback = false
TOML
"$bin/edgeproxy" --check-config --config "$ed/edgekit.toml" || fail "check-config"
lab_spawn edgeproxy edge "$bin/edgeproxy" --config "$ed/edgekit.toml" --log-level debug ||
  fail "start edgeproxy"
lab_wait_port edge 5269 10 edgeproxy || fail "edgeproxy does not listen"
elog="$LAB_DIR/logs/edgeproxy.log"
lab_wait_for 10 grep -q 'component.ready.*gtalk.example' "$elog" ||
  fail "component link for gtalk.example never came up"
lab_wait_for 10 grep -q 'component.ready.*tls.example' "$elog" || fail "no component link for tls.example"

# 1. Plain + dialback partner: messages both ways; bob asks for alice's presence first, so
#    the public-unverified rule lets alice's own request through afterwards.
lab_client_start bob internal --no-tls --jid bob@corp.example --password bob-pw \
  --ready-file "$LAB_DIR/bob.ready" \
  --expect alice@gtalk.example "hello from gtalk" --send alice@gtalk.example "hello from corp" \
  --subscribe alice@gtalk.example --expect-subscribed alice@gtalk.example ||
  fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob never came online"
lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "hello from gtalk" --expect bob@corp.example "hello from corp" \
  --expect-subscribe bob@corp.example --approve bob@corp.example ||
  fail "alice (legacy, dialback) did not get bob's message or subscription request"
lab_client_wait bob 30 || fail "bob did not get alice's message or her approval"
lab_client_received bob alice@gtalk.example "hello from gtalk" || fail "bob's inbox"
lab_client_received alice bob@corp.example "hello from corp" || fail "alice's inbox"
# The public-unverified rule remembers bob's request in the store (survives a restart).
lab_wait_for 5 grep -q '"bob@corp.example","alice@gtalk.example"' \
  "$ed/store/edgeproxy/subscriptions.json" || fail "bob's subscription request is not in the store"
grep -q 'stream.authenticated.*direction=in.*partner=gtalk.example.*method=dialback' "$elog" ||
  fail "no inbound dialback-authenticated stream from gtalk.example in the edge log"
grep -q 'stream.authenticated.*direction=out.*partner=gtalk.example.*method=dialback' "$elog" ||
  fail "no outbound dialback-authenticated stream to gtalk.example in the edge log"

# 2. TLS + SASL EXTERNAL partner, both ways.
lab_client_start bill internal --no-tls --jid bill@corp.example --password bill-pw \
  --ready-file "$LAB_DIR/bill.ready" \
  --expect carol@tls.example "tls ping" --send carol@tls.example "tls pong" || fail "start bill"
lab_client_wait_event bill ready 20 || fail "bill never came online"
lab_client carol tlsp --jid carol@tls.example --password carol-pw \
  --send bill@corp.example "tls ping" --expect bill@corp.example "tls pong" ||
  fail "carol (TLS + SASL EXTERNAL) did not get bill's answer"
lab_client_wait bill 30 || fail "bill did not get carol's message"
grep -q 'stream.authenticated.*direction=in.*partner=tls.example.*method=sasl-external.*tls=TLSv1' "$elog" ||
  fail "the inbound stream from tls.example is not TLS + SASL EXTERNAL"
grep -q 'stream.authenticated.*direction=out.*partner=tls.example.*method=sasl-external' "$elog" ||
  fail "the outbound stream to tls.example is not SASL EXTERNAL"

# 3. An unlisted partner is refused: dan's message comes back as an error, bob gets nothing.
lab_client dan stranger --no-tls --jid dan@stranger.example --password dan-pw \
  --send bob@corp.example "let me in" --expect-error bob@corp.example '*' ||
  fail "dan (unlisted partner) got no error back"
grep -q 'reason=unknown-partner' "$elog" || fail "the edge did not log unknown-partner"

# 3b. A listed partner that lies about `from`: a raw S2S peer (Python, stdlib only) is the
# authoritative server of spoof.example (it answers db:verify "valid"), authenticates
# spoof.example by dialback, sends one honest message and then one "from" gtalk.example. The
# edge must deliver the first, refuse the second with <invalid-from/> and close the stream.
cat >"$LAB_DIR/spoof_peer.py" <<'PY'
import re, socket, sys, threading, time
HDR = ("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
       "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' "
       "{attrs} version='1.0'>")

def read_until(sock, pattern, limit=10.0):
    data, deadline = b"", time.time() + limit
    sock.settimeout(0.5)
    while time.time() < deadline:
        if re.search(pattern, data):
            return data.decode(errors="replace")
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace") if re.search(pattern, data) else None

def authoritative(server):
    while True:
        conn, _ = server.accept()
        def serve(c):
            if read_until(c, rb"<stream:stream[^>]*>") is None:
                return
            c.sendall((HDR.format(attrs="id='auth1' from='spoof.example'") +
                       "<stream:features><dialback xmlns='urn:xmpp:features:dialback'/>"
                       "</stream:features>").encode())
            text = read_until(c, rb"</db:verify>")
            if text:
                m = re.search(r"<db:verify[^>]*from=['\"]([^'\"]+)['\"][^>]*to=['\"]([^'\"]+)"
                              r"['\"][^>]*id=['\"]([^'\"]+)['\"]", text)
                if m:
                    c.sendall(("<db:verify from='%s' to='%s' id='%s' type='valid'/>"
                               % (m.group(2), m.group(1), m.group(3))).encode())
            time.sleep(2)
            c.close()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 5269))
server.listen(8)
threading.Thread(target=authoritative, args=(server,), daemon=True).start()

s = socket.create_connection((sys.argv[1], 5269), timeout=10)
s.sendall(HDR.format(attrs="from='spoof.example' to='corp.example'").encode())
if read_until(s, rb"</stream:features>") is None:
    sys.exit("no features from the edge")
s.sendall(b"<db:result from='spoof.example' to='corp.example'>not-a-real-key</db:result>")
if read_until(s, rb"type=['\"]valid['\"]") is None:
    sys.exit("dialback for spoof.example was not accepted")
s.sendall(b"<message from='eve@spoof.example/x' to='bob@corp.example' type='chat'>"
          b"<body>honest hello</body></message>")
time.sleep(1)
s.sendall(b"<message from='alice@gtalk.example/x' to='bob@corp.example' type='chat'>"
          b"<body>spoofed hello</body></message>")
text = read_until(s, rb"invalid-from")
if text is None:
    sys.exit("the edge did not answer the spoofed from with invalid-from")
print("edge answered: invalid-from")
PY
lab_client_start bob3 internal --no-tls --jid bob@corp.example/spoof --password bob-pw \
  --ready-file "$LAB_DIR/bob3.ready" --expect eve@spoof.example "honest hello" \
  --sleep 3 || fail "start bob3"
lab_client_wait_event bob3 ready 20 || fail "bob3 never came online"
lab_exec spoof /usr/bin/python3 "$LAB_DIR/spoof_peer.py" 198.51.100.10 ||
  fail "the spoofing peer's expectations failed"
lab_client_wait bob3 30 || fail "bob did not get the honest message from spoof.example"
[ "$(lab_client_count bob3 message "body=spoofed hello")" -eq 0 ] ||
  fail "bob received the stanza with the spoofed from"
grep -q 'reason=stanza-from-not-authenticated' "$elog" ||
  fail "the edge did not log stanza-from-not-authenticated"

# 4. SIGHUP reloads without dropping the established streams: another round trip reuses them.
opened_before=$(grep -c 'stream.authenticated' "$elog")
kill -HUP "$(lab_pid edgeproxy)"
lab_wait_for 5 grep -q 'config.reloaded' "$elog" || fail "no reload after SIGHUP"
lab_client_start bill2 internal --no-tls --jid bill@corp.example/two --password bill-pw \
  --ready-file "$LAB_DIR/bill2.ready" --expect carol@tls.example "after reload" ||
  fail "start bill2"
lab_client_wait_event bill2 ready 20 || fail "bill2 never came online"
lab_client carol2 tlsp --jid carol@tls.example --password carol-pw \
  --send bill@corp.example "after reload" || fail "carol after reload"
lab_client_wait bill2 30 || fail "bill did not get carol's message after SIGHUP"
opened_after=$(grep -c 'stream.authenticated' "$elog")
[ "$opened_after" -eq "$opened_before" ] ||
  fail "SIGHUP dropped streams: $opened_before authenticated streams before, $opened_after after"

# 5. A partner that vanishes: bob's message to alice comes back as an error.
lab_stop prosody-legacy
lab_client bob2 internal --no-tls --jid bob@corp.example/vanish --password bob-pw \
  --send alice@gtalk.example "are you there" --expect-error alice@gtalk.example '*' ||
  fail "bob got no bounce for a message to the vanished partner"
grep -q 'stanza.bounced.*partner=gtalk.example.*condition=remote-server-' "$elog" ||
  fail "the edge did not log the bounce"

# 6. Metrics, then a clean SIGTERM.
metrics=$(lab_exec edge curl -sf http://127.0.0.1:9269/metrics) || fail "metrics endpoint"
grep -q 'edgeproxy_stanzas_total{partner="gtalk.example",direction="in"} [1-9]' <<<"$metrics" ||
  fail "metrics: no inbound stanza counted for gtalk.example"
grep -qE 'edgeproxy_streams_total\{partner="tls.example",direction="in",auth="sasl-external",tls="TLSv1\.[23]",trust="pkix"\} [1-9]' \
  <<<"$metrics" || fail "metrics: no PKIX-trusted SASL EXTERNAL stream counted for tls.example"
[ "$(lab_exec edge curl -sf http://127.0.0.1:9269/healthz)" = "ok" ] || fail "healthz"
pid=$(lab_pid edgeproxy)
kill -TERM "$pid"
for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "edgeproxy did not stop within 5 s of SIGTERM"
wait "$pid" 2>/dev/null
status=$?
[ "$status" -eq 0 ] || fail "edgeproxy exited with $status after SIGTERM (expected 0)"
grep -q 'edge.stopped' "$elog" || fail "edgeproxy did not log a clean stop"
lab_log "edgeproxy federation: all checks passed"
