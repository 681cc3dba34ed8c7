#!/usr/bin/env bash
# Proves the lab DNS's DNSSEC (lab_dns_sign): a signed corp.example chases to "secure" with the
# lab's trust anchors, a zone signed with expired signatures is bogus, records published after
# signing are signed too, and an unsigned zone stays unsigned. drill (ldnsutils) validates from
# inside a lab host, so no query leaves the lab.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"

fail() {
  lab_log "FAIL: $*"
  exit 1
}

lab_trap
lab_up || fail "lab_up"
lab_add_host dns 198.51.100.53 || fail "host"
lab_add_host probe 198.51.100.11 || fail "host"
lab_dns_zone corp.example <<'EOF' || fail "zone"
_xmpp-server._tcp 60 IN SRV 0 5 5269 edge.corp.example.
edge 60 IN A 198.51.100.10
EOF
lab_dns_zone bogus.example <<'EOF' || fail "zone"
edge 60 IN A 198.51.100.10
EOF
lab_dns_zone plain.example <<'EOF' || fail "zone"
edge 60 IN A 198.51.100.10
EOF
lab_dns_start dns || fail "NSD"
lab_dns_sign corp.example || fail "sign corp.example"
lab_dns_sign bogus.example --expired || fail "sign bogus.example"
[ "$(grep -c DNSKEY "$(lab_dns_anchors)")" -eq 2 ] || fail "expected 2 anchors"
lab_dns_ds corp.example | grep -q "IN	DS	" || fail "no DS for corp.example"

chase() { lab_exec probe drill -S -k "$(lab_dns_anchors)" "@$LAB_DNS_IP" "$@" >"$LAB_DIR/logs/drill.log" 2>&1; }
chase _xmpp-server._tcp.corp.example SRV || { cat "$LAB_DIR/logs/drill.log" >&2; fail "corp.example SRV is not secure"; }
lab_dns_add corp.example "late 60 IN A 198.51.100.77" || fail "publish"
[ "$(lab_dig probe +short late.corp.example A)" = 198.51.100.77 ] || fail "late record not served"
chase late.corp.example A || fail "a record published after signing is not secure"
chase edge.bogus.example A && fail "an expired signature validated"
grep -q "expired" "$LAB_DIR/logs/drill.log" || fail "bogus for another reason than expiry"
lab_dig probe +dnssec +short edge.corp.example A | grep -q '^A ' || fail "no RRSIG on corp.example"
[ -z "$(lab_dig probe +dnssec +short edge.plain.example A | grep '^A ')" ] || fail "plain.example is signed"

id=$LAB_ID
lab_down
left=$(lab_leftovers "$id")
[ -z "$left" ] || { echo "$left" >&2; fail "left behind after lab_down"; }
trap - EXIT
echo "lab_dnssec_test: PASS"
