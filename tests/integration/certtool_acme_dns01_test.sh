#!/usr/bin/env bash
# dns-01 end to end: certtool adds the TXT records to Knot by RFC 2136 update signed with TSIG
# (BIND key file), waits until Knot answers them, pebble validates them for real through the
# same Knot (-dnsserver), and certtool removes them afterwards. A wrong TSIG key is refused
# with a clear message.
source "$(dirname "$0")/certtool_acme_lib.sh"

read -r knot_port http_port < <(acme_free_ports 2)
step "Knot on 127.0.0.1:$knot_port with a TSIG update ACL; pebble resolving through it"
acme_start_knot "$knot_port"
acme_start_pebble "$knot_port" "$http_port" PEBBLE_VA_NOSLEEP=1
acme_write_config "$http_port" 'challenge = "dns-01"' \
  "dns_update_server = \"127.0.0.1:$knot_port\"" "tsig_key_file = \"$work/tsig.key\""
certtool request > /dev/null

step "a wrong TSIG key is refused"
printf 'key "acme-update" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$(openssl rand -base64 32)" > "$work/wrong.key"
set +e
certtool acme --tsig-key-file "$work/wrong.key" > /dev/null 2> "$work/wrong.err"
status=$?
set -e
echo "exit $status: $(grep 'error:' "$work/wrong.err")"
[ "$status" -ne 0 ] || fail "an update with the wrong key succeeded"
grep -q "error: .*update.*127.0.0.1:$knot_port" "$work/wrong.err" || { cat "$work/wrong.err"; fail "the refused update is not explained"; }

step "certtool acme with dns-01"
certtool acme --new-order --verify-ca-file "$work/root.pem" > "$work/acme.out" 2> "$work/acme.log" \
  || { cat "$work/acme.log"; fail "certtool acme (dns-01) failed"; }
cat "$work/acme.log"
grep -q "dns-01: added TXT _acme-challenge.edge.corp.example. in zone corp.example." "$work/acme.log" || fail "no TXT added"
grep -q "dns-01: 127.0.0.1:$knot_port answers the TXT" "$work/acme.log" || fail "did not wait for the TXT"
# No PEBBLE_VA_ALWAYS_VALID: "validated" means pebble found the TXT values in Knot.
grep -q "edge.corp.example: validated" "$work/acme.log" || fail "not validated"
grep -q "dns-01: removed TXT _acme-challenge.edge.corp.example." "$work/acme.log" || fail "TXT not removed"
left=$(kdig @127.0.0.1 -p "$knot_port" +short _acme-challenge.edge.corp.example TXT)
[ -z "$left" ] || fail "TXT records left behind: $left"
thumb=$(sed -n 's/^Issued and imported \([0-9a-f]\{64\}\)$/\1/p' "$work/acme.out")
[ -n "$thumb" ] || fail "no certificate imported"
acme_verify_chain "$thumb"
echo "PASS"
