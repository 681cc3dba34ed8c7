#!/usr/bin/env bash
# Proves the lab harness (tests/lab) with direct federation, no edge yet:
#  (a) plain TCP + dialback only: a legacy Prosody (no tls module, s2s_require_encryption =
#      false; the Google Talk partner of the Lync example) <-> a Prosody with TLS available but
#      s2s_secure_auth = false; messages both ways and a presence subscription;
#  (b) TLS + certificate authentication: two Prosody servers with s2s_secure_auth = true and
#      the lab CA as cafile, one without dialback (SASL EXTERNAL is the only way in);
#  (c) ejabberd 23.01 <-> Prosody over TLS;
#  (d) the legacy server cannot reach the certificate-only server: its user gets a bounce.
# Asserts on what the clients received and on Prosody's view of each s2s stream (TLS or not,
# SASL or dialback), then tears down and checks no namespace or process is left.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"

fail() {
  lab_log "FAIL: $*"
  exit 1
}

lab_trap
t_start=$(lab_now_ms)
lab_up || fail "lab_up"
lab_add_host dns 198.51.100.53 || fail "dns host"
lab_add_host legacy 198.51.100.11 || fail "host"
lab_add_host modern 198.51.100.12 || fail "host"
lab_add_host tlsa 198.51.100.21 || fail "host"
lab_add_host tlsb 198.51.100.22 || fail "host"
lab_add_host ejab 198.51.100.23 || fail "host"
t_net=$(lab_now_ms)

# One zone per XMPP domain: the SRV record points at the server host's name.
declare -A domain_of=([legacy]=gtalk.example [modern]=corp.example [tlsa]=tls-a.example
  [tlsb]=tls-b.example [ejab]=ej.example)
for h in legacy modern tlsa tlsb ejab; do
  dom=${domain_of[$h]}
  lab_dns_zone "$dom" <<EOF || fail "zone $dom"
_xmpp-server._tcp 60 IN SRV 0 5 5269 xmpp.$dom.
xmpp 60 IN A $(lab_ip "$h")
EOF
done
lab_dns_start dns || fail "NSD"
srv=$(lab_dig legacy +short _xmpp-server._tcp.tls-b.example SRV)
[ "$srv" = "0 5 5269 xmpp.tls-b.example." ] || fail "lab DNS answered '$srv' for the tls-b SRV"
t_lab_up=$(lab_now_ms)

for h in modern tlsa tlsb ejab; do
  lab_issue_cert "$h" "${domain_of[$h]}" "xmpp.${domain_of[$h]}" || fail "cert $h"
done
lab_start_prosody legacy --domain gtalk.example --plain-s2s \
  --user alice@gtalk.example:alice-pw || fail "legacy Prosody"
lab_start_prosody modern --domain corp.example --cert modern --plain-s2s \
  --user bob@corp.example:bob-pw || fail "modern Prosody"
lab_start_prosody tlsa --domain tls-a.example --cert tlsa --secure-auth --no-dialback \
  --user carol@tls-a.example:carol-pw || fail "tls-a Prosody"
lab_start_prosody tlsb --domain tls-b.example --cert tlsb --secure-auth \
  --user dave@tls-b.example:dave-pw || fail "tls-b Prosody"
t_prosody=$(lab_now_ms)
lab_start_ejabberd ejab --domain ej.example --cert ejab \
  --user erin@ej.example:erin-pw || fail "ejabberd"
t_servers=$(lab_now_ms)

# (a) legacy <-> modern, plaintext + dialback, messages and a presence subscription.
lab_client_start bob modern --jid bob@corp.example --password bob-pw \
  --ready-file "$LAB_DIR/bob.ready" \
  --expect alice@gtalk.example "hello from gtalk" --send alice@gtalk.example "hello from corp" \
  --expect-subscribe alice@gtalk.example --approve alice@gtalk.example || fail "start bob"
lab_client_wait_event bob ready 20 || fail "bob never came online"
lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "hello from gtalk" --expect bob@corp.example "hello from corp" \
  --subscribe bob@corp.example --expect-subscribed bob@corp.example ||
  fail "alice (legacy) did not get bob's message or approval"
lab_client_wait bob 30 || fail "bob (modern) did not get alice's message or request"
lab_client_received bob alice@gtalk.example "hello from gtalk" || fail "bob's inbox"
lab_client_received alice bob@corp.example "hello from corp" || fail "alice's inbox"
[ "$(lab_client_count alice presence from=bob@corp.example type=subscribed)" -ge 1 ] ||
  fail "alice saw no 'subscribed' from bob"
t_first_sent=$(lab_client_event_ts alice sent body="hello from gtalk")
t_first_recv=$(lab_client_event_ts bob message body="hello from gtalk")

# (b) tls-a <-> tls-b: TLS + certificate authentication only.
lab_client_start dave tlsb --jid dave@tls-b.example --password dave-pw \
  --ready-file "$LAB_DIR/dave.ready" \
  --expect carol@tls-a.example "tls ping" --send carol@tls-a.example "tls pong" \
  --expect erin@ej.example "ejabberd ping" --send erin@ej.example "ejabberd pong" ||
  fail "start dave"
lab_client_wait_event dave ready 20 || fail "dave never came online"
lab_client carol tlsa --jid carol@tls-a.example --password carol-pw \
  --send dave@tls-b.example "tls ping" --expect dave@tls-b.example "tls pong" ||
  fail "carol (tls-a) did not get dave's answer"
# (c) ejabberd <-> Prosody over TLS.
lab_client erin ejab --jid erin@ej.example --password erin-pw \
  --send dave@tls-b.example "ejabberd ping" --expect dave@tls-b.example "ejabberd pong" ||
  fail "erin (ejabberd) did not get dave's answer"
lab_client_wait dave 30 || fail "dave (tls-b) did not get carol's and erin's messages"
lab_client_received dave carol@tls-a.example "tls ping" || fail "dave's inbox"
lab_client_received dave erin@ej.example "ejabberd ping" || fail "dave's inbox"
lab_client_received carol dave@tls-b.example "tls pong" || fail "carol's inbox"
lab_client_received erin dave@tls-b.example "ejabberd pong" || fail "erin's inbox"

# (d) the legacy server speaks neither TLS nor SASL: the certificate-only server refuses it and
# alice's message comes back as an error instead of vanishing.
lab_client alice2 legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send carol@tls-a.example "should bounce" --expect-error carol@tls-a.example '*' ||
  fail "alice got no bounce for a message to the certificate-only server"

# How each stream was secured, as Prosody sees it.
modern_s2s=$(lab_prosody_s2s modern 2>/dev/null)
tlsb_s2s=$(lab_prosody_s2s tlsb 2>/dev/null)
echo "$modern_s2s"
echo "$tlsb_s2s"
# Prosody 0.12's table: "... | Security | SASL | Dialback"; dialback shows on the side that
# initiated it ("Completed"), the accepting side says "Not used".
gtalk_rows=$(grep -E "^s2s.*\| gtalk\.example " <<<"$modern_s2s")
[ "$(grep -c . <<<"$gtalk_rows")" -ge 2 ] || fail "modern: expected streams both ways with gtalk.example"
grep -vq "insecure" <<<"$gtalk_rows" && fail "modern: a gtalk.example stream is encrypted (legacy has no TLS)"
grep -q "Succeeded" <<<"$gtalk_rows" && fail "modern: a gtalk.example stream used SASL"
grep -qE "Completed|Succeeded *$" <<<"$gtalk_rows" || fail "modern: no gtalk.example stream used dialback"
grep -E "^s2sin.*tls-a\.example" <<<"$tlsb_s2s" | grep -E "TLSv1\.[23]" | grep -q "Succeeded  *| Not used" ||
  fail "tls-b: the inbound stream from tls-a.example is not TLS + SASL EXTERNAL"
grep -E "^s2sin.*ej\.example" <<<"$tlsb_s2s" | grep -qE "TLSv1\.[23]" ||
  fail "tls-b: the inbound stream from ej.example is not TLS"
t_checks=$(lab_now_ms)

# Teardown, then prove nothing is left.
id=$LAB_ID
lab_down
t_down=$(lab_now_ms)
left=$(lab_leftovers "$id")
[ -z "$left" ] || { echo "$left" >&2; fail "left behind after lab_down"; }
trap - EXIT

echo "timings_ms: netns_bridge_6_hosts=$((t_net - t_start)) lab_up+dns=$((t_lab_up - t_start))" \
  "servers_ready=$((t_servers - t_lab_up)) (4 prosody incl. certs+users $((t_prosody - t_lab_up))," \
  "ejabberd incl. ctl register $((t_servers - t_prosody)))" \
  "first_s2s_message(dns+dialback)=$((t_first_recv - t_first_sent))" \
  "all_checks=$((t_checks - t_servers)) teardown=$((t_down - t_checks))" \
  "total=$((t_down - t_start))"
echo "lab_federation_test: PASS"
