#include <gtest/gtest.h>

#include "dane_fixture.hpp"
#include "dnstool/posh_document.hpp"

namespace edgekit::dnstool {
namespace {

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

}  // namespace
}  // namespace edgekit::dnstool
