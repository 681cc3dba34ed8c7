#!/usr/bin/env bash
# Dialback forgery through the attacker's own verify stream (issue "edgeproxy trust"):
# an attacker owns attacker.example, an allowed dialback partner whose SRV points at its host,
# and wants to speak as a real partner: gtalk.example (legacy Prosody, plaintext + dialback)
# or dbtls.example (Prosody, tls = "required" + dialback; the attacker does STARTTLS with a
# self-signed certificate, which this public-verified partner's policy lets dialback finish).
# Each race:
#   1. stream 1: the attacker authenticates honestly as attacker.example; the edge opens a
#      verify stream to attacker.example's authoritative server, which is the attacker
#      (s2s_peer.py --listen) and holds its answer, so that stream stays open;
#   2. stream 2: the attacker claims the victim domain with a made-up db:result key and reads
#      the stream id from the edge's header;
#   3. on the verify stream to its own authority it sends
#      <db:verify from='<victim>' to='corp.example' id='<stream 2 id>' type='valid'/>,
#      then a stanza from a user of the victim domain to bob@corp.example on stream 2.
# The real authoritative server of the victim (Prosody) says "invalid"; races run with it
# answering at once and with it frozen (SIGSTOP) for 0.7 s so that only the forged answer is
# there to be believed. Counts: TRUST_RACES_FAST / _SLOW (gtalk.example), _TLS (dbtls.example,
# each speed).
# Asserts (the spec: a db:verify answer binds only to the request outstanding on the verify
# stream to the claimed domain's authority): in 0 of the races is stream 2 told
# db:result type='valid'; bob receives no forged message; the edge logs
# dialback-answer-unbound and counts it in edgeproxy_failures_total; the edge stays up and
# alice and dora (the real gtalk.example and dbtls.example) still reach bob afterwards.
# s2s_peer.py stands in for the attacker only: no real server forges a db:verify.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_hostile_lib.sh
source "$here/edgeproxy_trust_hostile_lib.sh"

RACES_FAST=${TRUST_RACES_FAST:-6}
RACES_SLOW=${TRUST_RACES_SLOW:-5}
RACES_TLS=${TRUST_RACES_TLS:-3}
t_start=$(lab_now_ms)
trust_lab_up

lab_client_start bob internal --no-tls --jid bob@corp.example --password bob-pw --timeout 170 \
  --ready-file "$LAB_DIR/bob.ready" --expect alice@gtalk.example "real alice after the races" \
  --expect dora@dbtls.example "real dora after the races" \
  --wait-file "$LAB_DIR/bob.stop" || fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob never came online"
# The attacker's self-signed certificate for the TLS races (the claimed domain's name in it).
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 1 \
  -subj "/CN=dbtls.example" -addext "subjectAltName=DNS:dbtls.example" \
  -keyout "$LAB_DIR/selfsigned.key" -out "$LAB_DIR/selfsigned.crt" 2>/dev/null ||
  fail "self-signed certificate"

# race NAME VICTIM SLOW DELAY — one forgery attempt claiming VICTIM (gtalk.example over
# plaintext, dbtls.example over STARTTLS with the self-signed certificate); SLOW=1 freezes the
# victim's Prosody for 0.7 s; the forged answer goes DELAY s after the stream id is known.
# Prints "won", "lost" or "not-attempted".
race() {
  local name=$1 victim=$2 slow=$3 forge_delay=$4 idfile="$LAB_DIR/$1.id" frozen=0 victim_pid
  local tls=() user=alice
  if [ "$victim" = dbtls.example ]; then
    tls=(--starttls --tls-cert "$LAB_DIR/selfsigned.crt" --tls-key "$LAB_DIR/selfsigned.key")
    user=dora
    victim_pid=$(lab_pid prosody-tlsdb)
  else
    victim_pid=$(lab_pid prosody-legacy)
  fi
  rm -f "$idfile"
  mkfifo "$idfile" || fail "mkfifo"   # the attacker's two processes talk without polling
  trust_peer_start "$name-att" attacker --domain attacker.example --to corp.example \
    --address "$TRUST_EDGE_IP" --listen "$TRUST_ATTACKER_IP:5269" --timeout 6 --keep-going \
    --hold-verify --forge-verify "$victim:$idfile" --forge-delay "$forge_delay" \
    --dialback --sleep 0.3 || fail "start attacker $name"
  if ! trust_wait_event "$name-att" verify_request 8; then
    trust_peer_wait "$name-att" 10
    echo not-attempted
    return
  fi
  if [ "$slow" = 1 ]; then
    kill -STOP -- "-$victim_pid" && frozen=1
  fi
  trust_peer_start "$name-claim" attacker --domain "$victim" --to corp.example \
    --address "$TRUST_EDGE_IP" --timeout 4 --keep-going "${tls[@]}" \
    --dialback-claim --write-stream-id "$idfile" --expect-dialback-result '*' \
    --send "<message from='$user@$victim/x' to='bob@corp.example' type='chat'><body>forged $name</body></message>" \
    --sleep 0.3 || fail "start claimant $name"
  if [ $frozen -eq 1 ]; then
    trust_wait_event "$name-claim" wrote_stream_id 5
    sleep 0.7
    kill -CONT -- "-$victim_pid"
  fi
  trust_peer_wait "$name-claim" 15
  trust_peer_wait "$name-att" 15
  if [ "$(trust_events "$name-att" forged_verify)" -eq 0 ]; then
    echo not-attempted
  elif [ "$(trust_events "$name-claim" dialback_result type=valid)" -gt 0 ]; then
    echo won
  else
    echo lost
  fi
}

won=0 lost=0 skipped=0 total=0 summary=""
# mode = victim:slow:count
for mode in "gtalk.example:0:$RACES_FAST" "gtalk.example:1:$RACES_SLOW" \
  "dbtls.example:0:$RACES_TLS" "dbtls.example:1:$RACES_TLS"; do
  IFS=: read -r victim slow n <<<"$mode"
  tag=${victim%%.*}-$([ "$slow" = 1 ] && echo slow || echo fast)
  mode_won=0
  for i in $(seq 1 "$n"); do
    total=$((total + 1))
    # The attacker varies its timing: right after the claim, or up to 1 ms later.
    delays=(0 0 0.0005 0.001)
    outcome=$(race "$tag$i" "$victim" "$slow" "${delays[$((i % 4))]}")
    lab_log "race $tag$i: $outcome"
    case $outcome in
      won) won=$((won + 1)); mode_won=$((mode_won + 1)) ;;
      lost) lost=$((lost + 1)) ;;
      *) skipped=$((skipped + 1)) ;;
    esac
  done
  summary+=" $tag=$mode_won/$n"
done
kill -CONT -- "-$(lab_pid prosody-legacy)" "-$(lab_pid prosody-tlsdb)" 2>/dev/null
lab_log "dialback forgery: won $won, lost $lost, not attempted $skipped of $total races (won per mode:$summary)"

# What bob (the internal user) saw, after a moment for late deliveries.
sleep 1
lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "real alice after the races" ||
  fail "alice (the real gtalk.example) could not send after the races"
lab_client dora tlsdb --jid dora@dbtls.example --password dora-pw \
  --send bob@corp.example "real dora after the races" ||
  fail "dora (the real dbtls.example) could not send after the races"
lab_wait_for 20 test "$(lab_client_count bob expect_met)" -ge 2 ||
  fail "bob did not receive the real alice's and dora's messages after the races" \
    "(the edge no longer federates with the real partners)"
touch "$LAB_DIR/bob.stop"
lab_client_wait bob 20 || fail "bob's client failed"
forged=$(grep -c '"body": "forged ' "$(lab_client_output bob)")
grep '"body": "forged ' "$(lab_client_output bob)" >&2
lab_log "forged messages delivered to bob: $forged"

# Summed over partners: the spec names the reason, not which partner it is counted under.
unbound_metric=$(trust_metrics |
  awk '/^edgeproxy_failures_total\{.*reason="dialback-answer-unbound"\}/ {s += $2} END {print s + 0}')
unbound_log=$(grep -c 'stream.closed.*reason=dialback-answer-unbound' "$TRUST_EDGE_LOG")
lab_log "edge: stream.closed reason=dialback-answer-unbound logged $unbound_log times, metric $unbound_metric"

[ $skipped -lt "$total" ] || fail "no race could be run (the edge never asked the attacker's authority)"
[ $((won + lost)) -ge $((total / 2)) ] ||
  fail "only $((won + lost)) of $total races reached the forgery step"
[ "$won" -eq 0 ] ||
  fail "the forged db:verify authenticated the victim domain on the attacker's stream" \
    "in $won of $((won + lost)) races (won per mode:$summary)"
[ "$forged" -eq 0 ] || fail "bob received $forged forged messages"
[ "$unbound_log" -gt 0 ] || fail "the edge did not log stream.closed ... reason=dialback-answer-unbound"
[ "$unbound_metric" -gt 0 ] ||
  fail "edgeproxy_failures_total{...reason=\"dialback-answer-unbound\"} is not counted"
trust_metrics | grep -q '^# HELP edgeproxy_failures_total ' ||
  fail "/metrics has no # HELP line for edgeproxy_failures_total"
trust_edge_up || fail "the edge is not up after the races"

trust_lab_down
echo "timings_ms: total=$(($(lab_now_ms) - t_start))"
echo "edgeproxy_trust_dialback_forgery_test: PASS ($total races, 0 won)"
