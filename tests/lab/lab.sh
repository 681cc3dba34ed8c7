# shellcheck shell=bash source-path=SCRIPTDIR
# Edgekit lab harness: real XMPP and DNS servers in network namespaces (see README.md here).
#
#   source tests/lab/lab.sh
#   lab_up                                   # bridge netns + run dir + throw-away CA
#   lab_add_host dns 198.51.100.53           # one netns per host, veth to the bridge
#   lab_exec dns dig ...                     # netns + private mount ns (own resolv.conf/hosts)
#   lab_down                                 # kills everything started, deletes every netns
#
# Everything the lab creates is named after LAB_ID (default "ek<PID of the sourcing shell>"),
# so parallel runs never collide. State lives on disk under LAB_DIR, so subshells and
# traps see it. Nothing is attached to the root network namespace: the bridge lives in its own
# netns and the 198.51.100.0/24 (TEST-NET-2) addresses exist only inside the lab.

LAB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_LIB_DIR

# shellcheck source=lab_net.sh
source "$LAB_LIB_DIR/lab_net.sh"
# shellcheck source=lab_proc.sh
source "$LAB_LIB_DIR/lab_proc.sh"
# shellcheck source=lab_ca.sh
source "$LAB_LIB_DIR/lab_ca.sh"
# shellcheck source=lab_dns.sh
source "$LAB_LIB_DIR/lab_dns.sh"
# shellcheck source=lab_prosody.sh
source "$LAB_LIB_DIR/lab_prosody.sh"
# shellcheck source=lab_ejabberd.sh
source "$LAB_LIB_DIR/lab_ejabberd.sh"
# shellcheck source=lab_client.sh
source "$LAB_LIB_DIR/lab_client.sh"
# shellcheck source=lab_pebble.sh
source "$LAB_LIB_DIR/lab_pebble.sh"
