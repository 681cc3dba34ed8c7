// The token bucket against an injected clock: what it lets through at once, how long the debt
// takes to pay, and that a rate of zero never limits.

#include "edgeproxy/xmpp/token_bucket.hpp"

#include <gtest/gtest.h>

namespace edgekit::edgeproxy {
namespace {

using std::chrono::milliseconds;
using Clock = TokenBucket::Clock;

constexpr Clock::time_point kStart{std::chrono::seconds(1000)};

TEST(TokenBucket, TheBurstPassesWithoutAPause) {
  TokenBucket bucket(100, 100, kStart);
  EXPECT_EQ(bucket.spend(100, kStart), Clock::duration::zero());
}

TEST(TokenBucket, DebtIsPaidAtTheRate) {
  TokenBucket bucket(100, 100, kStart);
  // 150 spent from 100: 50 in debt at 100/s is half a second.
  EXPECT_EQ(bucket.spend(150, kStart), milliseconds(500));
  // Half a second later the debt is paid, and nothing more was saved up.
  EXPECT_EQ(bucket.spend(0, kStart + milliseconds(500)), Clock::duration::zero());
  EXPECT_EQ(bucket.spend(10, kStart + milliseconds(500)), milliseconds(100));
}

TEST(TokenBucket, AQuietSpellSavesAtMostTheBurst) {
  TokenBucket bucket(100, 100, kStart);
  EXPECT_EQ(bucket.spend(100, kStart), Clock::duration::zero());
  // An hour of silence refills to the burst only.
  const auto later = kStart + std::chrono::hours(1);
  EXPECT_EQ(bucket.spend(100, later), Clock::duration::zero());
  EXPECT_EQ(bucket.spend(1, later), milliseconds(10));
}

TEST(TokenBucket, AClockThatGoesBackAddsNothing) {
  TokenBucket bucket(100, 100, kStart);
  EXPECT_EQ(bucket.spend(100, kStart), Clock::duration::zero());
  EXPECT_EQ(bucket.spend(10, kStart - std::chrono::seconds(5)), milliseconds(100));
}

TEST(TokenBucket, ZeroRateNeverLimits) {
  TokenBucket bucket(0, 0, kStart);
  EXPECT_TRUE(bucket.unlimited());
  EXPECT_EQ(bucket.spend(1'000'000'000, kStart), Clock::duration::zero());
}

}  // namespace
}  // namespace edgekit::edgeproxy
