#include <gtest/gtest.h>

#include "dane_fixture.hpp"
#include "dnstool/tlsa_match.hpp"

namespace edgekit::dnstool {
namespace {

TEST_F(DaneTest, EveryUsageSelectorMatchingTypeCombination) {
  const std::string spki = x509::spki_der_of(leaf.cert.get());
  const std::string der = x509::der_of(leaf.cert.get());
  EXPECT_EQ(match_tlsa({3, 1, 1, bytes_of(sha(spki, crypto::Digest::kSha256))}, chain),
            TlsaMatch::kMatch);
  EXPECT_EQ(match_tlsa({3, 0, 1, bytes_of(sha(der, crypto::Digest::kSha256))}, chain),
            TlsaMatch::kMatch);
  EXPECT_EQ(match_tlsa({3, 1, 2, bytes_of(sha(spki, crypto::Digest::kSha512))}, chain),
            TlsaMatch::kMatch);
  EXPECT_EQ(match_tlsa({3, 0, 0, bytes_of(der)}, chain), TlsaMatch::kMatch);
  EXPECT_EQ(match_tlsa({3, 1, 1, std::vector<std::uint8_t>(32, 0)}, chain), TlsaMatch::kNoMatch);
  // The leaf's key is not a trust anchor: usage 2 must not match it...
  EXPECT_EQ(match_tlsa({2, 1, 1, bytes_of(sha(spki, crypto::Digest::kSha256))}, chain),
            TlsaMatch::kNoMatch);
  // ...but the intermediate's is.
  const std::string ca_spki = x509::spki_der_of(pki.intermediate().cert.get());
  EXPECT_EQ(match_tlsa({2, 1, 1, bytes_of(sha(ca_spki, crypto::Digest::kSha256))}, chain),
            TlsaMatch::kMatch);
  EXPECT_EQ(match_tlsa({1, 1, 1, bytes_of(sha(spki, crypto::Digest::kSha256))}, chain),
            TlsaMatch::kUnusable);
  EXPECT_EQ(match_tlsa({3, 2, 1, {}}, chain), TlsaMatch::kUnusable);
  EXPECT_EQ(tlsa_3_1_1(leaf.cert.get()).data, bytes_of(sha(spki, crypto::Digest::kSha256)));
  EXPECT_EQ(tlsa_text({3, 1, 1, {0xab, 0x01}}), "3 1 1 ab01");
}

}  // namespace
}  // namespace edgekit::dnstool
