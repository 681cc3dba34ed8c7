#include <gtest/gtest.h>

#include "dnstool/probe_checks.hpp"

namespace edgekit::dnstool {
namespace {

TEST(ProbeTargets, AddressOverridesSrv) {
  DomainLookup lookup;
  lookup.xmpp.records = {{0, 5, 5269, "edge.corp.example", 0}};
  TargetLookup target;
  target.name = "edge.corp.example";
  target.ipv6 = {"::1"};
  lookup.targets.emplace(target.name, target);
  auto targets = probe_targets(lookup, std::nullopt, 5269);
  ASSERT_EQ(targets.size(), 1U);
  EXPECT_EQ(targets[0].address, "::1");
  targets = probe_targets(lookup, std::string("192.0.2.1"), 5269);
  ASSERT_EQ(targets.size(), 1U);
  EXPECT_EQ(targets[0].port, 5269);
  targets = probe_targets(lookup, std::string("192.0.2.1:5999"), 5269);
  EXPECT_EQ(targets[0].port, 5999);
}

}  // namespace
}  // namespace edgekit::dnstool
