#!/usr/bin/env bash
# Nothing lost: the store goes read-only under the running edge. The edge's store (where it
# keeps subscriptions.json, the memory of which internal user asked for whose presence) is
# remounted read-only inside the edge's own mount namespace (a real EROFS, which root cannot
# write through either). bob@corp.example then asks for alice@gtalk.example's presence, which
# the edge must remember: it logs subscriptions.unsaved reason=store-write-failed with the
# error, stays up, and traffic both ways goes on (every message received, none answered with
# an error; the ledger settles). When the store is writable again the memory is saved.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_faults_lib.sh
source "$here/edgeproxy_faults_lib.sh"

COUNT=${FAULT_COUNT:-100} RATE=${FAULT_RATE:-30}
t0=$(lab_now_ms)
faults_lab_up ""
t_up=$(lab_now_ms)
faults_warm_up || fail "warm-up messages both ways"
pid=$(faults_edge_pid)
saved="$EDGE_STORE/edgeproxy/subscriptions.json"
rm -f "$saved"

# Read-only for the edge only: a bind mount of the store onto itself, remounted ro, in the
# edge's mount namespace (lab_spawn gives every process a private one).
nsenter -t "$pid" -m sh -c "mount --bind '$EDGE_STORE' '$EDGE_STORE' &&
  mount -o remount,bind,ro '$EDGE_STORE'"
verdict $? "the store is read-only for the edge"
nsenter -t "$pid" -m sh -c "touch '$EDGE_STORE/probe' 2>/dev/null"
[ $? -ne 0 ]
verdict $? "a write in the store fails inside the edge's namespace"

lab_client sub-bob internal --jid "$BOB" --password bob-pw --timeout 20 --subscribe "$ALICE" ||
  fail "bob's subscription request"
lab_wait_for 10 grep -q ' subscriptions.unsaved ' "$(faults_edge_log)"
verdict $? "subscriptions.unsaved logged"
grep ' subscriptions.unsaved ' "$(faults_edge_log)" | head -1
grep ' subscriptions.unsaved ' "$(faults_edge_log)" | head -1 | grep -q 'reason=store-write-failed.*detail='
verdict $? "it names the reason and the error"

faults_load_start a2b legacy "$ALICE" "$BOB" "$COUNT" "$RATE" --quiet 5 --timeout 60 || exit 1
faults_load_start b2a internal "$BOB" "$ALICE" "$COUNT" "$RATE" --quiet 5 --timeout 60 || exit 1
faults_load_go
t_go=$(lab_now_ms)
lab_client_wait a2b 70 || fail "load client a2b exit"
lab_client_wait b2a 70 || fail "load client b2a exit"
t_done=$(lab_now_ms)
_lab_pid_alive "$pid"
verdict $? "the edge is still running (pid $pid) with its store read-only"
for flow in "a2b b2a" "b2a a2b"; do
  read -r s r <<<"$flow"
  faults_account "$s" "$r"
  verdict $? "$s: every message received or answered with an error"
  j=$faults_account_json
  [ "$(faults_json_field "$j" received)" -eq "$COUNT" ] && [ "$(faults_json_field "$j" errors)" -eq 0 ]
  verdict $? "$s: all $COUNT received, no error"
done
faults_wait_settled 15
verdict $? "ledger settled: in_flight 0, accepted = delivered + bounced + refused + dropped"
[ ! -e "$saved" ]
verdict $? "nothing was written to the read-only store"

nsenter -t "$pid" -m umount "$EDGE_STORE"
verdict $? "the store is writable again"
lab_wait_for 10 test -s "$saved"
verdict $? "the subscription memory is saved once the store is writable ($saved)"
grep -q "$ALICE" "$saved" 2>/dev/null
verdict $? "it remembers that bob asked for alice's presence"
faults_finish "$t0" "lab_up=$((t_up - t0)) load=$((t_done - t_go))"
