#include "certtool/health.hpp"

#include <algorithm>

#include "certtool/csr.hpp"
#include "certtool/import.hpp"
#include "certtool/key.hpp"
#include "common/identity.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

void add(HealthReport& report, std::string id, std::string status, std::string message) {
  report.checks.push_back({std::move(id), std::move(status), std::move(message)});
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const auto& item : items) {
    text += (text.empty() ? "" : separator) + item;
  }
  return text;
}

}  // namespace

nlohmann::json to_json(const HealthReport& report) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : report.checks) {
    checks.push_back({{"id", c.id}, {"status", c.status}, {"message", c.message}});
  }
  return {{"ok", report.ok},
          {"thumbprint", report.thumbprint},
          {"not_after", report.not_after},
          {"days_left", report.days_left},
          {"checks", checks}};
}

HealthReport check_health(const Store& store, const Config* config, int warn_days,
                          const std::optional<std::string>& ca_file) {
  HealthReport report;
  const auto finish = [&]() {
    report.ok = std::none_of(report.checks.begin(), report.checks.end(),
                             [](const HealthCheck& c) { return c.status == "fail"; });
    return report;
  };
  auto identity = read_identity(store);
  if (!identity) {
    add(report, "assigned", "fail", identity.error().message());
    return finish();
  }
  const Identity& id = identity.value();
  report.thumbprint = id.thumbprint;
  add(report, "assigned", "pass", "identity.json names " + id.thumbprint);

  auto cert_path = store.resolve(id.certificate);
  auto certs = cert_path ? x509::load_certificates(cert_path.value())
                         : Result<std::vector<ossl::X509Ptr>>(cert_path.error());
  if (!certs) {
    add(report, "certificate", "fail", certs.error().message());
    return finish();
  }
  X509* cert = certs.value().front().get();
  const auto info = x509::inspect(cert);
  report.not_after = info.not_after_text;
  add(report, "certificate", info.sha256 == id.thumbprint ? "pass" : "fail",
      info.sha256 == id.thumbprint ? "the certificate file is the one assigned"
                                   : "the certificate file changed since assignment (its "
                                     "thumbprint is " +
                                         info.sha256 + ")");

  auto key_path = store.resolve(id.key);
  auto key_pem = key_path ? read_file(key_path.value(), kMaxKeyFileBytes)
                          : Result<std::string>(key_path.error());
  if (!key_pem) {
    add(report, "key", "fail", "private key: " + key_pem.error().message());
  } else if (key_pem_is_encrypted(key_pem.value())) {
    add(report, "key", "fail",
        "the key is encrypted: edgeproxy cannot load it unattended (re-run `certtool assign "
        "--key-password-file`)");
  } else {
    auto key = key_from_pem(key_pem.value(), std::nullopt);
    const bool match = key && same_public_key(key.value().get(), X509_get0_pubkey(cert));
    add(report, "key", match ? "pass" : "fail",
        match ? "the key matches the certificate"
              : "the key in the store is unreadable or does not match the certificate");
  }

  const auto now = std::chrono::system_clock::now();
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(info.not_after - now);
  report.days_left = static_cast<long>(left.count() / 86400);
  if (info.not_after <= now) {
    add(report, "validity", "fail", "expired on " + info.not_after_text + ": renew it");
  } else if (info.not_before > now) {
    add(report, "validity", "fail", "not valid before " + info.not_before_text);
  } else if (left < std::chrono::hours(24L * warn_days)) {
    add(report, "validity", "fail",
        "expires in " + std::to_string(report.days_left) + " day(s), on " + info.not_after_text +
            " (within " + std::to_string(warn_days) + " days): renew it");
  } else {
    add(report, "validity", "pass",
        "valid until " + info.not_after_text + " (" + std::to_string(report.days_left) + " days)");
  }

  if (config != nullptr) {
    auto plan = plan_request(*config, true);
    std::vector<std::string> missing;
    for (const auto& name : plan ? plan.value().dns_names : std::vector<std::string>{}) {
      const bool covered = name.starts_with("*.")
                               ? std::find(info.dns_names.begin(), info.dns_names.end(), name) !=
                                     info.dns_names.end()
                               : x509::matches_domain(cert, name);
      if (!covered) {
        missing.push_back(name);
      }
    }
    add(report, "names", missing.empty() ? "pass" : "fail",
        missing.empty() ? "covers every name of the configuration"
                        : "no longer matches the configuration: missing " + join(missing, ", "));
  } else {
    add(report, "names", "skip", "no configuration to compare names with");
  }

  // The chain, to the roots given now or the ones it was imported against.
  std::string anchors_file = ca_file.value_or("");
  if (!ca_file) {
    const auto& imported =
        id.validated.contains("import") ? id.validated["import"] : nlohmann::json::object();
    if (imported.is_object() && imported.contains("anchors") && imported["anchors"].is_string() &&
        imported["anchors"].get<std::string>() != "system roots") {
      anchors_file = imported["anchors"].get<std::string>();
    }
  }
  std::vector<ossl::X509Ptr> chain;
  if (!id.chain.empty()) {
    if (auto chain_path = store.resolve(id.chain); chain_path) {
      if (auto loaded = x509::load_certificates(chain_path.value())) {
        chain = std::move(loaded).value();
      }
    }
  }
  auto anchors = x509::TrustAnchors::from_file_or_system(anchors_file);
  if (!anchors) {
    add(report, "chain", "fail", anchors.error().message());
  } else {
    const auto verdict = x509::verify_chain(cert, x509::raw_pointers(chain), anchors.value(),
                                            std::nullopt, x509::Purpose::kServer);
    add(report, "chain", verdict.trusted ? "pass" : "fail",
        verdict.trusted
            ? "verifies to " + (anchors_file.empty() ? "the system roots" : anchors_file)
            : join(verdict.reasons, "; "));
  }

  if (!info.server_auth) {
    add(report, "eku", "fail", "no serverAuth EKU: partners will refuse the edge");
  } else if (!info.client_auth) {
    add(report, "eku", "warn", client_auth_warning());
  } else {
    add(report, "eku", "pass", "serverAuth and clientAuth");
  }
  return finish();
}

}  // namespace edgekit::certtool
