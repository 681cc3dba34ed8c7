#include "edgeproxy/commands.hpp"

#include <memory>

namespace edgekit::edgeproxy {
namespace {

// `edgeproxy [--config FILE] [--check-config]`: the proxy itself (the default command).
class RunCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "run"; }
  [[nodiscard]] std::string summary() const override {
    return "run the federation edge in the foreground (the default command)";
  }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("check-config", "validate the deployment file and exit (0 or 2)");
  }
  int run(cli::Context& context) override {
    auto config = context.load_config();
    if (!config) {
      return context.fail(config.error());
    }
    if (context.flag("check-config")) {
      context.out() << context.config_location() << ": OK (" << config.value().partners.size()
                    << " partners)\n";
      return 0;
    }
    return context.fail(Error{make_error_code(GeneralErrc::kInternal), "edgeproxy",
                              "the proxy is not built yet in this version"});
  }
};

}  // namespace

cli::ToolInfo tool_info() {
  return {"edgeproxy", "the XMPP server-to-server federation edge", "run"};
}

void register_commands(cli::Registry& registry) {
  registry.add(std::make_unique<RunCommand>());
}

}  // namespace edgekit::edgeproxy
