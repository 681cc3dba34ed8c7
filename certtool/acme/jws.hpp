#pragma once
// The cryptographic pieces of ACME (RFC 8555 §6.2, RFC 7515/7518/7638): the JWK of
// the account key with its thumbprint, and JWS signing in the flattened JSON serialization.
// Account keys are RSA (RS256) or EC P-256 (ES256, signature as raw r||s, not DER).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "common/error.hpp"
#include "common/openssl_ptr.hpp"

namespace edgekit::certtool::acme {

// base64url_encode / base64url_decode: common/base64.hpp; SHA-256: common/crypto.hpp.

// The account key: signs requests and names itself as a JWK.
class AccountKey {
 public:
  // RSA (2048 bits or more) or EC P-256; anything else is refused.
  static Result<AccountKey> from_key(ossl::EvpPkeyPtr key);
  static Result<AccountKey> from_pem(std::string_view pem);
  // A fresh EC P-256 key: small, fast, accepted by every ACME CA.
  static Result<AccountKey> generate();

  [[nodiscard]] const std::string& alg() const noexcept { return alg_; }
  [[nodiscard]] const nlohmann::json& jwk() const noexcept { return jwk_; }
  // RFC 7638: base64url(SHA-256(the required members, sorted, no whitespace)).
  [[nodiscard]] const std::string& thumbprint() const noexcept { return thumbprint_; }
  [[nodiscard]] EVP_PKEY* key() const noexcept { return key_.get(); }
  [[nodiscard]] Result<std::string> private_pem() const;

  // The JWS signature of `signing_input` ("b64(header).b64(payload)"), raw bytes.
  [[nodiscard]] Result<std::string> sign(std::string_view signing_input) const;

 private:
  AccountKey() = default;
  std::shared_ptr<EVP_PKEY> key_;
  std::string alg_;
  nlohmann::json jwk_;
  std::string thumbprint_;
};

// The public JWK of a key (RSA: e, kty, n; EC P-256: crv, kty, x, y), or an error.
Result<nlohmann::json> jwk_of(EVP_PKEY* key);
// RFC 7638 thumbprint of a JWK (only the required members count).
std::string jwk_thumbprint(const nlohmann::json& jwk);

// One signed request body. `payload` nullopt means POST-as-GET (empty payload). With an empty
// `kid` the header carries the JWK (newAccount, and revocation by certificate key).
Result<std::string> sign_jws(const AccountKey& key, std::string_view url, std::string_view nonce,
                             std::string_view kid, const std::optional<std::string>& payload);

// ES256 signatures travel as r||s (32 bytes each); OpenSSL speaks DER. Exposed for tests.
std::optional<std::string> ecdsa_der_to_raw(std::string_view der, std::size_t half);
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw);

// The key authorization of a challenge token (RFC 8555 §8.1) and the dns-01 TXT value.
std::string key_authorization(std::string_view token, const AccountKey& key);
std::string dns01_txt_value(std::string_view key_authorization);

}  // namespace edgekit::certtool::acme
