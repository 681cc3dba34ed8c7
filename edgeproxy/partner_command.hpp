#pragma once
// `edgeproxy partner list|add|set|remove`: edits the [[partner]] tables (CONTRACT.md §6).

#include <memory>

#include "common/cli.hpp"

namespace edgekit::edgeproxy {

std::unique_ptr<cli::Command> make_partner_command();

}  // namespace edgekit::edgeproxy
