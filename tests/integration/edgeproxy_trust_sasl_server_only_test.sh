#!/usr/bin/env bash
# edgeproxy trust: a partner whose certificate is serverAuth-only (no clientAuth EKU, as many
# public CAs now issue them) authenticates INBOUND by SASL EXTERNAL.
#  - srv.example: Prosody 0.12, certificate from the lab CA with EKU serverAuth only,
#    s2s_secure_auth = true, no dialback (certificates only).
#  - edge policy for srv.example: tls = required, sasl = required, dialback = false.
# Checks: carol@srv.example -> bob@corp.example arrives over an inbound stream the edge logs as
# `stream.authenticated direction=in ... method=sasl-external` (trust=pkix, cert=ok) and counts
# in edgeproxy_streams_total (with tls and trust labels; every metric has # HELP and # TYPE);
# bob's message reaches carol (outbound, SASL EXTERNAL); no inbound failure for srv.example;
# the edge stays healthy. An edge that validates inbound partner
# certificates with OpenSSL's client purpose refuses this partner: carol's message never
# arrives.
# Second part, the opt-in: the edge restarted with [federation] strict_client_purpose = true
# must refuse the same certificate inbound: carol's next message is not delivered (Prosody
# bounces it to her), no inbound SASL EXTERNAL stream is authenticated, while bob's message
# to carol still goes out, and the edge stays up.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_lib.sh
source "$here/edgeproxy_trust_lib.sh"

lab_trap
lab_up || trust_fail "lab_up"
trust_base_hosts
lab_add_host srv 198.51.100.12 || trust_fail "partner host"
lab_dns_xmpp_zone corp.example edge || trust_fail "zone corp.example"
lab_dns_xmpp_zone srv.example srv || trust_fail "zone srv.example"
lab_dns_start dns || trust_fail "NSD"

lab_issue_cert edge corp.example xmpp.corp.example || trust_fail "edge cert"
lab_issue_cert srv srv.example xmpp.srv.example --server-only || trust_fail "partner cert"
eku=$(openssl x509 -in "$(lab_cert_file srv)" -noout -ext extendedKeyUsage)
if ! grep -q 'Server Auth' <<<"$eku" || grep -q 'Client Auth' <<<"$eku"; then
  trust_fail "the partner certificate is not serverAuth-only: $eku"
fi

trust_edge_files edge
lab_start_prosody internal --domain corp.example --no-s2s \
  --component "srv.example:$TRUST_SECRET" --user bob@corp.example:bob-pw || trust_fail "internal Prosody"
lab_start_prosody srv --domain srv.example --cert srv --secure-auth --no-dialback \
  --user carol@srv.example:carol-pw || trust_fail "partner Prosody"

partner_toml='
[[partner]]
domain = "srv.example"
type = "federated"
tls = "required"
sasl = "required"
dialback = false'
cfg="$LAB_DIR/edge/edgekit.toml"
{
  trust_edge_config 'stream_establishment_timeout = "8s"'
  printf '%s\n' "$partner_toml"
} >"$cfg"
trust_start_edge "$cfg" srv.example

# 1. Both directions at once, independent of each other: each client waits until the other
#    is online, then sends; carol's message needs the inbound stream, bob's the outbound one.
t_msg=$(lab_now_ms)
lab_client_start bob internal --no-tls --jid bob@corp.example --password bob-pw --timeout 25 \
  --ready-file "$LAB_DIR/bob.ready" --wait-file "$LAB_DIR/carol.ready" \
  --send carol@srv.example "hello from corp" \
  --expect carol@srv.example "hello from a serverAuth-only partner" || trust_fail "start bob"
lab_client_start carol srv --jid carol@srv.example --password carol-pw --timeout 25 \
  --ready-file "$LAB_DIR/carol.ready" --wait-file "$LAB_DIR/bob.ready" \
  --send bob@corp.example "hello from a serverAuth-only partner" \
  --expect bob@corp.example "hello from corp" || trust_fail "start carol"
lab_client_wait carol 60
carol_rc=$?
lab_client_wait bob 60
bob_rc=$?
t_msg=$(($(lab_now_ms) - t_msg))
trust_check "bob@corp.example received carol@srv.example's message (inbound, serverAuth-only cert)" \
  lab_client_received bob carol@srv.example "hello from a serverAuth-only partner"
trust_check "carol@srv.example received bob's message (outbound)" \
  lab_client_received carol bob@corp.example "hello from corp"
trust_check "both clients completed their steps (carol rc=$carol_rc, bob rc=$bob_rc)" \
  test "$carol_rc" -eq 0 -a "$bob_rc" -eq 0
trust_check "edge log: inbound stream from srv.example authenticated by SASL EXTERNAL" \
  trust_log_has stream.authenticated direction=in partner=srv.example method=sasl-external
trust_check "edge log: that inbound stream has trust=pkix cert=ok" \
  trust_log_has stream.authenticated direction=in partner=srv.example trust=pkix cert=ok
trust_check "edge log: outbound stream to srv.example authenticated by SASL EXTERNAL" \
  trust_log_has stream.authenticated direction=out partner=srv.example method=sasl-external
trust_check "edge log: no inbound stream from the partner's address closed with a warning" \
  trust_log_lacks_regex ' warn stream\.closed .*direction=in peer=198\.51\.100\.12:'
trust_check "metrics: edgeproxy_streams_total{partner=srv.example,direction=in,auth=sasl-external} >= 1" \
  trust_metric_at_least 1 edgeproxy_streams_total partner=srv.example direction=in auth=sasl-external
trust_check "metrics: no edgeproxy_failures_total for srv.example" \
  test -z "$(trust_metric edgeproxy_failures_total partner=srv.example)"
trust_check "metrics: that inbound stream is counted with tls=TLSv1.3 trust=pkix" \
  trust_metric_at_least 1 edgeproxy_streams_total partner=srv.example direction=in \
  auth=sasl-external tls=TLSv1.3 trust=pkix
trust_check "metrics: edgeproxy_streams_total has # HELP and # TYPE" \
  trust_metric_has_help_and_type edgeproxy_streams_total
trust_check "metrics: every metric has # HELP and # TYPE" trust_metrics_all_documented
trust_check "edge healthy after the serverAuth-only partner" trust_edge_healthy

# 2. strict_client_purpose = true: the same certificate is refused inbound. Restart the edge
#    (the partner's streams to it end) and let carol write again.
lab_stop edgeproxy
mv "$(trust_edge_log)" "$LAB_DIR/logs/edgeproxy-lenient.log"
{
  trust_edge_config 'stream_establishment_timeout = "8s"' 'strict_client_purpose = true'
  printf '%s\n' "$partner_toml"
} >"$cfg"
trust_start_edge "$cfg" srv.example
t_strict=$(lab_now_ms)
# bob's message to carol shows the edge still federates with srv.example outbound (our own
# certificate has clientAuth); carol's to bob needs the inbound stream, which must be refused.
# Prosody bounces what it cannot deliver once its stream attempt fails.
lab_client_start bob2 internal --no-tls --jid bob@corp.example/strict --password bob-pw \
  --timeout 25 --ready-file "$LAB_DIR/bob2.ready" --wait-file "$LAB_DIR/carol2.ready" \
  --send carol@srv.example "strict: outbound still works" --wait-file "$LAB_DIR/strict.done" ||
  trust_fail "start bob2"
lab_client_wait_event bob2 ready 20 || trust_fail "bob2 never came online"
lab_client carol2 srv --jid carol@srv.example/strict --password carol-pw --timeout 20 \
  --ready-file "$LAB_DIR/carol2.ready" --expect bob@corp.example "strict: outbound still works" \
  --send bob@corp.example "strict: must not arrive" --expect-error bob@corp.example '*'
carol2_rc=$?
sleep 2  # a message the edge did accept would be delivered by now
touch "$LAB_DIR/strict.done"
lab_client_wait bob2 30
t_strict=$(($(lab_now_ms) - t_strict))
trust_check "strict_client_purpose: carol still receives bob's message (outbound)" \
  lab_client_received carol2 bob@corp.example "strict: outbound still works"
trust_check "strict_client_purpose: bob did not receive carol's message" \
  trust_client_got_nothing bob2 carol@srv.example
trust_check "strict_client_purpose: carol got an error back (rc=$carol2_rc)" \
  test "$(lab_client_count carol2 message_error from=bob@corp.example)" -ge 1
trust_check "strict_client_purpose: no inbound SASL EXTERNAL stream from srv.example" \
  trust_log_lacks stream.authenticated direction=in partner=srv.example
trust_check "edge healthy after refusing the serverAuth-only certificate" trust_edge_healthy

lab_log "timings_ms: lenient_round_trip=$t_msg strict_refusal=$t_strict"
trust_finish "edgeproxy trust: sasl_server_only"
