#include <gtest/gtest.h>

#include "dane_fixture.hpp"
#include "dnstool/cert_checks.hpp"
#include "dnstool/tlsa_match.hpp"

namespace edgekit::dnstool {
namespace {

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
