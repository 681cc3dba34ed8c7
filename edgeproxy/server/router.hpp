#pragma once
// The router between partner streams and component links: the stanza policy, the choice of
// link, and every bounce. It decides; the links it is given carry. Every stanza it is handed
// is passed to a link or bounced to its sender with the error its reason calls for, and both
// are logged and counted the same way whichever way the stanza was going.

#include <memory>
#include <string>
#include <string_view>

#include "common/config.hpp"
#include "edgeproxy/xmpp/metrics.hpp"
#include "edgeproxy/xmpp/stanza_policy.hpp"
#include "edgeproxy/xmpp/stream_error.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

// What a link did with a stanza it was handed.
enum class Handoff {
  kAccepted,   // written, or queued until the link is up
  kNoRoute,    // no link can be made (unknown domain, shutting down, ...)
  kQueueFull,  // the link's queue is at its limit
};

// The two ways out, as the router sees them.
class RouterLinks {
 public:
  virtual ~RouterLinks() = default;
  // Whether a component link exists for `domain` (a partner's extra domain may have its own).
  [[nodiscard]] virtual bool has_component(const std::string& domain) const = 0;
  virtual Handoff to_internal(const std::string& component_domain, std::string raw,
                              const Element& routing) = 0;
  virtual Handoff to_partner(const std::string& local, const std::string& remote, std::string raw,
                             const Element& routing) = 0;

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

  // The error goes to the internal sender over the component link of the partner domain the
  // stanza was for, or over `via_component` (the link it came on) when that is given.
  void bounce_to_internal(const Element& stanza, StanzaError condition, std::string_view reason,
                          const std::string& via_component = {});
  void bounce_to_partner(const Element& stanza, StanzaError condition, std::string_view reason);

 private:
  void to_internal(const std::string& component_domain, std::string raw, const Element& stanza);
  void refused(const std::string& partner_domain, std::string_view direction,
               std::string_view reason);
  void record_bounce(const std::string& partner_domain, std::string_view direction,
                     StanzaError condition, std::string_view reason);

  RouterLinks& links_;
  Metrics& metrics_;
  std::shared_ptr<const Config> config_;
  StanzaPolicy policy_;
};

}  // namespace edgekit::edgeproxy
