// certtool check: is the assigned certificate healthy? Exit 1 when it needs action.
#include <ostream>

#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/csr.hpp"
#include "certtool/health.hpp"

namespace edgekit::certtool {
namespace {

class CheckCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "check"; }
  [[nodiscard]] std::string summary() const override {
    return "expiry and health of the assigned certificate (exit 1 when it needs action)";
  }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("warn-days", cli::po::value<int>()->value_name("N"),
                          "needs action when it expires within N days (default 30)")(
        "ca-file", cli::po::value<std::string>()->value_name("FILE"),
        "verify the chain to these roots (default: as recorded at import)");
  }

  int run(cli::Context& context) override {
    int warn_days = 30;
    auto read_warn_days = [&](std::optional<Config>& /*config*/) -> Result<void> {
      warn_days = context.get<int>("warn-days").value_or(30);
      if (warn_days < 0) {
        throw cli::UsageError("--warn-days must not be negative");
      }
      return ok();
    };
    auto deployment = open_deployment(context, {.before_store = read_warn_days});
    HealthReport report;
    if (deployment) {
      report = check_health(deployment.value().store, deployment.value().config_or_null(),
                            warn_days, context.get<std::string>("ca-file"));
    } else if (store_unavailable(deployment.error())) {
      // No store at all: nothing is assigned, which needs action (exit 1), like a store
      // without identity.json.
      report.checks.push_back({"assigned", "fail", deployment.error().message()});
    } else {
      return context.fail(deployment.error());
    }
    if (context.json) {
      print_json(context, to_json(report));
    } else {
      auto& out = context.out();
      for (const auto& c : report.checks) {
        out << (c.status == "pass"   ? "PASS"
                : c.status == "warn" ? "WARN"
                : c.status == "skip" ? "SKIP"
                                     : "FAIL")
            << "  " << c.id << ": " << c.message << "\n";
      }
      out << (report.ok ? "OK: " : "NEEDS ACTION: ")
          << (report.thumbprint.empty()
                  ? std::string("no certificate assigned")
                  : report.thumbprint + " (" + std::to_string(report.days_left) + " days left)")
          << "\n";
    }
    return report.ok ? 0 : 1;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_check_command() {
  return std::make_unique<CheckCommand>();
}

}  // namespace edgekit::certtool
