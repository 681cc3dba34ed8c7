#include "certtool/commands/commands.hpp"

#include "certtool/commands/acme_commands.hpp"

namespace edgekit::certtool {

cli::ToolInfo tool_info() {
  return {"certtool", "the edge certificate's life: key, CSR, ACME, import, assign, export", ""};
}

void register_commands(cli::Registry& registry) {
  registry.add(make_request_command());
  registry.add(make_show_command());
  registry.add(make_import_command());
  registry.add(make_assign_command());
  registry.add(make_list_command());
  registry.add(make_export_command());
  registry.add(make_check_command());
  registry.add(make_acme_command());
  registry.add(make_renew_command());
}

}  // namespace edgekit::certtool
