#!/usr/bin/env bash
# Proves tests/lab/s2s_peer.py, the raw misbehaving partner the edgeproxy tests need for
# "a spoofed from is refused" and hostile input, against a real Prosody:
# - it authenticates spoofer.example by dialback, acting as its own authoritative server
#   (Prosody verifies the key by connecting back to the SRV target, i.e. the peer);
# - its honest message reaches bob; its message with a forged from (alice@gtalk.example) does
#   not, and the stream is closed with a stream error;
# - a DTD on a fresh stream gets a stream error too, and bob receives nothing more;
# - a forged key (the peer's authority disowns it) is not authenticated.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"

fail() {
  lab_log "FAIL: $*"
  exit 1
}
peer() {  # peer NAME ARGS... — runs s2s_peer.py on the spoofer host, JSON lines kept
  local name=$1
  shift
  lab_exec spoofer /usr/bin/python3 "$LAB_LIB_DIR/s2s_peer.py" --domain spoofer.example \
    --to corp.example --address "$(lab_ip corp)" --listen "$(lab_ip spoofer):5269" --timeout 15 \
    "$@" >"$LAB_DIR/clients/$name.jsonl" 2>>"$LAB_DIR/logs/peer-$name.log"
}

lab_trap
lab_up || fail "lab_up"
lab_add_host dns 198.51.100.53 || fail "host"
lab_add_host corp 198.51.100.12 || fail "host"
lab_add_host spoofer 198.51.100.35 || fail "host"
for z in corp:12 spoofer:35; do
  lab_dns_zone "${z%%:*}.example" <<EOF || fail "zone"
_xmpp-server._tcp 60 IN SRV 0 5 5269 xmpp.${z%%:*}.example.
xmpp 60 IN A 198.51.100.${z#*:}
EOF
done
lab_dns_start dns || fail "NSD"
lab_start_prosody corp --domain corp.example --plain-s2s --user bob@corp.example:bob-pw ||
  fail "Prosody"
mkdir -p "$LAB_DIR/clients"

lab_client_start bob corp --no-tls --jid bob@corp.example --password bob-pw \
  --ready-file "$LAB_DIR/bob.ready" --expect eve@spoofer.example "honest" --sleep 3 ||
  fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob offline"

peer spoof --dialback \
  --send "<message from='eve@spoofer.example' to='bob@corp.example' type='chat'><body>honest</body></message>" \
  --send "<message from='alice@gtalk.example' to='bob@corp.example' type='chat'><body>spoofed</body></message>" \
  --expect-stream-error '*' || fail "the spoofing peer was not authenticated or not cut off"
grep -q '"event": "authenticated"' "$LAB_DIR/clients/spoof.jsonl" || fail "no dialback authentication"
grep -q '"event": "verify_request".*"valid": true' "$LAB_DIR/clients/spoof.jsonl" ||
  fail "Prosody did not verify the key with the peer's authority"
grep '"stream_error"' "$LAB_DIR/clients/spoof.jsonl"

peer dtd --send "<!DOCTYPE x [<!ENTITY a 'b'>]><message to='bob@corp.example'><body>&a;</body></message>" \
  --expect-stream-error '*' || fail "a DTD did not end the stream with an error"

# A key the authoritative server disowns: Prosody must not authenticate the stream.
peer forged --dialback-forged && fail "a forged dialback key was accepted"
grep -q '"event": "dialback_failed"' "$LAB_DIR/clients/forged.jsonl" ||
  grep -q '"event": "stream_error"' "$LAB_DIR/clients/forged.jsonl" ||
  fail "no dialback failure reported for the forged key"
grep -q '"event": "verify_request".*"valid": false' "$LAB_DIR/clients/forged.jsonl" ||
  fail "Prosody did not ask the authority about the forged key"

lab_client_wait bob 30 || fail "bob did not receive the honest message"
lab_client_received bob eve@spoofer.example honest || fail "bob's inbox"
[ "$(lab_client_count bob message body=spoofed)" -eq 0 ] || fail "bob received the spoofed message"
[ "$(lab_client_count bob message body=b)" -eq 0 ] || fail "bob received the entity-expanded message"

id=$LAB_ID
lab_down
left=$(lab_leftovers "$id")
[ -z "$left" ] || { echo "$left" >&2; fail "left behind after lab_down"; }
trap - EXIT
echo "lab_s2s_peer_test: PASS"
