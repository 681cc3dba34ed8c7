# shellcheck shell=bash
# A throw-away CA for the lab (openssl CLI). Keys are generated at run time inside LAB_DIR
# and deleted with it; nothing here is ever committed. Sourced by lab.sh.

lab_ca_file() { echo "$LAB_DIR/ca/ca.crt"; }

# lab_ca_init — a fresh P-256 root, valid for 2 days.
lab_ca_init() {
  local d="$LAB_DIR/ca"
  mkdir -p "$d"
  chmod 755 "$d"
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$d/ca.key" -out "$d/ca.crt" -days 2 -subj "/O=Edgekit lab/CN=Edgekit Lab CA ${LAB_ID}" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>"$d/openssl.log" || { cat "$d/openssl.log" >&2; return 1; }
  chmod 600 "$d/ca.key"
  chmod 644 "$d/ca.crt"
}

# lab_issue_cert NAME DNSNAME... [--server-only] [--days N] [--self-signed] [--expired]
#                [--not-yet-valid] [--bad-signature]
# Issues a P-256 certificate signed by the lab CA: CN = first name, every name a dNSName SAN
# (an IPv4 address becomes an iPAddress SAN),
# EKU serverAuth + clientAuth (serverAuth only with --server-only: ejabberd 23.01 then rejects
# it as an s2s client, like peers that check the client purpose). Certificates a verifying
# peer must refuse (a certificate for another name is just `lab_issue_cert NAME other.example`):
#   --self-signed    signed by its own key, not the lab CA (same names and EKUs)
#   --expired        valid from 10 days ago until 1 day ago (signed by the lab CA)
#   --not-yet-valid  valid from 1 day ahead until 3 days ahead (signed by the lab CA)
#   --bad-signature  issued by the lab CA, then one bit of its signature flipped (still
#                    parses; OpenSSL: "certificate signature failure")
# Writes under $LAB_DIR/certs:
#   NAME.key (0644: servers that drop privileges read it), NAME.crt (leaf),
#   NAME.chain.crt (leaf + CA; the leaf alone when self-signed), NAME.pem (leaf + key,
#   ejabberd's certfiles format).
lab_issue_cert() {
  local name=$1
  shift
  local names=() eku="serverAuth,clientAuth" days=2 self_signed=0 not_before="" not_after=""
  local bad_signature=0
  while [ $# -gt 0 ]; do
    case $1 in
      --server-only) eku="serverAuth"; shift ;;
      --days) days=$2; shift 2 ;;
      --self-signed) self_signed=1; shift ;;
      --expired) not_before="-10 days"; not_after="-1 day"; shift ;;
      --not-yet-valid) not_before="+1 day"; not_after="+3 days"; shift ;;
      --bad-signature) bad_signature=1; shift ;;
      -*) lab_die "lab_issue_cert: unknown option $1"; return 2 ;;
      *) names+=("$1"); shift ;;
    esac
  done
  if [ -z "$name" ] || [ ${#names[@]} -eq 0 ]; then
    lab_die "usage: lab_issue_cert NAME DNSNAME... [--server-only] [--days N] [--self-signed] [--expired] [--not-yet-valid] [--bad-signature]"
    return 2
  fi
  local d="$LAB_DIR/certs" san="" n
  for n in "${names[@]}"; do
    if [[ $n =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then san+="${san:+,}IP:$n"; else san+="${san:+,}DNS:$n"; fi
  done
  cat >"$d/$name.ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment,keyAgreement
extendedKeyUsage = $eku
subjectAltName = $san
subjectKeyIdentifier = hash
EOF
  [ $self_signed -eq 1 ] || echo "authorityKeyIdentifier = keyid" >>"$d/$name.ext"
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$d/$name.key" \
    -out "$d/$name.csr" -subj "/O=Edgekit lab/CN=${names[0]}" 2>"$d/$name.openssl.log" ||
    { cat "$d/$name.openssl.log" >&2; return 1; }
  if [ $self_signed -eq 0 ] && [ -z "$not_before" ]; then
    openssl x509 -req -in "$d/$name.csr" -CA "$LAB_DIR/ca/ca.crt" -CAkey "$LAB_DIR/ca/ca.key" \
      -CAcreateserial -days "$days" -extfile "$d/$name.ext" -out "$d/$name.crt" \
      2>>"$d/$name.openssl.log" || { cat "$d/$name.openssl.log" >&2; return 1; }
  else
    _lab_ca_sign "$name" "$self_signed" "${not_before:-now}" "${not_after:-+$days days}" ||
      return 1
  fi
  if [ $bad_signature -eq 1 ]; then
    # The signature is the certificate's last field: flip the lowest bit of its last byte.
    if ! { openssl x509 -in "$d/$name.crt" -outform DER -out "$d/$name.der" &&
      "${LAB_PYTHON:-/usr/bin/python3}" -c 'import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-1] ^= 1
open(p, "wb").write(b)' "$d/$name.der" &&
      openssl x509 -inform DER -in "$d/$name.der" -out "$d/$name.crt"; }; then
      lab_die "lab_issue_cert $name: cannot spoil the signature"
      return 1
    fi
  fi
  chmod 644 "$d/$name.key"
  if [ $self_signed -eq 1 ]; then
    cp "$d/$name.crt" "$d/$name.chain.crt"
  else
    cat "$d/$name.crt" "$LAB_DIR/ca/ca.crt" >"$d/$name.chain.crt"
  fi
  cat "$d/$name.crt" "$d/$name.key" >"$d/$name.pem"
}

# _lab_ca_sign NAME SELF_SIGNED NOT_BEFORE NOT_AFTER — signs certs/NAME.csr with the
# extensions of certs/NAME.ext into certs/NAME.crt by `openssl ca`, which (unlike `openssl
# x509` of OpenSSL 3.0) takes explicit validity dates; NOT_BEFORE and NOT_AFTER are `date -d`
# strings ("-10 days", "now"). SELF_SIGNED=1 signs with the request's own key.
_lab_ca_sign() {
  local name=$1 self_signed=$2 d="$LAB_DIR/certs" start end
  if ! start=$(date -u -d "$3" +%Y%m%d%H%M%SZ) || ! end=$(date -u -d "$4" +%Y%m%d%H%M%SZ); then
    lab_die "_lab_ca_sign: bad validity '$3' .. '$4'"
    return 2
  fi
  local db="$d/$name.ca"
  rm -rf "$db"
  mkdir -p "$db/new"
  : >"$db/index.txt"
  openssl rand -hex 16 >"$db/serial"
  cat >"$db/ca.cnf" <<EOF
[ ca ]
default_ca = lab
[ lab ]
database = $db/index.txt
new_certs_dir = $db/new
serial = $db/serial
default_md = sha256
policy = lab_policy
unique_subject = no
email_in_dn = no
[ lab_policy ]
organizationName = optional
commonName = supplied
EOF
  local signer=(-cert "$LAB_DIR/ca/ca.crt" -keyfile "$LAB_DIR/ca/ca.key")
  [ "$self_signed" -eq 0 ] || signer=(-selfsign -keyfile "$d/$name.key")
  openssl ca -batch -notext -config "$db/ca.cnf" "${signer[@]}" -in "$d/$name.csr" \
    -out "$d/$name.crt" -startdate "$start" -enddate "$end" -extfile "$d/$name.ext" \
    >>"$d/$name.openssl.log" 2>&1 || { cat "$d/$name.openssl.log" >&2; return 1; }
  rm -rf "$db"
}


lab_cert_file() { echo "$LAB_DIR/certs/$1.crt"; }
lab_key_file() { echo "$LAB_DIR/certs/$1.key"; }

# lab_ca_sign_csr CSR OUT [--server-only] [--days N]
# Signs a certificate request (e.g. from `certtool request --out`) with the lab CA, the way a
# CA would: the request's subject and subjectAltName are kept, the CA sets basic constraints,
# key usage and EKU (serverAuth + clientAuth, or serverAuth only with --server-only). Writes the
# PEM certificate to OUT; the chain is just $(lab_ca_file).
lab_ca_sign_csr() {
  local csr=$1 out=$2
  shift 2 || { lab_die "usage: lab_ca_sign_csr CSR OUT [--server-only] [--days N]"; return 2; }
  local eku="serverAuth,clientAuth" days=2
  while [ $# -gt 0 ]; do
    case $1 in
      --server-only) eku="serverAuth"; shift ;;
      --days) days=$2; shift 2 ;;
      *) lab_die "lab_ca_sign_csr: unknown option $1"; return 2 ;;
    esac
  done
  local ext
  ext=$(mktemp "$LAB_DIR/certs/csr-ext.XXXXXX")
  cat >"$ext" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment,keyAgreement
extendedKeyUsage = $eku
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  openssl req -in "$csr" -noout -verify 2>/dev/null || { lab_die "$csr: not a valid CSR"; rm -f "$ext"; return 1; }
  # "-copy_extensions copy" takes the request's extensions (its SANs) except those the CA
  # sets above.
  openssl x509 -req -in "$csr" -CA "$LAB_DIR/ca/ca.crt" -CAkey "$LAB_DIR/ca/ca.key" \
    -CAcreateserial -days "$days" -extfile "$ext" -copy_extensions copy -out "$out" \
    2>"$ext.log" || { cat "$ext.log" >&2; rm -f "$ext" "$ext.log"; return 1; }
  rm -f "$ext" "$ext.log"
}

# lab_edge_store DIR CERT FQDN DOMAIN — an edgeproxy store in DIR whose identity.json
# (docs/reference.md) names lab certificate CERT for the edge FQDN serving DOMAIN, the files left
# where lab_issue_cert put them. (tests/lab/edge_topology.sh builds certtool's full layout.)
lab_edge_store() {
  local dir=$1 cert=$2 fqdn=$3 domain=$4
  mkdir -p "$dir" && chmod 700 "$dir" || return 1
  # The lab's keys are readable by every user (the peers run as their own users); the edge's
  # own copy is private, as certtool keeps it (edgeproxy --check-config refuses one that is not).
  install -m 600 "$(lab_key_file "$cert")" "$dir/identity.key" || return 1
  cat >"$dir/identity.json" <<JSON
{"role": "edge-external", "fqdn": "$fqdn", "xmpp_domains": ["$domain"],
 "certificate": "$(lab_cert_file "$cert")", "chain": "", "key": "$dir/identity.key",
 "thumbprint": "lab", "not_after": "2099-01-01T00:00:00Z", "validated": {}}
JSON
}
