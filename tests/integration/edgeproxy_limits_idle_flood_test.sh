#!/usr/bin/env bash
# Idle unauthenticated sockets must not lock partners out (issue 17, limits): before the fix
# 1,000 idle connections from one address took every one of connection_limit's slots and the
# next real partner was refused at once.
#
# In the trust lab (edgeproxy_trust_hostile_lib.sh), with connection_limit = 100 and
# connections_per_ip = 0 (so only the eviction is at work), the attacker host opens 1000 idle
# TCP connections to the edge and holds them. Then the real legacy Prosody gtalk.example
# (plaintext + dialback, another address) opens a stream and alice's message must reach bob.
# Asserts: the message arrives; the edge evicted streams that were still negotiating
# (edgeproxy_failures_total{reason="preauth-evicted"} > 0, each evicted socket told
# resource-constraint); the authenticated partner stream is never evicted (a second message
# while the flood goes on also arrives); the edge stays up.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_hostile_lib.sh
source "$here/edgeproxy_trust_hostile_lib.sh"

IDLE=${LIMITS_IDLE_CONNECTIONS:-1000}
t_start=$(lab_now_ms)
TRUST_FEDERATION_EXTRA=$'connection_limit = 100\nconnections_per_ip = 0'
trust_lab_up

lab_client_start bob internal --no-tls --jid bob@corp.example --password bob-pw --timeout 120 \
  --ready-file "$LAB_DIR/bob.ready" --expect alice@gtalk.example "through the flood" \
  --expect alice@gtalk.example "still through the flood" \
  --wait-file "$LAB_DIR/bob.stop" || fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob never came online"

# The flood: IDLE idle connections from the attacker's address, held for 40 s.
lab_spawn --stdout "$LAB_DIR/clients/flood.jsonl" flood attacker /usr/bin/python3 \
  "$LAB_LIB_DIR/idle_streams.py" --target "$TRUST_EDGE_IP:5269" --count "$IDLE" --hold 40 \
  --ready-file "$LAB_DIR/flood.ready" || fail "start the flood"
lab_wait_for 60 test -e "$LAB_DIR/flood.ready" || fail "the flood never opened its connections"
lab_log "flood: $IDLE connections opened"

check "alice (the real gtalk.example) reaches bob while $IDLE idle connections are held" \
  lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "through the flood"
# More idle connections while the partner's stream is up: only negotiating streams make room.
lab_exec attacker /usr/bin/python3 "$LAB_LIB_DIR/idle_streams.py" --target "$TRUST_EDGE_IP:5269" \
  --count 200 --hold 3 >"$LAB_DIR/clients/flood2.jsonl" 2>&1
check "a second message on the partner's authenticated stream arrives after more flooding" \
  lab_client alice2 legacy --no-tls --jid alice@gtalk.example/again --password alice-pw \
  --send bob@corp.example "still through the flood"
check "bob received both messages" lab_wait_for 20 test "$(lab_client_count bob expect_met)" -ge 2
touch "$LAB_DIR/bob.stop"
lab_client_wait bob 20 || lab_log "bob's client ended with an error"

evicted=$(trust_failures - preauth-evicted)
lab_log "edge: preauth-evicted counted $evicted times"
check "the edge evicted negotiating streams to make room (preauth-evicted $evicted > 0)" \
  test "$evicted" -gt 0
check "the edge never evicted the partner's authenticated stream" \
  test "$(trust_failures gtalk.example preauth-evicted)" -eq 0
check "an evicted stream was closed with a stream header and <resource-constraint/>" \
  lab_wait_for 60 grep -q '"resource-constraint"' "$LAB_DIR/clients/flood.jsonl"
check "the edge is up after the flood" trust_edge_up

grep -h '"event": "done"' "$LAB_DIR/clients/flood.jsonl" "$LAB_DIR/clients/flood2.jsonl" >&2
trust_lab_down
echo "timings_ms: total=$(($(lab_now_ms) - t_start))"
[ ${#failures[@]} -eq 0 ] || { printf 'FAILED: %s\n' "${failures[@]}" >&2; exit 1; }
echo "edgeproxy_limits_idle_flood_test: PASS"
