#!/usr/bin/env bash
# The Debian package, installed as an admin would: builds it from the tested tree
# (scripts/package --from-build $EDGEKIT_BUILD, or takes $EDGEKIT_DEB), installs it with
# `dpkg -i` on this machine, checks files, owners and modes, the units (systemd-analyze verify,
# security score <= 2.0), runs the unit's ExecStart as user edgekit against the installed
# config in a network namespace of its own (loopback only): it listens, answers /healthz,
# reloads on the unit's ExecReload (SIGHUP) and stops on SIGTERM; then purges the package and
# checks that nothing is left behind.
#
# systemd is not PID 1 on CI machines, so the units are checked but not started; the test
# refuses to run where an edgekit package, user or directory already exists, and cleans up
# after itself on any failure. Needs root. Bounded: about a minute, 170 s at most.
set -Eeuo pipefail
# The whole test is bounded even if a step hangs (TERM runs the cleanup below).
if [ -z "${EDGEKIT_PACKAGE_TEST_BOUNDED:-}" ]; then
  EDGEKIT_PACKAGE_TEST_BOUNDED=1 exec timeout -k 10 170 bash "$0" "$@"
fi

source_dir=${EDGEKIT_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
build_dir=${EDGEKIT_BUILD:-$source_dir/build}

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n--- %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || fail "needs root (dpkg -i, a network namespace)"
for tool in dpkg dpkg-deb dpkg-query dpkg-buildpackage dh fakeroot help2man lintian adduser \
            deluser systemd-analyze setpriv ip curl ss flock timeout getent stat; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup installs it)"
done


# One install test at a time on a machine (several worktrees may run their CI here).
exec 9>/run/lock/edgekit-package-install-test.lock
flock -w 60 9 || fail "another package install test holds /run/lock/edgekit-package-install-test.lock"

if dpkg-query -W -f='${Status}' edgekit 2>/dev/null | grep -qv 'not-installed'; then
  fail "an edgekit package is already on this machine: refusing to touch it"
fi
for path in /etc/edgekit /var/lib/edgekit /usr/share/doc/edgekit /lib/systemd/system/edgeproxy.service; do
  [ ! -e "$path" ] || fail "$path already exists: refusing to touch this machine"
done
getent passwd edgekit >/dev/null && fail "a user edgekit already exists: refusing"
getent group edgekit >/dev/null && fail "a group edgekit already exists: refusing"

work=$(mktemp -d /tmp/edgekit-package-test.XXXXXX)
chmod 0755 "$work"
netns=edgekit-pkg-$$
edge_pid=""
installed=0
cleanup() {
  local rc=$?
  trap - ERR
  set +e
  [ -n "$edge_pid" ] && kill -KILL "$edge_pid" 2>/dev/null
  ip netns del "$netns" 2>/dev/null
  if [ $installed -eq 1 ]; then
    echo "cleanup: purging edgekit" >&2
    dpkg --purge edgekit >/dev/null 2>&1
  fi
  if [ $rc -ne 0 ] && [ -f "$work/edge.log" ]; then
    echo "--- edgeproxy log" >&2; tail -30 "$work/edge.log" >&2
  fi
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 1' TERM INT
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR

# State outside the package's own paths that installing may touch: it must come back as it was.
snapshot() {
  {
    { find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled \
           /var/lib/systemd/deb-systemd-helper-masked /etc/edgekit /var/lib/edgekit \
           /usr/share/doc/edgekit -maxdepth 6 2>/dev/null || true; } | sort
    grep -h '^edgekit:' /etc/passwd /etc/group /etc/shadow /etc/gshadow 2>/dev/null  || true
    find /var/lib/dpkg/info -maxdepth 1 -name 'edgekit.*' | sort
    dpkg-statoverride --list | grep edgekit || true
  } >"$1"
}
snapshot "$work/before"

step "package"
if [ -n "${EDGEKIT_DEB:-}" ]; then
  deb=$EDGEKIT_DEB
else
  deb=$(timeout 120 "$source_dir/scripts/package" --no-setup --from-build "$build_dir" \
        --out "$work/dist" --lintian | tail -1)
fi
[ -f "$deb" ] || fail "no package: $deb"
echo "$deb"
case $(basename "$deb") in
  edgekit_*_"$(dpkg-architecture -qDEB_HOST_ARCH)".deb) ;;
  *) fail "$(basename "$deb") is not named edgekit_<version>_<arch>.deb" ;;
esac

step "dpkg -i"
installed=1
for _ in 1 2 3 4 5 6; do
  if timeout 60 dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then break; fi
  grep -q 'lock' "$work/dpkg.log" || { cat "$work/dpkg.log"; fail "dpkg -i failed"; }
  sleep 5
done
dpkg-query -W -f='${Status}\n' edgekit | grep -x 'install ok installed' >/dev/null ||
  { cat "$work/dpkg.log"; fail "edgekit is not installed"; }

step "files, owners, modes"
expect() { # PATH OWNER:GROUP MODE (octal, as stat %a)
  local got
  got=$(stat -c '%U:%G %a' "$1" 2>/dev/null) || fail "$1 is missing"
  [ "$got" = "$2 $3" ] || fail "$1 is $got, expected $2 $3"
  echo "ok $1 $got"
}
for tool in certtool dnstool edgeproxy; do
  expect /usr/bin/$tool root:root 755
  "/usr/bin/$tool" --version | grep "^$tool " >/dev/null || fail "/usr/bin/$tool --version"
done
expect /etc/edgekit root:root 755
expect /etc/edgekit/edgekit.toml root:root 644
expect /var/lib/edgekit edgekit:edgekit 700
expect /etc/edgekit/component.secret root:edgekit 640
[ "$(wc -c </etc/edgekit/component.secret)" -ge 32 ] || fail "the component secret is too short"
for unit in edgeproxy.service edgekit-renew.service edgekit-renew.timer; do
  expect /lib/systemd/system/$unit root:root 644
done
for doc in copyright install.md reference.md edgekit.toml; do
  expect /usr/share/doc/edgekit/$doc root:root 644
done
expect /usr/share/man/man8/edgeproxy.8.gz root:root 644
expect /usr/share/man/man1/certtool.1.gz root:root 644
expect /usr/share/man/man1/dnstool.1.gz root:root 644
for tool in certtool dnstool edgeproxy; do
  expect /usr/share/bash-completion/completions/$tool root:root 644
done
# shellcheck disable=SC1091  # the installed completion, for the commands of certtool
completion=$(bash -c 'source /usr/share/bash-completion/completions/certtool
  COMP_WORDS=(certtool re); COMP_CWORD=1; _edgekit_tool; echo "${COMPREPLY[*]}"')
[ "$completion" = "request renew" ] || fail "bash completion of 'certtool re': '$completion'"
echo "ok bash completion: certtool re -> $completion"
dpkg-query -W -f='${Conffiles}\n' edgekit | grep '^ /etc/edgekit/edgekit.toml ' >/dev/null ||
  fail "/etc/edgekit/edgekit.toml is not a conffile"
echo "ok /etc/edgekit/edgekit.toml is a conffile"
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd edgekit)
[ "$uid" -lt 1000 ] || fail "edgekit is not a system user (uid $uid)"
[ "$home" = /var/lib/edgekit ] || fail "edgekit's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "edgekit's shell is $shell"
[ "$(getent group edgekit | cut -d: -f3)" = "$gid" ] || fail "edgekit's group is not edgekit"
echo "ok user edgekit uid $uid gid $gid home $home shell $shell"
grep -q '^\[\[partner\]\]' /etc/edgekit/edgekit.toml && fail "the installed config enables a partner"
echo "ok no partner enabled"
# Disabled and not started: nothing was linked into a .wants directory.
[ -z "$(find /etc/systemd/system -name 'edge*' 2>/dev/null)" ] ||
  fail "a unit was enabled: $(find /etc/systemd/system -name 'edge*')"
echo "ok units installed, not enabled"

step "units: systemd-analyze verify and security"
(cd / && systemd-analyze verify edgeproxy.service edgekit-renew.service edgekit-renew.timer) ||
  fail "systemd-analyze verify"
echo "ok systemd-analyze verify"
for unit in edgeproxy.service edgekit-renew.service; do
  score=$(systemd-analyze security --offline=true "$unit" | sed -nE 's/.*Overall exposure level for [^:]*: ([0-9.]+).*/\1/p')
  [ -n "$score" ] || fail "no exposure score for $unit"
  awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' || fail "$unit exposure $score > 2.0"
  echo "ok $unit exposure $score"
done

unit_line() { sed -nE "s/^$1=//p" /lib/systemd/system/edgeproxy.service; }
exec_start=$(unit_line ExecStart)
exec_start_pre=$(unit_line ExecStartPre)
exec_reload=$(unit_line ExecReload)
[[ $exec_start == "/usr/bin/edgeproxy --config /etc/edgekit/edgekit.toml" ]] ||
  fail "ExecStart is '$exec_start'"
[ "$(unit_line User)" = edgekit ] || fail "User= is not edgekit"
as_edgekit() {
  setpriv --reuid=edgekit --regid=edgekit --init-groups --no-new-privs \
    --inh-caps=-all --bounding-set=-all -- "$@"
}

step "ExecStartPre as edgekit: $exec_start_pre"
# shellcheck disable=SC2086  # the unit's command line, split as systemd splits it
as_edgekit $exec_start_pre || fail "ExecStartPre failed"

step "ExecStart as edgekit in a loopback-only network namespace: $exec_start"
ip netns add "$netns"
ip netns exec "$netns" ip link set lo up
[ "$(ip netns exec "$netns" ip -o link show | wc -l)" -eq 1 ] || fail "the namespace has more than lo"
in_ns() { ip netns exec "$netns" "$@"; }
# shellcheck disable=SC2086
(umask 0077; exec ip netns exec "$netns" setpriv --reuid=edgekit --regid=edgekit --init-groups \
   --no-new-privs --inh-caps=-all --bounding-set=-all -- $exec_start) >"$work/edge.log" 2>&1 &
edge_pid=$!
healthy=0
for _ in $(seq 1 100); do
  kill -0 "$edge_pid" 2>/dev/null || fail "edgeproxy exited at start"
  if in_ns curl -fsS --max-time 2 http://127.0.0.1:9269/healthz >"$work/healthz" 2>/dev/null; then
    healthy=1; break
  fi
  sleep 0.1
done
[ $healthy -eq 1 ] || fail "/healthz did not answer within 10 s"
echo "ok /healthz: $(head -c 200 "$work/healthz")"
in_ns ss -Hltn 'sport = :5269' | grep LISTEN >/dev/null || fail "nothing listens on 5269"
echo "ok listening on 5269 (in the namespace: loopback only)"
# ip netns exec execs setpriv, which execs edgeproxy: one process, same pid.
[ "$(ps -o user= -p "$edge_pid")" = edgekit ] || fail "edgeproxy does not run as edgekit"
echo "ok running as edgekit (pid $edge_pid)"
[ "$(tr -d '\n' </var/lib/edgekit/edgeproxy.pid)" = "$edge_pid" ] ||
  fail "/var/lib/edgekit/edgeproxy.pid does not hold $edge_pid"
# The store is edgekit's alone: its directories 0700 (keys inside are 0600; the pid file
# need not be secret), nothing writable by others, nothing owned by anyone else.
bad=$(find /var/lib/edgekit -mindepth 1 \( -type d ! -perm 0700 -o -perm /0022 -o ! -user edgekit \))
[ -z "$bad" ] || fail "store entries not edgekit-only: $bad"
echo "ok store: $(find /var/lib/edgekit -mindepth 1 | wc -l) entries, all edgekit's"

step "reload: $exec_reload"
# shellcheck disable=SC2016  # the literal $MAINPID of the unit
[ "$exec_reload" = '/bin/kill -HUP $MAINPID' ] || fail "ExecReload is '$exec_reload'"
${exec_reload//\$MAINPID/$edge_pid}
for _ in $(seq 1 50); do grep -q 'signal.hup' "$work/edge.log" && break; sleep 0.1; done
grep -q 'signal.hup' "$work/edge.log" || fail "no signal.hup in the log"
sleep 0.3
kill -0 "$edge_pid" 2>/dev/null || fail "edgeproxy exited on SIGHUP"
in_ns curl -fsS --max-time 2 http://127.0.0.1:9269/healthz >/dev/null || fail "/healthz after reload"
echo "ok reloaded, still healthy"

step "stop: SIGTERM"
kill -TERM "$edge_pid"
rc=0
timeout 15 tail --pid="$edge_pid" -f /dev/null || fail "edgeproxy did not stop within 15 s"
wait "$edge_pid" || rc=$?
edge_pid=""
[ $rc -eq 0 ] || fail "edgeproxy exited $rc on SIGTERM"
grep -q 'edge.stopped' "$work/edge.log" || fail "no edge.stopped in the log"
[ ! -e /var/lib/edgekit/edgeproxy.pid ] || fail "the pid file was left behind"
echo "ok stopped (exit 0), pid file removed"
ip netns del "$netns"

step "purge"
pkg_files=$(dpkg-query -L edgekit)
dpkg --purge edgekit >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg --purge"; }
installed=0
status=$(dpkg-query -W -f='${Status}' edgekit 2>/dev/null || true)
case $status in "" | *not-installed) ;; *) fail "edgekit is still known to dpkg: $status" ;; esac
left=""
while read -r path; do
  [ "$path" = /. ] || [ ! -e "$path" ] && continue
  dpkg-query -S "$path" >/dev/null 2>&1 && continue  # a directory other packages share
  left="$left $path"
done <<<"$pkg_files"
[ -z "$left" ] || fail "left behind:$left"
getent passwd edgekit >/dev/null && fail "user edgekit is left"
getent group edgekit >/dev/null && fail "group edgekit is left"
snapshot "$work/after"
diff -u "$work/before" "$work/after" || fail "the machine is not as it was before the install"
echo "ok purged: no file, user, group or systemd state left"

echo
echo "PASS: package install test"
