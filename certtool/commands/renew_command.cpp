// certtool renew: renew the assigned certificate through ACME when it expires within
// --warn-days (default 30): a new CSR for the configured names, signed with the same key
// unless --new-key, then order, validate, import, assign and reload. Does nothing (exit 0)
// when the certificate is not due, so a daily timer can run it (systemd/edgekit-renew.timer).
#include <chrono>
#include <ostream>

#include "certtool/cert_store.hpp"
#include "certtool/commands/acme_commands.hpp"
#include "certtool/commands/command_support.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/csr.hpp"
#include "certtool/errors.hpp"
#include "certtool/key.hpp"
#include "common/identity.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

constexpr int kDefaultWarnDays = 30;

class RenewCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "renew"; }
  [[nodiscard]] std::string summary() const override {
    return "renew the assigned certificate by ACME when it expires within --warn-days; assign";
  }
  void add_options(cli::po::options_description& options) override {
    acme::add_acme_options(options);
    options.add_options()("warn-days", cli::po::value<int>()->value_name("N"),
                          "renew when the certificate expires within N days (default 30)")(
        "new-key", "make a new key instead of reusing the assigned certificate's key")(
        "force", "renew even when the certificate is not due")(
        "key-password-file", cli::po::value<std::string>()->value_name("FILE"),
        "password of the assigned key when it is encrypted (also encrypts the new request)");
  }

  int run(cli::Context& context) override {
    auto deployment = open_deployment(context, {.config = true});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    auto& store = deployment.value().store;
    Config& config = *deployment.value().config;  // set: DeploymentNeeds::config
    auto identity = read_identity(store);
    if (!identity) {
      return context.fail(make_error(CerttoolErrc::kNotFound, "renew",
                                     "no certificate is assigned in " + store.root().string() +
                                         ": run `certtool acme --assign` first"));
    }
    auto cert_path = store.resolve(identity.value().certificate);
    if (!cert_path) {
      return context.fail(cert_path.error());
    }
    auto certs = x509::load_certificates(cert_path.value());
    if (!certs) {
      return context.fail(certs.error());
    }
    const auto info = x509::inspect(certs.value().front().get());
    const int warn_days = context.get<int>("warn-days").value_or(kDefaultWarnDays);
    const auto left = std::chrono::duration_cast<std::chrono::hours>(
                          info.not_after - std::chrono::system_clock::now())
                          .count() /
                      24;
    const bool due =
        info.not_after - std::chrono::system_clock::now() < std::chrono::hours(24) * warn_days;
    if (!due && !context.flag("force")) {
      context.out() << "Not due: " << identity.value().thumbprint << " expires "
                    << info.not_after_text << " (in " << left << " days; renewing within "
                    << warn_days << ")\n";
      return 0;
    }
    context.err() << "certtool: renewing " << identity.value().thumbprint << " (expires "
                  << info.not_after_text << ", in " << left << " days)\n";

    auto password = password_from_flag(context, "key-password-file");
    if (!password) {
      return context.fail(password.error());
    }
    ossl::EvpPkeyPtr key;
    if (context.flag("new-key")) {
      auto fresh = generate_key(config.certificate.key);
      if (!fresh) {
        return context.fail(fresh.error());
      }
      key = std::move(fresh).value();
    } else {
      auto key_path = store.resolve(identity.value().key);
      if (!key_path) {
        return context.fail(key_path.error());
      }
      auto pem = read_file(key_path.value(), std::size_t{1} << 20U);
      if (!pem) {
        return context.fail(pem.error());
      }
      if (key_pem_is_encrypted(pem.value()) && !password.value()) {
        return context.fail(make_error(CerttoolErrc::kBadPassword, key_path.value().string(),
                                       "the key is encrypted: pass --key-password-file"));
      }
      auto loaded = key_from_pem(pem.value(), password.value());
      if (!loaded) {
        return context.fail(loaded.error());
      }
      key = std::move(loaded).value();
    }
    auto request_id = acme::save_new_request(store, config, key.get(), password.value());
    if (!request_id) {
      return context.fail(request_id.error());
    }
    auto outcome = acme::issue_for_request(context, std::move(config), store, request_id.value());
    if (outcome.exit_code != 0 || outcome.thumbprint.empty()) {
      return outcome.exit_code;
    }
    return acme::assign_in_process(context, outcome.thumbprint);
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_renew_command() {
  return std::make_unique<RenewCommand>();
}

}  // namespace edgekit::certtool
