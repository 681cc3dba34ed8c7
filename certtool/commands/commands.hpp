#pragma once
// certtool's command registry: every subcommand class is registered here.

#include <memory>

#include "common/cli.hpp"

namespace edgekit::certtool {

cli::ToolInfo tool_info();
void register_commands(cli::Registry& registry);

std::unique_ptr<cli::Command> make_request_command();
std::unique_ptr<cli::Command> make_show_command();
std::unique_ptr<cli::Command> make_import_command();
std::unique_ptr<cli::Command> make_assign_command();
std::unique_ptr<cli::Command> make_list_command();
std::unique_ptr<cli::Command> make_export_command();
std::unique_ptr<cli::Command> make_check_command();

}  // namespace edgekit::certtool
