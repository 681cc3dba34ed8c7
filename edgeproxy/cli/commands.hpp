#pragma once
// edgeproxy's command registry: every subcommand class is registered here.

#include "common/cli.hpp"

namespace edgekit::edgeproxy {

cli::ToolInfo tool_info();
void register_commands(cli::Registry& registry);

}  // namespace edgekit::edgeproxy
