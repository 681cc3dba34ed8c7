// The pure parts of the DNS layer: nameserver parsing, RFC 2782 order, trust-anchor files.
#include <gtest/gtest.h>

#include "common/dns_client.hpp"
#include "common/dns_dnssec.hpp"

namespace edgekit::dns {
namespace {

TEST(Nameserver, ParsesAddressesAndPorts) {
  EXPECT_EQ(parse_nameserver("127.0.0.1")->port, 53);
  EXPECT_EQ(parse_nameserver("127.0.0.1:5353")->port, 5353);
  EXPECT_EQ(parse_nameserver("::1")->address, "::1");
  EXPECT_EQ(parse_nameserver("[::1]:5353")->port, 5353);
  EXPECT_EQ(parse_nameserver("[::1]:5353")->to_string(), "[::1]:5353");
  EXPECT_FALSE(parse_nameserver("ns.example"));
  EXPECT_FALSE(parse_nameserver("127.0.0.1:0"));
  EXPECT_FALSE(parse_nameserver("127.0.0.1:99999"));
  EXPECT_FALSE(parse_nameserver("[::1"));
  EXPECT_FALSE(parse_nameserver(""));
}

TEST(Srv, Rfc2782OrderSortsPriorityThenWeight) {
  std::vector<SrvRecord> records = {
      {10, 5, 5269, "c", 0}, {0, 10, 5269, "b", 0}, {0, 50, 5269, "a", 0}, {0, 10, 5269, "b2", 0}};
  const auto ordered = rfc2782_order(records);
  ASSERT_EQ(ordered.size(), 4U);
  EXPECT_EQ(ordered[0].target, "a");
  EXPECT_EQ(ordered[1].target, "b");
  EXPECT_EQ(ordered[2].target, "b2");
  EXPECT_EQ(ordered[3].target, "c");
}

TEST(Names, Canonical) {
  EXPECT_EQ(canonical_name("Edge.Corp.Example."), "edge.corp.example");
  EXPECT_EQ(canonical_name("."), ".");
}

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
