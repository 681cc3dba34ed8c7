#!/usr/bin/env bash
# certtool from request to assignment against a real ACME CA: pebble issues a certificate for
# certtool's CSR through lego (and certbot), certtool imports it with the chain fetched from
# pebble's management port, assigns and checks it, and `openssl verify` agrees with every
# verdict. Everything listens on 127.0.0.1; pebble's resolver is a dead loopback port
# (PEBBLE_VA_ALWAYS_VALID=1 means it never needs to resolve).
set -euo pipefail
# Loopback only: no proxy may carry a request anywhere else.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY="*" no_proxy="*"

BIN=${EDGEKIT_BIN:?EDGEKIT_BIN must point at build/bin}
for tool in pebble lego certbot openssl curl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/setup)"; exit 1; }
done

work=$(mktemp -d "/tmp/certtool-pebble-$$-XXXX")
pebble_pid=""
cleanup() {
  if [ -n "$pebble_pid" ]; then kill "$pebble_pid" 2>/dev/null || true; wait "$pebble_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

# Free loopback ports, chosen by the kernel.
read -r acme_port mgmt_port http_port tls_port solver_port dead_port < <(/usr/bin/python3 - <<'PY'
import socket
socks = []
for _ in range(6):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
)

step "throw-away CA and certificate for pebble's HTTPS listener"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=pebble listener CA $$" -keyout "$work/listener-ca.key" -out "$work/listener-ca.pem" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout "$work/listener.key" -out "$work/listener.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$work/listener.ext"
openssl x509 -req -in "$work/listener.csr" -CA "$work/listener-ca.pem" -CAkey "$work/listener-ca.key" \
  -days 2 -extfile "$work/listener.ext" -out "$work/listener.pem" 2>/dev/null

cat > "$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$acme_port", "managementListenAddress": "127.0.0.1:$mgmt_port",
 "certificate": "$work/listener.pem", "privateKey": "$work/listener.key",
 "httpPort": $http_port, "tlsPort": $tls_port, "ocspResponderURL": "",
 "externalAccountBindingRequired": false}}
JSON

step "start pebble on 127.0.0.1:$acme_port"
PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
  pebble -config "$work/pebble.json" -dnsserver "127.0.0.1:$dead_port" -strict >"$work/pebble.log" 2>&1 &
pebble_pid=$!
for _ in $(seq 1 100); do
  curl -sf --cacert "$work/listener-ca.pem" "https://127.0.0.1:$acme_port/dir" >/dev/null && break
  kill -0 "$pebble_pid" 2>/dev/null || { cat "$work/pebble.log"; fail "pebble exited"; }
  sleep 0.1
done
curl -sf --cacert "$work/listener-ca.pem" "https://127.0.0.1:$acme_port/dir" >/dev/null || fail "pebble not up"

cat > "$work/edgekit.toml" <<TOML
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example", "bücher.example"]
sip_domains = ["corp.example"]
store = "$work/store"
[certificate]
key = "rsa:2048"
friendly_name = "Edge external"
organization = "Contoso"
country = "FR"
xmpp_identities = true
TOML
certtool() { "$BIN/certtool" --config "$work/edgekit.toml" "$@"; }

step "certtool request"
certtool request --out "$work/edge.csr" --json > "$work/request.json"
grep -q '"xn--bcher-kva.example"' "$work/request.json" || fail "IDN not in A-label form"

step "lego issues from certtool's CSR"
LEGO_CA_CERTIFICATES="$work/listener-ca.pem" lego --server "https://127.0.0.1:$acme_port/dir" \
  --accept-tos --email admin@corp.example --csr "$work/edge.csr" --http \
  --http.port "127.0.0.1:$solver_port" --path "$work/lego" run >"$work/lego.log" 2>&1 \
  || { cat "$work/lego.log"; fail "lego could not get a certificate for certtool's CSR"; }
issued="$work/lego/certificates/edge.corp.example.crt"
[ -s "$issued" ] || { ls -R "$work/lego"; fail "lego wrote no certificate"; }

step "fetch pebble's root and intermediate from the management port"
curl -sf --cacert "$work/listener-ca.pem" "https://127.0.0.1:$mgmt_port/roots/0" > "$work/root.pem"
curl -sf --cacert "$work/listener-ca.pem" "https://127.0.0.1:$mgmt_port/intermediates/0" > "$work/intermediate.pem"
# lego bundles the intermediate after the leaf; keep the leaf alone to exercise --chain.
awk '/BEGIN CERT/{n++} n==1' "$issued" > "$work/leaf.pem"

step "the verdicts of certtool and openssl verify agree: a wrong anchor fails both"
set +e
certtool import "$work/leaf.pem" --chain "$work/intermediate.pem" --ca-file "$work/listener-ca.pem" > "$work/bad-import.out" 2>&1
bad_status=$?
openssl verify -CAfile "$work/listener-ca.pem" -untrusted "$work/intermediate.pem" "$work/leaf.pem" >/dev/null 2>&1
openssl_bad=$?
set -e
[ "$bad_status" -eq 1 ] || { cat "$work/bad-import.out"; fail "import against the wrong root exited $bad_status, not 1"; }
[ "$openssl_bad" -ne 0 ] || fail "openssl verify accepted the wrong root"
[ ! -d "$work/store/certificates" ] || [ -z "$(ls -A "$work/store/certificates")" ] || fail "a refused import stored something"

step "missing intermediate: both refuse"
set +e
certtool import "$work/leaf.pem" --ca-file "$work/root.pem" > "$work/noint.out" 2>&1; noint=$?
openssl verify -CAfile "$work/root.pem" "$work/leaf.pem" >/dev/null 2>&1; openssl_noint=$?
set -e
[ "$noint" -eq 1 ] && grep -q "unknown issuer" "$work/noint.out" || { cat "$work/noint.out"; fail "missing intermediate not named"; }
[ "$openssl_noint" -ne 0 ] || fail "openssl verify accepted a chain without its intermediate"

step "certtool import with the real chain"
certtool import "$work/leaf.pem" --chain "$work/intermediate.pem" --ca-file "$work/root.pem" --json > "$work/import.json" 2> "$work/import.err" \
  || { cat "$work/import.json" "$work/import.err"; fail "import of pebble's certificate failed"; }
openssl verify -CAfile "$work/root.pem" -untrusted "$work/intermediate.pem" -purpose sslserver "$work/leaf.pem" \
  || fail "openssl verify disagrees with certtool's accepted chain"
thumb=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["thumbprint"])' "$work/import.json")
expected=$(openssl x509 -in "$work/leaf.pem" -outform DER | sha256sum | cut -c1-64)
[ "$thumb" = "$expected" ] || fail "thumbprint $thumb is not the SHA-256 of the DER ($expected)"
# pebble keeps only dNSNames: certtool says which requested names it dropped.
grep -q "SRVName:_xmpp-server.corp.example" "$work/import.json" || { cat "$work/import.json"; fail "dropped SRVName not reported"; }

step "the full bundle lego wrote imports too (same thumbprint, any order)"
cat "$work/root.pem" "$issued" > "$work/bundle.pem"
certtool import "$work/bundle.pem" --ca-file "$work/root.pem" --json > "$work/import2.json" 2>/dev/null
grep -q "\"thumbprint\": \"$thumb\"" "$work/import2.json" || fail "bundle import differs"

step "certtool assign and check"
certtool assign "$thumb" > "$work/assign.out"
/usr/bin/python3 - "$work/store/identity.json" "$thumb" <<'PY'
import json, sys
identity = json.load(open(sys.argv[1]))
assert identity["role"] == "edge-external", identity
assert identity["thumbprint"] == sys.argv[2], identity
assert identity["fqdn"] == "edge.corp.example", identity
for key in ("certificate", "chain", "key", "not_after", "validated"):
    assert identity[key], key
PY
stat -c %a "$work/store/certificates/$thumb/key.pem" | grep -qx 600 || fail "key is not 0600"
certtool check --json > "$work/check.json" || { cat "$work/check.json"; fail "check of the fresh certificate failed"; }
grep -q '"ok": true' "$work/check.json" || fail "check not ok"
# pebble's certificates live for years at most; a window wider than that must need action.
set +e
certtool check --warn-days 4000 >/dev/null 2>&1; far=$?
set -e
[ "$far" -eq 1 ] || fail "check --warn-days 4000 exited $far, not 1"
# The assigned chain verifies with openssl exactly as stored.
openssl verify -CAfile "$work/root.pem" -untrusted "$work/store/certificates/$thumb/chain.pem" \
  "$work/store/certificates/$thumb/cert.pem" >/dev/null || fail "stored chain does not verify"
# The key in the store is the one certified.
[ "$(openssl x509 -in "$work/store/certificates/$thumb/cert.pem" -noout -pubkey | sha256sum)" = \
  "$(openssl pkey -in "$work/store/certificates/$thumb/key.pem" -pubout | sha256sum)" ] || fail "key does not match"

step "certbot issues from a second certtool CSR; import and assign it; rollback"
certtool request --out "$work/edge2.csr" > /dev/null
REQUESTS_CA_BUNDLE="$work/listener-ca.pem" certbot certonly --csr "$work/edge2.csr" \
  --server "https://127.0.0.1:$acme_port/dir" --standalone --http-01-address 127.0.0.1 \
  --http-01-port "$solver_port" --agree-tos --register-unsafely-without-email --non-interactive \
  --config-dir "$work/certbot/config" --work-dir "$work/certbot/work" --logs-dir "$work/certbot/logs" \
  --cert-path "$work/cb-cert.pem" --chain-path "$work/cb-chain.pem" --fullchain-path "$work/cb-full.pem" \
  >"$work/certbot.log" 2>&1 || { cat "$work/certbot.log"; fail "certbot could not get a certificate"; }
certtool import "$work/cb-full.pem" --ca-file "$work/root.pem" --json > "$work/import3.json" 2>/dev/null \
  || { cat "$work/import3.json"; fail "import of certbot's certificate failed"; }
thumb2=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["thumbprint"])' "$work/import3.json")
[ "$thumb2" != "$thumb" ] || fail "second certificate has the same thumbprint"
certtool assign "$thumb2" >/dev/null
grep -q "$thumb2" "$work/store/identity.json" || fail "second assignment not written"
certtool assign --rollback >/dev/null
grep -q "$thumb" "$work/store/identity.json" || fail "rollback did not restore the first assignment"
certtool list --json > "$work/list.json"
grep -q "\"assigned\": \"$thumb\"" "$work/list.json" || fail "list does not show the assignment"

step "export to PKCS#12 and read it back with openssl"
echo "export-secret" > "$work/p12.pass"
certtool export "$thumb" --pkcs12 "$work/edge.pfx" --password-file "$work/p12.pass" >/dev/null
openssl pkcs12 -in "$work/edge.pfx" -passin file:"$work/p12.pass" -nokeys -clcerts 2>/dev/null \
  > "$work/p12-cert.pem"
[ "$(openssl x509 -in "$work/p12-cert.pem" -outform DER | sha256sum | cut -c1-64)" = "$thumb" ] || fail "PKCS#12 does not hold the certificate"

echo "PASS: pebble issued for certtool's CSRs (lego, certbot); import, assign, rollback, check, export agree with openssl"
