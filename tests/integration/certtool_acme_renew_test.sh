#!/usr/bin/env bash
# certtool renew: nothing happens while the assigned certificate is not due (exit 0, as a
# daily timer needs); within --warn-days it is renewed through ACME with the same key, then
# assigned; --new-key renews with a fresh key. Every chain verifies against pebble's root.
source "$(dirname "$0")/certtool_acme_lib.sh"

read -r dns_port http_port < <(acme_free_ports 2)
acme_start_pebble "$dns_port" "$http_port" PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1
acme_write_config "$http_port"
identity_thumb() {
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["thumbprint"])' \
    "$work/store/identity.json"
}
spki_of() {
  openssl x509 -in "$work/store/certificates/$1/cert.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -c1-64
}

step "nothing assigned yet: renew says so"
certtool request > /dev/null
set +e
certtool renew > /dev/null 2> "$work/none.err"; status=$?
set -e
[ "$status" -eq 2 ] || { cat "$work/none.err"; fail "renew without an assignment exited $status, not 2"; }
grep -q "no certificate is assigned" "$work/none.err" || fail "unclear message"

step "first certificate"
certtool acme --assign --verify-ca-file "$work/root.pem" > /dev/null 2> "$work/first.log" \
  || { cat "$work/first.log"; fail "certtool acme --assign failed"; }
first=$(identity_thumb)
acme_verify_chain "$first"

step "not due: renew does nothing"
certtool renew --verify-ca-file "$work/root.pem" > "$work/notdue.out"
grep -q "^Not due: $first expires" "$work/notdue.out" || fail "renew did not say 'not due'"
[ "$(identity_thumb)" = "$first" ] || fail "renew changed the assignment although not due"

step "due (--warn-days wider than the lifetime): renewed with the same key, assigned"
certtool renew --warn-days 4000 --verify-ca-file "$work/root.pem" > "$work/renew.out" 2> "$work/renew.log" \
  || { cat "$work/renew.log"; fail "renew failed"; }
second=$(identity_thumb)
[ "$second" != "$first" ] || fail "the assignment did not change"
acme_verify_chain "$second"
[ "$(spki_of "$second")" = "$(spki_of "$first")" ] || fail "the key was not reused"
grep -q "^Assigned $second" "$work/renew.out" || fail "renew did not assign"

step "--new-key: renewed with a fresh key"
certtool renew --force --new-key --verify-ca-file "$work/root.pem" > /dev/null 2> "$work/newkey.log" \
  || { cat "$work/newkey.log"; fail "renew --new-key failed"; }
third=$(identity_thumb)
[ "$third" != "$second" ] || fail "the assignment did not change"
acme_verify_chain "$third"
[ "$(spki_of "$third")" != "$(spki_of "$second")" ] || fail "--new-key reused the key"
stat -c %a "$work/store/certificates/$third/key.pem" | grep -qx 600 || fail "new key is not 0600"
echo "PASS"
