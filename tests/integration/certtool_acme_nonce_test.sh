#!/usr/bin/env bash
# badNonce (RFC 8555 §6.5): with pebble rejecting 40 % of nonces, certtool acme must retry
# each refused POST with the fresh nonce from the error and still get the certificate. (The
# http-01 test runs with pebble's default 5 %; this one makes the retry certain to happen.)
# It also starts from an empty store: certtool acme makes the request `certtool request` would.
source "$(dirname "$0")/certtool_acme_lib.sh"

read -r dns_port http_port < <(acme_free_ports 2)
acme_start_pebble "$dns_port" "$http_port" PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 \
  PEBBLE_WFE_NONCEREJECT=40
acme_write_config "$http_port"
# No `certtool request` first: certtool acme makes the request itself.

step "certtool acme against 40 % nonce rejection"
certtool acme --verify-ca-file "$work/root.pem" > "$work/acme.out" 2> "$work/acme.log" \
  || { cat "$work/acme.log"; fail "certtool acme gave up"; }
grep -q "no pending request: made request [0-9a-f]\{16\} (ec:P-256)" "$work/acme.log" \
  || fail "certtool acme did not make the missing request"
retries=$(grep -c "badNonce" "$work/acme.log" || true)
echo "badNonce retries: $retries"
[ "$retries" -ge 1 ] || fail "no badNonce happened: the test proves nothing"
grep -q "badNonce" "$work/pebble.log" || grep -qi "nonce" "$work/pebble.log" || true
thumb=$(sed -n 's/^Issued and imported \([0-9a-f]\{64\}\)$/\1/p' "$work/acme.out")
[ -n "$thumb" ] || fail "no certificate imported"
acme_verify_chain "$thumb"
echo "PASS"
