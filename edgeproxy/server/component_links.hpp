#pragma once
// The XEP-0114 links to the internal server, one per partner domain: connecting and
// reconnecting with backoff, holding stanzas while a link is down, and the flow-control view
// of all of them (one backlogged link holds every partner stream back).

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/server/router.hpp"
#include "edgeproxy/xmpp/metrics.hpp"
#include "edgeproxy/xmpp/xml_framer.hpp"

namespace edgekit::edgeproxy {

class Connection;
class ComponentConnection;

class ComponentLinks {
 public:
  // Makes (but does not start) the link for a domain.
  using Factory = std::function<std::shared_ptr<ComponentConnection>(const std::string& domain)>;

  ComponentLinks(asio::io_context& io, Metrics& metrics, Factory factory);

  // Opens the links `wanted` names that are missing and shuts those it no longer names.
  void sync(const std::set<std::string>& wanted);
  [[nodiscard]] bool has(const std::string& domain) const { return slots_.count(domain) != 0; }
  // Writes the stanza if the link is up, else holds it (up to a limit, for a while).
  Handoff send(const std::string& domain, std::string raw, const Element& routing);
  // The held stanzas whose time ran out, for the caller to bounce.
  std::vector<Element> take_expired(std::chrono::steady_clock::time_point now);

  void ready(const std::shared_ptr<ComponentConnection>& connection);
  // True when the closed link was the one in use (it is reconnected after a backoff).
  bool closed(const std::shared_ptr<ComponentConnection>& connection);

  [[nodiscard]] bool backlogged() const noexcept;
  void pause_until_eased(const std::shared_ptr<Connection>& reader);
  // Resumes the paused readers once no link is backlogged (also at shutdown: `force`).
  void eased(bool force = false);

  // Stops reconnecting and shuts every link.
  void shutdown();

 private:
  struct HeldStanza {
    std::string raw;
    Element routing;  // for the bounce
    std::chrono::steady_clock::time_point expires;
  };
  struct Slot {
    std::shared_ptr<ComponentConnection> connection;
    std::deque<HeldStanza> held;
    std::chrono::milliseconds backoff{1000};
    std::unique_ptr<asio::steady_timer> retry;
    bool wanted = true;
  };

  void connect(const std::string& domain);
  void schedule_retry(const std::string& domain);

  asio::io_context& io_;
  Metrics& metrics_;
  Factory factory_;
  std::map<std::string, Slot> slots_;
  std::vector<std::weak_ptr<Connection>> paused_readers_;
  bool stopping_ = false;
};

}  // namespace edgekit::edgeproxy
