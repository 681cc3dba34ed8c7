#include "edgeproxy/xmpp/stanza_policy.hpp"

#include <algorithm>

#include "common/jid.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {

bool StanzaPolicy::user_allowed(const Config& config, std::string_view internal_jid) {
  if (!config.federation.allow_federated_users) {
    return false;
  }
  const std::string bare = bare_jid(internal_jid);
  const auto at = bare.find('@');
  if (at == std::string::npos) {
    return true;  // the server itself (disco, ping, dialback-related iqs)
  }
  const std::string_view domain = std::string_view(bare).substr(at + 1);
  return std::any_of(config.federation.federated_users.begin(),
                     config.federation.federated_users.end(), [&](const std::string& entry) {
                       if (entry == "*") {
                         return true;
                       }
                       if (entry.rfind("*@", 0) == 0) {
                         return iequals_ascii(std::string_view(entry).substr(2), domain);
                       }
                       return iequals_ascii(entry, bare);
                     });
}

std::optional<Refusal> StanzaPolicy::check(const Config& config, const Partner& partner,
                                           const Element& stanza, Direction direction) {
  const std::string_view internal = direction == Direction::kInbound ? stanza.to : stanza.from;
  if (!config.federation.allow_federated_users) {
    return Refusal{StanzaError::kPolicyViolation, "federation-disabled"};
  }
  if (!user_allowed(config, internal)) {
    return Refusal{StanzaError::kPolicyViolation, "user-not-federated"};
  }
  if (stanza.name != "presence" || stanza.type != "subscribe") {
    return std::nullopt;
  }
  if (direction == Direction::kOutbound) {
    changed_ = asked_.emplace(bare_jid(stanza.from), bare_jid(stanza.to)).second || changed_;
    return std::nullopt;
  }
  if (partner.type != PartnerType::kPublicUnverified) {
    return std::nullopt;
  }
  if (asked_.count({bare_jid(stanza.to), bare_jid(stanza.from)}) == 0) {
    return Refusal{StanzaError::kPolicyViolation, "subscription-not-requested"};
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> StanzaPolicy::remembered() const {
  return {asked_.begin(), asked_.end()};
}

void StanzaPolicy::restore(const std::vector<std::pair<std::string, std::string>>& pairs) {
  asked_.insert(pairs.begin(), pairs.end());
}

}  // namespace edgekit::edgeproxy
