#pragma once
// Stanza policy between internal users and partner users (docs/reference.md): the federation
// master switch, the federated_users list (internal JIDs, "*@domain", "*"), and the partner
// type's subscription rule: from a public-unverified partner, a subscription request reaches
// an internal user only after that user asked for the contact's presence first.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/config.hpp"
#include "edgeproxy/xmpp/stream_error.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

struct Refusal {
  StanzaError condition = StanzaError::kPolicyViolation;
  std::string reason;  // stable reason code
};

// Used from the edge's one event-loop thread only, so its memory needs no lock.
class StanzaPolicy {
 public:
  // Direction of a stanza through the edge.
  enum class Direction { kInbound, kOutbound };

  // Whether the internal JID may federate at all (federated_users + master switch).
  [[nodiscard]] static bool user_allowed(const Config& config, std::string_view internal_jid);

  // Checks a stanza crossing the edge. Outbound subscription requests are remembered (for the
  // public-unverified rule); the caller persists remembered() when it changes.
  std::optional<Refusal> check(const Config& config, const Partner& partner, const Element& stanza,
                               Direction direction);

  // (internal bare JID, remote bare JID) pairs for which the internal user asked first.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> remembered() const;
  void restore(const std::vector<std::pair<std::string, std::string>>& pairs);
  [[nodiscard]] bool changed_since_save() const noexcept { return changed_; }
  void mark_saved() noexcept { changed_ = false; }

 private:
  std::set<std::pair<std::string, std::string>> asked_;
  bool changed_ = false;
};

}  // namespace edgekit::edgeproxy
