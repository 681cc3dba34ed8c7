// base64url, JWK + RFC 7638 thumbprints, JWS signatures (RS256, ES256 as raw r||s).
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "certtool/acme/jws.hpp"
#include "common/crypto.hpp"

namespace edgekit::certtool::acme {
namespace {

using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM_free>>;

// RFC 7638 §3.1's example key.
constexpr const char* kRfc7638N =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
    "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
    "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
    "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

ossl::EvpPkeyPtr rsa_public_key(const std::string& n_b64, const std::string& e_b64) {
  const auto n = base64url_decode(n_b64).value();
  const auto e = base64url_decode(e_b64).value();
  ossl::BignumPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()),
                                 static_cast<int>(n.size()), nullptr));
  ossl::BignumPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()),
                                 static_cast<int>(e.size()), nullptr));
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get());
  OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get());
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  EVP_PKEY_fromdata_init(ctx.get());
  EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get());
  return ossl::EvpPkeyPtr(key);
}

bool verify(EVP_PKEY* key, const std::string& input, std::string signature, bool es256) {
  if (es256) {
    auto der = ecdsa_raw_to_der(signature);
    if (!der) {
      return false;
    }
    signature = *der;
  }
  ossl::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key);
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(input.data()),
                          input.size()) == 1;
}

TEST(AcmeBase64Url, EncodesWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff\xfe"), "-__-");
}

TEST(AcmeBase64Url, DecodesStrictly) {
  EXPECT_EQ(base64url_decode("Zm9vYg").value(), "foob");
  EXPECT_EQ(base64url_decode("-__-").value(), "\xfb\xff\xfe");
  EXPECT_FALSE(base64url_decode("Zm9v=").has_value());  // padding
  EXPECT_FALSE(base64url_decode("Zm+v").has_value());   // standard alphabet
  EXPECT_FALSE(base64url_decode("Z").has_value());      // impossible length
  EXPECT_FALSE(base64url_decode("Zh").has_value());     // non-zero leftover bits
  for (const std::string sample : {"", "a", "ab", "abc", "abcd", "\x00\x01\x02\xff"}) {
    EXPECT_EQ(base64url_decode(base64url_encode(sample)).value(), sample);
  }
}

TEST(AcmeJwk, Rfc7638ThumbprintExample) {
  auto key = rsa_public_key(kRfc7638N, "AQAB");
  ASSERT_TRUE(key);
  auto jwk = jwk_of(key.get());
  ASSERT_TRUE(jwk) << jwk.error().message();
  EXPECT_EQ(jwk.value()["n"], kRfc7638N);
  EXPECT_EQ(jwk.value()["e"], "AQAB");
  EXPECT_EQ(jwk_thumbprint(jwk.value()), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  // Extra members (alg, kid) do not change the thumbprint.
  auto extended = jwk.value();
  extended["alg"] = "RS256";
  extended["kid"] = "2011-04-29";
  EXPECT_EQ(jwk_thumbprint(extended), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(AcmeJwk, EcP256KeyHasFixedSizeCoordinates) {
  auto key = AccountKey::generate();
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(key.value().alg(), "ES256");
  const auto& jwk = key.value().jwk();
  EXPECT_EQ(jwk["kty"], "EC");
  EXPECT_EQ(jwk["crv"], "P-256");
  EXPECT_EQ(base64url_decode(jwk["x"].get<std::string>())->size(), 32U);
  EXPECT_EQ(base64url_decode(jwk["y"].get<std::string>())->size(), 32U);
  EXPECT_EQ(key.value().thumbprint().size(), 43U);
}

TEST(AcmeJwk, RefusesUnsupportedKeys) {
  ossl::EvpPkeyPtr p384(EVP_EC_gen("P-384"));
  EXPECT_FALSE(AccountKey::from_key(std::move(p384)));
  ossl::EvpPkeyPtr small(EVP_RSA_gen(1024));
  EXPECT_FALSE(AccountKey::from_key(std::move(small)));
  EXPECT_FALSE(AccountKey::from_pem("not a key"));
}

TEST(AcmeJws, Es256SignatureIsRawAndVerifies) {
  auto key = AccountKey::generate().value();
  auto body = sign_jws(key, "https://ca.test/acme/new-acct", "nonce-1", "", std::string("{}"));
  ASSERT_TRUE(body) << body.error().message();
  const auto jws = nlohmann::json::parse(body.value());
  const auto header = nlohmann::json::parse(*base64url_decode(jws["protected"].get<std::string>()));
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["nonce"], "nonce-1");
  EXPECT_EQ(header["url"], "https://ca.test/acme/new-acct");
  EXPECT_EQ(header["jwk"], key.jwk());
  EXPECT_FALSE(header.contains("kid"));
  const auto signature = *base64url_decode(jws["signature"].get<std::string>());
  EXPECT_EQ(signature.size(), 64U);
  const auto input = jws["protected"].get<std::string>() + "." + jws["payload"].get<std::string>();
  EXPECT_TRUE(verify(key.key(), input, signature, true));
  EXPECT_FALSE(verify(key.key(), input + "x", signature, true));
}

TEST(AcmeJws, Rs256WithKidAndPostAsGet) {
  ossl::EvpPkeyPtr rsa(EVP_RSA_gen(2048));
  auto key = AccountKey::from_key(std::move(rsa));
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ(key.value().alg(), "RS256");
  auto body = sign_jws(key.value(), "https://ca.test/order/1", "n2", "https://ca.test/acct/7",
                       std::nullopt);
  ASSERT_TRUE(body);
  const auto jws = nlohmann::json::parse(body.value());
  EXPECT_EQ(jws["payload"], "");  // POST-as-GET
  const auto header = nlohmann::json::parse(*base64url_decode(jws["protected"].get<std::string>()));
  EXPECT_EQ(header["kid"], "https://ca.test/acct/7");
  EXPECT_FALSE(header.contains("jwk"));
  const auto input = jws["protected"].get<std::string>() + ".";
  EXPECT_TRUE(verify(key.value().key(), input,
                     *base64url_decode(jws["signature"].get<std::string>()), false));
}

TEST(AcmeJws, PemRoundTripKeepsThumbprint) {
  auto key = AccountKey::generate().value();
  auto pem = key.private_pem();
  ASSERT_TRUE(pem);
  auto again = AccountKey::from_pem(pem.value());
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().thumbprint(), key.thumbprint());
}

TEST(AcmeChallenges, KeyAuthorizationAndDnsValue) {
  auto key = rsa_public_key(kRfc7638N, "AQAB");
  auto jwk = jwk_of(key.get()).value();
  // RFC 8555 §8.1: token "." thumbprint; dns-01: base64url(SHA-256(key authorization)).
  const std::string key_auth = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA." + jwk_thumbprint(jwk);
  EXPECT_EQ(dns01_txt_value(key_auth),
            base64url_encode(crypto::digest(crypto::Digest::kSha256, key_auth)));
  EXPECT_EQ(dns01_txt_value(key_auth).size(), 43U);
  EXPECT_EQ(dns01_txt_value("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

}  // namespace
}  // namespace edgekit::certtool::acme
