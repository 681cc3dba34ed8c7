#pragma once
// The running edge: it owns the listeners, the router, the component links and the outbound
// pool, wires them to the connections, and runs the lifecycle (start, SIGHUP reload, SIGTERM
// graceful stop). Everything runs on one event loop
// thread (docs/adr/0005-edgeproxy-one-event-loop.md), so the routing tables need no locks.

#include <chrono>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.hpp"
#include "edgeproxy/net/asio.hpp"
#include "edgeproxy/net/connection_host.hpp"
#include "edgeproxy/net/tls_contexts.hpp"
#include "edgeproxy/net/xmpp_resolver.hpp"
#include "edgeproxy/server/component_links.hpp"
#include "edgeproxy/server/listener.hpp"
#include "edgeproxy/server/outbound_pool.hpp"
#include "edgeproxy/server/router.hpp"
#include "edgeproxy/server/stream_refusal.hpp"
#include "edgeproxy/xmpp/admission.hpp"
#include "edgeproxy/xmpp/dialback_key.hpp"
#include "edgeproxy/xmpp/metrics.hpp"

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
                   public ComponentEvents,
                   private RouterLinks {
 public:
  Edge(asio::io_context& io, std::shared_ptr<const Config> config, EdgeOptions options);
  ~Edge() override;
  Edge(const Edge&) = delete;
  Edge& operator=(const Edge&) = delete;

  // Loads secrets and the TLS identity, binds the listeners, starts the component links.
  Result<void> start();
  void reload();  // SIGHUP
  // SIGTERM: stop accepting, let queued and held stanzas drain for federation.drain_timeout,
  // bounce what is left in both directions, close every stream, stop the event loop.
  void shutdown();

  // StreamHost.
  asio::io_context& io() noexcept override { return io_; }
  [[nodiscard]] std::shared_ptr<const Config> config() const noexcept override { return config_; }
  [[nodiscard]] std::shared_ptr<const DialbackKeys> keys() const noexcept override { return keys_; }
  [[nodiscard]] std::shared_ptr<TlsContexts> tls() const noexcept override { return tls_; }
  Metrics& metrics() noexcept override { return metrics_; }
  std::string next_connection_id() override;
  [[nodiscard]] std::size_t max_write_queue_bytes() const noexcept override;
  asio::mutable_buffer read_buffer() noexcept override { return asio::buffer(read_buffer_); }
  [[nodiscard]] bool link_backlogged(Flow flow, const std::string& partner) const override;
  void pause_until_eased(const std::shared_ptr<Connection>& reader) override;
  void link_eased() override;

  // InboundEvents.
  void deliver_from_partner(const std::string& partner, Element stanza) override;
  void request_verify(const std::shared_ptr<InboundConnection>& inbound,
                      const action::RequestVerify& request) override;
  void inbound_closed(const InboundConnection* connection) override;
  [[nodiscard]] bool admit_partner_stream(const InboundConnection& connection,
                                          const Partner& partner) override;
  // OutboundEvents.
  void outbound_ready(const std::shared_ptr<OutboundConnection>& connection) override;
  void outbound_closed(const std::shared_ptr<OutboundConnection>& connection,
                       const std::string& reason) override;
  void outbound_unsent(const std::shared_ptr<OutboundConnection>& connection,
                       std::vector<PendingStanza> unsent) override;
  void verified(const std::shared_ptr<OutboundConnection>& verifier,
                const action::Verified& answer) override;
  // ComponentEvents.
  void component_ready(const std::shared_ptr<ComponentConnection>& connection) override;
  void component_closed(const std::shared_ptr<ComponentConnection>& connection,
                        const std::string& reason) override;
  void deliver_from_internal(const std::string& component_domain, Element stanza) override;
  void component_unsent(const std::shared_ptr<ComponentConnection>& connection,
                        std::vector<PendingStanza> unsent) override;

 private:
  // RouterLinks: how the router reaches the two sides.
  [[nodiscard]] bool has_component(const std::string& domain) const override;
  Handoff to_internal(const std::string& component_domain, PendingStanza& stanza) override;
  Handoff to_partner(const std::string& local, const std::string& remote,
                     PendingStanza& stanza) override;

  void accept_partner_stream(tcp::socket socket, bool direct_tls);
  // Makes room at connection_limit: the longest-negotiating inbound stream is closed.
  void evict_oldest_unauthenticated();
  awaitable<void> held_sweeper();
  // The graceful stop after its drain: bounces what is left while the ways back are open.
  awaitable<void> drain_and_stop();
  void bounce_all(const std::vector<PendingStanza>& stanzas, StanzaError condition,
                  std::string_view reason);
  void wake_paused_readers();
  // Closes the inbound streams of partners a reload removed (policy-violation), so that
  // their servers stop sending at once instead of at their next stanza.
  void close_removed_partners();
  void sync_components();
  std::shared_ptr<OutboundConnection> make_outbound(const std::string& local,
                                                    const std::string& remote,
                                                    OutboundPurpose purpose);
  Result<void> load_secrets(const Config& config);
  [[nodiscard]] std::string store_root(const Config& config) const;

  asio::io_context& io_;
  std::shared_ptr<const Config> config_;
  EdgeOptions options_;
  std::shared_ptr<const DialbackKeys> keys_;
  std::shared_ptr<TlsContexts> tls_;
  std::string component_secret_;
  Metrics metrics_;
  Router router_;
  ComponentLinks components_;
  OutboundPool outbound_;
  Listeners listeners_;
  XmppResolver resolver_;
  std::set<std::shared_ptr<InboundConnection>> inbound_;
  std::vector<std::weak_ptr<Connection>> paused_readers_;
  Admission admission_;  // inbound_ by source address and age
  ConnectionRefuser refuser_;
  std::vector<char> read_buffer_ = std::vector<char>(std::size_t{64} * 1024);
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;  // SIGTERM came: no new partner streams are accepted
  bool closing_ = false;   // the drain is over: no new outbound streams are made
  asio::steady_timer sweeper_;
};

}  // namespace edgekit::edgeproxy
