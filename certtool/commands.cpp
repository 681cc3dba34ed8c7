#include "certtool/commands.hpp"

namespace edgekit::certtool {

cli::ToolInfo tool_info() {
  return {"certtool", "the edge certificate's life: key, CSR, ACME, import, assign, export", ""};
}

void register_commands(cli::Registry& /*registry*/) {}

}  // namespace edgekit::certtool
