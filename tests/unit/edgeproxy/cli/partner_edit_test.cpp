#include "edgeproxy/cli/partner_edit.hpp"

#include <gtest/gtest.h>

namespace edgekit::edgeproxy {
namespace {

constexpr const char* kFile = R"(# my edge
[edge]
fqdn = "edge.corp.example"
xmpp_domains = ["corp.example"]

# the legacy one
[[partner]]
domain = "gmail.com"   # keep me? no: the table is rewritten
dialback = true

# a modern partner
[[partner]]
domain = "fabrikam.example"
tls = "required"
sasl = "required"
dialback = false
)";

TEST(PartnerEdit, ReplaceKeepsEverythingElse) {
  Partner partner;
  partner.domain = "gmail.com";
  partner.keepalive = true;
  partner.additional_domains = {"talk.gmail.com"};
  auto edited = replace_partner_table(kFile, "gmail.com", render_partner_table(partner));
  ASSERT_TRUE(edited.has_value()) << edited.error().message();
  const std::string& text = edited.value();
  EXPECT_NE(text.find("# my edge\n"), std::string::npos);
  EXPECT_NE(text.find("# the legacy one\n[[partner]]\ndomain = \"gmail.com\"\n"),
            std::string::npos);
  EXPECT_NE(text.find("keepalive = true\n"), std::string::npos);
  EXPECT_NE(text.find("\n# a modern partner\n[[partner]]\ndomain = \"fabrikam.example\""),
            std::string::npos);
  auto config = parse_config(text);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  ASSERT_EQ(config.value().partners.size(), 2U);
  EXPECT_TRUE(config.value().partners[0].keepalive);
  EXPECT_EQ(config.value().partners[0].additional_domains.at(0), "talk.gmail.com");
  EXPECT_EQ(config.value().partners[1].tls, Negotiation::kRequired);
}

TEST(PartnerEdit, AddAndRemove) {
  Partner partner;
  partner.domain = "new.example";
  partner.description = "quote \" and backslash \\";
  auto added = replace_partner_table(kFile, "new.example", render_partner_table(partner));
  ASSERT_TRUE(added.has_value());
  auto config = parse_config(added.value());
  ASSERT_TRUE(config.has_value()) << config.error().message();
  ASSERT_EQ(config.value().partners.size(), 3U);
  EXPECT_EQ(config.value().partners[2].description, "quote \" and backslash \\");

  auto removed = replace_partner_table(kFile, "gmail.com", "");
  ASSERT_TRUE(removed.has_value());
  config = parse_config(removed.value());
  ASSERT_TRUE(config.has_value()) << config.error().message();
  ASSERT_EQ(config.value().partners.size(), 1U);
  EXPECT_EQ(config.value().partners[0].domain, "fabrikam.example");
  EXPECT_NE(removed.value().find("# a modern partner"), std::string::npos);
}

TEST(PartnerEdit, VerifyCertificateIsWrittenOnlyWhenChosen) {
  Partner partner;
  partner.domain = "fed.example";
  partner.type = PartnerType::kFederated;
  partner.tls = Negotiation::kRequired;
  partner.sasl = Negotiation::kOptional;
  // Not chosen: the file leaves it to type and tls, so a later `partner set --tls` keeps it
  // consistent.
  const std::string derived = render_partner_table(partner);
  EXPECT_EQ(derived.find("verify_certificate"), std::string::npos);
  auto config = parse_config(std::string("[edge]\nfqdn = \"e.x.example\"\nxmpp_domains = "
                                         "[\"x.example\"]\n") +
                             derived);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_TRUE(config.value().partners.at(0).verify_certificate);
  partner.verify_certificate = false;
  partner.verify_certificate_set = true;
  EXPECT_NE(render_partner_table(partner).find("verify_certificate = false\n"), std::string::npos);
}

TEST(PartnerEdit, PartnerRatesSurviveARewriteAndAreWrittenOnlyWhenSet) {
  Partner partner;
  partner.domain = "fast.example";
  EXPECT_EQ(render_partner_table(partner).find("rate_"), std::string::npos);
  partner.rate_bytes_per_second = 1'000'000;
  partner.rate_stanzas_per_second = 0;
  auto config = parse_config(std::string("[edge]\nfqdn = \"e.x.example\"\nxmpp_domains = "
                                         "[\"x.example\"]\n") +
                             render_partner_table(partner));
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config.value().partners.at(0).rate_bytes_per_second, 1'000'000U);
  EXPECT_EQ(config.value().partners.at(0).rate_stanzas_per_second, 0U);
}

TEST(PartnerEdit, BrokenFileIsAnError) {
  EXPECT_FALSE(replace_partner_table("[edge\n", "x.example", "").has_value());
}

}  // namespace
}  // namespace edgekit::edgeproxy
