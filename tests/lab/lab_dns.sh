# shellcheck shell=bash
# Lab DNS: NSD, authoritative for the lab's zones, on LAB_DNS_IP:53 in its own host. Every
# host's resolv.conf points at it. Zone contents are parameters (zone-file lines), so a demo
# can start without a record and publish it later. Sourced by lab.sh.

_lab_dns_dir() { echo "$LAB_DIR/dns"; }

# lab_dns_xmpp_zone DOMAIN HOST — DOMAIN's server-to-server records: the _xmpp-server._tcp SRV
# to xmpp.DOMAIN on 5269, and xmpp.DOMAIN's A record at lab host HOST's address.
lab_dns_xmpp_zone() {
  local domain=$1 host=$2
  lab_dns_zone "$domain" <<EOF
_xmpp-server._tcp 60 IN SRV 0 5 5269 xmpp.$domain.
xmpp 60 IN A $(lab_ip "$host")
EOF
}

# lab_dns_zone ZONE [FILE] — sets ZONE's records (zone-file lines relative to the zone, e.g.
# "_xmpp-server._tcp 60 IN SRV 0 5 5269 edge.corp.example.") from FILE or stdin, replacing
# earlier ones. SOA and NS are added. If NSD runs, it reloads and the change is served on return.
lab_dns_zone() {
  local zone=$1 src=${2:--}
  [ -n "$zone" ] || { lab_die "usage: lab_dns_zone ZONE [FILE] (records on stdin)"; return 2; }
  local d
  d=$(_lab_dns_dir)
  mkdir -p "$d/zones"
  local is_new=1
  [ -f "$d/zones/$zone.records" ] && is_new=0
  if [ "$src" = - ]; then cat >"$d/zones/$zone.records"; else cat "$src" >"$d/zones/$zone.records"; fi
  _lab_dns_write_zone "$zone"
  _lab_dns_apply "$zone" "$is_new"
}

# lab_dns_add ZONE LINE... — appends records to ZONE (creating it) and publishes them.
lab_dns_add() {
  local zone=$1
  shift
  local d
  d=$(_lab_dns_dir)
  mkdir -p "$d/zones"
  local is_new=1
  [ -f "$d/zones/$zone.records" ] && is_new=0
  printf '%s\n' "$@" >>"$d/zones/$zone.records"
  _lab_dns_write_zone "$zone"
  _lab_dns_apply "$zone" "$is_new"
}

# lab_dns_remove ZONE REGEX — deletes the records of ZONE matching REGEX (grep -E) and publishes.
lab_dns_remove() {
  local zone=$1 regex=$2 d
  d=$(_lab_dns_dir)
  [ -f "$d/zones/$zone.records" ] || { lab_die "no lab zone $zone"; return 2; }
  grep -Ev -- "$regex" "$d/zones/$zone.records" >"$d/zones/$zone.records.new" || true
  mv "$d/zones/$zone.records.new" "$d/zones/$zone.records"
  _lab_dns_write_zone "$zone"
  _lab_dns_apply "$zone" 0
}

_lab_dns_serial() {
  local f
  f="$(_lab_dns_dir)/serial"
  local s=$(($(cat "$f" 2>/dev/null || echo 0) + 1))
  echo "$s" >"$f"
  echo "$s"
}

_lab_dns_write_zone() {
  local zone=$1 d serial
  d=$(_lab_dns_dir)
  serial=$(_lab_dns_serial)
  {
    printf '$ORIGIN %s.\n$TTL 60\n' "$zone"
    printf '@ 60 IN SOA ns.lab.example. hostmaster.lab.example. %s 3600 600 86400 30\n' "$serial"
    printf '@ 60 IN NS ns.lab.example.\n'
    cat "$d/zones/$zone.records"
  } >"$d/zones/$zone.unsigned"
  if [ -f "$d/zones/$zone.sign" ]; then
    _lab_dns_sign_file "$zone" || return 1
  else
    mv "$d/zones/$zone.unsigned" "$d/zones/$zone.zone"
  fi
  echo "$serial" >"$d/zones/$zone.serial"
}

# Signs ZONE.unsigned into ZONE.zone with the zone's keys (NSEC3), with signatures valid now,
# or expired a long time ago when the zone was signed with --expired (a bogus zone).
_lab_dns_sign_file() {
  local zone=$1 d k
  d=$(_lab_dns_dir)
  k="$d/keys/$zone"
  local window=()
  [ "$(cat "$d/zones/$zone.sign")" != expired ] || window=(-i 20200101000000 -e 20200201000000)
  ldns-signzone -n "${window[@]}" -f "$d/zones/$zone.zone.tmp" "$d/zones/$zone.unsigned" \
    "$k/$(cat "$k/zsk")" "$k/$(cat "$k/ksk")" 2>"$d/zones/$zone.sign.log" ||
    { cat "$d/zones/$zone.sign.log" >&2; return 1; }
  mv "$d/zones/$zone.zone.tmp" "$d/zones/$zone.zone"
}

# lab_dns_sign ZONE [--expired] — signs ZONE (ECDSA P-256 KSK + ZSK made once, NSEC3) from now on
# and publishes it; --expired signs with signatures that expired in 2020 (a bogus zone).
# Validators take $(lab_dns_anchors) (the KSKs' DNSKEY lines) or the DS from lab_dns_ds ZONE.
lab_dns_sign() {
  local zone=$1 mode=valid d k
  [ "${2:-}" != --expired ] || mode=expired
  d=$(_lab_dns_dir)
  [ -f "$d/zones/$zone.records" ] || { lab_die "no lab zone $zone"; return 2; }
  k="$d/keys/$zone"
  if [ ! -f "$k/ksk" ]; then
    mkdir -p "$k"
    (cd "$k" && ldns-keygen -a ECDSAP256SHA256 -k "$zone" >ksk && ldns-keygen -a ECDSAP256SHA256 "$zone" >zsk) ||
      { lab_die "ldns-keygen failed for $zone"; return 1; }
  fi
  echo "$mode" >"$d/zones/$zone.sign"
  local z
  for z in "$d"/keys/*/ksk; do
    cat "$(dirname "$z")/$(cat "$z").key"
  done >"$d/anchors"
  _lab_dns_write_zone "$zone" || return 1
  _lab_dns_apply "$zone" 0
}

# The trust-anchor file (DNSKEY lines of every signed zone's KSK), e.g. for --trust-anchor.
lab_dns_anchors() { echo "$(_lab_dns_dir)/anchors"; }
# lab_dns_ds ZONE — the zone's DS record (SHA-256), to publish in a parent or use as anchor.
lab_dns_ds() {
  local k
  k="$(_lab_dns_dir)/keys/$1"
  ldns-key2ds -n -2 "$k/$(cat "$k/ksk").key"
}

# Reloads a running NSD: a new zone needs a new config (restart), a changed one a SIGHUP.
_lab_dns_apply() {
  local zone=$1 is_new=$2
  lab_alive nsd 2>/dev/null || return 0
  if [ "$is_new" = 1 ]; then
    lab_stop nsd
    lab_dns_start "$(cat "$(_lab_dns_dir)/host")"
    return
  fi
  _lab_signal_group "$(lab_pid nsd)" HUP
  lab_wait_for 10 _lab_dns_serving "$zone" "$(cat "$(_lab_dns_dir)/zones/$zone.serial")" ||
    { lab_die "NSD did not load the new $zone"; lab_show_log "$(lab_log_file nsd)"; return 1; }
}

# True when the lab DNS serves ZONE with SOA serial SERIAL.
_lab_dns_serving() {
  local zone=$1 serial=$2 host got
  host=$(cat "$(_lab_dns_dir)/host")
  got=$(lab_exec "$host" dig +short +time=1 +tries=1 "@$LAB_DNS_IP" "$zone" SOA 2>/dev/null | awk '{print $3}')
  [ "$got" = "$serial" ]
}

# lab_dns_start [HOST] — starts NSD in HOST (default "dns", which must have address LAB_DNS_IP)
# for every zone defined so far, and waits until each is served.
lab_dns_start() {
  local host=${1:-dns} d zone f
  d=$(_lab_dns_dir)
  mkdir -p "$d/zones"
  echo "$host" >"$d/host"
  [ "$(lab_ip "$host")" = "$LAB_DNS_IP" ] || { lab_die "DNS host $host is not at $LAB_DNS_IP"; return 2; }
  {
    cat <<EOF
server:
  ip-address: ${LAB_DNS_IP}@53
  do-ip6: no
  username: ""
  chroot: ""
  database: ""
  zonesdir: "$d/zones"
  pidfile: "$d/nsd.pid"
  xfrdfile: "$d/xfrd.state"
  zonelistfile: "$d/zone.list"
  xfrdir: "$d"
  server-count: 1
  verbosity: 2
  hide-version: yes
remote-control:
  control-enable: no
EOF
    for f in "$d"/zones/*.zone; do
      [ -f "$f" ] || continue
      zone=$(basename "$f" .zone)
      printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$zone" "$zone"
    done
  } >"$d/nsd.conf"
  lab_spawn nsd "$host" nsd -d -c "$d/nsd.conf" || return 1
  for f in "$d"/zones/*.zone; do
    [ -f "$f" ] || continue
    zone=$(basename "$f" .zone)
    lab_wait_for 15 _lab_dns_serving "$zone" "$(cat "$d/zones/$zone.serial")" || {
      lab_die "NSD does not serve $zone"
      lab_show_log "$(lab_log_file nsd)" 80
      return 1
    }
  done
}

# lab_dig HOST ARGS... — dig from HOST at the lab DNS (short answers by default).
lab_dig() {
  local host=$1
  shift
  lab_exec "$host" dig +time=1 +tries=2 "@$LAB_DNS_IP" "$@"
}
