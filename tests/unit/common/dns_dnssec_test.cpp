// Trust-anchor files: the DS and DNSKEY lines a DNSSEC chase starts from.
#include <gtest/gtest.h>

#include "common/dns_dnssec.hpp"

namespace edgekit::dns {
namespace {

TEST(TrustAnchors, ParsesDsAndDnskeyLines) {
  const auto anchors = TrustAnchors::parse(
      "; comment\n"
      "corp.example. 3600 IN DS 12345 13 2 "
      "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
      "\n"
      "sub.corp.example. IN DNSKEY 257 3 13 (\n"
      "  mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
      ")\n");
  ASSERT_TRUE(anchors) << anchors.error().message();
  EXPECT_EQ(anchors.value().size(), 2U);
  EXPECT_EQ(anchors.value().zone_for("edge.corp.example"), "corp.example");
  EXPECT_EQ(anchors.value().zone_for("a.sub.corp.example"), "sub.corp.example");
  EXPECT_EQ(anchors.value().zone_for("xcorp.example"), "");
}

// Found by fuzz_common_dns_trust_anchors: ldns reads a generic type beyond 16 bits into a value
// outside its enum; the type is refused from the text before ldns is asked.
TEST(TrustAnchors, RefusesAGenericTypeBeyondSixteenBits) {
  const auto anchors = TrustAnchors::parse("360[I51 32  TYPE720123D2\n", "f");
  ASSERT_FALSE(anchors);
  EXPECT_NE(anchors.error().message().find("not TYPE720123D2"), std::string::npos)
      << anchors.error().message();
  EXPECT_FALSE(TrustAnchors::parse("corp.example. 3600 IN TYPE720123 \\# 0\n", "f"));
}

TEST(TrustAnchors, RefusesOtherTypesAndGarbage) {
  auto a = TrustAnchors::parse("corp.example. IN A 192.0.2.1\n", "f");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().what, "f:1");
  EXPECT_FALSE(TrustAnchors::parse("corp.example. IN DS ((\n"));
  EXPECT_FALSE(TrustAnchors::parse("not a record at all\n"));
  EXPECT_FALSE(TrustAnchors::parse("; only comments\n"));
  EXPECT_EQ(exit_code_of(TrustAnchors::parse("").error().code), ExitCode::kUsage);
}

}  // namespace
}  // namespace edgekit::dns
