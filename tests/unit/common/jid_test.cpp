#include "common/jid.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgekit {
namespace {

struct JidCase {
  const char* input;
  const char* local;
  const char* domain;
  const char* resource;
};

// Valid JIDs from RFC 7622 §3.5, with the normalised parts this implementation yields.
class ValidJid : public ::testing::TestWithParam<JidCase> {};

TEST_P(ValidJid, SplitsAndNormalises) {
  const auto& c = GetParam();
  auto jid = Jid::parse(c.input);
  ASSERT_TRUE(jid.has_value()) << c.input << ": " << jid.error().message();
  EXPECT_EQ(jid.value().local(), c.local);
  EXPECT_EQ(jid.value().domain(), c.domain);
  EXPECT_EQ(jid.value().resource(), c.resource);
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7622, ValidJid,
    ::testing::Values(JidCase{"juliet@example.com", "juliet", "example.com", ""},
                      JidCase{"juliet@example.com/foo", "juliet", "example.com", "foo"},
                      JidCase{"juliet@example.com/foo bar", "juliet", "example.com", "foo bar"},
                      JidCase{"juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar"},
                      JidCase{"foo\\20bar@example.com", "foo\\20bar", "example.com", ""},
                      JidCase{"fussball@example.com", "fussball", "example.com", ""},
                      JidCase{"example.com", "", "example.com", ""},
                      JidCase{"example.com/foobar", "", "example.com", "foobar"},
                      JidCase{"a.example.com/b@example.net", "", "a.example.com", "b@example.net"},
                      JidCase{"Juliet@Example.COM", "juliet", "example.com", ""},
                      JidCase{"romeo@bücher.example", "romeo", "xn--bcher-kva.example", ""},
                      JidCase{"romeo@example.com.", "romeo", "example.com", ""}),
    [](const auto& case_info) { return "case" + std::to_string(case_info.index); });

// Invalid JIDs from RFC 7622 §3.5 and length limits.
class InvalidJid : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidJid, IsRefusedWithAReason) {
  auto jid = Jid::parse(GetParam());
  ASSERT_FALSE(jid.has_value()) << GetParam();
  EXPECT_FALSE(jid.error().why.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7622, InvalidJid,
    ::testing::Values("\"juliet\"@example.com", "foo bar@example.com", "@example.com",
                      "henryⅣ@example.com/", "juliet@example.com/", "juliet@", "",
                      "a<b@example.com", std::string(1024, 'a') + "@x.example",
                      "x@" + std::string(64, 'a') + ".example", "x@bad_label.example",
                      "x@-lead.example", "x@\xC3\x28.example", "x@xn--invalid-.example"),
    [](const auto& case_info) { return "case" + std::to_string(case_info.index); });

TEST(Domain, NormalisesIdnToALabel) {
  auto domain = normalize_domain("BÜCHER.example");
  ASSERT_TRUE(domain.has_value()) << domain.error().message();
  EXPECT_EQ(domain.value(), "xn--bcher-kva.example");
  EXPECT_EQ(domain_to_unicode("xn--bcher-kva.example"), "bücher.example");
}

TEST(Domain, RefusesOverlongNames) {
  std::string name;
  for (int i = 0; i < 60; ++i) {
    name += "abcd.";
  }
  name += "example";
  EXPECT_FALSE(normalize_domain(name).has_value());
}

TEST(Domain, FastDomainViewMatchesParse) {
  EXPECT_EQ(jid_domain_view("juliet@example.com/res@x"), "example.com");
  EXPECT_EQ(jid_domain_view("example.com"), "example.com");
  EXPECT_EQ(jid_domain_view("a@b"), "b");
  EXPECT_TRUE(iequals_ascii("Corp.Example", "corp.EXAMPLE"));
  EXPECT_FALSE(iequals_ascii("corp.example", "corp.example."));
}

TEST(Jid, BareAndFullForms) {
  auto jid = Jid::parse("Romeo@Montague.Example/Orchard");
  ASSERT_TRUE(jid.has_value());
  EXPECT_EQ(jid.value().bare(), "romeo@montague.example");
  EXPECT_EQ(jid.value().full(), "romeo@montague.example/Orchard");
  EXPECT_FALSE(jid.value().is_bare());
}

}  // namespace
}  // namespace edgekit
