#include "edgeproxy/xmpp/dialback_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <stdexcept>

#include "common/crypto.hpp"
#include "common/store.hpp"

namespace edgekit::edgeproxy {

DialbackKeys::DialbackKeys(std::string_view secret) {
  hashed_secret_ = crypto::digest_hex(crypto::Digest::kSha256, secret);
  if (hashed_secret_.empty()) {
    throw std::runtime_error("SHA-256 failed");
  }
}

DialbackKeys DialbackKeys::random() {
  return DialbackKeys(crypto::random_hex(32));
}

Result<DialbackKeys> DialbackKeys::from_file(const std::string& path) {
  auto secret = read_secret_file(path, "the dialback secret file");
  if (!secret) {
    return secret.error();
  }
  DialbackKeys keys(secret.value());
  OPENSSL_cleanse(secret.value().data(), secret.value().size());
  return keys;
}

std::string DialbackKeys::generate(std::string_view receiving, std::string_view originating,
                                   std::string_view stream_id) const {
  std::string text;
  text.reserve(receiving.size() + originating.size() + stream_id.size() + 2);
  text.append(receiving).append(" ").append(originating).append(" ").append(stream_id);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), hashed_secret_.data(), static_cast<int>(hashed_secret_.size()),
           reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac.data(),
           &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return crypto::hex_encode({reinterpret_cast<const char*>(mac.data()), length});
}

bool DialbackKeys::verify(std::string_view receiving, std::string_view originating,
                          std::string_view stream_id, std::string_view key) const {
  return crypto::constant_time_equals(generate(receiving, originating, stream_id), key);
}

}  // namespace edgekit::edgeproxy
