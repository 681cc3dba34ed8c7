#!/usr/bin/env bash
# certtool import --fetch-intermediates: the CA returned only the leaf; certtool fetches the
# intermediate from the leaf's AIA caIssuers URL (a real HTTP server on 127.0.0.1 serving DER),
# and `openssl verify` agrees with the result. Without the flag, the import is refused.
set -euo pipefail
# Loopback only: no proxy may carry a request anywhere else.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY="*" no_proxy="*"

BIN=${EDGEKIT_BIN:?EDGEKIT_BIN must point at build/bin}
work=$(mktemp -d "/tmp/certtool-aia-$$-XXXX")
http_pid=""
cleanup() {
  if [ -n "$http_pid" ]; then kill "$http_pid" 2>/dev/null || true; wait "$http_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/www"

# A root and an intermediate made now; the intermediate is published as DER.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=AIA Root $$" \
  -keyout "$work/root.key" -out "$work/root.pem" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=AIA Intermediate $$" \
  -keyout "$work/int.key" -out "$work/int.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > "$work/int.ext"
openssl x509 -req -in "$work/int.csr" -CA "$work/root.pem" -CAkey "$work/root.key" -days 2 \
  -extfile "$work/int.ext" -out "$work/int.pem" 2>/dev/null
openssl x509 -in "$work/int.pem" -outform DER -out "$work/www/int.der"

cat > "$work/edgekit.toml" <<TOML
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example"]
store = "$work/store"
[certificate]
key = "ec:P-256"
TOML
certtool() { "$BIN/certtool" --config "$work/edgekit.toml" "$@"; }
certtool request --out "$work/edge.csr" >/dev/null

printf 'subjectAltName=DNS:edge.corp.example,DNS:corp.example\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid\nauthorityInfoAccess=caIssuers;URI:http://127.0.0.1:%s/int.der\n' "$port" > "$work/leaf.ext"
openssl x509 -req -in "$work/edge.csr" -CA "$work/int.pem" -CAkey "$work/int.key" -days 2 \
  -extfile "$work/leaf.ext" -out "$work/leaf.pem" 2>/dev/null

/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >"$work/http.log" 2>&1 &
http_pid=$!
for _ in $(seq 1 50); do
  curl -sf "http://127.0.0.1:$port/int.der" -o /dev/null && break
  sleep 0.1
done

set +e
certtool import "$work/leaf.pem" --ca-file "$work/root.pem" >"$work/without.out" 2>&1; without=$?
openssl verify -CAfile "$work/root.pem" "$work/leaf.pem" >/dev/null 2>&1; openssl_without=$?
set -e
[ "$without" -eq 1 ] || { cat "$work/without.out"; fail "import without the intermediate exited $without"; }
[ "$openssl_without" -ne 0 ] || fail "openssl accepted the leaf without its intermediate"

certtool import "$work/leaf.pem" --ca-file "$work/root.pem" --fetch-intermediates --json \
  >"$work/with.json" 2>"$work/with.err" || { cat "$work/with.json" "$work/with.err"; fail "import with --fetch-intermediates failed"; }
grep -q "fetched 'CN=AIA Intermediate $$' from http://127.0.0.1:$port/int.der" "$work/with.json" \
  || { cat "$work/with.json"; fail "the fetch is not reported"; }
grep -q "GET /int.der" "$work/http.log" || fail "the HTTP server saw no request"
thumb=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["thumbprint"])' "$work/with.json")
# The stored chain holds the fetched intermediate, and openssl verifies with it.
openssl verify -CAfile "$work/root.pem" -untrusted "$work/store/certificates/$thumb/chain.pem" \
  "$work/store/certificates/$thumb/cert.pem" || fail "openssl disagrees with the fetched chain"
echo "PASS: missing intermediate fetched from the AIA URL; openssl agrees"
