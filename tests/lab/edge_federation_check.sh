#!/usr/bin/env bash
# End-to-end check of edgeproxy in the edge lab (tests/lab/edge_topology.sh):
#
#   tests/lab/edge_federation_check.sh EDGEPROXY_BINARY [--keep]
#
# ctest runs it as tests/integration/lab_edge_federation_test.sh with "$EDGEKIT_BIN/edgeproxy"
# (promoted once edgeproxy federated); run it by hand against any build, --keep to poke after.
#
# Expected behaviour, each a numbered check (the summary lists PASS/FAIL for every one; the
# exit code is 0 only if all pass, 1 otherwise, 2 on usage errors):
#   1 edgeproxy starts with the lab edgekit.toml and identity.json, listens on
#     198.51.100.10:5269 and opens one XEP-0114 component link per partner domain (4) to the
#     internal Prosody (198.51.100.140:5347) within 20 s.
#   2 legacy (gtalk.example, plaintext + dialback only): alice -> bob and bob -> alice messages
#     are delivered through the edge; the legacy server's own view (s2s:show) of its streams
#     with corp.example is "insecure" + dialback.
#   3 presence with a public-unverified partner: bob subscribes to alice, alice approves, bob
#     gets "subscribed"; then alice's request to bob reaches bob (he asked first) and his
#     approval reaches her.
#   4 tlspartner (fabrikam.example, TLS + SASL EXTERNAL, no dialback at all): frank <-> bob both
#     ways; fabrikam sees TLS and SASL "Succeeded" on its corp.example streams. frank (a
#     federated partner) subscribes to bob directly and gets bob's approval.
#   5 ejpartner (ejabberd 23.01, TLS): tom <-> bob both ways (the edge certificate carries the
#     clientAuth EKU, which 23.01 requires of an s2s client).
#   6 refusals: mallory@rogue.example (not a partner) gets an error for her message to bob;
#     carla@gtalk.example's subscription request (bob never asked her) does not reach bob;
#     bob receives nothing from either while online for the window.
#   7 the internal server has no s2s listener: only the edge federates.
#   7b a lying partner (s2s_peer.py as spoofer.example, dialback-authenticated by the edge
#     against its own authority) gets its honest message to bob delivered, but its stanza with
#     a forged from (alice@gtalk.example) is refused (RFC 6120 invalid-from: stream error or
#     stanza error) and never reaches bob; a DTD gets a stream error.
#   8 SIGHUP: edgeproxy stays up, the 4 component links and fabrikam's established streams
#     with corp.example (same Prosody session ids) stay up, and messages still flow both ways.
#   9 a vanished partner: with the legacy Prosody stopped, bob's message to alice comes back as
#     an error (remote-server-not-found or remote-server-timeout), not silence.
#  10 teardown leaves no namespace and no process.
# Every delivery is printed with its path and the partner's view of the authentication.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lab.sh
source "$here/lab.sh"
# shellcheck source-path=SCRIPTDIR source=edge_topology.sh
source "$here/edge_topology.sh"

usage() { echo "usage: $0 EDGEPROXY_BINARY [--keep]" >&2; exit 2; }
[ $# -ge 1 ] || usage
EDGEPROXY=$(readlink -f "$1")
shift
keep=0
[ "${1:-}" = --keep ] && keep=1
[ -x "$EDGEPROXY" ] || { echo "edge_federation_check: $EDGEPROXY is not an executable" >&2; exit 2; }

results=()
failed=0
record() {  # record NAME RC
  if [ "$2" -eq 0 ]; then
    results+=("PASS $1")
  else
    results+=("FAIL $1")
    failed=$((failed + 1))
    lab_log "check failed: $1"
  fi
}
summary() {
  echo "== edge federation check summary"
  printf '  %s\n' "${results[@]}"
  echo "  $((${#results[@]} - failed)) passed, $failed failed"
}

# The partner's view of its streams with corp.example: "<security> <sasl> <dialback>" rows.
partner_view() {
  lab_prosody_s2s "$1" 2>/dev/null | grep -E "^s2s.*\| $EDGE_DOMAIN " |
    awk -F'|' '{for (i = 1; i <= NF; i++) gsub(/^ +| +$/, "", $i); print $6 "/" $7 "/" $8}' |
    sort -u | tr '\n' ' '
}

delivered() {  # delivered SENDER_CLIENT RECEIVER_CLIENT FROM TO BODY PATH
  local sent recv
  sent=$(lab_client_event_ts "$1" sent body="$5")
  recv=$(lab_client_event_ts "$2" message from="$3" body="$5")
  if [ -n "$sent" ] && [ -n "$recv" ]; then
    echo "delivered $3 -> $4 via $6 in $((recv - sent)) ms"
  fi
}

# exchange TAG PARTNER_JID PARTNER_HOST [--no-tls] — partner -> bob, then bob -> partner.
exchange() {
  local tag=$1 pjid=$2 phost=$3 tlsflag=${4:-}
  local ppass
  ppass=$(edge_user_password "$pjid")
  lab_client_start "bob-$tag" internal --jid "bob@$EDGE_DOMAIN" --password bob-pw --timeout 30 \
    --ready-file "$LAB_DIR/bob-$tag.ready" --expect "$pjid" "$tag: hello bob" \
    --send "$pjid" "$tag: hello from corp" || return 1
  lab_client_wait_event "bob-$tag" ready 20 || return 1
  local rc=0
  # shellcheck disable=SC2086 # $tlsflag is empty or one flag
  lab_client "$tag" "$phost" $tlsflag --jid "$pjid" --password "$ppass" --timeout 30 \
    --send "bob@$EDGE_DOMAIN" "$tag: hello bob" --expect "bob@$EDGE_DOMAIN" "$tag: hello from corp" || rc=1
  lab_client_wait "bob-$tag" 40 || rc=1
  delivered "$tag" "bob-$tag" "$pjid" "bob@$EDGE_DOMAIN" "$tag: hello bob" "$phost -> edge -> internal"
  delivered "bob-$tag" "$tag" "bob@$EDGE_DOMAIN" "$pjid" "$tag: hello from corp" "internal -> edge -> $phost"
  return $rc
}

if [ $keep -eq 0 ]; then lab_trap; fi
t0=$(lab_now_ms)
lab_up || exit 1
edge_topology_up || exit 1
t_topology=$(lab_now_ms)

# 1. start
edge_start_edgeproxy "$EDGEPROXY"
rc=$?
record "1 edgeproxy listens on 5269 with $EDGE_PARTNER_COUNT component links" $rc
if [ $rc -ne 0 ]; then
  summary
  exit 1
fi
t_edge=$(lab_now_ms)

# 2. legacy partner
exchange legacy "alice@$EDGE_LEGACY_DOMAIN" legacy --no-tls
rc=$?
view=$(partner_view legacy)
echo "legacy sees its corp.example streams as: $view"
[ $rc -eq 0 ] && [ -n "$view" ] && ! grep -q TLS <<<"$view" && grep -qE "Completed|Succeeded" <<<"$view" || rc=1
record "2 legacy (plaintext + dialback) messages both ways" $rc

# 3. presence with a public-unverified partner
lab_client_start alice-p legacy --no-tls --jid "alice@$EDGE_LEGACY_DOMAIN" --password alice-pw \
  --timeout 30 --ready-file "$LAB_DIR/alice-p.ready" \
  --expect-subscribe "bob@$EDGE_DOMAIN" --approve "bob@$EDGE_DOMAIN" \
  --subscribe "bob@$EDGE_DOMAIN" --expect-subscribed "bob@$EDGE_DOMAIN"
lab_client_wait_event alice-p ready 20
rc=0
lab_client bob-p internal --jid "bob@$EDGE_DOMAIN" --password bob-pw --timeout 30 \
  --subscribe "alice@$EDGE_LEGACY_DOMAIN" --expect-subscribed "alice@$EDGE_LEGACY_DOMAIN" \
  --expect-subscribe "alice@$EDGE_LEGACY_DOMAIN" --approve "alice@$EDGE_LEGACY_DOMAIN" || rc=1
lab_client_wait alice-p 40 || rc=1
record "3 presence subscriptions both ways with a public-unverified partner" $rc

# 4. TLS + SASL EXTERNAL partner
exchange tls "frank@$EDGE_TLS_DOMAIN" tlspartner
rc=$?
view=$(partner_view tlspartner)
echo "tlspartner sees its corp.example streams as: $view"
[ $rc -eq 0 ] && grep -qE "TLSv1\.[23]/Succeeded" <<<"$view" || rc=1
lab_client_start bob-f internal --jid "bob@$EDGE_DOMAIN" --password bob-pw --timeout 30 \
  --ready-file "$LAB_DIR/bob-f.ready" --expect-subscribe "frank@$EDGE_TLS_DOMAIN" \
  --approve "frank@$EDGE_TLS_DOMAIN"
lab_client_wait_event bob-f ready 20
lab_client frank-p tlspartner --jid "frank@$EDGE_TLS_DOMAIN" --password frank-pw --timeout 30 \
  --subscribe "bob@$EDGE_DOMAIN" --expect-subscribed "bob@$EDGE_DOMAIN" || rc=1
lab_client_wait bob-f 40 || rc=1
record "4 TLS + SASL EXTERNAL partner: messages both ways, direct subscription" $rc

# 5. ejabberd partner
exchange ej "tom@$EDGE_EJ_DOMAIN" ejpartner
record "5 ejabberd partner (TLS) messages both ways" $?

# 6. refusals
lab_client_start bob-quiet internal --jid "bob@$EDGE_DOMAIN" --password bob-pw --timeout 30 \
  --ready-file "$LAB_DIR/bob-quiet.ready" --sleep 8
lab_client_wait_event bob-quiet ready 20
rc=0
lab_client mallory rogue --jid "mallory@$EDGE_ROGUE_DOMAIN" --password mallory-pw --timeout 30 \
  --send "bob@$EDGE_DOMAIN" "rogue: let me in" --expect-error "bob@$EDGE_DOMAIN" '*' || rc=1
lab_client carla legacy --no-tls --jid "carla@$EDGE_LEGACY_DOMAIN" --password carla-pw \
  --timeout 10 --subscribe "bob@$EDGE_DOMAIN" --sleep 2 || rc=1
lab_client_wait bob-quiet 40 || rc=1
[ "$(lab_client_count bob-quiet message from="mallory@$EDGE_ROGUE_DOMAIN")" -eq 0 ] || rc=1
[ "$(lab_client_count bob-quiet presence from="carla@$EDGE_LEGACY_DOMAIN" type=subscribe)" -eq 0 ] || rc=1
record "6 unlisted partner refused, unsolicited public-unverified subscription held back" $rc

# 7. the internal server does not federate itself
if lab_port_open internal 5269; then rc=1; else rc=0; fi
record "7 internal server has no s2s listener" $rc

# 7b. a lying partner
peer() {  # peer NAME ARGS... — s2s_peer.py as spoofer.example against the edge
  local name=$1
  shift
  lab_exec spoofer /usr/bin/python3 "$LAB_LIB_DIR/s2s_peer.py" --domain "$EDGE_SPOOF_DOMAIN" \
    --to "$EDGE_DOMAIN" --address "$EDGE_PUBLIC_IP" --listen "$(lab_ip spoofer):5269" \
    --timeout 20 "$@" >"$(lab_client_output "$name")" 2>>"$LAB_DIR/logs/peer-$name.log"
}
lab_client_start bob-spoof internal --jid "bob@$EDGE_DOMAIN" --password bob-pw --timeout 30 \
  --ready-file "$LAB_DIR/bob-spoof.ready" --expect "eve@$EDGE_SPOOF_DOMAIN" "honest" --sleep 3
lab_client_wait_event bob-spoof ready 20
rc=0
peer spoof --dialback \
  --send "<message from='eve@$EDGE_SPOOF_DOMAIN' to='bob@$EDGE_DOMAIN' type='chat'><body>honest</body></message>" \
  --send "<message from='alice@$EDGE_LEGACY_DOMAIN' to='bob@$EDGE_DOMAIN' type='chat' id='forged1'><body>forged</body></message>" \
  --sleep 2 || rc=1
grep -qE '"stream_error"|invalid-from' "$(lab_client_output spoof)" || rc=1
peer dtd --send "<!DOCTYPE x [<!ENTITY a 'b'>]><message to='bob@$EDGE_DOMAIN'/>" \
  --expect-stream-error '*' || rc=1
lab_client_wait bob-spoof 40 || rc=1
[ "$(lab_client_count bob-spoof message body=forged)" -eq 0 ] || rc=1
record "7b forged from refused, honest stanza delivered, DTD rejected" $rc

# 8. SIGHUP keeps everything up
before=$(lab_prosody_s2s tlspartner 2>/dev/null | grep -E "^s2s.*\| $EDGE_DOMAIN " | awk '{print $1}' | sort)
kill -HUP "$(lab_pid edgeproxy)"
sleep 1
rc=0
lab_alive edgeproxy || rc=1
[ "$(edge_component_links)" -ge "$EDGE_PARTNER_COUNT" ] || rc=1
exchange tls2 "frank@$EDGE_TLS_DOMAIN" tlspartner || rc=1
after=$(lab_prosody_s2s tlspartner 2>/dev/null | grep -E "^s2s.*\| $EDGE_DOMAIN " | awk '{print $1}' | sort)
[ -n "$before" ] && [ -z "$(comm -23 <(echo "$before") <(echo "$after"))" ] || rc=1
record "8 SIGHUP: edgeproxy, component links and partner streams stay up" $rc

# 9. a partner that vanishes: bounces, not silence
lab_stop prosody-legacy
lab_client bob-bounce internal --jid "bob@$EDGE_DOMAIN" --password bob-pw --timeout 45 \
  --send "alice@$EDGE_LEGACY_DOMAIN" "are you there" --expect-error "alice@$EDGE_LEGACY_DOMAIN" '*'
rc=$?
grep '"message_error"' "$(lab_client_output bob-bounce)" | head -1
record "9 vanished partner: the message bounces" $rc
lab_alive edgeproxy || record "9b edgeproxy survived" 1
t_checks=$(lab_now_ms)

if [ $keep -eq 1 ]; then
  lab_keep
  edge_print_info
  summary
  [ $failed -eq 0 ]
  exit
fi

# 10. teardown
id=$LAB_ID
lab_down
t_down=$(lab_now_ms)
left=$(lab_leftovers "$id")
[ -z "$left" ] && rc=0 || { echo "$left" >&2; rc=1; }
record "10 teardown leaves nothing behind" $rc
trap - EXIT
echo "timings_ms: topology=$((t_topology - t0)) edgeproxy_ready=$((t_edge - t_topology))" \
  "checks=$((t_checks - t_edge)) teardown=$((t_down - t_checks)) total=$((t_down - t0))"
summary
[ $failed -eq 0 ]
