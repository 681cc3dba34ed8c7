#!/usr/bin/env bash
# Nothing lost: SIGTERM while the edge holds stanzas. As edgeproxy_fault_sigterm_test.sh, but
# the internal Prosody is SIGSTOPped under load first (alice's messages are padded so that the
# component link backs up and the edge holds and queues them) and drain_timeout is "2s": at
# the end of the drain the edge bounces what it still held to the partner (service-unavailable,
# logged as stanza.bounced reason=shutdown), Prosody runs again, the edge exits 0 within 2 s +
# 5 s, and alice gets those errors: every message she sent is received by bob or answered with
# an error, none both, none neither; edge.stopped says in_flight=0. bob's flow (before the
# stop) is accounted for the same way.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_faults_lib.sh
source "$here/edgeproxy_faults_lib.sh"

COUNT=${FAULT_COUNT:-300} RATE=${FAULT_RATE:-40} PAD=${FAULT_PAD:-8000}
t0=$(lab_now_ms)
faults_lab_up 'drain_timeout = "2s"'
t_up=$(lab_now_ms)
faults_warm_up || fail "warm-up messages both ways"

faults_load_start a2b legacy "$ALICE" "$BOB" "$COUNT" "$RATE" --pad "$PAD" --quiet 8 --timeout 90 || exit 1
# bob's flow ends before the stop: what he would send into the frozen server, Prosody writes
# to a component link whose edge is gone by the time it runs again (no acks in XEP-0114).
faults_load_start b2a internal "$BOB" "$ALICE" 30 20 --quiet 8 --timeout 90 || exit 1
faults_load_go
t_go=$(lab_now_ms)
sleep 2
prosody=$(lab_pid prosody-internal)
kill -STOP "$prosody"
t_stop=$(lab_now_ms)
sleep 4

metrics=$(faults_metrics)
faults_ledger_holds "$metrics"
verdict $? "ledger equation holds with the internal server stopped"
inflight=$(faults_ledger "$metrics" | awk '$1 == "inbound" {print $7}')
echo "inbound in flight (held or queued in the edge) before SIGTERM: ${inflight:-?}"
[ "${inflight:-0}" -gt 0 ] || fail "nothing in flight inbound with the internal server stopped (the fault did not bite)"

pid=$(faults_edge_pid)
t_term=$(lab_now_ms)
kill -TERM "$pid"
# The internal server runs again once the drain has ended (edge.drained: what the edge still
# held is bounced then): what the edge had handed to the kernel toward it is read, and the
# links close cleanly. A server still frozen when the edge exits may lose what sits in the
# edge's socket buffers (counted delivered: XEP-0114 has no acks).
# FAULT_RESUME_AFTER_EXIT=1 keeps it frozen until the edge has exited: that reproduces a
# stanza cut off mid-write on the frozen link staying in flight at exit (edge.stopped
# in_flight=1, its sender never answered); the test then fails, as it should.
resume_after_exit=${FAULT_RESUME_AFTER_EXIT:-0}
lab_wait_for 10 grep -q ' edge.drained ' "$(faults_edge_log)"
[ "$resume_after_exit" = 1 ] || kill -CONT "$prosody"
t_cont=$(lab_now_ms)
rc=124
if _lab_wait_gone 70 "$pid"; then
  wait "$pid"
  rc=$?
fi
[ "$resume_after_exit" != 1 ] || kill -CONT "$prosody"
t_exit=$(lab_now_ms)
drain_ms=$((t_exit - t_term))
rm -f "$LAB_DIR/procs/edgeproxy.pid"
echo "edge exit code $rc, $drain_ms ms after SIGTERM (drain_timeout 2 s); Prosody resumed $((t_cont - t_term)) ms after SIGTERM"
[ "$rc" -eq 0 ]
verdict $? "edge exited 0 within drain_timeout + 5 s"

log=$(faults_edge_log)
drained=$(grep ' edge.drained ' "$log" | tail -1)
echo "edge log: $drained"
[ -n "$drained" ]
verdict $? "edge.drained logged"
stopped=$(grep ' edge.stopped .*in_flight=' "$log" | tail -1)
echo "edge log: $stopped"
grep -q ' in_flight=0\b' <<<"$stopped"
verdict $? "edge.stopped with in_flight=0 (every stanza it accepted ended)"
shutdown_in=$(grep ' stanza.bounced ' "$log" | grep 'reason=shutdown' | grep -c 'condition=service-unavailable')
echo "edge log totals: stanza.bounced=$(faults_log_count stanza.bounced) (reason=shutdown service-unavailable: $shutdown_in) stanza.dropped=$(faults_log_count stanza.dropped)"
[ "$shutdown_in" -gt 0 ]
verdict $? "held stanzas bounced at shutdown ($shutdown_in)"

lab_client_wait a2b 100 || fail "load client a2b exit"
lab_client_wait b2a 100 || fail "load client b2a exit"
t_done=$(lab_now_ms)
faults_account a2b b2a
verdict $? "alice -> bob: every message received or answered with an error"
a=$faults_account_json
unavail=$("$LAB_PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])["conditions"].get("service-unavailable", 0))' "$a")
echo "alice got service-unavailable for $unavail messages; the edge bounced $shutdown_in at shutdown"
[ "$unavail" -ge "$shutdown_in" ] && [ "$unavail" -gt 0 ]
verdict $? "alice got service-unavailable for what the edge held ($unavail >= $shutdown_in > 0)"
faults_account b2a a2b
verdict $? "bob -> alice: every message received or answered with an error"
faults_finish "$t0" "lab_up=$((t_up - t0)) load_before_stop=$((t_stop - t_go)) stopped_before_term=$((t_term - t_stop)) drain=$drain_ms clients=$((t_done - t_exit))"
