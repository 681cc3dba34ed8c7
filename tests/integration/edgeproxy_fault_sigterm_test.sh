#!/usr/bin/env bash
# Nothing lost: SIGTERM under load. alice@gtalk.example (the legacy partner) and
# bob@corp.example (the internal server) send each other messages at a steady rate through the
# edge; the edge is sent SIGTERM in mid-stream. It must log edge.drained and exit 0 within
# drain_timeout (default 10 s) + 5 s, and at the senders every message must be either received
# or answered with an error (from the edge or, once it is gone, from the sender's own server),
# never both and never neither. The ledger scraped just before SIGTERM holds its equation, and
# what edge.drained says was left matches the bounces logged after it.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_faults_lib.sh
source "$here/edgeproxy_faults_lib.sh"

COUNT=${FAULT_COUNT:-300} RATE=${FAULT_RATE:-30}
t0=$(lab_now_ms)
faults_lab_up ""
t_up=$(lab_now_ms)
faults_warm_up || fail "warm-up messages both ways"

faults_load_start a2b legacy "$ALICE" "$BOB" "$COUNT" "$RATE" --quiet 6 --timeout 80 || exit 1
faults_load_start b2a internal "$BOB" "$ALICE" "$COUNT" "$RATE" --quiet 6 --timeout 80 || exit 1
faults_load_go
t_go=$(lab_now_ms)
sleep 3.5

metrics=$(faults_metrics)
if faults_ledger_holds "$metrics"; then
  pass "ledger equation holds under load, before SIGTERM"
else
  fail "ledger equation under load"
fi
before_in=$(faults_ledger "$metrics" | awk '$1 == "inbound" {print $2}')
[ "${before_in:-0}" -gt 0 ] || fail "no inbound stanza accepted before SIGTERM (the load did not flow)"

pid=$(faults_edge_pid)
t_term=$(lab_now_ms)
kill -TERM "$pid"
if _lab_wait_gone 150 "$pid"; then
  wait "$pid"
  rc=$?
  t_exit=$(lab_now_ms)
  drain_ms=$((t_exit - t_term))
  echo "edge exited with $rc, $drain_ms ms after SIGTERM"
  [ "$rc" -eq 0 ]
  verdict $? "edge exited 0 within drain_timeout + 5 s ($drain_ms ms)"
else
  t_exit=$(lab_now_ms)
  drain_ms=$((t_exit - t_term))
  fail "edge still running 15 s after SIGTERM"
fi
rm -f "$LAB_DIR/procs/edgeproxy.pid"

log=$(faults_edge_log)
drained=$(grep ' edge.drained ' "$log" | tail -1)
echo "edge log: $drained"
if [ -n "$drained" ]; then pass "edge.drained logged"; else fail "no edge.drained in the edge's log"; fi
left=$(sed -n 's/.* in_flight=\([0-9]*\).*/\1/p' <<<"$drained")
after=$(sed -n '/ edge.drained /,$p' "$log" | grep -cE ' stanza\.(bounced|dropped) ')
echo "left at the end of the drain: ${left:-?}; stanza.bounced/dropped logged after it: $after"
echo "edge log totals: stanza.bounced=$(faults_log_count stanza.bounced) stanza.dropped=$(faults_log_count stanza.dropped)"
[ -n "$left" ] && [ "$after" -ge "$left" ]
verdict $? "what edge.drained left (${left:-?}) was bounced or dropped ($after)"
stopped=$(grep ' edge.stopped .*in_flight=' "$log" | tail -1)
echo "edge log: $stopped"
grep -q ' in_flight=0\b' <<<"$stopped"
verdict $? "edge.stopped with in_flight=0 (every stanza it accepted ended)"

lab_client_wait a2b 90 || fail "load client a2b exit"
lab_client_wait b2a 90 || fail "load client b2a exit"
t_done=$(lab_now_ms)
faults_account a2b b2a
verdict $? "alice -> bob: every message received or answered with an error"
a=$faults_account_json
faults_account b2a a2b
verdict $? "bob -> alice: every message received or answered with an error"
b=$faults_account_json
for j in "$a" "$b"; do
  [ "$(faults_json_field "$j" received)" -gt 0 ] || fail "$(faults_json_field "$j" flow): nothing got through before SIGTERM"
  [ "$(faults_json_field "$j" errors)" -gt 0 ] || fail "$(faults_json_field "$j" flow): no error after SIGTERM (the fault did not bite)"
  [ "$(faults_json_field "$j" sent)" -eq "$COUNT" ] || fail "$(faults_json_field "$j" flow): sent $(faults_json_field "$j" sent) of $COUNT"
done
faults_finish "$t0" "lab_up=$((t_up - t0)) load_before_term=$((t_term - t_go)) drain=$drain_ms clients=$((t_done - t_exit))"
