// The subscription memory survives a restart, a corrupt file is an empty memory (not a crash),
// and an unwritable store keeps the memory marked unsaved so the next save retries.

#include "edgeproxy/server/subscription_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_pki.hpp"
#include "tests/unit/edgeproxy/xmpp/session_test_support.hpp"

namespace edgekit::edgeproxy {
namespace {

void ask_first(StanzaPolicy& policy) {
  const auto config = testing::make_config(
      "[[partner]]\ndomain = \"unverified.example\"\ntype = \"public-unverified\"\n");
  EXPECT_FALSE(policy
                   .check(*config, config->partners.at(0),
                          testing::make_stanza("presence", "alice@corp.example/r",
                                               "eve@unverified.example", "subscribe"),
                          StanzaPolicy::Direction::kOutbound)
                   .has_value());
}

TEST(SubscriptionStore, SavedMemoryIsRestored) {
  const edgekit::testing::TempDir store("subscriptions");
  StanzaPolicy before;
  ask_first(before);
  ASSERT_TRUE(before.changed_since_save());
  save_subscriptions(store.path().string(), before);
  EXPECT_FALSE(before.changed_since_save());

  StanzaPolicy after;
  load_subscriptions(store.path().string(), after);
  EXPECT_EQ(after.remembered(), before.remembered());
  EXPECT_FALSE(after.remembered().empty());
}

TEST(SubscriptionStore, CorruptFileIsAnEmptyMemory) {
  const edgekit::testing::TempDir store("subscriptions");
  std::filesystem::create_directories(store.path() / "edgeproxy");
  std::ofstream(store.path() / "edgeproxy" / "subscriptions.json") << "{not json";
  StanzaPolicy policy;
  load_subscriptions(store.path().string(), policy);
  EXPECT_TRUE(policy.remembered().empty());
}

TEST(SubscriptionStore, FailedSaveIsRetriedLater) {
  const edgekit::testing::TempDir store("subscriptions");
  StanzaPolicy policy;
  ask_first(policy);
  const auto missing = store.path() / "no" / "such" / "store";
  save_subscriptions(missing.string(), policy);
  EXPECT_TRUE(policy.changed_since_save());
}

}  // namespace
}  // namespace edgekit::edgeproxy
