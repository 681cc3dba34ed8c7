# shellcheck shell=bash
# Lab processes: start in the background inside a host (own session = own process group),
# record the PID, wait for readiness, stop by process group. Sourced by lab.sh.

# lab_spawn NAME HOST CMD...
# Starts CMD in HOST in the background, in a new session (so the whole process group can be
# stopped), stdout+stderr to $LAB_DIR/logs/NAME.log. The PID (= process group id) is recorded
# in $LAB_DIR/procs/NAME.pid.
# With --stdout FILE first, stdout goes to FILE and only stderr to the log.
lab_spawn() {
  local out=""
  if [ "$1" = --stdout ]; then
    out=$2
    shift 2
  fi
  local name=$1 host=$2
  shift 2
  [ ! -e "$LAB_DIR/procs/$name.pid" ] || { lab_die "process name $name already used"; return 2; }
  _lab_exec_argv "$host" || return 1
  local log="$LAB_DIR/logs/$name.log"
  out=${out:-$log}
  # Not a job-control shell: the background child is not a group leader, so setsid does not
  # fork and $! is the server's PID, its process group and its session.
  LAB_HOST=$host setsid "${_LAB_ARGV[@]}" "$@" >>"$out" 2>>"$log" </dev/null &
  echo $! >"$LAB_DIR/procs/$name.pid"
  echo "$host" >"$LAB_DIR/procs/$name.host"
}

lab_pid() { cat "$LAB_DIR/procs/$1.pid" 2>/dev/null; }

# True while the process lives (a zombie counts as dead).
_lab_pid_alive() {
  local state
  [ -r "/proc/$1/stat" ] || return 1
  state=$(sed -E 's/^[0-9]+ \(.*\) ([A-Za-z]).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

lab_alive() {
  local pid
  pid=$(lab_pid "$1") && [ -n "$pid" ] && _lab_pid_alive "$pid"
}

# lab_log_file NAME — the log of a started process.
lab_log_file() { echo "$LAB_DIR/logs/$1.log"; }

# Prints the end of one process log (or of every log) to stderr.
lab_show_log() {
  local f=$1 lines=${2:-60}
  [ -f "$f" ] || return 0
  echo "----- $(basename "$f") (last $lines lines) -----" >&2
  tail -n "$lines" "$f" >&2
}

lab_dump_logs() {
  local f
  for f in "$LAB_DIR"/logs/*.log "$LAB_DIR"/clients/*.jsonl "$LAB_DIR"/hosts/*/*/*.log \
    "$LAB_DIR"/hosts/*/*/logs/*.log; do
    [ -f "$f" ] && lab_show_log "$f" "${LAB_LOG_LINES:-40}"
  done
  return 0
}

# _lab_signal_group PID SIG — signals the process group PID (falls back to the PID alone).
_lab_signal_group() {
  kill "-$2" -- "-$1" 2>/dev/null || kill "-$2" "$1" 2>/dev/null
}

# _lab_wait_gone TIMEOUT_DS PID... — waits (tenths of a second) until every PID is gone.
_lab_wait_gone() {
  local left=$1 pid alive
  shift
  while :; do
    alive=0
    for pid in "$@"; do
      _lab_pid_alive "$pid" && alive=1
    done
    [ $alive -eq 0 ] && return 0
    [ "$left" -le 0 ] && return 1
    sleep 0.1
    left=$((left - 1))
  done
}

# lab_stop NAME — SIGTERM to its process group, SIGKILL after 5 s.
lab_stop() {
  local pid
  pid=$(lab_pid "$1") || return 0
  [ -n "$pid" ] || return 0
  _lab_signal_group "$pid" TERM
  if ! _lab_wait_gone 50 "$pid"; then
    lab_log "$1 (pid $pid) ignored SIGTERM; SIGKILL"
    _lab_signal_group "$pid" KILL
    _lab_wait_gone 20 "$pid"
  fi
  wait "$pid" 2>/dev/null
  rm -f "$LAB_DIR/procs/$1.pid" "$LAB_DIR/procs/$1.host"
  return 0
}

# lab_stop_all — stops every recorded process: SIGTERM to all groups at once, then SIGKILL.
lab_stop_all() {
  local f pids=()
  for f in "$LAB_DIR"/procs/*.pid; do
    [ -f "$f" ] || continue
    pids+=("$(cat "$f")")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  local pid
  for pid in "${pids[@]}"; do _lab_signal_group "$pid" TERM; done
  if ! _lab_wait_gone "${LAB_STOP_TIMEOUT_DS:-50}" "${pids[@]}"; then
    for pid in "${pids[@]}"; do _lab_signal_group "$pid" KILL; done
    _lab_wait_gone 20 "${pids[@]}"
  fi
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  rm -f "$LAB_DIR"/procs/*.pid "$LAB_DIR"/procs/*.host
  return 0
}

# lab_port_open HOST PORT — true when something listens on TCP PORT inside HOST.
lab_port_open() {
  local ns
  ns=$(lab_ns "$1") || return 1
  [ -n "$(ip netns exec "$ns" ss -Hltn "sport = :$2" 2>/dev/null)" ]
}

# lab_wait_port HOST PORT [TIMEOUT_S] [PROCESS_NAME]
# Polls until PORT listens in HOST. Fails early (and prints the log) when the named process
# dies, and after TIMEOUT_S (default 30).
lab_wait_port() {
  local host=$1 port=$2 timeout=${3:-30} name=${4:-}
  local deadline=$(($(lab_now_ms) + timeout * 1000))
  while ! lab_port_open "$host" "$port"; do
    if [ -n "$name" ] && ! lab_alive "$name"; then
      lab_log "$name exited before listening on $host:$port"
      lab_show_log "$(lab_log_file "$name")" 80
      return 1
    fi
    if [ "$(lab_now_ms)" -ge "$deadline" ]; then
      lab_log "timeout (${timeout}s) waiting for $host:$port${name:+ ($name)}"
      [ -z "$name" ] || lab_show_log "$(lab_log_file "$name")" 80
      return 1
    fi
    sleep 0.05
  done
}

# lab_wait_for TIMEOUT_S CMD... — polls CMD until it succeeds, at most TIMEOUT_S seconds.
lab_wait_for() {
  local timeout=$1
  shift
  local deadline=$(($(lab_now_ms) + timeout * 1000))
  until "$@"; do
    [ "$(lab_now_ms)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
