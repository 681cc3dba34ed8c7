#pragma once
// `edgeproxy partner list|add|set|remove`: edits the [[partner]] tables (docs/reference.md,
// `edgeproxy partner`).

#include <memory>

#include "common/cli.hpp"

namespace edgekit::edgeproxy {

std::unique_ptr<cli::Command> make_partner_command();

}  // namespace edgekit::edgeproxy
