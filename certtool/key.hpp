#pragma once
// Private keys: generation per the [certificate] key setting, PEM in and out (optionally
// encrypted with a password, AES-256-CBC PKCS#8), and public-key comparison. Key material is
// never logged and never part of an error message.

#include <optional>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "common/error.hpp"
#include "common/openssl_ptr.hpp"

namespace edgekit::certtool {

// Key files (and small JSON records) larger than this are refused.
inline constexpr std::size_t kMaxKeyFileBytes = std::size_t{1024} * 1024;

Result<ossl::EvpPkeyPtr> generate_key(KeyType type);
// PKCS#8 PEM; encrypted with AES-256-CBC when a password is given.
Result<std::string> key_to_pem(EVP_PKEY* key, std::optional<std::string_view> password);
// Any private key PEM (PKCS#8, traditional RSA/EC, encrypted or not).
Result<ossl::EvpPkeyPtr> key_from_pem(std::string_view pem,
                                      std::optional<std::string_view> password);
bool key_pem_is_encrypted(std::string_view pem) noexcept;
// Whether two keys share the public half.
bool same_public_key(EVP_PKEY* a, EVP_PKEY* b) noexcept;
// SHA-256 of the public key's SubjectPublicKeyInfo DER, lower-case hex.
std::string spki_sha256_of_key(EVP_PKEY* key);

// A password from a file: the first line, without its line ending. Refuses empty passwords.
Result<std::string> read_password_file(const std::string& path);

}  // namespace edgekit::certtool
