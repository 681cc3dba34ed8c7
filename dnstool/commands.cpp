#include "dnstool/commands.hpp"

#include "dnstool/check_command.hpp"
#include "dnstool/records_command.hpp"

namespace edgekit::dnstool {

cli::ToolInfo tool_info() {
  return {"dnstool", "check the edge's DNS before go-live and print the records to publish", ""};
}

void register_commands(cli::Registry& registry) {
  registry.add(make_check_command());
  registry.add(make_records_command());
}

}  // namespace edgekit::dnstool
