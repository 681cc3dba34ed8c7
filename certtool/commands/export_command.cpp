// certtool export THUMBPRINT --pkcs12 FILE: key + certificate + chain as a PKCS#12 a Windows
// server imports (AES-256 by default; --legacy: 3DES + SHA-1 MAC for old importers).
#include <ostream>

#include "certtool/cert_store.hpp"
#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/errors.hpp"
#include "certtool/pkcs12_export.hpp"

namespace edgekit::certtool {
namespace {

class ExportCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "export"; }
  [[nodiscard]] std::string summary() const override {
    return "export a certificate with its key and chain as PKCS#12";
  }
  [[nodiscard]] std::string arguments() const override { return "THUMBPRINT"; }
  [[nodiscard]] int max_positional() const override { return 1; }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("pkcs12", cli::po::value<std::string>()->value_name("FILE"),
                          "write the PKCS#12 here (mode 0600)")(
        "password-file", cli::po::value<std::string>()->value_name("FILE"),
        "the PKCS#12 password (required)")(
        "key-password-file", cli::po::value<std::string>()->value_name("FILE"),
        "password of the key in the store, when it is encrypted")(
        "legacy", "3DES and a SHA-1 MAC, for Windows Server 2016 and older importers");
  }

  int run(cli::Context& context) override {
    if (context.positional.empty()) {
      throw cli::UsageError("export needs the THUMBPRINT of a stored certificate");
    }
    const auto out_file = context.get<std::string>("pkcs12");
    if (!out_file) {
      throw cli::UsageError("export needs --pkcs12 FILE");
    }
    if (!context.get<std::string>("password-file")) {
      throw cli::UsageError(
          "export needs --password-file: a PKCS#12 without a password "
          "would leave the key unprotected");
    }
    auto password = password_from_flag(context, "password-file");
    if (!password) {
      return context.fail(password.error());
    }
    auto key_password = password_from_flag(context, "key-password-file");
    if (!key_password) {
      return context.fail(key_password.error());
    }
    auto deployment = open_deployment(context, {});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    auto& store = deployment.value().store;
    auto thumb = resolve_thumbprint(store, context.positional.front());
    if (!thumb) {
      return context.fail(thumb.error());
    }
    ExportOptions options;
    options.password = *password.value();
    options.key_password = key_password.value();
    options.legacy = context.flag("legacy");
    auto written = export_pkcs12(store, thumb.value(), *out_file, options);
    if (!written) {
      return context.fail(written.error());
    }
    if (context.json) {
      print_json(context, {{"ok", true},
                           {"thumbprint", thumb.value()},
                           {"file", *out_file},
                           {"encryption", options.legacy ? "3DES/SHA-1" : "AES-256/SHA-256"}});
      return 0;
    }
    context.out() << "Exported " << thumb.value() << " to " << *out_file << " ("
                  << (options.legacy ? "3DES, SHA-1 MAC" : "AES-256-CBC, SHA-256 MAC") << ")\n";
    return 0;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_export_command() {
  return std::make_unique<ExportCommand>();
}

}  // namespace edgekit::certtool
