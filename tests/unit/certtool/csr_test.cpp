// The request plan and the CSR as library functions.
#include <gtest/gtest.h>

#include "certtool/csr.hpp"
#include "certtool/key.hpp"
#include "common/config.hpp"
#include "common/x509.hpp"

namespace edgekit::certtool {
namespace {

Config config_with(const std::string& edge_extra, const std::string& cert_extra = "") {
  auto config = parse_config(
      "[edge]\nfqdn = \"Edge.Corp.Example\"\n"
      "xmpp_domains = [\"corp.example\", \"other.example\"]\n"
      "sip_domains = [\"corp.example\", \"other.example\"]\n" +
      edge_extra + "[certificate]\n" + cert_extra);
  EXPECT_TRUE(config) << (config ? "" : config.error().message());
  return config ? std::move(config).value() : Config{};
}

TEST(RequestPlan, NamesInContractOrderDeduplicated) {
  const auto config =
      config_with("additional_sans = [\"sip.corp.example\", \"xmpp.corp.example\"]\n");
  auto plan = plan_request(config, false);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan.value().subject.common_name, "edge.corp.example");
  EXPECT_EQ(
      plan.value().dns_names,
      (std::vector<std::string>{"edge.corp.example", "corp.example", "other.example",
                                "sip.corp.example", "sip.other.example", "xmpp.corp.example"}));
  EXPECT_TRUE(plan.value().srv_names.empty());
  EXPECT_TRUE(plan.value().warnings.empty());
}

TEST(RequestPlan, WildcardNeedsPermission) {
  const auto config = config_with("additional_sans = [\"*.corp.example\"]\n");
  auto refused = plan_request(config, false);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().exit_code(), ExitCode::kUsage);
  auto allowed = plan_request(config, true);
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed.value().dns_names.back(), "*.corp.example");
}

TEST(RequestPlan, XmppIdentitiesPerDomain) {
  const auto config = config_with("", "xmpp_identities = true\n");
  auto plan = plan_request(config, false);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan.value().srv_names,
            (std::vector<std::string>{"_xmpp-server.corp.example", "_xmpp-server.other.example"}));
  EXPECT_EQ(plan.value().xmpp_addrs, (std::vector<std::string>{"corp.example", "other.example"}));
  EXPECT_EQ(plan.value().warnings.size(), 1U);
}

TEST(Csr, CarriesNamesKeyAndRequestedUsages) {
  const auto config = config_with("", "xmpp_identities = true\n");
  auto plan = plan_request(config, false);
  ASSERT_TRUE(plan);
  for (const auto type : {KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048}) {
    auto key = generate_key(type);
    ASSERT_TRUE(key);
    auto csr = build_csr(plan.value(), key.value().get());
    ASSERT_TRUE(csr) << csr.error().message();
    const auto pem = csr_to_pem(csr.value().get());
    auto parsed = parse_csr(pem);
    ASSERT_TRUE(parsed);
    const auto info = inspect_csr(parsed.value().get());
    EXPECT_TRUE(info.signature_ok);
    EXPECT_EQ(info.dns_names, plan.value().dns_names);
    EXPECT_EQ(info.spki_sha256, spki_sha256_of_key(key.value().get()));
    EXPECT_EQ(info.key, x509::key_description(key.value().get()));
    EXPECT_NE(std::find(info.other_names.begin(), info.other_names.end(),
                        "SRVName:_xmpp-server.corp.example"),
              info.other_names.end());
    EXPECT_NE(std::find(info.other_names.begin(), info.other_names.end(), "xmppAddr:other.example"),
              info.other_names.end());
  }
}

TEST(Csr, GarbageIsAnError) {
  EXPECT_FALSE(
      parse_csr("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"));
  EXPECT_FALSE(parse_csr(std::string(100, '\x30')));
  EXPECT_FALSE(parse_csr(""));
}

}  // namespace
}  // namespace edgekit::certtool
