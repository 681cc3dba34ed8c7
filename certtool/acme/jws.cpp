#include "certtool/acme/jws.hpp"

#include <array>
#include <cstdint>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

#include "certtool/acme/errors.hpp"
#include "common/crypto.hpp"

namespace edgekit::certtool::acme {
namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG_free>>;

constexpr std::size_t kEcCoordinateBytes = 32;  // P-256
constexpr int kMinRsaBits = 2048;

Error crypto_error(std::string what) {
  return make_error(AcmeErrc::kCrypto, std::move(what), ossl::last_error_string());
}

std::string bn_bytes(const BIGNUM* bn, int pad) {
  const int size = pad > 0 ? pad : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size) != size) {
    return {};
  }
  return out;
}

Result<std::string> bn_param(EVP_PKEY* key, const char* name, int pad) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1 || raw == nullptr) {
    return crypto_error(std::string("reading key parameter ") + name);
  }
  const ossl::BignumPtr bn(raw);
  auto bytes = bn_bytes(bn.get(), pad);
  if (bytes.empty()) {
    return crypto_error(std::string("encoding key parameter ") + name);
  }
  return bytes;
}

}  // namespace

Result<nlohmann::json> jwk_of(EVP_PKEY* key) {
  if (key == nullptr) {
    return make_error(AcmeErrc::kCrypto, "account key", "no key");
  }
  if (EVP_PKEY_is_a(key, "RSA") == 1) {
    auto n = bn_param(key, OSSL_PKEY_PARAM_RSA_N, 0);
    if (!n) {
      return n.error();
    }
    auto e = bn_param(key, OSSL_PKEY_PARAM_RSA_E, 0);
    if (!e) {
      return e.error();
    }
    return nlohmann::json{
        {"e", base64url_encode(e.value())}, {"kty", "RSA"}, {"n", base64url_encode(n.value())}};
  }
  if (EVP_PKEY_is_a(key, "EC") == 1) {
    std::array<char, 64> group{};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &length) != 1 ||
        std::string_view(group.data(), length) != "prime256v1") {
      return make_error(AcmeErrc::kUsage, "account key",
                        "only EC P-256 (ES256) and RSA (RS256) account keys are supported");
    }
    constexpr int kPad = static_cast<int>(kEcCoordinateBytes);
    auto x = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, kPad);
    if (!x) {
      return x.error();
    }
    auto y = bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, kPad);
    if (!y) {
      return y.error();
    }
    return nlohmann::json{{"crv", "P-256"},
                          {"kty", "EC"},
                          {"x", base64url_encode(x.value())},
                          {"y", base64url_encode(y.value())}};
  }
  return make_error(AcmeErrc::kUsage, "account key",
                    "only EC P-256 (ES256) and RSA (RS256) account keys are supported");
}

std::string jwk_thumbprint(const nlohmann::json& jwk) {
  nlohmann::json required;
  const auto kty = jwk.value("kty", std::string());
  const auto members = kty == "RSA" ? std::array<const char*, 3>{"e", "kty", "n"}
                                    : std::array<const char*, 3>{"crv", "kty", "x"};
  for (const char* member : members) {
    if (jwk.contains(member)) {
      required[member] = jwk[member];
    }
  }
  if (kty == "EC" && jwk.contains("y")) {
    required["y"] = jwk["y"];
  }
  // nlohmann::json keeps object members sorted and dump() adds no whitespace: exactly the
  // RFC 7638 §3 canonical form for these ASCII-only members.
  return base64url_encode(crypto::digest(crypto::Digest::kSha256, required.dump()));
}

Result<AccountKey> AccountKey::from_key(ossl::EvpPkeyPtr key) {
  if (!key) {
    return make_error(AcmeErrc::kCrypto, "account key", "no key");
  }
  AccountKey account;
  if (EVP_PKEY_is_a(key.get(), "RSA") == 1) {
    if (EVP_PKEY_get_bits(key.get()) < kMinRsaBits) {
      return make_error(AcmeErrc::kUsage, "account key", "RSA account keys need 2048 bits or more");
    }
    account.alg_ = "RS256";
  } else {
    account.alg_ = "ES256";
  }
  auto jwk = jwk_of(key.get());
  if (!jwk) {
    return jwk.error();
  }
  account.jwk_ = std::move(jwk).value();
  account.thumbprint_ = jwk_thumbprint(account.jwk_);
  account.key_ = std::shared_ptr<EVP_PKEY>(key.release(), ossl::Deleter<EVP_PKEY_free>{});
  return account;
}

Result<AccountKey> AccountKey::from_pem(std::string_view pem) {
  const ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) {
    return crypto_error("reading the account key");
  }
  ossl::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return make_error(AcmeErrc::kUsage, "account key",
                      "not a readable unencrypted PEM private key");
  }
  return from_key(std::move(key));
}

Result<AccountKey> AccountKey::generate() {
  ossl::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) {
    return crypto_error("generating the account key");
  }
  return from_key(std::move(key));
}

Result<std::string> AccountKey::private_pem() const {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return crypto_error("encoding the account key");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Result<std::string> AccountKey::sign(std::string_view signing_input) const {
  const ossl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1) {
    return crypto_error("signing an ACME request");
  }
  std::size_t size = 0;
  const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &size, input, signing_input.size()) != 1) {
    return crypto_error("signing an ACME request");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, input,
                     signing_input.size()) != 1) {
    return crypto_error("signing an ACME request");
  }
  signature.resize(size);
  if (alg_ == "ES256") {
    auto raw = ecdsa_der_to_raw(signature, kEcCoordinateBytes);
    if (!raw) {
      return make_error(AcmeErrc::kCrypto, "signing an ACME request", "bad ECDSA signature");
    }
    return std::move(raw).value();
  }
  return signature;
}

std::optional<std::string> ecdsa_der_to_raw(std::string_view der, std::size_t half) {
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  const EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size())));
  if (!sig) {
    ERR_clear_error();
    return std::nullopt;
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  auto r_bytes = bn_bytes(r, static_cast<int>(half));
  auto s_bytes = bn_bytes(s, static_cast<int>(half));
  if (r_bytes.empty() || s_bytes.empty()) {
    return std::nullopt;
  }
  return r_bytes + s_bytes;
}

std::optional<std::string> ecdsa_raw_to_der(std::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) {
    return std::nullopt;
  }
  const auto half = static_cast<int>(raw.size() / 2);
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ossl::BignumPtr r(BN_bin2bn(bytes, half, nullptr));
  ossl::BignumPtr s(BN_bin2bn(bytes + half, half, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return std::nullopt;
  }
  (void)r.release();  // now owned by sig
  (void)s.release();
  unsigned char* out = nullptr;
  const int size = i2d_ECDSA_SIG(sig.get(), &out);
  if (size <= 0) {
    return std::nullopt;
  }
  const ossl::OpensslBytesPtr owner(out);
  return std::string(reinterpret_cast<const char*>(owner.get()), static_cast<std::size_t>(size));
}

Result<std::string> sign_jws(const AccountKey& key, std::string_view url, std::string_view nonce,
                             std::string_view kid, const std::optional<std::string>& payload) {
  nlohmann::json header{{"alg", key.alg()}, {"nonce", nonce}, {"url", url}};
  if (kid.empty()) {
    header["jwk"] = key.jwk();
  } else {
    header["kid"] = kid;
  }
  const auto protected_b64 = base64url_encode(header.dump());
  const auto payload_b64 = payload ? base64url_encode(*payload) : std::string();
  auto signature = key.sign(protected_b64 + "." + payload_b64);
  if (!signature) {
    return signature.error();
  }
  const nlohmann::json jws{{"protected", protected_b64},
                           {"payload", payload_b64},
                           {"signature", base64url_encode(signature.value())}};
  return jws.dump();
}

std::string key_authorization(std::string_view token, const AccountKey& key) {
  return std::string(token) + "." + key.thumbprint();
}

std::string dns01_txt_value(std::string_view key_authorization) {
  return base64url_encode(crypto::digest(crypto::Digest::kSha256, key_authorization));
}

}  // namespace edgekit::certtool::acme
