// The admission table: the per-address bound counts only streams still negotiating, and at the
// global limit the oldest of those makes room before anyone is refused.

#include "edgeproxy/xmpp/admission.hpp"

#include <gtest/gtest.h>

#include <string>

namespace edgekit::edgeproxy {
namespace {

TEST(Admission, AdmitsUnderEveryLimit) {
  Admission admission;
  EXPECT_EQ(admission.check("192.0.2.1", {10, 2}), AdmissionVerdict::kAdmit);
  admission.opened("c1", "192.0.2.1");
  EXPECT_EQ(admission.check("192.0.2.1", {10, 2}), AdmissionVerdict::kAdmit);
}

TEST(Admission, PerIpCountsOnlyNegotiatingStreams) {
  Admission admission;
  admission.opened("c1", "192.0.2.1");
  admission.opened("c2", "192.0.2.1");
  EXPECT_EQ(admission.check("192.0.2.1", {10, 2}), AdmissionVerdict::kRefusePerIp);
  EXPECT_EQ(admission.check("192.0.2.2", {10, 2}), AdmissionVerdict::kAdmit);
  // Once a stream authenticated, its partner's own connection_limit bounds it instead.
  admission.authenticated("c1");
  EXPECT_EQ(admission.unauthenticated_from("192.0.2.1"), 1U);
  EXPECT_EQ(admission.check("192.0.2.1", {10, 2}), AdmissionVerdict::kAdmit);
}

TEST(Admission, PerIpZeroIsNoBound) {
  Admission admission;
  for (int i = 0; i < 50; ++i) {
    admission.opened("c" + std::to_string(i), "192.0.2.1");
  }
  EXPECT_EQ(admission.check("192.0.2.1", {100, 0}), AdmissionVerdict::kAdmit);
}

TEST(Admission, AtTheLimitTheOldestNegotiatingStreamMakesRoom) {
  Admission admission;
  admission.opened("partner", "198.51.100.7");
  admission.authenticated("partner");
  admission.opened("idle1", "192.0.2.1");
  admission.opened("idle2", "192.0.2.1");
  ASSERT_EQ(admission.check("203.0.113.9", {3, 0}), AdmissionVerdict::kAdmitAfterEviction);
  // The authenticated stream is older, but only a negotiating one is ever evicted.
  EXPECT_EQ(admission.oldest_unauthenticated(), "idle1");
  admission.closed("idle1");
  EXPECT_EQ(admission.open(), 2U);
  EXPECT_EQ(admission.check("203.0.113.9", {3, 0}), AdmissionVerdict::kAdmit);
}

TEST(Admission, AtTheLimitWithEveryStreamAuthenticatedTheNewcomerIsRefused) {
  Admission admission;
  admission.opened("a", "198.51.100.7");
  admission.opened("b", "198.51.100.8");
  admission.authenticated("a");
  admission.authenticated("b");
  EXPECT_EQ(admission.check("203.0.113.9", {2, 0}), AdmissionVerdict::kRefuseAtLimit);
  EXPECT_FALSE(admission.oldest_unauthenticated().has_value());
}

TEST(Admission, ClosingTwiceOrUnknownIdsChangeNothing) {
  Admission admission;
  admission.opened("c1", "192.0.2.1");
  admission.closed("c1");
  admission.closed("c1");       // evicted, then its close path ran
  admission.closed("unknown");  // never admitted
  admission.authenticated("unknown");
  EXPECT_EQ(admission.open(), 0U);
  EXPECT_EQ(admission.unauthenticated_from("192.0.2.1"), 0U);
}

}  // namespace
}  // namespace edgekit::edgeproxy
