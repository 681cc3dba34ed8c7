#include <gtest/gtest.h>

#include "edgeproxy/xmpp/dialback_key.hpp"

namespace edgekit::edgeproxy {
namespace {

TEST(DialbackKeys, MatchesTheXep0185Example) {
  // XEP-0185 example: secret "s3cr3tf0rd14lb4ck", receiving xmpp.example.com, originating
  // example.org, stream id D60000229F.
  const DialbackKeys keys("s3cr3tf0rd14lb4ck");
  EXPECT_EQ(keys.generate("xmpp.example.com", "example.org", "D60000229F"),
            "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643");
  EXPECT_TRUE(keys.verify("xmpp.example.com", "example.org", "D60000229F",
                          "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"));
  EXPECT_FALSE(keys.verify("xmpp.example.com", "example.org", "D60000229F", "37c69b"));
  EXPECT_FALSE(keys.verify("xmpp.example.com", "example.org", "D60000229G",
                           "37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643"));
  EXPECT_NE(DialbackKeys::random().generate("a", "b", "c"),
            DialbackKeys::random().generate("a", "b", "c"));
}

}  // namespace
}  // namespace edgekit::edgeproxy
