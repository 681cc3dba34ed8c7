#include "certtool/key.hpp"

#include <climits>

#include <openssl/pem.h>

#include "certtool/errors.hpp"
#include "common/crypto.hpp"
#include "common/store.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

// OpenSSL's passphrase callback: the password comes in through userdata.
int password_callback(char* buffer, int size, int /*rwflag*/, void* userdata) {
  const auto* password = static_cast<const std::string*>(userdata);
  if (password == nullptr || password->size() > static_cast<std::size_t>(size)) {
    return -1;
  }
  password->copy(buffer, password->size());
  return static_cast<int>(password->size());
}

}  // namespace

Result<ossl::EvpPkeyPtr> generate_key(KeyType type) {
  EVP_PKEY* key = nullptr;
  switch (type) {
    case KeyType::kRsa2048:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
      break;
    case KeyType::kRsa3072:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(3072));
      break;
    case KeyType::kRsa4096:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(4096));
      break;
    case KeyType::kEcP256: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case KeyType::kEcP384: key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
  }
  if (key == nullptr) {
    return make_error(CerttoolErrc::kCrypto, "key generation", ossl::last_error_string());
  }
  return ossl::EvpPkeyPtr(key);
}

Result<std::string> key_to_pem(EVP_PKEY* key, std::optional<std::string_view> password) {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  std::string pass(password.value_or(std::string_view{}));
  const int written = password ? PEM_write_bio_PKCS8PrivateKey(bio.get(), key, EVP_aes_256_cbc(),
                                                               nullptr, 0, password_callback, &pass)
                               : PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                                               nullptr, nullptr);
  OPENSSL_cleanse(pass.data(), pass.size());
  if (!bio || written != 1) {
    return make_error(CerttoolErrc::kCrypto, "private key", ossl::last_error_string());
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  std::string pem(data, static_cast<std::size_t>(size));
  return pem;
}

bool key_pem_is_encrypted(std::string_view pem) noexcept {
  return pem.find("ENCRYPTED") != std::string_view::npos;
}

Result<ossl::EvpPkeyPtr> key_from_pem(std::string_view pem,
                                      std::optional<std::string_view> password) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
    return make_error(CerttoolErrc::kBadKey, "private key", "too large");
  }
  const ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::string pass(password.value_or(std::string_view{}));
  EVP_PKEY* key =
      PEM_read_bio_PrivateKey(bio.get(), nullptr, password_callback, password ? &pass : nullptr);
  OPENSSL_cleanse(pass.data(), pass.size());
  if (key == nullptr) {
    ERR_clear_error();
    if (key_pem_is_encrypted(pem)) {
      return make_error(CerttoolErrc::kBadPassword, "private key",
                        password ? "the key password does not decrypt it"
                                 : "the key is encrypted: give --key-password-file");
    }
    return make_error(CerttoolErrc::kBadKey, "private key", "not a readable private key");
  }
  return ossl::EvpPkeyPtr(key);
}

bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) noexcept {
  const bool same = a != nullptr && b != nullptr && EVP_PKEY_eq(a, b) == 1;
  ERR_clear_error();
  return same;
}

std::string spki_sha256_of_key(EVP_PKEY* key) {
  const int size = i2d_PUBKEY(key, nullptr);
  if (size <= 0) {
    ERR_clear_error();
    return {};
  }
  std::string der(static_cast<std::size_t>(size), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(der.data());
  i2d_PUBKEY(key, &cursor);
  return crypto::digest_hex(crypto::Digest::kSha256, der);
}

Result<std::string> read_password_file(const std::string& path) {
  auto text = read_file(path, 4096);
  if (!text) {
    Error error = text.error();
    error.what = "password file " + path;
    return error;
  }
  std::string password = std::move(text).value();
  if (const auto end = password.find_first_of("\r\n"); end != std::string::npos) {
    password.resize(end);
  }
  if (password.empty()) {
    return make_error(CerttoolErrc::kUsage, "password file " + path, "is empty");
  }
  return password;
}

}  // namespace edgekit::certtool
