#!/usr/bin/env bash
# The edge lab (tests/lab/edge_topology.sh) is what the edgeproxy integration tests and the
# demo stand on; this proves it without edgeproxy:
# - its edgekit.toml passes `edgeproxy --check-config` (the foundation's parser) and names
#   the lab DNS, the internal server and three partners;
# - DNS: started without the corp.example SRV record (the demo's "before go-live"), then
#   published and withdrawn with edge_publish_srv / edge_withdraw_srv, as seen from a partner;
# - the internal server is reachable from the edge only (another segment), has no s2s
#   listener, and cannot reach the lab DNS either;
# - while no edge is attached, the internal server bounces a message for a partner user
#   (its component is unavailable) rather than sending it anywhere;
# - a partner server's message for corp.example (SRV -> edge, nothing listening) bounces too;
# - the partner users exist and log in; teardown leaves nothing.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/edge_topology.sh
source "$here/../lab/edge_topology.sh"
bin=${EDGEKIT_BIN:-$here/../../build/bin}

fail() {
  lab_log "FAIL: $*"
  exit 1
}

lab_trap
t0=$(lab_now_ms)
lab_up || fail "lab_up"
edge_topology_up --no-srv || fail "edge topology"
t_up=$(lab_now_ms)

# The generated deployment file is valid for the real parser.
"$bin/edgeproxy" --check-config --config "$EDGE_CONFIG" || fail "edgeproxy --check-config rejects $EDGE_CONFIG"
for key in "nameservers = \[\"$LAB_DNS_IP:53\"\]" "host = \"$EDGE_INTERNAL_IP\"" \
  "domain = \"$EDGE_LEGACY_DOMAIN\"" "domain = \"$EDGE_TLS_DOMAIN\"" "domain = \"$EDGE_EJ_DOMAIN\""; do
  grep -q "^$key" "$EDGE_CONFIG" || fail "edgekit.toml lacks $key"
done
[ -s "$EDGE_STORE/identity.json" ] || fail "no identity.json"
cert=$EDGE_STORE/$(sed -n 's/.*"certificate": "\(.*\)".*/\1/p' "$EDGE_STORE/identity.json")
openssl verify -CAfile "$(lab_ca_file)" -purpose sslclient "$cert" >/dev/null ||
  fail "the edge certificate does not verify as a TLS client against the lab CA"

# The demo's "the CSR is signed" step: the lab CA keeps the request's names, sets the EKUs.
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$LAB_DIR/req.key" \
  -out "$LAB_DIR/req.csr" -subj "/CN=$EDGE_FQDN" \
  -addext "subjectAltName=DNS:$EDGE_FQDN,DNS:$EDGE_DOMAIN,DNS:sip.$EDGE_DOMAIN" 2>/dev/null || fail "CSR"
lab_ca_sign_csr "$LAB_DIR/req.csr" "$LAB_DIR/req.crt" || fail "lab_ca_sign_csr"
sans=$(openssl x509 -in "$LAB_DIR/req.crt" -noout -ext subjectAltName | tail -n +2 | tr -d ' ')
[ "$sans" = "DNS:$EDGE_FQDN,DNS:$EDGE_DOMAIN,DNS:sip.$EDGE_DOMAIN" ] || fail "signed CSR has SANs '$sans'"
openssl verify -CAfile "$(lab_ca_file)" -purpose sslserver "$LAB_DIR/req.crt" >/dev/null ||
  fail "the signed CSR does not verify as a server certificate"

# DNS before and after go-live, from a partner's point of view.
srv() { lab_dig legacy +short "_xmpp-server._tcp.$EDGE_DOMAIN" SRV; }
[ -z "$(srv)" ] || fail "the corp.example SRV record exists before it was published"
status=$(lab_dig legacy "_xmpp-server._tcp.$EDGE_DOMAIN" SRV | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
[ "$status" = NXDOMAIN ] || fail "expected NXDOMAIN before publishing, got '$status'"
edge_publish_srv || fail "publish"
[ "$(srv)" = "0 5 5269 $EDGE_FQDN." ] || fail "after publishing the SRV record reads '$(srv)'"
[ "$(lab_dig legacy +short "$EDGE_FQDN" A)" = "$EDGE_PUBLIC_IP" ] || fail "edge A record"
edge_withdraw_srv || fail "withdraw"
[ -z "$(srv)" ] || fail "the SRV record is still served after withdrawal"
edge_publish_srv || fail "publish again"
for d in "$EDGE_LEGACY_DOMAIN:legacy" "$EDGE_TLS_DOMAIN:tlspartner" "$EDGE_EJ_DOMAIN:ejpartner"; do
  [ "$(lab_dig edge +short "xmpp.${d%%:*}" A)" = "$(lab_ip "${d#*:}")" ] || fail "A record of xmpp.${d%%:*}"
done

# Segments: the inside is reachable from the edge only.
reach() { lab_exec "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; }
reach edge "$EDGE_INTERNAL_IP" "$EDGE_COMPONENT_PORT" || fail "edge cannot reach the internal component port"
! reach legacy "$EDGE_INTERNAL_IP" "$EDGE_COMPONENT_PORT" || fail "a partner reaches the internal server"
! reach internal "$LAB_DNS_IP" 53 || fail "the internal server reaches the lab DNS"
! lab_port_open internal 5269 || fail "the internal server listens for s2s"

# No edge attached: the internal server bounces instead of federating itself.
lab_client bob internal --jid "bob@$EDGE_DOMAIN" --password bob-pw --timeout 10 \
  --send "alice@$EDGE_LEGACY_DOMAIN" "nobody home" --expect-error "alice@$EDGE_LEGACY_DOMAIN" '*' ||
  fail "bob got no bounce while the edge is down"
# A partner resolves corp.example to the edge and gets an error (nothing listens there yet).
lab_client alice legacy --no-tls --jid "alice@$EDGE_LEGACY_DOMAIN" --password alice-pw --timeout 30 \
  --send "bob@$EDGE_DOMAIN" "anyone?" --expect-error "bob@$EDGE_DOMAIN" '*' ||
  fail "alice got no bounce for corp.example while the edge is down"
for u in "frank@$EDGE_TLS_DOMAIN:tlspartner" "tom@$EDGE_EJ_DOMAIN:ejpartner" "mallory@$EDGE_ROGUE_DOMAIN:rogue"; do
  jid=${u%%:*}
  lab_client "login-${jid%@*}" "${u#*:}" --jid "$jid" --password "$(edge_user_password "$jid")" \
    --timeout 15 || fail "$jid cannot log in"
  [ "$(lab_client_count "login-${jid%@*}" session_started)" -eq 1 ] || fail "$jid has no session"
done
t_checks=$(lab_now_ms)

id=$LAB_ID
lab_down
t_down=$(lab_now_ms)
left=$(lab_leftovers "$id")
[ -z "$left" ] || { echo "$left" >&2; fail "left behind after lab_down"; }
trap - EXIT
echo "timings_ms: topology_up=$((t_up - t0)) (servers $EDGE_T_SERVERS_MS) checks=$((t_checks - t_up))" \
  "teardown=$((t_down - t_checks)) total=$((t_down - t0))"
echo "lab_edge_topology_test: PASS"
