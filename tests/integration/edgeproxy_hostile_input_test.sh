#!/usr/bin/env bash
# Hostile input against the edge's inbound s2s listener (issue "Nothing lost, nothing crashes").
# The edge lab of tests/lab/edge_topology.sh (real partners, an internal Prosody behind the
# edge) with [federation] max_stanza_bytes = 20000 and stream_establishment_timeout = 6s;
# tests/lab/hostile_cases.py runs in the `spoofer` host as spoofer.example (an allowed
# dialback partner, its own authoritative server) and as other domains, one case per hostile
# input (XML restrictions, caps, encodings, namespace tricks, addressing, authentication,
# client certificates, TLS versions and broken handshakes, slowloris, idle connections, many
# streams), one PASS/FAIL line each. Every case asserts the RFC 6120 stream error (or refusal),
# that the edge's inbound delivery ledger (edgekit_stanzas_delivered_total) stays 0, a fresh
# honest stream and /metrics after it, and the edge's VmRSS within +64 MiB of the start.
# The last case is the honest control: one message, delivered. bob@corp.example (internal)
# stays connected throughout and must receive exactly that message and nothing else.
# Cases the edge gets wrong today are kept in hostile_cases.py's PENDING list (not run);
# EDGEKIT_HOSTILE_ARGS passes more arguments to it (e.g. "--run-pending", "--only ID,...").
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/edge_topology.sh
source "$here/../lab/edge_topology.sh"

bin=${EDGEKIT_BIN:-$(cd "$here/../.." && pwd)/build/bin}
establishment=6
rss_bound_mib=64

fail() {
  lab_log "FAIL: $*"
  exit 1
}

# A CA the edge does not trust, and a fabrikam.example certificate from it (certs/huntrusted.*).
untrusted_cert() {
  local d=$LAB_DIR/certs
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=Untrusted hostile CA" -keyout "$d/untrusted-ca.key" -out "$d/untrusted-ca.crt" \
    2>/dev/null || return 1
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=fabrikam.example" \
    -keyout "$d/huntrusted.key" -out "$d/huntrusted.csr" 2>/dev/null || return 1
  printf 'subjectAltName=DNS:fabrikam.example\nextendedKeyUsage=serverAuth,clientAuth\n' \
    >"$d/huntrusted.ext"
  openssl x509 -req -in "$d/huntrusted.csr" -CA "$d/untrusted-ca.crt" -CAkey "$d/untrusted-ca.key" \
    -CAcreateserial -days 2 -extfile "$d/huntrusted.ext" -out "$d/huntrusted.crt" 2>/dev/null ||
    return 1
  cat "$d/huntrusted.crt" "$d/untrusted-ca.crt" >"$d/huntrusted.chain.crt"
}

t_start=$(lab_now_ms)
[ -x "$bin/edgeproxy" ] || fail "edgeproxy binary missing in $bin"
lab_trap
edge_topology_up || fail "edge topology"
sed -i \
  -e "s/^stream_establishment_timeout = .*/stream_establishment_timeout = \"${establishment}s\"/" \
  -e 's/^\[federation\]$/[federation]\nmax_stanza_bytes = 20000/' "$EDGE_CONFIG"
"$bin/edgeproxy" --check-config --config "$EDGE_CONFIG" >/dev/null ||
  fail "edgeproxy --check-config"
lab_issue_cert hself fabrikam.example --self-signed || fail "self-signed cert"
lab_issue_cert hexpired fabrikam.example --expired || fail "expired cert"
lab_issue_cert hwrong other.example || fail "wrong-name cert"
untrusted_cert || fail "untrusted-CA cert"
# A second address for the spoofer host (a stream "from elsewhere" beside one address's flood).
ip -n "$(lab_ns spoofer)" addr add 198.51.100.36/25 dev eth0 || fail "second spoofer address"
t_lab=$(lab_now_ms)

edge_start_edgeproxy "$bin/edgeproxy" --log-level debug || fail "edgeproxy did not start"
edge_pid=$(lab_pid edgeproxy)
[ "$(cat "/proc/$edge_pid/comm" 2>/dev/null)" = edgeproxy ] || fail "pid $edge_pid is not edgeproxy"

lab_client_start bob internal --jid bob@corp.example --password bob-pw --timeout 400 \
  --ready-file "$LAB_DIR/bob.ready" --wait-file "$LAB_DIR/bob.done" || fail "bob's client"
lab_client_wait_event bob ready 30 || fail "bob's client never got ready"
t_ready=$(lab_now_ms)

out=$LAB_DIR/hostile.out
read -ra extra_args <<<"${EDGEKIT_HOSTILE_ARGS:-}"
lab_exec spoofer /usr/bin/python3 "$LAB_LIB_DIR/hostile_cases.py" --edge "$EDGE_PUBLIC_IP" \
  --listen 198.51.100.35 --second-source 198.51.100.36 --edge-pid "$edge_pid" --edge-netns "/run/netns/$(lab_ns edge)" \
  --certs "$LAB_DIR/certs" --establishment "$establishment" --rss-bound-mib "$rss_bound_mib" \
  "${extra_args[@]}" \
  2>"$LAB_DIR/logs/hostile_cases.log" | tee "$out"
driver_rc=${PIPESTATUS[0]}
t_cases=$(lab_now_ms)

: >"$LAB_DIR/bob.done"
lab_client_wait bob 30
bob_rc=$?
bob_messages=$(lab_client_count bob message)
bob_control=$(lab_client_count bob message "body=control <b>&kept</b>")

failures=()
[ "$driver_rc" -eq 0 ] || failures+=("hostile_cases.py exited $driver_rc")
n_pass=$(grep -c '^PASS ' "$out")
[ "$n_pass" -ge 45 ] || failures+=("only $n_pass cases passed (at least 45 wanted)")
[ "$bob_rc" -eq 0 ] || failures+=("bob's client exited $bob_rc")
[ "$bob_messages" -eq 1 ] ||
  failures+=("bob received $bob_messages messages (only the control wanted)")
[ "$bob_control" -eq 1 ] ||
  failures+=("bob did not receive the control message with its CDATA intact")
lab_alive edgeproxy || failures+=("edgeproxy died")
echo "bob: $bob_messages message(s) received, the control message $bob_control time(s)"

if [ ${#failures[@]} -gt 0 ]; then
  printf 'FAIL: %s\n' "${failures[@]}" >&2
  exit 1
fi
lab_id=$LAB_ID
lab_down
left=$(lab_leftovers "$lab_id")
[ -z "$left" ] || { echo "$left" >&2; fail "left behind after lab_down"; }
trap - EXIT
echo "timings_ms: lab=$((t_lab - t_start)) edge_and_client=$((t_ready - t_lab))" \
  "cases=$((t_cases - t_ready)) total=$(($(lab_now_ms) - t_start))"
echo "edgeproxy_hostile_input_test: PASS"
