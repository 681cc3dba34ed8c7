#!/usr/bin/env bash
# Streams per source address (issue 17, limits): [federation] connections_per_ip bounds the
# streams one address holds while they negotiate; one more is answered with a stream header,
# <policy-violation/> (RFC 6120 §4.9.3.18) and a <text/> saying why, then closed (reason
# per-ip-limit). Other addresses are not affected. Also: --check-config refuses a secret file
# every user can read, naming the file and `chmod 600`, and exits 2.
#
# In the trust lab (edgeproxy_trust_hostile_lib.sh), with connections_per_ip = 5, the attacker
# host opens 8 connections that each send a stream header and then stay silent. Asserts:
# 5 stay open, 3 are refused with a header and <policy-violation/>, the edge counts
# per-ip-limit 3 times, a raw peer from the attacker's address is refused with the stream
# error, and alice (the real gtalk.example, another address) still reaches bob.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_hostile_lib.sh
source "$here/edgeproxy_trust_hostile_lib.sh"

t_start=$(lab_now_ms)
TRUST_FEDERATION_EXTRA='connections_per_ip = 5'
trust_lab_up
config="$LAB_DIR/edge/edgekit.toml"

# --check-config and a world-readable secret.
chmod 644 "$LAB_DIR/edge/dialback.secret"
out=$("$TRUST_BIN/edgeproxy" --check-config --config "$config" 2>&1)
rc=$?
check "--check-config exits 2 for a world-readable dialback secret (got $rc)" test "$rc" -eq 2
check "--check-config names the file and the fix" \
  grep -q "dialback.secret (federation.dialback_secret_file) is readable by every user: chmod 600 " <<<"$out"
chmod 600 "$LAB_DIR/edge/dialback.secret"
check "--check-config accepts it once private" \
  "$TRUST_BIN/edgeproxy" --check-config --config "$config"

lab_client_start bob internal --no-tls --jid bob@corp.example --password bob-pw --timeout 60 \
  --ready-file "$LAB_DIR/bob.ready" --expect alice@gtalk.example "past the per-ip limit" ||
  fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob never came online"

lab_spawn --stdout "$LAB_DIR/clients/idle.jsonl" idle attacker /usr/bin/python3 \
  "$LAB_LIB_DIR/idle_streams.py" --target "$TRUST_EDGE_IP:5269" --count 8 --header --hold 8 \
  --ready-file "$LAB_DIR/idle.ready" || fail "start the idle connections"
lab_wait_for 20 test -e "$LAB_DIR/idle.ready" || fail "the idle connections never opened"
sleep 1
# One more from the same address, as a peer would see it.
trust_peer refused attacker --domain attacker.example --to corp.example \
  --address "$TRUST_EDGE_IP" --expect-stream-error policy-violation
check "a ninth stream from the attacker's address gets <policy-violation/>" test $? -eq 0
check "alice (another address) still reaches bob" \
  lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "past the per-ip limit"
lab_client_wait bob 30 || check "bob received alice's message" false

lab_wait_for 20 grep -q '"event": "done"' "$LAB_DIR/clients/idle.jsonl" ||
  fail "the idle connections never reported"
result=$(grep '"event": "done"' "$LAB_DIR/clients/idle.jsonl")
lab_log "idle connections: $result"
field() { /usr/bin/python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {}, d))' "$result" "$1"; }
check "3 of the 8 were refused with <policy-violation/>" \
  test "$(field 'conditions.get("policy-violation", 0)')" -eq 3
check "each refusal came with a stream header" test "$(field 'with_header')" -ge 3
check "the refusal says why" grep -q 'too many streams still negotiating from your address' <<<"$result"
check "5 were held open until the client let go" test "$(field 'still_open')" -eq 5
check "the edge counted per-ip-limit 4 times" test "$(trust_failures - per-ip-limit)" -eq 4
check "the edge logged stream.refused reason=per-ip-limit" \
  grep -q 'stream.refused.*peer=198.51.100.14.*reason=per-ip-limit' "$TRUST_EDGE_LOG"
check "the edge is up" trust_edge_up

trust_lab_down
echo "timings_ms: total=$(($(lab_now_ms) - t_start))"
[ ${#failures[@]} -eq 0 ] || { printf 'FAILED: %s\n' "${failures[@]}" >&2; exit 1; }
echo "edgeproxy_limits_per_ip_test: PASS"
