#include "edgeproxy/xmpp/read_throttle.hpp"

#include <algorithm>

namespace edgekit::edgeproxy {

ReadThrottle::ReadThrottle(RateLimits limits, TokenBucket::Clock::time_point now) noexcept
    : limits_(limits),
      bytes_(limits.bytes_per_second, limits.bytes_per_second, now),
      stanzas_(limits.stanzas_per_second, limits.stanzas_per_second, now) {}

void ReadThrottle::set_limits(RateLimits limits, TokenBucket::Clock::time_point now) noexcept {
  limits_ = limits;
  bytes_ = TokenBucket(limits.bytes_per_second, limits.bytes_per_second, now);
  stanzas_ = TokenBucket(limits.stanzas_per_second, limits.stanzas_per_second, now);
}

ThrottleVerdict ReadThrottle::after_read(std::uint64_t bytes, std::uint64_t stanzas,
                                         TokenBucket::Clock::time_point now) noexcept {
  ThrottleVerdict verdict;
  verdict.pause = std::max(bytes_.spend(bytes, now), stanzas_.spend(stanzas, now));
  const bool throttled = verdict.pause > TokenBucket::Clock::duration::zero();
  verdict.episode_started = throttled && !throttled_;
  if (verdict.episode_started) {
    ++episodes_;
  }
  throttled_ = throttled;
  return verdict;
}

}  // namespace edgekit::edgeproxy
