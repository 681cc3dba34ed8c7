#!/usr/bin/env bash
# The bad-input list of issue 3 against the real binary: each input gets exactly one
# "certtool: error: <what>: <why>" line, the documented exit code, and the store is byte for
# byte what it was before.
set -euo pipefail

BIN=${EDGEKIT_BIN:?EDGEKIT_BIN must point at build/bin}
work=$(mktemp -d "/tmp/certtool-badinput-$$-XXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

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

# A CA of our own, a certificate for the request, one for a stranger key.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Bad Input Root $$" \
  -keyout "$work/ca.key" -out "$work/ca.pem" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
printf 'subjectAltName=DNS:edge.corp.example,DNS:corp.example\nextendedKeyUsage=serverAuth,clientAuth\n' > "$work/leaf.ext"
openssl x509 -req -in "$work/edge.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 2 \
  -extfile "$work/leaf.ext" -out "$work/leaf.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=edge.corp.example \
  -keyout "$work/stranger.key" -out "$work/stranger.csr" 2>/dev/null
openssl x509 -req -in "$work/stranger.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -days 2 \
  -extfile "$work/leaf.ext" -out "$work/stranger.pem" 2>/dev/null
openssl pkcs12 -export -in "$work/stranger.pem" -inkey "$work/stranger.key" \
  -passout pass:right -out "$work/stranger.p12"
echo wrong > "$work/wrong.pass"

head -c $((10 * 1024 * 1024)) /dev/urandom > "$work/garbage.bin"
: > "$work/empty.pem"
for _ in $(seq 1 50); do cat "$work/ca.pem"; done > "$work/fifty.pem"
cat "$work/leaf.pem" >> "$work/fifty.pem"
printf '[edge]\nfqdn = \n' > "$work/broken.toml"
mkdir "$work/a-directory"

snapshot() { (cd "$work/store" && find . -type f -print0 | sort -z | xargs -0 sha256sum) ; }
before=$(snapshot)

expect() {  # expect EXIT-CODE DESCRIPTION -- command...
  local code=$1 what=$2; shift 3
  set +e
  "$@" >"$work/out" 2>"$work/err"; local got=$?
  set -e
  [ "$got" -eq "$code" ] || { cat "$work/err"; fail "$what: exit $got, expected $code"; }
  local errors
  errors=$(grep -c '^certtool: error: ' "$work/err" || true)
  [ "$errors" -ge 1 ] || { cat "$work/err"; fail "$what: no 'certtool: error:' line"; }
  if [ "$code" -ne 1 ]; then
    [ "$(wc -l < "$work/err")" -eq 1 ] || { cat "$work/err"; fail "$what: more than one line"; }
  fi
  echo "ok: $what (exit $got): $(head -1 "$work/err")"
}

expect 2 "10 MB of garbage" -- certtool import "$work/garbage.bin" --ca-file "$work/ca.pem"
expect 2 "empty file" -- certtool import "$work/empty.pem" --ca-file "$work/ca.pem"
expect 3 "missing file" -- certtool import "$work/nope.pem" --ca-file "$work/ca.pem"
expect 3 "a directory" -- certtool import "$work/a-directory" --ca-file "$work/ca.pem"
expect 2 "PKCS#12 with the wrong password" -- certtool import "$work/stranger.p12" --password-file "$work/wrong.pass"
expect 1 "certificate matching no request" -- certtool import "$work/stranger.pem" --ca-file "$work/ca.pem"
expect 1 "chain of 51 certificates" -- certtool import "$work/fifty.pem" --ca-file "$work/ca.pem"
expect 2 "a CSR instead of a certificate" -- certtool import "$work/edge.csr"
expect 2 "TOML with errors" -- "$BIN/certtool" --config "$work/broken.toml" request
expect 2 "unknown thumbprint" -- certtool assign 0123456789abcdef
[ "$before" = "$(snapshot)" ] || fail "the store changed"

# And the good one still imports (the failures above did not wedge the store's lock).
certtool import "$work/leaf.pem" --ca-file "$work/ca.pem" >/dev/null || fail "good import failed"
echo "PASS: every bad input got one clear error and its exit code; the store was untouched"
