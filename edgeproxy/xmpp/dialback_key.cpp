#include "edgeproxy/xmpp/dialback_key.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>
#include <vector>

#include "common/store.hpp"

namespace edgekit::edgeproxy {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4U];
    out += kDigits[data[i] & 0x0FU];
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buffer(bytes);
  if (RAND_bytes(buffer.data(), static_cast<int>(buffer.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return to_hex(buffer.data(), buffer.size());
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

DialbackKeys::DialbackKeys(std::string_view secret) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(secret.data(), secret.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
      1) {
    throw std::runtime_error("SHA-256 failed");
  }
  hashed_secret_ = to_hex(digest.data(), length);
  OPENSSL_cleanse(digest.data(), digest.size());
}

DialbackKeys DialbackKeys::random() {
  return DialbackKeys(random_hex(32));
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
  return to_hex(mac.data(), length);
}

bool DialbackKeys::verify(std::string_view receiving, std::string_view originating,
                          std::string_view stream_id, std::string_view key) const {
  return constant_time_equals(generate(receiving, originating, stream_id), key);
}

}  // namespace edgekit::edgeproxy
