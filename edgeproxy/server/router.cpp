#include "edgeproxy/server/router.hpp"

#include "common/jid.hpp"
#include "common/log.hpp"
#include "edgeproxy/xmpp/bounce.hpp"
#include "edgeproxy/xmpp/relay.hpp"
#include "edgeproxy/xmpp/xml_util.hpp"

namespace edgekit::edgeproxy {
namespace {

bool is_inbound(const StanzaTicket& ticket) {
  return !ticket.account || ticket.account->flow == Flow::kInbound;
}

// The partner's side of a stanza, as logs name it (the metrics may use a shared label).
std::string partner_of(const StanzaTicket& ticket) {
  return is_inbound(ticket) ? jid_domain_lower(ticket.routing.from)
                            : jid_domain_lower(ticket.routing.to);
}

}  // namespace

void Router::from_partner(const std::string& partner_domain, Element stanza) {
  const Partner* partner = config_->find_partner(partner_domain);
  StanzaAccount account{Flow::kInbound, partner ? partner->domain : partner_domain};
  metrics_.ledger().accepted(account);
  if (partner == nullptr) {
    // The stream's own check closes a removed partner's stream first; this is the backstop.
    refuse(StanzaTicket{routing_header(stanza), std::move(account), {}}, StanzaError::kNotAllowed,
           "unknown-partner");
    return;
  }
  if (auto refusal = policy_.check(*config_, *partner, stanza, StanzaPolicy::Direction::kInbound)) {
    metrics_.failure(partner_domain, refusal->reason);
    refuse(StanzaTicket{routing_header(stanza), std::move(account), {}}, refusal->condition,
           refusal->reason);
    return;
  }
  const std::string component = jid_domain_lower(stanza.from);
  std::string raw = relay_bytes(stanza, kNsComponent);
  PendingStanza pending{
      std::move(raw), StanzaTicket{take_routing_header(std::move(stanza)), std::move(account), {}}};
  switch (
      links_.to_internal(links_.has_component(component) ? component : partner->domain, pending)) {
    case Handoff::kAccepted: break;
    case Handoff::kNoRoute:
      bounce(pending.ticket, StanzaError::kServiceUnavailable, "no-component");
      break;
    case Handoff::kQueueFull:
      bounce(pending.ticket, StanzaError::kServiceUnavailable, "internal-queue-full");
      break;
  }
}

void Router::from_internal(const std::string& component_domain, Element stanza) {
  const std::string to_domain = jid_domain_lower(stanza.to);
  const std::string from_domain = jid_domain_lower(stanza.from);
  const Partner* partner = config_->find_partner(to_domain);
  // Unlisted destinations share one label: internal users must not grow the metrics.
  StanzaAccount account{Flow::kOutbound, partner ? partner->domain : std::string(kUnlistedPartner)};
  metrics_.ledger().accepted(account);
  // A refusal goes back over the component link the stanza came on: for an unknown partner
  // no link of the `to` domain exists.
  const auto refuse_with = [&](StanzaError condition, std::string_view reason) {
    refuse(StanzaTicket{routing_header(stanza), std::move(account), component_domain}, condition,
           reason);
  };
  if (partner == nullptr) {
    refuse_with(StanzaError::kPolicyViolation, "unknown-partner");
    return;
  }
  if (!config_->is_local_domain(from_domain)) {
    refuse_with(StanzaError::kNotAllowed, "from-not-local");
    return;
  }
  if (auto refusal =
          policy_.check(*config_, *partner, stanza, StanzaPolicy::Direction::kOutbound)) {
    metrics_.failure(partner->domain, refusal->reason);
    refuse_with(refusal->condition, refusal->reason);
    return;
  }
  ++metrics_.partner(partner->domain).stanzas_out;
  std::string raw = relay_bytes(stanza, kNsServer);
  PendingStanza pending{std::move(raw), StanzaTicket{take_routing_header(std::move(stanza)),
                                                     std::move(account), component_domain}};
  switch (links_.to_partner(from_domain, to_domain, pending)) {
    case Handoff::kAccepted: break;
    case Handoff::kNoRoute:
      bounce(pending.ticket, StanzaError::kRemoteServerNotFound, "no-route");
      break;
    case Handoff::kQueueFull:
      bounce(pending.ticket, StanzaError::kRemoteServerTimeout, "outbound-queue-full");
      break;
  }
}

void Router::refuse(const StanzaTicket& ticket, StanzaError condition, std::string_view reason) {
  log_info("stanza.refused", {{"partner", partner_of(ticket)},
                              {"direction", is_inbound(ticket) ? "in" : "out"},
                              {"reason", std::string(reason)}});
  answer(ticket, condition, reason, Outcome::kRefused);
}

void Router::bounce(const StanzaTicket& ticket, StanzaError condition, std::string_view reason) {
  answer(ticket, condition, reason, Outcome::kBounced);
}

void Router::answer(const StanzaTicket& ticket, StanzaError condition, std::string_view reason,
                    Outcome outcome) {
  auto error = make_bounce(ticket.routing, condition);
  if (!error) {
    drop(ticket, reason, "error-not-answered");
    return;
  }
  const bool inbound = is_inbound(ticket);
  // The error is the edge's own reply: it carries no account, so it is never answered again.
  PendingStanza reply{std::move(*error), StanzaTicket{bounce_routing(ticket.routing), {}, {}}};
  Handoff handed = Handoff::kNoRoute;
  if (inbound) {
    const std::string local_domain = jid_domain_lower(ticket.routing.to);
    if (config_->is_local_domain(local_domain)) {
      handed = links_.to_partner(local_domain, jid_domain_lower(ticket.routing.from), reply);
    }
  } else {
    handed = links_.to_internal(
        ticket.via.empty() ? jid_domain_lower(ticket.routing.to) : ticket.via, reply);
  }
  if (handed != Handoff::kAccepted) {
    drop(ticket, reason, "no-way-back");
    return;
  }
  // The log names the domain; the metrics count an unlisted one under its shared label.
  const std::string partner = partner_of(ticket);
  ++metrics_.partner(ticket.account ? ticket.account->partner : partner).bounces;
  if (ticket.account) {
    metrics_.ledger().ended(*ticket.account, outcome);
  }
  log_info("stanza.bounced", {{"partner", partner},
                              {"direction", inbound ? "in" : "out"},
                              {"reason", std::string(reason)},
                              {"condition", std::string(to_string(condition))}});
}

void Router::drop(const StanzaTicket& ticket, std::string_view reason, std::string_view why) {
  if (ticket.account) {
    metrics_.ledger().ended(*ticket.account, Outcome::kDropped);
  }
  log_warn("stanza.dropped", {{"partner", partner_of(ticket)},
                              {"direction", is_inbound(ticket) ? "in" : "out"},
                              {"reason", std::string(reason)},
                              {"why", std::string(why)}});
}

}  // namespace edgekit::edgeproxy
