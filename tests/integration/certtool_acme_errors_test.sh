#!/usr/bin/env bash
# certtool acme when things go wrong, each with a clear one-line message and the documented
# exit code (docs/reference.md): a name the CA refuses (rejectedIdentifier, exit 1), an unreachable CA (exit 3),
# no agreement to the terms for a new account (exit 2), a challenge that fails validation
# because nothing answers it (exit 1, the CA's reason named).
source "$(dirname "$0")/certtool_acme_lib.sh"

read -r dns_port http_port dead_port < <(acme_free_ports 3)
acme_start_nsd "$dns_port"
acme_start_pebble "$dns_port" "$http_port" PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0

run_acme() {  # run_acme NAME ARGS...: exit status in $status, stderr in $work/NAME.err
  local name=$1
  shift
  set +e
  certtool acme "$@" > "$work/$name.out" 2> "$work/$name.err"
  status=$?
  set -e
  echo "exit $status: $(grep 'error:' "$work/$name.err" | head -1)"
}

step "no agreement to the terms: exit 2, says what to do"
acme_write_config "$http_port" 'challenge = "http-01"'
sed -i 's/^agree_tos = true$/agree_tos = false/' "$work/edgekit.toml"
certtool request > /dev/null
run_acme tos
[ "$status" -eq 2 ] || fail "exit $status, not 2"
grep -q "error: newAccount: no ACME account exists for this account key yet.*--agree-tos" "$work/tos.err" \
  || fail "no clear message about the terms"

step "a name the CA refuses: exit 1, rejectedIdentifier named"
acme_write_config "$http_port"
sed -i 's/^xmpp_domains = \["corp.example"\]$/xmpp_domains = ["corp.example"]\nadditional_sans = ["blocked.example"]/' "$work/edgekit.toml"
certtool request > /dev/null
run_acme refused --verify-ca-file "$work/root.pem"
[ "$status" -eq 1 ] || { cat "$work/refused.err"; fail "exit $status, not 1"; }
grep -q "error: newOrder: the CA answered rejectedIdentifier: .*blocked.example" "$work/refused.err" \
  || { cat "$work/refused.err"; fail "the refusal is not explained"; }
[ "$(grep -c 'error:' "$work/refused.err")" -eq 1 ] || fail "more than one error line"

step "an unreachable CA: exit 3"
acme_write_config "$http_port"
sed -i "s|^directory = .*|directory = \"https://127.0.0.1:$dead_port/dir\"|" "$work/edgekit.toml"
certtool request > /dev/null
run_acme unreachable
[ "$status" -eq 3 ] || fail "exit $status, not 3"
grep -q "error: cannot reach the ACME server at https://127.0.0.1:$dead_port/dir: .*" \
  "$work/unreachable.err" || fail "no clear message for the unreachable CA"

step "the CA's own HTTPS certificate is not trusted without ca_file: exit 3"
acme_write_config "$http_port"
sed -i '/^ca_file = /d' "$work/edgekit.toml"
run_acme untrusted
[ "$status" -eq 3 ] || fail "exit $status, not 3"
grep -qi "certificate" "$work/untrusted.err" || fail "the TLS failure is not named"

step "a challenge nobody answers: exit 1, the CA's reason named"
# Another process holds the http-01 port, so certtool cannot bind it: a clear setup error.
/usr/bin/python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); s.bind(("::", int(sys.argv[1]))); s.listen(); time.sleep(60)' "$http_port" &
holder=$!
acme_pids+=("$holder")
sleep 0.3
acme_write_config "$http_port"
run_acme busy --verify-ca-file "$work/root.pem"
[ "$status" -eq 3 ] || { cat "$work/busy.err"; fail "exit $status, not 3"; }
grep -q "error: http-01 responder on \[::\]:$http_port: .*in use" "$work/busy.err" || fail "busy port not named"
kill "$holder"; wait "$holder" 2>/dev/null || true
# The responder listens on a port pebble does not dial: validation fails for real.
read -r other_port < <(acme_free_ports 1)
run_acme invalid --new-order --http-listen "[::]:$other_port" --verify-ca-file "$work/root.pem"
[ "$status" -eq 1 ] || { cat "$work/invalid.err"; fail "exit $status, not 1"; }
grep -q "error: validation of .*connection" "$work/invalid.err" || { cat "$work/invalid.err"; fail "the failed validation is not explained"; }
echo "PASS"
