// Chain verdicts against a PKI made at test time; every verdict is cross-checked with
// `openssl verify` on the same PEM files.
#include <gtest/gtest.h>

#include "common/x509.hpp"
#include "tests/support/test_pki.hpp"

namespace edgekit::x509 {
namespace {

using testing::CertSpec;
using testing::Issued;
using testing::TempDir;
using testing::TestPki;

TrustAnchors anchors_of(const TestPki& pki) {
  TrustAnchors anchors;
  anchors.certificates.push_back(testing::copy_of(pki.root().cert.get()));
  return anchors;
}

// Runs `openssl verify` with the same inputs and returns whether it accepted the leaf.
bool openssl_accepts(const TestPki& pki, const Issued& leaf, const std::vector<X509*>& untrusted,
                     const std::optional<std::string>& hostname, Purpose purpose) {
  const TempDir dir("x509verify");
  const auto root = dir.write("root.pem", pki.root().cert_pem());
  std::string chain_pem;
  for (X509* cert : untrusted) {
    chain_pem += to_pem(cert);
  }
  const auto leaf_file = dir.write("leaf.pem", leaf.cert_pem());
  std::string command = "openssl verify -CAfile " + root.string();
  if (!chain_pem.empty()) {
    command += " -untrusted " + dir.write("chain.pem", chain_pem).string();
  }
  if (hostname) {
    command += " -verify_hostname " + *hostname;
  }
  if (purpose == Purpose::kServer) {
    command += " -purpose sslserver";
  } else if (purpose == Purpose::kClient) {
    command += " -purpose sslclient";
  }
  command += " " + leaf_file.string();
  std::string output;
  const int status = testing::run_command(command, &output);
  return status == 0;
}

struct VerdictCase {
  ChainVerdict verdict;
  bool openssl = false;
};

VerdictCase check(const TestPki& pki, const Issued& leaf, const std::vector<X509*>& untrusted,
                  const std::optional<std::string>& hostname, Purpose purpose) {
  VerdictCase result;
  result.verdict = verify_chain(leaf.cert.get(), untrusted, anchors_of(pki), hostname, purpose);
  result.openssl = openssl_accepts(pki, leaf, untrusted, hostname, purpose);
  return result;
}

TEST(ChainVerdict, GoodChainIsTrustedAndBuiltToTheRoot) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example", "corp.example"});
  const auto result =
      check(pki, leaf, {pki.intermediate().cert.get()}, "corp.example", Purpose::kServer);
  EXPECT_TRUE(result.verdict.trusted);
  EXPECT_TRUE(result.verdict.reasons.empty());
  ASSERT_EQ(result.verdict.chain.size(), 3U);
  EXPECT_EQ(thumbprint(result.verdict.chain.back().get()), thumbprint(pki.root().cert.get()));
  EXPECT_TRUE(result.openssl);
}

TEST(ChainVerdict, Expired) {
  const TestPki pki;
  CertSpec spec;
  spec.not_before = std::chrono::hours(-24 * 100);
  spec.not_after = std::chrono::hours(-24);
  const auto leaf = pki.leaf(spec);
  const auto result =
      check(pki, leaf, {pki.intermediate().cert.get()}, std::nullopt, Purpose::kServer);
  EXPECT_FALSE(result.verdict.trusted);
  EXPECT_TRUE(result.verdict.has(ChainIssue::kExpired));
  ASSERT_FALSE(result.verdict.reasons.empty());
  EXPECT_EQ(result.verdict.reasons.front().rfind("expired:", 0), 0U)
      << result.verdict.reasons.front();
  EXPECT_FALSE(result.openssl);
}

TEST(ChainVerdict, NotYetValid) {
  const TestPki pki;
  CertSpec spec;
  spec.not_before = std::chrono::hours(24);
  const auto leaf = pki.leaf(spec);
  const auto result =
      check(pki, leaf, {pki.intermediate().cert.get()}, std::nullopt, Purpose::kAny);
  EXPECT_FALSE(result.verdict.trusted);
  EXPECT_TRUE(result.verdict.has(ChainIssue::kNotYetValid));
  EXPECT_FALSE(result.openssl);
}

TEST(ChainVerdict, WrongEku) {
  const TestPki pki;
  CertSpec spec;
  spec.server_auth = false;  // clientAuth only
  const auto leaf = pki.leaf(spec);
  const auto as_server =
      check(pki, leaf, {pki.intermediate().cert.get()}, std::nullopt, Purpose::kServer);
  EXPECT_FALSE(as_server.verdict.trusted);
  EXPECT_TRUE(as_server.verdict.has(ChainIssue::kWrongEku));
  EXPECT_FALSE(as_server.openssl);
  // The same certificate is fine as a client certificate.
  const auto as_client =
      check(pki, leaf, {pki.intermediate().cert.get()}, std::nullopt, Purpose::kClient);
  EXPECT_TRUE(as_client.verdict.trusted) << as_client.verdict.reasons.front();
  EXPECT_TRUE(as_client.openssl);
}

TEST(ChainVerdict, ServerOnlyCertificateFailsClientPurpose) {
  const TestPki pki;
  CertSpec spec;
  spec.client_auth = false;
  const auto leaf = pki.leaf(spec);
  const auto result =
      check(pki, leaf, {pki.intermediate().cert.get()}, std::nullopt, Purpose::kClient);
  EXPECT_TRUE(result.verdict.has(ChainIssue::kWrongEku));
  EXPECT_FALSE(result.openssl);
}

TEST(ChainVerdict, MissingIntermediate) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  const auto result = check(pki, leaf, {}, std::nullopt, Purpose::kServer);
  EXPECT_FALSE(result.verdict.trusted);
  EXPECT_TRUE(result.verdict.has(ChainIssue::kUnknownIssuer));
  EXPECT_NE(result.verdict.reasons.front().find("Edgekit Test Intermediate"), std::string::npos)
      << result.verdict.reasons.front();
  EXPECT_FALSE(result.openssl);
}

TEST(ChainVerdict, NameMismatch) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  const auto result =
      check(pki, leaf, {pki.intermediate().cert.get()}, "other.example", Purpose::kServer);
  EXPECT_FALSE(result.verdict.trusted);
  EXPECT_TRUE(result.verdict.has(ChainIssue::kNameMismatch));
  EXPECT_EQ(result.verdict.reasons.size(), 1U);
  EXPECT_FALSE(result.openssl);
}

TEST(ChainVerdict, UntrustedRootAndSeveralReasonsAtOnce) {
  const TestPki pki;
  const TestPki other;  // a different root nobody trusts
  CertSpec spec;
  spec.not_after = std::chrono::hours(-1);
  spec.not_before = std::chrono::hours(-48);
  const auto leaf = other.leaf(spec);
  const auto verdict =
      verify_chain(leaf.cert.get(), {other.intermediate().cert.get(), other.root().cert.get()},
                   anchors_of(pki), "nomatch.example", Purpose::kServer);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_TRUE(verdict.has(ChainIssue::kExpired));
  EXPECT_TRUE(verdict.has(ChainIssue::kNameMismatch));
  EXPECT_TRUE(verdict.has(ChainIssue::kUntrustedRoot) || verdict.has(ChainIssue::kUnknownIssuer));
  EXPECT_GE(verdict.reasons.size(), 3U);
}

TEST(ChainVerdict, SystemRootsDoNotTrustATestRoot) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  const auto verdict = verify_chain(leaf.cert.get(), {pki.intermediate().cert.get()},
                                    TrustAnchors::system(), std::nullopt, Purpose::kServer);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_TRUE(verdict.has(ChainIssue::kUnknownIssuer));
}

TEST(ChainVerdict, LoopIsNamed) {
  // A is issued by B and B by A (same keys): following issuers from the leaf never ends.
  CertSpec b_spec;
  b_spec.common_name = "Loop B";
  b_spec.dns_names.clear();
  b_spec.is_ca = true;
  const Issued b_self = testing::issue(b_spec, nullptr);
  CertSpec a_spec = b_spec;
  a_spec.common_name = "Loop A";
  const Issued a = testing::issue(a_spec, &b_self);
  b_spec.use_key = b_self.key.get();
  const Issued b = testing::issue(b_spec, &a);
  const Issued leaf = testing::issue(CertSpec{}, &a);
  TrustAnchors nobody;
  nobody.certificates.push_back(testing::copy_of(TestPki().root().cert.get()));
  const auto verdict = verify_chain(leaf.cert.get(), {a.cert.get(), b.cert.get()}, nobody,
                                    std::nullopt, Purpose::kServer);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_TRUE(verdict.has(ChainIssue::kLoop));
}

std::vector<Issued> long_chain(std::size_t cas) {
  std::vector<Issued> chain;
  CertSpec spec;
  spec.dns_names.clear();
  spec.is_ca = true;
  spec.common_name = "Chain 0";
  chain.push_back(testing::issue(spec, nullptr));
  for (std::size_t i = 1; i < cas; ++i) {
    spec.common_name = "Chain " + std::to_string(i);
    chain.push_back(testing::issue(spec, &chain.back()));
  }
  chain.push_back(testing::issue(CertSpec{}, &chain.back()));
  return chain;
}

TEST(ChainVerdict, FiftyCertificatesAreRefusedCleanly) {
  const auto chain = long_chain(49);  // root + 48 CAs + leaf = 50
  ASSERT_EQ(chain.size(), 50U);
  TrustAnchors anchors;
  anchors.certificates.push_back(testing::copy_of(chain.front().cert.get()));
  std::vector<X509*> untrusted;
  for (std::size_t i = 1; i + 1 < chain.size(); ++i) {
    untrusted.push_back(chain[i].cert.get());
  }
  const auto verdict =
      verify_chain(chain.back().cert.get(), untrusted, anchors, std::nullopt, Purpose::kServer);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_TRUE(verdict.has(ChainIssue::kTooLong));
}

TEST(ChainVerdict, DepthCapAppliesBelowTheCountCap) {
  const auto chain = long_chain(12);  // 11 intermediates: deeper than kMaxVerifyDepth
  TrustAnchors anchors;
  anchors.certificates.push_back(testing::copy_of(chain.front().cert.get()));
  std::vector<X509*> untrusted;
  for (std::size_t i = 1; i + 1 < chain.size(); ++i) {
    untrusted.push_back(chain[i].cert.get());
  }
  const auto verdict =
      verify_chain(chain.back().cert.get(), untrusted, anchors, std::nullopt, Purpose::kServer);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_TRUE(verdict.has(ChainIssue::kTooLong))
      << (verdict.reasons.empty() ? "" : verdict.reasons[0]);

  const auto short_chain = long_chain(3);
  TrustAnchors short_anchors;
  short_anchors.certificates.push_back(testing::copy_of(short_chain.front().cert.get()));
  const auto ok_verdict = verify_chain(short_chain.back().cert.get(),
                                       {short_chain[1].cert.get(), short_chain[2].cert.get()},
                                       short_anchors, std::nullopt, Purpose::kServer);
  EXPECT_TRUE(ok_verdict.trusted) << (ok_verdict.reasons.empty() ? "" : ok_verdict.reasons[0]);
}

TEST(ChainVerdict, PinnedTimeMakesAValidCertificateExpired) {
  const TestPki pki;
  const auto leaf = pki.leaf_for({"edge.corp.example"});
  const auto verdict = verify_chain(
      leaf.cert.get(), {pki.intermediate().cert.get()}, anchors_of(pki), std::nullopt,
      Purpose::kServer, std::chrono::system_clock::now() + std::chrono::hours(24 * 200));
  EXPECT_TRUE(verdict.has(ChainIssue::kExpired));
}

TEST(ChainVerdict, NullLeafIsAVerdictNotACrash) {
  const auto verdict = verify_chain(nullptr, {}, TrustAnchors{}, std::nullopt, Purpose::kAny);
  EXPECT_FALSE(verdict.trusted);
  EXPECT_FALSE(verdict.reasons.empty());
}

}  // namespace
}  // namespace edgekit::x509
