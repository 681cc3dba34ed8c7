# shellcheck shell=bash
# Shared by the edgeproxy_fault_*_test.sh tests ("nothing lost"): the minimal edge lab (one
# real partner, legacy = gtalk.example, and the internal Prosody), steady traffic both ways
# with tests/lab/xmpp_load.py (alice@gtalk.example <-> bob@corp.example), and the two
# accountings: the edge's stanza ledger on /metrics, and the peers' own (every message sent is
# received or answered with an error, never both, never neither).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../lab/lab.sh
source "$here/../lab/lab.sh"
# shellcheck source-path=SCRIPTDIR source=../lab/edge_topology.sh
source "$here/../lab/edge_topology.sh"

EDGEPROXY=${EDGEKIT_BIN:-$here/../../build/bin}/edgeproxy
ALICE=alice@$EDGE_LEGACY_DOMAIN
BOB=bob@$EDGE_DOMAIN
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# verdict RC WHAT — pass WHAT when RC is 0, else fail it.
verdict() { if [ "$1" -eq 0 ]; then pass "$2"; else fail "$2"; fi; }
# A missing binary or peer is a failure, never a skip.
faults_need_binary() {
  [ -x "$EDGEPROXY" ] || { echo "FAIL: edgeproxy binary $EDGEPROXY missing (build it)"; exit 2; }
}

# faults_lab_up [FEDERATION_LINE...] — the minimal edge lab; each line (e.g.
# 'drain_timeout = "2s"') is added to [federation] of edgekit.toml; then edgeproxy, started.
faults_lab_up() {
  faults_need_binary
  lab_trap
  lab_up || exit 1
  edge_topology_up --minimal || exit 1
  local line
  for line in "$@"; do
    [ -z "$line" ] || sed -i "/^\[federation\]$/a $line" "$EDGE_CONFIG"
  done
  edge_start_edgeproxy "$EDGEPROXY" || { fail "edgeproxy did not start"; exit 1; }
}

faults_edge_pid() { lab_pid edgeproxy; }
faults_edge_log() { lab_log_file edgeproxy; }

# faults_load_start NAME HOST JID TO COUNT RATE [XMPP_LOAD_ARGS...] — a background load client
# (output $LAB_DIR/clients/NAME.jsonl); waits until it is logged in. Sending starts with
# faults_load_go.
faults_load_start() {
  local name=$1 host=$2 jid=$3 to=$4 count=$5 rate=$6
  shift 6
  local tls=(--ca-file "$(lab_ca_file)")
  [ "$host" != legacy ] || tls=(--no-tls)
  mkdir -p "$LAB_DIR/clients"
  lab_spawn --stdout "$(lab_client_output "$name")" "client-$name" "$host" \
    "$LAB_PYTHON" "$here/../lab/xmpp_load.py" --address "$(lab_ip "$host")" "${tls[@]}" \
    --jid "$jid" --password "$(edge_user_password "$jid")" --to "$to" --count "$count" \
    --rate "$rate" --tag "$name" --ready-file "$LAB_DIR/$name.ready" \
    --wait-file "$LAB_DIR/go" "$@" || return 1
  lab_client_wait_event "$name" ready 30 || { fail "load client $name did not log in"; return 1; }
}
faults_load_go() { touch "$LAB_DIR/go"; }

# faults_warm_up — one message each way, so that the s2s streams exist before the load.
faults_warm_up() {
  lab_client_start warm-bob internal --jid "$BOB" --password bob-pw --timeout 30 \
    --ready-file "$LAB_DIR/warm-bob.ready" --expect "$ALICE" warm-a --send "$ALICE" warm-b
  lab_client_wait_event warm-bob ready 30 || return 1
  lab_client warm-alice legacy --no-tls --jid "$ALICE" --password alice-pw --timeout 30 \
    --send "$BOB" warm-a --expect "$BOB" warm-b || return 1
  lab_client_wait warm-bob 40
}

# faults_account SENDER RECEIVER [--allow-duplicates] — compares SENDER's sent ids with
# RECEIVER's received messages and SENDER's error replies. Prints one line and the JSON
# numbers (faults_account_json), fails on a message received and bounced, received twice
# (unless allowed) or neither.
faults_account() {
  local out
  out=$("$LAB_PYTHON" - "$(lab_client_output "$1")" "$(lab_client_output "$2")" "$1" "${3:-}" <<'EOF'
import collections, json, sys
def summary(path):
    for line in open(path, encoding="utf-8"):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == "summary":
            return e
    return None
s, r, name, allow = summary(sys.argv[1]), summary(sys.argv[2]), sys.argv[3], sys.argv[4]
if s is None or r is None:
    print(json.dumps({"ok": False, "why": "no summary from %s" % ("sender" if s is None else "receiver")}))
    sys.exit(0)
sent = set(s["sent"])
got = collections.Counter(m["id"] for m in r["received"] if m["id"] in sent)
err = collections.Counter(e["id"] for e in s["errors"] if e["id"] in sent)
conds = collections.Counter(e["condition"] for e in s["errors"] if e["id"] in sent)
both = sorted(i for i in sent if got[i] and err[i])
neither = sorted((i for i in sent if not got[i] and not err[i]), key=lambda i: int(i.rsplit("-", 1)[1]))
dups = sorted(i for i in sent if got[i] > 1 or err[i] > 1)
res = {"ok": not both and not neither and (allow == "--allow-duplicates" or not dups),
       "flow": name, "sent": len(s["sent"]), "received": sum(1 for i in sent if got[i]),
       "errors": sum(1 for i in sent if err[i]), "conditions": dict(conds),
       "both": len(both), "neither": len(neither), "duplicates": len(dups),
       "neither_ids": neither[:20], "both_ids": both[:10], "dup_ids": dups[:10],
       "disconnected": s["disconnected"], "stray": len(r["received"]) - sum(got.values())}
print(json.dumps(res))
EOF
)
  echo "accounting $1 -> $2: $out"
  # shellcheck disable=SC2034 # read by the tests that source this file
  faults_account_json=$out
  grep -q '"ok": true' <<<"$out"
}
# faults_json_field JSON FIELD — one numeric field of faults_account's line.
faults_json_field() { "$LAB_PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' "$1" "$2"; }

# faults_metrics — the edge's /metrics page (stdout), empty if it does not answer.
faults_metrics() { lab_exec edge curl -s --max-time 5 http://127.0.0.1:9269/metrics; }

# faults_ledger METRICS_TEXT — per direction "accepted delivered bounced refused dropped
# in_flight" summed over partners, e.g. "inbound 250 240 10 0 0 0".
faults_ledger() {
  awk '
    /^edgekit_stanzas_[a-z_]+\{/ {
      name = $1; sub(/\{.*/, "", name); sub(/^edgekit_stanzas_/, "", name); sub(/_total$/, "", name)
      dir = $1; sub(/.*direction="/, "", dir); sub(/".*/, "", dir)
      v[dir, name] += $2; dirs[dir] = 1
    }
    END {
      for (d in dirs)
        printf "%s %d %d %d %d %d %d\n", d, v[d, "accepted"], v[d, "delivered"], v[d, "bounced"],
          v[d, "refused"], v[d, "dropped"], v[d, "in_flight"]
    }' <<<"$1" | sort
}

# faults_ledger_holds METRICS_TEXT [--settled] — true when accepted = delivered + bounced +
# refused + dropped + in_flight for both directions (and, with --settled, in_flight is 0).
faults_ledger_holds() {
  local rows ok=0 dir acc del bou ref dro inf
  rows=$(faults_ledger "$1")
  [ -n "$rows" ] || { echo "ledger: no edgekit_stanzas_* on /metrics"; return 1; }
  while read -r dir acc del bou ref dro inf; do
    echo "ledger $dir: accepted=$acc delivered=$del bounced=$bou refused=$ref dropped=$dro in_flight=$inf"
    [ "$acc" -eq $((del + bou + ref + dro + inf)) ] || ok=1
    [ "${2:-}" != --settled ] || [ "$inf" -eq 0 ] || ok=1
  done <<<"$rows"
  return $ok
}

# faults_wait_settled TIMEOUT_S — waits until /metrics shows in_flight 0 both ways and the
# ledger equation; prints the ledger.
faults_wait_settled() {
  local deadline=$(($(lab_now_ms) + $1 * 1000)) m
  while :; do
    m=$(faults_metrics)
    if faults_ledger_holds "$m" --settled >/dev/null; then
      faults_ledger_holds "$m" --settled
      return 0
    fi
    if [ "$(lab_now_ms)" -ge "$deadline" ]; then
      faults_ledger_holds "$m" --settled
      return 1
    fi
    sleep 0.5
  done
}

# faults_log_count EVENT [GREP_PATTERN] — lines of EVENT in the edge's log (matching PATTERN).
faults_log_count() {
  grep " $1 " "$(faults_edge_log)" | grep -c -- "${2:-.}"
}

# faults_peak_rss — the edge's VmHWM (kB).
faults_peak_rss() { awk '/^VmHWM:/ {print $2}' "/proc/$(faults_edge_pid)/status" 2>/dev/null; }

# faults_finish T0 [NAME=MS...] — prints timings_ms and the verdict, exits.
faults_finish() {
  local t0=$1
  shift
  echo "timings_ms: total=$(($(lab_now_ms) - t0)) $*"
  if [ "$failures" -eq 0 ]; then
    echo "all checks passed"
    exit 0
  fi
  echo "$failures check(s) failed"
  exit 1
}
