#include "dnstool/tlsa_match.hpp"

#include <openssl/evp.h>

#include "common/x509.hpp"

namespace edgekit::dnstool {
namespace {

std::string digest(std::string_view bytes, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out, &size, md, nullptr) != 1) {
    return {};
  }
  return {reinterpret_cast<const char*>(out), size};
}

bool matches(const dns::TlsaRecord& record, X509* cert) {
  const std::string selected = record.selector == 0 ? x509::der_of(cert) : x509::spki_der_of(cert);
  std::string value;
  switch (record.matching_type) {
    case 0: value = selected; break;
    case 1: value = digest(selected, EVP_sha256()); break;
    case 2: value = digest(selected, EVP_sha512()); break;
    default: return false;
  }
  return !value.empty() && value.size() == record.data.size() &&
         std::equal(value.begin(), value.end(), record.data.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; });
}

}  // namespace

TlsaMatch match_tlsa(const dns::TlsaRecord& record, const std::vector<X509*>& chain) {
  if ((record.usage != 2 && record.usage != 3) || record.selector > 1 || record.matching_type > 2 ||
      chain.empty()) {
    return TlsaMatch::kUnusable;
  }
  if (record.usage == 3) {
    return matches(record, chain.front()) ? TlsaMatch::kMatch : TlsaMatch::kNoMatch;
  }
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (matches(record, chain[i])) {
      return TlsaMatch::kMatch;
    }
  }
  return TlsaMatch::kNoMatch;
}

std::string tlsa_text(const dns::TlsaRecord& record) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(record.data.size() * 2);
  for (const auto byte : record.data) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0x0f];
  }
  return std::to_string(record.usage) + " " + std::to_string(record.selector) + " " +
         std::to_string(record.matching_type) + " " + hex;
}

dns::TlsaRecord tlsa_3_1_1(X509* cert) {
  dns::TlsaRecord record{3, 1, 1, {}};
  const std::string hash = digest(x509::spki_der_of(cert), EVP_sha256());
  record.data.assign(hash.begin(), hash.end());
  return record;
}

}  // namespace edgekit::dnstool
