#!/usr/bin/env bash
# edgeproxy with ejabberd on both sides, in lab network namespaces with their own DNS:
#  - the INTERNAL server is ejabberd 23.01 (ejabberd_service components, no s2s of its own);
#  - partner ej.example is ejabberd 23.01 with TLS (s2s_use_starttls: required);
#  - partner gtalk.example is a legacy Prosody, plaintext + dialback only.
# Asserts on what the clients receive, both ways for each partner.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$here/../lab/lab.sh"
bin=${EDGEKIT_BIN:-$here/../../build/bin}
[ -x "$bin/edgeproxy" ] || { echo "edgeproxy binary missing in $bin" >&2; exit 1; }

fail() {
  lab_log "FAIL: $*"
  exit 1
}

lab_trap
lab_up || fail "lab_up"
lab_add_host dns 198.51.100.53 || fail "dns host"
lab_add_host edge 198.51.100.10 || fail "edge host"
lab_add_host internal 198.51.100.20 || fail "internal host"
lab_add_host legacy 198.51.100.11 || fail "legacy host"
lab_add_host ejab 198.51.100.12 || fail "ejabberd partner host"

for pair in corp.example:edge gtalk.example:legacy ej.example:ejab; do
  lab_dns_xmpp_zone "${pair%%:*}" "${pair#*:}" || fail "zone ${pair%%:*}"
done
lab_dns_start dns || fail "NSD"
lab_issue_cert edge corp.example xmpp.corp.example || fail "edge cert"
lab_issue_cert internal corp.example || fail "internal cert"
lab_issue_cert ejab ej.example xmpp.ej.example || fail "ejabberd partner cert"

secret="component-$$-secret"
lab_start_ejabberd internal --domain corp.example --cert internal --no-s2s \
  --component "gtalk.example:$secret" --component "ej.example:$secret" \
  --user bob@corp.example:bob-pw || fail "internal ejabberd"
lab_start_ejabberd ejab --domain ej.example --cert ejab --user erin@ej.example:erin-pw ||
  fail "ejabberd partner"
lab_start_prosody legacy --domain gtalk.example --plain-s2s \
  --user alice@gtalk.example:alice-pw || fail "legacy Prosody"

ed="$LAB_DIR/edge"
lab_edge_store "$ed/store" edge xmpp.corp.example corp.example || fail "edge store"
printf '%s\n' "$secret" >"$ed/component.secret"
chmod 600 "$ed/component.secret"
cat >"$ed/edgekit.toml" <<TOML
[edge]
fqdn = "xmpp.corp.example"
xmpp_domains = ["corp.example"]
store = "$ed/store"
[dns]
nameservers = ["198.51.100.53"]
[listen]
s2s = ["0.0.0.0:5269"]
metrics = ""
[internal]
host = "198.51.100.20"
port = 5347
secret_file = "$ed/component.secret"
[federation]
ca_file = "$(lab_ca_file)"
stream_establishment_timeout = "20s"

[[partner]]
domain = "gtalk.example"
type = "public-verified"
tls = "not-supported"
sasl = "not-supported"
dialback = true

[[partner]]
domain = "ej.example"
type = "federated"
tls = "required"
sasl = "optional"
dialback = true
TOML
lab_spawn edgeproxy edge "$bin/edgeproxy" --config "$ed/edgekit.toml" --log-level debug ||
  fail "start edgeproxy"
lab_wait_port edge 5269 10 edgeproxy || fail "edgeproxy does not listen"
elog="$LAB_DIR/logs/edgeproxy.log"
lab_wait_for 20 grep -q 'component.ready.*gtalk.example' "$elog" ||
  fail "ejabberd did not accept the component for gtalk.example"
lab_wait_for 20 grep -q 'component.ready.*ej.example' "$elog" ||
  fail "ejabberd did not accept the component for ej.example"

# Internal ejabberd <-> legacy Prosody (dialback) through the edge.
lab_client_start bob internal --jid bob@corp.example --password bob-pw \
  --ready-file "$LAB_DIR/bob.ready" \
  --expect alice@gtalk.example "hello ejabberd" --send alice@gtalk.example "hello prosody" \
  --expect erin@ej.example "hi from ej" --send erin@ej.example "hi from corp" ||
  fail "start bob"
lab_client_wait_event bob ready 30 || fail "bob never came online"
lab_client alice legacy --no-tls --jid alice@gtalk.example --password alice-pw \
  --send bob@corp.example "hello ejabberd" --expect bob@corp.example "hello prosody" ||
  fail "alice (legacy Prosody) did not get bob's answer through the edge"
# ejabberd partner (TLS) <-> internal ejabberd through the edge.
lab_client erin ejab --jid erin@ej.example --password erin-pw \
  --send bob@corp.example "hi from ej" --expect bob@corp.example "hi from corp" ||
  fail "erin (ejabberd partner) did not get bob's answer through the edge"
lab_client_wait bob 40 || fail "bob did not get both partners' messages"
lab_client_received bob alice@gtalk.example "hello ejabberd" || fail "bob's inbox (alice)"
lab_client_received bob erin@ej.example "hi from ej" || fail "bob's inbox (erin)"
grep -qE 'stream.authenticated.*direction=in.*partner=ej.example.*tls=TLSv1' "$elog" ||
  fail "the inbound stream from ej.example was not TLS"
grep -qE 'stream.authenticated.*direction=out.*partner=ej.example.*tls=TLSv1' "$elog" ||
  fail "the outbound stream to ej.example was not TLS"
lab_log "edgeproxy with ejabberd: all checks passed"
