#!/usr/bin/env bash
# "Nothing lost" on two edgeproxy paths, against real servers in lab network namespaces:
#
# 1. A refusal of a stanza from inside reaches the internal sender. The only real way to put a
#    stanza whose `to` is NOT a partner onto a component link is a multi-host component: the
#    internal server is ejabberd 23.01, whose one `ejabberd_service` listener serves
#    gtalk.example, peer.example and stale.example (global routes, its default), so the link
#    the edge opens for a partner also carries stale.example, which is no `[[partner]]`.
#    (Prosody 0.12 cannot: it routes to a `Component` by the nameprepped host and rewrites `to`
#    to it, and the edge opens links only for partner domains and stops reading a link whose
#    partner a reload removed.) bob@corp.example sends to ghost@stale.example: the edge must
#    log `stanza.refused ... reason=unknown-partner` and `stanza.bounced`, and bob must get a
#    <policy-violation/> error back over the link the stanza came on. (Before the fix the
#    bounce went to a link named stale.example, which does not exist: bob got nothing.)
#
# 2. A reload refused for the component secret keeps the dialback keys. The edge starts with
#    dialback secret A. The legacy Prosody gtalk.example (plaintext + dialback) federates both
#    ways (its server checks the edge's keys by db:verify). peer.example is played by
#    tests/lab/s2s_peer.py as a receiving server: it records the key of the edge's
#    db:result. Then edgekit.toml is changed to dialback secret B and a missing
#    internal.secret_file and SIGHUP sent: `config.reload_failed ... reason=secret-unreadable`,
#    the edge stays up. Afterwards (a) the edge, as authoritative server, must still confirm
#    the key it issued before the reload (db:verify type='valid'), and (b) a new outbound
#    stream must carry the key of secret A: HMAC-SHA256(hex(SHA-256(A)), "peer.example
#    corp.example " + stream id), hex, computed here and compared. (Before the fix the
#    refused reload had already switched to B: (a) invalid, (b) the key of B.)
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
bin=${EDGEKIT_BIN:-$here/../../build/bin}
[ -x "$bin/edgeproxy" ] || { echo "edgeproxy binary missing in $bin" >&2; exit 1; }
peer_py="$here/../lab/s2s_peer.py"

failures=0
pass() { lab_log "PASS: $*"; }
check_fail() {
  lab_log "FAIL: $*"
  failures=$((failures + 1))
}
fail() {
  lab_log "FAIL: $*"
  exit 1
}

t_start=$(lab_now_ms)
lab_trap
lab_up || fail "lab_up"
lab_add_host dns 198.51.100.53 || fail "dns host"
lab_add_host edge 198.51.100.10 || fail "edge host"
lab_add_host internal 198.51.100.20 || fail "internal host"
lab_add_host legacy 198.51.100.11 || fail "legacy host"
lab_add_host peer 198.51.100.12 || fail "peer host"
for pair in corp.example:edge gtalk.example:legacy peer.example:peer; do
  lab_dns_xmpp_zone "${pair%%:*}" "${pair#*:}" || fail "zone ${pair%%:*}"
done
lab_dns_start dns || fail "NSD"
lab_issue_cert edge corp.example xmpp.corp.example || fail "edge cert"

secret="component-$$-secret"
lab_start_ejabberd internal --domain corp.example --no-s2s \
  --component "gtalk.example:$secret" --component "peer.example:$secret" \
  --component "stale.example:$secret" --user bob@corp.example:bob-pw || fail "internal ejabberd"
lab_start_prosody legacy --domain gtalk.example --plain-s2s \
  --user alice@gtalk.example:alice-pw || fail "legacy Prosody"

ed="$LAB_DIR/edge"
lab_edge_store "$ed/store" edge xmpp.corp.example corp.example || fail "edge store"
printf '%s\n' "$secret" >"$ed/component.secret"
secret_a="dialback-A-$$-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
secret_b="dialback-B-$$-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$secret_a" >"$ed/dialback-a.secret"
printf '%s\n' "$secret_b" >"$ed/dialback-b.secret"
chmod 600 "$ed/component.secret" "$ed/dialback-a.secret" "$ed/dialback-b.secret"
cat >"$ed/edgekit.toml" <<TOML
[edge]
fqdn = "xmpp.corp.example"
xmpp_domains = ["corp.example"]
store = "$ed/store"
[dns]
nameservers = ["198.51.100.53"]
[listen]
s2s = ["0.0.0.0:5269"]
metrics = ""
[internal]
host = "198.51.100.20"
port = 5347
secret_file = "$ed/component.secret"
[federation]
dialback_secret_file = "$ed/dialback-a.secret"
ca_file = "$(lab_ca_file)"
stream_establishment_timeout = "15s"

[[partner]]
domain = "gtalk.example"
type = "federated"
tls = "not-supported"
sasl = "not-supported"
dialback = true

[[partner]]
domain = "peer.example"
type = "federated"
tls = "not-supported"
sasl = "not-supported"
dialback = true
TOML
"$bin/edgeproxy" --check-config --config "$ed/edgekit.toml" || fail "check-config"
lab_spawn edgeproxy edge "$bin/edgeproxy" --config "$ed/edgekit.toml" --log-level debug ||
  fail "start edgeproxy"
lab_wait_port edge 5269 10 edgeproxy || fail "edgeproxy does not listen"
elog="$LAB_DIR/logs/edgeproxy.log"
lab_wait_for 20 grep -q 'component.ready.*partner=gtalk.example' "$elog" ||
  fail "ejabberd did not accept the component link for gtalk.example"
lab_wait_for 20 grep -q 'component.ready.*partner=peer.example' "$elog" ||
  fail "ejabberd did not accept the component link for peer.example"

# dialback_key DOMAIN_SECRET RECEIVING ORIGINATING STREAM_ID: the XEP-0185 key, as the edge
# derives it (the key of the HMAC is the hex SHA-256 of the secret).
dialback_key() {
  /usr/bin/python3 -c '
import hashlib, hmac, sys
secret, recv, orig, sid = sys.argv[1:5]
k = hashlib.sha256(secret.encode()).hexdigest().encode()
print(hmac.new(k, ("%s %s %s" % (recv, orig, sid)).encode(), hashlib.sha256).hexdigest())
' "$@"
}
# The id s2s_peer.py gave its answering stream header, and the key of the edge's db:result.
peer_stream_id() {
  grep '"what": "stream header"' "$LAB_DIR/logs/$1.log" | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' |
    head -1
}
peer_key() {
  grep -o "<db:result[^>]*>[0-9a-f]*</db:result>" "$1" | head -1 | sed 's/.*>\([0-9a-f]*\)<.*/\1/'
}
features="<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>"

# ---- 1. a stanza from inside for a domain that is not a partner -----------------------------
lab_client bobstale internal --no-tls --jid bob@corp.example/stale --password bob-pw \
  --timeout 10 --send ghost@stale.example "anyone there" \
  --expect-error ghost@stale.example policy-violation
rc=$?
if [ "$rc" -eq 0 ]; then
  pass "bob got <policy-violation/> back for his message to ghost@stale.example"
else
  check_fail "bob got no <policy-violation/> for his message to ghost@stale.example (client exit $rc)"
fi
if grep -q 'stanza.refused.*direction=out.*reason=unknown-partner' "$elog"; then
  pass "the edge logged stanza.refused reason=unknown-partner"
else
  check_fail "no stanza.refused reason=unknown-partner in the edge log"
fi
if grep -q 'stanza.bounced.*partner=stale.example.*direction=out.*reason=unknown-partner.*condition=policy-violation' \
  "$elog"; then
  pass "the edge logged the bounce to the internal sender"
else
  check_fail "no stanza.bounced partner=stale.example reason=unknown-partner in the edge log"
fi

# ---- 2. dialback keys and a refused reload -------------------------------------------------
# 2a. The real legacy partner federates both ways with secret A.
lab_client_start bob internal --no-tls --jid bob@corp.example/gtalk --password bob-pw \
  --ready-file "$LAB_DIR/bob.ready" \
  --expect alice@gtalk.example "hello from gtalk" --send alice@gtalk.example "hello from corp" ||
  fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob never came online"
if lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "hello from gtalk" --expect bob@corp.example "hello from corp" &&
  lab_client_wait bob 30 &&
  grep -q 'stream.authenticated.*direction=out.*partner=gtalk.example.*method=dialback' "$elog"; then
  pass "gtalk.example (Prosody, dialback) federated both ways before the reload"
else
  check_fail "gtalk.example did not federate both ways by dialback before the reload"
fi

# 2b. The edge's outbound stream to peer.example (s2s_peer.py as the receiving server) before
#     the reload: its key is the one of secret A.
run_peer_receiver() {  # NAME BODY: play peer.example's receiving server for one stream
  local name=$1 body=$2
  lab_spawn "$name" peer /usr/bin/python3 "$peer_py" --domain peer.example --to corp.example \
    --receive 198.51.100.12:5269 --timeout 20 --record "$LAB_DIR/$name.rec" \
    --send "$features" --expect "</db:result>" \
    --send "<db:result from='peer.example' to='corp.example' type='valid'/>" \
    --expect "$body" || return 1
  lab_wait_port peer 5269 10 "$name" || return 1
  lab_client "bob-$name" internal --no-tls --jid "bob@corp.example/$name" --password bob-pw \
    --send pat@peer.example "$body" --sleep 1 || return 1
  for _ in $(seq 100); do lab_alive "$name" || break; sleep 0.2; done
  grep -q '"event": "done".*"exit_code": 0' "$LAB_DIR/logs/$name.log"
}
run_peer_receiver peer1 "before reload" || check_fail "peer.example's receiver (before the reload) did not get bob's message"
id1=$(peer_stream_id peer1)
key1=$(peer_key "$LAB_DIR/peer1.rec")
{ [ -n "$id1" ] && [ -n "$key1" ]; } || fail "no stream id ($id1) or no dialback key ($key1) from the first peer.example stream"
want1=$(dialback_key "$secret_a" peer.example corp.example "$id1")
if [ "$key1" = "$want1" ]; then
  pass "before the reload the edge's dialback key is the one of secret A"
else
  check_fail "before the reload the key $key1 is not the one of secret A ($want1)"
fi
lab_wait_for 10 grep -q 'stream.closed.*direction=out.*partner=peer.example' "$elog" ||
  fail "the edge did not notice the end of its first stream to peer.example"

# 2c. The refused reload: dialback secret B, component secret missing.
sed -i -e "s|dialback-a.secret|dialback-b.secret|" \
  -e "s|^secret_file = .*|secret_file = \"$ed/missing-component.secret\"|" "$ed/edgekit.toml"
{ grep -q 'dialback-b.secret' "$ed/edgekit.toml" && grep -q 'missing-component.secret' "$ed/edgekit.toml"; } ||
  fail "could not edit edgekit.toml"
kill -HUP "$(lab_pid edgeproxy)"
if lab_wait_for 10 grep -q 'config.reload_failed.*reason=secret-unreadable' "$elog"; then
  pass "the reload was refused with reason=secret-unreadable"
else
  check_fail "no config.reload_failed reason=secret-unreadable after SIGHUP"
fi
sleep 0.5
if lab_alive edgeproxy && ! grep -q 'config.reloaded' "$elog"; then
  pass "the edge stayed up and did not apply the refused configuration"
else
  fail "the edge died or applied the refused configuration"
fi

# 2d. The edge, as authoritative server, still confirms the key it issued before the reload.
lab_exec peer /usr/bin/python3 "$peer_py" --domain peer.example --to corp.example \
  --address 198.51.100.10 --timeout 10 --record "$LAB_DIR/verify.rec" \
  --send "<db:verify from='peer.example' to='corp.example' id='$id1'>$key1</db:verify>" \
  --expect "id='$id1' type=" >"$LAB_DIR/verify.jsonl" 2>&1 ||
  check_fail "the edge did not answer peer.example's db:verify at all"
answer=$(grep -o "<db:verify[^>]*id='$id1'[^>]*>" "$LAB_DIR/verify.rec" 2>/dev/null | head -1)
if grep -q "type='valid'" <<<"$answer"; then
  pass "after the refused reload the edge still confirms the key it issued before (db:verify valid)"
else
  check_fail "after the refused reload the edge no longer confirms its earlier key: ${answer:-no answer}"
fi

# 2e. A new outbound stream after the refused reload still carries the key of secret A.
run_peer_receiver peer2 "after reload" || check_fail "peer.example's receiver (after the reload) did not get bob's message"
id2=$(peer_stream_id peer2)
key2=$(peer_key "$LAB_DIR/peer2.rec")
{ [ -n "$id2" ] && [ -n "$key2" ]; } || fail "no stream id ($id2) or no dialback key ($key2) from the second peer.example stream"
want2=$(dialback_key "$secret_a" peer.example corp.example "$id2")
with_b=$(dialback_key "$secret_b" peer.example corp.example "$id2")
if [ "$key2" = "$want2" ]; then
  pass "after the refused reload a new stream's key is still the one of secret A"
elif [ "$key2" = "$with_b" ]; then
  check_fail "after the refused reload the new stream's key is the one of secret B"
else
  check_fail "after the refused reload the key $key2 is neither secret A's ($want2) nor B's ($with_b)"
fi

# 2f. The real partner still federates after the refused reload.
lab_client_start bob2 internal --no-tls --jid bob@corp.example/after --password bob-pw \
  --ready-file "$LAB_DIR/bob2.ready" --expect alice@gtalk.example "still there" ||
  fail "start bob2"
lab_client_wait_event bob2 ready 20 || fail "bob2 never came online"
if lab_client alice2 legacy --no-tls --jid alice@gtalk.example/after --password alice-pw \
  --send bob@corp.example "still there" && lab_client_wait bob2 20; then
  pass "gtalk.example still reaches bob after the refused reload"
else
  check_fail "gtalk.example no longer reaches bob after the refused reload"
fi

lab_log "timings_ms: total=$(($(lab_now_ms) - t_start))"
lab_log "edgeproxy reload and refusals: $failures failed"
[ "$failures" -eq 0 ]
