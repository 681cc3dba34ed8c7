# shellcheck shell=bash
# Lab XMPP clients: tests/lab/xmpp_client.py run inside a lab host, JSON lines kept in
# $LAB_DIR/clients/NAME.jsonl for assertions. Sourced by lab.sh.

LAB_PYTHON=${LAB_PYTHON:-/usr/bin/python3}

lab_client_output() { echo "$LAB_DIR/clients/$1.jsonl"; }

# Fills _LAB_CLIENT_ARGV: the client command connecting to SERVER_HOST's address, trusting the
# lab CA (unless --no-tls is among ARGS).
_lab_client_argv() {
  local server=$1
  shift
  local tls=(--ca-file "$(lab_ca_file)") a
  for a in "$@"; do [ "$a" != --no-tls ] || tls=(); done
  _LAB_CLIENT_ARGV=("$LAB_PYTHON" "$LAB_LIB_DIR/xmpp_client.py" --address "$(lab_ip "$server")"
    "${tls[@]}" "$@")
}

# lab_client NAME SERVER_HOST CLIENT_ARGS... — runs a client to completion inside SERVER_HOST
# (connecting to that host's address) and returns its exit code (0 ok, 1 an expectation unmet,
# 3 no session). Output: $(lab_client_output NAME); stderr in $LAB_DIR/logs/client-NAME.log.
lab_client() {
  local name=$1 server=$2
  shift 2
  mkdir -p "$LAB_DIR/clients"
  _lab_client_argv "$server" "$@"
  lab_exec "$server" "${_LAB_CLIENT_ARGV[@]}" >>"$(lab_client_output "$name")" \
    2>>"$LAB_DIR/logs/client-$name.log" </dev/null
}

# lab_client_start NAME SERVER_HOST CLIENT_ARGS... — the same in the background (recorded, so
# lab_down stops it). Collect its exit code with lab_client_wait NAME.
lab_client_start() {
  local name=$1 server=$2
  shift 2
  mkdir -p "$LAB_DIR/clients"
  _lab_client_argv "$server" "$@"
  lab_spawn --stdout "$(lab_client_output "$name")" "client-$name" "$server" "${_LAB_CLIENT_ARGV[@]}"
}

# lab_client_wait NAME [TIMEOUT_S] — waits for a background client; returns its exit code
# (124 on timeout, after killing it).
lab_client_wait() {
  local name=$1 timeout=${2:-60} pid rc
  pid=$(lab_pid "client-$name") || return 2
  if ! _lab_wait_gone $((timeout * 10)) "$pid"; then
    lab_log "client $name still running after ${timeout}s; killing it"
    lab_stop "client-$name"
    return 124
  fi
  wait "$pid"
  rc=$?
  rm -f "$LAB_DIR/procs/client-$name.pid" "$LAB_DIR/procs/client-$name.host"
  return $rc
}

# lab_client_wait_event NAME EVENT [TIMEOUT_S] — waits until the client printed EVENT (e.g.
# "ready" after --ready-file, "session_started").
lab_client_wait_event() {
  local name=$1 event=$2 timeout=${3:-30}
  lab_wait_for "$timeout" grep -q "\"event\": \"$event\"" "$(lab_client_output "$name")" 2>/dev/null
}

# lab_client_count NAME EVENT [KEY=VALUE...] — how many events of the client match every
# KEY=VALUE (values compared as strings; "from" is compared on its bare JID).
lab_client_count() {
  local name=$1
  shift
  "$LAB_PYTHON" - "$(lab_client_output "$name")" "$@" <<'EOF'
import json, sys
path, event, conds = sys.argv[1], sys.argv[2], [c.split("=", 1) for c in sys.argv[3:]]
n = 0
try:
    lines = open(path, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    lines = []
for line in lines:
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") != event:
        continue
    ok = True
    for k, v in conds:
        got = str(e.get(k, ""))
        if k == "from":
            got = got.split("/", 1)[0]
        ok = ok and got == v
    n += ok
print(n)
EOF
}

# lab_client_received NAME FROM BODY — true when the client received a message BODY from bare
# JID FROM (prints the client's output otherwise).
lab_client_received() {
  local n
  n=$(lab_client_count "$1" message "from=$2" "body=$3")
  if [ "${n:-0}" -ge 1 ]; then return 0; fi
  lab_log "client $1 did not receive '$3' from $2; its output:"
  cat "$(lab_client_output "$1")" >&2
  return 1
}

# lab_client_event_ts NAME EVENT [KEY=VALUE...] — the "ts" (ms since the epoch) of the first
# matching event (for delivery timings).
lab_client_event_ts() {
  local name=$1
  shift
  "$LAB_PYTHON" - "$(lab_client_output "$name")" "$@" <<'EOF'
import json, sys
path, event, conds = sys.argv[1], sys.argv[2], [c.split("=", 1) for c in sys.argv[3:]]
for line in open(path, encoding="utf-8"):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get("event") == event and all(
            (str(e.get(k, "")).split("/", 1)[0] if k == "from" else str(e.get(k, ""))) == v
            for k, v in conds):
        print(e["ts"])
        break
EOF
}
