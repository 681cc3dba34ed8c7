#pragma once
// `dnstool records`: the zone-file lines to publish for every XMPP domain (SRV, XEP-0368 SRV,
// TLSA 3 1 1) and the POSH document.

#include <memory>

#include "common/cli.hpp"

namespace edgekit::dnstool {

std::unique_ptr<cli::Command> make_records_command();

}  // namespace edgekit::dnstool
