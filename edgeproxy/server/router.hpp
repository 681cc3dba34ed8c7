#pragma once
// The router between partner streams and component links: the stanza policy, the choice of
// link, and every bounce. It decides; the links it is given carry. Every stanza it is handed
// is counted as accepted in the ledger (xmpp/stanza_ledger.hpp) and is then passed to a link,
// which settles it when written, or answered with the error its reason calls for. Both
// directions are logged and counted the same way.

#include <memory>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "edgeproxy/xmpp/metrics.hpp"
#include "edgeproxy/xmpp/pending_stanza.hpp"
#include "edgeproxy/xmpp/stanza_policy.hpp"
#include "edgeproxy/xmpp/stream_error.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

// What a link did with a stanza it was handed.
enum class Handoff {
  kAccepted,   // written, or queued until the link is up: the link settles it now
  kNoRoute,    // no link can be made (unknown domain, shutting down, ...)
  kQueueFull,  // the link's queue is at its limit
};

// The two ways out, as the router sees them. A link moves from `stanza` only when it
// answers kAccepted; otherwise the stanza is still the caller's to bounce.
class RouterLinks {
 public:
  virtual ~RouterLinks() = default;
  // Whether a component link exists for `domain` (a partner's extra domain may have its own).
  [[nodiscard]] virtual bool has_component(const std::string& domain) const = 0;
  virtual Handoff to_internal(const std::string& component_domain, PendingStanza& stanza) = 0;
  virtual Handoff to_partner(const std::string& local, const std::string& remote,
                             PendingStanza& stanza) = 0;

 protected:
  RouterLinks() = default;
  RouterLinks(const RouterLinks&) = default;
  RouterLinks& operator=(const RouterLinks&) = default;
};

class Router {
 public:
  Router(RouterLinks& links, Metrics& metrics) : links_(links), metrics_(metrics) {}

  void set_config(std::shared_ptr<const Config> config) { config_ = std::move(config); }
  StanzaPolicy& policy() noexcept { return policy_; }

  // A stanza a partner stream accepted (its stream checks passed) for an internal user.
  void from_partner(const std::string& partner_domain, Element stanza);
  // A stanza an internal user sent over the component link of `component_domain`.
  void from_internal(const std::string& component_domain, Element stanza);

  // Settles an accepted stanza that cannot be delivered: its sender gets `condition` — a
  // partner over an outbound stream, an internal user over the component link the stanza
  // came on. An error stanza is not answered (RFC 6120 §8.3.1), and an error with no way
  // back is not claimed as sent: both end as dropped, logged as stanza.dropped.
  void bounce(const StanzaTicket& ticket, StanzaError condition, std::string_view reason);

 private:
  // Answers the stanza with an error; `outcome` is how it ends if the error could be sent.
  void answer(const StanzaTicket& ticket, StanzaError condition, std::string_view reason,
              Outcome outcome);
  void refuse(const StanzaTicket& ticket, StanzaError condition, std::string_view reason);
  void drop(const StanzaTicket& ticket, std::string_view reason, std::string_view why);

  RouterLinks& links_;
  Metrics& metrics_;
  std::shared_ptr<const Config> config_;
  StanzaPolicy policy_;
};

}  // namespace edgekit::edgeproxy
