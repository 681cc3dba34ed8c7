#include "dnstool/commands.hpp"

namespace edgekit::dnstool {

cli::ToolInfo tool_info() {
  return {"dnstool", "check the edge's DNS before go-live and print the records to publish", ""};
}

void register_commands(cli::Registry& /*registry*/) {}

}  // namespace edgekit::dnstool
