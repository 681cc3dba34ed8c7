#!/usr/bin/env bash
# Nothing lost: a partner vanishes mid-stream. bob@corp.example sends alice@gtalk.example
# messages at a steady rate; the legacy partner's link goes down (`ip link set eth0 down` in
# its namespace: no FIN, no RST, its own users still reach it). The edge's outbound stream
# stops being read; with stream_inactivity_timeout = "8s" it is closed, and the new stream
# cannot be made (no route to the partner): what is queued toward it is bounced to bob
# (remote-server-timeout / remote-server-not-found) and in_flight returns to 0.
# What the edge handed to the kernel before it noticed is beyond recall (s2s has no acks) and
# counts as delivered; so the check at the peers is exact instead of "none neither": every
# message bob sent was received by alice, answered with an error, or counted delivered by the
# edge and not received (messages neither received nor answered = the edge's outbound
# delivered - what alice received - the warm-up message), never both, none twice.
# Only bob's flow: alice's own server cannot reach the edge either, and what it does with
# her messages is its business, not the edge's.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_faults_lib.sh
source "$here/edgeproxy_faults_lib.sh"

COUNT=${FAULT_COUNT:-450} RATE=${FAULT_RATE:-15}
t0=$(lab_now_ms)
faults_lab_up 'stream_inactivity_timeout = "8s"'
t_up=$(lab_now_ms)
faults_warm_up || fail "warm-up messages both ways"

faults_load_start b2a internal "$BOB" "$ALICE" "$COUNT" "$RATE" --quiet 10 --timeout 100 || exit 1
faults_load_start a2b legacy "$ALICE" "$BOB" 0 1 --quiet 1 --min-run 60 --timeout 100 || exit 1
faults_load_go
t_go=$(lab_now_ms)
sleep 4
lab_exec legacy ip link set eth0 down || fail "could not take the partner's link down"
t_down=$(lab_now_ms)
echo "legacy partner link down $((t_down - t_go)) ms into the load"

lab_client_wait b2a 110 || fail "load client b2a exit"
t_b=$(lab_now_ms)
faults_wait_settled 40
verdict $? "ledger settled: in_flight 0, accepted = delivered + bounced + refused + dropped"
t_settled=$(lab_now_ms)
ledger=$(faults_ledger "$(faults_metrics)")
out_delivered=$(awk '$1 == "outbound" {print $3}' <<<"$ledger")
lab_client_wait a2b 110 || fail "load client a2b exit"
t_done=$(lab_now_ms)
echo "edge log totals: stanza.bounced=$(faults_log_count stanza.bounced) stanza.dropped=$(faults_log_count stanza.dropped)"
grep ' stream.closed \| stream.failed ' "$(faults_edge_log)" | grep 'direction=out' | grep -v purpose | tail -4

faults_account b2a a2b
j=$faults_account_json
echo "$j" | grep -q '"both": 0, "neither"'
verdict $? "bob -> alice: no message both received and answered"
[ "$(faults_json_field "$j" duplicates)" -eq 0 ]
verdict $? "bob -> alice: no message received or answered twice"
received=$(faults_json_field "$j" received)
neither=$(faults_json_field "$j" neither)
lost_in_kernel=$((${out_delivered:-0} - received - 1))
echo "bob sent $(faults_json_field "$j" sent): alice received $received, bob got $(faults_json_field "$j" errors) errors $(faults_json_field "$j" conditions), $neither neither; the edge counted ${out_delivered:-?} delivered outbound (so $lost_in_kernel handed to the kernel toward the vanished partner)"
[ "$neither" -eq "$lost_in_kernel" ]
verdict $? "every message neither received nor answered is one the edge counted delivered ($neither = $lost_in_kernel)"
[ "$(faults_json_field "$j" errors)" -gt 0 ]
verdict $? "bob got errors for what was queued toward the vanished partner"
[ "$received" -gt 0 ]
verdict $? "messages got through before the partner vanished"
faults_finish "$t0" "lab_up=$((t_up - t0)) load_before_down=$((t_down - t_go)) sender_done=$((t_b - t_down)) settled=$((t_settled - t_down)) clients=$((t_done - t_down))"
