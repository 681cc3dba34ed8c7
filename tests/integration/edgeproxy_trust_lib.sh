# shellcheck shell=bash
# Shared by the edgeproxy_trust_*_test.sh integration tests (sourced; not a test itself): the
# edge's trust behaviour (which certificates authenticate a partner, what happens when one does
# not) against real partner servers in a lab (tests/lab). Every test here:
#  - builds one lab: NSD, an internal Prosody (one XEP-0114 component per partner domain, no
#    s2s of its own), the partners, and edgeproxy on 198.51.100.10 with metrics and /healthz
#    on 127.0.0.1:9269 inside the edge host;
#  - asserts what a user sees (delivered or not, the bounce the sender got), the reason code in
#    the edge log and in /metrics, and that the edge is still up;
#  - runs every check even after one failed (trust_check), prints a PASS/FAIL line per check
#    and a summary, and exits 1 when any check failed. A setup step that fails (a peer that
#    does not start) ends the test at once (trust_fail): a missing peer is a failure.
set -uo pipefail
trust_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR/../lab source=../lab/lab.sh
source "$trust_here/../lab/lab.sh"
trust_bin=${EDGEKIT_BIN:-$trust_here/../../build/bin}
[ -x "$trust_bin/edgeproxy" ] || { echo "edgeproxy binary missing in $trust_bin" >&2; exit 1; }

TRUST_EDGE_IP=198.51.100.10
TRUST_INTERNAL_IP=198.51.100.20
trust_failed=()
trust_passed=0
trust_t0=$(lab_now_ms)

trust_fail() {
  lab_log "FAIL (setup): $*"
  local f
  for f in "${trust_failed[@]}"; do lab_log "  FAILED before: $f"; done
  exit 1
}

# trust_check DESCRIPTION CMD... — runs CMD; records and prints PASS or FAIL. Never exits.
trust_check() {
  local what=$1
  shift
  if "$@"; then
    trust_passed=$((trust_passed + 1))
    lab_log "PASS: $what"
  else
    trust_failed+=("$what")
    lab_log "FAIL: $what"
  fi
  return 0
}

# trust_finish NAME — the summary; exit status 1 when any check failed.
trust_finish() {
  local name=$1
  lab_log "timings_ms: total=$(($(lab_now_ms) - trust_t0))"
  if [ ${#trust_failed[@]} -gt 0 ]; then
    lab_log "$name: ${#trust_failed[@]} check(s) FAILED, $trust_passed passed:"
    local f
    for f in "${trust_failed[@]}"; do lab_log "  FAILED: $f"; done
    exit 1
  fi
  lab_log "$name: all $trust_passed checks passed"
}

trust_edge_log() { echo "$LAB_DIR/logs/edgeproxy.log"; }

# trust_log_lines EVENT [KEY=VALUE...] — the edge log lines of EVENT that carry every
# KEY=VALUE as a whole field (partner=a.example does not match partner=a.example.net).
trust_log_lines() {
  local event=$1
  shift
  awk -v event="$event" -v conds="$*" '
    BEGIN { n = split(conds, want, " ") }
    {
      found = 0
      for (i = 1; i <= NF; i++) if ($i == event) { found = 1; break }
      if (!found) next
      for (c = 1; c <= n; c++) {
        ok = 0
        for (i = 1; i <= NF; i++) {
          v = $i
          gsub(/"/, "", v)
          if (v == want[c]) { ok = 1; break }
        }
        if (!ok) next
      }
      print
    }' "$(trust_edge_log)"
}

# trust_log_has EVENT [KEY=VALUE...] — true when such a line exists (else shows the EVENT lines).
trust_log_has() {
  if [ -n "$(trust_log_lines "$@")" ]; then return 0; fi
  lab_log "no edge log line '$*'; the $1 lines are:"
  grep -F "$1" "$(trust_edge_log)" >&2 || echo "  (none)" >&2
  return 1
}

# trust_log_lacks EVENT [KEY=VALUE...] — true when no such line exists (else shows them).
trust_log_lacks() {
  local lines
  lines=$(trust_log_lines "$@")
  [ -z "$lines" ] && return 0
  lab_log "unexpected edge log line(s) '$*':"
  printf '%s\n' "$lines" >&2
  return 1
}

# trust_log_lacks_regex ERE — true when no edge log line matches ERE (else shows them).
trust_log_lacks_regex() {
  local lines
  lines=$(grep -E -- "$1" "$(trust_edge_log)")
  [ -z "$lines" ] && return 0
  lab_log "unexpected edge log line(s) matching '$1':"
  printf '%s\n' "$lines" >&2
  return 1
}

# trust_wait_log TIMEOUT EVENT [KEY=VALUE...] — waits for such a line.
trust_wait_log() {
  local timeout=$1
  shift
  lab_wait_for "$timeout" _trust_log_present "$@"
}
_trust_log_present() { [ -n "$(trust_log_lines "$@")" ]; }

trust_metrics() { lab_exec edge curl -sf --max-time 5 http://127.0.0.1:9269/metrics; }

# trust_metric NAME [LABEL=VALUE...] — the sum of NAME's samples whose labels include every
# LABEL=VALUE (other labels and their order do not matter); empty when no sample matches.
trust_metric() {
  local name=$1 text
  shift
  text=$(trust_metrics) || return 1
  "$LAB_PYTHON" - "$text" "$name" "$@" <<'EOF'
import re, sys
text, name, want = sys.argv[1], sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
total, seen = 0.0, False
for line in text.splitlines():
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line.strip())
    if not m or m.group(1) != name:
        continue
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"', m.group(2) or ""))
    if all(labels.get(k) == v for k, v in want.items()):
        total += float(m.group(3))
        seen = True
if seen:
    print(int(total) if total == int(total) else total)
EOF
}

# trust_metric_at_least MIN NAME [LABEL=VALUE...] — true when that sum is >= MIN (else shows
# NAME's samples).
trust_metric_at_least() {
  local min=$1 value
  shift
  value=$(trust_metric "$@")
  if [ -n "$value" ] && awk -v v="$value" -v m="$min" 'BEGIN { exit !(v >= m) }'; then
    return 0
  fi
  lab_log "metric $* is '${value:-absent}', expected >= $min; the $1 samples:"
  trust_metrics | grep -F "$1" >&2 || echo "  (none)" >&2
  return 1
}

# trust_metric_has_help_and_type NAME — the exposition has "# HELP NAME" and "# TYPE NAME".
trust_metric_has_help_and_type() {
  local text
  text=$(trust_metrics) || return 1
  grep -q "^# HELP $1 " <<<"$text" && grep -q "^# TYPE $1 " <<<"$text" && return 0
  lab_log "metric $1 lacks its # HELP or # TYPE line"
  return 1
}

# trust_metrics_all_documented — every metric in /metrics has its # HELP and # TYPE line.
trust_metrics_all_documented() {
  local text
  text=$(trust_metrics) || return 1
  "$LAB_PYTHON" - "$text" <<'EOF'
import re, sys
helped, typed, sampled = set(), set(), set()
for line in sys.argv[1].splitlines():
    m = re.match(r"^# (HELP|TYPE) (\S+) ", line)
    if m:
        (helped if m.group(1) == "HELP" else typed).add(m.group(2))
    elif line and not line.startswith("#"):
        sampled.add(re.match(r"^[^{ ]+", line).group(0))
bad = sorted(n for n in sampled | typed | helped if n not in helped or n not in typed)
if bad:
    print("metrics without # HELP or # TYPE: " + ", ".join(bad), file=sys.stderr)
    sys.exit(1)
EOF
}

trust_edge_healthy() {
  lab_alive edgeproxy || { lab_log "edgeproxy is not running"; return 1; }
  [ "$(lab_exec edge curl -sf --max-time 5 http://127.0.0.1:9269/healthz)" = "ok" ] ||
    { lab_log "edgeproxy /healthz does not answer ok"; return 1; }
}

# trust_client_got_nothing NAME FROM — client NAME received no message from bare JID FROM.
trust_client_got_nothing() {
  local n
  n=$(lab_client_count "$1" message "from=$2")
  [ "${n:-0}" -eq 0 ] && return 0
  lab_log "client $1 received $n message(s) from $2; its output:"
  cat "$(lab_client_output "$1")" >&2
  return 1
}

# trust_client_error_within NAME FROM CONDITION SECONDS — client NAME got an error stanza with
# CONDITION from FROM at most SECONDS after its first "sent" to FROM.
trust_client_error_within() {
  local name=$1 from=$2 cond=$3 limit=$4 sent err
  sent=$(lab_client_event_ts "$name" sent "to=$from")
  err=$(lab_client_event_ts "$name" message_error "from=$from" "condition=$cond")
  if [ -z "$err" ]; then
    lab_log "client $name got no <$cond/> error from $from; its output:"
    cat "$(lab_client_output "$name")" >&2
    return 1
  fi
  lab_log "client $name: <$cond/> from $from $((err - sent)) ms after sending"
  [ $((err - sent)) -le $((limit * 1000)) ] ||
    { lab_log "that is later than ${limit} s"; return 1; }
}

# trust_base_hosts — dns, edge and internal hosts (partners are the test's own).
trust_base_hosts() {
  lab_add_host dns 198.51.100.53 || trust_fail "dns host"
  lab_add_host edge "$TRUST_EDGE_IP" || trust_fail "edge host"
  lab_add_host internal "$TRUST_INTERNAL_IP" || trust_fail "internal host"
}

# trust_edge_files CERT — the edge's store (identity.json naming lab certificate CERT for
# xmpp.corp.example) and its secrets under $LAB_DIR/edge; sets TRUST_SECRET (the component
# secret: pass it to the internal Prosody's --component options).
trust_edge_files() {
  local ed="$LAB_DIR/edge"
  mkdir -p "$ed"
  lab_edge_store "$ed/store" "$1" xmpp.corp.example corp.example || trust_fail "edge store"
  TRUST_SECRET="component-$$-secret"
  printf '%s\n' "$TRUST_SECRET" >"$ed/component.secret"
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$ed/dialback.secret"
  chmod 600 "$ed/component.secret" "$ed/dialback.secret"
}

# trust_edge_config [FEDERATION_LINE...] — prints the common part of the edge's edgekit.toml
# (up to and including [federation] with the given extra lines); the test appends its
# [[partner]] tables.
trust_edge_config() {
  local ed="$LAB_DIR/edge" line
  cat <<TOML
[edge]
fqdn = "xmpp.corp.example"
xmpp_domains = ["corp.example"]
store = "$ed/store"
[dns]
nameservers = ["$LAB_DNS_IP"]
[listen]
s2s = ["0.0.0.0:5269"]
metrics = "127.0.0.1:9269"
[internal]
host = "$TRUST_INTERNAL_IP"
port = 5347
secret_file = "$ed/component.secret"
[federation]
dialback_secret_file = "$ed/dialback.secret"
ca_file = "$(lab_ca_file)"
TOML
  for line in "$@"; do printf '%s\n' "$line"; done
}

# trust_start_edge CONFIG DOMAIN... — checks CONFIG, starts edgeproxy (debug log) and waits
# for its listener, /healthz and the component link of every DOMAIN.
trust_start_edge() {
  local config=$1 d
  shift
  "$trust_bin/edgeproxy" --check-config --config "$config" ||
    trust_fail "edgeproxy --check-config refuses $config"
  lab_spawn edgeproxy edge "$trust_bin/edgeproxy" --config "$config" --log-level debug ||
    trust_fail "start edgeproxy"
  lab_wait_port edge 5269 10 edgeproxy || trust_fail "edgeproxy does not listen"
  for d in "$@"; do
    lab_wait_for 15 grep -q "component.ready.*$d" "$(trust_edge_log)" ||
      trust_fail "no component link for $d"
  done
  lab_wait_for 5 trust_edge_healthy || trust_fail "edgeproxy /healthz"
}
