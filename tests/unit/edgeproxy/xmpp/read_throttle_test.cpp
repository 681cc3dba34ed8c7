// A stream's two rate limits together: the longer pause wins, and a sender that stays too fast
// is one throttled episode however many pauses it takes.

#include "edgeproxy/xmpp/read_throttle.hpp"

#include <gtest/gtest.h>

namespace edgekit::edgeproxy {
namespace {

using std::chrono::milliseconds;
using Clock = TokenBucket::Clock;

constexpr Clock::time_point kStart{std::chrono::seconds(1000)};

TEST(ReadThrottle, UnderBothLimitsNoPause) {
  ReadThrottle throttle({1000, 10}, kStart);
  const auto verdict = throttle.after_read(1000, 10, kStart);
  EXPECT_EQ(verdict.pause, Clock::duration::zero());
  EXPECT_FALSE(verdict.episode_started);
  EXPECT_EQ(throttle.episodes(), 0U);
}

TEST(ReadThrottle, TheStricterLimitSetsThePause) {
  ReadThrottle throttle({1000, 10}, kStart);
  // 500 bytes over is 500 ms; 2 stanzas over is 200 ms.
  EXPECT_EQ(throttle.after_read(1500, 12, kStart).pause, milliseconds(500));
  ReadThrottle stanzas({1000, 10}, kStart);
  EXPECT_EQ(stanzas.after_read(1100, 15, kStart).pause, milliseconds(500));
}

TEST(ReadThrottle, ASustainedFloodIsOneEpisode) {
  ReadThrottle throttle({1000, 0}, kStart);
  auto now = kStart;
  auto verdict = throttle.after_read(2000, 0, now);
  EXPECT_TRUE(verdict.episode_started);
  for (int i = 0; i < 10; ++i) {
    now += verdict.pause;
    verdict = throttle.after_read(500, 0, now);  // still too fast: still the same episode
    EXPECT_GT(verdict.pause, Clock::duration::zero());
    EXPECT_FALSE(verdict.episode_started);
  }
  EXPECT_EQ(throttle.episodes(), 1U);
  // The sender slows down: the episode ends, and the next flood is a second one.
  now += verdict.pause + std::chrono::seconds(2);
  EXPECT_EQ(throttle.after_read(10, 0, now).pause, Clock::duration::zero());
  EXPECT_TRUE(throttle.after_read(5000, 0, now).episode_started);
  EXPECT_EQ(throttle.episodes(), 2U);
}

TEST(ReadThrottle, NewLimitsStartFull) {
  ReadThrottle throttle({100, 0}, kStart);
  EXPECT_GT(throttle.after_read(1000, 0, kStart).pause, Clock::duration::zero());
  // The stream authenticated as a partner allowed more: its debt under the old limit is gone.
  throttle.set_limits({10'000, 0}, kStart);
  EXPECT_EQ(throttle.limits().bytes_per_second, 10'000U);
  EXPECT_EQ(throttle.after_read(10'000, 0, kStart).pause, Clock::duration::zero());
}

TEST(ReadThrottle, ZeroLimitsNeverPause) {
  ReadThrottle throttle({0, 0}, kStart);
  EXPECT_EQ(throttle.after_read(1'000'000'000, 1'000'000, kStart).pause, Clock::duration::zero());
  EXPECT_EQ(throttle.episodes(), 0U);
}

}  // namespace
}  // namespace edgekit::edgeproxy
