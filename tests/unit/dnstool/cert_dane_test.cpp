// TLSA matching, the POSH document and its parser, records, and the certificate checks, with a
// PKI made at test time.
#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "common/x509.hpp"
#include "dnstool/cert_checks.hpp"
#include "dnstool/posh_document.hpp"
#include "dnstool/records.hpp"
#include "dnstool/tlsa_match.hpp"
#include "tests/support/test_pki.hpp"

namespace edgekit::dnstool {
namespace {

std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return {text.begin(), text.end()};
}

std::string sha(std::string_view data, crypto::Digest algorithm) {
  return crypto::digest(algorithm, data);
}

class DaneTest : public ::testing::Test {
 protected:
  testing::TestPki pki;
  testing::Issued leaf = pki.leaf_for({"edge.corp.example", "corp.example"});
  std::vector<X509*> chain{leaf.cert.get(), pki.intermediate().cert.get()};
};

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

TEST_F(DaneTest, PoshRoundTripAndMismatch) {
  std::string why;
  const auto document = parse_posh(make_posh(leaf.cert.get()), why);
  ASSERT_TRUE(document) << why;
  EXPECT_TRUE(posh_matches(*document, leaf.cert.get()));
  EXPECT_FALSE(posh_matches(*document, pki.intermediate().cert.get()));
  EXPECT_GT(document->expires, 0);
}

TEST(Posh, ParserRefusesBadDocuments) {
  std::string why;
  EXPECT_FALSE(parse_posh("[]", why));
  EXPECT_FALSE(parse_posh("{", why));
  EXPECT_FALSE(parse_posh(R"({"expires": 5})", why));
  EXPECT_FALSE(parse_posh(R"({"fingerprints": [1]})", why));
  EXPECT_FALSE(parse_posh(R"({"fingerprints": [{"sha-256": 5}]})", why));
  EXPECT_FALSE(parse_posh(R"({"url": "http://plain.example/x.json"})", why));
  EXPECT_FALSE(parse_posh(std::string(kMaxPoshBytes + 1, ' '), why));
  const auto delegation =
      parse_posh(R"({"url": "https://host.example/p.json", "expires": 60})", why);
  ASSERT_TRUE(delegation);
  EXPECT_EQ(*delegation->url, "https://host.example/p.json");
}

TEST_F(DaneTest, RecordsListSrvTlsaAndPosh) {
  RecordsInput input;
  input.domains = {"corp.example"};
  input.edge_fqdn = "edge.corp.example";
  input.direct_tls_port = 5270;
  input.certificate = leaf.cert.get();
  const auto output = make_records(input);
  const auto has = [&](const std::string& line) {
    return std::find(output.lines.begin(), output.lines.end(), line) != output.lines.end();
  };
  EXPECT_TRUE(has("_xmpp-server._tcp.corp.example. 3600 IN SRV 0 5 5269 edge.corp.example."));
  EXPECT_TRUE(has("_xmpps-server._tcp.corp.example. 3600 IN SRV 0 5 5270 edge.corp.example."));
  EXPECT_TRUE(
      has("_5269._tcp.edge.corp.example. 3600 IN TLSA " + tlsa_text(tlsa_3_1_1(leaf.cert.get()))));
  EXPECT_FALSE(output.posh.empty());
  input.certificate = nullptr;
  EXPECT_TRUE(make_records(input).posh.empty());
}

TEST_F(DaneTest, CertificateChecks) {
  EdgeCertificate certificate;
  certificate.chain.push_back(testing::copy_of(leaf.cert.get()));
  DomainLookup lookup;
  lookup.domain = "corp.example";
  lookup.xmpp.records = {{0, 5, 5269, "edge.corp.example", 0}};
  CertCheckContext ctx;
  ctx.certificate = &certificate;
  auto checks = evaluate_certificate(lookup, ctx);
  ASSERT_EQ(checks.size(), 3U);
  EXPECT_EQ(checks[0].status, Status::kPass) << checks[0].message;
  EXPECT_EQ(checks[1].status, Status::kPass) << checks[1].message;
  EXPECT_EQ(checks[2].status, Status::kPass) << checks[2].message;
  lookup.xmpp.records.front().target = "other.corp.example";
  EXPECT_EQ(evaluate_certificate(lookup, ctx)[0].status, Status::kFail);
  ctx.now += std::chrono::hours(24 * 80);  // 10 days left of 90
  EXPECT_EQ(evaluate_certificate(lookup, ctx)[1].status, Status::kWarn);
  ctx.now += std::chrono::hours(24 * 20);
  EXPECT_EQ(evaluate_certificate(lookup, ctx)[1].status, Status::kFail);
  ctx.certificate = nullptr;
  ctx.missing_why = "no certificate";
  EXPECT_EQ(evaluate_certificate(lookup, ctx)[0].status, Status::kSkip);
}

TEST_F(DaneTest, TlsaCheckNeedsDnssecToPass) {
  EdgeCertificate certificate;
  certificate.chain.push_back(testing::copy_of(leaf.cert.get()));
  DomainLookup lookup;
  lookup.domain = "corp.example";
  TlsaLookup tlsa;
  tlsa.owner = "_5269._tcp.edge.corp.example";
  tlsa.query.answered = true;
  tlsa.records = {tlsa_3_1_1(leaf.cert.get())};
  lookup.tlsa.emplace(tlsa.owner, tlsa);
  CertCheckContext ctx;
  ctx.certificate = &certificate;
  EXPECT_EQ(evaluate_tlsa(lookup, ctx).status, Status::kWarn);
  lookup.tlsa.begin()->second.query.security = dns::Validation{dns::Security::kSecure, ""};
  EXPECT_EQ(evaluate_tlsa(lookup, ctx).status, Status::kPass);
  lookup.tlsa.begin()->second.records.front().data.assign(32, 0);
  const auto check = evaluate_tlsa(lookup, ctx);
  EXPECT_EQ(check.status, Status::kFail);
  ASSERT_EQ(check.fixes.size(), 1U);
  EXPECT_NE(check.fixes.front().find("IN TLSA 3 1 1 "), std::string::npos);
}

}  // namespace
}  // namespace edgekit::dnstool
