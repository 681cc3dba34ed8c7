#!/usr/bin/env bash
# Nothing lost: the internal server is killed (SIGKILL) and restarted under load.
# alice@gtalk.example sends bob@corp.example messages at a steady rate; the internal Prosody
# is killed with kill -9 and started again 3 s later (same configuration and data; it has
# offline storage). The edge's component links reset: what they had not written is held, and
# delivered when the links are back (or bounced after the 30 s hold). bob's client reconnects
# (xmpp_load.py --reconnect) and gets what arrived while he was offline from offline storage.
# What the edge had handed to the killed server's sockets, and what that server held in memory
# when it died, is beyond recall (XEP-0114 has no acks) and counts as delivered; so the check
# at the peers is exact rather than "none neither": every message alice sent was received by
# bob, answered with an error, or counted delivered by the edge and not received; messages
# neither received nor answered = the edge's inbound delivered - what bob received - the
# warm-up message; none both, none twice. Afterwards in_flight is 0.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_faults_lib.sh
source "$here/edgeproxy_faults_lib.sh"

COUNT=${FAULT_COUNT:-500} RATE=${FAULT_RATE:-20}
t0=$(lab_now_ms)
faults_lab_up ""
t_up=$(lab_now_ms)
faults_warm_up || fail "warm-up messages both ways"

faults_load_start a2b legacy "$ALICE" "$BOB" "$COUNT" "$RATE" --quiet 10 --timeout 100 || exit 1
faults_load_start b2a internal "$BOB" "$ALICE" 0 1 --quiet 1 --min-run 50 --timeout 100 --reconnect || exit 1
faults_load_go
t_go=$(lab_now_ms)
sleep 5
pid=$(lab_pid prosody-internal)
{ kill -KILL "$pid" && wait "$pid"; } 2>/dev/null  # reaped here: no "Killed" job notice
rm -f "$LAB_DIR/procs/prosody-internal.pid" "$LAB_DIR/procs/prosody-internal.host"
t_kill=$(lab_now_ms)
sleep 3
lab_spawn prosody-internal internal prosody --config "$(lab_prosody_config internal)" -F || fail "restart the internal Prosody"
lab_wait_port internal 5347 20 prosody-internal || fail "the restarted Prosody listens"
t_restart=$(lab_now_ms)
lab_wait_for 40 _edge_links_at_least "$EDGE_PARTNER_COUNT"
verdict $? "the edge's $EDGE_PARTNER_COUNT component links are back"
t_links=$(lab_now_ms)
echo "internal Prosody killed $((t_kill - t_go)) ms into the load, restarted $((t_restart - t_kill)) ms later; links back $((t_links - t_restart)) ms after"

lab_client_wait a2b 110 || fail "load client a2b exit"
faults_wait_settled 40
verdict $? "ledger settled: in_flight 0, accepted = delivered + bounced + refused + dropped"
ledger=$(faults_ledger "$(faults_metrics)")
in_delivered=$(awk '$1 == "inbound" {print $3}' <<<"$ledger")
lab_client_wait b2a 110 || fail "load client b2a exit"
t_done=$(lab_now_ms)
echo "edge log: component.closed=$(faults_log_count component.closed) component.ready=$(faults_log_count component.ready) stanza.bounced=$(faults_log_count stanza.bounced) stanza.dropped=$(faults_log_count stanza.dropped)"

faults_account a2b b2a --allow-duplicates
j=$faults_account_json
echo "$j" | grep -q '"both": 0, "neither"'
verdict $? "alice -> bob: no message both received and answered"
[ "$(faults_json_field "$j" duplicates)" -eq 0 ]
verdict $? "alice -> bob: no message received or answered twice"
received=$(faults_json_field "$j" received)
sessions=$(lab_client_count b2a session_started)
[ "${sessions:-0}" -ge 2 ]
verdict $? "bob's session died with the server and he logged in again ($sessions sessions)"
neither=$(faults_json_field "$j" neither)
lost=$((${in_delivered:-0} - received - 1))
echo "alice sent $(faults_json_field "$j" sent): bob received $received over $sessions sessions, alice got $(faults_json_field "$j" errors) errors $(faults_json_field "$j" conditions), $neither neither; the edge counted ${in_delivered:-?} delivered inbound (so $lost handed to the killed server)"
[ "$neither" -eq "$lost" ]
verdict $? "every message neither received nor answered is one the edge counted delivered ($neither = $lost)"
[ "$received" -gt $((COUNT / 2)) ]
verdict $? "most messages got through ($received of $COUNT)"
faults_finish "$t0" "lab_up=$((t_up - t0)) load_before_kill=$((t_kill - t_go)) down=$((t_restart - t_kill)) links_back=$((t_links - t_restart)) clients=$((t_done - t_links))"
