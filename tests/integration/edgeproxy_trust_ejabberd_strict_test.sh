#!/usr/bin/env bash
# edgeproxy trust: the EDGE's own certificate is serverAuth-only and the partner is ejabberd
# 23.01, which checks OpenSSL's client purpose on inbound s2s certificates. Found by experiment
# (a raw TLS client with such a certificate): after STARTTLS ejabberd 23.01 still OFFERS SASL
# EXTERNAL (and dialback), then answers our <auth mechanism='EXTERNAL'/> with
#   <failure><not-authorized/><text>unsupported certificate purpose</text></failure>
# and logs "Failed inbound s2s EXTERNAL authentication corp.example -> ej.example ...:
# unsupported certificate purpose"; the stream stays open, so dialback can follow on it.
# One ejabberd serves two partner domains (one certificate for both, with clientAuth):
#  - ej.example:  tls = required, sasl = optional, dialback = true. bob@corp.example and
#    erin@ej.example exchange messages both ways; the edge logs `sasl.refused ...
#    reason=partner-rejected-our-certificate` (with a hint) and counts
#    edgeproxy_failures_total{reason="partner-rejected-our-certificate"}, then authenticates
#    the outbound stream by dialback.
#  - ejs.example: tls = required, sasl = required, dialback = false. bob's message to
#    sam@ejs.example is not delivered; bob gets <remote-server-not-found/> back; the edge logs
#    the stream closed and the stanza bounced with reason=partner-rejected-our-certificate.
# Both: ejabberd's own log shows the refusal (the test really exercises that path), and the
# edge stays healthy.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_lib.sh
source "$here/edgeproxy_trust_lib.sh"
timeout_s=8

lab_trap
lab_up || trust_fail "lab_up"
trust_base_hosts
lab_add_host ejab 198.51.100.12 || trust_fail "ejabberd partner host"
lab_dns_xmpp_zone corp.example edge || trust_fail "zone corp.example"
lab_dns_xmpp_zone ej.example ejab || trust_fail "zone ej.example"
lab_dns_xmpp_zone ejs.example ejab || trust_fail "zone ejs.example"
lab_dns_start dns || trust_fail "NSD"

lab_issue_cert edge corp.example xmpp.corp.example --server-only || trust_fail "edge cert"
eku=$(openssl x509 -in "$(lab_cert_file edge)" -noout -ext extendedKeyUsage)
if ! grep -q 'Server Auth' <<<"$eku" || grep -q 'Client Auth' <<<"$eku"; then
  trust_fail "the edge certificate is not serverAuth-only: $eku"
fi
lab_issue_cert ejab ej.example ejs.example xmpp.ej.example xmpp.ejs.example ||
  trust_fail "ejabberd partner cert"

trust_edge_files edge
lab_start_prosody internal --domain corp.example --no-s2s \
  --component "ej.example:$TRUST_SECRET" --component "ejs.example:$TRUST_SECRET" \
  --user bob@corp.example:bob-pw || trust_fail "internal Prosody"
lab_start_ejabberd ejab --domain ej.example --domain ejs.example --cert ejab \
  --user erin@ej.example:erin-pw --user sam@ejs.example:sam-pw || trust_fail "ejabberd partner"

cfg="$LAB_DIR/edge/edgekit.toml"
{
  trust_edge_config "stream_establishment_timeout = \"${timeout_s}s\""
  cat <<'TOML'

[[partner]]
domain = "ej.example"
type = "federated"
tls = "required"
sasl = "optional"
dialback = true

[[partner]]
domain = "ejs.example"
type = "federated"
tls = "required"
sasl = "required"
dialback = false
TOML
} >"$cfg"
trust_start_edge "$cfg" ej.example ejs.example

t0=$(lab_now_ms)
lab_client_start erin ejab --jid erin@ej.example --password erin-pw --timeout 30 \
  --ready-file "$LAB_DIR/erin.ready" --wait-file "$LAB_DIR/bob.ready" \
  --send bob@corp.example "hi from ejabberd" --expect bob@corp.example "hi from corp" ||
  trust_fail "start erin"
lab_client_start sam ejab --jid sam@ejs.example --password sam-pw --timeout 60 \
  --ready-file "$LAB_DIR/sam.ready" --wait-file "$LAB_DIR/all.done" || trust_fail "start sam"
lab_client_wait_event erin ready 30 || trust_fail "erin never came online"
lab_client_wait_event sam ready 30 || trust_fail "sam never came online"
lab_client bob internal --no-tls --jid bob@corp.example --password bob-pw --timeout 30 \
  --ready-file "$LAB_DIR/bob.ready" \
  --send erin@ej.example "hi from corp" --send sam@ejs.example "must not reach ejs" \
  --expect erin@ej.example "hi from ejabberd" \
  --expect-error sam@ejs.example remote-server-not-found
bob_rc=$?
lab_client_wait erin 40
erin_rc=$?
sleep 2  # a stanza the edge did send to ejs.example would be delivered by now
touch "$LAB_DIR/all.done"
lab_client_wait sam 20 >/dev/null
t0=$(($(lab_now_ms) - t0))
ejlog="$(lab_ejabberd_dir ejab)/logs/ejabberd.log"

# ej.example: SASL EXTERNAL refused, dialback on the same stream.
trust_check "ejabberd refused our serverAuth-only certificate for SASL EXTERNAL (its log)" \
  grep -q 'Failed inbound s2s EXTERNAL authentication corp.example -> ej.example.*unsupported certificate purpose' "$ejlog"
trust_check "erin@ej.example received bob's message (outbound, dialback after the refusal)" \
  lab_client_received erin bob@corp.example "hi from corp"
trust_check "bob received erin's message (inbound)" \
  lab_client_received bob erin@ej.example "hi from ejabberd"
trust_check "erin completed her steps (rc=$erin_rc)" test "$erin_rc" -eq 0
trust_check "edge log: sasl.refused warn partner=ej.example reason=partner-rejected-our-certificate" \
  trust_log_has sasl.refused warn partner=ej.example reason=partner-rejected-our-certificate
trust_check "edge log: that sasl.refused line has a hint" \
  grep -Eq 'sasl\.refused.* partner="?ej\.example"? .*hint=|sasl\.refused.* hint=.* partner="?ej\.example"?( |$)' \
  "$(trust_edge_log)"
trust_check "edge log: outbound stream to ej.example authenticated by dialback" \
  trust_log_has stream.authenticated direction=out partner=ej.example method=dialback
trust_check "metrics: edgeproxy_failures_total{partner=ej.example,reason=partner-rejected-our-certificate} >= 1" \
  trust_metric_at_least 1 edgeproxy_failures_total partner=ej.example \
  reason=partner-rejected-our-certificate
trust_check "metrics: edgeproxy_streams_total{partner=ej.example,direction=out,auth=dialback} >= 1" \
  trust_metric_at_least 1 edgeproxy_streams_total partner=ej.example direction=out auth=dialback

# ejs.example: no dialback allowed, so the refusal ends the stream and bob's stanza bounces.
trust_check "ejabberd refused our certificate for ejs.example too (its log)" \
  grep -q 'Failed inbound s2s EXTERNAL authentication corp.example -> ejs.example.*unsupported certificate purpose' "$ejlog"
trust_check "sam@ejs.example received nothing" trust_client_got_nothing sam bob@corp.example
trust_check "bob got <remote-server-not-found/> from sam@ejs.example within the establishment timeout ($timeout_s s) (bob rc=$bob_rc)" \
  trust_client_error_within bob sam@ejs.example remote-server-not-found "$timeout_s"
trust_check "edge log: stream.closed direction=out partner=ejs.example reason=partner-rejected-our-certificate" \
  trust_log_has stream.closed direction=out partner=ejs.example reason=partner-rejected-our-certificate
trust_check "edge log: stanza.bounced partner=ejs.example reason=partner-rejected-our-certificate condition=remote-server-not-found" \
  trust_log_has stanza.bounced partner=ejs.example reason=partner-rejected-our-certificate \
  condition=remote-server-not-found
trust_check "edge log: no outbound stream to ejs.example authenticated" \
  trust_log_lacks stream.authenticated direction=out partner=ejs.example
trust_check "metrics: edgeproxy_failures_total{partner=ejs.example,reason=partner-rejected-our-certificate} >= 1" \
  trust_metric_at_least 1 edgeproxy_failures_total partner=ejs.example \
  reason=partner-rejected-our-certificate
trust_check "edge healthy" trust_edge_healthy

lab_log "timings_ms: exchange=$t0"
trust_finish "edgeproxy trust: ejabberd_strict"
