#pragma once
// The running edge: listeners, the router between partner streams and component links, and
// the lifecycle (SIGHUP reload, SIGTERM graceful stop). Everything runs on one event loop
// thread (docs/adr/0005-edgeproxy-one-event-loop.md), so the routing tables need no locks.

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/net/connection_host.hpp"
#include "edgeproxy/net/tls_contexts.hpp"
#include "edgeproxy/net/xmpp_resolver.hpp"
#include "edgeproxy/xmpp/dialback_key.hpp"
#include "edgeproxy/xmpp/metrics.hpp"
#include "edgeproxy/xmpp/stanza_policy.hpp"

namespace edgekit::edgeproxy {

class Connection;
class InboundConnection;
class OutboundConnection;
class ComponentConnection;

struct EdgeOptions {
  std::filesystem::path config_path;
  std::string store_override;  // --store
};

class Edge final : public StreamHost,
                   public InboundEvents,
                   public OutboundEvents,
                   public ComponentEvents {
 public:
  Edge(asio::io_context& io, std::shared_ptr<const Config> config, EdgeOptions options);
  ~Edge() override;
  Edge(const Edge&) = delete;
  Edge& operator=(const Edge&) = delete;

  // Loads secrets and the TLS identity, binds the listeners, starts the component links.
  Result<void> start();
  void reload();    // SIGHUP
  void shutdown();  // SIGTERM

  // StreamHost.
  asio::io_context& io() noexcept override { return io_; }
  [[nodiscard]] std::shared_ptr<const Config> config() const noexcept override { return config_; }
  [[nodiscard]] std::shared_ptr<const DialbackKeys> keys() const noexcept override { return keys_; }
  [[nodiscard]] std::shared_ptr<TlsContexts> tls() const noexcept override { return tls_; }
  Metrics& metrics() noexcept override { return metrics_; }
  std::string next_connection_id() override;
  [[nodiscard]] std::size_t max_write_queue_bytes() const noexcept override;
  asio::mutable_buffer read_buffer() noexcept override { return asio::buffer(read_buffer_); }
  [[nodiscard]] bool internal_backlogged() const noexcept override;
  void pause_until_internal_eased(const std::shared_ptr<Connection>& reader) override;

  // InboundEvents.
  void deliver_from_partner(const std::string& partner, Element stanza) override;
  void request_verify(const std::shared_ptr<InboundConnection>& inbound,
                      const Action& request) override;
  void inbound_closed(const InboundConnection* connection) override;
  [[nodiscard]] bool admit_partner_stream(const Partner& partner) const override;
  // OutboundEvents.
  void outbound_ready(const std::shared_ptr<OutboundConnection>& connection) override;
  void outbound_closed(const std::shared_ptr<OutboundConnection>& connection,
                       const std::string& reason) override;
  void verified(const std::shared_ptr<OutboundConnection>& verifier, const Action& answer) override;
  // ComponentEvents.
  void component_ready(const std::shared_ptr<ComponentConnection>& connection) override;
  void component_closed(const std::shared_ptr<ComponentConnection>& connection,
                        const std::string& reason) override;
  void deliver_from_internal(const std::string& component_domain, Element stanza) override;
  void internal_eased() override;

 private:
  struct HeldStanza {
    std::string raw;
    Element element;  // routing attributes, for the bounce
    std::chrono::steady_clock::time_point expires;
  };
  struct ComponentSlot {
    std::shared_ptr<ComponentConnection> connection;
    std::deque<HeldStanza> held;
    std::chrono::milliseconds backoff{1000};
    std::unique_ptr<asio::steady_timer> retry;
    bool wanted = true;
  };
  struct PendingVerify {
    std::weak_ptr<InboundConnection> inbound;
    std::string originating;
    std::string receiving;
    std::string stream_id;
  };

  std::vector<std::weak_ptr<Connection>> paused_readers_;
  std::vector<char> read_buffer_ = std::vector<char>(std::size_t{64} * 1024);

  awaitable<void> accept_loop(std::shared_ptr<tcp::acceptor> acceptor, bool direct_tls);
  awaitable<void> metrics_loop(std::shared_ptr<tcp::acceptor> acceptor);
  awaitable<void> held_sweeper();
  void connect_component(const std::string& domain);
  void schedule_component_retry(const std::string& domain);
  void sync_components();
  void send_to_partner(const std::string& local, const std::string& remote, std::string raw,
                       const Element& routing);
  void send_to_internal(const std::string& component_domain, std::string raw,
                        const Element& routing);
  void record_bounce(const std::string& partner_domain, std::string_view direction,
                     StanzaError condition, std::string_view reason);
  // The error goes to the internal sender over the component link of the partner domain the
  // stanza was for, or over `via_component` (the link it came on) when that is given.
  void bounce_to_internal(const Element& stanza, StanzaError condition, std::string_view reason,
                          const std::string& via_component = {});
  void bounce_to_partner(const Element& stanza, StanzaError condition, std::string_view reason);
  std::shared_ptr<OutboundConnection> outbound_for(const std::string& local,
                                                   const std::string& remote, bool verify);
  Result<void> load_secrets(const Config& config);
  // The public-unverified rule's memory of outbound subscription requests, in the store.
  void load_subscriptions();
  void save_subscriptions();
  [[nodiscard]] std::string store_root(const Config& config) const;

  asio::io_context& io_;
  std::shared_ptr<const Config> config_;
  EdgeOptions options_;
  std::shared_ptr<const DialbackKeys> keys_;
  std::shared_ptr<TlsContexts> tls_;
  std::string component_secret_;
  StanzaPolicy policy_;
  Metrics metrics_;
  XmppResolver resolver_;
  std::vector<std::shared_ptr<tcp::acceptor>> acceptors_;
  std::map<std::string, ComponentSlot> components_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<OutboundConnection>> outbound_;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<OutboundConnection>> verifiers_;
  std::set<std::shared_ptr<InboundConnection>> inbound_;
  std::vector<PendingVerify> pending_verifies_;
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  asio::steady_timer sweeper_;

  friend class RouterTestAccess;
};

}  // namespace edgekit::edgeproxy
