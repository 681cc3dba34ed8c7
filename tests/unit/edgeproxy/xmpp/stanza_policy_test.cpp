#include <gtest/gtest.h>

#include "edgeproxy/xmpp/stanza_policy.hpp"
#include "session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

using testing::make_stanza;

TEST(StanzaPolicy, FederatedUsersAndMasterSwitch) {
  const auto config =
      testing::make_config("[[partner]]\ndomain = \"partner.example\"\n",
                           "federated_users = [\"alice@corp.example\", \"*@corp2.example\"]");
  StanzaPolicy policy;
  const Partner& partner = config->partners.at(0);
  using D = StanzaPolicy::Direction;
  EXPECT_FALSE(policy
                   .check(*config, partner,
                          make_stanza("message", "j@partner.example", "Alice@corp.example/r"),
                          D::kInbound)
                   .has_value());
  auto refusal =
      policy.check(*config, partner,
                   make_stanza("message", "j@partner.example", "bob@corp.example"), D::kInbound);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->reason, "user-not-federated");
  EXPECT_EQ(refusal->condition, StanzaError::kPolicyViolation);
  EXPECT_TRUE(policy
                  .check(*config, partner,
                         make_stanza("message", "bob@corp.example", "j@partner.example"),
                         D::kOutbound)
                  .has_value());
  EXPECT_FALSE(policy
                   .check(*config, partner,
                          make_stanza("message", "anyone@corp2.example", "j@partner.example"),
                          D::kOutbound)
                   .has_value());
  EXPECT_FALSE(policy
                   .check(*config, partner,
                          make_stanza("iq", "partner.example", "corp.example", "get"), D::kInbound)
                   .has_value());
  const auto closed = testing::make_config("[[partner]]\ndomain = \"partner.example\"\n",
                                           "allow_federated_users = false");
  refusal =
      policy.check(*closed, closed->partners.at(0),
                   make_stanza("message", "j@partner.example", "alice@corp.example"), D::kInbound);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->reason, "federation-disabled");
}

TEST(StanzaPolicy, SubscriptionRuleByPartnerType) {
  const auto config = testing::make_config(
      "[[partner]]\ndomain = \"unverified.example\"\ntype = \"public-unverified\"\n"
      "[[partner]]\ndomain = \"verified.example\"\ntype = \"public-verified\"\n"
      "[[partner]]\ndomain = \"fed.example\"\ntype = \"federated\"\n");
  using D = StanzaPolicy::Direction;
  StanzaPolicy policy;
  const Partner& unverified = config->partners.at(0);
  auto refusal = policy.check(
      *config, unverified,
      make_stanza("presence", "eve@unverified.example", "alice@corp.example", "subscribe"),
      D::kInbound);
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->reason, "subscription-not-requested");
  // Messages always pass.
  EXPECT_FALSE(policy
                   .check(*config, unverified,
                          make_stanza("message", "eve@unverified.example", "alice@corp.example"),
                          D::kInbound)
                   .has_value());
  // After alice asked for eve's presence, eve's request passes.
  EXPECT_FALSE(policy
                   .check(*config, unverified,
                          make_stanza("presence", "alice@corp.example/r", "eve@unverified.example",
                                      "subscribe"),
                          D::kOutbound)
                   .has_value());
  EXPECT_TRUE(policy.changed_since_save());
  EXPECT_FALSE(policy
                   .check(*config, unverified,
                          make_stanza("presence", "eve@unverified.example/x", "alice@corp.example",
                                      "subscribe"),
                          D::kInbound)
                   .has_value());
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_FALSE(policy
                     .check(*config, config->partners.at(i),
                            make_stanza("presence", "x@" + config->partners.at(i).domain,
                                        "alice@corp.example", "subscribe"),
                            D::kInbound)
                     .has_value());
  }
  StanzaPolicy restored;
  restored.restore(policy.remembered());
  EXPECT_EQ(restored.remembered().size(), 1U);
}

}  // namespace
}  // namespace edgekit::edgeproxy
