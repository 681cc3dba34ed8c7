#!/usr/bin/env bash
# The Debian package under a real systemd: boots a minimal Debian 12 root with systemd-nspawn
# (--private-network: the container has only loopback; --volatile=overlay: nothing is written
# back to the root), installs the package with `dpkg -i`, then `systemctl start`, /healthz,
# `systemctl reload`, `systemctl stop` of edgeproxy.service with its whole sandbox in force,
# the exposure score of the real unit, and `dpkg --purge` with nothing left behind.
#
# The root is made once per machine by tests/lab/package_root.sh (debootstrap, a few minutes,
# Debian's archive): $EDGEKIT_NSPAWN_ROOT, default /var/lib/machines/edgekit-package-test.
# Without it the test is skipped (exit 77) and says how to make it. Needs root. Bounded: 170 s.
set -Eeuo pipefail
if [ -z "${EDGEKIT_PACKAGE_TEST_BOUNDED:-}" ]; then
  EDGEKIT_PACKAGE_TEST_BOUNDED=1 exec timeout -k 10 170 bash "$0" "$@"
fi

source_dir=${EDGEKIT_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build_dir=${EDGEKIT_BUILD:-$source_dir/build}
root=${EDGEKIT_NSPAWN_ROOT:-/var/lib/machines/edgekit-package-test}

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n--- %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (systemd-nspawn)"
for tool in systemd-nspawn nsenter curl dpkg-deb dpkg-buildpackage dh fakeroot help2man lintian \
            timeout; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup installs it)"
done
if [ ! -f "$root/.edgekit-package-root" ]; then
  echo "SKIP: no container root at $root: make it once with tests/lab/package_root.sh $root" \
       "(debootstrap from Debian's archive, a few minutes), or set EDGEKIT_NSPAWN_ROOT" >&2
  exit 77
fi

work=$(mktemp -d /tmp/edgekit-package-systemd.XXXXXX)
machine=edgekit-pkg-$$
nspawn_pid=""
cleanup() {
  local rc=$?
  trap - ERR
  set +e
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid"   # nspawn asks the container's systemd to halt
    for _ in $(seq 1 50); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    kill -TERM "$nspawn_pid" 2>/dev/null; sleep 0.5
    kill -KILL "$nspawn_pid" 2>/dev/null
    wait "$nspawn_pid" 2>/dev/null
  fi
  rmdir "/run/systemd/nspawn/propagate/$machine" 2>/dev/null
  if [ $rc -ne 0 ] && [ -f "$work/boot.log" ]; then
    echo "--- container console (last lines)" >&2; tail -15 "$work/boot.log" >&2
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' TERM INT
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR

step "package"
if [ -n "${EDGEKIT_DEB:-}" ]; then
  deb=$EDGEKIT_DEB
else
  deb=$(timeout 120 "$source_dir/scripts/package" --no-setup --from-build "$build_dir" \
        --out "$work/dist" | tail -1)
fi
[ -f "$deb" ] || fail "no package: $deb"
echo "$deb"

step "boot $root (systemd-nspawn --boot, private network, volatile overlay)"
systemd-nspawn -q --register=no --keep-unit --machine="$machine" --private-network \
  --volatile=overlay -D "$root" --bind-ro="$deb:/tmp/edgekit.deb" --boot \
  >"$work/boot.log" 2>&1 </dev/null &
nspawn_pid=$!
leader=""
for _ in $(seq 1 100); do
  # nspawn's first child is transient; the container's init is the child named systemd.
  leader=$({ ps -o pid=,comm= --ppid "$nspawn_pid" || true; } | awk '$2 == "systemd" { print $1; exit }')
  [ -n "$leader" ] && break
  sleep 0.2
done
[ -n "$leader" ] || fail "the container did not start"
inside() { nsenter -t "$leader" -m -u -i -n -p -- "$@"; }
state=""
for _ in $(seq 1 120); do
  state=$(inside systemctl is-system-running 2>/dev/null || true)
  case $state in running | degraded) break ;; esac
  sleep 0.5
done
case $state in running | degraded) ;; *) fail "the container's systemd is '$state' after 60 s" ;; esac
echo "ok booted: systemd is $state (leader pid $leader)"
[ "$(nsenter -t "$leader" -n -- ip -o link show | wc -l)" -eq 1 ] || fail "the container has more than lo"

step "dpkg -i"
inside dpkg -i /tmp/edgekit.deb >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
inside systemctl daemon-reload
[ "$(inside systemctl is-enabled edgeproxy.service || true)" = disabled ] ||
  fail "edgeproxy.service is not installed disabled"
[ "$(inside systemctl is-active edgeproxy.service || true)" = inactive ] ||
  fail "the install started edgeproxy.service"
echo "ok installed; edgeproxy.service disabled, not started"

step "security of the installed unit"
score=$(inside systemd-analyze security edgeproxy.service 2>/dev/null |
        sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p')
[ -n "$score" ] || fail "no exposure score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "edgeproxy.service exposure $score > 2.0"
echo "ok edgeproxy.service exposure $score"

step "systemctl start edgeproxy"
inside systemctl start edgeproxy.service || {
  inside journalctl -u edgeproxy.service --no-pager | tail -20; fail "systemctl start"; }
healthy=0
for _ in $(seq 1 100); do
  if nsenter -t "$leader" -n -- curl -fsS --max-time 2 http://127.0.0.1:9269/healthz \
       >"$work/healthz" 2>/dev/null; then healthy=1; break; fi
  sleep 0.1
done
[ $healthy -eq 1 ] || { inside journalctl -u edgeproxy.service --no-pager | tail -20; fail "/healthz"; }
echo "ok active, /healthz: $(cat "$work/healthz")"
main_pid=$(inside systemctl show -P MainPID edgeproxy.service)
[ "$(inside ps -o user= -p "$main_pid")" = edgekit ] || fail "edgeproxy does not run as edgekit"
echo "ok runs as edgekit (pid $main_pid in the container)"
status_text=$(inside systemctl show -P StatusText edgeproxy.service)
[[ $status_text == *connections*partners* ]] || fail "no sd_notify STATUS: '$status_text'"
[ "$(inside systemctl show -P WatchdogUSec edgeproxy.service)" != 0 ] || fail "no watchdog"
echo "ok Type=notify: STATUS '$status_text', watchdog on"
# stderr is the journal ($JOURNAL_STREAM): no timestamps of edgeproxy's own on its lines.
inside journalctl -u edgeproxy.service -o cat --no-pager | grep '^info edge.started ' >/dev/null ||
  fail "the journal's edge.started line is not bare: $(inside journalctl -u edgeproxy.service -o cat --no-pager | grep edge.started)"
echo "ok journal lines without our own timestamps"

step "upgrade (dpkg -i again) while it runs"
inside systemctl enable edgeproxy.service >/dev/null 2>&1 || fail "systemctl enable"
inside dpkg -i /tmp/edgekit.deb >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "upgrade"; }
[ "$(inside systemctl is-active edgeproxy.service)" = active ] || fail "not active after the upgrade"
new_pid=$(inside systemctl show -P MainPID edgeproxy.service)
[ "$new_pid" != "$main_pid" ] || fail "the upgrade did not restart edgeproxy"
main_pid=$new_pid
echo "ok restarted by the upgrade (pid $main_pid), still enabled: $(inside systemctl is-enabled edgeproxy.service)"

step "systemctl reload edgeproxy"
inside systemctl reload edgeproxy.service || {
  inside journalctl -u edgeproxy.service --no-pager | tail -20; fail "systemctl reload"; }
sleep 0.5
inside journalctl -u edgeproxy.service --no-pager | grep 'signal.hup' >/dev/null || fail "no signal.hup"
[ "$(inside systemctl is-active edgeproxy.service)" = active ] || fail "not active after reload"
[ "$(inside systemctl show -P MainPID edgeproxy.service)" = "$main_pid" ] || fail "reload restarted it"
inside journalctl -u edgeproxy.service --no-pager | grep 'Reloaded edgeproxy.service' >/dev/null ||
  fail "systemd did not see the reload finish (RELOADING=1, READY=1)"
echo "ok reloaded in place"

step "systemctl stop edgeproxy"
inside systemctl stop edgeproxy.service
[ "$(inside systemctl show -P Result edgeproxy.service)" = success ] || fail "stop: not a clean exit"
inside journalctl -u edgeproxy.service --no-pager | grep 'edge.stopped' >/dev/null || fail "no edge.stopped"
echo "ok stopped cleanly"

step "systemctl start again: removal must stop it"
inside systemctl start edgeproxy.service || fail "systemctl start"

step "edgekit-renew: the timer, and the service under its sandbox"
inside systemctl enable --now edgekit-renew.timer >/dev/null 2>&1 || fail "enable --now edgekit-renew.timer"
[ "$(inside systemctl is-active edgekit-renew.timer)" = active ] || fail "the timer is not active"
inside systemctl list-timers --all --no-pager | grep edgekit-renew.timer >/dev/null || fail "not in list-timers"
echo "ok edgekit-renew.timer enabled and active"
# Unconfigured (no ACME directory, nothing assigned), certtool renew fails with its own exit code
# (1-3); 200 and up would be systemd failing to set up the sandbox or run it.
inside systemctl start edgekit-renew.service >/dev/null 2>&1 || true
renew_status=$(inside systemctl show -P ExecMainStatus edgekit-renew.service)
inside journalctl -u edgekit-renew.service --no-pager | grep 'certtool' >/dev/null || fail "certtool did not run"
if [ -z "$renew_status" ] || [ "$renew_status" -ge 200 ]; then
  inside journalctl -u edgekit-renew.service --no-pager | tail -5; fail "renew: exit $renew_status"
fi
echo "ok edgekit-renew.service ran certtool as edgekit (exit $renew_status, unconfigured)"

step "dpkg --purge (edgeproxy running and enabled, the timer enabled, as an admin might leave them)"
inside dpkg --purge edgekit >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg --purge"; }
inside pgrep -x edgeproxy >/dev/null && fail "edgeproxy still runs after the purge"
for path in /etc/edgekit /var/lib/edgekit /usr/share/doc/edgekit /lib/systemd/system/edgeproxy.service \
            /usr/bin/edgeproxy; do
  inside test ! -e "$path" || fail "$path is left"
done
inside getent passwd edgekit >/dev/null && fail "user edgekit is left"
left=$(inside find /etc/systemd /var/lib/systemd -name "*edge*")
[ -z "$left" ] || fail "systemd state left: $left"
echo "ok purged: nothing left"
[ ! -e "$root/etc/edgekit" ] || fail "the container root was written to"

echo
echo "PASS: package systemd test"
