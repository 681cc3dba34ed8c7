#include "dnstool/edge_certificate.hpp"

#include <filesystem>

#include "common/identity.hpp"
#include "common/store.hpp"
#include "common/x509.hpp"

namespace edgekit::dnstool {

Result<std::optional<EdgeCertificate>> load_edge_certificate(const std::string& cert_file,
                                                             const std::string& store_dir,
                                                             std::string& why) {
  EdgeCertificate certificate;
  if (!cert_file.empty()) {
    auto certs = x509::load_certificates(cert_file);
    if (!certs) {
      return certs.error();
    }
    certificate.source = cert_file;
    certificate.chain = std::move(certs).value();
    return std::optional<EdgeCertificate>(std::move(certificate));
  }
  if (store_dir.empty() || !std::filesystem::exists(store_dir)) {
    why = "no certificate (give --cert FILE, or assign one with `certtool assign`)";
    return std::optional<EdgeCertificate>();
  }
  auto store = Store::open(store_dir, false);
  if (!store) {
    why = "no certificate: " + store.error().message();
    return std::optional<EdgeCertificate>();
  }
  auto identity = read_identity(store.value());
  if (!identity) {
    why = "no certificate: " + identity.error().message();
    return std::optional<EdgeCertificate>();
  }
  auto path = store.value().resolve(identity.value().certificate);
  if (!path) {
    return path.error();
  }
  auto certs = x509::load_certificates(path.value());
  if (!certs) {
    return certs.error();
  }
  certificate.chain = std::move(certs).value();
  if (!identity.value().chain.empty()) {
    if (auto chain_path = store.value().resolve(identity.value().chain); chain_path) {
      if (auto chain = x509::load_certificates(chain_path.value()); chain) {
        for (auto& cert : chain.value()) {
          certificate.chain.push_back(std::move(cert));
        }
      }
    }
  }
  certificate.source = "store " + store_dir + " (identity.json)";
  return std::optional<EdgeCertificate>(std::move(certificate));
}

}  // namespace edgekit::dnstool
