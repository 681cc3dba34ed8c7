// certtool request: a new key in the store and the CSR a CA needs (Lync's certificate
// wizard, from "friendly name" to the "request summary" page).
#include <ostream>

#include "certtool/cert_store.hpp"
#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/csr.hpp"
#include "certtool/errors.hpp"
#include "certtool/key.hpp"
#include "certtool/new_request.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

class RequestCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "request"; }
  [[nodiscard]] std::string summary() const override {
    return "create a key in the store and a certificate request (CSR) for the edge";
  }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("out,o", cli::po::value<std::string>()->value_name("FILE"),
                          "write the CSR (PEM) to FILE")(
        "key", cli::po::value<std::string>()->value_name("TYPE"),
        "rsa:2048 | rsa:3072 | rsa:4096 | ec:P-256 | ec:P-384 (overrides certificate.key)")(
        "friendly-name", cli::po::value<std::string>()->value_name("TEXT"),
        "overrides certificate.friendly_name")(
        "key-password-file", cli::po::value<std::string>()->value_name("FILE"),
        "encrypt the key in the store (AES-256) with the password in FILE")(
        "allow-wildcard", "allow wildcard names (the edge certificate should name the edge)");
  }

  int run(cli::Context& context) override {
    std::optional<std::string> password;
    std::optional<RequestPlan> plan;
    // The flags refine the configuration, and a refused plan must leave the store untouched.
    auto refine_and_plan = [&](std::optional<Config>& config) -> Result<void> {
      Config& cfg = *config;  // set: DeploymentNeeds::config
      if (const auto key = context.get<std::string>("key")) {
        const auto parsed = parse_key_type(*key);
        if (!parsed) {
          throw cli::UsageError("--key: '" + *key +
                                "' is not one of rsa:2048, rsa:3072, rsa:4096, ec:P-256, ec:P-384");
        }
        cfg.certificate.key = *parsed;
      }
      if (const auto friendly = context.get<std::string>("friendly-name")) {
        cfg.certificate.friendly_name = *friendly;
      }
      auto from_file = password_from_flag(context, "key-password-file");
      if (!from_file) {
        return from_file.error();
      }
      password = std::move(from_file).value();
      auto planned = plan_request(cfg, context.flag("allow-wildcard"));
      if (!planned) {
        return planned.error();
      }
      for (const auto& warning : planned.value().warnings) {
        context.warn(warning);
      }
      plan = std::move(planned).value();
      return ok();
    };
    auto deployment = open_deployment(
        context, {.config = true, .create_store = true, .before_store = refine_and_plan});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    auto& store = deployment.value().store;
    const Config& cfg = *deployment.value().config;
    auto key = generate_key(cfg.certificate.key);
    if (!key) {
      return context.fail(key.error());
    }
    auto created = create_request(store, cfg, *plan, key.value().get(), password);
    if (!created) {
      return context.fail(created.error());
    }
    const RequestRecord& record = created.value().record;
    const std::string& csr_pem = created.value().csr_pem;
    const auto out_file = context.get<std::string>("out");
    if (out_file) {
      if (auto written = write_file_atomic(
              out_file.value(), csr_pem,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                  std::filesystem::perms::group_read | std::filesystem::perms::others_read);
          !written) {
        return context.fail(written.error());
      }
    }
    const std::string csr_path = (store.root() / request_dir(record.id) / "csr.pem").string();
    if (context.json) {
      auto json = to_json(record);
      json["csr_file"] = out_file.value_or(csr_path);
      json["store"] = store.root().string();
      print_json(context, json);
      return 0;
    }
    auto& out = context.out();
    out << "Request summary (what the CA will see)\n"
        << "  Friendly name:  " << record.friendly_name << "\n"
        << "  Subject:        " << record.subject << "\n"
        << "  Names (SANs):\n";
    for (const auto& dns : record.dns_names) {
      out << "    DNS:" << dns << "\n";
    }
    for (const auto& other : record.other_names) {
      out << "    " << other << "\n";
    }
    out << "  Key:            " << record.key << (record.key_encrypted ? " (encrypted)" : "")
        << ", " << (record.exportable ? "exportable" : "not exportable") << "\n"
        << "  Request id:     " << record.id << "\n"
        << "  CSR:            " << out_file.value_or(csr_path) << "\n"
        << "Send the CSR to your CA, then run `certtool import FILE` with what it returns.\n";
    return 0;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_request_command() {
  return std::make_unique<RequestCommand>();
}

}  // namespace edgekit::certtool
