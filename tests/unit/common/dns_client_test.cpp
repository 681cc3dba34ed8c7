// The pure parts of the DNS client: nameserver parsing, RFC 2782 orders, name canonicalisation.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/dns_client.hpp"

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

// A scripted random source: hands out `draws` in turn and records every bound asked for.
struct ScriptedRandom {
  std::deque<std::uint32_t> draws;
  std::vector<std::uint32_t> bounds;

  SrvRandom source() {
    return [this](std::uint32_t bound) {
      bounds.push_back(bound);
      const std::uint32_t draw = draws.empty() ? 0 : draws.front();
      if (!draws.empty()) {
        draws.pop_front();
      }
      return draw;
    };
  }
};

std::vector<std::string> targets_of(const std::vector<SrvRecord>& records) {
  std::vector<std::string> targets;
  for (const auto& record : records) {
    targets.push_back(record.target);
  }
  return targets;
}

TEST(Srv, SelectionOrderTakesPrioritiesAscending) {
  ScriptedRandom random;
  const std::vector<SrvRecord> records = {
      {20, 0, 5269, "c", 0}, {0, 0, 5269, "a", 0}, {10, 0, 5269, "b", 0}};
  EXPECT_EQ(targets_of(rfc2782_selection_order(records, random.source())),
            (std::vector<std::string>{"a", "b", "c"}));
  // One draw per record, each over the weights left in its priority (all zero here).
  EXPECT_EQ(random.bounds, (std::vector<std::uint32_t>{0, 0, 0}));
}

TEST(Srv, SelectionOrderPicksByRunningWeightSum) {
  // Running sums a:1, b:4, c:10 (total 10).
  const std::vector<SrvRecord> records = {
      {0, 1, 5269, "a", 0}, {0, 3, 5269, "b", 0}, {0, 6, 5269, "c", 0}};
  ScriptedRandom middle{{2, 0, 0}, {}};
  // 2 lands in b's share; then a:1, c:7 and 0 picks a; c is left.
  EXPECT_EQ(targets_of(rfc2782_selection_order(records, middle.source())),
            (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(middle.bounds, (std::vector<std::uint32_t>{10, 7, 6}));

  ScriptedRandom top{{10, 4, 1}, {}};
  EXPECT_EQ(targets_of(rfc2782_selection_order(records, top.source())),
            (std::vector<std::string>{"c", "b", "a"}));
  EXPECT_EQ(top.bounds, (std::vector<std::uint32_t>{10, 4, 1}));
}

TEST(Srv, SelectionOrderPutsZeroWeightsFirstButPicksThemOnlyOnZero) {
  const std::vector<SrvRecord> records = {
      {0, 5, 5269, "heavy", 0}, {0, 0, 5269, "zero1", 0}, {0, 0, 5269, "zero2", 0}};
  // A draw of 0 reaches the zero-weight records first (in their published order).
  ScriptedRandom zeros{{0, 0, 0}, {}};
  EXPECT_EQ(targets_of(rfc2782_selection_order(records, zeros.source())),
            (std::vector<std::string>{"zero1", "zero2", "heavy"}));
  // Any other draw skips them; once only zero weights are left they go in published order.
  ScriptedRandom ones{{1, 0, 0}, {}};
  EXPECT_EQ(targets_of(rfc2782_selection_order(records, ones.source())),
            (std::vector<std::string>{"heavy", "zero1", "zero2"}));
  EXPECT_EQ(ones.bounds, (std::vector<std::uint32_t>{5, 0, 0}));
}

TEST(Srv, SelectionOrderKeepsEveryRecordOnce) {
  const std::vector<SrvRecord> records = {
      {1, 10, 1, "a", 0}, {0, 20, 2, "b", 0}, {1, 30, 3, "c", 0}, {0, 0, 4, "d", 0}};
  for (int i = 0; i < 50; ++i) {
    auto ordered = rfc2782_selection_order(records, srv_random);
    ASSERT_EQ(ordered.size(), 4U);
    EXPECT_LE(ordered[0].priority, ordered[1].priority);
    EXPECT_EQ(ordered[1].priority, 0);
    EXPECT_EQ(ordered[2].priority, 1);
    EXPECT_EQ(ordered[3].priority, 1);
  }
  EXPECT_TRUE(rfc2782_selection_order({}, srv_random).empty());
}

TEST(Srv, RandomSourceStaysWithinBounds) {
  EXPECT_EQ(srv_random(0), 0U);
  for (int i = 0; i < 100; ++i) {
    EXPECT_LE(srv_random(3), 3U);
  }
}

TEST(Names, Canonical) {
  EXPECT_EQ(canonical_name("Edge.Corp.Example."), "edge.corp.example");
  EXPECT_EQ(canonical_name("."), ".");
}

}  // namespace
}  // namespace edgekit::dns
