#pragma once
// The XEP-0114 links to the internal server, one per partner domain: connecting and
// reconnecting with backoff, holding stanzas while a link is down (bounded in count and
// bytes), handing held stanzas to a link only as fast as it writes them, and taking back
// what a link that failed could not write, for its successor.

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
  // Writes the stanza if the link is up and nothing is held before it, else holds it (up to
  // a limit, for a while). Moves from `stanza` only when it answers kAccepted.
  Handoff send(const std::string& domain, PendingStanza& stanza);
  // The held stanzas whose time ran out, for the caller to bounce.
  std::vector<PendingStanza> take_expired(std::chrono::steady_clock::time_point now);
  // What a failed link could not write, held again ahead of the rest for the next link. The
  // ones that cannot be held (the domain is no longer wanted, the edge is stopping) are
  // returned, for the caller to bounce.
  std::vector<PendingStanza> hold_again(const std::string& domain,
                                        std::vector<PendingStanza> unsent);
  // Every held stanza, and every stanza queued on a link but not yet written (graceful stop).
  std::vector<PendingStanza> take_all();
  // The held stanzas of links that are down now (graceful stop: no use waiting for them).
  std::vector<PendingStanza> take_held_while_down();

  void ready(const std::shared_ptr<ComponentConnection>& connection);
  // True when the closed link was the one in use (it is reconnected after a backoff).
  bool closed(const std::shared_ptr<ComponentConnection>& connection);
  // A link wrote its backlog down: held stanzas go on to the links that keep up.
  void flush();

  // Whether a link of one of `domains` is backlogged (its partner's streams wait).
  [[nodiscard]] bool backlogged(const std::vector<std::string>& domains) const;

  // Stops reconnecting, and stops holding what failed links give back.
  void stop_reconnecting();
  // Shuts every link.
  void shutdown();

 private:
  struct HeldStanza {
    PendingStanza stanza;
    std::chrono::steady_clock::time_point expires;
  };
  struct Slot {
    std::shared_ptr<ComponentConnection> connection;
    std::deque<HeldStanza> held;
    std::size_t held_bytes = 0;
    std::chrono::milliseconds backoff{1000};
    std::unique_ptr<asio::steady_timer> retry;
    bool wanted = true;
  };

  void connect(const std::string& domain);
  void schedule_retry(const std::string& domain);
  // Hands held stanzas to the slot's link while it is up and keeps up.
  void flush(const std::string& domain, Slot& slot);
  void take_held(const std::string& domain, Slot& slot, std::vector<PendingStanza>& into);
  void update_gauge(const std::string& domain, const Slot& slot);

  asio::io_context& io_;
  Metrics& metrics_;
  Factory factory_;
  std::map<std::string, Slot> slots_;
  bool stopping_ = false;
};

}  // namespace edgekit::edgeproxy
