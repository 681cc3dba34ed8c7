#include "certtool/pkcs12_export.hpp"

#include <openssl/pkcs12.h>

#include "certtool/cert_store.hpp"
#include "certtool/errors.hpp"
#include "certtool/key.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {

Result<void> export_pkcs12(const Store& store, const std::string& thumbprint,
                           const std::string& out_file, const ExportOptions& options) {
  auto record = read_certificate(store, thumbprint);
  if (!record) {
    return record.error();
  }
  if (!record.value().exportable) {
    return make_error(CerttoolErrc::kNotExportable, "certificate " + thumbprint,
                      "its key was requested as not exportable (certificate.exportable = false)");
  }
  const std::string dir = certificate_dir(thumbprint);
  auto certs = x509::load_certificates(store.root() / dir / "cert.pem");
  if (!certs) {
    return certs.error();
  }
  std::vector<ossl::X509Ptr> chain;
  if (store.exists(dir + "/chain.pem")) {
    auto chain_bytes = store.read(dir + "/chain.pem");
    if (chain_bytes && !chain_bytes.value().empty()) {
      auto parsed = x509::parse_certificates(chain_bytes.value());
      if (!parsed) {
        return parsed.error();
      }
      chain = std::move(parsed).value();
    }
  }
  auto key_pem = store.read(dir + "/key.pem", kMaxKeyFileBytes);
  if (!key_pem) {
    return key_pem.error();
  }
  auto key = key_from_pem(key_pem.value(), options.key_password);
  if (!key) {
    return key.error();
  }
  const ossl::X509StackPtr ca(sk_X509_new_null());
  for (const auto& cert : chain) {
    X509_up_ref(cert.get());
    sk_X509_push(ca.get(), cert.get());
  }
  std::string name = record.value().friendly_name;
  // Defaults (nid 0): AES-256-CBC with PBKDF2 and a SHA-256 MAC in OpenSSL 3. Legacy: the
  // 3DES + SHA-1 combination every Windows version imports.
  const int key_nid = options.legacy ? NID_pbe_WithSHA1And3_Key_TripleDES_CBC : 0;
  const int cert_nid = options.legacy ? NID_pbe_WithSHA1And3_Key_TripleDES_CBC : 0;
  const ossl::Pkcs12Ptr p12(PKCS12_create(
      options.password.c_str(), name.empty() ? nullptr : name.c_str(), key.value().get(),
      certs.value().front().get(), ca.get(), key_nid, cert_nid, 0, 0, 0));
  if (!p12) {
    return make_error(CerttoolErrc::kCrypto, "PKCS#12", ossl::last_error_string());
  }
  if (options.legacy &&
      PKCS12_set_mac(p12.get(), options.password.c_str(), -1, nullptr, 0, 2048, EVP_sha1()) != 1) {
    return make_error(CerttoolErrc::kCrypto, "PKCS#12 MAC", ossl::last_error_string());
  }
  const int size = i2d_PKCS12(p12.get(), nullptr);
  if (size <= 0) {
    return make_error(CerttoolErrc::kCrypto, "PKCS#12", ossl::last_error_string());
  }
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(der.data());
  i2d_PKCS12(p12.get(), &cursor);
  return write_file_atomic(
      out_file, der, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace edgekit::certtool
