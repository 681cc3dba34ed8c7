#!/usr/bin/env bash
# Nothing lost: SIGHUP with a broken edgekit.toml under load. With alice@gtalk.example and
# bob@corp.example messaging each other through the edge, edgekit.toml is replaced by a file
# that does not parse and the edge gets SIGHUP: it logs config.reload_failed, keeps running
# with the old configuration (the same process, its 4 component links), and traffic goes on:
# every message of both flows is received, none answered with an error, none twice; afterwards
# /metrics shows in_flight 0 and accepted = delivered + bounced + refused + dropped.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_faults_lib.sh
source "$here/edgeproxy_faults_lib.sh"

COUNT=${FAULT_COUNT:-300} RATE=${FAULT_RATE:-30}
t0=$(lab_now_ms)
faults_lab_up ""
t_up=$(lab_now_ms)
faults_warm_up || fail "warm-up messages both ways"
pid=$(faults_edge_pid)

faults_load_start a2b legacy "$ALICE" "$BOB" "$COUNT" "$RATE" --quiet 5 --timeout 80 || exit 1
faults_load_start b2a internal "$BOB" "$ALICE" "$COUNT" "$RATE" --quiet 5 --timeout 80 || exit 1
faults_load_go
t_go=$(lab_now_ms)
sleep 3

cp "$EDGE_CONFIG" "$EDGE_CONFIG.good"
printf '\n[[partner]\ndomain = "broken.example\n' >>"$EDGE_CONFIG"
t_hup=$(lab_now_ms)
kill -HUP "$pid"
lab_wait_for 10 grep -q ' config.reload_failed ' "$(faults_edge_log)"
verdict $? "config.reload_failed logged"
grep ' config.reload_failed ' "$(faults_edge_log)" | head -1
sleep 1
_lab_pid_alive "$pid"
verdict $? "edge still running (pid $pid) after the broken reload"
[ "$(edge_component_links)" -eq "$EDGE_PARTNER_COUNT" ]
verdict $? "the $EDGE_PARTNER_COUNT component links stay up"
cp "$EDGE_CONFIG.good" "$EDGE_CONFIG"

lab_client_wait a2b 90 || fail "load client a2b exit"
lab_client_wait b2a 90 || fail "load client b2a exit"
t_done=$(lab_now_ms)
for flow in "a2b b2a" "b2a a2b"; do
  read -r s r <<<"$flow"
  faults_account "$s" "$r"
  verdict $? "$s: every message received or answered with an error"
  j=$faults_account_json
  [ "$(faults_json_field "$j" sent)" -eq "$COUNT" ] && [ "$(faults_json_field "$j" received)" -eq "$COUNT" ] &&
    [ "$(faults_json_field "$j" errors)" -eq 0 ]
  verdict $? "$s: all $COUNT received, no error (the old configuration kept running)"
done
faults_wait_settled 15
verdict $? "ledger settled: in_flight 0, accepted = delivered + bounced + refused + dropped"
ledger=$(faults_ledger "$(faults_metrics)")
for dir in inbound outbound; do
  acc=$(awk -v d="$dir" '$1 == d {print $2}' <<<"$ledger")
  [ "${acc:-0}" -ge $((COUNT + 1)) ]
  verdict $? "ledger $dir accepted ${acc:-?} >= $((COUNT + 1)) (the load and the warm-up message)"
done
[ "$(faults_log_count config.reloaded)" -eq 0 ]
verdict $? "no config.reloaded (the broken file was never applied)"
faults_finish "$t0" "lab_up=$((t_up - t0)) load_before_hup=$((t_hup - t_go)) clients=$((t_done - t_hup))"
