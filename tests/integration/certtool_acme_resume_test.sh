#!/usr/bin/env bash
# Crash and resume: certtool acme is killed (SIGKILL) as soon as its order is saved in the
# store; the next run resumes that same order (same URL) instead of ordering again, and gets
# the certificate. pebble sleeps up to 4 s before validating, so the first run is caught
# mid-order.
source "$(dirname "$0")/certtool_acme_lib.sh"

read -r dns_port http_port < <(acme_free_ports 2)
acme_start_pebble "$dns_port" "$http_port" PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_VA_SLEEPTIME=4 \
  PEBBLE_WFE_NONCEREJECT=0
acme_write_config "$http_port"
certtool request > /dev/null

step "first run, killed mid-order"
"$BIN/certtool" --config "$work/edgekit.toml" acme > "$work/first.out" 2> "$work/first.log" &
first=$!
acme_pids+=("$first")
for _ in $(seq 1 200); do
  [ -s "$work/store/acme/order.json" ] && break
  kill -0 "$first" 2>/dev/null || { cat "$work/first.log"; fail "certtool acme ended before saving its order"; }
  sleep 0.05
done
[ -s "$work/store/acme/order.json" ] || fail "no order saved"
kill -KILL "$first"
wait "$first" 2>/dev/null || true
order=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["order_url"])' "$work/store/acme/order.json")
echo "killed with order $order saved"
if grep -q "^Issued" "$work/first.out"; then fail "the first run finished before the kill"; fi

step "second run resumes the same order"
certtool acme --verify-ca-file "$work/root.pem" > "$work/second.out" 2> "$work/second.log" \
  || { cat "$work/second.log"; fail "the resumed run failed"; }
cat "$work/second.log"
grep -qF "resuming order $order" "$work/second.log" || fail "the saved order was not resumed"
! grep -q "created order" "$work/second.log" || fail "a new order was created"
grep -qF "order:   $order (resumed)" "$work/second.out" || fail "the result does not name the resumed order"
thumb=$(sed -n 's/^Issued and imported \([0-9a-f]\{64\}\)$/\1/p' "$work/second.out")
[ -n "$thumb" ] || fail "no certificate imported"
acme_verify_chain "$thumb"
[ ! -e "$work/store/acme/order.json" ] || fail "the finished order is still saved"
echo "PASS"
