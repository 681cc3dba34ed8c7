#!/usr/bin/env bash
# The README's first command, scripts/demo, run against the built tools (--bin, no apt-get or
# build step). It must:
# - exit 0, print every step and "demo passed";
# - show dnstool check failing before the SRV record is published and passing after;
# - show certtool import's thumbprint, and edgeproxy loading exactly that certificate;
# - print a delivery line for each direction of each partner with the edge's auth method
#   (dialback for the legacy partner, sasl-external for fabrikam), the rogue refused;
# - print a summary with 2/2 messages and 2/2 presence for each of the three partners;
# - finish steps 1-5 in under 3 minutes, and leave no namespace or process behind.
# A second run with a deliberately broken tool (certtool that refuses everything) must exit
# non-zero, say which step failed, and still tear everything down.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${EDGEKIT_BIN:-$root/build/bin}
work=$(mktemp -d "/tmp/demo-test-$$-XXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  echo "----- demo output -----" >&2
  cat "$work/out" >&2
  exit 1
}
expect() {  # expect REGEX WHAT
  grep -Eq -- "$1" "$work/out" || fail "$2 (no line matching /$1/)"
}
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
# The demo's lab is named ek<PID of the demo> (tests/lab/README.md).
leftovers() { lab_leftovers "$1"; }

DEMO_LOGS=1 NO_COLOR=1 "$root/scripts/demo" --bin "$bin" >"$work/out" 2>&1 &
pid=$!
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "scripts/demo exited $rc"
id="ek$pid"

expect '^== Step 1: bring up the lab' "step 1 heading"
expect '^== Step 5: messages and presence' "step 5 heading"
expect '\$ certtool request --config edgekit.toml --out edge.csr' "the request command line is shown"
expect 'Thumbprint: [0-9a-f]{64}' "certtool import prints the thumbprint"
expect 'OK dnstool check failed as it should \(exit 1, srv.present\)' "dnstool check fails before the SRV"
expect "^     _xmpp-server\._tcp\.corp\.example\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SRV[[:space:]]+[0-9]+ [0-9]+ 5269 edge\.corp\.example\." "dnstool records prints the SRV line"
expect 'OK DNS ready for go-live' "dnstool check passes after publishing"
expect 'certificate [0-9a-f]{16}\.\.\. loaded' "edgeproxy loaded the assigned certificate"
expect 'delivered alice@gtalk\.example +-> bob@corp\.example .*in: dialback, no TLS' "legacy inbound via dialback without TLS"
expect 'delivered bob@corp\.example +-> alice@gtalk\.example .*out: dialback, no TLS' "legacy outbound via dialback"
expect 'delivered frank@fabrikam\.example +-> bob@corp\.example .*in: sasl-external, TLSv1\.[23], cert trusted' "fabrikam inbound via SASL EXTERNAL over TLS, its certificate trusted"
expect 'delivered bob@corp\.example +-> frank@fabrikam\.example .*out: sasl-external, TLSv1\.[23]' "fabrikam outbound via SASL EXTERNAL"
expect 'delivered tom@tailspin\.example +-> bob@corp\.example .*TLSv1\.[23]' "ejabberd inbound over TLS"
expect 'delivered bob@corp\.example +-> tom@tailspin\.example .*TLSv1\.[23]' "ejabberd outbound over TLS"
expect 'refused +mallory@rogue\.example' "the rogue server is refused"
grep -q 'MISSING' "$work/out" && fail "a delivery is missing"
for d in gtalk.example fabrikam.example tailspin.example; do
  expect "^   $d .* 2/2 +2/2 " "summary row for $d with 2/2 messages and 2/2 presence"
done
expect '^   PASS rogue\.example refused' "summary PASS for the refusal"
grep -q '^   FAIL' "$work/out" && fail "the summary lists a failure"
expect 'demo passed' "the final verdict"
steps_ms=$(sed -n 's/^demo_timings_ms: steps=\([0-9]*\).*/\1/p' "$work/out")
[ -n "$steps_ms" ] || fail "no demo_timings_ms line"
[ "$steps_ms" -lt 180000 ] || fail "steps 1-5 took $steps_ms ms (must be under 3 minutes)"
left=$(leftovers "$id")
[ -z "$left" ] || fail "the demo left behind: $left"
grep '^demo_timings_ms' "$work/out"

# A failing step: a certtool that refuses every command. The demo must fail at step 2, say
# so, exit non-zero and still tear down.
mkdir -p "$work/badbin"
ln -s "$bin/dnstool" "$work/badbin/dnstool"
ln -s "$bin/edgeproxy" "$work/badbin/edgeproxy"
printf '#!/bin/sh\necho "certtool: error: broken on purpose" >&2\nexit 3\n' >"$work/badbin/certtool"
chmod 755 "$work/badbin/certtool"
NO_COLOR=1 "$root/scripts/demo" --bin "$work/badbin" >"$work/out" 2>&1 &
pid=$!
wait $pid
rc=$?
[ $rc -ne 0 ] || fail "the demo with a broken certtool exited 0"
expect 'FAILED \(step 2, the edge certificate' "the failing step is named"
expect 'demo FAILED' "the failure verdict"
left=$(leftovers "ek$pid")
[ -z "$left" ] || fail "the failed demo left behind: $left"
echo "PASS: demo ran end to end (steps 1-5 in $steps_ms ms), and a failing step tore everything down"
