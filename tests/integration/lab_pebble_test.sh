#!/usr/bin/env bash
# Proves the lab's ACME CA (lab_start_pebble): pebble with real http-01 validation through the
# lab DNS, and certbot (a reference ACME client) on the edge host obtaining a certificate for
# edge.corp.example and sip.corp.example from it. Asserts the certificate's names, its chain to
# the root fetched from pebble's management port, and its EKUs; then that nothing is left.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"

fail() {
  lab_log "FAIL: $*"
  exit 1
}

lab_trap
t0=$(lab_now_ms)
lab_up || fail "lab_up"
lab_add_host dns 198.51.100.53 || fail "host"
lab_add_host acme 198.51.100.60 || fail "host"
lab_add_host edge 198.51.100.10 || fail "host"
lab_dns_zone corp.example <<'EOF' || fail "zone"
edge 60 IN A 198.51.100.10
sip 60 IN A 198.51.100.10
EOF
lab_dns_start dns || fail "NSD"
t_pebble=$(lab_now_ms)
lab_start_pebble acme || fail "pebble"
t_ready=$(lab_now_ms)
[ -s "$(lab_pebble_roots acme)" ] && [ -s "$(lab_pebble_intermediates acme)" ] || fail "no roots"

cb="$LAB_DIR/certbot"
lab_exec edge env REQUESTS_CA_BUNDLE="$(lab_ca_file)" certbot certonly --standalone \
  --non-interactive --agree-tos -m admin@corp.example --server "$(lab_pebble_directory acme)" \
  -d edge.corp.example -d sip.corp.example --config-dir "$cb/config" --work-dir "$cb/work" \
  --logs-dir "$cb/logs" >"$LAB_DIR/logs/certbot.log" 2>&1 || {
  cat "$LAB_DIR/logs/certbot.log" "$cb"/logs/*.log >&2 2>/dev/null
  fail "certbot could not get a certificate from pebble"
}
t_issued=$(lab_now_ms)
cert="$cb/config/live/edge.corp.example/cert.pem"
[ -s "$cert" ] || fail "no certificate"
sans=$(openssl x509 -in "$cert" -noout -ext subjectAltName | tail -n +2 | tr -d ' ')
[ "$sans" = "DNS:edge.corp.example,DNS:sip.corp.example" ] ||
  [ "$sans" = "DNS:sip.corp.example,DNS:edge.corp.example" ] || fail "SANs are '$sans'"
openssl verify -CAfile "$(lab_pebble_roots acme)" -untrusted "$(lab_pebble_intermediates acme)" \
  "$cert" >/dev/null || fail "the certificate does not chain to pebble's root"
# The lab CA (pebble's HTTPS listener) must not be what signs ACME certificates.
! openssl verify -CAfile "$(lab_ca_file)" "$cert" >/dev/null 2>&1 || fail "signed by the lab CA?"
eku=$(openssl x509 -in "$cert" -noout -ext extendedKeyUsage | tail -n +2)
grep -q "TLS Web Server Authentication" <<<"$eku" || fail "no serverAuth EKU: $eku"

id=$LAB_ID
lab_down
t_down=$(lab_now_ms)
left=$(lab_leftovers "$id")
[ -z "$left" ] || { echo "$left" >&2; fail "left behind after lab_down"; }
trap - EXIT
echo "timings_ms: lab_up+dns=$((t_pebble - t0)) pebble_ready=$((t_ready - t_pebble))" \
  "certbot_http01_issue=$((t_issued - t_ready)) teardown=$((t_down - t_issued)) total=$((t_down - t0))"
echo "lab_pebble_test: PASS"
