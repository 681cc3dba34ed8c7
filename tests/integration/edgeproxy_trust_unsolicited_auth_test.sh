#!/usr/bin/env bash
# A partner server that declares the edge's outbound stream authenticated without being asked
# (issue "edgeproxy trust"). The partners are tls = "required"; the lab DNS SRV of each points
# at s2s_peer.py in receiving-server mode (--receive), which records every byte the edge sends:
#   (a) unsolicited-db.example: after its stream header, an unsolicited
#       <db:result type='valid'/> (the edge sent no db:result, no TLS happened);
#   (b) unsolicited-sasl.example: after its header, a SASL <success/> though the edge sent no
#       <auth/> and no TLS happened; then it answers the restarted stream with empty features.
# bob@corp.example (internal) sends one message to each partner. Asserts what users and the
# peer see: nothing but stream negotiation reaches the raw peer (no <message, no plaintext
# stanza at all), bob gets an error bounce (remote-server-not-found) for each message, the edge
# logs stream.closed ... reason=unexpected-dialback-result / unexpected-sasl-success and stays
# up. s2s_peer.py stands in for the partner: no real server sends these out of turn.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_hostile_lib.sh
source "$here/edgeproxy_trust_hostile_lib.sh"

t_start=$(lab_now_ms)
trust_lab_up
no_stanza_in() {  # the recorded bytes hold the edge's stream header and no stanza
  grep -q '<stream:stream' "$1" && ! grep -Eq '<(message|presence|iq)[ >/]' "$1"
}

# case NAME HOST DOMAIN REASON PEER_STEPS...
run_case() {
  local name=$1 host=$2 domain=$3 reason=$4
  shift 4
  local rec="$LAB_DIR/$name.bytes"
  : >"$rec"
  trust_peer_start "$name" "$host" --domain "$domain" --receive "$(lab_ip "$host"):5269" \
    --record "$rec" --timeout 10 --keep-going "$@" || fail "start raw peer $name"
  trust_wait_event "$name" listening 10 || fail "raw peer $name does not listen"
  lab_client "bob-$name" internal --no-tls --jid "bob@corp.example/$name" --password bob-pw \
    --timeout 12 --send "carol@$domain" "secret for $name" \
    --expect-error "carol@$domain" remote-server-not-found
  local bob_rc=$?
  trust_peer_wait "$name" 30
  check "$name: the raw peer was reached (it got the edge's stream header)" \
    test "$(trust_events "$name" accepted)" -ge 1
  check "$name: nothing but stream negotiation reached the raw peer" no_stanza_in "$rec"
  check "$name: the message body never crossed in plaintext" \
    bash -c "! grep -q 'secret for $name' '$rec'"
  check "$name: bob got a remote-server-not-found bounce" test "$bob_rc" -eq 0
  check "$name: the edge logged stream.closed ... reason=$reason" \
    grep -q "stream.closed.*partner=$domain.*reason=$reason" "$TRUST_EDGE_LOG"
  check "$name: the edge is up" trust_edge_up
  lab_log "$name: the edge sent the peer: $(tr -d '\n' <"$rec" | cut -c1-600)"
}

run_case unsol-db rawdb unsolicited-db.example unexpected-dialback-result \
  --send "<db:result from='unsolicited-db.example' to='corp.example' type='valid'/>" --sleep 3
run_case unsol-sasl rawsasl unsolicited-sasl.example unexpected-sasl-success \
  --send "<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>" --restart \
  --send "<stream:features/>" --sleep 3

if [ ${#failures[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} assertions failed"
fi
trust_lab_down
echo "timings_ms: total=$(($(lab_now_ms) - t_start))"
echo "edgeproxy_trust_unsolicited_auth_test: PASS"
