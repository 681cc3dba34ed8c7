#pragma once
// certtool's command registry: every subcommand class is registered here.

#include "common/cli.hpp"

namespace edgekit::certtool {

cli::ToolInfo tool_info();
void register_commands(cli::Registry& registry);

}  // namespace edgekit::certtool
