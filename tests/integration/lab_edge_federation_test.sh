#!/usr/bin/env bash
# edgeproxy end to end in the edge lab (tests/lab/edge_topology.sh): the checks of
# tests/lab/edge_federation_check.sh (its header lists them) against the built edgeproxy.
# A missing binary is a failure (exit 2), never a skip.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/../lab/edge_federation_check.sh" "${EDGEKIT_BIN:-$here/../../build/bin}/edgeproxy"
