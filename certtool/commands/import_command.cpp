// certtool import FILE: accept what the CA returned, after checking all of it.
#include <ostream>

#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/import.hpp"

namespace edgekit::certtool {
namespace {

class ImportCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "import"; }
  [[nodiscard]] std::string summary() const override {
    return "verify and store the certificate a CA issued (PEM, DER, PKCS#7, PKCS#12)";
  }
  [[nodiscard]] std::string arguments() const override { return "FILE"; }
  [[nodiscard]] int max_positional() const override { return 1; }
  void add_options(cli::po::options_description& options) override {
    options.add_options()(
        "chain", cli::po::value<std::vector<std::string>>()->value_name("FILE")->composing(),
        "intermediate certificates (repeatable)")("ca-file",
                                                  cli::po::value<std::string>()->value_name("FILE"),
                                                  "trust these roots instead of the system roots")(
        "password-file", cli::po::value<std::string>()->value_name("FILE"),
        "password of a PKCS#12 file (or of a key in a PEM bundle)")(
        "key-password-file", cli::po::value<std::string>()->value_name("FILE"),
        "encrypt a key that came with the certificate in the store")(
        "fetch-intermediates", "fetch missing intermediates from the AIA caIssuers URL")(
        "warn-days", cli::po::value<int>()->value_name("N"),
        "warn when the certificate expires within N days (default 30)");
  }

  int run(cli::Context& context) override {
    if (context.positional.empty()) {
      throw cli::UsageError("import needs the FILE the CA returned");
    }
    ImportOptions options;
    options.chain_files =
        context.get<std::vector<std::string>>("chain").value_or(std::vector<std::string>{});
    options.ca_file = context.get<std::string>("ca-file").value_or("");
    options.fetch_intermediates = context.flag("fetch-intermediates");
    options.warn_days = context.get<int>("warn-days").value_or(30);
    // The password files are read before the store is made, as a wrong one makes nothing.
    auto read_passwords = [&](std::optional<Config>& /*config*/) -> Result<void> {
      auto password = password_from_flag(context, "password-file");
      if (!password) {
        return password.error();
      }
      options.password = password.value();
      auto key_password = password_from_flag(context, "key-password-file");
      if (!key_password) {
        return key_password.error();
      }
      options.key_password = key_password.value();
      return ok();
    };
    auto deployment =
        open_deployment(context, {.create_store = true, .before_store = read_passwords});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    options.config = deployment.value().config_or_null();
    auto report = import_certificate(deployment.value().store, context.positional.front(), options);
    if (!report) {
      return context.fail(report.error());
    }
    const ImportReport& r = report.value();
    if (context.json) {
      print_json(context, to_json(r));
      return r.ok ? 0 : 1;
    }
    for (const auto& note : r.notes) {
      context.err() << "certtool: " << note << "\n";
    }
    for (const auto& warning : r.warnings) {
      context.warn(warning);
    }
    if (!r.ok) {
      context.err() << "certtool: error: " << context.positional.front()
                    << ": not imported, nothing was stored:\n";
      for (const auto& problem : r.problems) {
        context.err() << "certtool: error:   " << problem << "\n";
      }
      return 1;
    }
    auto& out = context.out();
    out << "Imported " << r.leaf.subject << "\n";
    out << "  Names:      ";
    for (std::size_t i = 0; i < r.leaf.dns_names.size(); ++i) {
      out << (i == 0 ? "" : ", ") << r.leaf.dns_names[i];
    }
    out << "\n  Valid:      " << r.leaf.not_before_text << " to " << r.leaf.not_after_text << "\n";
    out << "  Chain:      ";
    for (std::size_t i = 0; i < r.chain.size(); ++i) {
      out << (i == 0 ? "" : " <- ") << r.chain[i];
    }
    out << "\n  Request:    " << (r.request_id.empty() ? "(key came with it)" : r.request_id)
        << "\n";
    out << "  Thumbprint: " << r.thumbprint << "\n";
    out << "Next: certtool assign " << r.thumbprint << "\n";
    return 0;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_import_command() {
  return std::make_unique<ImportCommand>();
}

}  // namespace edgekit::certtool
