#pragma once
// A token bucket for pacing a reader (bytes or stanzas per second), driven by the caller's
// clock so it is pure logic. The reader cannot refuse what it has already read, so it spends
// first and the bucket may go into debt; the answer is how long to stop reading until the debt
// is paid. That slows a sender down (its TCP window closes) and never drops anything, as
// Prosody's mod_limits does.

#include <chrono>
#include <cstdint>

namespace edgekit::edgeproxy {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // `rate` tokens a second, at most `burst` saved up while the reader is quiet (at least one
  // second's worth is sensible). A rate of 0 never limits.
  TokenBucket(std::uint64_t rate, std::uint64_t burst, Clock::time_point now) noexcept;

  // Spends `amount` tokens at `now`; returns how long to wait before the balance is back to
  // zero (zero when there is no debt).
  Clock::duration spend(std::uint64_t amount, Clock::time_point now) noexcept;

  [[nodiscard]] bool unlimited() const noexcept { return rate_ == 0; }

 private:
  void refill(Clock::time_point now) noexcept;

  std::uint64_t rate_;
  double burst_;
  double balance_;  // tokens available; negative while in debt
  Clock::time_point last_;
};

}  // namespace edgekit::edgeproxy
