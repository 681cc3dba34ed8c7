// The deadline of a negotiating stream: the step's while the edge waits on the peer, the whole
// negotiation's while the edge itself waits, and never past the whole negotiation's.

#include "edgeproxy/xmpp/negotiation_deadline.hpp"

#include <gtest/gtest.h>

namespace edgekit::edgeproxy {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
constexpr std::chrono::steady_clock::time_point kNow{seconds(5000)};

TEST(NegotiationDeadline, WaitingOnThePeerTheStepDeadlineApplies) {
  const auto deadline = negotiation_deadline(kNow, kNow + seconds(60), seconds(10), false);
  EXPECT_EQ(deadline.at, kNow + seconds(10));
  EXPECT_EQ(deadline.reason, "negotiation-step-timeout");
}

TEST(NegotiationDeadline, WhileTheEdgeVerifiesOnlyTheWholeNegotiationCounts) {
  const auto deadline = negotiation_deadline(kNow, kNow + seconds(60), seconds(10), true);
  EXPECT_EQ(deadline.at, kNow + seconds(60));
  EXPECT_EQ(deadline.reason, "establishment-timeout");
}

TEST(NegotiationDeadline, AStepNeverOutlastsTheWholeNegotiation) {
  const auto deadline = negotiation_deadline(kNow, kNow + seconds(3), seconds(10), false);
  EXPECT_EQ(deadline.at, kNow + seconds(3));
  EXPECT_EQ(deadline.reason, "establishment-timeout");
  // A step longer than the whole negotiation (an admin who set it so) is the whole one.
  EXPECT_EQ(negotiation_deadline(kNow, kNow + milliseconds(1), seconds(1), false).reason,
            "establishment-timeout");
}

}  // namespace
}  // namespace edgekit::edgeproxy
