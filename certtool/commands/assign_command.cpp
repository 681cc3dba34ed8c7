// certtool assign THUMBPRINT: make a stored certificate the edge's identity (identity.json),
// keeping the previous assignment for --rollback, and ask a running edgeproxy to reload.
#include <ostream>

#include "certtool/cert_store.hpp"
#include "certtool/commands/command_support.hpp"
#include "certtool/commands/commands.hpp"
#include "certtool/commands/deployment.hpp"
#include "certtool/csr.hpp"
#include "certtool/errors.hpp"
#include "certtool/import.hpp"
#include "certtool/key.hpp"
#include "certtool/reload.hpp"
#include "common/identity.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

struct Assessment {
  std::vector<std::string> problems;
  std::vector<std::string> warnings;
  nlohmann::json checks = nlohmann::json::array();
};

void note_check(Assessment& a, const std::string& id, bool passed, const std::string& message) {
  a.checks.push_back({{"id", id}, {"status", passed ? "pass" : "fail"}, {"message", message}});
  if (!passed) {
    a.problems.push_back(message);
  }
}

class AssignCommand final : public cli::Command {
 public:
  [[nodiscard]] std::string name() const override { return "assign"; }
  [[nodiscard]] std::string summary() const override {
    return "make a stored certificate the edge's certificate (role edge-external)";
  }
  [[nodiscard]] std::string arguments() const override { return "THUMBPRINT | --rollback"; }
  [[nodiscard]] int max_positional() const override { return 1; }
  void add_options(cli::po::options_description& options) override {
    options.add_options()("rollback", "restore the assignment before the current one")(
        "role", cli::po::value<std::string>()->value_name("ROLE"),
        "edge-external (the only role for now)")(
        "key-password-file", cli::po::value<std::string>()->value_name("FILE"),
        "password of an encrypted key, to check that it matches")(
        "no-reload", "do not signal a running edgeproxy");
  }

  int run(cli::Context& context) override {
    if (const auto role = context.get<std::string>("role"); role && *role != "edge-external") {
      throw cli::UsageError("--role: only 'edge-external' exists");
    }
    if (context.flag("rollback")) {
      if (!context.positional.empty()) {
        throw cli::UsageError("--rollback takes no THUMBPRINT");
      }
      return rollback(context);
    }
    if (context.positional.empty()) {
      throw cli::UsageError("assign needs the THUMBPRINT of an imported certificate");
    }
    auto deployment = open_deployment(context, {.config = true});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    auto& store = deployment.value().store;
    Config& config = *deployment.value().config;  // set: DeploymentNeeds::config
    auto thumb = resolve_thumbprint(store, context.positional.front());
    if (!thumb) {
      return context.fail(thumb.error());
    }
    auto record = read_certificate(store, thumb.value());
    if (!record) {
      return context.fail(record.error());
    }
    const std::string dir = certificate_dir(thumb.value());
    auto certs = x509::load_certificates(store.root() / dir / "cert.pem");
    if (!certs) {
      return context.fail(certs.error());
    }
    X509* cert = certs.value().front().get();
    const auto info = x509::inspect(cert);
    auto password = password_from_flag(context, "key-password-file");
    if (!password) {
      return context.fail(password.error());
    }

    Assessment a;
    std::string decrypted_key;  // set when an encrypted key must be stored decrypted
    // The key: present, and the one the certificate certifies.
    auto key_pem = store.read(dir + "/key.pem", kMaxKeyFileBytes);
    if (!key_pem) {
      note_check(a, "key", false, "the private key is missing from the store");
    } else if (key_pem_is_encrypted(key_pem.value()) && !password.value()) {
      // edgeproxy loads its key unattended (and reloads it on SIGHUP): it cannot ask for a
      // password, so the assigned key must be stored decrypted.
      return context.fail(
          make_error(CerttoolErrc::kUsage, "certificate " + thumb.value(),
                     "its key is encrypted and edgeproxy loads the key unattended; give "
                     "--key-password-file to store the assigned key decrypted (mode 0600)"));
    } else {
      auto key = key_from_pem(key_pem.value(), password.value());
      if (!key) {
        return context.fail(key.error());
      }
      const bool match = same_public_key(key.value().get(), X509_get0_pubkey(cert));
      note_check(a, "key", match,
                 match ? "the key matches the certificate"
                       : "the key in the store does not match the certificate");
      if (match && key_pem_is_encrypted(key_pem.value())) {
        auto plain = key_to_pem(key.value().get(), std::nullopt);
        if (!plain) {
          return context.fail(plain.error());
        }
        decrypted_key = std::move(plain).value();
      }
    }
    const auto now = std::chrono::system_clock::now();
    note_check(a, "validity", info.not_before <= now && now < info.not_after,
               now >= info.not_after   ? "expired on " + info.not_after_text
               : now < info.not_before ? "not valid before " + info.not_before_text
                                       : "valid until " + info.not_after_text);
    // The names the configuration needs now (they may have changed since the request).
    auto plan = plan_request(config, true);
    if (!plan) {
      return context.fail(plan.error());
    }
    std::string missing;
    for (const auto& name : plan.value().dns_names) {
      const bool covered = name.starts_with("*.")
                               ? std::find(info.dns_names.begin(), info.dns_names.end(), name) !=
                                     info.dns_names.end()
                               : x509::matches_domain(cert, name);
      if (!covered) {
        missing += (missing.empty() ? "" : ", ") + name;
      }
    }
    note_check(a, "names", missing.empty(),
               missing.empty()
                   ? "covers every name of the configuration"
                   : "does not cover " + missing + " (named in " + context.config_location() + ")");
    std::vector<std::string> usage_problems;
    check_usage(info, 30, usage_problems, a.warnings);
    note_check(a, "usage", usage_problems.empty(),
               usage_problems.empty() ? "serverAuth, key usage fine" : usage_problems.front());

    if (!a.problems.empty()) {
      if (context.json) {
        print_json(context, {{"ok", false},
                             {"thumbprint", thumb.value()},
                             {"checks", a.checks},
                             {"problems", a.problems}});
        return 1;
      }
      context.err() << "certtool: error: " << thumb.value() << ": not assigned:\n";
      for (const auto& problem : a.problems) {
        context.err() << "certtool: error:   " << problem << "\n";
      }
      return 1;
    }

    Identity identity;
    identity.fqdn = config.edge.fqdn;
    identity.xmpp_domains = config.edge.xmpp_domains;
    identity.certificate = dir + "/cert.pem";
    identity.chain = dir + "/chain.pem";
    identity.key = dir + "/key.pem";
    identity.thumbprint = thumb.value();
    identity.not_after = info.not_after_text;
    identity.validated = {{"at", now_rfc3339()},
                          {"by", "certtool assign"},
                          {"checks", a.checks},
                          {"import", record.value().verification},
                          {"client_auth", info.client_auth}};
    {
      auto lock = store.lock();
      if (!lock) {
        return context.fail(lock.error());
      }
      if (!decrypted_key.empty()) {
        if (auto written = store.write_secret(dir + "/key.pem", decrypted_key); !written) {
          return context.fail(written.error());
        }
        CertificateRecord updated = record.value();
        updated.key_encrypted = false;
        if (auto written = store.write(dir + "/meta.json", to_json(updated).dump(2) + "\n");
            !written) {
          return context.fail(written.error());
        }
        a.warnings.emplace_back(
            "the assigned key is now stored decrypted (mode 0600) so that "
            "edgeproxy can load it unattended");
      }
      if (auto written = write_identity(store, identity); !written) {
        return context.fail(written.error());
      }
    }
    return report(context, store, identity, a.warnings);
  }

 private:
  static int rollback(cli::Context& context) {
    auto deployment = open_deployment(context, {});
    if (!deployment) {
      return context.fail(deployment.error());
    }
    auto& store = deployment.value().store;
    auto lock = store.lock();
    if (!lock) {
      return context.fail(lock.error());
    }
    auto text = store.read(store_layout::kPreviousIdentityFile, kMaxKeyFileBytes);
    if (!text) {
      return context.fail(make_error(CerttoolErrc::kNotFound, "rollback",
                                     "there is no previous assignment to restore"));
    }
    const auto json = nlohmann::json::parse(text.value(), nullptr, false);
    auto previous = identity_from_json(json);
    if (!previous) {
      return context.fail(previous.error());
    }
    if (auto written = write_identity(store, previous.value()); !written) {
      return context.fail(written.error());
    }
    return report(context, store, previous.value(), {});
  }

  static int report(cli::Context& context, const Store& store, const Identity& identity,
                    const std::vector<std::string>& warnings) {
    const ReloadOutcome reload = context.flag("no-reload")
                                     ? ReloadOutcome{false, "reload not requested (--no-reload)"}
                                     : signal_edgeproxy(store);
    if (context.json) {
      print_json(context,
                 {{"ok", true},
                  {"thumbprint", identity.thumbprint},
                  {"role", identity.role},
                  {"identity", (store.root() / store_layout::kIdentityFile).string()},
                  {"not_after", identity.not_after},
                  {"warnings", warnings},
                  {"reload", {{"signalled", reload.signalled}, {"message", reload.message}}}});
      return 0;
    }
    for (const auto& warning : warnings) {
      context.warn(warning);
    }
    context.out() << "Assigned " << identity.thumbprint << " as " << identity.role << " for "
                  << identity.fqdn << " (valid until " << identity.not_after << ")\n"
                  << "  " << (store.root() / store_layout::kIdentityFile).string() << "\n"
                  << "  " << reload.message << "\n";
    return 0;
  }
};

}  // namespace

std::unique_ptr<cli::Command> make_assign_command() {
  return std::make_unique<AssignCommand>();
}

}  // namespace edgekit::certtool
