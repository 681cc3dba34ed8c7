#include "edgeproxy/xmpp/token_bucket.hpp"

#include <algorithm>

namespace edgekit::edgeproxy {

TokenBucket::TokenBucket(std::uint64_t rate, std::uint64_t burst, Clock::time_point now) noexcept
    : rate_(rate),
      burst_(static_cast<double>(burst)),
      balance_(static_cast<double>(burst)),
      last_(now) {}

void TokenBucket::refill(Clock::time_point now) noexcept {
  if (now <= last_) {
    return;  // a clock that did not move (or an out-of-order call) adds nothing
  }
  const std::chrono::duration<double> elapsed = now - last_;
  balance_ = std::min(burst_, balance_ + elapsed.count() * static_cast<double>(rate_));
  last_ = now;
}

TokenBucket::Clock::duration TokenBucket::spend(std::uint64_t amount,
                                                Clock::time_point now) noexcept {
  if (unlimited()) {
    return Clock::duration::zero();
  }
  refill(now);
  balance_ -= static_cast<double>(amount);
  if (balance_ >= 0) {
    return Clock::duration::zero();
  }
  const std::chrono::duration<double> debt(-balance_ / static_cast<double>(rate_));
  // Rounded up: waking a tick early would find a little debt left and pause again.
  return std::chrono::ceil<Clock::duration>(debt);
}

}  // namespace edgekit::edgeproxy
