#!/usr/bin/env bash
# Nothing lost: the internal server stops answering for 20 s under load. alice@gtalk.example
# sends padded messages to bob@corp.example (and bob small ones to alice) while the internal
# Prosody is SIGSTOPped for 20 s: the component links back up, the edge applies backpressure
# (stops reading the partner's streams) instead of buffering without bound. Printed: the edge's
# peak RSS (VmHWM) before and after the load; its growth must stay under 64 MiB (what the edge
# may hold, 8 MiB per domain, plus 1 MiB write queues, is far below that). After SIGCONT everything is delivered or bounced: at the peers every
# message is received or answered with an error (none both, none neither) and /metrics shows
# in_flight 0 with accepted = delivered + bounced + refused + dropped.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_faults_lib.sh
source "$here/edgeproxy_faults_lib.sh"

COUNT=${FAULT_COUNT:-1000} RATE=${FAULT_RATE:-40} PAD=${FAULT_PAD:-8000} STOP_S=${FAULT_STOP_S:-20}
t0=$(lab_now_ms)
faults_lab_up ""
t_up=$(lab_now_ms)
faults_warm_up || fail "warm-up messages both ways"
rss0=$(faults_peak_rss)
echo "edge VmHWM before the load: ${rss0:-?} kB"

faults_load_start a2b legacy "$ALICE" "$BOB" "$COUNT" "$RATE" --pad "$PAD" --quiet 8 --timeout 100 || exit 1
faults_load_start b2a internal "$BOB" "$ALICE" 200 10 --quiet 8 --timeout 100 || exit 1
faults_load_go
t_go=$(lab_now_ms)
sleep 2
prosody=$(lab_pid prosody-internal)
kill -STOP "$prosody"
t_stop=$(lab_now_ms)
max_inflight=0
while [ $(($(lab_now_ms) - t_stop)) -lt $((STOP_S * 1000)) ]; do
  sleep 2
  inf=$(faults_ledger "$(faults_metrics)" | awk '$1 == "inbound" {print $7}')
  [ "${inf:-0}" -le "$max_inflight" ] || max_inflight=$inf
done
kill -CONT "$prosody"
t_cont=$(lab_now_ms)
echo "internal Prosody stopped for $((t_cont - t_stop)) ms; inbound in flight peaked at $max_inflight"
[ "$max_inflight" -gt 0 ]
verdict $? "stanzas held or queued in the edge while the internal server was stopped"

lab_client_wait a2b 110 || fail "load client a2b exit"
lab_client_wait b2a 110 || fail "load client b2a exit"
t_done=$(lab_now_ms)
faults_wait_settled 40
verdict $? "ledger settled: in_flight 0, accepted = delivered + bounced + refused + dropped"
rss1=$(faults_peak_rss)
growth_kb=$((${rss1:-0} - ${rss0:-0}))
echo "edge peak RSS (VmHWM): ${rss1:-?} kB, grew by $growth_kb kB under the load ($COUNT x $PAD B sent)"
[ -n "$rss1" ] && [ "$growth_kb" -lt 65536 ]
verdict $? "peak RSS grew by less than 64 MiB"
echo "edge log totals: stanza.bounced=$(faults_log_count stanza.bounced) stanza.dropped=$(faults_log_count stanza.dropped)"
for flow in "a2b b2a" "b2a a2b"; do
  read -r s r <<<"$flow"
  faults_account "$s" "$r"
  verdict $? "$s: every message received or answered with an error"
  [ "$(faults_json_field "$faults_account_json" received)" -gt 0 ]
  verdict $? "$s: messages got through"
done
faults_finish "$t0" "lab_up=$((t_up - t0)) load_before_stop=$((t_stop - t_go)) stopped=$((t_cont - t_stop)) after_cont=$((t_done - t_cont))"
