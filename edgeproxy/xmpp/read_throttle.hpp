#pragma once
// The rate limits of one inbound stream ([federation] rate_bytes_per_second and
// rate_stanzas_per_second, or its partner's own): two token buckets, and how long the stream
// must stop reading after what it just read. A stream that keeps sending too fast stays
// throttled; each time it starts being throttled is one episode, which the shell logs and
// counts (reason rate-limited) so a flood shows up once, not once per read.

#include <chrono>
#include <cstdint>

#include "edgeproxy/xmpp/token_bucket.hpp"

namespace edgekit::edgeproxy {

struct RateLimits {
  std::uint64_t bytes_per_second = 0;  // 0: unlimited
  std::uint64_t stanzas_per_second = 0;
};

struct ThrottleVerdict {
  TokenBucket::Clock::duration pause = TokenBucket::Clock::duration::zero();
  bool episode_started = false;  // this pause begins a new throttled episode
};

class ReadThrottle {
 public:
  ReadThrottle(RateLimits limits, TokenBucket::Clock::time_point now) noexcept;

  // The stream's limits changed (it authenticated as a partner with its own): the buckets
  // start again, full, with the new rates.
  void set_limits(RateLimits limits, TokenBucket::Clock::time_point now) noexcept;
  [[nodiscard]] const RateLimits& limits() const noexcept { return limits_; }

  // `bytes` and `stanzas` were read at `now`: how long to pause before reading again.
  ThrottleVerdict after_read(std::uint64_t bytes, std::uint64_t stanzas,
                             TokenBucket::Clock::time_point now) noexcept;
  [[nodiscard]] std::uint64_t episodes() const noexcept { return episodes_; }

 private:
  RateLimits limits_;
  // One second's worth of burst: a partner's quiet second pays for a busy one.
  TokenBucket bytes_;
  TokenBucket stanzas_;
  bool throttled_ = false;
  std::uint64_t episodes_ = 0;
};

}  // namespace edgekit::edgeproxy
