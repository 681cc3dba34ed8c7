#!/usr/bin/env bash
# Tears down a lab left running (e.g. by `edge_topology.sh --keep` or the demo's --keep):
#   tests/lab/lab_down.sh /tmp/edgekit-lab-<ID>.XXXXXX
set -uo pipefail
[ $# -eq 1 ] && [ -f "$1/id" ] || { echo "usage: $0 LAB_RUN_DIR (the dir holding 'id')" >&2; exit 2; }
# shellcheck source-path=SCRIPTDIR source=lab.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab.sh"
LAB_DIR=$(cd "$1" && pwd)
LAB_ID=$(cat "$LAB_DIR/id")
export LAB_DIR LAB_ID
lab_down
left=$(lab_leftovers "$LAB_ID")
[ -z "$left" ] || { echo "$left" >&2; exit 1; }
