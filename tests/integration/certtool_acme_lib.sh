# shellcheck shell=bash
# Shared by the certtool_acme_*_test.sh integration tests (sourced; not a test itself):
# a throw-away work dir, free loopback ports, pebble 2.4 with a throw-away listener CA, NSD
# and Knot on loopback, the deployment file, and a trap that stops every server it started
# (by PID, also on failure). Nothing listens beyond loopback and no tool is pointed at a
# resolver outside the machine: pebble gets -dnsserver, dig/kdig get @127.0.0.1 -p.
set -euo pipefail

BIN=${EDGEKIT_BIN:?EDGEKIT_BIN must point at build/bin}
for tool in pebble openssl curl nsd knotd kdig; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/setup)" >&2; exit 1; }
done

work=$(mktemp -d "/tmp/certtool-acme-$$-XXXX")
acme_pids=()     # killed with kill PID
acme_groups=()   # killed with kill -- -PGID (NSD forks)
acme_cleanup() {
  local status=$?
  local p
  for p in "${acme_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${acme_groups[@]}"; do kill -- "-$p" 2>/dev/null || true; done
  for p in "${acme_pids[@]}" "${acme_groups[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }; done >&2
  fi
  rm -rf "$work"
}
trap acme_cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# acme_free_ports N: N ports free on 127.0.0.1 and ::1 at the time of asking.
acme_free_ports() {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
socks, ports = [], []
while len(ports) < int(sys.argv[1]):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    try:
        s6 = socket.socket(socket.AF_INET6); s6.bind(("::1", port)); socks.append(s6)
    except OSError:
        socks.append(s); continue
    socks.append(s); ports.append(port)
print(" ".join(map(str, ports)))
PY
}

# acme_start_pebble DNS_PORT HTTP_PORT [ENV=VALUE...]: pebble on free ports, its listener
# certificate from a throw-away CA ($work/listener-ca.pem: give it to certtool as
# acme.ca_file). Sets ACME_DIR (the directory URL) and fetches $work/root.pem and
# $work/intermediate.pem from the management port. Blocked name: blocked.example (pebble 2.4 indexes past the end of names with fewer labels than a blocklist entry, so the entry has two labels).
acme_start_pebble() {
  local dns_port=$1 http_port=$2
  shift 2
  read -r acme_port mgmt_port tls_port < <(acme_free_ports 3)
  if [ ! -f "$work/listener-ca.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj "/CN=pebble listener CA $$" -keyout "$work/listener-ca.key" -out "$work/listener-ca.pem" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
      -keyout "$work/listener.key" -out "$work/listener.csr" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$work/listener.ext"
    openssl x509 -req -in "$work/listener.csr" -CA "$work/listener-ca.pem" -CAkey "$work/listener-ca.key" \
      -days 2 -extfile "$work/listener.ext" -out "$work/listener.pem" 2>/dev/null
  fi
  cat > "$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$acme_port", "managementListenAddress": "127.0.0.1:$mgmt_port",
 "certificate": "$work/listener.pem", "privateKey": "$work/listener.key",
 "httpPort": $http_port, "tlsPort": $tls_port, "ocspResponderURL": "",
 "externalAccountBindingRequired": false, "domainBlocklist": ["blocked.example"]}}
JSON
  env "$@" pebble -config "$work/pebble.json" -dnsserver "127.0.0.1:$dns_port" -strict \
    >>"$work/pebble.log" 2>&1 &
  PEBBLE_PID=$!
  acme_pids+=("$PEBBLE_PID")
  ACME_DIR="https://127.0.0.1:$acme_port/dir"
  local i
  for i in $(seq 1 100); do
    curl -sf --cacert "$work/listener-ca.pem" "$ACME_DIR" >/dev/null && break
    kill -0 "$PEBBLE_PID" 2>/dev/null || fail "pebble exited"
    sleep 0.1
  done
  curl -sf --cacert "$work/listener-ca.pem" "$ACME_DIR" >/dev/null || fail "pebble did not come up"
  curl -sf --cacert "$work/listener-ca.pem" "https://127.0.0.1:$mgmt_port/roots/0" > "$work/root.pem"
  curl -sf --cacert "$work/listener-ca.pem" "https://127.0.0.1:$mgmt_port/intermediates/0" \
    > "$work/intermediate.pem"
  grep -q "BEGIN CERTIFICATE" "$work/root.pem" || fail "no root from pebble's management port"
}

# acme_start_nsd PORT: NSD on 127.0.0.1@PORT, authoritative for corp.example with the names
# the edge certificate needs, each at 127.0.0.1 and ::1 (pebble dials AAAA first).
acme_start_nsd() {
  local port=$1 d="$work/nsd"
  mkdir -p "$d"
  cat > "$d/corp.example.zone" <<ZONE
\$ORIGIN corp.example.
\$TTL 60
@ IN SOA ns.corp.example. hostmaster.corp.example. 1 3600 600 86400 60
@ IN NS ns.corp.example.
ns IN A 127.0.0.1
@ IN A 127.0.0.1
@ IN AAAA ::1
edge IN A 127.0.0.1
edge IN AAAA ::1
sip IN A 127.0.0.1
sip IN AAAA ::1
ZONE
  cat > "$d/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$port
  username: ""
  chroot: ""
  database: ""
  zonelistfile: "$d/zone.list"
  xfrdfile: "$d/xfrd.state"
  pidfile: "$d/nsd.pid"
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: corp.example
  zonefile: "$d/corp.example.zone"
CONF
  setsid nsd -d -c "$d/nsd.conf" >>"$work/nsd.log" 2>&1 &
  acme_groups+=("$!")
  local i
  for i in $(seq 1 50); do
    kdig @127.0.0.1 -p "$port" +short edge.corp.example A 2>/dev/null | grep -q 127.0.0.1 && return 0
    sleep 0.1
  done
  fail "NSD did not answer on 127.0.0.1:$port"
}

# acme_start_knot PORT: Knot on 127.0.0.1@PORT, authoritative for corp.example, accepting
# RFC 2136 updates signed with the TSIG key in $work/tsig.key (BIND format, for certtool).
acme_start_knot() {
  local port=$1 d="$work/knot"
  mkdir -p "$d/db" "$d/run" "$d/zones"
  local secret
  secret=$(openssl rand -base64 32)
  printf 'key "acme-update" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$secret" > "$work/tsig.key"
  cat > "$d/zones/corp.example.zone" <<ZONE
\$ORIGIN corp.example.
\$TTL 60
@ IN SOA ns.corp.example. hostmaster.corp.example. 1 3600 600 86400 60
@ IN NS ns.corp.example.
ns IN A 127.0.0.1
edge IN A 127.0.0.1
ZONE
  cat > "$d/knot.conf" <<CONF
server:
    rundir: "$d/run"
    listen: 127.0.0.1@$port
database:
    storage: "$d/db"
log:
  - target: stderr
    any: info
key:
  - id: acme-update
    algorithm: hmac-sha256
    secret: $secret
acl:
  - id: acme-update
    key: acme-update
    action: update
zone:
  - domain: corp.example
    storage: "$d/zones"
    file: corp.example.zone
    zonefile-sync: -1
    acl: acme-update
CONF
  knotd -c "$d/knot.conf" >>"$work/knot.log" 2>&1 &
  acme_pids+=("$!")
  local i
  for i in $(seq 1 50); do
    kdig @127.0.0.1 -p "$port" +short corp.example SOA 2>/dev/null | grep -q hostmaster && return 0
    sleep 0.1
  done
  fail "Knot did not answer on 127.0.0.1:$port"
}

# acme_write_config HTTP_PORT [extra [acme] lines...]: the deployment file and the store.
acme_write_config() {
  local http_port=$1
  shift
  {
    cat <<TOML
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example"]
store = "$work/store"
[certificate]
key = "ec:P-256"
[acme]
directory = "$ACME_DIR"
contact = "mailto:pki@corp.example"
agree_tos = true
ca_file = "$work/listener-ca.pem"
http_listen = "[::]:$http_port"
TOML
    local line
    for line in "$@"; do echo "$line"; done
  } > "$work/edgekit.toml"
}

certtool() { "$BIN/certtool" --config "$work/edgekit.toml" "$@"; }

# acme_verify_assigned: the assigned chain verifies against pebble's root with openssl.
acme_verify_chain() {
  local thumb=$1 dir="$work/store/certificates/$1"
  [ -s "$dir/cert.pem" ] || fail "no stored certificate $thumb"
  openssl verify -CAfile "$work/root.pem" -untrusted "$dir/chain.pem" -purpose sslserver \
    "$dir/cert.pem" || fail "openssl verify rejects the issued chain"
}
