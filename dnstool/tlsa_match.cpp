#include "dnstool/tlsa_match.hpp"

#include "common/crypto.hpp"
#include "common/x509.hpp"

namespace edgekit::dnstool {
namespace {

bool matches(const dns::TlsaRecord& record, X509* cert) {
  const std::string selected = record.selector == 0 ? x509::der_of(cert) : x509::spki_der_of(cert);
  std::string value;
  switch (record.matching_type) {
    case 0: value = selected; break;
    case 1: value = crypto::digest(crypto::Digest::kSha256, selected); break;
    case 2: value = crypto::digest(crypto::Digest::kSha512, selected); break;
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
  const std::string hex =
      crypto::hex_encode({reinterpret_cast<const char*>(record.data.data()), record.data.size()});
  return std::to_string(record.usage) + " " + std::to_string(record.selector) + " " +
         std::to_string(record.matching_type) + " " + hex;
}

dns::TlsaRecord tlsa_3_1_1(X509* cert) {
  dns::TlsaRecord record{3, 1, 1, {}};
  const std::string hash = crypto::digest(crypto::Digest::kSha256, x509::spki_der_of(cert));
  record.data.assign(hash.begin(), hash.end());
  return record;
}

}  // namespace edgekit::dnstool
