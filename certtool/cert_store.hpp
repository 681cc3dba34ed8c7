#pragma once
// certtool's records in the state store (layout in common/store.hpp):
//   requests/<id>/key.pem (0600), csr.pem, request.json
//   certificates/<sha256>/cert.pem, chain.pem, key.pem (0600), meta.json
// A directory counts only once its JSON record exists: the record is written last, so an
// interrupted write leaves no half entry that list/assign would pick up.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/store.hpp"

namespace edgekit::certtool {

struct RequestRecord {
  std::string id;
  std::string created;  // RFC 3339
  std::string fqdn;
  std::string subject;
  std::vector<std::string> dns_names;
  std::vector<std::string> other_names;
  std::string key;  // "RSA 2048"
  std::string friendly_name;
  bool exportable = true;
  bool key_encrypted = false;
  std::string spki_sha256;
  std::string status = "pending";  // pending | issued
  std::string thumbprint;          // once issued
};

struct CertificateRecord {
  std::string thumbprint;
  std::string request_id;  // "" when the key came with the certificate (PKCS#12)
  std::string imported;    // RFC 3339
  std::string subject;
  std::string issuer;
  std::vector<std::string> dns_names;
  std::string not_before;
  std::string not_after;
  std::string friendly_name;
  bool exportable = true;
  bool key_encrypted = false;
  bool client_auth = false;
  std::vector<std::string> warnings;
  nlohmann::json verification = nlohmann::json::object();
};

nlohmann::json to_json(const RequestRecord& record);
nlohmann::json to_json(const CertificateRecord& record);
RequestRecord request_from_json(const nlohmann::json& json);
CertificateRecord certificate_from_json(const nlohmann::json& json);

std::string request_dir(std::string_view id);
std::string certificate_dir(std::string_view thumbprint);

Result<std::vector<RequestRecord>> list_requests(const Store& store);
Result<std::vector<CertificateRecord>> list_certificates(const Store& store);
Result<RequestRecord> read_request(const Store& store, std::string_view id);
Result<CertificateRecord> read_certificate(const Store& store, std::string_view thumbprint);

// Full thumbprint from user input: lower/upper case, colons allowed, a unique prefix of at
// least 8 hex digits.
Result<std::string> resolve_thumbprint(const Store& store, std::string_view text);

Result<void> save_request(Store& store, const RequestRecord& record, std::string_view key_pem,
                          std::string_view csr_pem);
Result<void> update_request(Store& store, const RequestRecord& record);
Result<void> save_certificate(Store& store, const CertificateRecord& record,
                              std::string_view cert_pem, std::string_view chain_pem,
                              std::string_view key_pem);

std::string now_rfc3339();

}  // namespace edgekit::certtool
