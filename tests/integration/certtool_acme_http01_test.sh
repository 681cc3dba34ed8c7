#!/usr/bin/env bash
# certtool acme end to end with REAL http-01 validation: pebble resolves the edge's names
# through a loopback NSD (A 127.0.0.1, AAAA ::1) and fetches the key authorizations from
# certtool's built-in responder. pebble's nonce rejection stays at its default (5 %), so a
# badNonce may happen at any POST and must be retried. The issued chain is imported,
# assigned, and verifies with openssl against pebble's root.
source "$(dirname "$0")/certtool_acme_lib.sh"

read -r dns_port http_port < <(acme_free_ports 2)
step "NSD on 127.0.0.1:$dns_port, pebble validating http-01 on port $http_port"
acme_start_nsd "$dns_port"
acme_start_pebble "$dns_port" "$http_port" PEBBLE_VA_NOSLEEP=1
acme_write_config "$http_port"

step "certtool request"
certtool request > "$work/request.out" || fail "certtool request failed"

step "certtool acme --assign (real http-01 validation)"
start=$(date +%s)
certtool acme --assign --verify-ca-file "$work/root.pem" > "$work/acme.out" 2> "$work/acme.log" \
  || { cat "$work/acme.out"; fail "certtool acme failed"; }
echo "issued in $(( $(date +%s) - start )) s"
cat "$work/acme.out"
grep -q "http-01 responder listening on \[::\]:$http_port (IPv6 and IPv4)" "$work/acme.log" \
  || fail "the responder did not listen dual-stack"
grep -q "edge.corp.example: validated" "$work/acme.log" || fail "edge.corp.example not validated"
grep -q "corp.example: validated" "$work/acme.log" || fail "corp.example not validated"
# pebble really fetched the tokens from the responder (no PEBBLE_VA_ALWAYS_VALID here).
grep -q "acme.http01.request .*status=200" "$work/acme.log" || fail "pebble never fetched a token"
echo "badNonce retries seen (pebble's default 5 %): $(grep -c "badNonce" "$work/acme.log" || true)"

thumb=$(sed -n 's/^Issued and imported \([0-9a-f]\{64\}\)$/\1/p' "$work/acme.out")
[ -n "$thumb" ] || fail "no thumbprint printed"
acme_verify_chain "$thumb"
grep -q "\"thumbprint\": \"$thumb\"" "$work/store/identity.json" || fail "not assigned"
openssl x509 -in "$work/store/certificates/$thumb/cert.pem" -noout -ext subjectAltName \
  | grep -q "DNS:edge.corp.example" || fail "the certificate does not name edge.corp.example"
stat -c %a "$work/store/acme/account.key" | grep -qx 600 || fail "account key is not 0600"
[ ! -e "$work/store/acme/order.json" ] || fail "the finished order is still saved"

step "the responder is gone after the order"
if curl -s -o /dev/null "http://127.0.0.1:$http_port/.well-known/acme-challenge/x"; then
  fail "the http-01 responder still listens after certtool exited"
fi

step "a second run reuses the account (no new account key)"
certtool request > /dev/null
certtool acme --verify-ca-file "$work/root.pem" > "$work/acme2.out" 2> "$work/acme2.log" \
  || { cat "$work/acme2.log"; fail "second certtool acme failed"; }
grep -q "using ACME account" "$work/acme2.log" || fail "the existing account was not reused"
! grep -q "new ACME account key" "$work/acme2.log" || fail "a second account key was made"
echo "PASS"
