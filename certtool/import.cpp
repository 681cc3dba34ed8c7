#include "certtool/import.hpp"

#include <algorithm>
#include <filesystem>

#include "certtool/aia_fetch.hpp"
#include "certtool/cert_store.hpp"
#include "certtool/csr.hpp"
#include "certtool/errors.hpp"
#include "certtool/key.hpp"
#include "common/crypto.hpp"

namespace edgekit::certtool {
namespace {

using x509::ChainIssue;

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

struct Material {
  std::vector<ossl::X509Ptr> certs;
  ossl::EvpPkeyPtr key;  // carried by the file (PKCS#12 or PEM with a key)
  std::string friendly_name;
};

Result<Material> read_input(const std::string& file, const ImportOptions& options) {
  auto bytes = x509::read_material(file);
  if (!bytes) {
    return bytes.error();
  }
  Material material;
  if (x509::looks_like_pkcs12(bytes.value())) {
    auto p12 = x509::parse_pkcs12(bytes.value(), options.password.value_or(""));
    if (!p12) {
      Error error = p12.error();
      error.what = file;
      if (!options.password && error.code == make_error_code(x509::X509Errc::kBadPassword)) {
        error.why += " (give the PKCS#12 password with --password-file)";
      }
      return error;
    }
    material.key = std::move(p12.value().key);
    material.friendly_name = std::move(p12.value().friendly_name);
    if (p12.value().certificate) {
      material.certs.push_back(std::move(p12.value().certificate));
    }
    for (auto& cert : p12.value().chain) {
      material.certs.push_back(std::move(cert));
    }
    return material;
  }
  if (looks_like_csr(bytes.value()) &&
      bytes.value().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return make_error(x509::X509Errc::kNoCertificate, file,
                      "this is a certificate request (CSR); import the certificate the CA "
                      "issued for it");
  }
  auto certs = x509::parse_certificates(bytes.value());
  if (!certs) {
    Error error = certs.error();
    error.what = file;
    return error;
  }
  material.certs = std::move(certs).value();
  if (x509::looks_like_pem(bytes.value()) &&
      bytes.value().find("PRIVATE KEY-----") != std::string::npos) {
    auto key = key_from_pem(bytes.value(), options.password);
    if (!key) {
      Error error = key.error();
      error.what = file + ": private key";
      return error;
    }
    material.key = std::move(key).value();
  }
  return material;
}

std::string spki_hash(X509* cert) {
  return crypto::digest_hex(crypto::Digest::kSha256, x509::spki_der_of(cert));
}

}  // namespace

std::string client_auth_warning() {
  return "no clientAuth EKU: peers that check the client purpose of the certificate the edge "
         "presents on outbound S2S (ejabberd before 25.07, Cisco Expressway) will reject it; "
         "inbound S2S and Server Dialback are not affected";
}

void check_usage(const x509::CertificateInfo& info, int warn_days,
                 std::vector<std::string>& problems, std::vector<std::string>& warnings) {
  if (!info.server_auth) {
    problems.push_back(
        "wrong EKU: the certificate is not valid for TLS server authentication "
        "(serverAuth); its EKU: " +
        (info.ext_key_usage.empty() ? std::string("none") : info.ext_key_usage.front()));
  }
  if (!info.key_usage.empty()) {
    const bool rsa = info.key.starts_with("RSA");
    const bool usable = contains(info.key_usage, "digitalSignature") ||
                        (rsa && contains(info.key_usage, "keyEncipherment"));
    if (!usable) {
      problems.emplace_back(
          "key usage: neither digitalSignature nor (for RSA) "
          "keyEncipherment is allowed, so TLS cannot use the key");
    }
  }
  if (info.is_ca) {
    problems.emplace_back("the certificate is a CA certificate, not an end-entity one");
  }
  if (!info.client_auth) {
    warnings.push_back(client_auth_warning());
  }
  const auto now = std::chrono::system_clock::now();
  const auto left = std::chrono::duration_cast<std::chrono::hours>(info.not_after - now);
  if (info.not_after > now && left < std::chrono::hours(24L * warn_days)) {
    warnings.push_back("expires in " + std::to_string(left.count() / 24) + " day(s), on " +
                       info.not_after_text);
  }
}

nlohmann::json to_json(const ImportReport& report) {
  return {{"ok", report.ok},
          {"thumbprint", report.thumbprint},
          {"request_id", report.request_id},
          {"subject", report.leaf.subject},
          {"dns_names", report.leaf.dns_names},
          {"not_after", report.leaf.not_after_text},
          {"chain", report.chain},
          {"problems", report.problems},
          {"warnings", report.warnings},
          {"missing_names", report.missing_names},
          {"notes", report.notes}};
}

Result<ImportReport> import_certificate(Store& store, const std::string& file,
                                        const ImportOptions& options) {
  auto material = read_input(file, options);
  if (!material) {
    return material.error();
  }
  std::vector<ossl::X509Ptr> pool = std::move(material.value().certs);
  for (const auto& chain_file : options.chain_files) {
    auto extra = x509::load_certificates(chain_file);
    if (!extra) {
      return extra.error();
    }
    for (auto& cert : extra.value()) {
      pool.push_back(std::move(cert));
    }
  }
  if (pool.size() > x509::kMaxChainCertificates) {
    return make_error(CerttoolErrc::kRejected, file,
                      std::to_string(pool.size()) + " certificates; a chain of more than " +
                          std::to_string(x509::kMaxChainCertificates) + " is refused");
  }

  // Find the leaf: the certificate of the carried key, else the one whose public key is a
  // request's.
  auto requests = list_requests(store);
  if (!requests) {
    return requests.error();
  }
  X509* leaf = nullptr;
  const RequestRecord* request = nullptr;
  if (material.value().key) {
    for (const auto& cert : pool) {
      if (same_public_key(X509_get0_pubkey(cert.get()), material.value().key.get())) {
        leaf = cert.get();
        break;
      }
    }
    if (leaf == nullptr) {
      return make_error(CerttoolErrc::kNoMatch, file,
                        "the private key it carries belongs to none of its certificates");
    }
  } else {
    for (const auto& cert : pool) {
      const std::string hash = spki_hash(cert.get());
      for (const auto& candidate : requests.value()) {
        if (candidate.spki_sha256 == hash) {
          leaf = cert.get();
          request = &candidate;
          break;
        }
      }
      if (leaf != nullptr) {
        break;
      }
    }
    if (leaf == nullptr) {
      std::string why =
          "no certificate in it matches the key of a request in " + store.root().string();
      for (const auto& cert : pool) {
        const auto info = x509::inspect(cert.get());
        if (!info.is_ca) {
          why += "; '" + info.subject + "' has public key " + info.spki_sha256.substr(0, 16);
        }
      }
      std::string ids;
      for (const auto& candidate : requests.value()) {
        ids += (ids.empty() ? "" : ", ") + candidate.id + " (key " +
               candidate.spki_sha256.substr(0, 16) + ")";
      }
      why += ids.empty() ? "; the store has no request (run `certtool request` first)"
                         : "; requests: " + ids;
      return make_error(CerttoolErrc::kNoMatch, file, why);
    }
  }

  ImportReport report;
  report.leaf = x509::inspect(leaf);
  report.thumbprint = report.leaf.sha256;
  report.request_id = request != nullptr ? request->id : "";

  auto anchors = x509::TrustAnchors::from_file_or_system(options.ca_file);
  if (!anchors) {
    return anchors.error();
  }
  std::vector<X509*> untrusted;
  for (const auto& cert : pool) {
    if (cert.get() != leaf) {
      untrusted.push_back(cert.get());
    }
  }
  auto verdict =
      x509::verify_chain(leaf, untrusted, anchors.value(), std::nullopt, x509::Purpose::kServer);
  std::vector<ossl::X509Ptr> fetched;
  for (int round = 0; options.fetch_intermediates && round < 4 &&
                      verdict.has(ChainIssue::kUnknownIssuer) && !verdict.chain.empty();
       ++round) {
    X509* top = verdict.chain.back().get();
    const std::string url = x509::inspect(top).aia_ca_issuers;
    if (url.empty()) {
      report.notes.push_back("'" + x509::inspect(top).subject +
                             "' names no caIssuers URL to fetch its issuer from");
      break;
    }
    auto got = fetch_ca_issuers(url);
    if (!got) {
      report.problems.push_back("cannot fetch the intermediate: " + got.error().message());
      break;
    }
    for (auto& cert : got.value()) {
      report.notes.push_back("fetched '" + x509::inspect(cert.get()).subject + "' from " + url);
      untrusted.push_back(cert.get());
      fetched.push_back(std::move(cert));
    }
    verdict =
        x509::verify_chain(leaf, untrusted, anchors.value(), std::nullopt, x509::Purpose::kServer);
  }
  for (const auto& reason : verdict.reasons) {
    report.problems.push_back(reason);
  }
  for (const auto& cert : verdict.chain) {
    report.chain.push_back(x509::name_to_string(X509_get_subject_name(cert.get())));
  }

  // Names: every requested dNSName must be covered; other SAN kinds are warnings only.
  std::vector<std::string> wanted_dns;
  std::vector<std::string> wanted_other;
  if (request != nullptr) {
    wanted_dns = request->dns_names;
    wanted_other = request->other_names;
  } else if (options.config != nullptr) {
    auto plan = plan_request(*options.config, true);
    if (plan) {
      wanted_dns = plan.value().dns_names;
    }
  } else {
    report.notes.emplace_back("no request and no configuration: names not compared");
  }
  for (const auto& name : wanted_dns) {
    const bool covered = name.starts_with("*.") ? contains(report.leaf.dns_names, name)
                                                : x509::matches_domain(leaf, name);
    if (!covered) {
      report.missing_names.push_back(name);
    }
  }
  if (!report.missing_names.empty()) {
    std::string list;
    for (const auto& name : report.missing_names) {
      list += (list.empty() ? "" : ", ") + name;
    }
    report.problems.push_back("missing names: the certificate does not cover " + list +
                              " (requested, but not issued)");
  }
  std::vector<std::string> dropped;
  for (const auto& other : wanted_other) {
    if (!contains(report.leaf.other_names, other)) {
      dropped.push_back(other);
    }
  }
  if (!dropped.empty()) {
    std::string list;
    for (const auto& name : dropped) {
      list += (list.empty() ? "" : ", ") + name;
    }
    report.warnings.push_back(
        "the CA dropped these requested names (public CAs drop SRVName, "
        "xmppAddr and URI SANs silently): " +
        list);
  }
  std::vector<std::string> usage_problems;
  check_usage(report.leaf, options.warn_days, usage_problems, report.warnings);
  for (auto& problem : usage_problems) {
    if (!(problem.starts_with("wrong EKU") && verdict.has(ChainIssue::kWrongEku))) {
      report.problems.push_back(std::move(problem));
    }
  }
  if (!report.problems.empty()) {
    return report;  // nothing stored
  }

  // Store: key (copied from the request as it is, or the carried key), cert, chain, record.
  auto lock = store.lock();
  if (!lock) {
    return lock.error();
  }
  std::string key_pem;
  bool key_encrypted = false;
  if (request != nullptr) {
    auto stored = store.read(request_dir(request->id) + "/key.pem", kMaxKeyFileBytes);
    if (!stored) {
      return stored.error();
    }
    key_pem = std::move(stored).value();
    key_encrypted = request->key_encrypted;
  } else {
    auto pem = key_to_pem(material.value().key.get(), options.key_password);
    if (!pem) {
      return pem.error();
    }
    key_pem = std::move(pem).value();
    key_encrypted = options.key_password.has_value();
  }
  std::string chain_pem;
  for (std::size_t i = 1; i < verdict.chain.size(); ++i) {
    X509* cert = verdict.chain[i].get();
    if ((X509_get_extension_flags(cert) & EXFLAG_SS) == 0) {
      chain_pem += x509::to_pem(cert);  // intermediates only: peers have the root
    }
  }
  CertificateRecord record;
  record.thumbprint = report.thumbprint;
  record.request_id = report.request_id;
  record.imported = now_rfc3339();
  record.subject = report.leaf.subject;
  record.issuer = report.leaf.issuer;
  record.dns_names = report.leaf.dns_names;
  record.not_before = report.leaf.not_before_text;
  record.not_after = report.leaf.not_after_text;
  record.friendly_name =
      request != nullptr ? request->friendly_name : material.value().friendly_name;
  record.exportable = request != nullptr
                          ? request->exportable
                          : (options.config == nullptr || options.config->certificate.exportable);
  record.key_encrypted = key_encrypted;
  record.client_auth = report.leaf.client_auth;
  record.warnings = report.warnings;
  record.verification = {
      {"at", record.imported},
      {"chain", report.chain},
      {"anchors", options.ca_file.empty() ? std::string("system roots")
                                          : std::filesystem::absolute(options.ca_file).string()},
      {"names", report.leaf.dns_names}};
  if (auto saved = save_certificate(store, record, x509::to_pem(leaf), chain_pem, key_pem);
      !saved) {
    return saved.error();
  }
  if (request != nullptr) {
    RequestRecord updated = *request;
    updated.status = "issued";
    updated.thumbprint = report.thumbprint;
    if (auto written = update_request(store, updated); !written) {
      return written.error();
    }
  }
  report.ok = true;
  return report;
}

}  // namespace edgekit::certtool
