#include "common/config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgekit {
namespace {

constexpr const char* kMinimal = R"(
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example"]
)";

std::string with(const std::string& extra) {
  return std::string(kMinimal) + extra;
}

// The error text of a config that must fail.
std::string error_of(const std::string& text) {
  auto config = parse_config(text, "test.toml");
  EXPECT_FALSE(config.has_value()) << "expected the config to be rejected";
  return config ? std::string() : config.error().why + config.error().what;
}

TEST(Config, SampleFileLoadsWithItsPartners) {
  auto config = load_config(std::string(EDGEKIT_SOURCE_DIR) + "/samples/edgekit.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  const auto& value = config.value();
  EXPECT_EQ(value.edge.fqdn, "edge.corp.example");
  ASSERT_EQ(value.partners.size(), 2U);
  EXPECT_EQ(value.partners[0].domain, "gmail.com");
  EXPECT_EQ(value.partners[0].tls, Negotiation::kNotSupported);
  EXPECT_TRUE(value.partners[0].dialback);
  EXPECT_EQ(value.partners[1].sasl, Negotiation::kRequired);
  EXPECT_EQ(value.federation.stream_establishment_timeout, std::chrono::seconds(60));
  EXPECT_EQ(value.federation.max_stanza_bytes, 262144U);
  ASSERT_TRUE(value.listen.metrics.has_value());
  EXPECT_EQ(value.listen.metrics->port, 9269);
  EXPECT_EQ(value.listen.s2s.at(0).host, "::");
  EXPECT_TRUE(value.warnings.empty());
  EXPECT_NE(value.find_partner("GMAIL.com"), nullptr);
  EXPECT_TRUE(value.is_local_domain("corp.example"));
}

TEST(Config, DefaultsApplyWhenTablesAreAbsent) {
  auto config = parse_config(kMinimal);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config.value().internal.port, 5347);
  EXPECT_EQ(config.value().federation.connection_limit, 1000U);
  EXPECT_EQ(config.value().edge.store, "/var/lib/edgekit");
  EXPECT_TRUE(config.value().partners.empty());
}

TEST(Config, VerifyCertificateDefaultsToTrueForFederatedPartnersOverRequiredTls) {
  auto config = parse_config(with(R"(
[[partner]]
domain = "fed.example"
type = "federated"
tls = "required"
sasl = "optional"
[[partner]]
domain = "public.example"
type = "public-verified"
tls = "required"
[[partner]]
domain = "legacy.example"
type = "federated"
tls = "not-supported"
[[partner]]
domain = "opted-out.example"
type = "federated"
tls = "required"
verify_certificate = false
)"));
  ASSERT_TRUE(config.has_value()) << config.error().message();
  const auto& partners = config.value().partners;
  EXPECT_TRUE(partners.at(0).verify_certificate);
  EXPECT_FALSE(partners.at(1).verify_certificate);
  EXPECT_FALSE(partners.at(2).verify_certificate);  // no TLS, no certificate to verify
  EXPECT_FALSE(partners.at(3).verify_certificate);
  EXPECT_FALSE(config.value().federation.strict_client_purpose);
}

TEST(Config, VerifyCertificateNeedsRequiredTls) {
  const std::string why = error_of(with(R"(
[[partner]]
domain = "p.example"
tls = "optional"
verify_certificate = true
)"));
  EXPECT_NE(why.find("verify_certificate"), std::string::npos) << why;
  EXPECT_NE(why.find("tls = \"required\""), std::string::npos) << why;
}

TEST(Config, StrictClientPurposeIsAFederationKey) {
  auto config = parse_config(with("[federation]\nstrict_client_purpose = true\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_TRUE(config.value().federation.strict_client_purpose);
}

TEST(Config, ConnectionAndRateLimitsHaveSafeDefaults) {
  auto config = parse_config(kMinimal);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  const auto& fed = config.value().federation;
  EXPECT_EQ(fed.connections_per_ip, 64U);
  EXPECT_EQ(fed.rate_bytes_per_second, 16U * 1024 * 1024);
  EXPECT_EQ(fed.rate_stanzas_per_second, 50'000U);
  EXPECT_EQ(fed.negotiation_step_timeout, std::chrono::seconds(10));
}

TEST(Config, ConnectionAndRateLimitsAreFederationKeysWithZeroForOff) {
  auto config =
      parse_config(with("[federation]\nconnections_per_ip = 0\nrate_bytes_per_second = 0\n"
                        "rate_stanzas_per_second = 10\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config.value().federation.connections_per_ip, 0U);
  EXPECT_EQ(config.value().federation.rate_bytes_per_second, 0U);
  EXPECT_EQ(config.value().federation.rate_stanzas_per_second, 10U);
}

TEST(Config, NegativeRateIsRefusedWithItsKey) {
  const auto why = error_of(with("[federation]\nrate_bytes_per_second = -1\n"));
  EXPECT_NE(why.find("federation.rate_bytes_per_second"), std::string::npos) << why;
}

TEST(Config, PartnerRatesOverrideOnlyWhereSet) {
  auto config = parse_config(with(R"(
[[partner]]
domain = "fast.example"
rate_bytes_per_second = 1000000
rate_stanzas_per_second = 0
[[partner]]
domain = "plain.example"
)"));
  ASSERT_TRUE(config.has_value()) << config.error().message();
  const auto& fast = config.value().partners.at(0);
  EXPECT_EQ(fast.rate_bytes_per_second, 1'000'000U);
  EXPECT_EQ(fast.rate_stanzas_per_second, 0U);
  EXPECT_FALSE(config.value().partners.at(1).rate_bytes_per_second.has_value());
  EXPECT_FALSE(config.value().partners.at(1).rate_stanzas_per_second.has_value());
}

TEST(Config, DomainsAreNormalisedToLowerCaseALabels) {
  auto config = parse_config(R"(
[edge]
fqdn = "Edge.Corp.Example."
xmpp_domains = ["bücher.example"]
)");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config.value().edge.fqdn, "edge.corp.example");
  EXPECT_EQ(config.value().edge.xmpp_domains.at(0), "xn--bcher-kva.example");
}

TEST(Config, SyntaxErrorNamesTheLine) {
  const auto why = error_of("[edge]\nfqdn = \"x.example\"\nxmpp_domains = [\n");
  EXPECT_NE(why.find("test.toml:"), std::string::npos) << why;
}

TEST(Config, UnknownKeyNamesKeyAndLine) {
  const auto why = error_of(with("[federation]\nconnection_limt = 5\n"));
  EXPECT_NE(why.find("test.toml:6: federation.connection_limt: unknown key"), std::string::npos)
      << why;
}

TEST(Config, UnknownTableIsAnError) {
  EXPECT_NE(error_of(with("[edges]\nx = 1\n")).find("edges: unknown"), std::string::npos);
}

TEST(Config, WrongTypeNamesTheExpectedType) {
  const auto why = error_of(with("[internal]\nport = \"5347\"\n"));
  EXPECT_NE(why.find("internal.port: expected an integer"), std::string::npos) << why;
}

TEST(Config, OutOfRangeIntegerIsRefused) {
  EXPECT_NE(error_of(with("[internal]\nport = 70000\n")).find("between 1 and 65535"),
            std::string::npos);
  EXPECT_NE(error_of(with("[federation]\nmax_stanza_bytes = 500\n")).find("max_stanza_bytes"),
            std::string::npos);
  for (const char* key : {"max_stanza_elements", "preauth_max_bytes", "preauth_max_elements"}) {
    const std::string why = error_of(with("[federation]\n" + std::string(key) + " = 2\n"));
    EXPECT_NE(why.find(key), std::string::npos) << why;
  }
}

TEST(Config, HostilePeerCapsHaveSafeDefaultsAndCanBeSet) {
  const FederationSection defaults;
  EXPECT_EQ(defaults.max_stanza_elements, 4096U);
  EXPECT_EQ(defaults.preauth_max_bytes, 8192U);
  EXPECT_EQ(defaults.preauth_max_elements, 32U);
  auto config = parse_config(with("[federation]\nmax_stanza_elements = 100\n"
                                  "preauth_max_bytes = 16384\npreauth_max_elements = 64\n"),
                             "t.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config.value().federation.max_stanza_elements, 100U);
  EXPECT_EQ(config.value().federation.preauth_max_bytes, 16384U);
  EXPECT_EQ(config.value().federation.preauth_max_elements, 64U);
}

TEST(Config, BadEnumListsTheChoices) {
  const auto why = error_of(with("[[partner]]\ndomain = \"p.example\"\ntls = \"maybe\"\n"));
  EXPECT_NE(why.find("partner[0].tls: expected one of \"required\", \"optional\""),
            std::string::npos)
      << why;
}

TEST(Config, DurationsNeedAUnit) {
  EXPECT_NE(error_of(with("[federation]\nkeepalive_interval = \"300\"\n"))
                .find("federation.keepalive_interval"),
            std::string::npos);
  auto config = parse_config(with("[federation]\nkeepalive_interval = \"90s\"\n"));
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config.value().federation.keepalive_interval, std::chrono::seconds(90));
}

TEST(Config, MissingFqdnIsAnError) {
  EXPECT_NE(error_of("[edge]\nxmpp_domains = [\"corp.example\"]\n").find("edge.fqdn: required"),
            std::string::npos);
}

TEST(Config, InvalidDomainIsRefused) {
  EXPECT_NE(error_of("[edge]\nfqdn = \"bad_host.example\"\nxmpp_domains = [\"c.example\"]\n")
                .find("edge.fqdn"),
            std::string::npos);
}

TEST(Config, MatrixSaslRequiredWithoutTlsOrDialbackIsAnError) {
  const auto why = error_of(with(R"([[partner]]
domain = "p.example"
tls = "not-supported"
sasl = "required"
dialback = false
)"));
  EXPECT_NE(why.find("can never succeed"), std::string::npos) << why;
  EXPECT_NE(why.find("test.toml:5: partner[0]"), std::string::npos) << why;
}

TEST(Config, MatrixNoAuthenticationMethodIsAnError) {
  EXPECT_NE(error_of(with("[[partner]]\ndomain = \"p.example\"\ntls = \"required\"\n"
                          "sasl = \"not-supported\"\ndialback = false\n"))
                .find("no authentication method"),
            std::string::npos);
}

TEST(Config, MatrixWarningsSayWhy) {
  auto config = parse_config(with(R"([[partner]]
domain = "a.example"
tls = "optional"
sasl = "required"
dialback = true
[[partner]]
domain = "b.example"
tls = "required"
sasl = "required"
dialback = true
)"),
                             "test.toml");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  const auto& warnings = config.value().warnings;
  ASSERT_EQ(warnings.size(), 2U);
  EXPECT_NE(warnings[0].find("tls = \"optional\""), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find("dialback = true has no effect"), std::string::npos) << warnings[1];
}

TEST(Config, PartnerDomainsMustBeUniqueAndRemote) {
  EXPECT_NE(error_of(with("[[partner]]\ndomain = \"p.example\"\n[[partner]]\ndomain = "
                          "\"x.example\"\nadditional_domains = [\"P.example\"]\n"))
                .find("more than one partner"),
            std::string::npos);
  EXPECT_NE(error_of(with("[[partner]]\ndomain = \"corp.example\"\n")).find("must be remote"),
            std::string::npos);
}

TEST(Config, Dns01NeedsAnUpdateServer) {
  EXPECT_NE(error_of(with("[acme]\nchallenge = \"dns-01\"\n")).find("dns_update_server"),
            std::string::npos);
}

TEST(Config, FederatedUsersEntriesAreChecked) {
  EXPECT_NE(error_of(with("[federation]\nfederated_users = [\"a@b@c\"]\n"))
                .find("federation.federated_users"),
            std::string::npos);
  EXPECT_TRUE(
      parse_config(
          with("[federation]\nfederated_users = [\"*@corp.example\", \"bob@corp.example\"]\n"))
          .has_value());
}

TEST(Config, EveryErrorIsReportedNotJustTheFirst) {
  const auto why = error_of(with("[internal]\nport = 0\nhost = 5\n"));
  EXPECT_NE(why.find("internal.port"), std::string::npos);
  EXPECT_NE(why.find("internal.host"), std::string::npos);
}

TEST(Config, ConfigErrorsExitWithUsageCode) {
  auto config = parse_config("nonsense = ");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().exit_code(), ExitCode::kUsage);
}

TEST(Config, UnreadableFileIsAClearError) {
  auto config = load_config("/nonexistent/edgekit.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().what, "/nonexistent/edgekit.toml");
  EXPECT_NE(config.error().why.find("No such file"), std::string::npos);
}

TEST(Endpoint, ParsesHostPortForms) {
  EXPECT_EQ(parse_endpoint("[::]:5269"), (Endpoint{"::", 5269}));
  EXPECT_EQ(parse_endpoint("127.0.0.1:53"), (Endpoint{"127.0.0.1", 53}));
  EXPECT_EQ(parse_endpoint("10.0.0.1", 53), (Endpoint{"10.0.0.1", 53}));
  EXPECT_EQ(parse_endpoint("[2001:db8::1]", 53), (Endpoint{"2001:db8::1", 53}));
  EXPECT_FALSE(parse_endpoint("::1:53").has_value());
  EXPECT_FALSE(parse_endpoint("host:0").has_value());
  EXPECT_FALSE(parse_endpoint("host:99999").has_value());
  EXPECT_FALSE(parse_endpoint("host").has_value());
  EXPECT_EQ((Endpoint{"::1", 5269}).to_string(), "[::1]:5269");
}

}  // namespace
}  // namespace edgekit
