# shellcheck shell=bash
# The lab shared by the edgeproxy_trust_*_test.sh tests (hostile peers against the edge's
# trust rules). Source it after tests/lab/lab.sh, then call trust_lab_up.
#
# Hosts (one "internet" segment, 198.51.100.0/24):
#   dns .53       NSD: one zone per domain below, SRV -> xmpp.<domain> -> the host's address
#   edge .10      edgeproxy for corp.example (lab-CA certificate for xmpp.corp.example);
#                 /metrics on 127.0.0.1:9269 inside the host
#   internal .20  Prosody corp.example (bob), no s2s, one Component per partner domain
#   legacy .11    real Prosody gtalk.example (alice): plaintext + dialback, the legacy partner
#   tlsdb .12     real Prosody dbtls.example (dora): TLS required (lab-CA certificate) + dialback
#   attacker .14  no server: s2s_peer.py plays attacker.example, an allowed dialback partner
#                 whose SRV points here (its own authoritative server answers on .14:5269)
#   rawdb .36     no server: s2s_peer.py --receive plays the server of unsolicited-db.example
#   rawsasl .37   no server: s2s_peer.py --receive plays the server of unsolicited-sasl.example
# Partners in edgekit.toml:
#   gtalk.example            federated, tls/sasl not-supported, dialback
#   attacker.example         federated, tls/sasl not-supported, dialback
#   dbtls.example            public-verified, tls required, sasl optional, dialback (so
#                            verify_certificate defaults to false: dialback over any TLS)
#   unsolicited-db.example   federated, tls required, sasl optional, dialback
#   unsolicited-sasl.example federated, tls required, sasl required, no dialback
# [federation] stream_establishment_timeout is $TRUST_ESTABLISHMENT_TIMEOUT (default "15s");
# $TRUST_FEDERATION_EXTRA (lines) is added to [federation] (the limits tests set theirs).
# Why raw peers: no real server forges a db:verify for a domain it does not own, or declares
# a stream authenticated that nobody asked to authenticate; Prosody plays every honest part.

TRUST_EDGE_IP=198.51.100.10
TRUST_LEGACY_IP=198.51.100.11
TRUST_TLSDB_IP=198.51.100.12
TRUST_ATTACKER_IP=198.51.100.14
TRUST_RAWDB_IP=198.51.100.36
TRUST_RAWSASL_IP=198.51.100.37
TRUST_BIN=${EDGEKIT_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/bin}

fail() {
  lab_log "FAIL: $*"
  exit 1
}

# check DESCRIPTION CMD... — records a failed assertion in `failures` and goes on.
failures=()
check() {
  local what=$1
  shift
  if "$@"; then
    lab_log "ok: $what"
  else
    lab_log "NOT OK: $what"
    failures+=("$what")
  fi
}

# trust_peer NAME HOST ARGS... — s2s_peer.py in HOST to completion; JSON lines in
# $LAB_DIR/clients/NAME.jsonl, stderr in the logs. Returns the peer's exit code.
trust_peer() {
  local name=$1 host=$2
  shift 2
  lab_exec "$host" /usr/bin/python3 "$LAB_LIB_DIR/s2s_peer.py" "$@" \
    >>"$LAB_DIR/clients/$name.jsonl" 2>>"$LAB_DIR/logs/peer-$name.log" </dev/null
}

# trust_peer_start NAME HOST ARGS... — the same in the background (process peer-NAME).
trust_peer_start() {
  local name=$1 host=$2
  shift 2
  lab_spawn --stdout "$LAB_DIR/clients/$name.jsonl" "peer-$name" "$host" \
    /usr/bin/python3 "$LAB_LIB_DIR/s2s_peer.py" "$@"
}

# trust_peer_wait NAME TIMEOUT_S — waits for a background peer; its exit code (124: killed).
trust_peer_wait() {
  local name=$1 timeout=$2 pid rc
  pid=$(lab_pid "peer-$name") || return 2
  if ! _lab_wait_gone $((timeout * 10)) "$pid"; then
    lab_log "peer $name still running after ${timeout}s; stopping it"
    lab_stop "peer-$name"
    return 124
  fi
  wait "$pid"
  rc=$?
  rm -f "$LAB_DIR/procs/peer-$name.pid" "$LAB_DIR/procs/peer-$name.host"
  return $rc
}

# trust_events NAME EVENT [KEY=VALUE...] — how many JSON events of peer NAME match.
trust_events() {
  local name=$1
  shift
  /usr/bin/python3 - "$LAB_DIR/clients/$name.jsonl" "$@" <<'EOF'
import json, sys
path, event, conds = sys.argv[1], sys.argv[2], [c.split("=", 1) for c in sys.argv[3:]]
n = 0
try:
    lines = open(path, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines:
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == event and all(str(e.get(k)) == v for k, v in conds):
        n += 1
print(n)
EOF
}

# trust_wait_event NAME EVENT TIMEOUT_S — polls until peer NAME printed EVENT.
trust_wait_event() {
  lab_wait_for "$3" grep -q "\"event\": \"$2\"" "$LAB_DIR/clients/$1.jsonl"
}

# trust_metrics — the edge's /metrics text.
trust_metrics() {
  lab_exec edge curl -sf --max-time 5 http://127.0.0.1:9269/metrics
}

# trust_failures PARTNER REASON — the edgeproxy_failures_total sample (0 when absent).
trust_failures() {
  local n
  n=$(trust_metrics | sed -n "s/^edgeproxy_failures_total{partner=\"$1\",reason=\"$2\"} \([0-9]*\)$/\1/p")
  echo "${n:-0}"
}

# trust_edge_up — true while edgeproxy runs and answers /healthz.
trust_edge_up() {
  lab_alive edgeproxy && [ "$(lab_exec edge curl -sf --max-time 5 http://127.0.0.1:9269/healthz)" = ok ]
}

trust_lab_up() {
  [ -x "$TRUST_BIN/edgeproxy" ] || fail "edgeproxy binary missing in $TRUST_BIN"
  lab_trap
  lab_up || fail "lab_up"
  lab_add_host dns 198.51.100.53 || fail "dns host"
  lab_add_host edge "$TRUST_EDGE_IP" || fail "edge host"
  lab_add_host internal 198.51.100.20 || fail "internal host"
  lab_add_host legacy "$TRUST_LEGACY_IP" || fail "legacy host"
  lab_add_host tlsdb "$TRUST_TLSDB_IP" || fail "tlsdb host"
  lab_add_host attacker "$TRUST_ATTACKER_IP" || fail "attacker host"
  lab_add_host rawdb "$TRUST_RAWDB_IP" || fail "rawdb host"
  lab_add_host rawsasl "$TRUST_RAWSASL_IP" || fail "rawsasl host"
  local pair
  for pair in corp.example:edge gtalk.example:legacy dbtls.example:tlsdb attacker.example:attacker \
    unsolicited-db.example:rawdb unsolicited-sasl.example:rawsasl; do
    lab_dns_xmpp_zone "${pair%%:*}" "${pair#*:}" || fail "zone ${pair%%:*}"
  done
  lab_dns_start dns || fail "NSD"
  lab_issue_cert edge corp.example xmpp.corp.example || fail "edge cert"
  lab_issue_cert tlsdb dbtls.example xmpp.dbtls.example || fail "dbtls cert"
  mkdir -p "$LAB_DIR/clients"

  local secret="component-$$-secret" d
  lab_start_prosody internal --domain corp.example --no-s2s \
    --component "gtalk.example:$secret" --component "attacker.example:$secret" \
    --component "dbtls.example:$secret" \
    --component "unsolicited-db.example:$secret" --component "unsolicited-sasl.example:$secret" \
    --user bob@corp.example:bob-pw || fail "internal Prosody"
  lab_start_prosody legacy --domain gtalk.example --plain-s2s \
    --user alice@gtalk.example:alice-pw || fail "legacy Prosody"
  lab_start_prosody tlsdb --domain dbtls.example --cert tlsdb \
    --user dora@dbtls.example:dora-pw || fail "dbtls Prosody"

  d="$LAB_DIR/edge"
  TRUST_EDGE_LOG="$LAB_DIR/logs/edgeproxy.log"
  lab_edge_store "$d/store" edge xmpp.corp.example corp.example || fail "edge store"
  printf '%s\n' "$secret" >"$d/component.secret"
  openssl rand -hex 32 >"$d/dialback.secret"
  chmod 600 "$d/component.secret" "$d/dialback.secret"
  cat >"$d/edgekit.toml" <<TOML
[edge]
fqdn = "xmpp.corp.example"
xmpp_domains = ["corp.example"]
store = "$d/store"
[dns]
nameservers = ["198.51.100.53"]
[listen]
s2s = ["0.0.0.0:5269"]
metrics = "127.0.0.1:9269"
[internal]
host = "198.51.100.20"
port = 5347
secret_file = "$d/component.secret"
[federation]
dialback_secret_file = "$d/dialback.secret"
ca_file = "$(lab_ca_file)"
stream_establishment_timeout = "${TRUST_ESTABLISHMENT_TIMEOUT:-15s}"
${TRUST_FEDERATION_EXTRA:-}

[[partner]]
domain = "gtalk.example"
type = "federated"
tls = "not-supported"
sasl = "not-supported"
dialback = true

[[partner]]
domain = "attacker.example"
type = "federated"
tls = "not-supported"
sasl = "not-supported"
dialback = true

[[partner]]
domain = "dbtls.example"
type = "public-verified"
tls = "required"
sasl = "optional"
dialback = true

[[partner]]
domain = "unsolicited-db.example"
type = "federated"
tls = "required"
sasl = "optional"
dialback = true

[[partner]]
domain = "unsolicited-sasl.example"
type = "federated"
tls = "required"
sasl = "required"
dialback = false
TOML
  "$TRUST_BIN/edgeproxy" --check-config --config "$d/edgekit.toml" >/dev/null ||
    fail "edgeproxy --check-config"
  lab_spawn edgeproxy edge "$TRUST_BIN/edgeproxy" --config "$d/edgekit.toml" --log-level debug ||
    fail "start edgeproxy"
  lab_wait_port edge 5269 10 edgeproxy || fail "edgeproxy does not listen"
  local dom
  for dom in gtalk.example attacker.example dbtls.example unsolicited-db.example \
    unsolicited-sasl.example; do
    lab_wait_for 10 grep -q "component.ready.*$dom" "$TRUST_EDGE_LOG" ||
      fail "component link for $dom never came up"
  done
  lab_log "edgeproxy under test: $TRUST_BIN/edgeproxy ($(sha256sum "$TRUST_BIN/edgeproxy" | cut -c1-12))"
}

# trust_lab_down — checks the edge survived, then tears down and checks nothing was left.
trust_lab_down() {
  local id=$LAB_ID left
  lab_down
  left=$(lab_leftovers "$id")
  [ -z "$left" ] || { echo "$left" >&2; fail "left behind after lab_down"; }
  trap - EXIT
}
