#include "certtool/new_request.hpp"

#include "certtool/key.hpp"

namespace edgekit::certtool {

Result<NewRequest> create_request(Store& store, const Config& config, const RequestPlan& plan,
                                  EVP_PKEY* key, const std::optional<std::string>& password) {
  auto csr = build_csr(plan, key);
  if (!csr) {
    return csr.error();
  }
  auto key_pem = key_to_pem(key, password);
  if (!key_pem) {
    return key_pem.error();
  }
  NewRequest request;
  request.csr_pem = csr_to_pem(csr.value().get());
  const CsrInfo info = inspect_csr(csr.value().get());
  RequestRecord& record = request.record;
  record.spki_sha256 = info.spki_sha256;
  record.id = info.spki_sha256.substr(0, 16);
  record.created = now_rfc3339();
  record.fqdn = config.edge.fqdn;
  record.subject = info.subject;
  record.dns_names = info.dns_names;
  record.other_names = info.other_names;
  record.key = info.key;
  record.friendly_name = config.certificate.friendly_name;
  record.exportable = config.certificate.exportable;
  record.key_encrypted = password.has_value();
  auto lock = store.lock();
  if (!lock) {
    return lock.error();
  }
  if (auto saved = save_request(store, record, key_pem.value(), request.csr_pem); !saved) {
    return saved.error();
  }
  return request;
}

}  // namespace edgekit::certtool
