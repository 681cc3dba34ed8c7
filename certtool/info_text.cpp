#include "certtool/info_text.hpp"

namespace edgekit::certtool {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    text += (text.empty() ? "" : ", ") + item;
  }
  return text.empty() ? "(none)" : text;
}

}  // namespace

nlohmann::json to_json(const x509::CertificateInfo& i) {
  return {{"subject", i.subject},
          {"issuer", i.issuer},
          {"serial", i.serial},
          {"dns_names", i.dns_names},
          {"other_names", i.other_names},
          {"not_before", i.not_before_text},
          {"not_after", i.not_after_text},
          {"key", i.key},
          {"key_usage", i.key_usage},
          {"ext_key_usage", i.ext_key_usage},
          {"server_auth", i.server_auth},
          {"client_auth", i.client_auth},
          {"is_ca", i.is_ca},
          {"self_signed", i.self_signed},
          {"sha1", i.sha1},
          {"sha256", i.sha256},
          {"spki_sha256", i.spki_sha256},
          {"aia_ca_issuers", i.aia_ca_issuers}};
}

nlohmann::json to_json(const CsrInfo& i) {
  return {{"subject", i.subject}, {"dns_names", i.dns_names},     {"other_names", i.other_names},
          {"key", i.key},         {"spki_sha256", i.spki_sha256}, {"signature_ok", i.signature_ok}};
}

nlohmann::json to_json(const x509::ChainVerdict& verdict) {
  nlohmann::json chain = nlohmann::json::array();
  for (const auto& cert : verdict.chain) {
    chain.push_back(x509::name_to_string(X509_get_subject_name(cert.get())));
  }
  nlohmann::json issues = nlohmann::json::array();
  for (const auto issue : verdict.issues) {
    issues.push_back(std::string(x509::to_string(issue)));
  }
  return {{"trusted", verdict.trusted},
          {"reasons", verdict.reasons},
          {"issues", issues},
          {"chain", chain}};
}

void print_certificate(std::ostream& out, const x509::CertificateInfo& i) {
  out << "Certificate\n"
      << "  Subject:      " << i.subject << "\n"
      << "  Issuer:       " << i.issuer << "\n"
      << "  Serial:       " << i.serial << "\n"
      << "  DNS names:    " << join(i.dns_names) << "\n";
  if (!i.other_names.empty()) {
    out << "  Other names:  " << join(i.other_names) << "\n";
  }
  out << "  Valid:        " << i.not_before_text << " to " << i.not_after_text << "\n"
      << "  Key:          " << i.key << "\n"
      << "  Key usage:    " << join(i.key_usage) << "\n"
      << "  Ext. usage:   "
      << (i.has_ext_key_usage ? join(i.ext_key_usage) : std::string("(no restriction)")) << "\n"
      << "  CA:           " << (i.is_ca ? "yes" : "no") << "\n"
      << "  SHA-1:        " << x509::colon_hex(i.sha1) << "\n"
      << "  SHA-256:      " << i.sha256 << "\n";
}

void print_csr(std::ostream& out, const CsrInfo& i) {
  out << "Certificate request\n"
      << "  Subject:      " << i.subject << "\n"
      << "  DNS names:    " << join(i.dns_names) << "\n";
  if (!i.other_names.empty()) {
    out << "  Other names:  " << join(i.other_names) << "\n";
  }
  out << "  Key:          " << i.key << "\n"
      << "  Signature:    " << (i.signature_ok ? "valid" : "INVALID") << "\n"
      << "  Key SHA-256:  " << i.spki_sha256 << "\n";
}

void print_verdict(std::ostream& out, const x509::ChainVerdict& verdict) {
  out << "Chain: " << (verdict.trusted ? "trusted" : "NOT trusted") << "\n";
  for (const auto& cert : verdict.chain) {
    out << "  " << x509::name_to_string(X509_get_subject_name(cert.get())) << "\n";
  }
  for (const auto& reason : verdict.reasons) {
    out << "  problem: " << reason << "\n";
  }
}

}  // namespace edgekit::certtool
