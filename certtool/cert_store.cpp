#include "certtool/cert_store.hpp"

#include <algorithm>
#include <cctype>

#include "certtool/errors.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kMaxRecordBytes = std::size_t{1024} * 1024;

template <typename T>
T value_or(const nlohmann::json& json, const char* key, T fallback) {
  const auto it = json.find(key);
  if (it == json.end()) {
    return fallback;
  }
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    return fallback;
  }
}

Result<nlohmann::json> read_json(const Store& store, const fs::path& relative) {
  auto text = store.read(relative, kMaxRecordBytes);
  if (!text) {
    return text.error();
  }
  auto json = nlohmann::json::parse(text.value(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    return make_error(StoreErrc::kCorrupt, (store.root() / relative).string(), "not a JSON object");
  }
  return json;
}

std::vector<std::string> subdirectories(const Store& store, std::string_view parent) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(store.root() / parent, ec)) {
    if (entry.is_directory(ec)) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool is_hex(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

std::string now_rfc3339() {
  return x509::to_rfc3339(std::chrono::system_clock::now());
}

nlohmann::json to_json(const RequestRecord& r) {
  return {{"id", r.id},
          {"created", r.created},
          {"fqdn", r.fqdn},
          {"subject", r.subject},
          {"dns_names", r.dns_names},
          {"other_names", r.other_names},
          {"key", r.key},
          {"friendly_name", r.friendly_name},
          {"exportable", r.exportable},
          {"key_encrypted", r.key_encrypted},
          {"spki_sha256", r.spki_sha256},
          {"status", r.status},
          {"thumbprint", r.thumbprint}};
}

nlohmann::json to_json(const CertificateRecord& r) {
  return {{"thumbprint", r.thumbprint},
          {"request_id", r.request_id},
          {"imported", r.imported},
          {"subject", r.subject},
          {"issuer", r.issuer},
          {"dns_names", r.dns_names},
          {"not_before", r.not_before},
          {"not_after", r.not_after},
          {"friendly_name", r.friendly_name},
          {"exportable", r.exportable},
          {"key_encrypted", r.key_encrypted},
          {"client_auth", r.client_auth},
          {"warnings", r.warnings},
          {"verification", r.verification}};
}

RequestRecord request_from_json(const nlohmann::json& j) {
  RequestRecord r;
  r.id = value_or<std::string>(j, "id", "");
  r.created = value_or<std::string>(j, "created", "");
  r.fqdn = value_or<std::string>(j, "fqdn", "");
  r.subject = value_or<std::string>(j, "subject", "");
  r.dns_names = value_or<std::vector<std::string>>(j, "dns_names", {});
  r.other_names = value_or<std::vector<std::string>>(j, "other_names", {});
  r.key = value_or<std::string>(j, "key", "");
  r.friendly_name = value_or<std::string>(j, "friendly_name", "");
  r.exportable = value_or<bool>(j, "exportable", true);
  r.key_encrypted = value_or<bool>(j, "key_encrypted", false);
  r.spki_sha256 = value_or<std::string>(j, "spki_sha256", "");
  r.status = value_or<std::string>(j, "status", "pending");
  r.thumbprint = value_or<std::string>(j, "thumbprint", "");
  return r;
}

CertificateRecord certificate_from_json(const nlohmann::json& j) {
  CertificateRecord r;
  r.thumbprint = value_or<std::string>(j, "thumbprint", "");
  r.request_id = value_or<std::string>(j, "request_id", "");
  r.imported = value_or<std::string>(j, "imported", "");
  r.subject = value_or<std::string>(j, "subject", "");
  r.issuer = value_or<std::string>(j, "issuer", "");
  r.dns_names = value_or<std::vector<std::string>>(j, "dns_names", {});
  r.not_before = value_or<std::string>(j, "not_before", "");
  r.not_after = value_or<std::string>(j, "not_after", "");
  r.friendly_name = value_or<std::string>(j, "friendly_name", "");
  r.exportable = value_or<bool>(j, "exportable", true);
  r.key_encrypted = value_or<bool>(j, "key_encrypted", false);
  r.client_auth = value_or<bool>(j, "client_auth", false);
  r.warnings = value_or<std::vector<std::string>>(j, "warnings", {});
  if (const auto it = j.find("verification"); it != j.end()) {
    r.verification = *it;
  }
  return r;
}

std::string request_dir(std::string_view id) {
  return std::string(store_layout::kRequestsDir) + "/" + std::string(id);
}

std::string certificate_dir(std::string_view thumbprint) {
  return std::string(store_layout::kCertificatesDir) + "/" + std::string(thumbprint);
}

Result<RequestRecord> read_request(const Store& store, std::string_view id) {
  if (id.empty() || id.find('/') != std::string_view::npos ||
      id.find("..") != std::string_view::npos) {
    return make_error(CerttoolErrc::kNotFound, "request '" + std::string(id) + "'",
                      "not a request id");
  }
  auto json = read_json(store, request_dir(id) + "/request.json");
  if (!json) {
    if (json.error().code == make_error_code(StoreErrc::kMissing)) {
      return make_error(CerttoolErrc::kNotFound, "request '" + std::string(id) + "'",
                        "no such request in " + store.root().string());
    }
    return json.error();
  }
  return request_from_json(json.value());
}

Result<CertificateRecord> read_certificate(const Store& store, std::string_view thumbprint) {
  auto json = read_json(store, certificate_dir(thumbprint) + "/meta.json");
  if (!json) {
    if (json.error().code == make_error_code(StoreErrc::kMissing)) {
      return make_error(CerttoolErrc::kNotFound, "certificate " + std::string(thumbprint),
                        "not in the store " + store.root().string() + " (see `certtool list`)");
    }
    return json.error();
  }
  return certificate_from_json(json.value());
}

Result<std::vector<RequestRecord>> list_requests(const Store& store) {
  std::vector<RequestRecord> records;
  for (const auto& id : subdirectories(store, store_layout::kRequestsDir)) {
    if (!store.exists(request_dir(id) + "/request.json")) {
      continue;  // an interrupted request: no record, not an entry
    }
    auto record = read_request(store, id);
    if (!record) {
      return record.error();
    }
    records.push_back(std::move(record).value());
  }
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.created < b.created; });
  return records;
}

Result<std::vector<CertificateRecord>> list_certificates(const Store& store) {
  std::vector<CertificateRecord> records;
  for (const auto& thumb : subdirectories(store, store_layout::kCertificatesDir)) {
    if (!store.exists(certificate_dir(thumb) + "/meta.json")) {
      continue;
    }
    auto record = read_certificate(store, thumb);
    if (!record) {
      return record.error();
    }
    records.push_back(std::move(record).value());
  }
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.imported < b.imported; });
  return records;
}

Result<std::string> resolve_thumbprint(const Store& store, std::string_view text) {
  std::string wanted;
  for (const char c : text) {
    if (c != ':') {
      wanted.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (wanted.size() < 8 || wanted.size() > 64 || !is_hex(wanted)) {
    return make_error(CerttoolErrc::kUsage, "thumbprint '" + std::string(text) + "'",
                      "expected the SHA-256 thumbprint (64 hex digits, or a unique prefix of at "
                      "least 8)");
  }
  std::vector<std::string> matches;
  for (const auto& thumb : subdirectories(store, store_layout::kCertificatesDir)) {
    if (thumb.starts_with(wanted) && store.exists(certificate_dir(thumb) + "/meta.json")) {
      matches.push_back(thumb);
    }
  }
  if (matches.empty()) {
    return make_error(CerttoolErrc::kNotFound, "certificate " + std::string(text),
                      "not in the store " + store.root().string() + " (see `certtool list`)");
  }
  if (matches.size() > 1) {
    return make_error(
        CerttoolErrc::kAmbiguous, "thumbprint '" + std::string(text) + "'",
        "matches " + std::to_string(matches.size()) + " certificates; give more digits");
  }
  return matches.front();
}

Result<void> save_request(Store& store, const RequestRecord& record, std::string_view key_pem,
                          std::string_view csr_pem) {
  const std::string dir = request_dir(record.id);
  if (auto written = store.write_secret(dir + "/key.pem", key_pem); !written) {
    return written;
  }
  if (auto written = store.write(dir + "/csr.pem", csr_pem); !written) {
    return written;
  }
  return update_request(store, record);
}

Result<void> update_request(Store& store, const RequestRecord& record) {
  return store.write(request_dir(record.id) + "/request.json", to_json(record).dump(2) + "\n");
}

Result<void> save_certificate(Store& store, const CertificateRecord& record,
                              std::string_view cert_pem, std::string_view chain_pem,
                              std::string_view key_pem) {
  const std::string dir = certificate_dir(record.thumbprint);
  const bool existed = store.exists(dir + "/meta.json");
  const auto attempt = [&]() -> Result<void> {
    if (auto written = store.write_secret(dir + "/key.pem", key_pem); !written) {
      return written;
    }
    if (auto written = store.write(dir + "/cert.pem", cert_pem); !written) {
      return written;
    }
    if (auto written = store.write(dir + "/chain.pem", chain_pem); !written) {
      return written;
    }
    return store.write(dir + "/meta.json", to_json(record).dump(2) + "\n");
  };
  auto result = attempt();
  if (!result && !existed) {
    (void)store.remove(dir);  // no half entry
  }
  return result;
}

}  // namespace edgekit::certtool
