#!/usr/bin/env bash
# Verify streams close themselves once answered (issue "edgeproxy trust"): the edge, as the
# receiving server, opens a verify stream to the claimed domain's authoritative server to ask
# db:verify; once its last request there was answered it must close that stream by itself,
# with </stream:stream> and no stream error (in particular no <connection-timeout/>), within a
# few seconds, logging stream.closed ... reason=verify-idle.
#   (a) attacker.example, played by s2s_peer.py (its own authority, answering at once): the
#       authority reports how its verify stream ended (</stream:stream> or EOF, any stream
#       error, ms since its answer). The raw peer is used here because it sees the bytes.
#   (b) gtalk.example, a real Prosody (legacy, plaintext + dialback): alice's message to bob
#       makes the edge verify gtalk.example with that Prosody; the verify stream to it must be
#       closed as verify-idle, and Prosody must never have been sent connection-timeout.
# The limit is 10 s after the answer (the spec says "a few seconds").
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_hostile_lib.sh
source "$here/edgeproxy_trust_hostile_lib.sh"

LIMIT_S=10
t_start=$(lab_now_ms)
trust_lab_up
event_field() {  # event_field NAME EVENT FIELD — FIELD of NAME's first EVENT ("" if none)
  /usr/bin/python3 - "$LAB_DIR/clients/$1.jsonl" "$2" "$3" <<'EOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == sys.argv[2]:
        print(e.get(sys.argv[3]))
        break
EOF
}

# (a) The raw authority: it lives longer than the edge's 15 s establishment timeout, so an edge
# that only ever times a verify stream out is seen doing so.
trust_peer_start honest attacker --domain attacker.example --to corp.example \
  --address "$TRUST_EDGE_IP" --listen "$TRUST_ATTACKER_IP:5269" --timeout 10 \
  --dialback --sleep 20 || fail "start the attacker.example peer"
trust_wait_event honest authenticated 10 || fail "attacker.example was not authenticated by dialback"
trust_wait_event honest verify_answered 1 || fail "the authority never answered a db:verify"
if trust_wait_event honest authority_closed 18; then
  closed_by=$(event_field honest authority_closed closed_by)
  error=$(event_field honest authority_closed stream_error)
  since=$(event_field honest authority_closed ms_since_answer)
  lab_log "(a) verify stream to the raw authority ended: closed_by=$closed_by" \
    "stream_error=$error ms_since_answer=$since" \
    "(the lab's stream_establishment_timeout is ${TRUST_ESTABLISHMENT_TIMEOUT:-15s})"
  check "(a) the edge closed the verify stream with </stream:stream>" test "$closed_by" = stream-close
  check "(a) no stream error (no connection-timeout) on the verify stream" test "$error" = None
  check "(a) closed within ${LIMIT_S}s of the answer" test "${since:-999999}" -le $((LIMIT_S * 1000))
else
  lab_log "(a) the verify stream to the raw authority was still open 18 s after the answer"
  failures+=("(a) the edge did not close the answered verify stream")
fi
check "(a) the edge logged stream.closed ... partner=attacker.example reason=verify-idle" \
  grep -q 'stream.closed.*partner=attacker.example.*reason=verify-idle' "$TRUST_EDGE_LOG"
lab_stop peer-honest

# (b) The real legacy Prosody as gtalk.example's authoritative server.
lab_client_start bob internal --no-tls --jid bob@corp.example --password bob-pw \
  --ready-file "$LAB_DIR/bob.ready" --expect alice@gtalk.example "verify me" || fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob never came online"
lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "verify me" || fail "alice could not send"
lab_client_wait bob 20 || fail "bob did not receive alice's message (dialback with the real Prosody failed)"
grep -q 'dialback.verified partner=gtalk.example.*result=valid' "$TRUST_EDGE_LOG" ||
  fail "the edge did not verify gtalk.example over a verify stream"
answered_ms=$(lab_now_ms)
# Waits past the limit (to the lab's stream_establishment_timeout, 15 s, and beyond) so that a
# late close is reported with its time.
if lab_wait_for 20 grep -q "stream.closed.*partner=gtalk.example.*reason=verify-idle" "$TRUST_EDGE_LOG"; then
  took=$(($(lab_now_ms) - answered_ms))
  lab_log "(b) verify stream to gtalk.example's Prosody closed as verify-idle ~$took ms after the answer"
  check "(b) closed as verify-idle within ${LIMIT_S}s of the answer" test "$took" -le $((LIMIT_S * 1000))
else
  failures+=("(b) no stream.closed ... reason=verify-idle for the verify stream to gtalk.example")
  lab_log "NOT OK: (b) verify stream to gtalk.example not closed as verify-idle within 20 s"
fi
plog="$(lab_prosody_dir legacy)/prosody.log"
check "(b) Prosody was never sent connection-timeout" bash -c "! grep -q 'connection-timeout' '$plog'"
check "the edge is up" trust_edge_up

if [ ${#failures[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} assertions failed"
fi
trust_lab_down
echo "timings_ms: total=$(($(lab_now_ms) - t_start))"
echo "edgeproxy_trust_verify_idle_test: PASS"
