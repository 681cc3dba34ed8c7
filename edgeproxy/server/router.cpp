#include "edgeproxy/server/router.hpp"

#include "common/jid.hpp"
#include "common/log.hpp"
#include "edgeproxy/xmpp/bounce.hpp"
#include "edgeproxy/xmpp/relay.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {

void Router::from_partner(const std::string& partner_domain, Element stanza) {
  const Partner* partner = config_->find_partner(partner_domain);
  if (partner == nullptr) {
    return;  // the stream is closed by its core on the next stanza
  }
  if (auto refusal = policy_.check(*config_, *partner, stanza, StanzaPolicy::Direction::kInbound)) {
    refused(partner_domain, "in", refusal->reason);
    metrics_.failure(partner_domain, refusal->reason);
    bounce_to_partner(stanza, refusal->condition, refusal->reason);
    return;
  }
  const std::string component = jid_domain_lower(stanza.from);
  std::string raw = relay_bytes(stanza, kNsComponent);
  to_internal(links_.has_component(component) ? component : partner->domain, std::move(raw),
              stanza);
}

void Router::from_internal(const std::string& component_domain, Element stanza) {
  const std::string to_domain = jid_domain_lower(stanza.to);
  const std::string from_domain = jid_domain_lower(stanza.from);
  const Partner* partner = config_->find_partner(to_domain);
  // A refusal goes back over the component link the stanza came on: for an unknown partner
  // no link of the `to` domain exists.
  if (partner == nullptr) {
    refused(component_domain, "out", "unknown-partner");
    bounce_to_internal(stanza, StanzaError::kPolicyViolation, "unknown-partner", component_domain);
    return;
  }
  if (!config_->is_local_domain(from_domain)) {
    refused(partner->domain, "out", "from-not-local");
    bounce_to_internal(stanza, StanzaError::kNotAllowed, "from-not-local", component_domain);
    return;
  }
  if (auto refusal =
          policy_.check(*config_, *partner, stanza, StanzaPolicy::Direction::kOutbound)) {
    refused(partner->domain, "out", refusal->reason);
    metrics_.failure(partner->domain, refusal->reason);
    bounce_to_internal(stanza, refusal->condition, refusal->reason, component_domain);
    return;
  }
  ++metrics_.partner(partner->domain).stanzas_out;
  std::string raw = relay_bytes(stanza, kNsServer);
  switch (links_.to_partner(from_domain, to_domain, std::move(raw), stanza)) {
    case Handoff::kAccepted: break;
    case Handoff::kNoRoute:
      bounce_to_internal(stanza, StanzaError::kRemoteServerNotFound, "no-route");
      break;
    case Handoff::kQueueFull:
      bounce_to_internal(stanza, StanzaError::kRemoteServerTimeout, "outbound-queue-full");
      break;
  }
}

void Router::to_internal(const std::string& component_domain, std::string raw,
                         const Element& stanza) {
  switch (links_.to_internal(component_domain, std::move(raw), stanza)) {
    case Handoff::kAccepted: break;
    case Handoff::kNoRoute:
      bounce_to_partner(stanza, StanzaError::kServiceUnavailable, "no-component");
      break;
    case Handoff::kQueueFull:
      bounce_to_partner(stanza, StanzaError::kServiceUnavailable, "internal-queue-full");
      break;
  }
}

void Router::refused(const std::string& partner_domain, std::string_view direction,
                     std::string_view reason) {
  log_info("stanza.refused", {{"partner", partner_domain},
                              {"direction", std::string(direction)},
                              {"reason", std::string(reason)}});
}

// Both bounce directions count the bounce against the partner and log it the same way.
void Router::record_bounce(const std::string& partner_domain, std::string_view direction,
                           StanzaError condition, std::string_view reason) {
  ++metrics_.partner(partner_domain).bounces;
  log_info("stanza.bounced", {{"partner", partner_domain},
                              {"direction", std::string(direction)},
                              {"reason", std::string(reason)},
                              {"condition", std::string(to_string(condition))}});
}

void Router::bounce_to_internal(const Element& stanza, StanzaError condition,
                                std::string_view reason, const std::string& via_component) {
  auto bounce = make_bounce(stanza, condition);
  if (!bounce) {
    return;
  }
  const std::string partner_domain = jid_domain_lower(stanza.to);
  record_bounce(partner_domain, "out", condition, reason);
  // An error that cannot reach its sender is not answered again: errors never bounce.
  const auto handed = links_.to_internal(via_component.empty() ? partner_domain : via_component,
                                         std::move(*bounce), bounce_routing(stanza));
  static_cast<void>(handed);
}

void Router::bounce_to_partner(const Element& stanza, StanzaError condition,
                               std::string_view reason) {
  auto bounce = make_bounce(stanza, condition);
  if (!bounce) {
    return;
  }
  const std::string partner_domain = jid_domain_lower(stanza.from);
  const std::string local_domain = jid_domain_lower(stanza.to);
  record_bounce(partner_domain, "in", condition, reason);
  if (!config_->is_local_domain(local_domain)) {
    return;
  }
  const auto handed =
      links_.to_partner(local_domain, partner_domain, std::move(*bounce), bounce_routing(stanza));
  static_cast<void>(handed);  // as above: an error is not answered with an error
}

}  // namespace edgekit::edgeproxy
