#include "edgeproxy/xmpp/stanza_ledger.hpp"

#include <utility>

namespace edgekit::edgeproxy {

std::string_view to_string(Flow flow) noexcept {
  return flow == Flow::kInbound ? "inbound" : "outbound";
}

std::string_view to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::kDelivered: return "delivered";
    case Outcome::kBounced: return "bounced";
    case Outcome::kRefused: return "refused";
    case Outcome::kDropped: return "dropped";
  }
  return "dropped";
}

std::int64_t StanzaLedger::Counts::in_flight() const {
  std::uint64_t done = 0;
  for (const auto count : ended) {
    done += count;
  }
  return static_cast<std::int64_t>(accepted) - static_cast<std::int64_t>(done);
}

StanzaLedger::Counts& StanzaLedger::at(const StanzaAccount& account) {
  return counts_[Key{account.flow, account.partner}];
}

void StanzaLedger::accepted(const StanzaAccount& account) {
  ++at(account).accepted;
}

void StanzaLedger::ended(const StanzaAccount& account, Outcome outcome) {
  ++at(account).ended.at(static_cast<std::size_t>(outcome));
}

StanzaLedger::Counts StanzaLedger::counts(Flow flow, std::string_view partner) const {
  const auto it = counts_.find(Key{flow, std::string(partner)});
  return it == counts_.end() ? Counts{} : it->second;
}

std::int64_t StanzaLedger::in_flight() const {
  std::int64_t total = 0;
  for (const auto& [key, counts] : counts_) {
    total += counts.in_flight();
  }
  return total;
}

}  // namespace edgekit::edgeproxy
