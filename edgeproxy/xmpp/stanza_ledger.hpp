#pragma once
// The edge's promise as numbers: every stanza it accepted is delivered, or answered with an
// error, and the ledger says which. Per flow and partner it counts what came in (accepted) and
// how each stanza ended (delivered, bounced, refused, dropped); what has not ended yet is in
// flight. The in-flight figure is derived, never counted on its own, so it cannot drift: a
// stanza the edge lost shows as in flight for ever, and the tests look for exactly that.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace edgekit::edgeproxy {

// Which way a stanza goes: inbound is partner -> internal server, outbound the other way.
enum class Flow { kInbound, kOutbound };

// Where a stanza is counted. `partner` is a listed partner's domain, or kUnlistedPartner for
// a stanza from inside to a domain that is not listed (so that internal users cannot grow the
// metrics by inventing domains).
struct StanzaAccount {
  Flow flow = Flow::kInbound;
  std::string partner;
};
inline constexpr std::string_view kUnlistedPartner = "unlisted";

enum class Outcome {
  kDelivered,  // its bytes were handed to the kernel on the stream toward its recipient
  kBounced,    // it could not be delivered and its sender was sent an error (RFC 6120 §8.3)
  kRefused,    // the policy refused it and its sender was sent an error
  kDropped,    // it ended without an answer: it was itself an error (never answered, RFC 6120
               // §8.3.1), or the way back to its sender was gone too
};

class StanzaLedger {
 public:
  struct Counts {
    std::uint64_t accepted = 0;
    std::array<std::uint64_t, 4> ended{};  // by Outcome
    [[nodiscard]] std::uint64_t count(Outcome outcome) const {
      return ended.at(static_cast<std::size_t>(outcome));
    }
    [[nodiscard]] std::int64_t in_flight() const;
  };

  void accepted(const StanzaAccount& account);
  void ended(const StanzaAccount& account, Outcome outcome);
  [[nodiscard]] Counts counts(Flow flow, std::string_view partner) const;
  // Every stanza not yet ended, over all partners and both flows: the graceful stop waits
  // for this to reach 0.
  [[nodiscard]] std::int64_t in_flight() const;
  using Key = std::pair<Flow, std::string>;
  // Every (flow, partner) seen, for the metrics page.
  [[nodiscard]] const std::map<Key, Counts>& all() const noexcept { return counts_; }

 private:
  Counts& at(const StanzaAccount& account);

  std::map<Key, Counts> counts_;
};

[[nodiscard]] std::string_view to_string(Flow flow) noexcept;
[[nodiscard]] std::string_view to_string(Outcome outcome) noexcept;

}  // namespace edgekit::edgeproxy
