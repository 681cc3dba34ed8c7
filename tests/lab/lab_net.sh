# shellcheck shell=bash
# Lab topology: one bridge in its own netns, one netns per host, veth pairs, private
# resolv.conf/hosts per host. Sourced by lab.sh.

# Milliseconds since the epoch (for the timings tests report).
lab_now_ms() { date +%s%3N; }

# Log a harness line to stderr, with the time since lab_up.
lab_log() {
  local now
  now=$(lab_now_ms)
  printf '[lab %s +%d.%03ds] %s\n' "${LAB_ID:-?}" $(((now - ${LAB_T0:-$now}) / 1000)) \
    $(((now - ${LAB_T0:-$now}) % 1000)) "$*" >&2
}

lab_die() {
  lab_log "ERROR: $*"
  return 1
}

# lab_up [--id ID]
# Creates the run dir (LAB_DIR), the bridge namespace and the throw-away CA. Call lab_down
# (ideally from a trap installed BEFORE lab_up, see lab_trap) to undo it.
lab_up() {
  while [ $# -gt 0 ]; do
    case $1 in
      --id) LAB_ID=$2; shift 2 ;;
      *) lab_die "lab_up: unknown option $1"; return 2 ;;
    esac
  done
  [ "$(id -u)" -eq 0 ] || { lab_die "the lab needs root (network namespaces)"; return 1; }
  lab_reap_stale
  local tool
  for tool in ip unshare setsid ss openssl; do
    command -v "$tool" >/dev/null || { lab_die "missing tool: $tool (run scripts/setup)"; return 1; }
  done
  LAB_ID=${LAB_ID:-ek$$}
  LAB_T0=$(lab_now_ms)
  LAB_DNS_IP=${LAB_DNS_IP:-198.51.100.53}
  export LAB_ID LAB_T0 LAB_DNS_IP
  LAB_DIR=$(mktemp -d "/tmp/edgekit-lab-${LAB_ID}.XXXXXX") || return 1
  export LAB_DIR
  # Servers that drop privileges (ejabberd) must be able to traverse the run dir.
  chmod 755 "$LAB_DIR"
  mkdir -p "$LAB_DIR"/{hosts,procs,logs,certs}
  echo "$LAB_ID" >"$LAB_DIR/id"
  echo $$ >"$LAB_DIR/owner"
  _lab_netns_add "${LAB_ID}-br" || return 1
  ip -n "${LAB_ID}-br" link add br0 type bridge || return 1
  ip -n "${LAB_ID}-br" link set br0 up || return 1
  lab_ca_init || return 1
  lab_log "up: run dir $LAB_DIR, bridge netns ${LAB_ID}-br"
}

# Records a namespace before creating it, so lab_down finds it even after a partial start.
_lab_netns_add() {
  echo "$1" >>"$LAB_DIR/namespaces"
  ip netns add "$1"
}

# lab_add_net NAME — another bridge (network segment) in the bridge namespace, e.g. the
# internal network behind an edge. Hosts join it with --net NAME; the default segment is "".
lab_add_net() {
  local name=$1
  [[ $name =~ ^[a-z][a-z0-9]{0,11}$ ]] || { lab_die "network name '$name' must be [a-z][a-z0-9]{0,11}"; return 2; }
  ip -n "${LAB_ID}-br" link add "br-$name" type bridge || return 1
  ip -n "${LAB_ID}-br" link set "br-$name" up || return 1
  echo "$name" >>"$LAB_DIR/nets"
}

# Parses "198.51.100.X[/P]" into _LAB_ADDR and _LAB_PREFIX (default 24); refuses anything
# outside TEST-NET-2.
_lab_parse_addr() {
  local spec=$1
  _LAB_ADDR=${spec%/*}
  _LAB_PREFIX=24
  [ "$spec" = "$_LAB_ADDR" ] || _LAB_PREFIX=${spec#*/}
  if ! [[ $_LAB_ADDR =~ ^198\.51\.100\.([0-9]{1,3})$ ]] || [ "${BASH_REMATCH[1]}" -lt 1 ] ||
    [ "${BASH_REMATCH[1]}" -gt 254 ] || ! [[ $_LAB_PREFIX =~ ^(2[4-9]|30)$ ]]; then
    lab_die "address $spec is not a host address in 198.51.100.0/24 (prefix /24../30)"
    return 2
  fi
}

# Connects HOST's netns to network NET ("" = the default bridge) as interface IFACE with ADDR.
_lab_plug() {
  local ns=$1 net=$2 iface=$3 addr=$4 prefix=$5 index bridge=br0
  [ -z "$net" ] || bridge="br-$net"
  ip -n "${LAB_ID}-br" link show "$bridge" >/dev/null 2>&1 || { lab_die "no lab network '$net'"; return 2; }
  index=$(($(cat "$LAB_DIR/veth_count" 2>/dev/null || echo 0) + 1))
  echo "$index" >"$LAB_DIR/veth_count"
  ip -n "${LAB_ID}-br" link add "h$index" type veth peer name "$iface" netns "$ns" || return 1
  ip -n "${LAB_ID}-br" link set "h$index" master "$bridge" up || return 1
  ip -n "$ns" addr add "$addr/$prefix" dev "$iface" || return 1
  ip -n "$ns" link set "$iface" up || return 1
}

# lab_add_host NAME IP[/PREFIX] [--net NET]
# A host: netns "<LAB_ID>-NAME", interface eth0 with IP (/24 unless given) on the lab bridge
# (or on network NET, see lab_add_net), loopback up, and an etc/ dir with a resolv.conf pointing
# at the lab DNS (LAB_DNS_IP) and a minimal hosts file.
lab_add_host() {
  local name=$1 spec=$2 net=""
  shift 2 || { lab_die "usage: lab_add_host NAME IP [--net NET]"; return 2; }
  while [ $# -gt 0 ]; do
    case $1 in
      --net) net=$2; shift 2 ;;
      *) lab_die "lab_add_host: unknown option $1"; return 2 ;;
    esac
  done
  [ -n "${LAB_DIR:-}" ] || { lab_die "lab_add_host before lab_up"; return 2; }
  _lab_parse_addr "$spec" || return 2
  [[ $name =~ ^[a-z][a-z0-9]{0,15}$ ]] || { lab_die "host name '$name' must be [a-z][a-z0-9]*"; return 2; }
  local dir="$LAB_DIR/hosts/$name"
  [ ! -e "$dir" ] || { lab_die "host $name exists"; return 2; }
  mkdir -p "$dir/etc"
  chmod 755 "$dir"
  local ns="${LAB_ID}-${name}"
  echo "$_LAB_ADDR" >"$dir/ip"
  echo "$_LAB_ADDR" >"$dir/addresses"
  echo "$ns" >"$dir/ns"
  echo 0 >"$dir/ifaces"
  printf 'nameserver %s\noptions timeout:1 attempts:2\n' "$LAB_DNS_IP" >"$dir/etc/resolv.conf"
  printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
  _lab_netns_add "$ns" || return 1
  ip -n "$ns" link set lo up || return 1
  _lab_plug "$ns" "$net" eth0 "$_LAB_ADDR" "$_LAB_PREFIX"
}

# lab_add_iface HOST IP[/PREFIX] --net NET — another interface (eth1, eth2...) for HOST on
# network NET: a host in two segments, like an edge between the internet and the inside.
lab_add_iface() {
  local host=$1 spec=$2 net=""
  shift 2 || { lab_die "usage: lab_add_iface HOST IP --net NET"; return 2; }
  [ "${1:-}" = --net ] && net=${2:-}
  [ -n "$net" ] || { lab_die "lab_add_iface needs --net NET"; return 2; }
  _lab_parse_addr "$spec" || return 2
  local ns dir n
  ns=$(lab_ns "$host") || return 1
  dir="$LAB_DIR/hosts/$host"
  n=$(($(cat "$dir/ifaces") + 1))
  echo "$n" >"$dir/ifaces"
  echo "$_LAB_ADDR" >>"$dir/addresses"
  _lab_plug "$ns" "$net" "eth$n" "$_LAB_ADDR" "$_LAB_PREFIX"
}

lab_host_dir() { echo "$LAB_DIR/hosts/$1"; }
# lab_ip HOST [N] — the host's first address (eth0), or its Nth (0-based) with N.
lab_ip() { sed -n "$((${2:-0} + 1))p" "$LAB_DIR/hosts/$1/addresses"; }
lab_ns() {
  [ -f "$LAB_DIR/hosts/$1/ns" ] || { lab_die "no lab host '$1'"; return 1; }
  cat "$LAB_DIR/hosts/$1/ns"
}
lab_hosts() { find "$LAB_DIR/hosts" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort; }

# Fills the array _LAB_ARGV with the command prefix that runs a command in HOST: its netns, a
# private mount namespace, and the host's resolv.conf and hosts bind-mounted over /etc's. A
# resolver that ignores its configuration still only finds the lab DNS.
_lab_exec_argv() {
  local ns
  ns=$(lab_ns "$1") || return 1
  # shellcheck disable=SC2016
  _LAB_ARGV=(ip netns exec "$ns" unshare --mount --propagation private /bin/sh -c
    'mount --bind "$1/resolv.conf" /etc/resolv.conf && mount --bind "$1/hosts" /etc/hosts &&
     shift && exec "$@"' lab-exec "$LAB_DIR/hosts/$1/etc")
}

# lab_exec HOST CMD... — runs CMD in HOST (foreground), returns its exit code.
lab_exec() {
  local host=$1
  shift
  _lab_exec_argv "$host" || return 1
  LAB_HOST=$host "${_LAB_ARGV[@]}" "$@"
}

# lab_down — kills every process the lab started (recorded process groups, then anything still
# inside a lab namespace), deletes every lab namespace and the run dir (kept when LAB_KEEP=1).
# Idempotent and safe after a partial start or from a trap.
lab_down() {
  [ -n "${LAB_ID:-}" ] || return 0
  local t0 ns pids
  t0=$(lab_now_ms)
  if [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR/procs" ]; then
    lab_stop_all
  fi
  # Anything left inside a lab namespace (children that changed process group, clients).
  local spaces
  spaces=$( (ip netns list 2>/dev/null | awk '{print $1}'; cat "${LAB_DIR:-/nonexistent}/namespaces" 2>/dev/null) |
    grep -E "^${LAB_ID}-" | sort -u)
  for ns in $spaces; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
  done
  for ns in $spaces; do
    if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then
      ip netns del "$ns" 2>/dev/null || lab_log "warning: could not delete netns $ns"
    fi
  done
  if [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ]; then
    if [ "${LAB_KEEP:-0}" = 1 ]; then
      lab_log "down: kept run dir $LAB_DIR"
    else
      rm -rf "$LAB_DIR"
    fi
  fi
  lab_log "down in $(($(lab_now_ms) - t0)) ms"
  LAB_TEARDOWN_MS=$(($(lab_now_ms) - t0))
  export LAB_TEARDOWN_MS
}

_lab_pgid() { sed -E 's/^.*\) [A-Za-z] [0-9]+ ([0-9]+) .*/\1/' "/proc/$1/stat" 2>/dev/null; }

# lab_keep — marks the lab as deliberately left running (--keep): lab_reap_stale spares it
# after its owner exits. tests/lab/lab_down.sh RUN_DIR removes it.
lab_keep() { touch "$LAB_DIR/kept"; }

# lab_reap_stale — tears down labs whose owner process died without running lab_down (killed
# by SIGKILL, e.g. a test runner's timeout): their servers run in their own sessions and
# would otherwise outlive them. Labs marked with lab_keep are spared. lab_up calls it.
lab_reap_stale() {
  local d owner
  for d in /tmp/edgekit-lab-*; do
    [ -f "$d/id" ] && [ -f "$d/owner" ] && [ ! -e "$d/kept" ] || continue
    owner=$(cat "$d/owner")
    [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null || continue
    lab_log "reaping stale lab $(cat "$d/id") (owner $owner is gone)"
    (LAB_DIR=$d LAB_ID=$(cat "$d/id") lab_down) 2>/dev/null
  done
  return 0
}

# lab_leftovers ID — prints namespaces and processes a lab with this ID left behind (empty when
# clean). Tests call it after lab_down to prove the teardown.
lab_leftovers() {
  local id=$1 ns
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${id}-" | sed 's/^/netns /'
  # Processes still running with the lab's run dir on their command line (except this shell's
  # own process group: the caller may have the run dir among its arguments).
  local own_pgid
  own_pgid=$(_lab_pgid $$)
  for ns in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$ns/cmdline" | grep -q "edgekit-lab-${id}\." &&
      [ "$(_lab_pgid "${ns#/proc/}")" != "$own_pgid" ]; then
      echo "process ${ns#/proc/}: $(tr '\0' ' ' 2>/dev/null <"$ns/cmdline")"
    fi
  done
}

# lab_trap — installs an EXIT/INT/TERM trap that prints the logs on failure and runs lab_down.
lab_trap() {
  trap '_lab_on_exit' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

_lab_on_exit() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ]; then
    lab_log "failed with exit code $rc; server logs follow"
    lab_dump_logs
  fi
  lab_down
  exit $rc
}
