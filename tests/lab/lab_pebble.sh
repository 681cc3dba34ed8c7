# shellcheck shell=bash
# pebble 2.4 (an ACME test CA, RFC 8555) in the lab (tests/lab/README.md): the package ships no config
# and no certificates, so its HTTPS listener gets a lab-CA certificate for the host's address;
# it resolves names through the lab DNS (-dnsserver) and validates http-01 on port 80 of the
# lab hosts; it makes a new root and intermediate on every start (fetched here from the
# management port). One pebble per host. Sourced by lab.sh.

lab_pebble_dir() { echo "$LAB_DIR/hosts/$1/pebble"; }
# The ACME directory URL, for [acme] directory.
lab_pebble_directory() { echo "https://$(lab_ip "$1"):14000/dir"; }
# The root that issues pebble's certificates (trust it to verify what pebble issued).
lab_pebble_roots() { echo "$(lab_pebble_dir "$1")/roots.pem"; }
# The intermediate pebble signs with.
lab_pebble_intermediates() { echo "$(lab_pebble_dir "$1")/intermediates.pem"; }

# lab_start_pebble HOST [--http-port P] [--tls-port P] [--always-valid] [--nonce-reject PCT]
#   --http-port / --tls-port   ports it validates http-01 / tls-alpn-01 on (80 / 443)
#   --always-valid             PEBBLE_VA_ALWAYS_VALID=1: skip challenge validation
#   --nonce-reject PCT         PEBBLE_WFE_NONCEREJECT (default: pebble's own 5 %: clients
#                              must retry badNonce)
# The HTTPS listener (14000) uses a lab-CA certificate: give clients $(lab_ca_file) as
# [acme] ca_file. Process pebble-HOST; the roots are in $(lab_pebble_roots HOST) on return.
lab_start_pebble() {
  local host=$1
  shift
  local http_port=80 tls_port=443 always_valid=0 nonce_reject="" timeout=30
  while [ $# -gt 0 ]; do
    case $1 in
      --http-port) http_port=$2; shift 2 ;;
      --tls-port) tls_port=$2; shift 2 ;;
      --always-valid) always_valid=1; shift ;;
      --nonce-reject) nonce_reject=$2; shift 2 ;;
      --timeout) timeout=$2; shift 2 ;;
      *) lab_die "lab_start_pebble: unknown option $1"; return 2 ;;
    esac
  done
  local d ip
  d=$(lab_pebble_dir "$host")
  ip=$(lab_ip "$host")
  mkdir -p "$d"
  lab_issue_cert "pebble-$host" "$ip" localhost || return 1
  cat >"$d/pebble-config.json" <<EOF
{
  "pebble": {
    "listenAddress": "$ip:14000",
    "managementListenAddress": "$ip:15000",
    "certificate": "$(lab_cert_file "pebble-$host")",
    "privateKey": "$(lab_key_file "pebble-$host")",
    "httpPort": $http_port,
    "tlsPort": $tls_port,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false
  }
}
EOF
  local env=(PEBBLE_VA_NOSLEEP=1)
  [ $always_valid -eq 0 ] || env+=(PEBBLE_VA_ALWAYS_VALID=1)
  [ -z "$nonce_reject" ] || env+=("PEBBLE_WFE_NONCEREJECT=$nonce_reject")
  lab_spawn "pebble-$host" "$host" env "${env[@]}" pebble -config "$d/pebble-config.json" \
    -dnsserver "$LAB_DNS_IP:53" -strict || return 1
  lab_wait_port "$host" 14000 "$timeout" "pebble-$host" || return 1
  lab_wait_port "$host" 15000 "$timeout" "pebble-$host" || return 1
  local ca
  ca=$(lab_ca_file)
  lab_exec "$host" curl -sSf --cacert "$ca" "https://$ip:15000/roots/0" -o "$d/roots.pem" &&
    lab_exec "$host" curl -sSf --cacert "$ca" "https://$ip:15000/intermediates/0" \
      -o "$d/intermediates.pem" || { lab_die "could not fetch pebble's roots"; return 1; }
}
