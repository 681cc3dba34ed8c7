#!/usr/bin/env bash
# edgeproxy trust: OUTBOUND to partners whose certificate does not authenticate them. Five
# Prosody 0.12 partners, each serving two domains with one broken certificate (TLS required,
# dialback loaded, s2s_secure_auth = false, so the partner itself would accept us):
#   ss  ss.example + ssdb.example   self-signed                 -> partner-cert-untrusted
#   wn  wn.example + wndb.example   lab CA, for other.example   -> partner-cert-name-mismatch
#   ex  ex.example + exdb.example   lab CA, expired yesterday   -> partner-cert-expired
#   ny  ny.example + nydb.example   lab CA, valid from tomorrow -> partner-cert-not-yet-valid
#   bs  bs.example + bsdb.example   lab CA, signature spoiled   -> partner-cert-revoked-or-bad
# Part 1, X.example: type = "federated", tls = "required", sasl = "optional", dialback = true
# and verify_certificate left to its default (true for a federated partner with TLS
# required). bob@corp.example writes to u@X.example, who is online. For each: u receives
# nothing; bob gets <remote-server-not-found/> back within the establishment timeout (8 s);
# the edge logs `stream.closed direction=out partner=X.example reason=<code>` (warn) and
# `stanza.bounced partner=X.example reason=<code> condition=remote-server-not-found`, counts
# edgeproxy_failures_total{partner="X.example",reason="<code>"}, and stays healthy. Dialback
# is allowed by this policy, so the edge must not fall back to it over the bad certificate.
# Also: check-config refuses verify_certificate = true with a tls other than "required".
# Part 2, XDB.example: the same policy with verify_certificate = false (the edge restarted
# with the added partners): dialback decides, u@XDB.example receives bob's message, and the
# edge logs `stream.authenticated direction=out partner=XDB.example
# auth=dialback-over-unauthenticated-tls cert=<code>` and counts it in edgeproxy_streams_total.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=edgeproxy_trust_lib.sh
source "$here/edgeproxy_trust_lib.sh"

# host:strict-domain:dialback-domain:expected reason
cases=(
  ss:ss.example:ssdb.example:partner-cert-untrusted
  wn:wn.example:wndb.example:partner-cert-name-mismatch
  ex:ex.example:exdb.example:partner-cert-expired
  ny:ny.example:nydb.example:partner-cert-not-yet-valid
  bs:bs.example:bsdb.example:partner-cert-revoked-or-bad
)
timeout_s=8

lab_trap
lab_up || trust_fail "lab_up"
trust_base_hosts
ip=12
for c in "${cases[@]}"; do
  IFS=: read -r host _ _ _ <<<"$c"
  lab_add_host "$host" "198.51.100.$ip" || trust_fail "host $host"
  ip=$((ip + 1))
done
lab_dns_xmpp_zone corp.example edge || trust_fail "zone corp.example"
for c in "${cases[@]}"; do
  IFS=: read -r host strict db _ <<<"$c"
  lab_dns_xmpp_zone "$strict" "$host" || trust_fail "zone $strict"
  lab_dns_xmpp_zone "$db" "$host" || trust_fail "zone $db"
done
lab_dns_start dns || trust_fail "NSD"

lab_issue_cert edge corp.example xmpp.corp.example || trust_fail "edge cert"
lab_issue_cert ss ss.example ssdb.example xmpp.ss.example xmpp.ssdb.example --self-signed ||
  trust_fail "self-signed cert"
lab_issue_cert wn other.example xmpp.other.example || trust_fail "other-name cert"
lab_issue_cert ex ex.example exdb.example xmpp.ex.example xmpp.exdb.example --expired ||
  trust_fail "expired cert"
lab_issue_cert ny ny.example nydb.example xmpp.ny.example xmpp.nydb.example --not-yet-valid ||
  trust_fail "not-yet-valid cert"
lab_issue_cert bs bs.example bsdb.example xmpp.bs.example xmpp.bsdb.example --bad-signature ||
  trust_fail "bad-signature cert"
# The certificates are broken the intended way, and only that way.
verify_says() { # CERT TEXT [OPENSSL VERIFY OPTION...]
  local cert=$1 text=$2 out
  shift 2
  out=$(openssl verify -CAfile "$(lab_ca_file)" "$@" "$(lab_cert_file "$cert")" 2>&1)
  grep -q "$text" <<<"$out" || { lab_log "openssl verify $cert: $out"; return 1; }
}
verify_says ss 'self-signed certificate' || trust_fail "ss cert is not self-signed"
verify_says wn 'hostname mismatch' -verify_hostname wn.example ||
  trust_fail "wn cert does not mismatch wn.example"
verify_says wn ': OK' -verify_hostname other.example || trust_fail "wn cert is not otherwise valid"
verify_says ex 'certificate has expired' || trust_fail "ex cert is not expired"
verify_says ny 'certificate is not yet valid' || trust_fail "ny cert is not not-yet-valid"
verify_says bs 'certificate signature failure' || trust_fail "bs cert's signature is not bad"

trust_edge_files edge
components=()
for c in "${cases[@]}"; do
  IFS=: read -r _ strict db _ <<<"$c"
  components+=(--component "$strict:$TRUST_SECRET" --component "$db:$TRUST_SECRET")
done
lab_start_prosody internal --domain corp.example --no-s2s "${components[@]}" \
  --user bob@corp.example:bob-pw || trust_fail "internal Prosody"
# The partners' c2s shares the broken certificate, so their users log in without TLS.
for c in "${cases[@]}"; do
  IFS=: read -r host strict db _ <<<"$c"
  lab_start_prosody "$host" --domain "$strict" --domain "$db" --cert "$host" \
    --plain-c2s \
    --user "u@$strict:u-pw" --user "u@$db:u-pw" || trust_fail "partner Prosody $host"
done

partner_table() { # DOMAIN [EXTRA LINE]
  printf '\n[[partner]]\ndomain = "%s"\ntype = "federated"\ntls = "required"\n' "$1"
  printf 'sasl = "optional"\ndialback = true\n'
  [ $# -lt 2 ] || printf '%s\n' "$2"
}
cfg="$LAB_DIR/edge/edgekit.toml"
strict_domains=()
db_domains=()
for c in "${cases[@]}"; do
  IFS=: read -r _ strict db _ <<<"$c"
  strict_domains+=("$strict")
  db_domains+=("$db")
done
{
  trust_edge_config "stream_establishment_timeout = \"${timeout_s}s\""
  for d in "${strict_domains[@]}"; do partner_table "$d"; done
} >"$cfg"
# verify_certificate = true needs tls = "required": anything else is a configuration error.
bad_cfg="$LAB_DIR/edge/bad-verify.toml"
{
  trust_edge_config
  printf '\n[[partner]]\ndomain = "ss.example"\ntype = "federated"\ntls = "optional"\n'
  printf 'sasl = "optional"\ndialback = true\nverify_certificate = true\n'
} >"$bad_cfg"
refuses_config() { # CONFIG KEY: check-config fails and names KEY
  local out
  if out=$("$trust_bin/edgeproxy" --check-config --config "$1" 2>&1); then
    lab_log "check-config accepted $1"
    return 1
  fi
  grep -q "$2" <<<"$out" || { lab_log "check-config: $out"; return 1; }
}
trust_check "check-config refuses verify_certificate = true with tls = optional" \
  refuses_config "$bad_cfg" verify_certificate
sed 's/^tls = "optional"$/tls = "required"/' "$bad_cfg" >"$bad_cfg.required"
trust_check "check-config accepts verify_certificate = true with tls = required" \
  "$trust_bin/edgeproxy" --check-config --config "$bad_cfg.required"
trust_start_edge "$cfg" "${strict_domains[@]}"

# Part 1: verify_certificate (default true). The partner users are online until the end.
t1=$(lab_now_ms)
for c in "${cases[@]}"; do
  IFS=: read -r host strict _ _ <<<"$c"
  lab_client_start "u-$host" "$host" --no-tls --jid "u@$strict" --password u-pw --timeout 60 \
    --ready-file "$LAB_DIR/u-$host.ready" --wait-file "$LAB_DIR/part1.done" ||
    trust_fail "start u@$strict"
done
for c in "${cases[@]}"; do
  IFS=: read -r host strict _ _ <<<"$c"
  lab_client_wait_event "u-$host" ready 20 || trust_fail "u@$strict never came online"
done
bob_steps=()
for d in "${strict_domains[@]}"; do bob_steps+=(--send "u@$d" "must not reach $d"); done
for d in "${strict_domains[@]}"; do
  bob_steps+=(--expect-error "u@$d" remote-server-not-found)
done
lab_client bob internal --no-tls --jid bob@corp.example/strict --password bob-pw \
  --timeout $((timeout_s + 12)) "${bob_steps[@]}"
bob_rc=$?
sleep 2  # a stanza the edge did send would be delivered by now
touch "$LAB_DIR/part1.done"
for c in "${cases[@]}"; do
  IFS=: read -r host _ _ _ <<<"$c"
  lab_client_wait "u-$host" 20 >/dev/null
done
t1=$(($(lab_now_ms) - t1))
trust_check "bob got all ${#cases[@]} bounces (rc=$bob_rc)" test "$bob_rc" -eq 0
for c in "${cases[@]}"; do
  IFS=: read -r host strict _ reason <<<"$c"
  trust_check "$reason: u@$strict received nothing" trust_client_got_nothing "u-$host" bob@corp.example
  trust_check "$reason: bob got <remote-server-not-found/> from u@$strict within the establishment timeout ($timeout_s s)" \
    trust_client_error_within bob "u@$strict" remote-server-not-found "$timeout_s"
  trust_check "$reason: edge log stream.closed (warn) direction=out partner=$strict reason=$reason" \
    trust_log_has stream.closed warn direction=out partner="$strict" reason="$reason"
  trust_check "$reason: edge log stanza.bounced partner=$strict reason=$reason condition=remote-server-not-found" \
    trust_log_has stanza.bounced partner="$strict" reason="$reason" condition=remote-server-not-found
  trust_check "$reason: no stream to $strict authenticated (no dialback fallback)" \
    trust_log_lacks stream.authenticated direction=out partner="$strict"
  trust_check "$reason: metrics edgeproxy_failures_total{partner=$strict,reason=$reason} >= 1" \
    trust_metric_at_least 1 edgeproxy_failures_total partner="$strict" reason="$reason"
done
trust_check "metrics: edgeproxy_failures_total has # HELP and # TYPE" \
  trust_metric_has_help_and_type edgeproxy_failures_total
trust_check "edge healthy after refusing ${#cases[@]} partners" trust_edge_healthy

# Part 2: the same policy with verify_certificate = false for the XDB domains: dialback.
lab_stop edgeproxy
mv "$(trust_edge_log)" "$LAB_DIR/logs/edgeproxy-part1.log"
{
  trust_edge_config "stream_establishment_timeout = \"${timeout_s}s\""
  for d in "${strict_domains[@]}"; do partner_table "$d"; done
  for d in "${db_domains[@]}"; do partner_table "$d" "verify_certificate = false"; done
} >"$cfg"
trust_start_edge "$cfg" "${strict_domains[@]}" "${db_domains[@]}"
t2=$(lab_now_ms)
for c in "${cases[@]}"; do
  IFS=: read -r host _ db _ <<<"$c"
  lab_client_start "udb-$host" "$host" --no-tls --jid "u@$db" --password u-pw \
    --timeout $((timeout_s + 7)) \
    --ready-file "$LAB_DIR/udb-$host.ready" --expect bob@corp.example "dialback to $db" ||
    trust_fail "start u@$db"
done
for c in "${cases[@]}"; do
  IFS=: read -r host _ db _ <<<"$c"
  lab_client_wait_event "udb-$host" ready 20 || trust_fail "u@$db never came online"
done
bob_steps=()
for d in "${db_domains[@]}"; do bob_steps+=(--send "u@$d" "dialback to $d"); done
lab_client_start bob2 internal --no-tls --jid bob@corp.example/dialback --password bob-pw \
  --timeout 30 "${bob_steps[@]}" --sleep 3 || trust_fail "start bob2"
for c in "${cases[@]}"; do
  IFS=: read -r host _ db reason <<<"$c"
  lab_client_wait "udb-$host" 40
  rc=$?
  trust_check "$reason, verify_certificate=false: u@$db received bob's message (rc=$rc)" \
    lab_client_received "udb-$host" bob@corp.example "dialback to $db"
done
lab_client_wait bob2 40 >/dev/null
t2=$(($(lab_now_ms) - t2))
for c in "${cases[@]}"; do
  IFS=: read -r _ _ db reason <<<"$c"
  trust_check "$reason, verify_certificate=false: bob got no error from u@$db" \
    test "$(lab_client_count bob2 message_error "from=u@$db")" -eq 0
  trust_check "$reason, verify_certificate=false: edge log stream.authenticated direction=out partner=$db auth=dialback-over-unauthenticated-tls" \
    trust_log_has stream.authenticated direction=out partner="$db" auth=dialback-over-unauthenticated-tls
  trust_check "$reason, verify_certificate=false: that stream says cert=$reason" \
    trust_log_has stream.authenticated direction=out partner="$db" cert="$reason"
  trust_check "$reason, verify_certificate=false: metrics edgeproxy_streams_total{partner=$db,direction=out,auth=dialback-over-unauthenticated-tls} >= 1" \
    trust_metric_at_least 1 edgeproxy_streams_total partner="$db" direction=out \
    auth=dialback-over-unauthenticated-tls
done
trust_check "edge healthy after dialback over unauthenticated TLS" trust_edge_healthy

lab_log "timings_ms: part1_refusals=$t1 part2_dialback=$t2"
trust_finish "edgeproxy trust: outbound_bad_cert"
