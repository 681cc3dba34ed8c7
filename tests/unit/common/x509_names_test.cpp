// RFC 6125 / RFC 9525 DNS-ID matching: a table of presented identifier x reference identifier.
#include <gtest/gtest.h>

#include "common/x509.hpp"
#include "tests/support/test_pki.hpp"

namespace edgekit::x509 {
namespace {

struct NameCase {
  const char* presented;
  const char* reference;
  bool expected;
  const char* why;
};

class DnsIdTable : public ::testing::TestWithParam<NameCase> {};

TEST_P(DnsIdTable, Matches) {
  const auto& c = GetParam();
  EXPECT_EQ(matches_dns_id(c.presented, c.reference), c.expected)
      << c.presented << " vs " << c.reference << ": " << c.why;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc6125, DnsIdTable,
    ::testing::Values(
        NameCase{"example.com", "example.com", true, "exact"},
        NameCase{"EXAMPLE.com", "example.COM", true, "case-insensitive (RFC 6125 §6.4.1)"},
        NameCase{"example.com.", "example.com", true, "trailing dot ignored"},
        NameCase{"example.com", "www.example.com", false, "different name"},
        NameCase{"*.example.com", "foo.example.com", true, "wildcard covers one label"},
        NameCase{"*.example.com", "FOO.Example.Com", true, "wildcard, case-insensitive"},
        NameCase{"*.example.com", "example.com", false, "wildcard needs a label (§6.4.3)"},
        NameCase{"*.example.com", "bar.foo.example.com", false, "wildcard is one label only"},
        NameCase{"*.example.com", ".example.com", false, "empty left label"},
        NameCase{"*.com", "example.com", false, "wildcard over a whole TLD"},
        NameCase{"*.co", "example.co", false, "two-label wildcard (public-suffix-like)"},
        NameCase{"f*.example.com", "foo.example.com", false, "partial wildcard (RFC 9525)"},
        NameCase{"*oo.example.com", "foo.example.com", false, "partial wildcard suffix"},
        NameCase{"www.*.example.com", "www.foo.example.com", false, "wildcard not left-most"},
        NameCase{"*.*.example.com", "a.b.example.com", false, "two wildcards"},
        NameCase{"*", "example", false, "bare wildcard"},
        NameCase{"xn--bcher-kva.example", "xn--bcher-kva.example", true, "A-label exact"},
        NameCase{"*.xn--bcher-kva.example", "a.xn--bcher-kva.example", true,
                 "wildcard over an IDN base"},
        NameCase{"bücher.example", "xn--bcher-kva.example", false,
                 "U-label in a certificate is not a valid DNS-ID"},
        NameCase{"example.com", "*.example.com", false, "wildcard reference never matches"},
        NameCase{"", "example.com", false, "empty presented"},
        NameCase{"example.com", "", false, "empty reference"},
        NameCase{"a..example.com", "a..example.com", false, "empty label"}));

TEST(DnsId, EmbeddedNulNeverMatches) {
  using namespace std::string_view_literals;
  EXPECT_FALSE(matches_dns_id("example.com\0.evil.example"sv, "example.com"sv));
  EXPECT_FALSE(matches_dns_id("example.com"sv, "example.com\0"sv));
}

TEST(MatchesDomain, UsesSansAndNormalisesReference) {
  const testing::TestPki pki;
  const auto leaf = pki.leaf_for({"corp.example", "*.corp.example", "xn--bcher-kva.example"});
  EXPECT_TRUE(matches_domain(leaf.cert.get(), "corp.example"));
  EXPECT_TRUE(matches_domain(leaf.cert.get(), "EDGE.corp.example"));
  EXPECT_TRUE(matches_domain(leaf.cert.get(), "bücher.example"));  // U-label reference
  EXPECT_FALSE(matches_domain(leaf.cert.get(), "a.b.corp.example"));
  EXPECT_FALSE(matches_domain(leaf.cert.get(), "other.example"));
}

TEST(MatchesDomain, NoCnFallbackWhenDnsSanExists) {
  const testing::TestPki pki;
  testing::CertSpec spec;
  spec.common_name = "cn-only.example";
  spec.dns_names = {"san.example"};
  const auto leaf = pki.leaf(spec);
  EXPECT_TRUE(matches_domain(leaf.cert.get(), "san.example"));
  EXPECT_FALSE(matches_domain(leaf.cert.get(), "cn-only.example"));
}

TEST(MatchesDomain, CnUsedOnlyWithoutDnsSans) {
  const testing::TestPki pki;
  testing::CertSpec spec;
  spec.common_name = "legacy.example";
  spec.dns_names = {};
  spec.other_sans = {"URI:sip:legacy.example"};
  const auto leaf = pki.leaf(spec);
  EXPECT_TRUE(matches_domain(leaf.cert.get(), "legacy.example"));
  EXPECT_FALSE(matches_domain(leaf.cert.get(), "www.legacy.example"));

  spec.common_name = "*.wild.example";
  const auto wild = pki.leaf(spec);
  EXPECT_FALSE(matches_domain(wild.cert.get(), "a.wild.example"));  // no wildcard in CN-ID
}

TEST(MatchesDomain, AgreesWithOpensslCheckHostForPlainCases) {
  const testing::TestPki pki;
  const auto leaf = pki.leaf_for({"*.corp.example", "edge.example"});
  for (const char* reference :
       {"a.corp.example", "corp.example", "edge.example", "x.y.corp.example", "nomatch.example"}) {
    const bool openssl = X509_check_host(leaf.cert.get(), reference, 0,
                                         X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr) == 1;
    EXPECT_EQ(matches_domain(leaf.cert.get(), reference), openssl) << reference;
  }
}

// RFC 6120 §13.7.2 / RFC 9525: an XMPP server domain may be proved by a DNS-ID, an SRV-ID or
// an id-on-xmppAddr, and the CN only when none of them is presented.
TEST(MatchesXmppDomain, DnsIdSrvIdAndXmppAddr) {
  const testing::TestPki pki;
  testing::CertSpec spec;
  spec.common_name = "cn.example";
  spec.dns_names = {"dns.example"};
  spec.other_sans = {"otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.srv.example",
                     "otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpps-server.*.wild.example",
                     "otherName:1.3.6.1.5.5.7.8.7;IA5:_sip._tcp.sip-only.example",
                     "otherName:1.3.6.1.5.5.7.8.5;UTF8:xmpp.example",
                     "otherName:1.3.6.1.5.5.7.8.5;UTF8:*.xwild.example"};
  const auto leaf = pki.leaf(spec);
  X509* cert = leaf.cert.get();
  EXPECT_TRUE(matches_xmpp_domain(cert, "dns.example"));
  EXPECT_TRUE(matches_xmpp_domain(cert, "SRV.example"));
  EXPECT_TRUE(matches_xmpp_domain(cert, "a.wild.example"));
  EXPECT_TRUE(matches_xmpp_domain(cert, "xmpp.example"));
  EXPECT_FALSE(matches_xmpp_domain(cert, "sip-only.example"));  // another service's SRV-ID
  EXPECT_FALSE(matches_xmpp_domain(cert, "a.xwild.example"));   // no wildcard in xmppAddr
  EXPECT_FALSE(matches_xmpp_domain(cert, "cn.example"));        // identifiers present: no CN
  EXPECT_FALSE(matches_xmpp_domain(cert, "other.example"));
  EXPECT_FALSE(matches_xmpp_domain(nullptr, "dns.example"));
}

TEST(MatchesXmppDomain, CnOnlyWithoutAnyIdentifier) {
  const testing::TestPki pki;
  testing::CertSpec spec;
  spec.common_name = "legacy.example";
  spec.dns_names = {};
  const auto legacy = pki.leaf(spec);
  EXPECT_TRUE(matches_xmpp_domain(legacy.cert.get(), "legacy.example"));
  spec.other_sans = {"otherName:1.3.6.1.5.5.7.8.5;UTF8:xmpp.example"};
  const auto with_xmpp_addr = pki.leaf(spec);
  EXPECT_FALSE(matches_xmpp_domain(with_xmpp_addr.cert.get(), "legacy.example"));
}

}  // namespace
}  // namespace edgekit::x509
