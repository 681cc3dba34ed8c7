#include "common/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <stdexcept>

namespace edgekit::crypto {
namespace {

const EVP_MD* md_of(Digest algorithm) noexcept {
  switch (algorithm) {
    case Digest::kSha1: return EVP_sha1();
    case Digest::kSha256: return EVP_sha256();
    case Digest::kSha384: return EVP_sha384();
    case Digest::kSha512: return EVP_sha512();
  }
  return nullptr;
}

}  // namespace

std::string digest(Digest algorithm, std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  const EVP_MD* md = md_of(algorithm);
  if (md == nullptr ||
      EVP_Digest(bytes.data(), bytes.size(), out.data(), &size, md, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  std::string result(reinterpret_cast<const char*>(out.data()), size);
  OPENSSL_cleanse(out.data(), out.size());  // the digest of a secret is a secret too
  return result;
}

std::string digest_hex(Digest algorithm, std::string_view bytes) {
  std::string raw = digest(algorithm, bytes);
  std::string text = hex_encode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return text;
}

std::string hex_encode(std::string_view bytes) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    text.push_back(kDigits[byte >> 4U]);
    text.push_back(kDigits[byte & 0x0FU]);
  }
  return text;
}

std::string random_bytes(std::size_t count) {
  if (count > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("random_bytes: too many bytes");
  }
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    ERR_clear_error();
    throw std::runtime_error("RAND_bytes failed");
  }
  return bytes;
}

std::string random_hex(std::size_t count) {
  std::string bytes = random_bytes(count);
  std::string text = hex_encode(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return text;
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace edgekit::crypto
