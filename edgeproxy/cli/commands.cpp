#include "edgeproxy/cli/commands.hpp"

#include "edgeproxy/cli/partner_command.hpp"
#include "edgeproxy/cli/run_command.hpp"

namespace edgekit::edgeproxy {

cli::ToolInfo tool_info() {
  return {"edgeproxy", "the XMPP server-to-server federation edge", "run"};
}

void register_commands(cli::Registry& registry) {
  registry.add(make_run_command());
  registry.add(make_partner_command());
}

}  // namespace edgekit::edgeproxy
